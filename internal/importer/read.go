package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/sertika/sertika/internal/apperr"
)

// Formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// table is a file read into cells, before any meaning is given to them.
type table struct {
	format string
	header []string
	rows   []record // non-empty data rows, in file order
}

// record is one data row and where it stands in the file.
type record struct {
	line  int // 1-based line (CSV) or row (XLSX) number
	cells []string
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1} // .xls (Excel 97–2003)
	bomUTF8  = []byte{0xEF, 0xBB, 0xBF}
)

// errNotSpreadsheet is the message for content that is neither CSV nor XLSX.
const errNotSpreadsheet = "Berkas bukan CSV atau XLSX yang dapat dibaca. Simpan data dari Excel sebagai \"Excel Workbook (*.xlsx)\" atau \"CSV (*.csv)\", atau gunakan templat impor."

// readTable sniffs the format of data and reads it into a table.
func readTable(data []byte, maxBytes int64) (*table, error) {
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, bomUTF8))) == 0 {
		return nil, apperr.Invalid("Berkas kosong.")
	}
	switch {
	case bytes.HasPrefix(data, zipMagic):
		return readXLSX(data, maxBytes)
	case bytes.HasPrefix(data, oleMagic):
		return nil, apperr.Invalid("Berkas berformat XLS lama (Excel 97–2003) tidak didukung. Buka di Excel lalu simpan sebagai \"Excel Workbook (*.xlsx)\" atau CSV.")
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	return readCSV(text)
}

// decodeText turns the bytes of a text file into UTF-8 without a BOM: UTF-8 as is, UTF-16
// (Excel's "Unicode Text") by its BOM, anything else that is not valid UTF-8 as Windows-1252
// (what Excel on Windows writes for "CSV (*.csv)"). Binary content is refused.
func decodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil, apperr.Invalid(errNotSpreadsheet)
		}
		data = out
	case bytes.HasPrefix(data, bomUTF8):
		data = data[len(bomUTF8):]
	}
	if looksBinary(data) {
		return nil, apperr.Invalid(errNotSpreadsheet)
	}
	if !utf8.Valid(data) {
		out, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return nil, apperr.Invalid(errNotSpreadsheet)
		}
		data = out
	}
	return data, nil
}

// looksBinary reports whether data is not text: it holds a NUL byte, or control characters
// other than tab, line breaks, form feed and a DOS end-of-file mark are more than 1% of its
// first 8 KiB. A stray control character in a cell is left for the row check to reject.
func looksBinary(data []byte) bool {
	if bytes.IndexByte(data, 0) >= 0 {
		return true
	}
	head := data[:min(len(data), 8192)]
	n := 0
	for _, b := range head {
		if (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x1A) || b == 0x7F {
			n++
		}
	}
	return n*100 > len(head)
}

// detectDelimiter picks the separator of a CSV file from its first non-empty line: the most
// frequent of comma, semicolon (Excel with Indonesian regional settings) and tab, counted
// outside quotes. Comma wins ties.
func detectDelimiter(text []byte) rune {
	line := text
	for len(line) > 0 {
		i := bytes.IndexByte(line, '\n')
		first := line
		if i >= 0 {
			first = line[:i]
		}
		if len(bytes.TrimSpace(first)) > 0 {
			line = first
			break
		}
		if i < 0 {
			break
		}
		line = line[i+1:]
	}
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(line) {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

func readCSV(text []byte) (*table, error) {
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = detectDelimiter(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	t := &table{format: FormatCSV}
	haveHeader := false
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, apperr.Invalidf("Berkas CSV rusak di sekitar baris %d: tanda kutip (\") tidak berpasangan atau format tidak dikenali.", line)
		}
		if blank(rec) {
			continue
		}
		line, _ := cr.FieldPos(0)
		if !haveHeader {
			t.header, haveHeader = rec, true
			continue
		}
		if len(t.rows) >= MaxRows {
			return nil, tooManyRows()
		}
		t.rows = append(t.rows, record{line: line, cells: rec})
	}
	if !haveHeader {
		return nil, apperr.Invalid("Berkas kosong.")
	}
	return t, nil
}

func tooManyRows() error {
	return apperr.New(apperr.CodeTooLarge, fmt.Sprintf(
		"Berkas berisi lebih dari %d baris data. Bagi data menjadi beberapa berkas.", MaxRows))
}

// readXLSX reads the first sheet of a workbook. Cell values are taken raw (without number
// formats) so that codes such as "05" or a NIP typed as text come through unchanged.
func readXLSX(data []byte, maxBytes int64) (t *table, err error) {
	defer func() {
		// A malformed workbook must not bring the server down.
		if r := recover(); r != nil {
			t, err = nil, withCause(apperr.Invalid("Berkas XLSX rusak atau tidak dapat dibaca."), fmt.Errorf("excelize panic: %v", r))
		}
	}()
	// A zip bomb must not fill the memory or the disk: cap the unpacked size.
	limit := max(16*maxBytes, 64<<20)
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: limit})
	if err != nil {
		return nil, withCause(apperr.Invalid("Berkas XLSX rusak atau tidak dapat dibaca. Buka di Excel, simpan ulang sebagai \"Excel Workbook (*.xlsx)\", lalu coba lagi."), err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, apperr.Invalid("Berkas XLSX tidak memiliki lembar kerja.")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, withCause(apperr.Invalid("Lembar kerja pertama berkas XLSX tidak dapat dibaca."), err)
	}
	defer rows.Close()
	t = &table{format: FormatXLSX}
	haveHeader := false
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, withCause(apperr.Invalidf("Baris %d berkas XLSX tidak dapat dibaca.", line), err)
		}
		if blank(cells) {
			continue
		}
		if !haveHeader {
			t.header, haveHeader = cells, true
			continue
		}
		if len(t.rows) >= MaxRows {
			return nil, tooManyRows()
		}
		t.rows = append(t.rows, record{line: line, cells: cells})
	}
	if err := rows.Error(); err != nil {
		return nil, withCause(apperr.Invalid("Berkas XLSX rusak atau tidak dapat dibaca."), err)
	}
	if !haveHeader {
		return nil, apperr.Invalidf("Lembar kerja pertama (%s) berkas XLSX kosong.", sheets[0])
	}
	return t, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
