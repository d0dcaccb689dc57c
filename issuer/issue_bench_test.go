package issuer

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/document"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/internal/qr"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/scoring"
	"github.com/sertika/sertika/verifier"
)

// benchBatch prepares a verified request with n participants who attended and passed, on a
// fresh database, using set-based inserts (the workflow itself is tested elsewhere).
func benchBatch(b testing.TB, dialect string, n int, withScores bool) (*fixture, *Issuance, *keys.Store, int64) {
	b.Helper()
	f := newFixture(b, dialect)
	ctx := context.Background()
	db := f.db.Gorm
	mustDo(b, db.Exec(`INSERT INTO agency (id, name, bkpsdm_name, city, head_name, head_nip, head_title, head_rank, issuer_code, updated_at)
		VALUES (1, 'Pemerintah Kota Tidore Kepulauan', 'BKPSDM Kota Tidore Kepulauan', 'Tidore', 'Drs. H. Abdullah Kasim, M.Si.',
		'196608011988031001', 'Kepala BKPSDM Kota Tidore Kepulauan', 'Pembina Utama Muda (IV/c)', 'TIDORE', ?)`, f.db.Now()).Error)
	emps := make([]domain.Employee, n)
	for i := range emps {
		// Valid NIPs: born 1970-01-01 + (i mod 2900) days, appointed 1995-01, sequence 1 + i/2900.
		born := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%2900)
		emps[i] = domain.Employee{NIP: fmt.Sprintf("%s1995011%03d", born.Format("20060102"), 1+i/2900),
			Name: fmt.Sprintf("Pegawai Uji %05d", i), Status: "PNS", OPDID: f.opdA.ID, PositionKind: "pelaksana",
			Position: "Pengelola Data", Active: true, CreatedAt: f.db.Now(), UpdatedAt: f.db.Now()}
	}
	mustDo(b, db.CreateInBatches(emps, 500).Error)
	now := f.db.Now()
	r := Request{OPDID: f.opdA.ID, Title: "Pelatihan Jarak Jauh Literasi Digital ASN", Kind: "jarak_jauh", Classroom: false,
		OrganizerType: "bkpsdm", Online: true, StartDate: domain.NewDate(2026, 2, 2), EndDate: domain.NewDate(2026, 2, 6), JP: 40,
		State: StateVerified, Version: 9, CreatedAt: now, UpdatedAt: now, ReportVerifiedBy: userRef(f.rev)}
	num := "800.1/0001/BKPSDM/2026"
	r.RecommendationNumber = &num
	mustDo(b, db.Omit("OPD").Create(&r).Error)
	mustDo(b, db.Exec(`INSERT INTO dev_request_participants (request_id, employee_id, planned, dropped, change_reason, attended, passed, score, jp_actual)
		SELECT ?, id, ?, ?, '', ?, ?, '', 40 FROM employees WHERE name LIKE 'Pegawai Uji %'`, r.ID, true, false, true, true).Error)
	ks := keys.NewStore(f.db, b.TempDir(), keys.Options{Random: bytes.NewReader(bytes.Repeat([]byte{9}, 64))})
	if _, err := ks.Generate(ctx, false, nil); err != nil {
		b.Fatal(err)
	}
	opt := IssuanceOptions{PublicURL: "https://sertifikat.bkpsdm.tidorekepulauankota.go.id", QRBudget: qr.CheckBudget}
	if withScores {
		opt.Scores = scoring.NewStore(f.db, nil)
	}
	iss := NewIssuance(f.db, ks, opt)
	return f, iss, ks, r.ID
}

// BenchmarkIssueBatch issues a batch of 10,000 certificates (checks, numbering, signing,
// storing, hash-chained log; with "scores", also the holders' IP ASN rescoring in the same
// transaction, as the server does) and, in the same run, measures the floor: signing the
// same claims and bulk-inserting the same rows. Run on PostgreSQL:
//
//	go test ./issuer -run XXX -bench 'IssueBatch/postgres' -benchtime 1x -count 5
func BenchmarkIssueBatch(b *testing.B) {
	const n = 10000
	for _, dialect := range testdb.Dialects() {
		for _, withScores := range []bool{false, true} {
			name := dialect + "/plain"
			if withScores {
				name = dialect + "/scores"
			}
			b.Run(name, func(b *testing.B) { benchIssueBatch(b, dialect, n, withScores) })
		}
	}
}

func benchIssueBatch(b *testing.B, dialect string, n int, withScores bool) {
	ctx := context.Background()
	var issueTotal, floorTotal time.Duration
	// Where the time goes: the progress callback's phase changes, summed over the runs.
	phases := map[string]time.Duration{}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f, iss, ks, id := benchBatch(b, dialect, n, withScores)
		phase, phaseStart := "", time.Time{}
		progress := func(p string, done, total int) {
			if p != phase {
				now := time.Now()
				if phase != "" {
					phases[phase] += now.Sub(phaseStart)
				}
				phase, phaseStart = p, now
			}
		}
		b.StartTimer()
		start := time.Now()
		batch, err := iss.IssueWith(ctx, f.signer, id, IssueOptions{Progress: progress})
		issueTotal += time.Since(start)
		phases[phase] += time.Since(phaseStart)
		if err != nil {
			b.Fatal(err)
		}
		if batch.Issued != n {
			b.Fatalf("issued %d, want %d", batch.Issued, n)
		}
		// The floor: sign the same claims and insert the same rows into a fresh table.
		b.StopTimer()
		mustDo(b, f.db.Gorm.Exec("CREATE TABLE floor_certificates AS SELECT * FROM certificates WHERE 1 = 0").Error)
		key, _ := ks.Active(ctx, f.db.Gorm)
		signer, err := ks.Signer(ctx, key)
		if err != nil {
			b.Fatal(err)
		}
		rows := batch.Certificates
		b.StartTimer()
		start = time.Now()
		for j := range rows {
			tok, err := verifier.Sign(rows[j].claims(), rows[j].KID, signer)
			if err != nil {
				b.Fatal(err)
			}
			rows[j].Token = tok
		}
		size := 1000
		if f.db.Dialect == database.SQLite {
			size = 200
		}
		if err := f.db.Gorm.Table("floor_certificates").CreateInBatches(rows, size).Error; err != nil {
			b.Fatal(err)
		}
		floorTotal += time.Since(start)
	}
	b.ReportMetric(float64(n*b.N)/issueTotal.Seconds(), "certs/s")
	b.ReportMetric(float64(n*b.N)/floorTotal.Seconds(), "floor-certs/s")
	b.ReportMetric(issueTotal.Seconds()/floorTotal.Seconds(), "x-floor")
	for _, p := range []string{PhaseChecks, PhaseSigning, PhaseStoring, PhaseLog, PhaseScores} {
		if d, ok := phases[p]; ok {
			b.ReportMetric(float64(d.Milliseconds())/float64(b.N), p+"-ms")
		}
	}
}

// BenchmarkWriteZip renders the PDFs of 1,000 issued certificates into one ZIP (WriteZip on
// every core, as the ZIP job, the streamed download and `sertika certificates zip` do):
//
//	go test ./issuer -run XXX -bench WriteZip -benchtime 3x
func BenchmarkWriteZip(b *testing.B) {
	const n = 1000
	f, iss, _, id := benchBatch(b, database.SQLite, n, false)
	batch, err := iss.Issue(context.Background(), f.signer, id)
	if err != nil {
		b.Fatal(err)
	}
	renderer, err := document.NewCertificateRenderer()
	if err != nil {
		b.Fatal(err)
	}
	ag := domain.Agency{Name: "Pemerintah Kota Tidore Kepulauan", BKPSDMName: "BKPSDM Kota Tidore Kepulauan", City: "Tidore"}
	var size countingWriter
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		size = 0
		err := WriteZip(context.Background(), &size, batch.Certificates, func(c *Certificate) ([]byte, error) {
			return renderer.Render(iss.PDFData(c, ag))
		}, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "pdf/s")
	b.ReportMetric(float64(size)/n/1024, "KB/pdf")
}

// countingWriter counts the bytes written to it.
type countingWriter int64

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
