package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// dashboard is the start page (/), different per role: administrators get the counts, the
// administration links and a warning while the agency settings are incomplete; BKPSDM staff
// the agency's counts; an OPD user their OPD's counts; an employee their own record. The
// workflow's cards (requests by state, queue sizes, activities taken part in) come from
// dashboardRequests in pages_requests.go.
func (s *Server) dashboard(c *fiber.Ctx) error {
	a := actor(c)
	st, err := s.Directory.Stats(c.UserContext(), a)
	if err != nil {
		return err
	}
	data := fiber.Map{"Stats": st}
	if a.Role == domain.RolePegawai && a.NIP != "" {
		e, err := s.Directory.GetEmployee(c.UserContext(), a, a.NIP)
		switch {
		case err == nil:
			data["Employee"] = e
		case apperr.CodeOf(err) != apperr.CodeNotFound:
			return err
		}
	}
	if err := s.dashboardRequests(c, data); err != nil {
		return err
	}
	s.dashboardScore(c, data) // the IP ASN card: pages_scoring.go
	return s.page(c, fiber.StatusOK, "dashboard", "Beranda", data)
}
