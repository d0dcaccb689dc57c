package scoring

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
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
	b := make([]byte, 0, 512)
	str := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
	}
	num := func(n int64) {
		b = strconv.AppendInt(b, n, 10)
		b = append(b, ';')
	}
	str(computeVersion)
	str(rs.ID)
	str(rs.Version)
	num(int64(f.Year))
	str(f.NIP)
	str(f.Status)
	str(f.EducationLevel)
	str(f.PositionKind)
	str(f.Eselon)
	str(f.JFName)
	num(int64(len(f.SKP)))
	for _, s := range f.SKP {
		num(int64(s.Year))
		if s.Value != nil {
			b = strconv.AppendFloat(b, *s.Value, 'g', -1, 64)
		}
		b = append(b, ';')
		str(s.Predikat)
	}
	num(int64(len(f.Penalties)))
	for _, p := range f.Penalties {
		str(p.Source)
		str(p.Level)
		str(p.Start.String())
	}
	num(int64(len(f.Development)))
	for _, a := range f.Development {
		str(a.Source)
		str(a.Number)
		str(a.Kind)
		str(a.Level)
		num(int64(a.JP))
		str(a.Start.String())
		str(a.End.String())
		str(a.Title)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
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
		return cmp.Compare(activityKey(a), activityKey(b))
	})
}
