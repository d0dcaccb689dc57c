package web

import (
	"bufio"
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/qr"
	"github.com/sertika/sertika/issuer"
)

// routesCertificateAPI registers certificate issuance, reading, downloads, revocation and
// re-issue, and the public key set.
func (s *Server) routesCertificateAPI(api fiber.Router) {
	auth := s.bearerAuth
	signer := requireRole(domain.RolePenandatangan)
	api.Post("/requests/:id/certificates", auth, signer, s.apiIssue)
	api.Get("/requests/:id/certificates.zip", auth, s.apiCertificatesZip)
	api.Get("/certificates", auth, s.apiListCertificates)
	api.Get("/certificates/:cid", auth, s.apiGetCertificate)
	api.Get("/certificates/:cid/qr.png", auth, s.apiCertificateQR)
	api.Get("/certificates/:cid/pdf", auth, s.apiCertificatePDF)
	api.Post("/certificates/:cid/revoke", auth, signer, s.apiRevoke)
	api.Post("/certificates/:cid/reissue", auth, signer, s.apiReissue)
}

// certificateView is a certificate in the API.
type certificateView struct {
	ID                   string      `json:"id"`
	Number               string      `json:"number"`
	State                string      `json:"state"`
	NIP                  string      `json:"nip"`
	HolderName           string      `json:"holder_name"`
	Position             string      `json:"position"`
	OPDName              string      `json:"opd_name"`
	RequestID            int64       `json:"request_id"`
	Title                string      `json:"title"`
	Kind                 string      `json:"kind"`
	KindLabel            string      `json:"kind_label"`
	Organizer            string      `json:"organizer"`
	StartDate            domain.Date `json:"start_date"`
	EndDate              domain.Date `json:"end_date"`
	JP                   int         `json:"jp"`
	RecommendationNumber string      `json:"recommendation_number"`
	Place                string      `json:"place"`
	IssuedAt             time.Time   `json:"issued_at"`
	SignerName           string      `json:"signer_name"`
	KID                  string      `json:"kid"`
	Token                string      `json:"token"`
	VerifyURL            string      `json:"verify_url"`
	ShortCode            string      `json:"short_code"`
	RevokedAt            *time.Time  `json:"revoked_at,omitempty"`
	RevokeReason         string      `json:"revoke_reason,omitempty"`
	RevokeNote           string      `json:"revoke_note,omitempty"`
	Replaces             *string     `json:"replaces,omitempty"`
	ReplacedBy           *string     `json:"replaced_by,omitempty"`
	History              []logView   `json:"history,omitempty"`
}

type logView struct {
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Action string    `json:"action"`
	Detail string    `json:"detail"`
}

func (s *Server) viewCertificate(c *issuer.Certificate) certificateView {
	return certificateView{ID: c.ID, Number: c.Number, State: c.State, NIP: c.NIP, HolderName: c.HolderName,
		Position: c.Position, OPDName: c.OPDName, RequestID: c.RequestID, Title: c.Title, Kind: c.Kind, KindLabel: c.KindLabel(),
		Organizer: c.Organizer, StartDate: c.StartDate, EndDate: c.EndDate, JP: c.JP, RecommendationNumber: c.RecommendationNumber,
		Place: c.Place, IssuedAt: c.IssuedAt, SignerName: c.SignerName, KID: c.KID, Token: c.Token,
		VerifyURL: s.Issuance.VerifyURL(c), ShortCode: c.ShortCode(), RevokedAt: c.RevokedAt, RevokeReason: c.RevokeReason,
		RevokeNote: c.RevokeNote, Replaces: c.Replaces, ReplacedBy: c.ReplacedBy}
}

// apiIssue issues a request's batch. By default it answers when the batch is signed, with
// its certificates (201; 200 when everything had been issued before). With ?async=true it
// runs the checks, and when they pass answers 202 at once with the signing job
// (GET /api/v1/jobs/{id} follows it); findings are answered as by the synchronous call.
func (s *Server) apiIssue(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	async := false
	if v := c.Query("async"); v != "" {
		if async, err = strconv.ParseBool(v); err != nil {
			return apperr.Invalid("Parameter async harus true atau false.")
		}
	}
	if async {
		return s.checkThenIssue(c, id)
	}
	b, err := s.Issuance.Issue(c.UserContext(), actor(c), id)
	if err != nil {
		return err
	}
	return s.answerIssued(c, b)
}

// answerIssued answers a signed batch through the API.
func (s *Server) answerIssued(c *fiber.Ctx, b *issuer.Batch) error {
	out := make([]certificateView, len(b.Certificates))
	for i := range b.Certificates {
		out[i] = s.viewCertificate(&b.Certificates[i])
	}
	status := fiber.StatusOK
	if b.Issued > 0 {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(fiber.Map{"issued": b.Issued, "certificates": out})
}

func (s *Server) apiListCertificates(c *fiber.Ctx) error {
	limit, offset, err := queryPage(c, 50)
	if err != nil {
		return err
	}
	req, err := queryInt(c, "request", 0)
	if err != nil {
		return err
	}
	year, err := queryInt(c, "year", 0)
	if err != nil {
		return err
	}
	f := issuer.CertFilter{NIP: strings.Clone(c.Query("nip")), RequestID: int64(req), OPD: strings.Clone(c.Query("opd")),
		Year: year, Q: strings.Clone(c.Query("q")), State: strings.Clone(c.Query("state")), Limit: limit, Offset: offset}
	list, page, err := s.Issuance.List(c.UserContext(), actor(c), f)
	if err != nil {
		return err
	}
	out := make([]certificateView, len(list))
	for i := range list {
		out[i] = s.viewCertificate(&list[i])
	}
	return pageJSON(c, out, page)
}

func (s *Server) apiGetCertificate(c *fiber.Ctx) error {
	cert, err := s.Issuance.Get(c.UserContext(), actor(c), c.Params("cid"))
	if err != nil {
		return err
	}
	v := s.viewCertificate(cert)
	hist, err := s.Issuance.History(c.UserContext(), actor(c), cert.ID)
	if err != nil {
		return err
	}
	for _, h := range hist {
		v.History = append(v.History, logView{At: h.At, User: h.Username, Action: h.Action, Detail: h.Detail})
	}
	return c.JSON(v)
}

func (s *Server) apiCertificateQR(c *fiber.Ctx) error {
	cert, err := s.Issuance.Get(c.UserContext(), actor(c), c.Params("cid"))
	if err != nil {
		return err
	}
	size, err := queryInt(c, "scale", 8)
	if err != nil || size < 1 || size > 40 {
		return apperr.Invalid("Parameter scale harus 1–40 piksel per modul.")
	}
	code, err := qr.Encode(s.Issuance.VerifyURL(cert))
	if err != nil {
		return apperr.Internal(err)
	}
	png, err := code.PNG(size)
	if err != nil {
		return apperr.Internal(err)
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderContentDisposition, contentDisposition("inline", "qr-"+cert.ID+".png"))
	c.Set(fiber.HeaderCacheControl, "private, max-age=3600")
	return c.Send(png)
}

// certificatePDF renders a certificate's PDF (on demand: rendering is deterministic and
// fast, so nothing is stored).
func (s *Server) certificatePDF(c *fiber.Ctx, cert *issuer.Certificate) ([]byte, error) {
	ag, err := s.Directory.GetAgency(c.UserContext())
	if err != nil {
		return nil, err
	}
	return s.Certificates.Render(s.Issuance.PDFData(cert, ag))
}

func pdfName(cert *issuer.Certificate) string { return issuer.PDFFileName(cert) }

func (s *Server) apiCertificatePDF(c *fiber.Ctx) error {
	cert, err := s.Issuance.Get(c.UserContext(), actor(c), c.Params("cid"))
	if err != nil {
		return err
	}
	pdf, err := s.certificatePDF(c, cert)
	if err != nil {
		return apperr.Internal(err)
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, contentDisposition("inline", pdfName(cert)))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(pdf)
}

// apiCertificatesZip answers one ZIP with the PDFs of all live certificates of a request
// that the caller may see, in number order, streamed as it is built (PDFs rendered on every
// core, issuer.WriteZip): the first bytes leave at once, and memory holds a few dozen PDFs
// whatever the batch's size. The browser's button builds the same ZIP in a background job
// with progress instead (certificatesZipJob).
func (s *Server) apiCertificatesZip(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	list, err := s.Issuance.ListAll(ctx, actor(c), issuer.CertFilter{RequestID: id, State: issuer.CertValid})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return errNoCertificates
	}
	ag, err := s.Directory.GetAgency(ctx)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, contentDisposition("attachment", "sertifikat-usulan-"+strconv.FormatInt(id, 10)+".zip"))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	// The writer runs after the handler returned (the fiber.Ctx is gone by then): it uses only
	// what it captured. A client that goes away makes the writes fail, which stops it.
	iss, renderer, log := s.Issuance, s.Certificates, s.Logger
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		err := issuer.WriteZip(context.Background(), w, list, func(cert *issuer.Certificate) ([]byte, error) {
			return renderer.Render(iss.PDFData(cert, ag))
		}, nil)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			log.Warn("certificate ZIP stream ended early", "request_id", id, "err", err)
		}
	})
	return nil
}

type revokeBody struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

func (s *Server) apiRevoke(c *fiber.Ctx) error {
	var body revokeBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	cert, err := s.Issuance.Revoke(c.UserContext(), actor(c), strings.Clone(c.Params("cid")), body.Reason, body.Note)
	if err != nil {
		return err
	}
	return c.JSON(s.viewCertificate(cert))
}

func (s *Server) apiReissue(c *fiber.Ctx) error {
	var body struct {
		Note string `json:"note"`
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
	}
	cert, err := s.Issuance.Reissue(c.UserContext(), actor(c), strings.Clone(c.Params("cid")), body.Note)
	if err != nil {
		return err
	}
	c.Location("/api/v1/certificates/" + cert.ID)
	return c.Status(fiber.StatusCreated).JSON(s.viewCertificate(cert))
}

// jwks publishes the public keys, retired and compromised ones included.
func (s *Server) jwks(c *fiber.Ctx) error {
	set, err := s.Keys.JWKS(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(set)
}
