package stripegatetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixtureDir is where the repository keeps recorded Stripe events, one
// folder per API version.
const fixtureDir = "../testdata/events"

// inlineCheckoutEvent is a small event shaped like Stripe's
// checkout.session.completed, for tests that must not depend on fixtures.
const inlineCheckoutEvent = `{
  "id": "evt_inline_checkout",
  "object": "event",
  "api_version": "2026-08-26.dahlia",
  "created": 1700000000,
  "data": {
    "object": {
      "id": "cs_test_inline",
      "object": "checkout.session",
      "amount_total": 2000,
      "client_reference_id": null,
      "customer": "cus_inline",
      "livemode": false,
      "metadata": {
        "campaign": "spring"
      },
      "mode": "payment",
      "payment_status": "paid",
      "status": "complete",
      "url": null
    }
  },
  "livemode": false,
  "pending_webhooks": 1,
  "request": {
    "id": null,
    "idempotency_key": null
  },
  "type": "checkout.session.completed"
}
`

// inlineSubscriptionEvent is a small event shaped like Stripe's
// customer.subscription.deleted, whose object has null metadata.
const inlineSubscriptionEvent = `{
  "id": "evt_inline_subscription",
  "object": "event",
  "created": 1700000000,
  "data": {
    "object": {
      "id": "sub_inline",
      "object": "subscription",
      "customer": "cus_inline",
      "metadata": null,
      "status": "canceled"
    }
  },
  "type": "customer.subscription.deleted"
}`

// inlineCustomerEvent is a small event shaped like Stripe's
// customer.deleted, whose object is the customer and has no livemode.
const inlineCustomerEvent = `{
  "id": "evt_inline_customer",
  "object": "event",
  "data": {
    "object": {
      "id": "cus_inline",
      "object": "customer",
      "metadata": {}
    }
  },
  "type": "customer.deleted"
}`

func TestEditCheckoutEvent(t *testing.T) {
	sources := []struct {
		name string
		path string // empty for the inline event
	}{
		{name: "inline"},
		{name: "fixture 2022-11-15", path: filepath.Join(fixtureDir, "2022-11-15", "checkout.session.completed.json")},
		{name: "fixture 2026-08-26.dahlia", path: filepath.Join(fixtureDir, "2026-08-26.dahlia", "checkout.session.completed.json")},
	}

	tests := []struct {
		name   string
		opts   []EditOption
		change func(event map[string]any) // applies the expected change to the decoded input
	}{
		{name: "no options", opts: nil, change: func(map[string]any) {}},
		{
			name:   "id",
			opts:   []EditOption{WithID("evt_edited")},
			change: func(e map[string]any) { setIn(e, "id", "evt_edited") },
		},
		{
			name:   "empty id",
			opts:   []EditOption{WithID("")},
			change: func(e map[string]any) { setIn(e, "id", "") },
		},
		{
			name:   "later option wins",
			opts:   []EditOption{WithID("evt_first"), WithID("evt_second")},
			change: func(e map[string]any) { setIn(e, "id", "evt_second") },
		},
		{
			name:   "type",
			opts:   []EditOption{WithType("checkout.session.async_payment_failed")},
			change: func(e map[string]any) { setIn(e, "type", "checkout.session.async_payment_failed") },
		},
		{
			name:   "api version",
			opts:   []EditOption{WithAPIVersion("2022-11-15")},
			change: func(e map[string]any) { setIn(e, "api_version", "2022-11-15") },
		},
		{
			name:   "created drops fraction",
			opts:   []EditOption{WithCreated(time.Unix(1800000000, 500000000))},
			change: func(e map[string]any) { setIn(e, "created", json.Number("1800000000")) },
		},
		{
			name: "livemode on event and object",
			opts: []EditOption{WithLivemode(true)},
			change: func(e map[string]any) {
				setIn(e, "livemode", true)
				setIn(e, "data.object.livemode", true)
			},
		},
		{
			name: "user",
			opts: []EditOption{WithUser("user_42")},
			change: func(e map[string]any) {
				setIn(e, "data.object.metadata.user_id", "user_42")
				setIn(e, "data.object.client_reference_id", "user_42")
			},
		},
		{
			name: "user with custom key",
			opts: []EditOption{WithUserKey("account_id", "acct_7")},
			change: func(e map[string]any) {
				setIn(e, "data.object.metadata.account_id", "acct_7")
				setIn(e, "data.object.client_reference_id", "acct_7")
			},
		},
		{
			name:   "customer",
			opts:   []EditOption{WithCustomer("cus_edited")},
			change: func(e map[string]any) { setIn(e, "data.object.customer", "cus_edited") },
		},
		{
			name:   "object field string",
			opts:   []EditOption{WithObjectField("payment_status", "unpaid")},
			change: func(e map[string]any) { setIn(e, "data.object.payment_status", "unpaid") },
		},
		{
			name:   "object field nested",
			opts:   []EditOption{WithObjectField("metadata.plan", "pro")},
			change: func(e map[string]any) { setIn(e, "data.object.metadata.plan", "pro") },
		},
		{
			name:   "object field null",
			opts:   []EditOption{WithObjectField("customer", nil)},
			change: func(e map[string]any) { setIn(e, "data.object.customer", nil) },
		},
		{
			name: "object field map",
			opts: []EditOption{WithObjectField("shipping", map[string]any{"name": "Ada", "phone": nil})},
			change: func(e map[string]any) {
				setIn(e, "data.object.shipping", map[string]any{"name": "Ada", "phone": nil})
			},
		},
		{
			name:   "object field number",
			opts:   []EditOption{WithObjectField("amount_total", 4200)},
			change: func(e map[string]any) { setIn(e, "data.object.amount_total", json.Number("4200")) },
		},
	}

	for _, source := range sources {
		t.Run(source.name, func(t *testing.T) {
			input := readEventSource(t, source.path)

			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got, err := Edit(input, tt.opts...)
					if err != nil {
						t.Fatalf("Edit failed: %v", err)
					}

					want := decodeForTest(t, input)
					tt.change(want)
					if diff := cmp.Diff(want, decodeForTest(t, got)); diff != "" {
						t.Errorf("Edit result (-want +got):\n%s", diff)
					}
					assertIndented(t, got)
					assertSameKeyOrder(t, input, got)
				})
			}
		})
	}
}

func TestEditNewID(t *testing.T) {
	input := []byte(inlineCheckoutEvent)

	first, err := Edit(input, WithNewID())
	if err != nil {
		t.Fatalf("Edit failed: %v", err)
	}
	second, err := Edit(input, WithNewID())
	if err != nil {
		t.Fatalf("Edit failed: %v", err)
	}

	firstID := decodeForTest(t, first)["id"]
	secondID := decodeForTest(t, second)["id"]
	if id, _ := firstID.(string); !regexp.MustCompile(`^evt_[0-9A-Za-z]{24}$`).MatchString(id) {
		t.Errorf("new id = %v, expected evt_ and 24 alphanumeric characters", firstID)
	}
	if firstID == secondID {
		t.Errorf("two edits with WithNewID both set id %v", firstID)
	}

	want := decodeForTest(t, input)
	want["id"] = firstID
	if diff := cmp.Diff(want, decodeForTest(t, first)); diff != "" {
		t.Errorf("WithNewID changed more than the id (-want +got):\n%s", diff)
	}
}

func TestEditByObjectType(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		opts   []EditOption
		change func(event map[string]any)
	}{
		{
			name:   "user on subscription sets only metadata",
			input:  inlineSubscriptionEvent,
			opts:   []EditOption{WithUser("user_42")},
			change: func(e map[string]any) { setIn(e, "data.object.metadata", map[string]any{"user_id": "user_42"}) },
		},
		{
			name:   "customer on subscription",
			input:  inlineSubscriptionEvent,
			opts:   []EditOption{WithCustomer("cus_edited")},
			change: func(e map[string]any) { setIn(e, "data.object.customer", "cus_edited") },
		},
		{
			name:   "customer on customer object sets id",
			input:  inlineCustomerEvent,
			opts:   []EditOption{WithCustomer("cus_edited")},
			change: func(e map[string]any) { setIn(e, "data.object.id", "cus_edited") },
		},
		{
			name:   "livemode on object without livemode",
			input:  inlineCustomerEvent,
			opts:   []EditOption{WithLivemode(true)},
			change: func(e map[string]any) { setIn(e, "livemode", true) },
		},
		{
			name:   "user on customer object",
			input:  inlineCustomerEvent,
			opts:   []EditOption{WithUser("user_42")},
			change: func(e map[string]any) { setIn(e, "data.object.metadata.user_id", "user_42") },
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Edit([]byte(tt.input), tt.opts...)
			if err != nil {
				t.Fatalf("Edit failed: %v", err)
			}

			want := decodeForTest(t, []byte(tt.input))
			tt.change(want)
			if diff := cmp.Diff(want, decodeForTest(t, got)); diff != "" {
				t.Errorf("Edit result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEditTrailingNewline(t *testing.T) {
	tests := []struct {
		name        string
		input       string
		wantNewline bool
	}{
		{name: "kept", input: inlineCheckoutEvent, wantNewline: true},
		{name: "not added", input: inlineSubscriptionEvent, wantNewline: false},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Edit([]byte(tt.input))
			if err != nil {
				t.Fatalf("Edit failed: %v", err)
			}

			if gotNewline := bytes.HasSuffix(got, []byte("\n")); gotNewline != tt.wantNewline {
				t.Errorf("output ends with a newline = %v, expected %v", gotNewline, tt.wantNewline)
			}
		})
	}
}

func TestEditUnchangedInlineEventIsByteIdentical(t *testing.T) {
	got, err := Edit([]byte(inlineCheckoutEvent))
	if err != nil {
		t.Fatalf("Edit failed: %v", err)
	}

	if diff := cmp.Diff(inlineCheckoutEvent, string(got)); diff != "" {
		t.Errorf("Edit without options changed the event (-want +got):\n%s", diff)
	}
}

func TestEditRejectsNonEvent(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		wantErr string
	}{
		{name: "not JSON", input: `event`, wantErr: "invalid event JSON"},
		{name: "trailing data", input: `{"object":"event","data":{"object":{}}} {}`, wantErr: "invalid event JSON"},
		{name: "array", input: `[]`, wantErr: "event is a JSON array"},
		{name: "missing object member", input: `{"data":{"object":{}}}`, wantErr: `"object": "", expected "event"`},
		{name: "bare checkout session", input: `{"id":"cs_1","object":"checkout.session"}`, wantErr: `"object": "checkout.session", expected "event"`},
		{name: "missing data", input: `{"object":"event"}`, wantErr: "no JSON object at data.object"},
		{name: "null data object", input: `{"object":"event","data":{"object":null}}`, wantErr: "no JSON object at data.object"},
		{name: "string data object", input: `{"object":"event","data":{"object":"cs_1"}}`, wantErr: "no JSON object at data.object"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Edit([]byte(tt.input))

			assertErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestEditOptionErrors(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		opt     EditOption
		wantErr string
	}{
		{name: "nil option", input: inlineCheckoutEvent, opt: nil, wantErr: "edit option 0 is nil"},
		{name: "empty user key", input: inlineCheckoutEvent, opt: WithUserKey("", "user_42"), wantErr: "empty metadata key"},
		{name: "metadata not object", input: metadataString(t), opt: WithUser("user_42"), wantErr: "metadata is a JSON string, not an object"},
		{name: "empty path", input: inlineCheckoutEvent, opt: WithObjectField("", "x"), wantErr: `invalid path "": empty key`},
		{name: "empty key in path", input: inlineCheckoutEvent, opt: WithObjectField("metadata..plan", "x"), wantErr: `invalid path "metadata..plan"`},
		{name: "path through string", input: inlineCheckoutEvent, opt: WithObjectField("status.code", "x"), wantErr: "status is a JSON string, not an object"},
		{name: "unencodable value", input: inlineCheckoutEvent, opt: WithObjectField("status", func() {}), wantErr: "encode value for data.object.status"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Edit([]byte(tt.input), tt.opt)

			assertErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestEditEveryFixture(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(fixtureDir, "*", "*.json"))
	if err != nil {
		t.Fatalf("list fixtures: %v", err)
	}
	if len(paths) == 0 {
		t.Skipf("no fixtures under %s yet", fixtureDir)
	}

	for _, path := range paths {
		t.Run(strings.TrimPrefix(path, fixtureDir+string(filepath.Separator)), func(t *testing.T) {
			input := readEventSource(t, path)
			assertEditWithoutOptionsKeepsEvent(t, input)

			got, err := Edit(input, WithNewID(), WithUser("user_42"))
			if err != nil {
				t.Fatalf("Edit failed: %v", err)
			}

			edited := decodeForTest(t, got)
			object, _ := edited["data"].(map[string]any)["object"].(map[string]any)
			metadata, _ := object["metadata"].(map[string]any)
			if metadata["user_id"] != "user_42" {
				t.Errorf("data.object.metadata.user_id = %v, expected user_42", metadata["user_id"])
			}
			if edited["id"] == decodeForTest(t, input)["id"] {
				t.Errorf("id %v was not replaced", edited["id"])
			}
			assertIndented(t, got)
			assertSameKeyOrder(t, input, got)
		})
	}
}

// assertEditWithoutOptionsKeepsEvent checks that Edit with no options keeps
// the event's content, and its bytes too when the input is already indented
// by two spaces as Stripe prints events.
func assertEditWithoutOptionsKeepsEvent(t *testing.T, input []byte) {
	t.Helper()

	got, err := Edit(input)
	if err != nil {
		t.Fatalf("Edit without options failed: %v", err)
	}
	if diff := cmp.Diff(decodeForTest(t, input), decodeForTest(t, got)); diff != "" {
		t.Errorf("Edit without options changed the content (-want +got):\n%s", diff)
	}

	var indented bytes.Buffer
	if err := json.Indent(&indented, bytes.TrimSuffix(input, []byte("\n")), "", "  "); err != nil {
		t.Fatalf("indent input: %v", err)
	}
	if !bytes.Equal(indented.Bytes(), bytes.TrimSuffix(input, []byte("\n"))) {
		return
	}
	if diff := cmp.Diff(string(input), string(got)); diff != "" {
		t.Errorf("Edit without options changed the bytes of an indented event (-want +got):\n%s", diff)
	}
}

// readEventSource reads a fixture, or returns the inline checkout event when
// path is empty. It skips the test when the fixture does not exist yet.
func readEventSource(t *testing.T, path string) []byte {
	t.Helper()

	if path == "" {
		return []byte(inlineCheckoutEvent)
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("fixture %s does not exist yet", path)
	}
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return data
}

// metadataString returns the inline checkout event with a string in place
// of the metadata object.
func metadataString(t *testing.T) string {
	t.Helper()

	edited, err := Edit([]byte(inlineCheckoutEvent), WithObjectField("metadata", "broken"))
	if err != nil {
		t.Fatalf("Edit failed: %v", err)
	}
	return string(edited)
}

// decodeForTest decodes JSON with encoding/json, independent of the
// package's own decoder. Numbers stay json.Number.
func decodeForTest(t *testing.T, data []byte) map[string]any {
	t.Helper()

	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var decoded map[string]any
	if err := dec.Decode(&decoded); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return decoded
}

// setIn sets a dot-separated path in a decoded event, creating maps for
// missing or null members on the way.
func setIn(event map[string]any, path string, value any) {
	keys := strings.Split(path, ".")
	current := event
	for _, key := range keys[:len(keys)-1] {
		next, ok := current[key].(map[string]any)
		if !ok {
			next = map[string]any{}
			current[key] = next
		}
		current = next
	}
	current[keys[len(keys)-1]] = value
}

// assertIndented checks that data is indented by two spaces, as
// json.Indent would print it.
func assertIndented(t *testing.T, data []byte) {
	t.Helper()

	var want bytes.Buffer
	if err := json.Indent(&want, data, "", "  "); err != nil {
		t.Fatalf("indent output: %v", err)
	}
	if diff := cmp.Diff(want.String(), string(data)); diff != "" {
		t.Errorf("output is not indented by two spaces (-want +got):\n%s", diff)
	}
}

// assertSameKeyOrder checks that every object that input and output share
// lists its shared members in the same order, so an edit never reorders.
func assertSameKeyOrder(t *testing.T, input, output []byte) {
	t.Helper()

	wantOrder := keyOrder(t, input)
	gotOrder := keyOrder(t, output)
	for path, wantKeys := range wantOrder {
		gotKeys := onlyKeysIn(gotOrder[path], wantKeys)
		if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
			t.Errorf("member order of %q changed (-want +got):\n%s", path, diff)
		}
	}
}

// keyOrder returns, for each object in data, the path of the object and its
// keys in order. Array elements are counted as part of the array's path.
func keyOrder(t *testing.T, data []byte) map[string][]string {
	t.Helper()

	order := make(map[string][]string)
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(path string)
	walk = func(path string) {
		token, err := dec.Token()
		if err != nil {
			t.Fatalf("read JSON token: %v", err)
		}
		switch token {
		case json.Delim('{'):
			for dec.More() {
				keyToken, err := dec.Token()
				if err != nil {
					t.Fatalf("read JSON key: %v", err)
				}
				key, _ := keyToken.(string)
				order[path] = append(order[path], key)
				walk(path + "." + key)
			}
			readClosingDelimiter(t, dec)
		case json.Delim('['):
			for dec.More() {
				walk(path + "[]")
			}
			readClosingDelimiter(t, dec)
		}
	}
	walk("")
	return order
}

func readClosingDelimiter(t *testing.T, dec *json.Decoder) {
	t.Helper()

	if _, err := dec.Token(); err != nil {
		t.Fatalf("read closing delimiter: %v", err)
	}
}

// onlyKeysIn returns the keys of got that also appear in want, in got's order.
func onlyKeysIn(got, want []string) []string {
	inWant := make(map[string]bool)
	for _, key := range want {
		inWant[key] = true
	}

	var shared []string
	for _, key := range got {
		if inWant[key] {
			shared = append(shared, key)
		}
	}
	return shared
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
