// Package scoring computes the Indeks Profesionalitas ASN (IP ASN) of one civil servant from
// plain facts, and aggregates individual scores into an agency's or OPD's index.
//
// The rules live as data, not code: a RuleSet is a versioned JSON document (the rules
// document's tables: points, windows, category bounds, the map from kind of development to
// indicator, the leadership level map, the JF exemption list, the predikat mappings).
// Two are embedded: "perban-8-2019" (the default, Peraturan BKN 8/2019) and "bkn-2024"
// (provisional). An administrator may supply another file; Parse validates it strictly
// (unknown keys, unmapped codes, points outside a dimension's maximum, unordered bands and
// bounds are all rejected, naming the field) before it can score anyone.
//
// Compute is a pure, deterministic function of a rule set and one employee's Facts: no clock,
// no database, no randomness, and the order of the facts does not matter. Its Score carries
// the rule set id and version, the measurement year, the points of each dimension, an
// explanation in Indonesian that names the facts behind every point (certificate numbers,
// SKP year, penalties), hints of what would raise the score, the JP of development this
// year (the 20 JP duty is tracked apart from the index) and what data is missing.
//
// Decisions taken where the rules document is silent (each is data in the rule set unless
// noted "code"):
//
//   - Kinerja uses the SKP of year Y-1 (kinerja.skp_year_offset = -1), as the rules say "the
//     previous year's appraisal". A numeric value, when present, wins over the predikat;
//     several appraisals for that year (a mid-year transfer) → the best one counts (code).
//     No usable appraisal → 0 points and the score is flagged incomplete.
//   - Kompetensi a and b have no lower time bound but count only activities that ended by
//     December 31 of the measurement year, so re-scoring an old year never uses later
//     certificates. An activity's date is its end date, or its start date when the end is
//     missing; an activity without either date counts for no windowed indicator (code).
//   - An activity counts only for the indicator its kind maps to: a leadership course does
//     not add JP to indicator c, a seminar's JP do not count for c (code).
//   - A leadership course needs a level; a course of the required rank or, with
//     leadership.or_higher, a higher one (lower rank number) counts. A struktural position
//     without a known eselon cannot earn a and is flagged incomplete (code).
//   - The JF exemption list matches whole words of the JF name, case-insensitively, so
//     "guru" matches "Guru Ahli Muda" and "Ahli Pertama - Guru" but "bidan" does not match
//     "Analis Bidang …"; an entry of several words must appear as consecutive words (code).
//   - Disiplin counts penalties by the year of their start date; the most severe counts.
//     A penalty with an unknown level or no start date is ignored and flagged (code).
//   - The status of the employee must be in the rule set's statuses to be measured
//     (perban-8-2019: PNS only; bkn-2024: PNS and PPPK). An unmeasured score is still
//     computed, with Measured false, and Aggregate leaves it out. An empty status is taken
//     as PNS and flagged.
//   - Eselon V.a, which the rules document does not name, requires the same leadership
//     course as IV.a/IV.b (PKP, leadership level map rank 4): the lowest structural rank
//     takes the lowest course.
//   - The group index (Aggregate, the dashboards) is the sum of the rounded means of the
//     four dimensions, as the rules document's seed figure is computed, and its category is
//     that sum's; the mean of the individual totals is reported beside it (MeanIP). The two
//     may differ by up to 0.02, so at a category bound they can fall either side (code).
//   - Kualifikasi reads one education code per employee, the employee record's
//     education_level, which the employee import fills from SIASN's tk_pendidikan ("tingkat
//     pendidikan terakhir", the last level completed): "the highest formal education held"
//     holds as long as that field does, as in SIASN.
//   - bkn-2024 (provisional): the kompetensi base is taken from the same appraisal as
//     kinerja; the top-up counts only activities completed in the measurement year (all
//     four windows are year Y) and uses no JF exemption, since an exemption is not an
//     activity; numeric SKP values use the 2019 bands with the 2024 points.
//   - JP conversion of non-classroom development (rules §8) is an optional table,
//     kompetensi.jp_conversion, that neither embedded set has: per kind, a fixed JP per
//     activity or at most so many JP per calendar day from start to end date (one date: one
//     day). The converted JP count everywhere JP are counted (indicator c, the yearly JP),
//     and the explanation line citing a converted record says so. A conversion per session
//     (on-the-job guidance) or for a magang abroad cannot be expressed: the facts carry no
//     session count and no location.
//
// Numbers are rounded half away from zero to 2 decimals (Round2) on their shortest decimal
// reading, so 1.005 rounds to 1.01 although the binary double is a hair below it.
package scoring
