package scoring

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// The optional JP conversion of non-classroom development (docs/ipasn-rules.md §8,
// kompetensi.jp_conversion): validation, what Compute counts and says, and that the
// embedded rule sets, which have none, are unaffected.

// readmeConversion returns the jp_conversion example of scoring/README.md as generic JSON,
// so the tests below use the documented example.
func readmeConversion(tb testing.TB) []any {
	tb.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		tb.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, `"jp_conversion": [`)
	if i < 0 {
		tb.Fatal(`README.md has no "jp_conversion" example`)
	}
	j := strings.Index(s[i:], "\n  ]")
	if j < 0 {
		tb.Fatal(`README.md: the "jp_conversion" example does not end with "  ]"`)
	}
	var m map[string][]any
	if err := json.Unmarshal([]byte("{"+s[i:i+j+4]+"}"), &m); err != nil {
		tb.Fatalf("README.md jp_conversion example: %v", err)
	}
	return m["jp_conversion"]
}

// conversionRuleSet is perban-8-2019 with the README's JP conversion, under an id of its own.
func conversionRuleSet(tb testing.TB) *RuleSet {
	tb.Helper()
	conv := readmeConversion(tb)
	return MustEdit(tb, RuleSetPerban2019, func(m map[string]any) {
		m["id"], m["version"] = "perban-8-2019-konversi", "2019.1-k1"
		obj(m, "kompetensi")["jp_conversion"] = conv
	})
}

func TestJPConversionParse(t *testing.T) {
	rs := conversionRuleSet(t)
	want := []JPConversionRule{
		{Kinds: []string{"magang", "detasering", "pertukaran"}, JPPerActivity: intp(20)},
		{Kinds: []string{"e_learning"}, MaxJPPerDay: intp(3)},
	}
	if !reflect.DeepEqual(rs.Kompetensi.JPConversion, want) {
		t.Errorf("jp_conversion %+v, want %+v", rs.Kompetensi.JPConversion, want)
	}
	if len(rs.jpConv) != 4 || rs.jpConv["e_learning"] != &rs.Kompetensi.JPConversion[1] || rs.jpConv["teknis"] != nil {
		t.Errorf("index %v", rs.jpConv)
	}
	// Written back, it parses to the same rule set.
	b, err := json.Marshal(rs)
	if err != nil {
		t.Fatal(err)
	}
	if again := MustParse(t, b); !reflect.DeepEqual(again, rs) {
		t.Error("round trip of a rule set with conversion differs")
	}
	// An empty list, or null, is no conversion.
	for _, v := range []any{[]any{}, nil} {
		rs := MustEdit(t, RuleSetPerban2019, func(m map[string]any) { obj(m, "kompetensi")["jp_conversion"] = v })
		if rs.Kompetensi.JPConversion != nil || rs.jpConv != nil {
			t.Errorf("jp_conversion %v: %+v %v, want none", v, rs.Kompetensi.JPConversion, rs.jpConv)
		}
	}
}

// TestJPConversionEmbeddedSetsHaveNone: Peraturan BKN 8/2019 does not define a conversion,
// and an embedded set written out does not even mention the key (its pinned fingerprint in
// TestRuleSetVersionPinsTables covers the rest).
func TestJPConversionEmbeddedSetsHaveNone(t *testing.T) {
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		if rs.Kompetensi.JPConversion != nil || rs.jpConv != nil {
			t.Errorf("%s: jp_conversion %+v", id, rs.Kompetensi.JPConversion)
		}
		b, _ := json.Marshal(rs)
		if strings.Contains(string(b), "jp_conversion") {
			t.Errorf("%s: JSON mentions jp_conversion", id)
		}
	}
}

func TestJPConversionValidation(t *testing.T) {
	conv := func(rules ...any) func(m map[string]any) {
		return func(m map[string]any) { obj(m, "kompetensi")["jp_conversion"] = rules }
	}
	rule := func(kinds []any, key string, v any) map[string]any {
		r := map[string]any{"kinds": kinds}
		if key != "" {
			r[key] = v
		}
		return r
	}
	el := []any{"e_learning"}
	tests := []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"unknown kind", conv(rule([]any{"e_learning", "webinar"}, "max_jp_per_day", 3)), "kompetensi.jp_conversion[0].kinds[1]"},
		{"kind in two rules", conv(rule([]any{"magang"}, "jp_per_activity", 20), rule([]any{"e_learning", "magang"}, "max_jp_per_day", 3)), "kompetensi.jp_conversion[1].kinds[1]"},
		{"kind twice in a rule", conv(rule([]any{"magang", "magang"}, "jp_per_activity", 20)), "kompetensi.jp_conversion[0].kinds[1]"},
		{"no kinds", conv(rule([]any{}, "jp_per_activity", 20)), "kompetensi.jp_conversion[0].kinds"},
		{"kinds missing", conv(map[string]any{"jp_per_activity": 20}), "kompetensi.jp_conversion[0].kinds"},
		{"neither conversion", conv(rule(el, "", nil)), "kompetensi.jp_conversion[0]"},
		{"both conversions", conv(map[string]any{"kinds": el, "jp_per_activity": 20, "max_jp_per_day": 3}), "kompetensi.jp_conversion[0]"},
		{"zero per activity", conv(rule(el, "jp_per_activity", 0)), "kompetensi.jp_conversion[0].jp_per_activity"},
		{"negative per activity", conv(rule(el, "jp_per_activity", -20)), "kompetensi.jp_conversion[0].jp_per_activity"},
		{"per activity too large", conv(rule(el, "jp_per_activity", 10000)), "kompetensi.jp_conversion[0].jp_per_activity"},
		{"zero per day", conv(rule(el, "max_jp_per_day", 0)), "kompetensi.jp_conversion[0].max_jp_per_day"},
		{"more than a day holds", conv(rule(el, "max_jp_per_day", 33)), "kompetensi.jp_conversion[0].max_jp_per_day"},
		{"fraction", conv(rule(el, "max_jp_per_day", 2.5)), "kompetensi.jp_conversion.max_jp_per_day"},
		{"string", conv(rule(el, "jp_per_activity", "20")), "kompetensi.jp_conversion.jp_per_activity"},
		{"unknown key in a rule", conv(map[string]any{"kinds": el, "max_jp_per_day": 3, "abroad": 24}), "abroad"},
		{"not a list", func(m map[string]any) { obj(m, "kompetensi")["jp_conversion"] = map[string]any{"e_learning": 3} }, "kompetensi.jp_conversion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parseErr(t, tt.edit)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != apperr.CodeInvalid {
				t.Fatalf("Parse = %v, want an invalid-input apperr", err)
			}
			if _, ok := e.Fields[tt.field]; !ok || !strings.Contains(e.Message, tt.field) {
				t.Errorf("error %v (fields %v) does not name %q", err, e.Fields, tt.field)
			}
		})
	}
	// Valid edges: 1 and the bounds.
	for _, r := range []any{rule(el, "max_jp_per_day", 1), rule(el, "max_jp_per_day", 32), rule(el, "jp_per_activity", 1), rule(el, "jp_per_activity", 9999)} {
		if err := parseErr(t, conv(r)); err != nil {
			t.Errorf("%v: %v", r, err)
		}
	}
}

// span returns an activity of the kind with the JP from start to end.
func span(kind string, jp int, start, end domain.Date) Activity {
	a := act(kind, jp, end)
	a.Start = start
	return a
}

func TestJPConversionCompute(t *testing.T) {
	rs := conversionRuleSet(t)
	y := testYear
	for _, tt := range []struct {
		name    string
		a       Activity
		counted int
		days    int // of the note; 0: a per-activity note, -1: no note
	}{
		{"e-learning 1 day 3 JP", span("e_learning", 3, date(y, 3, 2), date(y, 3, 2)), 3, -1},
		{"e-learning 1 day 4 JP", span("e_learning", 4, date(y, 3, 2), date(y, 3, 2)), 3, 1},
		{"e-learning 2 days 40 JP", span("e_learning", 40, date(y, 3, 2), date(y, 3, 3)), 6, 2},
		{"e-learning 2 days 5 JP", span("e_learning", 5, date(y, 3, 2), date(y, 3, 3)), 5, -1},
		{"e-learning over a month end", span("e_learning", 40, date(y, 2, 27), date(y, 3, 2)), 12, 4},
		{"e-learning from the previous year", span("e_learning", 100, date(y-1, 12, 31), date(y, 1, 1)), 6, 2},
		{"e-learning no start date", span("e_learning", 40, domain.Date{}, date(y, 3, 3)), 3, 1},
		{"e-learning no end date", span("e_learning", 40, date(y, 3, 3), domain.Date{}), 3, 1},
		{"e-learning end before start", span("e_learning", 40, date(y, 3, 5), date(y, 3, 3)), 3, 1},
		{"magang 8 JP", span("magang", 8, date(y, 3, 2), date(y, 5, 30)), 20, 0},
		{"magang 0 JP", span("magang", 0, date(y, 3, 2), date(y, 5, 30)), 20, 0},
		{"detasering 160 JP", span("detasering", 160, date(y, 3, 2), date(y, 5, 30)), 20, 0},
		{"pertukaran 20 JP", span("pertukaran", 20, date(y, 3, 2), date(y, 5, 30)), 20, -1},
		{"teknis 40 JP in 2 days", span("teknis", 40, date(y, 3, 2), date(y, 3, 3)), 40, -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(domain.PositionPelaksana)
			f.Development = []Activity{tt.a}
			s := Compute(rs, f)
			if s.JPThisYear != tt.counted {
				t.Errorf("JP this year %d, want %d", s.JPThisYear, tt.counted)
			}
			ind := rs.Kompetensi.Kinds[tt.a.Kind]
			line := lineOf(t, s, Kompetensi, ind).Text
			if ind == IndicatorC && !strings.HasPrefix(line, "Pelatihan teknis: "+jpText(tt.counted)+" JP pada ") {
				t.Errorf("c line %q does not count %d JP", line, tt.counted)
			}
			label, _ := domain.KindByCode(tt.a.Kind)
			var note string
			switch tt.days {
			case -1:
			case 0:
				note = "; " + label.Label + " " + tt.a.Number + ": " + jpText(tt.a.JP) + " JP dihitung 20 JP (20 JP per kegiatan)"
			default:
				note = "; " + label.Label + " " + tt.a.Number + ": " + jpText(tt.a.JP) + " JP dalam " + jpText(tt.days) +
					" hari dihitung " + jpText(tt.counted) + " JP (paling banyak 3 JP per hari)"
			}
			if note == "" && strings.Contains(line, "; ") || note != "" && !strings.HasSuffix(line, note+": "+num(lineOf(t, s, Kompetensi, ind).Points)+" poin") {
				t.Errorf("line %q, want note %q", line, note)
			}
			// The embedded rule set counts what the record says, and says nothing more.
			d := Compute(Default(), f)
			if d.JPThisYear != tt.a.JP {
				t.Errorf("perban-8-2019: JP this year %d, want the recorded %d", d.JPThisYear, tt.a.JP)
			}
			if l := lineOf(t, d, Kompetensi, ind).Text; strings.Contains(l, "dihitung") {
				t.Errorf("perban-8-2019 line %q mentions a conversion", l)
			}
		})
	}
}

func jpText(n int) string { return strconv.Itoa(n) }

// TestJPConversionExplanation pins the texts: the c line with a converted e-learning, below
// and above the threshold, its hint, and the d line with a converted magang.
func TestJPConversionExplanation(t *testing.T) {
	rs := conversionRuleSet(t)
	f := facts(domain.PositionPelaksana)
	el := Activity{Source: "siasn:e1", Number: "LAN/EL/77/2026", Kind: "e_learning", JP: 40, Start: date(2026, 3, 2), End: date(2026, 3, 3)}
	tk := Activity{Source: "sertika:5", Number: "800.1/0005/BKPSDM/2026", Kind: "teknis", JP: 10, Start: date(2026, 5, 4), End: date(2026, 5, 5)}
	mg := Activity{Source: "siasn:m1", Kind: "magang", JP: 8, Start: date(2026, 6, 1), End: date(2026, 8, 31), Title: "Magang di Dinas Kominfo"}
	f.Development = []Activity{el, mg}
	s := Compute(rs, f)
	if l := lineOf(t, s, Kompetensi, IndicatorC).Text; l != "Pelatihan teknis: 6 JP pada 2026 dari sertifikat LAN/EL/77/2026 (kurang dari 20 JP); "+
		"E-Learning LAN/EL/77/2026: 40 JP dalam 2 hari dihitung 6 JP (paling banyak 3 JP per hari): 0 poin" {
		t.Errorf("c line %q", l)
	}
	if !slices.Contains(s.Hints, Hint{Kompetensi, IndicatorC, 22.5, "14 JP lagi pelatihan teknis pada 2026 → +22,5 poin"}) {
		t.Errorf("hints %+v", s.Hints)
	}
	if l := lineOf(t, s, Kompetensi, IndicatorD).Text; l != "Seminar, workshop, kursus, magang atau kegiatan sejenis pada 2025–2026 dari kegiatan “Magang di Dinas Kominfo”; "+
		"Magang / Praktik Kerja “Magang di Dinas Kominfo”: 8 JP dihitung 20 JP (20 JP per kegiatan): 17,5 poin" {
		t.Errorf("d line %q", l)
	}
	if s.JPThisYear != 26 {
		t.Errorf("JP this year %d, want 6 + 20", s.JPThisYear)
	}
	f.Development = []Activity{el, tk, {Source: "siasn:e2", Kind: "e_learning", JP: 2, Start: date(2026, 9, 1), End: date(2026, 9, 1)}, tk}
	f.Development[3].Source, f.Development[3].Number = "sertika:6", "800.1/0006/BKPSDM/2026"
	s = Compute(rs, f)
	if l := lineOf(t, s, Kompetensi, IndicatorC); l.Points != 22.5 || l.Text != "Pelatihan teknis: 28 JP pada 2026 dari sertifikat LAN/EL/77/2026, 800.1/0005/BKPSDM/2026 "+
		"dan 800.1/0006/BKPSDM/2026 serta kegiatan siasn:e2; E-Learning LAN/EL/77/2026: 40 JP dalam 2 hari dihitung 6 JP (paling banyak 3 JP per hari): 22,5 poin" {
		t.Errorf("c line %+v", l)
	}
	// The same facts under the embedded rule set: byte-identical texts without a note.
	d := Compute(Default(), f)
	if l := lineOf(t, d, Kompetensi, IndicatorC).Text; l != "Pelatihan teknis: 62 JP pada 2026 dari sertifikat LAN/EL/77/2026, 800.1/0005/BKPSDM/2026 "+
		"dan 800.1/0006/BKPSDM/2026 serta kegiatan siasn:e2: 22,5 poin" {
		t.Errorf("perban-8-2019 c line %q", l)
	}

	// More than four converted records: three are named, the rest counted.
	f.Development = nil
	for i := range 6 {
		a := span("e_learning", 5, date(2026, 4, 1+i), date(2026, 4, 1+i))
		f.Development = append(f.Development, a)
	}
	l := lineOf(t, Compute(rs, f), Kompetensi, IndicatorC).Text
	if strings.Count(l, "dihitung 3 JP") != 3 || !strings.HasSuffix(l, "; 3 kegiatan lain juga dikonversi: 0 poin") || !strings.HasPrefix(l, "Pelatihan teknis: 18 JP") {
		t.Errorf("c line %q", l)
	}
}

// TestJPConversionCrossesDuty: the conversion moves the yearly JP (the 20 JP duty) and
// indicator c across their thresholds, both ways.
func TestJPConversionCrossesDuty(t *testing.T) {
	rs := conversionRuleSet(t)
	y := testYear
	for _, tt := range []struct {
		name             string
		acts             []Activity
		jpDefault, jpRS  int
		cDefault, cConv  float64
		belowDefault, bl bool
	}{
		// 4 + 8 = 12 JP recorded; the magang counts 20: 24 JP, the duty met.
		{"magang lifts", []Activity{act("teknis", 4, date(y, 2, 1)), span("magang", 8, date(y, 3, 1), date(y, 3, 31))}, 12, 24, 0, 0, true, false},
		// 14 + 6 = 20 JP recorded; a one-day e-learning counts 3: 17 JP, below the duty and c.
		{"e-learning lowers", []Activity{act("teknis", 14, date(y, 2, 1)), span("e_learning", 6, date(y, 3, 1), date(y, 3, 1))}, 20, 17, 22.5, 0, false, true},
		// Spread over two days the same e-learning counts all 6.
		{"e-learning over two days", []Activity{act("teknis", 14, date(y, 2, 1)), span("e_learning", 6, date(y, 3, 1), date(y, 3, 2))}, 20, 20, 22.5, 22.5, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(domain.PositionPelaksana)
			f.Development = tt.acts
			for _, c := range []struct {
				rs    *RuleSet
				jp    int
				cPts  float64
				below bool
			}{{Default(), tt.jpDefault, tt.cDefault, tt.belowDefault}, {rs, tt.jpRS, tt.cConv, tt.bl}} {
				s := Compute(c.rs, f)
				if got, _ := indicatorPoints(s, IndicatorC); s.JPThisYear != c.jp || got != c.cPts || (s.JPThisYear < s.JPDuty) != c.below || s.JPDuty != 20 {
					t.Errorf("%s: JP %d of %d, c %v; want JP %d, c %v, below the duty %v", c.rs.ID, s.JPThisYear, s.JPDuty, got, c.jp, c.cPts, c.below)
				}
			}
		})
	}
}

// TestJPConversionFactsHash: an override with conversion has its own id and version, which
// the facts hash covers, so the same facts hash differently (and a rescore recomputes).
func TestJPConversionFactsHash(t *testing.T) {
	rs := conversionRuleSet(t)
	f := facts(domain.PositionPelaksana)
	f.Development = []Activity{span("e_learning", 40, date(testYear, 3, 2), date(testYear, 3, 3))}
	def, conv := FactsHash(Default(), &f), FactsHash(rs, &f)
	if def == conv {
		t.Error("facts hash does not depend on the rule set with conversion")
	}
	if again := FactsHash(conversionRuleSet(t), &f); again != conv {
		t.Error("facts hash is not deterministic")
	}
	// Only the version differs: the hash still differs.
	bumped := MustEdit(t, RuleSetPerban2019, func(m map[string]any) {
		m["id"], m["version"] = "perban-8-2019-konversi", "2019.1-k2"
		obj(m, "kompetensi")["jp_conversion"] = readmeConversion(t)
	})
	if FactsHash(bumped, &f) == conv {
		t.Error("facts hash does not depend on the version of the rule set with conversion")
	}
}

// TestJPConversionIgnoresFactOrder: with conversion too, the order of the facts does not
// matter.
func TestJPConversionIgnoresFactOrder(t *testing.T) {
	rs := conversionRuleSet(t)
	f := facts(domain.PositionFungsional)
	for i := range 7 {
		f.Development = append(f.Development, span([]string{"e_learning", "magang", "teknis"}[i%3], 3+5*i, date(testYear, 1+i, 1), date(testYear, 1+i, 1+i%3)))
	}
	want := Compute(rs, f)
	r := rand.New(rand.NewPCG(3, 4))
	for range 30 {
		g := f
		g.Development = slices.Clone(f.Development)
		r.Shuffle(len(g.Development), func(i, j int) { g.Development[i], g.Development[j] = g.Development[j], g.Development[i] })
		if got := Compute(rs, g); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffled facts give a different score:\n%+v\nwant\n%+v", got, want)
		}
	}
}
