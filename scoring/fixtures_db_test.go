package scoring

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

// dbNow is the fixed clock of the database tests: measurement year testYear (2026).
var dbNow = time.Date(testYear, time.June, 15, 9, 30, 0, 0, time.UTC)

// eachDB runs fn on a fresh SQLite and PostgreSQL database with the fixed clock.
func eachDB(t *testing.T, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			fn(t, testdb.NewWithClock(t, d, func() time.Time { return dbNow }))
		})
	}
}

// fixture builds rows for the scoring tests with plain SQL, as the issuer and the
// importers would leave them.
type fixture struct {
	tb  testing.TB
	db  *database.DB
	kid string
}

// fixtureSeq numbers certificates and records across fixtures and databases.
var fixtureSeq atomic.Int64

func newFixture(tb testing.TB, db *database.DB) *fixture {
	tb.Helper()
	f := &fixture{tb: tb, db: db, kid: "k1"}
	f.exec(`INSERT INTO signing_keys (kid, public_key, state, valid_from, created_at) VALUES (?, 'pk', 'active', ?, ?)
		ON CONFLICT (kid) DO NOTHING`,
		f.kid, dbNow, dbNow)
	return f
}

func (f *fixture) exec(q string, args ...any) {
	f.tb.Helper()
	if err := f.db.Gorm.Exec(q, args...).Error; err != nil {
		f.tb.Fatalf("%s: %v", q, err)
	}
}

// opd creates an active OPD and returns its id.
func (f *fixture) opd(code string) int64 {
	f.tb.Helper()
	o := domain.OPD{Code: code, Name: "OPD " + code, Active: true, CreatedAt: dbNow, UpdatedAt: dbNow}
	if err := f.db.Gorm.Create(&o).Error; err != nil {
		f.tb.Fatal(err)
	}
	return o.ID
}

// employee creates an active employee and returns its id.
func (f *fixture) employee(opdID int64, nip, status, kind, eselon, jf, edu string) int64 {
	f.tb.Helper()
	e := domain.Employee{NIP: nip, Name: "Pegawai " + nip[len(nip)-4:], Status: status, OPDID: opdID,
		PositionKind: kind, Eselon: eselon, JFName: jf, EducationLevel: edu, Active: true,
		CreatedAt: dbNow, UpdatedAt: dbNow}
	if err := f.db.Gorm.Omit("OPD").Create(&e).Error; err != nil {
		f.tb.Fatal(err)
	}
	return e.ID
}

// nipFor returns a valid PNS NIP with the sequence number n (1…999).
func nipFor(n int) string { return fmt.Sprintf("19800101200501%d%03d", 1+n%2, n%999+1) }

// cert inserts a live certificate of the kind (with its own approved request) for the
// employee and returns its id; certificates are raw rows here, as the issuer writes them.
func (f *fixture) cert(tx *gorm.DB, empID int64, kind, level string, jp int, end domain.Date) string {
	f.tb.Helper()
	if tx == nil {
		tx = f.db.Gorm
	}
	seq := int(fixtureSeq.Add(1))
	var opdID int64
	if err := tx.Raw(`SELECT opd_id FROM employees WHERE id = ?`, empID).Scan(&opdID).Error; err != nil {
		f.tb.Fatal(err)
	}
	var reqID int64
	if err := tx.Raw(`INSERT INTO dev_requests (opd_id, title, kind, level, classroom, organizer_type, start_date, end_date,
		jp, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'bkpsdm', ?, ?, ?, 'completed', ?, ?) RETURNING id`,
		opdID, "Kegiatan "+kind, kind, level, true, end, end, max(jp, 1), dbNow, dbNow).Scan(&reqID).Error; err != nil {
		f.tb.Fatal(err)
	}
	id := fmt.Sprintf("CERT%06d", seq)
	if err := tx.Exec(`INSERT INTO certificates (id, number, year, seq, status_index, request_id, employee_id, nip,
		holder_name, title, kind, level, start_date, end_date, jp, issued_at, issuer_code, signer_name, kid, token,
		digest, state, created_at)
		SELECT ?, ?, ?, ?, ?, ?, e.id, e.nip, e.name, ?, ?, ?, ?, ?, ?, ?, 'BKPSDM', 'Kepala', ?, 'tok', 'dig', 'valid', ?
		FROM employees e WHERE e.id = ?`,
		id, fmt.Sprintf("800.1/%04d/SERT/BKPSDM/%d", seq, end.Year()), end.Year(), seq, seq, reqID,
		"Kegiatan "+kind, kind, level, end, end, jp, dbNow, f.kid, dbNow, empID).Error; err != nil {
		f.tb.Fatal(err)
	}
	return id
}

// external inserts an external development record with the status and returns its id.
func (f *fixture) external(tx *gorm.DB, empID int64, kind string, jp int, end domain.Date, status string) int64 {
	f.tb.Helper()
	if tx == nil {
		tx = f.db.Gorm
	}
	seq := fixtureSeq.Add(1)
	var id int64
	if err := tx.Raw(`INSERT INTO external_trainings (employee_id, kind, title, jp, start_date, end_date, organizer,
		certificate_number, status, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 'Lembaga Lain', ?, ?, 'submission', ?, ?) RETURNING id`,
		empID, kind, "Pelatihan luar "+kind, jp, end, end, fmt.Sprintf("EXT/%d", seq), status, dbNow, dbNow).
		Scan(&id).Error; err != nil {
		f.tb.Fatal(err)
	}
	return id
}

// skp records an SKP: a numeric value (pred "") or a predikat code.
func (f *fixture) skp(empID int64, year int, value *float64, pred string) {
	f.tb.Helper()
	f.exec(`INSERT INTO skp_results (employee_id, year, value, predikat, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'import', ?, ?)`, empID, year, value, pred, dbNow, dbNow)
}

// penalty records a disciplinary penalty.
func (f *fixture) penalty(empID int64, level string, start domain.Date) {
	f.tb.Helper()
	f.exec(`INSERT INTO disciplinary_penalties (employee_id, level, start_date, source, created_at, updated_at)
		VALUES (?, ?, ?, 'import', ?, ?)`, empID, level, start, dbNow, dbNow)
}

// storedRow is what the tests read back from scores.
type storedRow struct {
	EmployeeID  int64     `gorm:"column:employee_id"`
	Year        int       `gorm:"column:year"`
	RuleSet     string    `gorm:"column:rule_set"`
	Version     string    `gorm:"column:rule_set_version"`
	Measured    bool      `gorm:"column:measured"`
	Kualifikasi float64   `gorm:"column:kualifikasi"`
	Kompetensi  float64   `gorm:"column:kompetensi"`
	Kinerja     float64   `gorm:"column:kinerja"`
	Disiplin    float64   `gorm:"column:disiplin"`
	Total       float64   `gorm:"column:total"`
	Category    string    `gorm:"column:category"`
	JPYear      int       `gorm:"column:jp_year"`
	JPDuty      int       `gorm:"column:jp_duty"`
	Incomplete  string    `gorm:"column:incomplete"`
	FactsHash   string    `gorm:"column:facts_hash"`
	Explanation string    `gorm:"column:explanation"`
	ComputedAt  time.Time `gorm:"column:computed_at"`
}

// stored returns the stored score of the employee for the year, and whether there is one.
func stored(tb testing.TB, db *database.DB, empID int64, year int) (storedRow, bool) {
	tb.Helper()
	var rows []storedRow
	if err := db.Gorm.Raw(`SELECT * FROM scores WHERE employee_id = ? AND year = ?`, empID, year).Scan(&rows).Error; err != nil {
		tb.Fatal(err)
	}
	if len(rows) == 0 {
		return storedRow{}, false
	}
	return rows[0], true
}

// mustStored is stored that fails the test when there is no row.
func mustStored(tb testing.TB, db *database.DB, empID int64, year int) storedRow {
	tb.Helper()
	r, ok := stored(tb, db, empID, year)
	if !ok {
		tb.Fatalf("no stored score for employee %d, year %d", empID, year)
	}
	return r
}

// rescoreInTx runs RescoreEmployees in a transaction after change (which may be nil).
func rescoreInTx(tb testing.TB, st *Store, db *database.DB, year int, change func(tx *gorm.DB), ids ...int64) {
	tb.Helper()
	err := db.Tx(context.Background(), func(tx *gorm.DB) error {
		if change != nil {
			change(tx)
		}
		return st.RescoreEmployees(context.Background(), tx, ids, year)
	})
	if err != nil {
		tb.Fatalf("RescoreEmployees: %v", err)
	}
}
