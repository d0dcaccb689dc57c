package web

// accessRowsRequestAPI classify the approval-workflow API (web/api_requests.go). Sample
// request 1 (harness) is DISDIK's, submitted, with nipA1 and nipA2 as participants and
// attachment 1. Writes send a body that fails validation, so an allowed caller gets 400 and
// the sample is never changed.
var accessRowsRequestAPI = []accessRow{
	// Only OPD users write requests and reports; the body fails decoding ("note" must be a
	// string, "title" too), so the sample stays as it is.
	{route: "POST /api/v1/requests", body: `{"title":5}`, allow: "opd"},
	{route: "GET /api/v1/requests", allow: allowUsers},
	// Request 1: BKPSDM staff see every request, the opd user it is DISDIK's, the pegawai
	// (nipA1) takes part in it.
	{route: "GET /api/v1/requests/:id", allow: allowUsers},
	{route: "PUT /api/v1/requests/:id", body: `{"title":5}`, allow: "opd"},
	{route: "POST /api/v1/requests/:id/submit", body: `{"note":5}`, allow: "opd"},
	{route: "POST /api/v1/requests/:id/withdraw", body: `{"note":5}`, allow: "opd"},
	{route: "POST /api/v1/requests/:id/report", body: `{"note":5}`, allow: "opd"},
	// No file in a JSON body: 400 for the OPD.
	{route: "POST /api/v1/requests/:id/attachments", body: `{}`, allow: "opd"},
	// Only verifikator decides and reviews reports (not admin, not the signer).
	{route: "POST /api/v1/requests/:id/return", body: `{"note":5}`, allow: "verifikator"},
	{route: "POST /api/v1/requests/:id/approve", body: `{"note":5}`, allow: "verifikator"},
	{route: "POST /api/v1/requests/:id/reject", body: `{"reason":5}`, allow: "verifikator"},
	{route: "POST /api/v1/requests/:id/report/verify", body: `{"note":5}`, allow: "verifikator"},
	{route: "POST /api/v1/requests/:id/report/return", body: `{"note":5}`, allow: "verifikator"},
	// Whoever sees request 1 reads its attachment and its letter (409 while it is only
	// submitted: past authorization).
	{route: "GET /api/v1/requests/:id/attachments/:att", allow: allowUsers},
	{route: "GET /api/v1/requests/:id/letter.pdf", allow: allowUsers},
	// Everyone has their own notifications.
	{route: "GET /api/v1/notifications", allow: allowUsers},
	{route: "POST /api/v1/notifications/read", body: `{"id":"x"}`, allow: allowUsers},
}

// accessRowsRequestPages classify the approval-workflow pages (web/pages_requests*.go). As
// for the API, every write is refused by validation once past authorization, so sample
// request 1 stays submitted: a note with a control character (catatan=%01) fails the
// service's note check before any transition, the forms without their fields fail as forms.
var accessRowsRequestPages = []accessRow{
	{route: "GET /usulan", allow: allowUsers}, // each role sees its own part
	{route: "GET /usulan/baru", allow: "opd"},
	{route: "POST /usulan/baru", body: "title=", allow: "opd"},
	{route: "GET /antrean", allow: "admin verifikator penandatangan"},
	{route: "GET /usulan/:id", allow: allowUsers}, // the pegawai user (nipA1) takes part in request 1
	// Request 1 is submitted: the edit and report forms answer 409 to its OPD (past
	// authorization), 403 to everyone else.
	{route: "GET /usulan/:id/ubah", allow: "opd"},
	{route: "POST /usulan/:id/ubah", body: "title=", allow: "opd"},
	{route: "GET /usulan/:id/laporan", allow: "opd"},
	{route: "POST /usulan/:id/laporan", body: "rows=0", allow: "opd"},
	{route: "POST /usulan/:id/ajukan", body: "catatan=%01", allow: "opd"},
	{route: "POST /usulan/:id/tarik", body: "konfirmasi=ya&catatan=%01", allow: "opd"},
	{route: "POST /usulan/:id/lampiran", body: "jenis=usulan", allow: "opd"}, // no file: 400
	// Only verifikator decides and reviews reports (not admin, not the signer).
	{route: "POST /usulan/:id/kembalikan", body: "catatan=%01", allow: "verifikator"},
	{route: "POST /usulan/:id/setujui", body: "catatan=%01", allow: "verifikator"},
	{route: "POST /usulan/:id/tolak", body: "catatan=%01", allow: "verifikator"},
	{route: "POST /usulan/:id/laporan/verifikasi", body: "catatan=%01", allow: "verifikator"},
	{route: "POST /usulan/:id/laporan/kembalikan", body: "catatan=%01", allow: "verifikator"},
	// Whoever sees request 1 downloads its attachment and its letter (409 while it is only
	// submitted: past authorization).
	{route: "GET /usulan/:id/lampiran/:att", allow: allowUsers},
	{route: "GET /usulan/:id/surat.pdf", allow: allowUsers},
	// Everyone has their own notifications.
	{route: "GET /notifikasi", allow: allowUsers},
	{route: "POST /notifikasi/baca", allow: allowUsers},
	{route: "POST /notifikasi/:id/baca", allow: allowUsers},
}
