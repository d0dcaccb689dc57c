package scoring

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/domain"
)

// --- kualifikasi ---------------------------------------------------------------------

func TestKualifikasiEveryEducationCode(t *testing.T) {
	want := map[string]float64{ // rules document §2, codes of §10
		"05": 1, "10": 1, "15": 5, "20": 5, "25": 5, "30": 10, "35": 15, "40": 15,
		"42": 15, "45": 20, "47": 20, "49": 25, "50": 25,
	}
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		for _, l := range domain.EducationLevels {
			t.Run(id+"/"+l.Code+"_"+l.Label, func(t *testing.T) {
				f := facts(domain.PositionPelaksana)
				f.EducationLevel = l.Code
				s := Compute(rs, f)
				if s.Kualifikasi != want[l.Code] {
					t.Errorf("education %s: got %v points, want %v", l.Code, s.Kualifikasi, want[l.Code])
				}
				line := lineOf(t, s, Kualifikasi, "")
				if !strings.Contains(line.Text, l.Label) || !slices.Equal(line.Facts, []string{"pendidikan:" + l.Code}) {
					t.Errorf("line %+v does not name %s", line, l.Label)
				}
			})
		}
	}
}

func TestKualifikasiSpellingsAndGaps(t *testing.T) {
	rs := Default()
	for _, tt := range []struct {
		in         string
		want       float64
		incomplete string
	}{
		{"S1", 15, ""}, {"s-1", 15, ""}, {"SMA", 5, ""}, {"D-III", 10, ""}, {"5", 1, ""},
		{" 50 ", 25, ""}, {"Subspesialis", 25, ""},
		{"", 0, "pendidikan kosong"},
		{"99", 0, "kode pendidikan tidak dikenal"},
	} {
		f := facts(domain.PositionPelaksana)
		f.EducationLevel = tt.in
		s := Compute(rs, f)
		if s.Kualifikasi != tt.want {
			t.Errorf("%q: got %v, want %v", tt.in, s.Kualifikasi, tt.want)
		}
		if tt.incomplete != "" && !hasIncomplete(s, tt.incomplete) {
			t.Errorf("%q: incomplete %v, want %q", tt.in, s.Incomplete, tt.incomplete)
		}
		if tt.incomplete == "" && len(s.Incomplete) != 0 {
			t.Errorf("%q: unexpected incomplete %v", tt.in, s.Incomplete)
		}
	}
}

func TestKualifikasiHint(t *testing.T) {
	for _, tt := range []struct {
		code, text string
		gain       float64
	}{
		{"40", "Menyelesaikan pendidikan S2/Spesialis → +5 poin", 5},
		{"30", "Menyelesaikan pendidikan D4/S1/Profesi → +5 poin", 5},
		{"10", "Menyelesaikan pendidikan SLTA/D1/D2 → +4 poin", 4},
	} {
		f := facts(domain.PositionPelaksana)
		f.EducationLevel = tt.code
		s := Compute(Default(), f)
		if !slices.Contains(s.Hints, Hint{Dimension: Kualifikasi, Gain: tt.gain, Text: tt.text}) {
			t.Errorf("%s: hints %+v, want %q", tt.code, s.Hints, tt.text)
		}
	}
	f := facts(domain.PositionPelaksana)
	f.EducationLevel = "50"
	for _, h := range Compute(Default(), f).Hints {
		if h.Dimension == Kualifikasi {
			t.Errorf("S3 has a kualifikasi hint %+v", h)
		}
	}
}

// --- kompetensi: indicators per kind of position ---------------------------------------

// earning returns facts of the kind of position that earn exactly the indicators.
func earning(kind string, inds ...Indicator) Facts {
	f := facts(kind)
	for _, ind := range inds {
		switch ind {
		case IndicatorA:
			f.Development = append(f.Development, lead("pka", date(2019, 6, 1)))
		case IndicatorB:
			f.Development = append(f.Development, act("fungsional", 40, date(2018, 3, 1)))
		case IndicatorC:
			f.Development = append(f.Development, act("teknis", 24, date(testYear, 5, 1)))
		case IndicatorD:
			f.Development = append(f.Development, act("seminar", 4, date(testYear, 8, 1)))
		}
	}
	return f
}

func TestKompetensiIndicatorsPerPositionKind(t *testing.T) {
	table := map[string]map[Indicator]float64{ // rules document §3
		"struktural": {"a": 15, "c": 15, "d": 10},
		"fungsional": {"b": 15, "c": 15, "d": 10},
		"pelaksana":  {"c": 22.5, "d": 17.5},
	}
	rs := Default()
	for kind, row := range table {
		for _, ind := range Indicators {
			t.Run(kind+"/"+string(ind), func(t *testing.T) {
				s := Compute(rs, earning(kind, ind))
				want := row[ind] // 0 when the kind of position has no such indicator
				if s.Kompetensi != want {
					t.Errorf("%s earning only %s: kompetensi %v, want %v", kind, ind, s.Kompetensi, want)
				}
				got, ok := indicatorPoints(s, ind)
				if _, has := row[ind]; has != ok || got != want {
					t.Errorf("line for %s: %v (present %v), want %v (present %v)", ind, got, ok, want, has)
				}
			})
		}
		t.Run(kind+"/all", func(t *testing.T) {
			if s := Compute(rs, earning(kind, Indicators...)); s.Kompetensi != 40 {
				t.Errorf("all indicators: %v, want 40", s.Kompetensi)
			}
		})
		t.Run(kind+"/none", func(t *testing.T) {
			if s := Compute(rs, earning(kind)); s.Kompetensi != 0 {
				t.Errorf("no development: %v, want 0", s.Kompetensi)
			}
		})
	}
}

// TestEveryKindFeedsItsIndicator gives a fungsional, a struktural and a pelaksana employee
// one activity of each kind and checks that it lands on its indicator and nowhere else.
func TestEveryKindFeedsItsIndicator(t *testing.T) {
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		for _, k := range domain.DevelopmentKinds {
			ind := rs.Kompetensi.Kinds[k.Code]
			for _, kind := range domain.PositionKinds {
				t.Run(id+"/"+k.Code+"/"+kind, func(t *testing.T) {
					f := facts(kind)
					a := act(k.Code, 20, date(testYear, 6, 30))
					if k.Code == "kepemimpinan" {
						a.Level = "pka"
					}
					f.Development = []Activity{a}
					s := Compute(rs, f)
					for _, i := range Indicators {
						got, _ := indicatorPoints(s, i)
						want := 0.0
						if i == ind {
							want = rs.Kompetensi.Indicators[kind][i]
						}
						if got != want {
							t.Errorf("indicator %s: %v points, want %v", i, got, want)
						}
						if got > 0 && !slices.Contains(lineOf(t, s, Kompetensi, i).Facts, a.Source) {
							t.Errorf("indicator %s line does not cite %s", i, a.Source)
						}
					}
				})
			}
		}
	}
}

func TestUnknownKindIsFlaggedNotCounted(t *testing.T) {
	f := facts(domain.PositionPelaksana)
	f.Development = []Activity{act("webinar", 40, date(testYear, 2, 1))}
	s := Compute(Default(), f)
	if s.Kompetensi != 0 || !hasIncomplete(s, `jenis pengembangan tidak dikenal: "webinar"`) {
		t.Errorf("kompetensi %v, incomplete %v", s.Kompetensi, s.Incomplete)
	}
	if s.JPThisYear != 40 {
		t.Errorf("JP this year %d, want 40 (all development counts for the duty)", s.JPThisYear)
	}
}

// --- indicator a: leadership ---------------------------------------------------------

func TestLeadershipLevels(t *testing.T) {
	rs := Default()
	eselonRank := map[string]int{"I.a": 1, "I.b": 1, "II.a": 2, "II.b": 2, "III.a": 3, "III.b": 3, "IV.a": 4, "IV.b": 4, "V.a": 4}
	for es, req := range eselonRank {
		for _, l := range domain.LeadershipLevels {
			t.Run(es+"/"+l.Code, func(t *testing.T) {
				f := facts(domain.PositionStruktural)
				f.Eselon = es
				f.Development = []Activity{lead(l.Code, date(2015, 11, 20))}
				got, _ := indicatorPoints(Compute(rs, f), IndicatorA)
				want := 0.0
				if l.Rank <= req { // the required level or higher
					want = 15
				}
				if got != want {
					t.Errorf("eselon %s (rank %d) with %s (rank %d): %v, want %v", es, req, l.Code, l.Rank, got, want)
				}
			})
		}
	}
}

func TestLeadershipHigherAndLower(t *testing.T) {
	rs := Default()
	f := facts(domain.PositionStruktural) // III.a: Administrator
	f.Development = []Activity{lead("pkn2", date(2020, 1, 10))}
	s := Compute(rs, f)
	if l := lineOf(t, s, Kompetensi, IndicatorA); l.Points != 15 || !strings.Contains(l.Text, "lebih tinggi dari tingkat yang disyaratkan eselon III.a") {
		t.Errorf("higher course: %+v", l)
	}

	f.Development = []Activity{lead("pkp", date(2020, 1, 10))}
	s = Compute(rs, f)
	l := lineOf(t, s, Kompetensi, IndicatorA)
	if l.Points != 0 || !strings.Contains(l.Text, "lebih rendah dari tingkat Administrator") {
		t.Errorf("lower course: %+v", l)
	}
	want := Hint{Kompetensi, IndicatorA, 15, "Pelatihan kepemimpinan tingkat Administrator (PKA/Diklatpim Tingkat III) atau lebih tinggi → +15 poin"}
	if !slices.Contains(s.Hints, want) {
		t.Errorf("hints %+v, want %+v", s.Hints, want)
	}

	// With or_higher off, only the exact level counts.
	exact := MustEdit(t, RuleSetPerban2019, func(m map[string]any) {
		m["id"] = "exact"
		obj(m, "kompetensi.leadership")["or_higher"] = false
	})
	f.Development = []Activity{lead("pkn2", date(2020, 1, 10))}
	if got, _ := indicatorPoints(Compute(exact, f), IndicatorA); got != 0 {
		t.Errorf("or_higher false, higher course: %v, want 0", got)
	}
	f.Development = []Activity{lead("pim3", date(2020, 1, 10))}
	if got, _ := indicatorPoints(Compute(exact, f), IndicatorA); got != 15 {
		t.Errorf("or_higher false, exact course: %v, want 15", got)
	}
}

func TestLeadershipTimeAndData(t *testing.T) {
	rs := Default()
	for _, tt := range []struct {
		name       string
		eselon     string
		course     Activity
		want       float64
		incomplete string
	}{
		{"long ago counts", "IV.a", lead("pim4", date(1998, 4, 1)), 15, ""},
		{"ended Dec 31 of Y counts", "IV.a", lead("pkp", date(testYear, 12, 31)), 15, ""},
		{"ended after Y does not", "IV.a", lead("pkp", date(testYear+1, 1, 1)), 0, ""},
		{"old spelling", "IV.a", lead("Diklatpim IV", date(2010, 1, 1)), 15, ""},
		{"eselon spelling", "iva", lead("pkp", date(2010, 1, 1)), 15, ""},
		{"no level", "IV.a", lead("", date(2010, 1, 1)), 0, "tingkat pelatihan kepemimpinan tidak diketahui"},
		{"no eselon", "", lead("pkp", date(2010, 1, 1)), 0, "eselon kosong"},
		{"unknown eselon", "VI.a", lead("pkp", date(2010, 1, 1)), 0, "eselon tidak dikenal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(domain.PositionStruktural)
			f.Eselon = tt.eselon
			f.Development = []Activity{tt.course}
			s := Compute(rs, f)
			if got, _ := indicatorPoints(s, IndicatorA); got != tt.want {
				t.Errorf("a = %v, want %v", got, tt.want)
			}
			if tt.incomplete != "" && !hasIncomplete(s, tt.incomplete) {
				t.Errorf("incomplete %v, want %q", s.Incomplete, tt.incomplete)
			}
		})
	}
}

// --- indicator b: functional training and the JF exemption ---------------------------

func TestJFExemption(t *testing.T) {
	rs := Default()
	for _, tt := range []struct {
		jf   string
		want float64
	}{
		{"Dokter Ahli Pertama", 15},
		{"Dokter Gigi Ahli Madya", 15},
		{"Guru Ahli Muda", 15},
		{"GURU KELAS", 15},
		{"Ahli Pertama - Guru", 15},
		{"Apoteker Ahli Muda", 15},
		{"Perawat Terampil", 15},
		{"Bidan Ahli Pertama", 15},
		{"Asesor SDM Aparatur Ahli Muda", 15},
		{"Psikolog Klinis Ahli Muda", 15},
		{"Analis Kebijakan Bidang Kesehatan", 0}, // "bidan" is not a word of it
		{"Pranata Komputer Ahli Muda", 0},
		{"Dosen Psikologi", 0}, // "psikologi" is not "psikolog"
		{"Penggurus", 0},
		{"", 0},
	} {
		t.Run(tt.jf, func(t *testing.T) {
			f := facts(domain.PositionFungsional)
			f.JFName = tt.jf
			s := Compute(rs, f)
			got, _ := indicatorPoints(s, IndicatorB)
			if got != tt.want {
				t.Errorf("JF %q: b = %v, want %v", tt.jf, got, tt.want)
			}
			if tt.want > 0 {
				l := lineOf(t, s, Kompetensi, IndicatorB)
				if !strings.Contains(l.Text, "dianggap terpenuhi") || !slices.Equal(l.Facts, []string{"jf:" + tt.jf}) {
					t.Errorf("line %+v", l)
				}
			}
			if (tt.jf == "") != hasIncomplete(s, "nama JF kosong") {
				t.Errorf("incomplete %v", s.Incomplete)
			}
		})
	}
	// The list is data: an empty list exempts nobody.
	none := MustEdit(t, RuleSetPerban2019, func(m map[string]any) { m["id"] = "x"; obj(m, "kompetensi")["jf_exempt"] = []any{} })
	f := facts(domain.PositionFungsional)
	f.JFName = "Guru Ahli Muda"
	if got, _ := indicatorPoints(Compute(none, f), IndicatorB); got != 0 {
		t.Errorf("empty exemption list: b = %v, want 0", got)
	}
	// A multi-word entry matches consecutive words only.
	multi := MustEdit(t, RuleSetPerban2019, func(m map[string]any) { m["id"] = "x"; obj(m, "kompetensi")["jf_exempt"] = []any{"dokter gigi"} })
	for jf, want := range map[string]float64{"Dokter Gigi Ahli Muda": 15, "Dokter Ahli Muda": 0, "Gigi Dokter": 0} {
		f.JFName = jf
		if got, _ := indicatorPoints(Compute(multi, f), IndicatorB); got != want {
			t.Errorf("entry \"dokter gigi\", JF %q: %v, want %v", jf, got, want)
		}
	}
}

func TestFunctionalTrainingAnyTime(t *testing.T) {
	rs := Default()
	for _, tt := range []struct {
		end  domain.Date
		want float64
	}{
		{date(2001, 1, 1), 15}, {date(testYear, 12, 31), 15}, {date(testYear+1, 1, 1), 0},
	} {
		f := facts(domain.PositionFungsional)
		f.Development = []Activity{act("fungsional", 60, tt.end)}
		s := Compute(rs, f)
		if got, _ := indicatorPoints(s, IndicatorB); got != tt.want {
			t.Errorf("functional training ended %s: %v, want %v", tt.end, got, tt.want)
		}
		if tt.want > 0 && !strings.HasPrefix(lineOf(t, s, Kompetensi, IndicatorB).Text, "Pelatihan fungsional dari sertifikat 800.1/") {
			t.Errorf("line %q", lineOf(t, s, Kompetensi, IndicatorB).Text)
		}
	}
}

// --- indicator c: technical JP -------------------------------------------------------

func TestTechnicalJPThreshold(t *testing.T) {
	rs := Default()
	for _, tt := range []struct {
		name string
		kind string
		acts []Activity
		want float64
	}{
		{"19 JP", "struktural", []Activity{act("teknis", 19, date(testYear, 3, 1))}, 0},
		{"20 JP", "struktural", []Activity{act("teknis", 20, date(testYear, 3, 1))}, 15},
		{"10 + 10 JP accumulate", "fungsional", []Activity{act("bimtek", 10, date(testYear, 3, 1)), act("e_learning", 10, date(testYear, 9, 1))}, 15},
		{"12 + 7 JP", "fungsional", []Activity{act("bimtek", 12, date(testYear, 3, 1)), act("e_learning", 7, date(testYear, 9, 1))}, 0},
		{"pelaksana 20 JP", "pelaksana", []Activity{act("penataran", 20, date(testYear, 3, 1))}, 22.5},
		{"pelaksana 19 JP", "pelaksana", []Activity{act("penataran", 19, date(testYear, 3, 1))}, 0},
		{"seminar JP do not count", "pelaksana", []Activity{act("teknis", 10, date(testYear, 3, 1)), act("seminar", 10, date(testYear, 3, 1))}, 0},
		{"negative JP ignored", "pelaksana", []Activity{act("teknis", 25, date(testYear, 3, 1)), act("teknis", -10, date(testYear, 3, 1))}, 22.5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(tt.kind)
			f.Development = tt.acts
			if got, _ := indicatorPoints(Compute(rs, f), IndicatorC); got != tt.want {
				t.Errorf("c = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWindowC(t *testing.T) {
	rs := Default()
	for _, tt := range []struct {
		name         string
		start, end   domain.Date
		want         float64
		jpThisYear   int
		wantFlagDate bool
	}{
		{"ended Jan 1 of Y", date(testYear, 1, 1), date(testYear, 1, 1), 15, 20, false},
		{"ended Dec 31 of Y", date(testYear, 12, 20), date(testYear, 12, 31), 15, 20, false},
		{"ended Jan 1 of Y+1", date(testYear, 12, 28), date(testYear+1, 1, 1), 0, 0, false},
		{"ended Dec 31 of Y-1", date(testYear-1, 12, 1), date(testYear-1, 12, 31), 0, 0, false},
		{"started Y-1, ended Y", date(testYear-1, 12, 28), date(testYear, 1, 3), 15, 20, false},
		{"no end: start date used", date(testYear, 5, 1), domain.Date{}, 15, 20, false},
		{"no dates", domain.Date{}, domain.Date{}, 0, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(domain.PositionStruktural)
			a := act("teknis", 20, date(testYear, 1, 1))
			a.Start, a.End = tt.start, tt.end
			f.Development = []Activity{a}
			s := Compute(rs, f)
			if got, _ := indicatorPoints(s, IndicatorC); got != tt.want {
				t.Errorf("c = %v, want %v", got, tt.want)
			}
			if s.JPThisYear != tt.jpThisYear {
				t.Errorf("JP this year %d, want %d", s.JPThisYear, tt.jpThisYear)
			}
			if hasIncomplete(s, "tanggal kegiatan kosong") != tt.wantFlagDate {
				t.Errorf("incomplete %v", s.Incomplete)
			}
		})
	}
}

// --- indicator d ---------------------------------------------------------------------

func TestWindowD(t *testing.T) {
	for _, tt := range []struct {
		id   string
		end  domain.Date
		want float64
	}{
		{RuleSetPerban2019, date(testYear, 12, 31), 10},
		{RuleSetPerban2019, date(testYear-1, 1, 1), 10},
		{RuleSetPerban2019, date(testYear-2, 12, 31), 0},
		{RuleSetPerban2019, date(testYear+1, 1, 1), 0},
		{RuleSetBKN2024, date(testYear, 1, 1), 10},
		{RuleSetBKN2024, date(testYear-1, 12, 31), 0}, // the 2024 top-up counts year Y only
	} {
		t.Run(tt.id+"/"+tt.end.String(), func(t *testing.T) {
			f := facts(domain.PositionStruktural)
			f.Development = []Activity{act("coaching", 0, tt.end)}
			if got, _ := indicatorPoints(Compute(MustLoad(t, tt.id), f), IndicatorD); got != tt.want {
				t.Errorf("d = %v, want %v", got, tt.want)
			}
		})
	}
}

// --- kinerja -------------------------------------------------------------------------

func TestKinerjaNumericBands(t *testing.T) {
	want := map[string][]float64{ // value → points, per rule set
		RuleSetPerban2019: {30, 30, 25, 25, 15, 15, 5, 5, 1, 1},
		RuleSetBKN2024:    {30, 30, 25, 25, 20, 20, 15, 15, 10, 10},
	}
	values := []float64{100, 90.01, 90, 75.01, 75, 60.01, 60, 50.01, 50, 0}
	for id, points := range want {
		rs := MustLoad(t, id)
		for i, v := range values {
			f := facts(domain.PositionPelaksana)
			f.SKP = []SKP{{Year: testYear - 1, Value: pf(v)}}
			if s := Compute(rs, f); s.Kinerja != points[i] {
				t.Errorf("%s: SKP %v → %v, want %v", id, v, s.Kinerja, points[i])
			}
		}
	}
}

func TestKinerjaPredikat(t *testing.T) {
	want := map[string][]float64{
		RuleSetPerban2019: {30, 25, 15, 5, 1},
		RuleSetBKN2024:    {30, 25, 20, 15, 10},
	}
	spellings := [][]string{
		{"Sangat Baik", "sangat_baik", "1", "SANGAT BAIK"},
		{"Baik", "baik", "2"},
		{"Butuh Perbaikan", "butuh_perbaikan", "3", "Cukup"},
		{"Kurang/Misconduct", "kurang", "4", "Misconduct", "Kurang"},
		{"Sangat Kurang", "sangat_kurang", "5", "Buruk"},
	}
	for id, points := range want {
		rs := MustLoad(t, id)
		for i, names := range spellings {
			for _, name := range names {
				f := facts(domain.PositionPelaksana)
				f.SKP = []SKP{{Year: testYear - 1, Predikat: name}}
				s := Compute(rs, f)
				if s.Kinerja != points[i] || len(s.Incomplete) != 0 {
					t.Errorf("%s: predikat %q → %v (incomplete %v), want %v", id, name, s.Kinerja, s.Incomplete, points[i])
				}
			}
		}
	}
}

func TestKinerjaYearAndGaps(t *testing.T) {
	rs := Default()
	for _, tt := range []struct {
		name       string
		skp        []SKP
		want       float64
		text       string
		incomplete string
	}{
		{"missing", nil, 0, "SKP tahun 2025 tidak tercatat: 0 poin", "SKP tidak ada (tahun 2025)"},
		{"only the measurement year's", []SKP{{Year: testYear, Predikat: "Sangat Baik"}}, 0, "SKP tahun 2025 tidak tercatat: 0 poin", "SKP tidak ada (tahun 2025)"},
		{"previous year used", []SKP{{Year: testYear, Predikat: "Sangat Kurang"}, {Year: testYear - 1, Predikat: "Sangat Baik"}}, 30, "SKP 2025: predikat Sangat Baik: 30 poin", ""},
		{"value wins over predikat", []SKP{{Year: testYear - 1, Value: pf(91.25), Predikat: "Baik"}}, 30, "SKP 2025: nilai 91,25 (Sangat Baik): 30 poin", ""},
		{"invalid value falls back to predikat", []SKP{{Year: testYear - 1, Value: pf(-1), Predikat: "Baik"}}, 25, "SKP 2025: predikat Baik: 25 poin", ""},
		{"best of two", []SKP{{Year: testYear - 1, Predikat: "Baik"}, {Year: testYear - 1, Value: pf(92)}}, 30, "SKP 2025: nilai 92 (Sangat Baik) (terbaik dari 2 penilaian tahun 2025): 30 poin", ""},
		{"unknown predikat", []SKP{{Year: testYear - 1, Predikat: "Istimewa"}}, 0, "SKP tahun 2025 tidak tercatat: 0 poin", `predikat SKP 2025 tidak dikenal: "Istimewa"`},
		{"empty record", []SKP{{Year: testYear - 1}}, 0, "SKP tahun 2025 tidak tercatat: 0 poin", "SKP 2025 tanpa nilai maupun predikat"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(domain.PositionPelaksana)
			f.SKP = tt.skp
			s := Compute(rs, f)
			if s.Kinerja != tt.want {
				t.Errorf("kinerja %v, want %v", s.Kinerja, tt.want)
			}
			if l := lineOf(t, s, Kinerja, ""); l.Text != tt.text {
				t.Errorf("text %q, want %q", l.Text, tt.text)
			}
			if tt.incomplete != "" && !hasIncomplete(s, tt.incomplete) {
				t.Errorf("incomplete %v, want %q", s.Incomplete, tt.incomplete)
			}
			if tt.incomplete == "" && len(s.Incomplete) > 0 {
				t.Errorf("unexpected incomplete %v", s.Incomplete)
			}
		})
	}
	f := facts(domain.PositionPelaksana)
	f.SKP = nil
	if !slices.Contains(Compute(rs, f).Hints, Hint{Kinerja, "", 30, "Lengkapi data SKP tahun 2025 → hingga +30 poin"}) {
		t.Error("missing SKP has no hint")
	}
}

// --- disiplin ------------------------------------------------------------------------

func TestDisiplin(t *testing.T) {
	rs := Default()
	for _, tt := range []struct {
		name       string
		penalties  []Penalty
		want       float64
		incomplete string
	}{
		{"none", nil, 5, ""},
		{"ringan", []Penalty{{Level: "R", Start: date(2024, 3, 1)}}, 3, ""},
		{"sedang", []Penalty{{Level: "S", Start: date(2024, 3, 1)}}, 2, ""},
		{"berat", []Penalty{{Level: "B", Start: date(2024, 3, 1)}}, 1, ""},
		{"spelled out", []Penalty{{Level: "Sedang", Start: date(2024, 3, 1)}}, 2, ""},
		{"worst counts", []Penalty{{Level: "R", Start: date(2025, 3, 1)}, {Level: "B", Start: date(2023, 3, 1)}, {Level: "S", Start: date(2024, 3, 1)}}, 1, ""},
		{"Y-4 Jan 1 counts", []Penalty{{Level: "B", Start: date(testYear-4, 1, 1)}}, 1, ""},
		{"Y-5 Dec 31 does not", []Penalty{{Level: "B", Start: date(testYear-5, 12, 31)}}, 5, ""},
		{"Y Dec 31 counts", []Penalty{{Level: "B", Start: date(testYear, 12, 31)}}, 1, ""},
		{"Y+1 Jan 1 does not", []Penalty{{Level: "B", Start: date(testYear+1, 1, 1)}}, 5, ""},
		{"unknown level", []Penalty{{Level: "X", Start: date(2024, 3, 1)}}, 5, `tingkat hukuman disiplin tidak dikenal: "X"`},
		{"no date", []Penalty{{Level: "B"}}, 5, "tanggal hukuman disiplin kosong"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := facts(domain.PositionPelaksana)
			f.Penalties = tt.penalties
			s := Compute(rs, f)
			if s.Disiplin != tt.want {
				t.Errorf("disiplin %v, want %v", s.Disiplin, tt.want)
			}
			if tt.incomplete != "" && !hasIncomplete(s, tt.incomplete) {
				t.Errorf("incomplete %v, want %q", s.Incomplete, tt.incomplete)
			}
		})
	}
}

func TestDisiplinExplanationAndHint(t *testing.T) {
	f := facts(domain.PositionPelaksana)
	f.Penalties = []Penalty{{Source: "hd-7", Level: "S", Start: date(2023, 5, 1)}, {Level: "R", Start: date(2025, 2, 1)}}
	s := Compute(Default(), f)
	l := lineOf(t, s, Disiplin, "")
	if l.Text != "Hukuman disiplin sedang mulai 1 Mei 2023 (dalam jangka 2022–2026): 2 poin" || !slices.Equal(l.Facts, []string{"hd-7"}) {
		t.Errorf("line %+v", l)
	}
	// In 2028 the 2023 penalty leaves the window; the 2025 one (ringan, 3) still counts.
	want := Hint{Disiplin, "", 1, "Mulai pengukuran 2028 hukuman disiplin sedang mulai 1 Mei 2023 tidak lagi dihitung → +1 poin"}
	if !slices.Contains(s.Hints, want) {
		t.Errorf("hints %+v, want %+v", s.Hints, want)
	}
	f.Penalties = nil
	if l := lineOf(t, Compute(Default(), f), Disiplin, ""); l.Text != "Tidak ada hukuman disiplin pada 2022–2026: 5 poin" {
		t.Errorf("line %q", l.Text)
	}
}

// --- categories and rounding ---------------------------------------------------------

func TestCategoryBounds(t *testing.T) {
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		for _, tt := range []struct {
			total float64
			want  Category
		}{
			{0, SangatRendah}, {60, SangatRendah}, {60.01, Rendah}, {70, Rendah}, {70.01, Sedang},
			{80, Sedang}, {80.01, Tinggi}, {90, Tinggi}, {90.01, SangatTinggi}, {100, SangatTinggi},
		} {
			got, label := rs.Categorize(tt.total)
			if got != tt.want || label != tt.want.Label() {
				t.Errorf("%s: %v → %s %q, want %s %q", id, tt.total, got, label, tt.want, tt.want.Label())
			}
		}
	}
	if !Sedang.Valid() || Category("x").Valid() || Category("x").Label() != "" {
		t.Error("Category.Valid/Label")
	}
}

// TestCategoryOfComputedTotals reaches every bound through Compute: an S3 (25) pelaksana
// with SKP Sangat Baik (30), no penalty (5) and 20 JP of technical training, under rule sets
// whose indicator c is worth c points, totals 60 + c.
func TestCategoryOfComputedTotals(t *testing.T) {
	for _, tt := range []struct {
		c     float64
		total float64
		want  Category
	}{
		{0, 60, SangatRendah}, {0.01, 60.01, Rendah}, {10, 70, Rendah}, {10.01, 70.01, Sedang},
		{20, 80, Sedang}, {20.01, 80.01, Tinggi}, {30, 90, Tinggi}, {30.01, 90.01, SangatTinggi},
		{40, 100, SangatTinggi},
	} {
		rs := MustEdit(t, RuleSetPerban2019, func(m map[string]any) {
			m["id"] = "bounds"
			obj(m, "kompetensi.indicators")["pelaksana"] = map[string]any{"c": tt.c, "d": 0}
		})
		f := earning(domain.PositionPelaksana, IndicatorC)
		f.EducationLevel = "50"
		f.SKP = []SKP{{Year: testYear - 1, Predikat: "Sangat Baik"}}
		s := Compute(rs, f)
		if s.Total != tt.total || s.Category != tt.want || s.CategoryLabel != tt.want.Label() {
			t.Errorf("c = %v: total %v %s %q, want %v %s", tt.c, s.Total, s.Category, s.CategoryLabel, tt.total, tt.want)
		}
	}
}

func TestRound2(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{
		{1.005, 1.01}, {-1.005, -1.01}, {2.675, 2.68}, {71.585, 71.59}, {0.125, 0.13},
		{71.58000000000001, 71.58}, {12.13 + 30.57 + 23.89 + 4.99, 71.58}, {1.0049999, 1},
		{89.995, 90}, {90.005, 90.01}, {60.004, 60}, {-0.004, 0}, {0, 0}, {100, 100},
		{22.5, 22.5}, {0.1 + 0.2, 0.3}, {-71.585, -71.59},
	} {
		if got := Round2(tt.in); got != tt.want {
			t.Errorf("Round2(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if b, _ := json.Marshal(Round2(-0.004)); string(b) != "0" {
		t.Errorf("Round2(-0.004) marshals as %s, want 0", b)
	}
}

// --- the 2024 provisional rule set ---------------------------------------------------

func TestBKN2024(t *testing.T) {
	rs := MustLoad(t, RuleSetBKN2024)
	base := map[string]float64{"Sangat Baik": 25, "Baik": 20, "Butuh Perbaikan": 15, "Kurang": 10, "Sangat Kurang": 5}
	kin := map[string]float64{"Sangat Baik": 30, "Baik": 25, "Butuh Perbaikan": 20, "Kurang": 15, "Sangat Kurang": 10}
	for pred := range base {
		for _, tt := range []struct {
			name string
			inds []Indicator
			add  float64
		}{{"no development", nil, 0}, {"c", []Indicator{IndicatorC}, 15}, {"c+d", []Indicator{IndicatorC, IndicatorD}, 25}} {
			t.Run(pred+"/"+tt.name, func(t *testing.T) {
				f := earning(domain.PositionFungsional, tt.inds...)
				f.SKP = []SKP{{Year: testYear - 1, Predikat: pred}}
				s := Compute(rs, f)
				want := min(base[pred]+tt.add, 40)
				if s.Kompetensi != want || s.Kinerja != kin[pred] {
					t.Errorf("kompetensi %v kinerja %v, want %v %v", s.Kompetensi, s.Kinerja, want, kin[pred])
				}
				if base[pred]-kin[pred] != -5 {
					t.Errorf("base %v is not kinerja %v - 5", base[pred], kin[pred])
				}
				if b := lineOf(t, s, Kompetensi, IndicatorBase); b.Points != base[pred] {
					t.Errorf("base line %+v", b)
				}
				capLine, capped := indicatorPoints(s, IndicatorCap)
				if capped != (base[pred]+tt.add > 40) || (capped && capLine != 40-base[pred]-tt.add) {
					t.Errorf("cap line %v (present %v)", capLine, capped)
				}
			})
		}
	}
	// Capped at 40; the hint's gain respects the cap.
	f := earning(domain.PositionFungsional, IndicatorC)
	f.SKP = []SKP{{Year: testYear - 1, Predikat: "Baik"}}
	s := Compute(rs, f)
	if s.Kompetensi != 35 || !slices.Contains(s.Hints, Hint{Kompetensi, IndicatorD, 5,
		"Satu seminar, workshop, kursus, magang atau kegiatan sejenis pada 2026 → +5 poin"}) {
		t.Errorf("kompetensi %v hints %+v", s.Kompetensi, s.Hints)
	}
	f = earning(domain.PositionFungsional, Indicators...)
	f.SKP = []SKP{{Year: testYear - 1, Predikat: "Sangat Baik"}}
	s = Compute(rs, f)
	// 25 + c 15 + d 10 = 50, cut to 40; earning's 2018 functional course is outside the window.
	if s.Kompetensi != 40 || lineOf(t, s, Kompetensi, IndicatorCap).Text != "Dibatasi nilai maksimum kompetensi 40 poin: -10 poin" {
		t.Errorf("kompetensi %v, lines %+v", s.Kompetensi, s.Explanation)
	}
	// Only activities completed in the measurement year top up: the old leadership and
	// functional courses of earning() do not count, and no JF is exempt.
	for _, kind := range []string{domain.PositionStruktural, domain.PositionFungsional} {
		f := earning(kind, IndicatorA, IndicatorB)
		f.JFName = "Guru Ahli Muda"
		f.SKP = []SKP{{Year: testYear - 1, Predikat: "Baik"}}
		if s := Compute(rs, f); s.Kompetensi != 20 {
			t.Errorf("%s with old courses: kompetensi %v, want the base 20", kind, s.Kompetensi)
		}
		f.Development = []Activity{lead("pka", date(testYear, 2, 1)), act("fungsional", 30, date(testYear, 2, 1))}
		if s := Compute(rs, f); s.Kompetensi != 35 {
			t.Errorf("%s with this year's course: kompetensi %v, want 35", kind, s.Kompetensi)
		}
	}
	// No SKP: no base, no kinerja.
	f = earning(domain.PositionPelaksana, IndicatorC)
	f.SKP = nil
	s = Compute(rs, f)
	if s.Kompetensi != 22.5 || s.Kinerja != 0 || !hasIncomplete(s, "SKP tidak ada") ||
		lineOf(t, s, Kompetensi, IndicatorBase).Text != "Nilai dasar dari predikat kinerja: SKP tahun 2025 tidak tercatat: 0 poin" {
		t.Errorf("no SKP: %+v", s)
	}
	// A numeric SKP maps to its band's predikat for the base.
	f.SKP = []SKP{{Year: testYear - 1, Value: pf(80)}}
	if s := Compute(rs, f); s.Kompetensi != 40 || s.Kinerja != 25 { // base 20 + 22.5, capped
		t.Errorf("numeric SKP 80: kompetensi %v kinerja %v", s.Kompetensi, s.Kinerja)
	}
	if !Compute(rs, f).Provisional || Compute(rs, f).RuleSet != "bkn-2024" {
		t.Error("score does not record the provisional rule set")
	}
}

func TestStatuses(t *testing.T) {
	f := earning(domain.PositionFungsional, IndicatorC)
	f.Status = "pppk"
	if s := Compute(Default(), f); s.Measured || s.Status != "PPPK" || s.JPDuty != 0 {
		t.Errorf("PPPK under perban-8-2019: measured %v status %q duty %d", s.Measured, s.Status, s.JPDuty)
	}
	if s := Compute(MustLoad(t, RuleSetBKN2024), f); !s.Measured {
		t.Error("PPPK under bkn-2024 is not measured")
	}
	f.Status = ""
	if s := Compute(Default(), f); !s.Measured || s.Status != "PNS" || s.JPDuty != 20 || !hasIncomplete(s, "status kepegawaian kosong") {
		t.Errorf("empty status: %+v", s)
	}
}

// --- explanations, hints, JP, completeness -------------------------------------------

func TestExplanationAndHints(t *testing.T) {
	f := facts(domain.PositionFungsional)
	f.SKP = []SKP{{Year: 2025, Predikat: "Sangat Baik"}}
	f.Development = []Activity{
		{Source: "sertika:41", Number: "800.1/0123/BKPSDM/2026", Kind: "teknis", JP: 16, Start: date(2026, 2, 2), End: date(2026, 2, 4)},
		{Source: "siasn:9f2", Number: "BPSDM/445/2026", Kind: "bimtek", JP: 8, Start: date(2026, 7, 1), End: date(2026, 7, 1)},
		{Source: "siasn:aa1", Kind: "seminar", JP: 2, End: date(2025, 10, 9), Title: "Seminar Transformasi Digital"},
	}
	s := Compute(Default(), f)
	wantLines := []Line{
		{Kualifikasi, "", 15, "Pendidikan tertinggi S1 (kode SIASN 40): 15 poin", []string{"pendidikan:40"}},
		{Kompetensi, IndicatorB, 0, "Belum ada pelatihan fungsional: 0 poin", []string{}},
		{Kompetensi, IndicatorC, 15, "Pelatihan teknis: 24 JP pada 2026 dari sertifikat 800.1/0123/BKPSDM/2026 dan BPSDM/445/2026: 15 poin", []string{"sertika:41", "siasn:9f2"}},
		{Kompetensi, IndicatorD, 10, "Seminar, workshop, kursus, magang atau kegiatan sejenis pada 2025–2026 dari kegiatan “Seminar Transformasi Digital”: 10 poin", []string{"siasn:aa1"}},
		{Kinerja, "", 30, "SKP 2025: predikat Sangat Baik: 30 poin", []string{"skp:2025"}},
		{Disiplin, "", 5, "Tidak ada hukuman disiplin pada 2022–2026: 5 poin", []string{}},
	}
	if !reflect.DeepEqual(s.Explanation, wantLines) {
		got, _ := json.MarshalIndent(s.Explanation, "", " ")
		t.Errorf("explanation:\n%s", got)
	}
	wantHints := []Hint{
		{Kualifikasi, "", 5, "Menyelesaikan pendidikan S2/Spesialis → +5 poin"},
		{Kompetensi, IndicatorB, 15, "Pelatihan fungsional untuk JF yang diduduki → +15 poin"},
	}
	if !reflect.DeepEqual(s.Hints, wantHints) {
		t.Errorf("hints %+v, want %+v", s.Hints, wantHints)
	}
	if s.Total != 75 || s.Category != Sedang || s.CategoryLabel != "Sedang" {
		t.Errorf("total %v %s %q", s.Total, s.Category, s.CategoryLabel)
	}
	if s.JPThisYear != 24 || s.JPDuty != 20 {
		t.Errorf("JP this year %d duty %d, want 24 20", s.JPThisYear, s.JPDuty)
	}
	if got := s.Sources(); !slices.Equal(got, []string{"pendidikan:40", "sertika:41", "siasn:9f2", "siasn:aa1", "skp:2025"}) {
		t.Errorf("Sources() = %v", got)
	}

	// Below the threshold: the hint names the JP missing.
	f.Development = f.Development[:1]
	s = Compute(Default(), f)
	if l := lineOf(t, s, Kompetensi, IndicatorC); l.Text != "Pelatihan teknis: 16 JP pada 2026 dari sertifikat 800.1/0123/BKPSDM/2026 (kurang dari 20 JP): 0 poin" {
		t.Errorf("c line %q", l.Text)
	}
	for _, want := range []Hint{
		{Kompetensi, IndicatorC, 15, "4 JP lagi pelatihan teknis pada 2026 → +15 poin"},
		{Kompetensi, IndicatorD, 10, "Satu seminar, workshop, kursus, magang atau kegiatan sejenis pada 2026 → +10 poin"},
	} {
		if !slices.Contains(s.Hints, want) {
			t.Errorf("hints %+v lack %+v", s.Hints, want)
		}
	}
	f.Development = nil
	if !slices.Contains(Compute(Default(), f).Hints, Hint{Kompetensi, IndicatorC, 15, "20 JP pelatihan teknis pada 2026 → +15 poin"}) {
		t.Error("no JP: missing hint")
	}
}

func TestRefsList(t *testing.T) {
	var acts []Activity
	for i := 0; i < 6; i++ {
		acts = append(acts, Activity{Number: string(rune('A' + i))})
	}
	for n, want := range map[int]string{
		1: "sertifikat A", 2: "sertifikat A dan B", 4: "sertifikat A, B, C dan D", 6: "sertifikat A, B, C dan 3 lainnya",
	} {
		if got := refs(acts[:n]); got != want {
			t.Errorf("refs(%d) = %q, want %q", n, got, want)
		}
	}
	if got := refs([]Activity{{Number: "A"}, {Title: "T"}, {Source: "s"}}); got != "sertifikat A serta kegiatan “T” dan s" {
		t.Errorf("mixed refs %q", got)
	}
}

func TestJPThisYearAllKinds(t *testing.T) {
	f := facts(domain.PositionPelaksana)
	for _, k := range domain.DevelopmentKinds {
		f.Development = append(f.Development, act(k.Code, 2, date(testYear, 6, 1)))
	}
	f.Development = append(f.Development, act("teknis", 100, date(testYear-1, 12, 31)), act("teknis", 100, date(testYear+1, 1, 1)))
	if s := Compute(Default(), f); s.JPThisYear != 50 {
		t.Errorf("JP this year %d, want 50 (25 kinds × 2 JP)", s.JPThisYear)
	}
}

func TestIncompleteFacts(t *testing.T) {
	f := Facts{NIP: "x", Year: testYear}
	s := Compute(Default(), f)
	for _, want := range []string{"status kepegawaian kosong", "pendidikan kosong", "SKP tidak ada (tahun 2025)", "jenis jabatan kosong"} {
		if !hasIncomplete(s, want) {
			t.Errorf("incomplete %v lacks %q", s.Incomplete, want)
		}
	}
	if s.Kualifikasi != 0 || s.Kompetensi != 0 || s.Kinerja != 0 || s.Disiplin != 5 || s.Total != 5 || s.Category != SangatRendah {
		t.Errorf("empty facts: %+v", s)
	}
	f.PositionKind = "honorer"
	if s := Compute(Default(), f); !hasIncomplete(s, `jenis jabatan tidak dikenal: "honorer"`) {
		t.Errorf("incomplete %v", s.Incomplete)
	}
	if s := Compute(nil, f); s.RuleSet != DefaultRuleSetID {
		t.Errorf("nil rule set: %s", s.RuleSet)
	}
	b, _ := json.Marshal(Compute(Default(), Facts{Year: testYear, Status: "PNS", EducationLevel: "40", PositionKind: "pelaksana", SKP: []SKP{{Year: 2025, Predikat: "Baik"}}}))
	for _, key := range []string{`"nip"`, `"year"`, `"rule_set"`, `"kualifikasi"`, `"kompetensi"`, `"kinerja"`, `"disiplin"`, `"total"`, `"category"`, `"explanation":[`, `"incomplete":[]`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
}

func TestPositionKindSpellings(t *testing.T) {
	for in, want := range map[string]string{"JFT": "fungsional", "Struktural": "struktural", "JFU": "pelaksana", " pelaksana ": "pelaksana"} {
		if got, ok := normPosition(in); !ok || got != want {
			t.Errorf("normPosition(%q) = %q, %v", in, got, ok)
		}
	}
}

func TestComputeIgnoresFactOrder(t *testing.T) {
	f := facts(domain.PositionStruktural)
	f.Development = []Activity{
		lead("pka", date(2019, 1, 1)), act("teknis", 8, date(testYear, 1, 1)), act("bimtek", 8, date(testYear, 1, 1)),
		act("teknis", 8, date(testYear, 3, 1)), act("seminar", 1, date(testYear-1, 5, 1)), act("kursus", 1, date(testYear-1, 5, 1)),
	}
	f.Penalties = []Penalty{{Level: "R", Start: date(2023, 1, 1)}, {Level: "B", Start: date(2023, 1, 1)}, {Level: "B", Start: date(2022, 1, 1), Source: "b"}}
	f.SKP = []SKP{{Year: 2025, Predikat: "Baik"}, {Year: 2025, Value: pf(76)}}
	want := Compute(Default(), f)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 50; i++ {
		g := f
		g.Development = slices.Clone(f.Development)
		g.Penalties = slices.Clone(f.Penalties)
		g.SKP = slices.Clone(f.SKP)
		r.Shuffle(len(g.Development), func(i, j int) { g.Development[i], g.Development[j] = g.Development[j], g.Development[i] })
		r.Shuffle(len(g.Penalties), func(i, j int) { g.Penalties[i], g.Penalties[j] = g.Penalties[j], g.Penalties[i] })
		r.Shuffle(len(g.SKP), func(i, j int) { g.SKP[i], g.SKP[j] = g.SKP[j], g.SKP[i] })
		if got := Compute(Default(), g); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffled facts give a different score:\n%+v\nwant\n%+v", got, want)
		}
	}
}
