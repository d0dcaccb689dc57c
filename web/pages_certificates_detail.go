package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/issuer"
)

// revokeReasons are the choices of the revoke form ("replaced" is set by re-issue only).
var revokeReasons = []struct{ Code, Label string }{
	{issuer.ReasonIssuedInError, issuer.ReasonLabel(issuer.ReasonIssuedInError)},
	{issuer.ReasonFraud, issuer.ReasonLabel(issuer.ReasonFraud)},
	{issuer.ReasonWithdrawn, issuer.ReasonLabel(issuer.ReasonWithdrawn)},
}

// historyRow is one issuance-log entry about a certificate, said for people.
type historyRow struct {
	At       time.Time
	Username string
	Label    string
	Lines    []string
	Link     string // the other certificate of a re-issue
	LinkText string
}

// historyRows turns the issuance log's entries about certificate id into the timeline.
func historyRows(id string, entries []issuer.LogEntry) []historyRow {
	out := make([]historyRow, 0, len(entries))
	for _, e := range entries {
		var d map[string]any
		_ = json.Unmarshal([]byte(e.Detail), &d)
		str := func(k string) string { v, _ := d[k].(string); return v }
		h := historyRow{At: e.At, Username: e.Username, Label: e.Action}
		switch e.Action {
		case "certificate.issue":
			h.Label = "Ditandatangani dan diterbitkan"
			if k := str("kid"); k != "" {
				h.Lines = append(h.Lines, "Kunci penandatangan: "+k)
			}
		case "certificate.revoke":
			h.Label = "Dicabut"
			h.Lines = append(h.Lines, "Alasan: "+issuer.ReasonLabel(str("reason")))
			if n := str("note"); n != "" {
				h.Lines = append(h.Lines, "Catatan: "+n)
			}
		case "certificate.reissue":
			oldID, newID, _ := strings.Cut(strings.TrimPrefix(e.Object, "certificate:"), "->")
			if newID == id {
				h.Label = "Diterbitkan sebagai pengganti"
				h.Link, h.LinkText = "/sertifikat/"+oldID, "Sertifikat lama "+str("old")
			} else {
				h.Label = "Diganti dengan sertifikat baru (diterbitkan ulang)"
				h.Link, h.LinkText = "/sertifikat/"+newID, "Sertifikat pengganti "+str("new")
			}
			if n := str("note"); n != "" {
				h.Lines = append(h.Lines, "Catatan: "+n)
			}
		}
		out = append(out, h)
	}
	return out
}

// certificateDetailPage renders a certificate's page with status; extra carries a failed
// form's message and input.
func (s *Server) certificateDetailPage(c *fiber.Ctx, status int, id string, extra fiber.Map) error {
	a := actor(c)
	ctx := c.UserContext()
	cert, err := s.Issuance.Get(ctx, a, id)
	if err != nil {
		return err
	}
	hist, err := s.Issuance.History(ctx, a, cert.ID)
	if err != nil {
		return err
	}
	data := fiber.Map{"C": cert, "VerifyURL": s.Issuance.VerifyURL(cert), "History": historyRows(cert.ID, hist),
		"Reasons": revokeReasons, "Valid": cert.State == issuer.CertValid, "Signer": a.Role == domain.RolePenandatangan,
		"ReasonLabel": issuer.ReasonLabel(cert.RevokeReason), "RevokeReason": "", "RevokeNote": "", "ReissueNote": ""}
	if l, ok := domain.LeadershipLevelByCode(cert.Level); ok {
		data["LevelLabel"] = l.Label
	}
	// Links between a replaced certificate and its replacement, when the actor may see it.
	if cert.ReplacedBy != nil {
		if r, err := s.Issuance.Get(ctx, a, *cert.ReplacedBy); err == nil {
			data["Replacement"] = r
		}
	}
	if cert.Replaces != nil {
		if r, err := s.Issuance.Get(ctx, a, *cert.Replaces); err == nil {
			data["Replaced"] = r
		}
	}
	// Four eyes: the account that verified the report does not sign (nor re-issue) its
	// certificates. Said up front rather than after a refused form.
	if a.Role == domain.RolePenandatangan && cert.State == issuer.CertValid {
		if d, err := s.Requests.Get(ctx, a, cert.RequestID); err == nil && d.Request.ReportVerifiedBy != nil &&
			*d.Request.ReportVerifiedBy == a.UserID {
			data["FourEyes"] = true
		}
	}
	for k, v := range extra {
		data[k] = v
	}
	return s.page(c, status, "certificate_detail", "Sertifikat "+cert.Number, data)
}

func (s *Server) certificateDetail(c *fiber.Ctx) error {
	return s.certificateDetailPage(c, fiber.StatusOK, strings.Clone(c.Params("cid")), nil)
}

// Messages of the signer's forms sent without their confirmation box ticked.
var (
	errNoRevokeConfirm  = apperr.Invalid("Centang pernyataan konfirmasi untuk mencabut sertifikat.")
	errNoReissueConfirm = apperr.Invalid("Centang pernyataan konfirmasi untuk menerbitkan ulang sertifikat.")
)

// certificateRevoke revokes a certificate (reason and note) and redirects to its page.
func (s *Server) certificateRevoke(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("cid"))
	reason, note := formValue(c, "alasan"), formValue(c, "catatan")
	var cert *issuer.Certificate
	var err error
	if c.FormValue("konfirmasi") != "ya" {
		err = errNoRevokeConfirm
	} else {
		cert, err = s.Issuance.Revoke(c.UserContext(), actor(c), id, reason, note)
	}
	if err != nil {
		if status, msg, ok := certFormError(err); ok {
			return s.certificateDetailPage(c, status, id, fiber.Map{"Error": msg, "RevokeError": msg,
				"RevokeReason": reason, "RevokeNote": note})
		}
		return err
	}
	s.flash(c, fmt.Sprintf("Sertifikat %s dicabut. Verifikasi kini menyatakannya DICABUT.", cert.Number))
	return c.Redirect("/sertifikat/"+cert.ID, fiber.StatusSeeOther)
}

// certificateReissue replaces a certificate with a new one and opens the new one's page.
func (s *Server) certificateReissue(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("cid"))
	note := formValue(c, "catatan")
	var cert *issuer.Certificate
	var err error
	if c.FormValue("konfirmasi") != "ya" {
		err = errNoReissueConfirm
	} else {
		cert, err = s.Issuance.Reissue(c.UserContext(), actor(c), id, note)
	}
	if err != nil {
		if status, msg, ok := certFormError(err); ok {
			return s.certificateDetailPage(c, status, id, fiber.Map{"Error": msg, "ReissueError": msg, "ReissueNote": note})
		}
		return err
	}
	s.flash(c, fmt.Sprintf("Sertifikat pengganti %s diterbitkan; sertifikat lama dicabut dengan alasan “%s”.",
		cert.Number, issuer.ReasonLabel(issuer.ReasonReplaced)))
	return c.Redirect("/sertifikat/"+cert.ID, fiber.StatusSeeOther)
}

// certFormError is formError plus forbidden: past requireRole the signer's only refusal of
// that kind is four eyes, which they should read next to the form rather than on an error
// page.
func certFormError(err error) (int, string, bool) {
	if status, msg, ok := formError(err); ok {
		return status, msg, true
	}
	if ae := apperr.As(err); ae.Code == apperr.CodeForbidden {
		return statusOf(ae.Code), ae.Message, true
	}
	return 0, "", false
}
