package web

import (
	"net/netip"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
)

// The client's address, the one identity of a client everywhere the server needs one: the
// rate limits (sign-in, token endpoint, public verification), the session record and the
// access log.
//
// Without trusted proxies (Deps.TrustedProxies empty, the default) it is the address of the
// connection, and X-Forwarded-For is ignored. When the connection comes from a trusted proxy,
// the header is read from the right — each proxy appends the address it received the request
// from — skipping the addresses of trusted proxies, and the first address that is not one is
// the client: the rightmost untrusted address. Everything to its left was written by the
// client itself and is never believed (nor read: a malformed entry there changes nothing). A
// malformed entry met before the client's, a missing header, or a chain of trusted proxies
// only makes the connecting proxy's own address the answer rather than a guess. Fiber's
// ProxyHeader is not used: its c.IP() returns the leftmost address (or the whole header), the
// one the client chooses.

// headerXForwardedFor is the header's canonical form in fasthttp.
const headerXForwardedFor = "X-Forwarded-For"

// clientAddr returns the client's address (IPv4 as 4 bytes, never IPv4-mapped IPv6). It
// allocates nothing when no proxy is trusted or the peer is not one.
func (s *Server) clientAddr(c *fiber.Ctx) netip.Addr {
	peer := peerAddr(c)
	if len(s.TrustedProxies) == 0 || !s.trustedProxy(peer) {
		return peer
	}
	return s.forwardedClient(peer, c.Request().Header.PeekAll(headerXForwardedFor))
}

// clientIP is clientAddr as text, for logs and records.
func (s *Server) clientIP(c *fiber.Ctx) string { return s.clientAddr(c).String() }

// peerAddr is the address of the connection.
func peerAddr(c *fiber.Ctx) netip.Addr {
	a, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	return a.Unmap()
}

// trustedProxy reports whether a is the address of a trusted proxy.
func (s *Server) trustedProxy(a netip.Addr) bool {
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedClient picks the client from the X-Forwarded-For header lines of a request that
// came from the trusted proxy peer (lines in order; their entries concatenated).
func (s *Server) forwardedClient(peer netip.Addr, lines [][]byte) netip.Addr {
	for i := len(lines) - 1; i >= 0; i-- {
		line := lines[i]
		for end := len(line); end >= 0; {
			start := end - 1
			for start >= 0 && line[start] != ',' {
				start--
			}
			a, ok := parseForwardedAddr(line[start+1 : end])
			if !ok {
				return peer
			}
			if !s.trustedProxy(a) {
				return a
			}
			end = start
		}
	}
	// Only trusted proxies in the chain (or no header: a request made by the proxy itself):
	// the proxy's address.
	return peer
}

// parseForwardedAddr parses one X-Forwarded-For entry: an IPv4 or IPv6 address, with spaces
// and tabs around it and optionally a port ("192.0.2.1:5678", "[2001:db8::1]:443"), as some
// proxies write. Zones and anything else are malformed.
func parseForwardedAddr(b []byte) (netip.Addr, bool) {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	if len(b) == 0 || len(b) > 64 {
		return netip.Addr{}, false
	}
	str := utils.UnsafeString(b) // read only during this call, never kept
	a, err := netip.ParseAddr(str)
	if err != nil {
		ap, perr := netip.ParseAddrPort(str)
		if perr != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	if a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
