package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/config"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/internal/qr"
	"github.com/sertika/sertika/issuer"
)

func init() {
	register(command{name: "keys", summary: "manage certificate signing keys (generate | rotate | list | retire | compromised)", run: runKeys})
}

const keysHelp = `
Manage the Ed25519 keys that sign certificates.

  sertika keys generate          create the first signing key
  sertika keys rotate            create a new signing key and retire the active one
  sertika keys list              list every key: state, dates and file
  sertika keys retire KID        stop a key from signing; certificates it signed stay valid
  sertika keys compromised KID [--since YYYY-MM-DD|RFC3339]
                                 report a leaked key: it never signs again, and certificates
                                 it signed at or after --since verify as key_compromised

Private keys live only in files in the keys/ folder of the data directory
(signing-KID.pem, mode 0600): never in the database, never in the output of these commands.
Back that folder up. With SERTIKA_KEY_PASSPHRASE (or SERTIKA_KEY_PASSPHRASE_FILE) set, new
key files are encrypted with the passphrase and existing ones are read with it.
SERTIKA_SIGNING_KEY_FILE makes signing read the active key from that file instead (for
example a mounted secret).

--since takes a date, read as 00:00 WIB, or an RFC 3339 time. Without it the whole life of
the key is distrusted (since its valid-from time). A later report may only move the date
earlier. Every key event is recorded in the issuance log (see "sertika audit verify").`

// wib is the agency's time zone, in which a bare --since date is read.
var wib = time.FixedZone("WIB", 7*3600)

// newKeyStore returns the key store the configuration describes.
func newKeyStore(cfg *config.Config, db *database.DB) *keys.Store {
	var pass []byte
	if cfg.KeyPassphrase != "" {
		pass = []byte(cfg.KeyPassphrase)
	}
	return keys.NewStore(db, cfg.KeysDir(), keys.Options{Passphrase: pass, KeyFile: cfg.SigningKeyFile})
}

// newIssuance returns the issuance service, which rescores the holders with the configured
// rule set; log may be nil (slog's default).
func newIssuance(cfg *config.Config, db *database.DB, ks *keys.Store, log *slog.Logger) (*issuer.Issuance, error) {
	st, err := newScoreStore(cfg, db)
	if err != nil {
		return nil, err
	}
	return issuer.NewIssuance(db, ks, issuer.IssuanceOptions{PublicURL: cfg.PublicURL, Logger: log, QRBudget: qr.CheckBudget,
		Scores: st}), nil
}

// createdKeyMessage announces a new key: its kid and where its private half is.
func createdKeyMessage(k keys.Key, dir string) string {
	return fmt.Sprintf("Created signing key %s in %s (back this directory up; the private key never enters the database)", k.KID, dir)
}

// ensureSigningKey lets a fresh installation sign: with no active key, one is generated and
// announced on stderr. An active key that cannot be loaded (missing file, wrong passphrase)
// is reported but does not stop the server: everything except issuance still works.
func ensureSigningKey(ctx context.Context, e *env, cfg *config.Config, db *database.DB, ks *keys.Store, log *slog.Logger) error {
	k, err := ks.Active(ctx, db.Gorm)
	switch {
	case err == nil:
		if _, err := ks.Signer(ctx, k); err != nil {
			log.Warn("the active signing key cannot be loaded: certificates cannot be issued until this is fixed", "kid", k.KID, "err", err)
		}
		return nil
	case apperr.CodeOf(err) != apperr.CodeNotFound:
		return err
	}
	if cfg.SigningKeyFile != "" {
		// A key generated into the keys folder would not be the one in that file.
		log.Warn("SERTIKA_SIGNING_KEY_FILE is set but no signing key is registered: run \"sertika keys generate\", install the new file there and restart",
			"file", cfg.SigningKeyFile)
		return nil
	}
	k, err = ks.Generate(ctx, false, issuer.KeyEventLogger(db, domain.System))
	if err != nil {
		if _, aerr := ks.Active(ctx, db.Gorm); aerr == nil {
			return nil // another instance starting at the same moment created it
		}
		return fmt.Errorf("create signing key: %w", err)
	}
	fmt.Fprintln(e.stderr, createdKeyMessage(k, cfg.KeysDir()))
	return nil
}

func runKeys(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stdout, "Usage:"+strings.TrimRight(keysHelp, "\n"))
		if len(args) == 0 {
			return usagef("missing subcommand")
		}
		return nil
	}
	sub, args := args[0], args[1:]
	synopsis := "keys " + sub + " [flags]"
	switch sub {
	case "generate", "rotate", "list":
	case "retire":
		synopsis = "keys retire [flags] KID"
	case "compromised":
		synopsis = "keys compromised [flags] KID [--since YYYY-MM-DD|RFC3339]"
	default:
		return usagef("unknown subcommand %q (want generate, rotate, list, retire or compromised)", sub)
	}
	fs := newFlagSet(e, "keys "+sub, synopsis, keysHelp)
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	var since *string
	if sub == "compromised" {
		since = fs.String("since", "", "when the key leaked: YYYY-MM-DD (00:00 WIB) or RFC 3339; default: its valid-from time")
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	var kid string
	switch sub {
	case "retire", "compromised":
		if len(pos) != 1 {
			return usagef("want exactly one KID, got %d arguments", len(pos))
		}
		kid = strings.ToUpper(strings.TrimSpace(pos[0]))
	default:
		if len(pos) > 0 {
			return usagef("unexpected arguments: %s", strings.Join(pos, " "))
		}
	}
	var sinceAt time.Time
	if since != nil && *since != "" {
		if sinceAt, err = parseSince(*since); err != nil {
			return err
		}
	}
	db, err := openDB(ctx, e, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	ks := newKeyStore(cfg, db)
	logEvent := issuer.KeyEventLogger(db, domain.System)
	active, err := ks.Active(ctx, db.Gorm)
	hasActive := err == nil
	if err != nil && apperr.CodeOf(err) != apperr.CodeNotFound {
		return err
	}

	switch sub {
	case "generate", "rotate":
		if sub == "generate" && hasActive {
			return fmt.Errorf("an active signing key already exists (%s): run \"sertika keys rotate\" to replace it", active.KID)
		}
		k, err := ks.Generate(ctx, sub == "rotate", logEvent)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintln(e.stdout, createdKeyMessage(k, cfg.KeysDir()))
		if sub == "rotate" && hasActive {
			fmt.Fprintf(e.stdout, "Retired key %s: it signs no more; certificates it signed stay valid.\n", active.KID)
		}
		if cfg.KeyPassphrase == "" {
			fmt.Fprintln(e.stderr, "Note: the key file is not encrypted; set SERTIKA_KEY_PASSPHRASE (or SERTIKA_KEY_PASSPHRASE_FILE) to encrypt new key files.")
		}
		if cfg.SigningKeyFile != "" {
			fmt.Fprintf(e.stderr, "Note: SERTIKA_SIGNING_KEY_FILE is set (%s): put the new key file %s there before issuing certificates.\n",
				cfg.SigningKeyFile, k.FileName)
		}
	case "list":
		list, err := ks.List(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(e.stderr, "No signing keys yet: run \"sertika keys generate\" (\"sertika serve\" creates one on first start).")
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KID\tSTATE\tVALID-FROM\tRETIRED\tCOMPROMISED\tFILE")
		for _, k := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.KID, k.State, k.ValidFrom.UTC().Format(time.RFC3339),
				timeOrDash(k.RetiredAt), timeOrDash(k.CompromisedAt), keyFileColumn(cfg, k))
		}
		return tw.Flush()
	case "retire":
		k, err := ks.Get(ctx, kid)
		if err != nil {
			return cliError(err, kid)
		}
		if k.State != keys.StateActive {
			return fmt.Errorf("key %s is %s, not active: nothing to retire", kid, k.State)
		}
		if err := ks.Retire(ctx, kid, logEvent); err != nil {
			return cliError(err, kid)
		}
		fmt.Fprintf(e.stdout, "Retired key %s: it signs no more; certificates it signed stay valid.\n", kid)
		if hasActive && active.KID == kid {
			fmt.Fprintln(e.stdout, "No active signing key remains: run \"sertika keys generate\" before issuing certificates.")
		}
	case "compromised":
		k, err := ks.Get(ctx, kid)
		if err != nil {
			return cliError(err, kid)
		}
		if sinceAt.IsZero() {
			sinceAt = k.ValidFrom
		}
		switch {
		case k.CompromisedAt != nil && !sinceAt.Before(*k.CompromisedAt):
			return fmt.Errorf("key %s is already recorded compromised since %s; --since may only move that earlier",
				kid, k.CompromisedAt.UTC().Format(time.RFC3339))
		case sinceAt.After(db.Now()):
			return fmt.Errorf("--since %s is in the future", sinceAt.UTC().Format(time.RFC3339))
		}
		if err := ks.Compromised(ctx, kid, sinceAt, logEvent); err != nil {
			return cliError(err, kid)
		}
		fmt.Fprintf(e.stdout, "Key %s marked compromised since %s: it never signs again, and certificates it signed at or after that time now verify as key_compromised. Re-issue them with a new key.\n",
			kid, database.UTC(sinceAt).Format(time.RFC3339))
		if hasActive && active.KID == kid {
			fmt.Fprintln(e.stdout, "No active signing key remains: run \"sertika keys generate\" before issuing certificates.")
		}
	}
	return nil
}

// parseInterspersed parses flags that may come before or after the positional arguments
// ("keys retire KID --data-dir D" as well as "keys retire --data-dir D KID").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil // everything after "--" is positional
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// parseSince reads --since: an RFC 3339 time, or a date taken as 00:00 WIB.
func parseSince(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, wib); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--since: want YYYY-MM-DD or an RFC 3339 time (2026-03-01T08:00:00+07:00), got %q", s)
}

// cliError turns the key store's errors into operator messages. The store's own messages
// are written in Indonesian for the web; the common cases are checked in English before the
// store is called, so what remains here is rare.
func cliError(err error, kid ...string) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code == apperr.CodeInternal {
		return err
	}
	if ae.Code == apperr.CodeNotFound && len(kid) > 0 {
		return fmt.Errorf("unknown key %q: see \"sertika keys list\"", kid[0])
	}
	return fmt.Errorf("%s (%s)", ae.Message, ae.Code)
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// keyFileColumn is where a key's private half is read from, flagged when the file is gone.
func keyFileColumn(cfg *config.Config, k keys.Key) string {
	p := filepath.Join(cfg.KeysDir(), k.FileName)
	if k.State == keys.StateActive && cfg.SigningKeyFile != "" {
		p = cfg.SigningKeyFile
	}
	if _, err := os.Stat(p); err != nil {
		return p + " (missing)"
	}
	return p
}
