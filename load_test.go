package stripegate_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stripegate/stripegate/stripegatetest"
)

// Scale of TestWebhookLoad. The race detector slows it about tenfold (1.7 s
// against 15.9 s on a 2-core VM), so under it, and under -short, the test
// sends a quarter of the events.
const (
	loadUsers         = 1000
	loadEventsPerUser = 10
	loadSenders       = 32
	loadSeed          = 20261204
)

// loadEvent is one event of the load test, in the order it was created.
type loadEvent struct {
	user string
	body []byte
}

// loadKinds are the event kinds a user's events are drawn from, with the
// fixture each is built from and its object status, if any. The last two
// end the subscription for good.
var loadKinds = []struct {
	fixture string
	status  string
}{
	{"customer.subscription.created", "active"},
	{"customer.subscription.updated", "active"},
	{"customer.subscription.updated", "past_due"},
	{"customer.subscription.updated", "unpaid"},
	{"invoice.paid", ""},
	{"invoice.paid", ""},
	{"invoice.payment_failed", ""},
	{"customer.subscription.updated", "canceled"},
	{"customer.subscription.deleted", ""},
}

// Placeholders in the event templates, replaced in each event's body.
const (
	placeholderEvent   = "evt_LoadPlaceholder0000000"
	placeholderUser    = "user_load_placeholder"
	placeholderCreated = "\n  \"created\": 1000000001,"
)

// TestWebhookLoad sends events for many users from concurrent senders, in
// shuffled order, with a fifth of them delivered twice. Every user must
// end with the access that the same events give when a second handler
// applies them once each, in the order they were created.
func TestWebhookLoad(t *testing.T) {
	users := loadUsers
	if testing.Short() || raceEnabled {
		users /= 4
	}
	events := buildLoadEvents(t, users)

	rng := rand.New(rand.NewPCG(loadSeed, loadSeed))
	deliveries := make([]int, 0, len(events)+len(events)/5)
	for i := range events {
		deliveries = append(deliveries, i)
	}
	for _, i := range rng.Perm(len(events))[:len(events)/5] {
		deliveries = append(deliveries, i)
	}
	rng.Shuffle(len(deliveries), func(i, j int) { deliveries[i], deliveries[j] = deliveries[j], deliveries[i] })

	r := newRig(t, nil)
	start := time.Now()
	latencies := sendConcurrently(t, r, events, deliveries)
	logThroughput(t, time.Since(start), latencies)

	reference := newRig(t, nil)
	for _, ev := range events {
		req := stripegatetest.NewRequest("/webhook", ev.body, reference.secret)
		rec := httptest.NewRecorder()
		reference.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("reference delivery: status %d: %s", rec.Code, rec.Body)
		}
	}

	checkLoadResult(t, r, reference, users)
}

// buildLoadEvents returns loadEventsPerUser events for each user, with
// increasing created times, in created order.
func buildLoadEvents(t *testing.T, users int) []loadEvent {
	t.Helper()
	templates := make([][]byte, len(loadKinds))
	for i, kind := range loadKinds {
		opts := []stripegatetest.EditOption{
			stripegatetest.WithID(placeholderEvent),
			stripegatetest.WithUser(placeholderUser),
			stripegatetest.WithCreated(time.Unix(1000000001, 0)),
		}
		if kind.status != "" {
			opts = append(opts, stripegatetest.WithObjectField("status", kind.status))
		}
		templates[i] = fixture(t, eras[1], kind.fixture, opts...)
		if !bytes.Contains(templates[i], []byte(placeholderCreated)) {
			t.Fatalf("%s: created placeholder not found", kind.fixture)
		}
	}

	rng := rand.New(rand.NewPCG(loadSeed, 1))
	base := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC).Unix()
	events := make([]loadEvent, 0, users*loadEventsPerUser)
	for k := range loadEventsPerUser {
		for u := range users {
			// The ending kinds are drawn rarely, so most users keep some
			// state to compare.
			kind := rng.IntN(len(loadKinds) - 2)
			if rng.IntN(30) == 0 {
				kind = len(loadKinds) - 1 - rng.IntN(2)
			}
			created := base + int64(k*users+u)
			events = append(events, loadEvent{
				user: "user_load_" + strconv.Itoa(u),
				body: loadBody(templates[kind], u, len(events), created),
			})
		}
	}
	return events
}

// loadBody fills a template in for user u: its own customer, subscription
// and invoice, a new event ID and the created time.
func loadBody(template []byte, u, n int, created int64) []byte {
	e := eras[1]
	replacements := []string{
		placeholderEvent, fmt.Sprintf("evt_Load%019d", n),
		placeholderUser, "user_load_" + strconv.Itoa(u),
		placeholderCreated, "\n  \"created\": " + strconv.FormatInt(created, 10) + ",",
		e.customer, fmt.Sprintf("cus_Load%010d", u),
		e.subscription, fmt.Sprintf("sub_Load%020d", u),
		"in_1Pgc6tB7WZ01zgkWu9fdqL6I", fmt.Sprintf("in_Load%021d", n),
		"in_1Pgc76B7WZ01zgkWgb6MneZ2", fmt.Sprintf("in_Load%021d", n),
	}
	body := template
	for i := 0; i < len(replacements); i += 2 {
		body = bytes.ReplaceAll(body, []byte(replacements[i]), []byte(replacements[i+1]))
	}
	return body
}

// sendConcurrently delivers events[deliveries[i]] for every i from
// loadSenders goroutines and returns each request's latency. It fails the
// test on any status but 200.
func sendConcurrently(t *testing.T, r *rig, events []loadEvent, deliveries []int) []time.Duration {
	t.Helper()
	transport := r.server.Client().Transport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = loadSenders
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	defer transport.CloseIdleConnections()

	jobs := make(chan int)
	latencies := make([]time.Duration, len(deliveries))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for range loadSenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				start := time.Now()
				status, err := postStatus(client, r, events[deliveries[i]].body)
				latencies[i] = time.Since(start)
				if err != nil || status != http.StatusOK {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("delivery %d: status %d, error %v", i, status, err))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range deliveries {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	if len(failures) > 0 {
		t.Fatalf("%d of %d deliveries failed, first: %s", len(failures), len(deliveries), failures[0])
	}
	return latencies
}

func postStatus(client *http.Client, r *rig, body []byte) (int, error) {
	resp, err := stripegatetest.Post(context.Background(), client, r.server.URL, body, r.secret)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var sink bytes.Buffer
	_, err = sink.ReadFrom(resp.Body)
	return resp.StatusCode, err
}

// logThroughput logs deliveries per second and the 99th percentile
// latency, as information only: the machine decides both.
func logThroughput(t *testing.T, elapsed time.Duration, latencies []time.Duration) {
	t.Helper()
	sorted := slices.Clone(latencies)
	slices.Sort(sorted)
	p99 := sorted[len(sorted)*99/100]
	t.Logf("%d deliveries from %d senders in %s: %.0f per second, p99 latency %s (race detector: %v)",
		len(latencies), loadSenders, elapsed.Round(time.Millisecond), float64(len(latencies))/elapsed.Seconds(),
		p99.Round(time.Microsecond), raceEnabled)
}

// checkLoadResult compares every user's access and payment log with the
// reference, and checks that both outcomes occur, so the comparison means
// something.
func checkLoadResult(t *testing.T, r, reference *rig, users int) {
	t.Helper()
	now := time.Now()
	active := 0
	for u := range users {
		user := "user_load_" + strconv.Itoa(u)
		got, want := r.entitlement(user), reference.entitlement(user)
		if got.Active != want.Active || got.Allows(now) != want.Allows(now) {
			t.Errorf("%s: active %v, want %v as applied in order", user, got.Active, want.Active)
		}
		if n := len(r.paymentLog(user)); n != loadEventsPerUser {
			t.Errorf("%s: %d payment log entries, want one per event, %d", user, n, loadEventsPerUser)
		}
		if want.Active {
			active++
		}
	}

	t.Logf("%d of %d users end with access", active, users)
	if active == 0 || active == users {
		t.Errorf("%d of %d users end with access; the events should leave some with and some without", active, users)
	}
}
