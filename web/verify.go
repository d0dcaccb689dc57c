package web

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/issuer"
	"github.com/sertika/sertika/verifier"
)

// routesVerify registers the public verification: the page a QR code opens and its JSON
// twin. No sign-in, no cookies; rate-limited per client address.
func (s *Server) routesVerify() {
	s.App.Get("/.well-known/jwks.json", s.jwks)
	s.App.Get("/v/:token", s.verifyLimit, s.verifyPage)
	s.App.Get("/api/v1/verify", s.verifyLimit, s.apiVerify)
}

// verifyLimit allows each client address a generous but bounded number of verifications.
func (s *Server) verifyLimit(c *fiber.Ctx) error {
	if !s.verifyLimiter.allow(c.IP(), time.Now()) {
		c.Set(fiber.HeaderRetryAfter, "60")
		return apperr.New(apperr.CodeRateLimited, "Terlalu banyak permintaan verifikasi dari alamat ini. Coba lagi sebentar lagi.")
	}
	return c.Next()
}

// keyCache keeps the published key set in memory for a short while, so verification does
// not read the keys table on every request.
type keyCache struct {
	mu      sync.Mutex
	set     verifier.JWKS
	fetched time.Time
}

func (s *Server) keySet(ctx context.Context) (verifier.JWKS, error) {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	if time.Since(s.keys.fetched) < 30*time.Second && len(s.keys.set.Keys) > 0 {
		return s.keys.set, nil
	}
	set, err := s.Keys.JWKS(ctx)
	if err != nil {
		return verifier.JWKS{}, err
	}
	s.keys.set, s.keys.fetched = set, time.Now()
	return set, nil
}

// verification is a verdict with the certificate's details from the server's record.
type verification struct {
	Result      verifier.Result
	Certificate *issuer.Certificate
	Replacement *issuer.Certificate
	Request     *issuer.Request
}

func (s *Server) verify(ctx context.Context, token string) verification {
	set, err := s.keySet(ctx)
	if err != nil {
		// Without keys no verdict is possible: say so rather than guess.
		return verification{Result: verifier.Result{Status: verifier.StatusInvalid, Checks: []verifier.Check{
			{Name: verifier.CheckKey, OK: false, Detail: "Daftar kunci penerbit tidak dapat dibaca saat ini. Coba lagi nanti."}}}}
	}
	res := verifier.Verify(ctx, token, set, s.Issuance)
	v := verification{Result: res}
	if res.Claims == nil || (res.Status != verifier.StatusValid && res.Status != verifier.StatusRevoked) {
		return v
	}
	if cert, err := s.Issuance.Get(ctx, domain.System, res.Claims.ID); err == nil {
		// The token's claims and key must be the record's own, not only its digest: a token
		// signed with the issuer's key for another holder, JP or dates but carrying this
		// record's digest would otherwise show this record as "valid".
		if *res.Claims != cert.SignedClaims() || res.KID != cert.KID {
			v.Result = recordMismatch(res)
			return v
		}
		v.Certificate = cert
		if cert.ReplacedBy != nil {
			if r, err := s.Issuance.Get(ctx, domain.System, *cert.ReplacedBy); err == nil {
				v.Replacement = r
			}
		}
	}
	return v
}

// recordMismatch turns a verdict into "invalid" because the token does not match the record
// it names: its record and status checks are replaced by one failed record check.
func recordMismatch(res verifier.Result) verifier.Result {
	checks := make([]verifier.Check, 0, len(res.Checks)+1)
	for _, c := range res.Checks {
		if c.Name != verifier.CheckRecord && c.Name != verifier.CheckStatus {
			checks = append(checks, c)
		}
	}
	res.Checks = append(checks, verifier.Check{Name: verifier.CheckRecord, OK: false,
		Detail: "Catatan di server tidak cocok dengan isi sertifikat yang ditandatangani."})
	res.Status = verifier.StatusInvalid
	return res
}

// MaskNIP hides the middle of a NIP (birth date and appointment): 1966**********1001.
func MaskNIP(n string) string {
	if len(n) != 18 {
		return n
	}
	return n[:4] + strings.Repeat("*", 10) + n[14:]
}

type verifyCertView struct {
	ID                   string      `json:"id"`
	Number               string      `json:"number"`
	HolderName           string      `json:"holder_name"`
	NIP                  string      `json:"nip"`
	Position             string      `json:"position"`
	OPDName              string      `json:"opd_name"`
	Title                string      `json:"title"`
	Kind                 string      `json:"kind"`
	KindLabel            string      `json:"kind_label"`
	Organizer            string      `json:"organizer"`
	StartDate            domain.Date `json:"start_date"`
	EndDate              domain.Date `json:"end_date"`
	JP                   int         `json:"jp"`
	RecommendationNumber string      `json:"recommendation_number"`
	Issuer               string      `json:"issuer"`
	SignerName           string      `json:"signer_name"`
	SignerTitle          string      `json:"signer_title"`
	IssuedAt             time.Time   `json:"issued_at"`
	State                string      `json:"state"`
	RevokedAt            *time.Time  `json:"revoked_at,omitempty"`
	RevokeReason         string      `json:"revoke_reason,omitempty"`
	ReplacedBy           string      `json:"replaced_by,omitempty"`
	ReplacedByURL        string      `json:"replaced_by_url,omitempty"`
}

func (s *Server) viewVerified(v verification) *verifyCertView {
	c := v.Certificate
	if c == nil {
		return nil
	}
	out := &verifyCertView{ID: c.ID, Number: c.Number, HolderName: c.HolderName, NIP: MaskNIP(c.NIP), Position: c.Position,
		OPDName: c.OPDName, Title: c.Title, Kind: c.Kind, KindLabel: c.KindLabel(), Organizer: c.Organizer, StartDate: c.StartDate,
		EndDate: c.EndDate, JP: c.JP, RecommendationNumber: c.RecommendationNumber, Issuer: c.IssuerCode, SignerName: c.SignerName,
		SignerTitle: c.SignerTitle, IssuedAt: c.IssuedAt, State: c.State, RevokedAt: c.RevokedAt, RevokeReason: c.RevokeReason}
	if v.Replacement != nil {
		out.ReplacedBy = v.Replacement.Number
		out.ReplacedByURL = s.Issuance.VerifyURL(v.Replacement)
	}
	return out
}

func (s *Server) apiVerify(c *fiber.Ctx) error {
	token := c.Query("token")
	if token == "" {
		return apperr.Invalid("Sertakan token sertifikat pada parameter token.")
	}
	v := s.verify(c.UserContext(), token)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"status": v.Result.Status, "checks": v.Result.Checks, "certificate": s.viewVerified(v)})
}

func (s *Server) verifyPage(c *fiber.Ctx) error {
	v := s.verify(c.UserContext(), c.Params("token"))
	c.Set(fiber.HeaderCacheControl, "no-store")
	agency, _ := s.Directory.GetAgency(c.UserContext())
	return c.Render("verify", fiber.Map{"V": v.Result, "Cert": s.viewVerified(v), "Status": string(v.Result.Status),
		"Agency": agency, "Title": "Verifikasi Sertifikat", "ReasonLabel": issuer.ReasonLabel(certReason(v))})
}

func certReason(v verification) string {
	if v.Certificate == nil {
		return ""
	}
	return v.Certificate.RevokeReason
}
