package web

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/verifier"
)

// Tests of the public verification (web/verify.go) on both databases: the JSON answer for
// every way a genuine certificate is presented, and for every forgery a verifier must refuse
// (tampered payload or signature, alg none, HS256 keyed with the public key, an unknown or a
// wrong key, a genuine signature over a record the issuer does not hold, truncated, overlong
// and Unicode-disguised tokens, garbage); revocation and re-issue; the HTML page a QR code
// opens, which sets no cookies; and TestIndependentJOSE, where the jose library
// (tools/jose-verify) must reach Sertika's verdict on the same tokens.

// ---- helpers (prefixed vf: verification) ----

// vfResult is the answer of GET /api/v1/verify.
type vfResult struct {
	Status string `json:"status"`
	Checks []struct {
		Name   string `json:"name"`
		OK     bool   `json:"ok"`
		Detail string `json:"detail"`
	} `json:"checks"`
	Certificate *struct {
		ID            string     `json:"id"`
		Number        string     `json:"number"`
		HolderName    string     `json:"holder_name"`
		NIP           string     `json:"nip"`
		Title         string     `json:"title"`
		Kind          string     `json:"kind"`
		JP            int        `json:"jp"`
		Issuer        string     `json:"issuer"`
		SignerName    string     `json:"signer_name"`
		State         string     `json:"state"`
		RevokedAt     *time.Time `json:"revoked_at"`
		RevokeReason  string     `json:"revoke_reason"`
		ReplacedBy    string     `json:"replaced_by"`
		ReplacedByURL string     `json:"replaced_by_url"`
	} `json:"certificate"`
}

// checkLine renders the checks as "name+" (passed) and "name-" (failed or not made).
func (v vfResult) checkLine() string {
	var parts []string
	for _, c := range v.Checks {
		mark := "+"
		if !c.OK {
			mark = "-"
		}
		parts = append(parts, c.Name+mark)
		if c.Detail == "" {
			parts = append(parts, "(no detail)")
		}
	}
	return strings.Join(parts, " ")
}

func httptestGet(path string) *http.Request { return httptest.NewRequest("GET", path, nil) }

// vfVerifyRaw asks GET /api/v1/verify about token, anonymously, wants 200 with the verdict
// uncached and no cookie, and returns it with the raw body.
func (ts *testServer) vfVerifyRaw(t *testing.T, token string) (vfResult, string) {
	t.Helper()
	req := httptestGet("/api/v1/verify?token=" + url.QueryEscape(token))
	req.Header.Set("Accept", "application/json")
	resp, body := ts.do(req)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("verify %.60q: %d %s %s", token, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("verify: Cache-Control %q, want no-store", cc)
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
		t.Errorf("verify sets cookies: %v", sc)
	}
	return decode[vfResult](t, "verify", body), body
}

func (ts *testServer) vfVerify(t *testing.T, token string) vfResult {
	t.Helper()
	v, _ := ts.vfVerifyRaw(t, token)
	return v
}

var b64u = base64.RawURLEncoding

// vfParts splits a compact JWS into its decoded header, payload and signature.
func vfParts(t *testing.T, compact string) (header, payload, sig []byte) {
	t.Helper()
	p := strings.Split(compact, ".")
	if len(p) != 3 {
		t.Fatalf("not a compact JWS: %q", compact)
	}
	var err [3]error
	header, err[0] = b64u.DecodeString(p[0])
	payload, err[1] = b64u.DecodeString(p[1])
	sig, err[2] = b64u.DecodeString(p[2])
	if e := errors.Join(err[:]...); e != nil {
		t.Fatalf("%q: %v", compact, e)
	}
	return header, payload, sig
}

func vfJoin(header, payload, sig []byte) string {
	return b64u.EncodeToString(header) + "." + b64u.EncodeToString(payload) + "." + b64u.EncodeToString(sig)
}

// vfWithHeader replaces a token's header, keeping its payload and signature.
func vfWithHeader(t *testing.T, compact, header string) string {
	t.Helper()
	_, p, s := vfParts(t, compact)
	return vfJoin([]byte(header), p, s)
}

// vfShort is the short token of a certificate: its verification URL after /V/.
func vfShort(t *testing.T, c acCert) string {
	t.Helper()
	_, short, ok := strings.Cut(c.VerifyURL, "/V/")
	if !ok || !strings.HasPrefix(short, "S1.") {
		t.Fatalf("verify_url %q has no short token", c.VerifyURL)
	}
	return short
}

// vfForgery is a token a verifier must not accept, with the verdict and the first failing
// check Sertika must report.
type vfForgery struct {
	name, token string
	status      string // verdict
	failed      string // the check that fails
}

// vfForge builds forgeries of certificate c: everything an attacker could try with the
// published key set, another key, or (for "record" forgeries) the issuer's own key used for
// something the issuer never issued.
func (ts *testServer) vfForge(t *testing.T, c acCert) []vfForgery {
	t.Helper()
	ctx := context.Background()
	h, p, sig := vfParts(t, c.Token)
	claims := decode[verifier.Claims](t, "claims", string(p))
	set, err := ts.srv.Keys.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	jwk, ok := set.Find(c.KID)
	if !ok {
		t.Fatalf("kid %s not published", c.KID)
	}
	pub, err := jwk.Public()
	if err != nil {
		t.Fatal(err)
	}
	// The issuer's own private key, read from its PEM file (keys.ReadPrivateKey, through the
	// store, which knows the file): for tokens whose signature is genuine but whose record is not.
	active, err := ts.srv.Keys.Active(ctx, ts.db.Gorm)
	if err != nil {
		t.Fatal(err)
	}
	realKey, err := ts.srv.Keys.Signer(ctx, active)
	if err != nil {
		t.Fatal(err)
	}
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	otherKID := keys.KID(other.Public().(ed25519.PublicKey))
	sign := func(cl verifier.Claims, kid string, key any) string {
		t.Helper()
		tok, err := verifier.Sign(cl, kid, key)
		if err != nil {
			t.Fatalf("sign %+v: %v", cl, err)
		}
		return tok
	}
	with := func(mod func(*verifier.Claims)) verifier.Claims { cl := claims; mod(&cl); return cl }
	payload := func(cl verifier.Claims) []byte { b, _ := json.Marshal(cl); return b }
	mac := func(alg string, key []byte) string {
		hdr := []byte(fmt.Sprintf(`{"alg":%q,"kid":%q}`, alg, c.KID))
		input := b64u.EncodeToString(hdr) + "." + b64u.EncodeToString(p)
		fn := sha256.New
		if alg == "HS512" {
			fn = sha512.New
		}
		m := hmac.New(func() hash.Hash { return fn() }, key)
		m.Write([]byte(input))
		return input + "." + b64u.EncodeToString(m.Sum(nil))
	}
	short := func(compact string) string {
		t.Helper()
		s, err := verifier.Short(compact)
		if err != nil {
			t.Fatalf("short form: %v", err)
		}
		return s
	}
	flipped := bytes.Clone(sig)
	flipped[10] ^= 0x01
	missingID, _ := verifier.NewCertificateID(bytes.Repeat([]byte{0x42}, 10))
	noRecord := sign(with(func(cl *verifier.Claims) { cl.ID = missingID }), c.KID, realKey)
	unknownKey := sign(claims, otherKID, other)

	return []vfForgery{
		// The payload changed under the original signature.
		{"payload: another holder", vfJoin(h, payload(with(func(cl *verifier.Claims) { cl.Subject = nipA2 })), sig), "invalid", "signature"},
		{"payload: more JP", vfJoin(h, payload(with(func(cl *verifier.Claims) { cl.JP = 240 })), sig), "invalid", "signature"},
		{"payload: same claims, other bytes", vfJoin(h, bytes.Replace(p, []byte(`,"jp"`), []byte(`, "jp"`), 1), sig), "invalid", "signature"},
		{"payload: a claim added", vfJoin(h, bytes.Replace(p, []byte(`}`), []byte(`,"adm":true}`), 1), sig), "invalid", "signature"},
		// The signature changed.
		{"signature: one bit flipped", vfJoin(h, p, flipped), "invalid", "signature"},
		{"signature: zeros", vfJoin(h, p, make([]byte, 64)), "invalid", "signature"},
		{"signature: empty", vfJoin(h, p, nil), "invalid", "signature"},
		{"signature: another key under this kid", sign(claims, c.KID, other), "invalid", "signature"},
		{"signature: another key, short form", short(sign(claims, c.KID, other)), "invalid", "signature"},
		// The header changed: another algorithm, or other bytes.
		{"alg none", vfJoin([]byte(`{"alg":"none","kid":"`+c.KID+`"}`), p, nil), "invalid", "signature"},
		{"alg none with the signature", vfJoin([]byte(`{"alg":"none","kid":"`+c.KID+`"}`), p, sig), "invalid", "signature"},
		{"alg None", vfJoin([]byte(`{"alg":"None","kid":"`+c.KID+`"}`), p, nil), "invalid", "signature"},
		{"alg HS256 keyed with the public key", mac("HS256", pub), "invalid", "signature"},
		{"alg HS256 keyed with the JWK x", mac("HS256", []byte(jwk.X)), "invalid", "signature"},
		{"alg HS512 keyed with the public key", mac("HS512", pub), "invalid", "signature"},
		{"header: a member added", vfWithHeader(t, c.Token, `{"alg":"EdDSA","kid":"`+c.KID+`","typ":"JWT"}`), "invalid", "signature"},
		{"header: no kid", vfWithHeader(t, c.Token, `{"alg":"EdDSA"}`), "unknown_key", "key"},
		// Keys the agency never published.
		{"unknown kid, signed by its key", unknownKey, "unknown_key", "key"},
		{"unknown kid, short form", short(unknownKey), "unknown_key", "key"},
		{"unknown kid, header only changed", vfWithHeader(t, c.Token, `{"alg":"EdDSA","kid":"`+otherKID+`"}`), "unknown_key", "key"},
		// The issuer's key, but no record behind the token.
		{"genuine key, certificate not on record", noRecord, "invalid", "record"},
		{"genuine key, not on record, short form", short(noRecord), "invalid", "record"},
		{"genuine key, digest of another record", sign(with(func(cl *verifier.Claims) { cl.Digest = strings.Repeat("A", 26) }), c.KID, realKey), "invalid", "record"},
		{"genuine key, another holder", sign(with(func(cl *verifier.Claims) { cl.Subject = nipA2 }), c.KID, realKey), "invalid", "record"},
	}
}

// vfMalformed builds tokens that are not even well-formed (truncated, overlong, disguised
// with Unicode): every one must be judged invalid, none may crash or pass.
func vfMalformed(t *testing.T, c acCert) map[string]string {
	t.Helper()
	short := vfShort(t, c)
	fields := strings.Split(short, ".")
	lower := strings.ToLower(short)
	out := map[string]string{
		"compact: last character cut":   c.Token[:len(c.Token)-1],
		"compact: half":                 c.Token[:len(c.Token)/2],
		"compact: signature part gone":  c.Token[:strings.LastIndex(c.Token, ".")],
		"compact: signature part empty": c.Token[:strings.LastIndex(c.Token, ".")+1],
		"short: last character cut":     short[:len(short)-1],
		"short: last field gone":        strings.Join(fields[:11], "."),
		"short: a field added":          short + ".AAAA",
		"short: prefix only":            "S1.",
		"short: other version":          "S2" + short[2:],
		"short: number with a leading 0": strings.Join(append(append(append([]string{}, fields[:6]...), "0"+fields[6]), fields[7:]...),
			"."),
		"dots only":                   "..",
		"blank":                       " ",
		"compact: overlong":           c.Token + strings.Repeat("A", 3000),
		"short: overlong":             short + strings.Repeat("A", 3000),
		"overlong run of letters":     strings.Repeat("A", verifier.MaxTokenLength+1),
		"many dots":                   strings.Repeat(".", 2000),
		"URL: empty short token":      "HTTP://SERTIKA.TEST/V/",
		"URL: /V/ twice":              c.VerifyURL + "/V/",
		"long s for S (ſ1)":           "ſ1" + short[2:],
		"Cyrillic lookalike":          cyrillicLookalike(short),
		"zero-width space":            strings.Replace(short, ".", ".\u200b", 1),
		"fullwidth dot":               strings.Replace(short, ".", "\uff0e", 1),
		"one dot leader":              strings.Replace(short, ".", "\u2024", 1),
		"right-to-left override":      "\u202e" + short,
		"combining accent":            short[:5] + "\u0301" + short[5:],
		"NUL byte":                    short[:5] + "\x00" + short[5:],
		"newline inside":              short[:5] + "\n" + short[5:],
		"compact: non-breaking space": strings.Replace(c.Token, ".", ".\u00a0", 1),
		"invalid UTF-8":               short[:5] + "\xff\xfe" + short[5:],
	}
	// Letters whose upper case is ASCII: a verifier that upper-cased before checking would
	// accept these.
	if i := strings.IndexAny(lower[3:], "i"); i >= 0 {
		out["dotless ı for I"] = lower[:3+i] + "ı" + lower[3+i+1:]
	}
	if strings.Contains(lower, "k") {
		out["Kelvin sign for K"] = strings.Replace(short, "K", "\u212a", 1)
	}
	return out
}

// ---- the JSON verdict ----

func TestVerifyAPI(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		c := f.a1
		short := vfShort(t, c)
		const allPass = "signature+ key+ record+ status+"

		// A genuine certificate however it is presented: the JWS from the API, the short token
		// of the QR code in any letter case, the whole URL.
		for _, tc := range []struct{ name, token string }{
			{"compact JWS", c.Token},
			{"short token", short},
			{"short token in lower case", strings.ToLower(short)},
			{"verification URL", c.VerifyURL},
			{"verification URL in lower case", strings.ToLower(c.VerifyURL)},
			{"short token with white space around", " " + short + "\n"},
		} {
			v, body := ts.vfVerifyRaw(t, tc.token)
			if v.Status != "valid" || v.checkLine() != allPass {
				t.Errorf("%s: %s [%s], want valid [%s]", tc.name, v.Status, v.checkLine(), allPass)
				continue
			}
			cert := v.Certificate
			if cert == nil || cert.ID != c.ID || cert.Number != c.Number || cert.HolderName != c.HolderName || cert.Title != acTitle ||
				cert.JP != 24 || cert.Issuer != "TIDORE" || cert.State != "valid" || cert.RevokedAt != nil || cert.ReplacedBy != "" {
				t.Errorf("%s: certificate %+v", tc.name, cert)
			}
			// The public answer masks the holder's NIP (birth date and appointment).
			if cert != nil && cert.NIP != "1966**********1001" {
				t.Errorf("%s: NIP %q, want 1966**********1001", tc.name, cert.NIP)
			}
			if strings.Contains(body, nipA1) {
				t.Errorf("%s: the answer reveals the full NIP: %s", tc.name, body)
			}
		}
		if v := ts.vfVerify(t, f.a3.Token); v.Status != "valid" || v.Certificate == nil || v.Certificate.NIP != "1982**********2004" {
			t.Errorf("second holder: %+v", v)
		}

		// Forgeries: never valid, the failing check named, no record shown.
		for _, fg := range ts.vfForge(t, c) {
			v := ts.vfVerify(t, fg.token)
			if v.Status != fg.status {
				t.Errorf("%s: %s [%s], want %s", fg.name, v.Status, v.checkLine(), fg.status)
			}
			if !strings.Contains(v.checkLine(), fg.failed+"-") {
				t.Errorf("%s: checks [%s] do not fail %q", fg.name, v.checkLine(), fg.failed)
			}
			if v.Certificate != nil {
				t.Errorf("%s: the answer shows a certificate: %+v", fg.name, v.Certificate)
			}
		}
		for name, token := range vfMalformed(t, c) {
			v := ts.vfVerify(t, token)
			if v.Status != "invalid" || v.Certificate != nil || len(v.Checks) == 0 || strings.Contains(v.checkLine(), "+") {
				t.Errorf("%s: %s [%s] %+v, want invalid with nothing passed", name, v.Status, v.checkLine(), v.Certificate)
			}
		}

		// No token; garbage in the URL: refused or judged invalid, never an error or a crash.
		resp, body := ts.api("GET", "/api/v1/verify", "", "")
		wantRefusal(t, "no token", resp, body, 400, "invalid", "Sertakan token sertifikat")
		resp, body = ts.api("GET", "/api/v1/verify?token=", "", "")
		wantRefusal(t, "empty token", resp, body, 400, "invalid", "Sertakan token sertifikat")
		rng := rand.New(rand.NewPCG(1, 2))
		junk := make([]byte, 1500)
		for i := range junk {
			junk[i] = byte(rng.UintN(256))
		}
		if v := ts.vfVerify(t, string(junk)); v.Status != "invalid" {
			t.Errorf("1.5 kB of random bytes: %s", v.Status)
		}
		// 100 kB in the URL, through a real listener (the request head is over the read buffer).
		base := ts.startAPIListener()
		client := &http.Client{Timeout: 30 * time.Second}
		get := func(p string) (int, string) {
			t.Helper()
			resp, err := client.Get(base + p)
			if err != nil {
				t.Fatalf("GET %.40s… (%d kB): %v", p, len(p)>>10, err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		huge := strings.Repeat("A", 100<<10)
		for _, p := range []string{"/api/v1/verify?token=" + huge, "/api/v1/verify?token=S1." + huge, "/v/" + huge,
			"/api/v1/verify?token=" + url.QueryEscape(strings.Repeat("\u00ff\x00<>", 10<<10))} {
			if st, body := get(p); st < 400 || st >= 500 {
				t.Errorf("GET %.40s… (%d kB): status %d, want a 4xx: %.200s", p, len(p)>>10, st, body)
			}
		}
		if st, body := get("/api/v1/verify?token=" + url.QueryEscape(c.Token)); st != 200 || !strings.Contains(body, `"status":"valid"`) {
			t.Errorf("after the garbage, the genuine token over the listener: %d %s", st, body)
		}
		if v := ts.vfVerify(t, c.Token); v.Status != "valid" {
			t.Errorf("after the garbage, the genuine token: %s", v.Status)
		}

		// Revoked: genuine, on record, but withdrawn — with when and why.
		ts.call(t, "POST", acCertPath(f.a3.ID, "revoke"), f.tok[domain.RolePenandatangan], `{"reason":"issued_in_error","note":"Salah peserta."}`, 200)
		for _, token := range []string{f.a3.Token, f.a3.VerifyURL} {
			v := ts.vfVerify(t, token)
			if v.Status != "revoked" || v.checkLine() != "signature+ key+ record+ status-" || v.Certificate == nil ||
				v.Certificate.State != "revoked" || v.Certificate.RevokeReason != "issued_in_error" || v.Certificate.RevokedAt == nil ||
				v.Certificate.ReplacedBy != "" {
				t.Errorf("revoked %.30s…: %s [%s] %+v", token, v.Status, v.checkLine(), v.Certificate)
			}
		}
		// A record edited behind the issuer's back no longer matches its signed digest.
		if err := ts.db.Gorm.Exec("UPDATE certificates SET jp = 40 WHERE id = ?", c.ID).Error; err != nil {
			t.Fatal(err)
		}
		if v := ts.vfVerify(t, c.Token); v.Status != "invalid" || !strings.Contains(v.checkLine(), "record-") || v.Certificate != nil {
			t.Errorf("edited record: %s [%s] %+v", v.Status, v.checkLine(), v.Certificate)
		}
	})
}

// ---- the page a QR code opens ----

func TestVerifyPage(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		c := f.a1
		short := vfShort(t, c)
		page := func(path string, b *browser) string {
			t.Helper()
			var resp *http.Response
			var body string
			if b != nil {
				resp, body = b.get(path)
			} else {
				req := httptestGet(path)
				req.Header.Set("Accept", "text/html")
				resp, body = ts.do(req)
			}
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("GET %.60s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
				t.Errorf("GET %.60s sets cookies: %v", path, sc)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("GET %.60s: Cache-Control %q", path, cc)
			}
			return body
		}
		const sah, tidakSah, dicabut = "<strong>SAH</strong>", "<strong>TIDAK SAH</strong>", "<strong>DICABUT</strong>"
		admin := ts.login("admin")
		u, err := url.Parse(c.VerifyURL)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, path string
			b          *browser
		}{
			{"short token", "/v/" + short, nil},
			{"the QR code's path (/V/)", u.Path, nil},
			{"short token in lower case", "/v/" + strings.ToLower(short), nil},
			{"compact JWS", "/v/" + c.Token, nil},
			{"signed in", "/v/" + short, admin},
		} {
			body := page(tc.path, tc.b)
			for _, want := range []string{sah, c.Number, "Dr. Andi Wijaya, S.Pd., M.Pd.", "1966**********1001", acTitle, c.KID} {
				if !strings.Contains(body, want) {
					t.Errorf("%s: page lacks %q", tc.name, want)
				}
			}
			for _, not := range []string{tidakSah, dicabut, nipA1} {
				if strings.Contains(body, not) {
					t.Errorf("%s: page shows %q", tc.name, not)
				}
			}
		}
		for _, fg := range ts.vfForge(t, c) {
			body := page("/v/"+url.PathEscape(fg.token), nil)
			want := tidakSah
			if fg.status == "unknown_key" {
				want = "<strong>KUNCI TIDAK DIKENAL</strong>"
			}
			if !strings.Contains(body, want) || strings.Contains(body, sah) || strings.Contains(body, c.Number) {
				t.Errorf("%s: page does not say %s (or shows the certificate)", fg.name, want)
			}
		}
		for _, p := range []string{"/v/BUKAN-TOKEN", "/v/" + url.PathEscape("<script>alert(1)</script>"), "/v/" + url.PathEscape("ſ1"+short[2:])} {
			body := page(p, nil)
			if !strings.Contains(body, tidakSah) || strings.Contains(body, "<script>alert") {
				t.Errorf("GET %.40s: not TIDAK SAH, or the token echoed unescaped", p)
			}
		}

		// Revoked, and replaced: DICABUT with the reason, and a link to the replacement.
		signer := f.tok[domain.RolePenandatangan]
		ts.call(t, "POST", acCertPath(f.a3.ID, "revoke"), signer, `{"reason":"issued_in_error","note":"Salah peserta."}`, 200)
		body := page("/v/"+vfShort(t, f.a3), nil)
		if !strings.Contains(body, dicabut) || !strings.Contains(body, "Diterbitkan karena kekeliruan") || strings.Contains(body, sah) {
			t.Errorf("revoked certificate's page:\n%s", body)
		}
		n := decode[acCert](t, "reissue", ts.call(t, "POST", acCertPath(c.ID, "reissue"), signer, `{"note":"Perbaikan gelar."}`, 201))
		body = page("/v/"+short, nil)
		if !strings.Contains(body, dicabut) || !strings.Contains(body, "Diganti dengan sertifikat baru") ||
			!strings.Contains(body, "Lihat sertifikat pengganti "+n.Number) || !strings.Contains(body, `href="`+n.VerifyURL+`"`) {
			t.Errorf("replaced certificate's page:\n%s", body)
		}
		if body := page("/v/"+vfShort(t, n), nil); !strings.Contains(body, sah) || !strings.Contains(body, n.Number) {
			t.Errorf("replacement's page does not say SAH")
		}
	})
}

// ---- the independent check with jose ----

// joseScript returns the path of tools/jose-verify/verify.mjs when node and its installed
// dependencies are there. Without them the test is skipped, except in CI (CI=true), where
// .ci/run installs them and the test must run.
func joseScript(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "tools", "jose-verify")
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not installed"
	} else if _, err := os.Stat(filepath.Join(dir, "node_modules", "jose", "package.json")); err != nil {
		missing = "tools/jose-verify/node_modules is missing (run: npm ci --prefix tools/jose-verify)"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI must run the independent JOSE check", missing)
		}
		t.Skipf("%s: skipping the independent JOSE check", missing)
	}
	abs, err := filepath.Abs(filepath.Join(dir, "verify.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// runJOSE runs verify.mjs on tokens (on standard input, or as arguments) and returns its
// verdicts, one per token.
func runJOSE(t *testing.T, script, jwksFile string, tokens []string, asArgs bool) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := []string{script, jwksFile}
	cmd := exec.CommandContext(ctx, "node", args...)
	if asArgs {
		cmd.Args = append(cmd.Args, tokens...)
	} else {
		cmd.Stdin = strings.NewReader(strings.Join(tokens, "\n") + "\n")
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node verify.mjs: %v\n%s", err, stderr.String())
	}
	out := strings.Fields(stdout.String())
	if len(out) != len(tokens) {
		t.Fatalf("node verify.mjs: %d verdicts for %d tokens:\n%s\n%s", len(out), len(tokens), stdout.String(), stderr.String())
	}
	return out
}

// TestIndependentJOSE checks Sertika's verdicts against an independent JOSE implementation:
// jose (npm), given only the published key set and the compact tokens, must reach the same
// verdict on a genuine certificate, a tampered one, one signed by another key, alg none,
// HS256 keyed with the public key and an unknown kid.
func TestIndependentJOSE(t *testing.T) {
	script := joseScript(t)
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		_, jwks := ts.do(httptestGet("/.well-known/jwks.json"))
		file := filepath.Join(t.TempDir(), "jwks.json")
		if err := os.WriteFile(file, []byte(jwks), 0o600); err != nil {
			t.Fatal(err)
		}
		forged := map[string]string{}
		for _, fg := range ts.vfForge(t, f.a1) {
			forged[fg.name] = fg.token
		}
		cases := []struct{ name, token, want string }{
			{"genuine", f.a1.Token, "valid"},
			{"genuine, second holder", f.a3.Token, "valid"},
			{"tampered payload", forged["payload: another holder"], "invalid"},
			{"tampered signature", forged["signature: one bit flipped"], "invalid"},
			{"signed by another key under this kid", forged["signature: another key under this kid"], "invalid"},
			{"alg none", forged["alg none"], "invalid"},
			{"alg none with the signature", forged["alg none with the signature"], "invalid"},
			{"HS256 keyed with the public key", forged["alg HS256 keyed with the public key"], "invalid"},
			{"HS256 keyed with the JWK x", forged["alg HS256 keyed with the JWK x"], "invalid"},
			{"header changed", forged["header: a member added"], "invalid"},
			{"unknown kid", forged["unknown kid, signed by its key"], "unknown_key"},
			{"truncated", f.a1.Token[:len(f.a1.Token)/2], "invalid"},
		}
		tokens := make([]string, len(cases))
		for i, tc := range cases {
			if tc.token == "" {
				t.Fatalf("%s: no token built", tc.name)
			}
			tokens[i] = tc.token
		}
		jose := runJOSE(t, script, file, tokens, false)
		for i, tc := range cases {
			sertika := ts.vfVerify(t, tc.token).Status
			if jose[i] != tc.want || sertika != tc.want {
				t.Errorf("%s: jose says %s, Sertika %s; want both %s", tc.name, jose[i], sertika, tc.want)
			}
		}
		// Tokens given as arguments too.
		if got := runJOSE(t, script, file, tokens[:3], true); strings.Join(got, " ") != "valid valid invalid" {
			t.Errorf("tokens as arguments: %v", got)
		}
	})
}

// ---- what the verification writes around the answer ----

// The verdict's checks are written by appendAnswer, not encoding/json: its strings must come
// out exactly as encoding/json writes them, escapes included.
func TestVerifyAnswerJSONStrings(t *testing.T) {
	for _, s := range []string{"", "Tanda tangan elektronik sah (EdDSA/Ed25519).", `Kunci "X\Y" tidak dikenal`,
		"<script>alert(1)</script> & more", "tab\tnew line\n nul\x00 del\x7f", "Diterbitkan “aksen” é ✓",
		"\u2028\u2029", "bad UTF-8 \xff\xfe", strings.Repeat("a", 300)} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got[1:], want)
		}
	}
}

// The public verification is logged quietly: successes at Debug (and one in
// accessLogSample at Info, marked sampled), failures at Info like any request, and the token
// of /v/{token}, which carries the holder's NIP, never. Made request ids are 16 hex digits.
func TestVerifyAccessLog(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		short := vfShort(t, f.a1)
		page := func() {
			t.Helper()
			req := httptestGet("/v/" + short)
			req.Header.Set("Accept", "text/html")
			if resp, body := ts.do(req); resp.StatusCode != 200 {
				t.Fatalf("page: %d %.200s", resp.StatusCode, body)
			}
		}
		var info bytes.Buffer
		ts.srv.Logger = slog.New(slog.NewTextHandler(&info, nil))
		ts.vfVerify(t, f.a1.Token)
		page()
		for _, l := range strings.Split(strings.TrimSpace(info.String()), "\n") {
			if l != "" && !strings.Contains(l, "sampled=1000") {
				t.Errorf("a successful verification was logged at Info: %s", l)
			}
		}
		info.Reset()
		resp, _ := ts.do(httptestGet("/api/v1/verify"))
		if resp.StatusCode != 400 || !strings.Contains(info.String(), "level=INFO msg=http") ||
			!strings.Contains(info.String(), "path=/api/v1/verify status=400") {
			t.Errorf("a refused verification (%d) was not logged at Info: %q", resp.StatusCode, info.String())
		}
		if id := resp.Header.Get("X-Request-ID"); len(id) != 16 || strings.Trim(id, "0123456789abcdef") != "" {
			t.Errorf("made request id %q, want 16 hex digits", id)
		}

		var debug bytes.Buffer
		ts.srv.Logger = slog.New(slog.NewTextHandler(&debug, &slog.HandlerOptions{Level: slog.LevelDebug}))
		ts.vfVerify(t, f.a1.Token)
		page()
		got := debug.String()
		if !strings.Contains(got, "level=DEBUG msg=http") || !strings.Contains(got, "path=/api/v1/verify status=200") ||
			!strings.Contains(got, "path=/v/{token} status=200") {
			t.Errorf("successful verifications missing from the debug log: %s", got)
		}
		for _, secret := range []string{short, f.a1.Token, nipA1} {
			if strings.Contains(got, secret) {
				t.Errorf("the log holds %.40s…: %s", secret, got)
			}
		}
	})
}

// cyrillicLookalike swaps the token's first A for the Cyrillic А (U+0410), or, in a token
// without an A (the id and signature are random), its leading S for the Cyrillic Ѕ (U+0405):
// the result must differ from the token, or the case would test nothing.
func cyrillicLookalike(short string) string {
	if out := strings.Replace(short, "A", "\u0410", 1); out != short {
		return out
	}
	return "\u0405" + short[1:]
}
