package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/issuer"
	"github.com/sertika/sertika/scoring"
)

// TestBrowserScoring drives the IP ASN pages in Chromium over a real socket. The signer
// (a BKPSDM role) issues the sample request's certificates through the issuance page, opens
// Skor IP ASN from the menu, and every number the agency dashboard shows (read from the
// elements' data-value, and the words of the category) equals GET /api/v1/score; then the
// per-OPD table leads to DISDIK and the employee table to nipA1, whose page equals GET
// /api/v1/employees/{nip}/score and cites the new certificate. Screenshots of the
// dashboard, the employee page and the printed report, on a desktop and a 390 px phone, go
// to screenshotDir; nothing may stick out sideways; the report prints as A4.
func TestBrowserScoring(t *testing.T) {
	ctx := newChromium(t)
	clock := &fakeClock{now: time.Now().UTC().Truncate(time.Second)}
	ts := newTestServer(t, testdb.NewWithClock(t, database.SQLite, clock.Now))
	bg := context.Background()
	ts.cpAgency(t)
	rev, opd := ts.rpActor(testUsers[domain.RoleVerifikator]), ts.rpActor(testUsers[domain.RoleOPD])
	if _, err := ts.srv.Requests.Approve(bg, rev, 1, ""); err != nil {
		t.Fatal(err)
	}
	cpAfter(clock)
	if _, err := ts.srv.Requests.SubmitReport(bg, opd, 1, issuer.ReportInput{Participants: []issuer.ReportRow{
		{NIP: nipA1, Attended: true, Passed: true, JP: jp(24)}, {NIP: nipA2, Attended: true, Passed: true, JP: jp(20)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.srv.Requests.VerifyReport(bg, rev, 1, "Sesuai daftar hadir."); err != nil {
		t.Fatal(err)
	}
	year := ts.srv.Scoring.CurrentYear()
	// Last year's scores for the trend, this year's for everyone, and a target.
	for _, y := range []int{year - 1, year} {
		if _, err := ts.srv.Scoring.RescoreAll(bg, scoring.RescoreOptions{Year: y}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ts.srv.Scoring.SetTarget(bg, ts.rpActor(testUsers[domain.RoleAdmin]), year, 75); err != nil {
		t.Fatal(err)
	}
	base := ts.pagesListen(t)
	signer := testUsers[domain.RolePenandatangan]

	tab := newChromeTab(t, ctx, base)
	text := func(what string, sel string) string {
		t.Helper()
		return tab.must(what, chromedp.Text(chromedp.CSS(sel)))
	}
	// value reads the data-value of #id as a number.
	value := func(id string) float64 {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const e = document.getElementById(`+strconv.Quote(id)+`); return e ? e.dataset.value || "" : "missing"; })()`))
		if err != nil {
			t.Fatalf("#%s: %v", id, err)
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("#%s: data-value %q", id, v)
		}
		return f
	}
	same := func(what string, got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("%s: the page shows %v, the API %v", what, got, want)
		}
	}

	// ---- the signer issues the certificates on the issuance page ----
	tab.signIn(signer, "#kartu-skor")
	tab.navigate("issuance page", 200, chromedp.Navigate(base+"/usulan/1/sertifikat"))
	tab.navigate("run the checks", 200, chromedp.Click(chromedp.CSS(`#form-periksa button`)))
	tab.do("checks passed", chromedp.WaitVisible(chromedp.ID("form-terbitkan")), chromedp.Click(chromedp.ID("konfirmasi")))
	tab.navigate("sign", 200, chromedp.Click(chromedp.CSS(`#form-terbitkan button[type="submit"]`)))
	// Signing answers with the issued batch, or with the progress page of a signing job
	// that finishes in the background.
	tab.do("issued", chromedp.WaitVisible(chromedp.CSS(`#tabel-sertifikat, #tugas[data-state="done"]`)))
	cert := ts.cpCert(t, nipA1)

	// ---- the agency dashboard equals GET /api/v1/score ----
	tok := ts.apiToken(signer)
	var d scoring.Dashboard
	if err := json.Unmarshal([]byte(ts.call(t, "GET", fmt.Sprintf("/api/v1/score?year=%d", year), tok, "", 200)), &d); err != nil {
		t.Fatal(err)
	}
	if d.Summary.Count != 3 || d.Target == nil || d.Achievement == nil {
		t.Fatalf("API dashboard: %+v", d)
	}
	tab.navigate("menu Skor IP ASN", 200, chromedp.Click(chromedp.CSS(`nav a[href="/skor"]`)))
	tab.do("dashboard", chromedp.WaitVisible(chromedp.ID("ip-total")))
	sum := d.Summary
	same("IP ASN", value("ip-total"), sum.Total)
	if got := text("category", "#ip-kategori"); got != sum.CategoryLabel {
		t.Errorf("category %q, want %q", got, sum.CategoryLabel)
	}
	same("kualifikasi", value("dim-kualifikasi"), sum.Kualifikasi)
	same("kompetensi", value("dim-kompetensi"), sum.Kompetensi)
	same("kinerja", value("dim-kinerja"), sum.Kinerja)
	same("disiplin", value("dim-disiplin"), sum.Disiplin)
	same("target", value("ip-target"), *d.Target)
	same("achievement", value("ip-capaian"), *d.Achievement)
	same("scored", value("jumlah-bernilai"), float64(d.Scored))
	same("employees", value("jumlah-pegawai"), float64(d.Employees))
	same("below JP", value("jumlah-bawah-jp"), float64(d.BelowJP))
	same("incomplete", value("jumlah-tidak-lengkap"), float64(d.Incomplete))
	for _, cc := range sum.Distribution {
		same("distribution "+cc.Label, value("dist-"+string(cc.Category)), float64(cc.Count))
	}
	// The shown IP is the API's, written the Indonesian way.
	if got, want := text("IP text", "#ip-total"), dec2(sum.Total); got != want {
		t.Errorf("IP reads %q, want %q", got, want)
	}
	// The trend chart is an accessible image with its data table.
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const s = document.getElementById("tren");
		return s.getAttribute("role") + "|" + s.querySelector("title").textContent + "|" + document.querySelectorAll("#tabel-tren tbody tr").length; })()`)); err != nil || got != "img|Tren IP ASN per tahun|2" {
		t.Errorf("trend chart: %q %v", got, err)
	}
	tab.shoot("skor-instansi", "#ip-total")

	// ---- the OPD and the employee ----
	tab.navigate("open DISDIK", 200, chromedp.Click(chromedp.CSS(`#tabel-opd a[href="/skor/opd/DISDIK"]`)))
	tab.do("OPD dashboard", chromedp.WaitVisible(chromedp.ID("daftar-pegawai")))
	tab.shoot("skor-opd", "#daftar-pegawai")
	tab.navigate("open the employee", 200, chromedp.Click(chromedp.CSS(`#pegawai a[href="/skor/pegawai/`+nipA1+`"]`)))
	tab.do("employee page", chromedp.WaitVisible(chromedp.ID("penjelasan-kompetensi")))
	var sc struct {
		Total, Kualifikasi, Kompetensi, Kinerja, Disiplin float64
		CategoryLabel                                     string `json:"category_label"`
		JPThisYear                                        int    `json:"jp_this_year"`
		JPDuty                                            int    `json:"jp_duty"`
	}
	if err := json.Unmarshal([]byte(ts.call(t, "GET", fmt.Sprintf("/api/v1/employees/%s/score?year=%d", nipA1, year), tok, "", 200)), &sc); err != nil {
		t.Fatal(err)
	}
	same("employee IP", value("ip-total"), sc.Total)
	same("employee kualifikasi", value("dim-kualifikasi"), sc.Kualifikasi)
	same("employee kompetensi", value("dim-kompetensi"), sc.Kompetensi)
	same("employee kinerja", value("dim-kinerja"), sc.Kinerja)
	same("employee disiplin", value("dim-disiplin"), sc.Disiplin)
	same("JP this year", value("jp-tahun-ini"), float64(sc.JPThisYear))
	same("JP duty", value("jp-kewajiban"), float64(sc.JPDuty))
	if got := text("employee category", "#ip-kategori"); got != sc.CategoryLabel {
		t.Errorf("employee category %q, want %q", got, sc.CategoryLabel)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.querySelectorAll('#penjelasan-kompetensi a[href="/sertifikat/`+cert.ID+`"]').length`)); err != nil || n != 1 {
		t.Errorf("the kompetensi explanation links the certificate %s %d times (%v)", cert.ID, n, err)
	}
	tab.shoot("skor-pegawai", "#penjelasan-kompetensi")

	// ---- the printed report: no menu, A4 ----
	tab.navigate("print page", 200, chromedp.Navigate(base+"/skor/cetak"))
	tab.do("report", chromedp.WaitVisible(chromedp.ID("tabel-opd")))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.querySelectorAll("nav[aria-label='Menu utama']").length`)); err != nil || n != 0 {
		t.Errorf("the report has the menu (%d, %v)", n, err)
	}
	tab.shoot("skor-cetak", "#tabel-opd")
	prefer := true
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPrintBackground(),
		func(p *page.PrintToPDFParams) { p.PreferCSSPageSize = &prefer }))
	if err != nil {
		t.Fatalf("print: %v", err)
	}
	if err := os.WriteFile(filepath.Join(tab.dir, "skor-cetak.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	// The stylesheet asks for A4 (595 × 842 points): every page of the PDF is.
	boxes := mediaBoxRE.FindAllStringSubmatch(string(pdf), -1)
	if len(boxes) == 0 {
		t.Error("no page size in the printed report")
	}
	for _, b := range boxes {
		w, _ := strconv.ParseFloat(b[1], 64)
		h, _ := strconv.ParseFloat(b[2], 64)
		if math.Abs(w-595.3) > 1 || math.Abs(h-841.9) > 1 {
			t.Errorf("a page of the printed report is %v × %v points, want A4", w, h)
		}
	}
	t.Logf("the printed report has %d A4 pages", len(boxes))
	t.Logf("screenshots and the printed report in %s", tab.dir)
}

// mediaBoxRE finds the page sizes of a PDF.
var mediaBoxRE = regexp.MustCompile(`/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`)
