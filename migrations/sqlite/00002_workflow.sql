-- +goose Up
-- Approval workflow: requests for competency development (usulan), their participants and
-- realisation report, an append-only history of every transition, attachments stored by
-- content hash, gap-free yearly number counters and in-app notifications.
-- SQLite twin of migrations/postgres/00002_workflow.sql; keep them in step (same tables and columns).

ALTER TABLE agency ADD COLUMN recommendation_pattern TEXT NOT NULL DEFAULT '800.1/{seq}/BKPSDM/{year}';

CREATE TABLE dev_requests (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    opd_id                 INTEGER NOT NULL REFERENCES opds (id),
    title                  TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    level                  TEXT NOT NULL DEFAULT '',
    classroom              INTEGER NOT NULL,
    organizer_type         TEXT NOT NULL,
    organizer_name         TEXT NOT NULL DEFAULT '',
    place                  TEXT NOT NULL DEFAULT '',
    online                 INTEGER NOT NULL DEFAULT 0,
    start_date             TEXT NOT NULL,
    end_date               TEXT NOT NULL,
    jp                     INTEGER NOT NULL CHECK (jp > 0),
    jp_note                TEXT NOT NULL DEFAULT '',
    objectives             TEXT NOT NULL DEFAULT '',
    competencies           TEXT NOT NULL DEFAULT '',
    budget_source          TEXT NOT NULL DEFAULT '',
    retroactive            INTEGER NOT NULL DEFAULT 0,
    state                  TEXT NOT NULL,
    version                INTEGER NOT NULL DEFAULT 1,
    recommendation_number  TEXT,
    recommendation_year    INTEGER,
    recommendation_seq     INTEGER,
    recommendation_date    TEXT,
    decided_by             INTEGER REFERENCES users (id),
    decision_note          TEXT NOT NULL DEFAULT '',
    report_note            TEXT NOT NULL DEFAULT '',
    report_verified_by     INTEGER REFERENCES users (id),
    created_by             INTEGER REFERENCES users (id),
    created_at             DATETIME NOT NULL,
    updated_at             DATETIME NOT NULL,
    submitted_at           DATETIME,
    CHECK (end_date >= start_date)
);
CREATE INDEX dev_requests_opd_state_idx ON dev_requests (opd_id, state);
CREATE INDEX dev_requests_state_idx ON dev_requests (state, submitted_at);
CREATE UNIQUE INDEX dev_requests_recommendation_key ON dev_requests (recommendation_number);
CREATE UNIQUE INDEX dev_requests_recommendation_seq_key ON dev_requests (recommendation_year, recommendation_seq);

CREATE TABLE dev_request_participants (
    request_id      INTEGER NOT NULL REFERENCES dev_requests (id),
    employee_id     INTEGER NOT NULL REFERENCES employees (id),
    planned         INTEGER NOT NULL DEFAULT 1,
    dropped         INTEGER NOT NULL DEFAULT 0,
    change_reason   TEXT NOT NULL DEFAULT '',
    attended        INTEGER,
    passed          INTEGER,
    score           TEXT NOT NULL DEFAULT '',
    jp_actual       INTEGER,
    PRIMARY KEY (request_id, employee_id)
);
CREATE INDEX dev_request_participants_employee_idx ON dev_request_participants (employee_id);

CREATE TABLE dev_request_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  INTEGER NOT NULL REFERENCES dev_requests (id),
    at          DATETIME NOT NULL,
    user_id     INTEGER REFERENCES users (id),
    username    TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL DEFAULT '',
    to_state    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dev_request_events_request_idx ON dev_request_events (request_id, id);

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id    INTEGER NOT NULL REFERENCES dev_requests (id),
    purpose       TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    uploaded_by   INTEGER REFERENCES users (id),
    uploaded_at   DATETIME NOT NULL
);
CREATE INDEX attachments_request_idx ON attachments (request_id);

CREATE TABLE number_counters (
    scope     TEXT NOT NULL,
    year      INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    PRIMARY KEY (scope, year)
);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    request_id  INTEGER REFERENCES dev_requests (id),
    message     TEXT NOT NULL,
    link        TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    read_at     DATETIME
);
CREATE INDEX notifications_user_idx ON notifications (user_id, read_at);

-- History and audit rows are facts: never updated, never deleted.
-- +goose StatementBegin
CREATE TRIGGER dev_request_events_no_update BEFORE UPDATE ON dev_request_events
BEGIN SELECT RAISE(ABORT, 'table dev_request_events is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dev_request_events_no_delete BEFORE DELETE ON dev_request_events
BEGIN SELECT RAISE(ABORT, 'table dev_request_events is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'table audit_log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'table audit_log is append-only'); END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TRIGGER dev_request_events_no_delete;
DROP TRIGGER dev_request_events_no_update;
DROP TABLE notifications;
DROP TABLE number_counters;
DROP TABLE attachments;
DROP TABLE dev_request_events;
DROP TABLE dev_request_participants;
DROP TABLE dev_requests;
ALTER TABLE agency DROP COLUMN recommendation_pattern;
