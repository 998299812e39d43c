package formcodec

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// errSkipped wraps the error for a field that encodeProto leaves out, as
// Kratos does, while it goes on with the other fields: a repeated or map
// field whose values are messages written field by field.
type errSkipped struct{ err error }

func (e errSkipped) Error() string { return e.err.Error() }
func (e errSkipped) Unwrap() error { return e.err }

// encodeProto adds the populated fields of m to u, each key prefixed with
// prefix and a dot when prefix is not empty. With indexed, repeated and map
// fields of messages are written field by field under indexed keys
// (items[0].name, children[a].level); without, they are left out as Kratos
// does, and encodeProto returns an errSkipped for the first of them once
// every other field is written. It stops at any other error.
func encodeProto(u url.Values, prefix string, m protoreflect.Message, depth int, indexed bool) error {
	if depth > maxDepth {
		return fmt.Errorf("form: %s: message nested deeper than %d levels", prefix, maxDepth)
	}
	var err, skipped error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		err = encodeProtoField(u, join(prefix, fieldName(fd)), fd, v, depth, indexed)
		var s errSkipped
		if errors.As(err, &s) {
			if skipped == nil {
				skipped = s
			}
			err = nil
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	return skipped
}

func encodeProtoField(u url.Values, key string, fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int, indexed bool) error {
	switch {
	case fd.IsList():
		nested := isNestedMessage(fd)
		if nested && !indexed {
			return errSkipped{fmt.Errorf("form: field %s: unsupported message type %q in a repeated field", key, fd.Message().FullName())}
		}
		list := v.List()
		for i := range list.Len() {
			if nested {
				if err := encodeProto(u, key+"["+strconv.Itoa(i)+"]", list.Get(i).Message(), depth+1, indexed); err != nil {
					return err
				}
				continue
			}
			s, err := EncodeField(fd, list.Get(i))
			if err != nil {
				return fmt.Errorf("form: field %s: %w", key, err)
			}
			u.Add(key, s)
		}
		return nil
	case fd.IsMap():
		vd := fd.MapValue()
		nested := isNestedMessage(vd)
		if nested && !indexed {
			return errSkipped{fmt.Errorf("form: field %s: unsupported message type %q in a map value", key, vd.Message().FullName())}
		}
		var err error
		v.Map().Range(func(mk protoreflect.MapKey, mv protoreflect.Value) bool {
			var ks string
			if ks, err = EncodeField(fd.MapKey(), mk.Value()); err != nil {
				return false
			}
			entry := key + "[" + ks + "]"
			if nested {
				err = encodeProto(u, entry, mv.Message(), depth+1, indexed)
				return err == nil
			}
			var s string
			if s, err = EncodeField(vd, mv); err != nil {
				err = fmt.Errorf("form: field %s: %w", entry, err)
				return false
			}
			u.Set(entry, s)
			return true
		})
		return err
	case isNestedMessage(fd):
		return encodeProto(u, key, v.Message(), depth+1, indexed)
	}
	s, err := EncodeField(fd, v)
	if err != nil {
		return fmt.Errorf("form: field %s: %w", key, err)
	}
	u.Set(key, s)
	return nil
}

// isNestedMessage reports whether values of fd are messages written field by
// field rather than as one value.
func isNestedMessage(fd protoreflect.FieldDescriptor) bool {
	md := fd.Message()
	return md != nil && !isScalarMessage(md.FullName())
}

// fieldName is the form key of fd: its JSON name when the descriptor
// carries one (protoc and buf always record it), else its text name.
func fieldName(fd protoreflect.FieldDescriptor) string {
	if fd.HasJSONName() {
		return fd.JSONName()
	}
	return fd.TextName()
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// EncodeField writes one value of the field fd as a form value: enums by
// name, bytes as URL-safe base64, well-known types as described in the
// package documentation of encoding/form, other scalars in decimal.
func EncodeField(fd protoreflect.FieldDescriptor, v protoreflect.Value) (string, error) {
	if fd == nil || !v.IsValid() {
		return "", errors.New("form: EncodeField needs a field descriptor and a valid value")
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return strconv.FormatBool(v.Bool()), nil
	case protoreflect.EnumKind:
		if fd.Enum().FullName() == nullValueName {
			return null, nil
		}
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name()), nil
		}
		return strconv.FormatInt(int64(v.Enum()), 10), nil
	case protoreflect.BytesKind:
		return base64.URLEncoding.EncodeToString(v.Bytes()), nil
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return formatMessage(v.Message())
	}
	return v.String(), nil
}

// EncodeFieldMask returns "name=paths" for the first populated
// google.protobuf.FieldMask field of m, with the paths in lowerCamelCase
// separated by commas, or "" when m has none.
func EncodeFieldMask(m protoreflect.Message) string {
	var query string
	if m == nil {
		return ""
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.IsList() || fd.IsMap() || fd.Message() == nil || fd.Message().FullName() != fieldMaskName {
			return true
		}
		s, err := formatMessage(v.Message())
		if err != nil {
			return true
		}
		query = fieldName(fd) + "=" + s
		return false
	})
	return query
}
