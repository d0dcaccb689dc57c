package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sertika/sertika/internal/demo"
	"github.com/sertika/sertika/scoring"
)

func init() {
	register(command{name: "demo", summary: "seed a demo agency (OPDs, employees, one account per role) into an empty database", run: runDemo})
}

const demoHelp = `
Seed an empty database with a generated demo agency and exit: Pemerintah Kota Tidore
Kepulauan with its BKPSDM, 25 OPDs and --employees civil servants (PNS and PPPK with valid
NIPs) with SKP results, disciplinary penalties, training records and IP ASN targets, plus
one demo account per role, all with the password ` + demo.DemoPassword + `:

  admin        administrator
  verifikator  BKPSDM reviewer
  kepala       BKPSDM signer (the head of the BKPSDM)
  opd.disdik   OPD account of the education office (` + demo.EducationOPDCode + `)
  pegawai      a teacher of ` + demo.EducationOPDCode + `

The same --seed gives the same people and facts; the IP ASN of the previous and the current
year is computed after seeding. The command refuses (exit status 1) a database that
already holds OPDs, employees, users or an agency identity: demo data never mixes with real
data. "sertika serve --demo" seeds the default agency the same way before starting.`

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "demo", "demo [--employees N] [--seed S] [flags]", demoHelp)
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	employees := fs.Int("employees", demo.DefaultEmployees, fmt.Sprintf("number of employees (%d–%d)", demo.MinEmployees, demo.MaxEmployees))
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same data")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *employees < demo.MinEmployees || *employees > demo.MaxEmployees {
		return usagef("--employees must be between %d and %d", demo.MinEmployees, demo.MaxEmployees)
	}
	if *seed == 0 {
		return usagef("--seed must not be 0")
	}
	db, err := openDB(ctx, e, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := newServices(cfg, db)
	if err != nil {
		return err
	}
	res, err := demo.Seed(ctx, svc.db, svc.accounts, svc.directory,
		demo.Options{Employees: *employees, Seed: *seed, Progress: demoProgress(e.stderr)})
	if errors.Is(err, demo.ErrNotEmpty) {
		return exitCodeError{code: 1, msg: "the database already holds data (OPDs, employees, users or the agency identity): " +
			"demo seeding refused, nothing was changed. Use an empty data directory or database."}
	}
	if err != nil {
		return err
	}
	printDemoResult(e.stdout, res)
	return scoreDemo(ctx, e, svc)
}

// seedDemo fills an empty database with the demo agency (serve --demo). A database that
// already holds data is left alone and the server starts anyway, so that `serve --demo`
// can be run again on the same data directory.
func seedDemo(ctx context.Context, e *env, svc *services) error {
	res, err := demo.Seed(ctx, svc.db, svc.accounts, svc.directory, demo.Options{Progress: demoProgress(e.stderr)})
	if errors.Is(err, demo.ErrNotEmpty) {
		fmt.Fprintln(e.stderr, "Database already holds data: demo seeding skipped.")
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo seeding: %w", err)
	}
	printDemoResult(e.stderr, res)
	return scoreDemo(ctx, e, svc)
}

// scoreDemo computes the demo employees' IP ASN for the previous and the current year, so
// the dashboards (/skor) show figures, and a trend, from the first minute rather than
// waiting for a rescore.
func scoreDemo(ctx context.Context, e *env, svc *services) error {
	year := svc.scoring.CurrentYear()
	for _, y := range []int{year - 1, year} {
		pp := newProgress(e.stderr, fmt.Sprintf("  scores %d", y))
		res, err := svc.scoring.RescoreAll(ctx, scoring.RescoreOptions{Year: y, Progress: pp.update})
		pp.finish()
		if err != nil {
			return fmt.Errorf("demo scores %d: %w", y, err)
		}
		fmt.Fprintf(e.stderr, "IP ASN %d computed for %d employees.\n", res.Year, res.Written)
	}
	return nil
}

// demoProgress returns a progress callback that announces the seeding (only once the
// database is known to be empty), then rewrites one line on a terminal, or prints a line per
// quarter otherwise (logs).
func demoProgress(w io.Writer) func(done, total int) {
	p := newProgress(w, "  employees")
	return func(done, total int) {
		if done == 0 {
			fmt.Fprintf(w, "Seeding the demo agency: %d employees…\n", total)
		}
		p.update(done, total)
		if done == total {
			p.finish()
		}
	}
}

// printDemoResult prints what was seeded and the demo accounts.
func printDemoResult(w io.Writer, res *demo.Result) {
	fmt.Fprintf(w, "Demo data seeded in %.1fs: %s, %d OPDs, %d employees (%d PNS, %d PPPK; %d struktural, %d fungsional, %d pelaksana).\n",
		res.Elapsed.Round(100*time.Millisecond).Seconds(), res.Agency, res.OPDs, res.Employees, res.PNS, res.PPPK,
		res.Struktural, res.Fungsional, res.Pelaksana)
	fmt.Fprintf(w, "Scoring facts: %d SKP results, %d disciplinary penalties, %d development records (%d waiting for review), "+
		"IP ASN targets for %s.\n", res.SKP, res.Penalties, res.Trainings, res.Submitted, joinYears(res.TargetYears))
	fmt.Fprintf(w, "Demo accounts (password %s for every account; for trying Sertika only, never with real data):\n", demo.DemoPassword)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  USERNAME\tROLE\tBOUND TO\tNAME")
	for _, a := range res.Accounts {
		bound := ""
		switch {
		case a.OPD != "":
			bound = "OPD " + a.OPD
		case a.NIP != "":
			bound = "NIP " + a.NIP
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Username, a.Role, bound, a.DisplayName)
	}
	tw.Flush()
}

func joinYears(years []int) string {
	s := make([]string, len(years))
	for i, y := range years {
		s[i] = strconv.Itoa(y)
	}
	return strings.Join(s, " and ")
}
