package scoring

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/nip"
)

// This file holds the actor-aware reads behind the IP ASN dashboards and the score API.
// Authorization lives here, not in the handlers:
//
//   - BKPSDM roles (admin, verifikator, penandatangan) see the agency, every OPD and every
//     employee;
//   - role opd sees its own OPD and the employees of that OPD;
//   - role pegawai sees its own score only.
//
// A dashboard is built from two grouped statements over the stored scores (the year's
// figures, with employees without a stored score counted in the same pass, and the other
// years for the trend) plus the targets and the OPD names: its cost grows with the number
// of groups, not of employees.

// Dashboard is what the dashboards and the score API show for the agency or one OPD.
type Dashboard struct {
	Scope   string  `json:"scope"`         // "agency" or "opd"
	OPD     *OPDRef `json:"opd,omitempty"` // set when Scope == "opd"
	Year    int     `json:"year"`
	RuleSet string  `json:"rule_set"`
	// Summary is the IP (Total), the four dimension means and the Distribution over the
	// five categories, from the stored scores of the active employees in scope.
	Summary Summary `json:"summary"`
	// Target is the agency's target for the year (nil when none is set). Achievement is
	// Summary.Total / Target × 100, 2 decimals; nil without a target or when nobody in
	// scope is measured.
	Target      *float64 `json:"target"`
	Achievement *float64 `json:"achievement"`
	// Trend has every year with stored scores in scope, ascending.
	Trend []TrendPoint `json:"trend"`
	// ByPosition (every kind of position: struktural, fungsional, pelaksana), ByEducation
	// (the education levels that occur, lowest first, "" = not recorded last) and ByStatus
	// (PNS, PPPK) split the Summary: their Counts add up to Summary.Count.
	ByPosition  []Breakdown `json:"by_position"`
	ByEducation []Breakdown `json:"by_education"`
	ByStatus    []Breakdown `json:"by_status"`
	// OPDs is the per-OPD table (agency scope only): every active OPD, and an inactive one
	// that still has employees with stored scores, ordered by code.
	OPDs []OPDScore `json:"opds,omitempty"`
	// Scored is the number of active employees in scope with a stored score for the year,
	// Employees the number of active employees in scope, BelowJP those (scored) below their
	// yearly JP duty (20 JP for a PNS) and Incomplete those (scored) with incomplete data.
	// BelowJP and Incomplete are the totals of DashboardList's "below_jp" and "incomplete".
	Scored     int64 `json:"scored"`
	Employees  int64 `json:"employees"`
	BelowJP    int64 `json:"below_jp"`
	Incomplete int64 `json:"incomplete"`
}

// Dashboard scopes.
const (
	ScopeAgency = "agency"
	ScopeOPD    = "opd"
)

// OPDRef names an OPD.
type OPDRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// TrendPoint is the scope's IP ASN in one year, with that year's target (nil when none).
type TrendPoint struct {
	Year    int      `json:"year"`
	Summary Summary  `json:"summary"`
	Target  *float64 `json:"target"`
}

// Breakdown is the Summary of the employees sharing one value of a profile field.
type Breakdown struct {
	Key     string  `json:"key"`
	Label   string  `json:"label"`
	Summary Summary `json:"summary"`
}

// EmployeeScoreView is one employee's score as the score API and pages show it.
type EmployeeScoreView struct {
	NIP      string `json:"nip"`
	Name     string `json:"name"`
	Position string `json:"position"`
	Status   string `json:"status"`
	OPDCode  string `json:"opd_code"`
	OPDName  string `json:"opd_name"`
	Year     int    `json:"year"`
	// Stored is false when no score is stored for the year and Score was computed on the
	// fly from the facts on record (and not stored).
	Stored bool  `json:"stored"`
	Score  Score `json:"score"`
}

// Dashboard employee lists (DashboardList).
const (
	ListBelowJP    = "below_jp"   // below the yearly JP duty, fewest JP first
	ListIncomplete = "incomplete" // incomplete data, by name
	ListAll        = "all"        // every employee with a stored score, highest total first
)

// Messages of the access checks.
var (
	errScoreLogin    = apperr.Unauthorized("Silakan masuk terlebih dahulu.")
	errAgencyOnly    = apperr.Forbidden("Hanya BKPSDM yang boleh melihat IP ASN seluruh instansi.")
	errScoreOtherOPD = apperr.Forbidden("Anda tidak berhak melihat data OPD lain.")
	errScoreSelf     = apperr.Forbidden("Anda hanya boleh melihat data Anda sendiri.")
	errScoreOPDOnly  = apperr.Forbidden("Pegawai hanya boleh melihat nilai IP ASN dirinya sendiri.")
	errScoreNoOPD    = apperr.NotFound("OPD tidak ditemukan.")
	errScoreNoEmp    = apperr.NotFound("Pegawai tidak ditemukan.")
)

// checkYear accepts measurement years 2000…2100.
func checkYear(year int) error {
	if year < 2000 || year > 2100 {
		msg := "Tahun harus antara 2000 dan 2100."
		return apperr.Invalidf("Tahun %d tidak sah: tahun harus antara 2000 dan 2100.", year).
			WithFields(map[string]string{"year": msg})
	}
	return nil
}

// opdRow is an OPD as the scope checks read it.
type opdRow struct {
	ID   int64
	Code string
	Name string
}

// scopeOPD resolves an OPD code for the actor: BKPSDM roles any OPD, role opd its own
// only, pegawai none. An unknown code is NotFound.
func (s *Store) scopeOPD(ctx context.Context, a domain.Actor, code string) (opdRow, error) {
	switch {
	case !a.Role.Valid():
		return opdRow{}, errScoreLogin
	case a.Role == domain.RolePegawai:
		return opdRow{}, errScoreOPDOnly
	}
	var rows []opdRow
	if err := s.db.WithContext(ctx).Raw(`SELECT id, code, name FROM opds WHERE code = ?`, strings.TrimSpace(code)).
		Scan(&rows).Error; err != nil {
		return opdRow{}, apperr.Internal(fmt.Errorf("load OPD: %w", err))
	}
	if len(rows) == 0 {
		return opdRow{}, errScoreNoOPD
	}
	if a.Role == domain.RoleOPD && rows[0].ID != a.OPDID {
		return opdRow{}, errScoreOtherOPD
	}
	return rows[0], nil
}

// AgencyDashboard is the agency's dashboard for the year. BKPSDM roles only.
func (s *Store) AgencyDashboard(ctx context.Context, a domain.Actor, year int) (*Dashboard, error) {
	if !a.Role.Valid() {
		return nil, errScoreLogin
	}
	if !a.Role.IsBKPSDM() {
		return nil, errAgencyOnly
	}
	if err := checkYear(year); err != nil {
		return nil, err
	}
	return s.dashboard(ctx, year, nil)
}

// OPDDashboard is one OPD's dashboard for the year. BKPSDM roles may read any OPD, role
// opd only its own (another OPD is Forbidden), pegawai none; an unknown code is NotFound.
func (s *Store) OPDDashboard(ctx context.Context, a domain.Actor, code string, year int) (*Dashboard, error) {
	if err := checkYear(year); err != nil {
		return nil, err
	}
	o, err := s.scopeOPD(ctx, a, code)
	if err != nil {
		return nil, err
	}
	return s.dashboard(ctx, year, &o)
}

// dashGroup is one group of the year's active employees in scope: those of one OPD,
// profile (kind of position, education, status) and stored-score class (rule set,
// measured, category). Scored is false for the group of employees without a stored score.
type dashGroup struct {
	summaryGroup
	Kind, Edu, Status string
	Scored            bool
	BelowJP           int64
}

// centsSum is the SQL for the exact sum, in hundredths, of a 2-decimal column of scores s
// (0 over no rows). PostgreSQL stores NUMERIC(5,2) and sums it exactly, so the sum is
// converted once per group rather than every value once per row (numeric arithmetic is the
// bulk of a dashboard's cost); SQLite stores REAL, so each value is rounded to hundredths
// before it is added.
func (s *Store) centsSum(col string) string {
	if s.db.Dialect == database.Postgres {
		return "COALESCE(CAST(SUM(s." + col + ") * 100 AS BIGINT), 0)"
	}
	return "COALESCE(SUM(CAST(ROUND(s." + col + " * 100) AS BIGINT)), 0)"
}

// dashboardWorkMem is the PostgreSQL work_mem of the dashboards' grouped statements. With
// the default (4 MB) the planner, which expects far more groups than there are (tens of
// thousands for a few thousand), sorts the year's rows on disk to group them; with room for
// the hash table it groups them in memory, twice as fast. It is a cap, not an allocation:
// the hash table of a real agency takes a few MB (64 MB keeps the plan at 100,000
// employees; 32 MB did not).
const dashboardWorkMem = "64MB"

// queryGroups runs a dashboard's grouped statement and hands each row to scan. On
// PostgreSQL it runs in a read-only transaction that raises work_mem for that transaction
// only (SET LOCAL).
func (s *Store) queryGroups(ctx context.Context, what, q string, args []any, scan func(*sql.Rows) error) error {
	run := func(g *gorm.DB) error {
		rows, err := g.Raw(q, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	var err error
	if s.db.Dialect == database.Postgres {
		err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec(`SET LOCAL work_mem = '` + dashboardWorkMem + `'`).Error; err != nil {
				return err
			}
			return run(tx)
		}, &sql.TxOptions{ReadOnly: true})
	} else {
		err = run(s.db.WithContext(ctx))
	}
	if err != nil {
		return apperr.Internal(fmt.Errorf("%s: %w", what, err))
	}
	return nil
}

// summarized reports whether the dashboards read SQLite's precomputed aggregates
// (score_summaries, kept by triggers: migrations/sqlite/00009_score_summaries.sql) rather
// than grouping the stored scores.
func (s *Store) summarized() bool { return s.db.Dialect == database.SQLite && !s.direct }

// precomputedGroups reads the year's groups from score_summaries: the scored groups of the
// active employees (of one OPD when opdID > 0), and one group for the active employees
// without a score, whose count is all that a dashboard uses of it.
func (s *Store) precomputedGroups(ctx context.Context, year int, opdID int64) ([]dashGroup, error) {
	q := `SELECT opd_id, position_kind, education_level, status, rule_set, measured, category, n, incomplete,
		below_jp, k1, k2, k3, k4, total
	FROM score_summaries WHERE year = ? AND active = ? AND n <> 0`
	count := `SELECT COUNT(*) FROM employees WHERE active = ?`
	args := []any{year, true}
	cargs := []any{true}
	if opdID > 0 {
		q += ` AND opd_id = ?`
		count += ` AND opd_id = ?`
		args = append(args, opdID)
		cargs = append(cargs, opdID)
	}
	var out []dashGroup
	var scored int64
	err := s.queryGroups(ctx, "dashboard summaries", q, args, func(rows *sql.Rows) error {
		g := dashGroup{Scored: true}
		if err := rows.Scan(&g.OPDID, &g.Kind, &g.Edu, &g.Status, &g.RuleSet, &g.Measured, &g.Category, &g.N,
			&g.Incomplete, &g.BelowJP, &g.K1, &g.K2, &g.K3, &g.K4, &g.Total); err != nil {
			return err
		}
		scored += g.N
		out = append(out, g)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var active int64
	if err := s.db.WithContext(ctx).Raw(count, cargs...).Row().Scan(&active); err != nil {
		return nil, apperr.Internal(fmt.Errorf("count employees: %w", err))
	}
	if active > scored {
		out = append(out, dashGroup{summaryGroup: summaryGroup{N: active - scored}})
	}
	return out, nil
}

// dashboardGroups reads the groups of the year in one statement; opdID > 0 restricts them
// to one OPD.
func (s *Store) dashboardGroups(ctx context.Context, year int, opdID int64) ([]dashGroup, error) {
	if s.summarized() {
		return s.precomputedGroups(ctx, year, opdID)
	}
	cents := s.centsSum
	q := `SELECT e.opd_id, e.position_kind, e.education_level, e.status, s.rule_set, s.measured, s.category,
		COUNT(*) AS n,
		CAST(SUM(CASE WHEN s.incomplete <> '' THEN 1 ELSE 0 END) AS BIGINT) AS incomplete,
		CAST(SUM(CASE WHEN s.jp_duty > 0 AND s.jp_year < s.jp_duty THEN 1 ELSE 0 END) AS BIGINT) AS below_jp,
		` + cents("kualifikasi") + `, ` + cents("kompetensi") + `, ` + cents("kinerja") + `,
		` + cents("disiplin") + `, ` + cents("total") + `
	FROM employees e LEFT JOIN scores s ON s.employee_id = e.id AND s.year = ?
	WHERE e.active = ?`
	args := []any{year, true}
	if opdID > 0 {
		q += ` AND e.opd_id = ?`
		args = append(args, opdID)
	}
	q += ` GROUP BY e.opd_id, e.position_kind, e.education_level, e.status, s.rule_set, s.measured, s.category`
	var out []dashGroup
	err := s.queryGroups(ctx, "dashboard groups", q, args, func(rows *sql.Rows) error {
		var (
			g                 dashGroup
			ruleSet, category sql.NullString
			measured          sql.NullBool
			incomplete, below sql.NullInt64
		)
		if err := rows.Scan(&g.OPDID, &g.Kind, &g.Edu, &g.Status, &ruleSet, &measured, &category, &g.N,
			&incomplete, &below, &g.K1, &g.K2, &g.K3, &g.K4, &g.Total); err != nil {
			return err
		}
		g.Scored = ruleSet.Valid
		g.RuleSet, g.Measured, g.Category = ruleSet.String, measured.Bool, category.String
		g.Incomplete, g.BelowJP = incomplete.Int64, below.Int64
		out = append(out, g)
		return nil
	})
	return out, err
}

// trendGroups reads the groups of stored scores of the active employees (of one OPD when
// opdID > 0) of every year but skip (whose groups the caller already has), by year.
//
// For the agency it does not join all the years' scores with the employees: it groups every
// stored score (an index-only scan) and subtracts the groups of the inactive employees'
// scores (few, found through the employees), in one statement so that both parts see the
// same snapshot. Counts and sums subtract exactly; this halves the cost of the trend.
func (s *Store) trendGroups(ctx context.Context, skip int, opdID int64) (map[int][]summaryGroup, error) {
	cents := s.centsSum
	part := func(sign string) string {
		return `SELECT ` + sign + ` AS sign, s.year, s.rule_set, s.measured, s.category, COUNT(*) AS n,
		CAST(SUM(CASE WHEN s.incomplete <> '' THEN 1 ELSE 0 END) AS BIGINT) AS incomplete,
		` + cents("kualifikasi") + ` AS k1, ` + cents("kompetensi") + ` AS k2, ` + cents("kinerja") + ` AS k3,
		` + cents("disiplin") + ` AS k4, ` + cents("total") + ` AS total`
	}
	const groupBy = ` GROUP BY s.year, s.rule_set, s.measured, s.category`
	var q string
	var args []any
	if s.summarized() {
		q = `SELECT 1 AS sign, year, rule_set, measured, category, SUM(n), SUM(incomplete), SUM(k1), SUM(k2),
			SUM(k3), SUM(k4), SUM(total)
		FROM score_summaries WHERE year <> ? AND active = ?`
		args = []any{skip, true}
		if opdID > 0 {
			q += ` AND opd_id = ?`
			args = append(args, opdID)
		}
		q += ` GROUP BY year, rule_set, measured, category`
	} else if opdID > 0 {
		q = part("1") + ` FROM scores s JOIN employees e ON e.id = s.employee_id
		WHERE s.year <> ? AND e.active = ? AND e.opd_id = ?` + groupBy
		args = []any{skip, true, opdID}
	} else {
		q = part("1") + ` FROM scores s WHERE s.year <> ?` + groupBy + `
		UNION ALL ` + part("-1") + ` FROM scores s JOIN employees e ON e.id = s.employee_id
		WHERE s.year <> ? AND e.active = ?` + groupBy
		args = []any{skip, skip, false}
	}
	type key struct {
		year              int
		ruleSet, category string
		measured          bool
	}
	sums := map[key]*summaryGroup{}
	var keys []key
	err := s.queryGroups(ctx, "trend", q, args, func(rows *sql.Rows) error {
		var (
			sign int64
			k    key
			g    summaryGroup
		)
		if err := rows.Scan(&sign, &k.year, &k.ruleSet, &k.measured, &k.category, &g.N, &g.Incomplete,
			&g.K1, &g.K2, &g.K3, &g.K4, &g.Total); err != nil {
			return err
		}
		acc := sums[k]
		if acc == nil {
			acc = &summaryGroup{RuleSet: k.ruleSet, Measured: k.measured, Category: k.category}
			sums[k] = acc
			keys = append(keys, k)
		}
		acc.N += sign * g.N
		acc.Incomplete += sign * g.Incomplete
		acc.K1 += sign * g.K1
		acc.K2 += sign * g.K2
		acc.K3 += sign * g.K3
		acc.K4 += sign * g.K4
		acc.Total += sign * g.Total
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[int][]summaryGroup{}
	for _, k := range keys {
		if g := sums[k]; g.N > 0 { // groups made only of inactive employees' scores vanish
			out[k.year] = append(out[k.year], *g)
		}
	}
	return out, nil
}

// dashboard builds the dashboard of the agency (o nil) or of one OPD, the actor checked.
func (s *Store) dashboard(ctx context.Context, year int, o *opdRow) (*Dashboard, error) {
	var opdID int64
	d := &Dashboard{Scope: ScopeAgency, Year: year}
	if o != nil {
		opdID = o.ID
		d.Scope, d.OPD = ScopeOPD, &OPDRef{Code: o.Code, Name: o.Name}
	}
	// The two grouped statements run side by side on two connections: the dashboard then
	// takes as long as the slower one, not their sum.
	type trendResult struct {
		groups map[int][]summaryGroup
		err    error
	}
	trendCh := make(chan trendResult, 1)
	go func() {
		g, err := s.trendGroups(ctx, year, opdID)
		trendCh <- trendResult{g, err}
	}()
	groups, err := s.dashboardGroups(ctx, year, opdID)
	tr := <-trendCh
	if err != nil {
		return nil, err
	}
	if tr.err != nil {
		return nil, tr.err
	}
	trend := tr.groups
	targets, err := s.Targets(ctx)
	if err != nil {
		return nil, err
	}
	targetOf := map[int]*float64{}
	for _, t := range targets {
		v := t.Target
		targetOf[t.Year] = &v
	}

	var scored []summaryGroup
	byKind := map[string][]summaryGroup{}
	byEdu := map[string][]summaryGroup{}
	byStatus := map[string][]summaryGroup{}
	byOPD := map[int64][]summaryGroup{}
	for _, g := range groups {
		d.Employees += g.N
		if !g.Scored {
			continue
		}
		d.Scored += g.N
		d.BelowJP += g.BelowJP
		d.Incomplete += g.Incomplete
		scored = append(scored, g.summaryGroup)
		byKind[g.Kind] = append(byKind[g.Kind], g.summaryGroup)
		byEdu[g.Edu] = append(byEdu[g.Edu], g.summaryGroup)
		byStatus[g.Status] = append(byStatus[g.Status], g.summaryGroup)
		byOPD[g.OPDID] = append(byOPD[g.OPDID], g.summaryGroup)
	}
	d.Summary = s.summarize(year, scored)
	d.RuleSet = cmp.Or(d.Summary.RuleSet, s.rs.ID)
	d.Target = targetOf[year]
	if d.Target != nil && d.Summary.Count > 0 {
		if v, ok := d.Summary.Achievement(*d.Target); ok {
			d.Achievement = &v
		}
	}

	if len(scored) > 0 {
		trend[year] = scored
	}
	d.Trend = make([]TrendPoint, 0, len(trend))
	for _, y := range sortedKeysInt(mapKeys(trend)) {
		d.Trend = append(d.Trend, TrendPoint{Year: y, Summary: s.summarize(y, trend[y]), Target: targetOf[y]})
	}

	d.ByPosition = s.breakdown(year, byKind, domain.PositionKinds, positionLabel)
	d.ByStatus = s.breakdown(year, byStatus, []string{domain.StatusPNS, domain.StatusPPPK}, func(k string) string { return k })
	d.ByEducation = s.breakdown(year, byEdu, nil, educationLabel)

	if o == nil {
		if d.OPDs, err = s.opdScores(ctx, year, byOPD); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// mapKeys returns the keys of m as a set.
func mapKeys[V any](m map[int]V) map[int]bool {
	out := make(map[int]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// breakdown summarises the groups per key: every key of always (in that order), then
// the other keys that occur, in the order of education levels (unknown codes by code,
// the empty key last).
func (s *Store) breakdown(year int, by map[string][]summaryGroup, always []string, label func(string) string) []Breakdown {
	keys := slices.Clone(always)
	var rest []string
	for k := range by {
		if !slices.Contains(always, k) {
			rest = append(rest, k)
		}
	}
	slices.SortFunc(rest, func(a, b string) int {
		return cmp.Or(cmp.Compare(educationRank(a), educationRank(b)), cmp.Compare(a, b))
	})
	keys = append(keys, rest...)
	out := make([]Breakdown, 0, len(keys))
	for _, k := range keys {
		out = append(out, Breakdown{Key: k, Label: label(k), Summary: s.summarize(year, by[k])})
	}
	return out
}

// educationRank orders education codes as domain.EducationLevels (lowest first), unknown
// codes after them and the empty code last.
func educationRank(code string) int {
	if code == "" {
		return len(domain.EducationLevels) + 1
	}
	for i, l := range domain.EducationLevels {
		if l.Code == code {
			return i
		}
	}
	return len(domain.EducationLevels)
}

func educationLabel(code string) string {
	if code == "" {
		return "Belum tercatat"
	}
	return cmp.Or(domain.EducationLabel(code), code)
}

func positionLabel(kind string) string {
	switch kind {
	case domain.PositionStruktural:
		return "Struktural"
	case domain.PositionFungsional:
		return "Fungsional"
	case domain.PositionPelaksana:
		return "Pelaksana"
	}
	return kind
}

// opdScores is the per-OPD table from the year's groups: every active OPD, and an
// inactive one with stored scores, by code.
func (s *Store) opdScores(ctx context.Context, year int, byOPD map[int64][]summaryGroup) ([]OPDScore, error) {
	var opds []struct {
		ID         int64
		Code, Name string
		Active     bool
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT id, code, name, active FROM opds ORDER BY code`).Scan(&opds).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("load OPDs: %w", err))
	}
	out := make([]OPDScore, 0, len(opds))
	for _, o := range opds {
		if !o.Active && len(byOPD[o.ID]) == 0 {
			continue
		}
		out = append(out, OPDScore{OPDID: o.ID, Code: o.Code, Name: o.Name, Summary: s.summarize(year, byOPD[o.ID])})
	}
	return out, nil
}

// EmployeeScoreFor is the employee's score for the year as the actor may see it: BKPSDM
// roles any employee, role opd the employees of its OPD, pegawai only itself (a.NIP). The
// stored score is returned, or, when none is stored, one computed on the fly from the facts
// on record (Stored false). An invalid NIP is Invalid with the NIP parser's explanation.
func (s *Store) EmployeeScoreFor(ctx context.Context, a domain.Actor, nipText string, year int) (*EmployeeScoreView, error) {
	if !a.Role.Valid() {
		return nil, errScoreLogin
	}
	n := nip.Normalize(nipText)
	if _, err := nip.ParseAt(n, s.db.Now()); err != nil {
		return nil, apperr.Invalid(err.Error()).WithFields(map[string]string{"nip": err.Error()})
	}
	if err := checkYear(year); err != nil {
		return nil, err
	}
	if a.Role == domain.RolePegawai && n != nip.Normalize(a.NIP) {
		return nil, errScoreSelf
	}
	var emps []struct {
		ID       int64
		NIP      string `gorm:"column:nip"`
		Name     string
		Position string
		Status   string
		OPDID    int64 `gorm:"column:opd_id"`
		OPDCode  string
		OPDName  string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT e.id, e.nip, e.name, e.position, e.status, e.opd_id,
		o.code AS opd_code, o.name AS opd_name
		FROM employees e JOIN opds o ON o.id = e.opd_id WHERE e.nip = ?`, n).Scan(&emps).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("load employee: %w", err))
	}
	if len(emps) == 0 {
		return nil, errScoreNoEmp
	}
	e := emps[0]
	if a.Role == domain.RoleOPD && e.OPDID != a.OPDID {
		return nil, errScoreOtherOPD
	}
	sc, stored, err := s.employeeScore(ctx, e.ID, year)
	if err != nil {
		return nil, err
	}
	return &EmployeeScoreView{NIP: e.NIP, Name: e.Name, Position: e.Position, Status: e.Status,
		OPDCode: e.OPDCode, OPDName: e.OPDName, Year: year, Stored: stored, Score: sc}, nil
}

// employeeScore returns the stored score of the employee for the year (stored true), or
// one computed on the fly from the facts on record.
func (s *Store) employeeScore(ctx context.Context, employeeID int64, year int) (Score, bool, error) {
	g := s.db.WithContext(ctx)
	var explanation [][]byte
	if err := g.Raw(`SELECT explanation FROM scores WHERE employee_id = ? AND year = ?`, employeeID, year).
		Scan(&explanation).Error; err != nil {
		return Score{}, false, apperr.Internal(fmt.Errorf("load score: %w", err))
	}
	if len(explanation) == 1 {
		sc, err := decodeStoredScore(explanation[0])
		if err != nil {
			return Score{}, false, apperr.Internal(fmt.Errorf("decode stored score of employee %d: %w", employeeID, err))
		}
		return sc, true, nil
	}
	emps, err := loadTargeted(ctx, g, s.rs, year, []int64{employeeID})
	if err != nil {
		return Score{}, false, apperr.Internal(err)
	}
	if len(emps) == 0 {
		return Score{}, false, errScoreNoEmp
	}
	return Compute(s.rs, emps[0].facts), false, nil
}

// DashboardList lists employees of a dashboard, limit rows (1…1000, default 100) from
// offset, with the total count: list is ListBelowJP, ListIncomplete or ListAll. opdCode ""
// lists the whole agency (BKPSDM roles only); otherwise the OPD, scoped as OPDDashboard.
func (s *Store) DashboardList(ctx context.Context, a domain.Actor, opdCode string, year int, list string, limit, offset int) ([]EmployeeRow, int64, error) {
	if !a.Role.Valid() {
		return nil, 0, errScoreLogin
	}
	if err := checkYear(year); err != nil {
		return nil, 0, err
	}
	if list != ListBelowJP && list != ListIncomplete && list != ListAll {
		msg := "Daftar harus salah satu dari below_jp, incomplete atau all."
		return nil, 0, apperr.Invalid(msg).WithFields(map[string]string{"list": msg})
	}
	var opdID int64
	if strings.TrimSpace(opdCode) == "" {
		if !a.Role.IsBKPSDM() {
			if a.Role == domain.RolePegawai {
				return nil, 0, errScoreOPDOnly
			}
			return nil, 0, errAgencyOnly
		}
	} else {
		o, err := s.scopeOPD(ctx, a, opdCode)
		if err != nil {
			return nil, 0, err
		}
		opdID = o.ID
	}
	switch list {
	case ListBelowJP:
		return s.BelowJPDuty(ctx, opdID, year, limit, offset)
	case ListIncomplete:
		return s.IncompleteData(ctx, opdID, year, limit, offset)
	default:
		return s.employeeList(ctx, opdID, year, `1 = 1`, `s.total DESC, e.name, e.id`, limit, offset)
	}
}
