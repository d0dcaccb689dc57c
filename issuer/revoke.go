package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/verifier"
)

func (s *Issuance) lockCert(ctx context.Context, tx *gorm.DB, id string) (*Certificate, error) {
	var c Certificate
	q := tx.WithContext(ctx)
	if s.db.Dialect == database.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Where("id = ?", strings.ToUpper(strings.TrimSpace(id))).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errNoCert
	}
	if err != nil {
		return nil, apperr.Internal(err)
	}
	return &c, nil
}

var errNoCert = apperr.NotFound("Sertifikat tidak ditemukan.")

// Revoke withdraws a certificate with a reason code and a note (signers only). A revoked
// certificate keeps its record; verification then says it was revoked, when and why.
// Revoking it again with the same reason is a no-op.
func (s *Issuance) Revoke(ctx context.Context, a domain.Actor, id, reason, note string) (*Certificate, error) {
	if a.Role != domain.RolePenandatangan {
		return nil, apperr.Forbidden("Hanya penandatangan (Kepala BKPSDM) yang dapat mencabut sertifikat.")
	}
	switch reason {
	case ReasonIssuedInError, ReasonFraud, ReasonWithdrawn:
	case ReasonReplaced:
		return nil, apperr.Invalid("Alasan \"replaced\" dipakai otomatis saat penerbitan ulang; gunakan fitur terbitkan ulang.")
	default:
		return nil, apperr.Invalid("Alasan pencabutan harus salah satu dari: issued_in_error, fraud, withdrawn.")
	}
	note, err := directory.CleanText("Catatan", note, 2000, true)
	if err != nil {
		return nil, apperr.Invalid("Tuliskan catatan alasan pencabutan.")
	}
	var out *Certificate
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		c, err := s.lockCert(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.State == CertRevoked {
			if c.RevokeReason == reason {
				out = c
				return nil
			}
			return apperr.Conflict("Sertifikat ini sudah dicabut.")
		}
		now := s.db.Now()
		if err := tx.Model(&Certificate{}).Where("id = ? AND state = ?", c.ID, CertValid).Updates(map[string]any{
			"state": CertRevoked, "revoked_at": now, "revoke_reason": reason, "revoke_note": note, "revoked_by": userRef(a),
		}).Error; err != nil {
			return apperr.Internal(err)
		}
		d, _ := json.Marshal(map[string]any{"number": c.Number, "reason": reason, "note": note})
		if err := appendLog(tx, []LogEntry{{At: now, UserID: userRef(a), Username: a.Username, Action: "certificate.revoke",
			Object: "certificate:" + c.ID, Detail: string(d)}}); err != nil {
			return err
		}
		if err := s.rescore(ctx, tx, c.EmployeeID); err != nil {
			return err
		}
		out, err = s.lockCert(ctx, tx, c.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Reissue replaces a certificate with a new one built from the current records (for
// example after a misspelled name was corrected): the new certificate gets a new id, number
// and signature and points back to the old one, which is revoked as "replaced" and points
// forward to the new one. Nothing is edited in place.
func (s *Issuance) Reissue(ctx context.Context, a domain.Actor, id, note string) (*Certificate, error) {
	if a.Role != domain.RolePenandatangan {
		return nil, apperr.Forbidden("Hanya penandatangan (Kepala BKPSDM) yang dapat menerbitkan ulang sertifikat.")
	}
	note, err := directory.CleanText("Catatan", note, 2000, false)
	if err != nil {
		return nil, err
	}
	var out Certificate
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		old, err := s.lockCert(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.State != CertValid {
			if old.ReplacedBy != nil {
				return apperr.Conflict(fmt.Sprintf("Sertifikat ini sudah diganti dengan %s.", *old.ReplacedBy))
			}
			return apperr.Conflict("Sertifikat yang sudah dicabut tidak dapat diterbitkan ulang.")
		}
		var r Request
		if err := tx.Where("id = ?", old.RequestID).Take(&r).Error; err != nil {
			return apperr.Internal(err)
		}
		// Four eyes hold for a replacement too: it is a certificate of the same batch.
		if r.ReportVerifiedBy != nil && *r.ReportVerifiedBy == a.UserID {
			return apperr.Forbidden("Prinsip empat mata: akun yang memverifikasi laporan tidak boleh menandatangani sertifikatnya.")
		}
		var ag agencyRow
		if err := tx.Raw(`SELECT name, bkpsdm_name, city, head_name, head_nip, head_title, head_rank, issuer_code,
			certificate_pattern FROM agency WHERE id = 1`).Scan(&ag).Error; err != nil {
			return apperr.Internal(err)
		}
		var row issueRow
		if err := tx.Raw(`SELECT e.id AS employee_id, e.nip, e.name, e.front_title, e.back_title, e.position, e.active,
				o.name AS opd_name, p.attended, p.passed, p.dropped, p.jp_actual, 0 AS live
			FROM dev_request_participants p JOIN employees e ON e.id = p.employee_id JOIN opds o ON o.id = e.opd_id
			WHERE p.request_id = ? AND p.employee_id = ?`, old.RequestID, old.EmployeeID).Scan(&row).Error; err != nil {
			return apperr.Internal(err)
		}
		now := s.db.Now()
		rr := r
		rr.EndDate = r.EndDate
		if findings := s.check(&rr, ag, []issueRow{row}, now); len(findings) > 0 {
			return (&RefusedError{Findings: findings}).AsAppError()
		}
		// Free the live slot first: the new certificate takes it.
		if err := tx.Model(&Certificate{}).Where("id = ?", old.ID).Updates(map[string]any{
			"state": CertRevoked, "revoked_at": now, "revoke_reason": ReasonReplaced, "revoke_note": note, "revoked_by": userRef(a),
		}).Error; err != nil {
			return apperr.Internal(err)
		}
		key, err := s.keys.Active(ctx, tx)
		if err != nil {
			return err
		}
		signer, err := s.keys.Signer(ctx, key)
		if err != nil {
			return apperr.Internal(fmt.Errorf("load signing key: %w", err))
		}
		certs, err := s.build(tx, a, &r, ag, []issueRow{row}, key.KID, signer, now)
		if err != nil {
			return err
		}
		out = certs[0]
		oldID := old.ID
		out.Replaces = &oldID
		if err := s.sign(&out, signer); err != nil {
			return err
		}
		if err := s.insert(tx, []Certificate{out}); err != nil {
			return err
		}
		if err := tx.Model(&Certificate{}).Where("id = ?", old.ID).Update("replaced_by", out.ID).Error; err != nil {
			return apperr.Internal(err)
		}
		if err := s.rescore(ctx, tx, old.EmployeeID); err != nil {
			return err
		}
		d, _ := json.Marshal(map[string]any{"old": old.Number, "new": out.Number, "note": note})
		return appendLog(tx, []LogEntry{{At: now, UserID: userRef(a), Username: a.Username, Action: "certificate.reissue",
			Object: "certificate:" + old.ID + "->" + out.ID, Detail: string(d)}})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ---- reading certificates ----

// CertFilter narrows a certificate list.
type CertFilter struct {
	NIP       string
	RequestID int64
	OPD       string // OPD code of the request
	Year      int
	Q         string // number, holder name or activity title
	State     string
	Limit     int
	Offset    int
}

// certScope limits a certificate query to what the actor may see: BKPSDM staff all, an OPD
// the certificates of its requests, an employee their own.
func certScope(q *gorm.DB, a domain.Actor) (*gorm.DB, error) {
	switch a.Role {
	case domain.RoleAdmin, domain.RoleVerifikator, domain.RolePenandatangan:
		return q, nil
	case domain.RoleOPD:
		return q.Where("certificates.request_id IN (SELECT id FROM dev_requests WHERE opd_id = ?)", a.OPDID), nil
	case domain.RolePegawai:
		return q.Where("certificates.nip = ?", a.NIP), nil
	}
	return nil, apperr.Unauthorized("Silakan masuk terlebih dahulu.")
}

// List returns one page of the certificates the actor may see, newest first.
func (s *Issuance) List(ctx context.Context, a domain.Actor, f CertFilter) ([]Certificate, domain.Page, error) {
	page := domain.Page{Limit: f.Limit, Offset: f.Offset}
	if page.Limit <= 0 {
		page.Limit = 50
	}
	page.Limit = min(page.Limit, 500)
	if page.Offset < 0 {
		return nil, page, apperr.Invalid("Offset tidak boleh negatif.")
	}
	q, err := certScope(s.db.WithContext(ctx).Model(&Certificate{}), a)
	if err != nil {
		return nil, page, err
	}
	if f.NIP != "" {
		q = q.Where("certificates.nip = ?", strings.Join(strings.Fields(f.NIP), ""))
	}
	if f.RequestID > 0 {
		q = q.Where("certificates.request_id = ?", f.RequestID)
	}
	if f.OPD != "" {
		q = q.Where("certificates.request_id IN (SELECT r.id FROM dev_requests r JOIN opds o ON o.id = r.opd_id WHERE o.code = ?)", f.OPD)
	}
	if f.Year > 0 {
		q = q.Where("certificates.year = ?", f.Year)
	}
	if f.State != "" {
		if f.State != CertValid && f.State != CertRevoked {
			return nil, page, apperr.Invalid("Status sertifikat harus valid atau revoked.")
		}
		q = q.Where("certificates.state = ?", f.State)
	}
	if t := strings.TrimSpace(f.Q); t != "" {
		if len(t) > 100 {
			return nil, page, apperr.Invalid("Kata kunci pencarian paling panjang 100 karakter.")
		}
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(t)) + "%"
		q = q.Where(`(lower(certificates.number) LIKE ? ESCAPE '\' OR lower(certificates.holder_name) LIKE ? ESCAPE '\'
			OR lower(certificates.title) LIKE ? ESCAPE '\' OR certificates.nip LIKE ? ESCAPE '\')`, like, like, like, like)
	}
	if err := q.Count(&page.Total).Error; err != nil {
		return nil, page, apperr.Internal(err)
	}
	var out []Certificate
	if err := q.Order("certificates.issued_at DESC, certificates.seq DESC").Limit(page.Limit).Offset(page.Offset).Find(&out).Error; err != nil {
		return nil, page, apperr.Internal(err)
	}
	return out, page, nil
}

// Get returns one certificate the actor may see.
func (s *Issuance) Get(ctx context.Context, a domain.Actor, id string) (*Certificate, error) {
	q, err := certScope(s.db.WithContext(ctx).Model(&Certificate{}), a)
	if err != nil {
		return nil, err
	}
	var c Certificate
	err = q.Where("certificates.id = ?", strings.ToUpper(strings.TrimSpace(id))).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// Same answer whether the certificate does not exist or belongs to someone else.
		return nil, errNoCert
	}
	if err != nil {
		return nil, apperr.Internal(err)
	}
	return &c, nil
}

// History returns the issuance-log entries about a certificate, oldest first.
func (s *Issuance) History(ctx context.Context, a domain.Actor, id string) ([]LogEntry, error) {
	c, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	var out []LogEntry
	err = s.db.WithContext(ctx).Where("object = ? OR object LIKE ? OR object LIKE ?", "certificate:"+c.ID,
		"certificate:"+c.ID+"->%", "certificate:%->"+c.ID).Order("id").Find(&out).Error
	if err != nil {
		return nil, apperr.Internal(err)
	}
	return out, nil
}

// CertificateStatus answers the verifier from the records: found, revoked, replaced, and the
// digest recomputed from the stored row.
func (s *Issuance) CertificateStatus(ctx context.Context, id string) (verifier.CertStatus, error) {
	var c Certificate
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return verifier.CertStatus{}, nil
	}
	if err != nil {
		return verifier.CertStatus{}, err
	}
	st := verifier.CertStatus{Found: true, Revoked: c.State == CertRevoked, Reason: c.RevokeReason, Digest: ComputeDigest(&c)}
	if c.RevokedAt != nil {
		st.RevokedAt = *c.RevokedAt
	}
	if c.ReplacedBy != nil {
		st.ReplacedBy = *c.ReplacedBy
	}
	return st, nil
}
