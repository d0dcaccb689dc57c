package domain

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sertika/sertika/internal/apperr"
)

// DevelopmentKind is a kind of competency development (jenis pengembangan kompetensi) with
// its stable code, as listed in the rules document §3. The codes are a contract for the API,
// imports and rule sets; SIASNID is SIASN's jenisDiklatId for import and export.
type DevelopmentKind struct {
	Code      string
	Label     string // Bahasa Indonesia
	Classroom bool   // klasikal (true) or non-klasikal
	SIASNID   int
}

// DevelopmentKinds lists every kind in the order of the rules document.
var DevelopmentKinds = []DevelopmentKind{
	{"kepemimpinan", "Pelatihan Kepemimpinan (PKP/PKA/PKN)", true, 1},
	{"fungsional", "Pelatihan Fungsional", true, 2},
	{"teknis", "Pelatihan Teknis", true, 3},
	{"workshop", "Workshop / Lokakarya", true, 4},
	{"manajerial", "Pelatihan Manajerial", true, 5},
	{"sosial_kultural", "Pelatihan Sosial Kultural", true, 6},
	{"sosialisasi", "Sosialisasi", true, 7},
	{"bimtek", "Bimbingan Teknis", true, 8},
	{"seminar", "Seminar / Konferensi / Sarasehan", true, 9},
	{"magang", "Magang / Praktik Kerja", false, 10},
	{"kursus", "Kursus", true, 11},
	{"penataran", "Penataran", true, 12},
	{"klasikal_lain", "Pelatihan Klasikal Lainnya", true, 13},
	{"coaching", "Coaching", false, 14},
	{"mentoring", "Mentoring", false, 15},
	{"e_learning", "E-Learning", false, 16},
	{"jarak_jauh", "Pelatihan Jarak Jauh", false, 17},
	{"detasering", "Detasering", false, 18},
	{"alam_terbuka", "Pembelajaran Alam Terbuka (Outbound)", false, 19},
	{"patok_banding", "Patok Banding (Benchmarking)", false, 20},
	{"pertukaran", "Pertukaran PNS dengan Swasta/BUMN/BUMD", false, 21},
	{"belajar_mandiri", "Belajar Mandiri", false, 22},
	{"komunitas_belajar", "Komunitas Belajar", false, 23},
	{"bimbingan_kerja", "Bimbingan di Tempat Kerja", false, 24},
	{"nonklasikal_lain", "Pengembangan Nonklasikal Lainnya", false, 25},
}

// KindByCode returns the kind with the code.
func KindByCode(code string) (DevelopmentKind, bool) {
	for _, k := range DevelopmentKinds {
		if k.Code == code {
			return k, true
		}
	}
	return DevelopmentKind{}, false
}

// LeadershipLevel is a level of leadership training, lowest first. PKP and PIM IV are the
// same level under old and new names, and so on up.
type LeadershipLevel struct {
	Code  string
	Label string
	Rank  int // 4 = Pengawas … 1 = JPT Madya/Utama; a lower rank is a higher level
}

// LeadershipLevels lists the leadership-training levels.
var LeadershipLevels = []LeadershipLevel{
	{"pkp", "PKP (Pelatihan Kepemimpinan Pengawas)", 4},
	{"pim4", "Diklatpim Tingkat IV", 4},
	{"pka", "PKA (Pelatihan Kepemimpinan Administrator)", 3},
	{"pim3", "Diklatpim Tingkat III", 3},
	{"pkn2", "PKN Tingkat II", 2},
	{"pim2", "Diklatpim Tingkat II", 2},
	{"pkn1", "PKN Tingkat I", 1},
	{"pim1", "Diklatpim Tingkat I", 1},
}

// LeadershipLevelByCode returns the level with the code.
func LeadershipLevelByCode(code string) (LeadershipLevel, bool) {
	for _, l := range LeadershipLevels {
		if l.Code == code {
			return l, true
		}
	}
	return LeadershipLevel{}, false
}

// Date is a calendar date without time or zone, stored as DATE in PostgreSQL and as
// 'YYYY-MM-DD' text in SQLite, and written as "YYYY-MM-DD" in JSON.
type Date struct{ time.Time }

// DateLayout is the wire and storage format of a Date.
const DateLayout = "2006-01-02"

// NewDate returns the date of y-m-d.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf returns the calendar date of t in its own location.
func DateOf(t time.Time) Date { return NewDate(t.Year(), t.Month(), t.Day()) }

// ParseDate reads "YYYY-MM-DD" or SIASN's "dd-mm-yyyy".
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{DateLayout, "02-01-2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Date{t}, nil
		}
	}
	return Date{}, fmt.Errorf("tanggal %q tidak sah: gunakan format TTTT-BB-HH (misalnya 2026-03-31)", s)
}

// String formats the date as YYYY-MM-DD ("" for the zero date).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(DateLayout)
}

// Days returns the number of days from d to e, counting both ends (e ≥ d).
func (d Date) Days(e Date) int { return int(e.Sub(d.Time).Hours()/24) + 1 }

// Value stores the date as text; both databases accept it.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.Format(DateLayout), nil
}

// Scan reads a date from either database.
func (d *Date) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		*d = NewDate(x.Year(), x.Month(), x.Day())
	case string:
		return d.scanString(x)
	case []byte:
		return d.scanString(string(x))
	default:
		return fmt.Errorf("cannot scan %T into Date", v)
	}
	return nil
}

func (d *Date) scanString(s string) error {
	if len(s) >= 10 {
		s = s[:10]
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return err
	}
	*d = Date{t}
	return nil
}

// MarshalJSON writes "YYYY-MM-DD" (null for the zero date).
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD". Its errors are invalid-input errors with Indonesian
// messages, which the JSON API passes on to the caller.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return apperr.Invalid("Tanggal harus berupa teks TTTT-BB-HH (misalnya 2026-03-31).")
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return apperr.Invalidf("Tanggal %q tidak sah: gunakan format TTTT-BB-HH (misalnya 2026-03-31).", s)
	}
	*d = Date{t}
	return nil
}
