package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stripegate/stripegate/stripegatetest"
)

// dsnVariable names the environment variable with the test database's
// connection string.
const dsnVariable = "STRIPEGATE_POSTGRES_DSN"

// testDSN returns the test database's connection string, or skips the test
// without one. When CI is "true" it fails instead, so that CI cannot pass by
// skipping.
func testDSN(t *testing.T) string {
	t.Helper()
	if dsn := os.Getenv(dsnVariable); dsn != "" {
		return dsn
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set and CI is true: set it to a PostgreSQL connection string, such as %s", dsnVariable, defaultDatabaseURL)
	}
	t.Skipf("%s is not set: set it to a PostgreSQL connection string to run this test, such as %s", dsnVariable, defaultDatabaseURL)
	return ""
}

// newTestSchema returns a random schema name and drops that schema when
// the test ends.
func newTestSchema(t *testing.T, dsn string) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	schema := "example_test_" + hex.EncodeToString(b)

	t.Cleanup(func() {
		pool, err := pgxpool.New(context.Background(), dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer pool.Close()
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// startApp runs the app on a loopback port with env as its environment and
// returns its base URL and what it printed. The app stops when the test
// ends.
func startApp(t *testing.T, env map[string]string) (string, *lockedBuffer) {
	t.Helper()
	env["ADDR"] = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	go func() {
		done <- run(ctx, func(key string) string { return env[key] }, out, logger, func(addr string) { addrs <- addr })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})

	select {
	case addr := <-addrs:
		return "http://" + addr, out
	case err := <-done:
		t.Fatalf("run returned before it listened: %v", err)
		return "", nil
	}
}

// TestTwoInstancesEndToEnd runs two copies of the app on one schema. A
// signed checkout event sent to the second copy opens /pro on the first,
// and the first's status page shows the event.
func TestTwoInstancesEndToEnd(t *testing.T) {
	dsn := testDSN(t)
	secret := stripegatetest.NewSecret()
	schema := newTestSchema(t, dsn)
	env := func() map[string]string {
		return map[string]string{"DATABASE_URL": dsn, "DATABASE_SCHEMA": schema, "STRIPE_WEBHOOK_SECRET": secret}
	}
	first, _ := startApp(t, env())
	second, _ := startApp(t, env())

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar}
	expectStatus(t, browser, first+"/pro", http.StatusUnauthorized)
	expectStatus(t, browser, first+"/login?user=alice", http.StatusOK)
	expectStatus(t, browser, first+"/pro", http.StatusPaymentRequired)

	event := checkoutEvent(t, "alice")
	if status := postEvent(t, second, event, stripegatetest.NewSecret()); status != http.StatusBadRequest {
		t.Errorf("event signed with another secret: status %d, want 400", status)
	}
	expectStatus(t, browser, first+"/pro", http.StatusPaymentRequired)

	if status := postEvent(t, second, event, secret); status != http.StatusOK {
		t.Fatalf("signed event to the second instance: status %d, want 200", status)
	}
	if status := postEvent(t, first, event, secret); status != http.StatusOK {
		t.Errorf("the same event again, to the first instance: status %d, want 200 (a duplicate)", status)
	}

	if page := expectStatus(t, browser, first+"/pro", http.StatusOK); !strings.Contains(page, "Pro content for alice") {
		t.Errorf("/pro body = %q, want the content for alice", page)
	}
	status := expectStatus(t, browser, first+"/", http.StatusOK)
	for _, want := range []string{"Signed in as <b>alice</b>", "<b>yes</b>", "checkout.session.completed", "granted"} {
		if !strings.Contains(status, want) {
			t.Errorf("status page lacks %q:\n%s", want, status)
		}
	}
	if n := strings.Count(status, "checkout.session.completed"); n != 1 {
		t.Errorf("status page lists the event %d times, want once", n)
	}
}

// checkoutEvent returns the recorded card checkout, paid, for userID.
func checkoutEvent(t *testing.T, userID string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "events", "2026-08-26.dahlia", "checkout.session.completed.json"))
	if err != nil {
		t.Fatal(err)
	}
	event, err := stripegatetest.Edit(raw, stripegatetest.WithNewID(), stripegatetest.WithUser(userID))
	if err != nil {
		t.Fatal(err)
	}
	return event
}

func postEvent(t *testing.T, base string, event []byte, secret string) int {
	t.Helper()
	resp, err := stripegatetest.Post(context.Background(), nil, base+"/webhook", event, secret)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

// expectStatus gets url and reports a status other than want. It returns
// the body.
func expectStatus(t *testing.T, client *http.Client, url string, want int) string {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Errorf("GET %s: status %d, want %d; body %q", url, resp.StatusCode, want, body)
	}
	return string(body)
}

func TestRunPrintsGeneratedSecret(t *testing.T) {
	dsn := testDSN(t)
	_, out := startApp(t, map[string]string{"DATABASE_URL": dsn, "DATABASE_SCHEMA": newTestSchema(t, dsn)})
	if !regexp.MustCompile(`export STRIPE_WEBHOOK_SECRET=whsec_\w{32}\n`).MatchString(out.String()) {
		t.Errorf("output does not show a generated secret:\n%s", out)
	}
}

// Configuration and connection failures stop run with an error that names
// the fix.
func TestRunFails(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		wantText string
	}{
		{"InvalidURL", map[string]string{"DATABASE_URL": "postgres://u@127.0.0.1:notaport/db"}, "invalid DATABASE_URL"},
		{"NoServer", map[string]string{"DATABASE_URL": "postgres://u@127.0.0.1:1/db?sslmode=disable&connect_timeout=5"}, "is PostgreSQL running at DATABASE_URL"},
		{"InvalidSchema", map[string]string{"DATABASE_SCHEMA": "pg_mine"}, "Config.Schema"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["ADDR"] = "127.0.0.1:0"
			err := run(context.Background(), func(key string) string { return tc.env[key] }, io.Discard, slog.New(slog.DiscardHandler), nil)
			if err == nil || !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("run: error %v, want one containing %q", err, tc.wantText)
			}
		})
	}
}

func TestReadConfig(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantURL    string
		wantSchema string
	}{
		{"Defaults", map[string]string{}, defaultDatabaseURL, ""},
		{"AllSet", map[string]string{"DATABASE_URL": "postgres://app@db.internal/app", "DATABASE_SCHEMA": "billing"}, "postgres://app@db.internal/app", "billing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := readConfig(func(key string) string { return tc.env[key] })
			if got.databaseURL != tc.wantURL || got.schema != tc.wantSchema {
				t.Errorf("readConfig = %q, %q; want %q, %q", got.databaseURL, got.schema, tc.wantURL, tc.wantSchema)
			}
		})
	}
}

// lockedBuffer collects the app's output, which the server goroutine
// writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
