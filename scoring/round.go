package scoring

import (
	"math"
	"strconv"
	"strings"
)

// Round2 rounds x half away from zero to 2 decimals, as the rules require before a category
// is chosen. It rounds the number as written, not the binary double: x is first read to 9
// decimals (which removes floating-point noise such as 1.005 being stored as
// 1.00499999999999989…), then the decimal digits are rounded. So Round2(1.005) = 1.01,
// Round2(-2.675) = -2.68 and Round2(71.585) = 71.59.
func Round2(x float64) float64 {
	// Fast path: x already has at most 2 decimals (as almost every point value has), so the
	// decimal reading below would give x back. (Zero returns +0, as the slow path does.)
	if c := math.Round(x * 100); c/100 == x && math.Abs(c) < 1e15 {
		return x + 0
	}
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
	if x < 0 && cents != 0 { // no negative zero: JSON would print "-0"
		r = -r
	}
	return r
}

// cents returns a 2-decimal value as an exact count of hundredths.
func cents(x float64) int64 { return int64(math.Round(Round2(x) * 100)) }

// divRound returns num/den rounded half away from zero, exactly (den > 0).
func divRound(num, den int64) int64 {
	if num < 0 {
		return -divRound(-num, den)
	}
	return (2*num + den) / (2 * den)
}

// fromCents turns hundredths back into a value.
func fromCents(c int64) float64 { return float64(c) / 100 }

// num formats a number for Indonesian text: at most 2 decimals, a decimal comma ("22,5").
func num(x float64) string {
	return strings.Replace(strconv.FormatFloat(Round2(x), 'f', -1, 64), ".", ",", 1)
}
