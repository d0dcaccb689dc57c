package scoring

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/domain"
)

// The per-employee CPU cost of a bulk rescore, without a database (see docs/performance.md,
// "Scoring"):
//
//	go test -run XXX -bench 'Compute|FactsHash|ScoreJSON|ScoreRow' -benchmem ./scoring

// benchFacts returns the facts of n employees shaped like seedBench's data set as the bulk
// rescore reads it (measurement year testYear): a mix of kinds of position and education
// levels, three Sertika certificates (5 % revoked: left out) and two external records (80 %
// recognised) ending 2020–2026, one SKP for the previous year (a quarter numeric) and a
// penalty for 3 % of them; activities that cannot matter for the year are left out, as
// the loader does.
func benchFacts(n int) []Facts {
	rs := Default()
	certKinds := []string{"teknis", "bimtek", "seminar", "kepemimpinan", "workshop", "e_learning", "fungsional"}
	extKinds := []string{"teknis", "seminar", "kursus", "bimtek", "jarak_jauh"}
	predikat := []string{"sangat_baik", "baik", "baik", "butuh_perbaikan", "kurang"}
	jfs := []string{"Guru Ahli Pertama", "Perawat Terampil", "Pranata Komputer Ahli Muda", "Analis Sumber Daya Manusia Aparatur Ahli Muda"}
	eselons := []string{"IV.a", "IV.b", "III.a", "III.b", "II.b"}
	edu := []string{"15", "30", "40", "40", "45", "35"}
	out := make([]Facts, n)
	for i := range out {
		rn := i + 1
		f := Facts{NIP: fmt.Sprintf("19%02d0101200501%d%03d", 60+rn%40, 1+rn%2, rn%999+1), Year: testYear,
			Status: domain.StatusPNS, EducationLevel: edu[rn%len(edu)]}
		if rn%10 == 7 {
			f.Status = domain.StatusPPPK
		}
		switch rn % 20 {
		case 0, 1:
			f.PositionKind, f.Eselon = domain.PositionStruktural, eselons[rn%len(eselons)]
		case 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12:
			f.PositionKind, f.JFName = domain.PositionFungsional, jfs[rn%len(jfs)]
		default:
			f.PositionKind = domain.PositionPelaksana
		}
		for k := 0; k < 3; k++ {
			if (rn+k)%20 == 0 {
				continue // revoked
			}
			kind := certKinds[(rn+2*k)%7]
			level := ""
			if kind == "kepemimpinan" {
				level = []string{"pkp", "pka", "pkn2"}[rn%3]
			}
			d := domain.NewDate(2020+(rn+k)%7, time.Month(1+(rn*7+k)%12), 1+(rn+k)%28)
			id := fmt.Sprintf("B%09d", rn*3+k)
			a := Activity{Source: SourceCertificate + id, Number: fmt.Sprintf("BENCH/%d", rn*3+k), Kind: kind, Level: level,
				JP: 4 + (rn*5+k*3)%30, Start: d, End: d, Title: fmt.Sprintf("Pelatihan %d", k)}
			if relevant(rs, testYear, a) {
				f.Development = append(f.Development, a)
			}
		}
		for k := 0; k < 2; k++ {
			if (rn+k)%20 >= 16 {
				continue // submitted or rejected
			}
			d := domain.NewDate(2021+(rn+3*k)%6, time.Month(1+(rn+k)%12), 1+rn%28)
			a := Activity{Source: fmt.Sprintf("%s%d", SourceExternal, rn*2+k), Number: fmt.Sprintf("EXT/%d/%d", rn, k),
				Kind: extKinds[(rn+k)%5], JP: 2 + (rn*3+k)%24, Start: d, End: d, Title: fmt.Sprintf("Pelatihan luar %d", k)}
			if relevant(rs, testYear, a) {
				f.Development = append(f.Development, a)
			}
		}
		s := SKP{Year: testYear - 1}
		if rn%4 == 0 {
			v := float64(60 + rn%40)
			s.Value = &v
		} else {
			s.Predikat = predikat[rn%5]
		}
		f.SKP = []SKP{s}
		if rn%33 == 0 {
			if st := domain.NewDate(2019+rn%8, time.Month(1+rn%12), 1); st.Year() >= testYear-4 {
				f.Penalties = []Penalty{{Source: fmt.Sprintf("%s%d", SourcePenalty, rn), Level: []string{"R", "S", "B"}[rn%3], Start: st}}
			}
		}
		out[i] = f
	}
	return out
}

// cloneFacts copies the facts' slices (FactsHash sorts them in place).
func cloneFacts(fs []Facts) []Facts {
	out := make([]Facts, len(fs))
	for i, f := range fs {
		f.Development, f.SKP, f.Penalties = slices.Clone(f.Development), slices.Clone(f.SKP), slices.Clone(f.Penalties)
		out[i] = f
	}
	return out
}

// BenchmarkCompute is the rules alone, per employee.
func BenchmarkCompute(b *testing.B) {
	fs := benchFacts(4096)
	rs := Default()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Compute(rs, fs[i%len(fs)])
		i++
	}
}

// BenchmarkFactsHash is the facts hash alone, per employee.
func BenchmarkFactsHash(b *testing.B) {
	fs := benchFacts(4096)
	rs := Default()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		FactsHash(rs, &fs[i%len(fs)])
		i++
	}
}

// benchScores computes the scores of benchFacts(n) under the default rules.
func benchScores(n int) []Score {
	fs := benchFacts(n)
	rs := Default()
	scores := make([]Score, len(fs))
	for i, f := range fs {
		scores[i] = Compute(rs, f)
	}
	return scores
}

// BenchmarkScoreJSON is the stored form of a computed Score, per employee.
func BenchmarkScoreJSON(b *testing.B) {
	scores := benchScores(4096)
	b.ReportAllocs()
	var buf []byte
	i := 0
	for b.Loop() {
		var err error
		if buf, err = encodeScore(buf[:0], &scores[i%len(scores)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkScoreJSONStdlib is encoding/json on the same scores, for comparison.
func BenchmarkScoreJSONStdlib(b *testing.B) {
	scores := benchScores(4096)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := json.Marshal(scores[i%len(scores)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkScoreRow is everything the bulk rescore does per employee between reading the
// facts and writing the row: hash, rules, stored form.
func BenchmarkScoreRow(b *testing.B) {
	fs := benchFacts(4096)
	rs := Default()
	emps := make([]employeeFacts, len(fs))
	for i, f := range fs {
		emps[i] = employeeFacts{id: int64(i + 1), facts: f}
	}
	var sc scorer
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e := &emps[i%len(emps)]
		h := FactsHash(rs, &e.facts)
		if _, err := sc.row(rs, e, h); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
