package main

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// object is a decoded JSON object. It is an alias so that values decoded by
// encoding/json into any can be asserted to it directly.
type object = map[string]any

// shapeError reports a fixture that lacks a field the scenario edits. The
// helpers below panic with it, and run turns it back into an error.
type shapeError string

func (e shapeError) Error() string { return string(e) }

// clone returns a deep copy of o.
func clone(o object) object {
	data, err := json.Marshal(o)
	if err != nil {
		panic(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var c object
	if err := dec.Decode(&c); err != nil {
		panic(err)
	}
	return c
}

// child returns the object stored under key, and panics with a shapeError if
// there is none.
func child(o object, key string) object {
	c, ok := o[key].(object)
	if !ok {
		panic(shapeError(fmt.Sprintf("fixture field %q is %v, expected an object", key, o[key])))
	}
	return c
}

// firstItem returns the first element of the list object stored under key,
// such as the first line of an invoice.
func firstItem(o object, key string) object {
	data, ok := child(o, key)["data"].([]any)
	if !ok || len(data) == 0 {
		panic(shapeError(fmt.Sprintf("fixture list %q has no items", key)))
	}
	item, ok := data[0].(object)
	if !ok {
		panic(shapeError(fmt.Sprintf("first item of fixture list %q is not an object", key)))
	}
	return item
}

// setExisting sets the given keys only where o already has them. It replaces
// placeholder values that one stripe-mock release fills in and leaves the
// shape of the other release unchanged.
func setExisting(o object, values object) {
	for k, v := range values {
		if _, ok := o[k]; ok {
			o[k] = v
		}
	}
}

// overlay sets the given keys in the object stored under key, keeping its
// other members. A null or missing object is replaced by a new one.
func overlay(o object, key string, values object) {
	target, ok := o[key].(object)
	if !ok {
		target = object{}
		o[key] = target
	}
	for k, v := range values {
		target[k] = v
	}
}

// nullMembers sets every member of the object stored under key to null, if
// that object exists.
func nullMembers(o object, key string) {
	target, ok := o[key].(object)
	if !ok {
		return
	}
	for k := range target {
		target[k] = nil
	}
}
