package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/issuer"
)

// TestBrowserCertificates drives issuance and revocation in Chromium over a real socket: the
// signer opens a verified request's certificate page, runs the checks, signs, opens a
// certificate, follows its verification link (SAH), revokes the certificate through the
// form and sees the verification page say DICABUT; a made-up token reads TIDAK SAH.
// Screenshots of the issuance page, the certificate page and the verification page, on a
// desktop and on a 390 px phone, go to screenshotDir.
func TestBrowserCertificates(t *testing.T) {
	ctx := newChromium(t)
	clock := &fakeClock{now: time.Now().UTC().Truncate(time.Second)}
	ts := newTestServer(t, testdb.NewWithClock(t, database.SQLite, clock.Now))
	ts.cpAgency(t)
	ts.cpSample(t, clock)
	base := ts.pagesListen(t)

	tab := newChromeTab(t, ctx, base)
	signer := testUsers[domain.RolePenandatangan]

	// ---- before the activity is over the checks refuse the batch ----
	tab.signIn(signer, "main h1")
	tab.navigate("menu Sertifikat", 200, chromedp.Click(chromedp.CSS(`nav a[href="/sertifikat"]`)))
	tab.do("ready list", chromedp.WaitVisible(chromedp.ID("siap-ditandatangani")))
	tab.navigate("open the ready request", 200, chromedp.Click(chromedp.CSS(`#siap-ditandatangani a[href="/usulan/1/sertifikat"]`)))
	tab.do("issuance page", chromedp.WaitVisible(chromedp.ID("form-periksa")))
	tab.navigate("run the checks early", 200, chromedp.Click(chromedp.CSS(`#form-periksa button`)))
	tab.do("findings", chromedp.WaitVisible(chromedp.ID("tabel-temuan")))
	if f := tab.must("findings", chromedp.Text(chromedp.ID("tabel-temuan"))); !strings.Contains(f, "Kegiatan belum selesai") {
		t.Errorf("findings before the end of the activity: %q", f)
	}
	if n := tab.eval("sign form", `String(document.querySelectorAll("#form-terbitkan").length)`); n != "0" {
		t.Error("the signing form is offered despite findings")
	}
	tab.shoot("sertifikat-temuan", "#tabel-temuan")

	// ---- a month later (the session has lapsed): the signer opens the request ----
	cpAfter(clock)
	tab.signIn(signer, "main h1")
	tab.navigate("request page", 200, chromedp.Navigate(base+"/usulan/1"))
	tab.navigate("open the certificate page", 200, chromedp.Click(chromedp.ID("buka-sertifikat")))
	tab.do("issuance page", chromedp.WaitVisible(chromedp.ID("form-periksa")))

	// ---- checks, then sign ----
	tab.navigate("run the checks", 200, chromedp.Click(chromedp.CSS(`#form-periksa button`)))
	tab.do("checks passed", chromedp.WaitVisible(chromedp.ID("periksa-lulus")), chromedp.WaitVisible(chromedp.ID("form-terbitkan")))
	tab.shoot("sertifikat-periksa", "#form-terbitkan")
	// The browser itself refuses the form until the box is ticked.
	if got := tab.eval("validity", `document.getElementById("form-terbitkan").checkValidity() ? "valid" : "invalid"`); got != "invalid" {
		t.Errorf("the signing form is %s without the confirmation", got)
	}
	tab.do("confirm", chromedp.Click(chromedp.ID("konfirmasi")))
	tab.navigate("sign", 200, chromedp.Click(chromedp.CSS(`#form-terbitkan button[type="submit"]`)))
	// The batch is signed by a background job: its progress page (kept up to date by
	// tugas.js) leads back to the issuance page with the outcome.
	tab.do("signing job", chromedp.WaitVisible(chromedp.ID("tugas")), chromedp.WaitVisible(chromedp.ID("tugas-lanjut")))
	if phase := tab.must("job phase", chromedp.Text(chromedp.ID("tugas-tahap"))); phase != "Selesai" {
		t.Errorf("job phase %q, want Selesai", phase)
	}
	if msg := tab.must("job message", chromedp.Text(chromedp.ID("tugas-pesan"))); msg != "2 sertifikat ditandatangani dan diterbitkan." {
		t.Errorf("job message %q", msg)
	}
	tab.shoot("tugas-penerbitan", "#tugas-lanjut")
	tab.navigate("back to the issuance page", 200, chromedp.Click(chromedp.ID("tugas-lanjut")))
	tab.do("issued", chromedp.WaitVisible(chromedp.ID("hasil-tugas")), chromedp.WaitVisible(chromedp.ID("unduh-zip")))
	if flash := tab.must("outcome", chromedp.Text(chromedp.ID("hasil-tugas"))); flash != "2 sertifikat ditandatangani dan diterbitkan." {
		t.Errorf("outcome after signing: %q", flash)
	}
	tab.shoot("sertifikat-kegiatan", "#tabel-sertifikat")

	// ---- all PDFs in one ZIP, built by a background job, then offered for download ----
	tab.navigate("zip job", 200, chromedp.Click(chromedp.ID("unduh-zip")))
	tab.do("zip ready", chromedp.WaitVisible(chromedp.ID("tugas-unduh")))
	if got := tab.must("zip progress", chromedp.Text(chromedp.ID("tugas-angka"))); !strings.Contains(got, "2 dari 2") {
		t.Errorf("zip job count %q, want 2 dari 2", got)
	}
	if href := tab.eval("download link", `document.getElementById("tugas-unduh").getAttribute("href")`); !strings.HasPrefix(href, "/tugas/") ||
		!strings.HasSuffix(href, "/unduh") {
		t.Errorf("download link %q", href)
	}
	tab.shoot("tugas-zip", "#tugas-unduh")
	tab.navigate("back to the certificates", 200, chromedp.Navigate(base+"/usulan/1/sertifikat"))
	tab.do("certificates", chromedp.WaitVisible(chromedp.ID("tabel-sertifikat")))
	a1 := ts.cpCert(t, nipA1)

	// ---- the certificate's page ----
	tab.navigate("open certificate", 200, chromedp.Click(chromedp.CSS(`#tabel-sertifikat a[href="/sertifikat/`+a1.ID+`"]`)))
	tab.do("certificate page", chromedp.WaitVisible(chromedp.ID("tautan-verifikasi")))
	if got := tab.eval("qr loaded", `(() => { const i = document.querySelector("img.qr"); return i.complete && i.naturalWidth > 0 ? "ok" : "broken"; })()`); got != "ok" {
		t.Errorf("the QR image is %s", got)
	}
	if badge := tab.must("badge", chromedp.Text(chromedp.CSS(".request-meta .badge"))); !strings.Contains(badge, "SAH") {
		t.Errorf("certificate badge %q, want SAH", badge)
	}
	tab.shoot("sertifikat", "#tautan-verifikasi")

	// The verification link: in the harness it points at http://sertika.test, so open its
	// path on the test server.
	link := tab.eval("verification link", `document.getElementById("tautan-verifikasi").getAttribute("href")`)
	if link != ts.srv.Issuance.VerifyURL(&a1) {
		t.Errorf("verification link %q, want %q", link, ts.srv.Issuance.VerifyURL(&a1))
	}
	short := link[strings.LastIndex(link, "/")+1:]
	tab.navigate("verification page", 200, chromedp.Navigate(base+"/v/"+short))
	tab.do("verdict", chromedp.WaitVisible(chromedp.CSS(".verdict")))
	if v := tab.must("verdict", chromedp.Text(chromedp.CSS(".verdict strong"))); v != "SAH" {
		t.Errorf("verdict %q, want SAH", v)
	}
	tab.shoot("verifikasi-sah", ".verdict")

	// ---- revoke through the form ----
	tab.navigate("back to the certificate", 200, chromedp.Navigate(base+"/sertifikat/"+a1.ID))
	tab.do("open the revoke form", chromedp.WaitVisible(chromedp.ID("tautan-verifikasi")),
		chromedp.Click(chromedp.CSS(`details:has(#form-cabut) > summary`)))
	tab.do("fill the revoke form",
		chromedp.WaitVisible(chromedp.ID("catatan-cabut")),
		chromedp.SetValue(chromedp.ID("alasan"), issuer.ReasonIssuedInError),
		chromedp.SendKeys(chromedp.ID("catatan-cabut"), "Peserta tidak hadir; daftar hadir salah catat."),
		chromedp.Click(chromedp.CSS(`#form-cabut input[name="konfirmasi"]`)),
	)
	tab.navigate("revoke", 200, chromedp.Click(chromedp.CSS(`#form-cabut button[type="submit"]`)))
	tab.do("revoked", chromedp.WaitVisible(chromedp.CSS(".flash")))
	if badge := tab.must("badge", chromedp.Text(chromedp.CSS(".request-meta .badge"))); !strings.Contains(badge, "DICABUT") {
		t.Errorf("revoked certificate badge %q", badge)
	}
	if reason := tab.must("reason", chromedp.Text(chromedp.ID("alasan-cabut"))); reason != "Diterbitkan karena kekeliruan" {
		t.Errorf("revocation reason %q", reason)
	}
	tab.shoot("sertifikat-dicabut", "#alasan-cabut")

	tab.navigate("verification page after revocation", 200, chromedp.Navigate(base+"/v/"+short))
	tab.do("verdict revoked", chromedp.WaitVisible(chromedp.CSS(".verdict")))
	if v := tab.must("verdict", chromedp.Text(chromedp.CSS(".verdict strong"))); v != "DICABUT" {
		t.Errorf("verdict after revocation %q, want DICABUT", v)
	}
	tab.shoot("verifikasi-dicabut", ".verdict")

	// The list shows both certificates, the revoked one marked in words.
	tab.navigate("list", 200, chromedp.Navigate(base+"/sertifikat"))
	tab.do("list table", chromedp.WaitVisible(chromedp.ID("sertifikat")))
	if list := tab.must("list", chromedp.Text(chromedp.ID("sertifikat"))); !strings.Contains(list, "DICABUT") || !strings.Contains(list, "SAH") {
		t.Errorf("list %q lacks the states", list)
	}
	tab.shoot("sertifikat-daftar", "#sertifikat")

	// ---- a made-up token ----
	tab.do("garbage", chromedp.Navigate(base+"/v/garbage"), chromedp.WaitVisible(chromedp.CSS(".verdict")))
	if v := tab.must("verdict", chromedp.Text(chromedp.CSS(".verdict strong"))); v != "TIDAK SAH" {
		t.Errorf("verdict for garbage %q, want TIDAK SAH", v)
	}
	tab.shoot("verifikasi-tidak-sah", ".verdict")
	t.Logf("screenshots in %s", tab.dir)
}
