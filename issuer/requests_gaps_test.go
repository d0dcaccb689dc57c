package issuer

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/apperr"
)

// Tests of the smaller rules of the workflow (issue 3): what participants see, when a report
// may be sent, list order where NULLs meet, and versions bumped by attachments.

// TestParticipantsSeeOnlySubmittedRequests: an employee sees a request they take part in
// once it has been submitted, whatever happened to it since; a draft, and a draft withdrawn
// before it was ever submitted, stay the OPD's working papers.
func TestParticipantsSeeOnlySubmittedRequests(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		ids := map[string]int64{}
		ids["draft"] = f.requestIn(t, StateDraft)
		ids["withdrawnDraft"] = f.requestIn(t, StateDraft)
		if _, err := f.svc.Withdraw(bg, f.opdUser, ids["withdrawnDraft"], "Batal"); err != nil {
			t.Fatal(err)
		}
		ids["withdrawnSubmitted"] = f.requestIn(t, StateWithdrawn) // submitted, then withdrawn
		ids["returned"] = f.requestIn(t, StateReturned)
		ids["submitted"] = f.requestIn(t, StateSubmitted)
		visible := map[string]bool{"withdrawnSubmitted": true, "returned": true, "submitted": true}

		var want []int64
		for name, id := range ids {
			if visible[name] {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		list, page, err := f.svc.List(bg, f.pegawai, ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := listIDs(list)
		slices.Sort(got)
		if !slices.Equal(got, want) || page.Total != int64(len(want)) {
			t.Errorf("list = %v (total %d), want %v", got, page.Total, want)
		}
		withdrawn, _, err := f.svc.List(bg, f.pegawai, ListFilter{State: StateWithdrawn})
		if err != nil {
			t.Fatal(err)
		}
		if got := listIDs(withdrawn); !slices.Equal(got, []int64{ids["withdrawnSubmitted"]}) {
			t.Errorf("withdrawn filter = %v, want only the one submitted first (%d)", got, ids["withdrawnSubmitted"])
		}
		counts, err := f.svc.Counts(bg, f.pegawai)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[State]int64{StateWithdrawn: 1, StateReturned: 1, StateSubmitted: 1}; !mapsEqual(counts, want) {
			t.Errorf("counts = %v, want %v", counts, want)
		}
		for name, id := range ids {
			t.Run(name, func(t *testing.T) {
				_, err := f.svc.Get(bg, f.pegawai, id)
				if visible[name] {
					if err != nil {
						t.Errorf("participant cannot open it: %v", err)
					}
					return
				}
				assertCode(t, err, apperr.CodeForbidden)
				if _, _, err := f.svc.OpenAttachment(bg, f.pegawai, id, 1); apperr.CodeOf(err) != apperr.CodeForbidden {
					t.Errorf("attachment of a hidden request: %v, want forbidden", err)
				}
				// The OPD still sees its own working papers.
				if _, err := f.svc.Get(bg, f.opdUser, id); err != nil {
					t.Errorf("OPD: %v", err)
				}
			})
		}
	})
}

func mapsEqual(a, b map[State]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestReportNotBeforeLastDay: a realisation report is refused until the activity's last day
// (validInput: 10–12 March 2026) has begun in WIB, and accepted from then on.
func TestReportNotBeforeLastDay(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		id := f.requestIn(t, StateApproved)
		rows := ReportInput{Participants: []ReportRow{{NIP: nipA1, Attended: true, Passed: true}, {NIP: nipA2, Attended: true, Passed: true}}}
		for _, at := range []time.Time{
			time.Date(2026, 3, 10, 3, 0, 0, 0, time.UTC),   // the first day
			time.Date(2026, 3, 11, 16, 59, 0, 0, time.UTC), // 11 March 23.59 WIB (already 12 March nowhere)
		} {
			setClock(f.clock, at)
			before := f.snap(t, id)
			_, err := f.svc.SubmitReport(bg, f.opdUser, id, rows)
			assertCode(t, err, apperr.CodeInvalid)
			if msg := apperr.As(err).Message; !strings.Contains(msg, "hari terakhir kegiatan (12 Maret 2026)") {
				t.Errorf("at %s: message %q", at, msg)
			}
			assertUnchanged(t, before, f.snap(t, id))
		}
		setClock(f.clock, time.Date(2026, 3, 11, 17, 0, 0, 0, time.UTC)) // 12 March 00.00 WIB: the last day
		d, err := f.svc.SubmitReport(bg, f.opdUser, id, rows)
		if err != nil {
			t.Fatalf("report on the last day: %v", err)
		}
		if d.Request.State != StateReported {
			t.Errorf("state %s, want reported", d.Request.State)
		}
		t.Run("after a return, later still", func(t *testing.T) {
			setClock(f.clock, time.Date(2026, 4, 1, 3, 0, 0, 0, time.UTC))
			if _, err := f.svc.ReturnReport(bg, f.rev, id, "Nilai belum diisi"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.SubmitReport(bg, f.opdUser, id, rows); err != nil {
				t.Errorf("corrected report: %v", err)
			}
		})
	})
}

// TestListOrderWithNulls: without a state filter the queue holds never-submitted drafts
// (submitted_at NULL) beside submitted requests; both databases must give the same order —
// submitted oldest first, then the drafts by id — and the default order is total too.
func TestListOrderWithNulls(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		draft1 := f.requestIn(t, StateDraft)
		sub1 := f.requestIn(t, StateSubmitted)
		f.clock.Add(time.Hour)
		sub2 := f.requestIn(t, StateApproved)
		draft2 := f.requestIn(t, StateDraft)
		f.clock.Add(time.Hour)
		ret := f.requestIn(t, StateReturned) // returned: submitted_at stays
		list, _, err := f.svc.List(bg, f.rev, ListFilter{Queue: true})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := listIDs(list), []int64{sub1, sub2, ret, draft1, draft2}; !slices.Equal(got, want) {
			t.Errorf("queue without state = %v, want %v", got, want)
		}
		// Requests changed at the same instant: the id decides, newest first.
		mustDo(t, f.db.Gorm.Exec("UPDATE dev_requests SET updated_at = ?", f.db.Now()).Error)
		list, _, err = f.svc.List(bg, f.admin, ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := listIDs(list), []int64{ret, draft2, sub2, sub1, draft1}; !slices.Equal(got, want) {
			t.Errorf("default order = %v, want %v", got, want)
		}
	})
}

// TestAttachmentBumpsVersion: attaching a file changes the request, so an edit based on the
// version read before the attachment is stale.
func TestAttachmentBumpsVersion(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		d := f.mustCreate(t)
		id, v := d.Request.ID, d.Request.Version
		f.clock.Add(time.Minute)
		if _, err := f.svc.AddAttachment(bg, f.opdUser, id, PurposeProposal, "tor.pdf", bytes.NewReader(tinyPDF())); err != nil {
			t.Fatal(err)
		}
		r := f.request(t, id)
		if r.Version != v+1 || !r.UpdatedAt.Equal(f.db.Now()) {
			t.Errorf("after attaching: version %d updated %s; want %d, %s", r.Version, r.UpdatedAt, v+1, f.db.Now())
		}
		in := validInput()
		in.Title = "Pelatihan Teknis Penyusunan Modul Ajar (revisi)"
		in.Version = v
		before := f.snap(t, id)
		_, err := f.svc.Update(bg, f.opdUser, id, in)
		assertCode(t, err, apperr.CodeConflict)
		assertUnchanged(t, before, f.snap(t, id))
		in.Version = v + 1
		if d, err = f.svc.Update(bg, f.opdUser, id, in); err != nil {
			t.Fatalf("update with the current version: %v", err)
		}
		if d.Request.Version != v+2 {
			t.Errorf("version after update = %d, want %d", d.Request.Version, v+2)
		}
		// Refused attachments leave the version alone (assertUnchanged in the attachment tests);
		// one of another OPD's users is refused before anything is written.
		before = f.snap(t, id)
		_, err = f.svc.AddAttachment(bg, f.opdUserB, id, PurposeProposal, "x.pdf", bytes.NewReader(tinyPDF()))
		assertCode(t, err, apperr.CodeForbidden)
		assertUnchanged(t, before, f.snap(t, id))
	})
}
