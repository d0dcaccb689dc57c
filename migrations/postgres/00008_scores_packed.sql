-- +goose Up
-- A stored score's explanation (the whole scoring.Score) is kept packed on PostgreSQL: the
-- JSON compressed against a fixed dictionary (scoring/packed.go), about a quarter of its
-- 1.4 kB. A full rescore writes a row per employee, and the size of those rows (heap pages
-- and their WAL) was the larger part of the database's work (docs/performance.md,
-- "Scoring"); PostgreSQL's own compression starts only at rows of about 2 kB. Packed bytes
-- are not text, hence BYTEA. Rows stored before stay plain JSON (they start with '{') and
-- remain readable; the next rescore that changes them packs them.
-- SQLite keeps plain JSON in its TEXT column: see migrations/sqlite/00008_scores_packed.sql.
ALTER TABLE scores ALTER COLUMN explanation TYPE BYTEA USING convert_to(explanation, 'UTF8');

-- +goose Down
-- Packed rows cannot be turned back into text here: they are dropped, and the next
-- `sertika rescore` computes them again.
DELETE FROM scores WHERE substr(explanation, 1, 1) <> '\x7b'::bytea;
ALTER TABLE scores ALTER COLUMN explanation TYPE TEXT USING convert_from(explanation, 'UTF8');
