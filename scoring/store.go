package scoring

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/audit"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
)

// Store keeps the stored IP ASN scores (table scores) in step with the facts on record and
// answers the dashboards' questions from them.
//
// Facts are the employee's profile (education level, kind of position, eselon, JF name,
// status), Sertika's live certificates (certificates.state = 'valid'), recognised external
// development records (external_trainings), SKP results (skp_results) and disciplinary
// penalties (disciplinary_penalties). Whoever changes a fact calls RescoreEmployees (or
// RescoreAffected) in the same transaction, so a stored score never disagrees with the
// facts on record; RescoreAll recomputes everyone, set-based.
//
// The Store scores with one rule set. The dashboards' methods take no actor: the caller
// (the web layer) decides who may see what.
type Store struct {
	db *database.DB
	rs *RuleSet
	// ext is the review flow's evidence store and limits (external.go, WithEvidence).
	ext externalConfig
	// direct: the dashboards group the scores themselves even on SQLite, instead of
	// reading the precomputed score_summaries (tests compare the two).
	direct bool
}

// NewStore returns a store that scores with rs (nil: the default rule set, perban-8-2019).
func NewStore(db *database.DB, rs *RuleSet) *Store {
	if rs == nil {
		rs = Default()
	}
	return &Store{db: db, rs: rs}
}

// RuleSet returns the rule set the store scores with.
func (s *Store) RuleSet() *RuleSet { return s.rs }

// CurrentYear is the measurement year that automatic updates keep current: the calendar
// year of the database clock.
func (s *Store) CurrentYear() int { return s.db.Now().Year() }

// targetBatch is the number of employees whose facts RescoreEmployees loads per statement.
const targetBatch = 500

// RescoreEmployees recomputes the scores of the employees for the measurement year inside
// tx, the caller's transaction (which has just changed their facts: issued or revoked a
// certificate, recognised an external record, imported SKP results…). It takes a
// transaction-scoped lock per employee (PostgreSQL; see lockEmployees), reads their
// profiles, stored hashes and facts with one statement in tx, so the caller's uncommitted
// changes count, and upserts the rows whose facts hash changed: three round trips for any
// number of employees up to 500. Unknown ids are ignored. Pass all the employees of a
// transaction in one call (the locks are taken in id order).
func (s *Store) RescoreEmployees(ctx context.Context, tx *gorm.DB, employeeIDs []int64, year int) error {
	if year < 1 || year > 9999 {
		return fmt.Errorf("rescore: invalid year %d", year)
	}
	ids := uniqueSorted(employeeIDs)
	now := s.db.Now()
	for start := 0; start < len(ids); start += targetBatch {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The ids are bound parameters: the statements' text then depends only on the number
		// of employees, so PostgreSQL reuses their prepared plans.
		chunk := ids[start:min(start+targetBatch, len(ids))]
		if err := lockEmployees(ctx, tx, s.db.Dialect, chunk); err != nil {
			return fmt.Errorf("rescore: lock employees: %w", err)
		}
		emps, err := loadTargeted(ctx, tx, s.rs, year, chunk)
		if err != nil {
			return fmt.Errorf("rescore: %w", err)
		}
		// An import rescoring thousands of employees applies the rules on every core; the
		// issuer's handful of holders needs no goroutines.
		workers := 1
		if len(emps) >= 64 {
			workers = runtime.GOMAXPROCS(0)
		}
		rows, _, err := s.computeChunk(emps, workers, false)
		if err != nil {
			return err
		}
		if _, err := writeRows(ctx, conn(tx), s.db.Dialect, writeUpsert, year, now, rows); err != nil {
			return fmt.Errorf("rescore: %w", err)
		}
	}
	return nil
}

// RescoreAffected rescores the employees, in tx, for every measurement year that matters
// after a change of their facts: the current year and every year that already has a stored
// score for one of them. Importers and reviews call it; the issuer may too.
func (s *Store) RescoreAffected(ctx context.Context, tx *gorm.DB, employeeIDs []int64) error {
	ids := uniqueSorted(employeeIDs)
	if len(ids) == 0 {
		return nil
	}
	years := map[int]bool{s.CurrentYear(): true}
	for start := 0; start < len(ids); start += targetBatch {
		var ys []int
		chunk := ids[start:min(start+targetBatch, len(ids))]
		if err := tx.WithContext(ctx).Raw(`SELECT DISTINCT year FROM scores WHERE employee_id IN ?`, chunk).
			Scan(&ys).Error; err != nil {
			return fmt.Errorf("rescore: stored years: %w", err)
		}
		for _, y := range ys {
			years[y] = true
		}
	}
	for _, y := range sortedKeysInt(years) {
		if err := s.RescoreEmployees(ctx, tx, ids, y); err != nil {
			return err
		}
	}
	return nil
}

// EmployeeScore returns the employee's score for the year: the stored one, or, when none is
// stored, one computed on the fly from the facts on record (and not stored).
func (s *Store) EmployeeScore(ctx context.Context, employeeID int64, year int) (Score, error) {
	if year < 1 || year > 9999 {
		return Score{}, apperr.Invalidf("Tahun pengukuran %d tidak sah.", year)
	}
	sc, _, err := s.employeeScore(ctx, employeeID, year)
	return sc, err
}

// External training statuses (external_trainings.status).
const (
	ExternalSubmitted  = "submitted"
	ExternalRecognised = "recognised"
	ExternalRejected   = "rejected"
)

// AuditActionReviewExternal is the audit-log action of a review of an external record.
const AuditActionReviewExternal = "external_training.review"

// ReviewExternalTraining records BKPSDM's decision on an external development record:
// recognised (it counts for the holder's score from now on) or rejected (with a reason).
// A decision can be changed later the same way. The holder's scores are brought up to date
// in the same transaction. Only administrators and verifikator may review.
func (s *Store) ReviewExternalTraining(ctx context.Context, a domain.Actor, id int64, recognise bool, reason string) error {
	if a.Role != domain.RoleAdmin && a.Role != domain.RoleVerifikator {
		return apperr.Forbidden("Hanya verifikator atau administrator BKPSDM yang boleh menilai riwayat pengembangan kompetensi dari luar.")
	}
	reason = strings.TrimSpace(reason)
	status := ExternalRecognised
	if !recognise {
		status = ExternalRejected
		if reason == "" {
			return apperr.Invalid("Alasan penolakan wajib diisi.").WithFields(map[string]string{"reason": "Alasan penolakan wajib diisi."})
		}
	}
	if len([]rune(reason)) > 1000 {
		return apperr.Invalid("Alasan paling banyak 1000 karakter.").WithFields(map[string]string{"reason": "Alasan paling banyak 1000 karakter."})
	}
	now := s.db.Now()
	var reviewer *int64
	if a.UserID != 0 {
		uid := a.UserID
		reviewer = &uid
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		var rows []struct {
			EmployeeID int64
			Status     string
		}
		if err := tx.Raw(`SELECT employee_id, status FROM external_trainings WHERE id = ?`, id).Scan(&rows).Error; err != nil {
			return apperr.Internal(fmt.Errorf("load external training: %w", err))
		}
		if len(rows) == 0 {
			return apperr.NotFound("Riwayat pengembangan kompetensi tidak ditemukan.")
		}
		res := tx.Exec(`UPDATE external_trainings SET status = ?, reviewed_by = ?, reviewed_at = ?, review_reason = ?, updated_at = ?
			WHERE id = ?`, status, reviewer, now, reason, now, id)
		if res.Error != nil {
			return apperr.Internal(fmt.Errorf("review external training: %w", res.Error))
		}
		detail := fmt.Sprintf("%s → %s", rows[0].Status, status)
		if reason != "" {
			detail += ": " + reason
		}
		if err := audit.Record(tx, now, a, AuditActionReviewExternal, fmt.Sprintf("external_trainings/%d", id), detail); err != nil {
			return apperr.Internal(fmt.Errorf("audit: %w", err))
		}
		if err := s.RescoreAffected(ctx, tx, []int64{rows[0].EmployeeID}); err != nil {
			return apperr.Internal(err)
		}
		return nil
	})
}

// Target is the agency's IP ASN target for a year.
type Target struct {
	Year   int     `json:"year"`
	Target float64 `json:"target"`
}

// AuditActionSetTarget is the audit-log action of setting a yearly target.
const AuditActionSetTarget = "ipasn.target"

// Target returns the target for the year and whether one is set.
func (s *Store) Target(ctx context.Context, year int) (float64, bool, error) {
	var ts []float64
	if err := s.db.WithContext(ctx).Raw(`SELECT target FROM ipasn_targets WHERE year = ?`, year).Scan(&ts).Error; err != nil {
		return 0, false, apperr.Internal(fmt.Errorf("load target: %w", err))
	}
	if len(ts) == 0 {
		return 0, false, nil
	}
	return Round2(ts[0]), true, nil
}

// Targets lists every target set, by year.
func (s *Store) Targets(ctx context.Context) ([]Target, error) {
	var out []Target
	if err := s.db.WithContext(ctx).Raw(`SELECT year, target FROM ipasn_targets ORDER BY year`).Scan(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("load targets: %w", err))
	}
	for i := range out {
		out[i].Target = Round2(out[i].Target)
	}
	return out, nil
}

// SetTarget sets (or replaces) the target for the year: above 0 and at most 100, with at
// most 2 decimals. Administrators only; audited.
func (s *Store) SetTarget(ctx context.Context, a domain.Actor, year int, target float64) error {
	if a.Role != domain.RoleAdmin {
		return apperr.Forbidden("Hanya administrator yang boleh menetapkan target IP ASN.")
	}
	if year < 2000 || year > 2100 {
		return apperr.Invalidf("Tahun %d tidak sah.", year).WithFields(map[string]string{"year": "Tahun tidak sah."})
	}
	if !(target > 0 && target <= 100) || Round2(target) != target {
		msg := "Target IP ASN harus lebih dari 0 dan paling tinggi 100, dengan paling banyak 2 desimal."
		return apperr.Invalid(msg).WithFields(map[string]string{"target": msg})
	}
	now := s.db.Now()
	var uid *int64
	if a.UserID != 0 {
		id := a.UserID
		uid = &id
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO ipasn_targets (year, target, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (year) DO UPDATE SET target = excluded.target, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			year, target, uid, now).Error; err != nil {
			return apperr.Internal(fmt.Errorf("set target: %w", err))
		}
		if err := audit.Record(tx, now, a, AuditActionSetTarget, fmt.Sprintf("ipasn_targets/%d", year), num(target)); err != nil {
			return apperr.Internal(fmt.Errorf("audit: %w", err))
		}
		return nil
	})
}

func uniqueSorted(ids []int64) []int64 {
	out := append([]int64(nil), ids...)
	sortInt64(out)
	j := 0
	for i, id := range out {
		if i == 0 || id != out[j-1] {
			out[j] = id
			j++
		}
	}
	return out[:j]
}

func sortInt64(s []int64) { slices.Sort(s) }

// sortedKeysInt returns the keys of m in increasing order.
func sortedKeysInt(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
