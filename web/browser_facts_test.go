package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/issuer"
)

// Browser tests of the data exchange with SIASN: the export of issued certificates from the
// certificate list, and the fact imports (SKP) with their background job and report page.
// Both run in Chromium over a real socket, once per database dialect.

// ---- helpers (prefixed bf: browser facts) ----

// bfDownload clicks sel, which must start a download, and returns the file name the server
// suggested and the bytes Chromium saved. Chromium saves downloads into a directory of the
// test under the download's GUID.
func (b *chromeTab) bfDownload(what, sel string) (string, []byte) {
	b.t.Helper()
	dir := b.t.TempDir()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	// Subscribe before clicking, so that no event is lost.
	begin := chromedp.Events(ctx, cdpbrowser.DownloadWillBegin)
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	b.do(what+": allow downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		yes := true
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes})
		return err
	}))
	b.do(what+": click", chromedp.Click(chromedp.CSS(sel)))
	var guid, name string
	for ev, err := range begin {
		if err != nil {
			b.t.Fatalf("%s: no download began: %v", what, err)
		}
		guid, name = ev.GUID, ev.SuggestedFilename
		break
	}
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("%s: download %s did not finish: %v", what, name, err)
		}
		if ev.GUID != guid {
			continue
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			b.t.Fatalf("%s: Chromium cancelled the download of %s", what, name)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			break
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, guid))
	if err != nil {
		b.t.Fatalf("%s: read the downloaded %s: %v", what, name, err)
	}
	return name, data
}

// bfText is the text of the element sel.
func (b *chromeTab) bfText(sel string) string {
	b.t.Helper()
	return b.must("text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// bfWantSIASNRows compares the rows of an export (header first) with want (header left out).
func bfWantSIASNRows(t *testing.T, what string, got [][]string, want [][]string) {
	t.Helper()
	if len(got) == 0 || strings.Join(got[0], ",") != strings.Join(issuer.SIASNColumns, ",") {
		t.Fatalf("%s: header %q, want %q", what, got, issuer.SIASNColumns)
	}
	got = got[1:]
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows %q, want %d rows %q", what, len(got), got, len(want), want)
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("%s: row %d\n got %q\nwant %q", what, i+1, got[i], want[i])
		}
	}
}

// TestBrowserSIASNExport: a BKPSDM administrator opens Sertifikat from the menu, filters the
// list by year of issue and OPD, and downloads the SIASN export (CSV and XLSX) with the
// list's buttons. The files Chromium saves hold exactly the certificates issued in the
// fixture, column by column (jenis diklat, nama, jumlah jam, tanggal mulai and selesai,
// tahun, institusi penyelenggara, nomor sertifikat …), in numbering order; a year without
// certificates exports the header alone.
func TestBrowserSIASNExport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := newChromium(t)
		ts := newTestServer(t, db)
		f := ts.acIssued(t) // nipA1 (24 JP) and acNIP3 (20 JP), DISDIK, "teknis", ended a week ago
		base := ts.pagesListen(t)
		tab := newChromeTab(t, ctx, base)

		// The certificates as issued, in numbering order.
		var certs []issuer.Certificate
		if err := ts.db.Gorm.Where("state = ?", issuer.CertValid).Order("year, seq").Find(&certs).Error; err != nil {
			t.Fatal(err)
		}
		if len(certs) != 2 || certs[0].ID != f.a1.ID || certs[1].ID != f.a3.ID {
			t.Fatalf("fixture certificates: %+v", certs)
		}
		today := ts.wibToday()
		start, end := today.AddDate(0, 0, -10).Format("02-01-2006"), today.AddDate(0, 0, -8).Format("02-01-2006")
		endYear := strconv.Itoa(today.AddDate(0, 0, -8).Year())
		want := [][]string{
			{nipA1, "Dr. Andi Wijaya, S.Pd., M.Pd.", "3", "Pelatihan Teknis", "", acTitle, "24", start, end, endYear,
				certs[0].Organizer, f.a1.Number, "berlaku"},
			{acNIP3, "Rina Kartika, S.Kom.", "3", "Pelatihan Teknis", "", acTitle, "20", start, end, endYear,
				certs[1].Organizer, f.a3.Number, "berlaku"},
		}
		for i, c := range certs { // the fixture's names as printed on the certificates
			if c.HolderName != want[i][1] || c.Organizer == "" {
				t.Fatalf("certificate %s: holder %q, organizer %q", c.Number, c.HolderName, c.Organizer)
			}
		}
		year := certs[0].Year

		// ---- the administrator follows the menu to the certificate list and filters it ----
		tab.signIn(testUsers[domain.RoleAdmin], "main h1")
		tab.navigate("menu Sertifikat", 200, chromedp.Click(chromedp.CSS(`nav a[href="/sertifikat"]`)))
		tab.do("list", chromedp.WaitVisible(chromedp.ID("sertifikat")), chromedp.WaitVisible(chromedp.ID("ekspor-siasn")))
		if list := tab.bfText("#sertifikat"); !strings.Contains(list, f.a1.Number) || !strings.Contains(list, f.a3.Number) {
			t.Fatalf("the list lacks the issued certificates: %q", list)
		}
		tab.do("filter by year and OPD",
			chromedp.SendKeys(chromedp.ID("tahun"), strconv.Itoa(year)),
			chromedp.SetValue(chromedp.ID("opd"), "DISDIK"))
		tab.navigate("filter", 200, chromedp.Submit(chromedp.ID("q")))
		tab.do("filtered list", chromedp.WaitVisible(chromedp.ID("sertifikat")))
		if note := tab.bfText("#ekspor-siasn"); !strings.Contains(note, "sesuai filter tahun dan OPD") {
			t.Errorf("export note %q does not say it follows the filters", note)
		}
		tab.shoot("sertifikat-ekspor-siasn", "#ekspor-siasn")

		// ---- CSV ----
		csvLink := `#ekspor-siasn a[href*="format=csv"]`
		if href := tab.eval("CSV link", `document.querySelector(`+strconv.Quote(csvLink)+`).getAttribute("href")`); href !=
			fmt.Sprintf("/sertifikat/ekspor-siasn?format=csv&tahun=%d&opd=DISDIK", year) {
			t.Errorf("CSV link %q", href)
		}
		name, data := tab.bfDownload("CSV export", csvLink)
		if wantName := fmt.Sprintf("sertifikat-siasn-%d-DISDIK.csv", year); name != wantName {
			t.Errorf("CSV file name %q, want %q", name, wantName)
		}
		body := string(data)
		if !strings.HasPrefix(body, "\ufeff") || !strings.Contains(body, "\r\n") {
			t.Errorf("the CSV is not UTF-8 with a BOM and CRLF: %q", body[:min(len(body), 60)])
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatalf("CSV export: %v\n%s", err, body)
		}
		bfWantSIASNRows(t, "CSV export", recs, want)

		// ---- XLSX, the same rows ----
		name, data = tab.bfDownload("XLSX export", `#ekspor-siasn a[href*="format=xlsx"]`)
		if wantName := fmt.Sprintf("sertifikat-siasn-%d-DISDIK.xlsx", year); name != wantName {
			t.Errorf("XLSX file name %q, want %q", name, wantName)
		}
		x, err := excelize.OpenReader(strings.NewReader(string(data)))
		if err != nil {
			t.Fatalf("XLSX export: %v", err)
		}
		rows, err := x.GetRows(issuer.SIASNSheet)
		x.Close()
		if err != nil {
			t.Fatalf("XLSX export: %v", err)
		}
		for i := range rows { // excelize leaves out trailing empty cells

			for len(rows[i]) < len(issuer.SIASNColumns) {
				rows[i] = append(rows[i], "")
			}
		}
		bfWantSIASNRows(t, "XLSX export", rows, want)

		// ---- another year: the list is empty and so is the export ----
		tab.navigate("previous year", 200, chromedp.Navigate(fmt.Sprintf("%s/sertifikat?tahun=%d", base, year-1)))
		tab.do("empty list", chromedp.WaitVisible(chromedp.ID("tidak-ada")))
		_, data = tab.bfDownload("CSV export of an empty year", csvLink)
		recs, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		bfWantSIASNRows(t, "CSV export of an empty year", recs, nil)
	})
}

// bfSKP is one row of skp_results, by NIP.
type bfSKP struct {
	NIP      string `gorm:"column:nip"`
	Year     int
	Value    *float64
	Predikat string
	Source   string
}

func (r bfSKP) String() string {
	v := "-"
	if r.Value != nil {
		v = strconv.FormatFloat(*r.Value, 'f', -1, 64)
	}
	return fmt.Sprintf("%s/%d/%s/%s/%s", r.NIP, r.Year, v, r.Predikat, r.Source)
}

// bfSKPRows lists the stored SKP results, by NIP.
func bfSKPRows(t *testing.T, ts *testServer) string {
	t.Helper()
	var rows []bfSKP
	if err := ts.db.Gorm.Raw(`SELECT e.nip, s.year, s.value, s.predikat, s.source FROM skp_results s
		JOIN employees e ON e.id = s.employee_id ORDER BY e.nip, s.year`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.String()
	}
	return strings.Join(out, " ")
}

// bfKinerja lists the stored kinerja points of year, by NIP.
func bfKinerja(t *testing.T, ts *testServer, year int) string {
	t.Helper()
	var rows []struct {
		NIP     string `gorm:"column:nip"`
		Kinerja float64
	}
	if err := ts.db.Gorm.Raw(`SELECT e.nip, s.kinerja FROM scores s JOIN employees e ON e.id = s.employee_id
		WHERE s.year = ? ORDER BY e.nip`, year).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s=%v", r.NIP, r.Kinerja))
	}
	return strings.Join(out, " ")
}

// bfImport uploads file on the open import form, follows the background job's page until
// tugas.js shows it finished, checks its message, and opens the report page.
func (b *chromeTab) bfImport(what, file, wantMessage string) {
	b.t.Helper()
	b.do(what+": choose the file", chromedp.WaitVisible(chromedp.ID("berkas")),
		chromedp.SetUploadFiles(chromedp.ID("berkas"), []string{file}))
	b.navigate(what+": import", 200, chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button[type="submit"]`)))
	if loc := b.must("location", chromedp.Location()); !strings.HasPrefix(loc, b.base+"/tugas/") {
		b.t.Fatalf("%s: the import went to %s, want its job page /tugas/{id}", what, loc)
	}
	b.do(what+": job finished", chromedp.WaitVisible(chromedp.ID("tugas")),
		chromedp.WaitVisible(chromedp.CSS(`#tugas[data-state="done"] #tugas-lanjut`)))
	if phase := b.bfText("#tugas-tahap"); phase != "Selesai" {
		b.t.Errorf("%s: job phase %q, want Selesai", what, phase)
	}
	if msg := b.bfText("#tugas-pesan"); msg != wantMessage {
		b.t.Errorf("%s: job message\n got %q\nwant %q", what, msg, wantMessage)
	}
	b.navigate(what+": report", 200, chromedp.Click(chromedp.ID("tugas-lanjut")))
	b.do(what+": report page", chromedp.WaitVisible(chromedp.ID("import-outcome")))
	if loc := b.must("location", chromedp.Location()); !strings.HasPrefix(loc, b.base+"/impor/skp/hasil/") {
		b.t.Errorf("%s: the job led to %s, want the report page", what, loc)
	}
}

// TestBrowserFactImportSKP: an administrator opens Impor › SKP from the menu and uploads a
// CSV of three appraisals through the file input; the background job's page (kept up to
// date by tugas.js) ends with the outcome and leads to the report, which counts three rows
// added; the appraisals are stored and the current year's kinerja points follow them. Then
// a file with refused rows: the report lists each refused row with its row number, column
// and Indonesian reason, and nothing is stored (not even the file's one good row).
func TestBrowserFactImportSKP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ctx := newChromium(t)
		ts := newTestServer(t, db)
		base := ts.pagesListen(t)
		tab := newChromeTab(t, ctx, base)
		year := ts.srv.Scoring.CurrentYear()
		skpYear := strconv.Itoa(year - 1) // the appraisal the current year's kinerja reads
		dir := t.TempDir()
		write := func(name, content string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}

		// ---- the menu leads to the SKP form ----
		tab.signIn(testUsers[domain.RoleAdmin], "main h1")
		tab.navigate("menu Impor", 200, chromedp.Click(chromedp.CSS(`nav a[href="/impor/pegawai"]`)))
		tab.navigate("tab SKP", 200, chromedp.Click(chromedp.CSS(`ul.tabs a[href="/impor/skp"]`)))
		tab.do("SKP form", chromedp.WaitVisible(chromedp.ID("berkas")))
		if h1 := tab.bfText("main h1"); h1 != "Impor data SKP" {
			t.Fatalf("form heading %q", h1)
		}

		// ---- a good file: three appraisals ----
		good := write("skp-"+skpYear+".csv", "nip,tahun,nilai,predikat\n"+
			nipA1+","+skpYear+",,sangat_baik\n"+
			nipA2+","+skpYear+",88.5,\n"+
			nipB1+","+skpYear+",,2\n")
		tab.bfImport("good file", good,
			"Data telah disimpan: 3 ditambahkan, 0 diperbarui, 0 tidak berubah. Skor pegawai yang datanya berubah sudah dihitung ulang.")
		if got := tab.bfText("#import-outcome"); !strings.HasPrefix(got, "Data telah disimpan: 3 ditambahkan, 0 diperbarui, 0 tidak berubah.") {
			t.Errorf("outcome %q", got)
		}
		if got := tab.bfText("main p.muted"); !strings.Contains(got, "skp-"+skpYear+".csv") || !strings.Contains(got, "3 baris data") {
			t.Errorf("report summary %q, want the file name and 3 baris data", got)
		}
		if got := tab.eval("stats", `[...document.querySelectorAll(".stats .stat")].map(s => s.querySelector(".lbl").textContent + "=" + s.querySelector(".num").textContent).join(" ")`); got != "ditambahkan=3 diperbarui=0 tidak berubah=0 ditolak=0" {
			t.Errorf("report counts %q", got)
		}
		if n := tab.eval("refused table", `String(document.querySelectorAll("#baris-ditolak").length)`); n != "0" {
			t.Error("a clean import lists refused rows")
		}
		tab.shoot("impor-skp-hasil", "#import-outcome")
		stored := fmt.Sprintf("%[1]s/%[4]s/-/sangat_baik/import %[2]s/%[4]s/88.5//import %[3]s/%[4]s/-/baik/import",
			nipA1, nipA2, nipB1, skpYear)
		if got := bfSKPRows(t, ts); got != stored {
			t.Fatalf("stored SKP\n got %s\nwant %s", got, stored)
		}
		// The import rescored the employees in its transaction: sangat baik 30, baik 25.
		wantKinerja := fmt.Sprintf("%s=30 %s=25 %s=25", nipA1, nipA2, nipB1)
		if got := bfKinerja(t, ts, year); got != wantKinerja {
			t.Errorf("kinerja %d after the import: %s, want %s", year, got, wantKinerja)
		}

		// ---- a malformed file: the good first row is refused along with the file ----
		tab.navigate("import another file", 200, chromedp.Click(chromedp.CSS(`a.button[href="/impor/skp"]`)))
		bad := write("skp-salah.csv", "nip,tahun,nilai,predikat\n"+
			nipA1+","+skpYear+",,baik\n"+ // valid: would change nipA1's predikat
			nipA2+","+skpYear+",130,\n"+
			"199001012020121001,"+skpYear+",,baik\n"+
			nipB1+",20x5,,hebat\n")
		tab.bfImport("malformed file", bad,
			"Tidak ada data yang disimpan karena 3 baris ditolak. Buka hasilnya untuk melihat baris, kolom dan alasannya.")
		if got := tab.bfText("#import-outcome"); got != "Tidak ada data yang disimpan karena 3 baris ditolak. Perbaiki baris yang tercantum di bawah "+
			"(nomor baris, kolom dan alasannya), lalu unggah ulang seluruh berkas." {
			t.Errorf("outcome %q", got)
		}
		if role := tab.eval("outcome role", `document.getElementById("import-outcome").getAttribute("role")`); role != "alert" {
			t.Errorf("the refusal is announced as %q, want alert", role)
		}
		got := tab.eval("refused rows", `[...document.querySelectorAll("#baris-ditolak tbody tr")].map(tr =>
			[...tr.cells].map(td => td.textContent.trim()).join(" | ")).join("\n")`)
		wantRows := strings.Join([]string{
			"3 | " + nipA2 + " | Siti Rahmawati | nilai | Nilai SKP 130 di luar rentang 0 sampai 120.",
			"4 | 199001012020121001 | – | nip | NIP 199001012020121001 tidak terdaftar sebagai pegawai. Impor data pegawai terlebih dahulu.",
			"5 | " + nipB1 + " | Budi Santoso | tahun | Tahun \"20x5\" tidak sah: tahun empat digit dari 1990 sampai " + strconv.Itoa(ts.db.Now().Year()) + ".",
			"5 | " + nipB1 + " | Budi Santoso | predikat | Predikat \"hebat\" tidak dikenal; gunakan sangat_baik, baik, butuh_perbaikan, kurang atau sangat_kurang.",
		}, "\n")
		if got != wantRows {
			t.Errorf("refused rows\n got:\n%s\nwant:\n%s", got, wantRows)
		}
		if got := tab.eval("stats", `[...document.querySelectorAll(".stats .stat")].map(s => s.querySelector(".lbl").textContent + "=" + s.querySelector(".num").textContent).join(" ")`); got != "akan ditambahkan=0 akan diperbarui=1 tidak berubah=0 ditolak=3" {
			t.Errorf("report counts %q", got)
		}
		tab.shoot("impor-skp-ditolak", "#baris-ditolak")
		// Nothing stored: the appraisals and the scores are as the first import left them.
		if got := bfSKPRows(t, ts); got != stored {
			t.Errorf("stored SKP after the refused file\n got %s\nwant %s", got, stored)
		}
		if got := bfKinerja(t, ts, year); got != wantKinerja {
			t.Errorf("kinerja after the refused file: %s, want %s", got, wantKinerja)
		}
		// The form lists both reports, the refused one as such.
		tab.navigate("back to the form", 200, chromedp.Click(chromedp.CSS(`a.button[href="/impor/skp"]`)))
		tab.do("recent reports", chromedp.WaitVisible(chromedp.ID("terakhir")))
		if recent := tab.bfText("section:has(#terakhir) ul"); !strings.Contains(recent, "skp-salah.csv") || !strings.Contains(recent, "3 baris ditolak") ||
			!strings.Contains(recent, "skp-"+skpYear+".csv") || !strings.Contains(recent, "disimpan") {
			t.Errorf("recent reports %q", recent)
		}
	})
}
