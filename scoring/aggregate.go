package scoring

import "math"

// Summary is the IP ASN of a group (an agency or an OPD): the mean of each dimension over
// the employees measured, the index, and how the employees spread over the categories.
type Summary struct {
	// Count is the number of measured scores; Excluded those left out because their rule
	// set does not measure the employee's status; Incomplete the measured scores flagged
	// for missing data.
	Count      int `json:"count"`
	Excluded   int `json:"excluded"`
	Incomplete int `json:"incomplete"`
	// RuleSet and Year are set when every score shares them.
	RuleSet string `json:"rule_set,omitempty"`
	Year    int    `json:"year,omitempty"`
	// The dimension means, rounded half away from zero to 2 decimals.
	Kualifikasi float64 `json:"kualifikasi"`
	Kompetensi  float64 `json:"kompetensi"`
	Kinerja     float64 `json:"kinerja"`
	Disiplin    float64 `json:"disiplin"`
	// Total is the group's IP: the sum of the four (rounded) dimension means, so a published
	// table adds up, as in the rules document's seed (12.13 + 30.57 + 23.89 + 4.99 = 71.58).
	Total float64 `json:"total"`
	// MeanIP is the mean of the individual IPs rounded once at the end. It equals the sum
	// of the unrounded dimension means and can differ from Total by a few hundredths (up to
	// 0.02): BKN's "≈ 71.59" for the seed is this figure.
	MeanIP        float64         `json:"mean_ip"`
	Category      Category        `json:"category"`
	CategoryLabel string          `json:"category_label"`
	Distribution  []CategoryCount `json:"distribution"`
}

// CategoryCount is how many measured employees fall in a category.
type CategoryCount struct {
	Category Category `json:"category"`
	Label    string   `json:"label"`
	Count    int      `json:"count"`
	Percent  float64  `json:"percent"` // of Count, 2 decimals
}

// Aggregate summarises scores. The category of the total uses the bounds of the rule set
// the scores were computed with when it is an embedded one, and of the default otherwise;
// RuleSet.Aggregate names the rule set explicitly.
func Aggregate(scores []Score) Summary {
	rs := Default()
	if s := common(scores); s.RuleSet != "" {
		if r, err := Load(s.RuleSet); err == nil {
			rs = r
		}
	}
	return rs.Aggregate(scores)
}

// Aggregate summarises scores, categorising the total with the rule set's bounds. Means are
// computed exactly in hundredths (individual dimension points and totals have at most 2
// decimals) and rounded half away from zero once.
func (rs *RuleSet) Aggregate(scores []Score) Summary {
	s := common(scores)
	var sums [4]int64
	var total int64
	counts := map[Category]int{}
	for _, x := range scores {
		if !x.Measured {
			s.Excluded++
			continue
		}
		s.Count++
		if len(x.Incomplete) > 0 {
			s.Incomplete++
		}
		for i, v := range []float64{x.Kualifikasi, x.Kompetensi, x.Kinerja, x.Disiplin} {
			sums[i] += cents(v)
		}
		total += cents(x.Total)
		counts[x.Category]++
	}
	for _, c := range rs.Categories {
		cc := CategoryCount{Category: c.Code, Label: c.Label, Count: counts[c.Code]}
		if s.Count > 0 {
			cc.Percent = fromCents(divRound(int64(cc.Count)*10000, int64(s.Count)))
		}
		s.Distribution = append(s.Distribution, cc)
	}
	if s.Count == 0 {
		return s
	}
	n := int64(s.Count)
	means := [4]int64{}
	var sum int64
	for i := range sums {
		means[i] = divRound(sums[i], n)
		sum += means[i]
	}
	s.Kualifikasi, s.Kompetensi, s.Kinerja, s.Disiplin = fromCents(means[0]), fromCents(means[1]), fromCents(means[2]), fromCents(means[3])
	s.Total = fromCents(sum)
	s.MeanIP = fromCents(divRound(total, n))
	s.Category, s.CategoryLabel = rs.Categorize(s.Total)
	return s
}

// common returns a Summary with the rule set and year every score shares.
func common(scores []Score) Summary {
	var s Summary
	for i, x := range scores {
		if i == 0 {
			s.RuleSet, s.Year = x.RuleSet, x.Year
			continue
		}
		if x.RuleSet != s.RuleSet {
			s.RuleSet = ""
		}
		if x.Year != s.Year {
			s.Year = 0
		}
	}
	return s
}

// Achievement is the capaian of a value against a target: value ÷ target × 100 %, rounded
// half away from zero to 2 decimals. It reports false for a target that is not positive.
func Achievement(value, target float64) (float64, bool) {
	if !(target > 0) || math.IsInf(target, 0) || math.IsNaN(value) {
		return 0, false
	}
	return Round2(value / target * 100), true
}

// Achievement is the group's capaian against a target IP.
func (s Summary) Achievement(target float64) (float64, bool) { return Achievement(s.Total, target) }
