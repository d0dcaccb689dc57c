package scoring

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/sertika/sertika/internal/domain"
)

// Score is one employee's IP ASN for one measurement year under one rule set, with the
// facts behind it. Its JSON form is the API's.
type Score struct {
	NIP            string `json:"nip"`
	Year           int    `json:"year"`
	RuleSet        string `json:"rule_set"`
	RuleSetVersion string `json:"rule_set_version"`
	Provisional    bool   `json:"provisional"`
	// Status is the employment status used (PNS or PPPK).
	Status string `json:"status"`
	// Measured is false when the rule set does not measure employees of this status
	// (PPPK under perban-8-2019); such a score is left out of aggregates.
	Measured    bool    `json:"measured"`
	Kualifikasi float64 `json:"kualifikasi"`
	Kompetensi  float64 `json:"kompetensi"`
	Kinerja     float64 `json:"kinerja"`
	Disiplin    float64 `json:"disiplin"`
	// Total is the sum of the four dimensions, rounded half away from zero to 2 decimals.
	Total         float64  `json:"total"`
	Category      Category `json:"category"`
	CategoryLabel string   `json:"category_label"`
	// Explanation has one or more lines per dimension, in the order of the formula; the
	// points of a dimension's lines add up to the dimension's points.
	Explanation []Line `json:"explanation"`
	// Hints say what would raise the score.
	Hints []Hint `json:"hints"`
	// JPThisYear is the JP of all development that ended in the measurement year, whatever
	// its kind: the yearly duty (JPDuty, 20 for a PNS) is tracked apart from the index.
	JPThisYear int `json:"jp_this_year"`
	JPDuty     int `json:"jp_duty"`
	// Incomplete lists missing or unusable data ("SKP tidak ada (tahun 2025)").
	Incomplete []string `json:"incomplete"`
}

// Line is one line of a score's explanation.
type Line struct {
	Dimension Dimension `json:"dimension"`
	// Indicator is set on kompetensi lines (a, b, c, d, base, cap).
	Indicator Indicator `json:"indicator,omitempty"`
	Points    float64   `json:"points"`
	Text      string    `json:"text"` // Indonesian
	// Facts are the ids of the facts used: activity sources, "skp:2025", "pendidikan:40"…
	Facts []string `json:"facts"`
}

// Hint is something that would raise a score, and by how much.
type Hint struct {
	Dimension Dimension `json:"dimension"`
	Indicator Indicator `json:"indicator,omitempty"`
	Gain      float64   `json:"gain"`
	Text      string    `json:"text"` // Indonesian
}

// Sources returns the ids of every fact the score used, in the order of the explanation.
func (s Score) Sources() []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range s.Explanation {
		for _, f := range l.Facts {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// Compute applies a validated rule set (nil: the default) to one employee's facts. It is
// pure and deterministic: the same rule set and facts, in any order, give the same Score.
func Compute(rs *RuleSet, f Facts) Score {
	if rs == nil {
		rs = Default()
	}
	c := &calc{
		rs: rs, f: f, y: f.Year,
		acts:  sortedActivities(f.Development),
		lines: map[Dimension][]Line{},
		hints: map[Dimension][]Hint{},
	}
	s := Score{
		NIP: f.NIP, Year: f.Year, RuleSet: rs.ID, RuleSetVersion: rs.Version,
		Provisional: rs.Provisional,
	}
	s.Status = normStatus(f.Status)
	if s.Status == "" {
		c.missing("status kepegawaian kosong (dianggap PNS)")
		s.Status = domain.StatusPNS
	}
	s.Measured = rs.Measures(s.Status)
	c.checkActivities()

	s.Kualifikasi = Round2(c.kualifikasi())
	kinerja, predikat := c.kinerja()
	s.Kinerja = Round2(kinerja)
	s.Kompetensi = Round2(c.kompetensi(predikat))
	s.Disiplin = Round2(c.disiplin())
	s.Total = Round2(s.Kualifikasi + s.Kompetensi + s.Kinerja + s.Disiplin)
	s.Category, s.CategoryLabel = rs.Categorize(s.Total)

	for _, a := range c.acts {
		if a.date().Year() == c.y {
			s.JPThisYear += a.jp()
		}
	}
	s.JPDuty = rs.AnnualJPDuty[s.Status]

	s.Explanation, s.Hints = []Line{}, []Hint{}
	for _, d := range Dimensions {
		s.Explanation = append(s.Explanation, c.lines[d]...)
		s.Hints = append(s.Hints, c.hints[d]...)
	}
	s.Incomplete = append([]string{}, c.incomplete...)
	return s
}

// calc holds the state of one computation.
type calc struct {
	rs         *RuleSet
	f          Facts
	y          int
	acts       []Activity
	lines      map[Dimension][]Line
	hints      map[Dimension][]Hint
	incomplete []string
}

func (c *calc) missing(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	for _, m := range c.incomplete {
		if m == msg {
			return
		}
	}
	c.incomplete = append(c.incomplete, msg)
}

func (c *calc) line(d Dimension, ind Indicator, pts float64, text string, facts ...string) {
	if facts == nil {
		facts = []string{}
	}
	c.lines[d] = append(c.lines[d], Line{Dimension: d, Indicator: ind, Points: Round2(pts),
		Text: text + ": " + num(pts) + " poin", Facts: facts})
}

func (c *calc) hint(d Dimension, ind Indicator, gain float64, text string) {
	if gain <= 0 {
		return
	}
	c.hints[d] = append(c.hints[d], Hint{Dimension: d, Indicator: ind, Gain: Round2(gain), Text: text})
}

// checkActivities flags activities the rules cannot place.
func (c *calc) checkActivities() {
	for _, a := range c.acts {
		if _, ok := c.rs.Kompetensi.Kinds[a.Kind]; !ok {
			c.missing("jenis pengembangan tidak dikenal: %q (%s)", a.Kind, a.ref())
		}
		if a.date().IsZero() {
			c.missing("tanggal kegiatan kosong: %s", a.ref())
		}
	}
}

// in reports whether a date falls in the window for the measurement year.
func (c *calc) in(w Window, d domain.Date) bool { return inWindow(w, c.y, d) }

// inWindow reports whether a date falls in the window for measurement year y.
func inWindow(w Window, y int, d domain.Date) bool {
	if d.IsZero() || d.Year() > y+*w.To {
		return false
	}
	return w.From == nil || d.Year() >= y+*w.From
}

// years describes a window in words: "2026", "2025–2026", "sampai 2026".
func (c *calc) years(w Window) string {
	to := c.y + *w.To
	switch {
	case w.From == nil:
		return fmt.Sprintf("sampai %d", to)
	case *w.From == *w.To:
		return strconv.Itoa(to)
	}
	return fmt.Sprintf("%d–%d", c.y+*w.From, to)
}

// --- kualifikasi ---------------------------------------------------------------------

func (c *calc) kualifikasi() float64 {
	r := c.rs.Kualifikasi
	raw := strings.TrimSpace(c.f.EducationLevel)
	if raw == "" {
		c.missing("pendidikan kosong")
		c.line(Kualifikasi, "", 0, "Pendidikan tertinggi tidak tercatat")
		c.hint(Kualifikasi, "", r.Max, fmt.Sprintf("Lengkapi data pendidikan tertinggi → hingga +%s poin", num(r.Max)))
		return 0
	}
	code, ok := normEducation(raw)
	if !ok {
		c.missing("kode pendidikan tidak dikenal: %q", raw)
		c.line(Kualifikasi, "", 0, fmt.Sprintf("Kode pendidikan %q tidak dikenal", raw))
		c.hint(Kualifikasi, "", r.Max, fmt.Sprintf("Perbaiki data pendidikan tertinggi → hingga +%s poin", num(r.Max)))
		return 0
	}
	p := r.Points[code]
	c.line(Kualifikasi, "", p, fmt.Sprintf("Pendidikan tertinggi %s (kode SIASN %s)", domain.EducationLabel(code), code), "pendidikan:"+code)
	// The next step up: the smallest number of points above p, and the levels that give it.
	next := math.Inf(1)
	for _, q := range r.Points {
		if q > p && q < next {
			next = q
		}
	}
	if !math.IsInf(next, 1) {
		var labels []string
		for _, l := range domain.EducationLevels {
			if r.Points[l.Code] == next {
				labels = append(labels, l.Label)
			}
		}
		c.hint(Kualifikasi, "", next-p, fmt.Sprintf("Menyelesaikan pendidikan %s → +%s poin", strings.Join(labels, "/"), num(next-p)))
	}
	return p
}

// --- kinerja -------------------------------------------------------------------------

// kinerja scores the appraisal of year Y+offset and returns the predikat code it stands for
// ("" when there is none), which the 2024 kompetensi base uses.
func (c *calc) kinerja() (float64, string) {
	r := c.rs.Kinerja
	year := c.y + *r.SKPYearOffset
	type cand struct {
		pts  float64
		pred string
		text string
	}
	var cands []cand
	for _, s := range c.f.SKP {
		if s.Year != year {
			continue
		}
		if v := s.Value; v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0) && *v >= 0 {
			b := r.band(*v)
			cands = append(cands, cand{b.Points, b.Predikat,
				fmt.Sprintf("SKP %d: nilai %s (%s)", year, strings.Replace(strconv.FormatFloat(*v, 'f', -1, 64), ".", ",", 1), b.Label)})
			continue
		}
		if strings.TrimSpace(s.Predikat) == "" {
			c.missing("SKP %d tanpa nilai maupun predikat", year)
			continue
		}
		i, ok := c.rs.predikatIdx[normKey(s.Predikat)]
		if !ok {
			c.missing("predikat SKP %d tidak dikenal: %q", year, s.Predikat)
			continue
		}
		p := r.Predikat[i]
		cands = append(cands, cand{p.Points, p.Code, fmt.Sprintf("SKP %d: predikat %s", year, p.Label)})
	}
	if len(cands) == 0 {
		c.missing("SKP tidak ada (tahun %d)", year)
		c.line(Kinerja, "", 0, fmt.Sprintf("SKP tahun %d tidak tercatat", year))
		c.hint(Kinerja, "", r.Max, fmt.Sprintf("Lengkapi data SKP tahun %d → hingga +%s poin", year, num(r.Max)))
		return 0, ""
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].pts != cands[j].pts {
			return cands[i].pts > cands[j].pts
		}
		return cands[i].text < cands[j].text
	})
	best := cands[0]
	text := best.text
	if len(cands) > 1 {
		text += fmt.Sprintf(" (terbaik dari %d penilaian tahun %d)", len(cands), year)
	}
	c.line(Kinerja, "", best.pts, text, fmt.Sprintf("skp:%d", year))
	return best.pts, best.pred
}

// band returns the row of the numeric SKP table for value v.
func (r KinerjaRule) band(v float64) SKPBand {
	for _, b := range r.Bands {
		if b.Above == nil || v > *b.Above {
			return b
		}
	}
	return r.Bands[len(r.Bands)-1]
}

func (r KinerjaRule) predikatLabel(code string) string {
	for _, p := range r.Predikat {
		if p.Code == code {
			return p.Label
		}
	}
	return code
}

// --- kompetensi ----------------------------------------------------------------------

// pending is a hint whose gain is known only after the cap.
type pending struct {
	ind  Indicator
	pts  float64
	text string
}

func (c *calc) kompetensi(predikat string) float64 {
	k := c.rs.Kompetensi
	sum := 0.0
	if k.BaseFromPredikat != nil {
		year := c.y + *c.rs.Kinerja.SKPYearOffset
		if predikat == "" {
			c.line(Kompetensi, IndicatorBase, 0, fmt.Sprintf("Nilai dasar dari predikat kinerja: SKP tahun %d tidak tercatat", year))
		} else {
			b := k.BaseFromPredikat[predikat]
			c.line(Kompetensi, IndicatorBase, b, fmt.Sprintf("Nilai dasar dari predikat kinerja %s (SKP %d)",
				c.rs.Kinerja.predikatLabel(predikat), year), fmt.Sprintf("skp:%d", year))
			sum += b
		}
	}
	kind, ok := normPosition(c.f.PositionKind)
	var todo []pending
	if !ok {
		if strings.TrimSpace(c.f.PositionKind) == "" {
			c.missing("jenis jabatan kosong")
		} else {
			c.missing("jenis jabatan tidak dikenal: %q", c.f.PositionKind)
		}
		c.line(Kompetensi, "", 0, "Jenis jabatan tidak tercatat: indikator pengembangan kompetensi tidak dapat dinilai")
	} else {
		inds := k.Indicators[kind]
		for _, ind := range Indicators {
			p, ok := inds[ind]
			if !ok {
				continue
			}
			var earned float64
			var h *pending
			switch ind {
			case IndicatorA:
				earned, h = c.indicatorA(p)
			case IndicatorB:
				earned, h = c.indicatorB(p)
			case IndicatorC:
				earned, h = c.indicatorC(p)
			case IndicatorD:
				earned, h = c.indicatorD(p)
			}
			sum += earned
			if h != nil {
				todo = append(todo, *h)
			}
		}
	}
	total := math.Min(sum, k.Max)
	if sum > k.Max {
		c.line(Kompetensi, IndicatorCap, total-sum, fmt.Sprintf("Dibatasi nilai maksimum kompetensi %s poin", num(k.Max)))
	}
	for _, h := range todo {
		gain := math.Min(h.pts, k.Max-total)
		c.hint(Kompetensi, h.ind, gain, fmt.Sprintf("%s → +%s poin", h.text, num(gain)))
	}
	return total
}

// of returns the activities of the indicator that fall in the window.
func (c *calc) of(ind Indicator, w Window) []Activity {
	var out []Activity
	for _, a := range c.acts {
		if c.rs.Kompetensi.Kinds[a.Kind] == ind && c.in(w, a.date()) {
			out = append(out, a)
		}
	}
	return out
}

// pada is " pada <years>" for a bounded window, "" for a window with no lower bound.
func (c *calc) pada(w Window) string {
	if w.From == nil {
		return ""
	}
	return " pada " + c.years(w)
}

func (c *calc) indicatorA(p float64) (float64, *pending) {
	l := c.rs.Kompetensi.Leadership
	w := c.rs.Kompetensi.Windows.A
	es, _ := domain.NormalizeEselon(c.f.Eselon)
	req, ok := l.RequiredRank[es]
	if !ok {
		if es == "" {
			c.missing("eselon kosong")
		} else {
			c.missing("eselon tidak dikenal: %q", c.f.Eselon)
		}
		c.line(Kompetensi, IndicatorA, 0, "Pelatihan kepemimpinan: eselon tidak tercatat, tingkat yang disyaratkan tidak diketahui")
		return 0, &pending{IndicatorA, p, "Lengkapi data eselon jabatan"}
	}
	want := c.rs.rankLabel[req]
	var exact, higher, other []Activity
	for _, a := range c.of(IndicatorA, w) {
		rank, ok := c.rs.levelRank[normLevel(a.Level)]
		switch {
		case !ok:
			c.missing("tingkat pelatihan kepemimpinan tidak diketahui: %s", a.ref())
		case rank == req:
			exact = append(exact, a)
		case rank < req && l.OrHigher:
			higher = append(higher, a)
		default:
			other = append(other, a)
		}
	}
	if got := append(exact, higher...); len(got) > 0 {
		a := got[0]
		rel := "sesuai tingkat yang disyaratkan"
		if len(exact) == 0 {
			rel = "lebih tinggi dari tingkat yang disyaratkan"
		}
		c.line(Kompetensi, IndicatorA, p, fmt.Sprintf("Pelatihan kepemimpinan %s dari %s%s, %s eselon %s (%s)",
			levelLabel(a.Level), refs(got), c.pada(w), rel, es, want), ids(got)...)
		return p, nil
	}
	text := fmt.Sprintf("Belum ada pelatihan kepemimpinan tingkat %s yang disyaratkan eselon %s%s", want, es, c.pada(w))
	if len(other) > 0 {
		rel := "tidak sesuai"
		if c.rs.levelRank[normLevel(other[0].Level)] > req {
			rel = "lebih rendah dari"
		}
		text = fmt.Sprintf("Pelatihan kepemimpinan %s dari %s %s tingkat %s yang disyaratkan eselon %s",
			levelLabel(other[0].Level), refs(other), rel, want, es)
	}
	c.line(Kompetensi, IndicatorA, 0, text)
	hint := "Pelatihan kepemimpinan tingkat " + want
	if l.OrHigher {
		hint += " atau lebih tinggi"
	}
	return 0, &pending{IndicatorA, p, hint + c.padaHint(w)}
}

// padaHint is " pada <Y>" when the window is bounded: only the measurement year can still
// be acted on.
func (c *calc) padaHint(w Window) string {
	if w.From == nil {
		return ""
	}
	return fmt.Sprintf(" pada %d", c.y+*w.To)
}

func levelLabel(code string) string {
	if l, ok := domain.LeadershipLevelByCode(normLevel(code)); ok {
		return l.Label
	}
	return code
}

func (c *calc) indicatorB(p float64) (float64, *pending) {
	w := c.rs.Kompetensi.Windows.B
	if got := c.of(IndicatorB, w); len(got) > 0 {
		c.line(Kompetensi, IndicatorB, p, "Pelatihan fungsional dari "+refs(got)+c.pada(w), ids(got)...)
		return p, nil
	}
	if entry, ok := jfExempt(c.rs.Kompetensi.JFExempt, c.f.JFName); ok {
		c.line(Kompetensi, IndicatorB, p, fmt.Sprintf("JF %s termasuk jabatan yang dikecualikan (%q): pelatihan fungsional dianggap terpenuhi",
			strings.TrimSpace(c.f.JFName), entry), "jf:"+strings.TrimSpace(c.f.JFName))
		return p, nil
	}
	if strings.TrimSpace(c.f.JFName) == "" {
		c.missing("nama JF kosong")
	}
	c.line(Kompetensi, IndicatorB, 0, "Belum ada pelatihan fungsional"+c.pada(w))
	return 0, &pending{IndicatorB, p, "Pelatihan fungsional untuk JF yang diduduki" + c.padaHint(w)}
}

// jfExempt reports whether the JF name contains an entry of the exemption list as whole
// consecutive words, ignoring case, and which entry.
func jfExempt(list []string, jf string) (string, bool) {
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

func (c *calc) indicatorC(p float64) (float64, *pending) {
	k := c.rs.Kompetensi
	w := k.Windows.C
	got := c.of(IndicatorC, w)
	jp := 0
	for _, a := range got {
		jp += a.jp()
	}
	switch {
	case jp >= k.TechnicalJP:
		c.line(Kompetensi, IndicatorC, p, fmt.Sprintf("Pelatihan teknis: %d JP pada %s dari %s", jp, c.years(w), refs(got)), ids(got)...)
		return p, nil
	case len(got) > 0:
		c.line(Kompetensi, IndicatorC, 0, fmt.Sprintf("Pelatihan teknis: %d JP pada %s dari %s (kurang dari %d JP)",
			jp, c.years(w), refs(got), k.TechnicalJP), ids(got)...)
	default:
		c.line(Kompetensi, IndicatorC, 0, "Belum ada pelatihan teknis pada "+c.years(w))
	}
	more := "lagi "
	if jp == 0 {
		more = ""
	}
	return 0, &pending{IndicatorC, p, fmt.Sprintf("%d JP %spelatihan teknis pada %d", k.TechnicalJP-jp, more, c.y+*w.To)}
}

func (c *calc) indicatorD(p float64) (float64, *pending) {
	w := c.rs.Kompetensi.Windows.D
	if got := c.of(IndicatorD, w); len(got) > 0 {
		c.line(Kompetensi, IndicatorD, p, fmt.Sprintf("Seminar, workshop, kursus, magang atau kegiatan sejenis pada %s dari %s",
			c.years(w), refs(got)), ids(got)...)
		return p, nil
	}
	c.line(Kompetensi, IndicatorD, 0, "Belum ada seminar, workshop, kursus, magang atau kegiatan sejenis pada "+c.years(w))
	return 0, &pending{IndicatorD, p, fmt.Sprintf("Satu seminar, workshop, kursus, magang atau kegiatan sejenis pada %d", c.y+*w.To)}
}

// refs names activities for an explanation: "sertifikat A, B dan C serta kegiatan “T”".
func refs(acts []Activity) string {
	var certs, others []string
	for _, a := range acts {
		if a.Number != "" {
			certs = append(certs, a.Number)
		} else {
			others = append(others, a.ref())
		}
	}
	var parts []string
	if len(certs) > 0 {
		parts = append(parts, "sertifikat "+list(certs))
	}
	if len(others) > 0 {
		parts = append(parts, "kegiatan "+list(others))
	}
	return strings.Join(parts, " serta ")
}

// list joins names the Indonesian way, naming at most four: "A, B dan C", "A, B, C dan 5 lainnya".
func list(xs []string) string {
	if len(xs) > 4 {
		xs = append(xs[:3:3], fmt.Sprintf("%d lainnya", len(xs)-3))
	}
	if len(xs) == 1 {
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " dan " + xs[len(xs)-1]
}

func ids(acts []Activity) []string {
	out := []string{}
	for _, a := range acts {
		if id := a.id(); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// --- disiplin ------------------------------------------------------------------------

func (c *calc) disiplin() float64 {
	r := c.rs.Disiplin
	type pen struct {
		Penalty
		sev int
	}
	var known []pen
	for _, p := range sortedPenalties(c.f.Penalties) {
		i, ok := c.rs.penaltyIdx[normKey(p.Level)]
		switch {
		case !ok:
			c.missing("tingkat hukuman disiplin tidak dikenal: %q", p.Level)
		case p.Start.IsZero():
			c.missing("tanggal hukuman disiplin kosong")
		default:
			known = append(known, pen{p, i})
		}
	}
	// worst returns the most severe penalty in the window of year y (-1 when none) and
	// every penalty of that severity.
	worst := func(y int) (int, []pen) {
		sev, at := -1, []pen(nil)
		for _, p := range known {
			// Penalties after Y are not part of this measurement, nor of its hint.
			if p.Start.Year() > c.y || !inWindow(r.Window, y, p.Start) {
				continue
			}
			if p.sev > sev {
				sev, at = p.sev, nil
			}
			if p.sev == sev {
				at = append(at, p)
			}
		}
		return sev, at
	}
	pointsOf := func(sev int) float64 {
		if sev < 0 {
			return r.None
		}
		return r.Levels[sev].Points
	}
	sev, at := worst(c.y)
	pts := pointsOf(sev)
	if sev < 0 {
		c.line(Disiplin, "", pts, "Tidak ada hukuman disiplin pada "+c.years(r.Window))
		return pts
	}
	var when, facts []string
	for _, p := range at {
		when = append(when, tanggal(p.Start))
		facts = append(facts, p.id())
	}
	c.line(Disiplin, "", pts, fmt.Sprintf("Hukuman disiplin %s mulai %s (dalam jangka %s)",
		r.Levels[sev].Label, list(when), c.years(r.Window)), facts...)
	// When will the known penalties leave the window?
	for y := c.y + 1; y <= c.y+25; y++ {
		if s2, _ := worst(y); pointsOf(s2) > pts {
			c.hint(Disiplin, "", pointsOf(s2)-pts, fmt.Sprintf("Mulai pengukuran %d hukuman disiplin %s mulai %s tidak lagi dihitung → +%s poin",
				y, r.Levels[sev].Label, list(when), num(pointsOf(s2)-pts)))
			break
		}
	}
	return pts
}
