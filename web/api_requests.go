package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/issuer"
)

// routesRequestAPI registers the approval-workflow endpoints. Every answer about one
// request carries the request with its state and history.
func (s *Server) routesRequestAPI(api fiber.Router) {
	auth := s.bearerAuth
	// The role gates below answer 403 early and keep each route's audience plain; the
	// workflow service checks the role again, together with ownership and state.
	opd := requireRole(domain.RoleOPD)
	rev := requireRole(domain.RoleVerifikator)
	api.Post("/requests", auth, opd, s.apiCreateRequest)
	api.Get("/requests", auth, s.apiListRequests)
	api.Get("/requests/:id", auth, s.apiGetRequest)
	api.Put("/requests/:id", auth, opd, s.apiUpdateRequest)
	api.Post("/requests/:id/submit", auth, opd, s.apiAction(issuer.ActionSubmit))
	api.Post("/requests/:id/withdraw", auth, opd, s.apiAction(issuer.ActionWithdraw))
	api.Post("/requests/:id/return", auth, rev, s.apiAction(issuer.ActionReturn))
	api.Post("/requests/:id/approve", auth, rev, s.apiAction(issuer.ActionApprove))
	api.Post("/requests/:id/reject", auth, rev, s.apiAction(issuer.ActionReject))
	api.Post("/requests/:id/report", auth, opd, s.apiSubmitReport)
	api.Post("/requests/:id/report/verify", auth, rev, s.apiAction(issuer.ActionReportVerify))
	api.Post("/requests/:id/report/return", auth, rev, s.apiAction(issuer.ActionReportReturn))
	api.Post("/requests/:id/attachments", auth, opd, s.apiAddAttachment)
	api.Get("/requests/:id/attachments/:att", auth, s.apiGetAttachment)
	api.Get("/requests/:id/letter.pdf", auth, s.apiLetter)
	api.Get("/notifications", auth, s.apiNotifications)
	api.Post("/notifications/read", auth, s.apiMarkRead)
}

// ---- views ----

type participantView struct {
	NIP          string `json:"nip"`
	Name         string `json:"name"`
	Position     string `json:"position"`
	Planned      bool   `json:"planned"`
	Dropped      bool   `json:"dropped"`
	ChangeReason string `json:"change_reason,omitempty"`
	Attended     *bool  `json:"attended"`
	Passed       *bool  `json:"passed"`
	Score        string `json:"score,omitempty"`
	JP           *int   `json:"jp"`
	Eligible     bool   `json:"eligible"`
}

type eventView struct {
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Action string    `json:"action"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Note   string    `json:"note,omitempty"`
}

type attachmentView struct {
	ID          int64     `json:"id"`
	Purpose     string    `json:"purpose"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedAt  time.Time `json:"uploaded_at"`
	URL         string    `json:"url"`
}

type requestView struct {
	ID                   int64        `json:"id"`
	OPD                  *opdRef      `json:"opd"`
	Title                string       `json:"title"`
	Kind                 string       `json:"kind"`
	KindLabel            string       `json:"kind_label"`
	Level                string       `json:"level,omitempty"`
	Classroom            bool         `json:"classroom"`
	Organizer            string       `json:"organizer"`
	OrganizerName        string       `json:"organizer_name"`
	Place                string       `json:"place"`
	Online               bool         `json:"online"`
	StartDate            domain.Date  `json:"start_date"`
	EndDate              domain.Date  `json:"end_date"`
	JP                   int          `json:"jp"`
	JPNote               string       `json:"jp_note"`
	Objectives           string       `json:"objectives"`
	Competencies         string       `json:"competencies"`
	BudgetSource         string       `json:"budget_source"`
	Retroactive          bool         `json:"retroactive"`
	State                issuer.State `json:"state"`
	StateLabel           string       `json:"state_label"`
	Version              int          `json:"version"`
	RecommendationNumber string       `json:"recommendation_number,omitempty"`
	RecommendationDate   domain.Date  `json:"recommendation_date,omitzero"`
	DecisionNote         string       `json:"decision_note,omitempty"`
	ReportNote           string       `json:"report_note,omitempty"`
	CreatedAt            time.Time    `json:"created_at"`
	UpdatedAt            time.Time    `json:"updated_at"`
	SubmittedAt          *time.Time   `json:"submitted_at,omitempty"`
	ParticipantCount     int          `json:"participant_count"`
}

// requestDetailView is one request with everything about it. Its lists are always present,
// empty or not (omitempty would drop an empty list of actions or attachments), while the
// rows of a request list carry none of them.
type requestDetailView struct {
	requestView
	Participants []participantView `json:"participants"`
	History      []eventView       `json:"history"`
	Attachments  []attachmentView  `json:"attachments"`
	Actions      []issuer.Action   `json:"actions"`
}

func viewRequest(r issuer.Request) requestView {
	v := requestView{ID: r.ID, Title: r.Title, Kind: r.Kind, KindLabel: r.KindLabel(), Level: r.Level, Classroom: r.Classroom,
		Organizer: r.OrganizerType, OrganizerName: r.OrganizerName, Place: r.Place, Online: r.Online,
		StartDate: r.StartDate, EndDate: r.EndDate, JP: r.JP, JPNote: r.JPNote, Objectives: r.Objectives,
		Competencies: r.Competencies, BudgetSource: r.BudgetSource, Retroactive: r.Retroactive, State: r.State,
		StateLabel: r.State.Label(), Version: r.Version, RecommendationNumber: r.Recommendation(),
		RecommendationDate: r.RecommendationDate, DecisionNote: r.DecisionNote, ReportNote: r.ReportNote,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, SubmittedAt: r.SubmittedAt}
	if r.OPD != nil {
		v.OPD = &opdRef{Code: r.OPD.Code, Name: r.OPD.Name}
	}
	return v
}

func viewDetail(d *issuer.Detail) requestDetailView {
	v := requestDetailView{requestView: viewRequest(d.Request)}
	v.Participants = make([]participantView, 0, len(d.Participants))
	for _, p := range d.Participants {
		pv := participantView{Planned: p.Planned, Dropped: p.Dropped, ChangeReason: p.ChangeReason, Attended: p.Attended,
			Passed: p.Passed, Score: p.Score, JP: p.JPActual, Eligible: p.Eligible()}
		if p.Employee != nil {
			pv.NIP, pv.Name, pv.Position = p.Employee.NIP, p.Employee.FullName(), p.Employee.Position
		}
		if !p.Dropped {
			v.ParticipantCount++
		}
		v.Participants = append(v.Participants, pv)
	}
	v.History = make([]eventView, len(d.History))
	for i, e := range d.History {
		v.History[i] = eventView{At: e.At, User: e.Username, Action: string(e.Action), From: string(e.FromState), To: string(e.ToState), Note: e.Note}
	}
	v.Attachments = make([]attachmentView, len(d.Attachments))
	for i, a := range d.Attachments {
		v.Attachments[i] = attachmentView{ID: a.ID, Purpose: a.Purpose, FileName: a.FileName, ContentType: a.ContentType,
			Size: a.SizeBytes, SHA256: a.SHA256, UploadedAt: a.UploadedAt,
			URL: "/api/v1/requests/" + strconv.FormatInt(d.Request.ID, 10) + "/attachments/" + strconv.FormatInt(a.ID, 10)}
	}
	v.Actions = d.Actions
	if v.Actions == nil {
		v.Actions = []issuer.Action{}
	}
	return v
}

// ---- handlers ----

func paramID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound("Usulan tidak ditemukan.")
	}
	return id, nil
}

func (s *Server) apiCreateRequest(c *fiber.Ctx) error {
	var in issuer.RequestInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	d, err := s.Requests.Create(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/requests/" + strconv.FormatInt(d.Request.ID, 10))
	return c.Status(fiber.StatusCreated).JSON(viewDetail(d))
}

func (s *Server) apiListRequests(c *fiber.Ctx) error {
	limit, offset, err := queryPage(c, 50)
	if err != nil {
		return err
	}
	f := issuer.ListFilter{State: issuer.State(c.Query("state")), OPD: strings.Clone(c.Query("opd")),
		Kind: strings.Clone(c.Query("kind")), Q: strings.Clone(c.Query("q")), Limit: limit, Offset: offset,
		Queue: c.QueryBool("queue")}
	list, page, err := s.Requests.List(c.UserContext(), actor(c), f)
	if err != nil {
		return err
	}
	out := make([]requestView, len(list))
	for i, r := range list {
		r.Request.OPD = &domain.OPD{Code: r.OPDCode, Name: r.OPDName}
		out[i] = viewRequest(r.Request)
		out[i].ParticipantCount = r.Participants
	}
	return pageJSON(c, out, page)
}

func (s *Server) apiGetRequest(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.Requests.Get(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(viewDetail(d))
}

func (s *Server) apiUpdateRequest(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in issuer.RequestInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	d, err := s.Requests.Update(c.UserContext(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(viewDetail(d))
}

// actionBody is the optional body of a workflow action: a note, or for a rejection a reason.
type actionBody struct {
	Note   string `json:"note"`
	Reason string `json:"reason"`
}

// apiAction handles the workflow actions that take at most a note.
func (s *Server) apiAction(act issuer.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := paramID(c, "id")
		if err != nil {
			return err
		}
		var body actionBody
		if len(c.Body()) > 0 {
			if err := decodeJSON(c, &body); err != nil {
				return err
			}
		}
		note := body.Note
		if act == issuer.ActionReject && body.Reason != "" {
			note = body.Reason
		}
		d, err := s.Requests.Act(c.UserContext(), actor(c), id, act, note)
		if err != nil {
			return err
		}
		return c.JSON(viewDetail(d))
	}
}

func (s *Server) apiSubmitReport(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var in issuer.ReportInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	d, err := s.Requests.SubmitReport(c.UserContext(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(viewDetail(d))
}

func (s *Server) apiAddAttachment(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return apperr.Invalid("Unggah berkas pada kolom \"file\" (multipart/form-data).")
	}
	f, err := fh.Open()
	if err != nil {
		return apperr.Internal(err)
	}
	defer f.Close()
	purpose := c.FormValue("purpose", issuer.PurposeProposal)
	att, err := s.Requests.AddAttachment(c.UserContext(), actor(c), id, purpose, fh.Filename, f)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(attachmentView{ID: att.ID, Purpose: att.Purpose, FileName: att.FileName,
		ContentType: att.ContentType, Size: att.SizeBytes, SHA256: att.SHA256, UploadedAt: att.UploadedAt,
		URL: "/api/v1/requests/" + strconv.FormatInt(id, 10) + "/attachments/" + strconv.FormatInt(att.ID, 10)})
}

func (s *Server) apiGetAttachment(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	attID, err := paramID(c, "att")
	if err != nil {
		return err
	}
	return s.sendAttachmentFile(c, id, attID)
}

// sendAttachmentFile streams a stored attachment to someone allowed to see its request.
func (s *Server) sendAttachmentFile(c *fiber.Ctx, id, attID int64) error {
	att, f, err := s.Requests.OpenAttachment(c.UserContext(), actor(c), id, attID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, att.ContentType)
	c.Set(fiber.HeaderContentDisposition, contentDisposition("inline", att.FileName))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.SendStream(f, int(att.SizeBytes))
}

func (s *Server) apiLetter(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	pdf, name, err := s.Requests.RecommendationLetter(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, contentDisposition("inline", name))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(pdf)
}

type notificationView struct {
	ID        int64      `json:"id"`
	Message   string     `json:"message"`
	Link      string     `json:"link"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

func (s *Server) apiNotifications(c *fiber.Ctx) error {
	list, unread, err := s.Requests.Notifications(c.UserContext(), actor(c), 50)
	if err != nil {
		return err
	}
	out := make([]notificationView, len(list))
	for i, n := range list {
		out[i] = notificationView{ID: n.ID, Message: n.Message, Link: n.Link, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
	}
	return c.JSON(fiber.Map{"items": out, "unread": unread})
}

func (s *Server) apiMarkRead(c *fiber.Ctx) error {
	var body struct {
		ID int64 `json:"id"`
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
	}
	if err := s.Requests.MarkRead(c.UserContext(), actor(c), body.ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// contentDisposition builds a Content-Disposition header with an ASCII fallback name and the
// RFC 5987 UTF-8 name.
func contentDisposition(kind, name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 32 || r > 126 || r == '"' || r == '\\' || r == ';' {
			return '_'
		}
		return r
	}, name)
	return kind + `; filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(name)
}
