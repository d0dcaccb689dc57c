package scoring

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/klauspost/compress/s2"
)

// A stored score (scores.explanation) is the whole Score as JSON. On PostgreSQL it is kept
// packed: the JSON compressed as an S2 block against a fixed dictionary of typical score
// JSON, which makes the row about a quarter of its size (~1.4 kB of JSON → ~0.4 kB). A full
// rescore writes a million such rows; the bytes, their WAL and the pages they fill were most
// of the database's share of the work (docs/performance.md, "Scoring"). PostgreSQL would
// not compress them itself: its compression only starts for rows of about 2 kB.
//
// The first byte tells the format:
//
//	'{'   plain JSON (SQLite, and rows written before packing)
//	0x01  packFormatS2Dict1: S2 block with dictionary explainDict1
//
// A dictionary, once rows are stored with it, never changes: a new dictionary is a new
// format byte, and the old one stays readable.
const packFormatS2Dict1 = 0x01

// explainDict1 is the raw content of dictionary 1, built by tools/explaindict from the
// scores of the demo agency (see that tool). Never edit it; see packFormatS2Dict1.
//
//go:embed explain_v1.dict
var explainDict1Bytes []byte

// explainDict1 is dictionary 1, ready for S2.
var explainDict1 = s2.MakeDictManual(explainDict1Bytes, 0)

// maxUnpacked bounds the size a packed score may claim to have: a real one is a few kB.
const maxUnpacked = 1 << 20

// packScore appends the packed form of the score JSON js to dst.
func packScore(dst, js []byte) []byte {
	dst = append(dst, packFormatS2Dict1)
	n, need := len(dst), s2.MaxEncodedLen(len(js))
	dst = slices.Grow(dst, need)
	enc := explainDict1.Encode(dst[n:n+need], js)
	return dst[:n+len(enc)]
}

// errPacked is returned for a stored score in no known format.
var errPacked = errors.New("stored score in an unknown format")

// unpackScore returns the JSON of a stored score, unpacking it when packed (dst is reused
// for the result when large enough).
func unpackScore(dst, stored []byte) ([]byte, error) {
	if len(stored) == 0 {
		return nil, errPacked
	}
	switch stored[0] {
	case '{':
		return stored, nil
	case packFormatS2Dict1:
		n, err := s2.DecodedLen(stored[1:])
		if err != nil {
			return nil, fmt.Errorf("stored score: %w", err)
		}
		if n > maxUnpacked {
			return nil, fmt.Errorf("stored score claims %d bytes", n)
		}
		out, err := explainDict1.Decode(dst, stored[1:])
		if err != nil {
			return nil, fmt.Errorf("stored score: %w", err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w (first byte %#x)", errPacked, stored[0])
}

// decodeStoredScore decodes scores.explanation, packed or not.
func decodeStoredScore(stored []byte) (Score, error) {
	js, err := unpackScore(nil, stored)
	if err != nil {
		return Score{}, err
	}
	var sc Score
	if err := json.Unmarshal(js, &sc); err != nil {
		return Score{}, err
	}
	return sc, nil
}
