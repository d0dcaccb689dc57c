package issuer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/filestore"
)

// withStore gives the fixture a file store in a directory the test can inspect.
func (f *fixture) withStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files, err := filestore.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = New(f.db, files, Options{MaxAttachmentBytes: 1 << 20})
	return dir
}

// storedFiles counts the files kept in the store (temporary uploads excluded).
func storedFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			if strings.HasPrefix(d.Name(), ".upload-") {
				t.Errorf("temporary upload left behind: %s", p)
			}
			n++
		}
		return nil
	})
	mustDo(t, err)
	return n
}

func TestAttachmentTypesAndLimits(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		dir := f.withStore(t)
		id := f.mustCreate(t).Request.ID
		bigPDF := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 1<<20)...)
		exactPDF := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 1<<20-9)...)
		cases := []struct {
			name, purpose, file string
			content             []byte
			wantType            string
			code                apperr.Code // "" = accepted
		}{
			{"pdf", PurposeProposal, "tor.pdf", tinyPDF(), "application/pdf", ""},
			{"png", PurposeProposal, "undangan.png", tinyPNG(t), "image/png", ""},
			{"jpeg", PurposeEvidence, "foto.jpg", tinyJPEG(t), "image/jpeg", ""},
			{"exactly the limit", PurposeReport, "laporan.pdf", exactPDF, "application/pdf", ""},
			{"type decided by content, not name", PurposeProposal, "C:\\Users\\opd\\scan.txt", tinyPDF(), "application/pdf", ""},
			{"plain text", PurposeProposal, "catatan.txt", []byte("Ini hanya catatan biasa, bukan dokumen.\n"), "", apperr.CodeInvalid},
			{"text named .pdf", PurposeProposal, "tor.pdf", []byte("bukan pdf sama sekali"), "", apperr.CodeInvalid},
			{"exe", PurposeProposal, "setup.exe", append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 64)...), "", apperr.CodeInvalid},
			{"html", PurposeProposal, "x.html", []byte("<html><script>alert(1)</script></html>"), "", apperr.CodeInvalid},
			{"one byte too large", PurposeProposal, "besar.pdf", bigPDF, "", apperr.CodeTooLarge},
			{"empty", PurposeProposal, "kosong.pdf", nil, "", apperr.CodeInvalid},
			{"unknown purpose", "lainnya", "tor.pdf", tinyPDF(), "", apperr.CodeInvalid},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := f.snap(t, id)
				files0 := storedFiles(t, dir)
				att, err := f.svc.AddAttachment(bg, f.opdUser, id, tc.purpose, tc.file, bytes.NewReader(tc.content))
				if tc.code != "" {
					assertCode(t, err, tc.code)
					assertUnchanged(t, before, f.snap(t, id))
					if n := storedFiles(t, dir); n != files0 {
						t.Errorf("refused upload stored a file: %d → %d", files0, n)
					}
					return
				}
				if err != nil {
					t.Fatalf("got %v, want accepted", err)
				}
				sum := sha256.Sum256(tc.content)
				if att.ContentType != tc.wantType || att.SizeBytes != int64(len(tc.content)) || att.SHA256 != hex.EncodeToString(sum[:]) {
					t.Errorf("attachment = %+v, want type %s size %d", att, tc.wantType, len(tc.content))
				}
				if strings.ContainsAny(att.FileName, `/\`) {
					t.Errorf("file name keeps a path: %q", att.FileName)
				}
				after := f.snap(t, id)
				if after.Attachments != before.Attachments+1 || after.Events != before.Events+1 {
					t.Errorf("attachments %d→%d, events %d→%d", before.Attachments, after.Attachments, before.Events, after.Events)
				}
				if after.State != before.State || after.Version != before.Version+1 {
					t.Errorf("attaching: %s v%d → %s v%d; want the same state, the next version", before.State, before.Version, after.State, after.Version)
				}
			})
		}
		t.Run("path stripped from file name", func(t *testing.T) {
			var att Attachment
			mustDo(t, f.db.Gorm.Where("request_id = ? AND file_name = ?", id, "scan.txt").Take(&att).Error)
		})
	})
}

func TestAttachmentDedupAndAccess(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		dir := f.withStore(t)
		id := f.mustCreate(t).Request.ID
		other := f.mustCreate(t).Request.ID
		content := tinyPDF()
		a1, err := f.svc.AddAttachment(bg, f.opdUser, id, PurposeProposal, "tor.pdf", bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		a2, err := f.svc.AddAttachment(bg, f.opdUser, other, PurposeProposal, "tor-salinan.pdf", bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		t.Run("same content stored once", func(t *testing.T) {
			if a1.SHA256 != a2.SHA256 || a1.ID == a2.ID {
				t.Errorf("sha %s / %s, ids %d / %d", a1.SHA256, a2.SHA256, a1.ID, a2.ID)
			}
			if n := storedFiles(t, dir); n != 1 {
				t.Errorf("stored files = %d, want 1", n)
			}
		})

		read := func(t *testing.T, who string, reqID, attID int64) ([]byte, error) {
			t.Helper()
			att, rc, err := f.svc.OpenAttachment(bg, f.who(t, who), reqID, attID)
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			if att.ID != attID {
				t.Errorf("opened attachment %d, want %d", att.ID, attID)
			}
			return io.ReadAll(rc)
		}
		check := func(t *testing.T, state State) {
			for _, who := range actorNames {
				t.Run(who, func(t *testing.T) {
					b, err := read(t, who, id, a1.ID)
					if canRead(who, state) {
						if err != nil {
							t.Fatalf("got %v, want readable", err)
						}
						if !bytes.Equal(b, content) {
							t.Errorf("content differs")
						}
						return
					}
					assertCode(t, err, apperr.CodeForbidden)
				})
			}
		}
		t.Run("draft", func(t *testing.T) { check(t, StateDraft) })
		f.drive(t, id, StateSubmitted)
		t.Run("submitted", func(t *testing.T) { check(t, StateSubmitted) })
		t.Run("attachment of another request", func(t *testing.T) {
			_, err := read(t, "admin", id, a2.ID)
			assertCode(t, err, apperr.CodeNotFound)
		})
		t.Run("unknown attachment", func(t *testing.T) {
			_, err := read(t, "opdUser", id, 987654)
			assertCode(t, err, apperr.CodeNotFound)
		})
	})
}

// Attachments are refused where the workflow does not allow them, whatever the file, and
// before the upload is stored.
func TestAttachmentRefusedInState(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		dir := f.withStore(t)
		for _, st := range matrixStates {
			allowed := expectedOutcome(ActionAttach, st, "opdUser") == outMoves
			t.Run(string(st), func(t *testing.T) {
				id := f.requestIn(t, st)
				files0 := storedFiles(t, dir)
				before := f.snap(t, id)
				_, err := f.svc.AddAttachment(bg, f.opdUser, id, PurposeAttendance, "hadir.png", bytes.NewReader(tinyPNG(t)))
				if allowed {
					if err != nil {
						t.Fatalf("got %v, want accepted in %s", err, st)
					}
					return
				}
				assertCode(t, err, apperr.CodeConflict)
				assertUnchanged(t, before, f.snap(t, id))
				if n := storedFiles(t, dir); n != files0 {
					t.Errorf("refused upload stored a file")
				}
			})
		}
		t.Run("other OPD, before reading the file", func(t *testing.T) {
			id := f.mustCreate(t).Request.ID
			files0 := storedFiles(t, dir)
			before := f.snap(t, id)
			_, err := f.svc.AddAttachment(bg, f.opdUserB, id, PurposeProposal, "x.jpg", bytes.NewReader(tinyJPEG(t)))
			assertCode(t, err, apperr.CodeForbidden)
			assertUnchanged(t, before, f.snap(t, id))
			if n := storedFiles(t, dir); n != files0 {
				t.Errorf("forbidden upload stored a file")
			}
		})
		t.Run("at most MaxAttachments", func(t *testing.T) {
			id := f.mustCreate(t).Request.ID
			for i := 0; i < MaxAttachments; i++ {
				if _, err := f.svc.AddAttachment(bg, f.opdUser, id, PurposeProposal, "tor.pdf", bytes.NewReader(tinyPDF())); err != nil {
					t.Fatalf("attachment %d: %v", i+1, err)
				}
			}
			before := f.snap(t, id)
			_, err := f.svc.AddAttachment(bg, f.opdUser, id, PurposeProposal, "tor.pdf", bytes.NewReader(tinyPDF()))
			assertCode(t, err, apperr.CodeInvalid)
			assertUnchanged(t, before, f.snap(t, id))
		})
	})
}
