package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

// importTestDataDir returns a migrated SQLite data directory with one active OPD, "DINKES".
func importTestDataDir(t *testing.T) string {
	t.Helper()
	dir, _, _ := importTestDB(t, database.SQLite)
	return dir
}

// cliRunner returns a runner of the CLI (in process) against the data directory and,
// unless it is "", the database URL: it fails the test unless the exit status is wantCode
// and returns standard output and error.
func cliRunner(t *testing.T, dir, dbURL string) func(wantCode int, args ...string) (string, string) {
	return func(wantCode int, args ...string) (string, string) {
		t.Helper()
		args = append(args, "--data-dir", dir)
		if dbURL != "" {
			args = append(args, "--database-url", dbURL)
		}
		code, out, errOut := importTestRun(t, "", args...)
		if code != wantCode {
			t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, wantCode, out, errOut)
		}
		return out, errOut
	}
}

// importTestDB returns a data directory and a migrated database of the dialect (SQLite in
// that directory, or a fresh PostgreSQL database) with one active OPD, "DINKES", and the
// open database, closed at the end of the test.
func importTestDB(t *testing.T, dialect string) (dir, dbURL string, db *database.DB) {
	t.Helper()
	dir = t.TempDir()
	dbURL = database.SQLiteURL(dir)
	if dialect == database.Postgres {
		dbURL = testdb.URL(t, dialect)
	}
	ctx := context.Background()
	db, err := database.Open(ctx, dbURL, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := db.Now()
	if err := db.Gorm.Create(&domain.OPD{Code: "DINKES", Name: "Dinas Kesehatan", Active: true, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
		t.Fatal(err)
	}
	return dir, dbURL, db
}

// importTestEmployees counts the employees in the data directory's database.
func importTestEmployees(t *testing.T, dir string) int64 {
	t.Helper()
	db, err := database.Open(context.Background(), database.SQLiteURL(dir), database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.Gorm.Model(&domain.Employee{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// importTestRun runs the command line and returns the exit status and both outputs.
func importTestRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), args, e)
	return code, out.String(), errb.String()
}

func writeImportFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const importTestGood = "nip;nama;status;kode_opd;jenis_jabatan;tk_pendidikan\n" +
	"196608011988031001;Andi Wijaya;PNS;DINKES;pelaksana;40\n" +
	"200012312024211001;Budi Santoso;PPPK;DINKES;pelaksana;15\n"

func TestImportEmployeesCommand(t *testing.T) {
	dir := importTestDataDir(t)
	file := writeImportFile(t, t.TempDir(), "pegawai.csv", importTestGood)

	code, out, errOut := importTestRun(t, "", "import", "employees", "--data-dir", dir, "--dry-run", file)
	if code != 0 || !strings.Contains(out, "uji coba") || importTestEmployees(t, dir) != 0 {
		t.Fatalf("dry run: exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}

	code, out, errOut = importTestRun(t, "", "import", "employees", "--data-dir", dir, file)
	if code != 0 {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"pegawai.csv (CSV, 2 baris data)", "dibuat:", "2", "perubahan telah disimpan"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "processing rows: 2/2") {
		t.Errorf("stderr lacks progress: %q", errOut)
	}
	if n := importTestEmployees(t, dir); n != 2 {
		t.Errorf("employees = %d, want 2", n)
	}

	// Again from standard input, flags after the file: all unchanged.
	code, out, _ = importTestRun(t, importTestGood, "import", "employees", "-", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "stdin") || !strings.Contains(out, "tidak berubah: 2") {
		t.Errorf("stdin re-import: exit %d, stdout:\n%s", code, out)
	}
}

func TestImportEmployeesCommandRejects(t *testing.T) {
	dir := importTestDataDir(t)
	bad := importTestGood + "196608011988033001;Salah Kelamin;PNS;DINKES;pelaksana;40\n"
	file := writeImportFile(t, t.TempDir(), "salah.csv", bad)
	code, out, errOut := importTestRun(t, "", "import", "employees", "--data-dir", dir, file)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "baris 4 (196608011988033001 Salah Kelamin): Digit ke-15 NIP") ||
		!strings.Contains(out, "TIDAK ADA yang disimpan") {
		t.Errorf("report:\n%s", out)
	}
	if !strings.Contains(errOut, "1 row(s) rejected; nothing was imported") {
		t.Errorf("stderr: %q", errOut)
	}
	if n := importTestEmployees(t, dir); n != 0 {
		t.Errorf("employees = %d, want 0", n)
	}

	// A file that is not a spreadsheet: exit 1 with the Indonesian message, nothing written.
	garbage := writeImportFile(t, t.TempDir(), "x.bin", "\x00\x01\x02binary\x00")
	code, _, errOut = importTestRun(t, "", "import", "employees", "--data-dir", dir, garbage)
	if code != 1 || !strings.Contains(errOut, "bukan CSV atau XLSX") {
		t.Errorf("garbage: exit %d, stderr %q", code, errOut)
	}
	if n := importTestEmployees(t, dir); n != 0 {
		t.Errorf("employees = %d, want 0", n)
	}
}

func TestImportCommandUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"import"}, 2, ""},
		{[]string{"import", "people"}, 2, ""},
		{[]string{"import", "employees", "--data-dir", dir}, 2, ""},
		{[]string{"import", "employees", "--data-dir", dir, "a.csv", "b.csv"}, 2, ""},
		{[]string{"import", "employees", "--data-dir", dir, filepath.Join(dir, "missing.csv")}, 1, ""},
		{[]string{"import", "--help"}, 0, "sertika import employees"},
		{[]string{"help", "import"}, 0, "sertika import template"},
		{[]string{"import", "employees", "--help"}, 0, "-dry-run"},
		{[]string{"import", "template", "extra"}, 2, ""},
	} {
		code, out, errOut := importTestRun(t, "", tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("%v: exit %d, want %d; stdout %q; stderr %q", tc.args, code, tc.code, out, errOut)
		}
	}
}

func TestImportTemplateCommand(t *testing.T) {
	code, out, _ := importTestRun(t, "", "import", "template")
	if code != 0 || !strings.Contains(out, "nip,nama,gelar_depan,gelar_belakang,status,kode_opd,jabatan,jenis_jabatan,eselon,jf,tk_pendidikan") {
		t.Errorf("CSV template: exit %d, %q", code, out)
	}
	dir := t.TempDir()
	for _, args := range [][]string{
		{"import", "template", "--xlsx", "-o", filepath.Join(dir, "a.bin")},
		{"import", "template", "-o", filepath.Join(dir, "b.xlsx")},
	} {
		code, _, errOut := importTestRun(t, "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
		data, err := os.ReadFile(args[len(args)-1])
		if err != nil || !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			t.Errorf("%v: not an XLSX file (%v)", args, err)
		}
	}

	// The template imports as is once its example OPD exists.
	dataDir := importTestDataDir(t)
	db, err := database.Open(context.Background(), database.SQLiteURL(dataDir), database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := db.Now()
	err = db.Gorm.Create(&domain.OPD{Code: "DISKOMINFO", Name: "Diskominfo", Active: true, CreatedAt: now, UpdatedAt: now}).Error
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := importTestRun(t, "", "import", "employees", "--data-dir", dataDir, filepath.Join(dir, "b.xlsx"))
	if code != 0 || !strings.Contains(out, "(XLSX, 1 baris data)") {
		t.Errorf("template import: exit %d\n%s\n%s", code, out, errOut)
	}
}
