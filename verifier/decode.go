package verifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"strings"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Reading a token from what people upload or hand the command-line verifier: a photo or scan
// of a printed certificate (PNG or JPEG), or the certificate's PDF. The QR code is decoded with
// gozxing, a pure-Go port of ZXing, so the verifier needs no C library and runs anywhere the
// binary does. The image is tried as it is and then through a few preprocessing variants
// (reduced, smoothed, enlarged, binarised with a global threshold), because a phone photo
// brings blur, noise, JPEG blocks and uneven light that defeat one fixed pipeline.

// Limits on what ExtractToken reads: the whole input, and the pixels of any image decoded
// from it (a 12-megapixel phone photo is well inside; a small file that declares a huge image
// is refused before its pixels are allocated).
const (
	MaxUploadBytes = 20 << 20
	MaxImagePixels = 40_000_000
)

// Errors of ExtractToken; test them with errors.Is. DecodeMessage words them for users.
var (
	ErrEmptyInput     = errors.New("empty input")
	ErrTooLarge       = errors.New("input too large")
	ErrUnsupported    = errors.New("not a PNG, JPEG or PDF file")
	ErrUnreadable     = errors.New("file is damaged or not readable")
	ErrNoQR           = errors.New("no QR code found")
	ErrNotCertificate = errors.New("the QR code is not a Sertika certificate")
)

// DecodeMessage words an ExtractToken error for the person who uploaded the file, in Bahasa
// Indonesia. Errors it does not know get a general message (their text may hold internals).
func DecodeMessage(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrEmptyInput):
		return "Berkas kosong."
	case errors.Is(err, ErrTooLarge):
		return fmt.Sprintf("Berkas terlalu besar: paling besar %d MB dan %d megapiksel.", MaxUploadBytes>>20, MaxImagePixels/1_000_000)
	case errors.Is(err, ErrUnsupported):
		return "Jenis berkas tidak didukung: unggah foto atau pindaian (PNG atau JPEG) atau PDF sertifikat."
	case errors.Is(err, ErrUnreadable):
		return "Berkas rusak atau tidak dapat dibaca."
	case errors.Is(err, ErrNoQR):
		return "Kode QR tidak ditemukan. Pastikan seluruh kode QR terlihat jelas, tidak terpotong dan tidak buram."
	case errors.Is(err, ErrNotCertificate):
		return "Kode QR terbaca, tetapi bukan kode sertifikat Sertika."
	}
	return "Berkas tidak dapat diperiksa."
}

// ExtractToken reads the certificate token from a PNG or JPEG image or a PDF: the content of
// its QR code, usually the verification URL, which Verify accepts as it is. The type is
// sniffed from the bytes, never taken from a file name. It never panics; the error wraps one
// of the Err values above.
func ExtractToken(data []byte) (string, error) {
	return ExtractTokenContext(context.Background(), data)
}

// ExtractTokenContext is ExtractToken that stops trying further decoding variants once ctx
// is done (decoding a large photo several ways takes a while).
func ExtractTokenContext(ctx context.Context, data []byte) (tok string, err error) {
	defer func() {
		// Decoders of untrusted files are where index errors hide: a panic is a refusal of
		// the file, never a crash of the server.
		if r := recover(); r != nil {
			tok, err = "", fmt.Errorf("%w: decoder failed: %v", ErrUnreadable, r)
		}
	}()
	switch {
	case len(data) == 0:
		return "", ErrEmptyInput
	case len(data) > MaxUploadBytes:
		return "", fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(data), MaxUploadBytes)
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return imageToken(ctx, data, "png")
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return imageToken(ctx, data, "jpeg")
	case bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")):
		return pdfToken(ctx, data)
	}
	return "", ErrUnsupported
}

// imageToken decodes a PNG or JPEG and reads the QR code in it.
func imageToken(ctx context.Context, data []byte, format string) (string, error) {
	img, err := decodeImage(data, format)
	if err != nil {
		return "", err
	}
	return scanImage(ctx, img)
}

// decodeImage decodes a PNG or JPEG after checking its declared size.
func decodeImage(data []byte, format string) (image.Image, error) {
	decodeConfig, decode := png.DecodeConfig, png.Decode
	if format == "jpeg" {
		decodeConfig, decode = jpeg.DecodeConfig, jpeg.Decode
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnreadable, format, err)
	}
	if err := checkPixels(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnreadable, format, err)
	}
	return img, nil
}

func checkPixels(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: image of %d×%d pixels", ErrUnreadable, w, h)
	}
	if int64(w)*int64(h) > MaxImagePixels {
		return fmt.Errorf("%w: image of %d×%d pixels, at most %d megapixels", ErrTooLarge, w, h, MaxImagePixels/1_000_000)
	}
	return nil
}

// scanImage reads a Sertika token from the QR code in img.
func scanImage(ctx context.Context, img image.Image) (string, error) {
	var s scanner
	if tok, ok := s.image(ctx, img); ok {
		return tok, nil
	}
	return "", s.err()
}

// scanner tries decoding variants and remembers what it saw: a QR code that is not a
// certificate's is reported as such rather than as "no QR code".
type scanner struct {
	foreign string // content of a QR code that is not a Sertika token
}

func (s *scanner) err() error {
	if s.foreign != "" {
		return fmt.Errorf("%w: it holds %q", ErrNotCertificate, truncate(s.foreign, 80))
	}
	return ErrNoQR
}

// accept reports whether content is a Sertika token, remembering it otherwise.
func (s *scanner) accept(content string) bool {
	if _, err := Normalize(content); err == nil {
		return true
	}
	if s.foreign == "" && content != "" {
		s.foreign = content
	}
	return false
}

// Variants are made from an image no larger than workSide pixels on its longer side: enough
// for about 6 pixels per module when the QR code takes a tenth of the picture's width (a
// photo of the whole A4 page), and small enough to decode quickly. On the 2-core reference
// machine (go test -bench ExtractToken ./verifier) a certificate PDF takes 2 ms, a 12-megapixel
// photo 0.2 s, and a 12-megapixel photo without a QR code — every variant tried — 0.4 s.
const workSide = 2400

// image tries the variants of img in turn, cheapest and likeliest first.
func (s *scanner) image(ctx context.Context, img image.Image) (string, bool) {
	gray := toGray(img)
	work := gray
	if long := max(gray.Rect.Dx(), gray.Rect.Dy()); long > workSide {
		work = reduce(gray, (long+workSide-1)/workSide)
	}
	type variant struct {
		make   func() *image.Gray
		global bool // global histogram binariser instead of the local (hybrid) one
	}
	small := max(work.Rect.Dx(), work.Rect.Dy()) <= workSide*2/3
	variants := []variant{
		{make: func() *image.Gray { return work }},
		// Modules of about two pixels (a page photographed or scanned at 100 dpi) are found
		// and sampled reliably only enlarged: bilinear interpolation puts the module centres
		// the detector samples on clean values. Smoothing first would merge them.
		{make: func() *image.Gray {
			if !small {
				return nil
			}
			return enlarge(work)
		}},
		// Uneven light defeats local thresholds less than one global one, and the reverse
		// for a shadow: try both.
		{make: func() *image.Gray { return work }, global: true},
		{make: func() *image.Gray { return otsu(work) }},
		// Sensor noise and JPEG blocks break modules into specks: smooth them first.
		{make: func() *image.Gray { return boxBlur(work) }},
		{make: func() *image.Gray {
			if !small {
				return nil
			}
			return otsu(enlarge(work))
		}},
		// A blurred low-resolution picture needs the most room between sample points.
		{make: func() *image.Gray {
			if max(work.Rect.Dx(), work.Rect.Dy()) > workSide/2 {
				return nil
			}
			return enlarge(enlarge(work))
		}},
		// A reduction of a large photo averages away detail the detector trips on.
		{make: func() *image.Gray {
			if max(work.Rect.Dx(), work.Rect.Dy()) < 1200 {
				return nil
			}
			return reduce(work, 2)
		}},
	}
	for _, v := range variants {
		if ctx.Err() != nil {
			return "", false
		}
		g := v.make()
		if g == nil {
			continue
		}
		for _, content := range decodeQR(g, v.global) {
			if s.accept(content) {
				return strings.TrimSpace(content), true
			}
		}
	}
	return "", false
}

// decodeQR runs gozxing's QR reader over a grey image and returns the content of the codes it
// read (usually one).
//
// gozxing's reader looks for the three finder patterns row by row from the top and stops as
// soon as it has three it is confident of. The data modules of a code sometimes draw a
// fourth, false finder pattern (dark 1:1:3:1:1 both ways): when one lies above the real
// bottom-left pattern, the reader settles on it, never sees the real one and fails, and it
// does so on every variant of the image, since they keep the layout. Sharp images are hit the
// most (about one clean rendered PNG in 500 at 4 to 12 px per module), because blur
// spoils the false pattern's cross-checks first. The multi-code reader collects every
// candidate before choosing and tries each plausible triple, so it reads those codes; it runs
// only after the plain reader failed.
func decodeQR(g *image.Gray, global bool) (contents []string) {
	defer func() {
		if r := recover(); r != nil {
			contents = nil
		}
	}()
	src := newGraySource(g)
	var bin gozxing.Binarizer = gozxing.NewHybridBinarizer(src)
	if global {
		bin = gozxing.NewGlobalHistgramBinarizer(src)
	}
	// The bitmap keeps its black matrix: both readers binarise the image once.
	bmp, err := gozxing.NewBinaryBitmap(bin)
	if err != nil {
		return nil
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	if res, err := qrcode.NewQRCodeReader().Decode(bmp, hints); err == nil {
		return []string{res.GetText()}
	}
	results, _ := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints)
	for _, res := range results {
		contents = append(contents, res.GetText())
	}
	return contents
}

// graySource is a gozxing luminance source over an *image.Gray without copying it.
type graySource struct {
	gozxing.LuminanceSourceBase
	img *image.Gray
}

func newGraySource(g *image.Gray) *graySource {
	return &graySource{LuminanceSourceBase: gozxing.LuminanceSourceBase{Width: g.Rect.Dx(), Height: g.Rect.Dy()}, img: g}
}

// GetRow returns row y.
func (s *graySource) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= s.Height {
		return nil, errors.New("row out of range")
	}
	if len(row) < s.Width {
		row = make([]byte, s.Width)
	}
	o := y * s.img.Stride
	copy(row, s.img.Pix[o:o+s.Width])
	return row, nil
}

// GetMatrix returns the luminance of every pixel, row after row.
func (s *graySource) GetMatrix() []byte {
	if s.img.Stride == s.Width {
		return s.img.Pix[:s.Width*s.Height]
	}
	out := make([]byte, 0, s.Width*s.Height)
	for y := 0; y < s.Height; y++ {
		out = append(out, s.img.Pix[y*s.img.Stride:y*s.img.Stride+s.Width]...)
	}
	return out
}

// Invert returns the negative image.
func (s *graySource) Invert() gozxing.LuminanceSource { return gozxing.LuminanceSourceInvert(s) }

// String draws the image in characters, for gozxing's debugging.
func (s *graySource) String() string { return gozxing.LuminanceSourceString(s) }

// toGray converts img to 8-bit luminance at the origin; the common decoded types are read
// directly rather than pixel by pixel through color.Color.
func toGray(img image.Image) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	switch src := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			copy(out.Pix[y*out.Stride:y*out.Stride+w], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.YCbCr:
		// The luma plane is the luminance.
		for y := 0; y < h; y++ {
			copy(out.Pix[y*out.Stride:y*out.Stride+w], src.Y[src.YOffset(b.Min.X, b.Min.Y+y):])
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			p := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			row := out.Pix[y*out.Stride:]
			for x := 0; x < w; x++ {
				row[x] = luma(p[4*x], p[4*x+1], p[4*x+2])
			}
		}
	case *image.NRGBA:
		// Transparent pixels lie on white paper.
		for y := 0; y < h; y++ {
			p := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			row := out.Pix[y*out.Stride:]
			for x := 0; x < w; x++ {
				a := uint32(p[4*x+3])
				l := uint32(luma(p[4*x], p[4*x+1], p[4*x+2]))
				row[x] = uint8((l*a + 255*(255-a)) / 255)
			}
		}
	default:
		for y := 0; y < h; y++ {
			row := out.Pix[y*out.Stride:]
			for x := 0; x < w; x++ {
				r, g, bb, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				// Premultiplied: add the white showing through.
				l := (299*r + 587*g + 114*bb) / 1000
				row[x] = uint8((l + (0xffff - a)) >> 8)
			}
		}
	}
	return out
}

func luma(r, g, b uint8) uint8 { return uint8((299*uint32(r) + 587*uint32(g) + 114*uint32(b)) / 1000) }

// reduce shrinks g by a whole factor, averaging f×f blocks.
func reduce(g *image.Gray, f int) *image.Gray {
	w, h := g.Rect.Dx()/f, g.Rect.Dy()/f
	out := image.NewGray(image.Rect(0, 0, max(w, 1), max(h, 1)))
	sums := make([]uint32, w)
	for y := 0; y < h; y++ {
		clear(sums)
		for dy := 0; dy < f; dy++ {
			row := g.Pix[(y*f+dy)*g.Stride:]
			for x := 0; x < w; x++ {
				for _, v := range row[x*f : x*f+f] {
					sums[x] += uint32(v)
				}
			}
		}
		n := uint32(f * f)
		orow := out.Pix[y*out.Stride:]
		for x, s := range sums {
			orow[x] = uint8(s / n)
		}
	}
	return out
}

// enlarge doubles g in each direction by bilinear interpolation.
func enlarge(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, 2*w, 2*h))
	at := func(x, y int) uint32 { return uint32(g.Pix[min(y, h-1)*g.Stride+min(x, w-1)]) }
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			a, b, c, d := at(x, y), at(x+1, y), at(x, y+1), at(x+1, y+1)
			o := 2*y*out.Stride + 2*x
			out.Pix[o] = uint8(a)
			out.Pix[o+1] = uint8((a + b + 1) / 2)
			out.Pix[o+out.Stride] = uint8((a + c + 1) / 2)
			out.Pix[o+out.Stride+1] = uint8((a + b + c + d + 2) / 4)
		}
	}
	return out
}

// boxBlur averages each pixel with its eight neighbours.
func boxBlur(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	// Horizontal then vertical sums of three.
	tmp := make([]uint16, w*h)
	for y := 0; y < h; y++ {
		row := g.Pix[y*g.Stride:]
		for x := 0; x < w; x++ {
			tmp[y*w+x] = uint16(row[max(x-1, 0)]) + uint16(row[x]) + uint16(row[min(x+1, w-1)])
		}
	}
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		up, down := max(y-1, 0), min(y+1, h-1)
		for x := 0; x < w; x++ {
			out.Pix[y*out.Stride+x] = uint8((uint32(tmp[up*w+x]) + uint32(tmp[y*w+x]) + uint32(tmp[down*w+x]) + 4) / 9)
		}
	}
	return out
}

// otsu binarises g at the threshold that best separates its histogram in two (Otsu's method).
func otsu(g *image.Gray) *image.Gray {
	var hist [256]int
	for _, v := range g.Pix {
		hist[v]++
	}
	total := len(g.Pix)
	var sum float64
	for i, n := range hist {
		sum += float64(i * n)
	}
	var sumB, best float64
	wB, threshold := 0, 128
	for t, n := range hist {
		wB += n
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(t * n)
		mB, mF := sumB/float64(wB), (sum-sumB)/float64(wF)
		if between := float64(wB) * float64(wF) * (mB - mF) * (mB - mF); between > best {
			best, threshold = between, t
		}
	}
	out := image.NewGray(g.Rect)
	for i, v := range g.Pix {
		if int(v) > threshold {
			out.Pix[i] = 255
		}
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
