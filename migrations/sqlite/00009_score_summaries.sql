-- +goose Up
-- SQLite only: the dashboards' precomputed aggregates (scoring/access.go). An agency
-- dashboard groups a year's stored scores of the active employees by OPD, kind of position,
-- education, status, rule set, measured and category, and every other year's for the
-- trend. On PostgreSQL the covering index of 00006 makes that a fast index-only scan; on
-- SQLite the same two statements took 190–240 ms for 50,000 employees (three years of
-- scores), over the 200 ms budget of a page. Here the groups are kept up to date by
-- triggers, in the transaction that writes a score or changes an employee, so the
-- dashboard reads a few hundred rows instead of scanning the scores.
--
-- A row holds the count and exact sums (in hundredths, each value rounded as the direct
-- statement rounds it) of one group; a group whose count falls to 0 stays, with zeros, and
-- is ignored. `active` is the employee's, so that the dashboards keep to active employees.
-- PostgreSQL has no such table (see migrations/postgres/00009_score_summaries.sql); the
-- schema parity test knows this one exception.
CREATE TABLE score_summaries (
    year             INTEGER NOT NULL,
    opd_id           INTEGER NOT NULL,
    position_kind    TEXT NOT NULL,
    education_level  TEXT NOT NULL,
    status           TEXT NOT NULL,
    active           INTEGER NOT NULL,
    rule_set         TEXT NOT NULL,
    measured         INTEGER NOT NULL,
    category         TEXT NOT NULL,
    n                INTEGER NOT NULL,
    incomplete       INTEGER NOT NULL,
    below_jp         INTEGER NOT NULL,
    k1               INTEGER NOT NULL,
    k2               INTEGER NOT NULL,
    k3               INTEGER NOT NULL,
    k4               INTEGER NOT NULL,
    total            INTEGER NOT NULL,
    PRIMARY KEY (year, opd_id, position_kind, education_level, status, active, rule_set, measured, category)
) WITHOUT ROWID;

INSERT INTO score_summaries (year, opd_id, position_kind, education_level, status, active, rule_set, measured,
    category, n, incomplete, below_jp, k1, k2, k3, k4, total)
SELECT s.year, e.opd_id, e.position_kind, e.education_level, e.status, e.active, s.rule_set, s.measured, s.category,
    COUNT(*), SUM(s.incomplete <> ''), SUM(s.jp_duty > 0 AND s.jp_year < s.jp_duty),
    SUM(CAST(ROUND(s.kualifikasi * 100) AS INTEGER)), SUM(CAST(ROUND(s.kompetensi * 100) AS INTEGER)),
    SUM(CAST(ROUND(s.kinerja * 100) AS INTEGER)), SUM(CAST(ROUND(s.disiplin * 100) AS INTEGER)),
    SUM(CAST(ROUND(s.total * 100) AS INTEGER))
FROM scores s JOIN employees e ON e.id = s.employee_id
GROUP BY s.year, e.opd_id, e.position_kind, e.education_level, e.status, e.active, s.rule_set, s.measured, s.category;

-- +goose StatementBegin
CREATE TRIGGER scores_summary_insert AFTER INSERT ON scores
BEGIN
    INSERT INTO score_summaries (year, opd_id, position_kind, education_level, status, active, rule_set, measured,
        category, n, incomplete, below_jp, k1, k2, k3, k4, total)
    SELECT NEW.year, e.opd_id, e.position_kind, e.education_level, e.status, e.active, NEW.rule_set, NEW.measured,
        NEW.category, 1, NEW.incomplete <> '', NEW.jp_duty > 0 AND NEW.jp_year < NEW.jp_duty,
        CAST(ROUND(NEW.kualifikasi * 100) AS INTEGER), CAST(ROUND(NEW.kompetensi * 100) AS INTEGER),
        CAST(ROUND(NEW.kinerja * 100) AS INTEGER), CAST(ROUND(NEW.disiplin * 100) AS INTEGER),
        CAST(ROUND(NEW.total * 100) AS INTEGER)
    FROM employees e WHERE e.id = NEW.employee_id
    ON CONFLICT (year, opd_id, position_kind, education_level, status, active, rule_set, measured, category) DO UPDATE SET
        n = n + excluded.n, incomplete = incomplete + excluded.incomplete, below_jp = below_jp + excluded.below_jp,
        k1 = k1 + excluded.k1, k2 = k2 + excluded.k2, k3 = k3 + excluded.k3, k4 = k4 + excluded.k4,
        total = total + excluded.total;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER scores_summary_delete AFTER DELETE ON scores
BEGIN
    INSERT INTO score_summaries (year, opd_id, position_kind, education_level, status, active, rule_set, measured,
        category, n, incomplete, below_jp, k1, k2, k3, k4, total)
    SELECT OLD.year, e.opd_id, e.position_kind, e.education_level, e.status, e.active, OLD.rule_set, OLD.measured,
        OLD.category, -1, -(OLD.incomplete <> ''), -(OLD.jp_duty > 0 AND OLD.jp_year < OLD.jp_duty),
        -CAST(ROUND(OLD.kualifikasi * 100) AS INTEGER), -CAST(ROUND(OLD.kompetensi * 100) AS INTEGER),
        -CAST(ROUND(OLD.kinerja * 100) AS INTEGER), -CAST(ROUND(OLD.disiplin * 100) AS INTEGER),
        -CAST(ROUND(OLD.total * 100) AS INTEGER)
    FROM employees e WHERE e.id = OLD.employee_id
    ON CONFLICT (year, opd_id, position_kind, education_level, status, active, rule_set, measured, category) DO UPDATE SET
        n = n + excluded.n, incomplete = incomplete + excluded.incomplete, below_jp = below_jp + excluded.below_jp,
        k1 = k1 + excluded.k1, k2 = k2 + excluded.k2, k3 = k3 + excluded.k3, k4 = k4 + excluded.k4,
        total = total + excluded.total;
END;
-- +goose StatementEnd

-- An update is the old row taken out and the new one put in.
-- +goose StatementBegin
CREATE TRIGGER scores_summary_update AFTER UPDATE OF employee_id, year, rule_set, measured, category, kualifikasi,
    kompetensi, kinerja, disiplin, total, jp_year, jp_duty, incomplete ON scores
BEGIN
    INSERT INTO score_summaries (year, opd_id, position_kind, education_level, status, active, rule_set, measured,
        category, n, incomplete, below_jp, k1, k2, k3, k4, total)
    SELECT OLD.year, e.opd_id, e.position_kind, e.education_level, e.status, e.active, OLD.rule_set, OLD.measured,
        OLD.category, -1, -(OLD.incomplete <> ''), -(OLD.jp_duty > 0 AND OLD.jp_year < OLD.jp_duty),
        -CAST(ROUND(OLD.kualifikasi * 100) AS INTEGER), -CAST(ROUND(OLD.kompetensi * 100) AS INTEGER),
        -CAST(ROUND(OLD.kinerja * 100) AS INTEGER), -CAST(ROUND(OLD.disiplin * 100) AS INTEGER),
        -CAST(ROUND(OLD.total * 100) AS INTEGER)
    FROM employees e WHERE e.id = OLD.employee_id
    ON CONFLICT (year, opd_id, position_kind, education_level, status, active, rule_set, measured, category) DO UPDATE SET
        n = n + excluded.n, incomplete = incomplete + excluded.incomplete, below_jp = below_jp + excluded.below_jp,
        k1 = k1 + excluded.k1, k2 = k2 + excluded.k2, k3 = k3 + excluded.k3, k4 = k4 + excluded.k4,
        total = total + excluded.total;
    INSERT INTO score_summaries (year, opd_id, position_kind, education_level, status, active, rule_set, measured,
        category, n, incomplete, below_jp, k1, k2, k3, k4, total)
    SELECT NEW.year, e.opd_id, e.position_kind, e.education_level, e.status, e.active, NEW.rule_set, NEW.measured,
        NEW.category, 1, NEW.incomplete <> '', NEW.jp_duty > 0 AND NEW.jp_year < NEW.jp_duty,
        CAST(ROUND(NEW.kualifikasi * 100) AS INTEGER), CAST(ROUND(NEW.kompetensi * 100) AS INTEGER),
        CAST(ROUND(NEW.kinerja * 100) AS INTEGER), CAST(ROUND(NEW.disiplin * 100) AS INTEGER),
        CAST(ROUND(NEW.total * 100) AS INTEGER)
    FROM employees e WHERE e.id = NEW.employee_id
    ON CONFLICT (year, opd_id, position_kind, education_level, status, active, rule_set, measured, category) DO UPDATE SET
        n = n + excluded.n, incomplete = incomplete + excluded.incomplete, below_jp = below_jp + excluded.below_jp,
        k1 = k1 + excluded.k1, k2 = k2 + excluded.k2, k3 = k3 + excluded.k3, k4 = k4 + excluded.k4,
        total = total + excluded.total;
END;
-- +goose StatementEnd

-- An employee who moves to another OPD, changes kind of position, education or status, or
-- is deactivated or reactivated takes every one of their scores to the new group.
-- +goose StatementBegin
CREATE TRIGGER employees_score_summary_update AFTER UPDATE OF opd_id, position_kind, education_level, status, active
    ON employees
    WHEN OLD.opd_id IS NOT NEW.opd_id OR OLD.position_kind IS NOT NEW.position_kind
        OR OLD.education_level IS NOT NEW.education_level OR OLD.status IS NOT NEW.status OR OLD.active IS NOT NEW.active
BEGIN
    INSERT INTO score_summaries (year, opd_id, position_kind, education_level, status, active, rule_set, measured,
        category, n, incomplete, below_jp, k1, k2, k3, k4, total)
    SELECT s.year, OLD.opd_id, OLD.position_kind, OLD.education_level, OLD.status, OLD.active, s.rule_set, s.measured,
        s.category, -1, -(s.incomplete <> ''), -(s.jp_duty > 0 AND s.jp_year < s.jp_duty),
        -CAST(ROUND(s.kualifikasi * 100) AS INTEGER), -CAST(ROUND(s.kompetensi * 100) AS INTEGER),
        -CAST(ROUND(s.kinerja * 100) AS INTEGER), -CAST(ROUND(s.disiplin * 100) AS INTEGER),
        -CAST(ROUND(s.total * 100) AS INTEGER)
    FROM scores s WHERE s.employee_id = OLD.id
    ON CONFLICT (year, opd_id, position_kind, education_level, status, active, rule_set, measured, category) DO UPDATE SET
        n = n + excluded.n, incomplete = incomplete + excluded.incomplete, below_jp = below_jp + excluded.below_jp,
        k1 = k1 + excluded.k1, k2 = k2 + excluded.k2, k3 = k3 + excluded.k3, k4 = k4 + excluded.k4,
        total = total + excluded.total;
    INSERT INTO score_summaries (year, opd_id, position_kind, education_level, status, active, rule_set, measured,
        category, n, incomplete, below_jp, k1, k2, k3, k4, total)
    SELECT s.year, NEW.opd_id, NEW.position_kind, NEW.education_level, NEW.status, NEW.active, s.rule_set, s.measured,
        s.category, 1, s.incomplete <> '', s.jp_duty > 0 AND s.jp_year < s.jp_duty,
        CAST(ROUND(s.kualifikasi * 100) AS INTEGER), CAST(ROUND(s.kompetensi * 100) AS INTEGER),
        CAST(ROUND(s.kinerja * 100) AS INTEGER), CAST(ROUND(s.disiplin * 100) AS INTEGER),
        CAST(ROUND(s.total * 100) AS INTEGER)
    FROM scores s WHERE s.employee_id = NEW.id
    ON CONFLICT (year, opd_id, position_kind, education_level, status, active, rule_set, measured, category) DO UPDATE SET
        n = n + excluded.n, incomplete = incomplete + excluded.incomplete, below_jp = below_jp + excluded.below_jp,
        k1 = k1 + excluded.k1, k2 = k2 + excluded.k2, k3 = k3 + excluded.k3, k4 = k4 + excluded.k4,
        total = total + excluded.total;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER employees_score_summary_update;
DROP TRIGGER scores_summary_update;
DROP TRIGGER scores_summary_delete;
DROP TRIGGER scores_summary_insert;
DROP TABLE score_summaries;
