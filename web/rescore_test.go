package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/jobs"
	"github.com/sertika/sertika/scoring"
)

// Tests of the administrator's "hitung ulang semua skor" (web/pages_rescore.go): the form,
// the background job through the page and the API, its audit entry, a second start while
// one runs, and refusals — on both databases.

// followJob takes the answer to a form that starts a background job (303 to /tugas/{id}),
// waits for the job and loads where it leads: its result page when it is done with one,
// else its progress page (which says why it failed). Other answers are returned as they are.
func (b *browser) followJob(resp *http.Response, body string) (*http.Response, string) {
	b.ts.t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/tugas/") {
		return resp, body
	}
	snap := b.ts.waitJob(strings.TrimPrefix(loc, "/tugas/"))
	if snap.State == jobs.Done && snap.URL != "" {
		return b.get(snap.URL)
	}
	return b.get(loc)
}

// waitJob waits (at most a minute) for a job to finish and returns its last snapshot.
func (ts *testServer) waitJob(id string) jobs.Snapshot {
	ts.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	snap, err := ts.srv.Jobs.Wait(ctx, ts.userActor(testUsers[domain.RoleAdmin]), id)
	if err != nil {
		ts.t.Fatalf("job %s: %v", id, err)
	}
	return snap
}

// rescoreCounts are the active employees and, of those, the ones with a score for the year.
func (ts *testServer) rescoreCounts(t *testing.T, year int) (active, scored int64) {
	t.Helper()
	if err := ts.db.Gorm.Raw(`SELECT COUNT(*) FROM employees WHERE active = ?`, true).Scan(&active).Error; err != nil {
		t.Fatal(err)
	}
	if err := ts.db.Gorm.Raw(`SELECT COUNT(*) FROM scores s JOIN employees e ON e.id = s.employee_id WHERE s.year = ? AND e.active = ?`,
		year, true).Scan(&scored).Error; err != nil {
		t.Fatal(err)
	}
	return active, scored
}

// rescoreAudits returns the details of the rescore entries in the audit log by user.
func (ts *testServer) rescoreAudits(t *testing.T, username string) []string {
	t.Helper()
	var out []string
	if err := ts.db.Gorm.Raw(`SELECT detail FROM audit_log WHERE action = ? AND username = ? ORDER BY id`,
		scoring.AuditActionRescore, username).Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRescorePage(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		year := ts.srv.Scoring.CurrentYear()
		y := strconv.Itoa(year)
		admin := ts.login(testUsers[domain.RoleAdmin])
		// A fourth employee, inactive: not scored.
		inactive := domain.Employee{NIP: "199001012015031004", Name: "Dewi Nonaktif", Status: "PNS", OPDID: 1, PositionKind: "pelaksana", Active: false}
		if err := ts.db.Gorm.Create(&inactive).Error; err != nil {
			t.Fatal(err)
		}
		active, _ := ts.rescoreCounts(t, year)
		if active != 3 {
			t.Fatalf("fixture: %d active employees, want 3", active)
		}

		resp, body := admin.get("/skor/hitung-ulang")
		wantPage(t, "form", resp, body, 200, `action="/skor/hitung-ulang"`, `name="tahun"`, `value="`+y+`"`, `name="paksa"`,
			"Apa yang dilakukan", `<dd id="pegawai-aktif">3</dd>`, "log audit")

		// The first run scores every active employee.
		resp, _ = admin.postForm("/skor/hitung-ulang", url.Values{"tahun": {y}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/tugas/") {
			t.Fatalf("start = %d %q", resp.StatusCode, loc)
		}
		snap := ts.waitJob(strings.TrimPrefix(loc, "/tugas/"))
		if snap.State != jobs.Done || snap.Kind != "rescore" || snap.URL != "/skor?tahun="+y || snap.Total != 3 || snap.Done != 3 ||
			!strings.Contains(snap.Message, "tahun "+y+" dihitung untuk 3 pegawai aktif: 3 skor ditulis, 0 tidak berubah") ||
			!strings.Contains(snap.Message, "detik") {
			t.Fatalf("job = %+v", snap)
		}
		if _, scored := ts.rescoreCounts(t, year); scored != active {
			t.Errorf("scores after the rescore = %d, want one per active employee (%d)", scored, active)
		}
		var inactiveScores int64
		ts.db.Gorm.Raw(`SELECT COUNT(*) FROM scores WHERE employee_id = ?`, inactive.ID).Scan(&inactiveScores)
		if inactiveScores != 0 {
			t.Errorf("the inactive employee was scored")
		}
		_, body = admin.get(loc)
		wantPage(t, "job page", &http.Response{StatusCode: 200}, body, 200, "Hitung ulang skor IP ASN tahun "+y, `href="/skor?tahun=`+y+`"`, "3 skor ditulis")
		if audits := ts.rescoreAudits(t, "admin"); len(audits) != 1 ||
			!strings.Contains(audits[0], "tahun="+y+" paksa=false") || !strings.Contains(audits[0], "hasil=selesai pegawai=3 ditulis=3 tidak_berubah=0") {
			t.Errorf("audit = %q", audits)
		}
		_, body = admin.get("/skor/hitung-ulang")
		wantPage(t, "form after", &http.Response{StatusCode: 200}, body, 200, `<dd id="sudah-dinilai">3</dd>`)
		if strings.Contains(body, `id="belum-dinilai"`) {
			t.Errorf("form after: employees without a score are still counted")
		}

		// Again: nothing changed, nothing written; forced: everything written.
		admin.followJob(admin.postForm("/skor/hitung-ulang", url.Values{"tahun": {y}}))
		last := func() jobs.Snapshot { return ts.srv.Jobs.List(ts.userActor("admin"))[0] }
		if m := last().Message; !strings.Contains(m, "0 skor ditulis, 3 tidak berubah") {
			t.Errorf("second run: %q", m)
		}
		admin.followJob(admin.postForm("/skor/hitung-ulang", url.Values{"tahun": {y}, "paksa": {"1"}}))
		if s := last(); !strings.Contains(s.Message, "3 skor ditulis, 0 tidak berubah") || !strings.Contains(s.Message, "semua skor ditulis ulang") ||
			!strings.HasSuffix(s.Title, "(paksa)") {
			t.Errorf("forced run: %+v", s)
		}
		if audits := ts.rescoreAudits(t, "admin"); len(audits) != 3 || !strings.Contains(audits[2], "paksa=true") {
			t.Errorf("audits = %q", audits)
		}

		// Another year is its own run.
		next := strconv.Itoa(year + 1)
		admin.followJob(admin.postForm("/skor/hitung-ulang", url.Values{"tahun": {next}}))
		if _, scored := ts.rescoreCounts(t, year+1); scored != 3 {
			t.Errorf("scores of %s = %d, want 3", next, scored)
		}

		// Refusals on the form.
		for _, tc := range []struct{ tahun, want string }{
			{"1999", "antara 2000 dan 2100"}, {"2101", "antara 2000 dan 2100"}, {"dua ribu", "berupa angka"}, {"0", "antara 2000 dan 2100"},
		} {
			resp, body := admin.postForm("/skor/hitung-ulang", url.Values{"tahun": {tc.tahun}, "paksa": {"1"}})
			wantPage(t, "year "+tc.tahun, resp, body, 400, tc.want, `id="form-error"`, `name="paksa" value="1" checked`)
		}
	})
}

// TestRescoreWhileRunning: while a rescore of a year runs, starting it again — from the page
// or the API — answers the running job instead of starting another.
func TestRescoreWhileRunning(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		year := ts.srv.Scoring.CurrentYear()
		adminActor := ts.userActor("admin")
		release := make(chan struct{})
		running, started, err := ts.srv.Jobs.Start(adminActor, fmt.Sprintf("rescore:%d", year), "rescore", "Hitung ulang (uji)",
			func(ctx context.Context, p *jobs.Progress) (jobs.Result, error) {
				p.Phase("Menghitung skor pegawai aktif", 10)
				<-release
				return jobs.Result{Message: "selesai"}, nil
			})
		if err != nil || !started {
			t.Fatal(started, err)
		}
		defer func() {
			select {
			case <-release:
			default:
				close(release)
			}
		}()
		admin := ts.login("admin")
		resp, _ := admin.postForm("/skor/hitung-ulang", url.Values{"tahun": {strconv.Itoa(year)}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != "/tugas/"+running.ID {
			t.Errorf("page while running = %d %q, want /tugas/%s", resp.StatusCode, loc, running.ID)
		}
		tok := ts.apiToken("admin")
		resp, body := ts.api("POST", "/api/v1/rescore", tok, fmt.Sprintf(`{"year":%d,"force":true}`, year))
		var got jobs.Snapshot
		if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 202 || got.ID != running.ID ||
			resp.Header.Get("Location") != "/api/v1/jobs/"+running.ID || got.State != jobs.Running {
			t.Errorf("API while running = %d %s", resp.StatusCode, body)
		}
		_, body = admin.get("/skor/hitung-ulang")
		if !strings.Contains(body, `id="sedang-berjalan"`) || !strings.Contains(body, `href="/tugas/`+running.ID+`"`) {
			t.Errorf("the form does not show the running job")
		}
		// Another year is not held up.
		resp, _ = admin.postForm("/skor/hitung-ulang", url.Values{"tahun": {strconv.Itoa(year - 1)}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc == "/tugas/"+running.ID {
			t.Errorf("another year while running = %d %q", resp.StatusCode, loc)
		} else {
			ts.waitJob(strings.TrimPrefix(loc, "/tugas/"))
		}
		close(release)
		ts.waitJob(running.ID)
		if n := len(ts.rescoreAudits(t, "admin")); n != 1 {
			t.Errorf("audit entries = %d, want 1 (the other year's run)", n)
		}
	})
}

// TestRescoreRefused: only administrators rescore; nobody else starts a job, through the
// page or the API.
func TestRescoreRefused(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		jobsNow := func() int { return len(ts.srv.Jobs.List(ts.userActor("admin"))) }
		for _, role := range []domain.Role{domain.RoleVerifikator, domain.RolePenandatangan, domain.RoleOPD, domain.RolePegawai} {
			t.Run(string(role), func(t *testing.T) {
				b := ts.login(testUsers[role])
				if resp, _ := b.get("/skor/hitung-ulang"); resp.StatusCode != 403 {
					t.Errorf("form = %d, want 403", resp.StatusCode)
				}
				if resp, _ := b.postForm("/skor/hitung-ulang", url.Values{"tahun": {"2026"}}); resp.StatusCode != 403 {
					t.Errorf("start = %d, want 403", resp.StatusCode)
				}
				resp, body := ts.api("POST", "/api/v1/rescore", ts.apiToken(testUsers[role]), `{"year":2026}`)
				if resp.StatusCode != 403 || !strings.Contains(body, `"code":"forbidden"`) {
					t.Errorf("API = %d %s, want 403", resp.StatusCode, body)
				}
			})
		}
		anon := ts.newBrowser()
		if resp, _ := anon.get("/skor/hitung-ulang"); resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/masuk") {
			t.Errorf("anonymous form = %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := ts.api("POST", "/api/v1/rescore", "", `{}`); resp.StatusCode != 401 {
			t.Errorf("anonymous API = %d", resp.StatusCode)
		}
		if n := jobsNow(); n != 0 {
			t.Errorf("refused callers started %d jobs", n)
		}
		// The service refuses on its own, too.
		if _, err := ts.srv.Scoring.RescoreAllAs(context.Background(), ts.userActor(testUsers[domain.RoleVerifikator]), scoring.RescoreOptions{}); err == nil {
			t.Errorf("RescoreAllAs let a verifikator through")
		}
		if n := len(ts.rescoreAudits(t, testUsers[domain.RoleVerifikator])); n != 0 {
			t.Errorf("a refused rescore was audited")
		}
	})
}

// TestRescoreAPI starts a rescore through the API and follows the job to its end, checking
// the answers against docs/openapi.yaml.
func TestRescoreAPI(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		doc := loadOpenAPI(t)
		ops := openAPIOperations(t, doc)
		tok := ts.apiToken("admin")
		year := ts.srv.Scoring.CurrentYear()
		check := func(what string, resp *http.Response, body string, status int) {
			t.Helper()
			if resp.StatusCode != status {
				t.Fatalf("%s: %d %s, want %d", what, resp.StatusCode, body, status)
			}
			r := resolveRef(t, doc, dig(ops["POST /api/v1/rescore"], "responses", strconv.Itoa(status)))
			if r == nil {
				t.Fatalf("%s: %d not documented", what, status)
			}
			var v any
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Fatalf("%s: not JSON: %s", what, body)
			}
			for _, e := range shapeErrors(t, doc, dig(r, "content", "application/json", "schema"), v, "body") {
				t.Errorf("%s: %s", what, e)
			}
		}
		resp, body := ts.api("POST", "/api/v1/rescore", tok, fmt.Sprintf(`{"year":%d,"force":false}`, year))
		check("start", resp, body, 202)
		var snap jobs.Snapshot
		if err := json.Unmarshal([]byte(body), &snap); err != nil || resp.Header.Get("Location") != "/api/v1/jobs/"+snap.ID || snap.Kind != "rescore" {
			t.Fatalf("start: %v %s %v", resp.Header, body, err)
		}
		ts.waitJob(snap.ID)
		resp, body = ts.api("GET", "/api/v1/jobs/"+snap.ID, tok, "")
		if err := json.Unmarshal([]byte(body), &snap); err != nil || resp.StatusCode != 200 || snap.State != jobs.Done ||
			snap.URL != fmt.Sprintf("/skor?tahun=%d", year) || !strings.Contains(snap.Message, "3 pegawai aktif") {
			t.Fatalf("job: %d %s", resp.StatusCode, body)
		}
		if active, scored := ts.rescoreCounts(t, year); scored != active {
			t.Errorf("scores = %d, active employees = %d", scored, active)
		}
		// No body: the current year.
		req, _ := http.NewRequest("POST", "/api/v1/rescore", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, body = ts.do(req)
		check("no body", resp, body, 202)
		var noBody jobs.Snapshot
		_ = json.Unmarshal([]byte(body), &noBody)
		if s := ts.waitJob(noBody.ID); !strings.Contains(s.Message, fmt.Sprintf("tahun %d", year)) || !strings.Contains(s.Message, "0 skor ditulis") {
			t.Errorf("no body: %+v", s)
		}
		for _, tc := range []struct{ body, want string }{
			{`{"year":1999}`, "antara 2000 dan 2100"},
			{`{"tahun":2026}`, "tidak dikenal"},
			{`{"year":"2026"}`, "bertipe"},
			{`{"force":true} x`, "setelah objek"},
		} {
			resp, body := ts.api("POST", "/api/v1/rescore", tok, tc.body)
			check(tc.body, resp, body, 400)
			if !strings.Contains(body, tc.want) {
				t.Errorf("%s: %s, want %q", tc.body, body, tc.want)
			}
		}
		if audits := ts.rescoreAudits(t, "admin"); len(audits) != 2 {
			t.Errorf("audits = %q, want 2 (the refused ones are not runs)", audits)
		}
	})
}
