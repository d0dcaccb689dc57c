// Package database opens Sertika's database — embedded SQLite by default, PostgreSQL when the
// URL says so — applies the embedded goose migrations, and runs transactions.
//
// SQLite is opened through a pure-Go driver (no cgo, so the binary stays static) with WAL,
// foreign keys, a busy timeout and immediate write transactions, which is what lets several
// readers and one writer share the file without "database is locked" errors.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/sertika/sertika/migrations"
)

// Dialects.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// SQLiteMaxParams is the number of bound parameters one SQLite statement takes with the
// bundled driver (SQLite's SQLITE_MAX_VARIABLE_NUMBER, 32766 since 3.32). A test checks it;
// batch sizes are chosen to stay well under it (and under PostgreSQL's 65535).
const SQLiteMaxParams = 32766

// DB is an open database.
type DB struct {
	Gorm    *gorm.DB
	SQL     *sql.DB
	Dialect string
	Now     func() time.Time
}

// Options tune Open.
type Options struct {
	Now    func() time.Time // clock; defaults to time.Now
	Logger *slog.Logger     // slow and failing queries are logged here
}

// IsPostgresURL reports whether a database URL selects PostgreSQL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// SQLiteURL returns the database URL of the SQLite file inside a data directory.
func SQLiteURL(dataDir string) string {
	return "sqlite://" + filepath.Join(dataDir, "sertika.db")
}

// Open opens the database named by url: postgres://… for PostgreSQL, sqlite://PATH or a bare
// path for SQLite (the parent directory is created).
func Open(ctx context.Context, dbURL string, opt Options) (*DB, error) {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	cfg := &gorm.Config{
		NowFunc:                func() time.Time { return UTC(now()) },
		Logger:                 newGormLogger(log),
		SkipDefaultTransaction: true,
		TranslateError:         true,
	}
	var (
		g       *gorm.DB
		err     error
		dialect string
	)
	if IsPostgresURL(dbURL) {
		dialect = Postgres
		g, err = gorm.Open(postgres.Open(dbURL), cfg)
	} else {
		dialect = SQLite
		path := strings.TrimPrefix(strings.TrimPrefix(dbURL, "sqlite://"), "file:")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if path == "" {
			return nil, errors.New("database: empty SQLite path")
		}
		if path != ":memory:" {
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
		}
		// Do not add _time_format: this driver version stops reading options after it, which
		// silently drops _txlock (its default time format is already SQLite's own).
		dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
			"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
			"&_pragma=synchronous(NORMAL)&_txlock=immediate"
		g, err = gorm.Open(sqlite.Open(dsn), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	if dialect == SQLite {
		// One writer at a time is SQLite's nature; a small pool lets readers proceed under WAL.
		sqlDB.SetMaxOpenConns(4)
		sqlDB.SetMaxIdleConns(4)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	return &DB{Gorm: g, SQL: sqlDB, Dialect: dialect, Now: func() time.Time { return UTC(now()) }}, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.SQL.Close() }

// UTC returns t in UTC truncated to microseconds, the precision both databases keep.
func UTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// WithContext returns a GORM session bound to ctx.
func (db *DB) WithContext(ctx context.Context) *gorm.DB { return db.Gorm.WithContext(ctx) }

// Tx runs fn in one transaction: committed when fn returns nil, rolled back otherwise
// (also on panic).
func (db *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return db.Gorm.WithContext(ctx).Transaction(fn)
}

func (db *DB) provider() (*goose.Provider, error) {
	var (
		fsys    fs.FS
		dialect goose.Dialect
		err     error
	)
	if db.Dialect == Postgres {
		fsys, err = fs.Sub(migrations.Postgres, "postgres")
		dialect = goose.DialectPostgres
	} else {
		fsys, err = fs.Sub(migrations.SQLite, "sqlite")
		dialect = goose.DialectSQLite3
	}
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, db.SQL, fsys)
}

// Migrate applies every pending migration and returns the versions it applied.
func (db *DB) Migrate(ctx context.Context) ([]int64, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var applied []int64
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// MigrationStatus is the state of one migration.
type MigrationStatus struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Status lists every known migration and whether it is applied.
func (db *DB) Status(ctx context.Context) ([]MigrationStatus, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{
			Version:   s.Source.Version,
			Name:      filepath.Base(s.Source.Path),
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// Ready reports an error when the database is unreachable or migrations are pending.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.SQL.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	p, err := db.provider()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("migration state: %w", err)
	}
	if pending {
		return errors.New("migrations pending")
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique-constraint violation in either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// Redact returns a database URL with its password replaced, fit for logs.
func Redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil || u.User == nil {
		return dbURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

type gormLogger struct {
	log  *slog.Logger
	slow time.Duration
}

func newGormLogger(l *slog.Logger) logger.Interface {
	return &gormLogger{log: l, slow: 500 * time.Millisecond}
}

func (g *gormLogger) LogMode(logger.LogLevel) logger.Interface { return g }
func (g *gormLogger) Info(ctx context.Context, msg string, a ...any) {
	g.log.InfoContext(ctx, fmt.Sprintf(msg, a...))
}
func (g *gormLogger) Warn(ctx context.Context, msg string, a ...any) {
	g.log.WarnContext(ctx, fmt.Sprintf(msg, a...))
}
func (g *gormLogger) Error(ctx context.Context, msg string, a ...any) {
	g.log.ErrorContext(ctx, fmt.Sprintf(msg, a...))
}

// Trace logs failing and slow statements. The SQL text is logged without bound values, so
// personal data and secrets in parameters never reach the log.
func (g *gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	el := time.Since(begin)
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && !errors.Is(err, context.Canceled):
		g.log.DebugContext(ctx, "sql error", "err", err, "elapsed", el)
	case el > g.slow:
		sqlText, rows := fc()
		if i := strings.IndexAny(sqlText, "'"); i > 0 {
			sqlText = sqlText[:i] + "…"
		}
		g.log.WarnContext(ctx, "slow sql", "elapsed", el, "rows", rows, "sql", truncate(sqlText, 200))
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
