package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/issuer"
)

// routesRequestPages registers the pages of the approval workflow: the lists, the reviewer's
// queue, the request form, the detail page with its action forms, the realisation report and
// the notifications. As elsewhere, requireRole only steers navigation (a clear 403 instead of
// a form that would fail on submit); the workflow service checks role, ownership and state
// again on every call.
//
//	GET  /usulan                          signed in (opd: own OPD; pegawai: requests they take part in)
//	GET  /usulan/baru, POST               opd
//	GET  /antrean                         admin, verifikator, penandatangan (only verifikator acts)
//	GET  /usulan/:id                      signed in (the service decides who may see it)
//	GET  /usulan/:id/ubah, POST           opd (draft or returned)
//	POST /usulan/:id/ajukan, /tarik       opd
//	POST /usulan/:id/kembalikan, /setujui, /tolak                  verifikator
//	GET  /usulan/:id/laporan, POST        opd (approved or report returned)
//	POST /usulan/:id/laporan/verifikasi, /laporan/kembalikan       verifikator
//	POST /usulan/:id/lampiran             opd
//	GET  /usulan/:id/lampiran/:att, /usulan/:id/surat.pdf          signed in (who may see the request)
//	GET  /notifikasi, POST /notifikasi/baca, POST /notifikasi/:id/baca   signed in (own notifications)
func (s *Server) routesRequestPages() {
	app := s.App
	opd := requireRole(domain.RoleOPD)
	rev := requireRole(domain.RoleVerifikator)
	bkpsdm := requireRole(domain.RoleAdmin, domain.RoleVerifikator, domain.RolePenandatangan)

	app.Get("/usulan", requireLogin, s.requestList)
	app.Get("/usulan/baru", opd, s.requestNewForm) // before /usulan/:id
	app.Post("/usulan/baru", opd, s.requestCreate)
	app.Get("/antrean", bkpsdm, s.requestQueue)
	app.Get("/usulan/:id", requireLogin, s.requestDetail)
	app.Get("/usulan/:id/ubah", opd, s.requestEditForm)
	app.Post("/usulan/:id/ubah", opd, s.requestUpdate)
	app.Post("/usulan/:id/ajukan", opd, s.requestAction(issuer.ActionSubmit))
	app.Post("/usulan/:id/tarik", opd, s.requestAction(issuer.ActionWithdraw))
	app.Post("/usulan/:id/kembalikan", rev, s.requestAction(issuer.ActionReturn))
	app.Post("/usulan/:id/setujui", rev, s.requestAction(issuer.ActionApprove))
	app.Post("/usulan/:id/tolak", rev, s.requestAction(issuer.ActionReject))
	app.Get("/usulan/:id/laporan", opd, s.reportForm)
	app.Post("/usulan/:id/laporan", opd, s.reportSubmit)
	app.Post("/usulan/:id/laporan/verifikasi", rev, s.requestAction(issuer.ActionReportVerify))
	app.Post("/usulan/:id/laporan/kembalikan", rev, s.requestAction(issuer.ActionReportReturn))
	app.Post("/usulan/:id/lampiran", opd, s.requestAttach)
	// Downloads answer the same bytes and headers as the API's (web/api_requests.go).
	app.Get("/usulan/:id/lampiran/:att", requireLogin, s.apiGetAttachment)
	app.Get("/usulan/:id/surat.pdf", requireLogin, s.apiLetter)

	app.Get("/notifikasi", requireLogin, s.notificationList)
	app.Post("/notifikasi/baca", requireLogin, s.notificationReadAll)
	app.Post("/notifikasi/:id/baca", requireLogin, s.notificationRead)
}

// requestsPerPage is the page size of the request lists.
const requestsPerPage = 25

// requestQuery is a request list's filters and page, as read from the address.
type requestQuery struct {
	Status, OPD, Kind, Q string
	Page                 int
}

func readRequestQuery(c *fiber.Ctx) requestQuery {
	q := requestQuery{Status: strings.TrimSpace(strings.Clone(c.Query("status"))), OPD: strings.TrimSpace(strings.Clone(c.Query("opd"))),
		Kind: strings.TrimSpace(strings.Clone(c.Query("jenis"))), Q: strings.TrimSpace(strings.Clone(c.Query("q")))}
	p, err := strconv.Atoi(c.Query("hal", "1"))
	if err != nil || p < 1 || p > 1_000_000 {
		p = 1
	}
	q.Page = p
	return q
}

// url is the list's address at base with these filters, the status replaced by status and the
// page by page.
func (q requestQuery) url(base, status string, page int) string {
	v := url.Values{}
	for k, x := range map[string]string{"status": status, "opd": q.OPD, "jenis": q.Kind, "q": q.Q} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if page > 1 {
		v.Set("hal", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

// stateTab is one tab of the state filter, or one count on the dashboard.
type stateTab struct {
	State   issuer.State
	Label   string
	N       int64
	URL     string
	Current bool
}

// kindGroup is the development kinds of one form (klasikal or nonklasikal) for a select.
type kindGroup struct {
	Label string
	Kinds []domain.DevelopmentKind
}

func kindGroups() []kindGroup {
	groups := []kindGroup{{Label: "Klasikal"}, {Label: "Nonklasikal"}}
	for _, k := range domain.DevelopmentKinds {
		if k.Classroom {
			groups[0].Kinds = append(groups[0].Kinds, k)
		} else {
			groups[1].Kinds = append(groups[1].Kinds, k)
		}
	}
	return groups
}

// requestRow is one row of a request list.
type requestRow struct {
	issuer.Summary
	Waiting string // the queue only: "menunggu 3 hari"
}

func (s *Server) requestList(c *fiber.Ctx) error {
	a := actor(c)
	ctx := c.UserContext()
	q := readRequestQuery(c)
	title := "Daftar usulan"
	switch a.Role {
	case domain.RoleOPD:
		title = "Usulan saya"
	case domain.RolePegawai:
		title = "Usulan yang saya ikuti"
	}
	counts, err := s.Requests.Counts(ctx, a)
	if err != nil {
		return err
	}
	data := fiber.Map{"Query": q, "KindGroups": kindGroups(), "States": issuer.States, "Heading": title}
	var total int64
	tabs := []stateTab{}
	for _, st := range issuer.States {
		total += counts[st]
		if counts[st] > 0 || string(st) == q.Status {
			tabs = append(tabs, stateTab{State: st, Label: st.Label(), N: counts[st], URL: q.url("/usulan", string(st), 1), Current: string(st) == q.Status})
		}
	}
	tabs = append([]stateTab{{Label: "Semua", N: total, URL: q.url("/usulan", "", 1), Current: q.Status == ""}}, tabs...)
	data["Tabs"] = tabs
	data["Counts"] = counts
	if a.Role.IsBKPSDM() {
		opds, err := s.Directory.ListOPDs(ctx, a, true)
		if err != nil {
			return err
		}
		data["OPDs"] = opds
	}
	f := issuer.ListFilter{State: issuer.State(q.Status), OPD: q.OPD, Kind: q.Kind, Q: q.Q, Limit: requestsPerPage,
		Offset: (q.Page - 1) * requestsPerPage}
	list, pg, err := s.Requests.List(ctx, a, f)
	if err != nil {
		if status, msg, ok := formError(err); ok {
			data["Error"] = msg
			return s.page(c, status, "request_list", title, data)
		}
		return err
	}
	rows := make([]requestRow, len(list))
	for i, r := range list {
		rows[i] = requestRow{Summary: r}
	}
	data["Rows"], data["Total"] = rows, pg.Total
	if len(list) > 0 {
		data["From"], data["To"] = pg.Offset+1, pg.Offset+len(list)
	}
	if q.Page > 1 {
		data["PrevURL"] = q.url("/usulan", q.Status, q.Page-1)
	}
	if int64(pg.Offset+len(list)) < pg.Total {
		data["NextURL"] = q.url("/usulan", q.Status, q.Page+1)
	}
	return s.page(c, fiber.StatusOK, "request_list", title, data)
}

// queueSection is one part of the reviewer's queue: requests waiting for a decision, or
// reports waiting for verification.
type queueSection struct {
	State            issuer.State
	ID, Heading      string
	Empty            string
	Rows             []requestRow
	Total            int64
	From, To         int
	PrevURL, NextURL string
	AllURL           string // when the section shows only the oldest of more
}

// queueLimit is how many items of each part the combined queue shows.
const queueLimit = 50

func (s *Server) requestQueue(c *fiber.Ctx) error {
	a := actor(c)
	ctx := c.UserContext()
	q := readRequestQuery(c)
	counts, err := s.Requests.Counts(ctx, a)
	if err != nil {
		return err
	}
	opds, err := s.Directory.ListOPDs(ctx, a, true)
	if err != nil {
		return err
	}
	data := fiber.Map{"Query": q, "KindGroups": kindGroups(), "OPDs": opds,
		"Submitted": counts[issuer.StateSubmitted], "Reported": counts[issuer.StateReported],
		"CanAct": a.Role == domain.RoleVerifikator}
	sections := []queueSection{
		{State: issuer.StateSubmitted, ID: "menunggu-keputusan", Heading: "Usulan menunggu keputusan",
			Empty: "Tidak ada usulan yang menunggu keputusan."},
		{State: issuer.StateReported, ID: "menunggu-verifikasi", Heading: "Laporan realisasi menunggu verifikasi",
			Empty: "Tidak ada laporan yang menunggu verifikasi."},
	}
	switch issuer.State(q.Status) {
	case "":
	case issuer.StateSubmitted:
		sections = sections[:1]
	case issuer.StateReported:
		sections = sections[1:]
	default:
		data["Error"] = "Antrean hanya memuat usulan berstatus “Diajukan” atau “Laporan diajukan”."
		return s.page(c, fiber.StatusBadRequest, "request_queue", "Antrean verifikasi", data)
	}
	today := domain.DateOf(s.DB.Now().In(wib))
	for i := range sections {
		sec := &sections[i]
		f := issuer.ListFilter{State: sec.State, OPD: q.OPD, Kind: q.Kind, Q: q.Q, Queue: true, Limit: queueLimit}
		single := len(sections) == 1
		if single {
			f.Limit, f.Offset = requestsPerPage, (q.Page-1)*requestsPerPage
		}
		list, pg, err := s.Requests.List(ctx, a, f)
		if err != nil {
			if status, msg, ok := formError(err); ok {
				data["Error"] = msg
				return s.page(c, status, "request_queue", "Antrean verifikasi", data)
			}
			return err
		}
		sec.Total = pg.Total
		for _, r := range list {
			since := r.UpdatedAt // a report: when it was sent (nothing else changes a reported request)
			if sec.State == issuer.StateSubmitted && r.SubmittedAt != nil {
				since = *r.SubmittedAt
			}
			sec.Rows = append(sec.Rows, requestRow{Summary: r, Waiting: waitingLabel(since, today)})
		}
		if len(list) > 0 {
			sec.From, sec.To = pg.Offset+1, pg.Offset+len(list)
		}
		if single && q.Page > 1 {
			sec.PrevURL = q.url("/antrean", string(sec.State), q.Page-1)
		}
		if single && int64(pg.Offset+len(list)) < pg.Total {
			sec.NextURL = q.url("/antrean", string(sec.State), q.Page+1)
		}
		if !single && int64(len(list)) < pg.Total {
			sec.AllURL = q.url("/antrean", string(sec.State), 1)
		}
	}
	data["Sections"] = sections
	return s.page(c, fiber.StatusOK, "request_queue", "Antrean verifikasi", data)
}

// waitingLabel says how long something has waited, in calendar days in WIB.
func waitingLabel(since time.Time, today domain.Date) string {
	n := int(today.Sub(domain.DateOf(since.In(wib)).Time).Hours() / 24)
	if n <= 0 {
		return "menunggu sejak hari ini"
	}
	return fmt.Sprintf("menunggu %d hari", n)
}

// ---- detail ----

// participantRow is one participant as the detail page shows them.
type participantRow struct {
	NIP, Name, Position string
	Planned, Dropped    bool
	Reason              string
	Reported            bool // the report has said something about them
	Attended, Passed    bool
	JP                  string
	Score               string
	Eligible            bool
}

func participantRows(d *issuer.Detail) []participantRow {
	out := make([]participantRow, 0, len(d.Participants))
	for _, p := range d.Participants {
		r := participantRow{Planned: p.Planned, Dropped: p.Dropped, Reason: p.ChangeReason, Score: p.Score, Eligible: p.Eligible()}
		if e := p.Employee; e != nil {
			r.NIP, r.Name, r.Position = e.NIP, e.FullName(), e.Position
		}
		if p.Attended != nil {
			r.Reported, r.Attended = true, *p.Attended
		}
		if p.Passed != nil {
			r.Passed = *p.Passed
		}
		if p.JPActual != nil {
			r.JP = strconv.Itoa(*p.JPActual)
		}
		out = append(out, r)
	}
	return out
}

// attachmentPurposes are the choices of the upload form.
var attachmentPurposes = []struct{ Code, Label string }{
	{issuer.PurposeProposal, issuer.PurposeLabel(issuer.PurposeProposal)},
	{issuer.PurposeEvidence, issuer.PurposeLabel(issuer.PurposeEvidence)},
	{issuer.PurposeAttendance, issuer.PurposeLabel(issuer.PurposeAttendance)},
	{issuer.PurposeReport, issuer.PurposeLabel(issuer.PurposeReport)},
}

// attachmentRow is one attachment on the detail page.
type attachmentRow struct {
	issuer.Attachment
	PurposeLabel, Size, URL string
}

// reportStage tells whether a request in state s has a realisation report to show.
func reportStage(s issuer.State) bool {
	return s == issuer.StateReported || s == issuer.StateReportReturned || s == issuer.StateVerified
}

// requestDetailPage renders the detail page with status; extra carries a failed form's
// message and input.
func (s *Server) requestDetailPage(c *fiber.Ctx, status int, id int64, extra fiber.Map) error {
	a := actor(c)
	ctx := c.UserContext()
	d, err := s.Requests.Get(ctx, a, id)
	if err != nil {
		return err
	}
	r := d.Request
	data := fiber.Map{"D": d, "R": r, "Participants": participantRows(d), "ReportStage": reportStage(r.State),
		"Purposes": attachmentPurposes, "OrganizerLabel": issuer.OrganizerLabel(r.OrganizerType),
		"ActionError": map[string]string{}, "ActionNote": map[string]string{}, "UploadPurpose": issuer.PurposeProposal}
	switch r.State {
	case issuer.StateReturned, issuer.StateRejected:
		data["StateNote"] = r.DecisionNote
	case issuer.StateReportReturned:
		data["StateNote"] = lastNote(d, issuer.ActionReportReturn)
	case issuer.StateWithdrawn:
		data["StateNote"] = lastNote(d, issuer.ActionWithdraw)
	}
	if l, ok := domain.LeadershipLevelByCode(r.Level); ok {
		data["LevelLabel"] = l.Label
	}
	hasEvidence := false
	atts := make([]attachmentRow, len(d.Attachments))
	for i, att := range d.Attachments {
		atts[i] = attachmentRow{Attachment: att, PurposeLabel: issuer.PurposeLabel(att.Purpose), Size: sizeLabel(att.SizeBytes),
			URL: fmt.Sprintf("/usulan/%d/lampiran/%d", r.ID, att.ID)}
		hasEvidence = hasEvidence || att.Purpose == issuer.PurposeEvidence
	}
	data["Attachments"] = atts
	data["NeedsEvidence"] = r.Retroactive && !hasEvidence
	if r.Retroactive && !hasEvidence {
		data["UploadPurpose"] = issuer.PurposeEvidence
	}
	if r.State == issuer.StateApproved || r.State == issuer.StateReportReturned {
		data["UploadPurpose"] = issuer.PurposeAttendance
	}
	// The service refuses a realisation report before the activity's last day: until then
	// the page says from when instead of offering the form.
	data["ReportNotYet"] = d.Can(issuer.ActionReport) && !s.Requests.ReportOpen(&r)
	active := 0
	for _, p := range d.Participants {
		if !p.Dropped {
			active++
		}
	}
	data["ActiveParticipants"] = active
	for _, act := range d.Actions {
		if act != issuer.ActionAttach {
			data["HasActions"] = true
		}
	}
	if a.Role.IsBKPSDM() {
		loads, err := s.Requests.ParticipantLoads(ctx, a, id)
		if err != nil {
			return err
		}
		overlaps, err := s.Requests.Overlaps(ctx, a, id)
		if err != nil {
			return err
		}
		data["Loads"], data["Overlaps"], data["BKPSDM"] = loads, overlaps, true
	}
	for k, v := range extra {
		data[k] = v
	}
	return s.page(c, status, "request_detail", r.Title, data)
}

// lastNote returns the note of the request's latest event when that event is the action act
// (the reason the request is where it is), or "".
func lastNote(d *issuer.Detail, act issuer.Action) string {
	if n := len(d.History); n > 0 && d.History[n-1].Action == act {
		return d.History[n-1].Note
	}
	return ""
}

func (s *Server) requestDetail(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	return s.requestDetailPage(c, fiber.StatusOK, id, nil)
}

// actionDone is the confirmation shown after an action.
func actionDone(act issuer.Action, d *issuer.Detail) string {
	switch act {
	case issuer.ActionSubmit:
		return "Usulan diajukan ke BKPSDM. Anda akan diberi tahu setelah verifikator memutuskan."
	case issuer.ActionWithdraw:
		return "Usulan ditarik."
	case issuer.ActionReturn:
		return "Usulan dikembalikan ke OPD untuk perbaikan."
	case issuer.ActionApprove:
		return "Usulan disetujui dengan nomor rekomendasi " + d.Request.Recommendation() + "."
	case issuer.ActionReject:
		return "Usulan ditolak."
	case issuer.ActionReportVerify:
		return "Laporan realisasi diverifikasi."
	case issuer.ActionReportReturn:
		return "Laporan realisasi dikembalikan ke OPD untuk perbaikan."
	}
	return act.Label() + "."
}

// errNoConfirm answers a withdrawal sent without its confirmation box ticked.
var errNoConfirm = apperr.Invalid("Centang pernyataan konfirmasi untuk menarik usulan.")

// requestAction handles the action forms that carry at most a note (field "catatan"). A
// repeated form (a double click) is answered like the first: the service recognises the
// replay and changes nothing.
func (s *Server) requestAction(act issuer.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := paramID(c, "id")
		if err != nil {
			return err
		}
		note := formValue(c, "catatan")
		var d *issuer.Detail
		if act == issuer.ActionWithdraw && c.FormValue("konfirmasi") != "ya" {
			err = errNoConfirm
		} else {
			d, err = s.Requests.Act(c.UserContext(), actor(c), id, act, note)
		}
		if err != nil {
			if status, msg, ok := formError(err); ok {
				return s.requestDetailPage(c, status, id, fiber.Map{"Error": msg,
					"ActionError": map[string]string{string(act): msg}, "ActionNote": map[string]string{string(act): note}})
			}
			return err
		}
		s.flash(c, actionDone(act, d))
		return c.Redirect(fmt.Sprintf("/usulan/%d", id), fiber.StatusSeeOther)
	}
}

// errNoAttachment answers the upload form sent without a file.
var errNoAttachment = apperr.Invalid("Pilih berkas PDF, JPG atau PNG yang akan dilampirkan.")

func (s *Server) requestAttach(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	purpose := formValue(c, "jenis")
	var att *issuer.Attachment
	fh, ferr := c.FormFile("berkas")
	if ferr != nil || (fh.Filename == "" && fh.Size == 0) {
		err = errNoAttachment
	} else {
		f, oerr := fh.Open()
		if oerr != nil {
			return apperr.Internal(oerr)
		}
		defer f.Close()
		att, err = s.Requests.AddAttachment(c.UserContext(), actor(c), id, purpose, cleanFileName(fh.Filename), f)
	}
	if err != nil {
		if status, msg, ok := formError(err); ok {
			return s.requestDetailPage(c, status, id, fiber.Map{"Error": msg, "UploadError": msg, "UploadPurpose": purpose})
		}
		return err
	}
	s.flash(c, fmt.Sprintf("Lampiran %s (%s) ditambahkan.", att.FileName, issuer.PurposeLabel(att.Purpose)))
	return c.Redirect(fmt.Sprintf("/usulan/%d#lampiran", id), fiber.StatusSeeOther)
}

// ---- notifications ----

// notificationsShown is how many notifications the page lists.
const notificationsShown = 100

func (s *Server) notificationList(c *fiber.Ctx) error {
	list, unread, err := s.Requests.Notifications(c.UserContext(), actor(c), notificationsShown)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "notifications", "Notifikasi", fiber.Map{"Notifications": list, "UnreadHere": unread})
}

func (s *Server) notificationReadAll(c *fiber.Ctx) error {
	if err := s.Requests.MarkRead(c.UserContext(), actor(c), 0); err != nil {
		return err
	}
	s.flash(c, "Semua notifikasi ditandai sudah dibaca.")
	return c.Redirect("/notifikasi", fiber.StatusSeeOther)
}

// notificationRead marks one notification read and follows its link. The link comes from
// the stored notification, never from the form, so the redirect cannot be steered elsewhere.
func (s *Server) notificationRead(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFound("Notifikasi tidak ditemukan.")
	}
	a := actor(c)
	list, _, err := s.Requests.Notifications(c.UserContext(), a, notificationsShown)
	if err != nil {
		return err
	}
	if err := s.Requests.MarkRead(c.UserContext(), a, id); err != nil {
		return err
	}
	dest := "/notifikasi"
	for _, n := range list {
		if n.ID == id && strings.HasPrefix(n.Link, "/") && !strings.HasPrefix(n.Link, "//") && !strings.HasPrefix(n.Link, "/\\") {
			dest = n.Link
		}
	}
	return c.Redirect(dest, fiber.StatusSeeOther)
}

// ---- dashboard ----

// dashboardRequests adds the workflow's part of the start page: an OPD's requests by state,
// the reviewer's queue sizes, or the requests an employee takes part in.
func (s *Server) dashboardRequests(c *fiber.Ctx, data fiber.Map) error {
	a := actor(c)
	ctx := c.UserContext()
	switch {
	case a.Role == domain.RoleOPD:
		counts, err := s.Requests.Counts(ctx, a)
		if err != nil {
			return err
		}
		var tabs []stateTab
		for _, st := range issuer.States {
			if counts[st] > 0 {
				tabs = append(tabs, stateTab{State: st, Label: st.Label(), N: counts[st], URL: "/usulan?status=" + string(st)})
			}
		}
		data["RequestCounts"] = tabs
	case a.Role.IsBKPSDM():
		counts, err := s.Requests.Counts(ctx, a)
		if err != nil {
			return err
		}
		data["QueueSubmitted"], data["QueueReported"] = counts[issuer.StateSubmitted], counts[issuer.StateReported]
	case a.Role == domain.RolePegawai:
		list, pg, err := s.Requests.List(ctx, a, issuer.ListFilter{Limit: 10})
		if err != nil {
			return err
		}
		data["MyRequests"], data["MyRequestsTotal"] = list, pg.Total
	}
	return nil
}
