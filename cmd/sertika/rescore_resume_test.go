package main

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/testdb"
)

// rescoreRow is one stored score as the test compares it.
type rescoreRow struct {
	NIP            string `gorm:"column:nip"`
	RuleSet        string
	RuleSetVersion string
	Measured       bool
	Kualifikasi    float64
	Kompetensi     float64
	Kinerja        float64
	Disiplin       float64
	Total          float64
	Category       string
	JPYear         int `gorm:"column:jp_year"`
	JPDuty         int `gorm:"column:jp_duty"`
	Incomplete     string
	FactsHash      string
	Explanation    string
	ComputedAt     time.Time
}

// points is the part of the row the rules decide, for a want list.
func (r rescoreRow) points() string {
	return fmt.Sprintf("%s %s measured=%v %v+%v+%v+%v=%v %s jp=%d/%d", r.NIP, r.RuleSet, r.Measured,
		r.Kualifikasi, r.Kompetensi, r.Kinerja, r.Disiplin, r.Total, r.Category, r.JPYear, r.JPDuty)
}

// stored is the whole row but the time it was written (the explanation as its SHA-256: it
// is packed binary on PostgreSQL).
func (r rescoreRow) stored() string {
	return fmt.Sprintf("%s|%s|%q|%s|explanation %x", r.points(), r.RuleSetVersion, r.Incomplete, r.FactsHash,
		sha256.Sum256([]byte(r.Explanation)))
}

// TestRescoreCommandResumes runs `sertika rescore --year Y` on SQLite and on PostgreSQL over
// employees and facts loaded with `sertika import`: the first run stores the scores the rules
// give (checked dimension by dimension), reports its progress on standard error and its
// summary on standard output; a second run writes nothing (not even the time of the
// scores) and says so. Then the state an interrupted run leaves — scores missing for part of
// the employees, and one score written from older facts — is completed by a re-run, which
// writes exactly those rows back, equal to the first run's; a last run again writes nothing.
func TestRescoreCommandResumes(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dir, dbURL, db := importTestDB(t, dialect)
			files := t.TempDir()
			if dialect != database.Postgres {
				dbURL = "" // SQLite: the data directory's own file
			}
			run := cliRunner(t, dir, dbURL)
			scores := func(year int) []rescoreRow {
				t.Helper()
				var rows []rescoreRow
				if err := db.Gorm.Raw(`SELECT e.nip, s.rule_set, s.rule_set_version, s.measured, s.kualifikasi, s.kompetensi,
					s.kinerja, s.disiplin, s.total, s.category, s.jp_year, s.jp_duty, s.incomplete, s.facts_hash, s.explanation,
					s.computed_at FROM scores s JOIN employees e ON e.id = s.employee_id WHERE s.year = ? ORDER BY e.nip`, year).
					Scan(&rows).Error; err != nil {
					t.Fatal(err)
				}
				return rows
			}
			join := func(rows []rescoreRow, f func(rescoreRow) string) string {
				out := make([]string, len(rows))
				for i, r := range rows {
					out[i] = f(r)
				}
				return strings.Join(out, "\n")
			}
			withTime := func(r rescoreRow) string { return r.stored() + "|" + r.ComputedAt.UTC().Format(time.RFC3339Nano) }

			// A past year, so that the imports (which rescore the current year) leave it empty.
			y := time.Now().Year() - 1
			const e1, e2, e3 = "196608011988031001", "197001012000012002", "198505052010011003"
			date := func(year, month, day int) string { return fmt.Sprintf("%02d-%02d-%d", day, month, year) }
			run(0, "import", "employees", writeImportFile(t, files, "pegawai.csv", "nip;nama;status;kode_opd;jenis_jabatan;tk_pendidikan\n"+
				e1+";Andi Wijaya;PNS;DINKES;pelaksana;45\n"+
				e2+";Siti Rahmawati;PNS;DINKES;pelaksana;30\n"+
				e3+";Budi Santoso;PNS;DINKES;pelaksana;40\n"))
			run(0, "import", "skp", writeImportFile(t, files, "skp.csv", fmt.Sprintf("nip;tahun;nilai;predikat\n%s;%d;;sangat_baik\n%s;%d;80;\n",
				e1, y-1, e2, y-1)))
			run(0, "import", "hukdis", writeImportFile(t, files, "hukdis.csv", "nip,tingkat,tanggal_mulai,jenis,nomor_sk\n"+
				e2+",R,"+date(y-2, 5, 15)+",Teguran lisan,800/11/BKPSDM\n"+
				e3+",B,"+date(y-6, 2, 1)+",Penurunan jabatan,800/12/BKPSDM\n")) // outside the window Y-4…Y
			run(0, "import", "pengembangan", writeImportFile(t, files, "pengembangan.csv", "nip,kode_jenis,nama,jumlah_jp,tanggal_selesai\n"+
				e1+",teknis,Pelatihan Teknis Pengelolaan Data,24,"+date(y, 3, 10)+"\n"+
				e1+",seminar,Seminar Kesehatan Kerja,4,"+date(y-1, 8, 15)+"\n"+
				e3+",seminar,Seminar Pelayanan Publik,4,"+date(y, 6, 20)+"\n"+
				e3+",bimtek,Bimtek Aplikasi Kepegawaian,12,"+date(y, 9, 10)+"\n"))
			if n := len(scores(y)); n != 0 {
				t.Fatalf("%d scores of %d before the rescore", n, y)
			}

			// ---- the first run stores what the rules give ----
			summary := fmt.Sprintf("Skor IP ASN tahun %d (perban-8-2019): 3 pegawai aktif, ", y)
			out, errOut := run(0, "rescore", "--year", fmt.Sprint(y))
			if !strings.HasPrefix(out, summary+"3 skor ditulis, 0 tidak berubah (") || strings.Count(out, "\n") != 1 {
				t.Errorf("first run: stdout %q", out)
			}
			if !strings.Contains(errOut, "rescoring employees: 3/3 (100%)\n") {
				t.Errorf("first run: no progress on standard error: %q", errOut)
			}
			first := scores(y)
			// The rules of perban-8-2019 for three pelaksana (PNS, duty 20 JP):
			// e1: S2 20; teknis 24 JP in Y (c 22.5) and a seminar in Y-1 (d 17.5); SKP Y-1 sangat baik 30; no penalty 5.
			// e2: D3 10; no development 0; SKP Y-1 80 (baik) 25; light penalty in Y-2 3.
			// e3: S1 15; seminar in Y (d 17.5), 12 JP bimtek short of 20 (no c); no SKP 0; heavy penalty before Y-4: 5.
			want := strings.Join([]string{
				e1 + " perban-8-2019 measured=true 20+40+30+5=95 sangat_tinggi jp=24/20",
				e2 + " perban-8-2019 measured=true 10+0+25+3=38 sangat_rendah jp=0/20",
				e3 + " perban-8-2019 measured=true 15+17.5+0+5=37.5 sangat_rendah jp=16/20",
			}, "\n")
			if got := join(first, rescoreRow.points); got != want {
				t.Fatalf("scores of %d\n got:\n%s\nwant:\n%s", y, got, want)
			}
			if first[0].Incomplete != "" || !strings.Contains(first[2].Incomplete, "SKP") {
				t.Errorf("incomplete: e1 %q, e3 %q (want e3's missing SKP)", first[0].Incomplete, first[2].Incomplete)
			}
			for _, r := range first {
				// (the explanation's encoding is the scoring package's business: packed on PostgreSQL)
				if r.FactsHash == "" || r.Explanation == "" {
					t.Errorf("%s: facts hash %q, explanation %d bytes", r.NIP, r.FactsHash, len(r.Explanation))
				}
			}

			// ---- a second run changes nothing, and says so ----
			out, errOut = run(0, "rescore", "--year", fmt.Sprint(y))
			if !strings.HasPrefix(out, summary+"0 skor ditulis, 3 tidak berubah (") {
				t.Errorf("second run: stdout %q", out)
			}
			if !strings.Contains(errOut, "rescoring employees: 3/3 (100%)") {
				t.Errorf("second run: stderr %q", errOut)
			}
			if got, want := join(scores(y), withTime), join(first, withTime); got != want {
				t.Errorf("the second run changed the scores\n got:\n%s\nwant:\n%s", got, want)
			}

			// ---- an interrupted run: e1's and e3's rows missing, e2's from older facts ----
			res := db.Gorm.Exec(`DELETE FROM scores WHERE year = ? AND employee_id IN (SELECT id FROM employees WHERE nip IN (?, ?))`, y, e1, e3)
			if res.Error != nil || res.RowsAffected != 2 {
				t.Fatalf("delete scores: %v (%d rows)", res.Error, res.RowsAffected)
			}
			res = db.Gorm.Exec(`UPDATE scores SET facts_hash = 'usang', kinerja = 0, total = 13, category = 'sangat_rendah'
				WHERE year = ? AND employee_id = (SELECT id FROM employees WHERE nip = ?)`, y, e2)
			if res.Error != nil || res.RowsAffected != 1 {
				t.Fatalf("age e2's score: %v (%d rows)", res.Error, res.RowsAffected)
			}
			out, _ = run(0, "rescore", "--year", fmt.Sprint(y), "--chunk", "2")
			if !strings.HasPrefix(out, summary+"3 skor ditulis, 0 tidak berubah (") {
				t.Errorf("re-run after the interruption: stdout %q", out)
			}
			resumed := scores(y)
			if got, want := join(resumed, rescoreRow.stored), join(first, rescoreRow.stored); got != want {
				t.Errorf("the re-run did not restore the scores\n got:\n%s\nwant:\n%s", got, want)
			}

			// ---- and a last run finds nothing to do ----
			out, _ = run(0, "rescore", "--year", fmt.Sprint(y))
			if !strings.HasPrefix(out, summary+"0 skor ditulis, 3 tidak berubah (") {
				t.Errorf("last run: stdout %q", out)
			}
			if got, want := join(scores(y), withTime), join(resumed, withTime); got != want {
				t.Errorf("the last run changed the scores\n got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
