package account

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// API bearer tokens are JWTs signed with HS256 by a server-held secret. Parsing accepts
// exactly that algorithm (jwt.WithValidMethods), requires our issuer and audience, and checks
// the times against the database clock. A token names its user by id; the user must still be
// active, and a password change invalidates tokens issued before it.
const (
	tokenIssuer   = "sertika"
	tokenAudience = "sertika-api"
)

// apiClaims are the registered claims plus the password stamp ("pwc"): the user's
// password_changed_at in Unix microseconds when the token was issued.
type apiClaims struct {
	PasswordStamp int64 `json:"pwc"`
	jwt.RegisteredClaims
}

// ErrBadToken answers every unusable bearer token: forged, tampered, expired, or for a
// disabled user.
var ErrBadToken = apperr.Unauthorized("Token akses tidak sah atau sudah kedaluwarsa. Minta token baru.")

// IssueToken signs a bearer token for an authenticated user.
func (s *Service) IssueToken(u domain.User) (string, time.Time, error) {
	now := s.db.Now()
	exp := now.Add(TokenLifetime).Truncate(time.Second)
	claims := apiClaims{PasswordStamp: u.PasswordChangedAt.UnixMicro(), RegisteredClaims: jwt.RegisteredClaims{
		Issuer:    tokenIssuer,
		Audience:  jwt.ClaimStrings{tokenAudience},
		Subject:   strconv.FormatInt(u.ID, 10),
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwt.NewNumericDate(exp),
		ID:        randomToken(12),
	}}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.jwtSecret)
	if err != nil {
		return "", time.Time{}, apperr.Internal(fmt.Errorf("sign token: %w", err))
	}
	return tok, exp, nil
}

// ParseToken checks a bearer token and returns its active user.
func (s *Service) ParseToken(ctx context.Context, token string) (domain.User, error) {
	if token == "" || len(token) > 2048 {
		return domain.User{}, ErrBadToken
	}
	var claims apiClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.jwtSecret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithAudience(tokenAudience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(s.db.Now),
	)
	if err != nil {
		return domain.User{}, ErrBadToken
	}
	id, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil {
		return domain.User{}, ErrBadToken
	}
	u, err := s.byID(ctx, id)
	if err != nil {
		if apperr.CodeOf(err) == apperr.CodeInternal {
			return domain.User{}, err
		}
		return domain.User{}, ErrBadToken
	}
	if !u.Active {
		return domain.User{}, ErrBadToken
	}
	// The token carries the password's change time to the microsecond: any password change
	// after issue, even within the same second, makes it unusable.
	if claims.IssuedAt == nil || claims.PasswordStamp != u.PasswordChangedAt.UnixMicro() {
		return domain.User{}, ErrBadToken
	}
	return u, nil
}

// LoadSecret returns the JWT secret: the configured one when given (at least 32 bytes), or
// the one kept in dir/jwt.secret, created with 256 random bits on first use.
func LoadSecret(configured, dir string) ([]byte, error) {
	if configured != "" {
		if len(configured) < 32 {
			return nil, errors.New("SERTIKA_JWT_SECRET must be at least 32 characters")
		}
		return []byte(configured), nil
	}
	path := filepath.Join(dir, "jwt.secret")
	b, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < 32 {
			return nil, fmt.Errorf("%s: secret too short", path)
		}
		return []byte(s), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	s := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process won the race
			return LoadSecret("", dir)
		}
		return nil, err
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	return []byte(s), f.Close()
}
