package verifier

import (
	"os/exec"
	"strings"
	"testing"
)

// TestVerifierImports keeps the verifier runnable with public keys only: neither it nor
// anything it imports may reach the issuer, the web layer, the key store (private keys) or a
// database. The command-line verifier works offline because of this; the architecture guide
// (§2) names the rule.
func TestVerifierImports(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(goBin, "list", "-deps", "github.com/sertika/sertika/verifier").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	forbidden := []struct{ prefix, why string }{
		{"github.com/sertika/sertika/issuer", "the issuer owns the database and the signing keys"},
		{"github.com/sertika/sertika/web", "the web layer sits on top of the verifier"},
		{"github.com/sertika/sertika/scoring", "scoring reads the database"},
		{"github.com/sertika/sertika/internal/keys", "the key store holds private keys"},
		{"github.com/sertika/sertika/internal/database", "the verifier runs without a database"},
		{"gorm.io/", "the verifier runs without a database"},
		{"github.com/glebarez/", "SQLite driver"},
		{"modernc.org/sqlite", "SQLite driver"},
		{"github.com/jackc/", "PostgreSQL driver"},
		{"github.com/lib/pq", "PostgreSQL driver"},
		{"github.com/mattn/go-sqlite3", "SQLite driver"},
	}
	seen := map[string]bool{}
	for _, d := range deps {
		seen[d] = true
		for _, f := range forbidden {
			if d == strings.TrimSuffix(f.prefix, "/") || strings.HasPrefix(d, f.prefix) {
				t.Errorf("verifier depends on %s: %s", d, f.why)
			}
		}
		// database/sql itself means a database; its driver interfaces (database/sql/driver,
		// which domain.Date implements) do not.
		if d == "database/sql" {
			t.Error("verifier depends on database/sql: it must run without a database")
		}
	}
	if !seen["github.com/sertika/sertika/verifier"] || !seen["crypto/ed25519"] {
		t.Fatalf("go list -deps gave an unexpected list: %v", deps)
	}
}
