package stripegate

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"
)

// objectStructs are the object structs that the policy decodes. A struct
// added to objects.go belongs here, with its fields in anyObject.
var objectStructs = []reflect.Type{
	reflect.TypeFor[checkoutSession](),
	reflect.TypeFor[invoice](),
	reflect.TypeFor[invoicePayment](),
	reflect.TypeFor[subscription](),
	reflect.TypeFor[paymentIntent](),
	reflect.TypeFor[charge](),
	reflect.TypeFor[dispute](),
}

func TestAnyObjectCoversObjectStructs(t *testing.T) {
	union := reflect.TypeFor[anyObject]()
	for _, typ := range objectStructs {
		t.Run(typ.Name(), func(t *testing.T) {
			if copyPlanFor(typ) != nil {
				return
			}
			for i := range typ.NumField() {
				f := typ.Field(i)
				match, ok := fieldByTag(union, f.Tag.Get("json"))
				switch {
				case !ok:
					t.Errorf("anyObject has no field tagged json:%q for %s.%s", f.Tag.Get("json"), typ.Name(), f.Name)
				case match.Type != f.Type:
					t.Errorf("anyObject.%s is a %s, %s.%s a %s: declare the same type", match.Name, match.Type, typ.Name(), f.Name, f.Type)
				}
			}
			t.Errorf("no copy plan for %s", typ.Name())
		})
	}
}

func fieldByTag(t reflect.Type, tag string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); f.Tag.Get("json") == tag {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func TestCopyPlanRejectsUncoveredStructs(t *testing.T) {
	tests := []struct {
		name string
		typ  reflect.Type
	}{
		{"field not in anyObject", reflect.TypeFor[struct {
			ID    string `json:"id"`
			Other string `json:"other"`
		}]()},
		{"same tag other type", reflect.TypeFor[struct {
			ID int64 `json:"id"`
		}]()},
		{"same name other tag options", reflect.TypeFor[struct {
			Amount int64 `json:"amount,string"`
		}]()},
		{"unexported field", reflect.TypeFor[struct {
			ID   string `json:"id"`
			note string
		}]()},
		{"not a struct", reflect.TypeFor[string]()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if plan := copyPlanFor(tt.typ); plan != nil {
				t.Errorf("copy plan %v, want none", plan)
			}
		})
	}
}

// TestAnyObjectCopyMatchesDecode checks, on every fixture, that each
// object struct copied from anyObject equals the object decoded into that
// struct alone.
func TestAnyObjectCopyMatchesDecode(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "events", "*", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}

	for _, path := range paths {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			body := readFile(t, path)
			ev, err := decodeEvent(body)
			if err != nil {
				t.Fatal(err)
			}
			fields := ev.Data.Object.fields
			if fields == nil {
				t.Fatal("the one-pass decode failed or found no object")
			}
			raw, err := decodeRawObjectEvent(body)
			if err != nil {
				t.Fatal(err)
			}

			for _, typ := range objectStructs {
				copied := reflect.New(typ)
				if !fields.copyTo(copied.Interface()) {
					t.Fatalf("copyTo(%s) = false", typ.Name())
				}
				decoded := reflect.New(typ)
				if err := json.Unmarshal(raw.object, decoded.Interface(), decodeOptions); err != nil {
					t.Fatalf("decode %s: %v", typ.Name(), err)
				}
				if diff := cmp.Diff(decoded.Interface(), copied.Interface()); diff != "" {
					t.Errorf("%s copied from anyObject differs from its decode (-decoded +copied):\n%s", typ.Name(), diff)
				}
			}
		})
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
