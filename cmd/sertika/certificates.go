package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/document"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/issuer"
)

func init() {
	register(command{name: "certificates", summary: "issue a request's certificates, or save all their PDFs in one ZIP (issue | zip)",
		run: runCertificates})
}

const certificatesHelp = `
Issue certificates and save their PDFs from the command line, for large batches or scripts.

  sertika certificates issue --request ID --as USERNAME
        Sign and issue the certificates of a request whose realisation report BKPSDM has
        verified: one per participant who attended and passed, as the issuance page does.
        USERNAME must be an active signer (penandatangan) account, and not the account
        that verified the report (four eyes). The pre-issuance checks refuse the whole
        batch and list every finding; running the command again issues nothing twice.

  sertika certificates zip --request ID -o FILE
        Write the PDFs of the request's valid certificates into one ZIP file, in number
        order, rendered on every core. The ZIP is written to a temporary file next to FILE
        and renamed at the end, so an interrupted run never leaves a partial FILE; the same
        certificates always give the same bytes.

Progress goes to standard error, the outcome to standard output. Exit status: 0 done,
1 refused or failed (the reason on standard error, findings on standard output), 2 wrong
arguments.`

func runCertificates(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stdout, "Usage:"+strings.TrimRight(certificatesHelp, "\n"))
		if len(args) == 0 {
			return usagef("missing subcommand")
		}
		return nil
	}
	sub, args := args[0], args[1:]
	var synopsis string
	switch sub {
	case "issue":
		synopsis = "certificates issue --request ID --as USERNAME [flags]"
	case "zip":
		synopsis = "certificates zip --request ID -o FILE [flags]"
	default:
		return usagef("unknown subcommand %q (want issue or zip)", sub)
	}
	fs := newFlagSet(e, "certificates "+sub, synopsis, certificatesHelp)
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	request := fs.Int64("request", 0, "the request (usulan) `ID`, as in /usulan/ID")
	var as, out *string
	if sub == "issue" {
		as = fs.String("as", "", "the signer's `USERNAME` (an active penandatangan account)")
	} else {
		out = fs.String("o", "", "write the ZIP to `FILE`")
		fs.StringVar(out, "output", "", "same as -o")
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected arguments: %s", strings.Join(pos, " "))
	}
	if *request <= 0 {
		return usagef("--request ID is required (a positive number)")
	}
	if as != nil && strings.TrimSpace(*as) == "" {
		return usagef("--as USERNAME is required: the signer (penandatangan) who signs")
	}
	if out != nil && strings.TrimSpace(*out) == "" {
		return usagef("-o FILE is required")
	}
	db, err := openDB(ctx, e, cfg, true)
	if err != nil {
		return err
	}
	defer db.Close()
	ks := newKeyStore(cfg, db)
	iss, err := newIssuance(cfg, db, ks, cliLogger(e))
	if err != nil {
		return err
	}

	if sub == "issue" {
		var u domain.User
		if err := db.Gorm.WithContext(ctx).Where("username = ?", strings.TrimSpace(*as)).Take(&u).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return fmt.Errorf("no account %q: see \"sertika users list\"", *as)
			}
			return err
		}
		if !u.Active || u.Role != domain.RolePenandatangan {
			return fmt.Errorf("account %q is not an active signer (penandatangan): only a signer issues certificates", u.Username)
		}
		return issueCertificates(ctx, e, iss, u.Actor(), *request)
	}
	ag, err := directory.New(db).GetAgency(ctx)
	if err != nil {
		return cliError(err)
	}
	renderer, err := document.NewCertificateRenderer()
	if err != nil {
		return err
	}
	return zipCertificates(ctx, e, iss, ag, renderer, *request, *out)
}

// issuePhaseLabels name the issuance phases on the progress line.
var issuePhaseLabels = map[string]string{
	issuer.PhaseChecks:  "checking participants",
	issuer.PhaseSigning: "signing certificates",
	issuer.PhaseStoring: "storing certificates",
	issuer.PhaseLog:     "writing the issuance log",
	issuer.PhaseScores:  "updating holders' IP ASN scores",
}

// phaseProgress shows a progress line per phase of a service's progress callback.
type phaseProgress struct {
	w      io.Writer
	labels map[string]string
	phase  string
	p      *progress
}

func (pp *phaseProgress) update(phase string, done, total int) {
	if phase != pp.phase || pp.p == nil {
		pp.finish()
		label := pp.labels[phase]
		if label == "" {
			label = phase
		}
		pp.phase, pp.p = phase, newProgress(pp.w, label)
	}
	pp.p.update(done, total)
}

func (pp *phaseProgress) finish() {
	if pp.p != nil {
		pp.p.finish()
	}
}

func issueCertificates(ctx context.Context, e *env, iss *issuer.Issuance, a domain.Actor, request int64) error {
	pp := &phaseProgress{w: e.stderr, labels: issuePhaseLabels}
	b, err := iss.IssueWith(ctx, a, request, issuer.IssueOptions{Progress: pp.update})
	pp.finish()
	if err != nil {
		var refused *issuer.RefusedError
		if errors.As(err, &refused) {
			fmt.Fprintf(e.stdout, "Penerbitan ditolak: %d temuan. Tidak ada sertifikat yang diterbitkan.\n", len(refused.Findings))
			for _, f := range refused.Findings {
				who := "seluruh batch"
				if f.NIP != "" {
					who = f.NIP + " " + f.Name
				}
				fmt.Fprintf(e.stdout, "  [%s] %s: %s\n", f.Check, who, f.Message)
			}
			return exitCodeError{code: 1, msg: fmt.Sprintf("issuance of request %d refused: %d findings; nothing was issued", request, len(refused.Findings))}
		}
		return cliError(err)
	}
	if b.Issued == 0 {
		fmt.Fprintf(e.stdout, "Semua %d sertifikat usulan %d sudah diterbitkan sebelumnya; tidak ada yang diterbitkan dua kali.\n",
			len(b.Certificates), request)
		return nil
	}
	// The batch's new certificates are the last ones in number order.
	first, last := b.Certificates[len(b.Certificates)-b.Issued], b.Certificates[len(b.Certificates)-1]
	fmt.Fprintf(e.stdout, "%d sertifikat usulan %d ditandatangani oleh %s dengan kunci %s: nomor %s sampai %s.\n",
		b.Issued, request, a.Username, first.KID, first.Number, last.Number)
	return nil
}

func zipCertificates(ctx context.Context, e *env, iss *issuer.Issuance, ag domain.Agency, renderer *document.CertificateRenderer,
	request int64, out string) (err error) {
	certs, err := iss.ListAll(ctx, domain.System, issuer.CertFilter{RequestID: request, State: issuer.CertValid})
	if err != nil {
		return cliError(err)
	}
	if len(certs) == 0 {
		return fmt.Errorf("request %d has no valid certificates: nothing written", request)
	}
	// A temporary file in the target's directory (the rename stays on one file system),
	// removed unless everything was written.
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	pp := newProgress(e.stderr, "rendering PDFs")
	err = issuer.WriteZip(ctx, bw, certs, func(c *issuer.Certificate) ([]byte, error) {
		return renderer.Render(iss.PDFData(c, ag))
	}, pp.update)
	pp.finish()
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = tmp.Close()
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return exitCodeError{code: 1, msg: "interrupted: nothing written"}
		}
		return fmt.Errorf("write %s: %w", out, err)
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d PDF sertifikat usulan %d ditulis ke %s (%.1f MB).\n", len(certs), request, out, float64(st.Size())/(1<<20))
	return nil
}
