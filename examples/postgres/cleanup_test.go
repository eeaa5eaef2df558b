package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// fakeCleaner returns a fixed result and counts its calls.
type fakeCleaner struct {
	deleted int64
	err     error
	calls   int
}

func (c *fakeCleaner) Cleanup(context.Context) (int64, error) {
	c.calls++
	return c.deleted, c.err
}

func TestCleanOnce(t *testing.T) {
	tests := []struct {
		name     string
		cleaner  *fakeCleaner
		wantLogs []string
	}{
		{"Deleted", &fakeCleaner{deleted: 3}, []string{"level=INFO", "deleted=3"}},
		{"Failed", &fakeCleaner{err: errors.New("pgstore: connection refused")}, []string{"level=ERROR", "connection refused", "next interval"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			cleanOnce(context.Background(), tc.cleaner, slog.New(slog.NewTextHandler(&logs, nil)))
			if tc.cleaner.calls != 1 {
				t.Errorf("Cleanup called %d times, want 1", tc.cleaner.calls)
			}
			for _, want := range tc.wantLogs {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("log %q lacks %q", logs.String(), want)
				}
			}
		})
	}
}

// cleanEvery returns once its context is done.
func TestCleanEveryStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	store := &fakeCleaner{}
	cleanEvery(ctx, store, cleanupInterval, slog.New(slog.DiscardHandler))
	if store.calls != 0 {
		t.Errorf("Cleanup called %d times with a context done before the first interval, want 0", store.calls)
	}
}
