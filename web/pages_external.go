package web

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/scoring"
)

// The pages of the review flow of external development records (routes in
// web/routes_external.go). Handlers parse, call one method of scoring.External and render.

// externalPerPage is the page size of the record lists.
const externalPerPage = 25

// externalAll is the status filter that shows every record to BKPSDM staff, whose list
// opens on the review queue.
const externalAll = "semua"

// externalQuery is a record list's filters and page, as read from the address.
type externalQuery struct {
	Status, OPD, Q string
	Page           int
}

func readExternalQuery(c *fiber.Ctx) externalQuery {
	q := externalQuery{Status: strings.TrimSpace(strings.Clone(c.Query("status"))),
		OPD: strings.TrimSpace(strings.Clone(c.Query("opd"))), Q: strings.TrimSpace(strings.Clone(c.Query("q")))}
	p, err := strconv.Atoi(c.Query("hal", "1"))
	if err != nil || p < 1 || p > 1_000_000 {
		p = 1
	}
	q.Page = p
	return q
}

// url is the list's address with these filters, the status replaced by status and the page
// by page.
func (q externalQuery) url(status string, page int) string {
	v := url.Values{}
	for k, x := range map[string]string{"status": status, "opd": q.OPD, "q": q.Q} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if page > 1 {
		v.Set("hal", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/pelatihan-eksternal"
	}
	return "/pelatihan-eksternal?" + v.Encode()
}

// externalTab is one tab of the status filter.
type externalTab struct {
	Label   string
	N       int64
	URL     string
	Current bool
}

// externalRow is one row of a record list.
type externalRow struct {
	scoring.ExternalTraining
	Waiting string // the queue only: "menunggu 3 hari"
}

func (s *Server) externalList(c *fiber.Ctx) error {
	a := actor(c)
	ctx := c.UserContext()
	x := s.Scoring.External()
	q := readExternalQuery(c)
	bkpsdm := a.Role.IsBKPSDM()
	title := "Pelatihan eksternal"
	switch a.Role {
	case domain.RoleOPD:
		title = "Pelatihan eksternal pegawai OPD"
	case domain.RolePegawai:
		title = "Pelatihan eksternal saya"
	}
	// BKPSDM staff open on the review queue (oldest submission first); everyone else on
	// all their records (newest change first).
	status, queue := q.Status, false
	if bkpsdm && (status == "" || status == scoring.ExternalSubmitted) {
		status, queue = scoring.ExternalSubmitted, true
		title = "Antrean verifikasi pelatihan eksternal"
	}
	if status == externalAll {
		status = ""
	}
	data := fiber.Map{"Query": q, "Heading": title, "BKPSDM": bkpsdm, "Queue": queue,
		"CanSubmit": a.Role == domain.RoleOPD || a.Role == domain.RolePegawai}
	if bkpsdm {
		opds, err := s.Directory.ListOPDs(ctx, a, true)
		if err != nil {
			return err
		}
		data["OPDs"] = opds
	}
	fail := func(err error) error {
		if st, msg, ok := formError(err); ok {
			data["Error"] = msg
			return s.page(c, st, "external_list", title, data)
		}
		return err
	}
	base := scoring.ExternalFilter{OPD: q.OPD, Q: q.Q}
	counts, err := x.Counts(ctx, a, base)
	if err != nil {
		return fail(err)
	}
	var total int64
	var tabs []externalTab
	for _, st := range scoring.ExternalStatuses {
		total += counts[st]
		tabs = append(tabs, externalTab{Label: scoring.ExternalStatusLabel(st), N: counts[st], URL: q.url(st, 1),
			Current: st == status && q.Status != ""})
	}
	if bkpsdm {
		// The queue is the first tab and the list's own address.
		tabs[0].URL, tabs[0].Current = q.url("", 1), queue
		tabs = append(tabs, externalTab{Label: "Semua", N: total, URL: q.url(externalAll, 1), Current: status == ""})
	} else {
		tabs = append([]externalTab{{Label: "Semua", N: total, URL: q.url("", 1), Current: status == ""}}, tabs...)
	}
	data["Tabs"], data["Counts"] = tabs, counts
	f := base
	f.Status, f.Queue, f.Limit, f.Offset = status, queue, externalPerPage, (q.Page-1)*externalPerPage
	list, pg, err := x.List(ctx, a, f)
	if err != nil {
		return fail(err)
	}
	today := domain.DateOf(s.DB.Now().In(wib))
	rows := make([]externalRow, len(list))
	for i, r := range list {
		rows[i] = externalRow{ExternalTraining: r}
		if r.Status == scoring.ExternalSubmitted {
			rows[i].Waiting = waitingLabel(r.UpdatedAt, today)
		}
	}
	data["Rows"], data["Total"] = rows, pg.Total
	if len(list) > 0 {
		data["From"], data["To"] = pg.Offset+1, pg.Offset+len(list)
	}
	if q.Page > 1 {
		data["PrevURL"] = q.url(q.Status, q.Page-1)
	}
	if int64(pg.Offset+len(list)) < pg.Total {
		data["NextURL"] = q.url(q.Status, q.Page+1)
	}
	return s.page(c, fiber.StatusOK, "external_list", title, data)
}

// ---- the form (/pelatihan-eksternal/baru, /pelatihan-eksternal/:id/ajukan-ulang) ----

// externalForm is what the form shows and keeps, as typed, after an error.
type externalForm struct {
	NIP, Kind, Level, Title, JP  string
	StartDate, EndDate           string
	Organizer, CertificateNumber string
}

func readExternalForm(c *fiber.Ctx) externalForm {
	return externalForm{NIP: strings.TrimSpace(formValue(c, "nip")), Kind: strings.TrimSpace(formValue(c, "kind")),
		Level: strings.TrimSpace(formValue(c, "level")), Title: formValue(c, "title"), JP: strings.TrimSpace(formValue(c, "jp")),
		StartDate: strings.TrimSpace(formValue(c, "start_date")), EndDate: strings.TrimSpace(formValue(c, "end_date")),
		Organizer: formValue(c, "organizer"), CertificateNumber: formValue(c, "certificate_number")}
}

// input turns the form into the service's input. Dates and JP that do not parse become zero
// (which the service refuses) and get their own message in parse.
func (f externalForm) input() (scoring.ExternalInput, map[string]string) {
	parse := map[string]string{}
	in := scoring.ExternalInput{NIP: f.NIP, Kind: f.Kind, Level: f.Level, Title: f.Title, Organizer: f.Organizer,
		CertificateNumber: f.CertificateNumber}
	// A level only belongs to leadership training; without JavaScript the select stays
	// visible for other kinds, so a level left there is dropped rather than refused.
	if in.Kind != "kepemimpinan" {
		in.Level = ""
	}
	in.StartDate, in.EndDate, in.JP = formDatesJP(parse, f.StartDate, f.EndDate, f.JP)
	return in, parse
}

func externalFormOf(r *scoring.ExternalTraining) externalForm {
	return externalForm{NIP: r.NIP, Kind: r.Kind, Level: r.Level, Title: r.Title, JP: strconv.Itoa(r.JP),
		StartDate: r.StartDate.String(), EndDate: r.EndDate.String(), Organizer: r.Organizer,
		CertificateNumber: r.CertificateNumber}
}

// externalFormError tells whether err belongs on the form (with the input kept) and with
// which status: invalid input, a duplicate, a file too large, or a NIP the user may not
// submit for (a refusal that names the field).
func externalFormError(err error) (int, string, bool) {
	if st, msg, ok := formError(err); ok {
		return st, msg, true
	}
	if ae := apperr.As(err); ae.Code == apperr.CodeForbidden && ae.Fields["nip"] != "" {
		return statusOf(ae.Code), ae.Message, true
	}
	return 0, "", false
}

// externalFormPage renders the form: a new record (rec nil) or the correction of a
// rejected one.
func (s *Server) externalFormPage(c *fiber.Ctx, status int, rec *scoring.ExternalTraining, f externalForm,
	fields map[string]string, errMsg string) error {
	a := actor(c)
	x := s.Scoring.External()
	if fields == nil {
		fields = map[string]string{}
	}
	data := fiber.Map{"Form": f, "Fields": fields, "Error": errMsg, "KindGroups": kindGroups(), "Levels": domain.LeadershipLevels,
		"Today": x.Today().String(), "MaxEvidence": sizeLabel(x.MaxEvidenceBytes()), "MaxJP": scoring.MaxExternalJP,
		"IsOPD": a.Role == domain.RoleOPD, "R": rec}
	title := "Ajukan riwayat pelatihan eksternal"
	action := "/pelatihan-eksternal/baru"
	if rec != nil {
		title = "Perbaiki dan ajukan ulang"
		action = fmt.Sprintf("/pelatihan-eksternal/%d/ajukan-ulang", rec.ID)
	} else if a.Role == domain.RoleOPD {
		// The NIP field suggests the OPD's own active employees; the service refuses others.
		emps, _, err := s.Directory.ListEmployees(c.UserContext(), a, directory.EmployeeFilter{Limit: pickerLimit})
		if err != nil {
			return err
		}
		var active []domain.Employee
		for _, e := range emps {
			if e.Active {
				active = append(active, e)
			}
		}
		data["Employees"] = active
	}
	data["Action"] = action
	return s.page(c, status, "external_form", title, data)
}

func (s *Server) externalNewForm(c *fiber.Ctx) error {
	return s.externalFormPage(c, fiber.StatusOK, nil, externalForm{}, nil, "")
}

// evidenceUpload opens the form's evidence file ("bukti"); nil when none was chosen. The
// caller closes it.
func evidenceUpload(c *fiber.Ctx, field string) (multipart.File, error) {
	fh, err := c.FormFile(field)
	if err != nil || (fh.Filename == "" && fh.Size == 0) {
		return nil, nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, apperr.Internal(err)
	}
	return f, nil
}

// orNil keeps an interface nil when the file is: a typed nil would look like an upload.
func orNil(f multipart.File) io.Reader {
	if f == nil {
		return nil
	}
	return f
}

func (s *Server) externalCreate(c *fiber.Ctx) error {
	f := readExternalForm(c)
	in, parse := f.input()
	file, err := evidenceUpload(c, "bukti")
	if err != nil {
		return err
	}
	if file != nil {
		defer file.Close()
	}
	rec, created, err := s.Scoring.External().Submit(c.UserContext(), actor(c), in, orNil(file))
	if err != nil {
		if st, msg, ok := externalFormError(err); ok {
			return s.externalFormPage(c, st, nil, f, mergeFields(err, parse), msg)
		}
		return err
	}
	if created {
		s.flash(c, "Riwayat pelatihan diajukan ke BKPSDM. Riwayat dihitung dalam skor IP ASN setelah diakui verifikator.")
	} else {
		s.flash(c, "Riwayat ini sudah diajukan sebelumnya dengan data yang sama; tidak ada yang diubah.")
	}
	return c.Redirect(fmt.Sprintf("/pelatihan-eksternal/%d", rec.ID), fiber.StatusSeeOther)
}

// externalID reads the record id of the address.
func externalID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound("Riwayat pengembangan kompetensi tidak ditemukan.")
	}
	return id, nil
}

// loadResubmittable reads a record the actor may correct and submit again now; retry also
// accepts one already resubmitted (a repeated form, which the service answers unchanged).
func (s *Server) loadResubmittable(c *fiber.Ctx, retry bool) (*scoring.ExternalTraining, error) {
	id, err := externalID(c)
	if err != nil {
		return nil, err
	}
	x := s.Scoring.External()
	rec, err := x.Get(c.UserContext(), actor(c), id)
	if err != nil {
		return nil, err
	}
	if rec.Status != scoring.ExternalRejected && !(retry && rec.Resubmitted()) {
		return nil, apperr.Conflict(fmt.Sprintf("Hanya riwayat yang ditolak yang dapat diperbaiki dan diajukan ulang; riwayat ini berstatus “%s”.",
			rec.StatusLabel()))
	}
	return rec, nil
}

func (s *Server) externalResubmitForm(c *fiber.Ctx) error {
	rec, err := s.loadResubmittable(c, false)
	if err != nil {
		return err
	}
	if !s.Scoring.External().CanResubmit(c.UserContext(), actor(c), rec) {
		return apperr.Forbidden("Riwayat ini hanya dapat diperbaiki oleh pegawai yang bersangkutan atau OPD-nya, setelah ditolak.")
	}
	return s.externalFormPage(c, fiber.StatusOK, rec, externalFormOf(rec), nil, "")
}

func (s *Server) externalResubmit(c *fiber.Ctx) error {
	rec, err := s.loadResubmittable(c, true)
	if err != nil {
		return err
	}
	f := readExternalForm(c)
	in, parse := f.input()
	file, err := evidenceUpload(c, "bukti")
	if err != nil {
		return err
	}
	if file != nil {
		defer file.Close()
	}
	if _, err := s.Scoring.External().Resubmit(c.UserContext(), actor(c), rec.ID, in, orNil(file)); err != nil {
		if st, msg, ok := externalFormError(err); ok {
			return s.externalFormPage(c, st, rec, f, mergeFields(err, parse), msg)
		}
		return err
	}
	s.flash(c, "Perbaikan riwayat diajukan ulang ke BKPSDM untuk diverifikasi.")
	return c.Redirect(fmt.Sprintf("/pelatihan-eksternal/%d", rec.ID), fiber.StatusSeeOther)
}

// ---- detail and review ----

// indicatorLabels name the kompetensi indicators a kind of development feeds.
var indicatorLabels = map[scoring.Indicator]string{
	scoring.IndicatorA: "a — pelatihan kepemimpinan sesuai jabatan",
	scoring.IndicatorB: "b — pelatihan fungsional untuk jabatan fungsional yang diduduki",
	scoring.IndicatorC: "c — pelatihan teknis (akumulasi JP dalam tahun pengukuran)",
	scoring.IndicatorD: "d — seminar, workshop, kursus, magang dan sejenisnya",
}

// externalDetailPage renders a record; extra carries a failed review's message and input.
func (s *Server) externalDetailPage(c *fiber.Ctx, status int, id int64, extra fiber.Map) error {
	a := actor(c)
	ctx := c.UserContext()
	x := s.Scoring.External()
	rec, err := x.Get(ctx, a, id)
	if err != nil {
		return err
	}
	data := fiber.Map{"R": rec, "CanReview": scoring.CanReview(a), "CanResubmit": x.CanResubmit(ctx, a, rec),
		"Indicator": indicatorLabels[x.Indicator(rec.Kind)], "ReviewError": "", "Reason": "", "Decision": ""}
	if sc, err := x.HolderScore(ctx, a, rec); err == nil {
		data["Score"] = sc
	} else if apperr.CodeOf(err) == apperr.CodeInternal {
		return err
	}
	for k, v := range extra {
		data[k] = v
	}
	return s.page(c, status, "external_detail", rec.Title, data)
}

func (s *Server) externalDetail(c *fiber.Ctx) error {
	id, err := externalID(c)
	if err != nil {
		return err
	}
	return s.externalDetailPage(c, fiber.StatusOK, id, nil)
}

// externalReview records a decision: keputusan "akui" (recognise) or "tolak" (reject, with
// alasan). A repeated form changes nothing.
func (s *Server) externalReview(c *fiber.Ctx) error {
	id, err := externalID(c)
	if err != nil {
		return err
	}
	decision, reason := strings.TrimSpace(formValue(c, "keputusan")), formValue(c, "alasan")
	var rec *scoring.ExternalTraining
	switch decision {
	case "akui", "tolak":
		rec, err = s.Scoring.External().Review(c.UserContext(), actor(c), id, decision == "akui", reason)
	default:
		err = apperr.Invalid("Pilih keputusan: akui atau tolak.")
	}
	if err != nil {
		if st, msg, ok := formError(err); ok {
			return s.externalDetailPage(c, st, id, fiber.Map{"Error": msg, "ReviewError": msg, "Reason": reason, "Decision": decision})
		}
		return err
	}
	if rec.Status == scoring.ExternalRecognised {
		s.flash(c, "Riwayat diakui: kini dihitung dalam skor IP ASN pegawai, dan skornya sudah diperbarui.")
	} else {
		s.flash(c, "Riwayat ditolak. Pengaju dapat memperbaiki dan mengajukannya ulang.")
	}
	return c.Redirect(fmt.Sprintf("/pelatihan-eksternal/%d", id), fiber.StatusSeeOther)
}

// externalEvidence sends a record's evidence PDF to those who may see the record (the page
// and the API answer the same bytes and headers).
func (s *Server) externalEvidence(c *fiber.Ctx) error {
	id, err := externalID(c)
	if err != nil {
		return err
	}
	_, f, size, err := s.Scoring.External().Evidence(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, contentDisposition("inline", fmt.Sprintf("bukti-pelatihan-%d.pdf", id)))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.SendStream(f, int(size))
}
