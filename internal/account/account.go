// Package account manages Sertika's user accounts and how people prove who they are:
// Argon2id password hashes, sign-in with throttling and a lock-out that does not reveal
// which accounts exist, server-side browser sessions (only a hash of the session token is
// stored), and bearer tokens for the JSON API (HS256 JWTs with the algorithm pinned).
//
// Only administrators manage accounts; every method checks the actor itself.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/audit"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/nip"
)

// Policy values.
const (
	MinPasswordLen  = 8
	MaxPasswordLen  = 128
	MaxFailures     = 5                // failed sign-ins in a row before a lock-out
	LockDuration    = 15 * time.Minute // how long a lock-out lasts
	SessionIdle     = 8 * time.Hour    // a session ends after this long unused
	SessionLifetime = 24 * time.Hour   // and at the latest this long after sign-in
	TokenLifetime   = 8 * time.Hour    // API bearer tokens
)

// Messages at sign-in. The same words answer an unknown user name and a wrong password, and
// a lock-out applies to any user name, existing or not.
var (
	ErrBadCredentials = apperr.Unauthorized("Nama pengguna atau kata sandi salah.")
	ErrLocked         = apperr.New(apperr.CodeRateLimited, "Terlalu banyak percobaan masuk yang gagal. Silakan coba lagi dalam 15 menit.")
	ErrDisabled       = apperr.Unauthorized("Akun ini dinonaktifkan. Hubungi administrator BKPSDM.")
	errAdminOnly      = apperr.Forbidden("Hanya administrator yang boleh mengelola akun pengguna.")
)

// Service manages accounts, sessions and tokens.
type Service struct {
	db        *database.DB
	params    HashParams
	jwtSecret []byte
	dummyHash string
}

// Options configure a Service.
type Options struct {
	HashParams HashParams // default DefaultHashParams; tests use cheaper ones
	JWTSecret  []byte     // at least 32 bytes
}

// New returns an account service.
func New(db *database.DB, opt Options) (*Service, error) {
	if opt.HashParams == (HashParams{}) {
		opt.HashParams = DefaultHashParams
	}
	if len(opt.JWTSecret) < 32 {
		return nil, errors.New("account: JWT secret must be at least 32 bytes")
	}
	s := &Service{db: db, params: opt.HashParams, jwtSecret: opt.JWTSecret}
	var err error
	// Unknown user names are checked against this hash so that they take as long as known ones.
	if s.dummyHash, err = HashPassword("sertika-dummy-password", opt.HashParams); err != nil {
		return nil, err
	}
	return s, nil
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// NormalizeUsername lowercases and trims a user name.
func NormalizeUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

// CheckPassword applies the password policy.
func CheckPassword(username, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return apperr.Invalidf("Kata sandi minimal %d karakter.", MinPasswordLen)
	case n > MaxPasswordLen:
		return apperr.Invalidf("Kata sandi paling panjang %d karakter.", MaxPasswordLen)
	case !utf8.ValidString(pw):
		return apperr.Invalid("Kata sandi berisi karakter yang tidak sah.")
	case strings.EqualFold(pw, username):
		return apperr.Invalid("Kata sandi tidak boleh sama dengan nama pengguna.")
	}
	return nil
}

// UserInput describes a new account.
type UserInput struct {
	Username    string
	DisplayName string
	Role        domain.Role
	OPDCode     string // required for role opd
	NIP         string // required for role pegawai (the employee must exist)
	Password    string
}

// Create adds an account (administrators only).
func (s *Service) Create(ctx context.Context, a domain.Actor, in UserInput) (domain.User, error) {
	if a.Role != domain.RoleAdmin {
		return domain.User{}, errAdminOnly
	}
	u := domain.User{Username: NormalizeUsername(in.Username), Role: in.Role, Active: true}
	if !usernameRE.MatchString(u.Username) {
		return u, apperr.Invalid("Nama pengguna 3–64 karakter: huruf kecil, angka, titik, tanda hubung atau garis bawah, diawali huruf atau angka.")
	}
	if !in.Role.Valid() {
		return u, apperr.Invalidf("Peran %q tidak dikenal. Pilih salah satu: admin, verifikator, penandatangan, opd, pegawai.", in.Role)
	}
	u.DisplayName = strings.TrimSpace(in.DisplayName)
	if utf8.RuneCountInString(u.DisplayName) > 200 || strings.ContainsAny(u.DisplayName, "\x00\r\n") {
		return u, apperr.Invalid("Nama tampilan paling panjang 200 karakter, satu baris.")
	}
	if err := CheckPassword(u.Username, in.Password); err != nil {
		return u, err
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if in.Role == domain.RoleOPD {
			if strings.TrimSpace(in.OPDCode) == "" {
				return apperr.Invalid("Akun OPD harus terikat pada satu OPD: isi kode OPD.")
			}
			var o domain.OPD
			if err := tx.Where("code = ?", strings.TrimSpace(in.OPDCode)).Take(&o).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return apperr.Invalidf("OPD dengan kode %q tidak ditemukan.", in.OPDCode)
				}
				return apperr.Internal(err)
			}
			u.OPDID = &o.ID
		} else if strings.TrimSpace(in.OPDCode) != "" {
			return apperr.Invalid("Hanya akun OPD yang terikat pada OPD.")
		}
		if n := nip.Normalize(in.NIP); n != "" || in.Role == domain.RolePegawai {
			if n == "" {
				return apperr.Invalid("Akun pegawai harus terikat pada satu NIP.")
			}
			if _, err := nip.ParseAt(n, s.db.Now()); err != nil {
				return apperr.Invalid("NIP tidak sah: " + err.Error())
			}
			if in.Role == domain.RolePegawai {
				var c int64
				if err := tx.Model(&domain.Employee{}).Where("nip = ?", n).Count(&c).Error; err != nil {
					return apperr.Internal(err)
				}
				if c == 0 {
					return apperr.Invalidf("Pegawai dengan NIP %s belum terdaftar. Impor data pegawai terlebih dahulu.", n)
				}
			}
			u.NIP = n
		}
		hash, err := HashPassword(in.Password, s.params)
		if err != nil {
			return apperr.Internal(err)
		}
		u.PasswordHash = hash
		u.PasswordChangedAt = s.db.Now()
		if err := tx.Create(&u).Error; err != nil {
			if database.IsUniqueViolation(err) {
				return apperr.Conflict(fmt.Sprintf("Nama pengguna %q sudah dipakai.", u.Username))
			}
			return apperr.Internal(fmt.Errorf("create user: %w", err))
		}
		return audit.Record(tx, s.db.Now(), a, "user.create", "user:"+u.Username, "role="+string(u.Role))
	})
	if err != nil {
		return domain.User{}, err
	}
	return u, nil
}

// List returns every account with its OPD (administrators only).
func (s *Service) List(ctx context.Context, a domain.Actor) ([]domain.User, error) {
	if a.Role != domain.RoleAdmin {
		return nil, errAdminOnly
	}
	var out []domain.User
	if err := s.db.WithContext(ctx).Preload("OPD").Order("username").Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list users: %w", err))
	}
	return out, nil
}

// Get returns one account (administrators, or the user themself).
func (s *Service) Get(ctx context.Context, a domain.Actor, username string) (domain.User, error) {
	u, err := s.byUsername(ctx, s.db.Gorm, username)
	if err != nil && apperr.CodeOf(err) != apperr.CodeNotFound {
		return domain.User{}, err
	}
	// Others' names, existing or not, get the same refusal: no account enumeration.
	if a.Role != domain.RoleAdmin && (err != nil || a.UserID != u.ID) {
		return domain.User{}, errAdminOnly
	}
	if err != nil {
		return domain.User{}, err
	}
	return u, nil
}

func (s *Service) byUsername(ctx context.Context, tx *gorm.DB, username string) (domain.User, error) {
	var u domain.User
	err := tx.WithContext(ctx).Preload("OPD").Where("username = ?", NormalizeUsername(username)).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, apperr.NotFound("Pengguna tidak ditemukan.")
	}
	if err != nil {
		return u, apperr.Internal(fmt.Errorf("get user: %w", err))
	}
	return u, nil
}

// SetPassword replaces a user's password (administrators). All the user's sessions end and
// earlier API tokens stop working.
func (s *Service) SetPassword(ctx context.Context, a domain.Actor, username, password string) error {
	if a.Role != domain.RoleAdmin {
		return errAdminOnly
	}
	return s.setPassword(ctx, a, username, password)
}

// ChangeOwnPassword lets a signed-in user change their password after proving the old one.
// Proving the old password is a sign-in attempt like any other: a wrong one counts towards
// the user name's lock-out, and a locked name cannot prove it either, so a session left
// open (or stolen) is no way to guess the password faster than the sign-in form allows.
func (s *Service) ChangeOwnPassword(ctx context.Context, a domain.Actor, old, password string) error {
	u, err := s.byID(ctx, a.UserID)
	if err != nil {
		return err
	}
	now := s.db.Now()
	if err := s.checkLock(ctx, u.Username, now); err != nil {
		return err
	}
	ok, err := VerifyPassword(old, u.PasswordHash)
	if err != nil || !ok {
		return s.failed(ctx, u.Username, now, apperr.Invalid("Kata sandi lama salah."))
	}
	return s.setPassword(ctx, a, u.Username, password)
}

func (s *Service) setPassword(ctx context.Context, a domain.Actor, username, password string) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		u, err := s.byUsername(ctx, tx, username)
		if err != nil {
			return err
		}
		if err := CheckPassword(u.Username, password); err != nil {
			return err
		}
		hash, err := HashPassword(password, s.params)
		if err != nil {
			return apperr.Internal(err)
		}
		now := s.db.Now()
		if err := tx.Model(&u).Updates(map[string]any{"password_hash": hash, "password_changed_at": now, "updated_at": now}).Error; err != nil {
			return apperr.Internal(err)
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&Session{}).Error; err != nil {
			return apperr.Internal(err)
		}
		if err := tx.Where("username = ?", u.Username).Delete(&throttle{}).Error; err != nil {
			return apperr.Internal(err)
		}
		return audit.Record(tx, now, a, "user.set_password", "user:"+u.Username, "")
	})
}

// SetActive enables or disables an account (administrators; not their own). Disabling ends
// the user's sessions at once; API tokens are refused from the next request on.
func (s *Service) SetActive(ctx context.Context, a domain.Actor, username string, active bool) error {
	if a.Role != domain.RoleAdmin {
		return errAdminOnly
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		u, err := s.byUsername(ctx, tx, username)
		if err != nil {
			return err
		}
		if u.ID == a.UserID && !active {
			return apperr.Invalid("Anda tidak dapat menonaktifkan akun Anda sendiri.")
		}
		now := s.db.Now()
		if err := tx.Model(&u).Updates(map[string]any{"active": active, "updated_at": now}).Error; err != nil {
			return apperr.Internal(err)
		}
		if !active {
			if err := tx.Where("user_id = ?", u.ID).Delete(&Session{}).Error; err != nil {
				return apperr.Internal(err)
			}
		}
		action := "user.enable"
		if !active {
			action = "user.disable"
		}
		return audit.Record(tx, now, a, action, "user:"+u.Username, "")
	})
}

func (s *Service) byID(ctx context.Context, id int64) (domain.User, error) {
	var u domain.User
	err := s.db.WithContext(ctx).Preload("OPD").Where("id = ?", id).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, apperr.Unauthorized("Sesi tidak berlaku. Silakan masuk kembali.")
	}
	if err != nil {
		return u, apperr.Internal(err)
	}
	return u, nil
}

// ---- Sign-in ----

type throttle struct {
	Username    string `gorm:"primaryKey"`
	Failures    int
	LastFailure time.Time
	LockedUntil *time.Time
}

func (throttle) TableName() string { return "login_throttle" }

// Authenticate checks a user name and password. Failures are counted per user name —
// existing or not — and MaxFailures in a row lock that name for LockDuration, with the same
// answer whether the account exists or not.
func (s *Service) Authenticate(ctx context.Context, username, password string) (domain.User, error) {
	name := NormalizeUsername(username)
	if name == "" || len(name) > 64 || len(password) > 4*MaxPasswordLen {
		return domain.User{}, ErrBadCredentials
	}
	now := s.db.Now()
	if err := s.checkLock(ctx, name, now); err != nil {
		return domain.User{}, err
	}
	var u domain.User
	err := s.db.WithContext(ctx).Preload("OPD").Where("username = ?", name).Take(&u).Error
	hash := u.PasswordHash
	if err != nil {
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.User{}, apperr.Internal(err)
		}
		hash = s.dummyHash
	}
	ok, verr := VerifyPassword(password, hash)
	if err != nil || verr != nil || !ok {
		return domain.User{}, s.failed(ctx, name, now, ErrBadCredentials)
	}
	if !u.Active {
		return domain.User{}, ErrDisabled
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("username = ?", name).Delete(&throttle{}).Error; err != nil {
			return err
		}
		return tx.Model(&u).Update("last_login_at", now).Error
	})
	if err != nil {
		return domain.User{}, apperr.Internal(err)
	}
	return u, nil
}

// checkLock returns ErrLocked while the user name is locked out after failed attempts.
func (s *Service) checkLock(ctx context.Context, name string, now time.Time) error {
	var th throttle
	err := s.db.WithContext(ctx).Where("username = ?", name).Take(&th).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return apperr.Internal(err)
	}
	if th.LockedUntil != nil && now.Before(*th.LockedUntil) {
		return ErrLocked
	}
	return nil
}

// failed records a failed attempt for the user name and returns wrong (the answer to a
// wrong password), or ErrLocked when this failure locked the name.
func (s *Service) failed(ctx context.Context, name string, now time.Time, wrong error) error {
	locked, err := s.recordFailure(ctx, name, now)
	switch {
	case err != nil:
		return err
	case locked:
		return ErrLocked
	}
	return wrong
}

// recordFailure counts one failed sign-in and reports whether the name is now locked.
func (s *Service) recordFailure(ctx context.Context, name string, now time.Time) (bool, error) {
	var locked bool
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var th throttle
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("username = ?", name).Take(&th).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			th = throttle{Username: name}
		} else if err != nil {
			return err
		}
		// A lock that has run out gives a fresh start.
		if th.LockedUntil != nil && !now.Before(*th.LockedUntil) {
			th.Failures, th.LockedUntil = 0, nil
		}
		th.Failures++
		th.LastFailure = now
		if th.Failures >= MaxFailures {
			until := now.Add(LockDuration)
			th.LockedUntil = &until
			locked = true
		}
		return tx.Save(&th).Error
	})
	if err != nil {
		return false, apperr.Internal(fmt.Errorf("record failed sign-in: %w", err))
	}
	return locked, nil
}

// ---- Sessions ----

// Session is a browser session. Only the SHA-256 of the token is stored (as ID), so a copy
// of the database does not let anyone take over a session.
type Session struct {
	ID         string `gorm:"primaryKey"`
	UserID     int64
	CSRFToken  string `gorm:"column:csrf_token"`
	IP         string `gorm:"column:ip"`
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// TableName is the sessions table.
func (Session) TableName() string { return "sessions" }

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// StartSession creates a session for a signed-in user and returns the cookie token and the
// session (with its CSRF token).
func (s *Service) StartSession(ctx context.Context, u domain.User, ip, userAgent string) (string, Session, error) {
	tok := randomToken(32)
	now := s.db.Now()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	sess := Session{ID: hashToken(tok), UserID: u.ID, CSRFToken: randomToken(32), IP: ip, UserAgent: strings.ToValidUTF8(userAgent, ""),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionLifetime)}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		// Sweep this user's expired sessions as we go; keeps the table small without a job.
		if err := tx.Where("user_id = ? AND expires_at < ?", u.ID, now).Delete(&Session{}).Error; err != nil {
			return err
		}
		return tx.Create(&sess).Error
	})
	if err != nil {
		return "", Session{}, apperr.Internal(fmt.Errorf("start session: %w", err))
	}
	return tok, sess, nil
}

// errSession is the answer to any unusable session token.
var errSession = apperr.Unauthorized("Sesi Anda telah berakhir. Silakan masuk kembali.")

// LookupSession returns the live session and its active user for a cookie token, and
// refreshes the idle timer.
func (s *Service) LookupSession(ctx context.Context, token string) (Session, domain.User, error) {
	if token == "" || len(token) > 100 {
		return Session{}, domain.User{}, errSession
	}
	var sess Session
	err := s.db.WithContext(ctx).Where("id = ?", hashToken(token)).Take(&sess).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return sess, domain.User{}, errSession
	}
	if err != nil {
		return sess, domain.User{}, apperr.Internal(err)
	}
	now := s.db.Now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > SessionIdle {
		s.db.WithContext(ctx).Delete(&sess)
		return Session{}, domain.User{}, errSession
	}
	u, err := s.byID(ctx, sess.UserID)
	if err != nil {
		return Session{}, domain.User{}, errSession
	}
	if !u.Active {
		return Session{}, domain.User{}, ErrDisabled
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		sess.LastSeenAt = now
		s.db.WithContext(ctx).Model(&sess).Update("last_seen_at", now)
	}
	return sess, u, nil
}

// EndSession deletes the session of a cookie token (signing out).
func (s *Service) EndSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	if err := s.db.WithContext(ctx).Where("id = ?", hashToken(token)).Delete(&Session{}).Error; err != nil {
		return apperr.Internal(err)
	}
	return nil
}
