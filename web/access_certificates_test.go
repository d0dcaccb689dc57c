package web

// accessRowsCertificateAPI classify the certificate API (web/api_certificates.go) and the
// public verification (web/verify.go). The harness issues no certificate, so the sample
// certificate id (accessParamSamples["cid"]) names none: every role that may ask about a
// certificate is answered 404 (past authorization, refused for reasons of data, as the
// table's rules allow), and sample request 1 is only submitted, so issuing answers 409 and
// its ZIP 404. Writes send a body that fails decoding, so nothing changes.
var accessRowsCertificateAPI = []accessRow{
	// Only the signer issues, revokes and re-issues.
	{route: "POST /api/v1/requests/:id/certificates", allow: "penandatangan"}, // request 1 is submitted: 409
	{route: "POST /api/v1/certificates/:cid/revoke", body: `{"reason":5}`, allow: "penandatangan"},
	{route: "POST /api/v1/certificates/:cid/reissue", body: `{"note":5}`, allow: "penandatangan"},
	// Every signed-in role reads certificates, each within its scope (BKPSDM staff all, an
	// OPD its requests', an employee their own; api_certificates_test.go checks the scopes).
	{route: "GET /api/v1/certificates", allow: allowUsers},
	{route: "GET /api/v1/certificates/:cid", allow: allowUsers},
	{route: "GET /api/v1/certificates/:cid/qr.png", allow: allowUsers},
	{route: "GET /api/v1/certificates/:cid/pdf", allow: allowUsers},
	{route: "GET /api/v1/requests/:id/certificates.zip", allow: allowUsers},
	// Verification is public: the JSON answer, the page a QR code opens and the key set.
	{route: "GET /api/v1/verify", path: "/api/v1/verify?token=BUKAN-TOKEN", allow: allowPublic},
	{route: "GET /v/:token", path: "/v/BUKAN-TOKEN", allow: allowPublic},
	{route: "GET /.well-known/jwks.json", allow: allowPublic},
	// The other ways in (web/verify.go): JSON or an uploaded file, batches, the status list
	// (409 in the harness: no issuer code yet), the look-up and upload forms, the scanner.
	{route: "POST /api/v1/verify", body: `{"token":"BUKAN-TOKEN"}`, allow: allowPublic},
	{route: "POST /api/v1/verify/batch", body: `{"tokens":["BUKAN-TOKEN"]}`, allow: allowPublic},
	{route: "GET /api/v1/status-list", allow: allowPublic},
	{route: "GET /periksa", allow: allowPublic},
	{route: "POST /periksa", body: "nomor=800.1%2F0001&nip=196608011988031001", allow: allowPublic}, // not found: 404
	{route: "POST /periksa/unggah", allow: allowPublic},                                             // no file: 400
	{route: "GET /pindai", allow: allowPublic},
}
