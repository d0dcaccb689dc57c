package document

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"
	"unicode/utf16"
)

// This file is a small one-page PDF writer for certificates. Everything that does not depend
// on the certificate is done once per process: each TrueType face is parsed, and its font
// program (compressed), width array and ToUnicode map (compressed) are made into PDF objects
// that every certificate copies as they are. A certificate then costs its content stream (text, lines
// and the QR code as one vector path) and one compression of that stream. The general PDF
// libraries (fpdf, gopdf) parse or subset and compress the fonts again for every document,
// which is ten times the work; see docs/performance.md.

// ttfFace is a TrueType face ready to be embedded whole in PDFs.
type ttfFace struct {
	baseFont    string // PDF BaseFont name, with a subset tag when the file is a subset
	unitsPerEm  float64
	typoAscent  float64 // OS/2 typographic ascender in em: text "top" to baseline
	glyphs      map[rune]uint16
	advance     []uint16 // per glyph, in font units
	descriptor  string   // FontDescriptor dictionary without /FontFile2
	widths      string   // CIDFont /W array
	fontFile    []byte   // compressed font program
	fontFileLen int      // its uncompressed length (/Length1)
	toUnicode   []byte   // compressed ToUnicode CMap
}

func (f *ttfFace) has(r rune) bool { _, ok := f.glyphs[r]; return ok }

// parseTTF reads what a PDF needs from a TrueType font and prepares its objects.
func parseTTF(baseFont string, data []byte) (*ttfFace, error) {
	tables := map[string][]byte{}
	if len(data) < 12 {
		return nil, errors.New("ttf: too short")
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	for i := 0; i < n; i++ {
		rec := data[12+16*i:]
		if len(rec) < 16 {
			return nil, errors.New("ttf: truncated table directory")
		}
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(data)) {
			return nil, fmt.Errorf("ttf: table %q out of bounds", rec[:4])
		}
		tables[string(rec[:4])] = data[off : off+length]
	}
	for _, t := range []string{"head", "hhea", "hmtx", "maxp", "cmap", "OS/2", "post", "glyf", "loca"} {
		if _, ok := tables[t]; !ok {
			return nil, fmt.Errorf("ttf: no %s table", t)
		}
	}
	head, hhea, maxp, os2, post := tables["head"], tables["hhea"], tables["maxp"], tables["OS/2"], tables["post"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || len(os2) < 78 || len(post) < 8 {
		return nil, errors.New("ttf: short head, hhea, maxp, OS/2 or post table")
	}
	u16 := func(b []byte, o int) int { return int(binary.BigEndian.Uint16(b[o:])) }
	s16 := func(b []byte, o int) int { return int(int16(binary.BigEndian.Uint16(b[o:]))) }
	f := &ttfFace{baseFont: baseFont, unitsPerEm: float64(u16(head, 18))}
	if f.unitsPerEm == 0 {
		return nil, errors.New("ttf: unitsPerEm is 0")
	}
	numGlyphs, numHMetrics := u16(maxp, 4), u16(hhea, 34)
	hmtx := tables["hmtx"]
	if numHMetrics == 0 || numHMetrics > numGlyphs || len(hmtx) < 4*numHMetrics {
		return nil, errors.New("ttf: bad hmtx")
	}
	f.advance = make([]uint16, numGlyphs)
	for g := range f.advance {
		f.advance[g] = binary.BigEndian.Uint16(hmtx[4*min(g, numHMetrics-1):])
	}
	var err error
	if f.glyphs, err = parseCmap(tables["cmap"], numGlyphs); err != nil {
		return nil, err
	}
	em := func(v int) int { return int(float64(v) * 1000 / f.unitsPerEm) }
	f.typoAscent = float64(s16(os2, 68)) / f.unitsPerEm
	capHeight := s16(hhea, 4)
	if u16(os2, 0) >= 2 && len(os2) >= 90 {
		capHeight = s16(os2, 88)
	}
	italic := float64(int32(binary.BigEndian.Uint32(post[4:]))) / 65536
	flags := 32 // nonsymbolic
	if italic != 0 {
		flags |= 64
	}
	weight := 400
	if len(os2) >= 6 {
		weight = u16(os2, 4)
	}
	stemV := 80
	if weight >= 600 {
		stemV = 140
	}
	f.descriptor = fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%d %d %d %d] "+
		"/ItalicAngle %s /Ascent %d /Descent %d /CapHeight %d /StemV %d", baseFont, flags,
		em(s16(head, 36)), em(s16(head, 38)), em(s16(head, 40)), em(s16(head, 42)),
		strconv.FormatFloat(italic, 'f', -1, 64), em(s16(hhea, 4)), em(s16(hhea, 6)), em(capHeight), stemV)

	var w bytes.Buffer
	w.WriteString("[0 [")
	for g, a := range f.advance {
		if g > 0 {
			w.WriteByte(' ')
		}
		w.WriteString(strconv.Itoa(int(float64(a)*1000/f.unitsPerEm + 0.5)))
	}
	w.WriteString("]]")
	f.widths = w.String()

	if f.fontFile, err = deflate(data); err != nil {
		return nil, err
	}
	f.fontFileLen = len(data)
	if f.toUnicode, err = deflate(toUnicodeCMap(f.glyphs)); err != nil {
		return nil, err
	}
	return f, nil
}

// parseCmap reads the Unicode cmap: format 12 (full repertoire) when present, else format 4.
func parseCmap(cmap []byte, numGlyphs int) (map[rune]uint16, error) {
	if len(cmap) < 4 {
		return nil, errors.New("ttf: short cmap")
	}
	var best []byte
	bestRank := 0
	for i := 0; i < int(binary.BigEndian.Uint16(cmap[2:])); i++ {
		rec := cmap[4+8*i:]
		if len(rec) < 8 {
			break
		}
		platform, encoding, off := binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:]), binary.BigEndian.Uint32(rec[4:])
		if int(off)+4 > len(cmap) {
			continue
		}
		sub := cmap[off:]
		rank := 0
		switch format := binary.BigEndian.Uint16(sub); {
		case format == 12 && (platform == 3 && encoding == 10 || platform == 0):
			rank = 2
		case format == 4 && (platform == 3 && encoding == 1 || platform == 0):
			rank = 1
		}
		if rank > bestRank {
			best, bestRank = sub, rank
		}
	}
	m := map[rune]uint16{}
	add := func(r rune, g int) {
		if g > 0 && g < numGlyphs {
			m[r] = uint16(g)
		}
	}
	switch bestRank {
	case 2:
		if len(best) < 16 {
			return nil, errors.New("ttf: short cmap format 12")
		}
		n := int(binary.BigEndian.Uint32(best[12:]))
		if len(best) < 16+12*n {
			return nil, errors.New("ttf: short cmap format 12")
		}
		for i := 0; i < n; i++ {
			g := best[16+12*i:]
			start, end, glyph := binary.BigEndian.Uint32(g), binary.BigEndian.Uint32(g[4:]), binary.BigEndian.Uint32(g[8:])
			for c := start; c <= end && c <= 0x10FFFF && end-start < 0x10000; c++ {
				add(rune(c), int(glyph+c-start))
			}
		}
	case 1:
		if len(best) < 14 {
			return nil, errors.New("ttf: short cmap format 4")
		}
		segs := int(binary.BigEndian.Uint16(best[6:])) / 2
		if len(best) < 16+8*segs {
			return nil, errors.New("ttf: short cmap format 4")
		}
		ends, starts := best[14:], best[16+2*segs:]
		deltas, ranges := best[16+4*segs:], best[16+6*segs:]
		for s := 0; s < segs; s++ {
			end, start := int(binary.BigEndian.Uint16(ends[2*s:])), int(binary.BigEndian.Uint16(starts[2*s:]))
			delta, ro := int(binary.BigEndian.Uint16(deltas[2*s:])), int(binary.BigEndian.Uint16(ranges[2*s:]))
			for c := start; c <= end && c != 0xFFFF; c++ {
				if ro == 0 {
					add(rune(c), (c+delta)&0xFFFF)
					continue
				}
				at := 16 + 6*segs + 2*s + ro + 2*(c-start)
				if at+2 > len(best) {
					break
				}
				if g := int(binary.BigEndian.Uint16(best[at:])); g != 0 {
					add(rune(c), (g+delta)&0xFFFF)
				}
			}
		}
	default:
		return nil, errors.New("ttf: no Unicode cmap")
	}
	return m, nil
}

// toUnicodeCMap maps each glyph back to its character (the lowest one when several share a
// glyph), so that text can be extracted and searched.
func toUnicodeCMap(glyphs map[rune]uint16) []byte {
	back := map[uint16]rune{}
	for r, g := range glyphs {
		if old, ok := back[g]; !ok || r < old {
			back[g] = r
		}
	}
	gids := make([]int, 0, len(back))
	for g := range back {
		gids = append(gids, int(g))
	}
	sort.Ints(gids)
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for i := 0; i < len(gids); i += 100 {
		chunk := gids[i:min(i+100, len(gids))]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for _, g := range chunk {
			fmt.Fprintf(&b, "<%04X> <", g)
			for _, u := range utf16.Encode([]rune{back[uint16(g)]}) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// deflate compresses once-per-process data as small as zlib makes it.
func deflate(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// contentWriters recycles the compressors of content streams: a zlib writer holds about
// 1 MB of tables, far more than the stream it compresses.
var contentWriters = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	return w
}}

// pdfImage is an image XObject whose data is ready to copy.
type pdfImage struct {
	dict string // dictionary without /Length
	data []byte
	w, h int // pixels
}

// pdfLink is a clickable area that opens a URI: the certificate's QR code carries one with the
// verification URL, so that a reader can follow it and a verifier can read the token from the
// file without decoding the drawn symbol.
type pdfLink struct {
	x, y, w, h float64 // top-left corner and size in mm
	uri        string  // 7-bit ASCII
}

// pdfPage collects one page's content in millimetres from the top-left corner.
type pdfPage struct {
	w, h  float64 // page size in mm
	c     []byte  // content stream
	fonts []*ttfFace
	used  []bool // which of fonts the page uses
	image *pdfImage
	links []pdfLink

	// current text state
	font  int
	size  float64
	track float64 // character spacing in mm
	tc    float64 // character spacing in force in the content stream, in mm
}

const mmToPt = 72 / 25.4

func newPDFPage(w, h float64, fonts []*ttfFace) *pdfPage {
	return &pdfPage{w: w, h: h, fonts: fonts, used: make([]bool, len(fonts)), c: make([]byte, 0, 24<<10)}
}

func (p *pdfPage) num(v float64) {
	p.c = strconv.AppendFloat(p.c, float64(int64(v*100+copysignHalf(v)))/100, 'f', -1, 64)
	p.c = append(p.c, ' ')
}

func copysignHalf(v float64) float64 {
	if v < 0 {
		return -0.5
	}
	return 0.5
}

func (p *pdfPage) x(v float64) { p.num(v * mmToPt) }
func (p *pdfPage) y(v float64) { p.num((p.h - v) * mmToPt) }
func (p *pdfPage) op(s string) { p.c = append(p.c, s...); p.c = append(p.c, '\n') }

func (p *pdfPage) rgb(c [3]uint8, op string) {
	for _, v := range c {
		p.num(float64(v) / 255)
	}
	p.op(op)
}

// setFillColor sets the colour of text and filled shapes.
func (p *pdfPage) setFillColor(c [3]uint8) { p.rgb(c, "rg") }

func (p *pdfPage) setStroke(c [3]uint8, width float64) {
	p.rgb(c, "RG")
	p.num(width * mmToPt)
	p.op("w")
}

func (p *pdfPage) line(x1, y1, x2, y2 float64) {
	p.x(x1)
	p.y(y1)
	p.c = append(p.c, "m "...)
	p.x(x2)
	p.y(y2)
	p.op("l S")
}

// rect draws a rectangle from its top-left corner; op is "f" to fill or "S" to stroke.
func (p *pdfPage) rect(x, y, w, h float64, op string) {
	p.x(x)
	p.y(y + h)
	p.num(w * mmToPt)
	p.num(h * mmToPt)
	p.op("re " + op)
}

// polygon fills a closed polygon.
func (p *pdfPage) polygon(pts [][2]float64) {
	for i, pt := range pts {
		p.x(pt[0])
		p.y(pt[1])
		if i == 0 {
			p.c = append(p.c, "m "...)
		} else {
			p.c = append(p.c, "l "...)
		}
	}
	p.op("h f")
}

// drawImage places the page's image with its top-left corner at x, y.
func (p *pdfPage) drawImage(img *pdfImage, x, y, w, h float64) {
	p.image = img
	p.c = append(p.c, "q "...)
	p.num(w * mmToPt)
	p.c = append(p.c, "0 0 "...)
	p.num(h * mmToPt)
	p.x(x)
	p.y(y + h)
	p.op("cm /Im0 Do Q")
}

// modules fills unit squares given as rectangles of whole modules, in one path so that
// anti-aliasing leaves no seams between neighbours; m is the module size in mm and x0, y0
// the top-left corner of the symbol.
func (p *pdfPage) modules(x0, y0, m float64, rects []qrRect) {
	p.c = append(p.c, "q "...)
	p.num(m * mmToPt)
	p.c = append(p.c, "0 0 "...)
	p.num(-m * mmToPt)
	p.x(x0)
	p.y(y0)
	p.op("cm")
	for _, r := range rects {
		p.c = strconv.AppendInt(p.c, int64(r.x0), 10)
		p.c = append(p.c, ' ')
		p.c = strconv.AppendInt(p.c, int64(r.y0), 10)
		p.c = append(p.c, ' ')
		p.c = strconv.AppendInt(p.c, int64(r.x1-r.x0), 10)
		p.c = append(p.c, ' ')
		p.c = strconv.AppendInt(p.c, int64(r.y1-r.y0), 10)
		p.c = append(p.c, " re\n"...)
	}
	p.op("f Q")
}

// link makes the rectangle with its top-left corner at x, y open uri when clicked.
func (p *pdfPage) link(x, y, w, h float64, uri string) {
	p.links = append(p.links, pdfLink{x: x, y: y, w: w, h: h, uri: uri})
}

// setFont selects face (an index in the page's fonts) at size points.
func (p *pdfPage) setFont(face int, size float64) { p.font, p.size = face, size }

// setTrack sets the extra space after each character, in mm.
func (p *pdfPage) setTrack(mm float64) { p.track = mm }

// faceChooser gives the face that sets rune r in text of the given face: the face itself, or
// a fallback face that has r when it lacks it.
type faceChooser func(face int, r rune) int

// textWidth is the width of s in mm in the current font, size and tracking.
func (p *pdfPage) textWidth(s string, choose faceChooser) float64 {
	var em float64
	n := 0
	for _, r := range s {
		f := p.fonts[choose(p.font, r)]
		if g, ok := f.glyphs[r]; ok {
			em += float64(f.advance[g]) / f.unitsPerEm
		}
		n++
	}
	w := em * p.size / mmToPt
	if n > 1 {
		w += p.track * float64(n-1)
	}
	return w
}

// text sets s with its top at y (the baseline one typographic ascent lower) from x, in
// runs of the current face and its fallback.
func (p *pdfPage) text(x, y float64, s string, choose faceChooser) {
	if s == "" {
		return
	}
	baseline := y + p.fonts[p.font].typoAscent*p.size/mmToPt
	p.c = append(p.c, "BT\n"...)
	// Character spacing is part of the graphics state and outlives BT…ET.
	if p.track != p.tc {
		p.tc = p.track
		p.num(p.track * mmToPt)
		p.op("Tc")
	}
	p.x(x)
	p.y(baseline)
	p.op("Td")
	cur := -1
	for _, r := range s {
		face := choose(p.font, r)
		if face != cur {
			if cur >= 0 {
				p.c = append(p.c, "> Tj\n"...)
			}
			cur = face
			p.used[face] = true
			p.c = append(p.c, "/F"...)
			p.c = strconv.AppendInt(p.c, int64(face), 10)
			p.c = append(p.c, ' ')
			p.num(p.size)
			p.c = append(p.c, "Tf <"...)
		}
		g := p.fonts[face].glyphs[r] // 0, .notdef, when no face has it
		p.c = append(p.c, hexDigits[g>>12], hexDigits[g>>8&15], hexDigits[g>>4&15], hexDigits[g&15])
	}
	p.c = append(p.c, "> Tj\nET\n"...)
}

const hexDigits = "0123456789ABCDEF"

// pdfInfo is the document information dictionary.
type pdfInfo struct {
	Title, Author, Subject, Creator string
	Created                         time.Time
}

// bytes writes the PDF: the page, its image, the fonts it used (copied as prepared) and the
// information dictionary, with a deterministic file identifier.
func (p *pdfPage) bytes(info pdfInfo) ([]byte, error) {
	var out bytes.Buffer
	size := 16 << 10
	for i, f := range p.fonts {
		if p.used[i] {
			size += len(f.fontFile) + len(f.toUnicode) + len(f.widths) + 1024
		}
	}
	if p.image != nil {
		size += len(p.image.data)
	}
	out.Grow(size + len(p.c))
	out.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := []int{0} // object 0 is the head of the free list
	begin := func() int {
		offsets = append(offsets, out.Len())
		n := len(offsets) - 1
		out.WriteString(strconv.Itoa(n))
		out.WriteString(" 0 obj\n")
		return n
	}
	end := func() { out.WriteString("\nendobj\n") }
	stream := func(dict string, data []byte) {
		out.WriteString(dict)
		out.WriteString(" /Length ")
		out.WriteString(strconv.Itoa(len(data)))
		out.WriteString(" >>\nstream\n")
		out.Write(data)
		out.WriteString("\nendstream")
	}

	// Numbering: 1 catalog, 2 pages, 3 page, 4 content, 5 info, then the image, the fonts and
	// the link annotations.
	const catalog, pages, page, content, infoObj = 1, 2, 3, 4, 5
	next := 6
	imageObj := 0
	if p.image != nil {
		imageObj, next = next, next+1
	}
	fontObj := make([]int, len(p.fonts))
	for i := range p.fonts {
		if p.used[i] {
			fontObj[i], next = next, next+5 // Type0, CIDFont, descriptor, font file, ToUnicode
		}
	}
	firstLink := next

	begin()
	fmt.Fprintf(&out, "<< /Type /Catalog /Pages %d 0 R >>", pages)
	end()
	begin()
	fmt.Fprintf(&out, "<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page)
	end()
	begin()
	fmt.Fprintf(&out, "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R /Resources << /Font <<",
		pages, strconv.FormatFloat(p.w*mmToPt, 'f', 2, 64), strconv.FormatFloat(p.h*mmToPt, 'f', 2, 64), content)
	for i, o := range fontObj {
		if o != 0 {
			fmt.Fprintf(&out, " /F%d %d 0 R", i, o)
		}
	}
	out.WriteString(" >>")
	if imageObj != 0 {
		fmt.Fprintf(&out, " /XObject << /Im0 %d 0 R >>", imageObj)
	}
	out.WriteString(" >>")
	if len(p.links) > 0 {
		out.WriteString(" /Annots [")
		for i := range p.links {
			fmt.Fprintf(&out, " %d 0 R", firstLink+i)
		}
		out.WriteString(" ]")
	}
	out.WriteString(" >>")
	end()

	begin()
	zw := contentWriters.Get().(*zlib.Writer)
	var z bytes.Buffer
	z.Grow(len(p.c) / 2)
	zw.Reset(&z)
	_, err := zw.Write(p.c)
	if err == nil {
		err = zw.Close()
	}
	contentWriters.Put(zw)
	if err != nil {
		return nil, fmt.Errorf("compress page: %w", err)
	}
	stream("<< /Filter /FlateDecode", z.Bytes())
	end()

	begin()
	out.WriteString("<< /Title ")
	out.WriteString(pdfText(info.Title))
	out.WriteString(" /Author ")
	out.WriteString(pdfText(info.Author))
	out.WriteString(" /Subject ")
	out.WriteString(pdfText(info.Subject))
	out.WriteString(" /Creator ")
	out.WriteString(pdfText(info.Creator))
	out.WriteString(" /Producer (Sertika)")
	if !info.Created.IsZero() {
		d := pdfDate(info.Created)
		out.WriteString(" /CreationDate " + d + " /ModDate " + d)
	}
	out.WriteString(" >>")
	end()

	if imageObj != 0 {
		begin()
		stream(p.image.dict, p.image.data)
		end()
	}
	for i, f := range p.fonts {
		o := fontObj[i]
		if o == 0 {
			continue
		}
		begin()
		fmt.Fprintf(&out, "<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>",
			f.baseFont, o+1, o+4)
		end()
		begin()
		fmt.Fprintf(&out, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap /Identity /W ",
			f.baseFont, o+2)
		out.WriteString(f.widths)
		out.WriteString(" >>")
		end()
		begin()
		out.WriteString(f.descriptor)
		fmt.Fprintf(&out, " /FontFile2 %d 0 R >>", o+3)
		end()
		begin()
		stream("<< /Filter /FlateDecode /Length1 "+strconv.Itoa(f.fontFileLen), f.fontFile)
		end()
		begin()
		stream("<< /Filter /FlateDecode", f.toUnicode)
		end()
	}

	for _, l := range p.links {
		// A link without a border (/Border [0 0 0]), printed (/F 4), whose action opens the URI.
		begin()
		out.WriteString("<< /Type /Annot /Subtype /Link /Rect [")
		rect := [4]float64{l.x * mmToPt, (p.h - l.y - l.h) * mmToPt, (l.x + l.w) * mmToPt, (p.h - l.y) * mmToPt}
		for i, v := range rect {
			if i > 0 {
				out.WriteByte(' ')
			}
			out.WriteString(strconv.FormatFloat(v, 'f', 2, 64))
		}
		out.WriteString("] /Border [0 0 0] /F 4 /A << /Type /Action /S /URI /URI ")
		out.WriteString(pdfASCII(l.uri))
		out.WriteString(" >> >>")
		end()
	}

	xref := out.Len()
	id := sha256.Sum256(out.Bytes())
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets))
	for _, o := range offsets[1:] {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%X> <%X>] >>\nstartxref\n%d\n%%%%EOF\n",
		len(offsets), catalog, infoObj, id[:16], id[:16], xref)
	return out.Bytes(), nil
}

// pdfText encodes s as a PDF text string: UTF-16BE with a byte-order mark, in hex.
func pdfText(s string) string {
	b := make([]byte, 0, 6+4*len(s))
	b = append(b, "<FEFF"...)
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, hexDigits[u>>12], hexDigits[u>>8&15], hexDigits[u>>4&15], hexDigits[u&15])
	}
	return string(append(b, '>'))
}

// pdfASCII encodes s as a PDF literal string of 7-bit ASCII, as a URI must be: parentheses
// and backslashes are escaped, and any other byte outside printable ASCII is written in octal.
func pdfASCII(s string) string {
	b := make([]byte, 0, len(s)+2)
	b = append(b, '(')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(' || c == ')' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c > 0x7e:
			b = append(b, '\\', '0'+c>>6, '0'+c>>3&7, '0'+c&7)
		default:
			b = append(b, c)
		}
	}
	return string(append(b, ')'))
}

// pdfDate formats t as a PDF date in its own zone: (D:20260320093000+09'00').
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("(D:%s%c%02d'%02d')", t.Format("20060102150405"), sign, off/3600, off/60%60)
}
