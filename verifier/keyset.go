package verifier

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// JWK is one published Sertika key: a standard OKP/Ed25519 JWK plus Sertika's members that
// say when the key could sign: from sertika_valid_from until sertika_retired_at, and never at
// or after sertika_compromised_at.
type JWK struct {
	Kty           string     `json:"kty"`
	Crv           string     `json:"crv"`
	X             string     `json:"x"`
	KID           string     `json:"kid"`
	Use           string     `json:"use"`
	Alg           string     `json:"alg"`
	State         string     `json:"sertika_state"`
	ValidFrom     time.Time  `json:"sertika_valid_from"`
	RetiredAt     *time.Time `json:"sertika_retired_at,omitempty"`
	CompromisedAt *time.Time `json:"sertika_compromised_at,omitempty"`
}

// JWKS is a published key set, as served at /.well-known/jwks.json.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// ParseJWKS reads a key set, keeping only well-formed Ed25519 keys.
func ParseJWKS(b []byte) (JWKS, error) {
	var set JWKS
	if err := json.Unmarshal(b, &set); err != nil {
		return JWKS{}, fmt.Errorf("key set is not valid JSON: %w", err)
	}
	out := JWKS{}
	for _, k := range set.Keys {
		if _, err := k.Public(); err == nil && k.KID != "" {
			out.Keys = append(out.Keys, k)
		}
	}
	if len(out.Keys) == 0 {
		return JWKS{}, errors.New("key set holds no Ed25519 keys")
	}
	return out, nil
}

// Public returns the key's Ed25519 public key.
func (k JWK) Public() (ed25519.PublicKey, error) {
	if k.Kty != "OKP" || k.Crv != "Ed25519" {
		return nil, errors.New("not an Ed25519 key")
	}
	b, err := base64.RawURLEncoding.DecodeString(k.X)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("bad Ed25519 public key")
	}
	return ed25519.PublicKey(b), nil
}

// Find returns the key with the kid.
func (s JWKS) Find(kid string) (JWK, bool) {
	for _, k := range s.Keys {
		if k.KID == kid {
			return k, true
		}
	}
	return JWK{}, false
}
