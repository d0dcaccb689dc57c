package scoring

import (
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

// withPgx runs fn on a pgx connection of the database's pool.
func withPgx(t *testing.T, db *database.DB, fn func(c *pgx.Conn)) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error {
		fn(dc.(*stdlib.Conn).Conn())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// The bulk reader's binary decoding (PostgreSQL) reads exactly what the ordinary scan reads:
// every kind of fact, NULLs, numeric SKP values, dates, interned strings.
func TestBulkReaderDecodesLikeScan(t *testing.T) {
	db := testdb.NewWithClock(t, database.Postgres, func() time.Time { return dbNow })
	f := newFixture(t, db)
	opd := f.opd("A")
	var ids []int64
	ids = append(ids, f.employee(opd, nipFor(1), domain.StatusPNS, domain.PositionStruktural, "III.a", "", "45"))
	ids = append(ids, f.employee(opd, nipFor(2), domain.StatusPPPK, domain.PositionFungsional, "", "Guru Ahli Muda", "40"))
	ids = append(ids, f.employee(opd, nipFor(3), domain.StatusPNS, domain.PositionPelaksana, "", "", ""))
	for i, emp := range ids[:2] {
		f.cert(nil, emp, "kepemimpinan", "pka", 30, date(2019, 5, 1))
		f.cert(nil, emp, "teknis", "", 12+i, date(testYear, 2, 28))
		f.cert(nil, emp, "seminar", "", 2, date(testYear-1, 12, 31))
		f.external(nil, emp, "bimtek", 8, date(testYear, 7, 1), ExternalRecognised)
		f.external(nil, emp, "kursus", 8, date(testYear, 7, 1), ExternalSubmitted)
		f.penalty(emp, "S", date(testYear-2, 3, 4))
	}
	f.skp(ids[0], testYear-1, pf(87.25), "")
	f.skp(ids[2], testYear-1, nil, "baik")
	f.skp(ids[1], testYear-1, pf(100), "")
	f.exec(`INSERT INTO disciplinary_penalties (employee_id, level, start_date, decree_number, source, created_at, updated_at)
		VALUES (?, 'B', ?, '800/1/2025', 'import', ?, ?)`, ids[1], date(testYear-1, 1, 1), dbNow, dbNow)
	st := NewStore(db, nil)
	rescoreInTx(t, st, db, testYear, nil, ids[0]) // a stored hash for one of them

	// withFacts reads the facts of emps (query q) into them, sorted.
	withFacts := func(query querier, in *interner, emps []*employeeFacts, q string, args []any) []*employeeFacts {
		t.Helper()
		if err := readFacts(context.Background(), query, in, st.rs, testYear, chunkLookup(emps), q, args...); err != nil {
			t.Fatal(err)
		}
		for _, e := range emps {
			sortFacts(&e.facts)
			if len(e.facts.Development) == 0 {
				e.facts.Development = nil // chunkLookup leaves room
			}
		}
		return emps
	}
	// As loadEmployees and loadFacts read them (the targeted update's way)…
	load := func(query querier, in *interner) []*employeeFacts {
		t.Helper()
		ctx := context.Background()
		emps, err := readEmployees(ctx, query, in, testYear, employeeColumns+` WHERE e.id >= ? ORDER BY e.id`, testYear, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		q, args := factsQuery(st.rs, testYear, `employee_id BETWEEN ? AND ?`, []any{ids[0], ids[len(ids)-1]})
		return withFacts(query, in, emps, q, args)
	}
	// … and as the bulk rescore reads them.
	loadChunk := func(query querier, in *interner) []*employeeFacts {
		t.Helper()
		ctx := context.Background()
		emps, err := readEmployees(ctx, query, in, testYear, profileColumns+` WHERE e.id >= ? ORDER BY e.id`, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		q, args := chunkFactsQuery(st.rs, testYear, ids[0], ids[len(ids)-1])
		return withFacts(query, in, emps, q, args)
	}
	want := load(gormQuerier(db.Gorm), nil)
	withPgx(t, db, func(c *pgx.Conn) {
		query := pgxQuerier(c)
		// The columns come as the binary decoding expects, or it would quietly scan instead.
		for _, q := range []struct {
			sql   string
			args  []any
			types []uint32
		}{
			{employeeColumns + ` WHERE e.id = ?`, []any{testYear, ids[0]}, employeeTypes},
			{profileColumns + ` WHERE e.id = ?`, []any{ids[0]}, employeeTypes},
			func() struct {
				sql   string
				args  []any
				types []uint32
			} {
				q, args := chunkFactsQuery(st.rs, testYear, ids[0], ids[0])
				return struct {
					sql   string
					args  []any
					types []uint32
				}{q, args, factTypes}
			}(),
		} {
			rows, done, err := query(context.Background(), q.sql, q.args...)
			if err != nil {
				t.Fatal(err)
			}
			if !binaryColumns(rows.(rawRows), q.types) {
				t.Errorf("columns of %.40q… are not the binary ones expected: %+v", q.sql, rows.(rawRows).FieldDescriptions())
			}
			done()
		}
		for name, got := range map[string][]*employeeFacts{
			"binary":         load(query, newInterner()),
			"chunk, binary":  loadChunk(query, newInterner()),
			"chunk, scanned": loadChunk(gormQuerier(db.Gorm), nil),
		} {
			if len(got) != len(want) {
				t.Fatalf("%s: read %d employees, want %d", name, len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("%s, employee %d:\ngot  %+v\nwant %+v", name, want[i].id, *got[i], *want[i])
				}
			}
		}
		if len(want[0].facts.Development) == 0 || len(want[0].facts.SKP) != 1 || *want[0].facts.SKP[0].Value != 87.25 || len(want[1].facts.Penalties) != 2 || !want[0].hasScore {
			t.Errorf("fixture not read as intended: %+v", want[:2])
		}
	})
}

// The bulk writer's COPY in binary format stores what the ordinary INSERT stores: the same
// rows written both ways read back the same, numbers, texts and time included.
func TestBulkCopyStoresLikeInsert(t *testing.T) {
	db := testdb.NewWithClock(t, database.Postgres, func() time.Time { return dbNow })
	f := newFixture(t, db)
	opd := f.opd("A")
	ctx := context.Background()
	dims := [][5]float64{{0, 0.01, 22.5, 99.99, 100}, {1.05, 40, 0.1, 71.59, 12.34}, {-0.5, -12.25, 999.99, -999.99, 5},
		{100.5, 0.09, 0.9, 9, 90}}
	texts := []string{"", "a\tb\nc\\d\re", "“Seminar” → +5 poin — é ✓", `{"x":"\"\\u003c"}`, "SKP tidak ada (tahun 2025)\nnama JF kosong"}
	var copied, inserted []scoreRow
	for i := range 12 {
		a := f.employee(opd, nipFor(2*i+1), domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
		b := f.employee(opd, nipFor(2*i+2), domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
		r := scoreRow{ruleSet: texts[i%len(texts)], ruleSetVersion: "v" + texts[(i+1)%len(texts)], measured: i%2 == 0,
			dims: dims[i%len(dims)], category: texts[(i+2)%len(texts)], jpYear: i * 7, jpDuty: -i,
			incomplete: texts[(i+3)%len(texts)], factsHash: texts[(i+4)%len(texts)], explanation: []byte(texts[i%len(texts)] + "x")}
		r.employeeID = a
		copied = append(copied, r)
		r.employeeID = b
		inserted = append(inserted, r)
	}
	at := time.Date(2026, 3, 4, 5, 6, 7, 891234000, time.UTC)
	w, err := newBulkWriter(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	if n, err := w.copyFresh(ctx, testYear, at, copied); err != nil || n != int64(len(copied)) {
		t.Fatalf("copyFresh: %d rows, %v", n, err)
	}
	if n, err := writeRows(ctx, db.SQL, db.Dialect, writeUpsert, testYear, at, inserted); err != nil || n != int64(len(inserted)) {
		t.Fatalf("writeRows: %d rows, %v", n, err)
	}
	for i := range copied {
		c, in := mustStored(t, db, copied[i].employeeID, testYear), mustStored(t, db, inserted[i].employeeID, testYear)
		c.EmployeeID = in.EmployeeID
		if !reflect.DeepEqual(c, in) {
			t.Errorf("row %d:\ncopied   %+v\ninserted %+v", i, c, in)
		}
		if c.Kualifikasi != copied[i].dims[0] || c.Total != copied[i].dims[4] || c.Explanation != string(copied[i].explanation) ||
			!c.ComputedAt.Equal(at.Truncate(time.Microsecond)) {
			t.Errorf("row %d: stored %+v, wrote %+v", i, c, copied[i])
		}
	}
	// A row that exists already fails the COPY as a whole: the caller falls back.
	if _, err := w.copyFresh(ctx, testYear, at, copied[:1]); !database.IsUniqueViolation(err) {
		t.Errorf("copy of an existing row: %v, want a unique violation", err)
	}
}

// The development records left in the database by factsQuery's condition on kind and date
// (relevantSQL) are only ones that relevant would drop: under both rule sets, on both
// databases, the records read are exactly the relevant ones.
func TestFactsQueryKeepsEveryRelevantRecord(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		opd := f.opd("A")
		emp := f.employee(opd, nipFor(1), domain.StatusPNS, domain.PositionFungsional, "", "Guru Ahli Muda", "40")
		kinds := append([]string{"webinar", "Teknis", ""}, codes()...)
		type rec struct {
			src  string
			kind string
			end  domain.Date
		}
		var recs []rec
		r := rand.New(rand.NewPCG(9, 10))
		for i := range 160 {
			kind := kinds[r.IntN(len(kinds))]
			end := randomDate(r, testYear-8, testYear+1)
			if i%2 == 0 {
				recs = append(recs, rec{SourceCertificate + f.cert(nil, emp, kind, "", 4, end), kind, end})
			} else {
				id := f.external(nil, emp, kind, 4, end, ExternalRecognised)
				recs = append(recs, rec{SourceExternal + strconv.FormatInt(id, 10), kind, end})
			}
		}
		for _, id := range IDs() {
			rs := MustLoad(t, id)
			for _, y := range []int{testYear - 2, testYear} {
				emps, err := loadEmployees(context.Background(), gormQuerier(db.Gorm), y, employeeColumns+` WHERE e.id = ?`, emp)
				if err != nil || len(emps) != 1 {
					t.Fatal(err)
				}
				if err := loadFacts(context.Background(), gormQuerier(db.Gorm), rs, y, map[int64]*employeeFacts{emp: emps[0]}, `employee_id = ?`, emp); err != nil {
					t.Fatal(err)
				}
				var got, want []string
				for _, a := range emps[0].facts.Development {
					got = append(got, a.Source)
				}
				for _, x := range recs {
					if !x.end.After(domain.NewDate(y+maxWindowTo(rs), time.December, 31).Time) && relevant(rs, y, Activity{Kind: x.kind, Start: x.end, End: x.end}) {
						want = append(want, x.src)
					}
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s, %d: read %d records %v, want the %d relevant ones %v", id, y, len(got), got, len(want), want)
				}
				// The statement itself leaves out most of the others.
				q, args := factsQuery(rs, y, `employee_id = ?`, []any{emp})
				var read int
				if err := db.Gorm.Raw(`SELECT COUNT(*) FROM (`+q+`) AS f WHERE t IN ('c', 'x')`, args...).Scan(&read).Error; err != nil {
					t.Fatal(err)
				}
				if read < len(want) || read-len(want) > (len(recs)-len(want))/2 {
					t.Errorf("%s, %d: the statement returns %d records for %d relevant of %d", id, y, read, len(want), len(recs))
				}
				if len(want) == 0 || len(want) == len(recs) {
					t.Errorf("%s, %d: %d of %d records relevant: not a test", id, y, len(want), len(recs))
				}
			}
		}
	})
}
