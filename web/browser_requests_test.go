package web

import (
	"context"
	"os"
	"path/filepath"
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
	signIn := func(username string) {
		t.Helper()
		do("login form "+username, chromedp.Navigate(base+"/masuk"), chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), testPassword))
		navigate("sign in "+username, 200, chromedp.Submit(chromedp.ID("password")))
		do("dashboard "+username, chromedp.WaitVisible(chromedp.CSS("main h1")))
	}

	// shoot takes screenshots of the current page on a desktop and on a 390 px phone (then
	// returns to the desktop), and fails when the page is wider than the viewport.
	dir := screenshotDir(t)
	shoot := func(name string, ready chromedp.ID) {
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

	// ---- the OPD writes and submits a request ----
	signIn(testUsers[domain.RoleOPD])
	navigate("Buat usulan", 200, chromedp.Click(chromedp.CSS(`a[href="/usulan/baru"]`)))
	do("form", chromedp.WaitVisible(chromedp.ID("title")))

	// The small script follows the kind: the form (Bentuk) and the leadership level.
	if got := eval("kepemimpinan", `(() => { const k = document.getElementById("kind"); k.value = "kepemimpinan";
		k.dispatchEvent(new Event("change")); return document.getElementById("bentuk-nilai").textContent + "|" +
		document.getElementById("bagian-tingkat").hidden; })()`); got != "Klasikal|false" {
		t.Errorf("kind kepemimpinan: %q, want Klasikal and the level shown", got)
	}
	if got := eval("coaching", `(() => { const k = document.getElementById("kind"); k.value = "coaching";
		k.dispatchEvent(new Event("change")); return document.getElementById("bentuk-nilai").textContent + "|" +
		document.getElementById("bagian-tingkat").hidden; })()`); got != "Nonklasikal|true" {
		t.Errorf("kind coaching: %q, want Nonklasikal and the level hidden", got)
	}

	start := domain.DateOf(ts.db.Now().Add(7*time.Hour).AddDate(0, 0, 21))
	const title = "Pelatihan Teknis Penyusunan Modul Ajar Berdiferensiasi"
	do("fill the form",
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
	shoot("usulan-formulir", chromedp.ID("simpan"))
	navigate("save", 200, chromedp.Click(chromedp.ID("simpan")))
	do("detail", chromedp.WaitVisible(chromedp.ID("form-ajukan")))
	loc := must("location", chromedp.Location())
	m := regexp.MustCompile(`/usulan/(\d+)$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after saving the form the browser is at %s", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	if badge := must("badge", chromedp.Text(chromedp.CSS(".request-meta .badge"))); badge != "Draf" {
		t.Errorf("new request's badge %q", badge)
	}
	navigate("submit", 200, chromedp.Click(chromedp.CSS(`#form-ajukan button[type="submit"]`)))
	do("submitted", chromedp.WaitVisible(chromedp.CSS(".flash")))
	if badge := must("badge", chromedp.Text(chromedp.CSS(".request-meta .badge"))); badge != "Diajukan" {
		t.Errorf("after submit the badge says %q", badge)
	}
	navigate("sign out", 200, chromedp.Click(chromedp.CSS(`form[action="/keluar"] button`)))

	// ---- the reviewer approves it from the queue ----
	signIn(testUsers[domain.RoleVerifikator])
	if bell := must("bell", chromedp.Text(chromedp.ID("belum-dibaca"))); !strings.HasPrefix(bell, "2") {
		t.Errorf("reviewer's bell %q, want 2 unread (the sample and this request)", bell)
	}
	navigate("queue", 200, chromedp.Click(chromedp.CSS(`nav a[href="/antrean"]`)))
	do("queue table", chromedp.WaitVisible(chromedp.ID("menunggu-keputusan")))
	shoot("antrean", chromedp.ID("menunggu-keputusan"))
	queue := must("queue text", chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(queue, title) || !strings.Contains(queue, "menunggu sejak hari ini") {
		t.Errorf("queue lacks the request or its age: %q", queue)
	}
	navigate("open request", 200, chromedp.Click(chromedp.CSS(`main a[href="/usulan/`+m[1]+`"]`)))
	do("decision page", chromedp.WaitVisible(chromedp.ID("form-setujui")), chromedp.WaitVisible(chromedp.ID("beban-jp")))
	shoot("usulan-keputusan", chromedp.ID("form-setujui"))
	navigate("approve", 200, chromedp.Click(chromedp.CSS(`#form-setujui button[type="submit"]`)))
	do("approved", chromedp.WaitVisible(chromedp.ID("nomor-rekomendasi")))

	d, err := ts.srv.Requests.Get(context.Background(), domain.System, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Request.State != issuer.StateApproved {
		t.Fatalf("request %d is %s after approval in the browser", id, d.Request.State)
	}
	if badge := must("badge", chromedp.Text(chromedp.CSS(".request-meta .badge"))); badge != "Disetujui" {
		t.Errorf("approved badge %q", badge)
	}
	if number := must("number", chromedp.Text(chromedp.ID("nomor-rekomendasi"))); number != d.Request.Recommendation() {
		t.Errorf("page shows number %q, service %q", number, d.Request.Recommendation())
	}
	if flash := must("flash", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, d.Request.Recommendation()) {
		t.Errorf("flash %q lacks the number", flash)
	}

	// Screenshots of the approved request's page.
	shoot("usulan", chromedp.ID("nomor-rekomendasi"))
	t.Logf("screenshots in %s", dir)
}
