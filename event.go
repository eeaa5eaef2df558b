package stripegate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// event is the part of a Stripe event envelope the handler reads. The object
// stays raw until the policy knows the event type, so an event type the
// policy does not handle is never decoded further.
type event struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Created    int64  `json:"created"`
	Livemode   bool   `json:"livemode"`
	APIVersion string `json:"api_version"`

	// Account is set on events of a Connect platform's connected
	// accounts: payments to those accounts, not to the platform.
	Account string `json:"account"`

	Data struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

// decodeEvent decodes the envelope of a verified body. It reads only the
// fields above, so fields that Stripe adds or moves between API versions
// never cause a rejection.
func decodeEvent(body []byte) (*event, error) {
	var ev event
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidEvent, describeJSONError(err))
	}

	switch {
	case ev.ID == "":
		return nil, fmt.Errorf("%w: missing event id", ErrInvalidEvent)
	case ev.Type == "":
		return nil, fmt.Errorf("%w: missing event type", ErrInvalidEvent)
	case ev.Created <= 0:
		return nil, fmt.Errorf("%w: missing or invalid created time", ErrInvalidEvent)
	}
	return &ev, nil
}

// createdTime returns the event's creation time.
func (ev *event) createdTime() time.Time {
	return time.Unix(ev.Created, 0)
}

// decodeObject decodes data.object into dst.
func (ev *event) decodeObject(dst any) error {
	if len(ev.Data.Object) == 0 || bytes.Equal(ev.Data.Object, []byte("null")) {
		return fmt.Errorf("%w: missing data.object", ErrInvalidEvent)
	}
	if err := json.Unmarshal(ev.Data.Object, dst); err != nil {
		return fmt.Errorf("%w: data.object: %s", ErrInvalidEvent, describeJSONError(err))
	}
	return nil
}

// describeJSONError names what was wrong in a decoding error without quoting
// the payload: a syntax error's offset, or the field and type of a type
// mismatch.
func describeJSONError(err error) string {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("invalid JSON at byte %d", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		return fmt.Sprintf("field %q has JSON type %s, expected %s", typeErr.Field, typeErr.Value, typeErr.Type)
	default:
		return err.Error()
	}
}

// objectRef is a Stripe reference to another object: its ID as a string, the
// expanded object with an "id" field, or null.
type objectRef string

// UnmarshalJSON accepts a string, null or an object with a string id.
func (r *objectRef) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '{' {
		var expanded struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(data, &expanded); err != nil {
			return err
		}
		*r = objectRef(expanded.ID)
		return nil
	}

	var id *string
	if err := json.Unmarshal(data, &id); err != nil {
		return err
	}
	if id != nil {
		*r = objectRef(*id)
	}
	return nil
}

// metadata is a Stripe object's metadata: string keys and string values.
type metadata map[string]string

// unixTime converts Stripe's unix seconds, where zero means unknown.
func unixTime(seconds int64) time.Time {
	if seconds <= 0 {
		return time.Time{}
	}
	return time.Unix(seconds, 0)
}
