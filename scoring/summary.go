package scoring

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
)

// The dashboards read the stored scores of active employees, grouped in SQL: one row per
// (OPD, rule set, measured, category) with sums of the dimensions in hundredths, which Go
// turns into the same Summary as Aggregate would from the individual scores (means
// computed exactly in hundredths, rounded once). An employee counts in the OPD they belong
// to now. Employees without a stored score for the year are not counted: Coverage tells
// how many there are (run `sertika rescore --year Y` to fill them in).

// summaryGroup is one group of stored scores.
type summaryGroup struct {
	OPDID      int64
	RuleSet    string
	Measured   bool
	Category   string
	N          int64
	Incomplete int64
	K1         int64 // kualifikasi, hundredths
	K2         int64 // kompetensi
	K3         int64 // kinerja
	K4         int64 // disiplin
	Total      int64
}

// summaryGroups reads the groups for the year; opdID > 0 restricts them to one OPD.
func (s *Store) summaryGroups(ctx context.Context, year int, opdID int64) ([]summaryGroup, error) {
	cents := func(col string) string { return "CAST(SUM(CAST(ROUND(s." + col + " * 100) AS BIGINT)) AS BIGINT)" }
	q := `SELECT e.opd_id, s.rule_set, s.measured, s.category, COUNT(*) AS n,
		CAST(SUM(CASE WHEN s.incomplete <> '' THEN 1 ELSE 0 END) AS BIGINT) AS incomplete,
		` + cents("kualifikasi") + ` AS k1, ` + cents("kompetensi") + ` AS k2,
		` + cents("kinerja") + ` AS k3, ` + cents("disiplin") + ` AS k4, ` + cents("total") + ` AS total
	FROM scores s JOIN employees e ON e.id = s.employee_id
	WHERE s.year = ? AND e.active = ?`
	args := []any{year, true}
	if opdID > 0 {
		q += ` AND e.opd_id = ?`
		args = append(args, opdID)
	}
	q += ` GROUP BY e.opd_id, s.rule_set, s.measured, s.category`
	var out []summaryGroup
	rows, err := s.db.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("summarise scores: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var g summaryGroup
		if err := rows.Scan(&g.OPDID, &g.RuleSet, &g.Measured, &g.Category, &g.N, &g.Incomplete, &g.K1, &g.K2, &g.K3, &g.K4, &g.Total); err != nil {
			return nil, apperr.Internal(fmt.Errorf("summarise scores: %w", err))
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Internal(fmt.Errorf("summarise scores: %w", err))
	}
	return out, nil
}

// summarize builds a Summary from groups exactly as RuleSet.Aggregate does from scores.
func (s *Store) summarize(year int, groups []summaryGroup) Summary {
	var sum Summary
	ruleSets := map[string]bool{}
	var sums [4]int64
	var total int64
	counts := map[Category]int{}
	for _, g := range groups {
		ruleSets[g.RuleSet] = true
		if !g.Measured {
			sum.Excluded += int(g.N)
			continue
		}
		sum.Count += int(g.N)
		sum.Incomplete += int(g.Incomplete)
		sums[0] += g.K1
		sums[1] += g.K2
		sums[2] += g.K3
		sums[3] += g.K4
		total += g.Total
		counts[Category(g.Category)] += int(g.N)
	}
	rs := s.rs
	if len(groups) > 0 {
		sum.Year = year
	}
	if len(ruleSets) == 1 {
		for id := range ruleSets {
			sum.RuleSet = id
		}
		if sum.RuleSet != rs.ID {
			rs = Default()
			if r, err := Load(sum.RuleSet); err == nil {
				rs = r
			}
		}
	}
	for _, c := range rs.Categories {
		cc := CategoryCount{Category: c.Code, Label: c.Label, Count: counts[c.Code]}
		if sum.Count > 0 {
			cc.Percent = fromCents(divRound(int64(cc.Count)*10000, int64(sum.Count)))
		}
		sum.Distribution = append(sum.Distribution, cc)
	}
	if sum.Count == 0 {
		return sum
	}
	n := int64(sum.Count)
	var means [4]int64
	var msum int64
	for i := range sums {
		means[i] = divRound(sums[i], n)
		msum += means[i]
	}
	sum.Kualifikasi, sum.Kompetensi, sum.Kinerja, sum.Disiplin = fromCents(means[0]), fromCents(means[1]), fromCents(means[2]), fromCents(means[3])
	sum.Total = fromCents(msum)
	sum.MeanIP = fromCents(divRound(total, n))
	sum.Category, sum.CategoryLabel = rs.Categorize(sum.Total)
	return sum
}

// AgencySummary is the agency's IP ASN for the year, from the stored scores of its active
// employees.
func (s *Store) AgencySummary(ctx context.Context, year int) (Summary, error) {
	groups, err := s.summaryGroups(ctx, year, 0)
	if err != nil {
		return Summary{}, err
	}
	return s.summarize(year, groups), nil
}

// OPDSummary is one OPD's IP ASN for the year, from the stored scores of its active
// employees.
func (s *Store) OPDSummary(ctx context.Context, opdID int64, year int) (Summary, error) {
	if opdID <= 0 {
		return Summary{}, apperr.NotFound("OPD tidak ditemukan.")
	}
	groups, err := s.summaryGroups(ctx, year, opdID)
	if err != nil {
		return Summary{}, err
	}
	return s.summarize(year, groups), nil
}

// OPDScore is one row of the per-OPD table.
type OPDScore struct {
	OPDID   int64   `json:"-"`
	Code    string  `json:"code"`
	Name    string  `json:"name"`
	Summary Summary `json:"summary"`
}

// OPDTable summarises every active OPD for the year (one grouped query), ordered by code.
// An OPD without stored scores has an empty Summary.
func (s *Store) OPDTable(ctx context.Context, year int) ([]OPDScore, error) {
	groups, err := s.summaryGroups(ctx, year, 0)
	if err != nil {
		return nil, err
	}
	byOPD := map[int64][]summaryGroup{}
	for _, g := range groups {
		byOPD[g.OPDID] = append(byOPD[g.OPDID], g)
	}
	var opds []struct {
		ID         int64
		Code, Name string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT id, code, name FROM opds WHERE active = ? ORDER BY code`, true).
		Scan(&opds).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("load OPDs: %w", err))
	}
	seen := map[int64]bool{}
	out := make([]OPDScore, 0, len(opds))
	for _, o := range opds {
		seen[o.ID] = true
		out = append(out, OPDScore{OPDID: o.ID, Code: o.Code, Name: o.Name, Summary: s.summarize(year, byOPD[o.ID])})
	}
	// Employees may still belong to an OPD that was deactivated: show it rather than lose them.
	var rest []int64
	for id := range byOPD {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	if len(rest) > 0 {
		if err := s.db.WithContext(ctx).Raw(`SELECT id, code, name FROM opds WHERE id IN ?`, rest).Scan(&opds).Error; err != nil {
			return nil, apperr.Internal(fmt.Errorf("load OPDs: %w", err))
		}
		for _, o := range opds {
			out = append(out, OPDScore{OPDID: o.ID, Code: o.Code, Name: o.Name, Summary: s.summarize(year, byOPD[o.ID])})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	}
	return out, nil
}

// Coverage counts the active employees (of one OPD when opdID > 0) and those of them with a
// stored score for the year.
func (s *Store) Coverage(ctx context.Context, opdID int64, year int) (scored, employees int64, err error) {
	q := `SELECT COUNT(*), COUNT(s.employee_id) FROM employees e
		LEFT JOIN scores s ON s.employee_id = e.id AND s.year = ? WHERE e.active = ?`
	args := []any{year, true}
	if opdID > 0 {
		q += ` AND e.opd_id = ?`
		args = append(args, opdID)
	}
	row := s.db.WithContext(ctx).Raw(q, args...).Row()
	if err := row.Scan(&employees, &scored); err != nil {
		return 0, 0, apperr.Internal(fmt.Errorf("coverage: %w", err))
	}
	return scored, employees, nil
}

// EmployeeRow is an employee in a dashboard list, with the figures of the stored score.
type EmployeeRow struct {
	EmployeeID int64    `json:"-"`
	NIP        string   `json:"nip"`
	Name       string   `json:"name"`
	Position   string   `json:"position"`
	Status     string   `json:"status"`
	OPDCode    string   `json:"opd_code"`
	Total      float64  `json:"total"`
	JP         int      `json:"jp"`      // JP of development this year
	JPDuty     int      `json:"jp_duty"` // the yearly duty (20 for a PNS)
	Incomplete []string `json:"incomplete,omitempty"`
}

// BelowJPDuty lists the active employees (of one OPD when opdID > 0) whose development this
// year is below their yearly duty (20 JP for a PNS), fewest JP first, limit rows from
// offset; it also returns how many there are in all.
func (s *Store) BelowJPDuty(ctx context.Context, opdID int64, year, limit, offset int) ([]EmployeeRow, int64, error) {
	return s.employeeList(ctx, opdID, year, `s.jp_duty > 0 AND s.jp_year < s.jp_duty`, `s.jp_year, e.name, e.id`, limit, offset)
}

// IncompleteData lists the active employees (of one OPD when opdID > 0) whose score for the
// year is flagged for missing or unusable data, with what is missing, limit rows from
// offset; it also returns how many there are in all.
func (s *Store) IncompleteData(ctx context.Context, opdID int64, year, limit, offset int) ([]EmployeeRow, int64, error) {
	return s.employeeList(ctx, opdID, year, `s.incomplete <> ''`, `e.name, e.id`, limit, offset)
}

func (s *Store) employeeList(ctx context.Context, opdID int64, year int, cond, order string, limit, offset int) ([]EmployeeRow, int64, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	offset = max(offset, 0)
	from := ` FROM scores s JOIN employees e ON e.id = s.employee_id JOIN opds o ON o.id = e.opd_id
		WHERE s.year = ? AND e.active = ? AND ` + cond
	args := []any{year, true}
	if opdID > 0 {
		from += ` AND e.opd_id = ?`
		args = append(args, opdID)
	}
	g := s.db.WithContext(ctx)
	var total int64
	if err := g.Raw(`SELECT COUNT(*)`+from, args...).Scan(&total).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list employees: %w", err))
	}
	var rows []struct {
		EmployeeID int64   `gorm:"column:employee_id"`
		NIP        string  `gorm:"column:nip"`
		Name       string  `gorm:"column:name"`
		Position   string  `gorm:"column:position"`
		Status     string  `gorm:"column:status"`
		OPD        string  `gorm:"column:opd"`
		Total      float64 `gorm:"column:total"`
		JP         int     `gorm:"column:jp"`
		JPDuty     int     `gorm:"column:jp_duty"`
		Incomplete string  `gorm:"column:incomplete"`
	}
	if err := g.Session(&gorm.Session{NewDB: true}).Raw(`SELECT e.id AS employee_id, e.nip, e.name, e.position, e.status,
		o.code AS opd, s.total, s.jp_year AS jp, s.jp_duty, s.incomplete`+from+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, limit, offset)...).Scan(&rows).Error; err != nil {
		return nil, 0, apperr.Internal(fmt.Errorf("list employees: %w", err))
	}
	out := make([]EmployeeRow, 0, len(rows))
	for _, r := range rows {
		e := EmployeeRow{EmployeeID: r.EmployeeID, NIP: r.NIP, Name: r.Name, Position: r.Position, Status: r.Status,
			OPDCode: r.OPD, Total: Round2(r.Total), JP: r.JP, JPDuty: r.JPDuty}
		if r.Incomplete != "" {
			e.Incomplete = strings.Split(r.Incomplete, "\n")
		}
		out = append(out, e)
	}
	return out, total, nil
}
