package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
)

// employeesPerPage is the page size of the employee list.
const employeesPerPage = 50

// employeeListURL is the list's address for a search, an OPD filter and a page number.
func employeeListURL(q, opd string, page int) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if opd != "" {
		v.Set("opd", opd)
	}
	if page > 1 {
		v.Set("hal", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/pegawai"
	}
	return "/pegawai?" + v.Encode()
}

func (s *Server) employeeList(c *fiber.Ctx) error {
	a := actor(c)
	q := strings.TrimSpace(strings.Clone(c.Query("q")))
	opd := strings.TrimSpace(strings.Clone(c.Query("opd")))
	pageNo, err := strconv.Atoi(c.Query("hal", "1"))
	if err != nil || pageNo < 1 || pageNo > 1_000_000 {
		pageNo = 1
	}
	opds, err := s.Directory.ListOPDs(c.UserContext(), a, a.Role == domain.RoleAdmin)
	if err != nil {
		return err
	}
	data := fiber.Map{"Q": q, "SelectedOPD": opd, "OPDs": opds}
	f := directory.EmployeeFilter{Q: q, OPD: opd, Limit: employeesPerPage, Offset: (pageNo - 1) * employeesPerPage}
	list, pg, err := s.Directory.ListEmployees(c.UserContext(), a, f)
	if err != nil {
		if status, msg, ok := formError(err); ok {
			data["Error"] = msg
			return s.page(c, status, "employee_list", "Daftar Pegawai", data)
		}
		return err
	}
	data["Employees"] = list
	data["Total"] = pg.Total
	if len(list) > 0 {
		data["From"] = pg.Offset + 1
		data["To"] = pg.Offset + len(list)
	}
	if pageNo > 1 {
		data["PrevURL"] = employeeListURL(q, opd, pageNo-1)
	}
	if int64(pg.Offset+len(list)) < pg.Total {
		data["NextURL"] = employeeListURL(q, opd, pageNo+1)
	}
	return s.page(c, fiber.StatusOK, "employee_list", "Daftar Pegawai", data)
}

func (s *Server) employeeDetail(c *fiber.Ctx) error {
	e, err := s.Directory.GetEmployee(c.UserContext(), actor(c), pathParam(c, "nip"))
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "employee_detail", e.FullName(), fiber.Map{"Employee": e})
}
