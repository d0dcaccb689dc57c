package verifier

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Status is the verdict on a token.
type Status string

// The verdicts.
const (
	StatusValid          Status = "valid"           // genuine and still standing
	StatusRevoked        Status = "revoked"         // genuine but withdrawn
	StatusInvalid        Status = "invalid"         // tampered, forged or malformed
	StatusUnknownKey     Status = "unknown_key"     // signed by a key this agency never published
	StatusKeyCompromised Status = "key_compromised" // signed after its key was reported compromised
)

// Check is one line of a verification: what was checked and how it came out. OK is false
// both for a failed check and for one that could not be made (Detail says which).
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Names of checks.
const (
	CheckFormat    = "format"
	CheckSignature = "signature"
	CheckKey       = "key"
	CheckStatus    = "status"
	CheckRecord    = "record"
)

// CertStatus is what the issuer's records say about a certificate now.
type CertStatus struct {
	Found      bool      // the issuer holds a record of this certificate
	Revoked    bool      // withdrawn
	RevokedAt  time.Time // when
	Reason     string    // reason code: issued_in_error, fraud, replaced, withdrawn
	ReplacedBy string    // id of the certificate that supersedes it
	Digest     string    // digest recomputed from the stored record (empty when unknown)
}

// StatusSource answers for a certificate's current standing. An error means the answer could
// not be had now (a network or database failure): the verdict then says so, and never
// silently claims the certificate stands.
type StatusSource interface {
	CertificateStatus(ctx context.Context, id string) (CertStatus, error)
}

// Result is a verification outcome as data.
type Result struct {
	Status  Status  `json:"status"`
	Checks  []Check `json:"checks"`
	Claims  *Claims `json:"-"`
	KID     string  `json:"-"`
	Compact string  `json:"-"`
	// StatusChecked is false when no status source was given or it could not answer.
	StatusChecked bool       `json:"-"`
	Cert          CertStatus `json:"-"`
}

// MaxTokenLength bounds what is even looked at; real tokens are about 400 characters.
const MaxTokenLength = 2048

// Normalize accepts a compact JWS or a short token, with or without the verification URL
// around it, and returns the compact JWS.
//
// It runs on every verification, so it looks at the token byte by byte and copies nothing
// (it used to upper-case the whole token to find /V/, which cost as much as the rest of the
// verification outside golang-jwt).
func Normalize(token string) (string, error) {
	t := strings.TrimSpace(token)
	if len(t) > MaxTokenLength {
		return "", errors.New("token too long")
	}
	if i := lastVerifyPath(t); i >= 0 {
		t = t[i+3:]
	}
	for i := 0; i < len(t); i++ {
		if b := t[i]; b > 127 || b <= ' ' {
			return "", errors.New("token holds characters outside ASCII")
		}
	}
	if len(t) > len(ShortPrefix) && t[len(ShortPrefix)] == '.' && strings.EqualFold(t[:len(ShortPrefix)], ShortPrefix) {
		return Expand(t)
	}
	if strings.Count(t, ".") != 2 {
		return "", errors.New("not a token")
	}
	return t, nil
}

// lastVerifyPath is the index of the last "/v/" or "/V/" in s, or -1: where the token starts
// in a verification URL (printed upper-case in QR codes, lower-cased by some phones).
func lastVerifyPath(s string) int {
	for i := len(s) - 3; i >= 0; i-- {
		if s[i] == '/' && s[i+2] == '/' && s[i+1]|0x20 == 'v' {
			return i
		}
	}
	return -1
}

// parser parses every token: EdDSA only, claims checked by Claims.validate and the key's
// validity rather than by golang-jwt's time checks (certificates do not expire). A Parser
// with claims validation off is not modified by parsing, so one serves all goroutines.
var parser = jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}), jwt.WithoutClaimsValidation())

// add appends a check.
func (r *Result) add(name string, ok bool, detail string) {
	r.Checks = append(r.Checks, Check{name, ok, detail})
}

// Verify checks a token against a key set and, when src is not nil, the issuer's records.
func Verify(ctx context.Context, token string, set JWKS, src StatusSource) Result {
	res := Result{Checks: make([]Check, 0, 4)} // at most four checks: one allocation
	compact, err := Normalize(token)
	if err != nil {
		res.Status = StatusInvalid
		res.add(CheckFormat, false, "Bukan token sertifikat Sertika yang sah.")
		return res
	}
	res.Compact = compact
	var claims Claims
	var key JWK
	_, err = parser.ParseWithClaims(compact, &claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		res.KID = kid
		k, ok := set.Find(kid)
		if !ok {
			return nil, errUnknownKey
		}
		key = k
		return k.Public()
	})
	switch {
	case errors.Is(err, errUnknownKey):
		res.Status = StatusUnknownKey
		res.add(CheckSignature, false, "Tanda tangan tidak dapat diperiksa.")
		res.add(CheckKey, false, fmt.Sprintf("Kunci %q tidak pernah diterbitkan oleh instansi ini.", res.KID))
		return res
	case err != nil:
		res.Status = StatusInvalid
		res.add(CheckSignature, false, "Tanda tangan tidak cocok: isi sertifikat telah diubah atau dipalsukan.")
		return res
	}
	if err := claims.validate(); err != nil {
		res.Status = StatusInvalid
		res.add(CheckFormat, false, "Isi token tidak sesuai format sertifikat Sertika.")
		return res
	}
	res.Claims = &claims
	res.add(CheckSignature, true, "Tanda tangan elektronik sah (EdDSA/Ed25519).")
	issued := claims.Issued()
	switch {
	case key.CompromisedAt != nil && !issued.Before(*key.CompromisedAt):
		res.Status = StatusKeyCompromised
		res.add(CheckKey, false, fmt.Sprintf("Kunci %s dilaporkan bocor sejak %s; sertifikat ini ditandatangani sesudahnya.",
			key.KID, key.CompromisedAt.Format("2006-01-02 15:04 MST")))
		return res
	case issued.Before(key.ValidFrom.Add(-time.Minute)) || (key.RetiredAt != nil && issued.After(*key.RetiredAt)):
		res.Status = StatusInvalid
		res.add(CheckKey, false, fmt.Sprintf("Kunci %s tidak berlaku pada tanggal penerbitan.", key.KID))
		return res
	}
	res.add(CheckKey, true, "Kunci "+key.KID+" diterbitkan instansi dan berlaku saat sertifikat ditandatangani.")
	res.Status = StatusValid
	if src == nil {
		res.add(CheckStatus, false, "Status terkini tidak diperiksa (verifikasi luring).")
		return res
	}
	st, err := src.CertificateStatus(ctx, claims.ID)
	if err != nil {
		res.add(CheckStatus, false, "Status terkini tidak dapat diperiksa saat ini. Coba lagi nanti.")
		return res
	}
	res.StatusChecked, res.Cert = true, st
	switch {
	case !st.Found:
		// A good signature without a record is not a certificate the issuer stands behind:
		// say exactly that rather than "valid".
		res.Status = StatusInvalid
		res.add(CheckRecord, false, "Tanda tangan sah, tetapi penerbit tidak memiliki catatan sertifikat ini.")
		res.add(CheckStatus, false, "Status tidak dapat dipastikan tanpa catatan penerbit.")
	case st.Digest != "" && st.Digest != claims.Digest:
		res.Status = StatusInvalid
		res.add(CheckRecord, false, "Catatan di server tidak cocok dengan isi sertifikat yang ditandatangani.")
	case st.Revoked:
		res.Status = StatusRevoked
		res.add(CheckRecord, true, "Catatan sertifikat ditemukan dan cocok.")
		res.add(CheckStatus, false, "Sertifikat telah dicabut.")
	default:
		res.add(CheckRecord, true, "Catatan sertifikat ditemukan dan cocok.")
		res.add(CheckStatus, true, "Sertifikat masih berlaku.")
	}
	return res
}

var errUnknownKey = errors.New("unknown key")

// PublicKeyFor is a helper for tests and tools: the JWK of a raw public key.
func PublicKeyFor(kid string, pub ed25519.PublicKey, validFrom time.Time) JWK {
	return JWK{Kty: "OKP", Crv: "Ed25519", X: b64(pub), KID: kid, Use: "sig", Alg: "EdDSA", State: "active", ValidFrom: validFrom}
}
