package demo

import "github.com/sertika/sertika/internal/domain"

// The tables below describe the demo agency's scoring facts: where its people train and
// what their disciplinary decrees say. Data, kept apart from the generator (facts.go).

// Demo IP ASN targets: the current year's and the previous year's.
const (
	TargetCurrentYear  = 75
	TargetPreviousYear = 72
)

// SourceDemo is the source column of every fact row the demo writes.
const SourceDemo = domain.FactSourceDemo

// organizer is an institution that holds training, with the code its certificate numbers use.
type organizer struct{ name, code string }

var (
	orgBPSDM    = organizer{"BPSDM Provinsi Maluku Utara", "BPSDM-MU"}
	orgLAN      = organizer{"LAN RI", "LAN"}
	orgBKN      = organizer{"Badan Kepegawaian Negara", "BKN"}
	orgMendagri = organizer{"Kementerian Dalam Negeri", "BPSDM-KEMENDAGRI"}
	orgKemenkes = organizer{"Kementerian Kesehatan", "KEMENKES"}
	orgDikdas   = organizer{"Kementerian Pendidikan Dasar dan Menengah", "KEMENDIKDASMEN"}
	orgKomdigi  = organizer{"Kementerian Komunikasi dan Digital", "KOMDIGI"}
	orgPANRB    = organizer{"Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi", "KEMENPANRB"}
	orgBPKP     = organizer{"BPKP Perwakilan Provinsi Maluku Utara", "BPKP-MU"}
	orgANRI     = organizer{"Arsip Nasional Republik Indonesia", "ANRI"}
	orgLKPP     = organizer{"Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah", "LKPP"}
	orgBKPSDM   = organizer{"BKPSDM Kota Tidore Kepulauan", "BKPSDM-TIKEP"}
	orgDisdik   = organizer{"Dinas Pendidikan dan Kebudayaan Kota Tidore Kepulauan", "DISDIKBUD-TIKEP"}
	orgDinkes   = organizer{"Dinas Kesehatan Kota Tidore Kepulauan", "DINKES-TIKEP"}
	orgRSUD     = organizer{"RSUD Kota Tidore Kepulauan", "RSUD-TIKEP"}
)

// course is an activity of the catalogue: kind code (domain.DevelopmentKinds), title,
// organizer and JP range.
type course struct {
	kind, title string
	org         organizer
	jpMin       int
	jpMax       int
}

// Fields of the catalogue: who attends what.
const (
	areaUmum       = "umum"
	areaPendidikan = "pendidikan"
	areaKesehatan  = "kesehatan"
	areaKeuangan   = "keuangan"
)

// technicalCourses count for indicator c (JP), by field.
var technicalCourses = map[string][]course{
	areaUmum: {
		{"teknis", "Pelatihan Teknis Penyusunan Standar Operasional Prosedur", orgBPSDM, 24, 32},
		{"teknis", "Pelatihan Teknis Pengelolaan Arsip Dinamis", orgANRI, 24, 32},
		{"teknis", "Pelatihan Teknis Penyusunan Laporan Kinerja Instansi Pemerintah", orgPANRB, 24, 32},
		{"bimtek", "Bimbingan Teknis Penyusunan Sasaran Kinerja Pegawai", orgBKN, 16, 24},
		{"bimtek", "Bimbingan Teknis Aplikasi SRIKANDI (Tata Naskah Dinas Elektronik)", orgANRI, 16, 24},
		{"bimtek", "Bimbingan Teknis Perencanaan dan Penganggaran pada SIPD-RI", orgMendagri, 24, 32},
		{"e_learning", "Pelatihan Literasi Digital ASN (e-learning)", orgKomdigi, 10, 20},
		{"e_learning", "Pelatihan Pelayanan Publik Prima (e-learning)", orgLAN, 12, 20},
		{"jarak_jauh", "Pelatihan Jarak Jauh Manajemen Risiko Sektor Publik", orgLAN, 20, 30},
		{"manajerial", "Pelatihan Manajerial Manajemen Kinerja Organisasi", orgBPSDM, 24, 40},
		{"sosial_kultural", "Pelatihan Sosial Kultural Moderasi Beragama dan Wawasan Kebangsaan", orgBPSDM, 20, 24},
		{"penataran", "Penataran Tata Naskah Dinas dan Kearsipan", orgANRI, 16, 24},
		{"klasikal_lain", "Pelatihan Pengadaan Barang/Jasa Pemerintah Tingkat Dasar", orgLKPP, 24, 32},
	},
	areaPendidikan: {
		{"teknis", "Pelatihan Implementasi Kurikulum Merdeka", orgDikdas, 32, 40},
		{"teknis", "Pelatihan Pembelajaran Mendalam", orgDikdas, 32, 40},
		{"bimtek", "Bimbingan Teknis Pembelajaran Berdiferensiasi", orgDikdas, 16, 24},
		{"bimtek", "Bimbingan Teknis Penyusunan Modul Ajar", orgDisdik, 16, 24},
		{"e_learning", "Pelatihan Daring Asesmen Pembelajaran", orgDikdas, 10, 20},
	},
	areaKesehatan: {
		{"teknis", "Pelatihan Bantuan Hidup Dasar", orgRSUD, 16, 24},
		{"teknis", "Pelatihan Pencegahan dan Pengendalian Infeksi Dasar", orgKemenkes, 24, 32},
		{"teknis", "Pelatihan Manajemen Puskesmas", orgKemenkes, 32, 40},
		{"bimtek", "Bimbingan Teknis Rekam Medis Elektronik dan SATUSEHAT", orgKemenkes, 16, 24},
		{"e_learning", "Pelatihan Daring Tata Laksana Stunting", orgKemenkes, 10, 20},
	},
	areaKeuangan: {
		{"teknis", "Pelatihan Penyusunan Laporan Keuangan Pemerintah Daerah Berbasis Akrual", orgBPKP, 32, 40},
		{"teknis", "Pelatihan Pengelolaan Pajak dan Retribusi Daerah", orgMendagri, 24, 32},
		{"bimtek", "Bimbingan Teknis Penatausahaan Keuangan Daerah pada SIPD-RI", orgMendagri, 24, 32},
	},
}

// otherCourses count for indicator d (one activity is enough), by field.
var otherCourses = map[string][]course{
	areaUmum: {
		{"seminar", "Seminar Nasional Reformasi Birokrasi Tematik", orgPANRB, 4, 8},
		{"seminar", "Seminar Sistem Merit dan Manajemen Talenta ASN", orgBKN, 4, 8},
		{"workshop", "Workshop Penyusunan Rencana Kerja Perangkat Daerah", orgBPSDM, 8, 16},
		{"workshop", "Lokakarya Penerapan Sistem Pemerintahan Berbasis Elektronik", orgKomdigi, 8, 16},
		{"sosialisasi", "Sosialisasi Disiplin PNS (PP 94 Tahun 2021)", orgBKPSDM, 2, 4},
		{"sosialisasi", "Sosialisasi Undang-Undang Nomor 20 Tahun 2023 tentang ASN", orgBKPSDM, 2, 4},
		{"kursus", "Kursus Bahasa Inggris bagi ASN", orgBPSDM, 24, 40},
		{"coaching", "Coaching Kinerja oleh Atasan Langsung", orgBKPSDM, 2, 6},
		{"mentoring", "Mentoring Pengembangan Karier", orgBKPSDM, 4, 8},
		{"belajar_mandiri", "Belajar Mandiri Etika Publik (ASN Corpu)", orgLAN, 2, 8},
		{"komunitas_belajar", "Komunitas Belajar Berbagi Pengetahuan Perangkat Daerah", orgBKPSDM, 2, 4},
		{"patok_banding", "Patok Banding Inovasi Pelayanan Publik", orgBKPSDM, 8, 16},
		{"magang", "Magang Pengelolaan Kepegawaian", orgBKN, 20, 20},
		{"bimbingan_kerja", "Bimbingan di Tempat Kerja Pelayanan Administrasi", orgBKPSDM, 2, 4},
		{"alam_terbuka", "Pelatihan Alam Terbuka Penguatan Kerja Sama Tim", orgBKPSDM, 8, 12},
	},
	areaPendidikan: {
		{"komunitas_belajar", "Komunitas Belajar Guru (KKG/MGMP)", orgDisdik, 4, 8},
		{"seminar", "Seminar Pendidikan Kesejahteraan Psikologis Murid", orgDikdas, 4, 6},
		{"workshop", "Lokakarya Penguatan Projek Pembelajaran", orgDisdik, 8, 16},
	},
	areaKesehatan: {
		{"seminar", "Seminar Penanggulangan Tuberkulosis", orgDinkes, 4, 8},
		{"workshop", "Workshop Persiapan Akreditasi Puskesmas", orgDinkes, 8, 16},
		{"sosialisasi", "Sosialisasi Standar Pelayanan Minimal Bidang Kesehatan", orgDinkes, 2, 4},
	},
	areaKeuangan: {
		{"workshop", "Workshop Penyusunan Neraca Aset Daerah", orgBPKP, 8, 16},
	},
}

// areaOf tells which part of the catalogue an employee of the OPD attends.
func areaOf(opdCode string) string {
	switch opdCode {
	case EducationOPDCode:
		return areaPendidikan
	case "DINKES", "RSUD":
		return areaKesehatan
	case "BPKAD", "BAPENDA":
		return areaKeuangan
	}
	return areaUmum
}

// leadershipCourse is the leadership training of a level (rules §3 a) under its current
// and its old (before 2019) name.
type leadershipCourse struct {
	code, oldCode   string
	title, oldTitle string
	jp, oldJP       int
	org             organizer
}

// leadership is indexed by rank: 2 JPT Pratama, 3 Administrator, 4 Pengawas.
var leadership = map[int]leadershipCourse{
	2: {"pkn2", "pim2", "Pelatihan Kepemimpinan Nasional Tingkat II", "Diklat Kepemimpinan Tingkat II", 320, 380, orgLAN},
	3: {"pka", "pim3", "Pelatihan Kepemimpinan Administrator", "Diklat Kepemimpinan Tingkat III", 280, 330, orgBPSDM},
	4: {"pkp", "pim4", "Pelatihan Kepemimpinan Pengawas", "Diklat Kepemimpinan Tingkat IV", 240, 285, orgBPSDM},
}

// leadershipChangeYear is the first year of the new leadership-training names (PKP, PKA, PKN).
const leadershipChangeYear = 2019

// functionalOrgs hold the functional (JF) training.
var functionalOrgs = []organizer{orgBPSDM, orgLAN, orgBKN, orgMendagri}

// jfExempt are the JF words whose holders count as trained by appointment (the rule set's
// jf_exempt); the demo gives them no functional training.
var jfExempt = []string{"dokter", "guru", "apoteker", "perawat", "bidan", "asesor", "psikolog"}

// Disciplinary penalties by level (PP 94/2021), with their weights.
var penaltyKinds = map[string][]string{
	"R": {"Teguran lisan", "Teguran tertulis", "Pernyataan tidak puas secara tertulis"},
	"S": {"Pemotongan tunjangan kinerja 25% selama 6 bulan", "Pemotongan tunjangan kinerja 25% selama 9 bulan",
		"Pemotongan tunjangan kinerja 25% selama 12 bulan"},
	"B": {"Penurunan jabatan setingkat lebih rendah selama 12 bulan",
		"Pembebasan dari jabatan menjadi jabatan pelaksana selama 12 bulan"},
}

var penaltyLevels = []weighted{{"R", 60}, {"S", 30}, {"B", 10}}

// predikatWeights is the spread of SKP predikat codes.
var predikatWeights = []weighted{{"sangat_baik", 14}, {"baik", 76}, {"butuh_perbaikan", 7}, {"kurang", 2}, {"sangat_kurang", 1}}

// rejectReasons are the demo's reasons for rejecting a submission.
var rejectReasons = []string{
	"Sertifikat yang diunggah tidak terbaca; unggah ulang pindaian yang jelas dan lengkap.",
	"Jumlah JP pada sertifikat tidak sesuai dengan yang diajukan; sesuaikan dengan sertifikat.",
}
