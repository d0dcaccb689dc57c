package scoring

import (
	"fmt"
	"testing"

	"github.com/sertika/sertika/internal/domain"
)

// score returns a measured score with the dimension points, computed the way Compute totals.
func score(k, ko, ki, d float64) Score {
	s := Score{RuleSet: RuleSetPerban2019, Year: 2021, Measured: true, Kualifikasi: k, Kompetensi: ko, Kinerja: ki, Disiplin: d}
	s.Total = Round2(k + ko + ki + d)
	s.Category, s.CategoryLabel = Default().Categorize(s.Total)
	return s
}

// TestSeedFigure reproduces the rules document's seed: Pemkot Bontang 2021 reported
// 12.13 + 30.57 + 23.89 + 4.99 = 71.58 ≈ 71.59 (sedang). The agency IP (Summary.Total) is
// the sum of the rounded dimension means, so the published row adds up to 71.58. The
// "≈ 71.59" is the mean of the individual IPs (Summary.MeanIP), which is the sum of the
// unrounded means: the second case has means 12.1325, 30.5725, 23.8925 and 4.9925, which
// show as 12.13, 30.57, 23.89 and 4.99 but add up to 71.59.
func TestSeedFigure(t *testing.T) {
	for _, tt := range []struct {
		name   string
		scores []Score
		meanIP float64
	}{
		{"every employee at the means", []Score{
			score(12.13, 30.57, 23.89, 4.99), score(12.13, 30.57, 23.89, 4.99), score(12.13, 30.57, 23.89, 4.99),
		}, 71.58},
		{"means that round to the seed", []Score{
			score(12.13, 30.57, 23.89, 4.99), score(12.13, 30.57, 23.89, 4.99), score(12.13, 30.57, 23.89, 4.99),
			score(12.14, 30.58, 23.90, 5.00),
		}, 71.59},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := Aggregate(tt.scores)
			if s.Kualifikasi != 12.13 || s.Kompetensi != 30.57 || s.Kinerja != 23.89 || s.Disiplin != 4.99 {
				t.Errorf("means %v %v %v %v, want 12.13 30.57 23.89 4.99", s.Kualifikasi, s.Kompetensi, s.Kinerja, s.Disiplin)
			}
			if s.Total != 71.58 || s.Category != Sedang || s.CategoryLabel != "Sedang" {
				t.Errorf("total %v %s, want 71.58 sedang", s.Total, s.Category)
			}
			if s.MeanIP != tt.meanIP {
				t.Errorf("mean IP %v, want %v", s.MeanIP, tt.meanIP)
			}
			if s.RuleSet != RuleSetPerban2019 || s.Year != 2021 || s.Count != len(tt.scores) {
				t.Errorf("summary %+v", s)
			}
		})
	}
}

// TestSeedFigureFromFacts reaches the seed from facts through Compute: 300 employees whose
// points add up to 3639 (kualifikasi), 9170 (kompetensi), 7167 (kinerja) and 1497
// (disiplin), means 12.13, 30.5667, 23.89 and 4.99.
func TestSeedFigureFromFacts(t *testing.T) {
	rs := Default()
	var scores []Score
	for i := 0; i < 300; i++ {
		f := Facts{NIP: fmt.Sprintf("seed-%03d", i), Year: 2021, Status: "PNS", PositionKind: "fungsional", JFName: "Guru Ahli Muda"}
		switch { // 45 × S3 (25) + 4 × SD (1) + 251 × D3 (10) = 3639
		case i < 45:
			f.EducationLevel = "50"
		case i < 49:
			f.EducationLevel = "05"
		default:
			f.EducationLevel = "30"
		}
		// b by exemption (15) + c (15) = 30 for all; 17 also have d (10): 9170
		f.Development = []Activity{act("teknis", 20, date(2021, 9, 1))}
		if i%17 == 0 && i < 17*17 {
			f.Development = append(f.Development, act("seminar", 2, date(2020, 9, 1)))
		}
		switch { // 12 × 1 + 5 × 15 + 1 × 30 + 282 × 25 = 7167
		case i%25 == 1:
			f.SKP = []SKP{{Year: 2020, Predikat: "Sangat Kurang"}}
		case i%25 == 2 && i < 125:
			f.SKP = []SKP{{Year: 2020, Predikat: "Butuh Perbaikan"}}
		case i == 3:
			f.SKP = []SKP{{Year: 2020, Value: pf(95)}}
		default:
			f.SKP = []SKP{{Year: 2020, Predikat: "Baik"}}
		}
		if i == 299 { // 299 × 5 + 2 = 1497
			f.Penalties = []Penalty{{Level: "S", Start: date(2019, 4, 1)}}
		}
		scores = append(scores, Compute(rs, f))
	}
	var sums [4]float64
	for _, s := range scores {
		sums[0] += s.Kualifikasi
		sums[1] += s.Kompetensi
		sums[2] += s.Kinerja
		sums[3] += s.Disiplin
	}
	if sums != [4]float64{3639, 9170, 7167, 1497} {
		t.Fatalf("population sums %v, want 3639 9170 7167 1497", sums)
	}
	s := Aggregate(scores)
	if s.Kualifikasi != 12.13 || s.Kompetensi != 30.57 || s.Kinerja != 23.89 || s.Disiplin != 4.99 || s.Total != 71.58 || s.Category != Sedang {
		t.Errorf("summary %+v, want 12.13 + 30.57 + 23.89 + 4.99 = 71.58 sedang", s)
	}
	if s.MeanIP != 71.58 { // 21473 / 300 = 71.5767
		t.Errorf("mean IP %v, want 71.58", s.MeanIP)
	}
	if s.Incomplete != 0 || s.Count != 300 {
		t.Errorf("count %d incomplete %d", s.Count, s.Incomplete)
	}
}

func TestAggregateRoundsHalfAwayFromZero(t *testing.T) {
	// 10.005 and 20.005 are exact means of hundredths: half away from zero gives .01.
	s := Aggregate([]Score{score(10, 20, 0, 0), score(10.01, 20.01, 0, 0)})
	if s.Kualifikasi != 10.01 || s.Kompetensi != 20.01 || s.Total != 30.02 || s.MeanIP != 30.01 {
		t.Errorf("summary %+v: want 10.01, 20.01, total 30.02, mean IP 30.01", s)
	}
}

func TestAggregateDistributionAndExclusions(t *testing.T) {
	scores := []Score{
		score(25, 40, 30, 5), score(25, 40, 30, 5), // 100 sangat tinggi
		score(15, 22.5, 25, 5), // 67.5 rendah
		score(1, 0, 1, 1),      // 3 sangat rendah
	}
	pppk := score(25, 40, 30, 5)
	pppk.Measured = false
	scores = append(scores, pppk)
	scores[2].Incomplete = []string{"SKP tidak ada (tahun 2020)"}
	s := Aggregate(scores)
	if s.Count != 4 || s.Excluded != 1 || s.Incomplete != 1 {
		t.Errorf("count %d excluded %d incomplete %d, want 4 1 1", s.Count, s.Excluded, s.Incomplete)
	}
	want := map[Category][2]float64{SangatTinggi: {2, 50}, Tinggi: {0, 0}, Sedang: {0, 0}, Rendah: {1, 25}, SangatRendah: {1, 25}}
	if len(s.Distribution) != 5 {
		t.Fatalf("distribution %+v", s.Distribution)
	}
	for i, d := range s.Distribution {
		if d.Category != Categories[i] || d.Label != Categories[i].Label() || float64(d.Count) != want[d.Category][0] || d.Percent != want[d.Category][1] {
			t.Errorf("distribution[%d] = %+v, want %v", i, d, want[d.Category])
		}
	}
	// (100 + 100 + 67.5 + 3) / 4 = 67.625 → 67.63
	if s.MeanIP != 67.63 || s.Total != 67.63 || s.Category != Rendah {
		t.Errorf("total %v mean %v %s", s.Total, s.MeanIP, s.Category)
	}
	thirds := Aggregate([]Score{score(1, 0, 0, 0), score(1, 0, 0, 0), score(90, 0, 0, 0)})
	if p := thirds.Distribution[4].Percent; p != 66.67 {
		t.Errorf("2 of 3: %v %%, want 66.67", p)
	}
}

func TestAggregateEmptyAndMixed(t *testing.T) {
	s := Aggregate(nil)
	if s.Count != 0 || s.Total != 0 || s.Category != "" || len(s.Distribution) != 5 {
		t.Errorf("empty summary %+v", s)
	}
	a, b := score(10, 0, 0, 0), score(20, 0, 0, 0)
	b.RuleSet, b.Year = RuleSetBKN2024, 2024
	if s := Aggregate([]Score{a, b}); s.RuleSet != "" || s.Year != 0 || s.Total != 15 {
		t.Errorf("mixed summary %+v", s)
	}
	// Explicit rule set bounds.
	strict := MustEdit(t, RuleSetPerban2019, func(m map[string]any) {
		m["id"] = "strict"
		m["categories"].([]any)[3].(map[string]any)["above"] = 70
		m["categories"].([]any)[2].(map[string]any)["above"] = 75
	})
	if s := strict.Aggregate([]Score{score(12.13, 30.57, 23.89, 4.99)}); s.Category != Rendah {
		t.Errorf("strict bounds: %s, want rendah", s.Category)
	}
}

func TestAchievement(t *testing.T) {
	for _, tt := range []struct {
		value, target, want float64
		ok                  bool
	}{
		{71.58, 75, 95.44, true}, {80, 80, 100, true}, {90, 75, 120, true}, {0, 70, 0, true},
		{71.58, 0, 0, false}, {71.58, -1, 0, false},
	} {
		got, ok := Achievement(tt.value, tt.target)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Achievement(%v, %v) = %v %v, want %v %v", tt.value, tt.target, got, ok, tt.want, tt.ok)
		}
	}
	s := Aggregate([]Score{score(12.13, 30.57, 23.89, 4.99)})
	if got, ok := s.Achievement(71.58); !ok || got != 100 {
		t.Errorf("Summary.Achievement = %v %v", got, ok)
	}
}

// TestAggregateOfComputedScores checks, over a mixed population, that the group IP is the
// sum of the dimension means.
func TestAggregateOfComputedScores(t *testing.T) {
	var scores []Score
	for i, kind := range []string{domain.PositionStruktural, domain.PositionFungsional, domain.PositionPelaksana} {
		f := earning(kind, Indicators[:i+1]...)
		scores = append(scores, Compute(Default(), f))
	}
	s := Aggregate(scores)
	if s.Total != Round2(s.Kualifikasi+s.Kompetensi+s.Kinerja+s.Disiplin) {
		t.Errorf("total %v is not the sum of means %+v", s.Total, s)
	}
}
