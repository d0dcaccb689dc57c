package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
)

// routesMasterPages registers the master-data and administration pages. requireLogin and
// requireRole only steer navigation (a clear 403 page instead of a form that would fail on
// submit); the services check every right again.
//
//	GET  /opd                         signed in (the service limits what each role sees)
//	GET  /opd/baru, POST /opd/baru    admin
//	GET  /opd/:code                   signed in (own OPD only for opd and pegawai)
//	GET  /opd/:code/ubah, POST …      admin
//	GET  /pegawai, /pegawai/:nip      signed in (scoped by the service)
//	GET  /pengguna …                  admin (list, create, detail, password, status)
//	GET  /pengaturan, POST            admin; GET /pengaturan/logo: signed in
//	GET  /impor/pegawai, POST, templat.csv, templat.xlsx, hasil/:id   admin
//	GET  /akun, POST /akun/sandi      signed in
func (s *Server) routesMasterPages() {
	app := s.App
	admin := requireRole(domain.RoleAdmin)

	// The fixed paths (/opd/baru) come before the parameter routes they would otherwise
	// match; an OPD coded "baru" is therefore only reachable through its edit form's links.
	app.Get("/opd", requireLogin, s.opdList)
	app.Get("/opd/baru", admin, s.opdNewForm)
	app.Post("/opd/baru", admin, s.opdCreate)
	app.Get("/opd/:code", requireLogin, s.opdDetail)
	app.Get("/opd/:code/ubah", admin, s.opdEditForm)
	app.Post("/opd/:code/ubah", admin, s.opdUpdate)

	app.Get("/pegawai", requireLogin, s.employeeList)
	app.Get("/pegawai/:nip", requireLogin, s.employeeDetail)

	app.Get("/pengguna", admin, s.userList)
	app.Get("/pengguna/baru", admin, s.userNewForm)
	app.Post("/pengguna/baru", admin, s.userCreate)
	app.Get("/pengguna/:username", admin, s.userDetail)
	app.Post("/pengguna/:username/sandi", admin, s.userSetPassword)
	app.Post("/pengguna/:username/status", admin, s.userSetActive)

	app.Get("/pengaturan", admin, s.settingsForm)
	app.Post("/pengaturan", admin, s.settingsSave)
	app.Get("/pengaturan/logo", requireLogin, s.agencyLogo)

	app.Get("/impor/pegawai", admin, s.importForm)
	app.Post("/impor/pegawai", admin, s.importUpload)
	app.Get("/impor/pegawai/hasil/:id", admin, s.importResult)
	app.Get("/impor/pegawai/templat.csv", admin, s.importTemplateCSV)
	app.Get("/impor/pegawai/templat.xlsx", admin, s.importTemplateXLSX)

	app.Get("/akun", requireLogin, s.accountPage)
	app.Post("/akun/sandi", requireLogin, s.accountPassword)
}

// ---- helpers shared by the pages ----

// page renders a page with the given status and marks the current section of the menu
// (Nav: the first segment of the path) for aria-current.
func (s *Server) page(c *fiber.Ctx, status int, name, title string, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	nav := strings.TrimPrefix(c.Path(), "/")
	if i := strings.IndexByte(nav, '/'); i >= 0 {
		nav = nav[:i]
	}
	if nav == "" {
		nav = "beranda"
	}
	data["Nav"] = strings.Clone(nav)
	c.Status(status)
	return s.render(c, name, title, data)
}

// formError tells whether err is a problem with what the user typed — shown on the form
// itself, with the input kept — and with which status. Anything else (forbidden, not found,
// internal) goes to the error handler.
func formError(err error) (status int, msg string, ok bool) {
	ae := apperr.As(err)
	switch ae.Code {
	case apperr.CodeInvalid, apperr.CodeConflict, apperr.CodeTooLarge:
		return statusOf(ae.Code), ae.Message, true
	}
	return 0, "", false
}

// formValue returns a copy of a form field (Fiber reuses the underlying buffer).
func formValue(c *fiber.Ctx, name string) string {
	return strings.Clone(c.FormValue(name))
}

// formDatesJP parses a training form's start date, end date and JP (each may be empty).
// One that does not parse stays zero (which the services refuse) and gets its own message
// in fields, under start_date, end_date or jp.
func formDatesJP(fields map[string]string, start, end, jp string) (startDate, endDate domain.Date, n int) {
	for key, raw := range map[string]string{"start_date": start, "end_date": end} {
		if raw == "" {
			continue
		}
		d, err := domain.ParseDate(raw)
		if err != nil {
			fields[key] = "Tanggal tidak sah: gunakan format TTTT-BB-HH (misalnya 2026-03-31)."
			continue
		}
		if key == "start_date" {
			startDate = d
		} else {
			endDate = d
		}
	}
	if jp != "" {
		v, err := strconv.Atoi(jp)
		if err != nil {
			fields["jp"] = "Jumlah JP harus berupa bilangan bulat."
		}
		n = v
	}
	return startDate, endDate, n
}

// sizeLabel writes a byte count for people: 2097152 → "2 MB".
func sizeLabel(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

// ---- OPD pages ----

func (s *Server) opdList(c *fiber.Ctx) error {
	a := actor(c)
	// Administrators manage OPDs and so see the inactive ones too (with a badge).
	list, err := s.Directory.ListOPDs(c.UserContext(), a, a.Role == domain.RoleAdmin)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "opd_list", "Daftar OPD", fiber.Map{"OPDs": list})
}

func (s *Server) opdDetail(c *fiber.Ctx) error {
	a := actor(c)
	o, err := s.Directory.GetOPD(c.UserContext(), a, pathParam(c, "code"))
	if err != nil {
		return err
	}
	data := fiber.Map{"OPD": o}
	// The count is what the actor may see of the OPD; for an employee that is only their
	// own record, which would read as a wrong total, so it is left out for them.
	if a.Role != domain.RolePegawai {
		_, pg, err := s.Directory.ListEmployees(c.UserContext(), a, directory.EmployeeFilter{OPD: o.Code, Limit: 1})
		if err != nil {
			return err
		}
		data["EmployeeCount"], data["ShowCount"] = pg.Total, true
	}
	return s.page(c, fiber.StatusOK, "opd_detail", o.Name, data)
}

// opdForm is what the OPD form shows (and keeps after an error).
type opdForm struct {
	Code, Name, Parent string
	Active             bool
}

func (s *Server) opdNewForm(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "opd_form", "Tambah OPD", fiber.Map{"Form": opdForm{Active: true}, "New": true})
}

func readOPDForm(c *fiber.Ctx) opdForm {
	return opdForm{Code: strings.TrimSpace(formValue(c, "code")), Name: formValue(c, "name"), Parent: formValue(c, "parent"),
		Active: c.FormValue("active") != ""}
}

func (s *Server) opdCreate(c *fiber.Ctx) error {
	f := readOPDForm(c)
	o, err := s.Directory.CreateOPD(c.UserContext(), actor(c), directory.OPDInput{Code: f.Code, Name: f.Name, Parent: f.Parent})
	if err != nil {
		if status, msg, ok := formError(err); ok {
			f.Active = true
			return s.page(c, status, "opd_form", "Tambah OPD", fiber.Map{"Form": f, "New": true, "Error": msg})
		}
		return err
	}
	s.flash(c, fmt.Sprintf("OPD %s (%s) ditambahkan.", o.Name, o.Code))
	return c.Redirect("/opd/"+o.Code, fiber.StatusSeeOther)
}

func (s *Server) opdEditForm(c *fiber.Ctx) error {
	o, err := s.Directory.GetOPD(c.UserContext(), actor(c), pathParam(c, "code"))
	if err != nil {
		return err
	}
	f := opdForm{Code: o.Code, Name: o.Name, Parent: o.Parent, Active: o.Active}
	return s.page(c, fiber.StatusOK, "opd_form", "Ubah OPD", fiber.Map{"Form": f, "Orig": o.Code})
}

func (s *Server) opdUpdate(c *fiber.Ctx) error {
	code := pathParam(c, "code")
	f := readOPDForm(c)
	active := f.Active
	o, err := s.Directory.UpdateOPD(c.UserContext(), actor(c), code,
		directory.OPDInput{Code: f.Code, Name: f.Name, Parent: f.Parent, Active: &active})
	if err != nil {
		if status, msg, ok := formError(err); ok {
			return s.page(c, status, "opd_form", "Ubah OPD", fiber.Map{"Form": f, "Orig": code, "Error": msg})
		}
		return err
	}
	s.flash(c, fmt.Sprintf("OPD %s (%s) disimpan.", o.Name, o.Code))
	return c.Redirect("/opd/"+o.Code, fiber.StatusSeeOther)
}
