package scoring

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/demo"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/importer"
)

// Every known source of a fact row has a label in Bahasa Indonesia, not its raw code.
func TestSourceLabels(t *testing.T) {
	for _, s := range domain.FactSources {
		if got := (ExternalTraining{Source: s}).SourceLabel(); got == "" || got == s {
			t.Errorf("SourceLabel(%q) = %q, want an Indonesian label", s, got)
		}
	}
	for _, s := range []string{SourceSubmission, demo.SourceDemo} {
		if !slices.Contains(domain.FactSources, s) {
			t.Errorf("source %q is written but not in domain.FactSources", s)
		}
	}
	if got := (ExternalTraining{Source: demo.SourceDemo}).SourceLabel(); got != "Data contoh (demo)" {
		t.Errorf("demo source label = %q", got)
	}
}

// The sources every writer actually stores — the demo seed, the fact imports and a
// submission — are all known and labelled: none reaches a page as a raw code.
func TestWrittenSourcesHaveLabels(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		acc, err := account.New(db, account.Options{HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1},
			JWTSecret: []byte("source-test-secret-0123456789-abcdefgh")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Seed(ctx, db, acc, directory.New(db), demo.Options{Employees: demo.MinEmployees, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		w := newExtWorld(t, db)
		w.mustSubmit(t, w.pegA1, w.input(w.nipA1, "SRC/1/2026"), extPDF("source"))
		csv := "nip,tingkat,tanggal_mulai,jenis,nomor_sk\n" + w.nipA2 + ",R,2026-01-05,Teguran lisan,800.1.6.4/999/BKPSDM/2026\n"
		if rep, err := importer.ImportFacts(ctx, db, w.st, importer.FactHukdis, domain.System, "hukdis.csv",
			strings.NewReader(csv), importer.Options{}); err != nil || !rep.Committed {
			t.Fatalf("import: %+v, %v", rep, err)
		}

		var sources []string
		if err := db.Gorm.Raw(`SELECT source FROM skp_results UNION SELECT source FROM disciplinary_penalties
			UNION SELECT source FROM external_trainings ORDER BY 1`).Scan(&sources).Error; err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{domain.FactSourceDemo, domain.FactSourceImport, domain.FactSourceSubmission} {
			if !slices.Contains(sources, want) {
				t.Errorf("stored sources %v lack %q", sources, want)
			}
		}
		for _, s := range sources {
			if !slices.Contains(domain.FactSources, s) {
				t.Errorf("stored source %q is not in domain.FactSources", s)
			}
			if got := (ExternalTraining{Source: s}).SourceLabel(); got == "" || got == s {
				t.Errorf("stored source %q has no label (shown as %q)", s, got)
			}
		}
	})
}
