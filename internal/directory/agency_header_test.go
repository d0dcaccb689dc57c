package directory_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/testdb"
)

// sqlRecorder is a GORM logger that keeps every statement's SQL.
type sqlRecorder struct {
	mu  sync.Mutex
	sql []string
}

func (r *sqlRecorder) LogMode(logger.LogLevel) logger.Interface      { return r }
func (r *sqlRecorder) Info(context.Context, string, ...interface{})  {}
func (r *sqlRecorder) Warn(context.Context, string, ...interface{})  {}
func (r *sqlRecorder) Error(context.Context, string, ...interface{}) {}
func (r *sqlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	s, _ := fc()
	r.mu.Lock()
	r.sql = append(r.sql, s)
	r.mu.Unlock()
}

// TestAgencyHeader: the header every page shows agrees with the full agency row, before and
// after an administrator sets it and uploads a logo, and its query never reads the logo.
func TestAgencyHeader(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		rec := &sqlRecorder{}
		traced := *db
		traced.Gorm = db.Gorm.Session(&gorm.Session{Logger: rec})
		s := directory.New(&traced)
		check := func(t *testing.T, wantLogo bool) {
			t.Helper()
			rec.mu.Lock()
			rec.sql = nil
			rec.mu.Unlock()
			h, err := s.GetAgencyHeader(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ag, err := directory.New(db).GetAgency(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if h.Name != ag.Name || h.BKPSDMName != ag.BKPSDMName || h.City != ag.City || h.HeadName != ag.HeadName ||
				h.HeadTitle != ag.HeadTitle || !h.UpdatedAt.Equal(ag.UpdatedAt) || h.Logo != wantLogo || h.Logo != (len(ag.Logo) > 0) {
				t.Errorf("header = %+v; agency %q %q %q %q %q %s, logo %d bytes", h, ag.Name, ag.BKPSDMName, ag.City, ag.HeadName,
					ag.HeadTitle, ag.UpdatedAt, len(ag.Logo))
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.sql) != 1 {
				t.Fatalf("statements = %q, want one", rec.sql)
			}
			// The logo appears only inside the test for its presence, never as a column read.
			q := regexp.MustCompile(`length\(logo\)|logo IS NULL`).ReplaceAllString(rec.sql[0], "")
			if strings.Contains(q, "*") || strings.Contains(q, "logo,") || strings.Contains(q, " logo ") || strings.Contains(q, "logo_type") {
				t.Errorf("header query reads the logo: %s", rec.sql[0])
			}
		}
		t.Run("before set", func(t *testing.T) { check(t, false) })
		if _, err := directory.New(db).UpdateAgency(ctx, admin, validAgency, nil); err != nil {
			t.Fatal(err)
		}
		t.Run("set, no logo", func(t *testing.T) { check(t, false) })
		if _, err := directory.New(db).UpdateAgency(ctx, admin, validAgency, MustPNG(t)); err != nil {
			t.Fatal(err)
		}
		t.Run("with a logo", func(t *testing.T) { check(t, true) })
	})
}
