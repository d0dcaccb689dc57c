package issuer

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // agency logos
	_ "image/png"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/document"
	"github.com/sertika/sertika/internal/domain"
)

// RecommendationLetter renders the Surat Rekomendasi of an approved request as a PDF, for
// anyone who may see the request. The output is reproducible: the same request and agency
// settings give the same bytes.
func (s *Service) RecommendationLetter(ctx context.Context, a domain.Actor, id int64) ([]byte, string, error) {
	// The letter is one document for everyone who may see the request, naming every
	// participant (names and NIPs, no results): the full detail, not an employee's view.
	d, err := s.detail(ctx, a, id)
	if err != nil {
		return nil, "", err
	}
	r := d.Request
	if r.RecommendationNumber == nil {
		return nil, "", apperr.Conflict("Surat rekomendasi baru tersedia setelah usulan disetujui.")
	}
	ag, err := directory.New(s.db).GetAgency(ctx)
	if err != nil {
		return nil, "", err
	}
	approver := ""
	if r.DecidedBy != nil {
		var u domain.User
		if err := s.db.WithContext(ctx).Where("id = ?", *r.DecidedBy).Take(&u).Error; err == nil {
			approver = u.DisplayName
			if approver == "" {
				approver = u.Username
			}
		}
	}
	pdf := letterPDF(ag, d, approver)
	b, err := document.Bytes(pdf)
	if err != nil {
		return nil, "", apperr.Internal(err)
	}
	name := "surat-rekomendasi-" + strings.NewReplacer("/", "-", " ", "").Replace(*r.RecommendationNumber) + ".pdf"
	return b, name, nil
}

func letterPDF(ag domain.Agency, d *Detail, approver string) *fpdf.Fpdf {
	r := d.Request
	pdf := document.New("P", "Surat Rekomendasi "+r.Recommendation(), orDefault(ag.BKPSDMName, "BKPSDM"),
		r.RecommendationDate.Time)
	pdf.SetMargins(25, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont(document.Sans, "", 7.5)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 4, fmt.Sprintf("Surat Rekomendasi %s · diterbitkan melalui Sertika · halaman %d/{nb}",
			r.Recommendation(), pdf.PageNo()), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	letterhead(pdf, ag)

	pdf.SetFont(document.Serif, "B", 13)
	pdf.CellFormat(0, 7, "SURAT REKOMENDASI", "", 1, "C", false, 0, "")
	pdf.SetFont(document.Serif, "", 11)
	pdf.CellFormat(0, 6, "Nomor: "+r.Recommendation(), "", 1, "C", false, 0, "")
	pdf.Ln(6)

	head := orDefault(ag.HeadTitle, "Kepala "+orDefault(ag.BKPSDMName, "BKPSDM"))
	opdName := ""
	if r.OPD != nil {
		opdName = r.OPD.Name
	}
	body := fmt.Sprintf("Yang bertanda tangan di bawah ini, %s, berdasarkan usulan %s, dengan ini memberikan "+
		"rekomendasi pelaksanaan kegiatan pengembangan kompetensi Aparatur Sipil Negara sebagai berikut:", head, opdName)
	pdf.SetFont(document.Serif, "", 11)
	pdf.MultiCell(0, 5.8, body, "", "J", false)
	pdf.Ln(2)

	form := "Klasikal"
	if !r.Classroom {
		form = "Nonklasikal"
	}
	kind := r.KindLabel()
	if r.Level != "" {
		if l, ok := domain.LeadershipLevelByCode(r.Level); ok {
			kind += " – " + l.Label
		}
	}
	organizer := OrganizerLabel(r.OrganizerType)
	if r.OrganizerName != "" {
		organizer = r.OrganizerName + " (" + organizer + ")"
	}
	place := r.Place
	if r.Online {
		place = strings.TrimSpace(strings.TrimPrefix(place+" (daring)", " "))
	}
	rows := [][2]string{
		{"Nama kegiatan", r.Title},
		{"Jenis pengembangan", kind},
		{"Bentuk", form},
		{"Penyelenggara", organizer},
		{"Tempat", place},
		{"Waktu pelaksanaan", document.Period(r.StartDate.Time, r.EndDate.Time)},
		{"Jumlah jam pelajaran", fmt.Sprintf("%d JP", r.JP)},
		{"Sumber anggaran", orDefault(r.BudgetSource, "–")},
		{"OPD pengusul", opdName},
	}
	if r.Retroactive {
		rows = append(rows, [2]string{"Keterangan", "Usulan retroaktif atas kegiatan yang telah dilaksanakan"})
	}
	for _, row := range rows {
		pdf.SetFont(document.Serif, "", 11)
		y := pdf.GetY()
		pdf.CellFormat(48, 5.8, row[0], "", 0, "L", false, 0, "")
		pdf.CellFormat(4, 5.8, ":", "", 0, "L", false, 0, "")
		pdf.SetXY(25+52, y)
		pdf.MultiCell(0, 5.8, row[1], "", "L", false)
	}
	pdf.Ln(3)

	var participants []Participant
	for _, p := range d.Participants {
		if p.Planned && p.Employee != nil {
			participants = append(participants, p)
		}
	}
	pdf.MultiCell(0, 5.8, fmt.Sprintf("dengan peserta sebanyak %d orang sebagai berikut:", len(participants)), "", "L", false)
	pdf.Ln(1)
	participantTable(pdf, participants)
	pdf.Ln(3)
	pdf.SetFont(document.Serif, "", 11)
	closing := "Setelah kegiatan selesai, OPD pengusul wajib menyampaikan laporan realisasi kepada BKPSDM paling lambat " +
		"14 (empat belas) hari kerja, sebagai dasar penerbitan sertifikat pengembangan kompetensi. Demikian rekomendasi " +
		"ini diberikan untuk dipergunakan sebagaimana mestinya."
	if r.DecisionNote != "" {
		closing = "Catatan: " + r.DecisionNote + "\n\n" + closing
	}
	pdf.MultiCell(0, 5.8, closing, "", "J", false)
	pdf.Ln(6)
	signature(pdf, ag, r, head, approver)
	return pdf
}

func letterhead(pdf *fpdf.Fpdf, ag domain.Agency) {
	top := pdf.GetY()
	left, topMargin, right, _ := pdf.GetMargins()
	w, _ := pdf.GetPageSize()
	logoW := 0.0
	if len(ag.Logo) > 0 {
		if cfg, format, err := image.DecodeConfig(bytes.NewReader(ag.Logo)); err == nil && cfg.Height > 0 {
			opt := fpdf.ImageOptions{ImageType: strings.ToUpper(format), ReadDpi: false}
			pdf.RegisterImageOptionsReader("logo", opt, bytes.NewReader(ag.Logo))
			if pdf.Ok() {
				h := 24.0
				logoW = min(h*float64(cfg.Width)/float64(cfg.Height), 30)
				pdf.ImageOptions("logo", left, top, logoW, 0, false, opt, 0, "")
			} else {
				pdf.ClearError()
			}
		}
	}
	// With a logo on the left, the text block keeps clear of it on both sides so it stays
	// centred on the page.
	if logoW > 0 {
		pdf.SetMargins(left+logoW+3, topMargin, right+logoW+3)
		pdf.SetX(left + logoW + 3)
	}
	pdf.SetFont(document.Serif, "B", 13)
	pdf.CellFormat(0, 6.5, strings.ToUpper(orDefault(ag.Name, "Pemerintah Daerah")), "", 1, "C", false, 0, "")
	pdf.SetFont(document.Serif, "B", 12)
	pdf.MultiCell(0, 6, strings.ToUpper(orDefault(ag.BKPSDMName, "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia")), "", "C", false)
	pdf.SetFont(document.Serif, "", 9.5)
	if addr := strings.TrimSpace(strings.Trim(ag.Address+", "+ag.City, ", ")); addr != "" {
		pdf.MultiCell(0, 5, addr, "", "C", false)
	}
	pdf.SetMargins(left, topMargin, right)
	y := max(pdf.GetY(), top+25) + 1.5
	pdf.SetLineWidth(0.8)
	pdf.Line(left, y, w-right, y)
	pdf.SetLineWidth(0.2)
	pdf.Line(left, y+1, w-right, y+1)
	pdf.SetY(y + 6)
}

func participantTable(pdf *fpdf.Fpdf, ps []Participant) {
	widths := []float64{10, 62, 45, 48}
	header := []string{"No.", "Nama", "NIP", "Jabatan"}
	drawHeader := func() {
		pdf.SetFont(document.Sans, "B", 9)
		pdf.SetFillColor(230, 234, 240)
		for i, h := range header {
			pdf.CellFormat(widths[i], 7, h, "1", 0, "C", true, 0, "")
		}
		pdf.Ln(-1)
	}
	drawHeader()
	pdf.SetFont(document.Sans, "", 9)
	_, pageH := pdf.GetPageSize()
	for i, p := range ps {
		e := p.Employee
		cells := []string{fmt.Sprint(i + 1), e.FullName(), document.FormatNIP(e.NIP), orDefault(e.Position, "–")}
		lines := 1
		for j, c := range cells {
			if n := len(pdf.SplitText(c, widths[j]-2)); n > lines {
				lines = n
			}
		}
		h := 5.0 * float64(lines)
		if pdf.GetY()+h > pageH-25 {
			pdf.AddPage()
			drawHeader()
			pdf.SetFont(document.Sans, "", 9)
		}
		x, y := pdf.GetXY()
		for j, c := range cells {
			pdf.Rect(x, y, widths[j], h, "D")
			pdf.SetXY(x+1, y+0.2)
			align := "L"
			if j == 0 {
				align = "C"
			}
			pdf.MultiCell(widths[j]-2, 5, c, "", align, false)
			x += widths[j]
		}
		pdf.SetXY(25, y+h)
	}
}

func signature(pdf *fpdf.Fpdf, ag domain.Agency, r Request, head, approver string) {
	_, pageH := pdf.GetPageSize()
	if pdf.GetY() > pageH-75 {
		pdf.AddPage()
	}
	x := 115.0
	pdf.SetFont(document.Serif, "", 11)
	pdf.SetX(x)
	pdf.MultiCell(0, 5.8, fmt.Sprintf("%s, %s", orDefault(ag.City, "Ditetapkan di"), document.Tanggal(r.RecommendationDate.Time)), "", "L", false)
	pdf.SetX(x)
	pdf.MultiCell(0, 5.8, head+",", "", "L", false)
	pdf.Ln(18)
	pdf.SetX(x)
	pdf.SetFont(document.Serif, "B", 11)
	pdf.MultiCell(0, 5.8, orDefault(ag.HeadName, "(nama kepala belum diatur)"), "", "L", false)
	pdf.SetFont(document.Serif, "", 11)
	if ag.HeadRank != "" {
		pdf.SetX(x)
		pdf.MultiCell(0, 5.8, ag.HeadRank, "", "L", false)
	}
	if ag.HeadNIP != "" {
		pdf.SetX(x)
		pdf.MultiCell(0, 5.8, "NIP "+document.FormatNIP(ag.HeadNIP), "", "L", false)
	}
	pdf.Ln(8)
	pdf.SetFont(document.Sans, "", 8)
	pdf.SetTextColor(70, 70, 70)
	note := "Keputusan persetujuan dicatat secara elektronik dalam Sertika"
	if approver != "" {
		note += " oleh " + approver
	}
	note += " pada " + document.Tanggal(r.RecommendationDate.Time) + "."
	pdf.MultiCell(0, 4.5, note, "", "L", false)
	pdf.SetTextColor(0, 0, 0)
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
