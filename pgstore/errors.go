package pgstore

import (
	"context"
	"errors"
	"fmt"
)

// wrapError returns err as the failure of op, prefixed "pgstore: op: ".
// When ctx is done, the result also wraps ctx.Err(), so that callers can
// match context.Canceled or context.DeadlineExceeded with errors.Is whatever
// form the driver gave its own error.
func wrapError(ctx context.Context, op string, err error) error {
	ctxErr := ctx.Err()
	if ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("pgstore: %s: %w: %w", op, ctxErr, err)
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}
