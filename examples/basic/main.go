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
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/stripegate/stripegate/examples/internal/demoapp"
	"github.com/stripegate/stripegate/memstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, os.Getenv, os.Stdout, logger, nil); err != nil {
		fmt.Fprintln(os.Stderr, "basic:", err)
		os.Exit(1)
	}
}

// run serves the app until ctx is done. listening, when not nil, is called
// with the server's address once it accepts connections.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer, logger *slog.Logger, listening func(addr string)) error {
	cfg := demoapp.ConfigFromEnv(getenv)
	handler, err := demoapp.New(cfg, memstore.New(), logger)
	if err != nil {
		return err
	}

	listener, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	demoapp.PrintStartup(stdout, cfg, listener.Addr().String(), "")
	if listening != nil {
		listening(listener.Addr().String())
	}
	return demoapp.Serve(ctx, listener, handler)
}
