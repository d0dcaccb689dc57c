package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/verifier"
)

// Tests of the other ways into the public verification (web/verify.go) on both databases:
// the look-up by number and NIP, uploads of a QR code's PNG, a JPEG photo and the PDF, the
// JSON POST and batch API, the status list, the English switch, the verdict when the
// database cannot be reached, revocations seen through the status cache, rate limits, the
// absence of cookies and the page's size.

// ---- helpers (prefixed vp: verification pages) ----

// vpGet loads a public page anonymously and wants status, HTML and no cookie.
func (ts *testServer) vpGet(t *testing.T, path string, status int) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept", "text/html")
	resp, body := ts.do(req)
	vpWant(t, "GET "+path, resp, body, status)
	return resp, body
}

// vpPost submits a public form anonymously (no CSRF token, no cookie) and wants status.
func (ts *testServer) vpPost(t *testing.T, path string, form url.Values, status int) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	resp, body := ts.do(req)
	vpWant(t, "POST "+path, resp, body, status)
	return resp, body
}

// vpUpload posts a file to the upload form anonymously and wants status.
func (ts *testServer) vpUpload(t *testing.T, query string, name string, data []byte, status int) (*http.Response, string) {
	t.Helper()
	ct, buf := multipartBody(t, nil, upload{"file", name, data})
	req := httptest.NewRequest("POST", "/periksa/unggah"+query, buf)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "text/html")
	resp, body := ts.do(req)
	vpWant(t, "upload "+name, resp, body, status)
	return resp, body
}

func vpWant(t *testing.T, what string, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %.600s", what, resp.StatusCode, status, body)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("%s: Content-Type %q", what, resp.Header.Get("Content-Type"))
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
		t.Errorf("%s sets cookies: %v", what, sc)
	}
	if !strings.Contains(body, `<html lang="`) {
		t.Errorf("%s: not a page: %.300s", what, body)
	}
}

var vpVerdictRE = regexp.MustCompile(`<section class="verdict [a-z]+" role="status"><span class="mark" aria-hidden="true">[^<]*</span><strong>([^<]+)</strong>`)

// vpVerdict is the verdict word of a page ("" when it shows none).
func vpVerdict(body string) string {
	if m := vpVerdictRE.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// vpChecks renders a page's check lines as "name:state" (pass, fail, unknown).
func vpChecks(body string) string {
	var out []string
	for _, m := range regexp.MustCompile(`<li class="is-([a-z]+)" data-check="([a-z]+)">`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[2]+":"+m[1])
	}
	return strings.Join(out, " ")
}

// vpQRPNG is a certificate's QR code as the API renders it.
func (ts *testServer) vpQRPNG(t *testing.T, f acFixture, id string, scale int) []byte {
	t.Helper()
	return []byte(ts.call(t, "GET", acCertPath(id, fmt.Sprintf("qr.png?scale=%d", scale)), f.tok[domain.RoleAdmin], "", 200))
}

// vpPDF is a certificate's PDF as the API renders it.
func (ts *testServer) vpPDF(t *testing.T, f acFixture, id string) []byte {
	t.Helper()
	req := httptest.NewRequest("GET", acCertPath(id, "pdf"), nil)
	req.Header.Set("Authorization", "Bearer "+f.tok[domain.RoleAdmin])
	resp, body := ts.do(req)
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("certificate PDF: %d %.100s", resp.StatusCode, body)
	}
	return []byte(body)
}

// vpPDFWithoutQR is a one-page PDF with text and no QR code.
func vpPDFWithoutQR(t *testing.T) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.AddPage()
	p.SetFont("Helvetica", "", 14)
	p.Cell(40, 10, "Surat undangan pelatihan (bukan sertifikat)")
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// vpJPEG re-encodes a PNG as a JPEG photo.
func vpJPEG(t *testing.T, pngData []byte) []byte {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// vpAPIPost sends POST /api/v1/verify… with a JSON body and returns the answer.
func (ts *testServer) vpAPIPost(t *testing.T, path, body string, status int) (*http.Response, string) {
	t.Helper()
	resp, b := ts.api("POST", path, "", body)
	if resp.StatusCode != status {
		t.Fatalf("POST %s: status %d, want %d: %.400s", path, resp.StatusCode, status, b)
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
		t.Errorf("POST %s sets cookies: %v", path, sc)
	}
	return resp, b
}

type vpBatch struct {
	Results []struct {
		TokenIndex    int    `json:"token_index"`
		Status        string `json:"status"`
		StatusChecked bool   `json:"status_checked"`
		Checks        []struct {
			Name string `json:"name"`
			OK   bool   `json:"ok"`
		} `json:"checks"`
		Certificate *struct {
			ID     string `json:"id"`
			Number string `json:"number"`
		} `json:"certificate"`
	} `json:"results"`
}

// ---- look-up by number and NIP ----

func TestVerifyLookupByNumber(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		_, form := ts.vpGet(t, "/periksa", 200)
		for _, want := range []string{`action="/periksa"`, `name="nomor"`, `name="nip"`, `action="/periksa/unggah"`,
			`enctype="multipart/form-data"`, `href="/pindai"`, `href="/periksa?lang=en"`} {
			if !strings.Contains(form, want) {
				t.Errorf("/periksa lacks %s", want)
			}
		}
		if strings.Contains(form, "_csrf") {
			t.Error("the public form carries a CSRF token (it needs no session)")
		}

		// Found: the same verdict page as the QR code's.
		for _, tc := range []struct{ name, number, nip string }{
			{"as printed", f.a1.Number, nipA1},
			{"lower case, spaces around", "  " + strings.ToLower(f.a1.Number) + " ", " " + nipA1[:8] + " " + nipA1[8:] + " "},
		} {
			_, body := ts.vpPost(t, "/periksa", url.Values{"nomor": {tc.number}, "nip": {tc.nip}}, 200)
			if v := vpVerdict(body); v != "SAH" {
				t.Errorf("%s: verdict %q", tc.name, v)
			}
			if !strings.Contains(body, f.a1.Number) || !strings.Contains(body, "1966**********1001") ||
				vpChecks(body) != "signature:pass key:pass record:pass status:pass recommendation:pass" {
				t.Errorf("%s: page lacks the certificate or its checks [%s]", tc.name, vpChecks(body))
			}
		}

		// Not found: a wrong NIP and an unknown number get the very same answer.
		_, wrongNIP := ts.vpPost(t, "/periksa", url.Values{"nomor": {f.a1.Number}, "nip": {nipA2}}, 404)
		_, noNumber := ts.vpPost(t, "/periksa", url.Values{"nomor": {"800.1/9999/SERT/BKPSDM/2026"}, "nip": {nipA2}}, 404)
		_, otherHolder := ts.vpPost(t, "/periksa", url.Values{"nomor": {f.a3.Number}, "nip": {nipA1}}, 404)
		if !strings.Contains(wrongNIP, "Tidak ada sertifikat dengan nomor dan NIP tersebut") || vpVerdict(wrongNIP) != "" {
			t.Errorf("wrong NIP: %.600s", wrongNIP)
		}
		norm := func(s string) string { // the number typed is echoed in the form
			return strings.NewReplacer(f.a1.Number, "N", "800.1/9999/SERT/BKPSDM/2026", "N", f.a3.Number, "N").Replace(s)
		}
		if norm(wrongNIP) != norm(noNumber) || norm(wrongNIP) != norm(otherHolder) {
			t.Error("a wrong NIP and an unknown number answer differently: the form tells whether a number exists")
		}
		if strings.Contains(wrongNIP, nipA2) {
			t.Error("the answer echoes the NIP")
		}
		// A partial number is not a match.
		ts.vpPost(t, "/periksa", url.Values{"nomor": {"0001"}, "nip": {nipA1}}, 404)

		// Input refused before any search.
		for _, tc := range []struct{ number, nip, want string }{
			{"", nipA1, "Isi nomor sertifikat"},
			{strings.Repeat("8", 101), nipA1, "Isi nomor sertifikat"},
			{f.a1.Number, "1966", "NIP harus 18 angka"},
			{f.a1.Number, "19660801198803100X", "NIP harus 18 angka"},
		} {
			_, body := ts.vpPost(t, "/periksa", url.Values{"nomor": {tc.number}, "nip": {tc.nip}}, 400)
			if !strings.Contains(body, tc.want) {
				t.Errorf("nomor %.20q nip %q: want %q", tc.number, tc.nip, tc.want)
			}
		}

		// A revoked certificate found by its number says so.
		ts.call(t, "POST", acCertPath(f.a3.ID, "revoke"), f.tok[domain.RolePenandatangan], `{"reason":"fraud","note":"Dokumen palsu."}`, 200)
		_, body := ts.vpPost(t, "/periksa", url.Values{"nomor": {f.a3.Number}, "nip": {acNIP3}}, 200)
		if v := vpVerdict(body); v != "DICABUT" || !strings.Contains(body, "Kecurangan") {
			t.Errorf("revoked, by number: verdict %q", v)
		}
		// In English: the form's address carries the language.
		_, body = ts.vpPost(t, "/periksa?lang=en", url.Values{"nomor": {f.a1.Number}, "nip": {nipA1}}, 200)
		if v := vpVerdict(body); v != "VALID" || !strings.Contains(body, `<html lang="en">`) {
			t.Errorf("by number in English: verdict %q", v)
		}
		_, body = ts.vpPost(t, "/periksa?lang=en", url.Values{"nomor": {f.a1.Number}, "nip": {nipA2}}, 404)
		if !strings.Contains(body, "There is no certificate with that number and NIP") || !strings.Contains(body, `action="/periksa?lang=en"`) {
			t.Errorf("not found in English: %.500s", body)
		}
	})
}

// ---- uploads ----

func TestVerifyUpload(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		qrPNG := ts.vpQRPNG(t, f, f.a1.ID, 8)
		cases := []struct {
			name, file string
			data       []byte
			verdict    string
		}{
			{"QR code PNG from the API", "qr.png", qrPNG, "SAH"},
			{"QR code at 3 px per module", "kecil.png", ts.vpQRPNG(t, f, f.a1.ID, 3), "SAH"},
			{"JPEG photo of the QR code", "foto.jpg", vpJPEG(t, qrPNG), "SAH"},
			{"the certificate's PDF", "sertifikat.pdf", ts.vpPDF(t, f, f.a1.ID), "SAH"},
			{"a type named wrongly (PNG named .pdf)", "sertifikat.pdf", qrPNG, "SAH"},
		}
		for _, tc := range cases {
			_, body := ts.vpUpload(t, "", tc.file, tc.data, 200)
			if v := vpVerdict(body); v != tc.verdict || !strings.Contains(body, f.a1.Number) {
				t.Errorf("%s: verdict %q, want %s with the certificate", tc.name, v, tc.verdict)
			}
			if strings.Contains(body, "?lang=en") && !strings.Contains(body, `href="/v/S1.`) {
				t.Errorf("%s: the language switch does not lead to the certificate's page", tc.name)
			}
		}

		// Refusals: the form again, with the reason, never a verdict.
		for _, tc := range []struct {
			name, file string
			data       []byte
			status     int
			want       string
		}{
			{"a PDF without a QR code", "undangan.pdf", vpPDFWithoutQR(t), 400, "Kode QR tidak ditemukan"},
			{"a JPEG that is not an image", "foto.jpg", []byte("ini bukan gambar, hanya teks biasa\n"), 400, "Jenis berkas tidak didukung"},
			{"a truncated JPEG", "rusak.jpg", vpJPEG(t, qrPNG)[:200], 400, "rusak"},
			{"an empty file", "kosong.png", nil, 400, "Berkas kosong"},
		} {
			_, body := ts.vpUpload(t, "", tc.file, tc.data, tc.status)
			if !strings.Contains(body, tc.want) || vpVerdict(body) != "" || !strings.Contains(body, `action="/periksa/unggah"`) {
				t.Errorf("%s: want %q and the form again: %.500s", tc.name, tc.want, body)
			}
		}
		// No file at all.
		_, body := ts.vpPost(t, "/periksa/unggah", url.Values{"x": {"1"}}, 400)
		if !strings.Contains(body, "Pilih berkas foto") {
			t.Errorf("no file: %.300s", body)
		}
		// In English.
		_, body = ts.vpUpload(t, "?lang=en", "undangan.pdf", vpPDFWithoutQR(t), 400)
		if !strings.Contains(body, "No QR code found") || !strings.Contains(body, `<html lang="en">`) {
			t.Errorf("refusal in English: %.400s", body)
		}
		_, body = ts.vpUpload(t, "?lang=en", "qr.png", qrPNG, 200)
		if vpVerdict(body) != "VALID" {
			t.Errorf("upload in English: %q", vpVerdict(body))
		}

		// The same through the JSON API (multipart field "file").
		resp, b := ts.apiUpload("/api/v1/verify", "", upload{"file", "qr.png", qrPNG})
		if v := decode[vfResult](t, "upload API", b); resp.StatusCode != 200 || v.Status != "valid" || v.Certificate == nil ||
			v.Certificate.ID != f.a1.ID {
			t.Errorf("API upload: %d %s", resp.StatusCode, b)
		}
		resp, b = ts.apiUpload("/api/v1/verify", "", upload{"file", "undangan.pdf", vpPDFWithoutQR(t)})
		wantRefusal(t, "API upload without QR", resp, b, 400, "invalid", "Kode QR tidak ditemukan")
		resp, b = ts.apiUpload("/api/v1/verify", "", upload{"lampiran", "qr.png", qrPNG})
		wantRefusal(t, "API upload in another field", resp, b, 400, "invalid", "Pilih berkas")
	})
}

// ---- the JSON API: POST, batches, the status list ----

func TestVerifyAPIPostAndBatch(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		doc := loadOpenAPI(t)
		ops := openAPIOperations(t, doc)
		ts.call(t, "POST", acCertPath(f.a3.ID, "revoke"), f.tok[domain.RolePenandatangan], `{"reason":"issued_in_error","note":"Salah."}`, 200)
		forged := ""
		for _, fg := range ts.vfForge(t, f.a1) {
			if fg.name == "payload: another holder" {
				forged = fg.token
			}
		}

		// POST with JSON.
		resp, body := ts.vpAPIPost(t, "/api/v1/verify", `{"token":`+jsonString(vfShort(t, f.a1))+`}`, 200)
		acCheckDocumented(t, doc, ops, "POST /api/v1/verify", "post JSON", resp, body)
		if v := decode[vfResult](t, "post", body); v.Status != "valid" || v.checkLine() != "signature+ key+ record+ status+" ||
			v.Certificate == nil || v.Certificate.NIP != "1966**********1001" {
			t.Errorf("POST JSON: %s", body)
		}
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("POST JSON: Cache-Control %q", resp.Header.Get("Cache-Control"))
		}
		for _, tc := range []struct{ body, want string }{
			{`{}`, "Sertakan token"},
			{`{"token":""}`, "Sertakan token"},
			{`{"token":5}`, "harus bertipe"},
			{`{"token":"x","extra":1}`, "Kolom tidak dikenal"},
			{`{"token":`, "JSON tidak sah"},
		} {
			resp, b := ts.api("POST", "/api/v1/verify", "", tc.body)
			wantRefusal(t, "POST "+tc.body, resp, b, 400, "invalid", tc.want)
			acCheckDocumented(t, doc, ops, "POST /api/v1/verify", "POST "+tc.body, resp, b)
		}

		// A batch of three: valid, revoked, forged — in order, with their indexes.
		batch := fmt.Sprintf(`{"tokens":[%s,%s,%s]}`, jsonString(f.a1.Token), jsonString(f.a3.VerifyURL), jsonString(forged))
		resp, body = ts.vpAPIPost(t, "/api/v1/verify/batch", batch, 200)
		acCheckDocumented(t, doc, ops, "POST /api/v1/verify/batch", "batch of 3", resp, body)
		got := decode[vpBatch](t, "batch", body)
		want := []struct {
			status string
			cert   bool
		}{{"valid", true}, {"revoked", true}, {"invalid", false}}
		if len(got.Results) != 3 {
			t.Fatalf("batch: %d results: %s", len(got.Results), body)
		}
		for i, w := range want {
			r := got.Results[i]
			if r.TokenIndex != i || r.Status != w.status || (r.Certificate != nil) != w.cert || len(r.Checks) == 0 {
				t.Errorf("batch result %d: %+v, want %s (certificate %v)", i, r, w.status, w.cert)
			}
		}
		if got.Results[0].Certificate.ID != f.a1.ID || got.Results[1].Certificate.ID != f.a3.ID || !got.Results[0].StatusChecked {
			t.Errorf("batch certificates: %s", body)
		}

		// Too many, none, not strings.
		tokens := make([]string, 1001)
		for i := range tokens {
			tokens[i] = f.a1.Token
		}
		b, _ := json.Marshal(map[string]any{"tokens": tokens})
		resp, body = ts.api("POST", "/api/v1/verify/batch", "", string(b))
		wantRefusal(t, "1001 tokens", resp, body, 413, "too_large", "Paling banyak 1.000 token")
		acCheckDocumented(t, doc, ops, "POST /api/v1/verify/batch", "1001 tokens", resp, body)
		b, _ = json.Marshal(map[string]any{"tokens": tokens[:1000]})
		resp, body = ts.vpAPIPost(t, "/api/v1/verify/batch", string(b), 200)
		if n := strings.Count(body, `"status":"valid"`); n != 1000 {
			t.Errorf("1000 tokens: %d valid", n)
		}
		for _, tc := range []struct{ body, want string }{
			{`{"tokens":[]}`, "Daftar token kosong"},
			{`{}`, "Sertakan daftar token"},
			{`{"tokens":[1,2]}`, "harus bertipe"},
			{`{"tokens":"x"}`, "harus bertipe"},
		} {
			resp, b := ts.api("POST", "/api/v1/verify/batch", "", tc.body)
			wantRefusal(t, "batch "+tc.body, resp, b, 400, "invalid", tc.want)
			acCheckDocumented(t, doc, ops, "POST /api/v1/verify/batch", "batch "+tc.body, resp, b)
		}

		// The status list names the revoked certificate and verifies with the published keys.
		resp, body = ts.api("GET", "/api/v1/status-list", "", "")
		acCheckDocumented(t, doc, ops, "GET /api/v1/status-list", "status list", resp, body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/jwt" || resp.Header.Get("Last-Modified") == "" {
			t.Fatalf("status list: %d %s %v", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header)
		}
		set, err := ts.srv.Keys.JWKS(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		l, err := verifier.ParseStatusList(body, set)
		if err != nil {
			t.Fatalf("status list: %v", err)
		}
		if !l.RevokedID(f.a3.ID) || l.RevokedID(f.a1.ID) || l.Count() != 1 {
			t.Errorf("status list names %v", l.IDs())
		}
		// A revocation made through the server is in the next list at once.
		ts.call(t, "POST", acCertPath(f.a1.ID, "revoke"), f.tok[domain.RolePenandatangan], `{"reason":"withdrawn","note":"Ditarik."}`, 200)
		_, body = ts.api("GET", "/api/v1/status-list", "", "")
		if l, err := verifier.ParseStatusList(body, set); err != nil || !l.RevokedID(f.a1.ID) {
			t.Errorf("status list after a revocation: %v", err)
		}
	})
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

// ---- English ----

func TestVerifyEnglish(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		short := vfShort(t, f.a1)
		_, id := ts.vpGet(t, "/v/"+short, 200)
		_, en := ts.vpGet(t, "/v/"+short+"?lang=en", 200)
		if !strings.Contains(id, `<html lang="id">`) || !strings.Contains(id, `href="?lang=en" hreflang="en" lang="en">English</a>`) {
			t.Error("the Indonesian page has no switch to English at the top")
		}
		if !strings.Contains(en, `<html lang="en">`) || !strings.Contains(en, `href="?lang=id" hreflang="id" lang="id">Bahasa Indonesia</a>`) {
			t.Error("the English page has no switch back")
		}
		if vpVerdict(en) != "VALID" || vpChecks(en) != vpChecks(id) {
			t.Errorf("English verdict %q [%s], Indonesian [%s]", vpVerdict(en), vpChecks(en), vpChecks(id))
		}
		for _, want := range []string{"Valid electronic signature", "Key " + f.a1.KID + " is known", "Checked now: the certificate has not been revoked",
			"Issued under recommendation number", acTitle, "Awarded to", "Learning hours", "1966**********1001", `href="/pindai?lang=en"`} {
			if !strings.Contains(en, want) {
				t.Errorf("English page lacks %q", want)
			}
		}
		for _, not := range []string{"Tanda tangan elektronik sah", "Diberikan kepada", "Pemeriksaan"} {
			if strings.Contains(en, not) {
				t.Errorf("English page says %q", not)
			}
		}
		// Every verdict has its English word.
		ts.call(t, "POST", acCertPath(f.a3.ID, "revoke"), f.tok[domain.RolePenandatangan], `{"reason":"fraud","note":"x"}`, 200)
		if _, body := ts.vpGet(t, "/v/"+vfShort(t, f.a3)+"?lang=en", 200); vpVerdict(body) != "REVOKED" || !strings.Contains(body, "Reason: Fraud.") {
			t.Errorf("revoked in English: %q", vpVerdict(body))
		}
		if _, body := ts.vpGet(t, "/v/BUKAN-TOKEN?lang=en", 200); vpVerdict(body) != "NOT VALID" {
			t.Errorf("invalid in English: %q", vpVerdict(body))
		}
		for _, fg := range ts.vfForge(t, f.a1) {
			if fg.status == "unknown_key" {
				if _, body := ts.vpGet(t, "/v/"+url.PathEscape(fg.token)+"?lang=en", 200); vpVerdict(body) != "UNKNOWN KEY" {
					t.Errorf("%s in English: %q", fg.name, vpVerdict(body))
				}
				break
			}
		}
		// The other pages, and the API's check details.
		if _, body := ts.vpGet(t, "/periksa?lang=en", 200); !strings.Contains(body, "Find by certificate number") ||
			!strings.Contains(body, `action="/periksa?lang=en"`) || !strings.Contains(body, `action="/periksa/unggah?lang=en"`) {
			t.Error("/periksa in English")
		}
		if _, body := ts.vpGet(t, "/pindai?lang=en", 200); !strings.Contains(body, "Scan a QR Code") || !strings.Contains(body, `"noCamera":"No camera is available`) {
			t.Error("/pindai in English")
		}
		v := decode[vfResult](t, "verify en", ts.call(t, "GET", "/api/v1/verify?lang=en&token="+url.QueryEscape(short), "", "", 200))
		if v.checkLine() != "signature+ key+ record+ status+" || !strings.HasPrefix(v.Checks[0].Detail, "Valid electronic signature") {
			t.Errorf("API in English: %+v", v.Checks)
		}
	})
}

// ---- the status: from memory, fresh, and honest when it cannot be had ----

// TestVerifyStatusCache: a revocation made outside this server (straight in the database,
// as another replica or the command line would) shows within the refresh interval; when the
// database cannot be reached the verdict says the status could not be checked now — never
// "valid" — while a revocation already known still stands.
func TestVerifyStatusCache(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		// Short intervals (set before the first request builds the cache).
		ts.srv.keys.statusOpts.Refresh = 50 * time.Millisecond
		ts.srv.keys.statusOpts.MaxStale = 200 * time.Millisecond
		f := ts.acIssued(t)
		short1, short3 := vfShort(t, f.a1), vfShort(t, f.a3)
		for _, s := range []string{short1, short3} {
			if v := ts.vfVerify(t, s); v.Status != "valid" {
				t.Fatalf("before: %s", v.Status)
			}
		}
		// Revoked behind the server's back.
		if err := ts.db.Gorm.Exec("UPDATE certificates SET state = 'revoked', revoked_at = ?, revoke_reason = 'withdrawn' WHERE id = ?",
			ts.db.Now(), f.a3.ID).Error; err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for ts.vfVerify(t, short3).Status != "revoked" {
			if time.Now().After(deadline) {
				t.Fatal("a revocation made in the database is not seen after 5 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if n := ts.srv.statusCache().RevokedCount(); n != 1 {
			t.Errorf("revocation set holds %d", n)
		}

		// The database goes away, for longer than MaxStale.
		if err := ts.db.Close(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		v, body := ts.vfVerifyRaw(t, short1)
		if v.Status != "valid" || strings.Contains(body, `"status_checked":true`) || v.checkLine() != "signature+ key+ status-" {
			t.Errorf("database down: %s [%s] %s", v.Status, v.checkLine(), body)
		}
		// The printed facts, known from before, are still shown beside the unknown status.
		if v.Certificate == nil || v.Certificate.ID != f.a1.ID {
			t.Errorf("database down: certificate %+v", v.Certificate)
		}
		if !strings.Contains(v.Checks[len(v.Checks)-1].Detail, "tidak dapat diperiksa saat ini") {
			t.Errorf("database down: status check %+v", v.Checks[len(v.Checks)-1])
		}
		_, page := ts.vpGet(t, "/v/"+short1, 200)
		if vpVerdict(page) != "BELUM DAPAT DIPASTIKAN" || strings.Contains(page, "<strong>SAH</strong>") ||
			!strings.Contains(page, "Status terkini tidak dapat diperiksa saat ini") || !strings.Contains(page, `<li class="is-unknown" data-check="status">`) {
			t.Errorf("database down, page: verdict %q [%s]", vpVerdict(page), vpChecks(page))
		}
		_, page = ts.vpGet(t, "/v/"+short1+"?lang=en", 200)
		if vpVerdict(page) != "CANNOT BE CONFIRMED NOW" || !strings.Contains(page, "could not be checked just now") {
			t.Errorf("database down, English page: %q", vpVerdict(page))
		}
		// A revocation already known is final, database or not.
		if v := ts.vfVerify(t, short3); v.Status != "revoked" {
			t.Errorf("known revocation while the database is down: %s [%s]", v.Status, v.checkLine())
		}
		// Forgeries are still refused.
		if v := ts.vfVerify(t, "BUKAN-TOKEN"); v.Status != "invalid" {
			t.Errorf("garbage while the database is down: %s", v.Status)
		}
	})
}

// ---- limits, cookies, size ----

func TestVerifyRateLimited(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		ts.srv.SetVerifyRateLimit(3)
		for i := 0; i < 3; i++ {
			ts.vpGet(t, "/v/BUKAN-TOKEN", 200)
		}
		resp, body := ts.vpGet(t, "/v/BUKAN-TOKEN", 429)
		if !strings.Contains(body, "Terlalu banyak permintaan verifikasi dari alamat ini") || resp.Header.Get("Retry-After") != "60" {
			t.Errorf("429 page: %s %.400s", resp.Header.Get("Retry-After"), body)
		}
		if _, body := ts.vpGet(t, "/pindai?lang=en", 429); !strings.Contains(body, "Too many verification requests") {
			t.Error("429 page in English")
		}
		resp, body = ts.api("GET", "/api/v1/verify?token=x", "", "")
		wantRefusal(t, "API over the limit", resp, body, 429, "rate_limited", "Terlalu banyak permintaan verifikasi")
		if len(resp.Header.Values("Set-Cookie")) > 0 {
			t.Error("429 API answer sets a cookie")
		}
		doc := loadOpenAPI(t)
		acCheckDocumented(t, doc, openAPIOperations(t, doc), "GET /api/v1/verify", "429", resp, body)

		// Look-ups have their own, stricter limit.
		for i := 0; i < 30; i++ {
			ts.vpPost(t, "/periksa", url.Values{"nomor": {"800.1/0001"}, "nip": {nipA1}}, 404)
		}
		_, body = ts.vpPost(t, "/periksa", url.Values{"nomor": {"800.1/0001"}, "nip": {nipA1}}, 429)
		if !strings.Contains(body, "Terlalu banyak permintaan") {
			t.Errorf("look-up over the limit: %.300s", body)
		}
	})
}

// TestVerifyPublicPagesNoCookies: the public pages set no cookie, need none, embed no
// third-party resource and run no inline script, for anonymous and signed-in visitors.
func TestVerifyPublicPagesNoCookies(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		admin := ts.login("admin")
		for _, p := range []string{"/v/" + vfShort(t, f.a1), "/v/" + vfShort(t, f.a1) + "?lang=en", "/v/BUKAN-TOKEN", "/periksa", "/pindai",
			"/periksa?lang=en", "/pindai?lang=en"} {
			resp, body := ts.vpGet(t, p, 200)
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control %q", p, resp.Header.Get("Cache-Control"))
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("%s: CSP %q", p, csp)
			}
			for _, m := range regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(body, -1) {
				if u := m[1]; !strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "?") {
					t.Errorf("%s links to %s", p, u)
				}
			}
			for _, m := range regexp.MustCompile(`<script([^>]*)>`).FindAllStringSubmatch(body, -1) {
				if !strings.Contains(m[1], `src="/static/`) && !strings.Contains(m[1], `type="application/json"`) {
					t.Errorf("%s has an inline script: %s", p, m[0])
				}
			}
			// Signed in: still no cookie set (the session is neither read nor renewed here).
			if resp, _ := admin.get(p); len(resp.Header.Values("Set-Cookie")) > 0 {
				t.Errorf("%s sets a cookie for a signed-in visitor: %v", p, resp.Header.Values("Set-Cookie"))
			}
		}
		// The verification page has no script at all: it works without JavaScript.
		if _, body := ts.vpGet(t, "/v/"+vfShort(t, f.a1), 200); strings.Contains(body, "<script") {
			t.Error("the verification page carries a script")
		}
		// The scanner's scripts are embedded, jsQR with its licence.
		for _, p := range []string{"/static/pindai.js", "/static/vendor/jsqr.js", "/static/vendor/jsqr.LICENSE.txt"} {
			resp, body := ts.do(httptestGet(p))
			if resp.StatusCode != 200 || len(body) == 0 {
				t.Errorf("%s: %d", p, resp.StatusCode)
			}
		}
	})
}

// TestVerifyPageSize: the verification page with everything it loads (HTML, verify.css and
// scripts; images aside) stays within 30 kB, for the largest page (a revoked, replaced
// certificate, in either language); the scanner page too, without jsQR, which it loads only
// when the browser has no BarcodeDetector.
func TestVerifyPageSize(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		n := decode[acCert](t, "reissue", ts.call(t, "POST", acCertPath(f.a1.ID, "reissue"), f.tok[domain.RolePenandatangan],
			`{"note":"Perbaikan gelar."}`, 201))
		assets := func(body string) int {
			total := 0
			for _, m := range regexp.MustCompile(`<(?:link rel="stylesheet"|script) [^>]*(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(body, -1) {
				resp, b := ts.do(httptestGet(m[1]))
				if resp.StatusCode != 200 {
					t.Errorf("%s: %d", m[1], resp.StatusCode)
				}
				total += len(b)
			}
			return total
		}
		const budget = 30 << 10
		for _, p := range []string{"/v/" + vfShort(t, f.a1), "/v/" + vfShort(t, f.a1) + "?lang=en", "/v/" + vfShort(t, n), "/pindai", "/pindai?lang=en"} {
			_, body := ts.vpGet(t, p, 200)
			size := len(body) + assets(body)
			t.Logf("%-12.12s… %5d B HTML + assets = %5d B", p, len(body), size)
			if size > budget {
				t.Errorf("%s: %d bytes with its CSS and scripts, over %d", p, size, budget)
			}
		}
		if _, body := ts.vpGet(t, "/v/"+vfShort(t, f.a1), 200); vpVerdict(body) != "DICABUT" {
			t.Errorf("the replaced certificate: %q", vpVerdict(body))
		}
	})
}

// TestVerifyRevokedPageLinks: a replaced certificate's page names the reason, the date and
// links to the replacement; the recommendation line names the number and the activity.
func TestVerifyRevokedPageLinks(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		n := decode[acCert](t, "reissue", ts.call(t, "POST", acCertPath(f.a1.ID, "reissue"), f.tok[domain.RolePenandatangan],
			`{"note":"Perbaikan gelar."}`, 201))
		_, body := ts.vpGet(t, "/v/"+vfShort(t, f.a1), 200)
		today := textID.date(ts.db.Now().In(wib))
		for _, want := range []string{"<strong>DICABUT</strong>", "telah dicabut pada " + today, "Alasan: Diganti dengan sertifikat baru.",
			`href="` + n.VerifyURL + `">Lihat sertifikat pengganti ` + n.Number + `</a>`, "Diperiksa sekarang: sertifikat telah dicabut"} {
			if !strings.Contains(body, want) {
				t.Errorf("replaced certificate's page lacks %q", want)
			}
		}
		if c := vpChecks(body); c != "signature:pass key:pass record:pass status:fail recommendation:pass" {
			t.Errorf("checks [%s]", c)
		}
		_, body = ts.vpGet(t, "/v/"+vfShort(t, f.a1)+"?lang=en", 200)
		if !strings.Contains(body, `href="`+n.VerifyURL+`?lang=en">See the replacing certificate `+n.Number) {
			t.Error("English page: no link to the replacement in English")
		}
		_, body = ts.vpGet(t, "/v/"+vfShort(t, n), 200)
		if !strings.Contains(body, "Diterbitkan berdasarkan rekomendasi nomor ") || !strings.Contains(body, "untuk kegiatan “"+acTitle+"”") {
			t.Errorf("replacement's recommendation line missing: %s", vpChecks(body))
		}
	})
}

// TestVerifyKeyCompromised: after the signing key is reported compromised (by the command
// line, another process: the server sees it when its key set is next read, at most 30 s
// later, simulated here by invalidating), certificates it signed since read KUNCI DICABUT
// with the date, in both languages and in the API.
func TestVerifyKeyCompromised(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		short := vfShort(t, f.a1)
		if v := ts.vfVerify(t, short); v.Status != "valid" {
			t.Fatalf("before: %s", v.Status)
		}
		since := ts.db.Now().Add(-24 * time.Hour)
		if err := ts.srv.Keys.Compromised(context.Background(), f.a1.KID, since, nil); err != nil {
			t.Fatal(err)
		}
		if v := ts.vfVerify(t, short); v.Status != "valid" {
			t.Logf("the key set was re-read early: %s", v.Status)
		}
		ts.srv.verifyState().invalidate()
		v := ts.vfVerify(t, short)
		if v.Status != "key_compromised" || v.Certificate != nil || !strings.Contains(v.checkLine(), "key-") {
			t.Errorf("after the compromise: %s [%s]", v.Status, v.checkLine())
		}
		_, body := ts.vpGet(t, "/v/"+short, 200)
		if vpVerdict(body) != "KUNCI DICABUT" || !strings.Contains(body, "dilaporkan bocor sejak "+textID.date(since.In(wib))) ||
			strings.Contains(body, f.a1.Number) {
			t.Errorf("page after the compromise: %q [%s]", vpVerdict(body), vpChecks(body))
		}
		if _, body := ts.vpGet(t, "/v/"+short+"?lang=en", 200); vpVerdict(body) != "KEY REVOKED" || !strings.Contains(body, "was reported compromised on") {
			t.Errorf("English page after the compromise: %q", vpVerdict(body))
		}
	})
}

// TestVerifyStatusCacheIncremental: revocations made one after the other outside the server
// are each picked up by the incremental refresh (rows revoked since the newest one seen).
func TestVerifyStatusCacheIncremental(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		ts.srv.keys.statusOpts.Refresh = 30 * time.Millisecond
		f := ts.acIssued(t)
		revokeBehind := func(c acCert, at time.Time) {
			t.Helper()
			if err := ts.db.Gorm.Exec("UPDATE certificates SET state = 'revoked', revoked_at = ?, revoke_reason = 'withdrawn' WHERE id = ?",
				at, c.ID).Error; err != nil {
				t.Fatal(err)
			}
		}
		waitRevoked := func(c acCert) {
			t.Helper()
			deadline := time.Now().Add(5 * time.Second)
			for ts.vfVerify(t, c.Token).Status != "revoked" {
				if time.Now().After(deadline) {
					t.Fatalf("revocation of %s not seen after 5 s", c.ID)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		for _, c := range []acCert{f.a1, f.a3} {
			if v := ts.vfVerify(t, c.Token); v.Status != "valid" {
				t.Fatalf("before: %s", v.Status)
			}
		}
		now := ts.db.Now()
		revokeBehind(f.a3, now)
		waitRevoked(f.a3)
		revokeBehind(f.a1, now.Add(2*time.Hour))
		waitRevoked(f.a1)
		if n := ts.srv.statusCache().RevokedCount(); n != 2 {
			t.Errorf("revocation set holds %d, want 2", n)
		}
	})
}
