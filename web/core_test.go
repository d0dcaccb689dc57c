package web

import (
	"net/url"
	"strings"
	"testing"
)

func TestHealthAndReady(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		resp, body := ts.api("GET", "/healthz", "", "")
		if resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
			t.Errorf("healthz = %d %s", resp.StatusCode, body)
		}
		resp, body = ts.api("GET", "/readyz", "", "")
		if resp.StatusCode != 200 || !strings.Contains(body, `"ready"`) {
			t.Errorf("readyz = %d %s", resp.StatusCode, body)
		}
	})
}

func TestLoginLogoutAndCSRF(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		// Anonymous pages redirect to the login form.
		b := ts.newBrowser()
		resp, _ := b.get("/")
		if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/masuk") {
			t.Fatalf("anonymous / = %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		// A login form posted without its CSRF token is refused and signs nobody in.
		resp, body := b.postForm("/masuk", url.Values{"_csrf": {""}, "username": {"admin"}, "password": {testPassword}})
		if resp.StatusCode != 403 || !strings.Contains(body, "CSRF") || b.cookies[sessionCookie] != "" {
			t.Fatalf("login without CSRF = %d, session %q", resp.StatusCode, b.cookies[sessionCookie])
		}
		// Wrong password: the same words as for an unknown user.
		_, bad := b.postForm("/masuk", url.Values{"username": {"admin"}, "password": {"salah-sekali"}})
		_, unknown := b.postForm("/masuk", url.Values{"username": {"tidak.ada"}, "password": {"salah-sekali"}})
		if !strings.Contains(bad, "Nama pengguna atau kata sandi salah.") || !strings.Contains(unknown, "Nama pengguna atau kata sandi salah.") {
			t.Errorf("wrong password and unknown user answered differently")
		}
		// Signed in, the dashboard shows; logout needs the session's CSRF token.
		b = ts.login("admin")
		resp, body = b.get("/")
		if resp.StatusCode != 200 || !strings.Contains(body, "Beranda") {
			t.Fatalf("dashboard = %d", resp.StatusCode)
		}
		resp, _ = b.postForm("/keluar", url.Values{"_csrf": {"palsu"}})
		if resp.StatusCode != 403 {
			t.Errorf("logout with a forged CSRF token = %d, want 403", resp.StatusCode)
		}
		resp, _ = b.postForm("/keluar", nil)
		if resp.StatusCode != 303 {
			t.Fatalf("logout = %d", resp.StatusCode)
		}
		resp, _ = b.get("/")
		if resp.StatusCode != 303 {
			t.Errorf("after logout / = %d, want a redirect to the login form", resp.StatusCode)
		}
	})
}

func TestErrorBodies(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		resp, body := ts.api("GET", "/api/v1/tidak-ada", "", "")
		if resp.StatusCode != 404 || !strings.Contains(body, `"error":{"code":"not_found"`) {
			t.Errorf("unknown API route = %d %s", resp.StatusCode, body)
		}
		b := ts.login("admin")
		resp, body = b.get("/tidak-ada")
		if resp.StatusCode != 404 || !strings.Contains(body, "Halaman tidak ditemukan.") {
			t.Errorf("unknown page = %d", resp.StatusCode)
		}
	})
}
