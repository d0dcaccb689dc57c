package database_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/testdb"
)

// columns returns table → sorted column names of the application tables.
func columns(t *testing.T, db *database.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	var rows []struct{ T, C string }
	var err error
	if db.Dialect == database.Postgres {
		err = db.Gorm.Raw(`SELECT table_name AS t, column_name AS c FROM information_schema.columns
			WHERE table_schema = current_schema()`).Scan(&rows).Error
	} else {
		err = db.Gorm.Raw(`SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`).Scan(&rows).Error
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.T == "goose_db_version" {
			continue
		}
		out[r.T] = append(out[r.T], r.C)
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// Both dialects' migrations must produce the same tables with the same columns.
func TestSchemaParity(t *testing.T) {
	if len(testdb.Dialects()) < 2 {
		t.Skip("PostgreSQL disabled by SERTIKA_TEST_SKIP_POSTGRES")
	}
	lite := columns(t, testdb.New(t, database.SQLite))
	pg := columns(t, testdb.New(t, database.Postgres))
	if len(lite) == 0 {
		t.Fatal("no tables after migration")
	}
	// The one exception: SQLite's precomputed dashboard aggregates, kept by triggers
	// (migrations/sqlite/00009_score_summaries.sql); PostgreSQL serves the dashboards from
	// an index instead.
	if _, ok := lite["score_summaries"]; !ok {
		t.Error("SQLite lacks score_summaries")
	}
	delete(lite, "score_summaries")
	if !reflect.DeepEqual(lite, pg) {
		t.Errorf("schemas differ:\nsqlite:   %v\npostgres: %v", lite, pg)
	}
}

func TestMigrateIdempotentAndStatus(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v, err %v; want nothing", applied, err)
		}
		st, err := db.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) == 0 || !st[0].Applied || st[0].Version != 1 {
			t.Errorf("status = %+v, want version 1 applied", st)
		}
		if err := db.Ready(ctx); err != nil {
			t.Errorf("ready: %v", err)
		}
	})
}

func TestReadyReportsPendingMigrations(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			db, err := database.Open(context.Background(), testdb.URL(t, d), database.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "pending") {
				t.Errorf("Ready on an unmigrated database = %v, want pending", err)
			}
		})
	}
}

// The bundled SQLite must take SQLiteMaxParams bound parameters in one statement and refuse
// one more: batch sizes elsewhere rely on this limit.
func TestSQLiteBoundParameterLimit(t *testing.T) {
	db := testdb.New(t, database.SQLite)
	query := func(n int) error {
		args := make([]any, n)
		for i := range args {
			args[i] = i
		}
		q := "SELECT count(*) FROM (SELECT 1 WHERE 1 IN (?" + strings.Repeat(",?", n-1) + "))"
		var c int
		return db.Gorm.Raw(q, args...).Scan(&c).Error
	}
	if err := query(database.SQLiteMaxParams); err != nil {
		t.Fatalf("%d parameters: %v", database.SQLiteMaxParams, err)
	}
	if err := query(database.SQLiteMaxParams + 1); err == nil {
		t.Fatalf("%d parameters accepted; the limit changed, revisit batch sizes", database.SQLiteMaxParams+1)
	}
}

func TestSQLitePragmas(t *testing.T) {
	db := testdb.New(t, database.SQLite)
	for pragma, want := range map[string]string{"foreign_keys": "1", "journal_mode": "wal", "busy_timeout": "10000"} {
		var got string
		if err := db.Gorm.Raw("PRAGMA " + pragma).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != want {
			t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	got := database.Redact("postgres://sertika:s3cret@db:5432/sertika?sslmode=disable")
	if strings.Contains(got, "s3cret") {
		t.Errorf("Redact kept the password: %s", got)
	}
}

// SQLite transactions must take the write lock when they begin (BEGIN IMMEDIATE): a
// transaction that reads and then writes could otherwise fail with "database is locked"
// when another writer got in between, instead of waiting its turn.
func TestSQLiteTransactionsBeginImmediate(t *testing.T) {
	db := testdb.New(t, database.SQLite)
	tx := db.Gorm.Begin()
	if tx.Error != nil {
		t.Fatal(tx.Error)
	}
	defer tx.Rollback()
	ctx := context.Background()
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 200"); err != nil {
		t.Fatal(err)
	}
	_, err = conn.ExecContext(ctx, `INSERT INTO opds (code, name, created_at, updated_at) VALUES ('X', 'X', ?, ?)`,
		time.Now(), time.Now())
	if err == nil {
		t.Fatal("a write succeeded while another transaction was open: transactions do not begin immediate")
	}
}
