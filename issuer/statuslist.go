package issuer

import (
	"context"
	"fmt"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/verifier"
)

// StatusListValidity is how long a published status list speaks for: a verifier that holds
// an older one says the status could not be confirmed. Lists are signed on request, so a
// verifier that refreshes daily always holds a valid one.
const StatusListValidity = 72 * time.Hour

// SignedStatusList is a status list ready to publish (GET /api/v1/status-list).
type SignedStatusList struct {
	// JWS is the compact JWS (docs/certificate-format.md §7), served as application/jwt.
	JWS string
	// IssuedAt is the moment the list describes (its iat); Expires its exp.
	IssuedAt, Expires time.Time
	// Modified is the last change the list reflects — the latest revocation or issuance —
	// for Last-Modified; zero when no certificate was ever issued.
	Modified time.Time
	// Revoked counts the revoked certificates.
	Revoked int
}

// StatusList signs the current list of revoked certificates with the active key: a
// bitstring by status index and the sorted ids, both gzip-compressed. Anyone may fetch it, so
// it holds nothing but status indexes and certificate ids. Each call reads the certificates
// table and signs once (Ed25519 is deterministic, so equal state and time give equal bytes);
// a server should cache the result for a few minutes rather than sign per request.
func (s *Issuance) StatusList(ctx context.Context) (*SignedStatusList, error) {
	db := s.db.WithContext(ctx)
	// Each value from its own row, not from max(): SQLite returns an aggregate of a DATETIME
	// column as text, which does not scan into a time. Status indexes are reserved under the
	// counter's row lock, so the highest one is also the latest issued.
	var last struct {
		StatusIndex int64
		CreatedAt   time.Time
	}
	var lastRevoked struct{ RevokedAt *time.Time }
	if err := db.Raw("SELECT status_index, created_at FROM certificates ORDER BY status_index DESC LIMIT 1").Scan(&last).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("status list: %w", err))
	}
	if err := db.Raw("SELECT revoked_at FROM certificates WHERE revoked_at IS NOT NULL ORDER BY revoked_at DESC LIMIT 1").
		Scan(&lastRevoked).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("status list: %w", err))
	}
	var rows []struct {
		StatusIndex int64
		ID          string
	}
	if err := db.Raw(`SELECT status_index, id FROM certificates WHERE state = ? ORDER BY status_index`, CertRevoked).
		Scan(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("status list: %w", err))
	}
	var issuerCode string
	if err := db.Raw("SELECT issuer_code FROM agency WHERE id = 1").Scan(&issuerCode).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("status list: %w", err))
	}
	if issuerCode == "" {
		return nil, apperr.Conflict("Kode penerbit instansi belum diatur: daftar status belum dapat diterbitkan.")
	}
	key, err := s.keys.Active(ctx, s.db.Gorm)
	if err != nil {
		return nil, err
	}
	signer, err := s.keys.Signer(ctx, key)
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("status list: load signing key: %w", err))
	}
	size := max(last.StatusIndex+1, 8)
	entries := make([]verifier.StatusEntry, len(rows))
	for i, r := range rows {
		entries[i] = verifier.StatusEntry{Index: r.StatusIndex, ID: r.ID}
	}
	iat := s.db.Now().Truncate(time.Second)
	out := &SignedStatusList{IssuedAt: iat, Expires: iat.Add(StatusListValidity), Revoked: len(rows)}
	if !last.CreatedAt.IsZero() {
		out.Modified = last.CreatedAt.UTC()
	}
	if r := lastRevoked.RevokedAt; r != nil && r.After(out.Modified) {
		out.Modified = r.UTC()
	}
	out.JWS, err = verifier.SignStatusList(issuerCode, out.IssuedAt, out.Expires, size, entries, key.KID, signer)
	if err != nil {
		return nil, apperr.Internal(err)
	}
	return out, nil
}
