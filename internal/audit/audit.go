// Package audit appends to Sertika's audit log: who did what to which object, and when.
// Entries are written inside the caller's transaction so that the log and the change it
// describes land together or not at all. The log is append-only: nothing updates or
// deletes its rows.
package audit

import (
	"time"

	"gorm.io/gorm"

	"github.com/sertika/sertika/internal/domain"
)

// Record appends one entry in tx. detail must not hold secrets or whole personal records.
func Record(tx *gorm.DB, at time.Time, actor domain.Actor, action, object, detail string) error {
	e := domain.AuditEntry{At: at, Username: actor.Username, Action: action, Object: object, Detail: detail}
	if actor.UserID != 0 {
		id := actor.UserID
		e.UserID = &id
	}
	return tx.Create(&e).Error
}
