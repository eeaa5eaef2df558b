package stripegate_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/memstore"
)

// userFromHeader replaces an app's authentication in these tests.
func userFromHeader(r *http.Request) string { return r.Header.Get("X-User") }

// grantedStore returns a memstore in which user "paid" has access through
// a subscription, user "lapsed" had it revoked, and user "grace" is inside
// a grace period that ends at graceEnd.
func grantedStore(t *testing.T, graceEnd time.Time) *memstore.Store {
	t.Helper()
	store := memstore.New()
	created := graceEnd.Add(-72 * time.Hour)
	changes := []stripegate.Change{
		{EventID: "evt_paid", EventType: "invoice.paid", Created: created, SourceID: "sub_paid", UserID: "paid", CustomerID: "cus_paid", Access: stripegate.AccessGrant},
		{EventID: "evt_lapsed1", EventType: "invoice.paid", Created: created, SourceID: "sub_lapsed", UserID: "lapsed", Access: stripegate.AccessGrant},
		{EventID: "evt_lapsed2", EventType: "customer.subscription.deleted", Created: created.Add(time.Second), SourceID: "sub_lapsed", UserID: "lapsed", Access: stripegate.AccessRevoke},
		{EventID: "evt_grace1", EventType: "invoice.paid", Created: created, SourceID: "sub_grace", UserID: "grace", Access: stripegate.AccessGrant},
		{EventID: "evt_grace2", EventType: "invoice.payment_failed", Created: created.Add(time.Second), SourceID: "sub_grace", UserID: "grace", Access: stripegate.AccessRevokeAfterGrace, GraceUntil: graceEnd},
	}
	for _, c := range changes {
		if _, err := store.Apply(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

// brokenStore fails every lookup.
type brokenStore struct{ stripegate.EntitlementStore }

func (brokenStore) Entitlement(context.Context, string) (stripegate.Entitlement, error) {
	return stripegate.Entitlement{}, errors.New("connection refused")
}

func TestGateWrap(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	store := grantedStore(t, now.Add(time.Hour))
	protected := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, ok := stripegate.EntitlementFromContext(r.Context())
		if !ok {
			t.Error("entitlement missing from the context")
		}
		_, _ = w.Write([]byte("pro content for " + e.UserID))
	})

	tests := []struct {
		name        string
		store       stripegate.EntitlementStore
		user        string
		accept      string
		wantStatus  int
		wantType    string
		wantBodyHas string
	}{
		{"entitled", store, "paid", "", http.StatusOK, "", "pro content for paid"},
		{"inside grace", store, "grace", "", http.StatusOK, "", "pro content for grace"},
		{"revoked", store, "lapsed", "", http.StatusPaymentRequired, "text/plain; charset=utf-8", "Payment Required"},
		{"unknown user", store, "stranger", "text/html", http.StatusPaymentRequired, "text/plain; charset=utf-8", "Payment Required"},
		{"revoked JSON client", store, "lapsed", "application/json", http.StatusPaymentRequired, "application/problem+json", `"status":402`},
		{"problem+json client", store, "lapsed", "application/problem+json, */*;q=0.1", http.StatusPaymentRequired, "application/problem+json", `"title":"Payment Required"`},
		{"JSON refused by q=0", store, "lapsed", "application/json;q=0, text/plain", http.StatusPaymentRequired, "text/plain; charset=utf-8", "Payment Required"},
		{"JSON refused by q=0.000", store, "lapsed", "application/json;q=0.000", http.StatusPaymentRequired, "text/plain; charset=utf-8", "Payment Required"},
		{"not signed in", store, "", "", http.StatusUnauthorized, "text/plain; charset=utf-8", "Unauthorized"},
		{"not signed in JSON", store, "", "application/json", http.StatusUnauthorized, "application/problem+json", `"status":401`},
		{"store down", brokenStore{store}, "paid", "", http.StatusServiceUnavailable, "text/plain; charset=utf-8", "Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gate, err := stripegate.NewGate(stripegate.GateConfig{
				Store:  tt.store,
				UserID: userFromHeader,
				Now:    func() time.Time { return now },
				Logger: discardLogger(),
			})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/pro", nil)
			req.Header.Set("X-User", tt.user)
			req.Header.Set("Accept", tt.accept)
			rec := httptest.NewRecorder()
			gate.Wrap(protected).ServeHTTP(rec, req)

			if rec.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Header().Get("Content-Type"); tt.wantType != "" && got != tt.wantType {
				t.Errorf("Content-Type %q, want %q", got, tt.wantType)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBodyHas) {
				t.Errorf("body %q lacks %q", rec.Body.String(), tt.wantBodyHas)
			}
		})
	}
}

func TestGateProblemDetails(t *testing.T) {
	gate, err := stripegate.NewGate(stripegate.GateConfig{Store: memstore.New(), UserID: userFromHeader})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/pro", nil)
	req.Header.Set("X-User", "nobody")
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	gate.Wrap(http.NotFoundHandler()).ServeHTTP(rec, req)

	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	want := map[string]any{"title": "Payment Required", "status": float64(402), "detail": "An active subscription or purchase is required."}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problem details (-want +got):\n%s", diff)
	}
}

func TestGateGraceEnds(t *testing.T) {
	graceEnd := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	store := grantedStore(t, graceEnd)
	for _, tt := range []struct {
		name    string
		now     time.Time
		wantErr error
	}{
		{"before the deadline", graceEnd.Add(-time.Second), nil},
		{"at the deadline", graceEnd, stripegate.ErrNotEntitled},
		{"after the deadline", graceEnd.Add(time.Hour), stripegate.ErrNotEntitled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gate, err := stripegate.NewGate(stripegate.GateConfig{Store: store, UserID: userFromHeader, Now: func() time.Time { return tt.now }})
			if err != nil {
				t.Fatal(err)
			}
			e, err := gate.Check(context.Background(), "grace")
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Check error = %v, want %v", err, tt.wantErr)
			}
			if !e.GraceUntil.Equal(graceEnd) {
				t.Errorf("GraceUntil = %s, want %s", e.GraceUntil, graceEnd)
			}
		})
	}
}

func TestGateCheck(t *testing.T) {
	store := grantedStore(t, time.Now().Add(time.Hour))
	tests := []struct {
		name    string
		store   stripegate.EntitlementStore
		user    string
		wantErr error
	}{
		{"entitled", store, "paid", nil},
		{"revoked", store, "lapsed", stripegate.ErrNotEntitled},
		{"empty user", store, "", stripegate.ErrNotSignedIn},
		{"store down", brokenStore{store}, "paid", stripegate.ErrStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gate, err := stripegate.NewGate(stripegate.GateConfig{Store: tt.store, UserID: userFromHeader})
			if err != nil {
				t.Fatal(err)
			}
			_, err = gate.Check(context.Background(), tt.user)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Check error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestGateCustomResponses(t *testing.T) {
	gate, err := stripegate.NewGate(stripegate.GateConfig{
		Store:  grantedStore(t, time.Now().Add(time.Hour)),
		UserID: userFromHeader,
		Denied: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := stripegate.EntitlementFromContext(r.Context()); !ok {
				t.Error("denied handler has no entitlement on its context")
			}
			http.Redirect(w, r, "/pricing", http.StatusSeeOther)
		}),
		Unauthenticated: http.RedirectHandler("/login", http.StatusFound),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		user, wantLocation string
		wantStatus         int
	}{
		{"lapsed", "/pricing", http.StatusSeeOther},
		{"", "/login", http.StatusFound},
	} {
		req := httptest.NewRequest(http.MethodGet, "/pro", nil)
		req.Header.Set("X-User", tt.user)
		rec := httptest.NewRecorder()
		gate.Wrap(http.NotFoundHandler()).ServeHTTP(rec, req)
		if rec.Code != tt.wantStatus || rec.Header().Get("Location") != tt.wantLocation {
			t.Errorf("user %q: %d to %q, want %d to %q", tt.user, rec.Code, rec.Header().Get("Location"), tt.wantStatus, tt.wantLocation)
		}
	}
}

func TestNewGateValidates(t *testing.T) {
	if _, err := stripegate.NewGate(stripegate.GateConfig{UserID: userFromHeader}); err == nil || !strings.Contains(err.Error(), "Store is nil") {
		t.Errorf("no store: error %v", err)
	}
	if _, err := stripegate.NewGate(stripegate.GateConfig{Store: memstore.New()}); err == nil || !strings.Contains(err.Error(), "UserID is nil") {
		t.Errorf("no UserID: error %v", err)
	}
}

func TestEntitlementFromContextEmpty(t *testing.T) {
	if _, ok := stripegate.EntitlementFromContext(context.Background()); ok {
		t.Error("found an entitlement on a bare context")
	}
}
