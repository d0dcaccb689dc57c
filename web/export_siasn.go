package web

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/issuer"
)

// routesSIASNExportPages registers the SIASN export of the certificate list. It must come
// before /sertifikat/:cid, which would otherwise take "ekspor-siasn" for a certificate id.
func (s *Server) routesSIASNExportPages() {
	s.App.Get("/sertifikat/ekspor-siasn", requireLogin, s.exportSIASNPage)
}

// exportSIASNPage sends the certificates the user may see as a SIASN spreadsheet, with the
// certificate list's filters: tahun (year of issue) and opd.
func (s *Server) exportSIASNPage(c *fiber.Ctx) error {
	return s.exportSIASN(c, c.Query("tahun"), c.Query("opd"), false)
}

// apiExportSIASN is the same export for API clients: year, opd, include_revoked.
func (s *Server) apiExportSIASN(c *fiber.Ctx) error {
	var revoked bool
	switch c.Query("include_revoked") {
	case "", "false", "0":
	case "true", "1":
		revoked = true
	default:
		return apperr.Invalid("Parameter include_revoked harus true atau false.")
	}
	return s.exportSIASN(c, c.Query("year"), c.Query("opd"), revoked)
}

// exportSIASN answers an export: format csv (default) or xlsx, as an attachment named
// after the filters.
func (s *Server) exportSIASN(c *fiber.Ctx, yearText, opd string, revoked bool) error {
	format := c.Query("format", "csv")
	write := issuer.WriteSIASNCSV
	ctype := mimeCSV
	switch format {
	case "csv":
	case "xlsx":
		write, ctype = issuer.WriteSIASNXLSX, mimeXLSX
	default:
		return apperr.Invalid("Parameter format harus csv atau xlsx.")
	}
	f := issuer.SIASNFilter{OPD: strings.Clone(strings.TrimSpace(opd)), IncludeRevoked: revoked}
	if y := strings.TrimSpace(yearText); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || len(y) != 4 {
			return apperr.Invalid("Tahun harus empat angka, misalnya 2026.")
		}
		f.Year = n
	}
	if len(f.OPD) > 50 {
		return apperr.Invalid("Kode OPD terlalu panjang.")
	}
	a := actor(c)
	rows, err := s.Issuance.ExportSIASN(c.UserContext(), a, f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(&buf, rows, nil); err != nil {
		return apperr.Internal(err)
	}
	// Who took which personal data out is worth a log line (never the data itself).
	s.Logger.InfoContext(c.UserContext(), "siasn export", "request_id", requestIDOf(c), "user", a.Username,
		"rows", len(rows), "format", format, "year", f.Year, "opd", f.OPD, "revoked", revoked)
	name := "sertifikat-siasn"
	if f.Year > 0 {
		name += "-" + strconv.Itoa(f.Year)
	}
	if code := fileNamePart(f.OPD); code != "" {
		name += "-" + code
	}
	return sendAttachment(c, name+"."+format, ctype, buf.Bytes())
}

// fileNamePart keeps the characters of s that are safe in a download's file name.
func fileNamePart(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return -1
	}, s)
}
