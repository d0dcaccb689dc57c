package web

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/jobs"
	"github.com/sertika/sertika/scoring"
)

// Rescoring every employee from the browser (issue 6): the administrator's counterpart of
// `sertika rescore`. The work runs as a background job (internal/jobs) under the key
// "rescore:<year>", so a second click — or a second administrator — is shown the run
// already under way instead of starting another. scoring.Store.RescoreAllAs checks the role
// again and writes the audit entry.
//
//	GET  /skor/hitung-ulang        the form: year, force, what it does (admin)
//	POST /skor/hitung-ulang        start → 303 /tugas/{id} (admin)
//	POST /api/v1/rescore           {"year":2026,"force":false} → 202 with the job (admin)

// routesRescorePages registers the rescore form.
func (s *Server) routesRescorePages() {
	admin := requireRole(domain.RoleAdmin)
	s.App.Get("/skor/hitung-ulang", admin, s.rescoreForm)
	s.App.Post("/skor/hitung-ulang", admin, s.rescoreStart)
}

// routesRescoreAPI registers the rescore endpoint of the JSON API.
func (s *Server) routesRescoreAPI(api fiber.Router) {
	api.Post("/rescore", s.bearerAuth, requireRole(domain.RoleAdmin), s.apiRescore)
}

// rescoreFormPage renders the form with the year's coverage; errMsg, when set, explains
// why the last submission was refused.
func (s *Server) rescoreFormPage(c *fiber.Ctx, status int, year string, force bool, errMsg string) error {
	data := fiber.Map{"Year": year, "Force": force, "Error": errMsg, "Min": scoring.MinRescoreYear, "Max": scoring.MaxRescoreYear}
	y, err := strconv.Atoi(year)
	if err != nil || scoring.CheckRescoreYear(y) != nil {
		y = 0
	}
	if cv, err := s.Scoring.RescoreCoverage(c.UserContext(), y); err == nil {
		data["Coverage"] = cv
		data["Missing"] = cv.Active - cv.Scored
	} else if apperr.CodeOf(err) == apperr.CodeInternal {
		return err
	}
	// A run under way (for any year) is offered rather than hidden.
	for _, j := range s.Jobs.List(actor(c)) {
		if j.Kind == rescoreJobKind && j.State == jobs.Running {
			data["Running"] = j
			break
		}
	}
	return s.page(c, status, "rescore", "Hitung ulang semua skor", data)
}

func (s *Server) rescoreForm(c *fiber.Ctx) error {
	year := strings.TrimSpace(c.Query("tahun"))
	if year == "" {
		year = strconv.Itoa(s.Scoring.CurrentYear())
	}
	return s.rescoreFormPage(c, fiber.StatusOK, year, false, "")
}

func (s *Server) rescoreStart(c *fiber.Ctx) error {
	raw := strings.TrimSpace(formValue(c, "tahun"))
	force := c.FormValue("paksa") != ""
	year, err := parseRescoreYear(raw)
	if err != nil {
		return s.rescoreFormPage(c, fiber.StatusBadRequest, raw, force, apperr.As(err).Message)
	}
	return s.startRescore(c, year, force)
}

// rescoreRequest is the body of POST /api/v1/rescore (both fields optional).
type rescoreRequest struct {
	Year  int  `json:"year"`
	Force bool `json:"force"`
}

func (s *Server) apiRescore(c *fiber.Ctx) error {
	var in rescoreRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	if err := scoring.CheckRescoreYear(in.Year); err != nil {
		return err
	}
	return s.startRescore(c, in.Year, in.Force)
}

// parseRescoreYear reads the form's year: empty means the current year.
func parseRescoreYear(raw string) (int, error) {
	if raw == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(raw)
	if err != nil {
		return 0, apperr.Invalid("Tahun pengukuran harus berupa angka, misalnya 2026.")
	}
	if y == 0 {
		return 0, scoring.CheckRescoreYear(-1)
	}
	return y, scoring.CheckRescoreYear(y)
}

const rescoreJobKind = "rescore"

// startRescore starts (or, when one runs for the year, shows) the rescore job.
func (s *Server) startRescore(c *fiber.Ctx, year int, force bool) error {
	if year == 0 {
		year = s.Scoring.CurrentYear()
	}
	a := actor(c)
	title := fmt.Sprintf("Hitung ulang skor IP ASN tahun %d", year)
	if force {
		title += " (paksa)"
	}
	// Leave a core to the requests the server keeps answering meanwhile.
	workers := max(1, runtime.GOMAXPROCS(0)-1)
	return s.startJob(c, fmt.Sprintf("rescore:%d", year), rescoreJobKind, title, func(ctx context.Context, p *jobs.Progress) (jobs.Result, error) {
		p.Phase("Menghitung skor pegawai aktif", 0)
		res, err := s.Scoring.RescoreAllAs(ctx, a, scoring.RescoreOptions{Year: year, Force: force, Workers: workers, Progress: p.Func()})
		if err != nil {
			return jobs.Result{}, err
		}
		return jobs.Result{Message: rescoreMessage(res, force), URL: fmt.Sprintf("/skor?tahun=%d", res.Year)}, nil
	})
}

// rescoreMessage summarises a finished rescore in Indonesian.
func rescoreMessage(r scoring.RescoreResult, force bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Skor IP ASN tahun %d dihitung untuk %s pegawai aktif: %s skor ditulis, %s tidak berubah",
		r.Year, thousands(r.Employees), thousands(r.Written), thousands(r.Unchanged))
	if r.Skipped > 0 {
		fmt.Fprintf(&b, ", %s sudah diperbarui lebih dulu oleh proses lain", thousands(r.Skipped))
	}
	if force {
		b.WriteString(" (semua skor ditulis ulang)")
	}
	fmt.Fprintf(&b, ", dalam %s detik.", strings.Replace(strconv.FormatFloat(r.Elapsed.Seconds(), 'f', 1, 64), ".", ",", 1))
	return b.String()
}
