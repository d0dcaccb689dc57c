package issuer

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
)

// pdfText extracts a PDF's text with poppler's pdftotext, the reader a person's PDF viewer
// resembles.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext (Debian poppler-utils) is required for PDF tests")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", in, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return string(out)
}

func TestRecommendationLetter(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.db.Gorm.Exec(`INSERT INTO agency (id, name, bkpsdm_name, city, head_name, head_nip, head_title, head_rank, updated_at)
			VALUES (1, 'Pemerintah Kota Tidore Kepulauan', 'BKPSDM Kota Tidore Kepulauan', 'Tidore', 'Drs. H. Abdullah Kasim, M.Si.',
			'196608011988031001', 'Kepala BKPSDM Kota Tidore Kepulauan', 'Pembina Utama Muda (IV/c)', ?)`, f.db.Now())
		d := f.mustCreate(t)
		id := d.Request.ID
		if _, _, err := f.svc.RecommendationLetter(ctx, f.opdUser, id); apperr.CodeOf(err) != apperr.CodeConflict {
			t.Fatalf("letter before approval: %v, want conflict", err)
		}
		mustDetail(t)(f.svc.Submit(ctx, f.opdUser, id, ""))
		mustDetail(t)(f.svc.Approve(ctx, f.rev, id, ""))
		pdf, name, err := f.svc.RecommendationLetter(ctx, f.opdUser, id)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) || name != "surat-rekomendasi-800.1-0001-BKPSDM-2026.pdf" {
			t.Fatalf("name %q, head %q", name, pdf[:8])
		}
		text := pdfText(t, pdf)
		for _, want := range []string{"SURAT REKOMENDASI", "800.1/0001/BKPSDM/2026", "Pelatihan Teknis Penyusunan Modul Ajar",
			"Andi Wijaya", "19660801 198803 1 001", "Siti Rahmawati", "10–12 Maret 2026", "24 JP", "Drs. H. Abdullah Kasim, M.Si.",
			"Dinas Pendidikan", "2 Maret 2026", "verifikator"} {
			if !strings.Contains(text, want) {
				t.Errorf("letter text lacks %q:\n%s", want, text)
			}
		}
		if out := os.Getenv("SERTIKA_DUMP_LETTER"); out != "" {
			os.WriteFile(out, pdf, 0o600)
		}
		again, _, _ := f.svc.RecommendationLetter(ctx, f.rev, id)
		if !bytes.Equal(pdf, again) {
			t.Error("the same letter rendered twice differs")
		}
		if _, _, err := f.svc.RecommendationLetter(ctx, f.opdUserB, id); apperr.CodeOf(err) != apperr.CodeForbidden {
			t.Errorf("other OPD: %v, want forbidden", err)
		}
	})
}

func mustDetail(t *testing.T) func(*Detail, error) *Detail {
	return func(d *Detail, err error) *Detail {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
}
