package web

import (
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/directory"
)

func agencyForm(in directory.AgencyInput) fiber.Map {
	return fiber.Map{"Form": in, "MaxLogo": sizeLabel(directory.MaxLogoBytes)}
}

func (s *Server) settingsForm(c *fiber.Ctx) error {
	ag, err := s.Directory.GetAgency(c.UserContext())
	if err != nil {
		return err
	}
	in := directory.AgencyInput{Name: ag.Name, BKPSDMName: ag.BKPSDMName, Address: ag.Address, City: ag.City,
		HeadName: ag.HeadName, HeadNIP: ag.HeadNIP, HeadTitle: ag.HeadTitle, HeadRank: ag.HeadRank}
	return s.page(c, fiber.StatusOK, "settings", "Pengaturan instansi", agencyForm(in))
}

func (s *Server) settingsSave(c *fiber.Ctx) error {
	in := directory.AgencyInput{Name: formValue(c, "name"), BKPSDMName: formValue(c, "bkpsdm_name"),
		Address: formValue(c, "address"), City: formValue(c, "city"), HeadName: formValue(c, "head_name"),
		HeadNIP: formValue(c, "head_nip"), HeadTitle: formValue(c, "head_title"), HeadRank: formValue(c, "head_rank")}
	logo, err := readLogo(c)
	if err == nil {
		_, err = s.Directory.UpdateAgency(c.UserContext(), actor(c), in, logo)
	}
	if err != nil {
		if status, msg, ok := formError(err); ok {
			data := agencyForm(in)
			data["Error"] = msg
			return s.page(c, status, "settings", "Pengaturan instansi", data)
		}
		return err
	}
	s.flash(c, "Pengaturan instansi disimpan.")
	return c.Redirect("/pengaturan", fiber.StatusSeeOther)
}

// readLogo returns the uploaded logo, or nil when none was chosen (the logo stays). At most
// one byte over the limit is read: enough for the service to refuse it as too large.
func readLogo(c *fiber.Ctx) ([]byte, error) {
	fh, err := c.FormFile("logo")
	if err != nil || (fh.Filename == "" && fh.Size == 0) {
		return nil, nil
	}
	if fh.Size > directory.MaxLogoBytes {
		return nil, apperr.New(apperr.CodeTooLarge, "Logo paling besar "+sizeLabel(directory.MaxLogoBytes)+".")
	}
	if fh.Size == 0 {
		return nil, apperr.Invalid("Berkas logo kosong.")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, apperr.Internal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, directory.MaxLogoBytes+1))
	if err != nil {
		return nil, apperr.Internal(err)
	}
	return b, nil
}

// agencyLogo serves the agency's logo to signed-in users.
func (s *Server) agencyLogo(c *fiber.Ctx) error {
	ag, err := s.Directory.GetAgency(c.UserContext())
	if err != nil {
		return err
	}
	if len(ag.Logo) == 0 || (ag.LogoType != "image/png" && ag.LogoType != "image/jpeg") {
		return apperr.NotFound("Logo instansi belum diunggah.")
	}
	c.Set(fiber.HeaderContentType, ag.LogoType)
	c.Set(fiber.HeaderContentLength, strconv.Itoa(len(ag.Logo)))
	// Pages link the logo with ?v=<time of the last change>, so it may be cached a while.
	c.Set(fiber.HeaderCacheControl, "private, max-age=3600")
	return c.Send(ag.Logo)
}
