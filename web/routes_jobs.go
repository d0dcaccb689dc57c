package web

import (
	"os"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/jobs"
)

// Background jobs (internal/jobs): long work started from a page — batch issuance, a ZIP of
// many PDFs, a bulk rescore, a large import — runs in the background; the browser is sent to
// /tugas/{id}, which shows a progress bar (refreshed by tugas.js every second, or by a meta
// refresh without JavaScript) and, when done, the outcome, a link onward and the download.
// Only the user who started a job, or an administrator, may see it (jobs.Registry.Get).

// routesJobPages registers the progress pages.
func (s *Server) routesJobPages() {
	s.App.Get("/tugas/:id", requireLogin, s.jobPage)
	s.App.Get("/tugas/:id/status", requireLogin, s.jobStatus)
	s.App.Get("/tugas/:id/unduh", requireLogin, s.jobDownload)
}

// routesJobAPI registers the progress API for bearer-token clients.
func (s *Server) routesJobAPI(api fiber.Router) {
	api.Get("/jobs/:id", s.bearerAuth, s.jobStatus)
	api.Get("/jobs/:id/download", s.bearerAuth, s.jobDownload)
}

// startJob starts fn as a background job for the signed-in user and answers: a page request
// is redirected to the job's progress page, an API request gets 202 with the job's snapshot
// and its address in Location. A job already running under the same key is answered instead
// of a second one.
func (s *Server) startJob(c *fiber.Ctx, key, kind, title string, fn jobs.Func) error {
	snap, _, err := s.Jobs.Start(actor(c), key, kind, title, fn)
	if err != nil {
		return err
	}
	return s.answerJob(c, snap)
}

// answerJob answers a request that started (or found running) the job snap, as startJob.
func (s *Server) answerJob(c *fiber.Ctx, snap jobs.Snapshot) error {
	if isAPI(c) {
		c.Set(fiber.HeaderLocation, "/api/v1/jobs/"+snap.ID)
		return c.Status(fiber.StatusAccepted).JSON(s.jobView(c, snap))
	}
	return c.Redirect("/tugas/"+snap.ID, fiber.StatusSeeOther)
}

// jobView adapts a snapshot's addresses to the API when asked through it.
func (s *Server) jobView(c *fiber.Ctx, snap jobs.Snapshot) jobs.Snapshot {
	if isAPI(c) && snap.Download != "" {
		snap.Download = "/api/v1/jobs/" + snap.ID + "/download"
	}
	return snap
}

func (s *Server) jobPage(c *fiber.Ctx) error {
	snap, err := s.Jobs.Get(actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "job", snap.Title, fiber.Map{"Job": snap, "Running": snap.State == jobs.Running,
		"Failed": snap.State == jobs.Failed})
}

func (s *Server) jobStatus(c *fiber.Ctx) error {
	snap, err := s.Jobs.Get(actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(s.jobView(c, snap))
}

func (s *Server) jobDownload(c *fiber.Ctx) error {
	path, name, ctype, err := s.Jobs.File(actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return apperr.NotFound("Berkas tugas ini sudah tidak tersedia; jalankan tugasnya lagi.")
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return apperr.Internal(err)
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentLength, strconv.FormatInt(st.Size(), 10))
	return c.SendStream(f, int(st.Size()))
}
