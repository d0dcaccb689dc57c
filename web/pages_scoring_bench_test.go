package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

// BenchmarkScorePages measures the IP ASN pages of a large agency with stored scores, on
// each database (see docs/performance.md, "IP ASN dashboards"). It seeds, set-based,
// SERTIKA_BENCH_EMPLOYEES employees (default 50,000) over 40 more OPDs with a stored score
// for this year and last year each, so it only runs when asked:
//
//	SERTIKA_BENCH_SCORE_PAGES=1 go test -run XXX -bench ScorePages -benchtime 20x ./web
//
// Sub-benchmarks: skor (GET /skor as the admin: the agency dashboard, the figure with the
// 200 ms budget), opd (GET /skor/opd/{code}: one OPD with its first page of employees),
// beranda (GET /, which carries the IP ASN card) and ekspor (GET /skor/ekspor.xlsx, every
// employee; run it with -benchtime 1x).
func BenchmarkScorePages(b *testing.B) {
	if os.Getenv("SERTIKA_BENCH_SCORE_PAGES") == "" {
		b.Skip("set SERTIKA_BENCH_SCORE_PAGES=1 to seed a large agency and measure the IP ASN pages")
	}
	n := 50_000
	if v := os.Getenv("SERTIKA_BENCH_EMPLOYEES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 1_000_000 {
			b.Fatalf("SERTIKA_BENCH_EMPLOYEES=%q", v)
		}
	}
	for _, dialect := range testdb.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			ts := newTestServer(b, testdb.New(b, dialect))
			year := ts.srv.Scoring.CurrentYear()
			start := time.Now()
			spSeedLarge(b, ts, n, year)
			b.Logf("%s: seeded %d employees with scores for %d and %d in %v", dialect, n, year-1, year, time.Since(start).Round(time.Millisecond))
			if err := ts.srv.Scoring.SetTarget(context.Background(), ts.rpActor(testUsers[domain.RoleAdmin]), year, 75); err != nil {
				b.Fatal(err)
			}
			admin := ts.login(testUsers[domain.RoleAdmin])
			get := func(b *testing.B, path string, size *int) {
				req := httptest.NewRequest("GET", path, nil)
				for k, v := range admin.cookies {
					req.AddCookie(&http.Cookie{Name: k, Value: v})
				}
				req.Header.Set("Accept", "text/html")
				resp, err := ts.srv.App.Test(req, -1)
				if err != nil {
					b.Fatal(err)
				}
				if resp.StatusCode != 200 {
					b.Fatalf("GET %s: %d", path, resp.StatusCode)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					b.Fatal(err)
				}
				*size = len(body)
			}
			// The service alone, for comparison with the page.
			t0 := time.Now()
			d, err := ts.srv.Scoring.AgencyDashboard(context.Background(), ts.rpActor(testUsers[domain.RoleAdmin]), year)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("AgencyDashboard alone: %v (%d employees measured, %d OPDs)", time.Since(t0).Round(time.Microsecond), d.Summary.Count, len(d.OPDs))
			for _, c := range []struct{ name, path string }{
				{"skor", "/skor"}, {"opd", "/skor/opd/" + spBenchOPD(1)}, {"beranda", "/"}, {"ekspor", "/skor/ekspor.xlsx"},
			} {
				b.Run(c.name, func(b *testing.B) {
					var size int
					get(b, c.path, &size) // warm up (template and plan caches)
					b.ResetTimer()
					for b.Loop() {
						get(b, c.path, &size)
					}
					b.ReportMetric(float64(size)/1024, "KiB/page")
				})
			}
		})
	}
}

// spBenchOPD is the code of the i-th seeded OPD.
func spBenchOPD(i int) string { return fmt.Sprintf("OPD%02d", i) }

// spSeedLarge adds 40 OPDs and n active employees spread over them (with kinds of
// position, education levels and a tenth PPPK), and stores a score for each for year and
// year-1 — set-based, one statement per table and year, in SQL both databases speak. The
// scores vary with the id so that every category, breakdown and list has members.
func spSeedLarge(tb testing.TB, ts *testServer, n, year int) {
	tb.Helper()
	g := ts.db.Gorm
	now := ts.db.Now()
	for i := 1; i <= 40; i++ {
		if err := g.Exec(`INSERT INTO opds (code, name, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			spBenchOPD(i), fmt.Sprintf("Organisasi Perangkat Daerah %02d", i), true, now, now).Error; err != nil {
			tb.Fatal(err)
		}
	}
	steps := []struct {
		q    string
		args []any
	}{
		{`WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?),
			o AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM opds WHERE code LIKE 'OPD%')
		INSERT INTO employees (nip, name, status, opd_id, position, position_kind, eselon, jf_name, education_level, active, created_at, updated_at)
		SELECT CAST(198001012005000000 + seq.n AS TEXT), 'Pegawai ' || CAST(seq.n AS TEXT),
			CASE WHEN seq.n % 10 = 0 THEN 'PPPK' ELSE 'PNS' END, o.id, 'Jabatan ' || CAST(seq.n % 97 AS TEXT),
			CASE seq.n % 3 WHEN 0 THEN 'struktural' WHEN 1 THEN 'fungsional' ELSE 'pelaksana' END, '', '',
			CASE seq.n % 6 WHEN 0 THEN '15' WHEN 1 THEN '30' WHEN 2 THEN '35' WHEN 3 THEN '40' WHEN 4 THEN '45' ELSE '50' END,
			?, ?, ?
		FROM seq JOIN o ON o.k = seq.n % 40`, []any{n, true, now, now}},
	}
	for _, y := range []int{year - 1, year} {
		steps = append(steps, struct {
			q    string
			args []any
		}{`INSERT INTO scores (employee_id, year, rule_set, rule_set_version, measured, kualifikasi, kompetensi, kinerja, disiplin,
			total, category, jp_year, jp_duty, incomplete, facts_hash, explanation, computed_at)
		SELECT id, ?, ?, ?, status = 'PNS', k1, k2, k3, k4, k1 + k2 + k3 + k4,
			CASE WHEN k1 + k2 + k3 + k4 > 90 THEN 'sangat_tinggi' WHEN k1 + k2 + k3 + k4 > 80 THEN 'tinggi'
			     WHEN k1 + k2 + k3 + k4 > 70 THEN 'sedang' WHEN k1 + k2 + k3 + k4 > 60 THEN 'rendah' ELSE 'sangat_rendah' END,
			jp, CASE WHEN status = 'PNS' THEN 20 ELSE 24 END, CASE WHEN id % 7 = 0 THEN 'SKP tidak ada' ELSE '' END, 'bench', '{}', ?
		FROM (SELECT e.id, e.status,
			CASE e.education_level WHEN '15' THEN 5 WHEN '30' THEN 10 WHEN '35' THEN 15 WHEN '40' THEN 15 WHEN '45' THEN 20 ELSE 25 END AS k1,
			CAST((e.id + ?) % 5 AS REAL) * 7.5 + 10 AS k2,
			CASE (e.id + ?) % 4 WHEN 0 THEN 30 WHEN 1 THEN 25 WHEN 2 THEN 15 ELSE 0 END AS k3,
			CASE WHEN e.id % 23 = 0 THEN 3 ELSE 5 END AS k4,
			(e.id * 7 + ?) % 41 AS jp
			FROM employees e JOIN opds o ON o.id = e.opd_id WHERE o.code LIKE 'OPD%') x`,
			[]any{y, ts.srv.Scoring.RuleSet().ID, ts.srv.Scoring.RuleSet().Version, now, y, y, y}})
	}
	for _, s := range steps {
		if err := g.Exec(s.q, s.args...).Error; err != nil {
			tb.Fatalf("seed: %v", err)
		}
	}
	// Fresh statistics, as a production database would have.
	if err := g.Exec(`ANALYZE`).Error; err != nil {
		tb.Fatal(err)
	}
}
