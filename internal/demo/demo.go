// Package demo seeds an empty Sertika database with a realistic, generated agency — the
// city government of Tidore Kepulauan (Provinsi Maluku Utara) with its BKPSDM, 25 OPDs and
// as many civil servants as asked for — and one demo account per role, so that the system
// can be tried, shown and benchmarked without real personal data.
//
// The data is deterministic: the same Options.Seed and Options.Employees give the same
// people with the same NIPs. Every NIP and NI PPPK is valid under the rules of package nip.
// The mix follows a regional government: about 85 % PNS and 15 % PPPK; about 10 %
// structural, 55 % functional (teachers in the education OPD, health workers in DINKES and
// the RSUD) and 35 % administrative positions; education levels as SIASN codes with
// academic titles that match them.
//
// The agency comes with the facts its IP ASN is computed from (facts.go), drawn from the
// same seed and dated around the current year: SKP predikat for the previous two years
// (missing for about 5 % of the people, who show as incomplete data), disciplinary
// penalties for about 2 %, and development records from other institutions (source
// SourceDemo) — leadership and functional training, technical JP and seminars, workshops and
// the like in the previous and the current year, a few waiting for review and two rejected —
// plus IP ASN targets for both years (TargetPreviousYear, TargetCurrentYear).
//
// Seed refuses (ErrNotEmpty) a database that already holds any OPD, employee, user account
// or agency identity: demo data never mixes with, or overwrites, real data.
//
// Demo accounts, all with the password DemoPassword ("demo12345"):
//
//	admin        admin          Administrator
//	verifikator  verifikator    a BKPSDM reviewer (an Analis SDM Aparatur of the BKPSDM)
//	kepala       penandatangan  the head of the BKPSDM, who signs (bound to the head's NIP)
//	opd.disdik   opd            bound to the education OPD, code DISDIKBUD
//	pegawai      pegawai        bound to a teacher (Guru Ahli Pertama) of DISDIKBUD
package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/audit"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/importer"
)

// DemoPassword is the password of every demo account. It is documented and printed: demo
// installations must not hold real data.
const DemoPassword = "demo12345"

// Limits and defaults of Options.Employees.
const (
	DefaultEmployees = 2000
	MinEmployees     = 50
	MaxEmployees     = 200_000
)

// batchSize is the number of employee rows per INSERT (≈ 7,000 bound parameters, well under
// both databases' limits).
const batchSize = 500

// Demo account user names.
const (
	UserAdmin         = "admin"
	UserVerifikator   = "verifikator"
	UserPenandatangan = "kepala"
	UserOPD           = "opd.disdik"
	UserPegawai       = "pegawai"
)

// ErrNotEmpty is returned when the database already holds data; nothing is changed.
var ErrNotEmpty = apperr.Conflict("Basis data sudah berisi data (OPD, pegawai, akun pengguna atau identitas instansi). " +
	"Data demo hanya dapat dimuat ke basis data yang masih kosong; data yang ada tidak diubah.")

// Options tune Seed.
type Options struct {
	Employees int   // number of employees; 0 means DefaultEmployees
	Seed      int64 // random seed; 0 means 1. The same seed gives the same data.
	// Progress, when set, is called as employees are written: done of total.
	Progress func(done, total int)
	// NoFacts leaves out the scoring facts (SKP, penalties, development records) and the
	// IP ASN targets: master data and accounts only, for benchmarks that write their own.
	NoFacts bool
}

// Account is a demo account.
type Account struct {
	Username    string
	Role        domain.Role
	RoleLabel   string // the role's name in Bahasa Indonesia
	DisplayName string
	OPD         string // OPD code, for the opd role
	NIP         string // the employee's NIP, for accounts that stand for an employee
	Password    string
}

// Result describes what Seed created.
type Result struct {
	Agency     string
	OPDs       int
	Employees  int
	PNS, PPPK  int
	Struktural int
	Fungsional int
	Pelaksana  int
	Accounts   []Account
	Elapsed    time.Duration

	// Scoring facts: SKP results of the previous two years, disciplinary penalties and
	// external development records (Submitted of them wait for review), and the years
	// given an IP ASN target.
	SKP, Penalties, Trainings, Submitted int
	TargetYears                          []int
}

// Seed fills an empty database with the demo agency, its OPDs, employees and their scoring
// facts (in one transaction), the agency identity with a logo, and the demo accounts (created through acc,
// so the passwords are hashed like any other). It refuses a database holding any data
// with ErrNotEmpty.
//
// The master data is committed before the agency identity and the accounts are written;
// should one of those later steps fail, the error says so and a new Seed is refused — start
// again from an empty database.
func Seed(ctx context.Context, db *database.DB, acc *account.Service, dir *directory.Service, opt Options) (*Result, error) {
	start := time.Now()
	if opt.Employees == 0 {
		opt.Employees = DefaultEmployees
	}
	if opt.Employees < MinEmployees || opt.Employees > MaxEmployees {
		return nil, apperr.Invalidf("Jumlah pegawai demo harus antara %d dan %d.", MinEmployees, MaxEmployees)
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if err := checkEmpty(db.WithContext(ctx)); err != nil {
		return nil, err // refuse before spending time on generating
	}
	now := db.Now()
	p := generate(opt.Seed, opt.Employees, now)
	if opt.NoFacts {
		p.skp, p.penalties, p.trainings = nil, nil, nil
	}
	res := &Result{Agency: AgencyName, OPDs: len(p.opds), Employees: len(p.emps),
		SKP: len(p.skp), Penalties: len(p.penalties), Trainings: len(p.trainings)}
	if !opt.NoFacts {
		res.TargetYears = []int{now.Year() - 1, now.Year()}
	}
	for _, t := range p.trainings {
		if t.Status == statusSubmitted {
			res.Submitted++
		}
	}
	for _, e := range p.emps {
		if e.Status == domain.StatusPPPK {
			res.PPPK++
		} else {
			res.PNS++
		}
		switch e.PositionKind {
		case domain.PositionStruktural:
			res.Struktural++
		case domain.PositionFungsional:
			res.Fungsional++
		default:
			res.Pelaksana++
		}
	}

	progress := opt.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	err := db.Tx(ctx, func(tx *gorm.DB) error {
		if err := checkEmpty(tx); err != nil {
			return err
		}
		for i := range p.opds {
			p.opds[i].CreatedAt, p.opds[i].UpdatedAt = now, now
		}
		if err := tx.Create(&p.opds).Error; err != nil {
			if database.IsUniqueViolation(err) {
				return ErrNotEmpty // another seeding won the race
			}
			return apperr.Internal(fmt.Errorf("create demo opds: %w", err))
		}
		for i := range p.emps {
			p.emps[i].OPDID = p.opds[p.empOPD[i]].ID
			p.emps[i].CreatedAt, p.emps[i].UpdatedAt = now, now
		}
		progress(0, len(p.emps))
		for i := 0; i < len(p.emps); i += batchSize {
			batch := p.emps[i:min(i+batchSize, len(p.emps))]
			if err := tx.Omit(clause.Associations).CreateInBatches(&batch, batchSize).Error; err != nil {
				if database.IsUniqueViolation(err) {
					return ErrNotEmpty
				}
				return apperr.Internal(fmt.Errorf("create demo employees: %w", err))
			}
			progress(i+len(batch), len(p.emps))
		}
		if !opt.NoFacts {
			if err := p.writeFacts(ctx, tx, db.Dialect, now); err != nil {
				return apperr.Internal(err)
			}
		}
		return audit.Record(tx, now, domain.System, "demo.seed", "agency",
			fmt.Sprintf("opds=%d employees=%d skp=%d penalties=%d trainings=%d seed=%d",
				len(p.opds), len(p.emps), len(p.skp), len(p.penalties), len(p.trainings), opt.Seed))
	})
	if err != nil {
		return nil, err
	}

	head := p.emps[p.head]
	if _, err := dir.UpdateAgency(ctx, domain.System, directory.AgencyInput{
		Name: AgencyName, BKPSDMName: BKPSDMName, Address: agencyAddr, City: AgencyCity,
		HeadName: head.FullName(), HeadNIP: head.NIP, HeadTitle: HeadTitle, HeadRank: HeadRank,
	}, Logo()); err != nil {
		return nil, fmt.Errorf("demo master data was written, but setting the agency identity failed: %w", err)
	}

	accounts := []Account{
		{Username: UserAdmin, Role: domain.RoleAdmin, DisplayName: "Administrator BKPSDM"},
		{Username: UserVerifikator, Role: domain.RoleVerifikator, DisplayName: "Verifikator BKPSDM"},
		{Username: UserPenandatangan, Role: domain.RolePenandatangan, DisplayName: head.FullName(), NIP: head.NIP},
		{Username: UserOPD, Role: domain.RoleOPD, DisplayName: "Operator " + opdName(EducationOPDCode), OPD: EducationOPDCode},
		{Username: UserPegawai, Role: domain.RolePegawai},
	}
	if i := p.verifikator; i >= 0 {
		accounts[1].DisplayName, accounts[1].NIP = p.emps[i].FullName(), p.emps[i].NIP
	}
	pg := p.emps[p.pegawai]
	accounts[4].DisplayName, accounts[4].NIP = pg.FullName(), pg.NIP
	for i := range accounts {
		a := &accounts[i]
		a.RoleLabel, a.Password = a.Role.Label(), DemoPassword
		if _, err := acc.Create(ctx, domain.System, account.UserInput{Username: a.Username, DisplayName: a.DisplayName,
			Role: a.Role, OPDCode: a.OPD, NIP: a.NIP, Password: DemoPassword}); err != nil {
			return nil, fmt.Errorf("demo master data was written, but creating the demo account %q failed: %w", a.Username, err)
		}
	}
	res.Accounts = accounts
	res.Elapsed = time.Since(start)
	return res, nil
}

// writeFacts inserts the scoring facts of the plan's employees (written already, so their
// ids are known) and the IP ASN targets of the previous and the current year.
func (p *plan) writeFacts(ctx context.Context, tx *gorm.DB, dialect string, now time.Time) error {
	for i := range p.skp {
		p.skp[i].EmployeeID = p.emps[p.skp[i].emp].ID
	}
	for i := range p.penalties {
		p.penalties[i].EmployeeID = p.emps[p.penalties[i].emp].ID
	}
	for i := range p.trainings {
		p.trainings[i].EmployeeID = p.emps[p.trainings[i].emp].ID
	}
	if err := importer.InsertFacts(ctx, tx, dialect, p.skp, nil); err != nil {
		return fmt.Errorf("create demo SKP results: %w", err)
	}
	if err := importer.InsertFacts(ctx, tx, dialect, p.penalties, nil); err != nil {
		return fmt.Errorf("create demo disciplinary penalties: %w", err)
	}
	if err := importer.InsertFacts(ctx, tx, dialect, p.trainings, nil); err != nil {
		return fmt.Errorf("create demo development records: %w", err)
	}
	if err := tx.Exec(`INSERT INTO ipasn_targets (year, target, updated_by, updated_at) VALUES (?, ?, NULL, ?), (?, ?, NULL, ?)`,
		now.Year()-1, TargetPreviousYear, now, now.Year(), TargetCurrentYear, now).Error; err != nil {
		return fmt.Errorf("create demo IP ASN targets: %w", err)
	}
	return nil
}

// checkEmpty returns ErrNotEmpty when the database holds an OPD, an employee, a user or a
// configured agency.
func checkEmpty(q *gorm.DB) error {
	checks := []struct {
		model any
		where string
	}{
		{&domain.OPD{}, ""}, {&domain.Employee{}, ""}, {&domain.User{}, ""}, {&domain.Agency{}, "name <> ''"},
	}
	for _, c := range checks {
		var n int64
		s := q.Session(&gorm.Session{NewDB: true}).Model(c.model)
		if c.where != "" {
			s = s.Where(c.where)
		}
		if err := s.Count(&n).Error; err != nil {
			return apperr.Internal(fmt.Errorf("check the database is empty: %w", err))
		}
		if n > 0 {
			return ErrNotEmpty
		}
	}
	return nil
}

func opdName(code string) string {
	for _, o := range opds {
		if o.code == code {
			return o.name
		}
	}
	return code
}
