package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/scoring"
)

// An administrator's rule set file (--rule-set, SERTIKA_RULE_SET) is what the commands score
// with: here one that turns on the JP conversion (e-learning at most 3 JP a day), so a 40 JP
// e-learning course of two days counts 6 JP. A bad file stops the command before it writes
// anything, with the reason.
func TestRuleSetFileUsedByCommands(t *testing.T) {
	dir, _, db := importTestDB(t, database.SQLite)
	files := t.TempDir()
	run := cliRunner(t, dir, "")
	writeRuleSet := func(name string, mutate func(*scoring.RuleSet)) string {
		rs := scoring.Default()
		mutate(rs)
		b, err := json.Marshal(rs)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	three := 3
	local := writeRuleSet("lokal.json", func(rs *scoring.RuleSet) {
		rs.ID, rs.Version = "perban-lokal", "2026.1"
		rs.Kompetensi.JPConversion = []scoring.JPConversionRule{{Kinds: []string{"e_learning"}, MaxJPPerDay: &three}}
	})
	year := time.Now().Year()
	run(0, "import", "employees", writeImportFile(t, files, "pegawai.csv", importTestGood))
	run(0, "import", "pengembangan", writeImportFile(t, files, "dev.csv", fmt.Sprintf(
		"nip,kode_jenis,nama,jumlah_jp,tanggal_mulai,tanggal_selesai\n196608011988031001,e_learning,Kursus Daring,40,%d-02-10,%d-02-11\n",
		year, year)))
	jp := func() (ruleSet string, jpYear int) {
		t.Helper()
		row := db.SQL.QueryRowContext(context.Background(), `SELECT s.rule_set, s.jp_year FROM scores s
			JOIN employees e ON e.id = s.employee_id WHERE e.nip = '196608011988031001' AND s.year = ?`, year)
		if err := row.Scan(&ruleSet, &jpYear); err != nil {
			t.Fatal(err)
		}
		return ruleSet, jpYear
	}
	if rs, n := jp(); rs != scoring.RuleSetPerban2019 || n != 40 {
		t.Fatalf("after the import with the default rule set: %s, %d JP; want perban-8-2019, 40 JP", rs, n)
	}

	out, _ := run(0, "rescore", "--rule-set", local)
	if !strings.Contains(out, "(perban-lokal)") || !strings.Contains(out, "2 skor ditulis") {
		t.Errorf("rescore with the file: %s", out)
	}
	if rs, n := jp(); rs != "perban-lokal" || n != 6 {
		t.Errorf("after the rescore with the file: %s, %d JP; want perban-lokal, 6 JP (2 days × 3)", rs, n)
	}
	if out, _ := run(0, "rescore", "--rule-set", local); !strings.Contains(out, "0 skor ditulis") {
		t.Errorf("second rescore with the file: %s", out)
	}

	for name, mutate := range map[string]func(*scoring.RuleSet){
		"sama.json":  func(rs *scoring.RuleSet) { rs.Version = "2026.2" }, // an embedded set's id
		"salah.json": func(rs *scoring.RuleSet) { rs.ID = "salah"; rs.Kualifikasi.Max = 99 },
	} {
		_, errOut := run(1, "rescore", "--rule-set", writeRuleSet(name, mutate))
		if !strings.Contains(errOut, name) {
			t.Errorf("%s: stderr %q does not name the file", name, errOut)
		}
	}
	if _, errOut := run(1, "import", "skp", "--rule-set", filepath.Join(files, "tidak-ada.json"),
		writeImportFile(t, files, "skp.csv", "nip,tahun,predikat\n196608011988031001,2025,baik\n")); !strings.Contains(errOut, "tidak-ada.json") {
		t.Errorf("missing file: %q", errOut)
	}
	var skp int
	if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM skp_results`).Scan(&skp); err != nil || skp != 0 {
		t.Errorf("the refused import wrote %d SKP rows (%v)", skp, err)
	}
	if rs, n := jp(); rs != "perban-lokal" || n != 6 {
		t.Errorf("refused runs changed the scores: %s, %d", rs, n)
	}
}
