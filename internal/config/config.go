// Package config reads Sertika's configuration: environment variables first, command-line
// flags as overrides, and secrets optionally from files named by *_FILE variables. The
// defaults give a working system on a laptop with no setup: SQLite under ./data, port 8080.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/sertika/sertika/internal/database"
)

// Config is the resolved configuration.
type Config struct {
	Addr        string // SERTIKA_ADDR, listen address
	DataDir     string // SERTIKA_DATA_DIR: SQLite file, keys, uploads
	DatabaseURL string // DATABASE_URL; empty means SQLite in DataDir
	PublicURL   string // SERTIKA_PUBLIC_URL, base URL printed into QR codes
	LogLevel    string // SERTIKA_LOG_LEVEL: debug, info, warn, error
	LogFormat   string // SERTIKA_LOG_FORMAT: text or json
	// SecureCookies marks session cookies Secure (SERTIKA_SECURE_COOKIES); defaults to true
	// when PublicURL is https.
	SecureCookies bool
	// JWTSecret signs API bearer tokens (SERTIKA_JWT_SECRET or SERTIKA_JWT_SECRET_FILE). When
	// empty, a random secret is generated once and kept in DataDir/keys/jwt.secret.
	JWTSecret string
	// MaxUploadBytes limits request bodies and uploaded files (SERTIKA_MAX_UPLOAD_MB).
	MaxUploadBytes int
	// MaxAttachmentBytes limits one attachment of a request (SERTIKA_MAX_ATTACHMENT_MB).
	MaxAttachmentBytes int
	// KeyPassphrase encrypts new signing key files and decrypts existing ones
	// (SERTIKA_KEY_PASSPHRASE or SERTIKA_KEY_PASSPHRASE_FILE); empty leaves them unencrypted.
	KeyPassphrase string
	// SigningKeyFile, when set, is the PEM file the active key is read from instead of
	// KeysDir()/signing-KID.pem (SERTIKA_SIGNING_KEY_FILE), e.g. a mounted secret.
	SigningKeyFile string
	// TrustedProxies is the comma-separated list of IP addresses and CIDR ranges of the
	// reverse proxies whose X-Forwarded-For header is believed (SERTIKA_TRUSTED_PROXIES);
	// empty: none, the connection's address is the client's. Finish parses it into
	// TrustedProxyPrefixes.
	TrustedProxies       string
	TrustedProxyPrefixes []netip.Prefix
	// RuleSet is the IP ASN rule set to score with (SERTIKA_RULE_SET): empty for the default
	// (perban-8-2019), an embedded id (bkn-2024), or the path of an administrator's rule set
	// file; scoring.Resolve reads and validates it.
	RuleSet string
}

// Getenv is the environment lookup; tests replace it.
type Getenv func(string) string

// lookup returns the value of NAME, or the trimmed content of the file named by NAME_FILE.
func lookup(getenv Getenv, name string) (string, error) {
	if v := getenv(name); v != "" {
		return v, nil
	}
	if f := getenv(name + "_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// FromEnv reads the configuration from the environment and applies defaults.
func FromEnv(getenv Getenv) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Config{Addr: ":8080", DataDir: "./data", LogLevel: "info", LogFormat: "text", MaxUploadBytes: 20 << 20, MaxAttachmentBytes: 10 << 20}
	var errs []error
	get := func(name string, dst *string) {
		v, err := lookup(getenv, name)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if v != "" {
			*dst = v
		}
	}
	get("SERTIKA_ADDR", &c.Addr)
	get("SERTIKA_DATA_DIR", &c.DataDir)
	get("DATABASE_URL", &c.DatabaseURL)
	get("SERTIKA_PUBLIC_URL", &c.PublicURL)
	get("SERTIKA_LOG_LEVEL", &c.LogLevel)
	get("SERTIKA_LOG_FORMAT", &c.LogFormat)
	get("SERTIKA_JWT_SECRET", &c.JWTSecret)
	get("SERTIKA_KEY_PASSPHRASE", &c.KeyPassphrase)
	get("SERTIKA_TRUSTED_PROXIES", &c.TrustedProxies)
	if v := getenv("SERTIKA_RULE_SET"); v != "" { // an id or a path, not a secret: no _FILE form
		c.RuleSet = v
	}
	if v := getenv("SERTIKA_SIGNING_KEY_FILE"); v != "" { // a path, not a secret: no _FILE form
		c.SigningKeyFile = v
	}
	var secure, maxMB, maxAttMB string
	get("SERTIKA_SECURE_COOKIES", &secure)
	get("SERTIKA_MAX_UPLOAD_MB", &maxMB)
	get("SERTIKA_MAX_ATTACHMENT_MB", &maxAttMB)
	if secure != "" {
		c.SecureCookies = secure == "1" || strings.EqualFold(secure, "true")
	}
	if maxMB != "" {
		var n int
		if _, err := fmt.Sscanf(maxMB, "%d", &n); err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("SERTIKA_MAX_UPLOAD_MB: want a positive number of megabytes, got %q", maxMB))
		} else {
			c.MaxUploadBytes = n << 20
		}
	}
	if maxAttMB != "" {
		var n int
		if _, err := fmt.Sscanf(maxAttMB, "%d", &n); err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("SERTIKA_MAX_ATTACHMENT_MB: want a positive number of megabytes, got %q", maxAttMB))
		} else {
			c.MaxAttachmentBytes = n << 20
		}
	}
	return c, errors.Join(errs...)
}

// RegisterFlags binds the common flags (overrides of the environment) to c.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory: SQLite file, keys, uploads (env SERTIKA_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "postgres:// URL; empty uses SQLite in the data directory (env DATABASE_URL)")
	fs.StringVar(&c.RuleSet, "rule-set", c.RuleSet, "IP ASN rule set: perban-8-2019 (default), bkn-2024, or a rule set file (env SERTIKA_RULE_SET)")
}

// RegisterServeFlags binds the flags only `serve` needs.
func (c *Config) RegisterServeFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (env SERTIKA_ADDR)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "base URL printed into QR codes (env SERTIKA_PUBLIC_URL; default derived from --addr)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (env SERTIKA_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (env SERTIKA_LOG_FORMAT)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", c.TrustedProxies,
		"comma-separated IP addresses and CIDR ranges of reverse proxies whose X-Forwarded-For is believed (env SERTIKA_TRUSTED_PROXIES; default none)")
}

// Finish validates c after flags are parsed and fills derived values.
func (c *Config) Finish() error {
	if c.DataDir == "" {
		return errors.New("data directory must not be empty")
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = database.SQLiteURL(c.DataDir)
	} else if !database.IsPostgresURL(c.DatabaseURL) && !strings.HasPrefix(c.DatabaseURL, "sqlite://") {
		return fmt.Errorf("DATABASE_URL must start with postgres://, postgresql:// or sqlite://")
	}
	if c.PublicURL == "" {
		c.PublicURL = DerivePublicURL(c.Addr)
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("SERTIKA_PUBLIC_URL must be an absolute http(s) URL, got %q", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if u.Scheme == "https" {
		c.SecureCookies = true
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log format must be text or json, got %q", c.LogFormat)
	}
	proxies, err := ParseTrustedProxies(c.TrustedProxies)
	if err != nil {
		return err
	}
	c.TrustedProxyPrefixes = proxies
	return nil
}

// ParseTrustedProxies parses SERTIKA_TRUSTED_PROXIES: IP addresses ("127.0.0.1", "::1",
// each taken as a range of one) and CIDR ranges ("10.0.0.0/8"), separated by commas, spaces
// around them ignored. An empty list trusts no proxy. A range of every address ("/0") is
// refused: it would let any client choose its own address.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, entry := range strings.Split(list, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		var p netip.Prefix
		if strings.Contains(entry, "/") {
			pp, err := netip.ParsePrefix(entry)
			if err != nil {
				return nil, fmt.Errorf("SERTIKA_TRUSTED_PROXIES: %q is not an IP address or CIDR range (such as 10.0.0.0/8)", entry)
			}
			p = pp
			if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 { // ::ffff:10.0.0.0/104 is 10.0.0.0/8
				p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
			}
		} else {
			a, err := netip.ParseAddr(entry)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("SERTIKA_TRUSTED_PROXIES: %q is not an IP address or CIDR range (such as 10.0.0.0/8)", entry)
			}
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Bits() == 0 {
			return nil, fmt.Errorf("SERTIKA_TRUSTED_PROXIES: %q trusts every address, so any client could choose its own; name the proxies' addresses", entry)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// DerivePublicURL turns a listen address into a base URL: ":8080" → "http://localhost:8080".
func DerivePublicURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// KeysDir is where signing keys and other secrets live.
func (c Config) KeysDir() string { return filepath.Join(c.DataDir, "keys") }

// UploadsDir is where uploaded files are stored by content hash.
func (c Config) UploadsDir() string { return filepath.Join(c.DataDir, "uploads") }
