package scoring

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	explanation    []byte // the Score as JSON, packed on PostgreSQL (packScore); not to be modified
	oldHash        string
}

// scorer turns employees' facts into score rows; each of the bulk rescore's goroutines has
// one. The rows' JSON goes one after the other into large buffers (arena) rather than into
// a string of its own each: a chunk's rows live and die together, and the allocation and
// copy of a 1.5 KB string per row cost as much as encoding it.
type scorer struct {
	arena []byte
	// pack: store the JSON packed (packScore), as on PostgreSQL; the JSON is then encoded
	// into js first.
	pack bool
	js   []byte
}

// A scorer's buffers start small (the issuer scores one employee at a time) and double up
// to a megabyte.
const (
	minArena = 16 << 10
	maxArena = 1 << 20
)

// row computes the employee's score and renders it as a row.
func (sc *scorer) row(rs *RuleSet, e *employeeFacts, hash string) (scoreRow, error) {
	s := Compute(rs, e.facts)
	if cap(sc.arena)-len(sc.arena) < 8192 {
		sc.arena = make([]byte, 0, min(max(2*cap(sc.arena), minArena), maxArena))
	}
	start := len(sc.arena)
	// A longer JSON makes append move it to a new buffer, which the next ones then share;
	// the rows already made keep theirs.
	var js []byte
	var err error
	if sc.pack {
		if sc.js, err = encodeScore(sc.js[:0], &s); err == nil {
			js = packScore(sc.arena, sc.js)
		}
	} else {
		js, err = encodeScore(sc.arena, &s)
	}
	if err != nil {
		return scoreRow{}, fmt.Errorf("encode score of employee %d: %w", e.id, err)
	}
	sc.arena = js
	incomplete := ""
	switch len(s.Incomplete) {
	case 0:
	case 1:
		incomplete = s.Incomplete[0]
	default:
		incomplete = strings.Join(s.Incomplete, "\n")
	}
	return scoreRow{
		employeeID: e.id, ruleSet: s.RuleSet, ruleSetVersion: s.RuleSetVersion, measured: s.Measured,
		dims:     [5]float64{s.Kualifikasi, s.Kompetensi, s.Kinerja, s.Disiplin, s.Total},
		category: string(s.Category), jpYear: s.JPThisYear, jpDuty: s.JPDuty,
		incomplete: incomplete, factsHash: hash, explanation: js[start:len(js):len(js)],
		oldHash: e.oldHash,
	}, nil
}

// encodeScore appends the JSON of s to dst: byte for byte what json.Marshal gives (HTML
// characters escaped, invalid UTF-8 replaced), written without reflection — the stored
// explanation of every score of a bulk rescore is encoded here, and this is four to five
// times cheaper. TestEncodeScoreMatchesEncodingJSON holds it to encoding/json; a field
// added to Score, Line or Hint must be added here (the test fails until it is).
func encodeScore(dst []byte, s *Score) ([]byte, error) {
	var err error
	num := func(x float64) {
		if err == nil {
			dst, err = appendJSONFloat(dst, x)
		}
	}
	dst = append(dst, `{"nip":`...)
	dst = appendJSONString(dst, s.NIP)
	dst = append(dst, `,"year":`...)
	dst = strconv.AppendInt(dst, int64(s.Year), 10)
	dst = append(dst, `,"rule_set":`...)
	dst = appendJSONString(dst, s.RuleSet)
	dst = append(dst, `,"rule_set_version":`...)
	dst = appendJSONString(dst, s.RuleSetVersion)
	dst = append(dst, `,"provisional":`...)
	dst = strconv.AppendBool(dst, s.Provisional)
	dst = append(dst, `,"status":`...)
	dst = appendJSONString(dst, s.Status)
	dst = append(dst, `,"measured":`...)
	dst = strconv.AppendBool(dst, s.Measured)
	dst = append(dst, `,"kualifikasi":`...)
	num(s.Kualifikasi)
	dst = append(dst, `,"kompetensi":`...)
	num(s.Kompetensi)
	dst = append(dst, `,"kinerja":`...)
	num(s.Kinerja)
	dst = append(dst, `,"disiplin":`...)
	num(s.Disiplin)
	dst = append(dst, `,"total":`...)
	num(s.Total)
	dst = append(dst, `,"category":`...)
	dst = appendJSONString(dst, string(s.Category))
	dst = append(dst, `,"category_label":`...)
	dst = appendJSONString(dst, s.CategoryLabel)
	dst = append(dst, `,"explanation":`...)
	if s.Explanation == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range s.Explanation {
			l := &s.Explanation[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"dimension":`...)
			dst = appendJSONString(dst, string(l.Dimension))
			if l.Indicator != "" {
				dst = append(dst, `,"indicator":`...)
				dst = appendJSONString(dst, string(l.Indicator))
			}
			dst = append(dst, `,"points":`...)
			num(l.Points)
			dst = append(dst, `,"text":`...)
			dst = appendJSONString(dst, l.Text)
			dst = append(dst, `,"facts":`...)
			dst = appendJSONStrings(dst, l.Facts)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"hints":`...)
	if s.Hints == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range s.Hints {
			h := &s.Hints[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"dimension":`...)
			dst = appendJSONString(dst, string(h.Dimension))
			if h.Indicator != "" {
				dst = append(dst, `,"indicator":`...)
				dst = appendJSONString(dst, string(h.Indicator))
			}
			dst = append(dst, `,"gain":`...)
			num(h.Gain)
			dst = append(dst, `,"text":`...)
			dst = appendJSONString(dst, h.Text)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"jp_this_year":`...)
	dst = strconv.AppendInt(dst, int64(s.JPThisYear), 10)
	dst = append(dst, `,"jp_duty":`...)
	dst = strconv.AppendInt(dst, int64(s.JPDuty), 10)
	dst = append(dst, `,"incomplete":`...)
	dst = appendJSONStrings(dst, s.Incomplete)
	dst = append(dst, '}')
	return dst, err
}

// appendJSONStrings appends a list of strings as JSON (null for nil).
func appendJSONStrings(dst []byte, xs []string) []byte {
	if xs == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, x := range xs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, x)
	}
	return append(dst, ']')
}

// appendJSONFloat appends x as encoding/json writes a float64.
func appendJSONFloat(dst []byte, x float64) ([]byte, error) {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return dst, fmt.Errorf("json: unsupported value: %s", strconv.FormatFloat(x, 'g', -1, 64))
	}
	if abs := math.Abs(x); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		dst = strconv.AppendFloat(dst, x, 'e', -1, 64)
		// clean up e-09 to e-9, as encoding/json does
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
		return dst, nil
	}
	return appendDecimal(dst, x, '.'), nil
}

// jsonSafe marks the ASCII bytes encoding/json writes as they are (escaping HTML).
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// appendJSONString appends s quoted as encoding/json quotes strings.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
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
		rsIDs, rsVers, cats, inc, hashes, old := make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n)
		expl := make([][]byte, n)
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
			$15::text[], $16::text[], $17::bytea[], $18::text[])
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
			jsonString(r.factsHash), jsonString(string(r.explanation)), jsonString(r.oldHash))
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
	buf  []byte    // COPY data, reused
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

// copyFresh inserts rows that had no stored score with COPY, all or none. The rows are
// sent in COPY's binary format, encoded here (appendCopyRows) rather than by pgx's
// CopyFrom, whose generic encoding of a float64 into a NUMERIC cost more than the rest of
// the row together.
func (w *bulkWriter) copyFresh(ctx context.Context, year int, at time.Time, rows []scoreRow) (int64, error) {
	data, err := appendCopyRows(w.buf[:0], year, at, rows)
	if err != nil {
		return 0, fmt.Errorf("copy scores: %w", err)
	}
	w.buf = data
	var n int64
	err = w.conn.Raw(func(dc any) error {
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
		tag, err := tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data),
			`COPY scores (`+scoreColumns+`) FROM STDIN (FORMAT binary)`)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		return tx.Commit(ctx)
	})
	return n, err
}

// copyHeader starts a COPY in binary format: the signature, no flags, no extension.
const copyHeader = "PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"

// appendCopyRows appends the rows, for the year and computed at at, as the data of a COPY
// of scoreColumns in binary format.
func appendCopyRows(dst []byte, year int, at time.Time, rows []scoreRow) ([]byte, error) {
	const fields = 17 // scoreColumns
	// Microseconds since 2000-01-01 UTC, as pgx encodes a time.Time.
	atMicros := at.Unix()*1_000_000 + int64(at.Nanosecond())/1000 - 946_684_800_000_000
	dst = append(dst, copyHeader...)
	for i := range rows {
		r := &rows[i]
		dst = binary.BigEndian.AppendUint16(dst, fields)
		dst = binary.BigEndian.AppendUint32(dst, 8)
		dst = binary.BigEndian.AppendUint64(dst, uint64(r.employeeID))
		dst = appendCopyInt4(dst, year)
		dst = appendCopyText(dst, r.ruleSet)
		dst = appendCopyText(dst, r.ruleSetVersion)
		dst = binary.BigEndian.AppendUint32(dst, 1)
		if r.measured {
			dst = append(dst, 1)
		} else {
			dst = append(dst, 0)
		}
		for _, d := range r.dims {
			var err error
			if dst, err = appendCopyNumeric(dst, d); err != nil {
				return dst, fmt.Errorf("score of employee %d: %w", r.employeeID, err)
			}
		}
		dst = appendCopyText(dst, r.category)
		dst = appendCopyInt4(dst, r.jpYear)
		dst = appendCopyInt4(dst, r.jpDuty)
		dst = appendCopyText(dst, r.incomplete)
		dst = appendCopyText(dst, r.factsHash)
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(r.explanation)))
		dst = append(dst, r.explanation...)
		dst = binary.BigEndian.AppendUint32(dst, 8)
		dst = binary.BigEndian.AppendUint64(dst, uint64(atMicros))
	}
	return binary.BigEndian.AppendUint16(dst, 0xFFFF), nil // end of data
}

func appendCopyInt4(dst []byte, n int) []byte {
	dst = binary.BigEndian.AppendUint32(dst, 4)
	return binary.BigEndian.AppendUint32(dst, uint32(int32(n)))
}

func appendCopyText(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
	return append(dst, s...)
}

// appendCopyNumeric appends x, rounded to 2 decimals (Round2), as a binary NUMERIC: base-10000
// digits, the weight of the first, the sign and the display scale (2).
func appendCopyNumeric(dst []byte, x float64) ([]byte, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1e15 {
		return dst, fmt.Errorf("score value %v out of range", x)
	}
	h := cents(x)
	sign := uint16(0)
	if h < 0 {
		sign, h = 0x4000, -h
	}
	var digits [8]uint16
	n := 0
	for ip := h / 100; ip > 0; ip /= 10000 {
		digits[n] = uint16(ip % 10000)
		n++
	}
	weight := n - 1
	slices.Reverse(digits[:n])
	if f := h % 100; f != 0 {
		digits[n] = uint16(f * 100)
		n++
	}
	if n == 0 {
		weight, sign = 0, 0
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(8+2*n))
	dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	dst = binary.BigEndian.AppendUint16(dst, uint16(int16(weight)))
	dst = binary.BigEndian.AppendUint16(dst, sign)
	dst = binary.BigEndian.AppendUint16(dst, 2)
	for _, d := range digits[:n] {
		dst = binary.BigEndian.AppendUint16(dst, d)
	}
	return dst, nil
}
