package demoapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// PrintStartup prints where the app listens
// and, when it was generated, which webhook secret to export for
// `stripegate send`.
func PrintStartup(w io.Writer, cfg Config, addr, detail string) {
	if cfg.SecretGenerated {
		fmt.Fprintf(w, "STRIPE_WEBHOOK_SECRET is not set, so this run uses a new secret:\n\n  export STRIPE_WEBHOOK_SECRET=%s\n\n", cfg.Secrets[0])
	}
	fmt.Fprintf(w, "listening on http://%s%s (webhook: POST /webhook, %s mode)\n", addr, detail, cfg.ModeName())
}

// Serve handles HTTP requests on listener until ctx is done, then lets the
// requests in progress finish, for up to five seconds.
func Serve(ctx context.Context, listener net.Listener, handler http.Handler) error {
	// Read and idle timeouts end connections that send a body slowly or
	// sit open, so such clients cannot hold goroutines for good.
	server := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
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
