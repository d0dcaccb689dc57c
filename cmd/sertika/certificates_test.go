package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/issuer"
)

// certFixture is a data directory (and database) with a signing key, the agency, DISDIK,
// n employees and two verified requests whose activity ended ten days ago: ready (every
// participant attended and passed with 24 JP) and refused (the same employees, each with
// a JP of zero). The report of both was verified by kepala.dua, also a signer.
type certFixture struct {
	cli            *keysCLI
	ready, refused int64
	n              int
}

func newCertFixture(t *testing.T, dialect string, n int) *certFixture {
	t.Helper()
	c := newKeysCLI(t, dialect)
	c.mustRun("keys", "generate") // migrates, and gives issuance its key
	u := c.dbURL
	if u == "" {
		u = database.SQLiteURL(c.dir)
	}
	ctx := context.Background()
	db, err := database.Open(ctx, u, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g := db.Gorm
	now := db.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(g.Exec(`INSERT INTO agency (id, name, bkpsdm_name, city, head_name, head_nip, head_title, head_rank, issuer_code, updated_at)
		VALUES (1, 'Pemerintah Kota Tidore Kepulauan', 'BKPSDM Kota Tidore Kepulauan', 'Tidore', 'Drs. H. Abdullah Kasim, M.Si.',
		'196608011988031001', 'Kepala BKPSDM Kota Tidore Kepulauan', 'Pembina Utama Muda (IV/c)', 'TIDORE', ?)`, now).Error)
	opd := domain.OPD{Code: "DISDIK", Name: "Dinas Pendidikan", Active: true, CreatedAt: now, UpdatedAt: now}
	must(g.Create(&opd).Error)
	emps := make([]domain.Employee, n)
	for i := range emps {
		born := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)
		emps[i] = domain.Employee{NIP: born.Format("20060102") + "199501" + "1001", Name: fmt.Sprintf("Pegawai Uji %03d", i),
			Status: "PNS", OPDID: opd.ID, PositionKind: "pelaksana", Position: "Pengelola Data", Active: true, CreatedAt: now, UpdatedAt: now}
	}
	must(g.Create(&emps).Error)
	users := map[string]domain.User{}
	for _, x := range []struct {
		name   string
		role   domain.Role
		active bool
	}{{"kepala", domain.RolePenandatangan, true}, {"kepala.dua", domain.RolePenandatangan, true},
		{"kepala.lama", domain.RolePenandatangan, false}, {"verif", domain.RoleVerifikator, true}} {
		usr := domain.User{Username: x.name, DisplayName: x.name, PasswordHash: "x", Role: x.role, Active: x.active,
			PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
		must(g.Create(&usr).Error)
		users[x.name] = usr
	}
	today := domain.DateOf(now.In(wib))
	f := &certFixture{cli: c, n: n}
	for i, id := range []*int64{&f.ready, &f.refused} {
		verifier := users["kepala.dua"].ID
		num := fmt.Sprintf("800.1/%04d/BKPSDM/%d", i+1, today.Year())
		r := issuer.Request{OPDID: opd.ID, Title: "Pelatihan Literasi Digital ASN", Kind: "teknis", OrganizerType: "bkpsdm",
			StartDate: domain.Date{Time: today.AddDate(0, 0, -12)}, EndDate: domain.Date{Time: today.AddDate(0, 0, -10)}, JP: 24,
			State: issuer.StateVerified, Version: 9, CreatedAt: now, UpdatedAt: now, ReportVerifiedBy: &verifier,
			RecommendationNumber: &num}
		must(g.Omit("OPD").Create(&r).Error)
		*id = r.ID
		jp := 24
		if i == 1 {
			jp = 0
		}
		must(g.Exec(`INSERT INTO dev_request_participants (request_id, employee_id, planned, dropped, change_reason, attended, passed, score, jp_actual)
			SELECT ?, id, ?, ?, '', ?, ?, '', ? FROM employees`, r.ID, true, false, true, true, jp).Error)
	}
	return f
}

// run runs "sertika certificates args…" and wants the exit status.
func (f *certFixture) run(t *testing.T, want int, args ...string) (string, string) {
	t.Helper()
	code, out, errOut := f.cli.run(append([]string{"certificates"}, args...)...)
	if code != want {
		t.Fatalf("certificates %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, want, out, errOut)
	}
	return out, errOut
}

// wantInOrder wants every part in s, each after the one before.
func wantInOrder(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	at := 0
	for _, p := range parts {
		i := strings.Index(s[at:], p)
		if i < 0 {
			t.Errorf("%s: %q missing (or out of order) in:\n%s", what, p, s)
			return
		}
		at += i + len(p)
	}
}

// readZipPDFs opens a ZIP file and wants n PDFs in it.
func readZipPDFs(t *testing.T, file string, n int) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(zr.File) != n {
		t.Fatalf("%s holds %d files, want %d", file, len(zr.File), n)
	}
	for _, zf := range zr.File {
		r, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) || !strings.HasPrefix(zf.Name, "sertifikat-800.1-") {
			t.Errorf("%s: %s is not a certificate PDF (%v)", file, zf.Name, err)
		}
	}
	return b
}

// dirNames lists a directory's entries.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// TestCertificatesCommands issues a batch from the command line (progress line per phase,
// the signer's checks: role, active, four eyes, findings), checks the issuance log, and
// writes the ZIP of all PDFs: atomically, the same bytes twice, nothing left behind when
// interrupted or when there is nothing to write.
func TestCertificatesCommands(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			const n = 20 // more than one chunk of PDFs on two cores
			f := newCertFixture(t, dialect, n)
			ready := fmt.Sprint(f.ready)

			// Who may sign.
			_, errOut := f.run(t, 1, "issue", "--request", ready, "--as", "verif")
			wantInOrder(t, "verifikator", errOut, `account "verif" is not an active signer (penandatangan)`)
			_, errOut = f.run(t, 1, "issue", "--request", ready, "--as", "kepala.lama")
			wantInOrder(t, "inactive signer", errOut, `account "kepala.lama" is not an active signer`)
			_, errOut = f.run(t, 1, "issue", "--request", ready, "--as", "siapa")
			wantInOrder(t, "unknown account", errOut, `no account "siapa"`)
			_, errOut = f.run(t, 1, "issue", "--request", ready, "--as", "kepala.dua")
			wantInOrder(t, "four eyes", errOut, "Prinsip empat mata: akun yang memverifikasi laporan tidak boleh menandatangani sertifikatnya. (forbidden)")
			_, errOut = f.run(t, 1, "issue", "--request", "9999", "--as", "kepala")
			wantInOrder(t, "unknown request", errOut, "Usulan tidak ditemukan. (not_found)")

			// Findings refuse the batch whole and are all listed.
			out, errOut := f.run(t, 1, "issue", "--request", fmt.Sprint(f.refused), "--as", "kepala")
			wantInOrder(t, "refused", out, fmt.Sprintf("Penerbitan ditolak: %d temuan. Tidak ada sertifikat yang diterbitkan.", n),
				"[jp] 197001011995011001 Pegawai Uji 000: JP realisasi kosong atau nol.",
				"[jp] 197001201995011001 Pegawai Uji 019: JP realisasi kosong atau nol.")
			wantInOrder(t, "refused", errOut, fmt.Sprintf("issuance of request %d refused: %d findings; nothing was issued", f.refused, n))

			// Sign: a progress line per phase, in order, then the outcome.
			out, errOut = f.run(t, 0, "issue", "--request", ready, "--as", "kepala")
			y := time.Now().In(wib).Year()
			wantInOrder(t, "issued", out, fmt.Sprintf("%d sertifikat usulan %d ditandatangani oleh kepala dengan kunci ", n, f.ready),
				fmt.Sprintf(": nomor 800.1/0001/SERT/BKPSDM/%d sampai 800.1/%04d/SERT/BKPSDM/%d.", y, n, y))
			total := fmt.Sprintf(": %d/%d (100%%)", n, n)
			wantInOrder(t, "progress", errOut, "checking participants"+total, "signing certificates: 0/", "signing certificates"+total,
				"storing certificates"+total, "writing the issuance log"+total, "updating holders' IP ASN scores"+total)
			out, _ = f.run(t, 0, "issue", "--request", ready, "--as", "kepala")
			wantInOrder(t, "again", out, fmt.Sprintf("Semua %d sertifikat usulan %d sudah diterbitkan sebelumnya", n, f.ready))
			if code, out, errOut := f.cli.run("audit", "verify"); code != 0 || !strings.Contains(out, "chain intact") {
				t.Fatalf("audit verify: %d %s %s", code, out, errOut)
			}

			// The ZIP: all PDFs, a progress line, no temporary file left; the same bytes twice.
			dir := t.TempDir()
			zip1, zip2 := filepath.Join(dir, "semua.zip"), filepath.Join(dir, "lagi.zip")
			out, errOut = f.run(t, 0, "zip", "--request", ready, "-o", zip1)
			wantInOrder(t, "zip", out, fmt.Sprintf("%d PDF sertifikat usulan %d ditulis ke %s", n, f.ready, zip1))
			wantInOrder(t, "zip progress", errOut, fmt.Sprintf("rendering PDFs: 0/%d", n), "rendering PDFs"+total)
			first := readZipPDFs(t, zip1, n)
			f.run(t, 0, "zip", "--request="+ready, "--output", zip2)
			if second := readZipPDFs(t, zip2, n); !bytes.Equal(first, second) {
				t.Error("two runs wrote different ZIPs")
			}
			if got := dirNames(t, dir); len(got) != 2 {
				t.Errorf("files left: %v", got)
			}

			// Nothing to write: no file.
			_, errOut = f.run(t, 1, "zip", "--request", fmt.Sprint(f.refused), "-o", filepath.Join(dir, "kosong.zip"))
			wantInOrder(t, "empty zip", errOut, fmt.Sprintf("request %d has no valid certificates: nothing written", f.refused))

			// Interrupted as soon as rendering starts: no file, no temporary file.
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			args := []string{"certificates", "zip", "--request", ready, "-o", filepath.Join(dir, "putus.zip"), "--data-dir", f.cli.dir}
			if f.cli.dbURL != "" {
				args = append(args, "--database-url", f.cli.dbURL)
			}
			var stdout bytes.Buffer
			stderr := &cancelOnWrite{cancel: cancel, when: "rendering PDFs"}
			code := run(ctx, args, &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: stderr, getenv: func(string) string { return "" }})
			if code != 1 || !strings.Contains(stderr.String(), "interrupted: nothing written") {
				t.Errorf("interrupted zip: exit %d\n%s%s", code, stdout.String(), stderr.String())
			}
			if got := dirNames(t, dir); len(got) != 2 {
				t.Errorf("files left after the interrupted run: %v", got)
			}
		})
	}
}

// cancelOnWrite is a standard error that cancels a context once when a line containing
// when is written.
type cancelOnWrite struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel context.CancelFunc
	when   string
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if bytes.Contains(p, []byte(w.when)) {
		w.cancel()
	}
	return w.buf.Write(p)
}

func (w *cancelOnWrite) String() string { w.mu.Lock(); defer w.mu.Unlock(); return w.buf.String() }

func TestCertificatesCommandUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"certificates"}, 2, "sertika certificates issue --request ID --as USERNAME"},
		{[]string{"certificates", "--help"}, 0, "sertika certificates zip --request ID -o FILE"},
		{[]string{"help", "certificates"}, 0, "four eyes"},
		{[]string{"certificates", "sign"}, 2, ""},
		{[]string{"certificates", "issue", "--data-dir", dir, "--as", "kepala"}, 2, ""},
		{[]string{"certificates", "issue", "--data-dir", dir, "--request", "0", "--as", "kepala"}, 2, ""},
		{[]string{"certificates", "issue", "--data-dir", dir, "--request", "x", "--as", "kepala"}, 2, ""},
		{[]string{"certificates", "issue", "--data-dir", dir, "--request", "1"}, 2, ""},
		{[]string{"certificates", "issue", "--data-dir", dir, "--request", "1", "--as", "kepala", "extra"}, 2, ""},
		{[]string{"certificates", "zip", "--data-dir", dir, "--request", "1"}, 2, ""},
		{[]string{"certificates", "zip", "--data-dir", dir, "--request", "1", "--as", "kepala", "-o", "x.zip"}, 2, ""},
		{[]string{"certificates", "issue", "--help"}, 0, "--as USERNAME"},
		{[]string{"certificates", "zip", "-h"}, 0, "write the ZIP to FILE"},
	} {
		code, out, errOut := importTestRun(t, "", tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("%v: exit %d, want %d; stdout %q; stderr %q", tc.args, code, tc.code, out, errOut)
		}
	}
	// The command list names it.
	if _, out, _ := importTestRun(t, "", "help"); !strings.Contains(out, "certificates") {
		t.Errorf("help does not list the command:\n%s", out)
	}
}
