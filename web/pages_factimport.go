package web

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/importer"
	"github.com/sertika/sertika/internal/jobs"
)

// factImportKind describes one fact import for its pages.
type factImportKind struct {
	Kind     importer.FactKind
	Tab      string // the tab's label
	Title    string // "Impor data SKP"
	What     string // the data, in a sentence: "penilaian kinerja (SKP)"
	Required []string
	Hints    []string // the rules that matter to an operator, in Indonesian
}

// Columns are the header of the kind's files, in template order.
func (k factImportKind) Columns() []string { return importer.FactColumns(k.Kind) }

// factImportKinds are the fact imports, in tab order.
var factImportKinds = []factImportKind{
	{Kind: importer.FactSKP, Tab: "SKP", Title: "Impor data SKP", What: "penilaian kinerja (SKP)",
		Required: []string{importer.ColNIP, importer.ColYear},
		Hints: []string{
			"Satu penilaian per pegawai per tahun: baris dengan tahun yang sama menggantikan penilaian tahun itu.",
			"Isi nilai (SKP angka, sebelum 2022) atau predikat (sejak 2022: sangat_baik, baik, butuh_perbaikan, kurang, sangat_kurang; kode SIASN 1–5 juga diterima), tidak keduanya.",
		}},
	{Kind: importer.FactHukdis, Tab: "Hukuman disiplin", Title: "Impor data hukuman disiplin", What: "hukuman disiplin",
		Required: []string{importer.ColNIP, importer.ColLevel, importer.ColStartDate},
		Hints: []string{
			"Tingkat: R (ringan), S (sedang) atau B (berat).",
			"Hukuman dikenali dari nomor_sk; tanpa nomor SK, dari tanggal_mulai dan tingkat. Data yang cocok diperbarui; tidak ada yang dihapus.",
		}},
	{Kind: importer.FactPengembangan, Tab: "Pengembangan kompetensi", Title: "Impor data pengembangan kompetensi",
		What:     "riwayat pengembangan kompetensi di luar Sertika (riwayat kursus/diklat SIASN, sertifikat lembaga lain)",
		Required: []string{importer.ColNIP, importer.ColKindCode, importer.ColTitle, importer.ColJP, importer.ColEndDate},
		Hints: []string{
			"kode_jenis: kode jenis pengembangan (mis. teknis, bimtek, seminar, kepemimpinan) atau jenisDiklatId SIASN 1–25; daftarnya ada di lembar Petunjuk templat XLSX.",
			"tingkat hanya untuk kepemimpinan: pkp, pka, pkn2, pkn1 (atau pim4, pim3, pim2, pim1).",
			"Sertifikat yang diterbitkan Sertika sudah terhitung dan tidak perlu diimpor. Data yang diimpor administrator langsung diakui untuk skor.",
		}},
}

// factRescorer is the Rescorer of the fact imports: the scoring store, so that the affected
// employees' scores change in the import's transaction.
func (s *Server) factRescorer() importer.Rescorer {
	if s.Scoring == nil {
		return importer.NoRescore{}
	}
	return s.Scoring
}

// factImportPages holds the reports of finished browser imports: a background job ends with
// a link to its report page, which lists the refused rows with their row number, column
// and reason.
type factImportPages struct {
	s       *Server
	results *factResults
}

func newFactImportPages(s *Server) *factImportPages {
	return &factImportPages{s: s, results: newFactResults(func() time.Duration { return s.Jobs.Keep }, 100)}
}

func (h *factImportPages) formPage(c *fiber.Ctx, k factImportKind, status int, errMsg string, dryRun bool) error {
	return h.s.page(c, status, "factimport_form", k.Title, fiber.Map{
		"Info": k, "Error": errMsg, "DryRun": dryRun, "MaxSize": sizeLabel(int64(h.s.MaxUploadBytes)),
		"ImportTab": string(k.Kind), "Recent": h.results.list(actor(c).UserID, k.Kind)})
}

func (h *factImportPages) form(k factImportKind) fiber.Handler {
	return func(c *fiber.Ctx) error { return h.formPage(c, k, fiber.StatusOK, "", false) }
}

// upload reads the file in the request (a problem with the upload itself is shown on the
// form) and runs the import as a background job of the user, one at a time per kind.
func (h *factImportPages) upload(k factImportKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		dryRun := c.FormValue("dry_run") != ""
		name, data, err := h.s.readImportUpload(c, "berkas")
		if err != nil {
			if status, msg, ok := formError(err); ok {
				return h.formPage(c, k, status, msg, dryRun)
			}
			return err
		}
		a := actor(c)
		title := k.Title
		if dryRun {
			title += " (uji coba)"
		}
		if name != "" {
			title += ": " + name
		}
		key := fmt.Sprintf("impor-%s:%d", k.Kind, a.UserID)
		return h.s.startJob(c, key, "impor-"+string(k.Kind), title, func(ctx context.Context, p *jobs.Progress) (jobs.Result, error) {
			return h.run(ctx, p, a, k, name, data, dryRun)
		})
	}
}

// readImportUpload reads the uploaded file of a form field whole (a job outlives the
// request, and Fiber frees the upload with it), refusing a missing or too large file with a
// message for the form.
func (s *Server) readImportUpload(c *fiber.Ctx, field string) (string, []byte, error) {
	fh, err := c.FormFile(field)
	if err != nil || (fh.Filename == "" && fh.Size == 0) {
		return "", nil, errNoFile
	}
	limit := int64(s.MaxUploadBytes)
	tooLarge := apperr.New(apperr.CodeTooLarge, fmt.Sprintf(
		"Berkas terlalu besar (%s): batasnya %s. Bagi data menjadi beberapa berkas lalu impor satu per satu.",
		sizeLabel(fh.Size), sizeLabel(limit)))
	if fh.Size > limit {
		return "", nil, tooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, apperr.Internal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return "", nil, apperr.Internal(err)
	}
	if int64(len(data)) > limit {
		return "", nil, tooLarge
	}
	return cleanFileName(fh.Filename), data, nil
}

// run is the import job: check and write the rows (one transaction, with the rescore),
// keep the report for its page and write the full report as the job's CSV download.
func (h *factImportPages) run(ctx context.Context, p *jobs.Progress, a domain.Actor, k factImportKind, name string, data []byte, dryRun bool) (jobs.Result, error) {
	p.Phase("Membaca dan memeriksa berkas", 0)
	phase := "Menyimpan data"
	if dryRun {
		phase = "Memeriksa data"
	}
	var once sync.Once
	progress := func(done, total int) {
		once.Do(func() { p.Phase(phase, int64(total)) })
		p.Update(int64(done), int64(total))
	}
	rep, err := importer.ImportFacts(ctx, h.s.DB, h.s.factRescorer(), k.Kind, a, name, bytes.NewReader(data),
		importer.Options{DryRun: dryRun, MaxBytes: int64(h.s.MaxUploadBytes), Progress: progress})
	if err != nil {
		return jobs.Result{}, err
	}
	file, err := writeReportFile(rep)
	if err != nil {
		return jobs.Result{}, apperr.Internal(err)
	}
	id, err := h.results.put(a.UserID, k.Kind, rep, file)
	if err != nil {
		_ = os.Remove(file)
		return jobs.Result{}, apperr.Internal(err)
	}
	return jobs.Result{Message: importOutcome(rep), URL: "/impor/" + string(k.Kind) + "/hasil/" + id,
		File: file, FileName: reportFileName(k.Kind, time.Now()), ContentType: mimeCSV}, nil
}

// importOutcome says in one sentence what an import did.
func importOutcome(rep *importer.Report) string {
	counts := fmt.Sprintf("%s ditambahkan, %s diperbarui, %s tidak berubah", thousands(rep.Created), thousands(rep.Updated), thousands(rep.Unchanged))
	switch {
	case rep.Committed:
		return "Data telah disimpan: " + counts + ". Skor pegawai yang datanya berubah sudah dihitung ulang."
	case rep.Rejected > 0:
		return fmt.Sprintf("Tidak ada data yang disimpan karena %s baris ditolak. Buka hasilnya untuk melihat baris, kolom dan alasannya.", thousands(rep.Rejected))
	case rep.DryRun:
		return "Uji coba selesai: berkas dapat diimpor tanpa masalah (" + counts + "). Belum ada yang disimpan."
	}
	return "Tidak ada data yang disimpan."
}

// reportFileName names the CSV report of an import finished at t.
func reportFileName(kind importer.FactKind, t time.Time) string {
	return fmt.Sprintf("laporan-impor-%s-%s.csv", kind, t.In(wib).Format("20060102-1504"))
}

// reportColumns are the columns of an import's CSV report: one line per row of the file,
// and one per reason for a refused row.
var reportColumns = []string{"baris", "nip", "nama", "hasil", "kolom", "keterangan"}

// writeReportFile writes the full report of an import as CSV (UTF-8 with a BOM, comma, like
// the templates) to a temporary file and returns its path.
func writeReportFile(rep *importer.Report) (string, error) {
	f, err := os.CreateTemp("", "sertika-laporan-impor-*.csv")
	if err != nil {
		return "", err
	}
	err = writeReportCSV(f, rep)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func writeReportCSV(w io.Writer, rep *importer.Report) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(reportColumns); err != nil {
		return err
	}
	for _, r := range rep.Rows {
		line := []string{strconv.Itoa(r.Line), plainCell(r.NIP), plainCell(r.Name), r.Action.Label(), "", ""}
		if r.Action != importer.ActionRejected {
			if err := cw.Write(line); err != nil {
				return err
			}
			continue
		}
		problems := r.Problems
		if len(problems) == 0 {
			problems = []importer.Problem{{Reason: r.Reason}}
		}
		for _, p := range problems {
			line[4], line[5] = p.Column, plainCell(p.Reason)
			if err := cw.Write(line); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// plainCell keeps a spreadsheet from reading a cell taken from an uploaded file as a formula.
func plainCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ---- the report pages ----

func (h *factImportPages) find(c *fiber.Ctx, k factImportKind) (*factResult, error) {
	r, ok := h.results.get(actor(c), strings.Clone(c.Params("id")))
	if !ok || r.Kind != k.Kind {
		return nil, apperr.NotFound("Hasil impor tidak ditemukan. Hasil disimpan selama satu jam setelah impor selesai (dan hilang bila server dimulai ulang); impor ulang berkas untuk melihatnya lagi.")
	}
	return r, nil
}

func (h *factImportPages) result(k factImportKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r, err := h.find(c, k)
		if err != nil {
			return err
		}
		title := "Hasil " + strings.ToLower(k.Title[:1]) + k.Title[1:]
		outcome := importOutcome(&r.Report)
		if r.Report.Rejected > 0 && !r.Report.Committed {
			outcome = fmt.Sprintf("Tidak ada data yang disimpan karena %s baris ditolak. Perbaiki baris yang tercantum di bawah (nomor baris, kolom dan alasannya), lalu unggah ulang seluruh berkas.",
				thousands(r.Report.Rejected))
		}
		return h.s.page(c, fiber.StatusOK, "factimport_result", title, fiber.Map{"Info": k, "Result": r, "Report": r.Report,
			"Outcome": outcome, "ImportTab": string(k.Kind)})
	}
}

func (h *factImportPages) resultCSV(k factImportKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r, err := h.find(c, k)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(r.File)
		if err != nil {
			return apperr.NotFound("Laporan lengkap sudah tidak tersedia; impor ulang berkas untuk membuatnya lagi.")
		}
		return sendAttachment(c, reportFileName(k.Kind, r.At), mimeCSV, b)
	}
}

func (h *factImportPages) templateCSV(k factImportKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, err := importer.FactTemplateCSV(k.Kind)
		if err != nil {
			return apperr.Internal(err)
		}
		return sendAttachment(c, "templat-impor-"+string(k.Kind)+".csv", mimeCSV, b)
	}
}

func (h *factImportPages) templateXLSX(k factImportKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, err := importer.FactTemplateXLSX(k.Kind)
		if err != nil {
			return apperr.Internal(err)
		}
		return sendAttachment(c, "templat-impor-"+string(k.Kind)+".xlsx", mimeXLSX, b)
	}
}

// ---- the kept reports ----

// maxShownProblems bounds the refused rows a report page lists (and keeps in memory); the
// CSV report has them all.
const maxShownProblems = 1000

// factResult is the report of one finished import, as its page shows it.
type factResult struct {
	ID     string
	Kind   importer.FactKind
	Owner  int64
	At     time.Time
	Report importer.Report // without Rows
	// Problems are the reasons of the refused rows, one per line (at most maxShownProblems);
	// Hidden counts those left out.
	Problems []factProblem
	Hidden   int
	File     string // the full CSV report, owned by the job registry
}

// factProblem is one reason a row was refused.
type factProblem struct {
	Line           int
	NIP, Name      string
	Column, Reason string
}

// factResults keeps the reports of finished imports in memory, as long as the jobs
// registry keeps the jobs (keep), at most max of them.
type factResults struct {
	mu   sync.Mutex
	keep func() time.Duration
	max  int
	m    map[string]*factResult
}

func newFactResults(keep func() time.Duration, max int) *factResults {
	return &factResults{keep: keep, max: max, m: map[string]*factResult{}}
}

func (s *factResults) put(owner int64, kind importer.FactKind, rep *importer.Report, file string) (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	r := &factResult{ID: hex.EncodeToString(b[:]), Kind: kind, Owner: owner, At: time.Now(), Report: *rep, File: file}
	r.Report.Rows = nil
	for _, row := range rep.Rows {
		if row.Action != importer.ActionRejected {
			continue
		}
		problems := row.Problems
		if len(problems) == 0 {
			problems = []importer.Problem{{Reason: row.Reason}}
		}
		for _, p := range problems {
			if len(r.Problems) >= maxShownProblems {
				r.Hidden++
				continue
			}
			r.Problems = append(r.Problems, factProblem{Line: row.Line, NIP: row.NIP, Name: row.Name, Column: p.Column, Reason: p.Reason})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	for len(s.m) >= s.max {
		oldest := ""
		for id, x := range s.m {
			if oldest == "" || x.At.Before(s.m[oldest].At) {
				oldest = id
			}
		}
		delete(s.m, oldest)
	}
	s.m[r.ID] = r
	return r.ID, nil
}

// get returns a report for its owner or an administrator.
func (s *factResults) get(a domain.Actor, id string) (*factResult, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	r, ok := s.m[id]
	if !ok || (a.Role != domain.RoleAdmin && (a.UserID == 0 || a.UserID != r.Owner)) {
		return nil, false
	}
	return r, true
}

// list returns the owner's reports of a kind, newest first.
func (s *factResults) list(owner int64, kind importer.FactKind) []*factResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	var out []*factResult
	for _, r := range s.m {
		if r.Owner == owner && r.Kind == kind {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(x, y *factResult) int { return y.At.Compare(x.At) })
	return out
}

func (s *factResults) expireLocked() {
	keep := s.keep()
	for id, r := range s.m {
		if time.Since(r.At) > keep {
			delete(s.m, id)
		}
	}
}
