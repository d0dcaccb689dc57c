-- +goose Up
-- The status cache (issuer/statuscache.go) reads the revoked certificates every 2 seconds:
-- all of them at start and every 5 minutes, otherwise those revoked since the newest one it
-- has seen (revoked_at >= watermark - 1 minute). Revoked certificates are few, so a partial
-- index on them alone keeps that read from scanning the whole table, at almost no cost to
-- issuance (a new certificate has no revoked_at and is not in the index).
-- Twin of migrations/postgres/00005_revocation_index.sql; keep them in step.
CREATE INDEX certificates_revoked_at_idx ON certificates (revoked_at) WHERE revoked_at IS NOT NULL;

-- +goose Down
DROP INDEX certificates_revoked_at_idx;
