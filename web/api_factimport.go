package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/importer"
)

// factImportRowView is one row of a fact import's report in the API: the employee import's
// row with the reasons of a refused row one by one, each with its column.
type factImportRowView struct {
	importRowView
	Problems []importer.Problem `json:"problems,omitempty"`
}

// factImportView is a fact import's report in the API: the employee import's shape
// (viewImport), its rows carrying problems.
type factImportView struct {
	importView
	Rows []factImportRowView `json:"rows"`
}

func viewFactImport(r *importer.Report) factImportView {
	v := factImportView{importView: viewImport(r), Rows: make([]factImportRowView, len(r.Rows))}
	for i, row := range r.Rows {
		v.Rows[i] = factImportRowView{importRowView: v.importView.Rows[i], Problems: row.Problems}
	}
	v.importView.Rows = nil
	return v
}

// apiImportFacts imports a fact file synchronously, as apiImportEmployees does: 200 with the
// report when no row was rejected (committed, or a dry run), 422 with the same report when
// rows were rejected and nothing was written, 400 (413 when too large) for a file that
// cannot be read at all.
func (s *Server) apiImportFacts(k factImportKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		dryRun, err := queryDryRun(c)
		if err != nil {
			return err
		}
		fh, err := c.FormFile("file")
		if err != nil || (fh.Filename == "" && fh.Size == 0) {
			return apperr.Invalid(msgNoImportFile)
		}
		f, err := fh.Open()
		if err != nil {
			return apperr.Internal(err)
		}
		defer f.Close()
		rep, err := importer.ImportFacts(c.UserContext(), s.DB, s.factRescorer(), k.Kind, actor(c), cleanFileName(fh.Filename), f,
			importer.Options{DryRun: dryRun, MaxBytes: int64(s.MaxUploadBytes)})
		if err != nil {
			return err
		}
		return importReportJSON(c, rep.Rejected, viewFactImport(rep))
	}
}

// apiFactTemplate sends the template of a fact import, CSV (default) or XLSX.
func (s *Server) apiFactTemplate(k factImportKind) fiber.Handler {
	h := &factImportPages{s: s}
	csvT, xlsxT := h.templateCSV(k), h.templateXLSX(k)
	return func(c *fiber.Ctx) error {
		switch c.Query("format", "csv") {
		case "csv":
			return csvT(c)
		case "xlsx":
			return xlsxT(c)
		}
		return apperr.Invalid("Parameter format harus csv atau xlsx.")
	}
}
