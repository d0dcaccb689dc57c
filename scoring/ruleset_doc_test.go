package scoring

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

// This file pins every table of the embedded rule sets to docs/ipasn-rules.md (section
// numbers below), row by row, so that an edit of a rule set file that departs from the
// rules document fails here, and pins the tables to the version, so that an edit of the
// tables without a new version fails too.

func intp(i int) *int { return &i }

// TestRuleSetsMatchRulesDocument compares the data of both embedded rule sets with the
// tables of the rules document.
func TestRuleSetsMatchRulesDocument(t *testing.T) {
	perban, bkn := MustLoad(t, RuleSetPerban2019), MustLoad(t, RuleSetBKN2024)
	for _, rs := range []*RuleSet{perban, bkn} {
		t.Run(rs.ID, func(t *testing.T) {
			// §1: IP = kualifikasi (0..25) + kompetensi (0..40) + kinerja (0..30) + disiplin (0..5).
			if got := [4]float64{rs.Kualifikasi.Max, rs.Kompetensi.Max, rs.Kinerja.Max, rs.Disiplin.Max}; got != [4]float64{25, 40, 30, 5} {
				t.Errorf("§1 maxima %v, want 25 40 30 5", got)
			}
			// §2: points per education level (SIASN codes of §10).
			wantEdu := map[string]float64{"05": 1, "10": 1, "15": 5, "20": 5, "25": 5, "30": 10, "35": 15,
				"40": 15, "42": 15, "45": 20, "47": 20, "49": 25, "50": 25}
			if !reflect.DeepEqual(rs.Kualifikasi.Points, wantEdu) {
				t.Errorf("§2 education points %v, want %v", rs.Kualifikasi.Points, wantEdu)
			}
			// §3 / §7: the indicator points per kind of position (the 2024 top-up uses the same).
			wantInd := map[string]map[Indicator]float64{
				"struktural": {"a": 15, "c": 15, "d": 10},
				"fungsional": {"b": 15, "c": 15, "d": 10},
				"pelaksana":  {"c": 22.5, "d": 17.5},
			}
			if !reflect.DeepEqual(rs.Kompetensi.Indicators, wantInd) {
				t.Errorf("§3 indicator points %v, want %v", rs.Kompetensi.Indicators, wantInd)
			}
			for kind, row := range rs.Kompetensi.Indicators {
				sum := 0.0
				for _, p := range row {
					sum += p
				}
				if sum != 40 {
					t.Errorf("§3 %s: indicators add up to %v, want the maximum 40", kind, sum)
				}
			}
			// §3 c: at least 20 JP; §8: the 20 JP duty of a PNS (PPPK: a ceiling, no duty).
			if rs.Kompetensi.TechnicalJP != 20 {
				t.Errorf("§3 c threshold %d JP, want 20", rs.Kompetensi.TechnicalJP)
			}
			if !reflect.DeepEqual(rs.AnnualJPDuty, map[string]int{"PNS": 20}) {
				t.Errorf("§8 JP duty %v, want PNS 20", rs.AnnualJPDuty)
			}
			// §3 a: leadership course by level, rank 1 the highest.
			wantRank := map[string]int{"pkn1": 1, "pim1": 1, "pkn2": 2, "pim2": 2, "pka": 3, "pim3": 3, "pkp": 4, "pim4": 4}
			if !reflect.DeepEqual(rs.levelRank, wantRank) {
				t.Errorf("§3 a level ranks %v, want %v", rs.levelRank, wantRank)
			}
			// Eselon I → PKN I, II → PKN II, III → PKA, IV → PKP. Eselon V (not in the document)
			// is a Pengawas-type position too and requires PKP.
			wantReq := map[string]int{"I.a": 1, "I.b": 1, "II.a": 2, "II.b": 2, "III.a": 3, "III.b": 3, "IV.a": 4, "IV.b": 4, "V.a": 4}
			if !reflect.DeepEqual(rs.Kompetensi.Leadership.RequiredRank, wantReq) || !rs.Kompetensi.Leadership.OrHigher {
				t.Errorf("§3 a required ranks %v or_higher %v, want %v true", rs.Kompetensi.Leadership.RequiredRank, rs.Kompetensi.Leadership.OrHigher, wantReq)
			}
			// §4: numeric SKP bands (> 90, > 75, > 60, > 50, the rest) and their predikat.
			var above []*float64
			var bandPred, bandLabel []string
			for _, b := range rs.Kinerja.Bands {
				above = append(above, b.Above)
				bandPred = append(bandPred, b.Predikat)
				bandLabel = append(bandLabel, b.Label)
			}
			if !reflect.DeepEqual(above, []*float64{pf(90), pf(75), pf(60), pf(50), nil}) {
				t.Errorf("§4 band bounds %v, want > 90, > 75, > 60, > 50, rest", above)
			}
			if want := []string{"sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"}; !slices.Equal(bandPred, want) {
				t.Errorf("§4 band predikat %v, want %v", bandPred, want)
			}
			if want := []string{"Sangat Baik", "Baik", "Cukup", "Kurang", "Buruk"}; !slices.Equal(bandLabel, want) {
				t.Errorf("§4 band labels %v, want %v", bandLabel, want)
			}
			// §4 / §10: predikat codes, SIASN ids 1–5 and labels.
			var pcode, psiasn, plabel []string
			for _, p := range rs.Kinerja.Predikat {
				pcode, psiasn, plabel = append(pcode, p.Code), append(psiasn, p.SIASN), append(plabel, p.Label)
			}
			if !slices.Equal(pcode, []string{"sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"}) ||
				!slices.Equal(psiasn, []string{"1", "2", "3", "4", "5"}) ||
				!slices.Equal(plabel, []string{"Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"}) {
				t.Errorf("§4 predikat %v %v %v", pcode, psiasn, plabel)
			}
			// §4: the previous year's appraisal.
			if rs.Kinerja.SKPYearOffset == nil || *rs.Kinerja.SKPYearOffset != -1 {
				t.Errorf("§4 SKP year offset %v, want -1", rs.Kinerja.SKPYearOffset)
			}
			// §5: none 5, ringan 3, sedang 2, berat 1; penalties starting in Y-4 … Y.
			var pen []string
			var penPts []float64
			for _, l := range rs.Disiplin.Levels {
				pen, penPts = append(pen, l.Code+"/"+l.Label), append(penPts, l.Points)
			}
			if rs.Disiplin.None != 5 || !slices.Equal(pen, []string{"R/ringan", "S/sedang", "B/berat"}) || !slices.Equal(penPts, []float64{3, 2, 1}) {
				t.Errorf("§5 penalty points none %v, %v %v; want 5, R 3, S 2, B 1", rs.Disiplin.None, pen, penPts)
			}
			if !reflect.DeepEqual(rs.Disiplin.Window, Window{From: intp(-4), To: intp(0)}) {
				t.Errorf("§5 window %+v, want Y-4 … Y", rs.Disiplin.Window)
			}
			// §6: categories above 90, 80, 70, 60, the rest.
			var cats []Category
			var bounds []*float64
			for _, c := range rs.Categories {
				cats, bounds = append(cats, c.Code), append(bounds, c.Above)
				if c.Label != c.Code.Label() {
					t.Errorf("§6 category %s label %q, want %q", c.Code, c.Label, c.Code.Label())
				}
			}
			if !slices.Equal(cats, Categories) || !reflect.DeepEqual(bounds, []*float64{pf(90), pf(80), pf(70), pf(60), nil}) {
				t.Errorf("§6 categories %v bounds %v", cats, bounds)
			}
		})
	}

	// The tables that differ between the two methods.
	t.Run(RuleSetPerban2019, func(t *testing.T) {
		rs := perban
		if rs.Provisional || !slices.Equal(rs.Statuses, []string{"PNS"}) {
			t.Errorf("provisional %v statuses %v, want false [PNS]", rs.Provisional, rs.Statuses)
		}
		// §3 windows: a and b at any time (up to the end of Y), c in Y, d in Y-1 … Y.
		want := IndicatorWindows{A: Window{nil, intp(0)}, B: Window{nil, intp(0)}, C: Window{intp(0), intp(0)}, D: Window{intp(-1), intp(0)}}
		if !reflect.DeepEqual(rs.Kompetensi.Windows, want) {
			t.Errorf("§3 windows %+v, want %+v", rs.Kompetensi.Windows, want)
		}
		// §3 b: the JF exemption list.
		ex := slices.Clone(rs.Kompetensi.JFExempt)
		slices.Sort(ex)
		if want := []string{"apoteker", "asesor", "bidan", "dokter", "guru", "perawat", "psikolog"}; !slices.Equal(ex, want) {
			t.Errorf("§3 b JF exemptions %v, want %v", ex, want)
		}
		// §4: Sangat Baik 30, Baik 25, Cukup / Butuh Perbaikan 15, Kurang / Misconduct 5, Buruk / Sangat Kurang 1.
		for i, w := range []float64{30, 25, 15, 5, 1} {
			if rs.Kinerja.Bands[i].Points != w || rs.Kinerja.Predikat[i].Points != w {
				t.Errorf("§4 row %d: band %v predikat %v, want %v", i, rs.Kinerja.Bands[i].Points, rs.Kinerja.Predikat[i].Points, w)
			}
		}
		if rs.Kompetensi.BaseFromPredikat != nil {
			t.Errorf("base from predikat %v, want none", rs.Kompetensi.BaseFromPredikat)
		}
	})
	t.Run(RuleSetBKN2024, func(t *testing.T) {
		rs := bkn
		if !rs.Provisional || !slices.Equal(rs.Statuses, []string{"PNS", "PPPK"}) {
			t.Errorf("§7 provisional %v statuses %v, want true [PNS PPPK]", rs.Provisional, rs.Statuses)
		}
		// §7: top-up by activities completed in the measurement year only.
		y := Window{intp(0), intp(0)}
		if want := (IndicatorWindows{y, y, y, y}); !reflect.DeepEqual(rs.Kompetensi.Windows, want) {
			t.Errorf("§7 windows %+v, want year Y for all four", rs.Kompetensi.Windows)
		}
		if len(rs.Kompetensi.JFExempt) != 0 {
			t.Errorf("§7 JF exemptions %v, want none (an exemption is not an activity)", rs.Kompetensi.JFExempt)
		}
		// §7: base 25/20/15/10/5 and kinerja 30/25/20/15/10 (base = kinerja - 5).
		wantBase := map[string]float64{"sangat_baik": 25, "baik": 20, "butuh_perbaikan": 15, "kurang": 10, "sangat_kurang": 5}
		if !reflect.DeepEqual(rs.Kompetensi.BaseFromPredikat, wantBase) {
			t.Errorf("§7 base %v, want %v", rs.Kompetensi.BaseFromPredikat, wantBase)
		}
		for i, w := range []float64{30, 25, 20, 15, 10} {
			p := rs.Kinerja.Predikat[i]
			if rs.Kinerja.Bands[i].Points != w || p.Points != w || wantBase[p.Code] != w-5 {
				t.Errorf("§7 row %d: band %v predikat %v base %v, want %v, %v", i, rs.Kinerja.Bands[i].Points, p.Points, wantBase[p.Code], w, w-5)
			}
		}
	})
}

// rulesFingerprint is a digest of everything in a rule set file but its version.
func rulesFingerprint(tb testing.TB, rs *RuleSet) string {
	tb.Helper()
	c := *rs
	c.Version = ""
	b, err := json.Marshal(&c)
	if err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// TestRuleSetVersionPinsTables fails when an embedded rule set's data changes but its
// version does not. A stored score records the rule set id and version, and the facts hash
// (FactsHash) includes the version, so only a new version makes the next rescore rewrite the
// scores computed with the old tables. After a deliberate change of a file: bump its
// "version", then update the pin below.
func TestRuleSetVersionPinsTables(t *testing.T) {
	pins := map[string]struct{ version, fingerprint string }{
		RuleSetPerban2019: {"2019.1", "9baf2b4d995b83f0"},
		RuleSetBKN2024:    {"2024.0-provisional", "84090952ede2288d"},
	}
	for _, id := range IDs() {
		rs := MustLoad(t, id)
		fp := rulesFingerprint(t, rs)
		pin, ok := pins[id]
		switch {
		case !ok:
			t.Errorf("%s: no pin; add {%q, %q}", id, rs.Version, fp)
		case rs.Version == pin.version && fp != pin.fingerprint:
			t.Errorf("%s: the rule set changed but its version is still %q: bump \"version\" in rulesets/%s.json "+
				"(stored scores must be rescored), then pin the new version with fingerprint %q", id, rs.Version, id, fp)
		case rs.Version != pin.version:
			t.Errorf("%s: version %q, pinned %q: update the pin to {%q, %q}", id, rs.Version, pin.version, rs.Version, fp)
		}
	}
}

// TestFactsHashNamesRuleSetVersion: a new version of a rule set changes every facts hash,
// which is what makes a rescore rewrite the stored scores.
func TestFactsHashNamesRuleSetVersion(t *testing.T) {
	rs := Default()
	f := earning("fungsional", Indicators...)
	h1 := FactsHash(rs, &f)
	bumped := MustEdit(t, RuleSetPerban2019, func(m map[string]any) { m["version"] = "2019.2" })
	if h2 := FactsHash(bumped, &f); h2 == h1 {
		t.Error("facts hash does not change with the rule set version")
	}
	if h3 := FactsHash(Default(), &f); h3 != h1 {
		t.Error("facts hash is not deterministic")
	}
}
