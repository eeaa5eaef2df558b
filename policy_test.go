package stripegate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// era holds the ids of the fixture scenario of one API version; see
// testdata/events/README.md.
type era struct {
	dir          string
	customer     string
	subscription string
	cardPayment  string // payment intent of the card checkout
	bankPayment  string // payment intent of the bank debit checkout

	// Aliases of the paid and the failed renewal invoice: the invoice, and
	// before 2025-03-31 its payment intent and charge.
	paidInvoice   []string
	failedInvoice []string
}

var eras = []era{
	{
		dir:           "2022-11-15",
		customer:      "cus_Nj5B57LZqvnaIg",
		subscription:  "sub_1N0Qf5LKkAKty0Q8ocjnVxrK",
		cardPayment:   "pi_1Mxd0wLKkAKty0Q87fIqvZs9",
		bankPayment:   "pi_1N0HFsLKkAKty0Q8su62DXWH",
		paidInvoice:   []string{"in_1N0Qf4LKkAKty0Q8yP50XUIb", "pi_1N0HFsLKkAKty0Q8at2GcSpW", "ch_1N0HFsLKkAKty0Q8pUgEybQ2"},
		failedInvoice: []string{"in_1N0HFsLKkAKty0Q89OuN6iMZ", "pi_1N0HFsLKkAKty0Q8QzOG9T60", "ch_1N0HFsLKkAKty0Q8Ckngeo2B"},
	},
	{
		dir:           "2026-08-26.dahlia",
		customer:      "cus_QXg1o8vcGmoR32",
		subscription:  "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw",
		cardPayment:   "pi_1PgafyB7WZ01zgkWSjxsAJo3",
		bankPayment:   "pi_1Pgc76B7WZ01zgkWg4jaw746",
		paidInvoice:   []string{"in_1Pgc6tB7WZ01zgkWu9fdqL6I"},
		failedInvoice: []string{"in_1Pgc76B7WZ01zgkWgb6MneZ2"},
	},
}

const fixtureUser = "user_42"

func readFixture(t testing.TB, dir, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "events", dir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// policyCase is what the policy must decide for one fixture. Only the
// fields the policy sets are compared; event id, type and time come from
// the fixture itself.
type policyCase struct {
	file     string
	source   string
	user     string
	customer string
	access   Access
	aliases  []string
	final    bool
	ignore   string // substring of the ignore reason, or "" for a change
}

func policyCases(e era) []policyCase {
	return []policyCase{
		{file: "checkout.session.completed", source: e.cardPayment, user: fixtureUser, customer: e.customer, access: AccessGrant},
		{file: "checkout.session.completed.subscription", source: e.subscription, user: fixtureUser, customer: e.customer, access: AccessGrant},
		{file: "checkout.session.completed.no_payment_required", source: e.subscription, user: fixtureUser, customer: e.customer, access: AccessGrant},
		{file: "checkout.session.completed.unpaid", source: e.bankPayment, user: fixtureUser, customer: e.customer, access: AccessRevoke},
		{file: "checkout.session.async_payment_succeeded", source: e.bankPayment, user: fixtureUser, customer: e.customer, access: AccessGrant},
		{file: "checkout.session.async_payment_failed", source: e.bankPayment, user: fixtureUser, customer: e.customer, access: AccessRevoke},
		{file: "invoice.paid", source: e.subscription, customer: e.customer, access: AccessGrant, aliases: e.paidInvoice},
		{file: "invoice.payment_succeeded", source: e.subscription, customer: e.customer, access: AccessGrant, aliases: e.paidInvoice},
		{file: "invoice.payment_failed", source: e.subscription, customer: e.customer, access: AccessRevoke, aliases: e.failedInvoice},
		{file: "customer.subscription.created", source: e.subscription, customer: e.customer, access: AccessGrant},
		{file: "customer.subscription.updated", source: e.subscription, customer: e.customer, access: AccessRevoke},
		{file: "customer.subscription.deleted", source: e.subscription, customer: e.customer, access: AccessRevoke, final: true},
		{file: "customer.subscription.paused", source: e.subscription, customer: e.customer, access: AccessRevoke},
		{file: "customer.subscription.resumed", source: e.subscription, customer: e.customer, access: AccessGrant},
		{file: "payment_intent.succeeded", source: e.cardPayment, user: fixtureUser, customer: e.customer, access: AccessGrant},
		{file: "payment_intent.payment_failed", source: e.cardPayment, user: fixtureUser, customer: e.customer, access: AccessRevoke},
		{file: "charge.refunded", source: e.cardPayment, customer: e.customer, access: AccessRevoke},
		{file: "charge.refunded.partial", ignore: "partial refund"},
		{file: "charge.dispute.created", source: e.cardPayment, access: AccessRevoke},
		{file: "customer.created", ignore: "no access decision"},
	}
}

func TestPolicyFixtures(t *testing.T) {
	p := &policy{userKey: DefaultUserMetadataKey}
	for _, e := range eras {
		for _, tc := range policyCases(e) {
			t.Run(e.dir+"/"+tc.file, func(t *testing.T) {
				ev, err := decodeEvent(readFixture(t, e.dir, tc.file))
				if err != nil {
					t.Fatal(err)
				}
				d, err := p.decide(ev)
				if err != nil {
					t.Fatalf("decide: %v", err)
				}
				checkDecision(t, ev, d, tc)
			})
		}
	}
}

func checkDecision(t *testing.T, ev *event, d decision, tc policyCase) {
	t.Helper()
	if tc.ignore != "" {
		if !strings.Contains(d.ignore, tc.ignore) {
			t.Errorf("ignore reason = %q, want it to contain %q (change %+v)", d.ignore, tc.ignore, d.change)
		}
		return
	}
	if d.ignore != "" {
		t.Fatalf("event ignored (%s), want a change", d.ignore)
	}

	want := Change{
		EventID:    ev.ID,
		EventType:  ev.Type,
		Created:    time.Unix(ev.Created, 0),
		SourceID:   tc.source,
		UserID:     tc.user,
		CustomerID: tc.customer,
		Access:     tc.access,
		Aliases:    tc.aliases,
		Final:      tc.final,
	}
	got := d.change
	got.PeriodEnd = time.Time{} // checked by TestPolicyPeriodEnd
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("change mismatch (-want +got):\n%s", diff)
	}
}

func TestPolicyGracePeriod(t *testing.T) {
	p := &policy{userKey: DefaultUserMetadataKey, grace: 72 * time.Hour}
	for _, e := range eras {
		for _, file := range []string{"invoice.payment_failed", "customer.subscription.updated"} {
			t.Run(e.dir+"/"+file, func(t *testing.T) {
				ev, err := decodeEvent(readFixture(t, e.dir, file))
				if err != nil {
					t.Fatal(err)
				}
				d, err := p.decide(ev)
				if err != nil {
					t.Fatal(err)
				}
				if d.change.Access != AccessRevokeAfterGrace {
					t.Errorf("access = %s, want %s", d.change.Access, AccessRevokeAfterGrace)
				}
				wantUntil := time.Unix(ev.Created, 0).Add(72 * time.Hour)
				if !d.change.GraceUntil.Equal(wantUntil) {
					t.Errorf("GraceUntil = %s, want %s", d.change.GraceUntil, wantUntil)
				}
			})
		}
	}
}

func TestPolicyPeriodEnd(t *testing.T) {
	p := &policy{userKey: DefaultUserMetadataKey}
	for _, e := range eras {
		t.Run(e.dir, func(t *testing.T) {
			body := readFixture(t, e.dir, "customer.subscription.created")
			ev, err := decodeEvent(body)
			if err != nil {
				t.Fatal(err)
			}
			d, err := p.decide(ev)
			if err != nil {
				t.Fatal(err)
			}
			if want := fixturePeriodEnd(t, body); !d.change.PeriodEnd.Equal(want) {
				t.Errorf("PeriodEnd = %s, want %s", d.change.PeriodEnd, want)
			}
		})
	}
}

// fixturePeriodEnd reads the period end from a subscription event the way a
// person reading the API reference would, in whichever shape it has.
func fixturePeriodEnd(t *testing.T, body []byte) time.Time {
	t.Helper()
	var ev struct {
		Data struct {
			Object map[string]any `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	if end, ok := ev.Data.Object["current_period_end"].(float64); ok {
		return time.Unix(int64(end), 0)
	}
	items := ev.Data.Object["items"].(map[string]any)["data"].([]any)
	end := items[0].(map[string]any)["current_period_end"].(float64)
	if end == 0 {
		t.Fatal("fixture carries no period end")
	}
	return time.Unix(int64(end), 0)
}

// TestPolicyEdgeCases covers rules the fixtures do not reach, on
// Stripe-shaped objects edited by hand.
func TestPolicyEdgeCases(t *testing.T) {
	tests := []struct {
		name      string
		eventType string
		object    string
		want      policyCase
		wantErr   error
	}{
		{
			name:      "setup-mode checkout",
			eventType: "checkout.session.completed",
			object:    `{"id":"cs_test_1","object":"checkout.session","mode":"setup","payment_status":"no_payment_required","customer":"cus_1","client_reference_id":"u1"}`,
			want:      policyCase{ignore: "setup-mode"},
		},
		{
			name:      "checkout without payment intent uses the session",
			eventType: "checkout.session.completed",
			object:    `{"id":"cs_test_2","object":"checkout.session","mode":"payment","payment_status":"paid","customer":null,"client_reference_id":null,"metadata":{"user_id":"u2"}}`,
			want:      policyCase{source: "cs_test_2", user: "u2", access: AccessGrant},
		},
		{
			name:      "client_reference_id wins over metadata",
			eventType: "checkout.session.completed",
			object:    `{"id":"cs_test_3","object":"checkout.session","mode":"payment","payment_status":"paid","payment_intent":"pi_3","client_reference_id":"u3","metadata":{"user_id":"other"}}`,
			want:      policyCase{source: "pi_3", user: "u3", access: AccessGrant},
		},
		{
			name:      "expanded customer object",
			eventType: "customer.subscription.updated",
			object:    `{"id":"sub_4","object":"subscription","status":"trialing","customer":{"id":"cus_4","object":"customer"},"metadata":{}}`,
			want:      policyCase{source: "sub_4", customer: "cus_4", access: AccessGrant},
		},
		{
			name:      "canceled subscription is final",
			eventType: "customer.subscription.updated",
			object:    `{"id":"sub_20","object":"subscription","status":"canceled","customer":"cus_20"}`,
			want:      policyCase{source: "sub_20", customer: "cus_20", access: AccessRevoke, final: true},
		},
		{
			name:      "expired first payment is final",
			eventType: "customer.subscription.updated",
			object:    `{"id":"sub_21","object":"subscription","status":"incomplete_expired","customer":"cus_21"}`,
			want:      policyCase{source: "sub_21", customer: "cus_21", access: AccessRevoke, final: true},
		},
		{
			name:      "incomplete subscription waits",
			eventType: "customer.subscription.created",
			object:    `{"id":"sub_22","object":"subscription","status":"incomplete","customer":"cus_22"}`,
			want:      policyCase{ignore: "awaits its first payment"},
		},
		{
			name:      "unpaid subscription is not final",
			eventType: "customer.subscription.updated",
			object:    `{"id":"sub_23","object":"subscription","status":"unpaid","customer":"cus_23"}`,
			want:      policyCase{source: "sub_23", customer: "cus_23", access: AccessRevoke},
		},
		{
			name:      "proration invoice neither grants nor revokes",
			eventType: "invoice.paid",
			object:    `{"id":"in_24","object":"invoice","customer":"cus_24","subscription":"sub_24","billing_reason":"subscription_update","amount_paid":0}`,
			want:      policyCase{ignore: "does not pay for a billing period"},
		},
		{
			name:      "failed proration invoice keeps access",
			eventType: "invoice.payment_failed",
			object:    `{"id":"in_25","object":"invoice","customer":"cus_25","parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_25"}},"billing_reason":"subscription_update"}`,
			want:      policyCase{ignore: "does not pay for a billing period"},
		},
		{
			name:      "one-off invoice with a subscription's lines",
			eventType: "invoice.payment_failed",
			object:    `{"id":"in_26","object":"invoice","customer":"cus_26","subscription":null,"billing_reason":"manual","lines":{"data":[{"subscription":"sub_26"}]}}`,
			want:      policyCase{ignore: "no subscription"},
		},
		{
			name:      "first invoice grants",
			eventType: "invoice.paid",
			object:    `{"id":"in_27","object":"invoice","customer":"cus_27","subscription":"sub_27","billing_reason":"subscription_create"}`,
			want:      policyCase{source: "sub_27", customer: "cus_27", access: AccessGrant, aliases: []string{"in_27"}},
		},
		{
			name:      "pre-basil invoice aliases its payment",
			eventType: "invoice.payment_failed",
			object:    `{"id":"in_28","object":"invoice","customer":"cus_28","subscription":"sub_28","billing_reason":"subscription_cycle","payment_intent":"pi_28","charge":"ch_28"}`,
			want:      policyCase{source: "sub_28", customer: "cus_28", access: AccessRevoke, aliases: []string{"in_28", "pi_28", "ch_28"}},
		},
		{
			name:      "invoice payment ties payment to invoice",
			eventType: "invoice_payment.paid",
			object:    `{"id":"inpay_29","object":"invoice_payment","invoice":"in_29","payment":{"type":"payment_intent","payment_intent":"pi_29"},"status":"paid"}`,
			want:      policyCase{source: "in_29", access: AccessKeep, aliases: []string{"pi_29"}},
		},
		{
			name:      "invoice payment without invoice",
			eventType: "invoice_payment.paid",
			object:    `{"id":"inpay_30","object":"invoice_payment","invoice":null,"payment":{"type":"payment_intent","payment_intent":"pi_30"}}`,
			want:      policyCase{ignore: "names no invoice"},
		},
		{
			name:      "unknown subscription status",
			eventType: "customer.subscription.updated",
			object:    `{"id":"sub_5","object":"subscription","status":"hibernating","customer":"cus_5"}`,
			want:      policyCase{ignore: "unknown subscription status"},
		},
		{
			name:      "invoice without subscription",
			eventType: "invoice.paid",
			object:    `{"id":"in_6","object":"invoice","customer":"cus_6","subscription":null,"parent":null,"lines":{"data":[{"subscription":null}]}}`,
			want:      policyCase{ignore: "no subscription"},
		},
		{
			name:      "basil invoice user from subscription metadata",
			eventType: "invoice.paid",
			object:    `{"id":"in_7","object":"invoice","customer":"cus_7","parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_7","metadata":{"user_id":"u7"}}}}`,
			want:      policyCase{source: "sub_7", user: "u7", customer: "cus_7", access: AccessGrant, aliases: []string{"in_7"}},
		},
		{
			name:      "payment intent without user",
			eventType: "payment_intent.succeeded",
			object:    `{"id":"pi_8","object":"payment_intent","customer":"cus_8","metadata":{}}`,
			want:      policyCase{ignore: "no user"},
		},
		{
			name:      "refund without refunded flag but whole amount",
			eventType: "charge.refunded",
			object:    `{"id":"ch_9","object":"charge","amount":500,"amount_refunded":500,"payment_intent":null,"customer":"cus_9"}`,
			want:      policyCase{source: "ch_9", customer: "cus_9", access: AccessRevoke},
		},
		{
			name:      "dispute without charge or payment intent",
			eventType: "charge.dispute.created",
			object:    `{"id":"dp_10","object":"dispute","charge":null,"payment_intent":null}`,
			want:      policyCase{ignore: "names no payment intent"},
		},
		{
			name:      "subscription without id",
			eventType: "customer.subscription.created",
			object:    `{"object":"subscription","status":"active","customer":"cus_11"}`,
			wantErr:   ErrInvalidEvent,
		},
		{
			name:      "created as string in object is not read",
			eventType: "customer.subscription.created",
			object:    `{"id":"sub_12","created":"yesterday","status":"active","customer":"cus_12"}`,
			want:      policyCase{source: "sub_12", customer: "cus_12", access: AccessGrant},
		},
		{
			name:      "metadata as array",
			eventType: "customer.subscription.created",
			object:    `{"id":"sub_13","status":"active","customer":"cus_13","metadata":["user_id","u13"]}`,
			wantErr:   ErrInvalidEvent,
		},
		{
			name:      "customer as number",
			eventType: "customer.subscription.created",
			object:    `{"id":"sub_14","status":"active","customer":14}`,
			wantErr:   ErrInvalidEvent,
		},
		{
			name:      "object null",
			eventType: "invoice.paid",
			object:    `null`,
			wantErr:   ErrInvalidEvent,
		},
	}

	p := &policy{userKey: DefaultUserMetadataKey}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"id":"evt_edge","object":"event","created":1700000000,"livemode":false,"type":"` + tt.eventType + `","data":{"object":` + tt.object + `}}`
			ev, err := decodeEvent([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			d, err := p.decide(ev)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("decide error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			checkDecision(t, ev, d, tt.want)
		})
	}
}

func TestDecodeEvent(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr bool
	}{
		{"minimal", `{"id":"evt_1","type":"x.y","created":1,"data":{"object":{}}}`, false},
		{"unknown fields and api_version null", `{"id":"evt_1","type":"x.y","created":1,"api_version":null,"extra":[1,2]}`, false},
		{"not JSON", `id=evt_1`, true},
		{"truncated", `{"id":"evt_1","type":`, true},
		{"array", `[1,2]`, true},
		{"empty", ``, true},
		{"missing id", `{"type":"x.y","created":1}`, true},
		{"missing type", `{"id":"evt_1","created":1}`, true},
		{"missing created", `{"id":"evt_1","type":"x.y"}`, true},
		{"created as string", `{"id":"evt_1","type":"x.y","created":"1"}`, true},
		{"created fractional", `{"id":"evt_1","type":"x.y","created":1.5}`, true},
		{"id as number", `{"id":1,"type":"x.y","created":1}`, true},
		{"livemode as string", `{"id":"evt_1","type":"x.y","created":1,"livemode":"false"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeEvent([]byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("decodeEvent error = %v, want error: %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidEvent) {
				t.Errorf("error %v does not match ErrInvalidEvent", err)
			}
		})
	}
}
