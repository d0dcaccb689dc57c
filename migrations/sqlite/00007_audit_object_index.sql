-- +goose Up
-- The audit log's index on the audited object, for reading an object's entries in order
-- (see migrations/postgres/00007_audit_object_index.sql). id is the rowid, which SQLite
-- appends to every index anyway; it is named to keep the twins alike.
CREATE INDEX audit_log_object_idx ON audit_log (object, id);

-- +goose Down
DROP INDEX audit_log_object_idx;
