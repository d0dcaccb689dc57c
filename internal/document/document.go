// Package document renders Sertika's printable documents as PDF with embedded fonts
// (DejaVu, under the Bitstream Vera licence in fonts/LICENSE-dejavu.txt), so that a letter
// looks the same on every computer and its text can be extracted and searched. It holds
// the shared page set-up; the layouts themselves live with the feature that issues them.
package document

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

//go:embed fonts/*.ttf
var fontFS embed.FS

// Font families registered in every document.
const (
	Serif = "serif"
	Sans  = "sans"
)

type fontFile struct{ family, style, file string }

var fontFiles = []fontFile{
	{Serif, "", "DejaVuSerif.ttf"},
	{Serif, "B", "DejaVuSerif-Bold.ttf"},
	{Serif, "I", "DejaVuSerif-Italic.ttf"},
	{Sans, "", "DejaVuSans.ttf"},
	{Sans, "B", "DejaVuSans-Bold.ttf"},
}

// fontBytes are read once from the embedded files.
var fontBytes = func() map[string][]byte {
	m := map[string][]byte{}
	for _, f := range fontFiles {
		b, err := fontFS.ReadFile("fonts/" + f.file)
		if err != nil {
			panic(err)
		}
		m[f.file] = b
	}
	return m
}()

// New returns an A4 document ("P" portrait or "L" landscape) in millimetres with the fonts
// registered, the creation date fixed to created (so output is reproducible) and metadata set.
func New(orientation, title, author string, created time.Time) *fpdf.Fpdf {
	pdf := fpdf.New(orientation, "mm", "A4", "")
	for _, f := range fontFiles {
		pdf.AddUTF8FontFromBytes(f.family, f.style, fontBytes[f.file])
	}
	pdf.SetTitle(title, true)
	pdf.SetAuthor(author, true)
	pdf.SetCreator("Sertika", true)
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	return pdf
}

// Bytes finishes the document and returns its bytes.
func Bytes(pdf *fpdf.Fpdf) ([]byte, error) {
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render pdf: %w", err)
	}
	return buf.Bytes(), nil
}

var months = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
	"Oktober", "November", "Desember"}

// Tanggal formats a date the Indonesian way: "2 Maret 2026".
func Tanggal(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}

// Period formats a date range: "10–12 Maret 2026", "30 Maret – 2 April 2026".
func Period(from, to time.Time) string {
	switch {
	case from.Equal(to):
		return Tanggal(from)
	case from.Year() == to.Year() && from.Month() == to.Month():
		return fmt.Sprintf("%d–%s", from.Day(), Tanggal(to))
	case from.Year() == to.Year():
		return fmt.Sprintf("%d %s – %s", from.Day(), months[from.Month()-1], Tanggal(to))
	}
	return Tanggal(from) + " – " + Tanggal(to)
}

// FormatNIP groups an 18-digit NIP as printed on official documents: "19660801 198803 1 001".
func FormatNIP(n string) string {
	if len(n) != 18 {
		return n
	}
	return strings.Join([]string{n[0:8], n[8:14], n[14:15], n[15:18]}, " ")
}
