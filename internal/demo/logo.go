package demo

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
)

// Logo returns the demo agency's logo: a round emblem with a green volcano (the island of
// Tidore and its peak, Kie Matubu) over the sea, in a gold ring. It is drawn in code, so the
// demo needs no image files; a few kilobytes of PNG.
func Logo() []byte {
	const size = 256
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	var (
		gold  = color.NRGBA{0xd4, 0xa0, 0x17, 0xff}
		navy  = color.NRGBA{0x0b, 0x3d, 0x6e, 0xff}
		sky   = color.NRGBA{0xe8, 0xf3, 0xfb, 0xff}
		green = color.NRGBA{0x1f, 0x7a, 0x3a, 0xff}
		dark  = color.NRGBA{0x14, 0x55, 0x28, 0xff}
		sea   = color.NRGBA{0x1b, 0x6f, 0xb5, 0xff}
		foam  = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	)
	c := float64(size-1) / 2
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			dx, dy := float64(x)-c, float64(y)-c
			d := math.Hypot(dx, dy)
			var col color.NRGBA
			switch {
			case d > 126:
				continue // transparent
			case d > 116:
				col = gold
			case d > 110:
				col = navy
			default:
				col = sky
				// The volcano: a triangle with its peak above the centre.
				peakY, baseY := 40.0, 170.0
				half := (float64(y) - peakY) * 0.95
				if fy := float64(y); fy >= peakY && fy <= baseY && math.Abs(dx) <= half {
					col = green
					if dx > 0 {
						col = dark // the shaded flank
					}
				}
				// The sea, with two lines of waves.
				wave := 6 * math.Sin(float64(x)/14)
				if float64(y) > 165+wave/2 {
					col = sea
					if w := float64(y) - (190 + wave); w > 0 && w < 4 {
						col = foam
					}
					if w := float64(y) - (212 + wave); w > 0 && w < 4 {
						col = foam
					}
				}
			}
			img.SetNRGBA(x, y, col)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory image cannot fail
	}
	return buf.Bytes()
}
