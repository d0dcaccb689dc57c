package document

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // agency logos may be JPEG
	"image/png"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/sertika/sertika/internal/qr"
)

// Certificates are drawn by the small writer in pdfpage.go, not by fpdf as letters are:
// fpdf parses every TrueType face again for each document (about 27 ms a certificate) and
// gopdf, which can keep parsed faces, still subsets and compresses them for each one. Here
// the faces are parsed and compressed once per process and copied into every certificate.
// They are Latin subsets of DejaVu Serif (fonts/latin, made by fonts/latin/generate.sh) that
// hold what Indonesian names and titles use; a character outside them is set in the full
// DejaVu face of the same style, which is then embedded too. docs/performance.md has the
// measurements behind this choice.

//go:embed fonts/latin/*.ttf
var latinFS embed.FS

// The styles used on the certificate. Faces 0–2 are the Latin subsets, 3–5 the full faces
// that stand in for characters the subsets lack.
const (
	certRegular = iota
	certBold
	certItalic
	certStyles
)

// fontSets holds the prepared faces, once per process; they are read-only afterwards.
var fontSets = struct {
	latin, full func() ([certStyles]*ttfFace, error)
}{
	latin: sync.OnceValues(func() ([certStyles]*ttfFace, error) {
		return loadFaces(func(f string) ([]byte, error) { return latinFS.ReadFile("fonts/latin/" + f) },
			[certStyles][2]string{
				{"DejaVuSerif-Latin.ttf", "SRTKLR+DejaVuSerif"},
				{"DejaVuSerif-Bold-Latin.ttf", "SRTKLB+DejaVuSerif-Bold"},
				{"DejaVuSerif-Italic-Latin.ttf", "SRTKLI+DejaVuSerif-Italic"},
			})
	}),
	full: sync.OnceValues(func() ([certStyles]*ttfFace, error) {
		return loadFaces(func(f string) ([]byte, error) { return fontBytes[f], nil },
			[certStyles][2]string{
				{"DejaVuSerif.ttf", "DejaVuSerif"},
				{"DejaVuSerif-Bold.ttf", "DejaVuSerif-Bold"},
				{"DejaVuSerif-Italic.ttf", "DejaVuSerif-Italic"},
			})
	}),
}

func loadFaces(read func(string) ([]byte, error), files [certStyles][2]string) ([certStyles]*ttfFace, error) {
	var faces [certStyles]*ttfFace
	for i, f := range files {
		b, err := read(f[0])
		if err != nil {
			return faces, err
		}
		if faces[i], err = parseTTF(f[1], b); err != nil {
			return faces, fmt.Errorf("%s: %w", f[0], err)
		}
	}
	return faces, nil
}

// CertificateData is what a certificate shows. Every string is printed as given (Bahasa
// Indonesia); times are printed as dates in their own location.
type CertificateData struct {
	AgencyName string // "Pemerintah Kota Tidore Kepulauan"
	BKPSDMName string // "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"
	AgencyCity string // the place of signing when Place is empty
	Logo       []byte // PNG or JPEG; optional

	Number               string // certificate number
	HolderName           string // with academic titles
	NIP                  string // 18 digits; printed in groups
	Position             string
	OPDName              string
	ActivityTitle        string
	KindLabel            string // "Bimbingan Teknis"
	Organizer            string
	StartDate, EndDate   time.Time
	JP                   int
	RecommendationNumber string
	Place                string // where it was signed, usually the city
	IssuedAt             time.Time

	SignerName  string
	SignerNIP   string
	SignerTitle string // "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia"
	SignerRank  string // "Pembina Utama Muda (IV/c)"

	VerifyURL string // the QR content: verifier.VerifyURL(publicURL, short)
	ShortCode string // printed under the QR: "ABCD-EFGH-IJKL-MNOP"
	PublicURL string // named in the footer
}

// CertificateRenderer draws certificates as one-page A4 landscape PDFs. Build one per
// process and share it: it is safe for concurrent use, the fonts are prepared once per
// process, and each distinct logo is decoded and prepared once.
type CertificateRenderer struct {
	latin [certStyles]*ttfFace

	mu    sync.Mutex
	logos map[[sha256.Size]byte]*pdfImage
}

// NewCertificateRenderer prepares the certificate fonts (once per process) and returns a
// renderer.
func NewCertificateRenderer() (*CertificateRenderer, error) {
	latin, err := fontSets.latin()
	if err != nil {
		return nil, fmt.Errorf("certificate fonts: %w", err)
	}
	return &CertificateRenderer{latin: latin, logos: map[[sha256.Size]byte]*pdfImage{}}, nil
}

// maxLogos bounds the logo cache; an installation has one logo at a time.
const maxLogos = 8

// maxLogoSide is the most pixels a logo keeps a side: 600 px over the 20 mm printed is
// about 760 dpi.
const maxLogoSide = 600

// logo returns the image object of a logo, preparing it on first use: decoded, flattened
// onto white (the page is white), reduced, and compressed once as PNG-predicted RGB, which
// PDF readers decode as it is.
func (r *CertificateRenderer) logo(b []byte) (*pdfImage, error) {
	key := sha256.Sum256(b)
	r.mu.Lock()
	img, ok := r.logos[key]
	r.mu.Unlock()
	if ok {
		return img, nil
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("logo: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > 8000 || cfg.Height > 8000 {
		return nil, fmt.Errorf("logo: %d×%d pixels out of range", cfg.Width, cfg.Height)
	}
	src, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("logo: %w", err)
	}
	flat := image.NewRGBA(image.Rect(0, 0, src.Bounds().Dx(), src.Bounds().Dy()))
	draw.Draw(flat, flat.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), src, src.Bounds().Min, draw.Over)
	small := shrink(flat, maxLogoSide)
	var buf bytes.Buffer
	// Every pixel is opaque, so image/png writes 8-bit RGB, which PDF's Flate filter with
	// PNG predictors reads directly.
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, small); err != nil {
		return nil, fmt.Errorf("logo: %w", err)
	}
	data, err := pngIDAT(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("logo: %w", err)
	}
	w, h := small.Bounds().Dx(), small.Bounds().Dy()
	img = &pdfImage{
		dict: fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "+
			"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors 3 /BitsPerComponent 8 /Columns %d >>", w, h, w),
		data: data,
		w:    w, h: h,
	}
	r.mu.Lock()
	if len(r.logos) >= maxLogos {
		clear(r.logos)
	}
	r.logos[key] = img
	r.mu.Unlock()
	return img, nil
}

// pngIDAT returns the compressed image data of a PNG written by image/png as 8-bit RGB.
func pngIDAT(b []byte) ([]byte, error) {
	if len(b) < 33 || string(b[1:4]) != "PNG" || string(b[12:16]) != "IHDR" || b[24] != 8 || b[25] != 2 || b[28] != 0 {
		return nil, errors.New("not an 8-bit RGB PNG")
	}
	var data []byte
	for at := 8; at+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[at:]))
		if at+12+n > len(b) {
			return nil, errors.New("truncated PNG")
		}
		if string(b[at+4:at+8]) == "IDAT" {
			data = append(data, b[at+8:at+8+n]...)
		}
		at += 12 + n
	}
	return data, nil
}

// shrink reduces an image by a whole factor (box filter) until its longer side is at most
// limit pixels.
func shrink(src *image.RGBA, limit int) *image.RGBA {
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	f := (max(w, h) + limit - 1) / limit
	if f <= 1 {
		return src
	}
	dst := image.NewRGBA(image.Rect(0, 0, w/f, h/f))
	for y := 0; y < h/f; y++ {
		for x := 0; x < w/f; x++ {
			var sr, sg, sb int
			for dy := 0; dy < f; dy++ {
				o := src.PixOffset(x*f, y*f+dy)
				for dx := 0; dx < f; dx++ {
					sr += int(src.Pix[o])
					sg += int(src.Pix[o+1])
					sb += int(src.Pix[o+2])
					o += 4
				}
			}
			n := f * f
			o := dst.PixOffset(x, y)
			dst.Pix[o], dst.Pix[o+1], dst.Pix[o+2], dst.Pix[o+3] = uint8(sr/n), uint8(sg/n), uint8(sb/n), 0xff
		}
	}
	return dst
}

// Page geometry in millimetres (A4 landscape).
const (
	pageW, pageH = 297.0, 210.0
	centerX      = pageW / 2
	frameOuter   = 9.0  // outer border inset
	frameInner   = 12.2 // inner border inset
	contentL     = 24.0 // text column
	contentR     = pageW - 24.0
	qrSide       = 32.0 // the QR symbol without its quiet zone; the issue asks for ≥ 30 mm
	qrCenterX    = 56.0
	signCenterX  = 226.0
	signWidth    = 96.0
)

var (
	navy  = [3]uint8{0x0b, 0x3d, 0x6e}
	gold  = [3]uint8{0xb0, 0x86, 0x1c}
	ink   = [3]uint8{0x1a, 0x1a, 0x1a}
	grey  = [3]uint8{0x55, 0x55, 0x55}
	black = [3]uint8{0, 0, 0}
)

// certificate is one rendering in progress.
type certificate struct {
	page   *pdfPage
	choose faceChooser
}

// Render draws one certificate. The output depends only on c: the PDF's dates are c.IssuedAt,
// its identifier is a hash of its content, and nothing random is written, so the same data
// gives the same bytes.
func (r *CertificateRenderer) Render(c CertificateData) ([]byte, error) {
	if c.VerifyURL == "" {
		return nil, errors.New("certificate: no verification URL for the QR code")
	}
	code, err := qr.Encode(c.VerifyURL)
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	var logo *pdfImage
	if len(c.Logo) > 0 {
		if logo, err = r.logo(c.Logo); err != nil {
			return nil, fmt.Errorf("certificate: %w", err)
		}
	}
	fonts := make([]*ttfFace, 2*certStyles)
	copy(fonts, r.latin[:])
	choose := func(face int, _ rune) int { return face }
	if !r.coversAll(c) {
		full, err := fontSets.full()
		if err != nil {
			return nil, fmt.Errorf("certificate fonts: %w", err)
		}
		copy(fonts[certStyles:], full[:])
		choose = func(face int, ch rune) int {
			if fonts[face].has(ch) || !fonts[face+certStyles].has(ch) {
				return face
			}
			return face + certStyles
		}
	}

	d := &certificate{page: newPDFPage(pageW, pageH, fonts), choose: choose}
	d.frame()
	top := d.header(c, logo)
	// The footer sits on the lower border; the QR and signature blocks stand on the footer;
	// the body takes the space left between them and the header.
	blocksBottom := d.footer(c) - 2.5
	sig := d.signatureLayout(c)
	sigTop, qrTop := blocksBottom-sig.height, blocksBottom-qrBlockHeight
	d.body(c, top+3, math.Min(sigTop, qrTop)-2.5)
	d.qrBlock(c, code, qrTop)
	d.signature(sig, sigTop)

	b, err := d.page.bytes(pdfInfo{
		Title:   "Sertifikat " + c.Number,
		Subject: "Sertifikat pengembangan kompetensi " + c.HolderName,
		Author:  orDefault(c.BKPSDMName, c.AgencyName),
		Creator: "Sertika",
		Created: c.IssuedAt,
	})
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	return b, nil
}

// coversAll reports whether the Latin faces have every character of the printed text.
func (r *CertificateRenderer) coversAll(c CertificateData) bool {
	for _, s := range []string{c.AgencyName, c.BKPSDMName, c.AgencyCity, c.Number, c.HolderName, c.NIP, c.Position,
		c.OPDName, c.ActivityTitle, c.KindLabel, c.Organizer, c.RecommendationNumber, c.Place, c.SignerName,
		c.SignerNIP, c.SignerTitle, c.SignerRank, c.ShortCode, c.PublicURL} {
		for i := 0; i < len(s); i++ {
			if s[i] < 0x80 {
				continue // the faces have all of printable ASCII
			}
			for _, ch := range s[i:] {
				for _, f := range r.latin {
					if ch >= 0x80 && !f.has(ch) {
						return false
					}
				}
			}
			break
		}
	}
	return true
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// --- drawing helpers --------------------------------------------------------------------

func (d *certificate) font(face int, size float64) { d.page.setFont(face, size) }

func (d *certificate) color(c [3]uint8) { d.page.setFillColor(c) }

func (d *certificate) width(s string) float64 { return d.page.textWidth(s, d.choose) }

// text draws s with its top-left corner at x, y.
func (d *certificate) text(x, y float64, s string) { d.page.text(x, y, s, d.choose) }

// centered draws s centred on cx with its top at y and returns its width.
func (d *certificate) centered(cx, y float64, s string) float64 {
	w := d.width(s)
	d.text(cx-w/2, y, s)
	return w
}

// fitSize sets and returns the largest size from hi down to lo (in steps of 0.5 pt) at
// which s fits in width, or lo.
func (d *certificate) fitSize(face int, s string, hi, lo, width float64) float64 {
	size := hi
	for ; size > lo; size -= 0.5 {
		d.font(face, size)
		if d.width(s) <= width {
			return size
		}
	}
	d.font(face, lo)
	return lo
}

// wrap breaks s into lines no wider than width in the current font. A word wider than the
// line is put on a line of its own (and may overflow; none of the real values do).
func (d *certificate) wrap(s string, width float64) []string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return nil
	}
	space := d.width(" ")
	var lines []string
	line, lineW := words[0], d.width(words[0])
	for _, w := range words[1:] {
		ww := d.width(w)
		if lineW+space+ww <= width {
			line += " " + w
			lineW += space + ww
			continue
		}
		lines = append(lines, line)
		line, lineW = w, ww
	}
	return append(lines, line)
}

// wrapFit finds the largest size from hi down to lo at which s takes at most maxLines
// lines of width, and returns those lines (at size lo it returns however many it takes).
func (d *certificate) wrapFit(face int, s string, hi, lo, width float64, maxLines int) ([]string, float64) {
	for size := hi; ; size -= 0.5 {
		size = max(size, lo)
		d.font(face, size)
		lines := d.wrap(s, width)
		if len(lines) <= maxLines || size == lo {
			return lines, size
		}
	}
}

func (d *certificate) stroke(c [3]uint8, width float64) { d.page.setStroke(c, width) }

// fillRect fills a rectangle given by its top-left corner in colour c.
func (d *certificate) fillRect(x, y, w, h float64, c [3]uint8) {
	d.color(c)
	d.page.rect(x, y, w, h, "f")
}

// --- the page ---------------------------------------------------------------------------

// frame draws a formal double border with small corner ornaments.
func (d *certificate) frame() {
	d.stroke(navy, 1.4)
	d.page.rect(frameOuter, frameOuter, pageW-2*frameOuter, pageH-2*frameOuter, "S")
	d.stroke(gold, 0.45)
	d.page.rect(frameInner, frameInner, pageW-2*frameInner, pageH-2*frameInner, "S")
	// A gold diamond at each corner between the two lines.
	m := (frameOuter + frameInner) / 2
	d.color(gold)
	for _, p := range [][2]float64{{m, m}, {pageW - m, m}, {m, pageH - m}, {pageW - m, pageH - m}} {
		const r = 2.6
		d.page.polygon([][2]float64{{p[0], p[1] - r}, {p[0] + r, p[1]}, {p[0], p[1] + r}, {p[0] - r, p[1]}})
	}
}

// header draws the logo and the agency's name, centred, closed by a double rule.
func (d *certificate) header(c CertificateData, logo *pdfImage) (bottom float64) {
	y := 16.0
	if logo != nil {
		const boxH = 19.5
		h := boxH
		w := h * float64(logo.w) / float64(logo.h)
		if w > 40 {
			w, h = 40, 40*float64(logo.h)/float64(logo.w)
		}
		d.page.drawImage(logo, centerX-w/2, y+(boxH-h)/2, w, h)
		y += boxH + 2
	} else {
		y += 6
	}
	d.color(navy)
	const width = contentR - contentL
	if s := strings.ToUpper(strings.TrimSpace(c.AgencyName)); s != "" {
		d.fitSize(certBold, s, 13, 9, width)
		d.centered(centerX, y, s)
		y += 5.6
	}
	if s := strings.ToUpper(strings.TrimSpace(c.BKPSDMName)); s != "" {
		d.fitSize(certBold, s, 11.5, 8, width)
		d.centered(centerX, y, s)
		y += 5
	}
	y += 1.2
	d.stroke(navy, 0.7)
	d.page.line(60, y, pageW-60, y)
	d.stroke(gold, 0.3)
	d.page.line(60, y+1.1, pageW-60, y+1.1)
	return y + 1.1
}

// line is one line of centred text in a face and size.
type line struct {
	face   int
	size   float64
	text   string
	color  [3]uint8
	height float64 // advance to the next line
	space  float64 // extra space before the line
	track  float64 // character spacing in mm
}

// body lays out the title, the holder and the statement between the header and the bottom
// blocks, shrinking everything a little when long values would not fit.
func (d *certificate) body(c CertificateData, top, bottom float64) {
	var lines []line
	for _, scale := range []float64{1, 0.94, 0.88, 0.82, 0.76, 0.7} {
		lines = d.bodyLines(c, scale)
		if total := linesHeight(lines); total <= bottom-top || scale == 0.7 {
			// Centre the block in the space it has, leaning upwards.
			top += (bottom - top - total) * 0.35
			break
		}
	}
	y := top
	for _, l := range lines {
		y += l.space
		d.font(l.face, l.size)
		d.color(l.color)
		d.page.setTrack(l.track)
		d.centered(centerX, y, l.text)
		d.page.setTrack(0)
		y += l.height
	}
}

func linesHeight(lines []line) float64 {
	var h float64
	for _, l := range lines {
		h += l.space + l.height
	}
	return h
}

const ptToMM = 25.4 / 72

func (d *certificate) bodyLines(c CertificateData, scale float64) []line {
	var out []line
	add := func(face int, size float64, col [3]uint8, space, lead float64, texts ...string) {
		for i, t := range texts {
			l := line{face: face, size: size, text: t, color: col, height: size * ptToMM * lead}
			if i == 0 {
				l.space = space
			}
			out = append(out, l)
		}
	}
	const width = contentR - contentL
	add(certBold, 30*scale, navy, 0, 1.2, "SERTIFIKAT")
	out[len(out)-1].track = 1.6 * scale
	add(certRegular, 11*scale, ink, 0.5, 1.3, "Nomor: "+c.Number)
	add(certItalic, 11*scale, grey, 4*scale, 1.4, "diberikan kepada:")

	name, size := d.wrapFit(certBold, c.HolderName, 21*scale, 14*scale, width-20, 1)
	if len(name) > 1 {
		name, size = d.wrapFit(certBold, c.HolderName, 17*scale, 13*scale, width-20, 2)
	}
	add(certBold, size, ink, 1.5*scale, 1.25, name...)
	add(certRegular, 11.5*scale, ink, 0.3, 1.35, "NIP "+FormatNIP(c.NIP))

	var role []string
	if p := strings.TrimSpace(c.Position); p != "" {
		role = append(role, p)
	}
	if o := strings.TrimSpace(c.OPDName); o != "" {
		role = append(role, o)
	}
	if len(role) > 0 {
		lines, size := d.wrapFit(certRegular, strings.Join(role, " – "), 11*scale, 9*scale, width-30, 2)
		add(certRegular, size, ink, 0, 1.35, lines...)
	}

	statement := fmt.Sprintf("telah mengikuti %s %s yang diselenggarakan oleh %s pada %s sebanyak %d jam pelajaran (JP)",
		strings.TrimSpace(c.KindLabel), quoted(c.ActivityTitle), strings.TrimSpace(c.Organizer),
		Period(c.StartDate, c.EndDate), c.JP)
	lines, size := d.wrapFit(certRegular, statement, 12.5*scale, 10*scale, width-10, 3)
	add(certRegular, size, ink, 4*scale, 1.45, lines...)
	if n := strings.TrimSpace(c.RecommendationNumber); n != "" {
		lines, size := d.wrapFit(certItalic, "berdasarkan rekomendasi nomor "+n, 10.5*scale, 9*scale, width, 1)
		add(certItalic, size, grey, 1.5*scale, 1.4, lines...)
	}
	return out
}

// quoted puts the activity's title in typographic quotes.
func quoted(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	return "“" + s + "”"
}

// qrBlockHeight is the height of the QR block from its label to the last line under it.
const qrBlockHeight = qrLabelGap + qrSide + 2.8 + 4.4 + 3.2

// qrLabelGap is from the top of the label above the QR to the symbol: the label's descenders
// end about 3.3 mm down, leaving more than the quiet zone of four modules (2.4 mm at most).
const qrLabelGap = 6.0

// qrBlock draws the QR code as filled rectangles (crisp at any resolution, nothing to
// re-encode) with the short verification code under it.
func (d *certificate) qrBlock(c CertificateData, code *qr.Code, top float64) {
	n := code.Modules()
	m := qrSide / float64(n)
	d.color(grey)
	d.font(certItalic, 8)
	d.centered(qrCenterX, top, "Pindai untuk memeriksa keaslian")
	x0, y0 := qrCenterX-qrSide/2, top+qrLabelGap
	d.color(black)
	d.page.modules(x0, y0, m, qrRects(code))
	// The symbol is also a link to the verification URL: a reader can click it, and a
	// verifier reads the token from the file without decoding the drawing.
	d.page.link(x0, y0, qrSide, qrSide, c.VerifyURL)
	y := y0 + qrSide + 2.8 // the label above and the code below leave the quiet zone white
	d.color(ink)
	d.font(certBold, 10.5)
	d.page.setTrack(0.35)
	d.centered(qrCenterX, y, c.ShortCode)
	d.page.setTrack(0)
	d.font(certRegular, 7.5)
	d.color(grey)
	d.centered(qrCenterX, y+4.4, "Kode verifikasi")
}

type qrRect struct{ x0, y0, x1, y1 int }

// qrRects covers the dark modules with few rectangles: horizontal runs, merged downwards
// while the next row has the very same run.
func qrRects(code *qr.Code) []qrRect {
	n := code.Modules()
	var done, open, next []qrRect
	for y := 0; y <= n; y++ {
		next = next[:0]
		j := 0
		for x := 0; x < n && y < n; {
			if !code.Dark(x, y) {
				x++
				continue
			}
			x1 := x
			for x1 < n && code.Dark(x1, y) {
				x1++
			}
			// Extend an open rectangle with the same columns, or start one.
			for j < len(open) && open[j].x0 < x {
				done = append(done, open[j])
				j++
			}
			if j < len(open) && open[j].x0 == x && open[j].x1 == x1 {
				r := open[j]
				r.y1 = y + 1
				next = append(next, r)
				j++
			} else {
				next = append(next, qrRect{x, y, x1, y + 1})
			}
			x = x1
		}
		done = append(done, open[j:]...)
		open = append(open[:0], next...)
	}
	return done
}

// sigLayout is the signature block, measured before it is drawn so that it can stand on
// the footer whatever the length of the signer's title.
type sigLayout struct {
	dateLine           string
	title              []string
	titleSize          float64
	name, rank, nip    string
	nameSize, rankSize float64
	height             float64
}

const (
	sigBoxW, sigBoxH = 74.0, 12.0
	sigDateH         = 5.4
	sigNameH         = 5.6
	sigRankH         = 4.5
	sigNIPH          = 4.0
)

func (d *certificate) signatureLayout(c CertificateData) sigLayout {
	l := sigLayout{
		dateLine: orDefault(strings.TrimSpace(c.Place), strings.TrimSpace(c.AgencyCity)) + ", " + Tanggal(c.IssuedAt),
		name:     strings.TrimSpace(c.SignerName),
		rank:     strings.TrimSpace(c.SignerRank),
		nip:      "NIP " + FormatNIP(c.SignerNIP),
	}
	title := strings.TrimSpace(c.SignerTitle)
	if title == "" {
		title = "Kepala " + orDefault(c.BKPSDMName, "BKPSDM")
	}
	l.title, l.titleSize = d.wrapFit(certRegular, title, 11, 9, signWidth, 2)
	if len(l.title) > 2 {
		l.title, l.titleSize = d.wrapFit(certRegular, title, 9, 8, signWidth, 3)
	}
	l.nameSize = d.fitSize(certBold, l.name, 11.5, 8.5, signWidth)
	l.rankSize = d.fitSize(certRegular, l.rank, 10, 8, signWidth)
	l.height = sigDateH + float64(len(l.title))*l.titleSize*ptToMM*1.3 + 1.6 + sigBoxH + 2.6 + sigNameH + sigNIPH
	if l.rank != "" {
		l.height += sigRankH
	}
	return l
}

// signature draws the place and date, the signer's title, the electronic-signature
// statement where a wet signature would stand, and the signer's name, rank and NIP.
func (d *certificate) signature(l sigLayout, y float64) {
	d.color(ink)
	d.font(certRegular, 11)
	d.centered(signCenterX, y, l.dateLine)
	y += sigDateH
	d.font(certRegular, l.titleSize)
	for _, t := range l.title {
		d.centered(signCenterX, y, t)
		y += l.titleSize * ptToMM * 1.3
	}
	y += 1.6
	bx := signCenterX - sigBoxW/2
	d.stroke(gold, 0.35)
	d.page.rect(bx, y, sigBoxW, sigBoxH, "S")
	d.fillRect(bx, y, 1.6, sigBoxH, gold)
	d.color(navy)
	d.font(certBold, 9)
	d.centered(signCenterX+0.8, y+2.0, "Ditandatangani secara elektronik")
	d.color(grey)
	d.font(certItalic, 7.5)
	d.centered(signCenterX+0.8, y+6.4, "dengan tanda tangan digital Sertika")
	y += sigBoxH + 2.6

	d.color(ink)
	d.font(certBold, l.nameSize)
	w := d.centered(signCenterX, y, l.name)
	// Underline the name, as on a signed letter.
	d.stroke(ink, 0.3)
	under := y + l.nameSize*ptToMM*1.16
	d.page.line(signCenterX-w/2, under, signCenterX+w/2, under)
	y += sigNameH
	if l.rank != "" {
		d.font(certRegular, l.rankSize)
		d.centered(signCenterX, y, l.rank)
		y += sigRankH
	}
	d.font(certRegular, 10)
	d.centered(signCenterX, y, l.nip)
}

// footer tells the reader how to check the certificate.
// It returns the footer's top.
func (d *certificate) footer(c CertificateData) (top float64) {
	url := strings.TrimRight(strings.TrimSpace(c.PublicURL), "/")
	text := "Sertifikat ini ditandatangani secara elektronik dan tidak memerlukan tanda tangan basah maupun cap. " +
		"Periksa keaslian di " + url + " dengan kode verifikasi " + c.ShortCode + " atau pindai kode QR."
	lines, size := d.wrapFit(certItalic, text, 8, 6.5, pageW-2*frameInner-16, 2)
	d.color(grey)
	h := size * ptToMM * 1.35
	top = pageH - frameInner - 2.0 - float64(len(lines))*h
	for i, l := range lines {
		d.centered(centerX, top+float64(i)*h, l)
	}
	return top
}
