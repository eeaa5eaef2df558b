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
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stripegate/stripegate/examples/internal/demoapp"
	"github.com/stripegate/stripegate/pgstore"
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
	app         demoapp.Config
}

// readConfig reads the environment through getenv.
func readConfig(getenv func(string) string) config {
	cfg := config{
		databaseURL: getenv("DATABASE_URL"),
		schema:      getenv("DATABASE_SCHEMA"),
		app:         demoapp.ConfigFromEnv(getenv),
	}
	if cfg.databaseURL == "" {
		cfg.databaseURL = defaultDatabaseURL
	}
	return cfg
}

// run connects to the database, creates the store's tables if needed and
// serves the app until ctx is done. listening, when not nil, is called with
// the server's address once it accepts connections.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer, logger *slog.Logger, listening func(addr string)) error {
	cfg := readConfig(getenv)

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

	handler, err := demoapp.New(cfg.app, store, logger)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", cfg.app.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.app.Addr, err)
	}

	demoapp.PrintStartup(stdout, cfg.app, listener.Addr().String(), fmt.Sprintf(" with tables in schema %q", store.Schema()))
	if listening != nil {
		listening(listener.Addr().String())
	}

	go cleanEvery(ctx, store, cleanupInterval, logger)
	return demoapp.Serve(ctx, listener, handler)
}
