package scoring

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/domain"
)

// BenchmarkAgencyDashboard measures AgencyDashboard and OPDDashboard (of the largest OPD) on
// PostgreSQL for the demo agency of N employees (SERTIKA_BENCH_EMPLOYEES, default 50,000)
// with stored scores for three years (the trend) and a target; the budget is well under
// 200 ms for the agency at 50,000 employees:
//
//	go test -run XXX -bench Dashboard -benchtime 50x -timeout 30m ./scoring
func BenchmarkAgencyDashboard(b *testing.B) {
	n := benchEmployees(b, 50_000)
	db := seedBench(b, n)
	st := NewStore(db, nil)
	ctx := context.Background()
	start := time.Now()
	for _, y := range []int{testYear - 2, testYear - 1, testYear} {
		if _, err := st.RescoreAll(ctx, RescoreOptions{Year: y}); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Gorm.Exec(`VACUUM ANALYZE scores`).Error; err != nil {
		b.Fatal(err)
	}
	admin := domain.Actor{Username: "bench", Role: domain.RoleAdmin}
	if err := st.SetTarget(ctx, admin, testYear, 75); err != nil {
		b.Fatal(err)
	}
	var big string
	if err := db.Gorm.Raw(`SELECT o.code FROM opds o JOIN employees e ON e.opd_id = o.id
		GROUP BY o.code ORDER BY COUNT(*) DESC, o.code LIMIT 1`).Scan(&big).Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("scored %d employees × 3 years in %v", n, time.Since(start).Round(time.Millisecond))
	// Warm the plan caches and the buffers.
	for range 3 {
		if _, err := st.AgencyDashboard(ctx, admin, testYear); err != nil {
			b.Fatal(err)
		}
	}
	var agency, opd []time.Duration
	var agencyCPU time.Duration
	cpuOK := true
	b.ResetTimer()
	for b.Loop() {
		s0, b0, ok0 := cpuTime(db)
		t0 := time.Now()
		d, err := st.AgencyDashboard(ctx, admin, testYear)
		agency = append(agency, time.Since(t0))
		s1, b1, ok1 := cpuTime(db)
		cpuOK = cpuOK && ok0 && ok1
		agencyCPU += (s1 - s0) + (b1 - b0)
		if err != nil {
			b.Fatal(err)
		}
		if d.Scored != int64(n) && d.Employees != int64(n) || len(d.Trend) != 3 || d.Achievement == nil {
			b.Fatalf("unexpected dashboard: scored %d of %d, %d trend points", d.Scored, d.Employees, len(d.Trend))
		}
		t0 = time.Now()
		if _, err := st.OPDDashboard(ctx, admin, big, testYear); err != nil {
			b.Fatal(err)
		}
		opd = append(opd, time.Since(t0))
	}
	b.StopTimer()
	pct := func(ds []time.Duration, p float64) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		return float64(s[min(len(s)-1, int(p*float64(len(s))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(agency, 0.50), "agency-p50-ms")
	b.ReportMetric(pct(agency, 0.99), "agency-p99-ms")
	b.ReportMetric(pct(opd, 0.50), "opd-p50-ms")
	b.ReportMetric(pct(opd, 0.99), "opd-p99-ms")
	// The CPU time of this process and its PostgreSQL backends per agency dashboard: what
	// the wall clock would be on an idle machine without parallel query.
	if cpuOK {
		b.ReportMetric(float64((agencyCPU/time.Duration(len(agency))).Microseconds())/1000, "agency-cpu-ms")
	}
}
