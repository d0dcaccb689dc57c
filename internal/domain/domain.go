// Package domain holds Sertika's shared domain types: roles and the acting user, the agency,
// OPDs and employees. The structs double as GORM rows for the tables created by the SQL
// migrations; they carry no behaviour beyond small, pure helpers.
package domain

import (
	"strings"
	"time"
)

// Role is what a user account may do. The string values are a contract for scripts
// (`sertika users create --role …`).
type Role string

// The roles.
const (
	RoleAdmin         Role = "admin"         // administrator of the installation
	RoleVerifikator   Role = "verifikator"   // BKPSDM reviewer
	RolePenandatangan Role = "penandatangan" // BKPSDM signer (the head)
	RoleOPD           Role = "opd"           // OPD operator or leader, bound to one OPD
	RolePegawai       Role = "pegawai"       // employee, bound to one NIP
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleVerifikator, RolePenandatangan, RoleOPD, RolePegawai}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Label is the role's name in Bahasa Indonesia.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Administrator"
	case RoleVerifikator:
		return "Verifikator BKPSDM"
	case RolePenandatangan:
		return "Penandatangan BKPSDM"
	case RoleOPD:
		return "Operator/Pimpinan OPD"
	case RolePegawai:
		return "Pegawai"
	}
	return string(r)
}

// IsBKPSDM reports whether the role belongs to BKPSDM staff (who see the whole agency).
func (r Role) IsBKPSDM() bool {
	return r == RoleAdmin || r == RoleVerifikator || r == RolePenandatangan
}

// Actor is the authenticated user on whose behalf a service method runs. Services decide
// authorization from it; the zero Actor may do nothing.
type Actor struct {
	UserID   int64
	Username string
	Role     Role
	OPDID    int64  // for RoleOPD
	NIP      string // for RolePegawai
}

// System is the actor used by trusted command-line operations (migrations, imports run by an
// operator on the server, demo seeding). It has administrator rights.
var System = Actor{Username: "system", Role: RoleAdmin}

// Agency is the configurable identity of the installation: the regional government, its
// BKPSDM and the head who signs certificates.
type Agency struct {
	ID         int64 `gorm:"primaryKey"`
	Name       string
	BKPSDMName string `gorm:"column:bkpsdm_name"`
	Address    string
	City       string
	HeadName   string
	HeadNIP    string `gorm:"column:head_nip"`
	HeadTitle  string
	HeadRank   string
	Logo       []byte
	LogoType   string
	UpdatedAt  time.Time
}

// TableName is the agency table.
func (Agency) TableName() string { return "agency" }

// OPD is a regional department (Organisasi Perangkat Daerah).
type OPD struct {
	ID        int64     `gorm:"primaryKey" json:"-"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Parent    string    `json:"parent"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TableName is the opds table.
func (OPD) TableName() string { return "opds" }

// Employment statuses.
const (
	StatusPNS  = "PNS"
	StatusPPPK = "PPPK"
)

// Kinds of position (jenis jabatan).
const (
	PositionStruktural = "struktural"
	PositionFungsional = "fungsional"
	PositionPelaksana  = "pelaksana"
)

// PositionKinds lists the kinds of position.
var PositionKinds = []string{PositionStruktural, PositionFungsional, PositionPelaksana}

// Employee is a civil servant (ASN): a PNS or a PPPK.
type Employee struct {
	ID             int64     `gorm:"primaryKey" json:"-"`
	NIP            string    `gorm:"column:nip" json:"nip"`
	Name           string    `json:"name"`
	FrontTitle     string    `json:"front_title"`
	BackTitle      string    `json:"back_title"`
	Status         string    `json:"status"`
	OPDID          int64     `gorm:"column:opd_id" json:"-"`
	OPD            *OPD      `gorm:"foreignKey:OPDID" json:"opd,omitempty"`
	Position       string    `json:"position"`
	PositionKind   string    `json:"position_kind"`
	Eselon         string    `json:"eselon"`
	JFName         string    `gorm:"column:jf_name" json:"jf"`
	EducationLevel string    `json:"education_level"`
	Active         bool      `json:"active"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// TableName is the employees table.
func (Employee) TableName() string { return "employees" }

// FullName is the name with academic titles as printed on letters and certificates:
// "Dr. Andi Wijaya, S.Kom., M.T.".
func (e Employee) FullName() string { return FullName(e.FrontTitle, e.Name, e.BackTitle) }

// FullName joins a name with its front and back titles.
func FullName(front, name, back string) string {
	s := strings.TrimSpace(name)
	if f := strings.TrimSpace(front); f != "" {
		s = f + " " + s
	}
	if b := strings.TrimSpace(back); b != "" {
		s = s + ", " + b
	}
	return s
}

// EducationLevel is a SIASN education-level code with its label.
type EducationLevel struct {
	Code  string
	Label string
}

// EducationLevels are SIASN's education-level codes, lowest first.
var EducationLevels = []EducationLevel{
	{"05", "SD"}, {"10", "SLTP"}, {"15", "SLTA"}, {"20", "D1"}, {"25", "D2"}, {"30", "D3"},
	{"35", "D4"}, {"40", "S1"}, {"42", "Profesi"}, {"45", "S2"}, {"47", "Spesialis"},
	{"49", "Subspesialis"}, {"50", "S3"},
}

// EducationLabel returns the label of a SIASN education-level code, or "" when unknown.
func EducationLabel(code string) string {
	for _, l := range EducationLevels {
		if l.Code == code {
			return l.Label
		}
	}
	return ""
}

// Eselons are the echelon levels accepted for structural positions.
var Eselons = []string{"I.a", "I.b", "II.a", "II.b", "III.a", "III.b", "IV.a", "IV.b", "V.a"}

// NormalizeEselon returns the canonical spelling of an echelon ("iv.a", "IVa", "IV A" → "IV.a")
// and whether it is known. The empty string is valid (no echelon).
func NormalizeEselon(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" {
		return "", true
	}
	k := strings.ToUpper(strings.NewReplacer(".", "", " ", "", "-", "").Replace(s))
	for _, e := range Eselons {
		if strings.ToUpper(strings.ReplaceAll(e, ".", "")) == k {
			return e, true
		}
	}
	return s, false
}

// User is a login account.
type User struct {
	ID                int64 `gorm:"primaryKey"`
	Username          string
	DisplayName       string
	PasswordHash      string `json:"-"`
	Role              Role
	OPDID             *int64 `gorm:"column:opd_id"`
	OPD               *OPD   `gorm:"foreignKey:OPDID"`
	NIP               string `gorm:"column:nip"`
	Active            bool
	PasswordChangedAt time.Time
	LastLoginAt       *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName is the users table.
func (User) TableName() string { return "users" }

// Actor returns the actor for this user.
func (u User) Actor() Actor {
	a := Actor{UserID: u.ID, Username: u.Username, Role: u.Role, NIP: u.NIP}
	if u.OPDID != nil {
		a.OPDID = *u.OPDID
	}
	return a
}

// AuditEntry is one row of the append-only audit log.
type AuditEntry struct {
	ID       int64 `gorm:"primaryKey"`
	At       time.Time
	UserID   *int64
	Username string
	Action   string
	Object   string
	Detail   string
}

// TableName is the audit_log table.
func (AuditEntry) TableName() string { return "audit_log" }

// Page is a window on a list: Limit rows from Offset, out of Total.
type Page struct {
	Limit  int   `json:"limit"`
	Offset int   `json:"offset"`
	Total  int64 `json:"total"`
}
