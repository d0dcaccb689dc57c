package verifier

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/document"
	"github.com/sertika/sertika/internal/qr"
)

// testURL is a verification URL of a certificate signed with testKey.
func testURL(t testing.TB) string {
	t.Helper()
	tok, err := Sign(testClaim, "TESTKIDA", testKey)
	if err != nil {
		t.Fatal(err)
	}
	short, err := Short(tok)
	if err != nil {
		t.Fatal(err)
	}
	return VerifyURL("https://sertika.example.go.id", short)
}

func qrPNG(t testing.TB, content string, moduleSize int) []byte {
	t.Helper()
	code, err := qr.Encode(content)
	if err != nil {
		t.Fatal(err)
	}
	b, err := code.PNG(moduleSize)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodePNG(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// onPage places img on a larger white "photo" with some text-like clutter around it.
func onPage(img image.Image, w, h, x, y int) *image.RGBA {
	page := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(page, page.Bounds(), image.NewUniform(color.RGBA{0xf4, 0xf1, 0xe8, 0xff}), image.Point{}, draw.Src)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 400; i++ { // "words"
		wx, wy := r.IntN(w-40), r.IntN(h-10)
		draw.Draw(page, image.Rect(wx, wy, wx+10+r.IntN(30), wy+4+r.IntN(4)), image.NewUniform(color.RGBA{0x20, 0x20, 0x30, 0xff}), image.Point{}, draw.Src)
	}
	b := img.Bounds()
	draw.Draw(page, image.Rect(x, y, x+b.Dx(), y+b.Dy()), img, b.Min, draw.Src)
	return page
}

func mustExtract(t *testing.T, data []byte) string {
	t.Helper()
	got, err := ExtractToken(data)
	if err != nil {
		t.Fatalf("ExtractToken: %v (%s)", err, DecodeMessage(err))
	}
	return got
}

// assertVerifies checks that what was read is the URL and verifies offline as genuine.
func assertVerifies(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("read %q, want %q", got, want)
	}
	if res := Verify(context.Background(), got, testSet, nil); res.Status != StatusValid {
		t.Fatalf("Verify = %s %+v", res.Status, res.Checks)
	}
}

func TestExtractTokenPNG(t *testing.T) {
	url := testURL(t)
	for _, m := range []int{1, 2, 3, 4, 8, 16} {
		t.Run(fmt.Sprintf("%dpx per module", m), func(t *testing.T) {
			assertVerifies(t, mustExtract(t, qrPNG(t, url, m)), url)
		})
	}
	t.Run("lower case URL in the QR", func(t *testing.T) {
		lower := strings.ToLower(url)
		got := mustExtract(t, qrPNG(t, lower, 4))
		if got != lower {
			t.Fatalf("read %q", got)
		}
		if res := Verify(context.Background(), got, testSet, nil); res.Status != StatusValid {
			t.Errorf("Verify = %s", res.Status)
		}
	})
	t.Run("on a cluttered page, RGBA", func(t *testing.T) {
		page := onPage(decodePNG(t, qrPNG(t, url, 4)), 1600, 1100, 200, 600)
		var buf bytes.Buffer
		if err := png.Encode(&buf, page); err != nil {
			t.Fatal(err)
		}
		assertVerifies(t, mustExtract(t, buf.Bytes()), url)
	})
	t.Run("compact JWS in the QR", func(t *testing.T) {
		tok := mustSign(t, testClaim, "TESTKIDA", testKey)
		assertVerifies(t, mustExtract(t, qrPNG(t, tok, 3)), tok)
	})
}

func TestExtractTokenJPEG(t *testing.T) {
	url := testURL(t)
	for _, tc := range []struct {
		name    string
		module  int
		quality int
	}{{"3px q40", 3, 40}, {"4px q75", 4, 75}, {"6px q30", 6, 30}} {
		t.Run(tc.name, func(t *testing.T) {
			page := onPage(decodePNG(t, qrPNG(t, url, tc.module)), 1800, 1300, 900, 300)
			assertVerifies(t, mustExtract(t, encodeJPEG(t, page, tc.quality)), url)
		})
	}
	t.Run("grey JPEG", func(t *testing.T) {
		src := decodePNG(t, qrPNG(t, url, 4))
		g := image.NewGray(src.Bounds())
		draw.Draw(g, g.Bounds(), src, src.Bounds().Min, draw.Src)
		assertVerifies(t, mustExtract(t, encodeJPEG(t, g, 60)), url)
	})
}

// certificateData is a certificate whose QR holds url.
func certificateData(url string) document.CertificateData {
	return document.CertificateData{
		AgencyName: "Pemerintah Kota Tidore Kepulauan", BKPSDMName: "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
		AgencyCity: "Tidore", Number: "800.1/0001/SERT/BKPSDM/2026", HolderName: "Andi Wijaya, S.Pd.",
		NIP: testClaim.Subject, Position: "Guru", OPDName: "Dinas Pendidikan", ActivityTitle: "Bimbingan Teknis Kurikulum",
		KindLabel: "Pelatihan Teknis", Organizer: "BKPSDM", StartDate: testClaim.StartDate().Time, EndDate: testClaim.EndDate().Time,
		JP: testClaim.JP, Place: "Tidore", IssuedAt: issuedAt, SignerName: "Drs. H. Abdullah Kasim, M.Si.",
		SignerNIP: "196608011988031001", SignerTitle: "Kepala BKPSDM", SignerRank: "Pembina Utama Muda (IV/c)",
		VerifyURL: url, ShortCode: "ABCD-EFGH-IJKL-MNOP", PublicURL: "https://sertika.example.go.id",
	}
}

func renderCertificate(t testing.TB, url string) []byte {
	t.Helper()
	r, err := document.NewCertificateRenderer()
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := r.Render(certificateData(url))
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

func TestExtractTokenOurPDF(t *testing.T) {
	url := testURL(t)
	pdf := renderCertificate(t, url)
	assertVerifies(t, mustExtract(t, pdf), url)

	// Each of the two ways our PDFs carry the token works on its own.
	var vector, links []string
	budget := maxPDFInflated
	for _, st := range pdfStreams(pdf) {
		if b, ok := inflateStream(st, &budget); ok {
			vector = append(vector, vectorQRs(b)...)
		}
	}
	links = pdfURIs(pdf)
	if len(vector) != 1 || vector[0] != url {
		t.Errorf("QR rebuilt from the drawing = %q, want [%q]", vector, url)
	}
	if len(links) != 1 || links[0] != url {
		t.Errorf("link annotations = %q, want [%q]", links, url)
	}
	if !bytes.Contains(pdf, []byte("/Subtype /Link")) || !bytes.Contains(pdf, []byte("/Annots [")) {
		t.Error("the certificate PDF has no link annotation")
	}

	// With the drawing unreadable (another tool re-compressed the content), the link is used.
	noDrawing := bytes.ReplaceAll(pdf, []byte("/Filter /FlateDecode /Length"), []byte("/Filter /LZWDecode /Length"))
	assertVerifies(t, mustExtract(t, noDrawing), url)
}

// pdfObjects writes a one-page PDF from object bodies (object 1 is the catalog), with a
// correct cross-reference table.
func pdfObjects(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}

// imagePDF is a scanned-certificate PDF: one page showing one image XObject.
func imagePDF(imageDict string, data []byte) []byte {
	content := "q 500 0 0 350 40 40 cm /Im0 Do Q\n"
	return pdfObjects(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im0 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		fmt.Sprintf("%s /Length 6 0 R >>\nstream\n%s\nendstream", imageDict, data),
		fmt.Sprint(len(data)),
	)
}

func zlibBytes(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestExtractTokenScannedPDF(t *testing.T) {
	url := testURL(t)
	photo := onPage(decodePNG(t, qrPNG(t, url, 4)), 1400, 1000, 150, 500)
	w, h := photo.Bounds().Dx(), photo.Bounds().Dy()
	t.Run("JPEG image (DCTDecode)", func(t *testing.T) {
		dict := fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode", w, h)
		assertVerifies(t, mustExtract(t, imagePDF(dict, encodeJPEG(t, photo, 70))), url)
	})
	t.Run("grey Flate image with PNG predictors", func(t *testing.T) {
		g := toGray(photo)
		var raw []byte
		prev := make([]byte, w)
		for y := 0; y < h; y++ {
			row := g.Pix[y*g.Stride : y*g.Stride+w]
			raw = append(raw, 2) // "up" filter
			for x := range row {
				raw = append(raw, row[x]-prev[x])
			}
			prev = row
		}
		dict := fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "+
			"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 1 /Columns %d >>", w, h, w)
		assertVerifies(t, mustExtract(t, imagePDF(dict, zlibBytes(raw))), url)
	})
	t.Run("RGB Flate image", func(t *testing.T) {
		raw := make([]byte, 0, 3*w*h)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				o := photo.PixOffset(x, y)
				raw = append(raw, photo.Pix[o:o+3]...)
			}
		}
		dict := fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode", w, h)
		assertVerifies(t, mustExtract(t, imagePDF(dict, zlibBytes(raw))), url)
	})
	t.Run("1-bit Flate image", func(t *testing.T) {
		g := toGray(photo)
		rowBytes := (w + 7) / 8
		raw := make([]byte, rowBytes*h)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				if g.Pix[y*g.Stride+x] > 128 {
					raw[y*rowBytes+x/8] |= 0x80 >> (x % 8)
				}
			}
		}
		dict := fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode", w, h)
		assertVerifies(t, mustExtract(t, imagePDF(dict, zlibBytes(raw))), url)
	})
}

// pngWithSize is a PNG whose header declares w×h pixels but which holds almost no data.
func pngWithSize(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit grey
	chunk("IHDR", ihdr)
	chunk("IDAT", zlibBytes(make([]byte, 64)))
	chunk("IEND", nil)
	return b.Bytes()
}

func TestExtractTokenErrors(t *testing.T) {
	url := testURL(t)
	good := qrPNG(t, url, 4)
	textPDF := pdfObjects(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"<< /Length 44 >>\nstream\nBT /F1 24 Tf 72 720 Td (Sertifikat) Tj ET\n\nendstream",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	)
	// A link in a PDF to somewhere that is not a certificate is not a token.
	linkPDF := pdfObjects("<< /Type /Catalog >>", "<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://example.org/v/abc) >> >>")
	jpegGarbage := append([]byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{0x5a, 0xa5}, 4000)...)
	hugeJPEG := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 8, 8)), 50)
	// Rewrite the SOF0 frame's height and width to 60000×60000.
	if i := bytes.Index(hugeJPEG, []byte{0xff, 0xc0}); i > 0 {
		binary.BigEndian.PutUint16(hugeJPEG[i+5:], 60000)
		binary.BigEndian.PutUint16(hugeJPEG[i+7:], 60000)
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrEmptyInput},
		{"text file", []byte("Sertifikat ini sah.\nHTTPS://NOT.A.TOKEN/\n"), ErrUnsupported},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), ErrUnsupported},
		{"PDF without a QR code", textPDF, ErrNoQR},
		{"PDF linking elsewhere", linkPDF, ErrNoQR},
		{"PDF header only", []byte("%PDF-1.7\n"), ErrUnreadable},
		{"truncated PNG", good[:len(good)/2], ErrUnreadable},
		{"PNG header only", good[:8], ErrUnreadable},
		{"JPEG header with a garbage body", jpegGarbage, ErrUnreadable},
		{"PNG declaring 100000×100000 pixels", pngWithSize(100000, 100000), ErrTooLarge},
		{"PNG declaring 7000×7000 pixels", pngWithSize(7000, 7000), ErrTooLarge},
		{"JPEG declaring 60000×60000 pixels", hugeJPEG, ErrTooLarge},
		{"over 20 MB", append([]byte("%PDF-1.7\n"), make([]byte, MaxUploadBytes)...), ErrTooLarge},
		{"blank PNG", func() []byte {
			var buf bytes.Buffer
			png.Encode(&buf, image.NewGray(image.Rect(0, 0, 300, 300)))
			return buf.Bytes()
		}(), ErrNoQR},
		{"QR code of something else", qrPNG(t, "https://example.org/", 4), ErrNotCertificate},
		{"QR code of a forged short token", qrPNG(t, "HTTPS://X.GO.ID/V/S1.NOTATOKEN", 4), ErrNotCertificate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ExtractToken(tc.data)
			if !errors.Is(err, tc.want) {
				t.Fatalf("ExtractToken = %q, %v; want %v", got, err, tc.want)
			}
			if got != "" {
				t.Errorf("a token %q came back with the error", got)
			}
			if msg := DecodeMessage(err); msg == "" || msg == DecodeMessage(errors.New("other")) {
				t.Errorf("no specific message for %v", err)
			}
		})
	}
}

// TestExtractTokenNeverPanics feeds damaged versions of good files: every one gives a token
// or an error, never a panic (a panic is turned into ErrUnreadable, which must not happen
// either, as it would hide a decoder bug).
func TestExtractTokenNeverPanics(t *testing.T) {
	url := testURL(t)
	page := onPage(decodePNG(t, qrPNG(t, url, 3)), 600, 500, 100, 100)
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, page)
	seeds := [][]byte{pngBuf.Bytes(), encodeJPEG(t, page, 50), renderCertificate(t, url)}
	r := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 60; i++ {
		b := bytes.Clone(seeds[i%len(seeds)])
		for j := 0; j < 1+r.IntN(20); j++ {
			b[8+r.IntN(len(b)-8)] = byte(r.Uint32())
		}
		if i%4 == 0 {
			b = b[:8+r.IntN(len(b)-8)]
		}
		_, err := ExtractToken(b)
		if err != nil && strings.Contains(err.Error(), "decoder failed") {
			t.Errorf("mutation %d: %v", i, err)
		}
	}
}

func FuzzExtractToken(f *testing.F) {
	f.Add(qrPNG(f, "HTTPS://X.GO.ID/V/S1", 1))
	f.Add([]byte("%PDF-1.4\n1 0 obj\n<< /Length 5 >>\nstream\nxxxxx\nendstream\nendobj\n"))
	f.Add([]byte("%PDF-1.4\n<< /Subtype /Image /Width 2 /Height 2 /BitsPerComponent 8 /ColorSpace /DeviceGray >>\nstream\nabcd\nendstream\n"))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xdb})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		tok, err := ExtractToken(b)
		if err == nil && tok == "" {
			t.Error("no token and no error")
		}
		if err != nil && strings.Contains(err.Error(), "decoder failed") {
			t.Error(err)
		}
	})
}

func TestExtractTokenContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 400, 400)))
	start := time.Now()
	if _, err := ExtractTokenContext(ctx, buf.Bytes()); !errors.Is(err, ErrNoQR) {
		t.Errorf("err = %v, want ErrNoQR", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a cancelled extraction took %v", d)
	}
}

// TestExtractTokenDamagedPhoto reads a kept picture of a real issued certificate at 100 dpi,
// rotated, blurred, stained and saved as JPEG at quality 40 (made by the issuer's
// TestQRSurvivesPhotoDamage with SERTIKA_UPDATE_TESTDATA=1), and verifies it offline against
// the key set kept beside it.
func TestExtractTokenDamagedPhoto(t *testing.T) {
	photo, err := os.ReadFile(filepath.Join("testdata", "photo-100dpi-damaged.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join("testdata", "photo-jwks.json"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := ParseJWKS(js)
	if err != nil {
		t.Fatal(err)
	}
	tok := mustExtract(t, photo)
	if !strings.HasPrefix(tok, "HTTPS://SERTIKA.EXAMPLE.GO.ID/V/S1.") {
		t.Errorf("read %q", tok)
	}
	res := Verify(context.Background(), tok, set, nil)
	if res.Status != StatusValid || res.Claims.Issuer != "TIDORE" || res.StatusChecked {
		t.Errorf("Verify = %s %+v", res.Status, res.Checks)
	}
}

// phonePhoto is a 12-megapixel JPEG of a cluttered page with the QR code at 12 pixels per
// module, or without one.
func phonePhoto(b *testing.B, url string) []byte {
	b.Helper()
	code := image.Image(image.NewGray(image.Rect(0, 0, 10, 10)))
	if url != "" {
		code = decodePNG(b, qrPNG(b, url, 12))
	}
	return encodeJPEG(b, onPage(code, 4000, 3000, 600, 1800), 85)
}

func BenchmarkExtractTokenPDF(b *testing.B) {
	pdf := renderCertificate(b, testURL(b))
	for b.Loop() {
		if _, err := ExtractToken(pdf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExtractTokenPhoto(b *testing.B) {
	photo := phonePhoto(b, testURL(b))
	for b.Loop() {
		if _, err := ExtractToken(photo); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtractTokenPhotoNoQR is the slowest path: every variant is tried.
func BenchmarkExtractTokenPhotoNoQR(b *testing.B) {
	photo := phonePhoto(b, "")
	for b.Loop() {
		if _, err := ExtractToken(photo); !errors.Is(err, ErrNoQR) {
			b.Fatal(err)
		}
	}
}
