package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/sertika/sertika/scoring"
)

// The dashboard's tables as a workbook (GET /skor/ekspor.xlsx?opd=&tahun=), for the
// agency's own reports and for BKN: numbers are numbers (not text) so that a spreadsheet
// can compute with them, NIPs are text so that no digit is lost.
//
// Sheets: Ringkasan (IP, dimensions against their maxima, target, achievement, coverage),
// Per OPD (agency only), Distribusi, Tren, Rincian (by kind of position, education and
// status) and Pegawai (every employee with a stored score, by OPD, highest first). The employee
// sheet is written with excelize's StreamWriter, a page of the service's list at a time, so
// a large agency never holds all its rows as cells in memory.

// Sheet names of the export.
const (
	xlsxSummary   = "Ringkasan"
	xlsxOPDs      = "Per OPD"
	xlsxDist      = "Distribusi"
	xlsxTrend     = "Tren"
	xlsxBreakdown = "Rincian"
	xlsxEmployees = "Pegawai"
)

// xlsxPage is the number of employees read from the service per call.
const xlsxPage = 1000

// scoreExport answers the workbook of the agency or of ?opd= for ?tahun=.
func (s *Server) scoreExport(c *fiber.Ctx) error {
	year, err := s.scoreYear(c)
	if err != nil {
		return err
	}
	d, err := s.scoreDashboardFor(c, year)
	if err != nil {
		return err
	}
	f, err := s.scoreWorkbook(c, d)
	if err != nil {
		return err
	}
	defer f.Close()
	name := fmt.Sprintf("ipasn-%d.xlsx", year)
	if d.OPD != nil {
		if code := classSafe(d.OPD.Code); code != "" {
			name = fmt.Sprintf("ipasn-%s-%d.xlsx", code, year)
		}
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	if err := f.Write(c); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// xlsxStyles are the cell styles of the export.
type xlsxStyles struct{ head, title, num, pct int }

func newXLSXStyles(f *excelize.File) (xlsxStyles, error) {
	var st xlsxStyles
	var err error
	if st.head, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"0B5394"}}}); err != nil {
		return st, err
	}
	if st.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}); err != nil {
		return st, err
	}
	two := "0.00"
	if st.num, err = f.NewStyle(&excelize.Style{CustomNumFmt: &two}); err != nil {
		return st, err
	}
	pct := `0.00"%"`
	if st.pct, err = f.NewStyle(&excelize.Style{CustomNumFmt: &pct}); err != nil {
		return st, err
	}
	return st, nil
}

// xlsxSheet writes rows to an ordinary sheet from A1, styles the first row as the header
// and sets the column widths.
func xlsxSheet(f *excelize.File, sheet string, st xlsxStyles, widths []float64, rows [][]any) error {
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			return err
		}
	}
	if len(rows) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(rows[0]), 1)
		if err := f.SetCellStyle(sheet, "A1", last, st.head); err != nil {
			return err
		}
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// optNum is a number cell, or an empty cell for nil.
func optNum(v *float64) any {
	if v == nil {
		return ""
	}
	return *v
}

// summaryCells are the dimension means, total and category of a summary (empty when
// nobody is measured).
func summaryCells(sum scoring.Summary) []any {
	if sum.Count == 0 {
		return []any{sum.Count, "", "", "", "", "", ""}
	}
	return []any{sum.Count, sum.Kualifikasi, sum.Kompetensi, sum.Kinerja, sum.Disiplin, sum.Total, sum.CategoryLabel}
}

// scoreWorkbook builds the workbook of a dashboard; the employee sheet reads the service's
// list page by page as the signed-in actor.
func (s *Server) scoreWorkbook(c *fiber.Ctx, d *scoring.Dashboard) (*excelize.File, error) {
	f := excelize.NewFile()
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
	}()
	st, err := newXLSXStyles(f)
	if err != nil {
		return nil, err
	}
	rs := s.ruleSetOf(d.RuleSet)
	maxima := dimensionMaxima(rs)
	sum := d.Summary
	scope := "Seluruh instansi"
	if d.OPD != nil {
		scope = "OPD " + d.OPD.Code + " – " + d.OPD.Name
	}
	if ag, err := s.Directory.GetAgency(c.UserContext()); err == nil && ag.Name != "" && d.OPD == nil {
		scope = "Seluruh instansi – " + ag.Name
	}

	// Ringkasan.
	if err := f.SetSheetName("Sheet1", xlsxSummary); err != nil {
		return nil, err
	}
	var ip, mean, cat any = "", "", "Belum ada data"
	dims := [4]any{"", "", "", ""}
	if sum.Count > 0 {
		ip, mean, cat = sum.Total, sum.MeanIP, sum.CategoryLabel
		for i, x := range dimensionValues(sum) {
			dims[i] = x
		}
	}
	rows := [][]any{
		{"Uraian", "Nilai", "Maksimum"},
		{"Cakupan", scope, ""},
		{"Tahun", d.Year, ""},
		{"Aturan penilaian", rs.ID + " (" + rs.Name + ")", ""},
		{"IP ASN", ip, 100},
		{"Kategori", cat, ""},
		{"Rerata IP individu", mean, 100},
	}
	for i, dim := range scoring.Dimensions {
		rows = append(rows, []any{dim.Label(), dims[i], maxima[i]})
	}
	rows = append(rows,
		[]any{"Target", optNum(d.Target), ""},
		[]any{"Capaian (%)", optNum(d.Achievement), ""},
		[]any{"Pegawai aktif", d.Employees, ""},
		[]any{"Pegawai dengan skor", d.Scored, ""},
		[]any{"Pegawai diukur", sum.Count, ""},
		[]any{"Di bawah kewajiban JP", d.BelowJP, ""},
		[]any{"Data tidak lengkap", d.Incomplete, ""},
	)
	if err := xlsxSheet(f, xlsxSummary, st, []float64{26, 48, 12}, rows); err != nil {
		return nil, err
	}
	if err := f.SetCellStyle(xlsxSummary, "B5", "B13", st.num); err != nil {
		return nil, err
	}

	heads := []any{"Pegawai diukur", "Kualifikasi", "Kompetensi", "Kinerja", "Disiplin", "IP ASN", "Kategori"}

	// Per OPD.
	if d.Scope == scoring.ScopeAgency {
		if _, err := f.NewSheet(xlsxOPDs); err != nil {
			return nil, err
		}
		rows = [][]any{append([]any{"Kode", "Nama OPD"}, heads...)}
		for _, o := range d.OPDs {
			rows = append(rows, append([]any{o.Code, o.Name}, summaryCells(o.Summary)...))
		}
		if err := xlsxSheet(f, xlsxOPDs, st, []float64{14, 44, 14, 12, 12, 12, 12, 10, 14}, rows); err != nil {
			return nil, err
		}
	}

	// Distribusi.
	if _, err := f.NewSheet(xlsxDist); err != nil {
		return nil, err
	}
	ranges := categoryRanges(rs)
	rows = [][]any{{"Kategori", "Rentang IP", "Jumlah pegawai", "Persen"}}
	for _, cc := range sum.Distribution {
		rows = append(rows, []any{cc.Label, ranges[cc.Category], cc.Count, cc.Percent})
	}
	if err := xlsxSheet(f, xlsxDist, st, []float64{18, 14, 16, 10}, rows); err != nil {
		return nil, err
	}

	// Tren.
	if _, err := f.NewSheet(xlsxTrend); err != nil {
		return nil, err
	}
	rows = [][]any{{"Tahun", "Pegawai diukur", "IP ASN", "Kategori", "Target", "Capaian (%)"}}
	for _, p := range d.Trend {
		var ip, cat, ach any = "", "", ""
		if p.Summary.Count > 0 {
			ip, cat = p.Summary.Total, p.Summary.CategoryLabel
			if p.Target != nil {
				if a, ok := p.Summary.Achievement(*p.Target); ok {
					ach = a
				}
			}
		}
		rows = append(rows, []any{p.Year, p.Summary.Count, ip, cat, optNum(p.Target), ach})
	}
	if err := xlsxSheet(f, xlsxTrend, st, []float64{8, 14, 10, 14, 10, 12}, rows); err != nil {
		return nil, err
	}

	// Rincian.
	if _, err := f.NewSheet(xlsxBreakdown); err != nil {
		return nil, err
	}
	rows = [][]any{append([]any{"Kelompok", "Nilai"}, heads...)}
	for _, g := range []struct {
		name string
		bs   []scoring.Breakdown
	}{{"Jenis jabatan", d.ByPosition}, {"Pendidikan", d.ByEducation}, {"Status kepegawaian", d.ByStatus}} {
		for _, b := range g.bs {
			rows = append(rows, append([]any{g.name, b.Label}, summaryCells(b.Summary)...))
		}
	}
	if err := xlsxSheet(f, xlsxBreakdown, st, []float64{20, 18, 14, 12, 12, 12, 12, 10, 14}, rows); err != nil {
		return nil, err
	}

	// Pegawai, streamed.
	if err := s.xlsxEmployees(c, f, st, d); err != nil {
		return nil, err
	}
	if idx, err := f.GetSheetIndex(xlsxSummary); err == nil {
		f.SetActiveSheet(idx)
	}
	ok = true
	return f, nil
}

// xlsxEmployees streams every employee with a stored score (DashboardList "all") into the
// Pegawai sheet, OPD by OPD, highest score first within each.
func (s *Server) xlsxEmployees(c *fiber.Ctx, f *excelize.File, st xlsxStyles, d *scoring.Dashboard) error {
	if _, err := f.NewSheet(xlsxEmployees); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(xlsxEmployees)
	if err != nil {
		return err
	}
	for i, w := range []float64{22, 34, 34, 8, 14, 10, 12, 14, 60} {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := []any{"NIP", "Nama", "Jabatan", "Status", "Kode OPD", "IP ASN", "JP tahun ini", "Kewajiban JP", "Data tidak lengkap"}
	for i, h := range head {
		head[i] = excelize.Cell{StyleID: st.head, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	// The agency's employees are read OPD by OPD (in the per-OPD table's order): each
	// page then sorts one OPD's rows, where one agency-wide list read with growing offsets
	// would sort the whole agency again for every page (seconds at 50,000 employees).
	scopes := []string{}
	if d.OPD != nil {
		scopes = append(scopes, d.OPD.Code)
	} else {
		for _, o := range d.OPDs {
			scopes = append(scopes, o.Code)
		}
	}
	row := 2
	for _, opd := range scopes {
		for offset := 0; ; offset += xlsxPage {
			list, total, err := s.Scoring.DashboardList(c.UserContext(), actor(c), opd, d.Year, scoring.ListAll, xlsxPage, offset)
			if err != nil {
				return err
			}
			for _, e := range list {
				cell := "A" + strconv.Itoa(row)
				if err := sw.SetRow(cell, []any{e.NIP, e.Name, e.Position, e.Status, e.OPDCode,
					excelize.Cell{StyleID: st.num, Value: e.Total}, e.JP, e.JPDuty, strings.Join(e.Incomplete, "; ")}); err != nil {
					return err
				}
				row++
			}
			if len(list) == 0 || int64(offset+len(list)) >= total {
				break
			}
		}
	}
	return sw.Flush()
}
