package issuer

import (
	"time"

	"github.com/sertika/sertika/internal/domain"
)

// Request is a request for a competency-development activity (usulan kegiatan
// pengembangan kompetensi) and, after approval, its realisation report.
type Request struct {
	ID                   int64       `gorm:"primaryKey"`
	OPDID                int64       `gorm:"column:opd_id"`
	OPD                  *domain.OPD `gorm:"foreignKey:OPDID"`
	Title                string
	Kind                 string
	Level                string
	Classroom            bool
	OrganizerType        string
	OrganizerName        string
	Place                string
	Online               bool
	StartDate            domain.Date
	EndDate              domain.Date
	JP                   int    `gorm:"column:jp"`
	JPNote               string `gorm:"column:jp_note"`
	Objectives           string
	Competencies         string
	BudgetSource         string
	Retroactive          bool
	State                State
	Version              int
	RecommendationNumber *string
	RecommendationYear   *int
	RecommendationSeq    *int
	RecommendationDate   domain.Date
	DecidedBy            *int64
	DecisionNote         string
	ReportNote           string
	ReportVerifiedBy     *int64
	CreatedBy            *int64
	CreatedAt            time.Time
	UpdatedAt            time.Time
	SubmittedAt          *time.Time
}

// TableName is the dev_requests table.
func (Request) TableName() string { return "dev_requests" }

// KindLabel is the label of the request's kind of development.
func (r Request) KindLabel() string {
	if k, ok := domain.KindByCode(r.Kind); ok {
		return k.Label
	}
	return r.Kind
}

// Recommendation returns the recommendation number, or "".
func (r Request) Recommendation() string {
	if r.RecommendationNumber == nil {
		return ""
	}
	return *r.RecommendationNumber
}

// Participant is an employee taking part in a request: planned in the request, and after
// the activity reported as attended/passed with the JP actually earned.
type Participant struct {
	RequestID    int64            `gorm:"primaryKey"`
	EmployeeID   int64            `gorm:"primaryKey"`
	Employee     *domain.Employee `gorm:"foreignKey:EmployeeID"`
	Planned      bool
	Dropped      bool
	ChangeReason string
	Attended     *bool
	Passed       *bool
	Score        string
	JPActual     *int `gorm:"column:jp_actual"`
}

// TableName is the dev_request_participants table.
func (Participant) TableName() string { return "dev_request_participants" }

// Eligible reports whether the participant qualifies for a certificate: reported as attended
// and passed, and not dropped.
func (p Participant) Eligible() bool {
	return !p.Dropped && p.Attended != nil && *p.Attended && p.Passed != nil && *p.Passed
}

// Event is one row of a request's history. Rows are never changed or deleted (the database
// refuses it).
type Event struct {
	ID        int64 `gorm:"primaryKey"`
	RequestID int64
	At        time.Time
	UserID    *int64
	Username  string
	Action    Action
	FromState State
	ToState   State
	Note      string
}

// TableName is the dev_request_events table.
func (Event) TableName() string { return "dev_request_events" }

// Attachment is a file attached to a request, stored by content hash.
type Attachment struct {
	ID          int64 `gorm:"primaryKey"`
	RequestID   int64
	Purpose     string
	FileName    string
	ContentType string
	SizeBytes   int64
	SHA256      string `gorm:"column:sha256"`
	UploadedBy  *int64
	UploadedAt  time.Time
}

// TableName is the attachments table.
func (Attachment) TableName() string { return "attachments" }

// Attachment purposes.
const (
	PurposeProposal   = "usulan"       // proposal documents (TOR, invitation)
	PurposeEvidence   = "bukti"        // evidence of a past activity (retroactive requests)
	PurposeAttendance = "daftar_hadir" // attendance list
	PurposeReport     = "laporan"      // activity report
)

// PurposeLabel names an attachment purpose in Bahasa Indonesia.
func PurposeLabel(p string) string {
	switch p {
	case PurposeProposal:
		return "Dokumen usulan"
	case PurposeEvidence:
		return "Bukti pelaksanaan"
	case PurposeAttendance:
		return "Daftar hadir"
	case PurposeReport:
		return "Laporan kegiatan"
	}
	return p
}

// Notification is an in-app message to one user.
type Notification struct {
	ID        int64 `gorm:"primaryKey"`
	UserID    int64
	RequestID *int64
	Message   string
	Link      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// TableName is the notifications table.
func (Notification) TableName() string { return "notifications" }

// Organizer types.
var OrganizerTypes = []struct{ Code, Label string }{
	{"opd", "OPD pengusul sendiri"},
	{"bkpsdm", "BKPSDM"},
	{"lan", "Lembaga Administrasi Negara (LAN)"},
	{"kementerian", "Pusdiklat kementerian/lembaga"},
	{"lainnya", "Lembaga lain"},
}

// OrganizerLabel names an organizer type.
func OrganizerLabel(code string) string {
	for _, o := range OrganizerTypes {
		if o.Code == code {
			return o.Label
		}
	}
	return code
}
