package issuer

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/filestore"
	"github.com/sertika/sertika/internal/testdb"
)

// Fixture NIPs: A1, A2, A3 work in OPD A (DISDIK), B1 in OPD B (DINKES).
const (
	nipA1 = "196608011988031001"
	nipA2 = "197001012000012002"
	nipA3 = "198001012005011003"
	nipB1 = "198505052010011003"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// fixture is a workflow service on a real database with two OPDs, employees and one actor
// per role (plus a second reviewer and an OPD B user).
type fixture struct {
	db    *database.DB
	svc   *Service
	clock *clock
	opdA  domain.OPD
	opdB  domain.OPD
	// actors
	admin, rev, rev2, signer, opdUser, opdUserB, pegawai, outsider domain.Actor
}

func newFixture(t testing.TB, dialect string) *fixture {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)} // 10.00 WIB, Monday 2 March 2026
	db := testdb.NewWithClock(t, dialect, c.Now)
	files, err := filestore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, svc: New(db, files, Options{MaxAttachmentBytes: 1 << 20}), clock: c}
	now := db.Now()
	f.opdA = domain.OPD{Code: "DISDIK", Name: "Dinas Pendidikan", Active: true, CreatedAt: now, UpdatedAt: now}
	f.opdB = domain.OPD{Code: "DINKES", Name: "Dinas Kesehatan", Active: true, CreatedAt: now, UpdatedAt: now}
	mustDo(t, db.Gorm.Create(&f.opdA).Error)
	mustDo(t, db.Gorm.Create(&f.opdB).Error)
	emps := []domain.Employee{
		{NIP: nipA1, Name: "Andi Wijaya", Status: "PNS", OPDID: f.opdA.ID, PositionKind: "fungsional", JFName: "Guru", Active: true},
		{NIP: nipA2, Name: "Siti Rahmawati", Status: "PNS", OPDID: f.opdA.ID, PositionKind: "struktural", Eselon: "IV.a", Active: true},
		{NIP: nipA3, Name: "Citra Lestari", Status: "PNS", OPDID: f.opdA.ID, PositionKind: "pelaksana", Active: true},
		{NIP: nipB1, Name: "Budi Santoso", Status: "PNS", OPDID: f.opdB.ID, PositionKind: "pelaksana", Active: true},
	}
	mustDo(t, db.Gorm.Create(&emps).Error)
	mk := func(name string, role domain.Role, opd *domain.OPD, n string) domain.Actor {
		u := domain.User{Username: name, PasswordHash: "x", Role: role, NIP: n, Active: true, PasswordChangedAt: now}
		if opd != nil {
			u.OPDID = &opd.ID
		}
		mustDo(t, db.Gorm.Create(&u).Error)
		return u.Actor()
	}
	f.admin = mk("admin", domain.RoleAdmin, nil, "")
	f.rev = mk("verifikator", domain.RoleVerifikator, nil, "")
	f.rev2 = mk("verifikator2", domain.RoleVerifikator, nil, "")
	f.signer = mk("kepala", domain.RolePenandatangan, nil, "")
	f.opdUser = mk("opd.disdik", domain.RoleOPD, &f.opdA, "")
	f.opdUserB = mk("opd.dinkes", domain.RoleOPD, &f.opdB, "")
	f.pegawai = mk("pegawai.a1", domain.RolePegawai, nil, nipA1)
	f.outsider = mk("pegawai.b1", domain.RolePegawai, nil, nipB1)
	return f
}

func mustDo(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// validInput is a request OPD A may submit: a 3-day technical training next week.
func validInput() RequestInput {
	return RequestInput{
		Title: "Pelatihan Teknis Penyusunan Modul Ajar", Kind: "teknis", Organizer: "bkpsdm", Place: "Aula BKPSDM",
		StartDate: domain.NewDate(2026, 3, 10), EndDate: domain.NewDate(2026, 3, 12), JP: 24,
		Objectives: "Meningkatkan kemampuan guru menyusun modul ajar.", BudgetSource: "APBD 2026",
		Participants: []string{nipA1, nipA2},
	}
}

// mustCreate creates a draft with validInput.
func (f *fixture) mustCreate(t testing.TB) *Detail {
	t.Helper()
	d, err := f.svc.Create(context.Background(), f.opdUser, validInput())
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return d
}

// eachFixture runs fn on both databases.
func eachFixture(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) { fn(t, newFixture(t, d)) })
	}
}
