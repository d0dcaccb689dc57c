package web

import (
	"context"
	"crypto/ed25519"
	"errors"
	"syscall"

	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/valyala/fasthttp"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/issuer"
	"github.com/sertika/sertika/verifier"
)

// Benchmarks of the public verification's hot path, without sockets (tools/loadtest measures
// the whole thing over HTTP; docs/performance.md has the figures and the commands):
//
//	go test ./web -run XXX -bench Verify -benchmem -cpu 1,2
//
// BenchmarkVerifyRawJWT is the floor: golang-jwt parsing and verifying the token.
// BenchmarkVerifyHandler is GET /api/v1/verify through the whole Fiber stack (middleware,
// rate limit, verification with the status from memory, JSON), fed a fasthttp request
// directly; the gap between the two is what the server adds. BenchmarkVerifyPage is the HTML
// page GET /v/{token}. No benchmark asserts a time.

// benchVerify is a server with certificates of sample request 1, issued through the
// services: nipA1's and nipA2's.
type benchVerify struct {
	ts     *testServer
	tokens []string
	short  string
}

func newBenchVerify(b *testing.B) *benchVerify {
	b.Helper()
	clock := &fakeClock{now: time.Now().UTC().Truncate(time.Second)}
	ts := newTestServer(b, testdb.NewWithClock(b, database.SQLite, clock.Now))
	ctx := context.Background()
	if err := ts.db.Gorm.Exec(`INSERT INTO agency (id, name, bkpsdm_name, city, head_name, head_nip, head_title, head_rank, issuer_code, updated_at)
		VALUES (1, 'Pemerintah Kota Tidore Kepulauan', 'BKPSDM Kota Tidore Kepulauan', 'Tidore', 'Drs. H. Abdullah Kasim, M.Si.',
		'196608011988031001', 'Kepala BKPSDM Kota Tidore Kepulauan', 'Pembina Utama Muda (IV/c)', 'TIDORE', ?)`, ts.db.Now()).Error; err != nil {
		b.Fatal(err)
	}
	actor := func(name string) domain.Actor {
		var u domain.User
		if err := ts.db.Gorm.Where("username = ?", name).Take(&u).Error; err != nil {
			b.Fatal(err)
		}
		return u.Actor()
	}
	rev, opd := actor(testUsers[domain.RoleVerifikator]), actor(testUsers[domain.RoleOPD])
	if _, err := ts.srv.Requests.Approve(ctx, rev, 1, ""); err != nil {
		b.Fatal(err)
	}
	clock.Advance(30 * 24 * time.Hour)
	jp := 24
	if _, err := ts.srv.Requests.SubmitReport(ctx, opd, 1, issuer.ReportInput{Participants: []issuer.ReportRow{
		{NIP: nipA1, Attended: true, Passed: true, JP: &jp}, {NIP: nipA2, Attended: true, Passed: true, JP: &jp}}}); err != nil {
		b.Fatal(err)
	}
	if _, err := ts.srv.Requests.VerifyReport(ctx, rev, 1, ""); err != nil {
		b.Fatal(err)
	}
	batch, err := ts.srv.Issuance.Issue(ctx, actor(testUsers[domain.RolePenandatangan]), 1)
	if err != nil {
		b.Fatal(err)
	}
	bv := &benchVerify{ts: ts}
	for _, c := range batch.Certificates {
		bv.tokens = append(bv.tokens, c.Token)
	}
	if bv.short, err = verifier.Short(bv.tokens[0]); err != nil {
		b.Fatal(err)
	}
	ts.srv.SetVerifyRateLimit(1 << 30)
	return bv
}

// benchCPU reports the process's CPU time (user + system, getrusage) per operation from
// start: on a shared machine the fairer figure than the wall clock, which also counts the
// time other processes hold the cores. With -cpu 2 it is the CPU of both cores together.
func benchCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(benchCPUTime()-start)/float64(b.N), "cpu-ns/op")
}

func benchCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkVerifyRawJWT(b *testing.B) {
	bv := newBenchVerify(b)
	set, err := bv.ts.srv.Keys.JWKS(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	pub, _ := set.Keys[0].Public()
	keyFunc := func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid == set.Keys[0].KID {
			return ed25519.PublicKey(pub), nil
		}
		return nil, errors.New("unknown kid")
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"EdDSA"}), jwt.WithoutClaimsValidation())
	b.ReportAllocs()
	b.ResetTimer()
	defer benchCPU(b, benchCPUTime())
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			var c verifier.Claims
			if _, err := parser.ParseWithClaims(bv.tokens[i%len(bv.tokens)], &c, keyFunc); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// benchConn serves requests through the app's handler on one reused fasthttp.RequestCtx, as
// the server reuses its request contexts (a fresh one per request would add allocations the
// server never makes).
type benchConn struct {
	h   fasthttp.RequestHandler
	ctx fasthttp.RequestCtx
}

// do serves one request and checks the status.
func (bc *benchConn) do(b *testing.B, uri string, accept string) {
	ctx := &bc.ctx
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.ResetUserValues()
	ctx.Request.SetRequestURI(uri)
	ctx.Request.Header.Set("Accept", accept)
	bc.h(ctx)
	if ctx.Response.StatusCode() != 200 {
		b.Fatalf("%s: %d %s", uri, ctx.Response.StatusCode(), ctx.Response.Body())
	}
}

func BenchmarkVerifyHandler(b *testing.B) {
	bv := newBenchVerify(b)
	h := bv.ts.srv.App.Handler()
	uris := make([]string, len(bv.tokens))
	for i, t := range bv.tokens {
		uris[i] = "/api/v1/verify?token=" + t
	}
	(&benchConn{h: h}).do(b, uris[0], "application/json") // warm the caches
	b.ReportAllocs()
	b.ResetTimer()
	defer benchCPU(b, benchCPUTime())
	b.RunParallel(func(pb *testing.PB) {
		bc := &benchConn{h: h}
		i := 0
		for pb.Next() {
			bc.do(b, uris[i%len(uris)], "application/json")
			i++
		}
	})
}

func BenchmarkVerifyPage(b *testing.B) {
	bv := newBenchVerify(b)
	h := bv.ts.srv.App.Handler()
	uri := "/v/" + bv.short
	bc := &benchConn{h: h}
	bc.do(b, uri, "text/html")
	b.ReportAllocs()
	b.ResetTimer()
	defer benchCPU(b, benchCPUTime())
	for i := 0; i < b.N; i++ {
		bc.do(b, uri, "text/html")
	}
}

// BenchmarkVerifyStatusLookup is the status cache alone: what replaced a database query.
func BenchmarkVerifyStatusLookup(b *testing.B) {
	bv := newBenchVerify(b)
	var c verifier.Claims
	if _, _, err := jwt.NewParser().ParseUnverified(bv.tokens[0], &c); err != nil {
		b.Fatal(err)
	}
	cache := bv.ts.srv.statusCache()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, st, err := cache.Lookup(ctx, c.ID); err != nil || !st.Found {
				b.Errorf("lookup: %+v %v", st, err)
				return
			}
		}
	})
}
