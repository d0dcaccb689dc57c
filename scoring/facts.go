package scoring

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sertika/sertika/internal/domain"
)

// Facts are what the rules need to know about one employee for one measurement year. The
// caller gathers them (certificates issued by Sertika that are not revoked, imported SIASN
// records, the employee's profile); Compute reads nothing else. The JSON form is the
// snapshot stored with a score.
type Facts struct {
	NIP  string `json:"nip"`
	Year int    `json:"year"` // measurement year Y
	// Status is PNS or PPPK; empty is taken as PNS and flagged.
	Status string `json:"status"`
	// EducationLevel is the SIASN code of the highest education ever attained ("40" = S1).
	EducationLevel string `json:"education_level"`
	// PositionKind is struktural, fungsional or pelaksana.
	PositionKind string `json:"position_kind"`
	// Eselon of a struktural position ("III.a").
	Eselon string `json:"eselon,omitempty"`
	// JFName is the name of the functional position held ("Guru Ahli Muda").
	JFName      string     `json:"jf,omitempty"`
	SKP         []SKP      `json:"skp"`
	Penalties   []Penalty  `json:"penalties"`
	Development []Activity `json:"development"`
}

// SKP is one performance appraisal: a numeric value (before 2022) or a predikat (SIASN id
// "1" … "5", a code such as "sangat_baik" or a label such as "Sangat Baik").
type SKP struct {
	Year     int      `json:"year"`
	Value    *float64 `json:"value,omitempty"`
	Predikat string   `json:"predikat,omitempty"`
}

// Penalty is a disciplinary penalty (hukuman disiplin): level R, S or B (or ringan, sedang,
// berat) and the date it takes effect.
type Penalty struct {
	Source string      `json:"source,omitempty"` // record id, for the explanation
	Level  string      `json:"level"`
	Start  domain.Date `json:"start"`
}

// Activity is one completed competency-development activity.
type Activity struct {
	// Source identifies the record: a Sertika certificate id or an external record id.
	Source string `json:"source"`
	// Number is the certificate number ("800.1/0123/BKPSDM/2026"), shown in explanations.
	Number string `json:"number,omitempty"`
	// Kind is a development kind code (domain.DevelopmentKinds).
	Kind string `json:"kind"`
	// Level is the leadership-training level (domain.LeadershipLevels) of a kepemimpinan
	// activity: pkp, pim4, pka, pim3, pkn2, pim2, pkn1, pim1.
	Level string      `json:"level,omitempty"`
	JP    int         `json:"jp"`
	Start domain.Date `json:"start"`
	End   domain.Date `json:"end"`
	Title string      `json:"title,omitempty"`
}

// date is the activity's completion date: its end, or its start when the end is missing.
func (a Activity) date() domain.Date {
	if !a.End.IsZero() {
		return a.End
	}
	return a.Start
}

func (a Activity) jp() int { return max(a.JP, 0) }

// id is the fact id recorded for the activity.
func (a Activity) id() string {
	if a.Source != "" {
		return a.Source
	}
	return a.Number
}

// ref is how the explanation names the activity.
func (a Activity) ref() string {
	switch {
	case a.Number != "":
		return a.Number
	case a.Title != "":
		return "“" + a.Title + "”"
	case a.Source != "":
		return a.Source
	}
	return a.Kind
}

func (p Penalty) id() string {
	if p.Source != "" {
		return p.Source
	}
	return "hukdis:" + p.Level + ":" + p.Start.String()
}

// normStatus folds an employment status; "" stays "".
func normStatus(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

var educationAliases = map[string]string{
	"sma": "15", "smk": "15", "slta": "15", "smp": "10", "sltp": "10", "sd": "05",
	"diplomai": "20", "diplomaii": "25", "diplomaiii": "30", "diplomaiv": "35",
	"di": "20", "dii": "25", "diii": "30", "div": "35",
}

// normEducation returns the SIASN code of an education level given as a code ("40", "5"),
// or a label ("S1", "S-1", "SMA", "D-III").
func normEducation(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 1 && s[0] >= '0' && s[0] <= '9' {
		s = "0" + s
	}
	key := strings.ReplaceAll(normKey(s), " ", "")
	for _, l := range domain.EducationLevels {
		if s == l.Code || key == strings.ToLower(l.Label) {
			return l.Code, true
		}
	}
	if c, ok := educationAliases[key]; ok {
		return c, true
	}
	return s, false
}

var positionAliases = map[string]string{
	"struktural": domain.PositionStruktural, "jpt": domain.PositionStruktural,
	"administrator": domain.PositionStruktural, "pengawas": domain.PositionStruktural,
	"fungsional": domain.PositionFungsional, "jf": domain.PositionFungsional, "jft": domain.PositionFungsional,
	"pelaksana": domain.PositionPelaksana, "jfu": domain.PositionPelaksana, "jpu": domain.PositionPelaksana,
}

// normPosition folds a kind of position.
func normPosition(s string) (string, bool) {
	p, ok := positionAliases[normKey(s)]
	return p, ok
}

var levelAliases = map[string]string{
	"pim iv": "pim4", "pim iii": "pim3", "pim ii": "pim2", "pim i": "pim1",
	"diklatpim iv": "pim4", "diklatpim iii": "pim3", "diklatpim ii": "pim2", "diklatpim i": "pim1",
	"pkn ii": "pkn2", "pkn i": "pkn1", "pkn 2": "pkn2", "pkn 1": "pkn1", "pim 4": "pim4",
	"pim 3": "pim3", "pim 2": "pim2", "pim 1": "pim1",
}

// normLevel folds a leadership-training level to its domain code.
func normLevel(s string) string {
	k := normKey(s)
	if c, ok := levelAliases[k]; ok {
		return c
	}
	return strings.ReplaceAll(k, " ", "")
}

// sortedActivities returns a copy of the activities in a canonical order, so that the
// score and its explanation do not depend on the order of the facts.
func sortedActivities(in []Activity) []Activity {
	acts := append([]Activity(nil), in...)
	sort.SliceStable(acts, func(i, j int) bool {
		a, b := acts[i], acts[j]
		if !a.date().Equal(b.date().Time) {
			return a.date().Before(b.date().Time)
		}
		return activityKey(a) < activityKey(b)
	})
	return acts
}

func activityKey(a Activity) string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%08d", a.Start, a.Source, a.Number, a.Kind, a.Level, a.Title, a.JP)
}

func sortedPenalties(in []Penalty) []Penalty {
	ps := append([]Penalty(nil), in...)
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if !a.Start.Equal(b.Start.Time) {
			return a.Start.Before(b.Start.Time)
		}
		return a.Level+"\x00"+a.Source < b.Level+"\x00"+b.Source
	})
	return ps
}

var months = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
	"September", "Oktober", "November", "Desember"}

// tanggal formats a date in Indonesian: "1 Mei 2023".
func tanggal(d domain.Date) string {
	if d.IsZero() {
		return "(tanpa tanggal)"
	}
	return fmt.Sprintf("%d %s %d", d.Day(), months[d.Month()-1], d.Year())
}
