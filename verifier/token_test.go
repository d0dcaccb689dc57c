package verifier

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	testKey   = ed25519.NewKeyFromSeed([]byte("sertika-test-seed-0123456789abcd"))
	otherKey  = ed25519.NewKeyFromSeed([]byte("another-seed-0123456789abcdefghi"))
	keyFrom   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	testSet   = JWKS{Keys: []JWK{PublicKeyFor("TESTKIDA", testKey.Public().(ed25519.PublicKey), keyFrom)}}
	issuedAt  = time.Date(2026, 3, 20, 2, 0, 0, 0, time.UTC)
	testClaim = Claims{Issuer: "TIDORE", Subject: "196608011988031001", ID: "ABCDEFGHIJKLMNOP", IssuedAt: issuedAt.Unix(),
		JP: 24, Start: 20522, End: 20524, Kind: "teknis", Digest: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
)

func mustSign(t testing.TB, c Claims, kid string, key ed25519.PrivateKey) string {
	t.Helper()
	tok, err := Sign(c, kid, key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type fakeStatus struct {
	st  CertStatus
	err error
}

func (f fakeStatus) CertificateStatus(context.Context, string) (CertStatus, error) {
	return f.st, f.err
}

func TestShortRoundTrip(t *testing.T) {
	tok := mustSign(t, testClaim, "TESTKIDA", testKey)
	if h := strings.Split(tok, ".")[0]; h != base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","kid":"TESTKIDA"}`)) {
		t.Errorf("header = %s", h)
	}
	short, err := Short(tok)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Trim(short, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.") != "" {
		t.Errorf("short form %q has characters outside the QR alphanumeric set", short)
	}
	back, err := Expand(short)
	if err != nil || back != tok {
		t.Fatalf("Expand = %q, %v; want the original token", back, err)
	}
	if back2, _ := Expand(strings.ToLower(short)); back2 != tok {
		t.Error("the short form must survive lower-casing (phones may lower-case URLs)")
	}
	url := VerifyURL("https://sertika.example.go.id/", short)
	if !strings.HasPrefix(url, "HTTPS://SERTIKA.EXAMPLE.GO.ID/V/S1.") {
		t.Errorf("VerifyURL = %s", url)
	}
	if n, err := Normalize(url); err != nil || n != tok {
		t.Errorf("Normalize(url) = %v", err)
	}
	res := Verify(context.Background(), url, testSet, fakeStatus{st: CertStatus{Found: true, Digest: testClaim.Digest}})
	if res.Status != StatusValid || res.Claims.Subject != testClaim.Subject {
		t.Errorf("Verify = %+v", res)
	}
}

func hs256(t *testing.T, header, payload string, key []byte) string {
	enc := base64.RawURLEncoding
	in := enc.EncodeToString([]byte(header)) + "." + payload
	m := hmac.New(sha256.New, key)
	m.Write([]byte(in))
	return in + "." + enc.EncodeToString(m.Sum(nil))
}

func TestVerifyVerdicts(t *testing.T) {
	ctx := context.Background()
	good := mustSign(t, testClaim, "TESTKIDA", testKey)
	parts := strings.Split(good, ".")
	tamperedPayload := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"TIDORE","sub":"196608011988031001","jti":"ABCDEFGHIJKLMNOP","iat":1773972000,"jp":240,"sd":20522,"ed":20524,"knd":"teknis","dig":"ABCDEFGHIJKLMNOPQRSTUVWXYZ"}`))
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[0] ^= 1
	compromisedAt := issuedAt.Add(-time.Hour)
	compromisedSet := JWKS{Keys: []JWK{testSet.Keys[0]}}
	compromisedSet.Keys[0].CompromisedAt = &compromisedAt
	retiredAt := issuedAt.Add(time.Hour)
	retiredSet := JWKS{Keys: []JWK{testSet.Keys[0]}}
	retiredSet.Keys[0].RetiredAt = &retiredAt
	retiredBefore := issuedAt.Add(-time.Hour)
	retiredEarlySet := JWKS{Keys: []JWK{testSet.Keys[0]}}
	retiredEarlySet.Keys[0].RetiredAt = &retiredBefore
	pubBytes := []byte(testKey.Public().(ed25519.PublicKey))
	live := fakeStatus{st: CertStatus{Found: true, Digest: testClaim.Digest}}
	tests := []struct {
		name  string
		token string
		set   JWKS
		src   StatusSource
		want  Status
	}{
		{"valid", good, testSet, live, StatusValid},
		{"tampered payload", parts[0] + "." + tamperedPayload + "." + parts[2], testSet, live, StatusInvalid},
		{"tampered signature", parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig), testSet, live, StatusInvalid},
		{"alg none", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"TESTKIDA"}`)) + "." + parts[1] + ".", testSet, live, StatusInvalid},
		{"HS256 with the public key as secret", hs256(t, `{"alg":"HS256","kid":"TESTKIDA"}`, parts[1], pubBytes), testSet, live, StatusInvalid},
		{"unknown kid", mustSign(t, testClaim, "OTHERKID", otherKey), testSet, live, StatusUnknownKey},
		{"known kid, wrong key", mustSign(t, testClaim, "TESTKIDA", otherKey), testSet, live, StatusInvalid},
		{"retired after issue", good, retiredSet, live, StatusValid},
		{"signed after retirement", good, retiredEarlySet, live, StatusInvalid},
		{"signed after compromise", good, compromisedSet, live, StatusKeyCompromised},
		{"revoked", good, testSet, fakeStatus{st: CertStatus{Found: true, Revoked: true, Digest: testClaim.Digest}}, StatusRevoked},
		{"record missing", good, testSet, fakeStatus{st: CertStatus{Found: false}}, StatusInvalid},
		{"record altered", good, testSet, fakeStatus{st: CertStatus{Found: true, Digest: "ZZZZZZZZZZZZZZZZZZZZZZZZZZ"}}, StatusInvalid},
		{"truncated", good[:len(good)-10], testSet, live, StatusInvalid},
		{"over-long", good + strings.Repeat("A", 3000), testSet, live, StatusInvalid},
		{"garbage", strings.Repeat("x", 100000), testSet, live, StatusInvalid},
		{"unicode trickery", strings.Replace(good, "e", "е", 1), testSet, live, StatusInvalid},
		{"empty", "", testSet, live, StatusInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Verify(ctx, tt.token, tt.set, tt.src)
			if res.Status != tt.want {
				t.Errorf("status = %s, want %s (checks %+v)", res.Status, tt.want, res.Checks)
			}
			if tt.want != StatusValid && tt.want != StatusRevoked && res.Status == StatusValid {
				t.Error("never valid")
			}
		})
	}
	// A status source that cannot answer: the signature verdict stands, but the status check
	// says it could not be made.
	res := Verify(ctx, good, testSet, fakeStatus{err: errors.New("database down")})
	if res.StatusChecked || res.Checks[len(res.Checks)-1].OK {
		t.Errorf("unreachable status source reported as checked: %+v", res.Checks)
	}
}

func TestExpandRejects(t *testing.T) {
	tok := mustSign(t, testClaim, "TESTKIDA", testKey)
	short, _ := Short(tok)
	f := strings.Split(short, ".")
	for name, bad := range map[string]string{
		"wrong version": "S2." + strings.Join(f[1:], "."),
		"missing field": strings.Join(f[:11], "."),
		"leading zero":  strings.Join(append(append([]string{}, f[:6]...), append([]string{"024"}, f[7:]...)...), "."),
		"bad kind":      strings.Join(append(append([]string{}, f[:9]...), append([]string{"99"}, f[10:]...)...), "."),
		"short sig":     strings.Join(append(append([]string{}, f[:11]...), f[11][:50]), "."),
	} {
		if _, err := Expand(bad); err == nil {
			t.Errorf("%s: Expand accepted %q", name, bad)
		}
	}
}

// normalizeBefore is Normalize as it was before it stopped upper-casing the token: the
// reference the faster one must agree with on ASCII input.
func normalizeBefore(token string) (string, error) {
	t := strings.TrimSpace(token)
	if len(t) > MaxTokenLength {
		return "", errors.New("token too long")
	}
	if i := strings.LastIndex(strings.ToUpper(t), "/V/"); i >= 0 {
		t = t[i+3:]
	}
	for _, r := range t {
		if r > 127 || r <= ' ' {
			return "", errors.New("token holds characters outside ASCII")
		}
	}
	if strings.HasPrefix(strings.ToUpper(t), ShortPrefix+".") {
		return Expand(t)
	}
	if strings.Count(t, ".") != 2 {
		return "", errors.New("not a token")
	}
	return t, nil
}

func TestNormalize(t *testing.T) {
	tok := mustSign(t, testClaim, "TESTKIDA", testKey)
	short, _ := Short(tok)
	for _, tt := range []struct {
		in, want string // want "" for an error
	}{
		{tok, tok},
		{"  " + tok + "\n", tok},
		{"https://sertika.example.go.id/v/" + tok, tok},
		{"HTTPS://SERTIKA.EXAMPLE.GO.ID/V/" + short, tok},
		{"https://sertika.example.go.id/v/" + strings.ToLower(short), tok},
		{"https://x/V/y/v/" + tok, tok},
		{short, tok},
		{strings.ToLower(short), tok},
		{"s1." + short[3:], tok},
		{"https://x/v/", ""},
		{"/v", ""},
		{"a.b", ""},
		{"a.b.c.d", ""},
		{"a.b\x00.c", ""},
		{"a.bé.c", ""},
		{"https://x/v/a.b c.d", ""},
		{strings.Repeat("a", MaxTokenLength-3) + ".b.c", ""},
		{"S1." + short, ""},
		{"S1" + short[2:], tok},
	} {
		got, err := Normalize(tt.in)
		if (err != nil) != (tt.want == "") || (err == nil && got != tt.want) {
			t.Errorf("Normalize(%.60q) = %.60q, %v; want %.60q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzNormalize holds Normalize to the upper-casing version it replaced, on ASCII input.
func FuzzNormalize(f *testing.F) {
	tok := mustSign(f, testClaim, "TESTKIDA", testKey)
	short, _ := Short(tok)
	for _, s := range []string{tok, short, "https://x/v/" + tok, "HTTPS://X/V/" + short, "/v//V/a.b.c", "s1.x", "/V/", "a.b.c", " /v/a.b.c "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for i := 0; i < len(in); i++ {
			if in[i] > 127 {
				return // upper-casing changed byte offsets of some non-ASCII letters: not comparable
			}
		}
		got, err := Normalize(in)
		want, werr := normalizeBefore(in)
		if got != want || (err == nil) != (werr == nil) {
			t.Errorf("Normalize(%q) = %q, %v; before: %q, %v", in, got, err, want, werr)
		}
	})
}
