package issuer

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/internal/qr"
	"github.com/sertika/sertika/verifier"
)

// Tests of certificate issuance: the batch, every pre-issuance refusal, roles and four eyes,
// numbering, idempotency, concurrency and crashes. Revocation and re-issue, key life, the
// issuance log and the golden tokens have their own issuance_*_test.go files; the helpers
// here serve them all.

const testPublicURL = "https://sertika.example.go.id"

// afterActivity is Monday 16 March 2026, 10.00 WIB: validInput's activity (10–12 March) is
// over.
var afterActivity = time.Date(2026, 3, 16, 3, 0, 0, 0, time.UTC)

// lastActivityDay is 12 March 2026 10.00 WIB, the last day of validInput's activity: its
// report is accepted, certificates are not yet.
var lastActivityDay = time.Date(2026, 3, 12, 3, 0, 0, 0, time.UTC)

// seedStream is deterministic key entropy: SHA-256 of a label and a block counter, so that
// every key a store generates differs from the one before and runs are reproducible.
type seedStream struct {
	mu    sync.Mutex
	label string
	n     uint64
	buf   []byte
}

func (s *seedStream) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.buf) < len(p) {
		var ctr [8]byte
		binary.BigEndian.PutUint64(ctr[:], s.n)
		s.n++
		sum := sha256.Sum256(append([]byte(s.label), ctr[:]...))
		s.buf = append(s.buf, sum[:]...)
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// idSource fills certificate ids from a counter: distinct, reproducible in sequential runs and
// safe to share between goroutines.
type idSource struct {
	mu sync.Mutex
	n  uint64
}

func (s *idSource) fill(b []byte) error {
	s.mu.Lock()
	s.n++
	n := s.n
	s.mu.Unlock()
	clear(b)
	b[0] = 0x5e // "L4…": ids of the tests are easy to spot
	binary.BigEndian.PutUint64(b[len(b)-8:], n)
	return nil
}

// issuanceWorld is a fixture ready for issuance: the agency's identity, a key store with a
// deterministic active key, and an Issuance with counter ids and the real QR budget check.
type issuanceWorld struct {
	*fixture
	iss    *Issuance
	ks     *keys.Store
	keyDir string
	ids    *idSource
}

func newIssuanceWorld(t *testing.T, f *fixture) *issuanceWorld {
	t.Helper()
	mustDo(t, f.db.Gorm.Exec(`INSERT INTO agency (id, name, bkpsdm_name, city, head_name, head_nip, head_title, head_rank, issuer_code, updated_at)
		VALUES (1, 'Pemerintah Kota Tidore Kepulauan', 'BKPSDM Kota Tidore Kepulauan', 'Tidore', 'Drs. H. Abdullah Kasim, M.Si.',
		'196608011988031001', 'Kepala BKPSDM Kota Tidore Kepulauan', 'Pembina Utama Muda (IV/c)', 'TIDORE', ?)`, f.db.Now()).Error)
	w := &issuanceWorld{fixture: f, keyDir: t.TempDir(), ids: &idSource{}}
	w.ks = keys.NewStore(f.db, w.keyDir, keys.Options{Random: &seedStream{label: "sertika issuer test key"}})
	if _, err := w.ks.Generate(bg, false, KeyEventLogger(f.db, domain.System)); err != nil {
		t.Fatal(err)
	}
	w.iss = w.issuance(IssuanceOptions{})
	return w
}

// issuance returns an Issuance on the world's database and keys; unset options get the
// world's defaults.
func (w *issuanceWorld) issuance(opt IssuanceOptions) *Issuance {
	if opt.PublicURL == "" {
		opt.PublicURL = testPublicURL
	}
	if opt.Random == nil {
		opt.Random = w.ids.fill
	}
	if opt.QRBudget == nil {
		opt.QRBudget = qr.CheckBudget
	}
	opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return NewIssuance(w.db, w.ks, opt)
}

// batchSpec describes one request to drive to verified.
type batchSpec struct {
	opd  domain.Actor  // creates and reports it; default OPD A's user
	in   *RequestInput // default validInput()
	rows []ReportRow   // default: every participant of in attended and passed
}

func (w *issuanceWorld) spec(s batchSpec) batchSpec {
	if s.opd.UserID == 0 {
		s.opd = w.opdUser
	}
	if s.in == nil {
		in := validInput()
		s.in = &in
	}
	if s.rows == nil {
		for _, n := range s.in.Participants {
			s.rows = append(s.rows, ReportRow{NIP: n, Attended: true, Passed: true})
		}
	}
	return s
}

// approved creates, submits and approves a request per spec at the current clock.
func (w *issuanceWorld) approved(t testing.TB, specs ...batchSpec) []int64 {
	t.Helper()
	var ids []int64
	for _, s := range specs {
		s = w.spec(s)
		d, err := w.svc.Create(bg, s.opd, *s.in)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if _, err := w.svc.Submit(bg, s.opd, d.Request.ID, ""); err != nil {
			t.Fatalf("submit: %v", err)
		}
		if _, err := w.svc.Approve(bg, w.rev, d.Request.ID, ""); err != nil {
			t.Fatalf("approve: %v", err)
		}
		ids = append(ids, d.Request.ID)
	}
	return ids
}

// reportVerified reports an approved request per spec and has the reviewer verify it.
func (w *issuanceWorld) reportVerified(t testing.TB, id int64, s batchSpec) {
	t.Helper()
	s = w.spec(s)
	if _, err := w.svc.SubmitReport(bg, s.opd, id, ReportInput{Participants: s.rows}); err != nil {
		t.Fatalf("report: %v", err)
	}
	if _, err := w.svc.VerifyReport(bg, w.rev, id, ""); err != nil {
		t.Fatalf("verify report: %v", err)
	}
}

// verified drives a request per spec to verified, after its activity.
func (w *issuanceWorld) verified(t testing.TB, specs ...batchSpec) []int64 {
	t.Helper()
	ids := w.approved(t, specs...)
	if w.clock.Now().Before(afterActivity) {
		setClock(w.clock, afterActivity)
	}
	for i, id := range ids {
		w.reportVerified(t, id, specs[i])
	}
	return ids
}

// verifiedN drives n default requests (A1 and A2 attended and passed) to verified.
func (w *issuanceWorld) verifiedN(t testing.TB, n int) []int64 {
	t.Helper()
	return w.verified(t, make([]batchSpec, n)...)
}

// mustIssue issues a batch as the signer.
func (w *issuanceWorld) mustIssue(t testing.TB, id int64) *Batch {
	t.Helper()
	b, err := w.iss.Issue(bg, w.signer, id)
	if err != nil {
		t.Fatalf("issue request %d: %v", id, err)
	}
	return b
}

func (w *issuanceWorld) jwks(t testing.TB) verifier.JWKS {
	t.Helper()
	set, err := w.ks.JWKS(bg)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// verify verifies a certificate's QR URL against the published keys and the records.
func (w *issuanceWorld) verify(t testing.TB, c *Certificate) verifier.Result {
	t.Helper()
	return verifier.Verify(bg, w.iss.VerifyURL(c), w.jwks(t), w.iss)
}

func (w *issuanceWorld) cert(t testing.TB, id string) Certificate {
	t.Helper()
	var c Certificate
	mustDo(t, w.db.Gorm.Where("id = ?", id).Take(&c).Error)
	return c
}

func (w *issuanceWorld) certs(t testing.TB) []Certificate {
	t.Helper()
	var out []Certificate
	mustDo(t, w.db.Gorm.Order("status_index").Find(&out).Error)
	return out
}

func (w *issuanceWorld) logEntries(t testing.TB) []LogEntry {
	t.Helper()
	var out []LogEntry
	mustDo(t, w.db.Gorm.Order("id").Find(&out).Error)
	return out
}

func (w *issuanceWorld) employeeID(t testing.TB, nipValue string) int64 {
	t.Helper()
	var id int64
	mustDo(t, w.db.Gorm.Raw("SELECT id FROM employees WHERE nip = ?", nipValue).Scan(&id).Error)
	return id
}

// issueState is what an issuance writes: certificates, the certificate and status-index
// counters, and the issuance log.
type issueState struct {
	Certs    int64
	Counters string
	Log      int64
}

func (w *issuanceWorld) state(t testing.TB) issueState {
	t.Helper()
	var s issueState
	mustDo(t, w.db.Gorm.Model(&Certificate{}).Count(&s.Certs).Error)
	mustDo(t, w.db.Gorm.Model(&LogEntry{}).Count(&s.Log).Error)
	var rows []struct {
		Scope   string
		Year    int
		LastSeq int
	}
	mustDo(t, w.db.Gorm.Raw("SELECT scope, year, last_seq FROM number_counters WHERE scope IN ('sertifikat', 'status_index') ORDER BY scope, year").
		Scan(&rows).Error)
	s.Counters = fmt.Sprint(rows)
	return s
}

// assertChain fails unless the issuance log's chain is whole.
func (w *issuanceWorld) assertChain(t testing.TB) int {
	t.Helper()
	n, brk, err := VerifyLog(bg, w.db)
	if err != nil || brk != nil {
		t.Fatalf("VerifyLog = %d, %+v, %v; want an intact chain", n, brk, err)
	}
	return n
}

// refusal checks that err is a refused batch with a finding of check, and returns it.
func refusal(t testing.TB, err error, check string) *RefusedError {
	t.Helper()
	assertCode(t, err, apperr.CodeInvalid)
	var re *RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("error %v does not wrap a *RefusedError", err)
	}
	var checks []string
	for _, f := range re.Findings {
		checks = append(checks, f.Check)
		if f.Message == "" {
			t.Errorf("finding %+v has no message", f)
		}
	}
	if !slices.Contains(checks, check) {
		t.Fatalf("findings %v, want one of check %q (%+v)", checks, check, re.Findings)
	}
	return re
}

// ---- the batch ----

func TestIssueBatch(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		id := w.verified(t, batchSpec{rows: []ReportRow{
			{NIP: nipA1, Attended: true, Passed: true, JP: intp(20)}, {NIP: nipA2, Attended: true, Passed: false}}})[0]
		req := w.request(t, id)
		b := w.mustIssue(t, id)
		if b.Issued != 1 || len(b.Certificates) != 1 {
			t.Fatalf("batch: issued %d, %d certificates; want 1 (only the participant who passed)", b.Issued, len(b.Certificates))
		}
		c := b.Certificates[0]
		signerID := w.signer.UserID
		want := Certificate{ID: c.ID, Number: "800.1/0001/SERT/BKPSDM/2026", Year: 2026, Seq: 1, StatusIndex: 1, RequestID: id,
			EmployeeID: w.employeeID(t, nipA1), NIP: nipA1, HolderName: "Andi Wijaya", OPDName: "Dinas Pendidikan",
			Title: req.Title, Kind: "teknis", Organizer: OrganizerLabel("bkpsdm"), StartDate: req.StartDate, EndDate: req.EndDate,
			JP: 20, RecommendationNumber: req.Recommendation(), Place: "Tidore", IssuedAt: afterActivity, IssuerCode: "TIDORE",
			SignerID: &signerID, SignerName: "Drs. H. Abdullah Kasim, M.Si.", SignerNIP: "196608011988031001",
			SignerTitle: "Kepala BKPSDM Kota Tidore Kepulauan", SignerRank: "Pembina Utama Muda (IV/c)", State: CertValid}
		got := c
		got.KID, got.Token, got.Digest, got.CreatedAt = "", "", "", time.Time{}
		got.IssuedAt = got.IssuedAt.UTC()
		if got.SignerID == nil || *got.SignerID != signerID {
			t.Errorf("signer id %v, want %d", got.SignerID, signerID)
		}
		got.SignerID, want.SignerID = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("certificate\n got  %+v\n want %+v", got, want)
		}
		if req.Recommendation() == "" || len(c.ID) != 16 || c.ShortCode() != c.ID[:4]+"-"+c.ID[4:8]+"-"+c.ID[8:12]+"-"+c.ID[12:] {
			t.Errorf("recommendation %q, id %q, short code %q", req.Recommendation(), c.ID, c.ShortCode())
		}
		active, err := w.ks.Active(bg, w.db.Gorm)
		if err != nil || c.KID != active.KID {
			t.Errorf("kid %q, active key %+v (%v)", c.KID, active, err)
		}
		if c.Digest != ComputeDigest(&c) {
			t.Errorf("stored digest %q, recomputed %q", c.Digest, ComputeDigest(&c))
		}

		t.Run("token and QR URL", func(t *testing.T) {
			url := w.iss.VerifyURL(&c)
			if !strings.HasPrefix(url, strings.ToUpper(testPublicURL)+"/V/S1."+c.KID+"."+c.ID+"."+nipA1+".TIDORE.") {
				t.Errorf("url %q", url)
			}
			if err := qr.CheckBudget(url); err != nil {
				t.Errorf("url over the QR budget: %v", err)
			}
			res := w.verify(t, &c)
			if res.Status != verifier.StatusValid || res.Claims == nil || res.Claims.Subject != nipA1 || res.Claims.JP != 20 ||
				res.Claims.Digest != c.Digest || res.Claims.StartDate() != req.StartDate || res.KID != c.KID {
				t.Errorf("verify: %+v %+v", res, res.Claims)
			}
			if res := verifier.Verify(bg, c.Token, w.jwks(t), w.iss); res.Status != verifier.StatusValid {
				t.Errorf("verify compact token: %s", res.Status)
			}
		})
		t.Run("issuance log", func(t *testing.T) {
			var issued []LogEntry
			for _, e := range w.logEntries(t) {
				if e.Action == "certificate.issue" {
					issued = append(issued, e)
				}
			}
			if len(issued) != 1 || issued[0].Object != "certificate:"+c.ID || issued[0].Username != w.signer.Username ||
				issued[0].UserID == nil || *issued[0].UserID != w.signer.UserID || !strings.Contains(issued[0].Detail, c.Digest) ||
				!strings.Contains(issued[0].Detail, c.Number) {
				t.Errorf("issue entries %+v", issued)
			}
			w.assertChain(t)
		})
		t.Run("request stays verified", func(t *testing.T) {
			if st := w.request(t, id).State; st != StateVerified {
				t.Errorf("state %s", st)
			}
		})
	})
}

func TestIssueOrderAndJPDefault(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		in := validInput()
		in.Participants = []string{nipA3, nipA2, nipA1}
		id := w.verified(t, batchSpec{in: &in})[0]
		b := w.mustIssue(t, id)
		var names []string
		for _, c := range b.Certificates {
			names = append(names, fmt.Sprintf("%d:%s:%d", c.Seq, c.HolderName, c.JP))
		}
		// Numbered in name order; JP defaults to the approved JP when the report leaves it out.
		want := []string{"1:Andi Wijaya:24", "2:Citra Lestari:24", "3:Siti Rahmawati:24"}
		if !slices.Equal(names, want) {
			t.Errorf("certificates %v, want %v", names, want)
		}
	})
}

// ---- pre-issuance checks: each refusal refuses the whole batch, writes nothing and is logged ----

func TestIssueRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		check string
		nip   string      // the finding names this NIP ("" for batch-wide findings)
		rows  []ReportRow // nil: A1 and A2 attended and passed
		early bool        // verify the report before the activity is over
		opt   IssuanceOptions
		setup func(t *testing.T, w *issuanceWorld, id int64)
	}{
		{name: "NIP not valid", check: "nip", nip: "196613011988031001",
			setup: func(t *testing.T, w *issuanceWorld, id int64) {
				// Month 13: the import refuses such NIPs; the check catches a record that slipped in.
				mustDo(t, w.db.Gorm.Exec("UPDATE employees SET nip = ? WHERE nip = ?", "196613011988031001", nipA1).Error)
			}},
		{name: "employee not active", check: "employee", nip: nipA2,
			setup: func(t *testing.T, w *issuanceWorld, id int64) {
				mustDo(t, w.db.Gorm.Exec("UPDATE employees SET active = ? WHERE nip = ?", false, nipA2).Error)
			}},
		{name: "nobody attended and passed", check: "participants",
			rows: []ReportRow{{NIP: nipA1, Attended: true, Passed: false}, {NIP: nipA2, Attended: false}}},
		{name: "JP zero", check: "jp", nip: nipA1,
			rows: []ReportRow{{NIP: nipA1, Attended: true, Passed: true, JP: intp(0)}, {NIP: nipA2, Attended: true, Passed: true}}},
		{name: "JP over the approved plan", check: "jp", nip: nipA2,
			setup: func(t *testing.T, w *issuanceWorld, id int64) {
				// The report refuses it; the check catches a record changed behind the workflow.
				mustDo(t, w.db.Gorm.Exec("UPDATE dev_request_participants SET jp_actual = 25 WHERE request_id = ? AND employee_id = ?",
					id, w.employeeID(t, nipA2)).Error)
			}},
		{name: "activity not over", check: "dates", early: true},
		{name: "QR over budget", check: "qr", opt: IssuanceOptions{PublicURL: "https://sertika." + strings.Repeat("sangat-panjang.", 12) + "go.id"}},
		{name: "QR budget check fails", check: "qr",
			opt: IssuanceOptions{QRBudget: func(string) error { return errors.New("qr: version 13") }}},
		{name: "agency not set up", check: "agency",
			setup: func(t *testing.T, w *issuanceWorld, id int64) {
				mustDo(t, w.db.Gorm.Exec("DELETE FROM agency").Error)
			}},
		{name: "signer name missing", check: "agency",
			setup: func(t *testing.T, w *issuanceWorld, id int64) {
				mustDo(t, w.db.Gorm.Exec("UPDATE agency SET head_name = '  '").Error)
			}},
		{name: "signer title missing", check: "agency",
			setup: func(t *testing.T, w *issuanceWorld, id int64) {
				mustDo(t, w.db.Gorm.Exec("UPDATE agency SET head_title = ''").Error)
			}},
		{name: "signer NIP not valid", check: "agency",
			setup: func(t *testing.T, w *issuanceWorld, id int64) {
				mustDo(t, w.db.Gorm.Exec("UPDATE agency SET head_nip = '19660801'").Error)
			}},
		{name: "issuer code not valid", check: "agency",
			setup: func(t *testing.T, w *issuanceWorld, id int64) {
				mustDo(t, w.db.Gorm.Exec("UPDATE agency SET issuer_code = 'bkpsdm tidore'").Error)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachFixture(t, func(t *testing.T, f *fixture) {
				w := newIssuanceWorld(t, f)
				spec := batchSpec{rows: tc.rows}
				id := w.approved(t, spec)[0]
				if tc.early { // reported and verified on the last day: the activity is not over yet
					setClock(w.clock, lastActivityDay)
				} else {
					setClock(w.clock, afterActivity)
				}
				w.reportVerified(t, id, spec)
				if tc.setup != nil {
					tc.setup(t, w, id)
				}
				iss := w.iss
				if tc.opt.PublicURL != "" || tc.opt.QRBudget != nil {
					iss = w.issuance(tc.opt)
				}
				before := w.state(t)
				_, err := iss.Issue(bg, w.signer, id)
				re := refusal(t, err, tc.check)
				if tc.nip != "" && !slices.ContainsFunc(re.Findings, func(f Finding) bool { return f.Check == tc.check && f.NIP == tc.nip }) {
					t.Errorf("findings %+v, want %s about %s", re.Findings, tc.check, tc.nip)
				}
				after := w.state(t)
				if after.Certs != 0 || after.Counters != before.Counters {
					t.Errorf("refusal wrote: before %+v, after %+v", before, after)
				}
				if after.Log != before.Log+1 {
					t.Fatalf("log entries %d → %d, want one issuance.refused entry", before.Log, after.Log)
				}
				entries := w.logEntries(t)
				last := entries[len(entries)-1]
				if last.Action != "issuance.refused" || last.Object != fmt.Sprintf("request:%d", id) || last.Username != w.signer.Username ||
					!strings.Contains(last.Detail, `"check":"`+tc.check+`"`) {
					t.Errorf("last log entry %+v", last)
				}
				if !strings.Contains(apperr.As(err).Message, "ditolak") {
					t.Errorf("message %q", apperr.As(err).Message)
				}
				w.assertChain(t)
			})
		})
	}
}

// TestIssueRefusalListsEveryFinding: one bad participant refuses the batch of the good ones
// too, and the refusal lists every problem at once.
func TestIssueRefusalListsEveryFinding(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		in := validInput()
		in.Participants = []string{nipA1, nipA2, nipA3}
		id := w.verified(t, batchSpec{in: &in, rows: []ReportRow{{NIP: nipA1, Attended: true, Passed: true},
			{NIP: nipA2, Attended: true, Passed: true, JP: intp(0)}, {NIP: nipA3, Attended: true, Passed: true}}})[0]
		mustDo(t, w.db.Gorm.Exec("UPDATE employees SET active = ? WHERE nip = ?", false, nipA3).Error)
		mustDo(t, w.db.Gorm.Exec("UPDATE agency SET city = ''").Error)
		_, err := w.iss.Issue(bg, w.signer, id)
		re := refusal(t, err, "agency")
		var got []string
		for _, f := range re.Findings {
			got = append(got, f.Check+":"+f.NIP)
		}
		slices.Sort(got)
		want := []string{"agency:", "employee:" + nipA3, "jp:" + nipA2}
		if !slices.Equal(got, want) {
			t.Errorf("findings %v, want %v", got, want)
		}
		msg := apperr.As(err).Message
		if !strings.Contains(msg, "3 temuan") || !strings.Contains(msg, nipA3) || !strings.Contains(msg, nipA2) {
			t.Errorf("message %q", msg)
		}
		if n := w.state(t).Certs; n != 0 {
			t.Errorf("%d certificates issued, want none (nipA1 is fine but the batch is refused whole)", n)
		}
		// Once fixed, the batch goes through.
		mustDo(t, w.db.Gorm.Exec("UPDATE employees SET active = ? WHERE nip = ?", true, nipA3).Error)
		mustDo(t, w.db.Gorm.Exec("UPDATE agency SET city = 'Tidore'").Error)
		mustDo(t, w.db.Gorm.Exec("UPDATE dev_request_participants SET jp_actual = 24 WHERE request_id = ?", id).Error)
		if b := w.mustIssue(t, id); b.Issued != 3 || b.Certificates[0].Seq != 1 {
			t.Errorf("after the fix: %+v", b)
		}
	})
}

func TestIssueRefusalMessageIsBounded(t *testing.T) {
	re := &RefusedError{}
	for i := 0; i < 14; i++ {
		re.Findings = append(re.Findings, Finding{NIP: fmt.Sprintf("19800101200501100%d", i%10), Check: "employee", Message: "Pegawai tidak aktif."})
	}
	e := re.AsAppError()
	if e.Code != apperr.CodeInvalid || !strings.Contains(e.Message, "14 temuan") || !strings.HasSuffix(e.Message, "dan 4 lainnya.") ||
		strings.Count(e.Message, "Pegawai tidak aktif") != 10 {
		t.Errorf("message %q", e.Message)
	}
}

// TestIssueDatesBoundary: the activity is over when its last day has ended in WIB, whatever
// the UTC date says.
func TestIssueDatesBoundary(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		id := w.approved(t, batchSpec{})[0]
		setClock(w.clock, lastActivityDay) // a report is accepted from the last day
		w.reportVerified(t, id, batchSpec{})
		for _, at := range []time.Time{
			time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC),   // 12 March 15.00 WIB: the last day
			time.Date(2026, 3, 12, 16, 59, 0, 0, time.UTC), // 12 March 23.59 WIB
		} {
			setClock(w.clock, at)
			_, err := w.iss.Issue(bg, w.signer, id)
			refusal(t, err, "dates")
		}
		setClock(w.clock, time.Date(2026, 3, 12, 17, 0, 0, 0, time.UTC)) // 13 March 00.00 WIB
		if b := w.mustIssue(t, id); b.Issued != 2 {
			t.Errorf("issued %d after the activity, want 2", b.Issued)
		}
	})
}

func TestIssueOnlyVerifiedRequests(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		ids := w.approved(t, batchSpec{}, batchSpec{})
		approved, reported := ids[0], ids[1]
		setClock(w.clock, afterActivity)
		if _, err := w.svc.SubmitReport(bg, w.opdUser, reported, ReportInput{Participants: []ReportRow{
			{NIP: nipA1, Attended: true, Passed: true}, {NIP: nipA2, Attended: true, Passed: true}}}); err != nil {
			t.Fatal(err)
		}
		before := w.state(t)
		for name, id := range map[string]int64{"approved": approved, "reported": reported} {
			_, err := w.iss.Issue(bg, w.signer, id)
			assertCode(t, err, apperr.CodeConflict)
			if !strings.Contains(apperr.As(err).Message, "diverifikasi") {
				t.Errorf("%s: message %q", name, apperr.As(err).Message)
			}
		}
		_, err := w.iss.Issue(bg, w.signer, 999999)
		assertCode(t, err, apperr.CodeNotFound)
		if after := w.state(t); after != before {
			t.Errorf("refusals wrote: %+v → %+v", before, after)
		}
	})
}

// ---- roles and four eyes ----

func TestIssuanceRoles(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		ids := w.verifiedN(t, 2)
		c := w.mustIssue(t, ids[0]).Certificates[0]
		before := w.state(t)
		for _, name := range []string{"admin", "rev", "rev2", "opdUser", "opdUserB", "pegawai", "outsider"} {
			a := w.who(t, name)
			t.Run(name, func(t *testing.T) {
				_, err := w.iss.Issue(bg, a, ids[1])
				assertCode(t, err, apperr.CodeForbidden)
				_, err = w.iss.Revoke(bg, a, c.ID, ReasonWithdrawn, "Ditarik")
				assertCode(t, err, apperr.CodeForbidden)
				_, err = w.iss.Reissue(bg, a, c.ID, "Perbaikan nama")
				assertCode(t, err, apperr.CodeForbidden)
			})
		}
		t.Run("no actor", func(t *testing.T) {
			_, err := w.iss.Issue(bg, domain.Actor{}, ids[1])
			assertCode(t, err, apperr.CodeForbidden)
		})
		t.Run("system actor", func(t *testing.T) {
			// The command-line operator is an administrator, not a signer.
			_, err := w.iss.Issue(bg, domain.System, ids[1])
			assertCode(t, err, apperr.CodeForbidden)
		})
		if after := w.state(t); after != before {
			t.Errorf("forbidden calls wrote: %+v → %+v", before, after)
		}
		if got := w.cert(t, c.ID); got.State != CertValid {
			t.Errorf("certificate %s after forbidden revoke", got.State)
		}
	})
}

// TestFourEyes: the account that verified a report never signs its certificates. The
// workflow lets only a verifikator verify, so the clash arises when an account changes role
// (a reviewer promoted to head keeps the same user id) or when records are edited; both are
// simulated here, the second by setting report_verified_by to the signer in the database.
func TestFourEyes(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		ids := w.verifiedN(t, 3)

		t.Run("verifier promoted to signer", func(t *testing.T) {
			mustDo(t, w.db.Gorm.Exec("UPDATE users SET role = ? WHERE id = ?", domain.RolePenandatangan, w.rev.UserID).Error)
			promoted := w.rev
			promoted.Role = domain.RolePenandatangan
			before := w.state(t)
			_, err := w.iss.Issue(bg, promoted, ids[0])
			assertCode(t, err, apperr.CodeForbidden)
			if !strings.Contains(apperr.As(err).Message, "empat mata") {
				t.Errorf("message %q", apperr.As(err).Message)
			}
			if after := w.state(t); after != before {
				t.Errorf("four-eyes refusal wrote: %+v → %+v", before, after)
			}
			// Another signer may issue the batch; the promoted account may not replace its
			// certificates either.
			b := w.mustIssue(t, ids[0])
			_, err = w.iss.Reissue(bg, promoted, b.Certificates[0].ID, "Perbaikan")
			assertCode(t, err, apperr.CodeForbidden)
			// It still signs batches it did not verify.
			mustDo(t, w.db.Gorm.Exec("UPDATE dev_requests SET report_verified_by = ? WHERE id = ?", w.rev2.UserID, ids[2]).Error)
			if _, err := w.iss.Issue(bg, promoted, ids[2]); err != nil {
				t.Errorf("promoted signer on another reviewer's batch: %v", err)
			}
		})
		t.Run("signer recorded as verifier", func(t *testing.T) {
			mustDo(t, w.db.Gorm.Exec("UPDATE dev_requests SET report_verified_by = ? WHERE id = ?", w.signer.UserID, ids[1]).Error)
			before := w.state(t)
			_, err := w.iss.Issue(bg, w.signer, ids[1])
			assertCode(t, err, apperr.CodeForbidden)
			if after := w.state(t); after != before {
				t.Errorf("four-eyes refusal wrote: %+v → %+v", before, after)
			}
		})
	})
}

// ---- numbering ----

func TestCertificateNumberPattern(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		ids := w.verifiedN(t, 4)
		setPattern := func(p string) {
			mustDo(t, w.db.Gorm.Exec("UPDATE agency SET certificate_pattern = ? WHERE id = 1", p).Error)
		}
		numbers := func(b *Batch) []string {
			var out []string
			for _, c := range b.Certificates {
				out = append(out, c.Number)
			}
			return out
		}

		setPattern("{seq:3}/SERT/{opd}/{roman}/{year}")
		if got, want := numbers(w.mustIssue(t, ids[0])), []string{"001/SERT/DISDIK/III/2026", "002/SERT/DISDIK/III/2026"}; !slices.Equal(got, want) {
			t.Errorf("numbers %v, want %v", got, want)
		}

		t.Run("pattern without seq refused, no number used", func(t *testing.T) {
			setPattern("SERT/BKPSDM/{year}")
			before := w.state(t)
			_, err := w.iss.Issue(bg, w.signer, ids[1])
			assertCode(t, err, apperr.CodeInvalid)
			if after := w.state(t); after != before {
				t.Errorf("failed issuance wrote: %+v → %+v", before, after)
			}
		})

		setPattern("")
		if got, want := numbers(w.mustIssue(t, ids[1])), []string{"800.1/0003/SERT/BKPSDM/2026", "800.1/0004/SERT/BKPSDM/2026"}; !slices.Equal(got, want) {
			t.Errorf("numbers with the default pattern %v, want %v", got, want)
		}

		t.Run("new year starts at 1, status index goes on", func(t *testing.T) {
			setPattern("SERT-{year}-{month}-{seq:5}")
			setClock(w.clock, time.Date(2026, 12, 31, 17, 30, 0, 0, time.UTC)) // 1 January 2027, 00.30 WIB
			b := w.mustIssue(t, ids[2])
			if got, want := numbers(b), []string{"SERT-2027-01-00001", "SERT-2027-01-00002"}; !slices.Equal(got, want) {
				t.Errorf("numbers %v, want %v", got, want)
			}
			for i, c := range b.Certificates {
				if c.Year != 2027 || c.Seq != i+1 || c.StatusIndex != int64(5+i) {
					t.Errorf("certificate %d: year %d seq %d status index %d", i, c.Year, c.Seq, c.StatusIndex)
				}
			}
		})

		t.Run("number taken behind the issuer", func(t *testing.T) {
			// Another certificate already carries the number the next one would get (edited
			// in the database): the insert fails on the unique index and the whole batch,
			// its numbers included, rolls back.
			setPattern("SERT-{seq:5}")
			mustDo(t, w.db.Gorm.Exec("UPDATE certificates SET number = 'SERT-00004' WHERE seq = 1 AND year = 2027").Error)
			before := w.state(t)
			_, err := w.iss.Issue(bg, w.signer, ids[3])
			assertCode(t, err, apperr.CodeConflict)
			if after := w.state(t); after != before {
				t.Errorf("clash wrote: %+v → %+v", before, after)
			}
		})
	})
}

// TestConcurrentIssuanceIsGapFree issues many batches from many goroutines: every number of
// the year is used exactly once, 1..N, and so is every status index.
func TestConcurrentIssuanceIsGapFree(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		const n, workers = 10, 6
		ids := w.verifiedN(t, n)
		jobs := make(chan int64)
		var mu sync.Mutex
		var errs []error
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for id := range jobs {
					if _, err := w.iss.Issue(bg, w.signer, id); err != nil {
						mu.Lock()
						errs = append(errs, fmt.Errorf("request %d: %w", id, err))
						mu.Unlock()
					}
				}
			}()
		}
		for _, id := range ids {
			jobs <- id
		}
		close(jobs)
		wg.Wait()
		for _, err := range errs {
			t.Error(err)
		}
		certs := w.certs(t)
		if len(certs) != 2*n {
			t.Fatalf("%d certificates, want %d", len(certs), 2*n)
		}
		var seqs, indexes []int
		numbers := map[string]bool{}
		perRequest := map[int64][]int{}
		for _, c := range certs {
			seqs = append(seqs, c.Seq)
			indexes = append(indexes, int(c.StatusIndex))
			if numbers[c.Number] || c.Number != fmt.Sprintf("800.1/%04d/SERT/BKPSDM/2026", c.Seq) {
				t.Errorf("number %q (seq %d) repeated or malformed", c.Number, c.Seq)
			}
			numbers[c.Number] = true
			perRequest[c.RequestID] = append(perRequest[c.RequestID], c.Seq)
		}
		slices.Sort(seqs)
		for i := range seqs {
			if seqs[i] != i+1 || indexes[i] != i+1 {
				t.Fatalf("seqs %v, status indexes %v; want exactly 1..%d", seqs, indexes, 2*n)
			}
		}
		// A batch is one transaction: its numbers are consecutive.
		for id, s := range perRequest {
			slices.Sort(s)
			if len(s) != 2 || s[1] != s[0]+1 {
				t.Errorf("request %d numbers %v, want two consecutive", id, s)
			}
		}
		if got := w.state(t).Counters; !strings.Contains(got, fmt.Sprintf("{sertifikat 2026 %d}", 2*n)) ||
			!strings.Contains(got, fmt.Sprintf("{status_index 0 %d}", 2*n)) {
			t.Errorf("counters %s", got)
		}
		if got := w.assertChain(t); got != 1+2*n {
			t.Errorf("log entries %d, want %d (key + one per certificate)", got, 1+2*n)
		}
	})
}

// TestConcurrentIssueOfOneBatch: two signers' clicks on the same batch issue each certificate
// once.
func TestConcurrentIssueOfOneBatch(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		ids := w.verifiedN(t, 3)
		for _, id := range ids {
			start := make(chan struct{})
			var wg sync.WaitGroup
			batches := make([]*Batch, 2)
			errs := make([]error, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					batches[i], errs[i] = w.iss.Issue(bg, w.signer, id)
				}()
			}
			close(start)
			wg.Wait()
			issued := 0
			for i := range 2 {
				if errs[i] != nil {
					// Acceptable only as the conflict the service promises, never a duplicate.
					assertCode(t, errs[i], apperr.CodeConflict)
					continue
				}
				issued += batches[i].Issued
				if len(batches[i].Certificates) != 2 {
					t.Errorf("request %d: goroutine %d sees %d certificates", id, i, len(batches[i].Certificates))
				}
			}
			if issued != 2 {
				t.Errorf("request %d: issued %d in total, want 2", id, issued)
			}
			var n int64
			mustDo(t, w.db.Gorm.Model(&Certificate{}).Where("request_id = ?", id).Count(&n).Error)
			if n != 2 {
				t.Errorf("request %d: %d certificates stored, want 2", id, n)
			}
		}
		w.assertChain(t)
	})
}

func TestIssueRerunIssuesNothingTwice(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		id := w.verifiedN(t, 1)[0]
		first := w.mustIssue(t, id)
		before := w.state(t)
		for i := range 3 {
			again := w.mustIssue(t, id)
			if again.Issued != 0 || len(again.Certificates) != 2 || again.Certificates[0].ID != first.Certificates[0].ID ||
				again.Certificates[1].Token != first.Certificates[1].Token {
				t.Errorf("re-run %d: %+v", i+1, again)
			}
		}
		if after := w.state(t); after != before {
			t.Errorf("re-runs wrote: %+v → %+v", before, after)
		}
		t.Run("revoked certificate is not issued again", func(t *testing.T) {
			if _, err := w.iss.Revoke(bg, w.signer, first.Certificates[0].ID, ReasonFraud, "Daftar hadir dipalsukan"); err != nil {
				t.Fatal(err)
			}
			again := w.mustIssue(t, id)
			if again.Issued != 0 || len(again.Certificates) != 1 || again.Certificates[0].ID != first.Certificates[1].ID {
				t.Errorf("re-run after revocation: issued %d, %d live; want 0 and the other one", again.Issued, len(again.Certificates))
			}
			if n := w.state(t).Certs; n != 2 {
				t.Errorf("%d certificates, want 2", n)
			}
		})
		t.Run("live certificate unique per activity and holder", func(t *testing.T) {
			// The database itself refuses a second live certificate for the same activity and
			// holder, whatever the code does.
			c := w.cert(t, first.Certificates[1].ID)
			c.ID, c.Number, c.Seq, c.StatusIndex = "ZZZZZZZZZZZZZZZZ", "DUPLIKAT", 999, 999
			err := w.db.Gorm.Create(&c).Error
			if err == nil || !database.IsUniqueViolation(err) {
				t.Errorf("second live certificate: %v, want a unique violation", err)
			}
		})
	})
}

func TestStatusIndexUnique(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		ids := w.verifiedN(t, 2)
		a := w.mustIssue(t, ids[0]).Certificates
		if _, err := w.iss.Reissue(bg, w.signer, a[0].ID, "Perbaikan data"); err != nil {
			t.Fatal(err)
		}
		w.mustIssue(t, ids[1])
		seen := map[int64]bool{}
		for _, c := range w.certs(t) {
			if seen[c.StatusIndex] || c.StatusIndex < 1 || c.StatusIndex > 5 {
				t.Errorf("status index %d repeated or out of 1..5", c.StatusIndex)
			}
			seen[c.StatusIndex] = true
		}
		if len(seen) != 5 {
			t.Errorf("%d status indexes, want 5 (2 + 1 re-issue + 2)", len(seen))
		}
		err := w.db.Gorm.Exec("UPDATE certificates SET status_index = ? WHERE id = ?", a[0].StatusIndex, a[1].ID).Error
		if err == nil || !database.IsUniqueViolation(err) {
			t.Errorf("duplicate status index: %v, want a unique violation", err)
		}
	})
}

// ---- a crash in the middle leaves the whole batch or none ----

func TestIssueCrashLeavesNothing(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w := newIssuanceWorld(t, f)
		id := w.verifiedN(t, 1)[0]
		before := w.state(t)

		t.Run("randomness fails on the second certificate", func(t *testing.T) {
			calls := 0
			iss := w.issuance(IssuanceOptions{Random: func(b []byte) error {
				calls++
				if calls == 2 {
					return errors.New("entropy source failed")
				}
				return w.ids.fill(b)
			}})
			_, err := iss.Issue(bg, w.signer, id)
			assertCode(t, err, apperr.CodeInternal)
			if calls != 2 {
				t.Errorf("random called %d times, want the crash on the 2nd", calls)
			}
			if after := w.state(t); after != before {
				t.Errorf("crash left: %+v → %+v", before, after)
			}
		})
		t.Run("database refuses the second certificate", func(t *testing.T) {
			if w.db.Dialect == database.Postgres {
				mustDo(t, w.db.Gorm.Exec(`CREATE FUNCTION test_fail_second() RETURNS trigger LANGUAGE plpgsql AS $$
					BEGIN IF NEW.seq = 2 THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`).Error)
				mustDo(t, w.db.Gorm.Exec(`CREATE TRIGGER test_fail_second BEFORE INSERT ON certificates
					FOR EACH ROW EXECUTE FUNCTION test_fail_second()`).Error)
			} else {
				mustDo(t, w.db.Gorm.Exec(`CREATE TRIGGER test_fail_second BEFORE INSERT ON certificates WHEN NEW.seq = 2
					BEGIN SELECT RAISE(ABORT, 'injected failure'); END`).Error)
			}
			_, err := w.iss.Issue(bg, w.signer, id)
			assertCode(t, err, apperr.CodeInternal)
			if after := w.state(t); after != before {
				t.Errorf("crash left: %+v → %+v", before, after)
			}
			if w.db.Dialect == database.Postgres {
				mustDo(t, w.db.Gorm.Exec("DROP TRIGGER test_fail_second ON certificates").Error)
			} else {
				mustDo(t, w.db.Gorm.Exec("DROP TRIGGER test_fail_second").Error)
			}
		})
		t.Run("log append fails after the certificates are written", func(t *testing.T) {
			// Take the next log row's place in the chain: the unique prev_hash index then
			// refuses the batch's log entries, after its certificates were inserted.
			squatter := LogEntry{At: w.db.Now(), Action: "test.squat", PrevHash: "squat", Hash: "squat"}
			mustDo(t, w.db.Gorm.Create(&squatter).Error)
			_, err := w.iss.Issue(bg, w.signer, id)
			if err == nil {
				t.Fatal("issue succeeded with a broken log")
			}
			if after := w.state(t); after.Certs != 0 || after.Counters != before.Counters {
				t.Errorf("crash left: %+v → %+v", before, after)
			}
			dropLogTriggers(t, w.db)
			mustDo(t, w.db.Gorm.Exec("DELETE FROM issuance_log WHERE id = ?", squatter.ID).Error)
			if _, brk, _ := VerifyLog(bg, w.db); brk != nil {
				t.Fatalf("chain after removing the squatter: %+v", brk)
			}
		})
		t.Run("signing key file missing", func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join(w.keyDir, "signing-*.pem"))
			if len(files) != 1 {
				t.Fatalf("key files %v", files)
			}
			moved := files[0] + ".away"
			mustDo(t, os.Rename(files[0], moved))
			_, err := w.iss.Issue(bg, w.signer, id)
			assertCode(t, err, apperr.CodeInternal)
			if after := w.state(t); after.Certs != 0 || after.Counters != before.Counters {
				t.Errorf("missing key left: %+v → %+v", before, after)
			}
			mustDo(t, os.Rename(moved, files[0]))
		})
		t.Run("healthy run takes the first numbers", func(t *testing.T) {
			b := w.mustIssue(t, id)
			if b.Issued != 2 || b.Certificates[0].Seq != 1 || b.Certificates[1].Seq != 2 || b.Certificates[0].StatusIndex != 1 {
				t.Errorf("batch after the crashes: %+v", b)
			}
			w.assertChain(t)
		})
	})
}

// dropLogTriggers removes the issuance log's append-only triggers, to simulate tampering by
// someone with direct database access.
func dropLogTriggers(t testing.TB, db *database.DB) {
	t.Helper()
	if db.Dialect == database.Postgres {
		mustDo(t, db.Gorm.Exec("DROP TRIGGER IF EXISTS issuance_log_append_only ON issuance_log").Error)
		return
	}
	mustDo(t, db.Gorm.Exec("DROP TRIGGER IF EXISTS issuance_log_no_update").Error)
	mustDo(t, db.Gorm.Exec("DROP TRIGGER IF EXISTS issuance_log_no_delete").Error)
}
