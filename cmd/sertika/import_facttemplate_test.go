package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportFactTemplateCommand: "import template KIND" writes the fact templates, and they
// import cleanly (dry run) once the employee template's employee exists.
func TestImportFactTemplateCommand(t *testing.T) {
	headers := map[string]string{
		"skp":          "nip,tahun,nilai,predikat",
		"hukdis":       "nip,tingkat,tanggal_mulai,jenis,nomor_sk",
		"pengembangan": "nip,kode_jenis,tingkat,nama,jumlah_jp,tanggal_mulai,tanggal_selesai,penyelenggara,nomor_sertifikat",
	}
	dir := t.TempDir()
	dataDir := importTestDataDir(t)
	// The example employee of the templates (in DINKES here: only the NIP matters).
	emp := writeImportFile(t, dir, "pegawai.csv", "nip,nama,status,kode_opd,jenis_jabatan\n196608011988031001,Andi Wijaya,PNS,DINKES,pelaksana\n")
	if code, out, errOut := importTestRun(t, "", "import", "employees", "--data-dir", dataDir, emp); code != 0 {
		t.Fatalf("employees: exit %d\n%s\n%s", code, out, errOut)
	}
	for kind, header := range headers {
		code, out, errOut := importTestRun(t, "", "import", "template", kind)
		if code != 0 || !strings.HasPrefix(out, "\ufeff"+header+"\r\n") {
			t.Errorf("%s CSV template: exit %d, %q %s", kind, code, out, errOut)
		}
		for _, tc := range []struct {
			file string
			args []string
		}{
			{kind + ".bin", []string{"import", "template", kind, "--xlsx", "-o", filepath.Join(dir, kind+".bin")}},
			{kind + ".xlsx", []string{"import", "template", "-o", filepath.Join(dir, kind+".xlsx"), kind}},
		} {
			code, _, errOut := importTestRun(t, "", tc.args...)
			data, err := os.ReadFile(filepath.Join(dir, tc.file))
			if code != 0 || err != nil || !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
				t.Errorf("%v: exit %d, %v, stderr %q", tc.args, code, err, errOut)
			}
		}
		code, out, errOut = importTestRun(t, "", "import", kind, "--dry-run", "--data-dir", dataDir, filepath.Join(dir, kind+".xlsx"))
		if code != 0 || !strings.Contains(out, "(XLSX, 1 baris data)") || !strings.Contains(out, "uji coba") {
			t.Errorf("%s template dry run: exit %d\n%s\n%s", kind, code, out, errOut)
		}
	}
	if code, _, errOut := importTestRun(t, "", "import", "template", "gaji"); code != 2 || !strings.Contains(errOut, "unknown template") {
		t.Errorf("unknown kind: exit %d, %q", code, errOut)
	}
	if code, _, errOut := importTestRun(t, "", "import", "template", "skp", "hukdis"); code != 2 || !strings.Contains(errOut, "unexpected argument") {
		t.Errorf("two kinds: exit %d, %q", code, errOut)
	}
}
