package scoring

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/filestore"
)

// The review flow of external development records (external.go) on both databases: who
// may submit and see what, what is refused, retries, resubmission after rejection, and the
// holder's score before and after a decision.

// extPDF is a small but whole PDF (header and end-of-file marker); tag makes it distinct.
func extPDF(tag string) []byte {
	return []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% " + tag + "\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

// extWorld is two OPDs (A, B) with employees and one user per role.
type extWorld struct {
	db              *database.DB
	st              *Store
	x               *External
	dir             string // the evidence store's directory
	f               *fixture
	opdA, opdB      int64
	empA1, empA2    int64 // A1 pelaksana, A2 struktural; both in OPD A
	empB1           int64 // in OPD B
	nipA1, nipA2    string
	nipB1           string
	admin, verif    domain.Actor
	signer          domain.Actor
	opdUserA        domain.Actor
	opdUserB        domain.Actor
	pegA1, pegB1    domain.Actor
	maxEvidenceSize int64
}

const extMaxEvidence = 64 << 10

func newExtWorld(t *testing.T, db *database.DB) *extWorld {
	t.Helper()
	f := newFixture(t, db)
	w := &extWorld{db: db, f: f, dir: t.TempDir(), maxEvidenceSize: extMaxEvidence}
	files, err := filestore.New(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	w.st = NewStore(db, nil).WithEvidence(files, ExternalOptions{MaxEvidenceBytes: extMaxEvidence})
	w.x = w.st.External()
	w.opdA, w.opdB = f.opd("EXTA"), f.opd("EXTB")
	w.nipA1, w.nipA2, w.nipB1 = nipFor(701), nipFor(702), nipFor(703)
	w.empA1 = f.employee(w.opdA, w.nipA1, "PNS", "pelaksana", "", "", "40")
	w.empA2 = f.employee(w.opdA, w.nipA2, "PNS", "struktural", "IV.a", "", "40")
	w.empB1 = f.employee(w.opdB, w.nipB1, "PNS", "pelaksana", "", "", "30")
	w.admin = w.user(t, "ext.admin", domain.RoleAdmin, 0, "")
	w.verif = w.user(t, "ext.verif", domain.RoleVerifikator, 0, "")
	w.signer = w.user(t, "ext.kepala", domain.RolePenandatangan, 0, "")
	w.opdUserA = w.user(t, "ext.opd.a", domain.RoleOPD, w.opdA, "")
	w.opdUserB = w.user(t, "ext.opd.b", domain.RoleOPD, w.opdB, "")
	w.pegA1 = w.user(t, "ext.peg.a1", domain.RolePegawai, 0, w.nipA1)
	w.pegB1 = w.user(t, "ext.peg.b1", domain.RolePegawai, 0, w.nipB1)
	return w
}

// user inserts an account row (submitted_by and reviewed_by refer to users) and returns its actor.
func (w *extWorld) user(t *testing.T, name string, role domain.Role, opdID int64, nip string) domain.Actor {
	t.Helper()
	var opd *int64
	if opdID != 0 {
		opd = &opdID
	}
	var id int64
	if err := w.db.Gorm.Raw(`INSERT INTO users (username, display_name, password_hash, role, opd_id, nip, active,
		password_changed_at, created_at, updated_at) VALUES (?, ?, 'x', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		name, "Uji "+name, string(role), opd, nip, true, dbNow, dbNow, dbNow).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return domain.Actor{UserID: id, Username: name, Role: role, OPDID: opdID, NIP: nip}
}

// input is a valid technical training of 24 JP that ended this (measurement) year.
func (w *extWorld) input(nip, number string) ExternalInput {
	return ExternalInput{NIP: nip, Kind: "teknis", Title: "Pelatihan Analisis Data Kepegawaian", JP: 24,
		StartDate: date(testYear, 3, 2), EndDate: date(testYear, 3, 5), Organizer: "Pusdiklat Kementerian Dalam Negeri",
		CertificateNumber: number}
}

func (w *extWorld) count(t *testing.T) (records, audits int64) {
	t.Helper()
	w.db.Gorm.Raw(`SELECT COUNT(*) FROM external_trainings`).Scan(&records)
	w.db.Gorm.Raw(`SELECT COUNT(*) FROM audit_log WHERE object LIKE 'external_trainings/%'`).Scan(&audits)
	return records, audits
}

// storedFiles counts the files kept in the evidence store.
func (w *extWorld) storedFiles(t *testing.T) int {
	t.Helper()
	n := 0
	filepath.WalkDir(w.dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func (w *extWorld) mustSubmit(t *testing.T, a domain.Actor, in ExternalInput, pdf []byte) *ExternalTraining {
	t.Helper()
	r, created, err := w.x.Submit(context.Background(), a, in, bytes.NewReader(pdf))
	if err != nil || !created {
		t.Fatalf("submit %+v as %s: created %v, %v", in, a.Username, created, err)
	}
	return r
}

func wantExtCode(t *testing.T, what string, err error, want apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != want {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, want)
	}
}

func TestExternalSubmitAndScope(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newExtWorld(t, db)
		own := w.mustSubmit(t, w.pegA1, w.input("", "EXT/001/2026"), extPDF("a1"))
		if own.NIP != w.nipA1 || own.Status != ExternalSubmitted || own.Source != SourceSubmission ||
			own.SubmittedBy == nil || *own.SubmittedBy != w.pegA1.UserID || own.OPDCode != "EXTA" || !own.HasEvidence() {
			t.Errorf("own submission = %+v", own)
		}
		if own.StartDate != date(testYear, 3, 2) || own.EndDate != date(testYear, 3, 5) || own.JP != 24 || own.Kind != "teknis" {
			t.Errorf("stored fields = %+v", own)
		}
		forA2 := w.mustSubmit(t, w.opdUserA, w.input(w.nipA2, "EXT/002/2026"), extPDF("a2"))
		forB1 := w.mustSubmit(t, w.opdUserB, w.input(w.nipB1, "EXT/003/2026"), extPDF("b1"))
		recs0, audits0 := w.count(t)
		if recs0 != 3 || audits0 != 3 {
			t.Errorf("after three submissions: %d records, %d audit entries", recs0, audits0)
		}

		t.Run("refused submitters", func(t *testing.T) {
			cases := []struct {
				what string
				a    domain.Actor
				nip  string
			}{
				{"pegawai for someone else", w.pegA1, w.nipA2},
				{"pegawai for another OPD's employee", w.pegA1, w.nipB1},
				{"verifikator", w.verif, w.nipA1},
				{"admin", w.admin, w.nipA1},
				{"penandatangan", w.signer, w.nipA1},
			}
			for _, tc := range cases {
				_, _, err := w.x.Submit(ctx, tc.a, w.input(tc.nip, "EXT/X/"+tc.a.Username), bytes.NewReader(extPDF("x")))
				wantExtCode(t, tc.what, err, apperr.CodeForbidden)
			}
			// An OPD is refused another OPD's employee in the very words it gets for a NIP
			// registered nowhere, so that it cannot learn which NIPs exist elsewhere.
			const unknownNIP = "199912312024121001"
			for _, tc := range []struct {
				what string
				a    domain.Actor
				nip  string
			}{
				{"OPD A for OPD B's employee", w.opdUserA, w.nipB1},
				{"OPD B for OPD A's employee", w.opdUserB, w.nipA1},
				{"OPD A for an unknown NIP", w.opdUserA, unknownNIP},
			} {
				_, _, err := w.x.Submit(ctx, tc.a, w.input(tc.nip, "EXT/X/"+tc.a.Username), bytes.NewReader(extPDF("x")))
				wantExtCode(t, tc.what, err, apperr.CodeInvalid)
				if want := "Pegawai dengan NIP " + tc.nip + " tidak terdaftar di OPD Anda."; err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: %v, want %q", tc.what, err, want)
				}
			}
			_, _, err := w.x.Submit(ctx, domain.Actor{}, w.input(w.nipA1, "EXT/ANON"), bytes.NewReader(extPDF("x")))
			wantExtCode(t, "anonymous", err, apperr.CodeUnauthorized)
			if recs, audits := w.count(t); recs != recs0 || audits != audits0 {
				t.Errorf("refused submissions wrote: %d records, %d audit entries", recs, audits)
			}
		})

		t.Run("lists by role", func(t *testing.T) {
			want := map[string][]int64{
				"admin": {forB1.ID, forA2.ID, own.ID}, "verifikator": {forB1.ID, forA2.ID, own.ID},
				"penandatangan": {forB1.ID, forA2.ID, own.ID},
				"opd A":         {forA2.ID, own.ID}, "opd B": {forB1.ID}, "pegawai A1": {own.ID}, "pegawai B1": {forB1.ID},
			}
			actors := map[string]domain.Actor{"admin": w.admin, "verifikator": w.verif, "penandatangan": w.signer,
				"opd A": w.opdUserA, "opd B": w.opdUserB, "pegawai A1": w.pegA1, "pegawai B1": w.pegB1}
			for name, a := range actors {
				list, pg, err := w.x.List(ctx, a, ExternalFilter{})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				var got []int64
				for _, r := range list {
					got = append(got, r.ID)
				}
				if !extEqualIDs(got, want[name]) || pg.Total != int64(len(want[name])) {
					t.Errorf("%s sees %v (total %d), want %v", name, got, pg.Total, want[name])
				}
				counts, err := w.x.Counts(ctx, a, ExternalFilter{})
				if err != nil || counts[ExternalSubmitted] != int64(len(want[name])) {
					t.Errorf("%s counts %v, %v", name, counts, err)
				}
			}
			queue, _, err := w.x.List(ctx, w.verif, ExternalFilter{Status: ExternalSubmitted, Queue: true})
			if err != nil || len(queue) != 3 || queue[0].ID != own.ID {
				t.Errorf("queue = %v, %v: want the oldest (%d) first", extIDs(queue), err, own.ID)
			}
			byOPD, _, err := w.x.List(ctx, w.verif, ExternalFilter{OPD: "EXTB"})
			if err != nil || !extEqualIDs(extIDs(byOPD), []int64{forB1.ID}) {
				t.Errorf("verifikator, opd=EXTB: %v, %v", extIDs(byOPD), err)
			}
			byQ, _, err := w.x.List(ctx, w.verif, ExternalFilter{Q: w.nipB1})
			if err != nil || !extEqualIDs(extIDs(byQ), []int64{forB1.ID}) {
				t.Errorf("verifikator, q=NIP prefix: %v, %v", extIDs(byQ), err)
			}
			byNum, _, err := w.x.List(ctx, w.verif, ExternalFilter{Q: "ext/002"})
			if err != nil || !extEqualIDs(extIDs(byNum), []int64{forA2.ID}) {
				t.Errorf("verifikator, q=number: %v, %v", extIDs(byNum), err)
			}
			_, _, err = w.x.List(ctx, w.opdUserA, ExternalFilter{OPD: "EXTB"})
			wantExtCode(t, "opd A lists OPD B", err, apperr.CodeForbidden)
			_, _, err = w.x.List(ctx, w.pegA1, ExternalFilter{NIP: w.nipB1})
			wantExtCode(t, "pegawai lists another NIP", err, apperr.CodeForbidden)
			_, _, err = w.x.List(ctx, w.verif, ExternalFilter{Status: "entah"})
			wantExtCode(t, "unknown status", err, apperr.CodeInvalid)
			_, _, err = w.x.List(ctx, domain.Actor{}, ExternalFilter{})
			wantExtCode(t, "anonymous list", err, apperr.CodeUnauthorized)
		})

		t.Run("get and evidence by role", func(t *testing.T) {
			cases := []struct {
				what string
				a    domain.Actor
				id   int64
				want apperr.Code
			}{
				{"verifikator, B's record", w.verif, forB1.ID, ""},
				{"penandatangan, A's record", w.signer, own.ID, ""},
				{"opd A, its employee's", w.opdUserA, own.ID, ""},
				{"opd A, B's record", w.opdUserA, forB1.ID, apperr.CodeForbidden},
				{"opd B, A's record", w.opdUserB, forA2.ID, apperr.CodeForbidden},
				{"pegawai A1, own", w.pegA1, own.ID, ""},
				{"pegawai A1, colleague's", w.pegA1, forA2.ID, apperr.CodeForbidden},
				{"pegawai B1, A1's", w.pegB1, own.ID, apperr.CodeForbidden},
				{"unknown id", w.admin, 999999, apperr.CodeNotFound},
			}
			for _, tc := range cases {
				_, err := w.x.Get(ctx, tc.a, tc.id)
				wantExtCode(t, "get: "+tc.what, err, tc.want)
				r, f, size, err := w.x.Evidence(ctx, tc.a, tc.id)
				wantExtCode(t, "evidence: "+tc.what, err, tc.want)
				if err == nil {
					b, _ := io.ReadAll(f)
					f.Close()
					if int64(len(b)) != size || !bytes.HasPrefix(b, []byte("%PDF-")) || r.ID != tc.id {
						t.Errorf("evidence %s: %d bytes (size %d)", tc.what, len(b), size)
					}
				}
			}
			_, f, _, err := w.x.Evidence(ctx, w.pegA1, own.ID)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(f)
			f.Close()
			if !bytes.Equal(b, extPDF("a1")) {
				t.Errorf("evidence content differs from the upload")
			}
		})
	})
}

func extIDs(list []ExternalTraining) []int64 {
	out := []int64{}
	for _, r := range list {
		out = append(out, r.ID)
	}
	return out
}

func extEqualIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestExternalValidation(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newExtWorld(t, db)
		good := w.input(w.nipA1, "EXT/V/1")
		edit := func(fn func(in *ExternalInput)) ExternalInput { in := good; fn(&in); return in }
		today := w.x.Today()
		big := append(extPDF("big"), bytes.Repeat([]byte("0"), extMaxEvidence)...)
		exact := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0"), extMaxEvidence-9-6)...)
		exact = append(exact, []byte("%%EOF\n")...)
		cases := []struct {
			what  string
			a     domain.Actor
			in    ExternalInput
			pdf   []byte
			nilR  bool
			code  apperr.Code
			field string
		}{
			{"bad NIP (length)", w.opdUserA, edit(func(in *ExternalInput) { in.NIP = "12345" }), extPDF("v"), false, apperr.CodeInvalid, "nip"},
			{"bad NIP (month 13)", w.opdUserA, edit(func(in *ExternalInput) { in.NIP = "196608011988131001" }), extPDF("v"), false, apperr.CodeInvalid, "nip"},
			{"NIP missing for an OPD", w.opdUserA, edit(func(in *ExternalInput) { in.NIP = "" }), extPDF("v"), false, apperr.CodeInvalid, "nip"},
			{"unknown NIP", w.opdUserA, edit(func(in *ExternalInput) { in.NIP = "196608011988031001" }), extPDF("v"), false, apperr.CodeInvalid, "nip"},
			{"end date in the future", w.opdUserA, edit(func(in *ExternalInput) {
				in.EndDate = domain.Date{Time: today.AddDate(0, 0, 1)}
			}), extPDF("v"), false, apperr.CodeInvalid, "end_date"},
			{"start date in the future", w.pegA1, edit(func(in *ExternalInput) {
				in.StartDate = domain.Date{Time: today.AddDate(0, 0, 3)}
				in.EndDate = domain.Date{Time: today.AddDate(0, 0, 5)}
			}), extPDF("v"), false, apperr.CodeInvalid, "start_date"},
			{"end before start", w.pegA1, edit(func(in *ExternalInput) { in.EndDate = date(testYear, 3, 1) }), extPDF("v"), false, apperr.CodeInvalid, "end_date"},
			{"no dates", w.pegA1, edit(func(in *ExternalInput) { in.StartDate, in.EndDate = domain.Date{}, domain.Date{} }), extPDF("v"), false, apperr.CodeInvalid, "end_date"},
			{"JP 0", w.pegA1, edit(func(in *ExternalInput) { in.JP = 0 }), extPDF("v"), false, apperr.CodeInvalid, "jp"},
			{"JP negative", w.pegA1, edit(func(in *ExternalInput) { in.JP = -4 }), extPDF("v"), false, apperr.CodeInvalid, "jp"},
			{"JP 10000", w.pegA1, edit(func(in *ExternalInput) { in.JP = 10000 }), extPDF("v"), false, apperr.CodeInvalid, "jp"},
			{"unknown kind", w.pegA1, edit(func(in *ExternalInput) { in.Kind = "piknik" }), extPDF("v"), false, apperr.CodeInvalid, "kind"},
			{"leadership without level", w.pegA1, edit(func(in *ExternalInput) { in.Kind = "kepemimpinan" }), extPDF("v"), false, apperr.CodeInvalid, "level"},
			{"level on technical training", w.pegA1, edit(func(in *ExternalInput) { in.Level = "pka" }), extPDF("v"), false, apperr.CodeInvalid, "level"},
			{"no title", w.pegA1, edit(func(in *ExternalInput) { in.Title = "  " }), extPDF("v"), false, apperr.CodeInvalid, "title"},
			{"no organiser", w.pegA1, edit(func(in *ExternalInput) { in.Organizer = "" }), extPDF("v"), false, apperr.CodeInvalid, "organizer"},
			{"control character", w.pegA1, edit(func(in *ExternalInput) { in.Title = "Pelatihan\x01" }), extPDF("v"), false, apperr.CodeInvalid, "title"},
			{"no evidence", w.pegA1, good, nil, true, apperr.CodeInvalid, "evidence"},
			{"empty evidence", w.pegA1, good, []byte{}, false, apperr.CodeInvalid, "evidence"},
			{"text named as PDF", w.pegA1, good, []byte("bukan pdf, hanya teks biasa yang cukup panjang"), false, apperr.CodeInvalid, "evidence"},
			{"PNG", w.pegA1, good, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...), false, apperr.CodeInvalid, "evidence"},
			{"truncated PDF", w.pegA1, good, []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"), false, apperr.CodeInvalid, "evidence"},
			{"HTML after a PDF header", w.pegA1, good, []byte("%PDF-<html><script>alert(1)</script></html>%%EOF"), false, apperr.CodeInvalid, "evidence"},
			{"oversize", w.pegA1, good, big, false, apperr.CodeTooLarge, "evidence"},
		}
		for _, tc := range cases {
			t.Run(tc.what, func(t *testing.T) {
				recs0, audits0 := w.count(t)
				files0 := w.storedFiles(t)
				var r io.Reader
				if !tc.nilR {
					r = bytes.NewReader(tc.pdf)
				}
				_, _, err := w.x.Submit(ctx, tc.a, tc.in, r)
				wantExtCode(t, tc.what, err, tc.code)
				ae := apperr.As(err)
				if msg := ae.Fields[tc.field]; msg == "" {
					t.Errorf("%s: no message for field %q: %v", tc.what, tc.field, ae.Fields)
				}
				if ae.Message == "" || strings.Contains(ae.Message, "invalid") {
					t.Errorf("%s: message %q", tc.what, ae.Message)
				}
				if recs, audits := w.count(t); recs != recs0 || audits != audits0 {
					t.Errorf("%s: refused submission wrote %d records, %d audit entries", tc.what, recs-recs0, audits-audits0)
				}
				if n := w.storedFiles(t); n != files0 {
					t.Errorf("%s: refused submission stored a file (%d → %d)", tc.what, files0, n)
				}
			})
		}
		t.Run("every field at once", func(t *testing.T) {
			_, _, err := w.x.Submit(ctx, w.opdUserA, ExternalInput{NIP: "123", JP: 0}, bytes.NewReader([]byte("x")))
			f := apperr.As(err).Fields
			for _, k := range []string{"nip", "kind", "title", "jp", "start_date", "end_date", "organizer", "evidence"} {
				if f[k] == "" {
					t.Errorf("no message for %s: %v", k, f)
				}
			}
		})
		t.Run("accepted edges", func(t *testing.T) {
			in := edit(func(in *ExternalInput) {
				in.StartDate, in.EndDate, in.JP, in.CertificateNumber = today, today, MaxExternalJP, ""
				in.Kind, in.Level, in.Title = "kepemimpinan", "PKA", "  Pelatihan   Kepemimpinan Administrator  "
			})
			r := w.mustSubmit(t, w.opdUserA, in, exact)
			if r.Level != "pka" || r.Title != "Pelatihan Kepemimpinan Administrator" || r.EndDate != today || r.CertificateNumber != "" {
				t.Errorf("stored %+v", r)
			}
			spaced := w.mustSubmit(t, w.pegA1, edit(func(in *ExternalInput) {
				in.NIP = w.nipA1[:8] + " " + w.nipA1[8:14] + " " + w.nipA1[14:15] + " " + w.nipA1[15:]
			}), extPDF("spaced"))
			if spaced.NIP != w.nipA1 {
				t.Errorf("NIP with spaces: %q", spaced.NIP)
			}
		})
	})
}

func TestExternalRetryAndDuplicates(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newExtWorld(t, db)
		in := w.input("", "800.1/0123/BKPSDM/2026")
		first := w.mustSubmit(t, w.pegA1, in, extPDF("dup"))
		recs0, audits0 := w.count(t)

		again, created, err := w.x.Submit(ctx, w.pegA1, in, bytes.NewReader(extPDF("dup")))
		if err != nil || created || again.ID != first.ID {
			t.Fatalf("retry: created %v, id %v, %v; want the first record (%d) unchanged", created, again, err, first.ID)
		}
		if recs, audits := w.count(t); recs != recs0 || audits != audits0 {
			t.Errorf("retry wrote %d records, %d audit entries", recs-recs0, audits-audits0)
		}

		conflicts := []struct {
			what string
			a    domain.Actor
			in   ExternalInput
		}{
			{"same number, other title", w.pegA1, func() ExternalInput { c := in; c.Title = "Judul Lain Sama Sekali"; return c }()},
			{"same number in other case", w.pegA1, func() ExternalInput {
				c := in
				c.CertificateNumber = "800.1/0123/bkpsdm/2026"
				c.Title = "Lain"
				return c
			}()},
			{"same kind, title and end, other number", w.pegA1, func() ExternalInput {
				c := in
				c.CertificateNumber, c.Title = "LAIN/1", "pelatihan analisis  data kepegawaian"
				return c
			}()},
			{"same record by another user (the OPD)", w.opdUserA, func() ExternalInput { c := in; c.NIP = w.nipA1; return c }()},
			{"same record, other evidence", w.pegA1, in},
		}
		for i, tc := range conflicts {
			pdf := extPDF("dup")
			if i == len(conflicts)-1 {
				pdf = extPDF("lain")
			}
			_, _, err := w.x.Submit(ctx, tc.a, tc.in, bytes.NewReader(pdf))
			wantExtCode(t, tc.what, err, apperr.CodeConflict)
			if m := apperr.As(err).Message; !strings.Contains(m, "menunggu verifikasi") {
				t.Errorf("%s: message %q does not say the record waits for review", tc.what, m)
			}
		}
		if recs, _ := w.count(t); recs != recs0 {
			t.Errorf("conflicts wrote %d records", recs-recs0)
		}
		// Another employee may hold a certificate with the same number (numbers are unique
		// per issuer, and issuers differ).
		w.mustSubmit(t, w.opdUserA, w.input(w.nipA2, in.CertificateNumber), extPDF("dup"))
	})
}

func TestExternalReviewChangesScore(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newExtWorld(t, db)
		year := w.st.CurrentYear()
		cPoints := w.st.RuleSet().Kompetensi.Indicators[domain.PositionPelaksana][IndicatorC]
		if cPoints <= 0 {
			t.Fatalf("rule set gives pelaksana no points for indicator c")
		}
		score := func() Score {
			t.Helper()
			sc, err := w.st.EmployeeScore(ctx, w.empA1, year)
			if err != nil {
				t.Fatal(err)
			}
			return sc
		}
		before := score()
		rec := w.mustSubmit(t, w.pegA1, w.input("", "EXT/S/1"), extPDF("s1"))
		if s := score(); s.Kompetensi != before.Kompetensi || s.JPThisYear != before.JPThisYear {
			t.Errorf("a submitted record counted: kompetensi %v → %v, JP %d → %d", before.Kompetensi, s.Kompetensi, before.JPThisYear, s.JPThisYear)
		}
		_, err := w.x.Review(ctx, w.signer, rec.ID, true, "")
		wantExtCode(t, "penandatangan reviews", err, apperr.CodeForbidden)
		_, err = w.x.Review(ctx, w.opdUserA, rec.ID, true, "")
		wantExtCode(t, "opd reviews", err, apperr.CodeForbidden)
		_, err = w.x.Review(ctx, w.verif, rec.ID, false, " ")
		wantExtCode(t, "rejection without a reason", err, apperr.CodeInvalid)

		got, err := w.x.Review(ctx, w.verif, rec.ID, true, "")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != ExternalRecognised || got.ReviewedBy == nil || *got.ReviewedBy != w.verif.UserID || got.ReviewedAt == nil {
			t.Errorf("after recognition: %+v", got)
		}
		after := score()
		if after.Kompetensi != before.Kompetensi+cPoints || after.JPThisYear != before.JPThisYear+24 {
			t.Errorf("recognising 24 JP of technical training: kompetensi %v → %v (want +%v), JP %d → %d",
				before.Kompetensi, after.Kompetensi, cPoints, before.JPThisYear, after.JPThisYear)
		}
		if st := mustStored(t, db, w.empA1, year); st.Kompetensi != after.Kompetensi || st.JPYear != after.JPThisYear {
			t.Errorf("stored score %+v disagrees with %v / %d", st, after.Kompetensi, after.JPThisYear)
		}
		var audits int64
		db.Gorm.Raw(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND object = ?`, AuditActionReviewExternal,
			"external_trainings/"+strconv.FormatInt(rec.ID, 10)).Scan(&audits)
		if _, err := w.x.Review(ctx, w.verif, rec.ID, true, ""); err != nil { // a retried decision
			t.Fatal(err)
		}
		var audits2 int64
		db.Gorm.Raw(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND object = ?`, AuditActionReviewExternal,
			"external_trainings/"+strconv.FormatInt(rec.ID, 10)).Scan(&audits2)
		if audits != 1 || audits2 != 1 {
			t.Errorf("review audit entries: %d, after a retry %d; want 1", audits, audits2)
		}

		// A rejected record never counts: the colleague's score stays as it was.
		otherBefore, _ := w.st.EmployeeScore(ctx, w.empB1, year)
		recB := w.mustSubmit(t, w.pegB1, w.input("", "EXT/S/2"), extPDF("s2"))
		if _, err := w.x.Review(ctx, w.admin, recB.ID, false, "Sertifikat tidak terbaca."); err != nil {
			t.Fatal(err)
		}
		if s, _ := w.st.EmployeeScore(ctx, w.empB1, year); s.Kompetensi != otherBefore.Kompetensi || s.JPThisYear != otherBefore.JPThisYear {
			t.Errorf("rejecting changed the score: %v → %v", otherBefore.Kompetensi, s.Kompetensi)
		}

		// Changing the decision takes the points back.
		if _, err := w.x.Review(ctx, w.verif, rec.ID, false, "Ternyata sertifikat palsu."); err != nil {
			t.Fatal(err)
		}
		if s := score(); s.Kompetensi != before.Kompetensi || s.JPThisYear != before.JPThisYear {
			t.Errorf("after rejecting the recognised record: kompetensi %v, want %v", s.Kompetensi, before.Kompetensi)
		}
	})
}

func TestExternalResubmit(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newExtWorld(t, db)
		in := w.input("", "EXT/R/1")
		rec := w.mustSubmit(t, w.pegA1, in, extPDF("r1"))
		_, err := w.x.Resubmit(ctx, w.pegA1, rec.ID, in, nil)
		wantExtCode(t, "resubmit while waiting", err, apperr.CodeConflict)
		if _, err := w.x.Review(ctx, w.verif, rec.ID, false, "JP tidak sesuai sertifikat (tertulis 20 JP)."); err != nil {
			t.Fatal(err)
		}
		if r, _ := w.x.Get(ctx, w.pegA1, rec.ID); !w.x.CanResubmit(ctx, w.pegA1, r) || w.x.CanResubmit(ctx, w.opdUserB, r) ||
			w.x.CanResubmit(ctx, w.verif, r) || !w.x.CanResubmit(ctx, w.opdUserA, r) {
			t.Errorf("CanResubmit: the holder and their OPD only")
		}

		// A new submission of the same certificate is pointed at the rejected record.
		_, _, err = w.x.Submit(ctx, w.pegA1, in, bytes.NewReader(extPDF("r1")))
		wantExtCode(t, "new submission of a rejected record", err, apperr.CodeConflict)
		if m := apperr.As(err).Message; !strings.Contains(m, "ditolak") || !strings.Contains(m, "ajukan ulang") {
			t.Errorf("message %q does not point to resubmission", m)
		}

		fixed := in
		fixed.JP = 20
		_, err = w.x.Resubmit(ctx, w.opdUserB, rec.ID, fixed, nil)
		wantExtCode(t, "another OPD resubmits", err, apperr.CodeForbidden)
		_, err = w.x.Resubmit(ctx, w.pegB1, rec.ID, fixed, nil)
		wantExtCode(t, "another employee resubmits", err, apperr.CodeForbidden)
		_, err = w.x.Resubmit(ctx, w.verif, rec.ID, fixed, nil)
		wantExtCode(t, "verifikator resubmits", err, apperr.CodeForbidden)
		bad := fixed
		bad.JP = 0
		_, err = w.x.Resubmit(ctx, w.pegA1, rec.ID, bad, nil)
		wantExtCode(t, "invalid correction", err, apperr.CodeInvalid)
		_, err = w.x.Resubmit(ctx, w.pegA1, rec.ID, fixed, bytes.NewReader([]byte("bukan pdf sama sekali, teks")))
		wantExtCode(t, "correction with a non-PDF", err, apperr.CodeInvalid)

		got, err := w.x.Resubmit(ctx, w.pegA1, rec.ID, fixed, bytes.NewReader(extPDF("r1-baru")))
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != rec.ID || got.Status != ExternalSubmitted || got.JP != 20 || !got.Resubmitted() ||
			got.ReviewReason == "" || got.EvidenceSHA256 == rec.EvidenceSHA256 {
			t.Errorf("after resubmission: %+v", got)
		}
		recs0, audits0 := w.count(t)
		again, err := w.x.Resubmit(ctx, w.pegA1, rec.ID, fixed, nil) // a retry without the file
		if err != nil || again.ID != rec.ID {
			t.Errorf("retried resubmission: %v", err)
		}
		if recs, audits := w.count(t); recs != recs0 || audits != audits0 {
			t.Errorf("retried resubmission wrote %d records, %d audit entries", recs-recs0, audits-audits0)
		}
		var n int64
		db.Gorm.Raw(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND object = ?`, AuditActionResubmitExternal,
			"external_trainings/"+strconv.FormatInt(rec.ID, 10)).Scan(&n)
		if n != 1 {
			t.Errorf("%d resubmission audit entries, want 1", n)
		}
		if got, err := w.x.Review(ctx, w.verif, rec.ID, true, ""); err != nil || got.Status != ExternalRecognised || got.ReviewReason != "" {
			t.Errorf("recognising the corrected record: %+v, %v", got, err)
		}
	})
}
