package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/jobs"
)

// hukdisCSV builds a penalty file with the full header.
func hukdisCSV(rows ...string) []byte {
	return []byte("nip,tingkat,tanggal_mulai,jenis,nomor_sk\n" + strings.Join(rows, "\n") + "\n")
}

// runFactJob posts a fact import form and waits for its job; it returns the finished job.
func runFactJob(t *testing.T, ts *testServer, b *browser, kind string, fields url.Values, file []byte) jobs.Snapshot {
	t.Helper()
	resp, body := b.postMultipart("/impor/"+kind, fields, upload{"berkas", kind + ".csv", file})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/tugas/") {
		t.Fatalf("upload %s: %d %s %s", kind, resp.StatusCode, loc, body)
	}
	id := strings.TrimPrefix(loc, "/tugas/")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	snap, err := ts.srv.Jobs.Wait(ctx, ts.userActor(testUsers[domain.RoleAdmin]), id)
	if err != nil {
		t.Fatal(err)
	}
	// The progress page shows the outcome and the way onward.
	_, page := b.get(loc)
	if snap.State != jobs.Done || !strings.Contains(page, `id="tugas-lanjut" href="`+snap.URL+`"`) || !strings.Contains(page, `id="tugas-unduh"`) {
		t.Fatalf("job %s: %+v\n%s", kind, snap, page)
	}
	return snap
}

func countRows(t *testing.T, ts *testServer, table string) int64 {
	t.Helper()
	var n int64
	if err := ts.db.Gorm.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFactImportPages(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		b := ts.login(testUsers[domain.RoleAdmin])

		// The form: tabs between the four imports, the templates, the dry-run option.
		resp, body := b.get("/impor/hukdis")
		wantPage(t, "form", resp, body, 200, `<h1>Impor data hukuman disiplin</h1>`, `href="/impor/hukdis" aria-current="page"`,
			`href="/impor/pegawai"`, `href="/impor/skp"`, `href="/impor/pengembangan"`, `name="_csrf"`, `name="dry_run"`, "Periksa saja",
			`href="/impor/hukdis/templat.xlsx"`, `href="/impor/hukdis/templat.csv"`, "<code>nomor_sk</code>", "Ukuran paling besar 2 MB")
		resp, body = b.get("/impor/pegawai")
		wantPage(t, "employee form", resp, body, 200, `href="/impor/pegawai" aria-current="page"`, `href="/impor/pengembangan"`)

		// Problems with the upload itself stay on the form.
		resp, body = b.postMultipart("/impor/hukdis", url.Values{"dry_run": {"1"}})
		wantPage(t, "no file", resp, body, 400, "Pilih berkas CSV atau XLSX", `checked`)
		resp, body = b.postMultipart("/impor/hukdis", nil, upload{"berkas", "besar.csv", bytes.Repeat([]byte("x"), 2<<20+10)})
		wantPage(t, "too large", resp, body, 413, "Berkas terlalu besar (2.0 MB): batasnya 2 MB")
		// Without a CSRF token nothing starts.
		resp, _ = b.postMultipart("/impor/hukdis", url.Values{"_csrf": {"salah"}}, upload{"berkas", "h.csv", hukdisCSV()})
		if resp.StatusCode != 403 {
			t.Errorf("bad CSRF token: %d", resp.StatusCode)
		}

		// Refused rows: nothing is written; the report lists row, column and reason.
		snap := runFactJob(t, ts, b, "hukdis", nil, hukdisCSV(nipB1+",X,2024-01-31,,", nipA1+",R,31-02-2024,,", nipA2+",S,2024-01-31,,"))
		if !strings.Contains(snap.Message, "2 baris ditolak") || !strings.HasPrefix(snap.URL, "/impor/hukdis/hasil/") {
			t.Fatalf("snapshot %+v", snap)
		}
		if n := countRows(t, ts, "disciplinary_penalties"); n != 0 {
			t.Fatalf("%d penalties written", n)
		}
		resp, body = b.get(snap.URL)
		wantPage(t, "result", resp, body, 200, `id="import-outcome"`, "2 baris ditolak", `id="baris-ditolak"`,
			`<td data-label="Baris">2</td>`, `<code>tingkat</code>`, `Tingkat hukuman disiplin &#34;X&#34; tidak dikenal`,
			`<td data-label="Baris">3</td>`, `<code>tanggal_mulai</code>`, "Budi Santoso", `href="`+snap.URL+`/laporan.csv"`)
		if strings.Contains(body, `<td data-label="Baris">4</td>`) {
			t.Error("an accepted row is listed among the refused")
		}
		resp, body = b.get(snap.URL + "/laporan.csv")
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if resp.StatusCode != 200 || err != nil || len(recs) != 4 || strings.Join(recs[0], ",") != "baris,nip,nama,hasil,kolom,keterangan" ||
			recs[1][4] != "tingkat" || recs[2][4] != "tanggal_mulai" || recs[3][3] != "dibuat" {
			t.Errorf("report CSV: %d %v %q", resp.StatusCode, err, recs)
		}
		if resp, _ := b.get("/tugas/" + snap.ID + "/unduh"); resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "laporan-impor-hukdis-") {
			t.Errorf("job download: %d %v", resp.StatusCode, resp.Header)
		}
		// A report is found only under its own kind.
		if resp, _ := b.get(strings.Replace(snap.URL, "/hukdis/", "/skp/", 1)); resp.StatusCode != 404 {
			t.Errorf("report under another kind: %d", resp.StatusCode)
		}

		// A dry run writes nothing; the real import writes and rescores in the same step.
		start := domain.NewDate(ts.db.Now().Year(), 1, 2).Format("02-01-2006")
		good := hukdisCSV(nipB1 + ",B," + start + ",Penurunan jabatan,800/1/BKPSDM")
		snap = runFactJob(t, ts, b, "hukdis", url.Values{"dry_run": {"1"}}, good)
		if !strings.Contains(snap.Message, "Uji coba selesai") || countRows(t, ts, "disciplinary_penalties") != 0 {
			t.Errorf("dry run: %+v", snap)
		}
		_, body = b.get(snap.URL)
		wantPage(t, "dry-run result", &http.Response{StatusCode: 200}, body, 200, "Hasil impor (uji coba)", "akan ditambahkan")
		snap = runFactJob(t, ts, b, "hukdis", nil, good)
		if !strings.Contains(snap.Message, "Data telah disimpan") || countRows(t, ts, "disciplinary_penalties") != 1 {
			t.Fatalf("import: %+v", snap)
		}
		var empID int64
		ts.db.Gorm.Raw("SELECT id FROM employees WHERE nip = ?", nipB1).Scan(&empID)
		var stored int64
		ts.db.Gorm.Raw("SELECT count(*) FROM scores WHERE employee_id = ? AND year = ?", empID, ts.db.Now().Year()).Scan(&stored)
		sc, err := ts.srv.Scoring.EmployeeScore(context.Background(), empID, ts.db.Now().Year())
		if err != nil || stored != 1 || sc.Disiplin != 1 {
			t.Errorf("score after a heavy penalty: stored %d, disiplin %v (%v)", stored, sc.Disiplin, err)
		}
		// The form lists the recent reports.
		_, body = b.get("/impor/hukdis")
		if strings.Count(body, `href="/impor/hukdis/hasil/`) != 3 {
			t.Errorf("recent reports:\n%s", body)
		}

		// Templates.
		resp, body = b.get("/impor/pengembangan/templat.csv")
		if resp.StatusCode != 200 || !strings.HasPrefix(body, "\ufeffnip,kode_jenis,tingkat,nama,jumlah_jp,tanggal_mulai,tanggal_selesai,penyelenggara,nomor_sertifikat\r\n") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "templat-impor-pengembangan.csv") {
			t.Errorf("CSV template: %d %q", resp.StatusCode, body)
		}
		resp, body = b.get("/impor/skp/templat.xlsx")
		if resp.StatusCode != 200 || !strings.HasPrefix(body, "PK\x03\x04") || resp.Header.Get("Content-Type") != mimeXLSX {
			t.Errorf("XLSX template: %d %v", resp.StatusCode, resp.Header)
		}
	})
}

func TestFactImportAPI(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		doc := loadOpenAPI(t)
		admin := ts.apiToken(testUsers[domain.RoleAdmin])
		skp := func(rows ...string) []byte {
			return []byte("nip;tahun;nilai;predikat\n" + strings.Join(rows, "\n") + "\n")
		}
		post := func(path, token string, data []byte, status int) map[string]any {
			t.Helper()
			resp, body := ts.apiUpload(path, token, upload{"file", "skp.csv", data})
			if resp.StatusCode != status {
				t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Fatalf("%s: %s", path, body)
			}
			schema := "#/components/schemas/ImportReport"
			if status >= 400 && status != 422 {
				schema = "#/components/schemas/Error"
			}
			for _, e := range shapeErrors(t, doc, map[string]any{"$ref": schema}, v, "body") {
				t.Errorf("%s: %s", path, e)
			}
			return v
		}
		year := fmt.Sprint(ts.db.Now().Year() - 1)
		v := post("/api/v1/imports/skp?dry_run=true", admin, skp(nipA1+";"+year+";;Sangat Baik", nipB1+";"+year+";88,5;"), 200)
		if v["committed"] != false || v["dry_run"] != true || v["created"] != 2.0 || countRows(t, ts, "skp_results") != 0 {
			t.Errorf("dry run: %v", v)
		}
		v = post("/api/v1/imports/skp", admin, skp(nipA1+";"+year+";;hebat", nipB1+";"+year+";88,5;"), 422)
		row := v["rows"].([]any)[0].(map[string]any)
		problems, _ := row["problems"].([]any)
		if row["action"] != "rejected" || len(problems) != 1 || problems[0].(map[string]any)["column"] != "predikat" {
			t.Errorf("rejected row: %v", row)
		}
		if _, ok := v["rows"].([]any)[1].(map[string]any)["problems"]; ok {
			t.Errorf("accepted row has problems: %v", v["rows"])
		}
		v = post("/api/v1/imports/skp", admin, skp(nipA1+";"+year+";;sangat_baik"), 200)
		if v["committed"] != true || countRows(t, ts, "skp_results") != 1 {
			t.Errorf("import: %v", v)
		}
		post("/api/v1/imports/skp", ts.apiToken(testUsers[domain.RoleVerifikator]), skp(), 403)
		post("/api/v1/imports/skp", "", skp(), 401)
		post("/api/v1/imports/pengembangan", admin, []byte("nip,nama\n"+nipA1+",x\n"), 400) // missing columns
		post("/api/v1/imports/hukdis?dry_run=mungkin", admin, hukdisCSV(), 400)
		if resp, body := ts.api("POST", "/api/v1/imports/hukdis", admin, `{}`); resp.StatusCode != 400 || !strings.Contains(body, `kolom \"file\"`) {
			t.Errorf("no file: %d %s", resp.StatusCode, body)
		}

		for _, tc := range []struct {
			query, ctype string
			status       int
		}{
			{"", mimeCSV, 200}, {"?format=csv", mimeCSV, 200}, {"?format=xlsx", mimeXLSX, 200}, {"?format=pdf", "application/json", 400},
		} {
			resp, _ := ts.api("GET", "/api/v1/imports/pengembangan/template"+tc.query, admin, "")
			if resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) {
				t.Errorf("template%s: %d %s", tc.query, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		}
	})
}

// siasnCSVRows reads an export's CSV body.
func siasnCSVRows(t *testing.T, body string) [][]string {
	t.Helper()
	if !strings.HasPrefix(body, "\ufeffnip,nama,jenis_diklat,") {
		t.Fatalf("not a SIASN CSV: %q", body[:min(len(body), 80)])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestExportSIASNWeb(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		f := ts.acIssued(t)
		year := ts.wibToday().Year()
		export := func(token, query string, status int) (*http.Response, string) {
			t.Helper()
			resp, body := ts.acGetRaw("/api/v1/certificates/export/siasn"+query, token)
			if resp.StatusCode != status {
				t.Fatalf("export %s: %d %s", query, resp.StatusCode, body)
			}
			return resp, body
		}
		numbers := func(recs [][]string) string {
			var out []string
			for _, r := range recs[1:] {
				out = append(out, r[11]+"/"+r[12])
			}
			return strings.Join(out, " ")
		}
		a1, a3 := f.a1.Number+"/berlaku", f.a3.Number+"/berlaku"
		for _, tc := range []struct {
			role  domain.Role
			query string
			want  string
		}{
			{domain.RoleAdmin, "", a1 + " " + a3},
			{domain.RoleVerifikator, fmt.Sprintf("?year=%d&opd=DISDIK", year), a1 + " " + a3},
			{domain.RolePenandatangan, fmt.Sprintf("?year=%d", year-1), ""},
			{domain.RoleOPD, "?format=csv", a1 + " " + a3},
			{domain.RoleOPD, "?opd=DINKES", ""},
			{domain.RolePegawai, "", a1},
		} {
			_, body := export(f.tok[tc.role], tc.query, 200)
			if got := numbers(siasnCSVRows(t, body)); got != tc.want {
				t.Errorf("%s %s: %q, want %q", tc.role, tc.query, got, tc.want)
			}
		}
		// One row in full.
		_, body := export(f.tok[domain.RolePegawai], "", 200)
		row := siasnCSVRows(t, body)[1]
		c := ts.getCert(t, f.a1.ID, f.tok[domain.RoleAdmin])
		siasnDate := func(iso string) string {
			d, err := domain.ParseDate(iso)
			if err != nil {
				t.Fatal(err)
			}
			return d.Format("02-01-2006")
		}
		if row[0] != nipA1 || row[1] != c.HolderName || row[2] != "3" || row[5] != acTitle || row[6] != "24" ||
			row[7] != siasnDate(c.StartDate) || row[8] != siasnDate(c.EndDate) || c.Kind != "teknis" {
			t.Errorf("row = %q (certificate %+v)", row, c)
		}
		export("", "", 401)
		export(f.tok[domain.RoleAdmin], "?format=pdf", 400)
		export(f.tok[domain.RoleAdmin], "?year=26", 400)
		export(f.tok[domain.RoleAdmin], "?include_revoked=kadang", 400)

		// Revoked certificates stay out unless asked for.
		ts.call(t, "POST", "/api/v1/certificates/"+f.a3.ID+"/revoke", f.tok[domain.RolePenandatangan], `{"reason":"withdrawn","note":"Ditarik."}`, 200)
		_, body = export(f.tok[domain.RoleAdmin], "", 200)
		if got := numbers(siasnCSVRows(t, body)); got != a1 {
			t.Errorf("after revocation: %q", got)
		}
		_, body = export(f.tok[domain.RoleAdmin], "?include_revoked=true", 200)
		if got := numbers(siasnCSVRows(t, body)); got != a1+" "+f.a3.Number+"/dicabut" {
			t.Errorf("with revoked: %q", got)
		}

		// XLSX through the API and the page; the button on the certificate list.
		resp, body := export(f.tok[domain.RoleAdmin], "?format=xlsx", 200)
		if resp.Header.Get("Content-Type") != mimeXLSX || !strings.Contains(resp.Header.Get("Content-Disposition"), `filename="sertifikat-siasn.xlsx"`) {
			t.Errorf("XLSX headers: %v", resp.Header)
		}
		b := ts.login(testUsers[domain.RoleVerifikator])
		resp, page := b.get(fmt.Sprintf("/sertifikat?tahun=%d&opd=DISDIK", year))
		wantPage(t, "list", resp, page, 200, fmt.Sprintf(`href="/sertifikat/ekspor-siasn?format=xlsx&amp;tahun=%d&amp;opd=DISDIK"`, year),
			fmt.Sprintf(`href="/sertifikat/ekspor-siasn?format=csv&amp;tahun=%d&amp;opd=DISDIK"`, year))
		resp, body = b.get(fmt.Sprintf("/sertifikat/ekspor-siasn?format=xlsx&tahun=%d&opd=DISDIK", year))
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), fmt.Sprintf(`filename="sertifikat-siasn-%d-DISDIK.xlsx"`, year)) {
			t.Fatalf("page export: %d %v", resp.StatusCode, resp.Header)
		}
		x, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows, err := x.GetRows("Riwayat Kursus")
		if err != nil || len(rows) != 2 || rows[1][0] != nipA1 || rows[1][11] != f.a1.Number {
			t.Errorf("page XLSX: %q %v", rows, err)
		}
		resp, body = ts.login(testUsers[domain.RolePegawai]).get("/sertifikat/ekspor-siasn")
		if resp.StatusCode != 200 || len(siasnCSVRows(t, body)) != 2 {
			t.Errorf("pegawai page export: %d %s", resp.StatusCode, body)
		}
		if resp, body := b.get("/sertifikat/ekspor-siasn?tahun=abc"); resp.StatusCode != 400 || !strings.Contains(body, "Tahun harus empat angka") {
			t.Errorf("bad year: %d", resp.StatusCode)
		}
	})
}
