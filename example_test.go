package stripegate_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/stripegate/stripegate"
	"github.com/stripegate/stripegate/memstore"
	"github.com/stripegate/stripegate/stripegatetest"
)

// This example mounts the webhook handler and a gated page on one mux, then
// plays a payment through it: a user is refused, Stripe reports a paid
// checkout for them, and the user gets in.
func Example() {
	store := memstore.New()
	secret := stripegatetest.NewSecret() // in an app: os.Getenv("STRIPE_WEBHOOK_SECRET")

	webhook, err := stripegate.NewWebhookHandler(stripegate.WebhookConfig{
		Secrets: []string{secret},
		Store:   store,
		// Test-mode events by default: set STRIPE_LIVEMODE=true
		// in production, or live payments are acknowledged and ignored.
		Livemode: os.Getenv("STRIPE_LIVEMODE") == "true",
	})
	if err != nil {
		log.Fatal(err)
	}
	gate, err := stripegate.NewGate(stripegate.GateConfig{
		Store: store,
		// The app's own authentication goes here.
		UserID: func(r *http.Request) string { return r.Header.Get("X-Demo-User") },
	})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("POST /webhook", webhook)
	mux.Handle("GET /pro", gate.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "pro content")
	})))

	fmt.Println("before payment:", visitPro(mux, "user_42"))

	event, err := stripegatetest.NewEvent("checkout.session.completed", map[string]any{
		"id":                  "cs_test_a1b2c3",
		"object":              "checkout.session",
		"mode":                "payment",
		"payment_status":      "paid",
		"client_reference_id": "user_42",
		"customer":            "cus_Q1w2e3",
		"payment_intent":      "pi_3Q1w2e3",
	})
	if err != nil {
		log.Fatal(err)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, stripegatetest.NewRequest("/webhook", event, secret))
	fmt.Println("webhook:", rec.Code, strings.TrimSpace(rec.Body.String()))

	fmt.Println("after payment:", visitPro(mux, "user_42"))
	// Output:
	// before payment: 402
	// webhook: 200 granted
	// after payment: 200
}

func visitPro(h http.Handler, user string) int {
	req := httptest.NewRequest(http.MethodGet, "/pro", nil)
	req.Header.Set("X-Demo-User", user)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// This example checks access outside an HTTP request, as a background job
// that mails paid users would.
func ExampleGate_Check() {
	store := memstore.New()
	_, err := store.Apply(context.Background(), stripegate.Change{
		EventID: "evt_1", EventType: "invoice.paid", SourceID: "sub_1",
		UserID: "user_42", Access: stripegate.AccessGrant,
	})
	if err != nil {
		log.Fatal(err)
	}
	gate, err := stripegate.NewGate(stripegate.GateConfig{
		Store:  store,
		UserID: func(*http.Request) string { return "" },
	})
	if err != nil {
		log.Fatal(err)
	}

	for _, user := range []string{"user_42", "user_7"} {
		_, err := gate.Check(context.Background(), user)
		fmt.Printf("%s: %v\n", user, err)
	}
	// Output:
	// user_42: <nil>
	// user_7: stripegate: payment required
}
