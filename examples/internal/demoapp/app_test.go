package demoapp

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/memstore"
)

// newTestApp returns the app's routes over store, with a fixed secret.
func newTestApp(t *testing.T, store stripegate.EntitlementStore) http.Handler {
	t.Helper()
	handler, err := New(Config{Secrets: []string{"whsec_" + strings.Repeat("x", 32)}}, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return handler
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name       string
		query      string
		wantStatus int
		wantCookie string
	}{
		{"Valid", "?user=alice", http.StatusSeeOther, "alice"},
		{"Missing", "", http.StatusBadRequest, ""},
		{"Empty", "?user=", http.StatusBadRequest, ""},
		{"TooLong", "?user=" + strings.Repeat("a", maxUserIDLength+1), http.StatusBadRequest, ""},
		{"Longest", "?user=" + strings.Repeat("a", maxUserIDLength), http.StatusSeeOther, strings.Repeat("a", maxUserIDLength)},
	}
	handler := newTestApp(t, memstore.New())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login"+tc.query, nil))
			if rec.Code != tc.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tc.wantStatus)
			}
			var got string
			for _, c := range rec.Result().Cookies() {
				if c.Name == demoUserCookie {
					got = c.Value
				}
			}
			if got != tc.wantCookie {
				t.Errorf("cookie %q = %q, want %q", demoUserCookie, got, tc.wantCookie)
			}
		})
	}
}

func TestStatusPageSignedOut(t *testing.T) {
	rec := httptest.NewRecorder()
	newTestApp(t, memstore.New()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Not signed in") {
		t.Errorf("status %d, body %q; want 200 and the sign-in link", rec.Code, rec.Body)
	}
}

// failingStore fails every call, as a store whose database is down does.
type failingStore struct{ stripegate.EntitlementStore }

var errDatabaseDown = errors.New("pgstore: connection refused")

func (failingStore) Entitlement(context.Context, string) (stripegate.Entitlement, error) {
	return stripegate.Entitlement{}, errDatabaseDown
}

func (failingStore) PaymentLog(context.Context, string, int) ([]stripegate.LogEntry, error) {
	return nil, errDatabaseDown
}

// A store failure gives 503 on the gated page and the status page, never
// access.
func TestStoreDown(t *testing.T) {
	handler := newTestApp(t, failingStore{})
	for _, path := range []string{"/pro", "/"} {
		t.Run(path, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.AddCookie(&http.Cookie{Name: demoUserCookie, Value: "alice"})
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusServiceUnavailable {
				t.Errorf("GET %s with the store down: status %d, want 503", path, rec.Code)
			}
			body, _ := io.ReadAll(rec.Body)
			if strings.Contains(string(body), "Pro content") {
				t.Errorf("GET %s with the store down served the paid content", path)
			}
		})
	}
}
