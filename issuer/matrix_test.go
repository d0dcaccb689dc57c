package issuer

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
)

// The expectations below are written from the rules of the issue, not from the rules map:
//   - only the requesting OPD (opdUser) updates, attaches, submits, withdraws and reports;
//   - only a verifikator (rev) returns, approves, rejects and reviews reports — not the
//     administrator, not the signer;
//   - anyone else is forbidden, before the state is even looked at;
//   - the right actor in the wrong state gets a conflict, except that repeating the very
//     action the same user just took is a harmless replay (success, nothing changes).

type outcome string

const (
	outMoves     outcome = "moves"     // allowed; the request changes
	outReplay    outcome = "replay"    // allowed repeat; nothing changes
	outForbidden outcome = "forbidden" // apperr.CodeForbidden, nothing changes
	outConflict  outcome = "conflict"  // apperr.CodeConflict, nothing changes
)

var matrixActions = []Action{ActionUpdate, ActionAttach, ActionSubmit, ActionWithdraw, ActionReturn, ActionApprove,
	ActionReject, ActionReport, ActionReportReturn, ActionReportVerify}

var matrixStates = []State{StateDraft, StateSubmitted, StateReturned, StateApproved, StateRejected, StateWithdrawn,
	StateReported, StateReportReturned, StateVerified}

// legalFrom: in which states each action makes sense, and where it leads ("" = stays).
var legalFrom = map[Action]struct {
	from []State
	to   State
}{
	ActionUpdate:       {[]State{StateDraft, StateReturned}, ""},
	ActionAttach:       {[]State{StateDraft, StateReturned, StateApproved, StateReportReturned}, ""},
	ActionSubmit:       {[]State{StateDraft, StateReturned}, StateSubmitted},
	ActionWithdraw:     {[]State{StateDraft, StateSubmitted, StateReturned}, StateWithdrawn},
	ActionReturn:       {[]State{StateSubmitted}, StateReturned},
	ActionApprove:      {[]State{StateSubmitted}, StateApproved},
	ActionReject:       {[]State{StateSubmitted}, StateRejected},
	ActionReport:       {[]State{StateApproved, StateReportReturned}, StateReported},
	ActionReportReturn: {[]State{StateReported}, StateReportReturned},
	ActionReportVerify: {[]State{StateReported}, StateVerified},
}

// opdActions are taken by the owning OPD; the rest are reviewer decisions.
var opdActions = map[Action]bool{ActionUpdate: true, ActionAttach: true, ActionSubmit: true, ActionWithdraw: true, ActionReport: true}

func expectedOutcome(act Action, st State, who string) outcome {
	owner := "rev"
	if opdActions[act] {
		owner = "opdUser"
	}
	if who != owner {
		return outForbidden
	}
	if slices.Contains(legalFrom[act].from, st) {
		return outMoves
	}
	if p := pathTo[st]; len(p) > 0 && p[len(p)-1].act == act && p[len(p)-1].who == who {
		return outReplay
	}
	return outConflict
}

// canRead: BKPSDM and the owning OPD read everything; a participating employee reads the
// request once it is no longer a draft; OPD B and a non-participating employee read nothing.
func canRead(who string, st State) bool {
	switch who {
	case "admin", "rev", "signer", "opdUser":
		return true
	case "pegawai":
		return st != StateDraft
	}
	return false
}

func TestRoleActionStateMatrix(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		shared := map[State]int64{} // one request per state for the cells that must not change it
		for _, st := range matrixStates {
			for _, act := range matrixActions {
				for _, who := range actorNames {
					want := expectedOutcome(act, st, who)
					t.Run(fmt.Sprintf("%s/%s/%s", st, act, who), func(t *testing.T) {
						var id int64
						if want == outMoves {
							id = f.requestIn(t, st)
						} else {
							if shared[st] == 0 {
								shared[st] = f.requestIn(t, st)
							}
							id = shared[st]
						}
						before := f.snap(t, id)
						err := f.do(f.who(t, who), act, id)
						after := f.snap(t, id)
						switch want {
						case outMoves:
							if err != nil {
								t.Fatalf("got error %v, want %s allowed in %s for %s", err, act, st, who)
							}
							wantState := legalFrom[act].to
							if wantState == "" {
								wantState = st
							}
							if after.State != wantState {
								t.Errorf("state = %s, want %s", after.State, wantState)
							}
							if act != ActionAttach && after.Version != before.Version+1 {
								t.Errorf("version = %d, want %d", after.Version, before.Version+1)
							}
							if after.Events != before.Events+1 {
								t.Errorf("history rows = %d, want %d", after.Events, before.Events+1)
							}
							evs := f.events(t, id)
							last := evs[len(evs)-1]
							if last.Action != act || last.FromState != st || last.ToState != wantState || last.Username != f.who(t, who).Username {
								t.Errorf("last event = %s %s→%s by %s, want %s %s→%s by %s", last.Action, last.FromState, last.ToState,
									last.Username, act, st, wantState, f.who(t, who).Username)
							}
						case outReplay:
							if err != nil {
								t.Fatalf("replay of %s by %s: got error %v, want success", act, who, err)
							}
							assertUnchanged(t, before, after)
						case outForbidden, outConflict:
							code := apperr.CodeForbidden
							if want == outConflict {
								code = apperr.CodeConflict
							}
							if got := apperr.CodeOf(err); got != code {
								t.Errorf("got %q (%v), want %q", got, err, code)
							}
							if want == outConflict {
								msg := apperr.As(err).Message
								if !strings.Contains(msg, `"`+st.Label()+`"`) || !strings.Contains(msg, `"`+act.Label()+`"`) {
									t.Errorf("conflict message %q should name the action %q and the state %q", msg, act.Label(), st.Label())
								}
							}
							assertUnchanged(t, before, after)
							if before != after {
								shared[st] = 0 // rebuild so that one bug does not cascade
							}
						}
					})
				}
			}
		}
	})
}

// TestReadAccessAndOfferedActions checks who may read a request in each state and that the
// actions a page offers are exactly those the matrix allows.
func TestReadAccessAndOfferedActions(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		for _, st := range matrixStates {
			id := f.requestIn(t, st)
			for _, who := range actorNames {
				t.Run(fmt.Sprintf("%s/%s", st, who), func(t *testing.T) {
					d, err := f.svc.Get(bg, f.who(t, who), id)
					if !canRead(who, st) {
						assertCode(t, err, apperr.CodeForbidden)
						return
					}
					if err != nil {
						t.Fatalf("get: %v", err)
					}
					var want []Action
					for _, act := range matrixActions {
						if expectedOutcome(act, st, who) == outMoves {
							want = append(want, act)
						}
					}
					if got, w := sortedActions(d.Actions), sortedActions(want); !slices.Equal(got, w) {
						t.Errorf("offered actions = %v, want %v", got, w)
					}
					for _, act := range matrixActions {
						if d.Can(act) != slices.Contains(want, act) {
							t.Errorf("Can(%s) = %v", act, d.Can(act))
						}
					}
				})
			}
		}
		t.Run("unknown request", func(t *testing.T) {
			_, err := f.svc.Get(bg, f.admin, 999999)
			assertCode(t, err, apperr.CodeNotFound)
			err = f.do(f.opdUser, ActionSubmit, 999999)
			assertCode(t, err, apperr.CodeNotFound)
		})
		t.Run("only an OPD user creates, for its own OPD", func(t *testing.T) {
			for _, who := range []string{"admin", "rev", "signer", "pegawai", "outsider"} {
				var n0, n1 int64
				f.db.Gorm.Model(&Request{}).Count(&n0)
				_, err := f.svc.Create(bg, f.who(t, who), validInput())
				f.db.Gorm.Model(&Request{}).Count(&n1)
				if apperr.CodeOf(err) != apperr.CodeForbidden {
					t.Errorf("%s: create got %v, want forbidden", who, err)
				}
				if n1 != n0 {
					t.Errorf("%s: refused create wrote a request", who)
				}
			}
		})
	})
}
