// Package issuer is where BKPSDM's authority is exercised: the approval workflow for
// competency-development requests (usulan), the review of realisation reports, the
// recommendation numbering and letter, and — in later stages — the signing, numbering,
// revocation and re-issue of certificates.
//
// One state machine (this file) governs every request. Services in this package check,
// in one transaction each, that the actor may take the action, that the request is in a
// state that allows it, and record the transition in the append-only history.
package issuer

import "github.com/sertika/sertika/internal/domain"

// State is the state of a request.
type State string

// The states of a request.
const (
	StateDraft          State = "draft"           // being written by the OPD
	StateSubmitted      State = "submitted"       // waiting for BKPSDM's decision
	StateReturned       State = "returned"        // sent back to the OPD for revision
	StateApproved       State = "approved"        // approved with a recommendation number
	StateRejected       State = "rejected"        // refused, with a reason (final)
	StateWithdrawn      State = "withdrawn"       // withdrawn by the OPD before a decision (final)
	StateReported       State = "reported"        // realisation report submitted, awaiting review
	StateReportReturned State = "report_returned" // report sent back to the OPD for correction
	StateVerified       State = "verified"        // report verified: ready for certificates
)

// States lists every state in workflow order.
var States = []State{StateDraft, StateSubmitted, StateReturned, StateApproved, StateRejected, StateWithdrawn,
	StateReported, StateReportReturned, StateVerified}

// Label is the state's name in Bahasa Indonesia.
func (s State) Label() string {
	switch s {
	case StateDraft:
		return "Draf"
	case StateSubmitted:
		return "Diajukan"
	case StateReturned:
		return "Dikembalikan untuk perbaikan"
	case StateApproved:
		return "Disetujui"
	case StateRejected:
		return "Ditolak"
	case StateWithdrawn:
		return "Ditarik"
	case StateReported:
		return "Laporan diajukan"
	case StateReportReturned:
		return "Laporan dikembalikan"
	case StateVerified:
		return "Laporan diverifikasi"
	}
	return string(s)
}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, x := range States {
		if s == x {
			return true
		}
	}
	return false
}

// Action is something done to a request.
type Action string

// The actions. Their values appear in the history and the API.
const (
	ActionCreate       Action = "create"
	ActionUpdate       Action = "update"
	ActionSubmit       Action = "submit"
	ActionWithdraw     Action = "withdraw"
	ActionReturn       Action = "return"
	ActionApprove      Action = "approve"
	ActionReject       Action = "reject"
	ActionReport       Action = "report"
	ActionReportReturn Action = "report_return"
	ActionReportVerify Action = "report_verify"
	ActionAttach       Action = "attach"
)

// Label is the action's name in Bahasa Indonesia, as shown in the timeline.
func (a Action) Label() string {
	switch a {
	case ActionCreate:
		return "Usulan dibuat"
	case ActionUpdate:
		return "Usulan diubah"
	case ActionSubmit:
		return "Usulan diajukan"
	case ActionWithdraw:
		return "Usulan ditarik"
	case ActionReturn:
		return "Dikembalikan untuk perbaikan"
	case ActionApprove:
		return "Disetujui"
	case ActionReject:
		return "Ditolak"
	case ActionReport:
		return "Laporan realisasi diajukan"
	case ActionReportReturn:
		return "Laporan dikembalikan"
	case ActionReportVerify:
		return "Laporan diverifikasi"
	case ActionAttach:
		return "Lampiran ditambahkan"
	}
	return string(a)
}

// transition is one rule of the state machine.
type transition struct {
	from []State
	to   State // "" keeps the state
	// by is the role allowed; Owner means an OPD user of the request's own OPD.
	by domain.Role
}

// rules is the state machine: which action may happen in which states, by whom, and where
// it leads. Anything not listed is refused.
var rules = map[Action]transition{
	ActionUpdate:       {from: []State{StateDraft, StateReturned}, by: domain.RoleOPD},
	ActionAttach:       {from: []State{StateDraft, StateReturned, StateApproved, StateReportReturned}, by: domain.RoleOPD},
	ActionSubmit:       {from: []State{StateDraft, StateReturned}, to: StateSubmitted, by: domain.RoleOPD},
	ActionWithdraw:     {from: []State{StateDraft, StateSubmitted, StateReturned}, to: StateWithdrawn, by: domain.RoleOPD},
	ActionReturn:       {from: []State{StateSubmitted}, to: StateReturned, by: domain.RoleVerifikator},
	ActionApprove:      {from: []State{StateSubmitted}, to: StateApproved, by: domain.RoleVerifikator},
	ActionReject:       {from: []State{StateSubmitted}, to: StateRejected, by: domain.RoleVerifikator},
	ActionReport:       {from: []State{StateApproved, StateReportReturned}, to: StateReported, by: domain.RoleOPD},
	ActionReportReturn: {from: []State{StateReported}, to: StateReportReturned, by: domain.RoleVerifikator},
	ActionReportVerify: {from: []State{StateReported}, to: StateVerified, by: domain.RoleVerifikator},
}

// Next returns the state an action leads to from s, and whether the action is allowed in s.
func Next(a Action, s State) (State, bool) {
	r, ok := rules[a]
	if !ok {
		return "", false
	}
	for _, f := range r.from {
		if f == s {
			if r.to == "" {
				return s, true
			}
			return r.to, true
		}
	}
	return "", false
}

// RoleFor returns the role that may take the action.
func RoleFor(a Action) domain.Role { return rules[a].by }

// Allowed lists the actions an actor of the given role could take on a request in state s
// (ownership aside); pages use it to show buttons, services check again.
func Allowed(role domain.Role, s State) []Action {
	var out []Action
	for _, a := range []Action{ActionUpdate, ActionAttach, ActionSubmit, ActionWithdraw, ActionReturn, ActionApprove, ActionReject,
		ActionReport, ActionReportReturn, ActionReportVerify} {
		if rules[a].by != role {
			continue
		}
		if _, ok := Next(a, s); ok {
			out = append(out, a)
		}
	}
	return out
}
