-- +goose Up
-- The dashboards (scoring/access.go) aggregate a year's stored scores of the active
-- employees, and every other year's for the trend. A scores row is wide (the explanation is
-- a JSON document of 1–2 kB), so a scan of the table reads about 2 kB per score to use 60
-- bytes of it: 50,000 employees × 3 years is some 280 MB, and a dashboard took over 300 ms.
-- This covering index holds exactly the columns the aggregates read, so they are served by an
-- index-only scan of a few MB. It costs the writers one more index entry per score (and the
-- updates of a rescore are no longer HOT); see docs/performance.md, "Dashboards".
-- Twin of migrations/sqlite/00006_scores_summary_index.sql; keep them in step.
CREATE INDEX scores_year_summary_idx ON scores (year, employee_id)
    INCLUDE (rule_set, measured, category, kualifikasi, kompetensi, kinerja, disiplin, total, jp_year, jp_duty, incomplete);

-- +goose Down
DROP INDEX scores_year_summary_idx;
