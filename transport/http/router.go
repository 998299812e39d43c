package http

import (
	"fmt"
	"net/http"
	"path"
)

// FilterFunc is net/http middleware: it wraps a handler. Filters run
// outside the kratos middleware, on the raw request and response.
type FilterFunc func(http.Handler) http.Handler

// FilterChain composes filters into one; the first is the outermost.
func FilterChain(filters ...FilterFunc) FilterFunc {
	return func(next http.Handler) http.Handler {
		for i := len(filters) - 1; i >= 0; i-- {
			next = filters[i](next)
		}
		return next
	}
}

// RouteInfo describes a route registered with a method.
type RouteInfo struct {
	Path   string
	Method string
}

// WalkRouteFunc is called by Server.WalkRoute for each route.
type WalkRouteFunc func(RouteInfo) error

// Router registers HandlerFuncs under a path prefix, with filters that run
// around every handler it registers. Create one with Server.Route or
// Router.Group. Registration is meant for setup time, before the server
// serves; it is safe for concurrent use.
type Router struct {
	prefix  string
	srv     *Server
	filters []FilterFunc
}

func newRouter(prefix string, srv *Server, filters ...FilterFunc) *Router {
	return &Router{prefix: prefix, srv: srv, filters: filters}
}

// Group returns a Router for prefix below r's prefix, whose handlers run
// inside r's filters and then filters.
func (r *Router) Group(prefix string, filters ...FilterFunc) *Router {
	fs := make([]FilterFunc, 0, len(r.filters)+len(filters))
	fs = append(fs, r.filters...)
	fs = append(fs, filters...)
	return newRouter(path.Join(r.prefix, prefix), r.srv, fs...)
}

// Handle registers h for method and the path template relativePath below
// the router's prefix (joined with path.Join, so a trailing slash is
// dropped). Templates use {name} for one path segment and {name:regex}
// for a regular expression, as generated code does. filters run inside the
// router's filters. Handle panics on an invalid template. Method "*"
// registers h for every method, as in Kratos v3; a route for the request's
// own method on the same template wins over it.
func (r *Router) Handle(method, relativePath string, h HandlerFunc, filters ...FilterFunc) {
	if method == "*" {
		method = ""
	}
	rh := &routeHandler{srv: r.srv, h: h}
	route := &kratosRoute{next: rh}
	if len(filters) == 0 && len(r.filters) == 0 {
		route.direct = rh
	} else {
		route.next = FilterChain(r.filters...)(FilterChain(filters...)(rh))
	}
	r.srv.register(method, path.Join(r.prefix, relativePath), route)
}

// GET registers a GET route; see Handle.
func (r *Router) GET(path string, h HandlerFunc, m ...FilterFunc) {
	r.Handle(http.MethodGet, path, h, m...)
}

// HEAD registers a HEAD route; see Handle.
func (r *Router) HEAD(path string, h HandlerFunc, m ...FilterFunc) {
	r.Handle(http.MethodHead, path, h, m...)
}

// POST registers a POST route; see Handle.
func (r *Router) POST(path string, h HandlerFunc, m ...FilterFunc) {
	r.Handle(http.MethodPost, path, h, m...)
}

// PUT registers a PUT route; see Handle.
func (r *Router) PUT(path string, h HandlerFunc, m ...FilterFunc) {
	r.Handle(http.MethodPut, path, h, m...)
}

// PATCH registers a PATCH route; see Handle.
func (r *Router) PATCH(path string, h HandlerFunc, m ...FilterFunc) {
	r.Handle(http.MethodPatch, path, h, m...)
}

// DELETE registers a DELETE route; see Handle.
func (r *Router) DELETE(path string, h HandlerFunc, m ...FilterFunc) {
	r.Handle(http.MethodDelete, path, h, m...)
}

// CONNECT registers a CONNECT route; see Handle.
func (r *Router) CONNECT(path string, h HandlerFunc, m ...FilterFunc) {
	r.Handle(http.MethodConnect, path, h, m...)
}

// OPTIONS registers an OPTIONS route; see Handle.
func (r *Router) OPTIONS(path string, h HandlerFunc, m ...FilterFunc) {
	r.Handle(http.MethodOptions, path, h, m...)
}

// TRACE registers a TRACE route; see Handle.
func (r *Router) TRACE(path string, h HandlerFunc, m ...FilterFunc) {
	r.Handle(http.MethodTrace, path, h, m...)
}

// kratosRoute marks the routes registered through Router, to which the
// request body limit applies. direct is set when no filter runs before the
// handler: the server then runs it without copying the request.
type kratosRoute struct {
	next   http.Handler
	direct *routeHandler
}

func (k *kratosRoute) ServeHTTP(w http.ResponseWriter, r *http.Request) { k.next.ServeHTTP(w, r) }

// routeHandler runs a HandlerFunc with the Context of the request and
// writes its error.
type routeHandler struct {
	srv *Server
	h   HandlerFunc
}

// ServeHTTP runs the handler behind filters, with the request they pass.
func (rh *routeHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	tr, _ := serverTransport(ctx)
	var c *wrapper
	if tr != nil && tr.request != nil && tr.wrap != nil {
		c, tr.wrap = tr.wrap, nil
	} else {
		c = new(wrapper)
	}
	c.init(rh.srv, w, req, ctx, req.Body, tr)
	c.req.Store(req)
	rh.serve(c)
}

// serve runs the handler with c and writes its error. A panic is answered
// with a 500 error (see Server).
func (rh *routeHandler) serve(c *wrapper) {
	defer func() {
		if p := recover(); p != nil {
			rh.srv.recovered(c, p)
		}
	}()
	err := rh.h(c)
	if err == nil {
		return
	}
	if c.w.wrote {
		r := c.peek()
		rh.srv.log.Load().Errorf("[HTTP] %s %s: handler failed after writing the response: %v", r.Method, r.URL.Path, err)
		return
	}
	c.encodeError(err)
}

func (s *Server) register(method, template string, h http.Handler, headers ...string) {
	template = s.pathPrefix + template
	if err := s.router.Handle(method, template, h, headers...); err != nil {
		panic(fmt.Sprintf("transport/http: %v", err))
	}
}
