// Package testdb gives tests real, migrated databases: a fresh SQLite file and a fresh
// PostgreSQL schema per test. Storage tests run through Each so that every path is exercised
// on both dialects.
//
// PostgreSQL is found at SERTIKA_TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). When it cannot be reached the
// test fails — it never silently skips — unless SERTIKA_TEST_SKIP_POSTGRES=1 is set for a
// quick local run.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/database"
)

// DefaultPostgresURL is the PostgreSQL server used by tests unless
// SERTIKA_TEST_DATABASE_URL says otherwise.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL returns the base URL of the test PostgreSQL server.
func PostgresURL() string {
	if u := os.Getenv("SERTIKA_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// Dialects lists the dialects Each runs, honouring SERTIKA_TEST_SKIP_POSTGRES.
func Dialects() []string {
	if os.Getenv("SERTIKA_TEST_SKIP_POSTGRES") == "1" {
		return []string{database.SQLite}
	}
	return []string{database.SQLite, database.Postgres}
}

// Each runs fn as a subtest once per dialect, each with its own fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) {
			fn(t, New(t, d))
		})
	}
}

// New returns a fresh, migrated database of the dialect, closed (and for PostgreSQL,
// dropped) when the test ends.
func New(tb testing.TB, dialect string) *database.DB {
	tb.Helper()
	return NewWithClock(tb, dialect, nil)
}

// NewWithClock is New with an injected clock.
func NewWithClock(tb testing.TB, dialect string, now func() time.Time) *database.DB {
	tb.Helper()
	u := URL(tb, dialect)
	db, err := database.Open(context.Background(), u, database.Options{Now: now})
	if err != nil {
		tb.Fatalf("open %s: %v", dialect, err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate %s: %v", dialect, err)
	}
	return db
}

// URL creates an empty database of the dialect (a temporary SQLite file, or a new
// PostgreSQL schema dropped at cleanup) and returns its URL, unmigrated.
func URL(tb testing.TB, dialect string) string {
	tb.Helper()
	if dialect == database.SQLite {
		return "sqlite://" + filepath.Join(tb.TempDir(), "test.db")
	}
	base := PostgresURL()
	admin, err := database.Open(context.Background(), base, database.Options{})
	if err != nil {
		tb.Fatalf("PostgreSQL is required for this test and is not reachable at %s: %v "+
			"(start it, or set SERTIKA_TEST_SKIP_POSTGRES=1 for a SQLite-only local run)", database.Redact(base), err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if err := admin.Gorm.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin.Gorm.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	pu, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", base, err)
	}
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	return pu.String()
}
