// Command basic is a small web app that sells access to one page, /pro,
// with stripegate and an in-memory store. It is the quick start of the
// stripegate README: run it, sign in, send it signed Stripe events with
// `stripegate send`, and watch /pro change from 402 to 200.
//
// Environment:
//
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

	"github.com/stripegate/stripegate/memstore"
	"github.com/stripegate/stripegate/stripegatetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, os.Getenv, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "basic:", err)
		os.Exit(1)
	}
}

// config is the app's configuration, read from the environment.
type config struct {
	addr     string
	secrets  []string
	livemode bool
}

// loadConfig reads the environment. generated reports whether the secret
// was generated because STRIPE_WEBHOOK_SECRET was unset.
func loadConfig(getenv func(string) string) (cfg config, generated bool) {
	cfg.addr = getenv("ADDR")
	if cfg.addr == "" {
		cfg.addr = "localhost:4242"
	}
	cfg.livemode = getenv("STRIPE_LIVEMODE") == "true"

	for _, s := range strings.Split(getenv("STRIPE_WEBHOOK_SECRET"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.secrets = append(cfg.secrets, s)
		}
	}
	if len(cfg.secrets) == 0 {
		cfg.secrets = []string{stripegatetest.NewSecret()}
		generated = true
	}
	return cfg, generated
}

// run serves the app until ctx is done. ready, when not nil, receives the
// address the server listens on, once it accepts connections.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer, ready func(addr string)) error {
	cfg, generated := loadConfig(getenv)
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	handler, err := newApp(cfg, memstore.New(), logger)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}

	addr := listener.Addr().String()
	if generated {
		fmt.Fprintf(stdout, "STRIPE_WEBHOOK_SECRET was unset; generated a secret for this run:\n\n  export STRIPE_WEBHOOK_SECRET=%s\n\n", cfg.secrets[0])
	}
	fmt.Fprintf(stdout, "listening on http://%s (webhook: POST /webhook, %s mode)\n", addr, modeName(cfg.livemode))
	if ready != nil {
		ready(addr)
	}
	return serve(ctx, listener, handler)
}

// serve runs an HTTP server on listener until ctx is done, then shuts it
// down gracefully.
func serve(ctx context.Context, listener net.Listener, handler http.Handler) error {
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(listener) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func modeName(live bool) string {
	if live {
		return "live"
	}
	return "test"
}
