package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/domain"
)

func init() {
	register(command{name: "users", summary: "manage user accounts (create | list | set-password | disable | enable)", run: runUsers})
}

const usersHelp = `
Manage user accounts.

  sertika users create --username U --role R [--opd CODE] [--nip NIP] [--name "Full Name"] [--password-file F]
  sertika users list
  sertika users set-password --username U [--password-file F]
  sertika users disable --username U
  sertika users enable --username U

Roles: admin, verifikator (BKPSDM reviewer), penandatangan (BKPSDM signer, the head),
opd (OPD operator or leader; needs --opd), pegawai (employee; needs --nip of an imported
employee).

Passwords are read from the first line of standard input, or from --password-file. They
are never taken as a flag, so they do not end up in shell history or process listings.`

func runUsers(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stdout, "Usage:"+strings.TrimRight(usersHelp, "\n"))
		if len(args) == 0 {
			return usagef("missing subcommand")
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet(e, "users "+sub, "users "+sub+" [flags]", usersHelp)
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	username := fs.String("username", "", "user name (3–64 characters: a-z 0-9 . _ -)")
	var role, opd, nipFlag, name, pwFile *string
	switch sub {
	case "create":
		role = fs.String("role", "", "role: admin, verifikator, penandatangan, opd, pegawai")
		opd = fs.String("opd", "", "OPD code (role opd)")
		nipFlag = fs.String("nip", "", "employee NIP (role pegawai)")
		name = fs.String("name", "", "display name")
		pwFile = fs.String("password-file", "", "read the password from this file instead of standard input")
	case "set-password":
		pwFile = fs.String("password-file", "", "read the password from this file instead of standard input")
	case "list", "disable", "enable":
	default:
		return usagef("unknown subcommand %q (want create, list, set-password, disable or enable)", sub)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if sub != "list" && *username == "" {
		return usagef("--username is required")
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
	acc, sys := svc.accounts, domain.System
	switch sub {
	case "create":
		pw, err := readPassword(e, *pwFile)
		if err != nil {
			return err
		}
		u, err := acc.Create(ctx, sys, accountInput(*username, *name, *role, *opd, *nipFlag, pw))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created user %s (%s)\n", u.Username, u.Role)
	case "list":
		list, err := acc.List(ctx, sys)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tOPD\tNIP\tACTIVE\tNAME")
		for _, u := range list {
			opd := ""
			if u.OPD != nil {
				opd = u.OPD.Code
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\t%s\n", u.Username, u.Role, opd, u.NIP, u.Active, u.DisplayName)
		}
		return tw.Flush()
	case "set-password":
		pw, err := readPassword(e, *pwFile)
		if err != nil {
			return err
		}
		if err := acc.SetPassword(ctx, sys, *username, pw); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "password of %s changed; their sessions were ended\n", *username)
	case "disable", "enable":
		if err := acc.SetActive(ctx, sys, *username, sub == "enable"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s %sd\n", *username, sub)
	}
	return nil
}

// readPassword reads one line from the file, or from standard input.
func readPassword(e *env, file string) (string, error) {
	var r io.Reader = e.stdin
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	} else if f, ok := e.stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(e.stderr, "Password: ")
		}
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usagef("no password given: pipe it on standard input or use --password-file")
	}
	return pw, nil
}

func accountInput(username, name, role, opd, nipValue, pw string) account.UserInput {
	return account.UserInput{Username: username, DisplayName: name, Role: domain.Role(strings.TrimSpace(role)),
		OPDCode: opd, NIP: nipValue, Password: pw}
}
