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
// router's filters. Handle panics on an invalid template.
func (r *Router) Handle(method, relativePath string, h HandlerFunc, filters ...FilterFunc) {
	var next http.Handler = &routeHandler{srv: r.srv, h: h}
	next = FilterChain(filters...)(next)
	next = FilterChain(r.filters...)(next)
	r.srv.register(method, path.Join(r.prefix, relativePath), &kratosRoute{next: next})
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
// request body limit applies.
type kratosRoute struct{ next http.Handler }

func (k *kratosRoute) ServeHTTP(w http.ResponseWriter, r *http.Request) { k.next.ServeHTTP(w, r) }

// routeHandler runs a HandlerFunc with the Context of the request and
// writes its error.
type routeHandler struct {
	srv *Server
	h   HandlerFunc
}

func (rh *routeHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var c *wrapper
	if tr, ok := serverTransport(req.Context()); ok && tr.wrap != nil {
		c, tr.wrap = tr.wrap, nil
	} else {
		c = new(wrapper)
	}
	c.srv = rh.srv
	c.Reset(w, req)
	if err := rh.h(c); err != nil {
		if c.w.wrote {
			rh.srv.log.Errorf("[HTTP] %s %s: handler failed after writing the response: %v", req.Method, req.URL.Path, err)
			return
		}
		rh.srv.ene(w, req, err)
	}
}

func (s *Server) register(method, template string, h http.Handler, headers ...string) {
	template = s.pathPrefix + template
	if err := s.router.Handle(method, template, h, headers...); err != nil {
		panic(fmt.Sprintf("transport/http: %v", err))
	}
}
