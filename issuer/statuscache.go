package issuer

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/verifier"
)

// StatusCache answers the public verification's question — what do the records say about
// certificate X now? — from memory, so that a verification costs a signature check and a
// map lookup rather than a database round trip.
//
// It rests on two facts about the certificates table: a row never changes after issue except
// for its revocation (state, revoked_at, reason, replaced_by, set once and never undone), and
// rows are never deleted. So it keeps
//
//   - the records: an immutable snapshot of each certificate asked about (with its digest
//     recomputed once), read on first use and re-read after RecordTTL, so that a row edited
//     behind the issuer's back is caught within that time;
//   - the revocation set: every revoked certificate's id, date, reason and replacement,
//     loaded in full at start and then brought up to date every Refresh (default 2 s) by
//     reading only the rows revoked since the newest revocation seen (with a minute of
//     overlap for transactions that committed late), plus a full reload every FullReload.
//
// A certificate's status is its record's state overridden by the revocation set. A
// revocation made anywhere — this process, another replica, the command line — is therefore
// seen within Refresh; Invalidate (called by the web layer after every write made through it)
// makes it immediate for writes made here. Refreshes run in the background: a request that
// finds the set older than Refresh starts one and answers from the current set. Only when the
// set is older than MaxStale (the database could not be read for that long) does a request
// wait for a refresh, and if that fails the answer is ErrStatusUnavailable — "the status
// could not be checked now", never a silent "valid". A revocation already known is final and
// is reported even then.
type StatusCache struct {
	iss *Issuance
	opt StatusCacheOptions

	mu        sync.RWMutex
	records   map[string]*cachedRecord
	revoked   map[string]Revocation
	gen       uint64    // bumped by Invalidate: fills begun before it are dropped
	dirty     bool      // Invalidate asked for a refresh before the next answer
	loadedAt  time.Time // start of the last successful refresh (wall clock)
	fullAt    time.Time // start of the last full reload
	failedAt  time.Time // end of the last failed refresh
	watermark time.Time // newest revoked_at seen (database clock)

	refreshMu sync.Mutex  // one refresh at a time
	bg        atomic.Bool // a background refresh is running
}

// StatusCacheOptions tune a StatusCache; zero values take the defaults.
type StatusCacheOptions struct {
	Refresh    time.Duration // revocation set refresh interval (default 2 s)
	MaxStale   time.Duration // oldest revocation set an answer may rest on (default 15 s)
	FullReload time.Duration // full reload of the revocation set (default 5 min)
	RecordTTL  time.Duration // how long a record snapshot is trusted (default 5 min)
	MaxRecords int           // records kept; beyond, some are dropped (default 20,000, about 30 MB)
	// Now is the wall clock that ages the cache (default time.Now). Database times
	// (revoked_at) are compared only with each other.
	Now func() time.Time
}

// Revocation is what the records say about a revoked certificate.
type Revocation struct {
	RevokedAt  time.Time
	Reason     string
	ReplacedBy string // id of the replacing certificate, if re-issued
}

type cachedRecord struct {
	cert   *Certificate
	digest string
	at     time.Time // when it was read
}

// ErrStatusUnavailable means the certificate's current standing could not be established:
// the database could not be read and the last known revocation set is too old to rely on.
var ErrStatusUnavailable = errors.New("certificate status could not be checked now")

// revocationOverlap is how far before the newest revocation seen a refresh looks again, for
// transactions that took revoked_at from the clock before another one but committed after it.
const revocationOverlap = time.Minute

// NewStatusCache returns an empty cache over the issuance service's database.
func NewStatusCache(iss *Issuance, opt StatusCacheOptions) *StatusCache {
	if opt.Refresh <= 0 {
		opt.Refresh = 2 * time.Second
	}
	if opt.MaxStale <= 0 {
		opt.MaxStale = 15 * time.Second
	}
	if opt.MaxStale < opt.Refresh {
		opt.MaxStale = opt.Refresh
	}
	if opt.FullReload <= 0 {
		opt.FullReload = 5 * time.Minute
	}
	if opt.RecordTTL <= 0 {
		opt.RecordTTL = 5 * time.Minute
	}
	if opt.MaxRecords <= 0 {
		opt.MaxRecords = 20000
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &StatusCache{iss: iss, opt: opt, records: map[string]*cachedRecord{}, revoked: map[string]Revocation{}}
}

// Invalidate forgets the record snapshots and makes the next answer wait for a fresh
// revocation set. The web layer calls it after every write made through it, so that a
// revocation (or any other change) is visible to the very next verification.
func (c *StatusCache) Invalidate() {
	c.mu.Lock()
	c.gen++
	c.dirty = true
	c.failedAt = time.Time{}
	clear(c.records)
	c.mu.Unlock()
}

// CertificateStatus implements verifier.StatusSource from the cache.
func (c *StatusCache) CertificateStatus(ctx context.Context, id string) (verifier.CertStatus, error) {
	_, st, err := c.Lookup(ctx, id)
	return st, err
}

// Lookup returns the issuer's record of certificate id (nil when there is none) and its
// status now. The record is shared: callers must not modify it. When the status cannot be
// established now, the error is ErrStatusUnavailable (or the database's error) and the
// record, if one was known, is still returned — its printed facts do not change — so that
// a page can show them beside "could not be checked now".
func (c *StatusCache) Lookup(ctx context.Context, id string) (*Certificate, verifier.CertStatus, error) {
	id = strings.ToUpper(strings.TrimSpace(id))
	// The common case — a revocation set younger than Refresh and a snapshot younger than
	// RecordTTL — is read under one read lock: this runs on every verification, on every
	// core at once, and each lock taken is a cache line passed between them.
	now := c.opt.Now()
	c.mu.RLock()
	fresh := !c.dirty && !c.loadedAt.IsZero() && now.Sub(c.loadedAt) <= c.opt.Refresh
	rec, ok := c.records[id]
	rev, revoked := c.revoked[id]
	c.mu.RUnlock()
	if fresh && ok && now.Sub(rec.at) < c.opt.RecordTTL {
		cert, st := rec.status(rev, revoked)
		return cert, st, nil
	}

	freshErr := c.ensureFresh(ctx)
	rec, err := c.record(ctx, id)
	if err != nil {
		return nil, verifier.CertStatus{}, err
	}
	if rec == nil {
		// Not cached negatively: this answer came from the database just now.
		return nil, verifier.CertStatus{}, nil
	}
	c.mu.RLock()
	rev, revoked = c.revoked[id]
	c.mu.RUnlock()
	cert, st := rec.status(rev, revoked)
	// A revocation is final, so it stands even on a stale set; "not revoked" needs a set (or
	// a snapshot) younger than MaxStale.
	if freshErr != nil && !st.Revoked && c.opt.Now().Sub(rec.at) > c.opt.MaxStale {
		return cert, st, freshErr
	}
	return cert, st, nil
}

// status is the record with the revocation set's entry for it (rev, when revoked) applied,
// and the status it gives.
func (rec *cachedRecord) status(rev Revocation, revoked bool) (*Certificate, verifier.CertStatus) {
	cert := rec.cert
	if revoked && cert.State != CertRevoked {
		// The snapshot predates the revocation: answer with the revocation applied.
		cp := *cert
		at := rev.RevokedAt
		cp.State, cp.RevokedAt, cp.RevokeReason = CertRevoked, &at, rev.Reason
		if rev.ReplacedBy != "" {
			r := rev.ReplacedBy
			cp.ReplacedBy = &r
		}
		cert = &cp
	}
	st := verifier.CertStatus{Found: true, Revoked: cert.State == CertRevoked, Reason: cert.RevokeReason, Digest: rec.digest}
	if cert.RevokedAt != nil {
		st.RevokedAt = *cert.RevokedAt
	}
	if cert.ReplacedBy != nil {
		st.ReplacedBy = *cert.ReplacedBy
	}
	return cert, st
}

// record returns the snapshot of id, reading it when missing or older than RecordTTL.
func (c *StatusCache) record(ctx context.Context, id string) (*cachedRecord, error) {
	now := c.opt.Now()
	c.mu.RLock()
	rec, ok := c.records[id]
	gen := c.gen
	c.mu.RUnlock()
	if ok && now.Sub(rec.at) < c.opt.RecordTTL {
		return rec, nil
	}
	var cert Certificate
	err := c.iss.db.WithContext(ctx).Where("id = ?", id).Take(&cert).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, apperr.Internal(err)
	}
	rec = &cachedRecord{cert: &cert, digest: ComputeDigest(&cert), at: now}
	c.mu.Lock()
	if c.gen == gen {
		if len(c.records) >= c.opt.MaxRecords {
			// Drop a tenth, chosen by Go's randomised map order: cheaper than tracking use,
			// and a dropped record costs one read.
			n := c.opt.MaxRecords / 10
			for k := range c.records {
				if n <= 0 {
					break
				}
				delete(c.records, k)
				n--
			}
		}
		c.records[id] = rec
		if cert.State == CertRevoked && cert.RevokedAt != nil {
			c.revoked[id] = revocationOf(cert.RevokedAt, cert.RevokeReason, cert.ReplacedBy)
		}
	}
	c.mu.Unlock()
	return rec, nil
}

// ensureFresh makes sure the revocation set may be relied on: it starts a background
// refresh when the set is older than Refresh, and refreshes in the foreground when the set
// is older than MaxStale or Invalidate asked for it.
func (c *StatusCache) ensureFresh(ctx context.Context) error {
	now := c.opt.Now()
	c.mu.RLock()
	age, dirty, loaded, failedAt := now.Sub(c.loadedAt), c.dirty, !c.loadedAt.IsZero(), c.failedAt
	c.mu.RUnlock()
	switch {
	case !dirty && loaded && age <= c.opt.Refresh:
		return nil
	case !dirty && loaded && age <= c.opt.MaxStale:
		if c.bg.CompareAndSwap(false, true) {
			go func() {
				defer c.bg.Store(false)
				bctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = c.refresh(bctx, now)
			}()
		}
		return nil
	}
	// A refresh failed a moment ago: do not queue every request behind another attempt.
	if !failedAt.IsZero() && now.Sub(failedAt) < time.Second {
		return ErrStatusUnavailable
	}
	fctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := c.refresh(fctx, now); err != nil {
		return ErrStatusUnavailable
	}
	return nil
}

// revocationRow is one revoked certificate as read by a refresh.
type revocationRow struct {
	ID           string
	RevokedAt    *time.Time
	RevokeReason string
	ReplacedBy   *string
}

// refresh brings the revocation set up to date. need is when the caller decided it needed
// a refresh: a refresh that started after it (by another caller) already answers it.
func (c *StatusCache) refresh(ctx context.Context, need time.Time) error {
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	c.mu.RLock()
	done := !c.dirty && !c.loadedAt.Before(need)
	gen, since, full := c.gen, c.watermark, c.fullAt.IsZero() || c.opt.Now().Sub(c.fullAt) > c.opt.FullReload
	c.mu.RUnlock()
	if done {
		return nil
	}
	started := c.opt.Now()
	q := c.iss.db.WithContext(ctx).Model(&Certificate{}).Select("id, revoked_at, revoke_reason, replaced_by").
		Where("revoked_at IS NOT NULL")
	if !full {
		q = q.Where("revoked_at >= ?", since.Add(-revocationOverlap))
	}
	var rows []revocationRow
	if err := q.Scan(&rows).Error; err != nil {
		c.mu.Lock()
		c.failedAt = c.opt.Now()
		c.mu.Unlock()
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if full {
		c.revoked = make(map[string]Revocation, len(rows))
		c.fullAt = started
	}
	for _, r := range rows {
		c.revoked[r.ID] = revocationOf(r.RevokedAt, r.RevokeReason, r.ReplacedBy)
		if r.RevokedAt != nil && r.RevokedAt.After(c.watermark) {
			c.watermark = *r.RevokedAt
		}
	}
	c.loadedAt, c.failedAt = started, time.Time{}
	if c.gen == gen {
		c.dirty = false
	}
	return nil
}

func revocationOf(at *time.Time, reason string, replacedBy *string) Revocation {
	r := Revocation{Reason: reason}
	if at != nil {
		r.RevokedAt = *at
	}
	if replacedBy != nil {
		r.ReplacedBy = *replacedBy
	}
	return r
}

// RevokedCount is the size of the revocation set (for diagnostics and tests).
func (c *StatusCache) RevokedCount() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.revoked)
}
