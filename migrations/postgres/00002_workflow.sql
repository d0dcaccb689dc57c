-- +goose Up
-- Approval workflow: requests for competency development (usulan), their participants and
-- realisation report, an append-only history of every transition, attachments stored by
-- content hash, gap-free yearly number counters and in-app notifications.
-- Keep migrations/sqlite/00002_workflow.sql in step (same tables and columns).

ALTER TABLE agency ADD COLUMN recommendation_pattern TEXT NOT NULL DEFAULT '800.1/{seq}/BKPSDM/{year}';

CREATE TABLE dev_requests (
    id                     BIGSERIAL PRIMARY KEY,
    opd_id                 BIGINT NOT NULL REFERENCES opds (id),
    title                  TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    level                  TEXT NOT NULL DEFAULT '',
    classroom              BOOLEAN NOT NULL,
    organizer_type         TEXT NOT NULL,
    organizer_name         TEXT NOT NULL DEFAULT '',
    place                  TEXT NOT NULL DEFAULT '',
    online                 BOOLEAN NOT NULL DEFAULT FALSE,
    start_date             DATE NOT NULL,
    end_date               DATE NOT NULL,
    jp                     INTEGER NOT NULL CHECK (jp > 0),
    jp_note                TEXT NOT NULL DEFAULT '',
    objectives             TEXT NOT NULL DEFAULT '',
    competencies           TEXT NOT NULL DEFAULT '',
    budget_source          TEXT NOT NULL DEFAULT '',
    retroactive            BOOLEAN NOT NULL DEFAULT FALSE,
    state                  TEXT NOT NULL,
    version                INTEGER NOT NULL DEFAULT 1,
    recommendation_number  TEXT,
    recommendation_year    INTEGER,
    recommendation_seq     INTEGER,
    recommendation_date    DATE,
    decided_by             BIGINT REFERENCES users (id),
    decision_note          TEXT NOT NULL DEFAULT '',
    report_note            TEXT NOT NULL DEFAULT '',
    report_verified_by     BIGINT REFERENCES users (id),
    created_by             BIGINT REFERENCES users (id),
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL,
    submitted_at           TIMESTAMPTZ,
    CHECK (end_date >= start_date)
);
CREATE INDEX dev_requests_opd_state_idx ON dev_requests (opd_id, state);
CREATE INDEX dev_requests_state_idx ON dev_requests (state, submitted_at);
CREATE UNIQUE INDEX dev_requests_recommendation_key ON dev_requests (recommendation_number);
CREATE UNIQUE INDEX dev_requests_recommendation_seq_key ON dev_requests (recommendation_year, recommendation_seq);

CREATE TABLE dev_request_participants (
    request_id      BIGINT NOT NULL REFERENCES dev_requests (id),
    employee_id     BIGINT NOT NULL REFERENCES employees (id),
    planned         BOOLEAN NOT NULL DEFAULT TRUE,
    dropped         BOOLEAN NOT NULL DEFAULT FALSE,
    change_reason   TEXT NOT NULL DEFAULT '',
    attended        BOOLEAN,
    passed          BOOLEAN,
    score           TEXT NOT NULL DEFAULT '',
    jp_actual       INTEGER,
    PRIMARY KEY (request_id, employee_id)
);
CREATE INDEX dev_request_participants_employee_idx ON dev_request_participants (employee_id);

CREATE TABLE dev_request_events (
    id          BIGSERIAL PRIMARY KEY,
    request_id  BIGINT NOT NULL REFERENCES dev_requests (id),
    at          TIMESTAMPTZ NOT NULL,
    user_id     BIGINT REFERENCES users (id),
    username    TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL DEFAULT '',
    to_state    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dev_request_events_request_idx ON dev_request_events (request_id, id);

CREATE TABLE attachments (
    id            BIGSERIAL PRIMARY KEY,
    request_id    BIGINT NOT NULL REFERENCES dev_requests (id),
    purpose       TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    uploaded_by   BIGINT REFERENCES users (id),
    uploaded_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachments_request_idx ON attachments (request_id);

CREATE TABLE number_counters (
    scope     TEXT NOT NULL,
    year      INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    PRIMARY KEY (scope, year)
);

CREATE TABLE notifications (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    request_id  BIGINT REFERENCES dev_requests (id),
    message     TEXT NOT NULL,
    link        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    read_at     TIMESTAMPTZ
);
CREATE INDEX notifications_user_idx ON notifications (user_id, read_at);

-- History and audit rows are facts: never updated, never deleted.
-- +goose StatementBegin
CREATE FUNCTION sertika_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER dev_request_events_append_only BEFORE UPDATE OR DELETE ON dev_request_events
    FOR EACH ROW EXECUTE FUNCTION sertika_append_only();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION sertika_append_only();

-- +goose Down
DROP TRIGGER audit_log_append_only ON audit_log;
DROP TRIGGER dev_request_events_append_only ON dev_request_events;
DROP FUNCTION sertika_append_only();
DROP TABLE notifications;
DROP TABLE number_counters;
DROP TABLE attachments;
DROP TABLE dev_request_events;
DROP TABLE dev_request_participants;
DROP TABLE dev_requests;
ALTER TABLE agency DROP COLUMN recommendation_pattern;
