package scoring

import (
	"math"
	"strconv"
	"strings"
	"sync"

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
	// its kind, as the rule set's JP conversion counts them: the yearly duty (JPDuty, 20 for
	// a PNS) is tracked apart from the index.
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
//
// It is also the inner loop of a bulk rescore (a million employees), so it is written to
// allocate little: every text of the Score (explanation lines, hints, missing-data messages,
// fact ids it makes up) is appended to one buffer that becomes one string, of which each text
// is a piece; the working lists are scratch space reused from one computation to the next;
// and the texts are built with strconv rather than fmt. A Score costs a handful of
// allocations.
func Compute(rs *RuleSet, f Facts) Score {
	if rs == nil {
		rs = Default()
	}
	c := calcs.Get().(*calc)
	defer c.release()
	c.rs, c.f, c.y = rs, f, f.Year
	c.t.Grow(1024)
	c.acts = sortActivities(append(c.acts, f.Development...))
	s := Score{
		NIP: f.NIP, Year: f.Year, RuleSet: rs.ID, RuleSetVersion: rs.Version,
		Provisional: rs.Provisional,
	}
	s.Status = normStatus(f.Status)
	if s.Status == "" {
		c.missingLit("status kepegawaian kosong (dianggap PNS)")
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

	for i := range c.acts {
		if c.info[i].date.Year() == c.y {
			s.JPThisYear += c.info[i].jp
		}
	}
	s.JPDuty = rs.AnnualJPDuty[s.Status]
	c.finish(&s)
	return s
}

// Dimension indexes, in the order of the formula (Dimensions).
const (
	dimKualifikasi = iota
	dimKompetensi
	dimKinerja
	dimDisiplin
)

// textRef is a text of the Score: a string given as it is (from < 0), or the bytes from..to
// of the calc's buffer.
type textRef struct {
	lit      string
	from, to int32
}

func lit(s string) textRef { return textRef{lit: s, from: -1} }

// lineRec and hintRec are an explanation line and a hint on their way into the Score.
type lineRec struct {
	dim              int
	ind              Indicator
	pts              float64
	text             textRef
	factsFrom, facts int32 // refs[factsFrom:facts]
}

type hintRec struct {
	dim  int
	ind  Indicator
	gain float64
	text textRef
}

// actInfo is what the rules look up about an activity, once: its date, the indicator its
// kind feeds (known is false for an unknown kind) and the JP it counts (its recorded JP, or
// what the rule set's JP conversion makes of them).
type actInfo struct {
	date  domain.Date
	ind   Indicator
	known bool
	jp    int
}

// calc holds the state of one computation. Its lists are scratch space, kept between
// computations (calcs); the texts are not: every Score gets a buffer of its own.
type calc struct {
	rs    *RuleSet
	f     Facts
	y     int
	acts  []Activity // in canonical order
	info  []actInfo  // of acts
	t     strings.Builder
	lines []lineRec
	hints []hintRec
	// refs holds the fact ids of the lines, in order.
	refs       []textRef
	incomplete []textRef
	pens       []Penalty
	known      []knownPenalty
	worst      []int // indexes into known
	edu        educationTable
}

// knownPenalty is a penalty of a known level: sev indexes Disiplin.Levels.
type knownPenalty struct {
	p   *Penalty
	sev int
}

// calcs keeps the scratch lists of computations that ran, for the next ones.
var calcs = sync.Pool{New: func() any { return new(calc) }}

// release clears the calc and returns it to calcs.
func (c *calc) release() {
	clear(c.acts)
	clear(c.refs)
	clear(c.incomplete)
	clear(c.lines)
	clear(c.hints)
	clear(c.pens)
	clear(c.known)
	*c = calc{acts: c.acts[:0], info: c.info[:0], lines: c.lines[:0], hints: c.hints[:0], refs: c.refs[:0],
		incomplete: c.incomplete[:0], pens: c.pens[:0], known: c.known[:0], worst: c.worst[:0], edu: c.edu}
	calcs.Put(c)
}

// --- text ----------------------------------------------------------------------------

func (c *calc) pos() int32   { return int32(c.t.Len()) }
func (c *calc) str(s string) { c.t.WriteString(s) }
func (c *calc) char(b byte)  { c.t.WriteByte(b) }
func (c *calc) span(from int32) textRef {
	return textRef{from: from, to: c.pos()}
}

func (c *calc) int(n int) {
	var a [24]byte
	c.t.Write(strconv.AppendInt(a[:0], int64(n), 10))
}

// num writes a number for Indonesian text, as num formats it ("22,5").
func (c *calc) num(x float64) {
	var a [32]byte
	c.t.Write(appendNum(a[:0], x))
}

func (c *calc) quote(s string) {
	var a [64]byte
	c.t.Write(strconv.AppendQuote(a[:0], s))
}

// copyText writes a text written earlier again.
func (c *calc) copyText(r textRef) {
	if r.from < 0 {
		c.str(r.lit)
		return
	}
	c.str(c.t.String()[r.from:r.to])
}

// textOf returns the text of r as it stands; it stays valid (the buffer only grows).
func (c *calc) textOf(r textRef) string {
	if r.from < 0 {
		return r.lit
	}
	return c.t.String()[r.from:r.to]
}

// missingLit and missingEnd record a missing-data message once: the literal, or the text
// written since from (dropped again when the same message is already recorded).
func (c *calc) missingLit(msg string) {
	for _, m := range c.incomplete {
		if c.textOf(m) == msg {
			return
		}
	}
	c.incomplete = append(c.incomplete, lit(msg))
}

func (c *calc) missingEnd(from int32) {
	r := c.span(from)
	msg := c.textOf(r)
	for _, m := range c.incomplete {
		if c.textOf(m) == msg {
			return // the bytes stay in the buffer, unused
		}
	}
	c.incomplete = append(c.incomplete, r)
}

// fact records a fact id of the next line.
func (c *calc) fact(r textRef) { c.refs = append(c.refs, r) }

// actFacts records the ids of the activities as facts of the next line.
func (c *calc) actFacts(idx []int32) {
	for _, i := range idx {
		if id := c.acts[i].id(); id != "" {
			c.fact(lit(id))
		}
	}
}

// line ends the text written since from with the line's points (": 15 poin") and records
// the line, with the facts recorded since factsFrom.
func (c *calc) line(d int, ind Indicator, pts float64, from int32, factsFrom int) {
	c.str(": ")
	c.num(pts)
	c.str(" poin")
	c.lines = append(c.lines, lineRec{dim: d, ind: ind, pts: Round2(pts), text: c.span(from),
		factsFrom: int32(factsFrom), facts: int32(len(c.refs))})
}

// lineLit records a line with a fixed text and no facts.
func (c *calc) lineLit(d int, ind Indicator, pts float64, text string) {
	from := c.pos()
	c.str(text)
	c.line(d, ind, pts, from, len(c.refs))
}

// hint records a hint whose text was written since from, unless the gain is nothing (the
// text then stays in the buffer, unused).
func (c *calc) hint(d int, ind Indicator, gain float64, from int32) {
	if gain <= 0 {
		return
	}
	c.hints = append(c.hints, hintRec{dim: d, ind: ind, gain: Round2(gain), text: c.span(from)})
}

// gainText writes " → +<gain> poin", the end of every hint.
func (c *calc) gainText(gain float64) {
	c.str(" → +")
	c.num(gain)
	c.str(" poin")
}

// finish moves the lines, hints and messages into the Score, by dimension, with their texts
// as pieces of one string.
func (c *calc) finish(s *Score) {
	all := c.t.String()
	text := func(r textRef) string {
		if r.from < 0 {
			return r.lit
		}
		return all[r.from:r.to]
	}
	facts := make([]string, len(c.refs))
	for i, r := range c.refs {
		facts[i] = text(r)
	}
	s.Explanation = make([]Line, 0, len(c.lines))
	for d := range len(Dimensions) {
		for _, l := range c.lines {
			if l.dim == d {
				s.Explanation = append(s.Explanation, Line{Dimension: Dimensions[d], Indicator: l.ind, Points: l.pts,
					Text: text(l.text), Facts: facts[l.factsFrom:l.facts:l.facts]})
			}
		}
	}
	s.Hints = make([]Hint, 0, len(c.hints))
	for d := range len(Dimensions) {
		for _, h := range c.hints {
			if h.dim == d {
				s.Hints = append(s.Hints, Hint{Dimension: Dimensions[d], Indicator: h.ind, Gain: h.gain, Text: text(h.text)})
			}
		}
	}
	s.Incomplete = make([]string, len(c.incomplete))
	for i, m := range c.incomplete {
		s.Incomplete[i] = text(m)
	}
}

// checkActivities looks up each activity's date and indicator and flags activities the rules
// cannot place.
func (c *calc) checkActivities() {
	for i := range c.acts {
		a := &c.acts[i]
		ind, ok := c.rs.Kompetensi.Kinds[a.Kind]
		jp := a.jp()
		if c.rs.jpConv != nil {
			if r := c.rs.jpConv[a.Kind]; r != nil {
				jp, _ = r.count(a)
			}
		}
		c.info = append(c.info, actInfo{date: a.date(), ind: ind, known: ok, jp: jp})
		if !ok {
			from := c.pos()
			c.str("jenis pengembangan tidak dikenal: ")
			c.quote(a.Kind)
			c.str(" (")
			c.ref(a)
			c.char(')')
			c.missingEnd(from)
		}
		if c.info[i].date.IsZero() {
			from := c.pos()
			c.str("tanggal kegiatan kosong: ")
			c.ref(a)
			c.missingEnd(from)
		}
	}
}

// in reports whether a date falls in the window for the measurement year.
func (c *calc) in(w Window, d domain.Date) bool { return inWindow(w, c.y, d) }

// inWindow reports whether a date falls in the window for measurement year y.
func inWindow(w Window, y int, d domain.Date) bool {
	if d.IsZero() {
		return false
	}
	dy := d.Year()
	return dy <= y+*w.To && (w.From == nil || dy >= y+*w.From)
}

// years describes a window in words: "2026", "2025–2026", "sampai 2026".
func (c *calc) years(w Window) {
	to := c.y + *w.To
	switch {
	case w.From == nil:
		c.str("sampai ")
	case *w.From == *w.To:
	default:
		c.int(c.y + *w.From)
		c.str("–")
	}
	c.int(to)
}

// --- kualifikasi ---------------------------------------------------------------------

func (c *calc) kualifikasi() float64 {
	r := c.rs.Kualifikasi
	raw := strings.TrimSpace(c.f.EducationLevel)
	if raw == "" {
		c.missingLit("pendidikan kosong")
		c.lineLit(dimKualifikasi, "", 0, "Pendidikan tertinggi tidak tercatat")
		from := c.pos()
		c.str("Lengkapi data pendidikan tertinggi → hingga +")
		c.num(r.Max)
		c.str(" poin")
		c.hint(dimKualifikasi, "", r.Max, from)
		return 0
	}
	code, ok := normEducation(raw)
	if !ok {
		from := c.pos()
		c.str("kode pendidikan tidak dikenal: ")
		c.quote(raw)
		c.missingEnd(from)
		from = c.pos()
		c.str("Kode pendidikan ")
		c.quote(raw)
		c.str(" tidak dikenal")
		c.line(dimKualifikasi, "", 0, from, len(c.refs))
		from = c.pos()
		c.str("Perbaiki data pendidikan tertinggi → hingga +")
		c.num(r.Max)
		c.str(" poin")
		c.hint(dimKualifikasi, "", r.Max, from)
		return 0
	}
	t := c.educationTable()
	p, next, step := r.Points[code], math.Inf(1), ""
	for i, l := range domain.EducationLevels {
		if l.Code == code && i < len(t.next) {
			next, step = t.next[i], t.step[i]
			break
		}
	}
	factsFrom := len(c.refs)
	from := c.pos()
	c.str("pendidikan:")
	c.str(code)
	c.fact(c.span(from))
	from = c.pos()
	c.str("Pendidikan tertinggi ")
	c.str(domain.EducationLabel(code))
	c.str(" (kode SIASN ")
	c.str(code)
	c.char(')')
	c.line(dimKualifikasi, "", p, from, factsFrom)
	if !math.IsInf(next, 1) {
		from := c.pos()
		c.str("Menyelesaikan pendidikan ")
		c.str(step)
		c.gainText(next - p)
		c.hint(dimKualifikasi, "", next-p, from)
	}
	return p
}

// educationTable returns, for each of domain.EducationLevels, the next step up under the
// rule set: the smallest number of points above the level's (+Inf at the top) and the
// levels that give it ("S2/Spesialis"). It is worked out once per rule set and kept with
// the calc (a rule set does not change once parsed).
func (c *calc) educationTable() *educationTable {
	if c.edu.rs == c.rs {
		return &c.edu
	}
	r := c.rs.Kualifikasi
	levels := domain.EducationLevels
	t := educationTable{rs: c.rs, next: make([]float64, len(levels)), step: make([]string, len(levels))}
	for i, l := range levels {
		p, next := r.Points[l.Code], math.Inf(1)
		for _, q := range r.Points {
			if q > p && q < next {
				next = q
			}
		}
		var labels []string
		for _, m := range levels {
			if r.Points[m.Code] == next {
				labels = append(labels, m.Label)
			}
		}
		t.next[i], t.step[i] = next, strings.Join(labels, "/")
	}
	c.edu = t
	return &c.edu
}

// educationTable is what calc.educationTable works out.
type educationTable struct {
	rs   *RuleSet
	next []float64
	step []string
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
		text textRef
	}
	var candArr [4]cand
	cands := candArr[:0]
	for _, s := range c.f.SKP {
		if s.Year != year {
			continue
		}
		if v := s.Value; v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0) && *v >= 0 {
			b := r.band(*v)
			from := c.pos()
			c.str("SKP ")
			c.int(year)
			c.str(": nilai ")
			var a [32]byte
			c.t.Write(decimalComma(strconv.AppendFloat(a[:0], *v, 'f', -1, 64)))
			c.str(" (")
			c.str(b.Label)
			c.char(')')
			cands = append(cands, cand{b.Points, b.Predikat, c.span(from)})
			continue
		}
		if strings.TrimSpace(s.Predikat) == "" {
			from := c.pos()
			c.str("SKP ")
			c.int(year)
			c.str(" tanpa nilai maupun predikat")
			c.missingEnd(from)
			continue
		}
		i, ok := lookupKey(c.rs.predikatIdx, s.Predikat)
		if !ok {
			from := c.pos()
			c.str("predikat SKP ")
			c.int(year)
			c.str(" tidak dikenal: ")
			c.quote(s.Predikat)
			c.missingEnd(from)
			continue
		}
		p := r.Predikat[i]
		from := c.pos()
		c.str("SKP ")
		c.int(year)
		c.str(": predikat ")
		c.str(p.Label)
		cands = append(cands, cand{p.Points, p.Code, c.span(from)})
	}
	if len(cands) == 0 {
		from := c.pos()
		c.str("SKP tidak ada (tahun ")
		c.int(year)
		c.char(')')
		c.missingEnd(from)
		from = c.pos()
		c.str("SKP tahun ")
		c.int(year)
		c.str(" tidak tercatat")
		c.line(dimKinerja, "", 0, from, len(c.refs))
		from = c.pos()
		c.str("Lengkapi data SKP tahun ")
		c.int(year)
		c.str(" → hingga +")
		c.num(r.Max)
		c.str(" poin")
		c.hint(dimKinerja, "", r.Max, from)
		return 0, ""
	}
	best := cands[0]
	for _, x := range cands[1:] {
		if x.pts > best.pts || x.pts == best.pts && c.textOf(x.text) < c.textOf(best.text) {
			best = x
		}
	}
	factsFrom := len(c.refs)
	from := c.pos()
	c.str("skp:")
	c.int(year)
	c.fact(c.span(from))
	from = c.pos()
	c.copyText(best.text)
	if len(cands) > 1 {
		c.str(" (terbaik dari ")
		c.int(len(cands))
		c.str(" penilaian tahun ")
		c.int(year)
		c.char(')')
	}
	c.line(dimKinerja, "", best.pts, from, factsFrom)
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

// pending is a hint whose gain is known only after the cap; its text so far is written.
type pending struct {
	ind  Indicator
	pts  float64
	text textRef
}

func (c *calc) kompetensi(predikat string) float64 {
	k := c.rs.Kompetensi
	sum := 0.0
	if k.BaseFromPredikat != nil {
		year := c.y + *c.rs.Kinerja.SKPYearOffset
		if predikat == "" {
			from := c.pos()
			c.str("Nilai dasar dari predikat kinerja: SKP tahun ")
			c.int(year)
			c.str(" tidak tercatat")
			c.line(dimKompetensi, IndicatorBase, 0, from, len(c.refs))
		} else {
			b := k.BaseFromPredikat[predikat]
			factsFrom := len(c.refs)
			from := c.pos()
			c.str("skp:")
			c.int(year)
			c.fact(c.span(from))
			from = c.pos()
			c.str("Nilai dasar dari predikat kinerja ")
			c.str(c.rs.Kinerja.predikatLabel(predikat))
			c.str(" (SKP ")
			c.int(year)
			c.char(')')
			c.line(dimKompetensi, IndicatorBase, b, from, factsFrom)
			sum += b
		}
	}
	kind, ok := normPosition(c.f.PositionKind)
	var todoArr [4]pending
	todo := todoArr[:0]
	if !ok {
		if strings.TrimSpace(c.f.PositionKind) == "" {
			c.missingLit("jenis jabatan kosong")
		} else {
			from := c.pos()
			c.str("jenis jabatan tidak dikenal: ")
			c.quote(c.f.PositionKind)
			c.missingEnd(from)
		}
		c.lineLit(dimKompetensi, "", 0, "Jenis jabatan tidak tercatat: indikator pengembangan kompetensi tidak dapat dinilai")
	} else {
		inds := k.Indicators[kind]
		for _, ind := range Indicators {
			p, ok := inds[ind]
			if !ok {
				continue
			}
			var earned float64
			var h pending
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
			if h.ind != "" {
				todo = append(todo, h)
			}
		}
	}
	total := math.Min(sum, k.Max)
	if sum > k.Max {
		from := c.pos()
		c.str("Dibatasi nilai maksimum kompetensi ")
		c.num(k.Max)
		c.str(" poin")
		c.line(dimKompetensi, IndicatorCap, total-sum, from, len(c.refs))
	}
	for _, h := range todo {
		gain := math.Min(h.pts, k.Max-total)
		if gain <= 0 {
			continue
		}
		from := c.pos()
		c.copyText(h.text)
		c.gainText(gain)
		c.hint(dimKompetensi, h.ind, gain, from)
	}
	return total
}

// of appends to dst the indexes of the activities of the indicator that fall in the window.
func (c *calc) of(dst []int32, ind Indicator, w Window) []int32 {
	for i := range c.acts {
		if c.info[i].ind == ind && c.in(w, c.info[i].date) {
			dst = append(dst, int32(i))
		}
	}
	return dst
}

// pada writes " pada <years>" for a bounded window, nothing for a window with no lower bound.
func (c *calc) pada(w Window) {
	if w.From == nil {
		return
	}
	c.str(" pada ")
	c.years(w)
}

// pendingText returns a pending hint whose text is written since from.
func (c *calc) pendingText(ind Indicator, p float64, from int32) pending {
	return pending{ind, p, c.span(from)}
}

func (c *calc) indicatorA(p float64) (float64, pending) {
	l := c.rs.Kompetensi.Leadership
	w := c.rs.Kompetensi.Windows.A
	es, _ := normalizeEselon(c.f.Eselon)
	req, ok := l.RequiredRank[es]
	if !ok {
		if es == "" {
			c.missingLit("eselon kosong")
		} else {
			from := c.pos()
			c.str("eselon tidak dikenal: ")
			c.quote(c.f.Eselon)
			c.missingEnd(from)
		}
		c.lineLit(dimKompetensi, IndicatorA, 0, "Pelatihan kepemimpinan: eselon tidak tercatat, tingkat yang disyaratkan tidak diketahui")
		return 0, pending{IndicatorA, p, lit("Lengkapi data eselon jabatan")}
	}
	want := c.rs.rankLabel[req]
	var exArr, hiArr, otArr, allArr [8]int32
	exact, higher, other := exArr[:0], hiArr[:0], otArr[:0]
	for _, i := range c.of(allArr[:0], IndicatorA, w) {
		a := &c.acts[i]
		rank, ok := lookupLevelRank(c.rs.levelRank, a.Level)
		switch {
		case !ok:
			from := c.pos()
			c.str("tingkat pelatihan kepemimpinan tidak diketahui: ")
			c.ref(a)
			c.missingEnd(from)
		case rank == req:
			exact = append(exact, i)
		case rank < req && l.OrHigher:
			higher = append(higher, i)
		default:
			other = append(other, i)
		}
	}
	if got := append(exact, higher...); len(got) > 0 {
		a := &c.acts[got[0]]
		rel := "sesuai tingkat yang disyaratkan"
		if len(exact) == 0 {
			rel = "lebih tinggi dari tingkat yang disyaratkan"
		}
		factsFrom := len(c.refs)
		c.actFacts(got)
		from := c.pos()
		c.str("Pelatihan kepemimpinan ")
		c.str(levelLabel(a.Level))
		c.str(" dari ")
		c.writeRefs(got)
		c.pada(w)
		c.str(", ")
		c.str(rel)
		c.str(" eselon ")
		c.str(es)
		c.str(" (")
		c.str(want)
		c.char(')')
		c.convNotes(got)
		c.line(dimKompetensi, IndicatorA, p, from, factsFrom)
		return p, pending{}
	}
	from := c.pos()
	if len(other) > 0 {
		o := &c.acts[other[0]]
		rel := "tidak sesuai"
		if rank, _ := lookupLevelRank(c.rs.levelRank, o.Level); rank > req {
			rel = "lebih rendah dari"
		}
		c.str("Pelatihan kepemimpinan ")
		c.str(levelLabel(o.Level))
		c.str(" dari ")
		c.writeRefs(other)
		c.char(' ')
		c.str(rel)
		c.str(" tingkat ")
		c.str(want)
		c.str(" yang disyaratkan eselon ")
		c.str(es)
		c.convNotes(other)
	} else {
		c.str("Belum ada pelatihan kepemimpinan tingkat ")
		c.str(want)
		c.str(" yang disyaratkan eselon ")
		c.str(es)
		c.pada(w)
	}
	c.line(dimKompetensi, IndicatorA, 0, from, len(c.refs))
	from = c.pos()
	c.str("Pelatihan kepemimpinan tingkat ")
	c.str(want)
	if l.OrHigher {
		c.str(" atau lebih tinggi")
	}
	c.padaHint(w)
	return 0, c.pendingText(IndicatorA, p, from)
}

// padaHint writes " pada <Y>" when the window is bounded: only the measurement year can
// still be acted on.
func (c *calc) padaHint(w Window) {
	if w.From == nil {
		return
	}
	c.str(" pada ")
	c.int(c.y + *w.To)
}

func (c *calc) indicatorB(p float64) (float64, pending) {
	w := c.rs.Kompetensi.Windows.B
	var arr [8]int32
	if got := c.of(arr[:0], IndicatorB, w); len(got) > 0 {
		factsFrom := len(c.refs)
		c.actFacts(got)
		from := c.pos()
		c.str("Pelatihan fungsional dari ")
		c.writeRefs(got)
		c.pada(w)
		c.convNotes(got)
		c.line(dimKompetensi, IndicatorB, p, from, factsFrom)
		return p, pending{}
	}
	if entry, ok := jfExempt(c.rs.Kompetensi.JFExempt, c.f.JFName); ok {
		jf := strings.TrimSpace(c.f.JFName)
		factsFrom := len(c.refs)
		from := c.pos()
		c.str("jf:")
		c.str(jf)
		c.fact(c.span(from))
		from = c.pos()
		c.str("JF ")
		c.str(jf)
		c.str(" termasuk jabatan yang dikecualikan (")
		c.quote(entry)
		c.str("): pelatihan fungsional dianggap terpenuhi")
		c.line(dimKompetensi, IndicatorB, p, from, factsFrom)
		return p, pending{}
	}
	if strings.TrimSpace(c.f.JFName) == "" {
		c.missingLit("nama JF kosong")
	}
	from := c.pos()
	c.str("Belum ada pelatihan fungsional")
	c.pada(w)
	c.line(dimKompetensi, IndicatorB, 0, from, len(c.refs))
	from = c.pos()
	c.str("Pelatihan fungsional untuk JF yang diduduki")
	c.padaHint(w)
	return 0, c.pendingText(IndicatorB, p, from)
}

func (c *calc) indicatorC(p float64) (float64, pending) {
	k := c.rs.Kompetensi
	w := k.Windows.C
	var arr [8]int32
	got := c.of(arr[:0], IndicatorC, w)
	jp := 0
	for _, i := range got {
		jp += c.info[i].jp
	}
	switch {
	case jp >= k.TechnicalJP:
		factsFrom := len(c.refs)
		c.actFacts(got)
		from := c.pos()
		c.str("Pelatihan teknis: ")
		c.int(jp)
		c.str(" JP pada ")
		c.years(w)
		c.str(" dari ")
		c.writeRefs(got)
		c.convNotes(got)
		c.line(dimKompetensi, IndicatorC, p, from, factsFrom)
		return p, pending{}
	case len(got) > 0:
		factsFrom := len(c.refs)
		c.actFacts(got)
		from := c.pos()
		c.str("Pelatihan teknis: ")
		c.int(jp)
		c.str(" JP pada ")
		c.years(w)
		c.str(" dari ")
		c.writeRefs(got)
		c.str(" (kurang dari ")
		c.int(k.TechnicalJP)
		c.str(" JP)")
		c.convNotes(got)
		c.line(dimKompetensi, IndicatorC, 0, from, factsFrom)
	default:
		from := c.pos()
		c.str("Belum ada pelatihan teknis pada ")
		c.years(w)
		c.line(dimKompetensi, IndicatorC, 0, from, len(c.refs))
	}
	from := c.pos()
	c.int(k.TechnicalJP - jp)
	c.str(" JP ")
	if jp != 0 {
		c.str("lagi ")
	}
	c.str("pelatihan teknis pada ")
	c.int(c.y + *w.To)
	return 0, c.pendingText(IndicatorC, p, from)
}

func (c *calc) indicatorD(p float64) (float64, pending) {
	w := c.rs.Kompetensi.Windows.D
	var arr [8]int32
	if got := c.of(arr[:0], IndicatorD, w); len(got) > 0 {
		factsFrom := len(c.refs)
		c.actFacts(got)
		from := c.pos()
		c.str("Seminar, workshop, kursus, magang atau kegiatan sejenis pada ")
		c.years(w)
		c.str(" dari ")
		c.writeRefs(got)
		c.convNotes(got)
		c.line(dimKompetensi, IndicatorD, p, from, factsFrom)
		return p, pending{}
	}
	from := c.pos()
	c.str("Belum ada seminar, workshop, kursus, magang atau kegiatan sejenis pada ")
	c.years(w)
	c.line(dimKompetensi, IndicatorD, 0, from, len(c.refs))
	from = c.pos()
	c.str("Satu seminar, workshop, kursus, magang atau kegiatan sejenis pada ")
	c.int(c.y + *w.To)
	return 0, c.pendingText(IndicatorD, p, from)
}

// convNotes writes, for each of the activities whose JP the rule set's JP conversion
// changed, what it records and what it counts ("; E-Learning X: 40 JP dalam 2 hari dihitung
// 6 JP (paling banyak 3 JP per hari)"), naming at most four as list does. It writes nothing
// under a rule set without conversion, so their texts stay as they were.
func (c *calc) convNotes(idx []int32) {
	if c.rs.jpConv == nil {
		return
	}
	n := 0
	for _, i := range idx {
		if c.info[i].jp != c.acts[i].jp() {
			n++
		}
	}
	shown := n
	if n > 4 {
		shown = 3
	}
	for _, i := range idx {
		if shown == 0 {
			break
		}
		a := &c.acts[i]
		if c.info[i].jp == a.jp() {
			continue
		}
		shown--
		r := c.rs.jpConv[a.Kind]
		c.str("; ")
		if k, ok := domain.KindByCode(a.Kind); ok {
			c.str(k.Label)
			c.char(' ')
		}
		c.ref(a)
		c.str(": ")
		c.int(a.jp())
		if r.MaxJPPerDay != nil {
			_, days := r.count(a)
			c.str(" JP dalam ")
			c.int(days)
			c.str(" hari dihitung ")
			c.int(c.info[i].jp)
			c.str(" JP (paling banyak ")
			c.int(*r.MaxJPPerDay)
			c.str(" JP per hari)")
		} else {
			c.str(" JP dihitung ")
			c.int(c.info[i].jp)
			c.str(" JP (")
			c.int(*r.JPPerActivity)
			c.str(" JP per kegiatan)")
		}
	}
	if n > 4 {
		c.str("; ")
		c.int(n - 3)
		c.str(" kegiatan lain juga dikonversi")
	}
}

// count returns the JP an activity counts under the conversion rule and, for a
// max_jp_per_day rule, the calendar days it spans (0 for a jp_per_activity rule).
func (r *JPConversionRule) count(a *Activity) (jp, days int) {
	if r.JPPerActivity != nil {
		return *r.JPPerActivity, 0
	}
	days = activityDays(a)
	return int(min(int64(a.jp()), int64(*r.MaxJPPerDay)*int64(days))), days
}

// activityDays is the number of calendar days from an activity's start to its end date,
// both included (domain.Date.Days): 1 when it has one date only (or none), or when the end
// is before the start.
func activityDays(a *Activity) int {
	if a.Start.IsZero() || a.End.IsZero() {
		return 1
	}
	return max(a.Start.Days(a.End), 1)
}

// ref writes how the explanation names the activity (Activity.ref).
func (c *calc) ref(a *Activity) {
	switch {
	case a.Number != "":
		c.str(a.Number)
	case a.Title != "":
		c.str("“")
		c.str(a.Title)
		c.str("”")
	case a.Source != "":
		c.str(a.Source)
	default:
		c.str(a.Kind)
	}
}

// writeRefs names activities for an explanation: "sertifikat A, B dan C serta kegiatan “T”".
func (c *calc) writeRefs(idx []int32) {
	certs := 0
	for _, i := range idx {
		if c.acts[i].Number != "" {
			certs++
		}
	}
	// nth returns the k-th activity with (or without) a certificate number.
	nth := func(k int, cert bool) *Activity {
		for _, i := range idx {
			if a := &c.acts[i]; (a.Number != "") == cert {
				if k == 0 {
					return a
				}
				k--
			}
		}
		return nil
	}
	if certs > 0 {
		c.str("sertifikat ")
		c.list(certs, func(k int) { c.str(nth(k, true).Number) })
	}
	if others := len(idx) - certs; others > 0 {
		if certs > 0 {
			c.str(" serta ")
		}
		c.str("kegiatan ")
		c.list(others, func(k int) { c.ref(nth(k, false)) })
	}
}

// list writes n items the Indonesian way, naming at most four: "A, B dan C", "A, B, C dan 5
// lainnya"; item writes the k-th.
func (c *calc) list(n int, item func(k int)) {
	shown := n
	if n > 4 {
		shown = 3
	}
	for k := range shown {
		switch {
		case k == 0:
		case k == n-1:
			c.str(" dan ")
		default:
			c.str(", ")
		}
		item(k)
	}
	if n > 4 {
		c.str(" dan ")
		c.int(n - 3)
		c.str(" lainnya")
	}
}

// refs names activities for an explanation: "sertifikat A, B dan C serta kegiatan “T”".
func refs(acts []Activity) string {
	c := calc{acts: acts}
	idx := make([]int32, len(acts))
	for i := range idx {
		idx[i] = int32(i)
	}
	c.writeRefs(idx)
	return c.t.String()
}

// --- disiplin ------------------------------------------------------------------------

func (c *calc) disiplin() float64 {
	r := c.rs.Disiplin
	c.pens = sortPenalties(append(c.pens, c.f.Penalties...))
	for i := range c.pens {
		p := &c.pens[i]
		sev, ok := lookupKey(c.rs.penaltyIdx, p.Level)
		switch {
		case !ok:
			from := c.pos()
			c.str("tingkat hukuman disiplin tidak dikenal: ")
			c.quote(p.Level)
			c.missingEnd(from)
		case p.Start.IsZero():
			c.missingLit("tanggal hukuman disiplin kosong")
		default:
			c.known = append(c.known, knownPenalty{p, sev})
		}
	}
	pointsOf := func(sev int) float64 {
		if sev < 0 {
			return r.None
		}
		return r.Levels[sev].Points
	}
	sev := c.worstPenalty(c.y, true)
	pts := pointsOf(sev)
	if sev < 0 {
		from := c.pos()
		c.str("Tidak ada hukuman disiplin pada ")
		c.years(r.Window)
		c.line(dimDisiplin, "", pts, from, len(c.refs))
		return pts
	}
	factsFrom := len(c.refs)
	for _, k := range c.worst {
		p := c.known[k].p
		if p.Source != "" {
			c.fact(lit(p.Source))
			continue
		}
		from := c.pos()
		c.str("hukdis:")
		c.str(p.Level)
		c.char(':')
		c.str(p.Start.String())
		c.fact(c.span(from))
	}
	from := c.pos()
	c.str("Hukuman disiplin ")
	c.str(r.Levels[sev].Label)
	c.str(" mulai ")
	whenFrom := c.pos()
	c.list(len(c.worst), func(k int) { c.tanggal(c.known[c.worst[k]].p.Start) })
	when := c.span(whenFrom)
	c.str(" (dalam jangka ")
	c.years(r.Window)
	c.char(')')
	c.line(dimDisiplin, "", pts, from, factsFrom)
	// When will the known penalties leave the window?
	for y := c.y + 1; y <= c.y+25; y++ {
		if s2 := c.worstPenalty(y, false); pointsOf(s2) > pts {
			from := c.pos()
			c.str("Mulai pengukuran ")
			c.int(y)
			c.str(" hukuman disiplin ")
			c.str(r.Levels[sev].Label)
			c.str(" mulai ")
			c.copyText(when)
			c.str(" tidak lagi dihitung")
			c.gainText(pointsOf(s2) - pts)
			c.hint(dimDisiplin, "", pointsOf(s2)-pts, from)
			break
		}
	}
	return pts
}

// worstPenalty returns the severity of the most severe known penalty in the window of year y
// (-1 when none); with list, c.worst receives every penalty of that severity.
func (c *calc) worstPenalty(y int, list bool) int {
	sev := -1
	for i, p := range c.known {
		// Penalties after Y are not part of this measurement, nor of its hint.
		if p.p.Start.Year() > c.y || !inWindow(c.rs.Disiplin.Window, y, p.p.Start) {
			continue
		}
		if p.sev > sev {
			sev = p.sev
			if list {
				c.worst = c.worst[:0]
			}
		}
		if p.sev == sev && list {
			c.worst = append(c.worst, i)
		}
	}
	return sev
}

// tanggal writes a date in Indonesian: "1 Mei 2023".
func (c *calc) tanggal(d domain.Date) {
	if d.IsZero() {
		c.str("(tanpa tanggal)")
		return
	}
	y, m, day := d.Date()
	c.int(day)
	c.char(' ')
	c.str(months[m-1])
	c.char(' ')
	c.int(y)
}
