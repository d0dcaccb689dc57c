package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/jobs"
	"github.com/sertika/sertika/issuer"
)

// routesCertificatePages registers the certificate pages: the issuance page of a verified
// request (checks, then sign), the certificate list and search, a certificate's detail page
// with its history, the downloads, and the signer's revoke and re-issue forms. As for the
// workflow pages, requireRole only steers navigation; the issuance service checks role,
// four eyes and visibility again on every call (an opd user sees the certificates of its
// OPD's requests, a pegawai only their own).
//
//	GET  /usulan/:id/sertifikat                 signed in (who may see the request); ?periksa=1 runs the checks (signer);
//	                                            ?tugas=ID shows the outcome of the signing job ID
//	POST /usulan/:id/sertifikat                 penandatangan (checks, then signs the batch in a background job)
//	GET  /usulan/:id/sertifikat.zip             signed in (the certificates they may see, streamed)
//	POST /usulan/:id/sertifikat.zip             signed in (the same ZIP built by a background job, then downloaded)
//	GET  /sertifikat                            signed in (scoped by the service; "Sertifikat saya" for pegawai)
//	GET  /sertifikat/:cid, /pdf, /qr.png        signed in (scoped by the service)
//	POST /sertifikat/:cid/cabut                 penandatangan
//	POST /sertifikat/:cid/terbitkan-ulang       penandatangan
func (s *Server) routesCertificatePages() {
	app := s.App
	signer := requireRole(domain.RolePenandatangan)

	app.Get("/usulan/:id/sertifikat", requireLogin, s.issuancePage)
	app.Post("/usulan/:id/sertifikat", signer, s.issuanceSign)
	// The downloads answer the same bytes and headers as the API's (web/api_certificates.go):
	// those handlers only use the signed-in actor.
	app.Get("/usulan/:id/sertifikat.zip", requireLogin, s.apiCertificatesZip)
	app.Post("/usulan/:id/sertifikat.zip", requireLogin, s.certificatesZipJob)

	app.Get("/sertifikat", requireLogin, s.certificateList)
	app.Get("/sertifikat/:cid", requireLogin, s.certificateDetail)
	app.Get("/sertifikat/:cid/pdf", requireLogin, s.apiCertificatePDF)
	app.Get("/sertifikat/:cid/qr.png", requireLogin, s.apiCertificateQR)
	app.Post("/sertifikat/:cid/cabut", signer, s.certificateRevoke)
	app.Post("/sertifikat/:cid/terbitkan-ulang", signer, s.certificateReissue)
}

// ---- the issuance page of a request ----

// issuanceRow is one eligible participant on the issuance page, with their certificate once
// issued (the valid one, else the newest revoked one).
type issuanceRow struct {
	Name, NIP, Position, JP string
	Cert                    *issuer.Certificate
}

// findingView is one pre-issuance finding as the page shows it.
type findingView struct {
	Check, Who, NIP, Message string
}

// checkLabels name the pre-issuance checks (issuer.Finding.Check) for people.
var checkLabels = map[string]string{
	"agency":       "Data instansi",
	"participants": "Peserta",
	"dates":        "Tanggal kegiatan",
	"nip":          "NIP",
	"employee":     "Status pegawai",
	"outcome":      "Hadir dan lulus",
	"jp":           "JP realisasi",
	"qr":           "Kode QR",
}

func findingViews(fs []issuer.Finding) []findingView {
	out := make([]findingView, len(fs))
	for i, f := range fs {
		label := checkLabels[f.Check]
		if label == "" {
			label = f.Check
		}
		who := "Seluruh batch"
		if f.NIP != "" {
			who = f.Name
		}
		out[i] = findingView{Check: label, Who: who, NIP: f.NIP, Message: f.Message}
	}
	return out
}

// requestCertificates returns every certificate of a request the actor may see (valid and
// revoked), newest first, reading all pages.
func (s *Server) requestCertificates(c *fiber.Ctx, id int64) ([]issuer.Certificate, error) {
	var all []issuer.Certificate
	for {
		list, pg, err := s.Issuance.List(c.UserContext(), actor(c), issuer.CertFilter{RequestID: id, Limit: 500, Offset: len(all)})
		if err != nil {
			return nil, err
		}
		all = append(all, list...)
		if len(list) == 0 || int64(len(all)) >= pg.Total {
			return all, nil
		}
	}
}

// issuancePageData renders the issuance page with status; extra carries the outcome of a
// check or of a refused signing.
func (s *Server) issuancePageData(c *fiber.Ctx, status int, id int64, extra fiber.Map) error {
	a := actor(c)
	d, err := s.Requests.Get(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	r := d.Request
	certs, err := s.requestCertificates(c, id)
	if err != nil {
		return err
	}
	byEmployee := map[int64]*issuer.Certificate{}
	valid := 0
	for i := range certs {
		cert := &certs[i]
		if cert.State == issuer.CertValid {
			valid++
		}
		// Newest first: keep the first seen, unless a valid one comes later.
		if cur, ok := byEmployee[cert.EmployeeID]; !ok || (cur.State != issuer.CertValid && cert.State == issuer.CertValid) {
			byEmployee[cert.EmployeeID] = cert
		}
	}
	var rows []issuanceRow
	pending := 0
	for _, p := range d.Participants {
		if !p.Eligible() || p.Employee == nil {
			continue
		}
		row := issuanceRow{Name: p.Employee.FullName(), NIP: p.Employee.NIP, Position: p.Employee.Position, Cert: byEmployee[p.EmployeeID]}
		if p.JPActual != nil {
			row.JP = strconv.Itoa(*p.JPActual)
		}
		if row.Cert == nil {
			pending++
		}
		// An employee sees only their own row: the others' names are not theirs to list.
		if a.Role == domain.RolePegawai && row.NIP != a.NIP {
			continue
		}
		rows = append(rows, row)
	}
	verified := r.State == issuer.StateVerified
	signer := a.Role == domain.RolePenandatangan
	fourEyes := signer && r.ReportVerifiedBy != nil && *r.ReportVerifiedBy == a.UserID
	data := fiber.Map{"R": r, "Rows": rows, "Valid": valid, "Issued": len(certs), "Pending": pending,
		"Verified": verified, "Signer": signer, "FourEyes": fourEyes,
		"CanSign": signer && verified && pending > 0 && !fourEyes}
	for k, v := range extra {
		data[k] = v
	}
	return s.page(c, status, "certificate_issue", "Sertifikat: "+r.Title, data)
}

// issuancePage shows the request's eligible participants and certificates; for the signer
// with ?periksa=1 it runs the pre-issuance checks (nothing is written) and, when they pass,
// offers the signing form. ?tugas=ID, where a signing job sends the signer back, shows
// the job's outcome (and, when it failed, the checks again: a batch refused by findings
// that appeared after the first check lists every one of them here).
func (s *Server) issuancePage(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	a := actor(c)
	extra := fiber.Map{}
	check := c.Query("periksa") != ""
	if jobID := c.Query("tugas"); jobID != "" {
		snap, err := s.Jobs.Get(a, jobID)
		if err == nil && snap.Kind == jobKindIssue && strings.HasPrefix(snap.URL, issuancePath(id)+"?") {
			switch snap.State {
			case jobs.Done:
				extra["Notice"] = snap.Message
			case jobs.Failed:
				extra["Error"] = snap.Error
				check = true
			default:
				extra["Running"] = "/tugas/" + snap.ID
			}
		}
	}
	if check && a.Role == domain.RolePenandatangan {
		findings, err := s.Issuance.Check(c.UserContext(), a, id)
		switch {
		case err == nil:
			extra["Checked"], extra["Findings"] = true, findingViews(findings)
		case apperr.CodeOf(err) == apperr.CodeConflict || apperr.CodeOf(err) == apperr.CodeForbidden:
			// Not verified, or four eyes: the page explains it; the check has nothing to add.
			if extra["Error"] == nil {
				extra["Error"] = apperr.As(err).Message
			}
		default:
			return err
		}
	}
	return s.issuancePageData(c, fiber.StatusOK, id, extra)
}

// errNoIssueConfirm answers the signing form sent without its confirmation box ticked.
var errNoIssueConfirm = apperr.Invalid("Centang pernyataan bahwa data sertifikat sudah Anda periksa sebelum menandatangani.")

// issuancePath is the issuance page of request id.
func issuancePath(id int64) string { return "/usulan/" + strconv.FormatInt(id, 10) + "/sertifikat" }

// issuanceSign checks the batch and, when nothing stands in the way, signs it in a
// background job (startIssueJob) and sends the signer to the job's progress page, which
// leads back to this page with the outcome. A batch with findings is refused at once, on
// this page, with every finding and nothing written; four eyes come back as 403 with the
// explanation. A second click while the batch is being signed finds the same job.
func (s *Server) issuanceSign(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	if c.FormValue("konfirmasi") != "ya" {
		return s.issuancePageData(c, fiber.StatusBadRequest, id, fiber.Map{"Error": errNoIssueConfirm.Message,
			"ConfirmError": errNoIssueConfirm.Message, "Checked": true})
	}
	err = s.checkThenIssue(c, id)
	if err == nil {
		return nil
	}
	var refused *issuer.RefusedError
	if errors.As(err, &refused) {
		return s.issuancePageData(c, fiber.StatusBadRequest, id, fiber.Map{"Refused": true, "Checked": true,
			"Findings": findingViews(refused.Findings),
			"Error":    fmt.Sprintf("Penerbitan ditolak: %d temuan. Tidak ada sertifikat yang diterbitkan.", len(refused.Findings))})
	}
	switch ae := apperr.As(err); ae.Code {
	case apperr.CodeInvalid, apperr.CodeConflict, apperr.CodeForbidden:
		return s.issuancePageData(c, statusOf(ae.Code), id, fiber.Map{"Error": ae.Message})
	}
	return err
}

// checkThenIssue runs the pre-issuance checks of request id and, when they pass, starts the
// signing job and answers with it (a redirect to its progress page, or 202 through the
// API). When they find something, Issue is called at once: it refuses the batch under the
// request's lock, records the refusal in the issuance log and answers the findings (or, if
// they were fixed in between, issues the batch there and then, answered as a job would be).
func (s *Server) checkThenIssue(c *fiber.Ctx, id int64) error {
	a := actor(c)
	findings, err := s.Issuance.Check(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	if len(findings) == 0 {
		return s.startIssueJob(c, id)
	}
	b, err := s.Issuance.Issue(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	if isAPI(c) {
		return s.answerIssued(c, b)
	}
	s.flash(c, issuedMessage(b))
	return c.Redirect(issuancePath(id), fiber.StatusSeeOther)
}

// jobKindIssue is the kind of the signing jobs; their key is issueJobKey.
const jobKindIssue = "issue"

// issueJobKey is the key of request id's signing job: one at a time per request, whoever
// starts it.
func issueJobKey(id int64) string { return "issue:" + strconv.FormatInt(id, 10) }

// issuePhases name the phases of issuance (issuer.Phase…) on the progress page.
var issuePhases = map[string]string{
	issuer.PhaseChecks:  "Memeriksa data peserta",
	issuer.PhaseSigning: "Menandatangani sertifikat",
	issuer.PhaseStoring: "Menyimpan sertifikat",
	issuer.PhaseLog:     "Mencatat log penerbitan",
	issuer.PhaseScores:  "Memperbarui skor IP ASN pemegang",
}

// issuedMessage says what a batch did.
func issuedMessage(b *issuer.Batch) string {
	if b.Issued > 0 {
		return fmt.Sprintf("%s sertifikat ditandatangani dan diterbitkan.", thousands(b.Issued))
	}
	return "Semua sertifikat usulan ini sudah diterbitkan sebelumnya; tidak ada yang diterbitkan dua kali."
}

// startIssueJob signs request id's batch in a background job (Issuance.IssueWith, its
// phases as the job's progress) and answers with the job. The job's address onward is the
// issuance page with the outcome (for the API: the request's certificates). A job already
// signing the request is answered instead of a second one; when it is another signer's, the
// caller is told so (409), since its progress page is not theirs to see.
func (s *Server) startIssueJob(c *fiber.Ctx, id int64) error {
	a := actor(c)
	onward := func(jobID string) string { return issuancePath(id) + "?tugas=" + jobID }
	if isAPI(c) {
		onward = func(string) string { return fmt.Sprintf("/api/v1/certificates?request=%d", id) }
	}
	title := fmt.Sprintf("Penerbitan sertifikat usulan nomor %d", id)
	snap, started, err := s.Jobs.Start(a, issueJobKey(id), jobKindIssue, title, func(ctx context.Context, p *jobs.Progress) (jobs.Result, error) {
		res := jobs.Result{URL: onward(p.ID())}
		b, err := s.Issuance.IssueWith(ctx, a, id, issuer.IssueOptions{Progress: func(phase string, done, total int) {
			if done == 0 {
				p.Phase(issuePhases[phase], int64(total))
				return
			}
			p.Update(int64(done), int64(total))
		}})
		if err != nil {
			return res, err
		}
		res.Message = issuedMessage(b)
		return res, nil
	})
	if err != nil {
		return err
	}
	if !started && snap.OwnerID != a.UserID {
		return apperr.Conflict("Sertifikat usulan ini sedang ditandatangani oleh penandatangan lain. Muat ulang halaman ini sebentar lagi.")
	}
	return s.answerJob(c, snap)
}

// ---- all PDFs of a request in one ZIP, built in the background ----

// certificatesZipJob builds the ZIP of a request's certificates (those the user may see) in
// a background job and sends the user to its progress page, from which the ZIP is
// downloaded. One job per request and user runs at a time; a request without any
// certificate the user may see answers 404 at once.
func (s *Server) certificatesZipJob(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	a := actor(c)
	_, pg, err := s.Issuance.List(c.UserContext(), a, issuer.CertFilter{RequestID: id, State: issuer.CertValid, Limit: 1})
	if err != nil {
		return err
	}
	if pg.Total == 0 {
		return errNoCertificates
	}
	key := fmt.Sprintf("zip:%d:%d", id, a.UserID)
	title := fmt.Sprintf("Unduh semua PDF sertifikat usulan nomor %d", id)
	return s.startJob(c, key, "zip", title, func(ctx context.Context, p *jobs.Progress) (jobs.Result, error) {
		return s.buildCertificatesZip(ctx, a, id, p)
	})
}

// fileSize says a file's size for people: KB below a megabyte, MB above.
func fileSize(n int64) string {
	if n < 1<<20 {
		return thousands(max(1, n>>10)) + " KB"
	}
	return thousands(n>>20) + " MB"
}

// errNoCertificates answers a ZIP of a request without certificates (that the user may see).
var errNoCertificates = apperr.NotFound("Belum ada sertifikat untuk usulan ini.")

// buildCertificatesZip renders the PDFs of request id's valid certificates that a may see
// into a temporary ZIP file (issuer.WriteZip: every core, deterministic bytes) and hands it
// to the job registry, which offers it for download and removes it when the job expires. A
// failed or interrupted run removes its file.
func (s *Server) buildCertificatesZip(ctx context.Context, a domain.Actor, id int64, p *jobs.Progress) (res jobs.Result, err error) {
	p.Phase("Membaca daftar sertifikat", 0)
	certs, err := s.Issuance.ListAll(ctx, a, issuer.CertFilter{RequestID: id, State: issuer.CertValid})
	if err != nil {
		return res, err
	}
	if len(certs) == 0 {
		return res, errNoCertificates
	}
	ag, err := s.Directory.GetAgency(ctx)
	if err != nil {
		return res, err
	}
	f, err := os.CreateTemp("", "sertika-zip-*.zip")
	if err != nil {
		return res, apperr.Internal(err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	p.Phase("Menyusun PDF", int64(len(certs)))
	err = issuer.WriteZip(ctx, bw, certs, func(c *issuer.Certificate) ([]byte, error) {
		return s.Certificates.Render(s.Issuance.PDFData(c, ag))
	}, p.Func())
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return res, apperr.Internal(fmt.Errorf("build certificate zip: %w", err))
	}
	st, err := f.Stat()
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		return res, apperr.Internal(err)
	}
	return jobs.Result{
		Message:  fmt.Sprintf("%s PDF sertifikat siap diunduh dalam satu berkas ZIP (%s).", thousands(len(certs)), fileSize(st.Size())),
		URL:      issuancePath(id),
		File:     f.Name(),
		FileName: fmt.Sprintf("sertifikat-usulan-%d.zip", id), ContentType: "application/zip",
	}, nil
}

// ---- the list ----

// certificatesPerPage is the page size of the certificate list.
const certificatesPerPage = 25

// certStates map the list's state filter (Indonesian, in the address) to the service's.
var certStates = map[string]string{"berlaku": issuer.CertValid, "dicabut": issuer.CertRevoked}

// certQuery is the list's filters and page, as read from the address.
type certQuery struct {
	Q, OPD, Year, State string
	Page                int
}

func readCertQuery(c *fiber.Ctx) certQuery {
	q := certQuery{Q: strings.TrimSpace(strings.Clone(c.Query("q"))), OPD: strings.TrimSpace(strings.Clone(c.Query("opd"))),
		Year: strings.TrimSpace(strings.Clone(c.Query("tahun"))), State: strings.TrimSpace(strings.Clone(c.Query("status")))}
	p, err := strconv.Atoi(c.Query("hal", "1"))
	if err != nil || p < 1 || p > 1_000_000 {
		p = 1
	}
	q.Page = p
	return q
}

// url is the list's address with these filters on page.
func (q certQuery) url(page int) string {
	v := url.Values{}
	for k, x := range map[string]string{"q": q.Q, "opd": q.OPD, "tahun": q.Year, "status": q.State} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if page > 1 {
		v.Set("hal", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/sertifikat"
	}
	return "/sertifikat?" + v.Encode()
}

// filter turns the query into the service's filter, or a message for the form.
func (q certQuery) filter() (issuer.CertFilter, string) {
	f := issuer.CertFilter{Q: q.Q, OPD: q.OPD, Limit: certificatesPerPage, Offset: (q.Page - 1) * certificatesPerPage}
	if q.Year != "" {
		y, err := strconv.Atoi(q.Year)
		if err != nil || y < 2000 || y > 2999 {
			return f, "Tahun harus empat angka, misalnya 2026."
		}
		f.Year = y
	}
	if q.State != "" {
		st, ok := certStates[q.State]
		if !ok {
			return f, "Status harus berlaku atau dicabut."
		}
		f.State = st
	}
	return f, ""
}

func (s *Server) certificateList(c *fiber.Ctx) error {
	a := actor(c)
	ctx := c.UserContext()
	q := readCertQuery(c)
	title := "Sertifikat"
	switch a.Role {
	case domain.RolePegawai:
		title = "Sertifikat saya"
	case domain.RoleOPD:
		title = "Sertifikat pegawai OPD"
	}
	data := fiber.Map{"Heading": title, "Query": q}
	if a.Role.IsBKPSDM() {
		opds, err := s.Directory.ListOPDs(ctx, a, true)
		if err != nil {
			return err
		}
		data["OPDs"] = opds
		if a.Role == domain.RolePenandatangan {
			ready, n, err := s.Issuance.ReadyToSign(ctx, a, 20)
			if err != nil {
				return err
			}
			data["Ready"], data["ReadyTotal"] = ready, n
		}
	}
	f, msg := q.filter()
	if msg != "" {
		data["Error"] = msg
		return s.page(c, fiber.StatusBadRequest, "certificate_list", title, data)
	}
	list, pg, err := s.Issuance.List(ctx, a, f)
	if err != nil {
		if status, msg, ok := formError(err); ok {
			data["Error"] = msg
			return s.page(c, status, "certificate_list", title, data)
		}
		return err
	}
	data["Certs"], data["Total"] = list, pg.Total
	if len(list) > 0 {
		data["From"], data["To"] = pg.Offset+1, pg.Offset+len(list)
	}
	if q.Page > 1 {
		data["PrevURL"] = q.url(q.Page - 1)
	}
	if int64(pg.Offset+len(list)) < pg.Total {
		data["NextURL"] = q.url(q.Page + 1)
	}
	data["Filtered"] = q.Q != "" || q.OPD != "" || q.Year != "" || q.State != ""
	return s.page(c, fiber.StatusOK, "certificate_list", title, data)
}
