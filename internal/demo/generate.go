package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/sertika/sertika/internal/domain"
)

// latestYear is the last appointment year the demo data uses (rules: TMT ≤ 2025).
const latestYear = 2025

// plan is the demo agency, generated in memory before anything is written.
type plan struct {
	opds   []domain.OPD
	emps   []domain.Employee
	empOPD []int // index into opds of each employee
	// Indexes into emps of the people the demo accounts stand for (-1: none).
	head, verifikator, pegawai int
	// Scoring facts (facts.go); their emp fields index emps.
	skp       []skpRow
	penalties []penaltyRow
	trainings []trainingRow
}

// post is a position to fill, with what the holder's profile depends on.
type post struct {
	kind     string // domain.Position*
	position string
	eselon   string
	jf       string
	status   string  // domain.Status*
	tier     string  // education tier: key of eduTiers
	field    string  // field of study (titles)
	female   float64 // probability that the holder is a woman
}

// eduTiers give, per tier, the SIASN education-level codes (rules §10) with their weights.
var eduTiers = map[string][]weighted{
	// Structural posts by echelon.
	"es2": {{"45", 78}, {"50", 10}, {"40", 12}},
	"es3": {{"45", 48}, {"40", 50}, {"50", 2}},
	"es4": {{"40", 65}, {"45", 22}, {"30", 10}, {"15", 3}},
	// Functional posts by level.
	"ahliPertama": {{"40", 85}, {"45", 12}, {"35", 3}},
	"ahliMuda":    {{"40", 55}, {"45", 42}, {"50", 3}},
	"ahliMadya":   {{"40", 30}, {"45", 62}, {"50", 8}},
	"terampil":    {{"30", 80}, {"15", 6}, {"40", 12}, {"35", 2}},
	"terampilKes": {{"30", 86}, {"35", 6}, {"40", 8}},
	"guruPertama": {{"40", 95}, {"45", 4}, {"35", 1}},
	"guruMuda":    {{"40", 85}, {"45", 15}},
	"guruMadya":   {{"40", 70}, {"45", 28}, {"50", 2}},
	"dokter1":     {{"42", 100}},
	"dokter2":     {{"42", 75}, {"45", 25}},
	"spesialis":   {{"47", 100}},
	"drg":         {{"42", 90}, {"45", 10}},
	"ners":        {{"42", 80}, {"40", 15}, {"45", 5}},
	"bidanAhli":   {{"35", 70}, {"40", 20}, {"42", 10}},
	"apoteker":    {{"42", 90}, {"45", 10}},
	"drh":         {{"42", 100}},
	"pamongPraja": {{"15", 60}, {"30", 25}, {"40", 15}},
	// Administrative (pelaksana) posts by profile.
	"low":  {{"10", 35}, {"15", 65}},
	"slta": {{"15", 72}, {"20", 2}, {"25", 2}, {"30", 10}, {"40", 14}},
	"d3":   {{"15", 10}, {"30", 75}, {"40", 15}},
	"d3s1": {{"15", 25}, {"30", 25}, {"40", 48}, {"45", 2}},
	"s1":   {{"30", 15}, {"40", 80}, {"45", 5}},
}

// Shares of PPPK among administrative staff.
const pppkPelaksanaShare = 0.12

// generator holds the random source and the NIP sequences handed out so far.
type generator struct {
	r        *rand.Rand
	maxYear  int // latest appointment year
	maxMonth int // latest TMT month in maxYear
	seq      map[string]int
}

// generate builds the demo agency with n employees and their scoring facts. The employees
// depend only on seed, n and — when now lies before the end of 2025 — on now (appointments
// never lie in the future); the facts also on now's date (they are dated around the current
// year and never after today).
func generate(seed int64, n int, now time.Time) *plan {
	g := &generator{
		r:        rand.New(rand.NewPCG(uint64(seed), 0x5e271ca)),
		maxYear:  latestYear,
		maxMonth: 12,
		seq:      make(map[string]int, n),
	}
	if now = now.UTC(); now.Year() <= latestYear {
		g.maxYear, g.maxMonth = now.Year(), int(now.Month())
	}
	p := &plan{head: -1, verifikator: -1, pegawai: -1}
	p.emps = make([]domain.Employee, 0, n)
	p.empOPD = make([]int, 0, n)
	for i, size := range allocate(n) {
		o := opds[i]
		p.opds = append(p.opds, domain.OPD{Code: o.code, Name: o.name, Parent: opdParent, Active: true})
		for _, ps := range g.posts(o, size) {
			p.emps = append(p.emps, g.employee(ps))
			p.empOPD = append(p.empOPD, i)
		}
	}
	p.pickPeople()
	p.addFacts(seed, now)
	return p
}

// allocate shares n employees among the OPDs: one head each, the rest by weight (largest
// remainder, so the sizes always add up to n).
func allocate(n int) []int {
	sizes := make([]int, len(opds))
	rest := n - len(opds)
	total := 0
	for _, o := range opds {
		total += o.weight
	}
	type frac struct {
		i int
		f float64
	}
	fr := make([]frac, len(opds))
	given := 0
	for i, o := range opds {
		exact := float64(rest) * float64(o.weight) / float64(total)
		sizes[i] = 1 + int(exact)
		given += int(exact)
		fr[i] = frac{i, exact - math.Floor(exact)}
	}
	// Stable order: larger remainder first, then table order.
	for a := 1; a < len(fr); a++ {
		for b := a; b > 0 && fr[b].f > fr[b-1].f; b-- {
			fr[b], fr[b-1] = fr[b-1], fr[b]
		}
	}
	for k := 0; given < rest; k++ {
		sizes[fr[k%len(fr)].i]++
		given++
	}
	return sizes
}

// posts lists the positions of an OPD with size employees: structural first (the head
// leads), then functional, then administrative.
func (g *generator) posts(o opdSpec, size int) []post {
	nS := max(1, int(math.Round(o.ps*float64(size))))
	nS = min(nS, size)
	nF := int(math.Round(o.pf * float64(size)))
	nF = min(nF, size-nS)
	nP := size - nS - nF
	out := make([]post, 0, size)
	for i, sp := range structuralPosts(o, nS) {
		tier := "es4"
		switch {
		case strings.HasPrefix(sp[1], "II"):
			tier = "es2"
		case strings.HasPrefix(sp[1], "III"):
			tier = "es3"
		}
		female := 0.30
		if i == 0 {
			female = 0.25
		}
		out = append(out, post{kind: domain.PositionStruktural, position: sp[0], eselon: sp[1],
			status: domain.StatusPNS, tier: tier, field: o.field, female: female})
	}
	for range nF {
		out = append(out, g.functional(pickWeighted(g.r, o.jfs)))
	}
	pel := append(append([]pelaksanaPost(nil), commonPelaksana...), o.pelaksana...)
	for range nP {
		pp, status := pickPelaksana(g.r, pel), domain.StatusPNS
		if g.r.Float64() < pppkPelaksanaShare {
			pp, status = pickPelaksana(g.r, pppkPelaksana), domain.StatusPPPK
		}
		field := pp.field
		if field == "" {
			field = o.field
		}
		female := 0.45
		switch pp.profile {
		case "low":
			female = 0.05
		}
		if strings.HasPrefix(pp.name, "Pengemudi") || strings.HasPrefix(pp.name, "Operator Alat") {
			female = 0.03
		}
		out = append(out, post{kind: domain.PositionPelaksana, position: pp.name, status: status,
			tier: pp.profile, field: field, female: female})
	}
	return out
}

// structuralPosts returns n structural posts (name, eselon) of an OPD, the head first.
func structuralPosts(o opdSpec, n int) [][2]string {
	head := o.head
	if head == "" {
		head = "Kepala " + o.name
	}
	es := o.headEselon
	if es == "" {
		es = "II.b"
	}
	fixed := [][2]string{{head, es}}
	var more [][2]string
	switch o.kind {
	case opdKindSetda:
		fixed = append(fixed, setdaPosts...)
		more = eselonIV(setdaPosts)
	case opdKindSetwan:
		fixed = append(fixed, setwanPosts...)
		more = eselonIV(setwanPosts)
	case opdKindInspektorat:
		fixed = append(fixed, inspektoratPosts...)
		more = eselonIV(inspektoratPosts)
	case opdKindRSUD:
		fixed = append(fixed, rsudPosts...)
		more = eselonIV(rsudPosts)
	case opdKindKecamatan:
		fixed = append(fixed, kecamatanPosts...)
		more = kecamatanMore
	default: // dinas, badan
		fixed = append(fixed, [2]string{"Sekretaris " + o.name, "III.a"})
		for _, b := range o.bidang {
			fixed = append(fixed, [2]string{"Kepala Bidang " + b, "III.b"})
		}
		fixed = append(fixed, dinasSubbagians...)
		if o.upt != "" {
			more = append(more, [2]string{"Kepala UPT " + o.upt, "IV.a"}, [2]string{"Kepala Sub Bagian Tata Usaha UPT " + o.upt, "IV.b"})
		}
		section := "Kepala Seksi "
		if o.kind == opdKindBadan {
			section = "Kepala Sub Bidang "
		}
		for _, b := range o.bidang {
			more = append(more, [2]string{section + b, "IV.a"})
		}
	}
	if len(more) == 0 {
		more = setdaMore
	}
	out := make([][2]string, 0, n)
	for i := 0; len(out) < n; i++ {
		if i < len(fixed) {
			out = append(out, fixed[i])
		} else {
			out = append(out, more[(i-len(fixed))%len(more)])
		}
	}
	return out
}

func eselonIV(posts [][2]string) [][2]string {
	var out [][2]string
	for _, p := range posts {
		if strings.HasPrefix(p[1], "IV") {
			out = append(out, p)
		}
	}
	return out
}

// jfLevels are the level suffixes of functional positions.
var jfLevels = []string{"Ahli Pertama", "Ahli Muda", "Ahli Madya", "Ahli Utama", "Terampil", "Mahir", "Penyelia"}

// splitJF splits "Guru Ahli Pertama" into "Guru" and "Ahli Pertama".
func splitJF(name string) (base, level string) {
	for _, l := range jfLevels {
		if b, ok := strings.CutSuffix(name, " "+l); ok {
			return b, l
		}
	}
	return name, ""
}

// functional returns the post of a functional position holder.
func (g *generator) functional(jf string) post {
	base, level := splitJF(jf)
	info, ok := jfBases[base]
	if !ok {
		panic("demo: no jfBases entry for " + base) // a table error, caught by the tests
	}
	tier := map[string]string{"Ahli Pertama": "ahliPertama", "Ahli Muda": "ahliMuda", "Ahli Madya": "ahliMadya",
		"Ahli Utama": "ahliMadya", "Terampil": "terampil", "Mahir": "terampil", "Penyelia": "terampil"}[level]
	ahli := strings.HasPrefix(level, "Ahli")
	switch info.special {
	case "guru":
		tier = map[string]string{"Ahli Pertama": "guruPertama", "Ahli Muda": "guruMuda"}[level]
		if tier == "" {
			tier = "guruMadya"
		}
	case "dokter":
		tier = map[string]string{"Ahli Pertama": "dokter1", "Ahli Muda": "dokter2"}[level]
		if tier == "" {
			tier = "spesialis"
		}
	case "drg", "apoteker", "drh":
		tier = info.special
	case "ners":
		if !ahli {
			tier = "terampilKes"
		} else {
			tier = "ners"
		}
	case "bidan":
		if ahli {
			tier = "bidanAhli"
		} else {
			tier = "terampilKes"
		}
	case "pamongpraja":
		if !ahli {
			tier = "pamongPraja"
		}
	}
	if tier == "terampil" && healthFields[info.field] {
		tier = "terampilKes"
	}
	status := domain.StatusPNS
	if (level == "Ahli Pertama" || level == "Terampil") && g.r.Float64() < info.pppk {
		status = domain.StatusPPPK
	}
	return post{kind: domain.PositionFungsional, position: jf, jf: jf, status: status, tier: tier,
		field: info.field, female: info.female}
}

// minAge is the youngest age at appointment for an education level.
func minAge(code string) int {
	switch code {
	case "05", "10", "15":
		return 19
	case "20", "25", "30":
		return 20
	case "42", "47", "49":
		return 24
	}
	return 22
}

// employee draws the person holding a post.
func (g *generator) employee(p post) domain.Employee {
	r := g.r
	code := pickWeighted(r, eduTiers[p.tier])
	field := p.field
	if p.kind == domain.PositionStruktural && field == "kesehatan" && r.Float64() < 0.4 {
		// Many health offices are led by physicians.
		field = "dokter"
		if code == "40" || code == "30" || code == "15" {
			code = "42"
		}
	}
	// Birth years: 1965–2000, narrowed by the post and the education.
	lo, hi := 1965, 2000
	if p.kind == domain.PositionPelaksana || p.tier == "terampil" {
		lo = 1967 // retirement at 58
	}
	switch {
	case strings.HasPrefix(p.eselon, "II"):
		lo, hi = 1966, 1978
	case strings.HasPrefix(p.eselon, "III"):
		lo, hi = 1967, 1985
	case strings.HasPrefix(p.eselon, "IV"):
		lo, hi = 1967, 1992
	}
	switch p.tier {
	case "ahliMuda", "guruMuda", "dokter2":
		hi = min(hi, 1993)
	case "ahliMadya", "guruMadya", "spesialis":
		hi = min(hi, 1984)
	}
	switch code {
	case "45":
		hi = min(hi, 1996)
	case "50":
		hi = min(hi, 1985)
	case "47", "49":
		hi = min(hi, 1990)
	}
	age0 := minAge(code)
	hi = min(hi, g.maxYear-age0)
	if p.status == domain.StatusPPPK {
		lo = max(lo, 1968)
	}
	lo = min(lo, hi)
	female := r.Float64() < p.female
	for attempt := 0; ; attempt++ {
		by := lo + r.IntN(hi-lo+1)
		bm := 1 + r.IntN(12)
		bd := 1 + r.IntN(daysIn(by, bm))
		var appoint string
		if p.status == domain.StatusPPPK {
			y := pickWeighted(r, []weighted{{"2019", 4}, {"2020", 3}, {"2021", 14}, {"2022", 24}, {"2023", 24}, {"2024", 22}, {"2025", 9}})
			year := max(atoi(y), by+age0)
			year = min(year, g.maxYear)
			appoint = fmt.Sprintf("%04d21", year)
		} else {
			maxAge := 35
			if p.kind == domain.PositionStruktural {
				maxAge = age0 + 6 // leaders joined young and rose through the ranks
			}
			span := max(0, min(maxAge, g.maxYear-by)-age0)
			age := age0 + min(r.IntN(span+1), r.IntN(span+1))
			year := by + age
			month := atoi(pickWeighted(r, tmtMonths))
			if year == g.maxYear && month > g.maxMonth {
				month = g.maxMonth
			}
			appoint = fmt.Sprintf("%04d%02d", year, month)
		}
		sex := "1"
		if female {
			sex = "2"
		}
		prefix := fmt.Sprintf("%04d%02d%02d", by, bm, bd) + appoint + sex
		seq := g.seq[prefix] + 1
		if seq > 999 && attempt < 100 {
			continue // this birth date and appointment are used up; draw another
		}
		g.seq[prefix] = seq
		front, back := titles(r, code, field, female, by)
		return domain.Employee{
			NIP: prefix + fmt.Sprintf("%03d", seq), Name: g.name(female), FrontTitle: front, BackTitle: back,
			Status: p.status, Position: p.position, PositionKind: p.kind, Eselon: p.eselon, JFName: p.jf,
			EducationLevel: code, Active: true,
		}
	}
}

// tmtMonths weights the months of CPNS appointments (most start in January, March or April).
var tmtMonths = []weighted{{"01", 30}, {"02", 5}, {"03", 20}, {"04", 10}, {"05", 3}, {"06", 3},
	{"07", 5}, {"08", 3}, {"09", 3}, {"10", 5}, {"11", 3}, {"12", 10}}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// name draws a person's name from one naming tradition: a given name, sometimes with
// "Muhammad" or "Siti" before it, and a family name.
func (g *generator) name(female bool) string {
	r := g.r
	total := 0
	for _, ng := range nameGroups {
		total += ng.w
	}
	x := r.IntN(total)
	ng := nameGroups[len(nameGroups)-1]
	for _, c := range nameGroups {
		if x < c.w {
			ng = c
			break
		}
		x -= c.w
	}
	given := ng.male
	if female {
		given = ng.female
	}
	first := pick(r, given)
	if ng.muhammadOrSiti {
		x := r.Float64()
		switch {
		case !female && x < 0.15:
			first = "Muhammad " + first
		case female && x < 0.10 && !strings.Contains(first, " "):
			first = "Siti " + first
		}
	}
	last := pick(r, ng.family)
	for strings.Contains(first, last) {
		last = pick(r, ng.family)
	}
	return first + " " + last
}

// pickPeople chooses the employees behind the demo accounts.
func (p *plan) pickPeople() {
	opdIndex := func(code string) int {
		for i, o := range p.opds {
			if o.Code == code {
				return i
			}
		}
		return -1
	}
	bk, ed := opdIndex(bkpsdmCode), opdIndex(EducationOPDCode)
	first := func(opd int, ok func(e domain.Employee) bool) int {
		for i, e := range p.emps {
			if p.empOPD[i] == opd && ok(e) {
				return i
			}
		}
		return -1
	}
	isHead := func(e domain.Employee) bool { return strings.HasPrefix(e.Position, "Kepala "+opds[bk].name) }
	p.head = first(bk, isHead)
	p.verifikator = first(bk, func(e domain.Employee) bool {
		return strings.HasPrefix(e.JFName, "Analis Sumber Daya Manusia Aparatur")
	})
	if p.verifikator < 0 {
		p.verifikator = first(bk, func(e domain.Employee) bool { return !isHead(e) })
	}
	p.pegawai = first(ed, func(e domain.Employee) bool {
		return e.JFName == "Guru Ahli Pertama" && e.Status == domain.StatusPNS
	})
	if p.pegawai < 0 {
		p.pegawai = first(ed, func(e domain.Employee) bool { return e.PositionKind != domain.PositionStruktural })
	}
	if p.pegawai < 0 {
		p.pegawai = first(ed, func(domain.Employee) bool { return true })
	}
}

func pickWeighted(r *rand.Rand, items []weighted) string {
	total := 0
	for _, it := range items {
		total += it.w
	}
	x := r.IntN(total)
	for _, it := range items {
		if x < it.w {
			return it.name
		}
		x -= it.w
	}
	return items[len(items)-1].name
}

func pickPelaksana(r *rand.Rand, items []pelaksanaPost) pelaksanaPost {
	total := 0
	for _, it := range items {
		total += it.w
	}
	x := r.IntN(total)
	for _, it := range items {
		if x < it.w {
			return it
		}
		x -= it.w
	}
	return items[len(items)-1]
}
