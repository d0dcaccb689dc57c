package account_test

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/apperr"
)

func MustHash(tb testing.TB, pw string) string {
	tb.Helper()
	h, err := account.HashPassword(pw, cheap)
	if err != nil {
		tb.Fatalf("HashPassword: %v", err)
	}
	return h
}

func TestHashPasswordRoundTrip(t *testing.T) {
	for _, pw := range []string{"rahasia123", "kata sandi dengan spasi", "ünïcødé-パスワード", strings.Repeat("x", 128), "'; DROP TABLE users; --"} {
		t.Run(pw[:min(len(pw), 12)], func(t *testing.T) {
			h := MustHash(t, pw)
			ok, err := account.VerifyPassword(pw, h)
			if err != nil || !ok {
				t.Fatalf("VerifyPassword(right) = %v, %v; want true, nil", ok, err)
			}
			for _, wrong := range []string{"", pw + "x", strings.ToUpper(pw), pw[:len(pw)-1]} {
				if wrong == pw {
					continue
				}
				ok, err := account.VerifyPassword(wrong, h)
				if err != nil || ok {
					t.Errorf("VerifyPassword(%q) = %v, %v; want false, nil", wrong, ok, err)
				}
			}
		})
	}
}

func TestHashPasswordFormatAndSalt(t *testing.T) {
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`)
	h1, h2 := MustHash(t, "rahasia123"), MustHash(t, "rahasia123")
	for _, h := range []string{h1, h2} {
		m := re.FindStringSubmatch(h)
		if m == nil {
			t.Fatalf("hash %q is not in PHC format $argon2id$v=19$m=64,t=1,p=1$salt$key", h)
		}
		salt, err := base64.RawStdEncoding.DecodeString(m[1])
		if err != nil || len(salt) != 16 {
			t.Errorf("salt %q: %d bytes, err %v; want 16 bytes", m[1], len(salt), err)
		}
		key, err := base64.RawStdEncoding.DecodeString(m[2])
		if err != nil || len(key) != 32 {
			t.Errorf("key %q: %d bytes, err %v; want 32 bytes", m[2], len(key), err)
		}
	}
	if h1 == h2 {
		t.Errorf("two hashes of the same password are equal (%q): salt not random", h1)
	}
	if strings.Split(h1, "$")[4] == strings.Split(h2, "$")[4] {
		t.Errorf("two hashes share a salt")
	}
	// The default parameters are written into the hash too.
	h, err := account.HashPassword("rahasia123", account.DefaultHashParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("default hash = %q, want prefix $argon2id$v=19$m=19456,t=2,p=1$", h)
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	good := MustHash(t, "rahasia123")
	parts := strings.Split(good, "$")
	join := func(p ...string) string { return strings.Join(p, "$") }
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"plain text", "rahasia123"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", join(parts[0], "argon2i", parts[2], parts[3], parts[4], parts[5])},
		{"too few parts", join(parts[0], parts[1], parts[2], parts[3], parts[4])},
		{"too many parts", good + "$extra"},
		{"old version", join(parts[0], parts[1], "v=16", parts[3], parts[4], parts[5])},
		{"bad version", join(parts[0], parts[1], "v=x", parts[3], parts[4], parts[5])},
		{"bad params", join(parts[0], parts[1], parts[2], "m=a,t=1,p=1", parts[4], parts[5])},
		{"zero threads", join(parts[0], parts[1], parts[2], "m=64,t=1,p=0", parts[4], parts[5])},
		{"huge memory", join(parts[0], parts[1], parts[2], "m=99999999,t=1,p=1", parts[4], parts[5])},
		{"huge time", join(parts[0], parts[1], parts[2], "m=64,t=1000,p=1", parts[4], parts[5])},
		{"bad salt", join(parts[0], parts[1], parts[2], parts[3], "!!!", parts[5])},
		{"bad key", join(parts[0], parts[1], parts[2], parts[3], parts[4], "!!!")},
		{"empty key", join(parts[0], parts[1], parts[2], parts[3], parts[4], "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := account.VerifyPassword("rahasia123", tt.hash)
			if ok || err == nil {
				t.Errorf("VerifyPassword(%q) = %v, %v; want false and an error", tt.hash, ok, err)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name, user, pw string
		wantMsg        string // "" = accepted
	}{
		{"ok", "budi", "rahasia123", ""},
		{"exactly min", "budi", "12345678", ""},
		{"exactly max", "budi", strings.Repeat("a", account.MaxPasswordLen), ""},
		{"multibyte counts runes", "budi", "ééééééé", "minimal 8"},
		{"empty", "budi", "", "minimal 8"},
		{"too short", "budi", "1234567", "minimal 8"},
		{"too long", "budi", strings.Repeat("a", account.MaxPasswordLen+1), "paling panjang 128"},
		{"equals username", "budisantoso", "budisantoso", "tidak boleh sama dengan nama pengguna"},
		{"equals username any case", "budisantoso", "BudiSantoso", "tidak boleh sama dengan nama pengguna"},
		{"invalid utf-8", "budi", "abcdefg\xff\xfe", "tidak sah"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := account.CheckPassword(tt.user, tt.pw)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("CheckPassword = %v, want nil", err)
				}
				return
			}
			wantCode(t, err, apperr.CodeInvalid, tt.wantMsg)
		})
	}
}
