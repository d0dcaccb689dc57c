package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/sertika/sertika/internal/account"
	"github.com/sertika/sertika/internal/config"
	"github.com/sertika/sertika/internal/database"
	"github.com/sertika/sertika/internal/directory"
	"github.com/sertika/sertika/internal/document"
	"github.com/sertika/sertika/internal/filestore"
	"github.com/sertika/sertika/internal/keys"
	"github.com/sertika/sertika/issuer"
	"github.com/sertika/sertika/scoring"
	"github.com/sertika/sertika/web"
)

func init() {
	register(command{name: "serve", summary: "run the web server (applies pending migrations first)", run: runServe})
}

// services are the application services wired on one database.
type services struct {
	db        *database.DB
	accounts  *account.Service
	directory *directory.Service
	requests  *issuer.Service
	keys      *keys.Store
	issuance  *issuer.Issuance
	scoring   *scoring.Store
}

func newServices(cfg *config.Config, db *database.DB) (*services, error) {
	secret, err := account.LoadSecret(cfg.JWTSecret, cfg.KeysDir())
	if err != nil {
		return nil, fmt.Errorf("JWT secret: %w", err)
	}
	acc, err := account.New(db, account.Options{JWTSecret: secret})
	if err != nil {
		return nil, err
	}
	files, err := filestore.New(cfg.UploadsDir())
	if err != nil {
		return nil, fmt.Errorf("uploads directory: %w", err)
	}
	req := issuer.New(db, files, issuer.Options{MaxAttachmentBytes: int64(cfg.MaxAttachmentBytes)})
	ks := newKeyStore(cfg, db)
	iss, err := newIssuance(cfg, db, ks, nil)
	if err != nil {
		return nil, err
	}
	st, err := newScoreStore(cfg, db)
	if err != nil {
		return nil, err
	}
	return &services{db: db, accounts: acc, directory: directory.New(db), requests: req, keys: ks,
		issuance: iss,
		// Evidence of external training records shares the uploads directory and the
		// attachment size limit with the workflow's attachments.
		scoring: st.WithEvidence(files, scoring.ExternalOptions{MaxEvidenceBytes: int64(cfg.MaxAttachmentBytes)})}, nil
}

func newLogger(e *env, cfg *config.Config) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "serve", "serve [flags]", `
Run Sertika's web server: the pages in Bahasa Indonesia, the JSON API under /api/v1, and
/healthz and /readyz for operators. Pending database migrations are applied first. The
server stops gracefully on SIGINT or SIGTERM, finishing requests in flight.

With --demo on an empty database, a realistic demo agency (OPDs, employees and one account
per role) is seeded first and the demo accounts are printed.`)
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	cfg.RegisterServeFlags(fs)
	demo := fs.Bool("demo", false, "seed a demo agency and demo accounts into an empty database")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if err := cfg.Finish(); err != nil {
		return err
	}
	log := newLogger(e, cfg)
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{Logger: log})
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		log.Info("applied migrations", "versions", applied)
	}
	svc, err := newServices(cfg, db)
	if err != nil {
		return err
	}
	// The server's issuance logs through the server's logger (newServices has none).
	if svc.issuance, err = newIssuance(cfg, db, svc.keys, log); err != nil {
		return err
	}
	if err := ensureSigningKey(ctx, e, cfg, db, svc.keys, log); err != nil {
		return err
	}
	if *demo {
		if err := seedDemo(ctx, e, svc); err != nil {
			return err
		}
	}
	renderer, err := document.NewCertificateRenderer()
	if err != nil {
		return fmt.Errorf("certificate renderer: %w", err)
	}
	srv, err := web.New(web.Deps{DB: db, Accounts: svc.accounts, Directory: svc.directory, Requests: svc.requests,
		Issuance: svc.issuance, Keys: svc.keys, Certificates: renderer, Scoring: svc.scoring, Logger: log,
		PublicURL: cfg.PublicURL, SecureCookies: cfg.SecureCookies, MaxUploadBytes: cfg.MaxUploadBytes, Version: Version,
		TrustedProxies: cfg.TrustedProxyPrefixes})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("sertika listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL,
		"database", db.Dialect, "data_dir", cfg.DataDir, "version", Version, "trusted_proxies", cfg.TrustedProxyPrefixes)
	if db.Dialect == database.SQLite {
		fmt.Fprintf(e.stderr, "Sertika berjalan di %s (SQLite: %s)\n", cfg.PublicURL, database.Redact(cfg.DatabaseURL))
	} else {
		fmt.Fprintf(e.stderr, "Sertika berjalan di %s (PostgreSQL)\n", cfg.PublicURL)
	}
	if e.ready != nil {
		e.ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.App.Listener(ln) }()
	select {
	case err := <-errc:
		if err != nil && !errors.Is(err, net.ErrClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	<-errc
	log.Info("stopped")
	return nil
}
