package keys_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/verifier"
)

var ctx = context.Background()

// stream is deterministic entropy that also remembers what it handed out, so a test can
// look for the private key's bytes where they must not be.
type stream struct {
	mu     sync.Mutex
	n      uint64
	served [][]byte
}

func (s *stream) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ctr [8]byte
	binary.BigEndian.PutUint64(ctr[:], s.n)
	s.n++
	sum := sha256.Sum256(append([]byte("keys test"), ctr[:]...))
	n := copy(p, sum[:])
	s.served = append(s.served, append([]byte(nil), p[:n]...))
	return n, nil
}

// events records key events as the issuance log would, in the caller's transaction.
type events struct {
	mu   sync.Mutex
	list []keys.Event
	fail error
}

func (e *events) log(tx *gorm.DB, ev keys.Event) error {
	if tx == nil {
		return errors.New("no transaction")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail != nil {
		return e.fail
	}
	e.list = append(e.list, ev)
	return nil
}

func (e *events) actions() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.list {
		out = append(out, ev.Action+" "+ev.KID)
	}
	return out
}

func newStore(t *testing.T, db *database.DB, opt keys.Options) (*keys.Store, string, *stream) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	s := &stream{}
	if opt.Random == nil {
		opt.Random = s
	}
	return keys.NewStore(db, dir, opt), dir, s
}

func assertCode(t *testing.T, err error, want apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != want {
		t.Fatalf("error code %q, want %q (err: %v)", got, want, err)
	}
}

// RFC 8037 §A.3 computes the RFC 7638 thumbprint of the Ed25519 key of §A.1/A.2.
func TestThumbprintRFC8037(t *testing.T) {
	x := "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	pub, err := base64.RawURLEncoding.DecodeString(x)
	if err != nil {
		t.Fatal(err)
	}
	got := base64.RawURLEncoding.EncodeToString(keys.Thumbprint(ed25519.PublicKey(pub)))
	if want := "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"; got != want {
		t.Errorf("thumbprint %s, want %s", got, want)
	}
	// The private key of RFC 8037 §A.1 gives that public key.
	d, _ := base64.RawURLEncoding.DecodeString("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
	if pk := ed25519.NewKeyFromSeed(d).Public().(ed25519.PublicKey); !bytes.Equal(pk, pub) {
		t.Errorf("RFC 8037 key pair mismatch")
	}
	kid := keys.KID(ed25519.PublicKey(pub))
	if len(kid) != 8 || strings.Trim(kid, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		t.Errorf("kid %q: want 8 base32 characters", kid)
	}
	// kid is the first 8 characters of the base32 thumbprint (checked independently with
	// Python: base64.b32encode(sha256(canonical JWK))[:8]).
	if want := "SD5MV7VJ"; kid != want {
		t.Errorf("kid %s, want %s", kid, want)
	}
}

func TestGenerate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ev := &events{}
		ks, dir, rnd := newStore(t, db, keys.Options{})
		k, err := ks.Generate(ctx, false, ev.log)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "signing-"+k.KID+".pem")

		t.Run("file", func(t *testing.T) {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
			}
			if dst, _ := os.Stat(dir); dst.Mode().Perm() != 0o700 {
				t.Errorf("key directory mode %v, want 0700", dst.Mode().Perm())
			}
			raw, _ := os.ReadFile(path)
			block, rest := pem.Decode(raw)
			if block == nil || block.Type != "PRIVATE KEY" || len(bytes.TrimSpace(rest)) != 0 {
				t.Fatalf("PEM block %+v", block)
			}
			priv, err := keys.ReadPrivateKey(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			pub := priv.Public().(ed25519.PublicKey)
			if keys.KID(pub) != k.KID || base64.RawURLEncoding.EncodeToString(pub) != k.PublicKey {
				t.Errorf("file key %s, record %s", keys.KID(pub), k.KID)
			}
			if !bytes.Equal(priv.Seed(), rnd.served[0]) {
				t.Error("key is not made from the store's entropy")
			}
		})
		t.Run("record", func(t *testing.T) {
			got, err := ks.Get(ctx, k.KID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != keys.StateActive || got.PublicKey != k.PublicKey || got.FileName != "signing-"+k.KID+".pem" ||
				!got.ValidFrom.Equal(k.ValidFrom) || got.RetiredAt != nil || got.CompromisedAt != nil {
				t.Errorf("record %+v", got)
			}
			pub, err := got.Public()
			if err != nil || keys.KID(pub) != k.KID {
				t.Errorf("public key %v %v", pub, err)
			}
			active, err := ks.Active(ctx, db.Gorm)
			if err != nil || active.KID != k.KID {
				t.Errorf("active %+v %v", active, err)
			}
			if got := ev.actions(); len(got) != 1 || got[0] != "key.generate "+k.KID {
				t.Errorf("events %v", got)
			}
		})
		t.Run("private key never in the database", func(t *testing.T) {
			priv, err := keys.ReadPrivateKey(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(path)
			block, _ := pem.Decode(raw)
			secrets := map[string][]byte{"seed": priv.Seed(), "private key": priv, "PKCS#8": block.Bytes}
			var needles []string
			for _, b := range secrets {
				needles = append(needles, base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
					base64.RawURLEncoding.EncodeToString(b), hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)), string(b))
			}
			needles = append(needles, strings.TrimSpace(string(raw)), "PRIVATE KEY")
			rows, err := db.Gorm.Raw("SELECT * FROM signing_keys").Rows()
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			n := 0
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				for i, v := range vals {
					var text string
					switch x := v.(type) {
					case string:
						text = x
					case []byte:
						text = string(x)
					default:
						text = fmt.Sprint(x)
					}
					for _, needle := range needles {
						if len(needle) >= 8 && strings.Contains(text, needle) {
							t.Errorf("column %s holds private key material", cols[i])
						}
					}
				}
				n++
			}
			if n != 1 {
				t.Errorf("%d rows scanned", n)
			}
		})
	})
}

func TestGenerateTwiceNeedsRotate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ev := &events{}
		ks, dir, _ := newStore(t, db, keys.Options{})
		k1, err := ks.Generate(ctx, false, ev.log)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ks.Generate(ctx, false, ev.log)
		assertCode(t, err, apperr.CodeConflict)
		if !strings.Contains(apperr.As(err).Message, k1.KID) || !strings.Contains(apperr.As(err).Message, "rotate") {
			t.Errorf("message %q", apperr.As(err).Message)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
		list, _ := ks.List(ctx)
		if len(files) != 1 || len(list) != 1 || list[0].State != keys.StateActive {
			t.Errorf("after refusal: files %v, keys %+v", files, list)
		}
		if got := ev.actions(); len(got) != 1 {
			t.Errorf("events %v", got)
		}
	})
}

func TestRotate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ev := &events{}
		ks, dir, _ := newStore(t, db, keys.Options{})
		k1, err := ks.Generate(ctx, true, ev.log) // rotate with no active key just generates
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct created_at, for the list order
		k2, err := ks.Generate(ctx, true, ev.log)
		if err != nil {
			t.Fatal(err)
		}
		old, _ := ks.Get(ctx, k1.KID)
		if old.State != keys.StateRetired || old.RetiredAt == nil || old.RetiredAt.Before(old.ValidFrom) {
			t.Errorf("old key %+v", old)
		}
		active, err := ks.Active(ctx, db.Gorm)
		if err != nil || active.KID != k2.KID {
			t.Errorf("active %+v %v", active, err)
		}
		list, _ := ks.List(ctx)
		if len(list) != 2 || list[0].KID != k2.KID || list[1].KID != k1.KID {
			t.Errorf("list %+v, want newest first", list)
		}
		want := []string{"key.generate " + k1.KID, "key.retire " + k1.KID, "key.generate " + k2.KID}
		if got := ev.actions(); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("events %v, want %v", got, want)
		}
		// Both files stay: the old one is needed by nobody but kept for the operator.
		for _, k := range []keys.Key{k1, k2} {
			if _, err := os.Stat(filepath.Join(dir, k.FileName)); err != nil {
				t.Error(err)
			}
		}
	})
}

func TestGenerateFailuresLeaveNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		t.Run("log fails", func(t *testing.T) {
			ev := &events{fail: errors.New("log broken")}
			ks, dir, _ := newStore(t, db, keys.Options{})
			_, err := ks.Generate(ctx, false, ev.log)
			assertCode(t, err, apperr.CodeInternal)
			files, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
			list, _ := ks.List(ctx)
			if len(files) != 0 || len(list) != 0 {
				t.Errorf("after a failed generate: files %v, keys %+v", files, list)
			}
		})
		t.Run("entropy fails", func(t *testing.T) {
			ks, dir, _ := newStore(t, db, keys.Options{Random: bytes.NewReader([]byte{1, 2, 3})})
			if _, err := ks.Generate(ctx, false, nil); err == nil {
				t.Fatal("generate with short entropy succeeded")
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
			if len(files) != 0 {
				t.Errorf("files %v", files)
			}
		})
		t.Run("no active key", func(t *testing.T) {
			ks, _, _ := newStore(t, db, keys.Options{})
			_, err := ks.Active(ctx, db.Gorm)
			assertCode(t, err, apperr.CodeNotFound)
			_, err = ks.Get(ctx, "NOSUCHKY")
			assertCode(t, err, apperr.CodeNotFound)
		})
	})
}

func TestEncryptedKeyFile(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		pass := []byte("kata sandi yang panjang sekali")
		ks, dir, _ := newStore(t, db, keys.Options{Passphrase: pass})
		k, err := ks.Generate(ctx, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, k.FileName)
		raw, _ := os.ReadFile(path)
		if block, _ := pem.Decode(raw); block == nil || block.Type != "ENCRYPTED PRIVATE KEY" {
			t.Fatalf("PEM block %+v", block)
		}
		t.Run("without passphrase", func(t *testing.T) {
			_, err := keys.ReadPrivateKey(path, nil)
			if err == nil || !strings.Contains(err.Error(), "encrypted") || !strings.Contains(err.Error(), "SERTIKA_KEY_PASSPHRASE") {
				t.Errorf("err %v, want a hint to set SERTIKA_KEY_PASSPHRASE", err)
			}
		})
		t.Run("wrong passphrase", func(t *testing.T) {
			_, err := keys.ReadPrivateKey(path, []byte("salah"))
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(strings.ToLower(err.Error()), "password") {
				t.Errorf("err %v, want one naming the file and the wrong password", err)
			}
			other := keys.NewStore(db, dir, keys.Options{Passphrase: []byte("salah")})
			if _, err := other.Signer(ctx, k); err == nil {
				t.Error("signer with a wrong passphrase succeeded")
			}
		})
		t.Run("right passphrase", func(t *testing.T) {
			priv, err := keys.ReadPrivateKey(path, pass)
			if err != nil || keys.KID(priv.Public().(ed25519.PublicKey)) != k.KID {
				t.Fatalf("read: %v", err)
			}
			signer, err := ks.Signer(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			msg := []byte("sertika")
			sig, err := signer.Sign(nil, msg, crypto.Hash(0))
			if err != nil || !ed25519.Verify(priv.Public().(ed25519.PublicKey), msg, sig) {
				t.Errorf("signature: %v", err)
			}
		})
		t.Run("unencrypted file needs no passphrase", func(t *testing.T) {
			p := writePEM(t, t.TempDir(), ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32)))
			if _, err := keys.ReadPrivateKey(p, pass); err != nil {
				t.Errorf("plain file with a passphrase set: %v", err)
			}
		})
		t.Run("not a key", func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "junk.pem")
			os.WriteFile(p, []byte("hello"), 0o600)
			if _, err := keys.ReadPrivateKey(p, nil); err == nil || !strings.Contains(err.Error(), "no PEM block") {
				t.Errorf("junk: %v", err)
			}
			os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), 0o600)
			if _, err := keys.ReadPrivateKey(p, nil); err == nil || !strings.Contains(err.Error(), "unexpected PEM block") {
				t.Errorf("certificate block: %v", err)
			}
			if _, err := keys.ReadPrivateKey(filepath.Join(t.TempDir(), "missing.pem"), nil); err == nil {
				t.Error("missing file read")
			}
		})
	})
}

// writePEM writes priv as an unencrypted PKCS#8 PEM file.
func writePEM(t *testing.T, dir string, priv ed25519.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "plain.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSignerRefusals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ks, dir, _ := newStore(t, db, keys.Options{})
		k1, err := ks.Generate(ctx, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ks.Signer(ctx, k1); err != nil {
			t.Fatalf("active key: %v", err)
		}
		k2, err := ks.Generate(ctx, true, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("retired", func(t *testing.T) {
			old, _ := ks.Get(ctx, k1.KID)
			_, err := ks.Signer(ctx, old)
			assertCode(t, err, apperr.CodeConflict)
		})
		t.Run("compromised", func(t *testing.T) {
			if err := ks.Compromised(ctx, k1.KID, db.Now().Add(-time.Hour), nil); err != nil {
				t.Fatal(err)
			}
			old, _ := ks.Get(ctx, k1.KID)
			_, err := ks.Signer(ctx, old)
			assertCode(t, err, apperr.CodeConflict)
		})
		t.Run("file holds another key", func(t *testing.T) {
			// The operator pointed SERTIKA_SIGNING_KEY_FILE at the old key's file.
			wrong := keys.NewStore(db, dir, keys.Options{KeyFile: filepath.Join(dir, k1.FileName)})
			_, err := wrong.Signer(ctx, k2)
			if err == nil || !strings.Contains(err.Error(), "does not hold key "+k2.KID) {
				t.Errorf("err %v", err)
			}
			// A file renamed to the active key's name is caught too.
			mustRename(t, filepath.Join(dir, k2.FileName), filepath.Join(dir, k2.FileName+".orig"))
			copyFile(t, filepath.Join(dir, k1.FileName), filepath.Join(dir, k2.FileName))
			_, err = ks.Signer(ctx, k2)
			if err == nil || !strings.Contains(err.Error(), "does not hold key") {
				t.Errorf("err %v", err)
			}
			mustRename(t, filepath.Join(dir, k2.FileName+".orig"), filepath.Join(dir, k2.FileName))
		})
		t.Run("key file override", func(t *testing.T) {
			elsewhere := filepath.Join(t.TempDir(), "secret.pem")
			copyFile(t, filepath.Join(dir, k2.FileName), elsewhere)
			os.Remove(filepath.Join(dir, k2.FileName))
			over := keys.NewStore(db, dir, keys.Options{KeyFile: elsewhere})
			if _, err := over.Signer(ctx, k2); err != nil {
				t.Errorf("override: %v", err)
			}
			if _, err := ks.Signer(ctx, k2); err == nil {
				t.Error("signer without the file succeeded")
			}
		})
	})
}

func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRetireAndCompromised(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ev := &events{}
		ks, _, _ := newStore(t, db, keys.Options{})
		k1, err := ks.Generate(ctx, false, ev.log)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("retire", func(t *testing.T) {
			if err := ks.Retire(ctx, k1.KID, ev.log); err != nil {
				t.Fatal(err)
			}
			got, _ := ks.Get(ctx, k1.KID)
			if got.State != keys.StateRetired || got.RetiredAt == nil {
				t.Errorf("retired %+v", got)
			}
			assertCode(t, ks.Retire(ctx, k1.KID, ev.log), apperr.CodeConflict)
			assertCode(t, ks.Retire(ctx, "NOSUCHKY", ev.log), apperr.CodeNotFound)
			_, err := ks.Active(ctx, db.Gorm)
			assertCode(t, err, apperr.CodeNotFound)
		})
		k2, err := ks.Generate(ctx, false, ev.log) // no active key: no rotate needed
		if err != nil {
			t.Fatal(err)
		}
		t.Run("compromised in the future refused", func(t *testing.T) {
			err := ks.Compromised(ctx, k2.KID, time.Now().Add(time.Hour), ev.log)
			assertCode(t, err, apperr.CodeInvalid)
			if got, _ := ks.Get(ctx, k2.KID); got.State != keys.StateActive {
				t.Errorf("state %s", got.State)
			}
			assertCode(t, ks.Compromised(ctx, "NOSUCHKY", time.Now(), ev.log), apperr.CodeNotFound)
		})
		since := time.Now().Add(-time.Hour).Truncate(time.Second).In(time.FixedZone("WIB", 7*3600))
		t.Run("compromised active key", func(t *testing.T) {
			if err := ks.Compromised(ctx, k2.KID, since, ev.log); err != nil {
				t.Fatal(err)
			}
			got, _ := ks.Get(ctx, k2.KID)
			if got.State != keys.StateCompromised || got.CompromisedAt == nil || !got.CompromisedAt.Equal(since) || got.RetiredAt == nil {
				t.Errorf("compromised %+v", got)
			}
			_, err := ks.Active(ctx, db.Gorm)
			assertCode(t, err, apperr.CodeNotFound)
		})
		t.Run("compromised retired key keeps its retirement", func(t *testing.T) {
			before, _ := ks.Get(ctx, k1.KID)
			if err := ks.Compromised(ctx, k1.KID, since, ev.log); err != nil {
				t.Fatal(err)
			}
			got, _ := ks.Get(ctx, k1.KID)
			if got.State != keys.StateCompromised || !got.RetiredAt.Equal(*before.RetiredAt) {
				t.Errorf("compromised retired key %+v", got)
			}
		})
		t.Run("leak date only moves earlier", func(t *testing.T) {
			assertCode(t, ks.Compromised(ctx, k2.KID, since, ev.log), apperr.CodeConflict)
			assertCode(t, ks.Compromised(ctx, k2.KID, since.Add(time.Minute), ev.log), apperr.CodeConflict)
			earlier := since.Add(-time.Hour)
			if err := ks.Compromised(ctx, k2.KID, earlier, ev.log); err != nil {
				t.Fatal(err)
			}
			if got, _ := ks.Get(ctx, k2.KID); !got.CompromisedAt.Equal(earlier) {
				t.Errorf("compromised at %v, want %v", got.CompromisedAt, earlier)
			}
		})
		t.Run("events", func(t *testing.T) {
			want := []string{"key.generate " + k1.KID, "key.retire " + k1.KID, "key.generate " + k2.KID,
				"key.compromised " + k2.KID, "key.compromised " + k1.KID, "key.compromised " + k2.KID}
			if got := ev.actions(); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("events %v, want %v", got, want)
			}
			for _, e := range ev.list {
				if e.Action == "key.compromised" && !strings.HasPrefix(e.Detail, "since ") {
					t.Errorf("detail %q", e.Detail)
				}
			}
		})
	})
}

func TestJWKS(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ks, _, _ := newStore(t, db, keys.Options{})
		empty, err := ks.JWKS(ctx)
		if err != nil || empty.Keys == nil || len(empty.Keys) != 0 {
			t.Errorf("empty set %+v %v (want an empty, non-null list)", empty, err)
		}
		k1, _ := ks.Generate(ctx, false, nil)
		time.Sleep(2 * time.Millisecond)
		k2, _ := ks.Generate(ctx, true, nil)
		time.Sleep(2 * time.Millisecond)
		k3, _ := ks.Generate(ctx, true, nil)
		since := time.Now().Add(-time.Minute)
		if err := ks.Compromised(ctx, k2.KID, since, nil); err != nil {
			t.Fatal(err)
		}
		set, err := ks.JWKS(ctx)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(set)
		parsed, err := verifier.ParseJWKS(raw)
		if err != nil || len(parsed.Keys) != 3 {
			t.Fatalf("published set does not parse back: %v\n%s", err, raw)
		}
		states := map[string]string{k1.KID: keys.StateRetired, k2.KID: keys.StateCompromised, k3.KID: keys.StateActive}
		for _, k := range []keys.Key{k1, k2, k3} {
			j, ok := parsed.Find(k.KID)
			if !ok {
				t.Fatalf("%s missing", k.KID)
			}
			if j.Kty != "OKP" || j.Crv != "Ed25519" || j.Alg != "EdDSA" || j.Use != "sig" || j.X != k.PublicKey || j.State != states[k.KID] {
				t.Errorf("jwk %+v", j)
			}
			if !j.ValidFrom.Equal(k.ValidFrom) || j.ValidFrom.Location() != time.UTC {
				t.Errorf("%s valid from %v, want %v in UTC", k.KID, j.ValidFrom, k.ValidFrom)
			}
			pub, err := j.Public()
			if err != nil || keys.KID(pub) != k.KID {
				t.Errorf("%s: kid is not the thumbprint of x", k.KID)
			}
		}
		if j, _ := parsed.Find(k1.KID); j.RetiredAt == nil || j.CompromisedAt != nil {
			t.Errorf("retired key dates %+v", j)
		}
		if j, _ := parsed.Find(k2.KID); j.RetiredAt == nil || j.CompromisedAt == nil || !j.CompromisedAt.Equal(database.UTC(since)) {
			t.Errorf("compromised key dates %+v", j)
		}
		if j, _ := parsed.Find(k3.KID); j.RetiredAt != nil || j.CompromisedAt != nil {
			t.Errorf("active key dates %+v", j)
		}
		for _, member := range []string{`"sertika_state"`, `"sertika_valid_from"`, `"sertika_retired_at"`, `"sertika_compromised_at"`} {
			if !strings.Contains(string(raw), member) {
				t.Errorf("JWKS lacks %s", member)
			}
		}
		if strings.Contains(string(raw), `"d"`) {
			t.Error("JWKS holds a private member")
		}
	})
}

// TestConcurrentGenerate: two first starts at once end with exactly one active key.
func TestConcurrentGenerate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		dir := t.TempDir()
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ks := keys.NewStore(db, dir, keys.Options{})
				_, errs[i] = ks.Generate(ctx, false, nil)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			}
		}
		var active int64
		db.Gorm.Model(&keys.Key{}).Where("state = ?", keys.StateActive).Count(&active)
		files, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
		if ok != 1 || active != 1 || len(files) != 1 {
			t.Errorf("%d succeeded (%v), %d active, files %v; want exactly one of each", ok, errs, active, files)
		}
	})
}
