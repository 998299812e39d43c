// Package jsoncodec implements the json codec: protojson for protobuf
// messages, encoding/json for everything else.
package jsoncodec

import (
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/encoding/internal/protoval"
)

// Name is the content subtype of the codec.
const Name = "json"

// DefaultMarshalOptions and DefaultUnmarshalOptions are the protojson
// options of the built-in codec: unpopulated fields are written, unknown
// fields are ignored on input, and messages nested deeper than
// protoval.RecursionLimit (100) are refused.
var (
	DefaultMarshalOptions   = protojson.MarshalOptions{EmitUnpopulated: true}
	DefaultUnmarshalOptions = protojson.UnmarshalOptions{DiscardUnknown: true, RecursionLimit: protoval.RecursionLimit}
)

// defaultMarshal and defaultUnmarshal are private copies, so that changing
// the exported defaults cannot change the built-in codec.
var (
	defaultMarshal   = DefaultMarshalOptions
	defaultUnmarshal = DefaultUnmarshalOptions
)

// Default is the built-in json codec.
var Default = &Codec{MarshalOptions: &defaultMarshal, UnmarshalOptions: &defaultUnmarshal}

// Codec is the json codec. The options are read through the pointers at
// every call, so a codec built on package variables follows changes to them.
type Codec struct {
	MarshalOptions   *protojson.MarshalOptions
	UnmarshalOptions *protojson.UnmarshalOptions
}

// Name returns "json".
func (*Codec) Name() string { return Name }

// Marshal encodes v. A json.Marshaler is asked to encode itself, a protobuf
// message goes through protojson, anything else through encoding/json.
//
// As in Kratos, only v itself is checked for being a message: a pointer to
// a message pointer (**T) is encoded by encoding/json, field by field with
// the generated struct tags, not by protojson. (Unmarshal, in contrast,
// follows such pointers to the message.)
func (c *Codec) Marshal(v any) ([]byte, error) {
	if m, ok := v.(json.Marshaler); ok {
		return m.MarshalJSON()
	}
	if m, ok := v.(proto.Message); ok {
		return c.MarshalOptions.Marshal(m)
	}
	return json.Marshal(v)
}

// Unmarshal decodes data into v. A json.Unmarshaler decodes itself (but
// for the protobuf well-known types, which go through protojson); a
// protobuf message, or a pointer to a message pointer (allocated when nil),
// goes through protojson; anything else through encoding/json.
func (c *Codec) Unmarshal(data []byte, v any) error {
	if m, ok := v.(json.Unmarshaler); ok {
		// The well-known types (Struct, Value, ...) answer UnmarshalJSON
		// with protojson's defaults, which would skip the recursion limit.
		if pm, ok := m.(proto.Message); !ok || !wellKnown(pm) {
			return m.UnmarshalJSON(data)
		}
	}
	m, err := protoval.Target(v)
	if err != nil {
		return fmt.Errorf("json: %w", err)
	}
	if m != nil {
		return c.UnmarshalOptions.Unmarshal(data, m)
	}
	return json.Unmarshal(data, v)
}

// wellKnown reports whether m is one of protobuf's well-known types.
func wellKnown(m proto.Message) bool {
	return m.ProtoReflect().Descriptor().ParentFile().Package() == "google.protobuf"
}
