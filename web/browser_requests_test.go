package web

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/issuer"
)

// TestBrowserRequestApproval drives the approval workflow in Chromium over a real socket: an
// OPD user writes a request in the form and submits it, signs out; a reviewer signs in,
// opens the queue, opens the request and approves it. Screenshots of the approved request's
// page on a desktop and on a 390 px phone go to screenshotDir.
func TestBrowserRequestApproval(t *testing.T) {
	ctx := newChromium(t)
	ts := newTestServer(t, testdb.New(t, database.SQLite))
	base := ts.pagesListen(t)

	tab := newChromeTab(t, ctx, base)

	// ---- the OPD writes and submits a request ----
	tab.signIn(testUsers[domain.RoleOPD], "main h1")
	tab.navigate("Buat usulan", 200, chromedp.Click(chromedp.CSS(`a[href="/usulan/baru"]`)))
	tab.do("form", chromedp.WaitVisible(chromedp.ID("title")))

	// The small script follows the kind: the form (Bentuk) and the leadership level.
	if got := tab.eval("kepemimpinan", `(() => { const k = document.getElementById("kind"); k.value = "kepemimpinan";
		k.dispatchEvent(new Event("change")); return document.getElementById("bentuk-nilai").textContent + "|" +
		document.getElementById("bagian-tingkat").hidden; })()`); got != "Klasikal|false" {
		t.Errorf("kind kepemimpinan: %q, want Klasikal and the level shown", got)
	}
	if got := tab.eval("coaching", `(() => { const k = document.getElementById("kind"); k.value = "coaching";
		k.dispatchEvent(new Event("change")); return document.getElementById("bentuk-nilai").textContent + "|" +
		document.getElementById("bagian-tingkat").hidden; })()`); got != "Nonklasikal|true" {
		t.Errorf("kind coaching: %q, want Nonklasikal and the level hidden", got)
	}

	start := domain.DateOf(ts.db.Now().Add(7*time.Hour).AddDate(0, 0, 21))
	const title = "Pelatihan Teknis Penyusunan Modul Ajar Berdiferensiasi"
	tab.do("fill the form",
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SetValue(chromedp.ID("kind"), "teknis"),
		chromedp.SetValue(chromedp.ID("organizer"), "bkpsdm"),
		chromedp.SendKeys(chromedp.ID("place"), "Aula BKPSDM"),
		chromedp.SetValue(chromedp.ID("start_date"), start.String()),
		chromedp.SetValue(chromedp.ID("end_date"), start.AddDate(0, 0, 2).Format(domain.DateLayout)),
		chromedp.SetValue(chromedp.ID("jp"), "24"),
		chromedp.SendKeys(chromedp.ID("objectives"), "Guru mampu menyusun modul ajar berdiferensiasi."),
		chromedp.SendKeys(chromedp.ID("budget_source"), "DPA Dinas Pendidikan"),
		chromedp.Click(chromedp.CSS(`input[name="peserta"][value="`+nipA1+`"]`)),
		chromedp.SendKeys(chromedp.ID("nip_list"), "19700101 200001 2 002"),
	)
	tab.shoot("usulan-formulir", "#simpan")
	tab.navigate("save", 200, chromedp.Click(chromedp.ID("simpan")))
	tab.do("detail", chromedp.WaitVisible(chromedp.ID("form-ajukan")))
	loc := tab.must("location", chromedp.Location())
	m := regexp.MustCompile(`/usulan/(\d+)$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after saving the form the browser is at %s", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	if badge := tab.must("badge", chromedp.Text(chromedp.CSS(".request-meta .badge"))); badge != "Draf" {
		t.Errorf("new request's badge %q", badge)
	}
	tab.navigate("submit", 200, chromedp.Click(chromedp.CSS(`#form-ajukan button[type="submit"]`)))
	tab.do("submitted", chromedp.WaitVisible(chromedp.CSS(".flash")))
	if badge := tab.must("badge", chromedp.Text(chromedp.CSS(".request-meta .badge"))); badge != "Diajukan" {
		t.Errorf("after submit the badge says %q", badge)
	}
	tab.navigate("sign out", 200, chromedp.Click(chromedp.CSS(`form[action="/keluar"] button`)))

	// ---- the reviewer approves it from the queue ----
	tab.signIn(testUsers[domain.RoleVerifikator], "main h1")
	if bell := tab.must("bell", chromedp.Text(chromedp.ID("belum-dibaca"))); !strings.HasPrefix(bell, "2") {
		t.Errorf("reviewer's bell %q, want 2 unread (the sample and this request)", bell)
	}
	tab.navigate("queue", 200, chromedp.Click(chromedp.CSS(`nav a[href="/antrean"]`)))
	tab.do("queue table", chromedp.WaitVisible(chromedp.ID("menunggu-keputusan")))
	tab.shoot("antrean", "#menunggu-keputusan")
	queue := tab.must("queue text", chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(queue, title) || !strings.Contains(queue, "menunggu sejak hari ini") {
		t.Errorf("queue lacks the request or its age: %q", queue)
	}
	tab.navigate("open request", 200, chromedp.Click(chromedp.CSS(`main a[href="/usulan/`+m[1]+`"]`)))
	tab.do("decision page", chromedp.WaitVisible(chromedp.ID("form-setujui")), chromedp.WaitVisible(chromedp.ID("beban-jp")))
	tab.shoot("usulan-keputusan", "#form-setujui")
	tab.navigate("approve", 200, chromedp.Click(chromedp.CSS(`#form-setujui button[type="submit"]`)))
	tab.do("approved", chromedp.WaitVisible(chromedp.ID("nomor-rekomendasi")))

	d, err := ts.srv.Requests.Get(context.Background(), domain.System, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Request.State != issuer.StateApproved {
		t.Fatalf("request %d is %s after approval in the browser", id, d.Request.State)
	}
	if badge := tab.must("badge", chromedp.Text(chromedp.CSS(".request-meta .badge"))); badge != "Disetujui" {
		t.Errorf("approved badge %q", badge)
	}
	if number := tab.must("number", chromedp.Text(chromedp.ID("nomor-rekomendasi"))); number != d.Request.Recommendation() {
		t.Errorf("page shows number %q, service %q", number, d.Request.Recommendation())
	}
	if flash := tab.must("flash", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, d.Request.Recommendation()) {
		t.Errorf("flash %q lacks the number", flash)
	}

	// Screenshots of the approved request's page.
	tab.shoot("usulan", "#nomor-rekomendasi")
	t.Logf("screenshots in %s", tab.dir)
}
