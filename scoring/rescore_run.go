package scoring

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/audit"
	"github.com/sertika/sertika/internal/domain"
)

// AuditActionRescore is the audit-log action of a rescore of every employee started by a
// user (from the administrator's page or the API; the CLI's `sertika rescore` is an
// operator's tool and leaves no entry).
const AuditActionRescore = "score.rescore_all"

// Years an administrator may rescore (the CLI's --year accepts the same range).
const (
	MinRescoreYear = 2000
	MaxRescoreYear = 2100
)

// CheckRescoreYear refuses a measurement year outside MinRescoreYear–MaxRescoreYear; 0 (the
// current year) passes.
func CheckRescoreYear(year int) error {
	if year != 0 && (year < MinRescoreYear || year > MaxRescoreYear) {
		return apperr.Invalidf("Tahun pengukuran harus antara %d dan %d.", MinRescoreYear, MaxRescoreYear)
	}
	return nil
}

// RescoreAllAs runs RescoreAll for an administrator and records the run in the audit log —
// who, the year, whether it was forced, and the outcome (the counts, or that it failed) —
// whether it succeeds or not. The entry is written after the run, outside its (chunked)
// writes, and even when ctx has been cancelled meanwhile.
func (s *Store) RescoreAllAs(ctx context.Context, a domain.Actor, opt RescoreOptions) (RescoreResult, error) {
	if a.Role != domain.RoleAdmin {
		return RescoreResult{}, apperr.Forbidden("Hanya administrator yang dapat menghitung ulang semua skor.")
	}
	if err := CheckRescoreYear(opt.Year); err != nil {
		return RescoreResult{}, err
	}
	res, err := s.RescoreAll(ctx, opt)
	detail := fmt.Sprintf("tahun=%d paksa=%t aturan=%s", res.Year, opt.Force, s.rs.ID)
	if err != nil {
		// The cause is logged by the caller; the entry says that it failed and how far it got.
		detail += fmt.Sprintf(" hasil=gagal pegawai=%d ditulis=%d", res.Employees, res.Written)
		if ctx.Err() != nil {
			detail += " (dihentikan)"
		}
	} else {
		detail += fmt.Sprintf(" hasil=selesai pegawai=%d ditulis=%d tidak_berubah=%d dilewati=%d detik=%.1f",
			res.Employees, res.Written, res.Unchanged, res.Skipped, res.Elapsed.Seconds())
	}
	actx := context.WithoutCancel(ctx)
	if aerr := audit.Record(s.db.Gorm.WithContext(actx), s.db.Now(), a, AuditActionRescore,
		fmt.Sprintf("scores/%d", res.Year), strings.TrimSpace(detail)); aerr != nil && err == nil {
		err = fmt.Errorf("rescore: audit: %w", aerr)
	}
	return res, err
}

// Coverage is how far a year's stored scores reach, shown before a rescore is started.
type Coverage struct {
	Year   int
	Active int64 // active employees
	Scored int64 // of those, with a stored score for the year
	// LastComputed is the newest computed_at of the year's scores (nil when none).
	LastComputed *time.Time
}

// RescoreCoverage counts the active employees and those with a stored score for the year
// (0: the current year), and when the newest of them was computed.
func (s *Store) RescoreCoverage(ctx context.Context, year int) (Coverage, error) {
	if err := CheckRescoreYear(year); err != nil {
		return Coverage{}, err
	}
	if year == 0 {
		year = s.CurrentYear()
	}
	cv := Coverage{Year: year}
	db := s.db.WithContext(ctx)
	if err := db.Raw(`SELECT COUNT(*) FROM employees WHERE active = ?`, true).Scan(&cv.Active).Error; err != nil {
		return cv, apperr.Internal(fmt.Errorf("coverage: %w", err))
	}
	if err := db.Raw(`SELECT COUNT(*) FROM scores s JOIN employees e ON e.id = s.employee_id WHERE s.year = ? AND e.active = ?`,
		year, true).Scan(&cv.Scored).Error; err != nil {
		return cv, apperr.Internal(fmt.Errorf("coverage: %w", err))
	}
	// The column itself rather than MAX(): SQLite returns an aggregate of a timestamp as text.
	var last []time.Time
	if err := db.Raw(`SELECT computed_at FROM scores WHERE year = ? ORDER BY computed_at DESC LIMIT 1`, year).Scan(&last).Error; err != nil {
		return cv, apperr.Internal(fmt.Errorf("coverage: %w", err))
	}
	if len(last) == 1 {
		cv.LastComputed = &last[0]
	}
	return cv, nil
}
