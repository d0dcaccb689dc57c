package scoring

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
// score's hash for the measurement year (the first bound parameter), looked up per employee.
// The bulk rescore reads the hashes per chunk instead (profileColumns, chunkFactsQuery): its
// thousands of lookups per chunk land at the end of the scores indexes that its own writer
// is filling at the same time, and in the benchmark one chunk in a few dozen took seconds
// instead of tens of milliseconds.
const employeeColumns = `SELECT e.id, e.nip, e.status, e.education_level, e.position_kind, e.eselon, e.jf_name,
	(SELECT s.facts_hash FROM scores s WHERE s.employee_id = e.id AND s.year = ?)
	FROM employees e`

// profileColumns is what the bulk rescore's employee queries select: the profile facts and,
// to keep the columns of employeeColumns, a NULL for the hash, which comes with the facts
// (chunkFactsQuery).
const profileColumns = `SELECT e.id, e.nip, e.status, e.education_level, e.position_kind, e.eselon, e.jf_name,
	CAST(NULL AS TEXT) FROM employees e`

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
// thousands of rows, and pgx hands them over in PostgreSQL's binary format, which the
// readers below (employeeDecoder, factDecoder) decode straight from the wire bytes —
// about a fifth of the cost of database/sql's generic conversions of text. The queries
// take no slices.
//
// Each query is described and planned afresh (QueryExecModeDescribeExec: an unnamed
// statement, planned for its arguments and the tables as they are now): the scores table
// grows from nothing to every employee during a first run, and a plan cached while it was
// empty (a sequential scan of scores for each employee) would make the run quadratic. The
// description costs one more round trip per chunk, and planning a millisecond.
func pgxQuerier(c *pgx.Conn) querier {
	return func(ctx context.Context, q string, args ...any) (rowScanner, func(), error) {
		rows, err := c.Query(ctx, dollarPlaceholders(q), append([]any{pgx.QueryExecModeDescribeExec}, args...)...)
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
	return readEmployees(ctx, query, nil, year, q, append([]any{year}, args...)...)
}

// readEmployees runs an employee query (employeeColumns or profileColumns followed by a
// condition) with its arguments as they are and returns the employees for year y in the
// order of the query. Given an interner, it decodes rows from pgx from their binary form.
func readEmployees(ctx context.Context, query querier, in *interner, year int, q string, args ...any) ([]*employeeFacts, error) {
	rows, closeRows, err := query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("load employees: %w", err)
	}
	defer closeRows()
	var out []*employeeFacts
	if raw, ok := rows.(rawRows); ok && in != nil && binaryColumns(raw, employeeTypes) {
		for rows.Next() {
			v := raw.RawValues()
			e := &employeeFacts{id: rawInt(v[0])}
			f := &e.facts
			f.NIP, f.Status, f.EducationLevel = string(v[1]), in.str(v[2]), in.str(v[3])
			f.PositionKind, f.Eselon, f.JFName = in.str(v[4]), in.str(v[5]), in.str(v[6])
			f.Year = year
			if v[7] != nil {
				e.oldHash, e.hasScore = string(v[7]), true
			}
			out = append(out, e)
		}
	} else {
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
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load employees: %w", err)
	}
	return out, nil
}

// PostgreSQL type OIDs of the columns the bulk reader decodes.
const (
	oidInt8    = 20
	oidInt4    = 23
	oidText    = 25
	oidFloat8  = 701
	oidVarchar = 1043
	oidDate    = 1082
)

// The binary column types of employeeColumns and of factsQuery; a text column may also be
// a varchar.
var (
	employeeTypes = []uint32{oidInt8, oidText, oidText, oidText, oidText, oidText, oidText, oidText}
	factTypes     = []uint32{oidText, oidInt8, oidText, oidText, oidText, oidText, oidText, oidInt4, oidDate, oidDate,
		oidFloat8, oidText, oidText}
)

// rawRows is the part of pgx.Rows that the binary decoding reads.
type rawRows interface {
	FieldDescriptions() []pgconn.FieldDescription
	RawValues() [][]byte
}

// binaryColumns reports whether every column of rows has the type given and, unless it is
// text, comes in binary format (else the caller scans the rows the ordinary way).
func binaryColumns(rows rawRows, types []uint32) bool {
	fds := rows.FieldDescriptions()
	if len(fds) != len(types) {
		return false
	}
	for i, fd := range fds {
		oid := fd.DataTypeOID
		if oid == oidVarchar {
			oid = oidText
		}
		// Text is the same bytes in either format (pgx asks for it as text).
		if oid != types[i] || fd.Format != pgx.BinaryFormatCode && oid != oidText {
			return false
		}
	}
	return true
}

// rawInt decodes a binary int8 or int4 (0 for NULL).
func rawInt(b []byte) int64 {
	switch len(b) {
	case 8:
		return int64(binary.BigEndian.Uint64(b))
	case 4:
		return int64(int32(binary.BigEndian.Uint32(b)))
	}
	return 0
}

// rawDate decodes a binary date (days since 2000-01-01; the zero date for NULL and for
// ±infinity, as pgtype gives them to factDate).
func rawDate(b []byte) domain.Date {
	if len(b) != 4 {
		return domain.Date{}
	}
	days := int32(binary.BigEndian.Uint32(b))
	if days == math.MaxInt32 || days == math.MinInt32 {
		return domain.Date{}
	}
	return domain.NewDate(2000, time.January, 1+int(days))
}

// interner shares the strings of a bulk read that take few values (kinds, levels, statuses,
// education codes, JF names…): one copy each instead of one per row.
type interner struct{ m map[string]string }

func newInterner() *interner { return &interner{m: map[string]string{}} }

func (in *interner) str(b []byte) string {
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in.m) < 50_000 {
		in.m[s] = s
	}
	return s
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
	dev, devArgs := relevantSQL(rs, y)
	q := `SELECT 'c' AS t, employee_id, id AS src, number AS num, kind, level, title, jp,
		start_date AS d1, end_date AS d2, CAST(NULL AS DOUBLE PRECISION) AS v, '' AS p, CAST(NULL AS TEXT) AS h
	FROM certificates WHERE ` + cond + ` AND state = 'valid' AND end_date <= ?` + dev + `
	UNION ALL
	SELECT 'x', employee_id, CAST(id AS TEXT), certificate_number, kind, level, title, jp,
		start_date, end_date, CAST(NULL AS DOUBLE PRECISION), '', CAST(NULL AS TEXT)
	FROM external_trainings WHERE ` + cond + ` AND status = 'recognised' AND end_date <= ?` + dev + `
	UNION ALL
	SELECT 's', employee_id, CAST(id AS TEXT), '', '', '', '', year,
		CAST(NULL AS DATE), CAST(NULL AS DATE), CAST(value AS DOUBLE PRECISION), predikat, CAST(NULL AS TEXT)
	FROM skp_results WHERE ` + cond + ` AND year = ?
	UNION ALL
	SELECT 'h', employee_id, CAST(id AS TEXT), decree_number, level, '', kind, 0,
		start_date, CAST(NULL AS DATE), CAST(NULL AS DOUBLE PRECISION), '', CAST(NULL AS TEXT)
	FROM disciplinary_penalties WHERE ` + cond + ` AND start_date >= ? AND start_date <= ?`
	var args []any
	args = append(append(append(args, condArgs...), endBy), devArgs...)
	args = append(append(append(args, condArgs...), endBy), devArgs...)
	args = append(append(args, condArgs...), skpYear)
	args = append(append(args, condArgs...), penFrom, penTo)
	return q, args
}

// chunkFactsQuery is factsQuery for the employees with ids from lo to hi, with one more
// part: their stored scores' facts hashes for year y, tagged 'k'. Reading the hashes as
// one range of the scores table per chunk, rather than looking each employee's up, costs
// PostgreSQL one index descent instead of thousands, into the part of the index that the
// bulk writer is filling meanwhile.
func chunkFactsQuery(rs *RuleSet, y int, lo, hi int64) (string, []any) {
	q, args := factsQuery(rs, y, `employee_id BETWEEN ? AND ?`, []any{lo, hi})
	q += `
	UNION ALL
	SELECT 'k', employee_id, '', '', '', '', '', 0,
		CAST(NULL AS DATE), CAST(NULL AS DATE), CAST(NULL AS DOUBLE PRECISION), '', facts_hash
	FROM scores WHERE employee_id BETWEEN ? AND ? AND year = ?`
	return q, append(args, lo, hi, y)
}

// relevantSQL returns a condition (" AND (…)", with its arguments) on the kind and end
// date of a development record that holds for every record relevant keeps, and for few
// others: a kind that feeds an indicator with a bounded window counts only when it ended
// in or after the window's first year; any other kind (indicators a and b, which have no
// lower bound, and unknown kinds) always does. Development of year y passes too, since
// every window starts by y. Leaving the others in the database spares reading and then
// dropping about half of the records. relevant still decides.
//
// The kind codes are written into the statement: they are the rule set's, validated
// against domain.DevelopmentKinds, and fixed for a store, so the statement's text is too.
func relevantSQL(rs *RuleSet, y int) (string, []any) {
	k := rs.Kompetensi
	windows := []struct {
		ind Indicator
		w   Window
	}{{IndicatorA, k.Windows.A}, {IndicatorB, k.Windows.B}, {IndicatorC, k.Windows.C}, {IndicatorD, k.Windows.D}}
	var clauses, bounded []string
	var args []any
	for _, x := range windows {
		if x.w.From == nil {
			continue
		}
		var kinds []string
		for _, code := range sortedKeys(k.Kinds) {
			if k.Kinds[code] == x.ind {
				kinds = append(kinds, sqlQuote(code))
			}
		}
		if len(kinds) == 0 {
			continue
		}
		bounded = append(bounded, kinds...)
		clauses = append(clauses, `(kind IN (`+strings.Join(kinds, ", ")+`) AND end_date >= ?)`)
		args = append(args, domain.NewDate(y+*x.w.From, time.January, 1))
	}
	if len(bounded) == 0 {
		return "", nil
	}
	clauses = append(clauses, `kind NOT IN (`+strings.Join(bounded, ", ")+`)`)
	return ` AND (` + strings.Join(clauses, " OR ") + `)`, args
}

// sqlQuote writes s as an SQL string literal.
func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

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
	return readFacts(ctx, query, nil, rs, y, func(id int64) *employeeFacts { return byID[id] }, q, args...)
}

// readFacts runs a facts statement (factsQuery, chunkFactsQuery) and reads the facts into
// the employees get returns (nil: skip the row). Given an interner, it decodes rows from
// pgx from their binary form.
func readFacts(ctx context.Context, query querier, in *interner, rs *RuleSet, y int, get func(id int64) *employeeFacts, q string, args ...any) error {
	rows, closeRows, err := query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("load facts: %w", err)
	}
	defer closeRows()
	return scanFacts(rows, in, rs, y, get)
}

// chunkLookup returns a lookup of a chunk's employees (sorted by id) for readFacts. Facts
// arrive grouped by employee in id order within each fact table, so it tries the employee
// of the previous row and the next one before it searches. It also gives every employee
// room for a few activities in one array for the chunk, rather than growing a slice of
// each employee's own.
func chunkLookup(emps []*employeeFacts) func(id int64) *employeeFacts {
	const room = 6
	acts := make([]Activity, room*len(emps))
	for i, e := range emps {
		e.facts.Development = acts[room*i : room*i : room*(i+1)]
	}
	i := 0
	return func(id int64) *employeeFacts {
		switch {
		case i < len(emps) && emps[i].id == id:
			return emps[i]
		case i+1 < len(emps) && emps[i+1].id == id:
			i++
			return emps[i]
		}
		j, ok := slices.BinarySearchFunc(emps, id, func(e *employeeFacts, id int64) int { return cmp.Compare(e.id, id) })
		if !ok {
			return nil
		}
		i = j
		return emps[j]
	}
}

// arrayIDs reports whether statements about the employees ids pass them as one PostgreSQL
// array rather than a list of parameters (see targetedQuery).
func arrayIDs(dialect string, ids []int64) bool {
	return dialect == database.Postgres && len(ids) > 32
}

// targetedQuery reads the employees with the ids — profile and stored score hash, tagged
// 'e' — and their facts (factsQuery) in one statement: the issuer's update then costs one
// round trip for everything it reads.
//
// For many employees on PostgreSQL (arrayIDs) the ids are one array parameter (= ANY(?))
// rather than a list of them (IN ?, which GORM expands): a chunk of 500 employees was a
// statement of 2,500 parameters, parsed, bound and planned anew for every size of chunk,
// and reading their facts took two to three times as long. For a few employees (the
// issuer's usual case) the list stays: its plan, made for the actual ids, is the faster
// one there (p50 of a one-employee update 1.0 ms with the list, 1.5 ms with the array).
func targetedQuery(rs *RuleSet, y int, ids []int64, dialect string) (string, []any) {
	in := `IN ?`
	if arrayIDs(dialect, ids) {
		in = `= ANY(?)`
	}
	fq, fargs := factsQuery(rs, y, `employee_id `+in, []any{ids})
	q := `SELECT 'e' AS t, e.id AS employee_id, e.nip AS src, e.status AS num, e.education_level AS kind,
		e.position_kind AS level, e.eselon AS title, 0 AS jp, CAST(NULL AS DATE) AS d1, CAST(NULL AS DATE) AS d2,
		CAST(NULL AS DOUBLE PRECISION) AS v, e.jf_name AS p, s.facts_hash AS h
	FROM employees e LEFT JOIN scores s ON s.employee_id = e.id AND s.year = ?
	WHERE e.id ` + in + `
	UNION ALL ` + fq
	return q, append([]any{y, ids}, fargs...)
}

// loadTargeted reads the employees with the ids and their facts for year y (targetedQuery)
// and returns them in id order; unknown ids are left out.
func loadTargeted(ctx context.Context, g *gorm.DB, rs *RuleSet, y int, ids []int64) ([]*employeeFacts, error) {
	dialect := g.Dialector.Name() // database.Postgres or database.SQLite
	q, args := targetedQuery(rs, y, ids, dialect)
	var rows *sql.Rows
	var err error
	if arrayIDs(dialect, ids) {
		// Straight to the connection (the caller's transaction): GORM would expand the array.
		rows, err = g.WithContext(ctx).Statement.ConnPool.QueryContext(ctx, dollarPlaceholders(q), args...)
	} else {
		rows, err = g.WithContext(ctx).Raw(q, args...).Rows()
	}
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
	if err := scanFacts(rows, nil, rs, y, get); err != nil {
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
// returns (nil: skip the row). With an interner, rows from pgx are decoded from their binary
// form.
func scanFacts(rows rowScanner, in *interner, rs *RuleSet, y int, get func(id int64) *employeeFacts) error {
	var r factRow
	if raw, ok := rows.(rawRows); ok && in != nil && binaryColumns(raw, factTypes) {
		for rows.Next() {
			v := raw.RawValues()
			if len(v[0]) != 1 {
				return fmt.Errorf("load facts: unexpected tag %q", v[0])
			}
			r.tag, r.eid = v[0][0], rawInt(v[1])
			e := get(r.eid)
			if e == nil {
				continue
			}
			switch r.tag {
			case 'c', 'x':
				prefix := SourceCertificate
				if r.tag == 'x' {
					prefix = SourceExternal
				}
				r.src = prefix + string(v[2])
				r.num, r.kind, r.level, r.title = string(v[3]), in.str(v[4]), in.str(v[5]), string(v[6])
				r.jp, r.d1, r.d2 = int(rawInt(v[7])), rawDate(v[8]), rawDate(v[9])
			case 's':
				r.jp, r.pred = int(rawInt(v[7])), in.str(v[11])
				r.v.Valid = len(v[10]) == 8
				r.v.Float64 = 0
				if r.v.Valid {
					r.v.Float64 = math.Float64frombits(binary.BigEndian.Uint64(v[10]))
				}
			case 'h':
				r.src, r.kind, r.d1 = SourcePenalty+string(v[2]), in.str(v[4]), rawDate(v[8])
			case 'e':
				r.src, r.num, r.kind, r.level, r.title, r.pred = string(v[2]), in.str(v[3]), in.str(v[4]), in.str(v[5]),
					in.str(v[6]), in.str(v[11])
				r.h = sql.NullString{String: string(v[12]), Valid: v[12] != nil}
			case 'k':
				r.h = sql.NullString{String: string(v[12]), Valid: v[12] != nil}
			}
			r.apply(rs, y, e)
		}
	} else {
		var (
			tag    string
			d1, d2 factDate
		)
		for rows.Next() {
			if err := rows.Scan(&tag, &r.eid, &r.src, &r.num, &r.kind, &r.level, &r.title, &r.jp, &d1, &d2, &r.v, &r.pred, &r.h); err != nil {
				return fmt.Errorf("load facts: %w", err)
			}
			if len(tag) != 1 {
				return fmt.Errorf("load facts: unexpected tag %q", tag)
			}
			e := get(r.eid)
			if e == nil {
				continue
			}
			r.tag, r.d1, r.d2 = tag[0], d1.Date, d2.Date
			switch r.tag {
			case 'c':
				r.src = SourceCertificate + r.src
			case 'x':
				r.src = SourceExternal + r.src
			case 'h':
				r.src = SourcePenalty + r.src
			}
			r.apply(rs, y, e)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load facts: %w", err)
	}
	return nil
}

// factRow is one row of factsQuery, chunkFactsQuery or targetedQuery, its source id already prefixed
// (SourceCertificate, SourceExternal, SourcePenalty).
type factRow struct {
	tag                                byte
	eid                                int64
	src, num, kind, level, title, pred string
	jp                                 int
	d1, d2                             domain.Date
	v                                  sql.NullFloat64
	h                                  sql.NullString
}

// apply adds the row to the employee's facts.
func (r *factRow) apply(rs *RuleSet, y int, e *employeeFacts) {
	f := &e.facts
	switch r.tag {
	case 'e':
		f.NIP, f.Status, f.EducationLevel, f.PositionKind, f.Eselon, f.JFName = r.src, r.num, r.kind, r.level, r.title, r.pred
		e.oldHash, e.hasScore, e.profile = r.h.String, r.h.Valid, true
	case 'k':
		e.oldHash, e.hasScore = r.h.String, r.h.Valid
	case 'c', 'x':
		a := Activity{Source: r.src, Number: r.num, Kind: r.kind, Level: r.level, JP: r.jp, Start: r.d1, End: r.d2, Title: r.title}
		if relevant(rs, y, a) {
			f.Development = append(f.Development, a)
		}
	case 's':
		s := SKP{Year: r.jp, Predikat: r.pred}
		if r.v.Valid {
			x := r.v.Float64
			s.Value = &x
		}
		f.SKP = append(f.SKP, s)
	case 'h':
		f.Penalties = append(f.Penalties, Penalty{Source: r.src, Level: r.kind, Start: r.d1})
	}
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
	if !arrayIDs(dialect, ids) {
		return g.Exec(`SELECT pg_advisory_xact_lock(CAST(? AS BIGINT) + id) FROM employees WHERE id IN ? ORDER BY id`,
			lockNamespace, ids).Error
	}
	// A volatile function in a select list is evaluated after ORDER BY: the locks are
	// taken in id order, so two transactions locking overlapping sets cannot deadlock.
	// One array parameter, not a list (see targetedQuery), on the transaction's connection.
	_, err := g.Statement.ConnPool.ExecContext(ctx,
		`SELECT pg_advisory_xact_lock(CAST($1 AS BIGINT) + id) FROM employees WHERE id = ANY($2) ORDER BY id`,
		lockNamespace, ids)
	return err
}

// lockNamespace offsets the advisory lock keys of employees (employee id + lockNamespace)
// from any other use of advisory locks in the database: "SC" in the top bytes.
const lockNamespace int64 = 0x5343 << 48
