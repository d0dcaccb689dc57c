package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
)

// routesPages registers the server-rendered pages. Every page but the login form needs a
// session; every form is checked for its CSRF token.
func (s *Server) routesPages() {
	app := s.App
	app.Use(s.pageMiddleware)
	app.Get("/masuk", s.loginForm)
	app.Post("/masuk", s.login)
	app.Post("/keluar", s.logout)
	app.Get("/", requireLogin, s.dashboard)
	s.routesMasterPages()
	s.routesRequestPages()
	s.routesSIASNExportPages() // before /sertifikat/:cid
	s.routesCertificatePages()
	s.routesScoringPages()
	s.routesRescorePages()
	s.routesExternalPages()
	s.routesFactImportPages()
	s.routesJobPages()
}

// pageMiddleware loads the session and checks CSRF tokens for everything outside the API and
// the static files.
func (s *Server) pageMiddleware(c *fiber.Ctx) error {
	if isAPI(c) || strings.HasPrefix(c.Path(), "/static/") {
		return c.Next()
	}
	return s.loadSession(c, func() error { return s.checkCSRF(c) })
}

func (s *Server) loginForm(c *fiber.Ctx) error {
	if _, ok := currentUser(c); ok {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return s.render(c, "login", "Masuk", fiber.Map{"Next": c.Query("next")})
}

func (s *Server) login(c *fiber.Ctx) error {
	username := strings.TrimSpace(c.FormValue("username"))
	next := c.FormValue("next")
	fail := func(status int, msg string) error {
		c.Status(status)
		return s.render(c, "login", "Masuk", fiber.Map{"Error": msg, "Username": username, "Next": next})
	}
	if !s.loginLimiter.allowClient(s.clientAddr(c), s.DB.Now()) {
		return fail(fiber.StatusTooManyRequests, "Terlalu banyak percobaan masuk dari alamat ini. Tunggu satu menit lalu coba lagi.")
	}
	u, err := s.Accounts.Authenticate(c.UserContext(), username, c.FormValue("password"))
	if err != nil {
		ae := apperr.As(err)
		if ae.Code == apperr.CodeInternal {
			return err
		}
		return fail(statusOf(ae.Code), ae.Message)
	}
	// A new session at every sign-in: a token planted before sign-in is worthless after it.
	if old := c.Cookies(sessionCookie); old != "" {
		_ = s.Accounts.EndSession(c.UserContext(), old)
	}
	tok, _, err := s.Accounts.StartSession(c.UserContext(), u, s.clientIP(c), c.Get(fiber.HeaderUserAgent))
	if err != nil {
		return err
	}
	s.setSessionCookie(c, tok)
	s.clearCookie(c, csrfCookie)
	return c.Redirect(localPath(next), fiber.StatusSeeOther)
}

func (s *Server) logout(c *fiber.Ctx) error {
	if err := s.Accounts.EndSession(c.UserContext(), c.Cookies(sessionCookie)); err != nil {
		return err
	}
	s.clearCookie(c, sessionCookie)
	return c.Redirect("/masuk", fiber.StatusSeeOther)
}

// The dashboard handler lives in pages_dashboard.go.
