package filestore

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
)

func tinyPNG(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestPutAndOpen(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
	tests := []struct {
		name  string
		data  []byte
		max   int64
		code  apperr.Code
		ctype string
	}{
		{"pdf", pdf, 1 << 20, "", "application/pdf"},
		{"png", tinyPNG(t), 1 << 20, "", "image/png"},
		{"text", []byte("halo, ini bukan PDF"), 1 << 20, apperr.CodeInvalid, ""},
		{"html posing as pdf", []byte("<html><script>alert(1)</script></html>"), 1 << 20, apperr.CodeInvalid, ""},
		{"empty", nil, 1 << 20, apperr.CodeInvalid, ""},
		{"too large", append(append([]byte{}, pdf...), bytes.Repeat([]byte{'x'}, 2048)...), 1024, apperr.CodeTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blob, err := s.Put(bytes.NewReader(tt.data), tt.max, TypesDocument)
			if apperr.CodeOf(err) != tt.code {
				t.Fatalf("Put = %v, want code %q", err, tt.code)
			}
			if tt.code != "" {
				return
			}
			if blob.ContentType != tt.ctype || blob.Size != int64(len(tt.data)) || len(blob.SHA256) != 64 {
				t.Fatalf("blob = %+v", blob)
			}
			f, err := s.Open(blob.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(f)
			f.Close()
			if !bytes.Equal(got, tt.data) {
				t.Error("content differs after a round trip")
			}
			again, err := s.Put(bytes.NewReader(tt.data), tt.max, TypesDocument)
			if err != nil || again.SHA256 != blob.SHA256 {
				t.Errorf("second Put = %+v, %v", again, err)
			}
		})
	}
	for _, bad := range []string{"", "../../etc/passwd", strings.Repeat("z", 64), strings.Repeat("0", 64)} {
		if _, err := s.Open(bad); apperr.CodeOf(err) != apperr.CodeNotFound {
			t.Errorf("Open(%q) = %v, want not found", bad, err)
		}
	}
}
