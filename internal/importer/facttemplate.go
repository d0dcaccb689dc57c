package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// Templates of the fact imports (skp, hukdis, pengembangan). They follow the employee
// template: the header in FactColumns order (a contract for scripts), one example row, CSV
// comma-separated UTF-8 with a BOM and CRLF, and an XLSX workbook with the data sheet first
// (cells formatted as text, drop-down lists for the coded columns) and a "Petunjuk" sheet
// that explains every column and lists the allowed codes. The example rows name the employee
// of the employee template (ExampleNIP), so the templates import cleanly once it is
// imported.

// ExampleNIP is the NIP of the templates' example employee.
const ExampleNIP = "196608011988031001"

// factExamples are the example rows, in FactColumns order. Dates are written in SIASN's
// dd-mm-yyyy to show that it is read.
var factExamples = map[FactKind][]string{
	FactSKP:    {ExampleNIP, "2024", "", "sangat_baik"},
	FactHukdis: {ExampleNIP, "R", "15-03-2024", "Teguran lisan", "800.1.6.4/012/BKPSDM/2024"},
	FactPengembangan: {ExampleNIP, "teknis", "", "Pelatihan Analisis Data Kepegawaian", "32", "04-03-2024", "07-03-2024",
		"Pusdiklat Kementerian Dalam Negeri", "445/0789/PUSDIKLAT/2024"},
}

// factSheets are the names of the data sheets of the XLSX templates.
var factSheets = map[FactKind]string{FactSKP: "SKP", FactHukdis: "Hukdis", FactPengembangan: "Pengembangan"}

// factTitles name the data of each kind in the Petunjuk sheet.
var factTitles = map[FactKind]string{
	FactSKP:          "penilaian kinerja (SKP)",
	FactHukdis:       "hukuman disiplin",
	FactPengembangan: "riwayat pengembangan kompetensi",
}

// PredikatCode is an SKP predikat (since 2022) with SIASN's id and its label.
type PredikatCode struct {
	Code    string
	SIASNID int
	Label   string
}

// Predikats lists the predikat codes the SKP import reads (rules document §4; SIASN ids
// 1 Sangat Baik … 5 Sangat Kurang).
var Predikats = []PredikatCode{
	{"sangat_baik", 1, "Sangat Baik"},
	{"baik", 2, "Baik"},
	{"butuh_perbaikan", 3, "Butuh Perbaikan (juga: Cukup)"},
	{"kurang", 4, "Kurang / Misconduct"},
	{"sangat_kurang", 5, "Sangat Kurang"},
}

// PenaltyLevels lists the levels of a disciplinary penalty: SIASN's codes R, S, B.
var PenaltyLevels = []struct{ Code, Label string }{
	{"R", "Ringan (juga: ringan)"},
	{"S", "Sedang (juga: sedang)"},
	{"B", "Berat (juga: berat)"},
}

// factSpec returns the column contract of a kind (nil for an unknown kind).
func factSpec(kind FactKind) []column {
	switch kind {
	case FactSKP:
		return skpColumns
	case FactHukdis:
		return hukdisColumns
	case FactPengembangan:
		return pengembanganColumns
	}
	return nil
}

func unknownKind(kind FactKind) error {
	return apperr.Invalidf("Jenis impor %q tidak dikenal (skp, hukdis atau pengembangan).", kind)
}

// FactTemplateCSV returns the CSV template of a fact kind: the header row and one example
// row, comma-separated, UTF-8 with a BOM and CRLF line ends (as EmployeeTemplateCSV).
func FactTemplateCSV(kind FactKind) ([]byte, error) {
	cols := FactColumns(kind)
	if cols == nil {
		return nil, unknownKind(kind)
	}
	var buf bytes.Buffer
	buf.Write(bomUTF8)
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	_ = w.Write(cols) // writes to a bytes.Buffer cannot fail
	_ = w.Write(factExamples[kind])
	w.Flush()
	return buf.Bytes(), nil
}

// FactTemplateXLSX returns the XLSX template of a fact kind: a data sheet ("SKP", "Hukdis"
// or "Pengembangan") with the header, one example row, text-formatted cells and drop-down
// lists for the coded columns, and a sheet "Petunjuk" explaining the columns and listing the
// allowed codes (predikat; tingkat R/S/B; kode_jenis with SIASN's jenisDiklatId and the
// leadership levels).
func FactTemplateXLSX(kind FactKind) ([]byte, error) {
	spec := factSpec(kind)
	if spec == nil {
		return nil, unknownKind(kind)
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := factSheets[kind]
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	// The help sheet first: the drop-down list of kode_jenis refers to its cells.
	ranges, err := buildFactHelpSheet(f, kind, spec)
	if err != nil {
		return nil, fmt.Errorf("template help sheet: %w", err)
	}
	if err := buildFactDataSheet(f, kind, sheet, spec, ranges); err != nil {
		return nil, fmt.Errorf("template data sheet: %w", err)
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// dropList is the drop-down list of a data column: inline values, or a range of the help
// sheet (an inline list may hold at most 255 characters).
type dropList struct {
	values []string
	ref    string
}

func buildFactDataSheet(f *excelize.File, kind FactKind, sh string, spec []column, lists map[string]dropList) error {
	last, err := excelize.ColumnNumberToName(len(spec))
	if err != nil {
		return err
	}
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return err
	}
	headStyle := func(color string) (int, error) {
		return f.NewStyle(&excelize.Style{
			NumFmt: 49,
			Font:   &excelize.Font{Bold: true, Color: "FFFFFF"},
			Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}},
		})
	}
	optional, err := headStyle("1F4E79")
	if err != nil {
		return err
	}
	required, err := headStyle("C00000")
	if err != nil {
		return err
	}
	if err := f.SetColStyle(sh, "A:"+last, textStyle); err != nil {
		return err
	}
	widths := map[string]float64{
		ColNIP: 22, ColTitle: 40, ColOrganizer: 32, ColCertNumber: 28, ColDecree: 28, ColPenaltyKind: 28,
		ColPredikat: 18, ColKindCode: 18, ColStartDate: 15, ColEndDate: 16,
	}
	example := factExamples[kind]
	header := make([]any, len(spec))
	row := make([]any, len(spec))
	for i, c := range spec {
		header[i], row[i] = c.name, example[i]
		col, _ := excelize.ColumnNumberToName(i + 1)
		w := widths[c.name]
		if w == 0 {
			w = 12
		}
		if err := f.SetColWidth(sh, col, col, w); err != nil {
			return err
		}
		style := optional
		if c.required {
			style = required
		}
		if err := f.SetCellStyle(sh, col+"1", col+"1", style); err != nil {
			return err
		}
		if list, ok := lists[c.name]; ok {
			dv := excelize.NewDataValidation(true)
			dv.SetSqref(fmt.Sprintf("%s2:%s%d", col, col, templateRows+1))
			if list.ref != "" {
				dv.SetSqrefDropList(list.ref)
			} else if err := dv.SetDropList(list.values); err != nil {
				return err
			}
			dv.SetError(excelize.DataValidationErrorStyleWarning, "Nilai tidak dikenal",
				"Nilai yang diperbolehkan: "+c.values+". Lihat lembar "+TemplateHelpSheet+".")
			if err := f.AddDataValidation(sh, dv); err != nil {
				return err
			}
		}
	}
	if err := f.SetSheetRow(sh, "A1", &header); err != nil {
		return err
	}
	if err := f.SetSheetRow(sh, "A2", &row); err != nil {
		return err
	}
	return f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// buildFactHelpSheet writes the Petunjuk sheet and returns the drop-down lists of the data
// columns.
func buildFactHelpSheet(f *excelize.File, kind FactKind, spec []column) (map[string]dropList, error) {
	sh := TemplateHelpSheet
	if _, err := f.NewSheet(sh); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return nil, err
	}
	wrap, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	for col, w := range map[string]float64{"A": 20, "B": 14, "C": 60, "D": 60} {
		if err := f.SetColWidth(sh, col, col, w); err != nil {
			return nil, err
		}
	}
	if err := f.SetColStyle(sh, "A:D", wrap); err != nil {
		return nil, err
	}
	line := 1
	var werr error
	put := func(style int, cells ...any) {
		if werr != nil {
			return
		}
		cell, _ := excelize.CoordinatesToCellName(1, line)
		if werr = f.SetSheetRow(sh, cell, &cells); werr != nil {
			return
		}
		if style != 0 && len(cells) > 0 {
			end, _ := excelize.CoordinatesToCellName(len(cells), line)
			werr = f.SetCellStyle(sh, cell, end, style)
		}
		line++
	}
	data := factSheets[kind]
	put(title, "Petunjuk impor data "+factTitles[kind])
	put(0, "Isi lembar \""+data+"\": satu baris untuk satu data, mulai baris 2. Baris contoh (NIP "+ExampleNIP+") boleh diganti atau dihapus. Urutan kolom bebas; kolom yang tidak wajib boleh dihapus.")
	put(0, "NIP harus sudah terdaftar sebagai pegawai di Sertika: impor data pegawai terlebih dahulu.")
	for _, s := range factRules[kind] {
		put(0, s)
	}
	put(0, "Bila satu baris saja ditolak, TIDAK ADA data yang disimpan. Laporan impor menyebutkan nomor baris, kolom dan alasannya; perbaiki lalu impor ulang seluruh berkas. Skor IP ASN pegawai yang datanya berubah dihitung ulang saat itu juga.")
	put(0, "Tanggal ditulis TTTT-BB-HH (2024-03-31) atau seperti SIASN HH-BB-TTTT (31-03-2024); sel bertipe tanggal di Excel juga dibaca.")
	put(0, "Berkas boleh disimpan sebagai XLSX atau CSV (dipisah koma atau titik koma). Ukuran berkas paling besar "+humanBytes(DefaultMaxBytes)+".")
	put(0)
	put(bold, "Kolom", "Wajib", "Keterangan", "Nilai yang diperbolehkan")
	for _, c := range spec {
		req := "tidak"
		switch {
		case c.required:
			req = "ya"
		case kind == FactPengembangan && c.name == ColLevel:
			req = "bila kepemimpinan"
		case kind == FactSKP:
			req = "nilai atau predikat"
		}
		put(0, c.name, req, c.help, c.values)
	}
	lists := map[string]dropList{}
	switch kind {
	case FactSKP:
		put(0)
		put(bold, "Kode predikat", "Kode SIASN", "Predikat")
		var codes []string
		for _, p := range Predikats {
			put(0, p.Code, strconv.Itoa(p.SIASNID), p.Label)
			codes = append(codes, p.Code)
		}
		lists[ColPredikat] = dropList{values: codes}
	case FactHukdis:
		put(0)
		put(bold, "Kode tingkat", "", "Tingkat hukuman disiplin")
		var codes []string
		for _, l := range PenaltyLevels {
			put(0, l.Code, "", l.Label)
			codes = append(codes, l.Code)
		}
		lists[ColLevel] = dropList{values: codes}
	case FactPengembangan:
		put(0)
		put(bold, "kode_jenis", "jenisDiklatId SIASN", "Jenis pengembangan kompetensi", "Bentuk")
		first := line
		for _, k := range domain.DevelopmentKinds {
			form := "nonklasikal"
			if k.Classroom {
				form = "klasikal"
			}
			put(0, k.Code, strconv.Itoa(k.SIASNID), k.Label, form)
		}
		lists[ColKindCode] = dropList{ref: fmt.Sprintf("'%s'!$A$%d:$A$%d", sh, first, line-1)}
		put(0)
		put(bold, "tingkat", "", "Tingkat pelatihan kepemimpinan (hanya untuk kode_jenis kepemimpinan)", "Setara")
		var codes []string
		for _, l := range domain.LeadershipLevels {
			put(0, l.Code, "", l.Label, leadershipRank[l.Rank])
			codes = append(codes, l.Code)
		}
		lists[ColLevel] = dropList{values: codes}
		put(0, "", "", "Penulisan seperti \"PIM IV\", \"Diklatpim Tingkat III\" atau \"PKN II\" juga diterima.")
	}
	return lists, werr
}

// leadershipRank names the position level a leadership course belongs to.
var leadershipRank = map[int]string{
	4: "Pengawas (eselon IV)", 3: "Administrator (eselon III)", 2: "JPT Pratama (eselon II)", 1: "JPT Madya/Utama (eselon I)",
}

// factRules are the rules of each kind, in Indonesian, for the Petunjuk sheet.
var factRules = map[FactKind][]string{
	FactSKP: {
		"Satu penilaian per pegawai per tahun: baris yang sama tahunnya menggantikan penilaian tahun itu.",
		"Isi nilai (SKP angka, sebelum 2022) ATAU predikat (sejak 2022), tidak keduanya. Kolom yang tidak pernah dipakai boleh dihapus.",
	},
	FactHukdis: {
		"Hukuman dikenali dari nomor_sk; tanpa nomor SK, dari tanggal_mulai dan tingkat. Baris yang cocok memperbarui data tersimpan; tidak ada data yang dihapus.",
	},
	FactPengembangan: {
		"Untuk pengembangan kompetensi di luar Sertika (riwayat kursus/diklat SIASN, sertifikat lembaga lain). Sertifikat yang diterbitkan Sertika sudah terhitung dan tidak perlu diimpor.",
		"Data dikenali dari nomor_sertifikat; tanpa nomor, dari kode_jenis, nama dan tanggal_selesai. Data yang diimpor administrator langsung diakui untuk skor.",
	},
}
