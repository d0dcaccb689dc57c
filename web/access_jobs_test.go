package web

// accessRowsJobs classify the background jobs' routes (web/routes_jobs.go). Any signed-in
// user may ask; the registry answers 404 for a job that is not theirs (jobs_test.go).
var accessRowsJobs = []accessRow{
	{route: "GET /tugas/:id", allow: allowUsers},
	{route: "GET /tugas/:id/status", allow: allowUsers},
	{route: "GET /tugas/:id/unduh", allow: allowUsers},
	{route: "GET /api/v1/jobs/:id", allow: allowUsers},
	{route: "GET /api/v1/jobs/:id/download", allow: allowUsers},
}
