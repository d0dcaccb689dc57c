package issuer

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/scoring"
)

// progressCall is one call of IssueOptions.Progress.
type progressCall struct {
	phase       string
	done, total int
}

// progressLog records the calls of a progress callback and notices overlapping calls.
type progressLog struct {
	calls   []progressCall
	inside  atomic.Int32
	overlap atomic.Bool
}

func (l *progressLog) fn(phase string, done, total int) {
	if l.inside.Add(1) != 1 {
		l.overlap.Store(true)
	}
	l.calls = append(l.calls, progressCall{phase, done, total})
	l.inside.Add(-1)
}

// phases checks the calls phase by phase: each phase starts at 0 and ends at its total,
// done never decreases, the phases come in order; it returns each phase's final total.
func (l *progressLog) phases(t *testing.T) ([]string, map[string]int) {
	t.Helper()
	if l.overlap.Load() {
		t.Error("progress calls overlapped")
	}
	var order []string
	totals := map[string]int{}
	for i, c := range l.calls {
		if i == 0 || c.phase != l.calls[i-1].phase {
			if c.done != 0 {
				t.Errorf("phase %s starts at %d, want 0", c.phase, c.done)
			}
			if totals[c.phase] != 0 || (len(order) > 0 && slicesContains(order, c.phase)) {
				t.Errorf("phase %s reported twice: %v", c.phase, l.calls)
			}
			order = append(order, c.phase)
		} else if prev := l.calls[i-1]; c.done < prev.done {
			t.Errorf("phase %s goes back from %d to %d", c.phase, prev.done, c.done)
		}
		if c.done > c.total {
			t.Errorf("phase %s: done %d > total %d", c.phase, c.done, c.total)
		}
		totals[c.phase] = c.total
	}
	for i, c := range l.calls {
		if last := i == len(l.calls)-1 || l.calls[i+1].phase != c.phase; last && c.done != c.total {
			t.Errorf("phase %s ends at %d of %d", c.phase, c.done, c.total)
		}
	}
	return order, totals
}

func slicesContains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// TestIssueProgress issues a batch of 2,100 (several signing chunks, COPY progress steps on
// PostgreSQL, several INSERT chunks on SQLite) with and without the scoring store, and
// checks the phases reported: in order, each from 0 to its total, the totals right. A re-run
// reports the checks only; a refused batch no more than their start.
func TestIssueProgress(t *testing.T) {
	const n = 2100
	for _, dialect := range testdb.Dialects() {
		for _, withScores := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/scores=%v", dialect, withScores), func(t *testing.T) {
				f, iss, _, id := benchBatch(t, dialect, n, withScores)
				var log progressLog
				b, err := iss.IssueWith(bg, f.signer, id, IssueOptions{Progress: log.fn})
				if err != nil {
					t.Fatal(err)
				}
				if b.Issued != n || len(b.Certificates) != n {
					t.Fatalf("issued %d, %d certificates", b.Issued, len(b.Certificates))
				}
				order, totals := log.phases(t)
				want := []string{PhaseChecks, PhaseSigning, PhaseStoring, PhaseLog}
				if withScores {
					want = append(want, PhaseScores)
				}
				if strings.Join(order, " ") != strings.Join(want, " ") {
					t.Errorf("phases %v, want %v", order, want)
				}
				for _, p := range want {
					if totals[p] != n {
						t.Errorf("phase %s total %d, want %d", p, totals[p], n)
					}
				}
				if first := log.calls[0]; first != (progressCall{PhaseChecks, 0, 0}) {
					t.Errorf("first call %+v, want the checks with an unknown total", first)
				}
				if len(log.calls) < 20 {
					t.Errorf("only %d progress calls for %d certificates: %v", len(log.calls), n, log.calls)
				}

				// What was stored is what was answered (COPY on PostgreSQL), and the chain holds.
				var stored []Certificate
				mustDo(t, f.db.Gorm.Where("request_id = ?", id).Order("seq").Find(&stored).Error)
				if len(stored) != n {
					t.Fatalf("%d stored", len(stored))
				}
				for i := range stored {
					got, want := stored[i], b.Certificates[i]
					if got.ID != want.ID || got.Number != want.Number || got.Token != want.Token || got.Digest != want.Digest ||
						ComputeDigest(&got) != got.Digest || !got.IssuedAt.Equal(want.IssuedAt) || !got.CreatedAt.Equal(want.CreatedAt) ||
						got.StartDate.String() != want.StartDate.String() || *got.SignerID != *want.SignerID || got.Replaces != nil ||
						got.RevokedAt != nil || got.State != CertValid || got.StatusIndex != want.StatusIndex {
						t.Fatalf("certificate %d stored as %+v, issued as %+v", i, got, want)
					}
				}
				entries, brk, err := VerifyLog(bg, f.db)
				if err != nil || brk != nil || entries != n {
					t.Fatalf("VerifyLog = %d, %+v, %v", entries, brk, err)
				}
				var last LogEntry
				mustDo(t, f.db.Gorm.Order("id DESC").Take(&last).Error)
				c := b.Certificates[n-1]
				wantDetail := fmt.Sprintf(`{"digest":%q,"kid":%q,"nip":%q,"number":%q,"request":%d}`, c.Digest, c.KID, c.NIP, c.Number, id)
				if last.Object != "certificate:"+c.ID || last.Detail != wantDetail || *last.UserID != f.signer.UserID ||
					last.Username != "kepala" || last.Action != "certificate.issue" {
					t.Errorf("last log entry %+v, want %s for %s", last, wantDetail, c.ID)
				}
				if withScores {
					var scored int64
					mustDo(t, f.db.Gorm.Raw("SELECT count(*) FROM scores WHERE year = ?", f.db.Now().Year()).Scan(&scored).Error)
					if scored != n {
						t.Errorf("%d scores stored, want %d", scored, n)
					}
				}

				// A re-run: the checks only, nothing issued.
				log = progressLog{}
				if b, err := iss.IssueWith(bg, f.signer, id, IssueOptions{Progress: log.fn}); err != nil || b.Issued != 0 {
					t.Fatalf("re-run: %v %+v", err, b)
				}
				if order, totals := log.phases(t); len(order) != 1 || order[0] != PhaseChecks || totals[PhaseChecks] != n {
					t.Errorf("re-run phases %v %v", order, totals)
				}

				// A refused batch: the checks start, nothing more.
				mustDo(t, f.db.Gorm.Exec("UPDATE agency SET head_name = '' WHERE id = 1").Error)
				log = progressLog{}
				_, err = iss.IssueWith(bg, f.signer, id, IssueOptions{Progress: log.fn})
				assertCode(t, err, apperr.CodeInvalid)
				if len(log.calls) != 1 || log.calls[0] != (progressCall{PhaseChecks, 0, 0}) {
					t.Errorf("refused batch reported %v", log.calls)
				}
			})
		}
	}
}

// TestIssueScoresInTransaction shows that the rescore runs in the issuing transaction: a
// scoring store that fails rolls the whole batch back.
func TestIssueScoresInTransaction(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			f, _, ks, id := benchBatch(t, dialect, 10, false)
			iss := NewIssuance(f.db, ks, IssuanceOptions{PublicURL: testPublicURL, Scores: failingRescorer{}})
			_, err := iss.Issue(bg, f.signer, id)
			assertCode(t, err, apperr.CodeInternal)
			var certs, logs int64
			f.db.Gorm.Model(&Certificate{}).Count(&certs)
			f.db.Gorm.Model(&LogEntry{}).Count(&logs)
			if certs != 0 || logs != 0 {
				t.Errorf("a failed rescore left %d certificates, %d log entries", certs, logs)
			}
			// With the real store it goes through.
			iss = NewIssuance(f.db, ks, IssuanceOptions{PublicURL: testPublicURL, Scores: scoring.NewStore(f.db, nil)})
			if b, err := iss.Issue(bg, f.signer, id); err != nil || b.Issued != 10 {
				t.Fatalf("issue: %v %+v", err, b)
			}
		})
	}
}

type failingRescorer struct{}

func (failingRescorer) RescoreAffected(context.Context, *gorm.DB, []int64) error {
	return errors.New("scores table unavailable")
}

// TestNumberFormatter checks the quick certificate numbering against FormatNumber.
func TestNumberFormatter(t *testing.T) {
	day := domain.NewDate(2026, 3, 2)
	for _, pattern := range []string{DefaultCertificatePattern, "{seq}", "SERT-{seq:6}/{opd}/{roman}/{year}", "{year}.{month}.{seq:1}",
		"A{seq}B{seq:2}C", "{opd}-{seq:9}", "{seq:4}{seq}", "{seq}{seq}"} {
		fast, err := numberFormatter(pattern, day, "DISDIK", 1, 123456)
		if err != nil {
			t.Errorf("%s: %v", pattern, err)
			continue
		}
		for _, seq := range []int{1, 9, 10, 999, 1000, 9999, 10000, 123456} {
			want, _ := FormatNumber(pattern, seq, day, "DISDIK")
			if got := fast(seq); got != want {
				t.Errorf("%s, %d: %q, want %q", pattern, seq, got, want)
			}
		}
	}
	if _, err := numberFormatter("tanpa nomor", day, "DISDIK", 1, 2); err == nil {
		t.Error("a pattern without {seq} was accepted")
	}
}

// TestEntryHashKnownAnswer pins the log's hash function: rewritten for speed, it must give
// the hashes entries already carry.
func TestEntryHashKnownAnswer(t *testing.T) {
	uid := int64(7)
	e := LogEntry{PrevHash: genesis, UserID: &uid, Username: "kepala", Action: "certificate.issue",
		Object: "certificate:ABCDEFGHIJKLMNOP", Detail: `{"digest":"X","kid":"K","nip":"1","number":"N","request":1}`}
	mustDo(t, json.Unmarshal([]byte(`"2026-03-02T03:00:00.123456Z"`), &e.At))
	const want = "eb8baf09657a26d007aa99255cb3f17f830fb845dbe9f2c51f1372072df65369" // the hash before the rewrite
	if got := EntryHash(&e); got != want {
		t.Errorf("EntryHash = %s, want %s", got, want)
	}
}

// failingSigner signs like inner until after signatures were made, then fails.
type failingSigner struct {
	inner crypto.Signer
	after int64
	n     atomic.Int64
}

func (s *failingSigner) Public() crypto.PublicKey { return s.inner.Public() }

func (s *failingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if s.n.Add(1) > s.after {
		return nil, errors.New("hardware token removed")
	}
	return s.inner.Sign(r, digest, opts)
}

// TestIssueSigningFailsWhileStoring makes signing fail halfway through a batch whose rows
// are already streaming into the database: the store stops, the transaction rolls back,
// the workers end.
func TestIssueSigningFailsWhileStoring(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			f, iss, ks, id := benchBatch(t, dialect, 700, false)
			key, err := ks.Active(bg, f.db.Gorm)
			mustDo(t, err)
			good, err := ks.Signer(bg, key)
			mustDo(t, err)
			signer := &failingSigner{inner: good, after: 300}
			err = iss.issueTx(bg, func(tx *gorm.DB, bulk copyFunc) error {
				var r Request
				mustDo(t, tx.Where("id = ?", id).Take(&r).Error)
				ag, rows, err := loadBatch(tx, id)
				mustDo(t, err)
				certs, err := iss.newBatch(tx, f.signer, &r, ag, rows, key.KID, f.db.Now())
				mustDo(t, err)
				sg := startSigning(certs, nil, signer, nil, nil)
				defer sg.stop()
				return iss.insertBatch(tx, bulk, certs, sg.wait, nil)
			})
			assertCode(t, err, apperr.CodeInternal)
			if err == nil || !strings.Contains(err.Error(), "hardware token removed") {
				t.Errorf("error %v, want the signer's", err)
			}
			var n int64
			f.db.Gorm.Model(&Certificate{}).Count(&n)
			if n != 0 {
				t.Errorf("%d certificates stored", n)
			}
			if calls := signer.n.Load(); calls > 300+int64(2*signChunk)+2 {
				t.Errorf("the workers went on signing: %d calls", calls)
			}
		})
	}
}
