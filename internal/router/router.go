// Package router matches HTTP requests to handlers by method, path template
// and headers. It is the router behind transport/http.
//
// Templates use the gorilla/mux syntax that Kratos-generated code emits:
// static segments, {name} for one path segment, and {name:regex} for a
// regular expression that may span slashes ({path:.*}). The google.api.http
// form {name=shelves/*/books/**} is accepted too: "*" is one segment and
// "**" the rest of the path.
//
// Matching works on the escaped path (URL.EscapedPath), split at literal
// slashes, so an escaped slash (%2F) stays inside a variable. Static
// segments compare with the unescaped path segment; variable values are
// unescaped. When several routes match, the more specific wins: at each
// segment a static segment beats {name}, which beats a regex; prefix routes
// come last. Among equally specific routes the one registered first wins,
// except that a route for the request's method beats an any-method route
// with the same template.
//
// Routes live in a segment tree: each node has a map of static children,
// one {name} child and a list of templates whose rest needs a regex. The
// tree is rebuilt lazily after registration, so Lookup never takes a lock.
package router

import (
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// MaxPathLen is the longest escaped path Lookup accepts; longer paths get
// status 400.
const MaxPathLen = 8 << 10

// Router matches requests to handlers by method, path template and headers.
// Lookup is safe for concurrent use, also with registration; registration
// is meant for setup time and is serialised by a mutex.
type Router struct {
	opts options

	mu     sync.Mutex
	routes []*route              // in registration order
	table  atomic.Pointer[table] // nil when routes changed since the last build
}

type options struct {
	strictSlash bool
}

// Option configures a Router.
type Option func(*options)

// WithStrictSlash sets whether a path that differs from a registered
// template only by a trailing slash redirects to the registered form ("/a"
// to "/a/" and "/a/" to "/a"). The default is false: the two are distinct
// paths.
func WithStrictSlash(v bool) Option {
	return func(o *options) { o.strictSlash = v }
}

// New returns an empty Router.
func New(opts ...Option) *Router {
	r := &Router{}
	for _, o := range opts {
		o(&r.opts)
	}
	return r
}

// route is one registration.
type route struct {
	method   string // upper case; "" for any
	template string // as registered; for prefix routes, the prefix
	prefix   bool
	escaped  string // prefix routes: the prefix in escaped form
	headers  []header
	handler  http.Handler
	compiled *compiled // nil for prefix routes
}

type header struct {
	key   string // canonical
	value string // "" means the header only has to be present
}

// Match is the result of a successful Lookup.
type Match struct {
	Handler  http.Handler
	Vars     map[string]string // path variables, unescaped; nil when the route has none
	Template string            // the template as registered, e.g. "/helloworld/{name}"
}

// Handle registers h for method ("" for any method) and template. headers
// are optional key, value pairs the request must carry: the key is
// case-insensitive, the value must equal one of the request's values for
// that key, and an empty value only requires the header to be present.
//
// It returns an error for an invalid template (not starting with "/",
// unbalanced braces, an empty or duplicate variable name, a bad regexp),
// an odd number of header arguments or a nil handler.
func (r *Router) Handle(method, template string, h http.Handler, headers ...string) error {
	if h == nil {
		return fmt.Errorf("router: nil handler for %q", template)
	}
	if len(headers)%2 != 0 {
		return fmt.Errorf("router: route %q: odd number of header arguments (%d), want key, value pairs", template, len(headers))
	}
	c, err := parseTemplate(template)
	if err != nil {
		return err
	}
	rt := &route{method: strings.ToUpper(method), template: template, handler: h, compiled: c}
	for i := 0; i < len(headers); i += 2 {
		if headers[i] == "" {
			return fmt.Errorf("router: route %q: empty header name", template)
		}
		rt.headers = append(rt.headers, header{key: textproto.CanonicalMIMEHeaderKey(headers[i]), value: headers[i+1]})
	}
	r.add(rt)
	return nil
}

// HandlePrefix registers h for every path that starts with prefix (method
// "" for any method). The prefix is literal text, compared with the escaped
// path; the empty prefix matches every path. Prefix routes are tried after
// all template routes, in registration order.
func (r *Router) HandlePrefix(method, prefix string, h http.Handler) error {
	if h == nil {
		return fmt.Errorf("router: nil handler for prefix %q", prefix)
	}
	if prefix != "" && prefix[0] != '/' {
		return fmt.Errorf("router: invalid prefix %q: must start with /", prefix)
	}
	u := url.URL{Path: prefix}
	r.add(&route{method: strings.ToUpper(method), template: prefix, prefix: true, escaped: u.EscapedPath(), handler: h})
	return nil
}

func (r *Router) add(rt *route) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes = append(r.routes, rt)
	r.table.Store(nil)
}

// Walk calls fn for every route in registration order, with method "" for
// any-method routes and the prefix as template for prefix routes. It stops
// at and returns the first error from fn.
func (r *Router) Walk(fn func(method, template string) error) error {
	r.mu.Lock()
	routes := slices.Clone(r.routes)
	r.mu.Unlock()
	for _, rt := range routes {
		if err := fn(rt.method, rt.template); err != nil {
			return err
		}
	}
	return nil
}

// Lookup finds the route for req.
//
// status is 200 on a match; 404 when no route matches the path; 405 when a
// route matches the path but not the method, with allow listing the allowed
// methods sorted and comma-separated ("GET, POST"); 400 for a malformed
// path (a bad %-escape, or longer than MaxPathLen). With strict slash on,
// a path whose other-slash form has a route gets 301 (GET, HEAD) or 308
// (other methods) with redirect set to that form plus the query; when that
// form only has routes for other methods, they count towards the 405.
func (r *Router) Lookup(req *http.Request) (m Match, status int, allow, redirect string) {
	if req == nil || req.URL == nil {
		return Match{}, http.StatusBadRequest, "", ""
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	return r.lookup(method, escapedPath(req.URL), req.URL.RawQuery, req.Header, nil)
}

// Param is one path variable of a match, unescaped.
type Param struct {
	Key, Value string
}

// LookupParams is Lookup for callers that want no map: the path variables
// of a match are appended to dst and returned as params, and m.Vars stays
// nil. With a dst of enough capacity a static or variable route matches
// without allocating.
func (r *Router) LookupParams(req *http.Request, dst []Param) (m Match, params []Param, status int, allow, redirect string) {
	if req == nil || req.URL == nil {
		return Match{}, dst, http.StatusBadRequest, "", ""
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	params = dst
	m, status, allow, redirect = r.lookup(method, escapedPath(req.URL), req.URL.RawQuery, req.Header, &params)
	return m, params, status, allow, redirect
}

// escapedPath returns u.EscapedPath() without the allocation that method
// makes to check a RawPath: when RawPath is a valid encoding of Path it is
// the answer, and anything else is left to EscapedPath.
func escapedPath(u *url.URL) string {
	raw := u.RawPath
	if raw == "" {
		return u.EscapedPath()
	}
	j := 0 // index into u.Path
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '%':
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return u.EscapedPath()
			}
			c = unhex(raw[i+1])<<4 | unhex(raw[i+2])
			i += 2
		case !isAlnum(c) && !strings.ContainsRune("-_.~$&+,/:;=@!'()*[]", rune(c)):
			return u.EscapedPath()
		}
		if j >= len(u.Path) || u.Path[j] != c {
			return u.EscapedPath()
		}
		j++
	}
	if j != len(u.Path) {
		return u.EscapedPath()
	}
	return raw
}

// lookup matches the request. When params is not nil the path variables
// are appended to *params instead of being put in m.Vars.
func (r *Router) lookup(method, path, query string, hdr http.Header, params *[]Param) (m Match, status int, allow, redirect string) {
	if path == "" {
		path = "/"
	}
	if len(path) > MaxPathLen {
		return Match{}, http.StatusBadRequest, "", ""
	}
	plain, ok := checkEscapes(path)
	if !ok {
		return Match{}, http.StatusBadRequest, "", ""
	}
	t := r.load()
	s := search{path: path, plain: plain, method: method, header: hdr}
	if s.tree(t) {
		if params != nil {
			*params = s.params(*params)
			return Match{Handler: s.route.handler, Template: s.group.template}, http.StatusOK, "", ""
		}
		return s.match(), http.StatusOK, "", ""
	}
	for _, rt := range t.prefixes {
		if rt.matchesPrefix(path) && (rt.method == "" || rt.method == method) {
			return Match{Handler: rt.handler, Template: rt.template}, http.StatusOK, "", ""
		}
	}
	alt := ""
	if r.opts.strictSlash && path != "/" && path[0] == '/' {
		alt = path + "/"
		if strings.HasSuffix(path, "/") {
			alt = path[:len(path)-1]
		}
		s := search{path: alt, plain: plain, method: method, header: hdr}
		// A target starting with "//" or "/\" would be read by clients as
		// another host: never redirect there.
		if !strings.HasPrefix(alt, "//") && !strings.HasPrefix(alt, "/\\") && s.tree(t) {
			target := alt
			if query != "" {
				target += "?" + query
			}
			if method == http.MethodGet || method == http.MethodHead {
				return Match{}, http.StatusMovedPermanently, "", target
			}
			return Match{}, http.StatusPermanentRedirect, "", target
		}
	}
	if allow := t.allowed(path, alt, plain, hdr); allow != "" {
		return Match{}, http.StatusMethodNotAllowed, allow, ""
	}
	return Match{}, http.StatusNotFound, "", ""
}

func (rt *route) matchesPrefix(path string) bool {
	return strings.HasPrefix(path, rt.template) || strings.HasPrefix(path, rt.escaped)
}

// allowed returns the sorted, comma-separated methods of the routes that
// match path and hdr, or "" when there are none. alt, when not empty, is
// the other-slash form of path (strict slash), whose template routes count
// too.
func (t *table) allowed(path, alt string, plain bool, hdr http.Header) string {
	s := search{path: path, plain: plain, header: hdr, collect: true}
	s.tree(t)
	if alt != "" {
		s.path = alt
		s.tree(t)
	}
	for _, rt := range t.prefixes {
		if rt.method != "" && rt.matchesPrefix(path) {
			s.allow = append(s.allow, rt.method)
		}
	}
	if len(s.allow) == 0 {
		return ""
	}
	slices.Sort(s.allow)
	return strings.Join(slices.Compact(s.allow), ", ")
}

// checkEscapes reports whether path has no '%' at all (plain), and whether
// every '%' starts a valid %XX escape (ok).
func checkEscapes(path string) (plain, ok bool) {
	i := strings.IndexByte(path, '%')
	if i < 0 {
		return true, true
	}
	for {
		if i+2 >= len(path) || !isHex(path[i+1]) || !isHex(path[i+2]) {
			return false, false
		}
		j := strings.IndexByte(path[i+3:], '%')
		if j < 0 {
			return false, true
		}
		i += 3 + j
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
