package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/document"
	"github.com/sertika/sertika/internal/qr"
	"github.com/sertika/sertika/verifier"
)

// verifyFixture is an issuer's key, its published key set as a file, and a certificate
// token signed with it: everything the offline verifier is given.
type verifyFixture struct {
	key      ed25519.PrivateKey
	set      verifier.JWKS
	jwksFile string
	claims   verifier.Claims
	token    string // compact JWS
	url      string // the QR's verification URL
	dir      string
}

var verifyKeyFrom = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

func newVerifyFixture(t *testing.T) *verifyFixture {
	t.Helper()
	f := &verifyFixture{key: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)), dir: t.TempDir()}
	f.set = verifier.JWKS{Keys: []verifier.JWK{verifier.PublicKeyFor("CLIKEY22", f.key.Public().(ed25519.PublicKey), verifyKeyFrom)}}
	f.jwksFile = f.write(t, "jwks.json", mustJSON(t, f.set))
	f.claims = verifier.Claims{Issuer: "TIDORE", Subject: "196608011988031001", ID: "CLICERTAAAAAAAAA",
		IssuedAt: time.Date(2026, 3, 16, 3, 0, 0, 0, time.UTC).Unix(), JP: 24, Start: 20522, End: 20524, Kind: "teknis",
		Digest: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
	var err error
	if f.token, err = verifier.Sign(f.claims, "CLIKEY22", f.key); err != nil {
		t.Fatal(err)
	}
	short, err := verifier.Short(f.token)
	if err != nil {
		t.Fatal(err)
	}
	f.url = verifier.VerifyURL("https://sertika.example.go.id", short)
	return f
}

func (f *verifyFixture) write(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(f.dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// statusList signs a status list with the fixture's key, issued at the given time.
func (f *verifyFixture) statusList(t *testing.T, at time.Time, revoked ...string) []byte {
	t.Helper()
	var entries []verifier.StatusEntry
	for i, id := range revoked {
		entries = append(entries, verifier.StatusEntry{Index: int64(i + 1), ID: id})
	}
	jws, err := verifier.SignStatusList("TIDORE", at, at.Add(72*time.Hour), 64, entries, "CLIKEY22", f.key)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(jws)
}

// runVerifyCLI runs "sertika verify args…" with the environment and standard input given.
func runVerifyCLI(t *testing.T, environ map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return environ[k] }}
	code := run(context.Background(), append([]string{"verify"}, args...), e)
	return code, out.String(), errb.String()
}

// fakeIssuer serves a key set, a status list and GET /api/v1/verify with a fixed verdict.
type fakeIssuer struct {
	srv     *httptest.Server
	jwks    []byte
	list    []byte
	verdict atomic.Value // string
	asked   atomic.Int32
}

func newFakeIssuer(t *testing.T, f *verifyFixture) *fakeIssuer {
	t.Helper()
	fi := &fakeIssuer{jwks: mustJSON(t, f.set)}
	fi.verdict.Store("valid")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) { w.Write(fi.jwks) })
	mux.HandleFunc("GET /api/v1/status-list", func(w http.ResponseWriter, r *http.Request) { w.Write(fi.list) })
	mux.HandleFunc("GET /api/v1/verify", func(w http.ResponseWriter, r *http.Request) {
		fi.asked.Add(1)
		if _, err := verifier.Normalize(r.URL.Query().Get("token")); err != nil {
			http.Error(w, `{"error":"bad token"}`, http.StatusBadRequest)
			return
		}
		switch v := fi.verdict.Load().(string); v {
		case "valid":
			w.Write([]byte(`{"status":"valid","checks":[{"name":"signature","ok":true,"detail":"x"},` +
				`{"name":"record","ok":true,"detail":"Catatan sertifikat ditemukan dan cocok."},` +
				`{"name":"status","ok":true,"detail":"Sertifikat masih berlaku."}],"certificate":{"number":"800.1/0001"}}`))
		case "revoked":
			w.Write([]byte(`{"status":"revoked","checks":[{"name":"record","ok":true,"detail":"Catatan sertifikat ditemukan dan cocok."},` +
				`{"name":"status","ok":false,"detail":"Sertifikat telah dicabut."}],"certificate":{"number":"800.1/0001","state":"revoked"}}`))
		case "invalid":
			w.Write([]byte(`{"status":"invalid","checks":[{"name":"record","ok":false,"detail":"Catatan di server tidak cocok."}],"certificate":null}`))
		default:
			http.Error(w, "down", http.StatusInternalServerError)
		}
	})
	fi.srv = httptest.NewServer(mux)
	t.Cleanup(fi.srv.Close)
	return fi
}

func TestVerifyCommandExitCodes(t *testing.T) {
	f := newVerifyFixture(t)
	parts := strings.Split(f.token, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(bytes.Replace(payload, []byte(`"jp":24`), []byte(`"jp":240`), 1)) + "." + parts[2]
	otherKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))
	unknown, _ := verifier.Sign(f.claims, "OTHERKEY", otherKey)
	forged, _ := verifier.Sign(f.claims, "CLIKEY22", otherKey)

	code, err := qr.Encode(f.url)
	if err != nil {
		t.Fatal(err)
	}
	qrPNG, err := code.PNG(4)
	if err != nil {
		t.Fatal(err)
	}
	pngFile := f.write(t, "sertifikat.png", qrPNG)
	renderer, err := document.NewCertificateRenderer()
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := renderer.Render(document.CertificateData{AgencyName: "Pemerintah Kota Tidore Kepulauan", Number: "800.1/0001",
		HolderName: "Andi Wijaya", NIP: f.claims.Subject, ActivityTitle: "Bimbingan Teknis", KindLabel: "Pelatihan Teknis",
		StartDate: f.claims.StartDate().Time, EndDate: f.claims.EndDate().Time, JP: 24, Place: "Tidore",
		IssuedAt: f.claims.Issued(), SignerName: "Kepala", VerifyURL: f.url, ShortCode: "CLIC-ERTA-AAAA-AAAA",
		PublicURL: "https://sertika.example.go.id"})
	if err != nil {
		t.Fatal(err)
	}
	pdfFile := f.write(t, "sertifikat.pdf", pdf)
	tokenFile := f.write(t, "token.txt", []byte(f.token+"\n"))
	blank := f.write(t, "kosong.pdf", []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"))
	fi := newFakeIssuer(t, f)
	unreachable := "http://127.0.0.1:1/.well-known/jwks.json"

	tests := []struct {
		name    string
		env     map[string]string
		stdin   string
		args    []string
		want    int
		inOut   string // expected in stdout
		inErr   string // expected in stderr
		unasked bool   // the server must not be asked
	}{
		{name: "compact token, key set file", args: []string{"--jwks", f.jwksFile, f.token}, want: 0, inOut: "GENUINE"},
		{name: "verification URL", args: []string{f.url, "--jwks", f.jwksFile}, want: 0, inOut: "Holder NIP:     196608011988031001"},
		{name: "lower-case URL", args: []string{"--jwks", f.jwksFile, strings.ToLower(f.url)}, want: 0},
		{name: "URL without its scheme", args: []string{"--jwks", f.jwksFile, strings.TrimPrefix(f.url, "HTTPS://")}, want: 0},
		{name: "PNG of the QR code", args: []string{"--jwks", f.jwksFile, pngFile}, want: 0, inOut: "GENUINE"},
		{name: "certificate PDF", args: []string{"--jwks", f.jwksFile, pdfFile}, want: 0, inOut: "GENUINE"},
		{name: "token in a text file", args: []string{"--jwks", f.jwksFile, tokenFile}, want: 0},
		{name: "token on standard input", stdin: f.url + "\n", args: []string{"--jwks", f.jwksFile, "-"}, want: 0},
		{name: "key set from SERTIKA_JWKS", env: map[string]string{"SERTIKA_JWKS": f.jwksFile}, args: []string{f.token}, want: 0},
		{name: "key set from SERTIKA_PUBLIC_URL", env: map[string]string{"SERTIKA_PUBLIC_URL": fi.srv.URL + "/"}, args: []string{f.token}, want: 0},
		{name: "key set URL", args: []string{"--jwks", fi.srv.URL + "/.well-known/jwks.json", f.token}, want: 0},

		{name: "tampered token", args: []string{"--jwks", f.jwksFile, tampered}, want: 1, inOut: "NOT VALID"},
		{name: "forged under the issuer's kid", args: []string{"--jwks", f.jwksFile, forged}, want: 1, inOut: "NOT VALID"},
		{name: "unknown key", args: []string{"--jwks", f.jwksFile, unknown}, want: 1, inOut: "never published"},
		{name: "garbage", args: []string{"--jwks", f.jwksFile, "not-a-token"}, want: 1},

		{name: "unreachable key set URL", args: []string{"--jwks", unreachable, f.token}, want: 2, inErr: "could not verify"},
		{name: "key set URL answering 404", args: []string{"--jwks", fi.srv.URL + "/nope.json", f.token}, want: 2, inErr: "404"},
		{name: "no key set at all", args: []string{f.token}, want: 2, inErr: "no key set"},
		{name: "key set file missing", args: []string{"--jwks", filepath.Join(f.dir, "missing.json"), f.token}, want: 2},
		{name: "key set not JSON", args: []string{"--jwks", pngFile, f.token}, want: 2},
		{name: "picture file missing", args: []string{"--jwks", f.jwksFile, filepath.Join(f.dir, "missing.png")}, want: 2, inErr: "cannot read"},
		{name: "PDF without a QR code", args: []string{"--jwks", f.jwksFile, blank}, want: 2, inErr: "no QR code"},
		{name: "no argument", args: []string{"--jwks", f.jwksFile}, want: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := fi.asked.Load()
			code, out, errOut := runVerifyCLI(t, tc.env, tc.stdin, tc.args...)
			if code != tc.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.want, out, errOut)
			}
			if !strings.Contains(out, tc.inOut) || !strings.Contains(errOut, tc.inErr) {
				t.Errorf("stdout %q lacks %q or stderr %q lacks %q", out, tc.inOut, errOut, tc.inErr)
			}
			if fi.asked.Load() != before {
				t.Error("offline verification asked the server")
			}
		})
	}
}

func TestVerifyCommandStatus(t *testing.T) {
	f := newVerifyFixture(t)
	fi := newFakeIssuer(t, f)
	now := time.Now()
	fresh := f.write(t, "fresh.jws", f.statusList(t, now.Add(-time.Hour), "AAAAAAAAAAAAAAAA"))
	revoked := f.write(t, "revoked.jws", f.statusList(t, now.Add(-time.Hour), f.claims.ID))
	stale := f.write(t, "stale.jws", f.statusList(t, now.Add(-100*time.Hour)))
	otherKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	forgedJWS, _ := verifier.SignStatusList("TIDORE", now, now.Add(time.Hour), 64, nil, "CLIKEY22", otherKey)
	forged := f.write(t, "forged.jws", []byte(forgedJWS))
	fi.list = f.statusList(t, now.Add(-time.Minute), f.claims.ID)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()

	tests := []struct {
		name    string
		verdict string // the fake server's answer
		args    []string
		want    int
		inOut   string
	}{
		{"status list: not revoked", "", []string{"--status-list", fresh}, 0, "VALID: genuine, and not revoked"},
		{"status list: revoked", "", []string{"--status-list", revoked}, 1, "REVOKED"},
		{"status list from a URL: revoked", "", []string{"--status-list", fi.srv.URL + "/api/v1/status-list"}, 1, "REVOKED"},
		{"status list expired", "", []string{"--status-list", stale}, 2, "kedaluwarsa"},
		{"status list with a forged signature", "", []string{"--status-list", forged}, 2, "GENUINE"},
		{"status list unreachable", "", []string{"--status-list", dead.URL + "/api/v1/status-list"}, 2, "GENUINE"},
		{"server: valid", "valid", []string{"--server", fi.srv.URL}, 0, "VALID: genuine, and not revoked"},
		{"server: revoked", "revoked", []string{"--server", fi.srv.URL + "/"}, 1, "Sertifikat telah dicabut."},
		{"server: record does not match", "invalid", []string{"--server", fi.srv.URL}, 1, "NOT VALID"},
		{"server: error", "down", []string{"--server", fi.srv.URL}, 2, "GENUINE"},
		{"server unreachable", "valid", []string{"--server", dead.URL}, 2, "GENUINE"},
		{"revoked by the list, server not needed", "valid", []string{"--status-list", revoked, "--server", fi.srv.URL}, 1, "REVOKED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fi.verdict.Store(tc.verdict)
			args := append([]string{"--jwks", f.jwksFile, f.url}, tc.args...)
			code, out, errOut := runVerifyCLI(t, nil, "", args...)
			if code != tc.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.want, out, errOut)
			}
			if !strings.Contains(out, tc.inOut) {
				t.Errorf("stdout lacks %q:\n%s", tc.inOut, out)
			}
			if tc.want == 2 && !strings.Contains(errOut, "could not verify the current status") {
				t.Errorf("stderr: %s", errOut)
			}
		})
	}
}

func TestVerifyCommandJSON(t *testing.T) {
	f := newVerifyFixture(t)
	fi := newFakeIssuer(t, f)
	code, out, errOut := runVerifyCLI(t, nil, "", "--json", "--jwks", f.jwksFile, "--server", fi.srv.URL, f.url)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Status        string `json:"status"`
		Valid         bool   `json:"valid"`
		StatusChecked bool   `json:"status_checked"`
		Checks        []struct {
			Name   string `json:"name"`
			OK     bool   `json:"ok"`
			Detail string `json:"detail"`
		} `json:"checks"`
		Claims      *verifier.Claims `json:"claims"`
		KID         string           `json:"kid"`
		Token       string           `json:"token"`
		Certificate map[string]any   `json:"certificate"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	if got.Status != "valid" || !got.Valid || !got.StatusChecked || got.Claims == nil || *got.Claims != f.claims ||
		got.KID != "CLIKEY22" || got.Token != f.token || got.Certificate["number"] != "800.1/0001" {
		t.Errorf("JSON result %+v", got)
	}
	var names []string
	for _, c := range got.Checks {
		names = append(names, c.Name)
		if !c.OK || c.Detail == "" {
			t.Errorf("check %+v", c)
		}
	}
	if strings.Join(names, ",") != "signature,key,record,status" {
		t.Errorf("checks %v", names)
	}

	// A certificate that is not valid still prints JSON, with exit status 1.
	code, out, _ = runVerifyCLI(t, nil, "", "--json", "--jwks", f.jwksFile, f.token[:len(f.token)-8])
	var bad map[string]any
	if code != 1 || json.Unmarshal([]byte(out), &bad) != nil || bad["status"] != "invalid" || bad["valid"] != false || bad["claims"] != nil {
		t.Errorf("exit %d, JSON %s", code, out)
	}
}
