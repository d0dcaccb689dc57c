package scoring

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// round2Reference is Round2 without its fast path: the decimal reading of x, rounded.
func round2Reference(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1e15 {
		return x
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', 9, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	whole, _ := strconv.ParseInt(intPart, 10, 64)
	cents := whole*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	if frac[2] >= '5' {
		cents++
	}
	r := float64(cents) / 100
	if x < 0 && cents != 0 {
		r = -r
	}
	return r
}

// The fast path of Round2 (values that already have at most 2 decimals) returns exactly
// what the decimal reading returns, bit for bit (no negative zero either).
func TestRound2FastPathMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(x float64) {
		t.Helper()
		got, want := Round2(x), round2Reference(x)
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("Round2(%v) = %v, reference %v", x, got, want)
		}
	}
	for _, x := range []float64{0, math.Copysign(0, -1), 1.005, -2.675, 71.585, 22.5, 0.01, -0.01, 0.005, -0.005,
		1e13, 1e13 + 0.01, 9.99e14, 1e15, -1e15, 1e16, math.Inf(1), math.Inf(-1), math.NaN(),
		math.SmallestNonzeroFloat64, math.MaxFloat64, 0.1 + 0.2, 99.99, 100} {
		check(x)
	}
	for range 2_000_000 {
		var x float64
		switch r.IntN(5) {
		case 0: // cents
			x = float64(r.Int64N(2_000_001)-1_000_000) / 100
		case 1: // points with up to 4 decimals
			x = float64(r.Int64N(2_000_001)-1_000_000) / 10000
		case 2: // sums of cents, as totals are
			x = float64(r.IntN(4001))/100 + float64(r.IntN(3001))/100 + float64(r.IntN(501))/100
		case 3: // large magnitudes
			x = float64(r.Int64N(1<<52)) / 100 * float64(1+r.IntN(200))
		default: // anything
			x = (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(18)))
		}
		check(x)
	}
}
