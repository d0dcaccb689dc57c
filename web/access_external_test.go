package web

// accessRowsExternal classify the review flow of external development records
// (web/routes_external.go). The harness has no external record, so the sample id 1 names
// none: every role that may ask about a record gets 404 (past authorization, refused for
// reasons of data, as the table's rules allow); web/external_test.go checks the object-level
// rules (another OPD's employee, another NIP) with real records. Writes send a body that
// fails before anything is written.
var accessRowsExternal = []accessRow{
	// JSON API. Any signed-in role lists and reads, each within its scope.
	{route: "GET /api/v1/external-trainings", allow: allowUsers},
	{route: "GET /api/v1/external-trainings/:id", allow: allowUsers},
	{route: "GET /api/v1/external-trainings/:id/evidence", allow: allowUsers},
	// Employees (for themselves) and OPD users (for their OPD's employees) submit and
	// correct; a JSON body instead of multipart answers 400.
	{route: "POST /api/v1/external-trainings", body: `{}`, allow: "opd pegawai"},
	{route: "POST /api/v1/external-trainings/:id/resubmit", body: `{}`, allow: "opd pegawai"},
	// Administrators and verifikator decide (not the signer); "decision" must be a string.
	{route: "POST /api/v1/external-trainings/:id/review", body: `{"decision":5}`, allow: "admin verifikator"},

	// Pages.
	{route: "GET /pelatihan-eksternal", allow: allowUsers},
	{route: "GET /pelatihan-eksternal/baru", allow: "opd pegawai"},
	{route: "POST /pelatihan-eksternal/baru", body: "title=", allow: "opd pegawai"}, // no fields, no file: the form again with 400
	{route: "GET /pelatihan-eksternal/:id", allow: allowUsers},
	{route: "GET /pelatihan-eksternal/:id/bukti", allow: allowUsers},
	{route: "POST /pelatihan-eksternal/:id/tinjau", body: "keputusan=tolak&alasan=", allow: "admin verifikator"},
	{route: "GET /pelatihan-eksternal/:id/ajukan-ulang", allow: "opd pegawai"},
	{route: "POST /pelatihan-eksternal/:id/ajukan-ulang", body: "title=", allow: "opd pegawai"},
}
