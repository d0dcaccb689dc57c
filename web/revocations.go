package web

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/issuer"
	"github.com/sertika/sertika/verifier"
)

// The public verification's in-memory state. A verification must not wait for the database:
// the key set, each certificate's record and the set of revoked certificates are kept here
// and brought up to date in the background (issuer.StatusCache explains the revocation set),
// so that GET /api/v1/verify costs one signature check and a few map lookups.
//
// Freshness: a revocation made through this server is visible to the very next verification
// (every write made by a signed-in user invalidates the caches, see invalidateAfterWrites); one
// made elsewhere (another replica, the command line) within the refresh interval, 2 s. When
// the database cannot be read for longer than issuer.StatusCacheOptions.MaxStale, answers say
// the status could not be checked now.

// keyCache is the verification state held by Server (its field is named keys because the key
// set was its first content).
type keyCache = verifyState

// verifyState holds the verification's caches and its public rate limits.
type verifyState struct {
	once   sync.Once
	status *issuer.StatusCache
	lookup *limiter // number + NIP look-ups
	upload *limiter // uploads decoded on the server
	batch  *limiter // batch verifications

	gen atomic.Uint64 // bumped by invalidate

	keyMu   sync.Mutex // one key-set read at a time
	keySnap atomic.Pointer[keySnapshot]

	agencyMu   sync.Mutex
	agency     *domain.Agency
	agencyAt   time.Time
	agencyGen  uint64
	listMu     sync.Mutex
	list       *issuer.SignedStatusList
	listAt     time.Time
	listGen    uint64
	statusOpts issuer.StatusCacheOptions

	viewMu sync.RWMutex
	views  map[string]certView // encoded public views by certificate id (certJSON)
}

// certView is a certificate's encoded public view, valid for that record snapshot and
// replacement.
type certView struct {
	cert, repl *issuer.Certificate
	json       []byte
}

// maxCachedViews bounds the encoded views kept (about 1 kB each); beyond, they start over.
const maxCachedViews = 50000

type keySnapshot struct {
	set     verifier.JWKS
	fetched time.Time
	gen     uint64
}

// How long cached data is used.
const (
	keySetTTL      = 30 * time.Second // the key set is re-read after this
	keySetMaxStale = time.Hour        // and used while the database cannot be read, up to this
	agencyTTL      = time.Minute
	statusListTTL  = time.Minute // a signed status list is served for this long (re-signed after)
)

// verifyState returns the server's verification state, set up on first use.
func (s *Server) verifyState() *verifyState {
	st := &s.keys
	st.once.Do(func() {
		st.status = issuer.NewStatusCache(s.Issuance, st.statusOpts)
		st.lookup = newLimiter(30, time.Minute)
		st.upload = newLimiter(30, time.Minute)
		st.batch = newLimiter(30, time.Minute)
	})
	return st
}

// statusCache is the certificates' status cache.
func (s *Server) statusCache() *issuer.StatusCache { return s.verifyState().status }

// invalidate drops everything cached, so that the next verification sees the database as it
// is now.
func (st *verifyState) invalidate() {
	st.gen.Add(1)
	st.viewMu.Lock()
	st.views = nil
	st.viewMu.Unlock()
	if st.status != nil {
		st.status.Invalidate()
	}
}

// invalidateAfterWrites runs before every route registered after it: once a signed-in user's
// state-changing request (a revocation, a re-issue, a settings change …) has succeeded, the
// verification caches are invalidated. Anonymous and refused requests never invalidate, so
// nobody can make verifications slower by posting. (A write that fails after committing is
// still seen at the next refresh, within 2 s.)
func (s *Server) invalidateAfterWrites(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	err := c.Next()
	if _, ok := currentUser(c); ok && err == nil && c.Response().StatusCode() < 400 {
		s.verifyState().invalidate()
	}
	return err
}

// keySet returns the published key set from memory, re-reading it after keySetTTL or an
// invalidation. When it cannot be read, the last one read (up to keySetMaxStale old) is used:
// keys are public and change rarely, and a failing database also makes the status check say
// it could not be made.
func (s *Server) keySet(ctx context.Context) (verifier.JWKS, error) {
	st := s.verifyState()
	gen := st.gen.Load()
	snap := st.keySnap.Load()
	if snap != nil && snap.gen == gen && time.Since(snap.fetched) < keySetTTL {
		return snap.set, nil
	}
	st.keyMu.Lock()
	defer st.keyMu.Unlock()
	if cur := st.keySnap.Load(); cur != nil && cur != snap && cur.gen == gen && time.Since(cur.fetched) < keySetTTL {
		return cur.set, nil // another request read it meanwhile
	}
	set, err := s.Keys.JWKS(ctx)
	if err != nil {
		if snap != nil && time.Since(snap.fetched) < keySetMaxStale {
			s.Logger.WarnContext(ctx, "key set not readable, using the cached one", "err", err)
			return snap.set, nil
		}
		return verifier.JWKS{}, err
	}
	st.keySnap.Store(&keySnapshot{set: set, fetched: time.Now(), gen: gen})
	return set, nil
}

// cachedAgency returns the agency's identity (for the page header), read at most once a
// minute; nil when it cannot be read.
func (s *Server) cachedAgency(ctx context.Context) *domain.Agency {
	st := s.verifyState()
	gen := st.gen.Load()
	st.agencyMu.Lock()
	defer st.agencyMu.Unlock()
	if st.agency != nil && st.agencyGen == gen && time.Since(st.agencyAt) < agencyTTL {
		return st.agency
	}
	ag, err := s.Directory.GetAgency(ctx)
	if err != nil {
		return st.agency // the last one read, if any
	}
	st.agency, st.agencyAt, st.agencyGen = &ag, time.Now(), gen
	return st.agency
}

// statusList returns the signed status list, signed again at most once a minute (and after
// every write made through this server).
func (s *Server) statusList(ctx context.Context) (*issuer.SignedStatusList, error) {
	st := s.verifyState()
	gen := st.gen.Load()
	st.listMu.Lock()
	defer st.listMu.Unlock()
	if st.list != nil && st.listGen == gen && time.Since(st.listAt) < statusListTTL {
		return st.list, nil
	}
	l, err := s.Issuance.StatusList(ctx)
	if err != nil {
		return nil, err
	}
	st.list, st.listAt, st.listGen = l, time.Now(), gen
	return l, nil
}

// SetVerifyRateLimit replaces the per-address limit of verifications per minute (default
// 600). The load generator (tools/loadtest) lifts it, since all its requests come from one
// address; call it before serving.
func (s *Server) SetVerifyRateLimit(perMinute int) {
	s.verifyLimiter = newLimiter(perMinute, time.Minute)
}
