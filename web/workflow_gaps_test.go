package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/issuer"
)

// Web-side tests of the smaller workflow rules of issue 3 (the services' own tests are in
// issuer/requests_gaps_test.go): a report before the activity's last day is refused with
// its reason on the page and in the API.

// activityEndsToday moves a request's activity so that today (WIB) is its last day, keeping
// its length. Tests on the real clock call it before a realisation report, which is refused
// before the last day; a test with a fake clock moves the clock instead (cpToLastDay).
func (ts *testServer) activityEndsToday(t testing.TB, id int64) {
	t.Helper()
	var r issuer.Request
	if err := ts.db.Gorm.Where("id = ?", id).Take(&r).Error; err != nil {
		t.Fatalf("request %d: %v", id, err)
	}
	end := ts.wibToday()
	start := domain.Date{Time: end.AddDate(0, 0, -(r.StartDate.Days(r.EndDate) - 1))}
	if err := ts.db.Gorm.Model(&issuer.Request{}).Where("id = ?", id).
		Updates(map[string]any{"start_date": start, "end_date": end}).Error; err != nil {
		t.Fatalf("move activity of request %d: %v", id, err)
	}
}

func TestReportBeforeLastDay(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		rev := ts.apiToken(testUsers[domain.RoleVerifikator])
		ts.act(t, "POST", reqPath(1, "approve"), rev, "", 200)
		end := ts.rpGet(1).Request.EndDate
		months := []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
		want := fmt.Sprintf("Laporan realisasi baru dapat diajukan mulai hari terakhir kegiatan (%d %s %d)", end.Day(), months[end.Month()-1], end.Year())
		report := fmt.Sprintf(`{"participants":[{"nip":%q,"attended":true,"passed":true},{"nip":%q,"attended":true,"passed":true}]}`, nipA1, nipA2)

		opdTok := ts.apiToken(testUsers[domain.RoleOPD])
		resp, body := ts.api("POST", reqPath(1, "report"), opdTok, report)
		wantRefusal(t, "API report before the last day", resp, body, 400, "invalid", want)

		opd := ts.login(testUsers[domain.RoleOPD])
		form := url.Values{"rows": {"2"}, "nip_0": {nipA1}, "tercantum_0": {"1"}, "hadir_0": {"1"}, "lulus_0": {"1"},
			"nip_1": {nipA2}, "tercantum_1": {"1"}, "hadir_1": {"1"}, "lulus_1": {"1"}}
		resp, body = opd.postForm("/usulan/1/laporan", form)
		wantPage(t, "page report before the last day", resp, body, 400, want)
		if d := ts.rpGet(1); d.Request.State != issuer.StateApproved {
			t.Fatalf("state after refusals: %s", d.Request.State)
		}

		// On the last day itself the report is accepted.
		ts.activityEndsToday(t, 1)
		r := ts.act(t, "POST", reqPath(1, "report"), opdTok, report, 200)
		if r.State != "reported" || !strings.Contains(strings.Join(r.historyLines(), "\n"), "report approved→reported") {
			t.Errorf("report on the last day: %+v", r)
		}
	})
}
