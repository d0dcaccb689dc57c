package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/domain"
)

// templateFuncs are the helpers available in every template.
func templateFuncs() template.FuncMap {
	months := []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
	return template.FuncMap{
		// tanggal formats a date the Indonesian way: "23 November 2026".
		"tanggal": func(v any) string {
			var t time.Time
			switch x := v.(type) {
			case time.Time:
				t = x
			case *time.Time:
				if x != nil {
					t = *x
				}
			case domain.Date:
				t = x.Time
			}
			if t.IsZero() {
				return "–"
			}
			return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
		},
		// waktu formats a time of day in WIB alongside the date.
		"waktu": func(t time.Time) string {
			if t.IsZero() {
				return "–"
			}
			w := t.In(wib)
			return fmt.Sprintf("%d %s %d %02d.%02d WIB", w.Day(), months[w.Month()-1], w.Year(), w.Hour(), w.Minute())
		},
		"roleLabel":      func(r domain.Role) string { return r.Label() },
		"educationLabel": domain.EducationLabel,
		"fullName":       domain.FullName,
		"ribuan":         thousands,
		"add":            func(a, b int) int { return a + b },
		"hasRole": func(u *domain.User, roles ...string) bool {
			if u == nil {
				return false
			}
			for _, r := range roles {
				if string(u.Role) == r {
					return true
				}
			}
			return false
		},
	}
}

// wib is Western Indonesia Time (UTC+7), the zone of most regional governments.
var wib = time.FixedZone("WIB", 7*3600)

// thousands formats n with dots as thousands separators: 12345 → "12.345".
func thousands(n any) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// pageData is the data every page template receives: the title, the signed-in user and their
// unread notifications, the CSRF token for forms, the agency's identity and the version.
func (s *Server) pageData(c *fiber.Ctx, title string) fiber.Map {
	m := fiber.Map{"Title": title, "CSRF": s.csrfToken(c), "Version": s.Version, "Path": c.Path()}
	if u, ok := currentUser(c); ok {
		m["User"] = &u
		// The bell in the menu: one indexed count per page. A failure only hides the number.
		if s.Requests != nil {
			if n, err := s.Requests.UnreadCount(c.UserContext(), u.Actor()); err == nil {
				m["Unread"] = n
			}
		}
	}
	// Only the columns the layout shows: the full row carries the logo (up to 1 MB), which
	// pages link to (/pengaturan/logo) rather than embed.
	if ag, err := s.Directory.GetAgencyHeader(c.UserContext()); err == nil {
		m["Agency"] = ag
	}
	if f := c.Cookies(flashCookie); f != "" {
		if msg, err := url.QueryUnescape(f); err == nil {
			m["Flash"] = msg
		}
		s.clearCookie(c, flashCookie)
	}
	return m
}

const flashCookie = "sertika_pesan"

// flash keeps a short confirmation for the next page (after a redirect).
func (s *Server) flash(c *fiber.Ctx, msg string) {
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HTTPOnly: true, Secure: s.SecureCookies,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: 60})
}

// render renders a page template with the common data merged in.
func (s *Server) render(c *fiber.Ctx, name, title string, data fiber.Map) error {
	m := s.pageData(c, title)
	for k, v := range data {
		m[k] = v
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render(name, m)
}
