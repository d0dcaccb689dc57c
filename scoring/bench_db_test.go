package scoring

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/demo"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/testdb"
)

// Benchmarks of the stored scores on PostgreSQL (see docs/performance.md, "Scoring"):
//
//	go test -run XXX -bench 'Rescore' -benchtime 1x ./scoring                  # 10,000 employees
//	SERTIKA_BENCH_EMPLOYEES=100000 go test -run XXX -bench BulkRescore -benchtime 1x -timeout 1h ./scoring

// benchEmployees is the size of the bulk benchmark's agency.
func benchEmployees(tb testing.TB, def int) int {
	if s := os.Getenv("SERTIKA_BENCH_EMPLOYEES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < demo.MinEmployees || n > maxBenchEmployees {
			tb.Fatalf("SERTIKA_BENCH_EMPLOYEES=%q: want %d…%d", s, demo.MinEmployees, maxBenchEmployees)
		}
		return n
	}
	return def
}

// maxBenchEmployees is the largest agency the benchmarks seed: beyond demo.MaxEmployees,
// seedBench copies the demo's employees.
const maxBenchEmployees = 1_000_000

// seedBench fills a fresh PostgreSQL database with the demo agency of n employees
// (internal/demo) and, set-based, about five development records each — three Sertika
// certificates (5 % of them revoked) and two external records (80 % recognised) ending in
// 2020…2026 — one SKP per employee for 2025 (every fourth numeric, the rest a predikat) and
// a penalty for 3 % of them.
func seedBench(tb testing.TB, n int) *database.DB {
	tb.Helper()
	// The connections carry an application name so that cpuTime can find their backends.
	ctx := context.Background()
	db, err := database.Open(ctx, testdb.URL(tb, database.Postgres)+"&application_name="+benchApp,
		database.Options{Now: func() time.Time { return dbNow }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	// Keep every connection open: cpuTime finds their backends' CPU time by pid, and the work
	// of a backend closed during a measurement would be lost.
	db.SQL.SetMaxIdleConns(50)
	db.SQL.SetConnMaxIdleTime(0)
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	acc, err := account.New(db, account.Options{HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1},
		JWTSecret: []byte("bench-secret-0123456789-abcdefghijklmnop")})
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	if _, err := demo.Seed(ctx, db, acc, directory.New(db), demo.Options{Employees: min(n, demo.MaxEmployees), Seed: 7, NoFacts: true}); err != nil {
		tb.Fatal(err)
	}
	// A larger agency than the demo makes: copies of its employees, the first two digits of
	// the NIP (19 or 20) replaced by the copy's number.
	if extra := n - demo.MaxEmployees; extra > 0 {
		if err := db.Gorm.Exec(`INSERT INTO employees (nip, name, front_title, back_title, status, opd_id, position,
			position_kind, eselon, jf_name, education_level, active, created_at, updated_at)
		SELECT overlay(e.nip placing lpad(k::text, 2, '0') from 1 for 2), e.name, e.front_title, e.back_title, e.status,
			e.opd_id, e.position, e.position_kind, e.eselon, e.jf_name, e.education_level, e.active, e.created_at, e.updated_at
		FROM generate_series(1, ?) k CROSS JOIN employees e
		ORDER BY k, e.id LIMIT ?`, (extra+demo.MaxEmployees-1)/demo.MaxEmployees, extra).Error; err != nil {
			tb.Fatal(err)
		}
	}
	seeded := time.Since(start)
	start = time.Now()
	steps := []string{
		`INSERT INTO signing_keys (kid, public_key, state, valid_from, created_at) VALUES ('bench', 'pk', 'active', now(), now())`,
		`INSERT INTO dev_requests (opd_id, title, kind, classroom, organizer_type, start_date, end_date, jp, state, created_at, updated_at)
		 SELECT (SELECT min(id) FROM opds), 'Kegiatan ' || g, 'teknis', TRUE, 'bkpsdm', DATE '2024-01-01', DATE '2024-01-01', 8,
		        'completed', now(), now()
		 FROM generate_series(1, 1000) g`,
		`INSERT INTO certificates (id, number, year, seq, status_index, request_id, employee_id, nip, holder_name, title, kind,
		   level, start_date, end_date, jp, issued_at, issuer_code, signer_name, kid, token, digest, state, created_at)
		 SELECT 'B' || lpad((e.rn * 3 + k)::text, 9, '0'), 'BENCH/' || (e.rn * 3 + k), 2020 + (e.rn + k) % 7,
		        (e.rn * 3 + k)::int, e.rn * 3 + k, r.first + ((e.rn * 3 + k) % 1000), e.id, e.nip, e.name,
		        'Pelatihan ' || k, (ARRAY['teknis', 'bimtek', 'seminar', 'kepemimpinan', 'workshop', 'e_learning', 'fungsional'])[1 + (e.rn + 2 * k) % 7],
		        CASE WHEN (e.rn + 2 * k) % 7 = 3 THEN (ARRAY['pkp', 'pka', 'pkn2'])[1 + e.rn % 3] ELSE '' END,
		        make_date(2020 + (e.rn + k) % 7, 1 + (e.rn * 7 + k) % 12, 1 + (e.rn + k) % 28),
		        make_date(2020 + (e.rn + k) % 7, 1 + (e.rn * 7 + k) % 12, 1 + (e.rn + k) % 28),
		        4 + (e.rn * 5 + k * 3) % 30, now(), 'BKPSDM', 'Kepala', 'bench', 't', 'd',
		        CASE WHEN (e.rn + k) % 20 = 0 THEN 'revoked' ELSE 'valid' END, now()
		 FROM (SELECT id, nip, name, (row_number() OVER (ORDER BY id))::int AS rn FROM employees) e
		 CROSS JOIN generate_series(0, 2) k
		 CROSS JOIN (SELECT min(id) AS first FROM dev_requests) r`,
		`INSERT INTO external_trainings (employee_id, kind, level, title, jp, start_date, end_date, organizer, certificate_number,
		   status, source, created_at, updated_at)
		 SELECT e.id, (ARRAY['teknis', 'seminar', 'kursus', 'bimtek', 'jarak_jauh'])[1 + (e.rn + k) % 5], '',
		        'Pelatihan luar ' || k, 2 + (e.rn * 3 + k) % 24,
		        make_date(2021 + (e.rn + 3 * k) % 6, 1 + (e.rn + k) % 12, 1 + e.rn % 28),
		        make_date(2021 + (e.rn + 3 * k) % 6, 1 + (e.rn + k) % 12, 1 + e.rn % 28),
		        'Lembaga ' || (e.rn % 50), 'EXT/' || e.rn || '/' || k,
		        CASE WHEN (e.rn + k) % 20 < 16 THEN 'recognised' WHEN (e.rn + k) % 20 < 19 THEN 'submitted' ELSE 'rejected' END,
		        'import', now(), now()
		 FROM (SELECT id, (row_number() OVER (ORDER BY id))::int AS rn FROM employees) e CROSS JOIN generate_series(0, 1) k`,
		`INSERT INTO skp_results (employee_id, year, value, predikat, source, created_at, updated_at)
		 SELECT e.id, 2025, CASE WHEN e.rn % 4 = 0 THEN 60 + (e.rn % 40) END,
		        CASE WHEN e.rn % 4 = 0 THEN '' ELSE (ARRAY['sangat_baik', 'baik', 'baik', 'butuh_perbaikan', 'kurang'])[1 + e.rn % 5] END,
		        'import', now(), now()
		 FROM (SELECT id, (row_number() OVER (ORDER BY id))::int AS rn FROM employees) e`,
		`INSERT INTO disciplinary_penalties (employee_id, level, start_date, source, created_at, updated_at)
		 SELECT e.id, (ARRAY['R', 'S', 'B'])[1 + e.rn % 3], make_date(2019 + e.rn % 8, 1 + e.rn % 12, 1), 'import', now(), now()
		 FROM (SELECT id, (row_number() OVER (ORDER BY id))::int AS rn FROM employees) e WHERE e.rn % 33 = 0`,
		`ANALYZE`,
		// Start the measurements without a checkpoint of the seeding's writes in progress.
		`CHECKPOINT`,
	}
	for _, q := range steps {
		if err := db.Gorm.Exec(q).Error; err != nil {
			tb.Fatalf("%.60s…: %v", q, err)
		}
	}
	var records int64
	db.Gorm.Raw(`SELECT (SELECT COUNT(*) FROM certificates) + (SELECT COUNT(*) FROM external_trainings)`).Scan(&records)
	tb.Logf("seeded %d employees in %v, %d development records and the other facts in %v", n, seeded.Round(time.Millisecond),
		records, time.Since(start).Round(time.Millisecond))
	return db
}

// benchApp is the application name of the benchmarks' database connections.
const benchApp = "sertika-bench"

// cpuTime returns the CPU time (user + system) used so far by this process and by the
// PostgreSQL backends serving the benchmark's connections, when PostgreSQL runs on this
// machine (ok false otherwise). On a shared machine it measures the work done, where the
// wall clock also counts the time other processes held the cores.
func cpuTime(db *database.DB) (self, backends time.Duration, ok bool) {
	self, byPid, ok := cpuTimeByPid(db)
	for _, t := range byPid {
		backends += t
	}
	return self, backends, ok
}

// cpuTimeByPid is cpuTime with the backends' CPU time by pid (see backendCPU).
func cpuTimeByPid(db *database.DB) (self time.Duration, backends map[int]time.Duration, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, nil, false
	}
	self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	var pids []int
	if err := db.Gorm.Raw(`SELECT pid FROM pg_stat_activity WHERE application_name = ?`, benchApp).Scan(&pids).Error; err != nil {
		return self, nil, false
	}
	tick := 10 * time.Millisecond // USER_HZ = 100 on Linux
	backends = map[int]time.Duration{}
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return self, nil, false
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndex(s, ")")+1:])
		if len(f) < 13 {
			return self, nil, false
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		backends[pid] = time.Duration(u+st) * tick
	}
	return self, backends, true
}

// backendCPU returns the CPU time the backends used between two cpuTime readings, and
// false when a backend of the first reading has gone (its last work is lost).
func backendCPU(before, after map[int]time.Duration) (time.Duration, bool) {
	var d time.Duration
	for pid, t := range after {
		d += t - before[pid]
	}
	for pid := range before {
		if _, ok := after[pid]; !ok {
			return d, false
		}
	}
	return d, true
}

// BenchmarkRescoreOneEmployee measures the in-transaction update of one employee's score
// after a certificate is issued (the issuer's hot path): each iteration inserts a
// certificate for another employee in a transaction (not timed), times RescoreEmployees,
// and rolls back. It reports the 50th and 99th percentiles; the budget is p99 ≤ 2 ms.
func BenchmarkRescoreOneEmployee(b *testing.B) {
	db := seedBench(b, benchEmployees(b, 10_000))
	st := NewStore(db, nil)
	ctx := context.Background()
	var ids []int64
	if err := db.Gorm.Raw(`SELECT id FROM employees ORDER BY id`).Scan(&ids).Error; err != nil {
		b.Fatal(err)
	}
	f := &fixture{tb: b, db: db, kid: "bench"}
	fixtureSeq.Store(max(fixtureSeq.Load(), 1_000_000_000)) // clear of the seeded certificates' numbers
	// Warm the connection pool and the plan caches.
	for i := range 50 {
		rescoreInTx(b, st, db, testYear, nil, ids[i])
	}
	durations := make([]time.Duration, 0, b.N)
	// The floor of the machine: a trivial statement's round trip in the same transactions.
	floor := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		emp := ids[(i*7919)%len(ids)]
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			b.StopTimer()
			f.cert(tx, emp, "teknis", "", 20, date(testYear, 2, 2))
			var one int
			t0 := time.Now()
			if err := tx.Raw(`SELECT 1`).Scan(&one).Error; err != nil {
				return err
			}
			floor = append(floor, time.Since(t0))
			b.StartTimer()
			t0 = time.Now()
			err := st.RescoreEmployees(ctx, tx, []int64{emp}, testYear)
			durations = append(durations, time.Since(t0))
			if err != nil {
				return err
			}
			b.StopTimer()
			return errRollback
		})
		b.StartTimer()
		if err != errRollback {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	pct := func(ds []time.Duration, p float64) float64 {
		slices.Sort(ds)
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(durations, 0.50), "p50-ms")
	b.ReportMetric(pct(durations, 0.90), "p90-ms")
	b.ReportMetric(pct(durations, 0.99), "p99-ms")
	b.ReportMetric(pct(floor, 0.50), "select1-p50-ms")
	b.ReportMetric(pct(floor, 0.99), "select1-p99-ms")
}

// The raw fact-aggregation query the bulk rescore is measured against: one statement that
// gathers, for every active employee, the profile and all the facts the rules read for the
// year, aggregated per employee as JSON — what a rescore done in SQL alone would have to
// read — with every row read by the client. Two formulations; the benchmark reports both
// and compares the rescore with the faster.
const (
	// rawGrouped aggregates each fact table once (GROUP BY) and joins the results.
	rawGrouped = `
WITH c AS (
	SELECT employee_id, json_agg(json_build_array(id, number, kind, level, title, jp, start_date, end_date)) AS j
	FROM certificates WHERE state = 'valid' AND end_date <= $1 GROUP BY employee_id),
x AS (
	SELECT employee_id, json_agg(json_build_array(id, certificate_number, kind, level, title, jp, start_date, end_date)) AS j
	FROM external_trainings WHERE status = 'recognised' AND end_date <= $1 GROUP BY employee_id),
k AS (
	SELECT employee_id, json_agg(json_build_array(year, value, predikat)) AS j
	FROM skp_results WHERE year = $2 GROUP BY employee_id),
p AS (
	SELECT employee_id, json_agg(json_build_array(id, level, start_date)) AS j
	FROM disciplinary_penalties WHERE start_date BETWEEN $3 AND $1 GROUP BY employee_id)
SELECT e.id, e.nip, e.status, e.education_level, e.position_kind, e.eselon, e.jf_name, c.j, x.j, k.j, p.j
FROM employees e LEFT JOIN c ON c.employee_id = e.id LEFT JOIN x ON x.employee_id = e.id
	LEFT JOIN k ON k.employee_id = e.id LEFT JOIN p ON p.employee_id = e.id
WHERE e.active
ORDER BY e.id`
	// rawCorrelated aggregates each employee's facts in correlated subqueries (index
	// lookups by employee).
	rawCorrelated = `
SELECT e.id, e.nip, e.status, e.education_level, e.position_kind, e.eselon, e.jf_name,
	(SELECT json_agg(json_build_array(c.id, c.number, c.kind, c.level, c.title, c.jp, c.start_date, c.end_date))
	 FROM certificates c WHERE c.employee_id = e.id AND c.state = 'valid' AND c.end_date <= $1),
	(SELECT json_agg(json_build_array(x.id, x.certificate_number, x.kind, x.level, x.title, x.jp, x.start_date, x.end_date))
	 FROM external_trainings x WHERE x.employee_id = e.id AND x.status = 'recognised' AND x.end_date <= $1),
	(SELECT json_agg(json_build_array(k.year, k.value, k.predikat)) FROM skp_results k WHERE k.employee_id = e.id AND k.year = $2),
	(SELECT json_agg(json_build_array(p.id, p.level, p.start_date)) FROM disciplinary_penalties p
	 WHERE p.employee_id = e.id AND p.start_date BETWEEN $3 AND $1)
FROM employees e
WHERE e.active
ORDER BY e.id`
)

// runRawAggregation runs a raw aggregation query and reads every row; it returns the rows
// read.
func runRawAggregation(tb testing.TB, db *database.DB, query string) int {
	tb.Helper()
	rows, err := db.SQL.QueryContext(context.Background(), query,
		fmt.Sprintf("%d-12-31", testYear), testYear-1, fmt.Sprintf("%d-01-01", testYear-4))
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	n := 0
	var (
		id               int64
		a, b, c, d, e, f string
		j1, j2, j3, j4   []byte
	)
	for rows.Next() {
		if err := rows.Scan(&id, &a, &b, &c, &d, &e, &f, &j1, &j2, &j3, &j4); err != nil {
			tb.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return n
}

// BenchmarkBulkRescore compares, on one database in one run, the raw fact-aggregation query
// with the bulk rescore: a full rescore (every score written), a re-run (nothing changed)
// and a rescore after 1 % of the employees got a changed certificate. Each is run rounds
// times (SERTIKA_BENCH_ROUNDS, default 3), raw query and rescores interleaved, and the
// medians are reported, so that a burst of load on a shared machine does not decide the
// ratio. The budget is a full rescore within 2× the raw query.
func BenchmarkBulkRescore(b *testing.B) {
	n := benchEmployees(b, 10_000)
	rounds := 3
	if s := os.Getenv("SERTIKA_BENCH_ROUNDS"); s != "" {
		rounds, _ = strconv.Atoi(s)
		rounds = max(rounds, 1)
	}
	db := seedBench(b, n)
	st := NewStore(db, nil)
	ctx := context.Background()
	// As `sertika rescore` does.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	median := func(ds []time.Duration) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[len(s)/2]
	}
	// timed returns the wall time of fn and adds the CPU time it took (this process and
	// the database backends) to *cpu.
	cpuOK := true
	var goCPU, pgCPU = map[*time.Duration]time.Duration{}, map[*time.Duration]time.Duration{}
	timed := func(cpu *time.Duration, fn func()) time.Duration {
		s0, b0, ok0 := cpuTimeByPid(db)
		t0 := time.Now()
		fn()
		wall := time.Since(t0)
		s1, b1, ok1 := cpuTimeByPid(db)
		pg, ok2 := backendCPU(b0, b1)
		if !ok2 {
			b.Logf("DEBUG backends before %v after %v", b0, b1)
		}
		cpuOK = cpuOK && ok0 && ok1 && ok2
		if cpu != nil {
			*cpu += (s1 - s0) + pg
			goCPU[cpu] += s1 - s0
			pgCPU[cpu] += pg
		}
		return wall
	}
	chunk, _ := strconv.Atoi(os.Getenv("SERTIKA_BENCH_CHUNK")) // 0: the default
	rescore := func(want func(RescoreResult) bool) {
		res, err := st.RescoreAll(ctx, RescoreOptions{Year: testYear, ChunkSize: chunk})
		if err != nil {
			b.Fatal(err)
		}
		if !want(res) {
			b.Fatalf("unexpected rescore result %+v", res)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		correlated := timed(nil, func() { runRawAggregation(b, db, rawCorrelated) }) // once: it is far slower
		var raw, full, rerun, partial []time.Duration
		var rawCPU, fullCPU, rerunCPU time.Duration
		var walBytes []float64 // WAL written by the whole server during each full rescore
		for r := range rounds {
			if err := db.Gorm.Exec(`DELETE FROM scores`).Error; err != nil {
				b.Fatal(err)
			}
			db.Gorm.Exec(`VACUUM ANALYZE scores`)
			b.StartTimer()
			raw = append(raw, timed(&rawCPU, func() {
				if rows := runRawAggregation(b, db, rawGrouped); rows != n {
					b.Fatalf("raw query read %d rows, want %d", rows, n)
				}
			}))
			var lsn string
			db.Gorm.Raw(`SELECT CAST(pg_current_wal_lsn() AS TEXT)`).Scan(&lsn)
			full = append(full, timed(&fullCPU, func() { rescore(func(r RescoreResult) bool { return r.Written == n }) }))
			var wal float64
			db.Gorm.Raw(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), CAST(? AS pg_lsn))`, lsn).Scan(&wal)
			walBytes = append(walBytes, wal)
			raw = append(raw, timed(&rawCPU, func() { runRawAggregation(b, db, rawGrouped) }))
			rerun = append(rerun, timed(&rerunCPU, func() { rescore(func(r RescoreResult) bool { return r.Written == 0 && r.Unchanged == n }) }))
			b.StopTimer()
			if err := db.Gorm.Exec(`UPDATE certificates SET jp = jp + 1 WHERE employee_id % 100 = ? AND state = 'valid'
				AND end_date >= '2026-01-01'`, r).Error; err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			partial = append(partial, timed(nil, func() { rescore(func(r RescoreResult) bool { return r.Written > 0 && r.Written < n/50 }) }))
		}
		b.StopTimer()
		mRaw, mFull, mRerun, mPartial := median(raw), median(full), median(rerun), median(partial)
		b.ReportMetric(mRaw.Seconds(), "raw-s")
		b.ReportMetric(correlated.Seconds(), "raw-correlated-s")
		b.ReportMetric(mFull.Seconds(), "rescore-s")
		b.ReportMetric(mFull.Seconds()/mRaw.Seconds(), "rescore/raw")
		b.ReportMetric(mRerun.Seconds(), "rerun-s")
		b.ReportMetric(mRerun.Seconds()/mRaw.Seconds(), "rerun/raw")
		b.ReportMetric(mPartial.Seconds(), "1%-changed-s")
		b.Logf("%d employees, medians of %d rounds: raw aggregation %v (grouped; correlated %v once); full rescore %v = %.2f× raw; "+
			"re-run %v = %.2f×; 1%% changed %v", n, rounds, mRaw.Round(time.Millisecond), correlated.Round(time.Millisecond),
			mFull.Round(time.Millisecond), mFull.Seconds()/mRaw.Seconds(), mRerun.Round(time.Millisecond),
			mRerun.Seconds()/mRaw.Seconds(), mPartial.Round(time.Millisecond))
		if cpuOK {
			perRaw := rawCPU / time.Duration(len(raw))
			perFull, perRerun := fullCPU/time.Duration(rounds), rerunCPU/time.Duration(rounds)
			b.ReportMetric(perRaw.Seconds(), "raw-cpu-s")
			b.ReportMetric(perFull.Seconds(), "rescore-cpu-s")
			b.ReportMetric(perRerun.Seconds(), "rerun-cpu-s")
			b.Logf("CPU time (this process + its PostgreSQL backends), mean per run: raw %v, full rescore %v (%.2f×), re-run %v (%.2f×)",
				perRaw.Round(time.Millisecond), perFull.Round(time.Millisecond), perFull.Seconds()/perRaw.Seconds(),
				perRerun.Round(time.Millisecond), perRerun.Seconds()/perRaw.Seconds())
			split := func(d *time.Duration, runs int) string {
				return fmt.Sprintf("Go %v + PostgreSQL %v", (goCPU[d] / time.Duration(runs)).Round(time.Millisecond),
					(pgCPU[d] / time.Duration(runs)).Round(time.Millisecond))
			}
			b.Logf("CPU split: raw %s; full rescore %s; re-run %s", split(&rawCPU, len(raw)), split(&fullCPU, rounds), split(&rerunCPU, rounds))
		}
		b.Logf("WAL written by the server during each full rescore: %.0f MB", func() []float64 {
			mb := make([]float64, len(walBytes))
			for i, w := range walBytes {
				mb[i] = w / 1e6
			}
			return mb
		}())
		b.Logf("raw %v", raw)
		b.Logf("full %v", full)
		b.Logf("re-run %v", rerun)
		b.StartTimer()
	}
}
