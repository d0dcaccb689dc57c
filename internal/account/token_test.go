package account_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// MustToken issues a bearer token.
func MustToken(tb testing.TB, s *account.Service, u domain.User) string {
	tb.Helper()
	tok, _, err := s.IssueToken(u)
	if err != nil {
		tb.Fatalf("IssueToken: %v", err)
	}
	return tok
}

// wantBadToken fails unless the token is refused with ErrBadToken.
func wantBadToken(tb testing.TB, s *account.Service, tok string) {
	tb.Helper()
	u, err := s.ParseToken(ctx, tok)
	if !errors.Is(err, account.ErrBadToken) {
		tb.Fatalf("ParseToken = %+v, %v; want ErrBadToken", u, err)
	}
	wantCode(tb, err, apperr.CodeUnauthorized, "Token akses tidak sah")
	if u.ID != 0 {
		tb.Errorf("ParseToken returned user %+v with an error", u)
	}
}

// craftedClaims mirror the claims IssueToken writes, including the password stamp.
type craftedClaims struct {
	PasswordStamp int64 `json:"pwc"`
	jwt.RegisteredClaims
}

// claimsAt are the claims IssueToken would write at now for user id whose password was set
// at now.
func claimsAt(id int64, now time.Time) craftedClaims {
	return craftedClaims{PasswordStamp: now.UTC().Truncate(time.Microsecond).UnixMicro(), RegisteredClaims: jwt.RegisteredClaims{
		Issuer:    "sertika",
		Audience:  jwt.ClaimStrings{"sertika-api"},
		Subject:   strconv.FormatInt(id, 10),
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
		ID:        "test",
	}}
}

func sign(tb testing.TB, m jwt.SigningMethod, c jwt.Claims, key any) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		tb.Fatalf("sign %s: %v", m.Alg(), err)
	}
	return s
}

// rawHS256 builds a token by hand with any header and an HMAC-SHA256 signature.
func rawHS256(tb testing.TB, header map[string]any, c jwt.Claims, key []byte) string {
	tb.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := json.Marshal(c)
	if err != nil {
		tb.Fatal(err)
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

func TestTokenRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		tok, exp, err := e.svc.IssueToken(budi)
		if err != nil {
			t.Fatal(err)
		}
		if want := e.clk.Now().Add(account.TokenLifetime).Truncate(time.Second); !exp.Equal(want) {
			t.Errorf("expiry = %v, want %v", exp, want)
		}
		u, err := e.svc.ParseToken(ctx, tok)
		if err != nil || u.ID != budi.ID || u.Username != "budi" || u.Role != domain.RoleVerifikator {
			t.Fatalf("ParseToken = %+v, %v; want budi", u, err)
		}
		// A token crafted with our secret and our claims is accepted: the checks below
		// fail for the reason they name, not because crafted tokens never work.
		if _, err := e.svc.ParseToken(ctx, sign(t, jwt.SigningMethodHS256, claimsAt(budi.ID, e.clk.Now()), testSecret)); err != nil {
			t.Fatalf("crafted valid token = %v, want accepted", err)
		}
		// Valid until just before the expiry, refused after it.
		e.clk.Advance(account.TokenLifetime - time.Second)
		if _, err := e.svc.ParseToken(ctx, tok); err != nil {
			t.Errorf("token at +%v = %v, want accepted", account.TokenLifetime-time.Second, err)
		}
		e.clk.Advance(2 * time.Second)
		wantBadToken(t, e.svc, tok)
	})
}

func TestTokenForgeries(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		admin := MustUser(t, e.svc, "admin", "rahasia123", domain.RoleAdmin)
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		good := MustToken(t, e.svc, budi)
		now := e.clk.Now()
		parts := strings.Split(good, ".")
		enc := base64.RawURLEncoding

		// Tampered payload: budi's token rewritten to name the administrator.
		payload, err := enc.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		tampered := strings.Replace(string(payload), `"sub":"`+strconv.FormatInt(budi.ID, 10)+`"`,
			`"sub":"`+strconv.FormatInt(admin.ID, 10)+`"`, 1)
		if tampered == string(payload) {
			t.Fatalf("payload %s has no sub claim to tamper with", payload)
		}

		rsaKeyLabel := map[string]any{"alg": "RS256", "typ": "JWT"}
		with := func(f func(*jwt.RegisteredClaims)) craftedClaims {
			c := claimsAt(budi.ID, now)
			f(&c.RegisteredClaims)
			return c
		}
		stale := claimsAt(budi.ID, now)
		stale.PasswordStamp--
		tests := []struct{ name, tok string }{
			{"tampered payload", parts[0] + "." + enc.EncodeToString([]byte(tampered)) + "." + parts[2]},
			{"signature dropped", parts[0] + "." + parts[1] + "."},
			{"signature of other token", parts[0] + "." + parts[1] + "." + strings.Split(MustToken(t, e.svc, admin), ".")[2]},
			{"password stamp of an earlier password", sign(t, jwt.SigningMethodHS256, stale, testSecret)},
			{"other secret", sign(t, jwt.SigningMethodHS256, claimsAt(budi.ID, now), []byte("another-secret-another-secret-123456"))},
			{"alg none", sign(t, jwt.SigningMethodNone, claimsAt(budi.ID, now), jwt.UnsafeAllowNoneSignatureType)},
			{"alg none upper", rawHS256(t, map[string]any{"alg": "NONE", "typ": "JWT"}, claimsAt(budi.ID, now), testSecret)},
			{"HS512 same secret", sign(t, jwt.SigningMethodHS512, claimsAt(budi.ID, now), testSecret)},
			{"HS384 same secret", sign(t, jwt.SigningMethodHS384, claimsAt(budi.ID, now), testSecret)},
			{"RS256 label HMAC signature", rawHS256(t, rsaKeyLabel, claimsAt(budi.ID, now), testSecret)},
			{"no alg", rawHS256(t, map[string]any{"typ": "JWT"}, claimsAt(budi.ID, now), testSecret)},
			{"wrong issuer", sign(t, jwt.SigningMethodHS256, with(func(c *jwt.RegisteredClaims) { c.Issuer = "evil" }), testSecret)},
			{"no issuer", sign(t, jwt.SigningMethodHS256, with(func(c *jwt.RegisteredClaims) { c.Issuer = "" }), testSecret)},
			{"wrong audience", sign(t, jwt.SigningMethodHS256, with(func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"other-api"} }), testSecret)},
			{"no audience", sign(t, jwt.SigningMethodHS256, with(func(c *jwt.RegisteredClaims) { c.Audience = nil }), testSecret)},
			{"no expiry", sign(t, jwt.SigningMethodHS256, with(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil }), testSecret)},
			{"expired", sign(t, jwt.SigningMethodHS256, with(func(c *jwt.RegisteredClaims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Second)) }), testSecret)},
			{"not yet valid", sign(t, jwt.SigningMethodHS256, with(func(c *jwt.RegisteredClaims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Hour)) }), testSecret)},
			{"issued in the future", sign(t, jwt.SigningMethodHS256, with(func(c *jwt.RegisteredClaims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour)) }), testSecret)},
			{"no issued-at", sign(t, jwt.SigningMethodHS256, with(func(c *jwt.RegisteredClaims) { c.IssuedAt = nil }), testSecret)},
			{"unknown user", sign(t, jwt.SigningMethodHS256, claimsAt(999999, now), testSecret)},
			{"subject not a number", sign(t, jwt.SigningMethodHS256, with(func(c *jwt.RegisteredClaims) { c.Subject = "budi" }), testSecret)},
			{"no subject", sign(t, jwt.SigningMethodHS256, with(func(c *jwt.RegisteredClaims) { c.Subject = "" }), testSecret)},
			{"empty", ""},
			{"garbage", "not-a-token"},
			{"three dots", "a.b.c"},
			{"dots only", ".."},
			{"bearer prefix", "Bearer " + good},
			{"too long", good + strings.Repeat("A", 2048)},
			{"json", `{"sub":"1"}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { wantBadToken(t, e.svc, tt.tok) })
		}
		// The genuine token still works after all that.
		if u, err := e.svc.ParseToken(ctx, good); err != nil || u.ID != budi.ID {
			t.Errorf("genuine token = %+v, %v; want budi", u, err)
		}
	})
}

func TestTokenDisabledUser(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		tok := MustToken(t, e.svc, budi)
		if err := e.svc.SetActive(ctx, domain.System, "budi", false); err != nil {
			t.Fatal(err)
		}
		wantBadToken(t, e.svc, tok)
		if err := e.svc.SetActive(ctx, domain.System, "budi", true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ParseToken(ctx, tok); err != nil {
			t.Errorf("token after re-enabling = %v, want accepted", err)
		}
	})
}

func TestTokenRevokedByPasswordChange(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		old := MustToken(t, e.svc, budi)
		e.clk.Advance(time.Second)
		if err := e.svc.SetPassword(ctx, domain.System, "budi", "baru-sekali-123"); err != nil {
			t.Fatal(err)
		}
		wantBadToken(t, e.svc, old)
		// A token issued after the change works.
		u := MustAuth(t, e.svc, "budi", "baru-sekali-123")
		if _, err := e.svc.ParseToken(ctx, MustToken(t, e.svc, u)); err != nil {
			t.Errorf("new token = %v, want accepted", err)
		}
	})
}

func TestLoadSecret(t *testing.T) {
	t.Run("created once", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data", "sub")
		s1, err := account.LoadSecret("", dir)
		if err != nil {
			t.Fatalf("first LoadSecret = %v", err)
		}
		if len(s1) < 32 {
			t.Errorf("secret is %d bytes, want at least 32", len(s1))
		}
		path := filepath.Join(dir, "jwt.secret")
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatalf("secret file: %v", err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("secret file mode = %o, want 600", perm)
		}
		s2, err := account.LoadSecret("", dir)
		if err != nil || string(s2) != string(s1) {
			t.Errorf("second LoadSecret = %q, %v; want the same secret %q", s2, err, s1)
		}
		b, _ := os.ReadFile(path)
		if strings.TrimSpace(string(b)) != string(s1) {
			t.Errorf("file holds %q, want %q", b, s1)
		}
		other, err := account.LoadSecret("", t.TempDir())
		if err != nil || string(other) == string(s1) {
			t.Errorf("secret in another directory = %q, %v; want a new random secret", other, err)
		}
	})
	t.Run("configured", func(t *testing.T) {
		dir := t.TempDir()
		want := strings.Repeat("k", 32)
		got, err := account.LoadSecret(want, dir)
		if err != nil || string(got) != want {
			t.Errorf("LoadSecret(configured) = %q, %v; want %q", got, err, want)
		}
		if _, err := os.Stat(filepath.Join(dir, "jwt.secret")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("configured secret wrote a file (stat err %v)", err)
		}
	})
	t.Run("configured too short", func(t *testing.T) {
		for _, s := range []string{"x", strings.Repeat("k", 31)} {
			if got, err := account.LoadSecret(s, t.TempDir()); err == nil {
				t.Errorf("LoadSecret(%d chars) = %q, nil; want an error", len(s), got)
			}
		}
	})
	t.Run("stored too short", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "jwt.secret"), []byte("short\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if got, err := account.LoadSecret("", dir); err == nil {
			t.Errorf("LoadSecret with a short stored secret = %q, nil; want an error", got)
		}
	})
}
