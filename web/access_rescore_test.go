package web

// accessRowsRescore classify the rescore routes (web/pages_rescore.go) and the employee
// import's report page (web/pages_import.go): administrators only. The writes send a year out
// of range, so an allowed caller gets 400 and no job runs; the sample report id is unknown,
// so an administrator gets 404 (allowed: past authorization).
var accessRowsRescore = []accessRow{
	{route: "GET /impor/pegawai/hasil/:id", allow: allowAdmin},
	{route: "GET /skor/hitung-ulang", allow: allowAdmin},
	{route: "POST /skor/hitung-ulang", body: "tahun=1", allow: allowAdmin},
	{route: "POST /api/v1/rescore", body: `{"year":1}`, allow: allowAdmin},
}
