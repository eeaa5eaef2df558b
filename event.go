package stripegate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// decodeOptions are the options of every decode of a verified body.
//
// Invalid UTF-8 is rejected, the default of go-json-experiment/json.
// Stripe sends only valid UTF-8, and replacing bad bytes with U+FFFD, as
// encoding/json does, could make two different IDs equal.
//
// A member name that appears twice in one object is accepted and its last
// value wins, as with encoding/json and so with stripe-go. Rejecting
// duplicates would cost a set of names for every object in the body.
var decodeOptions = json.JoinOptions(jsontext.AllowDuplicateNames(true))

// event is the part of a Stripe event envelope the handler reads.
type event struct {
	eventHeader

	// Data.Object holds data.object decoded into anyObject, or nil when the
	// event has none, when it is null, or when that decode failed.
	Data struct {
		Object objectFields `json:"object"`
	} `json:"data"`

	// body is the verified body when the first decode succeeded, kept to
	// decode data.object again for an object struct that anyObject does
	// not cover.
	body []byte

	// object is data.object as a slice of the body after the second
	// decode, or nil when the event has none.
	object []byte
}

// eventHeader is the envelope without data.
type eventHeader struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Created    int64  `json:"created"`
	Livemode   bool   `json:"livemode"`
	APIVersion string `json:"api_version"`

	// Account is set on events of a Connect platform's connected
	// accounts: payments to those accounts, not to the platform.
	Account string `json:"account"`
}

// objectFields is data.object decoded into anyObject, or nil. A repeated
// "object" member replaces the earlier one whole, as it does in
// rawObjectEvent, instead of merging into it member by member.
type objectFields struct {
	fields *anyObject
}

// UnmarshalJSONFrom decodes an object into a new anyObject, or reads null.
func (f *objectFields) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		f.fields = nil
		return err
	}

	fields := new(anyObject)
	if err := json.UnmarshalDecode(dec, fields); err != nil {
		return err
	}
	f.fields = fields
	return nil
}

// rawObjectEvent is an event as the second decode reads it: the object is
// checked for syntax and located, and decoded later only if the policy
// reads the event's type.
type rawObjectEvent struct {
	eventHeader
	Data struct {
		Object valueSpan `json:"object"`
	} `json:"data"`
}

// valueSpan is the byte offsets of a JSON value in the decoder's input, so
// that the value can be decoded later without a copy.
type valueSpan struct {
	start, end int64
}

// UnmarshalJSONFrom reads the value, which checks its syntax, and records
// its offsets.
func (s *valueSpan) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	value, err := dec.ReadValue()
	if err != nil {
		return err
	}
	s.end = dec.InputOffset()
	s.start = s.end - int64(len(value))
	return nil
}

// decodeEvent decodes a verified body. It reads only the fields that the
// policy reads, so fields that Stripe adds or moves between API versions
// never cause a rejection. The event refers to body, which must not change
// while the event is in use.
//
// The first decode reads the envelope and the object in one pass (see
// anyObject). When it fails on a JSON type, the second decode reads the
// envelope alone, and only the fields of the event's own type count.
func decodeEvent(body []byte) (*event, error) {
	ev := &event{body: body}
	err := json.Unmarshal(body, ev, decodeOptions)
	var typeErr *json.SemanticError
	if errors.As(err, &typeErr) {
		ev, err = decodeRawObjectEvent(body)
	}
	if err != nil {
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
	return ev, nil
}

// decodeRawObjectEvent decodes the body with data.object left raw.
func decodeRawObjectEvent(body []byte) (*event, error) {
	var raw rawObjectEvent
	if err := json.Unmarshal(body, &raw, decodeOptions); err != nil {
		return nil, err
	}

	ev := &event{eventHeader: raw.eventHeader}
	if span := raw.Data.Object; span.end > span.start {
		ev.object = body[span.start:span.end]
	}
	return ev, nil
}

// createdTime returns the event's creation time.
func (ev *event) createdTime() time.Time {
	return time.Unix(ev.Created, 0)
}

// decodeObject sets dst, a pointer to a zero object struct, from
// data.object.
func (ev *event) decodeObject(dst any) error {
	if fields := ev.Data.Object.fields; fields != nil && fields.copyTo(dst) {
		return nil
	}

	object := ev.object
	if ev.body != nil {
		raw, err := decodeRawObjectEvent(ev.body)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrInvalidEvent, describeJSONError(err))
		}
		object = raw.object
	}

	if len(object) == 0 || bytes.Equal(object, []byte("null")) {
		return fmt.Errorf("%w: missing data.object", ErrInvalidEvent)
	}
	if err := json.Unmarshal(object, dst, decodeOptions); err != nil {
		return fmt.Errorf("%w: data.object: %s", ErrInvalidEvent, describeJSONError(err))
	}
	return nil
}

// describeJSONError names what was wrong in a decoding error without quoting
// the payload: a syntax error's offset, or the field and type of a type
// mismatch.
func describeJSONError(err error) string {
	var syntaxErr *jsontext.SyntacticError
	var typeErr *json.SemanticError
	switch {
	case errors.As(err, &syntaxErr) && errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("JSON ends early at byte %d", syntaxErr.ByteOffset)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("invalid JSON at byte %d", syntaxErr.ByteOffset)
	case errors.As(err, &typeErr) && typeErr.JSONPointer == "":
		return fmt.Sprintf("the body is a JSON %s, expected an object", kindName(typeErr.JSONKind))
	case errors.As(err, &typeErr):
		return fmt.Sprintf("field %q has JSON type %s, expected %s",
			fieldPath(typeErr.JSONPointer), kindName(typeErr.JSONKind), goTypeName(typeErr.GoType))
	default:
		return "invalid JSON"
	}
}

// fieldPath returns a JSON pointer as a dotted path, cut after a metadata
// member: the keys below it are payload data, which is never logged.
func fieldPath(ptr jsontext.Pointer) string {
	var path strings.Builder
	for name := range ptr.Tokens() {
		if path.Len() > 0 {
			path.WriteByte('.')
		}
		path.WriteString(name)
		if name == "metadata" {
			break
		}
	}
	return path.String()
}

// kindName names a JSON kind as encoding/json's errors do.
func kindName(kind jsontext.Kind) string {
	switch kind {
	case 'n':
		return "null"
	case 'f', 't':
		return "bool"
	case '"':
		return "string"
	case '0':
		return "number"
	case '{':
		return "object"
	case '[':
		return "array"
	default:
		return "unknown"
	}
}

// goTypeName names the JSON type that a field of Go type t is read from.
func goTypeName(t reflect.Type) string {
	switch {
	case t == nil:
		return "another type"
	case t == reflect.TypeFor[objectRef]():
		return "string or object"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "object"
	case reflect.Slice:
		return "array"
	default:
		return t.String()
	}
}

// objectRef is a Stripe reference to another object: its ID as a string, the
// expanded object with an "id" field, or null.
type objectRef string

// UnmarshalJSONFrom reads a string, null or an object with a string id.
// Null sets the reference to empty.
func (r *objectRef) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch kind := dec.PeekKind(); kind {
	case 'n':
		_, err := dec.ReadToken()
		*r = ""
		return err
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		*r = objectRef(tok.String())
		return nil
	case '{':
		var expanded struct {
			ID string `json:"id"`
		}
		if err := json.UnmarshalDecode(dec, &expanded); err != nil {
			return err
		}
		*r = objectRef(expanded.ID)
		return nil
	default:
		// A syntax error, which SkipValue returns, or another JSON type.
		if err := dec.SkipValue(); err != nil {
			return err
		}
		return &json.SemanticError{JSONKind: kind, GoType: reflect.TypeFor[objectRef]()}
	}
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
