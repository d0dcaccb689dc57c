package web

// accessRowsFactImport classify the fact imports' routes and the SIASN export
// (web/routes_factimport.go, web/export_siasn.go). Only administrators import; the sample
// report id names no report, so an administrator gets 404 there (past authorization). Every
// signed-in role exports certificates, each within its scope (export_siasn_test.go).
var accessRowsFactImport = []accessRow{
	{route: "GET /impor/skp", allow: allowAdmin},
	{route: "POST /impor/skp", body: "dry_run=1", allow: allowAdmin}, // no file: the form again with 400
	{route: "GET /impor/skp/templat.csv", allow: allowAdmin},
	{route: "GET /impor/skp/templat.xlsx", allow: allowAdmin},
	{route: "GET /impor/skp/hasil/:id", allow: allowAdmin},
	{route: "GET /impor/skp/hasil/:id/laporan.csv", allow: allowAdmin},
	{route: "GET /impor/hukdis", allow: allowAdmin},
	{route: "POST /impor/hukdis", body: "dry_run=1", allow: allowAdmin},
	{route: "GET /impor/hukdis/templat.csv", allow: allowAdmin},
	{route: "GET /impor/hukdis/templat.xlsx", allow: allowAdmin},
	{route: "GET /impor/hukdis/hasil/:id", allow: allowAdmin},
	{route: "GET /impor/hukdis/hasil/:id/laporan.csv", allow: allowAdmin},
	{route: "GET /impor/pengembangan", allow: allowAdmin},
	{route: "POST /impor/pengembangan", body: "dry_run=1", allow: allowAdmin},
	{route: "GET /impor/pengembangan/templat.csv", allow: allowAdmin},
	{route: "GET /impor/pengembangan/templat.xlsx", allow: allowAdmin},
	{route: "GET /impor/pengembangan/hasil/:id", allow: allowAdmin},
	{route: "GET /impor/pengembangan/hasil/:id/laporan.csv", allow: allowAdmin},

	{route: "POST /api/v1/imports/skp", body: `{}`, allow: allowAdmin}, // not multipart: 400
	{route: "GET /api/v1/imports/skp/template", allow: allowAdmin},
	{route: "POST /api/v1/imports/hukdis", body: `{}`, allow: allowAdmin},
	{route: "GET /api/v1/imports/hukdis/template", allow: allowAdmin},
	{route: "POST /api/v1/imports/pengembangan", body: `{}`, allow: allowAdmin},
	{route: "GET /api/v1/imports/pengembangan/template", allow: allowAdmin},

	{route: "GET /sertifikat/ekspor-siasn", allow: allowUsers},
	{route: "GET /api/v1/certificates/export/siasn", allow: allowUsers},
}
