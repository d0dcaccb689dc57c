package scoring

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// The ids of the embedded rule sets.
const (
	RuleSetPerban2019 = "perban-8-2019" // Peraturan BKN 8/2019, the default
	RuleSetBKN2024    = "bkn-2024"      // BKN's 2024 method, provisional
	DefaultRuleSetID  = RuleSetPerban2019
)

//go:embed rulesets/*.json
var embedded embed.FS

// Indicator is one of the kompetensi indicators of the rules document §3.
type Indicator string

// The indicators, and the pseudo-indicators of explanation lines.
const (
	IndicatorA    Indicator = "a"    // leadership training matching the position
	IndicatorB    Indicator = "b"    // functional training for the JF held
	IndicatorC    Indicator = "c"    // technical training, at least TechnicalJP JP
	IndicatorD    Indicator = "d"    // seminar, workshop, magang, kursus and the like
	IndicatorBase Indicator = "base" // bkn-2024: base from the performance predikat
	IndicatorCap  Indicator = "cap"  // points cut by the dimension maximum
)

// Indicators lists the real indicators in order.
var Indicators = []Indicator{IndicatorA, IndicatorB, IndicatorC, IndicatorD}

// RuleSet is one versioned method of computing the IP ASN: every table of the rules document
// as data. Obtain one from Load, Default or Parse, which validate it; Compute relies on that.
type RuleSet struct {
	ID          string   `json:"id"`          // stable id recorded with every score
	Name        string   `json:"name"`        // human name
	Version     string   `json:"version"`     // bumped on any change of the data
	Provisional bool     `json:"provisional"` // a method not (yet) confirmed by BKN
	Basis       string   `json:"basis"`       // legal basis and sources
	Notes       []string `json:"notes"`       // decisions, for readers of the file
	// Statuses are the employment statuses measured (PNS, PPPK).
	Statuses []string `json:"statuses"`
	// AnnualJPDuty is the yearly development duty in JP by status (PNS: 20); not part of IP.
	AnnualJPDuty map[string]int  `json:"annual_jp_duty"`
	Kualifikasi  KualifikasiRule `json:"kualifikasi"`
	Kompetensi   KompetensiRule  `json:"kompetensi"`
	Kinerja      KinerjaRule     `json:"kinerja"`
	Disiplin     DisiplinRule    `json:"disiplin"`
	// Categories are ordered from the highest; a score belongs to the first whose lower
	// bound it is above; the last has no bound.
	Categories []CategoryRule `json:"categories"`

	// indexes built by Parse
	levelRank   map[string]int // leadership level code → rank
	rankLabel   map[int]string
	predikatIdx map[string]int // normalised name → index in Kinerja.Predikat
	penaltyIdx  map[string]int // normalised name → index in Disiplin.Levels
	// jpConv maps a development kind code to its rule in Kompetensi.JPConversion; nil
	// when the rule set converts nothing.
	jpConv map[string]*JPConversionRule
}

// KualifikasiRule scores the highest formal education.
type KualifikasiRule struct {
	Max    float64            `json:"max"`
	Points map[string]float64 `json:"points"` // SIASN education-level code → points
}

// KompetensiRule scores competency development.
type KompetensiRule struct {
	Max float64 `json:"max"`
	// Indicators gives, per kind of position, the points of each indicator it can earn.
	Indicators map[string]map[Indicator]float64 `json:"indicators"`
	// Kinds maps every development kind code (domain.DevelopmentKinds) to its indicator.
	Kinds map[string]Indicator `json:"kinds"`
	// TechnicalJP is the JP of indicator-c activities in the window that earns c.
	TechnicalJP int              `json:"technical_jp"`
	Windows     IndicatorWindows `json:"windows"`
	Leadership  LeadershipRule   `json:"leadership"`
	// JFExempt lists JF names (whole words, any case) deemed to hold their functional
	// training by appointment.
	JFExempt []string `json:"jf_exempt"`
	// BaseFromPredikat, when set (bkn-2024), is a base by performance predikat code that
	// development activities top up to at most Max.
	BaseFromPredikat map[string]float64 `json:"base_from_predikat"`
	// JPConversion, optional, converts the JP recorded for activities of some kinds into
	// the JP counted (rules document §8: non-classroom development): everywhere JP are
	// counted, indicator c and the yearly JP. Each kind is in at most one rule. The embedded
	// rule sets have none (Peraturan BKN 8/2019 does not define it); omitempty keeps their
	// JSON form, and so their pinned fingerprints, as they were.
	JPConversion []JPConversionRule `json:"jp_conversion,omitempty"`
}

// JPConversionRule converts the JP of activities of the kinds: exactly one of JPPerActivity
// (the activity counts as that many JP whatever it records: magang, detasering, staff
// exchange = 20) and MaxJPPerDay (the activity counts its recorded JP, but at most that many
// per calendar day from its start to its end date, both included, an activity with one
// date being one day: e-learning at most 3 JP a day).
type JPConversionRule struct {
	Kinds         []string `json:"kinds"` // development kind codes (domain.DevelopmentKinds)
	JPPerActivity *int     `json:"jp_per_activity,omitempty"`
	MaxJPPerDay   *int     `json:"max_jp_per_day,omitempty"`
}

// The bounds of a JPConversionRule: an activity claims at most MaxExternalJP, and a day
// holds at most 32 JP of 45 minutes.
const (
	maxConvJPPerActivity = MaxExternalJP
	maxConvJPPerDay      = 24 * 60 / 45
)

// IndicatorWindows are the time windows of the four indicators.
type IndicatorWindows struct {
	A Window `json:"a"`
	B Window `json:"b"`
	C Window `json:"c"`
	D Window `json:"d"`
}

// Window is a range of calendar years relative to the measurement year Y, both ends
// included: From -1, To 0 is Y-1 … Y. A nil From means no lower bound.
type Window struct {
	From *int `json:"from"`
	To   *int `json:"to"`
}

// LeadershipRule is the leadership level map of indicator a.
type LeadershipRule struct {
	Levels []LeadershipRank `json:"levels"`
	// RequiredRank maps each eselon (domain.Eselons) to the rank of the course it requires.
	RequiredRank map[string]int `json:"required_rank"`
	// OrHigher lets a course of a higher level (a lower rank) count.
	OrHigher bool `json:"or_higher"`
}

// LeadershipRank is one level of leadership training: rank 1 is the highest (JPT
// Madya/Utama), 4 the lowest (Pengawas); Codes are domain.LeadershipLevels codes.
type LeadershipRank struct {
	Rank  int      `json:"rank"`
	Label string   `json:"label"`
	Codes []string `json:"codes"`
}

// KinerjaRule scores the performance appraisal (SKP).
type KinerjaRule struct {
	Max float64 `json:"max"`
	// SKPYearOffset picks the appraisal year relative to Y (-1: the previous year).
	SKPYearOffset *int `json:"skp_year_offset"`
	// Bands score a numeric SKP value, highest first; the last has no bound.
	Bands []SKPBand `json:"bands"`
	// Predikat scores the predikat of an SKP from 2022 on.
	Predikat []PredikatRule `json:"predikat"`
}

// SKPBand is one row of the numeric SKP table: values above Above (or any value, for the
// last band) earn Points. Predikat is the equivalent predikat code (for the 2024 base).
type SKPBand struct {
	Above    *float64 `json:"above"`
	Label    string   `json:"label"`
	Predikat string   `json:"predikat"`
	Points   float64  `json:"points"`
}

// PredikatRule is one performance predikat: its code, SIASN id, label and other spellings.
type PredikatRule struct {
	Code    string   `json:"code"`
	SIASN   string   `json:"siasn"`
	Label   string   `json:"label"`
	Aliases []string `json:"aliases"`
	Points  float64  `json:"points"`
}

// DisiplinRule scores disciplinary penalties.
type DisiplinRule struct {
	Max    float64 `json:"max"`
	Window Window  `json:"window"` // by the year the penalty starts
	None   float64 `json:"none"`   // points with no penalty in the window
	// Levels are ordered from the least to the most severe: R, S, B.
	Levels []PenaltyRule `json:"levels"`
}

// PenaltyRule is one level of disciplinary penalty.
type PenaltyRule struct {
	Code    string   `json:"code"` // SIASN: R, S, B
	Label   string   `json:"label"`
	Aliases []string `json:"aliases"`
	Points  float64  `json:"points"`
}

// CategoryRule is one category of the IP: scores above Above (any score, when nil).
type CategoryRule struct {
	Code  Category `json:"code"`
	Label string   `json:"label"`
	Above *float64 `json:"above"`
}

// IDs returns the ids of the embedded rule sets, sorted.
func IDs() []string {
	ents, _ := embedded.ReadDir("rulesets")
	var ids []string
	for _, e := range ents {
		if id, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Load returns a fresh copy of the embedded rule set with the id.
func Load(id string) (*RuleSet, error) {
	if !validID.MatchString(id) {
		return nil, apperr.NotFound(fmt.Sprintf("Aturan penilaian %q tidak ada.", id))
	}
	b, err := embedded.ReadFile("rulesets/" + id + ".json")
	if err != nil {
		return nil, apperr.NotFound(fmt.Sprintf("Aturan penilaian %q tidak ada.", id))
	}
	rs, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("embedded rule set %s: %w", id, err)
	}
	if rs.ID != id {
		return nil, fmt.Errorf("embedded rule set file %s.json has id %q", id, rs.ID)
	}
	return rs, nil
}

// Default returns a fresh copy of the default rule set (perban-8-2019). The embedded files
// are checked by the tests, so a failure here is a build defect and panics.
func Default() *RuleSet {
	rs, err := Load(DefaultRuleSetID)
	if err != nil {
		panic(err)
	}
	return rs
}

// ReadFile reads and validates an administrator-supplied rule set file.
func ReadFile(path string) (*RuleSet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rule set: %w", err)
	}
	return Parse(b)
}

// Catalog resolves rule set ids: the embedded sets plus administrator-supplied ones.
type Catalog struct {
	sets map[string]*RuleSet
	def  string
}

// NewCatalog returns the embedded rule sets plus extra ones, with defaultID as the default
// ("" for perban-8-2019). An extra set may not reuse an id: a changed method is a new id, so
// a stored score's rule set id always names one set of tables.
func NewCatalog(defaultID string, extra ...*RuleSet) (*Catalog, error) {
	c := &Catalog{sets: map[string]*RuleSet{}, def: defaultID}
	if c.def == "" {
		c.def = DefaultRuleSetID
	}
	for _, id := range IDs() {
		rs, err := Load(id)
		if err != nil {
			return nil, err
		}
		c.sets[id] = rs
	}
	for _, rs := range extra {
		if rs == nil {
			continue
		}
		if _, dup := c.sets[rs.ID]; dup {
			return nil, apperr.Conflict(fmt.Sprintf("Aturan penilaian %q sudah ada: beri berkas pengganti id baru (misalnya %q).", rs.ID, rs.ID+"-lokal"))
		}
		c.sets[rs.ID] = rs
	}
	if _, ok := c.sets[c.def]; !ok {
		return nil, apperr.NotFound(fmt.Sprintf("Aturan penilaian bawaan %q tidak ada.", c.def))
	}
	return c, nil
}

// Resolve returns the rule set a deployment scores with (SERTIKA_RULE_SET): "" is the
// default (perban-8-2019), the id of an embedded set names it (bkn-2024), and anything else
// is the path of an administrator-supplied file, read and validated (ReadFile) and given a
// catalog with the embedded sets, so that it cannot reuse one of their ids.
func Resolve(spec string) (*RuleSet, error) {
	if spec == "" {
		return Default(), nil
	}
	if slices.Contains(IDs(), spec) {
		return Load(spec)
	}
	rs, err := ReadFile(spec)
	if err != nil {
		return nil, fmt.Errorf("rule set %s: %w", spec, err)
	}
	c, err := NewCatalog(rs.ID, rs)
	if err != nil {
		return nil, fmt.Errorf("rule set %s: %w", spec, err)
	}
	return c.Get(rs.ID)
}

// Get returns the rule set with the id ("" for the default).
func (c *Catalog) Get(id string) (*RuleSet, error) {
	if id == "" {
		id = c.def
	}
	rs, ok := c.sets[id]
	if !ok {
		return nil, apperr.NotFound(fmt.Sprintf("Aturan penilaian %q tidak ada.", id))
	}
	return rs, nil
}

// Default returns the catalog's default rule set.
func (c *Catalog) Default() *RuleSet { return c.sets[c.def] }

// IDs returns the ids in the catalog, sorted.
func (c *Catalog) IDs() []string {
	ids := make([]string, 0, len(c.sets))
	for id := range c.sets {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

var validID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Parse reads a rule set from JSON and validates all of it. The error is an invalid-input
// *apperr.Error whose message lists every problem and whose Fields map each bad field (a
// JSON path such as "kompetensi.kinds.teknis") to its problem, in Indonesian.
func Parse(b []byte) (*RuleSet, error) {
	var rs RuleSet
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rs); err != nil {
		return nil, decodeError(b, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalid(problems{{"", "ada data lain setelah objek JSON aturan"}})
	}
	v := &validator{}
	v.ruleSet(&rs)
	if len(v.p) > 0 {
		return nil, invalid(v.p)
	}
	rs.index()
	return &rs, nil
}

type problem struct{ field, msg string }
type problems []problem

func invalid(p problems) error {
	fields := map[string]string{}
	var parts []string
	for _, x := range p {
		f := x.field
		if f == "" {
			f = "(berkas)"
		}
		if _, dup := fields[f]; !dup {
			fields[f] = x.msg
		}
		parts = append(parts, f+": "+x.msg)
	}
	return apperr.Invalidf("Aturan penilaian tidak sah: %s.", strings.Join(parts, "; ")).WithFields(fields)
}

var unknownField = regexp.MustCompile(`unknown field "([^"]*)"`)

func decodeError(b []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line := 1 + bytes.Count(b[:min(int(syn.Offset), len(b))], []byte("\n"))
		return invalid(problems{{"", fmt.Sprintf("JSON tidak sah pada baris %d: %v", line, syn)}})
	case errors.As(err, &typ):
		return invalid(problems{{typ.Field, fmt.Sprintf("tipe nilai salah: %s, seharusnya %s", typ.Value, typ.Type)}})
	case unknownField.MatchString(err.Error()):
		return invalid(problems{{unknownField.FindStringSubmatch(err.Error())[1], "kunci tidak dikenal"}})
	case errors.Is(err, io.EOF):
		return invalid(problems{{"", "berkas kosong"}})
	}
	return invalid(problems{{"", err.Error()}})
}

type validator struct{ p problems }

func (v *validator) add(field, format string, a ...any) {
	v.p = append(v.p, problem{field, fmt.Sprintf(format, a...)})
}

func (v *validator) points(field string, x, max float64) {
	switch {
	case math.IsNaN(x) || x < 0 || x > max:
		v.add(field, "poin %s di luar rentang 0–%s", num(x), num(max))
	case Round2(x) != x:
		// Totals are rounded to 2 decimals; finer points would make the rounding of a
		// total depend on whether its parts were rounded first.
		v.add(field, "poin %v paling banyak 2 angka desimal", x)
	}
}

func (v *validator) ruleSet(rs *RuleSet) {
	if !validID.MatchString(rs.ID) {
		v.add("id", "wajib diisi: huruf kecil, angka, '.', '_' atau '-' (paling banyak 64)")
	}
	if strings.TrimSpace(rs.Name) == "" {
		v.add("name", "wajib diisi")
	}
	if strings.TrimSpace(rs.Version) == "" {
		v.add("version", "wajib diisi")
	}
	statuses := map[string]bool{}
	for i, s := range rs.Statuses {
		if s != domain.StatusPNS && s != domain.StatusPPPK {
			v.add(fmt.Sprintf("statuses[%d]", i), "status %q tidak dikenal (PNS atau PPPK)", s)
		} else if statuses[s] {
			v.add(fmt.Sprintf("statuses[%d]", i), "status %q ganda", s)
		}
		statuses[s] = true
	}
	if len(rs.Statuses) == 0 {
		v.add("statuses", "wajib diisi: status pegawai yang diukur")
	}
	for _, s := range sortedKeys(rs.AnnualJPDuty) {
		if s != domain.StatusPNS && s != domain.StatusPPPK {
			v.add("annual_jp_duty."+s, "status tidak dikenal (PNS atau PPPK)")
		} else if rs.AnnualJPDuty[s] < 0 {
			v.add("annual_jp_duty."+s, "JP tidak boleh negatif")
		}
	}
	maxima := []struct {
		f string
		x float64
	}{{"kualifikasi.max", rs.Kualifikasi.Max}, {"kompetensi.max", rs.Kompetensi.Max}, {"kinerja.max", rs.Kinerja.Max}, {"disiplin.max", rs.Disiplin.Max}}
	sum, ok := 0.0, true
	for _, m := range maxima {
		if !(m.x > 0 && m.x <= 100) {
			v.add(m.f, "wajib diisi: nilai maksimum dimensi lebih dari 0 dan paling banyak 100")
			ok = false
		}
		sum += m.x
	}
	if ok && math.Abs(sum-100) > 1e-9 {
		v.add("max", "jumlah nilai maksimum keempat dimensi %s, seharusnya 100", num(sum))
	}
	v.kualifikasi(&rs.Kualifikasi)
	predikat := v.kinerja(&rs.Kinerja)
	v.kompetensi(&rs.Kompetensi, predikat)
	v.disiplin(&rs.Disiplin)
	v.categories(rs.Categories)
}

func (v *validator) kualifikasi(k *KualifikasiRule) {
	known := map[string]bool{}
	for _, l := range domain.EducationLevels {
		known[l.Code] = true
		p, ok := k.Points[l.Code]
		if !ok {
			v.add("kualifikasi.points."+l.Code, "kode pendidikan %s (%s) belum diberi poin", l.Code, l.Label)
			continue
		}
		v.points("kualifikasi.points."+l.Code, p, k.Max)
	}
	for _, c := range sortedKeys(k.Points) {
		if !known[c] {
			v.add("kualifikasi.points."+c, "kode pendidikan SIASN tidak dikenal")
		}
	}
}

func (v *validator) kompetensi(k *KompetensiRule, predikat map[string]bool) {
	known := map[string]bool{}
	for _, pk := range domain.PositionKinds {
		known[pk] = true
		inds, ok := k.Indicators[pk]
		f := "kompetensi.indicators." + pk
		if !ok {
			v.add(f, "jenis jabatan %s belum diberi poin indikator", pk)
			continue
		}
		sum := 0.0
		for _, ind := range sortedKeys(inds) {
			if !validIndicator(ind) {
				v.add(f+"."+string(ind), "indikator tidak dikenal (a, b, c atau d)")
				continue
			}
			v.points(f+"."+string(ind), inds[ind], k.Max)
			sum += inds[ind]
		}
		if k.BaseFromPredikat == nil && sum > k.Max+1e-9 {
			v.add(f, "jumlah poin indikator %s melebihi maksimum %s", num(sum), num(k.Max))
		}
	}
	for _, pk := range sortedKeys(k.Indicators) {
		if !known[pk] {
			v.add("kompetensi.indicators."+pk, "jenis jabatan tidak dikenal (struktural, fungsional atau pelaksana)")
		}
	}
	kinds := map[string]bool{}
	for _, dk := range domain.DevelopmentKinds {
		kinds[dk.Code] = true
		ind, ok := k.Kinds[dk.Code]
		if !ok {
			v.add("kompetensi.kinds."+dk.Code, "jenis pengembangan %s belum dipetakan ke indikator", dk.Code)
		} else if !validIndicator(ind) {
			v.add("kompetensi.kinds."+dk.Code, "indikator %q tidak dikenal (a, b, c atau d)", ind)
		}
	}
	for _, c := range sortedKeys(k.Kinds) {
		if !kinds[c] {
			v.add("kompetensi.kinds."+c, "jenis pengembangan tidak dikenal")
		}
	}
	if k.TechnicalJP <= 0 {
		v.add("kompetensi.technical_jp", "wajib diisi: JP minimal pelatihan teknis lebih dari 0")
	}
	v.window("kompetensi.windows.a", k.Windows.A, false)
	v.window("kompetensi.windows.b", k.Windows.B, false)
	v.window("kompetensi.windows.c", k.Windows.C, true)
	v.window("kompetensi.windows.d", k.Windows.D, true)
	v.leadership(&k.Leadership)
	seen := map[string]bool{}
	for i, e := range k.JFExempt {
		w := strings.Join(words(e), " ")
		f := fmt.Sprintf("kompetensi.jf_exempt[%d]", i)
		if w == "" {
			v.add(f, "nama JF kosong")
		} else if seen[w] {
			v.add(f, "nama JF %q ganda", e)
		}
		seen[w] = true
	}
	v.jpConversion(k.JPConversion)
	if k.BaseFromPredikat != nil {
		for _, c := range sortedKeys(predikat) {
			if p, ok := k.BaseFromPredikat[c]; !ok {
				v.add("kompetensi.base_from_predikat."+c, "predikat %s belum diberi nilai dasar", c)
			} else {
				v.points("kompetensi.base_from_predikat."+c, p, k.Max)
			}
		}
		for _, c := range sortedKeys(k.BaseFromPredikat) {
			if !predikat[c] {
				v.add("kompetensi.base_from_predikat."+c, "predikat tidak dikenal dalam kinerja.predikat")
			}
		}
	}
}

// jpConversion validates kompetensi.jp_conversion: known kinds, each in one rule at most,
// and exactly one positive, bounded conversion per rule.
func (v *validator) jpConversion(rules []JPConversionRule) {
	ruleOf := map[string]int{}
	for i, r := range rules {
		f := fmt.Sprintf("kompetensi.jp_conversion[%d]", i)
		if len(r.Kinds) == 0 {
			v.add(f+".kinds", "wajib diisi: kode jenis pengembangan yang dikonversi")
		}
		for j, code := range r.Kinds {
			fj := fmt.Sprintf("%s.kinds[%d]", f, j)
			if _, ok := domain.KindByCode(code); !ok {
				v.add(fj, "jenis pengembangan %q tidak dikenal", code)
			} else if other, dup := ruleOf[code]; dup && other == i {
				v.add(fj, "jenis pengembangan %q ganda", code)
			} else if dup {
				v.add(fj, "jenis pengembangan %q sudah dikonversi oleh kompetensi.jp_conversion[%d]", code, other)
			} else {
				ruleOf[code] = i
			}
		}
		switch {
		case r.JPPerActivity == nil && r.MaxJPPerDay == nil:
			v.add(f, "isi tepat satu dari jp_per_activity (JP per kegiatan) atau max_jp_per_day (JP paling banyak per hari)")
		case r.JPPerActivity != nil && r.MaxJPPerDay != nil:
			v.add(f, "isi tepat satu dari jp_per_activity atau max_jp_per_day, bukan keduanya")
		case r.JPPerActivity != nil && (*r.JPPerActivity < 1 || *r.JPPerActivity > maxConvJPPerActivity):
			v.add(f+".jp_per_activity", "harus bilangan bulat 1 sampai %d", maxConvJPPerActivity)
		case r.MaxJPPerDay != nil && (*r.MaxJPPerDay < 1 || *r.MaxJPPerDay > maxConvJPPerDay):
			v.add(f+".max_jp_per_day", "harus bilangan bulat 1 sampai %d (1 JP = 45 menit)", maxConvJPPerDay)
		}
	}
}

func validIndicator(i Indicator) bool {
	return i == IndicatorA || i == IndicatorB || i == IndicatorC || i == IndicatorD
}

func (v *validator) window(f string, w Window, needFrom bool) {
	if w.To == nil {
		v.add(f+".to", "wajib diisi: tahun akhir relatif terhadap tahun pengukuran (0 = tahun itu)")
	} else if *w.To > 0 || *w.To < -20 {
		v.add(f+".to", "harus antara -20 dan 0")
	}
	if w.From == nil {
		if needFrom {
			v.add(f+".from", "wajib diisi: tahun awal relatif terhadap tahun pengukuran")
		}
		return
	}
	if *w.From < -20 || *w.From > 0 {
		v.add(f+".from", "harus antara -20 dan 0")
	} else if w.To != nil && *w.From > *w.To {
		v.add(f+".from", "tahun awal %d sesudah tahun akhir %d", *w.From, *w.To)
	}
}

func (v *validator) leadership(l *LeadershipRule) {
	codeRank := map[string]int{}
	ranks := map[int]bool{}
	for i, lv := range l.Levels {
		f := fmt.Sprintf("kompetensi.leadership.levels[%d]", i)
		if lv.Rank < 1 {
			v.add(f+".rank", "wajib diisi: 1 (tertinggi) atau lebih")
		} else if ranks[lv.Rank] {
			v.add(f+".rank", "tingkat %d ganda", lv.Rank)
		}
		ranks[lv.Rank] = true
		if strings.TrimSpace(lv.Label) == "" {
			v.add(f+".label", "wajib diisi")
		}
		if len(lv.Codes) == 0 {
			v.add(f+".codes", "wajib diisi")
		}
		for j, c := range lv.Codes {
			if _, ok := domain.LeadershipLevelByCode(c); !ok {
				v.add(fmt.Sprintf("%s.codes[%d]", f, j), "tingkat pelatihan kepemimpinan %q tidak dikenal", c)
			} else if _, dup := codeRank[c]; dup {
				v.add(fmt.Sprintf("%s.codes[%d]", f, j), "tingkat pelatihan kepemimpinan %q ganda", c)
			}
			codeRank[c] = lv.Rank
		}
	}
	for _, lv := range domain.LeadershipLevels {
		if _, ok := codeRank[lv.Code]; !ok {
			v.add("kompetensi.leadership.levels", "tingkat pelatihan kepemimpinan %s belum dipetakan", lv.Code)
		}
	}
	known := map[string]bool{}
	for _, e := range domain.Eselons {
		known[e] = true
		r, ok := l.RequiredRank[e]
		if !ok {
			v.add("kompetensi.leadership.required_rank."+e, "eselon %s belum diberi tingkat pelatihan wajib", e)
		} else if !ranks[r] {
			v.add("kompetensi.leadership.required_rank."+e, "tingkat %d tidak ada dalam levels", r)
		}
	}
	for _, e := range sortedKeys(l.RequiredRank) {
		if !known[e] {
			v.add("kompetensi.leadership.required_rank."+e, "eselon tidak dikenal")
		}
	}
}

// kinerja validates the kinerja rule and returns the set of predikat codes.
func (v *validator) kinerja(k *KinerjaRule) map[string]bool {
	if k.SKPYearOffset == nil {
		v.add("kinerja.skp_year_offset", "wajib diisi: tahun SKP relatif terhadap tahun pengukuran (-1 = tahun sebelumnya)")
	} else if *k.SKPYearOffset < -5 || *k.SKPYearOffset > 0 {
		v.add("kinerja.skp_year_offset", "harus antara -5 dan 0")
	}
	codes := map[string]bool{}
	keys := map[string]string{}
	if len(k.Predikat) == 0 {
		v.add("kinerja.predikat", "wajib diisi")
	}
	for i, p := range k.Predikat {
		f := fmt.Sprintf("kinerja.predikat[%d]", i)
		if p.Code == "" || p.Code != strings.ToLower(strings.TrimSpace(p.Code)) {
			v.add(f+".code", "wajib diisi, huruf kecil")
		} else if codes[p.Code] {
			v.add(f+".code", "kode %q ganda", p.Code)
		}
		codes[p.Code] = true
		if strings.TrimSpace(p.Label) == "" {
			v.add(f+".label", "wajib diisi")
		}
		v.points(f+".points", p.Points, k.Max)
		for _, name := range append([]string{p.Code, p.SIASN, p.Label}, p.Aliases...) {
			key := normKey(name)
			if key == "" {
				continue
			}
			if other, dup := keys[key]; dup && other != p.Code {
				v.add(f, "sebutan %q sudah dipakai predikat %s", name, other)
			}
			keys[key] = p.Code
		}
	}
	if len(k.Bands) == 0 {
		v.add("kinerja.bands", "wajib diisi")
	}
	for i, b := range k.Bands {
		f := fmt.Sprintf("kinerja.bands[%d]", i)
		last := i == len(k.Bands)-1
		switch {
		case last && b.Above != nil:
			v.add(f+".above", "baris terakhir harus tanpa batas (null) agar semua nilai tercakup")
		case !last && b.Above == nil:
			v.add(f+".above", "wajib diisi: hanya baris terakhir tanpa batas")
		case b.Above != nil && (math.IsNaN(*b.Above) || *b.Above < 0):
			v.add(f+".above", "batas tidak boleh negatif")
		case b.Above != nil && i > 0 && k.Bands[i-1].Above != nil && *b.Above >= *k.Bands[i-1].Above:
			v.add(f+".above", "batas %s harus lebih kecil dari batas baris sebelumnya %s", num(*b.Above), num(*k.Bands[i-1].Above))
		}
		if strings.TrimSpace(b.Label) == "" {
			v.add(f+".label", "wajib diisi")
		}
		if !codes[b.Predikat] {
			v.add(f+".predikat", "predikat %q tidak ada dalam kinerja.predikat", b.Predikat)
		}
		v.points(f+".points", b.Points, k.Max)
		if i > 0 && b.Points > k.Bands[i-1].Points {
			v.add(f+".points", "poin nilai SKP yang lebih rendah tidak boleh lebih tinggi")
		}
	}
	return codes
}

func (v *validator) disiplin(d *DisiplinRule) {
	v.window("disiplin.window", d.Window, true)
	v.points("disiplin.none", d.None, d.Max)
	keys := map[string]string{}
	codes := map[string]bool{}
	for i, l := range d.Levels {
		f := fmt.Sprintf("disiplin.levels[%d]", i)
		if l.Code == "" {
			v.add(f+".code", "wajib diisi")
		} else if codes[l.Code] {
			v.add(f+".code", "kode %q ganda", l.Code)
		}
		codes[l.Code] = true
		if strings.TrimSpace(l.Label) == "" {
			v.add(f+".label", "wajib diisi")
		}
		v.points(f+".points", l.Points, d.None)
		if i > 0 && l.Points > d.Levels[i-1].Points {
			v.add(f+".points", "hukuman yang lebih berat tidak boleh diberi poin lebih tinggi")
		}
		for _, name := range append([]string{l.Code, l.Label}, l.Aliases...) {
			key := normKey(name)
			if other, dup := keys[key]; dup && other != l.Code && key != "" {
				v.add(f, "sebutan %q sudah dipakai tingkat %s", name, other)
			}
			keys[key] = l.Code
		}
	}
	for _, c := range []string{"R", "S", "B"} {
		if !codes[c] {
			v.add("disiplin.levels", "tingkat hukuman disiplin %s (kode SIASN) belum diberi poin", c)
		}
	}
}

func (v *validator) categories(cs []CategoryRule) {
	seen := map[Category]bool{}
	for i, c := range cs {
		f := fmt.Sprintf("categories[%d]", i)
		if !c.Code.Valid() {
			v.add(f+".code", "kategori %q tidak dikenal (sangat_tinggi, tinggi, sedang, rendah, sangat_rendah)", c.Code)
		} else if seen[c.Code] {
			v.add(f+".code", "kategori %q ganda", c.Code)
		}
		seen[c.Code] = true
		if strings.TrimSpace(c.Label) == "" {
			v.add(f+".label", "wajib diisi")
		}
		last := i == len(cs)-1
		switch {
		case last && c.Above != nil:
			v.add(f+".above", "kategori terakhir harus tanpa batas (null) agar semua nilai tercakup")
		case !last && c.Above == nil:
			v.add(f+".above", "wajib diisi: hanya kategori terakhir tanpa batas")
		case c.Above != nil && (math.IsNaN(*c.Above) || *c.Above < 0 || *c.Above >= 100):
			v.add(f+".above", "batas harus dari 0 sampai kurang dari 100")
		case c.Above != nil && i > 0 && cs[i-1].Above != nil && *c.Above >= *cs[i-1].Above:
			v.add(f+".above", "batas %s harus lebih kecil dari batas kategori sebelumnya %s", num(*c.Above), num(*cs[i-1].Above))
		}
	}
	for _, c := range Categories {
		if !seen[c] {
			v.add("categories", "kategori %s belum ada", c)
		}
	}
}

// index builds the lookup tables of a validated rule set.
func (rs *RuleSet) index() {
	rs.levelRank = map[string]int{}
	rs.rankLabel = map[int]string{}
	for _, l := range rs.Kompetensi.Leadership.Levels {
		rs.rankLabel[l.Rank] = l.Label
		for _, c := range l.Codes {
			rs.levelRank[c] = l.Rank
		}
	}
	rs.predikatIdx = map[string]int{}
	for i, p := range rs.Kinerja.Predikat {
		for _, name := range append([]string{p.Code, p.SIASN, p.Label}, p.Aliases...) {
			if k := normKey(name); k != "" {
				rs.predikatIdx[k] = i
			}
		}
	}
	rs.penaltyIdx = map[string]int{}
	for i, l := range rs.Disiplin.Levels {
		for _, name := range append([]string{l.Code, l.Label}, l.Aliases...) {
			if k := normKey(name); k != "" {
				rs.penaltyIdx[k] = i
			}
		}
	}
	rs.jpConv = nil
	if len(rs.Kompetensi.JPConversion) == 0 {
		rs.Kompetensi.JPConversion = nil // "jp_conversion": [] is no conversion, as omitted
	}
	for i := range rs.Kompetensi.JPConversion {
		r := &rs.Kompetensi.JPConversion[i]
		for _, code := range r.Kinds {
			if rs.jpConv == nil {
				rs.jpConv = map[string]*JPConversionRule{}
			}
			rs.jpConv[code] = r
		}
	}
}

// Measures reports whether employees of the status are measured under the rule set.
func (rs *RuleSet) Measures(status string) bool {
	for _, s := range rs.Statuses {
		if s == status {
			return true
		}
	}
	return false
}

// Categorize returns the category of a (rounded) total: the first whose lower bound the
// total is above.
func (rs *RuleSet) Categorize(total float64) (Category, string) {
	for _, c := range rs.Categories {
		if c.Above == nil || total > *c.Above {
			return c.Code, c.Label
		}
	}
	return "", ""
}

// normKey folds a name for lookup: lower case, runs of anything but letters and digits
// become one space.
func normKey(s string) string { return strings.Join(words(s), " ") }

// words splits s into lower-case words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
	return ks
}
