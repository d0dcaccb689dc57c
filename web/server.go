// Package web is Sertika's HTTP face: a Fiber application with the server-rendered pages in
// Bahasa Indonesia (html/template through Fiber's template engine, assets embedded), the JSON
// API under /api/v1, the middleware that establishes who is asking (browser sessions with
// CSRF protection, bearer tokens for the API), and one error handler.
//
// Handlers parse input, call one service method with the acting user, and render. They make
// no authorization decisions of their own beyond requiring a signed-in user: the services
// decide what each role may do.
package web

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/template/html/v2"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/document"
	"github.com/sertika/sertika/internal/jobs"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/issuer"
	"github.com/sertika/sertika/scoring"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the web layer needs.
type Deps struct {
	DB        *database.DB
	Accounts  *account.Service
	Directory *directory.Service
	Requests  *issuer.Service
	// Issuance signs, revokes and re-issues certificates; Keys publishes the key set;
	// Certificates renders certificate PDFs.
	Issuance     *issuer.Issuance
	Keys         *keys.Store
	Certificates *document.CertificateRenderer
	// Scoring reads and updates IP ASN scores, targets and external training records.
	Scoring *scoring.Store
	// Jobs runs long work in the background with progress (New creates one when nil).
	Jobs   *jobs.Registry
	Logger *slog.Logger
	// PublicURL is the externally visible base URL (no trailing slash).
	PublicURL string
	// SecureCookies marks cookies Secure (set when served over HTTPS).
	SecureCookies bool
	// MaxUploadBytes bounds request bodies.
	MaxUploadBytes int
	// TrustedProxies are the addresses of the reverse proxies whose X-Forwarded-For header is
	// believed (SERTIKA_TRUSTED_PROXIES); empty: none (web/clientip.go).
	TrustedProxies []netip.Prefix
	// Version is shown in the footer and /healthz.
	Version string
}

// Server holds the Fiber app and its dependencies.
type Server struct {
	Deps
	App           *fiber.App
	loginLimiter  *limiter
	verifyLimiter *limiter
	keys          keyCache
	importReports importReports // reports of import jobs, for their result pages (pages_import.go)
}

// New builds the application with all routes.
func New(d Deps) (*Server, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Jobs == nil {
		d.Jobs = jobs.New(d.Logger)
	}
	if d.MaxUploadBytes <= 0 {
		d.MaxUploadBytes = 20 << 20
	}
	sub, err := fs.Sub(templateFS, "templates")
	if err != nil {
		return nil, err
	}
	engine := html.NewFileSystem(http.FS(sub), ".html")
	engine.AddFuncMap(templateFuncs())
	if err := engine.Load(); err != nil {
		return nil, err
	}
	s := &Server{Deps: d, loginLimiter: newLimiter(20, time.Minute), verifyLimiter: newLimiter(600, time.Minute)}
	s.App = fiber.New(fiber.Config{
		AppName:               "Sertika",
		Views:                 engine,
		ErrorHandler:          s.handleError,
		BodyLimit:             d.MaxUploadBytes + 1<<20, // room for the form around a file
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		ReadBufferSize:        16 << 10,
	})
	s.App.Use(s.recoverPanic, s.requestID, s.accessLog, securityHeaders)
	staticSub, _ := fs.Sub(staticFS, "static")
	s.App.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(staticSub), MaxAge: 3600}))
	s.App.Get("/healthz", s.healthz)
	s.App.Get("/readyz", s.readyz)
	s.routesVerify()
	s.routesAPI()
	s.routesPages()
	s.App.Use(func(c *fiber.Ctx) error { return apperr.NotFound("Halaman tidak ditemukan.") })
	return s, nil
}

// Shutdown stops accepting requests and waits for those in flight, up to ctx's deadline.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.App.ShutdownWithContext(ctx)
	wait := 10 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		wait = max(time.Until(dl), 0)
	}
	s.Jobs.Close(wait)
	return err
}

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok", "version": s.Version})
}

func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	if err := s.DB.Ready(ctx); err != nil {
		s.Logger.WarnContext(c.UserContext(), "not ready", "err", err, "request_id", requestIDOf(c))
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "database": s.DB.Dialect,
			"error": fiber.Map{"code": "unavailable", "message": "Basis data belum siap."}})
	}
	return c.JSON(fiber.Map{"status": "ready", "database": s.DB.Dialect})
}

// isAPI reports whether the request is for the JSON API (errors answer in JSON).
func isAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz"
}

// statusOf maps an error code to its HTTP status: the one place that does so.
func statusOf(code apperr.Code) int {
	switch code {
	case apperr.CodeInvalid:
		return fiber.StatusBadRequest
	case apperr.CodeNotFound:
		return fiber.StatusNotFound
	case apperr.CodeConflict:
		return fiber.StatusConflict
	case apperr.CodeUnauthorized:
		return fiber.StatusUnauthorized
	case apperr.CodeForbidden:
		return fiber.StatusForbidden
	case apperr.CodeTooLarge:
		return fiber.StatusRequestEntityTooLarge
	case apperr.CodeRateLimited:
		return fiber.StatusTooManyRequests
	}
	return fiber.StatusInternalServerError
}

// fromFiber turns Fiber's own errors (404 from routing, 413 from the body limit, 405 …)
// into application errors with Indonesian messages.
func fromFiber(fe *fiber.Error) *apperr.Error {
	switch fe.Code {
	case fiber.StatusNotFound:
		return apperr.NotFound("Halaman tidak ditemukan.")
	case fiber.StatusRequestEntityTooLarge:
		return apperr.New(apperr.CodeTooLarge, "Berkas atau data yang dikirim terlalu besar.")
	case fiber.StatusMethodNotAllowed:
		return &apperr.Error{Code: apperr.CodeInvalid, Message: "Metode permintaan tidak diizinkan."}
	case fiber.StatusBadRequest, fiber.StatusUnprocessableEntity:
		return apperr.Invalid("Permintaan tidak dapat dibaca.")
	case fiber.StatusTooManyRequests:
		return apperr.New(apperr.CodeRateLimited, "Terlalu banyak permintaan. Coba lagi sebentar lagi.")
	case fiber.StatusRequestTimeout:
		return apperr.Invalid("Permintaan terlalu lama.")
	}
	if fe.Code >= 500 {
		return apperr.Internal(fe)
	}
	return apperr.Invalid("Permintaan tidak sah.")
}

// handleError is the one error handler: JSON for the API, an HTML page for the UI. A 500
// never shows the internal error text; it is logged with the request id instead.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	var ae *apperr.Error
	var fe *fiber.Error
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &fe):
		ae = fromFiber(fe)
	default:
		ae = apperr.Internal(err)
	}
	status := statusOf(ae.Code)
	rid := requestIDOf(c)
	if status >= 500 {
		s.Logger.ErrorContext(c.UserContext(), "request failed", "request_id", rid, "method", c.Method(),
			"path", c.Path(), "err", err)
	}
	if fe != nil && fe.Code == fiber.StatusMethodNotAllowed {
		status = fe.Code
	}
	c.Status(status)
	if isAPI(c) || !acceptsHTML(c) {
		body := fiber.Map{"code": string(ae.Code), "message": ae.Message}
		if len(ae.Fields) > 0 {
			body["fields"] = ae.Fields
		}
		if status >= 500 {
			body["request_id"] = rid
		}
		return c.JSON(fiber.Map{"error": body})
	}
	if status == fiber.StatusUnauthorized {
		return c.Redirect("/masuk?next="+safeNext(c.OriginalURL()), fiber.StatusSeeOther)
	}
	data := s.pageData(c, "Terjadi kesalahan")
	data["Status"] = status
	data["Message"] = ae.Message
	data["RequestID"] = rid
	if rerr := c.Render("error", data); rerr != nil {
		s.Logger.ErrorContext(c.UserContext(), "render error page", "err", rerr, "request_id", rid)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString(ae.Message)
	}
	return nil
}

func acceptsHTML(c *fiber.Ctx) bool {
	a := c.Get(fiber.HeaderAccept)
	return a == "" || strings.Contains(a, "text/html") || strings.Contains(a, "*/*")
}
