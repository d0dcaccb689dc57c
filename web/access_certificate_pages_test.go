package web

// accessRowsCertificatePages classify the certificate pages (web/pages_certificates*.go).
// Sample request 1 is submitted, so nothing can be issued from it, and certificate
// TIDAKADA does not exist: every reader allowed past authorization gets the page or 404
// (data, not a denial), and every write is refused by validation or the service (no
// confirmation box ticked: 400; no certificate to put in a ZIP: 404), so nothing changes
// and no background job starts.
var accessRowsCertificatePages = []accessRow{
	// Whoever sees request 1 opens its certificate page and the (empty: 404) ZIP; only the
	// signer signs.
	{route: "GET /usulan/:id/sertifikat", allow: allowUsers},
	{route: "POST /usulan/:id/sertifikat", body: "konfirmasi=", allow: "penandatangan"},
	{route: "GET /usulan/:id/sertifikat.zip", allow: allowUsers},
	// The ZIP built by a background job: nothing to build for request 1 (404), no job starts.
	{route: "POST /usulan/:id/sertifikat.zip", allow: allowUsers},
	// The list is scoped by the service; a certificate nobody may see answers 404.
	{route: "GET /sertifikat", allow: allowUsers},
	{route: "GET /sertifikat/:cid", path: "/sertifikat/TIDAKADA", allow: allowUsers},
	{route: "GET /sertifikat/:cid/pdf", path: "/sertifikat/TIDAKADA/pdf", allow: allowUsers},
	{route: "GET /sertifikat/:cid/qr.png", path: "/sertifikat/TIDAKADA/qr.png", allow: allowUsers},
	// Only the signer revokes and re-issues.
	{route: "POST /sertifikat/:cid/cabut", path: "/sertifikat/TIDAKADA/cabut", body: "alasan=fraud&catatan=x", allow: "penandatangan"},
	{route: "POST /sertifikat/:cid/terbitkan-ulang", path: "/sertifikat/TIDAKADA/terbitkan-ulang", body: "catatan=x", allow: "penandatangan"},
}
