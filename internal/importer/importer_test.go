package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/nip"
	"github.com/sertika/sertika/internal/testdb"
)

// Valid numbers used throughout (rules document §9).
const (
	nipPNS1  = "196608011988031001" // PNS, male
	nipPNS2  = "197505152000122003" // PNS, female
	nipPPPK1 = "200012312024211001" // PPPK
)

var fullHeader = []string{"nip", "nama", "gelar_depan", "gelar_belakang", "status", "kode_opd", "jabatan", "jenis_jabatan", "eselon", "jf", "tk_pendidikan"}

// validRows are three good rows for fullHeader.
func validRows() [][]string {
	return [][]string{
		{nipPNS1, "Andi Wijaya", "Dr.", "S.Kom., M.T.", "PNS", "DISKOMINFO", "Kepala Bidang", "struktural", "iii.b", "", "45"},
		{nipPNS2, "Siti <b>Aminah</b>'; DROP TABLE employees;--", "", "S.Kep.", "pns", "DINKES", "Perawat Ahli Muda", "fungsional", "", "Perawat Ahli Muda", "5"},
		{nipPPPK1, "Budi Santoso", "", "", "PPPK", "diskominfo", "Pengadministrasi Umum", "pelaksana", "-", "", "s1"},
	}
}

// mustOPDs creates the fixture OPDs and returns their ids by code.
func mustOPDs(tb testing.TB, db *database.DB) map[string]int64 {
	tb.Helper()
	now := db.Now()
	ids := map[string]int64{}
	for _, o := range []domain.OPD{
		{Code: "DISKOMINFO", Name: "Dinas Komunikasi dan Informatika", Active: true},
		{Code: "DINKES", Name: "Dinas Kesehatan", Active: true},
		{Code: "LAMA", Name: "Kantor yang Dibubarkan", Active: false},
	} {
		o.CreatedAt, o.UpdatedAt = now, now
		if err := db.Gorm.Create(&o).Error; err != nil {
			tb.Fatalf("create OPD %s: %v", o.Code, err)
		}
		ids[o.Code] = o.ID
	}
	return ids
}

// csvText renders records as CSV with the delimiter.
func csvText(tb testing.TB, delim rune, records ...[]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = delim
	if err := w.WriteAll(records); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func withHeader(header []string, rows ...[]string) [][]string {
	return append([][]string{header}, rows...)
}

func mustImport(tb testing.TB, db *database.DB, data []byte, opt Options) *Report {
	tb.Helper()
	rep, err := ImportEmployees(context.Background(), db, domain.System, "pegawai.csv", bytes.NewReader(data), opt)
	if err != nil {
		tb.Fatalf("ImportEmployees: %v", err)
	}
	return rep
}

func count(tb testing.TB, db *database.DB, table string) int64 {
	tb.Helper()
	var n int64
	if err := db.Gorm.Table(table).Count(&n).Error; err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}

func employee(tb testing.TB, db *database.DB, nipStr string) domain.Employee {
	tb.Helper()
	var e domain.Employee
	if err := db.Gorm.Where("nip = ?", nipStr).First(&e).Error; err != nil {
		tb.Fatalf("load employee %s: %v", nipStr, err)
	}
	return e
}

func checkCounts(tb testing.TB, rep *Report, created, updated, unchanged, rejected int) {
	tb.Helper()
	if rep.Created != created || rep.Updated != updated || rep.Unchanged != unchanged || rep.Rejected != rejected {
		tb.Errorf("counts created/updated/unchanged/rejected = %d/%d/%d/%d, want %d/%d/%d/%d",
			rep.Created, rep.Updated, rep.Unchanged, rep.Rejected, created, updated, unchanged, rejected)
	}
	if len(rep.Rows) != created+updated+unchanged+rejected {
		tb.Errorf("len(Rows) = %d, want %d", len(rep.Rows), created+updated+unchanged+rejected)
	}
}

func TestImportCreatesAndRecords(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		opds := mustOPDs(t, db)
		now := db.Now()
		admin := domain.User{Username: "admin", PasswordHash: "x", Role: domain.RoleAdmin, Active: true,
			PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
		if err := db.Gorm.Create(&admin).Error; err != nil {
			t.Fatal(err)
		}
		data := csvText(t, ',', withHeader(fullHeader, validRows()...)...)
		rep, err := ImportEmployees(context.Background(), db, admin.Actor(), "pegawai.csv", bytes.NewReader(data), Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkCounts(t, rep, 3, 0, 0, 0)
		if !rep.Committed || rep.Format != FormatCSV {
			t.Errorf("Committed = %v, Format = %q; want true, csv", rep.Committed, rep.Format)
		}
		for i, r := range rep.Rows {
			if r.Line != i+2 || r.Action != ActionCreated {
				t.Errorf("row %d = %+v, want line %d created", i, r, i+2)
			}
		}

		e := employee(t, db, nipPNS1)
		want := domain.Employee{NIP: nipPNS1, Name: "Andi Wijaya", FrontTitle: "Dr.", BackTitle: "S.Kom., M.T.",
			Status: "PNS", OPDID: opds["DISKOMINFO"], Position: "Kepala Bidang", PositionKind: "struktural",
			Eselon: "III.b", EducationLevel: "45", Active: true}
		if got := strip(e); got != want {
			t.Errorf("employee 1 = %+v\nwant %+v", got, want)
		}
		if !e.CreatedAt.Equal(now) && e.CreatedAt.Before(now) {
			t.Errorf("created_at = %v, want ≥ %v", e.CreatedAt, now)
		}
		e2 := employee(t, db, nipPNS2)
		if e2.Name != "Siti <b>Aminah</b>'; DROP TABLE employees;--" || e2.Status != "PNS" ||
			e2.OPDID != opds["DINKES"] || e2.JFName != "Perawat Ahli Muda" || e2.EducationLevel != "05" {
			t.Errorf("employee 2 = %+v", strip(e2))
		}
		e3 := employee(t, db, nipPPPK1)
		if e3.Status != "PPPK" || e3.OPDID != opds["DISKOMINFO"] || e3.Eselon != "" || e3.EducationLevel != "40" {
			t.Errorf("employee 3 = %+v", strip(e3))
		}

		var runs []importRun
		if err := db.Gorm.Find(&runs).Error; err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 {
			t.Fatalf("import_runs = %d rows, want 1", len(runs))
		}
		run := runs[0]
		if run.Kind != "employees" || run.FileName != "pegawai.csv" || run.FileSHA256 != rep.SHA256 ||
			run.UserID == nil || *run.UserID != admin.ID || run.Created != 3 || !run.Committed {
			t.Errorf("import run = %+v", run)
		}
		var stored Report
		if err := json.Unmarshal([]byte(run.Report), &stored); err != nil || len(stored.Rows) != 3 || !stored.Committed {
			t.Errorf("stored report = %+v, %v", stored, err)
		}
		var audit []domain.AuditEntry
		if err := db.Gorm.Find(&audit).Error; err != nil {
			t.Fatal(err)
		}
		if len(audit) != 1 || audit[0].Action != AuditActionImportEmployees || audit[0].UserID == nil ||
			*audit[0].UserID != admin.ID || audit[0].Username != "admin" {
			t.Errorf("audit = %+v", audit)
		}

		// The System actor has no user row: the run is recorded without a user id.
		rep = mustImport(t, db, data, Options{})
		checkCounts(t, rep, 0, 0, 3, 0)
		var last importRun
		if err := db.Gorm.Order("id DESC").First(&last).Error; err != nil {
			t.Fatal(err)
		}
		if last.UserID != nil || last.Unchanged != 3 {
			t.Errorf("System run = %+v, want no user id and 3 unchanged", last)
		}
	})
}

// strip zeroes what an import does not control.
func strip(e domain.Employee) domain.Employee {
	e.ID, e.CreatedAt, e.UpdatedAt, e.OPD = 0, time.Time{}, time.Time{}, nil
	return e
}

func TestReimportUnchangedThenUpdated(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		opds := mustOPDs(t, db)
		rows := validRows()
		mustImport(t, db, csvText(t, ',', withHeader(fullHeader, rows...)...), Options{})
		before := employee(t, db, nipPNS2)

		rep := mustImport(t, db, csvText(t, ',', withHeader(fullHeader, rows...)...), Options{})
		checkCounts(t, rep, 0, 0, 3, 0)
		if !rep.Committed {
			t.Error("unchanged re-import not committed")
		}

		rows[1][1] = "Siti Aminah"
		rows[1][5] = "DISKOMINFO"
		rows[2][7], rows[2][9] = "fungsional", "Pranata Komputer Ahli Pertama"
		rep = mustImport(t, db, csvText(t, ',', withHeader(fullHeader, rows...)...), Options{})
		checkCounts(t, rep, 0, 2, 1, 0)
		if got := []Action{rep.Rows[0].Action, rep.Rows[1].Action, rep.Rows[2].Action}; got[0] != ActionUnchanged ||
			got[1] != ActionUpdated || got[2] != ActionUpdated {
			t.Errorf("actions = %v", got)
		}
		after := employee(t, db, nipPNS2)
		if after.Name != "Siti Aminah" || after.OPDID != opds["DISKOMINFO"] || after.ID != before.ID ||
			!after.CreatedAt.Equal(before.CreatedAt) || after.UpdatedAt.Before(before.UpdatedAt) {
			t.Errorf("after update = %+v (before %+v)", after, before)
		}
		if e := employee(t, db, nipPPPK1); e.PositionKind != "fungsional" || e.JFName != "Pranata Komputer Ahli Pertama" {
			t.Errorf("employee 3 = %+v", strip(e))
		}
		if n := count(t, db, "employees"); n != 3 {
			t.Errorf("employees = %d, want 3", n)
		}
	})
}

func TestAbsentOptionalColumnsKeepValues(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		mustOPDs(t, db)
		mustImport(t, db, csvText(t, ',', withHeader(fullHeader, validRows()...)...), Options{})
		// Only the required columns, in another order and spelling: the optional fields
		// (titles, position, JF, education) stay as they are.
		data := csvText(t, ',',
			[]string{" Jenis Jabatan ", "NIP", "Status", "KODE_OPD", "Nama"},
			[]string{"fungsional", nipPNS2, "PNS", "DINKES", "Siti Aminah"},
			[]string{"struktural", nipPNS1, "PNS", "DISKOMINFO", "Andi Wijaya"},
		)
		rep := mustImport(t, db, data, Options{})
		checkCounts(t, rep, 0, 1, 1, 0)
		e := employee(t, db, nipPNS2)
		if e.Name != "Siti Aminah" || e.BackTitle != "S.Kep." || e.JFName != "Perawat Ahli Muda" || e.EducationLevel != "05" {
			t.Errorf("employee = %+v", strip(e))
		}
		// Without a jf column a new fungsional employee has no JF name: rejected.
		data = csvText(t, ',',
			[]string{"nip", "nama", "status", "kode_opd", "jenis_jabatan"},
			[]string{"198001012005011002", "Baru", "PNS", "DINKES", "fungsional"},
		)
		rep = mustImport(t, db, data, Options{})
		checkCounts(t, rep, 0, 0, 0, 1)
		if !strings.Contains(rep.Rows[0].Reason, "jabatan fungsional") {
			t.Errorf("reason = %q", rep.Rows[0].Reason)
		}
	})
}

func TestXLSX(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		mustOPDs(t, db)
		f := excelize.NewFile()
		defer f.Close()
		sh := "Data Pegawai"
		if err := f.SetSheetName("Sheet1", sh); err != nil {
			t.Fatal(err)
		}
		put := func(row int, vals ...any) {
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := f.SetSheetRow(sh, cell, &vals); err != nil {
				t.Fatal(err)
			}
		}
		put(1, "NIP", "Nama", "Status", "Kode_OPD", "Jenis_Jabatan", "JF", "TK_Pendidikan", "Eselon")
		put(2, nipPNS1, "Andi Wijaya", "PNS", "DISKOMINFO", "struktural", "", 40, "IV A")
		// Row 3 is left empty; it is skipped and line numbers keep counting.
		put(4, nipPPPK1, "Budi Santoso", "PPPK", "DINKES", "fungsional", "Pranata Komputer", 5, "")
		put(5, "1.96608011988031E+17", "Excel Angka", "PNS", "DINKES", "pelaksana", "", "", "")
		// A second sheet is ignored.
		if _, err := f.NewSheet("Lain"); err != nil {
			t.Fatal(err)
		}
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		rep := mustImport(t, db, buf.Bytes(), Options{})
		checkCounts(t, rep, 2, 0, 0, 1)
		if rep.Format != FormatXLSX || rep.Committed {
			t.Errorf("Format = %q, Committed = %v", rep.Format, rep.Committed)
		}
		if l := []int{rep.Rows[0].Line, rep.Rows[1].Line, rep.Rows[2].Line}; l[0] != 2 || l[1] != 4 || l[2] != 5 {
			t.Errorf("lines = %v, want [2 4 5]", l)
		}
		if !strings.Contains(rep.Rows[2].Reason, "kolom NIP sebagai Teks") {
			t.Errorf("reason = %q", rep.Rows[2].Reason)
		}

		// Without the bad row it commits.
		if err := f.RemoveRow(sh, 5); err != nil {
			t.Fatal(err)
		}
		buf, err = f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		rep = mustImport(t, db, buf.Bytes(), Options{})
		checkCounts(t, rep, 2, 0, 0, 0)
		if !rep.Committed {
			t.Fatal("not committed")
		}
		if e := employee(t, db, nipPNS1); e.Eselon != "IV.a" || e.EducationLevel != "40" {
			t.Errorf("employee 1 = %+v", strip(e))
		}
		if e := employee(t, db, nipPPPK1); e.EducationLevel != "05" || e.JFName != "Pranata Komputer" {
			t.Errorf("employee 2 = %+v", strip(e))
		}
	})
}

func TestEncodingsAndDelimiters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		mustOPDs(t, db)
		// Excel with Indonesian regional settings: semicolons, a UTF-8 BOM, CRLF, a comma
		// inside an unquoted field.
		semi := "\ufeffNIP;Nama;Gelar_Belakang;Status;Kode_OPD;Jenis_Jabatan\r\n" +
			nipPNS1 + ";André Wijaya;S.Kom., M.T.;PNS;DISKOMINFO;pelaksana\r\n" +
			";;;;;\r\n" + // an empty row as Excel writes it
			"\r\n"
		rep := mustImport(t, db, []byte(semi), Options{})
		checkCounts(t, rep, 1, 0, 0, 0)
		if e := employee(t, db, nipPNS1); e.Name != "André Wijaya" || e.BackTitle != "S.Kom., M.T." {
			t.Errorf("semicolon/BOM employee = %+v", strip(e))
		}

		// Windows-1252 (Excel "CSV (*.csv)" on Windows), semicolons.
		cp, err := charmap.Windows1252.NewEncoder().String("nip;nama;status;kode_opd;jenis_jabatan\r\n" +
			nipPNS2 + ";Désirée Kartika;PNS;DINKES;pelaksana\r\n")
		if err != nil {
			t.Fatal(err)
		}
		rep = mustImport(t, db, []byte(cp), Options{})
		checkCounts(t, rep, 1, 0, 0, 0)
		if e := employee(t, db, nipPNS2); e.Name != "Désirée Kartika" {
			t.Errorf("windows-1252 name = %q", e.Name)
		}

		// UTF-16 tab-separated (Excel "Unicode Text").
		u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(
			"nip\tnama\tstatus\tkode_opd\tjenis_jabatan\r\n" + nipPPPK1 + "\tBudi Santoso\tPPPK\tDINKES\tpelaksana\r\n")
		if err != nil {
			t.Fatal(err)
		}
		rep = mustImport(t, db, []byte(u16), Options{})
		checkCounts(t, rep, 1, 0, 0, 0)

		// The same file from testdata.
		data, err := os.ReadFile(filepath.Join("testdata", "excel-id-semicolon.csv"))
		if err != nil {
			t.Fatal(err)
		}
		rep = mustImport(t, db, data, Options{})
		checkCounts(t, rep, 1, 0, 1, 0)
	})
}

func TestRowRejections(t *testing.T) {
	good := func() []string { return append([]string(nil), validRows()[0]...) }
	with := func(col int, v string) []string { r := good(); r[col] = v; return r }
	nipMsg := func(s string) string {
		_, err := nip.ParseAt(s, time.Now())
		var ne *nip.Error
		if !errors.As(err, &ne) {
			t.Fatalf("%s: want a nip.Error, got %v", s, err)
		}
		return ne.Message
	}
	cases := []struct {
		name   string
		row    []string
		reason string
	}{
		{"nip empty", with(0, ""), nipMsg("")},
		{"nip letters", with(0, "19660801198803100A"), nipMsg("19660801198803100A")},
		{"nip length", with(0, "19660801198803100"), nipMsg("19660801198803100")},
		{"nip birth date", with(0, "196613011988031001"), nipMsg("196613011988031001")},
		{"nip appointment month", with(0, "196608011988131001"), nipMsg("196608011988131001")},
		{"nip appointment future", with(0, "199001012099011001"), nipMsg("199001012099011001")},
		{"nip appointment too early", with(0, "196608011975011001"), nipMsg("196608011975011001")},
		{"nip sex", with(0, "196608011988033001"), nipMsg("196608011988033001")},
		{"nip sequence", with(0, "196608011988031000"), "digit terakhirnya berubah menjadi 000"},
		{"nip scientific", with(0, "1.96608E+17"), "kolom NIP sebagai Teks"},
		{"status pns with pppk number", append(with(0, nipPPPK1)[:4:4], "PNS", "DISKOMINFO", "", "pelaksana", "", "", ""), "adalah NI PPPK"},
		{"status pppk with pns number", with(4, "PPPK"), "adalah NIP PNS"},
		{"status unknown", with(4, "CPNS"), `Status "CPNS" tidak dikenal`},
		{"status empty", with(4, ""), "Status wajib diisi"},
		{"unknown opd", with(5, "TIDAKADA"), `Kode OPD "TIDAKADA" tidak terdaftar`},
		{"inactive opd", with(5, "LAMA"), "sudah tidak aktif"},
		{"opd empty", with(5, ""), "Kode OPD wajib diisi"},
		{"bad jenis jabatan", with(7, "JFT"), `Jenis jabatan "JFT" tidak dikenal`},
		{"missing jf", with(7, "fungsional"), "wajib diisi untuk jenis jabatan fungsional"},
		{"bad eselon", with(8, "VI.z"), `Eselon "VI.z" tidak dikenal`},
		{"bad tk_pendidikan", with(10, "99"), `Kode tingkat pendidikan "99" tidak dikenal`},
		{"tk_pendidikan not a code", with(10, "SMA"), `Kode tingkat pendidikan "SMA" tidak dikenal`},
		{"name empty", with(1, "  "), "Nama wajib diisi"},
		{"name too long", with(1, strings.Repeat("a", 201)), "terlalu panjang (201 karakter; paling banyak 200)"},
		{"control character", with(1, "Andi\nWijaya"), "karakter kontrol"},
		{"extra cell", append(good(), "lebih"), "di luar kolom header"},
	}
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		mustOPDs(t, db)
		for _, tc := range cases {
			t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
				other := validRows()[1]
				data := csvText(t, ',', withHeader(fullHeader, other, tc.row)...)
				rep := mustImport(t, db, data, Options{})
				checkCounts(t, rep, 1, 0, 0, 1)
				if rep.Committed {
					t.Error("Committed = true with a rejected row")
				}
				if rep.Rows[0].Action != ActionCreated {
					t.Errorf("valid row action = %s, want created (what it would do)", rep.Rows[0].Action)
				}
				bad := rep.Rows[1]
				if bad.Action != ActionRejected || bad.Line != 3 || !strings.Contains(bad.Reason, tc.reason) {
					t.Errorf("rejected row = %+v\nwant reason containing %q", bad, tc.reason)
				}
				if n := count(t, db, "employees"); n != 0 {
					t.Errorf("employees = %d, want 0", n)
				}
				if n := count(t, db, "import_runs"); n != 0 {
					t.Errorf("import_runs = %d, want 0", n)
				}
				if n := count(t, db, "audit_log"); n != 0 {
					t.Errorf("audit_log = %d, want 0", n)
				}
			})
		}

		t.Run("duplicate_nip", func(t *testing.T) {
			rows := validRows()
			dup := append([]string(nil), rows[0]...)
			dup[1] = "Andi Lain"
			data := csvText(t, ',', withHeader(fullHeader, rows[0], rows[1], dup)...)
			rep := mustImport(t, db, data, Options{})
			checkCounts(t, rep, 1, 0, 0, 2)
			if r := rep.Rows[0]; r.Action != ActionRejected || r.Reason != "NIP "+nipPNS1+" muncul lebih dari sekali (baris 4)." {
				t.Errorf("first = %+v", r)
			}
			if r := rep.Rows[2]; r.Action != ActionRejected || r.Reason != "NIP "+nipPNS1+" muncul lebih dari sekali (baris 2)." {
				t.Errorf("second = %+v", r)
			}
			if n := count(t, db, "employees"); n != 0 {
				t.Errorf("employees = %d, want 0", n)
			}
		})

		t.Run("several_reasons_and_multiline_cell", func(t *testing.T) {
			// A quoted cell with a line break spans lines 3–4; the next record is line 5.
			data := csvText(t, ',', withHeader(fullHeader,
				validRows()[0],
				[]string{"123", "Baris\nDua", "", "", "X", "TIDAKADA", "", "JFT", "", "", "77"},
				validRows()[1],
			)...)
			rep := mustImport(t, db, data, Options{})
			checkCounts(t, rep, 2, 0, 0, 1)
			bad := rep.Rows[1]
			for _, want := range []string{"NIP harus 18 digit", "karakter kontrol", `Status "X"`, `"TIDAKADA"`, `"JFT"`, `"77"`} {
				if !strings.Contains(bad.Reason, want) {
					t.Errorf("reason %q lacks %q", bad.Reason, want)
				}
			}
			if bad.Line != 3 || rep.Rows[2].Line != 5 {
				t.Errorf("lines = %d, %d; want 3, 5", bad.Line, rep.Rows[2].Line)
			}
		})
	})
}

func TestFileErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), garbage[:200]...)
	header := strings.Join(fullHeader, ",")
	row := strings.Join(validRows()[0][:4], ",") + `,PNS,DISKOMINFO,,pelaksana,,,`
	cases := []struct {
		name string
		data []byte
		max  int64
		code apperr.Code
		msg  string
	}{
		{"empty", nil, 0, apperr.CodeInvalid, "Berkas kosong"},
		{"bom only", []byte("\ufeff \r\n"), 0, apperr.CodeInvalid, "Berkas kosong"},
		{"random bytes", garbage, 0, apperr.CodeInvalid, "bukan CSV atau XLSX"},
		{"png", png, 0, apperr.CodeInvalid, "bukan CSV atau XLSX"},
		{"old xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), 0, apperr.CodeInvalid, "XLS lama"},
		{"broken zip", []byte("PK\x03\x04this is not a workbook"), 0, apperr.CodeInvalid, "XLSX rusak"},
		{"no header", []byte(strings.Join(validRows()[0], ",") + "\n"), 0, apperr.CodeInvalid, "Baris pertama berkas harus berupa header"},
		{"header only", []byte(header + "\n"), 0, apperr.CodeInvalid, "hanya berisi header"},
		{"missing required column", []byte("nip,nama,status,jenis_jabatan\n" + nipPNS1 + ",A,PNS,pelaksana\n"), 0, apperr.CodeInvalid, "Kolom wajib tidak ada: kode_opd."},
		{"unknown column", []byte(header + ",golongan,Catatan\n" + row + ",III/a,x\n"), 0, apperr.CodeInvalid, `Kolom tidak dikenal: "golongan", "Catatan"`},
		{"duplicate column", []byte(header + ",NIP\n" + row + ",1\n"), 0, apperr.CodeInvalid, `Kolom "nip" muncul lebih dari sekali`},
		{"unnamed column", []byte("nip,,nama,status,kode_opd,jenis_jabatan\n"), 0, apperr.CodeInvalid, "Kolom ke-2 pada header tidak bernama"},
		{"too large", []byte(header + "\n" + row + "\n"), 100, apperr.CodeTooLarge, "Berkas terlalu besar: batasnya 100 byte"},
	}
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		mustOPDs(t, db)
		for _, tc := range cases {
			t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
				rep, err := ImportEmployees(context.Background(), db, domain.System, "x", bytes.NewReader(tc.data), Options{MaxBytes: tc.max})
				if rep != nil {
					t.Errorf("report = %+v, want nil", rep)
				}
				var ae *apperr.Error
				if !errors.As(err, &ae) || ae.Code != tc.code || !strings.Contains(ae.Message, tc.msg) {
					t.Fatalf("err = %v, want %s containing %q", err, tc.code, tc.msg)
				}
				if n := count(t, db, "employees") + count(t, db, "import_runs") + count(t, db, "audit_log"); n != 0 {
					t.Errorf("%d rows written", n)
				}
			})
		}
	})
}

func TestForbidden(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		mustOPDs(t, db)
		data := csvText(t, ',', withHeader(fullHeader, validRows()...)...)
		for _, a := range []domain.Actor{
			{},
			{UserID: 7, Username: "v", Role: domain.RoleVerifikator},
			{UserID: 8, Username: "p", Role: domain.RolePenandatangan},
			{UserID: 9, Username: "o", Role: domain.RoleOPD, OPDID: 1},
			{UserID: 10, Username: "e", Role: domain.RolePegawai, NIP: nipPNS1},
		} {
			_, err := ImportEmployees(context.Background(), db, a, "x.csv", bytes.NewReader(data), Options{})
			if apperr.CodeOf(err) != apperr.CodeForbidden {
				t.Errorf("role %q: err = %v, want forbidden", a.Role, err)
			}
		}
		if n := count(t, db, "employees"); n != 0 {
			t.Errorf("employees = %d, want 0", n)
		}
	})
}

func TestDryRun(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		mustOPDs(t, db)
		rows := validRows()
		mustImport(t, db, csvText(t, ',', withHeader(fullHeader, rows[0])...), Options{})
		rows[0][1] = "Nama Baru"
		rep := mustImport(t, db, csvText(t, ',', withHeader(fullHeader, rows...)...), Options{DryRun: true})
		checkCounts(t, rep, 2, 1, 0, 0)
		if rep.Committed || !rep.DryRun {
			t.Errorf("Committed = %v, DryRun = %v", rep.Committed, rep.DryRun)
		}
		if n := count(t, db, "employees"); n != 1 {
			t.Errorf("employees = %d, want 1", n)
		}
		if e := employee(t, db, nipPNS1); e.Name != "Andi Wijaya" {
			t.Errorf("name = %q, dry run changed it", e.Name)
		}
		if n := count(t, db, "import_runs"); n != 1 {
			t.Errorf("import_runs = %d, want 1 (the first, real import)", n)
		}
		var buf bytes.Buffer
		rep.WriteText(&buf)
		if !strings.Contains(buf.String(), "uji coba") {
			t.Errorf("text = %q", buf.String())
		}
	})
}

// manyRows returns n (≤ 999,999) valid rows with distinct NIPs, alternating OPDs.
func manyRows(n int, position string) [][]string {
	base := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([][]string, n)
	for i := range out {
		birth := base.AddDate(0, 0, i%10000).Format("20060102")
		nipStr := fmt.Sprintf("%s%s%d%03d", birth, "202001", 1+i%2, 1+i/10000)
		opd := "DISKOMINFO"
		if i%3 == 0 {
			opd = "DINKES"
		}
		out[i] = []string{nipStr, fmt.Sprintf("Pegawai %05d", i), "", "S.E.", "PNS", opd, position, "pelaksana", "", "", "40"}
	}
	return out
}

func TestManyRows(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		mustOPDs(t, db)
		const n = 2000
		var calls []int
		opt := Options{Progress: func(done, total int) {
			if total != n {
				t.Errorf("progress total = %d, want %d", total, n)
			}
			if len(calls) > 0 && done < calls[len(calls)-1] {
				t.Errorf("progress went back: %d after %d", done, calls[len(calls)-1])
			}
			calls = append(calls, done)
		}}
		rep := mustImport(t, db, csvText(t, ',', withHeader(fullHeader, manyRows(n, "Analis")...)...), opt)
		checkCounts(t, rep, n, 0, 0, 0)
		if !rep.Committed || count(t, db, "employees") != n {
			t.Fatalf("Committed = %v, employees = %d", rep.Committed, count(t, db, "employees"))
		}
		if len(calls) < 4 || calls[len(calls)-1] != n {
			t.Errorf("progress calls = %v", calls)
		}

		rows := manyRows(n, "Pengolah Data")
		rows[10][1] = "Nama Diganti"
		rep = mustImport(t, db, csvText(t, ',', withHeader(fullHeader, rows...)...), Options{})
		checkCounts(t, rep, 0, n, 0, 0)
		if e := employee(t, db, rows[10][0]); e.Name != "Nama Diganti" || e.Position != "Pengolah Data" {
			t.Errorf("employee 10 = %+v", strip(e))
		}
		var stale int64
		if err := db.Gorm.Model(&domain.Employee{}).Where("position <> ?", "Pengolah Data").Count(&stale).Error; err != nil || stale != 0 {
			t.Errorf("rows not updated: %d, %v", stale, err)
		}

		rep = mustImport(t, db, csvText(t, ',', withHeader(fullHeader, rows...)...), Options{})
		checkCounts(t, rep, 0, 0, n, 0)
	})
}

func TestAbortLeavesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		mustOPDs(t, db)
		mustImport(t, db, csvText(t, ',', withHeader(fullHeader, manyRows(10, "Lama")...)...), Options{})
		data := csvText(t, ',', withHeader(fullHeader, manyRows(1200, "Baru")...)...)
		check := func(t *testing.T) {
			t.Helper()
			if n := count(t, db, "employees"); n != 10 {
				t.Errorf("employees = %d, want 10", n)
			}
			var changed int64
			db.Gorm.Model(&domain.Employee{}).Where("position = ?", "Baru").Count(&changed)
			if changed != 0 {
				t.Errorf("%d employees updated", changed)
			}
			if n := count(t, db, "import_runs"); n != 1 {
				t.Errorf("import_runs = %d, want 1", n)
			}
		}

		t.Run("cancelled", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opt := Options{Progress: func(done, total int) {
				if done >= 500 { // after the first written batch
					cancel()
				}
			}}
			rep, err := ImportEmployees(ctx, db, domain.System, "x.csv", bytes.NewReader(data), opt)
			if !errors.Is(err, context.Canceled) || rep != nil {
				t.Fatalf("err = %v, report = %v; want context.Canceled and no report", err, rep)
			}
			check(t)
		})

		t.Run("failure", func(t *testing.T) {
			boom := errors.New("boom")
			opt := Options{failAfterWrite: func() error { return boom }}
			rep, err := ImportEmployees(context.Background(), db, domain.System, "x.csv", bytes.NewReader(data), opt)
			if apperr.CodeOf(err) != apperr.CodeInternal || !errors.Is(err, boom) || rep != nil {
				t.Fatalf("err = %v, report = %v; want internal wrapping boom", err, rep)
			}
			check(t)
		})
	})
}

func TestTemplates(t *testing.T) {
	csvT := EmployeeTemplateCSV()
	if !bytes.HasPrefix(csvT, bomUTF8) || !strings.Contains(string(csvT), strings.Join(fullHeader, ",")+"\r\n") {
		t.Errorf("CSV template = %q", csvT)
	}
	xlsx, err := EmployeeTemplateXLSX()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != TemplateDataSheet || got[1] != TemplateHelpSheet {
		t.Errorf("sheets = %v", got)
	}
	help, err := f.GetRows(TemplateHelpSheet)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, r := range help {
		all.WriteString(strings.Join(r, "|") + "\n")
	}
	for _, want := range []string{"tk_pendidikan", "49||Subspesialis", "05||SD", "struktural, fungsional atau pelaksana", "PNS atau PPPK", "IV.a"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("Petunjuk lacks %q:\n%s", want, all.String())
		}
	}

	testdb.Each(t, func(t *testing.T, db *database.DB) {
		mustOPDs(t, db)
		rep := mustImport(t, db, csvT, Options{DryRun: true})
		checkCounts(t, rep, 1, 0, 0, 0)
		rep = mustImport(t, db, xlsx, Options{})
		checkCounts(t, rep, 1, 0, 0, 0)
		if e := employee(t, db, nipPNS1); e.FullName() != "Dr. Andi Wijaya, S.Kom., M.T." || e.EducationLevel != "45" || e.Eselon != "III.b" {
			t.Errorf("template employee = %+v", strip(e))
		}
	})
}

func TestWriteText(t *testing.T) {
	rep := &Report{FileName: "pegawai.csv", Format: FormatCSV, Created: 1, Rejected: 1, Rows: []RowResult{
		{Line: 2, Action: ActionCreated, NIP: nipPNS1, Name: "Andi"},
		{Line: 3, Action: ActionRejected, NIP: "123", Name: "Budi", Reason: "NIP harus 18 digit, bukan 3 digit."},
	}}
	var buf bytes.Buffer
	rep.WriteText(&buf)
	out := buf.String()
	for _, want := range []string{"pegawai.csv (CSV, 2 baris data)", "dibuat:        1", "ditolak:       1", "TIDAK ADA yang disimpan", "akan terjadi", "baris 3 (123 Budi): NIP harus 18 digit"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	rep.Committed, rep.Rejected, rep.Rows = true, 0, rep.Rows[:1]
	buf.Reset()
	rep.WriteText(&buf)
	if out := buf.String(); !strings.Contains(out, "perubahan telah disimpan") || strings.Contains(out, "akan terjadi") {
		t.Errorf("committed text:\n%s", out)
	}
}

func TestDetectDelimiter(t *testing.T) {
	for in, want := range map[string]rune{
		"nip,nama,status":          ',',
		"nip;nama;status":          ';',
		"nip\tnama\tstatus":        '\t',
		`"a;b",nama,status`:        ',',
		"\n\n nip;nama,status;x\n": ';',
		"nip":                      ',',
	} {
		if got := detectDelimiter([]byte(in)); got != want {
			t.Errorf("detectDelimiter(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkImport2000(b *testing.B) {
	data := csvText(b, ',', withHeader(fullHeader, manyRows(2000, "Analis")...)...)
	for b.Loop() {
		b.StopTimer()
		db := testdb.New(b, database.SQLite)
		mustOPDs(b, db)
		b.StartTimer()
		mustImport(b, db, data, Options{})
	}
}
