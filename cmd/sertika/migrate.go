package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/sertika/sertika/internal/database"
)

func init() {
	register(command{name: "migrate", summary: "apply or list database migrations (up | status)", run: runMigrate})
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "migrate", "migrate [flags] up|status", `
Apply pending schema migrations ("up") or list every migration and whether it is applied
("status"). "serve" applies pending migrations by itself at start-up.`)
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	// Flags may follow the subcommand too: "migrate up --data-dir D".
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (pos[0] != "up" && pos[0] != "status") {
		return usagef("want exactly one of: up, status")
	}
	sub := pos[0]
	db, err := openDB(ctx, e, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "up" {
		applied, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintf(e.stdout, "%s database %s is up to date.\n", db.Dialect, database.Redact(cfg.DatabaseURL))
			return nil
		}
		fmt.Fprintf(e.stdout, "applied %d migration(s): %v\n", len(applied), applied)
		return nil
	}
	st, err := db.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tSTATE\tAPPLIED AT")
	for _, s := range st {
		state, at := "pending", ""
		if s.Applied {
			state, at = "applied", s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(tw, "%05d\t%s\t%s\t%s\n", s.Version, s.Name, state, at)
	}
	return tw.Flush()
}
