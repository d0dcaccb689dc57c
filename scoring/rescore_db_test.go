package scoring

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
)

// A certificate inserted in the issuing transaction raises the holder's kompetensi in the
// same transaction; revoking it lowers it back. The stored row records the rule set, the
// year, the facts hash and the Score JSON citing the certificate.
func TestRescoreEmployeesCertificateLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		st := NewStore(db, nil)
		opd := f.opd("DINKES")
		emp := f.employee(opd, nipFor(1), domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
		f.skp(emp, testYear-1, nil, "baik")

		rescoreInTx(t, st, db, testYear, nil, emp)
		before := mustStored(t, db, emp, testYear)
		if before.Kompetensi != 0 || before.Kualifikasi != 15 || before.Kinerja != 25 || before.Disiplin != 5 || before.Total != 45 {
			t.Fatalf("before = %+v, want 15/0/25/5 = 45", before)
		}
		if before.RuleSet != RuleSetPerban2019 || before.Version == "" || before.Year != testYear || !before.Measured ||
			len(before.FactsHash) != 64 || before.Category != string(SangatRendah) || before.JPYear != 0 || before.JPDuty != 20 {
			t.Errorf("stored metadata = %+v", before)
		}

		// Issue a 20 JP technical training certificate: c earns 22.5 for a pelaksana.
		var certID string
		rescoreInTx(t, st, db, testYear, func(tx *gorm.DB) {
			certID = f.cert(tx, emp, "teknis", "", 20, date(testYear, 3, 10))
		}, emp)
		after := mustStored(t, db, emp, testYear)
		if after.Kompetensi != 22.5 || after.Total != 67.5 || after.JPYear != 20 || after.Category != string(Rendah) {
			t.Fatalf("after issuance = %+v, want kompetensi 22.5, total 67.5", after)
		}
		if after.FactsHash == before.FactsHash {
			t.Error("facts hash did not change")
		}
		sc, err := decodeStoredScore([]byte(after.Explanation))
		if err != nil {
			t.Fatal(err)
		}
		if sc.Total != 67.5 || sc.RuleSet != RuleSetPerban2019 || sc.Year != testYear ||
			!slices.Contains(sc.Sources(), SourceCertificate+certID) || !slices.Contains(sc.Sources(), "skp:2025") {
			t.Errorf("stored Score = total %v, sources %v", sc.Total, sc.Sources())
		}
		got, err := st.EmployeeScore(ctx, emp, testYear)
		if err != nil || got.Total != 67.5 {
			t.Errorf("EmployeeScore = %v, %v", got.Total, err)
		}

		// Revoke it: back to 0.
		rescoreInTx(t, st, db, testYear, func(tx *gorm.DB) {
			if err := tx.Exec(`UPDATE certificates SET state = 'revoked', revoked_at = ?, revoke_reason = 'fraud' WHERE id = ?`,
				dbNow, certID).Error; err != nil {
				t.Fatal(err)
			}
		}, emp)
		revoked := mustStored(t, db, emp, testYear)
		if revoked.Kompetensi != 0 || revoked.Total != 45 || revoked.FactsHash != before.FactsHash {
			t.Errorf("after revocation = %+v, want the first score back", revoked)
		}

		// A rolled-back issuance leaves the stored score alone.
		err = db.Tx(ctx, func(tx *gorm.DB) error {
			f.cert(tx, emp, "teknis", "", 40, date(testYear, 4, 1))
			if err := st.RescoreEmployees(ctx, tx, []int64{emp}, testYear); err != nil {
				return err
			}
			return errRollback
		})
		if err != errRollback {
			t.Fatal(err)
		}
		if r := mustStored(t, db, emp, testYear); r.Total != 45 {
			t.Errorf("after rollback total = %v, want 45", r.Total)
		}
	})
}

var errRollback = errorString("rollback")

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

type errorString string

func (e errorString) Error() string { return string(e) }

// Rescoring without a change of facts writes nothing (the row keeps its computed_at);
// unknown employee ids are ignored.
func TestRescoreEmployeesUnchangedWritesNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		opd := f.opd("A")
		emp := f.employee(opd, nipFor(2), domain.StatusPNS, domain.PositionFungsional, "", "Guru Ahli Muda", "45")
		st := NewStore(db, nil)
		rescoreInTx(t, st, db, testYear, nil, emp, 999999)
		first := mustStored(t, db, emp, testYear)
		db.Now = func() time.Time { return dbNow.Add(time.Hour) }
		rescoreInTx(t, st, db, testYear, nil, emp, emp)
		second := mustStored(t, db, emp, testYear)
		if !second.ComputedAt.Equal(first.ComputedAt) {
			t.Errorf("computed_at changed from %v to %v without a change of facts", first.ComputedAt, second.ComputedAt)
		}
		if err := st.RescoreEmployees(context.Background(), db.Gorm, []int64{emp}, 0); err == nil {
			t.Error("year 0 accepted")
		}
	})
}

// Only recognised external records count.
func TestRescoreExternalRecognisedVsSubmitted(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		st := NewStore(db, nil)
		opd := f.opd("A")
		emp := f.employee(opd, nipFor(3), domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
		var ext int64
		rescoreInTx(t, st, db, testYear, func(tx *gorm.DB) {
			ext = f.external(tx, emp, "seminar", 4, date(testYear, 2, 1), ExternalSubmitted)
		}, emp)
		if r := mustStored(t, db, emp, testYear); r.Kompetensi != 0 || r.JPYear != 0 {
			t.Fatalf("submitted record counted: %+v", r)
		}

		verifikator := domain.Actor{Username: "verifikator", Role: domain.RoleVerifikator}
		if err := st.ReviewExternalTraining(ctx, verifikator, ext, true, ""); err != nil {
			t.Fatal(err)
		}
		r := mustStored(t, db, emp, testYear)
		if r.Kompetensi != 17.5 || r.JPYear != 4 {
			t.Fatalf("recognised record: %+v, want kompetensi 17.5 (d), 4 JP", r)
		}
		sc, _ := decodeStoredScore([]byte(r.Explanation))
		if !slices.Contains(sc.Sources(), SourceExternal+itoa(ext)) {
			t.Errorf("sources %v lack the external record", sc.Sources())
		}

		if err := st.ReviewExternalTraining(ctx, verifikator, ext, false, ""); err == nil {
			t.Error("rejection without a reason accepted")
		}
		if err := st.ReviewExternalTraining(ctx, domain.Actor{Role: domain.RoleOPD}, ext, false, "x"); err == nil {
			t.Error("OPD account may review")
		}
		if err := st.ReviewExternalTraining(ctx, verifikator, ext, false, "Sertifikat tidak terbaca"); err != nil {
			t.Fatal(err)
		}
		if r := mustStored(t, db, emp, testYear); r.Kompetensi != 0 {
			t.Errorf("rejected record still counts: %+v", r)
		}
		var n int64
		db.Gorm.Raw(`SELECT COUNT(*) FROM audit_log WHERE action = ?`, AuditActionReviewExternal).Scan(&n)
		if n != 2 {
			t.Errorf("audit entries = %d, want 2", n)
		}
		if err := st.ReviewExternalTraining(ctx, verifikator, 424242, true, ""); err == nil {
			t.Error("unknown record reviewed")
		}
	})
}

// Facts outside the windows are not read: an SKP of another year, a penalty before Y-4, a
// technical training of an earlier year; changing such a fact leaves the hash alone.
func TestFactsWindows(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		st := NewStore(db, nil)
		opd := f.opd("A")
		emp := f.employee(opd, nipFor(4), domain.StatusPNS, domain.PositionStruktural, "IV.a", "", "45")
		f.skp(emp, testYear-1, pf(91), "")
		f.skp(emp, testYear, nil, "sangat_kurang")       // next year's appraisal: not this year's kinerja
		f.penalty(emp, "B", date(testYear-5, 12, 31))    // outside Y-4 … Y
		f.penalty(emp, "S", date(testYear-4, 1, 1))      // inside
		f.cert(nil, emp, "pkp", "", 0, date(2015, 1, 1)) // unknown kind, flagged
		f.cert(nil, emp, "kepemimpinan", "pkp", 30, date(2015, 5, 1))
		old := f.cert(nil, emp, "teknis", "", 40, date(testYear-1, 12, 31)) // c counts year Y only
		f.cert(nil, emp, "teknis", "", 20, date(testYear+1, 1, 1))          // after Y
		rescoreInTx(t, st, db, testYear, nil, emp)
		r := mustStored(t, db, emp, testYear)
		// 20 (S2) + a 15 + 0 + 30 + 2 (S).
		if r.Kualifikasi != 20 || r.Kompetensi != 15 || r.Kinerja != 30 || r.Disiplin != 2 || r.Total != 67 {
			t.Errorf("stored = %+v, want 20/15/30/2 = 67", r)
		}
		if !strings.Contains(r.Incomplete, "jenis pengembangan tidak dikenal") {
			t.Errorf("incomplete = %q", r.Incomplete)
		}
		sc, _ := decodeStoredScore([]byte(r.Explanation))
		if slices.Contains(sc.Sources(), SourceCertificate+old) {
			t.Error("last year's technical training cited")
		}
		// Editing last year's technical training does not touch this year's facts hash.
		f.exec(`UPDATE certificates SET jp = 10 WHERE id = ?`, old)
		var byID = map[int64]*employeeFacts{}
		emps, err := loadEmployees(context.Background(), gormQuerier(db.Gorm), testYear, employeeColumns+` WHERE e.id = ?`, emp)
		if err != nil || len(emps) != 1 {
			t.Fatal(err)
		}
		byID[emp] = emps[0]
		if err := loadFacts(context.Background(), gormQuerier(db.Gorm), st.rs, testYear, byID, `employee_id = ?`, emp); err != nil {
			t.Fatal(err)
		}
		if h := FactsHash(st.rs, &emps[0].facts); h != r.FactsHash {
			t.Error("an irrelevant fact changed the facts hash")
		}
		if n := len(emps[0].facts.Development); n != 2 {
			t.Errorf("activities read = %d, want 2 (the leadership course and the unknown kind)", n)
		}
	})
}

// RescoreAffected covers the current year and every year with a stored score.
func TestRescoreAffectedYears(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		st := NewStore(db, nil)
		opd := f.opd("A")
		emp := f.employee(opd, nipFor(5), domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
		rescoreInTx(t, st, db, 2024, nil, emp)
		err := db.Tx(ctx, func(tx *gorm.DB) error {
			f.cert(tx, emp, "seminar", "", 2, date(2024, 5, 5))
			return st.RescoreAffected(ctx, tx, []int64{emp, emp})
		})
		if err != nil {
			t.Fatal(err)
		}
		// 2024: d from the 2024 seminar; 2026 (current): d counts 2025–2026 only.
		if r := mustStored(t, db, emp, 2024); r.Kompetensi != 17.5 {
			t.Errorf("2024 kompetensi = %v, want 17.5", r.Kompetensi)
		}
		if r := mustStored(t, db, emp, testYear); r.Kompetensi != 0 {
			t.Errorf("2026 kompetensi = %v, want 0", r.Kompetensi)
		}
		if _, ok := stored(t, db, emp, 2025); ok {
			t.Error("a score for 2025 was created")
		}
		if err := st.RescoreAffected(ctx, db.Gorm, nil); err != nil {
			t.Error(err)
		}
	})
}

// EmployeeScore computes on the fly when nothing is stored, and equals what a rescore
// stores.
func TestEmployeeScoreOnTheFly(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		st := NewStore(db, nil)
		opd := f.opd("A")
		emp := f.employee(opd, nipFor(6), domain.StatusPNS, domain.PositionFungsional, "", "Perawat Ahli Pertama", "42")
		f.skp(emp, testYear-1, nil, "butuh_perbaikan")
		f.cert(nil, emp, "bimtek", "", 24, date(testYear, 1, 20))
		live, err := st.EmployeeScore(ctx, emp, testYear)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := stored(t, db, emp, testYear); ok {
			t.Fatal("EmployeeScore stored a row")
		}
		// 15 (profesi) + b 15 (perawat) + c 15 + 15 + 5.
		if live.Total != 65 || live.Kompetensi != 30 {
			t.Errorf("live score = %v (kompetensi %v), want 65 (30)", live.Total, live.Kompetensi)
		}
		rescoreInTx(t, st, db, testYear, nil, emp)
		saved, err := st.EmployeeScore(ctx, emp, testYear)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(live)
		b, _ := json.Marshal(saved)
		if string(a) != string(b) {
			t.Errorf("stored score differs from the live one:\n%s\n%s", a, b)
		}
		if _, err := st.EmployeeScore(ctx, 987654, testYear); err == nil {
			t.Error("unknown employee scored")
		}
	})
}

// Two transactions issuing certificates to the same employee at the same time: the second
// waits for the first and its stored score counts both certificates.
func TestRescoreConcurrentIssuance(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		st := NewStore(db, nil)
		opd := f.opd("A")
		emp := f.employee(opd, nipFor(41), domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
		rescoreInTx(t, st, db, testYear, nil, emp)

		a := db.Gorm.WithContext(ctx).Begin()
		if a.Error != nil {
			t.Fatal(a.Error)
		}
		f.cert(a, emp, "teknis", "", 12, date(testYear, 3, 1))
		if err := st.RescoreEmployees(ctx, a, []int64{emp}, testYear); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			done <- db.Tx(ctx, func(b *gorm.DB) error {
				f.cert(b, emp, "bimtek", "", 8, date(testYear, 4, 1))
				return st.RescoreEmployees(ctx, b, []int64{emp}, testYear)
			})
		}()
		select {
		case err := <-done:
			t.Fatalf("the second transaction finished before the first committed: %v", err)
		case <-time.After(300 * time.Millisecond):
		}
		if err := a.Commit().Error; err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		// 12 + 8 JP of technical training this year: c earns 22.5.
		if r := mustStored(t, db, emp, testYear); r.JPYear != 20 || r.Kompetensi != 22.5 {
			t.Errorf("stored = JP %d, kompetensi %v; want both certificates counted (20 JP, 22.5)", r.JPYear, r.Kompetensi)
		}
	})
}

// Many employees at once (more than arrayIDs' threshold: PostgreSQL then passes the ids as
// one array) are locked, read and scored exactly as the bulk rescore scores them, with
// unknown ids ignored.
func TestRescoreEmployeesManyMatchesBulk(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		st := NewStore(db, nil)
		opd := f.opd("DINKES")
		var ids []int64
		for i := range 45 {
			e := f.employee(opd, nipFor(200+i), domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
			if i%3 != 0 {
				f.skp(e, testYear-1, nil, "baik")
			}
			if i%2 == 0 {
				f.cert(nil, e, "teknis", "", 10+i, date(testYear, 2, 1+i%27))
			}
			ids = append(ids, e)
		}
		if !arrayIDs(db.Dialect, ids) && db.Dialect == database.Postgres {
			t.Fatal("45 employees should take the array path on PostgreSQL")
		}
		rescoreInTx(t, st, db, testYear, nil, append(ids, 999_999)...)
		inTx := map[int64]storedRow{}
		for _, e := range ids {
			inTx[e] = mustStored(t, db, e, testYear)
		}
		f.exec(`DELETE FROM scores`)
		if _, err := st.RescoreAll(ctx, RescoreOptions{Year: testYear}); err != nil {
			t.Fatal(err)
		}
		for _, e := range ids {
			bulk := mustStored(t, db, e, testYear)
			a, b := inTx[e], bulk
			if a.Total != b.Total || a.Kompetensi != b.Kompetensi || a.FactsHash != b.FactsHash || a.JPYear != b.JPYear {
				t.Errorf("employee %d: in-transaction %+v, bulk %+v", e, a, b)
			}
		}
	})
}
