package jsonschema

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
)

// The options read from descriptors. They are looked up by name among
// the imports of the descriptor's file and decoded from the options' wire
// form, so no Go package of theirs needs to be linked in and options
// compiled from source work as well as generated ones.
const (
	bufField      = "buf.validate.field"
	bufMessage    = "buf.validate.message"
	bufOneof      = "buf.validate.oneof"
	pgvRules      = "validate.rules"
	pgvDisabled   = "validate.disabled"
	pgvIgnored    = "validate.ignored"
	pgvRequired   = "validate.required"
	fieldBehavior = "google.api.field_behavior"
)

// fieldRules are the rules on one field.
type fieldRules struct {
	required   bool
	outputOnly bool
	inputOnly  bool
	lenient    bool                   // the zero value passes the rules
	sets       []protoreflect.Message // buf.validate.FieldRules, validate.FieldRules
	notes      []string               // rules the schema cannot say
}

// messageRules are the rules on one message.
type messageRules struct {
	disabled bool
	groups   []oneofGroup // buf.validate.message oneof rules
	notes    []string
}

// oneofGroup is a set of fields of which at most one (exactly one when
// required) may be set.
type oneofGroup struct {
	names    []string // JSON names
	required bool
}

// rules returns the rules on fd.
func (g *Generator) rules(fd protoreflect.FieldDescriptor) *fieldRules {
	r := &fieldRules{}
	file := fd.ParentFile()
	opts := fd.Options()
	if xd := g.ext.find(file, fieldBehavior); xd != nil {
		if v, ok := extension(opts, xd); ok {
			list := v.List()
			for i := 0; i < list.Len(); i++ {
				switch enumName(xd, list.Get(i)) {
				case "REQUIRED":
					r.required = true
				case "OUTPUT_ONLY":
					r.outputOnly = true
				case "INPUT_ONLY":
					r.inputOnly = true
				}
			}
		}
	}
	if md := fd.ContainingMessage(); md != nil && g.messageRules(md).disabled {
		return r
	}
	for _, name := range []protoreflect.FullName{bufField, pgvRules} {
		xd := g.ext.find(file, name)
		if xd == nil {
			continue
		}
		v, ok := extension(opts, xd)
		if !ok {
			continue
		}
		m := v.Message()
		if ignore := get(m, "ignore"); ignore.IsValid() {
			switch n := enumValueName(m, "ignore", ignore); {
			case strings.Contains(n, "ALWAYS"):
				continue
			case !strings.HasSuffix(n, "UNSPECIFIED"):
				r.lenient = true
			}
		}
		if b := get(m, "required"); b.IsValid() && b.Bool() {
			r.required = true
		}
		rangeFields(m, func(f protoreflect.FieldDescriptor, v protoreflect.Value) {
			if f.Message() == nil || f.IsList() {
				return
			}
			typed := v.Message()
			if b := get(typed, "ignore_empty"); b.IsValid() && b.Bool() {
				r.lenient = true // protoc-gen-validate's form of ignoring the zero value
			}
			switch f.Name() {
			case "message", "duration", "timestamp", "any":
				if b := get(typed, "required"); b.IsValid() && b.Bool() {
					r.required = true
				}
			}
		})
		r.sets = append(r.sets, m)
	}
	return r
}

// note returns the rules the schema could not say, as one sentence.
func (r *fieldRules) note() string {
	if len(r.notes) == 0 {
		return ""
	}
	return "Rules: " + strings.Join(r.notes, "; ") + "."
}

// apply maps the rules onto s, the schema of fd's value, and returns the
// schema to use; what it cannot map goes to r.notes.
func (r *fieldRules) apply(g *Generator, fd protoreflect.FieldDescriptor, s *Schema) *Schema {
	for _, set := range r.sets {
		s = r.applySet(g, fd, set, s, "", r.lenient, fd.IsList() || fd.IsMap())
	}
	if r.lenient && len(r.notes) > 0 {
		r.notes = append(r.notes, "all but required apply only to a value other than the zero value")
	}
	return s
}

// applySet maps one FieldRules message onto s. container is true when s
// is the array or object of a repeated or map field.
func (r *fieldRules) applySet(g *Generator, fd protoreflect.FieldDescriptor, set protoreflect.Message, s *Schema, prefix string, lenient, container bool) *Schema {
	rangeFields(set, func(f protoreflect.FieldDescriptor, v protoreflect.Value) {
		name := string(f.Name())
		switch name {
		case "required", "ignore", "skipped", "ignore_empty":
			return
		case "cel", "cel_expression":
			r.notes = append(r.notes, celNotes(prefix, v)...)
			return
		}
		if f.Message() == nil {
			r.notes = append(r.notes, prefix+name+" = "+formatValue(f, v))
			return
		}
		typed := v.Message()
		path := prefix + name + "."
		switch {
		case name == "repeated" && container && fd.IsList():
			s = r.applyRepeated(g, fd, typed, s, path, lenient)
		case name == "map" && container && fd.IsMap():
			s = r.applyMap(g, fd, typed, s, path, lenient)
		case name == "message":
			// required is read by rules; skip has no schema.
		case lenient:
			r.noteAll(typed, path)
		default:
			s = r.applyScalar(g, name, fd, typed, s, path)
		}
	})
	return s
}

func (r *fieldRules) applyRepeated(g *Generator, fd protoreflect.FieldDescriptor, rules protoreflect.Message, s *Schema, path string, lenient bool) *Schema {
	rangeFields(rules, func(f protoreflect.FieldDescriptor, v protoreflect.Value) {
		switch name := string(f.Name()); {
		case name == "ignore_empty":
		case lenient && name != "items":
			r.notes = append(r.notes, path+name+" = "+formatValue(f, v))
		case name == "min_items":
			s.MinItems = ptr(v.Uint())
		case name == "max_items":
			s.MaxItems = ptr(v.Uint())
		case name == "unique":
			s.UniqueItems = v.Bool()
		case name == "items":
			s.Items = r.applySet(g, fd, v.Message(), s.Items, path+"items.", lenient, false)
		default:
			r.notes = append(r.notes, path+name+" = "+formatValue(f, v))
		}
	})
	return s
}

func (r *fieldRules) applyMap(g *Generator, fd protoreflect.FieldDescriptor, rules protoreflect.Message, s *Schema, path string, lenient bool) *Schema {
	rangeFields(rules, func(f protoreflect.FieldDescriptor, v protoreflect.Value) {
		switch name := string(f.Name()); {
		case name == "ignore_empty":
		case lenient && name != "values":
			r.notes = append(r.notes, path+name+" = "+formatValue(f, v))
		case name == "min_pairs":
			s.MinProperties = ptr(v.Uint())
		case name == "max_pairs":
			s.MaxProperties = ptr(v.Uint())
		case name == "values":
			s.AdditionalProperties = r.applySet(g, fd.MapValue(), v.Message(), s.AdditionalProperties, path+"values.", lenient, false)
		case name == "keys" && g.opts.dialect == Draft202012 && fd.MapKey().Kind() == protoreflect.StringKind:
			keys := s.PropertyNames
			if keys == nil {
				keys = &Schema{}
			}
			s.PropertyNames = r.applySet(g, fd.MapKey(), v.Message(), keys, path+"keys.", lenient, false)
		default:
			r.noteAll(v.Message(), path+name+".")
		}
	})
	return s
}

// applyScalar maps the rules of one scalar type (the field kind of the
// FieldRules oneof: "string", "int32", "enum", ...) onto s.
func (r *fieldRules) applyScalar(g *Generator, kind string, fd protoreflect.FieldDescriptor, rules protoreflect.Message, s *Schema, path string) *Schema {
	switch kind {
	case "string":
		r.applyString(rules, s, path)
	case "int32", "sint32", "sfixed32", "uint32", "fixed32", "float", "double":
		r.applyNumber(g, kind, rules, s, path)
	case "int64", "sint64", "sfixed64", "uint64", "fixed64":
		r.applyLong(rules, s, path)
	case "bool":
		if c := get(rules, "const"); c.IsValid() {
			s.Enum = []any{c.Bool()}
		}
	case "enum":
		return r.applyEnum(fd, rules, s, path)
	case "duration", "timestamp", "any":
		if b := get(rules, "required"); b.IsValid() && b.Bool() {
			r.required = true
		}
		rangeFields(rules, func(f protoreflect.FieldDescriptor, v protoreflect.Value) {
			if f.Name() != "required" {
				r.notes = append(r.notes, path+string(f.Name())+" = "+formatValue(f, v))
			}
		})
	default:
		r.noteAll(rules, path)
	}
	return s
}

// formats maps string rules to the JSON Schema format that says the same.
var formats = map[string]string{
	"email":     "email",
	"hostname":  "hostname",
	"ipv4":      "ipv4",
	"ipv6":      "ipv6",
	"uri":       "uri",
	"uri_ref":   "uri-reference",
	"uuid":      "uuid",
	"date_time": "date-time",
}

func (r *fieldRules) applyString(rules protoreflect.Message, s *Schema, path string) {
	var patterns []string
	rangeFields(rules, func(f protoreflect.FieldDescriptor, v protoreflect.Value) {
		name := string(f.Name())
		switch name {
		case "const":
			s.Enum = []any{v.String()}
		case "len":
			s.MinLength, s.MaxLength = ptr(v.Uint()), ptr(v.Uint())
		case "min_len":
			s.MinLength = ptr(v.Uint())
		case "max_len":
			s.MaxLength = ptr(v.Uint())
		case "pattern":
			patterns = append(patterns, v.String())
		case "prefix":
			patterns = append(patterns, "^"+regexp.QuoteMeta(v.String()))
		case "suffix":
			patterns = append(patterns, regexp.QuoteMeta(v.String())+"$")
		case "contains":
			patterns = append(patterns, regexp.QuoteMeta(v.String()))
		case "in":
			s.Enum = listValues(v.List(), func(x protoreflect.Value) any { return x.String() })
		case "not_in":
			s.Not = &Schema{Enum: listValues(v.List(), func(x protoreflect.Value) any { return x.String() })}
		case "strict":
		default:
			if format, ok := formats[name]; ok && f.Kind() == protoreflect.BoolKind && v.Bool() && s.Format == "" {
				s.Format = format
				return
			}
			r.notes = append(r.notes, path+name+" = "+formatValue(f, v))
		}
	})
	for i, p := range patterns {
		if i == 0 && s.Pattern == "" {
			s.Pattern = p
			continue
		}
		s.AllOf = append(s.AllOf, &Schema{Pattern: p})
	}
}

func (r *fieldRules) applyNumber(g *Generator, kind string, rules protoreflect.Message, s *Schema, path string) {
	integer := kind != "float" && kind != "double"
	num := func(v protoreflect.Value) float64 {
		switch x := v.Interface().(type) {
		case int32:
			return float64(x)
		case uint32:
			return float64(x)
		case float32:
			return float64(x)
		case float64:
			return x
		case int64:
			return float64(x)
		case uint64:
			return float64(x)
		}
		return math.NaN()
	}
	rangeFields(rules, func(f protoreflect.FieldDescriptor, v protoreflect.Value) {
		name := string(f.Name())
		switch name {
		case "const":
			s.Enum = []any{num(v)}
		case "in":
			s.Enum = listValues(v.List(), func(x protoreflect.Value) any { return num(x) })
		case "not_in":
			s.Not = &Schema{Enum: listValues(v.List(), func(x protoreflect.Value) any { return num(x) })}
		case "gte":
			s.Minimum = ptr(num(v))
		case "lte":
			s.Maximum = ptr(num(v))
		case "gt", "lt":
			n := num(v)
			switch {
			case g.opts.dialect == Draft202012 && name == "gt":
				s.ExclusiveMinimum = ptr(n)
			case g.opts.dialect == Draft202012:
				s.ExclusiveMaximum = ptr(n)
			case integer && name == "gt":
				s.Minimum = ptr(n + 1)
			case integer:
				s.Maximum = ptr(n - 1)
			default:
				r.notes = append(r.notes, path+name+" = "+formatValue(f, v))
			}
		case "finite":
			// protojson writes non-finite numbers as strings, which the
			// number type already excludes.
		default:
			r.notes = append(r.notes, path+name+" = "+formatValue(f, v))
		}
	})
}

// applyLong maps the rules of 64-bit integers, which are JSON strings:
// const, in and not_in become enums of decimal strings; bounds stay in the
// description.
func (r *fieldRules) applyLong(rules protoreflect.Message, s *Schema, path string) {
	str := func(v protoreflect.Value) any { return fmt.Sprint(v.Interface()) }
	rangeFields(rules, func(f protoreflect.FieldDescriptor, v protoreflect.Value) {
		switch f.Name() {
		case "const":
			s.Enum = []any{str(v)}
		case "in":
			s.Enum = listValues(v.List(), str)
		case "not_in":
			s.Not = &Schema{Enum: listValues(v.List(), str)}
		default:
			r.notes = append(r.notes, path+string(f.Name())+" = "+formatValue(f, v))
		}
	})
}

// applyEnum maps enum rules: const, in and not_in narrow the value names,
// written inline in place of the reference to the enum's definition.
func (r *fieldRules) applyEnum(fd protoreflect.FieldDescriptor, rules protoreflect.Message, s *Schema, path string) *Schema {
	ed := fd.Enum()
	if ed == nil || ed.FullName() == "google.protobuf.NullValue" {
		r.noteAll(rules, path)
		return s
	}
	values := ed.Values()
	allowed := func(keep func(n protoreflect.EnumNumber) bool) *Schema {
		out := &Schema{Type: "string"}
		for i := 0; i < values.Len(); i++ {
			if v := values.Get(i); keep(v.Number()) {
				out.Enum = append(out.Enum, string(v.Name()))
			}
		}
		return out
	}
	rangeFields(rules, func(f protoreflect.FieldDescriptor, v protoreflect.Value) {
		switch f.Name() {
		case "const":
			n := protoreflect.EnumNumber(v.Int())
			s = allowed(func(x protoreflect.EnumNumber) bool { return x == n })
		case "in":
			in := numbers(v.List())
			s = allowed(func(x protoreflect.EnumNumber) bool { return slices.Contains(in, x) })
		case "not_in":
			out := numbers(v.List())
			s = allowed(func(x protoreflect.EnumNumber) bool { return !slices.Contains(out, x) })
		case "defined_only":
			// The schema lists the defined names only.
		default:
			r.notes = append(r.notes, path+string(f.Name())+" = "+formatValue(f, v))
		}
	})
	return s
}

// noteAll keeps every rule of m in the description.
func (r *fieldRules) noteAll(m protoreflect.Message, path string) {
	rangeFields(m, func(f protoreflect.FieldDescriptor, v protoreflect.Value) {
		r.notes = append(r.notes, path+string(f.Name())+" = "+formatValue(f, v))
	})
}

// celNotes describes CEL rules by their message, else their expression.
func celNotes(prefix string, v protoreflect.Value) []string {
	var out []string
	one := func(x protoreflect.Value) {
		if x.Message() == nil {
			out = append(out, prefix+"cel = "+strconv.Quote(x.String()))
			return
		}
		m := x.Message()
		text := get(m, "message")
		if !text.IsValid() || text.String() == "" {
			text = get(m, "expression")
		}
		if text.IsValid() {
			out = append(out, prefix+"cel: "+text.String())
		}
	}
	if l, ok := v.Interface().(protoreflect.List); ok {
		for i := 0; i < l.Len(); i++ {
			one(l.Get(i))
		}
	} else {
		one(v)
	}
	return out
}

// messageRules returns the rules on md.
func (g *Generator) messageRules(md protoreflect.MessageDescriptor) messageRules {
	var r messageRules
	file := md.ParentFile()
	opts := md.Options()
	for _, name := range []protoreflect.FullName{pgvDisabled, pgvIgnored} {
		if xd := g.ext.find(file, name); xd != nil {
			if v, ok := extension(opts, xd); ok && v.Bool() {
				r.disabled = true
			}
		}
	}
	xd := g.ext.find(file, bufMessage)
	if xd == nil {
		return r
	}
	v, ok := extension(opts, xd)
	if !ok {
		return r
	}
	m := v.Message()
	if d := get(m, "disabled"); d.IsValid() && d.Bool() {
		r.disabled = true
	}
	if r.disabled {
		return r
	}
	if c := get(m, "cel"); c.IsValid() {
		r.notes = append(r.notes, celNotes("", c)...)
	}
	if o := get(m, "oneof"); o.IsValid() {
		list := o.List()
		for i := 0; i < list.Len(); i++ {
			rule := list.Get(i).Message()
			var grp oneofGroup
			if names := get(rule, "fields"); names.IsValid() {
				for j := 0; j < names.List().Len(); j++ {
					if fd := md.Fields().ByName(protoreflect.Name(names.List().Get(j).String())); fd != nil {
						grp.names = append(grp.names, fd.JSONName())
					}
				}
			}
			if req := get(rule, "required"); req.IsValid() {
				grp.required = req.Bool()
			}
			r.groups = append(r.groups, grp)
		}
	}
	return r
}

// oneofRequired reports whether a rule requires one member of od to be
// set.
func (g *Generator) oneofRequired(od protoreflect.OneofDescriptor) bool {
	file := od.ParentFile()
	if xd := g.ext.find(file, pgvRequired); xd != nil {
		if v, ok := extension(od.Options(), xd); ok && v.Bool() {
			return true
		}
	}
	if xd := g.ext.find(file, bufOneof); xd != nil {
		if v, ok := extension(od.Options(), xd); ok {
			if req := get(v.Message(), "required"); req.IsValid() && req.Bool() {
				return true
			}
		}
	}
	return false
}

// extensionCache finds extensions by full name among the imports of a
// file, remembering the answers.
type extensionCache map[extensionKey]protoreflect.ExtensionDescriptor

type extensionKey struct {
	file string
	name protoreflect.FullName
}

// find returns the extension name declared in file or a file it imports,
// directly or not, or nil.
func (c *extensionCache) find(file protoreflect.FileDescriptor, name protoreflect.FullName) protoreflect.ExtensionDescriptor {
	if file == nil {
		return nil
	}
	key := extensionKey{file.Path(), name}
	if xd, ok := (*c)[key]; ok {
		return xd
	}
	if *c == nil {
		*c = extensionCache{}
	}
	var found protoreflect.ExtensionDescriptor
	seen := map[string]bool{}
	queue := []protoreflect.FileDescriptor{file}
	for len(queue) > 0 && found == nil {
		f := queue[0]
		queue = queue[1:]
		if seen[f.Path()] {
			continue
		}
		seen[f.Path()] = true
		if f.Package() == name.Parent() {
			found = f.Extensions().ByName(name.Name())
		}
		imports := f.Imports()
		for i := 0; i < imports.Len(); i++ {
			if fd := imports.Get(i).FileDescriptor; fd != nil && !imports.Get(i).IsPlaceholder() {
				queue = append(queue, fd)
			}
		}
	}
	(*c)[key] = found
	return found
}

// extension returns the value of the extension xd in opts, decoded from
// the wire form of opts with a dynamic type for xd, whatever Go type (or
// none) opts holds it as.
func extension(opts proto.Message, xd protoreflect.ExtensionDescriptor) (protoreflect.Value, bool) {
	if opts == nil || !opts.ProtoReflect().IsValid() {
		return protoreflect.Value{}, false
	}
	raw, err := proto.MarshalOptions{AllowPartial: true}.Marshal(opts)
	if err != nil || !hasField(raw, xd.Number()) {
		return protoreflect.Value{}, false
	}
	xt := dynamicpb.NewExtensionType(xd)
	types := new(protoregistry.Types)
	if err := types.RegisterExtension(xt); err != nil {
		return protoreflect.Value{}, false
	}
	m := dynamicpb.NewMessage(opts.ProtoReflect().Descriptor())
	if err := (proto.UnmarshalOptions{Resolver: types, AllowPartial: true}).Unmarshal(raw, m); err != nil {
		return protoreflect.Value{}, false
	}
	if !m.Has(xt.TypeDescriptor()) {
		return protoreflect.Value{}, false
	}
	return m.Get(xt.TypeDescriptor()), true
}

// hasField reports whether the wire-format message raw has field num.
func hasField(raw []byte, num protowire.Number) bool {
	for len(raw) > 0 {
		n, typ, l := protowire.ConsumeTag(raw)
		if l < 0 {
			return false
		}
		raw = raw[l:]
		if n == num {
			return true
		}
		l = protowire.ConsumeFieldValue(n, typ, raw)
		if l < 0 {
			return false
		}
		raw = raw[l:]
	}
	return false
}

// get returns the value of the field name of m when it is set.
func get(m protoreflect.Message, name protoreflect.Name) protoreflect.Value {
	if m == nil {
		return protoreflect.Value{}
	}
	fd := m.Descriptor().Fields().ByName(name)
	if fd == nil || !m.Has(fd) {
		return protoreflect.Value{}
	}
	return m.Get(fd)
}

// enumName returns the name of the value v of the enum-typed extension xd.
func enumName(xd protoreflect.ExtensionDescriptor, v protoreflect.Value) string {
	if ed := xd.Enum(); ed != nil {
		if ev := ed.Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
	}
	return ""
}

// enumValueName returns the name of the value v of the enum field name of
// m.
func enumValueName(m protoreflect.Message, name protoreflect.Name, v protoreflect.Value) string {
	if fd := m.Descriptor().Fields().ByName(name); fd != nil && fd.Enum() != nil {
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
	}
	return ""
}

// formatValue writes a rule's value for a description.
func formatValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	if fd.IsList() {
		l := v.List()
		parts := make([]string, l.Len())
		for i := range parts {
			parts[i] = formatSingle(fd, l.Get(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return formatSingle(fd, v)
}

func formatSingle(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return strconv.Quote(v.String())
	case protoreflect.BytesKind:
		return strconv.Quote(string(v.Bytes()))
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
		return strconv.Itoa(int(v.Enum()))
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return formatMessage(v.Message())
	}
	return fmt.Sprint(v.Interface())
}

func formatMessage(m protoreflect.Message) string {
	secs, nanos := get(m, "seconds"), get(m, "nanos")
	switch m.Descriptor().FullName() {
	case "google.protobuf.Duration":
		d := time.Duration(secs.Int())*time.Second + time.Duration(nanos.Int())
		if !secs.IsValid() && !nanos.IsValid() {
			d = 0
		}
		return d.String()
	case "google.protobuf.Timestamp":
		var s, n int64
		if secs.IsValid() {
			s = secs.Int()
		}
		if nanos.IsValid() {
			n = nanos.Int()
		}
		return time.Unix(s, n).UTC().Format(time.RFC3339Nano)
	}
	var parts []string
	rangeFields(m, func(f protoreflect.FieldDescriptor, v protoreflect.Value) {
		parts = append(parts, string(f.Name())+": "+formatValue(f, v))
	})
	return "{" + strings.Join(parts, ", ") + "}"
}

func listValues(l protoreflect.List, conv func(protoreflect.Value) any) []any {
	out := make([]any, l.Len())
	for i := range out {
		out[i] = conv(l.Get(i))
	}
	return out
}

func numbers(l protoreflect.List) []protoreflect.EnumNumber {
	out := make([]protoreflect.EnumNumber, l.Len())
	for i := range out {
		out[i] = protoreflect.EnumNumber(l.Get(i).Int())
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// rangeFields calls f for every populated field of m, in field number
// order (Range has none, and descriptions must not change between runs).
func rangeFields(m protoreflect.Message, f func(protoreflect.FieldDescriptor, protoreflect.Value)) {
	var fds []protoreflect.FieldDescriptor
	m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		fds = append(fds, fd)
		return true
	})
	slices.SortFunc(fds, func(a, b protoreflect.FieldDescriptor) int { return int(a.Number()) - int(b.Number()) })
	for _, fd := range fds {
		f(fd, m.Get(fd))
	}
}
