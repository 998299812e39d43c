package http

import (
	"bytes"
	"context"
	"crypto/tls"
	stderrors "errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/internal/host"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// ClientOption configures a Client.
type ClientOption func(*clientOptions)

type clientOptions struct {
	ctx          context.Context
	tlsConf      *tls.Config
	timeout      time.Duration
	endpoint     string
	userAgent    string
	encoder      EncodeRequestFunc
	decoder      DecodeResponseFunc
	errorDecoder DecodeErrorFunc
	transport    http.RoundTripper
	nodeFilters  []selector.NodeFilter
	discovery    registry.Discovery
	middleware   []middleware.Middleware
	block        bool
	subsetSize   int
	maxResponse  int64
}

const (
	// defaultMaxResponseBody is the default of WithMaxResponseBodySize: the
	// server's default request body limit, and grpc-go's default limit on a
	// received message, so both transports bound a reply the same way.
	defaultMaxResponseBody = 4 << 20
	// maxErrorBody bounds the body of a non-2xx response, which the client
	// reads to build the error: error bodies are small, so a large one
	// is cut off sooner than a reply.
	maxErrorBody = 1 << 20
)

// WithTransport sets the RoundTripper requests go through. The default is
// http.DefaultTransport (a clone of it with TLSConfig).
func WithTransport(trans http.RoundTripper) ClientOption {
	return func(o *clientOptions) { o.transport = trans }
}

// WithTimeout sets the time limit of a whole call, reading the response
// included (http.Client.Timeout). The default is 2s; zero means none.
func WithTimeout(d time.Duration) ClientOption {
	return func(o *clientOptions) { o.timeout = d }
}

// WithUserAgent sets the User-Agent header. The default is Go's.
func WithUserAgent(ua string) ClientOption {
	return func(o *clientOptions) { o.userAgent = ua }
}

// WithMiddleware sets the client middleware, run around every Invoke
// (the first is the outermost). The default is none.
func WithMiddleware(m ...middleware.Middleware) ClientOption {
	return func(o *clientOptions) { o.middleware = m }
}

// WithEndpoint sets the server to call: "host:port", "http://host:port",
// "https://host:port", or "discovery:///service-name" with WithDiscovery.
func WithEndpoint(endpoint string) ClientOption {
	return func(o *clientOptions) { o.endpoint = endpoint }
}

// WithRequestEncoder sets how request bodies are encoded. The default is
// DefaultRequestEncoder.
func WithRequestEncoder(encoder EncodeRequestFunc) ClientOption {
	return func(o *clientOptions) { o.encoder = encoder }
}

// WithResponseDecoder sets how successful responses are decoded. The
// default is DefaultResponseDecoder.
func WithResponseDecoder(decoder DecodeResponseFunc) ClientOption {
	return func(o *clientOptions) { o.decoder = decoder }
}

// WithErrorDecoder sets how responses are turned into errors. The default
// is DefaultErrorDecoder.
func WithErrorDecoder(errorDecoder DecodeErrorFunc) ClientOption {
	return func(o *clientOptions) { o.errorDecoder = errorDecoder }
}

// WithDiscovery sets the registry that "discovery:///name" endpoints are
// resolved with. The default is none.
func WithDiscovery(d registry.Discovery) ClientOption {
	return func(o *clientOptions) { o.discovery = d }
}

// WithNodeFilter sets filters that narrow the discovered nodes for every
// call. The default is none.
func WithNodeFilter(filters ...selector.NodeFilter) ClientOption {
	return func(o *clientOptions) { o.nodeFilters = filters }
}

// WithBlock makes NewClient wait, until its context is done, for discovery
// to report at least one node. By default it does not wait. Either way the
// client keeps following discovery after that context ended.
func WithBlock() ClientOption {
	return func(o *clientOptions) { o.block = true }
}

// WithTLSConfig makes the client use TLS with c ("https", and nodes with
// https endpoints). The default is plain HTTP.
func WithTLSConfig(c *tls.Config) ClientOption {
	return func(o *clientOptions) { o.tlsConf = c }
}

// WithSubset sets how many discovered instances one client balances over
// (a stable random subset per client). The default is 25; zero means all.
func WithSubset(size int) ClientOption {
	return func(o *clientOptions) { o.subsetSize = size }
}

// WithMaxResponseBodySize limits how many bytes of a response body the
// client reads for Invoke: the reply given to the response decoder, and the
// body of a non-2xx response given to the error decoder, which is limited to
// the smaller of n and 1 MiB (this holds for Do too). A reply over the
// limit fails once n bytes were read (at once when Content-Length says so)
// with code 502 and reason RESPONSE_TOO_LARGE: the upstream sent what the
// client refuses, as a gateway would report it, and neither the caller's
// fault (4xx) nor a throttle (429) to retry later. With DefaultErrorDecoder,
// an error body over its limit gives an error with the response's status
// and no reason, whose cause is that 502 error. Do gives the caller the
// body of a 2xx response as it is: the caller reads it and bounds it.
// The default is 4 MiB, like the server's default request body limit and
// grpc-go's default limit on a received message; zero or less means no
// limit.
//
// This option is not part of Kratos.
func WithMaxResponseBodySize(n int64) ClientOption {
	return func(o *clientOptions) { o.maxResponse = n }
}

// Target is a parsed client endpoint: "discovery:///helloworld" is scheme
// "discovery", authority "" and endpoint "helloworld".
type Target struct {
	Scheme    string
	Authority string
	Endpoint  string
}

func parseTarget(endpoint string, insecure bool) (*Target, error) {
	if !strings.Contains(endpoint, "://") {
		if insecure {
			endpoint = "http://" + endpoint
		} else {
			endpoint = "https://" + endpoint
		}
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	target := &Target{Scheme: u.Scheme, Authority: u.Host}
	if len(u.Path) > 1 {
		target.Endpoint = u.Path[1:]
	}
	return target, nil
}

// Client calls HTTP servers; generated clients wrap one. It is safe for
// concurrent use. Close it to stop following discovery.
type Client struct {
	opts     clientOptions
	target   *Target
	r        *resolver
	cc       *http.Client
	insecure bool
	selector selector.Selector
	ownsTr   *http.Transport // closed on Close when the client made it
}

// NewClient returns a client for the WithEndpoint target. With a
// "discovery:///name" endpoint and WithDiscovery, it follows the service's
// instances until Close and picks a node per call with the global selector.
// ctx only bounds the start: opening the watch and, with WithBlock, waiting
// for the first instances; NewClient fails with ctx's error when ctx ends
// first. The watch does not end with ctx (it keeps ctx's values). After a
// watch error the client asks again after 1s, doubling the wait on each
// further error up to 30s.
func NewClient(ctx context.Context, opts ...ClientOption) (*Client, error) {
	o := clientOptions{
		ctx:          ctx,
		timeout:      2 * time.Second,
		encoder:      DefaultRequestEncoder,
		decoder:      DefaultResponseDecoder,
		errorDecoder: DefaultErrorDecoder,
		subsetSize:   25,
		maxResponse:  defaultMaxResponseBody,
	}
	for _, opt := range opts {
		opt(&o)
	}
	var owned *http.Transport
	if o.transport == nil {
		o.transport = http.DefaultTransport
		if o.tlsConf != nil {
			if dt, ok := http.DefaultTransport.(*http.Transport); ok {
				owned = dt.Clone()
				owned.TLSClientConfig = o.tlsConf
				o.transport = owned
			}
		}
	} else if t, ok := o.transport.(*http.Transport); ok && o.tlsConf != nil {
		owned = t.Clone()
		owned.TLSClientConfig = o.tlsConf
		o.transport = owned
	}
	insecure := o.tlsConf == nil
	target, err := parseTarget(o.endpoint, insecure)
	if err != nil {
		return nil, fmt.Errorf("transport/http: client endpoint %q: %w", o.endpoint, err)
	}
	sel := selector.GlobalSelector().Build()
	var r *resolver
	if target.Scheme == "discovery" {
		if o.discovery == nil {
			return nil, fmt.Errorf("transport/http: client endpoint %q needs WithDiscovery", o.endpoint)
		}
		if r, err = newResolver(ctx, o.discovery, target, sel, o.block, insecure, o.subsetSize); err != nil {
			return nil, fmt.Errorf("transport/http: resolve %q: %w", o.endpoint, err)
		}
	} else if o.discovery != nil {
		if _, _, err := host.ExtractHostPort(target.Authority); err != nil {
			return nil, fmt.Errorf("transport/http: invalid endpoint %q: %w", o.endpoint, err)
		}
	}
	return &Client{
		opts:     o,
		target:   target,
		r:        r,
		cc:       &http.Client{Timeout: o.timeout, Transport: o.transport},
		insecure: insecure,
		selector: sel,
		ownsTr:   owned,
	}, nil
}

// Invoke sends a request for method and path (which may carry a query) with
// args encoded as the body (none when args is nil) and decodes the response
// into reply. It runs the client middleware with a client Transport in the
// context. A non-2xx response is returned as an *errors.Error.
func (client *Client) Invoke(ctx context.Context, method, path string, args any, reply any, opts ...CallOption) error {
	c := defaultCallInfo(path)
	for _, o := range opts {
		if err := o.before(&c); err != nil {
			return err
		}
	}
	var (
		body        io.Reader
		contentType string
	)
	if args != nil {
		data, err := client.opts.encoder(ctx, c.contentType, args)
		if err != nil {
			return err
		}
		contentType = c.contentType
		body = bytes.NewReader(data)
	}
	u := client.target.Scheme + "://" + client.target.Authority + path
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return errors.BadRequest("BAD_REQUEST", err.Error())
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.accept != "" {
		req.Header.Set("Accept", c.accept)
	}
	if client.opts.userAgent != "" {
		req.Header.Set("User-Agent", client.opts.userAgent)
	}
	tr := &Transport{
		endpoint:     client.opts.endpoint,
		operation:    c.operation,
		pathTemplate: c.pathTemplate,
		reqHeader:    headerCarrier(req.Header),
		replyHeader:  headerCarrier(http.Header{}),
		request:      req,
	}
	ctx = transport.NewClientContext(ctx, tr)
	return client.invoke(ctx, tr, req, args, reply, c, opts...)
}

func (client *Client) invoke(ctx context.Context, tr *Transport, req *http.Request, args any, reply any, c callInfo, opts ...CallOption) error {
	st := new(invokeState)
	h := func(ctx context.Context, _ any) (any, error) {
		n := st.sends.Add(1)
		if peer, _ := selector.FromPeerContext(ctx); n > 1 || peer != &st.peer {
			return client.attempt(ctx, tr, req, reply, &c, st, int(n), opts)
		}
		// The first attempt, with Invoke's Peer: nothing runs beside it,
		// so it sends req itself, as without a middleware that retries.
		res, err := client.do(req.WithContext(ctx), client.opts.maxResponse)
		if res != nil {
			tr.replyHeader = headerCarrier(res.Header)
			cs := csAttempt{res: res}
			for _, o := range opts {
				o.after(&c, &cs)
			}
		}
		if err != nil {
			return nil, err
		}
		if err := client.opts.decoder(ctx, res, reply); err != nil {
			return nil, err
		}
		return reply, nil
	}
	ctx = selector.NewPeerContext(ctx, &st.peer)
	if len(client.opts.middleware) > 0 {
		h = middleware.Chain(client.opts.middleware...)(h)
	}
	out, err := h(ctx, args)
	if err == nil && st.sends.Load() > 1 {
		adoptReply(reply, out)
	}
	return err
}

// attemptHeader marks a request sent again for the same Invoke with the
// number of sends before it (middleware/retry reads it on the server).
const attemptHeader = "X-Kratos-Retry-Attempt"

// invokeState is what the attempts of one Invoke share.
type invokeState struct {
	peer  selector.Peer // the node of an attempt that has no Peer of its own
	sends atomic.Int32  // attempts started

	// With several attempts, possibly at the same time (hedging):
	mu  sync.Mutex // guards the Transport's reply header, the call options and won
	won bool       // an attempt decoded a reply; the reply header is its
}

// attempt sends attempt n (from 1) of an Invoke whose middleware makes
// attempts of its own, as middleware/retry does: any attempt after the
// first, and an attempt whose context carries a Peer of its own
// (selector.NewPeerContext), which a middleware that runs attempts at the
// same time (hedging) must give to each of them, the first included. Such
// an attempt sends a copy of req, with its own URL and header, which do
// changes, and from the second on with a fresh body, the attempt header
// and a reply value of its own to decode into; Invoke copies the reply the
// middleware returns into the caller's. req itself is only read. The reply
// header and the call options see the response of the first attempt that
// decoded a reply, or else of the latest one.
func (client *Client) attempt(ctx context.Context, tr *Transport, req *http.Request, reply any, c *callInfo, st *invokeState, n int, opts []CallOption) (any, error) {
	r := req.Clone(ctx)
	if n > 1 {
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = body
		}
		r.Header.Set(attemptHeader, strconv.Itoa(n-1))
		reply = newReply(reply)
	}
	res, err := client.do(r, client.opts.maxResponse)
	if err == nil {
		err = client.opts.decoder(ctx, res, reply)
	}
	if res != nil {
		st.mu.Lock()
		if !st.won {
			st.won = err == nil
			tr.replyHeader = headerCarrier(res.Header)
			cs := csAttempt{res: res}
			for _, o := range opts {
				o.after(c, &cs)
			}
		}
		st.mu.Unlock()
	}
	if err != nil {
		return nil, err
	}
	return reply, nil
}

// newReply returns a new, empty value of the type reply points to, or
// reply itself when it is not a non-nil pointer.
func newReply(reply any) any {
	if m, ok := reply.(proto.Message); ok {
		return m.ProtoReflect().New().Interface()
	}
	if v := reflect.ValueOf(reply); v.Kind() == reflect.Pointer && !v.IsNil() {
		return reflect.New(v.Type().Elem()).Interface()
	}
	return reply
}

// adoptReply copies out, a reply the middleware returned, into reply when
// it is another value of the same pointer type (made by newReply).
func adoptReply(reply, out any) {
	rv, ov := reflect.ValueOf(reply), reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || !ov.IsValid() || ov.Type() != rv.Type() || ov.IsNil() || ov.Pointer() == rv.Pointer() {
		return
	}
	if m, ok := reply.(proto.Message); ok {
		proto.Reset(m)
		proto.Merge(m, out.(proto.Message))
		return
	}
	rv.Elem().Set(ov.Elem())
}

// Do sends req as it is, to a discovered node when the client uses
// discovery, and returns the response; a non-2xx response is returned as
// an error (its body read, up to the limit of WithMaxResponseBodySize and
// 1 MiB, and closed). The body of a 2xx response is not limited: the caller
// reads and closes it. The client middleware does not run.
func (client *Client) Do(req *http.Request, opts ...CallOption) (*http.Response, error) {
	c := defaultCallInfo(req.URL.Path)
	for _, o := range opts {
		if err := o.before(&c); err != nil {
			return nil, err
		}
	}
	res, err := client.do(req, 0)
	if res != nil {
		cs := csAttempt{res: res}
		for _, o := range opts {
			o.after(&c, &cs)
		}
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// do sends req. It returns the response also with the error the error
// decoder made of it (the body is then closed), so call options can see
// its header. The error decoder reads at most the client's error body
// limit; the body of a response it accepts is limited to replyLimit bytes
// (none when replyLimit is zero or less).
func (client *Client) do(req *http.Request, replyLimit int64) (*http.Response, error) {
	var done selector.DoneFunc
	if client.r != nil {
		node, d, err := client.selector.Select(req.Context(), selector.WithNodeFilter(client.opts.nodeFilters...))
		if err != nil {
			return nil, errors.ServiceUnavailable("NODE_NOT_FOUND", err.Error())
		}
		done = d
		if client.insecure {
			req.URL.Scheme = "http"
		} else {
			req.URL.Scheme = "https"
		}
		req.URL.Host = node.Address()
		req.Host = node.Address()
	}
	setTimeoutHeader(req, client.opts.timeout)
	res, err := client.cc.Do(req)
	if err == nil {
		var lb *limitedBody
		if limit := client.opts.maxResponse; limit > 0 {
			lb = &limitedBody{rc: res.Body, size: res.ContentLength, limit: min(limit, maxErrorBody)}
			res.Body = lb
		}
		if err = client.opts.errorDecoder(req.Context(), res); err != nil {
			res.Body.Close()
			err = callerDeadline(req.Context(), err)
		} else if lb != nil {
			if replyLimit > 0 {
				lb.limit = replyLimit // not below the error limit: both come from maxResponse
			} else {
				res.Body = lb.rc
			}
		}
	} else {
		err = fromTransportError(req.Context(), err)
	}
	if done != nil {
		di := selector.DoneInfo{Err: err, BytesSent: true, BytesReceived: res != nil}
		if res != nil {
			di.ReplyMD = headerCarrier(res.Header)
		}
		done(req.Context(), di)
	}
	return res, err
}

// reasonResponseTooLarge is the reason of the error a response body over
// the client's limit gives.
const reasonResponseTooLarge = "RESPONSE_TOO_LARGE"

// limitedBody is a response body that fails once more than limit bytes
// were read from it, reading at most one byte past the limit, or at the
// first read when the declared size is already over it.
type limitedBody struct {
	rc    io.ReadCloser
	size  int64 // Content-Length, or -1
	limit int64
	n     int64 // bytes read so far
	err   error // sticky once over the limit
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.size > b.limit {
		return 0, b.tooLarge()
	}
	if left := b.limit - b.n + 1; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := b.rc.Read(p)
	b.n += int64(n)
	if b.n > b.limit {
		return n - int(b.n-b.limit), b.tooLarge()
	}
	return n, err
}

func (b *limitedBody) tooLarge() error {
	b.err = errors.New(http.StatusBadGateway, reasonResponseTooLarge,
		fmt.Sprintf("transport/http: response body over the client's limit of %d bytes", b.limit))
	return b.err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// fromTransportError keeps a context error recognisable: a call that ran
// out of time or was canceled gets the matching kratos error, with the
// original error as cause.
// callerDeadline marks a server's 504 as the caller's own deadline when
// that deadline has passed: the server ran out of the time the caller sent
// in Connect-Timeout-Ms, and its answer may come before the caller's timer
// fires, so errors.Is(err, context.DeadlineExceeded) holds either way.
func callerDeadline(ctx context.Context, err error) error {
	var se *errors.Error
	if !stderrors.As(err, &se) || se.Code != http.StatusGatewayTimeout || se.Unwrap() != nil {
		return err
	}
	if deadline, ok := ctx.Deadline(); !ok || time.Now().Before(deadline) {
		return err
	}
	return se.WithCause(context.DeadlineExceeded)
}

func fromTransportError(ctx context.Context, err error) error {
	switch ctx.Err() {
	case context.DeadlineExceeded:
		return errors.GatewayTimeout("DEADLINE_EXCEEDED", err.Error()).WithCause(err)
	case context.Canceled:
		return errors.ClientClosed("CANCELED", err.Error()).WithCause(err)
	}
	return err
}

// Close stops following discovery (stopping the registry watcher and
// waiting for its goroutine) and closes the idle connections of a
// transport the client created itself.
func (client *Client) Close() error {
	if client.ownsTr != nil {
		client.ownsTr.CloseIdleConnections()
	}
	if client.r != nil {
		return client.r.Close()
	}
	return nil
}
