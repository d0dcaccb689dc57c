package issuer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/filestore"
	"github.com/sertika/sertika/internal/nip"
)

// Limits on requests.
const (
	MaxParticipants      = 10000    // a province-wide course can reach thousands; the issuance benchmark issues 10,000 at once
	MaxJPPerDay          = 10       // more needs an explanation (jp_note)
	MaxJP                = 2000     // anything above is refused as absurd
	MaxDurationDays      = 400      // longest activity accepted
	RetroactiveYears     = 2        // how far back a retroactive request may reach
	DefaultMaxAttachment = 10 << 20 // bytes per attachment
	MaxAttachments       = 30       // per request
)

// Service runs the approval workflow.
type Service struct {
	db            *database.DB
	files         *filestore.Store
	maxAttachment int64
	loc           *time.Location
}

// Options configure the workflow service.
type Options struct {
	MaxAttachmentBytes int64          // default DefaultMaxAttachment
	Location           *time.Location // the agency's time zone for "today" (default WIB)
}

// New returns the workflow service.
func New(db *database.DB, files *filestore.Store, opt Options) *Service {
	if opt.MaxAttachmentBytes <= 0 {
		opt.MaxAttachmentBytes = DefaultMaxAttachment
	}
	if opt.Location == nil {
		opt.Location = time.FixedZone("WIB", 7*3600)
	}
	return &Service{db: db, files: files, maxAttachment: opt.MaxAttachmentBytes, loc: opt.Location}
}

func (s *Service) today() domain.Date { return domain.DateOf(s.db.Now().In(s.loc)) }

// RequestInput is what an OPD writes in a request.
type RequestInput struct {
	Title         string      `json:"title"`
	Kind          string      `json:"kind"`
	Level         string      `json:"level"`
	Classroom     *bool       `json:"classroom"`
	Organizer     string      `json:"organizer"`
	OrganizerName string      `json:"organizer_name"`
	Place         string      `json:"place"`
	Online        bool        `json:"online"`
	StartDate     domain.Date `json:"start_date"`
	EndDate       domain.Date `json:"end_date"`
	JP            int         `json:"jp"`
	JPNote        string      `json:"jp_note"`
	Objectives    string      `json:"objectives"`
	Competencies  string      `json:"competencies"`
	BudgetSource  string      `json:"budget_source"`
	Retroactive   bool        `json:"retroactive"`
	Participants  []string    `json:"participants"`
	// Version, when not zero, must equal the request's current version (optimistic locking
	// for edits).
	Version int `json:"version,omitempty"`
}

// validate checks the input and fills r from it. Field errors are collected so a form can
// show them all at once.
func (s *Service) validate(in *RequestInput, r *Request) error {
	fields := map[string]string{}
	clean := func(key, label string, v string, max int, required bool) string {
		out, err := directory.CleanText(label, v, max, required)
		if err != nil {
			fields[key] = apperr.As(err).Message
		}
		return out
	}
	r.Title = clean("title", "Judul kegiatan", in.Title, 300, true)
	if r.Title != "" && len([]rune(r.Title)) < 5 {
		fields["title"] = "Judul kegiatan minimal 5 karakter."
	}
	kind, ok := domain.KindByCode(strings.TrimSpace(in.Kind))
	if !ok {
		fields["kind"] = "Jenis pengembangan kompetensi tidak dikenal. Gunakan kode dari tabel jenis (misalnya teknis, bimtek, seminar, kepemimpinan)."
	}
	r.Kind = kind.Code
	r.Level = strings.TrimSpace(strings.ToLower(in.Level))
	if kind.Code == "kepemimpinan" {
		if _, ok := domain.LeadershipLevelByCode(r.Level); !ok {
			fields["level"] = "Pelatihan kepemimpinan harus menyebut tingkatnya: pkp/pim4, pka/pim3, pkn2/pim2 atau pkn1/pim1."
		}
	} else if r.Level != "" {
		fields["level"] = "Tingkat hanya diisi untuk pelatihan kepemimpinan."
	}
	r.Classroom = kind.Classroom
	if in.Classroom != nil {
		r.Classroom = *in.Classroom
	}
	r.OrganizerType = strings.TrimSpace(in.Organizer)
	if OrganizerLabel(r.OrganizerType) == r.OrganizerType {
		fields["organizer"] = "Penyelenggara harus salah satu dari: opd, bkpsdm, lan, kementerian, lainnya."
	}
	r.OrganizerName = clean("organizer_name", "Nama penyelenggara", in.OrganizerName, 200,
		r.OrganizerType == "kementerian" || r.OrganizerType == "lainnya")
	r.Place = clean("place", "Tempat", in.Place, 200, false)
	r.Online = in.Online
	if r.Place == "" && !r.Online {
		fields["place"] = "Isi tempat kegiatan, atau tandai sebagai kegiatan daring."
	}
	r.JPNote = clean("jp_note", "Penjelasan JP", in.JPNote, 1000, false)
	r.Objectives = clean("objectives", "Tujuan", in.Objectives, 4000, false)
	r.Competencies = clean("competencies", "Kompetensi yang disasar", in.Competencies, 4000, false)
	r.BudgetSource = clean("budget_source", "Sumber anggaran", in.BudgetSource, 200, false)
	r.Retroactive = in.Retroactive
	r.StartDate, r.EndDate, r.JP = in.StartDate, in.EndDate, in.JP
	today := s.today()
	switch {
	case r.StartDate.IsZero():
		fields["start_date"] = "Tanggal mulai wajib diisi (TTTT-BB-HH)."
	case r.EndDate.IsZero():
		fields["end_date"] = "Tanggal selesai wajib diisi (TTTT-BB-HH)."
	case r.EndDate.Before(r.StartDate.Time):
		fields["end_date"] = "Tanggal selesai tidak boleh sebelum tanggal mulai."
	case r.StartDate.Days(r.EndDate) > MaxDurationDays:
		fields["end_date"] = fmt.Sprintf("Kegiatan paling lama %d hari.", MaxDurationDays)
	case r.StartDate.Year() < 2000 || r.EndDate.After(today.AddDate(3, 0, 0)):
		fields["start_date"] = "Tanggal kegiatan tidak masuk akal."
	case r.Retroactive && r.StartDate.Before(today.AddDate(-RetroactiveYears, 0, 0)):
		fields["start_date"] = fmt.Sprintf("Usulan retroaktif hanya untuk kegiatan paling lama %d tahun yang lalu.", RetroactiveYears)
	case r.Retroactive && !r.EndDate.Before(today.Time):
		fields["retroactive"] = "Usulan retroaktif hanya untuk kegiatan yang sudah selesai."
	case !r.Retroactive && r.StartDate.Before(today.Time):
		fields["start_date"] = "Kegiatan sudah dimulai atau berlalu: ajukan sebagai usulan retroaktif dengan melampirkan bukti pelaksanaan."
	}
	switch {
	case r.JP <= 0:
		fields["jp"] = "Jumlah JP harus lebih dari 0."
	case r.JP > MaxJP:
		fields["jp"] = fmt.Sprintf("Jumlah JP %d tidak masuk akal (paling banyak %d).", r.JP, MaxJP)
	case !r.StartDate.IsZero() && !r.EndDate.IsZero() && !r.EndDate.Before(r.StartDate.Time) &&
		r.JP > MaxJPPerDay*r.StartDate.Days(r.EndDate) && r.JPNote == "":
		fields["jp"] = fmt.Sprintf("%d JP dalam %d hari melebihi %d JP per hari: beri penjelasan pada kolom penjelasan JP.",
			r.JP, r.StartDate.Days(r.EndDate), MaxJPPerDay)
	}
	if len(in.Participants) == 0 {
		fields["participants"] = "Pilih paling sedikit satu peserta."
	} else if len(in.Participants) > MaxParticipants {
		fields["participants"] = fmt.Sprintf("Peserta paling banyak %d orang per usulan.", MaxParticipants)
	}
	if len(fields) > 0 {
		return apperr.Invalid(firstMessage(fields)).WithFields(fields)
	}
	return nil
}

// fieldOrder fixes which message leads when several fields fail.
var fieldOrder = []string{"title", "kind", "level", "organizer", "organizer_name", "place", "start_date", "end_date",
	"retroactive", "jp", "jp_note", "objectives", "competencies", "budget_source", "participants"}

func firstMessage(fields map[string]string) string {
	for _, k := range fieldOrder {
		if m, ok := fields[k]; ok {
			if len(fields) > 1 {
				return fmt.Sprintf("%s (dan %d kesalahan lain)", m, len(fields)-1)
			}
			return m
		}
	}
	for _, m := range fields {
		return m
	}
	return "Data tidak sah."
}

// resolveParticipants turns NIPs into employees of the OPD, explaining every refusal.
func (s *Service) resolveParticipants(tx *gorm.DB, opdID int64, nips []string) ([]domain.Employee, error) {
	var problems []string
	seen := map[string]bool{}
	var clean []string
	for _, raw := range nips {
		n := nip.Normalize(raw)
		if _, err := nip.ParseAt(n, s.db.Now()); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s", raw, err.Error()))
			continue
		}
		if seen[n] {
			problems = append(problems, fmt.Sprintf("%s: tercantum lebih dari sekali", n))
			continue
		}
		seen[n] = true
		clean = append(clean, n)
	}
	var emps []domain.Employee
	for i := 0; i < len(clean); i += 500 {
		j := min(i+500, len(clean))
		var part []domain.Employee
		if err := tx.Where("nip IN ?", clean[i:j]).Find(&part).Error; err != nil {
			return nil, apperr.Internal(err)
		}
		emps = append(emps, part...)
	}
	byNIP := map[string]domain.Employee{}
	for _, e := range emps {
		byNIP[e.NIP] = e
	}
	var out []domain.Employee
	for _, n := range clean {
		e, ok := byNIP[n]
		switch {
		case !ok || e.OPDID != opdID:
			// One answer for both: telling them apart would let an OPD learn which NIPs are
			// registered in other OPDs, whose employees it may not see.
			problems = append(problems, fmt.Sprintf("%s: tidak terdaftar sebagai pegawai OPD pengusul", n))
		case !e.Active:
			problems = append(problems, fmt.Sprintf("%s: pegawai tidak aktif", n))
		default:
			out = append(out, e)
		}
	}
	if len(problems) > 0 {
		msg := "Peserta tidak sah: " + strings.Join(problems[:min(len(problems), 10)], "; ")
		if len(problems) > 10 {
			msg += fmt.Sprintf("; dan %d lainnya", len(problems)-10)
		}
		return nil, apperr.Invalid(msg + ".").WithFields(map[string]string{"participants": msg})
	}
	return out, nil
}

// Create writes a new draft request for the actor's own OPD.
func (s *Service) Create(ctx context.Context, a domain.Actor, in RequestInput) (*Detail, error) {
	if a.Role != domain.RoleOPD || a.OPDID == 0 {
		return nil, apperr.Forbidden("Hanya pengguna OPD yang dapat membuat usulan, untuk OPD-nya sendiri.")
	}
	var r Request
	if err := s.validate(&in, &r); err != nil {
		return nil, err
	}
	now := s.db.Now()
	r.OPDID, r.State, r.Version, r.CreatedAt, r.UpdatedAt = a.OPDID, StateDraft, 1, now, now
	r.CreatedBy = userRef(a)
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		// Write first: on SQLite a transaction that reads before its first write cannot
		// upgrade while another writer is active (SQLITE_BUSY); see loadRequest.
		if err := tx.Omit(clause.Associations).Create(&r).Error; err != nil {
			return apperr.Internal(fmt.Errorf("create request: %w", err))
		}
		emps, err := s.resolveParticipants(tx, r.OPDID, in.Participants)
		if err != nil {
			return err
		}
		if err := s.replaceParticipants(tx, r.ID, emps); err != nil {
			return err
		}
		return s.record(tx, a, r.ID, ActionCreate, "", StateDraft, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, r.ID)
}

func (s *Service) replaceParticipants(tx *gorm.DB, id int64, emps []domain.Employee) error {
	if err := tx.Where("request_id = ?", id).Delete(&Participant{}).Error; err != nil {
		return apperr.Internal(err)
	}
	rows := make([]Participant, len(emps))
	for i, e := range emps {
		rows[i] = Participant{RequestID: id, EmployeeID: e.ID, Planned: true}
	}
	if len(rows) > 0 {
		if err := tx.Omit(clause.Associations).CreateInBatches(rows, 500).Error; err != nil {
			return apperr.Internal(fmt.Errorf("insert participants: %w", err))
		}
	}
	return nil
}

func userRef(a domain.Actor) *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

// record appends one history row.
func (s *Service) record(tx *gorm.DB, a domain.Actor, id int64, act Action, from, to State, note string) error {
	ev := Event{RequestID: id, At: s.db.Now(), UserID: userRef(a), Username: a.Username, Action: act, FromState: from, ToState: to, Note: note}
	if err := tx.Create(&ev).Error; err != nil {
		return apperr.Internal(fmt.Errorf("record history: %w", err))
	}
	return nil
}

// Update rewrites a draft or returned request (its own OPD only).
func (s *Service) Update(ctx context.Context, a domain.Actor, id int64, in RequestInput) (*Detail, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		r, err := s.lockForAction(ctx, tx, a, id, ActionUpdate)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != r.Version {
			return errStale
		}
		upd := *r
		if err := s.validate(&in, &upd); err != nil {
			return err
		}
		emps, err := s.resolveParticipants(tx, r.OPDID, in.Participants)
		if err != nil {
			return err
		}
		upd.Version = r.Version + 1
		upd.UpdatedAt = s.db.Now()
		res := tx.Model(&Request{}).Where("id = ? AND version = ?", r.ID, r.Version).Updates(map[string]any{
			"title": upd.Title, "kind": upd.Kind, "level": upd.Level, "classroom": upd.Classroom,
			"organizer_type": upd.OrganizerType, "organizer_name": upd.OrganizerName, "place": upd.Place, "online": upd.Online,
			"start_date": upd.StartDate, "end_date": upd.EndDate, "jp": upd.JP, "jp_note": upd.JPNote,
			"objectives": upd.Objectives, "competencies": upd.Competencies, "budget_source": upd.BudgetSource,
			"retroactive": upd.Retroactive, "version": upd.Version, "updated_at": upd.UpdatedAt,
		})
		if res.Error != nil {
			return apperr.Internal(res.Error)
		}
		if res.RowsAffected != 1 {
			return errStale
		}
		if err := s.replaceParticipants(tx, r.ID, emps); err != nil {
			return err
		}
		return s.record(tx, a, r.ID, ActionUpdate, r.State, r.State, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

var errStale = apperr.Conflict("Usulan telah diubah oleh pengguna lain. Muat ulang halaman lalu coba lagi.")

// loadRequest reads a request, with a row lock on PostgreSQL when asked, and checks the actor
// may see it. SQLite has no row locks and needs none: its transactions begin immediate
// (internal/database), so a writer holds the database from BEGIN to COMMIT.
func (s *Service) loadRequest(ctx context.Context, tx *gorm.DB, a domain.Actor, id int64, lock bool) (*Request, error) {
	var r Request
	q := tx.WithContext(ctx)
	if lock && s.db.Dialect == database.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errNoRequest
	}
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("load request: %w", err))
	}
	if err := s.canSee(ctx, tx, a, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

var errNoRequest = apperr.NotFound("Usulan tidak ditemukan.")

// canSee decides read access: BKPSDM staff see every request, an OPD its own, an employee
// those they take part in once submitted. "Once submitted" is submitted_at being set (it is
// never cleared), not the state: a draft withdrawn before it was ever submitted is withdrawn,
// not draft, yet was never more than the OPD's working paper.
func (s *Service) canSee(ctx context.Context, tx *gorm.DB, a domain.Actor, r *Request) error {
	switch a.Role {
	case domain.RoleAdmin, domain.RoleVerifikator, domain.RolePenandatangan:
		return nil
	case domain.RoleOPD:
		if r.OPDID == a.OPDID {
			return nil
		}
		return apperr.Forbidden("Usulan ini milik OPD lain.")
	case domain.RolePegawai:
		if r.SubmittedAt != nil {
			var n int64
			tx.WithContext(ctx).Model(&Participant{}).
				Joins("JOIN employees e ON e.id = dev_request_participants.employee_id").
				Where("dev_request_participants.request_id = ? AND e.nip = ?", r.ID, a.NIP).Count(&n)
			if n > 0 {
				return nil
			}
		}
		return apperr.Forbidden("Anda hanya dapat melihat usulan yang Anda ikuti.")
	}
	return apperr.Unauthorized("Silakan masuk terlebih dahulu.")
}

// lockForAction loads and locks a request and checks that the actor may take the action in
// its current state. It does not handle replays; see transition.
func (s *Service) lockForAction(ctx context.Context, tx *gorm.DB, a domain.Actor, id int64, act Action) (*Request, error) {
	r, err := s.loadRequest(ctx, tx, a, id, true)
	if err != nil {
		return nil, err
	}
	if err := authorize(a, r, act); err != nil {
		return nil, err
	}
	if _, ok := Next(act, r.State); !ok {
		return nil, invalidTransition(r.State, act)
	}
	return r, nil
}

func authorize(a domain.Actor, r *Request, act Action) error {
	need := RoleFor(act)
	if a.Role != need {
		if need == domain.RoleOPD {
			return apperr.Forbidden("Hanya OPD pengusul yang dapat melakukan tindakan ini.")
		}
		return apperr.Forbidden("Hanya verifikator BKPSDM yang dapat memutuskan usulan dan memeriksa laporan.")
	}
	if need == domain.RoleOPD && r.OPDID != a.OPDID {
		return apperr.Forbidden("Usulan ini milik OPD lain.")
	}
	return nil
}

func invalidTransition(s State, act Action) error {
	return apperr.Conflict(fmt.Sprintf("Tindakan \"%s\" tidak dapat dilakukan pada usulan berstatus \"%s\".", act.Label(), s.Label()))
}

// transition moves a request by one action in one transaction. A repeat of the action that
// the same user just took (a double click, a retried POST) changes nothing and succeeds;
// anyone else meeting a request that has moved on gets a conflict.
func (s *Service) transition(ctx context.Context, a domain.Actor, id int64, act Action, note string, version int,
	apply func(tx *gorm.DB, r *Request, set map[string]any) error) (*Detail, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		r, err := s.loadRequest(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if err := authorize(a, r, act); err != nil {
			return err
		}
		next, ok := Next(act, r.State)
		if !ok {
			var last Event
			if err := tx.Where("request_id = ?", r.ID).Order("id DESC").Take(&last).Error; err == nil &&
				last.Action == act && last.ToState == r.State && last.UserID != nil && *last.UserID == a.UserID && a.UserID != 0 {
				return errReplay
			}
			return invalidTransition(r.State, act)
		}
		if version != 0 && version != r.Version {
			return errStale
		}
		now := s.db.Now()
		set := map[string]any{"state": next, "version": r.Version + 1, "updated_at": now}
		if apply != nil {
			if err := apply(tx, r, set); err != nil {
				return err
			}
		}
		res := tx.Model(&Request{}).Where("id = ? AND version = ? AND state = ?", r.ID, r.Version, r.State).Updates(set)
		if res.Error != nil {
			if database.IsUniqueViolation(res.Error) {
				return apperr.Conflict("Nomor rekomendasi bentrok dengan persetujuan lain. Coba lagi.")
			}
			return apperr.Internal(res.Error)
		}
		if res.RowsAffected != 1 {
			return errStale
		}
		if err := s.record(tx, a, r.ID, act, r.State, next, note); err != nil {
			return err
		}
		r.State = next
		return s.notify(tx, a, r, act)
	})
	if err != nil && !errors.Is(err, errReplay) {
		return nil, err
	}
	return s.Get(ctx, a, id)
}

// errReplay ends a transaction that found the action already done by the same user.
var errReplay = errors.New("action already taken")

// Submit sends a draft or returned request to BKPSDM. A retroactive request needs evidence.
func (s *Service) Submit(ctx context.Context, a domain.Actor, id int64, note string) (*Detail, error) {
	note, err := cleanNote(note, false)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, a, id, ActionSubmit, note, 0, func(tx *gorm.DB, r *Request, set map[string]any) error {
		if err := s.validateStored(tx, r); err != nil {
			return err
		}
		if r.Retroactive {
			var n int64
			tx.Model(&Attachment{}).Where("request_id = ? AND purpose = ?", r.ID, PurposeEvidence).Count(&n)
			if n == 0 {
				return apperr.Invalid("Usulan retroaktif harus dilampiri bukti pelaksanaan (sertifikat, surat tugas atau daftar hadir) sebelum diajukan.")
			}
		}
		set["submitted_at"] = s.db.Now()
		return nil
	})
}

// validateStored re-checks a stored request before submission: dates may have passed while
// it sat as a draft, and participants may have moved.
func (s *Service) validateStored(tx *gorm.DB, r *Request) error {
	if !r.Retroactive && r.StartDate.Before(s.today().Time) {
		return apperr.Invalid("Tanggal mulai kegiatan sudah lewat: perbarui tanggal, atau ubah menjadi usulan retroaktif dengan bukti pelaksanaan.")
	}
	var n int64
	tx.Model(&Participant{}).Joins("JOIN employees e ON e.id = dev_request_participants.employee_id").
		Where("request_id = ? AND (e.opd_id <> ? OR e.active = ?)", r.ID, r.OPDID, false).Count(&n)
	if n > 0 {
		return apperr.Invalidf("%d peserta sudah tidak aktif atau pindah OPD: perbarui daftar peserta.", n)
	}
	return nil
}

// Withdraw lets the OPD take back a request before BKPSDM decides.
func (s *Service) Withdraw(ctx context.Context, a domain.Actor, id int64, note string) (*Detail, error) {
	note, err := cleanNote(note, false)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, a, id, ActionWithdraw, note, 0, nil)
}

// Return sends a submitted request back to the OPD with the reviewer's notes.
func (s *Service) Return(ctx context.Context, a domain.Actor, id int64, note string) (*Detail, error) {
	note, err := cleanNote(note, true)
	if err != nil {
		return nil, apperr.Invalid("Tuliskan catatan perbaikan untuk OPD.")
	}
	return s.transition(ctx, a, id, ActionReturn, note, 0, func(tx *gorm.DB, r *Request, set map[string]any) error {
		set["decision_note"] = note
		return nil
	})
}

// Reject refuses a submitted request; the reason is required.
func (s *Service) Reject(ctx context.Context, a domain.Actor, id int64, reason string) (*Detail, error) {
	reason, err := cleanNote(reason, true)
	if err != nil {
		return nil, apperr.Invalid("Alasan penolakan wajib diisi.")
	}
	return s.transition(ctx, a, id, ActionReject, reason, 0, func(tx *gorm.DB, r *Request, set map[string]any) error {
		set["decision_note"] = reason
		set["decided_by"] = userRef(a)
		return nil
	})
}

// Approve approves a submitted request and gives it the next recommendation number of the
// year, in the same transaction: a failed approval uses no number, so numbers have no gaps.
func (s *Service) Approve(ctx context.Context, a domain.Actor, id int64, note string) (*Detail, error) {
	note, err := cleanNote(note, false)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, a, id, ActionApprove, note, 0, func(tx *gorm.DB, r *Request, set map[string]any) error {
		today := s.today()
		seq, err := nextNumber(tx, "rekomendasi", today.Year())
		if err != nil {
			return err
		}
		var pattern, opdCode string
		tx.Raw("SELECT recommendation_pattern FROM agency WHERE id = 1").Scan(&pattern)
		tx.Raw("SELECT code FROM opds WHERE id = ?", r.OPDID).Scan(&opdCode)
		number, err := FormatNumber(pattern, seq, today, opdCode)
		if err != nil {
			return err
		}
		year := today.Year()
		set["recommendation_number"] = number
		set["recommendation_year"] = year
		set["recommendation_seq"] = seq
		set["recommendation_date"] = today
		set["decided_by"] = userRef(a)
		set["decision_note"] = note
		return nil
	})
}

func cleanNote(note string, required bool) (string, error) {
	return directory.CleanText("Catatan", note, 2000, required)
}

// nextNumber takes the next number of a yearly sequence. The counter row is locked until the
// transaction ends, so concurrent callers queue and a rolled-back caller leaves no gap.
func nextNumber(tx *gorm.DB, scope string, year int) (int, error) {
	var seq int
	err := tx.Raw(`INSERT INTO number_counters (scope, year, last_seq) VALUES (?, ?, 1)
		ON CONFLICT (scope, year) DO UPDATE SET last_seq = number_counters.last_seq + 1
		RETURNING last_seq`, scope, year).Scan(&seq).Error
	if err != nil {
		return 0, apperr.Internal(fmt.Errorf("next %s number: %w", scope, err))
	}
	return seq, nil
}

// DefaultRecommendationPattern is used when the agency has not set its own.
const DefaultRecommendationPattern = "800.1/{seq}/BKPSDM/{year}"

// FormatNumber fills a numbering pattern. Placeholders: {seq} (4 digits, zero-padded),
// {seq:N} (N digits), {year}, {month} (2 digits), {roman} (month in Roman numerals), {opd}
// (the requesting OPD's code).
func FormatNumber(pattern string, seq int, day domain.Date, opd string) (string, error) {
	if strings.TrimSpace(pattern) == "" {
		pattern = DefaultRecommendationPattern
	}
	// Every "{seq" must be a placeholder we fill ({seq} or {seq:1}…{seq:9}), and there must be
	// one: a left-over "{seq:0}" or "{seqx}" would give every approval the same number.
	rest := strings.ReplaceAll(pattern, "{seq}", "")
	roman := []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}
	out := pattern
	for width := 1; width <= 9; width++ {
		rest = strings.ReplaceAll(rest, fmt.Sprintf("{seq:%d}", width), "")
		out = strings.ReplaceAll(out, fmt.Sprintf("{seq:%d}", width), fmt.Sprintf("%0*d", width, seq))
	}
	if rest == pattern || strings.Contains(rest, "{seq") {
		return "", apperr.Invalid("Pola nomor harus memuat {seq} atau {seq:N} (N = 1–9).")
	}
	out = strings.NewReplacer("{seq}", fmt.Sprintf("%04d", seq), "{year}", fmt.Sprint(day.Year()),
		"{month}", fmt.Sprintf("%02d", int(day.Month())), "{roman}", roman[day.Month()-1], "{opd}", opd).Replace(out)
	return out, nil
}

// ---- attachments ----

// AddAttachment stores a file (PDF, JPG or PNG) for a request.
func (s *Service) AddAttachment(ctx context.Context, a domain.Actor, id int64, purpose, fileName string, r io.Reader) (*Attachment, error) {
	switch purpose {
	case PurposeProposal, PurposeEvidence, PurposeAttendance, PurposeReport:
	default:
		return nil, apperr.Invalid("Jenis lampiran harus salah satu dari: usulan, bukti, daftar_hadir, laporan.")
	}
	name, err := directory.CleanText("Nama berkas", baseName(fileName), 200, false)
	if err != nil || name == "" {
		name = "lampiran"
	}
	// Check rights before reading the upload into the store.
	if _, err := s.lockForAction(ctx, s.db.Gorm, a, id, ActionAttach); err != nil {
		return nil, err
	}
	blob, err := s.files.Put(r, s.maxAttachment, filestore.TypesDocument)
	if err != nil {
		return nil, err
	}
	att := Attachment{RequestID: id, Purpose: purpose, FileName: name, ContentType: blob.ContentType, SizeBytes: blob.Size,
		SHA256: blob.SHA256, UploadedBy: userRef(a), UploadedAt: s.db.Now()}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		req, err := s.lockForAction(ctx, tx, a, id, ActionAttach)
		if err != nil {
			return err
		}
		var n int64
		tx.Model(&Attachment{}).Where("request_id = ?", id).Count(&n)
		if n >= MaxAttachments {
			return apperr.Invalidf("Paling banyak %d lampiran per usulan.", MaxAttachments)
		}
		if err := tx.Create(&att).Error; err != nil {
			return apperr.Internal(err)
		}
		// An attachment changes the request like an edit does: bump its version, so that a
		// form or client holding the old version (optimistic locking, RequestInput.Version)
		// learns that the request moved on.
		res := tx.Model(&Request{}).Where("id = ? AND version = ?", req.ID, req.Version).
			Updates(map[string]any{"version": req.Version + 1, "updated_at": att.UploadedAt})
		if res.Error != nil {
			return apperr.Internal(res.Error)
		}
		if res.RowsAffected != 1 {
			return errStale
		}
		return s.record(tx, a, id, ActionAttach, req.State, req.State, PurposeLabel(purpose)+": "+name)
	})
	if err != nil {
		return nil, err
	}
	return &att, nil
}

func baseName(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	return p
}

// OpenAttachment returns an attachment's description and content, for those who may see
// the request.
func (s *Service) OpenAttachment(ctx context.Context, a domain.Actor, id, attID int64) (*Attachment, io.ReadSeekCloser, error) {
	if _, err := s.loadRequest(ctx, s.db.Gorm, a, id, false); err != nil {
		return nil, nil, err
	}
	var att Attachment
	err := s.db.WithContext(ctx).Where("id = ? AND request_id = ?", attID, id).Take(&att).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, apperr.NotFound("Lampiran tidak ditemukan.")
	}
	if err != nil {
		return nil, nil, apperr.Internal(err)
	}
	f, err := s.files.Open(att.SHA256)
	if err != nil {
		return nil, nil, err
	}
	return &att, f, nil
}

// Act takes one of the actions that need at most a note (submit, withdraw, return, approve,
// reject, report_verify, report_return); the API and the pages dispatch through it.
func (s *Service) Act(ctx context.Context, a domain.Actor, id int64, act Action, note string) (*Detail, error) {
	switch act {
	case ActionSubmit:
		return s.Submit(ctx, a, id, note)
	case ActionWithdraw:
		return s.Withdraw(ctx, a, id, note)
	case ActionReturn:
		return s.Return(ctx, a, id, note)
	case ActionApprove:
		return s.Approve(ctx, a, id, note)
	case ActionReject:
		return s.Reject(ctx, a, id, note)
	case ActionReportVerify:
		return s.VerifyReport(ctx, a, id, note)
	case ActionReportReturn:
		return s.ReturnReport(ctx, a, id, note)
	}
	return nil, apperr.Invalidf("Tindakan %q tidak dikenal.", act)
}
