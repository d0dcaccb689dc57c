package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/nip"
	"github.com/sertika/sertika/issuer"
)

// ---- the request form (/usulan/baru, /usulan/:id/ubah) ----

// requestForm is what the request form shows and keeps, as typed, after an error.
type requestForm struct {
	Title, Kind, Level, Organizer, OrganizerName, Place string
	Online                                              bool
	StartDate, EndDate, JP                              string
	JPNote, Objectives, Competencies, BudgetSource      string
	Retroactive                                         bool
	NIPText                                             string   // the pasted NIPs, one per line
	Picked                                              []string // NIPs ticked in the employee list
	Search                                              string   // the employee list's search term
	Version                                             int
}

// pickerLimit is how many of the OPD's employees the form lists at once; more are found by
// searching.
const pickerLimit = 200

func readRequestForm(c *fiber.Ctx) requestForm {
	f := requestForm{Title: formValue(c, "title"), Kind: strings.TrimSpace(formValue(c, "kind")),
		Level: strings.TrimSpace(formValue(c, "level")), Organizer: strings.TrimSpace(formValue(c, "organizer")),
		OrganizerName: formValue(c, "organizer_name"), Place: formValue(c, "place"), Online: c.FormValue("online") != "",
		StartDate: strings.TrimSpace(formValue(c, "start_date")), EndDate: strings.TrimSpace(formValue(c, "end_date")),
		JP: strings.TrimSpace(formValue(c, "jp")), JPNote: formValue(c, "jp_note"), Objectives: formValue(c, "objectives"),
		Competencies: formValue(c, "competencies"), BudgetSource: formValue(c, "budget_source"),
		Retroactive: c.FormValue("retroactive") != "", NIPText: formValue(c, "nip_list"),
		Search: strings.TrimSpace(formValue(c, "cari_pegawai"))}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	for _, v := range c.Context().PostArgs().PeekMulti("peserta") {
		if n := nip.Normalize(string(v)); n != "" && !containsString(f.Picked, n) {
			f.Picked = append(f.Picked, n)
		}
	}
	return f
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// participants joins the ticked employees and the pasted NIPs (one per line; commas and
// semicolons also separate), each NIP once. Pasted values are passed on as typed, so the
// service's message names them the way the user wrote them.
func (f requestForm) participants() []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range f.Picked {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, line := range strings.FieldsFunc(f.NIPText, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' }) {
		raw := strings.TrimSpace(line)
		if raw == "" {
			continue
		}
		if n := nip.Normalize(raw); seen[n] {
			continue
		} else {
			seen[n] = true
		}
		out = append(out, raw)
	}
	return out
}

// input turns the form into the service's input. Dates and JP that do not parse become zero
// (which the service refuses) and get their own message in fields.
func (f requestForm) input() (issuer.RequestInput, map[string]string) {
	fields := map[string]string{}
	in := issuer.RequestInput{Title: f.Title, Kind: f.Kind, Level: f.Level, Organizer: f.Organizer, OrganizerName: f.OrganizerName,
		Place: f.Place, Online: f.Online, JPNote: f.JPNote, Objectives: f.Objectives, Competencies: f.Competencies,
		BudgetSource: f.BudgetSource, Retroactive: f.Retroactive, Participants: f.participants(), Version: f.Version}
	// A level only belongs to leadership training; without JavaScript the select stays visible
	// for other kinds, so a level left there is dropped rather than refused.
	if in.Kind != "kepemimpinan" {
		in.Level = ""
	}
	in.StartDate, in.EndDate, in.JP = formDatesJP(fields, f.StartDate, f.EndDate, f.JP)
	return in, fields
}

// formOf fills the form from a stored request (the edit form's first view).
func formOf(d *issuer.Detail) requestForm {
	r := d.Request
	f := requestForm{Title: r.Title, Kind: r.Kind, Level: r.Level, Organizer: r.OrganizerType, OrganizerName: r.OrganizerName,
		Place: r.Place, Online: r.Online, StartDate: r.StartDate.String(), EndDate: r.EndDate.String(), JP: strconv.Itoa(r.JP),
		JPNote: r.JPNote, Objectives: r.Objectives, Competencies: r.Competencies, BudgetSource: r.BudgetSource,
		Retroactive: r.Retroactive, Version: r.Version}
	for _, p := range d.Participants {
		if p.Employee != nil && !p.Dropped {
			f.Picked = append(f.Picked, p.Employee.NIP)
		}
	}
	return f
}

// pickRow is one employee in the form's pick list.
type pickRow struct {
	NIP, Name, Position string
	Checked             bool
}

// requestFormPage renders the request form. id is 0 for a new request; known names
// employees the pick list may need beyond the current search (the stored participants).
func (s *Server) requestFormPage(c *fiber.Ctx, status int, id int64, f requestForm, fields map[string]string, errMsg string,
	known map[string]string) error {
	a := actor(c)
	ctx := c.UserContext()
	if fields == nil {
		fields = map[string]string{}
	}
	if known == nil {
		known = map[string]string{}
	}
	data := fiber.Map{"Form": f, "Fields": fields, "Error": errMsg, "ID": id, "New": id == 0, "KindGroups": kindGroups(),
		"Levels": domain.LeadershipLevels, "Organizers": issuer.OrganizerTypes, "MaxJPPerDay": issuer.MaxJPPerDay,
		"RetroactiveYears": issuer.RetroactiveYears}
	if k, ok := domain.KindByCode(f.Kind); ok {
		data["Classroom"], data["KindKnown"] = k.Classroom, true
	}
	emps, pg, err := s.Directory.ListEmployees(ctx, a, directory.EmployeeFilter{Q: f.Search, Limit: pickerLimit})
	if err != nil {
		if _, msg, ok := formError(err); ok {
			data["SearchError"] = msg
		} else {
			return err
		}
	}
	picked := map[string]bool{}
	for _, n := range f.Picked {
		picked[n] = true
	}
	listed := map[string]bool{}
	var rows []pickRow
	for _, e := range emps {
		if e.Active {
			listed[e.NIP] = true
			known[e.NIP] = e.FullName()
			rows = append(rows, pickRow{NIP: e.NIP, Name: e.FullName(), Position: e.Position, Checked: picked[e.NIP]})
		}
	}
	// Ticked employees outside the current search stay on the list (first), ticked, so a
	// search never drops a choice.
	var missing []string
	for _, n := range f.Picked {
		if !listed[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 && f.Search != "" {
		all, _, err := s.Directory.ListEmployees(ctx, a, directory.EmployeeFilter{Limit: pickerLimit})
		if err == nil {
			for _, e := range all {
				known[e.NIP] = e.FullName()
			}
		}
	}
	var head []pickRow
	for _, n := range missing {
		head = append(head, pickRow{NIP: n, Name: known[n], Checked: true})
	}
	data["Pick"] = append(head, rows...)
	data["PickTotal"], data["PickShown"] = pg.Total, len(emps)
	title := "Buat usulan"
	if id != 0 {
		title = "Ubah usulan"
	}
	return s.page(c, status, "request_form", title, data)
}

func (s *Server) requestNewForm(c *fiber.Ctx) error {
	return s.requestFormPage(c, fiber.StatusOK, 0, requestForm{Organizer: "opd"}, nil, "", nil)
}

// wantsSearch tells whether the form was sent by its employee search button rather than to
// be saved.
func wantsSearch(c *fiber.Ctx) bool { return c.FormValue("aksi") == "cari" }

// mergeFields puts the service's field messages and the form's own parse messages together
// (the parse message wins: it says what is wrong with what was typed).
func mergeFields(err error, parse map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range apperr.As(err).Fields {
		out[k] = v
	}
	for k, v := range parse {
		out[k] = v
	}
	return out
}

func (s *Server) requestCreate(c *fiber.Ctx) error {
	f := readRequestForm(c)
	if wantsSearch(c) {
		return s.requestFormPage(c, fiber.StatusOK, 0, f, nil, "", nil)
	}
	in, parse := f.input()
	d, err := s.Requests.Create(c.UserContext(), actor(c), in)
	if err != nil {
		if status, msg, ok := formError(err); ok {
			return s.requestFormPage(c, status, 0, f, mergeFields(err, parse), msg, nil)
		}
		return err
	}
	s.flash(c, "Usulan disimpan sebagai draf. Lampirkan dokumen pendukung, lalu ajukan ke BKPSDM.")
	return c.Redirect(fmt.Sprintf("/usulan/%d", d.Request.ID), fiber.StatusSeeOther)
}

// errNotEditable answers the edit form of a request that may no longer be changed.
func errNotEditable(st issuer.State) error {
	return apperr.Conflict(fmt.Sprintf("Usulan berstatus “%s” tidak dapat diubah. Hanya usulan berstatus draf atau "+
		"dikembalikan untuk perbaikan yang dapat diubah oleh OPD pengusul.", st.Label()))
}

// storedNames maps the NIPs of a request's participants to their names.
func storedNames(d *issuer.Detail) map[string]string {
	out := map[string]string{}
	for _, p := range d.Participants {
		if p.Employee != nil {
			out[p.Employee.NIP] = p.Employee.FullName()
		}
	}
	return out
}

func (s *Server) requestEditForm(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.Requests.Get(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	if !d.Can(issuer.ActionUpdate) {
		return errNotEditable(d.Request.State)
	}
	return s.requestFormPage(c, fiber.StatusOK, id, formOf(d), nil, "", storedNames(d))
}

func (s *Server) requestUpdate(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	a := actor(c)
	// Reading first refuses another OPD's request (403) before anything else, and gives the
	// pick list the stored participants' names.
	d, err := s.Requests.Get(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	f := readRequestForm(c)
	if wantsSearch(c) {
		return s.requestFormPage(c, fiber.StatusOK, id, f, nil, "", storedNames(d))
	}
	in, parse := f.input()
	if _, err := s.Requests.Update(c.UserContext(), a, id, in); err != nil {
		if status, msg, ok := formError(err); ok {
			return s.requestFormPage(c, status, id, f, mergeFields(err, parse), msg, storedNames(d))
		}
		return err
	}
	s.flash(c, "Perubahan usulan disimpan.")
	return c.Redirect(fmt.Sprintf("/usulan/%d", id), fiber.StatusSeeOther)
}

// ---- the realisation report (/usulan/:id/laporan) ----

// reportRowForm is one participant row of the report form.
type reportRowForm struct {
	NIP, Name, Position       string
	Listed                    bool // a participant already on the request (not typed in)
	Planned                   bool // in the approved plan
	Attended, Passed, Dropped bool
	JP, Score, Reason         string
	Index                     int
}

// extraReportRows is how many empty rows the form offers for participants not in the plan.
const extraReportRows = 3

// reportRows lists the request's participants for the form's first view: an earlier
// (returned) report's answers, or attended and passed with the approved JP.
func reportRows(d *issuer.Detail) []reportRowForm {
	var rows []reportRowForm
	for _, p := range d.Participants {
		if p.Employee == nil {
			continue
		}
		r := reportRowForm{NIP: p.Employee.NIP, Name: p.Employee.FullName(), Position: p.Employee.Position, Listed: true,
			Planned: p.Planned, Attended: true, Passed: true, JP: strconv.Itoa(d.Request.JP), Dropped: p.Dropped,
			Reason: p.ChangeReason, Score: p.Score}
		if p.Attended != nil {
			r.Attended = *p.Attended
			r.Passed = p.Passed != nil && *p.Passed
			if p.JPActual != nil {
				r.JP = strconv.Itoa(*p.JPActual)
			}
		}
		if p.Dropped {
			r.Attended, r.Passed = false, false
		}
		rows = append(rows, r)
	}
	return rows
}

func (s *Server) reportFormPage(c *fiber.Ctx, status int, d *issuer.Detail, rows []reportRowForm, note, errMsg string) error {
	empty := 0
	for _, r := range rows {
		if !r.Listed && r.NIP == "" {
			empty++
		}
	}
	for ; empty < extraReportRows; empty++ {
		rows = append(rows, reportRowForm{Attended: true, Passed: true})
	}
	for i := range rows {
		rows[i].Index = i
	}
	return s.page(c, status, "request_report", "Laporan realisasi", fiber.Map{"D": d, "R": d.Request, "Rows": rows,
		"Note": note, "Error": errMsg, "ReturnNote": lastNote(d, issuer.ActionReportReturn)})
}

// loadReportable reads a request whose report the actor may write now.
func (s *Server) loadReportable(c *fiber.Ctx) (*issuer.Detail, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, err
	}
	d, err := s.Requests.Get(c.UserContext(), actor(c), id)
	if err != nil {
		return nil, err
	}
	if !d.Can(issuer.ActionReport) {
		return nil, apperr.Conflict(fmt.Sprintf("Laporan realisasi belum atau tidak lagi dapat diisi: usulan berstatus “%s”. "+
			"Laporan diisi setelah usulan disetujui, atau setelah laporan dikembalikan untuk perbaikan.", d.Request.State.Label()))
	}
	return d, nil
}

func (s *Server) reportForm(c *fiber.Ctx) error {
	d, err := s.loadReportable(c)
	if err != nil {
		return err
	}
	return s.reportFormPage(c, fiber.StatusOK, d, reportRows(d), d.Request.ReportNote, "")
}

// maxReportRows bounds the rows read from a report form.
const maxReportRows = issuer.MaxParticipants + 50

func (s *Server) reportSubmit(c *fiber.Ctx) error {
	d, err := s.loadReportable(c)
	if err != nil {
		return err
	}
	names := map[string]reportRowForm{}
	for _, r := range reportRows(d) {
		names[r.NIP] = r
	}
	n, _ := strconv.Atoi(c.FormValue("rows"))
	n = min(max(n, 0), maxReportRows)
	var rows []reportRowForm
	var in issuer.ReportInput
	var problems []string
	for i := 0; i < n; i++ {
		key := func(name string) string { return name + "_" + strconv.Itoa(i) }
		r := reportRowForm{NIP: strings.TrimSpace(formValue(c, key("nip"))), Attended: c.FormValue(key("hadir")) != "",
			Passed: c.FormValue(key("lulus")) != "", Dropped: c.FormValue(key("batal")) != "",
			JP: strings.TrimSpace(formValue(c, key("jp"))), Score: strings.TrimSpace(formValue(c, key("nilai"))),
			Reason: formValue(c, key("alasan"))}
		if known, ok := names[nip.Normalize(r.NIP)]; ok && c.FormValue(key("tercantum")) != "" {
			r.Name, r.Position, r.Listed, r.Planned = known.Name, known.Position, true, known.Planned
		}
		rows = append(rows, r)
		if r.NIP == "" {
			continue
		}
		row := issuer.ReportRow{NIP: r.NIP, Attended: r.Attended, Passed: r.Passed, Score: r.Score, Dropped: r.Dropped, Reason: r.Reason}
		if r.JP != "" {
			jp, err := strconv.Atoi(r.JP)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: JP realisasi harus berupa bilangan bulat", r.NIP))
				continue
			}
			row.JP = &jp
		}
		in.Participants = append(in.Participants, row)
	}
	in.Note = formValue(c, "catatan")
	if len(problems) > 0 {
		err = apperr.Invalid("Laporan tidak sah: " + strings.Join(problems, "; ") + ".")
	} else {
		_, err = s.Requests.SubmitReport(c.UserContext(), actor(c), d.Request.ID, in)
	}
	if err != nil {
		if status, msg, ok := formError(err); ok {
			return s.reportFormPage(c, status, d, rows, in.Note, msg)
		}
		return err
	}
	s.flash(c, "Laporan realisasi dikirim ke BKPSDM untuk diverifikasi.")
	return c.Redirect(fmt.Sprintf("/usulan/%d", d.Request.ID), fiber.StatusSeeOther)
}
