package verifier

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	mathrand "math/rand/v2"
	"strings"
	"testing"
	"time"
)

var listAt = issuedAt.Add(48 * time.Hour)

// revokedEntries: index 1 and 1000, and the test claim's certificate at index 7.
var revokedEntries = []StatusEntry{{1000, "ZZZZZZZZZZZZZZZZ"}, {7, testClaim.ID}, {1, "AAAAAAAAAAAAAAAA"}}

func mustStatusList(t *testing.T, entries []StatusEntry, key ed25519.PrivateKey, kid string) string {
	t.Helper()
	jws, err := SignStatusList("TIDORE", listAt, listAt.Add(72*time.Hour), 1001, entries, kid, key)
	if err != nil {
		t.Fatal(err)
	}
	return jws
}

func TestStatusListRoundTrip(t *testing.T) {
	jws := mustStatusList(t, revokedEntries, testKey, "TESTKIDA")
	if again := mustStatusList(t, revokedEntries, testKey, "TESTKIDA"); again != jws {
		t.Error("the same list signed twice differs")
	}
	l, err := ParseStatusList(jws, testSet)
	if err != nil {
		t.Fatal(err)
	}
	if l.Issuer != "TIDORE" || l.KID != "TESTKIDA" || !l.IssuedAt.Equal(listAt) || !l.Expires.Equal(listAt.Add(72*time.Hour)) ||
		l.Size != 1008 || l.Count() != 3 {
		t.Errorf("list = %+v", l)
	}
	for i := int64(-1); i < 1100; i++ {
		want := i == 1 || i == 7 || i == 1000
		if l.Revoked(i) != want {
			t.Errorf("Revoked(%d) = %v", i, !want)
		}
	}
	if !l.RevokedID(testClaim.ID) || !l.RevokedID(strings.ToLower(testClaim.ID)) || l.RevokedID("BBBBBBBBBBBBBBBB") {
		t.Error("RevokedID is wrong")
	}
	if got := strings.Join(l.IDs(), ","); got != "AAAAAAAAAAAAAAAA,"+testClaim.ID+",ZZZZZZZZZZZZZZZZ" {
		t.Errorf("IDs = %s", got)
	}
	// The header names the type, so a status list is never mistaken for a certificate token.
	h, _ := base64.RawURLEncoding.DecodeString(strings.Split(jws, ".")[0])
	if string(h) != `{"alg":"EdDSA","kid":"TESTKIDA","typ":"sertika-status+jwt"}` {
		t.Errorf("header = %s", h)
	}
	if res := Verify(context.Background(), jws, testSet, nil); res.Status != StatusInvalid {
		t.Errorf("a status list verified as a certificate: %s", res.Status)
	}
	// An empty list is a list.
	empty, err := SignStatusList("TIDORE", listAt, time.Time{}, 0, nil, "TESTKIDA", testKey)
	if err != nil {
		t.Fatal(err)
	}
	if l, err := ParseStatusList(empty, testSet); err != nil || l.Count() != 0 || l.Revoked(0) || !l.Expires.IsZero() {
		t.Errorf("empty list: %+v, %v", l, err)
	}
}

// A million certificates with a thousand revoked stay small.
func TestStatusListSize(t *testing.T) {
	var entries []StatusEntry
	r := mathrand.New(mathrand.NewPCG(3, 4))
	for i := 0; i < 1000; i++ {
		id := make([]byte, 10) // random, as real certificate ids are
		for j := range id {
			id[j] = byte(r.Uint32())
		}
		s, _ := NewCertificateID(id)
		entries = append(entries, StatusEntry{Index: int64(i) * 997, ID: s})
	}
	jws, err := SignStatusList("TIDORE", listAt, listAt.Add(time.Hour), 1_000_000, entries, "TESTKIDA", testKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(jws) > 24<<10 {
		t.Errorf("status list of 1,000,000 certificates, 1,000 revoked, is %d bytes", len(jws))
	}
	l, err := ParseStatusList(jws, testSet)
	if err != nil || l.Count() != 1000 || !l.Revoked(997*999) || l.Revoked(997*999+1) {
		t.Fatalf("parse: %v", err)
	}
	t.Logf("1,000,000 certificates, 1,000 revoked: %d bytes", len(jws))
}

func TestSignStatusListRejects(t *testing.T) {
	for name, entries := range map[string][]StatusEntry{
		"index too large":   {{2000, testClaim.ID}},
		"negative index":    {{-1, testClaim.ID}},
		"bad id":            {{3, "abc"}},
		"index twice":       {{3, testClaim.ID}, {3, "AAAAAAAAAAAAAAAA"}},
		"certificate twice": {{3, testClaim.ID}, {4, testClaim.ID}},
	} {
		if _, err := SignStatusList("TIDORE", listAt, listAt.Add(time.Hour), 1001, entries, "TESTKIDA", testKey); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
	if _, err := SignStatusList("TIDORE", listAt, listAt.Add(-time.Hour), 10, nil, "TESTKIDA", testKey); err == nil {
		t.Error("signed a list that expires before it was issued")
	}
}

// resign rebuilds a list with an edited payload and header, signed with key.
func resign(t *testing.T, header string, payload map[string]any, key ed25519.PrivateKey) string {
	t.Helper()
	p, _ := json.Marshal(payload)
	in := b64([]byte(header)) + "." + b64(p)
	return in + "." + b64(ed25519.Sign(key, []byte(in)))
}

func payloadOf(t *testing.T, jws string) map[string]any {
	t.Helper()
	b, _ := base64.RawURLEncoding.DecodeString(strings.Split(jws, ".")[1])
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseStatusListRefuses(t *testing.T) {
	good := mustStatusList(t, revokedEntries, testKey, "TESTKIDA")
	parts := strings.Split(good, ".")
	hdr := `{"alg":"EdDSA","kid":"TESTKIDA","typ":"sertika-status+jwt"}`
	// The payload with the test certificate taken off the list, but the old signature.
	unrevoked := payloadOf(t, mustStatusList(t, []StatusEntry{{1000, "ZZZZZZZZZZZZZZZZ"}, {1, "AAAAAAAAAAAAAAAA"}}, testKey, "TESTKIDA"))
	unrevokedB, _ := json.Marshal(unrevoked)
	with := func(edit func(m map[string]any)) string {
		m := payloadOf(t, good)
		edit(m)
		return resign(t, hdr, m, testKey)
	}
	gz := func(b []byte) string {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return b64(buf.Bytes())
	}
	compromisedAt := listAt.Add(-time.Hour)
	compromised := JWKS{Keys: []JWK{testSet.Keys[0]}}
	compromised.Keys[0].CompromisedAt = &compromisedAt
	retiredAt := listAt.Add(-time.Hour)
	retired := JWKS{Keys: []JWK{testSet.Keys[0]}}
	retired.Keys[0].RetiredAt = &retiredAt

	tests := []struct {
		name string
		jws  string
		set  JWKS
	}{
		{"tampered payload (certificate taken off)", parts[0] + "." + b64(unrevokedB) + "." + parts[2], testSet},
		{"tampered signature", parts[0] + "." + parts[1] + "." + b64(bytes.Repeat([]byte{1}, 64)), testSet},
		{"wrong key under the right kid", mustStatusList(t, revokedEntries, otherKey, "TESTKIDA"), testSet},
		{"unknown kid", mustStatusList(t, revokedEntries, otherKey, "OTHERKID"), testSet},
		{"alg none", b64([]byte(`{"alg":"none","kid":"TESTKIDA","typ":"sertika-status+jwt"}`)) + "." + parts[1] + ".", testSet},
		{"HS256", hs256(t, `{"alg":"HS256","kid":"TESTKIDA","typ":"sertika-status+jwt"}`, parts[1], []byte(testKey.Public().(ed25519.PublicKey))), testSet},
		{"certificate token", mustSign(t, testClaim, "TESTKIDA", testKey), testSet},
		{"no typ", resign(t, `{"alg":"EdDSA","kid":"TESTKIDA"}`, payloadOf(t, good), testKey), testSet},
		{"key compromised before the list", good, compromised},
		{"key retired before the list", good, retired},
		{"count disagrees with the bits", with(func(m map[string]any) { m["count"] = 2 }), testSet},
		{"ids not sorted", with(func(m map[string]any) {
			m["ids"] = gz([]byte("ZZZZZZZZZZZZZZZZ" + testClaim.ID + "AAAAAAAAAAAAAAAA"))
		}), testSet},
		{"bits shorter than size", with(func(m map[string]any) { m["bits"] = gz(make([]byte, 10)) }), testSet},
		{"gzip bomb in the bits", with(func(m map[string]any) { m["bits"] = gz(make([]byte, 4<<20)) }), testSet},
		{"bits not gzip", with(func(m map[string]any) { m["bits"] = b64([]byte("plain")) }), testSet},
		{"size not whole bytes", with(func(m map[string]any) { m["size"] = 1001 }), testSet},
		{"size too large", with(func(m map[string]any) { m["size"] = MaxStatusListBits * 2 }), testSet},
		{"no issuer", with(func(m map[string]any) { delete(m, "iss") }), testSet},
		{"expires before issue", with(func(m map[string]any) { m["exp"] = m["iat"].(float64) - 1 }), testSet},
		{"garbage", strings.Repeat("x.", 3), testSet},
		{"empty", "", testSet},
		{"too long", strings.Repeat("A", MaxStatusListLength+1), testSet},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseStatusList(tc.jws, tc.set)
			if err == nil || !errors.Is(err, ErrStatusList) || l != nil {
				t.Fatalf("ParseStatusList = %+v, %v; want refused", l, err)
			}
		})
	}
}

func TestApplyStatusList(t *testing.T) {
	ctx := context.Background()
	good := mustSign(t, testClaim, "TESTKIDA", testKey)
	offline := Verify(ctx, good, testSet, nil)
	parse := func(entries []StatusEntry, issuer string, at time.Time) *StatusList {
		jws, err := SignStatusList(issuer, at, at.Add(72*time.Hour), 1001, entries, "TESTKIDA", testKey)
		if err != nil {
			t.Fatal(err)
		}
		l, err := ParseStatusList(jws, testSet)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	listed := parse(revokedEntries, "TIDORE", listAt)
	clear := parse(revokedEntries[:1], "TIDORE", listAt)
	now := listAt.Add(time.Hour)
	tests := []struct {
		name    string
		res     Result
		list    *StatusList
		now     time.Time
		want    Status
		checked bool
	}{
		{"listed: revoked", offline, listed, now, StatusRevoked, true},
		{"listed, even in an expired list", offline, listed, now.Add(30 * 24 * time.Hour), StatusRevoked, true},
		{"not listed: valid and checked", offline, clear, now, StatusValid, true},
		{"expired list: valid but unchecked", offline, clear, now.Add(72 * time.Hour), StatusValid, false},
		{"list from the future", offline, clear, listAt.Add(-time.Hour), StatusValid, false},
		{"list older than the certificate", offline, parse(nil, "TIDORE", issuedAt.Add(-time.Hour)), issuedAt.Add(time.Hour), StatusValid, false},
		{"list of another issuer", offline, parse(revokedEntries, "TERNATE", listAt), now, StatusValid, false},
		{"invalid stays invalid", Verify(ctx, good[:len(good)-4], testSet, nil), listed, now, StatusInvalid, false},
		{"unknown key stays so", Verify(ctx, mustSign(t, testClaim, "OTHERKID", otherKey), testSet, nil), clear, now, StatusUnknownKey, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := ApplyStatusList(tc.res, tc.list, tc.now)
			if res.Status != tc.want || res.StatusChecked != tc.checked {
				t.Fatalf("status %s checked %v, want %s %v (%+v)", res.Status, res.StatusChecked, tc.want, tc.checked, res.Checks)
			}
			n := 0
			for _, c := range res.Checks {
				if c.Name == CheckStatus {
					n++
					if c.OK != (tc.checked && tc.want == StatusValid) {
						t.Errorf("status check %+v", c)
					}
				}
			}
			if tc.res.Status == StatusValid && n != 1 {
				t.Errorf("%d status checks, want 1: %+v", n, res.Checks)
			}
		})
	}
}
