package scoring

import (
	"testing"

	"github.com/sertika/sertika/internal/domain"
)

// Boundary tests of docs/ipasn-rules.md that compute_test.go covers for one rule set only,
// or not at the edge: the windows of the 2024 top-up, disiplin and the SKP bands under both
// rule sets, the 2024 base from a numeric SKP, and the 2024 top-up per kind of position.

// TestIndicatorWindowEdges puts one activity of each indicator on the first and last day of
// its window and the days just outside, under both rule sets (§3 windows; §7: the 2024
// top-up counts only activities completed in the measurement year).
func TestIndicatorWindowEdges(t *testing.T) {
	y := testYear
	edges := []domain.Date{date(y-2, 12, 31), date(y-1, 1, 1), date(y-1, 12, 31), date(y, 1, 1), date(y, 12, 31), date(y+1, 1, 1)}
	want := map[string]map[Indicator][]float64{ // points at each edge
		RuleSetPerban2019: {
			IndicatorA: {15, 15, 15, 15, 15, 0}, // any time up to the end of Y
			IndicatorB: {15, 15, 15, 15, 15, 0},
			IndicatorC: {0, 0, 0, 15, 15, 0},   // Y
			IndicatorD: {0, 10, 10, 10, 10, 0}, // Y-1 … Y
		},
		RuleSetBKN2024: {
			IndicatorA: {0, 0, 0, 15, 15, 0},
			IndicatorB: {0, 0, 0, 15, 15, 0},
			IndicatorC: {0, 0, 0, 15, 15, 0},
			IndicatorD: {0, 0, 0, 10, 10, 0},
		},
	}
	for id, inds := range want {
		rs := MustLoad(t, id)
		for ind, pts := range inds {
			for i, d := range edges {
				t.Run(id+"/"+string(ind)+"/"+d.String(), func(t *testing.T) {
					var f Facts
					switch ind {
					case IndicatorA:
						f = facts(domain.PositionStruktural) // III.a: PKA
						f.Development = []Activity{lead("pka", d)}
					case IndicatorB:
						f = facts(domain.PositionFungsional) // not exempt
						f.Development = []Activity{act("fungsional", 30, d)}
					case IndicatorC:
						f = facts(domain.PositionFungsional)
						f.Development = []Activity{act("teknis", 20, d)}
					case IndicatorD:
						f = facts(domain.PositionFungsional)
						f.Development = []Activity{act("seminar", 0, d)}
					}
					s := Compute(rs, f)
					if got, _ := indicatorPoints(s, ind); got != pts[i] {
						t.Errorf("%s: %s ended %s: %v points, want %v", id, ind, d, got, pts[i])
					}
					// The base of bkn-2024 (SKP Baik: 20) plus the indicator.
					base := 0.0
					if id == RuleSetBKN2024 {
						base = 20
					}
					if s.Kompetensi != base+pts[i] {
						t.Errorf("kompetensi %v, want %v", s.Kompetensi, base+pts[i])
					}
				})
			}
		}
	}
}

// TestTechnicalJPThresholdBothRuleSets: 19 JP earn nothing, 20 JP the full points (§3 c),
// under both rule sets and for every kind of position.
func TestTechnicalJPThresholdBothRuleSets(t *testing.T) {
	full := map[string]float64{"struktural": 15, "fungsional": 15, "pelaksana": 22.5}
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		for _, kind := range domain.PositionKinds {
			for jp, want := range map[int]float64{0: 0, 19: 0, 20: full[kind], 21: full[kind]} {
				f := facts(kind)
				// Split over two kinds of indicator c, as JP accumulate.
				f.Development = []Activity{act("bimtek", jp/2, date(testYear, 2, 1)), act("e_learning", jp-jp/2, date(testYear, 11, 30))}
				if got, _ := indicatorPoints(Compute(rs, f), IndicatorC); got != want {
					t.Errorf("%s %s, %d JP: c = %v, want %v", id, kind, jp, got, want)
				}
			}
		}
	}
}

// TestDisiplinBothRuleSets: §5 points and the window Y-4 … Y by start date, on the first
// and last day of the window and just outside, under both rule sets.
func TestDisiplinBothRuleSets(t *testing.T) {
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		for _, tt := range []struct {
			level string
			start domain.Date
			want  float64
		}{
			{"", domain.Date{}, 5},
			{"R", date(testYear-2, 6, 1), 3}, {"ringan", date(testYear-2, 6, 1), 3},
			{"S", date(testYear-2, 6, 1), 2}, {"sedang", date(testYear-2, 6, 1), 2},
			{"B", date(testYear-2, 6, 1), 1}, {"berat", date(testYear-2, 6, 1), 1},
			{"R", date(testYear-5, 12, 31), 5}, {"R", date(testYear-4, 1, 1), 3},
			{"S", date(testYear, 12, 31), 2}, {"S", date(testYear+1, 1, 1), 5},
		} {
			f := facts(domain.PositionPelaksana)
			if tt.level != "" {
				f.Penalties = []Penalty{{Level: tt.level, Start: tt.start}}
			}
			if s := Compute(rs, f); s.Disiplin != tt.want {
				t.Errorf("%s: penalty %q from %s: disiplin %v, want %v", id, tt.level, tt.start, s.Disiplin, tt.want)
			}
		}
	}
}

// TestKinerjaBandEdgesFineDecimals: the bands are "above" the bound (§4), also for values
// with more than 2 decimals.
func TestKinerjaBandEdgesFineDecimals(t *testing.T) {
	for v, want := range map[float64]float64{
		90.001: 30, 89.999: 25, 75.001: 25, 74.999: 15, 60.001: 15, 59.999: 5, 50.001: 5, 49.999: 1,
	} {
		f := facts(domain.PositionPelaksana)
		f.SKP = []SKP{{Year: testYear - 1, Value: pf(v)}}
		if s := Compute(Default(), f); s.Kinerja != want {
			t.Errorf("SKP %v: kinerja %v, want %v", v, s.Kinerja, want)
		}
	}
}

// TestBKN2024BaseFromNumericSKP: under bkn-2024 a numeric SKP value (before 2022) gives the
// base of its band's predikat (§7), with the band edges of §4.
func TestBKN2024BaseFromNumericSKP(t *testing.T) {
	rs := MustLoad(t, RuleSetBKN2024)
	for _, tt := range []struct{ v, kinerja, base float64 }{
		{100, 30, 25}, {90.01, 30, 25}, {90, 25, 20}, {75.01, 25, 20}, {75, 20, 15},
		{60.01, 20, 15}, {60, 15, 10}, {50.01, 15, 10}, {50, 10, 5}, {0, 10, 5},
	} {
		f := facts(domain.PositionPelaksana) // no development: kompetensi is the base
		f.SKP = []SKP{{Year: testYear - 1, Value: pf(tt.v)}}
		s := Compute(rs, f)
		if s.Kinerja != tt.kinerja || s.Kompetensi != tt.base || lineOf(t, s, Kompetensi, IndicatorBase).Points != tt.base {
			t.Errorf("SKP %v: kinerja %v kompetensi %v, want %v %v", tt.v, s.Kinerja, s.Kompetensi, tt.kinerja, tt.base)
		}
	}
	// No SKP: no base, 0 kinerja, flagged incomplete (§4).
	f := facts(domain.PositionPelaksana)
	f.SKP = nil
	if s := Compute(rs, f); s.Kompetensi != 0 || s.Kinerja != 0 || !hasIncomplete(s, "SKP tidak ada (tahun 2025)") {
		t.Errorf("no SKP: kompetensi %v kinerja %v incomplete %v", s.Kompetensi, s.Kinerja, s.Incomplete)
	}
}

// TestBKN2024TopUpPerPositionKind: the 2024 top-up uses the indicator points of §3 for
// every kind of position, on top of the base, capped at 40 (§7).
func TestBKN2024TopUpPerPositionKind(t *testing.T) {
	rs := MustLoad(t, RuleSetBKN2024)
	table := map[string]map[Indicator]float64{
		"struktural": {"a": 15, "c": 15, "d": 10},
		"fungsional": {"b": 15, "c": 15, "d": 10},
		"pelaksana":  {"c": 22.5, "d": 17.5},
	}
	this := func(kind string, inds ...Indicator) Facts {
		f := facts(kind)
		f.SKP = []SKP{{Year: testYear - 1, Predikat: "Sangat Kurang"}} // base 5
		for _, ind := range inds {
			switch ind {
			case IndicatorA:
				f.Development = append(f.Development, lead("pka", date(testYear, 3, 1)))
			case IndicatorB:
				f.Development = append(f.Development, act("fungsional", 30, date(testYear, 3, 1)))
			case IndicatorC:
				f.Development = append(f.Development, act("teknis", 20, date(testYear, 4, 1)))
			case IndicatorD:
				f.Development = append(f.Development, act("workshop", 8, date(testYear, 5, 1)))
			}
		}
		return f
	}
	for kind, row := range table {
		for _, ind := range Indicators {
			s := Compute(rs, this(kind, ind))
			if s.Kompetensi != 5+row[ind] {
				t.Errorf("%s earning only %s: kompetensi %v, want 5 + %v", kind, ind, s.Kompetensi, row[ind])
			}
		}
		s := Compute(rs, this(kind, Indicators...))
		if s.Kompetensi != 40 || lineOf(t, s, Kompetensi, IndicatorCap).Points != -5 {
			t.Errorf("%s earning all: kompetensi %v, want 5 + 40 capped at 40", kind, s.Kompetensi)
		}
	}
}

// TestLeadershipHigherLevelEveryEselon: for every eselon, the course one level above the
// required one counts, the one below does not (§3 a, "or higher"), under both rule sets.
func TestLeadershipHigherLevelEveryEselon(t *testing.T) {
	levels := map[int]string{1: "pkn1", 2: "pkn2", 3: "pka", 4: "pkp"}
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		for es, req := range map[string]int{"I.a": 1, "I.b": 1, "II.a": 2, "II.b": 2, "III.a": 3, "III.b": 3, "IV.a": 4, "IV.b": 4, "V.a": 4} {
			for rank := 1; rank <= 4; rank++ {
				f := facts(domain.PositionStruktural)
				f.Eselon = es
				f.Development = []Activity{lead(levels[rank], date(testYear, 1, 1))}
				want := 0.0
				if rank <= req {
					want = 15
				}
				if got, _ := indicatorPoints(Compute(rs, f), IndicatorA); got != want {
					t.Errorf("%s: eselon %s with %s: a = %v, want %v", id, es, levels[rank], got, want)
				}
			}
		}
	}
}
