package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

// The role × route table: for every registered route, who may call it. TestAccessTable
// checks each cell against the running server on both databases; TestAccessTableComplete
// fails when a route is registered without a row here (classify every new route), or a row
// names a route that is gone. docs/openapi.yaml's x-roles must agree with the API rows
// (TestOpenAPIRolesMatchAccessTable).
//
// "Allowed" means past authorization: for reads the request succeeds (or fails for reasons
// of data, such as 404 for a logo that was never uploaded); for writes the table sends a
// harmless request (an empty or invalid body) and anything but the denial answers counts —
// a 400 from validation shows the caller got through. Denied is, for the JSON API, 401 for
// anonymous callers and 403 for a role without the right; for pages, a 303 redirect to the
// login form (/masuk?next=…) for anonymous callers and 403 for a role without the right.
// Object-level rules (an opd user and another OPD, a pegawai and another NIP) are tested in
// api_test.go; the sample paths here point at what every role may see (DISDIK, nipA1).

// accessIdentities are the callers of each row: anonymous, then every role.
var accessIdentities = []string{"anonymous", string(domain.RoleAdmin), string(domain.RoleVerifikator),
	string(domain.RolePenandatangan), string(domain.RoleOPD), string(domain.RolePegawai)}

// Who may call a route.
const (
	allowPublic = "anonymous admin verifikator penandatangan opd pegawai"
	allowUsers  = "admin verifikator penandatangan opd pegawai" // any signed-in role
	allowAdmin  = "admin"
)

// accessRow classifies one route.
type accessRow struct {
	route string // "METHOD /path" exactly as registered in Fiber (":param")
	path  string // the URL requested; "" means route's path with accessParamSamples filled in
	body  string // writes: a harmless JSON body (API) or URL-encoded form (pages)
	allow string // space-separated identities allowed (allowPublic, allowUsers, allowAdmin …)
	last  bool   // the request ends the caller's session: checked after every other row
}

func (r accessRow) allows(identity string) bool {
	return slices.Contains(strings.Fields(r.allow), identity)
}

func (r accessRow) method() string { m, _, _ := strings.Cut(r.route, " "); return m }

func (r accessRow) routePath() string { _, p, _ := strings.Cut(r.route, " "); return p }

// isAPI tells whether the row is answered in JSON (API and probes) rather than as a page.
func (r accessRow) isAPI() bool { return isDocumentedRoute(r.routePath()) }

// accessParamSamples fill route parameters in sample paths: objects every role may see.
var accessParamSamples = map[string]string{"code": "DISDIK", "nip": nipA1, "username": "pegawai.a1", "id": "1", "att": "1",
	"cid": "AAAAAAAAAAAAAAAA"}

var routeParamRE = regexp.MustCompile(`:([A-Za-z0-9_]+)\??`)

func (r accessRow) url() string {
	if r.path != "" {
		return r.path
	}
	return routeParamRE.ReplaceAllStringFunc(r.routePath(), func(m string) string {
		name := strings.TrimSuffix(strings.TrimPrefix(m, ":"), "?")
		if v, ok := accessParamSamples[name]; ok {
			return url.PathEscape(v)
		}
		return m
	})
}

// accessTable is the role × route table: the foundation's rows below and each feature's
// rows from its own file (access_*_test.go).
var accessTable = slices.Concat(accessRowsFoundation, accessRowsRequestAPI, accessRowsRequestPages, accessRowsCertificatePages,
	accessRowsCertificateAPI, accessRowsScoring, accessRowsExternal, accessRowsFactImport, accessRowsJobs, accessRowsRescore)

// accessRowsFoundation classify the foundation's routes.
var accessRowsFoundation = []accessRow{
	// Probes.
	{route: "GET /healthz", allow: allowPublic},
	{route: "GET /readyz", allow: allowPublic},

	// JSON API (web/api.go, web/api_import.go).
	{route: "POST /api/v1/auth/token", body: `{"nama":"x"}`, allow: allowPublic},
	{route: "GET /api/v1/agency", allow: allowPublic},
	{route: "GET /api/v1/me", allow: allowUsers},
	{route: "GET /api/v1/opds", allow: allowUsers},
	{route: "POST /api/v1/opds", body: `{}`, allow: allowAdmin},
	{route: "GET /api/v1/opds/:code", allow: allowUsers},
	{route: "PUT /api/v1/opds/:code", body: `{}`, allow: allowAdmin},
	{route: "GET /api/v1/employees", allow: allowUsers},
	{route: "GET /api/v1/employees/:nip", allow: allowUsers},
	{route: "POST /api/v1/imports/employees", body: `{}`, allow: allowAdmin},
	{route: "GET /api/v1/imports/employees/template", allow: allowAdmin},

	// Sign-in and out (web/pages.go).
	{route: "GET /masuk", allow: allowPublic},
	{route: "POST /masuk", body: "username=&password=", allow: allowPublic}, // wrong credentials: the form again
	{route: "POST /keluar", allow: allowPublic, last: true},
	{route: "GET /", allow: allowUsers},

	// Master data and administration pages (web/pages_*.go).
	{route: "GET /opd", allow: allowUsers},
	{route: "GET /opd/baru", allow: allowAdmin},
	{route: "POST /opd/baru", body: "code=&name=", allow: allowAdmin},
	{route: "GET /opd/:code", allow: allowUsers},
	{route: "GET /opd/:code/ubah", allow: allowAdmin},
	{route: "POST /opd/:code/ubah", body: "code=&name=", allow: allowAdmin},
	{route: "GET /pegawai", allow: allowUsers},
	{route: "GET /pegawai/:nip", allow: allowUsers},
	{route: "GET /pengguna", allow: allowAdmin},
	{route: "GET /pengguna/baru", allow: allowAdmin},
	{route: "POST /pengguna/baru", body: "username=&password=&password2=", allow: allowAdmin},
	{route: "GET /pengguna/:username", allow: allowAdmin},
	{route: "POST /pengguna/:username/sandi", body: "password=&password2=", allow: allowAdmin},
	{route: "POST /pengguna/:username/status", body: "active=", allow: allowAdmin},
	{route: "GET /pengaturan", allow: allowAdmin},
	{route: "POST /pengaturan", body: "name=", allow: allowAdmin},
	{route: "GET /pengaturan/logo", allow: allowUsers}, // 404 until a logo is uploaded: still allowed
	{route: "GET /impor/pegawai", allow: allowAdmin},
	{route: "POST /impor/pegawai", body: "dry_run=1", allow: allowAdmin}, // no file: the form again with 400
	{route: "GET /impor/pegawai/templat.csv", allow: allowAdmin},
	{route: "GET /impor/pegawai/templat.xlsx", allow: allowAdmin},
	{route: "GET /akun", allow: allowUsers},
	{route: "POST /akun/sandi", body: "old_password=&new_password=&new_password2=", allow: allowUsers}, // wrong old password: 400
}

// accessRowFor finds the row of a method and an OpenAPI-style path (/opds/{code}).
func accessRowFor(method, openAPIPath string) (accessRow, bool) {
	for _, r := range accessTable {
		if r.method() == method && openAPIPathOf(r.routePath()) == openAPIPath {
			return r, true
		}
	}
	return accessRow{}, false
}

// registeredRoutes returns "METHOD /path" of every route the table must classify: all but
// Fiber's automatic HEAD routes and the static files.
func registeredRoutes(ts *testServer) map[string]bool {
	out := map[string]bool{}
	for _, r := range ts.srv.App.GetRoutes(true) {
		if r.Method == "HEAD" || r.Path == "/static" || strings.HasPrefix(r.Path, "/static/") {
			continue
		}
		out[r.Method+" "+r.Path] = true
	}
	return out
}

// TestAccessTableComplete fails when a registered route has no row in accessTable, or a row
// names a route that is not registered.
func TestAccessTableComplete(t *testing.T) {
	ts := newTestServer(t, testdb.New(t, database.SQLite))
	routes := registeredRoutes(ts)
	rows := map[string]bool{}
	for _, r := range accessTable {
		if rows[r.route] {
			t.Errorf("accessTable: %s appears twice", r.route)
		}
		rows[r.route] = true
		for _, id := range strings.Fields(r.allow) {
			if !slices.Contains(accessIdentities, id) {
				t.Errorf("accessTable: %s: unknown identity %q", r.route, id)
			}
		}
		if strings.Contains(r.url(), ":") {
			t.Errorf("accessTable: %s: no sample for a parameter in %s (set path)", r.route, r.url())
		}
	}
	for _, r := range sortedKeys(routes) {
		if !rows[r] {
			t.Errorf("route %s is registered but has no row in accessTable (web/access_test.go): say who may call it", r)
		}
	}
	for _, r := range sortedKeys(rows) {
		if !routes[r] {
			t.Errorf("accessTable has a row for %s, which is not registered", r)
		}
	}
}

// accessCaller is one identity with its credentials.
type accessCaller struct {
	id      string
	token   string   // API bearer token ("" when anonymous)
	browser *browser // page session (anonymous: a browser that has only loaded /masuk)
}

// outcome of one request, as compared in the table.
const (
	outAllowed = "allowed"
	out401     = "401"
	out403     = "403"
	outLogin   = "login-redirect"
)

// wantOutcome is the outcome the table expects for identity on row.
func wantOutcome(row accessRow, identity string) string {
	switch {
	case row.allows(identity):
		return outAllowed
	case identity != "anonymous":
		return out403
	case row.isAPI():
		return out401
	}
	return outLogin
}

// check sends the row's request as caller and classifies the answer.
func (ts *testServer) accessCheck(row accessRow, caller *accessCaller) (outcome string, status int, detail string) {
	ts.t.Helper()
	method, target := row.method(), row.url()
	if row.isAPI() {
		resp, body := ts.api(method, target, caller.token, row.body)
		status = resp.StatusCode
		detail = trimBody(body)
		if status >= 500 {
			return fmt.Sprintf("error %d", status), status, detail
		}
		if status != 401 && status != 403 {
			return outAllowed, status, detail
		}
		var eb struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error.Message == "" ||
			(status == 401) != (eb.Error.Code == "unauthorized") || (status == 403) != (eb.Error.Code == "forbidden") {
			return fmt.Sprintf("%d without the JSON error body", status), status, detail
		}
		if status == 401 {
			return out401, status, detail
		}
		return out403, status, detail
	}
	var (
		resp *http.Response
		body string
	)
	if method == "GET" {
		resp, body = caller.browser.get(target)
	} else {
		form, err := url.ParseQuery(row.body)
		if err != nil {
			ts.t.Fatalf("%s: bad form %q: %v", row.route, row.body, err)
		}
		resp, body = caller.browser.postForm(target, form)
	}
	st, loc := resp.StatusCode, resp.Header.Get("Location")
	detail = fmt.Sprintf("Location %q", loc)
	switch {
	case st >= 500:
		return fmt.Sprintf("error %d", st), st, trimBody(body)
	case st == 303 && strings.HasPrefix(loc, "/masuk?next="):
		return outLogin, st, detail
	case st == 403 && strings.Contains(body, "CSRF"):
		return "403 for CSRF (test bug)", st, detail
	case st == 403:
		return out403, st, detail
	}
	return outAllowed, st, detail
}

func trimBody(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// TestAccessTable checks every cell of the role × route table on both databases.
func TestAccessTable(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		// The table signs in a dozen times; the per-address sign-in limit is not its subject.
		ts.srv.loginLimiter = newLimiter(1<<20, time.Minute)
		callers := map[string]*accessCaller{}
		for _, id := range accessIdentities {
			c := &accessCaller{id: id}
			if id == "anonymous" {
				c.browser = ts.newBrowser()
			} else {
				name := testUsers[domain.Role(id)]
				c.token = ts.apiToken(name)
				c.browser = ts.login(name)
			}
			callers[id] = c
		}
		registered := registeredRoutes(ts)
		rows := slices.Clone(accessTable)
		sort.SliceStable(rows, func(i, j int) bool { return !rows[i].last && rows[j].last })
		var matrix strings.Builder
		fmt.Fprintf(&matrix, "%-45s", "route")
		for _, id := range accessIdentities {
			fmt.Fprintf(&matrix, " %-13s", id)
		}
		matrix.WriteString("\n")
		for _, row := range rows {
			if !registered[row.route] {
				continue // TestAccessTableComplete reports it
			}
			fmt.Fprintf(&matrix, "%-45s", row.route)
			for _, id := range accessIdentities {
				got, status, detail := ts.accessCheck(row, callers[id])
				if want := wantOutcome(row, id); got != want {
					t.Errorf("%s %s as %s: %s (status %d), want %s; %s", row.method(), row.url(), id, got, status, want, detail)
				}
				fmt.Fprintf(&matrix, " %-13s", fmt.Sprintf("%d", status))
			}
			matrix.WriteString("\n")
		}
		t.Logf("status per route and caller:\n%s", matrix.String())
	})
}
