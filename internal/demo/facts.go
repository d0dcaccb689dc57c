package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/importer"
)

// The demo agency's scoring facts (migrations 00004_scoring): SKP results of the two years
// before the current one, a few disciplinary penalties, and competency development recorded
// outside Sertika — leadership training of the structural officials, functional training of
// JF holders, and technical and other activities of the previous and the current year — so
// that the IP ASN dashboards show a plausible agency from the first minute. Every row has
// source SourceDemo and no import run. The facts come from their own random stream, so the
// employees of a seed are the same with or without them.

// The rows are the importer's fact records (one definition of each table's row, and one
// insert path: importer.InsertFacts), each with the index of its employee in plan.emps, as
// the employees' ids are known only once they are written.

// skpRow is a row of skp_results.
type skpRow struct {
	importer.SKPRecord
	emp int // index into plan.emps
}

// penaltyRow is a row of disciplinary_penalties.
type penaltyRow struct {
	importer.PenaltyRecord
	emp int
}

// trainingRow is a row of external_trainings.
type trainingRow struct {
	importer.ExternalRecord
	emp int
}

// Statuses of external_trainings.
const (
	statusSubmitted  = "submitted"
	statusRecognised = "recognised"
	statusRejected   = "rejected"
)

// Shares of the facts (per employee, or per employee and year).
const (
	skpMissingShare   = 0.05 // an appraisal missing for a year
	skpRepeatShare    = 0.60 // the previous year's predikat again
	penaltyShare      = 0.02
	leadershipShare   = 0.80 // structural officials with the leadership training their eselon asks for
	lowerLevelShare   = 0.10 // … with one level below only
	functionalShare   = 0.65 // JF holders (not trained by appointment) with their functional training
	certNumberShare   = 0.85 // records with a certificate number
	secondOtherShare  = 0.25 // a second seminar, workshop… in a year
	technicalJP       = 20   // the yearly technical JP of indicator c
	minSubmitted      = 5
	maxSubmitted      = 30
	rejectedRecords   = 2
	employeesPerQueue = 150 // one record waiting for review per this many employees
)

// yearShares are, for the previous and the current year, the shares of employees with at
// least 20 technical JP, with some technical JP below 20, and with a seminar, workshop or
// other activity of indicator d: the agency improves a little from one year to the next.
var yearShares = [2]struct{ full, some, other float64 }{
	{full: 0.40, some: 0.25, other: 0.50},
	{full: 0.45, some: 0.25, other: 0.55},
}

// factGen draws the facts.
type factGen struct {
	r       *rand.Rand
	year    int // the current year
	today   domain.Date
	now     time.Time
	certSeq int
	used    map[string]bool // titles the current employee already has
}

// addFacts draws the scoring facts of the plan's employees as of now.
func (p *plan) addFacts(seed int64, now time.Time) {
	g := &factGen{
		r:     rand.New(rand.NewPCG(uint64(seed), 0xfac75)),
		year:  now.Year(),
		today: domain.DateOf(now),
		now:   now,
		used:  map[string]bool{},
	}
	r := g.r
	decrees := map[int]int{} // decree sequence per year
	for i, e := range p.emps {
		appointed := atoi(e.NIP[8:12])

		// SKP of Y-2 and Y-1 (predikat codes: every year since 2022).
		prev := ""
		for _, y := range []int{g.year - 2, g.year - 1} {
			if appointed > y || r.Float64() < skpMissingShare {
				prev = ""
				continue
			}
			pr := pickWeighted(r, predikatWeights)
			if prev != "" && r.Float64() < skpRepeatShare {
				pr = prev
			}
			prev = pr
			p.skp = append(p.skp, skpRow{emp: i, SKPRecord: importer.SKPRecord{Year: y, Predikat: pr, Source: SourceDemo,
				CreatedAt: now, UpdatedAt: now}})
		}

		// A disciplinary penalty that started in the last two years.
		if r.Float64() < penaltyShare {
			level := pickWeighted(r, penaltyLevels)
			start := g.between(domain.NewDate(g.year-1, time.January, 1), domain.DateOf(g.today.AddDate(0, 0, -1)))
			decrees[start.Year()]++
			p.penalties = append(p.penalties, penaltyRow{emp: i, PenaltyRecord: importer.PenaltyRecord{Level: level, StartDate: start,
				Kind:         pick(r, penaltyKinds[level]),
				DecreeNumber: fmt.Sprintf("800.1.6.4/%03d/BKPSDM/%d", decrees[start.Year()], start.Year()),
				Source:       SourceDemo, CreatedAt: now, UpdatedAt: now}})
		}

		clear(g.used)
		// Leadership training of structural officials (no time window: any earlier year).
		if rank := requiredRank(e.Eselon); rank > 0 {
			x := r.Float64()
			switch {
			case x < leadershipShare:
			case x < leadershipShare+lowerLevelShare && rank < 4:
				rank++
			default:
				rank = 0
			}
			if lc, ok := leadership[rank]; ok {
				y := g.pastYear(appointed, 9)
				code, title, jp := lc.code, lc.title, lc.jp
				if y < leadershipChangeYear {
					code, title, jp = lc.oldCode, lc.oldTitle, lc.oldJP
				}
				title += " Angkatan " + pick(r, []string{"I", "II", "III", "IV"})
				p.trainings = append(p.trainings, g.training(i, course{"kepemimpinan", title, lc.org, jp, jp}, code, jp, g.inYear(y)))
			}
		}
		// Functional training of JF holders not trained by appointment.
		if e.PositionKind == domain.PositionFungsional && !exemptJF(e.JFName) && r.Float64() < functionalShare {
			base, _ := splitJF(e.JFName)
			jp := 60 + 10*r.IntN(7)
			c := course{"fungsional", "Pelatihan Pembentukan Jabatan Fungsional " + base, functionalOrgs[r.IntN(len(functionalOrgs))], jp, jp}
			p.trainings = append(p.trainings, g.training(i, c, "", jp, g.inYear(g.pastYear(appointed, 6))))
		}

		// Technical JP and other activities of the previous and the current year.
		area := areaOf(p.opds[p.empOPD[i]].Code)
		for k, y := range []int{g.year - 1, g.year} {
			sh := yearShares[k]
			switch x := r.Float64(); {
			case x < sh.full:
				sum, last := 0, -1
				for n := 0; sum < technicalJP && n < 4; n++ {
					c, ok := g.course(technicalCourses, area)
					if !ok {
						break
					}
					jp := c.jpMin + r.IntN(c.jpMax-c.jpMin+1)
					sum += jp
					last = len(p.trainings)
					p.trainings = append(p.trainings, g.training(i, c, "", jp, g.inYear(y)))
				}
				if last >= 0 && sum < technicalJP {
					p.trainings[last].JP += technicalJP - sum
				}
			case x < sh.full+sh.some:
				if c, ok := g.course(technicalCourses, area); ok {
					jp := min(c.jpMax, 6+r.IntN(12)) // 6…17: short of 20
					p.trainings = append(p.trainings, g.training(i, c, "", jp, g.inYear(y)))
				}
			}
			if r.Float64() < sh.other {
				for n := 0; n == 0 || (n == 1 && r.Float64() < secondOtherShare); n++ {
					if c, ok := g.course(otherCourses, area); ok {
						jp := c.jpMin + r.IntN(c.jpMax-c.jpMin+1)
						p.trainings = append(p.trainings, g.training(i, c, "", jp, g.inYear(y)))
					}
				}
			}
		}
	}

	// A review queue: some records of the current year wait for BKPSDM's decision, one or two
	// were rejected; the demo employee's account has one waiting too.
	var cands []int
	for j, t := range p.trainings {
		if t.EndDate.Year() == g.year && t.Kind != "kepemimpinan" && t.Kind != "fungsional" {
			cands = append(cands, j)
		}
	}
	nSub := min(max(len(p.emps)/employeesPerQueue, minSubmitted), maxSubmitted)
	for k, j := range r.Perm(len(cands))[:min(len(cands), nSub+rejectedRecords)] {
		t := &p.trainings[cands[j]]
		if k < nSub {
			g.submitted(t)
			continue
		}
		created := now.Add(-time.Duration(48+r.IntN(240)) * time.Hour)
		reviewed := created.Add(time.Duration(2+r.IntN(40)) * time.Hour)
		t.Status, t.ReviewReason, t.ReviewedAt = statusRejected, rejectReasons[(k-nSub)%len(rejectReasons)], &reviewed
		t.CreatedAt, t.UpdatedAt = created, reviewed
	}
	if p.pegawai >= 0 {
		clear(g.used)
		end := domain.DateOf(now.AddDate(0, 0, -20))
		if end.Year() != g.year {
			end = g.today
		}
		t := g.training(p.pegawai, course{"bimtek", "Bimbingan Teknis Penulisan Karya Tulis Ilmiah", orgBPSDM, 24, 24}, "", 24, end)
		g.submitted(&t)
		p.trainings = append(p.trainings, t)
	}
}

// submitted turns a record into a submission waiting for review, sent in the last days.
func (g *factGen) submitted(t *trainingRow) {
	created := g.now.Add(-time.Duration(1+g.r.IntN(96)) * time.Hour)
	if !domain.DateOf(created).After(t.EndDate.Time) {
		created = g.now.Add(-time.Hour)
	}
	t.Status, t.ReviewedAt, t.CreatedAt, t.UpdatedAt = statusSubmitted, nil, created, created
}

// training returns a recognised record of the employee ending on end.
func (g *factGen) training(emp int, c course, level string, jp int, end domain.Date) trainingRow {
	r := g.r
	g.used[c.title] = true
	days := max(1, (jp+7)/8) // about 8 JP a day in class
	switch c.kind {
	case "e_learning", "jarak_jauh", "belajar_mandiri", "coaching", "mentoring", "komunitas_belajar", "bimbingan_kerja":
		days = 7 + r.IntN(24)
	case "magang", "detasering", "pertukaran":
		days = 14 + r.IntN(17)
	case "kepemimpinan":
		days = 90 + r.IntN(60)
	}
	number := ""
	if r.Float64() < certNumberShare {
		g.certSeq++
		number = fmt.Sprintf("%04d/%s/%d", g.certSeq, c.org.code, end.Year())
	}
	reviewed := g.now
	return trainingRow{emp: emp, ExternalRecord: importer.ExternalRecord{Kind: c.kind, Level: level, Title: c.title, JP: jp,
		StartDate: domain.DateOf(end.AddDate(0, 0, -(days - 1))), EndDate: end, Organizer: c.org.name,
		CertificateNumber: number, Status: statusRecognised, ReviewedAt: &reviewed, Source: SourceDemo,
		CreatedAt: g.now, UpdatedAt: g.now}}
}

// course draws an activity of the catalogue the employee has not attended yet: of the
// employee's field more often than a general one.
func (g *factGen) course(catalogue map[string][]course, area string) (course, bool) {
	for range 8 {
		list := catalogue[areaUmum]
		if area != areaUmum && g.r.Float64() < 0.6 {
			list = catalogue[area]
		}
		c := list[g.r.IntN(len(list))]
		if !g.used[c.title] {
			return c, true
		}
	}
	return course{}, false
}

// inYear draws a day of year y from mid-January to mid-December, and not after yesterday
// (activities are recorded once they are over; early in January, today).
func (g *factGen) inYear(y int) domain.Date {
	lo, hi := domain.NewDate(y, time.January, 10), domain.NewDate(y, time.December, 15)
	if yesterday := domain.DateOf(g.today.AddDate(0, 0, -1)); yesterday.Before(hi.Time) {
		hi = yesterday
	}
	if hi.Before(lo.Time) {
		lo = domain.NewDate(y, time.January, 1)
		hi = domain.Date{Time: maxTime(lo.Time, hi.Time)}
	}
	return g.between(lo, hi)
}

// between draws a day from lo to hi (lo when hi is before it).
func (g *factGen) between(lo, hi domain.Date) domain.Date {
	span := max(0, int(hi.Sub(lo.Time).Hours()/24)) + 1
	return domain.DateOf(lo.AddDate(0, 0, g.r.IntN(span)))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// pastYear draws a year among the n before the current one, not before the appointment.
func (g *factGen) pastYear(appointed, n int) int {
	y := g.year - 1 - g.r.IntN(n)
	return min(max(y, appointed), g.year-1)
}

// requiredRank is the leadership-training rank an eselon asks for (rules §3 a); 0 for none.
func requiredRank(eselon string) int {
	switch {
	case strings.HasPrefix(eselon, "IV"):
		return 4
	case strings.HasPrefix(eselon, "III"):
		return 3
	case strings.HasPrefix(eselon, "II"):
		return 2
	}
	return 0
}

// exemptJF tells whether a JF counts as trained by appointment (a word of jfExempt).
func exemptJF(jf string) bool {
	for _, w := range strings.Fields(strings.ToLower(jf)) {
		for _, x := range jfExempt {
			if w == x {
				return true
			}
		}
	}
	return false
}
