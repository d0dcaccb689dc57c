-- +goose Up
-- The dashboards' covering index on the stored scores (see
-- migrations/postgres/00006_scores_summary_index.sql). SQLite has no INCLUDE: the columns
-- the aggregates read are all keys, which makes the index covering all the same.
CREATE INDEX scores_year_summary_idx ON scores (year, employee_id, rule_set, measured, category, kualifikasi,
    kompetensi, kinerja, disiplin, total, jp_year, jp_duty, incomplete);

-- +goose Down
DROP INDEX scores_year_summary_idx;
