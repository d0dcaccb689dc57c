// Package keys manages the Ed25519 keys that sign certificates. A private key lives only in
// a PKCS#8 PEM file under the data directory (optionally encrypted with a passphrase), never
// in the database or the logs; the database keeps each key's public half, its kid (a
// shortened RFC 7638 thumbprint) and its life: active, retired, or compromised since a date.
// The public keys, retired ones included, are published as a JWKS so that anyone can verify
// certificates offline.
//
// Signing goes through crypto.Signer, so a hardware module or a remote signing service can
// take the file's place later.
package keys

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/youmark/pkcs8"
	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/verifier"
)

// Key states.
const (
	StateActive      = "active"
	StateRetired     = "retired"
	StateCompromised = "compromised"
)

// Key is the public record of a signing key.
type Key struct {
	KID           string `gorm:"column:kid;primaryKey"`
	PublicKey     string // base64url of the 32-byte Ed25519 public key (the JWK "x")
	State         string
	ValidFrom     time.Time
	RetiredAt     *time.Time
	CompromisedAt *time.Time
	FileName      string
	CreatedAt     time.Time
}

// TableName is the signing_keys table.
func (Key) TableName() string { return "signing_keys" }

// Public returns the Ed25519 public key.
func (k Key) Public() (ed25519.PublicKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(k.PublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("bad public key")
	}
	return ed25519.PublicKey(b), nil
}

// Thumbprint returns the RFC 7638 JWK thumbprint of an Ed25519 public key: SHA-256 over
// {"crv":"Ed25519","kty":"OKP","x":"…"} (members in lexicographic order, no white space).
func Thumbprint(pub ed25519.PublicKey) []byte {
	canonical := `{"crv":"Ed25519","kty":"OKP","x":"` + base64.RawURLEncoding.EncodeToString(pub) + `"}`
	sum := sha256.Sum256([]byte(canonical))
	return sum[:]
}

// KID is a key's id: the first 8 characters of the base32 thumbprint (40 bits, upper-case so
// it fits QR alphanumeric mode).
func KID(pub ed25519.PublicKey) string {
	return base32.StdEncoding.EncodeToString(Thumbprint(pub))[:8]
}

// Store keeps keys: private halves as files in Dir, public halves in the database.
type Store struct {
	db         *database.DB
	dir        string
	passphrase []byte
	// keyFile, when set, is the only private key file used for signing (SERTIKA_SIGNING_KEY_FILE).
	keyFile string
	random  io.Reader
}

// Options configure a Store.
type Options struct {
	Passphrase []byte    // encrypts new key files and decrypts existing ones (may be empty)
	KeyFile    string    // use this PEM file for signing instead of Dir/signing-KID.pem
	Random     io.Reader // key generation entropy (tests use a fixed seed); default crypto/rand
}

// NewStore returns a key store.
func NewStore(db *database.DB, dir string, opt Options) *Store {
	if opt.Random == nil {
		opt.Random = rand.Reader
	}
	return &Store{db: db, dir: dir, passphrase: opt.Passphrase, keyFile: opt.KeyFile, random: opt.Random}
}

func (s *Store) path(kid string) string { return filepath.Join(s.dir, "signing-"+kid+".pem") }

// Event is something that happened to a key, for the issuance log.
type Event struct {
	Action string // key.generate, key.retire, key.compromised
	KID    string
	Detail string
}

// Generate creates a new key. With rotate, the current active key (if any) is retired in the
// same step; without it, Generate refuses while an active key exists. log records the events
// in the caller's transaction.
func (s *Store) Generate(ctx context.Context, rotate bool, log func(tx *gorm.DB, e Event) error) (Key, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(s.random, seed); err != nil {
		return Key{}, err
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	kid := KID(pub)
	now := s.db.Now()
	k := Key{KID: kid, PublicKey: base64.RawURLEncoding.EncodeToString(pub), State: StateActive, ValidFrom: now,
		FileName: filepath.Base(s.path(kid)), CreatedAt: now}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return Key{}, err
	}
	der, err := pkcs8.MarshalPrivateKey(priv, s.passphrase, nil)
	if err != nil {
		return Key{}, fmt.Errorf("encode key: %w", err)
	}
	blockType := "PRIVATE KEY"
	if len(s.passphrase) > 0 {
		blockType = "ENCRYPTED PRIVATE KEY"
	}
	f, err := os.OpenFile(s.path(kid), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Key{}, fmt.Errorf("write key file: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: blockType, Bytes: der}); err != nil {
		f.Close()
		return Key{}, err
	}
	if err := f.Close(); err != nil {
		return Key{}, err
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var active []Key
		if err := tx.Where("state = ?", StateActive).Find(&active).Error; err != nil {
			return err
		}
		if len(active) > 0 && !rotate {
			return apperr.Conflict(fmt.Sprintf("Kunci aktif %s sudah ada: gunakan rotate untuk menggantinya.", active[0].KID))
		}
		for _, a := range active {
			if err := tx.Model(&Key{}).Where("kid = ?", a.KID).Updates(map[string]any{"state": StateRetired, "retired_at": now}).Error; err != nil {
				return err
			}
			if log != nil {
				if err := log(tx, Event{Action: "key.retire", KID: a.KID, Detail: "replaced by " + kid}); err != nil {
					return err
				}
			}
		}
		if err := tx.Create(&k).Error; err != nil {
			return err
		}
		if log != nil {
			return log(tx, Event{Action: "key.generate", KID: kid, Detail: "public key " + k.PublicKey})
		}
		return nil
	})
	if err != nil {
		os.Remove(s.path(kid))
		if apperr.CodeOf(err) != apperr.CodeInternal {
			return Key{}, err
		}
		return Key{}, apperr.Internal(fmt.Errorf("register key: %w", err))
	}
	return k, nil
}

// List returns every key, newest first.
func (s *Store) List(ctx context.Context) ([]Key, error) {
	var out []Key
	if err := s.db.WithContext(ctx).Order("created_at DESC, kid").Find(&out).Error; err != nil {
		return nil, apperr.Internal(err)
	}
	return out, nil
}

// Get returns one key.
func (s *Store) Get(ctx context.Context, kid string) (Key, error) {
	var k Key
	err := s.db.WithContext(ctx).Where("kid = ?", kid).Take(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return k, apperr.NotFound(fmt.Sprintf("Kunci %s tidak dikenal.", kid))
	}
	if err != nil {
		return k, apperr.Internal(err)
	}
	return k, nil
}

// Active returns the active key, or a not-found error when there is none.
func (s *Store) Active(ctx context.Context, tx *gorm.DB) (Key, error) {
	var k Key
	err := tx.WithContext(ctx).Where("state = ?", StateActive).Take(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return k, apperr.NotFound("Belum ada kunci penandatanganan aktif: jalankan sertika keys generate.")
	}
	if err != nil {
		return k, apperr.Internal(err)
	}
	return k, nil
}

// Retire stops a key from signing; certificates it signed before stay valid.
func (s *Store) Retire(ctx context.Context, kid string, log func(tx *gorm.DB, e Event) error) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		var k Key
		if err := tx.Where("kid = ?", kid).Take(&k).Error; err != nil {
			return apperr.NotFound(fmt.Sprintf("Kunci %s tidak dikenal.", kid))
		}
		if k.State != StateActive {
			return apperr.Conflict(fmt.Sprintf("Kunci %s berstatus %s, bukan aktif.", kid, k.State))
		}
		if err := tx.Model(&Key{}).Where("kid = ?", kid).Updates(map[string]any{"state": StateRetired, "retired_at": s.db.Now()}).Error; err != nil {
			return apperr.Internal(err)
		}
		if log != nil {
			return log(tx, Event{Action: "key.retire", KID: kid})
		}
		return nil
	})
}

// Compromised records that a key's private half leaked at since: certificates it signed at
// or after since are no longer trusted; it never signs again. Reporting it again may only
// move since earlier.
func (s *Store) Compromised(ctx context.Context, kid string, since time.Time, log func(tx *gorm.DB, e Event) error) error {
	since = database.UTC(since)
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		var k Key
		if err := tx.Where("kid = ?", kid).Take(&k).Error; err != nil {
			return apperr.NotFound(fmt.Sprintf("Kunci %s tidak dikenal.", kid))
		}
		if since.After(s.db.Now()) {
			return apperr.Invalid("Tanggal kebocoran kunci tidak boleh di masa depan.")
		}
		// A later date would quietly make certificates signed in between trusted again: the
		// moment of compromise may only move earlier.
		if k.CompromisedAt != nil && !since.Before(*k.CompromisedAt) {
			return apperr.Conflict(fmt.Sprintf("Kunci %s sudah tercatat bocor sejak %s; tanggal hanya dapat dimajukan ke waktu yang lebih awal.",
				kid, k.CompromisedAt.UTC().Format(time.RFC3339)))
		}
		upd := map[string]any{"state": StateCompromised, "compromised_at": since}
		if k.RetiredAt == nil && k.State == StateActive {
			upd["retired_at"] = s.db.Now()
		}
		if err := tx.Model(&Key{}).Where("kid = ?", kid).Updates(upd).Error; err != nil {
			return apperr.Internal(err)
		}
		if log != nil {
			return log(tx, Event{Action: "key.compromised", KID: kid, Detail: "since " + since.Format(time.RFC3339)})
		}
		return nil
	})
}

// Signer loads the private key of kid as a crypto.Signer, checking it matches the public key
// on record. Only the active key may sign.
func (s *Store) Signer(ctx context.Context, k Key) (crypto.Signer, error) {
	if k.State != StateActive {
		return nil, apperr.Conflict(fmt.Sprintf("Kunci %s tidak aktif.", k.KID))
	}
	path := s.path(k.KID)
	if s.keyFile != "" {
		path = s.keyFile
	}
	priv, err := ReadPrivateKey(path, s.passphrase)
	if err != nil {
		return nil, err
	}
	if KID(priv.Public().(ed25519.PublicKey)) != k.KID {
		return nil, fmt.Errorf("key file %s does not hold key %s", path, k.KID)
	}
	return priv, nil
}

// ReadPrivateKey reads an Ed25519 private key from a PKCS#8 PEM file, decrypting it with the
// passphrase when it is encrypted.
func ReadPrivateKey(path string, passphrase []byte) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	var pw []byte
	switch block.Type {
	case "PRIVATE KEY":
	case "ENCRYPTED PRIVATE KEY":
		if len(passphrase) == 0 {
			return nil, fmt.Errorf("%s is encrypted: set SERTIKA_KEY_PASSPHRASE (or _FILE)", path)
		}
		pw = passphrase
	default:
		return nil, fmt.Errorf("%s: unexpected PEM block %q", path, block.Type)
	}
	key, _, err := pkcs8.ParsePrivateKey(block.Bytes, pw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an Ed25519 key", path)
	}
	return priv, nil
}

// JWKS returns every key's public half, retired and compromised ones included (verifiers
// need them to judge old certificates).
func (s *Store) JWKS(ctx context.Context) (verifier.JWKS, error) {
	list, err := s.List(ctx)
	if err != nil {
		return verifier.JWKS{}, err
	}
	out := verifier.JWKS{Keys: make([]verifier.JWK, 0, len(list))}
	for _, k := range list {
		out.Keys = append(out.Keys, verifier.JWK{Kty: "OKP", Crv: "Ed25519", X: k.PublicKey, KID: k.KID, Use: "sig", Alg: "EdDSA",
			State: k.State, ValidFrom: k.ValidFrom.UTC(), RetiredAt: utcPtr(k.RetiredAt), CompromisedAt: utcPtr(k.CompromisedAt)})
	}
	return out, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
