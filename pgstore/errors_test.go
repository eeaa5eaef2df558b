package pgstore

import (
	"context"
	"errors"
	"testing"
)

func TestWrapError(t *testing.T) {
	driverErr := errors.New("conn closed")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name     string
		ctx      context.Context
		err      error
		wantIs   []error
		wantText string
	}{
		{"Live", context.Background(), driverErr, []error{driverErr}, "pgstore: read x: conn closed"},
		{"CancelledAddsCause", cancelled, driverErr, []error{driverErr, context.Canceled}, "pgstore: read x: context canceled: conn closed"},
		{"CancelledAlreadyWrapped", cancelled, context.Canceled, []error{context.Canceled}, "pgstore: read x: context canceled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := wrapError(tc.ctx, "read x", tc.err)
			for _, target := range tc.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("wrapError = %q, does not match %v", err, target)
				}
			}
			if err.Error() != tc.wantText {
				t.Errorf("wrapError = %q, want %q", err, tc.wantText)
			}
		})
	}
}
