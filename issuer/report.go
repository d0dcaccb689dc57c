package issuer

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/document"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/nip"
)

// ReportInput is the realisation report of an approved activity.
type ReportInput struct {
	Participants []ReportRow `json:"participants"`
	Note         string      `json:"note"`
}

// ReportRow is one participant's outcome. Every planned participant must appear; a
// participant not in the plan is an addition and needs a reason; Dropped marks a planned
// participant who was replaced or withdrawn (with a reason).
type ReportRow struct {
	NIP      string `json:"nip"`
	Attended bool   `json:"attended"`
	Passed   bool   `json:"passed"`
	Score    string `json:"score,omitempty"`
	JP       *int   `json:"jp,omitempty"`
	Dropped  bool   `json:"dropped,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// SubmitReport records who took part and sends the report to BKPSDM for review. Only
// participants who attended and passed become eligible for a certificate.
//
// A report describes what happened, so it is refused before the activity's last day (its
// EndDate, inclusive, in the agency's time zone); on the last day itself it is accepted,
// since an activity commonly closes with the report being written.
func (s *Service) SubmitReport(ctx context.Context, a domain.Actor, id int64, in ReportInput) (*Detail, error) {
	note, err := cleanNote(in.Note, false)
	if err != nil {
		return nil, err
	}
	if len(in.Participants) == 0 {
		return nil, apperr.Invalid("Laporan harus memuat daftar peserta.")
	}
	if len(in.Participants) > MaxParticipants {
		return nil, apperr.Invalidf("Peserta paling banyak %d orang.", MaxParticipants)
	}
	return s.transition(ctx, a, id, ActionReport, note, 0, func(tx *gorm.DB, r *Request, set map[string]any) error {
		if err := s.checkActivityEnded(r); err != nil {
			return err
		}
		var existing []Participant
		if err := tx.Preload("Employee").Where("request_id = ?", r.ID).Find(&existing).Error; err != nil {
			return apperr.Internal(err)
		}
		planned := map[string]Participant{}
		earlier := map[string]Participant{} // additions made by an earlier, returned report
		for _, p := range existing {
			if p.Employee == nil {
				continue
			}
			if p.Planned {
				planned[p.Employee.NIP] = p
			} else {
				earlier[p.Employee.NIP] = p
			}
		}
		var problems []string
		seen := map[string]bool{}
		var added []string
		rows := map[string]ReportRow{}
		for _, row := range in.Participants {
			n := nip.Normalize(row.NIP)
			if _, err := nip.ParseAt(n, s.db.Now()); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %s", row.NIP, err.Error()))
				continue
			}
			if seen[n] {
				problems = append(problems, n+": tercantum lebih dari sekali")
				continue
			}
			seen[n] = true
			reason, err := cleanNote(row.Reason, false)
			if err != nil {
				problems = append(problems, n+": "+apperr.As(err).Message)
				continue
			}
			row.Reason, row.NIP = reason, n
			if _, ok := planned[n]; !ok {
				if row.Dropped {
					problems = append(problems, n+": bukan peserta rencana, tidak dapat dibatalkan")
					continue
				}
				if reason == "" {
					problems = append(problems, n+": peserta tambahan di luar rencana harus diberi alasan")
					continue
				}
				added = append(added, n)
			} else if row.Dropped && reason == "" {
				problems = append(problems, n+": peserta yang dibatalkan harus diberi alasan")
				continue
			}
			if row.Dropped && (row.Attended || row.Passed) {
				problems = append(problems, n+": peserta yang dibatalkan tidak dapat hadir atau lulus")
				continue
			}
			if row.Passed && !row.Attended {
				problems = append(problems, n+": tidak dapat lulus tanpa hadir")
				continue
			}
			if row.JP != nil && (*row.JP < 0 || *row.JP > r.JP) {
				problems = append(problems, fmt.Sprintf("%s: JP realisasi %d di luar 0–%d JP yang disetujui", n, *row.JP, r.JP))
				continue
			}
			if len([]rune(row.Score)) > 20 {
				problems = append(problems, n+": nilai paling panjang 20 karakter")
				continue
			}
			rows[n] = row
		}
		for n := range planned {
			if !seen[n] {
				problems = append(problems, n+": peserta rencana belum dilaporkan (tandai tidak hadir atau dibatalkan)")
			}
		}
		if len(problems) == 0 && len(added) > 0 {
			emps, err := s.resolveParticipants(tx, r.OPDID, added)
			if err != nil {
				return err
			}
			for _, e := range emps {
				if _, ok := earlier[e.NIP]; !ok {
					if err := tx.Omit(clause.Associations).Create(&Participant{RequestID: r.ID, EmployeeID: e.ID, Planned: false}).Error; err != nil {
						return apperr.Internal(err)
					}
				}
				planned[e.NIP] = Participant{RequestID: r.ID, EmployeeID: e.ID}
			}
		}
		if len(problems) > 0 {
			msg := "Laporan tidak sah: " + strings.Join(problems[:min(10, len(problems))], "; ")
			if len(problems) > 10 {
				msg += fmt.Sprintf("; dan %d lainnya", len(problems)-10)
			}
			return apperr.Invalid(msg + ".")
		}
		// An earlier report's additions that this report leaves out are no longer participants.
		for n, p := range earlier {
			if _, ok := rows[n]; !ok {
				if err := tx.Where("request_id = ? AND employee_id = ?", r.ID, p.EmployeeID).Delete(&Participant{}).Error; err != nil {
					return apperr.Internal(err)
				}
			}
		}
		for n, row := range rows {
			p := planned[n]
			jp := row.JP
			if jp == nil && row.Attended {
				v := r.JP
				jp = &v
			}
			if !row.Attended {
				zero := 0
				jp = &zero
			}
			att, pass := row.Attended, row.Passed
			err := tx.Model(&Participant{}).Where("request_id = ? AND employee_id = ?", r.ID, p.EmployeeID).Updates(map[string]any{
				"attended": att, "passed": pass, "score": row.Score, "jp_actual": jp, "dropped": row.Dropped, "change_reason": row.Reason,
			}).Error
			if err != nil {
				return apperr.Internal(err)
			}
		}
		set["report_note"] = note
		return nil
	})
}

// ReportOpen reports whether a realisation report of the request is accepted by date: from
// the activity's last day on, in the agency's time zone (pages use it to offer the form).
func (s *Service) ReportOpen(r *Request) bool { return !s.today().Before(r.EndDate.Time) }

// checkActivityEnded refuses a realisation report before the activity's last day.
func (s *Service) checkActivityEnded(r *Request) error {
	if !s.ReportOpen(r) {
		return apperr.Invalidf("Laporan realisasi baru dapat diajukan mulai hari terakhir kegiatan (%s). Kegiatan ini belum selesai.",
			document.Tanggal(r.EndDate.Time))
	}
	return nil
}

// VerifyReport accepts a realisation report: the request is ready for certificates.
func (s *Service) VerifyReport(ctx context.Context, a domain.Actor, id int64, note string) (*Detail, error) {
	note, err := cleanNote(note, false)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, a, id, ActionReportVerify, note, 0, func(tx *gorm.DB, r *Request, set map[string]any) error {
		set["report_verified_by"] = userRef(a)
		return nil
	})
}

// ReturnReport sends a realisation report back to the OPD with notes.
func (s *Service) ReturnReport(ctx context.Context, a domain.Actor, id int64, note string) (*Detail, error) {
	note, err := cleanNote(note, true)
	if err != nil {
		return nil, apperr.Invalid("Tuliskan catatan perbaikan laporan untuk OPD.")
	}
	return s.transition(ctx, a, id, ActionReportReturn, note, 0, nil)
}
