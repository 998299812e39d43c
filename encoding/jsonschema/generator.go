package jsonschema

import (
	"maps"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// Dialect is the flavour of schema a Generator writes.
type Dialect int

const (
	// Draft202012 is JSON Schema 2020-12, as MCP tools use it: references
	// to "#/$defs/NAME", null allowed with anyOf and {"type": "null"},
	// bytes as contentEncoding base64, numeric exclusive bounds, and
	// propertyNames for map keys.
	Draft202012 Dialect = iota
	// OpenAPI30 is the Schema Object of OpenAPI 3.0: references to
	// "#/components/schemas/NAME", null allowed with nullable, bytes as
	// format byte, no exclusive bounds (an integer rule gt: 5 becomes
	// minimum: 6; a float one is kept in the description) and no
	// propertyNames. A reference that needs a description or nullable
	// next to it is wrapped in allOf, as OpenAPI 3.0 ignores the siblings
	// of $ref.
	OpenAPI30
)

// Direction says which JSON a schema describes.
type Direction int

const (
	// Input, the default, is the JSON a client sends and the codec reads.
	// A field is required only when a rule says so: buf.validate's
	// required, protoc-gen-validate's message.required, or
	// google.api.field_behavior REQUIRED.
	Input Direction = iota
	// Output is the JSON the codec writes. Every field it always writes is
	// required: all fields but oneof members and proto3 optional fields,
	// which are written only when set.
	Output
)

// Option configures a Generator or For.
type Option func(*options)

type options struct {
	dialect   Dialect
	direction Direction
	name      func(protoreflect.FullName) string
}

// WithDialect sets the dialect written. The default is Draft202012.
func WithDialect(d Dialect) Option {
	return func(o *options) { o.dialect = d }
}

// WithDirection sets whether schemas describe input or output. The
// default is Input.
func WithDirection(d Direction) Option {
	return func(o *options) { o.direction = d }
}

// WithNames sets how definitions are named from the full name of their
// message or enum. The names must be unique. The default is the full name
// itself, such as "helloworld.v1.HelloRequest".
func WithNames(name func(protoreflect.FullName) string) Option {
	return func(o *options) {
		if name != nil {
			o.name = name
		}
	}
}

// A Generator builds the schemas of protobuf messages, enums and fields,
// and collects the definitions they refer to. Every message (but the
// well-known types, which are written inline) and every enum becomes one
// definition, so recursive messages are references to themselves.
//
// A Generator is not safe for concurrent use. The schemas it returns are
// fresh values the caller may change; the definitions (Defs) are its own
// until the caller is done generating.
type Generator struct {
	opts  options
	defs  map[string]*Schema
	names map[string]protoreflect.FullName // definition name -> what it defines
	ext   extensionCache
}

// NewGenerator returns a Generator with the given options.
func NewGenerator(opts ...Option) *Generator {
	o := options{name: func(n protoreflect.FullName) string { return string(n) }}
	for _, opt := range opts {
		opt(&o)
	}
	return &Generator{opts: o, defs: map[string]*Schema{}, names: map[string]protoreflect.FullName{}}
}

// For returns a self-contained schema of the message md: md's own schema
// at the top, with "$schema" and, under "$defs", every definition it uses.
// With the OpenAPI30 dialect the definitions are left out (they belong
// under components/schemas); use a Generator there.
//
// For is what an MCP tool needs for the input schema of a request
// (Input) and the output schema of a reply (Output).
func For(md protoreflect.MessageDescriptor, opts ...Option) *Schema {
	g := NewGenerator(opts...)
	root := g.Message(md)
	if root.Ref != "" {
		root = clone(g.defs[g.opts.name(md.FullName())])
	}
	if g.opts.dialect == OpenAPI30 {
		return root
	}
	root.Schema = "https://json-schema.org/draft/2020-12/schema"
	defs := g.Defs()
	// md's own definition stays only when it refers to itself.
	if !refersTo(defs, g.ref(md.FullName())) {
		delete(defs, g.opts.name(md.FullName()))
	}
	if len(defs) > 0 {
		root.Defs = defs
	}
	return root
}

// Defs returns the definitions made so far, by name.
func (g *Generator) Defs() map[string]*Schema {
	return maps.Clone(g.defs)
}

// Message returns the schema of a value of message md: a reference to
// its definition, or the inline schema of a well-known type. It adds the
// definitions of md and of every message and enum it uses.
func (g *Generator) Message(md protoreflect.MessageDescriptor) *Schema {
	if s := g.wellKnown(md); s != nil {
		return s
	}
	name := g.define(md.FullName())
	if _, ok := g.defs[name]; !ok {
		def := &Schema{}
		g.defs[name] = def // before the fields: they may refer back to md
		*def = *g.object(md, nil)
		def.Description = joinParagraphs(Description(md), def.Description)
	}
	return &Schema{Ref: g.ref(md.FullName())}
}

// Enum returns the schema of a value of enum ed: a reference to its
// definition, or for google.protobuf.NullValue the schema of null.
func (g *Generator) Enum(ed protoreflect.EnumDescriptor) *Schema {
	if ed.FullName() == "google.protobuf.NullValue" {
		return g.null()
	}
	name := g.define(ed.FullName())
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = g.enumDef(ed)
	}
	return &Schema{Ref: g.ref(ed.FullName())}
}

// Object returns the inline object schema of message md, leaving out the
// fields for which omit reports true (omit may be nil). It is the schema
// of a request body that carries every field but the path variables.
func (g *Generator) Object(md protoreflect.MessageDescriptor, omit func(protoreflect.FieldDescriptor) bool) *Schema {
	s := g.object(md, omit)
	s.Description = joinParagraphs(Description(md), s.Description)
	return s
}

// Field returns the schema of the JSON value of field fd, with its
// comments as description, its validation rules, and null allowed where
// the codec writes null (message fields and fields with explicit
// presence, when unset).
func (g *Generator) Field(fd protoreflect.FieldDescriptor) *Schema {
	var s *Schema
	switch {
	case fd.IsMap():
		s = &Schema{Type: "object", AdditionalProperties: g.value(fd.MapValue())}
		if keys := mapKeys(fd.MapKey().Kind()); keys != nil {
			if g.opts.dialect == Draft202012 {
				s.PropertyNames = keys
			} else {
				s.Description = "The keys are " + fd.MapKey().Kind().String() + " values written as strings."
			}
		}
	case fd.IsList():
		s = &Schema{Type: "array", Items: g.value(fd)}
	default:
		s = g.value(fd)
	}
	r := g.rules(fd)
	s = r.apply(g, fd, s)
	a := annotations{
		description: joinParagraphs(Description(fd), r.note()),
		deprecated:  isDeprecated(fd),
		readOnly:    r.outputOnly,
		writeOnly:   r.inputOnly,
		nullable:    writesNull(fd),
	}
	return g.annotate(s, a)
}

// Required reports whether a rule requires field fd in input: buf.validate
// required, protoc-gen-validate message.required, or
// google.api.field_behavior REQUIRED.
func (g *Generator) Required(fd protoreflect.FieldDescriptor) bool {
	return g.rules(fd).required
}

// writesNull reports whether protojson writes null for fd when unset, as
// it does with EmitUnpopulated for singular fields with presence outside
// oneofs.
func writesNull(fd protoreflect.FieldDescriptor) bool {
	return !fd.IsList() && !fd.IsMap() && fd.HasPresence() && fd.ContainingOneof() == nil
}

// alwaysWritten reports whether protojson with EmitUnpopulated writes fd
// whether or not it is set.
func alwaysWritten(fd protoreflect.FieldDescriptor) bool {
	return fd.ContainingOneof() == nil
}

// object builds the object schema of md's fields.
func (g *Generator) object(md protoreflect.MessageDescriptor, omit func(protoreflect.FieldDescriptor) bool) *Schema {
	s := &Schema{Type: "object"}
	msgRules := g.messageRules(md)
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if omit != nil && omit(fd) {
			continue
		}
		fs := g.Field(fd)
		s.Properties = append(s.Properties, Property{Name: fd.JSONName(), Schema: fs})
		switch {
		case g.opts.direction == Output && alwaysWritten(fd):
			s.Required = append(s.Required, fd.JSONName())
		case g.opts.direction == Input && g.Required(fd):
			s.Required = append(s.Required, fd.JSONName())
		}
	}
	g.oneofs(s, md, omit, msgRules)
	if len(msgRules.notes) > 0 {
		s.Description = joinParagraphs(s.Description, "Rules: "+strings.Join(msgRules.notes, "; ")+".")
	}
	return s
}

// oneofs adds to s the constraints of md's oneofs, and of the oneof rules
// of buf.validate on md: at most one member is set, exactly one when a
// rule requires it.
func (g *Generator) oneofs(s *Schema, md protoreflect.MessageDescriptor, omit func(protoreflect.FieldDescriptor) bool, msgRules messageRules) {
	var groups []oneofGroup
	oneofs := md.Oneofs()
	for i := 0; i < oneofs.Len(); i++ {
		od := oneofs.Get(i)
		if od.IsSynthetic() {
			continue
		}
		grp := oneofGroup{required: !msgRules.disabled && g.oneofRequired(od)}
		fields := od.Fields()
		for j := 0; j < fields.Len(); j++ {
			if fd := fields.Get(j); omit == nil || !omit(fd) {
				grp.names = append(grp.names, fd.JSONName())
			}
		}
		groups = append(groups, grp)
	}
	groups = append(groups, msgRules.groups...)
	var pairs []*Schema
	for _, grp := range groups {
		switch {
		case len(grp.names) == 0:
		case grp.required:
			one := &Schema{}
			for _, n := range grp.names {
				one.OneOf = append(one.OneOf, &Schema{Required: []string{n}})
			}
			s.AllOf = append(s.AllOf, one)
		default:
			for a := 0; a < len(grp.names); a++ {
				for b := a + 1; b < len(grp.names); b++ {
					pairs = append(pairs, &Schema{Required: []string{grp.names[a], grp.names[b]}})
				}
			}
		}
	}
	switch len(pairs) {
	case 0:
	case 1:
		s.Not = pairs[0]
	default:
		s.Not = &Schema{AnyOf: pairs}
	}
}

// value returns the schema of one value of fd: the element of a repeated
// field, the value of a map field, or the field itself.
func (g *Generator) value(fd protoreflect.FieldDescriptor) *Schema {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return &Schema{Type: "boolean"}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return &Schema{Type: "integer", Format: "int32"}
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return &Schema{Type: "integer", Format: "uint32"}
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return &Schema{Type: "string", Format: "int64"}
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return &Schema{Type: "string", Format: "uint64"}
	case protoreflect.FloatKind:
		return &Schema{Type: "number", Format: "float"}
	case protoreflect.DoubleKind:
		return &Schema{Type: "number", Format: "double"}
	case protoreflect.StringKind:
		return &Schema{Type: "string"}
	case protoreflect.BytesKind:
		return g.bytes()
	case protoreflect.EnumKind:
		return g.Enum(fd.Enum())
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return g.Message(fd.Message())
	}
	return &Schema{}
}

func (g *Generator) bytes() *Schema {
	if g.opts.dialect == OpenAPI30 {
		return &Schema{Type: "string", Format: "byte"}
	}
	return &Schema{Type: "string", ContentEncoding: "base64"}
}

// null returns the schema of JSON null.
func (g *Generator) null() *Schema {
	if g.opts.dialect == OpenAPI30 {
		return &Schema{Nullable: true, Enum: []any{nil}}
	}
	return &Schema{Type: "null"}
}

// mapKeys returns the propertyNames schema of a map with keys of kind k,
// which protojson writes as strings; nil for string keys.
func mapKeys(k protoreflect.Kind) *Schema {
	switch k {
	case protoreflect.BoolKind:
		return &Schema{Enum: []any{"true", "false"}}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return &Schema{Pattern: `^-?[0-9]+$`}
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return &Schema{Pattern: `^[0-9]+$`}
	}
	return nil
}

// enumDef builds the definition of enum ed: its value names, which
// protojson writes (it reads the numbers too), with the comments of the
// enum and of its values as description.
func (g *Generator) enumDef(ed protoreflect.EnumDescriptor) *Schema {
	s := &Schema{Type: "string"}
	var lines []string
	values := ed.Values()
	for i := 0; i < values.Len(); i++ {
		v := values.Get(i)
		s.Enum = append(s.Enum, string(v.Name()))
		if d := Description(v); d != "" {
			lines = append(lines, "- "+string(v.Name())+": "+strings.ReplaceAll(d, "\n", " "))
		}
	}
	s.Description = joinParagraphs(Description(ed), strings.Join(lines, "\n"))
	return s
}

// define returns the definition name of full, remembering which
// descriptor it belongs to.
func (g *Generator) define(full protoreflect.FullName) string {
	name := g.opts.name(full)
	g.names[name] = full
	return name
}

// ref returns the reference to the definition of full.
func (g *Generator) ref(full protoreflect.FullName) string {
	name := strings.NewReplacer("~", "~0", "/", "~1").Replace(g.opts.name(full))
	if g.opts.dialect == OpenAPI30 {
		return "#/components/schemas/" + name
	}
	return "#/$defs/" + name
}

// annotations are what a field adds to the schema of its value.
type annotations struct {
	description         string
	deprecated          bool
	readOnly, writeOnly bool
	nullable            bool
}

// annotate puts a on s, wrapping s where the dialect needs it.
func (g *Generator) annotate(s *Schema, a annotations) *Schema {
	if a.nullable && !allowsNull(s) {
		switch {
		case g.opts.dialect == Draft202012:
			s = &Schema{AnyOf: []*Schema{s, {Type: "null"}}}
		case s.Ref != "":
			t := "object"
			if def := g.defs[g.defName(s.Ref)]; def != nil && def.Type != "" {
				t = def.Type
			}
			s = &Schema{Type: t, Nullable: true, AllOf: []*Schema{s}}
		default:
			s.Nullable = true
		}
	}
	if s.Ref != "" && g.opts.dialect == OpenAPI30 && (a.description != "" || a.deprecated || a.readOnly || a.writeOnly) {
		s = &Schema{AllOf: []*Schema{s}}
	}
	if a.description != "" {
		s.Description = joinParagraphs(a.description, s.Description)
	}
	s.Deprecated = s.Deprecated || a.deprecated
	s.ReadOnly = s.ReadOnly || a.readOnly
	s.WriteOnly = s.WriteOnly || a.writeOnly
	return s
}

// defName returns the definition name a reference made by ref points to.
func (g *Generator) defName(ref string) string {
	i := strings.LastIndexByte(ref, '/')
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(ref[i+1:])
}

// allowsNull reports whether s already accepts null.
func allowsNull(s *Schema) bool {
	if s.Nullable || s.Type == "null" {
		return true
	}
	if s.Ref == "" && s.Type == "" && len(s.Enum) == 0 && len(s.AnyOf) == 0 && len(s.OneOf) == 0 && len(s.AllOf) == 0 && s.Not == nil {
		return true // any value
	}
	for _, a := range s.AnyOf {
		if allowsNull(a) {
			return true
		}
	}
	return false
}

// refersTo reports whether any definition contains a reference ref.
func refersTo(defs map[string]*Schema, ref string) bool {
	for _, d := range defs {
		if contains(d, ref) {
			return true
		}
	}
	return false
}

func contains(s *Schema, ref string) bool {
	if s == nil {
		return false
	}
	if s.Ref == ref {
		return true
	}
	for _, p := range s.Properties {
		if contains(p.Schema, ref) {
			return true
		}
	}
	for _, list := range [][]*Schema{s.AllOf, s.AnyOf, s.OneOf} {
		for _, x := range list {
			if contains(x, ref) {
				return true
			}
		}
	}
	return contains(s.Items, ref) || contains(s.AdditionalProperties, ref) || contains(s.Not, ref)
}

// clone returns a shallow copy of s with its own property list.
func clone(s *Schema) *Schema {
	c := *s
	c.Properties = append(Properties(nil), s.Properties...)
	return &c
}

// joinParagraphs joins the non-empty texts with blank lines.
func joinParagraphs(texts ...string) string {
	var out []string
	for _, t := range texts {
		if t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, "\n\n")
}
