package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/domain"
)

// ---- helpers ----

// upload is one file part of a multipart form.
type upload struct {
	field, name string
	data        []byte
}

// multipartBody encodes fields and files as multipart/form-data.
func multipartBody(tb testing.TB, fields url.Values, files ...upload) (string, *bytes.Buffer) {
	tb.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				tb.Fatal(err)
			}
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f.field, f.name)
		if err != nil {
			tb.Fatal(err)
		}
		fw.Write(f.data)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return w.FormDataContentType(), &buf
}

// postMultipart submits a multipart form (with the current CSRF token unless fields has one).
func (b *browser) postMultipart(path string, fields url.Values, files ...upload) (*http.Response, string) {
	b.ts.t.Helper()
	if fields == nil {
		fields = url.Values{}
	}
	if _, ok := fields["_csrf"]; !ok {
		fields.Set("_csrf", b.csrf)
	}
	ct, body := multipartBody(b.ts.t, fields, files...)
	req := httptest.NewRequest("POST", path, body)
	req.Header.Set("Content-Type", ct)
	return b.send(req)
}

// apiUpload sends a multipart API request with a bearer token.
func (ts *testServer) apiUpload(path, token string, files ...upload) (*http.Response, string) {
	ts.t.Helper()
	ct, body := multipartBody(ts.t, nil, files...)
	req := httptest.NewRequest("POST", path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return ts.do(req)
}

// pagesListen serves the app on a real loopback socket until the test ends and returns its
// base URL ("http://127.0.0.1:port").
func (ts *testServer) pagesListen(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := ts.srv.App.Listener(ln); err != nil {
			t.Logf("listener: %v", err)
		}
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ts.srv.Shutdown(ctx)
		<-done
	})
	return "http://" + ln.Addr().String()
}

// announceHugeBody sends only the head of a request whose Content-Length is over the body
// limit, as the browser's cookies allow, and returns the answer. fasthttp refuses such a
// request before reading its body — which app.Test reports as an error rather than a
// response — so this talks to a real socket.
func (b *browser) announceHugeBody(base, path string, length int) (*http.Response, string) {
	t := b.ts.t
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var cookies []string
	for k, v := range b.cookies {
		cookies = append(cookies, k+"="+v)
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: sertika.test\r\nAccept: text/html\r\nCookie: %s\r\n"+
		"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: %d\r\n\r\n", path, strings.Join(cookies, "; "), length)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("POST %s with a huge body: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// wantPage checks a response's status and that its body contains every string in want.
func wantPage(t *testing.T, what string, resp *http.Response, body string, status int, want ...string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s: status = %d, want %d", what, resp.StatusCode, status)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: body lacks %q", what, w)
		}
	}
}

// countOPDs counts OPD rows with the code.
func countOPDs(t *testing.T, ts *testServer, code string) int64 {
	t.Helper()
	var n int64
	if err := ts.db.Gorm.Model(&domain.OPD{}).Where("code = ?", code).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// employeeCSV builds an import file with the full header.
func employeeCSV(rows ...string) []byte {
	return []byte("nip,nama,gelar_depan,gelar_belakang,status,kode_opd,jabatan,jenis_jabatan,eselon,jf,tk_pendidikan\n" +
		strings.Join(rows, "\n") + "\n")
}

// NIPs not in the fixtures: two PNS and one PPPK.
const (
	nipNew1 = "199203152019031002"
	nipNew2 = "199312012020122001"
	nipNew3 = "199505052021212001"
)

var (
	rowNew1 = nipNew1 + ",Citra Lestari,,S.Kom.,PNS,DISDIK,Pranata Komputer,fungsional,,Pranata Komputer Ahli Pertama,40"
	rowNew2 = nipNew2 + ",Dewi Anggraini,,,PNS,DINKES,Pengadministrasi Umum,pelaksana,,,15"
	rowBad  = nipNew3 + ",Eko Prasetyo,,,PNS,DINKES,Perawat,pelaksana,,,30" // a PPPK number with status PNS
)

func pngLogo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < 8; i++ {
		img.Set(i, i, color.RGBA{R: 11, G: 83, B: 148, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ---- access per role ----

func TestPagesAccessByRole(t *testing.T) {
	all := []domain.Role{domain.RoleAdmin, domain.RoleVerifikator, domain.RolePenandatangan, domain.RoleOPD, domain.RolePegawai}
	adminOnly := []domain.Role{domain.RoleAdmin}
	bkpsdmAndOPD := []domain.Role{domain.RoleAdmin, domain.RoleVerifikator, domain.RolePenandatangan}
	cases := []struct {
		path    string
		allowed []domain.Role // the others get 403
	}{
		{"/", all},
		{"/opd", all},
		{"/opd/baru", adminOnly},
		{"/opd/DISDIK", all}, // the opd user's own OPD; the pegawai user works there
		{"/opd/DINKES", bkpsdmAndOPD},
		{"/opd/DISDIK/ubah", adminOnly},
		{"/pegawai", all},
		{"/pegawai?q=andi", all},
		{"/pegawai/" + nipA1, all},
		{"/pegawai/" + nipA2, append(bkpsdmAndOPD, domain.RoleOPD)},
		{"/pegawai/" + nipB1, bkpsdmAndOPD},
		{"/pengguna", adminOnly},
		{"/pengguna/baru", adminOnly},
		{"/pengguna/opd.disdik", adminOnly},
		{"/pengaturan", adminOnly},
		{"/impor/pegawai", adminOnly},
		{"/impor/pegawai/templat.csv", adminOnly},
		{"/impor/pegawai/templat.xlsx", adminOnly},
		{"/akun", all},
	}
	eachServer(t, func(t *testing.T, ts *testServer) {
		browsers := map[domain.Role]*browser{}
		for _, r := range all {
			browsers[r] = ts.login(testUsers[r])
		}
		anon := ts.newBrowser()
		for _, tc := range cases {
			resp, _ := anon.get(tc.path)
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/masuk?next=") {
				t.Errorf("anonymous GET %s = %d %q, want a redirect to /masuk", tc.path, resp.StatusCode, loc)
			}
			for _, r := range all {
				want := http.StatusForbidden
				for _, ok := range tc.allowed {
					if ok == r {
						want = http.StatusOK
					}
				}
				resp, body := browsers[r].get(tc.path)
				if resp.StatusCode != want {
					t.Errorf("%s GET %s = %d, want %d", r, tc.path, resp.StatusCode, want)
				}
				if want == http.StatusForbidden && !strings.Contains(body, "Akses ditolak") {
					t.Errorf("%s GET %s: 403 without the error page", r, tc.path)
				}
			}
		}
		// The current section is marked in the menu.
		_, body := browsers[domain.RoleAdmin].get("/pegawai")
		if !strings.Contains(body, `<a href="/pegawai" aria-current="page">`) || strings.Contains(body, `<a href="/opd" aria-current`) {
			t.Errorf("/pegawai: aria-current not on the Pegawai menu item")
		}
		// The administration menu is only for administrators.
		_, body = browsers[domain.RoleOPD].get("/")
		if strings.Contains(body, `href="/pengguna"`) || strings.Contains(body, `href="/impor/pegawai"`) {
			t.Errorf("opd dashboard links to administration pages")
		}
	})
}

func TestDashboardPerRole(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		cases := []struct {
			role      domain.Role
			want, not []string
		}{
			{domain.RoleAdmin, []string{"Pengaturan instansi belum lengkap", `href="/impor/pegawai"`, `href="/pengaturan"`, "Akun pengguna", "OPD aktif"}, nil},
			{domain.RoleVerifikator, []string{"Pegawai aktif", "OPD aktif", `href="/opd"`}, []string{"belum lengkap", "Akun pengguna"}},
			{domain.RolePenandatangan, []string{"Pegawai aktif", "OPD aktif"}, []string{"belum lengkap"}},
			{domain.RoleOPD, []string{"Dinas Pendidikan", `href="/pegawai?opd=DISDIK"`, "Pegawai aktif"}, []string{"OPD aktif"}},
			{domain.RolePegawai, []string{"Data kepegawaian Anda", "Dr. Andi Wijaya, S.Pd., M.Pd.", nipA1, "Kepala Sekolah", "S2"}, []string{"Pegawai aktif"}},
		}
		for _, tc := range cases {
			b := ts.login(testUsers[tc.role])
			resp, body := b.get("/")
			wantPage(t, string(tc.role)+" dashboard", resp, body, 200, tc.want...)
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("%s dashboard shows %q", tc.role, n)
				}
			}
		}
		// The opd dashboard counts its own OPD only: DISDIK has two employees.
		_, body := ts.login(testUsers[domain.RoleOPD]).get("/")
		if !strings.Contains(body, `<span class="num">2</span><span class="lbl">Pegawai aktif</span>`) {
			t.Errorf("opd dashboard does not count 2 employees")
		}
	})
}

// ---- OPDs ----

func TestOPDForms(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		admin := ts.login("admin")

		// Without the CSRF token nothing is written.
		resp, body := admin.postForm("/opd/baru", url.Values{"_csrf": {""}, "code": {"BAPPEDA"}, "name": {"Bappeda"}})
		wantPage(t, "create without CSRF", resp, body, 403, "CSRF")
		if n := countOPDs(t, ts, "BAPPEDA"); n != 0 {
			t.Fatalf("OPD written without a CSRF token")
		}

		// Bad input keeps what was typed.
		resp, body = admin.postForm("/opd/baru", url.Values{"code": {"BAPPEDA"}, "name": {"  "}, "parent": {"Pemkab Uji"}})
		wantPage(t, "create without name", resp, body, 400, "Nama OPD wajib diisi.", `value="BAPPEDA"`, `value="Pemkab Uji"`)
		resp, body = admin.postForm("/opd/baru", url.Values{"code": {"BAP PEDA"}, "name": {"Bappeda"}})
		wantPage(t, "create with a bad code", resp, body, 400, "Kode OPD hanya boleh")
		resp, body = admin.postForm("/opd/baru", url.Values{"code": {"DISDIK"}, "name": {"Dinas Lain"}})
		wantPage(t, "create a duplicate", resp, body, 409, "sudah dipakai", `value="Dinas Lain"`)

		// Created: redirect to the detail page with a confirmation.
		resp, _ = admin.postForm("/opd/baru", url.Values{"code": {"BAPPEDA"}, "name": {"Badan Perencanaan"}, "parent": {"Pemkab Uji"}})
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/opd/BAPPEDA" {
			t.Fatalf("create = %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body = admin.get("/opd/BAPPEDA")
		wantPage(t, "detail after create", resp, body, 200, "ditambahkan", "Badan Perencanaan", "Pemkab Uji", `href="/pegawai?opd=BAPPEDA"`)

		// HTML typed into a name is shown as text.
		resp, _ = admin.postForm("/opd/baru", url.Values{"code": {"XSS"}, "name": {"<script>alert(1)</script>"}})
		if resp.StatusCode != 303 {
			t.Fatalf("create XSS = %d", resp.StatusCode)
		}
		for _, p := range []string{"/opd/XSS", "/opd", "/opd/XSS/ubah", "/pegawai"} {
			_, body = admin.get(p)
			if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(body, "<script>alert(1)") {
				t.Errorf("%s: the OPD name is not escaped", p)
			}
		}

		// Edit: rename, change the code and deactivate (checkbox left unticked).
		resp, body = admin.get("/opd/BAPPEDA/ubah")
		wantPage(t, "edit form", resp, body, 200, `value="Badan Perencanaan"`, `name="active" value="1" checked`)
		resp, body = admin.postForm("/opd/BAPPEDA/ubah", url.Values{"code": {"DISDIK"}, "name": {"Bappeda"}})
		wantPage(t, "edit to a used code", resp, body, 409, "sudah dipakai", `value="Bappeda"`)
		resp, _ = admin.postForm("/opd/BAPPEDA/ubah", url.Values{"code": {"BAPPEDA2"}, "name": {"Bappeda Baru"}})
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/opd/BAPPEDA2" {
			t.Fatalf("edit = %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = admin.get("/opd")
		if !strings.Contains(body, "Bappeda Baru") || !strings.Contains(body, "Nonaktif") {
			t.Errorf("admin OPD list: the inactive OPD is missing or has no badge")
		}
		_, body = ts.login("verifikator").get("/opd")
		if strings.Contains(body, "Bappeda Baru") || !strings.Contains(body, "Dinas Kesehatan") {
			t.Errorf("verifikator OPD list shows inactive OPDs or misses active ones")
		}
		_, body = ts.login("opd.disdik").get("/opd")
		if strings.Contains(body, "Dinas Kesehatan") || !strings.Contains(body, "Dinas Pendidikan") {
			t.Errorf("opd user's OPD list is not limited to their OPD")
		}

		// Reactivate.
		resp, _ = admin.postForm("/opd/BAPPEDA2/ubah", url.Values{"code": {"BAPPEDA2"}, "name": {"Bappeda Baru"}, "active": {"1"}})
		if resp.StatusCode != 303 {
			t.Fatalf("reactivate = %d", resp.StatusCode)
		}
		if _, body = ts.login("verifikator").get("/opd"); !strings.Contains(body, "Bappeda Baru") {
			t.Errorf("reactivated OPD not listed for verifikator")
		}

		// Other roles cannot post the forms, even with a valid CSRF token.
		verif := ts.login("verifikator")
		resp, _ = verif.postForm("/opd/baru", url.Values{"code": {"HACK"}, "name": {"Hack"}})
		if resp.StatusCode != 403 || countOPDs(t, ts, "HACK") != 0 {
			t.Errorf("verifikator create = %d", resp.StatusCode)
		}
		resp, _ = verif.postForm("/opd/DINKES/ubah", url.Values{"code": {"DINKES"}, "name": {"Diubah"}})
		if resp.StatusCode != 403 {
			t.Errorf("verifikator edit = %d", resp.StatusCode)
		}
		resp, _ = admin.get("/opd/TIDAKADA")
		if resp.StatusCode != 404 {
			t.Errorf("unknown OPD = %d", resp.StatusCode)
		}
	})
}

// ---- employees ----

func TestEmployeeSearchAndPaging(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		admin := ts.login("admin")
		resp, body := admin.get("/pegawai?q=wija")
		wantPage(t, "search wija", resp, body, 200, "Andi Wijaya", "Menampilkan 1–1 dari 1 pegawai")
		if strings.Contains(body, "Budi Santoso") {
			t.Errorf("search wija shows Budi Santoso")
		}
		resp, body = admin.get("/pegawai?q=" + url.QueryEscape("19850505"))
		wantPage(t, "search by NIP", resp, body, 200, "Budi Santoso")
		if strings.Contains(body, "Andi Wijaya") {
			t.Errorf("search by NIP shows Andi Wijaya")
		}
		resp, body = admin.get("/pegawai?opd=DINKES")
		wantPage(t, "filter DINKES", resp, body, 200, "Budi Santoso", `<option value="DINKES" selected>`)
		if strings.Contains(body, "Andi Wijaya") {
			t.Errorf("filter DINKES shows Andi Wijaya")
		}
		resp, body = admin.get("/pegawai?q=tidak-ada-yang-cocok")
		wantPage(t, "no match", resp, body, 200, "Tidak ada pegawai yang cocok")
		resp, body = admin.get("/pegawai?q=" + strings.Repeat("a", 101))
		wantPage(t, "too long a search", resp, body, 400, "paling panjang 100 karakter")

		// 120 more employees in DISDIK: three pages of 50.
		var opd domain.OPD
		ts.db.Gorm.Where("code = ?", "DISDIK").Take(&opd)
		var emps []domain.Employee
		for i := 0; i < 120; i++ {
			emps = append(emps, domain.Employee{NIP: fmt.Sprintf("199001012020011%03d", i), Name: fmt.Sprintf("Pegawai Uji %03d", i),
				Status: "PNS", OPDID: opd.ID, PositionKind: "pelaksana", Active: true})
		}
		if err := ts.db.Gorm.Create(&emps).Error; err != nil {
			t.Fatal(err)
		}
		resp, body = admin.get("/pegawai?opd=DISDIK")
		wantPage(t, "page 1", resp, body, 200, "Menampilkan 1–50 dari 122 pegawai", `href="/pegawai?hal=2&amp;opd=DISDIK" rel="next"`)
		if strings.Contains(body, `rel="prev"`) {
			t.Errorf("page 1 has a previous link")
		}
		if n := strings.Count(body, `<td data-label="NIP"`); n != 50 {
			t.Errorf("page 1 shows %d rows, want 50", n)
		}
		resp, body = admin.get("/pegawai?opd=DISDIK&hal=2")
		wantPage(t, "page 2", resp, body, 200, "Menampilkan 51–100 dari 122", `rel="prev"`, `rel="next"`)
		resp, body = admin.get("/pegawai?opd=DISDIK&hal=3")
		wantPage(t, "page 3", resp, body, 200, "Menampilkan 101–122 dari 122", `href="/pegawai?hal=2&amp;opd=DISDIK" rel="prev"`)
		if strings.Contains(body, `rel="next"`) {
			t.Errorf("last page has a next link")
		}
		resp, body = admin.get("/pegawai?q=uji+11&hal=1")
		wantPage(t, "search with paging", resp, body, 200, "Pegawai Uji 110", "Menampilkan 1–10 dari 10")
		resp, _ = admin.get("/pegawai?hal=abc")
		if resp.StatusCode != 200 {
			t.Errorf("bad page number = %d, want the first page", resp.StatusCode)
		}

		// The opd user sees only their OPD and may not ask for another.
		opdUser := ts.login("opd.disdik")
		_, body = opdUser.get("/pegawai")
		if strings.Contains(body, "Budi Santoso") || !strings.Contains(body, "dari 122 pegawai") {
			t.Errorf("opd user's list is not limited to DISDIK")
		}
		resp, _ = opdUser.get("/pegawai?opd=DINKES")
		if resp.StatusCode != 403 {
			t.Errorf("opd user filtering on DINKES = %d, want 403", resp.StatusCode)
		}
		resp, body = opdUser.get("/pegawai/" + nipB1)
		wantPage(t, "opd user opens another OPD's employee", resp, body, 403, "Akses ditolak")
		resp, _ = opdUser.get("/opd/DINKES")
		if resp.StatusCode != 403 {
			t.Errorf("opd user opens /opd/DINKES = %d, want 403", resp.StatusCode)
		}

		// The employee sees only themself.
		peg := ts.login("pegawai.a1")
		_, body = peg.get("/pegawai")
		if !strings.Contains(body, "Andi Wijaya") || strings.Contains(body, "Siti Rahmawati") {
			t.Errorf("pegawai list is not limited to their own record")
		}

		// Detail page.
		resp, body = admin.get("/pegawai/" + nipA1)
		wantPage(t, "employee detail", resp, body, 200, "Dr. Andi Wijaya, S.Pd., M.Pd.", nipA1, "PNS", "Dinas Pendidikan",
			"Kepala Sekolah", "fungsional", "Guru Ahli Madya", "S2")
		resp, body = admin.get("/pegawai/" + nipA2)
		wantPage(t, "structural employee", resp, body, 200, "Siti Rahmawati, S.E.", "IV.a", "struktural", "S1")
		resp, _ = admin.get("/pegawai/199001012020011999")
		if resp.StatusCode != 404 {
			t.Errorf("unknown NIP = %d", resp.StatusCode)
		}
	})
}

// ---- users and own account ----

func TestUserAdminPages(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		admin := ts.login("admin")
		resp, body := admin.get("/pengguna")
		wantPage(t, "user list", resp, body, 200, "opd.disdik", "Operator/Pimpinan OPD", "Dinas Pendidikan", nipA1, "Aktif")

		resp, body = admin.get("/pengguna/baru")
		wantPage(t, "new user form", resp, body, 200, `<option value="DINKES">`, `name="password2"`, `<option value="pegawai" selected>`)

		good := url.Values{"username": {"budi.santoso"}, "display_name": {"Budi Santoso"}, "role": {"pegawai"},
			"nip": {nipB1}, "password": {"sandi-baru-123"}, "password2": {"sandi-baru-123"}}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for kk, vv := range good {
				f[kk] = append([]string(nil), vv...)
			}
			f.Set(k, v)
			return f
		}
		bad := []struct {
			name   string
			form   url.Values
			status int
			want   string
		}{
			{"mismatch", with("password2", "lain-sekali-123"), 400, "Konfirmasi kata sandi tidak sama"},
			{"bad username", with("username", "A"), 400, "Nama pengguna 3–64 karakter"},
			{"short password", func() url.Values { f := with("password", "pendek"); f.Set("password2", "pendek"); return f }(), 400, "minimal 8 karakter"},
			{"unknown role", with("role", "raja"), 400, "tidak dikenal"},
			{"unknown NIP", with("nip", "199001012020011999"), 400, "belum terdaftar"},
			{"opd without OPD", with("role", "opd"), 400, "Akun OPD harus terikat pada satu OPD"},
			{"duplicate", with("username", "admin"), 409, "sudah dipakai"},
		}
		for _, tc := range bad {
			resp, body := admin.postForm("/pengguna/baru", tc.form)
			wantPage(t, tc.name, resp, body, tc.status, tc.want, `value="Budi Santoso"`)
			if strings.Contains(body, "sandi-baru-123") {
				t.Errorf("%s: the password is echoed back", tc.name)
			}
		}

		resp, _ = admin.postForm("/pengguna/baru", good)
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/pengguna/budi.santoso" {
			t.Fatalf("create user = %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body = admin.get("/pengguna/budi.santoso")
		wantPage(t, "user detail", resp, body, 200, "ditambahkan", "Budi Santoso", nipB1, "Nonaktifkan akun", "belum pernah")

		// An OPD chosen before switching to another role is ignored (the field was hidden).
		resp, _ = admin.postForm("/pengguna/baru", url.Values{"username": {"verif2"}, "role": {"verifikator"}, "opd": {"DINKES"},
			"nip": {nipB1}, "password": {"sandi-baru-123"}, "password2": {"sandi-baru-123"}})
		if resp.StatusCode != 303 {
			t.Errorf("create verifikator with a stale OPD = %d", resp.StatusCode)
		}
		resp, _ = admin.postForm("/pengguna/baru", url.Values{"username": {"opd.dinkes"}, "role": {"opd"}, "opd": {"DINKES"},
			"password": {"sandi-baru-123"}, "password2": {"sandi-baru-123"}})
		if resp.StatusCode != 303 {
			t.Errorf("create opd user = %d", resp.StatusCode)
		}
		if _, body = admin.get("/pengguna/opd.dinkes"); !strings.Contains(body, "Dinas Kesehatan") {
			t.Errorf("opd user detail lacks the OPD")
		}

		// Reset the password: the new one works.
		resp, body = admin.postForm("/pengguna/budi.santoso/sandi", url.Values{"password": {"sandi-kedua-123"}, "password2": {"beda-123456"}})
		wantPage(t, "reset mismatch", resp, body, 400, "Konfirmasi kata sandi tidak sama")
		resp, _ = admin.postForm("/pengguna/budi.santoso/sandi", url.Values{"password": {"sandi-kedua-123"}, "password2": {"sandi-kedua-123"}})
		if resp.StatusCode != 303 {
			t.Fatalf("reset password = %d", resp.StatusCode)
		}
		b := ts.newBrowser()
		if resp, _ = b.postForm("/masuk", url.Values{"username": {"budi.santoso"}, "password": {"sandi-kedua-123"}}); resp.StatusCode != 303 {
			t.Errorf("login with the reset password = %d", resp.StatusCode)
		}
		if resp, body = b.get("/"); !strings.Contains(body, "Budi Santoso") {
			t.Errorf("new pegawai's dashboard lacks their record")
		}

		// Disable: the session ends and sign-in is refused; then enable again.
		resp, _ = admin.postForm("/pengguna/budi.santoso/status", url.Values{"active": {"0"}})
		if resp.StatusCode != 303 {
			t.Fatalf("disable = %d", resp.StatusCode)
		}
		if resp, _ = b.get("/"); resp.StatusCode != 303 {
			t.Errorf("disabled user's session still works: %d", resp.StatusCode)
		}
		_, body = ts.newBrowser().postForm("/masuk", url.Values{"username": {"budi.santoso"}, "password": {"sandi-kedua-123"}})
		if !strings.Contains(body, "dinonaktifkan") {
			t.Errorf("disabled user can sign in")
		}
		resp, body = admin.get("/pengguna/budi.santoso")
		wantPage(t, "disabled user detail", resp, body, 200, "dinonaktifkan", "Aktifkan kembali")
		_, body = admin.get("/pengguna")
		if !strings.Contains(body, "Nonaktif") {
			t.Errorf("user list lacks the inactive badge")
		}
		resp, _ = admin.postForm("/pengguna/budi.santoso/status", url.Values{"active": {"1"}})
		if resp.StatusCode != 303 {
			t.Fatalf("enable = %d", resp.StatusCode)
		}

		// Administrators cannot disable themselves; they may reset their own password and stay signed in.
		resp, body = admin.postForm("/pengguna/admin/status", url.Values{"active": {"0"}})
		wantPage(t, "disable self", resp, body, 400, "tidak dapat menonaktifkan akun Anda sendiri")
		resp, _ = admin.postForm("/pengguna/admin/sandi", url.Values{"password": {"admin-baru-123"}, "password2": {"admin-baru-123"}})
		if resp.StatusCode != 303 {
			t.Fatalf("reset own password = %d", resp.StatusCode)
		}
		if resp, _ = admin.get("/pengguna"); resp.StatusCode != 200 {
			t.Errorf("after resetting their own password the admin was signed out: %d", resp.StatusCode)
		}

		resp, _ = admin.get("/pengguna/tidak.ada")
		if resp.StatusCode != 404 {
			t.Errorf("unknown user = %d", resp.StatusCode)
		}
		// Non-administrators cannot post user forms.
		resp, _ = ts.login("kepala").postForm("/pengguna/opd.disdik/status", url.Values{"active": {"0"}})
		if resp.StatusCode != 403 {
			t.Errorf("penandatangan disables a user = %d", resp.StatusCode)
		}
	})
}

func TestAccountPage(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		b := ts.login("opd.disdik")
		resp, body := b.get("/akun")
		wantPage(t, "account", resp, body, 200, "opd.disdik", "Operator/Pimpinan OPD", "Dinas Pendidikan", "DISDIK", `name="old_password"`)
		_, body = ts.login("pegawai.a1").get("/akun")
		if !strings.Contains(body, `href="/pegawai/`+nipA1+`"`) {
			t.Errorf("pegawai account page lacks their NIP link")
		}

		resp, body = b.postForm("/akun/sandi", url.Values{"old_password": {"salah-123456"}, "new_password": {"sandi-baru-123"}, "new_password2": {"sandi-baru-123"}})
		wantPage(t, "wrong old password", resp, body, 400, "Kata sandi lama salah.")
		resp, body = b.postForm("/akun/sandi", url.Values{"old_password": {testPassword}, "new_password": {"sandi-baru-123"}, "new_password2": {"sandi-lain-123"}})
		wantPage(t, "mismatch", resp, body, 400, "Konfirmasi kata sandi tidak sama")
		resp, body = b.postForm("/akun/sandi", url.Values{"old_password": {testPassword}, "new_password": {"pendek"}, "new_password2": {"pendek"}})
		wantPage(t, "too short", resp, body, 400, "minimal 8 karakter")
		resp, _ = b.postForm("/akun/sandi", url.Values{"_csrf": {""}, "old_password": {testPassword}, "new_password": {"sandi-baru-123"}, "new_password2": {"sandi-baru-123"}})
		if resp.StatusCode != 403 {
			t.Errorf("change without CSRF = %d", resp.StatusCode)
		}

		resp, _ = b.postForm("/akun/sandi", url.Values{"old_password": {testPassword}, "new_password": {"sandi-baru-123"}, "new_password2": {"sandi-baru-123"}})
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/akun" {
			t.Fatalf("change password = %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body = b.get("/akun")
		wantPage(t, "still signed in", resp, body, 200, "Kata sandi Anda telah diganti")
		nb := ts.newBrowser()
		if resp, _ = nb.postForm("/masuk", url.Values{"username": {"opd.disdik"}, "password": {"sandi-baru-123"}}); resp.StatusCode != 303 {
			t.Errorf("login with the new password = %d", resp.StatusCode)
		}
		if _, body = ts.newBrowser().postForm("/masuk", url.Values{"username": {"opd.disdik"}, "password": {testPassword}}); !strings.Contains(body, "salah") {
			t.Errorf("the old password still works")
		}
	})
}

// ---- agency settings ----

func TestAgencySettings(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		admin := ts.login("admin")
		resp, _ := admin.get("/pengaturan/logo")
		if resp.StatusCode != 404 {
			t.Errorf("logo before upload = %d, want 404", resp.StatusCode)
		}
		fields := func() url.Values {
			return url.Values{"name": {"Pemerintah Kabupaten Uji"}, "bkpsdm_name": {"BKPSDM Kabupaten Uji"}, "address": {"Jl. Merdeka No. 1"},
				"city": {"Sukamaju"}, "head_name": {"Dr. Hendra Gunawan, M.Si."}, "head_nip": {"196608011988031001"},
				"head_title": {"Kepala BKPSDM"}, "head_rank": {"Pembina Utama Muda (IV/c)"}}
		}
		logo := pngLogo(t)

		// Without the CSRF token nothing is written.
		f := fields()
		f.Set("_csrf", "")
		resp, _ = admin.postMultipart("/pengaturan", f, upload{"logo", "logo.png", logo})
		if resp.StatusCode != 403 {
			t.Errorf("settings without CSRF = %d", resp.StatusCode)
		}

		f = fields()
		f.Set("name", "")
		resp, body := admin.postMultipart("/pengaturan", f)
		wantPage(t, "missing name", resp, body, 400, "Nama pemerintah daerah wajib diisi.", `value="BKPSDM Kabupaten Uji"`, "Jl. Merdeka No. 1")
		f = fields()
		f.Set("head_nip", "12345")
		resp, body = admin.postMultipart("/pengaturan", f)
		wantPage(t, "bad head NIP", resp, body, 400, "NIP kepala tidak sah")
		resp, body = admin.postMultipart("/pengaturan", fields(), upload{"logo", "logo.png", []byte("bukan gambar")})
		wantPage(t, "logo not an image", resp, body, 400, "Logo harus berupa gambar PNG atau JPEG.")
		big := append(append([]byte{}, logo...), make([]byte, 1<<20)...)
		resp, body = admin.postMultipart("/pengaturan", fields(), upload{"logo", "besar.png", big})
		wantPage(t, "logo too large", resp, body, 413, "Logo paling besar 1 MB")
		if resp, _ = admin.get("/pengaturan/logo"); resp.StatusCode != 404 {
			t.Errorf("a refused form stored a logo")
		}

		resp, _ = admin.postMultipart("/pengaturan", fields(), upload{"logo", "logo.png", logo})
		if resp.StatusCode != 303 {
			t.Fatalf("save settings = %d", resp.StatusCode)
		}
		resp, body = admin.get("/pengaturan")
		wantPage(t, "settings after save", resp, body, 200, "Pengaturan instansi disimpan.", `value="Dr. Hendra Gunawan, M.Si."`,
			`alt="Logo instansi saat ini"`, "BKPSDM Kabupaten Uji")
		if _, body = admin.get("/"); strings.Contains(body, "belum lengkap") {
			t.Errorf("dashboard still warns about incomplete settings")
		}
		for _, u := range []string{"admin", "pegawai.a1"} {
			resp, got := ts.login(u).get("/pengaturan/logo")
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || got != string(logo) {
				t.Errorf("%s GET logo = %d %s, %d bytes", u, resp.StatusCode, resp.Header.Get("Content-Type"), len(got))
			}
		}
		if resp, _ = ts.newBrowser().get("/pengaturan/logo"); resp.StatusCode != 303 {
			t.Errorf("anonymous GET logo = %d, want a redirect", resp.StatusCode)
		}

		// Saving again without a file keeps the logo.
		f = fields()
		f.Set("city", "Kota Baru")
		resp, _ = admin.postMultipart("/pengaturan", f, upload{"logo", "", nil})
		if resp.StatusCode != 303 {
			t.Fatalf("save without logo = %d", resp.StatusCode)
		}
		if resp, got := admin.get("/pengaturan/logo"); resp.StatusCode != 200 || got != string(logo) {
			t.Errorf("logo lost after saving without a file")
		}
		resp, _ = ts.login("verifikator").postMultipart("/pengaturan", fields())
		if resp.StatusCode != 403 {
			t.Errorf("verifikator saves settings = %d", resp.StatusCode)
		}
	})
}

// ---- import ----

func TestImportPage(t *testing.T) {
	eachServer(t, func(t *testing.T, ts *testServer) {
		admin := ts.login("admin")
		resp, body := admin.get("/impor/pegawai")
		wantPage(t, "import form", resp, body, 200, `enctype="multipart/form-data"`, `name="berkas"`, `name="dry_run"`,
			`href="/impor/pegawai/templat.csv"`, `href="/impor/pegawai/templat.xlsx"`, "2 MB")

		// A dry run writes nothing.
		good := employeeCSV(rowNew1, rowNew2)
		// The import runs as a background job: the form leads to its progress page, and that
		// to the report (followJob, web/rescore_test.go).
		resp, body = admin.followJob(admin.postMultipart("/impor/pegawai", url.Values{"dry_run": {"1"}}, upload{"berkas", "pegawai.csv", good}))
		wantPage(t, "dry run", resp, body, 200, "Tidak ada data yang disimpan karena ini hanya uji coba", "Citra Lestari", "dibuat")
		if _, body = admin.get("/pegawai?q=citra"); strings.Contains(body, "Citra Lestari") {
			t.Fatalf("dry run wrote an employee")
		}

		// A file with a rejected row writes nothing and says why.
		resp, body = admin.followJob(admin.postMultipart("/impor/pegawai", nil, upload{"berkas", "salah.csv", employeeCSV(rowNew1, rowBad)}))
		wantPage(t, "rejected row", resp, body, 200, "Tidak ada data yang disimpan karena 1 baris ditolak", `<tr class="rejected">`,
			"Eko Prasetyo", "ditolak", "salah.csv")
		if !strings.Contains(body, "PPPK") {
			t.Errorf("the reason for the rejected row is not shown")
		}
		if _, body = admin.get("/pegawai?q=citra"); strings.Contains(body, "Citra Lestari") {
			t.Fatalf("a file with a rejected row wrote an employee")
		}

		// A valid file is saved.
		resp, body = admin.followJob(admin.postMultipart("/impor/pegawai", nil, upload{"berkas", `C:\Data\pegawai.csv`, good}))
		wantPage(t, "valid import", resp, body, 200, "Data telah disimpan: 2 pegawai ditambahkan", "Dewi Anggraini", "pegawai.csv")
		if strings.Contains(body, `C:\Data`) {
			t.Errorf("the client's directory is shown")
		}
		if _, body = admin.get("/pegawai?q=citra"); !strings.Contains(body, "Citra Lestari, S.Kom.") {
			t.Errorf("imported employee not listed")
		}
		// Importing again changes nothing.
		_, body = admin.followJob(admin.postMultipart("/impor/pegawai", nil, upload{"berkas", "pegawai.csv", good}))
		if !strings.Contains(body, "0 pegawai ditambahkan, 0 diperbarui, 2 tidak berubah") {
			t.Errorf("re-import is not reported as unchanged")
		}

		// Problems the upload shows by itself: shown on the form at once; problems found
		// reading the file: shown on the job's page.
		resp, body = admin.postMultipart("/impor/pegawai", nil, upload{"berkas", "kosong.csv", nil})
		wantPage(t, "empty file", resp, body, 400, "Berkas kosong.", `name="berkas"`)
		resp, body = admin.postMultipart("/impor/pegawai", url.Values{"dry_run": {"1"}})
		wantPage(t, "no file", resp, body, 400, "Pilih berkas CSV atau XLSX", `name="dry_run" value="1" checked`)
		resp, body = admin.followJob(admin.postMultipart("/impor/pegawai", nil, upload{"berkas", "foto.png", pngLogo(t)}))
		wantPage(t, "not a spreadsheet", resp, body, 200, "bukan CSV atau XLSX")

		// Over the import limit (2 MB in the harness) but within the body limit: the form says so.
		over := append(employeeCSV(rowNew1), bytes.Repeat([]byte(" "), 2<<20)...)
		resp, body = admin.postMultipart("/impor/pegawai", nil, upload{"berkas", "besar.csv", over})
		wantPage(t, "over the import limit", resp, body, 413, "Berkas terlalu besar", "2 MB", `name="berkas"`)
		// Over the request body limit (2 MB + 1 MB): Fiber refuses it before any handler; the
		// error page says so in Indonesian.
		resp, body = admin.announceHugeBody(ts.pagesListen(t), "/impor/pegawai", 4<<20)
		wantPage(t, "over the body limit", resp, body, 413, "Berkas atau data yang dikirim terlalu besar.", "<h1>Berkas terlalu besar</h1>", "Perkecil berkas")

		// Templates.
		resp, body = admin.get("/impor/pegawai/templat.csv")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.HasPrefix(strings.TrimPrefix(body, "\ufeff"), "nip,nama,") || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("CSV template = %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), body[:min(len(body), 40)])
		}
		resp, body = admin.get("/impor/pegawai/templat.xlsx")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != mimeXLSX || !strings.HasPrefix(body, "PK") {
			t.Errorf("XLSX template = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}

		// Other roles cannot import, and a form without its CSRF token is refused.
		resp, _ = ts.login("verifikator").postMultipart("/impor/pegawai", nil, upload{"berkas", "p.csv", employeeCSV(rowBad)})
		if resp.StatusCode != 403 {
			t.Errorf("verifikator import = %d", resp.StatusCode)
		}
		resp, _ = admin.postMultipart("/impor/pegawai", url.Values{"_csrf": {""}}, upload{"berkas", "p.csv", employeeCSV(rowNew1)})
		if resp.StatusCode != 403 {
			t.Errorf("import without CSRF = %d", resp.StatusCode)
		}
	})
}

func TestImportAPI(t *testing.T) {
	type report struct {
		Committed bool `json:"committed"`
		DryRun    bool `json:"dry_run"`
		Created   int  `json:"created"`
		Updated   int  `json:"updated"`
		Unchanged int  `json:"unchanged"`
		Rejected  int  `json:"rejected"`
		Rows      []struct {
			Line   int    `json:"line"`
			NIP    string `json:"nip"`
			Name   string `json:"name"`
			Action string `json:"action"`
			Reason string `json:"reason"`
		} `json:"rows"`
	}
	decode := func(t *testing.T, body string) report {
		t.Helper()
		var r report
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatalf("report %q: %v", body, err)
		}
		return r
	}
	const path = "/api/v1/imports/employees"
	eachServer(t, func(t *testing.T, ts *testServer) {
		tok := ts.apiToken("admin")
		good := employeeCSV(rowNew1, rowNew2)

		resp, body := ts.apiUpload(path+"?dry_run=true", tok, upload{"file", "p.csv", good})
		r := decode(t, body)
		if resp.StatusCode != 200 || r.Committed || !r.DryRun || r.Created != 2 {
			t.Errorf("dry run = %d %+v", resp.StatusCode, r)
		}

		resp, body = ts.apiUpload(path, tok, upload{"file", "p.csv", employeeCSV(rowNew1, rowBad)})
		r = decode(t, body)
		if resp.StatusCode != 422 || r.Committed || r.Rejected != 1 || r.Created != 1 || len(r.Rows) != 2 {
			t.Fatalf("rejected = %d %+v", resp.StatusCode, r)
		}
		if row := r.Rows[1]; row.Line != 3 || row.NIP != nipNew3 || row.Name != "Eko Prasetyo" || row.Action != "rejected" || row.Reason == "" {
			t.Errorf("rejected row = %+v", row)
		}
		if r.Rows[0].Action != "created" || r.Rows[0].Reason != "" || !strings.Contains(body, `"reason":""`) {
			t.Errorf("valid row = %+v", r.Rows[0])
		}

		resp, body = ts.apiUpload(path, tok, upload{"file", "p.csv", good})
		r = decode(t, body)
		if resp.StatusCode != 200 || !r.Committed || r.Created != 2 || r.Rows[0].Line != 2 || r.Rows[0].Action != "created" {
			t.Errorf("import = %d %+v", resp.StatusCode, r)
		}
		if resp, _ = ts.api("GET", "/api/v1/employees/"+nipNew1, tok, ""); resp.StatusCode != 200 {
			t.Errorf("imported employee = %d", resp.StatusCode)
		}

		errs := []struct {
			name, path, token string
			files             []upload
			status            int
			code              string
		}{
			{"no token", path, "", []upload{{"file", "p.csv", good}}, 401, "unauthorized"},
			{"not admin", path, ts.apiToken("verifikator"), []upload{{"file", "p.csv", good}}, 403, "forbidden"},
			{"opd user", path, ts.apiToken("opd.disdik"), nil, 403, "forbidden"},
			{"no file", path, tok, nil, 400, "invalid"},
			{"wrong field", path, tok, []upload{{"berkas", "p.csv", good}}, 400, "invalid"},
			{"empty file", path, tok, []upload{{"file", "p.csv", nil}}, 400, "invalid"},
			{"bad dry_run", path + "?dry_run=mungkin", tok, []upload{{"file", "p.csv", good}}, 400, "invalid"},
			{"too large", path, tok, []upload{{"file", "p.csv", append(employeeCSV(rowNew1), bytes.Repeat([]byte(" "), 2<<20)...)}}, 413, "too_large"},
		}
		for _, tc := range errs {
			resp, body := ts.apiUpload(tc.path, tc.token, tc.files...)
			if resp.StatusCode != tc.status || !strings.Contains(body, `"code":"`+tc.code+`"`) {
				t.Errorf("%s = %d %s, want %d %s", tc.name, resp.StatusCode, body, tc.status, tc.code)
			}
		}
		// Over the body limit: JSON from the error handler.
		req := httptest.NewRequest("POST", path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		conn, err := net.Dial("tcp", strings.TrimPrefix(ts.pagesListen(t), "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n", path, tok, 4<<20)
		if resp, err := http.ReadResponse(bufio.NewReader(conn), req); err != nil {
			t.Errorf("over the body limit: %v", err)
		} else {
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 413 || !strings.Contains(string(b), `"code":"too_large"`) {
				t.Errorf("over the body limit = %d %s", resp.StatusCode, b)
			}
		}

		// Not multipart at all.
		resp, body = ts.api("POST", path, tok, `{"file":"x"}`)
		if resp.StatusCode != 400 {
			t.Errorf("JSON body = %d %s", resp.StatusCode, body)
		}

		// Templates.
		resp, body = ts.api("GET", path+"/template", tok, "")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(body, "nip,nama") {
			t.Errorf("CSV template = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		resp, body = ts.api("GET", path+"/template?format=xlsx", tok, "")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != mimeXLSX || !strings.HasPrefix(body, "PK") {
			t.Errorf("XLSX template = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp, _ = ts.api("GET", path+"/template?format=pdf", tok, ""); resp.StatusCode != 400 {
			t.Errorf("unknown template format = %d", resp.StatusCode)
		}
		if resp, _ = ts.api("GET", path+"/template", ts.apiToken("pegawai.a1"), ""); resp.StatusCode != 403 {
			t.Errorf("pegawai template = %d", resp.StatusCode)
		}
		if resp, _ = ts.api("GET", path+"/template", "", ""); resp.StatusCode != 401 {
			t.Errorf("anonymous template = %d", resp.StatusCode)
		}
	})
}
