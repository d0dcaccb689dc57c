package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/pem"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sertika/sertika/internal/config"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/internal/testdb"
	"github.com/sertika/sertika/issuer"
)

// keysCLI runs sertika commands against one data directory (and, for PostgreSQL, one
// database), with an environment of its own.
type keysCLI struct {
	t       *testing.T
	dir     string
	dbURL   string
	env     map[string]string
	outputs []string // everything printed, to check no private key material ever is
}

func newKeysCLI(t *testing.T, dialect string) *keysCLI {
	c := &keysCLI{t: t, dir: t.TempDir(), env: map[string]string{}}
	if dialect == database.Postgres {
		c.dbURL = testdb.URL(t, dialect)
	}
	return c
}

// run runs "sertika args… --data-dir DIR [--database-url URL]" and returns the exit status
// and both outputs.
func (c *keysCLI) run(args ...string) (int, string, string) {
	c.t.Helper()
	args = append(args, "--data-dir", c.dir)
	if c.dbURL != "" {
		args = append(args, "--database-url", c.dbURL)
	}
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return c.env[k] }}
	code := run(context.Background(), args, e)
	c.outputs = append(c.outputs, out.String(), errb.String())
	return code, out.String(), errb.String()
}

func (c *keysCLI) mustRun(args ...string) string {
	c.t.Helper()
	code, out, errOut := c.run(args...)
	if code != 0 {
		c.t.Fatalf("sertika %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func (c *keysCLI) db() *database.DB {
	c.t.Helper()
	u := c.dbURL
	if u == "" {
		u = database.SQLiteURL(c.dir)
	}
	db, err := database.Open(context.Background(), u, database.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { db.Close() })
	return db
}

var createdRE = regexp.MustCompile(`Created signing key ([A-Z2-7]{8}) in (\S+) \(back this directory up; the private key never enters the database\)`)

func createdKID(t *testing.T, out string) string {
	t.Helper()
	m := createdRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no \"Created signing key\" line in:\n%s", out)
	}
	return m[1]
}

// listRows parses "keys list": kid → its columns.
func listRows(t *testing.T, out string) map[string][]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if got := strings.Fields(lines[0]); strings.Join(got, " ") != "KID STATE VALID-FROM RETIRED COMPROMISED FILE" {
		t.Fatalf("list header %q", lines[0])
	}
	rows := map[string][]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		rows[f[0]] = f
	}
	return rows
}

func TestKeysCommand(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			c := newKeysCLI(t, dialect)
			keysDir := filepath.Join(c.dir, "keys")

			code, out, errOut := c.run("keys", "list")
			if code != 0 || len(listRows(t, out)) != 0 || !strings.Contains(errOut, "No signing keys yet") {
				t.Fatalf("empty list: exit %d\n%s%s", code, out, errOut)
			}

			var kid1, kid2 string
			t.Run("generate", func(t *testing.T) {
				code, out, errOut := c.run("keys", "generate")
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				kid1 = createdKID(t, out)
				if m := createdRE.FindStringSubmatch(out); m[2] != keysDir {
					t.Errorf("directory %s, want %s", m[2], keysDir)
				}
				if !strings.Contains(errOut, "not encrypted") {
					t.Errorf("stderr %q: want a note that the file is not encrypted", errOut)
				}
				path := filepath.Join(keysDir, "signing-"+kid1+".pem")
				st, err := os.Stat(path)
				if err != nil || st.Mode().Perm() != 0o600 {
					t.Fatalf("key file: %v %v", st, err)
				}
				raw, _ := os.ReadFile(path)
				if b, _ := pem.Decode(raw); b == nil || b.Type != "PRIVATE KEY" {
					t.Errorf("PEM %+v", b)
				}
			})
			t.Run("list shows the kid", func(t *testing.T) {
				rows := listRows(t, c.mustRun("keys", "list"))
				r := rows[kid1]
				if len(rows) != 1 || r == nil || r[1] != "active" || r[3] != "-" || r[4] != "-" ||
					r[5] != filepath.Join(keysDir, "signing-"+kid1+".pem") {
					t.Errorf("rows %v", rows)
				}
				if _, err := time.Parse(time.RFC3339, r[2]); err != nil {
					t.Errorf("valid-from %q", r[2])
				}
			})
			t.Run("generate again refused", func(t *testing.T) {
				code, _, errOut := c.run("keys", "generate")
				if code != 1 || !strings.Contains(errOut, "already exists") || !strings.Contains(errOut, kid1) ||
					!strings.Contains(errOut, "sertika keys rotate") {
					t.Errorf("exit %d, stderr %q", code, errOut)
				}
				if files, _ := filepath.Glob(filepath.Join(keysDir, "*.pem")); len(files) != 1 {
					t.Errorf("files %v", files)
				}
			})
			t.Run("rotate", func(t *testing.T) {
				out := c.mustRun("keys", "rotate")
				kid2 = createdKID(t, out)
				if kid2 == kid1 || !strings.Contains(out, "Retired key "+kid1) {
					t.Errorf("rotate output:\n%s", out)
				}
				rows := listRows(t, c.mustRun("keys", "list"))
				if len(rows) != 2 || rows[kid2][1] != "active" || rows[kid1][1] != "retired" || rows[kid1][3] == "-" {
					t.Errorf("rows %v", rows)
				}
			})
			t.Run("retire", func(t *testing.T) {
				// Flags may follow the KID; a lower-case KID is accepted.
				out := c.mustRun("keys", "retire", strings.ToLower(kid2))
				if !strings.Contains(out, "Retired key "+kid2) || !strings.Contains(out, "No active signing key remains") {
					t.Errorf("retire output:\n%s", out)
				}
				if code, _, errOut := c.run("keys", "retire", kid2); code != 1 || !strings.Contains(errOut, "not active") {
					t.Errorf("retire twice: exit %d %q", code, errOut)
				}
				if code, _, errOut := c.run("keys", "retire", "NOSUCHKY"); code != 1 || !strings.Contains(errOut, "unknown key") {
					t.Errorf("retire unknown: exit %d %q", code, errOut)
				}
				if code, _, _ := c.run("keys", "retire"); code != 2 {
					t.Errorf("retire without KID: exit %d, want 2", code)
				}
			})
			t.Run("compromised", func(t *testing.T) {
				today := time.Now().In(wib).Format("2006-01-02")
				since, _ := time.ParseInLocation("2006-01-02", today, wib)
				out := c.mustRun("keys", "compromised", kid1, "--since", today)
				if !strings.Contains(out, "Key "+kid1+" marked compromised since "+since.UTC().Format(time.RFC3339)) {
					t.Errorf("output:\n%s", out)
				}
				rows := listRows(t, c.mustRun("keys", "list"))
				if rows[kid1][1] != "compromised" || rows[kid1][4] != since.UTC().Format(time.RFC3339) {
					t.Errorf("rows %v", rows)
				}
				later := since.Add(time.Minute).Format(time.RFC3339)
				if code, _, errOut := c.run("keys", "compromised", kid1, "--since", later); code != 1 || !strings.Contains(errOut, "only move that earlier") {
					t.Errorf("later date: exit %d %q", code, errOut)
				}
				tomorrow := time.Now().Add(48 * time.Hour).In(wib).Format("2006-01-02")
				if code, _, errOut := c.run("keys", "compromised", kid2, "--since", tomorrow); code != 1 || !strings.Contains(errOut, "future") {
					t.Errorf("future date: exit %d %q", code, errOut)
				}
				if code, _, errOut := c.run("keys", "compromised", kid1, "--since", "kemarin"); code != 2 || !strings.Contains(errOut, "--since") {
					t.Errorf("bad date: exit %d %q", code, errOut)
				}
				// Without --since the key's whole life is distrusted.
				out = c.mustRun("keys", "compromised", kid2)
				rows = listRows(t, c.mustRun("keys", "list"))
				if rows[kid2][1] != "compromised" || rows[kid2][4] != rows[kid2][2] {
					t.Errorf("compromised without --since: rows %v\n%s", rows, out)
				}
			})
			t.Run("events in the issuance log", func(t *testing.T) {
				var entries []issuer.LogEntry
				if err := c.db().Gorm.Order("id").Find(&entries).Error; err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range entries {
					if e.Username != "system" || e.UserID != nil {
						t.Errorf("entry by %q (%v), want the system actor", e.Username, e.UserID)
					}
					got = append(got, e.Action+" "+strings.TrimPrefix(e.Object, "key:"))
				}
				want := []string{"key.generate " + kid1, "key.retire " + kid1, "key.generate " + kid2, "key.retire " + kid2,
					"key.compromised " + kid1, "key.compromised " + kid2}
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("log %v, want %v", got, want)
				}
			})
			t.Run("audit verify", func(t *testing.T) {
				code, out, errOut := c.run("audit", "verify")
				if code != 0 || strings.TrimSpace(out) != "issuance log: 6 entries, chain intact" {
					t.Fatalf("exit %d\n%s%s", code, out, errOut)
				}
				db := c.db()
				if db.Dialect == database.Postgres {
					mustExec(t, db, "DROP TRIGGER issuance_log_append_only ON issuance_log")
				} else {
					mustExec(t, db, "DROP TRIGGER issuance_log_no_update")
				}
				var third int64
				db.Gorm.Raw("SELECT id FROM issuance_log ORDER BY id LIMIT 1 OFFSET 2").Scan(&third)
				mustExec(t, db, "UPDATE issuance_log SET detail = 'diubah' WHERE id = ?", third)
				code, out, errOut = c.run("audit", "verify")
				if code != 1 || !strings.Contains(out, "chain BROKEN at entry "+itoa(third)) || !strings.Contains(out, "2 entries before it verified") ||
					!strings.Contains(errOut, "broken") {
					t.Errorf("tampered: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
				}
			})
			t.Run("no private key material printed", func(t *testing.T) {
				files, _ := filepath.Glob(filepath.Join(keysDir, "*.pem"))
				for _, f := range files {
					raw, _ := os.ReadFile(f)
					b, _ := pem.Decode(raw)
					priv, err := keys.ReadPrivateKey(f, nil)
					if err != nil {
						t.Fatal(err)
					}
					for _, o := range c.outputs {
						for _, secret := range []string{base64.StdEncoding.EncodeToString(b.Bytes)[:40],
							base64.RawURLEncoding.EncodeToString(priv.Seed()), base64.StdEncoding.EncodeToString(priv.Seed())[:40], "PRIVATE KEY-----"} {
							if strings.Contains(o, secret) {
								t.Errorf("output holds private key material of %s", filepath.Base(f))
							}
						}
					}
				}
			})
		})
	}
}

func mustExec(t *testing.T, db *database.DB, sql string, args ...any) {
	t.Helper()
	if err := db.Gorm.Exec(sql, args...).Error; err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestKeysCommandPassphrase(t *testing.T) {
	const pass = "frasa sandi kunci penandatangan"
	for _, tc := range []struct {
		name string
		env  func(t *testing.T) map[string]string
	}{
		{"SERTIKA_KEY_PASSPHRASE", func(t *testing.T) map[string]string { return map[string]string{"SERTIKA_KEY_PASSPHRASE": pass} }},
		{"SERTIKA_KEY_PASSPHRASE_FILE", func(t *testing.T) map[string]string {
			p := filepath.Join(t.TempDir(), "passphrase")
			if err := os.WriteFile(p, []byte(pass+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return map[string]string{"SERTIKA_KEY_PASSPHRASE_FILE": p}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newKeysCLI(t, database.SQLite)
			c.env = tc.env(t)
			code, out, errOut := c.run("keys", "generate")
			if code != 0 || strings.Contains(errOut, "not encrypted") {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			kid := createdKID(t, out)
			path := filepath.Join(c.dir, "keys", "signing-"+kid+".pem")
			raw, _ := os.ReadFile(path)
			if b, _ := pem.Decode(raw); b == nil || b.Type != "ENCRYPTED PRIVATE KEY" {
				t.Fatalf("PEM %+v", b)
			}
			if _, err := keys.ReadPrivateKey(path, nil); err == nil {
				t.Error("encrypted key read without the passphrase")
			}
			if _, err := keys.ReadPrivateKey(path, []byte(pass)); err != nil {
				t.Errorf("read with the passphrase (the file's newline trimmed): %v", err)
			}
			// Rotation encrypts the new file too.
			kid2 := createdKID(t, c.mustRun("keys", "rotate"))
			raw, _ = os.ReadFile(filepath.Join(c.dir, "keys", "signing-"+kid2+".pem"))
			if b, _ := pem.Decode(raw); b == nil || b.Type != "ENCRYPTED PRIVATE KEY" {
				t.Errorf("rotated PEM %+v", b)
			}
		})
	}
}

func TestKeysCommandUsage(t *testing.T) {
	c := newKeysCLI(t, database.SQLite)
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	if code := run(context.Background(), []string{"keys", "--help"}, e); code != 0 || !strings.Contains(out.String(), "sertika keys rotate") ||
		!strings.Contains(out.String(), "SERTIKA_KEY_PASSPHRASE") {
		t.Errorf("keys --help: exit %d\n%s", code, out.String())
	}
	for _, args := range [][]string{{"keys"}, {"keys", "frobnicate"}, {"audit"}, {"audit", "repair"}} {
		out.Reset()
		errb.Reset()
		if code := run(context.Background(), args, e); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, _ := c.run("keys", "generate", "extra"); code != 2 {
		t.Errorf("generate with an argument: exit %d, want 2", code)
	}
	out.Reset()
	if code := run(context.Background(), []string{"keys", "compromised", "--help"}, e); code != 0 || !strings.Contains(out.String(), "-since") {
		t.Errorf("compromised --help: exit %d\n%s", code, out.String())
	}
	if code, outS, errS := c.run("audit", "verify"); code != 0 || strings.TrimSpace(outS) != "issuance log: 0 entries, chain intact" {
		t.Errorf("audit on a fresh data directory: exit %d %q %q", code, outS, errS)
	}
}

func TestParseSince(t *testing.T) {
	for in, want := range map[string]string{
		"2026-03-01":                "2026-02-28T17:00:00Z",
		"2026-03-01T08:30:00+07:00": "2026-03-01T01:30:00Z",
		"2026-03-01T01:30:00Z":      "2026-03-01T01:30:00Z",
	} {
		got, err := parseSince(in)
		if err != nil || got.UTC().Format(time.RFC3339) != want {
			t.Errorf("parseSince(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "01-03-2026", "2026-13-01", "kemarin"} {
		if _, err := parseSince(in); err == nil {
			t.Errorf("parseSince(%q) accepted", in)
		}
	}
}

// TestServeKeyBootstrap checks what serve does after its migrations: a first start creates
// a key and says where; later starts keep it.
func TestServeKeyBootstrap(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := testdb.New(t, dialect)
			cfg := &config.Config{DataDir: t.TempDir(), PublicURL: "http://localhost:8080"}
			svc, err := newServices(cfg, db)
			if err != nil {
				t.Fatal(err)
			}
			if svc.keys == nil || svc.issuance == nil {
				t.Fatal("services lack keys or issuance")
			}
			var errb bytes.Buffer
			e := &env{stdout: io.Discard, stderr: &errb, getenv: func(string) string { return "" }}
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			if err := ensureSigningKey(context.Background(), e, cfg, db, svc.keys, quiet); err != nil {
				t.Fatal(err)
			}
			kid := createdKID(t, errb.String())
			if !strings.Contains(errb.String(), " in "+cfg.KeysDir()+" ") {
				t.Errorf("stderr %q", errb.String())
			}
			errb.Reset()
			if err := ensureSigningKey(context.Background(), e, cfg, db, svc.keys, quiet); err != nil || errb.Len() != 0 {
				t.Errorf("second start: %v %q", err, errb.String())
			}
			list, _ := svc.keys.List(context.Background())
			if len(list) != 1 || list[0].KID != kid {
				t.Errorf("keys %+v", list)
			}
			if n, brk, err := issuer.VerifyLog(context.Background(), db); n != 1 || brk != nil || err != nil {
				t.Errorf("log %d %+v %v", n, brk, err)
			}

			t.Run("key file override without a key", func(t *testing.T) {
				db := testdb.New(t, dialect)
				cfg := &config.Config{DataDir: t.TempDir(), SigningKeyFile: filepath.Join(t.TempDir(), "secret.pem")}
				var logb bytes.Buffer
				errb.Reset()
				err := ensureSigningKey(context.Background(), e, cfg, db, newKeyStore(cfg, db), slog.New(slog.NewTextHandler(&logb, nil)))
				if err != nil || errb.Len() != 0 || !strings.Contains(logb.String(), "SERTIKA_SIGNING_KEY_FILE") {
					t.Errorf("err %v, stderr %q, log %q", err, errb.String(), logb.String())
				}
				if list, _ := newKeyStore(cfg, db).List(context.Background()); len(list) != 0 {
					t.Errorf("a key was generated that the file does not hold: %+v", list)
				}
			})
		})
	}
}
