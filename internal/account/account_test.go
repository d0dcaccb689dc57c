package account_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

const (
	nipAndi  = "196608011988031001"
	nipSiti  = "197001012000012002"
	nipOther = "198505052010011003" // valid, but no employee has it
)

func TestNewRejectsShortSecret(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, secret := range [][]byte{nil, []byte("short"), []byte(strings.Repeat("x", 31))} {
			if _, err := account.New(e.db, account.Options{HashParams: cheap, JWTSecret: secret}); err == nil {
				t.Errorf("New with %d-byte secret = nil error, want refusal", len(secret))
			}
		}
		if _, err := account.New(e.db, account.Options{JWTSecret: []byte(strings.Repeat("x", 32))}); err != nil {
			t.Errorf("New with 32-byte secret = %v, want success", err)
		}
	})
}

func TestCreateAdminOnly(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		o := MustOPD(t, e.db, "DINKES", "Dinas Kesehatan")
		in := account.UserInput{Username: "baru", Role: domain.RoleVerifikator, Password: "rahasia123"}
		actors := []struct {
			name string
			a    domain.Actor
		}{
			{"zero", domain.Actor{}},
			{"verifikator", domain.Actor{UserID: 7, Username: "v", Role: domain.RoleVerifikator}},
			{"penandatangan", domain.Actor{UserID: 8, Username: "p", Role: domain.RolePenandatangan}},
			{"opd", domain.Actor{UserID: 9, Username: "o", Role: domain.RoleOPD, OPDID: o.ID}},
			{"pegawai", domain.Actor{UserID: 10, Username: "g", Role: domain.RolePegawai, NIP: nipAndi}},
			{"ADMIN upper case", domain.Actor{UserID: 11, Username: "x", Role: "ADMIN"}},
		}
		for _, tt := range actors {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.Create(ctx, tt.a, in)
				wantCode(t, err, apperr.CodeForbidden, "administrator")
				if _, err := e.svc.List(ctx, tt.a); apperr.CodeOf(err) != apperr.CodeForbidden {
					t.Errorf("List = %v, want forbidden", err)
				}
			})
		}
		if n := count(t, e.db, "users"); n != 0 {
			t.Errorf("users = %d after refused creates, want 0", n)
		}
		if n := count(t, e.db, "audit_log"); n != 0 {
			t.Errorf("audit_log = %d after refused creates, want 0", n)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		o := MustOPD(t, e.db, "DINKES", "Dinas Kesehatan")
		MustEmployee(t, e.db, o, nipAndi, "Andi Wijaya")
		MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		users, audits := count(t, e.db, "users"), count(t, e.db, "audit_log")

		base := func(f func(*account.UserInput)) account.UserInput {
			in := account.UserInput{Username: "siti", DisplayName: "Siti", Role: domain.RoleVerifikator, Password: "rahasia123"}
			f(&in)
			return in
		}
		tests := []struct {
			name string
			in   account.UserInput
			code apperr.Code
			msg  string
		}{
			{"empty username", base(func(in *account.UserInput) { in.Username = "" }), apperr.CodeInvalid, "Nama pengguna 3–64"},
			{"blank username", base(func(in *account.UserInput) { in.Username = "   " }), apperr.CodeInvalid, "Nama pengguna 3–64"},
			{"two chars", base(func(in *account.UserInput) { in.Username = "ab" }), apperr.CodeInvalid, "Nama pengguna 3–64"},
			{"65 chars", base(func(in *account.UserInput) { in.Username = strings.Repeat("a", 65) }), apperr.CodeInvalid, "Nama pengguna 3–64"},
			{"leading dot", base(func(in *account.UserInput) { in.Username = ".siti" }), apperr.CodeInvalid, "Nama pengguna 3–64"},
			{"leading dash", base(func(in *account.UserInput) { in.Username = "-siti" }), apperr.CodeInvalid, "Nama pengguna 3–64"},
			{"space inside", base(func(in *account.UserInput) { in.Username = "siti rahayu" }), apperr.CodeInvalid, "Nama pengguna 3–64"},
			{"at sign", base(func(in *account.UserInput) { in.Username = "siti@bkpsdm" }), apperr.CodeInvalid, "Nama pengguna 3–64"},
			{"html", base(func(in *account.UserInput) { in.Username = "<script>" }), apperr.CodeInvalid, "Nama pengguna 3–64"},
			{"sql", base(func(in *account.UserInput) { in.Username = "x'; DROP TABLE users; --" }), apperr.CodeInvalid, "Nama pengguna 3–64"},
			{"non-ascii", base(func(in *account.UserInput) { in.Username = "sîti" }), apperr.CodeInvalid, "Nama pengguna 3–64"},
			{"duplicate", base(func(in *account.UserInput) { in.Username = "budi" }), apperr.CodeConflict, `"budi" sudah dipakai`},
			{"duplicate other case", base(func(in *account.UserInput) { in.Username = " BuDi " }), apperr.CodeConflict, `"budi" sudah dipakai`},
			{"unknown role", base(func(in *account.UserInput) { in.Role = "superuser" }), apperr.CodeInvalid, `Peran "superuser" tidak dikenal`},
			{"empty role", base(func(in *account.UserInput) { in.Role = "" }), apperr.CodeInvalid, "tidak dikenal"},
			{"role upper case", base(func(in *account.UserInput) { in.Role = "ADMIN" }), apperr.CodeInvalid, "tidak dikenal"},
			{"display name too long", base(func(in *account.UserInput) { in.DisplayName = strings.Repeat("n", 201) }), apperr.CodeInvalid, "Nama tampilan"},
			{"display name two lines", base(func(in *account.UserInput) { in.DisplayName = "Siti\nAdmin" }), apperr.CodeInvalid, "Nama tampilan"},
			{"password too short", base(func(in *account.UserInput) { in.Password = "1234567" }), apperr.CodeInvalid, "minimal 8"},
			{"password empty", base(func(in *account.UserInput) { in.Password = "" }), apperr.CodeInvalid, "minimal 8"},
			{"password too long", base(func(in *account.UserInput) { in.Password = strings.Repeat("p", 129) }), apperr.CodeInvalid, "paling panjang"},
			{"password equals username", base(func(in *account.UserInput) { in.Username = "sitirahayu"; in.Password = "SitiRahayu" }), apperr.CodeInvalid, "sama dengan nama pengguna"},
			{"opd without code", base(func(in *account.UserInput) { in.Role = domain.RoleOPD }), apperr.CodeInvalid, "isi kode OPD"},
			{"opd unknown code", base(func(in *account.UserInput) { in.Role = domain.RoleOPD; in.OPDCode = "DISDIK" }), apperr.CodeInvalid, `"DISDIK" tidak ditemukan`},
			{"opd code on other role", base(func(in *account.UserInput) { in.OPDCode = "DINKES" }), apperr.CodeInvalid, "Hanya akun OPD"},
			{"pegawai without nip", base(func(in *account.UserInput) { in.Role = domain.RolePegawai }), apperr.CodeInvalid, "harus terikat pada satu NIP"},
			{"pegawai invalid nip", base(func(in *account.UserInput) { in.Role = domain.RolePegawai; in.NIP = "12345" }), apperr.CodeInvalid, "NIP tidak sah: NIP harus 18 digit"},
			{"pegawai nip with letters", base(func(in *account.UserInput) { in.Role = domain.RolePegawai; in.NIP = "19660801198803100A" }), apperr.CodeInvalid, "NIP tidak sah"},
			{"pegawai unknown nip", base(func(in *account.UserInput) { in.Role = domain.RolePegawai; in.NIP = nipOther }), apperr.CodeInvalid, "belum terdaftar"},
			{"other role invalid nip", base(func(in *account.UserInput) { in.NIP = "196613011988031001" }), apperr.CodeInvalid, "NIP tidak sah"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.Create(ctx, domain.System, tt.in)
				wantCode(t, err, tt.code, tt.msg)
				if n := count(t, e.db, "users"); n != users {
					t.Errorf("users = %d after refused create, want %d", n, users)
				}
				if n := count(t, e.db, "audit_log"); n != audits {
					t.Errorf("audit_log = %d after refused create, want %d", n, audits)
				}
			})
		}
	})
}

func TestCreateSuccess(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		o := MustOPD(t, e.db, "DINKES", "Dinas Kesehatan")
		MustEmployee(t, e.db, o, nipAndi, "Andi Wijaya")
		tests := []struct {
			name     string
			in       account.UserInput
			wantName string
			wantOPD  bool
			wantNIP  string
		}{
			{"admin normalized name", account.UserInput{Username: "  Admin.Utama ", DisplayName: " Admin ", Role: domain.RoleAdmin, Password: "rahasia123"}, "admin.utama", false, ""},
			{"verifikator", account.UserInput{Username: "ver_1-a", Role: domain.RoleVerifikator, Password: "rahasia123"}, "ver_1-a", false, ""},
			{"penandatangan 64 chars", account.UserInput{Username: strings.Repeat("k", 64), Role: domain.RolePenandatangan, Password: "rahasia123"}, strings.Repeat("k", 64), false, ""},
			{"opd", account.UserInput{Username: "operator.dinkes", Role: domain.RoleOPD, OPDCode: " DINKES ", Password: "rahasia123"}, "operator.dinkes", true, ""},
			{"pegawai nip with spaces", account.UserInput{Username: "andi", Role: domain.RolePegawai, NIP: "19660801 198803 1 001", Password: "rahasia123"}, "andi", false, nipAndi},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u, err := e.svc.Create(ctx, domain.System, tt.in)
				if err != nil {
					t.Fatalf("Create = %v, want success", err)
				}
				if u.ID == 0 || u.Username != tt.wantName || u.Role != tt.in.Role || !u.Active || u.NIP != tt.wantNIP {
					t.Errorf("user = %+v, want id, username %q, role %s, active, nip %q", u, tt.wantName, tt.in.Role, tt.wantNIP)
				}
				if got := u.OPDID != nil && *u.OPDID == o.ID; got != tt.wantOPD {
					t.Errorf("OPDID = %v, want bound to OPD %d: %v", u.OPDID, o.ID, tt.wantOPD)
				}
				if u.PasswordHash == tt.in.Password || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
					t.Errorf("stored password hash %q, want an argon2id hash", u.PasswordHash)
				}
				if !u.PasswordChangedAt.Equal(e.clk.Now()) {
					t.Errorf("PasswordChangedAt = %v, want %v", u.PasswordChangedAt, e.clk.Now())
				}
				var audit domain.AuditEntry
				if err := e.db.Gorm.Order("id DESC").Take(&audit).Error; err != nil {
					t.Fatal(err)
				}
				if audit.Action != "user.create" || audit.Object != "user:"+tt.wantName || audit.Username != "system" {
					t.Errorf("audit = %+v, want user.create of user:%s by system", audit, tt.wantName)
				}
				if n := count(t, e.db, "audit_log"); n != int64(i+1) {
					t.Errorf("audit_log = %d, want %d", n, i+1)
				}
				got, err := e.svc.Get(ctx, domain.System, tt.wantName)
				if err != nil || got.ID != u.ID {
					t.Errorf("Get(%q) = %+v, %v; want the new user", tt.wantName, got, err)
				}
				if _, err := e.svc.Authenticate(ctx, tt.wantName, tt.in.Password); err != nil {
					t.Errorf("Authenticate new user = %v", err)
				}
			})
		}
		list, err := e.svc.List(ctx, domain.System)
		if err != nil || len(list) != len(tests) {
			t.Fatalf("List = %d users, %v; want %d", len(list), err, len(tests))
		}
		for i := 1; i < len(list); i++ {
			if list[i-1].Username > list[i].Username {
				t.Errorf("List not ordered by username: %q before %q", list[i-1].Username, list[i].Username)
			}
		}
		for _, u := range list {
			if u.Role == domain.RoleOPD && (u.OPD == nil || u.OPD.Code != "DINKES") {
				t.Errorf("List: opd user %q without its OPD preloaded: %+v", u.Username, u.OPD)
			}
		}
	})
}

func TestGetOwnOrAdmin(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		siti := MustUser(t, e.svc, "siti", "rahasia123", domain.RoleVerifikator)
		if u, err := e.svc.Get(ctx, budi.Actor(), "BUDI"); err != nil || u.ID != budi.ID {
			t.Errorf("Get self = %+v, %v; want own account", u, err)
		}
		_, err := e.svc.Get(ctx, budi.Actor(), siti.Username)
		wantCode(t, err, apperr.CodeForbidden, "")
		_, err = e.svc.Get(ctx, domain.System, "nobody")
		wantCode(t, err, apperr.CodeNotFound, "")
	})
}

func TestSetActive(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		admin := MustUser(t, e.svc, "admin", "rahasia123", domain.RoleAdmin)
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		audits := count(t, e.db, "audit_log")

		t.Run("non-admin forbidden", func(t *testing.T) {
			for _, a := range []domain.Actor{{}, budi.Actor(), {UserID: 99, Role: domain.RoleOPD}, {UserID: 98, Role: domain.RolePegawai}} {
				err := e.svc.SetActive(ctx, a, "admin", false)
				wantCode(t, err, apperr.CodeForbidden, "")
			}
			err := e.svc.SetActive(ctx, budi.Actor(), "budi", false)
			wantCode(t, err, apperr.CodeForbidden, "")
		})
		t.Run("not self", func(t *testing.T) {
			err := e.svc.SetActive(ctx, admin.Actor(), "ADMIN", false)
			wantCode(t, err, apperr.CodeInvalid, "akun Anda sendiri")
			MustAuth(t, e.svc, "admin", "rahasia123")
		})
		t.Run("unknown user", func(t *testing.T) {
			err := e.svc.SetActive(ctx, admin.Actor(), "nobody", false)
			wantCode(t, err, apperr.CodeNotFound, "")
		})
		if n := count(t, e.db, "audit_log"); n != audits {
			t.Errorf("audit_log = %d after refusals, want %d", n, audits)
		}
		t.Run("disable and enable", func(t *testing.T) {
			if err := e.svc.SetActive(ctx, admin.Actor(), "budi", false); err != nil {
				t.Fatalf("disable = %v", err)
			}
			u, err := e.svc.Get(ctx, admin.Actor(), "budi")
			if err != nil || u.Active {
				t.Fatalf("after disable: %+v, %v; want inactive", u, err)
			}
			_, err = e.svc.Authenticate(ctx, "budi", "rahasia123")
			sameError(t, err, account.ErrDisabled)
			if err := e.svc.SetActive(ctx, admin.Actor(), "budi", true); err != nil {
				t.Fatalf("enable = %v", err)
			}
			MustAuth(t, e.svc, "budi", "rahasia123")
			var actions []string
			e.db.Gorm.Table("audit_log").Where("object = ?", "user:budi").Order("id").Pluck("action", &actions)
			if strings.Join(actions, ",") != "user.create,user.disable,user.enable" {
				t.Errorf("audit actions for budi = %v, want create, disable, enable", actions)
			}
		})
	})
}

func TestSetPasswordAdminOnly(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		MustUser(t, e.svc, "siti", "rahasia123", domain.RoleVerifikator)
		err := e.svc.SetPassword(ctx, budi.Actor(), "siti", "baru-sekali-123")
		wantCode(t, err, apperr.CodeForbidden, "")
		MustAuth(t, e.svc, "siti", "rahasia123")

		err = e.svc.SetPassword(ctx, domain.System, "siti", "siti")
		wantCode(t, err, apperr.CodeInvalid, "minimal 8")
		err = e.svc.SetPassword(ctx, domain.System, "sitisiti", "SITISITI")
		wantCode(t, err, apperr.CodeNotFound, "")
		MustUser(t, e.svc, "sitisiti", "rahasia123", domain.RoleVerifikator)
		err = e.svc.SetPassword(ctx, domain.System, "sitisiti", "SITISITI")
		wantCode(t, err, apperr.CodeInvalid, "sama dengan nama pengguna")
		MustAuth(t, e.svc, "sitisiti", "rahasia123")

		if err := e.svc.SetPassword(ctx, domain.System, "siti", "baru-sekali-123"); err != nil {
			t.Fatalf("SetPassword = %v", err)
		}
		_, err = e.svc.Authenticate(ctx, "siti", "rahasia123")
		sameError(t, err, account.ErrBadCredentials)
		MustAuth(t, e.svc, "siti", "baru-sekali-123")
	})
}

func TestChangeOwnPassword(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		tests := []struct {
			name     string
			a        domain.Actor
			old, new string
			code     apperr.Code
			msg      string
		}{
			{"wrong old", budi.Actor(), "salah-salah", "baru-sekali-123", apperr.CodeInvalid, "Kata sandi lama salah"},
			{"empty old", budi.Actor(), "", "baru-sekali-123", apperr.CodeInvalid, "Kata sandi lama salah"},
			{"new too short", budi.Actor(), "rahasia123", "pendek", apperr.CodeInvalid, "minimal 8"},
			{"no user", domain.Actor{}, "rahasia123", "baru-sekali-123", apperr.CodeUnauthorized, ""},
			{"deleted user", domain.Actor{UserID: 9999, Role: domain.RoleAdmin}, "rahasia123", "baru-sekali-123", apperr.CodeUnauthorized, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := e.svc.ChangeOwnPassword(ctx, tt.a, tt.old, tt.new)
				wantCode(t, err, tt.code, tt.msg)
				MustAuth(t, e.svc, "budi", "rahasia123")
			})
		}
		t.Run("ok", func(t *testing.T) {
			if err := e.svc.ChangeOwnPassword(ctx, budi.Actor(), "rahasia123", "baru-sekali-123"); err != nil {
				t.Fatalf("ChangeOwnPassword = %v", err)
			}
			_, err := e.svc.Authenticate(ctx, "budi", "rahasia123")
			sameError(t, err, account.ErrBadCredentials)
			MustAuth(t, e.svc, "budi", "baru-sekali-123")
			var n int64
			e.db.Gorm.Table("audit_log").Where("action = ? AND object = ?", "user.set_password", "user:budi").Count(&n)
			if n != 1 {
				t.Errorf("set_password audit rows = %d, want 1", n)
			}
		})
	})
}

// A non-administrator learns nothing about other accounts from Get: an existing and an
// unknown user name give the same refusal.
func TestGetDoesNotRevealAccounts(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		budi := MustUser(t, e.svc, "budi", "rahasia123", domain.RoleVerifikator)
		MustUser(t, e.svc, "siti", "rahasia123", domain.RoleVerifikator)
		for _, a := range []domain.Actor{budi.Actor(), {}} {
			_, existing := e.svc.Get(ctx, a, "siti")
			_, unknown := e.svc.Get(ctx, a, "tidakada")
			wantCode(t, existing, apperr.CodeForbidden, "")
			sameError(t, unknown, existing)
		}
	})
}

// Every write runs on its transaction's connection alone, so it works with a pool of one.
func TestAccountWritesUseOneConnection(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		o := MustOPD(t, e.db, "DINKES", "Dinas Kesehatan")
		MustEmployee(t, e.db, o, nipAndi, "Andi Wijaya")
		e.db.SQL.SetMaxOpenConns(1)
		var tok string
		steps := []struct {
			name string
			do   func() error
		}{
			{"Create opd", func() error {
				_, err := e.svc.Create(ctx, domain.System, account.UserInput{Username: "operator", Role: domain.RoleOPD, OPDCode: "DINKES", Password: "rahasia123"})
				return err
			}},
			{"Create pegawai", func() error {
				_, err := e.svc.Create(ctx, domain.System, account.UserInput{Username: "andi", Role: domain.RolePegawai, NIP: nipAndi, Password: "rahasia123"})
				return err
			}},
			{"Authenticate wrong", func() error {
				_, err := e.svc.Authenticate(ctx, "andi", "salah-salah")
				if apperr.CodeOf(err) == apperr.CodeUnauthorized {
					return nil
				}
				return err
			}},
			{"Authenticate", func() error {
				u, err := e.svc.Authenticate(ctx, "andi", "rahasia123")
				if err == nil {
					tok, _, err = e.svc.StartSession(ctx, u, "", "")
				}
				return err
			}},
			{"LookupSession", func() error { _, _, err := e.svc.LookupSession(ctx, tok); return err }},
			{"SetPassword", func() error { return e.svc.SetPassword(ctx, domain.System, "andi", "baru-sekali-123") }},
			{"SetActive", func() error { return e.svc.SetActive(ctx, domain.System, "andi", false) }},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				done := make(chan error, 1)
				go func() { done <- s.do() }()
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("%s with one connection = %v", s.name, err)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("%s with one connection hangs", s.name)
				}
			})
		}
	})
}
