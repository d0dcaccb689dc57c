package scoring

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
)

// agencyFixture is a small agency whose scores for 2026 are computed by hand:
//
//	OPD A  e1 pelaksana, S1 (15), teknis 20 JP in 2026 (c 22.5) + seminar 2025 (d 17.5) = 40,
//	          SKP 2025 baik (25), no penalty (5)                                  → 85 tinggi
//	       e2 fungsional Guru Ahli Muda, S2 (20), exempt (b 15), external teknis 12 JP (c 0),
//	          SKP 2025 value 80 (25), penalty R in 2024 (3)                       → 63 rendah
//	       e4 PPPK pelaksana: not measured by perban-8-2019                       → excluded
//	OPD B  e3 struktural III.a, S1 (15), PKA 2020 (a 15) + bimtek 24 JP 2026 (c 15) = 30,
//	          SKP 2025 sangat baik (30), no penalty (5)                           → 80 sedang
//	       e5 pelaksana, no education, no SKP: 0 + 0 + 0 + 5                      → 5 sangat rendah, incomplete
//	OPD C  no employees
type agencyFixture struct {
	opdA, opdB, opdC   int64
	e1, e2, e3, e4, e5 int64
}

func newAgencyFixture(t *testing.T, db *database.DB) agencyFixture {
	t.Helper()
	f := newFixture(t, db)
	var a agencyFixture
	a.opdA, a.opdB, a.opdC = f.opd("A"), f.opd("B"), f.opd("C")
	a.e1 = f.employee(a.opdA, nipFor(11), domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
	f.cert(nil, a.e1, "teknis", "", 20, date(2026, 2, 1))
	f.cert(nil, a.e1, "seminar", "", 3, date(2025, 9, 1))
	f.skp(a.e1, 2025, nil, "baik")
	a.e2 = f.employee(a.opdA, nipFor(12), domain.StatusPNS, domain.PositionFungsional, "", "Guru Ahli Muda", "45")
	f.external(nil, a.e2, "teknis", 12, date(2026, 3, 3), ExternalRecognised)
	f.external(nil, a.e2, "teknis", 30, date(2026, 3, 4), ExternalSubmitted)
	f.skp(a.e2, 2025, pf(80), "")
	f.penalty(a.e2, "R", date(2024, 7, 1))
	a.e3 = f.employee(a.opdB, nipFor(13), domain.StatusPNS, domain.PositionStruktural, "III.a", "", "40")
	f.cert(nil, a.e3, "kepemimpinan", "pka", 60, date(2020, 11, 1))
	f.cert(nil, a.e3, "bimtek", "", 24, date(2026, 4, 1))
	f.skp(a.e3, 2025, nil, "sangat_baik")
	a.e4 = f.employee(a.opdA, "200012312024211001", domain.StatusPPPK, domain.PositionPelaksana, "", "", "15")
	a.e5 = f.employee(a.opdB, nipFor(15), domain.StatusPNS, domain.PositionPelaksana, "", "", "")
	return a
}

func TestRescoreAllIdempotentAndSummaries(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		a := newAgencyFixture(t, db)
		st := NewStore(db, nil)
		var calls []int
		res, err := st.RescoreAll(ctx, RescoreOptions{ChunkSize: 2, Workers: 3, Progress: func(done, total int) {
			if total != 5 {
				t.Errorf("progress total = %d, want 5", total)
			}
			calls = append(calls, done)
		}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Year != testYear || res.Employees != 5 || res.Written != 5 || res.Unchanged != 0 || res.Skipped != 0 {
			t.Errorf("first run = %+v, want 5 written", res)
		}
		if len(calls) < 2 || calls[0] != 0 || calls[len(calls)-1] != 5 {
			t.Errorf("progress calls = %v", calls)
		}
		for emp, want := range map[int64]float64{a.e1: 85, a.e2: 63, a.e3: 80, a.e4: 10, a.e5: 5} {
			if r := mustStored(t, db, emp, testYear); r.Total != want {
				t.Errorf("employee %d total = %v, want %v", emp, r.Total, want)
			}
		}

		// Second run: nothing changed, nothing written.
		res, err = st.RescoreAll(ctx, RescoreOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Written != 0 || res.Unchanged != 5 || res.Employees != 5 {
			t.Errorf("second run = %+v, want 0 written, 5 unchanged", res)
		}
		// A fact changed behind the scores' back (no in-transaction rescore): the next
		// bulk run picks up exactly that employee; Force rewrites everyone.
		newFixture(t, db).exec(`UPDATE employees SET education_level = '50' WHERE id = ?`, a.e5)
		res, err = st.RescoreAll(ctx, RescoreOptions{Year: testYear})
		if err != nil || res.Written != 1 || res.Unchanged != 4 {
			t.Errorf("after a change = %+v, %v; want 1 written", res, err)
		}
		newFixture(t, db).exec(`UPDATE employees SET education_level = '' WHERE id = ?`, a.e5)
		if res, err = st.RescoreAll(ctx, RescoreOptions{Year: testYear, Force: true}); err != nil || res.Written != 5 {
			t.Errorf("forced run = %+v, %v; want 5 written", res, err)
		}

		// The agency: e1, e2, e3, e5 measured (e4 excluded).
		//   kualifikasi (15+20+15+0)/4 = 12.5, kompetensi (40+15+30+0)/4 = 21.25,
		//   kinerja (25+25+30+0)/4 = 20, disiplin (5+3+5+5)/4 = 4.5 → 58.25 sangat rendah.
		sum, err := st.AgencySummary(ctx, testYear)
		if err != nil {
			t.Fatal(err)
		}
		want := Summary{Count: 4, Excluded: 1, Incomplete: 1, RuleSet: RuleSetPerban2019, Year: testYear,
			Kualifikasi: 12.5, Kompetensi: 21.25, Kinerja: 20, Disiplin: 4.5, Total: 58.25, MeanIP: 58.25,
			Category: SangatRendah, CategoryLabel: "Sangat Rendah",
			Distribution: []CategoryCount{
				{SangatTinggi, "Sangat Tinggi", 0, 0}, {Tinggi, "Tinggi", 1, 25}, {Sedang, "Sedang", 1, 25},
				{Rendah, "Rendah", 1, 25}, {SangatRendah, "Sangat Rendah", 1, 25}}}
		if !reflect.DeepEqual(sum, want) {
			t.Errorf("AgencySummary =\n%+v\nwant\n%+v", sum, want)
		}
		// The same as Aggregate over the individual scores.
		var scores []Score
		for _, e := range []int64{a.e1, a.e2, a.e3, a.e4, a.e5} {
			s, err := st.EmployeeScore(ctx, e, testYear)
			if err != nil {
				t.Fatal(err)
			}
			scores = append(scores, s)
		}
		if agg := Aggregate(scores); !reflect.DeepEqual(agg, sum) {
			t.Errorf("Aggregate = %+v\nAgencySummary = %+v", agg, sum)
		}

		// OPD A: e1, e2 → 17.5 + 27.5 + 25 + 4 = 74 sedang; OPD B: e3, e5 → 7.5 + 15 + 15 + 5 = 42.5.
		sa, err := st.OPDSummary(ctx, a.opdA, testYear)
		if err != nil {
			t.Fatal(err)
		}
		if sa.Count != 2 || sa.Excluded != 1 || sa.Kualifikasi != 17.5 || sa.Kompetensi != 27.5 || sa.Kinerja != 25 ||
			sa.Disiplin != 4 || sa.Total != 74 || sa.MeanIP != 74 || sa.Category != Sedang || sa.Incomplete != 0 {
			t.Errorf("OPD A = %+v", sa)
		}
		table, err := st.OPDTable(ctx, testYear)
		if err != nil {
			t.Fatal(err)
		}
		if len(table) != 3 || table[0].Code != "A" || table[1].Code != "B" || table[2].Code != "C" {
			t.Fatalf("OPD table = %+v", table)
		}
		if !reflect.DeepEqual(table[0].Summary, sa) || table[1].Summary.Total != 42.5 || table[1].Summary.Incomplete != 1 ||
			table[2].Summary.Count != 0 || table[2].Summary.Total != 0 {
			t.Errorf("OPD table = %+v", table)
		}
		if s, err := st.OPDSummary(ctx, a.opdC, testYear); err != nil || s.Count != 0 || len(s.Distribution) != 5 {
			t.Errorf("empty OPD = %+v, %v", s, err)
		}
		if s, err := st.AgencySummary(ctx, 2020); err != nil || s.Count != 0 || s.Year != 0 {
			t.Errorf("year without scores = %+v, %v", s, err)
		}
		if scored, all, err := st.Coverage(ctx, 0, testYear); err != nil || scored != 5 || all != 5 {
			t.Errorf("coverage = %d of %d, %v", scored, all, err)
		}
		if scored, all, err := st.Coverage(ctx, a.opdB, 2025); err != nil || scored != 0 || all != 2 {
			t.Errorf("coverage B 2025 = %d of %d, %v", scored, all, err)
		}

		// Below 20 JP this year: e5 (0 JP), e2 (12 JP; the submitted record does not count);
		// e4 is a PPPK without a duty under this rule set.
		below, n, err := st.BelowJPDuty(ctx, 0, testYear, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 || len(below) != 2 || below[0].EmployeeID != a.e5 || below[0].JP != 0 || below[1].EmployeeID != a.e2 ||
			below[1].JP != 12 || below[1].JPDuty != 20 || below[1].OPDCode != "A" {
			t.Errorf("below duty = %d %+v", n, below)
		}
		if below, n, _ := st.BelowJPDuty(ctx, a.opdA, testYear, 10, 0); n != 1 || below[0].EmployeeID != a.e2 {
			t.Errorf("below duty in A = %d %+v", n, below)
		}
		if below, n, _ := st.BelowJPDuty(ctx, 0, testYear, 1, 1); n != 2 || len(below) != 1 || below[0].EmployeeID != a.e2 {
			t.Errorf("second page = %d %+v", n, below)
		}
		inc, n, err := st.IncompleteData(ctx, a.opdB, testYear, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 || inc[0].EmployeeID != a.e5 || len(inc[0].Incomplete) != 2 {
			t.Errorf("incomplete = %d %+v", n, inc)
		}

		// An inactive employee leaves the aggregates.
		newFixture(t, db).exec(`UPDATE employees SET active = ? WHERE id = ?`, false, a.e5)
		if s, _ := st.AgencySummary(ctx, testYear); s.Count != 3 || s.Incomplete != 0 {
			t.Errorf("without e5 = %+v", s)
		}
	})
}

// A bulk write never overwrites a score that changed since the bulk run read it.
func TestBulkWriteKeepsNewerScore(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		st := NewStore(db, nil)
		opd := f.opd("A")
		e1 := f.employee(opd, nipFor(21), domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
		e2 := f.employee(opd, nipFor(22), domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
		rescoreInTx(t, st, db, testYear, nil, e1)

		// The bulk run read e1 with its hash and e2 without a score…
		emps, err := loadEmployees(ctx, gormQuerier(db.Gorm), testYear, employeeColumns+` WHERE e.id IN (?, ?) ORDER BY e.id`, e1, e2)
		if err != nil {
			t.Fatal(err)
		}
		rows, _, err := st.computeChunk(emps, 1, true)
		if err != nil || len(rows) != 2 {
			t.Fatal(rows, err)
		}
		// …then an issuance rescored both.
		f.cert(nil, e1, "teknis", "", 20, date(testYear, 5, 5))
		f.cert(nil, e2, "teknis", "", 20, date(testYear, 5, 5))
		rescoreInTx(t, st, db, testYear, nil, e1, e2)
		n, err := writeRows(ctx, db.SQL, db.Dialect, writeIfUnchanged, testYear, db.Now(), rows)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("bulk write wrote %d rows over newer scores", n)
		}
		// The bulk writer too (on PostgreSQL: COPY fails on e2's row, the fallback skips it).
		w, err := newBulkWriter(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer w.close()
		if n, err := w.write(ctx, testYear, db.Now(), rows); err != nil || n != 0 {
			t.Errorf("bulk writer wrote %d rows over newer scores (%v)", n, err)
		}
		for _, e := range []int64{e1, e2} {
			if r := mustStored(t, db, e, testYear); r.Kompetensi != 22.5 {
				t.Errorf("employee %d kompetensi = %v, want 22.5", e, r.Kompetensi)
			}
		}
	})
}

func TestTargets(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		st := NewStore(db, nil)
		if _, ok, err := st.Target(ctx, 2026); ok || err != nil {
			t.Fatalf("target before setting: %v %v", ok, err)
		}
		admin := domain.Actor{Username: "admin", Role: domain.RoleAdmin}
		for _, bad := range []float64{0, -1, 100.01, 70.555} {
			if err := st.SetTarget(ctx, admin, 2026, bad); err == nil {
				t.Errorf("target %v accepted", bad)
			}
		}
		if err := st.SetTarget(ctx, domain.Actor{Role: domain.RoleVerifikator}, 2026, 70); err == nil {
			t.Error("verifikator may set a target")
		}
		if err := st.SetTarget(ctx, admin, 2026, 70); err != nil {
			t.Fatal(err)
		}
		if err := st.SetTarget(ctx, admin, 2026, 72.5); err != nil {
			t.Fatal(err)
		}
		if err := st.SetTarget(ctx, admin, 2025, 68.13); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := st.Target(ctx, 2026); !ok || err != nil || v != 72.5 {
			t.Errorf("target 2026 = %v %v %v", v, ok, err)
		}
		ts, err := st.Targets(ctx)
		if err != nil || !reflect.DeepEqual(ts, []Target{{2025, 68.13}, {2026, 72.5}}) {
			t.Errorf("targets = %+v, %v", ts, err)
		}
		// The rules document's seed: 71.58 against a target of 75 → 95.44 %.
		if c, ok := (Summary{Total: 71.58}).Achievement(75); !ok || c != 95.44 {
			t.Errorf("capaian = %v", c)
		}
		b, _ := json.Marshal(ts[0])
		if string(b) != `{"year":2025,"target":68.13}` {
			t.Errorf("JSON %s", b)
		}
	})
}
