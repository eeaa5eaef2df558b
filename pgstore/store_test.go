package pgstore

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/storetest"
)

// TestConformance runs the EntitlementStore conformance suite, each rule
// on a store in a schema of its own.
func TestConformance(t *testing.T) {
	pool := testPool(t)
	storetest.Run(t, func(t *testing.T) stripegate.EntitlementStore {
		return newTestStore(t, pool, Config{})
	})
}

// unconnectedPool returns a pool that never connects: pgxpool opens
// connections only when a query needs one.
func unconnectedPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable")
	if err != nil {
		t.Fatalf("pgxpool.New: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestNewNilPool(t *testing.T) {
	_, err := New(nil, Config{})
	if err == nil {
		t.Fatal("New(nil, Config{}): nil error, want one")
	}
	if !strings.Contains(err.Error(), "pgxpool.New") {
		t.Errorf("New(nil, Config{}) error %q does not name the fix (pgxpool.New)", err)
	}
}

func TestNewDoesNotConnect(t *testing.T) {
	s, err := New(unconnectedPool(t), Config{Schema: "billing"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if got := s.Schema(); got != "billing" {
		t.Errorf("Schema() = %q, want %q", got, "billing")
	}
}
