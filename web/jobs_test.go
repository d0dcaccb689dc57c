package web

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/jobs"
	"github.com/sertika/sertika/internal/testdb"
)

// userActor returns the actor of a fixture account.
func (ts *testServer) userActor(username string) domain.Actor {
	ts.t.Helper()
	var u domain.User
	if err := ts.db.Gorm.Where("username = ?", username).Take(&u).Error; err != nil {
		ts.t.Fatal(err)
	}
	return u.Actor()
}

// TestJobPages follows a background job from its progress page to its download, and checks
// that nobody but its owner (and administrators) can see it.
func TestJobPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ts := newTestServer(t, db)
		owner := ts.userActor(testUsers[domain.RolePenandatangan])
		release := make(chan struct{})
		file := filepath.Join(t.TempDir(), "x.zip")
		snap, _, err := ts.srv.Jobs.Start(owner, "t", "zip", "Unduh semua PDF", func(ctx context.Context, p *jobs.Progress) (jobs.Result, error) {
			p.Phase("Menyusun PDF", 200)
			p.Update(50, 200)
			<-release
			return jobs.Result{Message: "200 PDF siap.", File: file, FileName: "sertifikat.zip", ContentType: "application/zip"},
				os.WriteFile(file, []byte("PK-zip"), 0o600)
		})
		if err != nil {
			t.Fatal(err)
		}
		b := ts.login(testUsers[domain.RolePenandatangan])
		var resp *http.Response
		var body string
		for i := 0; ; i++ {
			resp, body = b.get("/tugas/" + snap.ID)
			if strings.Contains(body, "50 dari 200") || i == 500 {
				break
			}
		}
		if resp.StatusCode != 200 || !strings.Contains(body, `value="25"`) || !strings.Contains(body, "Menyusun PDF") ||
			!strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, "/static/tugas.js") {
			t.Fatalf("running page: %d %s", resp.StatusCode, body)
		}
		// Another signed-in user (even BKPSDM) does not see it; an administrator does.
		if resp, _ := ts.login(testUsers[domain.RoleVerifikator]).get("/tugas/" + snap.ID); resp.StatusCode != 404 {
			t.Fatalf("other user: %d", resp.StatusCode)
		}
		if resp, _ := ts.login(testUsers[domain.RoleAdmin]).get("/tugas/" + snap.ID + "/status"); resp.StatusCode != 200 {
			t.Fatalf("admin: %d", resp.StatusCode)
		}
		if resp, _ := b.get("/tugas/" + snap.ID + "/unduh"); resp.StatusCode != 409 {
			t.Fatalf("download before done: %d", resp.StatusCode)
		}
		close(release)
		if _, err := ts.srv.Jobs.Wait(context.Background(), owner, snap.ID); err != nil {
			t.Fatal(err)
		}
		resp, body = b.get("/tugas/" + snap.ID + "/status")
		var got jobs.Snapshot
		if err := json.Unmarshal([]byte(body), &got); err != nil || got.State != jobs.Done || got.Percent != 100 ||
			got.Download != "/tugas/"+snap.ID+"/unduh" || got.Message != "200 PDF siap." {
			t.Fatalf("status: %d %s", resp.StatusCode, body)
		}
		resp, body = b.get("/tugas/" + snap.ID)
		if strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, `id="tugas-unduh"`) {
			t.Fatalf("finished page: %s", body)
		}
		resp, body = b.get("/tugas/" + snap.ID + "/unduh")
		if resp.StatusCode != 200 || body != "PK-zip" || resp.Header.Get("Content-Type") != "application/zip" ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "sertifikat.zip") {
			t.Fatalf("download: %d %v %q", resp.StatusCode, resp.Header, body)
		}
		// Through the API, with the API's download address.
		tok := ts.apiToken(testUsers[domain.RolePenandatangan])
		resp, body = ts.api("GET", "/api/v1/jobs/"+snap.ID, tok, "")
		if resp.StatusCode != 200 || !strings.Contains(body, `"download":"/api/v1/jobs/`+snap.ID+`/download"`) {
			t.Fatalf("api: %d %s", resp.StatusCode, body)
		}
		if resp, _ := ts.api("GET", "/api/v1/jobs/"+snap.ID, ts.apiToken(testUsers[domain.RoleOPD]), ""); resp.StatusCode != 404 {
			t.Fatalf("api other user: %d", resp.StatusCode)
		}
	})
}
