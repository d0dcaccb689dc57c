-- +goose Up
-- The audit log is read by object: one object's entries in the order they were written
-- ("user:budi", "opd:DISDIK", "external_trainings/12": WHERE object = ? ORDER BY id, or
-- WHERE action = ? AND object = ?), to tell who changed it, when and how. The log only grows
-- (every change of master data, accounts, external training records and targets adds a
-- row) and had an index on at alone, so every such read scanned the whole table. This index
-- serves them with a range read in id order; the writers pay one more index entry per row.
-- Twin of migrations/sqlite/00007_audit_object_index.sql; keep them in step.
CREATE INDEX audit_log_object_idx ON audit_log (object, id);

-- +goose Down
DROP INDEX audit_log_object_idx;
