package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/domain"
)

var (
	alice = domain.Actor{UserID: 1, Username: "alice", Role: domain.RolePenandatangan}
	bob   = domain.Actor{UserID: 2, Username: "bob", Role: domain.RoleOPD}
	admin = domain.Actor{UserID: 3, Username: "root", Role: domain.RoleAdmin}
)

func TestJobProgressAndOwnership(t *testing.T) {
	r := New(nil)
	defer r.Close(time.Second)
	release := make(chan struct{})
	reached := make(chan struct{})
	s, started, err := r.Start(alice, "k", "issue", "Terbitkan", func(ctx context.Context, p *Progress) (Result, error) {
		p.Phase("Menandatangani", 10)
		p.Update(4, 10)
		close(reached)
		<-release
		p.Add(6)
		return Result{Message: "10 sertifikat terbit", URL: "/usulan/1/sertifikat"}, nil
	})
	if err != nil || !started || s.State != Running {
		t.Fatalf("start: %+v %v %v", s, started, err)
	}
	<-reached
	got, err := r.Get(alice, s.ID)
	if err != nil || got.Done != 4 || got.Total != 10 || got.Percent != 40 || got.Phase != "Menandatangani" {
		t.Fatalf("progress = %+v, %v", got, err)
	}
	// A second start under the same key while running returns the same job.
	again, started, err := r.Start(alice, "k", "issue", "Terbitkan", func(context.Context, *Progress) (Result, error) {
		t.Error("second job must not run")
		return Result{}, nil
	})
	if err != nil || started || again.ID != s.ID {
		t.Fatalf("second start = %+v %v %v", again, started, err)
	}
	// Only the owner and administrators see it.
	if _, err := r.Get(bob, s.ID); apperr.CodeOf(err) != apperr.CodeNotFound {
		t.Fatalf("other user: %v", err)
	}
	if _, err := r.Get(admin, s.ID); err != nil {
		t.Fatalf("admin: %v", err)
	}
	close(release)
	done, err := r.Wait(context.Background(), alice, s.ID)
	if err != nil || done.State != Done || done.Percent != 100 || done.Message != "10 sertifikat terbit" || done.FinishedAt == nil {
		t.Fatalf("done = %+v, %v", done, err)
	}
	if len(r.List(alice)) != 1 || len(r.List(bob)) != 0 || len(r.List(admin)) != 1 {
		t.Fatal("List scoping wrong")
	}
	// Once finished, the same key starts a new job.
	if _, started, _ := r.Start(alice, "k", "issue", "x", func(context.Context, *Progress) (Result, error) { return Result{}, nil }); !started {
		t.Fatal("a finished key must start a new job")
	}
}

func TestJobFailureMessages(t *testing.T) {
	r := New(nil)
	defer r.Close(time.Second)
	cases := []struct {
		fn   Func
		want string
	}{
		{func(context.Context, *Progress) (Result, error) {
			return Result{}, apperr.Conflict("Sudah diterbitkan.")
		}, "Sudah diterbitkan."},
		{func(context.Context, *Progress) (Result, error) { return Result{}, errors.New("pq: secret detail") }, "Terjadi kesalahan di server"},
		{func(context.Context, *Progress) (Result, error) { panic("boom") }, "Terjadi kesalahan di server"},
	}
	for _, c := range cases {
		s, _, err := r.Start(alice, "", "x", "x", c.fn)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := r.Wait(context.Background(), alice, s.ID)
		if got.State != Failed || len(got.Error) < len(c.want) || got.Error[:len(c.want)] != c.want {
			t.Errorf("error = %q, want prefix %q", got.Error, c.want)
		}
	}
}

func TestJobFilesAndExpiry(t *testing.T) {
	r := New(nil)
	path := filepath.Join(t.TempDir(), "out.zip")
	s, _, _ := r.Start(alice, "", "zip", "ZIP", func(context.Context, *Progress) (Result, error) {
		return Result{File: path, FileName: "sertifikat.zip", ContentType: "application/zip"}, os.WriteFile(path, []byte("PK"), 0o600)
	})
	got, _ := r.Wait(context.Background(), alice, s.ID)
	if got.Download != "/tugas/"+s.ID+"/unduh" {
		t.Fatalf("download = %q", got.Download)
	}
	if p, name, _, err := r.File(alice, s.ID); err != nil || p != path || name != "sertifikat.zip" {
		t.Fatalf("file = %q %q %v", p, name, err)
	}
	if _, _, _, err := r.File(bob, s.ID); apperr.CodeOf(err) != apperr.CodeNotFound {
		t.Fatalf("other user's file: %v", err)
	}
	r.Keep = 0
	time.Sleep(time.Millisecond)
	if _, err := r.Get(alice, s.ID); apperr.CodeOf(err) != apperr.CodeNotFound {
		t.Fatalf("expired job still there: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("expired job's file was not removed")
	}
	r.Close(time.Second)
}

func TestJobCancelledAtClose(t *testing.T) {
	r := New(nil)
	s, _, _ := r.Start(alice, "", "x", "x", func(ctx context.Context, p *Progress) (Result, error) {
		<-ctx.Done()
		return Result{}, ctx.Err()
	})
	r.Close(time.Second)
	if _, _, err := r.Start(alice, "", "x", "x", nil); apperr.CodeOf(err) != apperr.CodeConflict {
		t.Fatalf("start after close: %v", err)
	}
	_ = s
	if _, _, err := New(nil).Start(domain.Actor{}, "", "x", "x", nil); apperr.CodeOf(err) != apperr.CodeUnauthorized {
		t.Fatalf("anonymous start: %v", err)
	}
}
