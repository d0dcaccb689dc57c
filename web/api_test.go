package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

// testJWTSecret is the harness's token secret (see newTestServer).
var testJWTSecret = []byte("test-secret-test-secret-test-secret!")

// apiErr is the uniform error body.
type apiErr struct {
	Error struct {
		Code      string            `json:"code"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields"`
		RequestID string            `json:"request_id"`
	} `json:"error"`
}

// wantError checks that a response is the JSON error body with status and code, and returns it.
func wantError(t *testing.T, what string, resp *http.Response, body string, status int, code string) apiErr {
	t.Helper()
	var e apiErr
	if resp.StatusCode != status {
		t.Errorf("%s: status %d, want %d; body %s", what, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want JSON; body %s", what, ct, body)
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Errorf("%s: body is not JSON: %v: %s", what, err, body)
		return e
	}
	if e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("%s: error %+v, want code %s with a message", what, e.Error, code)
	}
	return e
}

// decode unmarshals a JSON body or fails the test.
func decode[T any](t *testing.T, what, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%s: %v: %s", what, err, body)
	}
	return v
}

// rawPost sends a POST with an explicit content type.
func (ts *testServer) rawPost(path, contentType, body string) (*http.Response, string) {
	ts.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	return ts.do(req)
}

// withAuth sends GET path with the raw Authorization header value (none when "").
func (ts *testServer) withAuth(path, authorization string) (*http.Response, string) {
	ts.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	req.Header.Set("Accept", "application/json")
	return ts.do(req)
}

func (ts *testServer) userID(username string) int64 {
	ts.t.Helper()
	var u domain.User
	if err := ts.db.Gorm.Where("username = ?", username).Take(&u).Error; err != nil {
		ts.t.Fatalf("user %s: %v", username, err)
	}
	return u.ID
}

func tokenBody(user, password string) string {
	b, _ := json.Marshal(map[string]string{"username": user, "password": password})
	return string(b)
}

// ---- POST /api/v1/auth/token ----

func TestAPITokenEndpoint(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		before := time.Now()
		resp, body := ts.api("POST", "/api/v1/auth/token", "", tokenBody("ADMIN ", testPassword)) // names are case-insensitive
		if resp.StatusCode != 200 {
			t.Fatalf("good credentials: %d %s", resp.StatusCode, body)
		}
		tr := decode[struct {
			Token     string    `json:"token"`
			TokenType string    `json:"token_type"`
			ExpiresAt time.Time `json:"expires_at"`
		}](t, "token", body)
		if tr.Token == "" || tr.TokenType != "Bearer" {
			t.Errorf("token response %s", body)
		}
		if life := tr.ExpiresAt.Sub(before); life < 8*time.Hour-2*time.Second || life > 8*time.Hour+2*time.Second {
			t.Errorf("expires_at %v is %v from now, want 8h", tr.ExpiresAt, life)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", cc)
		}
		resp, body = ts.api("GET", "/api/v1/me", tr.Token, "")
		if me := decode[userView](t, "me", body); resp.StatusCode != 200 || me.Username != "admin" || me.Role != domain.RoleAdmin {
			t.Errorf("me with the new token = %d %s", resp.StatusCode, body)
		}

		// A wrong password and an unknown user get the same answer, byte for byte.
		resp, wrong := ts.api("POST", "/api/v1/auth/token", "", tokenBody("admin", "salah-sekali"))
		wantError(t, "wrong password", resp, wrong, 401, "unauthorized")
		resp, unknown := ts.api("POST", "/api/v1/auth/token", "", tokenBody("tidak.ada", "salah-sekali"))
		wantError(t, "unknown user", resp, unknown, 401, "unauthorized")
		if wrong != unknown {
			t.Errorf("wrong password %s and unknown user %s answer differently", wrong, unknown)
		}
		if !strings.Contains(wrong, "Nama pengguna atau kata sandi salah.") {
			t.Errorf("wrong password: %s", wrong)
		}

		// Malformed requests: 400 with an Indonesian message, and no sign-in attempt counted.
		for _, tc := range []struct {
			name, contentType, body, msg string
		}{
			{"empty body", "application/json", "", "Isi permintaan kosong."},
			{"invalid JSON", "application/json", `{"username":`, "JSON tidak sah"},
			{"not an object", "application/json", `["admin"]`, "harus bertipe"},
			{"wrong type", "application/json", `{"username":1,"password":"x"}`, `Nilai kolom "username" harus bertipe string`},
			{"unknown field", "application/json", `{"username":"admin","password":"x","role":"admin"}`, `Kolom tidak dikenal: "role".`},
			{"trailing data", "application/json", tokenBody("admin", testPassword) + `{}`, "data setelah objek JSON"},
			{"form content type", "application/x-www-form-urlencoded", "username=admin&password=" + testPassword, "Content-Type: application/json"},
			{"text content type", "text/plain", tokenBody("admin", testPassword), "Content-Type: application/json"},
			{"no content type", "", tokenBody("admin", testPassword), "Content-Type: application/json"},
		} {
			resp, body := ts.rawPost("/api/v1/auth/token", tc.contentType, tc.body)
			e := wantError(t, tc.name, resp, body, 400, "invalid")
			if !strings.Contains(e.Error.Message, tc.msg) {
				t.Errorf("%s: message %q, want it to contain %q", tc.name, e.Error.Message, tc.msg)
			}
		}
		// The JSON content type with parameters is accepted.
		resp, body = ts.rawPost("/api/v1/auth/token", "application/json; charset=utf-8", tokenBody("kepala", testPassword))
		if resp.StatusCode != 200 {
			t.Errorf("JSON with charset: %d %s", resp.StatusCode, body)
		}
	})
}

// Five failed sign-ins lock a user name, existing or not, with the same answer; the lock
// holds against the right password and leaves other names alone.
func TestAPITokenLockout(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		attempt := func(name, pw string) (int, string) {
			resp, body := ts.api("POST", "/api/v1/auth/token", "", tokenBody(name, pw))
			return resp.StatusCode, body
		}
		var answers [2][]string
		for i, name := range []string{"opd.disdik", "hantu.tidak.ada"} {
			for n := 1; n <= 5; n++ {
				st, body := attempt(name, "salah-"+strconv.Itoa(n))
				want := 401
				if n == 5 {
					want = 429
				}
				if st != want {
					t.Errorf("%s attempt %d: %d %s, want %d", name, n, st, body, want)
				}
				answers[i] = append(answers[i], body)
			}
			resp, body := ts.api("POST", "/api/v1/auth/token", "", tokenBody(name, testPassword))
			e := wantError(t, name+" locked, right password", resp, body, 429, "rate_limited")
			if !strings.Contains(e.Error.Message, "15 menit") {
				t.Errorf("lock-out message %q", e.Error.Message)
			}
			answers[i] = append(answers[i], body)
		}
		for n := range answers[0] {
			if answers[0][n] != answers[1][n] {
				t.Errorf("answer %d differs between an existing and a non-existing user: %s vs %s", n+1, answers[0][n], answers[1][n])
			}
		}
		if st, body := attempt("verifikator", testPassword); st != 200 {
			t.Errorf("another user after the lock-out: %d %s", st, body)
		}
	})
}

// One client address may try at most 20 sign-ins a minute, whatever the outcome.
func TestAPITokenAddressLimit(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		for i := 1; i <= 20; i++ {
			if resp, body := ts.rawPost("/api/v1/auth/token", "application/json", "{"); resp.StatusCode != 400 {
				t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
			}
		}
		resp, body := ts.api("POST", "/api/v1/auth/token", "", tokenBody("admin", testPassword))
		e := wantError(t, "21st request", resp, body, 429, "rate_limited")
		if !strings.Contains(e.Error.Message, "dari alamat ini") {
			t.Errorf("message %q", e.Error.Message)
		}
	})
}

// ---- bearer tokens ----

// fakeClock is a settable clock for the database (and so for tokens).
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// eachServerWithClock is eachServer with the database clock under the test's control.
func eachServerWithClock(t *testing.T, fn func(t *testing.T, ts *testServer, clock *fakeClock)) {
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			clock := &fakeClock{now: time.Now().UTC().Truncate(time.Second)}
			fn(t, newTestServer(t, testdb.NewWithClock(t, d, clock.Now)), clock)
		})
	}
}

func signToken(t *testing.T, m jwt.SigningMethod, key any, claims jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// apiTestClaims mirror the claims the server writes, with the password stamp "pwc".
type apiTestClaims struct {
	PasswordStamp int64 `json:"pwc"`
	jwt.RegisteredClaims
}

func TestAPIBearerTokens(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		now := clock.Now()
		adminID := strconv.FormatInt(ts.userID("admin"), 10)
		var stamp time.Time
		ts.db.Gorm.Raw("SELECT password_changed_at FROM users WHERE username = 'admin'").Scan(&stamp)
		claims := func(mod func(*jwt.RegisteredClaims)) apiTestClaims {
			c := apiTestClaims{PasswordStamp: stamp.UnixMicro(), RegisteredClaims: jwt.RegisteredClaims{Issuer: "sertika",
				Audience: jwt.ClaimStrings{"sertika-api"}, Subject: adminID,
				IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
				ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)), ID: "uji"}}
			if mod != nil {
				mod(&c.RegisteredClaims)
			}
			return c
		}
		staleStamp := claims(nil)
		staleStamp.PasswordStamp--
		hs256 := func(mod func(*jwt.RegisteredClaims)) string {
			return signToken(t, jwt.SigningMethodHS256, testJWTSecret, claims(mod))
		}
		// A token crafted like the server's is accepted: the negative cases below fail for
		// the one reason each names.
		if resp, body := ts.api("GET", "/api/v1/me", hs256(nil), ""); resp.StatusCode != 200 {
			t.Fatalf("well-formed crafted token: %d %s", resp.StatusCode, body)
		}

		pegawai := ts.apiToken("pegawai.a1")
		parts := strings.Split(pegawai, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var pc map[string]any
		_ = json.Unmarshal(payload, &pc)
		pc["sub"] = adminID
		tampered, _ := json.Marshal(pc)
		hs512 := signToken(t, jwt.SigningMethodHS512, testJWTSecret, claims(nil))
		none := signToken(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil))

		cases := []struct{ name, header string }{
			{"no header", ""},
			{"basic auth", "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+testPassword))},
			{"bearer without token", "Bearer "},
			{"bearer garbage", "Bearer bukan.token.jwt"},
			{"token without scheme", hs256(nil)},
			{"forged signature", "Bearer " + signToken(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-!!"), claims(nil))},
			{"tampered payload", "Bearer " + parts[0] + "." + base64.RawURLEncoding.EncodeToString(tampered) + "." + parts[2]},
			{"alg none", "Bearer " + none},
			{"alg none without signature", "Bearer " + strings.TrimSuffix(none, ".") + "."},
			{"HS512", "Bearer " + hs512},
			{"expired", "Bearer " + hs256(func(c *jwt.RegisteredClaims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Second)) })},
			{"no expiry", "Bearer " + hs256(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil })},
			{"not yet valid", "Bearer " + hs256(func(c *jwt.RegisteredClaims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Hour)) })},
			{"wrong issuer", "Bearer " + hs256(func(c *jwt.RegisteredClaims) { c.Issuer = "lain" })},
			{"wrong audience", "Bearer " + hs256(func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"lain"} })},
			{"unknown user", "Bearer " + hs256(func(c *jwt.RegisteredClaims) { c.Subject = "999999" })},
			{"subject not a number", "Bearer " + hs256(func(c *jwt.RegisteredClaims) { c.Subject = "admin" })},
			{"stamped with an earlier password", "Bearer " + signToken(t, jwt.SigningMethodHS256, testJWTSecret, staleStamp)},
			{"huge token", "Bearer " + strings.Repeat("a", 5000)},
		}
		for _, tc := range cases {
			resp, body := ts.withAuth("/api/v1/me", tc.header)
			wantError(t, tc.name, resp, body, 401, "unauthorized")
			if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s: WWW-Authenticate %q", tc.name, resp.Header.Get("WWW-Authenticate"))
			}
		}
		// The scheme name is case-insensitive (RFC 7235).
		if resp, body := ts.withAuth("/api/v1/me", "bearer "+pegawai); resp.StatusCode != 200 {
			t.Errorf("lower-case scheme: %d %s", resp.StatusCode, body)
		}

		// A real token expires after 8 hours.
		verifikator := ts.apiToken("verifikator")
		clock.Advance(8*time.Hour - time.Minute)
		if resp, body := ts.api("GET", "/api/v1/me", verifikator, ""); resp.StatusCode != 200 {
			t.Errorf("token after 7h59m: %d %s", resp.StatusCode, body)
		}
		clock.Advance(2 * time.Minute)
		resp, body := ts.api("GET", "/api/v1/me", verifikator, "")
		wantError(t, "token after 8h01m", resp, body, 401, "unauthorized")

		// Disabling the account refuses its token from the next request on; enabling it
		// again (the token not yet expired) lets it back in.
		ctx := context.Background()
		tok := ts.apiToken("opd.disdik")
		if err := ts.srv.Accounts.SetActive(ctx, domain.System, "opd.disdik", false); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/api/v1/me", "/api/v1/opds", "/api/v1/employees/" + nipA1} {
			resp, body := ts.api("GET", path, tok, "")
			wantError(t, "disabled user "+path, resp, body, 401, "unauthorized")
		}
		resp, body = ts.api("POST", "/api/v1/auth/token", "", tokenBody("opd.disdik", testPassword))
		if e := wantError(t, "token for a disabled user", resp, body, 401, "unauthorized"); !strings.Contains(e.Error.Message, "dinonaktifkan") {
			t.Errorf("disabled sign-in message %q", e.Error.Message)
		}
		if err := ts.srv.Accounts.SetActive(ctx, domain.System, "opd.disdik", true); err != nil {
			t.Fatal(err)
		}
		if resp, body := ts.api("GET", "/api/v1/me", tok, ""); resp.StatusCode != 200 {
			t.Errorf("re-enabled user: %d %s", resp.StatusCode, body)
		}

		// A password change revokes the tokens issued before it, not those after.
		tok = ts.apiToken("kepala")
		clock.Advance(2 * time.Second)
		if err := ts.srv.Accounts.SetPassword(ctx, domain.System, "kepala", "kata-sandi-baru-456"); err != nil {
			t.Fatal(err)
		}
		resp, body = ts.api("GET", "/api/v1/me", tok, "")
		wantError(t, "token from before a password change", resp, body, 401, "unauthorized")
		clock.Advance(2 * time.Second)
		resp, body = ts.api("POST", "/api/v1/auth/token", "", tokenBody("kepala", "kata-sandi-baru-456"))
		if resp.StatusCode != 200 {
			t.Fatalf("token with the new password: %d %s", resp.StatusCode, body)
		}
		fresh := decode[tokenResponse](t, "token", body).Token
		if resp, body := ts.api("GET", "/api/v1/me", fresh, ""); resp.StatusCode != 200 {
			t.Errorf("token after the password change: %d %s", resp.StatusCode, body)
		}
	})
}

// ---- OPDs ----

func TestAPIOPDWrites(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		admin := ts.apiToken("admin")
		opdCount := func() int64 {
			var n int64
			ts.db.Gorm.Model(&domain.OPD{}).Count(&n)
			return n
		}

		resp, body := ts.api("POST", "/api/v1/opds", admin, `{"code":"BAPPEDA","name":"Badan Perencanaan Pembangunan Daerah","parent":"Pemerintah Kabupaten Uji"}`)
		if resp.StatusCode != 201 || resp.Header.Get("Location") != "/api/v1/opds/BAPPEDA" {
			t.Fatalf("create = %d Location %q %s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		if o := decode[opdView](t, "create", body); o != (opdView{Code: "BAPPEDA", Name: "Badan Perencanaan Pembangunan Daerah", Parent: "Pemerintah Kabupaten Uji", Active: true}) {
			t.Errorf("created %+v", o)
		}
		if resp, body := ts.api("GET", resp.Header.Get("Location"), admin, ""); resp.StatusCode != 200 || !strings.Contains(body, "BAPPEDA") {
			t.Errorf("GET Location = %d %s", resp.StatusCode, body)
		}

		// Duplicates, also in another case of spaces around the code.
		resp, body = ts.api("POST", "/api/v1/opds", admin, `{"code":" BAPPEDA ","name":"Lagi"}`)
		if e := wantError(t, "duplicate", resp, body, 409, "conflict"); !strings.Contains(e.Error.Message, "sudah dipakai") {
			t.Errorf("duplicate message %q", e.Error.Message)
		}
		// Invalid input: 400 with an Indonesian message, nothing written.
		n := opdCount()
		for _, tc := range []struct{ name, body, msg string }{
			{"code with a space", `{"code":"BAP PEDA","name":"X"}`, "Kode OPD hanya boleh"},
			{"code with a slash", `{"code":"A/B","name":"X"}`, "Kode OPD hanya boleh"},
			{"code with SQL", `{"code":"X';DROP TABLE opds;--","name":"X"}`, "Kode OPD hanya boleh"},
			{"code too long", `{"code":"` + strings.Repeat("A", 33) + `","name":"X"}`, "paling panjang 32"},
			{"no code", `{"name":"X"}`, "Kode OPD wajib diisi."},
			{"no name", `{"code":"BARU"}`, "Nama OPD wajib diisi."},
			{"control character", `{"code":"BARU","name":"A\u0000B"}`, "karakter kendali"},
			{"unknown field", `{"kode":"BARU","name":"X"}`, `Kolom tidak dikenal: "kode".`},
			{"active as text", `{"code":"BARU","name":"X","active":"ya"}`, `"active" harus bertipe bool`},
			{"empty", `{}`, "Kode OPD wajib diisi."},
		} {
			resp, body := ts.api("POST", "/api/v1/opds", admin, tc.body)
			if e := wantError(t, tc.name, resp, body, 400, "invalid"); !strings.Contains(e.Error.Message, tc.msg) {
				t.Errorf("%s: message %q, want %q", tc.name, e.Error.Message, tc.msg)
			}
		}
		if got := opdCount(); got != n {
			t.Errorf("invalid creates wrote OPDs: %d → %d", n, got)
		}

		// Update: 200 with the new state; deactivated OPDs leave the default list.
		resp, body = ts.api("PUT", "/api/v1/opds/BAPPEDA", admin, `{"name":"Bappeda","active":false}`)
		if o := decode[opdView](t, "update", body); resp.StatusCode != 200 || o != (opdView{Code: "BAPPEDA", Name: "Bappeda", Active: false}) {
			t.Errorf("update = %d %s", resp.StatusCode, body)
		}
		_, body = ts.api("GET", "/api/v1/opds", admin, "")
		if strings.Contains(body, "BAPPEDA") {
			t.Errorf("inactive OPD listed by default: %s", body)
		}
		_, body = ts.api("GET", "/api/v1/opds?include_inactive=true", admin, "")
		if !strings.Contains(body, "BAPPEDA") {
			t.Errorf("include_inactive=true does not list the inactive OPD: %s", body)
		}
		// Rename; then the old code is gone and the new one answers.
		if resp, body := ts.api("PUT", "/api/v1/opds/BAPPEDA", admin, `{"code":"BAPPEDA2","name":"Bappeda","active":true}`); resp.StatusCode != 200 {
			t.Errorf("rename = %d %s", resp.StatusCode, body)
		}
		resp, body = ts.api("GET", "/api/v1/opds/BAPPEDA", admin, "")
		wantError(t, "old code after rename", resp, body, 404, "not_found")
		resp, body = ts.api("PUT", "/api/v1/opds/BAPPEDA2", admin, `{"code":"DISDIK","name":"Bentrok"}`)
		wantError(t, "rename onto a taken code", resp, body, 409, "conflict")
		resp, body = ts.api("PUT", "/api/v1/opds/TIDAKADA", admin, `{"name":"X"}`)
		wantError(t, "update unknown", resp, body, 404, "not_found")

		// Every other role: 403, and nothing written.
		n = opdCount()
		for _, role := range []domain.Role{domain.RoleVerifikator, domain.RolePenandatangan, domain.RoleOPD, domain.RolePegawai} {
			tok := ts.apiToken(testUsers[role])
			resp, body := ts.api("POST", "/api/v1/opds", tok, `{"code":"SUSUP","name":"Penyusup"}`)
			wantError(t, string(role)+" create", resp, body, 403, "forbidden")
			resp, body = ts.api("PUT", "/api/v1/opds/DISDIK", tok, `{"name":"Diubah","active":false}`)
			wantError(t, string(role)+" update", resp, body, 403, "forbidden")
		}
		var disdik domain.OPD
		ts.db.Gorm.Where("code = ?", "DISDIK").Take(&disdik)
		if got := opdCount(); got != n || disdik.Name != "Dinas Pendidikan" || !disdik.Active {
			t.Errorf("forbidden writes changed data: %d OPDs (want %d), DISDIK %+v", got, n, disdik)
		}

		// SQL metacharacters and HTML are stored verbatim and come back JSON-escaped.
		nasty := `Dinas '; DROP TABLE opds; -- <script>alert("x")</script> & 100% _ \ Ω`
		in, _ := json.Marshal(map[string]any{"code": "NAKAL", "name": nasty, "parent": `<b>Induk</b> ' OR '1'='1`})
		resp, body = ts.api("POST", "/api/v1/opds", admin, string(in))
		if resp.StatusCode != 201 {
			t.Fatalf("create with metacharacters = %d %s", resp.StatusCode, body)
		}
		resp, body = ts.api("GET", "/api/v1/opds/NAKAL", admin, "")
		o := decode[opdView](t, "nasty", body)
		if resp.StatusCode != 200 || o.Name != nasty || o.Parent != `<b>Induk</b> ' OR '1'='1` {
			t.Errorf("stored %+v, want the text verbatim", o)
		}
		if strings.ContainsAny(body, "<>") || !strings.Contains(body, `\u003cscript\u003e`) {
			t.Errorf("HTML not JSON-escaped: %s", body)
		}
		if got := opdCount(); got != n+1 {
			t.Errorf("OPDs = %d, want %d (the table survived)", got, n+1)
		}
		var stored domain.OPD
		ts.db.Gorm.Where("code = ?", "NAKAL").Take(&stored)
		if stored.Name != nasty {
			t.Errorf("database holds %q", stored.Name)
		}
	})
}

func TestAPIOPDReads(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		codes := func(tok string) []string {
			t.Helper()
			resp, body := ts.api("GET", "/api/v1/opds", tok, "")
			if resp.StatusCode != 200 {
				t.Fatalf("list = %d %s", resp.StatusCode, body)
			}
			var out []string
			for _, o := range decode[struct{ Items []opdView }](t, "opds", body).Items {
				out = append(out, o.Code)
			}
			return out
		}
		for role, want := range map[domain.Role]string{
			domain.RoleAdmin: "DINKES DISDIK", domain.RoleVerifikator: "DINKES DISDIK", domain.RolePenandatangan: "DINKES DISDIK",
			domain.RoleOPD: "DISDIK", domain.RolePegawai: "DISDIK",
		} {
			tok := ts.apiToken(testUsers[role])
			if got := strings.Join(codes(tok), " "); got != want {
				t.Errorf("%s sees OPDs %q, want %q", role, got, want)
			}
			resp, body := ts.api("GET", "/api/v1/opds/DINKES", tok, "")
			if strings.Contains(want, "DINKES") {
				if resp.StatusCode != 200 {
					t.Errorf("%s GET DINKES = %d %s", role, resp.StatusCode, body)
				}
			} else {
				wantError(t, string(role)+" GET another OPD", resp, body, 403, "forbidden")
			}
			resp, body = ts.api("GET", "/api/v1/opds/TIDAKADA", tok, "")
			wantError(t, string(role)+" GET unknown OPD", resp, body, 404, "not_found")
		}
	})
}

// ---- employees ----

type employeePage struct {
	Items  []employeeView `json:"items"`
	Total  int64          `json:"total"`
	Limit  int            `json:"limit"`
	Offset int            `json:"offset"`
}

func TestAPIEmployeeList(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		admin := ts.apiToken("admin")
		list := func(tok, query string) employeePage {
			t.Helper()
			resp, body := ts.api("GET", "/api/v1/employees"+query, tok, "")
			if resp.StatusCode != 200 {
				t.Fatalf("list %s = %d %s", query, resp.StatusCode, body)
			}
			return decode[employeePage](t, query, body)
		}
		nips := func(p employeePage) string {
			var s []string
			for _, e := range p.Items {
				s = append(s, e.NIP)
			}
			return strings.Join(s, " ")
		}

		all := list(admin, "")
		if all.Total != 3 || all.Limit != 50 || all.Offset != 0 || nips(all) != nipA1+" "+nipB1+" "+nipA2 {
			t.Errorf("all = total %d limit %d offset %d [%s], want 3 by name", all.Total, all.Limit, all.Offset, nips(all))
		}
		a1 := all.Items[0]
		if a1.FullName != "Dr. Andi Wijaya, S.Pd., M.Pd." || a1.OPD == nil || a1.OPD.Code != "DISDIK" || a1.JF != "Guru Ahli Madya" ||
			a1.PositionKind != "fungsional" || a1.EducationLevel != "45" || a1.EducationLabel == "" || !a1.Active {
			t.Errorf("employee view %+v", a1)
		}

		for _, tc := range []struct{ query, want string }{
			{"?opd=DISDIK", nipA1 + " " + nipA2},
			{"?opd=DINKES", nipB1},
			{"?q=siti", nipA2},
			{"?q=SANTOSO", nipB1},
			{"?q=" + url.QueryEscape("andi wij"), nipA1},
			{"?q=1970", nipA2},                                // digits: the start of the NIP
			{"?q=" + url.QueryEscape("19700101 2000"), nipA2}, // spaces in a NIP are ignored
			{"?q=2000", ""},                                   // the middle of a NIP is not its start
			{"?q=%25", ""},                                    // % is a literal character
			{"?q=_", ""},                                      // and so is _
			{"?q=" + url.QueryEscape("' OR '1'='1"), ""},      // SQL is just text
			{"?opd=DISDIK&q=budi", ""},                        // filters combine
			{"?limit=1", nipA1},
			{"?limit=1&offset=1", nipB1},
			{"?limit=2&offset=2", nipA2},
			{"?offset=3", ""},
		} {
			if got := nips(list(admin, tc.query)); got != tc.want {
				t.Errorf("%s: [%s], want [%s]", tc.query, got, tc.want)
			}
		}
		if p := list(admin, "?limit=1&offset=1"); p.Total != 3 || p.Limit != 1 || p.Offset != 1 {
			t.Errorf("page = total %d limit %d offset %d", p.Total, p.Limit, p.Offset)
		}
		if p := list(admin, "?opd=DISDIK&limit=1"); p.Total != 2 {
			t.Errorf("filtered total = %d, want 2", p.Total)
		}
		if p := list(admin, "?limit=1000"); p.Limit != 200 || len(p.Items) != 3 {
			t.Errorf("limit=1000: limit %d, %d items; want capped at 200", p.Limit, len(p.Items))
		}
		if p := list(admin, "?limit=0"); p.Limit != 50 {
			t.Errorf("limit=0: limit %d, want the default 50", p.Limit)
		}
		for _, q := range []string{"?limit=abc", "?limit=-1", "?limit=1.5", "?offset=abc", "?offset=-5", "?limit=99999999999999999999"} {
			resp, body := ts.api("GET", "/api/v1/employees"+q, admin, "")
			if e := wantError(t, q, resp, body, 400, "invalid"); !strings.Contains(e.Error.Message, "bilangan bulat tidak negatif") {
				t.Errorf("%s: message %q", q, e.Error.Message)
			}
		}
		resp, body := ts.api("GET", "/api/v1/employees?q="+strings.Repeat("a", 101), admin, "")
		wantError(t, "long q", resp, body, 400, "invalid")
		resp, body = ts.api("GET", "/api/v1/employees?opd=TIDAKADA", admin, "")
		wantError(t, "unknown opd", resp, body, 404, "not_found")

		// The opd user sees their OPD, the pegawai themself; other OPDs are refused.
		opd := ts.apiToken("opd.disdik")
		if got := nips(list(opd, "")); got != nipA1+" "+nipA2 {
			t.Errorf("opd user sees [%s]", got)
		}
		if p := list(opd, "?q=budi"); p.Total != 0 {
			t.Errorf("opd user finds another OPD's employee by name: %+v", p)
		}
		if p := list(opd, "?q="+nipB1); p.Total != 0 {
			t.Errorf("opd user finds another OPD's employee by NIP: %+v", p)
		}
		resp, body = ts.api("GET", "/api/v1/employees?opd=DINKES", opd, "")
		wantError(t, "opd user, other OPD", resp, body, 403, "forbidden")
		peg := ts.apiToken("pegawai.a1")
		if p := list(peg, ""); nips(p) != nipA1 || p.Total != 1 {
			t.Errorf("pegawai sees [%s] total %d", nips(p), p.Total)
		}
		if p := list(peg, "?opd=DISDIK"); nips(p) != nipA1 {
			t.Errorf("pegawai, own OPD: [%s]", nips(p))
		}
		resp, body = ts.api("GET", "/api/v1/employees?opd=DINKES", peg, "")
		wantError(t, "pegawai, other OPD", resp, body, 403, "forbidden")
	})
}

func TestAPIEmployeeGet(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tokens := map[domain.Role]string{}
		for role, name := range testUsers {
			tokens[role] = ts.apiToken(name)
		}
		for _, tc := range []struct {
			role   domain.Role
			nip    string
			status int
		}{
			{domain.RoleAdmin, nipB1, 200},
			{domain.RoleVerifikator, nipA2, 200},
			{domain.RolePenandatangan, nipB1, 200},
			{domain.RoleOPD, nipA2, 200},
			{domain.RoleOPD, nipB1, 403}, // another OPD
			{domain.RolePegawai, nipA1, 200},
			{domain.RolePegawai, nipA2, 403}, // a colleague
			{domain.RolePegawai, nipB1, 403},
			{domain.RoleAdmin, "199001012015031004", 404},
			{domain.RoleOPD, "199001012015031004", 404},
			{domain.RoleAdmin, "bukan-nip", 404},
		} {
			resp, body := ts.api("GET", "/api/v1/employees/"+url.PathEscape(tc.nip), tokens[tc.role], "")
			what := fmt.Sprintf("%s GET %s", tc.role, tc.nip)
			switch tc.status {
			case 200:
				if e := decode[employeeView](t, what, body); resp.StatusCode != 200 || e.NIP != tc.nip {
					t.Errorf("%s = %d %s", what, resp.StatusCode, body)
				}
			case 403:
				wantError(t, what, resp, body, 403, "forbidden")
			case 404:
				wantError(t, what, resp, body, 404, "not_found")
			}
		}
		// A NIP written with spaces, dots or dashes finds the same employee.
		for _, written := range []string{"19660801 198803 1 001", "19660801.198803.1.001", "19660801-198803-1-001", " " + nipA1 + " "} {
			for _, role := range []domain.Role{domain.RoleAdmin, domain.RolePegawai} {
				resp, body := ts.api("GET", "/api/v1/employees/"+url.PathEscape(written), tokens[role], "")
				if e := decode[employeeView](t, written, body); resp.StatusCode != 200 || e.NIP != nipA1 {
					t.Errorf("%s GET %q = %d %s", role, written, resp.StatusCode, body)
				}
			}
		}
		resp, body := ts.api("GET", "/api/v1/employees/"+url.PathEscape("19850505 201001 1 003"), tokens[domain.RoleOPD], "")
		wantError(t, "opd user, another OPD's NIP with spaces", resp, body, 403, "forbidden")
	})
}

// ---- limits and failures ----

func TestAPIBodyTooLarge(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		admin := ts.apiToken("admin")
		// fasthttp refuses an oversized body while reading the request, which app.Test reports
		// as its own error; so these go through a real listener. The client announces 50 MB
		// and waits: the server must answer from Content-Length alone, without reading (or
		// buffering) the body. Sending the body too would race the server's close.
		base := ts.startAPIListener()
		for _, path := range []string{"/api/v1/opds", "/api/v1/auth/token", "/api/v1/imports/employees", "/api/v1/tidak-ada"} {
			resp, body := announceBody(t, base, path, "Bearer "+admin, 50<<20)
			e := wantError(t, "50 MB body to "+path, resp, body, 413, "too_large")
			if e.Error.Message != "Berkas atau data yang dikirim terlalu besar." {
				t.Errorf("%s: message %q", path, e.Error.Message)
			}
		}
		resp, err := http.Get(base + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("the server after 413: %v %v", resp, err)
		} else {
			resp.Body.Close()
		}
		// A file within the body limit but over the upload limit: the importer's own 413.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "besar.csv")
		fw.Write([]byte("nip,nama,status,kode_opd,jenis_jabatan\n"))
		fw.Write(bytes.Repeat([]byte("x"), 2<<20+100))
		mw.Close()
		req := httptest.NewRequest("POST", "/api/v1/imports/employees", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+admin)
		rs, body := ts.do(req)
		wantError(t, "large import file", rs, body, 413, "too_large")

		// Nothing crashed and nothing was written.
		if resp, body := ts.api("GET", "/api/v1/opds/BESAR", admin, ""); resp.StatusCode != 404 {
			t.Errorf("the large OPD was written: %d %s", resp.StatusCode, body)
		}
		if resp, body := ts.api("GET", "/healthz", "", ""); resp.StatusCode != 200 {
			t.Errorf("healthz after 413: %d %s", resp.StatusCode, body)
		}
		if resp, body := ts.api("GET", "/api/v1/me", admin, ""); resp.StatusCode != 200 {
			t.Errorf("me after 413: %d %s", resp.StatusCode, body)
		}
	})
}

// startAPIListener serves the app on a loopback port until the test ends and returns its base URL.
func (ts *testServer) startAPIListener() string {
	ts.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.t.Fatal(err)
	}
	go func() { _ = ts.srv.App.Listener(ln) }()
	ts.t.Cleanup(func() { _ = ts.srv.App.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// announceBody sends the head of a POST whose Content-Length is length, then reads the
// answer without sending the body.
func announceBody(t *testing.T, base, path, authorization string, length int) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: sertika.test\r\nContent-Type: application/json\r\n"+
		"Accept: application/json\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n", path, authorization, length)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("POST %s with %d bytes announced: %v", path, length, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// syncBuffer is a bytes.Buffer safe for the logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestAPIInternalErrorHidden(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		var logs syncBuffer
		ts.srv.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		admin := ts.apiToken("admin")
		if err := ts.db.Close(); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ method, path, token, body string }{
			{"GET", "/api/v1/opds", admin, ""},
			{"GET", "/api/v1/employees", admin, ""},
			{"GET", "/api/v1/agency", "", ""},
			{"POST", "/api/v1/auth/token", "", tokenBody("admin", testPassword)},
		} {
			what := tc.method + " " + tc.path + " on a closed database"
			resp, body := ts.api(tc.method, tc.path, tc.token, tc.body)
			e := wantError(t, what, resp, body, 500, "internal")
			if e.Error.Message != "Terjadi kesalahan pada server. Silakan coba lagi." {
				t.Errorf("%s: message %q", what, e.Error.Message)
			}
			if e.Error.RequestID == "" || e.Error.RequestID != resp.Header.Get("X-Request-ID") {
				t.Errorf("%s: request_id %q, header %q", what, e.Error.RequestID, resp.Header.Get("X-Request-ID"))
			}
			low := strings.ToLower(body)
			for _, leak := range []string{"sql", "database is closed", "closed", "gorm", "postgres", "select", "pool"} {
				if strings.Contains(low, leak) {
					t.Errorf("%s: body leaks %q: %s", what, leak, body)
				}
			}
			// The cause is in the log instead, under the same request id.
			if !strings.Contains(logs.String(), "request_id="+e.Error.RequestID) {
				t.Errorf("%s: request id %s not logged", what, e.Error.RequestID)
			}
		}
		if !strings.Contains(logs.String(), "closed") {
			t.Errorf("the cause was not logged: %s", logs.String())
		}
		// The readiness probe says so, in its own shape.
		resp, body := ts.api("GET", "/readyz", "", "")
		if resp.StatusCode != 503 || !strings.Contains(body, `"unavailable"`) || strings.Contains(strings.ToLower(body), "sql:") {
			t.Errorf("readyz on a closed database = %d %s", resp.StatusCode, body)
		}
		// A client-chosen request id is echoed in the body and header.
		req := httptest.NewRequest("GET", "/api/v1/opds", nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("X-Request-ID", "uji-123")
		resp, body = ts.do(req)
		if e := wantError(t, "own request id", resp, body, 500, "internal"); e.Error.RequestID != "uji-123" {
			t.Errorf("request_id %q, want uji-123", e.Error.RequestID)
		}
	})
}

// TestAPIImportContract checks the import endpoints answer in the shapes docs/openapi.yaml
// describes (the import rules themselves are tested in internal/importer).
func TestAPIImportContract(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		admin := ts.apiToken("admin")
		importFile := func(query, content string) (*http.Response, string) {
			t.Helper()
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			fw, _ := mw.CreateFormFile("file", "pegawai.csv")
			fw.Write([]byte(content))
			mw.Close()
			req := httptest.NewRequest("POST", "/api/v1/imports/employees"+query, &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("Authorization", "Bearer "+admin)
			return ts.do(req)
		}
		type report struct {
			Committed                             bool
			DryRun                                bool `json:"dry_run"`
			Created, Updated, Unchanged, Rejected int
			Rows                                  []struct {
				Line                      int
				NIP, Name, Action, Reason string
			}
		}
		const header = "nip,nama,status,kode_opd,jenis_jabatan\n"
		good := header + "199001012015031004,Dewi Lestari,PNS,DINKES,pelaksana\n" + nipB1 + ",Budi Santoso,PNS,DINKES,pelaksana\n"
		resp, body := importFile("?dry_run=true", good)
		r := decode[report](t, "dry run", body)
		if resp.StatusCode != 200 || r.Committed || !r.DryRun || r.Created != 1 || r.Unchanged != 1 || len(r.Rows) != 2 || r.Rows[0].Line != 2 {
			t.Errorf("dry run = %d %s", resp.StatusCode, body)
		}
		if resp, _ := ts.api("GET", "/api/v1/employees/199001012015031004", admin, ""); resp.StatusCode != 404 {
			t.Errorf("dry run wrote the employee: %d", resp.StatusCode)
		}
		resp, body = importFile("", header+"199001012015031004,Dewi Lestari,PNS,DINKES,pelaksana\n123,Salah,PNS,DINKES,pelaksana\n")
		r = decode[report](t, "rejected", body)
		if resp.StatusCode != 422 || r.Committed || r.Rejected != 1 || r.Rows[1].Action != "rejected" || r.Rows[1].Reason == "" {
			t.Errorf("rejected row = %d %s", resp.StatusCode, body)
		}
		resp, body = importFile("", good)
		if r = decode[report](t, "commit", body); resp.StatusCode != 200 || !r.Committed || r.Created != 1 {
			t.Errorf("commit = %d %s", resp.StatusCode, body)
		}
		if resp, body := ts.api("GET", "/api/v1/employees/199001012015031004", admin, ""); resp.StatusCode != 200 {
			t.Errorf("imported employee: %d %s", resp.StatusCode, body)
		}
		resp, body = importFile("?dry_run=kadang", good)
		wantError(t, "bad dry_run", resp, body, 400, "invalid")
		resp, body = importFile("", "bukan,header,yang,benar\n1,2,3,4\n")
		wantError(t, "unknown columns", resp, body, 400, "invalid")
		resp, body = ts.api("POST", "/api/v1/imports/employees", admin, `{"file":"x"}`)
		wantError(t, "no file", resp, body, 400, "invalid")

		for format, ctype := range map[string]string{"": "text/csv", "?format=csv": "text/csv", "?format=xlsx": mimeXLSX} {
			resp, body := ts.api("GET", "/api/v1/imports/employees/template"+format, admin, "")
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) ||
				!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || len(body) == 0 {
				t.Errorf("template %s = %d %s %s", format, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
			}
		}
		resp, body = ts.api("GET", "/api/v1/imports/employees/template?format=pdf", admin, "")
		wantError(t, "template format pdf", resp, body, 400, "invalid")
	})
}
