package issuer

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// listWorld creates requests of both OPDs in several states and returns their ids by name.
func listWorld(t *testing.T, f *fixture) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	mk := func(name string, who domain.Actor, st State, edit func(in *RequestInput)) {
		in := validInput()
		edit(&in)
		d, err := f.svc.Create(bg, who, in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ids[name] = d.Request.ID
		if who.OPDID == f.opdA.ID {
			f.drive(t, d.Request.ID, st)
		} else if st == StateSubmitted {
			if _, err := f.svc.Submit(bg, who, d.Request.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Add(time.Hour)
	}
	mk("draftA", f.opdUser, StateDraft, func(in *RequestInput) { in.Title = "Draf Bimtek Kurikulum Merdeka"; in.Kind = "bimtek" })
	mk("teknisA", f.opdUser, StateSubmitted, func(in *RequestInput) {})
	mk("seminarA3", f.opdUser, StateSubmitted, func(in *RequestInput) {
		in.Title, in.Kind, in.Participants = "Seminar Nasional Pendidikan 100% Inklusif", "seminar", []string{nipA3}
	})
	mk("approvedA", f.opdUser, StateApproved, func(in *RequestInput) { in.Title = "Workshop Asesmen Diagnostik"; in.Kind = "workshop" })
	mk("draftB", f.opdUserB, StateDraft, func(in *RequestInput) {
		in.Title = "Pelatihan Tata Kelola Puskesmas"
		in.Participants = []string{nipB1}
	})
	mk("submittedB", f.opdUserB, StateSubmitted, func(in *RequestInput) {
		in.Title, in.Kind, in.Participants = "Bimtek Gizi Buruk", "bimtek", []string{nipB1}
	})
	return ids
}

func listIDs(list []Summary) []int64 {
	out := make([]int64, len(list))
	for i, s := range list {
		out[i] = s.ID
	}
	return out
}

func TestListFiltersAndVisibility(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		ids := listWorld(t, f)
		set := func(names ...string) []int64 {
			var out []int64
			for _, n := range names {
				out = append(out, ids[n])
			}
			slices.Sort(out)
			return out
		}
		all := []string{"draftA", "teknisA", "seminarA3", "approvedA", "draftB", "submittedB"}
		cases := []struct {
			name   string
			who    string
			filter ListFilter
			want   []string
			code   apperr.Code
		}{
			{"admin sees all", "admin", ListFilter{}, all, ""},
			{"reviewer sees all", "rev", ListFilter{}, all, ""},
			{"signer sees all", "signer", ListFilter{}, all, ""},
			{"opd A sees its own", "opdUser", ListFilter{}, []string{"draftA", "teknisA", "seminarA3", "approvedA"}, ""},
			{"opd B sees its own", "opdUserB", ListFilter{}, []string{"draftB", "submittedB"}, ""},
			{"pegawai A1: requests they are in, no drafts", "pegawai", ListFilter{}, []string{"teknisA", "approvedA"}, ""},
			{"pegawai B1: requests they are in, no drafts", "outsider", ListFilter{}, []string{"submittedB"}, ""},
			{"state", "rev", ListFilter{State: StateSubmitted}, []string{"teknisA", "seminarA3", "submittedB"}, ""},
			{"state draft for pegawai", "pegawai", ListFilter{State: StateDraft}, nil, ""},
			{"opd code", "rev", ListFilter{OPD: "DINKES"}, []string{"draftB", "submittedB"}, ""},
			{"own opd code", "opdUser", ListFilter{OPD: "DISDIK", State: StateSubmitted}, []string{"teknisA", "seminarA3"}, ""},
			{"other opd code for an OPD user", "opdUser", ListFilter{OPD: "DINKES"}, nil, apperr.CodeForbidden},
			{"unknown opd code for an OPD user", "opdUserB", ListFilter{OPD: "NOPE"}, nil, apperr.CodeForbidden},
			{"kind", "admin", ListFilter{Kind: "bimtek"}, []string{"draftA", "submittedB"}, ""},
			{"kind within own OPD", "opdUserB", ListFilter{Kind: "bimtek"}, []string{"submittedB"}, ""},
			{"unknown kind", "admin", ListFilter{Kind: "diklat_x"}, nil, apperr.CodeInvalid},
			{"unknown state", "admin", ListFilter{State: "archived"}, nil, apperr.CodeInvalid},
			{"q in title, any case", "rev", ListFilter{Q: "  BIMTEK "}, []string{"draftA", "submittedB"}, ""},
			{"q with a literal percent", "rev", ListFilter{Q: "100%"}, []string{"seminarA3"}, ""},
			{"q percent alone is not a wildcard", "rev", ListFilter{Q: "%"}, []string{"seminarA3"}, ""},
			{"q underscore is not a wildcard", "rev", ListFilter{Q: "_"}, nil, ""},
			{"q recommendation number", "rev", ListFilter{Q: "0001/bkpsdm"}, []string{"approvedA"}, ""},
			{"q limited to own OPD", "opdUserB", ListFilter{Q: "pelatihan"}, []string{"draftB"}, ""},
			{"q too long", "rev", ListFilter{Q: strings.Repeat("a", 101)}, nil, apperr.CodeInvalid},
			{"negative offset", "rev", ListFilter{Offset: -1}, nil, apperr.CodeInvalid},
			{"no actor", "", ListFilter{}, nil, apperr.CodeUnauthorized},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var a domain.Actor
				if tc.who != "" {
					a = f.who(t, tc.who)
				}
				list, page, err := f.svc.List(bg, a, tc.filter)
				if tc.code != "" {
					assertCode(t, err, tc.code)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got := listIDs(list)
				slices.Sort(got)
				if want := set(tc.want...); !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
				if page.Total != int64(len(tc.want)) {
					t.Errorf("total = %d, want %d", page.Total, len(tc.want))
				}
			})
		}
		t.Run("summary columns", func(t *testing.T) {
			list, _, err := f.svc.List(bg, f.rev, ListFilter{Q: "Bimtek Gizi"})
			if err != nil || len(list) != 1 {
				t.Fatalf("%v %v", list, err)
			}
			s := list[0]
			if s.OPDCode != "DINKES" || s.OPDName != "Dinas Kesehatan" || s.Participants != 1 || s.State != StateSubmitted || s.Title != "Bimtek Gizi Buruk" {
				t.Errorf("summary = %+v", s)
			}
		})
		t.Run("paging, newest change first", func(t *testing.T) {
			p1, page, err := f.svc.List(bg, f.admin, ListFilter{Limit: 4})
			if err != nil {
				t.Fatal(err)
			}
			p2, _, err := f.svc.List(bg, f.admin, ListFilter{Limit: 4, Offset: 4})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 6 || len(p1) != 4 || len(p2) != 2 {
				t.Fatalf("total %d, pages %d + %d", page.Total, len(p1), len(p2))
			}
			got := append(listIDs(p1), listIDs(p2)...)
			if got[0] != ids["submittedB"] {
				t.Errorf("first = %d, want the last changed (%d)", got[0], ids["submittedB"])
			}
			all := append(p1, p2...)
			for i := 1; i < len(all); i++ {
				if all[i].UpdatedAt.After(all[i-1].UpdatedAt) {
					t.Errorf("not newest first at %d", i)
				}
			}
		})
	})
}

func TestQueueOldestSubmittedFirst(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		var order []int64
		for i := 0; i < 3; i++ {
			order = append(order, f.requestIn(t, StateSubmitted))
			f.clock.Add(time.Hour)
		}
		// The first request is returned and resubmitted: its submission is now the newest.
		if _, err := f.svc.Return(bg, f.rev, order[0], "Lengkapi"); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Hour)
		if _, err := f.svc.Submit(bg, f.opdUser, order[0], ""); err != nil {
			t.Fatal(err)
		}
		// A later change to an older request must not move it in the queue.
		f.clock.Add(time.Hour)
		mustDo(t, f.db.Gorm.Exec("UPDATE dev_requests SET updated_at = ? WHERE id = ?", f.db.Now(), order[1]).Error)
		f.requestIn(t, StateDraft)
		list, _, err := f.svc.List(bg, f.rev, ListFilter{State: StateSubmitted, Queue: true})
		if err != nil {
			t.Fatal(err)
		}
		want := []int64{order[1], order[2], order[0]}
		if got := listIDs(list); !slices.Equal(got, want) {
			t.Errorf("queue = %v, want %v", got, want)
		}
	})
}

func TestCounts(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		listWorld(t, f)
		for _, tc := range []struct {
			who  string
			want map[State]int64
		}{
			{"admin", map[State]int64{StateDraft: 2, StateSubmitted: 3, StateApproved: 1}},
			{"rev", map[State]int64{StateDraft: 2, StateSubmitted: 3, StateApproved: 1}},
			{"signer", map[State]int64{StateDraft: 2, StateSubmitted: 3, StateApproved: 1}},
			{"opdUser", map[State]int64{StateDraft: 1, StateSubmitted: 2, StateApproved: 1}},
			{"opdUserB", map[State]int64{StateDraft: 1, StateSubmitted: 1}},
			{"pegawai", map[State]int64{StateSubmitted: 1, StateApproved: 1}},
			{"outsider", map[State]int64{StateSubmitted: 1}},
		} {
			t.Run(tc.who, func(t *testing.T) {
				got, err := f.svc.Counts(bg, f.who(t, tc.who))
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("counts = %v, want %v", got, tc.want)
				}
			})
		}
		t.Run("no actor", func(t *testing.T) {
			_, err := f.svc.Counts(bg, domain.Actor{})
			assertCode(t, err, apperr.CodeUnauthorized)
		})
	})
}

// reportAndVerify takes an approved request through a report with the rows to verified.
func (f *fixture) reportAndVerify(t *testing.T, id int64, rows ...ReportRow) {
	t.Helper()
	if _, err := f.report(f.opdUser, id, ReportInput{Participants: rows}); err != nil {
		t.Fatalf("report: %v", err)
	}
	if _, err := f.svc.VerifyReport(bg, f.rev, id, ""); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

func TestParticipantLoads(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		d := domain.NewDate
		in := func(start, end domain.Date, jp int, nips ...string) RequestInput {
			x := validInput()
			x.StartDate, x.EndDate, x.JP, x.Participants = start, end, jp, nips
			return x
		}
		// v1: verified, March 2026: A1 passed 20 of 24 JP, A2 attended but failed.
		v1 := f.requestInFrom(t, StateApproved, in(d(2026, 3, 10), d(2026, 3, 12), 24, nipA1, nipA2))
		f.reportAndVerify(t, v1, ReportRow{NIP: nipA1, Attended: true, Passed: true, JP: intp(20)}, ReportRow{NIP: nipA2, Attended: true})
		// v2: verified, June 2026: A1 passed with the default JP (10).
		v2 := f.requestInFrom(t, StateApproved, in(d(2026, 6, 1), d(2026, 6, 1), 10, nipA1, nipA2))
		f.reportAndVerify(t, v2, ReportRow{NIP: nipA1, Attended: true, Passed: true}, ReportRow{NIP: nipA2, Dropped: true, Reason: "Sakit"})
		// Not counted: verified but ended in 2027; verified but A1 did not pass; only reported;
		// only approved; a retroactive one verified but ended in 2025.
		n1 := f.requestInFrom(t, StateApproved, in(d(2026, 12, 30), d(2027, 1, 2), 30, nipA1))
		f.reportAndVerify(t, n1, ReportRow{NIP: nipA1, Attended: true, Passed: true})
		n2 := f.requestInFrom(t, StateApproved, in(d(2026, 7, 1), d(2026, 7, 2), 16, nipA1))
		f.reportAndVerify(t, n2, ReportRow{NIP: nipA1, Attended: false})
		n3 := f.requestInFrom(t, StateApproved, in(d(2026, 8, 1), d(2026, 8, 2), 16, nipA1, nipA3))
		if _, err := f.report(f.opdUser, n3, ReportInput{Participants: []ReportRow{
			{NIP: nipA1, Attended: true, Passed: true}, {NIP: nipA3, Attended: true, Passed: true}}}); err != nil {
			t.Fatal(err)
		}
		f.requestInFrom(t, StateApproved, in(d(2026, 9, 1), d(2026, 9, 2), 16, nipA1, nipA3))
		retro := in(d(2025, 5, 5), d(2025, 5, 7), 24, nipA1)
		retro.Retroactive = true
		r1 := f.requestInFrom(t, StateDraft, retro)
		if err := f.attachEvidence(r1); err != nil {
			t.Fatal(err)
		}
		f.drive(t, r1, StateApproved)
		f.reportAndVerify(t, r1, ReportRow{NIP: nipA1, Attended: true, Passed: true})

		target := f.requestInFrom(t, StateSubmitted, in(d(2026, 10, 5), d(2026, 10, 6), 12, nipA1, nipA2, nipA3))
		for _, tc := range []struct {
			name string
			id   int64
			want string
		}{
			{"target", target, fmt.Sprintf("%s:30/2 %s:0/0 %s:0/0", nipA1, nipA2, nipA3)},
			// For v1 itself, its own JP are not counted; A2 was dropped from v2.
			{"a verified one itself", v1, fmt.Sprintf("%s:10/1 %s:0/0", nipA1, nipA2)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, who := range []string{"admin", "rev", "signer"} {
					loads, err := f.svc.ParticipantLoads(bg, f.who(t, who), tc.id)
					if err != nil {
						t.Fatalf("%s: %v", who, err)
					}
					var parts []string
					for _, l := range loads {
						parts = append(parts, fmt.Sprintf("%s:%d/%d", l.NIP, l.JPYear, l.Activity))
					}
					got := strings.Join(parts, " ")
					if !sameFields(got, tc.want) {
						t.Errorf("%s: loads = %q, want %q", who, got, tc.want)
					}
					// Loads are ordered by name: Andi (A1) first.
					if len(loads) > 0 && loads[0].Name != "Andi Wijaya" {
						t.Errorf("first load %+v, want ordered by name", loads[0])
					}
				}
			})
		}
		t.Run("forbidden outside BKPSDM", func(t *testing.T) {
			for _, who := range []string{"opdUser", "opdUserB", "pegawai", "outsider"} {
				_, err := f.svc.ParticipantLoads(bg, f.who(t, who), target)
				if apperr.CodeOf(err) != apperr.CodeForbidden {
					t.Errorf("%s: got %v, want forbidden", who, err)
				}
			}
		})
	})
}

func sameFields(a, b string) bool {
	x, y := strings.Fields(a), strings.Fields(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func (f *fixture) attachEvidence(id int64) error {
	_, err := f.svc.AddAttachment(bg, f.opdUser, id, PurposeEvidence, "sertifikat.pdf", strings.NewReader(string(tinyPDF())))
	return err
}

func TestOverlaps(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		d := domain.NewDate
		in := func(title string, start, end domain.Date, nips ...string) RequestInput {
			x := validInput()
			x.Title, x.StartDate, x.EndDate, x.JP, x.Participants = title, start, end, 8, nips
			return x
		}
		target := f.requestInFrom(t, StateSubmitted, in("Target kegiatan", d(2026, 3, 10), d(2026, 3, 12), nipA1, nipA2))
		o1 := f.requestInFrom(t, StateSubmitted, in("Overlap satu peserta", d(2026, 3, 11), d(2026, 3, 13), nipA1))
		o2 := f.requestInFrom(t, StateApproved, in("Overlap dua peserta, hari terakhir", d(2026, 3, 12), d(2026, 3, 12), nipA1, nipA2))
		o3 := f.requestInFrom(t, StateVerified, in("Overlap terverifikasi, mulai lebih awal", d(2026, 3, 9), d(2026, 3, 10), nipA2))
		f.requestInFrom(t, StateRejected, in("Ditolak", d(2026, 3, 10), d(2026, 3, 12), nipA1))
		f.requestInFrom(t, StateWithdrawn, in("Ditarik", d(2026, 3, 10), d(2026, 3, 12), nipA1))
		f.requestInFrom(t, StateDraft, in("Masih draf", d(2026, 3, 10), d(2026, 3, 12), nipA1))
		f.requestInFrom(t, StateSubmitted, in("Sesudahnya", d(2026, 3, 13), d(2026, 3, 14), nipA1, nipA2))
		f.requestInFrom(t, StateSubmitted, in("Sebelumnya", d(2026, 3, 5), d(2026, 3, 9), nipA1))
		f.requestInFrom(t, StateSubmitted, in("Peserta lain", d(2026, 3, 10), d(2026, 3, 12), nipA3))
		// A participant dropped from another request's report does not overlap.
		dr := f.requestInFrom(t, StateApproved, in("Peserta dibatalkan", d(2026, 3, 10), d(2026, 3, 12), nipA1, nipA3))
		if _, err := f.report(f.opdUser, dr, ReportInput{Participants: []ReportRow{
			{NIP: nipA1, Dropped: true, Reason: "Bentrok jadwal"}, {NIP: nipA3, Attended: true, Passed: true}}}); err != nil {
			t.Fatal(err)
		}

		for _, who := range []string{"admin", "rev", "signer", "opdUser"} {
			t.Run(who, func(t *testing.T) {
				got, err := f.svc.Overlaps(bg, f.who(t, who), target)
				if err != nil {
					t.Fatal(err)
				}
				var desc []string
				for _, o := range got {
					desc = append(desc, fmt.Sprintf("%d/%s/%d", o.ID, o.State, o.Shared))
					if o.OPDName != "Dinas Pendidikan" {
						t.Errorf("opd name %q", o.OPDName)
					}
				}
				want := []string{fmt.Sprintf("%d/verified/1", o3), fmt.Sprintf("%d/submitted/1", o1), fmt.Sprintf("%d/approved/2", o2)}
				if !slices.Equal(desc, want) {
					t.Errorf("overlaps = %v, want %v (ordered by start date)", desc, want)
				}
			})
		}
		for _, who := range []string{"opdUserB", "pegawai", "outsider"} {
			t.Run(who+" forbidden", func(t *testing.T) {
				_, err := f.svc.Overlaps(bg, f.who(t, who), target)
				assertCode(t, err, apperr.CodeForbidden)
			})
		}
	})
}

func (f *fixture) unread(t *testing.T, who string) (int64, []Notification) {
	t.Helper()
	list, n, err := f.svc.Notifications(bg, f.who(t, who), 0)
	if err != nil {
		t.Fatal(err)
	}
	return n, list
}

func TestNotifications(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		// nipA1 has an account (pegawai); nipA2 has none.
		counts := func(t *testing.T) map[string]int64 {
			out := map[string]int64{}
			for _, who := range append(actorNames, "rev2") {
				n, _ := f.unread(t, who)
				out[who] = n
			}
			return out
		}
		expect := func(t *testing.T, before map[string]int64, plus map[string]int64) {
			t.Helper()
			after := counts(t)
			for who, n := range after {
				if n != before[who]+plus[who] {
					t.Errorf("%s: unread %d → %d, want +%d", who, before[who], n, plus[who])
				}
			}
		}
		id := f.mustCreate(t).Request.ID
		title := validInput().Title
		t.Run("create notifies nobody", func(t *testing.T) {
			expect(t, map[string]int64{}, nil)
		})
		t.Run("submit notifies reviewers", func(t *testing.T) {
			b := counts(t)
			mustDo(t, f.do(f.opdUser, ActionSubmit, id))
			expect(t, b, map[string]int64{"rev": 1, "rev2": 1})
			_, list := f.unread(t, "rev2")
			if len(list) == 0 || !strings.Contains(list[0].Message, ActionSubmit.Label()) || !strings.Contains(list[0].Message, title) ||
				list[0].Link != fmt.Sprintf("/usulan/%d", id) || list[0].RequestID == nil || *list[0].RequestID != id {
				t.Errorf("notification = %+v", list)
			}
		})
		t.Run("approve notifies the OPD users and participating employees", func(t *testing.T) {
			b := counts(t)
			mustDo(t, f.do(f.rev, ActionApprove, id))
			expect(t, b, map[string]int64{"opdUser": 1, "pegawai": 1})
			_, list := f.unread(t, "pegawai")
			if len(list) == 0 || !strings.Contains(list[0].Message, ActionApprove.Label()) {
				t.Errorf("notification = %+v", list)
			}
		})
		t.Run("a replayed approval notifies nobody", func(t *testing.T) {
			b := counts(t)
			mustDo(t, f.do(f.rev, ActionApprove, id))
			expect(t, b, nil)
		})
		t.Run("report notifies reviewers, return notifies OPD only", func(t *testing.T) {
			b := counts(t)
			mustDo(t, f.do(f.opdUser, ActionReport, id))
			mustDo(t, f.do(f.rev2, ActionReportReturn, id))
			expect(t, b, map[string]int64{"rev": 1, "rev2": 1, "opdUser": 1})
		})
		t.Run("inactive users are not notified", func(t *testing.T) {
			mustDo(t, f.db.Gorm.Exec("UPDATE users SET active = ? WHERE id = ?", false, f.rev2.UserID).Error)
			defer f.db.Gorm.Exec("UPDATE users SET active = ? WHERE id = ?", true, f.rev2.UserID)
			b := counts(t)
			mustDo(t, f.do(f.opdUser, ActionReport, id))
			expect(t, b, map[string]int64{"rev": 1})
		})
		t.Run("mark one read", func(t *testing.T) {
			n0, list := f.unread(t, "rev")
			if n0 < 2 {
				t.Fatalf("rev has %d unread", n0)
			}
			mustDo(t, f.svc.MarkRead(bg, f.rev, list[0].ID))
			n1, list1 := f.unread(t, "rev")
			if n1 != n0-1 || list1[0].ReadAt == nil || list1[1].ReadAt != nil {
				t.Errorf("unread %d → %d; first read at %v", n0, n1, list1[0].ReadAt)
			}
		})
		t.Run("cannot mark another user's notification", func(t *testing.T) {
			n0, list := f.unread(t, "opdUser")
			mustDo(t, f.svc.MarkRead(bg, f.rev, list[0].ID))
			if n1, _ := f.unread(t, "opdUser"); n1 != n0 {
				t.Errorf("opdUser unread %d → %d after rev marked it", n0, n1)
			}
		})
		t.Run("mark all read", func(t *testing.T) {
			mustDo(t, f.svc.MarkRead(bg, f.rev, 0))
			if n, list := f.unread(t, "rev"); n != 0 || len(list) == 0 {
				t.Errorf("unread %d, list %d", n, len(list))
			}
			if n, _ := f.unread(t, "rev2"); n == 0 {
				t.Errorf("marking rev's notifications read touched rev2's")
			}
		})
		t.Run("no actor", func(t *testing.T) {
			_, _, err := f.svc.Notifications(bg, domain.Actor{}, 10)
			assertCode(t, err, apperr.CodeUnauthorized)
			assertCode(t, f.svc.MarkRead(bg, domain.Actor{}, 0), apperr.CodeUnauthorized)
		})
	})
}
