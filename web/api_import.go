package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/importer"
)

// routesImportAPI registers the import endpoints of the JSON API (each with s.bearerAuth).
// Only administrators import; requireRole answers others with 403 before the upload is
// looked at, and the importer checks the role again.
//
//	POST /api/v1/imports/employees[?dry_run=true]   multipart/form-data, field "file"
//	GET  /api/v1/imports/employees/template?format=csv|xlsx
func (s *Server) routesImportAPI(api fiber.Router) {
	admin := requireRole(domain.RoleAdmin)
	api.Post("/imports/employees", s.bearerAuth, admin, s.apiImportEmployees)
	api.Get("/imports/employees/template", s.bearerAuth, admin, s.apiImportTemplate)
}

// importRowView is one row of an import report in the API.
type importRowView struct {
	Line   int    `json:"line"`
	NIP    string `json:"nip"`
	Name   string `json:"name"`
	Action string `json:"action"` // created, updated, unchanged or rejected
	Reason string `json:"reason"` // why a row was rejected ("" otherwise), in Indonesian
}

// importView is an import report in the API.
type importView struct {
	Committed bool            `json:"committed"`
	DryRun    bool            `json:"dry_run"`
	FileName  string          `json:"file_name"`
	Format    string          `json:"format"`
	Created   int             `json:"created"`
	Updated   int             `json:"updated"`
	Unchanged int             `json:"unchanged"`
	Rejected  int             `json:"rejected"`
	Rows      []importRowView `json:"rows"`
}

func viewImport(r *importer.Report) importView {
	v := importView{Committed: r.Committed, DryRun: r.DryRun, FileName: r.FileName, Format: r.Format,
		Created: r.Created, Updated: r.Updated, Unchanged: r.Unchanged, Rejected: r.Rejected,
		Rows: make([]importRowView, len(r.Rows))}
	for i, row := range r.Rows {
		v.Rows[i] = importRowView{Line: row.Line, NIP: row.NIP, Name: row.Name, Action: string(row.Action), Reason: row.Reason}
	}
	return v
}

// msgNoImportFile answers an import through the API that carries no file.
const msgNoImportFile = `Kirim berkas CSV atau XLSX sebagai multipart/form-data pada kolom "file".`

// queryDryRun reads the dry_run query parameter of an import through the API.
func queryDryRun(c *fiber.Ctx) (bool, error) {
	switch c.Query("dry_run") {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, apperr.Invalid("Parameter dry_run harus true atau false.")
}

// importReportJSON answers an import through the API with its report (view): 200, or 422
// when rows were rejected (and nothing was written).
func importReportJSON(c *fiber.Ctx, rejected int, view any) error {
	status := fiber.StatusOK
	if rejected > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(view)
}

// apiImportEmployees imports an employee file. 200 with the report when no row was
// rejected (committed, or a dry run); 422 with the same report when rows were rejected and
// nothing was written. A file that cannot be read at all is a 400 (413 when too large).
func (s *Server) apiImportEmployees(c *fiber.Ctx) error {
	dryRun, err := queryDryRun(c)
	if err != nil {
		return err
	}
	rep, err := s.runImport(c, "file", dryRun)
	if err == errNoFile {
		return apperr.Invalid(msgNoImportFile)
	}
	if err != nil {
		return err
	}
	return importReportJSON(c, rep.Rejected, viewImport(rep))
}

// apiImportTemplate sends the import template, CSV (default) or XLSX.
func (s *Server) apiImportTemplate(c *fiber.Ctx) error {
	switch c.Query("format", "csv") {
	case "csv":
		return s.importTemplateCSV(c)
	case "xlsx":
		return s.importTemplateXLSX(c)
	}
	return apperr.Invalid("Parameter format harus csv atau xlsx.")
}
