package scoring

import (
	"fmt"
	mathrand "math/rand"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/quick"

	"github.com/sertika/sertika/internal/domain"
)

// randomFacts returns arbitrary but plausible facts for measurement year testYear: any
// kind of position, eselon, JF name, education, appraisals, penalties and 0–8 activities of
// any kind (some unknown), level, JP and date around the windows.
func randomFacts(r *rand.Rand) Facts {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	f := Facts{
		NIP: fmt.Sprintf("%018d", r.Uint64()%1e18), Year: testYear,
		Status:         pick("PNS", "PPPK", ""),
		EducationLevel: pick("", "05", "10", "15", "20", "25", "30", "35", "40", "42", "45", "47", "49", "50", "99"),
		PositionKind:   pick(domain.PositionKinds...),
		Eselon:         pick(append([]string{"", "VI.a"}, domain.Eselons...)...),
		JFName:         pick("", "Guru Ahli Muda", "Pranata Komputer Ahli Pertama", "Perawat Terampil", "Analis Bidang"),
	}
	for i := r.IntN(3); i > 0; i-- {
		s := SKP{Year: testYear - 1 - r.IntN(2)}
		if r.IntN(2) == 0 {
			s.Value = pf(float64(r.IntN(10001)) / 100)
		} else {
			s.Predikat = pick("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang", "4", "??")
		}
		f.SKP = append(f.SKP, s)
	}
	for i := r.IntN(3); i > 0; i-- {
		f.Penalties = append(f.Penalties, Penalty{Level: pick("R", "S", "B", "x"), Start: randomDate(r, testYear-6, testYear+1)})
	}
	for i := r.IntN(9); i > 0; i-- {
		f.Development = append(f.Development, randomActivity(r))
	}
	return f
}

func randomDate(r *rand.Rand, from, to int) domain.Date {
	y := from + r.IntN(to-from+1)
	// Favour the edges of a year, where the windows cut.
	switch r.IntN(4) {
	case 0:
		return date(y, 1, 1)
	case 1:
		return date(y, 12, 31)
	}
	return date(y, 1+r.IntN(12), 1+r.IntN(28))
}

func randomActivity(r *rand.Rand) Activity {
	kinds := append([]string{"webinar"}, codes()...)
	a := act(kinds[r.IntN(len(kinds))], r.IntN(41)-2, randomDate(r, testYear-3, testYear+1))
	if r.IntN(10) == 0 {
		a.End = domain.Date{}
	}
	if a.Kind == "kepemimpinan" && r.IntN(8) > 0 {
		a.Level = domain.LeadershipLevels[r.IntN(len(domain.LeadershipLevels))].Code
	}
	return a
}

func codes() []string {
	var out []string
	for _, k := range domain.DevelopmentKinds {
		out = append(out, k.Code)
	}
	return out
}

func dims(s Score) [4]float64 { return [4]float64{s.Kualifikasi, s.Kompetensi, s.Kinerja, s.Disiplin} }

// TestPropertyDevelopmentIsMonotone: issuing a certificate (adding an activity) never lowers
// a score and revoking one (removing an activity) never raises it, under both rule sets; the
// other dimensions do not move.
func TestPropertyDevelopmentIsMonotone(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 8))
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		for i := 0; i < 3000; i++ {
			f := randomFacts(r)
			before := Compute(rs, f)

			issued := f
			issued.Development = append(slices.Clone(f.Development), randomActivity(r))
			after := Compute(rs, issued)
			if after.Total < before.Total || after.Kompetensi < before.Kompetensi {
				t.Fatalf("%s: issuing %+v lowered the score %v → %v\nfacts %+v", id, issued.Development[len(f.Development)], before.Total, after.Total, f)
			}
			if b, a := dims(before), dims(after); b[0] != a[0] || b[2] != a[2] || b[3] != a[3] {
				t.Fatalf("%s: issuing moved another dimension: %v → %v", id, b, a)
			}

			if len(f.Development) == 0 {
				continue
			}
			revoked := f
			k := r.IntN(len(f.Development))
			revoked.Development = slices.Delete(slices.Clone(f.Development), k, k+1)
			after = Compute(rs, revoked)
			if after.Total > before.Total || after.Kompetensi > before.Kompetensi {
				t.Fatalf("%s: revoking %+v raised the score %v → %v\nfacts %+v", id, f.Development[k], before.Total, after.Total, f)
			}
		}
	}
}

// TestPropertyScoreInvariants: totals stay in 0..100 and equal the rounded sum of the
// dimensions, each dimension stays within its maximum, the explanation lines of a dimension
// add up to its points, the category is the rule set's, and hints promise positive gains
// that do not exceed the room left.
func TestPropertyScoreInvariants(t *testing.T) {
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		check := func(seed1, seed2 uint64) bool {
			f := randomFacts(rand.New(rand.NewPCG(seed1, seed2)))
			s := Compute(rs, f)
			if s.Total < 0 || s.Total > 100 || s.Total != Round2(s.Kualifikasi+s.Kompetensi+s.Kinerja+s.Disiplin) {
				t.Logf("total %v of %v", s.Total, dims(s))
				return false
			}
			maxima := [4]float64{rs.Kualifikasi.Max, rs.Kompetensi.Max, rs.Kinerja.Max, rs.Disiplin.Max}
			sums := map[Dimension]float64{}
			for _, l := range s.Explanation {
				sums[l.Dimension] += l.Points
			}
			room := map[Dimension]float64{}
			for i, d := range Dimensions {
				v := dims(s)[i]
				if v < 0 || v > maxima[i] || Round2(sums[d]) != v {
					t.Logf("%s = %v, lines add to %v, max %v", d, v, sums[d], maxima[i])
					return false
				}
				room[d] = maxima[i] - v
			}
			for _, h := range s.Hints {
				if h.Gain <= 0 || h.Gain > room[h.Dimension]+1e-9 {
					t.Logf("hint %+v, room %v", h, room[h.Dimension])
					return false
				}
			}
			c, label := rs.Categorize(s.Total)
			return s.Category == c && s.CategoryLabel == label && s.RuleSet == rs.ID && s.Year == f.Year
		}
		if err := quick.Check(check, &quick.Config{MaxCount: 3000, Rand: mathrand.New(mathrand.NewSource(38))}); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
}
