package issuer

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// SIASN export: the certificates Sertika issued, as rows an agency can upload into BKN's
// SIASN riwayat kursus/diklat with a spreadsheet (rules document §10). The columns, in this
// order (SIASNColumns; a contract for scripts):
//
//	nip                      the holder's NIP
//	nama                     the holder's name with titles, as on the certificate
//	jenis_diklat             SIASN's jenisDiklatId of the development kind (1–25)
//	nama_jenis_diklat        the kind's name
//	tingkat                  leadership-training level code (pkp, pka, pkn2 …), kepemimpinan only
//	nama_kursus              the activity's title
//	jumlah_jam               JP
//	tanggal_mulai            dd-mm-yyyy, as SIASN writes dates
//	tanggal_selesai          dd-mm-yyyy
//	tahun                    the year the activity ended (SIASN's tahun of a course)
//	institusi_penyelenggara  the organiser
//	nomor_sertifikat         the certificate number
//	status                   berlaku, or dicabut for a revoked certificate (only with IncludeRevoked)
//
// Decisions: the files are written like the import templates — CSV comma-separated, UTF-8
// with a BOM (Excel then shows names with accents correctly; the importer reads the file with
// or without it), CRLF line ends — and XLSX with one sheet, NIPs and numbers as text. The
// year filter is the year of issue (the certificate list's "Tahun terbit"), the tahun column
// the year of the activity. Revoked certificates are left out unless asked for; a replaced
// certificate is revoked, so only its replacement is exported. In CSV a text cell that
// starts with =, +, - or @ is prefixed with an apostrophe so that a spreadsheet does not run
// it as a formula (XLSX cells are always plain text).

// SIASNColumns are the columns of the SIASN export, in order.
var SIASNColumns = []string{"nip", "nama", "jenis_diklat", "nama_jenis_diklat", "tingkat", "nama_kursus", "jumlah_jam",
	"tanggal_mulai", "tanggal_selesai", "tahun", "institusi_penyelenggara", "nomor_sertifikat", "status"}

// SIASNDateLayout is how the export writes dates (SIASN's dd-mm-yyyy).
const SIASNDateLayout = "02-01-2006"

// SIASNFilter narrows a SIASN export.
type SIASNFilter struct {
	Year int    // year of issue; 0 for all
	OPD  string // code of the OPD of the request; "" for all the actor may see
	// IncludeRevoked also exports revoked certificates (status "dicabut").
	IncludeRevoked bool
}

// SIASNRow is one certificate in the SIASN export.
type SIASNRow struct {
	NIP               string
	Name              string
	KindID            int // SIASN jenisDiklatId; 0 for a kind without one
	KindName          string
	Level             string // leadership-training level code
	Title             string
	JP                int
	StartDate         domain.Date
	EndDate           domain.Date
	Year              int // year the activity ended
	Organizer         string
	CertificateNumber string
	Revoked           bool
	ID                string // certificate id (not exported; for callers and tests)
}

// Status is the row's status column: berlaku or dicabut.
func (r SIASNRow) Status() string {
	if r.Revoked {
		return "dicabut"
	}
	return "berlaku"
}

// Cells returns the row's cells in SIASNColumns order, as text.
func (r SIASNRow) Cells() []string {
	kind := ""
	if r.KindID > 0 {
		kind = strconv.Itoa(r.KindID)
	}
	year := ""
	if r.Year > 0 {
		year = strconv.Itoa(r.Year)
	}
	return []string{r.NIP, r.Name, kind, r.KindName, r.Level, r.Title, strconv.Itoa(r.JP),
		siasnDate(r.StartDate), siasnDate(r.EndDate), year, r.Organizer, r.CertificateNumber, r.Status()}
}

func siasnDate(d domain.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(SIASNDateLayout)
}

// siasnCert is the part of a certificate the export reads.
type siasnCert struct {
	ID        string      `gorm:"column:id"`
	Number    string      `gorm:"column:number"`
	NIP       string      `gorm:"column:nip"`
	Holder    string      `gorm:"column:holder_name"`
	Title     string      `gorm:"column:title"`
	Kind      string      `gorm:"column:kind"`
	Level     string      `gorm:"column:level"`
	Organizer string      `gorm:"column:organizer"`
	StartDate domain.Date `gorm:"column:start_date"`
	EndDate   domain.Date `gorm:"column:end_date"`
	JP        int         `gorm:"column:jp"`
	State     string      `gorm:"column:state"`
}

// ExportSIASN returns the certificates the actor may see (BKPSDM staff all, an OPD those of
// its requests, an employee their own — as List) that match the filter, as SIASN rows in
// numbering order (year of issue, then sequence).
func (s *Issuance) ExportSIASN(ctx context.Context, a domain.Actor, f SIASNFilter) ([]SIASNRow, error) {
	if f.Year < 0 || f.Year > 9999 {
		return nil, apperr.Invalid("Tahun harus empat angka.")
	}
	q, err := certScope(s.db.WithContext(ctx).Model(&Certificate{}), a)
	if err != nil {
		return nil, err
	}
	if f.Year > 0 {
		q = q.Where("certificates.year = ?", f.Year)
	}
	if opd := strings.TrimSpace(f.OPD); opd != "" {
		q = q.Where("certificates.request_id IN (SELECT r.id FROM dev_requests r JOIN opds o ON o.id = r.opd_id WHERE o.code = ?)", opd)
	}
	if !f.IncludeRevoked {
		q = q.Where("certificates.state = ?", CertValid)
	}
	var certs []siasnCert
	err = q.Select("certificates.id, certificates.number, certificates.nip, certificates.holder_name, certificates.title, " +
		"certificates.kind, certificates.level, certificates.organizer, certificates.start_date, certificates.end_date, " +
		"certificates.jp, certificates.state").
		Order("certificates.year, certificates.seq, certificates.id").Find(&certs).Error
	if err != nil {
		return nil, apperr.Internal(fmt.Errorf("export siasn: %w", err))
	}
	out := make([]SIASNRow, len(certs))
	for i, c := range certs {
		r := SIASNRow{NIP: c.NIP, Name: c.Holder, KindName: c.Kind, Level: c.Level, Title: c.Title, JP: c.JP,
			StartDate: c.StartDate, EndDate: c.EndDate, Year: c.EndDate.Year(), Organizer: c.Organizer,
			CertificateNumber: c.Number, Revoked: c.State == CertRevoked, ID: c.ID}
		if c.EndDate.IsZero() {
			r.Year = 0
		}
		if k, ok := domain.KindByCode(c.Kind); ok {
			r.KindID, r.KindName = k.SIASNID, k.Label
		}
		out[i] = r
	}
	return out, nil
}

// progressEvery is how many rows the writers write between progress reports.
const progressEvery = 1000

// WriteSIASNCSV writes rows as a CSV file (see the comment at the top of this file).
// progress, when set, is told how many rows are written.
func WriteSIASNCSV(w io.Writer, rows []SIASNRow, progress func(done, total int)) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.Write([]byte{0xEF, 0xBB, 0xBF}); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(SIASNColumns); err != nil {
		return err
	}
	for i, r := range rows {
		cells := r.Cells()
		for _, j := range siasnTextColumns {
			cells[j] = defuseFormula(cells[j])
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
		if progress != nil && (i+1)%progressEvery == 0 {
			progress(i+1, len(rows))
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if progress != nil {
		progress(len(rows), len(rows))
	}
	return nil
}

// siasnTextColumns are the indexes of the free-text columns (typed by people).
var siasnTextColumns = []int{1, 3, 5, 10, 11}

// defuseFormula keeps a spreadsheet from reading a text cell as a formula.
func defuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// SIASNSheet is the sheet name of the XLSX export.
const SIASNSheet = "Riwayat Kursus"

// WriteSIASNXLSX writes rows as an XLSX workbook with one sheet, through excelize's
// StreamWriter so that a large export does not hold a cell tree in memory. NIPs, dates and
// certificate numbers are text cells; jenis_diklat, jumlah_jam and tahun are numbers.
func WriteSIASNXLSX(w io.Writer, rows []SIASNRow, progress func(done, total int)) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SIASNSheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(SIASNSheet)
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}}})
	if err != nil {
		return err
	}
	for i, wd := range []float64{22, 30, 12, 30, 9, 45, 11, 15, 16, 8, 32, 30, 10} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(SIASNColumns))
	for i, c := range SIASNColumns {
		header[i] = excelize.Cell{StyleID: head, Value: c}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	num := func(n int) any {
		if n == 0 {
			return excelize.Cell{StyleID: text, Value: ""}
		}
		return n
	}
	for i, r := range rows {
		cells := r.Cells()
		row := make([]any, len(cells))
		for j, v := range cells {
			row[j] = excelize.Cell{StyleID: text, Value: v}
		}
		row[2], row[6], row[9] = num(r.KindID), r.JP, num(r.Year)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
		if progress != nil && (i+1)%progressEvery == 0 {
			progress(i+1, len(rows))
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return err
	}
	if progress != nil {
		progress(len(rows), len(rows))
	}
	return nil
}
