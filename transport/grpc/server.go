package grpc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	apimd "github.com/seed6ad8aa6b/kratos/api/metadata"
	"github.com/seed6ad8aa6b/kratos/internal/applog"
	"github.com/seed6ad8aa6b/kratos/internal/endpoint"
	"github.com/seed6ad8aa6b/kratos/internal/host"
	"github.com/seed6ad8aa6b/kratos/internal/matcher"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

var (
	_ transport.Server     = (*Server)(nil)
	_ transport.Endpointer = (*Server)(nil)
)

// ServerOption configures a Server.
type ServerOption func(o *Server)

// Network sets the network to listen on, as for net.Listen. The default is
// "tcp".
func Network(network string) ServerOption {
	return func(s *Server) { s.network = network }
}

// Address sets the address to listen on, as for net.Listen. The default is
// ":0", a free port.
func Address(addr string) ServerOption {
	return func(s *Server) { s.address = addr }
}

// Endpoint sets the endpoint URL the server publishes. By default it is
// "grpc://host:port" ("grpcs" with TLS), where host is the listen host or,
// when that is unspecified, the first address of an up, non-loopback
// interface.
func Endpoint(endpoint *url.URL) ServerOption {
	return func(s *Server) { s.endpoint = endpoint }
}

// Timeout sets the time each unary call may take; its context is cancelled
// when it runs out. The default is one second; zero or less means no limit.
// A shorter deadline sent by the client is kept. Streams have no timeout.
// The deadline is taken from the monotonic clock alone: its
// wall clock reading can be off by the adjustments of the system clock
// since NewServer, which comparisons and time.Until ignore.
func Timeout(timeout time.Duration) ServerOption {
	return func(s *Server) { s.timeout = timeout }
}

// Logger sets the logger of the server's own messages ("listening",
// "stopping"). By default the server logs with the logger that the
// contexts given to Start and Stop carry, which an App puts there (see
// kratos.Logger), and otherwise with the global logger; this option
// overrides both.
//
// Deprecated: kept for compatibility; prefer kratos.Logger on the App.
func Logger(logger log.Logger) ServerOption {
	return func(s *Server) { s.logger = logger }
}

// Middleware adds middleware for every call. It wraps unary handlers and
// whole streaming handlers alike, so that, for example, a recovery
// middleware turns a panic in a stream handler into an error; for a stream
// the middleware sees a nil request, and the error the handler returns.
// Use adds middleware for some operations only.
func Middleware(m ...middleware.Middleware) ServerOption {
	return func(s *Server) { s.middleware.Use(m...) }
}

// StreamMiddleware adds middleware that runs around every message a stream
// handler receives or sends (RecvMsg and SendMsg), with the message as its
// request.
func StreamMiddleware(m ...middleware.Middleware) ServerOption {
	return func(s *Server) { s.streamMiddleware.Use(m...) }
}

// CustomHealth leaves the grpc.health.v1.Health service to the caller: the
// server does not register its own.
func CustomHealth() ServerOption {
	return func(s *Server) { s.customHealth = true }
}

// TLSConfig makes the server serve TLS with c. By default it serves
// plaintext.
func TLSConfig(c *tls.Config) ServerOption {
	return func(s *Server) { s.tlsConf = c }
}

// Listener makes the server serve on lis instead of listening itself. A
// listener that is not TCP needs the Endpoint option too.
func Listener(lis net.Listener) ServerOption {
	return func(s *Server) { s.lis = lis }
}

// UnaryInterceptor adds grpc-go unary interceptors. They run after the
// server's own interceptor, which sets up the Transport and runs the
// middleware.
func UnaryInterceptor(in ...grpc.UnaryServerInterceptor) ServerOption {
	return func(s *Server) { s.unaryInts = append(s.unaryInts, in...) }
}

// StreamInterceptor adds grpc-go stream interceptors. They run after the
// server's own interceptor.
func StreamInterceptor(in ...grpc.StreamServerInterceptor) ServerOption {
	return func(s *Server) { s.streamInts = append(s.streamInts, in...) }
}

// Options adds grpc-go server options, applied after the server's own, so
// that they win where both set the same thing. Besides its interceptors and
// TLS credentials, the server sets these, where grpc-go's defaults are
// open to abuse or too strict:
//
//   - grpc.MaxHeaderListSize(1 MiB): a request's metadata may take 1 MiB,
//     as net/http allows for HTTP headers (grpc-go: 16 MiB, which let 16
//     clients take a server to 1.1 GiB). The server tells clients so when
//     they connect: a grpc-go client fails a call with larger metadata
//     itself (Internal, "header list size to send violates the maximum
//     size"); a client that sends it anyway loses its connection.
//   - grpc.MaxConcurrentStreams(1000): a connection may carry 1000 calls
//     at once (grpc-go: no limit). Each call runs its handler in a
//     goroutine, so without a limit one connection may start any number of
//     them. 1000 is four times net/http's HTTP/2 default of 250, because a
//     gRPC client sends all its calls to a server over one connection;
//     a grpc-go client that reaches the limit queues further calls until
//     one ends.
//   - grpc.KeepaliveEnforcementPolicy with MinTime 5s and
//     PermitWithoutStream true: clients may ping every 5s, also with no
//     call open; a client that pings more often is disconnected
//     ("too_many_pings"). grpc-go's default, one ping per 5 minutes and
//     none without a call, disconnects clients configured with
//     keepalive.ClientParameters{Time: 10 * time.Second,
//     PermitWithoutStream: true}, a common setting (10s is grpc-go's
//     smallest client ping interval). Clients of this package send no
//     pings unless told to with WithOptions(grpc.WithKeepaliveParams(...)).
//   - grpc.KeepaliveParams with MaxConnectionIdle set by WithIdleTimeout
//     (5 minutes) and the other fields zero, which leaves grpc-go's
//     defaults: a ping after 2 hours without activity, 20s to answer it.
//
// grpc.KeepaliveParams replaces all of keepalive.ServerParameters,
// including MaxConnectionIdle: set it there when passing it. The server
// also forces a codec of its own (see WithRecursionLimit), which
// grpc.ForceServerCodec or grpc.ForceServerCodecV2 replaces.
func Options(opts ...grpc.ServerOption) ServerOption {
	return func(s *Server) { s.grpcOpts = append(s.grpcOpts, opts...) }
}

// WithIdleTimeout sets how long a client connection may go without a call
// in progress before the server closes it (gracefully, with an HTTP/2
// GOAWAY: a grpc-go client reconnects on its next call). It is
// keepalive.ServerParameters.MaxConnectionIdle. The default is 5 minutes;
// zero or less means never, grpc-go's default. Idle connections cost a
// goroutine, buffers and a file descriptor each. A connection of a client
// of this package that watches the server's health (WithHealthCheck, on by
// default) is never idle.
//
// This option is not part of Kratos, whose servers hold idle connections
// forever.
func WithIdleTimeout(d time.Duration) ServerOption {
	return func(s *Server) { s.idleTimeout = d }
}

// WithRecursionLimit sets how deeply a request message may nest (each
// message, list or map entry, google.protobuf.Struct or Value counts one
// level). The server refuses a deeper request with InvalidArgument before
// its handler runs, as it does any request it cannot decode (grpc-go:
// Internal). The default is 100, plenty for real schemas; protobuf's own
// limit of 10,000 lets a 30 KB request nest 9,000 deep and cost tens of
// milliseconds of CPU to decode. Zero or less turns this off: grpc-go's
// codecs decode, with protobuf's limit, and a request they cannot decode
// fails with Internal.
//
// The limit is per server: the server forces its own codec on grpc-go
// (grpc.ForceServerCodecV2) rather than replace the codecs grpc-go
// registers for the whole process, and decodes requests itself, protobuf
// with proto.Unmarshal and "application/grpc+json" with protojson, both
// with the limit. Requests of other content-subtypes go to the codecs
// registered for them, without it. Replies are encoded by the registered
// codecs (protobuf by the one registered as "proto"), but a "proto" codec
// registered to decode faster, such as vtprotobuf's, is not used for
// requests. Stats handlers see an unexported type rather than the request
// message as stats.InPayload.Payload. A codec forced with Options replaces
// the server's; pass WithRecursionLimit(0) with it.
//
// This option is not part of Kratos, which decodes with protobuf's limit.
func WithRecursionLimit(n int) ServerOption {
	return func(s *Server) { s.recursionLimit = n }
}

// DisableReflection stops the server from registering the gRPC server
// reflection service, which it does by default.
func DisableReflection() ServerOption {
	return func(s *Server) { s.disableReflection = true }
}

// Server is a gRPC server: a *grpc.Server on which generated services are
// registered, with the framework's middleware, the standard health and
// reflection services, and the kratos.api.Metadata service.
//
// Register services before Start. Start serves until Stop; Endpoint may be
// called before Start (it opens the listener then), so an App can register
// the endpoint first. A Server serves once: it cannot start again after
// Stop.
type Server struct {
	*grpc.Server

	network           string
	address           string
	endpoint          *url.URL
	lis               net.Listener
	tlsConf           *tls.Config
	timeout           time.Duration
	middleware        matcher.Matcher
	streamMiddleware  matcher.Matcher
	unaryInts         []grpc.UnaryServerInterceptor
	streamInts        []grpc.StreamServerInterceptor
	grpcOpts          []grpc.ServerOption
	customHealth      bool
	disableReflection bool
	idleTimeout       time.Duration
	recursionLimit    int
	codec             *serverCodec // nil: grpc-go's codecs
	logger            log.Logger   // nil: from the Start and Stop contexts
	health            *healthServer
	metadata          *apimd.Server
	services          []registeredService // guarded by mu; see WalkServices

	mu      sync.Mutex // guards lis, endpoint, serving and stopped after NewServer
	serving bool
	stopped bool
	// abandoned is closed when Stop gives up waiting for grpc-go to close
	// the connections, so that Start returns too.
	abandoned chan struct{}

	// state is what every call needs to know, read without locking.
	state        atomic.Pointer[callState]
	unaryChains  chainCache
	streamChains chainCache
}

// callState is published by Endpoint and Start for the interceptors.
type callState struct {
	endpoint string
	// clock is the server's creation time, with its monotonic clock
	// reading; see now. Zero: read the clock with time.Now.
	clock time.Time
	// base is the context given to Start; handlers see its values. When
	// it can be cancelled, merge is true and calls are cancelled with it.
	base  context.Context
	merge bool
}

// now returns the current time for call deadlines from the monotonic clock
// alone: the server's creation time plus the monotonic time since, one
// clock read where time.Now makes two (about 110 ns against 200 ns on a
// virtual machine with kvm-clock). Its wall clock part can differ from
// time.Now's by the adjustments of the wall clock since the server was
// created; deadlines compare and count down on the monotonic part, as
// time.Until and Time.Before use it when both times have one.
func (st *callState) now() time.Time {
	if st.clock.IsZero() {
		return time.Now()
	}
	return st.clock.Add(time.Since(st.clock))
}

// The limits NewServer sets; see Options.
const (
	defaultMaxHeaderListSize    = 1 << 20
	defaultMaxConcurrentStreams = 1000
	defaultKeepaliveMinTime     = 5 * time.Second
	defaultIdleTimeout          = 5 * time.Minute
	defaultRecursionLimit       = 100
)

// forceWait bounds how long a forced Stop waits for grpc-go to close the
// connections. grpc-go does so at once unless a connection has as many
// calls running as MaxConcurrentStreams allows, all with handlers that
// ignore their contexts, and one more waiting to start: its reader then
// waits for a handler to return before it notices the connection closed.
const forceWait = time.Second

// NewServer returns a server configured by opts. It does not listen yet.
func NewServer(opts ...ServerOption) *Server {
	srv := &Server{
		network:          "tcp",
		address:          ":0",
		timeout:          time.Second,
		idleTimeout:      defaultIdleTimeout,
		recursionLimit:   defaultRecursionLimit,
		middleware:       matcher.New(),
		streamMiddleware: matcher.New(),
		health:           newHealthServer(),
		abandoned:        make(chan struct{}),
	}
	for _, o := range opts {
		o(srv)
	}
	srv.state.Store(&callState{clock: time.Now()})
	srv.unaryChains.final = invokeUnary
	srv.streamChains.final = invokeStream

	unary := append([]grpc.UnaryServerInterceptor{srv.unaryServerInterceptor}, srv.unaryInts...)
	stream := append([]grpc.StreamServerInterceptor{srv.streamServerInterceptor}, srv.streamInts...)
	grpcOpts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(stream...),
		grpc.MaxHeaderListSize(defaultMaxHeaderListSize),
		grpc.MaxConcurrentStreams(defaultMaxConcurrentStreams),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
			MinTime:             defaultKeepaliveMinTime,
			PermitWithoutStream: true,
		}),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: max(srv.idleTimeout, 0)}),
	}
	if srv.tlsConf != nil {
		grpcOpts = append(grpcOpts, grpc.Creds(credentials.NewTLS(srv.tlsConf)))
	}
	if srv.recursionLimit > 0 {
		srv.codec = newServerCodec(srv.recursionLimit)
		grpcOpts = append(grpcOpts, grpc.ForceServerCodecV2(srv.codec))
	}
	grpcOpts = append(grpcOpts, srv.grpcOpts...)
	srv.Server = grpc.NewServer(grpcOpts...)

	srv.metadata = apimd.NewServer(srv.Server)
	if !srv.customHealth {
		healthpb.RegisterHealthServer(srv, srv.health)
	}
	apimd.RegisterMetadataServer(srv, srv.metadata)
	if !srv.disableReflection {
		reflection.Register(srv.Server)
	}
	return srv
}

// RegisterService registers a service and its implementation, as
// grpc.Server.RegisterService does; generated RegisterXServer functions call
// it. The server wraps the handlers of the unary methods, which decode
// their requests before any interceptor runs, so that the server decodes
// requests as WithRecursionLimit says (for streams, its interceptor does).
// Register services on the Server, not on the embedded *grpc.Server:
// there, unary methods still decode with the limit, but fail with Internal
// when they cannot, and do not understand "application/grpc+json".
//
// Unlike Kratos, where the method is promoted from the embedded
// *grpc.Server, it has a pointer receiver: a Server value (rather than the
// *Server NewServer returns) has no RegisterService in its method set.
func (s *Server) RegisterService(sd *grpc.ServiceDesc, impl any) {
	desc := *sd
	desc.Methods = make([]grpc.MethodDesc, len(sd.Methods))
	for i, m := range sd.Methods {
		desc.Methods[i] = grpc.MethodDesc{MethodName: m.MethodName, Handler: s.decodeUnary(m.Handler)}
	}
	s.Server.RegisterService(&desc, impl)
	s.mu.Lock()
	s.services = append(s.services, registeredService{sd, impl})
	s.mu.Unlock()
}

// decodeUnary wraps the handler of a unary method so that the server's
// codec decodes its request and encodes its reply (see serverCodec).
func (s *Server) decodeUnary(h grpc.MethodHandler) grpc.MethodHandler {
	if s.codec == nil {
		return h
	}
	return func(srv any, ctx context.Context, dec func(any) error, in grpc.UnaryServerInterceptor) (any, error) {
		d := unaryDecoders.Get().(*unaryDecoder)
		d.codec, d.cc, d.dec = s.codec, s.callCodec(ctx), dec
		reply, err := h(srv, ctx, d.decodeFunc, in)
		cc := d.cc
		*d = unaryDecoder{decodeFunc: d.decodeFunc}
		unaryDecoders.Put(d)
		if err != nil || reply == nil {
			return reply, err
		}
		return cc.wrap(reply), nil
	}
}

// unaryDecoder is the decode function handed to a unary handler, which
// calls it before it returns (generated handlers do so first), so it is
// pooled, with its function value: that saves the two allocations of a
// closure and of the rawMessage every call.
type unaryDecoder struct {
	codec      *serverCodec
	cc         callCodec
	dec        func(any) error
	raw        rawMessage
	decodeFunc func(any) error // decode
}

var unaryDecoders = sync.Pool{New: func() any {
	d := new(unaryDecoder)
	d.decodeFunc = d.decode
	return d
}}

func (d *unaryDecoder) decode(m any) error {
	defer d.raw.free()
	if err := d.dec(&d.raw); err != nil {
		return err
	}
	return d.codec.decode(d.cc, &d.raw, m)
}

// Use adds middleware for the operations that selector matches: a full
// method name ("/helloworld.Greeter/SayHello") or a prefix ending in "*"
// ("/helloworld.Greeter/*"). They run after the middleware added with the
// Middleware option. Use is meant for set-up, before Start, but it is safe
// to call at any time.
func (s *Server) Use(selector string, m ...middleware.Middleware) {
	s.middleware.Add(selector, m...)
}

// Endpoint returns the endpoint URL of the server, listening first if the
// server does not listen yet.
func (s *Server) Endpoint() (*url.URL, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.listenLocked(); err != nil {
		return nil, err
	}
	return s.endpoint, nil
}

// listenLocked opens the listener and works out the endpoint, whichever is
// missing. A failure is not remembered: the next call tries again.
func (s *Server) listenLocked() error {
	if s.lis == nil {
		lis, err := net.Listen(s.network, s.address)
		if err != nil {
			return fmt.Errorf("grpc: listen on %s %q: %w", s.network, s.address, err)
		}
		s.lis = lis
	}
	if s.endpoint == nil {
		addr, err := host.Extract(s.address, s.lis)
		if err != nil {
			return fmt.Errorf("grpc: endpoint: %w", err)
		}
		s.endpoint = endpoint.NewEndpoint(endpoint.Scheme("grpc", s.tlsConf != nil), addr)
	}
	if st := s.state.Load(); st.endpoint == "" {
		s.state.Store(&callState{endpoint: s.endpoint.String(), clock: st.clock, base: st.base, merge: st.merge})
	}
	return nil
}

// Start listens, if Endpoint has not done so, marks the health service
// SERVING and serves until Stop. Handlers see the values of ctx, and their
// contexts are cancelled when ctx is. Start returns nil once the server has
// been stopped, and at once when Stop came first.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	if err := s.listenLocked(); err != nil {
		s.mu.Unlock()
		return err
	}
	s.serving = true
	lis := s.lis
	s.state.Store(&callState{
		endpoint: s.endpoint.String(),
		clock:    s.state.Load().clock,
		base:     ctx,
		merge:    ctx.Done() != nil,
	})
	s.health.Resume()
	s.mu.Unlock()

	s.logFor(ctx).Infof("[gRPC] server listening on: %s", lis.Addr().String())
	served := make(chan error, 1)
	go func() { served <- s.Serve(lis) }()
	var err error
	select {
	case err = <-served:
	case <-s.abandoned:
		// Serve returns only when grpc-go has closed every connection,
		// which Stop gave up waiting for.
	}
	if err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return fmt.Errorf("grpc: serve: %w", err)
	}
	return nil
}

// logFor returns the helper for the server's own messages in a call of
// Start or Stop with ctx.
func (s *Server) logFor(ctx context.Context) *log.Helper {
	if s.logger != nil {
		return log.NewHelper(s.logger)
	}
	return applog.Helper(ctx, nil)
}

// Stop marks the health service NOT_SERVING and stops the server
// gracefully: it stops accepting connections and waits for the calls in
// flight. When ctx is done first it forces the stop: it closes every
// connection, which cancels the contexts of the calls in flight, and
// returns without waiting for their handlers, since a handler that ignores
// its context could hold it for ever. Such handlers go on running until
// they return, as their results can no longer be sent. Stop logs that it
// forced the stop and returns nil either way; Start returns too.
func (s *Server) Stop(ctx context.Context) error {
	logger := s.logFor(ctx)
	s.mu.Lock()
	s.stopped = true
	s.health.shutdown()
	if !s.serving && s.lis != nil {
		// Endpoint listened but Start never served: nobody else closes it.
		_ = s.lis.Close()
	}
	s.mu.Unlock()

	logger.Info("[gRPC] server stopping")
	// GracefulStop returns when the last handler has returned; if the
	// stop is forced, that may be long after Stop itself, and this
	// goroutine ends with the last of those handlers.
	graceful := make(chan struct{})
	go func() {
		defer close(graceful)
		s.GracefulStop()
	}()
	select {
	case <-graceful:
		logger.Info("[gRPC] server stopped")
		return nil
	case <-ctx.Done():
	}

	logger.Warnf("[gRPC] server could not stop gracefully in time, forcing it to stop: %v", context.Cause(ctx))
	// grpc-go's Stop closes the connections and cancels the calls, but,
	// unlike GracefulStop, does not wait for the handlers.
	forced := make(chan struct{})
	go func() {
		defer close(forced)
		s.Server.Stop()
	}()
	timer := time.NewTimer(forceWait)
	defer timer.Stop()
	select {
	case <-graceful:
	case <-forced:
	case <-timer.C:
		logger.Warnf("[gRPC] server connections still open %v after forcing the stop; leaving them to grpc-go", forceWait)
		s.mu.Lock()
		select {
		case <-s.abandoned:
		default:
			close(s.abandoned)
		}
		s.mu.Unlock()
		return nil
	}
	logger.Info("[gRPC] server stopped")
	return nil
}

func (s *Server) unaryServerInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	st := s.state.Load()
	c := &serverCall{
		tr:    Transport{endpoint: st.endpoint, operation: info.FullMethod, incoming: ctx},
		unary: handler,
	}
	callCtx := c.begin(ctx, st, s.timeout)
	defer c.end()

	var (
		reply any
		err   error
	)
	if h := s.unaryChains.get(s.middleware, info.FullMethod); h != nil {
		reply, err = h(callCtx, req)
	} else {
		reply, err = handler(callCtx, req)
	}
	if md := c.tr.replyMD(); len(md) > 0 {
		// Fails only when the handler already sent the header itself.
		_ = grpc.SetHeader(ctx, md)
	}
	return reply, err
}

// invokeUnary ends the middleware chain of a unary call.
func invokeUnary(ctx context.Context, req any) (any, error) {
	c, ok := ctx.Value(callKey{}).(*serverCall)
	if !ok {
		return nil, errLostContext
	}
	return c.unary(ctx, req)
}

var errLostContext = errors.New("grpc: middleware called its next handler with a context not derived from the request context")

func (s *Server) streamServerInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	st := s.state.Load()
	ctx := ss.Context()
	sc := &streamServerCall{
		serverCall: serverCall{
			tr: Transport{endpoint: st.endpoint, operation: info.FullMethod, incoming: ctx},
		},
		streamCall: streamCall{
			srv:     srv,
			ss:      ss,
			handler: handler,
			ms:      s.streamMiddleware.Match(info.FullMethod),
		},
	}
	if s.codec != nil {
		sc.codec, sc.cc = s.codec, s.callCodec(ctx)
	}
	c := &sc.serverCall
	c.stream = &sc.streamCall
	callCtx := c.begin(ctx, st, 0)
	defer c.end()

	var err error
	if builtinStream(info.FullMethod) {
		err = c.serveStream(callCtx)
	} else if h := s.streamChains.get(s.middleware, info.FullMethod); h != nil {
		_, err = h(callCtx, nil)
	} else {
		err = c.serveStream(callCtx)
	}
	c.sendHeader()
	return err
}

// builtinStream reports whether method is a streaming method of a service
// the server registers by itself: health watching and reflection. Kratos
// never ran the server middleware around streams; this server does, except
// around these, so that a server-wide middleware such as JWT auth does not
// break the health checks gRPC clients make by default, nor reflection.
func builtinStream(method string) bool {
	return strings.HasPrefix(method, "/grpc.health.v1.Health/") ||
		strings.HasPrefix(method, "/grpc.reflection.")
}

// invokeStream ends the middleware chain of a streaming call.
func invokeStream(ctx context.Context, _ any) (any, error) {
	c, ok := ctx.Value(callKey{}).(*serverCall)
	if !ok {
		return nil, errLostContext
	}
	return nil, c.serveStream(ctx)
}

// serveStream runs the streaming handler with a stream whose context is
// ctx and whose messages pass through the stream middleware.
func (c *serverCall) serveStream(ctx context.Context) error {
	ws := &wrappedStream{ServerStream: c.stream.ss, ctx: ctx, ms: c.stream.ms, call: c, codec: c.stream.codec, cc: c.stream.cc}
	return c.stream.handler(c.stream.srv, ws)
}

// sendHeader hands the reply header set so far to the stream, once. The
// stream sends it with the first message, or with the status.
func (c *serverCall) sendHeader() {
	st := c.stream
	if st.headerSent.Load() {
		return
	}
	if md := c.tr.replyMD(); len(md) > 0 && st.headerSent.CompareAndSwap(false, true) {
		_ = st.ss.SetHeader(md)
	}
}

// chainCache keeps the middleware chain built for each operation, so that
// a call does not build closures for every middleware. An entry is valid
// while the matcher returns the same middleware slice for its operation;
// Use makes the matcher return new slices.
type chainCache struct {
	final middleware.Handler
	m     sync.Map // operation -> *chainEntry
	n     atomic.Int64
}

type chainEntry struct {
	ms []middleware.Middleware
	h  middleware.Handler
}

// maxChains bounds the cache; operations past it build their chain per call.
const maxChains = 4096

// get returns the chain for operation, or nil when no middleware applies.
func (cc *chainCache) get(m matcher.Matcher, operation string) middleware.Handler {
	ms := m.Match(operation)
	if len(ms) == 0 {
		return nil
	}
	if v, ok := cc.m.Load(operation); ok {
		if e := v.(*chainEntry); len(e.ms) == len(ms) && &e.ms[0] == &ms[0] {
			return e.h
		}
	}
	h := middleware.Chain(ms...)(cc.final)
	if cc.n.Load() < maxChains {
		if _, loaded := cc.m.Swap(operation, &chainEntry{ms: ms, h: h}); !loaded {
			cc.n.Add(1)
		}
	}
	return h
}
