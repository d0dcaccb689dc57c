package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/domain"
)

// Fact imports (SKP, hukuman disiplin, pengembangan kompetensi) and the SIASN export of
// issued certificates.
//
// Pages, for administrators (the importer checks the role again):
//
//	GET  /impor/{kind}                          upload form with the template links
//	POST /impor/{kind}                          multipart "berkas" [+ dry_run]: starts a background job → /tugas/{id}
//	GET  /impor/{kind}/templat.csv|.xlsx        the import template
//	GET  /impor/{kind}/hasil/{id}               the report of a finished import (kept in memory as long as the job)
//	GET  /impor/{kind}/hasil/{id}/laporan.csv   the full row-by-row report
//
// with kind skp, hukdis or pengembangan. JSON API (bearer token, administrators):
//
//	POST /api/v1/imports/{kind}[?dry_run=true]  multipart "file": the report, synchronously
//	GET  /api/v1/imports/{kind}/template?format=csv|xlsx
//
// The SIASN export, for every signed-in role within its scope (issuer.ExportSIASN):
//
//	GET /sertifikat/ekspor-siasn?format=csv|xlsx&tahun=&opd=         (web/export_siasn.go)
//	GET /api/v1/certificates/export/siasn?format=csv|xlsx&year=&opd=&include_revoked=

// routesFactImportPages registers the pages of the fact imports.
func (s *Server) routesFactImportPages() {
	h := newFactImportPages(s)
	admin := requireRole(domain.RoleAdmin)
	for _, k := range factImportKinds {
		base := "/impor/" + string(k.Kind)
		s.App.Get(base, admin, h.form(k))
		s.App.Post(base, admin, h.upload(k))
		s.App.Get(base+"/templat.csv", admin, h.templateCSV(k))
		s.App.Get(base+"/templat.xlsx", admin, h.templateXLSX(k))
		s.App.Get(base+"/hasil/:id", admin, h.result(k))
		s.App.Get(base+"/hasil/:id/laporan.csv", admin, h.resultCSV(k))
	}
}

// routesFactImportAPI registers the JSON API of the fact imports and of the SIASN export.
func (s *Server) routesFactImportAPI(api fiber.Router) {
	admin := requireRole(domain.RoleAdmin)
	for _, k := range factImportKinds {
		api.Post("/imports/"+string(k.Kind), s.bearerAuth, admin, s.apiImportFacts(k))
		api.Get("/imports/"+string(k.Kind)+"/template", s.bearerAuth, admin, s.apiFactTemplate(k))
	}
	api.Get("/certificates/export/siasn", s.bearerAuth, s.apiExportSIASN)
}
