package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/domain"
)

// Tests of the approval-workflow API (web/api_requests.go) on both databases: the whole flow
// from a draft to a verified report, every refusal with its status, message and proof that
// nothing changed, concurrent and repeated decisions, who sees what, attachments, the
// recommendation letter and notifications. Request 1 is the harness's sample (DISDIK's,
// submitted, participants nipA1 and nipA2, attachment 1).

// apiRequest is the part of a request answer the tests look at.
type apiRequest struct {
	ID  int64 `json:"id"`
	OPD *struct {
		Code string `json:"code"`
	} `json:"opd"`
	Title                string `json:"title"`
	Kind                 string `json:"kind"`
	JP                   int    `json:"jp"`
	State                string `json:"state"`
	StateLabel           string `json:"state_label"`
	Version              int    `json:"version"`
	RecommendationNumber string `json:"recommendation_number"`
	RecommendationDate   string `json:"recommendation_date"`
	DecisionNote         string `json:"decision_note"`
	ReportNote           string `json:"report_note"`
	ParticipantCount     int    `json:"participant_count"`
	Participants         []struct {
		NIP      string `json:"nip"`
		Planned  bool   `json:"planned"`
		Dropped  bool   `json:"dropped"`
		Attended *bool  `json:"attended"`
		Passed   *bool  `json:"passed"`
		Score    string `json:"score"`
		JP       *int   `json:"jp"`
		Eligible bool   `json:"eligible"`
	} `json:"participants"`
	History []struct {
		User   string `json:"user"`
		Action string `json:"action"`
		From   string `json:"from"`
		To     string `json:"to"`
		Note   string `json:"note"`
	} `json:"history"`
	Attachments []struct {
		ID          int64  `json:"id"`
		Purpose     string `json:"purpose"`
		FileName    string `json:"file_name"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
		URL         string `json:"url"`
	} `json:"attachments"`
	Actions []string `json:"actions"`
}

// historyLine renders the history as "action from→to user [note]" lines.
func (r apiRequest) historyLines() []string {
	out := make([]string, len(r.History))
	for i, e := range r.History {
		out[i] = fmt.Sprintf("%s %s→%s %s", e.Action, e.From, e.To, e.User)
		if e.Note != "" {
			out[i] += " [" + e.Note + "]"
		}
	}
	return out
}

// call sends an API request and fails the test unless the status is want; it returns the body.
func (ts *testServer) call(t *testing.T, method, path, token, body string, want int) string {
	t.Helper()
	resp, b := ts.api(method, path, token, body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	return b
}

// act sends a request that answers a request detail with status want and decodes it.
func (ts *testServer) act(t *testing.T, method, path, token, body string, want int) apiRequest {
	t.Helper()
	r := decode[apiRequest](t, method+" "+path, ts.call(t, method, path, token, body, want))
	// Every answer about a request carries its state and its history.
	if r.State == "" || r.StateLabel == "" || len(r.History) == 0 || r.Actions == nil || r.Participants == nil || r.Attachments == nil {
		t.Fatalf("%s %s: answer without state, history or lists: %+v", method, path, r)
	}
	return r
}

// wantRefusal checks an error answer: status, code and that the message contains each part.
func wantRefusal(t *testing.T, what string, resp *http.Response, body string, status int, code string, parts ...string) {
	t.Helper()
	e := wantError(t, what, resp, body, status, code)
	for _, p := range parts {
		if !strings.Contains(e.Error.Message, p) {
			t.Errorf("%s: message %q does not contain %q", what, e.Error.Message, p)
		}
	}
}

// wibToday is the agency's date today (the harness uses the service default, WIB).
func (ts *testServer) wibToday() domain.Date { return domain.DateOf(ts.db.Now().Add(7 * time.Hour)) }

// requestBody is a valid request for DISDIK starting two weeks ahead, changed by mod.
func (ts *testServer) requestBody(t *testing.T, mod func(m map[string]any)) string {
	t.Helper()
	start := ts.wibToday().AddDate(0, 0, 14)
	m := map[string]any{
		"title": "Pelatihan Teknis Pengelolaan Data Pokok Pendidikan", "kind": "teknis", "organizer": "bkpsdm",
		"place": "Aula BKPSDM", "start_date": start.Format(domain.DateLayout),
		"end_date": start.AddDate(0, 0, 2).Format(domain.DateLayout), "jp": 24,
		"objectives": "Operator sekolah mampu memutakhirkan Dapodik.", "participants": []string{nipA1, nipA2},
	}
	if mod != nil {
		mod(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// addUser creates one more account with the harness password.
func (ts *testServer) addUser(t *testing.T, name string, role domain.Role, opd string) string {
	t.Helper()
	in := account.UserInput{Username: name, DisplayName: "Uji " + name, Role: role, OPDCode: opd, Password: testPassword}
	if _, err := ts.srv.Accounts.Create(context.Background(), domain.System, in); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return name
}

// tokens returns a bearer token per role of the harness.
func (ts *testServer) tokens() map[domain.Role]string {
	out := map[domain.Role]string{}
	for role, name := range testUsers {
		out[role] = ts.apiToken(name)
	}
	return out
}

// workflowRows counts the rows of the workflow tables, to show that a refusal wrote nothing.
func (ts *testServer) workflowRows(t *testing.T) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"dev_requests", "dev_request_participants", "dev_request_events", "attachments", "notifications", "number_counters"} {
		var n int64
		if err := ts.db.Gorm.Table(table).Count(&n).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		parts = append(parts, fmt.Sprintf("%s=%d", table, n))
	}
	return strings.Join(parts, " ")
}

// createSubmitted creates a request through the API and submits it; it returns its id.
func (ts *testServer) createSubmitted(t *testing.T, opdToken string, mod func(m map[string]any)) int64 {
	t.Helper()
	r := ts.act(t, "POST", "/api/v1/requests", opdToken, ts.requestBody(t, mod), 201)
	ts.act(t, "POST", reqPath(r.ID, "submit"), opdToken, "", 200)
	return r.ID
}

// reqPath is /api/v1/requests/{id}[/rest].
func reqPath(id int64, rest ...string) string {
	p := "/api/v1/requests/" + strconv.FormatInt(id, 10)
	if len(rest) > 0 {
		p += "/" + strings.Join(rest, "/")
	}
	return p
}

// ---- the whole flow ----

func TestAPIRequestFlow(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		opd, rev := tok[domain.RoleOPD], tok[domain.RoleVerifikator]
		const o, v = "opd.disdik", "verifikator"

		// The OPD creates a draft.
		resp, body := ts.api("POST", "/api/v1/requests", opd, ts.requestBody(t, nil))
		if resp.StatusCode != 201 {
			t.Fatalf("create: %d %s", resp.StatusCode, body)
		}
		r := decode[apiRequest](t, "create", body)
		if loc := resp.Header.Get("Location"); loc != reqPath(r.ID) {
			t.Errorf("Location %q, want %q", loc, reqPath(r.ID))
		}
		if r.State != "draft" || r.StateLabel != "Draf" || r.Version != 1 || r.OPD == nil || r.OPD.Code != "DISDIK" ||
			r.Kind != "teknis" || r.JP != 24 || r.ParticipantCount != 2 || len(r.Participants) != 2 {
			t.Fatalf("created: %+v", r)
		}
		if want := []string{"create →draft " + o}; !slices.Equal(r.historyLines(), want) {
			t.Errorf("history after create %q, want %q", r.historyLines(), want)
		}
		if want := []string{"update", "attach", "submit", "withdraw"}; !slices.Equal(r.Actions, want) {
			t.Errorf("actions of the OPD on a draft %v, want %v", r.Actions, want)
		}
		id := r.ID

		// It submits; the reviewer sees it in the queue with the decisions to take.
		r = ts.act(t, "POST", reqPath(id, "submit"), opd, "", 200)
		if r.State != "submitted" || r.Version != 2 || r.History[1].Action != "submit" || r.History[1].From != "draft" || r.History[1].To != "submitted" {
			t.Fatalf("after submit: %+v", r)
		}
		queue := decode[struct {
			Items []apiRequest `json:"items"`
			Total int          `json:"total"`
		}](t, "queue", ts.call(t, "GET", "/api/v1/requests?state=submitted&queue=true", rev, "", 200))
		if queue.Total != 2 || len(queue.Items) != 2 || queue.Items[0].ID != 1 || queue.Items[1].ID != id {
			t.Errorf("queue: %+v, want request 1 then %d (oldest submission first)", queue, id)
		}
		if r := ts.act(t, "GET", reqPath(id), rev, "", 200); !slices.Equal(r.Actions, []string{"return", "approve", "reject"}) {
			t.Errorf("actions of the reviewer on a submitted request: %v", r.Actions)
		}

		// The reviewer returns it with a note.
		r = ts.act(t, "POST", reqPath(id, "return"), rev, `{"note":"Lengkapi tujuan dan kurangi JP."}`, 200)
		if r.State != "returned" || r.Version != 3 || r.DecisionNote != "Lengkapi tujuan dan kurangi JP." {
			t.Fatalf("after return: %+v", r)
		}

		// The OPD fixes it (one participant fewer, fewer JP) and submits again.
		r = ts.act(t, "PUT", reqPath(id), opd, ts.requestBody(t, func(m map[string]any) {
			m["title"] = "Pelatihan Teknis Dapodik (perbaikan)"
			m["jp"] = 20
			m["participants"] = []string{nipA1}
			m["version"] = 3
		}), 200)
		if r.State != "returned" || r.Version != 4 || r.Title != "Pelatihan Teknis Dapodik (perbaikan)" || r.JP != 20 ||
			len(r.Participants) != 1 || r.Participants[0].NIP != nipA1 {
			t.Fatalf("after update: %+v", r)
		}
		r = ts.act(t, "POST", reqPath(id, "submit"), opd, `{"note":"Sudah diperbaiki."}`, 200)
		if r.State != "submitted" || r.Version != 5 {
			t.Fatalf("after resubmit: %+v", r)
		}

		// The reviewer approves: the first recommendation number of the year (the sample
		// request 1 is only submitted, so nothing has used a number yet).
		r = ts.act(t, "POST", reqPath(id, "approve"), rev, `{"note":"Sesuai rencana pengembangan."}`, 200)
		today := ts.wibToday()
		wantNumber := fmt.Sprintf("800.1/0001/BKPSDM/%d", today.Year())
		if r.State != "approved" || r.StateLabel != "Disetujui" || r.Version != 6 || r.RecommendationNumber != wantNumber ||
			r.RecommendationDate != today.String() || len(r.Actions) != 0 {
			t.Fatalf("after approve: number %q date %q, want %q %s: %+v", r.RecommendationNumber, r.RecommendationDate, wantNumber, today, r)
		}
		if r := ts.act(t, "GET", reqPath(id), opd, "", 200); !slices.Equal(r.Actions, []string{"attach", "report"}) {
			t.Errorf("actions of the OPD on an approved request: %v", r.Actions)
		}

		// After the activity the OPD reports: nipA1 attended and passed. (A report is refused
		// before the activity's last day: the activity is moved to end today.)
		ts.activityEndsToday(t, id)
		r = ts.act(t, "POST", reqPath(id, "report"), opd,
			fmt.Sprintf(`{"participants":[{"nip":%q,"attended":true,"passed":true,"score":"90"}],"note":"Terlaksana."}`, nipA1), 200)
		if r.State != "reported" || r.Version != 7 || r.ReportNote != "Terlaksana." || len(r.Participants) != 1 {
			t.Fatalf("after report: %+v", r)
		}
		if p := r.Participants[0]; p.Attended == nil || !*p.Attended || p.Passed == nil || !*p.Passed || p.JP == nil || *p.JP != 20 ||
			p.Score != "90" || !p.Eligible {
			t.Errorf("reported participant: %+v", p)
		}

		// The reviewer verifies the report.
		r = ts.act(t, "POST", reqPath(id, "report/verify"), rev, "", 200)
		if r.State != "verified" || r.StateLabel != "Laporan diverifikasi" || r.Version != 8 || len(r.Actions) != 0 {
			t.Fatalf("after verify: %+v", r)
		}
		want := []string{
			"create →draft " + o,
			"submit draft→submitted " + o,
			"return submitted→returned " + v + " [Lengkapi tujuan dan kurangi JP.]",
			"update returned→returned " + o,
			"submit returned→submitted " + o + " [Sudah diperbaiki.]",
			"approve submitted→approved " + v + " [Sesuai rencana pengembangan.]",
			"report approved→reported " + o + " [Terlaksana.]",
			"report_verify reported→verified " + v,
		}
		if got := r.historyLines(); !slices.Equal(got, want) {
			t.Errorf("history:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// The participant sees the finished request too.
		if r := ts.act(t, "GET", reqPath(id), tok[domain.RolePegawai], "", 200); r.State != "verified" || len(r.Actions) != 0 {
			t.Errorf("pegawai's view: %+v", r)
		}
	})
}

// ---- refusals ----

func TestAPIRequestValidation(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		opd := tok[domain.RoleOPD]
		today := ts.wibToday()
		day := func(d int) string { return today.AddDate(0, 0, d).Format(domain.DateLayout) }
		cases := []struct {
			name   string
			mod    func(m map[string]any)
			field  string
			detail string
		}{
			{"dates reversed", func(m map[string]any) { m["start_date"], m["end_date"] = day(20), day(18) }, "end_date",
				"Tanggal selesai tidak boleh sebelum tanggal mulai."},
			{"JP zero", func(m map[string]any) { m["jp"] = 0 }, "jp", "Jumlah JP harus lebih dari 0."},
			{"JP negative", func(m map[string]any) { m["jp"] = -8 }, "jp", "Jumlah JP harus lebih dari 0."},
			{"JP absurd", func(m map[string]any) { m["jp"] = 5000 }, "jp", "Jumlah JP 5000 tidak masuk akal (paling banyak 2000)."},
			{"JP per day without a note", func(m map[string]any) { m["jp"] = 40 }, "jp", "melebihi 10 JP per hari"},
			{"start in the past", func(m map[string]any) { m["start_date"] = day(-3) }, "start_date", "ajukan sebagai usulan retroaktif"},
			{"date format", func(m map[string]any) { m["start_date"] = "14-08-2026" }, "", "TTTT-BB-HH"},
			{"participant of another OPD", func(m map[string]any) { m["participants"] = []string{nipA1, nipB1} }, "participants",
				nipB1 + ": tidak terdaftar sebagai pegawai OPD pengusul"},
			{"unknown NIP", func(m map[string]any) { m["participants"] = []string{"199001012015031004"} }, "participants",
				"199001012015031004: tidak terdaftar sebagai pegawai OPD pengusul"},
			{"malformed NIP", func(m map[string]any) { m["participants"] = []string{"12345"} }, "participants", "Peserta tidak sah: 12345"},
			{"duplicate participant", func(m map[string]any) { m["participants"] = []string{nipA1, nipA1} }, "participants", "tercantum lebih dari sekali"},
			{"no participants", func(m map[string]any) { m["participants"] = []string{} }, "participants", "Pilih paling sedikit satu peserta."},
			{"unknown kind", func(m map[string]any) { m["kind"] = "jalan-jalan" }, "kind", "Jenis pengembangan kompetensi tidak dikenal"},
			{"leadership without level", func(m map[string]any) { m["kind"] = "kepemimpinan" }, "level", "harus menyebut tingkatnya"},
			{"no title", func(m map[string]any) { m["title"] = " " }, "title", "Judul kegiatan wajib diisi."},
			{"unknown field", func(m map[string]any) { m["anggaran"] = 1 }, "", "Kolom tidak dikenal"},
		}
		before := ts.workflowRows(t)
		list := ts.call(t, "GET", "/api/v1/requests", opd, "", 200)
		for _, tc := range cases {
			resp, body := ts.api("POST", "/api/v1/requests", opd, ts.requestBody(t, tc.mod))
			e := wantError(t, "create, "+tc.name, resp, body, 400, "invalid")
			if !strings.Contains(e.Error.Message, tc.detail) {
				t.Errorf("create, %s: message %q, want it to contain %q", tc.name, e.Error.Message, tc.detail)
			}
			if tc.field != "" && !strings.Contains(e.Error.Fields[tc.field], tc.detail) {
				t.Errorf("create, %s: fields %v, want %s: %q", tc.name, e.Error.Fields, tc.field, tc.detail)
			}
		}
		// Several problems at once: all named in fields, the message leads with the first.
		resp, body := ts.api("POST", "/api/v1/requests", opd, ts.requestBody(t, func(m map[string]any) {
			m["jp"] = 0
			m["end_date"] = day(1)
			m["participants"] = []string{}
		}))
		e := wantError(t, "create with three problems", resp, body, 400, "invalid")
		if len(e.Error.Fields) != 3 || !strings.Contains(e.Error.Message, "(dan 2 kesalahan lain)") {
			t.Errorf("three problems: %+v", e.Error)
		}
		// Not JSON.
		req := httptest.NewRequest("POST", "/api/v1/requests", strings.NewReader("judul=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+opd)
		resp, body = ts.do(req)
		wantRefusal(t, "form body", resp, body, 400, "invalid", "Content-Type: application/json")
		if after := ts.workflowRows(t); after != before {
			t.Errorf("refused creates wrote rows: %s, was %s", after, before)
		}
		if after := ts.call(t, "GET", "/api/v1/requests", opd, "", 200); after != list {
			t.Errorf("refused creates changed the list:\n%s\nwas\n%s", after, list)
		}

		// The same checks guard an update of a draft.
		draft := ts.act(t, "POST", "/api/v1/requests", opd, ts.requestBody(t, nil), 201)
		before = ts.workflowRows(t)
		detail := ts.call(t, "GET", reqPath(draft.ID), opd, "", 200)
		for _, tc := range cases[:9] {
			resp, body := ts.api("PUT", reqPath(draft.ID), opd, ts.requestBody(t, tc.mod))
			wantRefusal(t, "update, "+tc.name, resp, body, 400, "invalid", tc.detail)
		}
		if after := ts.workflowRows(t); after != before {
			t.Errorf("refused updates wrote rows: %s, was %s", after, before)
		}
		if after := ts.call(t, "GET", reqPath(draft.ID), opd, "", 200); after != detail {
			t.Errorf("refused updates changed the draft:\n%s\nwas\n%s", after, detail)
		}
	})
}

func TestAPIRequestInvalidTransitions(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		opd, rev := tok[domain.RoleOPD], tok[domain.RoleVerifikator]
		draft := ts.act(t, "POST", "/api/v1/requests", opd, ts.requestBody(t, nil), 201).ID
		approved := ts.createSubmitted(t, opd, nil)
		ts.act(t, "POST", reqPath(approved, "approve"), rev, "", 200)
		report := fmt.Sprintf(`{"participants":[{"nip":%q,"attended":true,"passed":true},{"nip":%q,"attended":true,"passed":false}]}`, nipA1, nipA2)
		cases := []struct {
			name, method, path, token, body string
			want                            string // part of the message
		}{
			{"approve a draft", "POST", reqPath(draft, "approve"), rev, "", `Tindakan "Disetujui" tidak dapat dilakukan pada usulan berstatus "Draf".`},
			{"return a draft", "POST", reqPath(draft, "return"), rev, `{"note":"x"}`, `berstatus "Draf"`},
			{"reject a draft", "POST", reqPath(draft, "reject"), rev, `{"reason":"x"}`, `berstatus "Draf"`},
			{"report a draft", "POST", reqPath(draft, "report"), opd, report, `berstatus "Draf"`},
			{"report before approval", "POST", reqPath(1, "report"), opd, report,
				`Tindakan "Laporan realisasi diajukan" tidak dapat dilakukan pada usulan berstatus "Diajukan".`},
			{"verify a report never made", "POST", reqPath(1, "report/verify"), rev, "", `berstatus "Diajukan"`},
			{"edit a submitted request", "PUT", reqPath(1), opd, ts.requestBody(t, nil), `Tindakan "Usulan diubah" tidak dapat dilakukan pada usulan berstatus "Diajukan".`},
			{"edit after approval", "PUT", reqPath(approved), opd, ts.requestBody(t, nil), `Tindakan "Usulan diubah" tidak dapat dilakukan pada usulan berstatus "Disetujui".`},
			{"submit after approval", "POST", reqPath(approved, "submit"), opd, "", `Tindakan "Usulan diajukan" tidak dapat dilakukan pada usulan berstatus "Disetujui".`},
			{"withdraw after approval", "POST", reqPath(approved, "withdraw"), opd, "", `berstatus "Disetujui"`},
			{"reject after approval", "POST", reqPath(approved, "reject"), rev, `{"reason":"Terlambat."}`, `berstatus "Disetujui"`},
			{"return after approval", "POST", reqPath(approved, "return"), rev, `{"note":"Terlambat."}`, `berstatus "Disetujui"`},
			{"letter of a draft", "GET", reqPath(draft, "letter.pdf"), opd, "", "Surat rekomendasi baru tersedia setelah usulan disetujui."},
			{"stale version", "PUT", reqPath(draft), opd, ts.requestBody(t, func(m map[string]any) { m["version"] = 7 }),
				"Usulan telah diubah oleh pengguna lain."},
		}
		for _, tc := range cases {
			id := strings.Split(strings.TrimPrefix(tc.path, "/api/v1/requests/"), "/")[0]
			before, rows := ts.call(t, "GET", "/api/v1/requests/"+id, tok[domain.RoleAdmin], "", 200), ts.workflowRows(t)
			resp, body := ts.api(tc.method, tc.path, tc.token, tc.body)
			wantRefusal(t, tc.name, resp, body, 409, "conflict", tc.want)
			if after := ts.call(t, "GET", "/api/v1/requests/"+id, tok[domain.RoleAdmin], "", 200); after != before {
				t.Errorf("%s changed the request:\n%s\nwas\n%s", tc.name, after, before)
			}
			if after := ts.workflowRows(t); after != rows {
				t.Errorf("%s wrote rows: %s, was %s", tc.name, after, rows)
			}
		}

		// A decision needs its note, a rejection its reason: 400, nothing changed.
		before := ts.call(t, "GET", reqPath(1), rev, "", 200)
		for _, tc := range []struct{ path, body, want string }{
			{reqPath(1, "return"), "", "Tuliskan catatan perbaikan untuk OPD."},
			{reqPath(1, "return"), `{"note":"  "}`, "Tuliskan catatan perbaikan untuk OPD."},
			{reqPath(1, "reject"), `{}`, "Alasan penolakan wajib diisi."},
			{reqPath(1, "approve"), `{"note":5}`, `Nilai kolom "note" harus bertipe string.`},
			{reqPath(1, "approve"), `{"catatan":"x"}`, "Kolom tidak dikenal"},
			{reqPath(1, "approve"), `{"note":"x"} {}`, "data setelah objek JSON"},
		} {
			resp, body := ts.api("POST", tc.path, rev, tc.body)
			wantRefusal(t, tc.path+" "+tc.body, resp, body, 400, "invalid", tc.want)
		}
		if after := ts.call(t, "GET", reqPath(1), rev, "", 200); after != before {
			t.Errorf("refused decisions changed request 1:\n%s\nwas\n%s", after, before)
		}
		// A report must be complete and consistent (checked on the activity's last day, when
		// a report is first accepted).
		ts.activityEndsToday(t, approved)
		before = ts.call(t, "GET", reqPath(approved), opd, "", 200)
		for _, tc := range []struct{ body, want string }{
			{`{"participants":[]}`, "Laporan harus memuat daftar peserta."},
			{fmt.Sprintf(`{"participants":[{"nip":%q,"attended":true,"passed":true}]}`, nipA1), nipA2 + ": peserta rencana belum dilaporkan"},
			{fmt.Sprintf(`{"participants":[{"nip":%q,"attended":false,"passed":true},{"nip":%q,"attended":true,"passed":true}]}`, nipA1, nipA2),
				nipA1 + ": tidak dapat lulus tanpa hadir"},
			{fmt.Sprintf(`{"participants":[{"nip":%q,"attended":true,"passed":true,"jp":99},{"nip":%q,"attended":true,"passed":true}]}`, nipA1, nipA2),
				"JP realisasi 99 di luar 0–24 JP yang disetujui"},
			{fmt.Sprintf(`{"participants":[{"nip":%q,"attended":true,"passed":true},{"nip":%q,"attended":true,"passed":true},{"nip":%q,"attended":true,"passed":true}]}`, nipA1, nipA2, nipB1),
				nipB1 + ": peserta tambahan di luar rencana harus diberi alasan"},
		} {
			resp, body := ts.api("POST", reqPath(approved, "report"), opd, tc.body)
			wantRefusal(t, "report "+tc.body, resp, body, 400, "invalid", tc.want)
		}
		if after := ts.call(t, "GET", reqPath(approved), opd, "", 200); after != before {
			t.Errorf("refused reports changed the request:\n%s\nwas\n%s", after, before)
		}
	})
}

func TestAPIRequestRoles(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		opd, rev := tok[domain.RoleOPD], tok[domain.RoleVerifikator]
		dinkes := ts.apiToken(ts.addUser(t, "opd.dinkes", domain.RoleOPD, "DINKES"))
		draft := ts.act(t, "POST", "/api/v1/requests", opd, ts.requestBody(t, nil), 201).ID

		// Another OPD neither sees nor touches DISDIK's requests, and cannot list them.
		for _, tc := range []struct{ method, path, body string }{
			{"GET", reqPath(1), ""},
			{"GET", reqPath(1, "attachments", "1"), ""},
			{"GET", reqPath(1, "letter.pdf"), ""},
			{"PUT", reqPath(draft), ts.requestBody(t, nil)},
			{"POST", reqPath(draft, "submit"), ""},
			{"POST", reqPath(1, "withdraw"), ""},
			{"GET", "/api/v1/requests?opd=DISDIK", ""},
		} {
			resp, body := ts.api(tc.method, tc.path, dinkes, tc.body)
			wantError(t, "DINKES: "+tc.method+" "+tc.path, resp, body, 403, "forbidden")
		}
		if resp, body := ts.api("GET", reqPath(1), dinkes, ""); !strings.Contains(body, "Usulan ini milik OPD lain.") {
			t.Errorf("DINKES reading request 1: %d %s", resp.StatusCode, body)
		}
		if l := decode[struct{ Total int }](t, "DINKES list", ts.call(t, "GET", "/api/v1/requests", dinkes, "", 200)); l.Total != 0 {
			t.Errorf("DINKES sees %d requests, want 0", l.Total)
		}
		// Nor can it name DISDIK's employees as its participants.
		resp, body := ts.api("POST", "/api/v1/requests", dinkes, ts.requestBody(t, nil))
		wantRefusal(t, "DINKES proposing DISDIK's employees", resp, body, 400, "invalid", nipA1+": tidak terdaftar sebagai pegawai OPD pengusul")

		// Only verifikator decides; only the OPD proposes and reports.
		for _, role := range []domain.Role{domain.RoleAdmin, domain.RolePenandatangan, domain.RoleOPD, domain.RolePegawai} {
			for _, act := range []string{"approve", "return", "reject", "report/verify", "report/return"} {
				resp, body := ts.api("POST", reqPath(1, act), tok[role], `{"note":"x","reason":"x"}`)
				wantError(t, string(role)+" "+act, resp, body, 403, "forbidden")
			}
		}
		for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleVerifikator, domain.RolePenandatangan, domain.RolePegawai} {
			resp, body := ts.api("POST", "/api/v1/requests", tok[role], ts.requestBody(t, nil))
			wantError(t, string(role)+" create", resp, body, 403, "forbidden")
			resp, body = ts.api("PUT", reqPath(draft), tok[role], ts.requestBody(t, nil))
			wantError(t, string(role)+" update", resp, body, 403, "forbidden")
			resp, body = ts.api("POST", reqPath(draft, "submit"), tok[role], "")
			wantError(t, string(role)+" submit", resp, body, 403, "forbidden")
		}
		// Version 3: created, attachment, submitted.
		if r := ts.act(t, "GET", reqPath(1), rev, "", 200); r.State != "submitted" || r.Version != 3 {
			t.Errorf("request 1 changed by refused calls: %+v", r)
		}
		if r := ts.act(t, "GET", reqPath(draft), opd, "", 200); r.State != "draft" || r.Version != 1 {
			t.Errorf("the draft changed by refused calls: %+v", r)
		}
	})
}

// ---- concurrency and repeats ----

func TestAPIConcurrentApprovals(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		opd := tok[domain.RoleOPD]
		second := ts.apiToken(ts.addUser(t, "verifikator2", domain.RoleVerifikator, ""))
		reviewers := []string{tok[domain.RoleVerifikator], second}
		ids := []int64{1}
		for range 4 {
			ids = append(ids, ts.createSubmitted(t, opd, nil))
		}
		var numbers []string
		for _, id := range ids {
			statuses := make([]int, len(reviewers))
			bodies := make([]string, len(reviewers))
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, token := range reviewers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := httptest.NewRequest("POST", reqPath(id, "approve"), strings.NewReader(`{"note":"Setuju."}`))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+token)
					<-start
					resp, err := ts.srv.App.Test(req, -1)
					if err != nil {
						bodies[i] = err.Error()
						return
					}
					defer resp.Body.Close()
					var b bytes.Buffer
					b.ReadFrom(resp.Body)
					statuses[i], bodies[i] = resp.StatusCode, b.String()
				}()
			}
			close(start)
			wg.Wait()
			got := slices.Clone(statuses)
			sort.Ints(got)
			if !slices.Equal(got, []int{200, 409}) {
				t.Fatalf("request %d: two reviewers approving at once got %v, want one 200 and one 409: %q", id, statuses, bodies)
			}
			loser := bodies[slices.Index(statuses, 409)]
			if !strings.Contains(loser, `berstatus \"Disetujui\"`) {
				t.Errorf("request %d: the second approval's message: %s", id, loser)
			}
			r := ts.act(t, "GET", reqPath(id), tok[domain.RoleAdmin], "", 200)
			approvals := 0
			for _, e := range r.History {
				if e.Action == "approve" {
					approvals++
				}
			}
			if r.State != "approved" || approvals != 1 || r.RecommendationNumber == "" {
				t.Errorf("request %d after the race: state %s, %d approvals, number %q", id, r.State, approvals, r.RecommendationNumber)
			}
			numbers = append(numbers, r.RecommendationNumber)
		}
		// One number per request, consecutive, none lost to the losing approvals.
		year := ts.wibToday().Year()
		for i, n := range numbers {
			if want := fmt.Sprintf("800.1/%04d/BKPSDM/%d", i+1, year); n != want {
				t.Errorf("approval %d: number %q, want %q (all: %v)", i+1, n, want, numbers)
			}
		}
		var seq int
		ts.db.Gorm.Raw("SELECT last_seq FROM number_counters WHERE scope = ? AND year = ?", "rekomendasi", year).Scan(&seq)
		if seq != len(ids) {
			t.Errorf("counter at %d after %d approvals", seq, len(ids))
		}
	})
}

func TestAPIRepeatedActions(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		opd, rev := tok[domain.RoleOPD], tok[domain.RoleVerifikator]
		second := ts.apiToken(ts.addUser(t, "verifikator2", domain.RoleVerifikator, ""))

		// The harness's opd user submitted request 1: submitting again is a replay.
		before := ts.call(t, "GET", reqPath(1), opd, "", 200)
		if after := ts.call(t, "POST", reqPath(1, "submit"), opd, "", 200); after != before {
			t.Errorf("a repeated submit changed the request:\n%s\nwas\n%s", after, before)
		}

		first := ts.act(t, "POST", reqPath(1, "approve"), rev, `{"note":"Setuju."}`, 200)
		rows := ts.workflowRows(t)
		again := ts.act(t, "POST", reqPath(1, "approve"), rev, `{"note":"Setuju."}`, 200)
		if again.Version != first.Version || again.RecommendationNumber != first.RecommendationNumber || len(again.History) != len(first.History) {
			t.Errorf("repeated approve: version %d number %q history %d; first: %d %q %d", again.Version, again.RecommendationNumber,
				len(again.History), first.Version, first.RecommendationNumber, len(first.History))
		}
		if after := ts.workflowRows(t); after != rows {
			t.Errorf("a repeated approve wrote rows: %s, was %s", after, rows)
		}
		// Another reviewer meeting the decided request gets a conflict, not a silent success.
		resp, body := ts.api("POST", reqPath(1, "approve"), second, "")
		wantRefusal(t, "approve by another reviewer after approval", resp, body, 409, "conflict", `berstatus "Disetujui"`)
		resp, body = ts.api("POST", reqPath(1, "reject"), rev, `{"reason":"Berubah pikiran."}`)
		wantRefusal(t, "reject after own approval", resp, body, 409, "conflict", `berstatus "Disetujui"`)

		report := fmt.Sprintf(`{"participants":[{"nip":%q,"attended":true,"passed":true},{"nip":%q,"attended":true,"passed":true}]}`, nipA1, nipA2)
		ts.activityEndsToday(t, 1) // a report is refused before the activity's last day
		r1 := ts.act(t, "POST", reqPath(1, "report"), opd, report, 200)
		r2 := ts.act(t, "POST", reqPath(1, "report"), opd, report, 200)
		v1 := ts.act(t, "POST", reqPath(1, "report/verify"), rev, "", 200)
		v2 := ts.act(t, "POST", reqPath(1, "report/verify"), rev, "", 200)
		if r2.Version != r1.Version || v2.Version != v1.Version || len(v2.History) != len(v1.History) || v1.Version != r1.Version+1 {
			t.Errorf("repeated report/verify: versions %d %d %d %d", r1.Version, r2.Version, v1.Version, v2.Version)
		}
	})
}

// ---- who sees what ----

func TestAPIRequestVisibility(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		opd, peg := tok[domain.RoleOPD], tok[domain.RolePegawai]
		// Request 2: submitted, nipA2 only. Request 3: a draft with nipA1.
		other := ts.createSubmitted(t, opd, func(m map[string]any) { m["participants"] = []string{nipA2} })
		draft := ts.act(t, "POST", "/api/v1/requests", opd, ts.requestBody(t, nil), 201).ID

		type page struct {
			Items []apiRequest `json:"items"`
			Total int          `json:"total"`
		}
		ids := func(p page) []int64 {
			var out []int64
			for _, r := range p.Items {
				out = append(out, r.ID)
			}
			slices.Sort(out)
			return out
		}
		// The employee (nipA1) sees only request 1: not request 2 (not a participant), not the draft.
		p := decode[page](t, "pegawai list", ts.call(t, "GET", "/api/v1/requests", peg, "", 200))
		if p.Total != 1 || !slices.Equal(ids(p), []int64{1}) {
			t.Errorf("pegawai list: total %d ids %v, want only request 1", p.Total, ids(p))
		}
		for _, id := range []int64{other, draft} {
			resp, body := ts.api("GET", reqPath(id), peg, "")
			wantRefusal(t, fmt.Sprintf("pegawai reading request %d", id), resp, body, 403, "forbidden", "Anda hanya dapat melihat usulan yang Anda ikuti.")
		}
		if r := ts.act(t, "GET", reqPath(1), peg, "", 200); len(r.Actions) != 0 {
			t.Errorf("pegawai actions on request 1: %v", r.Actions)
		}
		// Lists for the OPD and BKPSDM, with filters.
		p = decode[page](t, "opd list", ts.call(t, "GET", "/api/v1/requests?opd=DISDIK", opd, "", 200))
		if p.Total != 3 {
			t.Errorf("opd list: %d, want 3", p.Total)
		}
		p = decode[page](t, "state filter", ts.call(t, "GET", "/api/v1/requests?state=draft", tok[domain.RoleVerifikator], "", 200))
		if !slices.Equal(ids(p), []int64{draft}) {
			t.Errorf("state=draft: %v", ids(p))
		}
		p = decode[page](t, "search", ts.call(t, "GET", "/api/v1/requests?q=KURIKULUM&kind=bimtek", tok[domain.RolePenandatangan], "", 200))
		if !slices.Equal(ids(p), []int64{1}) || p.Items[0].ParticipantCount != 2 || p.Items[0].OPD == nil || p.Items[0].OPD.Code != "DISDIK" {
			t.Errorf("q=KURIKULUM&kind=bimtek: %+v", p)
		}
		p = decode[page](t, "paging", ts.call(t, "GET", "/api/v1/requests?limit=1&offset=1", tok[domain.RoleAdmin], "", 200))
		if p.Total != 3 || len(p.Items) != 1 {
			t.Errorf("limit=1&offset=1: %+v", p)
		}
		for _, q := range []string{"state=entah", "kind=entah", "limit=-1", "offset=x", "q=" + strings.Repeat("a", 101)} {
			resp, body := ts.api("GET", "/api/v1/requests?"+q, tok[domain.RoleAdmin], "")
			wantError(t, "list ?"+q, resp, body, 400, "invalid")
		}
		resp, body := ts.api("GET", "/api/v1/requests?opd=DINKES", opd, "")
		wantRefusal(t, "opd listing another OPD", resp, body, 403, "forbidden", "Anda tidak berhak melihat usulan OPD lain.")
		for _, path := range []string{reqPath(999), "/api/v1/requests/0", "/api/v1/requests/abc"} {
			resp, body := ts.api("GET", path, tok[domain.RoleAdmin], "")
			wantRefusal(t, path, resp, body, 404, "not_found", "Usulan tidak ditemukan.")
		}
	})
}

// ---- attachments, letter, notifications ----

// apiUploadForm sends a multipart upload with form fields.
func (ts *testServer) apiUploadForm(path, token string, fields url.Values, files ...upload) (*http.Response, string) {
	ts.t.Helper()
	ct, body := multipartBody(ts.t, fields, files...)
	req := httptest.NewRequest("POST", path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	return ts.do(req)
}

func TestAPIRequestAttachments(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		opd := tok[domain.RoleOPD]
		id := ts.act(t, "POST", "/api/v1/requests", opd, ts.requestBody(t, nil), 201).ID
		pdf := append(slices.Clone(samplePDF), []byte("% undangan kegiatan\n")...)

		resp, body := ts.apiUploadForm(reqPath(id, "attachments"), opd, url.Values{"purpose": {"usulan"}},
			upload{"file", "Kerangka Acuan (TOR).pdf", pdf})
		if resp.StatusCode != 201 {
			t.Fatalf("upload PDF: %d %s", resp.StatusCode, body)
		}
		att := decode[struct {
			ID          int64  `json:"id"`
			Purpose     string `json:"purpose"`
			FileName    string `json:"file_name"`
			ContentType string `json:"content_type"`
			Size        int64  `json:"size"`
			URL         string `json:"url"`
		}](t, "upload", body)
		if att.Purpose != "usulan" || att.FileName != "Kerangka Acuan (TOR).pdf" || att.ContentType != "application/pdf" ||
			att.Size != int64(len(pdf)) || att.URL != reqPath(id, "attachments", strconv.FormatInt(att.ID, 10)) {
			t.Errorf("attachment: %+v", att)
		}
		r := ts.act(t, "GET", reqPath(id), opd, "", 200)
		if len(r.Attachments) != 1 || r.Attachments[0].ID != att.ID || r.History[len(r.History)-1].Action != "attach" ||
			r.History[len(r.History)-1].Note != "Dokumen usulan: Kerangka Acuan (TOR).pdf" {
			t.Errorf("request after upload: attachments %+v history %q", r.Attachments, r.historyLines())
		}

		// Download: the same bytes, the recognised type, inline with the name.
		req := httptest.NewRequest("GET", att.URL, nil)
		req.Header.Set("Authorization", "Bearer "+tok[domain.RoleVerifikator])
		resp, body = ts.do(req)
		if resp.StatusCode != 200 || body != string(pdf) {
			t.Fatalf("download: %d, %d bytes, want the %d uploaded", resp.StatusCode, len(body), len(pdf))
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("download Content-Type %q", ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "inline;") || !strings.Contains(cd, "Kerangka%20Acuan%20%28TOR%29.pdf") {
			t.Errorf("download Content-Disposition %q", cd)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
			t.Errorf("download Cache-Control %q", cc)
		}
		// The sample's attachment is request 1's, not this request's.
		resp, body = ts.api("GET", reqPath(id, "attachments", "1"), opd, "")
		wantRefusal(t, "attachment of another request", resp, body, 404, "not_found", "Lampiran tidak ditemukan.")

		// Refusals: nothing stored, nothing recorded.
		rows, before := ts.workflowRows(t), ts.call(t, "GET", reqPath(id), opd, "", 200)
		big := append(slices.Clone(samplePDF), bytes.Repeat([]byte("0"), 1<<20)...) // over the harness's 1 MiB limit
		for _, tc := range []struct {
			name   string
			fields url.Values
			files  []upload
			status int
			want   string
		}{
			{"text file", nil, []upload{{"file", "catatan.pdf", []byte("ini bukan PDF, hanya teks biasa\n")}}, 400,
				"Jenis berkas tidak diterima: hanya PDF, JPG atau PNG."},
			{"HTML", nil, []upload{{"file", "x.pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")}}, 400, "hanya PDF, JPG atau PNG"},
			{"empty file", nil, []upload{{"file", "kosong.pdf", nil}}, 400, "Berkas kosong."},
			{"too large", nil, []upload{{"file", "besar.pdf", big}}, 413, "Berkas terlalu besar: paling besar 1 MB."},
			{"unknown purpose", url.Values{"purpose": {"foto"}}, []upload{{"file", "a.pdf", pdf}}, 400, "Jenis lampiran harus salah satu dari"},
			{"no file", url.Values{"purpose": {"usulan"}}, nil, 400, `Unggah berkas pada kolom "file"`},
			{"wrong field", nil, []upload{{"berkas", "a.pdf", pdf}}, 400, `Unggah berkas pada kolom "file"`},
		} {
			resp, body := ts.apiUploadForm(reqPath(id, "attachments"), opd, tc.fields, tc.files...)
			code := "invalid"
			if tc.status == 413 {
				code = "too_large"
			}
			wantRefusal(t, tc.name, resp, body, tc.status, code, tc.want)
		}
		// Attaching to a submitted request, or to another OPD's.
		resp, body = ts.apiUploadForm(reqPath(1, "attachments"), opd, nil, upload{"file", "a.pdf", pdf})
		wantRefusal(t, "attach to a submitted request", resp, body, 409, "conflict", `berstatus "Diajukan"`)
		dinkes := ts.apiToken(ts.addUser(t, "opd.dinkes", domain.RoleOPD, "DINKES"))
		resp, body = ts.apiUploadForm(reqPath(id, "attachments"), dinkes, nil, upload{"file", "a.pdf", pdf})
		wantError(t, "attach to another OPD's request", resp, body, 403, "forbidden")
		if after := ts.workflowRows(t); after != rows {
			t.Errorf("refused uploads wrote rows: %s, was %s", after, rows)
		}
		if after := ts.call(t, "GET", reqPath(id), opd, "", 200); after != before {
			t.Errorf("refused uploads changed the request:\n%s\nwas\n%s", after, before)
		}
		// The participant reads request 1's attachment; another OPD may not.
		if resp, body := ts.api("GET", reqPath(1, "attachments", "1"), tok[domain.RolePegawai], ""); resp.StatusCode != 200 || body != string(samplePDF) {
			t.Errorf("pegawai downloading the sample attachment: %d", resp.StatusCode)
		}
		resp, body = ts.api("GET", reqPath(1, "attachments", "1"), dinkes, "")
		wantError(t, "another OPD downloading", resp, body, 403, "forbidden")
	})
}

func TestAPIRecommendationLetter(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		resp, body := ts.api("GET", reqPath(1, "letter.pdf"), tok[domain.RoleOPD], "")
		wantRefusal(t, "letter before approval", resp, body, 409, "conflict", "Surat rekomendasi baru tersedia setelah usulan disetujui.")

		r := ts.act(t, "POST", reqPath(1, "approve"), tok[domain.RoleVerifikator], "", 200)
		var first string
		for _, role := range []domain.Role{domain.RoleOPD, domain.RolePegawai, domain.RolePenandatangan} {
			resp, body := ts.api("GET", reqPath(1, "letter.pdf"), tok[role], "")
			if resp.StatusCode != 200 {
				t.Fatalf("letter as %s: %d %s", role, resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" {
				t.Errorf("letter Content-Type %q", ct)
			}
			if !strings.HasPrefix(body, "%PDF-") || len(body) < 1000 {
				t.Errorf("letter is not a PDF: %q…", body[:min(len(body), 20)])
			}
			wantName := "surat-rekomendasi-" + strings.ReplaceAll(r.RecommendationNumber, "/", "-") + ".pdf"
			if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, wantName) {
				t.Errorf("letter Content-Disposition %q, want the name %s", cd, wantName)
			}
			// Reproducible: every reader gets the same bytes.
			if first == "" {
				first = body
			} else if body != first {
				t.Errorf("letter for %s differs from the first one", role)
			}
		}
		dinkes := ts.apiToken(ts.addUser(t, "opd.dinkes", domain.RoleOPD, "DINKES"))
		resp, body = ts.api("GET", reqPath(1, "letter.pdf"), dinkes, "")
		wantError(t, "letter for another OPD", resp, body, 403, "forbidden")
	})
}

func TestAPINotifications(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.tokens()
		opd, rev, peg := tok[domain.RoleOPD], tok[domain.RoleVerifikator], tok[domain.RolePegawai]
		type notes struct {
			Items []struct {
				ID      int64   `json:"id"`
				Message string  `json:"message"`
				Link    string  `json:"link"`
				ReadAt  *string `json:"read_at"`
			} `json:"items"`
			Unread int `json:"unread"`
		}
		get := func(token string) notes {
			t.Helper()
			return decode[notes](t, "notifications", ts.call(t, "GET", "/api/v1/notifications", token, "", 200))
		}
		// The sample's submission told the reviewer once.
		if n := get(rev); n.Unread != 1 || len(n.Items) != 1 || n.Items[0].Message != "Usulan diajukan: Bimbingan Teknis Kurikulum Merdeka" {
			t.Fatalf("reviewer's notifications at start: %+v", n)
		}
		id := ts.createSubmitted(t, opd, func(m map[string]any) { m["title"] = "Seminar Literasi Digital"; m["kind"] = "seminar" })
		n := get(rev)
		if n.Unread != 2 || len(n.Items) != 2 || n.Items[0].Message != "Usulan diajukan: Seminar Literasi Digital" ||
			n.Items[0].Link != fmt.Sprintf("/usulan/%d", id) || n.Items[0].ReadAt != nil {
			t.Fatalf("reviewer's notifications after a submission: %+v", n)
		}
		if n := get(opd); n.Unread != 0 {
			t.Errorf("the submitting OPD notified itself: %+v", n)
		}

		// Someone else's notification cannot be marked read.
		ts.call(t, "POST", "/api/v1/notifications/read", opd, fmt.Sprintf(`{"id":%d}`, n.Items[0].ID), 204)
		if n := get(rev); n.Unread != 2 {
			t.Errorf("another user marked the reviewer's notification: %+v", n)
		}
		// One, then all.
		ts.call(t, "POST", "/api/v1/notifications/read", rev, fmt.Sprintf(`{"id":%d}`, n.Items[0].ID), 204)
		n = get(rev)
		if n.Unread != 1 || n.Items[0].ReadAt == nil || n.Items[1].ReadAt != nil {
			t.Errorf("after marking one read: %+v", n)
		}
		ts.call(t, "POST", "/api/v1/notifications/read", rev, "", 204)
		if n := get(rev); n.Unread != 0 || n.Items[1].ReadAt == nil {
			t.Errorf("after marking all read: %+v", n)
		}
		resp, body := ts.api("POST", "/api/v1/notifications/read", rev, `{"id":"semua"}`)
		wantError(t, "mark read with a bad id", resp, body, 400, "invalid")

		// The OPD hears of BKPSDM's decisions; the participant with an account of the approval.
		ts.act(t, "POST", reqPath(id, "return"), rev, `{"note":"Perbaiki tujuan."}`, 200)
		ts.act(t, "POST", reqPath(1, "approve"), rev, "", 200)
		n = get(opd)
		if n.Unread != 2 || n.Items[0].Message != "Disetujui: Bimbingan Teknis Kurikulum Merdeka" ||
			n.Items[1].Message != "Dikembalikan untuk perbaikan: Seminar Literasi Digital" {
			t.Errorf("OPD's notifications: %+v", n)
		}
		if n := get(peg); n.Unread != 1 || n.Items[0].Link != "/usulan/1" {
			t.Errorf("participant's notifications: %+v", n)
		}
		if n := get(tok[domain.RoleAdmin]); n.Unread != 0 || len(n.Items) != 0 {
			t.Errorf("admin's notifications: %+v", n)
		}
	})
}
