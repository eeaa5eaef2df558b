package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"SerializationFailure", &pgconn.PgError{Code: "40001"}, true},
		{"Deadlock", &pgconn.PgError{Code: "40P01"}, true},
		{"Wrapped", fmt.Errorf("lock source sub_1: %w", &pgconn.PgError{Code: "40P01"}), true},
		{"UniqueViolation", &pgconn.PgError{Code: "23505"}, false},
		{"Canceled", context.Canceled, false},
		{"Nil", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := retryable(tc.err); got != tc.want {
				t.Errorf("retryable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestRetry(t *testing.T) {
	deadlock := &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}
	other := errors.New("connection refused")
	tests := []struct {
		name         string
		maxRetries   int
		failures     []error // returned by the first calls, then nil
		wantCalls    int
		wantErr      error
		wantRetryLog int
	}{
		{"Success", 3, nil, 1, nil, 0},
		{"RetriedThenSuccess", 3, []error{deadlock, deadlock}, 3, nil, 2},
		{"GivesUp", 2, []error{deadlock, deadlock, deadlock, deadlock}, 3, deadlock, 2},
		{"OtherErrorNotRetried", 3, []error{other}, 1, other, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &countingHandler{}
			s := &Store{maxRetries: tc.maxRetries, logger: slog.New(logs)}
			calls := 0
			err := s.retry(context.Background(), "test", func() error {
				calls++
				if calls <= len(tc.failures) {
					return tc.failures[calls-1]
				}
				return nil
			})
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("retry: error %v, want %v", err, tc.wantErr)
			}
			if calls != tc.wantCalls {
				t.Errorf("retry called fn %d times, want %d", calls, tc.wantCalls)
			}
			if got := logs.n.Load(); got != int64(tc.wantRetryLog) {
				t.Errorf("retry logged %d lines, want one per retry: %d", got, tc.wantRetryLog)
			}
		})
	}
}

// A context that ends during the pause stops the retries.
func TestRetryStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Store{maxRetries: 100, logger: slog.New(slog.DiscardHandler)}
	calls := 0
	err := s.retry(ctx, "test", func() error {
		calls++
		cancel()
		return &pgconn.PgError{Code: "40001"}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("retry after cancel: error %v, want one matching context.Canceled", err)
	}
	if calls != 1 {
		t.Errorf("retry called fn %d times after the context ended, want 1", calls)
	}
}

func TestRetryPauseBounds(t *testing.T) {
	for attempt := range 20 {
		upper := min(retryPauseBase<<min(attempt, 10), retryPauseMax)
		for range 50 {
			p := retryPause(attempt)
			if p < retryPauseBase/2 || p >= retryPauseBase/2+upper {
				t.Fatalf("retryPause(%d) = %s, want within [%s, %s)", attempt, p, retryPauseBase/2, retryPauseBase/2+upper)
			}
		}
	}
}

// countingHandler is a slog.Handler that counts the records it receives.
// It is safe for concurrent use.
type countingHandler struct{ n atomic.Int64 }

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(context.Context, slog.Record) error {
	h.n.Add(1)
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }
