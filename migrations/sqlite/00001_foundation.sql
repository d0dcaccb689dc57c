-- +goose Up
-- Foundation schema (SQLite twin): the agency, its OPDs and employees, user accounts, server-side
-- sessions, import runs and an append-only audit log. Keep the PostgreSQL original in step:
-- migrations/postgres/00001_foundation.sql has the same tables and columns.

CREATE TABLE agency (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    name            TEXT NOT NULL DEFAULT '',
    bkpsdm_name     TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    head_name       TEXT NOT NULL DEFAULT '',
    head_nip        TEXT NOT NULL DEFAULT '',
    head_title      TEXT NOT NULL DEFAULT '',
    head_rank       TEXT NOT NULL DEFAULT '',
    logo            BLOB,
    logo_type       TEXT NOT NULL DEFAULT '',
    updated_at      DATETIME NOT NULL
);

CREATE TABLE opds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent      TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX opds_code_key ON opds (code);

CREATE TABLE employees (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    nip              TEXT NOT NULL,
    name             TEXT NOT NULL,
    front_title      TEXT NOT NULL DEFAULT '',
    back_title       TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('PNS', 'PPPK')),
    opd_id           INTEGER NOT NULL REFERENCES opds (id),
    position         TEXT NOT NULL DEFAULT '',
    position_kind    TEXT NOT NULL CHECK (position_kind IN ('struktural', 'fungsional', 'pelaksana')),
    eselon           TEXT NOT NULL DEFAULT '',
    jf_name          TEXT NOT NULL DEFAULT '',
    education_level  TEXT NOT NULL DEFAULT '',
    active           INTEGER NOT NULL DEFAULT 1,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE UNIQUE INDEX employees_nip_key ON employees (nip);
CREATE INDEX employees_opd_idx ON employees (opd_id, name);
CREATE INDEX employees_name_idx ON employees (name COLLATE NOCASE);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT NOT NULL,
    display_name    TEXT NOT NULL DEFAULT '',
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'verifikator', 'penandatangan', 'opd', 'pegawai')),
    opd_id          INTEGER REFERENCES opds (id),
    nip             TEXT NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1,
    password_changed_at DATETIME NOT NULL,
    last_login_at   DATETIME,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    ip            TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    last_seen_at  DATETIME NOT NULL,
    expires_at    DATETIME NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Failed sign-ins counted per user name, whether or not the account exists, so that a
-- lock-out says nothing about which accounts exist.
CREATE TABLE login_throttle (
    username      TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL DEFAULT 0,
    last_failure  DATETIME NOT NULL,
    locked_until  DATETIME
);

CREATE TABLE import_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL DEFAULT '',
    file_sha256 TEXT NOT NULL DEFAULT '',
    user_id     INTEGER REFERENCES users (id),
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    committed   INTEGER NOT NULL DEFAULT 0,
    report      TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          DATETIME NOT NULL,
    user_id     INTEGER,
    username    TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE import_runs;
DROP TABLE login_throttle;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE employees;
DROP TABLE opds;
DROP TABLE agency;
