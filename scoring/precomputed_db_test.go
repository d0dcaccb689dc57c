package scoring

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

// On SQLite the dashboards read score_summaries, which triggers keep in step with every
// write to scores and every change of an employee's group; after each of a long random
// series of such changes, the agency and OPD dashboards read from it must equal those
// grouped straight from the scores (the statements PostgreSQL runs).
func TestPrecomputedSummariesMatchDirect(t *testing.T) {
	db := testdb.NewWithClock(t, database.SQLite, func() time.Time { return dbNow })
	ctx := context.Background()
	f := newFixture(t, db)
	summ := NewStore(db, nil)
	direct := NewStore(db, nil)
	direct.direct = true
	if !summ.summarized() || direct.summarized() {
		t.Fatal("the SQLite store must read score_summaries, the direct one must not")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	opds := []int64{f.opd("A"), f.opd("B"), f.opd("C")}
	kinds := []string{domain.PositionPelaksana, domain.PositionFungsional, domain.PositionStruktural}
	edus := []string{"15", "30", "40", "45", ""}
	var emps []int64
	for i := range 30 {
		status := domain.StatusPNS
		if i%7 == 3 {
			status = domain.StatusPPPK
		}
		kind := kinds[i%3]
		eselon, jf := "", ""
		switch kind {
		case domain.PositionStruktural:
			eselon = "III.a"
		case domain.PositionFungsional:
			jf = "Guru Ahli Muda"
		}
		e := f.employee(opds[i%3], nipFor(100+i), status, kind, eselon, jf, edus[i%5])
		if i%4 != 0 {
			f.skp(e, testYear-1, nil, "baik")
		}
		emps = append(emps, e)
	}
	check := func(step string) {
		t.Helper()
		for _, year := range []int{testYear, testYear - 1} {
			a, err := summ.AgencyDashboard(ctx, actAdmin, year)
			if err != nil {
				t.Fatal(err)
			}
			b, err := direct.AgencyDashboard(ctx, actAdmin, year)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s: agency dashboard %d from score_summaries\n%+v\ndiffers from the direct one\n%+v", step, year, a, b)
			}
			for _, code := range []string{"A", "B", "C"} {
				a, err := summ.OPDDashboard(ctx, actAdmin, code, year)
				if err != nil {
					t.Fatal(err)
				}
				b, err := direct.OPDDashboard(ctx, actAdmin, code, year)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(a, b) {
					t.Fatalf("%s: OPD %s dashboard %d differs:\n%+v\n%+v", step, code, year, a, b)
				}
			}
		}
	}
	check("empty")
	for _, y := range []int{testYear, testYear - 1} {
		if _, err := summ.RescoreAll(ctx, RescoreOptions{Year: y}); err != nil {
			t.Fatal(err)
		}
	}
	check("bulk rescore of two years")
	for step := range 60 {
		e := emps[rng.IntN(len(emps))]
		var what string
		switch rng.IntN(8) {
		case 0:
			what = "certificate issued, rescored in the transaction"
			kinds := []string{"teknis", "seminar", "bimtek"}
			rescoreInTx(t, summ, db, testYear, nil, e)
			f.cert(nil, e, kinds[rng.IntN(3)], "", 2+rng.IntN(30), date(testYear, 1+rng.IntN(5), 1+rng.IntN(27)))
			rescoreInTx(t, summ, db, testYear, nil, e)
		case 1:
			what = "certificates revoked"
			f.exec(`UPDATE certificates SET state = 'revoked' WHERE employee_id = ?`, e)
			rescoreInTx(t, summ, db, testYear, nil, e)
		case 2:
			what = "moved to another OPD"
			f.exec(`UPDATE employees SET opd_id = ? WHERE id = ?`, opds[rng.IntN(3)], e)
		case 3:
			what = "deactivated or reactivated"
			f.exec(`UPDATE employees SET active = NOT active WHERE id = ?`, e)
		case 4:
			what = "education and status changed"
			f.exec(`UPDATE employees SET education_level = ?, status = ? WHERE id = ?`, edus[rng.IntN(5)],
				[]string{domain.StatusPNS, domain.StatusPPPK}[rng.IntN(2)], e)
		case 5:
			what = "score deleted"
			f.exec(`DELETE FROM scores WHERE employee_id = ? AND year = ?`, e, testYear-rng.IntN(2))
		case 6:
			what = "bulk rescore"
			if _, err := summ.RescoreAll(ctx, RescoreOptions{Year: testYear - rng.IntN(2)}); err != nil {
				t.Fatal(err)
			}
		case 7:
			what = "score rewritten by hand, values with odd decimals"
			f.exec(`UPDATE scores SET kompetensi = kompetensi + 0.125, total = total + 0.335, incomplete = 'x', jp_year = 0
				WHERE employee_id = ?`, e)
		}
		check(fmt.Sprintf("step %d (%s, employee %d)", step, what, e))
	}
}
