package issuer

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

func TestApproveReplayIsIdempotent(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		id := f.requestIn(t, StateApproved)
		before := f.snap(t, id)
		for i := 0; i < 3; i++ {
			d, err := f.svc.Approve(bg, f.rev, id, "")
			if err != nil {
				t.Fatalf("repeat %d: %v", i+1, err)
			}
			if d.Request.State != StateApproved || d.Request.Recommendation() != before.Number {
				t.Errorf("repeat %d: %s %q", i+1, d.Request.State, d.Request.Recommendation())
			}
		}
		after := f.snap(t, id)
		assertUnchanged(t, before, after)
		var approvals int64
		f.db.Gorm.Model(&Event{}).Where("request_id = ? AND action = ?", id, ActionApprove).Count(&approvals)
		if approvals != 1 {
			t.Errorf("approve events = %d, want 1", approvals)
		}
		if got := f.counter(t, 2026); got != 1 {
			t.Errorf("counter = %d, want 1", got)
		}
	})
}

func TestApproveAfterOtherReviewer(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		id := f.requestIn(t, StateSubmitted)
		if _, err := f.svc.Approve(bg, f.rev2, id, "Sesuai"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			run  func() error
		}{
			{"approve", func() error { _, err := f.svc.Approve(bg, f.rev, id, ""); return err }},
			{"reject", func() error { _, err := f.svc.Reject(bg, f.rev, id, "Terlambat"); return err }},
			{"return", func() error { _, err := f.svc.Return(bg, f.rev, id, "Perbaiki"); return err }},
			{"reject by the approver", func() error { _, err := f.svc.Reject(bg, f.rev2, id, "Berubah pikiran"); return err }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := f.snap(t, id)
				assertCode(t, tc.run(), apperr.CodeConflict)
				assertUnchanged(t, before, f.snap(t, id))
			})
		}
		r := f.request(t, id)
		if r.DecidedBy == nil || *r.DecidedBy != f.rev2.UserID {
			t.Errorf("decided_by = %v, want rev2 (%d)", r.DecidedBy, f.rev2.UserID)
		}
	})
}

func TestReplayOnlyForTheLastAction(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		// Submitted, returned by rev, resubmitted: rev's old "return" is not the last action
		// any more, so a stale retry of it is a conflict, not a success.
		id := f.requestIn(t, StateReturned)
		if _, err := f.svc.Submit(bg, f.opdUser, id, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(bg, f.rev, id, ""); err != nil {
			t.Fatal(err)
		}
		before := f.snap(t, id)
		_, err := f.svc.Return(bg, f.rev, id, "Lengkapi TOR")
		assertCode(t, err, apperr.CodeConflict)
		// An attachment after approval makes the approval no longer the last action.
		if err := f.do(f.opdUser, ActionAttach, id); err != nil {
			t.Fatal(err)
		}
		before = f.snap(t, id)
		_, err = f.svc.Approve(bg, f.rev, id, "")
		assertCode(t, err, apperr.CodeConflict)
		assertUnchanged(t, before, f.snap(t, id))
	})
}

func TestConcurrentApprovalsOfOneRequest(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		for round := 0; round < 5; round++ {
			t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
				id := f.requestIn(t, StateSubmitted)
				seq0 := f.counter(t, 2026)
				start := make(chan struct{})
				errs := make([]error, 2)
				var wg sync.WaitGroup
				for i, a := range []domain.Actor{f.rev, f.rev2} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						_, errs[i] = f.svc.Approve(bg, a, id, "")
					}()
				}
				close(start)
				wg.Wait()
				ok, conflict := 0, 0
				for _, err := range errs {
					switch apperr.CodeOf(err) {
					case "":
						ok++
					case apperr.CodeConflict:
						conflict++
					default:
						t.Errorf("unexpected error: %v", err)
					}
				}
				if ok != 1 || conflict != 1 {
					t.Errorf("successes %d, conflicts %d, want 1 and 1 (%v)", ok, conflict, errs)
				}
				var approvals int64
				f.db.Gorm.Model(&Event{}).Where("request_id = ? AND action = ?", id, ActionApprove).Count(&approvals)
				if approvals != 1 {
					t.Errorf("approve events = %d, want 1", approvals)
				}
				if got := f.counter(t, 2026); got != seq0+1 {
					t.Errorf("counter %d → %d, want one number taken", seq0, got)
				}
				r := f.request(t, id)
				if r.Version != 3 || r.RecommendationSeq == nil || *r.RecommendationSeq != seq0+1 {
					t.Errorf("request v%d seq %v, want v3 seq %d", r.Version, r.RecommendationSeq, seq0+1)
				}
			})
		}
	})
}

func TestConcurrentNumbersAreGapFree(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		const n, workers = 20, 8
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = f.requestIn(t, StateSubmitted)
		}
		jobs := make(chan int)
		start := make(chan struct{})
		var mu sync.Mutex
		var failures []error
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := range jobs {
					a := f.rev
					if i%2 == 1 {
						a = f.rev2
					}
					if _, err := f.svc.Approve(bg, a, ids[i], ""); err != nil {
						mu.Lock()
						failures = append(failures, fmt.Errorf("request %d: %w", ids[i], err))
						mu.Unlock()
					}
				}
			}()
		}
		close(start)
		for i := range ids {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		for _, err := range failures {
			t.Error(err)
		}
		var seqs []int
		numbers := map[string]bool{}
		for _, id := range ids {
			r := f.request(t, id)
			if r.State != StateApproved || r.RecommendationSeq == nil || r.RecommendationYear == nil || *r.RecommendationYear != 2026 {
				t.Fatalf("request %d: %s seq %v year %v", id, r.State, r.RecommendationSeq, r.RecommendationYear)
			}
			seqs = append(seqs, *r.RecommendationSeq)
			want := fmt.Sprintf("800.1/%04d/BKPSDM/2026", *r.RecommendationSeq)
			if r.Recommendation() != want {
				t.Errorf("number %q, want %q", r.Recommendation(), want)
			}
			if numbers[r.Recommendation()] {
				t.Errorf("number %q given twice", r.Recommendation())
			}
			numbers[r.Recommendation()] = true
		}
		slices.Sort(seqs)
		for i, s := range seqs {
			if s != i+1 {
				t.Fatalf("seqs = %v, want exactly 1..%d", seqs, n)
			}
		}
		if got := f.counter(t, 2026); got != n {
			t.Errorf("counter = %d, want %d", got, n)
		}
	})
}

func TestFailedApprovalLeavesNoGap(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		first := f.requestIn(t, StateApproved)
		if got := f.request(t, first).Recommendation(); got != "800.1/0001/BKPSDM/2026" {
			t.Fatalf("first number %q", got)
		}
		id := f.requestIn(t, StateSubmitted)

		t.Run("invalid agency pattern", func(t *testing.T) {
			f.setPattern(t, "800.1/BKPSDM/{year}")
			before := f.snap(t, id)
			_, err := f.svc.Approve(bg, f.rev, id, "")
			assertCode(t, err, apperr.CodeInvalid)
			assertUnchanged(t, before, f.snap(t, id))
			if got := f.counter(t, 2026); got != 1 {
				t.Errorf("counter = %d after a failed approval, want 1", got)
			}
		})
		t.Run("number clash in the database", func(t *testing.T) {
			f.setPattern(t, DefaultRecommendationPattern)
			// Another request (a draft) already carries the number the next approval would
			// make: the UPDATE fails on the unique index after the counter was taken.
			squatter := f.mustCreate(t).Request.ID
			mustDo(t, f.db.Gorm.Exec("UPDATE dev_requests SET recommendation_number = ? WHERE id = ?", "800.1/0002/BKPSDM/2026", squatter).Error)
			before := f.snap(t, id)
			_, err := f.svc.Approve(bg, f.rev, id, "")
			assertCode(t, err, apperr.CodeConflict)
			assertUnchanged(t, before, f.snap(t, id))
			if got := f.counter(t, 2026); got != 1 {
				t.Errorf("counter = %d after a failed approval, want 1", got)
			}
			mustDo(t, f.db.Gorm.Exec("UPDATE dev_requests SET recommendation_number = NULL WHERE id = ?", squatter).Error)
		})
		t.Run("next approval takes the next number", func(t *testing.T) {
			d, err := f.svc.Approve(bg, f.rev, id, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Request.Recommendation(); got != "800.1/0002/BKPSDM/2026" || *d.Request.RecommendationSeq != 2 {
				t.Errorf("number %q seq %v, want 0002", got, *d.Request.RecommendationSeq)
			}
		})
	})
}

func TestNumberYearRollover(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		a := f.requestIn(t, StateApproved)
		in := validInput()
		in.StartDate, in.EndDate = domain.NewDate(2027, 1, 11), domain.NewDate(2027, 1, 13)
		b := f.requestInFrom(t, StateSubmitted, in)
		c := f.requestInFrom(t, StateSubmitted, in)

		// 31 December 2026 17:30 UTC is already 1 January 2027 00:30 in WIB.
		setClock(f.clock, time.Date(2026, 12, 31, 17, 30, 0, 0, time.UTC))
		db, err := f.svc.Approve(bg, f.rev, b, "")
		if err != nil {
			t.Fatal(err)
		}
		setClock(f.clock, time.Date(2027, 1, 4, 2, 0, 0, 0, time.UTC))
		dc, err := f.svc.Approve(bg, f.rev2, c, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			r      Request
			number string
			year   int
			seq    int
			date   domain.Date
		}{
			{"2026", f.request(t, a), "800.1/0001/BKPSDM/2026", 2026, 1, domain.NewDate(2026, 3, 2)},
			{"first of 2027", db.Request, "800.1/0001/BKPSDM/2027", 2027, 1, domain.NewDate(2027, 1, 1)},
			{"second of 2027", dc.Request, "800.1/0002/BKPSDM/2027", 2027, 2, domain.NewDate(2027, 1, 4)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.r
				if r.Recommendation() != tc.number || *r.RecommendationYear != tc.year || *r.RecommendationSeq != tc.seq ||
					!r.RecommendationDate.Equal(tc.date.Time) {
					t.Errorf("got %q year %d seq %d date %s, want %q year %d seq %d date %s", r.Recommendation(), *r.RecommendationYear,
						*r.RecommendationSeq, r.RecommendationDate, tc.number, tc.year, tc.seq, tc.date)
				}
			})
		}
		if f.counter(t, 2026) != 1 || f.counter(t, 2027) != 2 {
			t.Errorf("counters 2026=%d 2027=%d, want 1 and 2", f.counter(t, 2026), f.counter(t, 2027))
		}
	})
}

func TestFormatNumber(t *testing.T) {
	mar := domain.NewDate(2026, 3, 2)
	dec := domain.NewDate(2026, 12, 31)
	cases := []struct {
		pattern string
		seq     int
		day     domain.Date
		opd     string
		want    string // "" = invalid
	}{
		{"", 7, mar, "DISDIK", "800.1/0007/BKPSDM/2026"},
		{"   ", 7, mar, "DISDIK", "800.1/0007/BKPSDM/2026"},
		{"{seq}", 12345, mar, "", "12345"},
		{"{seq:3}/{year}", 5, mar, "", "005/2026"},
		{"{seq:3}/{year}", 1234, mar, "", "1234/2026"},
		{"{seq:1}-{seq:6}", 42, mar, "", "42-000042"},
		{"{seq:9}", 1, mar, "", "000000001"},
		{"800/{seq}/{month}/{year}", 3, mar, "", "800/0003/03/2026"},
		{"800/{seq}/{roman}/{year}", 3, mar, "", "800/0003/III/2026"},
		{"800/{seq}/{roman}/{year}", 3, dec, "", "800/0003/XII/2026"},
		{"{opd}/{seq:2}/{year}", 9, dec, "DINKES", "DINKES/09/2026"},
		{"800/{seq}/{seq}", 8, mar, "", "800/0008/0008"},
		{"800.1/BKPSDM/{year}", 1, mar, "", ""},
		{"800.1/{SEQ}/{year}", 1, mar, "", ""},
		{"800.1/{seq:0}/{year}", 1, mar, "", ""},
		{"800.1/{seq:10}/{year}", 1, mar, "", ""},
		{"800.1/{seqx}/{year}", 1, mar, "", ""},
		{"800.1/{seq}/{seq:0}", 1, mar, "", ""},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%q seq %d", tc.pattern, tc.seq), func(t *testing.T) {
			got, err := FormatNumber(tc.pattern, tc.seq, tc.day, tc.opd)
			if tc.want == "" {
				if apperr.CodeOf(err) != apperr.CodeInvalid {
					t.Errorf("got %q, %v; want invalid", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	t.Run("sequence always shows", func(t *testing.T) {
		// Whatever valid pattern is used, two sequence numbers never give the same number.
		for _, p := range []string{"{seq}", "{seq:1}", "{seq:4}/{opd}", "{roman}-{seq:2}-{year}"} {
			a, err1 := FormatNumber(p, 1, mar, "X")
			b, err2 := FormatNumber(p, 2, mar, "X")
			if err1 != nil || err2 != nil || a == b {
				t.Errorf("%q: %q / %q (%v, %v)", p, a, b, err1, err2)
			}
		}
	})
}

func TestAgencyRecommendationPattern(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.setPattern(t, "{opd}/{seq:3}/{roman}/{year}")
		a := f.requestIn(t, StateApproved)
		if got := f.request(t, a).Recommendation(); got != "DISDIK/001/III/2026" {
			t.Errorf("number %q, want DISDIK/001/III/2026", got)
		}
		f.setPattern(t, "800.1/{seq}/BKPSDM-{month}/{year}")
		b := f.requestIn(t, StateApproved)
		if got := f.request(t, b).Recommendation(); got != "800.1/0002/BKPSDM-03/2026" {
			t.Errorf("number %q, want 800.1/0002/BKPSDM-03/2026", got)
		}
		t.Run("searchable by number", func(t *testing.T) {
			list, _, err := f.svc.List(bg, f.rev, ListFilter{Q: "disdik/001"})
			if err != nil || len(list) != 1 || list[0].ID != a {
				t.Errorf("list = %v, %v", list, err)
			}
		})
	})
}
