// Package formcodec implements the x-www-form-urlencoded codec: protobuf
// messages mapped field by field (proto_encode.go, proto_decode.go, with
// the well-known types in wkt.go) and plain Go values mapped through
// reflection (struct_encode.go, struct_decode.go). Both share the key
// syntax of key.go. The public API and its documentation are in
// encoding/form.
package formcodec

import (
	"fmt"
	"net/url"
	"reflect"

	"github.com/seed6ad8aa6b/kratos/encoding/internal/protoval"
)

// Name is the content subtype of the codec.
const Name = "x-www-form-urlencoded"

// Codec is the form codec.
type Codec struct{}

// Name returns "x-www-form-urlencoded".
func (Codec) Name() string { return Name }

// Marshal encodes v as EncodeValues does, except that repeated and map
// fields of messages are written under indexed keys, and returns the
// sorted, escaped query string.
func (Codec) Marshal(v any) ([]byte, error) {
	vs, err := encodeValues(v, true)
	if err != nil {
		return nil, err
	}
	for k, list := range vs {
		if len(list) == 0 {
			delete(vs, k)
		}
	}
	return []byte(vs.Encode()), nil
}

// Unmarshal parses data as a query string and decodes it into v, which
// must be a non-nil pointer to a protobuf message, a message pointer, a
// struct, a map or url.Values.
func (Codec) Unmarshal(data []byte, v any) error {
	vs, err := url.ParseQuery(string(data))
	if err != nil {
		return fmt.Errorf("form: %w", err)
	}
	return Decode(v, vs)
}

// Decode sets v from values; see Codec.Unmarshal for what v may be.
func Decode(v any, values url.Values) error {
	if p, ok := v.(*url.Values); ok && p != nil {
		if *p == nil {
			*p = make(url.Values, len(values))
		}
		for k, list := range values {
			(*p)[k] = append((*p)[k], list...)
		}
		return nil
	}
	m, err := protoval.Target(v)
	if err != nil {
		return fmt.Errorf("form: %w", err)
	}
	if m != nil {
		return DecodeValues(m, values)
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("form: cannot decode into %T: need a non-nil pointer", v)
	}
	target := rv.Elem()
	for target.Kind() == reflect.Pointer {
		if target.IsNil() {
			target.Set(reflect.New(target.Type().Elem()))
		}
		target = target.Elem()
	}
	if k := target.Kind(); k != reflect.Struct && k != reflect.Map {
		return fmt.Errorf("form: cannot decode into %T: need a pointer to a struct or a map", v)
	}
	return decodeGo(values, target)
}

// EncodeValues returns the form values of v: the populated fields of a
// protobuf message, or the fields of a struct or entries of a map. A nil v
// gives empty values.
func EncodeValues(v any) (url.Values, error) {
	return encodeValues(v, false)
}

// encodeValues is EncodeValues; indexed is as for encodeProto.
func encodeValues(v any, indexed bool) (url.Values, error) {
	u := make(url.Values)
	if v == nil {
		return u, nil
	}
	if m, ok := protoval.Message(v); ok {
		pm := m.ProtoReflect()
		if !pm.IsValid() {
			return u, nil
		}
		if err := encodeProto(u, "", pm, 0, indexed); err != nil {
			if _, ok := err.(errSkipped); ok {
				return u, err
			}
			return nil, err
		}
		return u, nil
	}
	switch vs := v.(type) {
	case url.Values:
		for k, list := range vs {
			u[k] = append([]string(nil), list...)
		}
		return u, nil
	case map[string][]string:
		for k, list := range vs {
			u[k] = append([]string(nil), list...)
		}
		return u, nil
	}
	if err := encodeGo(u, "", reflect.ValueOf(v), 0); err != nil {
		return nil, err
	}
	return u, nil
}
