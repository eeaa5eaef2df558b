package stripegatetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultUserKey is the metadata key that WithUser sets.
const DefaultUserKey = "user_id"

// EditOption changes one part of an event in Edit or NewEvent. Options run
// in the order given, so a later option overrides an earlier one.
type EditOption func(*eventDocument) error

// eventDocument is a parsed event: the envelope and its data.object.
type eventDocument struct {
	envelope *orderedObject
	object   *orderedObject
}

// Edit applies opts to a raw Stripe event and returns the edited event,
// indented by two spaces as Stripe prints events. Members keep their order,
// numbers keep their text, and a trailing newline in event is kept. Edit
// with no options only reformats.
//
// Edit returns an error if event is not a JSON object with "object":
// "event" and a JSON object at data.object, or if an option fails.
func Edit(event []byte, opts ...EditOption) ([]byte, error) {
	doc, err := parseEvent(event)
	if err != nil {
		return nil, err
	}

	if err := doc.apply(opts); err != nil {
		return nil, err
	}

	out, err := encodeJSON(doc.envelope)
	if err != nil {
		return nil, fmt.Errorf("stripegatetest: encode event: %w", err)
	}
	if bytes.HasSuffix(event, []byte("\n")) {
		out = append(out, '\n')
	}
	return out, nil
}

func parseEvent(event []byte) (*eventDocument, error) {
	value, err := decodeJSON(event)
	if err != nil {
		return nil, fmt.Errorf("stripegatetest: invalid event JSON: %w", err)
	}

	envelope, ok := value.(*orderedObject)
	if !ok {
		return nil, fmt.Errorf("stripegatetest: event is a JSON %s, expected an object", jsonKind(value))
	}
	if kind := envelope.getString("object"); kind != "event" {
		return nil, fmt.Errorf(`stripegatetest: event has "object": %q, expected "event"`, kind)
	}

	data := envelope.getObject("data")
	if data == nil || data.getObject("object") == nil {
		return nil, errors.New("stripegatetest: event has no JSON object at data.object")
	}
	return &eventDocument{envelope: envelope, object: data.getObject("object")}, nil
}

func (doc *eventDocument) apply(opts []EditOption) error {
	for i, opt := range opts {
		if opt == nil {
			return fmt.Errorf("stripegatetest: edit option %d is nil", i)
		}
		if err := opt(doc); err != nil {
			return fmt.Errorf("stripegatetest: %w", err)
		}
	}
	return nil
}

// objectType returns data.object's "object" member, such as
// "checkout.session" or "customer".
func (doc *eventDocument) objectType() string {
	return doc.object.getString("object")
}

// WithID sets the event's id. An empty id is allowed, so tests can build an
// event that a handler rejects.
func WithID(id string) EditOption {
	return func(doc *eventDocument) error {
		doc.envelope.set("id", id)
		return nil
	}
}

// WithNewID sets the event's id to a new random "evt_" ID, so that a handler
// that skips event IDs it has seen treats the event as a new delivery.
func WithNewID() EditOption {
	return func(doc *eventDocument) error {
		doc.envelope.set("id", randomID("evt_"))
		return nil
	}
}

// WithType sets the event's type, such as "invoice.payment_failed". It does
// not change data.object, so the object may no longer fit the type.
func WithType(eventType string) EditOption {
	return func(doc *eventDocument) error {
		doc.envelope.set("type", eventType)
		return nil
	}
}

// WithAPIVersion sets the event's api_version, such as "2022-11-15". It does
// not reshape data.object to that version.
func WithAPIVersion(version string) EditOption {
	return func(doc *eventDocument) error {
		doc.envelope.set("api_version", version)
		return nil
	}
}

// WithCreated sets the event's created time, in unix seconds. The fraction
// of a second in t is dropped.
func WithCreated(t time.Time) EditOption {
	return func(doc *eventDocument) error {
		doc.envelope.set("created", json.Number(strconv.FormatInt(t.Unix(), 10)))
		return nil
	}
}

// WithLivemode sets the event's livemode, and data.object's livemode when
// the object has that member.
func WithLivemode(livemode bool) EditOption {
	return func(doc *eventDocument) error {
		doc.envelope.set("livemode", livemode)
		if _, ok := doc.object.get("livemode"); ok {
			doc.object.set("livemode", livemode)
		}
		return nil
	}
}

// WithUser sets the app's user ID on data.object, as WithUserKey does with
// the key "user_id".
func WithUser(userID string) EditOption {
	return WithUserKey(DefaultUserKey, userID)
}

// WithUserKey sets metadata[key] on data.object to userID, creating the
// metadata object when it is missing or null. When the object is a
// checkout.session it also sets client_reference_id to userID. It fails if
// key is empty or metadata is not an object.
//
// NOTE: Stripe copies a subscription's metadata into invoices under other
// paths, which differ by API version. WithUserKey does not change them. Set
// them with WithObjectField.
func WithUserKey(key, userID string) EditOption {
	return func(doc *eventDocument) error {
		if key == "" {
			return errors.New("empty metadata key for the user ID")
		}

		if err := doc.object.setPath([]string{"metadata", key}, userID); err != nil {
			return fmt.Errorf("set user ID in data.object: %w", err)
		}
		if doc.objectType() == "checkout.session" {
			doc.object.set("client_reference_id", userID)
		}
		return nil
	}
}

// WithCustomer sets the Stripe customer ID of data.object: its "customer"
// member, or its "id" when the object is itself a customer.
func WithCustomer(customerID string) EditOption {
	return func(doc *eventDocument) error {
		if doc.objectType() == "customer" {
			doc.object.set("id", customerID)
			return nil
		}
		doc.object.set("customer", customerID)
		return nil
	}
}

// WithObjectField sets the member of data.object at a dot-separated path,
// such as "payment_status" or "metadata.plan", to value encoded with
// encoding/json. Missing or null objects on the path are created. It fails
// if the path has an empty key, a member on the path is neither an object
// nor null, or value cannot be encoded. Keys that contain a dot cannot be
// reached.
func WithObjectField(path string, value any) EditOption {
	return func(doc *eventDocument) error {
		keys := strings.Split(path, ".")
		for _, key := range keys {
			if key == "" {
				return fmt.Errorf("invalid path %q: empty key", path)
			}
		}

		converted, err := toJSONValue(value)
		if err != nil {
			return fmt.Errorf("encode value for data.object.%s: %w", path, err)
		}
		if err := doc.object.setPath(keys, converted); err != nil {
			return fmt.Errorf("set data.object.%s: %w", path, err)
		}
		return nil
	}
}
