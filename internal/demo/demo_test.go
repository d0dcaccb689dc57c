package demo_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/demo"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/nip"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/scoring"
)

var ctx = context.Background()

type services struct {
	db  *database.DB
	acc *account.Service
	dir *directory.Service
}

func newServices(t *testing.T, db *database.DB) services {
	t.Helper()
	acc, err := account.New(db, account.Options{
		HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1},
		JWTSecret:  []byte("demo-test-secret-0123456789-abcdefghij"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return services{db: db, acc: acc, dir: directory.New(db)}
}

func (s services) seed(t *testing.T, opt demo.Options) (*demo.Result, error) {
	t.Helper()
	return demo.Seed(ctx, s.db, s.acc, s.dir, opt)
}

func counts(t *testing.T, db *database.DB) [4]int64 {
	t.Helper()
	var c [4]int64
	for i, m := range []any{&domain.OPD{}, &domain.Employee{}, &domain.User{}, &domain.AuditEntry{}} {
		if err := db.Gorm.Model(m).Count(&c[i]).Error; err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func nipList(t *testing.T, db *database.DB) []string {
	t.Helper()
	var nips []string
	if err := db.Gorm.Model(&domain.Employee{}).Order("id").Pluck("nip", &nips).Error; err != nil {
		t.Fatal(err)
	}
	return nips
}

func TestSeed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		s := newServices(t, db)
		var calls, lastDone int
		res, err := s.seed(t, demo.Options{Employees: 300, Progress: func(done, total int) {
			calls++
			if total != 300 || done < lastDone {
				t.Errorf("progress(%d, %d) after %d", done, total, lastDone)
			}
			lastDone = done
		}})
		if err != nil {
			t.Fatalf("Seed: %v", err)
		}
		if calls < 2 || lastDone != 300 {
			t.Errorf("progress called %d times, last done = %d; want ≥ 2 calls ending at 300", calls, lastDone)
		}
		if res.Employees != 300 || res.OPDs != 25 || res.PNS+res.PPPK != 300 || res.Struktural+res.Fungsional+res.Pelaksana != 300 {
			t.Errorf("result = %+v", res)
		}
		if c := counts(t, db); c[0] != 25 || c[1] != 300 || c[2] != 5 {
			t.Errorf("OPDs, employees, users = %d, %d, %d; want 25, 300, 5", c[0], c[1], c[2])
		}

		// OPDs: names and parent of a city government.
		var opds []domain.OPD
		if err := db.Gorm.Order("code").Find(&opds).Error; err != nil {
			t.Fatal(err)
		}
		codes := map[string]domain.OPD{}
		for _, o := range opds {
			codes[o.Code] = o
			if o.Parent != "Pemerintah Kota Tidore Kepulauan" || !o.Active || o.Name == "" {
				t.Errorf("OPD %+v", o)
			}
		}
		for _, c := range []string{"SETDA", "SETWAN", "INSPEKTORAT", "BAPPEDA", "BKPSDM", "BPKAD", demo.EducationOPDCode, "DINKES", "RSUD", "SATPOLPP"} {
			if _, ok := codes[c]; !ok {
				t.Errorf("OPD %s missing", c)
			}
		}

		// Employees: valid, unique NIPs agreeing with the status; a plausible mix.
		var emps []domain.Employee
		if err := db.Gorm.Find(&emps).Error; err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		kinds := map[string]int{}
		perOPD := map[int64]int{}
		for _, e := range emps {
			info, err := nip.ParseAt(e.NIP, db.Now())
			if err != nil {
				t.Errorf("%s (%s): %v", e.NIP, e.Name, err)
				continue
			}
			if info.Kind != e.Status {
				t.Errorf("%s: NIP kind %s, status %s", e.NIP, info.Kind, e.Status)
			}
			if seen[e.NIP] {
				t.Errorf("duplicate NIP %s", e.NIP)
			}
			seen[e.NIP] = true
			kinds[e.Status]++
			kinds[e.PositionKind]++
			perOPD[e.OPDID]++
			switch e.PositionKind {
			case domain.PositionFungsional:
				if e.JFName == "" {
					t.Errorf("%s: fungsional without a JF name", e.NIP)
				}
			case domain.PositionStruktural:
				if e.Eselon == "" {
					t.Errorf("%s: struktural without an eselon", e.NIP)
				}
			}
			if domain.EducationLabel(e.EducationLevel) == "" {
				t.Errorf("%s: education level %q", e.NIP, e.EducationLevel)
			}
		}
		if pppk := float64(kinds[domain.StatusPPPK]) / float64(len(emps)); pppk < 0.05 || pppk > 0.30 {
			t.Errorf("PPPK share %.2f, want 0.05–0.30", pppk)
		}
		if f := float64(kinds[domain.PositionFungsional]) / float64(len(emps)); f < 0.40 || f > 0.70 {
			t.Errorf("fungsional share %.2f", f)
		}
		if s := float64(kinds[domain.PositionStruktural]) / float64(len(emps)); s < 0.05 || s > 0.20 {
			t.Errorf("struktural share %.2f", s)
		}
		if edu := perOPD[codes[demo.EducationOPDCode].ID]; edu < perOPD[codes["DINKES"].ID] || edu < 60 {
			t.Errorf("education OPD has %d employees; it should be the largest", edu)
		}

		// The agency identity, with the head of the BKPSDM.
		ag, err := s.dir.GetAgency(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ag.Name != demo.AgencyName || ag.BKPSDMName != demo.BKPSDMName || ag.City != "Tidore Kepulauan" ||
			ag.HeadTitle != "Kepala BKPSDM" || ag.HeadRank == "" || ag.LogoType != "image/png" {
			t.Errorf("agency = %+v", ag)
		}
		var head domain.Employee
		if err := db.Gorm.Where("nip = ?", ag.HeadNIP).Take(&head).Error; err != nil {
			t.Fatalf("head NIP %q is not an employee: %v", ag.HeadNIP, err)
		}
		if head.OPDID != codes["BKPSDM"].ID || head.Eselon != "II.b" || head.FullName() != ag.HeadName {
			t.Errorf("head = %+v, agency head %q", head, ag.HeadName)
		}

		// One account per role; each signs in with the demo password.
		if len(res.Accounts) != len(domain.Roles) {
			t.Fatalf("accounts = %+v", res.Accounts)
		}
		var roles []domain.Role
		for _, a := range res.Accounts {
			if a.Password != demo.DemoPassword || a.RoleLabel != a.Role.Label() {
				t.Errorf("account %+v", a)
			}
			u, err := s.acc.Authenticate(ctx, a.Username, demo.DemoPassword)
			if err != nil {
				t.Errorf("Authenticate(%s): %v", a.Username, err)
				continue
			}
			if u.Role != a.Role || u.DisplayName != a.DisplayName {
				t.Errorf("%s: user %+v, account %+v", a.Username, u, a)
			}
			roles = append(roles, u.Role)
			switch u.Role {
			case domain.RoleOPD:
				if u.OPD == nil || u.OPD.Code != demo.EducationOPDCode || a.OPD != demo.EducationOPDCode {
					t.Errorf("opd account bound to %+v", u.OPD)
				}
			case domain.RolePegawai:
				var e domain.Employee
				if err := db.Gorm.Where("nip = ?", u.NIP).Take(&e).Error; err != nil || e.OPDID != codes[demo.EducationOPDCode].ID {
					t.Errorf("pegawai account bound to %q (%+v, %v)", u.NIP, e, err)
				}
				if e.FullName() != u.DisplayName {
					t.Errorf("pegawai display name %q, employee %q", u.DisplayName, e.FullName())
				}
			case domain.RolePenandatangan:
				if u.DisplayName != ag.HeadName || u.NIP != ag.HeadNIP {
					t.Errorf("kepala = %q %q; head %q %q", u.DisplayName, u.NIP, ag.HeadName, ag.HeadNIP)
				}
			}
		}
		slices.Sort(roles)
		want := slices.Clone(domain.Roles)
		slices.Sort(want)
		if !slices.Equal(roles, want) {
			t.Errorf("roles = %v, want %v", roles, want)
		}
		if u, err := s.acc.Authenticate(ctx, demo.UserAdmin, "wrong-password"); err == nil {
			t.Errorf("admin signs in with a wrong password: %+v", u)
		}
	})
}

func TestSeedRefusesNonEmpty(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		s := newServices(t, db)
		if _, err := s.seed(t, demo.Options{Employees: 100}); err != nil {
			t.Fatal(err)
		}
		before, nips := counts(t, db), nipList(t, db)
		res, err := s.seed(t, demo.Options{Employees: 100, Seed: 2})
		if !errors.Is(err, demo.ErrNotEmpty) || res != nil {
			t.Fatalf("second Seed = %v, %v; want ErrNotEmpty", res, err)
		}
		if apperr.CodeOf(err) != apperr.CodeConflict {
			t.Errorf("code = %q, want conflict", apperr.CodeOf(err))
		}
		if after := counts(t, db); after != before || !slices.Equal(nips, nipList(t, db)) {
			t.Errorf("counts changed from %v to %v", before, after)
		}
	})
}

// TestSeedRefusesAnyData checks that a single OPD, user or configured agency is enough to
// refuse, and that nothing is added.
func TestSeedRefusesAnyData(t *testing.T) {
	setups := map[string]func(t *testing.T, s services){
		"opd": func(t *testing.T, s services) {
			if _, err := s.dir.CreateOPD(ctx, domain.System, directory.OPDInput{Code: "DINKES", Name: "Dinas Kesehatan"}); err != nil {
				t.Fatal(err)
			}
		},
		"user": func(t *testing.T, s services) {
			if _, err := s.acc.Create(ctx, domain.System, account.UserInput{Username: "operator", Role: domain.RoleAdmin, Password: "rahasia-sekali"}); err != nil {
				t.Fatal(err)
			}
		},
		"agency": func(t *testing.T, s services) {
			if _, err := s.dir.UpdateAgency(ctx, domain.System, directory.AgencyInput{Name: "Pemerintah Kabupaten Contoh", BKPSDMName: "BKPSDM Kabupaten Contoh"}, nil); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, setup := range setups {
		t.Run(name, func(t *testing.T) {
			db := testdb.New(t, database.SQLite)
			s := newServices(t, db)
			setup(t, s)
			before := counts(t, db)
			if _, err := s.seed(t, demo.Options{}); !errors.Is(err, demo.ErrNotEmpty) {
				t.Fatalf("Seed = %v; want ErrNotEmpty", err)
			}
			if after := counts(t, db); after != before {
				t.Errorf("counts changed from %v to %v", before, after)
			}
		})
	}
}

func TestSeedDeterministic(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		if _, err := newServices(t, db).seed(t, demo.Options{Employees: 300, Seed: 42}); err != nil {
			t.Fatal(err)
		}
		other := testdb.New(t, db.Dialect)
		if _, err := newServices(t, other).seed(t, demo.Options{Employees: 300, Seed: 42}); err != nil {
			t.Fatal(err)
		}
		a, b := nipList(t, db), nipList(t, other)
		if len(a) != 300 || !slices.Equal(a, b) {
			t.Errorf("the same seed gave different NIP lists (%d and %d NIPs)", len(a), len(b))
		}
		third := testdb.New(t, db.Dialect)
		if _, err := newServices(t, third).seed(t, demo.Options{Employees: 300, Seed: 43}); err != nil {
			t.Fatal(err)
		}
		if slices.Equal(a, nipList(t, third)) {
			t.Error("seeds 42 and 43 gave the same NIP list")
		}
		fa, fb := factList(t, db), factList(t, other)
		if len(fa) < 1000 || !slices.Equal(fa, fb) {
			t.Errorf("the same seed gave different facts (%d and %d rows)", len(fa), len(fb))
		}
		if slices.Equal(fa, factList(t, third)) {
			t.Error("seeds 42 and 43 gave the same facts")
		}
	})
}

func TestSeedOptions(t *testing.T) {
	db := testdb.New(t, database.SQLite)
	s := newServices(t, db)
	for _, n := range []int{-1, demo.MinEmployees - 1, demo.MaxEmployees + 1} {
		if _, err := s.seed(t, demo.Options{Employees: n}); apperr.CodeOf(err) != apperr.CodeInvalid {
			t.Errorf("Employees %d: err = %v; want invalid", n, err)
		}
	}
	if c := counts(t, db); c != [4]int64{} {
		t.Errorf("a refused Seed wrote %v", c)
	}
	res, err := s.seed(t, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Employees != demo.DefaultEmployees {
		t.Errorf("default employees = %d, want %d", res.Employees, demo.DefaultEmployees)
	}
	t.Logf("%d employees on SQLite in %v", res.Employees, res.Elapsed)

	// NoFacts: master data and accounts only.
	bare := testdb.New(t, database.SQLite)
	res, err = newServices(t, bare).seed(t, demo.Options{Employees: 100, NoFacts: true})
	if err != nil {
		t.Fatal(err)
	}
	var facts int64
	if err := bare.Gorm.Raw(`SELECT (SELECT COUNT(*) FROM skp_results) + (SELECT COUNT(*) FROM disciplinary_penalties) +
		(SELECT COUNT(*) FROM external_trainings) + (SELECT COUNT(*) FROM ipasn_targets)`).Scan(&facts).Error; err != nil {
		t.Fatal(err)
	}
	if facts != 0 || res.SKP+res.Penalties+res.Trainings+res.Submitted != 0 || res.TargetYears != nil || res.Employees != 100 {
		t.Errorf("NoFacts seeded %d fact rows, result %+v", facts, res)
	}
}

// TestSeedFacts checks the scoring facts: SKP results, penalties, development records and
// targets in sensible proportions, and an agency IP ASN that lands somewhere plausible.
func TestSeedFacts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		s := newServices(t, db)
		res, err := s.seed(t, demo.Options{Employees: 600, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		now := db.Now()
		year, today := now.Year(), domain.DateOf(now)
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := db.Gorm.Raw(q, args...).Scan(&n).Error; err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		}
		pns := count(`SELECT COUNT(*) FROM employees WHERE status = ?`, domain.StatusPNS)

		// SKP: the previous two years, for most PNS, mostly "baik", missing for some.
		if n := count(`SELECT COUNT(*) FROM skp_results`); n != res.SKP || n == 0 {
			t.Errorf("%d SKP rows, result says %d", n, res.SKP)
		}
		if n := count(`SELECT COUNT(*) FROM skp_results WHERE year NOT IN (?, ?) OR value IS NOT NULL OR source <> ?
			OR import_run_id IS NOT NULL`, year-2, year-1, demo.SourceDemo); n != 0 {
			t.Errorf("%d SKP rows of another year, with a value, or not from the demo", n)
		}
		withSKP := count(`SELECT COUNT(*) FROM skp_results k JOIN employees e ON e.id = k.employee_id
			WHERE k.year = ? AND e.status = ?`, year-1, domain.StatusPNS)
		if share := float64(withSKP) / float64(pns); share < 0.85 || share > 0.98 {
			t.Errorf("%.2f of PNS have an SKP for %d, want about 0.90–0.95", share, year-1)
		}
		predikat := map[string]int{}
		var rows []struct {
			Predikat string
			N        int
		}
		if err := db.Gorm.Raw(`SELECT predikat, COUNT(*) AS n FROM skp_results GROUP BY predikat`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			predikat[r.Predikat] = r.N
		}
		skpShare := func(code string) float64 { return float64(predikat[code]) / float64(res.SKP) }
		if b := skpShare("baik"); b < 0.6 || b > 0.9 {
			t.Errorf("baik share %.2f (%v)", b, predikat)
		}
		if sb := skpShare("sangat_baik"); sb < 0.05 || sb > 0.3 {
			t.Errorf("sangat_baik share %.2f (%v)", sb, predikat)
		}
		if low := skpShare("butuh_perbaikan") + skpShare("kurang") + skpShare("sangat_kurang"); low < 0.02 || low > 0.2 {
			t.Errorf("butuh_perbaikan/kurang share %.2f (%v)", low, predikat)
		}

		// Penalties: about 2 %, R/S/B, started in the last two years, with a decree number.
		if n := count(`SELECT COUNT(*) FROM disciplinary_penalties`); n != res.Penalties || n < 3 || n > 30 {
			t.Errorf("%d penalties (result %d) for 600 employees, want about 12", n, res.Penalties)
		}
		var pens []struct {
			Level, DecreeNumber, Kind, Source string
			StartDate                         domain.Date
		}
		if err := db.Gorm.Raw(`SELECT level, decree_number, kind, source, start_date FROM disciplinary_penalties`).Scan(&pens).Error; err != nil {
			t.Fatal(err)
		}
		for _, p := range pens {
			if p.DecreeNumber == "" || p.Kind == "" || p.Source != demo.SourceDemo || p.StartDate.Year() < year-1 || p.StartDate.After(today.Time) {
				t.Errorf("penalty %+v", p)
			}
		}

		// Development records.
		var recs []struct {
			EmployeeID                                          int64
			Kind, Level, Title, Organizer, Status, ReviewReason string
			Source                                              string
			JP                                                  int
			StartDate, EndDate                                  domain.Date
			ImportRunID                                         *int64
		}
		if err := db.Gorm.Raw(`SELECT employee_id, kind, level, title, organizer, status, review_reason, source, jp,
			start_date, end_date, import_run_id FROM external_trainings`).Scan(&recs).Error; err != nil {
			t.Fatal(err)
		}
		if len(recs) != res.Trainings || len(recs) < 600 {
			t.Fatalf("%d development records (result %d)", len(recs), res.Trainings)
		}
		status := map[string]int{}
		jpYear := map[int64]int{}
		for _, r := range recs {
			status[r.Status]++
			_, ok := domain.KindByCode(r.Kind)
			_, lvOK := domain.LeadershipLevelByCode(r.Level)
			switch {
			case !ok:
				t.Errorf("record %+v: unknown kind", r)
			case (r.Kind == "kepemimpinan") != lvOK, r.Kind != "kepemimpinan" && r.Level != "":
				t.Errorf("record %+v: level", r)
			case r.Title == "" || r.Organizer == "" || r.JP <= 0 || r.Source != demo.SourceDemo || r.ImportRunID != nil:
				t.Errorf("record %+v", r)
			case r.StartDate.IsZero() || r.StartDate.After(r.EndDate.Time) || r.EndDate.After(today.Time):
				t.Errorf("record %+v: dates (today %s)", r, today)
			case (r.Status == "rejected") != (r.ReviewReason != ""):
				t.Errorf("record %+v: review reason", r)
			}
			if r.Status == "recognised" && r.EndDate.Year() == year && slices.Contains(technicalKinds, r.Kind) {
				jpYear[r.EmployeeID] += r.JP
			}
		}
		if status["submitted"] != res.Submitted || res.Submitted < 5 || status["rejected"] < 1 || status["rejected"] > 2 ||
			status["recognised"] < len(recs)*9/10 {
			t.Errorf("statuses %v, result says %d submitted", status, res.Submitted)
		}
		full := 0
		for _, jp := range jpYear {
			if jp >= 20 {
				full++
			}
		}
		if share := float64(full) / float64(res.Employees); share < 0.3 || share > 0.6 {
			t.Errorf("%.2f of employees have 20 technical JP in %d, want a meaningful share but far from all", share, year)
		}
		if n := count(`SELECT COUNT(*) FROM external_trainings x JOIN employees e ON e.id = x.employee_id
			WHERE x.kind = 'kepemimpinan' AND e.position_kind = ?`, domain.PositionStruktural); n < res.Struktural/2 {
			t.Errorf("%d leadership records for %d structural officials", n, res.Struktural)
		}
		// The demo employee's account has a submission waiting.
		var pegawai string
		for _, a := range res.Accounts {
			if a.Role == domain.RolePegawai {
				pegawai = a.NIP
			}
		}
		if n := count(`SELECT COUNT(*) FROM external_trainings x JOIN employees e ON e.id = x.employee_id
			WHERE e.nip = ? AND x.status = 'submitted'`, pegawai); n != 1 {
			t.Errorf("the demo employee %s has %d submissions waiting, want 1", pegawai, n)
		}

		// Targets.
		var targets []struct {
			Year   int
			Target float64
		}
		if err := db.Gorm.Raw(`SELECT year, target FROM ipasn_targets ORDER BY year`).Scan(&targets).Error; err != nil {
			t.Fatal(err)
		}
		if len(targets) != 2 || targets[0].Year != year-1 || targets[0].Target != demo.TargetPreviousYear ||
			targets[1].Year != year || targets[1].Target != demo.TargetCurrentYear || !slices.Equal(res.TargetYears, []int{year - 1, year}) {
			t.Errorf("targets %+v, result %v", targets, res.TargetYears)
		}

		// The scores: a plausible agency, a spread over the categories, few incomplete.
		st := scoring.NewStore(db, nil)
		for _, y := range []int{year - 1, year} {
			if _, err := st.RescoreAll(ctx, scoring.RescoreOptions{Year: y}); err != nil {
				t.Fatal(err)
			}
			sum, err := st.AgencySummary(ctx, y)
			if err != nil {
				t.Fatal(err)
			}
			cats := 0
			for _, c := range sum.Distribution {
				if c.Count > 0 {
					cats++
				}
			}
			if sum.Total < 55 || sum.Total > 80 || cats < 4 || sum.Incomplete*4 > sum.Count || sum.Incomplete == 0 || sum.Kinerja < 15 {
				t.Errorf("%d: IP %.2f, %d categories, %d of %d incomplete: %+v", y, sum.Total, cats, sum.Incomplete, sum.Count, sum)
			}
			t.Logf("%d: IP %.2f (kualifikasi %.2f, kompetensi %.2f, kinerja %.2f, disiplin %.2f), %d incomplete of %d, %+v",
				y, sum.Total, sum.Kualifikasi, sum.Kompetensi, sum.Kinerja, sum.Disiplin, sum.Incomplete, sum.Count, sum.Distribution)
		}
	})
}

// technicalKinds are the kinds of indicator c (JP) in the default rule set.
var technicalKinds = []string{"teknis", "manajerial", "sosial_kultural", "bimtek", "penataran", "klasikal_lain", "e_learning", "jarak_jauh"}

// factList returns every scoring fact of the database as text, by NIP, in a stable order.
func factList(t *testing.T, db *database.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT e.nip || '|' || k.year || '|' || k.predikat FROM skp_results k JOIN employees e ON e.id = k.employee_id`,
		`SELECT e.nip || '|' || p.level || '|' || p.start_date || '|' || p.kind || '|' || p.decree_number
			FROM disciplinary_penalties p JOIN employees e ON e.id = p.employee_id`,
		`SELECT e.nip || '|' || x.kind || '|' || x.level || '|' || x.title || '|' || x.jp || '|' || x.start_date || '|' ||
			x.end_date || '|' || x.organizer || '|' || x.certificate_number || '|' || x.status || '|' || x.review_reason
			FROM external_trainings x JOIN employees e ON e.id = x.employee_id`,
		`SELECT year || '|' || target FROM ipasn_targets`,
	} {
		var rows []string
		if err := db.Gorm.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		slices.Sort(rows)
		out = append(out, rows...)
	}
	return out
}
