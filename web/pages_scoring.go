package web

import (
	"cmp"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/scoring"
)

// The IP ASN dashboards (issue 6, item 5). Every number comes from one call to the scoring
// service with the signed-in actor; the service decides who may see what (BKPSDM the
// agency and every OPD, an OPD user its own OPD, an employee their own score) and the
// handlers only require a signed-in user. Redirecting an OPD user or an employee from
// /skor to their own page is navigation, not a right: the page they land on asks the
// service again.
//
//	GET  /skor                 agency dashboard (BKPSDM); opd → /skor/opd/{own}; pegawai → /skor/pegawai/{own}
//	POST /skor/target          set the year's target (the service: admin only)
//	GET  /skor/opd/:code       one OPD's dashboard with its employees, paged
//	GET  /skor/pegawai/:nip    one employee's score, explained
//	GET  /skor/daftar          ?jenis=below_jp|incomplete|all&opd=&tahun=&hal= — employee lists, paged
//	GET  /skor/cetak           ?opd=&tahun= — print-friendly A4 report, no menu
//	GET  /skor/ekspor.xlsx     ?opd=&tahun= — the tables as a workbook (pages_scoring_export.go)
//
// Numbers are written the Indonesian way (71,58); each headline number also carries its
// machine value in data-value, which the browser test compares with the JSON API.
func (s *Server) routesScoringPages() {
	app := s.App
	app.Get("/skor", requireLogin, s.scoreHome)
	app.Post("/skor/target", requireLogin, s.scoreSetTarget)
	app.Get("/skor/opd/:code", requireLogin, s.scoreOPD)
	app.Get("/skor/pegawai/:nip", requireLogin, s.scoreEmployee)
	app.Get("/skor/daftar", requireLogin, s.scoreList)
	app.Get("/skor/cetak", requireLogin, s.scorePrint)
	app.Get("/skor/ekspor.xlsx", requireLogin, s.scoreExport)
}

// scorePerPage is the page size of the employee tables.
const scorePerPage = 50

// errScoreYear answers a year that is not four digits.
var errScoreYear = apperr.Invalid("Tahun harus empat angka, misalnya 2026.")

// scoreYear reads ?tahun= (default: the current measurement year). The service checks the
// range.
func (s *Server) scoreYear(c *fiber.Ctx) (int, error) {
	v := strings.TrimSpace(c.Query("tahun"))
	if v == "" {
		return s.Scoring.CurrentYear(), nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || len(v) != 4 {
		return 0, errScoreYear
	}
	return y, nil
}

// scorePage reads ?hal= (1 when absent or unusable).
func scorePage(c *fiber.Ctx) int {
	p, err := strconv.Atoi(c.Query("hal", "1"))
	if err != nil || p < 1 || p > 1_000_000 {
		return 1
	}
	return p
}

// scoreURL builds an address under /skor with the non-empty parameters, in a fixed order.
func scoreURL(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// yearParam is the year for an address: empty for the current year (shorter links).
func (s *Server) yearParam(year int) string {
	if year == s.Scoring.CurrentYear() {
		return ""
	}
	return strconv.Itoa(year)
}

// ---- formatting ----

// dec2 writes a score with 2 decimals the Indonesian way (71,58).
func dec2(v float64) string { return idDec(v, 2) }

// dataNum is the machine form of a number for data-value attributes (71.58).
func dataNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ruleSetOf returns the rule set a dashboard or score was computed with (for the maxima
// and the category bounds), falling back to the store's.
func (s *Server) ruleSetOf(id string) *scoring.RuleSet {
	if id != "" && id != s.Scoring.RuleSet().ID {
		if rs, err := scoring.Load(id); err == nil {
			return rs
		}
	}
	return s.Scoring.RuleSet()
}

// dimensionMaxima are the four maxima of a rule set in formula order.
func dimensionMaxima(rs *scoring.RuleSet) [4]float64 {
	return [4]float64{rs.Kualifikasi.Max, rs.Kompetensi.Max, rs.Kinerja.Max, rs.Disiplin.Max}
}

// dimensionValues are a summary's four dimension means in formula order.
func dimensionValues(sum scoring.Summary) [4]float64 {
	return [4]float64{sum.Kualifikasi, sum.Kompetensi, sum.Kinerja, sum.Disiplin}
}

// categoryRanges describes each category's bounds in words ("> 70 – 80", "≤ 60").
func categoryRanges(rs *scoring.RuleSet) map[scoring.Category]string {
	out := map[scoring.Category]string{}
	var upper *float64
	for _, c := range rs.Categories {
		switch {
		case c.Above != nil && upper == nil:
			out[c.Code] = "> " + idNum(*c.Above)
		case c.Above != nil:
			out[c.Code] = "> " + idNum(*c.Above) + " – " + idNum(*upper)
		case upper != nil:
			out[c.Code] = "≤ " + idNum(*upper)
		}
		upper = c.Above
	}
	return out
}

// idNum writes a number with as many decimals as it needs, the Indonesian way (90, 72,5).
func idNum(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	return strings.Replace(s, ".", ",", 1)
}

// ---- the dashboard of the agency or an OPD ----

// scoreDashView is a dashboard as the templates show it.
type scoreDashView struct {
	D        *scoring.Dashboard
	Agency   bool
	Heading  string
	Year     int
	Years    []int
	Action   string // the year selector's address
	Measured bool

	IP, IPData, MeanIP     string
	Category, CategoryText string
	CategoryRange          string

	Dimensions   template.HTML
	Distribution template.HTML

	HasTarget                    bool
	Target, TargetData           string
	Achievement, AchievementData string
	TargetBars                   template.HTML

	Trend     template.HTML
	TrendRows []scoreTrendRow

	Breakdowns []scoreBreakdown
	OPDs       []scoreOPDRow
	OPDHeads   []scoreSortHead

	Coverage                  string
	CoverageBar               template.HTML
	BelowJPURL, IncompleteURL string
	PrintURL, ExportURL       string
	ExcludedNote              string
	// OPDParam and YearParam are the ?opd= and ?tahun= of the page's links ("" for the
	// agency and the current year).
	OPDParam, YearParam string
}

// scoreTrendRow is a year of the trend's data table.
type scoreTrendRow struct {
	Year                           int
	Count                          string
	IP, Category                   string
	Target, Achievement            string
	HasValue, HasTarget, HasAchiev bool
}

// scoreBreakdown is one breakdown table (by kind of position, education or status).
type scoreBreakdown struct {
	ID, Title, KeyHead string
	Rows               []scoreBreakdownRow
}

// scoreBreakdownRow is one group of a breakdown.
type scoreBreakdownRow struct {
	Label, Count                 string
	Dims                         [4]scoreCell
	IP, IPData, Category, CatKey string
	Bar                          template.HTML
	Measured                     bool
}

// scoreCell is a labelled number of a table row (the label heads the cell on a phone).
type scoreCell struct{ Label, Value string }

// scoreOPDRow is one OPD of the per-OPD table.
type scoreOPDRow struct {
	Code, Name, URL, Count, IP, IPData, Category, CatKey string
	Bar                                                  template.HTML
	Measured                                             bool
}

// scoreSortHead is a sortable column heading of the per-OPD table: a link that sorts by the
// column (again: the other way round) and aria-sort on the current one.
type scoreSortHead struct {
	Label, URL, Sort string
	Numeric          bool
}

// buildDashView turns a service dashboard into the view; sortKey and sortDir are the
// per-OPD table's order from the address (?urut=, ?arah=).
func (s *Server) buildDashView(d *scoring.Dashboard, sortKey, sortDir string) *scoreDashView {
	rs := s.ruleSetOf(d.RuleSet)
	ranges := categoryRanges(rs)
	sum := d.Summary
	v := &scoreDashView{D: d, Agency: d.Scope == scoring.ScopeAgency, Year: d.Year, Measured: sum.Count > 0}
	v.YearParam = s.yearParam(d.Year)
	if v.Agency {
		v.Heading = "IP ASN Instansi"
		v.Action = "/skor"
	} else {
		v.Heading = "IP ASN " + d.OPD.Name
		v.Action = "/skor/opd/" + url.PathEscape(d.OPD.Code)
		v.OPDParam = d.OPD.Code
	}
	v.PrintURL = scoreURL("/skor/cetak", "opd", v.OPDParam, "tahun", v.YearParam)
	v.ExportURL = scoreURL("/skor/ekspor.xlsx", "opd", v.OPDParam, "tahun", v.YearParam)
	v.BelowJPURL = scoreURL("/skor/daftar", "jenis", scoring.ListBelowJP, "opd", v.OPDParam, "tahun", v.YearParam)
	v.IncompleteURL = scoreURL("/skor/daftar", "jenis", scoring.ListIncomplete, "opd", v.OPDParam, "tahun", v.YearParam)

	if v.Measured {
		v.IP, v.IPData, v.MeanIP = dec2(sum.Total), dataNum(sum.Total), dec2(sum.MeanIP)
		v.Category, v.CategoryText = string(sum.Category), sum.CategoryLabel
		v.CategoryRange = ranges[sum.Category]
	} else {
		v.IP, v.CategoryText = "–", "Belum ada data"
	}
	if sum.Excluded > 0 {
		v.ExcludedNote = fmt.Sprintf("%s pegawai tidak diukur oleh aturan %s (misalnya PPPK) dan tidak dihitung.", thousands(sum.Excluded), rs.Name)
	}

	// The four dimensions against their maxima.
	maxima, vals := dimensionMaxima(rs), dimensionValues(sum)
	dims := make([]barItem, 4)
	for i, dim := range scoring.Dimensions {
		dims[i] = barItem{Key: string(dim), Label: dim.Label(), Value: vals[i], Max: maxima[i],
			Text: dec2(vals[i]) + " dari " + idNum(maxima[i]), ValueID: "dim-" + string(dim), DataValue: dataNum(vals[i])}
		if !v.Measured {
			dims[i].Text, dims[i].DataValue = "– dari "+idNum(maxima[i]), ""
		}
	}
	v.Dimensions = hBars("dimensi", "", dims)

	// The distribution over the categories.
	var dist []barItem
	for _, cc := range sum.Distribution {
		note := ""
		if r := ranges[cc.Category]; r != "" {
			note = "(" + r + ")"
		}
		dist = append(dist, barItem{Key: string(cc.Category), Label: cc.Label, Note: note, Value: float64(cc.Count), Max: float64(sum.Count),
			Text: thousands(cc.Count) + " pegawai (" + dec2(cc.Percent) + "%)", ValueID: "dist-" + string(cc.Category),
			DataValue: strconv.Itoa(cc.Count)})
	}
	v.Distribution = hBars("distribusi", "", dist)

	// Target and achievement.
	if d.Target != nil {
		v.HasTarget, v.Target, v.TargetData = true, dec2(*d.Target), dataNum(*d.Target)
		if d.Achievement != nil {
			v.Achievement, v.AchievementData = dec2(*d.Achievement)+"%", dataNum(*d.Achievement)
		}
		if v.Measured {
			v.TargetBars = hBars("", "", []barItem{
				{Key: "ip", Label: "IP ASN", Note: "terhadap target", Value: sum.Total, Max: 100, Marker: d.Target, Text: v.IP},
			})
		}
	}

	// The trend, with the data table the chart summarises.
	var items []trendItem
	var desc []string
	for _, p := range d.Trend {
		it := trendItem{Year: p.Year, Has: p.Summary.Count > 0, Value: p.Summary.Total, Category: string(p.Summary.Category), Target: p.Target}
		items = append(items, it)
		row := scoreTrendRow{Year: p.Year, Count: thousands(p.Summary.Count), HasValue: it.Has}
		part := strconv.Itoa(p.Year) + ": "
		if it.Has {
			row.IP, row.Category = dec2(p.Summary.Total), p.Summary.CategoryLabel
			part += row.IP + " (" + row.Category + ")"
		} else {
			part += "belum ada data"
		}
		if p.Target != nil {
			row.HasTarget, row.Target = true, dec2(*p.Target)
			part += ", target " + row.Target
			if a, ok := p.Summary.Achievement(*p.Target); ok && it.Has {
				row.HasAchiev, row.Achievement = true, dec2(a)+"%"
			}
		}
		desc = append(desc, part)
		v.TrendRows = append(v.TrendRows, row)
	}
	if len(items) > 0 {
		v.Trend = trendChart("tren", "Tren IP ASN per tahun", "Kolom: IP ASN per tahun pada skala 0–100; garis putus-putus: target. "+
			strings.Join(desc, "; ")+".", items)
	}

	// Breakdowns.
	v.Breakdowns = []scoreBreakdown{
		s.breakdownView("rincian-jabatan", "Menurut jenis jabatan", "Jenis jabatan", d.ByPosition),
		s.breakdownView("rincian-pendidikan", "Menurut pendidikan", "Pendidikan", d.ByEducation),
		s.breakdownView("rincian-status", "Menurut status kepegawaian", "Status", d.ByStatus),
	}

	// Per OPD (agency only), sorted as asked.
	if v.Agency {
		v.OPDs, v.OPDHeads = s.opdTable(d, sortKey, sortDir)
	}

	// Coverage.
	if d.Employees > 0 {
		pct := scoring.Round2(float64(d.Scored) / float64(d.Employees) * 100)
		v.Coverage = dec2(pct) + "%"
		v.CoverageBar = miniBar(float64(d.Scored), float64(d.Employees))
	}
	return v
}

func (s *Server) breakdownView(id, title, keyHead string, bs []scoring.Breakdown) scoreBreakdown {
	out := scoreBreakdown{ID: id, Title: title, KeyHead: keyHead}
	for _, b := range bs {
		r := scoreBreakdownRow{Label: b.Label, Count: thousands(b.Summary.Count), Measured: b.Summary.Count > 0}
		vals := dimensionValues(b.Summary)
		for i, dim := range scoring.Dimensions {
			r.Dims[i] = scoreCell{Label: dim.Label(), Value: "–"}
			if r.Measured {
				r.Dims[i].Value = dec2(vals[i])
			}
		}
		if r.Measured {
			r.IP, r.IPData, r.Category, r.CatKey = dec2(b.Summary.Total), dataNum(b.Summary.Total), b.Summary.CategoryLabel, string(b.Summary.Category)
			r.Bar = miniBar(b.Summary.Total, 100)
		} else {
			r.IP, r.Category = "–", "–"
		}
		out.Rows = append(out.Rows, r)
	}
	return out
}

// opdSortKeys are the per-OPD table's sort columns (?urut=).
var opdSortKeys = []struct{ Key, Label string }{{"kode", "Kode"}, {"nama", "Nama OPD"}, {"pegawai", "Pegawai diukur"}, {"ip", "IP ASN"}}

// opdTable sorts the per-OPD rows by key (kode, nama, pegawai, ip) and direction (naik,
// turun) and builds the sortable headings. OPDs without measured employees stay last when
// sorting by a number.
func (s *Server) opdTable(d *scoring.Dashboard, key, dir string) ([]scoreOPDRow, []scoreSortHead) {
	if !slices.ContainsFunc(opdSortKeys, func(k struct{ Key, Label string }) bool { return k.Key == key }) {
		key = "kode"
	}
	if dir != "turun" {
		dir = "naik"
	}
	opds := slices.Clone(d.OPDs)
	slices.SortStableFunc(opds, func(a, b scoring.OPDScore) int {
		var c int
		switch key {
		case "nama":
			c = cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		case "pegawai":
			c = cmp.Compare(a.Summary.Count, b.Summary.Count)
		case "ip":
			if (a.Summary.Count > 0) != (b.Summary.Count > 0) {
				if a.Summary.Count > 0 {
					return -1
				}
				return 1
			}
			c = cmp.Compare(a.Summary.Total, b.Summary.Total)
		}
		if dir == "turun" {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.Code, b.Code))
	})
	year := s.yearParam(d.Year)
	rows := make([]scoreOPDRow, len(opds))
	for i, o := range opds {
		r := scoreOPDRow{Code: o.Code, Name: o.Name, URL: scoreURL("/skor/opd/"+url.PathEscape(o.Code), "tahun", year),
			Count: thousands(o.Summary.Count), Measured: o.Summary.Count > 0, IP: "–", Category: "–"}
		if r.Measured {
			r.IP, r.IPData, r.Category, r.CatKey = dec2(o.Summary.Total), dataNum(o.Summary.Total), o.Summary.CategoryLabel, string(o.Summary.Category)
			r.Bar = miniBar(o.Summary.Total, 100)
		}
		rows[i] = r
	}
	heads := make([]scoreSortHead, len(opdSortKeys))
	for i, k := range opdSortKeys {
		h := scoreSortHead{Label: k.Label, Numeric: k.Key == "pegawai" || k.Key == "ip"}
		next := "naik"
		if k.Key == key {
			h.Sort = map[string]string{"naik": "ascending", "turun": "descending"}[dir]
			if dir == "naik" {
				next = "turun"
			}
		} else if h.Numeric {
			next = "turun" // numbers: highest first on the first click
		}
		h.URL = scoreURL("/skor", "tahun", year, "urut", k.Key, "arah", next) + "#per-opd"
		heads[i] = h
	}
	return rows, heads
}

// yearOptions are the years offered by the year selector: the last five, the selected
// one and every year with scores, newest first.
func (s *Server) yearOptions(selected int, trend []scoring.TrendPoint) []int {
	cur := s.Scoring.CurrentYear()
	set := map[int]bool{selected: true}
	for y := cur - 4; y <= cur; y++ {
		set[y] = true
	}
	for _, p := range trend {
		set[p.Year] = true
	}
	out := make([]int, 0, len(set))
	for y := range set {
		out = append(out, y)
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// scoreHome is /skor: the agency dashboard for BKPSDM; an OPD user and an employee are
// sent to their own page (the same year).
func (s *Server) scoreHome(c *fiber.Ctx) error {
	u, _ := currentUser(c)
	year, err := s.scoreYear(c)
	if err != nil {
		return err
	}
	switch {
	case u.Role == domain.RoleOPD && u.OPD != nil:
		return c.Redirect(scoreURL("/skor/opd/"+url.PathEscape(u.OPD.Code), "tahun", s.yearParam(year)), fiber.StatusSeeOther)
	case u.Role == domain.RolePegawai && u.NIP != "":
		return c.Redirect(scoreURL("/skor/pegawai/"+url.PathEscape(u.NIP), "tahun", s.yearParam(year)), fiber.StatusSeeOther)
	}
	return s.agencyDashboard(c, fiber.StatusOK, year, nil)
}

// agencyDashboard renders the agency dashboard; extra carries the target form's outcome.
func (s *Server) agencyDashboard(c *fiber.Ctx, status, year int, extra fiber.Map) error {
	d, err := s.Scoring.AgencyDashboard(c.UserContext(), actor(c), year)
	if err != nil {
		return err
	}
	v := s.buildDashView(d, c.Query("urut"), c.Query("arah"))
	v.Years = s.yearOptions(year, d.Trend)
	data := fiber.Map{"V": v, "TargetValue": ""}
	if d.Target != nil {
		data["TargetValue"] = dataNum(*d.Target)
	}
	for k, x := range extra {
		data[k] = x
	}
	return s.page(c, status, "score_dashboard", fmt.Sprintf("IP ASN %d", year), data)
}

// scoreSetTarget sets the year's target (Store.SetTarget, administrators only) and goes
// back to the dashboard of that year. What the service refuses as input comes back on the
// dashboard with the message next to the form.
func (s *Server) scoreSetTarget(c *fiber.Ctx) error {
	yearText := strings.TrimSpace(formValue(c, "tahun"))
	targetText := strings.TrimSpace(formValue(c, "target"))
	year, _ := strconv.Atoi(yearText)
	// A comma is the Indonesian decimal separator: 72,5 means 72.5.
	target, perr := strconv.ParseFloat(strings.Replace(targetText, ",", ".", 1), 64)
	if perr != nil {
		target = -1 // the service refuses it, after checking the role
	}
	if err := s.Scoring.SetTarget(c.UserContext(), actor(c), year, target); err != nil {
		status, msg, ok := formError(err)
		if !ok {
			return err
		}
		if year < 2000 || year > 2100 {
			year = s.Scoring.CurrentYear()
		}
		return s.agencyDashboard(c, status, year, fiber.Map{"TargetError": msg, "TargetValue": targetText})
	}
	s.flash(c, fmt.Sprintf("Target IP ASN tahun %d ditetapkan: %s.", year, dec2(target)))
	return c.Redirect(scoreURL("/skor", "tahun", s.yearParam(year)), fiber.StatusSeeOther)
}

// scoreOPD is one OPD's dashboard with its employees, paged.
func (s *Server) scoreOPD(c *fiber.Ctx) error {
	year, err := s.scoreYear(c)
	if err != nil {
		return err
	}
	a := actor(c)
	code := pathParam(c, "code")
	d, err := s.Scoring.OPDDashboard(c.UserContext(), a, code, year)
	if err != nil {
		return err
	}
	v := s.buildDashView(d, "", "")
	v.Years = s.yearOptions(year, d.Trend)
	page := scorePage(c)
	rows, total, err := s.Scoring.DashboardList(c.UserContext(), a, d.OPD.Code, year, scoring.ListAll, scorePerPage, (page-1)*scorePerPage)
	if err != nil {
		return err
	}
	data := fiber.Map{"V": v}
	s.employeeRows(data, rows, total, page, year, func(p int) string {
		return scoreURL(v.Action, "tahun", v.YearParam, "hal", pageParam(p)) + "#pegawai"
	})
	return s.page(c, fiber.StatusOK, "score_dashboard", fmt.Sprintf("IP ASN %s %d", d.OPD.Name, year), data)
}

func pageParam(p int) string {
	if p <= 1 {
		return ""
	}
	return strconv.Itoa(p)
}

// scoreEmployeeRow is an employee in a list, formatted.
type scoreEmployeeRow struct {
	NIP, Name, Position, Status, OPDCode, URL string
	IP, IPData, JP                            string
	Below                                     bool
	Incomplete                                []string
}

// employeeRows puts a page of employee rows into data: Employees, Total, From, To and the
// pager's addresses.
func (s *Server) employeeRows(data fiber.Map, rows []scoring.EmployeeRow, total int64, page, year int, pageURL func(int) string) {
	out := make([]scoreEmployeeRow, len(rows))
	for i, r := range rows {
		out[i] = scoreEmployeeRow{NIP: r.NIP, Name: r.Name, Position: r.Position, Status: r.Status, OPDCode: r.OPDCode,
			URL: scoreURL("/skor/pegawai/"+url.PathEscape(r.NIP), "tahun", s.yearParam(year)),
			IP:  dec2(r.Total), IPData: dataNum(r.Total), JP: strconv.Itoa(r.JP) + " / " + strconv.Itoa(r.JPDuty),
			Below: r.JPDuty > 0 && r.JP < r.JPDuty, Incomplete: r.Incomplete}
	}
	data["Employees"], data["Total"] = out, total
	if len(rows) > 0 {
		from := (page-1)*scorePerPage + 1
		data["From"], data["To"] = from, from+len(rows)-1
	}
	if page > 1 {
		data["PrevURL"] = pageURL(page - 1)
	}
	if int64((page-1)*scorePerPage+len(rows)) < total {
		data["NextURL"] = pageURL(page + 1)
	}
}

// scoreListKinds name the lists of /skor/daftar.
var scoreListKinds = map[string]struct{ Title, Empty, Hint string }{
	scoring.ListBelowJP: {"Pegawai di bawah kewajiban JP", "Semua pegawai sudah memenuhi kewajiban JP tahun ini.",
		"Pegawai yang jumlah JP pengembangan kompetensinya tahun ini belum mencapai kewajiban (20 JP untuk PNS), JP paling sedikit lebih dulu."},
	scoring.ListIncomplete: {"Pegawai dengan data tidak lengkap", "Tidak ada pegawai dengan data tidak lengkap.",
		"Pegawai yang skornya dihitung dengan data yang kurang atau tidak dapat dipakai. Lengkapi datanya agar skornya benar."},
	scoring.ListAll: {"Semua pegawai bernilai", "Belum ada pegawai dengan skor tersimpan.", "Skor tertinggi lebih dulu."},
}

// scoreList is /skor/daftar: the employees below their JP duty, with incomplete data, or
// all, of the agency or one OPD (an OPD user without ?opd= gets their own OPD).
func (s *Server) scoreList(c *fiber.Ctx) error {
	year, err := s.scoreYear(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	kind := strings.Clone(c.Query("jenis", scoring.ListBelowJP))
	opd := strings.TrimSpace(strings.Clone(c.Query("opd")))
	if opd == "" && u.Role == domain.RoleOPD && u.OPD != nil {
		opd = u.OPD.Code
	}
	page := scorePage(c)
	rows, total, err := s.Scoring.DashboardList(c.UserContext(), actor(c), opd, year, kind, scorePerPage, (page-1)*scorePerPage)
	if err != nil {
		return err
	}
	k := scoreListKinds[kind]
	scope := "seluruh instansi"
	back := scoreURL("/skor", "tahun", s.yearParam(year))
	if opd != "" {
		scope = "OPD " + opd
		back = scoreURL("/skor/opd/"+url.PathEscape(opd), "tahun", s.yearParam(year))
	}
	type tab struct {
		Label, URL string
		Current    bool
	}
	var tabs []tab
	for _, t := range []struct{ kind, label string }{{scoring.ListBelowJP, "Di bawah 20 JP"}, {scoring.ListIncomplete, "Data tidak lengkap"}, {scoring.ListAll, "Semua"}} {
		tabs = append(tabs, tab{Label: t.label, URL: scoreURL("/skor/daftar", "jenis", t.kind, "opd", opd, "tahun", s.yearParam(year)), Current: t.kind == kind})
	}
	data := fiber.Map{"Tabs": tabs, "Kind": kind, "Heading": k.Title, "Empty": k.Empty, "Hint": k.Hint, "Scope": scope, "Year": year,
		"Back": back, "OPD": opd}
	s.employeeRows(data, rows, total, page, year, func(p int) string {
		return scoreURL("/skor/daftar", "jenis", kind, "opd", opd, "tahun", s.yearParam(year), "hal", pageParam(p))
	})
	return s.page(c, fiber.StatusOK, "score_list", fmt.Sprintf("%s %d", k.Title, year), data)
}

// ---- one employee ----

// scoreDimView is one dimension of an employee's score with its explanation and hints.
type scoreDimView struct {
	Key, Label, Points, PointsData, Max string
	Lines                               []scoreLineView
	Hints                               []scoreHintView
}

type scoreLineView struct {
	Indicator, Text, Points string
	Facts                   []scoreFactView
}

type scoreFactView struct{ Label, URL string }

type scoreHintView struct {
	Dimension, Text, Gain, GainData string
}

// scoreIndicatorLabels name the kompetensi indicators.
var scoreIndicatorLabels = map[scoring.Indicator]string{
	scoring.IndicatorA: "a. Pelatihan kepemimpinan", scoring.IndicatorB: "b. Pelatihan fungsional",
	scoring.IndicatorC: "c. Pelatihan teknis (JP)", scoring.IndicatorD: "d. Seminar, workshop, kursus dan sejenisnya",
	scoring.IndicatorBase: "Nilai dasar dari predikat kinerja", scoring.IndicatorCap: "Batas maksimum",
}

// factView names a fact the score used and links it where Sertika has a page for it.
func factView(id string) scoreFactView {
	kind, ref, _ := strings.Cut(id, ":")
	switch kind + ":" {
	case scoring.SourceCertificate:
		return scoreFactView{Label: "Sertifikat " + ref, URL: "/sertifikat/" + url.PathEscape(ref)}
	case scoring.SourceExternal:
		return scoreFactView{Label: "Pelatihan eksternal #" + ref, URL: "/pelatihan-eksternal/" + url.PathEscape(ref)}
	case scoring.SourcePenalty:
		return scoreFactView{Label: "Hukuman disiplin #" + ref}
	case "skp:":
		return scoreFactView{Label: "SKP " + ref}
	case "jf:":
		return scoreFactView{Label: "Jabatan fungsional " + ref}
	case "pendidikan:":
		if l := domain.EducationLabel(ref); l != "" {
			return scoreFactView{Label: "Pendidikan " + l}
		}
		return scoreFactView{Label: "Pendidikan kode " + ref}
	}
	return scoreFactView{Label: id}
}

// scoreEmployee is one employee's score for the year: the four dimensions, the explanation
// citing the facts, what would raise it, the JP of the year against the duty and what data
// is missing.
func (s *Server) scoreEmployee(c *fiber.Ctx) error {
	year, err := s.scoreYear(c)
	if err != nil {
		return err
	}
	ev, err := s.Scoring.EmployeeScoreFor(c.UserContext(), actor(c), pathParam(c, "nip"), year)
	if err != nil {
		return err
	}
	sc := ev.Score
	rs := s.ruleSetOf(sc.RuleSet)
	maxima := dimensionMaxima(rs)
	points := [4]float64{sc.Kualifikasi, sc.Kompetensi, sc.Kinerja, sc.Disiplin}
	var bars []barItem
	dims := make([]scoreDimView, 4)
	for i, dim := range scoring.Dimensions {
		dv := scoreDimView{Key: string(dim), Label: dim.Label(), Points: dec2(points[i]), PointsData: dataNum(points[i]), Max: idNum(maxima[i])}
		for _, l := range sc.Explanation {
			if l.Dimension != dim {
				continue
			}
			lv := scoreLineView{Indicator: scoreIndicatorLabels[l.Indicator], Text: l.Text, Points: dec2(l.Points)}
			for _, f := range l.Facts {
				lv.Facts = append(lv.Facts, factView(f))
			}
			dv.Lines = append(dv.Lines, lv)
		}
		for _, h := range sc.Hints {
			if h.Dimension == dim {
				dv.Hints = append(dv.Hints, scoreHintView{Dimension: dim.Label(), Text: h.Text, Gain: "+" + idNum(h.Gain), GainData: dataNum(h.Gain)})
			}
		}
		dims[i] = dv
		bars = append(bars, barItem{Key: string(dim), Label: dim.Label(), Value: points[i], Max: maxima[i],
			Text: dv.Points + " dari " + dv.Max, ValueID: "dim-" + string(dim), DataValue: dv.PointsData})
	}
	var hints []scoreHintView
	for _, d := range dims {
		hints = append(hints, d.Hints...)
	}
	jpMissing := max(sc.JPDuty-sc.JPThisYear, 0)
	data := fiber.Map{"E": ev, "S": sc, "Dims": dims, "Hints": hints, "DimBars": hBars("dimensi", "", bars),
		"IP": dec2(sc.Total), "IPData": dataNum(sc.Total), "IPBar": miniBar(sc.Total, 100),
		"Range": categoryRanges(rs)[sc.Category], "RuleSet": rs,
		"JPBar":     hBars("jp", "", []barItem{{Key: "jp", Label: "JP tahun " + strconv.Itoa(year), Value: float64(sc.JPThisYear), Max: float64(max(sc.JPDuty, sc.JPThisYear, 1)), Marker: floatPtr(float64(sc.JPDuty)), Text: fmt.Sprintf("%d dari %d JP", sc.JPThisYear, sc.JPDuty), ValueID: "jp-tahun-ini", DataValue: strconv.Itoa(sc.JPThisYear)}}),
		"JPMissing": jpMissing, "Year": year, "Years": s.yearOptions(year, nil),
		"Action": "/skor/pegawai/" + url.PathEscape(ev.NIP), "Self": actor(c).Role == domain.RolePegawai,
		"OPDURL": scoreURL("/skor/opd/"+url.PathEscape(ev.OPDCode), "tahun", s.yearParam(year))}
	title := fmt.Sprintf("Skor IP ASN %s %d", ev.Name, year)
	return s.page(c, fiber.StatusOK, "score_employee", title, data)
}

func floatPtr(v float64) *float64 { return &v }

// ---- print ----

// scoreDashboardFor loads the dashboard of ?opd= (an OPD) or of the agency; an OPD user
// without ?opd= gets their own OPD.
func (s *Server) scoreDashboardFor(c *fiber.Ctx, year int) (*scoring.Dashboard, error) {
	opd := strings.TrimSpace(strings.Clone(c.Query("opd")))
	if u, _ := currentUser(c); opd == "" && u.Role == domain.RoleOPD && u.OPD != nil {
		opd = u.OPD.Code
	}
	if opd != "" {
		return s.Scoring.OPDDashboard(c.UserContext(), actor(c), opd, year)
	}
	return s.Scoring.AgencyDashboard(c.UserContext(), actor(c), year)
}

// scorePrint is the print-friendly report: one clean A4 document with the charts and the
// tables, no menu.
func (s *Server) scorePrint(c *fiber.Ctx) error {
	year, err := s.scoreYear(c)
	if err != nil {
		return err
	}
	d, err := s.scoreDashboardFor(c, year)
	if err != nil {
		return err
	}
	v := s.buildDashView(d, c.Query("urut"), c.Query("arah"))
	back := scoreURL("/skor", "tahun", v.YearParam)
	if !v.Agency {
		back = scoreURL(v.Action, "tahun", v.YearParam)
	}
	data := fiber.Map{"V": v, "Back": back, "Printed": s.DB.Now()}
	return s.page(c, fiber.StatusOK, "score_print", "Laporan "+v.Heading+" "+strconv.Itoa(year), data)
}

// ---- the start page's card ----

// scoreCard is the IP ASN card of the start page.
type scoreCard struct {
	Title, URL, LinkText        string
	Year                        int
	Measured                    bool
	IP, IPData, Category, Label string
	Target, Achievement, JP     string
}

// dashboardScore adds the IP ASN card to the start page's data: the agency's for BKPSDM,
// the OPD's for an OPD user, one's own for an employee, this year. The start page must
// open even when the scores cannot be read, so a failure only leaves the card out (and is
// logged when it is not a matter of rights or data).
func (s *Server) dashboardScore(c *fiber.Ctx, data fiber.Map) {
	if s.Scoring == nil {
		return
	}
	u, _ := currentUser(c)
	a := actor(c)
	ctx := c.UserContext()
	year := s.Scoring.CurrentYear()
	card := &scoreCard{Year: year, URL: "/skor", LinkText: "Lihat dasbor IP ASN"}
	var err error
	switch {
	case a.Role == domain.RolePegawai:
		var ev *scoring.EmployeeScoreView
		if ev, err = s.Scoring.EmployeeScoreFor(ctx, a, a.NIP, year); err == nil {
			sc := ev.Score
			card.Title, card.LinkText = fmt.Sprintf("Skor IP ASN saya %d", year), "Lihat rincian dan cara menaikkan skor"
			card.Measured, card.IP, card.IPData, card.Category, card.Label = true, dec2(sc.Total), dataNum(sc.Total), string(sc.Category), sc.CategoryLabel
			card.JP = fmt.Sprintf("%d dari %d JP", sc.JPThisYear, sc.JPDuty)
		}
	default:
		var d *scoring.Dashboard
		if a.Role == domain.RoleOPD && u.OPD != nil {
			d, err = s.Scoring.OPDDashboard(ctx, a, u.OPD.Code, year)
		} else {
			d, err = s.Scoring.AgencyDashboard(ctx, a, year)
		}
		if err == nil {
			card.Title = fmt.Sprintf("IP ASN instansi %d", year)
			if d.OPD != nil {
				card.Title = fmt.Sprintf("IP ASN %s %d", d.OPD.Name, year)
			}
			if d.Summary.Count > 0 {
				card.Measured, card.IP, card.IPData = true, dec2(d.Summary.Total), dataNum(d.Summary.Total)
				card.Category, card.Label = string(d.Summary.Category), d.Summary.CategoryLabel
			}
			if d.Target != nil {
				card.Target = dec2(*d.Target)
				if d.Achievement != nil {
					card.Achievement = dec2(*d.Achievement) + "%"
				}
			}
		}
	}
	if err != nil {
		if apperr.CodeOf(err) == apperr.CodeInternal {
			s.Logger.WarnContext(ctx, "start page: IP ASN card", "err", err, "request_id", requestIDOf(c))
		}
		return
	}
	data["ScoreCard"] = card
}
