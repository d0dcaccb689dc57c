package issuer

import (
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/domain"
)

// Tests of the hash-chained issuance log. The tables refuse UPDATE and DELETE by trigger;
// tampering is simulated by someone with direct database access who drops the triggers first.

// logWorld issues, revokes and re-issues so that the log holds key, issue, revoke and
// re-issue entries, and returns their ids in order.
func logWorld(t *testing.T, f *fixture) (*issuanceWorld, []LogEntry) {
	t.Helper()
	w := newIssuanceWorld(t, f)
	ids := w.verifiedN(t, 2)
	a := w.mustIssue(t, ids[0]).Certificates
	_, err := w.iss.Revoke(bg, w.signer, a[0].ID, ReasonIssuedInError, "Salah peserta")
	mustDo(t, err)
	_, err = w.iss.Reissue(bg, w.signer, a[1].ID, "Perbaikan nama")
	mustDo(t, err)
	w.mustIssue(t, ids[1])
	entries := w.logEntries(t)
	if len(entries) != 1+2+1+1+2 {
		t.Fatalf("%d log entries, want 7", len(entries))
	}
	return w, entries
}

func TestIssuanceLogIsAppendOnly(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w, entries := logWorld(t, f)
		for _, sql := range []string{
			"UPDATE issuance_log SET detail = 'x'",
			"UPDATE issuance_log SET hash = 'x' WHERE id = " + itoa(entries[2].ID),
			"DELETE FROM issuance_log WHERE id = " + itoa(entries[3].ID),
			"DELETE FROM issuance_log",
		} {
			if err := w.db.Gorm.Exec(sql).Error; err == nil {
				t.Errorf("%s succeeded, want refused by the database", sql)
			}
		}
		if n := w.assertChain(t); n != len(entries) {
			t.Errorf("chain of %d entries, want %d", n, len(entries))
		}
	})
}

func TestIssuanceLogTamperingDetected(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		w, entries := logWorld(t, f)
		dropLogTriggers(t, w.db)
		if n := w.assertChain(t); n != len(entries) {
			t.Fatalf("chain %d entries, want %d", n, len(entries))
		}
		exec := func(sql string, args ...any) {
			t.Helper()
			mustDo(t, w.db.Gorm.Exec(sql, args...).Error)
		}
		mid := entries[3]

		for _, tc := range []struct {
			name, column string
			value        any
		}{
			{"detail", "detail", `{"number":"800.1/0099/SERT/BKPSDM/2026"}`},
			{"actor", "username", "someone.else"},
			{"action", "action", "certificate.issue"},
			{"object", "object", "certificate:AAAAAAAAAAAAAAAA"},
			{"time", "at", mid.At.Add(3600e9)},
			{"user id", "user_id", w.rev.UserID},
		} {
			t.Run("altered "+tc.name, func(t *testing.T) {
				var orig LogEntry
				mustDo(t, w.db.Gorm.Where("id = ?", mid.ID).Take(&orig).Error)
				exec("UPDATE issuance_log SET "+tc.column+" = ? WHERE id = ?", tc.value, mid.ID)
				n, brk, err := VerifyLog(bg, w.db)
				if err != nil || brk == nil || brk.ID != mid.ID || n != 3 || !strings.Contains(brk.Reason, "altered") {
					t.Errorf("VerifyLog = %d, %+v, %v; want a break at entry %d after 3 good ones", n, brk, err, mid.ID)
				}
				mustDo(t, w.db.Gorm.Save(&orig).Error)
				w.assertChain(t)
			})
		}
		t.Run("altered and re-hashed", func(t *testing.T) {
			// Recomputing the altered entry's own hash moves the break to the next link.
			var e LogEntry
			mustDo(t, w.db.Gorm.Where("id = ?", mid.ID).Take(&e).Error)
			orig := e
			e.Detail = `{"number":"palsu"}`
			e.Hash = EntryHash(&e)
			mustDo(t, w.db.Gorm.Save(&e).Error)
			_, brk, err := VerifyLog(bg, w.db)
			if err != nil || brk == nil || brk.ID != entries[4].ID || !strings.Contains(brk.Reason, "prev_hash") {
				t.Errorf("VerifyLog break %+v %v, want at entry %d", brk, err, entries[4].ID)
			}
			mustDo(t, w.db.Gorm.Save(&orig).Error)
			w.assertChain(t)
		})
		t.Run("middle entry deleted", func(t *testing.T) {
			exec("DELETE FROM issuance_log WHERE id = ?", mid.ID)
			n, brk, err := VerifyLog(bg, w.db)
			if err != nil || brk == nil || brk.ID != entries[4].ID || n != 3 || !strings.Contains(brk.Reason, "removed") {
				t.Errorf("VerifyLog = %d, %+v, %v; want a break at entry %d (the one after the gap)", n, brk, err, entries[4].ID)
			}
			mustDo(t, w.db.Gorm.Create(&mid).Error)
			w.assertChain(t)
		})
		t.Run("first entry deleted", func(t *testing.T) {
			first := entries[0]
			exec("DELETE FROM issuance_log WHERE id = ?", first.ID)
			_, brk, _ := VerifyLog(bg, w.db)
			if brk == nil || brk.ID != entries[1].ID {
				t.Errorf("break %+v, want at entry %d", brk, entries[1].ID)
			}
			mustDo(t, w.db.Gorm.Create(&first).Error)
			w.assertChain(t)
		})
		t.Run("entries swapped", func(t *testing.T) {
			a, b := entries[1], entries[2]
			exec("DELETE FROM issuance_log WHERE id IN (?, ?)", a.ID, b.ID)
			a2, b2 := b, a
			a2.ID, b2.ID = a.ID, b.ID
			mustDo(t, w.db.Gorm.Create(&a2).Error)
			mustDo(t, w.db.Gorm.Create(&b2).Error)
			_, brk, _ := VerifyLog(bg, w.db)
			if brk == nil || brk.ID != a.ID {
				t.Errorf("break %+v, want at entry %d", brk, a.ID)
			}
			exec("DELETE FROM issuance_log WHERE id IN (?, ?)", a.ID, b.ID)
			mustDo(t, w.db.Gorm.Create(&a).Error)
			mustDo(t, w.db.Gorm.Create(&b).Error)
			w.assertChain(t)
		})
		t.Run("appending after a repair keeps the chain", func(t *testing.T) {
			_, err := w.ks.Generate(bg, true, KeyEventLogger(w.db, domain.System))
			mustDo(t, err)
			if n := w.assertChain(t); n != len(entries)+2 {
				t.Errorf("chain %d, want %d", n, len(entries)+2)
			}
		})
		// Limitation: removing the newest entries leaves a shorter chain that is still whole;
		// only an anchor kept elsewhere (a printed or published last hash) reveals that.
	})
}

func TestEntryHashCoversEveryField(t *testing.T) {
	uid := int64(7)
	base := LogEntry{At: afterActivity, UserID: &uid, Username: "kepala", Action: "certificate.issue", Object: "certificate:X",
		Detail: "{}", PrevHash: genesis}
	h := EntryHash(&base)
	other := int64(8)
	for name, mod := range map[string]func(e *LogEntry){
		"at":        func(e *LogEntry) { e.At = e.At.Add(1000) },
		"user id":   func(e *LogEntry) { e.UserID = &other },
		"no user":   func(e *LogEntry) { e.UserID = nil },
		"username":  func(e *LogEntry) { e.Username = "kepala2" },
		"action":    func(e *LogEntry) { e.Action = "certificate.revoke" },
		"object":    func(e *LogEntry) { e.Object = "certificate:Y" },
		"detail":    func(e *LogEntry) { e.Detail = "{ }" },
		"prev hash": func(e *LogEntry) { e.PrevHash = strings.Repeat("1", 64) },
		// Length prefixes keep field boundaries: moving a character between fields changes
		// the hash.
		"boundary": func(e *LogEntry) { e.Username, e.Action = "kepalac", "ertificate.issue" },
	} {
		e := base
		mod(&e)
		if EntryHash(&e) == h {
			t.Errorf("%s: hash unchanged", name)
		}
	}
	if EntryHash(&base) != h || len(h) != 64 {
		t.Errorf("hash not stable: %s", h)
	}
}
