package document

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/qr"
	"github.com/sertika/sertika/verifier"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// wit is Eastern Indonesia Time, where the demo agency signs.
var wit = time.FixedZone("WIT", 9*3600)

// testLogo draws a small round emblem with a transparent surround, like an agency logo.
func testLogo(tb testing.TB) []byte {
	tb.Helper()
	const size = 160
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	c := float64(size-1) / 2
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			d := math.Hypot(float64(x)-c, float64(y)-c)
			switch {
			case d > 79:
			case d > 72:
				img.Set(x, y, color.NRGBA{0xd4, 0xa0, 0x17, 0xff})
			case d > 67:
				img.Set(x, y, color.NRGBA{0x0b, 0x3d, 0x6e, 0xff})
			case float64(y) > c+12:
				img.Set(x, y, color.NRGBA{0x1b, 0x6f, 0xb5, 0xff})
			case float64(y) > c-40+math.Abs(float64(x)-c)*1.1:
				img.Set(x, y, color.NRGBA{0x1f, 0x7a, 0x3a, 0xff})
			default:
				img.Set(x, y, color.NRGBA{0xe8, 0xf3, 0xfb, 0xff})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// verifyURL signs a certificate token with a key from a fixed seed and returns the QR URL.
func verifyURL(tb testing.TB, publicURL, id string) string {
	tb.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{42}, ed25519.SeedSize))
	tok, err := verifier.Sign(verifier.Claims{
		Issuer: "TIDORE", Subject: "198503122010012004", ID: id,
		IssuedAt: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC).Unix(), JP: 24,
		Start: verifier.DayNumber(domain.NewDate(2026, 3, 10)), End: verifier.DayNumber(domain.NewDate(2026, 3, 12)),
		Kind: "bimtek", Digest: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	}, "K7QHZ3MV", key)
	if err != nil {
		tb.Fatal(err)
	}
	short, err := verifier.Short(tok)
	if err != nil {
		tb.Fatal(err)
	}
	return verifier.VerifyURL(publicURL, short)
}

// MustCertificateData returns the fixed certificate of the golden test.
func MustCertificateData(tb testing.TB) CertificateData {
	tb.Helper()
	const public = "https://sertika.bkpsdm.tidorekota.go.id"
	return CertificateData{
		AgencyName:           "Pemerintah Kota Tidore Kepulauan",
		BKPSDMName:           "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
		AgencyCity:           "Tidore Kepulauan",
		Logo:                 testLogo(tb),
		Number:               "800.1.3/0042/BKPSDM/2026",
		HolderName:           "Dr. Hj. Siti Nur’aini Abdurrahman, S.E., M.Si.",
		NIP:                  "198503122010012004",
		Position:             "Analis Sumber Daya Manusia Aparatur Ahli Muda",
		OPDName:              "Dinas Pendidikan dan Kebudayaan",
		ActivityTitle:        "Penyusunan Sasaran Kinerja Pegawai Berbasis Hasil",
		KindLabel:            "Bimbingan Teknis",
		Organizer:            "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Tidore Kepulauan",
		StartDate:            time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC),
		EndDate:              time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC),
		JP:                   24,
		RecommendationNumber: "800.1.3/0017/BKPSDM/2026",
		Place:                "Tidore",
		IssuedAt:             time.Date(2026, 3, 20, 9, 30, 0, 0, wit),
		SignerName:           "Dr. Ir. Muhammad Yusuf Abdullah, M.Si.",
		SignerNIP:            "197001011995031003",
		SignerTitle:          "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
		SignerRank:           "Pembina Utama Muda (IV/c)",
		VerifyURL:            verifyURL(tb, public, "QX4JD7M2KA6B3RTE"),
		ShortCode:            "QX4J-D7M2-KA6B-3RTE",
		PublicURL:            public,
	}
}

// longData stretches every free-text field to the longest values seen in practice.
func longData(tb testing.TB) CertificateData {
	c := MustCertificateData(tb)
	c.AgencyName = "Pemerintah Provinsi Daerah Khusus Ibukota Nusantara dan Kepulauan Sekitarnya"
	c.BKPSDMName = "Badan Kepegawaian, Pendidikan dan Pelatihan serta Pengembangan Sumber Daya Manusia Aparatur Daerah"
	c.HolderName = "Prof. Dr. Ir. H. Muhammad Abdurrahman Syarifuddin Al-Habsyi Wirakusumah, S.H., M.H., M.Si., M.Kn., Ph.D."
	c.Position = "Penata Kelola Sistem dan Teknologi Informasi Ahli Madya pada Bidang Pengembangan Kompetensi Aparatur"
	c.OPDName = "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana"
	c.ActivityTitle = "Pelatihan Kepemimpinan Administrator Angkatan XXVII Tahun Anggaran 2026 Kerja Sama dengan " +
		"Pusat Pengembangan Kompetensi Aparatur Sipil Negara Lembaga Administrasi Negara Republik Indonesia"
	c.KindLabel = "Pelatihan Kepemimpinan (PKP/PKA/PKN)"
	c.Organizer = "Pusat Pembinaan Program dan Kebijakan Pengembangan Kompetensi ASN Lembaga Administrasi Negara"
	c.StartDate = time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)
	c.EndDate = time.Date(2026, 8, 14, 0, 0, 0, 0, time.UTC)
	c.JP = 9999
	c.SignerTitle = "Pelaksana Tugas Kepala Badan Kepegawaian, Pendidikan dan Pelatihan serta Pengembangan Sumber Daya Manusia Aparatur Daerah"
	c.SignerName = "Dr. Hj. Andi Nurhayati Puspitasari Mangkubumi, S.Sos., M.Si., M.A.P."
	c.SignerRank = "Pembina Utama Madya (IV/d)"
	c.PublicURL = "https://sertifikat-elektronik.bkpsdm.tidorekepulauankota.go.id"
	c.VerifyURL = verifyURL(tb, c.PublicURL, "ZZZZ7777ZZZZ7777")
	c.ShortCode = "ZZZZ-7777-ZZZZ-7777"
	return c
}

func mustRenderer(tb testing.TB) *CertificateRenderer {
	tb.Helper()
	r, err := NewCertificateRenderer()
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func mustRender(tb testing.TB, r *CertificateRenderer, c CertificateData) []byte {
	tb.Helper()
	b, err := r.Render(c)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (Debian: poppler-utils, zbar-tools)", name)
	}
	return p
}

// extractText extracts the page text with pdftotext, white space collapsed to single spaces.
func extractText(t *testing.T, pdf []byte) string {
	t.Helper()
	out, err := exec.Command(tool(t, "pdftotext"), "-enc", "UTF-8", writeTemp(t, "c.pdf", pdf), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestCertificateText(t *testing.T) {
	c := MustCertificateData(t)
	pdf := mustRender(t, mustRenderer(t), c)
	text := extractText(t, pdf)
	for _, want := range []string{
		c.HolderName, "NIP " + FormatNIP(c.NIP), "Nomor: " + c.Number, c.ActivityTitle, "SERTIFIKAT",
		"PEMERINTAH KOTA TIDORE KEPULAUAN", "diberikan kepada", "telah mengikuti Bimbingan Teknis",
		"yang diselenggarakan oleh " + c.Organizer, "pada 10–12 Maret 2026", "sebanyak 24 jam pelajaran (JP)",
		"berdasarkan rekomendasi nomor " + c.RecommendationNumber, "Tidore, 20 Maret 2026", c.SignerTitle,
		c.SignerName, c.SignerRank, "NIP " + FormatNIP(c.SignerNIP), "Ditandatangani secara elektronik",
		c.ShortCode, "Periksa keaslian di " + c.PublicURL, "pindai kode QR", c.Position, c.OPDName,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q\ngot: %s", want, text)
		}
	}
	// Centred lines are centred as a PDF reader measures them: the layout's text widths
	// agree with the widths the file declares.
	words := wordBoxes(t, pdf)
	for _, line := range [][2]string{{"Nomor:", c.Number}, {"NIP", FormatNIP(c.NIP)[18:]}, {"Dr.", "M.Si."}} {
		var first, last *wordBox
		for i := range words {
			if w := &words[i]; first == nil && w.word == line[0] {
				first = w
			} else if first != nil && last == nil && w.word == line[1] && math.Abs(w.yMin-first.yMin) < 1 {
				last = w
			}
		}
		if first == nil || last == nil {
			t.Errorf("line %q … %q not found", line[0], line[1])
			continue
		}
		const mm = 72 / 25.4
		if mid := (first.xMin + last.xMax) / 2 / mm; math.Abs(mid-centerX) > 0.5 {
			t.Errorf("line %q … %q is centred at %.2f mm, want %.2f", line[0], line[1], mid, centerX)
		}
	}
	// The NIP is printed in groups; its digits are all there.
	if !strings.Contains(strings.ReplaceAll(text, " ", ""), c.NIP) {
		t.Errorf("pdftotext output lacks the NIP digits %s", c.NIP)
	}
}

// rasterise renders the page with pdftoppm at dpi and returns the PNG's path.
func rasterise(t *testing.T, pdf []byte, dpi int) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "c.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool(t, "pdftoppm"), "-r", strconv.Itoa(dpi), "-png", "-singlefile", in,
		filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	return filepath.Join(dir, "page.png")
}

func TestCertificateQRDecodes(t *testing.T) {
	zbar := tool(t, "zbarimg")
	r := mustRenderer(t)
	for name, c := range map[string]CertificateData{"typical": MustCertificateData(t), "long": longData(t)} {
		t.Run(name, func(t *testing.T) {
			page := rasterise(t, mustRender(t, r, c), 150)
			out, err := exec.Command(zbar, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", page).Output()
			if err != nil {
				t.Fatalf("zbarimg found no QR code: %v", err)
			}
			if got := strings.TrimSuffix(string(out), "\n"); got != c.VerifyURL {
				t.Errorf("zbarimg read %q, want %q", got, c.VerifyURL)
			}
			// The symbol is at least 30 mm wide: measure its pure-black pixels on the page.
			f, err := os.Open(page)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			minX, maxX := math.MaxInt, -1
			for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
				for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
					if r, g, b, _ := img.At(x, y).RGBA(); r|g|b == 0 {
						minX, maxX = min(minX, x), max(maxX, x)
					}
				}
			}
			if mm := float64(maxX-minX+1) / 150 * 25.4; mm < 30 {
				t.Errorf("QR code is %.1f mm wide, want ≥ 30 mm", mm)
			}
			// The quiet zone, four modules around the symbol, is white.
			code, err := qr.Encode(c.VerifyURL)
			if err != nil {
				t.Fatal(err)
			}
			px := float64(maxX-minX+1) / float64(code.Modules())
			minY, maxY := math.MaxInt, -1
			for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
				for x := minX; x <= maxX; x++ {
					if r, g, b, _ := img.At(x, y).RGBA(); r|g|b == 0 {
						minY, maxY = min(minY, y), max(maxY, y)
					}
				}
			}
			q := int(math.Ceil(4 * px))
			// One pixel of anti-aliased edge belongs to the symbol.
			for y := minY - q; y <= maxY+q; y++ {
				for x := minX - q; x <= maxX+q; x++ {
					if x >= minX-1 && x <= maxX+1 && y >= minY-1 && y <= maxY+1 {
						continue
					}
					if r, g, b, _ := img.At(x, y).RGBA(); min(r, g, b) < 0xf000 {
						t.Fatalf("pixel (%d,%d) in the quiet zone is not white", x, y)
					}
				}
			}
		})
	}
}

func TestCertificateGolden(t *testing.T) {
	b := mustRender(t, mustRenderer(t), MustCertificateData(t))
	sum := sha256.Sum256(b)
	got := hex.EncodeToString(sum[:]) + "\n"
	golden := filepath.Join("testdata", "certificate.pdf.sha256")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/document -run Golden -update)", err)
	}
	if got != string(want) {
		t.Errorf("SHA-256 of the rendered certificate = %s, want %s: the layout, a dependency or Go's compress/flate changed; "+
			"look at the page and rerun with -update if intended", strings.TrimSpace(got), strings.TrimSpace(string(want)))
	}
}

func TestCertificateDeterministic(t *testing.T) {
	c := MustCertificateData(t)
	first := mustRender(t, mustRenderer(t), c)
	if again := mustRender(t, mustRenderer(t), c); !bytes.Equal(first, again) {
		t.Fatal("two renderings of the same data differ")
	}
	// Concurrent renderings share the parsed fonts and the logo cache.
	r := mustRenderer(t)
	var wg sync.WaitGroup
	results := make([][]byte, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := r.Render(c)
			if err != nil {
				t.Error(err)
			}
			results[i] = b
		}()
	}
	wg.Wait()
	for i, b := range results {
		if !bytes.Equal(b, first) {
			t.Errorf("concurrent rendering %d differs", i)
		}
	}
	if !bytes.Contains(first, []byte("/CreationDate (D:20260320093000+09'00')")) {
		t.Error("creation date is not the issue time")
	}
}

// wordBox is a word's box from pdftotext -bbox, in points.
type wordBox struct {
	xMin, yMin, xMax, yMax float64
	word                   string
}

// wordBoxes returns the words of the page with their boxes, as pdftotext -bbox finds them.
func wordBoxes(t *testing.T, pdf []byte) []wordBox {
	t.Helper()
	out, err := exec.Command(tool(t, "pdftotext"), "-bbox", writeTemp(t, "c.pdf", pdf), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	var words []wordBox
	for _, m := range bboxWord.FindAllStringSubmatch(string(out), -1) {
		var w wordBox
		w.xMin, _ = strconv.ParseFloat(m[1], 64)
		w.yMin, _ = strconv.ParseFloat(m[2], 64)
		w.xMax, _ = strconv.ParseFloat(m[3], 64)
		w.yMax, _ = strconv.ParseFloat(m[4], 64)
		w.word = html.UnescapeString(m[5])
		words = append(words, w)
	}
	return words
}

var bboxWord = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

func TestCertificateLongValuesWrap(t *testing.T) {
	c := longData(t)
	pdf := mustRender(t, mustRenderer(t), c)
	text := extractText(t, pdf)
	for _, want := range []string{c.HolderName, c.ActivityTitle, c.Organizer, c.SignerTitle, c.SignerName, c.Position,
		c.OPDName, strings.ToUpper(c.BKPSDMName), "sebanyak 9999 jam pelajaran (JP)", "30 Maret – 14 Agustus 2026",
		"Periksa keaslian di " + c.PublicURL} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q\ngot: %s", want, text)
		}
	}
	// Every word lies inside the inner border and no two lines overlap.
	const mm = 72 / 25.4
	words := wordBoxes(t, pdf)
	for _, w := range words {
		if w.xMin < frameInner*mm || w.xMax > (pageW-frameInner)*mm || w.yMin < frameInner*mm || w.yMax > (pageH-frameInner)*mm {
			t.Errorf("word %q at (%.0f,%.0f)–(%.0f,%.0f) pt lies outside the border", w.word, w.xMin, w.yMin, w.xMax, w.yMax)
		}
	}
	if len(words) < 100 {
		t.Fatalf("pdftotext -bbox found %d words", len(words))
	}
	for i, a := range words {
		for _, b := range words[i+1:] {
			// Boxes from pdftotext include the font's full ascent and descent; allow a little.
			const slack = 1.5
			if a.xMin < b.xMax-slack && b.xMin < a.xMax-slack && a.yMin < b.yMax-slack && b.yMin < a.yMax-slack {
				t.Errorf("words %q and %q overlap", a.word, b.word)
			}
		}
	}
}

func TestCertificateFallbackFonts(t *testing.T) {
	c := MustCertificateData(t)
	latin := mustRender(t, mustRenderer(t), c)
	if !bytes.Contains(latin, []byte("/BaseFont /SRTKLR+DejaVuSerif")) {
		t.Error("Latin text is not set in the Latin subset")
	}
	c.HolderName = "Ωmega Σantoso, S.Si." // Greek is outside the Latin faces
	pdf := mustRender(t, mustRenderer(t), c)
	if !bytes.Contains(pdf, []byte("/BaseFont /DejaVuSerif-Bold ")) {
		t.Error("text outside the Latin faces does not fall back to the full face")
	}
	if bytes.Contains(pdf, []byte("/BaseFont /DejaVuSerif ")) || bytes.Contains(pdf, []byte("/BaseFont /DejaVuSerif-Italic ")) {
		t.Error("full faces embedded that no text needs")
	}
	if !bytes.Contains(pdf, []byte("/BaseFont /SRTKLB+DejaVuSerif-Bold")) {
		t.Error("the Latin characters of the bold text are not in the Latin face")
	}
	if text := extractText(t, pdf); !strings.Contains(text, c.HolderName) {
		t.Errorf("pdftotext output lacks %q\ngot: %s", c.HolderName, text)
	}
}

func TestCertificateLogo(t *testing.T) {
	r := mustRenderer(t)
	c := MustCertificateData(t)
	a := mustRender(t, r, c)
	mustRender(t, r, c)
	if len(r.logos) != 1 {
		t.Errorf("logo cache has %d entries after two renderings with one logo, want 1", len(r.logos))
	}
	// A JPEG logo works too, and no logo at all.
	var buf bytes.Buffer
	src, _ := png.Decode(bytes.NewReader(c.Logo))
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	c.Logo = buf.Bytes()
	if b := mustRender(t, r, c); bytes.Equal(a, b) {
		t.Error("a different logo gave the same PDF")
	}
	c.Logo = nil
	mustRender(t, r, c)
	c.Logo = []byte("not an image")
	if _, err := r.Render(c); err == nil {
		t.Error("a broken logo rendered without error")
	}
}

// TestCertificatePDFStructure checks the file's skeleton: every cross-reference entry points
// at its object, every stream's /Length is right, and the trailer names the catalog.
func TestCertificatePDFStructure(t *testing.T) {
	for name, c := range map[string]CertificateData{"typical": MustCertificateData(t), "long": longData(t)} {
		pdf := mustRender(t, mustRenderer(t), c)
		m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(pdf)
		if m == nil {
			t.Fatalf("%s: no startxref at the end", name)
		}
		at, _ := strconv.Atoi(string(m[1]))
		xref := regexp.MustCompile(`^xref\n0 (\d+)\n`).FindSubmatch(pdf[at:])
		if xref == nil {
			t.Fatalf("%s: startxref does not point at the xref table", name)
		}
		n, _ := strconv.Atoi(string(xref[1]))
		entries := pdf[at+len(xref[0]):]
		for i := 1; i < n; i++ {
			e := string(entries[20*i : 20*i+20])
			off, err := strconv.Atoi(e[:10])
			if err != nil || e[17] != 'n' {
				t.Fatalf("%s: bad xref entry %d: %q", name, i, e)
			}
			if want := fmt.Sprintf("%d 0 obj\n", i); !bytes.HasPrefix(pdf[off:], []byte(want)) {
				t.Errorf("%s: xref entry %d points at %q", name, i, pdf[off:off+12])
			}
		}
		streams := regexp.MustCompile(`/Length (\d+) >>\nstream\n`).FindAllSubmatchIndex(pdf, -1)
		if len(streams) < 5 {
			t.Fatalf("%s: found %d streams", name, len(streams))
		}
		for _, s := range streams {
			l, _ := strconv.Atoi(string(pdf[s[2]:s[3]]))
			if !bytes.HasPrefix(pdf[s[1]+l:], []byte("\nendstream\n")) {
				t.Errorf("%s: stream at %d is not %d bytes long", name, s[1], l)
			}
		}
		if !bytes.Contains(pdf, []byte("/Root 1 0 R")) || !bytes.HasPrefix(pdf, []byte("%PDF-1.7\n")) {
			t.Errorf("%s: no PDF header or root", name)
		}
	}
}

// TestLatinFacesCoverage: the Latin faces hold what Indonesian names, titles and the fixed
// text use, so certificates almost never need the full faces.
func TestLatinFacesCoverage(t *testing.T) {
	latin, err := fontSets.latin()
	if err != nil {
		t.Fatal(err)
	}
	const sample = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,;:'\"()/-–—‘’“”…•№ " +
		"ÀÁÂÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÖØÙÚÛÜÝàáâäåçèéêëìíîïñòóôöøùúûüýÿĀāĒēĪīŌōŪūŠšŽžŁłŞşĞğİı€"
	for _, f := range latin {
		for _, r := range sample {
			if !f.has(r) {
				t.Errorf("%s lacks %q (U+%04X)", f.baseFont, r, r)
			}
		}
	}
	if latin[certRegular].has('Ω') {
		t.Error("the Latin face has Greek: the subset is not what generate.sh makes")
	}
}

func TestCertificateRequiresVerifyURL(t *testing.T) {
	c := MustCertificateData(t)
	c.VerifyURL = ""
	if _, err := mustRenderer(t).Render(c); err == nil {
		t.Error("rendered a certificate without a QR code")
	}
}

// TestQRRects checks that the rectangles cover exactly the dark modules, once each.
func TestQRRects(t *testing.T) {
	for _, content := range []string{"HTTPS://X.GO.ID/V/S1", MustCertificateData(t).VerifyURL, longData(t).VerifyURL} {
		code, err := qr.Encode(content)
		if err != nil {
			t.Fatal(err)
		}
		n := code.Modules()
		cover := make([]int, n*n)
		rects := qrRects(code)
		for _, r := range rects {
			for y := r.y0; y < r.y1; y++ {
				for x := r.x0; x < r.x1; x++ {
					cover[y*n+x]++
				}
			}
		}
		dark := 0
		for y := 0; y < n; y++ {
			for x := 0; x < n; x++ {
				want := 0
				if code.Dark(x, y) {
					want = 1
					dark++
				}
				if cover[y*n+x] != want {
					t.Fatalf("module (%d,%d) covered %d times, want %d", x, y, cover[y*n+x], want)
				}
			}
		}
		t.Logf("version %d: %d dark modules in %d rectangles", code.Version(), dark, len(rects))
	}
}

// TestCertificatePreview writes the typical and long certificates as PDF and 60-dpi PNG to
// the directory in SERTIKA_PREVIEW_DIR, for a person to look at.
func TestCertificatePreview(t *testing.T) {
	dir := os.Getenv("SERTIKA_PREVIEW_DIR")
	if dir == "" {
		t.Skip("set SERTIKA_PREVIEW_DIR to write previews")
	}
	r := mustRenderer(t)
	for name, c := range map[string]CertificateData{"typical": MustCertificateData(t), "long": longData(t)} {
		pdf := mustRender(t, r, c)
		if err := os.WriteFile(filepath.Join(dir, name+".pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, dpi := range []int{60, 150} {
			b, err := os.ReadFile(rasterise(t, pdf, dpi))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, dpi)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// cpuTime is the CPU time this process has used, user and system: on a busy machine it
// measures the work per certificate better than the wall clock does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU time per operation and the operations per CPU-second.
func reportCPU(b *testing.B, start time.Duration) {
	per := float64(cpuTime()-start) / float64(b.N)
	b.ReportMetric(per, "cpu-ns/op")
	b.ReportMetric(float64(time.Second)/per, "pdf/cpu-s")
}

func BenchmarkRenderCertificate(b *testing.B) {
	r := mustRenderer(b)
	c := MustCertificateData(b)
	mustRender(b, r, c) // the logo is prepared once, outside the loop
	b.ReportAllocs()
	var size int
	start := cpuTime()
	for b.Loop() {
		size = len(mustRender(b, r, c))
	}
	reportCPU(b, start)
	b.ReportMetric(float64(size), "pdf-bytes")
}

// BenchmarkRenderCertificateFullFonts is the fallback path: text outside the Latin faces.
func BenchmarkRenderCertificateFullFonts(b *testing.B) {
	r := mustRenderer(b)
	c := MustCertificateData(b)
	c.HolderName = "Ωmega Σantoso, S.Si."
	mustRender(b, r, c)
	b.ReportAllocs()
	var size int
	start := cpuTime()
	for b.Loop() {
		size = len(mustRender(b, r, c))
	}
	reportCPU(b, start)
	b.ReportMetric(float64(size), "pdf-bytes")
}

// BenchmarkFpdfFontSetup is the road not taken: the letter's fpdf set-up (five DejaVu faces
// parsed per document) with one line of text, written out.
func BenchmarkFpdfFontSetup(b *testing.B) {
	b.ReportAllocs()
	start := cpuTime()
	defer reportCPU(b, start)
	for b.Loop() {
		pdf := New("L", "Sertifikat", "BKPSDM", time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC))
		pdf.AddPage()
		pdf.SetFont(Serif, "B", 28)
		pdf.CellFormat(0, 12, "SERTIFIKAT", "", 1, "C", false, 0, "")
		pdf.SetFont(Serif, "", 12)
		pdf.CellFormat(0, 6, "Dr. Hj. Siti Nur’aini Abdurrahman, S.E., M.Si. – 10–12 Maret 2026", "", 1, "C", false, 0, "")
		if _, err := Bytes(pdf); err != nil {
			b.Fatal(err)
		}
	}
}
