// Package filestore keeps uploaded files (attachments, evidence) under the data directory,
// named by the SHA-256 of their content: the same file uploaded twice is stored once, a
// stored file can never be changed in place, and names from users never reach the file
// system. Types are decided from the content, not from the name the client sent.
package filestore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/sertika/sertika/internal/apperr"
)

// Store is a content-addressed file store rooted at a directory.
type Store struct {
	dir string
}

// New returns a store in dir (created when missing).
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

// Blob describes a stored file.
type Blob struct {
	SHA256      string
	Size        int64
	ContentType string
}

// Document types accepted for attachments.
var (
	TypesDocument = []string{"application/pdf", "image/jpeg", "image/png"}
)

// Put stores r's content when it is at most max bytes and of one of the allowed types.
func (s *Store) Put(r io.Reader, max int64, allowed []string) (Blob, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Blob{}, apperr.Internal(fmt.Errorf("read upload: %w", err))
	}
	head = head[:n]
	if n == 0 {
		return Blob{}, apperr.Invalid("Berkas kosong.")
	}
	ct := http.DetectContentType(head)
	if i := bytes.IndexByte([]byte(ct), ';'); i >= 0 {
		ct = ct[:i]
	}
	ok := false
	for _, a := range allowed {
		if a == ct {
			ok = true
		}
	}
	if !ok {
		return Blob{}, apperr.Invalid("Jenis berkas tidak diterima: hanya PDF, JPG atau PNG.")
	}
	tmp, err := os.CreateTemp(s.dir, ".upload-*")
	if err != nil {
		return Blob{}, apperr.Internal(err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(io.MultiReader(bytes.NewReader(head), r), max+1))
	if err != nil {
		return Blob{}, apperr.Internal(fmt.Errorf("store upload: %w", err))
	}
	if size > max {
		return Blob{}, apperr.New(apperr.CodeTooLarge, fmt.Sprintf("Berkas terlalu besar: paling besar %d MB.", max>>20))
	}
	if err := tmp.Sync(); err != nil {
		return Blob{}, apperr.Internal(err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := s.path(sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return Blob{}, apperr.Internal(err)
	}
	if _, err := os.Stat(final); errors.Is(err, os.ErrNotExist) {
		if err := tmp.Close(); err != nil {
			return Blob{}, apperr.Internal(err)
		}
		if err := os.Rename(tmp.Name(), final); err != nil {
			return Blob{}, apperr.Internal(err)
		}
	}
	return Blob{SHA256: sum, Size: size, ContentType: ct}, nil
}

// Open opens a stored file by its hash.
func (s *Store) Open(sum string) (*os.File, error) {
	if len(sum) != 64 {
		return nil, apperr.NotFound("Berkas tidak ditemukan.")
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return nil, apperr.NotFound("Berkas tidak ditemukan.")
	}
	f, err := os.Open(s.path(sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil, apperr.NotFound("Berkas tidak ditemukan.")
	}
	return f, err
}

func (s *Store) path(sum string) string { return filepath.Join(s.dir, sum[:2], sum) }
