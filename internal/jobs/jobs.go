// Package jobs runs long work started from the browser — batch issuance, a ZIP of many
// certificate PDFs, a bulk rescore, a large import — in the background and reports its
// progress, so a page can show a progress bar instead of a request that hangs for a minute.
//
// A job belongs to the user who started it: only that user (and administrators) may read its
// progress or download what it produced. Starting a job under a key that is already running
// returns the running job instead of a second one, so a double click or a reload of the form
// never runs the same work twice. The work itself must be safe to run again after an
// interruption (a crash or a restart loses the registry, which lives in memory): every job
// Sertika starts is either one transaction or idempotent.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

// State is where a job is.
type State string

// The states of a job.
const (
	Running State = "running"
	Done    State = "done"
	Failed  State = "failed"
)

// Snapshot is a job's progress at one moment.
type Snapshot struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	State State  `json:"state"`
	// Phase names the current step ("Menandatangani", "Menyusun ZIP"…).
	Phase string `json:"phase"`
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
	// Percent is Done/Total in whole percent (0 while Total is unknown).
	Percent int `json:"percent"`
	// Message is the outcome in words, Error the reason of a failure (Indonesian).
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
	// URL is where to go when the job is done (a result page; for a failed job, what
	// explains the failure, when its work said so), Download is set when the job produced a
	// file to download.
	URL        string     `json:"url,omitempty"`
	Download   string     `json:"download,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	OwnerID    int64      `json:"-"`
}

// Result is what a job's work answers when it succeeds.
type Result struct {
	Message string
	// URL is a page showing the outcome (kept also when the work fails).
	URL string
	// File is a file the job wrote (a temporary file owned by the registry from now on,
	// removed when the job expires), offered for download as FileName with ContentType.
	File        string
	FileName    string
	ContentType string
}

// Func is a job's work. It must honour ctx (cancelled when the server shuts down) and
// report its advance through p.
type Func func(ctx context.Context, p *Progress) (Result, error)

// Progress is how a job reports its advance. Its methods are safe for concurrent use.
type Progress struct{ j *job }

// ID is the job's id, for result addresses that name the job. It never changes.
func (p *Progress) ID() string { return p.j.snap.ID }

// Phase starts a named step of total units (0 when unknown); done restarts at 0.
func (p *Progress) Phase(name string, total int64) {
	p.j.mu.Lock()
	p.j.snap.Phase, p.j.snap.Total, p.j.snap.Done = name, total, 0
	p.j.mu.Unlock()
}

// Update sets done of total.
func (p *Progress) Update(done, total int64) {
	p.j.mu.Lock()
	p.j.snap.Done, p.j.snap.Total = done, total
	p.j.mu.Unlock()
}

// Func adapts Update to the func(done, total int) callbacks of the services.
func (p *Progress) Func() func(done, total int) {
	return func(done, total int) { p.Update(int64(done), int64(total)) }
}

// Add counts n more units done.
func (p *Progress) Add(n int64) {
	p.j.mu.Lock()
	p.j.snap.Done += n
	p.j.mu.Unlock()
}

type job struct {
	mu   sync.Mutex
	key  string
	snap Snapshot
	res  Result
}

func (j *job) snapshot() Snapshot {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := j.snap
	if s.Total > 0 {
		s.Percent = int(min(100, max(0, 100*s.Done/s.Total)))
	}
	if s.State == Done && s.Total > 0 {
		s.Percent = 100
	}
	return s
}

// Registry holds the jobs of one server process.
type Registry struct {
	ctx    context.Context
	cancel context.CancelFunc
	log    *slog.Logger
	// Keep is how long a finished job (and its file) stays readable.
	Keep time.Duration
	// DownloadPath builds the download address of a job's file from its id.
	DownloadPath func(id string) string

	mu   sync.Mutex
	jobs map[string]*job
	keys map[string]*job // running jobs by key
	wg   sync.WaitGroup
}

// New returns an empty registry; its jobs stop when Close is called.
func New(log *slog.Logger) *Registry {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Registry{ctx: ctx, cancel: cancel, log: log, Keep: time.Hour,
		DownloadPath: func(id string) string { return "/tugas/" + id + "/unduh" },
		jobs:         map[string]*job{}, keys: map[string]*job{}}
}

// Start runs fn in the background for the actor and returns its first snapshot. When a job
// with the same key (non-empty) is still running, that job is returned instead and started
// is false.
func (r *Registry) Start(a domain.Actor, key, kind, title string, fn Func) (snap Snapshot, started bool, err error) {
	if a.UserID == 0 && a.Username != domain.System.Username {
		return Snapshot{}, false, apperr.Unauthorized("Silakan masuk terlebih dahulu.")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx.Err() != nil {
		return Snapshot{}, false, apperr.Conflict("Server sedang berhenti; coba lagi sebentar lagi.")
	}
	r.expireLocked(time.Now())
	if key != "" {
		// A job that has just finished keeps its key until run releases it; it is not
		// "running under the key" any more, so it does not stand in for new work.
		if j, ok := r.keys[key]; ok {
			if snap := j.snapshot(); snap.State == Running {
				return snap, false, nil
			}
		}
	}
	id, err := newID()
	if err != nil {
		return Snapshot{}, false, apperr.Internal(err)
	}
	j := &job{key: key, snap: Snapshot{ID: id, Kind: kind, Title: title, State: Running, Phase: "Memulai",
		StartedAt: time.Now().UTC(), OwnerID: a.UserID}}
	r.jobs[id] = j
	if key != "" {
		r.keys[key] = j
	}
	r.wg.Add(1)
	go r.run(j, fn)
	return j.snapshot(), true, nil
}

func (r *Registry) run(j *job, fn Func) {
	defer r.wg.Done()
	var res Result
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			}
		}()
		res, err = fn(r.ctx, &Progress{j: j})
	}()
	now := time.Now().UTC()
	j.mu.Lock()
	j.snap.FinishedAt = &now
	if err != nil {
		j.snap.State = Failed
		if ae := apperr.As(err); ae.Code != apperr.CodeInternal {
			j.snap.Error = ae.Message
		} else if r.ctx.Err() != nil {
			j.snap.Error = "Dihentikan karena server berhenti. Jalankan lagi: pekerjaan ini aman diulang."
		} else {
			j.snap.Error = "Terjadi kesalahan di server. Pekerjaan ini aman diulang; bila berulang, hubungi administrator (tugas " + j.snap.ID + ")."
		}
		if res.File != "" {
			_ = os.Remove(res.File)
		}
		// A failed job may still point somewhere useful (the findings that refused a batch).
		j.snap.URL = res.URL
	} else {
		j.snap.State = Done
		j.snap.Message, j.snap.URL = res.Message, res.URL
		j.res = res
		if res.File != "" {
			j.snap.Download = r.DownloadPath(j.snap.ID)
		}
	}
	snap := j.snap
	j.mu.Unlock()
	if err != nil {
		r.log.Error("background job failed", "job", snap.ID, "kind", snap.Kind, "err", err)
	} else {
		r.log.Info("background job done", "job", snap.ID, "kind", snap.Kind, "seconds", now.Sub(snap.StartedAt).Seconds())
	}
	r.mu.Lock()
	if j.key != "" && r.keys[j.key] == j {
		delete(r.keys, j.key)
	}
	r.mu.Unlock()
}

// visible reports whether the actor may see the job: its owner, or an administrator.
func visible(a domain.Actor, s Snapshot) bool {
	return a.Role == domain.RoleAdmin || (a.UserID != 0 && a.UserID == s.OwnerID)
}

var errNoJob = apperr.NotFound("Tugas tidak ditemukan (tugas selesai disimpan satu jam, dan hilang bila server dimulai ulang).")

// Get returns a job's progress, for its owner or an administrator.
func (r *Registry) Get(a domain.Actor, id string) (Snapshot, error) {
	r.mu.Lock()
	r.expireLocked(time.Now())
	j, ok := r.jobs[id]
	r.mu.Unlock()
	if !ok {
		return Snapshot{}, errNoJob
	}
	s := j.snapshot()
	if !visible(a, s) {
		return Snapshot{}, errNoJob
	}
	return s, nil
}

// File returns the file a finished job produced, for its owner or an administrator.
func (r *Registry) File(a domain.Actor, id string) (path, name, contentType string, err error) {
	s, err := r.Get(a, id)
	if err != nil {
		return "", "", "", err
	}
	r.mu.Lock()
	j := r.jobs[id]
	r.mu.Unlock()
	if s.State != Done || j == nil || j.res.File == "" {
		return "", "", "", apperr.Conflict("Berkas tugas ini belum tersedia.")
	}
	return j.res.File, j.res.FileName, j.res.ContentType, nil
}

// List returns the actor's jobs (all jobs for an administrator), newest first.
func (r *Registry) List(a domain.Actor) []Snapshot {
	r.mu.Lock()
	r.expireLocked(time.Now())
	js := make([]*job, 0, len(r.jobs))
	for _, j := range r.jobs {
		js = append(js, j)
	}
	r.mu.Unlock()
	var out []Snapshot
	for _, j := range js {
		if s := j.snapshot(); visible(a, s) {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, k int) bool { return out[i].StartedAt.After(out[k].StartedAt) })
	return out
}

// Wait blocks until the job is no longer running or ctx ends, and returns its snapshot.
func (r *Registry) Wait(ctx context.Context, a domain.Actor, id string) (Snapshot, error) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		s, err := r.Get(a, id)
		if err != nil || s.State != Running {
			return s, err
		}
		select {
		case <-ctx.Done():
			return s, ctx.Err()
		case <-t.C:
		}
	}
}

// expireLocked forgets jobs finished more than Keep ago and removes their files.
func (r *Registry) expireLocked(now time.Time) {
	for id, j := range r.jobs {
		j.mu.Lock()
		old := j.snap.FinishedAt != nil && now.Sub(*j.snap.FinishedAt) > r.Keep
		file := j.res.File
		j.mu.Unlock()
		if old {
			delete(r.jobs, id)
			if file != "" {
				_ = os.Remove(file)
			}
		}
	}
}

// Close cancels the running jobs, waits up to timeout for them to stop, and removes the
// files of finished ones.
func (r *Registry) Close(timeout time.Duration) {
	r.cancel()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		r.log.Warn("background jobs still running at shutdown")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, j := range r.jobs {
		j.mu.Lock()
		if j.res.File != "" {
			_ = os.Remove(j.res.File)
		}
		j.mu.Unlock()
		delete(r.jobs, id)
	}
}

func newID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
