// Command explaindict builds the dictionary against which PostgreSQL's stored scores are
// packed (scoring/packed.go): the raw content of an S2 dictionary learnt from the
// explanations of real computed scores.
//
// Dictionary 1 (scoring/explain_v1.dict) was made from the demo agency:
//
//	d=$(mktemp -d)
//	SERTIKA_DATA_DIR=$d go run ./cmd/sertika demo --employees 2000
//	go run ./tools/explaindict -db $d/sertika.db -o scoring/explain_v1.dict
//
// A dictionary must never change once scores are stored with it: the tool refuses to
// overwrite a file, and a new dictionary needs a new format byte in scoring/packed.go.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/dict"
	"github.com/klauspost/compress/s2"

	"github.com/sertika/sertika/internal/database"
)

func main() {
	dbPath := flag.String("db", "", "SQLite file of a Sertika database with computed scores")
	out := flag.String("o", "", "dictionary file to write (must not exist)")
	size := flag.Int("size", 16384, "largest dictionary size in bytes (at most 65536)")
	flag.Parse()
	if err := run(*dbPath, *out, *size); err != nil {
		fmt.Fprintln(os.Stderr, "explaindict:", err)
		os.Exit(1)
	}
}

func run(dbPath, out string, size int) error {
	if dbPath == "" || out == "" {
		return errors.New("usage: explaindict -db FILE.db -o FILE.dict")
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists: a dictionary never changes once scores are stored with it", out)
	}
	ctx := context.Background()
	db, err := database.Open(ctx, "sqlite://"+dbPath, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.SQL.QueryContext(ctx, `SELECT explanation FROM scores ORDER BY year, employee_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var samples [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return err
		}
		if len(b) > 0 && b[0] == '{' {
			samples = append(samples, b)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(samples) < 100 {
		return fmt.Errorf("only %d stored scores in JSON: compute more first", len(samples))
	}
	// Learn from every other score, measure on the rest.
	var train, test [][]byte
	for i, s := range samples {
		if i%2 == 0 {
			train = append(train, s)
		} else {
			test = append(test, s)
		}
	}
	raw, err := dict.BuildRawDict(train, dict.Options{MaxDictSize: size, HashBytes: 6, Output: io.Discard})
	if err != nil {
		return err
	}
	d := s2.MakeDictManual(raw, 0)
	if d == nil {
		return fmt.Errorf("unusable dictionary of %d bytes", len(raw))
	}
	var in, packed int
	for _, s := range test {
		in += len(s)
		packed += 1 + len(d.Encode(nil, s))
	}
	if err := os.WriteFile(out, raw, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d bytes from %d scores; %d held-out scores: %d → %d bytes (%.0f %%)\n",
		out, len(raw), len(train), len(test), in, packed, 100*float64(packed)/float64(in))
	return nil
}
