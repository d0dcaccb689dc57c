package scoring

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/audit"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/filestore"
	"github.com/sertika/sertika/internal/nip"
)

// This file is the review flow of competency development recorded outside Sertika
// (external_trainings): an employee, or the OPD for one of its employees, submits a record
// with the PDF of its certificate as evidence; BKPSDM recognises it (from then on it counts
// for the extHolder's score) or rejects it with a reason (the submitter may then correct and
// submit it again). ReviewExternalTraining (store.go) records the decision and rescores.
//
// Rights are decided here, from the actor: BKPSDM staff see every record, an OPD user the
// records of its OPD's employees, an employee their own. Only the employee and the OPD of
// the employee submit.

// External training limits and defaults.
const (
	// DefaultMaxEvidence bounds one evidence file when the store is not told otherwise.
	DefaultMaxEvidence = 10 << 20
	// MaxExternalJP is the largest JP a record may claim.
	MaxExternalJP = 9999
	// SourceSubmission marks records submitted through Sertika (external_trainings.source);
	// importers and the demo write their own source (all listed in domain.FactSources).
	SourceSubmission = domain.FactSourceSubmission
)

// Audit-log actions of the review flow (besides AuditActionReviewExternal).
const (
	AuditActionSubmitExternal   = "external_training.submit"
	AuditActionResubmitExternal = "external_training.resubmit"
)

// ExternalOptions configure the review flow of external development records.
type ExternalOptions struct {
	// MaxEvidenceBytes bounds one evidence PDF (default DefaultMaxEvidence).
	MaxEvidenceBytes int64
	// Location is the agency's time zone for "today" (a record may not end after today);
	// default WIB.
	Location *time.Location
}

// externalConfig is what the review flow needs beyond the store's database and rule set.
type externalConfig struct {
	files       *filestore.Store
	maxEvidence int64
	loc         *time.Location
}

// WithEvidence gives the store the file store that keeps evidence of external records
// (content-addressed, by SHA-256) and returns the store. Without it the store scores and
// reviews, but submissions fail.
func (s *Store) WithEvidence(files *filestore.Store, opt ExternalOptions) *Store {
	if opt.MaxEvidenceBytes <= 0 {
		opt.MaxEvidenceBytes = DefaultMaxEvidence
	}
	if opt.Location == nil {
		opt.Location = time.FixedZone("WIB", 7*3600)
	}
	s.ext = externalConfig{files: files, maxEvidence: opt.MaxEvidenceBytes, loc: opt.Location}
	return s
}

// External returns the review flow of external development records.
func (s *Store) External() *External { return &External{st: s} }

// External is the review flow of external development records (see the file comment).
type External struct{ st *Store }

// MaxEvidenceBytes is the largest evidence file accepted.
func (x *External) MaxEvidenceBytes() int64 {
	if x.st.ext.maxEvidence <= 0 {
		return DefaultMaxEvidence
	}
	return x.st.ext.maxEvidence
}

// Today is the agency's calendar date: the latest end date a record may have.
func (x *External) Today() domain.Date {
	loc := x.st.ext.loc
	if loc == nil {
		loc = time.FixedZone("WIB", 7*3600)
	}
	return domain.DateOf(x.st.db.Now().In(loc))
}

// ExternalInput is what a submitter writes about one activity.
type ExternalInput struct {
	// NIP is the employee the record is about. An OPD user must give one of its OPD's
	// employees; an employee may leave it empty (or give their own).
	NIP               string      `json:"nip"`
	Kind              string      `json:"kind"`  // domain.DevelopmentKinds code
	Level             string      `json:"level"` // leadership training only
	Title             string      `json:"title"`
	JP                int         `json:"jp"`
	StartDate         domain.Date `json:"start_date"`
	EndDate           domain.Date `json:"end_date"`
	Organizer         string      `json:"organizer"`
	CertificateNumber string      `json:"certificate_number"` // empty when the certificate has none
}

// ExternalTraining is one external development record as the review flow shows it.
type ExternalTraining struct {
	ID                int64
	EmployeeID        int64
	NIP               string `gorm:"column:nip"`
	EmployeeName      string // with academic titles
	OPDCode           string `gorm:"column:opd_code"`
	OPDName           string `gorm:"column:opd_name"`
	Kind              string
	Level             string
	Title             string
	JP                int         `gorm:"column:jp"`
	StartDate         domain.Date // zero when unknown (imported records)
	EndDate           domain.Date
	Organizer         string
	CertificateNumber string
	Status            string
	EvidenceSHA256    string `gorm:"column:evidence_sha256"`
	SubmittedBy       *int64
	SubmittedByName   string
	ReviewedBy        *int64
	ReviewedByName    string
	ReviewedAt        *time.Time
	ReviewReason      string
	Source            string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// KindLabel is the kind's name in Bahasa Indonesia.
func (r ExternalTraining) KindLabel() string {
	if k, ok := domain.KindByCode(r.Kind); ok {
		return k.Label
	}
	return r.Kind
}

// LevelLabel is the leadership level's name ("" when none).
func (r ExternalTraining) LevelLabel() string {
	if l, ok := domain.LeadershipLevelByCode(r.Level); ok {
		return l.Label
	}
	return r.Level
}

// StatusLabel is the status in Bahasa Indonesia.
func (r ExternalTraining) StatusLabel() string { return ExternalStatusLabel(r.Status) }

// HasEvidence tells whether an evidence file is on record.
func (r ExternalTraining) HasEvidence() bool { return r.EvidenceSHA256 != "" }

// Resubmitted tells whether a record waiting for review was rejected before (its last
// decision is kept until the next one).
func (r ExternalTraining) Resubmitted() bool {
	return r.Status == ExternalSubmitted && r.ReviewedAt != nil
}

// SourceLabel says where the record came from, in Bahasa Indonesia (domain.FactSourceLabel).
func (r ExternalTraining) SourceLabel() string { return domain.FactSourceLabel(r.Source) }

// ExternalStatuses lists the statuses in the order the pages show them.
var ExternalStatuses = []string{ExternalSubmitted, ExternalRecognised, ExternalRejected}

// ExternalStatusLabel names a status in Bahasa Indonesia.
func ExternalStatusLabel(s string) string {
	switch s {
	case ExternalSubmitted:
		return "Menunggu verifikasi"
	case ExternalRecognised:
		return "Diakui"
	case ExternalRejected:
		return "Ditolak"
	}
	return s
}

// ---- validation ----

// externalFieldOrder fixes which message leads when several fields fail.
var externalFieldOrder = []string{"nip", "kind", "level", "title", "jp", "start_date", "end_date", "organizer",
	"certificate_number", "evidence"}

func externalInvalid(fields map[string]string) error {
	msg := "Data tidak sah."
	for _, k := range externalFieldOrder {
		if m, ok := fields[k]; ok {
			msg = m
			break
		}
	}
	if len(fields) > 1 {
		msg = fmt.Sprintf("%s (dan %d kesalahan lain)", msg, len(fields)-1)
	}
	return apperr.Invalid(msg).WithFields(fields)
}

// extCleanLine trims s and folds runs of white space into one space: titles, organisers and
// numbers are one line, and extDuplicates must not hide behind a double space.
func extCleanLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// validate checks the input (all fields at once) and returns it cleaned. The NIP is
// checked by the caller, who knows whether one is needed.
func (x *External) validate(in ExternalInput, fields map[string]string) ExternalInput {
	out := ExternalInput{NIP: nip.Normalize(in.NIP)}
	clean := func(key, label, v string, max int, required bool) string {
		v, err := directory.CleanText(label, v, max, required)
		if err != nil {
			fields[key] = apperr.As(err).Message
		}
		return extCleanLine(v)
	}
	code := strings.ToLower(strings.TrimSpace(in.Kind))
	kind, known := domain.KindByCode(code)
	_, mapped := x.st.rs.Kompetensi.Kinds[code]
	switch {
	case code == "":
		fields["kind"] = "Jenis pengembangan kompetensi wajib dipilih."
	case !known || !mapped:
		fields["kind"] = "Jenis pengembangan kompetensi tidak dikenal. Gunakan kode dari tabel jenis (misalnya teknis, bimtek, seminar, kepemimpinan)."
	}
	out.Kind = kind.Code
	out.Level = strings.ToLower(strings.TrimSpace(in.Level))
	if out.Kind == "kepemimpinan" {
		if _, ok := domain.LeadershipLevelByCode(out.Level); !ok {
			fields["level"] = "Pelatihan kepemimpinan harus menyebut tingkatnya: pkp/pim4, pka/pim3, pkn2/pim2 atau pkn1/pim1."
		}
	} else if out.Level != "" {
		fields["level"] = "Tingkat hanya diisi untuk pelatihan kepemimpinan."
	}
	out.Title = clean("title", "Nama pelatihan", in.Title, 300, true)
	if out.Title != "" && len([]rune(out.Title)) < 3 {
		fields["title"] = "Nama pelatihan minimal 3 karakter."
	}
	out.JP = in.JP
	switch {
	case in.JP <= 0:
		fields["jp"] = "Jumlah JP harus lebih dari 0."
	case in.JP > MaxExternalJP:
		fields["jp"] = fmt.Sprintf("Jumlah JP paling banyak %d.", MaxExternalJP)
	}
	out.StartDate, out.EndDate = in.StartDate, in.EndDate
	today := x.Today()
	if out.StartDate.IsZero() {
		fields["start_date"] = "Tanggal mulai wajib diisi (TTTT-BB-HH)."
	} else if out.StartDate.Year() < 1960 {
		fields["start_date"] = "Tanggal mulai tidak masuk akal."
	} else if out.StartDate.After(today.Time) {
		fields["start_date"] = "Tanggal mulai tidak boleh di masa depan: ajukan setelah kegiatan selesai."
	}
	switch {
	case out.EndDate.IsZero():
		fields["end_date"] = "Tanggal selesai wajib diisi (TTTT-BB-HH)."
	case out.EndDate.After(today.Time):
		fields["end_date"] = "Tanggal selesai tidak boleh di masa depan: ajukan setelah kegiatan selesai dan sertifikat terbit."
	case !out.StartDate.IsZero() && out.EndDate.Before(out.StartDate.Time):
		fields["end_date"] = "Tanggal selesai tidak boleh sebelum tanggal mulai."
	}
	out.Organizer = clean("organizer", "Penyelenggara", in.Organizer, 200, true)
	out.CertificateNumber = clean("certificate_number", "Nomor sertifikat", in.CertificateNumber, 100, false)
	return out
}

// readEvidence reads an evidence upload (at most the limit) and checks that it is a PDF by
// its content: the "%PDF-" header at the start and an end-of-file marker near the end. The
// name and content type a client sent are never consulted. A nil r gives nil, nil.
func (x *External) readEvidence(r io.Reader, required bool) ([]byte, *apperr.Error) {
	if r == nil {
		if required {
			return nil, apperr.Invalid("Lampirkan bukti berupa berkas PDF sertifikat atau STTPL.")
		}
		return nil, nil
	}
	max := x.MaxEvidenceBytes()
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("read evidence: %w", err))
	}
	switch {
	case len(b) == 0:
		if required {
			return nil, apperr.Invalid("Berkas bukti kosong: lampirkan PDF sertifikat atau STTPL.")
		}
		return nil, nil
	case int64(len(b)) > max:
		return nil, apperr.New(apperr.CodeTooLarge, fmt.Sprintf("Berkas bukti terlalu besar: paling besar %s.", extSizeText(max)))
	case !extIsPDF(b):
		return nil, apperr.Invalid("Bukti harus berupa berkas PDF (hasil pindai sertifikat atau STTPL); berkas yang diunggah bukan PDF.")
	}
	return b, nil
}

// extIsPDF tells whether b looks like a whole PDF file: it starts with the %PDF-1.x or %PDF-2.x
// header and has an %%EOF marker in its last kilobyte (a truncated upload has none).
func extIsPDF(b []byte) bool {
	if len(b) < 16 || !bytes.HasPrefix(b, []byte("%PDF-")) || (b[5] != '1' && b[5] != '2') || b[6] != '.' {
		return false
	}
	tail := b[max(0, len(b)-1024):]
	return bytes.Contains(tail, []byte("%%EOF"))
}

// extSizeText writes a byte limit for people: 10485760 → "10 MB".
func extSizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", max(n>>10, 1))
}

// ---- who may do what ----

func extRequireSignedIn(a domain.Actor) error {
	if !a.Role.Valid() {
		return apperr.Unauthorized("Silakan masuk terlebih dahulu.")
	}
	return nil
}

// errExtSubmitRole refuses submission to roles that do not submit.
var errExtSubmitRole = apperr.Forbidden("Riwayat pengembangan kompetensi dari luar diajukan oleh pegawai yang bersangkutan " +
	"atau oleh pengguna OPD untuk pegawai OPD-nya; BKPSDM menilai pengajuan itu.")

// extHolder is the employee a record is about, as the checks need them.
type extHolder struct {
	ID     int64  `gorm:"column:id"`
	NIP    string `gorm:"column:nip"`
	OPDID  int64  `gorm:"column:opd_id"`
	Active bool   `gorm:"column:active"`
}

// extCanSubmitFor tells whether the actor may submit (or correct) records of the employee.
func extCanSubmitFor(a domain.Actor, h extHolder) error {
	switch a.Role {
	case domain.RolePegawai:
		if h.NIP == a.NIP && a.NIP != "" {
			return nil
		}
		return apperr.Forbidden("Pegawai hanya dapat mengajukan riwayat pengembangan kompetensi untuk dirinya sendiri.").
			WithFields(map[string]string{"nip": "Anda hanya dapat mengajukan untuk NIP Anda sendiri."})
	case domain.RoleOPD:
		if h.OPDID == a.OPDID && a.OPDID != 0 {
			return nil
		}
		return apperr.Forbidden("Pegawai ini bukan pegawai OPD Anda: OPD hanya dapat mengajukan untuk pegawainya sendiri.").
			WithFields(map[string]string{"nip": "Pegawai ini bukan pegawai OPD Anda."})
	}
	return errExtSubmitRole
}

// extCanSee tells whether the actor may see the employee's records.
func extCanSee(a domain.Actor, empNIP string, empOPD int64) error {
	if err := extRequireSignedIn(a); err != nil {
		return err
	}
	switch {
	case a.Role.IsBKPSDM():
		return nil
	case a.Role == domain.RoleOPD && empOPD == a.OPDID && a.OPDID != 0:
		return nil
	case a.Role == domain.RolePegawai && empNIP == a.NIP && a.NIP != "":
		return nil
	case a.Role == domain.RoleOPD:
		return apperr.Forbidden("Riwayat ini milik pegawai OPD lain.")
	}
	return apperr.Forbidden("Anda hanya dapat melihat riwayat pengembangan kompetensi Anda sendiri.")
}

// resolveHolder finds the employee a submission is about (n: a valid, normalised NIP, or
// "" for an employee's own) and checks that the actor may submit for them. A refusal of
// rights is an error; an unknown or inactive employee is a message for the NIP field.
func (x *External) resolveHolder(ctx context.Context, a domain.Actor, n string) (extHolder, string, error) {
	var h extHolder
	if a.Role == domain.RolePegawai && n == "" {
		n = a.NIP
	}
	if a.Role == domain.RolePegawai && n != a.NIP {
		return h, "", extCanSubmitFor(a, extHolder{NIP: n})
	}
	var hs []extHolder
	if err := x.st.db.WithContext(ctx).Raw(`SELECT id, nip, opd_id, active FROM employees WHERE nip = ?`, n).
		Scan(&hs).Error; err != nil {
		return h, "", apperr.Internal(fmt.Errorf("load employee: %w", err))
	}
	if a.Role == domain.RoleOPD && (len(hs) == 0 || hs[0].OPDID != a.OPDID || a.OPDID == 0) {
		// One answer whether the NIP is unknown or another OPD's: telling them apart would
		// let an OPD learn which NIPs are registered elsewhere.
		return h, "Pegawai dengan NIP " + n + " tidak terdaftar di OPD Anda.", nil
	}
	if len(hs) == 0 {
		return h, "Pegawai dengan NIP " + n + " tidak terdaftar.", nil
	}
	h = hs[0]
	if err := extCanSubmitFor(a, h); err != nil {
		return h, "", err
	}
	if !h.Active {
		return h, "Pegawai dengan NIP " + n + " tidak aktif.", nil
	}
	return h, "", nil
}

// ---- reading ----

// externalSelect reads records with their employee, OPD and the users who submitted and
// reviewed them.
const externalSelect = `SELECT x.id, x.employee_id, e.nip, e.name AS employee_name, e.front_title, e.back_title,
	o.code AS opd_code, o.name AS opd_name, x.kind, x.level, x.title, x.jp, x.start_date, x.end_date, x.organizer,
	x.certificate_number, x.status, x.evidence_sha256, x.submitted_by,
	COALESCE(NULLIF(su.display_name, ''), su.username, '') AS submitted_by_name, x.reviewed_by,
	COALESCE(NULLIF(ru.display_name, ''), ru.username, '') AS reviewed_by_name, x.reviewed_at, x.review_reason,
	x.source, x.created_at, x.updated_at
FROM external_trainings x
JOIN employees e ON e.id = x.employee_id
JOIN opds o ON o.id = e.opd_id
LEFT JOIN users su ON su.id = x.submitted_by
LEFT JOIN users ru ON ru.id = x.reviewed_by`

// externalRow is a row of externalSelect.
type externalRow struct {
	ExternalTraining
	FrontTitle string
	BackTitle  string
}

func (r externalRow) record() *ExternalTraining {
	out := r.ExternalTraining
	out.EmployeeName = domain.FullName(r.FrontTitle, r.EmployeeName, r.BackTitle)
	return &out
}

// load reads one record through g (nil when there is none).
func (x *External) load(ctx context.Context, g *gorm.DB, id int64) (*ExternalTraining, error) {
	var rows []externalRow
	if err := g.WithContext(ctx).Raw(externalSelect+` WHERE x.id = ?`, id).Scan(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("load external training: %w", err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0].record(), nil
}

var errNoExternal = apperr.NotFound("Riwayat pengembangan kompetensi tidak ditemukan.")

// Get returns one record, for those who may see it: BKPSDM staff any, an OPD user its
// employees', an employee their own (others: 403).
func (x *External) Get(ctx context.Context, a domain.Actor, id int64) (*ExternalTraining, error) {
	if err := extRequireSignedIn(a); err != nil {
		return nil, err
	}
	r, err := x.load(ctx, x.st.db.Gorm, id)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errNoExternal
	}
	var opdID int64
	if err := x.st.db.WithContext(ctx).Raw(`SELECT opd_id FROM employees WHERE id = ?`, r.EmployeeID).Scan(&opdID).Error; err != nil {
		return nil, apperr.Internal(err)
	}
	if err := extCanSee(a, r.NIP, opdID); err != nil {
		return nil, err
	}
	return r, nil
}

// CanReview tells whether the actor may recognise or reject records.
func CanReview(a domain.Actor) bool {
	return a.Role == domain.RoleAdmin || a.Role == domain.RoleVerifikator
}

// CanResubmit tells whether the actor may correct and submit the record again now: it is
// rejected, and the actor may submit for its extHolder (the employee, or their OPD).
func (x *External) CanResubmit(ctx context.Context, a domain.Actor, r *ExternalTraining) bool {
	if r == nil || r.Status != ExternalRejected || (a.Role != domain.RolePegawai && a.Role != domain.RoleOPD) {
		return false
	}
	var hs []extHolder
	if err := x.st.db.WithContext(ctx).Raw(`SELECT id, nip, opd_id, active FROM employees WHERE id = ?`, r.EmployeeID).
		Scan(&hs).Error; err != nil || len(hs) == 0 {
		return false
	}
	return extCanSubmitFor(a, hs[0]) == nil
}

// ExternalFilter narrows a list of records.
type ExternalFilter struct {
	Status string // submitted, recognised, rejected; "" for all
	OPD    string // OPD code
	NIP    string // one employee
	Q      string // part of the title, certificate number or employee name, or the start of a NIP
	// Queue orders the oldest submission first (the reviewer's queue) instead of the newest
	// change first.
	Queue  bool
	Limit  int // default 25, at most 200
	Offset int
}

// base is a fresh query on records joined with their employees and OPDs.
func (x *External) base(ctx context.Context) *gorm.DB {
	return x.st.db.WithContext(ctx).Table("external_trainings x").
		Joins("JOIN employees e ON e.id = x.employee_id").Joins("JOIN opds o ON o.id = e.opd_id")
}

// scope applies the actor's visibility and the filter's conditions except the status to
// a query on "external_trainings x JOIN employees e JOIN opds o".
func (x *External) scope(ctx context.Context, a domain.Actor, q *gorm.DB, f ExternalFilter) (*gorm.DB, error) {
	if err := extRequireSignedIn(a); err != nil {
		return nil, err
	}
	switch a.Role {
	case domain.RoleOPD:
		q = q.Where("e.opd_id = ?", a.OPDID)
	case domain.RolePegawai:
		q = q.Where("e.nip = ?", a.NIP)
	}
	if code := strings.TrimSpace(f.OPD); code != "" {
		var opds []struct {
			ID int64
		}
		if err := x.st.db.WithContext(ctx).Raw(`SELECT id FROM opds WHERE code = ?`, code).Scan(&opds).Error; err != nil {
			return nil, apperr.Internal(err)
		}
		if len(opds) == 0 {
			return nil, apperr.Invalidf("OPD dengan kode %q tidak dikenal.", code).WithFields(map[string]string{"opd": "OPD tidak dikenal."})
		}
		if a.Role == domain.RoleOPD && opds[0].ID != a.OPDID {
			return nil, apperr.Forbidden("Anda tidak berhak melihat data OPD lain.")
		}
		q = q.Where("e.opd_id = ?", opds[0].ID)
	}
	if raw := strings.TrimSpace(f.NIP); raw != "" {
		n := nip.Normalize(raw)
		if a.Role == domain.RolePegawai && n != a.NIP {
			return nil, apperr.Forbidden("Anda hanya dapat melihat riwayat pengembangan kompetensi Anda sendiri.")
		}
		q = q.Where("e.nip = ?", n)
	}
	if term := strings.TrimSpace(f.Q); term != "" {
		if len([]rune(term)) > 100 {
			return nil, apperr.Invalid("Kata kunci pencarian paling panjang 100 karakter.").
				WithFields(map[string]string{"q": "Kata kunci paling panjang 100 karakter."})
		}
		if digits := nip.Normalize(term); digits != "" && strings.Trim(digits, "0123456789") == "" && len(digits) >= 4 {
			q = q.Where("(e.nip LIKE ? OR x.certificate_number LIKE ? ESCAPE '\\')", digits+"%", "%"+extEscapeLike(term)+"%")
		} else {
			like := "%" + extEscapeLike(strings.ToLower(extCleanLine(term))) + "%"
			q = q.Where("(lower(x.title) LIKE ? ESCAPE '\\' OR lower(x.certificate_number) LIKE ? ESCAPE '\\' OR lower(e.name) LIKE ? ESCAPE '\\')",
				like, like, like)
		}
	}
	return q, nil
}

func extEscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func extValidStatus(s string) error {
	switch s {
	case "", ExternalSubmitted, ExternalRecognised, ExternalRejected:
		return nil
	}
	return apperr.Invalidf("Status %q tidak dikenal: gunakan submitted, recognised atau rejected.", s).
		WithFields(map[string]string{"status": "Status tidak dikenal."})
}

// List returns one page of the records the actor may see (BKPSDM staff all, an OPD user
// its employees', an employee their own), newest change first or, with Queue, oldest
// submission first.
func (x *External) List(ctx context.Context, a domain.Actor, f ExternalFilter) ([]ExternalTraining, domain.Page, error) {
	page := domain.Page{Limit: f.Limit, Offset: f.Offset}
	if page.Limit <= 0 {
		page.Limit = 25
	}
	page.Limit = min(page.Limit, 200)
	if page.Offset < 0 {
		return nil, page, apperr.Invalid("Offset tidak boleh negatif.")
	}
	f.Status = strings.TrimSpace(f.Status)
	if err := extValidStatus(f.Status); err != nil {
		return nil, page, err
	}
	build := func() (*gorm.DB, error) {
		q, err := x.scope(ctx, a, x.base(ctx), f)
		if err != nil {
			return nil, err
		}
		if f.Status != "" {
			q = q.Where("x.status = ?", f.Status)
		}
		return q, nil
	}
	q, err := build()
	if err != nil {
		return nil, page, err
	}
	if err := q.Count(&page.Total).Error; err != nil {
		return nil, page, apperr.Internal(fmt.Errorf("count external trainings: %w", err))
	}
	// A record waiting for review changes only when it is (re)submitted, so updated_at is
	// when it joined the queue.
	order := "x.updated_at DESC, x.id DESC"
	if f.Queue {
		order = "x.updated_at, x.id"
	}
	if q, err = build(); err != nil {
		return nil, page, err
	}
	var ids []int64
	if err := q.Order(order).Limit(page.Limit).Offset(page.Offset).Pluck("x.id", &ids).Error; err != nil {
		return nil, page, apperr.Internal(fmt.Errorf("list external trainings: %w", err))
	}
	if len(ids) == 0 {
		return []ExternalTraining{}, page, nil
	}
	var rows []externalRow
	if err := x.st.db.WithContext(ctx).Raw(externalSelect+` WHERE x.id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, page, apperr.Internal(fmt.Errorf("list external trainings: %w", err))
	}
	byID := make(map[int64]*ExternalTraining, len(rows))
	for _, r := range rows {
		byID[r.ID] = r.record()
	}
	out := make([]ExternalTraining, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, *r)
		}
	}
	return out, page, nil
}

// Counts returns how many records the actor may see in each status, under the filter's
// other conditions (its status is ignored).
func (x *External) Counts(ctx context.Context, a domain.Actor, f ExternalFilter) (map[string]int64, error) {
	q, err := x.scope(ctx, a, x.base(ctx), f)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Status string
		N      int64
	}
	if err := q.Select("x.status AS status, COUNT(*) AS n").Group("x.status").Scan(&rows).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("count external trainings: %w", err))
	}
	out := map[string]int64{}
	for _, st := range ExternalStatuses {
		out[st] = 0
	}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// Evidence opens a record's evidence PDF for those who may see the record. The caller
// closes the file.
func (x *External) Evidence(ctx context.Context, a domain.Actor, id int64) (*ExternalTraining, *os.File, int64, error) {
	r, err := x.Get(ctx, a, id)
	if err != nil {
		return nil, nil, 0, err
	}
	if !r.HasEvidence() {
		return nil, nil, 0, apperr.NotFound("Riwayat ini tidak memiliki berkas bukti.")
	}
	if x.st.ext.files == nil {
		return nil, nil, 0, apperr.Internal(errors.New("external trainings: no evidence store configured"))
	}
	f, err := x.st.ext.files.Open(r.EvidenceSHA256)
	if err != nil {
		return nil, nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, 0, apperr.Internal(err)
	}
	return r, f, fi.Size(), nil
}

// ---- writing ----

// store keeps an evidence file and returns its hash.
func (x *External) store(b []byte) (string, error) {
	if x.st.ext.files == nil {
		return "", apperr.Internal(errors.New("external trainings: no evidence store configured"))
	}
	blob, err := x.st.ext.files.Put(bytes.NewReader(b), x.MaxEvidenceBytes(), []string{"application/pdf"})
	if err != nil {
		return "", err
	}
	return blob.SHA256, nil
}

// extSameRecord tells whether the stored record says exactly what the input says (the retry
// of a submission).
func extSameRecord(r extDuplicate, in ExternalInput, sha string) bool {
	return r.Kind == in.Kind && r.Level == in.Level && r.Title == in.Title && r.JP == in.JP &&
		r.StartDate.Equal(in.StartDate.Time) && r.EndDate.Equal(in.EndDate.Time) && r.Organizer == in.Organizer &&
		r.CertificateNumber == in.CertificateNumber && (sha == "" || r.EvidenceSHA256 == sha)
}

// extDuplicate is a record of the same employee that clashes with an input.
type extDuplicate struct {
	ID                int64
	Status            string
	SubmittedBy       *int64
	Kind, Level       string
	Title             string
	JP                int `gorm:"column:jp"`
	StartDate         domain.Date
	EndDate           domain.Date
	Organizer         string
	CertificateNumber string
	EvidenceSHA256    string `gorm:"column:evidence_sha256"`
	ReviewedAt        *time.Time
}

// extDuplicates finds the employee's records (other than except) with the same certificate
// number (ignoring case), or the same kind, title (ignoring case) and end date.
func extDuplicates(tx *gorm.DB, empID, except int64, in ExternalInput) ([]extDuplicate, error) {
	var out []extDuplicate
	err := tx.Raw(`SELECT id, status, submitted_by, kind, level, title, jp, start_date, end_date, organizer,
		certificate_number, evidence_sha256 FROM external_trainings
		WHERE employee_id = ? AND id <> ? AND ((certificate_number <> '' AND UPPER(certificate_number) = UPPER(?))
			OR (kind = ? AND LOWER(title) = LOWER(?) AND end_date = ?))
		ORDER BY id`, empID, except, in.CertificateNumber, in.Kind, in.Title, in.EndDate).Scan(&out).Error
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("find extDuplicates: %w", err))
	}
	return out, nil
}

// extDuplicateError explains a clash with an existing record.
func extDuplicateError(d extDuplicate, in ExternalInput) error {
	why := "dengan jenis, nama pelatihan dan tanggal selesai yang sama"
	if in.CertificateNumber != "" && strings.EqualFold(d.CertificateNumber, in.CertificateNumber) {
		why = "dengan nomor sertifikat " + d.CertificateNumber
	}
	var msg string
	switch d.Status {
	case ExternalRejected:
		msg = fmt.Sprintf("Riwayat %s sudah pernah diajukan dan ditolak (riwayat nomor %d). Perbaiki riwayat tersebut lalu ajukan ulang dari halamannya; jangan membuat pengajuan baru.", why, d.ID)
	case ExternalRecognised:
		msg = fmt.Sprintf("Riwayat %s sudah tercatat dan diakui untuk pegawai ini (riwayat nomor %d).", why, d.ID)
	default:
		msg = fmt.Sprintf("Riwayat %s sudah diajukan untuk pegawai ini dan sedang menunggu verifikasi (riwayat nomor %d).", why, d.ID)
	}
	field := "title"
	if in.CertificateNumber != "" && strings.EqualFold(d.CertificateNumber, in.CertificateNumber) {
		field = "certificate_number"
	}
	return apperr.Conflict(msg).WithFields(map[string]string{field: msg})
}

// Submit records a new external development record for review, with its evidence PDF
// (required; checked by content, at most MaxEvidenceBytes; stored by SHA-256). An employee
// submits for themselves, an OPD user for an active employee of its OPD.
//
// A record the employee already has — the same certificate number, or the same kind, title
// and end date — is refused with a conflict that names it; the exact same submission sent
// again by the same user (a retried upload) changes nothing and answers the stored record
// with created = false.
func (x *External) Submit(ctx context.Context, a domain.Actor, in ExternalInput, evidence io.Reader) (*ExternalTraining, bool, error) {
	if err := extRequireSignedIn(a); err != nil {
		return nil, false, err
	}
	if a.Role != domain.RolePegawai && a.Role != domain.RoleOPD {
		return nil, false, errExtSubmitRole
	}
	fields := map[string]string{}
	clean := x.validate(in, fields)
	// Rights first: whom the record is about decides whether the actor may submit at all.
	var h extHolder
	switch {
	case a.Role == domain.RoleOPD && clean.NIP == "":
		fields["nip"] = "NIP pegawai wajib diisi."
	default:
		if clean.NIP != "" {
			if _, err := nip.ParseAt(clean.NIP, x.st.db.Now()); err != nil {
				fields["nip"] = err.Error()
				break
			}
		}
		var msg string
		var err error
		if h, msg, err = x.resolveHolder(ctx, a, clean.NIP); err != nil {
			return nil, false, err
		}
		if msg != "" {
			fields["nip"] = msg
		}
	}
	pdf, everr := x.readEvidence(evidence, true)
	if everr != nil && everr.Code == apperr.CodeInternal {
		return nil, false, everr
	}
	if everr != nil && len(fields) == 0 && everr.Code == apperr.CodeTooLarge {
		return nil, false, everr.WithFields(map[string]string{"evidence": everr.Message})
	}
	if everr != nil {
		fields["evidence"] = everr.Message
	}
	if len(fields) > 0 {
		return nil, false, externalInvalid(fields)
	}
	sha, err := x.store(pdf)
	if err != nil {
		return nil, false, err
	}
	var id int64
	created := false
	err = x.st.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := lockEmployees(ctx, tx, x.st.db.Dialect, []int64{h.ID}); err != nil {
			return apperr.Internal(fmt.Errorf("lock employee: %w", err))
		}
		dups, err := extDuplicates(tx, h.ID, 0, clean)
		if err != nil {
			return err
		}
		for _, d := range dups {
			if d.Status != ExternalRejected && extSameRecord(d, clean, sha) && d.SubmittedBy != nil && *d.SubmittedBy == a.UserID && a.UserID != 0 {
				id = d.ID // a retry: nothing to write
				return nil
			}
		}
		if len(dups) > 0 {
			return extDuplicateError(dups[0], clean)
		}
		now := x.st.db.Now()
		res := tx.Raw(`INSERT INTO external_trainings (employee_id, kind, level, title, jp, start_date, end_date, organizer,
			certificate_number, status, evidence_sha256, submitted_by, source, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			h.ID, clean.Kind, clean.Level, clean.Title, clean.JP, clean.StartDate, clean.EndDate, clean.Organizer,
			clean.CertificateNumber, ExternalSubmitted, sha, extUserRef(a), SourceSubmission, now, now).Scan(&id)
		if res.Error != nil {
			if database.IsUniqueViolation(res.Error) {
				return apperr.Conflict("Riwayat yang sama baru saja dicatat. Muat ulang daftar riwayat lalu periksa.")
			}
			return apperr.Internal(fmt.Errorf("insert external training: %w", res.Error))
		}
		created = true
		detail := fmt.Sprintf("%s, %d JP, selesai %s", clean.Kind, clean.JP, clean.EndDate)
		if err := audit.Record(tx, now, a, AuditActionSubmitExternal, fmt.Sprintf("external_trainings/%d", id), detail); err != nil {
			return apperr.Internal(fmt.Errorf("audit: %w", err))
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	r, err := x.Get(ctx, a, id)
	return r, created, err
}

// Resubmit corrects a rejected record and sends it for review again: the same record (its
// id and history stay), with the corrected fields, back in status submitted. The extHolder
// cannot change (in.NIP is ignored). A new evidence PDF replaces the old one; nil keeps it.
// The employee and their OPD may resubmit. The same correction sent again (a retry) changes
// nothing.
func (x *External) Resubmit(ctx context.Context, a domain.Actor, id int64, in ExternalInput, evidence io.Reader) (*ExternalTraining, error) {
	if err := extRequireSignedIn(a); err != nil {
		return nil, err
	}
	if a.Role != domain.RolePegawai && a.Role != domain.RoleOPD {
		return nil, errExtSubmitRole
	}
	cur, err := x.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	var hs []extHolder
	if err := x.st.db.WithContext(ctx).Raw(`SELECT id, nip, opd_id, active FROM employees WHERE id = ?`, cur.EmployeeID).
		Scan(&hs).Error; err != nil || len(hs) == 0 {
		return nil, apperr.Internal(fmt.Errorf("load extHolder: %v", err))
	}
	if err := extCanSubmitFor(a, hs[0]); err != nil {
		return nil, err
	}
	fields := map[string]string{}
	clean := x.validate(in, fields)
	pdf, everr := x.readEvidence(evidence, false)
	if everr != nil && everr.Code == apperr.CodeInternal {
		return nil, everr
	}
	if everr != nil && len(fields) == 0 && everr.Code == apperr.CodeTooLarge {
		return nil, everr.WithFields(map[string]string{"evidence": everr.Message})
	}
	if everr != nil {
		fields["evidence"] = everr.Message
	}
	if len(fields) > 0 {
		return nil, externalInvalid(fields)
	}
	sha := ""
	if pdf != nil {
		if sha, err = x.store(pdf); err != nil {
			return nil, err
		}
	}
	err = x.st.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := lockEmployees(ctx, tx, x.st.db.Dialect, []int64{cur.EmployeeID}); err != nil {
			return apperr.Internal(fmt.Errorf("lock employee: %w", err))
		}
		var now []extDuplicate
		if err := tx.Raw(`SELECT id, status, submitted_by, kind, level, title, jp, start_date, end_date, organizer,
			certificate_number, evidence_sha256, reviewed_at FROM external_trainings WHERE id = ?`, id).Scan(&now).Error; err != nil {
			return apperr.Internal(err)
		}
		if len(now) == 0 {
			return errNoExternal
		}
		if now[0].Status != ExternalRejected {
			if now[0].Status == ExternalSubmitted && now[0].ReviewedAt != nil && extSameRecord(now[0], clean, sha) {
				return nil // the correction was already sent
			}
			return apperr.Conflict(fmt.Sprintf("Hanya riwayat yang ditolak yang dapat diperbaiki dan diajukan ulang; riwayat ini berstatus “%s”.",
				ExternalStatusLabel(now[0].Status)))
		}
		dups, err := extDuplicates(tx, cur.EmployeeID, id, clean)
		if err != nil {
			return err
		}
		if len(dups) > 0 {
			return extDuplicateError(dups[0], clean)
		}
		if sha == "" {
			sha = now[0].EvidenceSHA256
		}
		at := x.st.db.Now()
		// The last decision (reviewed_by, reviewed_at, review_reason) stays until the next
		// one, so the reviewer sees why it was rejected before.
		res := tx.Exec(`UPDATE external_trainings SET kind = ?, level = ?, title = ?, jp = ?, start_date = ?, end_date = ?,
			organizer = ?, certificate_number = ?, evidence_sha256 = ?, status = ?, updated_at = ? WHERE id = ? AND status = ?`,
			clean.Kind, clean.Level, clean.Title, clean.JP, clean.StartDate, clean.EndDate, clean.Organizer,
			clean.CertificateNumber, sha, ExternalSubmitted, at, id, ExternalRejected)
		if res.Error != nil {
			if database.IsUniqueViolation(res.Error) {
				return apperr.Conflict("Riwayat dengan data yang sama sudah tercatat untuk pegawai ini.")
			}
			return apperr.Internal(fmt.Errorf("resubmit external training: %w", res.Error))
		}
		detail := fmt.Sprintf("rejected → submitted: %s, %d JP, selesai %s", clean.Kind, clean.JP, clean.EndDate)
		if err := audit.Record(tx, at, a, AuditActionResubmitExternal, fmt.Sprintf("external_trainings/%d", id), detail); err != nil {
			return apperr.Internal(fmt.Errorf("audit: %w", err))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return x.Get(ctx, a, id)
}

// Review records BKPSDM's decision (ReviewExternalTraining: administrators and verifikator
// only; the extHolder's scores are updated in the same transaction) and returns the record.
// The same decision with the same reason taken again by the same reviewer (a retried
// request) changes nothing.
func (x *External) Review(ctx context.Context, a domain.Actor, id int64, recognise bool, reason string) (*ExternalTraining, error) {
	if err := extRequireSignedIn(a); err != nil {
		return nil, err
	}
	if !CanReview(a) {
		return nil, apperr.Forbidden("Hanya verifikator atau administrator BKPSDM yang boleh menilai riwayat pengembangan kompetensi dari luar.")
	}
	cur, err := x.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	want := ExternalRecognised
	if !recognise {
		want = ExternalRejected
	}
	if cur.Status == want && cur.ReviewReason == strings.TrimSpace(reason) && cur.ReviewedBy != nil && *cur.ReviewedBy == a.UserID {
		return cur, nil
	}
	if err := x.st.ReviewExternalTraining(ctx, a, id, recognise, reason); err != nil {
		return nil, err
	}
	return x.Get(ctx, a, id)
}

// HolderScore returns the current-year score of a record's extHolder, for those who may see
// the record (the detail page shows what a decision changes).
func (x *External) HolderScore(ctx context.Context, a domain.Actor, r *ExternalTraining) (Score, error) {
	if r == nil {
		return Score{}, errNoExternal
	}
	if _, err := x.Get(ctx, a, r.ID); err != nil {
		return Score{}, err
	}
	return x.st.EmployeeScore(ctx, r.EmployeeID, x.st.CurrentYear())
}

// Indicator returns the kompetensi indicator a kind feeds under the store's rule set.
func (x *External) Indicator(kind string) Indicator { return x.st.rs.Kompetensi.Kinds[kind] }

func extUserRef(a domain.Actor) *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}
