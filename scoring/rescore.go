package scoring

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/database"
)

// DefaultChunk is the largest number of employees RescoreAll reads per chunk by default;
// agencies of fewer than 80,000 employees get an eighth of their number (at least 500).
const (
	DefaultChunk = 10_000
	minChunk     = 500
)

// RescoreOptions tune RescoreAll.
type RescoreOptions struct {
	// Year is the measurement year; 0 means the current year.
	Year int
	// Force rewrites every score, even those whose facts hash has not changed (after a
	// change of Compute that forgot to bump its version, say).
	Force bool
	// ChunkSize is the number of employees read per chunk; 0 chooses (see DefaultChunk).
	ChunkSize int
	// Workers is the number of goroutines applying the rules; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is told how many of the active employees are done.
	Progress func(done, total int)
}

// RescoreResult is what RescoreAll did.
type RescoreResult struct {
	Year      int `json:"year"`
	Employees int `json:"employees"` // active employees scored
	Written   int `json:"written"`   // rows inserted or updated
	Unchanged int `json:"unchanged"` // rows whose facts hash matched: not recomputed
	// Skipped counts rows that a concurrent transaction rescored from newer facts between
	// the read and the write; theirs stands.
	Skipped int           `json:"skipped"`
	Elapsed time.Duration `json:"elapsed"`
}

// chunk is one slice of employees on its way through RescoreAll.
type chunk struct {
	emps []*employeeFacts
	rows []scoreRow
	err  error
}

// RescoreAll recomputes the score of every active employee for the measurement year,
// set-based: employees are streamed in id order, ChunkSize at a time, with all their facts
// read by one statement per chunk (no query per employee); the rules run in Go on Workers
// goroutines; changed rows are written back with one or two statements per chunk. Rows
// whose facts hash is unchanged are neither recomputed nor written, so a second run writes
// nothing.
//
// Reading, computing and writing overlap (a chunk is computed while the next is read and
// the previous written). The run takes no locks and holds no long transaction: each write
// is one statement that inserts rows still absent and updates rows whose hash is still
// the one read, so a score written meanwhile by an issuance or import (from newer facts)
// is never overwritten. An interrupted run leaves the chunks already written in place;
// running it again continues the work, since finished rows are now unchanged.
func (s *Store) RescoreAll(ctx context.Context, opt RescoreOptions) (RescoreResult, error) {
	start := time.Now()
	res := RescoreResult{Year: opt.Year}
	if res.Year == 0 {
		res.Year = s.CurrentYear()
	}
	if res.Year < 1 || res.Year > 9999 {
		return res, fmt.Errorf("rescore: invalid year %d", res.Year)
	}
	var total int64
	if err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM employees WHERE active = ?`, true).Scan(&total).Error; err != nil {
		return res, fmt.Errorf("rescore: count employees: %w", err)
	}
	// Reading, computing and writing overlap from one chunk to the next, so a small agency
	// gets smaller chunks (at least about eight of them) rather than one.
	size := opt.ChunkSize
	if size <= 0 {
		size = min(DefaultChunk, max(minChunk, int(total)/8))
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	progress(0, int(total))

	parent := ctx
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	year := res.Year

	// Stage 1: read chunks.
	read := make(chan *chunk, 1)
	go func() {
		defer close(read)
		send := func(c *chunk) bool {
			select {
			case read <- c:
				return true
			case <-ctx.Done():
				return false
			}
		}
		readAll := func(query querier) {
			var last int64
			in := newInterner()
			for {
				emps, err := readEmployees(ctx, query, in, year, profileColumns+` WHERE e.id > ? AND e.active = ? ORDER BY e.id LIMIT ?`, last, true, size)
				if err == nil && len(emps) > 0 {
					// One id range per chunk lets every table be read by its (employee_id, …)
					// index; rows of inactive employees in the range are skipped.
					q, args := chunkFactsQuery(s.rs, year, emps[0].id, emps[len(emps)-1].id)
					err = readFacts(ctx, query, in, s.rs, year, chunkLookup(emps), q, args...)
				}
				if err != nil {
					send(&chunk{err: err})
					return
				}
				if len(emps) == 0 || !send(&chunk{emps: emps}) {
					return
				}
				last = emps[len(emps)-1].id
			}
		}
		if s.db.Dialect != database.Postgres {
			readAll(gormQuerier(s.db.Gorm))
			return
		}
		conn, err := s.db.SQL.Conn(ctx)
		if err == nil {
			defer conn.Close()
			err = conn.Raw(func(dc any) error {
				sc, ok := dc.(*stdlib.Conn)
				if !ok {
					return fmt.Errorf("unexpected driver connection %T", dc)
				}
				readAll(pgxQuerier(sc.Conn()))
				return nil
			})
		}
		if err != nil {
			send(&chunk{err: err})
		}
	}()

	// Stage 3: write chunks.
	write := make(chan *chunk, 1)
	var (
		wg       sync.WaitGroup
		writeErr error
		written  int64
		done     int
	)
	bw, err := newBulkWriter(ctx, s.db)
	if err != nil {
		return res, fmt.Errorf("rescore: %w", err)
	}
	defer bw.close()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for c := range write {
			if writeErr != nil {
				continue // drain
			}
			at := s.db.Now()
			for part := range slices.Chunk(c.rows, writeBatch(s.db.Dialect)) {
				n, err := bw.write(ctx, year, at, part)
				if err != nil {
					writeErr = fmt.Errorf("rescore: %w", err)
					cancel()
					break
				}
				written += n
			}
			done += len(c.emps)
			progress(min(done, int(total)), int(total))
		}
	}()

	// Stage 2: apply the rules.
	for c := range read {
		if c.err != nil {
			err = fmt.Errorf("rescore: %w", c.err)
			break
		}
		rows, unchanged, cerr := s.computeChunk(c.emps, workers, opt.Force)
		if cerr != nil {
			err = cerr
			break
		}
		res.Unchanged += unchanged
		res.Employees += len(c.emps)
		c.rows = rows
		res.Written += len(rows)
		select {
		case write <- c:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(write)
	wg.Wait()
	cancel()
	for range read { // let the reader finish
	}
	attempted := res.Written
	res.Written = int(written)
	res.Skipped = attempted - res.Written
	// After writing a good share of the table, refresh its statistics at once rather than
	// when autovacuum gets to it: statements prepared while scores was small (the issuer's
	// lookups of stored hashes) are then planned again for its real size.
	if writeErr == nil && err == nil && res.Written > 0 && int64(res.Written)*10 >= total {
		if aerr := s.analyzeScores(parent); aerr != nil {
			err = fmt.Errorf("rescore: analyze scores: %w", aerr)
		}
	}
	res.Elapsed = time.Since(start)
	switch {
	case writeErr != nil:
		return res, writeErr
	case err != nil:
		return res, err
	}
	if perr := parent.Err(); perr != nil {
		return res, fmt.Errorf("rescore: %w", perr)
	}
	return res, nil
}

// analyzeScores refreshes the statistics of the scores table. On PostgreSQL it does what
// the plans need and no more: the table's size (pages and rows, which any ANALYZE updates)
// and its key columns, from a small sample. A full ANALYZE reads a sample of 30,000 rows
// of 1.5 KB, about a tenth of a full rescore of 100,000 employees, with nothing else left to
// overlap it; this takes some 15 ms. Autovacuum still analyzes every column later (an
// ANALYZE of some columns leaves its count of changed rows as it was).
func (s *Store) analyzeScores(ctx context.Context) error {
	if s.db.Dialect != database.Postgres {
		return s.db.WithContext(ctx).Exec(`ANALYZE scores`).Error
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`SET LOCAL default_statistics_target = 10`).Error; err != nil {
			return err
		}
		return tx.Exec(`ANALYZE scores (employee_id, year)`).Error
	})
}

// writeBatch is the number of score rows per write statement: PostgreSQL takes them as
// arrays, SQLite as one JSON document.
func writeBatch(dialect string) int {
	if dialect == database.Postgres {
		return 5000
	}
	return 500
}

// computeChunk hashes every employee's facts and computes the score of those whose hash
// changed, on the given number of goroutines. It returns the rows to write, in employee
// order, and the number of employees left unchanged.
func (s *Store) computeChunk(emps []*employeeFacts, workers int, force bool) ([]scoreRow, int, error) {
	out := make([]chunkResult, len(emps))
	one := func(i int, sc *scorer) {
		e := emps[i]
		h := FactsHash(s.rs, &e.facts)
		if e.hasScore && h == e.oldHash && !force {
			return
		}
		r, err := sc.row(s.rs, e, h)
		out[i] = chunkResult{row: r, keep: true, err: err}
	}
	pack := s.db.Dialect == database.Postgres
	if workers <= 1 {
		sc := scorer{pack: pack}
		for i := range emps {
			one(i, &sc)
		}
		return collectRows(out)
	}
	per := (len(emps) + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < len(emps); lo += per {
		hi := min(lo+per, len(emps))
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := scorer{pack: pack}
			for i := lo; i < hi; i++ {
				one(i, &sc)
			}
		}()
	}
	wg.Wait()
	return collectRows(out)
}

// chunkResult is the outcome of one employee in computeChunk.
type chunkResult struct {
	row  scoreRow
	keep bool // row is to be written
	err  error
}

// collectRows returns the rows to write, in order, and the number left unchanged.
func collectRows(out []chunkResult) ([]scoreRow, int, error) {
	rows := make([]scoreRow, 0, len(out))
	unchanged := 0
	for _, r := range out {
		switch {
		case r.err != nil:
			return nil, 0, r.err
		case r.keep:
			rows = append(rows, r.row)
		default:
			unchanged++
		}
	}
	return rows, unchanged, nil
}
