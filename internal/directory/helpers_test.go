package directory_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
)

var ctx = context.Background()

// Employees of the fixture. A = DINKES, B = DISDIK.
const (
	nipAndi  = "196608011988031001" // A, PNS
	nipSiti  = "197001012000012002" // A, PNS
	nipCitra = "200012312024211001" // A, PPPK
	nipEko   = "198802292015122015" // A, PNS, inactive
	nipBudi  = "198505052010011003" // B, PNS
	nipDewi  = "199001012015031004" // B, PNS
	nipNone  = "199505052023292007" // valid, nobody has it
)

// fixture is two active OPDs with employees, one inactive OPD, and an actor per role.
type fixture struct {
	svc   *directory.Service
	db    *database.DB
	A, B  domain.OPD
	C     domain.OPD // inactive, no employees
	actor map[string]domain.Actor
}

// MustOPD inserts an OPD directly.
func MustOPD(tb testing.TB, db *database.DB, code, name string, active bool) domain.OPD {
	tb.Helper()
	o := domain.OPD{Code: code, Name: name, Active: active}
	if err := db.Gorm.Create(&o).Error; err != nil {
		tb.Fatalf("insert opd %s: %v", code, err)
	}
	return o
}

// MustEmployee inserts an employee directly.
func MustEmployee(tb testing.TB, db *database.DB, opd domain.OPD, nip, name, status string, active bool) domain.Employee {
	tb.Helper()
	e := domain.Employee{NIP: nip, Name: name, Status: status, OPDID: opd.ID,
		PositionKind: domain.PositionPelaksana, Active: active}
	if err := db.Gorm.Create(&e).Error; err != nil {
		tb.Fatalf("insert employee %s: %v", nip, err)
	}
	return e
}

// MustFixture fills db with the standard fixture.
func MustFixture(tb testing.TB, db *database.DB) *fixture {
	tb.Helper()
	f := &fixture{svc: directory.New(db), db: db}
	f.A = MustOPD(tb, db, "DINKES", "Dinas Kesehatan", true)
	f.B = MustOPD(tb, db, "DISDIK", "Dinas Pendidikan", true)
	f.C = MustOPD(tb, db, "LAMA", "Dinas Lama", false)
	MustEmployee(tb, db, f.A, nipAndi, "Andi Wijaya", domain.StatusPNS, true)
	MustEmployee(tb, db, f.A, nipSiti, "Siti Rahayu", domain.StatusPNS, true)
	MustEmployee(tb, db, f.A, nipCitra, "Citra Lestari", domain.StatusPPPK, true)
	MustEmployee(tb, db, f.A, nipEko, "Eko Prasetyo", domain.StatusPNS, false)
	MustEmployee(tb, db, f.B, nipBudi, "Budi Santoso", domain.StatusPNS, true)
	MustEmployee(tb, db, f.B, nipDewi, "Dewi Lestari", domain.StatusPNS, true)
	f.actor = map[string]domain.Actor{
		"admin":         {UserID: 1, Username: "admin", Role: domain.RoleAdmin},
		"verifikator":   {UserID: 2, Username: "verif", Role: domain.RoleVerifikator},
		"penandatangan": {UserID: 3, Username: "kepala", Role: domain.RolePenandatangan},
		"opdA":          {UserID: 4, Username: "op.dinkes", Role: domain.RoleOPD, OPDID: f.A.ID},
		"pegawaiA":      {UserID: 5, Username: "andi", Role: domain.RolePegawai, NIP: nipAndi},
		"zero":          {},
		"bogus role":    {UserID: 6, Username: "x", Role: "superadmin"},
	}
	return f
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

// codes lists the OPD codes in order.
func codes(os []domain.OPD) string {
	s := make([]string, len(os))
	for i, o := range os {
		s[i] = o.Code
	}
	return strings.Join(s, ",")
}

// nips lists the employees' NIPs in order.
func nips(es []domain.Employee) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.NIP
	}
	return strings.Join(s, ",")
}

// names lists the employees' names in order.
func names(es []domain.Employee) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Name
	}
	return strings.Join(s, ",")
}
