package formcodec

import (
	"encoding"
	"encoding/base64"
	"fmt"
	"net/url"
	"reflect"
	"strconv"

	"google.golang.org/protobuf/proto"
)

// maxDepth bounds the nesting the encoders follow and the number of
// segments in a decoded key, so that cyclic values and hostile keys fail
// with an error instead of exhausting the stack.
const maxDepth = 100

var (
	messageType         = reflect.TypeFor[proto.Message]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// encodeGo adds the Go value v to u under key: struct fields as key.name,
// map entries as key[k], slices of scalars as repeated keys, other slices
// as key[i]. Nil pointers and interfaces add nothing.
func encodeGo(u url.Values, key string, v reflect.Value, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("form: %s: value nested deeper than %d levels", key, maxDepth)
	}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		if v.Kind() == reflect.Pointer && v.Type().Implements(messageType) {
			m := v.Interface().(proto.Message).ProtoReflect()
			if key != "" && isScalarMessage(m.Descriptor().FullName()) {
				s, err := formatMessage(m)
				if err != nil {
					return fmt.Errorf("form: %s: %w", key, err)
				}
				u.Add(key, s)
				return nil
			}
			return encodeProto(u, key, m, depth, true)
		}
		v = v.Elem()
	}
	if (v.Kind() == reflect.Slice || v.Kind() == reflect.Map) && v.IsNil() {
		return nil
	}
	if s, ok, err := formatScalar(v); ok || err != nil {
		if key == "" {
			return fmt.Errorf("form: cannot encode %v: need a struct or a map", v.Type())
		}
		if err != nil {
			return fmt.Errorf("form: %s: %w", key, err)
		}
		u.Add(key, s)
		return nil
	}
	switch v.Kind() {
	case reflect.Struct:
		for _, f := range fieldsOf(v.Type()).fields {
			fv, ok := fieldByIndex(v, f.index)
			if !ok || (f.omitEmpty && isEmpty(fv)) {
				continue
			}
			if err := encodeGo(u, join(key, f.name), fv, depth+1); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			ks, ok, err := formatScalar(iter.Key())
			if !ok || err != nil {
				return fmt.Errorf("form: %s: cannot encode map key of type %v", key, v.Type().Key())
			}
			entry := ks
			if key != "" {
				entry = key + "[" + ks + "]"
			}
			if err := encodeGo(u, entry, iter.Value(), depth+1); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice, reflect.Array:
		if key == "" {
			return fmt.Errorf("form: cannot encode %v: need a struct or a map", v.Type())
		}
		indexed := !isScalarType(v.Type().Elem())
		for i := range v.Len() {
			if indexed {
				if err := encodeGo(u, key+"["+strconv.Itoa(i)+"]", v.Index(i), depth+1); err != nil {
					return err
				}
				continue
			}
			if err := encodeGo(u, key, v.Index(i), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if key == "" {
		return fmt.Errorf("form: cannot encode %v: need a struct or a map", v.Type())
	}
	return fmt.Errorf("form: %s: cannot encode value of type %v", key, v.Type())
}

// formatScalar writes v as one form value if it is a scalar: a
// TextMarshaler (such as time.Time), a string, bool or number, or a []byte
// (standard base64). It reports false for other values.
func formatScalar(v reflect.Value) (string, bool, error) {
	if v.Type().Implements(textMarshalerType) {
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		return string(b), true, err
	}
	if v.CanAddr() && v.Addr().Type().Implements(textMarshalerType) {
		b, err := v.Addr().Interface().(encoding.TextMarshaler).MarshalText()
		return string(b), true, err
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), true, nil
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), true, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), true, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10), true, nil
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, v.Type().Bits()), true, nil
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes()), true, nil
		}
	}
	return "", false, nil
}

// isScalarType reports whether values of t are written as one form value, so
// that a slice of them becomes repeated keys rather than indexed ones.
func isScalarType(t reflect.Type) bool {
	if t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType) {
		return t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	case reflect.Slice:
		return t.Elem().Kind() == reflect.Uint8
	}
	return false
}

// fieldByIndex is reflect.Value.FieldByIndex that reports false instead of
// panicking at a nil embedded pointer.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	}
	return v.IsZero()
}
