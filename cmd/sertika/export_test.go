package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/filestore"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/issuer"
)

// exportClock is a settable clock for the export fixture.
type exportClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *exportClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *exportClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// exportTestDataDir returns a SQLite data directory in which two certificates were issued
// through the real workflow (for nips[0] and nips[1] of DINKES, a technical training of
// 10–12 March 2026) and returns the certificates.
func exportTestDataDir(t *testing.T) (string, []issuer.Certificate) {
	t.Helper()
	dir := importTestDataDir(t)
	ctx := context.Background()
	clk := &exportClock{t: time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)}
	db, err := database.Open(ctx, database.SQLiteURL(dir), database.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	now := db.Now()
	var opd domain.OPD
	must(db.Gorm.Where("code = ?", "DINKES").Take(&opd).Error)
	must(db.Gorm.Create(&[]domain.Employee{
		{NIP: "196608011988031001", Name: "Andi Wijaya", FrontTitle: "Dr.", Status: "PNS", OPDID: opd.ID, PositionKind: "pelaksana", Active: true},
		{NIP: "197001012000012002", Name: "Siti Rahmawati", Status: "PNS", OPDID: opd.ID, PositionKind: "pelaksana", Active: true},
	}).Error)
	mk := func(name string, role domain.Role, opdID *int64) domain.Actor {
		u := domain.User{Username: name, PasswordHash: "x", Role: role, OPDID: opdID, Active: true, PasswordChangedAt: now}
		must(db.Gorm.Create(&u).Error)
		return u.Actor()
	}
	opdUser, rev, signer := mk("opd.dinkes", domain.RoleOPD, &opd.ID), mk("verifikator", domain.RoleVerifikator, nil), mk("kepala", domain.RolePenandatangan, nil)
	must(db.Gorm.Exec(`INSERT INTO agency (id, name, bkpsdm_name, city, head_name, head_nip, head_title, head_rank, issuer_code, updated_at)
		VALUES (1, 'Pemerintah Kota Uji', 'BKPSDM Kota Uji', 'Uji', 'Kepala Uji', '196608011988031001', 'Kepala BKPSDM', 'Pembina (IV/a)', 'UJI', ?)`, now).Error)
	ks := keys.NewStore(db, filepath.Join(dir, "keys"), keys.Options{})
	_, err = ks.Generate(ctx, false, issuer.KeyEventLogger(db, domain.System))
	must(err)
	files, err := filestore.New(filepath.Join(dir, "uploads"))
	must(err)
	svc := issuer.New(db, files, issuer.Options{MaxAttachmentBytes: 1 << 20})
	d, err := svc.Create(ctx, opdUser, issuer.RequestInput{Title: "Pelatihan Teknis Pelayanan Publik", Kind: "teknis", Organizer: "bkpsdm",
		Place: "Aula", StartDate: domain.NewDate(2026, 3, 10), EndDate: domain.NewDate(2026, 3, 12), JP: 24,
		Participants: []string{"196608011988031001", "197001012000012002"}})
	must(err)
	_, err = svc.Submit(ctx, opdUser, d.Request.ID, "")
	must(err)
	_, err = svc.Approve(ctx, rev, d.Request.ID, "")
	must(err)
	clk.set(time.Date(2026, 3, 16, 3, 0, 0, 0, time.UTC))
	_, err = svc.SubmitReport(ctx, opdUser, d.Request.ID, issuer.ReportInput{Participants: []issuer.ReportRow{
		{NIP: "196608011988031001", Attended: true, Passed: true}, {NIP: "197001012000012002", Attended: true, Passed: true}}})
	must(err)
	_, err = svc.VerifyReport(ctx, rev, d.Request.ID, "")
	must(err)
	iss := issuer.NewIssuance(db, ks, issuer.IssuanceOptions{PublicURL: "http://sertika.test"})
	b, err := iss.Issue(ctx, signer, d.Request.ID)
	must(err)
	return dir, b.Certificates
}

func TestExportSIASNCommand(t *testing.T) {
	dir, certs := exportTestDataDir(t)
	if len(certs) != 2 {
		t.Fatalf("%d certificates issued", len(certs))
	}

	// CSV to standard output.
	code, out, errOut := importTestRun(t, "", "export", "siasn", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("export: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.HasPrefix(out, "\ufeffnip,nama,jenis_diklat,nama_jenis_diklat,tingkat,nama_kursus,jumlah_jam,tanggal_mulai,tanggal_selesai,tahun,institusi_penyelenggara,nomor_sertifikat,status\r\n") {
		t.Errorf("CSV header: %q", out[:min(len(out), 200)])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("CSV: %v, %d records", err, len(recs))
	}
	want := strings.Join([]string{"196608011988031001", "Dr. Andi Wijaya", "3", "Pelatihan Teknis", "", "Pelatihan Teknis Pelayanan Publik",
		"24", "10-03-2026", "12-03-2026", "2026", "BKPSDM", certs[0].Number, "berlaku"}, "|")
	if got := strings.Join(recs[1], "|"); got != want {
		t.Errorf("row 1 = %s\nwant    %s", got, want)
	}
	if !strings.Contains(errOut, "writing certificates: 2/2 (100%)") || !strings.Contains(errOut, "2 certificate(s) exported") {
		t.Errorf("stderr: %q", errOut)
	}

	// XLSX to a file (format from the name), and filters.
	file := filepath.Join(t.TempDir(), "siasn.xlsx")
	code, _, errOut = importTestRun(t, "", "export", "siasn", "--year", "2026", "--opd", "DINKES", "-o", file, "--data-dir", dir)
	if code != 0 || !strings.Contains(errOut, "wrote 2 certificate(s) to "+file) {
		t.Fatalf("export xlsx: exit %d\n%s", code, errOut)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(issuer.SIASNSheet)
	if err != nil || len(rows) != 3 || rows[2][0] != "197001012000012002" || rows[2][11] != certs[1].Number {
		t.Errorf("XLSX rows %q (%v)", rows, err)
	}
	code, out, _ = importTestRun(t, "", "export", "siasn", "--year", "2025", "--data-dir", dir)
	if recs, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll(); code != 0 || len(recs) != 1 {
		t.Errorf("--year 2025: exit %d, %q", code, out)
	}
	code, out, _ = importTestRun(t, "", "export", "siasn", "--opd", "DISDIK", "--format", "csv", "--data-dir", dir)
	if recs, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll(); code != 0 || len(recs) != 1 {
		t.Errorf("--opd DISDIK: exit %d, %q", code, out)
	}
}

func TestExportCommandUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"export"}, 2, "want a subcommand"},
		{[]string{"export", "gaji"}, 2, "unknown subcommand"},
		{[]string{"export", "siasn", "--format", "pdf"}, 2, "--format must be csv or xlsx"},
		{[]string{"export", "siasn", "--year", "26"}, 2, "four-digit year"},
		{[]string{"export", "siasn", "extra"}, 2, "unexpected argument"},
	} {
		code, out, errOut := importTestRun(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errOut+out, tc.msg) {
			t.Errorf("%v: exit %d, want %d; stdout %q; stderr %q", tc.args, code, tc.code, out, errOut)
		}
	}
	code, out, _ := importTestRun(t, "", "export", "siasn", "--help")
	if code != 0 || !strings.Contains(out, "nip, nama, jenis_diklat") {
		t.Errorf("help: exit %d %q", code, out)
	}
}
