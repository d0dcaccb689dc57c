// Package migrations holds the versioned SQL schema of Sertika, one folder per SQL dialect
// (postgres/ and sqlite/) with the same version numbers, embedded into the binary and applied
// with goose by internal/database. A test (internal/database) proves that both dialects reach
// the same tables and columns.
package migrations

import "embed"

// Postgres holds the PostgreSQL migrations under the folder "postgres".
//
//go:embed postgres/*.sql
var Postgres embed.FS

// SQLite holds the SQLite migrations under the folder "sqlite".
//
//go:embed sqlite/*.sql
var SQLite embed.FS
