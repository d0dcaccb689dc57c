package importer

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
)

// factTemplateHeaders are the header contracts of the fact templates: scripts rely on them,
// so a change must be deliberate.
var factTemplateHeaders = map[FactKind]string{
	FactSKP:          "nip,tahun,nilai,predikat",
	FactHukdis:       "nip,tingkat,tanggal_mulai,jenis,nomor_sk",
	FactPengembangan: "nip,kode_jenis,tingkat,nama,jumlah_jp,tanggal_mulai,tanggal_selesai,penyelenggara,nomor_sertifikat",
}

func TestFactTemplatesShape(t *testing.T) {
	for _, kind := range FactKinds {
		t.Run(string(kind), func(t *testing.T) {
			c, err := FactTemplateCSV(kind)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(c, bomUTF8) || !strings.HasPrefix(string(c[3:]), factTemplateHeaders[kind]+"\r\n") ||
				!strings.Contains(string(c), ExampleNIP) || strings.Count(string(c), "\r\n") != 2 {
				t.Errorf("CSV template = %q", c)
			}
			x, err := FactTemplateXLSX(kind)
			if err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(bytes.NewReader(x))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sheets := f.GetSheetList()
			if len(sheets) != 2 || sheets[0] != factSheets[kind] || sheets[1] != TemplateHelpSheet {
				t.Fatalf("sheets = %v", sheets)
			}
			rows, err := f.GetRows(sheets[0])
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || strings.Join(rows[0], ",") != factTemplateHeaders[kind] || rows[1][0] != ExampleNIP {
				t.Errorf("data sheet = %q", rows)
			}
			dvs, err := f.GetDataValidations(sheets[0])
			if err != nil || len(dvs) == 0 {
				t.Errorf("data sheet has no drop-down lists (%v)", err)
			}
			help, err := f.GetRows(TemplateHelpSheet)
			if err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, r := range help {
				all.WriteString(strings.Join(r, "|") + "\n")
			}
			want := []string{"Petunjuk impor data", "nip|ya|"}
			switch kind {
			case FactSKP:
				want = append(want, "sangat_baik|1|Sangat Baik", "butuh_perbaikan|3|", "sangat_kurang|5|Sangat Kurang", "predikat|nilai atau predikat|")
			case FactHukdis:
				want = append(want, "R||Ringan", "S||Sedang", "B||Berat", "nomor_sk|tidak|")
			case FactPengembangan:
				for _, k := range domain.DevelopmentKinds {
					want = append(want, k.Code+"|"+strconv.Itoa(k.SIASNID)+"|"+k.Label)
				}
				for _, l := range domain.LeadershipLevels {
					want = append(want, l.Code+"||"+l.Label)
				}
				want = append(want, "tingkat|bila kepemimpinan|")
			}
			for _, w := range want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("Petunjuk lacks %q:\n%s", w, all.String())
				}
			}
		})
	}
	if _, err := FactTemplateCSV("gaji"); err == nil {
		t.Error("unknown kind: no error")
	}
	if _, err := FactTemplateXLSX("gaji"); err == nil {
		t.Error("unknown kind: no error")
	}
}

// TestFactTemplatesImport: every template imports cleanly once the employee template's
// employee exists — in a dry run from CSV and for real from XLSX.
func TestFactTemplatesImport(t *testing.T) {
	eachFixed(t, func(t *testing.T, db *database.DB) {
		mustOPDs(t, db)
		checkCounts(t, mustImport(t, db, EmployeeTemplateCSV(), Options{}), 1, 0, 0, 0)
		for _, kind := range FactKinds {
			c, err := FactTemplateCSV(kind)
			if err != nil {
				t.Fatal(err)
			}
			rep := importFacts(t, db, &fakeRescorer{}, kind, c, Options{DryRun: true})
			checkCounts(t, rep, 1, 0, 0, 0)
			if rep.Committed || rep.Format != FormatCSV {
				t.Errorf("%s CSV dry run: %+v", kind, rep)
			}
			x, err := FactTemplateXLSX(kind)
			if err != nil {
				t.Fatal(err)
			}
			rs := &fakeRescorer{}
			rep = importFacts(t, db, rs, kind, x, Options{})
			checkCounts(t, rep, 1, 0, 0, 0)
			if !rep.Committed || rep.Format != FormatXLSX || len(rs.calls) != 1 {
				t.Errorf("%s XLSX import: %+v, rescored %v", kind, rep, rs.calls)
			}
		}
		var ext ExternalRecord
		if err := db.Gorm.Take(&ext).Error; err != nil {
			t.Fatal(err)
		}
		if ext.Kind != "teknis" || ext.JP != 32 || ext.StartDate.String() != "2024-03-04" || ext.EndDate.String() != "2024-03-07" {
			t.Errorf("imported development = %+v", ext)
		}
		var pen PenaltyRecord
		if err := db.Gorm.Take(&pen).Error; err != nil {
			t.Fatal(err)
		}
		if pen.Level != "R" || pen.StartDate.String() != "2024-03-15" {
			t.Errorf("imported penalty = %+v", pen)
		}
	})
}

// TestFactProblemsNameColumns: a rejected row's problems say which column each concerns.
func TestFactProblemsNameColumns(t *testing.T) {
	eachFixed(t, func(t *testing.T, db *database.DB) {
		factFixture(t, db)
		data := csvText(t, ',',
			[]string{"nip", "kode_jenis", "tingkat", "nama", "jumlah_jp", "tanggal_mulai", "tanggal_selesai"},
			[]string{nipPNS1, "entah", "", "Kursus", "x", "", "31-02-2024"},
			[]string{"199912312030011001", "teknis", "", "Kursus", "10", "", "2024-01-31"},
			[]string{nipPNS2, "teknis", "", "Kursus", "10", "", "2024-01-31"},
		)
		rep := importFacts(t, db, &fakeRescorer{}, FactPengembangan, data, Options{DryRun: true})
		checkCounts(t, rep, 1, 0, 0, 2)
		got := map[int][]string{}
		for _, r := range rep.Rows {
			for _, p := range r.Problems {
				got[r.Line] = append(got[r.Line], p.Column)
				if p.Reason == "" || !strings.Contains(r.Reason, p.Reason) {
					t.Errorf("line %d: problem %+v not in reason %q", r.Line, p, r.Reason)
				}
			}
		}
		if strings.Join(got[2], ",") != "kode_jenis,jumlah_jp,tanggal_selesai" || strings.Join(got[3], ",") != "nip" || len(got[4]) != 0 {
			t.Errorf("problem columns = %v", got)
		}
	})
}
