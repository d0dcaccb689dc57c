-- +goose Up
-- Twin of migrations/postgres/00008_scores_packed.sql, which makes PostgreSQL's
-- scores.explanation BYTEA to hold packed scores. SQLite stores scores as plain JSON in its
-- TEXT column, which scoring reads in either form: nothing changes here. (The statement
-- only keeps goose's bookkeeping of versions the same on both databases.)
SELECT 1;

-- +goose Down
SELECT 1;
