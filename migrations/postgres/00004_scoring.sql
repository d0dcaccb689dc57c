-- +goose Up
-- Scoring: the facts the IP ASN rules read besides the employee profile (education level,
-- kind of position, eselon, JF: table employees) and Sertika's own certificates (live ones:
-- certificates.state = 'valid'): SKP results, disciplinary penalties and competency
-- development recorded elsewhere; then the stored scores and the yearly targets.
-- Every fact row says where it came from (source, and the import run that wrote it).
-- Keep migrations/sqlite/00004_scoring.sql in step (same tables and columns).

-- Performance appraisals (SKP), one per employee and year: a numeric value (before 2022)
-- or a predikat code (sangat_baik, baik, butuh_perbaikan, kurang, sangat_kurang).
CREATE TABLE skp_results (
    id             BIGSERIAL PRIMARY KEY,
    employee_id    BIGINT NOT NULL REFERENCES employees (id),
    year           INTEGER NOT NULL,
    value          NUMERIC(5,2),
    predikat       TEXT NOT NULL DEFAULT ''
                   CHECK (predikat IN ('', 'sangat_baik', 'baik', 'butuh_perbaikan', 'kurang', 'sangat_kurang')),
    source         TEXT NOT NULL,
    import_run_id  BIGINT REFERENCES import_runs (id),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    CHECK ((value IS NULL) <> (predikat = ''))
);
CREATE UNIQUE INDEX skp_results_employee_year_key ON skp_results (employee_id, year);

-- Disciplinary penalties (hukuman disiplin): SIASN level R (ringan), S (sedang), B (berat).
-- Identified by the decree number (nomor SK) or, without one, by start date and level.
CREATE TABLE disciplinary_penalties (
    id             BIGSERIAL PRIMARY KEY,
    employee_id    BIGINT NOT NULL REFERENCES employees (id),
    level          TEXT NOT NULL CHECK (level IN ('R', 'S', 'B')),
    start_date     DATE NOT NULL,
    kind           TEXT NOT NULL DEFAULT '',
    decree_number  TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL,
    import_run_id  BIGINT REFERENCES import_runs (id),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX disciplinary_penalties_decree_key ON disciplinary_penalties (employee_id, decree_number)
    WHERE decree_number <> '';
CREATE UNIQUE INDEX disciplinary_penalties_date_key ON disciplinary_penalties (employee_id, start_date, level)
    WHERE decree_number = '';
CREATE INDEX disciplinary_penalties_employee_idx ON disciplinary_penalties (employee_id, start_date);

-- Competency development recorded outside Sertika (training certificates of other
-- institutions, SIASN's course history). Only status 'recognised' counts for a score; an
-- administrator's import is recognised at once, an employee's submission waits for review.
-- Identified by the certificate number or, without one, by kind, title and end date.
CREATE TABLE external_trainings (
    id                  BIGSERIAL PRIMARY KEY,
    employee_id         BIGINT NOT NULL REFERENCES employees (id),
    kind                TEXT NOT NULL,
    level               TEXT NOT NULL DEFAULT '',
    title               TEXT NOT NULL,
    jp                  INTEGER NOT NULL CHECK (jp >= 0),
    start_date          DATE,
    end_date            DATE NOT NULL,
    organizer           TEXT NOT NULL DEFAULT '',
    certificate_number  TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL CHECK (status IN ('submitted', 'recognised', 'rejected')),
    evidence_sha256     TEXT NOT NULL DEFAULT '',
    submitted_by        BIGINT REFERENCES users (id),
    reviewed_by         BIGINT REFERENCES users (id),
    reviewed_at         TIMESTAMPTZ,
    review_reason       TEXT NOT NULL DEFAULT '',
    source              TEXT NOT NULL,
    import_run_id       BIGINT REFERENCES import_runs (id),
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    CHECK (start_date IS NULL OR start_date <= end_date)
);
CREATE UNIQUE INDEX external_trainings_number_key ON external_trainings (employee_id, certificate_number)
    WHERE certificate_number <> '';
CREATE UNIQUE INDEX external_trainings_natural_key ON external_trainings (employee_id, kind, title, end_date)
    WHERE certificate_number = '';
CREATE INDEX external_trainings_employee_idx ON external_trainings (employee_id, end_date);
CREATE INDEX external_trainings_status_idx ON external_trainings (status, created_at);

-- One stored score per employee and measurement year: the dimensions, the rule set that
-- computed them, a hash of the facts used (so a rescore rewrites only what changed) and the
-- whole scoring.Score as JSON (explanation with the id of every fact, hints, missing data).
-- incomplete holds the missing-data messages, one per line ('' when complete).
CREATE TABLE scores (
    employee_id       BIGINT NOT NULL REFERENCES employees (id),
    year              INTEGER NOT NULL,
    rule_set          TEXT NOT NULL,
    rule_set_version  TEXT NOT NULL,
    measured          BOOLEAN NOT NULL,
    kualifikasi       NUMERIC(5,2) NOT NULL,
    kompetensi        NUMERIC(5,2) NOT NULL,
    kinerja           NUMERIC(5,2) NOT NULL,
    disiplin          NUMERIC(5,2) NOT NULL,
    total             NUMERIC(5,2) NOT NULL,
    category          TEXT NOT NULL,
    jp_year           INTEGER NOT NULL,
    jp_duty           INTEGER NOT NULL,
    incomplete        TEXT NOT NULL DEFAULT '',
    facts_hash        TEXT NOT NULL,
    explanation       TEXT NOT NULL,
    computed_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (employee_id, year)
);
-- No index on year here: the primary key serves one employee's scores. The dashboards'
-- aggregates by year got their covering index (year, employee_id, …) in
-- 00006_scores_summary_index.sql.

-- The agency's IP ASN target per year (capaian = IP / target × 100 %).
CREATE TABLE ipasn_targets (
    year        INTEGER PRIMARY KEY,
    target      NUMERIC(5,2) NOT NULL CHECK (target > 0 AND target <= 100),
    updated_by  BIGINT REFERENCES users (id),
    updated_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE ipasn_targets;
DROP TABLE scores;
DROP TABLE external_trainings;
DROP TABLE disciplinary_penalties;
DROP TABLE skp_results;
