package pgstore

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE codes of the failures after which a transaction is run again.
const (
	sqlStateSerializationFailure = "40001"
	sqlStateDeadlockDetected     = "40P01"
)

// Bounds of the random pause before a retry. The upper bound doubles with
// each attempt, from retryPauseBase up to retryPauseMax.
const (
	retryPauseBase = 2 * time.Millisecond
	retryPauseMax  = 100 * time.Millisecond
)

// retryable reports whether err is a serialization failure or a deadlock,
// after which PostgreSQL has rolled the transaction back and running it
// again may succeed.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	return pgErr.Code == sqlStateSerializationFailure || pgErr.Code == sqlStateDeadlockDetected
}

// retry runs fn, and runs it again up to s.maxRetries times while it fails
// with a retryable error, pausing a random time before each retry. It
// returns fn's last error, or ctx's error if ctx ends during a pause. attrs
// identify the operation in the log line of each retry.
func (s *Store) retry(ctx context.Context, op string, fn func() error, attrs ...slog.Attr) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil || !retryable(err) || attempt >= s.maxRetries {
			return err
		}

		pause := retryPause(attempt)
		logAttrs := append([]slog.Attr{
			slog.String("operation", op),
			slog.Int("attempt", attempt+1),
			slog.Duration("pause", pause),
			slog.String("error", err.Error()),
		}, attrs...)
		s.logger.LogAttrs(ctx, slog.LevelDebug, "pgstore: retrying transaction", logAttrs...)

		if err := sleep(ctx, pause); err != nil {
			return err
		}
	}
}

// retryPause returns a random pause before retry number attempt+1, so that
// transactions that collided do not collide again in step.
func retryPause(attempt int) time.Duration {
	upper := retryPauseBase << min(attempt, 10)
	upper = min(upper, retryPauseMax)
	return retryPauseBase/2 + rand.N(upper)
}

// sleep waits for d, or returns ctx.Err() if ctx ends first.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()

	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
