package issuer

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/importer"
)

func siasnIDs(rows []SIASNRow) []string {
	return sortedIDs(rows, func(r SIASNRow) string { return r.ID })
}

func TestExportSIASNScopeAndFilters(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w, _, _, a, b := certWorld(t, f)
		all := certIDs(append(slices.Clone(a), b...))
		a1 := a[0]
		for _, tc := range visibleCerts(a, b) {
			rows, err := w.iss.ExportSIASN(bg, w.who(t, tc.who), SIASNFilter{})
			if err != nil {
				t.Fatalf("%s: %v", tc.who, err)
			}
			if got := siasnIDs(rows); !slices.Equal(got, tc.want) {
				t.Errorf("%s exports %v, want %v", tc.who, got, tc.want)
			}
		}
		_, err := w.iss.ExportSIASN(bg, domain.Actor{}, SIASNFilter{})
		assertCode(t, err, apperr.CodeUnauthorized)
		_, err = w.iss.ExportSIASN(bg, w.admin, SIASNFilter{Year: -1})
		assertCode(t, err, apperr.CodeInvalid)

		// Revoked certificates are left out unless asked for.
		_, err = w.iss.Revoke(bg, w.signer, a[1].ID, ReasonWithdrawn, "Ditarik")
		mustDo(t, err)
		mustDo(t, w.db.Gorm.Exec("UPDATE certificates SET year = 2025 WHERE id = ?", b[0].ID).Error)
		for _, tc := range []struct {
			name string
			who  domain.Actor
			f    SIASNFilter
			want []string
		}{
			{"live only", w.admin, SIASNFilter{}, certIDs([]Certificate{a1, b[0]})},
			{"with revoked", w.admin, SIASNFilter{IncludeRevoked: true}, all},
			{"year of issue", w.admin, SIASNFilter{Year: 2025}, certIDs(b)},
			{"opd", w.rev, SIASNFilter{OPD: "DISDIK", IncludeRevoked: true}, certIDs(a)},
			{"another OPD's, as an OPD", w.opdUser, SIASNFilter{OPD: "DINKES"}, []string{}},
			{"own, as an employee", w.pegawai, SIASNFilter{IncludeRevoked: true}, []string{a1.ID}},
		} {
			rows, err := w.iss.ExportSIASN(bg, tc.who, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := siasnIDs(rows); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
			for _, r := range rows {
				if r.Revoked != (r.ID == a[1].ID) {
					t.Errorf("%s: %s revoked = %v", tc.name, r.ID, r.Revoked)
				}
			}
		}

		// The columns of one row.
		rows, err := w.iss.ExportSIASN(bg, w.pegawai, SIASNFilter{})
		mustDo(t, err)
		want := []string{nipA1, a1.HolderName, "3", "Pelatihan Teknis", "", "Pelatihan Teknis Penyusunan Modul Ajar", "24",
			"10-03-2026", "12-03-2026", "2026", "BKPSDM", a1.Number, "berlaku"}
		if len(rows) != 1 || !slices.Equal(rows[0].Cells(), want) {
			t.Errorf("row = %q, want %q", rows[0].Cells(), want)
		}
	})
}

// noRescore satisfies the importer's Rescorer for dry runs.
type noRescore struct{}

func (noRescore) RescoreAffected(context.Context, *gorm.DB, []int64) error { return nil }

// TestExportSIASNRoundTrip writes the export as CSV and XLSX, reads both back with
// encoding/csv and excelize and compares them with the certificates, then feeds the CSV to
// the pengembangan importer (columns renamed where the two differ): every row parses — kind
// id, dates in dd-mm-yyyy, JP — and is refused only because Sertika issued it.
func TestExportSIASNRoundTrip(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w, _, _, a, b := certWorld(t, f)
		rows, err := w.iss.ExportSIASN(bg, w.admin, SIASNFilter{})
		mustDo(t, err)
		if len(rows) != len(a)+len(b) {
			t.Fatalf("%d rows, want %d", len(rows), len(a)+len(b))
		}
		byID := map[string]Certificate{}
		for _, c := range append(slices.Clone(a), b...) {
			byID[c.ID] = c
		}
		check := func(format string, got [][]string) {
			t.Helper()
			if len(got) != len(rows)+1 || !slices.Equal(got[0], SIASNColumns) {
				t.Fatalf("%s: header %q, %d lines", format, got[0], len(got))
			}
			for i, r := range rows {
				c := byID[r.ID]
				line := got[i+1]
				want := []string{c.NIP, c.HolderName, "3", "Pelatihan Teknis", c.Level, c.Title, "24",
					c.StartDate.Format("02-01-2006"), c.EndDate.Format("02-01-2006"), "2026", c.Organizer, c.Number, "berlaku"}
				if !slices.Equal(line, want) {
					t.Errorf("%s line %d = %q, want %q", format, i+2, line, want)
				}
			}
		}

		var csvBuf bytes.Buffer
		var calls []int
		mustDo(t, WriteSIASNCSV(&csvBuf, rows, func(done, total int) { calls = append(calls, done) }))
		if !bytes.HasPrefix(csvBuf.Bytes(), []byte("\xEF\xBB\xBFnip,nama,jenis_diklat,")) || !bytes.Contains(csvBuf.Bytes(), []byte("\r\n")) {
			t.Errorf("CSV starts %q", csvBuf.Bytes()[:40])
		}
		if !slices.Equal(calls, []int{len(rows)}) {
			t.Errorf("progress calls %v", calls)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvBuf.Bytes(), []byte("\xEF\xBB\xBF")))).ReadAll()
		mustDo(t, err)
		check("CSV", recs)

		var xBuf bytes.Buffer
		mustDo(t, WriteSIASNXLSX(&xBuf, rows, nil))
		x, err := excelize.OpenReader(&xBuf)
		mustDo(t, err)
		defer x.Close()
		if sheets := x.GetSheetList(); len(sheets) != 1 || sheets[0] != SIASNSheet {
			t.Errorf("sheets %v", sheets)
		}
		xr, err := x.GetRows(SIASNSheet, excelize.Options{RawCellValue: true})
		mustDo(t, err)
		for i := range xr { // GetRows drops trailing empty cells
			for len(xr[i]) < len(SIASNColumns) {
				xr[i] = append(xr[i], "")
			}
		}
		check("XLSX", xr)
		if typ, _ := x.GetCellType(SIASNSheet, "G2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("jumlah_jam cell type %v", typ)
		}

		// Into the pengembangan importer.
		rename := map[string]string{"jenis_diklat": importer.ColKindCode, "nama_kursus": importer.ColTitle,
			"jumlah_jam": importer.ColJP, "institusi_penyelenggara": importer.ColOrganizer}
		keep := []int{}
		var header []string
		for i, h := range recs[0] {
			if n, ok := rename[h]; ok {
				h = n
			} else if !slices.Contains(importer.FactColumns(importer.FactPengembangan), h) || h == "nama" {
				continue // nama is the holder here, the activity there
			}
			keep = append(keep, i)
			header = append(header, h)
		}
		var in bytes.Buffer
		cw := csv.NewWriter(&in)
		mustDo(t, cw.Write(header))
		for _, r := range recs[1:] {
			var cells []string
			for _, i := range keep {
				cells = append(cells, r[i])
			}
			mustDo(t, cw.Write(cells))
		}
		cw.Flush()
		rep, err := importer.ImportFacts(bg, w.db, noRescore{}, importer.FactPengembangan, w.admin, "siasn.csv", &in, importer.Options{DryRun: true})
		if err != nil {
			t.Fatalf("import: %v (header %v)", err, header)
		}
		if rep.Rejected != len(rows) {
			t.Fatalf("import report: %+v", rep)
		}
		for _, r := range rep.Rows {
			if len(r.Problems) != 1 || r.Problems[0].Column != importer.ColCertNumber || !strings.Contains(r.Reason, "diterbitkan Sertika") {
				t.Errorf("line %d: %q", r.Line, r.Reason)
			}
		}
	})
}

func TestSIASNWritersDefuseFormulas(t *testing.T) {
	rows := []SIASNRow{{NIP: nipA1, Name: "@Andi", Title: "=HYPERLINK(\"http://x\")", Organizer: "-BKPSDM", JP: 2,
		CertificateNumber: "+1", KindName: "x"}}
	var buf bytes.Buffer
	mustDo(t, WriteSIASNCSV(&buf, rows, nil))
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	mustDo(t, err)
	got := recs[1]
	if got[1] != "'@Andi" || got[5] != `'=HYPERLINK("http://x")` || got[10] != "'-BKPSDM" || got[11] != "'+1" || got[0] != nipA1 {
		t.Errorf("defused = %q", got)
	}
	buf.Reset()
	mustDo(t, WriteSIASNXLSX(&buf, rows, nil))
	x, err := excelize.OpenReader(&buf)
	mustDo(t, err)
	defer x.Close()
	if v, _ := x.GetCellValue(SIASNSheet, "F2"); v != `=HYPERLINK("http://x")` {
		t.Errorf("XLSX title = %q", v)
	}
	if fm, _ := x.GetCellFormula(SIASNSheet, "F2"); fm != "" {
		t.Errorf("XLSX title is a formula %q", fm)
	}
}
