package scoring

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
)

// Fact source prefixes: the ids a Score's explanation cites. A certificate issued by
// Sertika is "sertifikat:<certificate id>", an external record "eksternal:<id>" and a
// disciplinary penalty "hukdis:<id>"; an SKP is cited as "skp:<year>" by Compute.
const (
	SourceCertificate = "sertifikat:"
	SourceExternal    = "eksternal:"
	SourcePenalty     = "hukdis:"
)

// employeeFacts is one employee being scored: the facts gathered from the database and the
// stored score's facts hash ("" when there is none).
type employeeFacts struct {
	id       int64
	oldHash  string
	hasScore bool
	profile  bool // the employee's own row was read (targetedQuery)
	facts    Facts
}

// employeeColumns is what loadEmployees' queries select: the profile facts and the stored
// score's hash for the measurement year (the first bound parameter).
//
// The hash is a scalar subquery rather than a join: whatever plan PostgreSQL caches for the
// prepared statement, it stays one primary-key lookup per employee of the chunk, never a
// scan of all the year's scores.
const employeeColumns = `SELECT e.id, e.nip, e.status, e.education_level, e.position_kind, e.eselon, e.jf_name,
	(SELECT s.facts_hash FROM scores s WHERE s.employee_id = e.id AND s.year = ?)
	FROM employees e`

// rowScanner is a result being read: *sql.Rows, or pgx.Rows on the bulk rescore's own
// PostgreSQL connection.
type rowScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// querier runs a query written with ? placeholders and returns its rows and a function
// that closes them.
type querier func(ctx context.Context, q string, args ...any) (rowScanner, func(), error)

// gormQuerier runs queries through GORM (which also expands slices for IN ?).
func gormQuerier(g *gorm.DB) querier {
	return func(ctx context.Context, q string, args ...any) (rowScanner, func(), error) {
		rows, err := g.WithContext(ctx).Raw(q, args...).Rows()
		if err != nil {
			return nil, nil, err
		}
		return rows, func() { rows.Close() }, nil
	}
}

// pgxQuerier runs queries natively on a pgx connection: the bulk rescore reads hundreds of
// thousands of rows, and decoding them straight into Go values costs about half of what
// database/sql's generic conversions do. The queries take no slices.
//
// Each query is planned afresh (QueryExecModeExec), for its arguments and the tables as
// they are now: the scores table grows from nothing to every employee during a first run,
// and a plan cached while it was empty (a sequential scan of scores for each employee)
// would make the run quadratic. Planning costs a millisecond per chunk.
func pgxQuerier(c *pgx.Conn) querier {
	return func(ctx context.Context, q string, args ...any) (rowScanner, func(), error) {
		rows, err := c.Query(ctx, dollarPlaceholders(q), append([]any{pgx.QueryExecModeExec}, args...)...)
		if err != nil {
			return nil, nil, err
		}
		return rows, rows.Close, nil
	}
}

// dollarPlaceholders numbers the ? placeholders of q for PostgreSQL ($1, $2, …). The
// package's queries have no ? inside literals.
func dollarPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// loadEmployees runs an employee query (employeeColumns followed by a condition) and
// returns the employees in the order of the query, each with the measurement year set.
func loadEmployees(ctx context.Context, query querier, year int, q string, args ...any) ([]*employeeFacts, error) {
	rows, closeRows, err := query(ctx, q, append([]any{year}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("load employees: %w", err)
	}
	defer closeRows()
	var out []*employeeFacts
	for rows.Next() {
		e := &employeeFacts{}
		var hash sql.NullString
		f := &e.facts
		if err := rows.Scan(&e.id, &f.NIP, &f.Status, &f.EducationLevel, &f.PositionKind, &f.Eselon, &f.JFName, &hash); err != nil {
			return nil, fmt.Errorf("load employees: %w", err)
		}
		f.Year = year
		e.oldHash, e.hasScore = hash.String, hash.Valid
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load employees: %w", err)
	}
	return out, nil
}

// factsQuery returns one statement that reads every fact of the employees matched by cond
// (a condition on a column named employee_id, with its arguments) that can matter for
// measurement year y under rs: live Sertika certificates and recognised external records
// that ended by the end of the window, the SKP of the appraisal year, and penalties that
// started in the disciplinary window. Rows come tagged by kind ('c', 'x', 's', 'h').
//
// The four parts go through one UNION ALL so that the issuer's in-transaction update costs
// one round trip for all the facts, and the bulk rescore one statement per chunk.
func factsQuery(rs *RuleSet, y int, cond string, condArgs []any) (string, []any) {
	endBy := domain.NewDate(y+maxWindowTo(rs), time.December, 31)
	skpYear := y + *rs.Kinerja.SKPYearOffset
	w := rs.Disiplin.Window
	penFrom := domain.NewDate(y+*w.From, time.January, 1)
	penTo := domain.NewDate(y+*w.To, time.December, 31)
	q := `SELECT 'c' AS t, employee_id, id AS src, number AS num, kind, level, title, jp,
		start_date AS d1, end_date AS d2, CAST(NULL AS NUMERIC) AS v, '' AS p, CAST(NULL AS TEXT) AS h
	FROM certificates WHERE ` + cond + ` AND state = 'valid' AND end_date <= ?
	UNION ALL
	SELECT 'x', employee_id, CAST(id AS TEXT), certificate_number, kind, level, title, jp,
		start_date, end_date, CAST(NULL AS NUMERIC), '', CAST(NULL AS TEXT)
	FROM external_trainings WHERE ` + cond + ` AND status = 'recognised' AND end_date <= ?
	UNION ALL
	SELECT 's', employee_id, CAST(id AS TEXT), '', '', '', '', year,
		CAST(NULL AS DATE), CAST(NULL AS DATE), value, predikat, CAST(NULL AS TEXT)
	FROM skp_results WHERE ` + cond + ` AND year = ?
	UNION ALL
	SELECT 'h', employee_id, CAST(id AS TEXT), decree_number, level, '', kind, 0,
		start_date, CAST(NULL AS DATE), CAST(NULL AS NUMERIC), '', CAST(NULL AS TEXT)
	FROM disciplinary_penalties WHERE ` + cond + ` AND start_date >= ? AND start_date <= ?`
	var args []any
	args = append(append(args, condArgs...), endBy)
	args = append(append(args, condArgs...), endBy)
	args = append(append(args, condArgs...), skpYear)
	args = append(append(args, condArgs...), penFrom, penTo)
	return q, args
}

// maxWindowTo is the latest end of the kompetensi windows relative to the measurement
// year (0 for the embedded rule sets). Development of the measurement year always counts
// towards JPThisYear, so it is never below 0.
func maxWindowTo(rs *RuleSet) int {
	m := 0
	for _, w := range []Window{rs.Kompetensi.Windows.A, rs.Kompetensi.Windows.B, rs.Kompetensi.Windows.C, rs.Kompetensi.Windows.D} {
		if w.To != nil && *w.To > m {
			m = *w.To
		}
	}
	return m
}

// loadFacts reads the facts of the employees matched by cond into byID (employees not in
// byID, such as inactive ones in a bulk chunk's id range, are skipped). Activities that
// cannot change the score of the measurement year are left out, so that editing an old
// seminar does not rewrite this year's score (see relevant).
func loadFacts(ctx context.Context, query querier, rs *RuleSet, y int, byID map[int64]*employeeFacts, cond string, condArgs ...any) error {
	q, args := factsQuery(rs, y, cond, condArgs)
	rows, closeRows, err := query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("load facts: %w", err)
	}
	defer closeRows()
	return scanFacts(rows, rs, y, func(id int64) *employeeFacts { return byID[id] })
}

// targetedQuery reads the employees with the ids — profile and stored score hash, tagged
// 'e' — and their facts (factsQuery) in one statement: the issuer's update then costs one
// round trip for everything it reads.
func targetedQuery(rs *RuleSet, y int, ids []int64) (string, []any) {
	fq, fargs := factsQuery(rs, y, `employee_id IN ?`, []any{ids})
	q := `SELECT 'e' AS t, e.id AS employee_id, e.nip AS src, e.status AS num, e.education_level AS kind,
		e.position_kind AS level, e.eselon AS title, 0 AS jp, CAST(NULL AS DATE) AS d1, CAST(NULL AS DATE) AS d2,
		CAST(NULL AS NUMERIC) AS v, e.jf_name AS p, s.facts_hash AS h
	FROM employees e LEFT JOIN scores s ON s.employee_id = e.id AND s.year = ?
	WHERE e.id IN ?
	UNION ALL ` + fq
	return q, append([]any{y, ids}, fargs...)
}

// loadTargeted reads the employees with the ids and their facts for year y (targetedQuery)
// and returns them in id order; unknown ids are left out.
func loadTargeted(ctx context.Context, g *gorm.DB, rs *RuleSet, y int, ids []int64) ([]*employeeFacts, error) {
	q, args := targetedQuery(rs, y, ids)
	rows, err := g.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("load facts: %w", err)
	}
	defer rows.Close()
	// Rows of one employee may come in any order: collect them all, keep those with a
	// profile row.
	all := map[int64]*employeeFacts{}
	get := func(id int64) *employeeFacts {
		e := all[id]
		if e == nil {
			e = &employeeFacts{id: id}
			e.facts.Year = y
			all[id] = e
		}
		return e
	}
	if err := scanFacts(rows, rs, y, get); err != nil {
		return nil, err
	}
	out := make([]*employeeFacts, 0, len(all))
	for _, e := range all {
		if e.profile {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *employeeFacts) int { return cmp.Compare(a.id, b.id) })
	return out, nil
}

// scanFacts reads tagged fact rows (factsQuery, targetedQuery) into the employees get
// returns (nil: skip the row).
func scanFacts(rows rowScanner, rs *RuleSet, y int, get func(id int64) *employeeFacts) error {
	var (
		tag, src, num, kind, level, title, pred string
		eid                                     int64
		jp                                      int
		d1, d2                                  factDate
		v                                       sql.NullFloat64
		h                                       sql.NullString
	)
	for rows.Next() {
		if err := rows.Scan(&tag, &eid, &src, &num, &kind, &level, &title, &jp, &d1, &d2, &v, &pred, &h); err != nil {
			return fmt.Errorf("load facts: %w", err)
		}
		e := get(eid)
		if e == nil {
			continue
		}
		f := &e.facts
		switch tag {
		case "e":
			f.NIP, f.Status, f.EducationLevel, f.PositionKind, f.Eselon, f.JFName = src, num, kind, level, title, pred
			e.oldHash, e.hasScore, e.profile = h.String, h.Valid, true
		case "c", "x":
			prefix := SourceCertificate
			if tag == "x" {
				prefix = SourceExternal
			}
			a := Activity{Source: prefix + src, Number: num, Kind: kind, Level: level, JP: jp, Start: d1.Date, End: d2.Date, Title: title}
			if relevant(rs, y, a) {
				f.Development = append(f.Development, a)
			}
		case "s":
			s := SKP{Year: jp, Predikat: pred}
			if v.Valid {
				x := v.Float64
				s.Value = &x
			}
			f.SKP = append(f.SKP, s)
		case "h":
			f.Penalties = append(f.Penalties, Penalty{Source: SourcePenalty + src, Level: kind, Start: d1.Date})
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load facts: %w", err)
	}
	return nil
}

// relevant reports whether an activity can change the score of year y: it ended in y
// (JPThisYear), its kind is unknown (flagged as incomplete), or it lies in the window of
// the indicator its kind feeds. Leaving the others out changes no number and no line of
// the Score, only its facts hash.
func relevant(rs *RuleSet, y int, a Activity) bool {
	d := a.date()
	if d.IsZero() || d.Year() == y {
		return true
	}
	ind, ok := rs.Kompetensi.Kinds[a.Kind]
	if !ok {
		return true
	}
	var w Window
	switch ind {
	case IndicatorA:
		w = rs.Kompetensi.Windows.A
	case IndicatorB:
		w = rs.Kompetensi.Windows.B
	case IndicatorC:
		w = rs.Kompetensi.Windows.C
	case IndicatorD:
		w = rs.Kompetensi.Windows.D
	default:
		return true
	}
	return inWindow(w, y, d)
}

// factDate receives a date from database/sql (either database) or natively from pgx
// (pgtype.DateScanner), which spares the bulk reader a conversion through time.Time.
type factDate struct{ domain.Date }

// Scan implements sql.Scanner.
func (d *factDate) Scan(v any) error { return d.Date.Scan(v) }

// ScanDate implements pgtype.DateScanner.
func (d *factDate) ScanDate(v pgtype.Date) error {
	if !v.Valid {
		d.Date = domain.Date{}
		return nil
	}
	d.Date = domain.NewDate(v.Time.Year(), v.Time.Month(), v.Time.Day())
	return nil
}

// lockEmployees serialises the transactions that rescore the same employees: each takes a
// transaction-scoped advisory lock per employee, in id order, before it reads their facts,
// so the second one waits for the first to commit and then reads the first one's facts
// too. An advisory lock lives in memory: unlike a row lock it writes nothing to the
// employee's row (no WAL, no dirty page), and it does not conflict with the key-share lock
// a foreign-key check takes, so issuance and rescoring cannot deadlock over it. Every
// writer of facts rescores, so every writer takes it. SQLite has one writer at a time and
// needs nothing.
func lockEmployees(ctx context.Context, tx *gorm.DB, dialect string, ids []int64) error {
	if dialect != database.Postgres || len(ids) == 0 {
		return nil
	}
	g := tx.WithContext(ctx)
	if len(ids) == 1 {
		return g.Exec(`SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))`, lockNamespace+ids[0]).Error
	}
	// A volatile function in a select list is evaluated after ORDER BY: the locks are
	// taken in id order, so two transactions locking overlapping sets cannot deadlock.
	return g.Exec(`SELECT pg_advisory_xact_lock(CAST(? AS BIGINT) + id) FROM employees WHERE id IN ? ORDER BY id`,
		lockNamespace, ids).Error
}

// lockNamespace offsets the advisory lock keys of employees (employee id + lockNamespace)
// from any other use of advisory locks in the database: "SC" in the top bytes.
const lockNamespace int64 = 0x5343 << 48
