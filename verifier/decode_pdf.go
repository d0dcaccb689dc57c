package verifier

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// Reading the token from a PDF without rendering it. In order:
//
//  1. The QR code as Sertika draws it: filled rectangles of whole modules in one path
//     (internal/document), rebuilt module for module and decoded exactly — this is what a
//     person sees printed, so it comes first.
//  2. A link annotation (/URI) or the text of a verification URL anywhere in the file: Sertika's
//     own PDFs carry one over the QR code.
//  3. Embedded images, largest first — a scanned certificate saved as PDF — decoded like
//     uploaded photos: JPEG (DCTDecode) and Flate-compressed grey or RGB pixels.
//
// The reader is deliberately small: it finds streams by their keywords instead of walking the
// object tree, which also copes with files whose cross-reference table is broken.

// Limits on the work a PDF can cause.
const (
	maxPDFStreams     = 4096     // streams looked at
	maxStreamInflated = 32 << 20 // bytes one stream may inflate to
	maxPDFInflated    = 96 << 20 // bytes all streams together may inflate to
	maxPDFImages      = 8        // images decoded, largest first
)

// pdfStream is one stream object: its dictionary and its raw (still encoded) data.
type pdfStream struct {
	dict string
	data []byte
}

func pdfToken(ctx context.Context, data []byte) (string, error) {
	streams := pdfStreams(data)
	var s scanner
	budget := maxPDFInflated
	var contents [][]byte // inflated non-image streams: page content, object streams, metadata
	var images []pdfStream
	for _, st := range streams {
		if pdfName(st.dict, "Subtype") == "Image" {
			images = append(images, st)
			continue
		}
		if pdfName(st.dict, "Type") == "XRef" {
			continue
		}
		if b, ok := inflateStream(st, &budget); ok {
			contents = append(contents, b)
		}
	}
	// 1. The QR code drawn as vector rectangles.
	for _, c := range contents {
		for _, content := range vectorQRs(c) {
			if s.accept(content) {
				return content, nil
			}
		}
	}
	// 2. Links and URLs, in the file's own bytes and in its inflated streams.
	for _, b := range append([][]byte{data}, contents...) {
		for _, u := range pdfURIs(b) {
			if _, err := Normalize(u); err == nil {
				return u, nil
			}
		}
	}
	// 3. Embedded images.
	sort.SliceStable(images, func(i, j int) bool { return pdfImageArea(images[i]) > pdfImageArea(images[j]) })
	for i, st := range images {
		if i == maxPDFImages || ctx.Err() != nil {
			break
		}
		img, err := pdfImage(st, &budget)
		if err != nil {
			continue
		}
		if tok, ok := s.image(ctx, img); ok {
			return tok, nil
		}
	}
	if len(streams) == 0 && !bytes.Contains(data, []byte("%%EOF")) {
		return "", fmt.Errorf("%w: no PDF objects found", ErrUnreadable)
	}
	return "", s.err()
}

var streamKeyword = regexp.MustCompile(`>>\s*stream\r?\n`)

// pdfStreams finds the stream objects of a PDF by their "stream" keywords.
func pdfStreams(data []byte) []pdfStream {
	var out []pdfStream
	var ints map[int]int
	for _, m := range streamKeyword.FindAllIndex(data, maxPDFStreams) {
		dictEnd := m[0] + 2
		start := dictStart(data, dictEnd)
		if start < 0 {
			continue
		}
		dict := string(data[start:dictEnd])
		body := data[m[1]:]
		n := -1
		l, ref, ok := pdfIntRef(dict, "Length")
		if ok && ref {
			if ints == nil {
				ints = intObjects(data)
			}
			l, ok = ints[l]
		}
		if ok && l >= 0 && l <= len(body) {
			// Trust /Length only when "endstream" follows it.
			if rest := bytes.TrimLeft(body[l:], "\r\n \t"); bytes.HasPrefix(rest, []byte("endstream")) {
				n = l
			}
		}
		if n < 0 {
			// An indirect or wrong /Length: the data runs to the next "endstream".
			e := bytes.Index(body, []byte("endstream"))
			if e < 0 {
				continue
			}
			n = len(bytes.TrimRight(body[:e], "\r\n"))
		}
		out = append(out, pdfStream{dict: dict, data: body[:n]})
	}
	return out
}

var intObject = regexp.MustCompile(`(?:^|[^0-9])(\d{1,9})\s+0\s+obj\s*(\d{1,12})\s*endobj`)

// intObjects maps the numbers of the objects that hold a bare integer (the usual indirect
// /Length) to that integer, in one pass over the file.
func intObjects(data []byte) map[int]int {
	out := map[int]int{}
	for _, m := range intObject.FindAllSubmatch(data, -1) {
		num, err1 := strconv.Atoi(string(m[1]))
		v, err2 := strconv.Atoi(string(m[2]))
		if err1 == nil && err2 == nil {
			out[num] = v
		}
	}
	return out
}

// dictStart finds the "<<" that opens the dictionary closing at end (just after its ">>").
func dictStart(data []byte, end int) int {
	depth := 0
	for i := end - 2; i >= 0 && end-i < 1<<16; {
		switch {
		case i+1 < len(data) && data[i] == '>' && data[i+1] == '>':
			depth++
			i -= 2
		case i+1 < len(data) && data[i] == '<' && data[i+1] == '<':
			if depth--; depth == 0 {
				return i
			}
			i -= 2
		default:
			i--
		}
	}
	return -1
}

var pdfNameValue = regexp.MustCompile(`^\s*/([A-Za-z0-9]+)`)

// pdfName returns the name value of /key in dict ("" if absent or not a name).
func pdfName(dict, key string) string {
	rest, ok := pdfValue(dict, key)
	if !ok {
		return ""
	}
	if m := pdfNameValue.FindStringSubmatch(rest); m != nil {
		return m[1]
	}
	return ""
}

var pdfIntValue = regexp.MustCompile(`^\s*(-?\d+)(\s+\d+\s+R\b)?`)

// pdfInt returns the integer value of /key in dict; ref is true (and n the object number)
// when the value is an indirect reference.
func pdfIntRef(dict, key string) (n int, ref, ok bool) {
	rest, found := pdfValue(dict, key)
	if !found {
		return 0, false, false
	}
	m := pdfIntValue.FindStringSubmatch(rest)
	if m == nil {
		return 0, false, false
	}
	n, err := strconv.Atoi(m[1])
	return n, m[2] != "", err == nil
}

// pdfInt returns the direct integer value of /key in dict.
func pdfInt(dict, key string) (int, bool) {
	n, ref, ok := pdfIntRef(dict, key)
	return n, ok && !ref
}

// pdfValue returns what follows /key in dict, at the top level or in a nested dictionary:
// good enough for the few keys read here, which are not ambiguous in image and stream
// dictionaries.
func pdfValue(dict, key string) (string, bool) {
	for at := 0; ; {
		i := strings.Index(dict[at:], "/"+key)
		if i < 0 {
			return "", false
		}
		i += at + 1 + len(key)
		// The name must end here: /Length1 is not /Length.
		if i < len(dict) && isNameChar(dict[i]) {
			at = i
			continue
		}
		return dict[i:], true
	}
}

func isNameChar(c byte) bool {
	return c > ' ' && c < 0x7f && !strings.ContainsRune("/<>[](){}%", rune(c))
}

// pdfFilters returns the stream's filters in order.
func pdfFilters(dict string) []string {
	rest, ok := pdfValue(dict, "Filter")
	if !ok {
		return nil
	}
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return []string{"?"}
		}
		var out []string
		for _, f := range strings.Fields(strings.ReplaceAll(rest[1:end], "/", " /")) {
			out = append(out, strings.TrimPrefix(f, "/"))
		}
		return out
	}
	if n := pdfName(dict, "Filter"); n != "" {
		return []string{n}
	}
	return []string{"?"}
}

// inflateStream decodes a Flate (or unfiltered) stream within the budget.
func inflateStream(st pdfStream, budget *int) ([]byte, bool) {
	switch f := pdfFilters(st.dict); {
	case len(f) == 0:
		return st.data, true
	case len(f) == 1 && (f[0] == "FlateDecode" || f[0] == "Fl"):
		return inflate(st.data, budget)
	}
	return nil, false
}

// inflate decompresses zlib data, reading no more than the budget allows.
func inflate(b []byte, budget *int) ([]byte, bool) {
	limit := min(*budget, maxStreamInflated)
	if limit <= 0 {
		return nil, false
	}
	r, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, false
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if len(out) > limit {
		return nil, false
	}
	*budget -= len(out)
	// A truncated stream still gives what it had: PDF writers often end Flate data early.
	if err != nil && len(out) == 0 {
		return nil, false
	}
	return out, true
}

// The QR code as internal/document draws it: a transformation to module units, then one
// rectangle per run of dark modules, filled as one path.
var vectorQR = regexp.MustCompile(`q ([0-9.]+) 0 0 -([0-9.]+) [0-9.]+ [0-9.]+ cm\n((?:\d+ \d+ \d+ \d+ re\n)+)f Q`)

// vectorQRs decodes the QR codes drawn as rectangles of whole modules in a content stream.
func vectorQRs(content []byte) []string {
	var out []string
	for _, m := range vectorQR.FindAllSubmatch(content, 4) {
		if text, ok := decodeModules(m[3]); ok {
			out = append(out, text)
		}
	}
	return out
}

// decodeModules rebuilds the module matrix from "x y w h re" lines and decodes it.
func decodeModules(rects []byte) (text string, ok bool) {
	defer func() {
		if recover() != nil {
			text, ok = "", false
		}
	}()
	type rect struct{ x, y, w, h int }
	var rs []rect
	n := 0
	for _, line := range bytes.Split(bytes.TrimSpace(rects), []byte("\n")) {
		f := strings.Fields(string(line))
		if len(f) != 5 {
			return "", false
		}
		var v [4]int
		for i := range v {
			x, err := strconv.Atoi(f[i])
			if err != nil || x < 0 || x > 177 {
				return "", false
			}
			v[i] = x
		}
		r := rect{v[0], v[1], v[2], v[3]}
		n = max(n, r.x+r.w, r.y+r.h)
		rs = append(rs, r)
	}
	// A QR symbol has 21 to 177 modules a side, 17 plus four per version.
	if n < 21 || n > 177 || (n-17)%4 != 0 {
		return "", false
	}
	bits := make([][]bool, n)
	for y := range bits {
		bits[y] = make([]bool, n)
	}
	for _, r := range rs {
		for y := r.y; y < r.y+r.h; y++ {
			for x := r.x; x < r.x+r.w; x++ {
				bits[y][x] = true
			}
		}
	}
	res, err := decoder.NewDecoder().DecodeBoolMap(bits, nil)
	if err != nil {
		return "", false
	}
	return res.GetText(), true
}

var (
	uriLiteral = regexp.MustCompile(`/URI\s*\(((?:[^()\\]|\\.)+)\)`)
	uriHex     = regexp.MustCompile(`/URI\s*<([0-9A-Fa-f\s]+)>`)
	urlText    = regexp.MustCompile(`(?i)https?://[a-z0-9.:\-]+(?:/[a-z0-9._~\-]+)*/v/s1\.[a-z0-9.]{100,}`)
)

// pdfURIs returns the link targets and verification URLs written in b.
func pdfURIs(b []byte) []string {
	var out []string
	for _, m := range uriLiteral.FindAllSubmatch(b, 64) {
		out = append(out, unescapePDF(m[1]))
	}
	for _, m := range uriHex.FindAllSubmatch(b, 64) {
		h := bytes.Join(bytes.Fields(m[1]), nil)
		if len(h)%2 == 1 {
			h = append(h, '0')
		}
		var s []byte
		for i := 0; i+1 < len(h); i += 2 {
			v, err := strconv.ParseUint(string(h[i:i+2]), 16, 8)
			if err != nil {
				break
			}
			s = append(s, byte(v))
		}
		out = append(out, string(s))
	}
	for _, m := range urlText.FindAll(b, 16) {
		out = append(out, string(m))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// unescapePDF undoes the escapes of a PDF literal string.
func unescapePDF(b []byte) string {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			out = append(out, b[i])
			continue
		}
		i++
		switch c := b[i]; c {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case '\r', '\n':
			// A line continuation.
		default:
			if c >= '0' && c <= '7' {
				v := 0
				j := i
				for ; j < len(b) && j < i+3 && b[j] >= '0' && b[j] <= '7'; j++ {
					v = v*8 + int(b[j]-'0')
				}
				out = append(out, byte(v))
				i = j - 1
				continue
			}
			out = append(out, c)
		}
	}
	return string(out)
}

func pdfImageArea(st pdfStream) int {
	w, _ := pdfInt(st.dict, "Width")
	h, _ := pdfInt(st.dict, "Height")
	return w * h
}

var errPDFImage = errors.New("unsupported PDF image")

// pdfImage decodes an image XObject: JPEG data as it is, Flate data as 1- or 8-bit grey or
// RGB (or CMYK) pixels with or without PNG predictors.
func pdfImage(st pdfStream, budget *int) (image.Image, error) {
	if pdfName(st.dict, "ImageMask") != "" || strings.Contains(st.dict, "/ImageMask true") {
		return nil, errPDFImage
	}
	filters := pdfFilters(st.dict)
	data := st.data
	if len(filters) > 0 && (filters[0] == "FlateDecode" || filters[0] == "Fl") {
		b, ok := inflate(data, budget)
		if !ok {
			return nil, errPDFImage
		}
		data, filters = b, filters[1:]
		if len(filters) == 0 {
			return rawPDFImage(st.dict, data)
		}
	}
	if len(filters) == 1 && (filters[0] == "DCTDecode" || filters[0] == "DCT") {
		return decodeImage(data, "jpeg")
	}
	return nil, errPDFImage
}

// rawPDFImage reads inflated image samples.
func rawPDFImage(dict string, data []byte) (image.Image, error) {
	w, okW := pdfInt(dict, "Width")
	h, okH := pdfInt(dict, "Height")
	bpc, okB := pdfInt(dict, "BitsPerComponent")
	if !okW || !okH || !okB || (bpc != 1 && bpc != 8) {
		return nil, errPDFImage
	}
	if err := checkPixels(w, h); err != nil {
		return nil, err
	}
	colors := 0
	switch cs := pdfName(dict, "ColorSpace"); cs {
	case "DeviceGray", "G", "CalGray":
		colors = 1
	case "DeviceRGB", "RGB", "CalRGB":
		colors = 3
	case "DeviceCMYK", "CMYK":
		colors = 4
	case "":
		if bpc == 1 || strings.Contains(dict, "/ICCBased") {
			colors = 1
		}
		if n, ok := pdfInt(dict, "N"); ok && strings.Contains(dict, "/ICCBased") {
			colors = n
		}
	}
	if colors != 1 && colors != 3 && colors != 4 {
		return nil, errPDFImage
	}
	rowBytes := (w*colors*bpc + 7) / 8
	if p, _ := pdfInt(dict, "Predictor"); p >= 10 {
		var err error
		if data, err = unpredictPNG(data, rowBytes, max(colors*bpc/8, 1), h); err != nil {
			return nil, err
		}
	}
	if len(data) < rowBytes*h {
		return nil, errPDFImage
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		row := data[y*rowBytes:]
		out := g.Pix[y*g.Stride:]
		for x := 0; x < w; x++ {
			switch {
			case bpc == 1:
				if row[x/8]>>(7-x%8)&1 == 1 {
					out[x] = 255
				}
			case colors == 1:
				out[x] = row[x]
			case colors == 3:
				out[x] = luma(row[3*x], row[3*x+1], row[3*x+2])
			default:
				c, m, yy, k := int(row[4*x]), int(row[4*x+1]), int(row[4*x+2]), int(row[4*x+3])
				out[x] = luma(uint8((255-c)*(255-k)/255), uint8((255-m)*(255-k)/255), uint8((255-yy)*(255-k)/255))
			}
		}
	}
	if strings.Contains(dict, "/Decode [1 0]") || strings.Contains(dict, "/Decode[1 0]") {
		for i, v := range g.Pix {
			g.Pix[i] = 255 - v
		}
	}
	return g, nil
}

// unpredictPNG undoes PNG row filters: each row starts with its filter type.
func unpredictPNG(data []byte, rowBytes, bpp, h int) ([]byte, error) {
	if len(data) < (rowBytes+1)*h {
		return nil, errPDFImage
	}
	out := make([]byte, rowBytes*h)
	prev := make([]byte, rowBytes)
	for y := 0; y < h; y++ {
		in := data[y*(rowBytes+1):]
		ft, src := in[0], in[1:rowBytes+1]
		cur := out[y*rowBytes : (y+1)*rowBytes]
		for i := range cur {
			var a, c byte
			if i >= bpp {
				a, c = cur[i-bpp], prev[i-bpp]
			}
			b := prev[i]
			switch ft {
			case 0:
				cur[i] = src[i]
			case 1:
				cur[i] = src[i] + a
			case 2:
				cur[i] = src[i] + b
			case 3:
				cur[i] = src[i] + byte((int(a)+int(b))/2)
			case 4:
				cur[i] = src[i] + paeth(a, b, c)
			default:
				return nil, errPDFImage
			}
		}
		prev = cur
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
