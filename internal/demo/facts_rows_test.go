package demo

import (
	"reflect"
	"testing"

	"github.com/sertika/sertika/internal/importer"
)

// The demo writes its facts as the importer's records: a fact table's row is defined once
// (internal/importer), and the demo's rows add only the index of their employee.
func TestFactRowsAreImporterRecords(t *testing.T) {
	for _, c := range []struct {
		row, rec any
		table    string
	}{
		{skpRow{}, importer.SKPRecord{}, "skp_results"},
		{penaltyRow{}, importer.PenaltyRecord{}, "disciplinary_penalties"},
		{trainingRow{}, importer.ExternalRecord{}, "external_trainings"},
	} {
		rt, want := reflect.TypeOf(c.row), reflect.TypeOf(c.rec)
		embedded := false
		for i := range rt.NumField() {
			f := rt.Field(i)
			switch {
			case f.Anonymous && f.Type == want:
				embedded = true
			case f.IsExported():
				t.Errorf("%s declares its own column field %s: add it to %s instead", rt, f.Name, want)
			}
		}
		if !embedded {
			t.Errorf("%s does not embed %s", rt, want)
		}
		if got := c.row.(interface{ TableName() string }).TableName(); got != c.table {
			t.Errorf("%s is a row of %q, want %q", rt, got, c.table)
		}
	}
}
