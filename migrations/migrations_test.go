package migrations_test

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/migrations"
)

// Both dialects have the same migrations: the same versions under the same names.
func TestDialectsAreTwins(t *testing.T) {
	names := func(fsys fs.FS, dir string) []string {
		t.Helper()
		out, err := fs.Glob(fsys, dir+"/*.sql")
		if err != nil {
			t.Fatal(err)
		}
		for i := range out {
			out[i] = strings.TrimPrefix(out[i], dir+"/")
		}
		return out
	}
	pg, lite := names(migrations.Postgres, "postgres"), names(migrations.SQLite, "sqlite")
	if len(pg) == 0 || !reflect.DeepEqual(pg, lite) {
		t.Errorf("migrations differ:\npostgres: %v\nsqlite:   %v", pg, lite)
	}
}

// An object's audit entries, in order, are read through the index on the object
// (00007_audit_object_index.sql), not by scanning the log.
func TestAuditLogReadByObjectUsesIndex(t *testing.T) {
	const query = `SELECT id, action, detail FROM audit_log WHERE object = 'external_trainings/12' ORDER BY id`
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		var plan []string
		err := db.Gorm.Transaction(func(tx *gorm.DB) error {
			if db.Dialect == database.Postgres {
				// The table is empty: left alone, the planner rightly prefers a scan of the
				// table (or a bitmap of the index, sorted after).
				for _, off := range []string{"enable_seqscan", "enable_bitmapscan"} {
					if err := tx.Exec(`SET LOCAL ` + off + ` = off`).Error; err != nil {
						return err
					}
				}
				return tx.Raw(`EXPLAIN ` + query).Scan(&plan).Error
			}
			var rows []struct{ Detail string }
			err := tx.Raw(`EXPLAIN QUERY PLAN ` + query).Scan(&rows).Error
			for _, r := range rows {
				plan = append(plan, r.Detail)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "audit_log_object_idx") {
			t.Errorf("plan does not use audit_log_object_idx:\n%s", text)
		}
		if strings.Contains(text, "Sort") || strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("plan sorts instead of reading in index order:\n%s", text)
		}
	})
}
