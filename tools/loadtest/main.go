// Command loadtest measures the public verification, GET /api/v1/verify, against the raw
// cost of what it must do: parsing and verifying the same tokens with golang-jwt.
//
// It builds a real Sertika on a fresh database (a temporary SQLite file, or the PostgreSQL
// database given with -db): the demo agency, one request per OPD taken through the whole
// workflow by the services (create, submit, approve, report, verify), and -n certificates
// issued by the signer; -revoke of them are revoked. It then serves the real web.Server on a
// loopback port and, in the same run:
//
//  1. sends every token once: the cold pass, in which each certificate's record is read from
//     the database once;
//  2. runs -rounds rounds, each of -raw of the raw rate — GOMAXPROCS goroutines parsing and
//     verifying the tokens with golang-jwt (EdDSA pinned, the key looked up by kid), as a
//     verifier library would — then -d of -c connections kept busy with GET /api/v1/verify,
//     cycling over the tokens. Alternating short rounds lets both measurements see the same
//     machine; the ratio is the median of the rounds' ratios. On a shared machine (where
//     other processes take cores away) the ratio per CPU-second of this process is reported
//     too: getrusage's user + system time, server and load generator together;
//  3. measures the verification page: GET /v/{token} time to first byte at one connection,
//     and its size with verify.css.
//
// Every answer is checked (200, and "valid" or "revoked" as issued). The server runs in this
// process, so server and load generator share the machine's cores, as they would on a
// one-machine test. To keep the generator's share small the client is a minimal HTTP/1.1
// client on raw sockets: by default (-client loop, Linux) one event loop over all the
// connections, as wrk does (loop_linux.go); -client goroutines gives each connection its own
// goroutine and net.Conn, as before. Either way each connection has one request in flight at
// a time. Usage:
//
//	go run ./tools/loadtest                       # SQLite, 10,000 certificates, 64 connections
//	go run ./tools/loadtest -db "postgres://…"    # an empty PostgreSQL database
//	go run ./tools/loadtest -short                # send the QR code's short tokens instead
//
// The exit status is 1 when a target is missed (ratio < -min-ratio or p99 > -max-p99) or an
// answer is wrong.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/demo"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/filestore"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/internal/qr"
	"github.com/sertika/sertika/issuer"
	"github.com/sertika/sertika/verifier"
	"github.com/sertika/sertika/web"
)

type options struct {
	db          string
	n           int
	revoke      int
	conns       int
	rounds      int
	duration    time.Duration
	rawDuration time.Duration
	short       bool
	pageN       int
	minRatio    float64
	maxP99      time.Duration
	logRequests bool
	cpuProfile  string
	floor       bool
	client      string
}

// load runs hammer's load with the client chosen by -client.
func (o options) load(addr string, reqs [][]byte, want []string, d time.Duration, total int) result {
	if o.client == "loop" {
		return hammerLoop(addr, reqs, want, o.conns, d, total)
	}
	return hammer(addr, reqs, want, o.conns, d, total)
}

func main() {
	var o options
	flag.StringVar(&o.db, "db", "", "database URL (postgres://… of an empty database); default a temporary SQLite file")
	flag.IntVar(&o.n, "n", 10000, "certificates to issue and verify (distinct tokens)")
	flag.IntVar(&o.revoke, "revoke", 100, "of which to revoke")
	flag.IntVar(&o.conns, "c", 64, "concurrent connections")
	flag.IntVar(&o.rounds, "rounds", 5, "rounds of raw and HTTP measurement, alternating")
	flag.DurationVar(&o.duration, "d", 6*time.Second, "duration of the HTTP measurement in each round")
	flag.DurationVar(&o.rawDuration, "raw", 3*time.Second, "duration of the raw golang-jwt measurement in each round")
	flag.BoolVar(&o.short, "short", false, "send the short tokens of the QR codes instead of the compact JWS")
	flag.IntVar(&o.pageN, "page-n", 500, "requests for the page's time to first byte")
	flag.Float64Var(&o.minRatio, "min-ratio", 0.7, "target: HTTP throughput / raw rate")
	flag.DurationVar(&o.maxP99, "max-p99", 25*time.Millisecond, "target: p99 latency")
	flag.BoolVar(&o.logRequests, "log", false, "write the server's access log to stderr (default: formatted, then discarded)")
	flag.BoolVar(&o.floor, "floor", true, "also measure the HTTP floor: the same load on GET /healthz")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the HTTP measurement to this file")
	defClient := "goroutines"
	if haveLoopClient {
		defClient = "loop"
	}
	flag.StringVar(&o.client, "client", defClient, "load generator: loop (one event loop over all connections, Linux) or goroutines (one per connection)")
	flag.Parse()
	if o.client != "loop" && o.client != "goroutines" {
		fmt.Fprintln(os.Stderr, "loadtest: -client must be loop or goroutines")
		os.Exit(2)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// clock is the database clock: real time, moved a month on once the activities are planned
// so that they are over when reported and signed.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func run(ctx context.Context, o options) error {
	fmt.Printf("loadtest: %s, GOMAXPROCS=%d, %d CPUs, %s\n", runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU(), cpuModel())
	tmp, err := os.MkdirTemp("", "sertika-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dbURL := o.db
	if dbURL == "" {
		dbURL = database.SQLiteURL(tmp)
	}
	clk := &clock{}
	db, err := database.Open(ctx, dbURL, database.Options{Now: clk.Now})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	fmt.Printf("database: %s\n", db.Dialect)

	start := time.Now()
	fx, err := setup(ctx, db, clk, tmp, o)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	nRevoked := 0
	for _, r := range fx.revoked {
		if r {
			nRevoked++
		}
	}
	fmt.Printf("setup: %d certificates issued (%d revoked) in %s\n", len(fx.tokens), nRevoked, time.Since(start).Round(time.Second))

	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if o.logRequests {
		logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	srv, err := web.New(web.Deps{DB: db, Accounts: fx.acc, Directory: fx.dir, Requests: fx.req, Issuance: fx.iss, Keys: fx.ks,
		Logger: logger, PublicURL: "https://sertifikat.example.go.id", Version: "loadtest"})
	if err != nil {
		return err
	}
	srv.SetVerifyRateLimit(1 << 30) // every request comes from 127.0.0.1
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = srv.App.Listener(ln) }()
	defer srv.Shutdown(context.Background())
	addr := ln.Addr().String()

	// What each request sends, and what it must answer.
	sent := make([]string, len(fx.tokens))
	for i, t := range fx.tokens {
		sent[i] = t
		if o.short {
			if sent[i], err = verifier.Short(t); err != nil {
				return err
			}
		}
	}
	want := make([]string, len(fx.tokens))
	for i := range want {
		want[i] = `"status":"valid"`
		if fx.revoked[i] {
			want[i] = `"status":"revoked"`
		}
	}
	reqs := make([][]byte, len(sent))
	for i, t := range sent {
		reqs[i] = []byte("GET /api/v1/verify?token=" + url.QueryEscape(t) + " HTTP/1.1\r\nHost: loadtest\r\nAccept: application/json\r\n\r\n")
	}

	// 1. The cold pass: every record is read from the database once.
	cold := o.load(addr, reqs, want, 0, len(reqs))
	if cold.errors > 0 {
		return fmt.Errorf("cold pass: %d wrong answers; first: %s", cold.errors, cold.firstError)
	}
	fmt.Printf("cold pass (every record read once): %d requests in %s, %.0f requests/s\n", cold.n, cold.elapsed.Round(time.Millisecond), cold.rate())

	// 2. Rounds of raw rate and HTTP load, alternating, so that both see the same machine.
	var prof *os.File
	if o.cpuProfile != "" {
		if prof, err = os.Create(o.cpuProfile); err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(prof); err != nil {
			return err
		}
	}
	var (
		all               result
		wallRatios        []float64
		rawN, httpN       float64
		rawCPU, httpCPU   time.Duration
		rawWall, httpWall time.Duration
		httpUser, httpSys time.Duration
	)
	fmt.Printf("%d rounds of %s raw golang-jwt on %d goroutines, then %s of GET /api/v1/verify on %d connections over %d distinct tokens (%s; client: %s):\n",
		o.rounds, o.rawDuration, runtime.GOMAXPROCS(0), o.duration, o.conns, len(sent), map[bool]string{true: "short form", false: "compact JWS"}[o.short], o.client)
	for r := 0; r < o.rounds; r++ {
		c0 := cpuTime()
		raw := rawRate(fx.tokens, fx.set, o.rawDuration)
		c1, u1, s1 := cpuTimes()
		hot := o.load(addr, reqs, want, o.duration, 0)
		c2, u2, s2 := cpuTimes()
		httpUser += u2 - u1
		httpSys += s2 - s1
		if hot.errors > 0 {
			return fmt.Errorf("round %d: %d wrong answers; first: %s", r+1, hot.errors, hot.firstError)
		}
		rawN += raw * o.rawDuration.Seconds()
		rawWall += o.rawDuration
		rawCPU += c1 - c0
		httpN += float64(hot.n)
		httpWall += hot.elapsed
		httpCPU += c2 - c1
		wallRatios = append(wallRatios, hot.rate()/raw)
		all.n += hot.n
		all.latencies = append(all.latencies, hot.latencies...)
		fmt.Printf("  round %d: raw %6.0f tokens/s (CPU %3.0f%%) | HTTP %6.0f requests/s (CPU %3.0f%%), p50 %s p99 %s | ratio %.2f\n",
			r+1, raw, 100*(c1-c0).Seconds()/o.rawDuration.Seconds()/float64(runtime.NumCPU()),
			hot.rate(), 100*(c2-c1).Seconds()/hot.elapsed.Seconds()/float64(runtime.NumCPU()), hot.pct(50), hot.pct(99), hot.rate()/raw)
	}
	if prof != nil {
		pprof.StopCPUProfile()
		prof.Close()
	}
	slices.Sort(all.latencies)
	slices.Sort(wallRatios)
	ratio := wallRatios[len(wallRatios)/2]
	cpuRatio := (httpN / httpCPU.Seconds()) / (rawN / rawCPU.Seconds())
	fmt.Printf("raw golang-jwt parse+verify: %.0f tokens/s wall, %.0f per CPU-second\n", rawN/rawWall.Seconds(), rawN/rawCPU.Seconds())
	fmt.Printf("GET /api/v1/verify: %d requests, %.0f requests/s wall, %.0f per CPU-second (server and load generator together)\n",
		all.n, httpN/httpWall.Seconds(), httpN/httpCPU.Seconds())
	fmt.Printf("CPU per token: raw %.1f µs; per HTTP request %.1f µs (user %.1f, system %.1f; server and load generator)\n",
		rawCPU.Seconds()/rawN*1e6, httpCPU.Seconds()/httpN*1e6, httpUser.Seconds()/httpN*1e6, httpSys.Seconds()/httpN*1e6)
	fmt.Printf("latency over all rounds: p50 %s  p90 %s  p99 %s  max %s\n", all.pct(50), all.pct(90), all.pct(99), all.pct(100))
	fmt.Printf("ratio HTTP / raw: median of rounds %.2f (wall clock), %.2f (per CPU-second); target ≥ %.2f\n", ratio, cpuRatio, o.minRatio)

	// The HTTP floor: the same load on GET /healthz, which does no work, shows what the
	// HTTP stack and the load generator cost by themselves on this machine.
	if o.floor {
		hreq := [][]byte{[]byte("GET /healthz HTTP/1.1\r\nHost: loadtest\r\n\r\n")}
		c0, u0, s0 := cpuTimes()
		h := o.load(addr, hreq, []string{`"status":"ok"`}, o.duration, 0)
		c1, u1, s1 := cpuTimes()
		fmt.Printf("HTTP floor, GET /healthz on %d connections: %.0f requests/s wall, %.1f µs CPU per request (user %.1f, system %.1f), p99 %s\n",
			o.conns, h.rate(), float64((c1-c0).Microseconds())/float64(h.n), float64((u1-u0).Microseconds())/float64(h.n),
			float64((s1-s0).Microseconds())/float64(h.n), h.pct(99))
	}

	// 3. The page.
	valid := slices.Index(fx.revoked, false)
	page, err := measurePage(addr, sent[valid], o.pageN)
	if err != nil {
		return err
	}
	fmt.Printf("GET /v/{token} at 1 connection: first byte p50 %s  p99 %s; HTML %d B + verify.css %d B = %d B\n",
		page.p50, page.p99, page.html, page.css, page.html+page.css)

	var missed []string
	if ratio < o.minRatio {
		missed = append(missed, fmt.Sprintf("ratio %.2f < %.2f", ratio, o.minRatio))
	}
	if p := all.pct(99); p > o.maxP99 {
		missed = append(missed, fmt.Sprintf("p99 %s > %s", p, o.maxP99))
	}
	if len(missed) > 0 {
		return errors.New("target missed: " + strings.Join(missed, "; "))
	}
	fmt.Println("targets met")
	return nil
}

// fixture is the issued certificates and the services behind them.
type fixture struct {
	acc     *account.Service
	dir     *directory.Service
	req     *issuer.Service
	iss     *issuer.Issuance
	ks      *keys.Store
	set     verifier.JWKS
	tokens  []string // compact JWS
	revoked []bool
}

// setup seeds the demo agency and issues o.n certificates through the workflow.
func setup(ctx context.Context, db *database.DB, clk *clock, dir string, o options) (*fixture, error) {
	fx := &fixture{}
	var err error
	fx.acc, err = account.New(db, account.Options{HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1},
		JWTSecret: []byte("loadtest-secret-loadtest-secret-loadtest")})
	if err != nil {
		return nil, err
	}
	fx.dir = directory.New(db)
	if _, err := demo.Seed(ctx, db, fx.acc, fx.dir, demo.Options{Employees: max(demo.MinEmployees, o.n+o.n/20+10)}); err != nil {
		return nil, err
	}
	// The demo agency has no issuer code; certificates need one.
	if err := db.Gorm.Exec("UPDATE agency SET issuer_code = ? WHERE id = 1", "TIDORE").Error; err != nil {
		return nil, err
	}
	files, err := filestore.New(filepath.Join(dir, "uploads"))
	if err != nil {
		return nil, err
	}
	fx.req = issuer.New(db, files, issuer.Options{})
	fx.ks = keys.NewStore(db, filepath.Join(dir, "keys"), keys.Options{})
	if _, err := fx.ks.Generate(ctx, false, nil); err != nil {
		return nil, err
	}
	fx.iss = issuer.NewIssuance(db, fx.ks, issuer.IssuanceOptions{PublicURL: "https://sertifikat.example.go.id", QRBudget: qr.CheckBudget,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	actor := func(username string) (domain.Actor, error) {
		var u domain.User
		if err := db.Gorm.Where("username = ?", username).Take(&u).Error; err != nil {
			return domain.Actor{}, fmt.Errorf("user %s: %w", username, err)
		}
		return u.Actor(), nil
	}
	reviewer, err := actor(demo.UserVerifikator)
	if err != nil {
		return nil, err
	}
	signer, err := actor(demo.UserPenandatangan)
	if err != nil {
		return nil, err
	}

	// Participants: o.n active employees, grouped by OPD.
	var emps []domain.Employee
	if err := db.Gorm.Where("active = ?", true).Order("opd_id, id").Limit(o.n).Find(&emps).Error; err != nil {
		return nil, err
	}
	if len(emps) < o.n {
		return nil, fmt.Errorf("only %d active employees", len(emps))
	}
	byOPD := map[int64][]string{}
	var opdOrder []int64
	for _, e := range emps {
		if _, ok := byOPD[e.OPDID]; !ok {
			opdOrder = append(opdOrder, e.OPDID)
		}
		byOPD[e.OPDID] = append(byOPD[e.OPDID], e.NIP)
	}
	var opds []domain.OPD
	if err := db.Gorm.Find(&opds).Error; err != nil {
		return nil, err
	}
	code := map[int64]string{}
	for _, o := range opds {
		code[o.ID] = o.Code
	}

	today := domain.DateOf(clk.Now().In(time.FixedZone("WIB", 7*3600)))
	startDate := domain.Date{Time: today.AddDate(0, 0, 7)}
	type planned struct {
		id   int64
		opd  domain.Actor
		nips []string
	}
	var plans []planned
	for i, opdID := range opdOrder {
		name := fmt.Sprintf("loadtest.opd%02d", i)
		if _, err := fx.acc.Create(ctx, domain.System, account.UserInput{Username: name, DisplayName: "Operator " + code[opdID],
			Role: domain.RoleOPD, OPDCode: code[opdID], Password: "loadtest-password-1"}); err != nil {
			return nil, fmt.Errorf("OPD user for %s: %w", code[opdID], err)
		}
		a, err := actor(name)
		if err != nil {
			return nil, err
		}
		d, err := fx.req.Create(ctx, a, issuer.RequestInput{Title: "Pelatihan Literasi Digital ASN " + code[opdID], Kind: "teknis",
			Organizer: "bkpsdm", Place: "Aula BKPSDM", StartDate: startDate, EndDate: domain.Date{Time: startDate.AddDate(0, 0, 2)},
			JP: 24, Participants: byOPD[opdID]})
		if err != nil {
			return nil, fmt.Errorf("request of %s: %w", code[opdID], err)
		}
		if _, err := fx.req.Submit(ctx, a, d.Request.ID, ""); err != nil {
			return nil, fmt.Errorf("submit: %w", err)
		}
		if _, err := fx.req.Approve(ctx, reviewer, d.Request.ID, ""); err != nil {
			return nil, fmt.Errorf("approve: %w", err)
		}
		plans = append(plans, planned{d.Request.ID, a, byOPD[opdID]})
	}
	clk.offset.Store(int64(30 * 24 * time.Hour)) // the activities are over
	jp := 24
	for _, p := range plans {
		rows := make([]issuer.ReportRow, len(p.nips))
		for i, n := range p.nips {
			rows[i] = issuer.ReportRow{NIP: n, Attended: true, Passed: true, JP: &jp}
		}
		if _, err := fx.req.SubmitReport(ctx, p.opd, p.id, issuer.ReportInput{Participants: rows}); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		if _, err := fx.req.VerifyReport(ctx, reviewer, p.id, ""); err != nil {
			return nil, fmt.Errorf("verify report: %w", err)
		}
		b, err := fx.iss.Issue(ctx, signer, p.id)
		if err != nil {
			return nil, fmt.Errorf("issue: %w", err)
		}
		for _, c := range b.Certificates {
			fx.tokens = append(fx.tokens, c.Token)
		}
	}
	fx.revoked = make([]bool, len(fx.tokens))
	ids := make([]string, len(fx.tokens))
	for i, t := range fx.tokens {
		var c verifier.Claims
		if _, _, err := jwt.NewParser().ParseUnverified(t, &c); err != nil {
			return nil, err
		}
		ids[i] = c.ID
	}
	// Revoke every (n/revoke)th certificate, spread over the list.
	if o.revoke > 0 {
		step := max(1, len(fx.tokens)/o.revoke)
		for i := step / 2; i < len(fx.tokens) && i/step < o.revoke; i += step {
			if _, err := fx.iss.Revoke(ctx, signer, ids[i], issuer.ReasonWithdrawn, "Uji beban."); err != nil {
				return nil, fmt.Errorf("revoke: %w", err)
			}
			fx.revoked[i] = true
		}
	}
	fx.set, err = fx.ks.JWKS(ctx)
	return fx, err
}

// rawRate verifies the tokens with golang-jwt on GOMAXPROCS goroutines for d and returns
// tokens per second: the floor a verification service cannot go below.
func rawRate(tokens []string, set verifier.JWKS, d time.Duration) float64 {
	keys := map[string]ed25519.PublicKey{}
	for _, k := range set.Keys {
		if pub, err := k.Public(); err == nil {
			keys[k.KID] = pub
		}
	}
	keyFunc := func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := keys[kid]; ok {
			return k, nil
		}
		return nil, errors.New("unknown kid")
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"EdDSA"}), jwt.WithoutClaimsValidation())
	var total atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	begin := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			n := 0
			for i := w * len(tokens) / workers; !stop.Load(); i++ {
				var c verifier.Claims
				if _, err := parser.ParseWithClaims(tokens[i%len(tokens)], &c, keyFunc); err != nil {
					panic(err)
				}
				n++
			}
			total.Add(int64(n))
		}(w)
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	return float64(total.Load()) / time.Since(begin).Seconds()
}

// run of the HTTP load.
type result struct {
	n          int
	elapsed    time.Duration
	latencies  []time.Duration // sorted
	errors     int
	firstError string
}

func (r result) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.latencies)-1) * p / 100)
	return r.latencies[i].Round(10 * time.Microsecond)
}

// hammer keeps conns connections busy, each sending one request at a time (cycling over
// reqs from its own starting point), for d; with d == 0 it sends exactly total requests
// (each of reqs once when total == len(reqs)).
func hammer(addr string, reqs [][]byte, want []string, conns int, d time.Duration, total int) result {
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		out     result
		stop    atomic.Bool
		next    atomic.Int64
		started = make(chan struct{})
	)
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<16)
			errs, first := 0, ""
			fail := func(msg string) {
				errs++
				if first == "" {
					first = msg
				}
			}
			c, err := dial(addr)
			if err != nil {
				fail(err.Error())
			}
			<-started
			i := w * len(reqs) / conns
			for c != nil && !stop.Load() {
				k := i % len(reqs)
				if d == 0 {
					n := int(next.Add(1)) - 1
					if n >= total {
						break
					}
					k = n % len(reqs)
				}
				t0 := time.Now()
				status, body, err := c.do(reqs[k])
				lat = append(lat, time.Since(t0))
				switch {
				case err != nil:
					fail(err.Error())
					c.close()
					if c, err = dial(addr); err != nil {
						fail(err.Error())
						c = nil
					}
				case status != 200:
					fail(fmt.Sprintf("status %d: %.200s", status, body))
				case !bytes.Contains(body, []byte(want[k])):
					fail(fmt.Sprintf("token %d: want %s in %.300s", k, want[k], body))
				}
				i++
			}
			if c != nil {
				c.close()
			}
			mu.Lock()
			out.latencies = append(out.latencies, lat...)
			out.errors += errs
			if out.firstError == "" {
				out.firstError = first
			}
			mu.Unlock()
		}(w)
	}
	begin := time.Now()
	close(started)
	if d > 0 {
		time.Sleep(d)
		stop.Store(true)
	}
	wg.Wait()
	out.elapsed = time.Since(begin)
	out.n = len(out.latencies)
	slices.Sort(out.latencies)
	return out
}

// conn is a minimal HTTP/1.1 client connection: one request at a time, keep-alive, bodies
// with Content-Length (what Fiber sends).
type conn struct {
	c   net.Conn
	r   *bufio.Reader
	buf []byte
}

func dial(addr string) (*conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, r: bufio.NewReaderSize(c, 16<<10), buf: make([]byte, 0, 4096)}, nil
}

func (c *conn) close() { c.c.Close() }

// do sends one request and reads the answer; the body is valid until the next call.
func (c *conn) do(req []byte) (status int, body []byte, err error) {
	if _, err := c.c.Write(req); err != nil {
		return 0, nil, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, fmt.Errorf("bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, err
	}
	length := -1
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		if len(h) <= 2 {
			break
		}
		if len(h) > 16 && bytes.EqualFold(h[:15], []byte("Content-Length:")) {
			length, err = strconv.Atoi(string(bytes.TrimSpace(h[15:])))
			if err != nil {
				return 0, nil, err
			}
		}
	}
	if length < 0 {
		return 0, nil, errors.New("no Content-Length")
	}
	c.buf = slices.Grow(c.buf[:0], length)[:length]
	if _, err := io.ReadFull(c.r, c.buf); err != nil {
		return 0, nil, err
	}
	return status, c.buf, nil
}

type pageResult struct {
	p50, p99  time.Duration
	html, css int
}

// measurePage times GET /v/{token} to the first byte of the answer, one request at a time.
func measurePage(addr, token string, n int) (pageResult, error) {
	var out pageResult
	short := token
	if !strings.HasPrefix(token, "S1.") {
		s, err := verifier.Short(token)
		if err != nil {
			return out, err
		}
		short = s
	}
	c, err := dial(addr)
	if err != nil {
		return out, err
	}
	defer c.close()
	req := []byte("GET /v/" + short + " HTTP/1.1\r\nHost: loadtest\r\nAccept: text/html\r\n\r\n")
	ttfb := make([]time.Duration, 0, n)
	for i := 0; i < n+20; i++ {
		t0 := time.Now()
		if _, err := c.c.Write(req); err != nil {
			return out, err
		}
		if _, err := c.r.Peek(1); err != nil {
			return out, err
		}
		first := time.Since(t0)
		status, body, err := c.readRest()
		if err != nil {
			return out, err
		}
		if status != 200 || !bytes.Contains(body, []byte("<strong>SAH</strong>")) {
			return out, fmt.Errorf("page: status %d: %.300s", status, body)
		}
		out.html = len(body)
		if i >= 20 { // the first ones warm up templates and caches
			ttfb = append(ttfb, first)
		}
	}
	slices.Sort(ttfb)
	out.p50, out.p99 = ttfb[len(ttfb)/2].Round(time.Microsecond), ttfb[(len(ttfb)-1)*99/100].Round(time.Microsecond)
	status, body, err := c.do([]byte("GET /static/verify.css HTTP/1.1\r\nHost: loadtest\r\n\r\n"))
	if err != nil || status != 200 {
		return out, fmt.Errorf("verify.css: %d %v", status, err)
	}
	out.css = len(body)
	return out, nil
}

// readRest reads an answer whose request was already written.
func (c *conn) readRest() (int, []byte, error) { return c.do(nil) }

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration { t, _, _ := cpuTimes(); return t }

// cpuTimes is the CPU time this process has used: in all, in user and in system mode.
func cpuTimes() (total, user, system time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0, 0
	}
	user, system = time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
	return user + system, user, system
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			_, v, _ := strings.Cut(l, ":")
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
