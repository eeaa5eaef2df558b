package stripegate_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/memstore"
	"github.com/stripegate/stripegate/stripegatetest"
)

// benchFixtures are the events the webhook benchmarks send: real Stripe
// bodies of API version 2026-08-26.dahlia, pretty-printed as Stripe sends
// them, 4 to 6 KB each.
var benchFixtures = []string{
	"checkout.session.completed",
	"invoice.paid",
	"customer.subscription.updated",
}

// benchBatch is how many distinct events a benchmark sends before it starts
// again on an empty store, outside the timer. Every timed request is a new
// event ID, so each one reaches the store as a real apply, never as a
// duplicate.
const benchBatch = 1024

// benchEvents holds benchBatch copies of one fixture, each with its own
// event ID of the same length, so all bodies have the same size.
type benchEvents struct {
	bodies [][]byte
}

func newBenchEvents(b *testing.B, name string) *benchEvents {
	b.Helper()
	events := &benchEvents{bodies: make([][]byte, benchBatch)}
	for i := range events.bodies {
		id := fmt.Sprintf("evt_1Bench%014d", i)
		events.bodies[i] = fixture(b, eras[1], name, stripegatetest.WithID(id))
	}
	return events
}

// requests returns one signed request per body, signed now. The handler
// checks the timestamp against the real clock, so each batch is signed
// again just before it is sent.
func (e *benchEvents) requests(secret string) []*http.Request {
	reqs := make([]*http.Request, len(e.bodies))
	now := time.Now()
	for i, body := range e.bodies {
		reqs[i] = &http.Request{
			Method:        http.MethodPost,
			Header:        http.Header{"Stripe-Signature": {stripegatetest.Sign(body, secret, now)}},
			Body:          &requestBody{Reader: bytes.NewReader(body)},
			ContentLength: int64(len(body)),
		}
	}
	return reqs
}

// requestBody is a request body that costs no allocation to send.
type requestBody struct{ *bytes.Reader }

func (requestBody) Close() error { return nil }

// runWebhookBench sends the events through handlers that newHandler builds,
// one handler and one empty store per batch.
func runWebhookBench(b *testing.B, events *benchEvents, secret string, newHandler func() http.Handler) {
	b.Helper()
	b.ReportAllocs()
	b.SetBytes(int64(len(events.bodies[0])))

	var handler http.Handler
	var reqs []*http.Request
	b.ResetTimer()
	for i := range b.N {
		n := i % benchBatch
		if n == 0 {
			b.StopTimer()
			handler, reqs = newHandler(), events.requests(secret)
			b.StartTimer()
		}

		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, reqs[n])
		if rec.Code != http.StatusOK {
			b.Fatalf("request %d: status %d: %s", i, rec.Code, rec.Body)
		}
	}
}

// benchLogger formats every line as JSON and discards it, so the cost of
// logging is measured as a production logger would pay it.
func benchLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(io.Discard, nil))
}

// BenchmarkWebhookHandler measures a whole delivery through ServeHTTP:
// reading the body, verifying the signature, decoding, the policy, and the
// apply into a memstore.
func BenchmarkWebhookHandler(b *testing.B) {
	secret := stripegatetest.NewSecret()
	for _, name := range benchFixtures {
		events := newBenchEvents(b, name)
		b.Run(name, func(b *testing.B) {
			runWebhookBench(b, events, secret, func() http.Handler {
				h, err := stripegate.NewWebhookHandler(stripegate.WebhookConfig{
					Secrets: []string{secret},
					Store:   memstore.New(),
					Logger:  benchLogger(),
				})
				if err != nil {
					b.Fatal(err)
				}
				return h
			})
		})
	}
}

// BenchmarkConstructEventBaseline does the same work the common way:
// stripe-go's webhook.ConstructEventWithOptions, then a Change built by
// hand from the fields of the decoded event, applied to a memstore, with
// the same log line and response.
func BenchmarkConstructEventBaseline(b *testing.B) {
	secret := stripegatetest.NewSecret()
	for _, name := range benchFixtures {
		events := newBenchEvents(b, name)
		b.Run(name, func(b *testing.B) {
			runWebhookBench(b, events, secret, func() http.Handler {
				return &baselineHandler{secret: secret, store: memstore.New(), logger: benchLogger()}
			})
		})
	}
}

// BenchmarkVerifyOnly measures the floor: the HMAC-SHA256 of one body, as
// stripe-go's webhook.ComputeSignature computes it.
func BenchmarkVerifyOnly(b *testing.B) {
	secret := stripegatetest.NewSecret()
	for _, name := range benchFixtures {
		b.Run(name, func(b *testing.B) {
			body := fixture(b, eras[1], name)
			now := time.Now()
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for range b.N {
				if len(webhook.ComputeSignature(now, body, secret)) == 0 {
					b.Fatal("empty signature")
				}
			}
		})
	}
}

// baselineHandler is a webhook endpoint written in the common way: read the
// body, call ConstructEventWithOptions, then read from the event's map of
// the object the fields that this package's policy reads for the three
// benchmark fixtures.
type baselineHandler struct {
	secret string
	store  stripegate.EntitlementStore
	logger *slog.Logger
}

func (h *baselineHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, stripegate.DefaultMaxBodyBytes))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ev, err := webhook.ConstructEventWithOptions(payload, r.Header.Get("Stripe-Signature"), h.secret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}

	c := baselineChange(&ev)
	res, err := h.store.Apply(r.Context(), c)
	if err != nil {
		http.Error(w, "temporary failure", http.StatusServiceUnavailable)
		return
	}

	h.logger.LogAttrs(r.Context(), slog.LevelInfo, "stripe webhook",
		slog.String("event_id", ev.ID), slog.String("event_type", string(ev.Type)),
		slog.String("outcome", string(res.Outcome)), slog.String("user_id", res.UserID),
		slog.String("customer_id", c.CustomerID), slog.String("source_id", c.SourceID))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(string(res.Outcome) + "\n"))
}

// baselineChange reads the Change from the event's decoded object, as a
// hand-written handler does with stripe-go's map of the object.
func baselineChange(ev *stripe.Event) stripegate.Change {
	obj := ev.Data.Object
	c := stripegate.Change{
		EventID:    ev.ID,
		EventType:  string(ev.Type),
		Created:    time.Unix(ev.Created, 0),
		SourceID:   mapString(obj, "id"),
		CustomerID: mapString(obj, "customer"),
		UserID:     mapString(obj, "metadata", "user_id"),
	}

	switch ev.Type {
	case "checkout.session.completed":
		c.UserID = mapString(obj, "client_reference_id")
		c.SourceID = firstString(mapString(obj, "subscription"), mapString(obj, "payment_intent"), c.SourceID)
		if mapString(obj, "payment_status") == "paid" {
			c.Access = stripegate.AccessGrant
		}
	case "invoice.paid":
		c.SourceID = mapString(obj, "parent", "subscription_details", "subscription")
		c.Access = stripegate.AccessGrant
	case "customer.subscription.updated":
		if status := mapString(obj, "status"); status == "active" || status == "trialing" {
			c.Access = stripegate.AccessGrant
		}
		if items, ok := mapValue(obj, "items", "data").([]any); ok && len(items) > 0 {
			if end, ok := mapValue(items[0].(map[string]any), "current_period_end").(float64); ok {
				c.PeriodEnd = time.Unix(int64(end), 0)
			}
		}
	}
	return c
}

func mapValue(m map[string]any, path ...string) any {
	var v any = m
	for _, key := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[key]
	}
	return v
}

func mapString(m map[string]any, path ...string) string {
	s, _ := mapValue(m, path...).(string)
	return s
}

func firstString(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// BenchmarkGate compares a request through Gate, for a user the store
// entitles, with the same request to the protected handler alone.
func BenchmarkGate(b *testing.B) {
	store := memstore.New()
	_, err := store.Apply(context.Background(), stripegate.Change{
		EventID: "evt_1BenchGate", EventType: "invoice.paid", Created: time.Now(),
		SourceID: "sub_1BenchGate", UserID: "user_bench", Access: stripegate.AccessGrant,
	})
	if err != nil {
		b.Fatal(err)
	}
	gate, err := stripegate.NewGate(stripegate.GateConfig{Store: store, UserID: userFromHeader})
	if err != nil {
		b.Fatal(err)
	}

	protected := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	handlers := []struct {
		name    string
		handler http.Handler
	}{
		{"gate", gate.Wrap(protected)},
		{"bare", protected},
	}
	for _, h := range handlers {
		b.Run(h.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/pro", nil)
			req.Header.Set("X-User", "user_bench")
			w := &statusWriter{header: http.Header{}}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				h.handler.ServeHTTP(w, req)
				if w.status != http.StatusNoContent {
					b.Fatalf("status %d, want 204", w.status)
				}
			}
		})
	}
}

// statusWriter is a ResponseWriter that keeps only the status, so the Gate
// benchmark measures the Gate and not the recorder.
type statusWriter struct {
	header http.Header
	status int
}

func (w *statusWriter) Header() http.Header         { return w.header }
func (w *statusWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *statusWriter) WriteHeader(status int)      { w.status = status }
