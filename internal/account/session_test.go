package account_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// MustSession signs a user in and starts a session, returning the cookie token.
func MustSession(tb testing.TB, s *account.Service, username, password string) (string, account.Session) {
	tb.Helper()
	u := MustAuth(tb, s, username, password)
	tok, sess, err := s.StartSession(ctx, u, "10.0.0.1", "Mozilla/5.0")
	if err != nil {
		tb.Fatalf("StartSession: %v", err)
	}
	return tok, sess
}

// wantNoSession fails unless the token is refused as an ended session.
func wantNoSession(tb testing.TB, s *account.Service, tok string) {
	tb.Helper()
	_, u, err := s.LookupSession(ctx, tok)
	wantCode(tb, err, apperr.CodeUnauthorized, "Sesi Anda telah berakhir")
	if u.ID != 0 {
		tb.Errorf("LookupSession returned user %+v with an error", u)
	}
}

func TestSessionStartLookup(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		tok, sess, err := e.svc.StartSession(ctx, budi, "10.0.0.1", "Mozilla/5.0")
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) < 40 || sess.CSRFToken == "" || sess.CSRFToken == tok {
			t.Fatalf("token %q, csrf %q: want a long token and a distinct CSRF token", tok, sess.CSRFToken)
		}
		got, u, err := e.svc.LookupSession(ctx, tok)
		if err != nil {
			t.Fatalf("LookupSession = %v", err)
		}
		if u.ID != budi.ID || u.Username != "budi" || got.CSRFToken != sess.CSRFToken || got.UserID != budi.ID {
			t.Errorf("LookupSession = %+v, %+v; want budi with CSRF %q", got, u, sess.CSRFToken)
		}

		// The table keeps the SHA-256 of the token, never the token itself.
		sum := sha256.Sum256([]byte(tok))
		var rows []map[string]any
		if err := e.db.Gorm.Raw("SELECT * FROM sessions").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("sessions rows = %d, want 1", len(rows))
		}
		if id, _ := rows[0]["id"].(string); id != hex.EncodeToString(sum[:]) {
			t.Errorf("sessions.id = %q, want sha256(token) %x", id, sum)
		}
		for col, v := range rows[0] {
			var s string
			switch v := v.(type) {
			case string:
				s = v
			case []byte:
				s = string(v)
			}
			if strings.Contains(s, tok) {
				t.Errorf("sessions.%s holds the raw token", col)
			}
		}
		// A second session has another token.
		tok2, _, err := e.svc.StartSession(ctx, budi, "", "")
		if err != nil || tok2 == tok {
			t.Errorf("second session token %q, %v; want a different token", tok2, err)
		}
	})
}

func TestSessionBadTokens(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		tok, _ := func() (string, account.Session) {
			MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
			return MustSession(t, e.svc, "budi", "rahasia123")
		}()
		sum := sha256.Sum256([]byte(tok))
		for name, bad := range map[string]string{
			"empty":         "",
			"random":        "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6",
			"too long":      strings.Repeat("a", 101),
			"hash as token": hex.EncodeToString(sum[:]),
			"prefix":        tok[:len(tok)-1],
			"sql":           "' OR '1'='1",
		} {
			t.Run(name, func(t *testing.T) { wantNoSession(t, e.svc, bad) })
		}
	})
}

func TestSessionUserAgentTruncatedToValidUTF8(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		ua := "a" + strings.Repeat("é", 200) // 401 bytes; byte 300 falls inside a rune
		_, sess, err := e.svc.StartSession(ctx, budi, "::1", ua)
		if err != nil {
			t.Fatalf("StartSession = %v", err)
		}
		if len(sess.UserAgent) > 300 || !utf8.ValidString(sess.UserAgent) || !strings.HasPrefix(ua, sess.UserAgent) {
			t.Errorf("user agent = %d bytes, valid %v; want ≤300 bytes of valid UTF-8 prefix", len(sess.UserAgent), utf8.ValidString(sess.UserAgent))
		}
	})
}

func TestSessionIdleTimeout(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		tok, _ := MustSession(t, e.svc, "budi", "rahasia123")
		// Use keeps the session alive.
		for i := 0; i < 2; i++ {
			e.clk.Advance(account.SessionIdle - time.Minute)
			if _, _, err := e.svc.LookupSession(ctx, tok); err != nil {
				t.Fatalf("lookup %d after %v idle = %v, want alive", i+1, account.SessionIdle-time.Minute, err)
			}
		}
		e.clk.Advance(account.SessionIdle + time.Second)
		wantNoSession(t, e.svc, tok)
		if n := count(t, e.db, "sessions"); n != 0 {
			t.Errorf("sessions = %d after idle expiry, want the row deleted", n)
		}
	})
}

func TestSessionLifetime(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		tok, _ := MustSession(t, e.svc, "budi", "rahasia123")
		step := 7 * time.Hour
		var elapsed time.Duration
		for elapsed+step < account.SessionLifetime {
			e.clk.Advance(step)
			elapsed += step
			if _, _, err := e.svc.LookupSession(ctx, tok); err != nil {
				t.Fatalf("lookup at +%v = %v, want alive", elapsed, err)
			}
		}
		e.clk.Advance(account.SessionLifetime - elapsed + time.Second)
		wantNoSession(t, e.svc, tok)
	})
}

func TestSessionEnd(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		tok1, _ := MustSession(t, e.svc, "budi", "rahasia123")
		tok2, _ := MustSession(t, e.svc, "budi", "rahasia123")
		if err := e.svc.EndSession(ctx, tok1); err != nil {
			t.Fatalf("EndSession = %v", err)
		}
		wantNoSession(t, e.svc, tok1)
		if _, _, err := e.svc.LookupSession(ctx, tok2); err != nil {
			t.Errorf("other session after EndSession = %v, want alive", err)
		}
		for _, tok := range []string{"", tok1, "unknown"} {
			if err := e.svc.EndSession(ctx, tok); err != nil {
				t.Errorf("EndSession(%q) = %v, want nil", tok, err)
			}
		}
	})
}

func TestSessionEndedByAccountChanges(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *env) error
	}{
		{"SetActive false", func(e *env) error { return e.svc.SetActive(ctx, domain.System, "budi", false) }},
		{"SetPassword", func(e *env) error { return e.svc.SetPassword(ctx, domain.System, "budi", "baru-sekali-123") }},
		{"ChangeOwnPassword", func(e *env) error {
			u, err := e.svc.Get(ctx, domain.System, "budi")
			if err != nil {
				return err
			}
			return e.svc.ChangeOwnPassword(ctx, u.Actor(), "rahasia123", "baru-sekali-123")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			each(t, func(t *testing.T, e *env) {
				MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
				MustUser(t, e.svc, "siti", "rahasia123", domain.RoleVerifikator)
				tok, _ := MustSession(t, e.svc, "budi", "rahasia123")
				other, _ := MustSession(t, e.svc, "siti", "rahasia123")
				if err := tt.change(e); err != nil {
					t.Fatalf("change = %v", err)
				}
				wantNoSession(t, e.svc, tok)
				var n int64
				e.db.Gorm.Table("sessions").Where("user_id = (SELECT id FROM users WHERE username = 'budi')").Count(&n)
				if n != 0 {
					t.Errorf("budi has %d sessions left, want 0", n)
				}
				if _, u, err := e.svc.LookupSession(ctx, other); err != nil || u.Username != "siti" {
					t.Errorf("siti's session = %+v, %v; want untouched", u, err)
				}
			})
		})
	}
}

func TestSessionOfDisabledUserRefused(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		tok, _ := MustSession(t, e.svc, "budi", "rahasia123")
		// Disabled behind the service's back (another instance, a manual fix): the session
		// row is still there but must not work.
		if err := e.db.Gorm.Model(&domain.User{}).Where("id = ?", budi.ID).Update("active", false).Error; err != nil {
			t.Fatal(err)
		}
		_, u, err := e.svc.LookupSession(ctx, tok)
		sameError(t, err, account.ErrDisabled)
		if u.ID != 0 {
			t.Errorf("LookupSession returned %+v for a disabled user", u)
		}
	})
}

// StartSession sweeps the user's sessions whose lifetime has run out — compared in SQL, so
// this also checks that stored times order correctly (SQLite compares them as text).
func TestStartSessionSweepsExpired(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		siti := MustUser(t, e.svc, "siti", "rahasia123", domain.RoleVerifikator)
		start := func(u domain.User) {
			t.Helper()
			if _, _, err := e.svc.StartSession(ctx, u, "", ""); err != nil {
				t.Fatal(err)
			}
		}
		sessions := func(u domain.User) int64 {
			var n int64
			e.db.Gorm.Table("sessions").Where("user_id = ?", u.ID).Count(&n)
			return n
		}
		start(budi) // expires at T+24h (T has half a second)
		start(siti)
		e.clk.Advance(12*time.Hour + 250*time.Millisecond)
		start(budi) // expires at T+36h.25
		e.clk.Advance(12*time.Hour - 250*time.Millisecond)
		// Now == the first session's expiry: not yet swept.
		start(budi)
		if n := sessions(budi); n != 3 {
			t.Errorf("at expiry: budi has %d sessions, want 3", n)
		}
		e.clk.Advance(250 * time.Millisecond)
		start(budi)
		if n := sessions(budi); n != 3 {
			t.Errorf("250ms after expiry: budi has %d sessions, want 3 (first swept, one added)", n)
		}
		if n := sessions(siti); n != 1 {
			t.Errorf("siti has %d sessions, want 1: another user's sessions are not swept", n)
		}
	})
}
