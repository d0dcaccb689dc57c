package account_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

func TestAuthenticateSuccess(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		for _, name := range []string{"budi", "BUDI", "  Budi  "} {
			t.Run(name, func(t *testing.T) {
				u := MustAuth(t, e.svc, name, "rahasia123")
				if u.ID != budi.ID || u.Username != "budi" || u.Role != domain.RoleVerifikator {
					t.Errorf("Authenticate = %+v, want budi", u)
				}
			})
		}
		var got domain.User
		if err := e.db.Gorm.Where("id = ?", budi.ID).Take(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got.LastLoginAt == nil || !got.LastLoginAt.Equal(e.clk.Now()) {
			t.Errorf("last_login_at = %v, want %v", got.LastLoginAt, e.clk.Now())
		}
	})
}

func TestAuthenticateSameAnswerForUnknownUser(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		_, wrongPw := e.svc.Authenticate(ctx, "budi", "salah-salah")
		_, unknown := e.svc.Authenticate(ctx, "siapa", "salah-salah")
		_, unknownRight := e.svc.Authenticate(ctx, "siapa", "rahasia123")
		_, empty := e.svc.Authenticate(ctx, "", "rahasia123")
		_, huge := e.svc.Authenticate(ctx, strings.Repeat("a", 65), "rahasia123")
		_, emptyPw := e.svc.Authenticate(ctx, "budi", "")
		for name, err := range map[string]error{"wrong password": wrongPw, "unknown user": unknown,
			"unknown user right password": unknownRight, "empty name": empty, "65-char name": huge, "empty password": emptyPw} {
			t.Run(name, func(t *testing.T) {
				wantCode(t, err, apperr.CodeUnauthorized, "")
				sameError(t, err, account.ErrBadCredentials)
				sameError(t, err, wrongPw)
			})
		}
	})
}

// attempts signs in n times with the password and returns the answers.
func attempts(t *testing.T, s *account.Service, name, pw string, n int) []error {
	t.Helper()
	out := make([]error, n)
	for i := range out {
		_, out[i] = s.Authenticate(ctx, name, pw)
	}
	return out
}

func TestAuthenticateLockout(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		MustUser(t, e.svc, "siti", "rahasia123", domain.RoleVerifikator)

		// The same sequence of answers for an existing and an unknown name: nothing tells
		// them apart.
		for _, name := range []string{"budi", "tidakada"} {
			t.Run(name, func(t *testing.T) {
				errs := attempts(t, e.svc, name, "salah-salah", 10)
				for i, err := range errs {
					want := account.ErrBadCredentials
					if i+1 >= account.MaxFailures {
						want = account.ErrLocked
					}
					t.Run(fmt.Sprintf("attempt %02d", i+1), func(t *testing.T) {
						sameError(t, err, want)
					})
				}
				_, err := e.svc.Authenticate(ctx, name, "rahasia123")
				wantCode(t, err, apperr.CodeRateLimited, "15 menit")
				sameError(t, err, account.ErrLocked)
				_, err = e.svc.Authenticate(ctx, strings.ToUpper(name), "rahasia123")
				sameError(t, err, account.ErrLocked)
			})
		}
		// Other names are not affected.
		MustAuth(t, e.svc, "siti", "rahasia123")

		// Just before the lock runs out it still holds; afterwards the right password works.
		e.clk.Advance(account.LockDuration - time.Second)
		_, err := e.svc.Authenticate(ctx, "budi", "rahasia123")
		sameError(t, err, account.ErrLocked)
		_, err = e.svc.Authenticate(ctx, "tidakada", "salah-salah")
		sameError(t, err, account.ErrLocked)
		e.clk.Advance(time.Second)
		MustAuth(t, e.svc, "budi", "rahasia123")
		// An expired lock gives an unknown name a fresh start too.
		errs := attempts(t, e.svc, "tidakada", "salah-salah", account.MaxFailures)
		for i, err := range errs[:account.MaxFailures-1] {
			if apperr.CodeOf(err) != apperr.CodeUnauthorized {
				t.Errorf("after lock expiry, attempt %d = %v, want bad credentials", i+1, err)
			}
		}
		sameError(t, errs[account.MaxFailures-1], account.ErrLocked)
	})
}

func TestAuthenticateLockExpiryFreshStart(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		attempts(t, e.svc, "budi", "salah-salah", account.MaxFailures)
		e.clk.Advance(account.LockDuration)
		// One wrong password after the lock ran out is one failure, not a new lock.
		_, err := e.svc.Authenticate(ctx, "budi", "salah-salah")
		sameError(t, err, account.ErrBadCredentials)
		MustAuth(t, e.svc, "budi", "rahasia123")
	})
}

func TestAuthenticateSuccessResetsFailures(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		for round := 0; round < 3; round++ {
			for i, err := range attempts(t, e.svc, "budi", "salah-salah", account.MaxFailures-1) {
				if apperr.CodeOf(err) != apperr.CodeUnauthorized {
					t.Fatalf("round %d attempt %d = %v, want bad credentials (failures not reset?)", round, i+1, err)
				}
			}
			MustAuth(t, e.svc, "budi", "rahasia123")
		}
		if n := count(t, e.db, "login_throttle"); n != 0 {
			t.Errorf("login_throttle rows = %d after a success, want 0", n)
		}
	})
}

func TestAuthenticateDisabled(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		if err := e.svc.SetActive(ctx, domain.System, "budi", false); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, pw string
			want     error
		}{
			{"wrong password", "salah-salah", account.ErrBadCredentials},
			{"right password", "rahasia123", account.ErrDisabled},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u, err := e.svc.Authenticate(ctx, "budi", tt.pw)
				sameError(t, err, tt.want)
				if u.ID != 0 {
					t.Errorf("Authenticate returned user %+v with an error", u)
				}
			})
		}
	})
}

// Proving the old password when changing one's own is a password check like a sign-in: with
// a session (perhaps one left open on a shared computer) it must not be a faster way to guess
// the password than the sign-in form. Wrong old passwords count towards the same lock-out,
// and a locked name cannot change its password either.
func TestChangeOwnPasswordLockout(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		for i := 1; i <= account.MaxFailures; i++ {
			err := e.svc.ChangeOwnPassword(ctx, budi.Actor(), fmt.Sprintf("tebakan-%02d", i), "baru-sekali-123")
			if i < account.MaxFailures {
				wantCode(t, err, apperr.CodeInvalid, "Kata sandi lama salah")
			} else {
				sameError(t, err, account.ErrLocked)
			}
		}
		// Locked: neither the right old password nor a sign-in gets through.
		sameError(t, e.svc.ChangeOwnPassword(ctx, budi.Actor(), "rahasia123", "baru-sekali-123"), account.ErrLocked)
		_, err := e.svc.Authenticate(ctx, "budi", "rahasia123")
		sameError(t, err, account.ErrLocked)
		// After the lock, the right old password works and the new password is the one.
		e.clk.Advance(account.LockDuration)
		if err := e.svc.ChangeOwnPassword(ctx, budi.Actor(), "rahasia123", "baru-sekali-123"); err != nil {
			t.Fatalf("ChangeOwnPassword after the lock = %v", err)
		}
		MustAuth(t, e.svc, "budi", "baru-sekali-123")
	})
}
