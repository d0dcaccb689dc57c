package directory

import (
	"context"
	"fmt"
	"time"

	"github.com/sertika/sertika/internal/apperr"
)

// AgencyHeader is what every page shows of the agency: its names, whether it has a logo and
// when it last changed (the logo's address carries it, so browsers cache the logo). It
// leaves out the logo itself, up to MaxLogoBytes that a page would read and drop.
type AgencyHeader struct {
	Name       string
	BKPSDMName string `gorm:"column:bkpsdm_name"`
	City       string
	HeadName   string
	HeadTitle  string
	// Logo reports whether a logo was uploaded (a bool, so templates written for
	// domain.Agency's bytes — {{if .Logo}} — read the same).
	Logo      bool `gorm:"column:has_logo"`
	UpdatedAt time.Time
}

// GetAgencyHeader returns the agency's header data (an empty one before an administrator
// sets it), reading only the columns it holds. Everyone may read it.
func (s *Service) GetAgencyHeader(ctx context.Context) (AgencyHeader, error) {
	var rows []AgencyHeader
	// CASE rather than a boolean expression: both databases then return an integer.
	err := s.db.WithContext(ctx).Raw(`SELECT name, bkpsdm_name, city, head_name, head_title, updated_at,
		CASE WHEN logo IS NULL OR length(logo) = 0 THEN 0 ELSE 1 END AS has_logo
		FROM agency WHERE id = 1`).Scan(&rows).Error
	if err != nil {
		return AgencyHeader{}, apperr.Internal(fmt.Errorf("get agency header: %w", err))
	}
	if len(rows) == 0 {
		return AgencyHeader{}, nil
	}
	return rows[0], nil
}
