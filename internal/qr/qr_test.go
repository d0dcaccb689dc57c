package qr_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/qr"
	"github.com/sertika/sertika/verifier"
)

// Longest realistic values: a long public host name, a 16-character issuer code, an 18-digit
// NIP, 9999 JP, a two-digit SIASN kind number and a full-length key id.
const (
	longPublicURL    = "https://sertifikat-elektronik.bkpsdm.tidorekepulauankota.go.id"
	typicalPublicURL = "https://sertika.bkpsdm.tidorekota.go.id"
)

type tokenCase struct {
	name, publicURL string
	claims          verifier.Claims
	kid             string
}

func tokenCases() []tokenCase {
	return []tokenCase{
		{
			name:      "typical",
			publicURL: typicalPublicURL,
			kid:       "K7QHZ3MV",
			claims: verifier.Claims{
				Issuer: "TIDORE", Subject: "198503122010011004", ID: "ABCDEFGHJKMNPQRS",
				IssuedAt: time.Date(2026, 3, 20, 2, 0, 0, 0, time.UTC).Unix(), JP: 24,
				Start: verifier.DayNumber(domain.NewDate(2026, 3, 10)), End: verifier.DayNumber(domain.NewDate(2026, 3, 12)),
				Kind: "bimtek", Digest: strings.Repeat("D", 26),
			},
		},
		{
			// The longest realistic values: a long host, a 16-character issuer code, NIP,
			// JP 9999, a two-digit kind and dates that need the most digits; the key id is
			// 8 characters as internal/keys makes them.
			name:      "longest",
			publicURL: longPublicURL,
			kid:       "ZZZZ7777",
			claims: verifier.Claims{
				Issuer: "TIDOREKEPULAUAN1", Subject: "199912312099121999", ID: "ZZZZ7777ZZZZ7777",
				IssuedAt: time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC).Unix(), JP: 9999,
				Start: verifier.DayNumber(domain.NewDate(2099, 1, 1)), End: verifier.DayNumber(domain.NewDate(2099, 12, 31)),
				Kind: "komunitas_belajar", Digest: strings.Repeat("Z", 26),
			},
		},
		{
			// Every field at the limit the token format accepts, a 16-character key id included.
			name:      "format-limits",
			publicURL: longPublicURL,
			kid:       "ZZZZ7777ZZZZ7777",
			claims: verifier.Claims{
				Issuer: "TIDOREKEPULAUAN1", Subject: "199912312099121999", ID: "ZZZZ7777ZZZZ7777",
				IssuedAt: time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC).Unix(), JP: 9999,
				Start: verifier.DayNumber(domain.NewDate(2099, 1, 1)), End: verifier.DayNumber(domain.NewDate(2099, 12, 31)),
				Kind: "komunitas_belajar", Digest: strings.Repeat("Z", 26),
			},
		},
	}
}

// signed returns the compact JWS and the QR URL of a case, signed with a key from a fixed seed.
func signed(t testing.TB, c tokenCase) (compact, url string) {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	compact, err := verifier.Sign(c.claims, c.kid, key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	short, err := verifier.Short(compact)
	if err != nil {
		t.Fatalf("short: %v", err)
	}
	return compact, verifier.VerifyURL(c.publicURL, short)
}

// TestVersionBudget is the size budget: the longest realistic verification URL must
// fit QR version 12 at level M. It also logs what the compact JWS would have cost.
func TestVersionBudget(t *testing.T) {
	for _, c := range tokenCases() {
		t.Run(c.name, func(t *testing.T) {
			compact, url := signed(t, c)
			code, err := qr.Encode(url)
			if err != nil {
				t.Fatal(err)
			}
			if err := qr.CheckBudget(url); err != nil {
				t.Errorf("CheckBudget(%d chars): %v", len(url), err)
			}
			if code.Version() > qr.MaxVersion {
				t.Errorf("version = %d, want ≤ %d", code.Version(), qr.MaxVersion)
			}
			if got, want := code.Modules(), 17+4*code.Version(); got != want {
				t.Errorf("Modules() = %d, want %d", got, want)
			}
			// The same token as a compact JWS (lower-case base64url) forces byte mode.
			jwsURL := strings.TrimRight(c.publicURL, "/") + "/v/" + compact
			jws, err := qr.Encode(jwsURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: short-form URL %d chars → version %d (%d modules, %.2f mm/module at 30 mm); "+
				"compact-JWS URL %d chars in byte mode → version %d (%d modules, %.2f mm/module)",
				c.name, len(url), code.Version(), code.Modules(), 30/float64(code.Modules()),
				len(jwsURL), jws.Version(), jws.Modules(), 30/float64(jws.Modules()))
			if rest := strings.Trim(url, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"); rest != "" {
				t.Errorf("URL has characters outside the QR alphanumeric set: %q", rest)
			}
			// The same short form in lower case falls back to byte mode.
			lower, err := qr.Encode(strings.ToLower(url))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: the short-form URL in lower case (byte mode) → version %d", c.name, lower.Version())
			if jws.Version() <= code.Version() {
				t.Errorf("compact JWS version %d not larger than short form %d: is the short form still needed?",
					jws.Version(), code.Version())
			}
		})
	}
}

// TestPublicURLHeadroom logs how long SERTIKA_PUBLIC_URL may be before a certificate with
// every token field at its limit outgrows the budget.
func TestPublicURLHeadroom(t *testing.T) {
	c := tokenCases()[2]
	_, url := signed(t, c)
	short := url[strings.Index(url, "/V/")+3:]
	host := func(n int) string { return "https://s" + strings.Repeat("x", n) + ".go.id" }
	lo, hi := 0, 1000 // fits with lo extra characters, not with hi
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; qr.CheckBudget(verifier.VerifyURL(host(mid), short)) == nil {
			lo = mid
		} else {
			hi = mid
		}
	}
	longest := host(lo)
	t.Logf("public URLs up to %d characters fit version %d with every token field at its limit", len(longest), qr.MaxVersion)
	if len(longest) < len(longPublicURL) {
		t.Errorf("only %d-character public URLs fit; the realistic longest is %d", len(longest), len(longPublicURL))
	}
}

func TestCheckBudgetFails(t *testing.T) {
	long := "HTTPS://EXAMPLE.GO.ID/V/" + strings.Repeat("A1B2C3D4", 80)
	err := qr.CheckBudget(long)
	var be *qr.BudgetError
	if !errors.As(err, &be) || be.Version <= qr.MaxVersion || !strings.Contains(err.Error(), "versi "+strconv.Itoa(be.Version)) {
		t.Fatalf("CheckBudget(%d chars) = %v, want a *BudgetError naming the version", len(long), err)
	}
	if err := qr.CheckBudget(strings.Repeat("x", 5000)); err == nil {
		t.Error("CheckBudget accepted content too long for any QR version")
	}
}

func TestPNGGeometry(t *testing.T) {
	_, url := signed(t, tokenCases()[0])
	code, err := qr.Encode(url)
	if err != nil {
		t.Fatal(err)
	}
	bm := code.Bitmap()
	for _, size := range []int{1, 2, 3, 5} {
		b, err := code.PNG(size)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		pal, ok := img.(*image.Paletted)
		if !ok || len(pal.Palette) != 2 {
			t.Fatalf("size %d: image is %T, want a two-colour paletted image", size, img)
		}
		side := (code.Modules() + 2*qr.QuietZone) * size
		if got := img.Bounds(); got.Dx() != side || got.Dy() != side {
			t.Fatalf("size %d: bounds %v, want %d×%d", size, got, side, side)
		}
		// Every pixel equals its module: whole pixels per module, nothing blurred.
		for py := 0; py < side; py++ {
			for px := 0; px < side; px++ {
				mx, my := px/size-qr.QuietZone, py/size-qr.QuietZone
				want := my >= 0 && my < len(bm) && mx >= 0 && mx < len(bm) && bm[my][mx]
				r, _, _, _ := img.At(px, py).RGBA()
				if dark := r == 0; dark != want {
					t.Fatalf("size %d: pixel (%d,%d) dark=%v, want %v", size, px, py, dark, want)
				}
			}
		}
	}
	if _, err := code.PNG(0); err == nil {
		t.Error("PNG(0) succeeded, want an error")
	}
}

func TestBitmapIsACopy(t *testing.T) {
	code, err := qr.Encode("HTTPS://EXAMPLE.GO.ID/V/S1")
	if err != nil {
		t.Fatal(err)
	}
	was := code.Dark(0, 0)
	code.Bitmap()[0][0] = !was
	if code.Dark(0, 0) != was {
		t.Error("changing Bitmap()'s result changed the code")
	}
	if !was {
		t.Error("top-left module is light; the finder pattern starts dark")
	}
}

// TestPNGDecodesWithZbar reads the rendered PNG back with an independent decoder.
func TestPNGDecodesWithZbar(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not installed (Debian: zbar-tools)")
	}
	for _, c := range tokenCases() {
		_, url := signed(t, c)
		code, err := qr.Encode(url)
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{2, 3, 4} {
			t.Run(c.name+"/"+strconv.Itoa(size)+"px", func(t *testing.T) {
				b, err := code.PNG(size)
				if err != nil {
					t.Fatal(err)
				}
				file := filepath.Join(t.TempDir(), "qr.png")
				if err := os.WriteFile(file, b, 0o600); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(zbar, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", file).Output()
				if err != nil {
					t.Fatalf("zbarimg: %v", err)
				}
				if got := strings.TrimSuffix(string(out), "\n"); got != url {
					t.Errorf("zbarimg read %q, want %q", got, url)
				}
			})
		}
	}
}

// cpuTime is the CPU time this process has used: on a busy machine it measures the work per
// operation better than the wall clock does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkQREncode(b *testing.B) {
	for _, c := range tokenCases()[:2] {
		b.Run(c.name, func(b *testing.B) {
			_, url := signed(b, c)
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				if _, err := qr.Encode(url); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

func BenchmarkQRPNG(b *testing.B) {
	_, url := signed(b, tokenCases()[1])
	code, err := qr.Encode(url)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := code.PNG(4); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}
