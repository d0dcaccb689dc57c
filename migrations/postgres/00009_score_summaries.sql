-- +goose Up
-- Twin of migrations/sqlite/00009_score_summaries.sql, which gives SQLite precomputed
-- dashboard aggregates kept by triggers. PostgreSQL does not need them: the covering index
-- of 00006 serves the dashboards' grouped statements as index-only scans within budget
-- (about 80 ms for 50,000 employees), and a trigger per written score would tax the bulk
-- rescore of a million employees. Nothing changes here; the statement only keeps goose's
-- bookkeeping of versions the same on both databases.
SELECT 1;

-- +goose Down
SELECT 1;
