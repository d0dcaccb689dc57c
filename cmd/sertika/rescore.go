package main

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/sertika/sertika/scoring"
)

func init() {
	register(command{name: "rescore", summary: "recompute every employee's IP ASN score for a year", run: runRescore})
}

func runRescore(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "rescore", "rescore [--year Y] [--force]", `
Recompute the stored IP ASN score of every active employee for a measurement year (default:
the current year) with the configured rule set (--rule-set or SERTIKA_RULE_SET; default
`+scoring.DefaultRuleSetID+`), set-based: employees
are read in chunks with all their facts, the rules applied, and only the scores whose facts
changed are written back.

Imports and certificate issuance already keep the current year's scores up to date; run this
after installing or upgrading, to fill a new year, or after data was changed outside Sertika.
It is safe to interrupt and to run again (a second run writes nothing), and safe to run while
the server is in use: a score written meanwhile from newer facts is never overwritten.

Progress goes to standard error, the summary to standard output.`)
	year := fs.Int("year", 0, "measurement `year` (default: the current year)")
	force := fs.Bool("force", false, "rewrite every score, even those whose facts did not change")
	chunk := fs.Int("chunk", 0, "employees read per chunk (default: an eighth of the employees, 500 to 10000)")
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
	if *year != 0 && (*year < 2000 || *year > 2100) {
		return usagef("--year must be between 2000 and 2100")
	}
	if *chunk < 0 || *chunk > 100_000 {
		return usagef("--chunk must be between 1 and 100000")
	}
	db, err := openDB(ctx, e, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()

	// Each chunk in flight holds tens of megabytes of facts and rows that live only until it
	// is written: a less eager garbage collector runs less often for some tens of megabytes
	// more.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	st, err := newScoreStore(cfg, db)
	if err != nil {
		return err
	}
	pp := newProgress(e.stderr, "rescoring employees")
	res, err := st.RescoreAll(ctx, scoring.RescoreOptions{Year: *year, Force: *force, ChunkSize: *chunk, Progress: pp.update})
	pp.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Skor IP ASN tahun %d (%s): %d pegawai aktif, %d skor ditulis, %d tidak berubah",
		res.Year, st.RuleSet().ID, res.Employees, res.Written, res.Unchanged)
	if res.Skipped > 0 {
		fmt.Fprintf(e.stdout, ", %d sudah diperbarui oleh proses lain", res.Skipped)
	}
	fmt.Fprintf(e.stdout, " (%.1f detik).\n", res.Elapsed.Seconds())
	return nil
}
