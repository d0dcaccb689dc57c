package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/config"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/demo"
	"github.com/sertika/sertika/internal/domain"
)

// demoTestRun runs the command line with an empty environment and returns the exit status
// and both outputs.
func demoTestRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), args, e)
	return code, out.String(), errb.String()
}

func demoTestCounts(t *testing.T, dir string) (opds, employees, users int64) {
	t.Helper()
	db, err := database.Open(context.Background(), database.SQLiteURL(dir), database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct {
		model any
		n     *int64
	}{{&domain.OPD{}, &opds}, {&domain.Employee{}, &employees}, {&domain.User{}, &users}} {
		if err := db.Gorm.Model(c.model).Count(c.n).Error; err != nil {
			t.Fatal(err)
		}
	}
	return
}

func TestDemoCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := demoTestRun(t, "demo", "--employees", "200", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("sertika demo: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"200 employees", "25 OPDs", demo.DemoPassword, "admin", "verifikator", "kepala",
		"opd.disdik", "OPD " + demo.EducationOPDCode, "pegawai", "NIP "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "employees: 200/200") {
		t.Errorf("no progress on stderr:\n%s", errOut)
	}
	if !strings.Contains(out, "SKP results") || !strings.Contains(out, "waiting for review") {
		t.Errorf("output does not report the scoring facts:\n%s", out)
	}
	if o, e, u := demoTestCounts(t, dir); o != 25 || e != 200 || u != 5 {
		t.Errorf("OPDs, employees, users = %d, %d, %d; want 25, 200, 5", o, e, u)
	}
	// Scores for the previous and the current year (the dashboard's trend), from the facts.
	db, err := database.Open(context.Background(), database.SQLiteURL(dir), database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	year := db.Now().Year()
	var byYear []struct {
		Year, N int
		Kinerja float64
	}
	err = db.Gorm.Raw(`SELECT year, COUNT(*) AS n, AVG(kinerja) AS kinerja FROM scores GROUP BY year ORDER BY year`).Scan(&byYear).Error
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(byYear) != 2 || byYear[0].Year != year-1 || byYear[1].Year != year || byYear[0].N != 200 || byYear[1].N != 200 ||
		byYear[1].Kinerja < 15 {
		t.Errorf("scores by year = %+v; want 200 for each of %d and %d, with SKP behind kinerja", byYear, year-1, year)
	}
	if !strings.Contains(errOut, fmt.Sprintf("IP ASN %d computed", year-1)) || !strings.Contains(errOut, fmt.Sprintf("IP ASN %d computed", year)) {
		t.Errorf("stderr does not report both years' scores:\n%s", errOut)
	}

	// A second run refuses and changes nothing.
	code, out, errOut = demoTestRun(t, "demo", "--employees", "200", "--seed", "2", "--data-dir", dir)
	if code != 1 {
		t.Fatalf("second sertika demo: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "already holds data") || strings.Contains(errOut, "Seeding") {
		t.Errorf("stderr does not explain the refusal:\n%s", errOut)
	}
	if o, e, u := demoTestCounts(t, dir); o != 25 || e != 200 || u != 5 {
		t.Errorf("after the refusal: OPDs, employees, users = %d, %d, %d; want 25, 200, 5", o, e, u)
	}
}

func TestDemoCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"demo", "--employees", "10"},
		{"demo", "--employees", "1000000"},
		{"demo", "--seed", "0"},
		{"demo", "extra"},
	} {
		args = append(args, "--data-dir", t.TempDir())
		if code, _, errOut := demoTestRun(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", args, code, errOut)
		}
	}
	if code, out, _ := demoTestRun(t, "demo", "--help"); code != 0 || !strings.Contains(out, "--employees") {
		t.Errorf("demo --help: exit %d\n%s", code, out)
	}
}

// TestSeedDemoSkipsNonEmpty checks the serve --demo path: an empty database is seeded, a
// second time the seeding is skipped without failing the server start.
func TestSeedDemoSkipsNonEmpty(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := database.Open(ctx, database.SQLiteURL(dir), database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc, err := newServices(&config.Config{DataDir: dir}, db)
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &errb, getenv: func(string) string { return "" }}
	if err := seedDemo(ctx, e, svc); err != nil {
		t.Fatalf("seedDemo: %v", err)
	}
	first := errb.String()
	if !strings.Contains(first, "Demo data seeded") || !strings.Contains(first, demo.DemoPassword) || !strings.Contains(first, "opd.disdik") {
		t.Errorf("first seedDemo output:\n%s", first)
	}
	errb.Reset()
	if err := seedDemo(ctx, e, svc); err != nil {
		t.Fatalf("second seedDemo: %v; want nil (skip)", err)
	}
	if got := errb.String(); !strings.Contains(got, "Database already holds data: demo seeding skipped.") {
		t.Errorf("second seedDemo output:\n%s", got)
	}
	if _, emps, users := demoTestCounts(t, dir); emps != demo.DefaultEmployees || users != 5 {
		t.Errorf("employees, users = %d, %d", emps, users)
	}
}
