-- +goose Up
-- Certificates: the signing keys' public halves (private keys live in files, never here),
-- the certificates themselves, and a hash-chained, append-only log of every issuance,
-- revocation, re-issue and key event. SQLite twin of migrations/postgres/00003_certificates.sql; keep them in step.

ALTER TABLE agency ADD COLUMN issuer_code TEXT NOT NULL DEFAULT 'BKPSDM';
ALTER TABLE agency ADD COLUMN certificate_pattern TEXT NOT NULL DEFAULT '800.1/{seq}/SERT/BKPSDM/{year}';

CREATE TABLE signing_keys (
    kid             TEXT PRIMARY KEY,
    public_key      TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('active', 'retired', 'compromised')),
    valid_from      DATETIME NOT NULL,
    retired_at      DATETIME,
    compromised_at  DATETIME,
    file_name       TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL
);
-- At most one active key.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (state) WHERE state = 'active';

CREATE TABLE certificates (
    id                     TEXT PRIMARY KEY,
    number                 TEXT NOT NULL,
    year                   INTEGER NOT NULL,
    seq                    INTEGER NOT NULL,
    status_index           INTEGER NOT NULL,
    request_id             INTEGER NOT NULL REFERENCES dev_requests (id),
    employee_id            INTEGER NOT NULL REFERENCES employees (id),
    nip                    TEXT NOT NULL,
    holder_name            TEXT NOT NULL,
    position               TEXT NOT NULL DEFAULT '',
    opd_name               TEXT NOT NULL DEFAULT '',
    title                  TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    level                  TEXT NOT NULL DEFAULT '',
    organizer              TEXT NOT NULL DEFAULT '',
    start_date             TEXT NOT NULL,
    end_date               TEXT NOT NULL,
    jp                     INTEGER NOT NULL,
    recommendation_number  TEXT NOT NULL DEFAULT '',
    place                  TEXT NOT NULL DEFAULT '',
    issued_at              DATETIME NOT NULL,
    issuer_code            TEXT NOT NULL,
    signer_id              INTEGER REFERENCES users (id),
    signer_name            TEXT NOT NULL,
    signer_nip             TEXT NOT NULL DEFAULT '',
    signer_title           TEXT NOT NULL DEFAULT '',
    signer_rank            TEXT NOT NULL DEFAULT '',
    kid                    TEXT NOT NULL REFERENCES signing_keys (kid),
    token                  TEXT NOT NULL,
    digest                 TEXT NOT NULL,
    state                  TEXT NOT NULL CHECK (state IN ('valid', 'revoked')),
    revoked_at             DATETIME,
    revoke_reason          TEXT NOT NULL DEFAULT '',
    revoke_note            TEXT NOT NULL DEFAULT '',
    revoked_by             INTEGER REFERENCES users (id),
    replaces               TEXT REFERENCES certificates (id),
    replaced_by            TEXT REFERENCES certificates (id),
    created_at             DATETIME NOT NULL
);
CREATE UNIQUE INDEX certificates_number_key ON certificates (number);
CREATE UNIQUE INDEX certificates_year_seq_key ON certificates (year, seq);
CREATE UNIQUE INDEX certificates_status_index_key ON certificates (status_index);
-- One live certificate per activity and holder.
CREATE UNIQUE INDEX certificates_live_key ON certificates (request_id, employee_id) WHERE state = 'valid';
CREATE INDEX certificates_nip_idx ON certificates (nip);
CREATE INDEX certificates_request_idx ON certificates (request_id);
CREATE INDEX certificates_employee_idx ON certificates (employee_id, end_date);

-- The issuance log: each row carries the hash of the previous one, so any change or
-- deletion breaks the chain (sertika audit verify finds the first broken link).
CREATE TABLE issuance_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          DATETIME NOT NULL,
    user_id     INTEGER,
    username    TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE UNIQUE INDEX issuance_log_prev_key ON issuance_log (prev_hash);
-- +goose StatementBegin
CREATE TRIGGER issuance_log_no_update BEFORE UPDATE ON issuance_log
BEGIN SELECT RAISE(ABORT, 'table issuance_log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER issuance_log_no_delete BEFORE DELETE ON issuance_log
BEGIN SELECT RAISE(ABORT, 'table issuance_log is append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER issuance_log_no_delete;
DROP TRIGGER issuance_log_no_update;
DROP TABLE issuance_log;
DROP TABLE certificates;
DROP TABLE signing_keys;
ALTER TABLE agency DROP COLUMN certificate_pattern;
ALTER TABLE agency DROP COLUMN issuer_code;
