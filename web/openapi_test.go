package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

// openAPIPath is docs/openapi.yaml, seen from this package's directory.
const openAPIPath = "../docs/openapi.yaml"

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// loadOpenAPI parses docs/openapi.yaml into generic maps.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatalf("read %s: %v", openAPIPath, err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("parse %s: %v", openAPIPath, err)
	}
	return doc
}

// openAPIOperations returns the documented operations keyed "METHOD /path" (path as in the
// document, with {param}).
func openAPIOperations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatalf("openapi: no paths object")
	}
	ops := map[string]map[string]any{}
	for p, item := range paths {
		im, ok := item.(map[string]any)
		if !ok {
			t.Errorf("openapi: path %s is not an object", p)
			continue
		}
		for _, m := range openAPIMethods {
			if op, ok := im[m].(map[string]any); ok {
				ops[strings.ToUpper(m)+" "+p] = op
			}
		}
	}
	return ops
}

var fiberParamRE = regexp.MustCompile(`:([A-Za-z0-9_]+)\??`)

// openAPIPathOf turns a Fiber route path into OpenAPI form: /opds/:code → /opds/{code}.
func openAPIPathOf(fiberPath string) string {
	return fiberParamRE.ReplaceAllString(fiberPath, "{$1}")
}

// isDocumentedRoute reports whether a registered route belongs in docs/openapi.yaml.
func isDocumentedRoute(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/healthz" || path == "/readyz"
}

// registeredAPIRoutes returns "METHOD /path" (OpenAPI form) of every route of the app that
// docs/openapi.yaml must describe. HEAD routes that Fiber adds for every GET are skipped.
func registeredAPIRoutes(ts *testServer) map[string]bool {
	out := map[string]bool{}
	for _, r := range ts.srv.App.GetRoutes(true) {
		if r.Method == "HEAD" || !isDocumentedRoute(r.Path) {
			continue
		}
		out[r.Method+" "+openAPIPathOf(r.Path)] = true
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestOpenAPIMatchesRoutes keeps docs/openapi.yaml and the router in step: every API route is
// documented with its method, and nothing documented is missing from the router.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	ts := newTestServer(t, testdb.New(t, database.SQLite))
	doc := loadOpenAPI(t)
	ops := openAPIOperations(t, doc)
	routes := registeredAPIRoutes(ts)
	if len(routes) == 0 {
		t.Fatal("no API routes registered")
	}
	for _, r := range sortedKeys(routes) {
		if _, ok := ops[r]; !ok {
			t.Errorf("route %s is registered but not documented in docs/openapi.yaml", r)
		}
	}
	for _, op := range sortedKeys(ops) {
		if !routes[op] {
			t.Errorf("docs/openapi.yaml documents %s, which is not registered (stale docs?)", op)
		}
	}
	// Path parameters in the document match the template, and each is declared.
	paths := doc["paths"].(map[string]any)
	for p, item := range paths {
		want := map[string]bool{}
		for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(p, -1) {
			want[m[1]] = true
		}
		im, _ := item.(map[string]any)
		for _, m := range openAPIMethods {
			op, ok := im[m].(map[string]any)
			if !ok {
				continue
			}
			got := map[string]bool{}
			for _, params := range []any{im["parameters"], op["parameters"]} {
				for _, prm := range asList(params) {
					pm := resolveRef(t, doc, prm)
					if pm["in"] == "path" {
						got[pm["name"].(string)] = true
					}
				}
			}
			for name := range want {
				if !got[name] {
					t.Errorf("%s %s: path parameter %q is not declared", strings.ToUpper(m), p, name)
				}
			}
			for name := range got {
				if !want[name] {
					t.Errorf("%s %s: declares path parameter %q that is not in the path", strings.ToUpper(m), p, name)
				}
			}
		}
	}
}

// TestOpenAPIDocument checks the document's shape: version, security scheme, the shared
// error body and responses, every $ref resolvable, and each operation complete.
func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] != "Sertika JSON API" || info["version"] != "1" {
		t.Errorf("info = %v", info)
	}
	if s, _ := doc["servers"].([]any); len(s) == 0 {
		t.Error("no servers")
	}
	comps, _ := doc["components"].(map[string]any)
	schemes, _ := comps["securitySchemes"].(map[string]any)
	bearer, _ := schemes["bearerAuth"].(map[string]any)
	if bearer["type"] != "http" || bearer["scheme"] != "bearer" || bearer["bearerFormat"] != "JWT" {
		t.Errorf("bearerAuth = %v", bearer)
	}
	if d, _ := bearer["description"].(string); !strings.Contains(d, "HS256") || !strings.Contains(d, "8 hours") ||
		!strings.Contains(d, "password") || !strings.Contains(d, "disabled") {
		t.Errorf("bearerAuth description must name HS256, the 8-hour lifetime and revocation: %q", d)
	}

	// The error codes in the document are exactly the application's.
	schemas, _ := comps["schemas"].(map[string]any)
	for _, name := range []string{"Error", "OPD", "OPDInput", "Employee", "User", "TokenRequest", "TokenResponse", "ImportReport"} {
		if _, ok := schemas[name]; !ok {
			t.Errorf("schema %s missing", name)
		}
	}
	errSchema := dig(schemas, "Error", "properties", "error", "properties", "code", "enum")
	var codes []string
	for _, c := range asList(errSchema) {
		codes = append(codes, c.(string))
	}
	wantCodes := []string{string(apperr.CodeInvalid), string(apperr.CodeNotFound), string(apperr.CodeConflict),
		string(apperr.CodeUnauthorized), string(apperr.CodeForbidden), string(apperr.CodeTooLarge),
		string(apperr.CodeRateLimited), string(apperr.CodeInternal)}
	sort.Strings(codes)
	sort.Strings(wantCodes)
	if !slices.Equal(codes, wantCodes) {
		t.Errorf("Error.code enum = %v, want %v", codes, wantCodes)
	}
	// Each shared error response exists; the error ones use the Error schema.
	responses, _ := comps["responses"].(map[string]any)
	for name, code := range map[string]string{"BadRequest": "invalid", "Unauthorized": "unauthorized", "Forbidden": "forbidden",
		"NotFound": "not_found", "Conflict": "conflict", "TooLarge": "too_large", "RateLimited": "rate_limited", "Internal": "internal"} {
		ref := dig(responses, name, "content", "application/json", "schema", "$ref")
		if ref != "#/components/schemas/Error" {
			t.Errorf("response %s: schema %v, want the Error schema", name, ref)
		}
		if !strings.Contains(yamlText(t, responses[name]), code) {
			t.Errorf("response %s: no example with code %s", name, code)
		}
	}
	if dig(responses, "ImportRejected", "content", "application/json", "schema", "$ref") != "#/components/schemas/ImportReport" {
		t.Error("response ImportRejected (422) must carry the ImportReport")
	}

	// Every $ref resolves.
	walk(doc, func(m map[string]any) {
		if ref, ok := m["$ref"].(string); ok {
			if lookupRef(doc, ref) == nil {
				t.Errorf("unresolvable $ref %s", ref)
			}
		}
	})

	// Every operation has an id, responses, and a list of roles; an operation without
	// security: [] (public) lists 401 among its responses.
	ids := map[string]string{}
	knownRoles := map[string]bool{"anonymous": true}
	for _, r := range accessIdentities[1:] {
		knownRoles[r] = true
	}
	for key, op := range openAPIOperations(t, doc) {
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", key)
		} else if other, dup := ids[id]; dup {
			t.Errorf("%s and %s share operationId %s", key, other, id)
		}
		ids[id] = key
		resp, _ := op["responses"].(map[string]any)
		if len(resp) == 0 {
			t.Errorf("%s: no responses", key)
		}
		roles := asList(op["x-roles"])
		if len(roles) == 0 {
			t.Errorf("%s: no x-roles", key)
		}
		for _, r := range roles {
			if !knownRoles[r.(string)] {
				t.Errorf("%s: unknown role %v in x-roles", key, r)
			}
		}
		sec, hasSec := op["security"]
		public := hasSec && len(asList(sec)) == 0
		if public != slices.Contains(roles, any("anonymous")) {
			t.Errorf("%s: security %v disagrees with x-roles %v", key, sec, roles)
		}
		if _, ok := resp["401"]; !public && !ok {
			t.Errorf("%s: needs a token but documents no 401", key)
		}
		if d, _ := op["description"].(string); d == "" {
			t.Errorf("%s: no description", key)
		}
	}
}

// TestOpenAPIRolesMatchAccessTable checks each operation's x-roles against the role table
// that TestAccessTable enforces on the running server.
func TestOpenAPIRolesMatchAccessTable(t *testing.T) {
	doc := loadOpenAPI(t)
	for key, op := range openAPIOperations(t, doc) {
		method, path, _ := strings.Cut(key, " ")
		row, ok := accessRowFor(method, path)
		if !ok {
			t.Errorf("%s: documented but has no row in accessTable", key)
			continue
		}
		var doced []string
		for _, r := range asList(op["x-roles"]) {
			doced = append(doced, r.(string))
		}
		var want []string
		for _, id := range accessIdentities {
			if row.allows(id) {
				want = append(want, id)
			}
		}
		sort.Strings(doced)
		sort.Strings(want)
		if !slices.Equal(doced, want) {
			t.Errorf("%s: x-roles %v, access table allows %v", key, doced, want)
		}
	}
}

// ---- small helpers for generic YAML ----

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// dig follows keys through nested maps; nil when any is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// lookupRef resolves a local JSON pointer such as #/components/schemas/Error.
func lookupRef(doc map[string]any, ref string) any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var v any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		v = dig(v, part)
		if v == nil {
			return nil
		}
	}
	return v
}

// resolveRef returns v itself, or the object its $ref points to.
func resolveRef(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		r, _ := lookupRef(doc, ref).(map[string]any)
		if r == nil {
			t.Fatalf("unresolvable $ref %s", ref)
		}
		return r
	}
	return m
}

// walk calls fn for every map in v, depth first.
func walk(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, c := range x {
			walk(c, fn)
		}
	case []any:
		for _, c := range x {
			walk(c, fn)
		}
	}
}

func yamlText(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ---- responses against the documented schemas ----

// shapeErrors lists where v departs from schema: a missing required property, a property
// the schema does not declare (the documentation would be stale; values of a map are checked
// against additionalProperties when that is a schema), a wrong type, a value
// outside enum or const. It understands the subset of JSON Schema docs/openapi.yaml uses.
func shapeErrors(t *testing.T, doc map[string]any, schema any, v any, at string) []string {
	t.Helper()
	s := resolveRef(t, doc, schema)
	if alts := asList(s["oneOf"]); len(alts) > 0 {
		var all []string
		for _, alt := range alts {
			errs := shapeErrors(t, doc, alt, v, at)
			if len(errs) == 0 {
				return nil
			}
			all = append(all, errs...)
		}
		return []string{fmt.Sprintf("%s: matches no alternative of oneOf (%s)", at, strings.Join(all, "; "))}
	}
	var errs []string
	if c, ok := s["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		errs = append(errs, fmt.Sprintf("%s: %v, want const %v", at, v, c))
	}
	if enum := asList(s["enum"]); len(enum) > 0 && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		errs = append(errs, fmt.Sprintf("%s: %v not in enum %v", at, v, enum))
	}
	switch s["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T, want an object", at, v))
		}
		props, _ := s["properties"].(map[string]any)
		for _, r := range asList(s["required"]) {
			if _, ok := m[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required property %q missing", at, r))
			}
		}
		for k, pv := range m {
			ps, ok := props[k]
			if !ok {
				// A map such as Error.fields declares its values with additionalProperties.
				if extra, isSchema := s["additionalProperties"].(map[string]any); isSchema {
					errs = append(errs, shapeErrors(t, doc, extra, pv, at+"."+k)...)
					continue
				}
				errs = append(errs, fmt.Sprintf("%s: property %q is not documented", at, k))
				continue
			}
			errs = append(errs, shapeErrors(t, doc, ps, pv, at+"."+k)...)
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T, want an array", at, v))
		}
		for i, item := range l {
			errs = append(errs, shapeErrors(t, doc, s["items"], item, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		if _, ok := v.(string); !ok {
			errs = append(errs, fmt.Sprintf("%s: %T, want a string", at, v))
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			errs = append(errs, fmt.Sprintf("%s: %v, want an integer", at, v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, fmt.Sprintf("%s: %T, want a boolean", at, v))
		}
	case "null":
		if v != nil {
			errs = append(errs, fmt.Sprintf("%s: %v, want null", at, v))
		}
	}
	return errs
}

// TestOpenAPIResponsesMatchSchemas sends real requests and checks each answer against the
// schema the document gives for its operation and status.
func TestOpenAPIResponsesMatchSchemas(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		doc := loadOpenAPI(t)
		ops := openAPIOperations(t, doc)
		tok := map[string]string{}
		for role, name := range testUsers {
			tok[string(role)] = ts.apiToken(name)
		}
		csv := func(rows ...string) string {
			return "nip,nama,status,kode_opd,jenis_jabatan\n" + strings.Join(rows, "\n") + "\n"
		}
		cases := []struct {
			op, url, who, body string
			file               string // multipart upload in field "file" instead of body
			status             int
		}{
			{op: "GET /healthz", url: "/healthz", status: 200},
			{op: "GET /readyz", url: "/readyz", status: 200},
			{op: "POST /api/v1/auth/token", url: "/api/v1/auth/token", body: tokenBody("admin", testPassword), status: 200},
			{op: "POST /api/v1/auth/token", url: "/api/v1/auth/token", body: tokenBody("admin", "salah-sekali"), status: 401},
			{op: "POST /api/v1/auth/token", url: "/api/v1/auth/token", body: `{"x":1}`, status: 400},
			{op: "GET /api/v1/agency", url: "/api/v1/agency", status: 200},
			{op: "GET /api/v1/me", url: "/api/v1/me", who: "admin", status: 200},
			{op: "GET /api/v1/me", url: "/api/v1/me", who: "opd", status: 200},
			{op: "GET /api/v1/me", url: "/api/v1/me", who: "pegawai", status: 200},
			{op: "GET /api/v1/me", url: "/api/v1/me", status: 401},
			{op: "GET /api/v1/opds", url: "/api/v1/opds?include_inactive=true", who: "verifikator", status: 200},
			{op: "POST /api/v1/opds", url: "/api/v1/opds", who: "admin", body: `{"code":"SKEMA","name":"Dinas Skema","parent":"Induk"}`, status: 201},
			{op: "POST /api/v1/opds", url: "/api/v1/opds", who: "admin", body: `{"code":"SKEMA","name":"Lagi"}`, status: 409},
			{op: "POST /api/v1/opds", url: "/api/v1/opds", who: "admin", body: `{"code":"a b","name":"x"}`, status: 400},
			{op: "POST /api/v1/opds", url: "/api/v1/opds", who: "opd", body: `{"code":"X","name":"x"}`, status: 403},
			{op: "GET /api/v1/opds/{code}", url: "/api/v1/opds/DISDIK", who: "pegawai", status: 200},
			{op: "GET /api/v1/opds/{code}", url: "/api/v1/opds/DINKES", who: "opd", status: 403},
			{op: "GET /api/v1/opds/{code}", url: "/api/v1/opds/TIDAKADA", who: "admin", status: 404},
			{op: "PUT /api/v1/opds/{code}", url: "/api/v1/opds/SKEMA", who: "admin", body: `{"name":"Dinas Skema Baru","active":false}`, status: 200},
			{op: "GET /api/v1/employees", url: "/api/v1/employees?limit=2", who: "penandatangan", status: 200},
			{op: "GET /api/v1/employees", url: "/api/v1/employees?limit=x", who: "admin", status: 400},
			{op: "GET /api/v1/employees/{nip}", url: "/api/v1/employees/" + nipA1, who: "opd", status: 200},
			{op: "GET /api/v1/employees/{nip}", url: "/api/v1/employees/" + nipB1, who: "pegawai", status: 403},
			{op: "POST /api/v1/imports/employees", url: "/api/v1/imports/employees?dry_run=true", who: "admin",
				file: csv("199001012015031004,Dewi Lestari,PNS,DINKES,pelaksana"), status: 200},
			{op: "POST /api/v1/imports/employees", url: "/api/v1/imports/employees", who: "admin",
				file: csv("199001012015031004,Dewi Lestari,PNS,DINKES,pelaksana", "123,Salah,PNS,DINKES,pelaksana"), status: 422},
			{op: "POST /api/v1/imports/employees", url: "/api/v1/imports/employees", who: "verifikator", file: csv("x"), status: 403},
		}
		cases = append(cases, workflowSchemaCases(ts)...)
		for _, tc := range cases {
			what := fmt.Sprintf("%s as %q → %d", tc.url, tc.who, tc.status)
			method, _, _ := strings.Cut(tc.op, " ")
			var resp *http.Response
			var body string
			if tc.file != "" {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				fw, _ := mw.CreateFormFile("file", "pegawai.csv")
				fw.Write([]byte(tc.file))
				mw.Close()
				req := httptest.NewRequest(method, tc.url, &buf)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				req.Header.Set("Authorization", "Bearer "+tok[tc.who])
				resp, body = ts.do(req)
			} else {
				resp, body = ts.api(method, tc.url, tok[tc.who], tc.body)
			}
			if resp.StatusCode != tc.status {
				t.Errorf("%s: status %d: %s", what, resp.StatusCode, body)
				continue
			}
			op, ok := ops[tc.op]
			if !ok {
				t.Errorf("%s: operation %s not documented", what, tc.op)
				continue
			}
			r := resolveRef(t, doc, dig(op, "responses", strconv.Itoa(tc.status)))
			if r == nil {
				t.Errorf("%s: status %d not documented for %s", what, tc.status, tc.op)
				continue
			}
			schema := dig(r, "content", "application/json", "schema")
			if schema == nil {
				t.Errorf("%s: no JSON schema documented", what)
				continue
			}
			var v any
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Errorf("%s: not JSON: %s", what, body)
				continue
			}
			for _, e := range shapeErrors(t, doc, schema, v, "body") {
				t.Errorf("%s: %s\n%s", what, e, body)
			}
		}
		certificateSchemaCalls(t, ts, doc, ops, tok) // web/api_certificates_test.go
	})
}

// workflowSchemaCases walk the approval workflow through the API for
// TestOpenAPIResponsesMatchSchemas, in order: request 1 is the harness's submitted sample;
// requests 2 and 3 are created first (so their ids are known on both databases).
func workflowSchemaCases(ts *testServer) []struct {
	op, url, who, body string
	file               string
	status             int
} {
	start := domain.DateOf(ts.db.Now().Add(7*time.Hour).AddDate(0, 0, 21))
	input := func(title, end string, jp int) string {
		return fmt.Sprintf(`{"title":%q,"kind":"teknis","organizer":"lainnya","organizer_name":"Pusdiklat Kemendikbudristek",`+
			`"online":true,"start_date":%q,"end_date":%q,"jp":%d,"participants":[%q]}`, title, start.String(), end, jp, nipA2)
	}
	end := domain.Date{Time: start.AddDate(0, 0, 2)}.String()
	report := fmt.Sprintf(`{"participants":[{"nip":%q,"attended":true,"passed":true,"score":"88"},{"nip":%q,"attended":false,"passed":false}],"note":"Satu berhalangan."}`, nipA1, nipA2)
	// Request 1's activity ends today: its reports below are accepted (a report is refused
	// before the last day), its certificates still wait for the end.
	ts.activityEndsToday(ts.t, 1)
	type tc = struct {
		op, url, who, body string
		file               string
		status             int
	}
	return []tc{
		{op: "POST /api/v1/requests", url: "/api/v1/requests", who: "opd", body: input("Pelatihan Teknis Skema", end, 24), status: 201},
		{op: "POST /api/v1/requests", url: "/api/v1/requests", who: "opd", body: input("Pelatihan Ditarik Skema", end, 24), status: 201},
		{op: "POST /api/v1/requests", url: "/api/v1/requests", who: "opd", body: input("Tanggal Terbalik", start.AddDate(0, 0, -1).Format(domain.DateLayout), 24), status: 400},
		{op: "POST /api/v1/requests", url: "/api/v1/requests", who: "verifikator", body: input("Bukan OPD", end, 24), status: 403},
		{op: "GET /api/v1/requests", url: "/api/v1/requests?state=submitted&queue=true", who: "verifikator", status: 200},
		{op: "GET /api/v1/requests", url: "/api/v1/requests", who: "opd", status: 200},
		{op: "GET /api/v1/requests", url: "/api/v1/requests?state=entah", who: "admin", status: 400},
		{op: "GET /api/v1/requests", url: "/api/v1/requests?opd=DINKES", who: "opd", status: 403},
		{op: "GET /api/v1/requests/{id}", url: "/api/v1/requests/1", who: "pegawai", status: 200},
		{op: "GET /api/v1/requests/{id}", url: "/api/v1/requests/2", who: "opd", status: 200},
		{op: "GET /api/v1/requests/{id}", url: "/api/v1/requests/999", who: "admin", status: 404},
		{op: "PUT /api/v1/requests/{id}", url: "/api/v1/requests/2", who: "opd", body: input("Pelatihan Teknis Skema (ubah)", end, 20), status: 200},
		{op: "PUT /api/v1/requests/{id}", url: "/api/v1/requests/2", who: "opd", body: input("Pelatihan Teknis Skema", end, 0), status: 400},
		{op: "PUT /api/v1/requests/{id}", url: "/api/v1/requests/1", who: "opd", body: input("Sudah Diajukan", end, 24), status: 409},
		{op: "POST /api/v1/requests/{id}/attachments", url: "/api/v1/requests/2/attachments", who: "opd", file: string(samplePDF), status: 201},
		{op: "POST /api/v1/requests/{id}/attachments", url: "/api/v1/requests/2/attachments", who: "opd", file: "bukan PDF", status: 400},
		{op: "POST /api/v1/requests/{id}/attachments", url: "/api/v1/requests/1/attachments", who: "opd", file: string(samplePDF), status: 409},
		{op: "POST /api/v1/requests/{id}/submit", url: "/api/v1/requests/2/submit", who: "opd", status: 200},
		{op: "POST /api/v1/requests/{id}/return", url: "/api/v1/requests/2/return", who: "verifikator", body: `{}`, status: 400},
		{op: "POST /api/v1/requests/{id}/return", url: "/api/v1/requests/2/return", who: "verifikator", body: `{"note":"Lengkapi TOR."}`, status: 200},
		{op: "POST /api/v1/requests/{id}/submit", url: "/api/v1/requests/2/submit", who: "opd", body: `{"note":"Sudah dilengkapi."}`, status: 200},
		{op: "POST /api/v1/requests/{id}/reject", url: "/api/v1/requests/2/reject", who: "verifikator", body: `{"reason":"Anggaran tidak tersedia."}`, status: 200},
		{op: "POST /api/v1/requests/{id}/approve", url: "/api/v1/requests/2/approve", who: "verifikator", status: 409},
		{op: "POST /api/v1/requests/{id}/withdraw", url: "/api/v1/requests/3/withdraw", who: "opd", status: 200},
		{op: "POST /api/v1/requests/{id}/withdraw", url: "/api/v1/requests/1/withdraw", who: "verifikator", status: 403},
		{op: "GET /api/v1/requests/{id}/letter.pdf", url: "/api/v1/requests/1/letter.pdf", who: "opd", status: 409},
		{op: "POST /api/v1/requests/{id}/report", url: "/api/v1/requests/1/report", who: "opd", body: report, status: 409},
		{op: "POST /api/v1/requests/{id}/approve", url: "/api/v1/requests/1/approve", who: "verifikator", body: `{"note":"Sesuai kebutuhan."}`, status: 200},
		{op: "POST /api/v1/requests/{id}/report", url: "/api/v1/requests/1/report", who: "opd", body: `{"participants":[]}`, status: 400},
		{op: "POST /api/v1/requests/{id}/report", url: "/api/v1/requests/1/report", who: "opd", body: report, status: 200},
		{op: "POST /api/v1/requests/{id}/report/return", url: "/api/v1/requests/1/report/return", who: "verifikator", body: `{"note":"Lampirkan daftar hadir."}`, status: 200},
		{op: "POST /api/v1/requests/{id}/report", url: "/api/v1/requests/1/report", who: "opd", body: report, status: 200},
		{op: "POST /api/v1/requests/{id}/report/verify", url: "/api/v1/requests/1/report/verify", who: "verifikator", status: 200},
		{op: "POST /api/v1/requests/{id}/report/verify", url: "/api/v1/requests/1/report/verify", who: "penandatangan", status: 403},
		{op: "GET /api/v1/requests/{id}/attachments/{att}", url: "/api/v1/requests/1/attachments/999", who: "opd", status: 404},
		{op: "GET /api/v1/notifications", url: "/api/v1/notifications", who: "verifikator", status: 200},
		{op: "GET /api/v1/notifications", url: "/api/v1/notifications", who: "pegawai", status: 200},
		{op: "POST /api/v1/notifications/read", url: "/api/v1/notifications/read", who: "opd", body: `{"id":"semua"}`, status: 400},
	}
}
