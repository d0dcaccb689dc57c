package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/issuer"
	"github.com/sertika/sertika/scoring"
)

// Tests of the IP ASN pages (web/pages_scoring*.go) through the real server on both
// databases: every number on a page is compared with what the scoring service answers for
// the same actor, and the workbook is read back with excelize. The service's own scoping
// and aggregates are tested in scoring/access_db_test.go; here the pages show them
// faithfully, link them together and refuse what the service refuses.

// ---- helpers (prefixed sp: score pages) ----

// spSetup issues the sample request's certificates (nipA1 and nipA2, DISDIK) a month on,
// stores every employee's score for this year and last year, and sets this year's target
// to 75. It returns this year.
func (ts *testServer) spSetup(t *testing.T, clock *fakeClock) int {
	t.Helper()
	ctx := context.Background()
	ts.cpAgency(t)
	// Approved now, reported and verified once the activity is over, then issued.
	rev, opd := ts.rpActor(testUsers[domain.RoleVerifikator]), ts.rpActor(testUsers[domain.RoleOPD])
	if _, err := ts.srv.Requests.Approve(ctx, rev, 1, ""); err != nil {
		t.Fatalf("approve: %v", err)
	}
	cpAfter(clock)
	if _, err := ts.srv.Requests.SubmitReport(ctx, opd, 1, issuer.ReportInput{Participants: []issuer.ReportRow{
		{NIP: nipA1, Attended: true, Passed: true, JP: jp(24)}, {NIP: nipA2, Attended: true, Passed: true, JP: jp(20)}}}); err != nil {
		t.Fatalf("report: %v", err)
	}
	if _, err := ts.srv.Requests.VerifyReport(ctx, rev, 1, "Sesuai daftar hadir."); err != nil {
		t.Fatalf("verify report: %v", err)
	}
	ts.cpIssue(t, 1)
	year := ts.srv.Scoring.CurrentYear()
	for _, y := range []int{year - 1, year} {
		if _, err := ts.srv.Scoring.RescoreAll(ctx, scoring.RescoreOptions{Year: y}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ts.srv.Scoring.SetTarget(ctx, ts.rpActor(testUsers[domain.RoleAdmin]), year, 75); err != nil {
		t.Fatal(err)
	}
	return year
}

// spAgency is the agency dashboard as the service gives it to the admin.
func (ts *testServer) spAgency(t *testing.T, year int) *scoring.Dashboard {
	t.Helper()
	d, err := ts.srv.Scoring.AgencyDashboard(context.Background(), ts.rpActor(testUsers[domain.RoleAdmin]), year)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// spValue returns the data-value of the element with the id, or fails.
func spValue(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*data-value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no element #%s with a data-value in the page", id)
	}
	return m[1]
}

// spNum compares a data-value with a number.
func spNum(t *testing.T, what, got string, want float64) {
	t.Helper()
	f, err := strconv.ParseFloat(got, 64)
	if err != nil || f != want {
		t.Errorf("%s: page says %q, service %v", what, got, want)
	}
}

// spCheckDashboard compares the headline numbers of a dashboard page with the service's.
func spCheckDashboard(t *testing.T, what, body string, d *scoring.Dashboard) {
	t.Helper()
	sum := d.Summary
	spNum(t, what+" IP", spValue(t, body, "ip-total"), sum.Total)
	if got := spValue(t, body, "ip-kategori"); got != string(sum.Category) {
		t.Errorf("%s: category %q, want %q", what, got, sum.Category)
	}
	if !strings.Contains(body, ">"+sum.CategoryLabel+"</strong>") {
		t.Errorf("%s: the category is not written in words (%s)", what, sum.CategoryLabel)
	}
	for _, dim := range []struct {
		id string
		v  float64
	}{{"kualifikasi", sum.Kualifikasi}, {"kompetensi", sum.Kompetensi}, {"kinerja", sum.Kinerja}, {"disiplin", sum.Disiplin}} {
		spNum(t, what+" "+dim.id, spValue(t, body, "dim-"+dim.id), dim.v)
	}
	for _, cc := range sum.Distribution {
		spNum(t, what+" distribution "+string(cc.Category), spValue(t, body, "dist-"+string(cc.Category)), float64(cc.Count))
	}
	for id, v := range map[string]int64{"jumlah-bernilai": d.Scored, "jumlah-pegawai": d.Employees, "jumlah-bawah-jp": d.BelowJP,
		"jumlah-tidak-lengkap": d.Incomplete} {
		spNum(t, what+" "+id, spValue(t, body, id), float64(v))
	}
	if d.Target != nil {
		spNum(t, what+" target", spValue(t, body, "ip-target"), *d.Target)
	}
	if d.Achievement != nil {
		spNum(t, what+" achievement", spValue(t, body, "ip-capaian"), *d.Achievement)
	}
	for _, p := range d.Trend {
		if !strings.Contains(body, fmt.Sprintf(`<th scope="row" data-label="Tahun">%d</th>`, p.Year)) {
			t.Errorf("%s: the trend table lacks %d", what, p.Year)
		}
	}
}

// ---- the agency dashboard ----

func TestScorePagesAgency(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		year := ts.spSetup(t, clock)
		d := ts.spAgency(t, year)
		if d.Summary.Count != 3 || d.Target == nil || d.Achievement == nil || len(d.Trend) != 2 {
			t.Fatalf("fixture: dashboard %+v", d)
		}
		admin := ts.login(testUsers[domain.RoleAdmin])
		resp, body := admin.get("/skor")
		wantPage(t, "agency dashboard", resp, body, 200, "IP ASN Instansi", `aria-current="page">Skor IP ASN`,
			`<svg class="trend-chart" id="tren" role="img"`, `<title id="tren-judul">`, `<table id="tabel-tren"`,
			`id="rincian-jabatan"`, `id="rincian-pendidikan"`, `id="rincian-status"`,
			`href="/skor/opd/DISDIK"`, `href="/skor/opd/DINKES"`,
			`href="/skor/daftar?jenis=below_jp"`, `href="/skor/daftar?jenis=incomplete"`,
			`id="form-target"`, `href="/skor/hitung-ulang"`, `href="/skor/cetak"`, `href="/skor/ekspor.xlsx"`,
			fmt.Sprintf(`<option value="%d" selected>`, year))
		spCheckDashboard(t, "agency", body, d)
		if strings.Contains(body, "style=") {
			t.Error("the page uses inline styles, which the Content-Security-Policy blocks")
		}

		// The per-OPD table: by code by default; sorted by IP, highest first, on request.
		codes := func(body string) []string {
			i := strings.Index(body, `id="tabel-opd"`)
			var out []string
			for _, m := range regexp.MustCompile(`<td data-label="Kode" class="nowrap">([A-Z]+)</td>`).FindAllStringSubmatch(body[i:], -1) {
				out = append(out, m[1])
			}
			return out
		}
		if got := codes(body); !slices.Equal(got, []string{"DINKES", "DISDIK"}) {
			t.Errorf("OPD rows %v, want by code", got)
		}
		byIP := slices.Clone(d.OPDs)
		slices.SortStableFunc(byIP, func(a, b scoring.OPDScore) int {
			switch {
			case a.Summary.Total > b.Summary.Total:
				return -1
			case a.Summary.Total < b.Summary.Total:
				return 1
			}
			return strings.Compare(a.Code, b.Code)
		})
		_, sorted := admin.get("/skor?urut=ip&arah=turun")
		if got, want := codes(sorted), []string{byIP[0].Code, byIP[1].Code}; !slices.Equal(got, want) {
			t.Errorf("sorted by IP: %v, want %v", got, want)
		}
		if !strings.Contains(sorted, `aria-sort="descending"`) || !strings.Contains(sorted, `href="/skor?arah=naik&amp;urut=ip#per-opd"`) {
			t.Error("the sorted column is not marked, or its link does not reverse the order")
		}
		for _, o := range d.OPDs {
			if !strings.Contains(body, fmt.Sprintf(`data-value="%s"`, dataNum(o.Summary.Total))) {
				t.Errorf("the IP of %s (%v) is not on the page", o.Code, o.Summary.Total)
			}
		}

		// Other BKPSDM roles see the same dashboard without the administration.
		for _, role := range []domain.Role{domain.RoleVerifikator, domain.RolePenandatangan} {
			resp, body := ts.login(testUsers[role]).get("/skor")
			wantPage(t, string(role), resp, body, 200, "IP ASN Instansi")
			spCheckDashboard(t, string(role), body, d)
			if strings.Contains(body, `id="form-target"`) || strings.Contains(body, "/skor/hitung-ulang") {
				t.Errorf("%s is offered the administration", role)
			}
		}

		// Last year: no target, no achievement, the year selected.
		resp, body = admin.get(fmt.Sprintf("/skor?tahun=%d", year-1))
		wantPage(t, "last year", resp, body, 200, fmt.Sprintf(`<option value="%d" selected>`, year-1), `id="tanpa-target"`,
			fmt.Sprintf(`href="/skor/opd/DISDIK?tahun=%d"`, year-1))
		spCheckDashboard(t, "last year", body, ts.spAgency(t, year-1))

		// A year without scores says so instead of showing zeros.
		resp, body = admin.get("/skor?tahun=2001")
		wantPage(t, "empty year", resp, body, 200, "Belum ada data")
		if strings.Contains(body, `id="ip-total" data-value`) {
			t.Error("an empty year shows an IP")
		}
		// Years the service refuses, and a year that is not a number.
		for _, q := range []string{"1999", "abc", "20266"} {
			resp, body := admin.get("/skor?tahun=" + q)
			wantPage(t, "year "+q, resp, body, 400, "Tahun")
		}
	})
}

// TestScorePagesRoles: /skor sends an OPD user and an employee to their own page, and the
// pages refuse what the service refuses.
func TestScorePagesRoles(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		year := ts.spSetup(t, clock)
		ctx := context.Background()
		opd := ts.login(testUsers[domain.RoleOPD])
		pegawai := ts.login(testUsers[domain.RolePegawai])

		resp, body := opd.get("/skor")
		cpRedirect(t, "opd /skor", resp, body, "/skor/opd/DISDIK")
		resp, body = opd.get("/skor?tahun=2025")
		cpRedirect(t, "opd /skor?tahun=2025", resp, body, "/skor/opd/DISDIK?tahun=2025")
		resp, body = pegawai.get("/skor")
		cpRedirect(t, "pegawai /skor", resp, body, "/skor/pegawai/"+nipA1)

		// The OPD's dashboard with its employees, each linked to their score.
		od, err := ts.srv.Scoring.OPDDashboard(ctx, ts.rpActor(testUsers[domain.RoleOPD]), "DISDIK", year)
		if err != nil {
			t.Fatal(err)
		}
		resp, body = opd.get("/skor/opd/DISDIK")
		wantPage(t, "opd dashboard", resp, body, 200, "IP ASN Dinas Pendidikan", `id="daftar-pegawai"`,
			`href="/skor/pegawai/`+nipA1+`"`, `href="/skor/pegawai/`+nipA2+`"`, `href="/skor/cetak?opd=DISDIK"`,
			`href="/skor/daftar?jenis=below_jp&amp;opd=DISDIK"`)
		spCheckDashboard(t, "opd", body, od)
		if strings.Contains(body, "tabel-opd") || strings.Contains(body, nipB1) || strings.Contains(body, `href="/skor?`) {
			t.Error("the OPD page shows the per-OPD table, another OPD's employee or a link to the agency")
		}
		// BKPSDM sees the same OPD page, with a way back to the agency.
		_, body = ts.login(testUsers[domain.RoleVerifikator]).get("/skor/opd/DISDIK")
		spCheckDashboard(t, "opd as verifikator", body, od)
		if !strings.Contains(body, `<a href="/skor">IP ASN Instansi</a>`) {
			t.Error("no way back to the agency dashboard")
		}

		for _, c := range []struct {
			who  *browser
			path string
			want int
		}{
			{opd, "/skor/opd/DINKES", 403},
			{opd, "/skor/opd/TIDAKADA", 404},
			{opd, "/skor/pegawai/" + nipB1, 403},
			{opd, "/skor/daftar?jenis=below_jp&opd=DINKES", 403},
			{opd, "/skor/cetak?opd=DINKES", 403},
			{opd, "/skor/ekspor.xlsx?opd=DINKES", 403},
			{pegawai, "/skor/opd/DISDIK", 403},
			{pegawai, "/skor/pegawai/" + nipA2, 403},
			{pegawai, "/skor/daftar?jenis=incomplete", 403},
			{pegawai, "/skor/cetak", 403},
			{pegawai, "/skor/pegawai/123", 400},
			{pegawai, "/skor/pegawai/" + nipA1 + "?tahun=x", 400},
		} {
			if resp, body := c.who.get(c.path); resp.StatusCode != c.want {
				t.Errorf("GET %s: %d, want %d: %s", c.path, resp.StatusCode, c.want, trimBody(body))
			}
		}
	})
}

// ---- one employee ----

func TestScorePageEmployee(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		year := ts.spSetup(t, clock)
		cert := ts.cpCert(t, nipA1)
		ev, err := ts.srv.Scoring.EmployeeScoreFor(context.Background(), ts.rpActor(testUsers[domain.RolePegawai]), nipA1, year)
		if err != nil {
			t.Fatal(err)
		}
		sc := ev.Score
		resp, body := ts.login(testUsers[domain.RolePegawai]).get("/skor/pegawai/" + nipA1)
		wantPage(t, "own score", resp, body, 200, "Skor IP ASN saya", `aria-current="page">Skor saya`,
			`id="penjelasan-kualifikasi"`, `id="penjelasan-kompetensi"`, `id="penjelasan-kinerja"`, `id="penjelasan-disiplin"`,
			cert.Number, `<a href="/sertifikat/`+cert.ID+`">Sertifikat `+cert.ID+`</a>`, `id="data-tidak-lengkap"`)
		spNum(t, "IP", spValue(t, body, "ip-total"), sc.Total)
		spNum(t, "kualifikasi", spValue(t, body, "dim-kualifikasi"), sc.Kualifikasi)
		spNum(t, "kompetensi", spValue(t, body, "dim-kompetensi"), sc.Kompetensi)
		spNum(t, "kinerja", spValue(t, body, "dim-kinerja"), sc.Kinerja)
		spNum(t, "disiplin", spValue(t, body, "dim-disiplin"), sc.Disiplin)
		spNum(t, "JP", spValue(t, body, "jp-tahun-ini"), float64(sc.JPThisYear))
		spNum(t, "JP duty", spValue(t, body, "jp-kewajiban"), float64(sc.JPDuty))
		if len(sc.Hints) == 0 || len(sc.Incomplete) == 0 {
			t.Fatalf("fixture: nipA1 without hints or missing data: %+v", sc)
		}
		for _, h := range sc.Hints {
			if !strings.Contains(body, htmlText(h.Text)) {
				t.Errorf("hint %q is not on the page", h.Text)
			}
		}
		for _, m := range sc.Incomplete {
			if !strings.Contains(body, htmlText(m)) {
				t.Errorf("missing data %q is not on the page", m)
			}
		}
		for _, l := range sc.Explanation {
			if !strings.Contains(body, htmlText(l.Text)) {
				t.Errorf("explanation line %q is not on the page", l.Text)
			}
		}

		// The OPD's operator and BKPSDM open the same page, with the way to the OPD.
		for _, role := range []domain.Role{domain.RoleOPD, domain.RoleAdmin} {
			resp, body := ts.login(testUsers[role]).get("/skor/pegawai/" + nipA1)
			wantPage(t, string(role), resp, body, 200, "Skor IP ASN Andi Wijaya", `href="/skor/opd/DISDIK"`)
			spNum(t, string(role)+" IP", spValue(t, body, "ip-total"), sc.Total)
		}

		// A year without a stored score is computed on the fly, and says so.
		resp, body = ts.login(testUsers[domain.RoleAdmin]).get(fmt.Sprintf("/skor/pegawai/%s?tahun=%d", nipB1, year-3))
		wantPage(t, "not stored", resp, body, 200, `id="belum-tersimpan"`)
	})
}

// htmlText is s as html/template writes it in text.
func htmlText(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;")
	return r.Replace(s)
}

// ---- lists, target, print ----

func TestScorePagesListsAndTarget(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		year := ts.spSetup(t, clock)
		ctx := context.Background()
		// 55 more DINKES employees, so that the lists have a second page.
		var dinkes domain.OPD
		if err := ts.db.Gorm.Where("code = ?", "DINKES").Take(&dinkes).Error; err != nil {
			t.Fatal(err)
		}
		var more []domain.Employee
		for i := range 55 {
			more = append(more, domain.Employee{NIP: fmt.Sprintf("199001012015011%03d", i+1), Name: fmt.Sprintf("Pegawai Uji %02d", i),
				Status: "PNS", OPDID: dinkes.ID, PositionKind: "pelaksana", EducationLevel: "40", Active: true})
		}
		if err := ts.db.Gorm.Create(&more).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := ts.srv.Scoring.RescoreAll(ctx, scoring.RescoreOptions{Year: year}); err != nil {
			t.Fatal(err)
		}
		d := ts.spAgency(t, year)
		admin := ts.login(testUsers[domain.RoleAdmin])

		for _, c := range []struct {
			kind  string
			total int64
		}{{"below_jp", d.BelowJP}, {"incomplete", d.Incomplete}, {"all", d.Scored}} {
			resp, body := admin.get("/skor/daftar?jenis=" + c.kind)
			wantPage(t, c.kind, resp, body, 200)
			spNum(t, c.kind+" total", spValue(t, body, "jumlah-daftar"), float64(c.total))
			if c.total > scorePerPage {
				if !strings.Contains(body, `rel="next"`) || strings.Count(body, `href="/skor/pegawai/`) != scorePerPage {
					t.Errorf("%s: the first page should hold %d rows and link the next", c.kind, scorePerPage)
				}
				_, page2 := admin.get("/skor/daftar?jenis=" + c.kind + "&hal=2")
				if n := strings.Count(page2, `href="/skor/pegawai/`); int64(n) != c.total-scorePerPage || !strings.Contains(page2, `rel="prev"`) {
					t.Errorf("%s page 2: %d rows, want %d", c.kind, n, c.total-scorePerPage)
				}
			}
		}
		resp, body := admin.get("/skor/daftar?jenis=lain")
		wantPage(t, "unknown list", resp, body, 400)

		// The OPD page pages its employees too.
		_, body = admin.get("/skor/opd/DINKES?hal=2")
		if n := strings.Count(body, `href="/skor/pegawai/`); n != 56-scorePerPage {
			t.Errorf("DINKES page 2: %d employees, want %d", n, 56-scorePerPage)
		}

		// The target form: a decimal comma is accepted; the dashboard then shows it.
		resp, body = admin.postForm("/skor/target", url.Values{"tahun": {strconv.Itoa(year)}, "target": {"72,5"}})
		cpRedirect(t, "set target", resp, body, "/skor")
		resp, body = admin.get("/skor")
		wantPage(t, "after target", resp, body, 200, "Target IP ASN tahun "+strconv.Itoa(year)+" ditetapkan: 72,50.")
		d = ts.spAgency(t, year)
		if *d.Target != 72.5 {
			t.Fatalf("target %v, want 72.5", *d.Target)
		}
		spCheckDashboard(t, "after target", body, d)
		// Refused input comes back on the dashboard with the message and the input kept.
		resp, body = admin.postForm("/skor/target", url.Values{"tahun": {strconv.Itoa(year)}, "target": {"150"}})
		wantPage(t, "target too high", resp, body, 400, `id="target-galat"`, `value="150"`, `aria-invalid="true"`)
		resp, body = admin.postForm("/skor/target", url.Values{"tahun": {strconv.Itoa(year)}, "target": {"75"}, "_csrf": {"salah"}})
		wantPage(t, "target without CSRF", resp, body, 403)
		for _, role := range []domain.Role{domain.RoleVerifikator, domain.RoleOPD, domain.RolePegawai} {
			resp, body := ts.login(testUsers[role]).postForm("/skor/target", url.Values{"tahun": {strconv.Itoa(year)}, "target": {"80"}})
			wantPage(t, string(role)+" sets target", resp, body, 403)
		}
		if d := ts.spAgency(t, year); *d.Target != 72.5 {
			t.Errorf("a refused form changed the target to %v", *d.Target)
		}

		// The printed report: the same figures, no menu, the print stylesheet's class.
		resp, body = admin.get("/skor/cetak")
		wantPage(t, "print", resp, body, 200, `class="print-report"`, "Laporan IP ASN Instansi Tahun", `id="tabel-opd"`,
			`<svg class="trend-chart"`, `<table id="tabel-tren"`)
		spCheckDashboard(t, "print", body, d)
		if strings.Contains(body, `aria-label="Menu utama"`) {
			t.Error("the printed report has the menu")
		}
		resp, body = ts.login(testUsers[domain.RoleOPD]).get("/skor/cetak")
		wantPage(t, "print as opd", resp, body, 200, "Laporan IP ASN Dinas Pendidikan")
	})
}

// ---- the workbook ----

// spWorkbook downloads /skor/ekspor.xlsx… and opens it.
func spWorkbook(t *testing.T, b *browser, path, wantName string) *excelize.File {
	t.Helper()
	resp, body := b.get(path)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, trimBody(body))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("content type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+wantName+`"` {
		t.Errorf("content disposition %q, want the file name %s", cd, wantName)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// spCells returns a sheet's rows.
func spCells(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	return rows
}

// spCellNum reads a cell as a number.
func spCellNum(t *testing.T, f *excelize.File, sheet, cell string) float64 {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("%s!%s = %q, not a number", sheet, cell, v)
	}
	if typ, _ := f.GetCellType(sheet, cell); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("%s!%s is text, want a number", sheet, cell)
	}
	return x
}

func TestScoreExportXLSX(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		year := ts.spSetup(t, clock)
		d := ts.spAgency(t, year)
		sum := d.Summary
		f := spWorkbook(t, ts.login(testUsers[domain.RoleAdmin]), "/skor/ekspor.xlsx", fmt.Sprintf("ipasn-%d.xlsx", year))
		if got, want := f.GetSheetList(), []string{"Ringkasan", "Per OPD", "Distribusi", "Tren", "Rincian", "Pegawai"}; !slices.Equal(got, want) {
			t.Fatalf("sheets %v, want %v", got, want)
		}

		// Ringkasan: label in A, value in B.
		summary := map[string]string{}
		for i, r := range spCells(t, f, "Ringkasan") {
			if len(r) > 0 {
				summary[r[0]] = fmt.Sprintf("B%d", i+1)
			}
		}
		for label, want := range map[string]float64{
			"Tahun": float64(year), "IP ASN": sum.Total, "Rerata IP individu": sum.MeanIP,
			"Kualifikasi": sum.Kualifikasi, "Kompetensi": sum.Kompetensi, "Kinerja": sum.Kinerja, "Disiplin": sum.Disiplin,
			"Target": *d.Target, "Capaian (%)": *d.Achievement, "Pegawai aktif": float64(d.Employees),
			"Pegawai dengan skor": float64(d.Scored), "Pegawai diukur": float64(sum.Count),
			"Di bawah kewajiban JP": float64(d.BelowJP), "Data tidak lengkap": float64(d.Incomplete),
		} {
			cell, ok := summary[label]
			if !ok {
				t.Errorf("Ringkasan has no row %q", label)
				continue
			}
			if got := spCellNum(t, f, "Ringkasan", cell); got != want {
				t.Errorf("Ringkasan %s = %v, want %v", label, got, want)
			}
		}
		if v, _ := f.GetCellValue("Ringkasan", summary["Kategori"]); v != sum.CategoryLabel {
			t.Errorf("Ringkasan Kategori = %q, want %q", v, sum.CategoryLabel)
		}
		if v, _ := f.GetCellValue("Ringkasan", "C"+summary["Kompetensi"][1:]); v != "40" {
			t.Errorf("the maximum of kompetensi reads %q", v)
		}

		// Per OPD, in the dashboard's order.
		opds := spCells(t, f, "Per OPD")
		if len(opds) != len(d.OPDs)+1 || opds[0][0] != "Kode" {
			t.Fatalf("Per OPD has %d rows: %v", len(opds), opds)
		}
		for i, o := range d.OPDs {
			r := i + 2
			if opds[i+1][0] != o.Code || opds[i+1][1] != o.Name {
				t.Errorf("Per OPD row %d: %v, want %s", r, opds[i+1], o.Code)
			}
			if got := spCellNum(t, f, "Per OPD", fmt.Sprintf("C%d", r)); got != float64(o.Summary.Count) {
				t.Errorf("Per OPD %s count %v, want %d", o.Code, got, o.Summary.Count)
			}
			if o.Summary.Count > 0 {
				if got := spCellNum(t, f, "Per OPD", fmt.Sprintf("H%d", r)); got != o.Summary.Total {
					t.Errorf("Per OPD %s IP %v, want %v", o.Code, got, o.Summary.Total)
				}
			}
		}

		// Distribusi.
		for i, cc := range sum.Distribution {
			r := i + 2
			if v, _ := f.GetCellValue("Distribusi", fmt.Sprintf("A%d", r)); v != cc.Label {
				t.Errorf("Distribusi row %d: %q, want %q", r, v, cc.Label)
			}
			if got := spCellNum(t, f, "Distribusi", fmt.Sprintf("C%d", r)); got != float64(cc.Count) {
				t.Errorf("Distribusi %s: %v, want %d", cc.Label, got, cc.Count)
			}
			if got := spCellNum(t, f, "Distribusi", fmt.Sprintf("D%d", r)); got != cc.Percent {
				t.Errorf("Distribusi %s percent: %v, want %v", cc.Label, got, cc.Percent)
			}
		}

		// Tren and Rincian.
		for i, p := range d.Trend {
			if got := spCellNum(t, f, "Tren", fmt.Sprintf("A%d", i+2)); got != float64(p.Year) {
				t.Errorf("Tren row %d: year %v, want %d", i+2, got, p.Year)
			}
			if got := spCellNum(t, f, "Tren", fmt.Sprintf("C%d", i+2)); got != p.Summary.Total {
				t.Errorf("Tren %d: IP %v, want %v", p.Year, got, p.Summary.Total)
			}
		}
		r := 2
		for _, bs := range [][]scoring.Breakdown{d.ByPosition, d.ByEducation, d.ByStatus} {
			for _, b := range bs {
				if v, _ := f.GetCellValue("Rincian", fmt.Sprintf("B%d", r)); v != b.Label {
					t.Errorf("Rincian row %d: %q, want %q", r, v, b.Label)
				}
				if got := spCellNum(t, f, "Rincian", fmt.Sprintf("C%d", r)); got != float64(b.Summary.Count) {
					t.Errorf("Rincian %s: %v, want %d", b.Label, got, b.Summary.Count)
				}
				if b.Summary.Count > 0 {
					if got := spCellNum(t, f, "Rincian", fmt.Sprintf("H%d", r)); got != b.Summary.Total {
						t.Errorf("Rincian %s: IP %v, want %v", b.Label, got, b.Summary.Total)
					}
				}
				r++
			}
		}

		// Pegawai: every scored employee, OPD by OPD (the per-OPD table's order), highest
		// first within each, NIP as text.
		var list []scoring.EmployeeRow
		var total int64
		for _, o := range d.OPDs {
			rows, n, err := ts.srv.Scoring.DashboardList(context.Background(), ts.rpActor(testUsers[domain.RoleAdmin]), o.Code, year, scoring.ListAll, 1000, 0)
			if err != nil {
				t.Fatal(err)
			}
			list, total = append(list, rows...), total+n
		}
		if _, all, err := ts.srv.Scoring.DashboardList(context.Background(), ts.rpActor(testUsers[domain.RoleAdmin]), "", year, scoring.ListAll, 1, 0); err != nil || all != total || total != d.Scored {
			t.Fatalf("the OPDs list %d employees, the agency %d, scored %d (%v)", total, all, d.Scored, err)
		}
		emps := spCells(t, f, "Pegawai")
		if int64(len(emps)-1) != total || emps[0][0] != "NIP" {
			t.Fatalf("Pegawai has %d rows, want %d", len(emps)-1, total)
		}
		for i, e := range list {
			if emps[i+1][0] != e.NIP || emps[i+1][1] != e.Name {
				t.Errorf("Pegawai row %d: %v, want %s %s", i+2, emps[i+1], e.NIP, e.Name)
			}
			if typ, _ := f.GetCellType("Pegawai", fmt.Sprintf("A%d", i+2)); typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset {
				t.Errorf("the NIP in A%d is not text", i+2)
			}
			if got := spCellNum(t, f, "Pegawai", fmt.Sprintf("F%d", i+2)); got != e.Total {
				t.Errorf("Pegawai %s: IP %v, want %v", e.NIP, got, e.Total)
			}
		}

		// An OPD user gets their OPD's workbook: no per-OPD sheet, only their employees.
		fo := spWorkbook(t, ts.login(testUsers[domain.RoleOPD]), "/skor/ekspor.xlsx", fmt.Sprintf("ipasn-DISDIK-%d.xlsx", year))
		if got := fo.GetSheetList(); slices.Contains(got, "Per OPD") {
			t.Errorf("OPD workbook sheets %v", got)
		}
		for _, row := range spCells(t, fo, "Pegawai")[1:] {
			if row[4] != "DISDIK" {
				t.Errorf("OPD workbook lists %v", row)
			}
		}
	})
}

// TestScoreStartPageCard: the start page shows each role its IP ASN with a link onward.
func TestScoreStartPageCard(t *testing.T) {
	eachServerWithClock(t, func(t *testing.T, ts *testServer, clock *fakeClock) {
		year := ts.spSetup(t, clock)
		d := ts.spAgency(t, year)
		_, body := ts.login(testUsers[domain.RoleAdmin]).get("/")
		wantPage(t, "admin start page", &http.Response{StatusCode: 200}, body, 200, `id="kartu-skor"`, `href="/skor"`,
			"IP ASN instansi "+strconv.Itoa(year), "Target 75,00")
		spNum(t, "card IP", spValue(t, body, "kartu-ip"), d.Summary.Total)

		ev, err := ts.srv.Scoring.EmployeeScoreFor(context.Background(), ts.rpActor(testUsers[domain.RolePegawai]), nipA1, year)
		if err != nil {
			t.Fatal(err)
		}
		_, body = ts.login(testUsers[domain.RolePegawai]).get("/")
		wantPage(t, "pegawai start page", &http.Response{StatusCode: 200}, body, 200, "Skor IP ASN saya", "Lihat rincian dan cara menaikkan skor")
		spNum(t, "own card IP", spValue(t, body, "kartu-ip"), ev.Score.Total)

		_, body = ts.login(testUsers[domain.RoleOPD]).get("/")
		wantPage(t, "opd start page", &http.Response{StatusCode: 200}, body, 200, "IP ASN Dinas Pendidikan")
	})
}
