package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/domain"
)

// routesExternalPages registers the pages of the review flow of competency development
// recorded outside Sertika (web/pages_external.go). As elsewhere, requireRole only steers
// navigation; the review flow (scoring.External) checks role and ownership on every call.
//
//	GET  /pelatihan-eksternal                      signed in (BKPSDM: the review queue; opd: its employees'; pegawai: own)
//	GET  /pelatihan-eksternal/baru, POST           opd, pegawai (multipart, with the evidence PDF)
//	GET  /pelatihan-eksternal/:id                  signed in (the service decides who may see it)
//	GET  /pelatihan-eksternal/:id/bukti            signed in (who may see the record)
//	POST /pelatihan-eksternal/:id/tinjau           admin, verifikator (recognise, or reject with a reason)
//	GET  /pelatihan-eksternal/:id/ajukan-ulang, POST   opd, pegawai (a rejected record of their own or their OPD's)
func (s *Server) routesExternalPages() {
	app := s.App
	submitters := requireRole(domain.RoleOPD, domain.RolePegawai)
	reviewers := requireRole(domain.RoleAdmin, domain.RoleVerifikator)
	app.Get("/pelatihan-eksternal", requireLogin, s.externalList)
	app.Get("/pelatihan-eksternal/baru", submitters, s.externalNewForm) // before /:id
	app.Post("/pelatihan-eksternal/baru", submitters, s.externalCreate)
	app.Get("/pelatihan-eksternal/:id", requireLogin, s.externalDetail)
	app.Get("/pelatihan-eksternal/:id/bukti", requireLogin, s.externalEvidence)
	app.Post("/pelatihan-eksternal/:id/tinjau", reviewers, s.externalReview)
	app.Get("/pelatihan-eksternal/:id/ajukan-ulang", submitters, s.externalResubmitForm)
	app.Post("/pelatihan-eksternal/:id/ajukan-ulang", submitters, s.externalResubmit)
}

// routesExternalAPI registers the JSON API of the review flow (web/api_external.go).
func (s *Server) routesExternalAPI(api fiber.Router) {
	auth := s.bearerAuth
	submitters := requireRole(domain.RoleOPD, domain.RolePegawai)
	reviewers := requireRole(domain.RoleAdmin, domain.RoleVerifikator)
	api.Get("/external-trainings", auth, s.apiListExternal)
	api.Post("/external-trainings", auth, submitters, s.apiSubmitExternal)
	api.Get("/external-trainings/:id", auth, s.apiGetExternal)
	api.Get("/external-trainings/:id/evidence", auth, s.externalEvidence)
	api.Post("/external-trainings/:id/review", auth, reviewers, s.apiReviewExternal)
	api.Post("/external-trainings/:id/resubmit", auth, submitters, s.apiResubmitExternal)
}
