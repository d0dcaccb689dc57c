package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sertika/sertika/verifier"
)

func init() {
	register(command{name: "verify", summary: "verify a certificate offline: token, URL, QR picture or PDF", run: runVerify})
}

const verifyHelp = `
Check a Sertika certificate with the issuing agency's public keys only: no database and no
private key. The argument is a token (the compact JWS or the short S1.… form), the
verification URL printed in the QR code, or a file: a photo or scan of the certificate (PNG,
JPEG) whose QR code is decoded, or the certificate's PDF. "-" reads the argument from
standard input.

The key set comes from --jwks (a file, or an http(s) URL fetched with a timeout), else from
SERTIKA_JWKS, else from SERTIKA_PUBLIC_URL/.well-known/jwks.json. It is never taken from the
host named in the certificate's own URL: anyone can print a QR code that points at a key set
of their own.

Offline, the signature and the key are checked, and the current status is reported as not
checked. Add --status-list (the issuer's signed list of revoked certificates, from
GET /api/v1/status-list, as a file or URL) to check revocations offline, and/or --server (the
issuer's base URL) to ask GET /api/v1/verify about this certificate.

Exit status: 0 valid; 1 not valid (invalid, revoked, unknown key, key compromised); 2 could
not verify (no key set, unreadable file, or a requested status source that could not answer).`

// Limits on what is fetched or read.
const (
	maxJWKSBytes       = 1 << 20
	maxVerifyAnswer    = 1 << 20
	maxStatusListBytes = verifier.MaxStatusListLength
)

func runVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "verify", "verify [flags] TOKEN|URL|FILE.png|FILE.jpg|FILE.pdf|-", verifyHelp)
	jwksFlag := fs.String("jwks", "", "the issuer's key set: a file or an http(s) URL (env SERTIKA_JWKS; default SERTIKA_PUBLIC_URL/.well-known/jwks.json)")
	server := fs.String("server", "", "the issuer's base URL, to check the live status (GET /api/v1/verify)")
	statusList := fs.String("status-list", "", "the issuer's signed status list: a file or an http(s) URL")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	timeout := fs.Duration("timeout", 15*time.Second, "time limit of each network request")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one token, URL or file, got %d arguments", len(pos))
	}
	client := &http.Client{Timeout: *timeout}
	v := &verification{e: e, client: client}

	token, err := v.readToken(ctx, pos[0])
	if err != nil {
		return exitCodeError{2, "could not verify: " + err.Error()}
	}
	jwksLoc := firstOf(*jwksFlag, e.getenv("SERTIKA_JWKS"))
	if jwksLoc == "" {
		if pub := strings.TrimRight(strings.TrimSpace(e.getenv("SERTIKA_PUBLIC_URL")), "/"); pub != "" {
			jwksLoc = pub + "/.well-known/jwks.json"
		}
	}
	if jwksLoc == "" {
		return exitCodeError{2, "could not verify: no key set: pass --jwks FILE|URL or set SERTIKA_JWKS or SERTIKA_PUBLIC_URL"}
	}
	b, err := v.fetch(ctx, jwksLoc, maxJWKSBytes)
	if err != nil {
		return exitCodeError{2, fmt.Sprintf("could not verify: key set %s: %v", jwksLoc, err)}
	}
	set, err := verifier.ParseJWKS(b)
	if err != nil {
		return exitCodeError{2, fmt.Sprintf("could not verify: key set %s: %v", jwksLoc, err)}
	}
	v.out.KeySet = jwksLoc

	res := verifier.Verify(ctx, token, set, nil)
	askedStatus := *statusList != "" || *server != ""
	var statusErr error
	if *statusList != "" && res.Status == verifier.StatusValid {
		l, err := v.loadStatusList(ctx, *statusList, set)
		if err != nil {
			statusErr = err
		} else {
			res = verifier.ApplyStatusList(res, l, time.Now())
		}
	}
	if *server != "" && res.Status == verifier.StatusValid {
		if res, err = v.askServer(ctx, *server, res); err != nil {
			statusErr = errors.Join(statusErr, err)
		}
	}
	v.setResult(res)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v.out); err != nil {
			return err
		}
	} else {
		v.print(res)
	}
	switch {
	case res.Status != verifier.StatusValid:
		return exitCodeError{1, ""}
	case statusErr != nil:
		return exitCodeError{2, "could not verify the current status: " + statusErr.Error()}
	case askedStatus && !res.StatusChecked:
		return exitCodeError{2, "could not verify the current status (see the status check above)"}
	}
	return nil
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// verification is one run of the command: where things came from and the result to print.
type verification struct {
	e      *env
	client *http.Client
	out    verifyOutput
}

// verifyOutput is what --json prints.
type verifyOutput struct {
	Status        verifier.Status   `json:"status"`
	Valid         bool              `json:"valid"`
	StatusChecked bool              `json:"status_checked"`
	Checks        []verifier.Check  `json:"checks"`
	Claims        *verifier.Claims  `json:"claims"`
	KID           string            `json:"kid,omitempty"`
	Token         string            `json:"token,omitempty"` // the compact JWS verified
	Source        string            `json:"source"`          // argument, file or stdin
	KeySet        string            `json:"key_set"`
	StatusList    *statusListOutput `json:"status_list,omitempty"`
	Server        string            `json:"server,omitempty"`
	// Certificate is the server's view of the record, as GET /api/v1/verify answered it.
	Certificate json.RawMessage `json:"certificate,omitempty"`
}

type statusListOutput struct {
	Source   string    `json:"source"`
	IssuedAt time.Time `json:"issued_at"`
	Expires  time.Time `json:"expires,omitzero"`
	Revoked  int       `json:"revoked"`
}

func (v *verification) setResult(res verifier.Result) {
	v.out.Status, v.out.Valid, v.out.StatusChecked = res.Status, res.Status == verifier.StatusValid, res.StatusChecked
	v.out.Checks, v.out.Claims, v.out.KID, v.out.Token = res.Checks, res.Claims, res.KID, res.Compact
	if v.out.Checks == nil {
		v.out.Checks = []verifier.Check{}
	}
}

// readToken reads the token from the argument: a file (decoding its QR code), standard
// input, or the argument itself.
func (v *verification) readToken(ctx context.Context, arg string) (string, error) {
	var data []byte
	switch st, statErr := os.Stat(arg); {
	case arg == "-":
		b, err := io.ReadAll(io.LimitReader(v.e.stdin, verifier.MaxUploadBytes+1))
		if err != nil {
			return "", fmt.Errorf("read standard input: %w", err)
		}
		v.out.Source, data = "stdin", b
	case statErr == nil && st.Mode().IsRegular():
		if st.Size() > verifier.MaxUploadBytes {
			return "", fmt.Errorf("%s: %w", arg, verifier.ErrTooLarge)
		}
		b, err := os.ReadFile(arg)
		if err != nil {
			return "", err
		}
		v.out.Source, data = "file "+arg, b
	case statErr == nil:
		return "", fmt.Errorf("%s is not a file", arg)
	case looksLikeFile(arg):
		return "", fmt.Errorf("cannot read %s: %w", arg, statErr)
	default:
		v.out.Source = "argument"
		return arg, nil
	}
	tok, err := verifier.ExtractTokenContext(ctx, data)
	if errors.Is(err, verifier.ErrUnsupported) && len(data) <= verifier.MaxTokenLength+2 {
		// A text file or standard input holding the token itself.
		return strings.TrimSpace(string(data)), nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", v.out.Source, err)
	}
	return tok, nil
}

func looksLikeFile(arg string) bool {
	if strings.Contains(strings.ToUpper(arg), "/V/S1.") {
		return false // a verification URL, perhaps without its scheme
	}
	switch strings.ToLower(filepath.Ext(arg)) {
	case ".png", ".jpg", ".jpeg", ".pdf", ".txt", ".jws", ".jwt":
		return true
	}
	return strings.ContainsRune(arg, os.PathSeparator) && !strings.Contains(arg, "://")
}

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// fetch reads a file or an http(s) URL, at most limit bytes.
func (v *verification) fetch(ctx context.Context, loc string, limit int64) ([]byte, error) {
	var r io.Reader
	if isURL(loc) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("User-Agent", "sertika-verify/"+Version)
		resp, err := v.client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("HTTP %s", resp.Status)
		}
		r = resp.Body
	} else {
		f, err := os.Open(loc)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}

func (v *verification) loadStatusList(ctx context.Context, loc string, set verifier.JWKS) (*verifier.StatusList, error) {
	b, err := v.fetch(ctx, loc, maxStatusListBytes)
	if err != nil {
		return nil, fmt.Errorf("status list %s: %w", loc, err)
	}
	l, err := verifier.ParseStatusList(string(b), set)
	if err != nil {
		return nil, fmt.Errorf("status list %s: %w", loc, err)
	}
	v.out.StatusList = &statusListOutput{Source: loc, IssuedAt: l.IssuedAt, Expires: l.Expires, Revoked: l.Count()}
	return l, nil
}

// serverAnswer is the answer of GET /api/v1/verify.
type serverAnswer struct {
	Status        verifier.Status  `json:"status"`
	StatusChecked *bool            `json:"status_checked"`
	Checks        []verifier.Check `json:"checks"`
	Certificate   json.RawMessage  `json:"certificate"`
}

// askServer asks the issuer about a certificate found genuine offline. The issuer's verdict on
// its record and status replaces the offline "status not checked": it may find the record
// revoked, missing or altered. It cannot make a certificate valid that failed offline (the
// server is asked only about genuine ones).
func (v *verification) askServer(ctx context.Context, base string, res verifier.Result) (verifier.Result, error) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	if !isURL(base) {
		return res, fmt.Errorf("--server must be an http(s) URL, got %q", base)
	}
	v.out.Server = base
	b, err := v.fetch(ctx, base+"/api/v1/verify?token="+url.QueryEscape(res.Compact), maxVerifyAnswer)
	if err != nil {
		return res, fmt.Errorf("server %s: %w", base, err)
	}
	var a serverAnswer
	if err := json.Unmarshal(b, &a); err != nil || a.Status == "" {
		return res, fmt.Errorf("server %s: not a verification answer", base)
	}
	if string(a.Certificate) != "null" {
		v.out.Certificate = a.Certificate
	}
	checks := make([]verifier.Check, 0, len(res.Checks)+2)
	for _, c := range res.Checks {
		if c.Name != verifier.CheckStatus && c.Name != verifier.CheckRecord {
			checks = append(checks, c)
		}
	}
	n := len(checks)
	for _, c := range a.Checks {
		if c.Name == verifier.CheckStatus || c.Name == verifier.CheckRecord {
			checks = append(checks, c)
		}
	}
	res.Checks = checks
	switch a.Status {
	case verifier.StatusValid:
		// "valid" with status_checked false means the server's own status lookup failed (a
		// database outage): the certificate is genuine but its standing is still unknown.
		if a.StatusChecked != nil && !*a.StatusChecked {
			return res, fmt.Errorf("server %s could not check the certificate's status now", base)
		}
		res.StatusChecked = true
		if len(checks) == n {
			res.Checks = append(res.Checks, verifier.Check{Name: verifier.CheckStatus, OK: true, Detail: "Server penerbit menyatakan sertifikat masih berlaku."})
		}
	case verifier.StatusRevoked, verifier.StatusInvalid, verifier.StatusUnknownKey, verifier.StatusKeyCompromised:
		res.Status, res.StatusChecked = a.Status, true
		if len(checks) == n {
			res.Checks = append(res.Checks, verifier.Check{Name: verifier.CheckStatus, OK: false,
				Detail: fmt.Sprintf("Server penerbit menyatakan sertifikat tidak sah (%s).", a.Status)})
		}
	default:
		return res, fmt.Errorf("server %s: unknown verdict %q", base, a.Status)
	}
	return res, nil
}

// print writes the result for a person: an English verdict, the checks as the issuer words
// them (Indonesian), and what the token says.
func (v *verification) print(res verifier.Result) {
	w := v.e.stdout
	verdict := map[verifier.Status]string{
		verifier.StatusValid:          "VALID: genuine, and not revoked",
		verifier.StatusRevoked:        "REVOKED: genuine, but withdrawn by the issuer",
		verifier.StatusInvalid:        "NOT VALID: tampered, forged or malformed",
		verifier.StatusUnknownKey:     "NOT VALID: signed by a key the issuer never published",
		verifier.StatusKeyCompromised: "NOT VALID: signed after its key was reported compromised",
	}[res.Status]
	if res.Status == verifier.StatusValid && !res.StatusChecked {
		verdict = "GENUINE: signature and key are valid; the current status was not checked"
	}
	fmt.Fprintf(w, "Certificate: %s\n", verdict)
	for _, c := range res.Checks {
		mark := "ok  "
		switch {
		case c.OK:
		case c.Name == verifier.CheckStatus && res.Status == verifier.StatusValid:
			mark = "--  " // not made, rather than failed
		default:
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  [%s] %-9s %s\n", mark, c.Name, c.Detail)
	}
	if c := res.Claims; c != nil {
		fmt.Fprintf(w, "Certificate id: %s\n", c.ID)
		fmt.Fprintf(w, "Holder NIP:     %s\n", c.Subject)
		fmt.Fprintf(w, "Issuer:         %s (key %s)\n", c.Issuer, res.KID)
		fmt.Fprintf(w, "Issued at:      %s\n", c.Issued().Format("2006-01-02 15:04 MST"))
		fmt.Fprintf(w, "Activity:       %s to %s, %d JP, kind %s\n", c.StartDate(), c.EndDate(), c.JP, c.Kind)
		fmt.Fprintf(w, "Record digest:  %s (names and titles are checked by the issuer, see --server)\n", c.Digest)
	}
	fmt.Fprintf(w, "Key set:        %s\n", v.out.KeySet)
	if l := v.out.StatusList; l != nil {
		fmt.Fprintf(w, "Status list:    %s, as of %s, %d revoked\n", l.Source, l.IssuedAt.Format("2006-01-02 15:04 MST"), l.Revoked)
	}
	if v.out.Server != "" {
		fmt.Fprintf(w, "Server:         %s\n", v.out.Server)
	}
}
