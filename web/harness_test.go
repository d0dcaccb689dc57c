package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/document"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/filestore"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/internal/qr"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/issuer"
	"github.com/sertika/sertika/scoring"
)

// The shared test harness: a Server on a real database with two OPDs, a few employees and
// one account per role. Every account's password is testPassword.
const testPassword = "kata-sandi-uji-123"

// Fixture NIPs: nipA1 and nipA2 work in OPD "DISDIK", nipB1 in "DINKES".
const (
	nipA1 = "196608011988031001"
	nipA2 = "197001012000012002"
	nipB1 = "198505052010011003"
)

// testUsers maps each role to the user name created for it. The opd user belongs to
// DISDIK, the pegawai user is nipA1.
var testUsers = map[domain.Role]string{
	domain.RoleAdmin:         "admin",
	domain.RoleVerifikator:   "verifikator",
	domain.RolePenandatangan: "kepala",
	domain.RoleOPD:           "opd.disdik",
	domain.RolePegawai:       "pegawai.a1",
}

type testServer struct {
	t   testing.TB
	db  *database.DB
	srv *Server
}

// newTestServer builds a Server with fixtures on db.
func newTestServer(t testing.TB, db *database.DB) *testServer {
	t.Helper()
	ctx := context.Background()
	acc, err := account.New(db, account.Options{HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1},
		JWTSecret: []byte("test-secret-test-secret-test-secret!")})
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.New(db)
	for _, o := range []directory.OPDInput{{Code: "DISDIK", Name: "Dinas Pendidikan"}, {Code: "DINKES", Name: "Dinas Kesehatan"}} {
		if _, err := dir.CreateOPD(ctx, domain.System, o); err != nil {
			t.Fatal(err)
		}
	}
	var opds []domain.OPD
	db.Gorm.Order("code").Find(&opds) // DINKES, DISDIK
	emps := []domain.Employee{
		{NIP: nipA1, Name: "Andi Wijaya", FrontTitle: "Dr.", BackTitle: "S.Pd., M.Pd.", Status: "PNS", OPDID: opds[1].ID, Position: "Kepala Sekolah", PositionKind: "fungsional", JFName: "Guru Ahli Madya", EducationLevel: "45", Active: true},
		{NIP: nipA2, Name: "Siti Rahmawati", BackTitle: "S.E.", Status: "PNS", OPDID: opds[1].ID, Position: "Kepala Subbagian Umum", PositionKind: "struktural", Eselon: "IV.a", EducationLevel: "40", Active: true},
		{NIP: nipB1, Name: "Budi Santoso", Status: "PNS", OPDID: opds[0].ID, Position: "Pengelola Data", PositionKind: "pelaksana", EducationLevel: "30", Active: true},
	}
	if err := db.Gorm.Create(&emps).Error; err != nil {
		t.Fatal(err)
	}
	for role, name := range testUsers {
		in := account.UserInput{Username: name, DisplayName: "Uji " + string(role), Role: role, Password: testPassword}
		switch role {
		case domain.RoleOPD:
			in.OPDCode = "DISDIK"
		case domain.RolePegawai:
			in.NIP = nipA1
		}
		if _, err := acc.Create(ctx, domain.System, in); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	files, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	req := issuer.New(db, files, issuer.Options{MaxAttachmentBytes: 1 << 20})
	sampleRequest(t, db, req)
	ks := keys.NewStore(db, t.TempDir(), keys.Options{})
	if _, err := ks.Generate(ctx, false, nil); err != nil {
		t.Fatal(err)
	}
	renderer, err := sharedRenderer()
	if err != nil {
		t.Fatal(err)
	}
	sc := scoring.NewStore(db, nil).WithEvidence(files, scoring.ExternalOptions{MaxEvidenceBytes: 1 << 20})
	iss := issuer.NewIssuance(db, ks, issuer.IssuanceOptions{PublicURL: "http://sertika.test", QRBudget: qr.CheckBudget,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Scores: sc})
	srv, err := New(Deps{DB: db, Accounts: acc, Directory: dir, Requests: req, Issuance: iss, Keys: ks, Certificates: renderer, Scoring: sc,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PublicURL: "http://sertika.test", Version: "test", MaxUploadBytes: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{t: t, db: db, srv: srv}
}

// sharedRenderer is one certificate renderer for all tests (fonts are prepared once).
var sharedRenderer = sync.OnceValues(document.NewCertificateRenderer)

// samplePDF is a minimal PDF for attachments.
var samplePDF = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

// sampleRequest creates request 1: DISDIK's technical training two weeks ahead for nipA1 and
// nipA2, with attachment 1 (a PDF), submitted and waiting for BKPSDM's decision.
func sampleRequest(t testing.TB, db *database.DB, svc *issuer.Service) {
	t.Helper()
	ctx := context.Background()
	var opdUser domain.User
	if err := db.Gorm.Where("username = ?", testUsers[domain.RoleOPD]).Take(&opdUser).Error; err != nil {
		t.Fatal(err)
	}
	a := opdUser.Actor()
	start := domain.DateOf(db.Now().Add(7*time.Hour).AddDate(0, 0, 14))
	d, err := svc.Create(ctx, a, issuer.RequestInput{Title: "Bimbingan Teknis Kurikulum Merdeka", Kind: "bimtek",
		Organizer: "bkpsdm", Place: "Aula BKPSDM", StartDate: start, EndDate: domain.Date{Time: start.AddDate(0, 0, 2)},
		JP: 24, Participants: []string{nipA1, nipA2}})
	if err != nil {
		t.Fatalf("sample request: %v", err)
	}
	if _, err := svc.AddAttachment(ctx, a, d.Request.ID, issuer.PurposeProposal, "kerangka-acuan.pdf", bytes.NewReader(samplePDF)); err != nil {
		t.Fatalf("sample attachment: %v", err)
	}
	if _, err := svc.Submit(ctx, a, d.Request.ID, ""); err != nil {
		t.Fatalf("submit sample request: %v", err)
	}
}

// eachServer runs fn once per database dialect with a fresh test server.
func eachServer(t *testing.T, fn func(t *testing.T, ts *testServer)) {
	testdb.Each(t, func(t *testing.T, db *database.DB) { fn(t, newTestServer(t, db)) })
}

// do sends req through the app and returns the response with its body read.
func (ts *testServer) do(req *http.Request) (*http.Response, string) {
	ts.t.Helper()
	resp, err := ts.srv.App.Test(req, -1)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// apiToken signs in through POST /api/v1/auth/token and returns the bearer token.
func (ts *testServer) apiToken(username string) string {
	ts.t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/auth/token",
		strings.NewReader(`{"username":"`+username+`","password":"`+testPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, body := ts.do(req)
	if resp.StatusCode != 200 {
		ts.t.Fatalf("token for %s: %d %s", username, resp.StatusCode, body)
	}
	var tr struct{ Token string }
	if err := json.Unmarshal([]byte(body), &tr); err != nil || tr.Token == "" {
		ts.t.Fatalf("token response %q: %v", body, err)
	}
	return tr.Token
}

// api sends a JSON API request with a bearer token ("" for none) and a JSON body ("" for none).
func (ts *testServer) api(method, path, token, body string) (*http.Response, string) {
	ts.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept", "application/json")
	return ts.do(req)
}

// browser is a signed-in (or anonymous) browser: its cookies and current CSRF token.
type browser struct {
	ts      *testServer
	cookies map[string]string
	csrf    string
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// newBrowser returns an anonymous browser that has loaded the login page.
func (ts *testServer) newBrowser() *browser {
	b := &browser{ts: ts, cookies: map[string]string{}}
	b.get("/masuk")
	return b
}

// login signs in through the login form and returns the browser.
func (ts *testServer) login(username string) *browser {
	ts.t.Helper()
	b := ts.newBrowser()
	resp, body := b.postForm("/masuk", url.Values{"username": {username}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther || b.cookies[sessionCookie] == "" {
		ts.t.Fatalf("login %s: %d %s", username, resp.StatusCode, body)
	}
	b.get("/") // pick up the session's CSRF token
	return b
}

func (b *browser) send(req *http.Request) (*http.Response, string) {
	b.ts.t.Helper()
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	req.Header.Set("Accept", "text/html")
	resp, body := b.ts.do(req)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	if m := csrfRE.FindStringSubmatch(body); m != nil {
		b.csrf = m[1]
	}
	return resp, body
}

// get loads a page.
func (b *browser) get(path string) (*http.Response, string) {
	b.ts.t.Helper()
	return b.send(httptest.NewRequest("GET", path, nil))
}

// postForm submits a form, adding the current CSRF token unless form already has one.
func (b *browser) postForm(path string, form url.Values) (*http.Response, string) {
	b.ts.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", b.csrf)
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}
