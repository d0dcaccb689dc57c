package directory_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sertika/sertika/internal/apperr"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/domain"
	"github.com/sertika/sertika/internal/testdb"
)

func TestListEmployeesSearch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		f := MustFixture(t, db)
		s := f.svc
		search := func(t *testing.T, q, want string) {
			t.Helper()
			es, page, err := s.ListEmployees(ctx, admin, directory.EmployeeFilter{Q: q})
			if err != nil {
				t.Fatalf("search %q = %v", q, err)
			}
			if got := names(es); got != want {
				t.Errorf("search %q = %q, want %q", q, got, want)
			}
			if page.Total != int64(len(es)) {
				t.Errorf("search %q total = %d, want %d", q, page.Total, len(es))
			}
		}
		tests := []struct{ q, want string }{
			{"wija", "Andi Wijaya"},
			{"WIJA", "Andi Wijaya"},
			{"  wIjA  ", "Andi Wijaya"},
			{"andi wijaya", "Andi Wijaya"},
			{"lestari", "Citra Lestari,Dewi Lestari"},
			{"i l", "Dewi Lestari"},
			{"19660801 1988", "Andi Wijaya"},
			{"19660801-1988.03", "Andi Wijaya"},
			{"1966", "Andi Wijaya"},
			{nipAndi, "Andi Wijaya"},
			{"19", "Andi Wijaya,Budi Santoso,Dewi Lestari,Eko Prasetyo,Siti Rahayu"},
			{"2000", "Citra Lestari"},
			{"1988031001", ""}, // the middle of a NIP is not its start
			{"%", ""},
			{"_", ""},
			{"a_i", ""}, // as a pattern it would match "Lest-ari"
			{"%a%", ""},
			{`\`, ""},
			{"'; DROP TABLE employees; --", ""},
			{"' OR '1'='1", ""},
			{"Zulkifli", ""},
		}
		for _, tt := range tests {
			t.Run(tt.q, func(t *testing.T) {
				search(t, tt.q, tt.want)
			})
		}
		if n := count(t, db, "employees"); n != 6 {
			t.Fatalf("employees = %d, want 6", n)
		}
		t.Run("too long", func(t *testing.T) {
			_, _, err := s.ListEmployees(ctx, admin, directory.EmployeeFilter{Q: strings.Repeat("a", 101)})
			wantCode(t, err, apperr.CodeInvalid, "paling panjang 100")
		})
		t.Run("empty query lists all", func(t *testing.T) {
			search(t, "   ", "Andi Wijaya,Budi Santoso,Citra Lestari,Dewi Lestari,Eko Prasetyo,Siti Rahayu")
		})

		// With names that really contain the metacharacters, they match literally.
		MustEmployee(t, db, f.B, "199102022016041005", "Nur_Hayati", domain.StatusPNS, true)
		MustEmployee(t, db, f.B, "199102022016041006", "Persen 50% Jaya", domain.StatusPNS, true)
		MustEmployee(t, db, f.B, `199102022016041007`, `Back\Slash`, domain.StatusPNS, true)
		literal := []struct{ q, want string }{
			{"%", "Persen 50% Jaya"},
			{"50%", "Persen 50% Jaya"},
			{"_", "Nur_Hayati"},
			{"r_h", "Nur_Hayati"},
			{"a_i", ""},
			{`\`, `Back\Slash`},
			{`k\s`, `Back\Slash`},
		}
		for _, tt := range literal {
			t.Run("literal "+tt.q, func(t *testing.T) { search(t, tt.q, tt.want) })
		}
		t.Run("scoped to opd user", func(t *testing.T) {
			es, _, err := s.ListEmployees(ctx, f.actor["opdA"], directory.EmployeeFilter{Q: "lestari"})
			if err != nil || names(es) != "Citra Lestari" {
				t.Errorf("opd A search lestari = %q, %v; want only Citra Lestari", names(es), err)
			}
			es, _, err = s.ListEmployees(ctx, f.actor["opdA"], directory.EmployeeFilter{Q: "%"})
			if err != nil || len(es) != 0 {
				t.Errorf("opd A search %% = %q, %v; want nothing (the match is in B)", names(es), err)
			}
		})
	})
}

func TestListEmployeesPaging(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *database.DB) {
		s := directory.New(db)
		a := MustOPD(t, db, "DINKES", "Dinas Kesehatan", true)
		const n = 205
		rows := make([]domain.Employee, n)
		for i := range rows {
			rows[i] = domain.Employee{NIP: fmt.Sprintf("19910202201604%d%03d", 1+i%2, i+1), Name: fmt.Sprintf("Pegawai %03d", i+1),
				Status: domain.StatusPNS, OPDID: a.ID, PositionKind: domain.PositionPelaksana, Active: true}
		}
		if err := db.Gorm.CreateInBatches(rows, 100).Error; err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name          string
			limit, offset int
			wantLimit     int
			wantRows      int
			wantFirst     string
		}{
			{"first page", 10, 0, 10, 10, "Pegawai 001"},
			{"second page", 10, 10, 10, 10, "Pegawai 011"},
			{"last partial page", 10, 200, 10, 5, "Pegawai 201"},
			{"past the end", 10, 300, 10, 0, ""},
			{"default limit", 0, 0, 50, 50, "Pegawai 001"},
			{"negative limit is default", -5, 0, 50, 50, "Pegawai 001"},
			{"exactly max", 200, 0, 200, 200, "Pegawai 001"},
			{"capped", 201, 0, 200, 200, "Pegawai 001"},
			{"capped huge", 1 << 30, 5, 200, 200, "Pegawai 006"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				es, page, err := s.ListEmployees(ctx, admin, directory.EmployeeFilter{Limit: tt.limit, Offset: tt.offset})
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != n || page.Limit != tt.wantLimit || page.Offset != tt.offset || len(es) != tt.wantRows {
					t.Errorf("page = %+v with %d rows, want total %d limit %d offset %d, %d rows",
						page, len(es), n, tt.wantLimit, tt.offset, tt.wantRows)
				}
				if len(es) > 0 && es[0].Name != tt.wantFirst {
					t.Errorf("first = %q, want %q", es[0].Name, tt.wantFirst)
				}
				for i := 1; i < len(es); i++ {
					if es[i-1].Name >= es[i].Name {
						t.Fatalf("not ordered by name: %q before %q", es[i-1].Name, es[i].Name)
					}
				}
			})
		}
		t.Run("search total counts all matches", func(t *testing.T) {
			es, page, err := s.ListEmployees(ctx, admin, directory.EmployeeFilter{Q: "pegawai 1", Limit: 5})
			if err != nil || page.Total != 100 || len(es) != 5 || es[0].Name != "Pegawai 100" {
				t.Errorf("search = %d rows %+v, %v; want 5 of 100 from Pegawai 100", len(es), page, err)
			}
		})
		for _, off := range []int{-1, -100} {
			t.Run(fmt.Sprintf("offset %d", off), func(t *testing.T) {
				_, _, err := s.ListEmployees(ctx, admin, directory.EmployeeFilter{Offset: off})
				wantCode(t, err, apperr.CodeInvalid, "Offset tidak boleh negatif")
			})
		}
	})
}
