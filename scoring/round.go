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
	var a [32]byte
	return string(appendNum(a[:0], x))
}

// appendNum appends num(x).
func appendNum(dst []byte, x float64) []byte { return appendDecimal(dst, Round2(x), ',') }

// appendDecimal appends x as strconv.AppendFloat(dst, x, 'f', -1, 64) does, with point as
// the decimal point. A whole number of hundredths (every score and point value) is written
// from its integer count of hundredths, which is several times faster than the general
// shortest-representation algorithm and gives the same digits: below 1e13 two numbers with
// at most 2 decimals are more than a unit in the last place apart, so the shortest decimal
// that reads back as x is x's own 2-decimal form with trailing zeros dropped.
func appendDecimal(dst []byte, x float64, point byte) []byte {
	c := math.Round(x * 100)
	if c/100 != x || math.Abs(c) >= 1e15 || math.Signbit(x) && x == 0 {
		n := len(dst)
		dst = strconv.AppendFloat(dst, x, 'f', -1, 64)
		if point != '.' {
			for i := n; i < len(dst); i++ {
				if dst[i] == '.' {
					dst[i] = point
					break
				}
			}
		}
		return dst
	}
	h := int64(c)
	if h < 0 {
		dst = append(dst, '-')
		h = -h
	}
	dst = strconv.AppendInt(dst, h/100, 10)
	if f := h % 100; f != 0 {
		dst = append(dst, point, byte('0'+f/10))
		if f%10 != 0 {
			dst = append(dst, byte('0'+f%10))
		}
	}
	return dst
}

// decimalComma replaces the first '.' of b by a ',' and returns b.
func decimalComma(b []byte) []byte {
	for i, c := range b {
		if c == '.' {
			b[i] = ','
			break
		}
	}
	return b
}
