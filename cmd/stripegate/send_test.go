package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/stripegate/stripegate/stripegatetest"
)

// inlineEvent is a small event shaped like Stripe's
// checkout.session.completed, so the tests do not depend on fixtures.
const inlineEvent = `{
  "id": "evt_from_file",
  "object": "event",
  "api_version": "2026-08-26.dahlia",
  "created": 1700000000,
  "data": {
    "object": {
      "id": "cs_test_send",
      "object": "checkout.session",
      "client_reference_id": null,
      "customer": "cus_from_file",
      "livemode": false,
      "metadata": {},
      "payment_status": "paid"
    }
  },
  "livemode": false,
  "type": "checkout.session.completed"
}
`

// tolerance is the signature age that the test endpoint accepts.
const tolerance = 5 * time.Minute

// endpoint is a test webhook endpoint on 127.0.0.1. It checks signatures
// with stripe-go against secret and keeps the bodies it accepted.
type endpoint struct {
	server   *httptest.Server
	secret   string
	status   int
	received chan []byte
}

func newEndpoint(t *testing.T, status int) *endpoint {
	t.Helper()

	e := &endpoint{secret: stripegatetest.NewSecret(), status: status, received: make(chan []byte, 10)}
	e.server = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.server.Close)
	return e
}

func (e *endpoint) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "expected a POST of application/json", http.StatusBadRequest)
		return
	}
	if err := webhook.ValidatePayloadWithTolerance(body, r.Header.Get("Stripe-Signature"), e.secret, tolerance); err != nil {
		http.Error(w, "invalid signature: "+err.Error(), http.StatusBadRequest)
		return
	}

	e.received <- body
	w.WriteHeader(e.status)
	io.WriteString(w, `{"received":true}`)
}

// lastEvent returns the one event the endpoint accepted since the last call.
func (e *endpoint) lastEvent(t *testing.T) map[string]any {
	t.Helper()

	select {
	case body := <-e.received:
		return decodeEvent(t, body)
	default:
		t.Fatalf("the endpoint accepted no event")
		return nil
	}
}

func (e *endpoint) url() string {
	return e.server.URL + "/webhook"
}

// sendResult is what one run of the command produced.
type sendResult struct {
	err    error
	stdout string
	stderr string
}

func runCommand(t *testing.T, env map[string]string, args ...string) sendResult {
	t.Helper()

	var stdout, stderr bytes.Buffer
	getenv := func(key string) string { return env[key] }
	err := run(context.Background(), args, getenv, &stdout, &stderr)
	return sendResult{err: err, stdout: stdout.String(), stderr: stderr.String()}
}

func writeEventFile(t *testing.T, content string) string {
	t.Helper()

	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("write event file: %v", err)
	}
	return path
}

func TestSendEdits(t *testing.T) {
	tests := []struct {
		name  string
		flags []string
		want  map[string]any // dot-separated path to expected value
	}{
		{
			name:  "file unchanged but id",
			flags: nil,
			want: map[string]any{
				"type":                            "checkout.session.completed",
				"created":                         json.Number("1700000000"),
				"livemode":                        false,
				"data.object.customer":            "cus_from_file",
				"data.object.client_reference_id": nil,
				"data.object.metadata":            map[string]any{},
				"data.object.payment_status":      "paid",
			},
		},
		{
			name:  "keep id",
			flags: []string{"-keep-id"},
			want:  map[string]any{"id": "evt_from_file"},
		},
		{
			name:  "explicit id",
			flags: []string{"-id", "evt_chosen"},
			want:  map[string]any{"id": "evt_chosen"},
		},
		{
			name:  "user",
			flags: []string{"-user", "user_42"},
			want: map[string]any{
				"data.object.metadata.user_id":    "user_42",
				"data.object.client_reference_id": "user_42",
			},
		},
		{
			name:  "user with custom key",
			flags: []string{"-user", "acct_7", "-user-key", "account_id"},
			want: map[string]any{
				"data.object.metadata":            map[string]any{"account_id": "acct_7"},
				"data.object.client_reference_id": "acct_7",
			},
		},
		{
			name:  "customer",
			flags: []string{"-customer", "cus_chosen"},
			want:  map[string]any{"data.object.customer": "cus_chosen"},
		},
		{
			name:  "type",
			flags: []string{"-type", "checkout.session.async_payment_failed"},
			want:  map[string]any{"type": "checkout.session.async_payment_failed"},
		},
		{
			name:  "created",
			flags: []string{"-created", "1800000000"},
			want:  map[string]any{"created": json.Number("1800000000")},
		},
		{
			name:  "livemode",
			flags: []string{"-livemode"},
			want:  map[string]any{"livemode": true, "data.object.livemode": true},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoint := newEndpoint(t, http.StatusOK)
			file := writeEventFile(t, inlineEvent)
			args := append([]string{"send", "-url", endpoint.url(), "-secret", endpoint.secret}, tt.flags...)

			result := runCommand(t, nil, append(args, file)...)

			if result.err != nil {
				t.Fatalf("send failed: %v\nstdout: %s", result.err, result.stdout)
			}
			event := endpoint.lastEvent(t)
			for path, want := range tt.want {
				if diff := cmp.Diff(want, valueAt(event, path)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", path, diff)
				}
			}
		})
	}
}

func TestSendNewIDEachTime(t *testing.T) {
	endpoint := newEndpoint(t, http.StatusOK)
	file := writeEventFile(t, inlineEvent)
	env := map[string]string{secretEnv: endpoint.secret}

	var ids []any
	for range 2 {
		result := runCommand(t, env, "send", "-url", endpoint.url(), file)
		if result.err != nil {
			t.Fatalf("send failed: %v", result.err)
		}
		ids = append(ids, endpoint.lastEvent(t)["id"])
	}

	for _, id := range ids {
		if s, _ := id.(string); !regexp.MustCompile(`^evt_[0-9A-Za-z]{24}$`).MatchString(s) {
			t.Errorf("id = %v, expected a new random evt_ ID", id)
		}
	}
	if ids[0] == ids[1] {
		t.Errorf("two sends used the same id %v", ids[0])
	}
}

func TestSendCreatedNow(t *testing.T) {
	endpoint := newEndpoint(t, http.StatusOK)
	file := writeEventFile(t, inlineEvent)
	before := time.Now().Unix()

	result := runCommand(t, nil, "send", "-url", endpoint.url(), "-secret", endpoint.secret, "-created", "now", file)
	after := time.Now().Unix()

	if result.err != nil {
		t.Fatalf("send failed: %v", result.err)
	}
	created, err := strconv.ParseInt(string(endpoint.lastEvent(t)["created"].(json.Number)), 10, 64)
	if err != nil {
		t.Fatalf("created is not unix seconds: %v", err)
	}
	if created < before || created > after {
		t.Errorf("created = %d, expected between %d and %d", created, before, after)
	}
}

func TestSendSecretSource(t *testing.T) {
	tests := []struct {
		name string
		env  func(secret string) string
		flag func(secret string) []string
	}{
		{
			name: "environment",
			env:  func(secret string) string { return secret },
			flag: func(string) []string { return nil },
		},
		{
			name: "first of environment list",
			env:  func(secret string) string { return " " + secret + " ," + stripegatetest.NewSecret() },
			flag: func(string) []string { return nil },
		},
		{
			name: "flag overrides environment",
			env:  func(string) string { return stripegatetest.NewSecret() },
			flag: func(secret string) []string { return []string{"-secret", secret} },
		},
		{
			name: "first of flag list",
			env:  func(string) string { return "" },
			flag: func(secret string) []string { return []string{"-secret", secret + "," + stripegatetest.NewSecret()} },
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoint := newEndpoint(t, http.StatusOK)
			file := writeEventFile(t, inlineEvent)
			env := map[string]string{secretEnv: tt.env(endpoint.secret)}
			args := append([]string{"send", "-url", endpoint.url()}, tt.flag(endpoint.secret)...)

			result := runCommand(t, env, append(args, file)...)

			if result.err != nil {
				t.Errorf("send failed: %v\nstdout: %s", result.err, result.stdout)
			}
		})
	}
}

func TestSendOutput(t *testing.T) {
	endpoint := newEndpoint(t, http.StatusOK)
	file := writeEventFile(t, inlineEvent)

	result := runCommand(t, nil, "send", "-url", endpoint.url(), "-secret", endpoint.secret, "-id", "evt_out", file)

	if result.err != nil {
		t.Fatalf("send failed: %v", result.err)
	}
	if diff := cmp.Diff("200 OK\n{\"received\":true}\n", result.stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	wantStderr := "sent event evt_out (checkout.session.completed) to " + endpoint.url() + "\n"
	if diff := cmp.Diff(wantStderr, result.stderr); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
}

func TestSendDoesNotChangeFile(t *testing.T) {
	endpoint := newEndpoint(t, http.StatusOK)
	file := writeEventFile(t, inlineEvent)

	result := runCommand(t, nil, "send", "-url", endpoint.url(), "-secret", endpoint.secret, "-user", "user_42", file)

	if result.err != nil {
		t.Fatalf("send failed: %v", result.err)
	}
	content, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read event file: %v", err)
	}
	if diff := cmp.Diff(inlineEvent, string(content)); diff != "" {
		t.Errorf("event file changed (-want +got):\n%s", diff)
	}
}

func TestSendNon2xxStatus(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		wantStatus string
	}{
		{name: "bad request", status: http.StatusBadRequest, wantStatus: "400 Bad Request"},
		{name: "server error", status: http.StatusInternalServerError, wantStatus: "500 Internal Server Error"},
		{name: "redirect not followed", status: http.StatusFound, wantStatus: "302 Found"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoint := newEndpoint(t, tt.status)
			file := writeEventFile(t, inlineEvent)

			result := runCommand(t, nil, "send", "-url", endpoint.url(), "-secret", endpoint.secret, file)

			assertErrorContains(t, result.err, "returned "+tt.wantStatus)
			if !strings.HasPrefix(result.stdout, tt.wantStatus+"\n") {
				t.Errorf("stdout = %q, expected it to start with the status %q", result.stdout, tt.wantStatus)
			}
			if !strings.Contains(result.stdout, `{"received":true}`) {
				t.Errorf("stdout = %q, expected the response body", result.stdout)
			}
			if code := reportError(result.err, io.Discard); code != 1 {
				t.Errorf("exit status = %d, expected 1", code)
			}
		})
	}
}

func TestSendWrongSecretRejected(t *testing.T) {
	endpoint := newEndpoint(t, http.StatusOK)
	file := writeEventFile(t, inlineEvent)

	result := runCommand(t, nil, "send", "-url", endpoint.url(), "-secret", stripegatetest.NewSecret(), file)

	assertErrorContains(t, result.err, "returned 400 Bad Request")
	if !strings.Contains(result.stdout, "invalid signature") {
		t.Errorf("stdout = %q, expected the endpoint's signature error", result.stdout)
	}
}

func TestSendLongResponseCut(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", maxResponseBody+10))
	}))
	defer server.Close()
	file := writeEventFile(t, inlineEvent)

	result := runCommand(t, nil, "send", "-url", server.URL, "-secret", stripegatetest.NewSecret(), file)

	if result.err != nil {
		t.Fatalf("send failed: %v", result.err)
	}
	want := "200 OK\n" + strings.Repeat("x", maxResponseBody) + "\n(response body cut after 65536 bytes)\n"
	if result.stdout != want {
		t.Errorf("stdout has %d bytes, expected the status, %d bytes of body and a note", len(result.stdout), maxResponseBody)
	}
}

func TestSendRealFixture(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "events", "2026-08-26.dahlia", "checkout.session.completed.json")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		t.Skipf("fixture %s does not exist yet", path)
	}
	endpoint := newEndpoint(t, http.StatusOK)

	result := runCommand(t, nil, "send", "-url", endpoint.url(), "-secret", endpoint.secret,
		"-user", "user_fixture", "-customer", "cus_fixture", path)

	if result.err != nil {
		t.Fatalf("send failed: %v\nstdout: %s", result.err, result.stdout)
	}
	event := endpoint.lastEvent(t)
	checks := map[string]any{
		"object":                          "event",
		"type":                            "checkout.session.completed",
		"data.object.object":              "checkout.session",
		"data.object.client_reference_id": "user_fixture",
		"data.object.metadata.user_id":    "user_fixture",
		"data.object.customer":            "cus_fixture",
	}
	for field, want := range checks {
		if diff := cmp.Diff(want, valueAt(event, field)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", field, diff)
		}
	}
}

func TestSendErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	eventFile := writeEventFile(t, inlineEvent)
	notEventFile := writeEventFile(t, `{"id":"cs_1","object":"checkout.session"}`)
	missingFile := filepath.Join(t.TempDir(), "missing.json")
	secretArgs := []string{"-secret", stripegatetest.NewSecret()}

	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		wantErr   string
		wantUsage bool
	}{
		{name: "missing secret", args: []string{eventFile}, wantErr: "missing signing secret: set -secret or STRIPE_WEBHOOK_SECRET", wantUsage: true},
		{name: "empty first secret", env: map[string]string{secretEnv: ",whsec_x"}, args: []string{eventFile}, wantErr: "invalid STRIPE_WEBHOOK_SECRET: the first comma-separated entry is empty", wantUsage: true},
		{name: "missing file argument", args: secretArgs, wantErr: "missing event FILE", wantUsage: true},
		{name: "flag after file", args: append(append([]string{}, secretArgs...), eventFile, "-user", "u"), wantErr: "expected one event FILE, got 3 arguments", wantUsage: true},
		{name: "id with keep-id", args: append([]string{"-id", "evt_1", "-keep-id"}, append(secretArgs, eventFile)...), wantErr: "-id and -keep-id cannot be used together", wantUsage: true},
		{name: "created not a number", args: append([]string{"-created", "yesterday"}, append(secretArgs, eventFile)...), wantErr: `invalid -created "yesterday"`, wantUsage: true},
		{name: "created zero", args: append([]string{"-created", "0"}, append(secretArgs, eventFile)...), wantErr: `invalid -created "0"`, wantUsage: true},
		{name: "timeout zero", args: append([]string{"-timeout", "0s"}, append(secretArgs, eventFile)...), wantErr: "invalid -timeout 0s: must be positive", wantUsage: true},
		{name: "url without scheme", args: append([]string{"-url", "localhost:4242/webhook"}, append(secretArgs, eventFile)...), wantErr: "expected an http or https URL", wantUsage: true},
		{name: "url without host", args: append([]string{"-url", "http:///webhook"}, append(secretArgs, eventFile)...), wantErr: "missing host", wantUsage: true},
		{name: "user key without user", args: append([]string{"-user-key", "account_id"}, append(secretArgs, eventFile)...), wantErr: "-user-key needs -user", wantUsage: true},
		{name: "empty user key", args: append([]string{"-user", "u", "-user-key", ""}, append(secretArgs, eventFile)...), wantErr: "invalid -user-key: must not be empty", wantUsage: true},
		{name: "unknown flag", args: append([]string{"-verbose"}, append(secretArgs, eventFile)...), wantErr: "flag provided but not defined: -verbose", wantUsage: true},
		{name: "file not found", args: append(append([]string{}, secretArgs...), missingFile), wantErr: "read event file: open " + missingFile},
		{name: "file not an event", args: append(append([]string{}, secretArgs...), notEventFile), wantErr: `expected "event"`},
		{name: "connection refused", args: append([]string{"-url", closedURL}, append(secretArgs, eventFile)...), wantErr: "connection to " + closedURL + " refused"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result := runCommand(t, tt.env, append([]string{"send"}, tt.args...)...)

			assertErrorContains(t, result.err, tt.wantErr)
			wantCode := 1
			if tt.wantUsage {
				wantCode = 2
			}
			if code := reportError(result.err, io.Discard); code != wantCode {
				t.Errorf("exit status = %d, expected %d", code, wantCode)
			}
		})
	}
}

func TestSendTimeout(t *testing.T) {
	// The endpoint responds only after the test ends, so only -timeout can
	// end the request. Closing release lets the handler return before
	// server.Close waits for it.
	release := make(chan struct{})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer server.Close()
	defer close(release)
	file := writeEventFile(t, inlineEvent)

	result := runCommand(t, nil, "send", "-url", server.URL, "-secret", stripegatetest.NewSecret(), "-timeout", "50ms", file)

	assertErrorContains(t, result.err, "no response from "+server.URL+" within 50ms")
	if !errors.Is(result.err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded", result.err)
	}
}

func TestSendHelp(t *testing.T) {
	result := runCommand(t, nil, "send", "-h")

	if result.err != nil {
		t.Fatalf("send -h failed: %v", result.err)
	}
	if !strings.Contains(result.stdout, "Flags of send") {
		t.Errorf("stdout = %q, expected the usage", result.stdout)
	}
}

func decodeEvent(t *testing.T, body []byte) map[string]any {
	t.Helper()

	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var event map[string]any
	if err := dec.Decode(&event); err != nil {
		t.Fatalf("decode event %s: %v", body, err)
	}
	return event
}

// valueAt returns the value at a dot-separated path, or a string naming the
// missing part when the path does not exist.
func valueAt(event map[string]any, path string) any {
	var current any = event
	for _, key := range strings.Split(path, ".") {
		object, ok := current.(map[string]any)
		if !ok {
			return "<not an object above " + key + ">"
		}
		current, ok = object[key]
		if !ok {
			return "<missing " + key + ">"
		}
	}
	return current
}

func assertErrorContains(t *testing.T, err error, want string) {
	t.Helper()

	if err == nil {
		t.Fatalf("got no error, expected one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, expected it to contain %q", err, want)
	}
}
