package web

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/testdb"
)

// chromiumPath is Debian's Chromium, driven headless by the browser tests.
const chromiumPath = "/usr/bin/chromium"

// newChromium starts a headless Chromium with a fresh profile and returns a browser
// context, closed when the test ends. Without Chromium the test fails, unless
// SERTIKA_TEST_SKIP_BROWSER=1 asks to skip it.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("SERTIKA_TEST_SKIP_BROWSER") == "1" {
			t.Skipf("%s not found and SERTIKA_TEST_SKIP_BROWSER=1: skipping the browser test", chromiumPath)
		}
		t.Fatalf("%s not found (%v): install Chromium (apt-get install chromium) or set SERTIKA_TEST_SKIP_BROWSER=1", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser and opens the tab
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// screenshotDir is where screenshots go: $SERTIKA_TEST_SCREENSHOTS when set (to look at
// them after the run), else a temporary directory.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("SERTIKA_TEST_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// chromeTab drives one Chromium tab against a test server at base for one test; every
// method fails the test on error.
type chromeTab struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string // where shoot writes its screenshots (screenshotDir)
}

// newChromeTab drives the tab ctx (from newChromium) for a test server listening at base.
func newChromeTab(t *testing.T, ctx context.Context, base string) *chromeTab {
	return &chromeTab{t: t, ctx: ctx, base: base, dir: screenshotDir(t)}
}

// must runs an action and returns its value.
func (b *chromeTab) must(what string, a chromedp.Action[string]) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// do runs steps.
func (b *chromeTab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// navigate runs steps that load a page (a link, a form) and checks its status.
func (b *chromeTab) navigate(what string, wantStatus int64, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, steps...)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	if resp.Status != wantStatus {
		b.t.Errorf("%s: status %d, want %d", what, resp.Status, wantStatus)
	}
}

// eval evaluates a JavaScript expression that gives a string.
func (b *chromeTab) eval(what, js string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// signIn types username and testPassword into the login form, submits it and waits for
// ready on the page it leads to.
func (b *chromeTab) signIn(username string, ready chromedp.CSS) {
	b.t.Helper()
	b.do("login form "+username, chromedp.Navigate(b.base+"/masuk"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), testPassword))
	b.navigate("sign in "+username, 200, chromedp.Submit(chromedp.ID("password")))
	b.do("page after sign-in "+username, chromedp.WaitVisible(ready))
}

// shoot takes screenshots of the current page, once ready is visible, on a 390 px phone
// and then on a desktop (where it leaves the viewport), and fails when the page is wider
// than the viewport.
func (b *chromeTab) shoot(name string, ready chromedp.CSS) {
	b.t.Helper()
	for _, vp := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{name + "-390.png", 390, 844, true}, {name + "-1280.png", 1280, 900, false}} {
		var opts []chromedp.EmulateViewportOption
		if vp.mobile {
			opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
		}
		b.do("viewport "+vp.name, chromedp.EmulateViewport(vp.width, vp.height, opts...), chromedp.WaitVisible(ready))
		overflow, err := chromedp.Run(b.ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
		if err != nil {
			b.t.Fatal(err)
		}
		if overflow > 0 {
			b.t.Errorf("%s: the page is %d px wider than the viewport", vp.name, overflow)
		}
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", vp.name, err)
		}
		if err := os.WriteFile(filepath.Join(b.dir, vp.name), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}

// TestBrowserLoginAndSearch drives the real pages in Chromium over a real socket: the login
// form, the dashboard (screenshots on a 390 px phone and on a desktop), the employee search
// and an upload over the body limit.
func TestBrowserLoginAndSearch(t *testing.T) {
	ctx := newChromium(t)
	ts := newTestServer(t, testdb.New(t, database.SQLite))
	base := ts.pagesListen(t)
	tab := newChromeTab(t, ctx, base)

	// Anonymous: / sends the browser to the login form.
	tab.do("open /", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("username")))
	if loc := tab.must("location", chromedp.Location()); !strings.HasPrefix(loc, base+"/masuk") {
		t.Fatalf("anonymous / ended at %s, want the login form", loc)
	}

	// Sign in by typing into the form and submitting it.
	tab.do("type credentials",
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
	)
	tab.navigate("sign in", 200, chromedp.Submit(chromedp.ID("password")))
	tab.do("dashboard", chromedp.WaitVisible(chromedp.CSS(".stats")))
	if h1, loc := tab.must("h1", chromedp.Text(chromedp.CSS("h1"))), tab.must("location", chromedp.Location()); h1 != "Beranda" || loc != base+"/" {
		t.Fatalf("after sign-in: h1 %q at %s, want Beranda at /", h1, loc)
	}

	// The dashboard on a phone and on a desktop.
	dir := tab.dir
	for _, vp := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"beranda-390.png", 390, 844, true}, {"beranda-1280.png", 1280, 900, false}} {
		opts := []chromedp.EmulateViewportOption{}
		if vp.mobile {
			opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile)
		}
		tab.do("viewport "+vp.name, chromedp.EmulateViewport(vp.width, vp.height, opts...), chromedp.Reload(),
			chromedp.WaitVisible(chromedp.CSS(".stats")))
		// Nothing may stick out sideways: the page scrolls only vertically.
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
	t.Logf("screenshots in %s", dir)

	// Search employees: type into the search box and submit.
	tab.do("type a search",
		chromedp.Navigate(base+"/pegawai"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "wija"),
	)
	tab.navigate("search", 200, chromedp.Submit(chromedp.ID("q")))
	tab.do("results", chromedp.WaitVisible(chromedp.ID("pegawai")))
	table := tab.must("result table", chromedp.Text(chromedp.ID("pegawai")))
	if !strings.Contains(table, "Andi Wijaya") || strings.Contains(table, "Budi Santoso") {
		t.Errorf("search for wija: table %q, want Andi Wijaya and not Budi Santoso", table)
	}
	if loc := tab.must("location", chromedp.Location()); !strings.Contains(loc, "q=wija") {
		t.Errorf("search went to %s", loc)
	}

	// An upload over the request body limit (2 MB + 1 MB in the harness): the server answers
	// 413 before reading the body and closes the connection; the browser still shows the
	// Indonesian error page rather than a connection error.
	big := filepath.Join(t.TempDir(), "pegawai-besar.csv")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), 8<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	tab.do("choose a large file",
		chromedp.Navigate(base+"/impor/pegawai"),
		chromedp.WaitVisible(chromedp.ID("berkas")),
		chromedp.SetUploadFiles(chromedp.ID("berkas"), []string{big}),
	)
	tab.navigate("oversized upload", 413, chromedp.Submit(chromedp.ID("berkas")))
	tab.do("error page", chromedp.WaitVisible(chromedp.CSS("p.alert")))
	if h1, msg := tab.must("h1", chromedp.Text(chromedp.CSS("h1"))), tab.must("alert", chromedp.Text(chromedp.CSS("p.alert"))); h1 != "Berkas terlalu besar" || msg != "Berkas atau data yang dikirim terlalu besar." {
		t.Errorf("oversized upload: h1 %q, message %q", h1, msg)
	}
}
