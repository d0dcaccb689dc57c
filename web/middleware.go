package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// Names of cookies and locals.
const (
	sessionCookie = "sertika_sesi"
	csrfCookie    = "sertika_csrf" // pre-sign-in CSRF token (double-submit) for the login form
	csrfField     = "_csrf"
	csrfHeader    = "X-CSRF-Token"

	localRequestID = "request_id"
	localUser      = "user"
	localSession   = "session"
)

func (s *Server) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.Logger.Error("panic", "request_id", requestIDOf(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = apperr.Internal(fmt.Errorf("panic: %v", r))
		}
	}()
	return c.Next()
}

// requestID takes a sane X-Request-ID from the client or makes one, and echoes it.
func (s *Server) requestID(c *fiber.Ctx) error {
	id := c.Get("X-Request-ID")
	if len(id) == 0 || len(id) > 64 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	} else {
		id = strings.Clone(id)
	}
	c.Locals(localRequestID, id)
	c.Set("X-Request-ID", id)
	return c.Next()
}

func requestIDOf(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// accessLog writes one structured line per request. Query strings are left out: they may
// carry search terms about people.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.App.Config().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	attrs := []any{"request_id", requestIDOf(c), "method", c.Method(), "path", c.Path(),
		"status", c.Response().StatusCode(), "duration_ms", float64(time.Since(start).Microseconds()) / 1000, "ip", c.IP()}
	if u, ok := c.Locals(localUser).(domain.User); ok {
		attrs = append(attrs, "user", u.Username)
	}
	s.Logger.Info("http", attrs...)
	return nil
}

func securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	return c.Next()
}

// currentUser returns the signed-in user (ok=false when anonymous).
func currentUser(c *fiber.Ctx) (domain.User, bool) {
	u, ok := c.Locals(localUser).(domain.User)
	return u, ok
}

// actor returns the acting user for service calls (the zero Actor when anonymous).
func actor(c *fiber.Ctx) domain.Actor {
	if u, ok := currentUser(c); ok {
		return u.Actor()
	}
	return domain.Actor{}
}

// loadSession attaches the user of a valid session cookie, if any, then calls next. It never
// refuses a request itself.
func (s *Server) loadSession(c *fiber.Ctx, next func() error) error {
	if tok := c.Cookies(sessionCookie); tok != "" {
		sess, u, err := s.Accounts.LookupSession(c.UserContext(), tok)
		if err == nil {
			c.Locals(localUser, u)
			c.Locals(localSession, sess)
		} else if apperr.CodeOf(err) == apperr.CodeInternal {
			return err
		} else {
			s.clearCookie(c, sessionCookie)
		}
	}
	return next()
}

// requireLogin refuses anonymous requests (the error handler redirects pages to /masuk).
func requireLogin(c *fiber.Ctx) error {
	if _, ok := currentUser(c); !ok {
		return apperr.Unauthorized("Silakan masuk terlebih dahulu.")
	}
	return c.Next()
}

// requireRole lets only the given roles through. It is a convenience for navigation; the
// services check rights again themselves.
func requireRole(roles ...domain.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u, ok := currentUser(c)
		if !ok {
			return apperr.Unauthorized("Silakan masuk terlebih dahulu.")
		}
		for _, r := range roles {
			if u.Role == r {
				return c.Next()
			}
		}
		if isAPI(c) {
			return apperr.Forbidden("Peran Anda tidak berhak melakukan tindakan ini.")
		}
		return apperr.Forbidden("Anda tidak berhak membuka halaman ini.")
	}
}

// csrfToken returns the token forms must carry: the session's, or before sign-in a random
// value kept in a cookie (double-submit).
func (s *Server) csrfToken(c *fiber.Ctx) string {
	if sess, ok := c.Locals(localSession).(account.Session); ok {
		return sess.CSRFToken
	}
	if t := c.Cookies(csrfCookie); len(t) >= 32 && len(t) <= 64 {
		return strings.Clone(t)
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	t := hex.EncodeToString(b[:])
	c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: t, Path: "/", HTTPOnly: true, Secure: s.SecureCookies, SameSite: fiber.CookieSameSiteStrictMode})
	c.Request().Header.SetCookie(csrfCookie, t) // visible to csrfToken later in this request
	return t
}

// checkCSRF refuses state-changing browser requests without the right token.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	want := ""
	if sess, ok := c.Locals(localSession).(account.Session); ok {
		want = sess.CSRFToken
	} else {
		want = c.Cookies(csrfCookie)
	}
	got := c.FormValue(csrfField)
	if got == "" {
		got = c.Get(csrfHeader)
	}
	if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return apperr.Forbidden("Formulir kedaluwarsa atau tidak sah (token CSRF). Muat ulang halaman lalu coba lagi.")
	}
	return c.Next()
}

func (s *Server) setSessionCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, Secure: s.SecureCookies,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Now().Add(account.SessionLifetime)})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", HTTPOnly: true, Secure: s.SecureCookies,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0), MaxAge: -1})
}

// bearerAuth attaches the user of a valid API bearer token; requests without one are refused.
func (s *Server) bearerAuth(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="sertika"`)
		return apperr.Unauthorized("Sertakan token akses: header Authorization: Bearer <token>. Token diperoleh dari POST /api/v1/auth/token.")
	}
	u, err := s.Accounts.ParseToken(c.UserContext(), strings.TrimSpace(h[len(prefix):]))
	if err != nil {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="sertika", error="invalid_token"`)
		return err
	}
	c.Locals(localUser, u)
	return c.Next()
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return url.QueryEscape("/")
	}
	return url.QueryEscape(next)
}

// limiter is a fixed-window counter per key (client address), kept in memory.
type limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	hits   map[string]*hitWindow
	swept  time.Time
}

type hitWindow struct {
	start time.Time
	n     int
}

func newLimiter(limit int, window time.Duration) *limiter {
	return &limiter{limit: limit, window: window, hits: map[string]*hitWindow{}}
}

// allow counts one hit for key and reports whether it is within the limit.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.window {
		for k, w := range l.hits {
			if now.Sub(w.start) > l.window {
				delete(l.hits, k)
			}
		}
		l.swept = now
	}
	w := l.hits[key]
	if w == nil || now.Sub(w.start) > l.window {
		w = &hitWindow{start: now}
		l.hits[key] = w
	}
	w.n++
	return w.n <= l.limit
}
