package account_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

// cheap keeps Argon2id fast in tests; the parameters are stored in each hash, so the code
// paths are the same as with DefaultHashParams.
var cheap = account.HashParams{Memory: 64, Time: 1, Threads: 1}

// testSecret is the JWT secret of every test service (at least 32 bytes).
var testSecret = []byte("test-secret-0123456789-abcdefghijklmnop")

// clock is a fake clock the tests advance by hand. It starts half-way through a second so
// that truncation to whole seconds (JWT times) is exercised.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 3, 10, 9, 0, 0, 500_000_000, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one test's database, clock and service.
type env struct {
	db  *database.DB
	clk *clock
	svc *account.Service
}

// each runs fn once per dialect (like testdb.Each) with a fresh database driven by a fake
// clock and an account service on it.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			clk := newClock()
			db := testdb.NewWithClock(t, d, clk.Now)
			fn(t, &env{db: db, clk: clk, svc: MustService(t, db)})
		})
	}
}

var ctx = context.Background()

// MustService returns an account service with cheap hashing and testSecret.
func MustService(tb testing.TB, db *database.DB) *account.Service {
	tb.Helper()
	s, err := account.New(db, account.Options{HashParams: cheap, JWTSecret: testSecret})
	if err != nil {
		tb.Fatalf("account.New: %v", err)
	}
	return s
}

// MustOPD inserts an OPD.
func MustOPD(tb testing.TB, db *database.DB, code, name string) domain.OPD {
	tb.Helper()
	o := domain.OPD{Code: code, Name: name, Active: true}
	if err := db.Gorm.Create(&o).Error; err != nil {
		tb.Fatalf("insert opd %s: %v", code, err)
	}
	return o
}

// MustEmployee inserts an active PNS employee of the OPD.
func MustEmployee(tb testing.TB, db *database.DB, opd domain.OPD, nip, name string) domain.Employee {
	tb.Helper()
	e := domain.Employee{NIP: nip, Name: name, Status: domain.StatusPNS, OPDID: opd.ID,
		PositionKind: domain.PositionPelaksana, Active: true}
	if err := db.Gorm.Create(&e).Error; err != nil {
		tb.Fatalf("insert employee %s: %v", nip, err)
	}
	return e
}

// MustUser creates an account through the service, as the system administrator.
func MustUser(tb testing.TB, s *account.Service, username, password string, role domain.Role) domain.User {
	tb.Helper()
	u, err := s.Create(ctx, domain.System, account.UserInput{Username: username, DisplayName: username, Role: role, Password: password})
	if err != nil {
		tb.Fatalf("create user %s: %v", username, err)
	}
	return u
}

// MustAuth signs a user in and fails the test when that does not work.
func MustAuth(tb testing.TB, s *account.Service, username, password string) domain.User {
	tb.Helper()
	u, err := s.Authenticate(ctx, username, password)
	if err != nil {
		tb.Fatalf("Authenticate(%q) = %v, want success", username, err)
	}
	return u
}

// count returns the number of rows in a table.
func count(tb testing.TB, db *database.DB, table string) int64 {
	tb.Helper()
	var n int64
	if err := db.Gorm.Table(table).Count(&n).Error; err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}

// wantCode fails unless err is an *apperr.Error with the code and (when msg is not empty) a
// message containing msg.
func wantCode(tb testing.TB, err error, code apperr.Code, msg string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("err = nil, want %s", code)
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		tb.Fatalf("err = %v (%T), want *apperr.Error with code %s", err, err, code)
	}
	if ae.Code != code {
		tb.Fatalf("code = %s (%v), want %s", ae.Code, err, code)
	}
	if msg != "" && !strings.Contains(ae.Message, msg) {
		tb.Fatalf("message = %q, want it to contain %q", ae.Message, msg)
	}
}

// sameError fails unless got is want itself or an error with the same code and message.
func sameError(tb testing.TB, got, want error) {
	tb.Helper()
	if got == nil {
		tb.Fatalf("err = nil, want %v", want)
	}
	g, w := apperr.As(got), apperr.As(want)
	if g.Code != w.Code || g.Message != w.Message {
		tb.Fatalf("err = %s %q, want %s %q", g.Code, g.Message, w.Code, w.Message)
	}
}
