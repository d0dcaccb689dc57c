// Package directory holds the agency's master data — the agency's own identity, its OPDs and
// its employees (ASN) — and decides who may read or change it. Every method takes the acting
// user and checks rights here, in the service layer, whatever the caller shows or hides:
// BKPSDM staff see the whole agency, an OPD user only their own OPD, an employee only their
// own record, and only administrators change anything.
package directory

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/audit"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/nip"
)

// Service is the master-data service.
type Service struct {
	db *database.DB
}

// New returns a service on db.
func New(db *database.DB) *Service { return &Service{db: db} }

// Messages shared by several checks.
var (
	errLogin      = apperr.Unauthorized("Silakan masuk terlebih dahulu.")
	errAdminOnly  = apperr.Forbidden("Hanya administrator yang boleh mengubah data ini.")
	errOtherOPD   = apperr.Forbidden("Anda tidak berhak melihat data OPD lain.")
	errOtherEmpl  = apperr.Forbidden("Anda hanya boleh melihat data Anda sendiri.")
	errOPDMissing = apperr.NotFound("OPD tidak ditemukan.")
	errEmpMissing = apperr.NotFound("Pegawai tidak ditemukan.")
)

func requireActor(a domain.Actor) error {
	if !a.Role.Valid() {
		return errLogin
	}
	return nil
}

// ---- OPDs ----

// OPDInput is what an administrator sets on an OPD.
type OPDInput struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent"`
	Active *bool  `json:"active"`
}

// ListOPDs returns the OPDs the actor may see, ordered by code; inactive ones only when asked.
func (s *Service) ListOPDs(ctx context.Context, a domain.Actor, includeInactive bool) ([]domain.OPD, error) {
	if err := requireActor(a); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Order("code")
	if !includeInactive {
		q = q.Where("active = ?", true)
	}
	switch a.Role {
	case domain.RoleOPD:
		q = q.Where("id = ?", a.OPDID)
	case domain.RolePegawai:
		q = q.Where("id = (SELECT opd_id FROM employees WHERE nip = ?)", a.NIP)
	}
	var out []domain.OPD
	if err := q.Find(&out).Error; err != nil {
		return nil, apperr.Internal(fmt.Errorf("list opds: %w", err))
	}
	return out, nil
}

// GetOPD returns one OPD by code.
func (s *Service) GetOPD(ctx context.Context, a domain.Actor, code string) (domain.OPD, error) {
	if err := requireActor(a); err != nil {
		return domain.OPD{}, err
	}
	o, err := s.opdByCode(ctx, s.db.Gorm, code)
	if err != nil {
		return o, err
	}
	if err := s.canSeeOPD(ctx, a, o.ID); err != nil {
		return domain.OPD{}, err
	}
	return o, nil
}

func (s *Service) opdByCode(ctx context.Context, tx *gorm.DB, code string) (domain.OPD, error) {
	var o domain.OPD
	err := tx.WithContext(ctx).Where("code = ?", strings.TrimSpace(code)).Take(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return o, errOPDMissing
	}
	if err != nil {
		return o, apperr.Internal(fmt.Errorf("get opd: %w", err))
	}
	return o, nil
}

func (s *Service) canSeeOPD(ctx context.Context, a domain.Actor, opdID int64) error {
	switch a.Role {
	case domain.RoleOPD:
		if a.OPDID != opdID {
			return errOtherOPD
		}
	case domain.RolePegawai:
		var own int64
		s.db.WithContext(ctx).Model(&domain.Employee{}).Select("opd_id").Where("nip = ?", a.NIP).Scan(&own)
		if own != opdID {
			return errOtherOPD
		}
	}
	return nil
}

// ValidateOPDCode checks an OPD code: 1–32 letters, digits, dots, dashes or underscores.
func ValidateOPDCode(code string) error {
	if code == "" {
		return apperr.Invalid("Kode OPD wajib diisi.")
	}
	if len(code) > 32 {
		return apperr.Invalid("Kode OPD paling panjang 32 karakter.")
	}
	for _, r := range code {
		if !(r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_')) {
			return apperr.Invalid("Kode OPD hanya boleh berisi huruf, angka, titik, tanda hubung dan garis bawah.")
		}
	}
	return nil
}

// CleanText trims s and checks it is valid UTF-8 text of at most max characters without
// control characters. field names the field in the Indonesian message.
func CleanText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", apperr.Invalidf("%s wajib diisi.", field)
	}
	if !utf8.ValidString(s) {
		return "", apperr.Invalidf("%s berisi karakter yang tidak sah.", field)
	}
	if utf8.RuneCountInString(s) > max {
		return "", apperr.Invalidf("%s paling panjang %d karakter.", field, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return "", apperr.Invalidf("%s berisi karakter kendali yang tidak sah.", field)
		}
	}
	return s, nil
}

func (in *OPDInput) clean() error {
	in.Code = strings.TrimSpace(in.Code)
	if err := ValidateOPDCode(in.Code); err != nil {
		return err
	}
	var err error
	if in.Name, err = CleanText("Nama OPD", in.Name, 200, true); err != nil {
		return err
	}
	if in.Parent, err = CleanText("Instansi induk", in.Parent, 200, false); err != nil {
		return err
	}
	return nil
}

// CreateOPD adds an OPD (administrators only).
func (s *Service) CreateOPD(ctx context.Context, a domain.Actor, in OPDInput) (domain.OPD, error) {
	if a.Role != domain.RoleAdmin {
		return domain.OPD{}, errAdminOnly
	}
	if err := in.clean(); err != nil {
		return domain.OPD{}, err
	}
	o := domain.OPD{Code: in.Code, Name: in.Name, Parent: in.Parent, Active: in.Active == nil || *in.Active}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&o).Error; err != nil {
			if database.IsUniqueViolation(err) {
				return apperr.Conflict(fmt.Sprintf("Kode OPD %q sudah dipakai.", in.Code))
			}
			return apperr.Internal(fmt.Errorf("create opd: %w", err))
		}
		return audit.Record(tx, s.db.Now(), a, "opd.create", "opd:"+o.Code, o.Name)
	})
	return o, err
}

// UpdateOPD changes an OPD's code, name, parent or active flag (administrators only).
func (s *Service) UpdateOPD(ctx context.Context, a domain.Actor, code string, in OPDInput) (domain.OPD, error) {
	if a.Role != domain.RoleAdmin {
		return domain.OPD{}, errAdminOnly
	}
	if in.Code == "" {
		in.Code = code
	}
	if err := in.clean(); err != nil {
		return domain.OPD{}, err
	}
	var o domain.OPD
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		if o, err = s.opdByCode(ctx, tx, code); err != nil {
			return err
		}
		o.Code, o.Name, o.Parent = in.Code, in.Name, in.Parent
		if in.Active != nil {
			o.Active = *in.Active
		}
		if err := tx.Save(&o).Error; err != nil {
			if database.IsUniqueViolation(err) {
				return apperr.Conflict(fmt.Sprintf("Kode OPD %q sudah dipakai.", in.Code))
			}
			return apperr.Internal(fmt.Errorf("update opd: %w", err))
		}
		return audit.Record(tx, s.db.Now(), a, "opd.update", "opd:"+o.Code, fmt.Sprintf("code=%s active=%t", code, o.Active))
	})
	return o, err
}

// ---- Employees ----

// EmployeeFilter narrows an employee list.
type EmployeeFilter struct {
	OPD    string // OPD code
	Q      string // part of the name, or the start of the NIP
	Limit  int    // default 50, at most 200
	Offset int
}

// ListEmployees returns one page of the employees the actor may see, by name.
func (s *Service) ListEmployees(ctx context.Context, a domain.Actor, f EmployeeFilter) ([]domain.Employee, domain.Page, error) {
	page := domain.Page{Limit: f.Limit, Offset: f.Offset}
	if err := requireActor(a); err != nil {
		return nil, page, err
	}
	if page.Limit <= 0 {
		page.Limit = 50
	}
	if page.Limit > 200 {
		page.Limit = 200
	}
	if page.Offset < 0 {
		return nil, page, apperr.Invalid("Offset tidak boleh negatif.")
	}
	q := s.db.WithContext(ctx).Model(&domain.Employee{})
	if f.OPD != "" {
		o, err := s.opdByCode(ctx, s.db.Gorm, f.OPD)
		if err != nil {
			return nil, page, err
		}
		if err := s.canSeeOPD(ctx, a, o.ID); err != nil {
			return nil, page, err
		}
		q = q.Where("opd_id = ?", o.ID)
	}
	switch a.Role {
	case domain.RoleOPD:
		q = q.Where("opd_id = ?", a.OPDID)
	case domain.RolePegawai:
		q = q.Where("nip = ?", a.NIP)
	}
	if term := strings.TrimSpace(f.Q); term != "" {
		if len(term) > 100 {
			return nil, page, apperr.Invalid("Kata kunci pencarian paling panjang 100 karakter.")
		}
		if digits := nip.Normalize(term); digits != "" && strings.Trim(digits, "0123456789") == "" {
			q = q.Where("nip LIKE ?", digits+"%")
		} else {
			q = q.Where("lower(name) LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(term))+"%")
		}
	}
	if err := q.Count(&page.Total).Error; err != nil {
		return nil, page, apperr.Internal(fmt.Errorf("count employees: %w", err))
	}
	var out []domain.Employee
	if err := q.Preload("OPD").Order("name, nip").Limit(page.Limit).Offset(page.Offset).Find(&out).Error; err != nil {
		return nil, page, apperr.Internal(fmt.Errorf("list employees: %w", err))
	}
	return out, page, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// GetEmployee returns one employee by NIP, with the OPD.
func (s *Service) GetEmployee(ctx context.Context, a domain.Actor, n string) (domain.Employee, error) {
	var e domain.Employee
	if err := requireActor(a); err != nil {
		return e, err
	}
	n = nip.Normalize(n)
	if a.Role == domain.RolePegawai && n != a.NIP {
		return e, errOtherEmpl
	}
	err := s.db.WithContext(ctx).Preload("OPD").Where("nip = ?", n).Take(&e).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return e, errEmpMissing
	}
	if err != nil {
		return e, apperr.Internal(fmt.Errorf("get employee: %w", err))
	}
	if a.Role == domain.RoleOPD && e.OPDID != a.OPDID {
		return domain.Employee{}, errOtherOPD
	}
	return e, nil
}

// ---- Agency ----

// GetAgency returns the agency's identity (an empty one before an administrator sets it).
// Everyone may read it: it is printed on letters and certificates.
func (s *Service) GetAgency(ctx context.Context) (domain.Agency, error) {
	return s.agency(ctx, s.db.Gorm)
}

// agency reads the agency row through tx (inside a transaction, its own connection).
func (s *Service) agency(ctx context.Context, tx *gorm.DB) (domain.Agency, error) {
	var ag domain.Agency
	err := tx.WithContext(ctx).Where("id = 1").Take(&ag).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.Agency{ID: 1}, nil
	}
	if err != nil {
		return ag, apperr.Internal(fmt.Errorf("get agency: %w", err))
	}
	return ag, nil
}

// AgencyInput is what an administrator sets on the agency.
type AgencyInput struct {
	Name       string `json:"name"`
	BKPSDMName string `json:"bkpsdm_name"`
	Address    string `json:"address"`
	City       string `json:"city"`
	HeadName   string `json:"head_name"`
	HeadNIP    string `json:"head_nip"`
	HeadTitle  string `json:"head_title"`
	HeadRank   string `json:"head_rank"`
}

// MaxLogoBytes bounds the agency logo.
const MaxLogoBytes = 1 << 20

// UpdateAgency sets the agency's identity (administrators only). Logo, when not nil,
// replaces the logo and must be a PNG or JPEG of at most MaxLogoBytes.
func (s *Service) UpdateAgency(ctx context.Context, a domain.Actor, in AgencyInput, logo []byte) (domain.Agency, error) {
	if a.Role != domain.RoleAdmin {
		return domain.Agency{}, errAdminOnly
	}
	fields := []struct {
		label    string
		v        *string
		max      int
		required bool
	}{
		{"Nama pemerintah daerah", &in.Name, 200, true},
		{"Nama BKPSDM", &in.BKPSDMName, 200, true},
		{"Alamat", &in.Address, 300, false},
		{"Kota", &in.City, 100, false},
		{"Nama kepala", &in.HeadName, 200, false},
		{"Jabatan kepala", &in.HeadTitle, 200, false},
		{"Pangkat/golongan kepala", &in.HeadRank, 100, false},
	}
	for _, f := range fields {
		v, err := CleanText(f.label, *f.v, f.max, f.required)
		if err != nil {
			return domain.Agency{}, err
		}
		*f.v = v
	}
	if in.HeadNIP = nip.Normalize(in.HeadNIP); in.HeadNIP != "" {
		if _, err := nip.ParseAt(in.HeadNIP, s.db.Now()); err != nil {
			return domain.Agency{}, apperr.Invalid("NIP kepala tidak sah: " + err.Error())
		}
	}
	var logoType string
	if logo != nil {
		if len(logo) > MaxLogoBytes {
			return domain.Agency{}, apperr.New(apperr.CodeTooLarge, "Logo paling besar 1 MB.")
		}
		logoType = http.DetectContentType(logo)
		if logoType != "image/png" && logoType != "image/jpeg" {
			return domain.Agency{}, apperr.Invalid("Logo harus berupa gambar PNG atau JPEG.")
		}
	}
	var ag domain.Agency
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		if ag, err = s.agency(ctx, tx); err != nil {
			return err
		}
		ag.ID = 1
		ag.Name, ag.BKPSDMName, ag.Address, ag.City = in.Name, in.BKPSDMName, in.Address, in.City
		ag.HeadName, ag.HeadNIP, ag.HeadTitle, ag.HeadRank = in.HeadName, in.HeadNIP, in.HeadTitle, in.HeadRank
		if logo != nil {
			ag.Logo, ag.LogoType = logo, logoType
		}
		ag.UpdatedAt = s.db.Now()
		if err := tx.Save(&ag).Error; err != nil {
			return apperr.Internal(fmt.Errorf("save agency: %w", err))
		}
		return audit.Record(tx, ag.UpdatedAt, a, "agency.update", "agency", ag.Name)
	})
	return ag, err
}

// ---- Figures ----

// Stats are the counts shown on dashboards, limited to what the actor may see.
type Stats struct {
	OPDs      int64
	Employees int64
	PNS       int64
	PPPK      int64
	Users     int64 // administrators only
}

// Stats counts what the actor may see.
func (s *Service) Stats(ctx context.Context, a domain.Actor) (Stats, error) {
	var st Stats
	if err := requireActor(a); err != nil {
		return st, err
	}
	db := s.db.WithContext(ctx)
	emp := func() *gorm.DB {
		q := db.Model(&domain.Employee{}).Where("active = ?", true)
		switch a.Role {
		case domain.RoleOPD:
			q = q.Where("opd_id = ?", a.OPDID)
		case domain.RolePegawai:
			q = q.Where("nip = ?", a.NIP)
		}
		return q
	}
	var errs []error
	errs = append(errs, emp().Count(&st.Employees).Error)
	errs = append(errs, emp().Where("status = ?", domain.StatusPNS).Count(&st.PNS).Error)
	errs = append(errs, emp().Where("status = ?", domain.StatusPPPK).Count(&st.PPPK).Error)
	if a.Role.IsBKPSDM() {
		errs = append(errs, db.Model(&domain.OPD{}).Where("active = ?", true).Count(&st.OPDs).Error)
	} else {
		st.OPDs = 1
	}
	if a.Role == domain.RoleAdmin {
		errs = append(errs, db.Model(&domain.User{}).Count(&st.Users).Error)
	}
	if err := errors.Join(errs...); err != nil {
		return st, apperr.Internal(fmt.Errorf("stats: %w", err))
	}
	return st, nil
}
