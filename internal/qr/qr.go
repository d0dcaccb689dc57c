// Package qr encodes the verification URL printed on Sertika certificates as a QR code
// (error-correction level M, through github.com/skip2/go-qrcode) and renders it at whole
// pixels per module, so that no scaling ever blurs a module.
//
// The package keeps no global state: a Code holds its own module matrix, computed once
// when it is encoded.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	qrcode "github.com/skip2/go-qrcode"
)

// MaxVersion is the largest QR version a certificate may print: version 12 has 65 modules a
// side, about 0.46 mm per module in the 30 mm square on the certificate, which ordinary phone
// cameras still read. The short upper-case token form exists to stay within it.
const MaxVersion = 12

// QuietZone is the white margin, in modules, that PNG adds on every side (the minimum the
// QR specification requires).
const QuietZone = 4

// Code is an encoded QR symbol.
type Code struct {
	content string
	version int
	// modules[y][x] is true for a dark module; no quiet zone.
	modules [][]bool
}

// Encode encodes content at error-correction level M in the smallest version that holds it.
// The library picks the cheapest mode per segment, so an all-alphanumeric string (digits,
// upper-case letters and " $%*+-./:") costs 5.5 bits a character instead of 8.
func Encode(content string) (*Code, error) {
	if content == "" {
		return nil, errors.New("qr: empty content")
	}
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr: encode %d bytes: %w", len(content), err)
	}
	q.DisableBorder = true
	// Bitmap runs the library's final encoding step, which appends padding to its internal
	// state: call it exactly once and keep the result.
	return &Code{content: content, version: q.VersionNumber, modules: q.Bitmap()}, nil
}

// Content is the encoded text.
func (c *Code) Content() string { return c.content }

// Version is the QR version (1–40); the symbol has 17+4·version modules a side.
func (c *Code) Version() int { return c.version }

// Modules is the size of the symbol in modules, without the quiet zone.
func (c *Code) Modules() int { return len(c.modules) }

// Bitmap returns a copy of the module matrix without the quiet zone: bitmap[y][x] is true
// for a dark module.
func (c *Code) Bitmap() [][]bool {
	out := make([][]bool, len(c.modules))
	for y, row := range c.modules {
		out[y] = append([]bool(nil), row...)
	}
	return out
}

// Dark reports whether the module at column x, row y is dark (false outside the symbol).
func (c *Code) Dark(x, y int) bool {
	if y < 0 || y >= len(c.modules) || x < 0 || x >= len(c.modules[y]) {
		return false
	}
	return c.modules[y][x]
}

// PNG renders the symbol as a two-colour paletted PNG with exactly moduleSize pixels per
// module and a QuietZone-module white border, so its side is (Modules()+8)·moduleSize pixels.
func (c *Code) PNG(moduleSize int) ([]byte, error) {
	if moduleSize < 1 || moduleSize > 64 {
		return nil, fmt.Errorf("qr: module size %d px out of range 1–64", moduleSize)
	}
	side := (c.Modules() + 2*QuietZone) * moduleSize
	// Index 0 is white, so the zero-filled pixel buffer is already the background.
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y, row := range c.modules {
		for x, dark := range row {
			if !dark {
				continue
			}
			x0, y0 := (x+QuietZone)*moduleSize, (y+QuietZone)*moduleSize
			for py := y0; py < y0+moduleSize; py++ {
				line := img.Pix[py*img.Stride+x0 : py*img.Stride+x0+moduleSize]
				for i := range line {
					line[i] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	// A two-entry palette makes image/png write a 1-bit-per-pixel indexed image.
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: write png: %w", err)
	}
	return buf.Bytes(), nil
}

// BudgetError reports content whose QR code would be larger than MaxVersion.
type BudgetError struct {
	Length  int // characters of content
	Version int // the version it needs
}

// Error names the version, in Bahasa Indonesia because the issuer shows it to the signer.
func (e *BudgetError) Error() string {
	return fmt.Sprintf("%d karakter memerlukan QR versi %d (%d×%d modul), melebihi batas versi %d",
		e.Length, e.Version, 17+4*e.Version, 17+4*e.Version, MaxVersion)
}

// CheckBudget encodes content and returns a *BudgetError when the symbol would be larger than
// MaxVersion (or the encoder's error when content does not fit any version).
func CheckBudget(content string) error {
	c, err := Encode(content)
	if err != nil {
		return err
	}
	if c.Version() > MaxVersion {
		return &BudgetError{Length: len(content), Version: c.Version()}
	}
	return nil
}
