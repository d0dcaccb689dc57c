package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/importer"
)

func init() {
	register(command{name: "import", summary: "import employees from a CSV or XLSX file", run: runImport})
}

const importUsage = `Usage:
  sertika import employees [flags] FILE
  sertika import template [--xlsx] [-o FILE]

"employees" reads employee master data (NIP, name, status, OPD code, position, …) from a CSV
or XLSX file and creates or updates employees by NIP. The whole file is one transaction: if
any row is rejected, nothing is written and the report lists every rejected row with its
reason. FILE "-" reads standard input.

"template" writes an import template (CSV, or XLSX with an explanation sheet) to standard
output or to the file given with -o.

Run "sertika import employees --help" or "sertika import template --help" for the flags.
`

func runImport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, importUsage)
		return usagef("want a subcommand: employees or template")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(e.stdout, importUsage)
		return flag.ErrHelp
	case "employees":
		return runImportEmployees(ctx, e, args[1:])
	case "template":
		return runImportTemplate(e, args[1:])
	}
	return usagef("unknown subcommand %q (want employees or template)", args[0])
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

	pp := newProgress(e.stderr, "processing rows")
	rep, err := importer.ImportEmployees(ctx, db, domain.System, name, in, importer.Options{
		DryRun:   *dryRun,
		MaxBytes: int64(cfg.MaxUploadBytes),
		Progress: pp.update,
	})
	pp.finish()
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Code != apperr.CodeInternal {
			return exitCodeError{code: 1, msg: ae.Message}
		}
		return err
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
	fs := newFlagSet(e, "import template", "import template [--xlsx] [-o FILE]", `
Write the employee import template: the header row and one example row. The XLSX template
also has a "Petunjuk" sheet explaining every column and the SIASN education-level codes.
Without -o the template goes to standard output. An -o file name ending in .xlsx implies
--xlsx.`)
	asXLSX := fs.Bool("xlsx", false, "write an XLSX workbook instead of CSV")
	out := fs.String("o", "", "write the template to `FILE` instead of standard output")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	if strings.EqualFold(filepath.Ext(*out), ".xlsx") {
		*asXLSX = true
	}
	data := importer.EmployeeTemplateCSV()
	if *asXLSX {
		if data, err = importer.EmployeeTemplateXLSX(); err != nil {
			return err
		}
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
