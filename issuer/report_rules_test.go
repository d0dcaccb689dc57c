package issuer

import (
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
)

func intp(n int) *int { return &n }

// The approved request has nipA1 and nipA2 planned and 24 JP.
func TestReportRefusals(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		id := f.requestIn(t, StateApproved)
		a1 := ReportRow{NIP: nipA1, Attended: true, Passed: true}
		a2 := ReportRow{NIP: nipA2, Attended: true, Passed: true}
		cases := []struct {
			name string
			rows []ReportRow
			hint string // part of the message that explains the refusal
		}{
			{"no rows", nil, "daftar peserta"},
			{"planned participant missing", []ReportRow{a1}, nipA2},
			{"addition without reason", []ReportRow{a1, a2, {NIP: nipA3, Attended: true, Passed: true}}, "alasan"},
			{"addition from another OPD", []ReportRow{a1, a2, {NIP: nipB1, Attended: true, Passed: true, Reason: "Pengganti"}}, "tidak terdaftar sebagai pegawai OPD pengusul"},
			{"addition not an employee", []ReportRow{a1, a2, {NIP: nipUnknown, Attended: true, Reason: "Pengganti"}}, "tidak terdaftar sebagai pegawai OPD pengusul"},
			{"invalid NIP", []ReportRow{a1, a2, {NIP: "123", Attended: true, Reason: "Pengganti"}}, "18 digit"},
			{"participant twice", []ReportRow{a1, a2, a1}, "lebih dari sekali"},
			{"dropped without reason", []ReportRow{a1, {NIP: nipA2, Dropped: true}}, "alasan"},
			{"dropped but attended", []ReportRow{a1, {NIP: nipA2, Dropped: true, Attended: true, Reason: "Sakit"}}, "dibatalkan"},
			{"dropped but passed", []ReportRow{a1, {NIP: nipA2, Dropped: true, Passed: true, Reason: "Sakit"}}, "dibatalkan"},
			{"dropping someone not planned", []ReportRow{a1, a2, {NIP: nipA3, Dropped: true, Reason: "Salah input"}}, "bukan peserta rencana"},
			{"passed without attending", []ReportRow{a1, {NIP: nipA2, Passed: true}}, "tanpa hadir"},
			{"JP above the approved JP", []ReportRow{a1, {NIP: nipA2, Attended: true, JP: intp(25)}}, "JP"},
			{"negative JP", []ReportRow{a1, {NIP: nipA2, Attended: true, JP: intp(-1)}}, "JP"},
			{"score too long", []ReportRow{a1, {NIP: nipA2, Attended: true, Passed: true, Score: strings.Repeat("9", 21)}}, "nilai"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := f.snap(t, id)
				_, err := f.report(f.opdUser, id, ReportInput{Participants: tc.rows})
				assertCode(t, err, apperr.CodeInvalid)
				if msg := apperr.As(err).Message; !strings.Contains(msg, tc.hint) {
					t.Errorf("message %q does not mention %q", msg, tc.hint)
				}
				assertUnchanged(t, before, f.snap(t, id))
			})
		}
		t.Run("report before approval", func(t *testing.T) {
			for _, st := range []State{StateDraft, StateSubmitted, StateReturned} {
				rid := f.requestIn(t, st)
				before := f.snap(t, rid)
				_, err := f.report(f.opdUser, rid, ReportInput{Participants: []ReportRow{a1, a2}})
				assertCode(t, err, apperr.CodeConflict)
				assertUnchanged(t, before, f.snap(t, rid))
			}
		})
		t.Run("edit after approval", func(t *testing.T) {
			before := f.snap(t, id)
			_, err := f.svc.Update(bg, f.opdUser, id, validInput())
			assertCode(t, err, apperr.CodeConflict)
			assertUnchanged(t, before, f.snap(t, id))
		})
	})
}

func TestReportOutcomes(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		id := f.requestIn(t, StateApproved)
		d, err := f.report(f.opdUser, id, ReportInput{Note: "Kegiatan selesai", Participants: []ReportRow{
			{NIP: "19660801 198803 1 001", Attended: true, Passed: true, Score: "87,5"}, // JP omitted → approved JP
			{NIP: nipA2, Dropped: true, Reason: "Mutasi jabatan", JP: intp(10)},         // dropped → 0 JP
			{NIP: nipA3, Attended: true, Passed: false, JP: intp(16), Reason: "Pengganti Siti"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if d.Request.State != StateReported || d.Request.ReportNote != "Kegiatan selesai" {
			t.Errorf("state %s note %q", d.Request.State, d.Request.ReportNote)
		}
		ps := f.participants(t, id)
		for _, tc := range []struct {
			nip              string
			planned, dropped bool
			attended, passed bool
			jp               int
			reason, score    string
			eligible         bool
		}{
			{nipA1, true, false, true, true, 24, "", "87,5", true},
			{nipA2, true, true, false, false, 0, "Mutasi jabatan", "", false},
			{nipA3, false, false, true, false, 16, "Pengganti Siti", "", false},
		} {
			t.Run(tc.nip, func(t *testing.T) {
				p, ok := ps[tc.nip]
				if !ok {
					t.Fatalf("participant missing")
				}
				got := []any{p.Planned, p.Dropped, ptrStr(p.Attended), ptrStr(p.Passed), ptrStr(p.JPActual), p.ChangeReason, p.Score, p.Eligible()}
				want := []any{tc.planned, tc.dropped, "true", "false", "0", tc.reason, tc.score, tc.eligible}
				want[2], want[3], want[4] = ptrStr(&tc.attended), ptrStr(&tc.passed), ptrStr(&tc.jp)
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("got %v, want %v", got, want)
						break
					}
				}
			})
		}
		t.Run("not attended means 0 JP even if JP given", func(t *testing.T) {
			id := f.requestIn(t, StateApproved)
			if _, err := f.report(f.opdUser, id, ReportInput{Participants: []ReportRow{
				{NIP: nipA1, Attended: false, JP: intp(12)}, {NIP: nipA2, Attended: true, JP: intp(0)},
			}}); err != nil {
				t.Fatal(err)
			}
			ps := f.participants(t, id)
			if ptrStr(ps[nipA1].JPActual) != "0" || ptrStr(ps[nipA2].JPActual) != "0" || ps[nipA1].Eligible() || ps[nipA2].Eligible() {
				t.Errorf("A1 jp %s eligible %v, A2 jp %s eligible %v", ptrStr(ps[nipA1].JPActual), ps[nipA1].Eligible(),
					ptrStr(ps[nipA2].JPActual), ps[nipA2].Eligible())
			}
		})
	})
}

func TestEligible(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name string
		p    Participant
		want bool
	}{
		{"attended and passed", Participant{Attended: &yes, Passed: &yes}, true},
		{"attended, failed", Participant{Attended: &yes, Passed: &no}, false},
		{"not attended", Participant{Attended: &no, Passed: &no}, false},
		{"not reported", Participant{}, false},
		{"attended, passed unknown", Participant{Attended: &yes}, false},
		{"dropped", Participant{Dropped: true, Attended: &yes, Passed: &yes}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Eligible(); got != tc.want {
				t.Errorf("Eligible() = %v, want %v", got, tc.want)
			}
		})
	}
}

// A returned report can be corrected and sent again; the second report replaces the first.
func TestReportReturnedThenResubmitted(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		first := ReportInput{Participants: []ReportRow{
			{NIP: nipA1, Attended: true, Passed: true},
			{NIP: nipA2, Attended: false},
			{NIP: nipA3, Attended: true, Passed: true, Reason: "Tambahan dari sekolah mitra"},
		}}
		t.Run("same participants, corrected results", func(t *testing.T) {
			id := f.requestIn(t, StateApproved)
			if _, err := f.report(f.opdUser, id, first); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.ReturnReport(bg, f.rev, id, "Nilai A2 keliru"); err != nil {
				t.Fatal(err)
			}
			second := ReportInput{Participants: []ReportRow{
				{NIP: nipA1, Attended: true, Passed: true, JP: intp(20)},
				{NIP: nipA2, Attended: true, Passed: true},
				{NIP: nipA3, Attended: true, Passed: true, Reason: "Tambahan dari sekolah mitra"},
			}}
			d, err := f.report(f.opdUser, id, second)
			if err != nil {
				t.Fatalf("resubmit: %v", err)
			}
			if d.Request.State != StateReported {
				t.Fatalf("state %s", d.Request.State)
			}
			ps := f.participants(t, id)
			if len(ps) != 3 || ptrStr(ps[nipA1].JPActual) != "20" || !ps[nipA2].Eligible() || !ps[nipA3].Eligible() || ps[nipA3].Planned {
				t.Errorf("participants after resubmission: %+v", ps)
			}
			if _, err := f.svc.VerifyReport(bg, f.rev, id, ""); err != nil {
				t.Errorf("verify: %v", err)
			}
		})
		t.Run("addition withdrawn in the corrected report", func(t *testing.T) {
			id := f.requestIn(t, StateApproved)
			if _, err := f.report(f.opdUser, id, first); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.ReturnReport(bg, f.rev, id, "A3 tidak terdaftar sebagai peserta"); err != nil {
				t.Fatal(err)
			}
			second := ReportInput{Participants: []ReportRow{{NIP: nipA1, Attended: true, Passed: true}, {NIP: nipA2, Attended: false}}}
			if _, err := f.report(f.opdUser, id, second); err != nil {
				t.Fatalf("resubmit: %v", err)
			}
			ps := f.participants(t, id)
			if p, ok := ps[nipA3]; ok && p.Eligible() {
				t.Errorf("A3, left out of the corrected report, is still eligible: %+v", p)
			}
			d, err := f.svc.Get(bg, f.rev, id)
			if err != nil {
				t.Fatal(err)
			}
			var eligible []string
			for _, p := range d.Participants {
				if p.Eligible() {
					eligible = append(eligible, p.Employee.NIP)
				}
			}
			if len(eligible) != 1 || eligible[0] != nipA1 {
				t.Errorf("eligible = %v, want only A1", eligible)
			}
		})
		t.Run("planned participant still required after return", func(t *testing.T) {
			id := f.requestIn(t, StateReportReturned)
			before := f.snap(t, id)
			_, err := f.report(f.opdUser, id, ReportInput{Participants: []ReportRow{{NIP: nipA1, Attended: true}}})
			assertCode(t, err, apperr.CodeInvalid)
			assertUnchanged(t, before, f.snap(t, id))
		})
	})
}
