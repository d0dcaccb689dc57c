package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/netip"
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
//
// A made id is 16 hex digits from math/rand/v2: the runtime's per-thread ChaCha8 generator,
// seeded from the system, a few nanoseconds, where crypto/rand cost a system call on every
// request. A request id needs to be unique in the logs, not secret; being random rather than
// a counter, it does not tell a client how many requests the server answers.
func (s *Server) requestID(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	var made [16]byte
	if saneRequestID(id) {
		id = strings.Clone(id)
		c.Response().Header.SetCanonical(headerRequestID, []byte(id))
	} else {
		const digits = "0123456789abcdef"
		n := mrand.Uint64()
		for i := len(made) - 1; i >= 0; i-- {
			made[i] = digits[n&15]
			n >>= 4
		}
		id = string(made[:])
		c.Response().Header.SetCanonical(headerRequestID, made[:])
	}
	c.Locals(localRequestID, id)
	return c.Next()
}

// headerRequestID is X-Request-ID as fasthttp writes it (canonical form, set without being
// normalised again on every request).
var headerRequestID = []byte("X-Request-Id")

// saneRequestID accepts a client's request id of 1–64 letters, digits, '-' and '_'.
func saneRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

func requestIDOf(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// accessLogSample is how often a quiet route's success is logged at Info: one in so many.
const accessLogSample = 1000

// accessLog writes one structured line per request. Query strings are left out: they may
// carry search terms about people.
//
// The public verification (GET /api/v1/verify and the page GET /v/{token}) is the one route
// anybody can call thousands of times a second, and on it a log line cost as much as
// everything else the server adds to the signature check. Its successful answers are
// therefore logged at Debug, and one in accessLogSample, drawn at random, at Info (with
// "sampled": that number, so that the volume can still be read from the logs); its failures
// (status 400 and above) are logged like any other request's. The token in /v/{token} is
// never logged: it carries the holder's NIP.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.App.Config().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	path := c.Path()
	publicVerify := strings.HasPrefix(path, "/v/")
	if publicVerify {
		path = "/v/{token}"
	} else {
		publicVerify = path == "/api/v1/verify"
	}
	level, sampled := slog.LevelInfo, 0
	if publicVerify && status < 400 && c.Method() == fiber.MethodGet {
		level = slog.LevelDebug
		if mrand.Uint64N(accessLogSample) == 0 {
			level, sampled = slog.LevelInfo, accessLogSample
		}
	}
	ctx := c.UserContext()
	if !s.Logger.Enabled(ctx, level) {
		return nil
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("request_id", requestIDOf(c)), slog.String("method", c.Method()),
		slog.String("path", path), slog.Int("status", status),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000), slog.String("ip", s.clientIP(c)))
	if u, ok := c.Locals(localUser).(domain.User); ok {
		attrs = append(attrs, slog.String("user", u.Username))
	}
	if sampled > 0 {
		attrs = append(attrs, slog.Int("sampled", sampled))
	}
	s.Logger.LogAttrs(ctx, level, "http", attrs...)
	return nil
}

// securityHeaderKV are the security headers of every answer, in fasthttp's canonical form so
// that they are copied as they are rather than parsed and normalised on every request.
var securityHeaderKV = [...][2][]byte{
	{[]byte("X-Content-Type-Options"), []byte("nosniff")},
	{[]byte("X-Frame-Options"), []byte("DENY")},
	{[]byte("Referrer-Policy"), []byte("same-origin")},
	{[]byte("Content-Security-Policy"), []byte("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
		"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")},
}

func securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	for _, kv := range securityHeaderKV {
		h.SetCanonical(kv[0], kv[1])
	}
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

// safeNext is localPath(next) escaped for a query string (/masuk?next=…).
func safeNext(next string) string { return url.QueryEscape(localPath(next)) }

// localPath returns next when it is a path on this site, else "/": the post-login redirect
// must not lead elsewhere. Control characters, spaces and backslashes are refused anywhere:
// browsers drop tabs and line breaks from a URL and read "\" as "/", so "/<TAB>/evil.example"
// or "/\evil.example" would reach another site, and a raw CR or LF would end the Location
// header and start headers of the caller's choosing (fasthttp writes the value as it is).
func localPath(next string) string {
	if next == "" || len(next) > 2048 || next[0] != '/' || strings.HasPrefix(next, "//") {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if b := next[i]; b <= ' ' || b == 0x7f || b == '\\' {
			return "/"
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// limiter is a fixed-window counter per client address, kept in memory.
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

// allowClient counts one hit for the client address a (Server.clientAddr) and reports
// whether it is within the limit. The address is keyed by its bytes (4 for IPv4, 16 for
// IPv6) rather than its text, so that counting a known client allocates nothing.
func (l *limiter) allowClient(a netip.Addr, now time.Time) bool {
	if a.Is4() {
		b := a.As4()
		return l.hit(b[:], now)
	}
	b := a.As16()
	return l.hit(b[:], now)
}

// hit counts one hit for the key b.
func (l *limiter) hit(b []byte, now time.Time) bool {
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
	w := l.hits[string(b)] // no copy for a lookup
	switch {
	case w == nil:
		w = &hitWindow{start: now}
		l.hits[string(b)] = w
	case now.Sub(w.start) > l.window:
		w.start, w.n = now, 0
	}
	w.n++
	return w.n <= l.limit
}
