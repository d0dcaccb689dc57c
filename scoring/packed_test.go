package scoring

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/klauspost/compress/s2"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
)

// Dictionary 1 must never change: rows packed with it would no longer decode.
func TestExplainDictionaryIsFrozen(t *testing.T) {
	sum := sha256.Sum256(explainDict1Bytes)
	if got := hex.EncodeToString(sum[:]); got != "436f1303e97dd29c6a7a8a43c619eed71a453df1ae3bfc910f135fa36d050d24" {
		t.Fatalf("scoring/explain_v1.dict changed (sha256 %s): a new dictionary needs a new format byte", got)
	}
	if explainDict1 == nil {
		t.Fatal("dictionary 1 is not a usable S2 dictionary")
	}
}

// Every computed score survives packing byte for byte, on both rule sets, and packing
// makes it much smaller.
func TestPackScoreRoundTrip(t *testing.T) {
	bkn, err := Load(RuleSetBKN2024)
	if err != nil {
		t.Fatal(err)
	}
	var in, out int
	for _, rs := range []*RuleSet{Default(), bkn} {
		for i, f := range benchFacts(2000) {
			s := Compute(rs, f)
			js, err := encodeScore(nil, &s)
			if err != nil {
				t.Fatal(err)
			}
			prefix := []byte("earlier rows")
			packed := packScore(bytes.Clone(prefix), js)
			if !bytes.HasPrefix(packed, prefix) || packed[len(prefix)] != packFormatS2Dict1 {
				t.Fatalf("packScore did not append after what dst held: % x", packed[:min(len(packed), 20)])
			}
			packed = packed[len(prefix):]
			got, err := unpackScore(nil, packed)
			if err != nil || !bytes.Equal(got, js) {
				t.Fatalf("score %d (%s): unpack = %q, %v; want %q", i, rs.ID, got, err, js)
			}
			back, err := decodeStoredScore(packed)
			if err != nil || back.Total != s.Total || len(back.Explanation) != len(s.Explanation) {
				t.Fatalf("score %d: decodeStoredScore = %+v, %v", i, back, err)
			}
			in += len(js)
			out += len(packed)
		}
	}
	t.Logf("packed %d bytes of JSON into %d (%.0f %%)", in, out, 100*float64(out)/float64(in))
	if float64(out) > 0.45*float64(in) {
		t.Errorf("packed scores are %.0f %% of their JSON; the dictionary no longer fits the texts", 100*float64(out)/float64(in))
	}
}

// Plain JSON (SQLite, and rows stored before packing) reads as it is; anything else that
// is not a packed score is an error, never a zero score.
func TestUnpackScoreFormats(t *testing.T) {
	s := Compute(Default(), benchFacts(1)[0])
	js, _ := encodeScore(nil, &s)
	if got, err := unpackScore(nil, js); err != nil || !bytes.Equal(got, js) {
		t.Fatalf("plain JSON: %q, %v", got, err)
	}
	if sc, err := decodeStoredScore(js); err != nil || sc.Total != s.Total {
		t.Fatalf("plain JSON: %+v, %v", sc, err)
	}
	packed := packScore(nil, js)
	huge := append([]byte{packFormatS2Dict1}, s2.Encode(nil, make([]byte, 2*maxUnpacked))...)
	for name, b := range map[string][]byte{
		"empty":          {},
		"unknown format": append([]byte{0x02}, packed[1:]...),
		"text":           []byte("SKP tidak ada"),
		"truncated":      packed[:len(packed)/2],
		"corrupted":      append(append([]byte{}, packed[:10]...), bytes.Repeat([]byte{0xff}, len(packed)-10)...),
		"too large":      huge,
	} {
		if _, err := decodeStoredScore(b); err == nil {
			t.Errorf("%s: decoded without an error", name)
		}
	}
	if _, err := unpackScore(nil, []byte{0x7f}); !errors.Is(err, errPacked) {
		t.Errorf("unknown format: %v, want errPacked", err)
	}
}

// On PostgreSQL the stored row is packed; a row stored as plain JSON before packing (the
// migration turned it into bytes starting with '{') still reads; SQLite stores JSON.
func TestStoredScorePacking(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		st := NewStore(db, nil)
		opd := f.opd("DINKES")
		emp := f.employee(opd, nipFor(1), domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
		f.skp(emp, testYear-1, nil, "baik")
		f.cert(nil, emp, "teknis", "", 20, date(testYear, 3, 10))
		rescoreInTx(t, st, db, testYear, nil, emp)
		row := mustStored(t, db, emp, testYear)
		want, err := st.EmployeeScore(ctx, emp, testYear)
		if err != nil || want.Total != 67.5 {
			t.Fatalf("EmployeeScore = %v, %v", want.Total, err)
		}
		raw := []byte(row.Explanation)
		if db.Dialect == database.Postgres {
			if raw[0] != packFormatS2Dict1 {
				t.Fatalf("PostgreSQL row not packed: % x", raw[:8])
			}
		} else if raw[0] != '{' {
			t.Fatalf("SQLite row not JSON: %q", raw[:8])
		}
		// A row as the migration leaves an old one: plain JSON bytes.
		js, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		f.exec(`UPDATE scores SET explanation = ? WHERE employee_id = ? AND year = ?`, js, emp, testYear)
		got, err := st.EmployeeScore(ctx, emp, testYear)
		if err != nil || got.Total != want.Total || len(got.Explanation) != len(want.Explanation) {
			t.Fatalf("old plain row: %+v, %v", got, err)
		}
		// The bulk rescore packs too (its COPY and UPDATE paths).
		f.exec(`DELETE FROM scores`)
		if _, err := st.RescoreAll(ctx, RescoreOptions{Year: testYear}); err != nil {
			t.Fatal(err)
		}
		row = mustStored(t, db, emp, testYear)
		if db.Dialect == database.Postgres && row.Explanation[0] != packFormatS2Dict1 {
			t.Fatalf("bulk rescore stored an unpacked row")
		}
		f.exec(`UPDATE scores SET facts_hash = 'stale' WHERE employee_id = ?`, emp)
		if res, err := st.RescoreAll(ctx, RescoreOptions{Year: testYear}); err != nil || res.Written != 1 {
			t.Fatalf("rescore of a stale row: %+v, %v", res, err)
		}
		row = mustStored(t, db, emp, testYear)
		if db.Dialect == database.Postgres && row.Explanation[0] != packFormatS2Dict1 {
			t.Fatalf("bulk update stored an unpacked row")
		}
		if got, err := st.EmployeeScore(ctx, emp, testYear); err != nil || got.Total != want.Total {
			t.Fatalf("after the bulk rescore: %v, %v", got.Total, err)
		}
	})
}
