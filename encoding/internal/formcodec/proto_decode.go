package formcodec

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
)

// Limits on what one decode may allocate for indexed keys such as
// "items[7].name": an index must be below maxIndex, and all the padding
// elements created to reach indexes (in lists and slices) may not exceed
// maxPadding in one call.
const (
	maxIndex   = 1000
	maxPadding = 10000
)

// DecodeValues sets the fields of msg from values; see the package
// documentation of encoding/form for the key syntax. Keys are applied in
// sorted order. Keys naming unknown fields are ignored.
func DecodeValues(msg proto.Message, values url.Values) error {
	if msg == nil {
		return errors.New("form: cannot decode into a nil proto.Message")
	}
	m := msg.ProtoReflect()
	if !m.IsValid() {
		return fmt.Errorf("form: cannot decode into nil %T", msg)
	}
	d := decoder{}
	d.segs = d.segBuf[:0]
	if len(values) == 1 {
		for key, vals := range values {
			return d.decodeKey(m, key, vals)
		}
	}
	for _, key := range sortedKeys(values) {
		if err := d.decodeKey(m, key, values[key]); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(values url.Values) []string {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// decoder carries the state of one DecodeValues call.
type decoder struct {
	key     string    // the key being decoded, for errors
	padding int       // padding elements created so far
	segs    []segment // parseKey buffer, reused from key to key
	segBuf  [4]segment
}

func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("form: key %q: "+format, append([]any{d.key}, args...)...)
}

func (d *decoder) decodeKey(m protoreflect.Message, key string, vals []string) error {
	if len(vals) == 0 {
		return nil
	}
	d.key = key
	segs, err := parseKey(d.segs, key)
	d.segs = segs
	if err != nil {
		if lookupField(m.Descriptor(), firstName(key)) == nil && m.Descriptor().FullName() != structName {
			return nil // not one of ours
		}
		return d.errorf("%v", err)
	}
	return d.message(m, segs, vals)
}

// lookupField finds a field by its proto name or its JSON name.
func lookupField(md protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	fields := md.Fields()
	if fd := fields.ByName(protoreflect.Name(name)); fd != nil {
		return fd
	}
	return fields.ByJSONName(name)
}

// message applies the path segs to m.
func (d *decoder) message(m protoreflect.Message, segs []segment, vals []string) error {
	switch m.Descriptor().FullName() {
	case structName:
		if s, ok := m.Interface().(*structpb.Struct); ok {
			return d.structPath(s, segs, vals)
		}
	case valueName:
		if v, ok := m.Interface().(*structpb.Value); ok {
			s := v.GetStructValue()
			if s == nil {
				s = &structpb.Struct{}
				v.Kind = &structpb.Value_StructValue{StructValue: s}
			}
			return d.structPath(s, segs, vals)
		}
	}
	seg, rest := segs[0], segs[1:]
	fd := lookupField(m.Descriptor(), seg.name)
	if fd == nil {
		return nil // unknown fields are ignored
	}
	if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
		if set := m.WhichOneof(od); set != nil && set != fd {
			return d.errorf("oneof %s already has field %s set", od.Name(), set.Name())
		}
	}
	switch {
	case fd.IsMap():
		return d.mapField(m, fd, seg.subs, rest, vals)
	case fd.IsList():
		return d.listField(m, fd, seg.subs, rest, vals)
	}
	if len(seg.subs) > 0 {
		return d.errorf("field %s is neither a map nor a repeated field", fd.Name())
	}
	if len(rest) > 0 {
		if fd.Message() == nil {
			return d.errorf("field %s is not a message", fd.Name())
		}
		if m.Has(fd) {
			return d.message(m.Mutable(fd).Message(), rest, vals)
		}
		sub := m.NewField(fd)
		if err := d.message(sub.Message(), rest, vals); err != nil {
			return err
		}
		if populated(sub.Message()) {
			m.Set(fd, sub)
		}
		return nil
	}
	if len(vals) > 1 {
		return d.errorf("field %s takes one value, got %d", fd.Name(), len(vals))
	}
	if vals[0] == "" {
		return nil // an empty value leaves the field unset
	}
	v, ok, err := parseValue(fd, vals[0])
	if err != nil {
		return d.errorf("field %s: %w", fd.Name(), err)
	}
	if ok {
		m.Set(fd, v)
	}
	return nil
}

func (d *decoder) mapField(m protoreflect.Message, fd protoreflect.FieldDescriptor, subs []string, rest []segment, vals []string) error {
	var key string
	switch {
	case len(subs) > 1:
		return d.errorf("map field %s takes one [key]", fd.Name())
	case len(subs) == 1:
		key = subs[0]
	case len(rest) > 0:
		// "labels.env=prod" is accepted as well as "labels[env]=prod".
		if len(rest[0].subs) > 0 {
			return d.errorf("map field %s: unexpected [%s] after key", fd.Name(), rest[0].subs[0])
		}
		key, rest = rest[0].name, rest[1:]
	default:
		return d.errorf("map field %s needs a key, as %s[key]", fd.Name(), fd.Name())
	}
	k, ok, err := parseValue(fd.MapKey(), key)
	if err != nil {
		return d.errorf("map field %s: key: %w", fd.Name(), err)
	}
	if !ok {
		return d.errorf("map field %s: empty key", fd.Name())
	}
	mp := m.Mutable(fd).Map()
	vd := fd.MapValue()
	if len(rest) > 0 {
		if vd.Message() == nil {
			return d.errorf("map field %s: values are not messages", fd.Name())
		}
		if mp.Has(k.MapKey()) {
			return d.message(mp.Mutable(k.MapKey()).Message(), rest, vals)
		}
		sub := mp.NewValue()
		if err := d.message(sub.Message(), rest, vals); err != nil {
			return err
		}
		if populated(sub.Message()) {
			mp.Set(k.MapKey(), sub)
		}
		return nil
	}
	v, ok, err := parseValue(vd, vals[len(vals)-1]) // the last value wins
	if err != nil {
		return d.errorf("map field %s: value: %w", fd.Name(), err)
	}
	if ok {
		mp.Set(k.MapKey(), v)
	}
	return nil
}

func (d *decoder) listField(m protoreflect.Message, fd protoreflect.FieldDescriptor, subs []string, rest []segment, vals []string) error {
	index := -1
	switch {
	case len(subs) > 1:
		return d.errorf("repeated field %s takes one [index]", fd.Name())
	case len(subs) == 1 && subs[0] != "":
		i, err := parseIndex(subs[0])
		if err != nil {
			return d.errorf("repeated field %s: %w", fd.Name(), err)
		}
		index = i
	}
	list := m.Mutable(fd).List()
	if len(rest) > 0 {
		if fd.Message() == nil {
			return d.errorf("repeated field %s is not a message", fd.Name())
		}
		if index < 0 {
			return d.errorf("repeated field %s needs an index, as %s[0].%s", fd.Name(), fd.Name(), rest[0].name)
		}
		if index < list.Len() {
			return d.message(list.Get(index).Message(), rest, vals)
		}
		sub := list.NewElement()
		if err := d.message(sub.Message(), rest, vals); err != nil {
			return err
		}
		if !populated(sub.Message()) {
			return nil
		}
		if err := d.grow(list, index); err != nil {
			return err
		}
		list.Set(index, sub)
		return nil
	}
	if index >= 0 {
		if len(vals) > 1 {
			return d.errorf("repeated field %s: index [%d] takes one value, got %d", fd.Name(), index, len(vals))
		}
		v, ok, err := parseValue(fd, vals[0])
		if err != nil || !ok {
			if err != nil {
				return d.errorf("repeated field %s: %w", fd.Name(), err)
			}
			return nil
		}
		if err := d.grow(list, index); err != nil {
			return err
		}
		list.Set(index, v)
		return nil
	}
	for _, s := range vals {
		v, ok, err := parseValue(fd, s)
		if err != nil {
			return d.errorf("repeated field %s: %w", fd.Name(), err)
		}
		if ok {
			list.Append(v)
		}
	}
	return nil
}

// populated reports whether m has a field set; messages created for a key
// that ends up setting nothing (an unknown field, an empty value) are
// dropped rather than left behind empty.
func populated(m protoreflect.Message) bool {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		if m.Has(fields.Get(i)) {
			return true
		}
	}
	return false
}

// grow appends zero elements to list until index is valid.
func (d *decoder) grow(list protoreflect.List, index int) error {
	n := index + 1 - list.Len()
	if n <= 0 {
		return nil
	}
	if d.padding += n; d.padding > maxPadding {
		return d.errorf("indexed keys create more than %d list elements", maxPadding)
	}
	for range n {
		list.Append(list.NewElement())
	}
	return nil
}

func parseIndex(s string) (int, error) {
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 {
		return 0, fmt.Errorf("invalid index [%s]", s)
	}
	if i >= maxIndex {
		return 0, fmt.Errorf("index [%d] out of range: indexes must be below %d", i, maxIndex)
	}
	return i, nil
}

// structPath sets "a.b.c=v" in a google.protobuf.Struct: every segment but
// the last names a nested struct, the last one a string value (a list of
// strings when the key is repeated).
func (d *decoder) structPath(s *structpb.Struct, segs []segment, vals []string) error {
	for {
		seg := segs[0]
		if len(seg.subs) > 0 {
			return d.errorf("struct keys take no [%s]", seg.subs[0])
		}
		if err := checkUTF8(seg.name); err != nil {
			return d.errorf("%w", err)
		}
		if s.Fields == nil {
			s.Fields = make(map[string]*structpb.Value)
		}
		if len(segs) == 1 {
			v, err := stringsValue(vals)
			if err != nil {
				return d.errorf("%w", err)
			}
			s.Fields[seg.name] = v
			return nil
		}
		child := s.Fields[seg.name].GetStructValue()
		if child == nil {
			child = &structpb.Struct{}
			s.Fields[seg.name] = structpb.NewStructValue(child)
		}
		s, segs = child, segs[1:]
	}
}

func stringsValue(vals []string) (*structpb.Value, error) {
	for _, s := range vals {
		if err := checkUTF8(s); err != nil {
			return nil, err
		}
	}
	if len(vals) == 1 {
		return structpb.NewStringValue(vals[0]), nil
	}
	list := make([]*structpb.Value, len(vals))
	for i, s := range vals {
		list[i] = structpb.NewStringValue(s)
	}
	return structpb.NewListValue(&structpb.ListValue{Values: list}), nil
}

// parseValue reads one value of the field fd (an element for repeated
// fields, the key or value descriptor for maps). It reports false, without
// error, for values that leave the field unset: an empty value of a kind
// other than string and bytes, and "null" for nullable well-known types.
func parseValue(fd protoreflect.FieldDescriptor, s string) (protoreflect.Value, bool, error) {
	kind := fd.Kind()
	if s == "" && kind != protoreflect.StringKind && kind != protoreflect.BytesKind {
		return protoreflect.Value{}, false, nil
	}
	switch kind {
	case protoreflect.BoolKind:
		v, err := strconv.ParseBool(s)
		return protoreflect.ValueOfBool(v), err == nil, err
	case protoreflect.EnumKind:
		v, err := parseEnum(fd.Enum(), s)
		return protoreflect.ValueOfEnum(v), err == nil, err
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		v, err := strconv.ParseInt(s, 10, 32)
		return protoreflect.ValueOfInt32(int32(v)), err == nil, err
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		v, err := strconv.ParseInt(s, 10, 64)
		return protoreflect.ValueOfInt64(v), err == nil, err
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		v, err := strconv.ParseUint(s, 10, 32)
		return protoreflect.ValueOfUint32(uint32(v)), err == nil, err
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		v, err := strconv.ParseUint(s, 10, 64)
		return protoreflect.ValueOfUint64(v), err == nil, err
	case protoreflect.FloatKind:
		v, err := strconv.ParseFloat(s, 32)
		return protoreflect.ValueOfFloat32(float32(v)), err == nil, err
	case protoreflect.DoubleKind:
		v, err := strconv.ParseFloat(s, 64)
		return protoreflect.ValueOfFloat64(v), err == nil, err
	case protoreflect.StringKind:
		if enforcesUTF8(fd) {
			if err := checkUTF8(s); err != nil {
				return protoreflect.Value{}, false, err
			}
		}
		return protoreflect.ValueOfString(s), true, nil
	case protoreflect.BytesKind:
		b, err := decodeBytes(s)
		return protoreflect.ValueOfBytes(b), err == nil, err
	case protoreflect.MessageKind, protoreflect.GroupKind:
		msg, ok, err := parseMessage(fd.Message(), s)
		if !ok || err != nil {
			return protoreflect.Value{}, false, err
		}
		return protoreflect.ValueOfMessage(msg.ProtoReflect()), true, nil
	}
	return protoreflect.Value{}, false, fmt.Errorf("unsupported field kind %v", kind)
}

// parseEnum accepts a value name or the decimal number of a defined value.
// "null" is accepted for google.protobuf.NullValue.
func parseEnum(ed protoreflect.EnumDescriptor, s string) (protoreflect.EnumNumber, error) {
	values := ed.Values()
	if v := values.ByName(protoreflect.Name(s)); v != nil {
		return v.Number(), nil
	}
	if ed.FullName() == nullValueName && s == null {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 32); err == nil {
		if v := values.ByNumber(protoreflect.EnumNumber(n)); v != nil {
			return v.Number(), nil
		}
	}
	return 0, fmt.Errorf("%q is not a value of enum %s", s, ed.FullName())
}

// enforcesUTF8 reports whether string field fd must hold valid UTF-8: true
// unless it is declared in a proto2 file, as the binary codec has it.
func enforcesUTF8(fd protoreflect.FieldDescriptor) bool {
	file := fd.ParentFile()
	return file == nil || file.Syntax() != protoreflect.Proto2
}

func checkUTF8(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("invalid UTF-8 in string")
	}
	return nil
}
