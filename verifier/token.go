// Package verifier decides whether a Sertika certificate token is genuine and what it says:
// it decodes the token (a compact JWS, or the short upper-case form printed in QR codes),
// checks the EdDSA signature against a published key set, checks the key was valid when the
// certificate was issued, and — when given a status source — whether the certificate still
// stands. Results are data, not errors.
//
// The package needs public keys only, so the command-line verifier can run offline. It never
// imports the issuer package (a test enforces this); the issuer imports the token format
// from here.
package verifier

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sertika/sertika/internal/domain"
)

// Claims are the signed facts of a certificate. The names are short because every byte
// costs QR modules; see docs/certificate-format.md. The field order is the JSON order, which
// the QR form relies on to rebuild the exact signed bytes.
type Claims struct {
	Issuer   string `json:"iss"` // issuing agency's code
	Subject  string `json:"sub"` // holder's NIP
	ID       string `json:"jti"` // certificate id: 16 characters of base32, random
	IssuedAt int64  `json:"iat"` // Unix seconds
	JP       int    `json:"jp"`  // learning hours (jam pelajaran)
	Start    int    `json:"sd"`  // first day of the activity, days since 1970-01-01
	End      int    `json:"ed"`  // last day of the activity, days since 1970-01-01
	Kind     string `json:"knd"` // kind of development (code from the rules document)
	Digest   string `json:"dig"` // base32 of the first 16 bytes of SHA-256 over the full record
}

// GetExpirationTime: certificates do not expire.
func (c Claims) GetExpirationTime() (*jwt.NumericDate, error) { return nil, nil }

// GetIssuedAt returns iat.
func (c Claims) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.IssuedAt, 0)), nil
}

// GetNotBefore: none.
func (c Claims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }

// GetIssuer returns iss.
func (c Claims) GetIssuer() (string, error) { return c.Issuer, nil }

// GetSubject returns sub.
func (c Claims) GetSubject() (string, error) { return c.Subject, nil }

// GetAudience: none.
func (c Claims) GetAudience() (jwt.ClaimStrings, error) { return nil, nil }

// StartDate is the activity's first day.
func (c Claims) StartDate() domain.Date { return dayDate(c.Start) }

// EndDate is the activity's last day.
func (c Claims) EndDate() domain.Date { return dayDate(c.End) }

// Issued is the issue time.
func (c Claims) Issued() time.Time { return time.Unix(c.IssuedAt, 0).UTC() }

// DayNumber returns the days since 1970-01-01 of a date.
func DayNumber(d domain.Date) int { return int(d.Unix() / 86400) }

func dayDate(n int) domain.Date { return domain.Date{Time: time.Unix(int64(n)*86400, 0).UTC()} }

// b32 is RFC 4648 base32 without padding: upper-case letters and digits only, so it fits
// the QR alphanumeric mode.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewCertificateID returns a random certificate id (80 bits, 16 characters).
func NewCertificateID(random []byte) (string, error) {
	if len(random) != 10 {
		return "", errors.New("certificate id needs 10 random bytes")
	}
	return b32.EncodeToString(random), nil
}

// Header is the exact JOSE header of every Sertika token: {"alg":"EdDSA","kid":"…"}.
func Header(kid string) []byte {
	b, _ := json.Marshal(map[string]string{"alg": "EdDSA", "kid": kid})
	return b
}

// Sign makes the compact JWS of claims with signer (an ed25519 private key or any
// crypto.Signer with an Ed25519 public key) through golang-jwt.
func Sign(c Claims, kid string, signer any) (string, error) {
	if err := c.validate(); err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header = map[string]any{"alg": "EdDSA", "kid": kid}
	return t.SignedString(signer)
}

// Limits of the claim values the short form can carry.
func (c Claims) validate() error {
	switch {
	case len(c.ID) != 16 || !isBase32(c.ID):
		return errors.New("certificate id must be 16 base32 characters")
	case len(c.Subject) != 18 || !isDigits(c.Subject):
		return errors.New("subject must be an 18-digit NIP")
	case c.Issuer == "" || len(c.Issuer) > 16 || !isUpperAlnum(c.Issuer):
		return errors.New("issuer code must be 1–16 upper-case letters or digits")
	case c.IssuedAt <= 0 || c.JP <= 0 || c.JP > 9999 || c.Start <= 0 || c.End < c.Start:
		return errors.New("issued-at, JP and dates out of range")
	case len(c.Digest) != 26 || !isBase32(c.Digest):
		return errors.New("digest must be 26 base32 characters")
	}
	if _, ok := domain.KindByCode(c.Kind); !ok {
		return fmt.Errorf("unknown kind %q", c.Kind)
	}
	return nil
}

// isBase32, isDigits and isUpperAlnum report whether every byte of s is in the set (true for
// ""). validate runs on every verification; strings.Trim with a cutset would build the set
// on each call.
func isBase32(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isUpperAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// ShortPrefix starts every short-form token: the format version.
const ShortPrefix = "S1"

// Short turns a compact JWS into the short form printed in QR codes: fields in upper-case
// letters, digits and dots only, so the whole verification URL fits the QR alphanumeric mode:
//
//	S1.KID.JTI.SUB.ISS.IAT.JP.SD.ED.KIND.DIG.SIGNATURE
//
// where KIND is the SIASN number of the kind of development and SIGNATURE the 64-byte
// signature in base32. The header and payload are not carried: Expand rebuilds their exact
// bytes from the fields, so the signature still verifies.
func Short(compact string) (string, error) {
	parts := strings.Split(compact, ".")
	if len(parts) != 3 {
		return "", errors.New("not a compact JWS")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return "", err
	}
	var h map[string]string
	if err := json.Unmarshal(hb, &h); err != nil {
		return "", err
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var c Claims
	if err := json.Unmarshal(pb, &c); err != nil {
		return "", err
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return "", errors.New("signature must be 64 bytes")
	}
	kind, ok := domain.KindByCode(c.Kind)
	if !ok {
		return "", fmt.Errorf("unknown kind %q", c.Kind)
	}
	kid := h["kid"]
	if kid == "" || !isBase32(kid) {
		return "", errors.New("kid must be base32")
	}
	out := strings.Join([]string{ShortPrefix, kid, c.ID, c.Subject, c.Issuer, strconv.FormatInt(c.IssuedAt, 10),
		strconv.Itoa(c.JP), strconv.Itoa(c.Start), strconv.Itoa(c.End), strconv.Itoa(kind.SIASNID), c.Digest,
		b32.EncodeToString(sig)}, ".")
	// The short form must expand back to the very same token.
	if back, err := Expand(out); err != nil || back != compact {
		return "", errors.New("token is not in Sertika's canonical form")
	}
	return out, nil
}

// Expand turns a short-form token back into the compact JWS it was made from.
func Expand(short string) (string, error) {
	f := strings.Split(strings.ToUpper(short), ".")
	if len(f) != 12 || f[0] != ShortPrefix {
		return "", errors.New("not a Sertika short token")
	}
	num := func(s string) (int64, error) {
		if s == "" || len(s) > 12 || !isDigits(s) || (len(s) > 1 && s[0] == '0') {
			return 0, errors.New("bad number")
		}
		return strconv.ParseInt(s, 10, 64)
	}
	iat, err1 := num(f[5])
	jp, err2 := num(f[6])
	sd, err3 := num(f[7])
	ed, err4 := num(f[8])
	kindID, err5 := num(f[9])
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return "", err
	}
	var kind string
	for _, k := range domain.DevelopmentKinds {
		if int64(k.SIASNID) == kindID {
			kind = k.Code
		}
	}
	c := Claims{Issuer: f[4], Subject: f[3], ID: f[2], IssuedAt: iat, JP: int(jp), Start: int(sd), End: int(ed), Kind: kind, Digest: f[10]}
	if err := c.validate(); err != nil {
		return "", err
	}
	sig, err := b32.DecodeString(f[11])
	if err != nil || len(sig) != 64 || b32.EncodeToString(sig) != f[11] {
		return "", errors.New("bad signature encoding")
	}
	if f[1] == "" || len(f[1]) > 16 || !isBase32(f[1]) {
		return "", errors.New("bad kid")
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(Header(f[1])) + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString(sig), nil
}

// VerifyURL returns the address printed in a QR code: the public base URL and the short
// token, upper-cased so that the whole string uses the QR alphanumeric mode
// (0-9 A-Z $%*+-./: only). Scheme and host are case-insensitive; the server accepts /V/.
func VerifyURL(publicURL, short string) string {
	return strings.ToUpper(strings.TrimRight(publicURL, "/")) + "/V/" + short
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
