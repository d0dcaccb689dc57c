package issuer

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// Helpers shared by the rule tests (matrix, validation, attachments, numbering, history,
// reports and queries).

var bg = context.Background()

// actorNames are the actors of the role × action × state matrix, in a stable order.
var actorNames = []string{"admin", "rev", "signer", "opdUser", "opdUserB", "pegawai", "outsider"}

// who returns the fixture actor with the name.
func (f *fixture) who(t testing.TB, name string) domain.Actor {
	t.Helper()
	switch name {
	case "admin":
		return f.admin
	case "rev":
		return f.rev
	case "rev2":
		return f.rev2
	case "signer":
		return f.signer
	case "opdUser":
		return f.opdUser
	case "opdUserB":
		return f.opdUserB
	case "pegawai":
		return f.pegawai
	case "outsider":
		return f.outsider
	}
	t.Fatalf("unknown actor %q", name)
	return domain.Actor{}
}

// setClock moves the fixture clock to an absolute instant.
func setClock(c *clock, at time.Time) {
	c.mu.Lock()
	c.t = at
	c.mu.Unlock()
}

// onLastDay runs fn with the clock on the request's last day (10.00 WIB) when it is still
// earlier, then puts the clock back. A realisation report is accepted only from the
// activity's last day, while the fixture's later drafts (validInput starts on 10 March)
// must stay in the future.
func (f *fixture) onLastDay(id int64, fn func() error) error {
	var r Request
	if err := f.db.Gorm.Select("end_date").Where("id = ?", id).Take(&r).Error; err != nil {
		return fn() // an unknown request: the service explains
	}
	lastDay := r.EndDate.Time.Add(3 * time.Hour)
	saved := f.clock.Now()
	if !saved.Before(lastDay) {
		return fn()
	}
	setClock(f.clock, lastDay)
	defer setClock(f.clock, saved)
	return fn()
}

// report submits a realisation report on the activity's last day (see onLastDay).
func (f *fixture) report(a domain.Actor, id int64, in ReportInput) (*Detail, error) {
	var d *Detail
	err := f.onLastDay(id, func() error {
		var err error
		d, err = f.svc.SubmitReport(bg, a, id, in)
		return err
	})
	return d, err
}

// snapshot is everything an action may change about one request (plus the global number
// counters and notifications), to prove that a refusal changed nothing.
type snapshot struct {
	State         State
	Version       int
	Number        string
	Events        int64
	Participants  string // every participant row, report fields included
	Attachments   int64
	Notifications int64
	Counter       int64
	Requests      int64
}

func (f *fixture) snap(t testing.TB, id int64) snapshot {
	t.Helper()
	var s snapshot
	var r Request
	mustDo(t, f.db.Gorm.Where("id = ?", id).Take(&r).Error)
	s.State, s.Version, s.Number = r.State, r.Version, r.Recommendation()
	mustDo(t, f.db.Gorm.Model(&Event{}).Where("request_id = ?", id).Count(&s.Events).Error)
	mustDo(t, f.db.Gorm.Model(&Attachment{}).Where("request_id = ?", id).Count(&s.Attachments).Error)
	mustDo(t, f.db.Gorm.Model(&Notification{}).Count(&s.Notifications).Error)
	mustDo(t, f.db.Gorm.Model(&Request{}).Count(&s.Requests).Error)
	mustDo(t, f.db.Gorm.Raw("SELECT COALESCE(SUM(last_seq), 0) FROM number_counters").Scan(&s.Counter).Error)
	var ps []Participant
	mustDo(t, f.db.Gorm.Where("request_id = ?", id).Order("employee_id").Find(&ps).Error)
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%d:%t:%t:%s:%s:%s:%s:%q;", p.EmployeeID, p.Planned, p.Dropped, ptrStr(p.Attended), ptrStr(p.Passed),
			ptrStr(p.JPActual), p.Score, p.ChangeReason)
	}
	s.Participants = b.String()
	return s
}

func ptrStr[T any](p *T) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// assertUnchanged fails when a refused action left a trace.
func assertUnchanged(t testing.TB, before, after snapshot) {
	t.Helper()
	if before != after {
		t.Errorf("refusal changed the request:\n before %+v\n after  %+v", before, after)
	}
}

// assertCode checks err's apperr code.
func assertCode(t testing.TB, err error, want apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != want {
		t.Fatalf("error code = %q, want %q (err: %v)", got, want, err)
	}
}

// step is one action by one actor, used to drive a request into a state.
type step struct {
	act Action
	who string
}

// pathTo drives a fresh draft into each state. The last step matters: repeating it by the
// same actor is a replay.
var pathTo = map[State][]step{
	StateDraft:          nil,
	StateSubmitted:      {{ActionSubmit, "opdUser"}},
	StateReturned:       {{ActionSubmit, "opdUser"}, {ActionReturn, "rev"}},
	StateApproved:       {{ActionSubmit, "opdUser"}, {ActionApprove, "rev"}},
	StateRejected:       {{ActionSubmit, "opdUser"}, {ActionReject, "rev"}},
	StateWithdrawn:      {{ActionSubmit, "opdUser"}, {ActionWithdraw, "opdUser"}},
	StateReported:       {{ActionSubmit, "opdUser"}, {ActionApprove, "rev"}, {ActionReport, "opdUser"}},
	StateReportReturned: {{ActionSubmit, "opdUser"}, {ActionApprove, "rev"}, {ActionReport, "opdUser"}, {ActionReportReturn, "rev"}},
	StateVerified:       {{ActionSubmit, "opdUser"}, {ActionApprove, "rev"}, {ActionReport, "opdUser"}, {ActionReportVerify, "rev"}},
}

// requestIn creates a request from validInput and drives it into st.
func (f *fixture) requestIn(t testing.TB, st State) int64 {
	t.Helper()
	return f.requestInFrom(t, st, validInput())
}

func (f *fixture) requestInFrom(t testing.TB, st State, in RequestInput) int64 {
	t.Helper()
	d, err := f.svc.Create(bg, f.opdUser, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	id := d.Request.ID
	f.drive(t, id, st)
	return id
}

// drive runs the steps leading to st on a draft.
func (f *fixture) drive(t testing.TB, id int64, st State) {
	t.Helper()
	steps, ok := pathTo[st]
	if !ok {
		t.Fatalf("no path to %s", st)
	}
	for _, s := range steps {
		if err := f.do(f.who(t, s.who), s.act, id); err != nil {
			t.Fatalf("drive to %s: %s by %s: %v", st, s.act, s.who, err)
		}
	}
	var r Request
	mustDo(t, f.db.Gorm.Where("id = ?", id).Take(&r).Error)
	if r.State != st {
		t.Fatalf("drive: state %s, want %s", r.State, st)
	}
}

// do takes an action with plausible, valid arguments.
func (f *fixture) do(a domain.Actor, act Action, id int64) error {
	var err error
	switch act {
	case ActionUpdate:
		in := validInput()
		in.Title = "Pelatihan Teknis Penyusunan Modul Ajar (revisi)"
		_, err = f.svc.Update(bg, a, id, in)
	case ActionAttach:
		_, err = f.svc.AddAttachment(bg, a, id, PurposeProposal, "tor.pdf", bytes.NewReader(tinyPDF()))
	case ActionSubmit:
		_, err = f.svc.Submit(bg, a, id, "")
	case ActionWithdraw:
		_, err = f.svc.Withdraw(bg, a, id, "Kegiatan dibatalkan penyelenggara")
	case ActionReturn:
		_, err = f.svc.Return(bg, a, id, "Lengkapi kerangka acuan kegiatan")
	case ActionApprove:
		_, err = f.svc.Approve(bg, a, id, "")
	case ActionReject:
		_, err = f.svc.Reject(bg, a, id, "Tidak sesuai kebutuhan kompetensi")
	case ActionReport:
		// Every planned participant attended and passed.
		var nips []string
		err = f.db.Gorm.Table("dev_request_participants p").Joins("JOIN employees e ON e.id = p.employee_id").
			Where("p.request_id = ? AND p.planned = ?", id, true).Order("e.nip").Pluck("e.nip", &nips).Error
		if err != nil {
			return err
		}
		var rows []ReportRow
		for _, n := range nips {
			rows = append(rows, ReportRow{NIP: n, Attended: true, Passed: true})
		}
		if len(rows) == 0 { // a request of another OPD: the service must refuse before looking
			rows = []ReportRow{{NIP: nipA1, Attended: true, Passed: true}}
		}
		_, err = f.report(a, id, ReportInput{Participants: rows})
	case ActionReportReturn:
		_, err = f.svc.ReturnReport(bg, a, id, "Daftar hadir belum dilampirkan")
	case ActionReportVerify:
		_, err = f.svc.VerifyReport(bg, a, id, "")
	default:
		err = fmt.Errorf("unknown action %s", act)
	}
	return err
}

// events returns a request's history in order.
func (f *fixture) events(t testing.TB, id int64) []Event {
	t.Helper()
	var evs []Event
	mustDo(t, f.db.Gorm.Where("request_id = ?", id).Order("id").Find(&evs).Error)
	return evs
}

func (f *fixture) request(t testing.TB, id int64) Request {
	t.Helper()
	var r Request
	mustDo(t, f.db.Gorm.Where("id = ?", id).Take(&r).Error)
	return r
}

func (f *fixture) participants(t testing.TB, id int64) map[string]Participant {
	t.Helper()
	var ps []Participant
	mustDo(t, f.db.Gorm.Preload("Employee").Where("request_id = ?", id).Find(&ps).Error)
	out := map[string]Participant{}
	for _, p := range ps {
		out[p.Employee.NIP] = p
	}
	return out
}

// counter is the last number taken in the year's recommendation sequence (0 when none).
func (f *fixture) counter(t testing.TB, year int) int {
	t.Helper()
	var n int
	mustDo(t, f.db.Gorm.Raw("SELECT COALESCE(MAX(last_seq), 0) FROM number_counters WHERE scope = ? AND year = ?", "rekomendasi", year).Scan(&n).Error)
	return n
}

// setPattern stores the agency's recommendation pattern, creating the agency row if needed.
func (f *fixture) setPattern(t testing.TB, pattern string) {
	t.Helper()
	var n int64
	mustDo(t, f.db.Gorm.Raw("SELECT count(*) FROM agency WHERE id = 1").Scan(&n).Error)
	if n == 0 {
		mustDo(t, f.db.Gorm.Exec("INSERT INTO agency (id, name, updated_at, recommendation_pattern) VALUES (1, ?, ?, ?)",
			"Pemerintah Kabupaten Contoh", f.db.Now(), pattern).Error)
		return
	}
	mustDo(t, f.db.Gorm.Exec("UPDATE agency SET recommendation_pattern = ? WHERE id = 1", pattern).Error)
}

// ---- tiny valid files ----

func tinyPDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

func tinyImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for x := 0; x < 4; x++ {
		for y := 0; y < 4; y++ {
			img.Set(x, y, color.RGBA{uint8(60 * x), uint8(60 * y), 128, 255})
		}
	}
	return img
}

func tinyPNG(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	mustDo(t, png.Encode(&b, tinyImage()))
	return b.Bytes()
}

func tinyJPEG(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	mustDo(t, jpeg.Encode(&b, tinyImage(), &jpeg.Options{Quality: 80}))
	return b.Bytes()
}

func sortedActions(as []Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	sort.Strings(out)
	return out
}
