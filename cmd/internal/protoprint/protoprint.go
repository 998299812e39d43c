// Package protoprint writes a file descriptor as .proto source.
//
// It exists so that the .proto files which users import (google/api/*.proto,
// errors/errors.proto) can be produced from the descriptors compiled into
// Go packages instead of being copied: the output, compiled again, gives
// the same descriptor. Comments are not part of a descriptor built into a
// Go binary, so the output has none except the header the caller asks for.
//
// A type of the file's own package is written with the shortest name that
// resolves to it from where it is used, a type of another package with its
// full name, and with a leading dot (".pkg.Type") when a nearer declaration
// would hide it otherwise. Options,
// including custom ones, are written from their values; an option whose
// extension is not declared in the file or its imports is an error.
package protoprint

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// Print returns fd as .proto source. Each line of header, if any, is
// written first as a "//" comment.
func Print(fd protoreflect.FileDescriptor, header string) ([]byte, error) {
	p := &printer{
		file:    protodesc.ToFileDescriptorProto(fd),
		symbols: make(map[string]bool),
		exts:    new(protoregistry.Types),
	}
	p.collect(fd, make(map[string]bool))
	switch s := p.file.GetSyntax(); s {
	case "", "proto2":
		p.syntax = "proto2"
	case "proto3":
		p.syntax = "proto3"
	case "editions":
		p.syntax = "editions"
		p.edition = p.file.GetEdition()
	default:
		return nil, fmt.Errorf("protoprint: %s: unknown syntax %q", fd.Path(), s)
	}
	if header != "" {
		for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
			if line == "" {
				p.line("//")
			} else {
				p.line("// " + line)
			}
		}
		p.line("")
	}
	p.printFile()
	if p.err != nil {
		return nil, fmt.Errorf("protoprint: %s: %w", fd.Path(), p.err)
	}
	return p.buf.Bytes(), nil
}

type printer struct {
	buf     bytes.Buffer
	indent  int
	file    *descriptorpb.FileDescriptorProto
	syntax  string // "proto2", "proto3" or "editions"
	edition descriptorpb.Edition
	symbols map[string]bool      // every name declared by the file and its imports, and package prefixes
	exts    *protoregistry.Types // extensions declared by the file and its imports
	err     error                // first error
	pending bool                 // a blank line is due before the next declaration
	fresh   bool                 // nothing was written since the last opening line
}

// collect records the symbols and extensions of fd and of the files it
// imports, transitively.
func (p *printer) collect(fd protoreflect.FileDescriptor, seen map[string]bool) {
	if seen[fd.Path()] {
		return
	}
	seen[fd.Path()] = true
	for pkg := string(fd.Package()); pkg != ""; pkg = parentScope(pkg) {
		p.symbols[pkg] = true
	}
	var walk func(d protoreflect.Descriptor)
	walk = func(d protoreflect.Descriptor) {
		p.symbols[string(d.FullName())] = true
		switch d := d.(type) {
		case protoreflect.MessageDescriptor:
			walkAll(d.Fields(), walk)
			walkAll(d.Oneofs(), walk)
			walkAll(d.Messages(), walk)
			walkAll(d.Enums(), walk)
			walkAll(d.Extensions(), walk)
			p.addExtensions(d.Extensions())
		case protoreflect.EnumDescriptor:
			walkAll(d.Values(), walk)
		case protoreflect.ServiceDescriptor:
			walkAll(d.Methods(), walk)
		}
	}
	walkAll(fd.Messages(), walk)
	walkAll(fd.Enums(), walk)
	walkAll(fd.Services(), walk)
	walkAll(fd.Extensions(), walk)
	p.addExtensions(fd.Extensions())
	imports := fd.Imports()
	for i := 0; i < imports.Len(); i++ {
		p.collect(imports.Get(i).FileDescriptor, seen)
	}
}

func walkAll[D protoreflect.Descriptor, L interface {
	Len() int
	Get(int) D
}](list L, f func(protoreflect.Descriptor)) {
	for i := 0; i < list.Len(); i++ {
		f(list.Get(i))
	}
}

func (p *printer) addExtensions(list protoreflect.ExtensionDescriptors) {
	for i := 0; i < list.Len(); i++ {
		// Two declarations of one extension cannot both be imported, so
		// a registration error cannot happen for a valid file set.
		_ = p.exts.RegisterExtension(dynamicpb.NewExtensionType(list.Get(i)))
	}
}

func (p *printer) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

// line writes one line at the current indentation.
func (p *printer) line(s string) {
	if s != "" {
		p.buf.WriteString(strings.Repeat("  ", p.indent))
		p.buf.WriteString(s)
	}
	p.buf.WriteByte('\n')
}

// decl writes the first line of a declaration, after a blank line when one
// is due.
func (p *printer) decl(s string) {
	if p.pending {
		p.line("")
		p.pending = false
	}
	p.line(s)
	p.fresh = false
}

// gap asks for a blank line before the next declaration, unless it is the
// first of a block.
func (p *printer) gap() { p.pending = !p.fresh }

// open writes the first line of a block and indents.
func (p *printer) open(s string) {
	p.decl(s + " {")
	p.indent++
	p.pending = false
	p.fresh = true
}

// close ends a block.
func (p *printer) close() {
	p.indent--
	p.pending = false
	p.line("}")
	p.fresh = false
	p.gap()
}

func (p *printer) printFile() {
	f := p.file
	if p.syntax == "editions" {
		p.decl(fmt.Sprintf("edition = %s;", quote(editionName(p.edition))))
	} else {
		p.decl(fmt.Sprintf("syntax = %s;", quote(p.syntax)))
	}
	p.gap()
	if f.GetPackage() != "" {
		p.decl("package " + f.GetPackage() + ";")
		p.gap()
	}
	public := make(map[int32]bool)
	for _, i := range f.PublicDependency {
		public[i] = true
	}
	weak := make(map[int32]bool)
	for _, i := range f.WeakDependency {
		weak[i] = true
	}
	for i, dep := range f.Dependency {
		kw := "import "
		switch {
		case public[int32(i)]:
			kw = "import public "
		case weak[int32(i)]:
			kw = "import weak "
		}
		p.decl(kw + quote(dep) + ";")
	}
	for _, dep := range f.OptionDependency {
		p.decl("import option " + quote(dep) + ";")
	}
	p.gap()
	for _, o := range p.options(f.Options, f.GetPackage()) {
		p.decl("option " + o + ";")
	}
	p.gap()
	p.printExtensions(f.Extension, f.GetPackage())
	for _, s := range f.Service {
		p.printService(s)
	}
	for _, m := range f.MessageType {
		p.printMessage(m, f.GetPackage())
	}
	for _, e := range f.EnumType {
		p.printEnum(e, f.GetPackage())
	}
}

func editionName(e descriptorpb.Edition) string {
	return strings.TrimPrefix(e.String(), "EDITION_")
}

// printExtensions writes extend blocks, one for each run of extensions of
// the same message; scope is the full name of where they are declared.
func (p *printer) printExtensions(exts []*descriptorpb.FieldDescriptorProto, scope string) {
	for i := 0; i < len(exts); {
		j := i + 1
		for j < len(exts) && exts[j].GetExtendee() == exts[i].GetExtendee() {
			j++
		}
		p.open("extend " + p.typeName(exts[i].GetExtendee(), scope))
		for _, x := range exts[i:j] {
			p.printField(x, nil, scope)
		}
		p.close()
		i = j
	}
}

func (p *printer) printService(s *descriptorpb.ServiceDescriptorProto) {
	scope := join(p.file.GetPackage(), s.GetName())
	p.open("service " + s.GetName())
	for _, o := range p.options(s.Options, scope) {
		p.decl("option " + o + ";")
	}
	p.gap()
	for _, m := range s.Method {
		in, out := p.typeName(m.GetInputType(), scope), p.typeName(m.GetOutputType(), scope)
		if m.GetClientStreaming() {
			in = "stream " + in
		}
		if m.GetServerStreaming() {
			out = "stream " + out
		}
		sig := fmt.Sprintf("rpc %s(%s) returns (%s)", m.GetName(), in, out)
		opts := p.options(m.Options, scope)
		if len(opts) == 0 {
			p.decl(sig + ";")
			continue
		}
		p.open(sig)
		for _, o := range opts {
			p.decl("option " + o + ";")
		}
		p.close()
	}
	p.close()
}

// printMessage writes a message declared in scope.
func (p *printer) printMessage(m *descriptorpb.DescriptorProto, scope string) {
	p.open(p.visibility(m.Visibility) + "message " + m.GetName())
	p.printMessageBody(m, join(scope, m.GetName()))
	p.close()
}

// visibility returns the keyword for an explicit symbol visibility
// (edition 2024).
func (p *printer) visibility(v *descriptorpb.SymbolVisibility) string {
	if v == nil {
		return ""
	}
	switch *v {
	case descriptorpb.SymbolVisibility_VISIBILITY_LOCAL:
		return "local "
	case descriptorpb.SymbolVisibility_VISIBILITY_EXPORT:
		return "export "
	}
	return ""
}

// printMessageBody writes the contents of message m, whose full name is
// scope.
func (p *printer) printMessageBody(m *descriptorpb.DescriptorProto, scope string) {
	opts := p.optionsSkipping(m.Options, scope, "map_entry")
	for _, o := range opts {
		p.decl("option " + o + ";")
	}
	p.gap()

	// Nested types written as part of a field (map entries, groups).
	inline := make(map[string]*descriptorpb.DescriptorProto)
	nested := make(map[string]*descriptorpb.DescriptorProto)
	for _, n := range m.NestedType {
		nested[join(scope, n.GetName())] = n
	}
	oneofDone := make(map[int32]bool)
	for _, f := range m.Field {
		if f.OneofIndex != nil && !f.GetProto3Optional() {
			idx := f.GetOneofIndex()
			if oneofDone[idx] {
				continue
			}
			oneofDone[idx] = true
			if int(idx) >= len(m.OneofDecl) {
				p.fail("%s: field %s: oneof index %d out of range", scope, f.GetName(), idx)
				return
			}
			o := m.OneofDecl[idx]
			p.open("oneof " + o.GetName())
			for _, oo := range p.options(o.Options, scope) {
				p.decl("option " + oo + ";")
			}
			for _, of := range m.Field {
				if of.OneofIndex != nil && of.GetOneofIndex() == idx {
					p.printField(of, nested, scope)
					markInline(of, nested, inline)
				}
			}
			p.close()
			continue
		}
		p.printField(f, nested, scope)
		markInline(f, nested, inline)
	}
	p.gap()

	// A range with options has a line of its own; runs of others are
	// written together. The order is kept.
	var plain []string
	flush := func() {
		if len(plain) > 0 {
			p.decl("extensions " + strings.Join(plain, ", ") + ";")
			plain = plain[:0]
		}
	}
	for _, r := range m.ExtensionRange {
		s := rangeText(r.GetStart(), r.GetEnd()-1, maxField)
		if opts := p.options(r.Options, scope); len(opts) > 0 {
			flush()
			p.decl("extensions " + s + " [" + strings.Join(opts, ", ") + "];")
		} else {
			plain = append(plain, s)
		}
	}
	flush()
	if len(m.ReservedRange) > 0 {
		var rs []string
		for _, r := range m.ReservedRange {
			rs = append(rs, rangeText(r.GetStart(), r.GetEnd()-1, maxField))
		}
		p.decl("reserved " + strings.Join(rs, ", ") + ";")
	}
	if len(m.ReservedName) > 0 {
		p.decl("reserved " + p.reservedNames(m.ReservedName) + ";")
	}
	p.gap()
	p.printExtensions(m.Extension, scope)
	for _, n := range m.NestedType {
		if inline[join(scope, n.GetName())] != nil {
			continue
		}
		p.printMessage(n, scope)
	}
	for _, e := range m.EnumType {
		p.printEnum(e, scope)
	}
}

// markInline records the nested type that field f writes itself.
func markInline(f *descriptorpb.FieldDescriptorProto, nested, inline map[string]*descriptorpb.DescriptorProto) {
	if n := inlineType(f, nested); n != nil {
		inline[strings.TrimPrefix(f.GetTypeName(), ".")] = n
	}
}

// inlineType returns the map entry or group type that field f declares,
// or nil.
func inlineType(f *descriptorpb.FieldDescriptorProto, nested map[string]*descriptorpb.DescriptorProto) *descriptorpb.DescriptorProto {
	if nested == nil {
		return nil
	}
	n := nested[strings.TrimPrefix(f.GetTypeName(), ".")]
	if n == nil {
		return nil
	}
	switch {
	case f.GetType() == descriptorpb.FieldDescriptorProto_TYPE_GROUP:
		return n
	case n.GetOptions().GetMapEntry() && f.GetLabel() == descriptorpb.FieldDescriptorProto_LABEL_REPEATED:
		return n
	}
	return nil
}

func (p *printer) reservedNames(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		if p.syntax == "editions" {
			quoted[i] = n
		} else {
			quoted[i] = quote(n)
		}
	}
	return strings.Join(quoted, ", ")
}

// maxField is the largest field number, written "max" in ranges.
const maxField = 1<<29 - 1

// rangeText writes an inclusive range of numbers.
func rangeText(start, end, max int32) string {
	switch {
	case start == end:
		return strconv.Itoa(int(start))
	case end == max:
		return fmt.Sprintf("%d to max", start)
	}
	return fmt.Sprintf("%d to %d", start, end)
}

// printField writes field or extension f of a message whose full name is
// scope (the package for a top-level extension). nested holds the
// message's nested types, for map entries and groups.
func (p *printer) printField(f *descriptorpb.FieldDescriptorProto, nested map[string]*descriptorpb.DescriptorProto, scope string) {
	var b strings.Builder
	inl := inlineType(f, nested)
	isMap := inl != nil && f.GetType() != descriptorpb.FieldDescriptorProto_TYPE_GROUP
	switch {
	case isMap:
	case f.GetLabel() == descriptorpb.FieldDescriptorProto_LABEL_REPEATED:
		b.WriteString("repeated ")
	case p.syntax == "proto2" && f.OneofIndex == nil:
		if f.GetLabel() == descriptorpb.FieldDescriptorProto_LABEL_REQUIRED {
			b.WriteString("required ")
		} else {
			b.WriteString("optional ")
		}
	case p.syntax == "proto3" && f.GetProto3Optional():
		b.WriteString("optional ")
	}
	name := f.GetName()
	switch {
	case isMap:
		var k, v *descriptorpb.FieldDescriptorProto
		for _, ef := range inl.Field {
			switch ef.GetNumber() {
			case 1:
				k = ef
			case 2:
				v = ef
			}
		}
		if k == nil || v == nil {
			p.fail("%s: map entry %s lacks key or value", scope, inl.GetName())
			return
		}
		fmt.Fprintf(&b, "map<%s, %s> %s", p.fieldType(k, join(scope, inl.GetName())), p.fieldType(v, join(scope, inl.GetName())), name)
	case inl != nil: // group
		b.WriteString("group ")
		name = inl.GetName()
		b.WriteString(name)
	default:
		b.WriteString(p.fieldType(f, scope))
		b.WriteByte(' ')
		b.WriteString(name)
	}
	fmt.Fprintf(&b, " = %d", f.GetNumber())

	var opts []string
	if f.DefaultValue != nil {
		opts = append(opts, "default = "+p.defaultValue(f))
	}
	if f.JsonName != nil && f.Extendee == nil && f.GetJsonName() != jsonCamelCase(f.GetName()) {
		opts = append(opts, "json_name = "+quote(f.GetJsonName()))
	}
	opts = append(opts, p.options(f.Options, scope)...)
	if len(opts) > 0 {
		b.WriteString(" [" + strings.Join(opts, ", ") + "]")
	}
	if inl != nil && !isMap {
		p.open(b.String())
		p.printMessageBody(inl, join(scope, inl.GetName()))
		p.close()
		return
	}
	b.WriteByte(';')
	p.decl(b.String())
}

// fieldType returns the type of f as written in a message whose full name
// is scope.
func (p *printer) fieldType(f *descriptorpb.FieldDescriptorProto, scope string) string {
	switch f.GetType() {
	case descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, descriptorpb.FieldDescriptorProto_TYPE_ENUM, descriptorpb.FieldDescriptorProto_TYPE_GROUP:
		return p.typeName(f.GetTypeName(), scope)
	}
	t := f.GetType().String()
	if !strings.HasPrefix(t, "TYPE_") {
		p.fail("field %s: unknown type %v", f.GetName(), f.GetType())
		return t
	}
	return strings.ToLower(strings.TrimPrefix(t, "TYPE_"))
}

// defaultValue returns the text of f's default value.
func (p *printer) defaultValue(f *descriptorpb.FieldDescriptorProto) string {
	v := f.GetDefaultValue()
	switch f.GetType() {
	case descriptorpb.FieldDescriptorProto_TYPE_STRING:
		return quote(v)
	case descriptorpb.FieldDescriptorProto_TYPE_BYTES:
		// Already C-escaped in the descriptor.
		return `"` + v + `"`
	}
	return v
}

// jsonCamelCase is the JSON name protoc derives from a field name.
func jsonCamelCase(s string) string {
	var b strings.Builder
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_':
			upper = true
		case upper && 'a' <= c && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
			upper = false
		default:
			b.WriteByte(c)
			upper = false
		}
	}
	return b.String()
}

func (p *printer) printEnum(e *descriptorpb.EnumDescriptorProto, scope string) {
	p.open(p.visibility(e.Visibility) + "enum " + e.GetName())
	for _, o := range p.options(e.Options, join(scope, e.GetName())) {
		p.decl("option " + o + ";")
	}
	p.gap()
	for _, v := range e.Value {
		s := fmt.Sprintf("%s = %d", v.GetName(), v.GetNumber())
		if opts := p.options(v.Options, scope); len(opts) > 0 {
			s += " [" + strings.Join(opts, ", ") + "]"
		}
		p.decl(s + ";")
	}
	p.gap()
	if len(e.ReservedRange) > 0 {
		var rs []string
		for _, r := range e.ReservedRange {
			rs = append(rs, rangeText(r.GetStart(), r.GetEnd(), math.MaxInt32))
		}
		p.decl("reserved " + strings.Join(rs, ", ") + ";")
	}
	if len(e.ReservedName) > 0 {
		p.decl("reserved " + p.reservedNames(e.ReservedName) + ";")
	}
	p.close()
}

// typeName returns how to write the type whose full name is name (with or
// without a leading dot) from within scope.
func (p *printer) typeName(name, scope string) string {
	full := strings.TrimPrefix(name, ".")
	// A type of the file's package: the shortest suffix of its name that
	// resolves to it. Another package's: the full name.
	if pkg := p.file.GetPackage(); pkg == "" || strings.HasPrefix(full, pkg+".") {
		first := len(pkg) + 1
		if pkg == "" {
			first = 0
		}
		for i := len(full) - 1; i >= first; i-- {
			if i > first && full[i-1] != '.' {
				continue
			}
			if p.resolve(full[i:], scope) == full {
				return full[i:]
			}
		}
	}
	if p.resolve(full, scope) == full {
		return full
	}
	return "." + full
}

// resolve returns the full name that a relative name refers to from
// within scope, following protobuf's rule: the first component is looked
// up from the innermost scope outwards, and the first match wins.
func (p *printer) resolve(name, scope string) string {
	first, _, _ := strings.Cut(name, ".")
	for s := scope; ; s = parentScope(s) {
		if p.symbols[join(s, first)] {
			return join(s, name)
		}
		if s == "" {
			return ""
		}
	}
}

func parentScope(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[:i]
	}
	return ""
}

func join(scope, name string) string {
	if scope == "" {
		return name
	}
	return scope + "." + name
}

// options returns the options set in opts, as "name = value" texts, for
// an element declared in scope.
func (p *printer) options(opts proto.Message, scope string) []string {
	return p.optionsSkipping(opts, scope)
}

// optionsSkipping is options without the standard options named in skip.
func (p *printer) optionsSkipping(opts proto.Message, scope string, skip ...string) []string {
	if opts == nil || !opts.ProtoReflect().IsValid() {
		return nil
	}
	// Options arrive with custom options possibly unparsed: parse them
	// again with the extensions the file can see.
	raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(opts)
	if err != nil {
		p.fail("marshal options: %v", err)
		return nil
	}
	m := opts.ProtoReflect().Type().New().Interface()
	if err := (proto.UnmarshalOptions{Resolver: p.exts}).Unmarshal(raw, m); err != nil {
		p.fail("unmarshal options: %v", err)
		return nil
	}
	rm := m.ProtoReflect()
	if len(rm.GetUnknown()) > 0 {
		p.fail("%s has options of unknown extensions", rm.Descriptor().FullName())
		return nil
	}
	var out []string
	for _, fd := range sortedFields(rm) {
		name := string(fd.Name())
		if fd.IsExtension() {
			name = "(" + p.typeName(string(fd.FullName()), scope) + ")"
		} else if contains(skip, name) {
			continue
		}
		v := rm.Get(fd)
		if fd.IsList() {
			list := v.List()
			for i := 0; i < list.Len(); i++ {
				out = append(out, name+" = "+p.optionValue(fd, list.Get(i)))
			}
			continue
		}
		out = append(out, name+" = "+p.optionValue(fd, v))
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sortedFields returns the populated fields of m: regular fields by
// number, then extensions by number.
func sortedFields(m protoreflect.Message) []protoreflect.FieldDescriptor {
	var fds []protoreflect.FieldDescriptor
	m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		fds = append(fds, fd)
		return true
	})
	sort.Slice(fds, func(i, j int) bool {
		if fds[i].IsExtension() != fds[j].IsExtension() {
			return !fds[i].IsExtension()
		}
		return fds[i].Number() < fds[j].Number()
	})
	return fds
}

// optionValue returns a single option value: a scalar, an enum value name
// or a message in braces.
func (p *printer) optionValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		var b strings.Builder
		b.WriteString("{")
		p.messageText(&b, v.Message())
		b.WriteString(" }")
		return b.String()
	}
	return scalarText(fd, v)
}

// messageText writes the fields of m in the protobuf text format, each
// preceded by a space.
func (p *printer) messageText(b *strings.Builder, m protoreflect.Message) {
	if len(m.GetUnknown()) > 0 {
		p.fail("option value %s has unknown fields", m.Descriptor().FullName())
	}
	for _, fd := range sortedFields(m) {
		name := string(fd.Name())
		if fd.IsExtension() {
			name = "[" + string(fd.FullName()) + "]"
		} else if fd.Kind() == protoreflect.GroupKind && fd.Message() != nil && strings.EqualFold(string(fd.Message().Name()), name) {
			name = string(fd.Message().Name())
		}
		v := m.Get(fd)
		switch {
		case fd.IsMap():
			keys := make([]protoreflect.MapKey, 0, v.Map().Len())
			v.Map().Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
				keys = append(keys, k)
				return true
			})
			sort.Slice(keys, func(i, j int) bool { return lessKey(keys[i], keys[j]) })
			for _, k := range keys {
				fmt.Fprintf(b, " %s { key: %s value:", name, scalarText(fd.MapKey(), k.Value()))
				if mv := fd.MapValue(); mv.Kind() == protoreflect.MessageKind || mv.Kind() == protoreflect.GroupKind {
					b.WriteString(" {")
					p.messageText(b, v.Map().Get(k).Message())
					b.WriteString(" }")
				} else {
					b.WriteString(" " + scalarText(mv, v.Map().Get(k)))
				}
				b.WriteString(" }")
			}
		case fd.IsList():
			list := v.List()
			for i := 0; i < list.Len(); i++ {
				p.fieldText(b, name, fd, list.Get(i))
			}
		default:
			p.fieldText(b, name, fd, v)
		}
	}
}

func (p *printer) fieldText(b *strings.Builder, name string, fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		fmt.Fprintf(b, " %s {", name)
		p.messageText(b, v.Message())
		b.WriteString(" }")
		return
	}
	fmt.Fprintf(b, " %s: %s", name, scalarText(fd, v))
}

func lessKey(a, b protoreflect.MapKey) bool {
	switch x := a.Interface().(type) {
	case bool:
		return !x && b.Bool()
	case string:
		return x < b.String()
	case int32, int64:
		return a.Int() < b.Int()
	default:
		return a.Uint() < b.Uint()
	}
}

// scalarText returns a non-message value as it is written in .proto
// options and in the text format.
func scalarText(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return strconv.FormatBool(v.Bool())
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
		return strconv.Itoa(int(v.Enum()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return strconv.FormatInt(v.Int(), 10)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return strconv.FormatUint(v.Uint(), 10)
	case protoreflect.FloatKind:
		return floatText(v.Float(), 32)
	case protoreflect.DoubleKind:
		return floatText(v.Float(), 64)
	case protoreflect.StringKind:
		return quote(v.String())
	case protoreflect.BytesKind:
		return quoteBytes(v.Bytes())
	}
	return v.String()
}

func floatText(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// quote returns s as a double-quoted .proto string literal. Valid UTF-8
// text is kept; control characters and invalid bytes are escaped.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\%03o`, s[i])
			i++
			continue
		}
		escapeRune(&b, r, s[i:i+size])
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// quoteBytes returns data as a double-quoted literal with every byte
// outside printable ASCII escaped.
func quoteBytes(data []byte) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range data {
		if c >= 0x80 {
			fmt.Fprintf(&b, `\%03o`, c)
			continue
		}
		escapeRune(&b, rune(c), string(rune(c)))
	}
	b.WriteByte('"')
	return b.String()
}

func escapeRune(b *strings.Builder, r rune, raw string) {
	switch r {
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	case '\t':
		b.WriteString(`\t`)
	case '"':
		b.WriteString(`\"`)
	case '\'':
		b.WriteString(`\'`)
	case '\\':
		b.WriteString(`\\`)
	default:
		if r < 0x20 || r == 0x7f {
			fmt.Fprintf(b, `\%03o`, r)
			return
		}
		b.WriteString(raw)
	}
}
