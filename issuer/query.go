package issuer

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// Detail is a request with everything a page or API answer shows about it.
type Detail struct {
	Request      Request
	Participants []Participant
	History      []Event
	Attachments  []Attachment
	// Actions are what the asking actor may do now.
	Actions []Action
}

// Get returns a request with its participants, history and attachments. An employee
// (pegawai) gets only their own participant row: the others' attendance, results, scores and
// reasons for a change are not theirs to see (as on the certificate pages).
func (s *Service) Get(ctx context.Context, a domain.Actor, id int64) (*Detail, error) {
	d, err := s.detail(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if a.Role == domain.RolePegawai {
		own := d.Participants[:0]
		for _, p := range d.Participants {
			if p.Employee != nil && a.NIP != "" && p.Employee.NIP == a.NIP {
				own = append(own, p)
			}
		}
		d.Participants = own
	}
	return d, nil
}

// detail is Get with every participant, for the actor who may see the request.
func (s *Service) detail(ctx context.Context, a domain.Actor, id int64) (*Detail, error) {
	db := s.db.WithContext(ctx)
	r, err := s.loadRequest(ctx, db, a, id, false)
	if err != nil {
		return nil, err
	}
	var opd domain.OPD
	if err := db.Where("id = ?", r.OPDID).Take(&opd).Error; err == nil {
		r.OPD = &opd
	}
	d := &Detail{Request: *r}
	if err := db.Preload("Employee").Where("request_id = ?", id).Find(&d.Participants).Error; err != nil {
		return nil, apperr.Internal(err)
	}
	sortParticipants(d.Participants)
	if err := db.Where("request_id = ?", id).Order("id").Find(&d.History).Error; err != nil {
		return nil, apperr.Internal(err)
	}
	if err := db.Where("request_id = ?", id).Order("id").Find(&d.Attachments).Error; err != nil {
		return nil, apperr.Internal(err)
	}
	for _, act := range Allowed(a.Role, r.State) {
		if authorize(a, r, act) == nil {
			d.Actions = append(d.Actions, act)
		}
	}
	return d, nil
}

func sortParticipants(ps []Participant) {
	name := func(p Participant) string {
		if p.Employee == nil {
			return ""
		}
		return strings.ToLower(p.Employee.Name) + p.Employee.NIP
	}
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && name(ps[j]) < name(ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// Can reports whether the detail offers the action to its viewer.
func (d *Detail) Can(act Action) bool {
	for _, x := range d.Actions {
		if x == act {
			return true
		}
	}
	return false
}

// ListFilter narrows a request list.
type ListFilter struct {
	State  State
	OPD    string // OPD code
	Kind   string
	Q      string // part of the title or the recommendation number
	Limit  int    // default 50, at most 200
	Offset int
	// Queue orders by submission time, oldest first (the reviewer's queue); otherwise the
	// newest change comes first.
	Queue bool
}

// Summary is one row of a request list.
type Summary struct {
	Request
	OPDCode      string
	OPDName      string
	Participants int
}

// participantSees limits requests r to those an employee (NIP as the argument) takes part
// in and that were submitted at least once: a draft, and a draft withdrawn before it was
// ever submitted, are the OPD's working papers (see canSee).
const participantSees = `r.submitted_at IS NOT NULL AND r.id IN (SELECT p.request_id FROM dev_request_participants p
	JOIN employees e ON e.id = p.employee_id WHERE e.nip = ?)`

// List returns one page of the requests the actor may see.
func (s *Service) List(ctx context.Context, a domain.Actor, f ListFilter) ([]Summary, domain.Page, error) {
	page := domain.Page{Limit: f.Limit, Offset: f.Offset}
	if page.Limit <= 0 {
		page.Limit = 50
	}
	page.Limit = min(page.Limit, 200)
	if page.Offset < 0 {
		return nil, page, apperr.Invalid("Offset tidak boleh negatif.")
	}
	q := s.db.WithContext(ctx).Table("dev_requests r").Joins("JOIN opds o ON o.id = r.opd_id")
	switch a.Role {
	case domain.RoleAdmin, domain.RoleVerifikator, domain.RolePenandatangan:
	case domain.RoleOPD:
		q = q.Where("r.opd_id = ?", a.OPDID)
	case domain.RolePegawai:
		q = q.Where(participantSees, a.NIP)
	default:
		return nil, page, apperr.Unauthorized("Silakan masuk terlebih dahulu.")
	}
	if f.State != "" {
		if !f.State.Valid() {
			return nil, page, apperr.Invalidf("Status %q tidak dikenal.", f.State)
		}
		q = q.Where("r.state = ?", f.State)
	}
	if f.OPD != "" {
		if a.Role == domain.RoleOPD {
			var own string
			s.db.WithContext(ctx).Model(&domain.OPD{}).Select("code").Where("id = ?", a.OPDID).Scan(&own)
			if own != f.OPD {
				return nil, page, apperr.Forbidden("Anda tidak berhak melihat usulan OPD lain.")
			}
		}
		q = q.Where("o.code = ?", f.OPD)
	}
	if f.Kind != "" {
		if _, ok := domain.KindByCode(f.Kind); !ok {
			return nil, page, apperr.Invalidf("Jenis %q tidak dikenal.", f.Kind)
		}
		q = q.Where("r.kind = ?", f.Kind)
	}
	if t := strings.TrimSpace(f.Q); t != "" {
		if len(t) > 100 {
			return nil, page, apperr.Invalid("Kata kunci pencarian paling panjang 100 karakter.")
		}
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(t)) + "%"
		q = q.Where("(lower(r.title) LIKE ? ESCAPE '\\' OR lower(coalesce(r.recommendation_number, '')) LIKE ? ESCAPE '\\')", like, like)
	}
	if err := q.Count(&page.Total).Error; err != nil {
		return nil, page, apperr.Internal(fmt.Errorf("count requests: %w", err))
	}
	// Orders are total (the id breaks ties) and spelt out for NULLs: PostgreSQL sorts NULL
	// after every value and SQLite before, so a queue without a state filter (drafts have no
	// submitted_at) would otherwise differ between the databases. Never-submitted requests
	// come last in the queue.
	order := "r.updated_at DESC, r.id DESC"
	if f.Queue {
		order = "CASE WHEN r.submitted_at IS NULL THEN 1 ELSE 0 END, r.submitted_at ASC, r.id ASC"
	}
	var out []Summary
	err := q.Select(`r.*, o.code AS opd_code, o.name AS opd_name,
		(SELECT count(*) FROM dev_request_participants p WHERE p.request_id = r.id AND NOT p.dropped) AS participants`).
		Order(order).Limit(page.Limit).Offset(page.Offset).Scan(&out).Error
	if err != nil {
		return nil, page, apperr.Internal(fmt.Errorf("list requests: %w", err))
	}
	return out, page, nil
}

// Counts returns how many requests the actor sees in each state.
func (s *Service) Counts(ctx context.Context, a domain.Actor) (map[State]int64, error) {
	list := map[State]int64{}
	q := s.db.WithContext(ctx).Table("dev_requests r")
	switch a.Role {
	case domain.RoleAdmin, domain.RoleVerifikator, domain.RolePenandatangan:
	case domain.RoleOPD:
		q = q.Where("r.opd_id = ?", a.OPDID)
	case domain.RolePegawai:
		q = q.Where(participantSees, a.NIP)
	default:
		return nil, apperr.Unauthorized("Silakan masuk terlebih dahulu.")
	}
	var rows []struct {
		State State
		N     int64
	}
	if err := q.Select("r.state AS state, count(*) AS n").Group("r.state").Scan(&rows).Error; err != nil {
		return nil, apperr.Internal(err)
	}
	for _, r := range rows {
		list[r.State] = r.N
	}
	return list, nil
}

// ParticipantLoad is a participant's competency development so far this year, shown to the
// reviewer deciding on a request.
type ParticipantLoad struct {
	NIP      string `gorm:"column:nip"` // GORM would look for "n_ip"
	Name     string
	JPYear   int // JP from verified activities that ended this year
	Activity int // how many such activities
}

// ParticipantLoads returns, for each participant of a request, the JP already earned this
// year from verified activities (BKPSDM staff only).
func (s *Service) ParticipantLoads(ctx context.Context, a domain.Actor, id int64) ([]ParticipantLoad, error) {
	if !a.Role.IsBKPSDM() {
		return nil, apperr.Forbidden("Hanya BKPSDM yang dapat melihat data ini.")
	}
	r, err := s.loadRequest(ctx, s.db.Gorm, a, id, false)
	if err != nil {
		return nil, err
	}
	year := s.today().Year()
	from, to := domain.NewDate(year, 1, 1), domain.NewDate(year, 12, 31)
	var out []ParticipantLoad
	err = s.db.WithContext(ctx).Raw(`
		SELECT e.nip AS nip, e.name AS name,
			COALESCE(SUM(CASE WHEN x.id IS NOT NULL THEN COALESCE(q.jp_actual, x.jp) ELSE 0 END), 0) AS jp_year,
			COUNT(x.id) AS activity
		FROM dev_request_participants p
		JOIN employees e ON e.id = p.employee_id
		LEFT JOIN dev_request_participants q ON q.employee_id = p.employee_id AND q.request_id <> p.request_id
			AND q.attended = ? AND q.passed = ? AND NOT q.dropped
		LEFT JOIN dev_requests x ON x.id = q.request_id AND x.state = ? AND x.end_date BETWEEN ? AND ?
		WHERE p.request_id = ? AND NOT p.dropped
		GROUP BY e.nip, e.name
		ORDER BY e.name, e.nip`, true, true, StateVerified, from, to, r.ID).Scan(&out).Error
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("participant loads: %w", err))
	}
	return out, nil
}

// Overlap is another live request sharing participants and dates with a request.
type Overlap struct {
	ID        int64
	Title     string
	State     State
	StartDate domain.Date
	EndDate   domain.Date
	OPDName   string
	Shared    int // participants in common
}

// Overlaps lists other requests (not rejected or withdrawn) whose dates overlap the request's
// and that share at least one participant (BKPSDM staff and the owning OPD).
func (s *Service) Overlaps(ctx context.Context, a domain.Actor, id int64) ([]Overlap, error) {
	r, err := s.loadRequest(ctx, s.db.Gorm, a, id, false)
	if err != nil {
		return nil, err
	}
	if a.Role == domain.RolePegawai {
		return nil, apperr.Forbidden("Anda tidak berhak melihat data ini.")
	}
	var out []Overlap
	err = s.db.WithContext(ctx).Raw(`
		SELECT x.id AS id, x.title AS title, x.state AS state, x.start_date AS start_date, x.end_date AS end_date,
			o.name AS opd_name, COUNT(*) AS shared
		FROM dev_request_participants p
		JOIN dev_request_participants q ON q.employee_id = p.employee_id AND q.request_id <> p.request_id AND NOT q.dropped
		JOIN dev_requests x ON x.id = q.request_id
		JOIN opds o ON o.id = x.opd_id
		WHERE p.request_id = ? AND NOT p.dropped AND x.state NOT IN (?, ?, ?)
			AND x.start_date <= ? AND x.end_date >= ?
		GROUP BY x.id, x.title, x.state, x.start_date, x.end_date, o.name
		ORDER BY x.start_date, x.id`, r.ID, StateRejected, StateWithdrawn, StateDraft, r.EndDate, r.StartDate).Scan(&out).Error
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("overlaps: %w", err))
	}
	return out, nil
}

// notify tells the other side of a transition: reviewers when an OPD acts, the OPD's users
// when BKPSDM acts, and participants with accounts when a request is approved or verified.
func (s *Service) notify(tx *gorm.DB, a domain.Actor, r *Request, act Action) error {
	var users []int64
	q := tx.Model(&domain.User{}).Select("id").Where("active = ? AND id <> ?", true, a.UserID)
	switch RoleFor(act) {
	case domain.RoleOPD:
		q = q.Where("role = ?", domain.RoleVerifikator)
	default:
		q = q.Where("role = ? AND opd_id = ?", domain.RoleOPD, r.OPDID)
	}
	if err := q.Pluck("id", &users).Error; err != nil {
		return apperr.Internal(err)
	}
	if act == ActionApprove || act == ActionReportVerify {
		var holders []int64
		tx.Model(&domain.User{}).Select("users.id").
			Joins("JOIN employees e ON e.nip = users.nip").
			Joins("JOIN dev_request_participants p ON p.employee_id = e.id AND p.request_id = ?", r.ID).
			Where("users.active = ? AND users.role = ?", true, domain.RolePegawai).Pluck("users.id", &holders)
		users = append(users, holders...)
	}
	if len(users) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%s: %s", act.Label(), truncateRunes(r.Title, 120))
	link := fmt.Sprintf("/usulan/%d", r.ID)
	now := s.db.Now()
	rows := make([]Notification, len(users))
	for i, u := range users {
		id := r.ID
		rows[i] = Notification{UserID: u, RequestID: &id, Message: msg, Link: link, CreatedAt: now}
	}
	if err := tx.CreateInBatches(rows, 500).Error; err != nil {
		return apperr.Internal(fmt.Errorf("notify: %w", err))
	}
	return nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// Notifications returns the actor's newest notifications and the number unread.
func (s *Service) Notifications(ctx context.Context, a domain.Actor, limit int) ([]Notification, int64, error) {
	if a.UserID == 0 {
		return nil, 0, apperr.Unauthorized("Silakan masuk terlebih dahulu.")
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	var out []Notification
	db := s.db.WithContext(ctx)
	if err := db.Where("user_id = ?", a.UserID).Order("id DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, 0, apperr.Internal(err)
	}
	var unread int64
	if err := db.Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", a.UserID).Count(&unread).Error; err != nil {
		return nil, 0, apperr.Internal(err)
	}
	return out, unread, nil
}

// MarkRead marks the actor's notifications read: one (id > 0) or all.
func (s *Service) MarkRead(ctx context.Context, a domain.Actor, id int64) error {
	if a.UserID == 0 {
		return apperr.Unauthorized("Silakan masuk terlebih dahulu.")
	}
	q := s.db.WithContext(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", a.UserID)
	if id > 0 {
		q = q.Where("id = ?", id)
	}
	if err := q.Update("read_at", s.db.Now()).Error; err != nil {
		return apperr.Internal(err)
	}
	return nil
}

// UnreadCount returns how many of the actor's notifications are unread: one indexed count,
// cheap enough for every page's notification bell.
func (s *Service) UnreadCount(ctx context.Context, a domain.Actor) (int64, error) {
	if a.UserID == 0 {
		return 0, apperr.Unauthorized("Silakan masuk terlebih dahulu.")
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", a.UserID).Count(&n).Error; err != nil {
		return 0, apperr.Internal(err)
	}
	return n, nil
}
