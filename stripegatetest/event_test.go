package stripegatetest

import (
	"encoding/json"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type testSession struct {
	ID            string            `json:"id"`
	Object        string            `json:"object"`
	PaymentStatus string            `json:"payment_status"`
	Metadata      map[string]string `json:"metadata"`
}

func TestNewEventEnvelope(t *testing.T) {
	before := time.Now().Unix()
	session := testSession{ID: "cs_test_1", Object: "checkout.session", PaymentStatus: "paid", Metadata: map[string]string{}}

	got, err := NewEvent("checkout.session.completed", session)
	if err != nil {
		t.Fatalf("NewEvent failed: %v", err)
	}
	after := time.Now().Unix()

	event := decodeForTest(t, got)
	assertMatches(t, "id", event["id"], `^evt_[0-9A-Za-z]{24}$`)
	request, _ := event["request"].(map[string]any)
	assertMatches(t, "request.id", request["id"], `^req_[0-9A-Za-z]{24}$`)
	assertMatches(t, "request.idempotency_key", request["idempotency_key"], `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

	created, err := strconv.ParseInt(string(event["created"].(json.Number)), 10, 64)
	if err != nil {
		t.Fatalf("created = %v, expected unix seconds: %v", event["created"], err)
	}
	if created < before || created > after {
		t.Errorf("created = %d, expected between %d and %d", created, before, after)
	}

	want := map[string]any{
		"id":          event["id"],
		"object":      "event",
		"api_version": DefaultAPIVersion,
		"created":     event["created"],
		"data": map[string]any{"object": map[string]any{
			"id":             "cs_test_1",
			"object":         "checkout.session",
			"payment_status": "paid",
			"metadata":       map[string]any{},
		}},
		"livemode":         false,
		"pending_webhooks": json.Number("1"),
		"request":          event["request"],
		"type":             "checkout.session.completed",
	}
	if diff := cmp.Diff(want, event); diff != "" {
		t.Errorf("NewEvent envelope (-want +got):\n%s", diff)
	}
}

func TestNewEventKeyOrder(t *testing.T) {
	got, err := NewEvent("checkout.session.completed", testSession{ID: "cs_1", Object: "checkout.session"})
	if err != nil {
		t.Fatalf("NewEvent failed: %v", err)
	}

	order := keyOrder(t, got)
	wantEnvelope := []string{"id", "object", "api_version", "created", "data", "livemode", "pending_webhooks", "request", "type"}
	if diff := cmp.Diff(wantEnvelope, order[""]); diff != "" {
		t.Errorf("envelope member order (-want +got):\n%s", diff)
	}
	wantObject := []string{"id", "object", "payment_status", "metadata"}
	if diff := cmp.Diff(wantObject, order[".data.object"]); diff != "" {
		t.Errorf("object member order follows the struct fields (-want +got):\n%s", diff)
	}
	assertIndented(t, got)
}

func TestNewEventObjectKinds(t *testing.T) {
	tests := []struct {
		name   string
		object any
		want   map[string]any
	}{
		{name: "map", object: map[string]any{"id": "sub_1", "object": "subscription"}, want: map[string]any{"id": "sub_1", "object": "subscription"}},
		{name: "raw message", object: json.RawMessage(`{"id":"in_1","object":"invoice"}`), want: map[string]any{"id": "in_1", "object": "invoice"}},
		{name: "empty object", object: struct{}{}, want: map[string]any{}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewEvent("test.event", tt.object)
			if err != nil {
				t.Fatalf("NewEvent failed: %v", err)
			}

			data, _ := decodeForTest(t, got)["data"].(map[string]any)
			if diff := cmp.Diff(tt.want, data["object"]); diff != "" {
				t.Errorf("data.object (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewEventAppliesOptions(t *testing.T) {
	got, err := NewEvent("checkout.session.completed",
		testSession{ID: "cs_1", Object: "checkout.session"},
		WithID("evt_fixed"),
		WithAPIVersion("2022-11-15"),
		WithCreated(time.Unix(1700000000, 0)),
		WithUser("user_42"),
	)
	if err != nil {
		t.Fatalf("NewEvent failed: %v", err)
	}

	event := decodeForTest(t, got)
	checks := []struct {
		field string
		got   any
		want  any
	}{
		{field: "id", got: event["id"], want: "evt_fixed"},
		{field: "api_version", got: event["api_version"], want: "2022-11-15"},
		{field: "created", got: event["created"], want: json.Number("1700000000")},
		{field: "data.object.client_reference_id", got: objectOf(event)["client_reference_id"], want: "user_42"},
		{field: "data.object.metadata", got: objectOf(event)["metadata"], want: map[string]any{"user_id": "user_42"}},
	}
	for _, check := range checks {
		if diff := cmp.Diff(check.want, check.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", check.field, diff)
		}
	}
}

func TestNewEventRandomIDs(t *testing.T) {
	first, err := NewEvent("test.event", map[string]any{})
	if err != nil {
		t.Fatalf("NewEvent failed: %v", err)
	}
	second, err := NewEvent("test.event", map[string]any{})
	if err != nil {
		t.Fatalf("NewEvent failed: %v", err)
	}

	firstEvent, secondEvent := decodeForTest(t, first), decodeForTest(t, second)
	if firstEvent["id"] == secondEvent["id"] {
		t.Errorf("two events share id %v", firstEvent["id"])
	}
	if cmp.Equal(firstEvent["request"], secondEvent["request"]) {
		t.Errorf("two events share request %v", firstEvent["request"])
	}
}

func TestNewEventErrors(t *testing.T) {
	tests := []struct {
		name    string
		object  any
		opts    []EditOption
		wantErr string
	}{
		{name: "nil object", object: nil, wantErr: "event object is a JSON null, expected an object"},
		{name: "string object", object: "cs_1", wantErr: "event object is a JSON string, expected an object"},
		{name: "slice object", object: []string{"a"}, wantErr: "event object is a JSON array, expected an object"},
		{name: "bytes object", object: []byte(`{"id":"cs_1"}`), wantErr: "event object is a JSON string, expected an object"},
		{name: "invalid raw message", object: json.RawMessage(`{`), wantErr: "encode event object"},
		{name: "unencodable object", object: map[string]any{"f": func() {}}, wantErr: "encode event object"},
		{name: "failing option", object: map[string]any{}, opts: []EditOption{WithUserKey("", "u")}, wantErr: "empty metadata key"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewEvent("test.event", tt.object, tt.opts...)

			assertErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestNewEventPassesEdit(t *testing.T) {
	event, err := NewEvent("customer.created", map[string]any{"id": "cus_1", "object": "customer"})
	if err != nil {
		t.Fatalf("NewEvent failed: %v", err)
	}

	edited, err := Edit(event)
	if err != nil {
		t.Fatalf("Edit of a NewEvent result failed: %v", err)
	}
	if diff := cmp.Diff(string(event), string(edited)); diff != "" {
		t.Errorf("Edit without options changed a NewEvent result (-want +got):\n%s", diff)
	}
}

func objectOf(event map[string]any) map[string]any {
	data, _ := event["data"].(map[string]any)
	object, _ := data["object"].(map[string]any)
	return object
}

func assertMatches(t *testing.T, field string, value any, pattern string) {
	t.Helper()

	s, ok := value.(string)
	if !ok {
		t.Errorf("%s = %v (%T), expected a string", field, value, value)
		return
	}
	if !regexp.MustCompile(pattern).MatchString(s) {
		t.Errorf("%s = %q, expected a match for %s", field, s, pattern)
	}
}
