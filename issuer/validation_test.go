package issuer

import (
	"bytes"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// The fixture's today is Monday 2 March 2026 (WIB).

const nipUnknown = "199001012015031001" // a well-formed NIP no employee has

type inputCase struct {
	name  string
	edit  func(in *RequestInput)
	field string // "" = accepted
}

func inputCases() []inputCase {
	d := domain.NewDate
	return []inputCase{
		{"valid input", func(in *RequestInput) {}, ""},
		{"title too short", func(in *RequestInput) { in.Title = "Abc" }, "title"},
		{"title missing", func(in *RequestInput) { in.Title = "  " }, "title"},
		{"dates reversed", func(in *RequestInput) { in.StartDate, in.EndDate = d(2026, 3, 12), d(2026, 3, 10) }, "end_date"},
		{"start date missing", func(in *RequestInput) { in.StartDate = domain.Date{} }, "start_date"},
		{"end date missing", func(in *RequestInput) { in.EndDate = domain.Date{} }, "end_date"},
		{"activity too long", func(in *RequestInput) { in.EndDate = domain.Date{Time: in.StartDate.AddDate(0, 0, MaxDurationDays)} }, "end_date"},
		{"date absurdly far ahead", func(in *RequestInput) { in.StartDate, in.EndDate = d(2030, 1, 1), d(2030, 1, 2) }, "start_date"},
		{"JP zero", func(in *RequestInput) { in.JP = 0 }, "jp"},
		{"JP negative", func(in *RequestInput) { in.JP = -8 }, "jp"},
		{"JP absurd even with a note", func(in *RequestInput) { in.JP, in.JPNote = MaxJP+1, "Program panjang" }, "jp"},
		{"JP at the absurd limit with a note", func(in *RequestInput) {
			in.StartDate, in.EndDate, in.JP, in.JPNote = d(2026, 3, 10), d(2027, 3, 10), MaxJP, "Tugas belajar"
		}, ""},
		{"JP over 10 a day without a note", func(in *RequestInput) { in.JP = 31 }, "jp"},
		{"JP exactly 10 a day", func(in *RequestInput) { in.JP = 30 }, ""},
		{"JP over 10 a day with a note", func(in *RequestInput) { in.JP, in.JPNote = 31, "Termasuk kelas malam" }, ""},
		{"participant from another OPD", func(in *RequestInput) { in.Participants = []string{nipA1, nipB1} }, "participants"},
		{"participant NIP unknown", func(in *RequestInput) { in.Participants = []string{nipA1, nipUnknown} }, "participants"},
		{"participant NIP invalid", func(in *RequestInput) { in.Participants = []string{nipA1, "12345"} }, "participants"},
		{"participant NIP with a 13th month", func(in *RequestInput) { in.Participants = []string{"196608011988131001"} }, "participants"},
		{"participant twice", func(in *RequestInput) { in.Participants = []string{nipA1, nipA2, nipA1} }, "participants"},
		{"participant twice, typed differently", func(in *RequestInput) {
			in.Participants = []string{nipA1, "19660801 198803 1 001"}
		}, "participants"},
		{"NIP typed with spaces", func(in *RequestInput) { in.Participants = []string{"19660801 198803 1 001"} }, ""},
		{"no participants", func(in *RequestInput) { in.Participants = nil }, "participants"},
		{"unknown kind", func(in *RequestInput) { in.Kind = "diklat_prajabatan" }, "kind"},
		{"empty kind", func(in *RequestInput) { in.Kind = "" }, "kind"},
		{"leadership without level", func(in *RequestInput) { in.Kind = "kepemimpinan" }, "level"},
		{"leadership with bad level", func(in *RequestInput) { in.Kind, in.Level = "kepemimpinan", "pim5" }, "level"},
		{"leadership with level", func(in *RequestInput) { in.Kind, in.Level = "kepemimpinan", "pkp" }, ""},
		{"leadership with old-style level in capitals", func(in *RequestInput) { in.Kind, in.Level = "kepemimpinan", " PIM3 " }, ""},
		{"level on a technical training", func(in *RequestInput) { in.Level = "pka" }, "level"},
		{"organizer unknown", func(in *RequestInput) { in.Organizer = "swasta" }, "organizer"},
		{"organizer missing", func(in *RequestInput) { in.Organizer = "" }, "organizer"},
		{"kementerian without organizer name", func(in *RequestInput) { in.Organizer = "kementerian" }, "organizer_name"},
		{"kementerian with organizer name", func(in *RequestInput) {
			in.Organizer, in.OrganizerName = "kementerian", "Pusdiklat Kemendikbudristek"
		}, ""},
		{"lainnya without organizer name", func(in *RequestInput) { in.Organizer = "lainnya" }, "organizer_name"},
		{"no place and not online", func(in *RequestInput) { in.Place = "" }, "place"},
		{"online without place", func(in *RequestInput) { in.Place, in.Online = "", true }, ""},
		{"start in the past without retroactive", func(in *RequestInput) { in.StartDate = d(2026, 3, 1) }, "start_date"},
		{"start today", func(in *RequestInput) { in.StartDate = d(2026, 3, 2) }, ""},
		{"retroactive more than 2 years back", func(in *RequestInput) {
			in.Retroactive, in.StartDate, in.EndDate = true, d(2024, 3, 1), d(2024, 3, 3)
		}, "start_date"},
		{"retroactive exactly 2 years back", func(in *RequestInput) {
			in.Retroactive, in.StartDate, in.EndDate = true, d(2024, 3, 2), d(2024, 3, 4)
		}, ""},
		{"retroactive for a future activity", func(in *RequestInput) { in.Retroactive = true }, "retroactive"},
		{"retroactive still running today", func(in *RequestInput) {
			in.Retroactive, in.StartDate, in.EndDate = true, d(2026, 2, 27), d(2026, 3, 2)
		}, "retroactive"},
		{"retroactive finished yesterday", func(in *RequestInput) {
			in.Retroactive, in.StartDate, in.EndDate = true, d(2026, 2, 25), d(2026, 3, 1)
		}, ""},
	}
}

func TestCreateInputRules(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		for _, tc := range inputCases() {
			t.Run(tc.name, func(t *testing.T) {
				in := validInput()
				tc.edit(&in)
				var n0, e0, n1, e1 int64
				f.db.Gorm.Model(&Request{}).Count(&n0)
				f.db.Gorm.Model(&Participant{}).Count(&e0)
				d, err := f.svc.Create(bg, f.opdUser, in)
				f.db.Gorm.Model(&Request{}).Count(&n1)
				f.db.Gorm.Model(&Participant{}).Count(&e1)
				if tc.field == "" {
					if err != nil {
						t.Fatalf("got %v, want accepted", err)
					}
					if d.Request.State != StateDraft || d.Request.Version != 1 {
						t.Errorf("new request is %s v%d, want draft v1", d.Request.State, d.Request.Version)
					}
					return
				}
				assertCode(t, err, apperr.CodeInvalid)
				e := apperr.As(err)
				if e.Fields[tc.field] == "" {
					t.Errorf("fields = %v, want a message for %q", e.Fields, tc.field)
				}
				if e.Message == "" {
					t.Error("empty message")
				}
				if n1 != n0 || e1 != e0 {
					t.Errorf("refused create wrote rows: requests %d→%d, participants %d→%d", n0, n1, e0, e1)
				}
			})
		}
	})
}

// The same rules hold when a draft is edited, and a refused edit changes nothing.
func TestUpdateInputRules(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		id := f.mustCreate(t).Request.ID
		for _, tc := range inputCases() {
			if tc.field == "" {
				continue
			}
			t.Run(tc.name, func(t *testing.T) {
				in := validInput()
				tc.edit(&in)
				before := f.snap(t, id)
				_, err := f.svc.Update(bg, f.opdUser, id, in)
				assertCode(t, err, apperr.CodeInvalid)
				if apperr.As(err).Fields[tc.field] == "" {
					t.Errorf("fields = %v, want a message for %q", apperr.As(err).Fields, tc.field)
				}
				assertUnchanged(t, before, f.snap(t, id))
			})
		}
		t.Run("stale version", func(t *testing.T) {
			before := f.snap(t, id)
			in := validInput()
			in.Version = before.Version + 5
			_, err := f.svc.Update(bg, f.opdUser, id, in)
			assertCode(t, err, apperr.CodeConflict)
			assertUnchanged(t, before, f.snap(t, id))
		})
		t.Run("current version", func(t *testing.T) {
			before := f.snap(t, id)
			in := validInput()
			in.Version = before.Version
			in.Participants = []string{nipA3}
			d, err := f.svc.Update(bg, f.opdUser, id, in)
			if err != nil {
				t.Fatal(err)
			}
			if d.Request.Version != before.Version+1 || len(d.Participants) != 1 || d.Participants[0].Employee.NIP != nipA3 {
				t.Errorf("after update: v%d, participants %+v", d.Request.Version, d.Participants)
			}
		})
	})
}

func TestInactiveOrMovedParticipant(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		t.Run("inactive employee refused at create", func(t *testing.T) {
			mustDo(t, f.db.Gorm.Exec("UPDATE employees SET active = ? WHERE nip = ?", false, nipA3).Error)
			defer f.db.Gorm.Exec("UPDATE employees SET active = ? WHERE nip = ?", true, nipA3)
			in := validInput()
			in.Participants = []string{nipA3}
			_, err := f.svc.Create(bg, f.opdUser, in)
			assertCode(t, err, apperr.CodeInvalid)
			if apperr.As(err).Fields["participants"] == "" {
				t.Errorf("fields = %v", apperr.As(err).Fields)
			}
		})
		t.Run("participant moved to another OPD before submit", func(t *testing.T) {
			in := validInput()
			in.Participants = []string{nipA3}
			id := f.requestInFrom(t, StateDraft, in)
			mustDo(t, f.db.Gorm.Exec("UPDATE employees SET opd_id = ? WHERE nip = ?", f.opdB.ID, nipA3).Error)
			defer f.db.Gorm.Exec("UPDATE employees SET opd_id = ? WHERE nip = ?", f.opdA.ID, nipA3)
			before := f.snap(t, id)
			_, err := f.svc.Submit(bg, f.opdUser, id, "")
			assertCode(t, err, apperr.CodeInvalid)
			assertUnchanged(t, before, f.snap(t, id))
		})
		t.Run("draft whose start date passed cannot be submitted", func(t *testing.T) {
			id := f.mustCreate(t).Request.ID
			saved := f.clock.Now()
			defer setClock(f.clock, saved)
			f.clock.Add(10 * 24 * time.Hour) // 12 March
			before := f.snap(t, id)
			_, err := f.svc.Submit(bg, f.opdUser, id, "")
			assertCode(t, err, apperr.CodeInvalid)
			assertUnchanged(t, before, f.snap(t, id))
		})
	})
}

func TestRetroactiveNeedsEvidence(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		in := validInput()
		in.Retroactive, in.StartDate, in.EndDate = true, domain.NewDate(2025, 11, 3), domain.NewDate(2025, 11, 5)
		d, err := f.svc.Create(bg, f.opdUser, in)
		if err != nil {
			t.Fatal(err)
		}
		id := d.Request.ID

		t.Run("without any attachment", func(t *testing.T) {
			before := f.snap(t, id)
			_, err := f.svc.Submit(bg, f.opdUser, id, "")
			assertCode(t, err, apperr.CodeInvalid)
			assertUnchanged(t, before, f.snap(t, id))
		})
		t.Run("with a proposal attachment only", func(t *testing.T) {
			if _, err := f.svc.AddAttachment(bg, f.opdUser, id, PurposeProposal, "tor.pdf", bytes.NewReader(tinyPDF())); err != nil {
				t.Fatal(err)
			}
			before := f.snap(t, id)
			_, err := f.svc.Submit(bg, f.opdUser, id, "")
			assertCode(t, err, apperr.CodeInvalid)
			assertUnchanged(t, before, f.snap(t, id))
		})
		t.Run("with a PDF evidence attachment", func(t *testing.T) {
			att, err := f.svc.AddAttachment(bg, f.opdUser, id, PurposeEvidence, "sertifikat.pdf", bytes.NewReader(tinyPDF()))
			if err != nil {
				t.Fatal(err)
			}
			if att.ContentType != "application/pdf" || att.Purpose != PurposeEvidence {
				t.Errorf("attachment = %+v", att)
			}
			d, err := f.svc.Submit(bg, f.opdUser, id, "")
			if err != nil {
				t.Fatalf("submit with evidence: %v", err)
			}
			if d.Request.State != StateSubmitted || d.Request.SubmittedAt == nil {
				t.Errorf("state %s, submitted_at %v", d.Request.State, d.Request.SubmittedAt)
			}
		})
	})
}
