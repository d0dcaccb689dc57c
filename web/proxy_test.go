package web

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/sertika/sertika/internal/domain"
)

// Client addresses behind a trusted reverse proxy (web/clientip.go).

func prefixes(list ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

// clientAddrOf runs s.clientAddr on a request from peer with the given X-Forwarded-For
// header lines.
func clientAddrOf(s *Server, peer string, xff ...string) netip.Addr {
	app := fiber.New()
	var req fasthttp.Request
	for _, line := range xff {
		req.Header.Add("X-Forwarded-For", line)
	}
	var fctx fasthttp.RequestCtx
	fctx.Init(&req, &net.TCPAddr{IP: net.ParseIP(peer), Port: 40000}, nil)
	c := app.AcquireCtx(&fctx)
	defer app.ReleaseCtx(c)
	return s.clientAddr(c)
}

func TestProxyClientAddress(t *testing.T) {
	trusted := prefixes("127.0.0.1/32", "10.0.0.0/8", "::1/128")
	for _, tc := range []struct {
		name    string
		proxies []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		{"no proxies configured: header ignored", nil, "198.51.100.1", []string{"203.0.113.7"}, "198.51.100.1"},
		{"no proxies configured, proxy-looking peer", nil, "127.0.0.1", []string{"203.0.113.7"}, "127.0.0.1"},
		{"untrusted peer: spoofed header ignored", trusted, "198.51.100.1", []string{"203.0.113.7"}, "198.51.100.1"},
		{"untrusted peer naming a trusted proxy", trusted, "198.51.100.1", []string{"10.0.0.2"}, "198.51.100.1"},
		{"trusted peer, one client", trusted, "127.0.0.1", []string{"203.0.113.7"}, "203.0.113.7"},
		{"trusted peer, no header", trusted, "127.0.0.1", nil, "127.0.0.1"},
		{"spoofed, client, proxy2", trusted, "127.0.0.1", []string{"192.0.2.66, 203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
		{"leftmost never taken", trusted, "127.0.0.1", []string{"192.0.2.66,203.0.113.7"}, "203.0.113.7"},
		{"chain over header lines", trusted, "127.0.0.1", []string{"192.0.2.66, 203.0.113.7", "10.0.0.3", "10.0.0.2"}, "203.0.113.7"},
		{"client in a later line", trusted, "127.0.0.1", []string{"192.0.2.66", "203.0.113.7"}, "203.0.113.7"},
		{"only trusted proxies", trusted, "127.0.0.1", []string{"10.0.0.3, 10.0.0.2"}, "127.0.0.1"},
		{"malformed rightmost", trusted, "127.0.0.1", []string{"203.0.113.7, bukan-alamat"}, "127.0.0.1"},
		{"malformed behind a proxy", trusted, "127.0.0.1", []string{"203.0.113.7, 999.1.1.1, 10.0.0.2"}, "127.0.0.1"},
		{"empty entry", trusted, "127.0.0.1", []string{"203.0.113.7, "}, "127.0.0.1"},
		{"empty header", trusted, "127.0.0.1", []string{""}, "127.0.0.1"},
		{"zone", trusted, "127.0.0.1", []string{"fe80::1%eth0"}, "127.0.0.1"},
		{"obfuscated", trusted, "127.0.0.1", []string{"unknown"}, "127.0.0.1"},
		{"malformed left of the client is the client's own", trusted, "127.0.0.1", []string{"<script>, 203.0.113.7"}, "203.0.113.7"},
		{"port", trusted, "127.0.0.1", []string{"203.0.113.7:5555"}, "203.0.113.7"},
		{"IPv6 client", trusted, "127.0.0.1", []string{"2001:db8::7"}, "2001:db8::7"},
		{"IPv6 client with port", trusted, "127.0.0.1", []string{"[2001:db8::7]:443"}, "2001:db8::7"},
		{"IPv4-mapped client", trusted, "127.0.0.1", []string{"::ffff:203.0.113.7"}, "203.0.113.7"},
		{"IPv4-mapped proxy", trusted, "127.0.0.1", []string{"203.0.113.7, ::ffff:10.0.0.2"}, "203.0.113.7"},
		{"IPv6 proxy", trusted, "::1", []string{"203.0.113.7"}, "203.0.113.7"},
		{"IPv4-mapped peer", trusted, "::ffff:127.0.0.1", []string{"203.0.113.7"}, "203.0.113.7"},
		{"tabs and spaces", trusted, "127.0.0.1", []string{"\t203.0.113.7 \t,  10.0.0.2 "}, "203.0.113.7"},
	} {
		s := &Server{Deps: Deps{TrustedProxies: tc.proxies}}
		if got := clientAddrOf(s, tc.peer, tc.xff...); got.String() != tc.want {
			t.Errorf("%s: peer %s, X-Forwarded-For %q: client %s, want %s", tc.name, tc.peer, tc.xff, got, tc.want)
		}
	}
}

// The client address and the limiter cost no allocation without proxies, nor with a trusted
// proxy once the header buffers are warm (the verification API's hot path).
func TestProxyClientAddressAllocs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []netip.Prefix
	}{{"no proxies", nil}, {"trusted proxy", prefixes("127.0.0.1/32")}} {
		s := &Server{Deps: Deps{TrustedProxies: tc.proxies}}
		app := fiber.New()
		var req fasthttp.Request
		req.Header.Add("X-Forwarded-For", "192.0.2.66, 203.0.113.7")
		var fctx fasthttp.RequestCtx
		fctx.Init(&req, &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 40000}, nil)
		c := app.AcquireCtx(&fctx)
		l := newLimiter(1<<30, time.Minute)
		now := time.Now()
		l.allowClient(s.clientAddr(c), now)
		if n := testing.AllocsPerRun(100, func() { l.allowClient(s.clientAddr(c), now) }); n != 0 {
			t.Errorf("%s: %v allocations per request", tc.name, n)
		}
		app.ReleaseCtx(c)
	}
}

// proxyClient talks to the server on a real loopback socket, as the reverse proxy of the
// README's nginx example does: every request comes from 127.0.0.1 and carries the
// X-Forwarded-For header given.
type proxyClient struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func (ts *testServer) proxyClient(t *testing.T) *proxyClient {
	return &proxyClient{t: t, base: ts.startAPIListener(), hc: &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (p *proxyClient) send(method, path, xff string, header http.Header, body string) (*http.Response, string) {
	p.t.Helper()
	req, err := http.NewRequest(method, p.base+path, strings.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// token asks POST /api/v1/auth/token.
func (p *proxyClient) token(xff, body string) (*http.Response, string) {
	p.t.Helper()
	return p.send("POST", "/api/v1/auth/token", xff, http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}, body)
}

// formLogin signs in through the login form (loading it first for the CSRF cookie).
func (p *proxyClient) formLogin(xff, username, password string) (*http.Response, string) {
	p.t.Helper()
	resp, body := p.send("GET", "/masuk", xff, http.Header{"Accept": {"text/html"}}, "")
	m := csrfRE.FindStringSubmatch(body)
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == csrfCookie {
			cookie = c
		}
	}
	if m == nil || cookie == nil {
		p.t.Fatalf("login form: %d, no CSRF token or cookie: %.300s", resp.StatusCode, body)
	}
	form := url.Values{"username": {username}, "password": {password}, "_csrf": {m[1]}}
	return p.send("POST", "/masuk", xff, http.Header{"Accept": {"text/html"}, "Content-Type": {"application/x-www-form-urlencoded"},
		"Cookie": {cookie.Name + "=" + cookie.Value}}, form.Encode())
}

// Behind a trusted proxy, every client has its own sign-in limit (form and token endpoint
// together): client A's 21st attempt is refused while client B still signs in, and the access
// log and the session record carry the client's address, not the proxy's.
func TestProxySignInLimitPerClient(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		ts.srv.TrustedProxies = prefixes("127.0.0.1/32", "10.0.0.0/8")
		var logs syncBuffer
		ts.srv.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		p := ts.proxyClient(t)
		const clientA, clientB = "203.0.113.10", "203.0.113.20"
		for i := 1; i <= 20; i++ {
			// Client A writes its own X-Forwarded-For, hoping to spread its attempts over
			// many addresses; nginx appends the address it sees. Half go through a second
			// proxy.
			xff := "198.51.100." + strconv.Itoa(i) + ", " + clientA
			if i%2 == 0 {
				xff += ", 10.0.0.2"
			}
			if resp, body := p.token(xff, "{"); resp.StatusCode != 400 {
				t.Fatalf("client A, attempt %d: %d %s", i, resp.StatusCode, body)
			}
		}
		resp, body := p.token(clientA, tokenBody("admin", testPassword))
		wantError(t, "client A, 21st attempt (token)", resp, body, 429, "rate_limited")
		if resp, body := p.formLogin(clientA, "admin", testPassword); resp.StatusCode != 429 || !strings.Contains(body, "dari alamat ini") {
			t.Errorf("client A, 22nd attempt (form): %d %.300s", resp.StatusCode, body)
		}
		if resp, body := p.token(clientB, tokenBody("admin", testPassword)); resp.StatusCode != 200 {
			t.Errorf("client B behind the same proxy, token: %d %s", resp.StatusCode, body)
		}
		resp, body = p.formLogin("192.0.2.99, "+clientB, testUsers[domain.RoleVerifikator], testPassword)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("client B behind the same proxy, form: %d %.300s", resp.StatusCode, body)
		}
		var ip string
		if err := ts.db.Gorm.Raw("SELECT s.ip FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = ?",
			testUsers[domain.RoleVerifikator]).Scan(&ip).Error; err != nil || ip != clientB {
			t.Errorf("session recorded address %q (%v), want %s", ip, err, clientB)
		}
		out := logs.String()
		for _, want := range []string{"path=/api/v1/auth/token status=429", "ip=" + clientA, "ip=" + clientB} {
			if !strings.Contains(out, want) {
				t.Errorf("access log lacks %q:\n%.2000s", want, out)
			}
		}
		if strings.Contains(out, "ip=127.0.0.1") || strings.Contains(out, "ip=198.51.100.") {
			t.Errorf("access log records the proxy's or a spoofed address:\n%.2000s", out)
		}
	})
}

// A peer that is not a trusted proxy is never believed: whatever X-Forwarded-For it sends,
// its attempts count against its own address — with a proxy list that does not name it, and
// with none at all.
func TestProxySpoofedHeaderIgnored(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		p := ts.proxyClient(t)
		for _, proxies := range [][]netip.Prefix{prefixes("10.0.0.1/32"), nil} {
			ts.srv.TrustedProxies = proxies
			ts.srv.loginLimiter = newLimiter(20, time.Minute)
			for i := 1; i <= 20; i++ {
				if resp, body := p.token("203.0.113."+strconv.Itoa(i), "{"); resp.StatusCode != 400 {
					t.Fatalf("proxies %v, attempt %d: %d %s", proxies, i, resp.StatusCode, body)
				}
			}
			resp, body := p.token("203.0.113.99, 10.0.0.1", tokenBody("admin", testPassword))
			wantError(t, "21st attempt with yet another forged address", resp, body, 429, "rate_limited")
		}
	})
}

// The public verification's limits are per client behind a trusted proxy too.
func TestProxyVerifyLimitPerClient(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		ts.srv.TrustedProxies = prefixes("127.0.0.1/32")
		ts.srv.SetVerifyRateLimit(3)
		p := ts.proxyClient(t)
		get := func(xff string) int {
			resp, _ := p.send("GET", "/api/v1/verify?token=x", xff, http.Header{"Accept": {"application/json"}}, "")
			return resp.StatusCode
		}
		// limited sends n requests as client A (all allowed), one more (refused, 429: the
		// last also through a spoofed-looking chain when chain is set), then one as client B
		// (allowed: the limit is A's).
		limited := func(what string, n int, send func(xff string) int, chain string) {
			t.Helper()
			for i := 0; i < n; i++ {
				if st := send("203.0.113.10"); st == 429 {
					t.Fatalf("client A, %s %d refused", what, i+1)
				}
			}
			if st := send(chain + "203.0.113.10"); st != 429 {
				t.Errorf("client A, %s %d: %d, want 429", what, n+1, st)
			}
			if st := send("203.0.113.20"); st == 429 {
				t.Errorf("client B's %s refused for client A's", what)
			}
		}
		limited("request", 3, get, "192.0.2.1, ")
		// Look-ups by number and NIP: their own limit, per client as well.
		look := func(xff string) int {
			resp, _ := p.send("POST", "/periksa", xff, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"text/html"}},
				url.Values{"nomor": {"800.1/0001"}, "nip": {nipA1}}.Encode())
			return resp.StatusCode
		}
		limited("look-up", 30, look, "")
	})
}
