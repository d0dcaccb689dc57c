package importer

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/nip"
)

// The columns of an employee file.
const (
	ColNIP          = "nip"
	ColName         = "nama"
	ColFrontTitle   = "gelar_depan"
	ColBackTitle    = "gelar_belakang"
	ColStatus       = "status"
	ColOPD          = "kode_opd"
	ColPosition     = "jabatan"
	ColPositionKind = "jenis_jabatan"
	ColEselon       = "eselon"
	ColJF           = "jf"
	ColEducation    = "tk_pendidikan"
	maxNameLen      = 200
	maxTitleLen     = 100
	maxPositionLen  = 255
	maxJFLen        = 255
)

// column describes one column of the employee file; the descriptions feed the template's
// "Petunjuk" sheet.
type column struct {
	name     string
	required bool
	help     string // what goes in it, in Indonesian
	values   string // allowed values, in Indonesian
}

// EmployeeColumns lists the columns of an employee file in template order.
func EmployeeColumns() []string {
	out := make([]string, len(employeeColumns))
	for i, c := range employeeColumns {
		out[i] = c.name
	}
	return out
}

var employeeColumns = []column{
	{ColNIP, true, "NIP PNS atau NI PPPK pegawai. Menjadi kunci: NIP yang sudah ada diperbarui, yang belum ada ditambahkan.",
		"18 digit angka; spasi, titik dan tanda hubung diabaikan. Format sel sebagai Teks agar Excel tidak menghapus digit terakhir."},
	{ColName, true, "Nama lengkap pegawai tanpa gelar.", fmt.Sprintf("teks, paling banyak %d karakter", maxNameLen)},
	{ColFrontTitle, false, "Gelar di depan nama.", "mis. Dr., Ir., drg.; boleh kosong"},
	{ColBackTitle, false, "Gelar di belakang nama.", "mis. S.Kom., M.T.; boleh kosong"},
	{ColStatus, true, "Status kepegawaian. Harus sesuai dengan jenis nomor: NIP PNS atau NI PPPK.", "PNS atau PPPK"},
	{ColOPD, true, "Kode OPD tempat pegawai bertugas, persis seperti pada daftar OPD di Sertika.", "kode OPD yang terdaftar dan aktif"},
	{ColPosition, false, "Nama jabatan.", fmt.Sprintf("teks, paling banyak %d karakter; boleh kosong", maxPositionLen)},
	{ColPositionKind, true, "Jenis jabatan.", "struktural, fungsional atau pelaksana"},
	{ColEselon, false, "Eselon, untuk jabatan struktural.", strings.Join(domain.Eselons, ", ") + "; boleh kosong"},
	{ColJF, false, "Nama jabatan fungsional. Wajib diisi bila jenis_jabatan = fungsional.", "mis. Pranata Komputer Ahli Muda"},
	{ColEducation, false, "Tingkat pendidikan terakhir, dengan kode SIASN.", "kode pada tabel di bawah (5 dibaca 05); boleh kosong"},
}

func columnByName(name string) (column, bool) {
	for _, c := range employeeColumns {
		if c.name == name {
			return c, true
		}
	}
	return column{}, false
}

// columns maps column names to cell positions.
type columns struct {
	idx   map[string]int
	width int // cells in the header, not counting trailing empty ones
}

func (c columns) has(name string) bool { _, ok := c.idx[name]; return ok }

// normalizeHeader is the comparable form of a header cell.
func normalizeHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}

// mapHeader checks the header row against the employee contract.
func mapHeader(header []string) (columns, error) { return mapHeaderSpec(header, employeeColumns) }

// mapHeaderSpec checks a header row against the columns of an import: every required
// column present, no unknown, unnamed or repeated column.
func mapHeaderSpec(header []string, spec []column) (columns, error) {
	names := make([]string, len(spec))
	for i, c := range spec {
		names[i] = c.name
	}
	cols := columns{idx: map[string]int{}}
	width := len(header)
	for width > 0 && strings.TrimSpace(header[width-1]) == "" {
		width--
	}
	cols.width = width
	var unknown, problems []string
	known := 0
	for i, h := range header[:width] {
		name := normalizeHeader(h)
		switch {
		case name == "":
			problems = append(problems, fmt.Sprintf("Kolom ke-%d pada header tidak bernama.", i+1))
			continue
		case cols.has(name):
			problems = append(problems, fmt.Sprintf("Kolom %q muncul lebih dari sekali pada header.", name))
			continue
		}
		if !slices.Contains(names, name) {
			unknown = append(unknown, strings.TrimSpace(h))
			continue
		}
		cols.idx[name] = i
		known++
	}
	if known == 0 {
		return cols, apperr.Invalidf("Baris pertama berkas harus berupa header berisi nama kolom (%s). Gunakan templat impor.",
			strings.Join(names, ", "))
	}
	var missing []string
	for _, c := range spec {
		if c.required && !cols.has(c.name) {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("Kolom wajib tidak ada: %s.", strings.Join(missing, ", ")))
	}
	if len(unknown) > 0 {
		problems = append(problems, fmt.Sprintf("Kolom tidak dikenal: %s (kolom yang diperbolehkan: %s).",
			quoteList(unknown), strings.Join(names, ", ")))
	}
	if len(problems) > 0 {
		return cols, apperr.Invalid("Header berkas tidak sesuai. " + strings.Join(problems, " "))
	}
	return cols, nil
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = strconv.Quote(x)
	}
	return strings.Join(q, ", ")
}

// row is a data row after the checks that need no database.
type row struct {
	line     int
	nip      string // normalised when valid, as typed otherwise
	validNIP bool
	opdCode  string
	emp      domain.Employee // the imported values (OPDID not yet resolved)
	reasons  []string
}

func (r *row) reject(format string, a ...any) {
	r.reasons = append(r.reasons, fmt.Sprintf(format, a...))
}

var scientific = regexp.MustCompile(`^[0-9]([.,][0-9]+)?[eE][+]?[0-9]+$`)

// checkRows validates every record on its own and then looks for NIPs that occur twice.
func checkRows(ctx context.Context, t *table, cols columns, now time.Time) ([]*row, error) {
	rows := make([]*row, 0, len(t.rows))
	for i, rec := range t.rows {
		if i%1000 == 999 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rows = append(rows, checkRow(rec, cols, now))
	}
	lines := map[string][]int{}
	for _, r := range rows {
		if r.validNIP {
			lines[r.nip] = append(lines[r.nip], r.line)
		}
	}
	for _, r := range rows {
		ls := lines[r.nip]
		if !r.validNIP || len(ls) < 2 {
			continue
		}
		var others []string
		for _, l := range ls {
			if l != r.line {
				others = append(others, strconv.Itoa(l))
			}
		}
		r.reject("NIP %s muncul lebih dari sekali (baris %s).", r.nip, strings.Join(others, ", "))
	}
	return rows, nil
}

func checkRow(rec record, cols columns, now time.Time) *row {
	r := &row{line: rec.line}
	c := cellReader{rec: rec, cols: cols, reject: r.reject}
	c.checkWidth()
	text := c.text

	// NIP and status.
	var info nip.Info
	r.nip, info, r.validNIP = c.nip(now)
	r.emp.NIP = r.nip

	r.emp.Name = text(ColName, maxNameLen)
	if r.emp.Name == "" {
		r.reject("Nama wajib diisi.")
	}
	r.emp.FrontTitle = text(ColFrontTitle, maxTitleLen)
	r.emp.BackTitle = text(ColBackTitle, maxTitleLen)

	status := text(ColStatus, 0)
	switch strings.ToUpper(status) {
	case "":
		r.reject("Status wajib diisi (PNS atau PPPK).")
	case domain.StatusPNS:
		r.emp.Status = domain.StatusPNS
	case domain.StatusPPPK, "P3K":
		r.emp.Status = domain.StatusPPPK
	default:
		r.reject("Status %q tidak dikenal; gunakan PNS atau PPPK.", status)
	}
	if r.validNIP && r.emp.Status != "" && r.emp.Status != info.Kind {
		kind := "NIP PNS"
		if info.Kind == nip.KindPPPK {
			kind = "NI PPPK"
		}
		r.reject("Status %s tidak sesuai dengan NIP: %s adalah %s.", r.emp.Status, r.nip, kind)
	}

	r.opdCode = text(ColOPD, 0)
	if r.opdCode == "" {
		r.reject("Kode OPD wajib diisi.")
	}
	r.emp.Position = text(ColPosition, maxPositionLen)

	kind := text(ColPositionKind, 0)
	switch k := strings.ToLower(kind); {
	case k == "":
		r.reject("Jenis jabatan wajib diisi (struktural, fungsional atau pelaksana).")
	case slices.Contains(domain.PositionKinds, k):
		r.emp.PositionKind = k
	default:
		r.reject("Jenis jabatan %q tidak dikenal; gunakan struktural, fungsional atau pelaksana.", kind)
	}

	eselon := text(ColEselon, 0)
	if e, ok := domain.NormalizeEselon(eselon); ok {
		r.emp.Eselon = e
	} else {
		r.reject("Eselon %q tidak dikenal; gunakan %s, atau kosongkan.", eselon, strings.Join(domain.Eselons, ", "))
	}

	r.emp.JFName = text(ColJF, maxJFLen)
	if cols.has(ColJF) && r.emp.PositionKind == domain.PositionFungsional && r.emp.JFName == "" {
		r.reject(jfRequired)
	}

	edu := text(ColEducation, 0)
	if code, ok := normalizeEducation(edu); ok {
		r.emp.EducationLevel = code
	} else {
		r.reject("Kode tingkat pendidikan %q tidak dikenal; gunakan kode SIASN (mis. 15 untuk SLTA, 40 untuk S1, 45 untuk S2; lihat lembar Petunjuk pada templat).", edu)
	}
	return r
}

const jfRequired = "Nama jabatan fungsional (kolom jf) wajib diisi untuk jenis jabatan fungsional."

// normalizeEducation returns the SIASN education-level code of s: a code ("40"; a single
// digit is padded, so "5" is "05") or a label ("S1", case-insensitive). Empty is valid.
func normalizeEducation(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	if len(s) == 1 && s[0] >= '0' && s[0] <= '9' {
		s = "0" + s
	}
	for _, l := range domain.EducationLevels {
		if s == l.Code || strings.EqualFold(s, l.Label) {
			return l.Code, true
		}
	}
	return "", false
}

// plan is what an import does to the database.
type plan struct {
	results   []RowResult
	creates   []domain.Employee
	updates   []domain.Employee
	unchanged int
	rejected  int
}

// fill copies the plan's outcome into the report.
func (p *plan) fill(rep *Report) {
	rep.Rows = p.results
	rep.Created, rep.Updated, rep.Unchanged, rep.Rejected = len(p.creates), len(p.updates), p.unchanged, p.rejected
}

// makePlan resolves OPDs, loads the employees the file names and decides every row.
func makePlan(ctx context.Context, g *gorm.DB, rows []*row, cols columns) (*plan, error) {
	var opds []domain.OPD
	if err := g.Select("id", "code", "name", "active").Find(&opds).Error; err != nil {
		return nil, fmt.Errorf("load OPDs: %w", err)
	}
	byCode := make(map[string]*domain.OPD, len(opds))
	byFold := make(map[string][]*domain.OPD, len(opds))
	for i := range opds {
		o := &opds[i]
		byCode[o.Code] = o
		k := strings.ToUpper(o.Code)
		byFold[k] = append(byFold[k], o)
	}
	for _, r := range rows {
		if r.opdCode == "" {
			continue
		}
		o := byCode[r.opdCode]
		if o == nil {
			if m := byFold[strings.ToUpper(r.opdCode)]; len(m) == 1 {
				o = m[0]
			}
		}
		switch {
		case o == nil:
			r.reject("Kode OPD %q tidak terdaftar.", r.opdCode)
		case !o.Active:
			r.reject("OPD %q (%s) sudah tidak aktif.", o.Code, o.Name)
		default:
			r.emp.OPDID = o.ID
		}
	}

	var nips []string
	for _, r := range rows {
		if len(r.reasons) == 0 {
			nips = append(nips, r.nip)
		}
	}
	existing := make(map[string]domain.Employee, len(nips))
	for chunk := range slices.Chunk(nips, lookupChunk) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var found []domain.Employee
		if err := g.Where("nip IN ?", chunk).Find(&found).Error; err != nil {
			return nil, fmt.Errorf("load employees: %w", err)
		}
		for _, e := range found {
			existing[e.NIP] = e
		}
	}

	p := &plan{results: make([]RowResult, 0, len(rows))}
	for _, r := range rows {
		res := RowResult{Line: r.line, NIP: r.nip, Name: r.emp.Name}
		var action Action
		var merged domain.Employee
		old, found := existing[r.nip]
		if len(r.reasons) == 0 {
			merged = r.emp
			if found {
				merged = merge(old, r.emp, cols)
			}
			if merged.PositionKind == domain.PositionFungsional && merged.JFName == "" {
				r.reject(jfRequired)
			}
		}
		switch {
		case len(r.reasons) > 0:
			action = ActionRejected
			res.Reason = strings.Join(r.reasons, " ")
			p.rejected++
		case !found:
			action = ActionCreated
			merged.Active = true
			p.creates = append(p.creates, merged)
		case sameFields(old, merged):
			action = ActionUnchanged
			p.unchanged++
		default:
			action = ActionUpdated
			p.updates = append(p.updates, merged)
		}
		res.Action = action
		p.results = append(p.results, res)
	}
	return p, nil
}

// merge returns old with the imported values of the columns the file has.
func merge(old, in domain.Employee, cols columns) domain.Employee {
	m := old
	m.OPD = nil
	m.Name, m.Status, m.OPDID, m.PositionKind = in.Name, in.Status, in.OPDID, in.PositionKind
	set := func(col string, dst *string, v string) {
		if cols.has(col) {
			*dst = v
		}
	}
	set(ColFrontTitle, &m.FrontTitle, in.FrontTitle)
	set(ColBackTitle, &m.BackTitle, in.BackTitle)
	set(ColPosition, &m.Position, in.Position)
	set(ColEselon, &m.Eselon, in.Eselon)
	set(ColJF, &m.JFName, in.JFName)
	set(ColEducation, &m.EducationLevel, in.EducationLevel)
	return m
}

// sameFields reports whether an import would leave the employee as it is.
func sameFields(a, b domain.Employee) bool {
	return a.Name == b.Name && a.FrontTitle == b.FrontTitle && a.BackTitle == b.BackTitle &&
		a.Status == b.Status && a.OPDID == b.OPDID && a.Position == b.Position &&
		a.PositionKind == b.PositionKind && a.Eselon == b.Eselon && a.JFName == b.JFName &&
		a.EducationLevel == b.EducationLevel
}

// write inserts and updates the planned rows, reporting progress after each batch.
func (p *plan) write(ctx context.Context, tx *gorm.DB, batchSize int, now time.Time, progress func(done int)) error {
	done := p.unchanged
	progress(done)
	for batch := range slices.Chunk(p.creates, batchSize) {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := range batch {
			batch[i].CreatedAt, batch[i].UpdatedAt = now, now
		}
		if err := tx.Omit(clause.Associations).Create(&batch).Error; err != nil {
			return fmt.Errorf("insert employees: %w", err)
		}
		done += len(batch)
		progress(done)
	}
	for batch := range slices.Chunk(p.updates, batchSize) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := updateBatch(tx, batch, now); err != nil {
			return err
		}
		done += len(batch)
		progress(done)
	}
	return nil
}

// updateBatch updates many employees with one statement: a VALUES list joined to the table
// (UPDATE … FROM, which PostgreSQL and SQLite ≥ 3.33 both understand).
func updateBatch(tx *gorm.DB, batch []domain.Employee, now time.Time) error {
	var sb strings.Builder
	args := make([]any, 0, len(batch)*11+1)
	sb.WriteString("WITH v (id, name, front_title, back_title, status, opd_id, position, position_kind, eselon, jf_name, education_level) AS (VALUES ")
	for i, e := range batch {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(CAST(? AS BIGINT), ?, ?, ?, ?, CAST(? AS BIGINT), ?, ?, ?, ?, ?)")
		args = append(args, e.ID, e.Name, e.FrontTitle, e.BackTitle, e.Status, e.OPDID, e.Position,
			e.PositionKind, e.Eselon, e.JFName, e.EducationLevel)
	}
	sb.WriteString(") UPDATE employees SET name = v.name, front_title = v.front_title, back_title = v.back_title, " +
		"status = v.status, opd_id = v.opd_id, position = v.position, position_kind = v.position_kind, " +
		"eselon = v.eselon, jf_name = v.jf_name, education_level = v.education_level, updated_at = ? " +
		"FROM v WHERE employees.id = v.id")
	args = append(args, now)
	res := tx.Exec(sb.String(), args...)
	if res.Error != nil {
		return fmt.Errorf("update employees: %w", res.Error)
	}
	if res.RowsAffected != int64(len(batch)) {
		return fmt.Errorf("update employees: %d of %d rows updated", res.RowsAffected, len(batch))
	}
	return nil
}

// cellReader reads the cells of one record by column name, reporting problems through
// reject.
type cellReader struct {
	rec    record
	cols   columns
	reject func(format string, a ...any)
	// rejectIn, when set, also records the column a problem concerns (the fact imports
	// report it); without it fail falls back to reject.
	rejectIn func(col, format string, a ...any)
}

// fail rejects the record for a problem with the column col.
func (c cellReader) fail(col, format string, a ...any) {
	if c.rejectIn != nil {
		c.rejectIn(col, format, a...)
		return
	}
	c.reject(format, a...)
}

// checkWidth rejects a record with values to the right of the header's last column.
func (c cellReader) checkWidth() {
	for i := c.cols.width; i < len(c.rec.cells); i++ {
		if strings.TrimSpace(c.rec.cells[i]) != "" {
			c.reject("Baris berisi nilai di kolom ke-%d, di luar kolom header.", i+1)
			break
		}
	}
}

// text returns the trimmed cell of a column ("" when the column is absent), rejecting
// control characters and values longer than maxLen characters (0: no limit).
func (c cellReader) text(name string, maxLen int) string {
	i, ok := c.cols.idx[name]
	if !ok || i >= len(c.rec.cells) {
		return ""
	}
	v := strings.TrimSpace(c.rec.cells[i])
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		c.fail(name, "Kolom %s berisi karakter kontrol (mis. baris baru atau tab di dalam sel).", name)
	}
	if n := utf8.RuneCountInString(v); maxLen > 0 && n > maxLen {
		c.fail(name, "Kolom %s terlalu panjang (%d karakter; paling banyak %d).", name, n, maxLen)
	}
	return v
}

// nip reads and validates the nip column (as of now). It returns the normalised NIP when
// valid, the text as typed otherwise, and rejects the row with the reason.
func (c cellReader) nip(now time.Time) (string, nip.Info, bool) {
	raw := strings.TrimPrefix(c.text(ColNIP, 64), "'")
	info, err := nip.ParseAt(raw, now)
	switch {
	case err == nil:
		return info.NIP, info, true
	case scientific.MatchString(raw):
		c.fail(ColNIP, "NIP %q tertulis sebagai angka berformat ilmiah, sehingga digit terakhirnya hilang. Format kolom NIP sebagai Teks lalu ketik ulang NIP.", raw)
	default:
		msg := err.Error()
		if ne, ok := err.(*nip.Error); ok {
			msg = ne.Message
			if ne.Rule == nip.RuleSequence && strings.HasSuffix(nip.Normalize(raw), "000") {
				msg += " Bila NIP diketik sebagai angka di Excel, tiga digit terakhirnya berubah menjadi 000: format kolom NIP sebagai Teks lalu ketik ulang."
			}
		}
		c.fail(ColNIP, "%s", msg)
	}
	return raw, info, false
}
