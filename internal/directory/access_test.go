package directory_test

import (
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

// outcome is what one actor gets from one read: a summary of the result, or an error code.
type outcome struct {
	got  string
	code apperr.Code
}

func ok(s string) outcome        { return outcome{got: s} }
func fail(c apperr.Code) outcome { return outcome{code: c} }
func join(s ...string) string    { return strings.Join(s, ",") }
func forAll(o outcome) map[string]outcome {
	return map[string]outcome{"admin": o, "verifikator": o, "penandatangan": o, "opdA": o, "pegawaiA": o}
}

// bkpsdm gives the three BKPSDM roles one outcome and adds the others.
func bkpsdm(o outcome, others map[string]outcome) map[string]outcome {
	m := map[string]outcome{"admin": o, "verifikator": o, "penandatangan": o}
	for k, v := range others {
		m[k] = v
	}
	return m
}

var (
	forbidden    = fail(apperr.CodeForbidden)
	notFound     = fail(apperr.CodeNotFound)
	unauthorized = fail(apperr.CodeUnauthorized)
)

func TestReadAccessByRole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := MustFixture(t, db)
		s := f.svc
		listOPDs := func(inactive bool) func(domain.Actor) (string, error) {
			return func(a domain.Actor) (string, error) {
				os, err := s.ListOPDs(ctx, a, inactive)
				return codes(os), err
			}
		}
		getOPD := func(code string) func(domain.Actor) (string, error) {
			return func(a domain.Actor) (string, error) {
				o, err := s.GetOPD(ctx, a, code)
				return o.Code, err
			}
		}
		listEmp := func(flt directory.EmployeeFilter) func(domain.Actor) (string, error) {
			return func(a domain.Actor) (string, error) {
				es, page, err := s.ListEmployees(ctx, a, flt)
				if err == nil && page.Total != int64(len(es)) {
					t.Errorf("ListEmployees(%+v) as %s: total %d, %d rows", flt, a.Role, page.Total, len(es))
				}
				return nips(es), err
			}
		}
		getEmp := func(n string) func(domain.Actor) (string, error) {
			return func(a domain.Actor) (string, error) {
				e, err := s.GetEmployee(ctx, a, n)
				if err == nil && (e.OPD == nil || e.OPD.ID != e.OPDID) {
					t.Errorf("GetEmployee(%s): OPD not loaded: %+v", n, e.OPD)
				}
				return e.NIP, err
			}
		}
		allA := join(nipAndi, nipCitra, nipEko, nipSiti) // by name
		allB := join(nipBudi, nipDewi)
		all := join(nipAndi, nipBudi, nipCitra, nipDewi, nipEko, nipSiti)

		tests := []struct {
			name string
			do   func(domain.Actor) (string, error)
			want map[string]outcome // zero and bogus-role actors always get unauthorized
		}{
			{"ListOPDs active", listOPDs(false), bkpsdm(ok("DINKES,DISDIK"), map[string]outcome{"opdA": ok("DINKES"), "pegawaiA": ok("DINKES")})},
			{"ListOPDs with inactive", listOPDs(true), bkpsdm(ok("DINKES,DISDIK,LAMA"), map[string]outcome{"opdA": ok("DINKES"), "pegawaiA": ok("DINKES")})},
			{"GetOPD A", getOPD("DINKES"), forAll(ok("DINKES"))},
			{"GetOPD A padded", getOPD(" DINKES "), forAll(ok("DINKES"))},
			{"GetOPD B", getOPD("DISDIK"), bkpsdm(ok("DISDIK"), map[string]outcome{"opdA": forbidden, "pegawaiA": forbidden})},
			{"GetOPD inactive", getOPD("LAMA"), bkpsdm(ok("LAMA"), map[string]outcome{"opdA": forbidden, "pegawaiA": forbidden})},
			{"GetOPD unknown", getOPD("NOPE"), forAll(notFound)},
			{"GetOPD sql", getOPD("' OR '1'='1"), forAll(notFound)},
			{"ListEmployees all", listEmp(directory.EmployeeFilter{}), bkpsdm(ok(all), map[string]outcome{"opdA": ok(allA), "pegawaiA": ok(nipAndi)})},
			{"ListEmployees opd A", listEmp(directory.EmployeeFilter{OPD: "DINKES"}), bkpsdm(ok(allA), map[string]outcome{"opdA": ok(allA), "pegawaiA": ok(nipAndi)})},
			{"ListEmployees opd B", listEmp(directory.EmployeeFilter{OPD: "DISDIK"}), bkpsdm(ok(allB), map[string]outcome{"opdA": forbidden, "pegawaiA": forbidden})},
			{"ListEmployees opd inactive", listEmp(directory.EmployeeFilter{OPD: "LAMA"}), bkpsdm(ok(""), map[string]outcome{"opdA": forbidden, "pegawaiA": forbidden})},
			{"ListEmployees opd unknown", listEmp(directory.EmployeeFilter{OPD: "NOPE"}), forAll(notFound)},
			{"ListEmployees search B name", listEmp(directory.EmployeeFilter{Q: "budi"}), bkpsdm(ok(nipBudi), map[string]outcome{"opdA": ok(""), "pegawaiA": ok("")})},
			{"ListEmployees search B nip", listEmp(directory.EmployeeFilter{Q: nipBudi}), bkpsdm(ok(nipBudi), map[string]outcome{"opdA": ok(""), "pegawaiA": ok("")})},
			{"GetEmployee own", getEmp(nipAndi), forAll(ok(nipAndi))},
			{"GetEmployee own spaced", getEmp("19660801 198803 1 001"), forAll(ok(nipAndi))},
			{"GetEmployee A other", getEmp(nipSiti), bkpsdm(ok(nipSiti), map[string]outcome{"opdA": ok(nipSiti), "pegawaiA": forbidden})},
			{"GetEmployee A inactive", getEmp(nipEko), bkpsdm(ok(nipEko), map[string]outcome{"opdA": ok(nipEko), "pegawaiA": forbidden})},
			{"GetEmployee B", getEmp(nipBudi), bkpsdm(ok(nipBudi), map[string]outcome{"opdA": forbidden, "pegawaiA": forbidden})},
			{"GetEmployee unknown", getEmp(nipNone), bkpsdm(notFound, map[string]outcome{"opdA": notFound, "pegawaiA": forbidden})},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				want := map[string]outcome{"zero": unauthorized, "bogus role": unauthorized}
				for k, v := range tt.want {
					want[k] = v
				}
				for _, actor := range []string{"admin", "verifikator", "penandatangan", "opdA", "pegawaiA", "zero", "bogus role"} {
					w, okk := want[actor]
					if !okk {
						t.Fatalf("no expectation for %s", actor)
					}
					t.Run(actor, func(t *testing.T) {
						got, err := tt.do(f.actor[actor])
						if w.code != "" {
							wantCode(t, err, w.code, "")
							if got != "" {
								t.Errorf("result %q returned with an error", got)
							}
							return
						}
						if err != nil {
							t.Fatalf("err = %v, want %q", err, w.got)
						}
						if got != w.got {
							t.Errorf("got %q, want %q", got, w.got)
						}
					})
				}
			})
		}
	})
}

func TestWritesAreAdminOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := MustFixture(t, db)
		opds, audits, agency := count(t, db, "opds"), count(t, db, "audit_log"), count(t, db, "agency")
		yes := true
		writes := []struct {
			name string
			do   func(domain.Actor) error
		}{
			{"CreateOPD", func(a domain.Actor) error {
				_, err := f.svc.CreateOPD(ctx, a, directory.OPDInput{Code: "BARU", Name: "Dinas Baru"})
				return err
			}},
			{"UpdateOPD own", func(a domain.Actor) error {
				_, err := f.svc.UpdateOPD(ctx, a, "DINKES", directory.OPDInput{Name: "Diretas", Active: &yes})
				return err
			}},
			{"UpdateAgency", func(a domain.Actor) error {
				_, err := f.svc.UpdateAgency(ctx, a, directory.AgencyInput{Name: "Pemkab", BKPSDMName: "BKPSDM"}, nil)
				return err
			}},
		}
		for _, w := range writes {
			t.Run(w.name, func(t *testing.T) {
				for _, actor := range []string{"verifikator", "penandatangan", "opdA", "pegawaiA", "zero", "bogus role"} {
					t.Run(actor, func(t *testing.T) {
						wantCode(t, w.do(f.actor[actor]), apperr.CodeForbidden, "Hanya administrator")
					})
				}
			})
		}
		if n := count(t, db, "opds"); n != opds {
			t.Errorf("opds = %d after refused writes, want %d", n, opds)
		}
		if n := count(t, db, "audit_log"); n != audits {
			t.Errorf("audit_log = %d after refused writes, want %d", n, audits)
		}
		if n := count(t, db, "agency"); n != agency {
			t.Errorf("agency = %d after refused writes, want %d", n, agency)
		}
		o, err := f.svc.GetOPD(ctx, f.actor["admin"], "DINKES")
		if err != nil || o.Name != "Dinas Kesehatan" {
			t.Errorf("DINKES after refused update = %+v, %v; want unchanged", o, err)
		}
	})
}

func TestStatsByRole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := MustFixture(t, db)
		for _, u := range []string{"admin", "verif", "andi"} {
			if err := db.Gorm.Create(&domain.User{Username: u, PasswordHash: "x", Role: domain.RoleVerifikator, Active: true}).Error; err != nil {
				t.Fatal(err)
			}
		}
		// Active employees: A has Andi, Siti (PNS) and Citra (PPPK), Eko is inactive; B has
		// Budi and Dewi (PNS). Active OPDs: DINKES and DISDIK.
		tests := []struct {
			actor string
			want  directory.Stats
			code  apperr.Code
		}{
			{"admin", directory.Stats{OPDs: 2, Employees: 5, PNS: 4, PPPK: 1, Users: 3}, ""},
			{"verifikator", directory.Stats{OPDs: 2, Employees: 5, PNS: 4, PPPK: 1}, ""},
			{"penandatangan", directory.Stats{OPDs: 2, Employees: 5, PNS: 4, PPPK: 1}, ""},
			{"opdA", directory.Stats{OPDs: 1, Employees: 3, PNS: 2, PPPK: 1}, ""},
			{"pegawaiA", directory.Stats{OPDs: 1, Employees: 1, PNS: 1}, ""},
			{"zero", directory.Stats{}, apperr.CodeUnauthorized},
			{"bogus role", directory.Stats{}, apperr.CodeUnauthorized},
		}
		for _, tt := range tests {
			t.Run(tt.actor, func(t *testing.T) {
				got, err := f.svc.Stats(ctx, f.actor[tt.actor])
				if tt.code != "" {
					wantCode(t, err, tt.code, "")
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("Stats = %+v, want %+v", got, tt.want)
				}
			})
		}
	})
}
