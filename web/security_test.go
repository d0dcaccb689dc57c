package web

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/jobs"
	"github.com/sertika/sertika/internal/testdb"
)

// Attacks across features: where the sign-in form sends the browser afterwards, CSRF on
// every form the pages accept, and what an employee sees of a request's other participants.

// TestLoginRedirectStaysOnSite signs in with a "next" that tries to lead elsewhere or to
// smuggle headers into the answer: the browser must land on this site, and the answer must
// carry no header but the server's own. Browsers drop tabs and line breaks from a URL and
// read "\" as "/", so "/<TAB>/evil.example" is "//evil.example"; a raw CR or LF in Location
// ends that header (fasthttp writes values as they are).
func TestLoginRedirectStaysOnSite(t *testing.T) {
	ts := newTestServer(t, testdb.New(t, database.SQLite))
	ts.srv.loginLimiter = newLimiter(1<<20, time.Minute)
	for _, tc := range []struct{ next, want string }{
		{"/usulan/1?tab=riwayat#lampiran", "/usulan/1?tab=riwayat#lampiran"},
		{"/pegawai?q=Andi%20Wijaya", "/pegawai?q=Andi%20Wijaya"},
		{"", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/\t/evil.example/", "/"},
		{"/\n/evil.example/", "/"},
		{"/\r\nSet-Cookie: sertika_sesi=ditanam", "/"},
		{"/usulan\r\nX-Disisipkan: 1", "/"},
		{"/\x00/evil.example", "/"},
		{"/ /evil.example", "/"},
		{"/usulan\\..\\..\\evil", "/"},
		{"javascript:alert(1)", "/"},
	} {
		b := ts.newBrowser()
		resp, _ := b.postForm("/masuk", url.Values{"username": {"admin"}, "password": {testPassword}, "next": {tc.next}})
		if resp.StatusCode != 303 || resp.Header.Get("Location") != tc.want {
			t.Errorf("sign-in with next %q: %d to %q, want 303 to %q", tc.next, resp.StatusCode, resp.Header.Get("Location"), tc.want)
		}
		if resp.Header.Get("X-Disisipkan") != "" || strings.Contains(strings.Join(resp.Header.Values("Set-Cookie"), "\n"), "ditanam") {
			t.Errorf("sign-in with next %q: a header was smuggled into the answer: %v", tc.next, resp.Header)
		}
	}
	// An anonymous page request keeps its address in next, escaped, for after the sign-in.
	resp, _ := ts.newBrowser().get("/usulan/1?tab=riwayat")
	if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != "/masuk?next="+url.QueryEscape("/usulan/1?tab=riwayat") {
		t.Errorf("anonymous /usulan/1: %d to %q", resp.StatusCode, loc)
	}
}

// csrfExempt are the page routes that take a POST without a CSRF token: the public
// verification look-ups (by number and NIP, or an uploaded file), which change nothing and
// are open to anyone, signed in or not.
var csrfExempt = []string{"POST /periksa", "POST /periksa/unggah"}

// TestCSRFEveryPagePost sends every state-changing page route of the role × route table,
// as a caller allowed to use it, first without a CSRF token and then with a forged one: each
// must be refused with the CSRF message. A new POST page route is covered as soon as it has
// its row in the table (TestAccessTableComplete sees to that).
func TestCSRFEveryPagePost(t *testing.T) {
	ts := newTestServer(t, testdb.New(t, database.SQLite))
	ts.srv.loginLimiter = newLimiter(1<<20, time.Minute)
	browsers := map[string]*browser{}
	caller := func(id string) *browser {
		if browsers[id] == nil {
			if id == "anonymous" {
				browsers[id] = ts.newBrowser()
			} else {
				browsers[id] = ts.login(testUsers[domain.Role(id)])
			}
		}
		return browsers[id]
	}
	checked := 0
	for _, row := range accessTable {
		if row.method() == "GET" || row.isAPI() || slices.Contains(csrfExempt, row.route) {
			continue
		}
		ids := strings.Fields(row.allow)
		id := ids[0]
		if len(ids) > 1 && id == "anonymous" {
			id = ids[1] // a signed-in caller: the session's token is the one to forge
		}
		b := caller(id)
		for _, token := range []string{"", "palsu-palsu-palsu-palsu-palsu-palsu-palsu"} {
			form, err := url.ParseQuery(row.body)
			if err != nil {
				t.Fatalf("%s: bad form %q", row.route, row.body)
			}
			form.Set("_csrf", token)
			resp, body := b.postForm(row.url(), form)
			if resp.StatusCode != 403 || !strings.Contains(body, "token CSRF") {
				t.Errorf("%s as %s with CSRF token %q: %d, want 403 for the CSRF token", row.route, id, token, resp.StatusCode)
			}
		}
		checked++
	}
	if checked < 30 {
		t.Errorf("only %d POST page routes checked: the table lost its page rows?", checked)
	}
	// The exemptions answer without a token (they are look-ups), and nothing else is exempt.
	anon := caller("anonymous")
	for _, route := range csrfExempt {
		row, ok := accessRowByRoute(route)
		if !ok || row.allow != allowPublic {
			t.Errorf("%s is exempt from CSRF but is not a public route of the table", route)
			continue
		}
		form, _ := url.ParseQuery(row.body)
		form.Set("_csrf", "")
		if resp, body := anon.postForm(row.url(), form); resp.StatusCode == 403 || strings.Contains(body, "token CSRF") {
			t.Errorf("%s without a token: %d; the exemption list is stale", route, resp.StatusCode)
		}
	}
}

func accessRowByRoute(route string) (accessRow, bool) {
	for _, r := range accessTable {
		if r.route == route {
			return r, true
		}
	}
	return accessRow{}, false
}

var (
	formTagRE   = regexp.MustCompile(`(?is)<form\b[^>]*>`)
	postMethRE  = regexp.MustCompile(`(?i)\bmethod\s*=\s*"?post\b`)
	actionRE    = regexp.MustCompile(`(?i)\baction\s*=\s*"([^"]*)"`)
	csrfInputRE = regexp.MustCompile(`name="_csrf" value="\{\{(\$?)\.CSRF\}\}"`)
	blockRE     = regexp.MustCompile(`\{\{-?\s*(range|with|if|define|block|end)\b`)
)

// TestTemplateFormsCarryCSRF reads every template: each POST form (but the public
// look-ups, csrfExempt) carries the hidden _csrf field with the page's token — {{.CSRF}}
// outside range and with (whose dot is another value, which would send an empty token), or
// {{$.CSRF}}.
func TestTemplateFormsCarryCSRF(t *testing.T) {
	forms := 0
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		if err != nil {
			return err
		}
		src := string(b)
		for _, loc := range formTagRE.FindAllStringIndex(src, -1) {
			tag := src[loc[0]:loc[1]]
			if !postMethRE.MatchString(tag) {
				continue
			}
			action := ""
			if m := actionRE.FindStringSubmatch(tag); m != nil {
				action = m[1]
			}
			if strings.HasPrefix(action, "/periksa") {
				continue // csrfExempt
			}
			forms++
			end := strings.Index(src[loc[1]:], "</form>")
			if end < 0 {
				t.Errorf("%s: form %s is not closed", path, tag)
				continue
			}
			m := csrfInputRE.FindStringSubmatchIndex(src[loc[1] : loc[1]+end])
			if m == nil {
				t.Errorf("%s: POST form %s has no _csrf field with the page's token", path, tag)
				continue
			}
			if src[loc[1]+m[2]:loc[1]+m[3]] == "$" {
				continue
			}
			var stack []string
			for _, bm := range blockRE.FindAllStringSubmatch(src[:loc[1]+m[0]], -1) {
				if bm[1] == "end" {
					if len(stack) > 0 {
						stack = stack[:len(stack)-1]
					}
				} else {
					stack = append(stack, bm[1])
				}
			}
			if slices.Contains(stack, "range") || slices.Contains(stack, "with") {
				t.Errorf("%s: POST form %s takes {{.CSRF}} inside %v: use {{$.CSRF}}", path, tag, stack)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if forms < 20 {
		t.Errorf("only %d POST forms found: the scan is broken", forms)
	}
}

// TestPegawaiSeesOnlyOwnParticipantRow: an employee who takes part in a request sees it,
// but of its participants only themselves — not the others' NIPs, attendance, results or
// scores (the certificate pages already list only their own row). The recommendation
// letter stays one document for all: the same bytes for the employee as for the OPD.
func TestPegawaiSeesOnlyOwnParticipantRow(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		type participants struct {
			Participants []struct {
				NIP string `json:"nip"`
			} `json:"participants"`
		}
		r := decode[participants](t, "pegawai's request", ts.call(t, "GET", "/api/v1/requests/1", tok[domain.RolePegawai], "", 200))
		if len(r.Participants) != 1 || r.Participants[0].NIP != nipA1 {
			t.Errorf("pegawai (%s) sees participants %+v, want only themselves", nipA1, r.Participants)
		}
		// The OPD and BKPSDM still see everyone.
		for _, role := range []domain.Role{domain.RoleOPD, domain.RoleVerifikator} {
			r := decode[participants](t, string(role)+"'s request", ts.call(t, "GET", "/api/v1/requests/1", tok[role], "", 200))
			if len(r.Participants) != 2 {
				t.Errorf("%s sees %d participants, want 2", role, len(r.Participants))
			}
		}
		resp, body := ts.login(testUsers[domain.RolePegawai]).get("/usulan/1")
		wantPage(t, "pegawai's request page", resp, body, 200, "Andi Wijaya", nipA1)
		if strings.Contains(body, nipA2) || strings.Contains(body, "Siti Rahmawati") {
			t.Errorf("pegawai's request page shows the other participant (%s)", nipA2)
		}

		if _, err := ts.srv.Requests.Approve(context.Background(), ts.rpActor(testUsers[domain.RoleVerifikator]), 1, ""); err != nil {
			t.Fatal(err)
		}
		opdLetter := ts.call(t, "GET", "/api/v1/requests/1/letter.pdf", tok[domain.RoleOPD], "", 200)
		pegLetter := ts.call(t, "GET", "/api/v1/requests/1/letter.pdf", tok[domain.RolePegawai], "", 200)
		if opdLetter != pegLetter {
			t.Errorf("the recommendation letter differs for the participant (%d bytes) and the OPD (%d bytes)", len(pegLetter), len(opdLetter))
		}
	})
}

// TestCrossOPDObjectAccess walks every address that names one of another OPD's objects by
// its id — its request, letter, attachment, certificates (page, PDF, QR), the ZIP of its
// certificates, a background job its operator started, its employee and that employee's
// score — as DISDIK's operator and as DISDIK's employee, through the pages and the API:
// each is refused (403 or 404) without a trace of the object in the answer. DINKES's own
// operator and BKPSDM are let in, so the addresses are the right ones.
func TestCrossOPDObjectAccess(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		ts.cpAgency(t)
		dk := ts.cpDinkes(t, clock)
		cpAfter(clock)
		cert := ts.cpIssue(t, dk)[0]
		ts.srv.loginLimiter = newLimiter(1<<20, time.Minute)
		owner := ts.login("opd.dinkes")
		resp, body := owner.postForm(fmt.Sprintf("/usulan/%d/sertifikat.zip", dk), nil)
		job := cpJobID(t, "DINKES's ZIP job", resp, body)
		if snap := ts.cpWait(t, "opd.dinkes", job); snap.State != jobs.Done {
			t.Fatalf("DINKES's ZIP job: %+v", snap)
		}

		req := fmt.Sprintf("/usulan/%d", dk)
		api := fmt.Sprintf("/api/v1/requests/%d", dk)
		pages := []string{req, req + "/surat.pdf", req + "/lampiran/1", req + "/sertifikat", req + "/sertifikat.zip",
			"/sertifikat/" + cert.ID, "/sertifikat/" + cert.ID + "/pdf", "/sertifikat/" + cert.ID + "/qr.png",
			"/tugas/" + job, "/tugas/" + job + "/status", "/tugas/" + job + "/unduh",
			"/pegawai/" + nipB1, "/opd/DINKES", "/skor/pegawai/" + nipB1}
		apis := []string{api, api + "/letter.pdf", api + "/attachments/1", api + "/certificates.zip",
			"/api/v1/certificates/" + cert.ID, "/api/v1/certificates/" + cert.ID + "/pdf", "/api/v1/certificates/" + cert.ID + "/qr.png",
			"/api/v1/jobs/" + job, "/api/v1/jobs/" + job + "/download",
			"/api/v1/employees/" + nipB1, "/api/v1/employees/" + nipB1 + "/score", "/api/v1/opds/DINKES"}
		denied := func(who, path string, status int, body string) {
			t.Helper()
			if status != 403 && status != 404 {
				t.Errorf("%s GET %s: %d, want 403 or 404", who, path, status)
			}
			if strings.Contains(body, nipB1) || strings.Contains(body, cert.Number) || strings.Contains(body, "Kesehatan Primer") {
				t.Errorf("%s GET %s: the refusal shows DINKES's data", who, path)
			}
		}
		for _, role := range []domain.Role{domain.RoleOPD, domain.RolePegawai} {
			b, tok := ts.login(testUsers[role]), ts.apiToken(testUsers[role])
			for _, p := range pages {
				resp, body := b.get(p)
				denied(string(role), p, resp.StatusCode, body)
			}
			resp, body := b.postForm(req+"/sertifikat.zip", nil)
			denied(string(role), "POST "+req+"/sertifikat.zip", resp.StatusCode, body)
			for _, p := range apis {
				resp, body := ts.api("GET", p, tok, "")
				denied(string(role), p, resp.StatusCode, body)
			}
			// Lists and exports filtered to DINKES's request come back empty (or refused).
			for _, p := range []string{fmt.Sprintf("/api/v1/certificates?request=%d", dk), "/api/v1/certificates/export/siasn?opd=DINKES",
				"/api/v1/external-trainings?nip=" + nipB1, "/api/v1/requests?opd=DINKES"} {
				resp, body := ts.api("GET", p, tok, "")
				if resp.StatusCode >= 500 || strings.Contains(body, nipB1) || strings.Contains(body, cert.Number) {
					t.Errorf("%s GET %s: %d, shows DINKES's data: %s", role, p, resp.StatusCode, trimBody(body))
				}
			}
		}
		// The rightful readers get through the same addresses.
		for _, p := range []string{req, req + "/sertifikat", "/sertifikat/" + cert.ID, "/sertifikat/" + cert.ID + "/pdf", "/tugas/" + job + "/unduh"} {
			if resp, _ := owner.get(p); resp.StatusCode != 200 {
				t.Errorf("DINKES's operator GET %s: %d", p, resp.StatusCode)
			}
		}
		admin := ts.apiToken(testUsers[domain.RoleAdmin])
		for _, p := range apis {
			if resp, body := ts.api("GET", p, admin, ""); resp.StatusCode != 200 && !strings.HasSuffix(p, "/attachments/1") &&
				!strings.HasSuffix(p, "/letter.pdf") {
				t.Errorf("admin GET %s: %d %s", p, resp.StatusCode, trimBody(body))
			}
		}
	})
}

// TestChangeOwnPasswordThrottled: the old password on "Akun saya" is no faster way to guess
// a password than the sign-in form — wrong ones lock the user name like failed sign-ins, and
// the form says so in words.
func TestChangeOwnPasswordThrottled(t *testing.T) {
	ts := newTestServer(t, testdb.New(t, database.SQLite))
	b := ts.login(testUsers[domain.RoleVerifikator])
	var resp *http.Response
	var body string
	for i := 0; i < account.MaxFailures; i++ {
		resp, body = b.postForm("/akun/sandi", url.Values{"old_password": {fmt.Sprintf("tebakan-%d", i)},
			"new_password": {"baru-sekali-123"}, "new_password2": {"baru-sekali-123"}})
	}
	wantPage(t, "fifth wrong old password", resp, body, 429, "Terlalu banyak percobaan", `name="old_password"`)
	resp, body = b.postForm("/akun/sandi", url.Values{"old_password": {testPassword},
		"new_password": {"baru-sekali-123"}, "new_password2": {"baru-sekali-123"}})
	wantPage(t, "right old password while locked", resp, body, 429, "Terlalu banyak percobaan")
	if _, err := ts.srv.Accounts.Authenticate(context.Background(), testUsers[domain.RoleVerifikator], testPassword); apperr.CodeOf(err) != apperr.CodeRateLimited {
		t.Errorf("sign-in after the lock-out: %v, want the lock-out", err)
	}
}
