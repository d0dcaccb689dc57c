package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
)

// Fact imports: the facts of the IP ASN besides the employee profile, in SIASN's shapes, so
// that an agency can move them between SIASN and Sertika with a spreadsheet. They follow
// the employee import in everything (CSV or XLSX sniffed from the content, the header
// contract with unknown columns refused, all or nothing, a row-by-row report with reasons in
// Indonesian, dry runs, the run recorded in import_runs and the audit log), and add:
//
//   - Rows name an existing employee by NIP (import the employees first).
//   - Upsert by the record's identity within the employee (see each kind); a row that
//     matches a stored record updates it when a value differs. Nothing is ever deleted.
//   - Dates are YYYY-MM-DD or SIASN's dd-mm-yyyy (also dd/mm/yyyy); XLSX date cells work
//     too (their serial numbers are converted).
//   - The affected employees' stored scores are recomputed in the import's transaction
//     (Rescorer), so a score never disagrees with the facts on record.
//
// Kinds (command `sertika import KIND FILE`; FactTemplateCSV and FactTemplateXLSX give a
// template of each):
//
//	skp           nip, tahun, nilai, predikat
//	hukdis        nip, tingkat, tanggal_mulai, jenis, nomor_sk
//	pengembangan  nip, kode_jenis, tingkat, nama, jumlah_jp, tanggal_mulai, tanggal_selesai,
//	              penyelenggara, nomor_sertifikat
//
// skp: one appraisal per employee and year (tahun); each row fills either nilai (a number,
// the SKP before 2022) or predikat (sangat_baik, baik, butuh_perbaikan, kurang,
// sangat_kurang; SIASN's 1–5 and the labels are read too). A file may leave out the column
// it never uses, not both. The row replaces the year's appraisal.
//
// hukdis: tingkat R, S or B (ringan, sedang, berat); identity nomor_sk or, without one,
// tanggal_mulai and tingkat.
//
// pengembangan: competency development recorded outside Sertika; kode_jenis is a code of
// the rules document's table (or SIASN's jenisDiklatId 1–25); tingkat only, and always, for
// kepemimpinan (pkp, pim4, pka, pim3, pkn2, pim2, pkn1, pim1; "PIM IV" and the like are
// read too). Identity nomor_sertifikat or, without one, kode_jenis, nama and
// tanggal_selesai. An administrator's import is recognised at once (status recognised,
// reviewed by the importer). A certificate number that Sertika itself issued to the
// employee is refused: that development already counts.
//
// Matching (decisions): a row with a number matches the record with that number, else a
// record without a number with the same other identity; a row without a number matches a
// record with the same other identity, preferring one without a number (an empty number
// never clears a stored one). Two rows matching the same record are both rejected. An
// optional column absent from the header leaves that value of matched records as it is.

// FactKind is a kind of fact file.
type FactKind string

// The fact kinds; their values are the CLI's subcommands and import_runs.kind.
const (
	FactSKP          FactKind = "skp"
	FactHukdis       FactKind = "hukdis"
	FactPengembangan FactKind = "pengembangan"
)

// FactKinds lists the fact kinds.
var FactKinds = []FactKind{FactSKP, FactHukdis, FactPengembangan}

// Rescorer brings stored scores in line with the facts of employees, inside the transaction
// that changed them (scoring.Store implements it).
type Rescorer interface {
	RescoreAffected(ctx context.Context, tx *gorm.DB, employeeIDs []int64) error
}

// NoRescore is a Rescorer that leaves stored scores alone (they wait for the next
// `sertika rescore`), for a caller that runs without a scoring store.
type NoRescore struct{}

// RescoreAffected does nothing.
func (NoRescore) RescoreAffected(context.Context, *gorm.DB, []int64) error { return nil }

// Columns of the fact files.
const (
	ColYear         = "tahun"
	ColValue        = "nilai"
	ColPredikat     = "predikat"
	ColLevel        = "tingkat"
	ColStartDate    = "tanggal_mulai"
	ColPenaltyKind  = "jenis"
	ColDecree       = "nomor_sk"
	ColKindCode     = "kode_jenis"
	ColTitle        = "nama"
	ColJP           = "jumlah_jp"
	ColEndDate      = "tanggal_selesai"
	ColOrganizer    = "penyelenggara"
	ColCertNumber   = "nomor_sertifikat"
	maxFactTitleLen = 500
	maxNumberLen    = 100
	maxOrganizerLen = 255
	maxJP           = 2000
)

// Provenance of imported facts (the source column).
const sourceImport = domain.FactSourceImport

var skpColumns = []column{
	{ColNIP, true, "NIP pegawai yang sudah terdaftar.", "18 digit angka"},
	{ColYear, true, "Tahun penilaian SKP.", "tahun empat digit"},
	{ColValue, false, "Nilai SKP angka (sebelum 2022). Isi nilai atau predikat, tidak keduanya.", "0 sampai 120, paling banyak 2 desimal"},
	{ColPredikat, false, "Predikat kinerja (sejak 2022). Isi nilai atau predikat, tidak keduanya.", "sangat_baik, baik, butuh_perbaikan, kurang, sangat_kurang (atau 1–5)"},
}

var hukdisColumns = []column{
	{ColNIP, true, "NIP pegawai yang sudah terdaftar.", "18 digit angka"},
	{ColLevel, true, "Tingkat hukuman disiplin.", "R (ringan), S (sedang) atau B (berat)"},
	{ColStartDate, true, "Tanggal mulai berlakunya hukuman.", "TTTT-BB-HH atau HH-BB-TTTT"},
	{ColPenaltyKind, false, "Jenis hukuman.", "teks; boleh kosong"},
	{ColDecree, false, "Nomor SK hukuman disiplin.", "teks; boleh kosong"},
}

var pengembanganColumns = []column{
	{ColNIP, true, "NIP pegawai yang sudah terdaftar.", "18 digit angka"},
	{ColKindCode, true, "Jenis pengembangan kompetensi.", "kode jenis (mis. teknis, seminar) atau jenisDiklatId SIASN 1–25"},
	{ColLevel, false, "Tingkat pelatihan kepemimpinan; hanya untuk kode_jenis kepemimpinan.", "pkp, pim4, pka, pim3, pkn2, pim2, pkn1, pim1"},
	{ColTitle, true, "Nama kegiatan.", fmt.Sprintf("teks, paling banyak %d karakter", maxFactTitleLen)},
	{ColJP, true, "Jumlah jam pelajaran (JP).", fmt.Sprintf("bilangan bulat 0 sampai %d", maxJP)},
	{ColStartDate, false, "Tanggal mulai kegiatan.", "TTTT-BB-HH atau HH-BB-TTTT; boleh kosong"},
	{ColEndDate, true, "Tanggal selesai kegiatan.", "TTTT-BB-HH atau HH-BB-TTTT"},
	{ColOrganizer, false, "Penyelenggara.", "teks; boleh kosong"},
	{ColCertNumber, false, "Nomor sertifikat/STTPL.", "teks; boleh kosong"},
}

// FactColumns lists the columns of a fact file in template order (nil for an unknown kind).
func FactColumns(kind FactKind) []string {
	var spec []column
	switch kind {
	case FactSKP:
		spec = skpColumns
	case FactHukdis:
		spec = hukdisColumns
	case FactPengembangan:
		spec = pengembanganColumns
	default:
		return nil
	}
	out := make([]string, len(spec))
	for i, c := range spec {
		out[i] = c.name
	}
	return out
}

// Run kinds and audit actions of the fact imports.
const (
	RunKindSKP                    = "skp"
	RunKindHukdis                 = "hukdis"
	RunKindPengembangan           = "pengembangan"
	AuditActionImportSKP          = "skp.import"
	AuditActionImportHukdis       = "hukdis.import"
	AuditActionImportPengembangan = "pengembangan.import"
)

// ImportFacts reads a fact file of the kind (CSV or XLSX) and upserts its rows in one
// transaction on behalf of actor, who must be an administrator, then rescores the affected
// employees through rescorer in the same transaction. See the comment at the top of this
// file for the rules; the report and errors are those of ImportEmployees.
func ImportFacts(ctx context.Context, db *database.DB, rescorer Rescorer, kind FactKind, actor domain.Actor, fileName string, r io.Reader, opt Options) (*Report, error) {
	switch kind {
	case FactSKP:
		return runFactImport(ctx, db, rescorer, actor, fileName, r, opt, skpOps())
	case FactHukdis:
		return runFactImport(ctx, db, rescorer, actor, fileName, r, opt, hukdisOps())
	case FactPengembangan:
		return runFactImport(ctx, db, rescorer, actor, fileName, r, opt, pengembanganOps())
	}
	return nil, apperr.Invalidf("Jenis impor %q tidak dikenal (skp, hukdis atau pengembangan).", kind)
}

// factRow is one data row of a fact file with its parsed record.
type factRow[R any] struct {
	line     int
	nip      string
	validNIP bool
	reasons  []string
	problems []Problem // reasons with the column each concerns
	rec      R
	empID    int64
	name     string
	old      *R // the stored record the row updates (nil: a new record)
}

// reject rejects the row for a reason that concerns it as a whole.
func (r *factRow[R]) reject(format string, a ...any) {
	r.rejectIn("", format, a...)
}

// rejectIn rejects the row for a reason that concerns one column (or a few, comma-separated).
func (r *factRow[R]) rejectIn(col, format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	r.reasons = append(r.reasons, msg)
	r.problems = append(r.problems, Problem{Column: col, Reason: msg})
}

// factOps is what differs between the kinds of fact.
type factOps[R any] struct {
	what    string // the data, in Indonesian, for messages: "SKP"
	runKind string
	audit   string
	spec    []column
	// header adds problems with the header beyond the common ones.
	header func(cols columns) []string
	// parse fills a row's record from its cells.
	parse func(r *factRow[R], c cellReader, now time.Time)
	// keys returns the row's identity within the employee: the primary one and, for a
	// record identified by a number, the identity without it ("" when none).
	keys func(rec *R) (primary, fallback string)
	// storedKeys returns a stored record's identities: by number ("" without one) and
	// without it.
	storedKeys func(rec *R) (number, natural string)
	// id and employee point into a record.
	id       func(rec *R) *int64
	employee func(rec *R) *int64
	// load reads the stored records of the employees.
	load func(tx *gorm.DB, empIDs []int64) ([]R, error)
	// check makes checks that need the database (optional).
	check func(ctx context.Context, tx *gorm.DB, rows []*factRow[R]) error
	// merge returns the stored record updated with the row's values (of the columns the
	// file has), and same whether nothing would change.
	merge func(old, in R, cols columns) R
	same  func(a, b R) bool
	// provenance sets the source columns of a record about to be written.
	provenance func(rec *R, runID int64, actor domain.Actor, now time.Time, created bool)
	// update writes changed records.
	update func(tx *gorm.DB, dialect string, recs []R, now time.Time) error
}

func runFactImport[R any](ctx context.Context, db *database.DB, rescorer Rescorer, actor domain.Actor, fileName string, in io.Reader, opt Options, ops factOps[R]) (*Report, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, apperr.Forbidden("Hanya administrator yang boleh mengimpor data " + ops.what + ".")
	}
	if rescorer == nil {
		return nil, apperr.Internal(errors.New("import facts: no rescorer"))
	}
	up, err := readUpload(in, opt.MaxBytes, ops.spec, ops.what)
	if err != nil {
		return nil, err
	}
	if ops.header != nil {
		if p := ops.header(up.cols); len(p) > 0 {
			return nil, apperr.Invalid("Header berkas tidak sesuai. " + strings.Join(p, " "))
		}
	}
	rep := up.report(fileName, opt.DryRun)
	rep.what = ops.what
	progress := func(done, total int) {
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
	}
	now := db.Now()
	rows := make([]*factRow[R], 0, len(up.table.rows))
	for i, rec := range up.table.rows {
		if i%1000 == 999 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		r := &factRow[R]{line: rec.line}
		c := cellReader{rec: rec, cols: up.cols, reject: r.reject, rejectIn: r.rejectIn}
		c.checkWidth()
		r.nip, _, r.validNIP = c.nip(now)
		ops.parse(r, c, now)
		rows = append(rows, r)
	}
	rejectDuplicateKeys(rows, ops)

	var creates, updates []R
	var affected []int64
	run := func(tx *gorm.DB, write bool) error {
		if err := resolveEmployees(ctx, tx, rows); err != nil {
			return err
		}
		if ops.check != nil {
			if err := ops.check(ctx, tx, rows); err != nil {
				return err
			}
		}
		if err := matchStored(ctx, tx, rows, ops); err != nil {
			return err
		}
		creates, updates, affected = planFacts(rep, rows, up.cols, ops)
		progress(0, len(rows))
		if !write || rep.Rejected > 0 {
			return errNoWrite
		}
		rep.Committed = true
		runID, err := recordRun(tx, db, actor, rep, ops.runKind, ops.audit)
		if err != nil {
			rep.Committed = false
			return err
		}
		done := rep.Unchanged
		for i := range creates {
			ops.provenance(&creates[i], runID, actor, now, true)
		}
		if err := InsertFacts(ctx, tx, db.Dialect, creates, func(n int) {
			done += n
			progress(done, len(rows))
		}); err != nil {
			return fmt.Errorf("insert %s: %w", ops.runKind, err)
		}
		for part := range slices.Chunk(updates, writeBatch(db.Dialect)) {
			if err := ctx.Err(); err != nil {
				return err
			}
			for i := range part {
				ops.provenance(&part[i], runID, actor, now, false)
			}
			if err := ops.update(tx, db.Dialect, part, now); err != nil {
				return fmt.Errorf("update %s: %w", ops.runKind, err)
			}
			done += len(part)
			progress(done, len(rows))
		}
		if err := rescorer.RescoreAffected(ctx, tx, affected); err != nil {
			return fmt.Errorf("rescore: %w", err)
		}
		if opt.failAfterWrite != nil {
			if err := opt.failAfterWrite(); err != nil {
				return err
			}
		}
		return nil
	}
	if opt.DryRun {
		err = run(db.WithContext(ctx), false)
	} else {
		err = db.Tx(ctx, func(tx *gorm.DB) error { return run(tx, true) })
	}
	if err != nil && !errors.Is(err, errNoWrite) {
		rep.Committed = false
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("import %s: %w", ops.runKind, ctxErr)
		}
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		if database.IsUniqueViolation(err) {
			return nil, withCause(apperr.Conflict("Data berubah selama impor berlangsung. Silakan impor ulang berkas."), err)
		}
		return nil, apperr.Internal(fmt.Errorf("import %s: %w", ops.runKind, err))
	}
	progress(len(rows), len(rows))
	return rep, nil
}

// rejectDuplicateKeys rejects every row whose identity occurs more than once in the file.
func rejectDuplicateKeys[R any](rows []*factRow[R], ops factOps[R]) {
	lines := map[string][]int{}
	keyOf := func(r *factRow[R]) string {
		k, _ := ops.keys(&r.rec)
		return r.nip + "\x00" + k
	}
	for _, r := range rows {
		if r.validNIP && len(r.reasons) == 0 {
			lines[keyOf(r)] = append(lines[keyOf(r)], r.line)
		}
	}
	for _, r := range rows {
		if !r.validNIP || len(r.reasons) > 0 {
			continue
		}
		ls := lines[keyOf(r)]
		if len(ls) < 2 {
			continue
		}
		r.reject("Data yang sama untuk NIP %s muncul lebih dari sekali (baris %s).", r.nip, otherLines(ls, r.line))
	}
}

func otherLines(ls []int, self int) string {
	var others []string
	for _, l := range ls {
		if l != self {
			others = append(others, strconv.Itoa(l))
		}
	}
	return strings.Join(others, ", ")
}

// resolveEmployees finds the employee of every row with a valid NIP.
func resolveEmployees[R any](ctx context.Context, tx *gorm.DB, rows []*factRow[R]) error {
	var nips []string
	seen := map[string]bool{}
	for _, r := range rows {
		if r.validNIP && !seen[r.nip] {
			seen[r.nip] = true
			nips = append(nips, r.nip)
		}
	}
	type emp struct {
		ID   int64  `gorm:"column:id"`
		NIP  string `gorm:"column:nip"`
		Name string `gorm:"column:name"`
	}
	byNIP := make(map[string]emp, len(nips))
	for chunk := range slices.Chunk(nips, lookupChunk) {
		if err := ctx.Err(); err != nil {
			return err
		}
		var found []emp
		if err := tx.Raw(`SELECT id, nip, name FROM employees WHERE nip IN ?`, chunk).Scan(&found).Error; err != nil {
			return fmt.Errorf("load employees: %w", err)
		}
		for _, e := range found {
			byNIP[e.NIP] = e
		}
	}
	for _, r := range rows {
		if !r.validNIP {
			continue
		}
		e, ok := byNIP[r.nip]
		if !ok {
			r.rejectIn(ColNIP, "NIP %s tidak terdaftar sebagai pegawai. Impor data pegawai terlebih dahulu.", r.nip)
			continue
		}
		r.empID, r.name = e.ID, e.Name
	}
	return nil
}

// matchStored finds the stored record each row updates (see the comment at the top).
func matchStored[R any](ctx context.Context, tx *gorm.DB, rows []*factRow[R], ops factOps[R]) error {
	var ids []int64
	seen := map[int64]bool{}
	for _, r := range rows {
		if r.empID != 0 && !seen[r.empID] {
			seen[r.empID] = true
			ids = append(ids, r.empID)
		}
	}
	type key struct {
		emp int64
		k   string
	}
	records := map[int64]*R{}
	byNumber := map[key]int64{}  // number identity → id
	bare := map[key]int64{}      // natural identity of records without a number → id
	natural := map[key][]int64{} // natural identity of any record → ids
	for chunk := range slices.Chunk(ids, lookupChunk) {
		if err := ctx.Err(); err != nil {
			return err
		}
		stored, err := ops.load(tx, chunk)
		if err != nil {
			return fmt.Errorf("load stored %s: %w", ops.runKind, err)
		}
		for i := range stored {
			rec := &stored[i]
			emp, id := *ops.employee(rec), *ops.id(rec)
			records[id] = rec
			num, nat := ops.storedKeys(rec)
			if num != "" {
				byNumber[key{emp, num}] = id
			} else {
				bare[key{emp, nat}] = id
			}
			natural[key{emp, nat}] = append(natural[key{emp, nat}], id)
		}
	}
	claimed := map[int64][]*factRow[R]{}
	for _, r := range rows {
		if r.empID == 0 || len(r.reasons) > 0 {
			continue
		}
		var match int64
		primary, fallback := ops.keys(&r.rec)
		if fallback != "" { // identified by a number
			if id, ok := byNumber[key{r.empID, primary}]; ok {
				match = id
			} else if id, ok := bare[key{r.empID, fallback}]; ok {
				match = id
			}
		} else if id, ok := bare[key{r.empID, primary}]; ok {
			match = id
		} else if ms := natural[key{r.empID, primary}]; len(ms) == 1 {
			match = ms[0]
		} else if len(ms) > 1 {
			r.reject("Baris cocok dengan %d data %s yang tersimpan untuk NIP %s; isi kolom nomor untuk membedakannya.", len(ms), ops.what, r.nip)
			continue
		}
		if match != 0 {
			r.old = records[match]
			claimed[match] = append(claimed[match], r)
		}
	}
	for _, rs := range claimed {
		if len(rs) < 2 {
			continue
		}
		var ls []int
		for _, r := range rs {
			ls = append(ls, r.line)
		}
		for _, r := range rs {
			r.reject("Baris ini dan baris %s mengubah data %s tersimpan yang sama.", otherLines(ls, r.line), ops.what)
		}
	}
	return nil
}

// planFacts decides every row, fills the report and returns the records to create and to
// update and the employees whose facts change.
func planFacts[R any](rep *Report, rows []*factRow[R], cols columns, ops factOps[R]) (creates, updates []R, affected []int64) {
	rep.Rows = make([]RowResult, 0, len(rows))
	emps := map[int64]bool{}
	for _, r := range rows {
		res := RowResult{Line: r.line, NIP: r.nip, Name: r.name}
		switch {
		case len(r.reasons) > 0:
			res.Action, res.Reason, res.Problems = ActionRejected, strings.Join(r.reasons, " "), r.problems
			rep.Rejected++
		case r.old == nil:
			res.Action = ActionCreated
			*ops.employee(&r.rec) = r.empID
			creates = append(creates, r.rec)
			rep.Created++
			emps[r.empID] = true
		default:
			merged := ops.merge(*r.old, r.rec, cols)
			if ops.same(*r.old, merged) {
				res.Action = ActionUnchanged
				rep.Unchanged++
				break
			}
			res.Action = ActionUpdated
			updates = append(updates, merged)
			rep.Updated++
			emps[r.empID] = true
		}
		rep.Rows = append(rep.Rows, res)
	}
	for id := range emps {
		affected = append(affected, id)
	}
	slices.Sort(affected)
	return creates, updates, affected
}

// ---- values shared by the kinds ----

// excelEpoch is day 0 of Excel's date serial numbers (with its 1900 leap-year bug folded in).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// parseFactDate reads YYYY-MM-DD, dd-mm-yyyy or dd/mm/yyyy, or the serial number of an XLSX
// date cell.
func parseFactDate(s string) (domain.Date, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "-/") {
		if n < 1 || n >= 200000 {
			return domain.Date{}, false
		}
		return domain.DateOf(excelEpoch.AddDate(0, 0, int(math.Floor(n)))), true
	}
	d, err := domain.ParseDate(strings.ReplaceAll(s, "/", "-"))
	if err != nil || d.Year() < 1900 {
		return domain.Date{}, false
	}
	return d, true
}

// dateCell reads a date column; an empty cell gives the zero date (required → rejected).
func dateCell(c cellReader, name string, required bool) domain.Date {
	v := c.text(name, 0)
	if v == "" {
		if required {
			c.fail(name, "Kolom %s wajib diisi.", name)
		}
		return domain.Date{}
	}
	d, ok := parseFactDate(v)
	if !ok {
		c.fail(name, "Kolom %s: tanggal %q tidak sah; gunakan TTTT-BB-HH (misalnya 2024-03-31) atau HH-BB-TTTT (31-03-2024).", name, v)
	}
	return d
}

// wholeNumber reads an integer written as "24" (or "24.0", as a spreadsheet may store it).
func wholeNumber(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
		return 0, false
	}
	return int(f), true
}

// updateByID updates many rows of table by id with one statement: a VALUES list joined to
// the table, as the employee import does. types gives each column's SQL type; PostgreSQL
// needs casts in VALUES, and SQLite must not cast dates (CAST('2024-01-31' AS DATE) is 2024
// there).
func updateByID(tx *gorm.DB, dialect, table string, cols, types []string, rows [][]any, now time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	param := func(typ string) string {
		if typ == "text" || (dialect == database.SQLite && (typ == "date" || typ == "timestamptz")) {
			return "?"
		}
		return "CAST(? AS " + strings.ToUpper(typ) + ")"
	}
	var row strings.Builder
	row.WriteString("(CAST(? AS BIGINT)")
	for _, t := range types {
		row.WriteString(", " + param(t))
	}
	row.WriteString(")")
	var sb strings.Builder
	sb.WriteString("WITH v (id, " + strings.Join(cols, ", ") + ") AS (VALUES ")
	args := make([]any, 0, len(rows)*(len(cols)+1)+1)
	for i, r := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(row.String())
		args = append(args, r...)
	}
	sb.WriteString(") UPDATE " + table + " SET ")
	for i, c := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(c + " = v." + c)
	}
	sb.WriteString(", updated_at = ? FROM v WHERE " + table + ".id = v.id")
	args = append(args, now)
	res := tx.Exec(sb.String(), args...)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != int64(len(rows)) {
		return fmt.Errorf("%d of %d rows updated", res.RowsAffected, len(rows))
	}
	return nil
}

func runID(id int64) *int64 { return &id }

// InsertFacts inserts fact records (SKPRecord, PenaltyRecord, ExternalRecord, or a struct
// that embeds one) as they are, in statements of at most the dialect's write batch, and calls
// written (when not nil) with the number of rows of each statement once it is done. It stops
// when ctx is cancelled. It is the one place fact rows are inserted: imports call it, and so
// does the demo seed (internal/demo), which sets the records' source and times itself.
func InsertFacts[R any](ctx context.Context, tx *gorm.DB, dialect string, recs []R, written func(n int)) error {
	for part := range slices.Chunk(recs, writeBatch(dialect)) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := tx.Omit(clause.Associations).Create(&part).Error; err != nil {
			return err
		}
		if written != nil {
			written(len(part))
		}
	}
	return nil
}

// ---- skp ----

// SKPRecord is a row of skp_results: one employee's SKP appraisal of a year. The importer
// and the demo seed (internal/demo) both write facts as these records, through InsertFacts.
type SKPRecord struct {
	ID          int64     `gorm:"column:id;primaryKey"`
	EmployeeID  int64     `gorm:"column:employee_id"`
	Year        int       `gorm:"column:year"`
	Value       *float64  `gorm:"column:value"`
	Predikat    string    `gorm:"column:predikat"`
	Source      string    `gorm:"column:source"`
	ImportRunID *int64    `gorm:"column:import_run_id"`
	CreatedAt   time.Time `gorm:"column:created_at"`
	UpdatedAt   time.Time `gorm:"column:updated_at"`
}

// TableName is the skp_results table.
func (SKPRecord) TableName() string { return "skp_results" }

// Predikat codes (rules document §4) and the other spellings read.
var predikatCodes = map[string]string{
	"sangat_baik": "sangat_baik", "1": "sangat_baik",
	"baik": "baik", "2": "baik",
	"butuh_perbaikan": "butuh_perbaikan", "3": "butuh_perbaikan", "cukup": "butuh_perbaikan",
	"kurang": "kurang", "4": "kurang", "misconduct": "kurang", "kurang/misconduct": "kurang",
	"sangat_kurang": "sangat_kurang", "5": "sangat_kurang",
}

// normPredikat folds "Sangat Baik", "sangat-baik" or "SANGAT_BAIK" to "sangat_baik".
func normPredikat(s string) (string, bool) {
	k := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
	c, ok := predikatCodes[k]
	return c, ok
}

const maxSKPValue = 120

func skpOps() factOps[SKPRecord] {
	return factOps[SKPRecord]{
		what: "SKP", runKind: RunKindSKP, audit: AuditActionImportSKP, spec: skpColumns,
		header: func(cols columns) []string {
			if !cols.has(ColValue) && !cols.has(ColPredikat) {
				return []string{"Kolom nilai atau predikat wajib ada (salah satu atau keduanya)."}
			}
			return nil
		},
		parse: func(r *factRow[SKPRecord], c cellReader, now time.Time) {
			rec := &r.rec
			y := c.text(ColYear, 0)
			if n, ok := wholeNumber(y); !ok || n < 1990 || n > now.Year() {
				if y == "" {
					c.fail(ColYear, "Kolom tahun wajib diisi.")
				} else {
					c.fail(ColYear, "Tahun %q tidak sah: tahun empat digit dari 1990 sampai %d.", y, now.Year())
				}
			} else {
				rec.Year = n
			}
			v, p := c.text(ColValue, 0), c.text(ColPredikat, 0)
			switch {
			case v == "" && p == "":
				c.fail(ColValue+", "+ColPredikat, "Isi nilai atau predikat SKP.")
			case v != "" && p != "":
				c.fail(ColValue+", "+ColPredikat, "Isi nilai atau predikat SKP, tidak keduanya.")
			case v != "":
				x, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
				hundredths := math.Round(x * 100)
				switch {
				case err != nil || math.IsNaN(x) || math.IsInf(x, 0):
					c.fail(ColValue, "Nilai SKP %q bukan angka.", v)
				case x < 0 || x > maxSKPValue:
					c.fail(ColValue, "Nilai SKP %s di luar rentang 0 sampai %d.", v, maxSKPValue)
				case math.Abs(x*100-hundredths) > 1e-6:
					c.fail(ColValue, "Nilai SKP %s: paling banyak 2 desimal.", v)
				default:
					x = hundredths / 100
					rec.Value = &x
				}
			default:
				code, ok := normPredikat(p)
				if !ok {
					c.fail(ColPredikat, "Predikat %q tidak dikenal; gunakan sangat_baik, baik, butuh_perbaikan, kurang atau sangat_kurang.", p)
				}
				rec.Predikat = code
			}
		},
		keys:       func(rec *SKPRecord) (string, string) { return strconv.Itoa(rec.Year), "" },
		storedKeys: func(rec *SKPRecord) (string, string) { return "", strconv.Itoa(rec.Year) },
		id:         func(rec *SKPRecord) *int64 { return &rec.ID },
		employee:   func(rec *SKPRecord) *int64 { return &rec.EmployeeID },
		load: func(tx *gorm.DB, ids []int64) ([]SKPRecord, error) {
			var out []SKPRecord
			err := tx.Where("employee_id IN ?", ids).Order("id").Find(&out).Error
			return out, err
		},
		// The row is the year's appraisal: it replaces value and predikat together.
		merge: func(old, in SKPRecord, _ columns) SKPRecord {
			old.Value, old.Predikat = in.Value, in.Predikat
			return old
		},
		same: func(a, b SKPRecord) bool {
			return a.Year == b.Year && a.Predikat == b.Predikat && (a.Value == nil) == (b.Value == nil) &&
				(a.Value == nil || *a.Value == *b.Value)
		},
		provenance: func(rec *SKPRecord, run int64, _ domain.Actor, now time.Time, created bool) {
			rec.Source, rec.ImportRunID, rec.UpdatedAt = sourceImport, runID(run), now
			if created {
				rec.CreatedAt = now
			}
		},
		update: func(tx *gorm.DB, dialect string, recs []SKPRecord, now time.Time) error {
			rows := make([][]any, len(recs))
			for i, r := range recs {
				rows[i] = []any{r.ID, r.Value, r.Predikat, r.Source, r.ImportRunID}
			}
			return updateByID(tx, dialect, "skp_results", []string{"value", "predikat", "source", "import_run_id"},
				[]string{"numeric", "text", "text", "bigint"}, rows, now)
		},
	}
}

// ---- hukdis ----

// PenaltyRecord is a row of disciplinary_penalties: one disciplinary penalty of an employee.
type PenaltyRecord struct {
	ID           int64       `gorm:"column:id;primaryKey"`
	EmployeeID   int64       `gorm:"column:employee_id"`
	Level        string      `gorm:"column:level"`
	StartDate    domain.Date `gorm:"column:start_date"`
	Kind         string      `gorm:"column:kind"`
	DecreeNumber string      `gorm:"column:decree_number"`
	Source       string      `gorm:"column:source"`
	ImportRunID  *int64      `gorm:"column:import_run_id"`
	CreatedAt    time.Time   `gorm:"column:created_at"`
	UpdatedAt    time.Time   `gorm:"column:updated_at"`
}

// TableName is the disciplinary_penalties table.
func (PenaltyRecord) TableName() string { return "disciplinary_penalties" }

var penaltyLevels = map[string]string{"r": "R", "ringan": "R", "s": "S", "sedang": "S", "b": "B", "berat": "B"}

func penaltyNatural(rec *PenaltyRecord) string {
	return "d:" + rec.StartDate.String() + "|" + rec.Level
}

func hukdisOps() factOps[PenaltyRecord] {
	return factOps[PenaltyRecord]{
		what: "hukuman disiplin", runKind: RunKindHukdis, audit: AuditActionImportHukdis, spec: hukdisColumns,
		parse: func(r *factRow[PenaltyRecord], c cellReader, now time.Time) {
			rec := &r.rec
			lv := c.text(ColLevel, 0)
			if code, ok := penaltyLevels[strings.ToLower(lv)]; ok {
				rec.Level = code
			} else if lv == "" {
				c.fail(ColLevel, "Kolom tingkat wajib diisi (R, S atau B).")
			} else {
				c.fail(ColLevel, "Tingkat hukuman disiplin %q tidak dikenal; gunakan R (ringan), S (sedang) atau B (berat).", lv)
			}
			rec.StartDate = dateCell(c, ColStartDate, true)
			if !rec.StartDate.IsZero() && rec.StartDate.Year() > now.Year()+1 {
				c.fail(ColStartDate, "Tanggal mulai %s terlalu jauh di masa depan.", rec.StartDate)
			}
			rec.Kind = c.text(ColPenaltyKind, maxOrganizerLen)
			rec.DecreeNumber = c.text(ColDecree, maxNumberLen)
		},
		keys: func(rec *PenaltyRecord) (string, string) {
			if rec.DecreeNumber != "" {
				return "sk:" + rec.DecreeNumber, penaltyNatural(rec)
			}
			return penaltyNatural(rec), ""
		},
		storedKeys: func(rec *PenaltyRecord) (string, string) {
			if rec.DecreeNumber != "" {
				return "sk:" + rec.DecreeNumber, penaltyNatural(rec)
			}
			return "", penaltyNatural(rec)
		},
		id:       func(rec *PenaltyRecord) *int64 { return &rec.ID },
		employee: func(rec *PenaltyRecord) *int64 { return &rec.EmployeeID },
		load: func(tx *gorm.DB, ids []int64) ([]PenaltyRecord, error) {
			var out []PenaltyRecord
			err := tx.Where("employee_id IN ?", ids).Order("id").Find(&out).Error
			return out, err
		},
		merge: func(old, in PenaltyRecord, cols columns) PenaltyRecord {
			old.Level, old.StartDate = in.Level, in.StartDate
			if cols.has(ColPenaltyKind) {
				old.Kind = in.Kind
			}
			if in.DecreeNumber != "" {
				old.DecreeNumber = in.DecreeNumber
			}
			return old
		},
		same: func(a, b PenaltyRecord) bool {
			return a.Level == b.Level && a.StartDate.Equal(b.StartDate.Time) && a.Kind == b.Kind && a.DecreeNumber == b.DecreeNumber
		},
		provenance: func(rec *PenaltyRecord, run int64, _ domain.Actor, now time.Time, created bool) {
			rec.Source, rec.ImportRunID, rec.UpdatedAt = sourceImport, runID(run), now
			if created {
				rec.CreatedAt = now
			}
		},
		update: func(tx *gorm.DB, dialect string, recs []PenaltyRecord, now time.Time) error {
			rows := make([][]any, len(recs))
			for i, r := range recs {
				rows[i] = []any{r.ID, r.Level, r.StartDate, r.Kind, r.DecreeNumber, r.Source, r.ImportRunID}
			}
			return updateByID(tx, dialect, "disciplinary_penalties",
				[]string{"level", "start_date", "kind", "decree_number", "source", "import_run_id"},
				[]string{"text", "date", "text", "text", "text", "bigint"}, rows, now)
		},
	}
}

// ---- pengembangan ----

// ExternalRecord is a row of external_trainings: competency development an employee took
// outside Sertika, with its review status.
type ExternalRecord struct {
	ID                int64       `gorm:"column:id;primaryKey"`
	EmployeeID        int64       `gorm:"column:employee_id"`
	Kind              string      `gorm:"column:kind"`
	Level             string      `gorm:"column:level"`
	Title             string      `gorm:"column:title"`
	JP                int         `gorm:"column:jp"`
	StartDate         domain.Date `gorm:"column:start_date"`
	EndDate           domain.Date `gorm:"column:end_date"`
	Organizer         string      `gorm:"column:organizer"`
	CertificateNumber string      `gorm:"column:certificate_number"`
	Status            string      `gorm:"column:status"`
	EvidenceSHA256    string      `gorm:"column:evidence_sha256"`
	SubmittedBy       *int64      `gorm:"column:submitted_by"`
	ReviewedBy        *int64      `gorm:"column:reviewed_by"`
	ReviewedAt        *time.Time  `gorm:"column:reviewed_at"`
	ReviewReason      string      `gorm:"column:review_reason"`
	Source            string      `gorm:"column:source"`
	ImportRunID       *int64      `gorm:"column:import_run_id"`
	CreatedAt         time.Time   `gorm:"column:created_at"`
	UpdatedAt         time.Time   `gorm:"column:updated_at"`
}

// TableName is the external_trainings table.
func (ExternalRecord) TableName() string { return "external_trainings" }

// externalRecognised is the status of an external record that counts for scores.
const externalRecognised = "recognised"

// normKind returns the development kind of a code ("teknis", any case) or SIASN id ("3").
func normKind(s string) (string, bool) {
	k := strings.ToLower(strings.TrimSpace(s))
	if n, ok := wholeNumber(k); ok {
		for _, d := range domain.DevelopmentKinds {
			if d.SIASNID == n {
				return d.Code, true
			}
		}
		return "", false
	}
	k = strings.NewReplacer(" ", "_", "-", "_").Replace(k)
	if _, ok := domain.KindByCode(k); ok {
		return k, true
	}
	return "", false
}

// leadershipAliases are other spellings of the leadership levels, after folding (lower
// case, without spaces, dots, dashes and the words "diklat" and "tingkat").
var leadershipAliases = map[string]string{
	"pimiv": "pim4", "pimiii": "pim3", "pimii": "pim2", "pimi": "pim1",
	"pknii": "pkn2", "pkni": "pkn1", "pkn": "pkn2",
}

// normLevel returns the leadership-training level code of s.
func normLevel(s string) (string, bool) {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.NewReplacer(" ", "", ".", "", "-", "", "_", "", "diklat", "", "tingkat", "").Replace(k)
	if c, ok := leadershipAliases[k]; ok {
		k = c
	}
	if _, ok := domain.LeadershipLevelByCode(k); ok {
		return k, true
	}
	return "", false
}

func externalNatural(rec *ExternalRecord) string {
	return "k:" + rec.Kind + "|" + rec.Title + "|" + rec.EndDate.String()
}

func pengembanganOps() factOps[ExternalRecord] {
	return factOps[ExternalRecord]{
		what: "pengembangan kompetensi", runKind: RunKindPengembangan, audit: AuditActionImportPengembangan,
		spec: pengembanganColumns,
		parse: func(r *factRow[ExternalRecord], c cellReader, now time.Time) {
			rec := &r.rec
			kind := c.text(ColKindCode, 0)
			if code, ok := normKind(kind); ok {
				rec.Kind = code
			} else if kind == "" {
				c.fail(ColKindCode, "Kolom kode_jenis wajib diisi.")
			} else {
				c.fail(ColKindCode, "Kode jenis pengembangan %q tidak dikenal; gunakan kode pada tabel jenis (mis. teknis, bimtek, seminar, kepemimpinan) atau jenisDiklatId SIASN 1–25.", kind)
			}
			lv := c.text(ColLevel, 0)
			switch {
			case rec.Kind == "kepemimpinan" && lv == "":
				c.fail(ColLevel, "Kolom tingkat wajib diisi untuk pelatihan kepemimpinan (pkp, pka, pkn2, pkn1, pim4, pim3, pim2 atau pim1).")
			case rec.Kind == "kepemimpinan":
				if code, ok := normLevel(lv); ok {
					rec.Level = code
				} else {
					c.fail(ColLevel, "Tingkat pelatihan kepemimpinan %q tidak dikenal; gunakan pkp, pka, pkn2, pkn1, pim4, pim3, pim2 atau pim1.", lv)
				}
			case lv != "" && rec.Kind != "":
				c.fail(ColLevel, "Kolom tingkat hanya diisi untuk pelatihan kepemimpinan.")
			}
			rec.Title = c.text(ColTitle, maxFactTitleLen)
			if rec.Title == "" {
				c.fail(ColTitle, "Kolom nama (nama kegiatan) wajib diisi.")
			}
			jp := c.text(ColJP, 0)
			if n, ok := wholeNumber(jp); ok && n >= 0 && n <= maxJP {
				rec.JP = n
			} else if jp == "" {
				c.fail(ColJP, "Kolom jumlah_jp wajib diisi.")
			} else {
				c.fail(ColJP, "Jumlah JP %q tidak sah: bilangan bulat 0 sampai %d.", jp, maxJP)
			}
			rec.StartDate = dateCell(c, ColStartDate, false)
			rec.EndDate = dateCell(c, ColEndDate, true)
			today := domain.DateOf(now)
			switch {
			case rec.EndDate.IsZero():
			case rec.EndDate.After(today.Time):
				c.fail(ColEndDate, "Tanggal selesai %s belum lewat: hanya kegiatan yang sudah selesai yang dicatat.", rec.EndDate)
			case !rec.StartDate.IsZero() && rec.StartDate.After(rec.EndDate.Time):
				c.fail(ColStartDate, "Tanggal mulai %s sesudah tanggal selesai %s.", rec.StartDate, rec.EndDate)
			}
			rec.Organizer = c.text(ColOrganizer, maxOrganizerLen)
			rec.CertificateNumber = c.text(ColCertNumber, maxNumberLen)
		},
		keys: func(rec *ExternalRecord) (string, string) {
			if rec.CertificateNumber != "" {
				return "n:" + rec.CertificateNumber, externalNatural(rec)
			}
			return externalNatural(rec), ""
		},
		storedKeys: func(rec *ExternalRecord) (string, string) {
			if rec.CertificateNumber != "" {
				return "n:" + rec.CertificateNumber, externalNatural(rec)
			}
			return "", externalNatural(rec)
		},
		id:       func(rec *ExternalRecord) *int64 { return &rec.ID },
		employee: func(rec *ExternalRecord) *int64 { return &rec.EmployeeID },
		load: func(tx *gorm.DB, ids []int64) ([]ExternalRecord, error) {
			var out []ExternalRecord
			err := tx.Where("employee_id IN ?", ids).Order("id").Find(&out).Error
			return out, err
		},
		check: func(ctx context.Context, tx *gorm.DB, rows []*factRow[ExternalRecord]) error {
			// A certificate Sertika issued already counts (while it is valid): importing it as
			// an external record would count it twice, or bring a revoked one back.
			var nums []string
			for _, r := range rows {
				if r.empID != 0 && r.rec.CertificateNumber != "" {
					nums = append(nums, r.rec.CertificateNumber)
				}
			}
			own := map[string]int64{}
			for chunk := range slices.Chunk(nums, lookupChunk) {
				if err := ctx.Err(); err != nil {
					return err
				}
				var found []struct {
					Number     string `gorm:"column:number"`
					EmployeeID int64  `gorm:"column:employee_id"`
				}
				if err := tx.Raw(`SELECT number, employee_id FROM certificates WHERE number IN ?`, chunk).Scan(&found).Error; err != nil {
					return fmt.Errorf("load certificates: %w", err)
				}
				for _, f := range found {
					own[f.Number] = f.EmployeeID
				}
			}
			for _, r := range rows {
				if e, ok := own[r.rec.CertificateNumber]; ok && r.rec.CertificateNumber != "" && e == r.empID {
					r.rejectIn(ColCertNumber, "Nomor sertifikat %s adalah sertifikat yang diterbitkan Sertika untuk pegawai ini; tidak perlu diimpor.", r.rec.CertificateNumber)
				}
			}
			return nil
		},
		merge: func(old, in ExternalRecord, cols columns) ExternalRecord {
			old.Kind, old.Level, old.Title, old.JP, old.EndDate = in.Kind, in.Level, in.Title, in.JP, in.EndDate
			if cols.has(ColStartDate) {
				old.StartDate = in.StartDate
			}
			if cols.has(ColOrganizer) {
				old.Organizer = in.Organizer
			}
			if in.CertificateNumber != "" {
				old.CertificateNumber = in.CertificateNumber
			}
			old.Status = externalRecognised
			return old
		},
		same: func(a, b ExternalRecord) bool {
			return a.Kind == b.Kind && a.Level == b.Level && a.Title == b.Title && a.JP == b.JP &&
				a.StartDate.Equal(b.StartDate.Time) && a.EndDate.Equal(b.EndDate.Time) && a.Organizer == b.Organizer &&
				a.CertificateNumber == b.CertificateNumber && a.Status == b.Status
		},
		provenance: func(rec *ExternalRecord, run int64, actor domain.Actor, now time.Time, created bool) {
			var uid *int64
			if actor.UserID != 0 {
				uid = runID(actor.UserID)
			}
			at := now
			rec.Status, rec.ReviewedBy, rec.ReviewedAt, rec.ReviewReason = externalRecognised, uid, &at, ""
			rec.ImportRunID, rec.UpdatedAt = runID(run), now
			if created {
				rec.Source, rec.CreatedAt = sourceImport, now
			}
		},
		update: func(tx *gorm.DB, dialect string, recs []ExternalRecord, now time.Time) error {
			rows := make([][]any, len(recs))
			for i, r := range recs {
				rows[i] = []any{r.ID, r.Kind, r.Level, r.Title, r.JP, r.StartDate, r.EndDate, r.Organizer,
					r.CertificateNumber, r.Status, r.ReviewedBy, r.ReviewedAt, r.ReviewReason, r.ImportRunID}
			}
			return updateByID(tx, dialect, "external_trainings",
				[]string{"kind", "level", "title", "jp", "start_date", "end_date", "organizer", "certificate_number",
					"status", "reviewed_by", "reviewed_at", "review_reason", "import_run_id"},
				[]string{"text", "text", "text", "integer", "date", "date", "text", "text", "text", "bigint",
					"timestamptz", "text", "bigint"}, rows, now)
		},
	}
}
