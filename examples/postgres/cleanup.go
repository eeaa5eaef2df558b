package main

import (
	"context"
	"log/slog"
	"time"
)

// cleaner deletes processed event IDs past their retention.
type cleaner interface {
	Cleanup(ctx context.Context) (int64, error)
}

// cleanEvery calls store.Cleanup once per interval until ctx is done, and
// logs each result. Every copy of the app may run it: concurrent cleanups
// are safe.
func cleanEvery(ctx context.Context, store cleaner, interval time.Duration, logger *slog.Logger) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()

	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			cleanOnce(ctx, store, logger)
		}
	}
}

func cleanOnce(ctx context.Context, store cleaner, logger *slog.Logger) {
	deleted, err := store.Cleanup(ctx)
	if err != nil {
		logger.LogAttrs(ctx, slog.LevelError, "cleanup of processed event IDs failed; retrying at the next interval",
			slog.String("error", err.Error()))
		return
	}
	logger.LogAttrs(ctx, slog.LevelInfo, "cleanup of processed event IDs done", slog.Int64("deleted", deleted))
}
