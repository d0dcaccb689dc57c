package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/scoring"
)

// The JSON API of the review flow of external development records (routes in
// web/routes_external.go, documented in docs/openapi.yaml).

// externalEmployeeRef names the employee a record is about.
type externalEmployeeRef struct {
	NIP  string `json:"nip"`
	Name string `json:"name"`
}

// externalView is one record as the API answers it.
type externalView struct {
	ID                int64               `json:"id"`
	Employee          externalEmployeeRef `json:"employee"`
	OPD               opdRef              `json:"opd"`
	Kind              string              `json:"kind"`
	KindLabel         string              `json:"kind_label"`
	Level             string              `json:"level"`
	Indicator         string              `json:"indicator"`
	Title             string              `json:"title"`
	JP                int                 `json:"jp"`
	StartDate         domain.Date         `json:"start_date"`
	EndDate           domain.Date         `json:"end_date"`
	Organizer         string              `json:"organizer"`
	CertificateNumber string              `json:"certificate_number"`
	Status            string              `json:"status"`
	StatusLabel       string              `json:"status_label"`
	EvidenceSHA256    string              `json:"evidence_sha256"`
	EvidenceURL       string              `json:"evidence_url"`
	Source            string              `json:"source"`
	SubmittedBy       string              `json:"submitted_by"`
	ReviewedBy        string              `json:"reviewed_by"`
	ReviewedAt        *time.Time          `json:"reviewed_at"`
	ReviewReason      string              `json:"review_reason"`
	CreatedAt         time.Time           `json:"created_at"`
	UpdatedAt         time.Time           `json:"updated_at"`
}

func (s *Server) viewExternal(r *scoring.ExternalTraining) externalView {
	v := externalView{ID: r.ID, Employee: externalEmployeeRef{NIP: r.NIP, Name: r.EmployeeName},
		OPD: opdRef{Code: r.OPDCode, Name: r.OPDName}, Kind: r.Kind, KindLabel: r.KindLabel(), Level: r.Level,
		Indicator: string(s.Scoring.External().Indicator(r.Kind)), Title: r.Title, JP: r.JP, StartDate: r.StartDate,
		EndDate: r.EndDate, Organizer: r.Organizer, CertificateNumber: r.CertificateNumber, Status: r.Status,
		StatusLabel: r.StatusLabel(), EvidenceSHA256: r.EvidenceSHA256, Source: r.Source, SubmittedBy: r.SubmittedByName,
		ReviewedBy: r.ReviewedByName, ReviewedAt: r.ReviewedAt, ReviewReason: r.ReviewReason, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt}
	if r.HasEvidence() {
		v.EvidenceURL = "/api/v1/external-trainings/" + strconv.FormatInt(r.ID, 10) + "/evidence"
	}
	return v
}

func (s *Server) apiListExternal(c *fiber.Ctx) error {
	limit, offset, err := queryPage(c, 25)
	if err != nil {
		return err
	}
	f := scoring.ExternalFilter{Status: strings.Clone(c.Query("status")), OPD: strings.Clone(c.Query("opd")),
		NIP: strings.Clone(c.Query("nip")), Q: strings.Clone(c.Query("q")), Queue: c.QueryBool("queue"),
		Limit: limit, Offset: offset}
	list, page, err := s.Scoring.External().List(c.UserContext(), actor(c), f)
	if err != nil {
		return err
	}
	out := make([]externalView, len(list))
	for i := range list {
		out[i] = s.viewExternal(&list[i])
	}
	return pageJSON(c, out, page)
}

func (s *Server) apiGetExternal(c *fiber.Ctx) error {
	id, err := externalID(c)
	if err != nil {
		return err
	}
	r, err := s.Scoring.External().Get(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(s.viewExternal(r))
}

// errNotMultipart answers a submission that is not multipart/form-data.
var errNotMultipart = apperr.Invalid("Kirim sebagai multipart/form-data: kolom data pelatihan dan berkas PDF pada kolom \"evidence\".")

// externalAPIInput reads the multipart fields of a submission. A JP that is not a number is
// reported with the service's messages (parse).
func externalAPIInput(c *fiber.Ctx) (scoring.ExternalInput, map[string]string, error) {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm) {
		return scoring.ExternalInput{}, nil, errNotMultipart
	}
	if _, err := c.MultipartForm(); err != nil {
		return scoring.ExternalInput{}, nil, errNotMultipart
	}
	f := readExternalForm(c)
	in, parse := f.input()
	// The API keeps the level as sent: a level on another kind is an error, not dropped.
	in.Level = f.Level
	return in, parse, nil
}

// withParse adds the parse messages to a service error's fields.
func withParse(err error, parse map[string]string) error {
	if len(parse) == 0 {
		return err
	}
	ae := apperr.As(err)
	if ae.Code != apperr.CodeInvalid {
		return err
	}
	return apperr.Invalid(ae.Message).WithFields(mergeFields(err, parse))
}

func (s *Server) apiSubmitExternal(c *fiber.Ctx) error {
	in, parse, err := externalAPIInput(c)
	if err != nil {
		return err
	}
	file, err := evidenceUpload(c, "evidence")
	if err != nil {
		return err
	}
	if file != nil {
		defer file.Close()
	}
	r, created, err := s.Scoring.External().Submit(c.UserContext(), actor(c), in, orNil(file))
	if err != nil {
		return withParse(err, parse)
	}
	if !created {
		return c.JSON(s.viewExternal(r)) // a retry: the stored record, unchanged
	}
	c.Location("/api/v1/external-trainings/" + strconv.FormatInt(r.ID, 10))
	return c.Status(fiber.StatusCreated).JSON(s.viewExternal(r))
}

func (s *Server) apiResubmitExternal(c *fiber.Ctx) error {
	id, err := externalID(c)
	if err != nil {
		return err
	}
	in, parse, err := externalAPIInput(c)
	if err != nil {
		return err
	}
	file, err := evidenceUpload(c, "evidence")
	if err != nil {
		return err
	}
	if file != nil {
		defer file.Close()
	}
	r, err := s.Scoring.External().Resubmit(c.UserContext(), actor(c), id, in, orNil(file))
	if err != nil {
		return withParse(err, parse)
	}
	return c.JSON(s.viewExternal(r))
}

// externalReviewBody is the body of a decision.
type externalReviewBody struct {
	Decision string `json:"decision"` // recognise or reject
	Reason   string `json:"reason"`
}

func (s *Server) apiReviewExternal(c *fiber.Ctx) error {
	id, err := externalID(c)
	if err != nil {
		return err
	}
	var body externalReviewBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	var recognise bool
	switch body.Decision {
	case "recognise":
		recognise = true
	case "reject":
	default:
		msg := "Keputusan harus \"recognise\" (diakui) atau \"reject\" (ditolak, dengan alasan)."
		return apperr.Invalid(msg).WithFields(map[string]string{"decision": msg})
	}
	r, err := s.Scoring.External().Review(c.UserContext(), actor(c), id, recognise, body.Reason)
	if err != nil {
		return err
	}
	return c.JSON(s.viewExternal(r))
}
