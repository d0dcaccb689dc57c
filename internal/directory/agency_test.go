package directory_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for x := 0; x < 4; x++ {
		img.Set(x, x, color.RGBA{R: 200, A: 255})
	}
	return img
}

// MustPNG returns a small PNG image.
func MustPNG(tb testing.TB) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage()); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// MustJPEG returns a small JPEG image.
func MustJPEG(tb testing.TB) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(), nil); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// padded returns img followed by zero bytes up to n bytes in all.
func padded(img []byte, n int) []byte {
	out := make([]byte, n)
	copy(out, img)
	return out
}

var validAgency = directory.AgencyInput{
	Name:       "Pemerintah Kabupaten Contoh",
	BKPSDMName: "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
	Address:    "Jl. Merdeka No. 1",
	City:       "Contoh",
	HeadName:   "Dr. Andi Wijaya, S.Kom., M.T.",
	HeadNIP:    "19660801 198803 1 001",
	HeadTitle:  "Kepala BKPSDM",
	HeadRank:   "Pembina Utama Muda (IV/c)",
}

func TestGetAgencyBeforeSet(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		ag, err := directory.New(db).GetAgency(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ag.ID != 1 || ag.Name != "" || ag.BKPSDMName != "" || ag.HeadNIP != "" || ag.Logo != nil || ag.LogoType != "" {
			t.Errorf("GetAgency before set = %+v, want an empty agency with id 1", ag)
		}
		if n := count(t, db, "agency"); n != 0 {
			t.Errorf("GetAgency wrote %d rows, want 0", n)
		}
	})
}

func TestUpdateAgencyValidation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		s := directory.New(db)
		with := func(f func(*directory.AgencyInput)) directory.AgencyInput {
			in := validAgency
			f(&in)
			return in
		}
		pngLogo := MustPNG(t)
		tests := []struct {
			name string
			in   directory.AgencyInput
			logo []byte
			code apperr.Code
			msg  string
		}{
			{"no name", with(func(in *directory.AgencyInput) { in.Name = "  " }), nil, apperr.CodeInvalid, "Nama pemerintah daerah wajib diisi"},
			{"no bkpsdm name", with(func(in *directory.AgencyInput) { in.BKPSDMName = "" }), nil, apperr.CodeInvalid, "Nama BKPSDM wajib diisi"},
			{"name too long", with(func(in *directory.AgencyInput) { in.Name = strings.Repeat("n", 201) }), nil, apperr.CodeInvalid, "paling panjang 200"},
			{"address too long", with(func(in *directory.AgencyInput) { in.Address = strings.Repeat("a", 301) }), nil, apperr.CodeInvalid, "Alamat paling panjang 300"},
			{"control char", with(func(in *directory.AgencyInput) { in.City = "Kota\x00" }), nil, apperr.CodeInvalid, "karakter kendali"},
			{"head nip short", with(func(in *directory.AgencyInput) { in.HeadNIP = "12345" }), nil, apperr.CodeInvalid, "NIP kepala tidak sah: NIP harus 18 digit, bukan 5 digit."},
			{"head nip letters", with(func(in *directory.AgencyInput) { in.HeadNIP = "19660801198803100A" }), nil, apperr.CodeInvalid, "NIP kepala tidak sah: NIP hanya boleh berisi angka"},
			{"head nip bad date", with(func(in *directory.AgencyInput) { in.HeadNIP = "196613011988031001" }), nil, apperr.CodeInvalid, "bukan tanggal lahir yang sah"},
			{"head nip future", with(func(in *directory.AgencyInput) { in.HeadNIP = "199001012099011001" }), nil, apperr.CodeInvalid, "masa depan"},
			{"head nip sequence 000", with(func(in *directory.AgencyInput) { in.HeadNIP = "196608011988031000" }), nil, apperr.CodeInvalid, "tidak boleh 000"},
			{"text logo", validAgency, []byte("this is not an image, just some text\n"), apperr.CodeInvalid, "PNG atau JPEG"},
			{"html logo", validAgency, []byte("<html><script>alert(1)</script></html>"), apperr.CodeInvalid, "PNG atau JPEG"},
			{"svg logo", validAgency, []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`), apperr.CodeInvalid, "PNG atau JPEG"},
			{"gif logo", validAgency, []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), apperr.CodeInvalid, "PNG atau JPEG"},
			{"empty logo", validAgency, []byte{}, apperr.CodeInvalid, "PNG atau JPEG"},
			{"logo over 1 MB", validAgency, padded(pngLogo, directory.MaxLogoBytes+1), apperr.CodeTooLarge, "1 MB"},
			{"text over 1 MB", validAgency, bytes.Repeat([]byte("x"), 2*directory.MaxLogoBytes), apperr.CodeTooLarge, "1 MB"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ag, err := s.UpdateAgency(ctx, admin, tt.in, tt.logo)
				wantCode(t, err, tt.code, tt.msg)
				if ag.Name != "" {
					t.Errorf("refused update returned %+v", ag)
				}
				if n := count(t, db, "agency"); n != 0 {
					t.Errorf("agency rows = %d after refusal, want 0", n)
				}
				if n := count(t, db, "audit_log"); n != 0 {
					t.Errorf("audit_log = %d after refusal, want 0", n)
				}
			})
		}
	})
}

func TestUpdateAgency(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		s := directory.New(db)
		pngLogo, jpegLogo := MustPNG(t), MustJPEG(t)

		t.Run("first set with PNG", func(t *testing.T) {
			in := validAgency
			in.Name = `  Pemkab <b>"Contoh"</b> & 'Sekitarnya'; DROP TABLE agency; --  `
			ag, err := s.UpdateAgency(ctx, admin, in, pngLogo)
			if err != nil {
				t.Fatalf("UpdateAgency = %v", err)
			}
			got, err := s.GetAgency(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantName := strings.TrimSpace(in.Name)
			for _, a := range []domain.Agency{ag, got} {
				if a.ID != 1 || a.Name != wantName || a.BKPSDMName != validAgency.BKPSDMName || a.HeadNIP != "196608011988031001" ||
					a.HeadName != validAgency.HeadName || a.HeadRank != validAgency.HeadRank || a.City != "Contoh" ||
					a.LogoType != "image/png" || !bytes.Equal(a.Logo, pngLogo) || a.UpdatedAt.IsZero() {
					t.Errorf("agency = %+v (logo %d bytes), want the input with normalized NIP and the PNG", a, len(a.Logo))
				}
			}
		})
		t.Run("nil logo keeps logo", func(t *testing.T) {
			in := validAgency
			in.City = "Kota Baru"
			in.HeadNIP = ""
			if _, err := s.UpdateAgency(ctx, admin, in, nil); err != nil {
				t.Fatal(err)
			}
			got, _ := s.GetAgency(ctx)
			if got.City != "Kota Baru" || got.HeadNIP != "" || got.LogoType != "image/png" || !bytes.Equal(got.Logo, pngLogo) {
				t.Errorf("agency = %+v, want city changed, NIP cleared, PNG kept", got)
			}
		})
		t.Run("refusal keeps agency", func(t *testing.T) {
			_, err := s.UpdateAgency(ctx, admin, validAgency, []byte("not an image at all"))
			wantCode(t, err, apperr.CodeInvalid, "")
			got, _ := s.GetAgency(ctx)
			if got.City != "Kota Baru" || !bytes.Equal(got.Logo, pngLogo) {
				t.Errorf("agency changed by a refused update: %+v", got)
			}
		})
		t.Run("JPEG replaces", func(t *testing.T) {
			if _, err := s.UpdateAgency(ctx, admin, validAgency, jpegLogo); err != nil {
				t.Fatal(err)
			}
			got, _ := s.GetAgency(ctx)
			if got.LogoType != "image/jpeg" || !bytes.Equal(got.Logo, jpegLogo) {
				t.Errorf("logo type %q, %d bytes; want the JPEG", got.LogoType, len(got.Logo))
			}
		})
		t.Run("exactly 1 MB accepted", func(t *testing.T) {
			big := padded(pngLogo, directory.MaxLogoBytes)
			if _, err := s.UpdateAgency(ctx, admin, validAgency, big); err != nil {
				t.Fatalf("UpdateAgency with a %d-byte PNG = %v, want accepted", len(big), err)
			}
			got, _ := s.GetAgency(ctx)
			if !bytes.Equal(got.Logo, big) {
				t.Errorf("stored logo %d bytes, want %d", len(got.Logo), len(big))
			}
		})
		if n := count(t, db, "agency"); n != 1 {
			t.Errorf("agency rows = %d, want 1", n)
		}
		var actions []string
		db.Gorm.Table("audit_log").Order("id").Pluck("action", &actions)
		if strings.Join(actions, ",") != "agency.update,agency.update,agency.update,agency.update" {
			t.Errorf("audit actions = %v, want one agency.update per accepted update (4)", actions)
		}
	})
}

// Every write must run on its transaction's connection alone: a read through the pool from
// inside a transaction needs a second connection and stalls (or, with one connection,
// deadlocks) when the pool is busy.
func TestWritesUseOneConnection(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := MustFixture(t, db)
		db.SQL.SetMaxOpenConns(1)
		writes := []struct {
			name string
			do   func(ctx context.Context) error
		}{
			{"CreateOPD", func(ctx context.Context) error {
				_, err := f.svc.CreateOPD(ctx, admin, directory.OPDInput{Code: "BARU", Name: "Dinas Baru"})
				return err
			}},
			{"UpdateOPD", func(ctx context.Context) error {
				_, err := f.svc.UpdateOPD(ctx, admin, "BARU", directory.OPDInput{Name: "Dinas Lebih Baru"})
				return err
			}},
			{"UpdateAgency first", func(ctx context.Context) error {
				_, err := f.svc.UpdateAgency(ctx, admin, validAgency, MustPNG(t))
				return err
			}},
			{"UpdateAgency again", func(ctx context.Context) error {
				_, err := f.svc.UpdateAgency(ctx, admin, validAgency, nil)
				return err
			}},
		}
		for _, w := range writes {
			t.Run(w.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := w.do(ctx); err != nil {
					t.Fatalf("%s with one connection = %v, want success", w.name, err)
				}
			})
		}
	})
}
