package web

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/jobs"
	"github.com/sertika/sertika/issuer"
)

// Tests of the certificate pages (web/pages_certificates*.go): issuing through the
// issuance page after the checks, refusals, the list and its scopes, the detail page with
// its history, revocation and re-issue through the forms, and the downloads — on both
// databases, through the real forms with the session's CSRF token.

// ---- helpers (prefixed cp: certificate pages) ----

// cpAgency stores the agency's identity, which the harness leaves empty and certificates
// print.
func (ts *testServer) cpAgency(t *testing.T) {
	t.Helper()
	err := ts.db.Gorm.Exec(`INSERT INTO agency (id, name, bkpsdm_name, city, head_name, head_nip, head_title, head_rank, issuer_code, updated_at)
		VALUES (1, 'Pemerintah Kota Tidore Kepulauan', 'BKPSDM Kota Tidore Kepulauan', 'Tidore', 'Drs. H. Abdullah Kasim, M.Si.',
		'196608011988031001', 'Kepala BKPSDM Kota Tidore Kepulauan', 'Pembina Utama Muda (IV/c)', 'TIDORE', ?)`, ts.db.Now()).Error
	if err != nil {
		t.Fatalf("agency: %v", err)
	}
}

func jp(n int) *int { return &n }

// cpVerify drives a submitted request to verified: the reviewer approves it, the clock
// moves on to the activity's last day (a report is refused before it), its OPD user reports
// rows, the reviewer verifies the report. Sessions do not survive the move (sign in
// afterwards).
func (ts *testServer) cpVerify(t *testing.T, clock *fakeClock, id int64, opdUser string, rows ...issuer.ReportRow) {
	t.Helper()
	ctx := context.Background()
	rev := ts.rpActor(testUsers[domain.RoleVerifikator])
	if _, err := ts.srv.Requests.Approve(ctx, rev, id, ""); err != nil {
		t.Fatalf("approve %d: %v", id, err)
	}
	ts.cpToLastDay(t, clock, id)
	if _, err := ts.srv.Requests.SubmitReport(ctx, ts.rpActor(opdUser), id, issuer.ReportInput{Participants: rows}); err != nil {
		t.Fatalf("report %d: %v", id, err)
	}
	if _, err := ts.srv.Requests.VerifyReport(ctx, rev, id, "Sesuai daftar hadir."); err != nil {
		t.Fatalf("verify report %d: %v", id, err)
	}
}

// cpToLastDay moves the clock to 10.00 WIB on request id's last day, unless it is past it.
func (ts *testServer) cpToLastDay(t *testing.T, clock *fakeClock, id int64) {
	t.Helper()
	end := ts.rpGet(id).Request.EndDate
	target := time.Date(end.Year(), end.Month(), end.Day(), 3, 0, 0, 0, time.UTC)
	if now := clock.Now(); target.After(now) {
		clock.Advance(target.Sub(now))
	}
}

// cpSample verifies sample request 1 (DISDIK): nipA1 passed with 24 JP, nipA2 with 20. The
// clock is then on the activity's last day: too early to issue.
func (ts *testServer) cpSample(t *testing.T, clock *fakeClock) {
	t.Helper()
	ts.cpVerify(t, clock, 1, testUsers[domain.RoleOPD],
		issuer.ReportRow{NIP: nipA1, Attended: true, Passed: true, JP: jp(24)},
		issuer.ReportRow{NIP: nipA2, Attended: true, Passed: true, JP: jp(20)})
}

// cpDinkes creates a DINKES request for nipB1 (with DINKES's own OPD user), verified, and
// returns its id.
func (ts *testServer) cpDinkes(t *testing.T, clock *fakeClock) int64 {
	t.Helper()
	ctx := context.Background()
	user := ts.addUser(t, "opd.dinkes", domain.RoleOPD, "DINKES")
	a := ts.rpActor(user)
	start := ts.rpStart()
	d, err := ts.srv.Requests.Create(ctx, a, issuer.RequestInput{Title: "Pelatihan Pelayanan Kesehatan Primer", Kind: "teknis",
		Organizer: "bkpsdm", Place: "Aula Dinas Kesehatan", StartDate: start, EndDate: domain.Date{Time: start.AddDate(0, 0, 1)},
		JP: 16, Participants: []string{nipB1}})
	if err != nil {
		t.Fatalf("create DINKES request: %v", err)
	}
	if _, err := ts.srv.Requests.Submit(ctx, a, d.Request.ID, ""); err != nil {
		t.Fatalf("submit DINKES request: %v", err)
	}
	ts.cpVerify(t, clock, d.Request.ID, user, issuer.ReportRow{NIP: nipB1, Attended: true, Passed: true, JP: jp(16)})
	return d.Request.ID
}

// cpAfter moves the clock a month on: every activity of the tests is over. Sessions do not
// survive it (sign in afterwards).
func cpAfter(clock *fakeClock) { clock.Advance(30 * 24 * time.Hour) }

// cpIssue issues a request's batch through the service as the signer.
func (ts *testServer) cpIssue(t *testing.T, id int64) []issuer.Certificate {
	t.Helper()
	b, err := ts.srv.Issuance.Issue(context.Background(), ts.rpActor(testUsers[domain.RolePenandatangan]), id)
	if err != nil {
		t.Fatalf("issue request %d: %v", id, err)
	}
	return b.Certificates
}

// cpCert returns the valid certificate of a NIP.
func (ts *testServer) cpCert(t *testing.T, nip string) issuer.Certificate {
	t.Helper()
	var c issuer.Certificate
	if err := ts.db.Gorm.Where("nip = ? AND state = ?", nip, issuer.CertValid).Take(&c).Error; err != nil {
		t.Fatalf("certificate of %s: %v", nip, err)
	}
	return c
}

// cpRows counts the rows issuance writes: certificates and the certificate number counter.
func (ts *testServer) cpRows(t *testing.T) string {
	t.Helper()
	var certs, counters int64
	ts.db.Gorm.Table("certificates").Count(&certs)
	ts.db.Gorm.Table("number_counters").Where("scope IN ('sertifikat', 'status_index')").Count(&counters)
	return fmt.Sprintf("certificates=%d counters=%d", certs, counters)
}

// cpRedirect wants a 303 to want.
func cpRedirect(t *testing.T, what string, resp *http.Response, body, want string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Fatalf("%s: %d to %q, want 303 to %s; body %s", what, resp.StatusCode, resp.Header.Get("Location"), want, trimBody(body))
	}
}

var cpCertLinkRE = regexp.MustCompile(`href="/sertifikat/([A-Z0-9]+)"`)

var cpJobRE = regexp.MustCompile(`^/tugas/([0-9a-f]{24})$`)

// cpJobID wants a 303 to a background job's progress page and returns the job's id.
func cpJobID(t *testing.T, what string, resp *http.Response, body string) string {
	t.Helper()
	m := cpJobRE.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("%s: %d to %q, want 303 to /tugas/{id}; body %s", what, resp.StatusCode, resp.Header.Get("Location"), trimBody(body))
	}
	return m[1]
}

// cpWait waits until user's job id is no longer running and returns its snapshot.
func (ts *testServer) cpWait(t *testing.T, user, id string) jobs.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	snap, err := ts.srv.Jobs.Wait(ctx, ts.userActor(user), id)
	if err != nil {
		t.Fatalf("wait for job %s: %v", id, err)
	}
	return snap
}

// cpZipPDFs wants body to be a ZIP of PDFs named after the numbers, in that order.
func cpZipPDFs(t *testing.T, what, body string, numbers ...string) {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(zr.File) != len(numbers) {
		t.Fatalf("%s holds %d files, want %d", what, len(zr.File), len(numbers))
	}
	for i, f := range zr.File {
		if want := issuer.PDFFileName(&issuer.Certificate{Number: numbers[i]}); f.Name != want {
			t.Errorf("%s: file %d is %s, want %s", what, i, f.Name, want)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[max(0, len(b)-64):], []byte("%%EOF")) {
			t.Errorf("%s: %s is not a whole PDF (%v, %d bytes)", what, f.Name, err, len(b))
		}
	}
}

// ---- issuing ----

func TestCertificatePageIssue(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		ts.cpAgency(t)
		ts.cpSample(t, clock)
		cpAfter(clock)
		signer := ts.login(testUsers[domain.RolePenandatangan])
		const page = "/usulan/1/sertifikat"

		// The verified request links to its certificate page; the page lists both eligible
		// participants, none issued yet, and asks for the checks before offering to sign.
		_, body := signer.get("/usulan/1")
		wantPage(t, "request page", &http.Response{StatusCode: 200}, body, 200, `href="`+page+`"`, "Buka halaman sertifikat")
		resp, body := signer.get(page)
		wantPage(t, "issuance page", resp, body, 200, "Sertifikat kegiatan", "Dr. Andi Wijaya, S.Pd., M.Pd.", "Siti Rahmawati, S.E.",
			nipA1, nipA2, `<span class="muted">Belum diterbitkan</span>`, `id="form-periksa"`, `<dd id="jumlah-belum">2</dd>`)
		if strings.Contains(body, `id="form-terbitkan"`) {
			t.Error("the signing form is offered before the checks ran")
		}

		// The checks pass: the signing form appears.
		resp, body = signer.get(page + "?periksa=1")
		wantPage(t, "checked", resp, body, 200, "Semua pemeriksaan lulus", `id="form-terbitkan"`, `action="`+page+`"`,
			"Tandatangani dan terbitkan", `name="konfirmasi" value="ya"`)

		// Without the confirmation box, or without the CSRF token, nothing is signed.
		resp, body = signer.postForm(page, url.Values{})
		wantPage(t, "no confirmation", resp, body, 400, errNoIssueConfirm.Message)
		resp, body = signer.postForm(page, url.Values{"konfirmasi": {"ya"}, "_csrf": {""}})
		wantPage(t, "no CSRF token", resp, body, 403, "CSRF")
		resp, body = signer.postForm(page, url.Values{"konfirmasi": {"ya"}, "_csrf": {"palsu"}})
		wantPage(t, "wrong CSRF token", resp, body, 403, "CSRF")
		if got := ts.cpRows(t); got != "certificates=0 counters=0" {
			t.Fatalf("after refused forms: %s", got)
		}

		// Other roles cannot sign (403), whatever they send.
		for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleVerifikator, domain.RoleOPD, domain.RolePegawai} {
			b := ts.login(testUsers[role])
			_, body := b.get(page)
			if strings.Contains(body, `id="form-periksa"`) || strings.Contains(body, `id="form-terbitkan"`) {
				t.Errorf("%s is offered the signer's forms", role)
			}
			resp, body := b.postForm(page, url.Values{"konfirmasi": {"ya"}})
			wantPage(t, string(role)+" signs", resp, body, 403, "Akses ditolak")
		}
		if got := ts.cpRows(t); got != "certificates=0 counters=0" {
			t.Fatalf("after other roles tried: %s", got)
		}

		// While a signing job runs for the request, signing again finds that job (a double
		// click never signs twice), and another signer is told someone is signing.
		release := make(chan struct{})
		held, _, err := ts.srv.Jobs.Start(ts.userActor(testUsers[domain.RolePenandatangan]), issueJobKey(1), jobKindIssue, "uji",
			func(ctx context.Context, p *jobs.Progress) (jobs.Result, error) { <-release; return jobs.Result{}, nil })
		if err != nil {
			t.Fatal(err)
		}
		resp, body = signer.postForm(page, url.Values{"konfirmasi": {"ya"}})
		cpRedirect(t, "sign while a job runs", resp, body, "/tugas/"+held.ID)
		other := ts.addUser(t, "kepala.dua", domain.RolePenandatangan, "")
		resp, body = ts.login(other).postForm(page, url.Values{"konfirmasi": {"ya"}})
		wantPage(t, "another signer while a job runs", resp, body, 409, "sedang ditandatangani oleh penandatangan lain")
		close(release)
		ts.cpWait(t, testUsers[domain.RolePenandatangan], held.ID)
		if got := ts.cpRows(t); got != "certificates=0 counters=0" {
			t.Fatalf("after the held job: %s", got)
		}

		// Sign: the batch is signed in a background job; the signer is sent to its progress
		// page, which leads back to the issuance page with the outcome, now listing the
		// certificates with links.
		resp, body = signer.postForm(page, url.Values{"konfirmasi": {"ya"}})
		id := cpJobID(t, "sign", resp, body)
		snap := ts.cpWait(t, testUsers[domain.RolePenandatangan], id)
		onward := page + "?tugas=" + id
		if snap.State != jobs.Done || snap.Kind != jobKindIssue || snap.URL != onward ||
			snap.Message != "2 sertifikat ditandatangani dan diterbitkan." || snap.Percent != 100 {
			t.Fatalf("signing job: %+v", snap)
		}
		resp, body = signer.get("/tugas/" + id)
		wantPage(t, "finished job page", resp, body, 200, "Penerbitan sertifikat usulan nomor 1", "Selesai",
			"2 sertifikat ditandatangani dan diterbitkan.", `id="tugas-lanjut" href="`+onward+`"`)
		resp, body = signer.get(onward)
		a1, a2 := ts.cpCert(t, nipA1), ts.cpCert(t, nipA2)
		wantPage(t, "issued", resp, body, 200, `id="hasil-tugas">2 sertifikat ditandatangani dan diterbitkan.`, a1.Number, a2.Number,
			`href="/sertifikat/`+a1.ID+`"`, `href="/sertifikat/`+a2.ID+`/pdf"`, `action="`+page+`.zip"`, `id="unduh-zip"`,
			"Semua peserta yang memenuhi syarat telah menerima sertifikat.", `<dd id="jumlah-sah">2</dd>`)
		if strings.Contains(body, `id="form-terbitkan"`) || strings.Contains(body, `<span class="muted">Belum diterbitkan</span>`) {
			t.Error("after issuing the page still offers to sign")
		}
		if a1.JP != 24 || a2.JP != 20 || a1.HolderName != "Dr. Andi Wijaya, S.Pd., M.Pd." || a1.IssuerCode != "TIDORE" {
			t.Errorf("certificate data: %+v", a1)
		}
		// The job's outcome is its owner's: another user's page ignores the parameter.
		_, body = ts.login(testUsers[domain.RoleVerifikator]).get(onward)
		if strings.Contains(body, `id="hasil-tugas"`) {
			t.Error("another user sees the signer's job outcome")
		}

		// Signing again later issues nothing twice.
		resp, body = signer.postForm(page, url.Values{"konfirmasi": {"ya"}})
		id = cpJobID(t, "sign again", resp, body)
		snap = ts.cpWait(t, testUsers[domain.RolePenandatangan], id)
		_, body = signer.get(snap.URL)
		wantPage(t, "signed again", &http.Response{StatusCode: 200}, body, 200, "tidak ada yang diterbitkan dua kali")
		if got := ts.cpRows(t); !strings.HasPrefix(got, "certificates=2 ") {
			t.Errorf("after signing twice: %s", got)
		}

		// All PDFs in one ZIP, for whoever sees the request: streamed by the direct address,
		// or built by a background job from the page's button.
		for _, b := range []*browser{signer, ts.login(testUsers[domain.RoleOPD])} {
			resp, body = b.get(page + ".zip")
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
				t.Fatalf("zip: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), trimBody(body))
			}
			cpZipPDFs(t, "streamed zip", body, a1.Number, a2.Number)
		}

		// The employee sees their own row only.
		_, body = ts.login(testUsers[domain.RolePegawai]).get(page)
		wantPage(t, "pegawai's issuance page", &http.Response{StatusCode: 200}, body, 200, a1.Number)
		if strings.Contains(body, a2.Number) || strings.Contains(body, "Siti Rahmawati") {
			t.Error("the employee sees another participant's certificate")
		}
	})
}

func TestCertificatePageRefused(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		const page = "/usulan/1/sertifikat"
		signer := ts.login(testUsers[domain.RolePenandatangan])

		// Before verification there is nothing to sign.
		resp, body := signer.get(page)
		wantPage(t, "submitted request", resp, body, 200, `id="belum-verifikasi"`, "Diajukan")
		resp, body = signer.postForm(page, url.Values{"konfirmasi": {"ya"}})
		wantPage(t, "sign a submitted request", resp, body, 409, "sudah diverifikasi")

		// Verified, but the activity is still ahead and the agency's identity is missing: the
		// checks list every finding and no signing form is offered.
		ts.cpSample(t, clock)
		signer = ts.login(testUsers[domain.RolePenandatangan])
		resp, body = signer.get(page + "?periksa=1")
		wantPage(t, "checks", resp, body, 200, `id="tabel-temuan"`, "akan ditolak seluruhnya", "Data instansi",
			"Data instansi belum lengkap", "Tanggal kegiatan", "Kegiatan belum selesai", "Seluruh batch")
		if strings.Contains(body, `id="form-terbitkan"`) {
			t.Error("the signing form is offered despite findings")
		}

		// Signing anyway (a form kept open from before) is refused whole, with the findings,
		// and writes no certificate and reserves no number.
		before := ts.cpRows(t)
		resp, body = signer.postForm(page, url.Values{"konfirmasi": {"ya"}})
		wantPage(t, "refused", resp, body, 400, "Penerbitan ditolak", "Tidak ada sertifikat yang diterbitkan", "ditolak seluruhnya",
			"Kegiatan belum selesai", "Data instansi belum lengkap")
		if after := ts.cpRows(t); after != before || after != "certificates=0 counters=0" {
			t.Errorf("refused batch wrote: before %s, after %s", before, after)
		}

		// A participant's own finding names them: a JP of zero.
		ts.cpAgency(t)
		cpAfter(clock)
		ts.db.Gorm.Exec("UPDATE dev_request_participants SET jp_actual = 0 WHERE employee_id = (SELECT id FROM employees WHERE nip = ?)", nipA2)
		signer = ts.login(testUsers[domain.RolePenandatangan])
		resp, body = signer.get(page + "?periksa=1")
		wantPage(t, "participant finding", resp, body, 200, "1 temuan", "JP realisasi", "Siti Rahmawati, S.E.", "NIP "+nipA2,
			"JP realisasi kosong atau nol.")
		if strings.Contains(body, "Kegiatan belum selesai") {
			t.Error("the dates finding outlived the activity")
		}
	})
}

func TestCertificatePageFourEyes(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		ts.cpAgency(t)
		ts.cpSample(t, clock)
		cpAfter(clock)
		// The reviewer who verified the report becomes the signer.
		if err := ts.db.Gorm.Exec("UPDATE users SET role = 'penandatangan' WHERE username = ?", testUsers[domain.RoleVerifikator]).Error; err != nil {
			t.Fatal(err)
		}
		b := ts.login(testUsers[domain.RoleVerifikator])
		const page = "/usulan/1/sertifikat"
		resp, body := b.get(page)
		wantPage(t, "four eyes", resp, body, 200, `id="empat-mata"`, "Prinsip empat mata", "tidak boleh menandatangani")
		if strings.Contains(body, `id="form-periksa"`) {
			t.Error("the verifier is offered the checks")
		}
		resp, body = b.postForm(page, url.Values{"konfirmasi": {"ya"}})
		wantPage(t, "four eyes sign", resp, body, 403, "Prinsip empat mata: akun yang memverifikasi laporan tidak boleh menandatangani sertifikatnya.")
		if got := ts.cpRows(t); got != "certificates=0 counters=0" {
			t.Errorf("four eyes wrote: %s", got)
		}
		// The other signer may.
		resp, body = ts.login(testUsers[domain.RolePenandatangan]).postForm(page, url.Values{"konfirmasi": {"ya"}})
		if snap := ts.cpWait(t, testUsers[domain.RolePenandatangan], cpJobID(t, "other signer", resp, body)); snap.State != jobs.Done {
			t.Errorf("other signer's job: %+v", snap)
		}
	})
}

// ---- the list ----

func TestCertificatePageList(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		ts.cpAgency(t)
		ts.cpSample(t, clock)
		dinkes := ts.cpDinkes(t, clock)
		cpAfter(clock)

		// Before issuing, both requests wait for the signer.
		signer := ts.login(testUsers[domain.RolePenandatangan])
		resp, body := signer.get("/sertifikat")
		wantPage(t, "ready", resp, body, 200, "Siap ditandatangani", `href="/usulan/1/sertifikat"`,
			fmt.Sprintf(`href="/usulan/%d/sertifikat"`, dinkes), "2 peserta memenuhi syarat", "Belum ada sertifikat.")

		ts.cpIssue(t, 1)
		ts.cpIssue(t, dinkes)
		a1, a2, b1 := ts.cpCert(t, nipA1), ts.cpCert(t, nipA2), ts.cpCert(t, nipB1)
		all := []issuer.Certificate{a1, a2, b1}

		// listed returns the numbers of the certificates a list page shows.
		listed := func(b *browser, path string, status int) (map[string]bool, string) {
			t.Helper()
			resp, body := b.get(path)
			if resp.StatusCode != status {
				t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, status)
			}
			got := map[string]bool{}
			for _, c := range all {
				if strings.Contains(body, `href="/sertifikat/`+c.ID+`"`) {
					got[c.NIP] = true
				}
			}
			return got, body
		}
		want := func(what string, got map[string]bool, nips ...string) {
			t.Helper()
			if len(got) != len(nips) {
				t.Errorf("%s: lists %v, want %v", what, got, nips)
			}
			for _, n := range nips {
				if !got[n] {
					t.Errorf("%s: %s missing (lists %v)", what, n, got)
				}
			}
		}

		got, body := listed(signer, "/sertifikat", 200)
		want("signer, all", got, nipA1, nipA2, nipB1)
		wantPage(t, "list", &http.Response{StatusCode: 200}, body, 200, "Menampilkan 1–3 dari 3 sertifikat", "SAH",
			`<a href="/sertifikat" aria-current="page">Sertifikat</a>`)
		if strings.Contains(body, "Siap ditandatangani") {
			t.Error("issued requests still wait for the signer")
		}
		year := fmt.Sprint(a1.Year)
		for _, tc := range []struct {
			query string
			nips  []string
		}{
			{"q=" + url.QueryEscape(a2.Number), []string{nipA2}}, // by number
			{"q=siti", []string{nipA2}},                          // by name, any case
			{"q=ANDI", []string{nipA1}},
			{"q=" + nipB1, []string{nipB1}},                  // by NIP
			{"q=" + nipA1[:8], []string{nipA1}},              // by part of a NIP
			{"q=kesehatan+primer", []string{nipB1}},          // by activity
			{"q=kurikulum", []string{nipA1, nipA2}},          // by activity
			{"opd=DINKES", []string{nipB1}},                  // by the request's OPD
			{"opd=DISDIK&q=andi", []string{nipA1}},           // combined
			{"tahun=" + year, []string{nipA1, nipA2, nipB1}}, // by year
			{"tahun=2001", nil},
			{"status=berlaku", []string{nipA1, nipA2, nipB1}},
			{"status=dicabut", nil},
			{"q=tidak+ada+yang+cocok", nil},
		} {
			got, body := listed(signer, "/sertifikat?"+tc.query, 200)
			want(tc.query, got, tc.nips...)
			if tc.nips == nil && !strings.Contains(body, "Tidak ada sertifikat yang cocok dengan pencarian.") {
				t.Errorf("%s: no empty-result message", tc.query)
			}
		}
		for _, bad := range []string{"tahun=dua", "status=sah"} {
			resp, body := signer.get("/sertifikat?" + bad)
			wantPage(t, bad, resp, body, 400, `role="alert"`)
		}

		// The OPD sees its own OPD's certificates only, also by direct address.
		opd := ts.login(testUsers[domain.RoleOPD])
		got, body = listed(opd, "/sertifikat", 200)
		want("opd", got, nipA1, nipA2)
		if strings.Contains(body, `id="opd"`) || strings.Contains(body, "Siap ditandatangani") {
			t.Error("opd list offers the OPD filter or the signer's list")
		}
		got, _ = listed(opd, "/sertifikat?q="+nipB1, 200)
		want("opd searching DINKES's NIP", got)
		for _, p := range []string{"/sertifikat/" + b1.ID, "/sertifikat/" + b1.ID + "/pdf", "/sertifikat/" + b1.ID + "/qr.png"} {
			if resp, _ := opd.get(p); resp.StatusCode != 404 {
				t.Errorf("opd GET %s: %d, want 404", p, resp.StatusCode)
			}
		}
		// DINKES's own user sees DINKES's.
		got, _ = listed(ts.login("opd.dinkes"), "/sertifikat", 200)
		want("opd.dinkes", got, nipB1)

		// The employee sees their own: "Sertifikat saya".
		peg := ts.login(testUsers[domain.RolePegawai])
		got, body = listed(peg, "/sertifikat", 200)
		want("pegawai", got, nipA1)
		wantPage(t, "pegawai list", &http.Response{StatusCode: 200}, body, 200, "<h1>Sertifikat saya</h1>",
			`<a href="/sertifikat" aria-current="page">Sertifikat saya</a>`)
		got, _ = listed(peg, "/sertifikat?q=siti", 200)
		want("pegawai searching a colleague", got)
		if resp, _ := peg.get("/sertifikat/" + a2.ID); resp.StatusCode != 404 {
			t.Errorf("pegawai opens a colleague's certificate: %d, want 404", resp.StatusCode)
		}
		if resp, _ := peg.get("/sertifikat/" + a1.ID); resp.StatusCode != 200 {
			t.Errorf("pegawai opens their own certificate: %d", resp.StatusCode)
		}
	})
}

// ---- the detail page, revocation, re-issue, downloads ----

func TestCertificatePageDetail(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		ts.cpAgency(t)
		ts.cpSample(t, clock)
		cpAfter(clock)
		ts.cpIssue(t, 1)
		a1, a2 := ts.cpCert(t, nipA1), ts.cpCert(t, nipA2)
		signer := ts.login(testUsers[domain.RolePenandatangan])
		page := "/sertifikat/" + a1.ID
		verifyURL := ts.srv.Issuance.VerifyURL(&a1)

		// Every printed fact, the state in words, the QR code, the address and code to
		// verify, the downloads and the history.
		resp, body := signer.get(page)
		d := ts.rpGet(1)
		wantPage(t, "detail", resp, body, 200, a1.Number, "Dr. Andi Wijaya, S.Pd., M.Pd.", nipA1, "Kepala Sekolah", "Dinas Pendidikan",
			"Bimbingan Teknis Kurikulum Merdeka", a1.KindLabel(), "24 JP", d.Request.Recommendation(), "Tidore, ",
			"Drs. H. Abdullah Kasim, M.Si.", "Kepala BKPSDM Kota Tidore Kepulauan", "Pembina Utama Muda (IV/c)", a1.KID,
			`<span class="badge cert-state cert-valid">SAH</span>`, "Sertifikat berlaku.",
			`src="/sertifikat/`+a1.ID+`/qr.png?scale=6"`, `alt="Kode QR verifikasi sertifikat `+a1.Number+`"`,
			`href="`+verifyURL+`"`, a1.ShortCode(), `href="`+page+`/pdf"`, `href="`+page+`/qr.png?scale=10"`,
			`id="riwayat-sertifikat"`, "Ditandatangani dan diterbitkan", "kepala", `id="form-cabut"`, `id="form-terbitkan-ulang"`,
			"Diterbitkan karena kekeliruan", "Kecurangan", "Ditarik")
		if strings.Contains(body, `value="replaced"`) {
			t.Error("the revoke form offers the reason reserved for re-issue")
		}
		// Other roles see the page without the signer's forms.
		for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleVerifikator, domain.RoleOPD, domain.RolePegawai} {
			resp, body := ts.login(testUsers[role]).get(page)
			wantPage(t, string(role)+" detail", resp, body, 200, a1.Number, "SAH")
			if strings.Contains(body, `id="form-cabut"`) || strings.Contains(body, `id="form-terbitkan-ulang"`) {
				t.Errorf("%s is offered the signer's forms", role)
			}
		}

		// Downloads through the page routes.
		resp, body = signer.get(page + "/pdf")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
			t.Errorf("pdf: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), trimBody(body))
		}
		resp, body = signer.get(page + "/qr.png")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(body, "\x89PNG\r\n\x1a\n") {
			t.Errorf("qr: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		// The QR code read back opens the verification address.
		if zbar, err := exec.LookPath("zbarimg"); err == nil {
			file := filepath.Join(t.TempDir(), "qr.png")
			if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(zbar, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", file).Output()
			if err != nil {
				t.Fatalf("zbarimg: %v", err)
			}
			if got := strings.TrimSpace(string(out)); got != verifyURL {
				t.Errorf("QR code reads %q, want %q", got, verifyURL)
			}
		} else {
			t.Log("zbarimg not installed: the QR code is not read back")
		}
		// The public verification page agrees.
		short := verifyURL[strings.LastIndex(verifyURL, "/")+1:]
		_, body = ts.newBrowser().get("/v/" + short)
		wantPage(t, "verify valid", &http.Response{StatusCode: 200}, body, 200, "<strong>SAH</strong>")

		// Revoke: the roles without the right are refused; the form wants a note and the
		// confirmation; the failed form keeps what was typed.
		for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleVerifikator, domain.RoleOPD, domain.RolePegawai} {
			resp, body := ts.login(testUsers[role]).postForm(page+"/cabut", url.Values{"alasan": {"fraud"}, "catatan": {"x"}, "konfirmasi": {"ya"}})
			wantPage(t, string(role)+" revokes", resp, body, 403, "Akses ditolak")
		}
		resp, body = signer.postForm(page+"/cabut", url.Values{"alasan": {"fraud"}, "catatan": {"  "}, "konfirmasi": {"ya"}})
		wantPage(t, "revoke without note", resp, body, 400, "Tuliskan catatan alasan pencabutan.", `<option value="fraud" selected>`,
			`aria-invalid="true"`)
		resp, body = signer.postForm(page+"/cabut", url.Values{"alasan": {"fraud"}, "catatan": {"Daftar hadir dipalsukan."}})
		wantPage(t, "revoke without confirmation", resp, body, 400, errNoRevokeConfirm.Message, "Daftar hadir dipalsukan.")
		resp, body = signer.postForm(page+"/cabut", url.Values{"alasan": {"replaced"}, "catatan": {"x"}, "konfirmasi": {"ya"}})
		wantPage(t, "revoke as replaced", resp, body, 400, "terbitkan ulang")
		resp, body = signer.postForm(page+"/cabut", url.Values{"alasan": {"fraud"}, "catatan": {"Daftar hadir dipalsukan."}, "konfirmasi": {"ya"}, "_csrf": {""}})
		wantPage(t, "revoke without CSRF", resp, body, 403, "CSRF")
		if c := ts.cpCert(t, nipA1); c.State != issuer.CertValid {
			t.Fatalf("refused revocations revoked: %s", c.State)
		}
		resp, body = signer.postForm(page+"/cabut", url.Values{"alasan": {"fraud"}, "catatan": {"Daftar hadir dipalsukan."}, "konfirmasi": {"ya"}})
		cpRedirect(t, "revoke", resp, body, page)
		resp, body = signer.get(page)
		wantPage(t, "revoked", resp, body, 200, "dicabut. Verifikasi kini menyatakannya DICABUT.",
			`<span class="badge cert-state cert-revoked">DICABUT</span>`, `id="alasan-cabut">Kecurangan</dd>`, "Daftar hadir dipalsukan.",
			"<strong>Dicabut</strong>", "Alasan: Kecurangan", "Catatan: Daftar hadir dipalsukan.")
		if strings.Contains(body, `id="form-cabut"`) || strings.Contains(body, `id="form-terbitkan-ulang"`) {
			t.Error("a revoked certificate still offers the forms")
		}
		_, body = ts.newBrowser().get("/v/" + short)
		wantPage(t, "verify revoked", &http.Response{StatusCode: 200}, body, 200, "<strong>DICABUT</strong>", "Kecurangan")
		// Re-issuing a revoked certificate is refused on the page.
		resp, body = signer.postForm(page+"/terbitkan-ulang", url.Values{"konfirmasi": {"ya"}})
		wantPage(t, "reissue revoked", resp, body, 409, "tidak dapat diterbitkan ulang")
		// The revoked certificate is found by the state filter.
		_, body = signer.get("/sertifikat?status=dicabut")
		if !strings.Contains(body, `href="/sertifikat/`+a1.ID+`"`) || strings.Contains(body, `href="/sertifikat/`+a2.ID+`"`) {
			t.Error("status=dicabut does not list exactly the revoked certificate")
		}

		// Re-issue: the new certificate's page opens, linked both ways with the old one.
		old := "/sertifikat/" + a2.ID
		resp, body = signer.postForm(old+"/terbitkan-ulang", url.Values{"catatan": {"Nama diperbaiki."}})
		wantPage(t, "reissue without confirmation", resp, body, 400, errNoReissueConfirm.Message, "Nama diperbaiki.")
		resp, body = signer.postForm(old+"/terbitkan-ulang", url.Values{"catatan": {"Nama diperbaiki."}, "konfirmasi": {"ya"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/sertifikat/") || resp.Header.Get("Location") == old {
			t.Fatalf("reissue: %d to %q; %s", resp.StatusCode, resp.Header.Get("Location"), trimBody(body))
		}
		fresh := ts.cpCert(t, nipA2)
		if resp.Header.Get("Location") != "/sertifikat/"+fresh.ID || fresh.Replaces == nil || *fresh.Replaces != a2.ID {
			t.Fatalf("reissue went to %s; new certificate %+v", resp.Header.Get("Location"), fresh)
		}
		resp, body = signer.get("/sertifikat/" + fresh.ID)
		wantPage(t, "replacement", resp, body, 200, "Sertifikat pengganti "+fresh.Number+" diterbitkan", fresh.Number, "SAH",
			`id="menggantikan">Menggantikan sertifikat <a href="`+old+`">`+a2.Number+`</a>`, "Diterbitkan sebagai pengganti",
			"Catatan: Nama diperbaiki.")
		resp, body = signer.get(old)
		wantPage(t, "replaced", resp, body, 200, "DICABUT", "Diganti dengan sertifikat baru",
			`id="pengganti">Diganti dengan <a href="/sertifikat/`+fresh.ID+`">`+fresh.Number+`</a>`,
			"Diganti dengan sertifikat baru (diterbitkan ulang)", "Sertifikat pengganti "+fresh.Number)
		if n := len(cpCertLinkRE.FindAllString(body, -1)); n == 0 {
			t.Error("the replaced certificate's page links nowhere")
		}
	})
}

// ---- background jobs: a refused signing job, the ZIP job ----

// TestCertificatePageFailedIssueJob shows a signing job that failed because findings
// appeared after the signer's check (the job's Issue refuses the batch): its progress page
// links back to the issuance page, which shows the refusal and lists every finding.
func TestCertificatePageFailedIssueJob(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		ts.cpAgency(t)
		ts.cpSample(t, clock)
		cpAfter(clock)
		const page = "/usulan/1/sertifikat"
		user := testUsers[domain.RolePenandatangan]
		signer := ts.login(user)
		// Both participants' JP is set to zero after the check: Issue refuses with two findings.
		ts.db.Gorm.Exec("UPDATE dev_request_participants SET jp_actual = 0 WHERE request_id = 1")
		a := ts.userActor(user)
		snap, _, err := ts.srv.Jobs.Start(a, issueJobKey(1), jobKindIssue, "Penerbitan sertifikat usulan nomor 1",
			func(ctx context.Context, p *jobs.Progress) (jobs.Result, error) {
				_, err := ts.srv.Issuance.Issue(ctx, a, 1)
				return jobs.Result{URL: issuancePath(1) + "?tugas=" + p.ID()}, err
			})
		if err != nil {
			t.Fatal(err)
		}
		snap = ts.cpWait(t, user, snap.ID)
		if snap.State != jobs.Failed || !strings.Contains(snap.Error, "Penerbitan sertifikat ditolak (2 temuan)") || snap.URL == "" {
			t.Fatalf("failed job: %+v", snap)
		}
		resp, body := signer.get("/tugas/" + snap.ID)
		wantPage(t, "failed job page", resp, body, 200, "Gagal", "ditolak (2 temuan)", `id="tugas-lanjut" href="`+snap.URL+`"`)
		resp, body = signer.get(snap.URL)
		wantPage(t, "issuance page after the failed job", resp, body, 200, `id="form-error"`, "ditolak (2 temuan)",
			`id="tabel-temuan"`, "2 temuan.", "Dr. Andi Wijaya, S.Pd., M.Pd.", "Siti Rahmawati, S.E.", "JP realisasi kosong atau nol.")
		if got := ts.cpRows(t); got != "certificates=0 counters=0" {
			t.Errorf("refused job wrote: %s", got)
		}
	})
}

// TestCertificateZipJob builds the ZIP of a request's PDFs through the page's button: a
// background job per request and user, whose file is downloaded from its progress page;
// the same certificates give the same bytes, each user gets the certificates they may see,
// and a request without any answers 404 at once.
func TestCertificateZipJob(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		ts.cpAgency(t)
		ts.cpSample(t, clock)
		cpAfter(clock)
		ts.cpIssue(t, 1)
		a1, a2 := ts.cpCert(t, nipA1), ts.cpCert(t, nipA2)
		const page = "/usulan/1/sertifikat"
		user := testUsers[domain.RolePenandatangan]
		signer := ts.login(user)

		// The buttons: on the issuance page and on a certificate's page (not for employees).
		_, body := signer.get(page)
		wantPage(t, "zip button", &http.Response{StatusCode: 200}, body, 200, `id="form-zip"`, `action="`+page+`.zip"`,
			"Unduh semua PDF (ZIP)")
		_, body = signer.get("/sertifikat/" + a1.ID)
		wantPage(t, "zip button on the certificate", &http.Response{StatusCode: 200}, body, 200, `id="form-zip-kegiatan"`)
		if _, body = ts.login(testUsers[domain.RolePegawai]).get("/sertifikat/" + a1.ID); strings.Contains(body, `id="form-zip-kegiatan"`) {
			t.Error("the employee is offered the activity's ZIP")
		}

		run := func(b *browser, who string) (jobs.Snapshot, string) {
			t.Helper()
			resp, body := b.postForm(page+".zip", nil)
			snap := ts.cpWait(t, who, cpJobID(t, "zip job", resp, body))
			if snap.State != jobs.Done || snap.Kind != "zip" || snap.Download != "/tugas/"+snap.ID+"/unduh" || snap.Phase != "Menyusun PDF" ||
				snap.Done != snap.Total || snap.URL != page {
				t.Fatalf("zip job: %+v", snap)
			}
			resp, body = b.get(snap.Download)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" ||
				!strings.Contains(resp.Header.Get("Content-Disposition"), "sertifikat-usulan-1.zip") {
				t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
			}
			return snap, body
		}
		snap, first := run(signer, user)
		if snap.Total != 2 || !strings.Contains(snap.Message, "2 PDF sertifikat siap diunduh") {
			t.Errorf("zip job: %+v", snap)
		}
		cpZipPDFs(t, "job zip", first, a1.Number, a2.Number)
		_, body = signer.get("/tugas/" + snap.ID)
		wantPage(t, "finished zip job page", &http.Response{StatusCode: 200}, body, 200, `id="tugas-unduh"`, "2 dari 2")
		// Again: the same bytes (deterministic PDFs), and the same bytes as the stream.
		if _, again := run(signer, user); again != first {
			t.Error("a second ZIP job gave different bytes")
		}
		if _, streamed := signer.get(page + ".zip"); streamed != first {
			t.Error("the streamed ZIP differs from the job's")
		}
		// The employee's ZIP holds their own certificate only.
		_, own := run(ts.login(testUsers[domain.RolePegawai]), testUsers[domain.RolePegawai])
		cpZipPDFs(t, "employee's zip", own, a1.Number)

		// While the user's ZIP job runs, the button finds it instead of starting another.
		release := make(chan struct{})
		held, _, err := ts.srv.Jobs.Start(ts.userActor(user), fmt.Sprintf("zip:1:%d", ts.userActor(user).UserID), "zip", "uji",
			func(ctx context.Context, p *jobs.Progress) (jobs.Result, error) { <-release; return jobs.Result{}, nil })
		if err != nil {
			t.Fatal(err)
		}
		resp, body := signer.postForm(page+".zip", nil)
		cpRedirect(t, "zip while one runs", resp, body, "/tugas/"+held.ID)
		close(release)
		ts.cpWait(t, user, held.ID)

		// Nothing to put in a ZIP: 404 at once, no job.
		before := len(ts.srv.Jobs.List(ts.userActor(user)))
		for _, p := range []string{"/usulan/999/sertifikat.zip", "/usulan/abc/sertifikat.zip"} {
			resp, body := signer.postForm(p, nil)
			wantPage(t, p, resp, body, 404)
		}
		if after := len(ts.srv.Jobs.List(ts.userActor(user))); after != before {
			t.Errorf("jobs %d → %d for requests without certificates", before, after)
		}
	})
}
