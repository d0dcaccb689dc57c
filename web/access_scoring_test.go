package web

// accessRowsScoring classify this feature's routes.
var accessRowsScoring = []accessRow{
	// JSON API (web/routes_scoring.go). The sample employee nipA1 works in DISDIK, the opd
	// user's OPD, and is the pegawai user; the list names DISDIK (the agency-wide list,
	// without opd, is BKPSDM's only: api_scoring_test.go).
	{route: "GET /api/v1/employees/:nip/score", allow: allowUsers},
	{route: "GET /api/v1/opds/:code/score", allow: allowScoreOPD},
	{route: "GET /api/v1/score", allow: allowScoreAgency},
	{route: "GET /api/v1/score/employees", path: "/api/v1/score/employees?opd=DISDIK", allow: allowScoreOPD},
	{route: "GET /api/v1/targets", allow: allowUsers},
	{route: "PUT /api/v1/targets/:year", path: "/api/v1/targets/2026", body: `{}`, allow: allowAdmin}, // no target: 400

	// Pages (web/pages_scoring*.go). /skor sends an OPD user and an employee to their own
	// page (a redirect: allowed); the agency-wide pages are BKPSDM's. /skor/cetak and the
	// export without ?opd= show an OPD user their own OPD. Nothing is written: the target
	// form without a target is refused by the service (admin: 400; others: 403).
	{route: "GET /skor", allow: allowUsers},
	{route: "POST /skor/target", body: "tahun=2026&target=", allow: allowAdmin},
	{route: "GET /skor/opd/:code", allow: allowScoreOPD},
	{route: "GET /skor/pegawai/:nip", allow: allowUsers},
	{route: "GET /skor/daftar", path: "/skor/daftar?jenis=below_jp&opd=DISDIK", allow: allowScoreOPD},
	{route: "GET /skor/cetak", allow: allowScoreOPD},
	{route: "GET /skor/ekspor.xlsx", allow: allowScoreOPD},
}

// Who may read the IP ASN dashboards.
const (
	allowScoreAgency = "admin verifikator penandatangan"
	allowScoreOPD    = "admin verifikator penandatangan opd"
)
