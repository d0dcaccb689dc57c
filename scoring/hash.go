package scoring

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"

	"github.com/sertika/sertika/internal/domain"
)

// computeVersion names the behaviour of Compute for stored scores. Bump it whenever a change
// to this package makes Compute give a different Score for the same rule set and facts: it
// is part of every facts hash, so the next rescore rewrites every stored score.
const computeVersion = "compute-1"

// FactsHash is the hex SHA-256 of the rule set (id and version), the version of Compute and
// the facts in a canonical order. Two equal hashes mean Compute gives the same Score, so a
// rescore skips rows whose stored hash matches. It sorts f's slices in place (Compute does
// not depend on their order).
func FactsHash(rs *RuleSet, f *Facts) string {
	sortFacts(f)
	var buf [1024]byte
	b := buf[:0]
	b = hashStr(b, computeVersion)
	b = hashStr(b, rs.ID)
	b = hashStr(b, rs.Version)
	b = hashNum(b, f.Year)
	b = hashStr(b, f.NIP)
	b = hashStr(b, f.Status)
	b = hashStr(b, f.EducationLevel)
	b = hashStr(b, f.PositionKind)
	b = hashStr(b, f.Eselon)
	b = hashStr(b, f.JFName)
	b = hashNum(b, len(f.SKP))
	for i := range f.SKP {
		s := &f.SKP[i]
		b = hashNum(b, s.Year)
		if s.Value != nil {
			b = strconv.AppendFloat(b, *s.Value, 'g', -1, 64)
		}
		b = append(b, ';')
		b = hashStr(b, s.Predikat)
	}
	b = hashNum(b, len(f.Penalties))
	for i := range f.Penalties {
		p := &f.Penalties[i]
		b = hashStr(b, p.Source)
		b = hashStr(b, p.Level)
		b = hashDate(b, p.Start)
	}
	b = hashNum(b, len(f.Development))
	for i := range f.Development {
		a := &f.Development[i]
		b = hashStr(b, a.Source)
		b = hashStr(b, a.Number)
		b = hashStr(b, a.Kind)
		b = hashStr(b, a.Level)
		b = hashNum(b, a.JP)
		b = hashDate(b, a.Start)
		b = hashDate(b, a.End)
		b = hashStr(b, a.Title)
	}
	sum := sha256.Sum256(b)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

// The parts of FactsHash's input: a string as its length, ':' and its bytes; a number
// followed by ';'; a date as the string of its String form.
func hashStr(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	return append(b, s...)
}

func hashNum(b []byte, n int) []byte {
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, ';')
}

func hashDate(b []byte, d domain.Date) []byte {
	if d.IsZero() {
		return append(b, '0', ':')
	}
	n := len(b)
	if b = appendDate(append(b, "10:"...), d); len(b)-n != 13 { // not a four-digit year
		b = hashStr(b[:n], d.String())
	}
	return b
}

// sortFacts puts the facts in a canonical order: by source, then by every other field.
func sortFacts(f *Facts) {
	slices.SortFunc(f.SKP, func(a, b SKP) int {
		if c := cmp.Compare(a.Year, b.Year); c != 0 {
			return c
		}
		av, bv := -1.0, -1.0
		if a.Value != nil {
			av = *a.Value
		}
		if b.Value != nil {
			bv = *b.Value
		}
		if c := cmp.Compare(av, bv); c != 0 {
			return c
		}
		return cmp.Compare(a.Predikat, b.Predikat)
	})
	slices.SortFunc(f.Penalties, func(a, b Penalty) int {
		if c := cmp.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		if c := a.Start.Compare(b.Start.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.Level, b.Level)
	})
	slices.SortFunc(f.Development, func(a, b Activity) int {
		if c := cmp.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return compareActivityKeys(&a, &b)
	})
}
