package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sertika/sertika/internal/domain"
)

// ExampleOPDCode is the OPD code used in the templates' example row.
const ExampleOPDCode = "DISKOMINFO"

// exampleRow is the templates' example employee, in EmployeeColumns order.
var exampleRow = []string{
	"196608011988031001", "Andi Wijaya", "Dr.", "S.Kom., M.T.", domain.StatusPNS, ExampleOPDCode,
	"Kepala Bidang Aplikasi Informatika", domain.PositionStruktural, "III.b", "", "45",
}

// EmployeeTemplateCSV returns a CSV template for the employee import: the header row and one
// example row, comma-separated, UTF-8 with a BOM (so that Excel shows names with accents
// correctly) and CRLF line ends.
func EmployeeTemplateCSV() []byte {
	var buf bytes.Buffer
	buf.Write(bomUTF8)
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	_ = w.Write(EmployeeColumns()) // writes to a bytes.Buffer cannot fail
	_ = w.Write(exampleRow)
	w.Flush()
	return buf.Bytes()
}

// Sheet names of the XLSX template.
const (
	TemplateDataSheet = "Pegawai"
	TemplateHelpSheet = "Petunjuk"
)

// templateRows is how many rows of the data sheet get drop-down lists and text format.
const templateRows = 50_000

// EmployeeTemplateXLSX returns an XLSX template for the employee import: a sheet "Pegawai"
// with the header, one example row, cells formatted as text (so NIPs and codes such as "05"
// survive) and drop-down lists for the coded columns, and a sheet "Petunjuk" that explains
// every column and lists the SIASN education-level codes.
func EmployeeTemplateXLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", TemplateDataSheet); err != nil {
		return nil, err
	}
	if err := buildDataSheet(f); err != nil {
		return nil, fmt.Errorf("template data sheet: %w", err)
	}
	if err := buildHelpSheet(f); err != nil {
		return nil, fmt.Errorf("template help sheet: %w", err)
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func buildDataSheet(f *excelize.File) error {
	sh := TemplateDataSheet
	names := EmployeeColumns()
	last, err := excelize.ColumnNumberToName(len(names))
	if err != nil {
		return err
	}
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return err
	}
	headStyle, err := f.NewStyle(&excelize.Style{
		NumFmt: 49,
		Font:   &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
	})
	if err != nil {
		return err
	}
	reqStyle, err := f.NewStyle(&excelize.Style{
		NumFmt: 49,
		Font:   &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C00000"}},
	})
	if err != nil {
		return err
	}
	if err := f.SetColStyle(sh, "A:"+last, textStyle); err != nil {
		return err
	}
	widths := map[string]float64{
		ColNIP: 22, ColName: 28, ColFrontTitle: 12, ColBackTitle: 16, ColStatus: 9, ColOPD: 16,
		ColPosition: 36, ColPositionKind: 15, ColEselon: 9, ColJF: 30, ColEducation: 14,
	}
	header := make([]any, len(names))
	example := make([]any, len(exampleRow))
	for i, n := range names {
		header[i] = n
		example[i] = exampleRow[i]
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, col, col, widths[n]); err != nil {
			return err
		}
		style := headStyle
		if c, _ := columnByName(n); c.required {
			style = reqStyle
		}
		if err := f.SetCellStyle(sh, col+"1", col+"1", style); err != nil {
			return err
		}
	}
	if err := f.SetSheetRow(sh, "A1", &header); err != nil {
		return err
	}
	if err := f.SetSheetRow(sh, "A2", &example); err != nil {
		return err
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	var eduCodes []string
	for _, l := range domain.EducationLevels {
		eduCodes = append(eduCodes, l.Code)
	}
	lists := map[string][]string{
		ColStatus:       {domain.StatusPNS, domain.StatusPPPK},
		ColPositionKind: domain.PositionKinds,
		ColEselon:       domain.Eselons,
		ColEducation:    eduCodes,
	}
	for i, n := range names {
		list, ok := lists[n]
		if !ok {
			continue
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", col, col, templateRows+1))
		if err := dv.SetDropList(list); err != nil {
			return err
		}
		c, _ := columnByName(n)
		dv.SetError(excelize.DataValidationErrorStyleWarning, "Nilai tidak dikenal", "Nilai yang diperbolehkan: "+c.values)
		if err := f.AddDataValidation(sh, dv); err != nil {
			return err
		}
	}
	return nil
}

func buildHelpSheet(f *excelize.File) error {
	sh := TemplateHelpSheet
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	for col, w := range map[string]float64{"A": 18, "B": 10, "C": 60, "D": 60} {
		if err := f.SetColWidth(sh, col, col, w); err != nil {
			return err
		}
	}
	if err := f.SetColStyle(sh, "A:D", wrap); err != nil {
		return err
	}
	line := 1
	put := func(style int, cells ...any) error {
		cell, _ := excelize.CoordinatesToCellName(1, line)
		if err := f.SetSheetRow(sh, cell, &cells); err != nil {
			return err
		}
		if style != 0 {
			end, _ := excelize.CoordinatesToCellName(len(cells), line)
			if err := f.SetCellStyle(sh, cell, end, style); err != nil {
				return err
			}
		}
		line++
		return nil
	}
	steps := []func() error{
		func() error { return put(title, "Petunjuk impor data pegawai") },
		func() error {
			return put(0, "Isi lembar \""+TemplateDataSheet+"\": satu baris untuk satu pegawai, mulai baris 2. Baris contoh (NIP 196608011988031001) boleh diganti atau dihapus. Urutan kolom bebas; kolom yang tidak wajib boleh dihapus.")
		},
		func() error {
			return put(0, "Pegawai dicocokkan berdasarkan NIP: NIP yang sudah ada diperbarui, NIP baru ditambahkan. Pegawai yang tidak ada di berkas tidak diubah.")
		},
		func() error {
			return put(0, "Bila satu baris saja ditolak, TIDAK ADA data yang disimpan. Laporan impor menyebutkan nomor baris dan alasannya; perbaiki lalu impor ulang seluruh berkas.")
		},
		func() error {
			return put(0, "Berkas boleh disimpan sebagai XLSX atau CSV (dipisah koma atau titik koma). Ukuran berkas paling besar "+humanBytes(DefaultMaxBytes)+".")
		},
		func() error { return put(0) },
		func() error { return put(bold, "Kolom", "Wajib", "Keterangan", "Nilai yang diperbolehkan") },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	for _, c := range employeeColumns {
		req := "tidak"
		switch {
		case c.required:
			req = "ya"
		case c.name == ColJF:
			req = "bila fungsional"
		}
		if err := put(0, c.name, req, c.help, c.values); err != nil {
			return err
		}
	}
	if err := put(0); err != nil {
		return err
	}
	if err := put(bold, "Kode tk_pendidikan (SIASN)", "", "Jenjang"); err != nil {
		return err
	}
	for _, l := range domain.EducationLevels {
		if err := put(0, l.Code, "", l.Label); err != nil {
			return err
		}
	}
	if err := put(0); err != nil {
		return err
	}
	return put(0, "Eselon", "", strings.Join(domain.Eselons, ", ")+". Penulisan seperti \"iv.a\", \"IVa\" atau \"IV A\" juga diterima.")
}
