package stripegatetest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{name: "key order kept", input: `{"z":1,"a":2,"m":3}`, want: "{\n  \"z\": 1,\n  \"a\": 2,\n  \"m\": 3\n}"},
		{name: "number text kept", input: `{"big":12345678901234567890,"price":1.50,"exp":1e3}`, want: "{\n  \"big\": 12345678901234567890,\n  \"price\": 1.50,\n  \"exp\": 1e3\n}"},
		{name: "HTML characters kept", input: `{"url":"https://example.com/?a=1&b=<2>"}`, want: "{\n  \"url\": \"https://example.com/?a=1&b=<2>\"\n}"},
		{name: "escaped HTML decoded", input: `{"s":"\u003cb\u003e"}`, want: "{\n  \"s\": \"<b>\"\n}"},
		{name: "non-ASCII kept", input: `{"name":"Zoë"}`, want: "{\n  \"name\": \"Zoë\"\n}"},
		{name: "empty containers", input: `{"metadata":{},"items":[]}`, want: "{\n  \"metadata\": {},\n  \"items\": []\n}"},
		{name: "null and booleans", input: `{"a":null,"b":true,"c":false}`, want: "{\n  \"a\": null,\n  \"b\": true,\n  \"c\": false\n}"},
		{name: "nested array of objects", input: `[{"b":1,"a":2},[]]`, want: "[\n  {\n    \"b\": 1,\n    \"a\": 2\n  },\n  []\n]"},
		{name: "duplicate key keeps last value in first place", input: `{"a":1,"b":2,"a":3}`, want: "{\n  \"a\": 3,\n  \"b\": 2\n}"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			value, err := decodeJSON([]byte(tt.input))
			if err != nil {
				t.Fatalf("decodeJSON(%s) failed: %v", tt.input, err)
			}

			got, err := encodeJSON(value)
			if err != nil {
				t.Fatalf("encodeJSON failed: %v", err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("round trip of %s (-want +got):\n%s", tt.input, diff)
			}
		})
	}
}

func TestDecodeJSONRejectsInvalidInput(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{name: "empty", input: ""},
		{name: "truncated object", input: `{"a":1`},
		{name: "trailing value", input: `{"a":1} {"b":2}`},
		{name: "trailing garbage", input: `{"a":1}x`},
		{name: "missing value", input: `{"a":}`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeJSON([]byte(tt.input))

			if err == nil {
				t.Errorf("decodeJSON(%q) succeeded, expected an error", tt.input)
			}
		})
	}
}

func TestSetPath(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		path    []string
		want    string
		wantErr string
	}{
		{name: "replace in place", input: `{"a":1,"b":2}`, path: []string{"a"}, want: `{"a":"v","b":2}`},
		{name: "append new key", input: `{"a":1}`, path: []string{"b"}, want: `{"a":1,"b":"v"}`},
		{name: "create missing parent", input: `{"a":1}`, path: []string{"m", "k"}, want: `{"a":1,"m":{"k":"v"}}`},
		{name: "replace null parent", input: `{"m":null}`, path: []string{"m", "k"}, want: `{"m":{"k":"v"}}`},
		{name: "keep siblings in parent", input: `{"m":{"x":"1"}}`, path: []string{"m", "k"}, want: `{"m":{"x":"1","k":"v"}}`},
		{name: "string parent rejected", input: `{"m":"text"}`, path: []string{"m", "k"}, wantErr: "m is a JSON string, not an object"},
		{name: "array parent rejected", input: `{"m":{"n":[]}}`, path: []string{"m", "n", "k"}, wantErr: "m.n is a JSON array, not an object"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			value, err := decodeJSON([]byte(tt.input))
			if err != nil {
				t.Fatalf("decodeJSON(%s) failed: %v", tt.input, err)
			}
			obj := value.(*orderedObject)

			err = obj.setPath(tt.path, "v")

			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("setPath(%v) error = %v, expected one containing %q", tt.path, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("setPath(%v) failed: %v", tt.path, err)
			}
			assertSameJSON(t, tt.want, obj)
		})
	}
}

func TestToJSONValueSortsMapKeys(t *testing.T) {
	value, err := toJSONValue(map[string]any{"b": 1, "a": []string{"x"}})
	if err != nil {
		t.Fatalf("toJSONValue failed: %v", err)
	}

	assertSameJSON(t, `{"a":["x"],"b":1}`, value)
}

func TestToJSONValueRejectsUnencodable(t *testing.T) {
	_, err := toJSONValue(make(chan int))

	if err == nil {
		t.Errorf("toJSONValue(chan) succeeded, expected an error")
	}
}

// assertSameJSON compares value, encoded compactly, with want. It compares
// text, so member order counts.
func assertSameJSON(t *testing.T, want string, value any) {
	t.Helper()

	indented, err := encodeJSON(value)
	if err != nil {
		t.Fatalf("encodeJSON failed: %v", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, indented); err != nil {
		t.Fatalf("compact JSON: %v", err)
	}

	if diff := cmp.Diff(want, compact.String()); diff != "" {
		t.Errorf("JSON mismatch (-want +got):\n%s", diff)
	}
}
