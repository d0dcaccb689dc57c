package web

import (
	"os"
	"path/filepath"
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

	must := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	navigate := func(what string, wantStatus int64, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, steps...)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if resp.Status != wantStatus {
			t.Errorf("%s: status %d, want %d", what, resp.Status, wantStatus)
		}
	}
	eval := func(what, js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	dir := screenshotDir(t)
	shoot := func(name string, ready chromedp.CSS) {
		t.Helper()
		for _, vp := range []struct {
			name          string
			width, height int64
			mobile        bool
		}{{name + "-390.png", 390, 844, true}, {name + "-1280.png", 1280, 900, false}} {
			var opts []chromedp.EmulateViewportOption
			if vp.mobile {
				opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
			}
			do("viewport "+vp.name, chromedp.EmulateViewport(vp.width, vp.height, opts...), chromedp.WaitVisible(ready))
			overflow, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if overflow > 0 {
				t.Errorf("%s: the page is %d px wider than the viewport", vp.name, overflow)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", vp.name, err)
			}
			if err := os.WriteFile(filepath.Join(dir, vp.name), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	signIn := func() {
		t.Helper()
		do("login form", chromedp.Navigate(base+"/masuk"), chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SendKeys(chromedp.ID("username"), testUsers[domain.RolePenandatangan]), chromedp.SendKeys(chromedp.ID("password"), testPassword))
		navigate("sign in", 200, chromedp.Submit(chromedp.ID("password")))
		do("dashboard", chromedp.WaitVisible(chromedp.CSS("main h1")))
	}

	// ---- before the activity is over the checks refuse the batch ----
	signIn()
	navigate("menu Sertifikat", 200, chromedp.Click(chromedp.CSS(`nav a[href="/sertifikat"]`)))
	do("ready list", chromedp.WaitVisible(chromedp.ID("siap-ditandatangani")))
	navigate("open the ready request", 200, chromedp.Click(chromedp.CSS(`#siap-ditandatangani a[href="/usulan/1/sertifikat"]`)))
	do("issuance page", chromedp.WaitVisible(chromedp.ID("form-periksa")))
	navigate("run the checks early", 200, chromedp.Click(chromedp.CSS(`#form-periksa button`)))
	do("findings", chromedp.WaitVisible(chromedp.ID("tabel-temuan")))
	if f := must("findings", chromedp.Text(chromedp.ID("tabel-temuan"))); !strings.Contains(f, "Kegiatan belum selesai") {
		t.Errorf("findings before the end of the activity: %q", f)
	}
	if n := eval("sign form", `String(document.querySelectorAll("#form-terbitkan").length)`); n != "0" {
		t.Error("the signing form is offered despite findings")
	}
	shoot("sertifikat-temuan", "#tabel-temuan")

	// ---- a month later (the session has lapsed): the signer opens the request ----
	cpAfter(clock)
	signIn()
	navigate("request page", 200, chromedp.Navigate(base+"/usulan/1"))
	navigate("open the certificate page", 200, chromedp.Click(chromedp.ID("buka-sertifikat")))
	do("issuance page", chromedp.WaitVisible(chromedp.ID("form-periksa")))

	// ---- checks, then sign ----
	navigate("run the checks", 200, chromedp.Click(chromedp.CSS(`#form-periksa button`)))
	do("checks passed", chromedp.WaitVisible(chromedp.ID("periksa-lulus")), chromedp.WaitVisible(chromedp.ID("form-terbitkan")))
	shoot("sertifikat-periksa", "#form-terbitkan")
	// The browser itself refuses the form until the box is ticked.
	if got := eval("validity", `document.getElementById("form-terbitkan").checkValidity() ? "valid" : "invalid"`); got != "invalid" {
		t.Errorf("the signing form is %s without the confirmation", got)
	}
	do("confirm", chromedp.Click(chromedp.ID("konfirmasi")))
	navigate("sign", 200, chromedp.Click(chromedp.CSS(`#form-terbitkan button[type="submit"]`)))
	// The batch is signed by a background job: its progress page (kept up to date by
	// tugas.js) leads back to the issuance page with the outcome.
	do("signing job", chromedp.WaitVisible(chromedp.ID("tugas")), chromedp.WaitVisible(chromedp.ID("tugas-lanjut")))
	if phase := must("job phase", chromedp.Text(chromedp.ID("tugas-tahap"))); phase != "Selesai" {
		t.Errorf("job phase %q, want Selesai", phase)
	}
	if msg := must("job message", chromedp.Text(chromedp.ID("tugas-pesan"))); msg != "2 sertifikat ditandatangani dan diterbitkan." {
		t.Errorf("job message %q", msg)
	}
	shoot("tugas-penerbitan", "#tugas-lanjut")
	navigate("back to the issuance page", 200, chromedp.Click(chromedp.ID("tugas-lanjut")))
	do("issued", chromedp.WaitVisible(chromedp.ID("hasil-tugas")), chromedp.WaitVisible(chromedp.ID("unduh-zip")))
	if flash := must("outcome", chromedp.Text(chromedp.ID("hasil-tugas"))); flash != "2 sertifikat ditandatangani dan diterbitkan." {
		t.Errorf("outcome after signing: %q", flash)
	}
	shoot("sertifikat-kegiatan", "#tabel-sertifikat")

	// ---- all PDFs in one ZIP, built by a background job, then offered for download ----
	navigate("zip job", 200, chromedp.Click(chromedp.ID("unduh-zip")))
	do("zip ready", chromedp.WaitVisible(chromedp.ID("tugas-unduh")))
	if got := must("zip progress", chromedp.Text(chromedp.ID("tugas-angka"))); !strings.Contains(got, "2 dari 2") {
		t.Errorf("zip job count %q, want 2 dari 2", got)
	}
	if href := eval("download link", `document.getElementById("tugas-unduh").getAttribute("href")`); !strings.HasPrefix(href, "/tugas/") ||
		!strings.HasSuffix(href, "/unduh") {
		t.Errorf("download link %q", href)
	}
	shoot("tugas-zip", "#tugas-unduh")
	navigate("back to the certificates", 200, chromedp.Navigate(base+"/usulan/1/sertifikat"))
	do("certificates", chromedp.WaitVisible(chromedp.ID("tabel-sertifikat")))
	a1 := ts.cpCert(t, nipA1)

	// ---- the certificate's page ----
	navigate("open certificate", 200, chromedp.Click(chromedp.CSS(`#tabel-sertifikat a[href="/sertifikat/`+a1.ID+`"]`)))
	do("certificate page", chromedp.WaitVisible(chromedp.ID("tautan-verifikasi")))
	if got := eval("qr loaded", `(() => { const i = document.querySelector("img.qr"); return i.complete && i.naturalWidth > 0 ? "ok" : "broken"; })()`); got != "ok" {
		t.Errorf("the QR image is %s", got)
	}
	if badge := must("badge", chromedp.Text(chromedp.CSS(".request-meta .badge"))); !strings.Contains(badge, "SAH") {
		t.Errorf("certificate badge %q, want SAH", badge)
	}
	shoot("sertifikat", "#tautan-verifikasi")

	// The verification link: in the harness it points at http://sertika.test, so open its
	// path on the test server.
	link := eval("verification link", `document.getElementById("tautan-verifikasi").getAttribute("href")`)
	if link != ts.srv.Issuance.VerifyURL(&a1) {
		t.Errorf("verification link %q, want %q", link, ts.srv.Issuance.VerifyURL(&a1))
	}
	short := link[strings.LastIndex(link, "/")+1:]
	navigate("verification page", 200, chromedp.Navigate(base+"/v/"+short))
	do("verdict", chromedp.WaitVisible(chromedp.CSS(".verdict")))
	if v := must("verdict", chromedp.Text(chromedp.CSS(".verdict strong"))); v != "SAH" {
		t.Errorf("verdict %q, want SAH", v)
	}
	shoot("verifikasi-sah", ".verdict")

	// ---- revoke through the form ----
	navigate("back to the certificate", 200, chromedp.Navigate(base+"/sertifikat/"+a1.ID))
	do("open the revoke form", chromedp.WaitVisible(chromedp.ID("tautan-verifikasi")),
		chromedp.Click(chromedp.CSS(`details:has(#form-cabut) > summary`)))
	do("fill the revoke form",
		chromedp.WaitVisible(chromedp.ID("catatan-cabut")),
		chromedp.SetValue(chromedp.ID("alasan"), issuer.ReasonIssuedInError),
		chromedp.SendKeys(chromedp.ID("catatan-cabut"), "Peserta tidak hadir; daftar hadir salah catat."),
		chromedp.Click(chromedp.CSS(`#form-cabut input[name="konfirmasi"]`)),
	)
	navigate("revoke", 200, chromedp.Click(chromedp.CSS(`#form-cabut button[type="submit"]`)))
	do("revoked", chromedp.WaitVisible(chromedp.CSS(".flash")))
	if badge := must("badge", chromedp.Text(chromedp.CSS(".request-meta .badge"))); !strings.Contains(badge, "DICABUT") {
		t.Errorf("revoked certificate badge %q", badge)
	}
	if reason := must("reason", chromedp.Text(chromedp.ID("alasan-cabut"))); reason != "Diterbitkan karena kekeliruan" {
		t.Errorf("revocation reason %q", reason)
	}
	shoot("sertifikat-dicabut", "#alasan-cabut")

	navigate("verification page after revocation", 200, chromedp.Navigate(base+"/v/"+short))
	do("verdict revoked", chromedp.WaitVisible(chromedp.CSS(".verdict")))
	if v := must("verdict", chromedp.Text(chromedp.CSS(".verdict strong"))); v != "DICABUT" {
		t.Errorf("verdict after revocation %q, want DICABUT", v)
	}
	shoot("verifikasi-dicabut", ".verdict")

	// The list shows both certificates, the revoked one marked in words.
	navigate("list", 200, chromedp.Navigate(base+"/sertifikat"))
	do("list table", chromedp.WaitVisible(chromedp.ID("sertifikat")))
	if list := must("list", chromedp.Text(chromedp.ID("sertifikat"))); !strings.Contains(list, "DICABUT") || !strings.Contains(list, "SAH") {
		t.Errorf("list %q lacks the states", list)
	}
	shoot("sertifikat-daftar", "#sertifikat")

	// ---- a made-up token ----
	do("garbage", chromedp.Navigate(base+"/v/garbage"), chromedp.WaitVisible(chromedp.CSS(".verdict")))
	if v := must("verdict", chromedp.Text(chromedp.CSS(".verdict strong"))); v != "TIDAK SAH" {
		t.Errorf("verdict for garbage %q, want TIDAK SAH", v)
	}
	shoot("verifikasi-tidak-sah", ".verdict")
	t.Logf("screenshots in %s", dir)
}
