package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/importer"
	"github.com/sertika/sertika/scoring"
)

func init() {
	register(command{name: "import", summary: "import employees, SKP, penalties or development records from CSV or XLSX", run: runImport})
}

const importUsage = `Usage:
  sertika import employees [flags] FILE
  sertika import skp [flags] FILE
  sertika import hukdis [flags] FILE
  sertika import pengembangan [flags] FILE
  sertika import template [employees|skp|hukdis|pengembangan] [--xlsx] [-o FILE]

"employees" reads employee master data (NIP, name, status, OPD code, position, …) from a CSV
or XLSX file and creates or updates employees by NIP. "skp", "hukdis" and "pengembangan" read
the facts of the IP ASN in SIASN's shapes: performance appraisals, disciplinary penalties and
competency development recorded outside Sertika. The whole file is one transaction: if any
row is rejected, nothing is written and the report lists every rejected row with its reason;
the affected employees' scores are updated in the same transaction. FILE "-" reads standard
input.

"template" writes the import template of a kind (employees when none is named; CSV, or XLSX
with an explanation sheet) to standard output or to the file given with -o.

Run "sertika import KIND --help" for the columns and flags of each kind.
`

func runImport(ctx context.Context, e *env, args []string) error {
	if ok, err := subcommandNamed(e, importUsage, "want a subcommand: employees, skp, hukdis, pengembangan or template", args); !ok {
		return err
	}
	switch args[0] {
	case "employees":
		return runImportEmployees(ctx, e, args[1:])
	case "template":
		return runImportTemplate(e, args[1:])
	case string(importer.FactSKP), string(importer.FactHukdis), string(importer.FactPengembangan):
		return runImportFacts(ctx, e, importer.FactKind(args[0]), args[1:])
	}
	return usagef("unknown subcommand %q (want employees, skp, hukdis, pengembangan or template)", args[0])
}

func runImportEmployees(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "import employees", "import employees [flags] FILE", `
Import employees from FILE, a CSV (comma or semicolon separated) or XLSX file whose first row
names the columns:

  nip, nama, gelar_depan, gelar_belakang, status, kode_opd, jabatan, jenis_jabatan,
  eselon, jf, tk_pendidikan

(nip, nama, status, kode_opd and jenis_jabatan are required). Employees are matched by NIP:
new ones are created, known ones updated when something changed. If any row is rejected,
nothing is written. FILE "-" reads standard input. The file may be at most
SERTIKA_MAX_UPLOAD_MB megabytes (default 20).

The report (in Indonesian) goes to standard output, progress to standard error. The exit
status is 0 when the import was committed (or a dry run found no problem) and 1 otherwise.
"sertika import template" writes a template to start from.`)
	dryRun := fs.Bool("dry-run", false, "check the file and report what would change, without writing anything")
	return runImportFile(ctx, e, fs, args, dryRun, func(db *database.DB, st *scoring.Store, name string, in io.Reader, opt importer.Options) (*importer.Report, error) {
		opt.Rescorer = st
		return importer.ImportEmployees(ctx, db, domain.System, name, in, opt)
	})
}

// factUsage describes the columns of each fact file.
var factUsage = map[importer.FactKind]string{
	importer.FactSKP: `
Import performance appraisals (SKP) from FILE, a CSV or XLSX file with the columns

  nip, tahun, nilai, predikat

One appraisal per employee and year: a row fills either nilai (the numeric SKP before 2022,
0–120) or predikat (sangat_baik, baik, butuh_perbaikan, kurang, sangat_kurang; SIASN's 1–5
too) and replaces that year's appraisal. A file may leave out the column it never uses.`,
	importer.FactHukdis: `
Import disciplinary penalties (hukuman disiplin) from FILE, a CSV or XLSX file with the columns

  nip, tingkat, tanggal_mulai, jenis, nomor_sk

tingkat is R, S or B (ringan, sedang, berat); dates are YYYY-MM-DD or dd-mm-yyyy. A penalty
is identified by nomor_sk or, without one, by tanggal_mulai and tingkat.`,
	importer.FactPengembangan: `
Import competency development recorded outside Sertika (SIASN's course history, certificates
of other institutions) from FILE, a CSV or XLSX file with the columns

  nip, kode_jenis, tingkat, nama, jumlah_jp, tanggal_mulai, tanggal_selesai, penyelenggara,
  nomor_sertifikat

kode_jenis is a development kind code (teknis, bimtek, seminar, kepemimpinan, … or SIASN's
jenisDiklatId 1–25); tingkat only for kepemimpinan (pkp, pka, pkn2, pkn1, pim4 … pim1). A
record is identified by nomor_sertifikat or, without one, by kode_jenis, nama and
tanggal_selesai. Records imported by an administrator count as recognised.`,
}

func runImportFacts(ctx context.Context, e *env, kind importer.FactKind, args []string) error {
	fs := newFlagSet(e, "import "+string(kind), "import "+string(kind)+" [flags] FILE", factUsage[kind]+`

Rows name employees by NIP (import the employees first) and update the stored record with
the same identity. If any row is rejected, nothing is written. The affected employees' IP
ASN scores are recomputed in the same transaction. FILE "-" reads standard input.

The report (in Indonesian) goes to standard output, progress to standard error. The exit
status is 0 when the import was committed (or a dry run found no problem) and 1 otherwise.`)
	dryRun := fs.Bool("dry-run", false, "check the file and report what would change, without writing anything")
	return runImportFile(ctx, e, fs, args, dryRun, func(db *database.DB, st *scoring.Store, name string, in io.Reader, opt importer.Options) (*importer.Report, error) {
		return importer.ImportFacts(ctx, db, st, kind, domain.System, name, in, opt)
	})
}

// runImportFile parses the flags and the one FILE argument, opens the file and the
// database, runs the import with a progress line and prints the report.
func runImportFile(ctx context.Context, e *env, fs *flag.FlagSet, args []string, dryRun *bool,
	doImport func(db *database.DB, st *scoring.Store, name string, in io.Reader, opt importer.Options) (*importer.Report, error)) error {
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("want exactly one FILE (or - for standard input)")
	}
	var (
		in   io.Reader
		name string
	)
	if files[0] == "-" {
		in, name = e.stdin, "stdin"
	} else {
		f, err := os.Open(files[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in, name = f, filepath.Base(files[0])
	}
	db, err := openDB(ctx, e, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := newScoreStore(cfg, db)
	if err != nil {
		return err
	}

	pp := newProgress(e.stderr, "processing rows")
	rep, err := doImport(db, st, name, in, importer.Options{
		DryRun:   *dryRun,
		MaxBytes: int64(cfg.MaxUploadBytes),
		Progress: pp.update,
	})
	pp.finish()
	if err != nil {
		return userFailure(err)
	}
	rep.WriteText(e.stdout)
	switch {
	case rep.Rejected > 0:
		return exitCodeError{code: 1, msg: fmt.Sprintf("%d row(s) rejected; nothing was imported", rep.Rejected)}
	case !rep.Committed && !rep.DryRun:
		return exitCodeError{code: 1, msg: "nothing was imported"}
	}
	return nil
}

func runImportTemplate(e *env, args []string) error {
	fs := newFlagSet(e, "import template", "import template [employees|skp|hukdis|pengembangan] [--xlsx] [-o FILE]", `
Write an import template: the header row and one example row. KIND is employees (the
default), skp, hukdis or pengembangan; the headers are a contract that scripts may rely on:

  employees     nip, nama, gelar_depan, gelar_belakang, status, kode_opd, jabatan,
                jenis_jabatan, eselon, jf, tk_pendidikan
  skp           nip, tahun, nilai, predikat
  hukdis        nip, tingkat, tanggal_mulai, jenis, nomor_sk
  pengembangan  nip, kode_jenis, tingkat, nama, jumlah_jp, tanggal_mulai, tanggal_selesai,
                penyelenggara, nomor_sertifikat

The CSV template is comma-separated UTF-8 with a BOM. The XLSX template also has a
"Petunjuk" sheet explaining every column and listing the allowed codes (education levels;
predikat; tingkat R/S/B; kode_jenis with SIASN's jenisDiklatId and the leadership levels).
The example rows of the fact templates name the employee of the employees template.
Without -o the template goes to standard output. An -o file name ending in .xlsx implies
--xlsx.`)
	asXLSX := fs.Bool("xlsx", false, "write an XLSX workbook instead of CSV")
	out := fs.String("o", "", "write the template to `FILE` instead of standard output")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	kind := "employees"
	switch len(rest) {
	case 0:
	case 1:
		kind = rest[0]
	default:
		return usagef("unexpected argument %q", rest[1])
	}
	if strings.EqualFold(filepath.Ext(*out), ".xlsx") {
		*asXLSX = true
	}
	var data []byte
	switch kind {
	case "employees":
		data = importer.EmployeeTemplateCSV()
		if *asXLSX {
			data, err = importer.EmployeeTemplateXLSX()
		}
	case string(importer.FactSKP), string(importer.FactHukdis), string(importer.FactPengembangan):
		if *asXLSX {
			data, err = importer.FactTemplateXLSX(importer.FactKind(kind))
		} else {
			data, err = importer.FactTemplateCSV(importer.FactKind(kind))
		}
	default:
		return usagef("unknown template %q (want employees, skp, hukdis or pengembangan)", kind)
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := e.stdout.Write(data)
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", *out)
	return nil
}

// parseInterleaved parses flags that may come before or after the positional arguments
// ("import employees FILE --dry-run") and returns the positional ones. Everything after "--"
// is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
