package formcodec

import (
	"encoding"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
)

// decodeGo sets the Go value rv (a struct or a map, settable) from values.
func decodeGo(values url.Values, rv reflect.Value) error {
	d := decoder{}
	d.segs = d.segBuf[:0]
	for _, key := range sortedKeys(values) {
		vals := values[key]
		if len(vals) == 0 {
			continue
		}
		d.key = key
		segs, err := parseKey(d.segs, key)
		d.segs = segs
		if err != nil {
			if !knownName(rv, firstName(key)) {
				continue
			}
			return d.errorf("%v", err)
		}
		if err := d.walk(rv, segs, vals); err != nil {
			return err
		}
	}
	return nil
}

// knownName reports whether a malformed key starting with name concerns rv,
// in which case it is an error rather than an unknown key to ignore.
func knownName(rv reflect.Value, name string) bool {
	t := rv.Type()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return fieldsOf(t).byName[name] != nil
	case reflect.Map:
		return true
	}
	return false
}

// walk applies the path segs to the settable value v.
func (d *decoder) walk(v reflect.Value, segs []segment, vals []string) error {
	v, m, err := d.deref(v)
	if err != nil || m != nil {
		if m != nil {
			return d.message(m.ProtoReflect(), segs, vals)
		}
		return err
	}
	seg, rest := segs[0], segs[1:]
	switch v.Kind() {
	case reflect.Struct:
		f := fieldsOf(v.Type()).byName[seg.name]
		if f == nil {
			return nil // unknown fields are ignored
		}
		fv, ok := fieldByIndexAlloc(v, f.index)
		if !ok {
			return nil
		}
		return d.path(fv, seg.subs, rest, vals)
	case reflect.Map:
		// "m.k=v" is accepted as well as "m[k]=v".
		return d.mapEntry(v, seg.name, seg.subs, rest, vals)
	}
	return d.errorf("cannot set .%s in a value of type %v", seg.name, v.Type())
}

// deref follows and allocates pointers. When it reaches a protobuf message
// it returns that message, for the proto decoder to continue.
func (d *decoder) deref(v reflect.Value) (reflect.Value, proto.Message, error) {
	for {
		if v.Kind() == reflect.Pointer && v.Type().Implements(messageType) {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			return v, v.Interface().(proto.Message), nil
		}
		if v.Kind() != reflect.Pointer {
			if v.CanAddr() && v.Addr().Type().Implements(messageType) {
				return v, v.Addr().Interface().(proto.Message), nil
			}
			return v, nil, nil
		}
		if v.IsNil() {
			if !v.CanSet() {
				return v, nil, d.errorf("cannot allocate %v", v.Type())
			}
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
}

// path applies the bracketed parts subs, then the segments rest, to v.
func (d *decoder) path(v reflect.Value, subs []string, rest []segment, vals []string) error {
	if len(subs) == 0 {
		if len(rest) == 0 {
			return d.leaf(v, vals)
		}
		return d.walk(v, rest, vals)
	}
	v, m, err := d.deref(v)
	if err != nil {
		return err
	}
	if m != nil {
		return d.errorf("message %s takes no [%s]", m.ProtoReflect().Descriptor().FullName(), subs[0])
	}
	switch v.Kind() {
	case reflect.Map:
		return d.mapEntry(v, subs[0], subs[1:], rest, vals)
	case reflect.Slice:
		if subs[0] == "" {
			if len(subs) > 1 || len(rest) > 0 {
				return d.errorf("[] must end the key")
			}
			return d.appendValues(v, vals)
		}
		i, err := parseIndex(subs[0])
		if err != nil {
			return d.errorf("%w", err)
		}
		if n := i + 1 - v.Len(); n > 0 {
			if d.padding += n; d.padding > maxPadding {
				return d.errorf("indexed keys create more than %d slice elements", maxPadding)
			}
			v.Set(reflect.AppendSlice(v, reflect.MakeSlice(v.Type(), n, n)))
		}
		return d.path(v.Index(i), subs[1:], rest, vals)
	case reflect.Array:
		i, err := parseIndex(subs[0])
		if err != nil || i >= v.Len() {
			return d.errorf("invalid index [%s] for %v", subs[0], v.Type())
		}
		return d.path(v.Index(i), subs[1:], rest, vals)
	}
	return d.errorf("cannot index a value of type %v with [%s]", v.Type(), subs[0])
}

func (d *decoder) mapEntry(m reflect.Value, key string, subs []string, rest []segment, vals []string) error {
	k := reflect.New(m.Type().Key()).Elem()
	if err := setScalar(k, key); err != nil {
		return d.errorf("map key: %w", err)
	}
	elem := reflect.New(m.Type().Elem()).Elem()
	if m.IsNil() {
		m.Set(reflect.MakeMap(m.Type()))
	} else if old := m.MapIndex(k); old.IsValid() {
		elem.Set(old)
	}
	if err := d.path(elem, subs, rest, vals); err != nil {
		return err
	}
	m.SetMapIndex(k, elem)
	return nil
}

// leaf sets v from the values of its key.
func (d *decoder) leaf(v reflect.Value, vals []string) error {
	if v.Kind() == reflect.Pointer && v.Type().Implements(messageType) {
		return d.messageLeaf(v, vals)
	}
	if vals[0] == "" && !acceptsEmpty(v.Type()) {
		return nil // an empty value leaves non-string fields unset
	}
	v, _, err := d.deref(v)
	if err != nil {
		return err
	}
	if v.CanAddr() && v.Addr().Type().Implements(textUnmarshalerType) {
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(vals[0])); err != nil {
			return d.errorf("%w", err)
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b, err := decodeBytes(vals[0])
			if err != nil {
				return d.errorf("%w", err)
			}
			v.SetBytes(b)
			return nil
		}
		v.SetLen(0)
		return d.appendValues(v, vals)
	case reflect.Array:
		for i, s := range vals {
			if i >= v.Len() {
				return d.errorf("%d values for %v", len(vals), v.Type())
			}
			if err := d.leaf(v.Index(i), []string{s}); err != nil {
				return err
			}
		}
		return nil
	case reflect.Interface:
		if v.NumMethod() != 0 {
			return d.errorf("cannot decode into %v", v.Type())
		}
		if len(vals) == 1 {
			v.Set(reflect.ValueOf(vals[0]))
		} else {
			v.Set(reflect.ValueOf(slices.Clone(vals)))
		}
		return nil
	case reflect.Struct, reflect.Map:
		return d.errorf("cannot set %v from a single value", v.Type())
	}
	if err := setScalar(v, vals[0]); err != nil {
		return d.errorf("%w", err)
	}
	return nil
}

// messageLeaf sets a message pointer from one value: a well-known type
// written as a scalar, such as a Timestamp.
func (d *decoder) messageLeaf(v reflect.Value, vals []string) error {
	if vals[0] == "" {
		return nil
	}
	md := reflect.Zero(v.Type()).Interface().(proto.Message).ProtoReflect().Descriptor()
	msg, ok, err := parseMessage(md, vals[0])
	if err != nil {
		return d.errorf("%w", err)
	}
	if !ok {
		return nil
	}
	mv := reflect.ValueOf(msg)
	if !mv.Type().AssignableTo(v.Type()) {
		return d.errorf("cannot set %v from a single value", v.Type())
	}
	v.Set(mv)
	return nil
}

func (d *decoder) appendValues(v reflect.Value, vals []string) error {
	et := v.Type().Elem()
	for _, s := range vals {
		if s == "" && !acceptsEmpty(et) {
			continue
		}
		e := reflect.New(et).Elem()
		if err := d.leaf(e, []string{s}); err != nil {
			return err
		}
		v.Set(reflect.Append(v, e))
	}
	return nil
}

// acceptsEmpty reports whether an empty form value sets values of type t
// (strings do; numbers, bools and times are left unset instead).
func acceptsEmpty(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return false
	}
	return t.Kind() == reflect.String || t.Kind() == reflect.Interface || t.Kind() == reflect.Slice
}

// setScalar parses s into v, a string, bool, number or TextUnmarshaler.
func setScalar(v reflect.Value, s string) error {
	if v.CanAddr() && v.Addr().Type().Implements(textUnmarshalerType) {
		return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := parseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("cannot decode %q into %v", s, v.Type())
	}
	return nil
}

// parseBool accepts what strconv.ParseBool does, plus "on" and "off" as
// sent by HTML checkboxes.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return strconv.ParseBool(s)
}

// fieldByIndexAlloc is reflect.Value.FieldByIndex that allocates nil
// embedded pointers; it reports false when one cannot be set (an embedded
// pointer to an unexported type).
func fieldByIndexAlloc(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}
