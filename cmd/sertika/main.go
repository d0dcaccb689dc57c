// Command sertika is the one Sertika binary: the web server and the operator's commands
// (migrations, users, imports, version). Subcommands live one per file and register
// themselves; this file holds the dispatcher and the wiring they share. No business rules
// live here.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/config"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/scoring"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

// env is what a subcommand runs with; tests build their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// ready, when set, receives the address `serve` listens on (tests use port 0).
	ready func(addr string)
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// usageError marks errors caused by wrong arguments (exit status 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// run executes the command line and returns the exit status.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				_ = c.run(ctx, e, []string{"--help"})
				return 0
			}
		}
		printUsage(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "sertika: unknown command %q\n\n", args[0])
		printUsage(e.stderr)
		return 2
	}
	err := c.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "sertika %s: %s\n", c.name, ue.msg)
		return 2
	}
	var ec exitCodeError
	if errors.As(err, &ec) {
		if ec.msg != "" {
			fmt.Fprintf(e.stderr, "sertika %s: %s\n", c.name, ec.msg)
		}
		return ec.code
	}
	fmt.Fprintf(e.stderr, "sertika %s: %v\n", c.name, err)
	return 1
}

// exitCodeError ends a command with a specific status.
type exitCodeError struct {
	code int
	msg  string
}

func (e exitCodeError) Error() string { return e.msg }

// userFailure ends a command with status 1 and the message of err when err is a refusal
// (anything but an internal error); other errors are returned as they are.
func userFailure(err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code != apperr.CodeInternal {
		return exitCodeError{code: 1, msg: ae.Message}
	}
	return err
}

// subcommandNamed handles what comes before a command's subcommand: none (usage to standard
// error and the usage error want) or a request for help (usage to standard output). It
// tells whether args[0] names a subcommand; when not, err is what the command returns.
func subcommandNamed(e *env, usage, want string, args []string) (bool, error) {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return false, usagef("%s", want)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(e.stdout, usage)
		return false, flag.ErrHelp
	}
	return true, nil
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, `Sertika issues, signs and verifies competency-development certificates for civil
servants (ASN) and turns them into the competency part of the IP ASN.

Usage:
  sertika <command> [flags]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	width := 10
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s %s\n", width, n, commands[n].summary)
	}
	fmt.Fprintf(w, `
Run "sertika <command> --help" for a command's flags.

Configuration comes from the environment (SERTIKA_ADDR, SERTIKA_DATA_DIR, DATABASE_URL,
SERTIKA_PUBLIC_URL, …; secrets also as *_FILE) with flags as overrides. See README.md.
`)
}

// newFlagSet returns a flag set for a subcommand with a usage text that prints the
// synopsis, a description and the flags.
func newFlagSet(e *env, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		out := e.stdout
		fmt.Fprintf(out, "Usage:\n  sertika %s\n\n%s\n", synopsis, strings.TrimSpace(description))
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintf(out, "\nFlags:\n")
			fs.SetOutput(out)
			fs.PrintDefaults()
			fs.SetOutput(e.stderr)
		}
	}
	return fs
}

// parseFlags parses args, turning -h into flag.ErrHelp (the usage on standard output) and
// other errors into usage errors. The flag package would print a wrong flag's error and the
// whole usage itself, the usage on standard output: into the file of
// "sertika export siasn --fromat csv > x.csv", and the error a second time through run. So
// it prints nothing while parsing; the usage is printed here for -h only, and a wrong flag
// gets one line on standard error that points at --help.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(out)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return err
		}
		return usagef("%v (see \"sertika %s --help\")", err, fs.Name())
	}
	return nil
}

// loadConfig reads the environment and returns a config whose common flags are bound to fs.
func loadConfig(e *env, fs *flag.FlagSet) (*config.Config, error) {
	cfg, err := config.FromEnv(e.getenv)
	if err != nil {
		return nil, err
	}
	cfg.RegisterFlags(fs)
	return &cfg, nil
}

// newScoreStore returns the scoring store with the configured rule set (SERTIKA_RULE_SET,
// --rule-set), which openDB has already validated.
func newScoreStore(cfg *config.Config, db *database.DB) (*scoring.Store, error) {
	rs, err := scoring.Resolve(cfg.RuleSet)
	if err != nil {
		return nil, err
	}
	return scoring.NewStore(db, rs), nil
}

// openDB opens and migrates the configured database. Commands that only read migration
// state pass migrate=false.
func openDB(ctx context.Context, e *env, cfg *config.Config, migrate bool) (*database.DB, error) {
	if err := cfg.Finish(); err != nil {
		return nil, err
	}
	// A bad rule set file stops every command before it touches the database.
	if _, err := scoring.Resolve(cfg.RuleSet); err != nil {
		return nil, err
	}
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{Logger: cliLogger(e)})
	if err != nil {
		return nil, err
	}
	if migrate {
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

func cliLogger(e *env) *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
