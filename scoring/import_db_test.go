package scoring

import (
	"context"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/importer"
)

// Importing facts updates the affected employees' stored scores in the import's
// transaction; a rejected file changes no score.
func TestImportUpdatesScores(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		st := NewStore(db, nil)
		opd := f.opd("A")
		nip := nipFor(31)
		emp := f.employee(opd, nip, domain.StatusPNS, domain.PositionPelaksana, "", "", "40")
		if _, err := st.RescoreAll(ctx, RescoreOptions{}); err != nil {
			t.Fatal(err)
		}
		imp := func(kind importer.FactKind, text string) *importer.Report {
			t.Helper()
			rep, err := importer.ImportFacts(ctx, db, st, kind, domain.System, "x.csv", strings.NewReader(text), importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		// 15 + 0 + 0 + 5 = 20 before; SKP 2025 baik: +25.
		if rep := imp(importer.FactSKP, "nip,tahun,predikat\n"+nip+",2025,baik\n"); !rep.Committed {
			t.Fatalf("SKP import: %+v", rep)
		}
		if r := mustStored(t, db, emp, testYear); r.Kinerja != 25 || r.Total != 45 {
			t.Errorf("after SKP = %+v", r)
		}
		// Technical training 20 JP in 2026 (c 22.5) and a penalty S in 2025 (2).
		imp(importer.FactPengembangan, "nip,kode_jenis,nama,jumlah_jp,tanggal_selesai\n"+nip+",teknis,Pelatihan Data,20,10-02-2026\n")
		imp(importer.FactHukdis, "nip,tingkat,tanggal_mulai\n"+nip+",S,2025-03-01\n")
		r := mustStored(t, db, emp, testYear)
		if r.Kompetensi != 22.5 || r.Disiplin != 2 || r.Total != 64.5 {
			t.Errorf("after development and penalty = %+v", r)
		}
		// A rejected file (unknown predikat) changes nothing.
		if rep := imp(importer.FactSKP, "nip,tahun,predikat\n"+nip+",2025,istimewa\n"); rep.Committed {
			t.Fatal("bad file committed")
		}
		if again := mustStored(t, db, emp, testYear); again.FactsHash != r.FactsHash {
			t.Error("a rejected import changed the score")
		}
		// The bulk rescore agrees with what the imports stored.
		if res, err := st.RescoreAll(ctx, RescoreOptions{}); err != nil || res.Written != 0 {
			t.Errorf("bulk after imports = %+v, %v; want nothing to write", res, err)
		}
		// An employee import that changes the education level, with the store as rescorer.
		csv := "nip,nama,status,kode_opd,jenis_jabatan,tk_pendidikan\n" + nip + ",Pegawai,PNS,A,pelaksana,45\n"
		rep, err := importer.ImportEmployees(ctx, db, domain.System, "p.csv", strings.NewReader(csv), importer.Options{Rescorer: st})
		if err != nil || !rep.Committed {
			t.Fatal(rep, err)
		}
		if r := mustStored(t, db, emp, testYear); r.Kualifikasi != 20 {
			t.Errorf("after employee import kualifikasi = %v, want 20", r.Kualifikasi)
		}
	})
}
