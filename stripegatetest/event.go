package stripegatetest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// DefaultAPIVersion is the api_version that NewEvent writes unless an
// option sets another.
const DefaultAPIVersion = "2026-08-26.dahlia"

// NewEvent wraps object in a Stripe event envelope of type eventType and
// applies opts to it, as Edit does. The envelope has a random "evt_" id,
// "object": "event", DefaultAPIVersion, created set to the current time,
// livemode false, pending_webhooks 1, a request with a random id and
// idempotency key, and the type. The result is indented by two spaces.
//
// object may be a struct, a map or a json.RawMessage. It must encode to a
// JSON object, and a struct's fields keep their declaration order. NewEvent
// does not check that object fits eventType or the API version.
func NewEvent(eventType string, object any, opts ...EditOption) ([]byte, error) {
	value, err := toJSONValue(object)
	if err != nil {
		return nil, fmt.Errorf("stripegatetest: encode event object: %w", err)
	}
	data, ok := value.(*orderedObject)
	if !ok {
		return nil, fmt.Errorf("stripegatetest: event object is a JSON %s, expected an object", jsonKind(value))
	}

	doc := &eventDocument{envelope: newEnvelope(eventType, data), object: data}
	if err := doc.apply(opts); err != nil {
		return nil, err
	}

	out, err := encodeJSON(doc.envelope)
	if err != nil {
		return nil, fmt.Errorf("stripegatetest: encode event: %w", err)
	}
	return out, nil
}

// newEnvelope builds the event members in the order Stripe sends them.
func newEnvelope(eventType string, data *orderedObject) *orderedObject {
	request := &orderedObject{}
	request.set("id", randomID("req_"))
	request.set("idempotency_key", randomUUID())

	dataMember := &orderedObject{}
	dataMember.set("object", data)

	envelope := &orderedObject{}
	envelope.set("id", randomID("evt_"))
	envelope.set("object", "event")
	envelope.set("api_version", DefaultAPIVersion)
	envelope.set("created", json.Number(strconv.FormatInt(time.Now().Unix(), 10)))
	envelope.set("data", dataMember)
	envelope.set("livemode", false)
	envelope.set("pending_webhooks", json.Number("1"))
	envelope.set("request", request)
	envelope.set("type", eventType)
	return envelope
}
