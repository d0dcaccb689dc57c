package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/issuer"
	"github.com/sertika/sertika/verifier"
)

// routesVerify registers the public verification: the page a QR code opens, the other ways
// in for a damaged QR code (look-up by number and NIP, an uploaded photo or PDF, the camera
// scanner), the JSON API and the signed status list. No sign-in and no cookies; every route
// is rate-limited per client address. It also installs invalidateAfterWrites in front of
// every later route (web/revocations.go).
func (s *Server) routesVerify() {
	s.App.Use(s.invalidateAfterWrites)
	s.App.Get("/.well-known/jwks.json", s.jwks)
	s.App.Get("/v/:token", s.verifyLimit, s.verifyPage)
	s.App.Get("/periksa", s.verifyLimit, s.lookupPage)
	s.App.Post("/periksa", s.lookupLimit, s.lookupSubmit)
	s.App.Post("/periksa/unggah", s.uploadLimit, s.uploadSubmit)
	s.App.Get("/pindai", s.verifyLimit, s.scanPage)
	s.App.Get("/api/v1/verify", s.verifyLimit, s.apiVerify)
	s.App.Post("/api/v1/verify", s.verifyLimit, s.apiVerifyPost)
	s.App.Post("/api/v1/verify/batch", s.batchLimit, s.apiVerifyBatch)
	s.App.Get("/api/v1/status-list", s.verifyLimit, s.apiStatusList)
}

// Bounds of what one request may ask: tokens in a batch, the size of an upload, and the time
// spent decoding it.
const (
	maxBatchTokens  = 1000
	maxVerifyUpload = 10 << 20
	uploadTimeout   = 20 * time.Second
)

// Rate limits per client address: 600 verifications a minute (verifyLimit, the server's
// verifyLimiter), and, in web/revocations.go, 30 a minute each for look-ups by number and NIP
// (a NIP is partly guessable, so guessing is kept slow), uploads (decoding a photo costs far
// more than a token) and batches (up to 1,000 tokens each).
func (s *Server) verifyLimit(c *fiber.Ctx) error { return s.limitPublic(c, s.verifyLimiter) }
func (s *Server) lookupLimit(c *fiber.Ctx) error { return s.limitPublic(c, s.verifyState().lookup) }
func (s *Server) uploadLimit(c *fiber.Ctx) error { return s.limitPublic(c, s.verifyState().upload) }
func (s *Server) batchLimit(c *fiber.Ctx) error  { return s.limitPublic(c, s.verifyState().batch) }

// limitPublic counts the request against l. Over the limit the API answers 429 in JSON and a
// page answers a small 429 page of its own (the shared error page would set a CSRF cookie).
func (s *Server) limitPublic(c *fiber.Ctx, l *limiter) error {
	if l.allowClient(s.clientAddr(c), time.Now()) {
		return c.Next()
	}
	c.Set(fiber.HeaderRetryAfter, "60")
	if isAPI(c) {
		return apperr.New(apperr.CodeRateLimited, textID.RateLimited)
	}
	t := langText(c)
	return s.renderMessage(c, fiber.StatusTooManyRequests, t, t.RateLimitedHeading, t.RateLimited)
}

// ---- the verdict ----

// verification is a verdict with the certificate's details from the server's record.
type verification struct {
	Result      verifier.Result
	Certificate *issuer.Certificate // the record, for valid and revoked (shared: do not modify)
	Replacement *issuer.Certificate
	Key         *verifier.JWK // the published key the token names, if any (shared: do not modify)
	// KeysUnavailable: the key set could not be read, so nothing could be decided.
	KeysUnavailable bool
}

// cacheSource is the status source of one verification: the status cache, remembering the
// record it found so that the page need not look it up again.
type cacheSource struct {
	cache *issuer.StatusCache
	cert  *issuer.Certificate
	st    verifier.CertStatus
}

func (cs *cacheSource) CertificateStatus(ctx context.Context, id string) (verifier.CertStatus, error) {
	cert, st, err := cs.cache.Lookup(ctx, id)
	cs.cert, cs.st = cert, st
	return st, err
}

func (s *Server) verify(ctx context.Context, token string) verification {
	set, err := s.keySet(ctx)
	if err != nil {
		// Without keys no verdict is possible: say so rather than guess.
		return verification{KeysUnavailable: true, Result: verifier.Result{Status: verifier.StatusInvalid, Checks: []verifier.Check{
			{Name: verifier.CheckKey, OK: false, Detail: "Daftar kunci penerbit tidak dapat dibaca saat ini. Coba lagi nanti."}}}}
	}
	src := &cacheSource{cache: s.statusCache()}
	res := verifier.Verify(ctx, token, set, src)
	v := verification{Result: res}
	if res.KID != "" {
		for i := range set.Keys {
			if set.Keys[i].KID == res.KID {
				v.Key = &set.Keys[i] // the cached key set's own (not copied: it is never modified)
				break
			}
		}
	}
	cert := src.cert
	if res.Claims == nil || cert == nil || (res.Status != verifier.StatusValid && res.Status != verifier.StatusRevoked) {
		return v
	}
	// The token's claims and key must be the record's own, not only its digest: a token
	// signed with the issuer's key for another holder, JP or dates but carrying this record's
	// digest would otherwise show this record as "valid". When the status could not be
	// checked the verifier compared no digest, so compare it here.
	if *res.Claims != cert.SignedClaims() || res.KID != cert.KID || src.st.Digest != res.Claims.Digest {
		v.Result = recordMismatch(res)
		return v
	}
	v.Certificate = cert
	if cert.ReplacedBy != nil {
		if r, _, _ := s.statusCache().Lookup(ctx, *cert.ReplacedBy); r != nil {
			v.Replacement = r
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
	res.StatusChecked = false
	res.Cert = verifier.CertStatus{Found: true}
	return res
}

// unconfirmed reports a genuine certificate whose current status could not be checked.
func (v verification) unconfirmed() bool {
	return v.Result.Status == verifier.StatusValid && !v.Result.StatusChecked
}

// MaskNIP hides the middle of a NIP (birth date and appointment): 1966**********1001.
func MaskNIP(n string) string {
	if len(n) != 18 {
		return n
	}
	return n[:4] + strings.Repeat("*", 10) + n[14:]
}

// ---- the JSON API ----

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

// The JSON verdict: {"status", "status_checked", "checks", "certificate"}. status_checked is
// false when the current status (revoked or not) could not be checked: "valid" then speaks
// for the signature and key only. The answer is written by appendAnswer rather than by
// encoding a struct: the certificate part, the bulk of it, is the same for every
// verification of a certificate and is encoded once per record (certJSON).

// answerChecks are the checks as answered: the verifier's, or worded in English for lang=en.
func answerChecks(v verification, lang string) []verifier.Check {
	if lang != "en" {
		if v.Result.Checks == nil {
			return []verifier.Check{}
		}
		return v.Result.Checks
	}
	out := []verifier.Check{}
	for _, l := range checkLines(v, textEN) {
		if l.Name != checkRecommendation {
			out = append(out, verifier.Check{Name: l.Name, OK: l.State == "pass", Detail: l.Detail})
		}
	}
	return out
}

// appendAnswer appends the JSON verdict to buf; index >= 0 adds "token_index" first (batches).
func (s *Server) appendAnswer(buf []byte, v verification, lang string, index int) ([]byte, error) {
	buf = append(buf, '{')
	if index >= 0 {
		buf = append(buf, `"token_index":`...)
		buf = strconv.AppendInt(buf, int64(index), 10)
		buf = append(buf, ',')
	}
	buf = append(buf, `"status":`...)
	buf = strconv.AppendQuote(buf, string(v.Result.Status)) // one of the fixed ASCII verdicts
	buf = append(buf, `,"status_checked":`...)
	buf = strconv.AppendBool(buf, v.Result.StatusChecked)
	buf = append(buf, `,"checks":[`...)
	for i, ch := range answerChecks(v, lang) {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"name":`...)
		buf = appendJSONString(buf, ch.Name)
		buf = append(buf, `,"ok":`...)
		buf = strconv.AppendBool(buf, ch.OK)
		buf = append(buf, `,"detail":`...)
		buf = appendJSONString(buf, ch.Detail)
		buf = append(buf, '}')
	}
	buf = append(buf, `],"certificate":`...)
	cert, err := s.certJSON(v)
	if err != nil {
		return nil, err
	}
	buf = append(buf, cert...)
	return append(buf, '}'), nil
}

// appendJSONString appends s as a JSON string exactly as encoding/json writes it. Check
// names and texts are almost always plain ASCII, copied as they are; anything else (a key id
// quoted from the token, accents, characters HTML-escaped by encoding/json) goes through
// encoding/json.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always encodes
			return append(buf, b...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

// certJSON is the encoded public view of the verified certificate ("null" when none), kept
// per record: a record snapshot (and its replacement) never changes, so its view is encoded
// once, not on every verification.
func (s *Server) certJSON(v verification) ([]byte, error) {
	if v.Certificate == nil {
		return []byte("null"), nil
	}
	st := s.verifyState()
	st.viewMu.RLock()
	e, ok := st.views[v.Certificate.ID]
	st.viewMu.RUnlock()
	if ok && e.cert == v.Certificate && e.repl == v.Replacement {
		return e.json, nil
	}
	b, err := json.Marshal(s.viewVerified(v))
	if err != nil {
		return nil, err
	}
	st.viewMu.Lock()
	if st.views == nil || len(st.views) >= maxCachedViews {
		st.views = map[string]certView{}
	}
	st.views[v.Certificate.ID] = certView{cert: v.Certificate, repl: v.Replacement, json: b}
	st.viewMu.Unlock()
	return b, nil
}

// answerBuffers recycles the buffers JSON verdicts are written into (about 1.5 kB each):
// the answer is copied into fasthttp's own pooled body buffer, so a verification allocates
// neither.
var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// Headers of a JSON verdict, in fasthttp's canonical form.
var (
	headerCacheControl = []byte(fiber.HeaderCacheControl)
	valueNoStore       = []byte("no-store")
)

// sendAnswer answers one JSON verdict, never cached.
func (s *Server) sendAnswer(c *fiber.Ctx, v verification) error {
	bp := answerBuffers.Get().(*[]byte)
	defer answerBuffers.Put(bp)
	buf, err := s.appendAnswer((*bp)[:0], v, c.Query("lang"), -1)
	if err != nil {
		return err
	}
	*bp = buf[:0]
	r := c.Response()
	r.Header.SetCanonical(headerCacheControl, valueNoStore)
	r.Header.SetContentType(fiber.MIMEApplicationJSON)
	r.SetBody(buf)
	return nil
}

func (s *Server) apiVerify(c *fiber.Ctx) error {
	token := c.Query("token")
	if token == "" {
		return apperr.Invalid("Sertakan token sertifikat pada parameter token.")
	}
	return s.sendAnswer(c, s.verify(c.UserContext(), token))
}

// apiVerifyPost verifies a token sent as JSON ({"token": …}) or read from an uploaded file
// (multipart field "file": a PNG or JPEG photo or scan, or the certificate's PDF).
func (s *Server) apiVerifyPost(c *fiber.Ctx) error {
	var token string
	if isMultipart(c) {
		if !s.verifyState().upload.allowClient(s.clientAddr(c), time.Now()) {
			c.Set(fiber.HeaderRetryAfter, "60")
			return apperr.New(apperr.CodeRateLimited, textID.RateLimited)
		}
		tok, err := s.tokenFromUpload(c, langText(c))
		if err != nil {
			return err
		}
		token = tok
	} else {
		var body struct {
			Token string `json:"token"`
		}
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
		if strings.TrimSpace(body.Token) == "" {
			return apperr.Invalid("Sertakan token sertifikat pada kolom token, atau unggah berkas pada kolom file.")
		}
		token = body.Token
	}
	return s.sendAnswer(c, s.verify(c.UserContext(), token))
}

// apiVerifyBatch verifies up to maxBatchTokens tokens in one request, answering in order.
func (s *Server) apiVerifyBatch(c *fiber.Ctx) error {
	var body struct {
		Tokens []string `json:"tokens"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	switch {
	case body.Tokens == nil:
		return apperr.Invalid("Sertakan daftar token pada kolom tokens.")
	case len(body.Tokens) == 0:
		return apperr.Invalid("Daftar token kosong.")
	case len(body.Tokens) > maxBatchTokens:
		return apperr.New(apperr.CodeTooLarge, fmt.Sprintf("Paling banyak %s token per permintaan; kirim %s token dalam beberapa permintaan.",
			thousands(maxBatchTokens), thousands(len(body.Tokens))))
	}
	lang := c.Query("lang")
	buf := append(make([]byte, 0, 1500*len(body.Tokens)), `{"results":[`...)
	for i, tok := range body.Tokens {
		if i > 0 {
			buf = append(buf, ',')
		}
		var err error
		if buf, err = s.appendAnswer(buf, s.verify(c.UserContext(), tok), lang, i); err != nil {
			return err
		}
	}
	buf = append(buf, "]}"...)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(buf)
}

// apiStatusList publishes the signed list of revoked certificates (issuer.StatusList;
// docs/certificate-format.md §7), signed again at most once a minute.
func (s *Server) apiStatusList(c *fiber.Ctx) error {
	l, err := s.statusList(c.UserContext())
	if err != nil {
		return err
	}
	if !l.Modified.IsZero() {
		c.Set(fiber.HeaderLastModified, l.Modified.UTC().Format(time.RFC1123))
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	c.Set(fiber.HeaderContentType, "application/jwt")
	return c.SendString(l.JWS)
}

func isMultipart(c *fiber.Ctx) bool {
	return strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm)
}

// tokenFromUpload reads the multipart file "file" (at most 10 MB) and decodes the QR code in
// it (verifier.ExtractToken: PNG, JPEG or PDF, sniffed from the bytes). Errors are worded for
// the uploader in t's language.
func (s *Server) tokenFromUpload(c *fiber.Ctx, t *verifyText) (string, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return "", apperr.Invalid(t.UploadMissing)
	}
	if fh.Size > maxVerifyUpload {
		return "", apperr.New(apperr.CodeTooLarge, t.UploadTooLarge)
	}
	f, err := fh.Open()
	if err != nil {
		return "", apperr.Invalid(t.UploadUnreadable)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxVerifyUpload+1))
	if err != nil {
		return "", apperr.Invalid(t.UploadUnreadable)
	}
	if len(data) > maxVerifyUpload {
		return "", apperr.New(apperr.CodeTooLarge, t.UploadTooLarge)
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), uploadTimeout)
	defer cancel()
	tok, err := verifier.ExtractTokenContext(ctx, data)
	if err != nil {
		code := apperr.CodeInvalid
		if errors.Is(err, verifier.ErrTooLarge) {
			code = apperr.CodeTooLarge
		}
		return "", apperr.New(code, t.decodeMessage(err))
	}
	return tok, nil
}

// ---- the pages ----

// Check names beyond the verifier's: the page's line about the recommendation.
const checkRecommendation = "recommendation"

// publicPage is what every public verification page shows around its content.
type publicPage struct {
	Lang        string
	T           *verifyText
	PageTitle   string
	AgencyName  string
	SwitchURL   string // the same page in the other language
	SwitchLang  string
	SwitchLabel string
	LangQuery   string // "?lang=en" on English pages, for links
}

// checkLine is one check as the page shows it. State is pass, fail or unknown (the check
// could not be made).
type checkLine struct {
	Name, State, Label, Detail string
}

type detailRow struct{ Label, Value string }

type verdictView struct {
	Class, Mark, Word, Text string
	LinkURL, LinkText       string
}

type verdictPage struct {
	publicPage
	Verdict verdictView
	Checks  []checkLine
	Details []detailRow
}

type lookupPageData struct {
	publicPage
	Message string
	Number  string
}

type scanPageData struct {
	publicPage
	Texts map[string]string
}

type messagePage struct {
	publicPage
	Heading, Message string
}

// langText picks the page language: ?lang=en for English, else Bahasa Indonesia. No cookie
// remembers it: links and form actions carry it.
func langText(c *fiber.Ctx) *verifyText {
	if c.Query("lang") == "en" {
		return textEN
	}
	return textID
}

// publicPage fills the common part of a public page. switchPath is the page's address without
// the language parameter ("" for the current address).
func (s *Server) publicPage(c *fiber.Ctx, t *verifyText, title, switchPath string) publicPage {
	p := publicPage{Lang: t.Lang, T: t, PageTitle: title, SwitchLang: t.Other, SwitchLabel: t.SwitchLabel}
	if ag := s.cachedAgency(c.UserContext()); ag != nil {
		p.AgencyName = ag.BKPSDMName
		if p.AgencyName == "" {
			p.AgencyName = ag.Name
		}
	}
	p.SwitchURL = switchPath + "?lang=" + t.Other
	if t.Lang == "en" {
		p.LangQuery = "?lang=en"
	}
	return p
}

func (s *Server) verifyPage(c *fiber.Ctx) error {
	token := strings.Clone(c.Params("token"))
	v := s.verify(c.UserContext(), token)
	// A relative link: the token (which holds the holder's full NIP) is not echoed in the page.
	return s.renderVerdict(c, langText(c), v, "")
}

// renderVerdict answers the verdict page (200, never cached). switchPath is where the page
// in the other language is found: "" on /v/ itself, else the /v/ address of the token.
func (s *Server) renderVerdict(c *fiber.Ctx, t *verifyText, v verification, switchPath string) error {
	p := verdictPage{publicPage: s.publicPage(c, t, t.VerifyTitle, switchPath), Verdict: s.verdictOf(v, t), Checks: checkLines(v, t)}
	if cert := v.Certificate; cert != nil {
		p.Details = s.detailRows(c, cert, t)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("verify", p)
}

// verdictPath is the /v/ address of a verified token: the short form when the token is
// genuine, else the token as it was read (if it fits in an address at all).
func verdictPath(v verification, token string) string {
	if v.Result.Compact != "" {
		if short, err := verifier.Short(v.Result.Compact); err == nil {
			return "/v/" + short
		}
	}
	token = strings.TrimSpace(token)
	if i := strings.LastIndex(strings.ToUpper(token), "/V/"); i >= 0 {
		token = token[i+3:]
	}
	if token == "" || len(token) > verifier.MaxTokenLength {
		return "/periksa"
	}
	return "/v/" + url.PathEscape(token)
}

func (s *Server) verdictOf(v verification, t *verifyText) verdictView {
	switch {
	case v.Result.Status == verifier.StatusValid && v.Result.StatusChecked:
		return verdictView{Class: "ok", Mark: "✓", Word: t.WordValid, Text: t.ExplValid}
	case v.unconfirmed():
		return verdictView{Class: "unknown", Mark: "?", Word: t.WordUnconfirmed, Text: t.ExplUnconfirmed}
	case v.Result.Status == verifier.StatusRevoked:
		out := verdictView{Class: "revoked", Mark: "!", Word: t.WordRevoked, Text: t.ExplRevoked}
		if c := v.Certificate; c != nil {
			if c.RevokedAt != nil {
				out.Text = fmt.Sprintf(t.ExplRevokedOn, t.date(c.RevokedAt.In(wib)))
			}
			if c.RevokeReason != "" {
				out.Text += " " + fmt.Sprintf(t.ReasonIs, t.reason(c.RevokeReason))
			}
		}
		if r := v.Replacement; r != nil {
			out.LinkURL = s.Issuance.VerifyURL(r)
			if t.Lang == "en" {
				out.LinkURL += "?lang=en"
			}
			out.LinkText = fmt.Sprintf(t.SeeReplacement, r.Number)
		}
		return out
	case v.Result.Status == verifier.StatusUnknownKey:
		return verdictView{Class: "bad", Mark: "✗", Word: t.WordUnknownKey, Text: t.ExplUnknownKey}
	case v.Result.Status == verifier.StatusKeyCompromised:
		return verdictView{Class: "bad", Mark: "✗", Word: t.WordKeyCompromised, Text: t.ExplKeyCompromised}
	}
	return verdictView{Class: "bad", Mark: "✗", Word: t.WordInvalid, Text: t.ExplInvalid}
}

// checkLines words the verdict's checks for the page (and for the API in English) from the
// structured result, then adds the line the page alone shows: the recommendation and the
// activity the certificate was issued under.
func checkLines(v verification, t *verifyText) []checkLine {
	res := v.Result
	kid := res.KID
	var out []checkLine
	add := func(name, state, label, detail string) {
		out = append(out, checkLine{Name: name, State: state, Label: label, Detail: detail})
	}
	state := func(ok bool) string {
		if ok {
			return "pass"
		}
		return "fail"
	}
	for _, c := range res.Checks {
		switch c.Name {
		case verifier.CheckFormat:
			add(c.Name, state(c.OK), t.LabelFormat, t.FormatBad)
		case verifier.CheckSignature:
			switch {
			case c.OK:
				add(c.Name, "pass", t.LabelSignature, t.SignatureOK)
			case res.Status == verifier.StatusUnknownKey:
				add(c.Name, "unknown", t.LabelSignature, t.SignatureUnchecked)
			default:
				add(c.Name, "fail", t.LabelSignature, t.SignatureBad)
			}
		case verifier.CheckKey:
			switch {
			case v.KeysUnavailable:
				add(c.Name, "unknown", t.LabelKey, t.KeysUnavailable)
			case c.OK && res.Claims != nil:
				add(c.Name, "pass", t.LabelKey, fmt.Sprintf(t.KeyOK, kid, t.date(res.Claims.Issued().In(wib))))
			case res.Status == verifier.StatusUnknownKey:
				add(c.Name, "fail", t.LabelKey, fmt.Sprintf(t.KeyUnknown, kid))
			case res.Status == verifier.StatusKeyCompromised && v.Key != nil && v.Key.CompromisedAt != nil:
				add(c.Name, "fail", t.LabelKey, fmt.Sprintf(t.KeyCompromised, kid, t.date(v.Key.CompromisedAt.In(wib))))
			default:
				add(c.Name, "fail", t.LabelKey, fmt.Sprintf(t.KeyNotValid, kid))
			}
		case verifier.CheckRecord:
			switch {
			case c.OK:
				add(c.Name, "pass", t.LabelRecord, t.RecordOK)
			case res.StatusChecked && !res.Cert.Found:
				add(c.Name, "fail", t.LabelRecord, t.RecordMissing)
			default:
				add(c.Name, "fail", t.LabelRecord, t.RecordMismatch)
			}
		case verifier.CheckStatus:
			switch {
			case c.OK:
				add(c.Name, "pass", t.LabelStatus, t.StatusOK)
			case res.Status == verifier.StatusRevoked:
				add(c.Name, "fail", t.LabelStatus, t.StatusRevoked)
			case res.StatusChecked && !res.Cert.Found:
				add(c.Name, "unknown", t.LabelStatus, t.StatusNoRecord)
			default:
				add(c.Name, "unknown", t.LabelStatus, t.StatusUnchecked)
			}
		default:
			add(c.Name, state(c.OK), c.Name, c.Detail)
		}
	}
	if cert := v.Certificate; cert != nil {
		if cert.RecommendationNumber != "" {
			add(checkRecommendation, "pass", t.LabelRecommendation, fmt.Sprintf(t.RecommendationOK, cert.RecommendationNumber, cert.Title))
		} else {
			add(checkRecommendation, "unknown", t.LabelRecommendation, fmt.Sprintf(t.RecommendationNone, cert.Title))
		}
	}
	return out
}

func (s *Server) detailRows(c *fiber.Ctx, cert *issuer.Certificate, t *verifyText) []detailRow {
	period := t.date(cert.StartDate.Time)
	if !cert.EndDate.Equal(cert.StartDate.Time) {
		period += " – " + t.date(cert.EndDate.Time)
	}
	issuerName := cert.IssuerCode
	if ag := s.cachedAgency(c.UserContext()); ag != nil && ag.BKPSDMName != "" {
		issuerName = ag.BKPSDMName + " (" + cert.IssuerCode + ")"
	}
	signer := cert.SignerName
	if cert.SignerTitle != "" {
		signer += ", " + cert.SignerTitle
	}
	rows := []detailRow{
		{t.DNumber, cert.Number},
		{t.DHolder, cert.HolderName},
		{t.DNIP, MaskNIP(cert.NIP)},
		{t.DPosition, cert.Position},
		{t.DUnit, cert.OPDName},
		{t.DActivity, cert.Title},
		{t.DKind, cert.KindLabel()},
		{t.DOrganizer, cert.Organizer},
		{t.DPeriod, period},
		{t.DJP, fmt.Sprintf("%d JP", cert.JP)},
		{t.DRecommendation, cert.RecommendationNumber},
		{t.DIssuer, issuerName},
		{t.DSigner, signer},
		{t.DIssued, t.date(cert.IssuedAt.In(wib))},
	}
	out := rows[:0]
	for _, r := range rows {
		if strings.TrimSpace(r.Value) != "" {
			out = append(out, r)
		}
	}
	return out
}

// renderMessage answers a small public page with a heading and a message.
func (s *Server) renderMessage(c *fiber.Ctx, status int, t *verifyText, heading, msg string) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Status(status)
	return c.Render("verify_message", messagePage{publicPage: s.publicPage(c, t, heading, "/periksa"), Heading: heading, Message: msg})
}

// lookupPage shows the other ways in: look-up by number and NIP, and an upload.
func (s *Server) lookupPage(c *fiber.Ctx) error {
	t := langText(c)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("verify_lookup", lookupPageData{publicPage: s.publicPage(c, t, t.LookupTitle, "/periksa")})
}

func (s *Server) lookupAgain(c *fiber.Ctx, t *verifyText, status int, msg, number string) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Status(status)
	return c.Render("verify_lookup", lookupPageData{publicPage: s.publicPage(c, t, t.LookupTitle, "/periksa"), Message: msg, Number: number})
}

// lookupSubmit finds a printed certificate by its number and its holder's NIP and answers
// its verdict page. A wrong NIP and an unknown number get the same answer, so the form does
// not tell whether a number exists.
func (s *Server) lookupSubmit(c *fiber.Ctx) error {
	t := langText(c)
	number := strings.Join(strings.Fields(c.FormValue("nomor")), " ")
	nip := strings.Join(strings.Fields(c.FormValue("nip")), "")
	switch {
	case number == "" || len(number) > 100:
		return s.lookupAgain(c, t, fiber.StatusBadRequest, t.LookupNeedNumber, "")
	case len(nip) != 18 || strings.Trim(nip, "0123456789") != "":
		return s.lookupAgain(c, t, fiber.StatusBadRequest, t.LookupNeedNIP, number)
	}
	list, _, err := s.Issuance.List(c.UserContext(), domain.System, issuer.CertFilter{NIP: nip, Q: number, Limit: 20})
	if err != nil {
		s.Logger.WarnContext(c.UserContext(), "certificate look-up failed", "err", err, "request_id", requestIDOf(c))
		return s.lookupAgain(c, t, fiber.StatusServiceUnavailable, t.LookupUnavailable, number)
	}
	for i := range list {
		if strings.EqualFold(list[i].Number, number) && list[i].NIP == nip {
			v := s.verify(c.UserContext(), list[i].Token)
			return s.renderVerdict(c, t, v, verdictPath(v, list[i].Token))
		}
	}
	return s.lookupAgain(c, t, fiber.StatusNotFound, t.LookupNotFound, number)
}

// uploadSubmit decodes the QR code of an uploaded photo, scan or PDF and answers its verdict
// page.
func (s *Server) uploadSubmit(c *fiber.Ctx) error {
	t := langText(c)
	tok, err := s.tokenFromUpload(c, t)
	if err != nil {
		status := fiber.StatusBadRequest
		if apperr.CodeOf(err) == apperr.CodeTooLarge {
			status = fiber.StatusRequestEntityTooLarge
		}
		return s.lookupAgain(c, t, status, apperr.As(err).Message, "")
	}
	v := s.verify(c.UserContext(), tok)
	return s.renderVerdict(c, t, v, verdictPath(v, tok))
}

// scanPage is the camera scanner (web/static/pindai.js): the browser's BarcodeDetector where
// there is one, the vendored jsQR otherwise, and the verdict fetched from the JSON API and
// shown without reloading. Without JavaScript or a camera it offers the look-up and upload.
func (s *Server) scanPage(c *fiber.Ctx) error {
	t := langText(c)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("pindai", scanPageData{publicPage: s.publicPage(c, t, t.ScanTitle, "/pindai"), Texts: t.scriptTexts()})
}

// ---- words ----

// verifyText is everything the public verification pages say, in one language. Data
// (names, titles, kinds of development) is shown as recorded.
type verifyText struct {
	Lang, Other, SwitchLabel string
	Months                   [12]string

	VerifyTitle, LookupTitle, ScanTitle, Heading, ChecksHeading, DetailsHeading string
	OtherWays, OtherScan, OtherLookup, Foot, FootKeys                           string

	WordValid, WordUnconfirmed, WordRevoked, WordInvalid, WordUnknownKey, WordKeyCompromised string
	ExplValid, ExplUnconfirmed, ExplRevoked, ExplRevokedOn, ReasonIs, SeeReplacement         string
	ExplInvalid, ExplUnknownKey, ExplKeyCompromised                                          string

	Pass, Fail, Unknown                                                                  string
	LabelFormat, LabelSignature, LabelKey, LabelRecord, LabelStatus, LabelRecommendation string
	FormatBad, SignatureOK, SignatureUnchecked, SignatureBad                             string
	KeysUnavailable, KeyOK, KeyUnknown, KeyCompromised, KeyNotValid                      string
	RecordOK, RecordMissing, RecordMismatch                                              string
	StatusOK, StatusRevoked, StatusNoRecord, StatusUnchecked                             string
	RecommendationOK, RecommendationNone                                                 string

	DNumber, DHolder, DNIP, DPosition, DUnit, DActivity, DKind, DOrganizer, DPeriod, DJP string
	DRecommendation, DIssuer, DSigner, DIssued                                           string

	LookupIntro, LookupHeading, LookupNumber, LookupNumberHint, LookupNIP, LookupNIPHint, LookupSubmit string
	LookupNeedNumber, LookupNeedNIP, LookupNotFound, LookupUnavailable                                 string
	UploadHeading, UploadHint, UploadFile, UploadSubmit                                                string
	UploadMissing, UploadTooLarge, UploadUnreadable                                                    string
	ScanIntro, ScanNoScript, ScanAlternatives                                                          string
	RateLimitedHeading, RateLimited                                                                    string

	reasons map[string]string
	decode  map[error]string
	script  map[string]string
}

func (t *verifyText) date(tm time.Time) string {
	if tm.IsZero() {
		return "–"
	}
	return fmt.Sprintf("%d %s %d", tm.Day(), t.Months[tm.Month()-1], tm.Year())
}

func (t *verifyText) reason(code string) string {
	if r, ok := t.reasons[code]; ok {
		return r
	}
	return issuer.ReasonLabel(code)
}

// decodeMessage words an ExtractToken error.
func (t *verifyText) decodeMessage(err error) string {
	for e, msg := range t.decode {
		if errors.Is(err, e) {
			return msg
		}
	}
	if t.Lang == "id" {
		return verifier.DecodeMessage(err)
	}
	return "The file could not be checked."
}

// scriptTexts are the words web/static/pindai.js needs, handed over as JSON in the page.
func (t *verifyText) scriptTexts() map[string]string {
	m := map[string]string{
		"valid": t.WordValid, "unconfirmed": t.WordUnconfirmed, "revoked": t.WordRevoked, "invalid": t.WordInvalid,
		"unknown_key": t.WordUnknownKey, "key_compromised": t.WordKeyCompromised,
		"explValid": t.ExplValid, "explUnconfirmed": t.ExplUnconfirmed, "explRevoked": t.ExplRevoked,
		"explInvalid": t.ExplInvalid, "explUnknownKey": t.ExplUnknownKey, "explKeyCompromised": t.ExplKeyCompromised,
		"pass": t.Pass, "fail": t.Fail, "unknown": t.Unknown, "checks": t.ChecksHeading, "details": t.DetailsHeading,
		"recommendation": t.LabelRecommendation, "recommendationOK": t.RecommendationOK,
		"dNumber": t.DNumber, "dHolder": t.DHolder, "dNIP": t.DNIP, "dActivity": t.DActivity, "dOrganizer": t.DOrganizer,
		"dPeriod": t.DPeriod, "dJP": t.DJP, "dSigner": t.DSigner, "dIssued": t.DIssued, "seeReplacement": t.SeeReplacement,
	}
	for k, v := range t.script {
		m[k] = v
	}
	return m
}

var textID = &verifyText{
	Lang: "id", Other: "en", SwitchLabel: "English",
	Months: [12]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},

	VerifyTitle: "Verifikasi Sertifikat", LookupTitle: "Periksa Sertifikat", ScanTitle: "Pindai Kode QR",
	Heading: "Hasil verifikasi sertifikat", ChecksHeading: "Pemeriksaan", DetailsHeading: "Data sertifikat",
	OtherWays: "Periksa sertifikat lain:", OtherScan: "pindai kode QR", OtherLookup: "cari nomor atau unggah berkas",
	Foot:     "Diperiksa oleh Sertika. Halaman ini tidak memakai cookie dan tidak melacak pengunjung.",
	FootKeys: "Keaslian juga dapat diperiksa tanpa server ini dengan kunci publik di",

	WordValid: "SAH", WordUnconfirmed: "BELUM DAPAT DIPASTIKAN", WordRevoked: "DICABUT", WordInvalid: "TIDAK SAH",
	WordUnknownKey: "KUNCI TIDAK DIKENAL", WordKeyCompromised: "KUNCI DICABUT",
	ExplValid:       "Sertifikat asli dan masih berlaku.",
	ExplUnconfirmed: "Tanda tangan dan kunci sah, tetapi status terkini (dicabut atau tidak) tidak dapat diperiksa saat ini. Jangan anggap sertifikat ini berlaku sebelum diperiksa ulang.",
	ExplRevoked:     "Sertifikat asli, tetapi telah dicabut.", ExplRevokedOn: "Sertifikat asli, tetapi telah dicabut pada %s.",
	ReasonIs: "Alasan: %s.", SeeReplacement: "Lihat sertifikat pengganti %s",
	ExplInvalid:        "Sertifikat ini tidak dapat dipercaya: isinya diubah, dipalsukan, atau tidak tercatat.",
	ExplUnknownKey:     "Ditandatangani dengan kunci yang tidak pernah diterbitkan instansi ini.",
	ExplKeyCompromised: "Ditandatangani setelah kunci penandatangan dilaporkan bocor.",

	Pass: "Lulus:", Fail: "Tidak lulus:", Unknown: "Tidak dapat diperiksa:",
	LabelFormat: "Format", LabelSignature: "Tanda tangan", LabelKey: "Kunci", LabelRecord: "Catatan penerbit",
	LabelStatus: "Status", LabelRecommendation: "Rekomendasi",
	FormatBad:          "Bukan token sertifikat Sertika yang sah.",
	SignatureOK:        "Tanda tangan elektronik sah (EdDSA/Ed25519).",
	SignatureUnchecked: "Tanda tangan tidak dapat diperiksa karena kuncinya tidak dikenal.",
	SignatureBad:       "Tanda tangan tidak cocok: isi sertifikat telah diubah atau dipalsukan.",
	KeysUnavailable:    "Daftar kunci penerbit tidak dapat dibaca saat ini. Coba lagi nanti.",
	KeyOK:              "Kunci %s dikenal: diterbitkan instansi ini dan berlaku saat sertifikat ditandatangani (%s).",
	KeyUnknown:         "Kunci %q tidak pernah diterbitkan oleh instansi ini.",
	KeyCompromised:     "Kunci %s dilaporkan bocor sejak %s; sertifikat ini ditandatangani sesudahnya.",
	KeyNotValid:        "Kunci %s tidak berlaku pada tanggal penerbitan.",
	RecordOK:           "Catatan sertifikat di penerbit ditemukan dan cocok dengan isi yang ditandatangani.",
	RecordMissing:      "Tanda tangan sah, tetapi penerbit tidak memiliki catatan sertifikat ini.",
	RecordMismatch:     "Catatan di server tidak cocok dengan isi sertifikat yang ditandatangani.",
	StatusOK:           "Diperiksa sekarang: sertifikat belum dicabut dan masih berlaku.",
	StatusRevoked:      "Diperiksa sekarang: sertifikat telah dicabut.",
	StatusNoRecord:     "Status tidak dapat dipastikan tanpa catatan penerbit.",
	StatusUnchecked:    "Status terkini tidak dapat diperiksa saat ini. Coba lagi nanti.",
	RecommendationOK:   "Diterbitkan berdasarkan rekomendasi nomor %s untuk kegiatan “%s”.",
	RecommendationNone: "Kegiatan “%s” tidak mencatat nomor rekomendasi.",

	DNumber: "Nomor", DHolder: "Diberikan kepada", DNIP: "NIP", DPosition: "Jabatan", DUnit: "Unit kerja",
	DActivity: "Kegiatan", DKind: "Jenis", DOrganizer: "Penyelenggara", DPeriod: "Waktu", DJP: "Jam pelajaran",
	DRecommendation: "Nomor rekomendasi", DIssuer: "Penerbit", DSigner: "Penandatangan", DIssued: "Diterbitkan",

	LookupIntro:   "Kode QR rusak atau tidak terbaca? Periksa sertifikat dengan nomornya dan NIP pemegangnya, atau unggah foto atau PDF sertifikat.",
	LookupHeading: "Cari dengan nomor sertifikat",
	LookupNumber:  "Nomor sertifikat", LookupNumberHint: "Seperti tercetak, misalnya 800.1/0001/SERT/BKPSDM/2026.",
	LookupNIP: "NIP pemegang sertifikat", LookupNIPHint: "18 angka, tanpa spasi.",
	LookupSubmit:      "Periksa",
	LookupNeedNumber:  "Isi nomor sertifikat seperti tercetak (paling panjang 100 karakter).",
	LookupNeedNIP:     "NIP harus 18 angka.",
	LookupNotFound:    "Tidak ada sertifikat dengan nomor dan NIP tersebut. Periksa kembali nomor dan NIP seperti tercetak.",
	LookupUnavailable: "Pencarian tidak dapat dilakukan saat ini. Coba lagi nanti.",
	UploadHeading:     "Unggah foto atau PDF sertifikat",
	UploadHint:        "Foto atau pindaian (PNG atau JPEG) atau PDF, paling besar 10 MB. Kode QR dibaca di server.",
	UploadFile:        "Berkas", UploadSubmit: "Unggah dan periksa",
	UploadMissing:      "Pilih berkas foto (PNG atau JPEG) atau PDF sertifikat.",
	UploadTooLarge:     "Berkas terlalu besar: paling besar 10 MB.",
	UploadUnreadable:   "Berkas tidak dapat dibaca.",
	ScanIntro:          "Arahkan kamera ponsel ke kode QR pada sertifikat. Hasilnya tampil di halaman ini.",
	ScanNoScript:       "Pemindai kamera memerlukan JavaScript. Gunakan cara lain di bawah ini.",
	ScanAlternatives:   "Cara lain",
	RateLimitedHeading: "Terlalu banyak permintaan",
	RateLimited:        "Terlalu banyak permintaan verifikasi dari alamat ini. Coba lagi sebentar lagi.",

	script: map[string]string{
		"start": "Nyalakan kamera", "stop": "Matikan kamera", "again": "Pindai lagi",
		"noCamera":  "Kamera tidak tersedia pada perangkat atau peramban ini. Gunakan cara lain di bawah: unggah foto kode QR, atau cari dengan nomor sertifikat.",
		"denied":    "Izin kamera ditolak. Izinkan kamera di pengaturan peramban, atau gunakan cara lain di bawah.",
		"ready":     "Kamera siap. Tekan tombol untuk mulai memindai.",
		"scanning":  "Arahkan kamera ke kode QR pada sertifikat…",
		"checking":  "Kode QR terbaca. Memeriksa…",
		"network":   "Tidak dapat menghubungi server. Periksa sambungan lalu coba lagi.",
		"limited":   "Terlalu banyak permintaan. Coba lagi sebentar lagi.",
		"fullPage":  "Buka halaman hasil lengkap",
		"loadError": "Pemindai tidak dapat dimuat. Gunakan cara lain di bawah.",
	},
}

var textEN = &verifyText{
	Lang: "en", Other: "id", SwitchLabel: "Bahasa Indonesia",
	Months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},

	VerifyTitle: "Certificate Verification", LookupTitle: "Check a Certificate", ScanTitle: "Scan a QR Code",
	Heading: "Certificate verification result", ChecksHeading: "Checks", DetailsHeading: "Certificate details",
	OtherWays: "Check another certificate:", OtherScan: "scan a QR code", OtherLookup: "find by number or upload a file",
	Foot:     "Checked by Sertika. This page uses no cookies and does not track visitors.",
	FootKeys: "Authenticity can also be checked without this server, with the public keys at",

	WordValid: "VALID", WordUnconfirmed: "CANNOT BE CONFIRMED NOW", WordRevoked: "REVOKED", WordInvalid: "NOT VALID",
	WordUnknownKey: "UNKNOWN KEY", WordKeyCompromised: "KEY REVOKED",
	ExplValid:       "The certificate is genuine and still in force.",
	ExplUnconfirmed: "The signature and key are valid, but whether the certificate has been revoked could not be checked just now. Do not treat it as in force until it has been checked again.",
	ExplRevoked:     "The certificate is genuine but has been revoked.", ExplRevokedOn: "The certificate is genuine but was revoked on %s.",
	ReasonIs: "Reason: %s.", SeeReplacement: "See the replacing certificate %s",
	ExplInvalid:        "This certificate cannot be trusted: its content was altered or forged, or it is not on record.",
	ExplUnknownKey:     "Signed with a key this agency never published.",
	ExplKeyCompromised: "Signed after the signing key was reported compromised.",

	Pass: "Passed:", Fail: "Failed:", Unknown: "Could not be checked:",
	LabelFormat: "Format", LabelSignature: "Signature", LabelKey: "Key", LabelRecord: "Issuer's record",
	LabelStatus: "Status", LabelRecommendation: "Recommendation",
	FormatBad:          "This is not a valid Sertika certificate token.",
	SignatureOK:        "Valid electronic signature (EdDSA/Ed25519).",
	SignatureUnchecked: "The signature could not be checked because its key is unknown.",
	SignatureBad:       "The signature does not match: the certificate's content was altered or forged.",
	KeysUnavailable:    "The issuer's key list cannot be read just now. Try again later.",
	KeyOK:              "Key %s is known: published by this agency and valid when the certificate was signed (%s).",
	KeyUnknown:         "Key %q was never published by this agency.",
	KeyCompromised:     "Key %s was reported compromised on %s; this certificate was signed afterwards.",
	KeyNotValid:        "Key %s was not valid on the date of issue.",
	RecordOK:           "The issuer's record of the certificate was found and matches what was signed.",
	RecordMissing:      "The signature is valid, but the issuer has no record of this certificate.",
	RecordMismatch:     "The record on the server does not match the signed certificate.",
	StatusOK:           "Checked now: the certificate has not been revoked and is in force.",
	StatusRevoked:      "Checked now: the certificate has been revoked.",
	StatusNoRecord:     "The status cannot be established without the issuer's record.",
	StatusUnchecked:    "The current status could not be checked just now. Try again later.",
	RecommendationOK:   "Issued under recommendation number %s for the activity “%s”.",
	RecommendationNone: "The activity “%s” records no recommendation number.",

	DNumber: "Number", DHolder: "Awarded to", DNIP: "NIP", DPosition: "Position", DUnit: "Unit",
	DActivity: "Activity", DKind: "Kind", DOrganizer: "Organiser", DPeriod: "Dates", DJP: "Learning hours",
	DRecommendation: "Recommendation number", DIssuer: "Issuer", DSigner: "Signed by", DIssued: "Issued",

	LookupIntro:   "Damaged or unreadable QR code? Check the certificate by its number and its holder's NIP, or upload a photo or the PDF of the certificate.",
	LookupHeading: "Find by certificate number",
	LookupNumber:  "Certificate number", LookupNumberHint: "As printed, for example 800.1/0001/SERT/BKPSDM/2026.",
	LookupNIP: "Holder's NIP", LookupNIPHint: "18 digits, no spaces.",
	LookupSubmit:      "Check",
	LookupNeedNumber:  "Enter the certificate number as printed (at most 100 characters).",
	LookupNeedNIP:     "The NIP must be 18 digits.",
	LookupNotFound:    "There is no certificate with that number and NIP. Check the number and NIP as printed.",
	LookupUnavailable: "The search cannot be made just now. Try again later.",
	UploadHeading:     "Upload a photo or the PDF of the certificate",
	UploadHint:        "A photo or scan (PNG or JPEG) or a PDF, at most 10 MB. The QR code is read on the server.",
	UploadFile:        "File", UploadSubmit: "Upload and check",
	UploadMissing:      "Choose a photo (PNG or JPEG) or the PDF of the certificate.",
	UploadTooLarge:     "The file is too large: at most 10 MB.",
	UploadUnreadable:   "The file cannot be read.",
	ScanIntro:          "Point your phone's camera at the QR code on the certificate. The result appears on this page.",
	ScanNoScript:       "The camera scanner needs JavaScript. Use one of the other ways below.",
	ScanAlternatives:   "Other ways",
	RateLimitedHeading: "Too many requests",
	RateLimited:        "Too many verification requests from this address. Try again in a moment.",

	reasons: map[string]string{issuer.ReasonIssuedInError: "Issued in error", issuer.ReasonFraud: "Fraud",
		issuer.ReasonReplaced: "Replaced by a new certificate", issuer.ReasonWithdrawn: "Withdrawn"},
	decode: map[error]string{
		verifier.ErrEmptyInput:     "The file is empty.",
		verifier.ErrTooLarge:       "The file is too large: at most 10 MB and 40 megapixels.",
		verifier.ErrUnsupported:    "Unsupported file type: upload a photo or scan (PNG or JPEG) or the PDF of the certificate.",
		verifier.ErrUnreadable:     "The file is damaged or cannot be read.",
		verifier.ErrNoQR:           "No QR code found. Make sure the whole QR code is visible, not cut off and not blurred.",
		verifier.ErrNotCertificate: "A QR code was read, but it is not a Sertika certificate code.",
	},
	script: map[string]string{
		"start": "Turn on the camera", "stop": "Turn off the camera", "again": "Scan again",
		"noCamera":  "No camera is available on this device or browser. Use one of the other ways below: upload a photo of the QR code, or find the certificate by its number.",
		"denied":    "Camera permission was refused. Allow the camera in your browser settings, or use one of the other ways below.",
		"ready":     "Camera ready. Press the button to start scanning.",
		"scanning":  "Point the camera at the QR code on the certificate…",
		"checking":  "QR code read. Checking…",
		"network":   "The server cannot be reached. Check your connection and try again.",
		"limited":   "Too many requests. Try again in a moment.",
		"fullPage":  "Open the full result page",
		"loadError": "The scanner could not be loaded. Use one of the other ways below.",
	},
}
