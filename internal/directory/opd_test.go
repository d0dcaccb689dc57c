package directory_test

import (
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

var admin = domain.Actor{UserID: 1, Username: "admin", Role: domain.RoleAdmin}

func TestValidateOPDCode(t *testing.T) {
	tests := []struct {
		code string
		msg  string // "" = valid
	}{
		{"DINKES", ""},
		{"1.02.01", ""},
		{"a-b_c.D9", ""},
		{strings.Repeat("X", 32), ""},
		{"", "wajib diisi"},
		{strings.Repeat("X", 33), "paling panjang 32"},
		{"<script>", "hanya boleh berisi"},
		{"'; DROP TABLE opds; --", "hanya boleh berisi"},
		{"DIN KES", "hanya boleh berisi"},
		{"A/B", "hanya boleh berisi"},
		{"A%", "hanya boleh berisi"},
		{"DINKÉS", "hanya boleh berisi"},
		{"ДИНКЕС", "hanya boleh berisi"},
		{"١٢٣", "hanya boleh berisi"}, // Arabic-Indic digits
		{"A\x00B", "hanya boleh berisi"},
		{"A\nB", "hanya boleh berisi"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			err := directory.ValidateOPDCode(tt.code)
			if tt.msg == "" {
				if err != nil {
					t.Errorf("ValidateOPDCode(%q) = %v, want nil", tt.code, err)
				}
				return
			}
			wantCode(t, err, apperr.CodeInvalid, tt.msg)
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		required bool
		want     string
		msg      string
	}{
		{"trimmed", "  Dinas  ", 10, true, "Dinas", ""},
		{"multi-line kept", "Jl. Merdeka 1\nKota", 50, false, "Jl. Merdeka 1\nKota", ""},
		{"empty optional", "   ", 10, false, "", ""},
		{"empty required", "   ", 10, true, "", "Nama wajib diisi."},
		{"runes not bytes", strings.Repeat("é", 10), 10, true, strings.Repeat("é", 10), ""},
		{"too long", strings.Repeat("a", 11), 10, true, "", "Nama paling panjang 10 karakter."},
		{"invalid utf-8", "ab\xffcd", 10, true, "", "tidak sah"},
		{"nul", "ab\x00cd", 10, true, "", "karakter kendali"},
		{"escape", "ab\x1b[31m", 10, true, "", "karakter kendali"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := directory.CleanText("Nama", tt.in, tt.max, tt.required)
			if tt.msg != "" {
				wantCode(t, err, apperr.CodeInvalid, tt.msg)
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("CleanText(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// audits returns the audit entries in order.
func audits(tb testing.TB, db *database.DB) []domain.AuditEntry {
	tb.Helper()
	var out []domain.AuditEntry
	if err := db.Gorm.Order("id").Find(&out).Error; err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestCreateOPD(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		s := directory.New(db)
		no := false
		refused := []struct {
			name string
			in   directory.OPDInput
			code apperr.Code
			msg  string
		}{
			{"empty code", directory.OPDInput{Code: "", Name: "Dinas"}, apperr.CodeInvalid, "Kode OPD wajib diisi"},
			{"blank code", directory.OPDInput{Code: "   ", Name: "Dinas"}, apperr.CodeInvalid, "Kode OPD wajib diisi"},
			{"long code", directory.OPDInput{Code: strings.Repeat("K", 33), Name: "Dinas"}, apperr.CodeInvalid, "paling panjang 32"},
			{"script code", directory.OPDInput{Code: "<script>", Name: "Dinas"}, apperr.CodeInvalid, "hanya boleh berisi"},
			{"sql code", directory.OPDInput{Code: "'; DROP TABLE opds; --", Name: "Dinas"}, apperr.CodeInvalid, "hanya boleh berisi"},
			{"empty name", directory.OPDInput{Code: "X", Name: "  "}, apperr.CodeInvalid, "Nama OPD wajib diisi"},
			{"long name", directory.OPDInput{Code: "X", Name: strings.Repeat("n", 201)}, apperr.CodeInvalid, "Nama OPD paling panjang 200"},
			{"control in name", directory.OPDInput{Code: "X", Name: "Dinas\x07"}, apperr.CodeInvalid, "karakter kendali"},
			{"long parent", directory.OPDInput{Code: "X", Name: "Dinas", Parent: strings.Repeat("p", 201)}, apperr.CodeInvalid, "Instansi induk paling panjang 200"},
		}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				o, err := s.CreateOPD(ctx, admin, tt.in)
				wantCode(t, err, tt.code, tt.msg)
				if o.ID != 0 {
					t.Errorf("refused create returned %+v", o)
				}
				if n := count(t, db, "opds"); n != 0 {
					t.Errorf("opds = %d after refusal, want 0", n)
				}
				if n := count(t, db, "audit_log"); n != 0 {
					t.Errorf("audit_log = %d after refusal, want 0", n)
				}
			})
		}

		// HTML and SQL metacharacters are data: stored and read back exactly.
		name := `<script>alert("x")</script> & Dinas 'Kesehatan'; DROP TABLE opds; -- %_\`
		parent := `Pemkab "Contoh" <b>bold</b> ' OR 1=1 --`
		o, err := s.CreateOPD(ctx, admin, directory.OPDInput{Code: " 1.02-x_Y ", Name: "  " + name + "\t", Parent: parent})
		if err != nil {
			t.Fatalf("CreateOPD = %v", err)
		}
		if o.ID == 0 || o.Code != "1.02-x_Y" || o.Name != name || o.Parent != parent || !o.Active {
			t.Errorf("created %+v, want code 1.02-x_Y, exact name and parent, active", o)
		}
		got, err := s.GetOPD(ctx, admin, "1.02-x_Y")
		if err != nil || got.Name != name || got.Parent != parent || got.ID != o.ID {
			t.Errorf("GetOPD = %+v, %v; want name %q parent %q", got, err, name, parent)
		}
		var raw struct{ Name, Parent string }
		db.Gorm.Raw("SELECT name, parent FROM opds WHERE id = ?", o.ID).Scan(&raw)
		if raw.Name != name || raw.Parent != parent {
			t.Errorf("row = %+v, want verbatim text", raw)
		}
		if n := count(t, db, "opds"); n != 1 {
			t.Errorf("opds = %d, want 1 (no table dropped, one row)", n)
		}

		inactive, err := s.CreateOPD(ctx, admin, directory.OPDInput{Code: "LAMA", Name: "Dinas Lama", Active: &no})
		if err != nil || inactive.Active {
			t.Errorf("CreateOPD inactive = %+v, %v; want inactive", inactive, err)
		}

		// A duplicate code is a conflict and writes nothing.
		_, err = s.CreateOPD(ctx, admin, directory.OPDInput{Code: "LAMA", Name: "Lain"})
		wantCode(t, err, apperr.CodeConflict, `Kode OPD "LAMA" sudah dipakai`)
		if n := count(t, db, "opds"); n != 2 {
			t.Errorf("opds = %d after duplicate, want 2", n)
		}

		as := audits(t, db)
		if len(as) != 2 {
			t.Fatalf("audit entries = %d, want 2 (one per create): %+v", len(as), as)
		}
		want := []struct{ action, object, detail string }{
			{"opd.create", "opd:1.02-x_Y", name},
			{"opd.create", "opd:LAMA", "Dinas Lama"},
		}
		for i, w := range want {
			a := as[i]
			if a.Action != w.action || a.Object != w.object || a.Detail != w.detail || a.Username != "admin" ||
				a.UserID == nil || *a.UserID != admin.UserID || a.At.IsZero() {
				t.Errorf("audit[%d] = %+v, want %s %s %q by admin", i, a, w.action, w.object, w.detail)
			}
		}
	})
}

func TestUpdateOPD(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := MustFixture(t, db)
		s := f.svc
		no, yes := false, true

		state := func() string {
			var os []domain.OPD
			db.Gorm.Order("id").Find(&os)
			var b strings.Builder
			for _, o := range os {
				b.WriteString(o.Code + "|" + o.Name + "|" + o.Parent + "|")
				if o.Active {
					b.WriteString("1;")
				} else {
					b.WriteString("0;")
				}
			}
			return b.String()
		}
		before, auditsBefore := state(), count(t, db, "audit_log")
		refused := []struct {
			name, code string
			in         directory.OPDInput
			c          apperr.Code
			msg        string
		}{
			{"unknown", "NOPE", directory.OPDInput{Name: "X"}, apperr.CodeNotFound, "OPD tidak ditemukan"},
			{"rename to taken code", "DINKES", directory.OPDInput{Code: "DISDIK", Name: "X"}, apperr.CodeConflict, `"DISDIK" sudah dipakai`},
			{"bad new code", "DINKES", directory.OPDInput{Code: "<script>", Name: "X"}, apperr.CodeInvalid, "hanya boleh berisi"},
			{"sql new code", "DINKES", directory.OPDInput{Code: "x' OR '1'='1", Name: "X"}, apperr.CodeInvalid, "hanya boleh berisi"},
			{"long new code", "DINKES", directory.OPDInput{Code: strings.Repeat("K", 33), Name: "X"}, apperr.CodeInvalid, "paling panjang 32"},
			{"empty name", "DINKES", directory.OPDInput{Name: ""}, apperr.CodeInvalid, "Nama OPD wajib diisi"},
		}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.UpdateOPD(ctx, admin, tt.code, tt.in)
				wantCode(t, err, tt.c, tt.msg)
				if got := state(); got != before {
					t.Errorf("opds changed by a refused update:\n got %s\nwant %s", got, before)
				}
				if n := count(t, db, "audit_log"); n != auditsBefore {
					t.Errorf("audit_log = %d after refusal, want %d", n, auditsBefore)
				}
			})
		}

		t.Run("rename keeps id and employees", func(t *testing.T) {
			name := `Dinas <i>Kesehatan</i> & "KB" '--`
			o, err := s.UpdateOPD(ctx, admin, "DINKES", directory.OPDInput{Code: "DINKES2", Name: name, Parent: "Pemkab"})
			if err != nil {
				t.Fatalf("UpdateOPD = %v", err)
			}
			if o.ID != f.A.ID || o.Code != "DINKES2" || o.Name != name || o.Parent != "Pemkab" || !o.Active {
				t.Errorf("updated %+v, want id %d renamed, active kept", o, f.A.ID)
			}
			_, err = s.GetOPD(ctx, admin, "DINKES")
			wantCode(t, err, apperr.CodeNotFound, "")
			got, err := s.GetOPD(ctx, admin, "DINKES2")
			if err != nil || got.Name != name {
				t.Errorf("GetOPD(DINKES2) = %+v, %v; want name %q", got, err, name)
			}
			es, _, err := s.ListEmployees(ctx, admin, directory.EmployeeFilter{OPD: "DINKES2"})
			if err != nil || len(es) != 4 {
				t.Errorf("employees of renamed OPD = %d, %v; want 4", len(es), err)
			}
		})
		t.Run("code omitted keeps code", func(t *testing.T) {
			o, err := s.UpdateOPD(ctx, admin, "DISDIK", directory.OPDInput{Name: "Dinas Pendidikan dan Kebudayaan"})
			if err != nil || o.Code != "DISDIK" || o.Name != "Dinas Pendidikan dan Kebudayaan" || !o.Active {
				t.Errorf("UpdateOPD = %+v, %v", o, err)
			}
		})
		t.Run("deactivate and reactivate", func(t *testing.T) {
			if _, err := s.UpdateOPD(ctx, admin, "DISDIK", directory.OPDInput{Name: "Dinas Pendidikan", Active: &no}); err != nil {
				t.Fatal(err)
			}
			os, _ := s.ListOPDs(ctx, admin, false)
			if got := codes(os); got != "DINKES2" {
				t.Errorf("active OPDs = %q, want DINKES2", got)
			}
			if _, err := s.UpdateOPD(ctx, admin, "DISDIK", directory.OPDInput{Name: "Dinas Pendidikan", Active: &yes}); err != nil {
				t.Fatal(err)
			}
			os, _ = s.ListOPDs(ctx, admin, false)
			if got := codes(os); got != "DINKES2,DISDIK" {
				t.Errorf("active OPDs = %q, want DINKES2,DISDIK", got)
			}
		})
		as := audits(t, db)
		var got []string
		for _, a := range as {
			got = append(got, a.Action+" "+a.Object+" "+a.Detail)
		}
		want := []string{
			"opd.update opd:DINKES2 code=DINKES active=true",
			"opd.update opd:DISDIK code=DISDIK active=true",
			"opd.update opd:DISDIK code=DISDIK active=false",
			"opd.update opd:DISDIK code=DISDIK active=true",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
