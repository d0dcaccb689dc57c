package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
)

// routesAPI registers the JSON API. Every route is described in docs/openapi.yaml (a test
// keeps the two in step). All routes but the token endpoint need a bearer token.
func (s *Server) routesAPI() {
	api := s.App.Group("/api/v1")
	api.Post("/auth/token", s.apiToken)
	api.Get("/agency", s.apiAgency)
	// Bearer authentication is attached per route (not as group middleware) so that an
	// unknown API path answers 404 rather than 401.
	auth := s.bearerAuth
	api.Get("/me", auth, s.apiMe)
	api.Get("/opds", auth, s.apiListOPDs)
	api.Post("/opds", auth, s.apiCreateOPD)
	api.Get("/opds/:code", auth, s.apiGetOPD)
	api.Put("/opds/:code", auth, s.apiUpdateOPD)
	api.Get("/employees", auth, s.apiListEmployees)
	api.Get("/employees/:nip", auth, s.apiGetEmployee)
	s.routesImportAPI(api)
	s.routesRequestAPI(api)
	s.routesCertificateAPI(api)
	s.routesScoringAPI(api)
	s.routesRescoreAPI(api)
	s.routesExternalAPI(api)
	s.routesFactImportAPI(api)
	s.routesJobAPI(api)
	api.Use(func(c *fiber.Ctx) error { return apperr.NotFound("Alamat API tidak dikenal.") })
}

// decodeJSON reads a JSON body strictly: the content type must be JSON, unknown fields and
// trailing data are refused.
func decodeJSON(c *fiber.Ctx, dst any) error {
	if ct := c.Get(fiber.HeaderContentType); !strings.HasPrefix(strings.ToLower(ct), fiber.MIMEApplicationJSON) {
		return apperr.Invalid("Isi permintaan harus JSON (Content-Type: application/json).")
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		var ae *apperr.Error
		switch {
		case errors.As(err, &ae): // a field's own decoder explains itself (domain.Date)
			return ae
		case errors.Is(err, io.EOF):
			return apperr.Invalid("Isi permintaan kosong.")
		case errors.As(err, &se):
			return apperr.Invalidf("JSON tidak sah pada posisi %d.", se.Offset)
		case errors.As(err, &te):
			return apperr.Invalidf("Nilai kolom %q harus bertipe %s.", te.Field, te.Type.String())
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return apperr.Invalidf("Kolom tidak dikenal: %s.", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return apperr.Invalid("JSON tidak sah.")
	}
	if dec.More() {
		return apperr.Invalid("Isi permintaan berisi data setelah objek JSON.")
	}
	return nil
}

type tokenRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type tokenResponse struct {
	Token     string    `json:"token"`
	TokenType string    `json:"token_type"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) apiToken(c *fiber.Ctx) error {
	if !s.loginLimiter.allowClient(s.clientAddr(c), s.DB.Now()) {
		return apperr.New(apperr.CodeRateLimited, "Terlalu banyak percobaan masuk dari alamat ini. Tunggu satu menit lalu coba lagi.")
	}
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.Accounts.Authenticate(c.UserContext(), req.Username, req.Password)
	if err != nil {
		return err
	}
	tok, exp, err := s.Accounts.IssueToken(u)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(tokenResponse{Token: tok, TokenType: "Bearer", ExpiresAt: exp})
}

// ---- views ----

type opdView struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent"`
	Active bool   `json:"active"`
}

func viewOPD(o domain.OPD) opdView {
	return opdView{Code: o.Code, Name: o.Name, Parent: o.Parent, Active: o.Active}
}

type opdRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type employeeView struct {
	NIP            string  `json:"nip"`
	Name           string  `json:"name"`
	FrontTitle     string  `json:"front_title"`
	BackTitle      string  `json:"back_title"`
	FullName       string  `json:"full_name"`
	Status         string  `json:"status"`
	OPD            *opdRef `json:"opd"`
	Position       string  `json:"position"`
	PositionKind   string  `json:"position_kind"`
	Eselon         string  `json:"eselon"`
	JF             string  `json:"jf"`
	EducationLevel string  `json:"education_level"`
	EducationLabel string  `json:"education_label"`
	Active         bool    `json:"active"`
}

func viewEmployee(e domain.Employee) employeeView {
	v := employeeView{NIP: e.NIP, Name: e.Name, FrontTitle: e.FrontTitle, BackTitle: e.BackTitle, FullName: e.FullName(),
		Status: e.Status, Position: e.Position, PositionKind: e.PositionKind, Eselon: e.Eselon, JF: e.JFName,
		EducationLevel: e.EducationLevel, EducationLabel: domain.EducationLabel(e.EducationLevel), Active: e.Active}
	if e.OPD != nil {
		v.OPD = &opdRef{Code: e.OPD.Code, Name: e.OPD.Name}
	}
	return v
}

type userView struct {
	Username    string      `json:"username"`
	DisplayName string      `json:"display_name"`
	Role        domain.Role `json:"role"`
	OPD         *opdRef     `json:"opd"`
	NIP         string      `json:"nip,omitempty"`
	Active      bool        `json:"active"`
}

func viewUser(u domain.User) userView {
	v := userView{Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, NIP: u.NIP, Active: u.Active}
	if u.OPD != nil {
		v.OPD = &opdRef{Code: u.OPD.Code, Name: u.OPD.Name}
	}
	return v
}

// ---- handlers ----

func (s *Server) apiMe(c *fiber.Ctx) error {
	u, _ := currentUser(c)
	return c.JSON(viewUser(u))
}

func (s *Server) apiAgency(c *fiber.Ctx) error {
	ag, err := s.Directory.GetAgency(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"name": ag.Name, "bkpsdm_name": ag.BKPSDMName, "address": ag.Address, "city": ag.City,
		"head_name": ag.HeadName, "head_title": ag.HeadTitle})
}

func (s *Server) apiListOPDs(c *fiber.Ctx) error {
	list, err := s.Directory.ListOPDs(c.UserContext(), actor(c), c.QueryBool("include_inactive"))
	if err != nil {
		return err
	}
	out := make([]opdView, len(list))
	for i, o := range list {
		out[i] = viewOPD(o)
	}
	return c.JSON(fiber.Map{"items": out})
}

func (s *Server) apiGetOPD(c *fiber.Ctx) error {
	o, err := s.Directory.GetOPD(c.UserContext(), actor(c), pathParam(c, "code"))
	if err != nil {
		return err
	}
	return c.JSON(viewOPD(o))
}

func (s *Server) apiCreateOPD(c *fiber.Ctx) error {
	var in directory.OPDInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	o, err := s.Directory.CreateOPD(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/opds/" + o.Code)
	return c.Status(fiber.StatusCreated).JSON(viewOPD(o))
}

func (s *Server) apiUpdateOPD(c *fiber.Ctx) error {
	var in directory.OPDInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	o, err := s.Directory.UpdateOPD(c.UserContext(), actor(c), pathParam(c, "code"), in)
	if err != nil {
		return err
	}
	return c.JSON(viewOPD(o))
}

// pathParam returns a route parameter percent-decoded and copied. Fiber hands parameters
// over as sent, so without decoding "19660801%20198803%201%20001" (a NIP written with spaces)
// would never match.
func pathParam(c *fiber.Ctx, name string) string {
	v := c.Params(name)
	if u, err := url.PathUnescape(v); err == nil {
		v = u
	}
	return strings.Clone(v)
}

// queryInt reads a non-negative integer query parameter.
func queryInt(c *fiber.Ctx, name string, def int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, apperr.Invalidf("Parameter %s harus bilangan bulat tidak negatif.", name)
	}
	return n, nil
}

// queryPage reads a list's limit (def when absent) and offset query parameters.
func queryPage(c *fiber.Ctx, def int) (limit, offset int, err error) {
	if limit, err = queryInt(c, "limit", def); err != nil {
		return 0, 0, err
	}
	if offset, err = queryInt(c, "offset", 0); err != nil {
		return 0, 0, err
	}
	return limit, offset, nil
}

// pageJSON answers with one page of a list: its items and the window.
func pageJSON(c *fiber.Ctx, items any, page domain.Page) error {
	return c.JSON(fiber.Map{"items": items, "total": page.Total, "limit": page.Limit, "offset": page.Offset})
}

func (s *Server) apiListEmployees(c *fiber.Ctx) error {
	limit, offset, err := queryPage(c, 50)
	if err != nil {
		return err
	}
	f := directory.EmployeeFilter{OPD: strings.Clone(c.Query("opd")), Q: strings.Clone(c.Query("q")), Limit: limit, Offset: offset}
	list, page, err := s.Directory.ListEmployees(c.UserContext(), actor(c), f)
	if err != nil {
		return err
	}
	out := make([]employeeView, len(list))
	for i, e := range list {
		out[i] = viewEmployee(e)
	}
	return pageJSON(c, out, page)
}

func (s *Server) apiGetEmployee(c *fiber.Ctx) error {
	e, err := s.Directory.GetEmployee(c.UserContext(), actor(c), pathParam(c, "nip"))
	if err != nil {
		return err
	}
	return c.JSON(viewEmployee(e))
}
