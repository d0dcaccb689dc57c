package issuer

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/verifier"
)

// Tests of revocation and re-issue, and of reading certificates (list, get, history).

func TestRevoke(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		id := w.verifiedN(t, 1)[0]
		b := w.mustIssue(t, id)
		c, other := b.Certificates[0], b.Certificates[1]

		t.Run("bad arguments", func(t *testing.T) {
			before := w.state(t)
			for _, tc := range []struct{ reason, note string }{
				{"", "Salah peserta"},
				{"lost", "Salah peserta"},
				{ReasonReplaced, "Diganti"}, // only through re-issue
				{ReasonWithdrawn, "  "},     // a note is required
			} {
				_, err := w.iss.Revoke(bg, w.signer, c.ID, tc.reason, tc.note)
				assertCode(t, err, apperr.CodeInvalid)
			}
			_, err := w.iss.Revoke(bg, w.signer, "AAAAAAAAAAAAAAAA", ReasonWithdrawn, "Ditarik")
			assertCode(t, err, apperr.CodeNotFound)
			if after := w.state(t); after != before {
				t.Errorf("refused revocations wrote: %+v → %+v", before, after)
			}
		})

		var revoked *Certificate
		t.Run("revoke", func(t *testing.T) {
			var err error
			// Ids are accepted in any case and with spaces around.
			revoked, err = w.iss.Revoke(bg, w.signer, " "+strings.ToLower(c.ID)+" ", ReasonIssuedInError, "Peserta salah dimasukkan")
			if err != nil {
				t.Fatal(err)
			}
			if revoked.ID != c.ID || revoked.State != CertRevoked || revoked.RevokeReason != ReasonIssuedInError ||
				revoked.RevokeNote != "Peserta salah dimasukkan" || revoked.RevokedAt == nil || !revoked.RevokedAt.Equal(w.clock.Now()) ||
				revoked.RevokedBy == nil || *revoked.RevokedBy != w.signer.UserID || revoked.ReplacedBy != nil {
				t.Errorf("revoked %+v", revoked)
			}
			// Nothing else about the record changes: its token and digest still match.
			if revoked.Token != c.Token || revoked.Digest != c.Digest || ComputeDigest(revoked) != c.Digest || revoked.Number != c.Number {
				t.Error("revocation edited the certificate's facts")
			}
			res := w.verify(t, &c)
			if res.Status != verifier.StatusRevoked || res.Cert.Reason != ReasonIssuedInError || !res.Cert.RevokedAt.Equal(*revoked.RevokedAt) {
				t.Errorf("verify: %s %+v", res.Status, res.Cert)
			}
			if res := w.verify(t, &other); res.Status != verifier.StatusValid {
				t.Errorf("the other certificate: %s", res.Status)
			}
		})
		t.Run("replay with the same reason is a no-op", func(t *testing.T) {
			before := w.state(t)
			w.clock.Add(3600e9)
			again, err := w.iss.Revoke(bg, w.signer, c.ID, ReasonIssuedInError, "Klik ganda")
			if err != nil {
				t.Fatal(err)
			}
			if !again.RevokedAt.Equal(*revoked.RevokedAt) || again.RevokeNote != revoked.RevokeNote {
				t.Errorf("replay changed the revocation: %+v", again)
			}
			if after := w.state(t); after != before {
				t.Errorf("replay wrote: %+v → %+v", before, after)
			}
		})
		t.Run("another reason conflicts", func(t *testing.T) {
			before := w.state(t)
			_, err := w.iss.Revoke(bg, w.signer, c.ID, ReasonFraud, "Ternyata curang")
			assertCode(t, err, apperr.CodeConflict)
			if got := w.cert(t, c.ID); got.RevokeReason != ReasonIssuedInError {
				t.Errorf("reason changed to %s", got.RevokeReason)
			}
			if after := w.state(t); after != before {
				t.Errorf("conflict wrote: %+v → %+v", before, after)
			}
		})
		t.Run("revoked certificate cannot be re-issued", func(t *testing.T) {
			before := w.state(t)
			_, err := w.iss.Reissue(bg, w.signer, c.ID, "Terbitkan lagi")
			assertCode(t, err, apperr.CodeConflict)
			if after := w.state(t); after != before {
				t.Errorf("conflict wrote: %+v → %+v", before, after)
			}
		})
		t.Run("logged", func(t *testing.T) {
			var revokes []LogEntry
			for _, e := range w.logEntries(t) {
				if e.Action == "certificate.revoke" {
					revokes = append(revokes, e)
				}
			}
			if len(revokes) != 1 || revokes[0].Object != "certificate:"+c.ID || !strings.Contains(revokes[0].Detail, ReasonIssuedInError) {
				t.Errorf("revoke entries %+v", revokes)
			}
			w.assertChain(t)
		})
	})
}

func TestReissue(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		id := w.verifiedN(t, 1)[0]
		old := w.mustIssue(t, id).Certificates[0]
		// The name was misspelt in the employee records; corrected, the certificate is
		// re-issued.
		mustDo(t, w.db.Gorm.Exec("UPDATE employees SET name = 'Andy Wijaya', front_title = 'Drs.' WHERE nip = ?", nipA1).Error)
		w.clock.Add(24 * 3600e9)
		before := w.state(t)
		n, err := w.iss.Reissue(bg, w.signer, old.ID, "Perbaikan penulisan nama")
		if err != nil {
			t.Fatal(err)
		}

		t.Run("new certificate", func(t *testing.T) {
			if n.ID == old.ID || n.Number == old.Number || n.Seq != 3 || n.StatusIndex != 3 || n.Replaces == nil || *n.Replaces != old.ID ||
				n.HolderName != "Drs. Andy Wijaya" || n.State != CertValid || n.NIP != nipA1 || n.RequestID != id {
				t.Errorf("new certificate %+v", n)
			}
			stored := w.cert(t, n.ID)
			if stored.Token != n.Token || ComputeDigest(&stored) != n.Digest {
				t.Error("stored replacement differs from the returned one")
			}
			if res := w.verify(t, n); res.Status != verifier.StatusValid {
				t.Errorf("verify new: %s %+v", res.Status, res.Checks)
			}
		})
		t.Run("old certificate points to the new one", func(t *testing.T) {
			got := w.cert(t, old.ID)
			if got.State != CertRevoked || got.RevokeReason != ReasonReplaced || got.ReplacedBy == nil || *got.ReplacedBy != n.ID ||
				got.RevokeNote != "Perbaikan penulisan nama" {
				t.Errorf("old certificate %+v", got)
			}
			// Not edited in place: the old facts stay, and still match the old token.
			if got.HolderName != "Andi Wijaya" || got.Token != old.Token || ComputeDigest(&got) != old.Digest {
				t.Errorf("old certificate edited: %q", got.HolderName)
			}
			res := w.verify(t, &old)
			if res.Status != verifier.StatusRevoked || res.Cert.Reason != ReasonReplaced || res.Cert.ReplacedBy != n.ID {
				t.Errorf("verify old: %s %+v", res.Status, res.Cert)
			}
			st, err := w.iss.CertificateStatus(bg, old.ID)
			if err != nil || st.ReplacedBy != n.ID || !st.Revoked {
				t.Errorf("status %+v %v", st, err)
			}
		})
		t.Run("nothing deleted", func(t *testing.T) {
			after := w.state(t)
			if after.Certs != before.Certs+1 || after.Log != before.Log+1 {
				t.Errorf("state %+v → %+v; want one more certificate and one log entry", before, after)
			}
		})
		t.Run("replaced certificate is final", func(t *testing.T) {
			_, err := w.iss.Reissue(bg, w.signer, old.ID, "Lagi")
			assertCode(t, err, apperr.CodeConflict)
			if !strings.Contains(apperr.As(err).Message, n.ID) {
				t.Errorf("message %q should name the replacement", apperr.As(err).Message)
			}
			_, err = w.iss.Revoke(bg, w.signer, old.ID, ReasonFraud, "Curang")
			assertCode(t, err, apperr.CodeConflict)
		})
		t.Run("the replacement can be replaced again", func(t *testing.T) {
			n2, err := w.iss.Reissue(bg, w.signer, n.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if *n2.Replaces != n.ID {
				t.Errorf("replaces %v", n2.Replaces)
			}
			b := w.mustIssue(t, id) // re-running the batch sees the chain's live end only
			if b.Issued != 0 || len(b.Certificates) != 2 || !slices.ContainsFunc(b.Certificates, func(c Certificate) bool { return c.ID == n2.ID }) {
				t.Errorf("batch after re-issues: %+v", b)
			}
		})
		t.Run("unknown certificate", func(t *testing.T) {
			_, err := w.iss.Reissue(bg, w.signer, "AAAAAAAAAAAAAAAA", "")
			assertCode(t, err, apperr.CodeNotFound)
		})
		w.assertChain(t)
	})
}

// TestReissueChecks: a replacement passes the same pre-issuance checks as a batch, including
// the outcome check that a batch applies by selecting only those who attended and passed.
func TestReissueChecks(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		id := w.verifiedN(t, 1)[0]
		b := w.mustIssue(t, id)
		c := b.Certificates[0]
		emp := w.employeeID(t, nipA1)
		for _, tc := range []struct {
			check       string
			spoil, heal string
		}{
			{"outcome", "UPDATE dev_request_participants SET passed = false WHERE employee_id = ?",
				"UPDATE dev_request_participants SET passed = true WHERE employee_id = ?"},
			{"employee", "UPDATE employees SET active = false WHERE id = ?", "UPDATE employees SET active = true WHERE id = ?"},
			{"jp", "UPDATE dev_request_participants SET jp_actual = 0 WHERE employee_id = ?",
				"UPDATE dev_request_participants SET jp_actual = 24 WHERE employee_id = ?"},
		} {
			t.Run(tc.check, func(t *testing.T) {
				mustDo(t, w.db.Gorm.Exec(tc.spoil, emp).Error)
				before := w.state(t)
				_, err := w.iss.Reissue(bg, w.signer, c.ID, "Perbaikan")
				refusal(t, err, tc.check)
				if after := w.state(t); after != before {
					t.Errorf("refused re-issue wrote: %+v → %+v", before, after)
				}
				if got := w.cert(t, c.ID); got.State != CertValid {
					t.Errorf("old certificate %s after a refused re-issue", got.State)
				}
				mustDo(t, w.db.Gorm.Exec(tc.heal, emp).Error)
			})
		}
		if _, err := w.iss.Reissue(bg, w.signer, c.ID, "Perbaikan"); err != nil {
			t.Errorf("re-issue once healed: %v", err)
		}
	})
}

// certWorld issues certificates for both OPDs: OPD A's request (A1, A2) and OPD B's (B1).
func certWorld(t *testing.T, f *fixture) (w *issuanceWorld, reqA, reqB int64, a, bCerts []Certificate) {
	t.Helper()
	w = newIssuanceWorld(t, f)
	inB := validInput()
	inB.Title = "Pelatihan Pelayanan Prima Puskesmas"
	inB.Participants = []string{nipB1}
	ids := w.verified(t, batchSpec{}, batchSpec{opd: w.opdUserB, in: &inB})
	reqA, reqB = ids[0], ids[1]
	a = w.mustIssue(t, reqA).Certificates
	bCerts = w.mustIssue(t, reqB).Certificates
	return w, reqA, reqB, a, bCerts
}

func certIDs(list []Certificate) []string {
	return sortedIDs(list, func(c Certificate) string { return c.ID })
}

// sortedIDs returns the IDs of list (id gives one), sorted.
func sortedIDs[T any](list []T, id func(T) string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		out = append(out, id(v))
	}
	slices.Sort(out)
	return out
}

// visibleCertsCase is an actor of certWorld (by w.who name) and the IDs of the
// certificates it may see.
type visibleCertsCase struct {
	who  string
	want []string
}

// visibleCerts lists what each actor of certWorld sees of its certificates: a of OPD A, b of
// OPD B.
func visibleCerts(a, b []Certificate) []visibleCertsCase {
	all := certIDs(append(slices.Clone(a), b...))
	return []visibleCertsCase{
		{"admin", all}, {"rev", all}, {"signer", all},
		{"opdUser", certIDs(a)}, {"opdUserB", certIDs(b)},
		{"pegawai", []string{a[0].ID}}, {"outsider", []string{b[0].ID}},
	}
}

func TestListCertificates(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w, reqA, reqB, a, b := certWorld(t, f)
		all := certIDs(append(slices.Clone(a), b...))
		a1 := a[0] // Andi Wijaya, nipA1
		if a1.NIP != nipA1 {
			t.Fatalf("first certificate of A is %s", a1.NIP)
		}

		t.Run("scope", func(t *testing.T) {
			for _, tc := range visibleCerts(a, b) {
				list, page, err := w.iss.List(bg, w.who(t, tc.who), CertFilter{})
				if err != nil {
					t.Fatalf("%s: %v", tc.who, err)
				}
				if got := certIDs(list); !slices.Equal(got, tc.want) || page.Total != int64(len(tc.want)) {
					t.Errorf("%s sees %v (total %d), want %v", tc.who, got, page.Total, tc.want)
				}
			}
			_, _, err := w.iss.List(bg, domain.Actor{}, CertFilter{})
			assertCode(t, err, apperr.CodeUnauthorized)
		})

		mustDo(t, w.db.Gorm.Exec("UPDATE certificates SET year = 2025 WHERE id = ?", b[0].ID).Error) // for the year filter
		_, err := w.iss.Revoke(bg, w.signer, a[1].ID, ReasonWithdrawn, "Ditarik")
		mustDo(t, err)

		t.Run("filters", func(t *testing.T) {
			for _, tc := range []struct {
				name string
				f    CertFilter
				want []string
			}{
				{"nip", CertFilter{NIP: "19660801 198803 1 001"}, []string{a1.ID}},
				{"request", CertFilter{RequestID: reqB}, certIDs(b)},
				{"opd", CertFilter{OPD: "DISDIK"}, certIDs(a)},
				{"year", CertFilter{Year: 2025}, certIDs(b)},
				{"state valid", CertFilter{State: CertValid}, certIDs([]Certificate{a1, b[0]})},
				{"state revoked", CertFilter{State: CertRevoked}, []string{a[1].ID}},
				{"q name", CertFilter{Q: "andi"}, []string{a1.ID}},
				{"q number", CertFilter{Q: a1.Number}, []string{a1.ID}},
				{"q title", CertFilter{Q: "pelayanan prima"}, certIDs(b)},
				{"q nip", CertFilter{Q: nipB1[:8]}, certIDs(b)},
				{"q wildcard is literal", CertFilter{Q: "%"}, nil},
				{"q underscore is literal", CertFilter{Q: "_"}, nil},
				{"combined", CertFilter{OPD: "DISDIK", State: CertValid, RequestID: reqA}, []string{a1.ID}},
			} {
				list, _, err := w.iss.List(bg, w.admin, tc.f)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				if got := certIDs(list); !slices.Equal(got, tc.want) {
					t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
				}
			}
			// Scope and filter together: an OPD asking for another OPD's certificates gets none.
			list, _, err := w.iss.List(bg, w.opdUser, CertFilter{OPD: "DINKES"})
			if err != nil || len(list) != 0 {
				t.Errorf("OPD A filtering on DINKES: %v %v", certIDs(list), err)
			}
		})
		t.Run("paging", func(t *testing.T) {
			first, page, err := w.iss.List(bg, w.admin, CertFilter{Limit: 2})
			if err != nil || len(first) != 2 || page.Total != 3 || page.Limit != 2 {
				t.Fatalf("page 1: %d %+v %v", len(first), page, err)
			}
			rest, _, err := w.iss.List(bg, w.admin, CertFilter{Limit: 2, Offset: 2})
			if err != nil || len(rest) != 1 {
				t.Fatalf("page 2: %d %v", len(rest), err)
			}
			if got := certIDs(append(first, rest...)); !slices.Equal(got, all) {
				t.Errorf("pages %v, want %v", got, all)
			}
			// Newest first: same issue time, so the higher number first.
			if first[0].IssuedAt.Before(first[1].IssuedAt) || (first[0].IssuedAt.Equal(first[1].IssuedAt) && first[0].Seq < first[1].Seq) {
				t.Errorf("order: %s before %s", first[0].Number, first[1].Number)
			}
		})
		t.Run("bad filters", func(t *testing.T) {
			for _, f := range []CertFilter{{State: "expired"}, {Offset: -1}, {Q: strings.Repeat("x", 101)}} {
				_, _, err := w.iss.List(bg, w.admin, f)
				assertCode(t, err, apperr.CodeInvalid)
			}
		})
	})
}

func TestGetCertificate(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w, _, _, a, b := certWorld(t, f)
		for _, tc := range []struct {
			who  string
			id   string
			want apperr.Code // "" when visible
		}{
			{"signer", a[0].ID, ""}, {"admin", b[0].ID, ""}, {"rev", a[1].ID, ""},
			{"opdUser", a[0].ID, ""}, {"opdUser", b[0].ID, apperr.CodeNotFound},
			{"opdUserB", b[0].ID, ""}, {"opdUserB", a[0].ID, apperr.CodeNotFound},
			{"pegawai", a[0].ID, ""}, {"pegawai", a[1].ID, apperr.CodeNotFound}, {"pegawai", b[0].ID, apperr.CodeNotFound},
			{"signer", "AAAAAAAAAAAAAAAA", apperr.CodeNotFound},
		} {
			t.Run(tc.who+" "+tc.id, func(t *testing.T) {
				c, err := w.iss.Get(bg, w.who(t, tc.who), strings.ToLower(tc.id))
				if tc.want != "" {
					assertCode(t, err, tc.want)
					// Another OPD's certificate looks exactly like one that does not exist.
					if apperr.As(err).Message != errNoCert.Message {
						t.Errorf("message %q", apperr.As(err).Message)
					}
					return
				}
				if err != nil || c.ID != tc.id {
					t.Fatalf("get: %+v %v", c, err)
				}
			})
		}
		_, err := w.iss.Get(bg, domain.Actor{}, a[0].ID)
		assertCode(t, err, apperr.CodeUnauthorized)
	})
}

func TestCertificateHistory(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w, _, _, a, b := certWorld(t, f)
		old := a[0]
		n, err := w.iss.Reissue(bg, w.signer, old.ID, "Perbaikan")
		mustDo(t, err)
		_, err = w.iss.Revoke(bg, w.signer, n.ID, ReasonWithdrawn, "Ditarik atas permintaan")
		mustDo(t, err)

		actions := func(list []LogEntry) []string {
			var out []string
			for _, e := range list {
				out = append(out, e.Action)
			}
			return out
		}
		hOld, err := w.iss.History(bg, w.opdUser, old.ID)
		mustDo(t, err)
		if got, want := actions(hOld), []string{"certificate.issue", "certificate.reissue"}; !slices.Equal(got, want) {
			t.Errorf("history of the old certificate %v, want %v", got, want)
		}
		hNew, err := w.iss.History(bg, w.pegawai, n.ID)
		mustDo(t, err)
		if got, want := actions(hNew), []string{"certificate.reissue", "certificate.revoke"}; !slices.Equal(got, want) {
			t.Errorf("history of the new certificate %v, want %v", got, want)
		}
		var detail map[string]any
		if err := json.Unmarshal([]byte(hNew[0].Detail), &detail); err != nil || detail["old"] != old.Number || detail["new"] != n.Number {
			t.Errorf("re-issue detail %s (%v)", hNew[0].Detail, err)
		}
		hB, err := w.iss.History(bg, w.admin, b[0].ID)
		if err != nil || len(hB) != 1 || hB[0].Object != "certificate:"+b[0].ID {
			t.Errorf("history of B's certificate %+v %v", hB, err)
		}
		_, err = w.iss.History(bg, w.opdUserB, old.ID)
		assertCode(t, err, apperr.CodeNotFound)
		_, err = w.iss.History(bg, w.outsider, n.ID)
		assertCode(t, err, apperr.CodeNotFound)
		if len(hOld[0].Hash) != 64 || hOld[1].PrevHash == "" {
			t.Errorf("entries carry no chain: %+v", hOld)
		}
	})
}
