// Package protoval finds the protobuf message a codec argument stands for.
//
// Codecs accept a message (*T), but callers also pass a pointer to a message
// pointer (**T), typically a field they want allocated on decode. Message
// and Target look through such pointers; they never panic.
package protoval

import (
	"fmt"
	"reflect"

	"google.golang.org/protobuf/proto"
)

var messageType = reflect.TypeFor[proto.Message]()

// RecursionLimit is how deep the codecs decode nested messages (a message
// field, a list or map entry, a google.protobuf.Struct or Value each count
// one level) unless told otherwise. protobuf's own default is 10,000,
// which lets an 18 KB body cost a second of CPU in decoding and then in
// every consumer that walks the message; real schemas nest a few levels,
// so 100 leaves plenty of room while a hostile body fails after a few
// hundred bytes.
const RecursionLimit = 100

// Message returns the message v is or points to, following pointers without
// allocating. It reports false when v is not a message, is a nil pointer
// on the way to one, or points to a nil message. A typed nil message itself
// (v == (*T)(nil)) is returned as is.
func Message(v any) (proto.Message, bool) {
	if m, ok := v.(proto.Message); ok {
		return m, true
	}
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
		if rv.Kind() == reflect.Pointer && rv.Type().Implements(messageType) {
			if rv.IsNil() {
				return nil, false
			}
			return rv.Interface().(proto.Message), true
		}
	}
	return nil, false
}

// Target returns the message to decode into for v, allocating nil pointers
// between v and the message: for a **T whose *T is nil it stores a new T
// and returns it. It returns (nil, nil) when v does not lead to a message
// type, and an error when v is a nil message or a nil pointer to one, which
// cannot be decoded into.
func Target(v any) (proto.Message, error) {
	if m, ok := v.(proto.Message); ok {
		if rv := reflect.ValueOf(m); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil, fmt.Errorf("cannot decode into nil %T", v)
		}
		return m, nil
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || !leadsToMessage(rv.Type()) {
		return nil, nil
	}
	if rv.IsNil() {
		return nil, fmt.Errorf("cannot decode into nil %T", v)
	}
	for {
		elem := rv.Elem()
		if elem.Kind() != reflect.Pointer {
			// leadsToMessage guarantees a message pointer is reached first.
			return nil, nil
		}
		if elem.IsNil() {
			elem.Set(reflect.New(elem.Type().Elem()))
		}
		if elem.Type().Implements(messageType) {
			return elem.Interface().(proto.Message), nil
		}
		rv = elem
	}
}

// leadsToMessage reports whether following the pointer type t reaches a
// pointer type that implements proto.Message.
func leadsToMessage(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		if t.Kind() == reflect.Pointer && t.Implements(messageType) {
			return true
		}
	}
	return false
}
