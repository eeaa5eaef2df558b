// Command postgres is a small web app that sells access to one page, /pro,
// with stripegate and the PostgreSQL store, pgstore. Several copies may run
// at once on one database: a webhook that reaches one copy changes access
// on all of them.
//
// Environment:
//
//	DATABASE_URL           PostgreSQL connection string (default
//	                       postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
//	DATABASE_SCHEMA        schema for the store's tables (default public)
//	ADDR                   listen address (default localhost:4242)
//	STRIPE_WEBHOOK_SECRET  endpoint signing secret; a comma-separated list
//	                       is accepted during rotation. When unset, a new
//	                       secret is generated and printed, for local use.
//	STRIPE_LIVEMODE        "true" to act on live-mode events instead of
//	                       test-mode ones
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stripegate/stripegate/pgstore"
	"github.com/stripegate/stripegate/stripegatetest"
)

// defaultDatabaseURL is the local database of the repository's tests.
const defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// cleanupInterval is how often the app deletes processed event IDs past
// their retention.
const cleanupInterval = time.Hour

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, os.Getenv, os.Stdout, logger, nil); err != nil {
		fmt.Fprintln(os.Stderr, "postgres example:", err)
		os.Exit(1)
	}
}

// config is the app's configuration, read from the environment.
type config struct {
	databaseURL string
	schema      string
	addr        string
	secrets     []string
	livemode    bool
}

// readConfig reads the environment through getenv. secretGenerated reports
// that STRIPE_WEBHOOK_SECRET was unset and a new secret was made.
func readConfig(getenv func(string) string) (cfg config, secretGenerated bool) {
	cfg = config{
		databaseURL: orDefault(getenv("DATABASE_URL"), defaultDatabaseURL),
		schema:      getenv("DATABASE_SCHEMA"),
		addr:        orDefault(getenv("ADDR"), "localhost:4242"),
		livemode:    getenv("STRIPE_LIVEMODE") == "true",
	}

	for _, secret := range strings.Split(getenv("STRIPE_WEBHOOK_SECRET"), ",") {
		if secret = strings.TrimSpace(secret); secret != "" {
			cfg.secrets = append(cfg.secrets, secret)
		}
	}
	if len(cfg.secrets) == 0 {
		cfg.secrets = []string{stripegatetest.NewSecret()}
		secretGenerated = true
	}
	return cfg, secretGenerated
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}

// run connects to the database, creates the store's tables if needed and
// serves the app until ctx is done. listening, when not nil, is called with
// the server's address once it accepts connections.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer, logger *slog.Logger, listening func(addr string)) error {
	cfg, secretGenerated := readConfig(getenv)

	pool, err := pgxpool.New(ctx, cfg.databaseURL)
	if err != nil {
		// pgx masks the password in its parse errors, on a best-effort basis.
		return fmt.Errorf("invalid DATABASE_URL: %w", err)
	}
	defer pool.Close()

	store, err := pgstore.New(pool, pgstore.Config{Schema: cfg.schema, Logger: logger})
	if err != nil {
		return err
	}
	if err := store.Migrate(ctx); err != nil {
		return fmt.Errorf("prepare the database (is PostgreSQL running at DATABASE_URL?): %w", err)
	}

	handler, err := newApp(cfg, store, logger)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}

	if secretGenerated {
		fmt.Fprintf(stdout, "STRIPE_WEBHOOK_SECRET is not set, so this run uses a new secret:\n\n  export STRIPE_WEBHOOK_SECRET=%s\n\n", cfg.secrets[0])
	}
	fmt.Fprintf(stdout, "serving http://%s with tables in schema %q (webhook: POST /webhook, %s mode)\n",
		listener.Addr(), store.Schema(), modeName(cfg.livemode))
	if listening != nil {
		listening(listener.Addr().String())
	}

	go cleanEvery(ctx, store, cleanupInterval, logger)
	return serve(ctx, listener, handler)
}

func modeName(livemode bool) string {
	if livemode {
		return "live"
	}
	return "test"
}

// serve handles HTTP requests on listener until ctx is done, then lets the
// requests in progress finish, for up to five seconds.
func serve(ctx context.Context, listener net.Listener, handler http.Handler) error {
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down the server: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
