package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Finish(); err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" || c.PublicURL != "http://localhost:8080" ||
		!strings.HasPrefix(c.DatabaseURL, "sqlite://") || c.SecureCookies || c.MaxUploadBytes != 20<<20 {
		t.Errorf("defaults = %+v", c)
	}
}

func TestEnvFilesAndFlags(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("  file-secret-value-with-32-characters!!  \n"), 0o600)
	c, err := FromEnv(env(map[string]string{
		"SERTIKA_ADDR": "127.0.0.1:9000", "DATABASE_URL": "postgres://u@h/db", "SERTIKA_JWT_SECRET_FILE": secret,
		"SERTIKA_PUBLIC_URL": "https://sertika.example.go.id/", "SERTIKA_MAX_UPLOAD_MB": "5",
	}))
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	c.RegisterFlags(fs)
	c.RegisterServeFlags(fs)
	if err := fs.Parse([]string{"--addr", ":7000", "--data-dir", dir}); err != nil {
		t.Fatal(err)
	}
	if err := c.Finish(); err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":7000" || c.DataDir != dir || c.JWTSecret != "file-secret-value-with-32-characters!!" ||
		c.PublicURL != "https://sertika.example.go.id" || !c.SecureCookies || c.MaxUploadBytes != 5<<20 || c.DatabaseURL != "postgres://u@h/db" {
		t.Errorf("config = %+v", c)
	}
}

func TestBadValues(t *testing.T) {
	if _, err := FromEnv(env(map[string]string{"SERTIKA_MAX_UPLOAD_MB": "banyak"})); err == nil {
		t.Error("bad SERTIKA_MAX_UPLOAD_MB accepted")
	}
	if _, err := FromEnv(env(map[string]string{"SERTIKA_JWT_SECRET_FILE": "/tidak/ada"})); err == nil {
		t.Error("missing *_FILE accepted")
	}
	for name, c := range map[string]Config{
		"mysql url":  {DataDir: "d", DatabaseURL: "mysql://x", LogFormat: "text"},
		"public url": {DataDir: "d", PublicURL: "ftp://x", LogFormat: "text"},
		"log format": {DataDir: "d", LogFormat: "xml"},
		"data dir":   {LogFormat: "text"},
	} {
		if err := c.Finish(); err == nil {
			t.Errorf("%s: Finish accepted %+v", name, c)
		}
	}
}

func TestDerivePublicURL(t *testing.T) {
	for in, want := range map[string]string{":8080": "http://localhost:8080", "0.0.0.0:80": "http://localhost:80",
		"10.1.2.3:9000": "http://10.1.2.3:9000", "[::]:8080": "http://localhost:8080", "garbage": "http://localhost:8080"} {
		if got := DerivePublicURL(in); got != want {
			t.Errorf("DerivePublicURL(%q) = %q, want %q", in, got, want)
		}
	}
}
