package stripegate_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/memstore"
	"github.com/stripegate/stripegate/stripegatetest"
)

// faultyStore wraps a store and injects one fault into the next Apply,
// before the inner store writes or, with afterWrite, once it has written.
type faultyStore struct {
	stripegate.EntitlementStore
	afterWrite bool
	mu         sync.Mutex
	fault      func(ctx context.Context) error // nil: no fault
}

func (s *faultyStore) Apply(ctx context.Context, c stripegate.Change) (stripegate.Result, error) {
	s.mu.Lock()
	fault := s.fault
	s.fault = nil
	s.mu.Unlock()

	if fault != nil && !s.afterWrite {
		if err := fault(ctx); err != nil {
			return stripegate.Result{}, err
		}
	}
	res, err := s.EntitlementStore.Apply(ctx, c)
	if err != nil || fault == nil || !s.afterWrite {
		return res, err
	}
	if err := fault(ctx); err != nil {
		return stripegate.Result{}, err
	}
	return res, nil
}

// TestWebhookStoreFaults checks that a failing store gets 503 without
// exposing its error. A fault before the write leaves the event
// unprocessed, so Stripe's retry applies it. The handler cannot see a fault
// after the write, so it still responds 503, and the retry is a duplicate
// that leaves access right. Either way the event is logged once.
func TestWebhookStoreFaults(t *testing.T) {
	errDown := errors.New("database is down")
	tests := []struct {
		name       string
		afterWrite bool
		fault      func(ctx context.Context) error
		wantErr    error
	}{
		{"error", false, func(context.Context) error { return errDown }, stripegate.ErrStore},
		{"panic", false, func(context.Context) error { panic("store bug") }, stripegate.ErrStore},
		{"blocks past deadline", false, func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, stripegate.ErrProcessingTimeout},
		{"ignores deadline", false, func(context.Context) error { time.Sleep(300 * time.Millisecond); return errDown }, stripegate.ErrProcessingTimeout},
		{"error after write", true, func(context.Context) error { return errDown }, stripegate.ErrStore},
		{"panic after write", true, func(context.Context) error { panic("store bug after commit") }, stripegate.ErrStore},
		{"deadline after write", true, func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, stripegate.ErrProcessingTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &faultyStore{EntitlementStore: memstore.New(), afterWrite: tt.afterWrite, fault: tt.fault}
			r := newRig(t, func(c *stripegate.WebhookConfig) {
				c.Store = store
				c.ProcessingTimeout = 50 * time.Millisecond
			})
			body := fixture(t, eras[0], "checkout.session.completed")

			status, resp := r.post(body)
			if status != http.StatusServiceUnavailable {
				t.Errorf("first delivery: status %d, want 503", status)
			}
			if strings.Contains(resp, "database") || strings.Contains(resp, "store bug") {
				t.Errorf("response %q exposes the store's error", resp)
			}
			if rep := r.reports.last(); !errors.Is(rep.Err, tt.wantErr) {
				t.Errorf("reported error %v, want %v", rep.Err, tt.wantErr)
			}
			if active := r.entitlement(fixtureUser).Active; active != tt.afterWrite {
				t.Errorf("after the failed delivery: active %v, want %v", active, tt.afterWrite)
			}

			wantRetry := stripegate.OutcomeGranted
			if tt.afterWrite {
				wantRetry = stripegate.OutcomeDuplicate
			}
			if got := r.deliver(eras[0], "checkout.session.completed"); got != wantRetry {
				t.Errorf("retry: outcome %q, want %q", got, wantRetry)
			}
			if !r.entitlement(fixtureUser).Active {
				t.Error("no access after the retry")
			}
			if n := len(r.paymentLog(fixtureUser)); n != 1 {
				t.Errorf("payment log has %d entries, want 1", n)
			}
		})
	}
}

// lateStore wraps a store whose next Apply ignores ctx: it waits until the
// test releases it, long after the deadline, and then writes anyway.
type lateStore struct {
	stripegate.EntitlementStore
	mu      sync.Mutex
	late    bool
	release chan struct{}
	written chan stripegate.Outcome
}

func (s *lateStore) Apply(ctx context.Context, c stripegate.Change) (stripegate.Result, error) {
	s.mu.Lock()
	late := s.late
	s.late = false
	s.mu.Unlock()
	if !late {
		return s.EntitlementStore.Apply(ctx, c)
	}

	<-s.release
	res, err := s.EntitlementStore.Apply(context.WithoutCancel(ctx), c)
	s.written <- res.Outcome
	return res, err
}

// TestWebhookLateWrite checks a store that writes after the handler gave up
// on it: whether the late write or Stripe's retry comes first, the event is
// applied once.
func TestWebhookLateWrite(t *testing.T) {
	for _, retryFirst := range []bool{false, true} {
		name := "late write first"
		if retryFirst {
			name = "retry first"
		}
		t.Run(name, func(t *testing.T) {
			store := &lateStore{
				EntitlementStore: memstore.New(), late: true,
				release: make(chan struct{}), written: make(chan stripegate.Outcome, 1),
			}
			r := newRig(t, func(c *stripegate.WebhookConfig) {
				c.Store = store
				c.ProcessingTimeout = 20 * time.Millisecond
			})
			body := fixture(t, eras[1], "checkout.session.completed")

			if status, _ := r.post(body); status != http.StatusServiceUnavailable {
				t.Fatalf("first delivery: status %d, want 503", status)
			}
			if rep := r.reports.last(); !errors.Is(rep.Err, stripegate.ErrProcessingTimeout) {
				t.Errorf("reported error %v, want ErrProcessingTimeout", rep.Err)
			}

			wantLate, wantRetry := stripegate.OutcomeGranted, stripegate.OutcomeDuplicate
			if retryFirst {
				wantLate, wantRetry = stripegate.OutcomeDuplicate, stripegate.OutcomeGranted
				if got := r.deliver(eras[1], "checkout.session.completed"); got != wantRetry {
					t.Errorf("retry: outcome %q, want %q", got, wantRetry)
				}
			}
			close(store.release)
			if got := <-store.written; got != wantLate {
				t.Errorf("late write: outcome %q, want %q", got, wantLate)
			}
			if !retryFirst {
				if got := r.deliver(eras[1], "checkout.session.completed"); got != wantRetry {
					t.Errorf("retry: outcome %q, want %q", got, wantRetry)
				}
			}

			if n := len(r.paymentLog(fixtureUser)); n != 1 {
				t.Errorf("payment log has %d entries, want 1", n)
			}
			if !r.entitlement(fixtureUser).Active {
				t.Error("no access after the grant was stored")
			}
		})
	}
}

// TestWebhookRepeatedStoreErrors checks that an event is applied once
// after several failed deliveries, and that later retries are duplicates.
func TestWebhookRepeatedStoreErrors(t *testing.T) {
	store := &faultyStore{EntitlementStore: memstore.New()}
	r := newRig(t, func(c *stripegate.WebhookConfig) { c.Store = store })
	body := fixture(t, eras[1], "checkout.session.completed")

	for i := range 3 {
		store.mu.Lock()
		store.fault = func(context.Context) error { return errors.New("connection refused") }
		store.mu.Unlock()
		if status, _ := r.post(body); status != http.StatusServiceUnavailable {
			t.Errorf("failed delivery %d: status %d, want 503", i, status)
		}
		if r.entitlement(fixtureUser).Active {
			t.Errorf("failed delivery %d granted access", i)
		}
	}

	for i, want := range []stripegate.Outcome{stripegate.OutcomeGranted, stripegate.OutcomeDuplicate, stripegate.OutcomeDuplicate} {
		status, resp := r.post(body)
		if status != http.StatusOK || strings.TrimSpace(resp) != string(want) {
			t.Errorf("delivery %d after the faults: %d %q, want 200 %q", i, status, resp, want)
		}
	}
	if n := len(r.paymentLog(fixtureUser)); n != 1 {
		t.Errorf("payment log has %d entries, want 1", n)
	}
}

// blockingStore blocks in Apply until ctx is done, and reports when it
// started.
type blockingStore struct {
	stripegate.EntitlementStore
	started chan struct{}
}

func (s *blockingStore) Apply(ctx context.Context, _ stripegate.Change) (stripegate.Result, error) {
	close(s.started)
	<-ctx.Done()
	return stripegate.Result{}, ctx.Err()
}

// TestWebhookClientGoneDuringApply checks that a request whose client goes
// away while the store works is a failure, not a success, and that the
// retry applies the event.
func TestWebhookClientGoneDuringApply(t *testing.T) {
	inner := memstore.New()
	blocking := &blockingStore{EntitlementStore: inner, started: make(chan struct{})}
	r := newRig(t, func(c *stripegate.WebhookConfig) { c.Store = blocking })
	body := fixture(t, eras[1], "checkout.session.completed")

	ctx, cancel := context.WithCancel(context.Background())
	req := stripegatetest.NewRequest("/webhook", body, r.secret).WithContext(ctx)
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.handler.ServeHTTP(rec, req)
	}()
	<-blocking.started
	cancel()
	<-done

	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", rec.Code)
	}
	if rep := r.reports.last(); rep.Outcome != stripegate.OutcomeFailed || !errors.Is(rep.Err, context.Canceled) {
		t.Errorf("report %q %v, want failed with context.Canceled", rep.Outcome, rep.Err)
	}

	retry, err := stripegate.NewWebhookHandler(stripegate.WebhookConfig{Secrets: []string{r.secret}, Store: inner, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	retry.ServeHTTP(rec, stripegatetest.NewRequest("/webhook", body, r.secret))
	if got := strings.TrimSpace(rec.Body.String()); rec.Code != http.StatusOK || got != string(stripegate.OutcomeGranted) {
		t.Errorf("retry: %d %q, want 200 granted", rec.Code, got)
	}
}

// panickyStore panics in every lookup.
type panickyStore struct{ stripegate.EntitlementStore }

func (panickyStore) Entitlement(context.Context, string) (stripegate.Entitlement, error) {
	panic("lookup bug")
}

// stuckStore blocks in every lookup until ctx is done.
type stuckStore struct{ stripegate.EntitlementStore }

func (stuckStore) Entitlement(ctx context.Context, _ string) (stripegate.Entitlement, error) {
	<-ctx.Done()
	return stripegate.Entitlement{}, ctx.Err()
}

// TestGateStoreFaults checks that the Gate fails closed when its store
// panics or hangs: the protected handler is never reached.
func TestGateStoreFaults(t *testing.T) {
	tests := []struct {
		name  string
		store stripegate.EntitlementStore
	}{
		{"lookup panics", panickyStore{}},
		{"lookup hangs until the client gives up", stuckStore{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reached atomic.Int32
			protected := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached.Add(1)
				_, _ = w.Write([]byte("pro content"))
			})
			gate, err := stripegate.NewGate(stripegate.GateConfig{Store: tt.store, UserID: userFromHeader, Logger: discardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			server := httptest.NewUnstartedServer(gate.Wrap(protected))
			server.Config.ErrorLog = log.New(io.Discard, "", 0) // the panic's stack trace
			server.Start()
			defer server.Close()

			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, server.URL+"/pro", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-User", "paid")
			resp, err := server.Client().Do(req)
			if err == nil {
				status, body := readResponse(t, resp)
				if status < 500 || strings.Contains(body, "pro content") {
					t.Errorf("status %d %q, want a 5xx or no response", status, body)
				}
			}
			if n := reached.Load(); n != 0 {
				t.Errorf("the protected handler ran %d times", n)
			}
		})
	}
}
