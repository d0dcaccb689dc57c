package issuer

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

func TestHistoryIsAppendOnly(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		id := f.requestIn(t, StateApproved)
		mustDo(t, f.db.Gorm.Create(&domain.AuditEntry{At: f.db.Now(), Username: "admin", Action: "test", Object: "x", Detail: "asli"}).Error)
		events0 := f.events(t, id)
		var audit0 []domain.AuditEntry
		mustDo(t, f.db.Gorm.Order("id").Find(&audit0).Error)
		for _, tc := range []struct{ name, sql string }{
			{"update event note", "UPDATE dev_request_events SET note = 'x'"},
			{"update event actor", "UPDATE dev_request_events SET username = 'someone' WHERE request_id = " + itoa(id)},
			{"delete events", "DELETE FROM dev_request_events"},
			{"delete one event", "DELETE FROM dev_request_events WHERE request_id = " + itoa(id)},
			{"update audit", "UPDATE audit_log SET detail = 'x'"},
			{"delete audit", "DELETE FROM audit_log"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := f.db.Gorm.Exec(tc.sql).Error; err == nil {
					t.Fatalf("%s succeeded, want refused by the database", tc.sql)
				}
			})
		}
		t.Run("rows unchanged", func(t *testing.T) {
			events1 := f.events(t, id)
			if len(events1) != len(events0) {
				t.Fatalf("events %d → %d", len(events0), len(events1))
			}
			for i := range events0 {
				a, b := events0[i], events1[i]
				if a.Note != b.Note || a.Username != b.Username || a.Action != b.Action || !a.At.Equal(b.At) {
					t.Errorf("event %d changed: %+v → %+v", i, a, b)
				}
			}
			var audit1 []domain.AuditEntry
			mustDo(t, f.db.Gorm.Order("id").Find(&audit1).Error)
			if len(audit1) != len(audit0) || audit1[len(audit1)-1].Detail != "asli" {
				t.Errorf("audit log changed: %+v", audit1)
			}
		})
		t.Run("appending still works", func(t *testing.T) {
			mustDo(t, f.db.Gorm.Create(&domain.AuditEntry{At: f.db.Now(), Action: "test2"}).Error)
			if err := f.do(f.opdUser, ActionAttach, id); err != nil {
				t.Fatal(err)
			}
			if n := len(f.events(t, id)); n != len(events0)+1 {
				t.Errorf("events = %d, want %d", n, len(events0)+1)
			}
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestTimeline drives a request through every kind of step, at known times and by known
// users, and reads the history back in order.
func TestTimeline(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		type want struct {
			act      Action
			by       domain.Actor
			from, to State
			note     string
			at       time.Time
		}
		var wants []want
		var id int64
		stepAt := func(act Action, by domain.Actor, from, to State, note string, run func() error) {
			t.Helper()
			f.clock.Add(90 * time.Minute)
			at := f.db.Now()
			if err := run(); err != nil {
				t.Fatalf("%s: %v", act, err)
			}
			wants = append(wants, want{act, by, from, to, note, at})
		}
		stepAt(ActionCreate, f.opdUser, "", StateDraft, "", func() error {
			d, err := f.svc.Create(bg, f.opdUser, validInput())
			if d != nil {
				id = d.Request.ID
			}
			return err
		})
		stepAt(ActionAttach, f.opdUser, StateDraft, StateDraft, "Dokumen usulan: tor.pdf", func() error { return f.do(f.opdUser, ActionAttach, id) })
		stepAt(ActionSubmit, f.opdUser, StateDraft, StateSubmitted, "Mohon persetujuan", func() error {
			_, err := f.svc.Submit(bg, f.opdUser, id, "  Mohon persetujuan  ")
			return err
		})
		stepAt(ActionReturn, f.rev, StateSubmitted, StateReturned, "Lengkapi TOR", func() error {
			_, err := f.svc.Return(bg, f.rev, id, "Lengkapi TOR")
			return err
		})
		stepAt(ActionUpdate, f.opdUser, StateReturned, StateReturned, "", func() error { return f.do(f.opdUser, ActionUpdate, id) })
		stepAt(ActionSubmit, f.opdUser, StateReturned, StateSubmitted, "", func() error { return f.do(f.opdUser, ActionSubmit, id) })
		stepAt(ActionApprove, f.rev2, StateSubmitted, StateApproved, "Sesuai analisis kebutuhan", func() error {
			_, err := f.svc.Approve(bg, f.rev2, id, "Sesuai analisis kebutuhan")
			return err
		})
		setClock(f.clock, time.Date(2026, 3, 12, 3, 0, 0, 0, time.UTC)) // the activity's last day: reports are accepted
		stepAt(ActionReport, f.opdUser, StateApproved, StateReported, "", func() error { return f.do(f.opdUser, ActionReport, id) })
		stepAt(ActionReportReturn, f.rev, StateReported, StateReportReturned, "Daftar hadir belum dilampirkan", func() error {
			return f.do(f.rev, ActionReportReturn, id)
		})
		stepAt(ActionReport, f.opdUser, StateReportReturned, StateReported, "", func() error { return f.do(f.opdUser, ActionReport, id) })
		stepAt(ActionReportVerify, f.rev, StateReported, StateVerified, "", func() error { return f.do(f.rev, ActionReportVerify, id) })

		d, err := f.svc.Get(bg, f.pegawai, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.History) != len(wants) {
			t.Fatalf("history has %d rows, want %d", len(d.History), len(wants))
		}
		for i, w := range wants {
			ev := d.History[i]
			if ev.Action != w.act || ev.FromState != w.from || ev.ToState != w.to || ev.Note != w.note ||
				ev.Username != w.by.Username || ev.UserID == nil || *ev.UserID != w.by.UserID || !ev.At.Equal(w.at) || ev.RequestID != id {
				t.Errorf("event %d = %s %s→%s by %s (%v) at %s note %q; want %s %s→%s by %s (%d) at %s note %q", i,
					ev.Action, ev.FromState, ev.ToState, ev.Username, ptrStr(ev.UserID), ev.At, ev.Note,
					w.act, w.from, w.to, w.by.Username, w.by.UserID, w.at, w.note)
			}
			if i > 0 && ev.ID <= d.History[i-1].ID {
				t.Errorf("history out of order at %d", i)
			}
		}
		r := d.Request
		if r.DecidedBy == nil || *r.DecidedBy != f.rev2.UserID || r.DecisionNote != "Sesuai analisis kebutuhan" {
			t.Errorf("decision by %v note %q", r.DecidedBy, r.DecisionNote)
		}
		if r.ReportVerifiedBy == nil || *r.ReportVerifiedBy != f.rev.UserID {
			t.Errorf("report verified by %v", r.ReportVerifiedBy)
		}
		if r.Version != 11 {
			t.Errorf("version = %d, want 11 (create + 10 changes, the attachment included)", r.Version)
		}
	})
}

func TestNotesAreRequiredWhereTheyExplain(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		sub := f.requestIn(t, StateSubmitted)
		rep := f.requestIn(t, StateReported)
		for _, tc := range []struct {
			name string
			id   int64
			run  func(id int64) error
		}{
			{"return without note", sub, func(id int64) error { _, err := f.svc.Return(bg, f.rev, id, "   "); return err }},
			{"reject without reason", sub, func(id int64) error { _, err := f.svc.Reject(bg, f.rev, id, ""); return err }},
			{"report return without note", rep, func(id int64) error { _, err := f.svc.ReturnReport(bg, f.rev, id, "\t"); return err }},
			{"approve with control characters", sub, func(id int64) error { _, err := f.svc.Approve(bg, f.rev, id, "ok\x00"); return err }},
			{"approve with an overlong note", sub, func(id int64) error {
				_, err := f.svc.Approve(bg, f.rev, id, strings.Repeat("a", 2001))
				return err
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := f.snap(t, tc.id)
				assertCode(t, tc.run(tc.id), apperr.CodeInvalid)
				assertUnchanged(t, before, f.snap(t, tc.id))
			})
		}
	})
}

// Two OPD users creating at the same moment both succeed (SQLite included).
func TestConcurrentCreates(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		const n = 8
		start := make(chan struct{})
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = f.svc.Create(bg, f.opdUser, validInput())
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("create %d: %v", i, err)
			}
		}
		var c int64
		f.db.Gorm.Model(&Request{}).Count(&c)
		if c != n {
			t.Errorf("requests = %d, want %d", c, n)
		}
	})
}
