package scoring

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/domain"
)

const testYear = 2026

// MustLoad loads an embedded rule set or fails the test.
func MustLoad(tb testing.TB, id string) *RuleSet {
	tb.Helper()
	rs, err := Load(id)
	if err != nil {
		tb.Fatalf("Load(%q): %v", id, err)
	}
	return rs
}

// MustParse parses a rule set or fails the test.
func MustParse(tb testing.TB, b []byte) *RuleSet {
	tb.Helper()
	rs, err := Parse(b)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return rs
}

// MustEdit returns the embedded rule set id with edit applied to its JSON as a generic map.
func MustEdit(tb testing.TB, id string, edit func(m map[string]any)) *RuleSet {
	tb.Helper()
	b, err := embedded.ReadFile("rulesets/" + id + ".json")
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	edit(m)
	out, _ := json.Marshal(m)
	return MustParse(tb, out)
}

// obj walks a generic JSON map along the dotted path.
func obj(m map[string]any, path string) map[string]any {
	for _, k := range strings.Split(path, ".") {
		m = m[k].(map[string]any)
	}
	return m
}

func date(y, m, d int) domain.Date { return domain.NewDate(y, time.Month(m), d) }

func pf(x float64) *float64 { return &x }

var seq int

// act returns an activity of the kind with the JP, ending on end, with a fresh source id
// and certificate number.
func act(kind string, jp int, end domain.Date) Activity {
	seq++
	return Activity{
		Source: fmt.Sprintf("sertika:%d", seq),
		Number: fmt.Sprintf("800.1/%04d/BKPSDM/%d", seq, end.Year()),
		Kind:   kind, JP: jp, Start: end, End: end,
		Title: "Kegiatan " + kind,
	}
}

// lead returns a leadership course of the level ending on end.
func lead(level string, end domain.Date) Activity {
	a := act("kepemimpinan", 30, end)
	a.Level = level
	return a
}

// facts returns a complete employee of the kind of position with no development: S1,
// SKP of the previous year "Baik", no penalty.
func facts(kind string) Facts {
	f := Facts{
		NIP: "196608011988031001", Year: testYear, Status: domain.StatusPNS,
		EducationLevel: "40", PositionKind: kind,
		SKP: []SKP{{Year: testYear - 1, Predikat: "Baik"}},
	}
	switch kind {
	case domain.PositionStruktural:
		f.Eselon = "III.a"
	case domain.PositionFungsional:
		f.JFName = "Pranata Komputer Ahli Muda"
	}
	return f
}

// indicatorPoints returns the points of the kompetensi explanation line of the indicator,
// and whether there is one.
func indicatorPoints(s Score, ind Indicator) (float64, bool) {
	for _, l := range s.Explanation {
		if l.Dimension == Kompetensi && l.Indicator == ind {
			return l.Points, true
		}
	}
	return 0, false
}

func lineOf(tb testing.TB, s Score, d Dimension, ind Indicator) Line {
	tb.Helper()
	for _, l := range s.Explanation {
		if l.Dimension == d && l.Indicator == ind {
			return l
		}
	}
	tb.Fatalf("no explanation line for %s/%s in %+v", d, ind, s.Explanation)
	return Line{}
}

func hasIncomplete(s Score, sub string) bool {
	for _, m := range s.Incomplete {
		if strings.Contains(m, sub) {
			return true
		}
	}
	return false
}
