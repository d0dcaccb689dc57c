package issuer

import (
	"context"
	"testing"
)

func TestHappyPath(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		d := f.mustCreate(t)
		id := d.Request.ID
		steps := []struct {
			name string
			run  func() (*Detail, error)
			want State
		}{
			{"submit", func() (*Detail, error) { return f.svc.Submit(ctx, f.opdUser, id, "") }, StateSubmitted},
			{"return", func() (*Detail, error) { return f.svc.Return(ctx, f.rev, id, "Lengkapi TOR") }, StateReturned},
			{"update", func() (*Detail, error) {
				in := validInput()
				in.Participants = append(in.Participants, nipA3)
				return f.svc.Update(ctx, f.opdUser, id, in)
			}, StateReturned},
			{"resubmit", func() (*Detail, error) { return f.svc.Submit(ctx, f.opdUser, id, "") }, StateSubmitted},
			{"approve", func() (*Detail, error) { return f.svc.Approve(ctx, f.rev, id, "") }, StateApproved},
			{"report", func() (*Detail, error) {
				jp := 20
				return f.report(f.opdUser, id, ReportInput{Participants: []ReportRow{
					{NIP: nipA1, Attended: true, Passed: true}, {NIP: nipA2, Attended: true, Passed: false, JP: &jp},
					{NIP: nipA3, Attended: false},
				}})
			}, StateReported},
			{"verify", func() (*Detail, error) { return f.svc.VerifyReport(ctx, f.rev, id, "") }, StateVerified},
		}
		for _, st := range steps {
			d, err := st.run()
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if d.Request.State != st.want {
				t.Fatalf("%s: state %s, want %s", st.name, d.Request.State, st.want)
			}
		}
		d, _ = f.svc.Get(ctx, f.rev, id)
		if got := d.Request.Recommendation(); got != "800.1/0001/BKPSDM/2026" {
			t.Errorf("recommendation number = %q", got)
		}
		if len(d.History) != 8 {
			t.Errorf("history has %d rows, want 8", len(d.History))
		}
		var eligible int
		for _, p := range d.Participants {
			if p.Eligible() {
				eligible++
			}
		}
		if eligible != 1 {
			t.Errorf("eligible = %d, want 1", eligible)
		}
	})
}
