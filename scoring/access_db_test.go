package scoring

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
)

// Actors of the access tests.
var (
	actAdmin  = domain.Actor{UserID: 0, Username: "admin", Role: domain.RoleAdmin}
	actVerif  = domain.Actor{Username: "verif", Role: domain.RoleVerifikator}
	actSigner = domain.Actor{Username: "kepala", Role: domain.RolePenandatangan}
)

// accessFixture is the agency fixture with every employee's 2026 score stored.
func accessFixture(t *testing.T, db *database.DB) (agencyFixture, *Store) {
	t.Helper()
	a := newAgencyFixture(t, db)
	st := NewStore(db, nil)
	if _, err := st.RescoreAll(context.Background(), RescoreOptions{Year: testYear}); err != nil {
		t.Fatal(err)
	}
	return a, st
}

func wantErrCode(t *testing.T, what string, err error, want apperr.Code) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Errorf("%s: unexpected error %v", what, err)
		}
		return
	}
	if got := apperr.CodeOf(err); got != want {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, want)
	}
}

// TestAccessDashboardScoping checks every role against every actor-aware read.
func TestAccessDashboardScoping(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		a, st := accessFixture(t, db)
		opdA := domain.Actor{Username: "opd-a", Role: domain.RoleOPD, OPDID: a.opdA}
		self := domain.Actor{Username: "e1", Role: domain.RolePegawai, NIP: nipFor(11)}
		const (
			ok        = apperr.Code("")
			forbidden = apperr.CodeForbidden
			notFound  = apperr.CodeNotFound
			invalid   = apperr.CodeInvalid
			unauth    = apperr.CodeUnauthorized
		)
		cases := []struct {
			name  string
			actor domain.Actor
			agency, ownOPD, otherOPD, unknownOPD,
			ownEmp, otherOPDEmp, badNIP,
			agencyList, ownList, otherList apperr.Code
		}{
			{"admin", actAdmin, ok, ok, ok, notFound, ok, ok, invalid, ok, ok, ok},
			{"verifikator", actVerif, ok, ok, ok, notFound, ok, ok, invalid, ok, ok, ok},
			{"penandatangan", actSigner, ok, ok, ok, notFound, ok, ok, invalid, ok, ok, ok},
			{"opd", opdA, forbidden, ok, forbidden, notFound, ok, forbidden, invalid, forbidden, ok, forbidden},
			// A pegawai sees only its own score: e1 is itself, e3 someone else.
			{"pegawai", self, forbidden, forbidden, forbidden, forbidden, ok, forbidden, invalid, forbidden, forbidden, forbidden},
			{"anonymous", domain.Actor{}, unauth, unauth, unauth, unauth, unauth, unauth, unauth, unauth, unauth, unauth},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := st.AgencyDashboard(ctx, c.actor, testYear)
				wantErrCode(t, "agency dashboard", err, c.agency)
				_, err = st.OPDDashboard(ctx, c.actor, "A", testYear)
				wantErrCode(t, "own OPD dashboard", err, c.ownOPD)
				_, err = st.OPDDashboard(ctx, c.actor, "B", testYear)
				wantErrCode(t, "other OPD dashboard", err, c.otherOPD)
				_, err = st.OPDDashboard(ctx, c.actor, "NOPE", testYear)
				wantErrCode(t, "unknown OPD dashboard", err, c.unknownOPD)
				v, err := st.EmployeeScoreFor(ctx, c.actor, nipFor(11), testYear)
				wantErrCode(t, "own employee", err, c.ownEmp)
				if err == nil && (v.NIP != nipFor(11) || v.Score.Total != 85 || !v.Stored || v.OPDCode != "A") {
					t.Errorf("own employee = %+v", v)
				}
				_, err = st.EmployeeScoreFor(ctx, c.actor, nipFor(13), testYear)
				wantErrCode(t, "employee of another OPD", err, c.otherOPDEmp)
				_, err = st.EmployeeScoreFor(ctx, c.actor, "196608011988033001", testYear)
				wantErrCode(t, "invalid NIP", err, c.badNIP)
				_, _, err = st.DashboardList(ctx, c.actor, "", testYear, ListAll, 10, 0)
				wantErrCode(t, "agency list", err, c.agencyList)
				_, _, err = st.DashboardList(ctx, c.actor, "A", testYear, ListAll, 10, 0)
				wantErrCode(t, "own OPD list", err, c.ownList)
				_, _, err = st.DashboardList(ctx, c.actor, "B", testYear, ListBelowJP, 10, 0)
				wantErrCode(t, "other OPD list", err, c.otherList)
			})
		}
		// A pegawai record that does not exist yet is NotFound for BKPSDM, and a pegawai asking
		// for it is refused before the lookup.
		_, err := st.EmployeeScoreFor(ctx, actAdmin, "196608011988031001", testYear)
		wantErrCode(t, "unknown employee", err, notFound)
		// The parser's Indonesian explanation reaches the caller.
		_, err = st.EmployeeScoreFor(ctx, actAdmin, "196608011988033001", testYear)
		if e := apperr.As(err); e == nil || !strings.Contains(e.Message, "Digit ke-15") || e.Fields["nip"] == "" {
			t.Errorf("invalid NIP error = %#v", err)
		}
		_, err = st.EmployeeScoreFor(ctx, actAdmin, "12345678901234567", testYear)
		if e := apperr.As(err); e == nil || !strings.Contains(e.Message, "18") {
			t.Errorf("short NIP error = %#v", err)
		}
		// Years outside 2000…2100 and unknown lists are refused in Indonesian.
		for _, y := range []int{0, 1999, 2101} {
			_, err := st.AgencyDashboard(ctx, actAdmin, y)
			wantErrCode(t, "year", err, invalid)
			if e := apperr.As(err); e == nil || !strings.Contains(e.Message, "Tahun") {
				t.Errorf("year %d error = %v", y, err)
			}
			_, err = st.OPDDashboard(ctx, actAdmin, "A", y)
			wantErrCode(t, "OPD year", err, invalid)
			_, err = st.EmployeeScoreFor(ctx, actAdmin, nipFor(11), y)
			wantErrCode(t, "employee year", err, invalid)
			_, _, err = st.DashboardList(ctx, actAdmin, "", y, ListAll, 10, 0)
			wantErrCode(t, "list year", err, invalid)
		}
		_, _, err = st.DashboardList(ctx, actAdmin, "", testYear, "semua", 10, 0)
		wantErrCode(t, "unknown list", err, invalid)
	})
}

// TestDashboardAggregates checks the dashboards against Aggregate over the same scores,
// the counts, the target and achievement, the trend and the breakdowns.
func TestDashboardAggregates(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		a, st := accessFixture(t, db)
		f := newFixture(t, db)
		// 2025 scores for the trend; 2024 only for e1 in OPD A.
		if _, err := st.RescoreAll(ctx, RescoreOptions{Year: 2025}); err != nil {
			t.Fatal(err)
		}
		rescoreInTx(t, st, db, 2024, nil, a.e1)
		// An active employee without a stored score counts in Employees only; an inactive
		// one with scores counts nowhere.
		e6 := f.employee(a.opdC, nipFor(16), domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
		e7 := f.employee(a.opdA, nipFor(17), domain.StatusPNS, domain.PositionPelaksana, "", "", "50")
		rescoreInTx(t, st, db, testYear, nil, e7)
		rescoreInTx(t, st, db, 2023, nil, e7)
		rescoreInTx(t, st, db, 2025, nil, e7) // shares the 2025 groups of active employees: subtracted
		f.exec(`UPDATE employees SET active = ? WHERE id = ?`, false, e7)
		if err := st.SetTarget(ctx, actAdmin, testYear, 75); err != nil {
			t.Fatal(err)
		}
		if err := st.SetTarget(ctx, actAdmin, 2024, 70); err != nil {
			t.Fatal(err)
		}

		scoresOf := func(year int, ids ...int64) []Score {
			var out []Score
			for _, id := range ids {
				if _, ok := stored(t, db, id, year); !ok {
					continue
				}
				s, err := st.EmployeeScore(ctx, id, year)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
			return out
		}
		all := []int64{a.e1, a.e2, a.e3, a.e4, a.e5, e6}

		d, err := st.AgencyDashboard(ctx, actVerif, testYear)
		if err != nil {
			t.Fatal(err)
		}
		if d.Scope != ScopeAgency || d.OPD != nil || d.Year != testYear || d.RuleSet != RuleSetPerban2019 {
			t.Errorf("agency header = %+v", d)
		}
		if want := Aggregate(scoresOf(testYear, all...)); !reflect.DeepEqual(d.Summary, want) {
			t.Errorf("agency summary =\n%+v\nwant (Aggregate)\n%+v", d.Summary, want)
		}
		if d.Summary.Total != 58.25 || d.Summary.Count != 4 || d.Summary.Excluded != 1 {
			t.Errorf("agency summary = %+v", d.Summary)
		}
		if d.Target == nil || *d.Target != 75 || d.Achievement == nil || *d.Achievement != 77.67 {
			t.Errorf("target %v achievement %v, want 75 and 77.67", d.Target, d.Achievement)
		}
		// e2 (12 JP) and e5 (0 JP) are below 20 JP; incomplete data: whatever the stored rows say.
		var wantIncomplete int64
		for _, id := range all[:5] {
			if mustStored(t, db, id, testYear).Incomplete != "" {
				wantIncomplete++
			}
		}
		if d.Employees != 6 || d.Scored != 5 || d.BelowJP != 2 || d.Incomplete != wantIncomplete {
			t.Errorf("counts employees %d scored %d below %d incomplete %d, want 6 5 2 %d",
				d.Employees, d.Scored, d.BelowJP, d.Incomplete, wantIncomplete)
		}
		if _, n, _ := st.BelowJPDuty(ctx, 0, testYear, 10, 0); n != d.BelowJP {
			t.Errorf("BelowJPDuty total %d ≠ dashboard %d", n, d.BelowJP)
		}
		if _, n, _ := st.IncompleteData(ctx, 0, testYear, 10, 0); n != d.Incomplete {
			t.Errorf("IncompleteData total %d ≠ dashboard %d", n, d.Incomplete)
		}
		if scored, emps, _ := st.Coverage(ctx, 0, testYear); scored != d.Scored || emps != d.Employees {
			t.Errorf("Coverage %d/%d ≠ dashboard %d/%d", scored, emps, d.Scored, d.Employees)
		}

		// Trend: 2024 (e1 only), 2025, 2026 — 2023 only has the inactive e7.
		var years []int
		for _, p := range d.Trend {
			years = append(years, p.Year)
		}
		if !reflect.DeepEqual(years, []int{2024, 2025, 2026}) {
			t.Fatalf("trend years = %v", years)
		}
		for _, p := range d.Trend {
			if want := Aggregate(scoresOf(p.Year, all...)); !reflect.DeepEqual(p.Summary, want) {
				t.Errorf("trend %d = %+v\nwant %+v", p.Year, p.Summary, want)
			}
		}
		if d.Trend[0].Target == nil || *d.Trend[0].Target != 70 || d.Trend[1].Target != nil || *d.Trend[2].Target != 75 {
			t.Errorf("trend targets = %v %v %v", d.Trend[0].Target, d.Trend[1].Target, d.Trend[2].Target)
		}

		// Breakdowns add up and match Aggregate of their members.
		checkBreakdown := func(name string, bs []Breakdown, wantKeys []string, member func(k string, id int64) bool) {
			t.Helper()
			var keys []string
			count, excluded := 0, 0
			for _, b := range bs {
				keys = append(keys, b.Key)
				count += b.Summary.Count
				excluded += b.Summary.Excluded
				var ids []int64
				for _, id := range all {
					if member(b.Key, id) {
						ids = append(ids, id)
					}
				}
				if want := Aggregate(scoresOf(testYear, ids...)); !reflect.DeepEqual(b.Summary, want) {
					t.Errorf("%s %q = %+v\nwant %+v", name, b.Key, b.Summary, want)
				}
				if b.Label == "" {
					t.Errorf("%s %q has no label", name, b.Key)
				}
			}
			if !reflect.DeepEqual(keys, wantKeys) {
				t.Errorf("%s keys = %v, want %v", name, keys, wantKeys)
			}
			if count != d.Summary.Count || excluded != d.Summary.Excluded {
				t.Errorf("%s counts add up to %d (+%d excluded), want %d (+%d)", name, count, excluded, d.Summary.Count, d.Summary.Excluded)
			}
		}
		profile := map[int64][3]string{}
		for _, id := range all {
			var p struct{ PositionKind, EducationLevel, Status string }
			db.Gorm.Raw(`SELECT position_kind, education_level, status FROM employees WHERE id = ?`, id).Scan(&p)
			profile[id] = [3]string{p.PositionKind, p.EducationLevel, p.Status}
		}
		checkBreakdown("by_position", d.ByPosition, []string{"struktural", "fungsional", "pelaksana"},
			func(k string, id int64) bool { return profile[id][0] == k })
		checkBreakdown("by_education", d.ByEducation, []string{"15", "40", "45", ""},
			func(k string, id int64) bool { return profile[id][1] == k })
		checkBreakdown("by_status", d.ByStatus, []string{"PNS", "PPPK"},
			func(k string, id int64) bool { return profile[id][2] == k })
		if d.ByEducation[1].Label != "S1" || d.ByEducation[3].Label != "Belum tercatat" || d.ByPosition[2].Label != "Pelaksana" {
			t.Errorf("labels = %+v %+v", d.ByEducation, d.ByPosition)
		}

		// The per-OPD table is OPDTable's.
		table, err := st.OPDTable(ctx, testYear)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d.OPDs, table) {
			t.Errorf("OPDs =\n%+v\nwant OPDTable\n%+v", d.OPDs, table)
		}

		// OPD A: e1, e2 measured, e4 excluded; e7 inactive.
		da, err := st.OPDDashboard(ctx, domain.Actor{Role: domain.RoleOPD, OPDID: a.opdA}, "A", testYear)
		if err != nil {
			t.Fatal(err)
		}
		if da.Scope != ScopeOPD || da.OPD == nil || *da.OPD != (OPDRef{"A", "OPD A"}) || da.OPDs != nil {
			t.Errorf("OPD header = %+v", da)
		}
		if want := Aggregate(scoresOf(testYear, a.e1, a.e2, a.e4)); !reflect.DeepEqual(da.Summary, want) || da.Summary.Total != 74 {
			t.Errorf("OPD A summary = %+v\nwant %+v", da.Summary, want)
		}
		if da.Employees != 3 || da.Scored != 3 || da.BelowJP != 1 || *da.Achievement != 98.67 {
			t.Errorf("OPD A counts = %d %d %d, achievement %v", da.Employees, da.Scored, da.BelowJP, *da.Achievement)
		}
		years = nil
		for _, p := range da.Trend {
			years = append(years, p.Year)
		}
		if !reflect.DeepEqual(years, []int{2024, 2025, 2026}) || da.Trend[0].Summary.Count != 1 {
			t.Errorf("OPD A trend = %+v", da.Trend)
		}
		// OPD C: one employee, no stored score: an empty dashboard, no achievement.
		dc, err := st.OPDDashboard(ctx, actAdmin, "C", testYear)
		if err != nil {
			t.Fatal(err)
		}
		if dc.Employees != 1 || dc.Scored != 0 || dc.Summary.Count != 0 || dc.Achievement != nil || *dc.Target != 75 ||
			len(dc.Trend) != 0 || len(dc.Summary.Distribution) != 5 || len(dc.ByPosition) != 3 || len(dc.ByEducation) != 0 {
			t.Errorf("OPD C = %+v", dc)
		}
		// A year without target or scores.
		d20, err := st.AgencyDashboard(ctx, actAdmin, 2020)
		if err != nil {
			t.Fatal(err)
		}
		if d20.Target != nil || d20.Achievement != nil || d20.Scored != 0 || d20.Employees != 6 || len(d20.Trend) != 3 {
			t.Errorf("2020 = %+v", d20)
		}
	})
}

// TestEmployeeScoreForAndLists checks the employee view (stored and on the fly) and the
// dashboard lists.
func TestEmployeeScoreForAndLists(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		a, st := accessFixture(t, db)

		v, err := st.EmployeeScoreFor(ctx, actAdmin, " 19800101 200501 1 013 ", testYear)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := st.EmployeeScore(ctx, a.e2, testYear)
		if !v.Stored || v.NIP != nipFor(12) || v.Name != "Pegawai 1013" || v.Status != "PNS" || v.OPDCode != "A" ||
			v.OPDName != "OPD A" || v.Year != testYear || !reflect.DeepEqual(v.Score, want) {
			t.Errorf("view = %+v", v)
		}
		// No stored score for 2025: computed on the fly, not stored.
		v, err = st.EmployeeScoreFor(ctx, domain.Actor{Role: domain.RolePegawai, NIP: nipFor(12)}, nipFor(12), 2025)
		if err != nil {
			t.Fatal(err)
		}
		if v.Stored || v.Score.Year != 2025 || v.Score.NIP != nipFor(12) {
			t.Errorf("on the fly = %+v", v)
		}
		if _, ok := stored(t, db, a.e2, 2025); ok {
			t.Error("an on-the-fly score was stored")
		}

		// Lists: all by total desc; below_jp and incomplete as BelowJPDuty and IncompleteData.
		rows, n, err := st.DashboardList(ctx, actAdmin, "", testYear, ListAll, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		var totals []float64
		for _, r := range rows {
			totals = append(totals, r.Total)
		}
		if n != 5 || !reflect.DeepEqual(totals, []float64{85, 80, 63, 10, 5}) {
			t.Errorf("all = %d %v", n, totals)
		}
		rows, n, err = st.DashboardList(ctx, domain.Actor{Role: domain.RoleOPD, OPDID: a.opdB}, "B", testYear, ListAll, 1, 1)
		if err != nil || n != 2 || len(rows) != 1 || rows[0].EmployeeID != a.e5 {
			t.Errorf("B page 2 = %d %+v %v", n, rows, err)
		}
		below, n, err := st.DashboardList(ctx, actSigner, "", testYear, ListBelowJP, 10, 0)
		wantRows, wantN, _ := st.BelowJPDuty(ctx, 0, testYear, 10, 0)
		if err != nil || n != wantN || !reflect.DeepEqual(below, wantRows) {
			t.Errorf("below_jp = %d %+v %v", n, below, err)
		}
		inc, n, err := st.DashboardList(ctx, actVerif, "B", testYear, ListIncomplete, 10, 0)
		wantRows, wantN, _ = st.IncompleteData(ctx, a.opdB, testYear, 10, 0)
		if err != nil || n != wantN || n == 0 || !reflect.DeepEqual(inc, wantRows) {
			t.Errorf("incomplete = %d %+v %v", n, inc, err)
		}
	})
}
