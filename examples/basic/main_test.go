package main

import (
	"bytes"
	"context"
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

	"github.com/stripegate/stripegate/stripegatetest"
)

// startApp runs the app on a loopback port with the given environment and
// returns its base URL and what it printed.
func startApp(t *testing.T, env map[string]string) (string, *syncBuffer) {
	t.Helper()
	env["ADDR"] = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, func(k string) string { return env[k] }, out, slog.New(slog.NewTextHandler(io.Discard, nil)), func(addr string) { addrc <- addr })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("run: %v", err)
		}
	})

	select {
	case addr := <-addrc:
		return "http://" + addr, out
	case err := <-errc:
		t.Fatalf("run returned before listening: %v", err)
		return "", nil
	}
}

// TestAppEndToEnd follows the README's quick start over HTTP: sign in, get
// 402 from /pro, send a signed checkout event, get 200 and see the event on
// the status page.
func TestAppEndToEnd(t *testing.T) {
	secret := stripegatetest.NewSecret()
	base, _ := startApp(t, map[string]string{"STRIPE_WEBHOOK_SECRET": secret})
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}

	expectStatus(t, client, base+"/pro", http.StatusUnauthorized)
	expectStatus(t, client, base+"/login?user=alice", http.StatusOK)
	expectStatus(t, client, base+"/pro", http.StatusPaymentRequired)

	body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "events", "2026-08-26.dahlia", "checkout.session.completed.json"))
	if err != nil {
		t.Fatal(err)
	}
	event, err := stripegatetest.Edit(body, stripegatetest.WithUser("alice"))
	if err != nil {
		t.Fatal(err)
	}

	resp, err := stripegatetest.Post(context.Background(), client, base+"/webhook", event, "whsec_"+strings.Repeat("0", 32))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("wrongly signed event: status %d, want 400", resp.StatusCode)
	}
	expectStatus(t, client, base+"/pro", http.StatusPaymentRequired)

	resp, err = stripegatetest.Post(context.Background(), client, base+"/webhook", event, secret)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("signed event: status %d, want 200", resp.StatusCode)
	}

	page := expectStatus(t, client, base+"/pro", http.StatusOK)
	if !strings.Contains(page, "Pro content for alice") {
		t.Errorf("/pro body %q", page)
	}
	home := expectStatus(t, client, base+"/", http.StatusOK)
	for _, want := range []string{"Signed in as <b>alice</b>", "<b>yes</b>", "checkout.session.completed", "granted"} {
		if !strings.Contains(home, want) {
			t.Errorf("status page lacks %q:\n%s", want, home)
		}
	}
}

func TestAppGeneratesSecret(t *testing.T) {
	_, out := startApp(t, map[string]string{})
	if !regexp.MustCompile(`export STRIPE_WEBHOOK_SECRET=whsec_\w+`).MatchString(out.String()) {
		t.Errorf("output does not show a generated secret:\n%s", out)
	}
}

func TestAppRejectsInvalidSecret(t *testing.T) {
	err := run(context.Background(), func(k string) string {
		return map[string]string{"ADDR": "127.0.0.1:0", "STRIPE_WEBHOOK_SECRET": "sk_test_123"}[k]
	}, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err == nil || !strings.Contains(err.Error(), "API key") {
		t.Errorf("run error = %v, want one about an API key", err)
	}
}

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
		t.Errorf("GET %s: status %d, want %d (%s)", url, resp.StatusCode, want, body)
	}
	return string(body)
}

// syncBuffer is a bytes.Buffer safe for the server goroutine's writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
