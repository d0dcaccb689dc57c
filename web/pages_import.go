package web

import (
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/importer"
)

// Content types of the import templates.
const (
	mimeCSV  = "text/csv; charset=utf-8"
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// errNoFile answers an import form sent without a file.
var errNoFile = apperr.Invalid("Pilih berkas CSV atau XLSX yang akan diimpor.")

func (s *Server) importFormPage(c *fiber.Ctx, status int, errMsg string, dryRun bool) error {
	return s.page(c, status, "import_form", "Impor data pegawai", fiber.Map{
		"Error": errMsg, "DryRun": dryRun, "MaxSize": sizeLabel(int64(s.MaxUploadBytes)), "Columns": importer.EmployeeColumns()})
}

func (s *Server) importForm(c *fiber.Ctx) error {
	return s.importFormPage(c, fiber.StatusOK, "", false)
}

// importUpload runs the import and shows its report directly (not redirect-after-post):
// a report that committed nothing is stored nowhere, and it is what the operator needs to
// fix the file. Reloading the page asks the browser to send the file again.
func (s *Server) importUpload(c *fiber.Ctx) error {
	dryRun := c.FormValue("dry_run") != ""
	rep, err := s.runImport(c, "berkas", dryRun)
	if err != nil {
		if status, msg, ok := formError(err); ok {
			return s.importFormPage(c, status, msg, dryRun)
		}
		return err
	}
	status := fiber.StatusOK
	if rep.Rejected > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	return s.page(c, status, "import_result", "Hasil impor data pegawai", fiber.Map{"Report": rep})
}

// runImport imports the file uploaded in the multipart field, for the page and the API.
func (s *Server) runImport(c *fiber.Ctx, field string, dryRun bool) (*importer.Report, error) {
	fh, err := c.FormFile(field)
	if err != nil || (fh.Filename == "" && fh.Size == 0) {
		return nil, errNoFile
	}
	f, err := fh.Open()
	if err != nil {
		return nil, apperr.Internal(err)
	}
	defer f.Close()
	return importer.ImportEmployees(c.UserContext(), s.DB, actor(c), cleanFileName(fh.Filename), f,
		importer.Options{DryRun: dryRun, MaxBytes: int64(s.MaxUploadBytes), Rescorer: s.rescorer()})
}

// cleanFileName keeps the last element of a client's file name, as valid UTF-8 of at most
// 200 characters (it is shown and recorded, never used as a path).
func cleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" {
		name = ""
	}
	for utf8.RuneCountInString(name) > 200 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	return name
}

func (s *Server) importTemplateCSV(c *fiber.Ctx) error {
	return sendAttachment(c, "templat-impor-pegawai.csv", mimeCSV, importer.EmployeeTemplateCSV())
}

func (s *Server) importTemplateXLSX(c *fiber.Ctx) error {
	b, err := importer.EmployeeTemplateXLSX()
	if err != nil {
		return apperr.Internal(err)
	}
	return sendAttachment(c, "templat-impor-pegawai.xlsx", mimeXLSX, b)
}

// sendAttachment sends b as a download named name.
func sendAttachment(c *fiber.Ctx, name, contentType string, b []byte) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(b)
}

// rescorer is what an import calls to bring stored scores in line with the facts it wrote,
// in its own transaction; nil (no scoring store) skips it.
func (s *Server) rescorer() importer.Rescorer {
	if s.Scoring == nil {
		return nil
	}
	return s.Scoring
}
