package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/memstore"
	"github.com/stripegate/stripegate/stripegatetest"
)

// fixtureDir holds the recorded events that the stream uses as templates.
const fixtureDir = "../testdata/events/2026-08-26.dahlia"

// streamEvent is one signed-to-be event of a user's stream.
type streamEvent struct {
	id      string
	userID  string
	created time.Time
	body    []byte
}

// instance is one app instance: a webhook handler on its own pool and
// Store, behind its own loopback server.
type instance struct {
	server  *httptest.Server
	reports *outcomeCounter
}

// TestSeveralInstances runs two app instances over one schema, each with its
// own pool, Store, webhook handler and loopback server, and sends them a
// shuffled stream of events for 50 users from 16 concurrent senders,
// alternating between the instances. Every fifth event is delivered twice.
// Every response must be 200, each user's final entitlement must equal the
// one that applying the same events once in created order to a memstore
// gives, and each event ID must appear exactly once in its user's payment
// log.
func TestSeveralInstances(t *testing.T) {
	const users, senders = 50, 16
	secret := stripegatetest.NewSecret()
	retries := &countingHandler{}
	first := newTestStore(t, testPool(t), Config{Logger: slog.New(retries)})

	instances := []*instance{
		newInstance(t, first, secret),
		newInstance(t, openSharedStore(t, first.Schema(), retries), secret),
	}

	events := buildStream(t, users)
	deliveries := shuffledDeliveries(events)

	start := time.Now()
	statuses := sendConcurrently(t, deliveries, instances, secret, senders)
	elapsed := time.Since(start)
	t.Logf("%d deliveries (%d events) to 2 instances from %d senders in %s: %.0f deliveries/s (information only)",
		len(deliveries), len(events), senders, elapsed.Round(time.Millisecond), float64(len(deliveries))/elapsed.Seconds())
	t.Logf("%d transactions retried after a serialization failure or deadlock (information only)", retries.n.Load())

	for i, status := range statuses {
		if status != http.StatusOK {
			t.Errorf("delivery %d (event %s): status %d, want 200", i, deliveries[i].id, status)
		}
	}
	duplicates := instances[0].reports.count(stripegate.OutcomeDuplicate) + instances[1].reports.count(stripegate.OutcomeDuplicate)
	if want := len(deliveries) - len(events); duplicates != want {
		t.Errorf("%d deliveries reported %q, want %d (one per redelivered event)", duplicates, stripegate.OutcomeDuplicate, want)
	}

	expected := applyInOrder(t, events, secret)
	for i := range users {
		userID := streamUser(i)
		checkSameEntitlement(t, first, expected, userID)
		checkLogIDs(t, first, userID, eventIDsOf(events, userID))
	}
}

// openSharedStore opens a second Store, on a pool of its own, over the
// schema of the first, as another process would. Its retries are logged to
// retries.
func openSharedStore(t *testing.T, schema string, retries slog.Handler) *Store {
	t.Helper()
	s, err := New(testPool(t), Config{Schema: schema, Logger: slog.New(retries)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate of the second instance: %v", err)
	}
	return s
}

func newInstance(t *testing.T, s *Store, secret string) *instance {
	t.Helper()
	in := &instance{reports: &outcomeCounter{}}
	h, err := stripegate.NewWebhookHandler(stripegate.WebhookConfig{
		Secrets: []string{secret},
		Store:   s,
		Logger:  slog.New(slog.DiscardHandler),
		OnEvent: in.reports.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	in.server = httptest.NewServer(h)
	t.Cleanup(in.server.Close)
	return in
}

// outcomeCounter counts the outcomes that a handler reports.
type outcomeCounter struct {
	mu     sync.Mutex
	counts map[stripegate.Outcome]int
}

func (c *outcomeCounter) add(r stripegate.Report) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = make(map[stripegate.Outcome]int)
	}
	c.counts[r.Outcome]++
}

func (c *outcomeCounter) count(o stripegate.Outcome) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[o]
}

func streamUser(i int) string { return fmt.Sprintf("user_%03d", i) }

// buildStream returns every user's events in created order. Each user
// subscribes through checkout, which links the customer, and renews. Every
// second user then fails a renewal and pays it, every third buys once by
// card, and every sixth is refunded for that purchase. The subscription
// ends updated to active, or deleted for every fourth user. Only
// checkout and payment intent events name the user: invoices and
// subscriptions name only the customer, so out-of-order delivery makes
// them wait for the link.
//
// The last event of each subscription is a subscription event, which
// carries the billing period end, so the final PeriodEnd does not depend
// on the delivery order.
func buildStream(t *testing.T, users int) []streamEvent {
	t.Helper()
	t0 := time.Date(2026, time.September, 1, 10, 0, 0, 0, time.UTC)
	var events []streamEvent
	for i := range users {
		userID := streamUser(i)
		ids := streamIDs{
			customer:     fmt.Sprintf("cus_Multi%03d", i),
			subscription: fmt.Sprintf("sub_1Multi%03d", i),
			checkout:     fmt.Sprintf("cs_test_Multi%03d", i),
			payment:      fmt.Sprintf("pi_3Multi%03d", i),
		}
		step := 0
		next := func() time.Time {
			step++
			return t0.Add(time.Duration(i)*time.Second + time.Duration(step)*time.Hour)
		}
		add := func(body []byte) {
			events = append(events, parseStreamEvent(t, userID, body))
		}

		add(editFixture(t, "checkout.session.completed.subscription", next(),
			stripegatetest.WithUser(userID),
			stripegatetest.WithCustomer(ids.customer),
			stripegatetest.WithObjectField("id", ids.checkout),
			stripegatetest.WithObjectField("subscription", ids.subscription)))
		add(invoiceEvent(t, "invoice.paid", next(), ids))
		if i%2 == 0 {
			add(invoiceEvent(t, "invoice.payment_failed", next(), ids))
			add(invoiceEvent(t, "invoice.paid", next(), ids))
		}
		if i%3 == 0 {
			add(paymentIntentEvent(t, next(), userID, ids))
		}
		if i%6 == 0 {
			add(editFixture(t, "charge.refunded", next(),
				stripegatetest.WithCustomer(ids.customer),
				stripegatetest.WithObjectField("id", fmt.Sprintf("ch_3Multi%03d", i)),
				stripegatetest.WithObjectField("payment_intent", ids.payment)))
		}
		if i%4 == 0 {
			add(subscriptionEvent(t, "customer.subscription.deleted", "canceled", next(), ids))
		} else {
			add(subscriptionEvent(t, "customer.subscription.updated", "active", next(), ids))
		}
	}
	return events
}

// streamIDs are the Stripe object IDs of one user.
type streamIDs struct {
	customer, subscription, checkout, payment string
}

func invoiceEvent(t *testing.T, name string, created time.Time, ids streamIDs) []byte {
	t.Helper()
	return editFixture(t, name, created,
		stripegatetest.WithCustomer(ids.customer),
		stripegatetest.WithObjectField("id", "in_"+ids.subscription[len("sub_"):]+created.Format("150405")),
		stripegatetest.WithObjectField("parent.subscription_details.subscription", ids.subscription))
}

func subscriptionEvent(t *testing.T, name, status string, created time.Time, ids streamIDs) []byte {
	t.Helper()
	return editFixture(t, name, created,
		stripegatetest.WithCustomer(ids.customer),
		stripegatetest.WithObjectField("id", ids.subscription),
		stripegatetest.WithObjectField("status", status))
}

// paymentIntentEvent builds a one-time card payment from scratch with
// NewEvent, naming the user in the payment intent's metadata.
func paymentIntentEvent(t *testing.T, created time.Time, userID string, ids streamIDs) []byte {
	t.Helper()
	object := map[string]any{
		"id":       ids.payment,
		"object":   "payment_intent",
		"amount":   2000,
		"currency": "usd",
		"customer": ids.customer,
		"livemode": false,
		"metadata": map[string]string{},
		"status":   "succeeded",
	}
	body, err := stripegatetest.NewEvent("payment_intent.succeeded", object,
		stripegatetest.WithCreated(created),
		stripegatetest.WithUser(userID))
	if err != nil {
		t.Fatalf("NewEvent(payment_intent.succeeded): %v", err)
	}
	return body
}

// editFixture reads a recorded event and gives it a new ID, the created
// time and the other edits.
func editFixture(t *testing.T, name string, created time.Time, opts ...stripegatetest.EditOption) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtureDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]stripegatetest.EditOption{stripegatetest.WithNewID(), stripegatetest.WithCreated(created)}, opts...)
	body, err := stripegatetest.Edit(raw, opts...)
	if err != nil {
		t.Fatalf("edit %s: %v", name, err)
	}
	return body
}

func parseStreamEvent(t *testing.T, userID string, body []byte) streamEvent {
	t.Helper()
	var envelope struct {
		ID      string `json:"id"`
		Created int64  `json:"created"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil {
		t.Fatalf("decode a built event: %v", err)
	}
	return streamEvent{id: envelope.ID, userID: userID, created: time.Unix(envelope.Created, 0), body: body}
}

// shuffledDeliveries returns the events with every fifth one twice, in an
// order shuffled with a fixed seed.
func shuffledDeliveries(events []streamEvent) []streamEvent {
	var deliveries []streamEvent
	for i, e := range events {
		deliveries = append(deliveries, e)
		if i%5 == 0 {
			deliveries = append(deliveries, e)
		}
	}
	rng := rand.New(rand.NewPCG(2026, 9))
	rng.Shuffle(len(deliveries), func(i, j int) {
		deliveries[i], deliveries[j] = deliveries[j], deliveries[i]
	})
	return deliveries
}

// sendConcurrently posts delivery k to instance k%2 from a fixed number of
// senders and returns each delivery's status (0 when the request failed).
func sendConcurrently(t *testing.T, deliveries []streamEvent, instances []*instance, secret string, senders int) []int {
	t.Helper()
	statuses := make([]int, len(deliveries))
	next := make(chan int)
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				statuses[k] = post(t, instances[k%len(instances)].server, deliveries[k].body, secret)
			}
		}()
	}
	for k := range deliveries {
		next <- k
	}
	close(next)
	wg.Wait()
	return statuses
}

// post sends one signed delivery and returns its status, or 0 after
// reporting an error.
func post(t *testing.T, server *httptest.Server, body []byte, secret string) int {
	resp, err := stripegatetest.Post(context.Background(), server.Client(), server.URL, body, secret)
	if err != nil {
		t.Errorf("post: %v", err)
		return 0
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

// applyInOrder sends each event once, in created order, to a webhook
// handler over a fresh memstore, and returns the store.
func applyInOrder(t *testing.T, events []streamEvent, secret string) *memstore.Store {
	t.Helper()
	ordered := slices.Clone(events)
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].created.Before(ordered[j].created) })

	mem := memstore.New()
	h, err := stripegate.NewWebhookHandler(stripegate.WebhookConfig{
		Secrets: []string{secret},
		Store:   mem,
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ordered {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, stripegatetest.NewRequest("/webhook", e.body, secret))
		if rec.Code != http.StatusOK {
			t.Fatalf("in-order delivery of %s to memstore: status %d (%s)", e.id, rec.Code, rec.Body)
		}
	}
	return mem
}

func checkSameEntitlement(t *testing.T, got *Store, want *memstore.Store, userID string) {
	t.Helper()
	ctx := context.Background()
	wantEnt, err := want.Entitlement(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	gotEnt, err := got.Entitlement(ctx, userID)
	if err != nil {
		t.Fatalf("Entitlement(%q): %v", userID, err)
	}
	if wantEnt.UpdatedAt.IsZero() {
		t.Errorf("Entitlement(%q) after in-order application is the zero entitlement: the stream did not reach the user", userID)
	}
	if diff := cmp.Diff(wantEnt, gotEnt); diff != "" {
		t.Errorf("Entitlement(%q) differs from in-order application (-in order +concurrent):\n%s", userID, diff)
	}
}

func checkLogIDs(t *testing.T, s *Store, userID string, want []string) {
	t.Helper()
	log, err := s.PaymentLog(context.Background(), userID, 0)
	if err != nil {
		t.Fatalf("PaymentLog(%q): %v", userID, err)
	}
	got := make([]string, len(log))
	for i, e := range log {
		got[i] = e.EventID
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PaymentLog(%q) event IDs, sorted (-want +got):\n%s", userID, diff)
	}
}

// eventIDsOf returns the sorted IDs of the user's events.
func eventIDsOf(events []streamEvent, userID string) []string {
	var ids []string
	for _, e := range events {
		if e.userID == userID {
			ids = append(ids, e.id)
		}
	}
	slices.Sort(ids)
	return ids
}
