package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// dsnVariable names the environment variable that holds the test database's
// connection string.
const dsnVariable = "STRIPEGATE_POSTGRES_DSN"

// testDSN returns the test database's connection string. Without one it
// skips the test, or fails it when CI is "true", so that a CI run cannot
// pass by skipping every database test.
func testDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(dsnVariable)
	if dsn != "" {
		return dsn
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set and CI is true: set it to a PostgreSQL connection string, such as postgres://postgres@127.0.0.1:5432/test?sslmode=disable", dsnVariable)
	}
	t.Skipf("%s is not set: set it to a PostgreSQL connection string to run this test, such as postgres://postgres@127.0.0.1:5432/test?sslmode=disable", dsnVariable)
	return ""
}

// testPool returns a pool on the test database, closed when the test ends.
func testPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), testDSN(t))
	if err != nil {
		t.Fatalf("pgxpool.New: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// newSchemaName returns a random schema name for one test.
func newSchemaName(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "pgstore_test_" + hex.EncodeToString(b)
}

// newTestStore returns a migrated Store in a new schema of its own, which
// is dropped when the test ends. cfg.Schema is replaced.
func newTestStore(t testing.TB, pool *pgxpool.Pool, cfg Config) *Store {
	t.Helper()
	cfg.Schema = newSchemaName(t)
	dropSchemaAtCleanup(t, pool, cfg.Schema)

	s, err := New(pool, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// dropSchemaAtCleanup drops the schema and everything in it when the test
// ends.
func dropSchemaAtCleanup(t testing.TB, pool *pgxpool.Pool, schema string) {
	t.Helper()
	t.Cleanup(func() {
		_, err := pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
}
