package importer

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

// factNow is the clock of the fact import tests.
var factNow = time.Date(2026, time.June, 15, 8, 0, 0, 0, time.UTC)

// eachFixed is testdb.Each with the fixed clock factNow.
func eachFixed(t *testing.T, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			fn(t, testdb.NewWithClock(t, d, func() time.Time { return factNow }))
		})
	}
}

// fakeRescorer records the employees it is asked to rescore and what the transaction
// holds at that moment.
type fakeRescorer struct {
	calls [][]int64
	seen  int64 // rows of the fact table visible in the transaction at the call
	table string
	err   error
}

func (f *fakeRescorer) RescoreAffected(_ context.Context, tx *gorm.DB, ids []int64) error {
	f.calls = append(f.calls, append([]int64(nil), ids...))
	if f.table != "" {
		tx.Table(f.table).Count(&f.seen)
	}
	return f.err
}

// factFixture creates the OPDs and three employees (nipPNS1, nipPNS2, nipPPPK1) and returns
// their ids by NIP.
func factFixture(t *testing.T, db *database.DB) map[string]int64 {
	t.Helper()
	mustOPDs(t, db)
	mustImport(t, db, csvText(t, ',', withHeader(fullHeader, validRows()...)...), Options{})
	ids := map[string]int64{}
	for _, n := range []string{nipPNS1, nipPNS2, nipPPPK1} {
		ids[n] = employee(t, db, n).ID
	}
	return ids
}

func importFacts(t *testing.T, db *database.DB, rs Rescorer, kind FactKind, data []byte, opt Options) *Report {
	t.Helper()
	rep, err := ImportFacts(context.Background(), db, rs, kind, domain.System, string(kind)+".csv", bytes.NewReader(data), opt)
	if err != nil {
		t.Fatalf("ImportFacts(%s): %v", kind, err)
	}
	return rep
}

func TestImportSKP(t *testing.T) {
	eachFixed(t, func(t *testing.T, db *database.DB) {
		ids := factFixture(t, db)
		rs := &fakeRescorer{table: "skp_results"}
		data := csvText(t, ';',
			[]string{"NIP", "Tahun", "Nilai", "Predikat"},
			[]string{nipPNS1, "2021", "85,5", ""},
			[]string{nipPNS1, "2025", "", "Sangat Baik"},
			[]string{nipPNS2, "2025", "", "3"},
		)
		rep := importFacts(t, db, rs, FactSKP, data, Options{})
		checkCounts(t, rep, 3, 0, 0, 0)
		if !rep.Committed || rep.Rows[0].Name != "Andi Wijaya" {
			t.Errorf("report = %+v", rep)
		}
		if len(rs.calls) != 1 || !reflect.DeepEqual(rs.calls[0], sortedIDs(ids[nipPNS1], ids[nipPNS2])) || rs.seen != 3 {
			t.Errorf("rescorer calls = %v (saw %d rows), want both employees after the rows were written", rs.calls, rs.seen)
		}
		var got []SKPRecord
		db.Gorm.Order("employee_id, year").Find(&got)
		if len(got) != 3 || got[0].Value == nil || *got[0].Value != 85.5 || got[0].Predikat != "" ||
			got[1].Predikat != "sangat_baik" || got[1].Value != nil || got[2].Predikat != "butuh_perbaikan" ||
			got[0].Source != "import" || got[0].ImportRunID == nil {
			t.Errorf("stored = %+v", got)
		}
		var run importRun
		db.Gorm.Order("id DESC").First(&run)
		if run.Kind != RunKindSKP || run.ID != *got[0].ImportRunID || run.Created != 3 {
			t.Errorf("run = %+v", run)
		}
		var audit domain.AuditEntry
		db.Gorm.Order("id DESC").First(&audit)
		if audit.Action != AuditActionImportSKP {
			t.Errorf("audit action = %q", audit.Action)
		}
		var text bytes.Buffer
		rep.WriteText(&text)
		if !strings.Contains(text.String(), "Impor data SKP dari skp.csv (CSV, 3 baris data)") {
			t.Errorf("report text:\n%s", text.String())
		}

		// Again: unchanged, and the rescorer has nothing to do. Then the 2021 value becomes
		// a predikat (replacing the value) and 2025 changes.
		rs.calls = nil
		rep = importFacts(t, db, rs, FactSKP, data, Options{})
		checkCounts(t, rep, 0, 0, 3, 0)
		if len(rs.calls) != 1 || len(rs.calls[0]) != 0 {
			t.Errorf("rescorer calls for an unchanged file = %v", rs.calls)
		}
		// A file without the predikat column.
		rep = importFacts(t, db, rs, FactSKP, csvText(t, ',',
			[]string{"nip", "tahun", "nilai"},
			[]string{nipPNS1, "2021", "85.50"},
			[]string{nipPNS1, "2025", "91"},
			[]string{nipPPPK1, "2024", "70"},
		), Options{})
		checkCounts(t, rep, 1, 1, 1, 0)
		db.Gorm.Where("employee_id = ? AND year = 2025", ids[nipPNS1]).Find(&got)
		if len(got) != 1 || got[0].Value == nil || *got[0].Value != 91 || got[0].Predikat != "" {
			t.Errorf("2025 after update = %+v", got)
		}
		// A file with the predikat column only.
		rep = importFacts(t, db, rs, FactSKP, csvText(t, ',',
			[]string{"nip", "tahun", "predikat"},
			[]string{nipPNS1, "2025", "baik"},
		), Options{})
		checkCounts(t, rep, 0, 1, 0, 0)
	})
}

func sortedIDs(ids ...int64) []int64 {
	out := append([]int64(nil), ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// Each rejection reason, per kind; one bad row rejects the whole file and leaves the
// database and the scores alone.
func TestImportFactsRejections(t *testing.T) {
	good := map[FactKind][]string{
		FactSKP:          {nipPNS1, "2024", "", "baik"},
		FactHukdis:       {nipPNS1, "R", "2024-01-02", "teguran lisan", "SK/1"},
		FactPengembangan: {nipPNS1, "teknis", "", "Pelatihan Jaringan", "24", "2026-01-05", "2026-01-08", "BPSDM", "NO/1"},
	}
	cases := []struct {
		kind FactKind
		row  []string
		want string
	}{
		{FactSKP, []string{"197001011990031001", "2024", "", "baik"}, "tidak terdaftar sebagai pegawai"},
		{FactSKP, []string{"196608011988033001", "2024", "", "baik"}, "Digit ke-15"},
		{FactSKP, []string{nipPNS1, "1989", "", "baik"}, "Tahun \"1989\" tidak sah"},
		{FactSKP, []string{nipPNS1, "2027", "", "baik"}, "tidak sah"},
		{FactSKP, []string{nipPNS1, "", "", "baik"}, "tahun wajib"},
		{FactSKP, []string{nipPNS1, "2024", "80", "baik"}, "tidak keduanya"},
		{FactSKP, []string{nipPNS1, "2024", "", ""}, "Isi nilai atau predikat"},
		{FactSKP, []string{nipPNS1, "2024", "", "luar biasa"}, "Predikat \"luar biasa\" tidak dikenal"},
		{FactSKP, []string{nipPNS1, "2024", "delapan", ""}, "bukan angka"},
		{FactSKP, []string{nipPNS1, "2024", "121", ""}, "di luar rentang"},
		{FactSKP, []string{nipPNS1, "2024", "80.125", ""}, "2 desimal"},
		{FactSKP, []string{nipPNS1, "2024", "", "ba\nik"}, "karakter kontrol"},
		{FactHukdis, []string{nipPNS1, "X", "2024-01-02", "", ""}, "Tingkat hukuman disiplin \"X\" tidak dikenal"},
		{FactHukdis, []string{nipPNS1, "", "2024-01-02", "", ""}, "tingkat wajib"},
		{FactHukdis, []string{nipPNS1, "B", "", "", ""}, "tanggal_mulai wajib"},
		{FactHukdis, []string{nipPNS1, "B", "2024-13-01", "", ""}, "tanggal \"2024-13-01\" tidak sah"},
		{FactHukdis, []string{nipPNS1, "B", "2030-01-01", "", ""}, "masa depan"},
		{FactHukdis, []string{nipPNS1, "S", "2024-01-02", "", strings.Repeat("9", 101)}, "nomor_sk terlalu panjang"},
		{FactPengembangan, []string{nipPNS1, "diklat", "", "X", "10", "", "2026-01-01", "", ""}, "Kode jenis pengembangan \"diklat\" tidak dikenal"},
		{FactPengembangan, []string{nipPNS1, "kepemimpinan", "", "PKP", "10", "", "2026-01-01", "", ""}, "tingkat wajib diisi untuk pelatihan kepemimpinan"},
		{FactPengembangan, []string{nipPNS1, "kepemimpinan", "pim5", "PKP", "10", "", "2026-01-01", "", ""}, "\"pim5\" tidak dikenal"},
		{FactPengembangan, []string{nipPNS1, "seminar", "pkp", "S", "10", "", "2026-01-01", "", ""}, "hanya diisi untuk pelatihan kepemimpinan"},
		{FactPengembangan, []string{nipPNS1, "seminar", "", "", "10", "", "2026-01-01", "", ""}, "nama (nama kegiatan) wajib"},
		{FactPengembangan, []string{nipPNS1, "seminar", "", "S", "2,5", "", "2026-01-01", "", ""}, "Jumlah JP \"2,5\" tidak sah"},
		{FactPengembangan, []string{nipPNS1, "seminar", "", "S", "2001", "", "2026-01-01", "", ""}, "Jumlah JP"},
		{FactPengembangan, []string{nipPNS1, "seminar", "", "S", "", "", "2026-01-01", "", ""}, "jumlah_jp wajib"},
		{FactPengembangan, []string{nipPNS1, "seminar", "", "S", "4", "", "2099-01-01", "", ""}, "belum lewat"},
		{FactPengembangan, []string{nipPNS1, "seminar", "", "S", "4", "2026-02-01", "2026-01-01", "", ""}, "sesudah tanggal selesai"},
		{FactPengembangan, []string{nipPNS1, "seminar", "", "S", "4", "", "", "", ""}, "tanggal_selesai wajib"},
		{FactPengembangan, []string{nipPNS1, "seminar", "", "S", "4", "", "2026-01-01", "", "800.1/0001/SERT/BKPSDM/2026"}, "diterbitkan Sertika"},
		// The good row twice: both occurrences rejected.
		{FactPengembangan, good[FactPengembangan], "muncul lebih dari sekali"},
		{FactSKP, good[FactSKP], "muncul lebih dari sekali"},
		{FactHukdis, good[FactHukdis], "muncul lebih dari sekali"},
	}
	eachFixed(t, func(t *testing.T, db *database.DB) {
		ids := factFixture(t, db)
		mustSertikaCertificate(t, db, ids[nipPNS1], "800.1/0001/SERT/BKPSDM/2026")
		for _, tc := range cases {
			rs := &fakeRescorer{}
			header := FactColumns(tc.kind)
			rep := importFacts(t, db, rs, tc.kind, csvText(t, ',', header, good[tc.kind], tc.row), Options{})
			if rep.Committed || rep.Rejected == 0 || len(rs.calls) != 0 {
				t.Errorf("%s %v: committed %v, rejected %d, rescorer calls %d", tc.kind, tc.row, rep.Committed, rep.Rejected, len(rs.calls))
				continue
			}
			last := rep.Rows[len(rep.Rows)-1]
			if last.Action != ActionRejected || !strings.Contains(last.Reason, tc.want) || last.Line != 3 {
				t.Errorf("%s %v: row = %+v, want a rejection containing %q", tc.kind, tc.row, last, tc.want)
			}
			if rep.Rows[0].Action != ActionRejected && rep.Rows[0].Action != ActionCreated {
				t.Errorf("%s: first row = %+v", tc.kind, rep.Rows[0])
			}
		}
		for _, table := range []string{"skp_results", "disciplinary_penalties", "external_trainings"} {
			if n := count(t, db, table); n != 0 {
				t.Errorf("%s = %d rows after rejected files, want 0", table, n)
			}
		}
		var runs int64
		db.Gorm.Model(&importRun{}).Where("kind <> ?", RunKindEmployees).Count(&runs)
		if runs != 0 {
			t.Errorf("import runs recorded for rejected files: %d", runs)
		}
	})
}

// mustSertikaCertificate inserts a certificate issued by Sertika (raw rows, as the issuer
// writes them).
func mustSertikaCertificate(t *testing.T, db *database.DB, empID int64, number string) {
	t.Helper()
	now := db.Now()
	exec := func(q string, args ...any) {
		t.Helper()
		if err := db.Gorm.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO signing_keys (kid, public_key, state, valid_from, created_at) VALUES ('k1', 'pk', 'active', ?, ?)`, now, now)
	exec(`INSERT INTO dev_requests (id, opd_id, title, kind, classroom, organizer_type, start_date, end_date, jp, state, created_at, updated_at)
		SELECT 900, opd_id, 'Pelatihan', 'seminar', ?, 'bkpsdm', '2026-01-01', '2026-01-01', 4, 'completed', ?, ? FROM employees WHERE id = ?`,
		true, now, now, empID)
	exec(`INSERT INTO certificates (id, number, year, seq, status_index, request_id, employee_id, nip, holder_name, title, kind,
		start_date, end_date, jp, issued_at, issuer_code, signer_name, kid, token, digest, state, created_at)
		SELECT 'C1', ?, 2026, 1, 1, 900, id, nip, name, 'Pelatihan', 'seminar', '2026-01-01', '2026-01-01', 4, ?, 'BKPSDM', 'Kepala',
		'k1', 't', 'd', 'valid', ? FROM employees WHERE id = ?`, number, now, now, empID)
}

func TestImportFactsHeaderContract(t *testing.T) {
	want := map[FactKind]string{
		FactSKP:          "nip,tahun,nilai,predikat",
		FactHukdis:       "nip,tingkat,tanggal_mulai,jenis,nomor_sk",
		FactPengembangan: "nip,kode_jenis,tingkat,nama,jumlah_jp,tanggal_mulai,tanggal_selesai,penyelenggara,nomor_sertifikat",
	}
	for k, w := range want {
		if got := strings.Join(FactColumns(k), ","); got != w {
			t.Errorf("FactColumns(%s) = %s, want %s", k, got, w)
		}
	}
	if FactColumns("x") != nil {
		t.Error("FactColumns of an unknown kind")
	}
	eachFixed(t, func(t *testing.T, db *database.DB) {
		factFixture(t, db)
		rs := &fakeRescorer{}
		for _, tc := range []struct {
			kind FactKind
			text string
			want string
		}{
			{FactSKP, "nip,tahun\n" + nipPNS1 + ",2024\n", "Kolom nilai atau predikat wajib ada"},
			{FactSKP, "nip,tahun,nilai,catatan\n" + nipPNS1 + ",2024,80,x\n", `Kolom tidak dikenal: "catatan"`},
			{FactHukdis, "nip,tingkat\n" + nipPNS1 + ",R\n", "Kolom wajib tidak ada: tanggal_mulai."},
			{FactPengembangan, "nip,kode_jenis,nama,jumlah_jp,tanggal_selesai\n", "tanpa baris data pengembangan kompetensi"},
			{FactPengembangan, "a,b\n1,2\n", "Baris pertama berkas harus berupa header"},
		} {
			_, err := ImportFacts(context.Background(), db, rs, tc.kind, domain.System, "x.csv", strings.NewReader(tc.text), Options{})
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.CodeInvalid || !strings.Contains(ae.Message, tc.want) {
				t.Errorf("%s %q: err = %v, want %q", tc.kind, tc.text, err, tc.want)
			}
		}
		if _, err := ImportFacts(context.Background(), db, rs, "lain", domain.System, "x.csv", strings.NewReader("nip\n"), Options{}); err == nil {
			t.Error("unknown kind accepted")
		}
		opd := domain.Actor{Username: "opd", Role: domain.RoleOPD}
		_, err := ImportFacts(context.Background(), db, rs, FactSKP, opd, "x.csv", strings.NewReader("nip,tahun,nilai\n"), Options{})
		if ae := apperr.As(err); ae.Code != apperr.CodeForbidden {
			t.Errorf("OPD account: %v", err)
		}
		if _, err := ImportFacts(context.Background(), db, nil, FactSKP, domain.System, "x.csv", strings.NewReader("nip,tahun,nilai\n"), Options{}); err == nil {
			t.Error("import without a rescorer accepted")
		}
	})
}

func TestImportHukdis(t *testing.T) {
	eachFixed(t, func(t *testing.T, db *database.DB) {
		ids := factFixture(t, db)
		rs := &fakeRescorer{}
		header := FactColumns(FactHukdis)
		rep := importFacts(t, db, rs, FactHukdis, csvText(t, ',', header,
			[]string{nipPNS1, "ringan", "02-01-2024", "Teguran lisan", ""},
			[]string{nipPNS1, "S", "2023-05-01", "Penundaan KGB", "800/12/2023"},
			[]string{nipPNS2, "b", "15/03/2022", "", ""},
		), Options{})
		checkCounts(t, rep, 3, 0, 0, 0)
		var got []PenaltyRecord
		db.Gorm.Order("id").Find(&got)
		if len(got) != 3 || got[0].Level != "R" || got[0].StartDate.String() != "2024-01-02" || got[0].Kind != "Teguran lisan" ||
			got[1].DecreeNumber != "800/12/2023" || got[2].Level != "B" || got[2].StartDate.String() != "2022-03-15" {
			t.Fatalf("stored = %+v", got)
		}
		// By SK number the level and date may change; without one, only the kind (jenis).
		// A file without the jenis column keeps it; a row without SK matches the record
		// with an SK by date and level.
		rep = importFacts(t, db, rs, FactHukdis, csvText(t, ',',
			[]string{"nip", "tingkat", "tanggal_mulai", "nomor_sk"},
			[]string{nipPNS1, "B", "2023-06-01", "800/12/2023"},
			[]string{nipPNS1, "R", "2024-01-02", ""},
			[]string{nipPNS2, "B", "2022-03-15", "800/99/2022"},
		), Options{})
		checkCounts(t, rep, 0, 2, 1, 0)
		db.Gorm.Order("id").Find(&got)
		if len(got) != 3 || got[1].Level != "B" || got[1].StartDate.String() != "2023-06-01" || got[1].Kind != "Penundaan KGB" ||
			got[2].DecreeNumber != "800/99/2022" {
			t.Errorf("after update = %+v", got)
		}
		if last := rs.calls[len(rs.calls)-1]; !reflect.DeepEqual(last, sortedIDs(ids[nipPNS1], ids[nipPNS2])) {
			t.Errorf("rescored %v", last)
		}
	})
}

func TestImportPengembangan(t *testing.T) {
	eachFixed(t, func(t *testing.T, db *database.DB) {
		ids := factFixture(t, db)
		rs := &fakeRescorer{}
		now := db.Now()
		// A record the employee submitted earlier, waiting for review.
		if err := db.Gorm.Create(&ExternalRecord{EmployeeID: ids[nipPNS2], Kind: "seminar", Title: "Seminar K3",
			JP: 2, EndDate: domain.NewDate(2025, 8, 1), Status: "submitted", Source: "submission",
			CreatedAt: now, UpdatedAt: now}).Error; err != nil {
			t.Fatal(err)
		}
		header := FactColumns(FactPengembangan)
		rep := importFacts(t, db, rs, FactPengembangan, csvText(t, ',', header,
			[]string{nipPNS1, "kepemimpinan", "PIM IV", "Diklatpim Tingkat IV", "285", "01-02-2015", "30-05-2015", "BPSDM Maluku Utara", "DL/IV/2015/77"},
			[]string{nipPNS1, "3", "", "Pelatihan Jaringan", "24", "", "2025-10-10", "", ""},
			[]string{nipPNS2, "seminar", "", "Seminar K3", "2", "", "01-08-2025", "Dinkes", ""},
		), Options{})
		checkCounts(t, rep, 2, 1, 0, 0)
		var got []ExternalRecord
		db.Gorm.Order("id").Find(&got)
		if len(got) != 3 {
			t.Fatalf("stored = %+v", got)
		}
		k3, lead, tek := got[0], got[1], got[2]
		if k3.Status != "recognised" || k3.Organizer != "Dinkes" || k3.Source != "submission" || k3.ReviewedAt == nil || k3.ImportRunID == nil {
			t.Errorf("matched submission = %+v", k3)
		}
		if lead.Kind != "kepemimpinan" || lead.Level != "pim4" || lead.JP != 285 || lead.StartDate.String() != "2015-02-01" ||
			lead.EndDate.String() != "2015-05-30" || lead.CertificateNumber != "DL/IV/2015/77" || lead.Status != "recognised" ||
			lead.Source != "import" || lead.ReviewedBy != nil {
			t.Errorf("leadership = %+v", lead)
		}
		if tek.Kind != "teknis" || !tek.StartDate.IsZero() || tek.Organizer != "" {
			t.Errorf("technical = %+v", tek)
		}
		// By number the title and JP may change; the number-less row gains a number.
		rep = importFacts(t, db, rs, FactPengembangan, csvText(t, ',', header,
			[]string{nipPNS1, "kepemimpinan", "pkp", "PKP Angkatan I", "285", "01-02-2015", "30-05-2015", "BPSDM Maluku Utara", "DL/IV/2015/77"},
			[]string{nipPNS1, "teknis", "", "Pelatihan Jaringan", "24", "", "2025-10-10", "", "PJ/2025/1"},
			[]string{nipPNS2, "seminar", "", "Seminar K3", "2", "", "2025-08-01", "Dinkes", ""},
		), Options{})
		checkCounts(t, rep, 0, 2, 1, 0)
		db.Gorm.Order("id").Find(&got)
		if got[1].Title != "PKP Angkatan I" || got[1].Level != "pkp" || got[2].CertificateNumber != "PJ/2025/1" {
			t.Errorf("after update = %+v", got)
		}
	})
}

// XLSX with date cells (serial numbers), dd-mm-yyyy text and numbers typed as numbers.
func TestImportFactsXLSX(t *testing.T) {
	eachFixed(t, func(t *testing.T, db *database.DB) {
		factFixture(t, db)
		f := excelize.NewFile()
		defer f.Close()
		put := func(row int, vals ...any) {
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
				t.Fatal(err)
			}
		}
		put(1, "nip", "kode_jenis", "nama", "jumlah_jp", "tanggal_selesai", "tanggal_mulai")
		put(2, nipPNS1, "bimtek", "Bimtek SPBE", 32, time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), "02-03-2026")
		put(3, nipPNS2, 9, "Seminar Nasional", 8, "05-11-2025", "")
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		rep := importFacts(t, db, &fakeRescorer{}, FactPengembangan, buf.Bytes(), Options{})
		checkCounts(t, rep, 2, 0, 0, 0)
		if rep.Format != FormatXLSX {
			t.Errorf("format %q", rep.Format)
		}
		var got []ExternalRecord
		db.Gorm.Order("id").Find(&got)
		if len(got) != 2 || got[0].EndDate.String() != "2026-03-04" || got[0].StartDate.String() != "2026-03-02" || got[0].JP != 32 ||
			got[1].Kind != "seminar" || got[1].EndDate.String() != "2025-11-05" {
			t.Errorf("stored = %+v", got)
		}
	})
}

// A dry run writes nothing and rescored nobody; a failure after the writes (or in the
// rescorer) rolls everything back.
func TestImportFactsDryRunAndRollback(t *testing.T) {
	eachFixed(t, func(t *testing.T, db *database.DB) {
		factFixture(t, db)
		data := csvText(t, ',', FactColumns(FactSKP), []string{nipPNS1, "2025", "", "baik"})
		rs := &fakeRescorer{}
		rep := importFacts(t, db, rs, FactSKP, data, Options{DryRun: true})
		checkCounts(t, rep, 1, 0, 0, 0)
		if rep.Committed || !rep.DryRun || len(rs.calls) != 0 || count(t, db, "skp_results") != 0 {
			t.Errorf("dry run wrote: %+v, calls %v", rep, rs.calls)
		}
		boom := errors.New("boom")
		_, err := ImportFacts(context.Background(), db, rs, FactSKP, domain.System, "x.csv", bytes.NewReader(data),
			Options{failAfterWrite: func() error { return boom }})
		if err == nil || count(t, db, "skp_results") != 0 {
			t.Errorf("failure after write: err %v, rows %d", err, count(t, db, "skp_results"))
		}
		rs.err = boom
		if _, err := ImportFacts(context.Background(), db, rs, FactSKP, domain.System, "x.csv", bytes.NewReader(data), Options{}); err == nil ||
			count(t, db, "skp_results") != 0 || count(t, db, "import_runs") != 1 {
			t.Errorf("rescorer failure: err %v, rows %d", err, count(t, db, "skp_results"))
		}
		var progress []int
		rs.err = nil
		importFacts(t, db, rs, FactSKP, data, Options{Progress: func(done, total int) { progress = append(progress, done) }})
		if len(progress) < 2 || progress[0] != 0 || progress[len(progress)-1] != 1 {
			t.Errorf("progress = %v", progress)
		}
	})
}

// The employee import rescored the employees it created or changed when given a Rescorer.
func TestImportEmployeesRescores(t *testing.T) {
	eachFixed(t, func(t *testing.T, db *database.DB) {
		mustOPDs(t, db)
		rs := &fakeRescorer{}
		rep := mustImport(t, db, csvText(t, ',', withHeader(fullHeader, validRows()...)...), Options{Rescorer: rs})
		if !rep.Committed || len(rs.calls) != 1 || len(rs.calls[0]) != 3 {
			t.Errorf("calls = %v", rs.calls)
		}
		rows := validRows()
		rows[0][10] = "50"
		mustImport(t, db, csvText(t, ',', withHeader(fullHeader, rows...)...), Options{Rescorer: rs})
		if len(rs.calls) != 2 || !reflect.DeepEqual(rs.calls[1], []int64{employee(t, db, nipPNS1).ID}) {
			t.Errorf("calls = %v", rs.calls)
		}
	})
}
