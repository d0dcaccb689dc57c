package scoring

// Category is the band of an IP ASN score. The string values are a contract for the API.
type Category string

// The categories, highest first.
const (
	SangatTinggi Category = "sangat_tinggi"
	Tinggi       Category = "tinggi"
	Sedang       Category = "sedang"
	Rendah       Category = "rendah"
	SangatRendah Category = "sangat_rendah"
)

// Categories lists the categories, highest first.
var Categories = []Category{SangatTinggi, Tinggi, Sedang, Rendah, SangatRendah}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, x := range Categories {
		if c == x {
			return true
		}
	}
	return false
}

// Label is the category's name in Bahasa Indonesia ("" for an unknown category).
func (c Category) Label() string {
	switch c {
	case SangatTinggi:
		return "Sangat Tinggi"
	case Tinggi:
		return "Tinggi"
	case Sedang:
		return "Sedang"
	case Rendah:
		return "Rendah"
	case SangatRendah:
		return "Sangat Rendah"
	}
	return ""
}

// Dimension is one of the four parts of the IP ASN.
type Dimension string

// The dimensions, in the order of the formula.
const (
	Kualifikasi Dimension = "kualifikasi"
	Kompetensi  Dimension = "kompetensi"
	Kinerja     Dimension = "kinerja"
	Disiplin    Dimension = "disiplin"
)

// Dimensions lists the dimensions in the order of the formula.
var Dimensions = []Dimension{Kualifikasi, Kompetensi, Kinerja, Disiplin}

// Label is the dimension's name in Bahasa Indonesia.
func (d Dimension) Label() string {
	switch d {
	case Kualifikasi:
		return "Kualifikasi"
	case Kompetensi:
		return "Kompetensi"
	case Kinerja:
		return "Kinerja"
	case Disiplin:
		return "Disiplin"
	}
	return string(d)
}
