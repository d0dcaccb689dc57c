package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/scoring"
)

// Tests of the IP ASN API (web/routes_scoring.go) on both databases: an employee's score
// through issuance and revocation, who may read which dashboard and score, the dashboards'
// figures, the lists, the targets, and every answer against docs/openapi.yaml. The scoping
// and the aggregates are tested in depth in scoring/access_db_test.go.

// apiScore is GET /employees/{nip}/score as the tests read it.
type apiScore struct {
	NIP         string   `json:"nip"`
	Year        int      `json:"year"`
	RuleSet     string   `json:"rule_set"`
	Kualifikasi float64  `json:"kualifikasi"`
	Kompetensi  float64  `json:"kompetensi"`
	Kinerja     float64  `json:"kinerja"`
	Disiplin    float64  `json:"disiplin"`
	Total       float64  `json:"total"`
	Category    string   `json:"category"`
	JPThisYear  int      `json:"jp_this_year"`
	JPDuty      int      `json:"jp_duty"`
	Incomplete  []string `json:"incomplete"`
	Stored      bool     `json:"stored"`
	Explanation []struct {
		Dimension string   `json:"dimension"`
		Indicator string   `json:"indicator"`
		Points    float64  `json:"points"`
		Text      string   `json:"text"`
		Facts     []string `json:"facts"`
	} `json:"explanation"`
}

func scorePath(nip string, year int) string {
	return fmt.Sprintf("/api/v1/employees/%s/score?year=%d", url.PathEscape(nip), year)
}

// rescoreAll stores every active employee's score for the year, as `sertika rescore` does.
func (ts *testServer) rescoreAll(t *testing.T, year int) {
	t.Helper()
	if _, err := ts.srv.Scoring.RescoreAll(context.Background(), scoring.RescoreOptions{Year: year}); err != nil {
		t.Fatal(err)
	}
}

// TestAPIScoreThroughIssuance follows an employee's score through the issuance and the
// revocation of a certificate: kompetensi rises when it is issued, the explanation cites its
// number, and after the revocation the score reads back exactly as before.
func TestAPIScoreThroughIssuance(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		ts.acAgency(t)
		ts.acAddEmployee(t)
		// The activity ends 8 days ago (acVerifiedRequest): measure that year.
		year := ts.wibToday().AddDate(0, 0, -8).Year()
		ts.rescoreAll(t, year)
		pegawai, signer := tok[domain.RolePegawai], tok[domain.RolePenandatangan]

		beforeBody := ts.call(t, "GET", scorePath(nipA1, year), pegawai, "", 200)
		before := decode[apiScore](t, "score before", beforeBody)
		// nipA1: Guru Ahli Madya (functional training by appointment: b 15), S2 (20), no SKP.
		if before.NIP != nipA1 || before.Year != year || before.RuleSet != scoring.RuleSetPerban2019 || !before.Stored ||
			before.Kualifikasi != 20 || before.Kompetensi != 15 || before.Total != before.Kualifikasi+before.Kompetensi+before.Kinerja+before.Disiplin {
			t.Fatalf("score before = %+v", before)
		}

		req := ts.acVerifiedRequest(t, tok)
		res := decode[acIssue](t, "issue", ts.call(t, "POST", reqPath(req, "certificates"), signer, "", 201))
		var cert acCert
		for _, c := range res.Certificates {
			if c.NIP == nipA1 {
				cert = c
			}
		}
		if cert.ID == "" {
			t.Fatalf("no certificate for %s: %+v", nipA1, res.Certificates)
		}

		// Issued in the same transaction as the rescore: the stored score already counts it.
		after := decode[apiScore](t, "score after issuance", ts.call(t, "GET", scorePath(nipA1, year), pegawai, "", 200))
		if after.Kompetensi != before.Kompetensi+15 || after.Total != before.Total+15 || !after.Stored ||
			after.JPThisYear != before.JPThisYear+cert.JP {
			t.Errorf("after issuance kompetensi %v total %v JP %d (was %v %v %d), want +15 and +%d JP",
				after.Kompetensi, after.Total, after.JPThisYear, before.Kompetensi, before.Total, before.JPThisYear, cert.JP)
		}
		cited := false
		for _, l := range after.Explanation {
			if l.Dimension == "kompetensi" && strings.Contains(l.Text, cert.Number) &&
				slices.Contains(l.Facts, scoring.SourceCertificate+cert.ID) {
				cited = true
			}
		}
		if !cited {
			t.Errorf("the explanation does not cite certificate %s (%s): %+v", cert.Number, cert.ID, after.Explanation)
		}
		// The OPD's operator sees the same score.
		if opdView := decode[apiScore](t, "score as opd", ts.call(t, "GET", scorePath(nipA1, year), tok[domain.RoleOPD], "", 200)); !reflect.DeepEqual(opdView, after) {
			t.Errorf("opd sees %+v, pegawai %+v", opdView, after)
		}

		ts.call(t, "POST", acCertPath(cert.ID, "revoke"), signer, `{"reason":"issued_in_error","note":"Salah peserta."}`, 200)
		if again := ts.call(t, "GET", scorePath(nipA1, year), pegawai, "", 200); again != beforeBody {
			t.Errorf("after revocation the score reads\n%s\nwant exactly the score before issuance\n%s", again, beforeBody)
		}
	})
}

// TestAPIScoreAccess checks object-level scoping and input errors of the score API.
func TestAPIScoreAccess(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		year := ts.srv.Scoring.CurrentYear()
		ts.rescoreAll(t, year)
		admin, opd, pegawai := tok[domain.RoleAdmin], tok[domain.RoleOPD], tok[domain.RolePegawai]
		for _, tc := range []struct {
			name, path, token string
			status            int
			code, msg         string
		}{
			{"opd reads another OPD's dashboard", "/api/v1/opds/DINKES/score", opd, 403, "forbidden", "OPD lain"},
			{"opd reads another OPD's employee", scorePath(nipB1, year), opd, 403, "forbidden", "OPD lain"},
			{"opd reads the agency", "/api/v1/score", opd, 403, "forbidden", "BKPSDM"},
			{"opd lists the agency", "/api/v1/score/employees", opd, 403, "forbidden", "BKPSDM"},
			{"opd lists another OPD", "/api/v1/score/employees?opd=DINKES", opd, 403, "forbidden", "OPD lain"},
			{"pegawai reads a colleague", scorePath(nipA2, year), pegawai, 403, "forbidden", "sendiri"},
			{"pegawai reads the agency", "/api/v1/score", pegawai, 403, "forbidden", ""},
			{"pegawai reads their OPD", "/api/v1/opds/DISDIK/score", pegawai, 403, "forbidden", ""},
			{"pegawai lists", "/api/v1/score/employees?opd=DISDIK", pegawai, 403, "forbidden", ""},
			{"anonymous", scorePath(nipA1, year), "", 401, "unauthorized", ""},
			{"unknown OPD", "/api/v1/opds/NOPE/score", admin, 404, "not_found", "OPD tidak ditemukan"},
			{"unknown employee", scorePath("198001012005011013", year), admin, 404, "not_found", "Pegawai tidak ditemukan"},
			{"invalid NIP", scorePath("196608011988033001", year), admin, 400, "invalid", "Digit ke-15"},
			{"short NIP", "/api/v1/employees/12345/score", admin, 400, "invalid", "18"},
			{"year too early", scorePath(nipA1, 1999), admin, 400, "invalid", "Tahun"},
			{"year too late", "/api/v1/score?year=2101", admin, 400, "invalid", "Tahun"},
			{"year not a number", "/api/v1/score?year=tahun", admin, 400, "invalid", "year"},
			{"unknown list", "/api/v1/score/employees?list=semua", admin, 400, "invalid", "below_jp"},
			{"bad limit", "/api/v1/score/employees?limit=-1", admin, 400, "invalid", "limit"},
		} {
			resp, body := ts.api("GET", tc.path, tc.token, "")
			wantRefusal(t, tc.name, resp, body, tc.status, tc.code, tc.msg)
		}
		// What each may see.
		ts.call(t, "GET", scorePath(nipA1, year), pegawai, "", 200)
		ts.call(t, "GET", scorePath("19660801 198803 1 001", year), pegawai, "", 200)
		ts.call(t, "GET", scorePath(nipA2, year), opd, "", 200)
		ts.call(t, "GET", "/api/v1/opds/DISDIK/score", opd, "", 200)
		ts.call(t, "GET", "/api/v1/score/employees?opd=DISDIK&list=below_jp", opd, "", 200)
		for _, r := range []domain.Role{domain.RoleAdmin, domain.RoleVerifikator, domain.RolePenandatangan} {
			ts.call(t, "GET", "/api/v1/score", tok[r], "", 200)
			ts.call(t, "GET", "/api/v1/opds/DINKES/score", tok[r], "", 200)
			ts.call(t, "GET", scorePath(nipB1, year), tok[r], "", 200)
			ts.call(t, "GET", "/api/v1/score/employees?list=incomplete", tok[r], "", 200)
		}
	})
}

// apiDashboard is the Dashboard JSON as the tests read it.
type apiDashboard struct {
	Scope       string               `json:"scope"`
	OPD         *opdRef              `json:"opd"`
	Year        int                  `json:"year"`
	RuleSet     string               `json:"rule_set"`
	Summary     scoring.Summary      `json:"summary"`
	Target      *float64             `json:"target"`
	Achievement *float64             `json:"achievement"`
	Trend       []scoring.TrendPoint `json:"trend"`
	ByPosition  []scoring.Breakdown  `json:"by_position"`
	ByEducation []scoring.Breakdown  `json:"by_education"`
	ByStatus    []scoring.Breakdown  `json:"by_status"`
	OPDs        []scoring.OPDScore   `json:"opds"`
	Scored      int64                `json:"scored"`
	Employees   int64                `json:"employees"`
	BelowJP     int64                `json:"below_jp"`
	Incomplete  int64                `json:"incomplete"`
}

// TestAPIScoreDashboards checks the dashboards' figures, the lists and the targets through
// the API, and every answer against docs/openapi.yaml.
func TestAPIScoreDashboards(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		ctx := context.Background()
		doc := loadOpenAPI(t)
		ops := openAPIOperations(t, doc)
		tok := ts.tokens()
		admin, verif, opd := tok[domain.RoleAdmin], tok[domain.RoleVerifikator], tok[domain.RoleOPD]
		year := ts.srv.Scoring.CurrentYear()
		check := func(op, what, method, path, token, body string, status int) string {
			t.Helper()
			resp, b := ts.api(method, path, token, body)
			if resp.StatusCode != status {
				t.Fatalf("%s: %s %s: status %d, want %d: %s", what, method, path, resp.StatusCode, status, b)
			}
			acCheckDocumented(t, doc, ops, op, what, resp, b)
			return b
		}

		// Before any score is stored: an empty dashboard, a score computed on the fly.
		d := decode[apiDashboard](t, "empty", check("GET /api/v1/score", "empty agency", "GET", "/api/v1/score", admin, "", 200))
		if d.Scope != "agency" || d.Year != year || d.Scored != 0 || d.Employees != 3 || d.Summary.Count != 0 ||
			d.Target != nil || d.Achievement != nil || len(d.Trend) != 0 || len(d.OPDs) != 2 {
			t.Errorf("empty dashboard = %+v", d)
		}
		s := decode[apiScore](t, "on the fly", check("GET /api/v1/employees/{nip}/score", "on the fly", "GET",
			"/api/v1/employees/"+nipB1+"/score", admin, "", 200))
		if s.Stored || s.Year != year || s.Incomplete == nil || len(s.Explanation) == 0 {
			t.Errorf("on-the-fly score = %+v", s)
		}
		// The exact top-level keys the API promises.
		var raw map[string]any
		json.Unmarshal([]byte(ts.call(t, "GET", scorePath(nipB1, year), admin, "", 200)), &raw)
		for _, k := range []string{"nip", "year", "rule_set", "kualifikasi", "kompetensi", "kinerja", "disiplin", "total", "category", "explanation"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("score JSON lacks %q: %v", k, raw)
			}
		}
		for _, k := range []string{"kualifikasi", "kompetensi", "kinerja", "disiplin", "total"} {
			if _, ok := raw[k].(float64); !ok {
				t.Errorf("%s is %T, want a number", k, raw[k])
			}
		}
		if c, _ := raw["category"].(string); !scoring.Category(c).Valid() {
			t.Errorf("category %q", c)
		}

		// Targets: admin only; listed for everyone.
		check("PUT /api/v1/targets/{year}", "verifikator sets a target", "PUT", fmt.Sprintf("/api/v1/targets/%d", year), verif, `{"target":75}`, 403)
		check("PUT /api/v1/targets/{year}", "no target", "PUT", fmt.Sprintf("/api/v1/targets/%d", year), admin, `{}`, 400)
		check("PUT /api/v1/targets/{year}", "target over 100", "PUT", fmt.Sprintf("/api/v1/targets/%d", year), admin, `{"target":100.5}`, 400)
		check("PUT /api/v1/targets/{year}", "bad year", "PUT", "/api/v1/targets/dua", admin, `{"target":75}`, 400)
		check("PUT /api/v1/targets/{year}", "year too early", "PUT", "/api/v1/targets/1999", admin, `{"target":75}`, 400)
		check("PUT /api/v1/targets/{year}", "unknown field", "PUT", "/api/v1/targets/2025", admin, `{"target":75,"x":1}`, 400)
		got := decode[scoring.Target](t, "set", check("PUT /api/v1/targets/{year}", "set", "PUT",
			fmt.Sprintf("/api/v1/targets/%d", year), admin, `{"target":75}`, 200))
		if got != (scoring.Target{Year: year, Target: 75}) {
			t.Errorf("set target answered %+v", got)
		}
		check("PUT /api/v1/targets/{year}", "set previous", "PUT", fmt.Sprintf("/api/v1/targets/%d", year-1), admin, `{"target":70.5}`, 200)
		list := decode[struct{ Items []scoring.Target }](t, "targets",
			check("GET /api/v1/targets", "targets", "GET", "/api/v1/targets", tok[domain.RolePegawai], "", 200))
		if !reflect.DeepEqual(list.Items, []scoring.Target{{Year: year - 1, Target: 70.5}, {Year: year, Target: 75}}) {
			t.Errorf("targets = %+v", list.Items)
		}

		// Scores stored for two years.
		ts.rescoreAll(t, year-1)
		ts.rescoreAll(t, year)
		body := check("GET /api/v1/score", "agency", "GET", "/api/v1/score", verif, "", 200)
		d = decode[apiDashboard](t, "agency", body)
		var scores []scoring.Score
		for _, n := range []string{nipA1, nipA2, nipB1} {
			var id int64
			ts.db.Gorm.Raw(`SELECT id FROM employees WHERE nip = ?`, n).Scan(&id)
			sc, err := ts.srv.Scoring.EmployeeScore(ctx, id, year)
			if err != nil {
				t.Fatal(err)
			}
			scores = append(scores, sc)
		}
		if want := scoring.Aggregate(scores); !reflect.DeepEqual(d.Summary, want) {
			t.Errorf("agency summary = %+v\nwant Aggregate %+v", d.Summary, want)
		}
		if ach, _ := scoring.Achievement(d.Summary.Total, 75); d.Target == nil || *d.Target != 75 || d.Achievement == nil || *d.Achievement != ach {
			t.Errorf("target %v achievement %v, want 75 and %v", d.Target, d.Achievement, ach)
		}
		if d.Scored != 3 || d.Employees != 3 || len(d.Trend) != 2 || len(d.OPDs) != 2 || d.OPDs[0].Code != "DINKES" {
			t.Errorf("agency = %+v", d)
		}
		count := 0
		for _, b := range d.ByPosition {
			count += b.Summary.Count
		}
		if count != d.Summary.Count || len(d.ByPosition) != 3 || len(d.ByStatus) != 2 {
			t.Errorf("by position adds up to %d, want %d: %+v", count, d.Summary.Count, d.ByPosition)
		}
		trend := d.Trend
		if trend[0].Year != year-1 || trend[1].Year != year || *trend[0].Target != 70.5 || *trend[1].Target != 75 {
			t.Errorf("trend = %+v", trend)
		}

		od := decode[apiDashboard](t, "opd", check("GET /api/v1/opds/{code}/score", "opd", "GET", "/api/v1/opds/DISDIK/score", opd, "", 200))
		if od.Scope != "opd" || od.OPD == nil || od.OPD.Code != "DISDIK" || od.Employees != 2 || od.Summary.Count != 2 || od.OPDs != nil {
			t.Errorf("OPD dashboard = %+v", od)
		}
		if !reflect.DeepEqual(od.Summary, d.OPDs[1].Summary) {
			t.Errorf("OPD summary %+v ≠ the agency's row %+v", od.Summary, d.OPDs[1].Summary)
		}
		check("GET /api/v1/opds/{code}/score", "opd other", "GET", "/api/v1/opds/DINKES/score", opd, "", 403)
		check("GET /api/v1/score", "agency as opd", "GET", "/api/v1/score", opd, "", 403)
		check("GET /api/v1/employees/{nip}/score", "stored", "GET", scorePath(nipA1, year), opd, "", 200)
		check("GET /api/v1/employees/{nip}/score", "invalid", "GET", scorePath("1", year), opd, "", 400)

		// Lists.
		type page struct {
			Items []struct {
				NIP     string  `json:"nip"`
				Total   float64 `json:"total"`
				OPDCode string  `json:"opd_code"`
			} `json:"items"`
			Total  int64  `json:"total"`
			Limit  int    `json:"limit"`
			Offset int    `json:"offset"`
			List   string `json:"list"`
			OPD    string `json:"opd"`
		}
		p := decode[page](t, "all", check("GET /api/v1/score/employees", "all", "GET", "/api/v1/score/employees", admin, "", 200))
		if p.Total != 3 || len(p.Items) != 3 || p.List != "all" || p.Limit != 50 || p.OPD != "" ||
			p.Items[0].Total < p.Items[1].Total || p.Items[1].Total < p.Items[2].Total {
			t.Errorf("all = %+v", p)
		}
		p = decode[page](t, "opd page", check("GET /api/v1/score/employees", "opd page", "GET",
			"/api/v1/score/employees?opd=DISDIK&limit=1&offset=1&year="+fmt.Sprint(year), opd, "", 200))
		if p.Total != 2 || len(p.Items) != 1 || p.Items[0].OPDCode != "DISDIK" || p.Offset != 1 || p.Limit != 1 || p.OPD != "DISDIK" {
			t.Errorf("opd page = %+v", p)
		}
		p = decode[page](t, "below", check("GET /api/v1/score/employees", "below", "GET", "/api/v1/score/employees?list=below_jp&limit=5000", verif, "", 200))
		if p.Total != d.BelowJP || p.Limit != 1000 {
			t.Errorf("below_jp total %d, dashboard %d (limit %d)", p.Total, d.BelowJP, p.Limit)
		}
		p = decode[page](t, "incomplete", check("GET /api/v1/score/employees", "incomplete", "GET", "/api/v1/score/employees?list=incomplete", verif, "", 200))
		if p.Total != d.Incomplete {
			t.Errorf("incomplete total %d, dashboard %d", p.Total, d.Incomplete)
		}
		check("GET /api/v1/score/employees", "bad list", "GET", "/api/v1/score/employees?list=x", verif, "", 400)
		check("GET /api/v1/score/employees", "unknown OPD", "GET", "/api/v1/score/employees?opd=NOPE", verif, "", 404)
	})
}
