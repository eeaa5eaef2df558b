package stripegate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/memstore"
	"github.com/stripegate/stripegate/stripegatetest"
)

// TestWebhookAccessFlows sends sequences of real fixtures through a server
// and checks the user's access after each step, in both API eras.
func TestWebhookAccessFlows(t *testing.T) {
	type step struct {
		file        string
		wantOutcome stripegate.Outcome
		wantActive  bool
	}
	flows := []struct {
		name  string
		steps []step
	}{
		{"card purchase", []step{
			{"checkout.session.completed", stripegate.OutcomeGranted, true},
		}},
		{"delayed payment succeeds", []step{
			{"checkout.session.completed.unpaid", stripegate.OutcomeUnchanged, false},
			{"checkout.session.async_payment_succeeded", stripegate.OutcomeGranted, true},
		}},
		{"delayed payment fails", []step{
			{"checkout.session.completed.unpaid", stripegate.OutcomeUnchanged, false},
			{"checkout.session.async_payment_failed", stripegate.OutcomeUnchanged, false},
		}},
		{"subscription lifecycle", []step{
			{"checkout.session.completed.subscription", stripegate.OutcomeGranted, true},
			{"customer.subscription.created", stripegate.OutcomeUnchanged, true},
			{"invoice.paid", stripegate.OutcomeUnchanged, true},
			{"invoice.payment_succeeded", stripegate.OutcomeUnchanged, true},
			{"invoice.payment_failed", stripegate.OutcomeRevoked, false},
			{"customer.subscription.updated", stripegate.OutcomeUnchanged, false},
			{"customer.subscription.deleted", stripegate.OutcomeUnchanged, false},
		}},
		{"trial paused and resumed", []step{
			{"checkout.session.completed.no_payment_required", stripegate.OutcomeGranted, true},
			{"customer.subscription.paused", stripegate.OutcomeRevoked, false},
			{"customer.subscription.resumed", stripegate.OutcomeGranted, true},
		}},
		{"declined card then paid", []step{
			{"payment_intent.payment_failed", stripegate.OutcomeUnchanged, false},
			{"payment_intent.succeeded", stripegate.OutcomeGranted, true},
		}},
		{"partial then full refund", []step{
			{"checkout.session.completed", stripegate.OutcomeGranted, true},
			{"charge.refunded.partial", stripegate.OutcomeIgnored, true},
			{"charge.refunded", stripegate.OutcomeRevoked, false},
		}},
		{"dispute", []step{
			{"checkout.session.completed", stripegate.OutcomeGranted, true},
			{"charge.dispute.created", stripegate.OutcomeRevoked, false},
		}},
		{"refund leaves subscription", []step{
			{"checkout.session.completed.subscription", stripegate.OutcomeGranted, true},
			{"checkout.session.completed", stripegate.OutcomeGranted, true},
			{"charge.refunded", stripegate.OutcomeRevoked, true},
		}},
		{"unhandled type", []step{
			{"customer.created", stripegate.OutcomeIgnored, false},
		}},
	}

	for _, e := range eras {
		for _, flow := range flows {
			t.Run(e.dir+"/"+flow.name, func(t *testing.T) {
				r := newRig(t, nil)
				for _, s := range flow.steps {
					if got := r.deliver(e, s.file); got != s.wantOutcome {
						t.Errorf("%s: outcome %q, want %q", s.file, got, s.wantOutcome)
					}
					if got := r.entitlement(fixtureUser).Allows(time.Now()); got != s.wantActive {
						t.Errorf("after %s: access %v, want %v", s.file, got, s.wantActive)
					}
				}
			})
		}
	}
}

// TestWebhookRejectsBadSignatures checks that every forged, replayed or
// altered request gets 400 and changes nothing.
func TestWebhookRejectsBadSignatures(t *testing.T) {
	e := eras[1]
	body := fixture(t, e, "checkout.session.completed")
	now := time.Now()
	other := stripegatetest.NewSecret()

	tests := []struct {
		name      string
		body      []byte
		signature func(secret string) string
		wantErr   string
	}{
		{"no header", body, func(string) string { return "" }, "missing Stripe-Signature"},
		{"wrong secret", body, func(string) string { return stripegatetest.Sign(body, other, now) }, "no signature matches"},
		{"stale", body, func(s string) string { return stripegatetest.Sign(body, s, now.Add(-6*time.Minute)) }, "outside tolerance"},
		{"future", body, func(s string) string { return stripegatetest.Sign(body, s, now.Add(6*time.Minute)) }, "outside tolerance"},
		{"re-encoded body", compactJSON(t, body), func(s string) string { return stripegatetest.Sign(body, s, now) }, "no signature matches"},
		{"body with trailing space", append(append([]byte{}, body...), ' '), func(s string) string { return stripegatetest.Sign(body, s, now) }, "no signature matches"},
		{"malformed header", body, func(string) string { return "garbage" }, "invalid Stripe-Signature"},
		{"v0 only", body, func(s string) string { return strings.Replace(stripegatetest.Sign(body, s, now), "v1=", "v0=", 1) }, "no v1 signature"},
		{"timestamp not a number", body, func(s string) string { return "t=now," + strings.SplitN(stripegatetest.Sign(body, s, now), ",", 2)[1] }, "timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			status, resp := r.postRaw(tt.body, tt.signature(r.secret))
			if status != http.StatusBadRequest {
				t.Errorf("status %d, want 400", status)
			}
			if !strings.Contains(resp, tt.wantErr) {
				t.Errorf("response %q does not contain %q", resp, tt.wantErr)
			}
			if r.entitlement(fixtureUser).Active {
				t.Error("rejected request granted access")
			}
			if rep := r.reports.last(); rep.Outcome != stripegate.OutcomeRejected {
				t.Errorf("reported outcome %q, want rejected", rep.Outcome)
			}
		})
	}
}

func compactJSON(t *testing.T, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, body); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(buf.Bytes(), body) {
		t.Fatal("compacting did not change the body")
	}
	return buf.Bytes()
}

// TestWebhookSecretRotation checks that a handler with the old and the new
// secret accepts events signed with either, and with both at once.
func TestWebhookSecretRotation(t *testing.T) {
	oldSecret, newSecret := stripegatetest.NewSecret(), stripegatetest.NewSecret()
	r := newRig(t, func(c *stripegate.WebhookConfig) { c.Secrets = []string{oldSecret, newSecret} })
	e := eras[0]

	for i, signature := range []func(body []byte) string{
		func(b []byte) string { return stripegatetest.Sign(b, oldSecret, time.Now()) },
		func(b []byte) string { return stripegatetest.Sign(b, newSecret, time.Now()) },
		func(b []byte) string { return stripegatetest.SignAll(b, []string{oldSecret, newSecret}, time.Now()) },
	} {
		body := fixture(t, e, "checkout.session.completed", stripegatetest.WithNewID())
		if status, resp := r.postRaw(body, signature(body)); status != http.StatusOK {
			t.Errorf("signature %d: status %d (%s), want 200", i, status, resp)
		}
	}
	if n := len(r.paymentLog(fixtureUser)); n != 3 {
		t.Errorf("payment log has %d entries, want 3", n)
	}
}

func TestWebhookStatusContract(t *testing.T) {
	r := newRig(t, func(c *stripegate.WebhookConfig) { c.MaxBodyBytes = 8192 })
	e := eras[1]

	t.Run("GET is 405", func(t *testing.T) {
		resp, err := r.server.Client().Get(r.server.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("status %d, want 405", resp.StatusCode)
		}
		if got := resp.Header.Get("Allow"); got != http.MethodPost {
			t.Errorf("Allow = %q, want POST", got)
		}
	})

	t.Run("declared length over limit is 413", func(t *testing.T) {
		big := bytes.Repeat([]byte(" "), 8193)
		status, _ := r.postRaw(big, stripegatetest.Sign(big, r.secret, time.Now()))
		if status != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", status)
		}
	})

	t.Run("chunked body over limit is 413", func(t *testing.T) {
		big := bytes.Repeat([]byte(" "), 9000)
		req := httptest.NewRequest(http.MethodPost, "/", struct{ *bytes.Reader }{bytes.NewReader(big)})
		req.ContentLength = -1
		req.Header.Set("Stripe-Signature", stripegatetest.Sign(big, r.secret, time.Now()))
		rec := httptest.NewRecorder()
		r.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", rec.Code)
		}
	})

	t.Run("body at the limit is read", func(t *testing.T) {
		body := fixture(t, e, "customer.created")
		body = append(body, bytes.Repeat([]byte(" "), 8192-len(body))...)
		if status, resp := r.post(body); status != http.StatusOK {
			t.Errorf("status %d (%s), want 200", status, resp)
		}
	})

	t.Run("signed non-JSON is 400", func(t *testing.T) {
		if status, _ := r.post([]byte("not json")); status != http.StatusBadRequest {
			t.Errorf("status %d, want 400", status)
		}
	})

	t.Run("signed event with wrong field type is 400", func(t *testing.T) {
		body := fixture(t, e, "customer.subscription.created", stripegatetest.WithObjectField("metadata", []string{"user_id"}))
		if status, _ := r.post(body); status != http.StatusBadRequest {
			t.Errorf("status %d, want 400", status)
		}
		if r.entitlement(fixtureUser).Active {
			t.Error("rejected event granted access")
		}
	})
}

func TestWebhookLivemode(t *testing.T) {
	e := eras[1]
	tests := []struct {
		name         string
		handlerLive  bool
		eventLive    bool
		wantOutcome  stripegate.Outcome
		wantActive   bool
		wantLogLevel string
	}{
		{"test event on test handler", false, false, stripegate.OutcomeGranted, true, "INFO"},
		{"live event on test handler", false, true, stripegate.OutcomeIgnored, false, "WARN"},
		{"test event on live handler", true, false, stripegate.OutcomeIgnored, false, "WARN"},
		{"live event on live handler", true, true, stripegate.OutcomeGranted, true, "INFO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, func(c *stripegate.WebhookConfig) { c.Livemode = tt.handlerLive })
			got := r.deliver(e, "checkout.session.completed", stripegatetest.WithLivemode(tt.eventLive))
			if got != tt.wantOutcome {
				t.Errorf("outcome %q, want %q", got, tt.wantOutcome)
			}
			if active := r.entitlement(fixtureUser).Active; active != tt.wantActive {
				t.Errorf("active %v, want %v", active, tt.wantActive)
			}
			if !strings.Contains(r.logs.String(), `"level":"`+tt.wantLogLevel+`"`) {
				t.Errorf("no %s log line:\n%s", tt.wantLogLevel, r.logs.String())
			}
		})
	}
}

// TestWebhookConnectedAccounts checks that an event of a connected
// account changes nothing unless the handler is configured to act on them.
func TestWebhookConnectedAccounts(t *testing.T) {
	e := eras[1]
	for _, tt := range []struct {
		name        string
		allow       bool
		wantOutcome stripegate.Outcome
	}{
		{"ignored by default", false, stripegate.OutcomeIgnored},
		{"applied when allowed", true, stripegate.OutcomeGranted},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, func(c *stripegate.WebhookConfig) { c.ConnectedAccountEvents = tt.allow })
			body := fixture(t, e, "checkout.session.completed")
			body = bytes.Replace(body, []byte(`"object": "event",`), []byte(`"account": "acct_1Q2w3E4r5T6y7U8i",
  "object": "event",`), 1)
			status, resp := r.post(body)
			if status != http.StatusOK || strings.TrimSpace(resp) != string(tt.wantOutcome) {
				t.Errorf("got %d %q, want 200 %q", status, resp, tt.wantOutcome)
			}
			if active := r.entitlement(fixtureUser).Active; active != tt.allow {
				t.Errorf("active %v, want %v", active, tt.allow)
			}
		})
	}
}

// TestWebhookDuplicates checks that a redelivered event, re-signed with a
// new timestamp, is acknowledged and applied once, also when the copies
// arrive at the same time.
func TestWebhookDuplicates(t *testing.T) {
	e := eras[1]

	t.Run("sequential", func(t *testing.T) {
		r := newRig(t, nil)
		body := fixture(t, e, "checkout.session.completed")
		for i, want := range []stripegate.Outcome{stripegate.OutcomeGranted, stripegate.OutcomeDuplicate, stripegate.OutcomeDuplicate} {
			status, resp := r.postRaw(body, stripegatetest.Sign(body, r.secret, time.Now().Add(time.Duration(i)*time.Second)))
			if status != http.StatusOK || strings.TrimSpace(resp) != string(want) {
				t.Errorf("delivery %d: %d %q, want 200 %q", i, status, resp, want)
			}
		}
		if n := len(r.paymentLog(fixtureUser)); n != 1 {
			t.Errorf("payment log has %d entries, want 1", n)
		}
	})

	t.Run("concurrent", func(t *testing.T) {
		r := newRig(t, nil)
		body := fixture(t, e, "invoice.paid")
		const copies = 24
		outcomes := make(chan string, copies)
		var wg sync.WaitGroup
		for range copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, resp := r.post(body)
				outcomes <- strings.TrimSpace(resp)
			}()
		}
		wg.Wait()
		close(outcomes)

		counts := map[string]int{}
		for o := range outcomes {
			counts[o]++
		}
		want := map[string]int{string(stripegate.OutcomeGranted): 1, string(stripegate.OutcomeDuplicate): copies - 1}
		if diff := cmp.Diff(want, counts); diff != "" {
			t.Errorf("outcomes (-want +got):\n%s", diff)
		}
	})
}

// TestWebhookOutOfOrder checks that an older event arriving after a newer
// one for the same subscription does not overwrite its state.
func TestWebhookOutOfOrder(t *testing.T) {
	for _, e := range eras {
		t.Run(e.dir, func(t *testing.T) {
			r := newRig(t, nil)
			r.deliver(e, "checkout.session.completed.subscription")
			r.deliver(e, "invoice.payment_failed")
			if got := r.deliver(e, "invoice.paid"); got != stripegate.OutcomeStale {
				t.Errorf("older invoice.paid: outcome %q, want stale", got)
			}
			if got := r.deliver(e, "customer.subscription.created"); got != stripegate.OutcomeStale {
				t.Errorf("older subscription.created: outcome %q, want stale", got)
			}
			if r.entitlement(fixtureUser).Active {
				t.Error("stale events restored access after a failed renewal")
			}
		})
	}
}

// TestWebhookEndedSubscription checks that nothing revives a deleted
// subscription: neither older events arriving late nor a newer payment of
// an old invoice.
func TestWebhookEndedSubscription(t *testing.T) {
	for _, e := range eras {
		t.Run(e.dir, func(t *testing.T) {
			r := newRig(t, nil)
			r.deliver(e, "checkout.session.completed.subscription")
			if got := r.deliver(e, "customer.subscription.deleted"); got != stripegate.OutcomeRevoked {
				t.Errorf("deleted: outcome %q, want revoked", got)
			}
			r.deliver(e, "customer.subscription.created")

			latePayment := time.Unix(fixtureCreated(t, e, "customer.subscription.deleted"), 0).Add(24 * time.Hour)
			got := r.deliver(e, "invoice.paid", stripegatetest.WithNewID(), stripegatetest.WithCreated(latePayment))
			if got != stripegate.OutcomeUnchanged {
				t.Errorf("invoice paid after deletion: outcome %q, want unchanged", got)
			}
			if r.entitlement(fixtureUser).Active {
				t.Error("a deleted subscription granted access again")
			}
		})
	}
}

// TestWebhookSameSecondIncomplete checks that the snapshot of a new
// subscription before its first payment, created in the same second as the
// payment, does not revoke when it arrives last.
func TestWebhookSameSecondIncomplete(t *testing.T) {
	e := eras[1]
	r := newRig(t, nil)
	second := time.Unix(fixtureCreated(t, e, "customer.subscription.created"), 0)

	r.deliver(e, "checkout.session.completed.subscription", stripegatetest.WithCreated(second))
	r.deliver(e, "invoice.paid", stripegatetest.WithCreated(second))
	got := r.deliver(e, "customer.subscription.created", stripegatetest.WithCreated(second), stripegatetest.WithObjectField("status", "incomplete"))
	if got != stripegate.OutcomeIgnored {
		t.Errorf("incomplete snapshot: outcome %q, want ignored", got)
	}
	if !r.entitlement(fixtureUser).Active {
		t.Error("the incomplete snapshot revoked a paying user")
	}
}

// TestWebhookSubscriptionDispute checks that a dispute of a subscription's
// renewal payment revokes the subscription: before 2025-03-31 the invoice
// names its payment, from then on an invoice_payment event does, before or
// after invoice.paid.
func TestWebhookSubscriptionDispute(t *testing.T) {
	const renewalPayment = "pi_3QrT5kL2mNb7Vc9x"
	invoicePayment := func(t *testing.T, e era) []byte {
		t.Helper()
		var inv struct {
			Data struct {
				Object struct {
					ID string `json:"id"`
				} `json:"object"`
			} `json:"data"`
		}
		if err := json.Unmarshal(fixture(t, e, "invoice.paid"), &inv); err != nil {
			t.Fatal(err)
		}
		body, err := stripegatetest.NewEvent("invoice_payment.paid", map[string]any{
			"id": "inpay_1QrT5kL2mNb7Vc9y", "object": "invoice_payment", "invoice": inv.Data.Object.ID,
			"payment": map[string]any{"type": "payment_intent", "payment_intent": renewalPayment},
			"status":  "paid", "livemode": false,
		}, stripegatetest.WithCreated(time.Unix(fixtureCreated(t, e, "invoice.paid"), 0)))
		if err != nil {
			t.Fatal(err)
		}
		return body
	}

	tests := []struct {
		name  string
		era   era
		steps []string // fixture names; "invoice_payment" is built above
	}{
		{"2022 invoice names its payment", eras[0], []string{"checkout.session.completed.subscription", "invoice.paid"}},
		{"basil payment after invoice", eras[1], []string{"checkout.session.completed.subscription", "invoice.paid", "invoice_payment"}},
		{"basil payment before invoice", eras[1], []string{"checkout.session.completed.subscription", "invoice_payment", "invoice.paid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			for _, step := range tt.steps {
				if step == "invoice_payment" {
					if status, resp := r.post(invoicePayment(t, tt.era)); status != http.StatusOK {
						t.Fatalf("invoice_payment.paid: %d %s", status, resp)
					}
					continue
				}
				r.deliver(tt.era, step)
			}
			if !r.entitlement(fixtureUser).Active {
				t.Fatal("no access after the renewal was paid")
			}

			payment := renewalPayment
			if tt.era.dir == "2022-11-15" {
				payment = "pi_1N0HFsLKkAKty0Q8at2GcSpW" // named by the fixture invoice
			}
			disputedAt := time.Unix(fixtureCreated(t, tt.era, "invoice.paid"), 0).Add(24 * time.Hour)
			got := r.deliver(tt.era, "charge.dispute.created",
				stripegatetest.WithObjectField("payment_intent", payment), stripegatetest.WithCreated(disputedAt))
			if got != stripegate.OutcomeRevoked {
				t.Errorf("dispute of the renewal payment: outcome %q, want revoked", got)
			}
			if r.entitlement(fixtureUser).Active {
				t.Error("the disputed subscription keeps access")
			}
		})
	}
}

// TestWebhookOneTimePurchaseInvoiced checks that a one-time checkout whose
// payment is later tied to an invoice (Checkout's invoice creation) is
// still revoked by the refund of that payment.
func TestWebhookOneTimePurchaseInvoiced(t *testing.T) {
	e := eras[1]
	r := newRig(t, nil)
	paidAt := time.Unix(fixtureCreated(t, e, "checkout.session.completed"), 0)
	r.deliver(e, "checkout.session.completed")

	body, err := stripegatetest.NewEvent("invoice_payment.paid", map[string]any{
		"id": "inpay_1QrT6mN3pQc8Wd0z", "object": "invoice_payment", "invoice": "in_1QrT6mN3pQc8Wd0a",
		"payment": map[string]any{"type": "payment_intent", "payment_intent": e.cardPayment},
		"status":  "paid", "livemode": false,
	}, stripegatetest.WithCreated(paidAt.Add(time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	if status, resp := r.post(body); status != http.StatusOK || strings.TrimSpace(resp) != string(stripegate.OutcomeUnchanged) {
		t.Fatalf("invoice_payment.paid: %d %q, want 200 unchanged", status, resp)
	}

	if got := r.deliver(e, "charge.refunded"); got != stripegate.OutcomeRevoked {
		t.Errorf("refund: outcome %q, want revoked", got)
	}
	if r.entitlement(fixtureUser).Active {
		t.Error("the refunded purchase keeps access")
	}
}

// fixtureCreated returns the created time of a fixture event.
func fixtureCreated(t *testing.T, e era, name string) int64 {
	t.Helper()
	var ev struct {
		Created int64 `json:"created"`
	}
	if err := json.Unmarshal(fixture(t, e, name), &ev); err != nil {
		t.Fatal(err)
	}
	return ev.Created
}

// TestWebhookCustomerLinkLater checks that an event naming only a customer
// is kept, and its access reaches the user once the customer is linked.
func TestWebhookCustomerLinkLater(t *testing.T) {
	for _, e := range eras {
		t.Run(e.dir+"/by event", func(t *testing.T) {
			r := newRig(t, nil)
			r.deliver(e, "invoice.paid")
			if r.entitlement(fixtureUser).Active {
				t.Fatal("access before any link")
			}
			// The unpaid session grants nothing itself but names the user
			// and the customer together.
			r.deliver(e, "checkout.session.completed.unpaid")
			ent := r.entitlement(fixtureUser)
			if !ent.Active || ent.SourceID != e.subscription {
				t.Errorf("after link: %+v, want active through %s", ent, e.subscription)
			}
			if n := len(r.paymentLog(fixtureUser)); n != 2 {
				t.Errorf("payment log has %d entries, want 2", n)
			}
		})

		t.Run(e.dir+"/by LinkCustomer", func(t *testing.T) {
			r := newRig(t, nil)
			r.deliver(e, "customer.subscription.created")
			if err := r.store.LinkCustomer(context.Background(), e.customer, "user_7"); err != nil {
				t.Fatal(err)
			}
			if !r.entitlement("user_7").Active {
				t.Error("linked user has no access")
			}
		})
	}
}

func TestWebhookGracePeriod(t *testing.T) {
	e := eras[1]
	r := newRig(t, func(c *stripegate.WebhookConfig) { c.GracePeriod = 72 * time.Hour })
	failedAt := time.Now().Add(-time.Hour).Truncate(time.Second)

	r.deliver(e, "checkout.session.completed.subscription", stripegatetest.WithCreated(failedAt.Add(-time.Hour)))
	if got := r.deliver(e, "invoice.payment_failed", stripegatetest.WithCreated(failedAt)); got != stripegate.OutcomeGraceStarted {
		t.Fatalf("outcome %q, want grace_started", got)
	}

	ent := r.entitlement(fixtureUser)
	if want := failedAt.Add(72 * time.Hour); !ent.GraceUntil.Equal(want) {
		t.Errorf("GraceUntil = %s, want %s", ent.GraceUntil, want)
	}
	if !ent.Allows(time.Now()) {
		t.Error("no access inside the grace period")
	}
	if ent.Allows(failedAt.Add(73 * time.Hour)) {
		t.Error("access after the grace period")
	}
}

func TestNewWebhookHandlerValidates(t *testing.T) {
	good := stripegatetest.NewSecret()
	tests := []struct {
		name    string
		cfg     stripegate.WebhookConfig
		wantErr string
	}{
		{"no secrets", stripegate.WebhookConfig{Store: memstore.New()}, "Secrets is empty"},
		{"empty secret", stripegate.WebhookConfig{Secrets: []string{""}, Store: memstore.New()}, "empty webhook secret"},
		{"API key", stripegate.WebhookConfig{Secrets: []string{"sk_test_" + strings.Repeat("0", 24)}, Store: memstore.New()}, "is an API key"},
		{"second secret bad", stripegate.WebhookConfig{Secrets: []string{good, "nope"}, Store: memstore.New()}, "Secrets[1]"},
		{"no store", stripegate.WebhookConfig{Secrets: []string{good}}, "Store is nil"},
		{"negative tolerance", stripegate.WebhookConfig{Secrets: []string{good}, Store: memstore.New(), Tolerance: -time.Second}, "Tolerance is negative"},
		{"negative body cap", stripegate.WebhookConfig{Secrets: []string{good}, Store: memstore.New(), MaxBodyBytes: -1}, "MaxBodyBytes is negative"},
		{"tolerance too wide", stripegate.WebhookConfig{Secrets: []string{good}, Store: memstore.New(), Tolerance: 2 * time.Hour}, "Tolerance is 2h0m0s"},
		{"blank metadata key", stripegate.WebhookConfig{Secrets: []string{good}, Store: memstore.New(), UserMetadataKey: " "}, "UserMetadataKey is blank"},
		{"body cap too large", stripegate.WebhookConfig{Secrets: []string{good}, Store: memstore.New(), MaxBodyBytes: 1 << 62}, "above the"},
		{"negative grace", stripegate.WebhookConfig{Secrets: []string{good}, Store: memstore.New(), GracePeriod: -time.Hour}, "GracePeriod is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := stripegate.NewWebhookHandler(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if h != nil {
				t.Error("handler returned with an error")
			}
		})
	}
}

// TestWebhookLogLine checks the one structured line a handled event logs.
func TestWebhookLogLine(t *testing.T) {
	r := newRig(t, nil)
	e := eras[1]
	r.deliver(e, "checkout.session.completed")

	logs := r.logs.String()
	for _, want := range []string{
		`"msg":"stripe webhook"`,
		`"event_type":"checkout.session.completed"`,
		`"outcome":"granted"`,
		`"user_id":"user_42"`,
		fmt.Sprintf(`"customer_id":"%s"`, e.customer),
		fmt.Sprintf(`"source_id":"%s"`, e.cardPayment),
		`"event_id":"evt_`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("log line lacks %s:\n%s", want, logs)
		}
	}
}
