package stripegatetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// orderedObject is a JSON object that keeps its members in input order, so an
// edited event keeps Stripe's key order. Member values are *orderedObject, []any,
// string, json.Number, bool or nil.
type orderedObject struct {
	members []member
}

type member struct {
	key   string
	value any
}

// get returns the value of key and whether the object has it.
func (o *orderedObject) get(key string) (any, bool) {
	for _, m := range o.members {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// getObject returns the value of key if it is a JSON object, else nil.
func (o *orderedObject) getObject(key string) *orderedObject {
	value, _ := o.get(key)
	child, _ := value.(*orderedObject)
	return child
}

// getString returns the value of key if it is a JSON string, else "".
func (o *orderedObject) getString(key string) string {
	value, _ := o.get(key)
	s, _ := value.(string)
	return s
}

// set replaces the value of key in place, or appends key when it is new.
func (o *orderedObject) set(key string, value any) {
	for i := range o.members {
		if o.members[i].key == key {
			o.members[i].value = value
			return
		}
	}
	o.members = append(o.members, member{key: key, value: value})
}

// setPath sets the value at path below o. A missing or null member on the
// way becomes an empty object. A member on the way that holds any other
// non-object value is an error, because replacing it would lose data.
func (o *orderedObject) setPath(path []string, value any) error {
	current := o
	for i, key := range path[:len(path)-1] {
		next, _ := current.get(key)
		switch child := next.(type) {
		case *orderedObject:
			current = child
		case nil:
			created := &orderedObject{}
			current.set(key, created)
			current = created
		default:
			return fmt.Errorf("%s is a JSON %s, not an object", strings.Join(path[:i+1], "."), jsonKind(next))
		}
	}

	current.set(path[len(path)-1], value)
	return nil
}

// decodeJSON parses exactly one JSON value, keeping object key order and
// number text. Data after the value is an error.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()

	value, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}

	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return value, nil
}

// toJSONValue converts a Go value to the form decodeJSON returns, by
// encoding it with encoding/json. Map keys come out sorted.
func toJSONValue(value any) (any, error) {
	data, err := json.Marshal(value)
	if err != nil {
		return nil, err
	}
	return decodeJSON(data)
}

func decodeValue(dec *json.Decoder) (any, error) {
	token, err := dec.Token()
	if err != nil {
		return nil, err
	}

	switch token {
	case json.Delim('{'):
		return decodeObject(dec)
	case json.Delim('['):
		return decodeArray(dec)
	}
	return token, nil
}

func decodeObject(dec *json.Decoder) (*orderedObject, error) {
	obj := &orderedObject{}
	for dec.More() {
		token, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := token.(string)
		if !ok {
			return nil, fmt.Errorf("object key is %v, expected a string", token)
		}

		value, err := decodeValue(dec)
		if err != nil {
			return nil, err
		}
		obj.set(key, value)
	}

	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	return obj, nil
}

func decodeArray(dec *json.Decoder) ([]any, error) {
	array := []any{}
	for dec.More() {
		value, err := decodeValue(dec)
		if err != nil {
			return nil, err
		}
		array = append(array, value)
	}

	if _, err := dec.Token(); err != nil { // the closing bracket
		return nil, err
	}
	return array, nil
}

// encodeJSON returns value indented by two spaces, as Stripe prints events,
// without a trailing newline. Unlike json.Marshal it keeps <, > and & as
// they are, so text such as URLs reads as in the input.
func encodeJSON(value any) ([]byte, error) {
	var compact bytes.Buffer
	if err := writeValue(&compact, value); err != nil {
		return nil, err
	}

	var indented bytes.Buffer
	if err := json.Indent(&indented, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	return indented.Bytes(), nil
}

func writeValue(buf *bytes.Buffer, value any) error {
	switch v := value.(type) {
	case *orderedObject:
		return writeObject(buf, v)
	case []any:
		return writeArray(buf, v)
	default:
		return writeScalar(buf, v)
	}
}

func writeObject(buf *bytes.Buffer, obj *orderedObject) error {
	buf.WriteByte('{')
	for i, m := range obj.members {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeScalar(buf, m.key); err != nil {
			return err
		}
		buf.WriteByte(':')
		if err := writeValue(buf, m.value); err != nil {
			return fmt.Errorf("%s: %w", m.key, err)
		}
	}
	buf.WriteByte('}')
	return nil
}

func writeArray(buf *bytes.Buffer, array []any) error {
	buf.WriteByte('[')
	for i, value := range array {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeValue(buf, value); err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	return nil
}

func writeScalar(buf *bytes.Buffer, value any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(value); err != nil {
		return err
	}

	buf.Truncate(buf.Len() - 1) // Encode ends every value with a newline
	return nil
}

// jsonKind returns the JSON type name of a decoded value, for error
// messages.
func jsonKind(value any) string {
	switch value.(type) {
	case *orderedObject:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%T", value)
	}
}
