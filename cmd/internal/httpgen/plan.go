package httpgen

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/pathtmpl"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/plugin"
)

// service is what is generated for one service.
type service struct {
	svc    *protogen.Service
	routes []*route // in registration order
	// client holds one route per method, sorted by the method's Go name:
	// the route the generated client calls (the main rule).
	client []*route
}

// kind is the kind of a method, by which side streams.
type kind int

const (
	unary        kind = iota
	serverStream      // answered as Server-Sent Events
	clientStream      // over WebSocket
	bidiStream        // over WebSocket
)

func kindOf(m *protogen.Method) kind {
	switch c, s := m.Desc.IsStreamingClient(), m.Desc.IsStreamingServer(); {
	case c && s:
		return bidiStream
	case c:
		return clientStream
	case s:
		return serverStream
	}
	return unary
}

// webSocket reports whether methods of kind k are served over WebSocket.
func (k kind) webSocket() bool { return k == clientStream || k == bidiStream }

// httpBodyName is the full name of google.api.HttpBody, sent and received
// as the raw body with its content type.
const httpBodyName = "google.api.HttpBody"

// route is one HTTP route of a method.
type route struct {
	method   *protogen.Method
	kind     kind
	num      int    // N in _<Service>_<Method><N>_HTTP_Handler
	verb     string // HTTP method
	path     string // route template as registered
	hasVars  bool   // the path has variables
	hasBody  bool   // the request has a body
	body     string // Go selector of the body field, e.g. ".Book"; "" for the whole request
	response string // Go selector of the reply field sent; "" for the whole reply

	// bodyName is the proto name of the body field, "" for none or "*".
	bodyName string
	// bodyMessage is set when the body field is a singular message: the
	// messages of a WebSocket stream then carry only that field.
	bodyMessage bool
	// bodyHTTP is set when the request body is a google.api.HttpBody,
	// the whole request or the body field.
	bodyHTTP bool
	// responseMessage is the message of the reply field of a streaming
	// method with a response_body.
	responseMessage *protogen.Message
}

// streaming reports whether the route is a stream, over Server-Sent
// Events or WebSocket.
func (r *route) streaming() bool { return r.kind != unary }

// v3 reports whether the route's code uses what only the runtime of
// SupportPackageIsVersion3 has: streams, HttpBody content types, BuildPath.
func (r *route) v3() bool { return r.streaming() || r.bodyHTTP }

// plan works out the routes of file's services. It returns nil when the
// file gets no code.
func plan(file *protogen.File, opts *Options) ([]*service, error) {
	if len(file.Services) == 0 || (opts.OmitEmpty && !hasRule(file, opts)) {
		return nil, nil
	}
	// Handler numbers count the routes of a Go method name through the
	// file, as Kratos's generator counts them through a run.
	nums := make(map[string]int)
	var out []*service
	for _, s := range file.Services {
		ps := &service{svc: s}
		for _, m := range s.Methods {
			var rules []*annotations.HttpRule
			switch rule := httpRule(m); {
			case kindOf(m) != unary && (!opts.Streams || rule == nil):
				// A stream is served over HTTP only on its own rule.
				continue
			case rule != nil:
				// Additional bindings first: the main rule comes last and
				// is the one the client uses.
				rules = append(rules, rule.GetAdditionalBindings()...)
				rules = append(rules, rule)
			case !opts.OmitEmpty:
				rules = append(rules, nil)
			default:
				continue
			}
			routes := make([]*route, 0, len(rules))
			for _, rule := range rules {
				r, err := newRoute(file, s, m, rule, opts)
				if err != nil {
					return nil, err
				}
				routes = append(routes, r)
			}
			if kindOf(m).webSocket() {
				routes = dedupe(routes, func(dup *route) {
					opts.warn("%s: service %s, method %s: WebSocket route GET %q given by two rules; registered once",
						file.Desc.Path(), s.Desc.FullName(), m.Desc.Name(), dup.path)
				})
			}
			for _, r := range routes {
				r.num = nums[m.GoName]
				nums[m.GoName]++
			}
			ps.routes = append(ps.routes, routes...)
			last := routes[len(routes)-1]
			ps.client = append(ps.client, last)
		}
		if len(ps.routes) == 0 {
			continue
		}
		sort.SliceStable(ps.client, func(i, j int) bool { return ps.client[i].method.GoName < ps.client[j].method.GoName })
		out = append(out, ps)
	}
	return out, nil
}

// dedupe drops the routes whose path a later route has (all WebSocket
// routes are GET), calling dropped for each; the last route, the client's,
// stays.
func dedupe(routes []*route, dropped func(*route)) []*route {
	later := make(map[string]bool)
	var out []*route
	for i := len(routes) - 1; i >= 0; i-- {
		r := routes[i]
		if later[r.path] {
			dropped(r)
			continue
		}
		later[r.path] = true
		out = append(out, r)
	}
	slices.Reverse(out)
	return out
}

// httpRule returns the google.api.http rule of m, or nil.
func httpRule(m *protogen.Method) *annotations.HttpRule {
	rule, _ := proto.GetExtension(plugin.Options(m.Desc.Options()), annotations.E_Http).(*annotations.HttpRule)
	return rule
}

// hasRule reports whether a method of file that gets routes has a
// google.api.http rule.
func hasRule(file *protogen.File, opts *Options) bool {
	for _, s := range file.Services {
		for _, m := range s.Methods {
			if (opts.Streams || kindOf(m) == unary) && httpRule(m) != nil {
				return true
			}
		}
	}
	return false
}

// newRoute builds the route of one rule of method m; a nil rule is the
// default route of a method without one.
func newRoute(file *protogen.File, s *protogen.Service, m *protogen.Method, rule *annotations.HttpRule, opts *Options) (*route, error) {
	defaultPath := fmt.Sprintf("%s/%s/%s", opts.OmitEmptyPrefix, s.Desc.FullName(), m.Desc.Name())
	r := &route{method: m, kind: kindOf(m), verb: http.MethodPost, path: defaultPath}
	var body, response string
	if rule != nil {
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
			r.path = defaultPath
		}
		body, response = rule.GetBody(), rule.GetResponseBody()
	}
	where := fmt.Sprintf("%s: service %s, method %s: %s %q", file.Desc.Path(), s.Desc.FullName(), m.Desc.Name(), r.verb, r.path)
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...))
	}
	if !validToken(r.verb) {
		return nil, fail("custom kind %q is not an HTTP method", r.verb)
	}
	ws := r.kind.webSocket()
	if ws && r.verb != http.MethodGet {
		opts.warn("%s: a client-streaming method is served over WebSocket, so the route is GET", where)
		r.verb = http.MethodGet
	}

	tmpl, vars, err := routeTemplate(r.path)
	if err != nil {
		return nil, fail("%v", err)
	}
	r.path = tmpl
	r.hasVars = len(vars) > 0
	if len(r.path) > 1 && strings.HasSuffix(r.path, "/") {
		opts.warn("%s: the path should not end with /", where)
	}
	for _, v := range vars {
		fields, err := fieldPath(m.Input, v)
		if err != nil {
			return nil, fail("path variable %q: %v", v, err)
		}
		if f := fields[len(fields)-1]; f.Desc.IsList() || f.Desc.IsMap() {
			opts.warn("%s: path variable %q should not be a repeated or map field", where, v)
		}
	}

	switch {
	case body == "":
		if rule != nil && !ws && r.verb != http.MethodGet && r.verb != http.MethodDelete {
			opts.warn("%s: the rule has no body, so the request is sent in the query", where)
		}
	case body == "*":
		r.hasBody = true
		r.bodyHTTP = !ws && m.Input.Desc.FullName() == httpBodyName
	default:
		r.hasBody = true
		f, err := topField(m.Input, body)
		if err != nil {
			return nil, fail("body %q: %v", body, err)
		}
		r.body, r.bodyName = "."+f.GoName, string(f.Desc.Name())
		r.bodyMessage = singularMessage(f)
		r.bodyHTTP = !ws && r.bodyMessage && f.Message.Desc.FullName() == httpBodyName
	}
	if r.hasBody && !ws && (r.verb == http.MethodGet || r.verb == http.MethodDelete) {
		opts.warn("%s: a %s request should not have a body", where, r.verb)
	}
	if response != "" && response != "*" {
		f, err := topField(m.Output, response)
		if err != nil {
			return nil, fail("response_body %q: %v", response, err)
		}
		if r.streaming() && !singularMessage(f) {
			return nil, fail("response_body %q: the messages of a stream must be a message field; %s is not one", response, f.Desc.Name())
		}
		r.response = "." + f.GoName
		if r.streaming() {
			r.responseMessage = f.Message
		}
	}
	return r, nil
}

// validToken reports whether s is a valid HTTP method name.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// fieldPath returns the fields named by the dotted path in msg: every
// field but the last must be a singular message.
func fieldPath(msg *protogen.Message, path string) ([]*protogen.Field, error) {
	var fields []*protogen.Field
	parts := strings.Split(path, ".")
	for i, name := range parts {
		var f *protogen.Field
		for _, mf := range msg.Fields {
			if string(mf.Desc.Name()) == name {
				f = mf
				break
			}
		}
		if f == nil {
			return nil, fmt.Errorf("%s is not a field of %s", name, msg.Desc.FullName())
		}
		fields = append(fields, f)
		if i == len(parts)-1 {
			break
		}
		if f.Message == nil || f.Desc.IsList() || f.Desc.IsMap() {
			return nil, fmt.Errorf("%s of %s is not a message field, so it has no field %s", name, msg.Desc.FullName(), parts[i+1])
		}
		msg = f.Message
	}
	return fields, nil
}

// topField returns the top-level field name of msg, for a body or
// response_body: a field with a Go field of its own.
func topField(msg *protogen.Message, name string) (*protogen.Field, error) {
	if strings.Contains(name, ".") {
		return nil, fmt.Errorf("must name a field of %s itself, not a nested one", msg.Desc.FullName())
	}
	fields, err := fieldPath(msg, name)
	if err != nil {
		return nil, err
	}
	f := fields[0]
	if f.Oneof != nil && !f.Oneof.Desc.IsSynthetic() {
		return nil, fmt.Errorf("%s is in oneof %s, which has no Go field of its own", name, f.Oneof.Desc.Name())
	}
	return f, nil
}

// singularMessage reports whether f is a message field that is neither
// repeated nor a map.
func singularMessage(f *protogen.Field) bool {
	return f.Message != nil && !f.Desc.IsList() && !f.Desc.IsMap()
}

// identPath matches a variable name: identifiers joined by dots.
var identPath = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// routeTemplate converts a google.api.http path template into a router
// template and returns its variables. {name} is kept; {name=pattern}
// becomes {name:regex} with both * and ** as .* (see routePattern);
// {name:regex} is kept.
func routeTemplate(path string) (string, []string, error) {
	if !strings.HasPrefix(path, "/") {
		return "", nil, fmt.Errorf("the path must start with /")
	}
	if !utf8.ValidString(path) {
		return "", nil, fmt.Errorf("the path is not valid UTF-8")
	}
	var b strings.Builder
	var vars []string
	seen := make(map[string]bool)
	for i := 0; i < len(path); {
		switch path[i] {
		case '}':
			return "", nil, fmt.Errorf("unmatched } at offset %d", i)
		case '{':
		default:
			b.WriteByte(path[i])
			i++
			continue
		}
		end := pathtmpl.Closing(path, i)
		if end < 0 {
			return "", nil, fmt.Errorf("unclosed { at offset %d", i)
		}
		inner := path[i+1 : end]
		i = end + 1
		name, pattern, sep := inner, "", byte(0)
		if j := strings.IndexAny(inner, "=:"); j >= 0 {
			name, pattern, sep = inner[:j], inner[j+1:], inner[j]
		}
		name = strings.TrimSpace(name)
		if !identPath.MatchString(name) {
			return "", nil, fmt.Errorf("invalid path variable {%s}", inner)
		}
		if seen[name] {
			return "", nil, fmt.Errorf("path variable %q appears twice", name)
		}
		seen[name] = true
		vars = append(vars, name)
		switch sep {
		case 0:
			b.WriteString("{" + name + "}")
		case '=':
			re, err := routePattern(strings.TrimSpace(pattern))
			if err != nil {
				return "", nil, fmt.Errorf("path variable {%s}: %v", inner, err)
			}
			b.WriteString("{" + name + ":" + re + "}")
		case ':':
			if _, err := regexp.Compile(pattern); err != nil || pattern == "" {
				return "", nil, fmt.Errorf("path variable {%s}: invalid regular expression", inner)
			}
			b.WriteString("{" + name + ":" + pattern + "}")
		}
	}
	return b.String(), vars, nil
}

// routePattern turns the pattern of a {name=pattern} variable into the
// regular expression of its route. Kratos v2.9.2's generator writes every
// * of the pattern, single- or multi-segment, as .*, so its routes take a
// variable that spans segments or is empty ({name=shelves/*} takes
// /shelves/a/b); ours do the same, so that every URL a route of Kratos's
// plugin takes reaches the route of ours. Literal segments are matched
// literally (Kratos copies them into the regular expression, so a "." in
// one matches any character there).
func routePattern(pattern string) (string, error) {
	// The pattern must be one google.api.http accepts.
	if _, err := pathtmpl.SegmentsRegex(pattern); err != nil {
		return "", err
	}
	segs := strings.Split(pattern, "/")
	for i, seg := range segs {
		if seg == "*" || seg == "**" {
			segs[i] = ".*"
		} else {
			segs[i] = regexp.QuoteMeta(seg)
		}
	}
	return strings.Join(segs, "/"), nil
}
