package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/sertika/sertika/issuer"
)

func init() {
	register(command{name: "audit", summary: "check the issuance log's hash chain (verify)", run: runAudit})
}

const auditHelp = `
Check the issuance log: every certificate issued, revoked or re-issued and every key event
is an entry that carries the hash of the one before it, so that an entry changed or removed
in the database breaks the chain.

  sertika audit verify    recompute the chain; exit status 0 when it is intact, 1 with the
                          first broken link otherwise

The newest entries removed together leave a shorter chain that is still whole: keep the last
hash elsewhere (printed, or in another system) to detect that.`

func runAudit(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stdout, "Usage:"+strings.TrimRight(auditHelp, "\n"))
		if len(args) == 0 {
			return usagef("missing subcommand")
		}
		return nil
	}
	sub, args := args[0], args[1:]
	if sub != "verify" {
		return usagef("unknown subcommand %q (want verify)", sub)
	}
	fs := newFlagSet(e, "audit verify", "audit verify [flags]", auditHelp)
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	db, err := openDB(ctx, e, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	n, brk, err := issuer.VerifyLog(ctx, db)
	if err != nil {
		return fmt.Errorf("read the issuance log: %w", err)
	}
	if brk != nil {
		fmt.Fprintf(e.stdout, "issuance log: chain BROKEN at entry %d: %s (%d entries before it verified)\n", brk.ID, brk.Reason, n)
		return exitCodeError{code: 1, msg: fmt.Sprintf("issuance log chain broken at entry %d", brk.ID)}
	}
	fmt.Fprintf(e.stdout, "issuance log: %d entries, chain intact\n", n)
	return nil
}
