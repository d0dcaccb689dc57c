package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/importer"
	"github.com/sertika/sertika/internal/jobs"
)

// The employee import in the browser runs as a background job (internal/jobs): a file of
// 50,000 rows takes seconds to check and write, too long for a request that shows nothing.
//
//	POST /impor/pegawai                    the upload → 303 /tugas/{id} (progress page)
//	GET  /impor/pegawai/hasil/:id          the report, row by row (refused rows first)
//	GET  /tugas/:id/unduh                  the same as CSV (the job's file), for large files
//
// What a job produces is its report, which is stored nowhere when nothing was committed
// (and only as JSON in import_runs when it was). The server keeps it in memory, keyed by the
// job's id, for as long as the registry keeps the job (jobs.Registry.Keep, an hour), so the
// result page can be reloaded and paged. A restart forgets it, like the job itself; the
// operator then runs the import (or the dry run) again, which is safe.
//
// The upload is read as the fact imports read theirs (readImportUpload, pages_factimport.go),
// and the job's file is the full report as CSV in their format (writeReportFile). Problems
// that the upload shows by itself — no file, an empty file, a file over the limit — are
// answered at once on the form; problems found reading the file (not CSV or XLSX,
// unknown columns…) end the job, whose page shows them. The API (api_import.go) stays
// synchronous: scripts rely on getting the report in the answer.

// Content types of the import templates.
const (
	mimeCSV  = "text/csv; charset=utf-8"
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// errNoFile answers an import form sent without a file.
var errNoFile = apperr.Invalid("Pilih berkas CSV atau XLSX yang akan diimpor.")

// importKind is the kind of the import jobs.
const importKind = "import"

// Bounds of the result page.
const (
	importRowsPerPage   = 500  // rows of the full table per page
	importRejectedShown = 1000 // refused rows listed above it (all are in the CSV)
	importReportsKept   = 20   // reports kept in memory at most (the oldest go first)
)

// importReports keeps the reports of the import jobs for their result pages. The zero value
// is ready to use.
type importReports struct {
	mu sync.Mutex
	m  map[string]importReport
}

type importReport struct {
	rep *importer.Report
	at  time.Time
}

// put keeps rep under the job id, forgetting reports older than keep and, beyond
// importReportsKept, the oldest.
func (r *importReports) put(id string, rep *importer.Report, keep time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if r.m == nil {
		r.m = map[string]importReport{}
	}
	for k, v := range r.m {
		if now.Sub(v.at) > keep {
			delete(r.m, k)
		}
	}
	for len(r.m) >= importReportsKept {
		oldest := ""
		for k, v := range r.m {
			if oldest == "" || v.at.Before(r.m[oldest].at) {
				oldest = k
			}
		}
		delete(r.m, oldest)
	}
	r.m[id] = importReport{rep: rep, at: now}
}

// get returns the report kept under the job id.
func (r *importReports) get(id string) (*importer.Report, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.m[id]
	return v.rep, ok
}

// drop forgets the report of a job that is gone.
func (r *importReports) drop(id string) {
	r.mu.Lock()
	delete(r.m, id)
	r.mu.Unlock()
}

func (s *Server) importFormPage(c *fiber.Ctx, status int, errMsg string, dryRun bool) error {
	return s.page(c, status, "import_form", "Impor data pegawai", fiber.Map{
		"Error": errMsg, "DryRun": dryRun, "MaxSize": sizeLabel(int64(s.MaxUploadBytes)), "Columns": importer.EmployeeColumns()})
}

func (s *Server) importForm(c *fiber.Ctx) error {
	return s.importFormPage(c, fiber.StatusOK, "", false)
}

// importUpload checks the upload and starts the import job; the browser follows its
// progress on /tugas/{id} and lands on the report.
func (s *Server) importUpload(c *fiber.Ctx) error {
	dryRun := c.FormValue("dry_run") != ""
	name, data, err := s.readImportUpload(c, "berkas")
	if err == nil && len(data) == 0 {
		err = apperr.Invalid("Berkas kosong.")
	}
	if err != nil {
		if status, msg, ok := formError(err); ok {
			return s.importFormPage(c, status, msg, dryRun)
		}
		return err
	}
	a := actor(c)
	title := "Impor data pegawai"
	if dryRun {
		title = "Uji coba impor data pegawai"
	}
	if name != "" {
		title += ": " + name
	}
	// The same file sent twice while the first is still being imported (a double click, a
	// reload of the form) shows the running job.
	sum := sha256.Sum256(data)
	key := fmt.Sprintf("import:employees:%t:%s", dryRun, hex.EncodeToString(sum[:]))
	return s.startJob(c, key, importKind, title, func(ctx context.Context, p *jobs.Progress) (jobs.Result, error) {
		p.Phase("Membaca dan memeriksa berkas", 0)
		var once sync.Once
		progress := func(done, total int) {
			once.Do(func() {
				if dryRun {
					p.Phase("Mencocokkan dengan data pegawai", int64(total))
				} else {
					p.Phase("Menyimpan data pegawai", int64(total))
				}
			})
			p.Update(int64(done), int64(total))
		}
		rep, err := importer.ImportEmployees(ctx, s.DB, a, name, bytes.NewReader(data),
			importer.Options{DryRun: dryRun, MaxBytes: int64(s.MaxUploadBytes), Rescorer: s.rescorer(), Progress: progress})
		if err != nil {
			return jobs.Result{}, err
		}
		file, err := writeReportFile(rep)
		if err != nil {
			return jobs.Result{}, apperr.Internal(err)
		}
		s.importReports.put(p.ID(), rep, s.Jobs.Keep)
		return jobs.Result{Message: importSummary(rep), URL: "/impor/pegawai/hasil/" + p.ID(), File: file, ContentType: mimeCSV,
			FileName: "laporan-impor-pegawai-" + time.Now().In(wib).Format("20060102-1504") + ".csv"}, nil
	})
}

// importSummary is the outcome of an import in one sentence, for the progress page.
func importSummary(r *importer.Report) string {
	switch {
	case r.Committed:
		return fmt.Sprintf("Data telah disimpan: %s pegawai ditambahkan, %s diperbarui, %s tidak berubah.",
			thousands(r.Created), thousands(r.Updated), thousands(r.Unchanged))
	case r.Rejected > 0:
		return fmt.Sprintf("Tidak ada data yang disimpan karena %s baris ditolak. Lihat hasilnya untuk baris yang harus diperbaiki.", thousands(r.Rejected))
	case r.DryRun:
		return fmt.Sprintf("Uji coba selesai: berkas dapat diimpor (%s akan ditambahkan, %s diperbarui, %s tidak berubah). Tidak ada data yang disimpan.",
			thousands(r.Created), thousands(r.Updated), thousands(r.Unchanged))
	}
	return "Tidak ada data yang disimpan."
}

// importResult shows the report of an import job: the outcome, the refused rows, and every
// row, paged.
func (s *Server) importResult(c *fiber.Ctx) error {
	id, rep, err := s.importReportOf(c)
	if err != nil {
		return err
	}
	var rejected []importer.RowResult
	for _, row := range rep.Rows {
		if row.Action == importer.ActionRejected {
			if len(rejected) == importRejectedShown {
				break
			}
			rejected = append(rejected, row)
		}
	}
	pages := max(1, (len(rep.Rows)+importRowsPerPage-1)/importRowsPerPage)
	pageNo, err := strconv.Atoi(c.Query("hal", "1"))
	if err != nil || pageNo < 1 || pageNo > pages {
		pageNo = 1
	}
	lo := (pageNo - 1) * importRowsPerPage
	rows := rep.Rows[lo:min(lo+importRowsPerPage, len(rep.Rows))]
	base := "/impor/pegawai/hasil/" + id
	data := fiber.Map{"Report": rep, "Rejected": rejected, "MoreRejected": rep.Rejected - len(rejected), "Rows": rows,
		"FirstLine": lo + 1, "LastLine": lo + len(rows), "PageNo": pageNo, "Pages": pages, "CSVURL": "/tugas/" + id + "/unduh"}
	if pageNo > 1 {
		data["PrevURL"] = fmt.Sprintf("%s?hal=%d#rincian", base, pageNo-1)
	}
	if pageNo < pages {
		data["NextURL"] = fmt.Sprintf("%s?hal=%d#rincian", base, pageNo+1)
	}
	title := "Hasil impor data pegawai"
	if rep.DryRun {
		title = "Hasil uji coba impor data pegawai"
	}
	return s.page(c, fiber.StatusOK, "import_result", title, data)
}

// importReportOf finds the report of the import job named in the path, for those who may
// see the job (its owner and administrators).
func (s *Server) importReportOf(c *fiber.Ctx) (string, *importer.Report, error) {
	id := strings.Clone(c.Params("id"))
	errGone := apperr.NotFound("Hasil impor ini tidak tersedia lagi: hasil disimpan satu jam dan hilang bila server dimulai ulang. Jalankan impor (atau uji coba) lagi.")
	snap, err := s.Jobs.Get(actor(c), id)
	if err != nil {
		if apperr.CodeOf(err) == apperr.CodeNotFound {
			s.importReports.drop(id)
			return "", nil, errGone
		}
		return "", nil, err
	}
	rep, ok := s.importReports.get(id)
	if snap.Kind != importKind || !ok {
		return "", nil, errGone
	}
	return id, rep, nil
}

// runImport imports the file uploaded in the multipart field synchronously (the API).
func (s *Server) runImport(c *fiber.Ctx, field string, dryRun bool) (*importer.Report, error) {
	fh, err := c.FormFile(field)
	if err != nil || (fh.Filename == "" && fh.Size == 0) {
		return nil, errNoFile
	}
	f, err := fh.Open()
	if err != nil {
		return nil, apperr.Internal(err)
	}
	defer f.Close()
	return importer.ImportEmployees(c.UserContext(), s.DB, actor(c), cleanFileName(fh.Filename), f,
		importer.Options{DryRun: dryRun, MaxBytes: int64(s.MaxUploadBytes), Rescorer: s.rescorer()})
}

// cleanFileName keeps the last element of a client's file name, as valid UTF-8 of at most
// 200 characters (it is shown and recorded, never used as a path).
func cleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" {
		name = ""
	}
	for utf8.RuneCountInString(name) > 200 {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	return name
}

func (s *Server) importTemplateCSV(c *fiber.Ctx) error {
	return sendAttachment(c, "templat-impor-pegawai.csv", mimeCSV, importer.EmployeeTemplateCSV())
}

func (s *Server) importTemplateXLSX(c *fiber.Ctx) error {
	b, err := importer.EmployeeTemplateXLSX()
	if err != nil {
		return apperr.Internal(err)
	}
	return sendAttachment(c, "templat-impor-pegawai.xlsx", mimeXLSX, b)
}

// sendAttachment sends b as a download named name.
func sendAttachment(c *fiber.Ctx, name, contentType string, b []byte) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(b)
}

// rescorer is what an import calls to bring stored scores in line with the facts it wrote,
// in its own transaction; nil (no scoring store) skips it.
func (s *Server) rescorer() importer.Rescorer {
	if s.Scoring == nil {
		return nil
	}
	return s.Scoring
}
