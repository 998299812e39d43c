package grpc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	grpcinsecure "google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/resolver"
	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/grpc/resolver/direct"
	"github.com/seed6ad8aa6b/kratos/transport/grpc/resolver/discovery"
)

// ClientOption configures Dial and DialInsecure.
type ClientOption func(o *clientOptions)

type clientOptions struct {
	endpoint               string
	subsetSize             int
	tlsConf                *tls.Config
	timeout                time.Duration
	discovery              registry.Discovery
	middleware             []middleware.Middleware
	streamMiddleware       []middleware.Middleware
	ints                   []grpc.UnaryClientInterceptor
	streamInts             []grpc.StreamClientInterceptor
	grpcOpts               []grpc.DialOption
	keepalive              time.Duration
	keepaliveTimeout       time.Duration
	filters                []selector.NodeFilter
	healthCheck            bool
	printDiscoveryDebugLog bool
}

// WithEndpoint sets the target to dial: "host:port",
// "discovery:///service-name" (with WithDiscovery),
// "direct://authority/host1:port1,host2:port2", or any target grpc-go
// resolves. There is no default.
func WithEndpoint(endpoint string) ClientOption {
	return func(o *clientOptions) { o.endpoint = endpoint }
}

// WithSubset sets how many of a service's instances a discovery target
// connects to; the client picks a stable subset of that size. The default
// is 25; zero means all of them.
func WithSubset(size int) ClientOption {
	return func(o *clientOptions) { o.subsetSize = size }
}

// WithTimeout sets the time each unary call may take, and the time Dial
// waits for discovery to start watching. The default is two seconds; zero
// or less means no limit. As on the server, a call's deadline is taken
// from the monotonic clock, so its wall clock reading can be off by the
// adjustments of the system clock since Dial.
func WithTimeout(timeout time.Duration) ClientOption {
	return func(o *clientOptions) { o.timeout = timeout }
}

// WithMiddleware adds client middleware. It runs around every unary call
// and around the opening of every stream, with the client Transport in its
// context; values it sets on the Transport's RequestHeader are sent as
// metadata. A middleware must call its next handler with the context it
// was given or one derived from it: a unary call made with any other
// context fails, since that context does not lead back to the call. The
// chain is built once per connection, not per call.
func WithMiddleware(m ...middleware.Middleware) ClientOption {
	return func(o *clientOptions) { o.middleware = append(o.middleware, m...) }
}

// WithStreamMiddleware adds middleware that runs for every message of a
// client stream: before each message is sent, and after each one is
// received, with the message as its request.
func WithStreamMiddleware(m ...middleware.Middleware) ClientOption {
	return func(o *clientOptions) { o.streamMiddleware = append(o.streamMiddleware, m...) }
}

// WithDiscovery resolves "discovery:///name" targets with d. Without it,
// Dial fails on such a target (unless a resolver for the "discovery" scheme
// is registered with grpc-go or given with WithOptions).
func WithDiscovery(d registry.Discovery) ClientOption {
	return func(o *clientOptions) { o.discovery = d }
}

// WithTLSConfig makes the client connect with TLS configured by c. Dial
// needs it; DialInsecure uses plaintext unless it is given.
//
// When c.ServerName is set, the server's certificate is verified against
// it for every address, including those of a "discovery:///" target, and
// it is sent as the :authority of each call (grpc.WithAuthority).
// Otherwise the name comes from the target: the host of a plain target,
// the service instance's name for a discovery target.
func WithTLSConfig(c *tls.Config) ClientOption {
	return func(o *clientOptions) { o.tlsConf = c }
}

// WithUnaryInterceptor adds grpc-go unary interceptors. They run after the
// client's own interceptor, which runs the middleware.
func WithUnaryInterceptor(in ...grpc.UnaryClientInterceptor) ClientOption {
	return func(o *clientOptions) { o.ints = append(o.ints, in...) }
}

// WithStreamInterceptor adds grpc-go stream interceptors. They run after
// the client's own interceptor.
func WithStreamInterceptor(in ...grpc.StreamClientInterceptor) ClientOption {
	return func(o *clientOptions) { o.streamInts = append(o.streamInts, in...) }
}

// WithOptions adds grpc-go dial options, applied after the client's own.
func WithOptions(opts ...grpc.DialOption) ClientOption {
	return func(o *clientOptions) { o.grpcOpts = append(o.grpcOpts, opts...) }
}

// WithNodeFilter adds selector node filters, applied to the nodes of the
// target before each call picks one.
func WithNodeFilter(filters ...selector.NodeFilter) ClientOption {
	return func(o *clientOptions) { o.filters = append(o.filters, filters...) }
}

// WithHealthCheck turns gRPC client-side health checking on or off: with
// it, the client watches the grpc.health.v1.Health status of each server
// and sends no calls to one that is not SERVING. The default is on.
func WithHealthCheck(healthCheck bool) ClientOption {
	return func(o *clientOptions) { o.healthCheck = healthCheck }
}

// WithKeepalive sets how the client finds out that a server stopped
// answering (a hung process, a silent network drop): when a connection
// with calls in flight has received nothing for interval, the client pings
// the server, and closes the connection when no answer comes within
// timeout, failing its calls with Unavailable so they can go elsewhere.
// The default is a 20s interval and a 5s timeout; grpc-go raises an
// interval under 10s to 10s. A zero or negative interval turns pings off.
//
// Our servers accept pings every 5s or more. A server with grpc-go's
// default policy (Kratos v2's) accepts one every 5 minutes and closes a
// connection that pings more often while a stream on it stays silent for
// a minute or more; the client then doubles its interval. Clients with
// such long silent streams to such servers should set an interval of 5
// minutes or turn pings off.
//
// This option is not part of Kratos, whose clients send no pings.
func WithKeepalive(interval, timeout time.Duration) ClientOption {
	return func(o *clientOptions) { o.keepalive, o.keepaliveTimeout = interval, timeout }
}

// WithLogger does nothing; the client logs through the global logger of
// package log.
//
// Deprecated: use log.SetLogger.
func WithLogger(log.Logger) ClientOption {
	return func(*clientOptions) {}
}

// WithPrintDiscoveryDebugLog turns the discovery resolver's log of each
// update on or off. The default is on.
func WithPrintDiscoveryDebugLog(p bool) ClientOption {
	return func(o *clientOptions) { o.printDiscoveryDebugLog = p }
}

// Dial returns a connection to the target set by WithEndpoint, secured by
// WithTLSConfig (without it, or a transport credential in WithOptions,
// Dial fails). Like grpc.DialContext, it does not wait for the connection
// unless grpc.WithBlock is among WithOptions; ctx only bounds that wait.
// The caller must Close the connection. A "discovery:///name" target
// without WithDiscovery fails here rather than at the first call.
func Dial(ctx context.Context, opts ...ClientOption) (*grpc.ClientConn, error) {
	return dial(ctx, false, opts...)
}

// DialInsecure is Dial over plaintext connections.
func DialInsecure(ctx context.Context, opts ...ClientOption) (*grpc.ClientConn, error) {
	return dial(ctx, true, opts...)
}

func dial(ctx context.Context, insecure bool, opts ...ClientOption) (*grpc.ClientConn, error) {
	o := clientOptions{
		timeout:                2 * time.Second,
		keepalive:              defaultKeepalive,
		keepaliveTimeout:       defaultKeepaliveTimeout,
		subsetSize:             25,
		healthCheck:            true,
		printDiscoveryDebugLog: true,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if err := checkDiscovery(&o); err != nil {
		return nil, err
	}
	unary := append([]grpc.UnaryClientInterceptor{unaryClientInterceptor(o.middleware, o.timeout, o.filters)}, o.ints...)
	stream := append([]grpc.StreamClientInterceptor{streamClientInterceptor(o.middleware, o.streamMiddleware, o.filters)}, o.streamInts...)

	serviceConfig := `{"loadBalancingConfig":[{"` + balancerName + `":{}}]`
	if o.healthCheck {
		serviceConfig += `,"healthCheckConfig":{"serviceName":""}`
	}
	serviceConfig += "}"

	grpcOpts := []grpc.DialOption{
		grpc.WithDefaultServiceConfig(serviceConfig),
		grpc.WithChainUnaryInterceptor(unary...),
		grpc.WithChainStreamInterceptor(stream...),
		grpc.WithResolvers(direct.NewBuilder()),
	}
	if o.discovery != nil {
		grpcOpts = append(grpcOpts, grpc.WithResolvers(discovery.NewBuilder(
			o.discovery,
			discovery.WithInsecure(insecure),
			discovery.WithTimeout(o.timeout),
			discovery.WithSubset(o.subsetSize),
			discovery.PrintDebugLog(o.printDiscoveryDebugLog),
		)))
	}
	if insecure {
		grpcOpts = append(grpcOpts, grpc.WithTransportCredentials(grpcinsecure.NewCredentials()))
	}
	if o.tlsConf != nil {
		grpcOpts = append(grpcOpts, grpc.WithTransportCredentials(credentials.NewTLS(o.tlsConf)))
		if o.tlsConf.ServerName != "" {
			// grpc-go verifies the server against each address's
			// ServerName, which the discovery resolver sets to the
			// instance name, in preference to the credentials' name;
			// only WithAuthority outranks it.
			grpcOpts = append(grpcOpts, grpc.WithAuthority(o.tlsConf.ServerName))
		}
	}
	if o.keepalive > 0 {
		grpcOpts = append(grpcOpts, grpc.WithKeepaliveParams(keepalive.ClientParameters{
			Time:    o.keepalive,
			Timeout: o.keepaliveTimeout,
		}))
	}
	grpcOpts = append(grpcOpts, o.grpcOpts...)
	// DialContext rather than NewClient: it keeps grpc.WithBlock working
	// and resolves plain "host:port" targets without DNS, as Kratos does.
	return grpc.DialContext(ctx, o.endpoint, grpcOpts...)
}

// checkDiscovery fails a "discovery:///" target that nothing would resolve:
// grpc-go would take the whole target for a host name and fail only at the
// first call, with "lookup tcp////name: unknown port".
func checkDiscovery(o *clientOptions) error {
	u, err := url.Parse(o.endpoint)
	if err != nil || u.Scheme != discoveryScheme || o.discovery != nil || resolver.Get(discoveryScheme) != nil {
		return nil
	}
	// A resolver for the scheme may still come in WithOptions
	// (grpc.WithResolvers). A connection made with those options tells
	// which resolver it would use; it stays idle, so it connects nowhere.
	probe := append(o.grpcOpts[:len(o.grpcOpts):len(o.grpcOpts)], grpc.WithTransportCredentials(grpcinsecure.NewCredentials()))
	cc, err := grpc.NewClient(o.endpoint, probe...)
	if err != nil {
		return nil // let the dial report it
	}
	target := cc.CanonicalTarget()
	_ = cc.Close()
	if strings.HasPrefix(target, discoveryScheme+":") {
		return nil
	}
	return fmt.Errorf("transport/grpc: client endpoint %q needs WithDiscovery", o.endpoint)
}

const discoveryScheme = "discovery"

func unaryClientInterceptor(ms []middleware.Middleware, timeout time.Duration, filters []selector.NodeFilter) grpc.UnaryClientInterceptor {
	// The chain is built once: its last handler finds the call in the
	// context.
	h := middleware.Handler(invokeClientCall)
	if len(ms) > 0 {
		h = middleware.Chain(ms...)(h)
	}
	// Deadlines come from the monotonic clock alone: one clock read where
	// time.Now, which context.WithTimeout calls, makes two (see
	// callState.now).
	clock := time.Now()
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		c := &clientCall{
			tr:      Transport{endpoint: cc.Target(), operation: method, nodeFilters: filters},
			reply:   reply,
			cc:      cc,
			invoker: invoker,
			opts:    opts,
		}
		ctx = c.begin(ctx)
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, clock.Add(time.Since(clock)+timeout))
			defer cancel()
		}
		out, err := h(ctx, req)
		if err == nil && out != reply {
			dst, ok1 := reply.(proto.Message)
			src, ok2 := out.(proto.Message)
			if ok1 && ok2 && dst.ProtoReflect().Descriptor() == src.ProtoReflect().Descriptor() {
				proto.Reset(dst)
				proto.Merge(dst, src)
			}
		}
		return err
	}
}

// clientCall is the state of one unary call of a client, and also the
// context its middleware runs with: Value answers
// transport.FromClientContext with the call's Transport and
// selector.FromPeerContext with its Peer, and asks the caller's context
// for anything else. That saves the two context.WithValue allocations,
// and holding the Peer, the reply header and the call options of the first
// attempt saves three more.
type clientCall struct {
	context.Context // the caller's

	tr    Transport
	state clientState
	peer  selector.Peer

	reply   any
	cc      *grpc.ClientConn
	invoker grpc.UnaryInvoker
	opts    []grpc.CallOption

	// For the first attempt.
	header  metadata.MD
	optsBuf [4]grpc.CallOption
}

// clientCallKey finds the clientCall in a context derived from it.
type clientCallKey struct{}

var errLostClientContext = errors.New("grpc: client middleware called its next handler with a context not derived from the call's context")

// begin makes c the context of a call whose caller's context is ctx, and
// returns it.
func (c *clientCall) begin(ctx context.Context) context.Context {
	c.Context = ctx
	c.tr.client = &c.state
	if keys.client == nil || keys.peer == nil {
		// The keys could not be learnt: store the values the ordinary way.
		return selector.NewPeerContext(transport.NewClientContext(c, &c.tr), &c.peer)
	}
	return c
}

// Value returns the call for clientCallKey, its Transport and Peer for the
// transport and selector packages' keys, and otherwise the value of the
// caller's context.
func (c *clientCall) Value(key any) any {
	switch key {
	case clientCallKey{}:
		return c
	case keys.client:
		if key != nil {
			return &c.tr
		}
	case keys.peer:
		if key != nil {
			return &c.peer
		}
	}
	return c.Context.Value(key)
}

// invokeClientCall ends the middleware chain of a unary client call.
func invokeClientCall(ctx context.Context, req any) (any, error) {
	c, ok := ctx.Value(clientCallKey{}).(*clientCall)
	if !ok {
		return nil, errLostClientContext
	}
	return c.invoke(ctx, req)
}

// invoke makes one attempt of the call. A middleware that calls its next
// handler more than once (retries, hedged attempts that may overlap) gets
// a reply of its own for every attempt after the first; the one it
// returns is copied into the caller's.
func (c *clientCall) invoke(ctx context.Context, req any) (any, error) {
	out, header, opts := c.reply, &c.header, c.optsBuf[:0]
	if c.state.attempts.Add(1) > 1 {
		if m, ok := c.reply.(proto.Message); ok {
			out = m.ProtoReflect().New().Interface()
		}
		header, opts = new(metadata.MD), nil
	}
	opts = append(append(opts, c.opts...), grpc.Header(header))
	err := c.invoker(outgoingContext(ctx), c.tr.operation, req, out, c.cc, opts...)
	c.tr.setReplyHeader(*header)
	return out, err
}

// outgoingContext adds the request header of the client Transport in ctx to
// the outgoing metadata.
func outgoingContext(ctx context.Context) context.Context {
	t, ok := transport.FromClientContext(ctx)
	if !ok {
		return ctx
	}
	var kv []string
	if tr, ok := t.(*Transport); ok {
		md := tr.requestMD()
		if len(md) == 0 {
			return ctx
		}
		kv = make([]string, 0, 2*len(md))
		for k, vs := range md {
			for _, v := range vs {
				kv = append(kv, k, v)
			}
		}
	} else {
		h := t.RequestHeader()
		for _, k := range h.Keys() {
			for _, v := range h.Values(k) {
				kv = append(kv, k, v)
			}
		}
	}
	if len(kv) == 0 {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

// setReplyHeader makes md the reply header, keeping the map ReplyHeader may
// have handed out already.
func (tr *Transport) setReplyHeader(md metadata.MD) {
	if tr.client != nil {
		tr.client.replyMu.Lock()
		defer tr.client.replyMu.Unlock()
	}
	set := false
	tr.replyOnce.Do(func() {
		tr.replyHeader = headerCarrier(md)
		if tr.replyHeader == nil {
			tr.replyHeader = headerCarrier{}
		}
		set = true
	})
	if !set {
		for k, vs := range md {
			tr.replyHeader[k] = append(tr.replyHeader[k], vs...)
		}
	}
}

var errNotClientStream = errors.New("grpc: client middleware replaced the stream")

func streamClientInterceptor(ms, streamMS []middleware.Middleware, filters []selector.NodeFilter) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		sc := &streamClientCall{tr: Transport{endpoint: cc.Target(), operation: method, nodeFilters: filters}}
		tr := &sc.tr
		tr.client = &sc.state
		ctx = transport.NewClientContext(ctx, tr)
		ctx = selector.NewPeerContext(ctx, &sc.peer)
		h := func(ctx context.Context, _ any) (any, error) {
			cs, err := streamer(outgoingContext(ctx), desc, cc, method, opts...)
			if err != nil {
				return nil, err
			}
			ws := &wrappedClientStream{ClientStream: cs, tr: tr}
			if len(streamMS) > 0 {
				ws.ctx = ctx
				ws.h = middleware.Chain(streamMS...)(func(_ context.Context, req any) (any, error) {
					return req, nil
				})
			}
			return ws, nil
		}
		if len(ms) > 0 {
			h = middleware.Chain(ms...)(h)
		}
		out, err := h(ctx, nil)
		if err != nil {
			return nil, err
		}
		cs, ok := out.(grpc.ClientStream)
		if !ok {
			return nil, errNotClientStream
		}
		return cs, nil
	}
}

// streamClientCall is the state of a client stream, in one allocation.
type streamClientCall struct {
	tr    Transport
	state clientState
	peer  selector.Peer
}

// wrappedClientStream runs the stream middleware for each message: before
// it is sent and after it has been received, as Kratos does.
type wrappedClientStream struct {
	grpc.ClientStream
	tr         *Transport
	ctx        context.Context
	h          middleware.Handler // nil without stream middleware
	headerOnce sync.Once
}

func (w *wrappedClientStream) SendMsg(m any) error {
	if w.h != nil {
		if _, err := w.h(w.ctx, m); err != nil {
			return err
		}
	}
	return w.ClientStream.SendMsg(m)
}

func (w *wrappedClientStream) RecvMsg(m any) error {
	if err := w.ClientStream.RecvMsg(m); err != nil {
		return err
	}
	if w.h != nil {
		_, err := w.h(w.ctx, m)
		return err
	}
	return nil
}

// Header returns the response header metadata and also makes it the
// Transport's ReplyHeader.
func (w *wrappedClientStream) Header() (metadata.MD, error) {
	md, err := w.ClientStream.Header()
	if err == nil {
		w.headerOnce.Do(func() { w.tr.setReplyHeader(md.Copy()) })
	}
	return md, err
}

// The client's keepalive defaults (see WithKeepalive).
const (
	defaultKeepalive        = 20 * time.Second
	defaultKeepaliveTimeout = 5 * time.Second
)
