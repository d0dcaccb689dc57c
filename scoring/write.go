package scoring

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/database"
)

// scoreRow is one row of the scores table, with the facts hash the row had when its facts
// were read (oldHash; "" when there was no row).
type scoreRow struct {
	employeeID     int64
	ruleSet        string
	ruleSetVersion string
	measured       bool
	dims           [5]float64 // kualifikasi, kompetensi, kinerja, disiplin, total
	category       string
	jpYear, jpDuty int
	incomplete     string
	factsHash      string
	explanation    string
	oldHash        string
}

// newScoreRow computes the employee's score and renders it as a row.
func newScoreRow(rs *RuleSet, e *employeeFacts, hash string) (scoreRow, error) {
	s := Compute(rs, e.facts)
	js, err := json.Marshal(s)
	if err != nil {
		return scoreRow{}, fmt.Errorf("encode score of employee %d: %w", e.id, err)
	}
	return scoreRow{
		employeeID: e.id, ruleSet: s.RuleSet, ruleSetVersion: s.RuleSetVersion, measured: s.Measured,
		dims:     [5]float64{s.Kualifikasi, s.Kompetensi, s.Kinerja, s.Disiplin, s.Total},
		category: string(s.Category), jpYear: s.JPThisYear, jpDuty: s.JPDuty,
		incomplete: strings.Join(s.Incomplete, "\n"), factsHash: hash, explanation: string(js),
		oldHash: e.oldHash,
	}, nil
}

// The columns written, in the order of the row sources below.
const (
	scoreColumns = "employee_id, year, rule_set, rule_set_version, measured, kualifikasi, kompetensi, kinerja, " +
		"disiplin, total, category, jp_year, jp_duty, incomplete, facts_hash, explanation, computed_at"
	scoreSet = "rule_set = %[1]s.rule_set, rule_set_version = %[1]s.rule_set_version, measured = %[1]s.measured, " +
		"kualifikasi = %[1]s.kualifikasi, kompetensi = %[1]s.kompetensi, kinerja = %[1]s.kinerja, " +
		"disiplin = %[1]s.disiplin, total = %[1]s.total, category = %[1]s.category, jp_year = %[1]s.jp_year, " +
		"jp_duty = %[1]s.jp_duty, incomplete = %[1]s.incomplete, facts_hash = %[1]s.facts_hash, " +
		"explanation = %[1]s.explanation, computed_at = %[1]s.computed_at"
)

// rowSource returns a SELECT that yields the rows as a relation with the columns of
// scoreColumns plus old_hash, and its arguments, for the statement's placeholders style:
// PostgreSQL gets one array per column through unnest (a fixed number of parameters for
// any number of rows, sent in binary), SQLite one JSON document read with json_each (the
// pure-Go driver's cost grows with the square of the bound parameters).
func rowSource(dialect string, year int, at time.Time, rows []scoreRow) (string, []any, error) {
	if dialect == database.Postgres {
		n := len(rows)
		ids := make([]int64, n)
		rsIDs, rsVers, cats, inc, hashes, expl, old := make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		measured := make([]bool, n)
		var dims [5][]float64
		for i := range dims {
			dims[i] = make([]float64, n)
		}
		jpY, jpD := make([]int64, n), make([]int64, n)
		for i, r := range rows {
			ids[i], rsIDs[i], rsVers[i], measured[i] = r.employeeID, r.ruleSet, r.ruleSetVersion, r.measured
			for j := range dims {
				dims[j][i] = r.dims[j]
			}
			cats[i], jpY[i], jpD[i], inc[i], hashes[i], expl[i], old[i] = r.category, int64(r.jpYear), int64(r.jpDuty),
				r.incomplete, r.factsHash, r.explanation, r.oldHash
		}
		q := `SELECT v.employee_id, CAST($1 AS INTEGER) AS year, v.rule_set, v.rule_set_version, v.measured,
			v.kualifikasi, v.kompetensi, v.kinerja, v.disiplin, v.total, v.category, v.jp_year, v.jp_duty,
			v.incomplete, v.facts_hash, v.explanation, CAST($2 AS TIMESTAMPTZ) AS computed_at, v.old_hash
		FROM unnest($3::bigint[], $4::text[], $5::text[], $6::boolean[], $7::numeric[], $8::numeric[],
			$9::numeric[], $10::numeric[], $11::numeric[], $12::text[], $13::integer[], $14::integer[],
			$15::text[], $16::text[], $17::text[], $18::text[])
		AS v(employee_id, rule_set, rule_set_version, measured, kualifikasi, kompetensi, kinerja, disiplin,
			total, category, jp_year, jp_duty, incomplete, facts_hash, explanation, old_hash)`
		return q, []any{year, at, ids, rsIDs, rsVers, measured, dims[0], dims[1], dims[2], dims[3], dims[4],
			cats, jpY, jpD, inc, hashes, expl, old}, nil
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		m := 0
		if r.measured {
			m = 1
		}
		fmt.Fprintf(&b, "[%d,%s,%s,%d", r.employeeID, jsonString(r.ruleSet), jsonString(r.ruleSetVersion), m)
		for _, d := range r.dims {
			b.WriteByte(',')
			b.WriteString(strconv.FormatFloat(d, 'f', -1, 64))
		}
		fmt.Fprintf(&b, ",%s,%d,%d,%s,%s,%s,%s]", jsonString(r.category), r.jpYear, r.jpDuty, jsonString(r.incomplete),
			jsonString(r.factsHash), jsonString(r.explanation), jsonString(r.oldHash))
	}
	b.WriteByte(']')
	var cols strings.Builder
	for i, name := range []string{"employee_id", "rule_set", "rule_set_version", "measured", "kualifikasi",
		"kompetensi", "kinerja", "disiplin", "total", "category", "jp_year", "jp_duty", "incomplete",
		"facts_hash", "explanation", "old_hash"} {
		fmt.Fprintf(&cols, ", json_extract(j.value, '$[%d]') AS %s", i, name)
	}
	q := `SELECT CAST(? AS INTEGER) AS year, ? AS computed_at` + cols.String() + ` FROM json_each(?) AS j`
	return q, []any{year, at, b.String()}, nil
}

func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always encodes
	return string(b)
}

// Write modes.
const (
	// writeUpsert inserts or replaces: for a caller that holds the employees' row locks,
	// whose facts are therefore the latest.
	writeUpsert = iota
	// writeIfUnchanged inserts rows that still do not exist and updates rows whose facts
	// hash is still the one read: for the bulk rescore, which takes no locks, so that it
	// never overwrites a score that a concurrent transaction (an issuance, an import)
	// wrote from newer facts in the meantime.
	writeIfUnchanged
)

// execer is a connection, a pool or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// conn returns what a GORM handle (a transaction, or the pool) executes statements on.
func conn(g *gorm.DB) execer { return g.Statement.ConnPool }

// writeRows writes score rows for the year with one or two statements on ex and returns
// how many rows were written. The statements go straight to the connection: the PostgreSQL
// ones take arrays, which GORM would expand into lists.
func writeRows(ctx context.Context, ex execer, dialect string, mode int, year int, at time.Time, rows []scoreRow) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	exec := func(q string, args []any) (int64, error) {
		res, err := ex.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	}
	src := func(subset []scoreRow) (string, []any, error) { return rowSource(dialect, year, at, subset) }
	if mode == writeUpsert {
		q, args, err := src(rows)
		if err != nil {
			return 0, err
		}
		n, err := exec(`INSERT INTO scores (`+scoreColumns+`) SELECT `+scoreColumns+` FROM (`+q+`) AS v WHERE true
			ON CONFLICT (employee_id, year) DO UPDATE SET `+fmt.Sprintf(scoreSet, "excluded"), args)
		if err != nil {
			return 0, fmt.Errorf("store scores: %w", err)
		}
		return n, nil
	}
	var fresh, known []scoreRow
	for _, r := range rows {
		if r.oldHash == "" {
			fresh = append(fresh, r)
		} else {
			known = append(known, r)
		}
	}
	var total int64
	if len(fresh) > 0 {
		q, args, err := src(fresh)
		if err != nil {
			return 0, err
		}
		n, err := exec(`INSERT INTO scores (`+scoreColumns+`) SELECT `+scoreColumns+` FROM (`+q+`) AS v WHERE true
			ON CONFLICT (employee_id, year) DO NOTHING`, args)
		if err != nil {
			return 0, fmt.Errorf("store new scores: %w", err)
		}
		total += n
	}
	if len(known) > 0 {
		q, args, err := src(known)
		if err != nil {
			return 0, err
		}
		n, err := exec(`UPDATE scores SET `+fmt.Sprintf(scoreSet, "v")+` FROM (`+q+`) AS v
			WHERE scores.employee_id = v.employee_id AND scores.year = v.year AND scores.facts_hash = v.old_hash`, args)
		if err != nil {
			return 0, fmt.Errorf("update scores: %w", err)
		}
		total += n
	}
	return total, nil
}

// bulkWriter writes the bulk rescore's rows. On PostgreSQL it holds one connection of its
// own: rows without a stored score go in with COPY (about 1.5× faster than an INSERT from
// arrays), falling back to INSERT … ON CONFLICT DO NOTHING when a concurrent transaction
// inserted one of them meanwhile; the others are updated from arrays. Its transactions do
// not wait for the WAL flush (synchronous_commit off): the rows are derived data, and
// after a crash the next rescore rewrites whatever was lost.
type bulkWriter struct {
	db   *database.DB
	conn *sql.Conn // PostgreSQL only
}

func newBulkWriter(ctx context.Context, db *database.DB) (*bulkWriter, error) {
	w := &bulkWriter{db: db}
	if db.Dialect == database.Postgres {
		c, err := db.SQL.Conn(ctx)
		if err != nil {
			return nil, err
		}
		w.conn = c
	}
	return w, nil
}

func (w *bulkWriter) close() {
	if w.conn != nil {
		w.conn.Close()
	}
}

// write stores rows for the year (mode writeIfUnchanged) and returns how many were
// written.
func (w *bulkWriter) write(ctx context.Context, year int, at time.Time, rows []scoreRow) (int64, error) {
	if w.conn == nil {
		return writeRows(ctx, w.db.SQL, w.db.Dialect, writeIfUnchanged, year, at, rows)
	}
	var fresh, known []scoreRow
	for _, r := range rows {
		if r.oldHash == "" {
			fresh = append(fresh, r)
		} else {
			known = append(known, r)
		}
	}
	var total int64
	if len(fresh) > 0 {
		n, err := w.copyFresh(ctx, year, at, fresh)
		if database.IsUniqueViolation(err) {
			n, err = w.inTx(ctx, func(tx *sql.Tx) (int64, error) {
				return writeRows(ctx, tx, w.db.Dialect, writeIfUnchanged, year, at, fresh)
			})
		}
		if err != nil {
			return 0, err
		}
		total += n
	}
	if len(known) > 0 {
		n, err := w.inTx(ctx, func(tx *sql.Tx) (int64, error) {
			return writeRows(ctx, tx, w.db.Dialect, writeIfUnchanged, year, at, known)
		})
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// inTx runs fn in a transaction on the writer's connection without waiting for the flush.
func (w *bulkWriter) inTx(ctx context.Context, fn func(tx *sql.Tx) (int64, error)) (int64, error) {
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // after a commit this does nothing
	if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return 0, err
	}
	n, err := fn(tx)
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// copyFresh inserts rows that had no stored score with COPY, all or none.
func (w *bulkWriter) copyFresh(ctx context.Context, year int, at time.Time, rows []scoreRow) (int64, error) {
	var n int64
	err := w.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy scores: unexpected driver connection %T", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // after a commit this does nothing
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		n, err = tx.CopyFrom(ctx, pgx.Identifier{"scores"}, strings.Split(strings.ReplaceAll(scoreColumns, " ", ""), ","),
			pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
				r := rows[i]
				return []any{r.employeeID, year, r.ruleSet, r.ruleSetVersion, r.measured, r.dims[0], r.dims[1], r.dims[2],
					r.dims[3], r.dims[4], r.category, r.jpYear, r.jpDuty, r.incomplete, r.factsHash, r.explanation, at}, nil
			}))
		if err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	return n, err
}
