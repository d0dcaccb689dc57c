package demo

// The tables below describe the demo agency. They are data, kept apart from the generator so
// that a reviewer can read the agency the way a BKPSDM officer would.

// Agency identity.
const (
	AgencyName   = "Pemerintah Kota Tidore Kepulauan"
	BKPSDMName   = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Tidore Kepulauan"
	AgencyCity   = "Tidore Kepulauan"
	agencyAddr   = "Kompleks Perkantoran Pemerintah Kota Tidore Kepulauan, Soasio, Kota Tidore Kepulauan, Provinsi Maluku Utara"
	HeadTitle    = "Kepala BKPSDM"
	HeadRank     = "Pembina Utama Muda (IV/c)"
	bkpsdmCode   = "BKPSDM"
	opdParent    = AgencyName
	opdKindDinas = "dinas" // head "Kepala <name>", heads of divisions "Kepala Bidang …", sections "Kepala Seksi …"
	opdKindBadan = "badan" // as dinas, with "Kepala Sub Bidang …" sections
)

// opd kinds with their own structural layout.
const (
	opdKindSetda       = "setda"
	opdKindSetwan      = "setwan"
	opdKindInspektorat = "inspektorat"
	opdKindRSUD        = "rsud"
	opdKindKecamatan   = "kecamatan"
)

// weighted is a name with a relative weight.
type weighted struct {
	name string
	w    int
}

// pelaksanaPost is an administrative (pelaksana) position: its name, weight, education
// profile (see eduProfiles) and, when it differs from the OPD's, the field of study.
type pelaksanaPost struct {
	name    string
	w       int
	profile string
	field   string
}

// opdSpec is one OPD of the demo agency.
type opdSpec struct {
	code, name string
	kind       string
	head       string // the head's position; "" means "Kepala " + name
	headEselon string // "" means II.b
	weight     int    // share of the employees (relative)
	ps, pf     float64
	field      string // field of study of generalist staff (titles)
	bidang     []string
	upt        string // name of a technical unit (UPT), if any
	jfs        []weighted
	pelaksana  []pelaksanaPost
}

// commonPelaksana are administrative positions found in every OPD.
var commonPelaksana = []pelaksanaPost{
	{"Pengadministrasi Umum", 12, "slta", ""},
	{"Pengadministrasi Perkantoran", 4, "slta", ""},
	{"Pengelola Keuangan", 5, "d3s1", "ekonomi"},
	{"Bendahara", 1, "d3s1", "ekonomi"},
	{"Pengelola Barang Milik Daerah", 2, "d3s1", "ekonomi"},
	{"Pengelola Kepegawaian", 2, "d3s1", "umum"},
	{"Pengelola Data", 2, "d3s1", ""},
	{"Pengemudi", 2, "low", ""},
	{"Pramu Bakti", 1, "low", ""},
}

// pppkPelaksana are the 2024 position names of PPPK in administrative work.
var pppkPelaksana = []pelaksanaPost{
	{"Operator Layanan Operasional", 5, "slta", ""},
	{"Pengelola Layanan Operasional", 3, "d3", ""},
	{"Penata Layanan Operasional", 3, "s1", ""},
}

// EducationOPDCode is the code of the education OPD, to which the demo OPD account
// (opd.disdik) and the demo employee account (pegawai) are bound.
const EducationOPDCode = "DISDIKBUD"

// opds are the OPDs of the demo city government, in display order.
var opds = []opdSpec{
	{code: "SETDA", name: "Sekretariat Daerah", kind: opdKindSetda, head: "Sekretaris Daerah", headEselon: "II.a",
		weight: 45, ps: .16, pf: .16, field: "umum",
		jfs: []weighted{{"Analis Kebijakan Ahli Pertama", 4}, {"Analis Kebijakan Ahli Muda", 2}, {"Pengelola Pengadaan Barang/Jasa Ahli Pertama", 3},
			{"Pengelola Pengadaan Barang/Jasa Ahli Muda", 1}, {"Perancang Peraturan Perundang-undangan Ahli Pertama", 2}, {"Analis Hukum Ahli Pertama", 2},
			{"Pranata Hubungan Masyarakat Ahli Pertama", 2}, {"Arsiparis Terampil", 2}, {"Pranata Komputer Terampil", 1}},
		pelaksana: []pelaksanaPost{{"Pengelola Protokol", 3, "d3s1", ""}, {"Pengadministrasi Persuratan", 3, "slta", ""}}},
	{code: "SETWAN", name: "Sekretariat DPRD", kind: opdKindSetwan, head: "Sekretaris DPRD",
		weight: 20, ps: .14, pf: .12, field: "umum",
		jfs: []weighted{{"Analis Kebijakan Ahli Pertama", 3}, {"Perancang Peraturan Perundang-undangan Ahli Pertama", 2},
			{"Pranata Hubungan Masyarakat Terampil", 2}, {"Arsiparis Terampil", 2}},
		pelaksana: []pelaksanaPost{{"Pengelola Persidangan", 3, "d3s1", ""}, {"Pengadministrasi Risalah Rapat", 2, "slta", ""}}},
	{code: "INSPEKTORAT", name: "Inspektorat Daerah", kind: opdKindInspektorat, head: "Inspektur",
		weight: 18, ps: .12, pf: .55, field: "ekonomi",
		jfs: []weighted{{"Auditor Ahli Pertama", 8}, {"Auditor Ahli Muda", 6}, {"Auditor Ahli Madya", 2}, {"Auditor Terampil", 2},
			{"Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah Ahli Pertama", 4},
			{"Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah Ahli Muda", 2}}},
	{code: "BAPPEDA", name: "Badan Perencanaan Pembangunan Daerah", kind: opdKindBadan,
		weight: 15, ps: .18, pf: .40, field: "umum",
		bidang: []string{"Perencanaan Pemerintahan dan Pembangunan Manusia", "Perencanaan Perekonomian dan Sumber Daya Alam",
			"Perencanaan Infrastruktur dan Kewilayahan", "Penelitian dan Pengembangan"},
		jfs: []weighted{{"Perencana Ahli Pertama", 5}, {"Perencana Ahli Muda", 4}, {"Perencana Ahli Madya", 1},
			{"Analis Kebijakan Ahli Muda", 1}, {"Statistisi Ahli Pertama", 1}},
		pelaksana: []pelaksanaPost{{"Pengolah Data Perencanaan", 3, "s1", ""}}},
	{code: bkpsdmCode, name: "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", kind: opdKindBadan,
		weight: 15, ps: .15, pf: .38, field: "umum",
		bidang: []string{"Pengadaan, Pemberhentian dan Informasi Kepegawaian", "Mutasi dan Promosi",
			"Pengembangan Kompetensi Aparatur", "Penilaian Kinerja Aparatur dan Penghargaan"},
		jfs: []weighted{{"Analis Sumber Daya Manusia Aparatur Ahli Pertama", 5}, {"Analis Sumber Daya Manusia Aparatur Ahli Muda", 3},
			{"Pranata Sumber Daya Manusia Aparatur Terampil", 4}, {"Asesor Sumber Daya Manusia Aparatur Ahli Pertama", 1},
			{"Pranata Komputer Ahli Pertama", 1}, {"Arsiparis Terampil", 1}},
		pelaksana: []pelaksanaPost{{"Pengelola Data Kepegawaian", 4, "d3s1", ""}, {"Pengadministrasi Kepegawaian", 3, "slta", ""}}},
	{code: "BPKAD", name: "Badan Pengelolaan Keuangan dan Aset Daerah", kind: opdKindBadan,
		weight: 22, ps: .15, pf: .15, field: "ekonomi",
		bidang: []string{"Anggaran", "Perbendaharaan", "Akuntansi dan Pelaporan", "Pengelolaan Barang Milik Daerah"},
		jfs: []weighted{{"Analis Keuangan Pusat dan Daerah Ahli Pertama", 4}, {"Analis Keuangan Pusat dan Daerah Ahli Muda", 2},
			{"Pranata Komputer Terampil", 1}, {"Arsiparis Terampil", 1}},
		pelaksana: []pelaksanaPost{{"Penyusun Laporan Keuangan", 4, "s1", ""}, {"Pengelola Gaji", 2, "d3s1", ""},
			{"Verifikator Keuangan", 3, "s1", ""}}},
	{code: "BAPENDA", name: "Badan Pendapatan Daerah", kind: opdKindBadan,
		weight: 15, ps: .15, pf: .10, field: "ekonomi",
		bidang: []string{"Pendataan dan Penetapan", "Penagihan dan Keberatan", "Pengembangan dan Pengendalian Pendapatan"},
		jfs:    []weighted{{"Analis Keuangan Pusat dan Daerah Ahli Pertama", 3}, {"Pranata Komputer Terampil", 1}},
		pelaksana: []pelaksanaPost{{"Pengelola Pajak dan Retribusi Daerah", 5, "d3s1", ""},
			{"Petugas Pendataan Objek Pajak", 2, "slta", ""}}},
	{code: "BPBD", name: "Badan Penanggulangan Bencana Daerah", kind: opdKindBadan,
		head:   "Kepala Pelaksana Badan Penanggulangan Bencana Daerah",
		weight: 10, ps: .16, pf: .10, field: "umum",
		bidang:    []string{"Pencegahan dan Kesiapsiagaan", "Kedaruratan dan Logistik", "Rehabilitasi dan Rekonstruksi"},
		jfs:       []weighted{{"Penata Penanggulangan Bencana Ahli Pertama", 3}, {"Penata Penanggulangan Bencana Terampil", 2}},
		pelaksana: []pelaksanaPost{{"Petugas Pusat Pengendalian Operasi", 3, "slta", ""}}},
	{code: EducationOPDCode, name: "Dinas Pendidikan dan Kebudayaan", kind: opdKindDinas,
		weight: 357, ps: .05, pf: .82, field: "pendidikan",
		bidang: []string{"Pembinaan Sekolah Dasar", "Pembinaan Sekolah Menengah Pertama",
			"Pembinaan PAUD dan Pendidikan Nonformal", "Guru dan Tenaga Kependidikan", "Kebudayaan"},
		upt: "Satuan Pendidikan Nonformal",
		jfs: []weighted{{"Guru Ahli Pertama", 40}, {"Guru Ahli Muda", 32}, {"Guru Ahli Madya", 16},
			{"Pengawas Sekolah Ahli Muda", 1}, {"Pengawas Sekolah Ahli Madya", 1}, {"Penilik Ahli Muda", 1},
			{"Pamong Belajar Ahli Pertama", 1}, {"Pamong Budaya Ahli Pertama", 1}, {"Pustakawan Terampil", 1}},
		pelaksana: []pelaksanaPost{{"Pengelola Data Pendidikan", 3, "d3s1", ""}, {"Penjaga Sekolah", 4, "low", ""},
			{"Pengelola Perpustakaan Sekolah", 1, "slta", ""}}},
	{code: "DINKES", name: "Dinas Kesehatan", kind: opdKindDinas,
		weight: 150, ps: .07, pf: .74, field: "kesehatan",
		bidang: []string{"Kesehatan Masyarakat", "Pencegahan dan Pengendalian Penyakit", "Pelayanan Kesehatan", "Sumber Daya Kesehatan"},
		upt:    "Puskesmas",
		jfs: []weighted{{"Perawat Terampil", 15}, {"Perawat Ahli Pertama", 12}, {"Perawat Ahli Muda", 4}, {"Bidan Terampil", 15},
			{"Bidan Ahli Pertama", 6}, {"Dokter Ahli Pertama", 5}, {"Dokter Ahli Muda", 3}, {"Dokter Gigi Ahli Pertama", 2},
			{"Apoteker Ahli Pertama", 3}, {"Asisten Apoteker Terampil", 3}, {"Nutrisionis Terampil", 3}, {"Sanitarian Terampil", 3},
			{"Pranata Laboratorium Kesehatan Terampil", 3}, {"Penyuluh Kesehatan Masyarakat Ahli Pertama", 2},
			{"Epidemiolog Kesehatan Ahli Pertama", 2}, {"Administrator Kesehatan Ahli Muda", 1}},
		pelaksana: []pelaksanaPost{{"Pengemudi Ambulans", 2, "slta", ""}, {"Pengelola Obat dan Perbekalan Kesehatan", 2, "d3s1", ""}}},
	{code: "RSUD", name: "Rumah Sakit Umum Daerah Kota Tidore Kepulauan", kind: opdKindRSUD,
		head: "Direktur Rumah Sakit Umum Daerah", weight: 100, ps: .05, pf: .76, field: "kesehatan",
		jfs: []weighted{{"Perawat Terampil", 25}, {"Perawat Ahli Pertama", 15}, {"Perawat Ahli Muda", 5}, {"Bidan Terampil", 8},
			{"Bidan Ahli Pertama", 3}, {"Dokter Ahli Pertama", 5}, {"Dokter Ahli Muda", 3}, {"Dokter Ahli Madya", 4},
			{"Dokter Gigi Ahli Pertama", 1}, {"Apoteker Ahli Pertama", 3}, {"Apoteker Ahli Muda", 1}, {"Radiografer Terampil", 2},
			{"Perekam Medis Terampil", 3}, {"Pranata Laboratorium Kesehatan Terampil", 3}, {"Nutrisionis Terampil", 2},
			{"Fisioterapis Terampil", 1}},
		pelaksana: []pelaksanaPost{{"Pengemudi Ambulans", 2, "slta", ""}, {"Pengelola Rekam Medis", 2, "d3", "rekammedis"},
			{"Petugas Pendaftaran Pasien", 3, "slta", ""}}},
	{code: "DPUPR", name: "Dinas Pekerjaan Umum dan Penataan Ruang", kind: opdKindDinas,
		weight: 25, ps: .15, pf: .20, field: "teknik",
		bidang: []string{"Bina Marga", "Sumber Daya Air", "Cipta Karya", "Penataan Ruang"},
		upt:    "Peralatan dan Perbengkelan",
		jfs: []weighted{{"Teknik Jalan dan Jembatan Ahli Pertama", 4}, {"Teknik Jalan dan Jembatan Terampil", 2},
			{"Teknik Pengairan Ahli Pertama", 2}, {"Penata Ruang Ahli Pertama", 2}},
		pelaksana: []pelaksanaPost{{"Pengawas Lapangan", 3, "d3s1", ""}, {"Operator Alat Berat", 2, "slta", ""},
			{"Teknisi Sarana dan Prasarana", 2, "d3", ""}}},
	{code: "DISHUB", name: "Dinas Perhubungan", kind: opdKindDinas,
		weight: 18, ps: .15, pf: .15, field: "teknik",
		bidang:    []string{"Lalu Lintas dan Angkutan Jalan", "Perhubungan Laut", "Sarana dan Prasarana"},
		upt:       "Pengujian Kendaraan Bermotor",
		jfs:       []weighted{{"Penguji Kendaraan Bermotor Terampil", 3}, {"Penguji Kendaraan Bermotor Ahli Pertama", 1}},
		pelaksana: []pelaksanaPost{{"Pengatur Lalu Lintas", 4, "slta", ""}, {"Petugas Pelabuhan Penyeberangan", 3, "slta", ""}}},
	{code: "DINSOS", name: "Dinas Sosial", kind: opdKindDinas,
		weight: 12, ps: .18, pf: .25, field: "sosial",
		bidang:    []string{"Rehabilitasi Sosial", "Perlindungan dan Jaminan Sosial", "Pemberdayaan Sosial dan Penanganan Fakir Miskin"},
		jfs:       []weighted{{"Pekerja Sosial Ahli Pertama", 3}, {"Pekerja Sosial Terampil", 2}, {"Penyuluh Sosial Ahli Pertama", 2}},
		pelaksana: []pelaksanaPost{{"Pendamping Rehabilitasi Sosial", 2, "s1", ""}}},
	{code: "DISDUKCAPIL", name: "Dinas Kependudukan dan Pencatatan Sipil", kind: opdKindDinas,
		weight: 15, ps: .15, pf: .20, field: "umum",
		bidang: []string{"Pelayanan Pendaftaran Penduduk", "Pelayanan Pencatatan Sipil",
			"Pengelolaan Informasi Administrasi Kependudukan", "Pemanfaatan Data dan Inovasi Pelayanan"},
		jfs: []weighted{{"Administrator Database Kependudukan Ahli Pertama", 3}, {"Administrator Database Kependudukan Terampil", 2}},
		pelaksana: []pelaksanaPost{{"Pengelola Data Administrasi Kependudukan", 5, "d3s1", ""},
			{"Petugas Pelayanan Administrasi Kependudukan", 3, "slta", ""}}},
	{code: "SATPOLPP", name: "Satuan Polisi Pamong Praja", kind: opdKindDinas,
		weight: 30, ps: .10, pf: .40, field: "umum",
		bidang: []string{"Penegakan Peraturan Daerah", "Ketertiban Umum dan Ketenteraman Masyarakat", "Perlindungan Masyarakat",
			"Pemadam Kebakaran dan Penyelamatan"},
		jfs:       []weighted{{"Polisi Pamong Praja Terampil", 8}, {"Polisi Pamong Praja Ahli Pertama", 2}},
		pelaksana: []pelaksanaPost{{"Pengelola Ketenteraman dan Ketertiban Umum", 20, "slta", ""}, {"Petugas Pemadam Kebakaran", 6, "slta", ""}}},
	{code: "DLH", name: "Dinas Lingkungan Hidup", kind: opdKindDinas,
		weight: 25, ps: .15, pf: .10, field: "teknik",
		bidang:    []string{"Tata Lingkungan", "Pengelolaan Sampah dan Limbah B3", "Pengendalian Pencemaran dan Kerusakan Lingkungan"},
		upt:       "Tempat Pemrosesan Akhir Sampah",
		jfs:       []weighted{{"Pengendali Dampak Lingkungan Ahli Pertama", 3}, {"Pengendali Dampak Lingkungan Terampil", 1}},
		pelaksana: []pelaksanaPost{{"Pengawas Kebersihan", 4, "slta", ""}, {"Pengemudi Truk Sampah", 3, "low", ""}}},
	{code: "DISPAR", name: "Dinas Pariwisata", kind: opdKindDinas,
		weight: 10, ps: .20, pf: .12, field: "umum",
		bidang:    []string{"Destinasi Pariwisata", "Pemasaran Pariwisata", "Ekonomi Kreatif"},
		jfs:       []weighted{{"Adyatama Kepariwisataan dan Ekonomi Kreatif Ahli Pertama", 3}, {"Pamong Budaya Ahli Pertama", 1}},
		pelaksana: []pelaksanaPost{{"Pengelola Objek Wisata", 2, "d3s1", ""}}},
	{code: "DISKAN", name: "Dinas Perikanan", kind: opdKindDinas,
		weight: 18, ps: .15, pf: .30, field: "perikanan",
		bidang:    []string{"Perikanan Tangkap", "Perikanan Budidaya", "Pengolahan dan Pemasaran Hasil Perikanan"},
		upt:       "Pelabuhan Perikanan",
		jfs:       []weighted{{"Penyuluh Perikanan Ahli Pertama", 4}, {"Penyuluh Perikanan Terampil", 3}, {"Pengawas Perikanan Ahli Pertama", 1}},
		pelaksana: []pelaksanaPost{{"Pengelola Tempat Pelelangan Ikan", 2, "slta", ""}}},
	{code: "DISTAN", name: "Dinas Pertanian", kind: opdKindDinas,
		weight: 22, ps: .12, pf: .45, field: "pertanian",
		bidang: []string{"Tanaman Pangan dan Hortikultura", "Perkebunan", "Peternakan dan Kesehatan Hewan", "Penyuluhan"},
		upt:    "Balai Benih",
		jfs: []weighted{{"Penyuluh Pertanian Ahli Pertama", 6}, {"Penyuluh Pertanian Terampil", 5}, {"Penyuluh Pertanian Ahli Muda", 2},
			{"Medik Veteriner Ahli Pertama", 1}},
		pelaksana: []pelaksanaPost{{"Pengelola Alat dan Mesin Pertanian", 2, "slta", ""}}},
	{code: "DISKOMINFO", name: "Dinas Komunikasi dan Informatika", kind: opdKindDinas,
		weight: 12, ps: .18, pf: .35, field: "komputer",
		bidang: []string{"Informasi dan Komunikasi Publik", "Aplikasi Informatika", "Statistik dan Persandian"},
		jfs: []weighted{{"Pranata Komputer Ahli Pertama", 4}, {"Pranata Komputer Ahli Muda", 2}, {"Pranata Komputer Terampil", 2},
			{"Pranata Hubungan Masyarakat Ahli Pertama", 2}, {"Statistisi Ahli Pertama", 1}, {"Sandiman Ahli Pertama", 1}},
		pelaksana: []pelaksanaPost{{"Pengelola Sistem dan Jaringan", 3, "d3s1", "komputer"}, {"Pengelola Situs Web", 1, "d3s1", "komputer"}}},
	{code: "KEC-TIDORE", name: "Kecamatan Tidore", kind: opdKindKecamatan, head: "Camat Tidore", headEselon: "III.a",
		weight: 14, ps: .20, pf: .05, field: "umum",
		jfs:       []weighted{{"Analis Kebijakan Ahli Pertama", 1}, {"Arsiparis Terampil", 1}},
		pelaksana: []pelaksanaPost{{"Pengadministrasi Pemerintahan", 3, "slta", ""}, {"Pengelola Pelayanan Umum", 3, "d3s1", ""}}},
	{code: "KEC-TIDORE-UTARA", name: "Kecamatan Tidore Utara", kind: opdKindKecamatan, head: "Camat Tidore Utara", headEselon: "III.a",
		weight: 10, ps: .20, pf: .05, field: "umum",
		jfs:       []weighted{{"Analis Kebijakan Ahli Pertama", 1}, {"Arsiparis Terampil", 1}},
		pelaksana: []pelaksanaPost{{"Pengadministrasi Pemerintahan", 3, "slta", ""}, {"Pengelola Pelayanan Umum", 3, "d3s1", ""}}},
	{code: "KEC-OBA", name: "Kecamatan Oba", kind: opdKindKecamatan, head: "Camat Oba", headEselon: "III.a",
		weight: 12, ps: .20, pf: .05, field: "umum",
		jfs:       []weighted{{"Analis Kebijakan Ahli Pertama", 1}, {"Arsiparis Terampil", 1}},
		pelaksana: []pelaksanaPost{{"Pengadministrasi Pemerintahan", 3, "slta", ""}, {"Pengelola Pelayanan Umum", 3, "d3s1", ""}}},
	{code: "KEC-OBA-UTARA", name: "Kecamatan Oba Utara", kind: opdKindKecamatan, head: "Camat Oba Utara", headEselon: "III.a",
		weight: 10, ps: .20, pf: .05, field: "umum",
		jfs:       []weighted{{"Analis Kebijakan Ahli Pertama", 1}, {"Arsiparis Terampil", 1}},
		pelaksana: []pelaksanaPost{{"Pengadministrasi Pemerintahan", 3, "slta", ""}, {"Pengelola Pelayanan Umum", 3, "d3s1", ""}}},
}

// Fixed structural posts after the head, by kind of OPD: name and eselon.
var (
	setdaPosts = [][2]string{
		{"Asisten Pemerintahan dan Kesejahteraan Rakyat", "II.b"}, {"Asisten Perekonomian dan Pembangunan", "II.b"},
		{"Asisten Administrasi Umum", "II.b"}, {"Kepala Bagian Pemerintahan", "III.a"}, {"Kepala Bagian Hukum", "III.a"},
		{"Kepala Bagian Organisasi", "III.a"}, {"Kepala Bagian Umum", "III.a"}, {"Kepala Bagian Pengadaan Barang dan Jasa", "III.a"},
		{"Kepala Bagian Protokol dan Komunikasi Pimpinan", "III.a"}, {"Kepala Bagian Kesejahteraan Rakyat", "III.a"},
		{"Kepala Bagian Perekonomian dan Sumber Daya Alam", "III.a"}, {"Kepala Sub Bagian Tata Usaha Pimpinan", "IV.a"},
		{"Kepala Sub Bagian Keuangan", "IV.a"}, {"Kepala Sub Bagian Rumah Tangga", "IV.a"},
		{"Kepala Sub Bagian Perundang-undangan", "IV.a"}, {"Kepala Sub Bagian Bantuan Hukum", "IV.a"},
		{"Kepala Sub Bagian Kelembagaan dan Analisis Jabatan", "IV.a"}, {"Kepala Sub Bagian Protokol", "IV.a"},
	}
	setwanPosts = [][2]string{
		{"Kepala Bagian Umum dan Keuangan", "III.a"}, {"Kepala Bagian Persidangan dan Perundang-undangan", "III.a"},
		{"Kepala Bagian Fasilitasi Penganggaran dan Pengawasan", "III.a"}, {"Kepala Sub Bagian Tata Usaha dan Kepegawaian", "IV.a"},
		{"Kepala Sub Bagian Keuangan", "IV.a"}, {"Kepala Sub Bagian Rapat dan Risalah", "IV.a"},
		{"Kepala Sub Bagian Humas dan Protokol", "IV.a"},
	}
	inspektoratPosts = [][2]string{
		{"Sekretaris Inspektorat", "III.a"}, {"Inspektur Pembantu Wilayah I", "III.b"}, {"Inspektur Pembantu Wilayah II", "III.b"},
		{"Inspektur Pembantu Wilayah III", "III.b"}, {"Inspektur Pembantu Khusus", "III.b"},
		{"Kepala Sub Bagian Umum dan Kepegawaian", "IV.a"}, {"Kepala Sub Bagian Perencanaan dan Keuangan", "IV.a"},
		{"Kepala Sub Bagian Evaluasi dan Pelaporan", "IV.a"},
	}
	rsudPosts = [][2]string{
		{"Kepala Bagian Tata Usaha", "III.b"}, {"Kepala Bidang Pelayanan Medik", "III.b"}, {"Kepala Bidang Keperawatan", "III.b"},
		{"Kepala Bidang Penunjang Medik dan Nonmedik", "III.b"}, {"Kepala Sub Bagian Umum dan Kepegawaian", "IV.a"},
		{"Kepala Sub Bagian Keuangan", "IV.a"}, {"Kepala Sub Bagian Perencanaan dan Rekam Medik", "IV.a"},
		{"Kepala Seksi Pelayanan Medik", "IV.a"}, {"Kepala Seksi Keperawatan", "IV.a"}, {"Kepala Seksi Penunjang Medik", "IV.a"},
	}
	kecamatanPosts = [][2]string{
		{"Sekretaris Kecamatan", "III.b"}, {"Kepala Seksi Pemerintahan", "IV.a"},
		{"Kepala Seksi Ketenteraman dan Ketertiban Umum", "IV.a"}, {"Kepala Seksi Pemberdayaan Masyarakat", "IV.a"},
		{"Kepala Seksi Pelayanan Umum", "IV.a"}, {"Kepala Sub Bagian Umum dan Kepegawaian", "IV.b"},
	}
	// Repeated once the fixed posts are taken (large agencies).
	setdaMore       = [][2]string{{"Kepala Sub Bagian", "IV.a"}}
	kecamatanMore   = [][2]string{{"Lurah", "IV.a"}, {"Sekretaris Kelurahan", "IV.b"}}
	dinasSubbagians = [][2]string{
		{"Kepala Sub Bagian Umum dan Kepegawaian", "IV.a"}, {"Kepala Sub Bagian Keuangan dan Aset", "IV.a"},
		{"Kepala Sub Bagian Perencanaan dan Pelaporan", "IV.a"},
	}
)

// jfBase describes a functional position (jabatan fungsional) independently of its level.
type jfBase struct {
	field   string  // field of study (titles)
	female  float64 // share of women
	pppk    float64 // share of PPPK among entry levels (Ahli Pertama, Terampil)
	special string  // education tier overriding the level's: see eduTiers
}

// jfBases are keyed by the JF name without its level ("Guru", "Perawat", …).
var jfBases = map[string]jfBase{
	"Guru":                           {"pendidikan", .66, .50, "guru"},
	"Pengawas Sekolah":               {"pendidikan", .40, 0, ""},
	"Penilik":                        {"pendidikan", .45, 0, ""},
	"Pamong Belajar":                 {"pendidikan", .50, .10, ""},
	"Pamong Budaya":                  {"umum", .50, .10, ""},
	"Pustakawan":                     {"umum", .65, .10, ""},
	"Dokter":                         {"dokter", .55, .25, "dokter"},
	"Dokter Gigi":                    {"drg", .70, .25, "drg"},
	"Perawat":                        {"perawat", .70, .30, "ners"},
	"Bidan":                          {"bidan", 1, .30, "bidan"},
	"Apoteker":                       {"farmasi", .75, .25, "apoteker"},
	"Asisten Apoteker":               {"farmasi", .80, .30, ""},
	"Nutrisionis":                    {"gizi", .80, .30, ""},
	"Sanitarian":                     {"sanitasi", .50, .30, ""},
	"Pranata Laboratorium Kesehatan": {"lab", .70, .30, ""},
	"Penyuluh Kesehatan Masyarakat":  {"kesehatan", .60, .20, ""},
	"Epidemiolog Kesehatan":          {"kesehatan", .55, .10, ""},
	"Administrator Kesehatan":        {"kesehatan", .50, 0, ""},
	"Radiografer":                    {"radiologi", .40, .30, ""},
	"Perekam Medis":                  {"rekammedis", .60, .30, ""},
	"Fisioterapis":                   {"fisioterapi", .60, .30, ""},
	"Auditor":                        {"ekonomi", .45, .05, ""},
	"Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah": {"umum", .40, .05, ""},
	"Perencana":                                   {"umum", .45, .05, ""},
	"Analis Kebijakan":                            {"umum", .45, .05, ""},
	"Statistisi":                                  {"statistik", .50, .05, ""},
	"Analis Sumber Daya Manusia Aparatur":         {"umum", .55, .05, ""},
	"Pranata Sumber Daya Manusia Aparatur":        {"umum", .55, .10, ""},
	"Asesor Sumber Daya Manusia Aparatur":         {"umum", .50, 0, ""},
	"Pranata Komputer":                            {"komputer", .35, .15, ""},
	"Arsiparis":                                   {"umum", .60, .10, ""},
	"Analis Keuangan Pusat dan Daerah":            {"ekonomi", .50, .05, ""},
	"Pengelola Pengadaan Barang/Jasa":             {"ekonomi", .40, .05, ""},
	"Perancang Peraturan Perundang-undangan":      {"hukum", .50, .05, ""},
	"Analis Hukum":                                {"hukum", .50, .05, ""},
	"Pranata Hubungan Masyarakat":                 {"umum", .50, .10, ""},
	"Teknik Jalan dan Jembatan":                   {"teknik", .15, .10, ""},
	"Teknik Pengairan":                            {"teknik", .15, .10, ""},
	"Penata Ruang":                                {"teknik", .35, .05, ""},
	"Penguji Kendaraan Bermotor":                  {"teknik", .10, .10, ""},
	"Pekerja Sosial":                              {"sosial", .60, .10, ""},
	"Penyuluh Sosial":                             {"sosial", .55, .10, ""},
	"Administrator Database Kependudukan":         {"komputer", .50, .10, ""},
	"Polisi Pamong Praja":                         {"umum", .20, .10, "pamongpraja"},
	"Pengendali Dampak Lingkungan":                {"teknik", .45, .05, ""},
	"Penata Penanggulangan Bencana":               {"umum", .30, .10, ""},
	"Adyatama Kepariwisataan dan Ekonomi Kreatif": {"umum", .55, .05, ""},
	"Penyuluh Perikanan":                          {"perikanan", .30, .15, ""},
	"Pengawas Perikanan":                          {"perikanan", .20, .05, ""},
	"Penyuluh Pertanian":                          {"pertanian", .35, .25, ""},
	"Medik Veteriner":                             {"vet", .50, .20, "drh"},
	"Sandiman":                                    {"komputer", .30, 0, ""},
}

// nameGroup is a naming tradition: given names and family names that go together.
type nameGroup struct {
	w              int
	male, female   []string
	family         []string
	muhammadOrSiti bool // "Muhammad …" / "Siti …" are common
}

// nameGroups: mostly North Malukan Muslim names (Tidore, Ternate, with Arab and Ambonese
// families), some names from elsewhere in Indonesia, and Christian names from Halmahera
// and Ambon.
var nameGroups = []nameGroup{
	{w: 80, muhammadOrSiti: true,
		male: []string{
			"Abdullah", "Abubakar", "Ahmad", "Amir", "Anwar", "Arifin", "Asrul", "Bahtiar", "Darwis", "Fadli",
			"Fahri", "Faisal", "Fikri", "Gafur", "Hamid", "Hamzah", "Harun", "Hasan", "Hasrul", "Idrus",
			"Ikbal", "Ikhsan", "Ilham", "Irwan", "Iskandar", "Ismail", "Jafar", "Jainal", "Kadir", "Kamarudin",
			"Mansur", "Marwan", "Muhlis", "Mustafa", "Nasir", "Nurdin", "Rahmat", "Ridwan", "Rifai", "Rizal",
			"Rusdi", "Rusli", "Safrudin", "Sahrul", "Saiful", "Salim", "Samsudin", "Sofyan", "Sukri", "Syahril",
			"Taufik", "Umar", "Usman", "Yunus", "Yusuf", "Zainal", "Zulkifli",
		},
		female: []string{
			"Aisyah", "Aminah", "Anisa", "Asma", "Ernawati", "Farida", "Fatimah", "Fitri", "Fitriani", "Hadijah",
			"Halima", "Hartati", "Hasmawati", "Hasna", "Hijrah", "Irma", "Jamila", "Jusna", "Mardiana", "Marlina",
			"Maryam", "Musdalifa", "Nining", "Nuraini", "Nurhalima", "Nurhayati", "Nurjanah", "Nurlaila", "Nurmala", "Nursida",
			"Nurul", "Rahma", "Rahmawati", "Risna", "Rosdiana", "Rosita", "Rosmawati", "Rukmini", "Salma", "Sarah",
			"Sartika", "Sitti Rahma", "Sofia", "Sumarni", "Suryani", "Ulfa", "Wahyuni", "Zainab",
		},
		family: []string{
			"Sangaji", "Kasim", "Umar", "Abdullah", "Hamid", "Ibrahim", "Djafar", "Soleman", "Marsaoly", "Sowohi",
			"Kapita", "Jogugu", "Hasan", "Latif", "Arsyad", "Ishak", "Saleh", "Idris", "Mahmud", "Taher",
			"Fabanyo", "Duwila", "Gani", "Alting", "Mustafa", "Rasyid", "Badaruddin", "Yusuf", "Karim", "Assagaf",
			"Alhadar", "Albaar", "Alhamid", "Tomagola", "Husain", "Abbas", "Adam", "Amin", "Mansyur", "Syah",
			"Muhammad", "Jauhar", "Ali", "Latuconsina", "Tuasikal", "Ohorella", "Pelu", "Rumra", "Hamzah", "Idrus",
			"Harun", "Usman", "Nasir", "Kadir", "Salim", "Yunus",
		}},
	{w: 12,
		male:   []string{"Agus", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Eko", "Hendra", "Heru", "Joko", "Rudi", "Wahyu"},
		female: []string{"Dewi", "Intan", "Kartini", "Lestari", "Putri", "Ratna", "Rina", "Sri Wahyuni", "Wiwin", "Yuliana"},
		family: []string{"Santoso", "Wijaya", "Saputra", "Hidayat", "Setiawan", "Nugroho", "Siregar", "Lubis", "Pratama",
			"Kurniawan", "Susanto", "Tjan"}},
	{w: 8,
		male:   []string{"Yohanis", "Marthen", "Frans", "Yulius", "Daniel", "Petrus", "Stevanus"},
		female: []string{"Yosina", "Maria", "Fransina", "Agustina", "Selvi", "Debora", "Magdalena"},
		family: []string{"Pattiasina", "Sahetapy", "Tuhumury", "Manoppo", "Salamat", "Tjan", "Lasut"}},
}
