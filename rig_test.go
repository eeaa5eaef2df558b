package stripegate_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/memstore"
	"github.com/stripegate/stripegate/stripegatetest"
)

// Ids of the fixture scenarios; see testdata/events/README.md.
const fixtureUser = "user_42"

type era struct {
	dir          string
	customer     string
	subscription string
	cardPayment  string
}

var eras = []era{
	{dir: "2022-11-15", customer: "cus_Nj5B57LZqvnaIg", subscription: "sub_1N0Qf5LKkAKty0Q8ocjnVxrK", cardPayment: "pi_1Mxd0wLKkAKty0Q87fIqvZs9"},
	{dir: "2026-08-26.dahlia", customer: "cus_QXg1o8vcGmoR32", subscription: "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw", cardPayment: "pi_1PgafyB7WZ01zgkWSjxsAJo3"},
}

// rig is a webhook handler on a real loopback server, backed by a memstore
// or a store the test wraps, with its log lines captured.
type rig struct {
	t       *testing.T
	secret  string
	store   stripegate.EntitlementStore
	handler *stripegate.WebhookHandler
	server  *httptest.Server
	logs    *lockedBuffer
	reports *reportLog
}

// newRig starts a rig; configure, when not nil, edits the config before
// the handler is built.
func newRig(t *testing.T, configure func(*stripegate.WebhookConfig)) *rig {
	t.Helper()
	r := &rig{t: t, secret: stripegatetest.NewSecret(), logs: &lockedBuffer{}, reports: &reportLog{}}
	cfg := stripegate.WebhookConfig{
		Secrets: []string{r.secret},
		Store:   memstore.New(),
		Logger:  slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		OnEvent: r.reports.add,
	}
	if configure != nil {
		configure(&cfg)
	}

	h, err := stripegate.NewWebhookHandler(cfg)
	if err != nil {
		t.Fatalf("NewWebhookHandler: %v", err)
	}
	r.store, r.handler = cfg.Store, h
	r.server = httptest.NewServer(h)
	t.Cleanup(r.server.Close)
	t.Cleanup(func() { checkLogHygiene(t, r.logs.String(), r.secret) })
	return r
}

// post sends a signed body and returns the status and response body.
func (r *rig) post(body []byte) (int, string) {
	r.t.Helper()
	resp, err := stripegatetest.Post(context.Background(), r.server.Client(), r.server.URL, body, r.secret)
	if err != nil {
		r.t.Fatalf("post: %v", err)
	}
	return readResponse(r.t, resp)
}

// postRaw sends a body with the given Stripe-Signature header.
func (r *rig) postRaw(body []byte, signature string) (int, string) {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.server.URL, bytes.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	resp, err := r.server.Client().Do(req)
	if err != nil {
		r.t.Fatalf("post: %v", err)
	}
	return readResponse(r.t, resp)
}

// deliver edits a fixture, sends it signed and checks the status is 200.
// It returns the outcome the handler reported.
func (r *rig) deliver(e era, name string, opts ...stripegatetest.EditOption) stripegate.Outcome {
	r.t.Helper()
	status, body := r.post(fixture(r.t, e, name, opts...))
	if status != http.StatusOK {
		r.t.Fatalf("%s/%s: status %d (%s), want 200", e.dir, name, status, body)
	}
	return stripegate.Outcome(bytes.TrimSpace([]byte(body)))
}

func (r *rig) entitlement(userID string) stripegate.Entitlement {
	r.t.Helper()
	e, err := r.store.Entitlement(context.Background(), userID)
	if err != nil {
		r.t.Fatalf("Entitlement(%q): %v", userID, err)
	}
	return e
}

func (r *rig) paymentLog(userID string) []stripegate.LogEntry {
	r.t.Helper()
	entries, err := r.store.PaymentLog(context.Background(), userID, 0)
	if err != nil {
		r.t.Fatalf("PaymentLog(%q): %v", userID, err)
	}
	return entries
}

// fixture reads a testdata event and applies the edit options.
func fixture(t testing.TB, e era, name string, opts ...stripegatetest.EditOption) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "events", e.dir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) == 0 {
		return body
	}
	edited, err := stripegatetest.Edit(body, opts...)
	if err != nil {
		t.Fatalf("edit %s: %v", name, err)
	}
	return edited
}

func readResponse(t testing.TB, resp *http.Response) (int, string) {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// checkLogHygiene fails the test when a log line carries the secret or a
// signature. The body is never logged either: the check looks for the
// object's JSON and for what only the fixtures' bodies contain, the
// customer's email and the card details (the field names last4,
// fingerprint and exp_year, and Stripe's test card number). Field names
// that the policy reads, such as client_reference_id, may appear in an
// error that names a field of the wrong type.
func checkLogHygiene(t *testing.T, logs, secret string) {
	t.Helper()
	for _, leak := range []string{
		secret, "whsec_", "v1=", `"object"`, "jenny.rosen@example.com",
		"last4", "fingerprint", "exp_year", "4242424242424242",
	} {
		if bytes.Contains([]byte(logs), []byte(leak)) {
			t.Errorf("logs contain %q:\n%s", leak, logs)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for the concurrent writes of a
// logger shared by server goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
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

// reportLog collects the reports of WebhookConfig.OnEvent.
type reportLog struct {
	mu      sync.Mutex
	reports []stripegate.Report
}

func (l *reportLog) add(r stripegate.Report) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reports = append(l.reports, r)
}

func (l *reportLog) last() stripegate.Report {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.reports) == 0 {
		return stripegate.Report{}
	}
	return l.reports[len(l.reports)-1]
}

func discardLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
