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
		"SERTIKA_RULE_SET": "bkn-2024",
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
	if c.RuleSet != "bkn-2024" {
		t.Errorf("rule set from the environment = %q", c.RuleSet)
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

func TestTrustedProxies(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "proxies")
	os.WriteFile(file, []byte("10.0.0.0/8, 192.0.2.7\n"), 0o600)
	for name, tc := range map[string]struct {
		env   map[string]string
		flags []string
		want  string
	}{
		"default: none":    {want: ""},
		"env":              {env: map[string]string{"SERTIKA_TRUSTED_PROXIES": " 127.0.0.1 , ::1,10.1.2.3/8,, ::ffff:192.0.2.1, 2001:db8::/32 ,"}, want: "127.0.0.1/32 ::1/128 10.0.0.0/8 192.0.2.1/32 2001:db8::/32"},
		"mapped range":     {env: map[string]string{"SERTIKA_TRUSTED_PROXIES": "::ffff:172.16.0.0/108"}, want: "172.16.0.0/12"},
		"file":             {env: map[string]string{"SERTIKA_TRUSTED_PROXIES_FILE": file}, want: "10.0.0.0/8 192.0.2.7/32"},
		"flag wins":        {env: map[string]string{"SERTIKA_TRUSTED_PROXIES": "10.0.0.1"}, flags: []string{"--trusted-proxies", "127.0.0.1"}, want: "127.0.0.1/32"},
		"flag empties env": {env: map[string]string{"SERTIKA_TRUSTED_PROXIES": "10.0.0.1"}, flags: []string{"--trusted-proxies="}, want: ""},
	} {
		c, err := FromEnv(env(tc.env))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		c.RegisterFlags(fs)
		c.RegisterServeFlags(fs)
		if err := fs.Parse(tc.flags); err != nil {
			t.Fatal(err)
		}
		if err := c.Finish(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, p := range c.TrustedProxyPrefixes {
			got = append(got, p.String())
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: trusted proxies %v, want %s", name, got, tc.want)
		}
	}
}

func TestTrustedProxiesInvalid(t *testing.T) {
	for _, bad := range []string{"10.0.0.300", "10.0.0.0/33", "proxy.example.go.id", "10.0.0.1-10.0.0.9", "fe80::1%eth0",
		"0.0.0.0/0", "::/0", "10.0.0.0/", "/8", "127.0.0.1:8080"} {
		c := Config{DataDir: "d", LogFormat: "text", TrustedProxies: "127.0.0.1, " + bad + ", ::1"}
		err := c.Finish()
		if err == nil {
			t.Errorf("%q accepted: %v", bad, c.TrustedProxyPrefixes)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "SERTIKA_TRUSTED_PROXIES") || !strings.Contains(msg, `"`+bad+`"`) {
			t.Errorf("%q: error %q does not name the variable and the entry", bad, msg)
		}
	}
}
