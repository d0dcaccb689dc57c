package issuer

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/internal/nip"
	"github.com/sertika/sertika/verifier"
)

// Certificate states.
const (
	CertValid   = "valid"
	CertRevoked = "revoked"
)

// Revocation reasons.
const (
	ReasonIssuedInError = "issued_in_error"
	ReasonFraud         = "fraud"
	ReasonReplaced      = "replaced"
	ReasonWithdrawn     = "withdrawn"
)

// ReasonLabel names a revocation reason in Bahasa Indonesia.
func ReasonLabel(r string) string {
	switch r {
	case ReasonIssuedInError:
		return "Diterbitkan karena kekeliruan"
	case ReasonFraud:
		return "Kecurangan"
	case ReasonReplaced:
		return "Diganti dengan sertifikat baru"
	case ReasonWithdrawn:
		return "Ditarik"
	}
	return r
}

// Certificate is an issued certificate. Rows are never deleted; only the revocation fields
// and replaced_by change, once.
type Certificate struct {
	ID                   string `gorm:"primaryKey"`
	Number               string
	Year                 int
	Seq                  int
	StatusIndex          int64
	RequestID            int64
	EmployeeID           int64
	NIP                  string `gorm:"column:nip"`
	HolderName           string
	Position             string
	OPDName              string `gorm:"column:opd_name"`
	Title                string
	Kind                 string
	Level                string
	Organizer            string
	StartDate            domain.Date
	EndDate              domain.Date
	JP                   int `gorm:"column:jp"`
	RecommendationNumber string
	Place                string
	IssuedAt             time.Time
	IssuerCode           string
	SignerID             *int64
	SignerName           string
	SignerNIP            string `gorm:"column:signer_nip"`
	SignerTitle          string
	SignerRank           string
	KID                  string `gorm:"column:kid"`
	Token                string
	Digest               string
	State                string
	RevokedAt            *time.Time
	RevokeReason         string
	RevokeNote           string
	RevokedBy            *int64
	Replaces             *string
	ReplacedBy           *string
	CreatedAt            time.Time
}

// TableName is the certificates table.
func (Certificate) TableName() string { return "certificates" }

// KindLabel names the certificate's kind of development.
func (c Certificate) KindLabel() string {
	if k, ok := domain.KindByCode(c.Kind); ok {
		return k.Label
	}
	return c.Kind
}

// ShortCode is the certificate id in groups of four, printed under the QR code.
func (c Certificate) ShortCode() string {
	var parts []string
	for i := 0; i < len(c.ID); i += 4 {
		parts = append(parts, c.ID[i:min(i+4, len(c.ID))])
	}
	return strings.Join(parts, "-")
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// ComputeDigest binds a token to the full record: SHA-256 over the record's printed facts,
// one per line in a fixed order, truncated to 16 bytes and written in base32. Verification
// recomputes it from the stored row, so a row edited behind the issuer's back no longer
// matches the signed token.
func ComputeDigest(c *Certificate) string {
	replaces := ""
	if c.Replaces != nil {
		replaces = *c.Replaces
	}
	fields := []string{"sertika-certificate-v1", c.ID, c.Number, c.NIP, c.HolderName, c.Position, c.OPDName, c.Title,
		c.Kind, c.Level, c.Organizer, c.StartDate.String(), c.EndDate.String(), fmt.Sprint(c.JP),
		c.RecommendationNumber, c.Place, c.IssuedAt.UTC().Format(time.RFC3339), c.IssuerCode, c.SignerName,
		c.SignerNIP, c.SignerTitle, c.SignerRank, c.KID, replaces}
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(strings.ReplaceAll(f, "\n", " ")))
		h.Write([]byte{'\n'})
	}
	return b32.EncodeToString(h.Sum(nil)[:16])
}

// claims are the signed claims of a certificate.
func (c *Certificate) claims() verifier.Claims {
	return verifier.Claims{Issuer: c.IssuerCode, Subject: c.NIP, ID: c.ID, IssuedAt: c.IssuedAt.Unix(), JP: c.JP,
		Start: verifier.DayNumber(c.StartDate), End: verifier.DayNumber(c.EndDate), Kind: c.Kind, Digest: c.Digest}
}

// SignedClaims are the claims the certificate's token carries. Verification compares them
// with a token's: the digest binds the record's printed facts, but not the claims beside it
// (holder, dates, JP, kind), which a token signed with the issuer's key could otherwise pair
// with another certificate's record and digest.
func (c *Certificate) SignedClaims() verifier.Claims { return c.claims() }

// Issuance signs certificates for verified requests, and revokes and re-issues them.
type Issuance struct {
	db        *database.DB
	keys      *keys.Store
	publicURL string
	log       *slog.Logger
	random    func([]byte) error
	// budget checks a verification URL against the QR budget (internal/qr); nil skips it.
	budget func(url string) error
	// scores updates holders' stored scores in the issuing transaction; nil skips it.
	scores Rescorer
}

// IssuanceOptions configure an Issuance.
type IssuanceOptions struct {
	PublicURL string
	Logger    *slog.Logger
	// Random fills certificate ids; tests use a deterministic source. Default crypto/rand.
	Random func([]byte) error
	// QRBudget checks that a verification URL fits the QR budget.
	QRBudget func(url string) error
	// Scores, when set, brings the holders' stored IP ASN scores in line inside the same
	// transaction that issues, revokes or re-issues their certificates (scoring.Store), so
	// a score never disagrees with the certificates on record.
	Scores Rescorer
}

// Rescorer recomputes the stored scores of employees inside the caller's transaction.
type Rescorer interface {
	RescoreAffected(ctx context.Context, tx *gorm.DB, employeeIDs []int64) error
}

// NewIssuance returns the issuance service.
func NewIssuance(db *database.DB, ks *keys.Store, opt IssuanceOptions) *Issuance {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Random == nil {
		opt.Random = func(b []byte) error { _, err := rand.Read(b); return err }
	}
	return &Issuance{db: db, keys: ks, publicURL: strings.TrimRight(opt.PublicURL, "/"), log: opt.Logger,
		random: opt.Random, budget: opt.QRBudget, scores: opt.Scores}
}

// rescore updates the holders' stored scores in tx when the service has a Rescorer.
func (s *Issuance) rescore(ctx context.Context, tx *gorm.DB, employeeIDs ...int64) error {
	if s.scores == nil || len(employeeIDs) == 0 {
		return nil
	}
	if err := s.scores.RescoreAffected(ctx, tx, employeeIDs); err != nil {
		return apperr.Internal(fmt.Errorf("update scores: %w", err))
	}
	return nil
}

// VerifyURL is the address a certificate's QR code opens.
func (s *Issuance) VerifyURL(c *Certificate) string {
	short, err := verifier.Short(c.Token)
	if err != nil {
		return s.publicURL + "/v/" + c.Token
	}
	return verifier.VerifyURL(s.publicURL, short)
}

// Finding is one reason a batch cannot be issued.
type Finding struct {
	NIP     string `json:"nip,omitempty"`
	Name    string `json:"name,omitempty"`
	Check   string `json:"check"`
	Message string `json:"message"`
}

// RefusedError refuses a whole batch, listing every finding.
type RefusedError struct {
	Findings []Finding
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("penerbitan ditolak: %d temuan", len(e.Findings))
}

// AsAppError presents the refusal to users.
func (e *RefusedError) AsAppError() *apperr.Error {
	msgs := make([]string, 0, len(e.Findings))
	for _, f := range e.Findings[:min(len(e.Findings), 10)] {
		if f.NIP != "" {
			msgs = append(msgs, f.NIP+": "+f.Message)
		} else {
			msgs = append(msgs, f.Message)
		}
	}
	msg := fmt.Sprintf("Penerbitan sertifikat ditolak (%d temuan): %s", len(e.Findings), strings.Join(msgs, "; "))
	if len(e.Findings) > 10 {
		msg += fmt.Sprintf("; dan %d lainnya", len(e.Findings)-10)
	}
	return &apperr.Error{Code: apperr.CodeInvalid, Message: msg + ".", Err: e}
}

// Batch is the outcome of an issuance: the request's live certificates, and how many were
// newly issued by this call (0 when it had all been done before).
type Batch struct {
	Certificates []Certificate
	Issued       int
}

// agencyRow holds the agency settings issuance needs.
type agencyRow struct {
	Name               string
	BKPSDMName         string `gorm:"column:bkpsdm_name"`
	City               string
	HeadName           string
	HeadNIP            string `gorm:"column:head_nip"`
	HeadTitle          string
	HeadRank           string
	IssuerCode         string
	CertificatePattern string
}

// issueRow is one eligible participant with what the checks need.
type issueRow struct {
	EmployeeID int64
	NIP        string `gorm:"column:nip"`
	Name       string
	FrontTitle string
	BackTitle  string
	Position   string
	Active     bool
	OPDName    string `gorm:"column:opd_name"`
	Attended   *bool
	Passed     *bool
	Dropped    bool
	JPActual   *int `gorm:"column:jp_actual"`
	// Live counts the certificates already issued for this activity and holder, revoked ones
	// included: a revoked certificate is not issued again by re-running the batch (a
	// correction goes through Reissue).
	Live int
}

// Issue signs the certificates of a request whose report BKPSDM verified: one per
// participant who attended and passed. Only a signer (penandatangan) may issue, and never
// the account that verified the report (four eyes). The whole batch is one transaction:
// pre-issuance checks refuse it whole with a list of findings; re-running it issues nothing
// twice.
func (s *Issuance) Issue(ctx context.Context, a domain.Actor, requestID int64) (*Batch, error) {
	if a.Role != domain.RolePenandatangan {
		return nil, apperr.Forbidden("Hanya penandatangan (Kepala BKPSDM) yang dapat menerbitkan sertifikat.")
	}
	var batch Batch
	var refused *RefusedError
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var r Request
		q := tx
		if s.db.Dialect == database.Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Where("id = ?", requestID).Take(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errNoRequest
			}
			return apperr.Internal(err)
		}
		if r.State != StateVerified {
			return apperr.Conflict(fmt.Sprintf("Sertifikat hanya diterbitkan untuk usulan yang laporannya sudah diverifikasi (status sekarang: %s).", r.State.Label()))
		}
		if r.ReportVerifiedBy != nil && *r.ReportVerifiedBy == a.UserID {
			return apperr.Forbidden("Prinsip empat mata: akun yang memverifikasi laporan tidak boleh menandatangani sertifikatnya.")
		}
		ag, rows, err := loadBatch(tx, r.ID)
		if err != nil {
			return err
		}
		now := s.db.Now()
		findings := s.check(&r, ag, rows, now)
		var todo []issueRow
		for _, row := range rows {
			if row.Live == 0 {
				todo = append(todo, row)
			}
		}
		if len(findings) > 0 {
			refused = &RefusedError{Findings: findings}
			return refused
		}
		if len(todo) > 0 {
			key, err := s.keys.Active(ctx, tx)
			if err != nil {
				return err
			}
			signer, err := s.keys.Signer(ctx, key)
			if err != nil {
				return apperr.Internal(fmt.Errorf("load signing key: %w", err))
			}
			certs, err := s.build(tx, a, &r, ag, todo, key.KID, signer, now)
			if err != nil {
				return err
			}
			if err := s.insert(tx, certs); err != nil {
				return err
			}
			if err := s.logIssued(tx, a, certs, now); err != nil {
				return err
			}
			holders := make([]int64, len(certs))
			for i := range certs {
				holders[i] = certs[i].EmployeeID
			}
			if err := s.rescore(ctx, tx, holders...); err != nil {
				return err
			}
			batch.Issued = len(certs)
			if len(todo) == len(rows) {
				// Everything was issued just now: answer with what was built rather than
				// reading ten thousand rows back.
				batch.Certificates = certs
				return nil
			}
		}
		return tx.Where("request_id = ? AND state = ?", r.ID, CertValid).Order("seq").Find(&batch.Certificates).Error
	})
	if refused != nil {
		s.log.WarnContext(ctx, "certificate issuance refused", "request_id", requestID, "user", a.Username,
			"findings", len(refused.Findings), "first", refused.Findings[0].Message)
		s.recordRefusal(ctx, a, requestID, refused)
		return nil, refused.AsAppError()
	}
	if err != nil {
		if apperr.CodeOf(err) == apperr.CodeInternal && database.IsUniqueViolation(err) {
			return nil, apperr.Conflict("Sertifikat untuk usulan ini sedang diterbitkan oleh proses lain. Muat ulang halaman.")
		}
		return nil, err
	}
	return &batch, nil
}

// loadBatch reads what the pre-issuance checks and the signing need: the agency's settings
// and the request's participants who attended and passed.
func loadBatch(tx *gorm.DB, requestID int64) (agencyRow, []issueRow, error) {
	var ag agencyRow
	if err := tx.Raw(`SELECT name, bkpsdm_name, city, head_name, head_nip, head_title, head_rank, issuer_code,
		certificate_pattern FROM agency WHERE id = 1`).Scan(&ag).Error; err != nil {
		return ag, nil, apperr.Internal(err)
	}
	var rows []issueRow
	err := tx.Raw(`SELECT e.id AS employee_id, e.nip, e.name, e.front_title, e.back_title, e.position, e.active,
			o.name AS opd_name, p.attended, p.passed, p.dropped, p.jp_actual,
			(SELECT count(*) FROM certificates c WHERE c.request_id = p.request_id AND c.employee_id = p.employee_id) AS live
		FROM dev_request_participants p
		JOIN employees e ON e.id = p.employee_id
		JOIN opds o ON o.id = e.opd_id
		WHERE p.request_id = ? AND p.attended = ? AND p.passed = ? AND NOT p.dropped
		ORDER BY e.name, e.nip`, requestID, true, true).Scan(&rows).Error
	if err != nil {
		return ag, nil, apperr.Internal(err)
	}
	return ag, rows, nil
}

// Check runs the pre-issuance checks of a request's batch without signing or writing
// anything, so the signer can see what would refuse it before signing. It answers the same
// errors as Issue for the role, the request's state and four eyes; an empty list means Issue
// would go ahead (unless something changes in between: Issue checks again).
func (s *Issuance) Check(ctx context.Context, a domain.Actor, requestID int64) ([]Finding, error) {
	if a.Role != domain.RolePenandatangan {
		return nil, apperr.Forbidden("Hanya penandatangan (Kepala BKPSDM) yang dapat menerbitkan sertifikat.")
	}
	var findings []Finding
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var r Request
		if err := tx.Where("id = ?", requestID).Take(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errNoRequest
			}
			return apperr.Internal(err)
		}
		if r.State != StateVerified {
			return apperr.Conflict(fmt.Sprintf("Sertifikat hanya diterbitkan untuk usulan yang laporannya sudah diverifikasi (status sekarang: %s).", r.State.Label()))
		}
		if r.ReportVerifiedBy != nil && *r.ReportVerifiedBy == a.UserID {
			return apperr.Forbidden("Prinsip empat mata: akun yang memverifikasi laporan tidak boleh menandatangani sertifikatnya.")
		}
		ag, rows, err := loadBatch(tx, r.ID)
		if err != nil {
			return err
		}
		findings = s.check(&r, ag, rows, s.db.Now())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return findings, nil
}

// ReadyRequest is a verified request whose certificates have not been issued yet.
type ReadyRequest struct {
	ID        int64
	Title     string
	OPDName   string `gorm:"column:opd_name"`
	StartDate domain.Date
	EndDate   domain.Date
	JP        int `gorm:"column:jp"`
	// Eligible counts the participants who attended and passed.
	Eligible int
}

// ReadyToSign lists the verified requests without any certificate, oldest activity first:
// the signer's to-do list. Only BKPSDM staff see it.
func (s *Issuance) ReadyToSign(ctx context.Context, a domain.Actor, limit int) ([]ReadyRequest, int64, error) {
	if !a.Role.IsBKPSDM() {
		return nil, 0, apperr.Forbidden("Daftar usulan yang siap ditandatangani hanya untuk BKPSDM.")
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	const where = `FROM dev_requests r JOIN opds o ON o.id = r.opd_id
		WHERE r.state = ? AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.request_id = r.id)`
	db := s.db.WithContext(ctx)
	var total int64
	if err := db.Raw("SELECT count(*) "+where, StateVerified).Scan(&total).Error; err != nil {
		return nil, 0, apperr.Internal(err)
	}
	var out []ReadyRequest
	err := db.Raw(`SELECT r.id, r.title, o.name AS opd_name, r.start_date, r.end_date, r.jp,
			(SELECT count(*) FROM dev_request_participants p WHERE p.request_id = r.id AND p.attended = ? AND p.passed = ?
				AND NOT p.dropped) AS eligible `+where+` ORDER BY r.end_date, r.id LIMIT ?`, true, true, StateVerified, limit).
		Scan(&out).Error
	if err != nil {
		return nil, 0, apperr.Internal(err)
	}
	return out, total, nil
}

// check runs the pre-issuance checks on a batch.
func (s *Issuance) check(r *Request, ag agencyRow, rows []issueRow, now time.Time) []Finding {
	var out []Finding
	add := func(row *issueRow, check, msg string) {
		f := Finding{Check: check, Message: msg}
		if row != nil {
			f.NIP, f.Name = row.NIP, domain.FullName(row.FrontTitle, row.Name, row.BackTitle)
		}
		out = append(out, f)
	}
	if strings.TrimSpace(ag.Name) == "" || strings.TrimSpace(ag.HeadName) == "" || strings.TrimSpace(ag.HeadTitle) == "" ||
		strings.TrimSpace(ag.City) == "" {
		add(nil, "agency", "Data instansi belum lengkap: nama instansi, kota, serta nama dan jabatan kepala wajib diisi di Pengaturan.")
	}
	if _, err := nip.ParseAt(ag.HeadNIP, now); err != nil {
		add(nil, "agency", "NIP kepala BKPSDM pada Pengaturan tidak sah atau kosong.")
	}
	if ag.IssuerCode == "" || len(ag.IssuerCode) > 16 || strings.Trim(ag.IssuerCode, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		add(nil, "agency", "Kode penerbit instansi harus 1–16 huruf besar atau angka.")
	}
	if len(rows) == 0 {
		add(nil, "participants", "Tidak ada peserta yang hadir dan lulus: tidak ada sertifikat untuk diterbitkan.")
	}
	// The activity is over once its last day has ended in the agency's time zone (WIB): comparing
	// the date with the UTC instant would allow issuing from 07.00 WIB on the last day.
	if today := domain.DateOf(now.In(wib)); !today.After(r.EndDate.Time) {
		add(nil, "dates", "Kegiatan belum selesai: sertifikat baru dapat diterbitkan setelah tanggal selesai.")
	}
	for i := range rows {
		row := &rows[i]
		if row.Live > 0 {
			continue
		}
		if _, err := nip.ParseAt(row.NIP, now); err != nil {
			add(row, "nip", "NIP tidak sah: "+err.Error())
		}
		if !row.Active {
			add(row, "employee", "Pegawai tidak aktif.")
		}
		if row.Attended == nil || !*row.Attended || row.Passed == nil || !*row.Passed {
			add(row, "outcome", "Peserta tidak tercatat hadir dan lulus.")
		}
		switch {
		case row.JPActual == nil || *row.JPActual <= 0:
			add(row, "jp", "JP realisasi kosong atau nol.")
		case *row.JPActual > r.JP:
			add(row, "jp", fmt.Sprintf("JP realisasi %d melebihi %d JP yang disetujui.", *row.JPActual, r.JP))
		}
	}
	if s.budget != nil && len(out) == 0 {
		// The longest possible URL for this batch: if it fits, every certificate's does.
		probe := verifier.VerifyURL(s.publicURL, strings.Join([]string{verifier.ShortPrefix, "AAAAAAAA", strings.Repeat("A", 16),
			strings.Repeat("9", 18), strings.Repeat("Z", max(len(ag.IssuerCode), 1)), "99999999999", "9999", "99999", "99999", "25",
			strings.Repeat("A", 26), strings.Repeat("A", 103)}, "."))
		if err := s.budget(probe); err != nil {
			add(nil, "qr", "Kode QR melebihi batas ukuran: "+err.Error()+". Perpendek SERTIKA_PUBLIC_URL.")
		}
	}
	return out
}

// build makes and signs the certificates of a batch.
func (s *Issuance) build(tx *gorm.DB, a domain.Actor, r *Request, ag agencyRow, todo []issueRow, kid string,
	signer crypto.Signer, now time.Time) ([]Certificate, error) {
	year := domain.DateOf(now.In(wib)).Year()
	first, err := nextNumbers(tx, "sertifikat", year, len(todo))
	if err != nil {
		return nil, err
	}
	firstIndex, err := nextNumbers(tx, "status_index", 0, len(todo))
	if err != nil {
		return nil, err
	}
	pattern := ag.CertificatePattern
	if strings.TrimSpace(pattern) == "" {
		pattern = DefaultCertificatePattern
	}
	var opdCode string
	tx.Raw("SELECT code FROM opds WHERE id = ?", r.OPDID).Scan(&opdCode)
	organizer := OrganizerLabel(r.OrganizerType)
	if r.OrganizerName != "" {
		organizer = r.OrganizerName
	}
	issued := now.Truncate(time.Second)
	day := domain.DateOf(now.In(wib))
	certs := make([]Certificate, len(todo))
	idBytes := make([]byte, 10)
	for i, row := range todo {
		if err := s.random(idBytes); err != nil {
			return nil, apperr.Internal(err)
		}
		id, _ := verifier.NewCertificateID(idBytes)
		seq := first + i
		number, err := FormatNumber(pattern, seq, day, opdCode)
		if err != nil {
			return nil, err
		}
		c := Certificate{ID: id, Number: number, Year: year, Seq: seq, StatusIndex: int64(firstIndex + i), RequestID: r.ID,
			EmployeeID: row.EmployeeID, NIP: row.NIP, HolderName: domain.FullName(row.FrontTitle, row.Name, row.BackTitle),
			Position: row.Position, OPDName: row.OPDName, Title: r.Title, Kind: r.Kind, Level: r.Level, Organizer: organizer,
			StartDate: r.StartDate, EndDate: r.EndDate, JP: *row.JPActual, RecommendationNumber: r.Recommendation(),
			Place: ag.City, IssuedAt: issued, IssuerCode: ag.IssuerCode, SignerID: userRef(a), SignerName: ag.HeadName,
			SignerNIP: ag.HeadNIP, SignerTitle: ag.HeadTitle, SignerRank: ag.HeadRank, KID: kid, State: CertValid, CreatedAt: now}
		certs[i] = c
	}
	if err := signAll(certs, signer); err != nil {
		return nil, err
	}
	return certs, nil
}

// signAll signs certificates on every core: Ed25519 signatures are deterministic, so the
// result does not depend on the order in which workers take them.
func signAll(certs []Certificate, signer crypto.Signer) error {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(certs)/64))
	if workers <= 1 {
		for i := range certs {
			if err := signOne(&certs[i], signer); err != nil {
				return err
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(certs); i += workers {
				if err := signOne(&certs[i], signer); err != nil {
					errs[w] = err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (s *Issuance) sign(c *Certificate, signer crypto.Signer) error { return signOne(c, signer) }

func signOne(c *Certificate, signer crypto.Signer) error {
	c.Digest = ComputeDigest(c)
	tok, err := verifier.Sign(c.claims(), c.KID, signer)
	if err != nil {
		return apperr.Internal(fmt.Errorf("sign certificate: %w", err))
	}
	c.Token = tok
	return nil
}

// DefaultCertificatePattern numbers certificates when the agency has not set its own.
const DefaultCertificatePattern = "800.1/{seq}/SERT/BKPSDM/{year}"

var wib = time.FixedZone("WIB", 7*3600)

// nextNumbers reserves n consecutive numbers of a yearly sequence and returns the first.
func nextNumbers(tx *gorm.DB, scope string, year, n int) (int, error) {
	var last int
	err := tx.Raw(`INSERT INTO number_counters (scope, year, last_seq) VALUES (?, ?, ?)
		ON CONFLICT (scope, year) DO UPDATE SET last_seq = number_counters.last_seq + ?
		RETURNING last_seq`, scope, year, n, n).Scan(&last).Error
	if err != nil {
		return 0, apperr.Internal(fmt.Errorf("reserve %s numbers: %w", scope, err))
	}
	return last - n + 1, nil
}

func (s *Issuance) insert(tx *gorm.DB, certs []Certificate) error {
	size := 1000
	if s.db.Dialect == database.SQLite {
		size = 200 // ~40 columns a row: stays far below SQLite's 32766 bound parameters
	}
	if err := tx.CreateInBatches(certs, size).Error; err != nil {
		if database.IsUniqueViolation(err) {
			return apperr.Conflict("Sertifikat untuk peserta ini sudah diterbitkan oleh proses lain. Muat ulang halaman.")
		}
		return apperr.Internal(fmt.Errorf("store certificates: %w", err))
	}
	return nil
}

// ---- the hash-chained issuance log ----

// LogEntry is one row of the issuance log.
type LogEntry struct {
	ID       int64 `gorm:"primaryKey"`
	At       time.Time
	UserID   *int64
	Username string
	Action   string
	Object   string
	Detail   string
	PrevHash string
	Hash     string
}

// TableName is the issuance_log table.
func (LogEntry) TableName() string { return "issuance_log" }

// genesis is the prev_hash of the first entry.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// EntryHash is the hash of an entry: SHA-256 over the previous hash and the entry's fields.
func EntryHash(e *LogEntry) string {
	uid := ""
	if e.UserID != nil {
		uid = fmt.Sprint(*e.UserID)
	}
	h := sha256.New()
	for _, f := range []string{e.PrevHash, e.At.UTC().Format(time.RFC3339Nano), uid, e.Username, e.Action, e.Object, e.Detail} {
		fmt.Fprintf(h, "%d:%s\n", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// appendLog appends entries to the chain in tx. The counter row taken first serializes
// appenders, so the chain never forks (a unique index on prev_hash would refuse a fork).
func appendLog(tx *gorm.DB, entries []LogEntry) error {
	if len(entries) == 0 {
		return nil
	}
	if _, err := nextNumbers(tx, "issuance_log", 0, len(entries)); err != nil {
		return err
	}
	var prev string
	if err := tx.Raw("SELECT hash FROM issuance_log ORDER BY id DESC LIMIT 1").Scan(&prev).Error; err != nil {
		return apperr.Internal(err)
	}
	if prev == "" {
		prev = genesis
	}
	for i := range entries {
		entries[i].At = database.UTC(entries[i].At)
		entries[i].PrevHash = prev
		entries[i].Hash = EntryHash(&entries[i])
		prev = entries[i].Hash
	}
	// 9 columns a row: 2,000 rows stay under both databases' bound-parameter limits.
	if err := tx.CreateInBatches(entries, 2000).Error; err != nil {
		return apperr.Internal(fmt.Errorf("append issuance log: %w", err))
	}
	return nil
}

func (s *Issuance) logIssued(tx *gorm.DB, a domain.Actor, certs []Certificate, now time.Time) error {
	entries := make([]LogEntry, len(certs))
	for i, c := range certs {
		d, _ := json.Marshal(map[string]any{"number": c.Number, "nip": c.NIP, "request": c.RequestID, "kid": c.KID, "digest": c.Digest})
		entries[i] = LogEntry{At: now, UserID: userRef(a), Username: a.Username, Action: "certificate.issue", Object: "certificate:" + c.ID, Detail: string(d)}
	}
	return appendLog(tx, entries)
}

// recordRefusal logs a refused batch in its own small transaction (the batch's own was
// rolled back).
func (s *Issuance) recordRefusal(ctx context.Context, a domain.Actor, requestID int64, r *RefusedError) {
	d, _ := json.Marshal(r.Findings[:min(len(r.Findings), 50)])
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		return appendLog(tx, []LogEntry{{At: s.db.Now(), UserID: userRef(a), Username: a.Username, Action: "issuance.refused",
			Object: fmt.Sprintf("request:%d", requestID), Detail: string(d)}})
	})
	if err != nil {
		s.log.ErrorContext(ctx, "record refused issuance", "err", err)
	}
}

// KeyEventLogger returns a logger for key events, for keys.Store's callbacks.
func KeyEventLogger(db *database.DB, a domain.Actor) func(tx *gorm.DB, e keys.Event) error {
	return func(tx *gorm.DB, e keys.Event) error {
		return appendLog(tx, []LogEntry{{At: db.Now(), UserID: userRef(a), Username: a.Username, Action: e.Action,
			Object: "key:" + e.KID, Detail: e.Detail}})
	}
}

// ChainBreak describes the first broken link of the issuance log.
type ChainBreak struct {
	ID     int64
	Reason string
}

// VerifyLog recomputes the issuance log's chain and returns the number of entries and the
// first broken link (nil when the chain is whole).
func VerifyLog(ctx context.Context, db *database.DB) (int, *ChainBreak, error) {
	prev := genesis
	n := 0
	var lastID int64
	for {
		var page []LogEntry
		if err := db.WithContext(ctx).Where("id > ?", lastID).Order("id").Limit(5000).Find(&page).Error; err != nil {
			return n, nil, err
		}
		if len(page) == 0 {
			return n, nil, nil
		}
		for i := range page {
			e := &page[i]
			switch {
			case e.PrevHash != prev:
				return n, &ChainBreak{ID: e.ID, Reason: "prev_hash does not match the previous entry (an entry was removed or reordered)"}, nil
			case EntryHash(e) != e.Hash:
				return n, &ChainBreak{ID: e.ID, Reason: "hash does not match the entry's content (the entry was altered)"}, nil
			}
			prev, lastID = e.Hash, e.ID
			n++
		}
	}
}
