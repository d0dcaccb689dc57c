package issuer

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/verifier"
)

// issuanceFixture drives a request to verified and returns an Issuance with a fresh key.
func issuanceFixture(t *testing.T, f *fixture) (*Issuance, *keys.Store, int64) {
	t.Helper()
	ctx := context.Background()
	mustDo(t, f.db.Gorm.Exec(`INSERT INTO agency (id, name, bkpsdm_name, city, head_name, head_nip, head_title, head_rank, issuer_code, updated_at)
		VALUES (1, 'Pemerintah Kota Tidore Kepulauan', 'BKPSDM Kota Tidore Kepulauan', 'Tidore', 'Drs. H. Abdullah Kasim, M.Si.',
		'196608011988031001', 'Kepala BKPSDM Kota Tidore Kepulauan', 'Pembina Utama Muda (IV/c)', 'TIDORE', ?)`, f.db.Now()).Error)
	ks := keys.NewStore(f.db, t.TempDir(), keys.Options{Random: bytes.NewReader(bytes.Repeat([]byte{7}, 64))})
	if _, err := ks.Generate(ctx, false, KeyEventLogger(f.db, f.signer)); err != nil {
		t.Fatal(err)
	}
	d := f.mustCreate(t)
	id := d.Request.ID
	mustDetail(t)(f.svc.Submit(ctx, f.opdUser, id, ""))
	mustDetail(t)(f.svc.Approve(ctx, f.rev, id, ""))
	f.clock.Add(15 * 24 * time.Hour) // the activity is over
	mustDetail(t)(f.svc.SubmitReport(ctx, f.opdUser, id, ReportInput{Participants: []ReportRow{
		{NIP: nipA1, Attended: true, Passed: true}, {NIP: nipA2, Attended: true, Passed: false}}}))
	mustDetail(t)(f.svc.VerifyReport(ctx, f.rev, id, ""))
	n := byte(0)
	iss := NewIssuance(f.db, ks, IssuanceOptions{PublicURL: "https://sertika.example.go.id", Random: func(b []byte) error {
		for i := range b {
			n++
			b[i] = n
		}
		return nil
	}})
	return iss, ks, id
}

func TestIssueSmoke(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		iss, ks, id := issuanceFixture(t, f)
		b, err := iss.Issue(ctx, f.signer, id)
		if err != nil {
			t.Fatal(err)
		}
		if b.Issued != 1 || len(b.Certificates) != 1 || b.Certificates[0].NIP != nipA1 {
			t.Fatalf("batch = %+v", b)
		}
		again, err := iss.Issue(ctx, f.signer, id)
		if err != nil || again.Issued != 0 || len(again.Certificates) != 1 {
			t.Fatalf("re-run = %+v, %v", again, err)
		}
		c := b.Certificates[0]
		set, _ := ks.JWKS(ctx)
		res := verifier.Verify(ctx, iss.VerifyURL(&c), set, iss)
		if res.Status != verifier.StatusValid {
			t.Fatalf("verify = %+v", res)
		}
		if _, err := iss.Revoke(ctx, f.signer, c.ID, ReasonIssuedInError, "salah peserta"); err != nil {
			t.Fatal(err)
		}
		if res := verifier.Verify(ctx, c.Token, set, iss); res.Status != verifier.StatusRevoked {
			t.Fatalf("after revoke = %s", res.Status)
		}
		n, brk, err := VerifyLog(ctx, f.db)
		if err != nil || brk != nil || n < 3 {
			t.Fatalf("log: %d %+v %v", n, brk, err)
		}
		t.Logf("number %s, url %s", c.Number, iss.VerifyURL(&c))
	})
}
