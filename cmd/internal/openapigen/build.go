package openapigen

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/plugin"
	"github.com/seed6ad8aa6b/kratos/encoding/jsonschema"
	kerrors "github.com/seed6ad8aa6b/kratos/errors"
)

// statusDescriptor is the message of the framework's error body.
var statusDescriptor = (&kerrors.Status{}).ProtoReflect().Descriptor()

// builder builds one document.
type builder struct {
	opts Options
	g    *jsonschema.Generator
	doc  *document
	ids  map[string]bool   // operationIds in use
	tags map[string]string // service full name -> tag
	// shapes maps paths with their variables' names left out to the
	// path added with that shape: OpenAPI 3.0 forbids two paths that
	// differ only in those names.
	shapes map[string]string
}

// build makes the document of the services of files.
func build(files []protoreflect.FileDescriptor, opts Options) (*document, error) {
	var names func(protoreflect.FullName) string
	if opts.ShortNames {
		// A first pass finds every schema, so that short names are only
		// used where they do not collide.
		b := newBuilder(opts, nil)
		if err := b.services(files); err != nil {
			return nil, err
		}
		names = shortNames(b.g.Defs())
	}
	b := newBuilder(opts, names)
	if err := b.services(files); err != nil {
		return nil, err
	}
	return b.doc, nil
}

func newBuilder(opts Options, names func(protoreflect.FullName) string) *builder {
	return &builder{
		opts:   opts,
		g:      jsonschema.NewGenerator(jsonschema.WithDialect(jsonschema.OpenAPI30), jsonschema.WithNames(names)),
		doc:    &document{OpenAPI: "3.0.3"},
		ids:    map[string]bool{},
		tags:   map[string]string{},
		shapes: map[string]string{},
	}
}

// varNames returns the names of the variables of an OpenAPI path.
func varNames(p string) []string {
	var out []string
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(p[i:], '}')
		out = append(out, p[i+1:i+j])
		p = p[i+j+1:]
	}
}

// shape returns p with the names of its variables left out.
func shape(p string) string {
	var b strings.Builder
	in := false
	for _, r := range p {
		switch {
		case r == '{':
			in = true
			b.WriteString("{}")
		case r == '}':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// shortNames names the definitions by their name within their package
// where no other definition has the same one.
func shortNames(defs map[string]*jsonschema.Schema) func(protoreflect.FullName) string {
	count := map[string]int{}
	short := func(full string) string {
		// Types are named by their full name here; the package is the
		// leading lower-case components.
		parts := strings.Split(full, ".")
		i := 0
		for i < len(parts)-1 && parts[i] != "" && strings.ToLower(parts[i][:1]) == parts[i][:1] {
			i++
		}
		return strings.Join(parts[i:], ".")
	}
	for full := range defs {
		count[short(full)]++
	}
	return func(n protoreflect.FullName) string {
		if s := short(string(n)); count[s] == 1 {
			return s
		}
		return string(n)
	}
}

// services adds the operations of every service of files, then the
// schemas and tags.
func (b *builder) services(files []protoreflect.FileDescriptor) error {
	var all []protoreflect.ServiceDescriptor
	short := map[protoreflect.Name]int{}
	for _, f := range files {
		for i := 0; i < f.Services().Len(); i++ {
			s := f.Services().Get(i)
			all = append(all, s)
			short[s.Name()]++
		}
	}
	b.info(all)
	status := b.g.Message(statusDescriptor)
	for _, s := range all {
		name := string(s.Name())
		if short[s.Name()] > 1 {
			name = string(s.FullName())
		}
		b.tags[string(s.FullName())] = name
		b.doc.Tags = append(b.doc.Tags, tag{Name: name, Description: jsonschema.Description(s)})
		reasons, err := errorReasons(s.ParentFile())
		if err != nil {
			return err
		}
		for i := 0; i < s.Methods().Len(); i++ {
			if err := b.method(s, s.Methods().Get(i), reasons, status); err != nil {
				return err
			}
		}
	}
	b.statusDescriptions(status)
	defs := b.g.Defs()
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.doc.Components.Schemas.set(n, defs[n])
	}
	return nil
}

// info fills info from the options, or from the services.
func (b *builder) info(services []protoreflect.ServiceDescriptor) {
	in := info{Title: b.opts.Title, Description: b.opts.Description, Version: b.opts.Version}
	if in.Version == "" {
		in.Version = "0.0.1"
	}
	pkgs := map[protoreflect.FullName]bool{}
	for _, s := range services {
		pkgs[s.ParentFile().Package()] = true
	}
	if in.Title == "" {
		switch {
		case len(services) == 1:
			in.Title = string(services[0].Name()) + " API"
		case len(pkgs) == 1 && services[0].ParentFile().Package() != "":
			in.Title = string(services[0].ParentFile().Package()) + " API"
		default:
			in.Title = "API"
		}
	}
	if in.Description == "" && len(services) == 1 {
		in.Description = jsonschema.Description(services[0])
	}
	b.doc.Info = in
}

// statusDescriptions describes the error body, whose descriptor (linked
// in from the errors package) has no comments.
func (b *builder) statusDescriptions(status *jsonschema.Schema) {
	def := b.g.Defs()[status.Ref[strings.LastIndexByte(status.Ref, '/')+1:]]
	if def == nil {
		return
	}
	def.Description = "The error body of every failed call: the HTTP status code, a reason that names the error for programs, a message for people, and metadata."
	for name, text := range map[string]string{
		"code":     "The HTTP status code.",
		"reason":   "The reason of the error, such as an error-reason enum value name; programs match on it.",
		"message":  "A description of the error for people.",
		"metadata": "Details of the error as string pairs.",
	} {
		if p := def.Properties.Get(name); p != nil {
			p.Description = text
		}
	}
}

// binding is one HTTP rule of a method.
type binding struct {
	verb, path, body, responseBody string
}

// bindings returns the rule of m and its additional bindings; none when m
// has no rule (or, with OmitEmpty false, the default route).
func (b *builder) bindings(m protoreflect.MethodDescriptor) []binding {
	rule, _ := proto.GetExtension(plugin.Options(m.Options()), annotations.E_Http).(*annotations.HttpRule)
	if rule == nil {
		if b.opts.OmitEmpty || m.IsStreamingClient() || m.IsStreamingServer() {
			return nil
		}
		return []binding{b.defaultBinding(m)}
	}
	out := []binding{b.ruleBinding(m, rule)}
	for _, add := range rule.GetAdditionalBindings() {
		out = append(out, b.ruleBinding(m, add))
	}
	return out
}

func (b *builder) defaultBinding(m protoreflect.MethodDescriptor) binding {
	s := m.Parent().(protoreflect.ServiceDescriptor)
	return binding{verb: http.MethodPost, path: fmt.Sprintf("%s/%s/%s", b.opts.OmitEmptyPrefix, s.FullName(), m.Name()), body: "*"}
}

func (b *builder) ruleBinding(m protoreflect.MethodDescriptor, rule *annotations.HttpRule) binding {
	r := binding{body: rule.GetBody(), responseBody: rule.GetResponseBody()}
	switch p := rule.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		r.verb, r.path = http.MethodGet, p.Get
	case *annotations.HttpRule_Put:
		r.verb, r.path = http.MethodPut, p.Put
	case *annotations.HttpRule_Post:
		r.verb, r.path = http.MethodPost, p.Post
	case *annotations.HttpRule_Delete:
		r.verb, r.path = http.MethodDelete, p.Delete
	case *annotations.HttpRule_Patch:
		r.verb, r.path = http.MethodPatch, p.Patch
	case *annotations.HttpRule_Custom:
		r.verb, r.path = p.Custom.GetKind(), p.Custom.GetPath()
	}
	if r.path == "" {
		def := b.defaultBinding(m)
		r.path = def.path
		if r.verb == "" {
			r.verb = def.verb
		}
	}
	return r
}

// method adds the operations of m.
func (b *builder) method(s protoreflect.ServiceDescriptor, m protoreflect.MethodDescriptor, reasons []reason, status *jsonschema.Schema) error {
	for i, bind := range b.bindings(m) {
		where := fmt.Sprintf("%s: service %s, method %s: %s %q", s.ParentFile().Path(), s.FullName(), m.Name(), bind.verb, bind.path)
		verb := strings.ToUpper(bind.verb)
		stream := streamKind(m)
		if stream == "client" || stream == "bidi" {
			verb = http.MethodGet // the WebSocket handshake
		}
		p, vars, err := parseTemplate(bind.path)
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		if other, ok := b.shapes[shape(p)]; ok && other != p {
			// OpenAPI 3.0 forbids two paths that differ only in the names
			// of their variables. The server binds values by position, so
			// this route takes the names of the path already there.
			p = other
			for i, name := range varNames(other) {
				vars[i].param = name
			}
		}
		op, err := b.operation(s, m, i, bind, vars, stream, reasons, status)
		if err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		item, _ := b.doc.Paths.get(p)
		if item == nil {
			item = &pathItem{}
		}
		slot := item.slot(verb)
		switch {
		case slot == nil:
			b.opts.warn("%s: left out: OpenAPI 3.0 has no HTTP method %s", where, verb)
			continue
		case *slot != nil:
			b.opts.warn("%s: left out: %s %s is already %s", where, verb, p, (*slot).OperationID)
			continue
		}
		*slot = op
		b.doc.Paths.set(p, item)
		b.shapes[shape(p)] = p
		b.ids[op.OperationID] = true
	}
	return nil
}

// slot returns where the operation of verb goes, or nil when OpenAPI 3.0
// has no place for it.
func (p *pathItem) slot(verb string) **operation {
	switch verb {
	case http.MethodGet:
		return &p.Get
	case http.MethodPut:
		return &p.Put
	case http.MethodPost:
		return &p.Post
	case http.MethodDelete:
		return &p.Delete
	case http.MethodOptions:
		return &p.Options
	case http.MethodHead:
		return &p.Head
	case http.MethodPatch:
		return &p.Patch
	case http.MethodTrace:
		return &p.Trace
	}
	return nil
}

func streamKind(m protoreflect.MethodDescriptor) string {
	switch {
	case m.IsStreamingClient() && m.IsStreamingServer():
		return "bidi"
	case m.IsStreamingClient():
		return "client"
	case m.IsStreamingServer():
		return "server"
	}
	return ""
}

// operationID returns a unique id for binding n of m.
func (b *builder) operationID(s protoreflect.ServiceDescriptor, m protoreflect.MethodDescriptor, n int) string {
	suffix := ""
	if n > 0 {
		suffix = "_" + strconv.Itoa(n)
	}
	id := string(s.Name()) + "_" + string(m.Name()) + suffix
	if !b.ids[id] {
		return id
	}
	id = strings.ReplaceAll(string(s.FullName()), ".", "_") + "_" + string(m.Name()) + suffix
	for k := 2; b.ids[id]; k++ {
		id = fmt.Sprintf("%s_%s%s_%d", strings.ReplaceAll(string(s.FullName()), ".", "_"), m.Name(), suffix, k)
	}
	return id
}

// operation builds the operation of one binding.
func (b *builder) operation(s protoreflect.ServiceDescriptor, m protoreflect.MethodDescriptor, n int, bind binding, vars []pathVar, stream string, reasons []reason, status *jsonschema.Schema) (*operation, error) {
	in, out := m.Input(), m.Output()
	op := &operation{
		Tags:        []string{b.tags[string(s.FullName())]},
		Description: jsonschema.Description(m),
		OperationID: b.operationID(s, m, n),
		Deprecated:  methodDeprecated(m),
		Streaming:   stream,
	}
	// Path parameters.
	inPath := map[string]bool{}
	for _, v := range vars {
		fields, err := fieldPath(in, v.name)
		if err != nil {
			return nil, fmt.Errorf("path variable %q: %v", v.name, err)
		}
		inPath[v.name] = true
		name := v.name
		if v.param != "" && v.param != v.name {
			name = v.param
		}
		p := b.param(fields[len(fields)-1], name, "path")
		p.Required = true
		if name != v.name {
			p.Description = strings.TrimSpace(p.Description + "\n\nThe value of " + v.name + ".")
		}
		if v.pattern != "" && p.Schema.Type == "string" && p.Schema.Ref == "" {
			p.Schema.Pattern = v.pattern
		}
		if strings.Contains(v.pattern, "/") {
			p.AllowReserved = true
			p.Description = strings.TrimSpace(p.Description + "\n\nThe value spans path segments: send its slashes as they are, not as %2F.")
		}
		op.Parameters = append(op.Parameters, p)
	}

	websocket := stream == "client" || stream == "bidi"
	body := bind.body
	if websocket {
		body = "" // the messages go over the socket; the first may come in the query
	}
	// Request body.
	switch body {
	case "":
	case "*":
		var schema *jsonschema.Schema
		omit := func(fd protoreflect.FieldDescriptor) bool { return inPath[string(fd.Name())] }
		if anyTopLevel(in, inPath) {
			schema = b.g.Object(in, omit)
		} else {
			schema = b.g.Message(in)
		}
		op.RequestBody = b.body(in, schema)
	default:
		fd := in.Fields().ByName(protoreflect.Name(body))
		if fd == nil || strings.Contains(body, ".") {
			return nil, fmt.Errorf("body %q is not a field of %s", body, in.FullName())
		}
		op.RequestBody = b.body(fd.Message(), unnull(b.g.Field(fd)))
	}
	// Query parameters.
	if body != "*" {
		exclude := map[string]bool{}
		for v := range inPath {
			exclude[v] = true
		}
		if body != "" {
			exclude[body] = true
		}
		op.Parameters = append(op.Parameters, b.query(in, "", "", exclude, b.opts.Depth, map[protoreflect.FullName]bool{in.FullName(): true}, nil)...)
	}
	// Responses.
	var reply *jsonschema.Schema
	if !isHTTPBody(out) {
		reply = b.g.Message(out)
	}
	if r := bind.responseBody; r != "" && r != "*" {
		fd := out.Fields().ByName(protoreflect.Name(r))
		if fd == nil || strings.Contains(r, ".") {
			return nil, fmt.Errorf("response_body %q is not a field of %s", r, out.FullName())
		}
		reply = unnull(b.g.Field(fd))
	}
	switch stream {
	case "":
		if isHTTPBody(out) {
			op.Responses.set("200", &response{Description: "OK: the body as the method returns it, with its content type.", Content: binary()})
		} else {
			op.Responses.set("200", &response{Description: "OK", Content: jsonContent(reply)})
		}
	case "server":
		var c ordered[*mediaType]
		c.set("text/event-stream", &mediaType{Schema: reply})
		op.Responses.set("200", &response{
			Description: "A stream of Server-Sent Events: each event \"message\" carries one reply as JSON data; an event \"error\" carries the error body and ends the stream.",
			Content:     c,
		})
	default:
		op.WebSocket = &webSocketExtension{Send: b.g.Message(in), Receive: reply}
		op.Responses.set("101", &response{
			Description: "Switching Protocols: the connection becomes a WebSocket. Each message the client sends is one request (x-kratos-websocket.send), each it receives one reply (x-kratos-websocket.receive), as JSON in text frames. The client ends its side with the text message \"\\u001eend\"; an error arrives as \"\\u001eerror:\" followed by the error body.",
		})
	}
	b.errorResponses(op, s.ParentFile().Package(), reasons, status)
	return op, nil
}

// anyTopLevel reports whether a path variable is a top-level field of md.
func anyTopLevel(md protoreflect.MessageDescriptor, inPath map[string]bool) bool {
	for v := range inPath {
		if !strings.Contains(v, ".") && md.Fields().ByName(protoreflect.Name(v)) != nil {
			return true
		}
	}
	return false
}

// body returns the request body of schema, the JSON of md (nil for a
// field that is not a message).
func (b *builder) body(md protoreflect.MessageDescriptor, schema *jsonschema.Schema) *requestBody {
	if md != nil && isHTTPBody(md) {
		return &requestBody{Content: binary(), Required: true}
	}
	return &requestBody{Content: jsonContent(schema), Required: true}
}

func isHTTPBody(md protoreflect.MessageDescriptor) bool {
	return md.FullName() == "google.api.HttpBody"
}

func jsonContent(s *jsonschema.Schema) ordered[*mediaType] {
	var c ordered[*mediaType]
	c.set("application/json", &mediaType{Schema: s})
	return c
}

func binary() ordered[*mediaType] {
	var c ordered[*mediaType]
	c.set("*/*", &mediaType{Schema: &jsonschema.Schema{Type: "string", Format: "binary"}})
	return c
}

// param returns the parameter of field fd, named name.
func (b *builder) param(fd protoreflect.FieldDescriptor, name, in string) *parameter {
	s := unnull(b.g.Field(fd))
	p := &parameter{Name: name, In: in, Description: s.Description, Deprecated: s.Deprecated, Schema: s}
	s.Description, s.Deprecated = "", false
	if len(s.AllOf) == 1 && s.Type == "" && !s.ReadOnly && !s.WriteOnly {
		p.Schema = s.AllOf[0]
	}
	if in == "query" && b.g.Required(fd) {
		p.Required = true
	}
	return p
}

// query returns the query parameters of the fields of md not in exclude
// (field paths), prefixing their JSON names with prefix and their field
// paths with protoPrefix, and going depth levels into nested messages.
//
// The parameters of the members of a oneof carry the x-kratos-oneof
// extension (inherited by the parameters of a member's nested fields), as
// the server refuses two members of one oneof.
func (b *builder) query(md protoreflect.MessageDescriptor, prefix, protoPrefix string, exclude map[string]bool, depth int, seen map[protoreflect.FullName]bool, oneof *oneofExtension) []*parameter {
	var out []*parameter
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		protoPath := protoPrefix + string(fd.Name())
		name := prefix + fd.JSONName()
		if exclude[protoPath] || fd.Enum() != nil && fd.Enum().FullName() == "google.protobuf.NullValue" {
			continue
		}
		ext := oneof
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() && ext == nil {
			ext = &oneofExtension{Oneof: prefix + string(od.Name()), Field: name}
		}
		start := len(out)
		switch {
		case fd.IsMap():
			if oneValue(fd.MapValue()) && fd.MapValue().Message() == nil {
				p := b.param(fd, name, "query")
				p.Style, p.Explode = "deepObject", ptr(true)
				out = append(out, p)
			}
		case fd.IsList():
			if oneValue(fd) {
				out = append(out, b.param(fd, name, "query"))
			}
		case fd.Message() != nil && !oneValue(fd):
			sub := fd.Message()
			if depth == 0 || seen[sub.FullName()] || jsonValue(sub) {
				continue
			}
			seen[sub.FullName()] = true
			out = append(out, b.query(sub, name+".", protoPath+".", exclude, depth-1, seen, ext)...)
			delete(seen, sub.FullName())
		default:
			out = append(out, b.param(fd, name, "query"))
		}
		if ext != nil && oneof == nil {
			for _, p := range out[start:] {
				p.Oneof = ext
				p.Description = strings.TrimSpace(p.Description + "\n\nA member of oneof " + ext.Oneof + ": send the parameters of one member only.")
			}
		}
	}
	return out
}

// oneValue reports whether fd's value is written as one query value: a
// scalar, an enum, or a well-known type with a one-value form.
func oneValue(fd protoreflect.FieldDescriptor) bool {
	md := fd.Message()
	if md == nil {
		return true
	}
	if md.ParentFile().Package() != "google.protobuf" {
		return false
	}
	switch md.Name() {
	case "Timestamp", "Duration", "FieldMask", "DoubleValue", "FloatValue", "Int64Value", "UInt64Value",
		"Int32Value", "UInt32Value", "BoolValue", "StringValue", "BytesValue":
		return true
	}
	return false
}

// jsonValue reports whether md is a well-known type that a query carries
// only as JSON text (or not at all); such fields get no parameter.
func jsonValue(md protoreflect.MessageDescriptor) bool {
	return md.ParentFile().Package() == "google.protobuf"
}

// unnull returns s without the null that a message field allows: a body
// or parameter is absent rather than null.
func unnull(s *jsonschema.Schema) *jsonschema.Schema {
	if !s.Nullable {
		return s
	}
	s.Nullable = false
	if len(s.AllOf) == 1 && s.Description == "" && !s.ReadOnly && !s.WriteOnly && !s.Deprecated {
		return s.AllOf[0]
	}
	if len(s.AllOf) == 1 {
		s.Type = ""
	}
	return s
}

// fieldPath returns the fields named by the dotted path in md: every
// field but the last must be a singular message.
func fieldPath(md protoreflect.MessageDescriptor, p string) ([]protoreflect.FieldDescriptor, error) {
	var out []protoreflect.FieldDescriptor
	parts := strings.Split(p, ".")
	for i, name := range parts {
		fd := md.Fields().ByName(protoreflect.Name(name))
		if fd == nil {
			return nil, fmt.Errorf("%s is not a field of %s", name, md.FullName())
		}
		out = append(out, fd)
		if i == len(parts)-1 {
			break
		}
		if fd.Message() == nil || fd.IsList() || fd.IsMap() {
			return nil, fmt.Errorf("%s of %s is not a message field, so it has no field %s", name, md.FullName(), parts[i+1])
		}
		md = fd.Message()
	}
	return out, nil
}

func methodDeprecated(m protoreflect.MethodDescriptor) bool {
	o, ok := m.Options().(*descriptorpb.MethodOptions)
	return ok && o.GetDeprecated()
}

// reason is one value of an error-reason enum.
type reason struct {
	name, description string
	code              int32
}

// errorReasons returns the values of the top-level enums of file that
// have an HTTP status code, as errorsgen reads them.
func errorReasons(file protoreflect.FileDescriptor) ([]reason, error) {
	var out []reason
	for i := 0; i < file.Enums().Len(); i++ {
		e := file.Enums().Get(i)
		def, _ := proto.GetExtension(plugin.Options(e.Options()), kerrors.E_DefaultCode).(int32)
		for j := 0; j < e.Values().Len(); j++ {
			v := e.Values().Get(j)
			code := def
			if c, _ := proto.GetExtension(plugin.Options(v.Options()), kerrors.E_Code).(int32); c != 0 {
				code = c
			}
			if code < 0 || code > 599 {
				return nil, fmt.Errorf("%s: enum %s: value %s: error code %d is not an HTTP status code", file.Path(), e.FullName(), v.Name(), code)
			}
			if code == 0 {
				continue
			}
			out = append(out, reason{name: string(v.Name()), description: jsonschema.Description(v), code: code})
		}
	}
	return out, nil
}

// errorResponses refers op to a response per status code of reasons,
// and to the default response. The responses are components, shared by
// the operations of the services of one package.
func (b *builder) errorResponses(op *operation, pkg protoreflect.FullName, reasons []reason, status *jsonschema.Schema) {
	byCode := map[int32][]reason{}
	var codes []int32
	for _, r := range reasons {
		if _, ok := byCode[r.code]; !ok {
			codes = append(codes, r.code)
		}
		byCode[r.code] = append(byCode[r.code], r)
	}
	sort.Slice(codes, func(i, j int) bool { return codes[i] < codes[j] })
	for _, code := range codes {
		key := strconv.Itoa(int(code))
		if _, taken := op.Responses.get(key); taken {
			continue
		}
		name := responseName(code)
		if pkg != "" {
			name = string(pkg) + "." + name
		}
		if _, ok := b.doc.Components.Responses.get(name); !ok {
			b.doc.Components.Responses.set(name, errorResponse(code, byCode[code], status))
		}
		op.Responses.set(key, &response{Ref: "#/components/responses/" + name})
	}
	if _, ok := b.doc.Components.Responses.get("Error"); !ok {
		b.doc.Components.Responses.set("Error", &response{
			Description: "Any error: the status code and the body's code agree.",
			Content:     jsonContent(status),
		})
	}
	op.Responses.set("default", &response{Ref: "#/components/responses/Error"})
}

// responseName names the error response of an HTTP status code, such as
// NotFound.
func responseName(code int32) string {
	var b strings.Builder
	for _, r := range http.StatusText(int(code)) {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "Error" + strconv.Itoa(int(code))
	}
	return b.String()
}

// errorResponse is the response of the reasons with one status code, each
// reason an example of the body.
func errorResponse(code int32, reasons []reason, status *jsonschema.Schema) *response {
	desc := http.StatusText(int(code))
	if desc == "" {
		desc = "Error " + strconv.Itoa(int(code))
	}
	lines := []string{desc + ", with reason:"}
	mt := &mediaType{Schema: status}
	for _, r := range reasons {
		line := "- " + r.name
		if r.description != "" {
			line += ": " + strings.ReplaceAll(r.description, "\n", " ")
		}
		lines = append(lines, line)
		mt.Examples.set(r.name, &example{
			Summary: r.description,
			Value:   map[string]any{"code": code, "reason": r.name, "message": "", "metadata": map[string]string{}},
		})
	}
	var c ordered[*mediaType]
	c.set("application/json", mt)
	return &response{Description: strings.Join(lines, "\n"), Content: c}
}

func ptr[T any](v T) *T { return &v }
