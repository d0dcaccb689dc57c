package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/scoring"
)

// The review flow of external development records through the real server (pages with
// sign-in, CSRF and multipart uploads, and the JSON API), on both databases. The service's
// own rules are tested in scoring/external_db_test.go.

// extEvidence is a whole PDF (header and end-of-file marker); tag makes it distinct.
func extEvidence(tag string) []byte {
	return []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% " + tag + "\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

// extToday is a date that is today both in UTC (the store's measurement year) and not after
// today in WIB (the latest end date accepted).
func extToday() string { return domain.DateOf(time.Now().UTC()).String() }

// extFields are a valid technical training of 24 JP that ended today.
func extFields(nip, number, title string) url.Values {
	v := url.Values{"kind": {"teknis"}, "title": {title}, "jp": {"24"}, "start_date": {extToday()},
		"end_date": {extToday()}, "organizer": {"Pusdiklat Kementerian Dalam Negeri"}, "certificate_number": {number}}
	if nip != "" {
		v.Set("nip", nip)
	}
	return v
}

// extAddOPDUser creates a DINKES operator (the harness's opd user is DISDIK's) and returns
// its user name.
func (ts *testServer) extAddOPDUser(t *testing.T) string {
	t.Helper()
	_, err := ts.srv.Accounts.Create(context.Background(), domain.System, account.UserInput{Username: "opd.dinkes",
		DisplayName: "Operator Dinkes", Role: domain.RoleOPD, OPDCode: "DINKES", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return "opd.dinkes"
}

// extKompetensi is the employee's kompetensi score for the current year.
func (ts *testServer) extKompetensi(t *testing.T, nip string) float64 {
	t.Helper()
	var id int64
	if err := ts.db.Gorm.Raw(`SELECT id FROM employees WHERE nip = ?`, nip).Scan(&id).Error; err != nil || id == 0 {
		t.Fatalf("employee %s: %v", nip, err)
	}
	sc, err := ts.srv.Scoring.EmployeeScore(context.Background(), id, ts.srv.Scoring.CurrentYear())
	if err != nil {
		t.Fatal(err)
	}
	return sc.Kompetensi
}

// extStatus reads a record's status.
func (ts *testServer) extStatus(t *testing.T, id int64) string {
	t.Helper()
	var st string
	ts.db.Gorm.Raw(`SELECT status FROM external_trainings WHERE id = ?`, id).Scan(&st)
	return st
}

func (ts *testServer) extCount(t *testing.T) int64 {
	t.Helper()
	var n int64
	ts.db.Gorm.Raw(`SELECT COUNT(*) FROM external_trainings`).Scan(&n)
	return n
}

// redirectID reads the record id from a redirect to /pelatihan-eksternal/{id}.
func redirectID(t *testing.T, what string, resp *http.Response, body string) int64 {
	t.Helper()
	loc := resp.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/pelatihan-eksternal/"), 10, 64)
	if resp.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("%s: status %d, Location %q: %s", what, resp.StatusCode, loc, trimBody(body))
	}
	return id
}

func TestExternalPagesFlow(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		ts.srv.loginLimiter = newLimiter(1<<20, time.Minute)
		peg := ts.login(testUsers[domain.RolePegawai]) // nipA1, DISDIK
		opd := ts.login(testUsers[domain.RoleOPD])     // DISDIK
		dinkes := ts.login(ts.extAddOPDUser(t))
		rev := ts.login(testUsers[domain.RoleVerifikator])
		signer := ts.login(testUsers[domain.RolePenandatangan])

		// The employee's form: multipart, with the CSRF token, and no NIP field.
		resp, body := peg.get("/pelatihan-eksternal/baru")
		wantPage(t, "pegawai form", resp, body, 200, `enctype="multipart/form-data"`, `name="_csrf"`, `name="bukti"`,
			`accept=".pdf,application/pdf"`, `value="teknis"`, "untuk Anda sendiri")
		if strings.Contains(body, `name="nip"`) {
			t.Error("pegawai form: has a NIP field")
		}
		// Without the CSRF token nothing is accepted.
		resp, _ = peg.postMultipart("/pelatihan-eksternal/baru", url.Values{"_csrf": {"salah"}},
			upload{"bukti", "sertifikat.pdf", extEvidence("x")})
		if resp.StatusCode != http.StatusForbidden || ts.extCount(t) != 0 {
			t.Errorf("without CSRF: status %d, %d records", resp.StatusCode, ts.extCount(t))
		}

		before := ts.extKompetensi(t, nipA1)
		resp, body = peg.postMultipart("/pelatihan-eksternal/baru", extFields("", "EXT/WEB/1", "Pelatihan Asesmen Pembelajaran"),
			upload{"bukti", "C:\\Dokumen\\sertifikat.pdf", extEvidence("own")})
		own := redirectID(t, "pegawai submits", resp, body)
		resp, body = peg.get(fmt.Sprintf("/pelatihan-eksternal/%d", own))
		wantPage(t, "own record", resp, body, 200, "Pelatihan Asesmen Pembelajaran", "Menunggu verifikasi", "diajukan ke BKPSDM",
			fmt.Sprintf(`href="/pelatihan-eksternal/%d/bukti"`, own), "EXT/WEB/1", "Diajukan melalui Sertika")
		if strings.Contains(body, `id="form-akui"`) {
			t.Error("the employee sees the review forms")
		}
		// A double submit changes nothing and says so.
		resp, body = peg.postMultipart("/pelatihan-eksternal/baru", extFields("", "EXT/WEB/1", "Pelatihan Asesmen Pembelajaran"),
			upload{"bukti", "sertifikat.pdf", extEvidence("own")})
		if id := redirectID(t, "retry", resp, body); id != own || ts.extCount(t) != 1 {
			t.Errorf("retry: id %d (want %d), %d records", id, own, ts.extCount(t))
		}
		_, body = peg.get(fmt.Sprintf("/pelatihan-eksternal/%d", own))
		if !strings.Contains(body, "sudah diajukan sebelumnya") {
			t.Error("retry: no confirmation that nothing changed")
		}

		// Refusals come back on the form with the input kept and a message per field.
		bad := extFields("", "EXT/WEB/2", "Judul Yang Tetap Ada")
		bad.Set("end_date", domain.DateOf(time.Now().UTC().AddDate(0, 0, 3)).String())
		bad.Set("jp", "0")
		resp, body = peg.postMultipart("/pelatihan-eksternal/baru", bad, upload{"bukti", "sertifikat.pdf", []byte("ini bukan pdf, hanya teks")})
		wantPage(t, "refused form", resp, body, 400, `value="Judul Yang Tetap Ada"`, `id="end_date-error"`, `id="jp-error"`,
			`id="bukti-error"`, "di masa depan", "bukan PDF")
		resp, body = peg.postMultipart("/pelatihan-eksternal/baru", extFields("", "EXT/WEB/3", "Tanpa Bukti"))
		wantPage(t, "no file", resp, body, 400, `id="bukti-error"`, "Lampirkan bukti")
		big := append(extEvidence("besar"), bytes.Repeat([]byte("0"), 1<<20)...)
		resp, body = peg.postMultipart("/pelatihan-eksternal/baru", extFields("", "EXT/WEB/4", "Terlalu Besar"), upload{"bukti", "besar.pdf", big})
		wantPage(t, "oversize", resp, body, 413, `id="bukti-error"`, "terlalu besar")
		if n := ts.extCount(t); n != 1 {
			t.Errorf("refused forms wrote records: %d", n)
		}

		// The OPD's form offers its own employees; another OPD's employee is refused on the form.
		resp, body = opd.get("/pelatihan-eksternal/baru")
		wantPage(t, "opd form", resp, body, 200, `name="nip"`, `<option value="`+nipA1+`">`, `<option value="`+nipA2+`">`)
		if strings.Contains(body, nipB1) {
			t.Error("opd form: offers another OPD's employee")
		}
		resp, body = opd.postMultipart("/pelatihan-eksternal/baru", extFields(nipB1, "EXT/WEB/5", "Untuk OPD Lain"),
			upload{"bukti", "s.pdf", extEvidence("b1")})
		wantPage(t, "opd for another OPD's employee", resp, body, 400, `id="nip-error"`, "tidak terdaftar di OPD Anda", `value="Untuk OPD Lain"`)
		resp, body = opd.postMultipart("/pelatihan-eksternal/baru", extFields("1234", "EXT/WEB/5", "NIP Salah"),
			upload{"bukti", "s.pdf", extEvidence("b1")})
		wantPage(t, "opd with a bad NIP", resp, body, 400, `id="nip-error"`, "18 digit")
		resp, body = opd.postMultipart("/pelatihan-eksternal/baru", extFields(nipA2, "EXT/WEB/6", "Bimtek Pengelolaan Arsip"),
			upload{"bukti", "s.pdf", extEvidence("a2")})
		forA2 := redirectID(t, "opd for its employee", resp, body)
		resp, body = dinkes.postMultipart("/pelatihan-eksternal/baru", extFields(nipB1, "EXT/WEB/7", "Pelatihan Surveilans"),
			upload{"bukti", "s.pdf", extEvidence("b1")})
		forB1 := redirectID(t, "dinkes for its employee", resp, body)

		// Who sees what.
		for _, tc := range []struct {
			who      string
			b        *browser
			sees     []int64
			notSeen  []int64
			detail   map[int64]int
			evidence map[int64]int
		}{
			{"pegawai", peg, []int64{own}, []int64{forA2, forB1}, map[int64]int{own: 200, forA2: 403, forB1: 403}, map[int64]int{own: 200, forB1: 403}},
			{"opd DISDIK", opd, []int64{own, forA2}, []int64{forB1}, map[int64]int{forA2: 200, forB1: 403}, map[int64]int{own: 200, forB1: 403}},
			{"opd DINKES", dinkes, []int64{forB1}, []int64{own, forA2}, map[int64]int{forB1: 200, own: 403}, map[int64]int{forB1: 200, forA2: 403}},
			{"penandatangan", signer, []int64{own, forA2, forB1}, nil, map[int64]int{forB1: 200}, map[int64]int{own: 200}},
		} {
			path := "/pelatihan-eksternal"
			if tc.who == "penandatangan" {
				path += "?status=semua"
			}
			resp, body := tc.b.get(path)
			if resp.StatusCode != 200 {
				t.Errorf("%s list: %d", tc.who, resp.StatusCode)
			}
			for _, id := range tc.sees {
				if !strings.Contains(body, fmt.Sprintf(`href="/pelatihan-eksternal/%d"`, id)) {
					t.Errorf("%s list: record %d missing", tc.who, id)
				}
			}
			for _, id := range tc.notSeen {
				if strings.Contains(body, fmt.Sprintf(`href="/pelatihan-eksternal/%d"`, id)) {
					t.Errorf("%s list: shows record %d", tc.who, id)
				}
			}
			for id, want := range tc.detail {
				if resp, _ := tc.b.get(fmt.Sprintf("/pelatihan-eksternal/%d", id)); resp.StatusCode != want {
					t.Errorf("%s detail %d: %d, want %d", tc.who, id, resp.StatusCode, want)
				}
			}
			for id, want := range tc.evidence {
				resp, body := tc.b.get(fmt.Sprintf("/pelatihan-eksternal/%d/bukti", id))
				if resp.StatusCode != want || (want == 200 && (resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-"))) {
					t.Errorf("%s evidence %d: %d %s, want %d", tc.who, id, resp.StatusCode, resp.Header.Get("Content-Type"), want)
				}
			}
		}
		_, body = peg.get(fmt.Sprintf("/pelatihan-eksternal/%d/bukti", own))
		if body != string(extEvidence("own")) {
			t.Error("evidence download differs from the upload")
		}

		// The reviewer's queue: oldest first, with counts.
		resp, body = rev.get("/pelatihan-eksternal")
		wantPage(t, "queue", resp, body, 200, "Antrean verifikasi pelatihan eksternal", `Menunggu verifikasi <span class="count">3</span>`, "terlama lebih dulu")
		if i, j := strings.Index(body, fmt.Sprintf(`/pelatihan-eksternal/%d"`, own)), strings.Index(body, fmt.Sprintf(`/pelatihan-eksternal/%d"`, forB1)); i < 0 || j < 0 || i > j {
			t.Errorf("queue: the oldest record (%d) is not first", own)
		}
		_, body = signer.get(fmt.Sprintf("/pelatihan-eksternal/%d", own))
		if strings.Contains(body, `id="form-akui"`) || strings.Contains(body, `id="form-tolak"`) {
			t.Error("the signer sees the review forms")
		}
		resp, body = rev.get(fmt.Sprintf("/pelatihan-eksternal/%d", own))
		wantPage(t, "reviewer's detail", resp, body, 200, `id="form-akui"`, `id="form-tolak"`, `name="_csrf"`, `id="skor-kompetensi"`)

		// Recognising raises the holder's kompetensi; the page says so.
		if got := ts.extKompetensi(t, nipA1); got != before {
			t.Errorf("a submitted record changed kompetensi: %v → %v", before, got)
		}
		resp, body = rev.postForm(fmt.Sprintf("/pelatihan-eksternal/%d/tinjau", own), url.Values{"keputusan": {"akui"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("recognise: %d %s", resp.StatusCode, trimBody(body))
		}
		cPoints := ts.srv.Scoring.RuleSet().Kompetensi.Indicators[domain.PositionFungsional][scoring.IndicatorC]
		if after := ts.extKompetensi(t, nipA1); after != before+cPoints {
			t.Errorf("recognising 24 JP of technical training: kompetensi %v → %v, want +%v", before, after, cPoints)
		}
		_, body = peg.get(fmt.Sprintf("/pelatihan-eksternal/%d", own))
		if !strings.Contains(body, "Diakui") {
			t.Error("the holder does not see the recognition")
		}

		// Rejecting needs a reason; a rejected record does not count and can be corrected.
		kB := ts.extKompetensi(t, nipA2)
		resp, body = rev.postForm(fmt.Sprintf("/pelatihan-eksternal/%d/tinjau", forA2), url.Values{"keputusan": {"tolak"}, "alasan": {"  "}})
		wantPage(t, "reject without a reason", resp, body, 400, "Alasan penolakan wajib diisi")
		resp, body = rev.postForm(fmt.Sprintf("/pelatihan-eksternal/%d/tinjau", forA2), url.Values{"keputusan": {"tolak"}, "alasan": {"Sertifikat menyebut 20 JP."}})
		if resp.StatusCode != http.StatusSeeOther || ts.extStatus(t, forA2) != scoring.ExternalRejected {
			t.Fatalf("reject: %d %s", resp.StatusCode, trimBody(body))
		}
		if got := ts.extKompetensi(t, nipA2); got != kB {
			t.Errorf("rejecting changed kompetensi: %v → %v", kB, got)
		}
		resp, body = opd.get(fmt.Sprintf("/pelatihan-eksternal/%d", forA2))
		wantPage(t, "rejected record", resp, body, 200, "Sertifikat menyebut 20 JP.", `href="/pelatihan-eksternal/`+strconv.FormatInt(forA2, 10)+`/ajukan-ulang"`)
		if resp, _ := dinkes.get(fmt.Sprintf("/pelatihan-eksternal/%d/ajukan-ulang", forA2)); resp.StatusCode != http.StatusForbidden {
			t.Errorf("another OPD's correction form: %d", resp.StatusCode)
		}
		resp, body = opd.get(fmt.Sprintf("/pelatihan-eksternal/%d/ajukan-ulang", forA2))
		wantPage(t, "correction form", resp, body, 200, `value="Bimtek Pengelolaan Arsip"`, `value="24"`, "Sertifikat menyebut 20 JP.", "berkas sebelumnya")
		fixed := extFields("", "EXT/WEB/6", "Bimtek Pengelolaan Arsip")
		fixed.Set("jp", "20")
		resp, body = opd.postMultipart(fmt.Sprintf("/pelatihan-eksternal/%d/ajukan-ulang", forA2), fixed)
		if id := redirectID(t, "resubmit", resp, body); id != forA2 || ts.extStatus(t, forA2) != scoring.ExternalSubmitted {
			t.Errorf("resubmit: id %d, status %s", id, ts.extStatus(t, forA2))
		}
		resp, body = rev.get(fmt.Sprintf("/pelatihan-eksternal/%d", forA2))
		wantPage(t, "resubmitted record", resp, body, 200, "Diajukan ulang", "Sertifikat menyebut 20 JP.", "<strong>20 JP</strong>")
		if resp, _ := opd.get(fmt.Sprintf("/pelatihan-eksternal/%d/ajukan-ulang", forA2)); resp.StatusCode != http.StatusConflict {
			t.Errorf("correction form of a record waiting for review: %d, want 409", resp.StatusCode)
		}
		// The menu marks the section.
		_, body = peg.get("/pelatihan-eksternal")
		if !strings.Contains(body, `href="/pelatihan-eksternal" aria-current="page"`) {
			t.Error("menu: Pelatihan eksternal not marked current")
		}
		if strings.Contains(html.UnescapeString(body), "Terjadi kesalahan") {
			t.Error("list shows an error")
		}
	})
}

// extAPI sends a multipart submission through the API.
func (ts *testServer) extAPI(path, token string, fields url.Values, files ...upload) (*http.Response, map[string]any) {
	ts.t.Helper()
	resp, body := ts.apiUploadForm(path, token, fields, files...)
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		ts.t.Fatalf("%s: not JSON (%d): %s", path, resp.StatusCode, body)
	}
	return resp, v
}

func TestExternalAPI(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		doc := loadOpenAPI(t)
		ops := openAPIOperations(t, doc)
		tok := ts.tokens()
		ts.srv.loginLimiter = newLimiter(1<<20, time.Minute)
		dinkes := ts.apiToken(ts.extAddOPDUser(t))
		peg, opd, rev := tok[domain.RolePegawai], tok[domain.RoleOPD], tok[domain.RoleVerifikator]

		// check compares an answer with the status and the schema the document gives.
		check := func(what, op string, resp *http.Response, v any, status int) {
			t.Helper()
			if resp.StatusCode != status {
				t.Errorf("%s: status %d, want %d: %v", what, resp.StatusCode, status, v)
				return
			}
			r := resolveRef(t, doc, dig(ops[op], "responses", strconv.Itoa(status)))
			if r == nil {
				t.Errorf("%s: status %d not documented for %s", what, status, op)
				return
			}
			for _, e := range shapeErrors(t, doc, dig(r, "content", "application/json", "schema"), v, "body") {
				t.Errorf("%s: %s", what, e)
			}
		}
		get := func(path, token string) (*http.Response, any) {
			t.Helper()
			resp, body := ts.api("GET", path, token, "")
			var v any
			json.Unmarshal([]byte(body), &v)
			return resp, v
		}
		const post = "POST /api/v1/external-trainings"
		resp, v := ts.extAPI("/api/v1/external-trainings", peg, extFields("", "EXT/API/1", "Pelatihan Literasi Digital"),
			upload{"evidence", "s.pdf", extEvidence("api1")})
		check("pegawai submits", post, resp, v, 201)
		own := int64(v["id"].(float64))
		if resp.Header.Get("Location") != "/api/v1/external-trainings/"+strconv.FormatInt(own, 10) || v["status"] != "submitted" ||
			v["indicator"] != "c" || dig(v, "employee", "nip") != nipA1 {
			t.Errorf("created: Location %q, %v", resp.Header.Get("Location"), v)
		}
		resp, v = ts.extAPI("/api/v1/external-trainings", peg, extFields("", "EXT/API/1", "Pelatihan Literasi Digital"),
			upload{"evidence", "s.pdf", extEvidence("api1")})
		check("retry", post, resp, v, 200)
		if int64(v["id"].(float64)) != own {
			t.Errorf("retry answered record %v, want %d", v["id"], own)
		}
		resp, v = ts.extAPI("/api/v1/external-trainings", peg, extFields("", "EXT/API/1", "Judul Lain"),
			upload{"evidence", "s.pdf", extEvidence("api1")})
		check("same certificate number", post, resp, v, 409)

		bad := extFields("", "EXT/API/2", "Pelatihan Salah")
		bad.Set("jp", "dua puluh")
		bad.Set("start_date", "31-13-2026")
		resp, v = ts.extAPI("/api/v1/external-trainings", peg, bad, upload{"evidence", "s.pdf", []byte("teks biasa, bukan PDF")})
		check("invalid fields", post, resp, v, 400)
		if f, _ := dig(v, "error", "fields").(map[string]any); f["jp"] == nil || f["start_date"] == nil || f["evidence"] == nil {
			t.Errorf("invalid fields: %v", v)
		}
		resp, v = ts.extAPI("/api/v1/external-trainings", peg, extFields("", "EXT/API/3", "Tanpa Berkas"))
		check("no evidence", post, resp, v, 400)
		big := append(extEvidence("besar"), bytes.Repeat([]byte("0"), 1<<20)...)
		resp, v = ts.extAPI("/api/v1/external-trainings", peg, extFields("", "EXT/API/4", "Terlalu Besar"), upload{"evidence", "b.pdf", big})
		check("oversize", post, resp, v, 413)
		r, body := ts.api("POST", "/api/v1/external-trainings", peg, `{"title":"JSON"}`)
		var jv any
		json.Unmarshal([]byte(body), &jv)
		check("JSON instead of multipart", post, r, jv, 400)
		resp, v = ts.extAPI("/api/v1/external-trainings", peg, extFields(nipA2, "EXT/API/5", "Untuk Rekan"), upload{"evidence", "s.pdf", extEvidence("x")})
		check("pegawai for a colleague", post, resp, v, 403)
		resp, v = ts.extAPI("/api/v1/external-trainings", opd, extFields(nipB1, "EXT/API/6", "Untuk OPD Lain"), upload{"evidence", "s.pdf", extEvidence("x")})
		check("opd for another OPD's employee", post, resp, v, 400) // as for an unknown NIP: nothing learnt
		resp, v = ts.extAPI("/api/v1/external-trainings", rev, extFields(nipA1, "EXT/API/7", "Verifikator"), upload{"evidence", "s.pdf", extEvidence("x")})
		check("verifikator submits", post, resp, v, 403)
		resp, v = ts.extAPI("/api/v1/external-trainings", opd, extFields(nipA2, "EXT/API/8", "Workshop Penyusunan SKP"),
			upload{"evidence", "s.pdf", extEvidence("a2")})
		check("opd for its employee", post, resp, v, 201)
		forA2 := int64(v["id"].(float64))
		resp, v = ts.extAPI("/api/v1/external-trainings", dinkes, extFields(nipB1, "EXT/API/9", "Pelatihan Surveilans"),
			upload{"evidence", "s.pdf", extEvidence("b1")})
		check("dinkes for its employee", post, resp, v, 201)
		forB1 := int64(v["id"].(float64))
		if n := ts.extCount(t); n != 3 {
			t.Errorf("%d records, want 3", n)
		}

		// Lists and reads by role.
		const list, one = "GET /api/v1/external-trainings", "GET /api/v1/external-trainings/{id}"
		for _, tc := range []struct {
			who, token string
			want       []int64
		}{
			{"pegawai", peg, []int64{own}}, {"opd", opd, []int64{forA2, own}}, {"dinkes", dinkes, []int64{forB1}},
			{"penandatangan", tok[domain.RolePenandatangan], []int64{forB1, forA2, own}},
		} {
			resp, v := get("/api/v1/external-trainings", tc.token)
			check(tc.who+" lists", list, resp, v, 200)
			var got []int64
			for _, it := range asList(dig(v, "items")) {
				got = append(got, int64(dig(it, "id").(float64)))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s sees %v, want %v", tc.who, got, tc.want)
			}
		}
		resp, lv := get("/api/v1/external-trainings?status=submitted&queue=true", rev)
		check("queue", list, resp, lv, 200)
		if items := asList(dig(lv, "items")); len(items) != 3 || int64(dig(items[0], "id").(float64)) != own {
			t.Errorf("queue: %v", lv)
		}
		resp, lv = get("/api/v1/external-trainings?opd=DINKES", opd)
		check("opd lists another OPD", list, resp, lv, 403)
		resp, lv = get("/api/v1/external-trainings?status=entah", rev)
		check("unknown status", list, resp, lv, 400)
		resp, lv = get("/api/v1/external-trainings/"+strconv.FormatInt(forA2, 10), peg)
		check("pegawai reads a colleague's", one, resp, lv, 403)
		resp, lv = get("/api/v1/external-trainings/"+strconv.FormatInt(forB1, 10), opd)
		check("opd reads another OPD's", one, resp, lv, 403)
		resp, lv = get("/api/v1/external-trainings/"+strconv.FormatInt(forB1, 10), dinkes)
		check("dinkes reads its own", one, resp, lv, 200)
		resp, lv = get("/api/v1/external-trainings/999999", rev)
		check("unknown id", one, resp, lv, 404)
		resp, lv = get("/api/v1/external-trainings/1", "")
		check("anonymous", one, resp, lv, 401)

		ev := func(id int64, token string) (*http.Response, string) {
			t.Helper()
			return ts.api("GET", fmt.Sprintf("/api/v1/external-trainings/%d/evidence", id), token, "")
		}
		if resp, body := ev(own, opd); resp.StatusCode != 200 || body != string(extEvidence("api1")) ||
			resp.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(resp.Header.Get("Content-Disposition"), "bukti-pelatihan-") {
			t.Errorf("evidence for the OPD: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp, _ := ev(own, dinkes); resp.StatusCode != 403 {
			t.Errorf("evidence for another OPD: %d", resp.StatusCode)
		}

		// Decisions, and what they do to the score.
		const review = "POST /api/v1/external-trainings/{id}/review"
		decide := func(id int64, token, body string) (*http.Response, any) {
			t.Helper()
			resp, b := ts.api("POST", fmt.Sprintf("/api/v1/external-trainings/%d/review", id), token, body)
			var v any
			json.Unmarshal([]byte(b), &v)
			return resp, v
		}
		before := ts.extKompetensi(t, nipA1)
		resp, rv := decide(own, tok[domain.RolePenandatangan], `{"decision":"recognise"}`)
		check("penandatangan decides", review, resp, rv, 403)
		resp, rv = decide(own, rev, `{"decision":"mungkin"}`)
		check("unknown decision", review, resp, rv, 400)
		resp, rv = decide(own, rev, `{"decision":"reject"}`)
		check("reject without reason", review, resp, rv, 400)
		resp, rv = decide(own, rev, `{"decision":"recognise"}`)
		check("recognise", review, resp, rv, 200)
		if dig(rv, "status") != "recognised" || dig(rv, "reviewed_by") == "" {
			t.Errorf("after recognition: %v", rv)
		}
		cPoints := ts.srv.Scoring.RuleSet().Kompetensi.Indicators[domain.PositionFungsional][scoring.IndicatorC]
		if after := ts.extKompetensi(t, nipA1); after != before+cPoints {
			t.Errorf("kompetensi %v → %v after recognising 24 JP, want +%v", before, after, cPoints)
		}
		kA2 := ts.extKompetensi(t, nipA2)
		resp, rv = decide(forA2, tok[domain.RoleAdmin], `{"decision":"reject","reason":"Bukan sertifikat pelatihan."}`)
		check("admin rejects", review, resp, rv, 200)
		if got := ts.extKompetensi(t, nipA2); got != kA2 {
			t.Errorf("rejecting changed kompetensi %v → %v", kA2, got)
		}

		// Correction of the rejected record through the API.
		const resub = "POST /api/v1/external-trainings/{id}/resubmit"
		path := fmt.Sprintf("/api/v1/external-trainings/%d/resubmit", forA2)
		resp, v = ts.extAPI(path, dinkes, extFields("", "EXT/API/8", "Workshop Penyusunan SKP"))
		check("another OPD corrects", resub, resp, v, 403)
		resp, v = ts.extAPI(path, opd, extFields("", "EXT/API/8", "Workshop Penyusunan SKP Jabatan Fungsional"),
			upload{"evidence", "baru.pdf", extEvidence("a2-baru")})
		check("opd corrects", resub, resp, v, 200)
		if v["status"] != "submitted" || v["review_reason"] != "Bukan sertifikat pelatihan." || v["reviewed_at"] == nil {
			t.Errorf("after correction: %v", v)
		}
		resp, v = ts.extAPI(fmt.Sprintf("/api/v1/external-trainings/%d/resubmit", own), peg, extFields("", "EXT/API/1", "Pelatihan Literasi Digital"))
		check("correcting a recognised record", resub, resp, v, 409)
	})
}
