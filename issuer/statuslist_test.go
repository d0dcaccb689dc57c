package issuer

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/verifier"
)

// Tests of the published status list: what it says after revocations and re-issues, who
// signs it, and what it reveals.

func (w *issuanceWorld) statusList(t *testing.T) (*SignedStatusList, *verifier.StatusList) {
	t.Helper()
	signed, err := w.iss.StatusList(bg)
	if err != nil {
		t.Fatalf("StatusList: %v", err)
	}
	l, err := verifier.ParseStatusList(signed.JWS, w.jwks(t))
	if err != nil {
		t.Fatalf("ParseStatusList: %v", err)
	}
	return signed, l
}

func TestStatusList(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)

		t.Run("before any certificate", func(t *testing.T) {
			signed, l := w.statusList(t)
			if l.Count() != 0 || l.Size != 8 || !signed.Modified.IsZero() || l.Issuer != "TIDORE" {
				t.Errorf("empty list: %+v %+v", signed, l)
			}
		})

		ids := w.verifiedN(t, 2)
		a := w.mustIssue(t, ids[0]).Certificates
		b := w.mustIssue(t, ids[1]).Certificates
		all := append(slices.Clone(a), b...)
		w.clock.Add(time.Hour)

		t.Run("nothing revoked", func(t *testing.T) {
			signed, l := w.statusList(t)
			if l.Count() != 0 || signed.Revoked != 0 {
				t.Errorf("%d revoked", l.Count())
			}
			maxIndex := int64(0)
			for _, c := range all {
				maxIndex = max(maxIndex, c.StatusIndex)
				if l.Revoked(c.StatusIndex) || l.RevokedID(c.ID) {
					t.Errorf("certificate %s listed as revoked", c.Number)
				}
			}
			if l.Size <= maxIndex || l.Size%8 != 0 {
				t.Errorf("size %d does not cover status index %d", l.Size, maxIndex)
			}
			if !signed.IssuedAt.Equal(w.clock.Now()) || !l.IssuedAt.Equal(signed.IssuedAt) ||
				!signed.Expires.Equal(signed.IssuedAt.Add(StatusListValidity)) || !l.Expires.Equal(signed.Expires) {
				t.Errorf("times: signed %+v, parsed iat %s exp %s", signed, l.IssuedAt, l.Expires)
			}
			if !signed.Modified.Equal(b[len(b)-1].CreatedAt.UTC()) {
				t.Errorf("Modified = %s, want the last issuance %s", signed.Modified, b[len(b)-1].CreatedAt)
			}
			// Ed25519 is deterministic: the same state at the same second is the same document,
			// which HTTP caches and ETags can rely on.
			if again, _ := w.iss.StatusList(bg); again.JWS != signed.JWS {
				t.Error("two lists of the same state and time differ")
			}
		})

		revoked, err := w.iss.Revoke(bg, w.signer, a[0].ID, ReasonFraud, "Dokumen pendukung palsu")
		if err != nil {
			t.Fatal(err)
		}
		w.clock.Add(time.Minute)
		replacement, err := w.iss.Reissue(bg, w.signer, b[0].ID, "Perbaikan gelar")
		if err != nil {
			t.Fatal(err)
		}
		w.clock.Add(time.Minute)

		t.Run("after a revocation and a re-issue", func(t *testing.T) {
			signed, l := w.statusList(t)
			if l.Count() != 2 || signed.Revoked != 2 {
				t.Fatalf("%d revoked, want 2", l.Count())
			}
			want := []string{a[0].ID, b[0].ID}
			slices.Sort(want)
			if got := l.IDs(); !slices.Equal(got, want) {
				t.Errorf("ids %v, want %v", got, want)
			}
			for _, c := range append(all, *replacement) {
				gone := c.ID == a[0].ID || c.ID == b[0].ID
				if l.Revoked(c.StatusIndex) != gone || l.RevokedID(c.ID) != gone {
					t.Errorf("certificate %s (index %d): listed %v, want %v", c.Number, c.StatusIndex, l.Revoked(c.StatusIndex), gone)
				}
			}
			if !signed.Modified.Equal(replacement.CreatedAt.UTC()) || signed.Modified.Before(revoked.RevokedAt.UTC()) {
				t.Errorf("Modified = %s", signed.Modified)
			}
			// An offline verifier with the list reaches the issuer's own verdicts.
			set := w.jwks(t)
			for _, c := range []Certificate{a[0], b[0], a[1], *replacement} {
				offline := verifier.Verify(bg, w.iss.VerifyURL(&c), set, nil)
				got := verifier.ApplyStatusList(offline, l, w.clock.Now())
				online := w.verify(t, &c)
				if got.Status != online.Status || !got.StatusChecked {
					t.Errorf("certificate %s: with the status list %s (checked %v), online %s", c.Number, got.Status, got.StatusChecked, online.Status)
				}
			}
		})

		t.Run("holds nothing but indexes and ids", func(t *testing.T) {
			signed, _ := w.statusList(t)
			payload, err := base64.RawURLEncoding.DecodeString(strings.Split(signed.JWS, ".")[1])
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(payload, &m); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if got := strings.Join(keys, ","); got != "bits,count,exp,iat,ids,iss,size" {
				t.Errorf("payload members %s", got)
			}
			for _, c := range all {
				if strings.Contains(string(payload), c.NIP) {
					t.Error("the status list shows a NIP")
				}
			}
		})

		t.Run("signed by the active key after rotation", func(t *testing.T) {
			before, _ := w.statusList(t)
			oldSet := w.jwks(t)
			w.clock.Add(time.Hour)
			k2, err := w.ks.Generate(bg, true, KeyEventLogger(w.db, domain.System))
			if err != nil {
				t.Fatal(err)
			}
			w.clock.Add(time.Minute)
			signed, l := w.statusList(t)
			if l.KID != k2.KID || l.Count() != 2 {
				t.Errorf("list signed by %s with %d revoked, want %s", l.KID, l.Count(), k2.KID)
			}
			// A verifier holding only the old key set cannot accept the new list, and the old
			// list still parses against the new set (the retired key signed it while active).
			if _, err := verifier.ParseStatusList(signed.JWS, oldSet); !errors.Is(err, verifier.ErrStatusList) {
				t.Errorf("new list accepted with the old key set: %v", err)
			}
			if _, err := verifier.ParseStatusList(before.JWS, w.jwks(t)); err != nil {
				t.Errorf("old list refused with the new key set: %v", err)
			}
		})

		t.Run("no active key", func(t *testing.T) {
			k := w.activeKey(t)
			if err := w.ks.Retire(bg, k.KID, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := w.iss.StatusList(bg); err == nil {
				t.Error("a status list was signed without an active key")
			}
		})
	})
}
