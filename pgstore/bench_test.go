package pgstore

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stripegate/stripegate"
)

// benchUser is entitled in the tables that fillForPlans fills: a
// subscription of their own grants access, and a payment waiting for their
// customer's link is in its grace period.
const benchUser = "user_42"

// newBenchStore returns a store holding the 5000 users of fillForPlans.
func newBenchStore(b *testing.B) *Store {
	b.Helper()
	s := newTestStore(b, testPool(b), Config{})
	fillForPlans(b, s)
	return s
}

// BenchmarkEntitlement measures one Entitlement call, a round trip to the
// database, for an entitled user among 5000.
func BenchmarkEntitlement(b *testing.B) {
	s := newBenchStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e, err := s.Entitlement(ctx, benchUser)
		if err != nil || !e.Active {
			b.Fatalf("Entitlement(%q) = %+v, %v; want active", benchUser, e, err)
		}
	}
}

// BenchmarkGate measures one request through Gate.Wrap over pgstore for an
// entitled user, with the response written to a recorder.
func BenchmarkGate(b *testing.B) {
	s := newBenchStore(b)
	gate, err := stripegate.NewGate(stripegate.GateConfig{
		Store:  s,
		UserID: func(*http.Request) string { return benchUser },
	})
	if err != nil {
		b.Fatal(err)
	}
	handler := gate.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	req := httptest.NewRequest(http.MethodGet, "/pro", nil)

	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			b.Fatalf("Gate status %d, want %d", rec.Code, http.StatusNoContent)
		}
	}
}

// BenchmarkGateParallel is BenchmarkGate from GOMAXPROCS goroutines at
// once, sharing the default pool.
func BenchmarkGateParallel(b *testing.B) {
	s := newBenchStore(b)
	gate, err := stripegate.NewGate(stripegate.GateConfig{
		Store:  s,
		UserID: func(*http.Request) string { return benchUser },
	})
	if err != nil {
		b.Fatal(err)
	}
	handler := gate.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))

	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, "/pro", nil)
		for pb.Next() {
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusNoContent {
				b.Errorf("Gate status %d, want %d", rec.Code, http.StatusNoContent)
				return
			}
		}
	})
}

// BenchmarkApply measures one Apply of a new event, one transaction, on
// sources of 1000 users.
func BenchmarkApply(b *testing.B) {
	s := newTestStore(b, testPool(b), Config{})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		c := stripegate.Change{
			EventID: fmt.Sprintf("evt_1Bench%09d", i), EventType: "invoice.paid", Created: base.Add(time.Duration(i) * time.Second),
			SourceID: fmt.Sprintf("sub_1Bench%04d", i%1000), UserID: fmt.Sprintf("user_%04d", i%1000),
			CustomerID: fmt.Sprintf("cus_Bench%04d", i%1000), Access: stripegate.AccessGrant,
		}
		if _, err := s.Apply(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}
