package http

import (
	"context"
	"crypto/tls"
	stderrors "errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/internal/applog"
	"github.com/seed6ad8aa6b/kratos/internal/endpoint"
	"github.com/seed6ad8aa6b/kratos/internal/host"
	"github.com/seed6ad8aa6b/kratos/internal/matcher"
	"github.com/seed6ad8aa6b/kratos/internal/router"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

var (
	_ transport.Server     = (*Server)(nil)
	_ transport.Endpointer = (*Server)(nil)
	_ http.Handler         = (*Server)(nil)
)

// Defaults of the server options.
const (
	defaultTimeout           = time.Second
	defaultMaxRequestBody    = 4 << 20
	defaultReadHeaderTimeout = 10 * time.Second
	defaultIdleTimeout       = 90 * time.Second
	// defaultBodyTimeout bounds body reads when the server has no
	// request timeout.
	defaultBodyTimeout = 30 * time.Second
)

// ServerOption configures a Server.
type ServerOption func(*Server)

// Network sets the network to listen on. The default is "tcp".
func Network(network string) ServerOption {
	return func(s *Server) { s.network = network }
}

// Address sets the address to listen on. The default is ":0", a free port.
func Address(addr string) ServerOption {
	return func(s *Server) { s.address = addr }
}

// Endpoint sets the endpoint the server reports. By default it is
// http://host:port (https with TLSConfig) with a reachable host of the
// listener.
func Endpoint(endpoint *url.URL) ServerOption {
	return func(s *Server) { s.endpoint = endpoint }
}

// Timeout sets the deadline put on the context of each request. The default
// is 1s; zero or less means no deadline.
//
// A request whose Connect-Timeout-Ms header (the time its caller has left,
// in milliseconds, as the Client sends it and as the Connect protocol
// defines it) is shorter gets that deadline instead, so a service called
// with 300ms left sees 300ms, not its own 1s. The header applies to every
// handler, also those the Timeout does not. Kratos has no such header.
//
// The deadline applies to the routes registered with Route and to the
// handlers registered with Handle and HandleFunc. Handlers registered with
// HandlePrefix or HandleHeader (pprof, file servers, proxies, streams) run
// without it and take their own, unlike Kratos, which cut a 5s CPU profile
// at 1s.
func Timeout(timeout time.Duration) ServerOption {
	return func(s *Server) { s.timeout = timeout }
}

// Logger sets the logger of the server's own messages ("listening",
// "stopping", handler failures). By default the server logs with the
// logger of the App that starts it (see kratos.Logger), and outside an App
// with the global logger; this option overrides both.
//
// Deprecated: kept for compatibility; prefer kratos.Logger on the App.
func Logger(logger log.Logger) ServerOption {
	return func(s *Server) { s.logger = logger }
}

// Middleware sets the service middleware run by Context.Middleware for
// every operation, before the middleware added with Server.Use. The
// default is none.
func Middleware(m ...middleware.Middleware) ServerOption {
	return func(s *Server) { s.middleware.Use(m...) }
}

// Filter adds filters (net/http middleware) around the whole server: they
// see every request, also those no route matches. The default is none.
func Filter(filters ...FilterFunc) ServerOption {
	return func(s *Server) { s.filters = append(s.filters, filters...) }
}

// RequestVarsDecoder sets how Context.BindVars decodes path variables. The
// default (also for nil) is DefaultRequestVars.
func RequestVarsDecoder(dec DecodeRequestFunc) ServerOption {
	return func(s *Server) { s.decVars = dec }
}

// RequestQueryDecoder sets how Context.BindQuery decodes the query string.
// The default (also for nil) is DefaultRequestQuery.
func RequestQueryDecoder(dec DecodeRequestFunc) ServerOption {
	return func(s *Server) { s.decQuery = dec }
}

// RequestDecoder sets how Context.Bind decodes the body. The default (also
// for nil) is DefaultRequestDecoder.
func RequestDecoder(dec DecodeRequestFunc) ServerOption {
	return func(s *Server) { s.decBody = dec }
}

// ResponseEncoder sets how Context.Result and Returns write replies. The
// default (also for nil) is DefaultResponseEncoder.
func ResponseEncoder(en EncodeResponseFunc) ServerOption {
	return func(s *Server) { s.enc = en }
}

// ErrorEncoder sets how errors are written: those returned by handlers and
// the server's own 400, 404, 405 and 413 errors. The default is
// DefaultErrorEncoder, also for nil.
func ErrorEncoder(en EncodeErrorFunc) ServerOption {
	return func(s *Server) { s.ene = en }
}

// TLSConfig makes the server serve TLS with c. The default is plain HTTP.
func TLSConfig(c *tls.Config) ServerOption {
	return func(s *Server) { s.tlsConf = c }
}

// StrictSlash sets whether a path that differs from a route only by a
// trailing slash is redirected to the route's form (301 for GET and HEAD,
// 308 otherwise). The default is true.
func StrictSlash(strictSlash bool) ServerOption {
	return func(s *Server) { s.strictSlash = strictSlash }
}

// Listener sets the listener to serve on, instead of listening on Network
// and Address. The server closes it on Stop.
func Listener(lis net.Listener) ServerOption {
	return func(s *Server) { s.lis = lis }
}

// PathPrefix puts every route of the server below prefix: Route("/a") then
// serves /prefix/a. The default is none.
func PathPrefix(prefix string) ServerOption {
	return func(s *Server) { s.pathPrefix = strings.TrimRight(prefix, "/") }
}

// NotFoundHandler sets the handler for requests no route matches. The
// default writes a 404 error with reason "NOT_FOUND" with the error
// encoder. Requests never fall back to http.DefaultServeMux.
func NotFoundHandler(handler http.Handler) ServerOption {
	return func(s *Server) { s.notFound = handler }
}

// MethodNotAllowedHandler sets the handler for requests whose path has
// routes for other methods only; the Allow header is set before it runs.
// The default writes a 405 error with reason "METHOD_NOT_ALLOWED" with the
// error encoder.
func MethodNotAllowedHandler(handler http.Handler) ServerOption {
	return func(s *Server) { s.methodNotAllowed = handler }
}

// WithMaxRequestBodySize limits the request body of routes registered with
// Route to n bytes: a larger Content-Length is answered with 413 before the
// handler runs, and reading past n fails, which Context.Bind reports as a
// 413 error with reason "BODY_TOO_LARGE". Handlers registered with Handle,
// HandleFunc, HandlePrefix and HandleHeader are not limited, as with
// net/http. The default is 4 MiB; zero or less means no limit.
//
// This option is not part of Kratos.
func WithMaxRequestBodySize(n int64) ServerOption {
	return func(s *Server) { s.maxBody = n }
}

// WithIdleTimeout sets how long a keep-alive connection may stay idle
// between requests before the server closes it (http.Server.IdleTimeout).
// The default is 90s: idle connections cost a goroutine and a file
// descriptor each, so they must not be held forever, and 90s outlasts the
// 60s idle timeout of common load balancers, so that the balancer, not the
// server, closes a shared connection first. Behind a balancer that keeps
// connections longer (Google Cloud's: 600s), set more than its timeout.
// Zero or less means no bound (net/http's default).
//
// This option is not part of Kratos, whose servers hold idle connections
// forever.
func WithIdleTimeout(d time.Duration) ServerOption {
	return func(s *Server) { s.idleTimeout = d }
}

// WithBodyTimeout bounds how long the body of a request to a route
// registered with Route may take to arrive, counted from when its headers
// were read: past it, reads fail and Context.Bind answers 408 with reason
// "BODY_TIMEOUT". This stops
// clients that trickle bodies a byte at a time from holding connections.
// The default is the request timeout (see Timeout), or 30s when the server
// has none. Zero or less removes the bound (for slow uploads; prefer
// registering those with Handle, HandlePrefix or HandleHeader, which are
// never bounded).
//
// This option is not part of Kratos, whose bodies may take forever.
func WithBodyTimeout(d time.Duration) ServerOption {
	return func(s *Server) { s.bodyTimeout, s.bodyTimeoutSet = d, true }
}

// Server is an HTTP server and an http.Handler. Routes are added with
// Route (for HandlerFuncs, as generated code does) or Handle, HandleFunc,
// HandlePrefix and HandleHeader (for net/http handlers).
//
// A request goes through the server filters, then the route match (404,
// 405 and malformed paths are answered here), then gets its Transport and
// deadline, then runs the route's group and path filters and the handler,
// which runs the service middleware through Context.Middleware.
//
// The embedded http.Server is created by NewServer with the handler set,
// ReadHeaderTimeout 10s (a slowloris guard) and IdleTimeout 90s (see
// WithIdleTimeout); its other fields (timeouts, MaxHeaderBytes,
// ErrorLog...) may be set before Start.
//
// A panic in a route handler outside the service middleware (in binding
// the request or encoding the reply, which the recovery middleware does not
// cover) is logged and answered with a 500 error, instead of a dropped
// connection; when the response was already partly written the connection
// is closed.
type Server struct {
	*http.Server

	mu      sync.Mutex
	lis     net.Listener
	serving bool
	stopped bool
	err     error

	tlsConf          *tls.Config
	endpoint         *url.URL
	network          string
	address          string
	timeout          time.Duration
	idleTimeout      time.Duration
	bodyTimeout      time.Duration
	bodyTimeoutSet   bool
	maxBody          int64
	clockBase        time.Time // see now
	filters          []FilterFunc
	middleware       matcher.Matcher
	decVars          DecodeRequestFunc
	decQuery         DecodeRequestFunc
	decBody          DecodeRequestFunc
	enc              EncodeResponseFunc
	ene              EncodeErrorFunc
	defaults         defaultCodecs // which of the codec functions are the defaults
	strictSlash      bool
	pathPrefix       string
	notFound         http.Handler
	methodNotAllowed http.Handler
	router           *router.Router
	headerRoutes     []headerRoute
	logger           log.Logger // the Logger option, or nil
	log              atomic.Pointer[log.Helper]
	panics           panicLog
	endpointStr      string
	rpc              rpcState // services registered with RegisterService (rpc.go)

	// streamStop is cancelled when Stop begins, ending every stream
	// (SSE and WebSocket) with its cause; streams counts them so Stop can
	// wait for them, since net/http does not track hijacked connections.
	streamStop   context.Context
	streamCancel context.CancelCauseFunc
	streams      streamSet
}

// streamSet counts the running streams of a server.
type streamSet struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to zero while someone waits
}

func (s *streamSet) add() {
	s.mu.Lock()
	s.n++
	s.mu.Unlock()
}

func (s *streamSet) done() {
	s.mu.Lock()
	if s.n--; s.n == 0 && s.idle != nil {
		close(s.idle)
		s.idle = nil
	}
	s.mu.Unlock()
}

// wait returns once no stream runs, or ctx's error when it ends first.
func (s *streamSet) wait(ctx context.Context) error {
	s.mu.Lock()
	if s.n == 0 {
		s.mu.Unlock()
		return nil
	}
	if s.idle == nil {
		s.idle = make(chan struct{})
	}
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type headerRoute struct {
	key, value string
	h          http.Handler
}

// NewServer returns a server with the options applied. It does not listen
// yet: Endpoint or Start does.
func NewServer(opts ...ServerOption) *Server {
	srv := &Server{
		network:     "tcp",
		address:     ":0",
		timeout:     defaultTimeout,
		maxBody:     defaultMaxRequestBody,
		clockBase:   time.Now(),
		middleware:  matcher.New(),
		decVars:     DefaultRequestVars,
		decQuery:    DefaultRequestQuery,
		decBody:     DefaultRequestDecoder,
		enc:         DefaultResponseEncoder,
		ene:         DefaultErrorEncoder,
		strictSlash: true,
		idleTimeout: defaultIdleTimeout,
	}
	for _, o := range opts {
		o(srv)
	}
	srv.log.Store(applog.Helper(context.Background(), srv.logger))
	srv.defaults = srv.defaultCodecs()
	if srv.notFound == nil {
		srv.notFound = http.HandlerFunc(srv.writeNotFound)
	}
	if srv.methodNotAllowed == nil {
		srv.methodNotAllowed = http.HandlerFunc(srv.writeMethodNotAllowed)
	}
	srv.router = router.New(router.WithStrictSlash(srv.strictSlash))
	srv.Server = &http.Server{
		Handler:           FilterChain(srv.filters...)(http.HandlerFunc(srv.dispatch)),
		TLSConfig:         srv.tlsConf,
		ReadHeaderTimeout: defaultReadHeaderTimeout,
		IdleTimeout:       max(srv.idleTimeout, 0),
	}
	srv.rpc.init(srv)
	srv.streamStop, srv.streamCancel = context.WithCancelCause(context.Background())
	if srv.endpoint != nil {
		srv.endpointStr = srv.endpoint.String()
	}
	return srv
}

// defaultCodecs records which codec functions of a Server are the
// package's defaults, which the Context runs on the request as received
// instead of on its copy with the request context (see wrapper).
type defaultCodecs uint8

const (
	defaultDecVars defaultCodecs = 1 << iota
	defaultDecQuery
	defaultDecBody
	defaultEnc
	defaultEne
)

// defaultCodecs puts back the default of each codec function set to nil
// and reports which are the defaults.
func (s *Server) defaultCodecs() defaultCodecs {
	var d defaultCodecs
	check := func(f, def any, bit defaultCodecs) {
		if reflect.ValueOf(f).Pointer() == reflect.ValueOf(def).Pointer() {
			d |= bit
		}
	}
	if s.decVars == nil {
		s.decVars = DefaultRequestVars
	}
	if s.decQuery == nil {
		s.decQuery = DefaultRequestQuery
	}
	if s.decBody == nil {
		s.decBody = DefaultRequestDecoder
	}
	if s.enc == nil {
		s.enc = DefaultResponseEncoder
	}
	if s.ene == nil {
		s.ene = DefaultErrorEncoder
	}
	check(s.decVars, DefaultRequestVars, defaultDecVars)
	check(s.decQuery, DefaultRequestQuery, defaultDecQuery)
	check(s.decBody, DefaultRequestDecoder, defaultDecBody)
	check(s.enc, DefaultResponseEncoder, defaultEnc)
	check(s.ene, DefaultErrorEncoder, defaultEne)
	return d
}

// Use adds middleware for the operations matching selector: an exact
// operation ("/helloworld.v1.Greeter/SayHello") or a prefix ending in "*"
// ("/helloworld.v1.Greeter/*"). They run after the Middleware option's.
func (s *Server) Use(selector string, m ...middleware.Middleware) {
	s.middleware.Add(selector, m...)
}

// Route returns a Router for prefix whose handlers run inside filters.
func (s *Server) Route(prefix string, filters ...FilterFunc) *Router {
	return newRouter(prefix, s, filters...)
}

// Handle registers h for the path template path, any method.
func (s *Server) Handle(path string, h http.Handler) {
	s.register("", path, h)
}

// HandlePrefix registers h for every path starting with prefix, any method.
// Prefix routes are tried after template routes.
//
// Prefix handlers run without the server's request timeout (see Timeout).
func (s *Server) HandlePrefix(prefix string, h http.Handler) {
	if err := s.router.HandlePrefix("", s.pathPrefix+prefix, untimed{h}); err != nil {
		panic("transport/http: " + err.Error())
	}
}

// HandleFunc registers h for the path template path, any method.
func (s *Server) HandleFunc(path string, h http.HandlerFunc) {
	s.register("", path, h)
}

// HandleHeader registers h for every request whose header key has the value
// val (or, with an empty val, is present), whatever its path. Header routes
// are tried before path routes, in registration order. They run without
// the server's request timeout (see Timeout).
func (s *Server) HandleHeader(key, val string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.headerRoutes = append(s.headerRoutes, headerRoute{key: http.CanonicalHeaderKey(key), value: val, h: h})
}

// WalkRoute calls fn for every route registered with a method, in
// registration order, with the full path template. It stops at the first
// error fn returns and returns it.
func (s *Server) WalkRoute(fn WalkRouteFunc) error {
	return s.router.Walk(func(method, template string) error {
		if method == "" {
			return nil
		}
		return fn(RouteInfo{Method: method, Path: template})
	})
}

// WalkHandle calls handle for every route registered with a method, with
// the server itself as the handler.
func (s *Server) WalkHandle(handle func(method, path string, handler http.HandlerFunc)) error {
	return s.WalkRoute(func(r RouteInfo) error {
		handle(r.Method, r.Path, s.ServeHTTP)
		return nil
	})
}

// ServeHTTP serves req through the server's filters and routes.
func (s *Server) ServeHTTP(res http.ResponseWriter, req *http.Request) {
	s.Handler.ServeHTTP(res, req)
}

// now returns the current time for request deadlines from the monotonic
// clock alone (one clock read, where time.Now makes two): the server's
// creation time plus the monotonic time since. Its wall clock part can
// differ from time.Now by the wall clock's adjustments since then;
// deadlines compare and count down on the monotonic part.
func (s *Server) now() time.Time {
	return s.clockBase.Add(time.Since(s.clockBase))
}

// serverRequest is the per-request state, allocated once per request.
type serverRequest struct {
	tr     Transport
	wrap   wrapper
	ctx    reqContext
	params [2]router.Param // backing store for tr.vars (more grow)
}

// bodyLimit is http.MaxBytesReader for the server's routes: it reads at
// most limit bytes of r, then fails with an *http.MaxBytesError and has
// net/http close the connection after the response, as
// http.MaxBytesReader does.
type bodyLimit struct {
	r     io.ReadCloser
	w     http.ResponseWriter
	left  int64 // bytes that may still be read
	limit int64
	err   error // sticky
}

func (l *bodyLimit) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// One byte more than allowed tells a body at the limit from one over it.
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	if int64(n) <= l.left {
		l.left -= int64(n)
		l.err = err
		return n, err
	}
	n, l.left = int(l.left), 0
	tooLarge(l.w)
	l.err = &http.MaxBytesError{Limit: l.limit}
	return n, l.err
}

func (l *bodyLimit) Close() error { return l.r.Close() }

func (s *Server) dispatch(w http.ResponseWriter, req *http.Request) {
	var (
		h        http.Handler
		vars     []router.Param
		template string
		st       = &serverRequest{}
		timed    = true
	)
	if len(s.headerRoutes) > 0 {
		if h = s.matchHeader(req); h != nil {
			timed = false
		}
	}
	if h == nil {
		// Escaping keeps the slashes and dots of a path, so without a
		// RawPath the decoded path tells without escaping it.
		p := req.URL.Path
		if req.URL.RawPath != "" {
			p = req.URL.EscapedPath()
		}
		if needsClean(p) {
			s.redirectClean(w, req, req.URL.EscapedPath())
			return
		}
		m, params, status, allow, redirect := s.router.LookupParams(req, st.params[:0])
		if status == http.StatusNotFound && hasEscapedSlash(req.URL.RawPath) {
			// Routes match the escaped path, so that %2F stays inside a
			// {name} segment. A client that escapes the slashes of a
			// {name=shelves/*} value (OpenAPI tools do) gets a second
			// lookup with its slashes as slashes, as Kratos matches.
			m, params, status, allow, redirect = s.router.LookupParams(withSlashes(req), st.params[:0])
		}
		switch status {
		case http.StatusOK:
			h, vars, template = m.Handler, params, m.Template
		case http.StatusNotFound:
			if s.serveRPC(w, req, st) {
				return
			}
			s.notFound.ServeHTTP(w, req)
			return
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", allow)
			s.methodNotAllowed.ServeHTTP(w, req)
			return
		case http.StatusMovedPermanently, http.StatusPermanentRedirect:
			http.Redirect(w, req, redirect, status)
			return
		default:
			s.ene(w, req, errors.BadRequest(reasonBadRequest, "malformed request path"))
			return
		}
	}
	if u, ok := h.(untimed); ok {
		h, timed = u.Handler, false
	}
	route, _ := h.(*kratosRoute)
	limited := route != nil && s.maxBody > 0
	if limited && req.ContentLength > s.maxBody {
		s.ene(w, req, errors.New(http.StatusRequestEntityTooLarge, reasonBodyTooLarge, "request body too large"))
		return
	}

	if template == "" {
		template = req.URL.Path
	}
	st.tr = Transport{
		endpoint:     s.endpointStr,
		operation:    template,
		pathTemplate: template,
		reqHeader:    headerCarrier(req.Header),
		replyHeader:  headerCarrier(w.Header()),
		response:     w,
		vars:         vars,
	}
	var deadline time.Time
	if s.timeout > 0 && timed {
		deadline = s.now().Add(s.timeout)
	}
	if v, ok := req.Header[timeoutHeader]; ok {
		if d, ok := parseTimeoutMs(v); ok {
			if caller := s.now().Add(d); deadline.IsZero() || caller.Before(deadline) {
				deadline = caller
			}
		}
	}
	st.ctx.init(req.Context(), deadline, &st.tr)
	defer st.ctx.release()
	var ctx context.Context = &st.ctx
	body := req.Body
	if route != nil && body != nil && body != http.NoBody {
		s.boundBody(w, deadline)
	}
	if route != nil && route.direct != nil {
		// No filter needs the request: the Context stands for its copy
		// with ctx and makes it only when asked, and Bind reads the body
		// within the limit without a limiting reader.
		st.tr.wrap = &st.wrap
		st.wrap.init(s, w, req, ctx, body, &st.tr)
		if limited {
			st.wrap.limit = s.maxBody
		}
		route.direct.serve(&st.wrap)
		return
	}
	if limited && body != nil && body != http.NoBody {
		body = &bodyLimit{r: body, w: w, left: s.maxBody, limit: s.maxBody}
	}
	r := req.WithContext(ctx)
	r.Body = body
	st.tr.request = r
	st.tr.wrap = &st.wrap
	h.ServeHTTP(w, r)
}

// hasEscapedSlash reports whether an escaped path holds %2F.
func hasEscapedSlash(raw string) bool {
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] == '%' && raw[i+1] == '2' && (raw[i+2] == 'F' || raw[i+2] == 'f') {
			return true
		}
	}
	return false
}

// withSlashes returns a shallow copy of req whose URL has no RawPath, so
// its escaped form shows the escaped slashes as slashes.
func withSlashes(req *http.Request) *http.Request {
	r := *req
	u := *req.URL
	u.RawPath = ""
	r.URL = &u
	return &r
}

// untimed marks the handlers that run without the request timeout.
type untimed struct{ http.Handler }

// boundBody puts a read deadline on the connection (or HTTP/2 stream) of a
// request with a body, so a client that trickles it cannot hold the
// connection: see WithBodyTimeout. deadline is the request's, or zero.
func (s *Server) boundBody(w http.ResponseWriter, deadline time.Time) {
	switch {
	case s.bodyTimeoutSet && s.bodyTimeout <= 0:
		return
	case s.bodyTimeoutSet:
		deadline = s.now().Add(s.bodyTimeout)
	case deadline.IsZero():
		deadline = s.now().Add(defaultBodyTimeout)
	}
	// net/http's own writers take the deadline directly, without the
	// controller's allocation; wrappers are unwrapped by the controller.
	// Writers that cannot take a deadline (a test recorder, a filter's
	// wrapper without Unwrap) are left as they are.
	if d, ok := w.(interface{ SetReadDeadline(time.Time) error }); ok {
		_ = d.SetReadDeadline(deadline)
		return
	}
	_ = http.NewResponseController(w).SetReadDeadline(deadline)
}

// needsClean reports whether the escaped path p has empty, "." or ".."
// segments (a trailing slash is not an empty segment).
func needsClean(p string) bool {
	for i := 0; i < len(p); {
		if p[i] != '/' {
			i++
			continue
		}
		j := i + 1
		for j < len(p) && p[j] != '/' {
			j++
		}
		if seg := p[i+1 : j]; seg == "." || seg == ".." || seg == "" && j < len(p) {
			return true
		}
		i = j
	}
	return false
}

// redirectClean redirects to the cleaned form of the escaped path p (301
// for GET and HEAD, 308 otherwise), keeping a trailing slash and the query,
// as gorilla/mux and net/http's ServeMux do.
func (s *Server) redirectClean(w http.ResponseWriter, req *http.Request, p string) {
	target := path.Clean(p)
	if strings.HasSuffix(p, "/") && target != "/" {
		target += "/"
	}
	if req.URL.RawQuery != "" {
		target += "?" + req.URL.RawQuery
	}
	code := http.StatusPermanentRedirect
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		code = http.StatusMovedPermanently
	}
	w.Header().Set("Location", target)
	w.WriteHeader(code)
}

func (s *Server) matchHeader(req *http.Request) http.Handler {
	for _, hr := range s.headerRoutes {
		vs, ok := req.Header[hr.key]
		if !ok {
			continue
		}
		if hr.value == "" {
			return hr.h
		}
		for _, v := range vs {
			if v == hr.value {
				return hr.h
			}
		}
	}
	return nil
}

func (s *Server) writeNotFound(w http.ResponseWriter, req *http.Request) {
	s.ene(w, req, errors.NotFound(reasonNotFound, "route not found"))
}

func (s *Server) writeMethodNotAllowed(w http.ResponseWriter, req *http.Request) {
	s.ene(w, req, errors.New(http.StatusMethodNotAllowed, reasonMethodNotAllowed, "method not allowed"))
}

// Endpoint returns the URL clients reach the server at, listening first
// when the server does not listen yet (so an App can register the server
// before it starts, also with Address(":0")).
func (s *Server) Endpoint() (*url.URL, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.listenAndEndpoint(); err != nil {
		return nil, err
	}
	return s.endpoint, nil
}

// listenAndEndpoint listens and computes the endpoint, once. It must be
// called with s.mu held.
func (s *Server) listenAndEndpoint() error {
	if s.err != nil {
		return s.err
	}
	if s.lis == nil {
		lis, err := net.Listen(s.network, s.address)
		if err != nil {
			s.err = err
			return err
		}
		s.lis = lis
	}
	if s.endpoint == nil {
		hostPort := s.address
		if a, ok := s.lis.Addr().(*net.TCPAddr); ok && a.IP != nil && !a.IP.IsUnspecified() {
			// The listener is bound to one address: that is the one to reach.
			hostPort = a.String()
		}
		addr, err := host.Extract(hostPort, s.lis)
		if err != nil {
			s.err = err
			return err
		}
		s.endpoint = endpoint.NewEndpoint(endpoint.Scheme("http", s.tlsConf != nil), addr)
		s.endpointStr = s.endpoint.String()
	}
	return nil
}

// Start listens (unless Endpoint did already) and serves until Stop. It
// returns nil after Stop, and the serving error otherwise. Requests' base
// context is ctx.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	if err := s.listenAndEndpoint(); err != nil {
		s.mu.Unlock()
		return err
	}
	s.serving = true
	lis := s.lis
	s.BaseContext = func(net.Listener) context.Context { return ctx }
	s.mu.Unlock()

	logger := s.logFor(ctx)
	s.log.Store(logger)
	logger.Infof("[HTTP] server listening on: %s", lis.Addr().String())
	var err error
	if s.tlsConf != nil {
		err = s.ServeTLS(lis, "", "")
	} else {
		err = s.Serve(lis)
	}
	if stderrors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Stop stops the server gracefully: it ends the streams (SSE and
// WebSocket, with a 503 error whose reason is "SERVER_STOPPING", so their
// clients can reconnect elsewhere), closes the listener, waits for
// in-flight requests and streams to finish, and when ctx is done first
// closes all connections. It may be called before Start and more than
// once.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	lis, serving := s.lis, s.serving
	s.mu.Unlock()

	logger := s.logFor(ctx)
	logger.Info("[HTTP] server stopping")
	// Streams would hold a graceful stop until its deadline (WebSocket
	// ones even past it): end them now, so their clients can reconnect
	// elsewhere.
	s.streamCancel(errors.ServiceUnavailable(reasonServerStopping, "transport/http: the server is stopping"))
	err := s.Shutdown(ctx)
	if werr := s.streams.wait(ctx); err == nil {
		err = werr
	}
	if err != nil && ctx.Err() != nil {
		logger.Warn("[HTTP] server couldn't stop gracefully in time, doing force stop")
		err = s.Server.Close()
	}
	if !serving && lis != nil {
		// Listened by Endpoint but never served: nobody else closes it.
		if cerr := lis.Close(); cerr != nil && !stderrors.Is(cerr, net.ErrClosed) && err == nil {
			err = cerr
		}
	}
	return err
}

// logFor returns the helper for the server's own lines: the Logger
// option's logger, else the logger of the App that passed ctx, else the
// global logger.
func (s *Server) logFor(ctx context.Context) *log.Helper {
	if s.logger != nil {
		return log.NewHelper(s.logger)
	}
	return applog.Helper(ctx, nil)
}
