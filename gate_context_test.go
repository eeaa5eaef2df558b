package stripegate_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripegate/stripegate"
)

type requestKey struct{}

// TestGateContext checks that the request the Gate passes on keeps
// everything of the original request and its context, adds the
// Entitlement, and leaves the original request alone.
func TestGateContext(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	store := grantedStore(t, now.Add(time.Hour))
	deadline := time.Now().Add(time.Hour)

	tests := []struct {
		name       string
		user       string
		wantStatus int
	}{
		{"entitled user reaches next", "paid", http.StatusOK},
		{"revoked user reaches Denied", "lapsed", http.StatusPaymentRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent, cancel := context.WithDeadline(context.WithValue(context.Background(), requestKey{}, "trace-7"), deadline)
			defer cancel()
			original := httptest.NewRequestWithContext(parent, http.MethodGet, "/pro?page=2", nil)
			original.Header.Set("X-User", tt.user)

			var seen *http.Request
			record := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = r
				w.WriteHeader(tt.wantStatus)
			})
			gate, err := stripegate.NewGate(stripegate.GateConfig{
				Store: store, UserID: userFromHeader, Denied: record, Now: func() time.Time { return now },
			})
			if err != nil {
				t.Fatal(err)
			}

			rec := httptest.NewRecorder()
			gate.Wrap(record).ServeHTTP(rec, original)
			if rec.Code != tt.wantStatus || seen == nil {
				t.Fatalf("status %d, handler reached: %v; want %d", rec.Code, seen != nil, tt.wantStatus)
			}
			checkGatedRequest(t, original, seen, tt.user)

			if _, ok := stripegate.EntitlementFromContext(original.Context()); ok {
				t.Error("the original request's context carries an Entitlement")
			}
			cancel()
			if err := seen.Context().Err(); !errors.Is(err, context.Canceled) {
				t.Errorf("after the parent was canceled, Err() = %v, want context.Canceled", err)
			}
		})
	}
}

// checkGatedRequest compares the request a Gate passed on with the one it
// received.
func checkGatedRequest(t *testing.T, original, seen *http.Request, user string) {
	t.Helper()
	if seen == original {
		t.Fatal("the Gate passed on the original request, which handlers must not modify")
	}
	if seen.Method != original.Method || seen.URL.String() != original.URL.String() || seen.Header.Get("X-User") != user {
		t.Errorf("passed on %s %s (X-User %q), want %s %s (X-User %q)",
			seen.Method, seen.URL, seen.Header.Get("X-User"), original.Method, original.URL, user)
	}

	ctx := seen.Context()
	e, ok := stripegate.EntitlementFromContext(ctx)
	if !ok || e.UserID != user {
		t.Errorf("EntitlementFromContext = %+v, %v; want the entitlement of %q", e, ok, user)
	}
	if got := ctx.Value(requestKey{}); got != "trace-7" {
		t.Errorf("value of the parent context = %v, want trace-7", got)
	}
	wantDeadline, _ := original.Context().Deadline()
	if got, ok := ctx.Deadline(); !ok || !got.Equal(wantDeadline) {
		t.Errorf("Deadline() = %s, %v; want %s", got, ok, wantDeadline)
	}

	// A context derived from it must still find the Entitlement.
	derived, cancel := context.WithCancel(context.WithValue(ctx, requestKey{}, "inner"))
	defer cancel()
	if again, ok := stripegate.EntitlementFromContext(derived); !ok || !cmp.Equal(again, e) {
		t.Errorf("EntitlementFromContext of a derived context = %+v, %v; want %+v", again, ok, e)
	}
}
