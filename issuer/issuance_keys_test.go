package issuer

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/verifier"
)

// Tests of issuance across the signing keys' life (rotation, compromise) and of records
// edited behind the issuer's back.

func (w *issuanceWorld) activeKey(t testing.TB) keys.Key {
	t.Helper()
	k, err := w.ks.Active(bg, w.db.Gorm)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func checkOK(res verifier.Result, name string) (ok, found bool) {
	for _, c := range res.Checks {
		if c.Name == name {
			return c.OK, true
		}
	}
	return false, false
}

func TestKeyRotation(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		ids := w.verifiedN(t, 2)
		k1 := w.activeKey(t)
		old := w.mustIssue(t, ids[0]).Certificates[0]

		w.clock.Add(24 * time.Hour)
		k2, err := w.ks.Generate(bg, true, KeyEventLogger(w.db, domain.System))
		if err != nil {
			t.Fatal(err)
		}
		if k2.KID == k1.KID {
			t.Fatal("rotation made the same key")
		}
		set := w.jwks(t)
		j1, ok1 := set.Find(k1.KID)
		j2, ok2 := set.Find(k2.KID)
		if !ok1 || !ok2 || j1.State != keys.StateRetired || j1.RetiredAt == nil || j2.State != keys.StateActive {
			t.Fatalf("key set after rotation: %+v", set)
		}

		t.Run("certificate of the retired key still valid", func(t *testing.T) {
			res := w.verify(t, &old)
			if res.Status != verifier.StatusValid || res.KID != k1.KID {
				t.Errorf("verify: %s (kid %s) %+v", res.Status, res.KID, res.Checks)
			}
		})
		t.Run("new batch signed by the new key", func(t *testing.T) {
			b := w.mustIssue(t, ids[1])
			for _, c := range b.Certificates {
				if c.KID != k2.KID {
					t.Errorf("certificate %s signed by %s, want %s", c.Number, c.KID, k2.KID)
				}
				if res := w.verify(t, &c); res.Status != verifier.StatusValid {
					t.Errorf("verify %s: %s", c.Number, res.Status)
				}
			}
		})
		t.Run("re-issue uses the new key", func(t *testing.T) {
			c, err := w.iss.Reissue(bg, w.signer, old.ID, "Perbaikan gelar")
			if err != nil {
				t.Fatal(err)
			}
			if c.KID != k2.KID {
				t.Errorf("re-issued with %s", c.KID)
			}
			if res := w.verify(t, c); res.Status != verifier.StatusValid {
				t.Errorf("verify: %s", res.Status)
			}
		})
		t.Run("retired key no longer signs", func(t *testing.T) {
			k, _ := w.ks.Get(bg, k1.KID)
			_, err := w.ks.Signer(bg, k)
			assertCode(t, err, apperr.CodeConflict)
		})
		t.Run("key events logged", func(t *testing.T) {
			var actions []string
			for _, e := range w.logEntries(t) {
				if e.Object == "key:"+k1.KID || e.Object == "key:"+k2.KID {
					actions = append(actions, e.Action+" "+e.Object[4:])
				}
			}
			want := []string{"key.generate " + k1.KID, "key.retire " + k1.KID, "key.generate " + k2.KID}
			if len(actions) != 3 || actions[0] != want[0] || actions[1] != want[1] || actions[2] != want[2] {
				t.Errorf("key events %v, want %v", actions, want)
			}
			w.assertChain(t)
		})
		t.Run("token forged with a retired key after retirement", func(t *testing.T) {
			// A leaked retired key used later: iat after its retirement does not verify.
			priv, err := keys.ReadPrivateKey(filepath.Join(w.keyDir, "signing-"+k1.KID+".pem"), nil)
			if err != nil {
				t.Fatal(err)
			}
			claims := verifier.Claims{Issuer: "TIDORE", Subject: nipA1, ID: "AAAAAAAAAAAAAAAA", IssuedAt: w.clock.Now().Add(time.Hour).Unix(),
				JP: 24, Start: old.claims().Start, End: old.claims().End, Kind: "teknis", Digest: old.Digest}
			tok, err := verifier.Sign(claims, k1.KID, priv)
			if err != nil {
				t.Fatal(err)
			}
			if res := verifier.Verify(bg, tok, w.jwks(t), nil); res.Status != verifier.StatusInvalid {
				t.Errorf("forged after retirement: %s", res.Status)
			}
		})
	})
}

func TestCompromisedKey(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		ids := w.verifiedN(t, 3)
		k1 := w.activeKey(t)
		before := w.mustIssue(t, ids[0]).Certificates[0]
		w.clock.Add(24 * time.Hour)
		leak := w.clock.Now()
		at := w.mustIssue(t, ids[1]).Certificates[0] // issued exactly at the moment of the leak
		w.clock.Add(time.Hour)

		t.Run("future date refused", func(t *testing.T) {
			err := w.ks.Compromised(bg, k1.KID, w.clock.Now().Add(time.Minute), KeyEventLogger(w.db, domain.System))
			assertCode(t, err, apperr.CodeInvalid)
			if k, _ := w.ks.Get(bg, k1.KID); k.State != keys.StateActive {
				t.Errorf("state %s after a refused report", k.State)
			}
		})
		if err := w.ks.Compromised(bg, k1.KID, leak, KeyEventLogger(w.db, domain.System)); err != nil {
			t.Fatal(err)
		}

		t.Run("certificates at or after the leak", func(t *testing.T) {
			res := w.verify(t, &at)
			if res.Status != verifier.StatusKeyCompromised {
				t.Errorf("certificate issued at the leak: %s, want key_compromised", res.Status)
			}
			if ok, found := checkOK(res, verifier.CheckKey); !found || ok {
				t.Errorf("key check %+v", res.Checks)
			}
		})
		t.Run("certificates before the leak", func(t *testing.T) {
			if res := w.verify(t, &before); res.Status != verifier.StatusValid {
				t.Errorf("certificate issued before the leak: %s, want valid", res.Status)
			}
		})
		t.Run("no signing until a new key", func(t *testing.T) {
			st := w.state(t)
			_, err := w.iss.Issue(bg, w.signer, ids[2])
			assertCode(t, err, apperr.CodeNotFound)
			if after := w.state(t); after != st {
				t.Errorf("issue without a key wrote: %+v → %+v", st, after)
			}
			k2, err := w.ks.Generate(bg, false, KeyEventLogger(w.db, domain.System))
			if err != nil {
				t.Fatal(err)
			}
			b := w.mustIssue(t, ids[2])
			if b.Certificates[0].KID != k2.KID {
				t.Errorf("kid %s, want %s", b.Certificates[0].KID, k2.KID)
			}
			if res := w.verify(t, &b.Certificates[0]); res.Status != verifier.StatusValid {
				t.Errorf("new key's certificate: %s", res.Status)
			}
		})
		t.Run("re-issue replaces a distrusted certificate", func(t *testing.T) {
			c, err := w.iss.Reissue(bg, w.signer, at.ID, "Kunci bocor: diganti")
			if err != nil {
				t.Fatal(err)
			}
			if res := w.verify(t, c); res.Status != verifier.StatusValid {
				t.Errorf("replacement: %s", res.Status)
			}
		})
		t.Run("leak date only moves earlier", func(t *testing.T) {
			err := w.ks.Compromised(bg, k1.KID, leak.Add(time.Minute), KeyEventLogger(w.db, domain.System))
			assertCode(t, err, apperr.CodeConflict)
			if res := w.verify(t, &at); res.Status != verifier.StatusRevoked && res.Status != verifier.StatusKeyCompromised {
				t.Errorf("after a refused later date: %s", res.Status)
			}
			if err := w.ks.Compromised(bg, k1.KID, leak.Add(-48*time.Hour), KeyEventLogger(w.db, domain.System)); err != nil {
				t.Fatal(err)
			}
			if res := w.verify(t, &before); res.Status != verifier.StatusKeyCompromised {
				t.Errorf("certificate before the earlier leak date: %s", res.Status)
			}
		})
		w.assertChain(t)
	})
}

// TestRecordEditedBehindTheIssuer: the token's digest binds the whole stored record, so a row
// changed in the database no longer verifies.
func TestRecordEditedBehindTheIssuer(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		id := w.verifiedN(t, 1)[0]
		c := w.mustIssue(t, id).Certificates[0]
		for _, tc := range []struct{ column, value string }{
			{"holder_name", "Andi Wijaya, S.Pd., M.Pd."},
			{"title", "Pelatihan Kepemimpinan Nasional"},
			{"number", "800.1/9999/SERT/BKPSDM/2026"},
			{"signer_name", "Orang Lain"},
			{"place", "Ternate"},
		} {
			t.Run(tc.column, func(t *testing.T) {
				var orig string
				mustDo(t, w.db.Gorm.Raw("SELECT "+tc.column+" FROM certificates WHERE id = ?", c.ID).Scan(&orig).Error)
				mustDo(t, w.db.Gorm.Exec("UPDATE certificates SET "+tc.column+" = ? WHERE id = ?", tc.value, c.ID).Error)
				res := w.verify(t, &c)
				if res.Status != verifier.StatusInvalid {
					t.Errorf("verify after editing %s: %s, want invalid", tc.column, res.Status)
				}
				if ok, found := checkOK(res, verifier.CheckRecord); !found || ok {
					t.Errorf("record check %+v", res.Checks)
				}
				if ok, _ := checkOK(res, verifier.CheckSignature); !ok {
					t.Errorf("signature check should still pass: %+v", res.Checks)
				}
				mustDo(t, w.db.Gorm.Exec("UPDATE certificates SET "+tc.column+" = ? WHERE id = ?", orig, c.ID).Error)
				if res := w.verify(t, &c); res.Status != verifier.StatusValid {
					t.Errorf("verify after restoring %s: %s", tc.column, res.Status)
				}
			})
		}
		t.Run("jp", func(t *testing.T) {
			mustDo(t, w.db.Gorm.Exec("UPDATE certificates SET jp = 40 WHERE id = ?", c.ID).Error)
			if res := w.verify(t, &c); res.Status != verifier.StatusInvalid {
				t.Errorf("verify after editing jp: %s", res.Status)
			}
			mustDo(t, w.db.Gorm.Exec("UPDATE certificates SET jp = ? WHERE id = ?", c.JP, c.ID).Error)
		})
		t.Run("unknown certificate", func(t *testing.T) {
			st, err := w.iss.CertificateStatus(bg, "AAAAAAAAAAAAAAAA")
			if err != nil || st.Found {
				t.Errorf("status of an unknown id: %+v, %v", st, err)
			}
		})
	})
}
