package importer

import (
	"context"
	"reflect"
	"testing"

	"github.com/sertika/sertika/internal/database"
)

// InsertFacts writes records as they are (also inside a struct that embeds one, as the demo
// seed does), in statements of the dialect's write batch, reporting each.
func TestInsertFacts(t *testing.T) {
	eachFixed(t, func(t *testing.T, db *database.DB) {
		ids := factFixture(t, db)
		type withIndex struct { // the demo's shape: a record and what it needs besides
			SKPRecord
			emp int
		}
		const n = 120
		recs := make([]withIndex, n)
		for i := range recs {
			nip := []string{nipPNS1, nipPNS2, nipPPPK1}[i%3]
			recs[i] = withIndex{SKPRecord: SKPRecord{EmployeeID: ids[nip], Year: 1900 + i, Predikat: "baik",
				Source: "demo", CreatedAt: factNow, UpdatedAt: factNow}, emp: i}
		}
		var sizes []int
		if err := InsertFacts(context.Background(), db.Gorm, db.Dialect, recs, func(k int) { sizes = append(sizes, k) }); err != nil {
			t.Fatal(err)
		}
		want := []int{n}
		if b := writeBatch(db.Dialect); b < n {
			want = []int{b, b, n - 2*b}
		}
		if !reflect.DeepEqual(sizes, want) {
			t.Errorf("batches %v, want %v", sizes, want)
		}
		for i, r := range recs {
			if r.ID == 0 || r.emp != i {
				t.Fatalf("record %d after insert: id %d, emp %d", i, r.ID, r.emp)
			}
		}
		var got []SKPRecord
		if err := db.Gorm.Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		first := recs[0].SKPRecord
		if len(got) != n || got[0].ID != first.ID || got[0].EmployeeID != first.EmployeeID || got[0].Year != first.Year ||
			got[0].Predikat != "baik" || !got[0].CreatedAt.Equal(factNow) || got[n-1].Year != 1900+n-1 || got[n-1].Source != "demo" {
			t.Errorf("stored %d records, first %+v, want %d, first %+v", len(got), got[0], n, recs[0].SKPRecord)
		}

		// A cancelled context writes nothing more.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		more := []SKPRecord{{EmployeeID: ids[nipPNS1], Year: 2100, Predikat: "baik", Source: "demo", CreatedAt: factNow, UpdatedAt: factNow}}
		if err := InsertFacts(ctx, db.Gorm, db.Dialect, more, nil); err == nil || count(t, db, "skp_results") != n {
			t.Errorf("cancelled insert: %v, %d rows", err, count(t, db, "skp_results"))
		}
	})
}
