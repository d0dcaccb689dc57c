package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/issuer"
)

func init() {
	register(command{name: "export", summary: "export issued certificates for SIASN (CSV or XLSX)", run: runExport})
}

const exportUsage = `Usage:
  sertika export siasn [--year Y] [--opd CODE] [--format csv|xlsx] [--include-revoked] [-o FILE]

"siasn" writes the certificates Sertika issued as rows for BKN's SIASN riwayat kursus/diklat.
Run "sertika export siasn --help" for the columns.
`

func runExport(ctx context.Context, e *env, args []string) error {
	if ok, err := subcommandNamed(e, exportUsage, "want a subcommand: siasn", args); !ok {
		return err
	}
	switch args[0] {
	case "siasn":
		return runExportSIASN(ctx, e, args[1:])
	}
	return usagef("unknown subcommand %q (want siasn)", args[0])
}

func runExportSIASN(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "export siasn", "export siasn [--year Y] [--opd CODE] [--format csv|xlsx] [--include-revoked] [-o FILE]", `
Export the certificates Sertika issued, one row per certificate, in the shape of SIASN's
riwayat kursus/diklat, with the columns

  nip, nama, jenis_diklat, nama_jenis_diklat, tingkat, nama_kursus, jumlah_jam,
  tanggal_mulai, tanggal_selesai, tahun, institusi_penyelenggara, nomor_sertifikat, status

jenis_diklat is SIASN's jenisDiklatId of the kind of development, dates are dd-mm-yyyy,
tahun is the year the activity ended. Only live certificates are exported unless
--include-revoked is given (status then tells berlaku from dicabut). --year selects the
year of issue (as "Tahun terbit" on the certificate list), --opd the OPD that proposed the
activity.

CSV is comma-separated UTF-8 with a BOM (like the import templates); XLSX has one sheet with
NIPs and numbers as text. The format is taken from --format, else from an -o name ending
in .xlsx, else CSV. Without -o the file goes to standard output; with -o it is written
whole or not at all. A progress line goes to standard error.`)
	year := fs.Int("year", 0, "only certificates issued in `YEAR`")
	opd := fs.String("opd", "", "only certificates of requests of the OPD with this `CODE`")
	format := fs.String("format", "", "`csv` or xlsx (default: from -o, else csv)")
	revoked := fs.Bool("include-revoked", false, "also export revoked certificates")
	out := fs.String("o", "", "write to `FILE` instead of standard output")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	if *format == "" {
		*format = "csv"
		if strings.EqualFold(filepath.Ext(*out), ".xlsx") {
			*format = "xlsx"
		}
	}
	write := issuer.WriteSIASNCSV
	switch strings.ToLower(*format) {
	case "csv":
	case "xlsx":
		write = issuer.WriteSIASNXLSX
	default:
		return usagef("--format must be csv or xlsx, not %q", *format)
	}
	if *year != 0 && (*year < 1000 || *year > 9999) {
		return usagef("--year must be a four-digit year")
	}

	db, err := openDB(ctx, e, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	iss := issuer.NewIssuance(db, nil, issuer.IssuanceOptions{PublicURL: cfg.PublicURL, Logger: cliLogger(e)})
	rows, err := iss.ExportSIASN(ctx, domain.System, issuer.SIASNFilter{Year: *year, OPD: *opd, IncludeRevoked: *revoked})
	if err != nil {
		return userFailure(err)
	}
	pp := newProgress(e.stderr, "writing certificates")
	if *out == "" {
		err = write(e.stdout, rows, pp.update)
	} else {
		err = writeFileAtomically(*out, func(w io.Writer) error { return write(w, rows, pp.update) })
	}
	pp.finish()
	if err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(e.stderr, "wrote %d certificate(s) to %s\n", len(rows), *out)
	} else {
		fmt.Fprintf(e.stderr, "%d certificate(s) exported\n", len(rows))
	}
	return nil
}

// writeFileAtomically writes a file through fill into a temporary file next to it and
// renames it into place, so that a failed export leaves no half-written file behind.
func writeFileAtomically(name string, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".sertika-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing left to remove
	if err := fill(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
