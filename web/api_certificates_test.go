package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/document"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/jobs"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/internal/qr"
	"github.com/sertika/sertika/issuer"
	"github.com/sertika/sertika/verifier"
)

// Tests of the certificate API (web/api_certificates.go) on both databases: issuing a
// verified request's certificates (who may, the four-eyes rule, the pre-issuance checks
// refusing a batch whole, re-runs), reading them within each role's scope, the QR code and
// the PDF read back by real readers (zbarimg, pdftotext, pdftoppm), the ZIP of a request,
// revocation and re-issue, and the published key set. The public verification is in
// verify_test.go.

// ---- helpers (prefixed ac: API certificates) ----

// acNIP3 is a third DISDIK employee the tests add, so that a batch has two holders.
const acNIP3 = "198203152006042004"

// acHeadNIP is the head of BKPSDM's NIP: not a participant's, so a PDF that printed the
// signer's NIP in the holder's place would be caught.
const acHeadNIP = "197005121995031002"

// acTitle is the title of the activity acVerifiedRequest creates.
const acTitle = "Pelatihan Penyusunan Modul Ajar Kurikulum Merdeka"

// acCert is a certificate as the API answers it.
type acCert struct {
	ID                   string     `json:"id"`
	Number               string     `json:"number"`
	State                string     `json:"state"`
	NIP                  string     `json:"nip"`
	HolderName           string     `json:"holder_name"`
	Position             string     `json:"position"`
	OPDName              string     `json:"opd_name"`
	RequestID            int64      `json:"request_id"`
	Title                string     `json:"title"`
	Kind                 string     `json:"kind"`
	KindLabel            string     `json:"kind_label"`
	StartDate            string     `json:"start_date"`
	EndDate              string     `json:"end_date"`
	JP                   int        `json:"jp"`
	RecommendationNumber string     `json:"recommendation_number"`
	Place                string     `json:"place"`
	IssuedAt             time.Time  `json:"issued_at"`
	SignerName           string     `json:"signer_name"`
	KID                  string     `json:"kid"`
	Token                string     `json:"token"`
	VerifyURL            string     `json:"verify_url"`
	ShortCode            string     `json:"short_code"`
	RevokedAt            *time.Time `json:"revoked_at"`
	RevokeReason         string     `json:"revoke_reason"`
	RevokeNote           string     `json:"revoke_note"`
	Replaces             *string    `json:"replaces"`
	ReplacedBy           *string    `json:"replaced_by"`
	History              []struct {
		User   string `json:"user"`
		Action string `json:"action"`
		Detail string `json:"detail"`
	} `json:"history"`
}

// actions lists the actions of the certificate's history.
func (c acCert) actions() []string {
	var out []string
	for _, h := range c.History {
		out = append(out, h.Action+" "+h.User)
	}
	return out
}

// acIssue is the answer of POST /requests/{id}/certificates.
type acIssue struct {
	Issued       int      `json:"issued"`
	Certificates []acCert `json:"certificates"`
}

// acPage is a page of GET /certificates.
type acPage struct {
	Items  []acCert `json:"items"`
	Total  int      `json:"total"`
	Limit  int      `json:"limit"`
	Offset int      `json:"offset"`
}

func (p acPage) ids() []string {
	out := make([]string, len(p.Items))
	for i, c := range p.Items {
		out[i] = c.ID
	}
	return out
}

// acCertPath is /api/v1/certificates/{id}[/rest].
func acCertPath(id string, rest ...string) string {
	p := "/api/v1/certificates/" + id
	if len(rest) > 0 {
		p += "/" + strings.Join(rest, "/")
	}
	return p
}

// acAgency stores the agency's identity, which issuance requires and the harness leaves
// empty.
func (ts *testServer) acAgency(t *testing.T) {
	t.Helper()
	var n int64
	if err := ts.db.Gorm.Raw("SELECT count(*) FROM agency WHERE id = 1").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	q := `UPDATE agency SET name = ?, bkpsdm_name = ?, city = ?, head_name = ?, head_nip = ?, head_title = ?, head_rank = ?,
		issuer_code = ?, updated_at = ? WHERE id = 1`
	if n == 0 {
		q = `INSERT INTO agency (name, bkpsdm_name, city, head_name, head_nip, head_title, head_rank, issuer_code, updated_at, id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`
	}
	err := ts.db.Gorm.Exec(q, "Pemerintah Kota Tidore Kepulauan", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
		"Tidore Kepulauan", "Drs. Hasan Abdullah, M.Si.", acHeadNIP, "Kepala BKPSDM Kota Tidore Kepulauan",
		"Pembina Utama Muda (IV/c)", "TIDORE", ts.db.Now()).Error
	if err != nil {
		t.Fatalf("agency: %v", err)
	}
}

// acAddEmployee adds acNIP3 to DISDIK.
func (ts *testServer) acAddEmployee(t *testing.T) {
	t.Helper()
	var opd domain.OPD
	if err := ts.db.Gorm.Where("code = ?", "DISDIK").Take(&opd).Error; err != nil {
		t.Fatal(err)
	}
	e := domain.Employee{NIP: acNIP3, Name: "Rina Kartika", BackTitle: "S.Kom.", Status: "PNS", OPDID: opd.ID,
		Position: "Pranata Komputer Ahli Pertama", PositionKind: "fungsional", JFName: "Pranata Komputer Ahli Pertama",
		EducationLevel: "40", Active: true}
	if err := ts.db.Gorm.Create(&e).Error; err != nil {
		t.Fatalf("employee %s: %v", acNIP3, err)
	}
}

// acVerifiedRequest drives a retroactive DISDIK request (over a week ago, with evidence)
// through the API to verified, and returns its id. nipA1 attended and passed (24 JP),
// nipA2 attended and failed, acNIP3 attended and passed with 20 JP. acAddEmployee must have
// run.
func (ts *testServer) acVerifiedRequest(t *testing.T, tok map[domain.Role]string) int64 {
	t.Helper()
	opd, rev := tok[domain.RoleOPD], tok[domain.RoleVerifikator]
	today := ts.wibToday()
	r := ts.act(t, "POST", "/api/v1/requests", opd, ts.requestBody(t, func(m map[string]any) {
		m["title"] = acTitle
		m["retroactive"] = true
		m["start_date"] = today.AddDate(0, 0, -10).Format(domain.DateLayout)
		m["end_date"] = today.AddDate(0, 0, -8).Format(domain.DateLayout)
		m["participants"] = []string{nipA1, nipA2, acNIP3}
	}), 201)
	resp, body := ts.apiUploadForm(reqPath(r.ID, "attachments"), opd, url.Values{"purpose": {"bukti"}},
		upload{"file", "daftar-hadir.pdf", samplePDF})
	if resp.StatusCode != 201 {
		t.Fatalf("evidence: %d %s", resp.StatusCode, body)
	}
	ts.act(t, "POST", reqPath(r.ID, "submit"), opd, "", 200)
	ts.act(t, "POST", reqPath(r.ID, "approve"), rev, "", 200)
	ts.act(t, "POST", reqPath(r.ID, "report"), opd, fmt.Sprintf(`{"participants":[`+
		`{"nip":%q,"attended":true,"passed":true,"score":"90"},{"nip":%q,"attended":true,"passed":false},`+
		`{"nip":%q,"attended":true,"passed":true,"jp":20}]}`, nipA1, nipA2, acNIP3), 200)
	if r := ts.act(t, "POST", reqPath(r.ID, "report/verify"), rev, "", 200); r.State != "verified" {
		t.Fatalf("request %d is %s after verify", r.ID, r.State)
	}
	return r.ID
}

// acFixture is a request whose two certificates were issued through the API.
type acFixture struct {
	tok    map[domain.Role]string
	req    int64
	a1, a3 acCert // nipA1's and acNIP3's certificates as issued
}

// acIssued sets up the agency, a verified request and issues its certificates as the signer.
func (ts *testServer) acIssued(t *testing.T) acFixture {
	t.Helper()
	f := acFixture{tok: ts.tokens()}
	ts.acAgency(t)
	ts.acAddEmployee(t)
	f.req = ts.acVerifiedRequest(t, f.tok)
	res := decode[acIssue](t, "issue", ts.call(t, "POST", reqPath(f.req, "certificates"), f.tok[domain.RolePenandatangan], "", 201))
	if res.Issued != 2 || len(res.Certificates) != 2 || res.Certificates[0].NIP != nipA1 || res.Certificates[1].NIP != acNIP3 {
		t.Fatalf("issued %d: %+v", res.Issued, res.Certificates)
	}
	f.a1, f.a3 = res.Certificates[0], res.Certificates[1]
	return f
}

// getCert reads a certificate through the API as token and wants 200.
func (ts *testServer) getCert(t *testing.T, id, token string) acCert {
	t.Helper()
	return decode[acCert](t, "certificate "+id, ts.call(t, "GET", acCertPath(id), token, "", 200))
}

// acRows counts what issuing writes, to show that a refusal wrote nothing: certificates and
// their number counters.
func (ts *testServer) acRows(t *testing.T) string {
	t.Helper()
	var certs, counters int64
	if err := ts.db.Gorm.Raw("SELECT count(*) FROM certificates").Scan(&certs).Error; err != nil {
		t.Fatal(err)
	}
	if err := ts.db.Gorm.Raw("SELECT coalesce(sum(last_seq), 0) FROM number_counters WHERE scope IN ('sertifikat', 'status_index')").
		Scan(&counters).Error; err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("certificates=%d counters=%d", certs, counters)
}

// acLastLogAction is the action of the newest issuance-log entry.
func (ts *testServer) acLastLogAction(t *testing.T) string {
	t.Helper()
	var a string
	if err := ts.db.Gorm.Raw("SELECT action FROM issuance_log ORDER BY id DESC LIMIT 1").Scan(&a).Error; err != nil {
		t.Fatal(err)
	}
	return a
}

// acNeedTools skips the test when an external reader is missing, except in CI (CI=true),
// where the test must run and fails instead.
func acNeedTools(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed; CI must run this test (.ci/run installs zbar-tools and poppler-utils)", n)
			}
			t.Skipf("%s is not installed (apt-get install zbar-tools poppler-utils): skipping", n)
		}
	}
}

// acRun runs a command and returns its standard output, failing the test on an error.
func acRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// zbarDecode reads the QR codes of an image file with zbarimg and returns their contents.
func zbarDecode(t *testing.T, file string) string {
	t.Helper()
	return strings.TrimRight(acRun(t, "zbarimg", "--raw", "-q", file), "\n")
}

// acGetRaw sends GET path with a bearer token and returns the response with its body.
func (ts *testServer) acGetRaw(path, token string) (*http.Response, string) {
	ts.t.Helper()
	return ts.api("GET", path, token, "")
}

var base32IDRE = regexp.MustCompile(`^[A-Z2-7]{16}$`)

// ---- issuing ----

func TestAPICertificateIssue(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		tok := ts.tokens()
		signer := tok[domain.RolePenandatangan]
		ts.acAddEmployee(t)
		id := ts.acVerifiedRequest(t, tok)
		path := reqPath(id, "certificates")
		rows := ts.acRows(t)

		// Only the signer issues.
		for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleVerifikator, domain.RoleOPD, domain.RolePegawai} {
			resp, body := ts.api("POST", path, tok[role], "")
			wantRefusal(t, "issue as "+string(role), resp, body, 403, "forbidden", "Peran Anda tidak berhak")
		}
		resp, body := ts.api("POST", path, "", "")
		wantError(t, "issue without a token", resp, body, 401, "unauthorized")

		// The agency's identity is still empty: the pre-issuance checks refuse the whole batch,
		// naming every finding, and nothing is issued (the refusal itself is logged).
		resp, body = ts.api("POST", path, signer, "")
		wantRefusal(t, "issue with the agency incomplete", resp, body, 400, "invalid", "Penerbitan sertifikat ditolak (3 temuan)",
			"Data instansi belum lengkap", "NIP kepala BKPSDM pada Pengaturan tidak sah", "Kode penerbit instansi")
		if after := ts.acRows(t); after != rows {
			t.Errorf("a refused batch wrote: %s, was %s", after, rows)
		}
		if a := ts.acLastLogAction(t); a != "issuance.refused" {
			t.Errorf("last issuance-log action %q, want issuance.refused", a)
		}
		ts.acAgency(t)

		// Four eyes: the account that verified the report may not sign, even as signer.
		mustExec := func(q string, args ...any) {
			t.Helper()
			if err := ts.db.Gorm.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		mustExec("UPDATE dev_requests SET report_verified_by = ? WHERE id = ?", ts.userID(testUsers[domain.RolePenandatangan]), id)
		resp, body = ts.api("POST", path, signer, "")
		wantRefusal(t, "signer who verified the report", resp, body, 403, "forbidden", "Prinsip empat mata")
		if after := ts.acRows(t); after != rows {
			t.Errorf("a four-eyes refusal wrote: %s, was %s", after, rows)
		}
		mustExec("UPDATE dev_requests SET report_verified_by = ? WHERE id = ?", ts.userID(testUsers[domain.RoleVerifikator]), id)

		// Issued: one certificate per participant who attended and passed (not nipA2, who failed).
		resp, body = ts.api("POST", path, signer, "")
		if resp.StatusCode != 201 {
			t.Fatalf("issue: %d %s", resp.StatusCode, body)
		}
		res := decode[acIssue](t, "issue", body)
		if res.Issued != 2 || len(res.Certificates) != 2 {
			t.Fatalf("issued %d, %d certificates: %s", res.Issued, len(res.Certificates), body)
		}
		year := ts.wibToday().Year()
		keyset, err := ts.srv.Keys.JWKS(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			nip, holder string
			jp          int
		}{{nipA1, "Dr. Andi Wijaya, S.Pd., M.Pd.", 24}, {acNIP3, "Rina Kartika, S.Kom.", 20}}
		for i, c := range res.Certificates {
			w := want[i]
			if !base32IDRE.MatchString(c.ID) || c.Number != fmt.Sprintf("800.1/%04d/SERT/BKPSDM/%d", i+1, year) || c.State != "valid" ||
				c.NIP != w.nip || c.HolderName != w.holder || c.JP != w.jp || c.RequestID != id || c.Title != acTitle ||
				c.Kind != "teknis" || c.Place != "Tidore Kepulauan" || c.SignerName != "Drs. Hasan Abdullah, M.Si." ||
				c.OPDName != "Dinas Pendidikan" || c.RecommendationNumber == "" || c.RevokedAt != nil || c.ReplacedBy != nil {
				t.Errorf("certificate %d: %+v", i, c)
			}
			if c.KID != keyset.Keys[0].KID {
				t.Errorf("certificate %d: kid %s, want the active key %s", i, c.KID, keyset.Keys[0].KID)
			}
			// The token is the compact JWS of the documented claims; the QR address is its short form.
			parts := strings.Split(c.Token, ".")
			if len(parts) != 3 {
				t.Fatalf("certificate %d: token %q is not a compact JWS", i, c.Token)
			}
			hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
			if string(hdr) != `{"alg":"EdDSA","kid":"`+c.KID+`"}` {
				t.Errorf("certificate %d: header %s", i, hdr)
			}
			pl, _ := base64.RawURLEncoding.DecodeString(parts[1])
			claims := decode[verifier.Claims](t, "claims", string(pl))
			if claims.ID != c.ID || claims.Subject != c.NIP || claims.Issuer != "TIDORE" || claims.JP != c.JP || claims.Kind != "teknis" ||
				claims.IssuedAt != c.IssuedAt.Unix() || claims.StartDate().String() != c.StartDate || claims.EndDate().String() != c.EndDate {
				t.Errorf("certificate %d: claims %+v do not match %+v", i, claims, c)
			}
			stored, err := ts.srv.Issuance.Get(context.Background(), domain.System, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d := issuer.ComputeDigest(stored); claims.Digest != d || stored.Digest != d {
				t.Errorf("certificate %d: digest %s, record %s, recomputed %s", i, claims.Digest, stored.Digest, d)
			}
			short, err := verifier.Short(c.Token)
			if err != nil {
				t.Fatalf("certificate %d: short form: %v", i, err)
			}
			if c.VerifyURL != "HTTP://SERTIKA.TEST/V/"+short {
				t.Errorf("certificate %d: verify_url %q, want HTTP://SERTIKA.TEST/V/%s", i, c.VerifyURL, short)
			}
			if c.ShortCode != c.ID[0:4]+"-"+c.ID[4:8]+"-"+c.ID[8:12]+"-"+c.ID[12:16] {
				t.Errorf("certificate %d: short_code %q", i, c.ShortCode)
			}
			if got := ts.getCert(t, c.ID, signer); !slices.Equal(got.actions(), []string{"certificate.issue kepala"}) {
				t.Errorf("certificate %d: history %v", i, got.actions())
			}
		}
		rows = ts.acRows(t)

		// A re-run issues nothing twice: 200, issued 0, the same certificates.
		again := decode[acIssue](t, "re-run", ts.call(t, "POST", path, signer, "", 200))
		if again.Issued != 0 || len(again.Certificates) != 2 || again.Certificates[0].ID != res.Certificates[0].ID ||
			again.Certificates[1].ID != res.Certificates[1].ID || again.Certificates[0].Token != res.Certificates[0].Token {
			t.Errorf("re-run: %+v", again)
		}
		if after := ts.acRows(t); after != rows {
			t.Errorf("a re-run wrote: %s, was %s", after, rows)
		}

		// Requests that cannot be issued.
		resp, body = ts.api("POST", reqPath(1, "certificates"), signer, "")
		wantRefusal(t, "submitted request", resp, body, 409, "conflict", "laporannya sudah diverifikasi", "Diajukan")
		for _, p := range []string{reqPath(999, "certificates"), "/api/v1/requests/abc/certificates"} {
			resp, body = ts.api("POST", p, signer, "")
			wantRefusal(t, p, resp, body, 404, "not_found", "Usulan tidak ditemukan.")
		}
		// Request 1 runs two weeks ahead: verified on its last day (a report is refused
		// before), its certificates still wait for the end.
		ts.act(t, "POST", reqPath(1, "approve"), tok[domain.RoleVerifikator], "", 200)
		ts.cpToLastDay(t, clock, 1)
		tok = ts.tokens()
		signer = tok[domain.RolePenandatangan]
		ts.act(t, "POST", reqPath(1, "report"), tok[domain.RoleOPD], fmt.Sprintf(
			`{"participants":[{"nip":%q,"attended":true,"passed":true},{"nip":%q,"attended":false,"passed":false}]}`, nipA1, nipA2), 200)
		ts.act(t, "POST", reqPath(1, "report/verify"), tok[domain.RoleVerifikator], "", 200)
		resp, body = ts.api("POST", reqPath(1, "certificates"), signer, "")
		wantRefusal(t, "activity not over", resp, body, 400, "invalid", "Penerbitan sertifikat ditolak (1 temuan)", "Kegiatan belum selesai")
		if after := ts.acRows(t); after != rows {
			t.Errorf("a refusal for dates wrote: %s, was %s", after, rows)
		}
	})
}

// ---- reading ----

func TestAPICertificateList(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		admin := f.tok[domain.RoleAdmin]
		list := func(token, query string) acPage {
			t.Helper()
			return decode[acPage](t, "list ?"+query, ts.call(t, "GET", "/api/v1/certificates?"+query, token, "", 200))
		}
		year := ts.wibToday().Year()
		a1, a3 := f.a1.ID, f.a3.ID
		for _, tc := range []struct {
			query string
			want  []string // ids, newest first (same issue time: the higher number first)
		}{
			{"", []string{a3, a1}},
			{"nip=" + nipA1, []string{a1}},
			{"nip=" + url.QueryEscape("19820315 200604 2 004"), []string{a3}},
			{"nip=" + nipA2, nil}, // failed: no certificate
			{fmt.Sprintf("request=%d", f.req), []string{a3, a1}},
			{"request=1", nil},
			{"q=MODUL+AJAR", []string{a3, a1}},
			{"q=rina", []string{a3}},
			{"q=" + url.QueryEscape(f.a1.Number), []string{a1}},
			{"q=" + acNIP3[:8], []string{a3}},
			{"q=%25", nil}, // LIKE wildcards are taken literally
			{"q=_", nil},
			{"state=valid", []string{a3, a1}},
			{"state=revoked", nil},
			{"opd=DISDIK", []string{a3, a1}},
			{"opd=DINKES", nil},
			{fmt.Sprintf("year=%d", year), []string{a3, a1}},
			{fmt.Sprintf("year=%d", year-1), nil},
			{"state=valid&nip=" + nipA1 + "&q=andi", []string{a1}},
		} {
			p := list(admin, tc.query)
			if !slices.Equal(p.ids(), tc.want) || p.Total != len(tc.want) {
				t.Errorf("?%s: %v (total %d), want %v", tc.query, p.ids(), p.Total, tc.want)
			}
		}
		if p := list(admin, "limit=1&offset=1"); p.Total != 2 || p.Limit != 1 || p.Offset != 1 || !slices.Equal(p.ids(), []string{a1}) {
			t.Errorf("limit=1&offset=1: %+v", p)
		}
		if p := list(admin, "limit=100000"); p.Limit != 500 {
			t.Errorf("limit capped at %d, want 500", p.Limit)
		}
		for _, q := range []string{"state=entah", "limit=x", "offset=-1", "request=abc", "year=-1", "q=" + strings.Repeat("a", 101)} {
			resp, body := ts.api("GET", "/api/v1/certificates?"+q, admin, "")
			wantError(t, "list ?"+q, resp, body, 400, "invalid")
		}
		resp, body := ts.api("GET", "/api/v1/certificates", "", "")
		wantError(t, "list without a token", resp, body, 401, "unauthorized")

		// Scopes: BKPSDM staff see all; the OPD its requests'; the employee (nipA1) their own;
		// another OPD nothing. What is out of scope answers 404, as a certificate that does
		// not exist.
		dinkes := ts.apiToken(ts.addUser(t, "opd.dinkes", domain.RoleOPD, "DINKES"))
		for _, tc := range []struct {
			who     string
			token   string
			sees    []string
			hidden  []string
			zipSize int
		}{
			{"verifikator", f.tok[domain.RoleVerifikator], []string{a3, a1}, nil, 2},
			{"penandatangan", f.tok[domain.RolePenandatangan], []string{a3, a1}, nil, 2},
			{"opd.disdik", f.tok[domain.RoleOPD], []string{a3, a1}, nil, 2},
			{"pegawai.a1", f.tok[domain.RolePegawai], []string{a1}, []string{a3}, 1},
			{"opd.dinkes", dinkes, nil, []string{a1, a3}, 0},
		} {
			if p := list(tc.token, ""); !slices.Equal(p.ids(), tc.sees) || p.Total != len(tc.sees) {
				t.Errorf("%s lists %v (total %d), want %v", tc.who, p.ids(), p.Total, tc.sees)
			}
			if p := list(tc.token, "nip="+acNIP3); tc.who == "pegawai.a1" && p.Total != 0 {
				t.Errorf("%s lists another employee's certificates by NIP: %v", tc.who, p.ids())
			}
			for _, id := range tc.sees {
				if c := ts.getCert(t, id, tc.token); c.ID != id || c.Token == "" || len(c.History) == 0 {
					t.Errorf("%s reading %s: %+v", tc.who, id, c)
				}
			}
			for _, id := range tc.hidden {
				for _, p := range []string{acCertPath(id), acCertPath(id, "qr.png"), acCertPath(id, "pdf")} {
					resp, body := ts.api("GET", p, tc.token, "")
					wantRefusal(t, tc.who+" "+p, resp, body, 404, "not_found", "Sertifikat tidak ditemukan.")
				}
			}
			resp, body := ts.api("GET", reqPath(f.req, "certificates.zip"), tc.token, "")
			if tc.zipSize == 0 {
				wantRefusal(t, tc.who+" ZIP", resp, body, 404, "not_found", "Belum ada sertifikat untuk usulan ini.")
			} else if n := acZipEntries(t, resp, body); len(n) != tc.zipSize {
				t.Errorf("%s ZIP: %d entries, want %d", tc.who, len(n), tc.zipSize)
			}
		}
		// Ids are case-insensitive; unknown ones answer 404.
		if c := ts.getCert(t, strings.ToLower(a1), admin); c.ID != a1 {
			t.Errorf("lower-case id: %+v", c)
		}
		for _, id := range []string{"AAAAAAAAAAAAAAAA", "x", "%27%20OR%201%3D1"} {
			resp, body := ts.api("GET", acCertPath(id), admin, "")
			wantRefusal(t, "certificate "+id, resp, body, 404, "not_found", "Sertifikat tidak ditemukan.")
		}
	})
}

// ---- QR code, PDF, ZIP ----

func TestAPICertificateQRCode(t *testing.T) {
	acNeedTools(t, "zbarimg")
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		dir := t.TempDir()
		for _, tc := range []struct {
			c     acCert
			token string
			scale int
		}{{f.a1, f.tok[domain.RolePegawai], 8}, {f.a3, f.tok[domain.RoleOPD], 4}} {
			p := acCertPath(tc.c.ID, "qr.png")
			if tc.scale != 8 {
				p += fmt.Sprintf("?scale=%d", tc.scale)
			}
			resp, body := ts.acGetRaw(p, tc.token)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
				t.Fatalf("%s: %d %s", p, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			img, err := png.Decode(strings.NewReader(body))
			if err != nil {
				t.Fatalf("%s: not a PNG: %v", p, err)
			}
			// Whole pixels per module, a four-module quiet zone, at most version 12.
			w := img.Bounds().Dx()
			modules := w/tc.scale - 2*qr.QuietZone
			if w%tc.scale != 0 || img.Bounds().Dy() != w || (modules-17)%4 != 0 || (modules-17)/4 > qr.MaxVersion {
				t.Errorf("%s: %d×%d pixels at scale %d: %d modules", p, w, img.Bounds().Dy(), tc.scale, modules)
			}
			file := filepath.Join(dir, tc.c.ID+".png")
			if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			if got := zbarDecode(t, file); got != tc.c.VerifyURL {
				t.Errorf("%s decodes to\n%q\nwant\n%q", p, got, tc.c.VerifyURL)
			}
		}
		for _, q := range []string{"scale=0", "scale=41", "scale=x"} {
			resp, body := ts.api("GET", acCertPath(f.a1.ID, "qr.png")+"?"+q, f.tok[domain.RoleAdmin], "")
			wantRefusal(t, "qr.png?"+q, resp, body, 400, "invalid", "scale")
		}
	})
}

// acPDFText is the text of a PDF file, white space collapsed.
func acPDFText(t *testing.T, file string) string {
	t.Helper()
	return strings.Join(strings.Fields(acRun(t, "pdftotext", "-enc", "UTF-8", file, "-")), " ")
}

// acPDFQR rasterises a one-page PDF at 150 dpi and decodes its QR code.
func acPDFQR(t *testing.T, file string) string {
	t.Helper()
	prefix := strings.TrimSuffix(file, ".pdf") + "-page"
	acRun(t, "pdftoppm", "-r", "150", "-png", file, prefix)
	pages, _ := filepath.Glob(prefix + "*.png")
	if len(pages) != 1 {
		t.Fatalf("%s: %d pages rasterised, want 1", file, len(pages))
	}
	return zbarDecode(t, pages[0])
}

func TestAPICertificatePDF(t *testing.T) {
	acNeedTools(t, "pdftotext", "pdftoppm", "zbarimg")
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		dir := t.TempDir()
		for _, tc := range []struct {
			c     acCert
			token string
		}{{f.a1, f.tok[domain.RolePegawai]}, {f.a3, f.tok[domain.RoleOPD]}} {
			p := acCertPath(tc.c.ID, "pdf")
			resp, body := ts.acGetRaw(p, tc.token)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", p, resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
				t.Errorf("%s: Content-Type %q", p, ct)
			}
			wantName := "sertifikat-" + strings.ReplaceAll(tc.c.Number, "/", "-") + ".pdf"
			if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline;") || !strings.Contains(cd, wantName) {
				t.Errorf("%s: Content-Disposition %q, want inline with %s", p, cd, wantName)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
				t.Errorf("%s: Cache-Control %q", p, cc)
			}
			if !strings.HasPrefix(body, "%PDF-") {
				t.Fatalf("%s: not a PDF: %q", p, body[:min(len(body), 20)])
			}
			// Deterministic: the same certificate gives the same bytes.
			if _, again := ts.acGetRaw(p, f.tok[domain.RoleAdmin]); again != body {
				t.Errorf("%s: a second rendering differs", p)
			}
			file := filepath.Join(dir, tc.c.ID+".pdf")
			if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			text := acPDFText(t, file)
			for _, want := range []string{tc.c.HolderName, "NIP " + document.FormatNIP(tc.c.NIP), tc.c.Number, acTitle,
				"NIP " + document.FormatNIP(acHeadNIP), "Drs. Hasan Abdullah, M.Si.", tc.c.ShortCode} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: text lacks %q:\n%s", p, want, text)
				}
			}
			if got := acPDFQR(t, file); got != tc.c.VerifyURL {
				t.Errorf("%s: the QR code in the PDF decodes to\n%q\nwant\n%q", p, got, tc.c.VerifyURL)
			}
		}
	})
}

// acZipEntries checks a ZIP answer and returns its entries' names and contents.
func acZipEntries(t *testing.T, resp *http.Response, body string) map[string]string {
	t.Helper()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("ZIP: %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body[:min(len(body), 200)])
	}
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("ZIP: %v", err)
	}
	out := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(rc); err != nil {
			t.Fatalf("ZIP entry %s: %v", zf.Name, err)
		}
		rc.Close()
		if _, dup := out[zf.Name]; dup {
			t.Errorf("ZIP: %s twice", zf.Name)
		}
		out[zf.Name] = b.String()
	}
	return out
}

func TestAPICertificatesZip(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		path := reqPath(f.req, "certificates.zip")
		resp, body := ts.acGetRaw(path, f.tok[domain.RoleOPD])
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") ||
			!strings.Contains(cd, fmt.Sprintf("sertifikat-usulan-%d.zip", f.req)) {
			t.Errorf("ZIP Content-Disposition %q", cd)
		}
		entries := acZipEntries(t, resp, body)
		// One PDF per live certificate, the same bytes as its own download.
		want := map[string]acCert{}
		for _, c := range []acCert{f.a1, f.a3} {
			want["sertifikat-"+strings.ReplaceAll(c.Number, "/", "-")+".pdf"] = c
		}
		if len(entries) != len(want) {
			t.Errorf("ZIP holds %d entries, want %d", len(entries), len(want))
		}
		for name, c := range want {
			pdf, ok := entries[name]
			if !ok {
				t.Errorf("ZIP lacks %s; has %v", name, sortedKeys(entries))
				continue
			}
			if _, single := ts.acGetRaw(acCertPath(c.ID, "pdf"), f.tok[domain.RoleOPD]); !strings.HasPrefix(pdf, "%PDF-") || pdf != single {
				t.Errorf("ZIP entry %s is not the certificate's PDF", name)
			}
		}
		// A revoked certificate leaves the ZIP.
		ts.call(t, "POST", acCertPath(f.a3.ID, "revoke"), f.tok[domain.RolePenandatangan], `{"reason":"withdrawn","note":"Ditarik."}`, 200)
		resp, body = ts.acGetRaw(path, f.tok[domain.RoleAdmin])
		if entries := acZipEntries(t, resp, body); len(entries) != 1 || entries["sertifikat-"+strings.ReplaceAll(f.a1.Number, "/", "-")+".pdf"] == "" {
			t.Errorf("ZIP after revoking one: %v", sortedKeys(entries))
		}
		for _, p := range []string{reqPath(1, "certificates.zip"), reqPath(999, "certificates.zip"), "/api/v1/requests/x/certificates.zip"} {
			resp, body := ts.api("GET", p, f.tok[domain.RoleAdmin], "")
			wantError(t, p, resp, body, 404, "not_found")
		}
		resp, body = ts.api("GET", path, "", "")
		wantError(t, "ZIP without a token", resp, body, 401, "unauthorized")
	})
}

// ---- revocation and re-issue ----

func TestAPICertificateRevoke(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		signer := f.tok[domain.RolePenandatangan]
		path := acCertPath(f.a3.ID, "revoke")
		rows, before := ts.acRows(t), ts.call(t, "GET", acCertPath(f.a3.ID), signer, "", 200)

		for _, tc := range []struct {
			name, token, body string
			status            int
			code, msg         string
		}{
			{"verifikator", f.tok[domain.RoleVerifikator], `{"reason":"fraud","note":"x"}`, 403, "forbidden", "Peran Anda tidak berhak"},
			{"admin", f.tok[domain.RoleAdmin], `{"reason":"fraud","note":"x"}`, 403, "forbidden", "Peran Anda tidak berhak"},
			{"opd", f.tok[domain.RoleOPD], `{"reason":"fraud","note":"x"}`, 403, "forbidden", "Peran Anda tidak berhak"},
			{"anonymous", "", `{"reason":"fraud","note":"x"}`, 401, "unauthorized", "token"},
			{"reason replaced", signer, `{"reason":"replaced","note":"x"}`, 400, "invalid", "terbitkan ulang"},
			{"unknown reason", signer, `{"reason":"bosan","note":"x"}`, 400, "invalid", "issued_in_error, fraud, withdrawn"},
			{"no reason", signer, `{"note":"x"}`, 400, "invalid", "issued_in_error, fraud, withdrawn"},
			{"no note", signer, `{"reason":"fraud"}`, 400, "invalid", "Tuliskan catatan"},
			{"blank note", signer, `{"reason":"fraud","note":"  \n "}`, 400, "invalid", "Tuliskan catatan"},
			{"wrong type", signer, `{"reason":5}`, 400, "invalid", "reason"},
			{"unknown field", signer, `{"reason":"fraud","note":"x","state":"valid"}`, 400, "invalid", "Kolom tidak dikenal"},
			{"empty body", signer, ``, 400, "invalid", ""},
		} {
			resp, body := ts.api("POST", path, tc.token, tc.body)
			wantRefusal(t, "revoke, "+tc.name, resp, body, tc.status, tc.code, tc.msg)
		}
		resp, body := ts.api("POST", acCertPath("AAAAAAAAAAAAAAAA", "revoke"), signer, `{"reason":"fraud","note":"x"}`)
		wantRefusal(t, "revoke an unknown certificate", resp, body, 404, "not_found", "Sertifikat tidak ditemukan.")
		if after := ts.acRows(t); after != rows {
			t.Errorf("refused revocations wrote: %s, was %s", after, rows)
		}
		if after := ts.call(t, "GET", acCertPath(f.a3.ID), signer, "", 200); after != before {
			t.Errorf("refused revocations changed the certificate:\n%s\nwas\n%s", after, before)
		}

		// Revoked: the record stays, with when, why and the note.
		c := decode[acCert](t, "revoke", ts.call(t, "POST", path, signer, `{"reason":"issued_in_error","note":"Peserta tidak mengikuti kegiatan sampai selesai."}`, 200))
		if c.ID != f.a3.ID || c.State != "revoked" || c.RevokeReason != "issued_in_error" || c.RevokedAt == nil ||
			c.RevokeNote != "Peserta tidak mengikuti kegiatan sampai selesai." || c.Number != f.a3.Number || c.Token != f.a3.Token {
			t.Fatalf("revoked: %+v", c)
		}
		// The same revocation again (a retried POST) changes nothing; another reason is a conflict.
		again := decode[acCert](t, "revoke again", ts.call(t, "POST", path, signer, `{"reason":"issued_in_error","note":"Lagi."}`, 200))
		if again.State != "revoked" || again.RevokedAt == nil || !again.RevokedAt.Equal(*c.RevokedAt) || again.RevokeNote != c.RevokeNote {
			t.Errorf("replayed revocation changed the certificate: %+v, was %+v", again, c)
		}
		resp, body = ts.api("POST", path, signer, `{"reason":"fraud","note":"Ternyata curang."}`)
		wantRefusal(t, "revoke for another reason", resp, body, 409, "conflict", "sudah dicabut")
		resp, body = ts.api("POST", acCertPath(f.a3.ID, "reissue"), signer, "")
		wantRefusal(t, "re-issue a revoked certificate", resp, body, 409, "conflict", "sudah dicabut tidak dapat diterbitkan ulang")
		got := ts.getCert(t, f.a3.ID, f.tok[domain.RoleOPD])
		if want := []string{"certificate.issue kepala", "certificate.revoke kepala"}; !slices.Equal(got.actions(), want) {
			t.Errorf("history %v, want %v", got.actions(), want)
		}
		if p := decode[acPage](t, "revoked list", ts.call(t, "GET", "/api/v1/certificates?state=revoked", signer, "", 200)); !slices.Equal(p.ids(), []string{f.a3.ID}) {
			t.Errorf("state=revoked lists %v", p.ids())
		}
		// The other certificate stands.
		if c := ts.getCert(t, f.a1.ID, signer); c.State != "valid" {
			t.Errorf("the other certificate is %s", c.State)
		}
		// Re-running the batch does not issue the revoked certificate again.
		res := decode[acIssue](t, "re-run", ts.call(t, "POST", reqPath(f.req, "certificates"), signer, "", 200))
		if res.Issued != 0 || len(res.Certificates) != 1 || res.Certificates[0].ID != f.a1.ID {
			t.Errorf("re-run after a revocation: %+v", res)
		}
	})
}

func TestAPICertificateReissue(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		signer := f.tok[domain.RolePenandatangan]
		path := acCertPath(f.a1.ID, "reissue")
		rows := ts.acRows(t)
		for _, tc := range []struct {
			name, token, body string
			status            int
			code              string
		}{
			{"verifikator", f.tok[domain.RoleVerifikator], "", 403, "forbidden"},
			{"pegawai", f.tok[domain.RolePegawai], "", 403, "forbidden"},
			{"anonymous", "", "", 401, "unauthorized"},
			{"wrong type", signer, `{"note":5}`, 400, "invalid"},
			{"unknown field", signer, `{"note":"x","number":"1"}`, 400, "invalid"},
			{"control character", signer, `{"note":"\u0001"}`, 400, "invalid"},
		} {
			resp, body := ts.api("POST", path, tc.token, tc.body)
			wantError(t, "re-issue, "+tc.name, resp, body, tc.status, tc.code)
		}
		resp, body := ts.api("POST", acCertPath("AAAAAAAAAAAAAAAA", "reissue"), signer, "")
		wantRefusal(t, "re-issue an unknown certificate", resp, body, 404, "not_found", "Sertifikat tidak ditemukan.")
		// Four eyes hold for a replacement too.
		if err := ts.db.Gorm.Exec("UPDATE dev_requests SET report_verified_by = ? WHERE id = ?", ts.userID("kepala"), f.req).Error; err != nil {
			t.Fatal(err)
		}
		resp, body = ts.api("POST", path, signer, `{"note":"Perbaikan gelar."}`)
		wantRefusal(t, "re-issue by the report's verifier", resp, body, 403, "forbidden", "Prinsip empat mata")
		if err := ts.db.Gorm.Exec("UPDATE dev_requests SET report_verified_by = ? WHERE id = ?", ts.userID("verifikator"), f.req).Error; err != nil {
			t.Fatal(err)
		}
		if after := ts.acRows(t); after != rows {
			t.Errorf("refused re-issues wrote: %s, was %s", after, rows)
		}

		// Re-issued: a new certificate (id, number, signature) that replaces the old one; the
		// old one is revoked as replaced and points forward.
		resp, body = ts.api("POST", path, signer, `{"note":"Perbaikan gelar."}`)
		if resp.StatusCode != 201 {
			t.Fatalf("re-issue: %d %s", resp.StatusCode, body)
		}
		n := decode[acCert](t, "re-issue", body)
		if loc := resp.Header.Get("Location"); loc != acCertPath(n.ID) {
			t.Errorf("Location %q, want %q", loc, acCertPath(n.ID))
		}
		year := ts.wibToday().Year()
		if n.ID == f.a1.ID || !base32IDRE.MatchString(n.ID) || n.Number != fmt.Sprintf("800.1/0003/SERT/BKPSDM/%d", year) ||
			n.State != "valid" || n.Replaces == nil || *n.Replaces != f.a1.ID || n.NIP != nipA1 || n.Token == f.a1.Token ||
			n.VerifyURL == f.a1.VerifyURL || n.HolderName != f.a1.HolderName || n.JP != f.a1.JP {
			t.Fatalf("replacement: %+v", n)
		}
		old := ts.getCert(t, f.a1.ID, signer)
		if old.State != "revoked" || old.RevokeReason != "replaced" || old.RevokeNote != "Perbaikan gelar." || old.ReplacedBy == nil ||
			*old.ReplacedBy != n.ID || old.RevokedAt == nil {
			t.Errorf("replaced certificate: %+v", old)
		}
		if want := []string{"certificate.issue kepala", "certificate.reissue kepala"}; !slices.Equal(old.actions(), want) {
			t.Errorf("old certificate's history %v, want %v", old.actions(), want)
		}
		if got := ts.getCert(t, n.ID, f.tok[domain.RolePegawai]); !slices.Equal(got.actions(), []string{"certificate.reissue kepala"}) {
			t.Errorf("replacement's history %v", got.actions())
		}
		// The old certificate cannot be replaced twice, nor revoked again for another reason.
		resp, body = ts.api("POST", path, signer, "")
		wantRefusal(t, "re-issue a replaced certificate", resp, body, 409, "conflict", "sudah diganti dengan "+n.ID)
		resp, body = ts.api("POST", acCertPath(f.a1.ID, "revoke"), signer, `{"reason":"fraud","note":"x"}`)
		wantRefusal(t, "revoke a replaced certificate", resp, body, 409, "conflict", "sudah dicabut")

		// Verification of the old token says it was revoked and names the replacement.
		v := ts.vfVerify(t, f.a1.Token)
		if v.Status != "revoked" || v.Certificate == nil || v.Certificate.State != "revoked" || v.Certificate.RevokeReason != "replaced" ||
			v.Certificate.ReplacedBy != n.Number || v.Certificate.ReplacedByURL != n.VerifyURL {
			t.Errorf("verify the replaced certificate: %+v", v)
		}
		if v := ts.vfVerify(t, n.VerifyURL); v.Status != "valid" || v.Certificate == nil || v.Certificate.ID != n.ID {
			t.Errorf("verify the replacement: %+v", v)
		}
		// The replacement may itself be replaced (an empty body is allowed).
		n2 := decode[acCert](t, "re-issue again", ts.call(t, "POST", acCertPath(n.ID, "reissue"), signer, "", 201))
		if n2.Replaces == nil || *n2.Replaces != n.ID || n2.State != "valid" {
			t.Errorf("second replacement: %+v", n2)
		}
		// The batch now holds acNIP3's certificate and the latest replacement; a re-run adds nothing.
		res := decode[acIssue](t, "re-run", ts.call(t, "POST", reqPath(f.req, "certificates"), signer, "", 200))
		var ids []string
		for _, c := range res.Certificates {
			ids = append(ids, c.ID)
		}
		if res.Issued != 0 || !slices.Equal(ids, []string{f.a3.ID, n2.ID}) {
			t.Errorf("re-run after re-issue: issued %d, %v, want [%s %s]", res.Issued, ids, f.a3.ID, n2.ID)
		}
	})
}

// ---- the key set ----

func TestAPICertificateJWKS(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		resp, body := ts.do(httptestGet("/.well-known/jwks.json"))
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("jwks: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
			t.Errorf("jwks Cache-Control %q", cc)
		}
		if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
			t.Errorf("jwks sets cookies: %v", sc)
		}
		var raw struct {
			Keys []map[string]any `json:"keys"`
		}
		if err := json.Unmarshal([]byte(body), &raw); err != nil || len(raw.Keys) != 1 {
			t.Fatalf("jwks %s: %v", body, err)
		}
		k := raw.Keys[0]
		for _, m := range []string{"kty", "crv", "x", "kid", "use", "alg", "sertika_state", "sertika_valid_from"} {
			if _, ok := k[m]; !ok {
				t.Errorf("jwks key lacks %q: %v", m, k)
			}
		}
		for _, m := range []string{"d", "p", "q", "k", "sertika_retired_at", "sertika_compromised_at"} {
			if _, ok := k[m]; ok {
				t.Errorf("jwks key has %q: %v", m, k)
			}
		}
		if k["kty"] != "OKP" || k["crv"] != "Ed25519" || k["use"] != "sig" || k["alg"] != "EdDSA" || k["kid"] != f.a1.KID ||
			k["sertika_state"] != "active" {
			t.Errorf("jwks key %v", k)
		}
		set, err := verifier.ParseJWKS([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		pub, err := set.Keys[0].Public()
		if err != nil {
			t.Fatal(err)
		}
		if keys.KID(pub) != f.a1.KID {
			t.Errorf("kid %s is not the key's thumbprint id %s", f.a1.KID, keys.KID(pub))
		}
		// Offline: the published set alone proves the signature (the status is not checked).
		if r := verifier.Verify(context.Background(), f.a1.Token, set, nil); r.Status != verifier.StatusValid {
			t.Errorf("offline verification with the published key set: %+v", r)
		}
		// After a rotation the old key stays published, retired, and the new one is active.
		nk, err := ts.srv.Keys.Generate(context.Background(), true, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, body = ts.do(httptestGet("/.well-known/jwks.json"))
		set, err = verifier.ParseJWKS([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]string{}
		for _, k := range set.Keys {
			states[k.KID] = k.State
			if k.KID == f.a1.KID && k.RetiredAt == nil {
				t.Errorf("retired key without sertika_retired_at: %+v", k)
			}
		}
		if len(set.Keys) != 2 || states[f.a1.KID] != "retired" || states[nk.KID] != "active" {
			t.Errorf("key set after rotation: %v", states)
		}
		if r := verifier.Verify(context.Background(), f.a1.Token, set, nil); r.Status != verifier.StatusValid {
			t.Errorf("a certificate signed before the rotation: %+v", r)
		}
	})
}

// ---- the certificate operations against docs/openapi.yaml ----

// acCheckDocumented checks an answer against what docs/openapi.yaml documents for op: the
// status, the content type and, for JSON, the schema.
func acCheckDocumented(t *testing.T, doc map[string]any, ops map[string]map[string]any, op, what string, resp *http.Response, body string) {
	t.Helper()
	o, ok := ops[op]
	if !ok {
		t.Errorf("%s: operation %s not documented", what, op)
		return
	}
	r := resolveRef(t, doc, dig(o, "responses", fmt.Sprint(resp.StatusCode)))
	if r == nil {
		t.Errorf("%s: status %d not documented for %s: %s", what, resp.StatusCode, op, body[:min(len(body), 300)])
		return
	}
	ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	content, _ := r["content"].(map[string]any)
	if _, ok := content[ct]; !ok {
		t.Errorf("%s: content type %q not documented for %s %d (documented: %v)", what, ct, op, resp.StatusCode, sortedKeys(content))
		return
	}
	if ct != "application/json" {
		return
	}
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Errorf("%s: not JSON: %s", what, body)
		return
	}
	for _, e := range shapeErrors(t, doc, dig(content, ct, "schema"), v, "body") {
		t.Errorf("%s: %s\n%s", what, e, body)
	}
}

// certificateSchemaCalls call every certificate operation and the verification with the
// answers that docs/openapi.yaml documents, and check each against it. Called by
// TestOpenAPIResponsesMatchSchemas after the workflow cases, which leave request 1 verified
// (its activity still ahead) and requests 2 and 3 decided.
func certificateSchemaCalls(t *testing.T, ts *testServer, doc map[string]any, ops map[string]map[string]any, tokens map[string]string) {
	t.Helper()
	tok := map[domain.Role]string{}
	for role, v := range tokens {
		tok[domain.Role(role)] = v
	}
	type call struct{ op, method, url, who, body string }
	do := func(c call, status int) string {
		t.Helper()
		what := fmt.Sprintf("%s %s as %q → %d", c.method, c.url, c.who, status)
		var token string
		if c.who != "" {
			token = tok[domain.Role(c.who)]
		}
		resp, body := ts.api(c.method, c.url, token, c.body)
		if resp.StatusCode != status {
			t.Errorf("%s: status %d: %s", what, resp.StatusCode, body[:min(len(body), 300)])
			return body
		}
		acCheckDocumented(t, doc, ops, c.op, what, resp, body)
		return body
	}
	const (
		issue    = "POST /api/v1/requests/{id}/certificates"
		zipOp    = "GET /api/v1/requests/{id}/certificates.zip"
		list     = "GET /api/v1/certificates"
		get      = "GET /api/v1/certificates/{cid}"
		qrOp     = "GET /api/v1/certificates/{cid}/qr.png"
		pdfOp    = "GET /api/v1/certificates/{cid}/pdf"
		revoke   = "POST /api/v1/certificates/{cid}/revoke"
		reissue  = "POST /api/v1/certificates/{cid}/reissue"
		verifyOp = "GET /api/v1/verify"
	)
	// Request 1 is verified, but neither is the agency set up nor the activity over.
	do(call{issue, "POST", reqPath(1, "certificates"), "penandatangan", ""}, 400)
	ts.acAgency(t)
	ts.acAddEmployee(t)
	id := ts.acVerifiedRequest(t, tok)
	do(call{issue, "POST", reqPath(id, "certificates"), "verifikator", ""}, 403)
	do(call{issue, "POST", reqPath(2, "certificates"), "penandatangan", ""}, 409)
	do(call{issue, "POST", reqPath(999, "certificates"), "penandatangan", ""}, 404)
	do(call{issue, "POST", reqPath(id, "certificates"), "", ""}, 401)
	res := decode[acIssue](t, "issue", do(call{issue, "POST", reqPath(id, "certificates"), "penandatangan", ""}, 201))
	if len(res.Certificates) != 2 {
		t.Fatalf("issued %+v", res)
	}
	a1, a3 := res.Certificates[0], res.Certificates[1]
	do(call{issue, "POST", reqPath(id, "certificates"), "penandatangan", ""}, 200)

	do(call{list, "GET", "/api/v1/certificates", "opd", ""}, 200)
	do(call{list, "GET", "/api/v1/certificates?state=revoked&nip=" + nipA1 + "&q=andi", "pegawai", ""}, 200)
	do(call{list, "GET", "/api/v1/certificates?state=entah", "admin", ""}, 400)
	do(call{list, "GET", "/api/v1/certificates", "", ""}, 401)
	do(call{get, "GET", acCertPath(a1.ID), "pegawai", ""}, 200)
	do(call{get, "GET", acCertPath(a3.ID), "pegawai", ""}, 404)
	do(call{get, "GET", acCertPath(a3.ID), "", ""}, 401)
	do(call{qrOp, "GET", acCertPath(a1.ID, "qr.png"), "admin", ""}, 200)
	do(call{qrOp, "GET", acCertPath(a1.ID, "qr.png?scale=0"), "admin", ""}, 400)
	do(call{qrOp, "GET", acCertPath("AAAAAAAAAAAAAAAA", "qr.png"), "admin", ""}, 404)
	do(call{pdfOp, "GET", acCertPath(a3.ID, "pdf"), "opd", ""}, 200)
	do(call{pdfOp, "GET", acCertPath(a3.ID, "pdf"), "pegawai", ""}, 404)
	do(call{zipOp, "GET", reqPath(id, "certificates.zip"), "verifikator", ""}, 200)
	do(call{zipOp, "GET", reqPath(1, "certificates.zip"), "verifikator", ""}, 404)

	do(call{revoke, "POST", acCertPath(a3.ID, "revoke"), "verifikator", `{"reason":"fraud","note":"x"}`}, 403)
	do(call{revoke, "POST", acCertPath(a3.ID, "revoke"), "penandatangan", `{"reason":"replaced","note":"x"}`}, 400)
	do(call{revoke, "POST", acCertPath("AAAAAAAAAAAAAAAA", "revoke"), "penandatangan", `{"reason":"fraud","note":"x"}`}, 404)
	do(call{revoke, "POST", acCertPath(a3.ID, "revoke"), "penandatangan", `{"reason":"fraud","note":"Dokumen palsu."}`}, 200)
	do(call{revoke, "POST", acCertPath(a3.ID, "revoke"), "penandatangan", `{"reason":"fraud","note":"Dokumen palsu."}`}, 200)
	do(call{revoke, "POST", acCertPath(a3.ID, "revoke"), "penandatangan", `{"reason":"withdrawn","note":"x"}`}, 409)
	n := decode[acCert](t, "reissue", do(call{reissue, "POST", acCertPath(a1.ID, "reissue"), "penandatangan", `{"note":"Perbaikan gelar."}`}, 201))
	do(call{reissue, "POST", acCertPath(a1.ID, "reissue"), "penandatangan", ""}, 409)
	do(call{reissue, "POST", acCertPath(a1.ID, "reissue"), "opd", ""}, 403)
	do(call{reissue, "POST", acCertPath(a1.ID, "reissue"), "penandatangan", `{"note":5}`}, 400)
	do(call{reissue, "POST", acCertPath("AAAAAAAAAAAAAAAA", "reissue"), "penandatangan", ""}, 404)
	do(call{get, "GET", acCertPath(a1.ID), "admin", ""}, 200) // revoked, replaced_by, history

	for _, tc := range []struct{ token, who, status string }{
		{n.Token, "", "valid"},
		{n.VerifyURL, "pegawai", "valid"},
		{a1.Token, "", "revoked"},
		{a3.Token, "", "revoked"},
		{"BUKAN-TOKEN", "", "invalid"},
		{vfWithHeader(t, n.Token, `{"alg":"EdDSA","kid":"AAAAAAAA"}`), "", "unknown_key"},
		{vfWithHeader(t, n.Token, `{"alg":"none","kid":"`+n.KID+`"}`), "", "invalid"},
	} {
		v := decode[vfResult](t, "verify", do(call{verifyOp, "GET", "/api/v1/verify?token=" + url.QueryEscape(tc.token), tc.who, ""}, 200))
		if v.Status != tc.status {
			t.Errorf("verify %.40s…: %s, want %s", tc.token, v.Status, tc.status)
		}
	}
	do(call{verifyOp, "GET", "/api/v1/verify", "", ""}, 400)
}

// TestAPICertificateIssueAsync issues with ?async=true: 202 with the signing job, which
// GET /api/v1/jobs/{id} follows to its end; the batch is then on record. Findings and
// refusals still come back synchronously; a bad async value is refused.
func TestAPICertificateIssueAsync(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		signer := tok[domain.RolePenandatangan]
		ts.acAgency(t)
		ts.acAddEmployee(t)
		id := ts.acVerifiedRequest(t, tok)
		path := reqPath(id, "certificates")

		resp, body := ts.api("POST", path+"?async=kadang", signer, "")
		wantRefusal(t, "bad async", resp, body, 400, "invalid", "Parameter async harus true atau false.")
		resp, body = ts.api("POST", path+"?async=true", tok[domain.RoleVerifikator], "")
		wantRefusal(t, "verifikator async", resp, body, 403, "forbidden")
		// A finding: refused at once, as without async, and nothing written.
		rows := ts.acRows(t)
		ts.db.Gorm.Exec("UPDATE agency SET head_name = '' WHERE id = 1")
		resp, body = ts.api("POST", path+"?async=true", signer, "")
		wantRefusal(t, "async with a finding", resp, body, 400, "invalid", "Penerbitan sertifikat ditolak (1 temuan)", "Data instansi belum lengkap")
		if after := ts.acRows(t); after != rows {
			t.Errorf("an async refusal wrote: %s, was %s", after, rows)
		}
		ts.acAgency(t)

		resp, body = ts.api("POST", path+"?async=true", signer, "")
		job := decode[jobs.Snapshot](t, "async issue", body)
		if resp.StatusCode != 202 || job.ID == "" || job.Kind != "issue" || resp.Header.Get("Location") != "/api/v1/jobs/"+job.ID {
			t.Fatalf("async issue: %d %v %s", resp.StatusCode, resp.Header, body)
		}
		if _, err := ts.srv.Jobs.Wait(context.Background(), ts.userActor(testUsers[domain.RolePenandatangan]), job.ID); err != nil {
			t.Fatal(err)
		}
		job = decode[jobs.Snapshot](t, "job", ts.call(t, "GET", "/api/v1/jobs/"+job.ID, signer, "", 200))
		if job.State != jobs.Done || job.Message != "2 sertifikat ditandatangani dan diterbitkan." ||
			job.URL != fmt.Sprintf("/api/v1/certificates?request=%d", id) || job.Percent != 100 {
			t.Fatalf("finished job: %+v", job)
		}
		list := decode[acPage](t, "certificates", ts.call(t, "GET", job.URL, signer, "", 200))
		if list.Total != 2 || list.Items[0].Token == "" {
			t.Errorf("after the async issue: %+v", list)
		}
		// The synchronous call now answers 200 with the same certificates, issuing nothing.
		again := decode[acIssue](t, "re-run", ts.call(t, "POST", path+"?async=false", signer, "", 200))
		if again.Issued != 0 || len(again.Certificates) != 2 {
			t.Errorf("sync re-run: %+v", again)
		}
	})
}
