package demo

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/nip"
)

var genNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// TestGenerateRules checks every generated employee against the rules of the demo data, on
// a large agency so that rare branches are reached.
func TestGenerateRules(t *testing.T) {
	p := generate(7, 20_000, genNow)
	if len(p.emps) != 20_000 || len(p.opds) != len(opds) {
		t.Fatalf("generated %d employees in %d OPDs, want 20000 in %d", len(p.emps), len(p.opds), len(opds))
	}
	seen := make(map[string]bool, len(p.emps))
	count := map[string]int{}
	edu := map[string]int{}
	for i, e := range p.emps {
		info, err := nip.ParseAt(e.NIP, genNow)
		if err != nil {
			t.Fatalf("employee %d %+v: invalid NIP: %v", i, e, err)
		}
		if seen[e.NIP] {
			t.Fatalf("duplicate NIP %s", e.NIP)
		}
		seen[e.NIP] = true
		if info.Kind != e.Status {
			t.Errorf("%s: NIP kind %s, status %s", e.NIP, info.Kind, e.Status)
		}
		by := info.BirthDate.Year()
		if by < 1965 || by > 2000 {
			t.Errorf("%s: born %d, want 1965–2000", e.NIP, by)
		}
		if info.AppointYear < by+19 || info.AppointYear > latestYear {
			t.Errorf("%s: appointed %d, born %d", e.NIP, info.AppointYear, by)
		}
		if e.Status == domain.StatusPPPK {
			if e.NIP[12:14] != "21" || info.AppointYear < 2019 {
				t.Errorf("%s: PPPK number should read 21 at digits 13–14 and an appointment in 2019–2025", e.NIP)
			}
			if e.PositionKind == domain.PositionStruktural {
				t.Errorf("%s: a PPPK in a structural post", e.NIP)
			}
		}
		if info.Male == (e.NIP[14] == '2') {
			t.Errorf("%s: sex digit", e.NIP)
		}
		switch e.PositionKind {
		case domain.PositionStruktural:
			if _, ok := domain.NormalizeEselon(e.Eselon); !ok || e.Eselon == "" || e.JFName != "" {
				t.Errorf("%s: struktural with eselon %q, JF %q", e.NIP, e.Eselon, e.JFName)
			}
		case domain.PositionFungsional:
			if e.JFName == "" || e.Eselon != "" || e.Position != e.JFName {
				t.Errorf("%s: fungsional with JF %q, eselon %q, position %q", e.NIP, e.JFName, e.Eselon, e.Position)
			}
		case domain.PositionPelaksana:
			if e.JFName != "" || e.Eselon != "" || e.Position == "" {
				t.Errorf("%s: pelaksana with JF %q, eselon %q, position %q", e.NIP, e.JFName, e.Eselon, e.Position)
			}
		default:
			t.Errorf("%s: position kind %q", e.NIP, e.PositionKind)
		}
		if domain.EducationLabel(e.EducationLevel) == "" {
			t.Errorf("%s: education code %q", e.NIP, e.EducationLevel)
		}
		checkTitles(t, e)
		if strings.Count(e.Name, " ") < 1 || strings.TrimSpace(e.Name) != e.Name {
			t.Errorf("%s: name %q", e.NIP, e.Name)
		}
		count[e.Status]++
		count[e.PositionKind]++
		edu[e.EducationLevel]++
	}
	share := func(k string) float64 { return float64(count[k]) / float64(len(p.emps)) }
	within := func(k string, lo, hi float64) {
		if s := share(k); s < lo || s > hi {
			t.Errorf("share of %s = %.3f, want %.2f–%.2f", k, s, lo, hi)
		}
	}
	within(domain.StatusPPPK, 0.10, 0.20)
	within(domain.PositionStruktural, 0.07, 0.13)
	within(domain.PositionFungsional, 0.50, 0.60)
	within(domain.PositionPelaksana, 0.30, 0.40)
	var levels []string
	for _, k := range slices.Sorted(maps.Keys(edu)) {
		levels = append(levels, fmt.Sprintf("%s %s %.1f%%", k, domain.EducationLabel(k), 100*float64(edu[k])/float64(len(p.emps))))
	}
	t.Logf("PPPK %.1f%%, struktural %.1f%%, fungsional %.1f%%, pelaksana %.1f%%; education: %s",
		100*share(domain.StatusPPPK), 100*share(domain.PositionStruktural), 100*share(domain.PositionFungsional),
		100*share(domain.PositionPelaksana), strings.Join(levels, ", "))
	if edu["40"] < edu["15"] || edu["15"] == 0 || edu["30"] == 0 || edu["45"] == 0 || edu["50"] == 0 || edu["42"] == 0 {
		t.Errorf("implausible education mix: %v", edu)
	}
	// The people behind the demo accounts.
	head := p.emps[p.head]
	if head.Eselon != "II.b" || p.opds[p.empOPD[p.head]].Code != bkpsdmCode {
		t.Errorf("head = %+v", head)
	}
	if pg := p.emps[p.pegawai]; p.opds[p.empOPD[p.pegawai]].Code != EducationOPDCode || pg.JFName != "Guru Ahli Pertama" {
		t.Errorf("pegawai = %+v", pg)
	}
	if p.verifikator < 0 || p.opds[p.empOPD[p.verifikator]].Code != bkpsdmCode {
		t.Errorf("verifikator index %d", p.verifikator)
	}
}

// checkTitles checks that academic titles agree with the education level.
func checkTitles(t *testing.T, e domain.Employee) {
	t.Helper()
	f, b := e.FrontTitle, e.BackTitle
	master := false // some back title is a master's ("M.Si.", "M.Kes.")
	for _, part := range strings.Split(b, ", ") {
		master = master || strings.HasPrefix(part, "M.")
	}
	bad := func() { t.Errorf("%s: education %s with titles %q / %q", e.NIP, e.EducationLevel, f, b) }
	switch e.EducationLevel {
	case "05", "10", "15", "20":
		if f != "" || b != "" {
			bad()
		}
	case "25", "30":
		if f != "" || !strings.HasPrefix(b, "A.M") {
			bad()
		}
	case "35":
		if f != "" || !strings.HasPrefix(b, "S.") {
			bad()
		}
	case "40":
		if (f == "") == (b == "") || (f != "" && f != "Drs." && f != "Dra.") || master {
			bad()
		}
	case "42":
		if f != "dr." && f != "drg." && f != "drh." && f != "apt." && !strings.Contains(b, "Ns.") && !strings.Contains(b, "Bd.") {
			bad()
		}
	case "45":
		if !master || strings.HasPrefix(f, "Dr.") {
			bad()
		}
	case "47":
		if f != "dr." || !strings.HasPrefix(b, "Sp.") {
			bad()
		}
	case "50":
		if !strings.HasPrefix(f, "Dr.") || !master {
			bad()
		}
	}
	if strings.HasPrefix(e.JFName, "Dokter Gigi") && f != "drg." || strings.HasPrefix(e.JFName, "Dokter Ahli") && f != "dr." {
		bad()
	}
}

func TestGenerateDeterministic(t *testing.T) {
	a, b := generate(3, 500, genNow), generate(3, 500, genNow)
	for i := range a.emps {
		if a.emps[i] != b.emps[i] {
			t.Fatalf("employee %d differs: %+v vs %+v", i, a.emps[i], b.emps[i])
		}
	}
	c := generate(4, 500, genNow)
	same := 0
	for i := range a.emps {
		if a.emps[i].NIP == c.emps[i].NIP {
			same++
		}
	}
	if same > 5 {
		t.Errorf("seeds 3 and 4 share %d of 500 NIPs", same)
	}
}

// TestGenerateEarlyClock checks that appointments never lie after the clock.
func TestGenerateEarlyClock(t *testing.T) {
	now := time.Date(2025, 2, 15, 0, 0, 0, 0, time.UTC)
	for _, e := range generate(1, 5000, now).emps {
		if _, err := nip.ParseAt(e.NIP, now); err != nil {
			t.Fatalf("%+v: %v", e, err)
		}
	}
}

func TestAllocate(t *testing.T) {
	for _, n := range []int{MinEmployees, 300, 2000, 50_000} {
		sizes := allocate(n)
		sum := 0
		for i, s := range sizes {
			if s < 1 {
				t.Errorf("n=%d: OPD %s has %d employees", n, opds[i].code, s)
			}
			sum += s
		}
		if sum != n {
			t.Errorf("allocate(%d) sums to %d", n, sum)
		}
	}
}

func TestTables(t *testing.T) {
	codes := map[string]bool{}
	for _, o := range opds {
		if codes[o.code] {
			t.Errorf("duplicate OPD code %s", o.code)
		}
		codes[o.code] = true
		for _, jf := range o.jfs {
			base, level := splitJF(jf.name)
			if _, ok := jfBases[base]; !ok || level == "" {
				t.Errorf("%s: JF %q has no base entry or level", o.code, jf.name)
			}
		}
	}
	if !codes[EducationOPDCode] || !codes[bkpsdmCode] || len(opds) != 25 {
		t.Errorf("OPD table: %d OPDs, education %v, BKPSDM %v", len(opds), codes[EducationOPDCode], codes[bkpsdmCode])
	}
	for tier, ws := range eduTiers {
		for _, w := range ws {
			if domain.EducationLabel(w.name) == "" {
				t.Errorf("tier %s: unknown education code %s", tier, w.name)
			}
		}
	}
}

func TestLogo(t *testing.T) {
	logo := Logo()
	if len(logo) > 1<<20 || len(logo) < 100 || string(logo[1:4]) != "PNG" {
		t.Errorf("logo: %d bytes, header %q", len(logo), logo[:8])
	}
}

// TestGenerateFacts checks the generated scoring facts against the database's keys and the
// rules: valid codes, no record in the future, unique certificate numbers and natural keys
// per employee — also early in the year, when the current year has only begun.
func TestGenerateFacts(t *testing.T) {
	for _, c := range technicalCourses {
		for _, x := range append(slices.Clone(c), otherCourses[areaUmum]...) {
			if k, ok := domain.KindByCode(x.kind); !ok || x.kind == "kepemimpinan" || x.kind == "fungsional" || x.jpMin > x.jpMax || x.jpMin <= 0 {
				t.Errorf("catalogue entry %+v (kind %+v)", x, k)
			}
		}
	}
	for _, now := range []time.Time{genNow, time.Date(2027, 1, 1, 3, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)} {
		p := generate(11, 5000, now)
		today := domain.DateOf(now)
		skpKey := map[string]bool{}
		for _, k := range p.skp {
			key := fmt.Sprint(k.emp, k.Year)
			if skpKey[key] || k.Year < now.Year()-2 || k.Year > now.Year()-1 || k.Predikat == "" {
				t.Errorf("%v: SKP %+v", now, k)
			}
			skpKey[key] = true
		}
		decree := map[string]bool{}
		for _, pen := range p.penalties {
			if decree[pen.DecreeNumber] || pen.StartDate.After(today.Time) || pen.StartDate.Year() < now.Year()-1 {
				t.Errorf("%v: penalty %+v", now, pen)
			}
			decree[pen.DecreeNumber] = true
		}
		keys := map[string]bool{}
		for _, x := range p.trainings {
			key := fmt.Sprint(x.emp, "|n|", x.CertificateNumber)
			if x.CertificateNumber == "" {
				key = fmt.Sprint(x.emp, "|k|", x.Kind, x.Title, x.EndDate)
			}
			if keys[key] {
				t.Errorf("%v: duplicate key %s", now, key)
			}
			keys[key] = true
			if _, ok := domain.KindByCode(x.Kind); !ok || x.EndDate.After(today.Time) || x.StartDate.After(x.EndDate.Time) || x.JP <= 0 {
				t.Errorf("%v: record %+v", now, x)
			}
			if x.Kind == "kepemimpinan" {
				if _, ok := domain.LeadershipLevelByCode(x.Level); !ok {
					t.Errorf("%v: leadership record without a level: %+v", now, x)
				}
			}
		}
		if len(p.skp) < 8000 || len(p.trainings) < 10000 || len(p.penalties) < 50 {
			t.Errorf("%v: %d SKP, %d records, %d penalties for 5000 employees", now, len(p.skp), len(p.trainings), len(p.penalties))
		}
	}
}
