// Package nip parses and validates the 18-digit numbers that identify Indonesian civil
// servants: the NIP of a PNS and the NI PPPK of a contract employee (rules document §9).
// Parse explains, in Indonesian, exactly why a number is invalid.
//
// Layout of a PNS NIP:   YYYYMMDD (birth) · YYYYMM (TMT CPNS) · sex · 3-digit sequence.
// Layout of an NI PPPK:  YYYYMMDD (birth) · YYYY (appointment) · "2" + contract digit · sex · sequence.
// Digits 13–14 tell them apart: a month (01–12) for a PNS, 21–29 for a PPPK.
package nip

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kinds of number.
const (
	KindPNS  = "PNS"
	KindPPPK = "PPPK"
)

// Info is what an 18-digit number says about its holder.
type Info struct {
	NIP           string    // the 18 digits, spaces removed
	Kind          string    // KindPNS or KindPPPK
	BirthDate     time.Time // UTC midnight
	AppointYear   int       // TMT CPNS year (PNS) or appointment year (PPPK)
	AppointMonth  int       // TMT CPNS month (PNS only; 0 for PPPK)
	ContractDigit int       // digit 14 of an NI PPPK
	Male          bool      // sex digit 1
	Sequence      int       // 1–999
}

// Error says why a number is invalid. Rule names the rule broken (a stable identifier for
// tests and clients); Message is the Indonesian explanation.
type Error struct {
	Input   string
	Rule    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Rules broken, as reported in Error.Rule.
const (
	RuleEmpty     = "empty"
	RuleDigits    = "digits"
	RuleLength    = "length"
	RuleBirthDate = "birth_date"
	RuleMonth     = "appointment_month"
	RuleAppoint   = "appointment"
	RuleSex       = "sex"
	RuleSequence  = "sequence"
)

// Normalize removes the spaces, dots and dashes people type inside numbers
// ("19660801 198803 1 001" → "196608011988031001").
func Normalize(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '\t', '\u00a0':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// Parse validates s against today's date.
func Parse(s string) (Info, error) { return ParseAt(s, time.Now()) }

// Valid reports whether s is a valid NIP or NI PPPK today.
func Valid(s string) bool { _, err := Parse(s); return err == nil }

// ParseAt validates s as of now (appointments may not lie in the future).
func ParseAt(s string, now time.Time) (Info, error) {
	n := Normalize(s)
	fail := func(rule, format string, a ...any) (Info, error) {
		return Info{}, &Error{Input: s, Rule: rule, Message: fmt.Sprintf(format, a...)}
	}
	if n == "" {
		return fail(RuleEmpty, "NIP wajib diisi.")
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return fail(RuleDigits, "NIP hanya boleh berisi angka (ditemukan %q).", string(r))
		}
	}
	if len(n) != 18 {
		return fail(RuleLength, "NIP harus 18 digit, bukan %d digit.", len(n))
	}
	num := func(a, b int) int { v, _ := strconv.Atoi(n[a:b]); return v }
	by, bm, bd := num(0, 4), num(4, 6), num(6, 8)
	birth := time.Date(by, time.Month(bm), bd, 0, 0, 0, 0, time.UTC)
	if bm < 1 || bm > 12 || bd < 1 || birth.Day() != bd || birth.Month() != time.Month(bm) {
		return fail(RuleBirthDate, "Digit 1–8 NIP (%s) bukan tanggal lahir yang sah (format TTTTBBHH).", n[0:8])
	}
	if by < 1900 || birth.After(now) {
		return fail(RuleBirthDate, "Tahun lahir pada NIP (%d) tidak masuk akal.", by)
	}
	info := Info{NIP: n, BirthDate: birth, AppointYear: num(8, 12)}
	d13 := n[12]
	switch {
	case d13 == '2':
		info.Kind = KindPPPK
		info.ContractDigit = int(n[13] - '0')
	case d13 == '0' || d13 == '1':
		info.Kind = KindPNS
		info.AppointMonth = num(12, 14)
		if info.AppointMonth < 1 || info.AppointMonth > 12 {
			return fail(RuleMonth, "Digit 13–14 NIP (%s) harus bulan TMT CPNS 01–12 (atau 21–29 untuk PPPK).", n[12:14])
		}
	default:
		return fail(RuleMonth, "Digit 13–14 NIP (%s) harus bulan TMT CPNS 01–12 (atau 21–29 untuk PPPK).", n[12:14])
	}
	month := info.AppointMonth
	if month == 0 {
		month = 1
	}
	appoint := time.Date(info.AppointYear, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
	if appoint.After(now) {
		return fail(RuleAppoint, "Tahun/bulan pengangkatan pada NIP (%s) ada di masa depan.", n[8:14])
	}
	// "After the 18th birthday-ish": appointment before the 17th birthday year is implausible
	// (PNS entry ages start at 18; a year's slack covers month boundaries and old records).
	if info.AppointYear-by < 17 {
		return fail(RuleAppoint, "Tahun pengangkatan pada NIP (%d) terlalu dekat dengan tahun lahir (%d): pegawai belum berusia 18 tahun.", info.AppointYear, by)
	}
	switch n[14] {
	case '1':
		info.Male = true
	case '2':
	default:
		return fail(RuleSex, "Digit ke-15 NIP (%c) harus 1 (laki-laki) atau 2 (perempuan).", n[14])
	}
	info.Sequence = num(15, 18)
	if info.Sequence == 0 {
		return fail(RuleSequence, "Nomor urut NIP (digit 16–18) tidak boleh 000.")
	}
	return info, nil
}
