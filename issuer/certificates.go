package issuer

import (
	"archive/zip"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/document"
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
	var stack [1024]byte
	b := stack[:0]
	for _, f := range [...]string{"sertika-certificate-v1", c.ID, c.Number, c.NIP, c.HolderName, c.Position, c.OPDName, c.Title,
		c.Kind, c.Level, c.Organizer} {
		b = appendDigestLine(b, f)
	}
	b = appendDigestLine(b, c.StartDate.String())
	b = appendDigestLine(b, c.EndDate.String())
	b = appendDigestLine(b, strconv.Itoa(c.JP))
	for _, f := range [...]string{c.RecommendationNumber, c.Place, c.IssuedAt.UTC().Format(time.RFC3339), c.IssuerCode,
		c.SignerName, c.SignerNIP, c.SignerTitle, c.SignerRank, c.KID, replaces} {
		b = appendDigestLine(b, f)
	}
	sum := sha256.Sum256(b)
	return b32.EncodeToString(sum[:16])
}

// appendDigestLine appends a field of the digest with its newlines made spaces, and a newline.
func appendDigestLine(b []byte, f string) []byte {
	for i := 0; i < len(f); i++ {
		if f[i] == '\n' {
			b = append(b, ' ')
		} else {
			b = append(b, f[i])
		}
	}
	return append(b, '\n')
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

// The phases of an issuance, reported to IssueOptions.Progress in this order. A batch with
// nothing left to issue reports only PhaseChecks; PhaseScores is reported only when the
// service keeps scores (IssuanceOptions.Scores).
const (
	// PhaseChecks locks the request, reads the batch and runs the pre-issuance checks;
	// its total is the number of eligible participants (0 while they are being read).
	PhaseChecks = "checks"
	// PhaseSigning numbers and signs the certificates; total: certificates to issue.
	PhaseSigning = "signing"
	// PhaseStoring writes the certificate rows; total: certificates.
	PhaseStoring = "storing"
	// PhaseLog appends the hash-chained issuance log; total: log entries (one a certificate).
	PhaseLog = "log"
	// PhaseScores brings the holders' stored IP ASN scores in line; total: holders.
	PhaseScores = "scores"
)

// IssueOptions tune one call of IssueWith.
type IssueOptions struct {
	// Progress, when set, is told the advance of the batch: the phase (PhaseChecks…), and
	// done of total units in it. Each phase is announced with done = 0 and ends with
	// done = total; done never decreases within a phase. Calls never overlap (they may come
	// from different goroutines), so the function needs no locking of its own; it should
	// return quickly, as the issuing transaction waits for it.
	Progress func(phase string, done, total int)
}

// reporter passes an issuance's advance to IssueOptions.Progress, one call at a time. Work
// may advance a phase before it is announced (the certificates stream into the database
// while they are being signed): what is counted for a phase is reported when it starts. A
// nil reporter reports nothing.
type reporter struct {
	mu    sync.Mutex
	fn    func(phase string, done, total int)
	phase string
	total int
	done  map[string]int
}

func newReporter(fn func(phase string, done, total int)) *reporter {
	if fn == nil {
		return nil
	}
	return &reporter{fn: fn, done: map[string]int{}}
}

// start announces a phase of total units, and what is done of it already.
func (r *reporter) start(phase string, total int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.startLocked(phase, total)
}

func (r *reporter) startLocked(phase string, total int) {
	r.phase, r.total = phase, total
	r.fn(phase, 0, total)
	if d := min(r.done[phase], total); d > 0 {
		r.fn(phase, d, total)
	}
}

// add counts n more units of phase done, reported now if it is the current phase.
func (r *reporter) add(phase string, n int) {
	if r == nil || n <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done[phase] += n
	if phase == r.phase {
		r.fn(phase, min(r.done[phase], r.total), r.total)
	}
}

// finish ends the current phase at total (which may differ from the announced one, for
// the checks whose total is learnt on the way).
func (r *reporter) finish(total int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done[r.phase], r.total = total, total
	r.fn(r.phase, total, total)
}

// next ends phase and starts the next one of total units, unless phase is no longer the
// current one (it was moved on already).
func (r *reporter) next(phase, next string, total int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.phase != phase {
		return
	}
	r.done[phase] = r.total
	r.fn(phase, r.total, r.total)
	r.startLocked(next, total)
}

// Issue signs the certificates of a request whose report BKPSDM verified: one per
// participant who attended and passed. Only a signer (penandatangan) may issue, and never
// the account that verified the report (four eyes). The whole batch is one transaction:
// pre-issuance checks refuse it whole with a list of findings; re-running it issues nothing
// twice.
func (s *Issuance) Issue(ctx context.Context, a domain.Actor, requestID int64) (*Batch, error) {
	return s.IssueWith(ctx, a, requestID, IssueOptions{})
}

// IssueWith is Issue with options: a progress callback for long batches (a background job
// in the browser, the CLI's progress line).
func (s *Issuance) IssueWith(ctx context.Context, a domain.Actor, requestID int64, opt IssueOptions) (*Batch, error) {
	if a.Role != domain.RolePenandatangan {
		return nil, apperr.Forbidden("Hanya penandatangan (Kepala BKPSDM) yang dapat menerbitkan sertifikat.")
	}
	rep := newReporter(opt.Progress)
	var batch Batch
	var refused *RefusedError
	err := s.issueTx(ctx, func(tx *gorm.DB, bulk copyFunc) error {
		rep.start(PhaseChecks, 0)
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
		rep.finish(len(rows))
		if len(todo) > 0 {
			rep.start(PhaseSigning, len(todo))
			key, err := s.keys.Active(ctx, tx)
			if err != nil {
				return err
			}
			signer, err := s.keys.Signer(ctx, key)
			if err != nil {
				return apperr.Internal(fmt.Errorf("load signing key: %w", err))
			}
			certs, err := s.newBatch(tx, a, &r, ag, todo, key.KID, now)
			if err != nil {
				return err
			}
			// Sign on every core while the rows stream into the database: each row waits for
			// its own signature only. The signing phase ends with the last signature; the
			// storing phase, announced then, has counted the rows already stored.
			details := make([]string, len(certs))
			sg := startSigning(certs, details, signer, rep, func() { rep.next(PhaseSigning, PhaseStoring, len(certs)) })
			defer sg.stop()
			if err := s.insertBatch(tx, bulk, certs, sg.wait, rep); err != nil {
				return err
			}
			if err := sg.all(); err != nil {
				return err
			}
			rep.next(PhaseSigning, PhaseStoring, len(certs))
			rep.finish(len(certs))
			rep.start(PhaseLog, len(certs))
			if err := s.logIssued(tx, bulk, a, certs, details, now, rep); err != nil {
				return err
			}
			rep.finish(len(certs))
			if s.scores != nil {
				holders := make([]int64, len(certs))
				for i := range certs {
					holders[i] = certs[i].EmployeeID
				}
				rep.start(PhaseScores, len(holders))
				if err := s.rescore(ctx, tx, holders...); err != nil {
					return err
				}
				rep.finish(len(holders))
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

// copyFunc streams n rows into table's columns with PostgreSQL's COPY, inside the issuing
// transaction; row(i) answers the values of row i (the slice may be reused between calls),
// or an error that aborts the COPY. It is nil on SQLite.
type copyFunc func(ctx context.Context, table string, columns []string, n int, row func(i int) ([]any, error)) error

// issueTx runs fn in one transaction. On PostgreSQL the transaction runs on a dedicated
// connection, so fn can also COPY rows through the same connection (and transaction):
// for ten thousand certificates and as many log rows, COPY does in one round trip and
// no SQL parsing what multi-row INSERTs do in twenty statements of 37,000 parameters.
func (s *Issuance) issueTx(ctx context.Context, fn func(tx *gorm.DB, bulk copyFunc) error) error {
	if s.db.Dialect != database.Postgres {
		return s.db.Tx(ctx, func(tx *gorm.DB) error { return fn(tx, nil) })
	}
	return s.db.WithContext(ctx).Connection(func(c *gorm.DB) error {
		conn, ok := c.Statement.ConnPool.(*sql.Conn)
		if !ok {
			return c.Transaction(func(tx *gorm.DB) error { return fn(tx, nil) })
		}
		bulk := func(ctx context.Context, table string, columns []string, n int, row func(i int) ([]any, error)) error {
			return conn.Raw(func(dc any) error {
				pc, ok := dc.(interface{ Conn() *pgx.Conn })
				if !ok {
					return fmt.Errorf("copy into %s: driver connection %T is not pgx", table, dc)
				}
				i := 0
				_, err := pc.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromFunc(func() ([]any, error) {
					if i == n {
						return nil, nil
					}
					i++
					return row(i - 1)
				}))
				return err
			})
		}
		return c.Transaction(func(tx *gorm.DB) error { return fn(tx, bulk) })
	})
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
	// The certificates already issued are counted in one grouped pass: a correlated count per
	// participant would read all the request's certificates for each of them (quadratic:
	// seconds for a re-run of a few thousand on SQLite).
	err := tx.Raw(`SELECT e.id AS employee_id, e.nip, e.name, e.front_title, e.back_title, e.position, e.active,
			o.name AS opd_name, p.attended, p.passed, p.dropped, p.jp_actual, COALESCE(c.n, 0) AS live
		FROM dev_request_participants p
		JOIN employees e ON e.id = p.employee_id
		JOIN opds o ON o.id = e.opd_id
		LEFT JOIN (SELECT employee_id, count(*) AS n FROM certificates WHERE request_id = ? GROUP BY employee_id) c
			ON c.employee_id = p.employee_id
		WHERE p.request_id = ? AND p.attended = ? AND p.passed = ? AND NOT p.dropped
		ORDER BY e.name, e.nip`, requestID, requestID, true, true).Scan(&rows).Error
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
	// Plain reads, not a transaction: on SQLite every transaction takes the write lock
	// (_txlock=immediate), and a check must not wait behind a batch being issued (a second
	// click while the first batch is signing checks, then finds that batch's job running).
	db := s.db.WithContext(ctx)
	var r Request
	if err := db.Where("id = ?", requestID).Take(&r).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, errNoRequest
		}
		return nil, apperr.Internal(err)
	}
	if r.State != StateVerified {
		return nil, apperr.Conflict(fmt.Sprintf("Sertifikat hanya diterbitkan untuk usulan yang laporannya sudah diverifikasi (status sekarang: %s).", r.State.Label()))
	}
	if r.ReportVerifiedBy != nil && *r.ReportVerifiedBy == a.UserID {
		return nil, apperr.Forbidden("Prinsip empat mata: akun yang memverifikasi laporan tidak boleh menandatangani sertifikatnya.")
	}
	ag, rows, err := loadBatch(db, r.ID)
	if err != nil {
		return nil, err
	}
	return s.check(&r, ag, rows, s.db.Now()), nil
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
	certs, err := s.newBatch(tx, a, r, ag, todo, kid, now)
	if err != nil {
		return nil, err
	}
	if err := startSigning(certs, nil, signer, nil, nil).all(); err != nil {
		return nil, err
	}
	return certs, nil
}

// newBatch reserves the numbers of a batch and makes its certificates, not yet signed.
func (s *Issuance) newBatch(tx *gorm.DB, a domain.Actor, r *Request, ag agencyRow, todo []issueRow, kid string,
	now time.Time) ([]Certificate, error) {
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
	number, err := numberFormatter(pattern, day, opdCode, first, first+len(todo)-1)
	if err != nil {
		return nil, err
	}
	recommendation := r.Recommendation()
	signerID := userRef(a) // shared by the batch's rows: never written through
	certs := make([]Certificate, len(todo))
	idBytes := make([]byte, 10)
	for i := range todo {
		row := &todo[i]
		if err := s.random(idBytes); err != nil {
			return nil, apperr.Internal(err)
		}
		id, err := verifier.NewCertificateID(idBytes)
		if err != nil {
			return nil, apperr.Internal(err)
		}
		seq := first + i
		certs[i] = Certificate{ID: id, Number: number(seq), Year: year, Seq: seq, StatusIndex: int64(firstIndex + i), RequestID: r.ID,
			EmployeeID: row.EmployeeID, NIP: row.NIP, HolderName: domain.FullName(row.FrontTitle, row.Name, row.BackTitle),
			Position: row.Position, OPDName: row.OPDName, Title: r.Title, Kind: r.Kind, Level: r.Level, Organizer: organizer,
			StartDate: r.StartDate, EndDate: r.EndDate, JP: *row.JPActual, RecommendationNumber: recommendation,
			Place: ag.City, IssuedAt: issued, IssuerCode: ag.IssuerCode, SignerID: signerID, SignerName: ag.HeadName,
			SignerNIP: ag.HeadNIP, SignerTitle: ag.HeadTitle, SignerRank: ag.HeadRank, KID: kid, State: CertValid, CreatedAt: now}
	}
	return certs, nil
}

// numberFormatter returns the certificate number of each seq from first to last for the
// pattern: FormatNumber, without parsing the pattern again for every certificate. The
// quick form is checked against FormatNumber at both ends of the range (the widest and
// narrowest numbers) and FormatNumber is used when they disagree.
func numberFormatter(pattern string, day domain.Date, opd string, first, last int) (func(seq int) string, error) {
	if _, err := FormatNumber(pattern, first, day, opd); err != nil {
		return nil, err
	}
	slow := func(seq int) string { n, _ := FormatNumber(pattern, seq, day, opd); return n }
	// Split the pattern at its sequence placeholders; the other placeholders do not depend
	// on seq, so each literal part is filled once.
	fill := strings.NewReplacer("{year}", strconv.Itoa(day.Year()), "{month}", fmt.Sprintf("%02d", int(day.Month())),
		"{roman}", romanMonths[day.Month()-1], "{opd}", opd)
	var lits []string
	var widths []int
	rest := pattern
	for {
		i := strings.Index(rest, "{seq")
		if i < 0 {
			break
		}
		width := 0
		switch {
		case strings.HasPrefix(rest[i:], "{seq}"):
			width = 4
		case len(rest) >= i+7 && rest[i+4] == ':' && rest[i+5] >= '1' && rest[i+5] <= '9' && rest[i+6] == '}':
			width = int(rest[i+5] - '0')
		default:
			return slow, nil
		}
		lits = append(lits, fill.Replace(rest[:i]))
		widths = append(widths, width)
		if width == 4 && strings.HasPrefix(rest[i:], "{seq}") {
			rest = rest[i+5:]
		} else {
			rest = rest[i+7:]
		}
	}
	tail := fill.Replace(rest)
	fast := func(seq int) string {
		b := make([]byte, 0, len(pattern)+16)
		for k, lit := range lits {
			b = append(b, lit...)
			digits := strconv.Itoa(seq)
			for pad := widths[k] - len(digits); pad > 0; pad-- {
				b = append(b, '0')
			}
			b = append(b, digits...)
		}
		return string(append(b, tail...))
	}
	if fast(first) != slow(first) || fast(last) != slow(last) {
		return slow, nil
	}
	return fast, nil
}

// romanMonths are the months in Roman numerals, for {roman} in number patterns.
var romanMonths = []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}

// signChunk is how many certificates a signing worker takes at a time (and reports done).
const signChunk = 128

// batchSigner signs a batch's certificates on every core, in chunks taken in order: Ed25519
// signatures are deterministic, so the result does not depend on which worker signs what.
// Whoever stores the certificates waits for each one's chunk only (wait), so storing
// proceeds while the rest are being signed.
type batchSigner struct {
	certs    []Certificate
	chunks   []chan struct{} // chunks[k] is closed once certs[k*signChunk…] are signed
	failed   chan struct{}   // closed on the first failure (err) or by stop
	once     sync.Once
	err      error
	finished sync.WaitGroup
}

// startSigning starts signing certs. When details is not nil, details[i] receives the
// issuance-log detail of certs[i] (it carries the digest), computed by the same workers.
// Each signed chunk is counted for PhaseSigning in rep; done, when set, is called once every
// certificate is signed.
func startSigning(certs []Certificate, details []string, signer crypto.Signer, rep *reporter, done func()) *batchSigner {
	n := (len(certs) + signChunk - 1) / signChunk
	sg := &batchSigner{certs: certs, chunks: make([]chan struct{}, n), failed: make(chan struct{})}
	for k := range sg.chunks {
		sg.chunks[k] = make(chan struct{})
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, n))
	var next, signed atomic.Int64
	for range workers {
		sg.finished.Add(1)
		go func() {
			defer sg.finished.Done()
			for {
				k := int(next.Add(1)) - 1
				if k >= n {
					return
				}
				select {
				case <-sg.failed:
					return
				default:
				}
				end := min((k+1)*signChunk, len(certs))
				for i := k * signChunk; i < end; i++ {
					if err := signOne(&certs[i], signer); err != nil {
						sg.fail(err)
						return
					}
					if details != nil {
						details[i] = issueDetail(&certs[i])
					}
				}
				close(sg.chunks[k])
				rep.add(PhaseSigning, end-k*signChunk)
				if int(signed.Add(1)) == n && done != nil {
					done()
				}
			}
		}()
	}
	return sg
}

func (sg *batchSigner) fail(err error) {
	sg.once.Do(func() { sg.err = err; close(sg.failed) })
}

// wait waits until certs[i] is signed, and answers the signing's failure if there was one.
func (sg *batchSigner) wait(i int) error {
	select {
	case <-sg.chunks[i/signChunk]:
		return nil
	case <-sg.failed:
		return sg.err
	}
}

// all waits until every certificate is signed, and answers the signing's failure if there
// was one.
func (sg *batchSigner) all() error {
	for k := range sg.chunks {
		select {
		case <-sg.chunks[k]:
		case <-sg.failed:
			sg.finished.Wait()
			return sg.err
		}
	}
	sg.finished.Wait()
	return nil
}

// stop waits for the workers (telling them to stop if they have not finished) and answers
// the signing's failure, if any. It may be called more than once.
func (sg *batchSigner) stop() error {
	for k := range sg.chunks {
		select {
		case <-sg.chunks[k]:
			continue
		default:
		}
		sg.fail(errSigningStopped)
		break
	}
	sg.finished.Wait()
	if sg.err == errSigningStopped {
		return nil
	}
	return sg.err
}

// errSigningStopped ends the workers of a batch whose storing failed before it was all
// signed.
var errSigningStopped = errors.New("signing stopped")

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

// issueDetailJSON is the detail of a certificate.issue log entry. Its fields are in the
// order of their names, as the map it replaced was written (encoding/json sorts map keys),
// so entries read the same before and after.
type issueDetailJSON struct {
	Digest  string `json:"digest"`
	KID     string `json:"kid"`
	NIP     string `json:"nip"`
	Number  string `json:"number"`
	Request int64  `json:"request"`
}

func issueDetail(c *Certificate) string {
	d, _ := json.Marshal(issueDetailJSON{Digest: c.Digest, KID: c.KID, NIP: c.NIP, Number: c.Number, Request: c.RequestID})
	return string(d)
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
	return s.insertBatch(tx, nil, certs, nil, nil)
}

// certificateCopyColumns are the columns a new certificate fills (COPY): the revocation
// columns and replaced_by keep their defaults.
var certificateCopyColumns = []string{"id", "number", "year", "seq", "status_index", "request_id", "employee_id", "nip",
	"holder_name", "position", "opd_name", "title", "kind", "level", "organizer", "start_date", "end_date", "jp",
	"recommendation_number", "place", "issued_at", "issuer_code", "signer_id", "signer_name", "signer_nip", "signer_title",
	"signer_rank", "kid", "token", "digest", "state", "replaces", "created_at"}

// insertBatch stores new certificates: with COPY when bulk is set (PostgreSQL), otherwise
// with multi-row INSERTs. When signed is set, a row is stored once signed(i) answers
// (certs[i] is signed), so storing proceeds while the rest are being signed.
func (s *Issuance) insertBatch(tx *gorm.DB, bulk copyFunc, certs []Certificate, signed func(i int) error, rep *reporter) error {
	if signed == nil {
		signed = func(int) error { return nil }
	}
	for i := range certs {
		if c := &certs[i]; c.RevokedAt != nil || c.RevokedBy != nil || c.ReplacedBy != nil || c.RevokeReason != "" || c.RevokeNote != "" {
			return apperr.Internal(errors.New("store certificates: only new certificates are inserted"))
		}
	}
	var err error
	if bulk != nil {
		row := make([]any, len(certificateCopyColumns))
		err = bulk(tx.Statement.Context, "certificates", certificateCopyColumns, len(certs), func(i int) ([]any, error) {
			if i%signChunk == 0 {
				if err := signed(i); err != nil {
					return nil, err
				}
			}
			c := &certs[i]
			// Pointers to the fields: an interface holding a pointer needs no allocation.
			row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7] = &c.ID, &c.Number, &c.Year, &c.Seq, &c.StatusIndex,
				&c.RequestID, &c.EmployeeID, &c.NIP
			row[8], row[9], row[10], row[11], row[12], row[13], row[14] = &c.HolderName, &c.Position, &c.OPDName, &c.Title, &c.Kind,
				&c.Level, &c.Organizer
			row[15], row[16], row[17], row[18], row[19], row[20], row[21] = &c.StartDate.Time, &c.EndDate.Time, &c.JP,
				&c.RecommendationNumber, &c.Place, &c.IssuedAt, &c.IssuerCode
			row[22], row[23], row[24], row[25], row[26], row[27], row[28] = c.SignerID, &c.SignerName, &c.SignerNIP, &c.SignerTitle,
				&c.SignerRank, &c.KID, &c.Token
			row[29], row[30], row[31], row[32] = &c.Digest, &c.State, c.Replaces, &c.CreatedAt
			if (i+1)%500 == 0 {
				rep.add(PhaseStoring, 500)
			}
			return row, nil
		})
	} else {
		size := 1000
		if s.db.Dialect == database.SQLite {
			size = 200 // ~40 columns a row: stays far below SQLite's 32766 bound parameters
		}
		for start := 0; start < len(certs) && err == nil; start += size {
			end := min(start+size, len(certs))
			for i := start; i < end && err == nil; i += signChunk - i%signChunk {
				err = signed(i)
			}
			if err == nil {
				chunk := certs[start:end]
				err = tx.Create(&chunk).Error
				rep.add(PhaseStoring, end-start)
			}
		}
	}
	if err != nil {
		if errors.Is(err, errSigningStopped) || apperr.CodeOf(err) != apperr.CodeInternal {
			return err
		}
		if database.IsUniqueViolation(err) {
			return apperr.Conflict("Sertifikat untuk peserta ini sudah diterbitkan oleh proses lain. Muat ulang halaman.")
		}
		return apperr.Internal(fmt.Errorf("store certificates: %w", err))
	}
	return nil
}

// ---- PDFs and ZIPs of many certificates ----

// ListAll returns every certificate the filter selects that the actor may see (List, page
// after page; f.Limit and f.Offset are ignored), in number order (year, then sequence).
func (s *Issuance) ListAll(ctx context.Context, a domain.Actor, f CertFilter) ([]Certificate, error) {
	var all []Certificate
	seen := map[string]bool{}
	f.Limit = 500
	for f.Offset = 0; ; f.Offset += f.Limit {
		page, pg, err := s.List(ctx, a, f)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			// A certificate re-issued between two pages moves up the list: read it once.
			if !seen[c.ID] {
				seen[c.ID] = true
				all = append(all, c)
			}
		}
		if len(page) == 0 || int64(f.Offset+len(page)) >= pg.Total {
			break
		}
	}
	slices.SortFunc(all, func(x, y Certificate) int {
		if x.Year != y.Year {
			return x.Year - y.Year
		}
		return x.Seq - y.Seq
	})
	return all, nil
}

// PDFData is what a certificate's PDF prints: the certificate, the agency's header (name,
// BKPSDM, city, logo) and the verification address of its QR code.
func (s *Issuance) PDFData(c *Certificate, ag domain.Agency) document.CertificateData {
	return document.CertificateData{
		AgencyName: ag.Name, BKPSDMName: ag.BKPSDMName, AgencyCity: ag.City, Logo: ag.Logo,
		Number: c.Number, HolderName: c.HolderName, NIP: c.NIP, Position: c.Position, OPDName: c.OPDName,
		ActivityTitle: c.Title, KindLabel: c.KindLabel(), Organizer: c.Organizer,
		StartDate: c.StartDate.Time, EndDate: c.EndDate.Time, JP: c.JP, RecommendationNumber: c.RecommendationNumber,
		Place: c.Place, IssuedAt: c.IssuedAt, SignerName: c.SignerName, SignerNIP: c.SignerNIP,
		SignerTitle: c.SignerTitle, SignerRank: c.SignerRank, VerifyURL: s.VerifyURL(c),
		ShortCode: c.ShortCode(), PublicURL: s.publicURL,
	}
}

// PDFFileName names a certificate's PDF after its number: sertifikat-800.1-0001-SERT-….pdf.
func PDFFileName(c *Certificate) string {
	return "sertifikat-" + strings.NewReplacer("/", "-", " ", "").Replace(c.Number) + ".pdf"
}

// WriteZip writes one ZIP holding the PDF of each certificate (render(c)) to w, in the
// order given, named by PDFFileName. PDFs are rendered on every core, a few dozen ahead of
// the writer, and stored uncompressed (they are compressed already). The output depends
// only on the certificates and what render answers: with a deterministic renderer, the
// same certificates give the same bytes, so an interrupted or repeated run is harmless.
// progress, when set, is told done of len(certs) as PDFs are written (from the calling
// goroutine).
func WriteZip(ctx context.Context, w io.Writer, certs []Certificate, render func(*Certificate) ([]byte, error),
	progress func(done, total int)) error {
	workers := max(1, runtime.GOMAXPROCS(0))
	chunk := 8 * workers
	zw := zip.NewWriter(w)
	pdfs := make([][]byte, chunk)
	errs := make([]error, chunk)
	if progress != nil {
		progress(0, len(certs))
	}
	for start := 0; start < len(certs); start += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+chunk, len(certs))
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(workers, end-start) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if start+i >= end {
						return
					}
					pdfs[i], errs[i] = render(&certs[start+i])
				}
			}()
		}
		wg.Wait()
		for i := range end - start {
			c := &certs[start+i]
			if errs[i] != nil {
				return fmt.Errorf("render certificate %s: %w", c.Number, errs[i])
			}
			f, err := zw.CreateHeader(&zip.FileHeader{Name: PDFFileName(c), Method: zip.Store, Modified: c.IssuedAt.UTC()})
			if err != nil {
				return err
			}
			if _, err := f.Write(pdfs[i]); err != nil {
				return err
			}
			pdfs[i] = nil
		}
		if progress != nil {
			progress(end, len(certs))
		}
	}
	return zw.Close()
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

// EntryHash is the hash of an entry: SHA-256 over the previous hash and the entry's fields,
// each written as its length in bytes, a colon, the field and a newline.
func EntryHash(e *LogEntry) string {
	uid := ""
	if e.UserID != nil {
		uid = strconv.FormatInt(*e.UserID, 10)
	}
	var stack [512]byte
	b := stack[:0]
	for _, f := range [...]string{e.PrevHash, e.At.UTC().Format(time.RFC3339Nano), uid, e.Username, e.Action, e.Object, e.Detail} {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
		b = append(b, '\n')
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// appendLog appends entries to the chain in tx. The counter row taken first serializes
// appenders, so the chain never forks (a unique index on prev_hash would refuse a fork).
func appendLog(tx *gorm.DB, entries []LogEntry) error {
	return appendLogBulk(tx, nil, entries, nil)
}

// logCopyColumns are the columns of a log entry (COPY); the id comes from its sequence, in
// the order of the rows.
var logCopyColumns = []string{"at", "user_id", "username", "action", "object", "detail", "prev_hash", "hash"}

// appendLogBulk is appendLog with COPY when bulk is set (PostgreSQL), reporting the rows
// stored to rep.
func appendLogBulk(tx *gorm.DB, bulk copyFunc, entries []LogEntry, rep *reporter) error {
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
	var err error
	if bulk != nil {
		row := make([]any, len(logCopyColumns))
		err = bulk(tx.Statement.Context, "issuance_log", logCopyColumns, len(entries), func(i int) ([]any, error) {
			e := &entries[i]
			row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7] = &e.At, e.UserID, &e.Username, &e.Action, &e.Object,
				&e.Detail, &e.PrevHash, &e.Hash
			if (i+1)%1000 == 0 {
				rep.add(PhaseLog, 1000)
			}
			return row, nil
		})
	} else {
		// 9 columns a row: 2,000 rows stay under both databases' bound-parameter limits.
		for start := 0; start < len(entries) && err == nil; start += 2000 {
			end := min(start+2000, len(entries))
			chunk := entries[start:end]
			err = tx.Create(&chunk).Error
			rep.add(PhaseLog, end-start)
		}
	}
	if err != nil {
		return apperr.Internal(fmt.Errorf("append issuance log: %w", err))
	}
	return nil
}

// logIssued appends one certificate.issue entry a certificate, with the details the
// signing workers wrote.
func (s *Issuance) logIssued(tx *gorm.DB, bulk copyFunc, a domain.Actor, certs []Certificate, details []string, now time.Time,
	rep *reporter) error {
	entries := make([]LogEntry, len(certs))
	uid := userRef(a)
	for i := range certs {
		entries[i] = LogEntry{At: now, UserID: uid, Username: a.Username, Action: "certificate.issue",
			Object: "certificate:" + certs[i].ID, Detail: details[i]}
	}
	return appendLogBulk(tx, bulk, entries, rep)
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
