// Package importer loads employee master data (pegawai) from a spreadsheet that an agency
// exports from SIASN or keeps in Excel: a CSV file (comma, semicolon or tab separated, UTF-8
// with or without BOM, UTF-16 "Unicode Text" or Windows-1252) or an XLSX workbook (the first
// sheet is read). The format is recognised from the content, never from the file name.
//
// # Columns
//
// The first non-empty row is the header. Names are matched case-insensitively after trimming
// (spaces and dashes count as underscores), in any order:
//
//	nip, nama, gelar_depan, gelar_belakang, status, kode_opd, jabatan, jenis_jabatan,
//	eselon, jf, tk_pendidikan
//
// nip, nama, status, kode_opd and jenis_jabatan are required; the others may be left out. A
// column the importer does not know is an error (so a typo such as "gelar_dpn" never silently
// drops data). EmployeeTemplateCSV and EmployeeTemplateXLSX produce a ready-made template.
//
// # Semantics (decisions)
//
//   - Upsert by NIP: a NIP not yet in the database is created (active), a known one is updated
//     when any imported field differs and reported "unchanged" otherwise. Employees missing
//     from the file are left alone (an import never deletes or deactivates), and the active
//     flag of an existing employee is not touched.
//   - An optional column that is absent from the header leaves that field of existing
//     employees as it is; a column that is present but empty clears it.
//   - All or nothing: the whole file is one transaction. If any row is rejected, nothing is
//     written and Report.Committed is false; the report still tells, for every valid row,
//     what it would have done (created, updated or unchanged), so the operator can fix the
//     rejected rows and upload the same file again. A dry run (Options.DryRun) validates and
//     reports the same way and writes nothing.
//   - A NIP that occurs more than once in one file rejects every occurrence: the importer
//     cannot know which one is right.
//   - Problems with the file as a whole (empty, not CSV/XLSX, too large, no header, missing
//     or unknown columns, no data rows) are returned as an *apperr.Error (code invalid, or
//     too_large for size) with an Indonesian message, and no Report.
//   - Every committed run is recorded in import_runs (with the full report as JSON) and in the
//     audit log, in the same transaction as the data. Runs that commit nothing are not
//     recorded.
//
// Row values: the NIP is validated by package nip (as of the database clock) and must agree
// with status (PNS or PPPK; "P3K" is read as PPPK); kode_opd must name an active OPD; eselon is
// normalised ("iv.a" → "IV.a"); jf is required for jenis_jabatan fungsional; tk_pendidikan is a
// SIASN education-level code ("5" is read as "05"; the labels such as "S1" are accepted too).
// Text is trimmed and stored verbatim (HTML or SQL metacharacters are just text); control
// characters such as line breaks inside a cell reject the row.
//
// Performance: OPDs and existing employees are loaded in bulk (IN lists of at most 1,000
// NIPs), and new and changed employees are written many rows per statement (500 on
// PostgreSQL, 50 on SQLite), so 50,000 rows take a few seconds.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
)

// DefaultMaxBytes is the largest file ImportEmployees reads when Options.MaxBytes is zero.
const DefaultMaxBytes = 20 << 20

// MaxRows is the largest number of data rows one file may hold. It bounds the work a single
// upload can cause (an XLSX file compresses very well, so MaxBytes alone does not).
const MaxRows = 100_000

// Batch sizes. Bound parameters per statement stay far below both databases' limits
// (database.SQLiteMaxParams and PostgreSQL's 65,535). SQLite gets smaller write batches: the
// pure-Go driver matches every bound parameter to its argument by a linear scan, so the cost
// of one statement grows with the square of its parameters (measured: 50,000 new employees
// take about 5 s in batches of 500 rows and 1.4 s in batches of 50).
const (
	lookupChunk        = 1000
	writeBatchPostgres = 500
	writeBatchSQLite   = 50
)

// writeBatch is the number of rows inserted or updated per statement.
func writeBatch(dialect string) int {
	if dialect == database.Postgres {
		return writeBatchPostgres
	}
	return writeBatchSQLite
}

// Options tune ImportEmployees.
type Options struct {
	// DryRun validates the file and reports what would happen without writing anything.
	DryRun bool
	// MaxBytes limits the size of the file; zero means DefaultMaxBytes.
	MaxBytes int64
	// Progress, when set, is told how many of the file's data rows are done. It is called
	// once with done = 0 when the file has been read and checked, then after each written
	// batch, and finally with done = total. Writing is the slow part of an import; reading
	// and checking 50,000 rows takes well under a second from CSV and a few seconds from
	// XLSX.
	Progress func(done, total int)
	// Rescorer, when set, brings the stored scores of the employees created or updated in
	// line with their new profile (education level, kind of position, eselon, JF, status)
	// in the import's transaction. The server and the CLI set it (scoring.Store); without
	// it the scores wait for the next `sertika rescore`.
	Rescorer Rescorer

	// failAfterWrite, when set (by tests), is called inside the transaction after the rows
	// are written; an error it returns aborts the import.
	failAfterWrite func() error
}

// Action is what an import did (or, when nothing was committed, would do) with one row.
type Action string

// The actions.
const (
	ActionCreated   Action = "created"
	ActionUpdated   Action = "updated"
	ActionUnchanged Action = "unchanged"
	ActionRejected  Action = "rejected"
)

// Label is the action in Bahasa Indonesia.
func (a Action) Label() string {
	switch a {
	case ActionCreated:
		return "dibuat"
	case ActionUpdated:
		return "diperbarui"
	case ActionUnchanged:
		return "tidak berubah"
	case ActionRejected:
		return "ditolak"
	}
	return string(a)
}

// RowResult is the outcome of one data row.
type RowResult struct {
	Line   int    `json:"line"` // line (CSV) or row (XLSX) number in the file; the header is line 1
	Action Action `json:"action"`
	NIP    string `json:"nip"`
	Name   string `json:"name"`
	Reason string `json:"reason,omitempty"` // why the row was rejected, in Indonesian
	// Problems are the reasons one by one with the column each concerns ("" for the row as
	// a whole); the fact imports fill them, the employee import leaves them empty.
	Problems []Problem `json:"problems,omitempty"`
}

// Problem is one reason a row was rejected.
type Problem struct {
	Column string `json:"column,omitempty"` // header name, or a few comma-separated; "" for the whole row
	Reason string `json:"reason"`           // in Indonesian
}

// Report is the outcome of an import, row by row.
type Report struct {
	FileName  string      `json:"file_name"`
	SHA256    string      `json:"sha256"`
	Format    string      `json:"format"` // "csv" or "xlsx"
	DryRun    bool        `json:"dry_run"`
	Committed bool        `json:"committed"` // whether the rows were written
	Created   int         `json:"created"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Rejected  int         `json:"rejected"`
	Rows      []RowResult `json:"rows"`

	what string // the data imported, for WriteText ("" means employees)
}

// WriteText prints a summary in Bahasa Indonesia followed by the rejected rows.
func (r *Report) WriteText(w io.Writer) {
	format := strings.ToUpper(r.Format)
	if format == "" {
		format = "berkas"
	}
	what := r.what
	if what == "" {
		what = "pegawai"
	}
	fmt.Fprintf(w, "Impor data %s dari %s (%s, %d baris data)\n", what, r.FileName, format, len(r.Rows))
	for _, c := range []struct {
		a Action
		n int
	}{{ActionCreated, r.Created}, {ActionUpdated, r.Updated}, {ActionUnchanged, r.Unchanged}, {ActionRejected, r.Rejected}} {
		fmt.Fprintf(w, "  %-14s %d\n", c.a.Label()+":", c.n)
	}
	const would = "angka di atas menunjukkan apa yang akan terjadi"
	switch {
	case r.Committed:
		fmt.Fprintf(w, "Hasil: perubahan telah disimpan.\n")
	case r.Rejected > 0:
		fmt.Fprintf(w, "Hasil: TIDAK ADA yang disimpan karena %d baris ditolak (%s bila semua baris benar). Perbaiki baris berikut lalu impor ulang seluruh berkas.\n", r.Rejected, would)
	case r.DryRun:
		fmt.Fprintf(w, "Hasil: uji coba (dry run), tidak ada yang disimpan; %s.\n", would)
	default:
		fmt.Fprintf(w, "Hasil: tidak ada yang disimpan.\n")
	}
	if r.Rejected == 0 {
		return
	}
	fmt.Fprintf(w, "\nBaris yang ditolak:\n")
	for _, row := range r.Rows {
		if row.Action != ActionRejected {
			continue
		}
		who := row.NIP
		if row.Name != "" {
			if who != "" {
				who += " "
			}
			who += row.Name
		}
		if who == "" {
			who = "-"
		}
		fmt.Fprintf(w, "  baris %d (%s): %s\n", row.Line, who, row.Reason)
	}
}

// errNoWrite ends a run that must not write (rows rejected, or a dry run); in a transaction it
// rolls back.
var errNoWrite = errors.New("importer: nothing to write")

// ImportEmployees reads an employee file (CSV or XLSX) and upserts its rows by NIP in one
// transaction, on behalf of actor, who must be an administrator. fileName is only recorded
// and shown. See the package documentation for the rules.
//
// A file that cannot be read as a whole returns an *apperr.Error and no report. Otherwise the
// report lists every data row; Report.Committed tells whether anything was written (false for
// a dry run and whenever a row was rejected, in which case the error is nil).
func ImportEmployees(ctx context.Context, db *database.DB, actor domain.Actor, fileName string, r io.Reader, opt Options) (*Report, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, apperr.Forbidden("Hanya administrator yang boleh mengimpor data pegawai.")
	}
	up, err := readUpload(r, opt.MaxBytes, employeeColumns, "pegawai")
	if err != nil {
		return nil, err
	}
	tbl, cols := up.table, up.cols
	rep := up.report(fileName, opt.DryRun)
	progress := func(done, total int) {
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
	}
	rows, err := checkRows(ctx, tbl, cols, db.Now())
	if err != nil {
		return nil, err
	}

	run := func(tx *gorm.DB, write bool) error {
		p, err := makePlan(ctx, tx, rows, cols)
		if err != nil {
			return err
		}
		p.fill(rep)
		progress(0, len(rows))
		if !write || rep.Rejected > 0 {
			return errNoWrite
		}
		if err := p.write(ctx, tx, writeBatch(db.Dialect), db.Now(), func(done int) { progress(done, len(rows)) }); err != nil {
			return err
		}
		if opt.failAfterWrite != nil {
			if err := opt.failAfterWrite(); err != nil {
				return err
			}
		}
		if opt.Rescorer != nil {
			ids := make([]int64, 0, len(p.creates)+len(p.updates))
			for _, e := range p.creates {
				ids = append(ids, e.ID)
			}
			for _, e := range p.updates {
				ids = append(ids, e.ID)
			}
			if err := opt.Rescorer.RescoreAffected(ctx, tx, ids); err != nil {
				return fmt.Errorf("rescore: %w", err)
			}
		}
		rep.Committed = true
		if _, err := recordRun(tx, db, actor, rep, RunKindEmployees, AuditActionImportEmployees); err != nil {
			rep.Committed = false
			return err
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
			return nil, fmt.Errorf("import employees: %w", ctxErr)
		}
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		if database.IsUniqueViolation(err) {
			return nil, withCause(apperr.Conflict("Data pegawai berubah selama impor berlangsung. Silakan impor ulang berkas."), err)
		}
		return nil, apperr.Internal(fmt.Errorf("import employees: %w", err))
	}
	progress(len(rows), len(rows))
	return rep, nil
}

// importRun is a row of import_runs.
type importRun struct {
	ID         int64     `gorm:"primaryKey"`
	Kind       string    `gorm:"column:kind"`
	FileName   string    `gorm:"column:file_name"`
	FileSHA256 string    `gorm:"column:file_sha256"`
	UserID     *int64    `gorm:"column:user_id"`
	Created    int       `gorm:"column:created"`
	Updated    int       `gorm:"column:updated"`
	Unchanged  int       `gorm:"column:unchanged"`
	Rejected   int       `gorm:"column:rejected"`
	Committed  bool      `gorm:"column:committed"`
	Report     string    `gorm:"column:report"`
	CreatedAt  time.Time `gorm:"column:created_at"`
}

func (importRun) TableName() string { return "import_runs" }

// RunKindEmployees is the import_runs.kind of an employee import.
const RunKindEmployees = "employees"

// AuditActionImportEmployees is the audit-log action of a committed employee import.
const AuditActionImportEmployees = "employees.import"

// recordRun writes the import run of the kind and the audit entry with the action, and
// returns the run's id.
func recordRun(tx *gorm.DB, db *database.DB, actor domain.Actor, rep *Report, kind, action string) (int64, error) {
	js, err := json.Marshal(rep)
	if err != nil {
		return 0, err
	}
	now := db.Now()
	var uid *int64
	if actor.UserID != 0 {
		id := actor.UserID
		uid = &id
	}
	run := importRun{
		Kind: kind, FileName: rep.FileName, FileSHA256: rep.SHA256, UserID: uid,
		Created: rep.Created, Updated: rep.Updated, Unchanged: rep.Unchanged, Rejected: rep.Rejected,
		Committed: true, Report: string(js), CreatedAt: now,
	}
	if err := tx.Create(&run).Error; err != nil {
		return 0, fmt.Errorf("record import run: %w", err)
	}
	entry := domain.AuditEntry{
		At:       now,
		UserID:   uid,
		Username: actor.Username,
		Action:   action,
		Object:   fmt.Sprintf("import_runs/%d", run.ID),
		Detail: fmt.Sprintf("berkas %q (sha256 %s): %d dibuat, %d diperbarui, %d tidak berubah",
			rep.FileName, rep.SHA256, rep.Created, rep.Updated, rep.Unchanged),
	}
	if err := tx.Create(&entry).Error; err != nil {
		return 0, fmt.Errorf("record audit entry: %w", err)
	}
	return run.ID, nil
}

// upload is a file read and checked as a whole: its bytes' hash, its cells and its header
// mapped to the columns of the import.
type upload struct {
	sha256 string
	table  *table
	cols   columns
}

// readUpload reads a whole file (at most maxBytes; 0 means DefaultMaxBytes), recognises its
// format, reads its cells and checks the header against spec. what names the data in
// messages ("pegawai"). A problem with the file as a whole is an *apperr.Error.
func readUpload(r io.Reader, maxBytes int64, spec []column, what string) (*upload, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, withCause(apperr.Invalid("Berkas tidak dapat dibaca."), err)
	}
	if int64(len(data)) > maxBytes {
		return nil, apperr.New(apperr.CodeTooLarge, fmt.Sprintf(
			"Berkas terlalu besar: batasnya %s. Bagi data menjadi beberapa berkas.", humanBytes(maxBytes)))
	}
	sum := sha256.Sum256(data)
	tbl, err := readTable(data, maxBytes)
	if err != nil {
		return nil, err
	}
	cols, err := mapHeaderSpec(tbl.header, spec)
	if err != nil {
		return nil, err
	}
	if len(tbl.rows) == 0 {
		return nil, apperr.Invalidf("Berkas hanya berisi header, tanpa baris data %s.", what)
	}
	return &upload{sha256: hex.EncodeToString(sum[:]), table: tbl, cols: cols}, nil
}

// report starts the report of an import of the upload.
func (u *upload) report(fileName string, dryRun bool) *Report {
	return &Report{FileName: fileName, SHA256: u.sha256, Format: u.table.format, DryRun: dryRun}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

// withCause attaches an internal cause to e and returns it.
func withCause(e *apperr.Error, err error) *apperr.Error {
	e.Err = err
	return e
}
