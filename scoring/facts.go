package scoring

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

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

// The lookups below fold names exactly as normKey does. They run for every employee of a
// bulk rescore, so for ASCII input (nearly all input) they fold into a buffer on the stack
// and look the result up without building a string; other input takes normKey.

// appendKeyASCII appends normKey(s) to dst when s is ASCII, and reports whether it was.
func appendKeyASCII(dst []byte, s string) ([]byte, bool) {
	start, sep := len(dst), false
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= utf8.RuneSelf:
			return dst, false
		case 'A' <= b && b <= 'Z':
			b += 'a' - 'A'
		case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
		default:
			sep = true
			continue
		}
		if sep && len(dst) > start {
			dst = append(dst, ' ')
		}
		sep = false
		dst = append(dst, b)
	}
	return dst, true
}

// lookupKey returns m[normKey(s)].
func lookupKey[V any](m map[string]V, s string) (V, bool) {
	var a [64]byte
	if k, ok := appendKeyASCII(a[:0], s); ok {
		v, found := m[string(k)]
		return v, found
	}
	v, found := m[normKey(s)]
	return v, found
}

var educationAliases = map[string]string{
	"sma": "15", "smk": "15", "slta": "15", "smp": "10", "sltp": "10", "sd": "05",
	"diplomai": "20", "diplomaii": "25", "diplomaiii": "30", "diplomaiv": "35",
	"di": "20", "dii": "25", "diii": "30", "div": "35",
}

// educationKeys are the labels of domain.EducationLevels in lower case.
var educationKeys = func() []string {
	out := make([]string, len(domain.EducationLevels))
	for i, l := range domain.EducationLevels {
		out[i] = strings.ToLower(l.Label)
	}
	return out
}()

// normEducation returns the SIASN code of an education level given as a code ("40", "5"),
// or a label ("S1", "S-1", "SMA", "D-III").
func normEducation(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 1 && s[0] >= '0' && s[0] <= '9' {
		s = "0" + s
	}
	// A code first: no label folds to digits alone, so this finds what the loop below would.
	for _, l := range domain.EducationLevels {
		if s == l.Code {
			return l.Code, true
		}
	}
	var a [64]byte
	k, ok := appendKeyASCII(a[:0], s)
	if !ok {
		k = append(k[:0], normKey(s)...)
	}
	// The key without spaces.
	j := 0
	for _, b := range k {
		if b != ' ' {
			k[j] = b
			j++
		}
	}
	k = k[:j]
	for i, l := range domain.EducationLevels {
		if i < len(educationKeys) && string(k) == educationKeys[i] {
			return l.Code, true
		}
	}
	if c, ok := educationAliases[string(k)]; ok {
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
func normPosition(s string) (string, bool) { return lookupKey(positionAliases, s) }

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

// appendLevel appends normLevel(s) to dst (a buffer of its own, which it may overwrite).
func appendLevel(dst []byte, s string) []byte {
	k, ok := appendKeyASCII(dst[:0], s)
	if !ok {
		return append(dst[:0], normLevel(s)...)
	}
	if c, ok := levelAliases[string(k)]; ok {
		return append(k[:0], c...)
	}
	j := 0
	for _, b := range k {
		if b != ' ' {
			k[j] = b
			j++
		}
	}
	return k[:j]
}

// lookupLevelRank returns levelRank[normLevel(s)].
func lookupLevelRank(levelRank map[string]int, s string) (int, bool) {
	var a [64]byte
	r, ok := levelRank[string(appendLevel(a[:0], s))]
	return r, ok
}

// levelLabel names a leadership-training level ("PKA (Pelatihan Kepemimpinan
// Administrator)"), or returns the code as given when it is unknown.
func levelLabel(code string) string {
	var a [64]byte
	k := appendLevel(a[:0], code)
	for _, l := range domain.LeadershipLevels {
		if string(k) == l.Code {
			return l.Label
		}
	}
	return code
}

// normalizeEselon is domain.NormalizeEselon, which builds a strings.Replacer on every call,
// with a fast path for an eselon already spelled canonically.
func normalizeEselon(s string) (string, bool) {
	for _, e := range domain.Eselons {
		if s == e {
			return e, true
		}
	}
	return domain.NormalizeEselon(s)
}

// jfExempt reports whether the JF name contains an entry of the exemption list as whole
// consecutive words, ignoring case, and which entry.
func jfExempt(list []string, jf string) (string, bool) {
	var (
		nameBuf   [128]byte
		nameWords [16]wordSpan
		entryBuf  [64]byte
		entryWds  [8]wordSpan
	)
	name, nw, ok := splitWordsASCII(nameBuf[:0], nameWords[:0], jf)
	if !ok {
		return jfExemptWords(list, jf)
	}
	for _, e := range list {
		eb, ew, ok := splitWordsASCII(entryBuf[:0], entryWds[:0], e)
		if !ok {
			return jfExemptWords(list, jf)
		}
		if len(ew) == 0 {
			continue
		}
		for i := 0; i+len(ew) <= len(nw); i++ {
			match := true
			for j := range ew {
				if string(name[nw[i+j].from:nw[i+j].to]) != string(eb[ew[j].from:ew[j].to]) {
					match = false
					break
				}
			}
			if match {
				return e, true
			}
		}
	}
	return "", false
}

// wordSpan is a word of splitWordsASCII: buf[from:to].
type wordSpan struct{ from, to int }

// splitWordsASCII appends the words of s (as words gives them: lower case, letters and
// digits) to buf, and their places to spans, when s is ASCII.
func splitWordsASCII(buf []byte, spans []wordSpan, s string) ([]byte, []wordSpan, bool) {
	in := false
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= utf8.RuneSelf:
			return buf, spans, false
		case 'A' <= b && b <= 'Z':
			b += 'a' - 'A'
		case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
		default:
			in = false
			continue
		}
		if !in {
			spans = append(spans, wordSpan{len(buf), len(buf)})
			in = true
		}
		buf = append(buf, b)
		spans[len(spans)-1].to = len(buf)
	}
	return buf, spans, true
}

// jfExemptWords is jfExempt for any input.
func jfExemptWords(list []string, jf string) (string, bool) {
	name := words(jf)
	for _, e := range list {
		ew := words(e)
		if len(ew) == 0 {
			continue
		}
		for i := 0; i+len(ew) <= len(name); i++ {
			match := true
			for j := range ew {
				if name[i+j] != ew[j] {
					match = false
					break
				}
			}
			if match {
				return e, true
			}
		}
	}
	return "", false
}

// sortActivities sorts activities in place into a canonical order — by date, then by every
// field (activityKey) — so that the score and its explanation do not depend on the order of
// the facts.
func sortActivities(acts []Activity) []Activity {
	slices.SortStableFunc(acts, func(a, b Activity) int {
		if c := a.date().Compare(b.date().Time); c != 0 {
			return c
		}
		return compareActivityKeys(&a, &b)
	})
	return acts
}

// activityKey is every field of an activity as one string; activities compare by it.
func activityKey(a Activity) string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%08d", a.Start, a.Source, a.Number, a.Kind, a.Level, a.Title, a.JP)
}

// compareActivityKeys is cmp.Compare(activityKey(*a), activityKey(*b)), without building the
// keys in all but freak cases (see compareKeyField and compareDateKey).
func compareActivityKeys(a, b *Activity) int {
	if c, ok := compareKeysFast(a, b); ok {
		return c
	}
	return cmp.Compare(activityKey(*a), activityKey(*b))
}

func compareKeysFast(a, b *Activity) (int, bool) {
	if c, ok := compareDateKey(a.Start, b.Start); !ok || c != 0 {
		return c, ok
	}
	for _, f := range [...][2]string{{a.Source, b.Source}, {a.Number, b.Number}, {a.Kind, b.Kind}, {a.Level, b.Level}, {a.Title, b.Title}} {
		if c, ok := compareKeyField(f[0], f[1]); !ok || c != 0 {
			return c, ok
		}
	}
	// %08d: eight digits, in numeric order, for 0 … 99,999,999.
	if a.JP < 0 || a.JP > 99_999_999 || b.JP < 0 || b.JP > 99_999_999 {
		return 0, false
	}
	return cmp.Compare(a.JP, b.JP), true
}

// compareKeyField compares two fields of keys joined by NUL bytes as the joined keys would
// compare, when it can tell (ok): it cannot when one field is a prefix of the other and
// the longer one continues with a NUL byte.
func compareKeyField(x, y string) (int, bool) {
	c := strings.Compare(x, y)
	switch {
	case c < 0 && len(x) < len(y) && y[len(x)] == 0 && y[:len(x)] == x:
		return 0, false
	case c > 0 && len(y) < len(x) && x[len(y)] == 0 && x[:len(y)] == y:
		return 0, false
	}
	return c, true
}

// compareDateKey compares two dates as their String forms compare ("" for the zero date,
// else YYYY-MM-DD), when the years have four digits (ok).
func compareDateKey(a, b domain.Date) (int, bool) {
	az, bz := a.IsZero(), b.IsZero()
	switch {
	case az && bz:
		return 0, true
	case az:
		return -1, true
	case bz:
		return 1, true
	}
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	if ay < 0 || ay > 9999 || by < 0 || by > 9999 {
		return 0, false
	}
	if c := cmp.Compare(ay, by); c != 0 {
		return c, true
	}
	if c := cmp.Compare(am, bm); c != 0 {
		return c, true
	}
	return cmp.Compare(ad, bd), true
}

// appendDate appends d.String().
func appendDate(dst []byte, d domain.Date) []byte {
	if d.IsZero() {
		return dst
	}
	y, m, day := d.Date()
	if y < 0 || y > 9999 {
		return append(dst, d.String()...)
	}
	return append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+day/10), byte('0'+day%10))
}

// sortPenalties sorts penalties in place into a canonical order: by start, then level and
// source.
func sortPenalties(ps []Penalty) []Penalty {
	slices.SortStableFunc(ps, func(a, b Penalty) int {
		if c := a.Start.Compare(b.Start.Time); c != 0 {
			return c
		}
		// As a.Level+"\x00"+a.Source compares with b's.
		if c, ok := compareKeyField(a.Level, b.Level); !ok {
			return strings.Compare(a.Level+"\x00"+a.Source, b.Level+"\x00"+b.Source)
		} else if c != 0 {
			return c
		}
		return strings.Compare(a.Source, b.Source)
	})
	return ps
}

var months = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
	"September", "Oktober", "November", "Desember"}
