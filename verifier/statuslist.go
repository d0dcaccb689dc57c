package verifier

import (
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// The status list: one signed document that says which certificates the issuer has revoked,
// so an offline verifier refreshes every revocation at once instead of asking about one
// certificate at a time (and without telling the issuer which certificate it looks at).
// docs/certificate-format.md §7 is the specification; in short, it is a compact JWS
//
//	header  {"alg":"EdDSA","kid":"<KID>","typ":"sertika-status+jwt"}
//	payload {"iss":"<issuer code>","iat":<unix>,"exp":<unix>,"size":<bits>,"count":<n>,
//	         "bits":"<base64url(gzip(bitstring))>","ids":"<base64url(gzip(sorted ids))>"}
//
// Bit i of the bitstring (most significant bit of byte i/8 first, as in the W3C Bitstring
// Status List) is set when the certificate with status index i is revoked. The status index
// is not in the certificate token — tokens were issued and documented before the list
// existed, and their format does not change — so the list also carries the revoked
// certificates' ids (the token's jti), sorted, which lets a verifier decide from the token
// alone. Revocations are rare, so the ids cost little; the bitstring serves verifiers that
// keep certificates' indexes (the issuer's own systems, SIASN-style synchronisation).

// StatusListType is the "typ" header of a status list. Certificate tokens carry no typ, so
// neither kind of JWS can be passed off as the other.
const StatusListType = "sertika-status+jwt"

// Bounds on what a status list may declare, and on the compact JWS read.
const (
	MaxStatusListBits   = 1 << 27 // status indexes: 134 million certificates, 16 MiB of bits
	MaxStatusListLength = 48 << 20
)

// ErrStatusList is wrapped by every ParseStatusList error.
var ErrStatusList = errors.New("status list refused")

// StatusEntry is a revoked certificate: its status index and its id.
type StatusEntry struct {
	Index int64
	ID    string
}

// StatusList is a parsed, signature-checked status list.
type StatusList struct {
	Issuer   string    // issuing agency's code
	KID      string    // the key that signed it
	IssuedAt time.Time // the moment the list describes
	Expires  time.Time // after this the list says nothing; zero if it states no end
	Size     int64     // bits in the bitstring: one per status index below Size
	bits     []byte
	ids      []string // sorted
}

// statusPayload is the signed JSON; the field order is the member order.
type statusPayload struct {
	Issuer   string `json:"iss"`
	IssuedAt int64  `json:"iat"`
	Expires  int64  `json:"exp,omitempty"`
	Size     int64  `json:"size"`
	Count    int    `json:"count"`
	Bits     string `json:"bits"`
	IDs      string `json:"ids"`
}

// SignStatusList makes the compact JWS of a status list with the issuer's code, the moment
// it describes and its end, room for status indexes below size, the revoked certificates,
// and the signing key (an ed25519.PrivateKey or any crypto.Signer of an Ed25519 key).
func SignStatusList(issuer string, issuedAt, expires time.Time, size int64, revoked []StatusEntry, kid string,
	signer crypto.Signer) (string, error) {
	if _, ok := signer.Public().(ed25519.PublicKey); !ok {
		return "", errors.New("status list: the signer is not an Ed25519 key")
	}
	if issuer == "" || kid == "" {
		return "", errors.New("status list: issuer and kid are required")
	}
	if size < 0 || size > MaxStatusListBits {
		return "", fmt.Errorf("status list: size %d out of range", size)
	}
	size = (size + 7) / 8 * 8 // whole bytes
	bitstring := make([]byte, size/8)
	ids := make([]string, 0, len(revoked))
	for _, e := range revoked {
		if e.Index < 0 || e.Index >= size {
			return "", fmt.Errorf("status list: status index %d outside 0–%d", e.Index, size-1)
		}
		if !isCertID(e.ID) {
			return "", fmt.Errorf("status list: bad certificate id %q", e.ID)
		}
		if bitstring[e.Index/8]&(0x80>>(e.Index%8)) != 0 {
			return "", fmt.Errorf("status list: status index %d listed twice", e.Index)
		}
		bitstring[e.Index/8] |= 0x80 >> (e.Index % 8)
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	if len(slices.Compact(slices.Clone(ids))) != len(ids) {
		return "", errors.New("status list: a certificate id is listed twice")
	}
	p := statusPayload{Issuer: issuer, IssuedAt: issuedAt.Unix(), Size: size, Count: len(ids),
		Bits: gzip64(bitstring), IDs: gzip64([]byte(strings.Join(ids, "")))}
	if !expires.IsZero() {
		if !expires.After(issuedAt) {
			return "", errors.New("status list: it must expire after it was issued")
		}
		p.Expires = expires.Unix()
	}
	header, _ := json.Marshal(struct {
		Alg string `json:"alg"`
		KID string `json:"kid"`
		Typ string `json:"typ"`
	}{"EdDSA", kid, StatusListType})
	payload, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	input := b64(header) + "." + b64(payload)
	// Ed25519 signs the message itself (crypto.Hash(0)); the signature is deterministic.
	sig, err := signer.Sign(rand.Reader, []byte(input), crypto.Hash(0))
	if err != nil {
		return "", fmt.Errorf("status list: sign: %w", err)
	}
	return input + "." + b64(sig), nil
}

// gzip64 is base64url(gzip(b)); with no name or time in the gzip header it depends on b alone.
func gzip64(b []byte) string {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return b64(buf.Bytes())
}

// gunzip64 undoes gzip64, refusing output longer than limit bytes.
func gunzip64(s string, limit int) ([]byte, error) {
	z, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("not base64url")
	}
	r, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, errors.New("not gzip")
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, errors.New("damaged gzip")
	}
	if len(out) > limit {
		return nil, errors.New("inflates beyond its declared size")
	}
	return out, nil
}

func isCertID(s string) bool {
	return len(s) == 16 && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == ""
}

// ParseStatusList checks a status list's signature against the key set (EdDSA only, the
// status-list typ, a known kid whose key was valid and not compromised when the list was
// issued) and reads it. It does not judge freshness: Fresh and ApplyStatusList do, against a
// clock.
func ParseStatusList(jws string, set JWKS) (*StatusList, error) {
	l, err := parseStatusList(strings.TrimSpace(jws), set)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStatusList, err)
	}
	return l, nil
}

func parseStatusList(jws string, set JWKS) (*StatusList, error) {
	if len(jws) > MaxStatusListLength {
		return nil, errors.New("too long")
	}
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, errors.New("header is not base64url")
	}
	var h struct {
		Alg, KID, Typ string
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, errors.New("header is not JSON")
	}
	switch {
	case h.Alg != "EdDSA":
		// Never let the document choose its algorithm.
		return nil, fmt.Errorf("algorithm %q, want EdDSA", h.Alg)
	case h.Typ != StatusListType:
		return nil, fmt.Errorf("typ %q, want %q", h.Typ, StatusListType)
	}
	key, ok := set.Find(h.KID)
	if !ok {
		return nil, fmt.Errorf("signed with key %q, which is not in the key set", h.KID)
	}
	pub, err := key.Public()
	if err != nil {
		return nil, err
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != ed25519.SignatureSize ||
		!ed25519.Verify(pub, []byte(parts[0]+"."+parts[1]), sig) {
		return nil, errors.New("signature does not verify")
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, errors.New("payload is not base64url")
	}
	var p statusPayload
	if err := json.Unmarshal(pb, &p); err != nil {
		return nil, errors.New("payload is not JSON")
	}
	iat := time.Unix(p.IssuedAt, 0).UTC()
	switch {
	case p.Issuer == "" || p.IssuedAt <= 0:
		return nil, errors.New("no issuer or issue time")
	case key.CompromisedAt != nil && !iat.Before(*key.CompromisedAt):
		return nil, fmt.Errorf("key %s was reported compromised before the list was signed", key.KID)
	case iat.Before(key.ValidFrom.Add(-time.Minute)) || (key.RetiredAt != nil && iat.After(*key.RetiredAt)):
		return nil, fmt.Errorf("key %s was not valid when the list was signed", key.KID)
	case p.Size < 0 || p.Size > MaxStatusListBits || p.Size%8 != 0:
		return nil, fmt.Errorf("size %d out of range", p.Size)
	case p.Count < 0 || int64(p.Count) > p.Size:
		return nil, fmt.Errorf("count %d out of range", p.Count)
	case p.Expires != 0 && p.Expires <= p.IssuedAt:
		return nil, errors.New("expires before it was issued")
	}
	l := &StatusList{Issuer: p.Issuer, KID: key.KID, IssuedAt: iat, Size: p.Size}
	if p.Expires != 0 {
		l.Expires = time.Unix(p.Expires, 0).UTC()
	}
	if l.bits, err = gunzip64(p.Bits, int(p.Size/8)); err != nil || len(l.bits) != int(p.Size/8) {
		return nil, fmt.Errorf("bits: %v", orShort(err))
	}
	idBytes, err := gunzip64(p.IDs, 16*p.Count)
	if err != nil || len(idBytes) != 16*p.Count {
		return nil, fmt.Errorf("ids: %v", orShort(err))
	}
	l.ids = make([]string, p.Count)
	for i := range l.ids {
		id := string(idBytes[16*i : 16*i+16])
		if !isCertID(id) || (i > 0 && id <= l.ids[i-1]) {
			return nil, errors.New("ids are not sorted certificate ids")
		}
		l.ids[i] = id
	}
	// The two views list the same certificates.
	n := 0
	for _, b := range l.bits {
		n += bits.OnesCount8(b)
	}
	if n != p.Count {
		return nil, fmt.Errorf("%d bits set for %d revoked certificates", n, p.Count)
	}
	return l, nil
}

func orShort(err error) error {
	if err == nil {
		return errors.New("shorter than declared")
	}
	return err
}

// Revoked reports whether the certificate with status index i is revoked. An index outside
// the list (a certificate issued after it) is not revoked as far as the list knows.
func (l *StatusList) Revoked(i int64) bool {
	if i < 0 || i >= l.Size {
		return false
	}
	return l.bits[i/8]&(0x80>>(i%8)) != 0
}

// RevokedID reports whether the certificate with the id (the token's jti) is revoked.
func (l *StatusList) RevokedID(id string) bool {
	_, found := slices.BinarySearch(l.ids, strings.ToUpper(id))
	return found
}

// Count is the number of revoked certificates.
func (l *StatusList) Count() int { return len(l.ids) }

// IDs returns the revoked certificates' ids, sorted.
func (l *StatusList) IDs() []string { return slices.Clone(l.ids) }

// Fresh reports whether the list still speaks at now: it has not expired, and it was not
// issued in the future (a minute of clock skew allowed).
func (l *StatusList) Fresh(now time.Time) bool {
	if l.IssuedAt.After(now.Add(time.Minute)) {
		return false
	}
	return l.Expires.IsZero() || now.Before(l.Expires)
}

// ApplyStatusList completes an offline verdict with a status list. Only a genuine
// certificate (status valid) is affected: it becomes revoked when the list names it, and is
// marked as status-checked when the list is fresh, from its issuer, and younger than the
// certificate; otherwise its status check says why the list could not answer. Any earlier
// status check is replaced.
func ApplyStatusList(res Result, l *StatusList, now time.Time) Result {
	if res.Status != StatusValid || res.Claims == nil || l == nil {
		return res
	}
	checks := make([]Check, 0, len(res.Checks)+1)
	for _, c := range res.Checks {
		if c.Name != CheckStatus {
			checks = append(checks, c)
		}
	}
	res.Checks = checks
	add := func(ok bool, detail string) { res.Checks = append(res.Checks, Check{CheckStatus, ok, detail}) }
	asOf := l.IssuedAt.Format("2006-01-02 15:04 MST")
	switch {
	case l.Issuer != res.Claims.Issuer:
		add(false, fmt.Sprintf("Daftar status berasal dari penerbit %s, bukan %s: status terkini tidak diperiksa.", l.Issuer, res.Claims.Issuer))
	case l.RevokedID(res.Claims.ID):
		// A revocation stays true however old the list is.
		res.Status, res.StatusChecked = StatusRevoked, true
		res.Cert = CertStatus{Found: true, Revoked: true}
		add(false, fmt.Sprintf("Sertifikat telah dicabut (menurut daftar status penerbit per %s).", asOf))
	case !l.Fresh(now):
		add(false, fmt.Sprintf("Daftar status per %s sudah kedaluwarsa: status terkini tidak dapat dipastikan.", asOf))
	case res.Claims.Issued().After(l.IssuedAt):
		add(false, fmt.Sprintf("Sertifikat diterbitkan sesudah daftar status per %s: status terkini tidak dapat dipastikan.", asOf))
	default:
		res.StatusChecked = true
		res.Cert = CertStatus{Found: true}
		add(true, fmt.Sprintf("Tidak tercantum dalam daftar pencabutan penerbit per %s.", asOf))
	}
	return res
}
