package scoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sertika/sertika/internal/domain"
)

// appendDecimal's fast path gives strconv's digits: every whole number of hundredths tried,
// in every range, and values that take the general path.
func TestAppendDecimalMatchesStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(x float64) {
		t.Helper()
		want := strconv.FormatFloat(x, 'f', -1, 64)
		if got := string(appendDecimal(nil, x, '.')); got != want {
			t.Fatalf("appendDecimal(%v) = %q, strconv %q", x, got, want)
		}
		if got, want := string(appendDecimal([]byte("x"), x, ',')), "x"+strings.Replace(want, ".", ",", 1); got != want {
			t.Fatalf("appendDecimal(%v, ',') = %q, want %q", x, got, want)
		}
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 0.01, -0.01, 0.1, 0.5, 1, 22.5, 99.99, 100, 1.005, 71.585,
		1e13 - 0.01, 1e13, 1e13 + 0.01, 9.99e14, 1e15, 1e21, 1e-7, math.Inf(1), math.NaN(), math.MaxFloat64,
		math.SmallestNonzeroFloat64, 0.1 + 0.2} {
		check(x)
	}
	for c := int64(-200_000); c <= 200_000; c++ {
		check(float64(c) / 100)
	}
	for range 1_000_000 {
		switch r.IntN(4) {
		case 0:
			check(float64(r.Int64N(2e15)-1e15) / 100)
		case 1:
			check(float64(r.Int64N(2e9)-1e9) / 10000)
		case 2:
			check(float64(r.IntN(4001))/100 + float64(r.IntN(3001))/100 + float64(r.IntN(501))/100)
		default:
			check((r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(24)-4)))
		}
	}
}

// wildFacts returns randomFacts with odd spellings and data: labels for codes, unknown
// values, texts that need escaping in JSON, missing dates and sources, odd SKP values.
func wildFacts(r *rand.Rand) Facts {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	f := randomFacts(r)
	if r.IntN(4) == 0 {
		f.EducationLevel = pick("S1", "s-1", " 40 ", "5", "SMA", "D-III", "diploma iv", "Profesi", "S3", "x\"y", "")
	}
	if r.IntN(4) == 0 {
		f.PositionKind = pick("JFT", "Struktural", " pelaksana ", "honorer", "", "jpt")
	}
	if r.IntN(4) == 0 {
		f.Status = pick("pns", " pppk ", "Honorer", "")
	}
	if r.IntN(5) == 0 {
		f.Eselon = pick("III.a", "iii.b", "IV/a", "x<y>", "", "II.a")
	}
	if r.IntN(5) == 0 {
		f.JFName = pick("Dokter Ahli Madya", "GURU", "Perawat", "Bidan Terampil", "  ", "Asesor SDM \"A\"", "Juru\tUkur")
	}
	titles := []string{"", "Seminar \"Digital\"", "Kursus <b>&amp;</b>", "Pelatihan\nbaris", "Ünïcødé — ✓", "bad\xffutf8", "\u2028sep\u2029", "ctl\x01\x1f"}
	for i := range f.Development {
		a := &f.Development[i]
		switch r.IntN(6) {
		case 0:
			a.Number = ""
		case 1:
			a.Source = ""
		case 2:
			a.Number, a.Title = "", titles[r.IntN(len(titles))]
		case 3:
			a.Number, a.Source, a.Title = "", "", ""
		}
		if r.IntN(5) == 0 {
			a.Title = titles[r.IntN(len(titles))]
		}
		if r.IntN(10) == 0 {
			a.Start = domain.Date{}
		}
		if a.Kind == "kepemimpinan" && r.IntN(5) == 0 {
			a.Level = pick("PIM IV", "pim iii", "Diklatpim II", "PKN 1", "xyz", "")
		}
	}
	for i := r.IntN(8); i > 0; i-- {
		a := randomActivity(r)
		a.Kind = pick("teknis", "bimtek", "seminar", "workshop", "e_learning", "fungsional", "kursus", "jarak_jauh")
		f.Development = append(f.Development, a)
	}
	for i := range f.Penalties {
		if r.IntN(3) == 0 {
			f.Penalties[i].Source = fmt.Sprintf("hukdis:%d", r.IntN(100))
		}
		if r.IntN(8) == 0 {
			f.Penalties[i].Start = domain.Date{}
		}
		if r.IntN(8) == 0 {
			f.Penalties[i].Level = pick("ringan", "Sedang", "BERAT", "")
		}
	}
	for i := range f.SKP {
		if r.IntN(10) == 0 {
			f.SKP[i].Value = pf(pick2(r, math.NaN(), math.Inf(1), -3, 90.005, 75.5, 1e-7, 60.125))
		}
		if r.IntN(10) == 0 {
			f.SKP[i].Predikat = pick("  ", "sangat_baik", "1", "5", "Kurang")
		}
	}
	return f
}

func pick2(r *rand.Rand, xs ...float64) float64 { return xs[r.IntN(len(xs))] }

// randomText returns a string mixing what encoding/json escapes: quotes, backslashes, HTML
// characters, control bytes, U+2028/U+2029, invalid UTF-8 and ordinary text.
func randomText(r *rand.Rand) string {
	parts := []string{"a", "Pelatihan", " ", "\"", "\\", "<", ">", "&", "\n", "\r", "\t", "\b", "\f", "\x00", "\x01", "\x1f",
		"\x7f", "\u2028", "\u2029", "é", "—", "→", "“", "”", "\xff", "\xc3", "\xe2\x80", "\U0001F600", "\ufffd", "/", "'"}
	var b strings.Builder
	for i := r.IntN(12); i > 0; i-- {
		b.WriteString(parts[r.IntN(len(parts))])
	}
	return b.String()
}

// encodeScore writes what json.Marshal writes, for computed scores and for scores with
// arbitrary texts and numbers.
func TestEncodeScoreMatchesEncodingJSON(t *testing.T) {
	check := func(s Score) {
		t.Helper()
		want, werr := json.Marshal(s)
		got, gerr := encodeScore([]byte("prefix"), &s)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("errors differ: encoding/json %v, encodeScore %v", werr, gerr)
		}
		if werr != nil {
			return
		}
		if !bytes.Equal(got[len("prefix"):], want) || string(got[:len("prefix")]) != "prefix" {
			t.Fatalf("encodeScore:\n%s\nencoding/json:\n%s", got, want)
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		for range 5000 {
			check(Compute(rs, wildFacts(r)))
		}
	}
	check(Score{})
	check(Score{Explanation: []Line{{}}, Hints: []Hint{{}}, Incomplete: []string{}})
	floats := []float64{0, math.Copysign(0, -1), 1e-7, -1e-7, 1e-6, 1e21, 1e22, 123456789.125, 0.1 + 0.2, 1e-300,
		math.MaxFloat64, math.NaN(), math.Inf(1), math.Inf(-1)}
	for range 20000 {
		f := func() float64 {
			if r.IntN(3) == 0 {
				return floats[r.IntN(len(floats))]
			}
			return float64(r.IntN(20001)-10000) / 100
		}
		s := Score{NIP: randomText(r), Year: r.IntN(3000) - 10, RuleSet: randomText(r), RuleSetVersion: randomText(r),
			Provisional: r.IntN(2) == 0, Status: randomText(r), Measured: r.IntN(2) == 0, Kualifikasi: f(), Kompetensi: f(),
			Kinerja: f(), Disiplin: f(), Total: f(), Category: Category(randomText(r)), CategoryLabel: randomText(r),
			JPThisYear: r.IntN(200) - 100, JPDuty: r.IntN(30)}
		if r.IntN(5) > 0 {
			s.Explanation = []Line{}
			for i := r.IntN(4); i > 0; i-- {
				l := Line{Dimension: Dimension(randomText(r)), Indicator: Indicator(randomText(r)), Points: f(), Text: randomText(r)}
				if r.IntN(4) > 0 {
					l.Facts = []string{}
					for j := r.IntN(3); j > 0; j-- {
						l.Facts = append(l.Facts, randomText(r))
					}
				}
				s.Explanation = append(s.Explanation, l)
			}
		}
		if r.IntN(5) > 0 {
			s.Hints = []Hint{}
			for i := r.IntN(4); i > 0; i-- {
				s.Hints = append(s.Hints, Hint{Dimension: Dimension(randomText(r)), Indicator: Indicator(randomText(r)), Gain: f(), Text: randomText(r)})
			}
		}
		if r.IntN(5) > 0 {
			s.Incomplete = []string{randomText(r)}
		}
		check(s)
	}
	// Every rune, valid or not, in a text.
	var all strings.Builder
	for c := rune(0); c <= 0x3000; c++ {
		all.WriteRune(c)
	}
	for b := 0x80; b < 0x100; b++ {
		all.WriteByte(byte(b))
	}
	check(Score{NIP: all.String()})
	if !utf8.ValidString("\u2028") {
		t.Fatal("sanity")
	}
}
