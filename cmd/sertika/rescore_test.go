package main

import (
	"strings"
	"testing"
)

// The fact imports and the rescore command on a SQLite data directory: imports keep the
// current year's scores up to date, a bulk rescore fills another year, a second run writes
// nothing.
func TestFactImportAndRescoreCommands(t *testing.T) {
	dir := importTestDataDir(t)
	files := t.TempDir()
	run := cliRunner(t, dir, "")
	run(0, "import", "employees", writeImportFile(t, files, "pegawai.csv", importTestGood))

	out, errOut := run(0, "import", "skp", writeImportFile(t, files, "skp.csv",
		"nip;tahun;predikat\n196608011988031001;2025;sangat_baik\n200012312024211001;2025;baik\n"))
	if !strings.Contains(out, "Impor data SKP dari skp.csv (CSV, 2 baris data)") || !strings.Contains(errOut, "processing rows: 2/2") {
		t.Errorf("skp import:\n%s\n%s", out, errOut)
	}
	out, _ = run(1, "import", "hukdis", writeImportFile(t, files, "hukdis.csv",
		"nip,tingkat,tanggal_mulai\n196608011988031001,X,2024-01-01\n"))
	if !strings.Contains(out, "baris 2 (196608011988031001 Andi Wijaya): Tingkat hukuman disiplin \"X\" tidak dikenal") {
		t.Errorf("hukdis report:\n%s", out)
	}
	out, _ = run(0, "import", "pengembangan", "--dry-run", writeImportFile(t, files, "dev.csv",
		"nip,kode_jenis,nama,jumlah_jp,tanggal_selesai\n196608011988031001,teknis,Pelatihan Data,20,10-02-2025\n"))
	if !strings.Contains(out, "uji coba") {
		t.Errorf("pengembangan dry run:\n%s", out)
	}

	// The imports scored the current year already: nothing to write.
	out, _ = run(0, "rescore")
	if !strings.Contains(out, "2 pegawai aktif, 0 skor ditulis, 2 tidak berubah") {
		t.Errorf("rescore of the current year: %s", out)
	}
	out, errOut = run(0, "rescore", "--year", "2025")
	if !strings.Contains(out, "Skor IP ASN tahun 2025 (perban-8-2019): 2 pegawai aktif, 2 skor ditulis") ||
		!strings.Contains(errOut, "rescoring employees: 2/2") {
		t.Errorf("rescore 2025:\n%s\n%s", out, errOut)
	}
	out, _ = run(0, "rescore", "--year=2025", "--chunk", "1")
	if !strings.Contains(out, "0 skor ditulis, 2 tidak berubah") {
		t.Errorf("second rescore 2025: %s", out)
	}
	out, _ = run(0, "rescore", "--year=2025", "--force")
	if !strings.Contains(out, "2 skor ditulis") {
		t.Errorf("forced rescore: %s", out)
	}
}

func TestRescoreCommandUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"rescore", "--data-dir", dir, "extra"}, 2, ""},
		{[]string{"rescore", "--data-dir", dir, "--year", "1990"}, 2, ""},
		{[]string{"rescore", "--data-dir", dir, "--chunk", "-1"}, 2, ""},
		{[]string{"rescore", "--help"}, 0, "--year"},
		{[]string{"import", "skp", "--help"}, 0, "nip, tahun, nilai, predikat"},
		{[]string{"import", "hukdis", "--help"}, 0, "nip, tingkat, tanggal_mulai, jenis, nomor_sk"},
		{[]string{"import", "pengembangan", "--help"}, 0, "nomor_sertifikat"},
		{[]string{"import", "skp", "--data-dir", dir}, 2, ""},
		{[]string{"help", "import"}, 0, "sertika import pengembangan"},
	} {
		code, out, errOut := importTestRun(t, "", tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("%v: exit %d, want %d; stdout %q; stderr %q", tc.args, code, tc.code, out, errOut)
		}
	}
}
