package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/jobs"
)

// Tests of the employee import as a background job (web/pages_import.go): progress, the
// report page with the refused rows and paging, the CSV report, and who may see it. The
// small cases (dry run, rejected row, committed import, file problems) are TestImportPage's.

// manyEmployeesCSV returns a file of n new employees of DISDIK, valid except the rows whose
// index is in bad, which name an unknown OPD.
func manyEmployeesCSV(n int, bad ...int) []byte {
	rows := make([]string, n)
	for i := range rows {
		opd := "DISDIK"
		for _, b := range bad {
			if i == b {
				opd = "TIDAKADA"
			}
		}
		nip := fmt.Sprintf("199203%02d2019031%03d", 10+i/500, i%500+1)
		rows[i] = fmt.Sprintf("%s,Pegawai Uji %04d,,,PNS,%s,Pengadministrasi Umum,pelaksana,,,40", nip, i+1, opd)
	}
	return employeeCSV(rows...)
}

func TestImportJob(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		admin := ts.login(testUsers[domain.RoleAdmin])

		// 1,100 rows, three refused: nothing is written, the report pages through every row
		// and lists the refused ones first.
		resp, _ := admin.postMultipart("/impor/pegawai", nil, upload{"berkas", "banyak.csv", manyEmployeesCSV(1100, 7, 407, 1099)})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/tugas/") {
			t.Fatalf("upload = %d %q", resp.StatusCode, loc)
		}
		id := strings.TrimPrefix(loc, "/tugas/")
		snap := ts.waitJob(id)
		if snap.State != jobs.Done || snap.Kind != "import" || snap.Total != 1100 || snap.Done != 1100 || snap.Percent != 100 ||
			snap.URL != "/impor/pegawai/hasil/"+id || snap.Download != "/tugas/"+id+"/unduh" ||
			!strings.Contains(snap.Message, "3 baris ditolak") || !strings.Contains(snap.Title, "banyak.csv") {
			t.Fatalf("job = %+v", snap)
		}
		_, body := admin.get(loc)
		wantPage(t, "job page", &http.Response{StatusCode: 200}, body, 200, `href="/impor/pegawai/hasil/`+id+`"`, `id="tugas-unduh"`, "3 baris ditolak")

		page := "/impor/pegawai/hasil/" + id
		resp, body = admin.get(page)
		wantPage(t, "report", resp, body, 200, "Tidak ada data yang disimpan karena 3 baris ditolak", "1.100 baris data",
			`id="tabel-ditolak"`, "Pegawai Uji 0008", "Pegawai Uji 0408", "Pegawai Uji 1100", "TIDAKADA",
			"Baris data 1–500 (halaman 1 dari 3)", `href="`+page+`?hal=2#rincian"`, `href="/tugas/`+id+`/unduh"`)
		rejectedTable := body[strings.Index(body, `id="tabel-ditolak"`):strings.Index(body, `id="tabel-rincian"`)]
		if n := strings.Count(rejectedTable, `<tr class="rejected">`); n != 3 {
			t.Errorf("refused rows listed = %d, want 3", n)
		}
		if strings.Contains(body, "Pegawai Uji 0501") {
			t.Errorf("page 1 shows row 501")
		}
		_, body = admin.get(page + "?hal=3")
		wantPage(t, "report page 3", &http.Response{StatusCode: 200}, body, 200, "Baris data 1.001–1.100 (halaman 3 dari 3)",
			"Pegawai Uji 1001", "Pegawai Uji 1100", `href="`+page+`?hal=2#rincian"`)
		if _, body = admin.get(page + "?hal=99"); !strings.Contains(body, "(halaman 1 dari 3)") {
			t.Errorf("a page out of range does not fall back to the first")
		}
		var n int64
		ts.db.Gorm.Raw(`SELECT COUNT(*) FROM employees WHERE name LIKE 'Pegawai Uji%'`).Scan(&n)
		if n != 0 {
			t.Fatalf("a refused import wrote %d employees", n)
		}

		// The full report as CSV, the job's file.
		resp, body = admin.get("/tugas/" + id + "/unduh")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(body, "\ufeffbaris,nip,nama,hasil,kolom,keterangan") || strings.Count(body, "\n") != 1101 ||
			strings.Count(body, ",ditolak,") != 3 {
			t.Errorf("CSV report = %d %s, %d lines", resp.StatusCode, resp.Header.Get("Content-Type"), strings.Count(body, "\n"))
		}

		// Only administrators open reports; an unknown or forgotten one is a 404.
		for _, role := range []domain.Role{domain.RoleVerifikator, domain.RoleOPD, domain.RolePegawai} {
			if resp, _ := ts.login(testUsers[role]).get(page); resp.StatusCode != 403 {
				t.Errorf("%s opens the report: %d", role, resp.StatusCode)
			}
		}
		if resp, body := admin.get("/impor/pegawai/hasil/0123456789abcdef01234567"); resp.StatusCode != 404 || !strings.Contains(body, "satu jam") {
			t.Errorf("unknown report = %d", resp.StatusCode)
		}
		ts.srv.importReports.drop(id)
		if resp, _ := admin.get(page); resp.StatusCode != 404 {
			t.Errorf("forgotten report = %d", resp.StatusCode)
		}

		// The same file without the refused rows is written, with progress to the end.
		resp, body = admin.followJob(admin.postMultipart("/impor/pegawai", url.Values{}, upload{"berkas", "banyak.csv", manyEmployeesCSV(1100)}))
		wantPage(t, "committed", resp, body, 200, "Data telah disimpan: 1.100 pegawai ditambahkan, 0 diperbarui, 0 tidak berubah")
		if strings.Contains(body, `id="tabel-ditolak"`) {
			t.Errorf("a committed report lists refused rows")
		}
		ts.db.Gorm.Raw(`SELECT COUNT(*) FROM employees WHERE name LIKE 'Pegawai Uji%'`).Scan(&n)
		if n != 1100 {
			t.Errorf("employees written = %d, want 1100", n)
		}

		// A file the importer cannot read ends the job; its page says why.
		resp, body = admin.followJob(admin.postMultipart("/impor/pegawai", nil, upload{"berkas", "x.csv", []byte("nama,kota\nA,B\n")}))
		wantPage(t, "unreadable", resp, body, 200, "Gagal", "nip")
	})
}
