package http

import (
	"bytes"
	"context"
	stderrors "errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sync"

	"google.golang.org/grpc/metadata"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/sse"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/ws"
)

// eventStreamType is the media type of Server-Sent Events.
const eventStreamType = "text/event-stream"

// errSSESend is returned by the sending methods of a Server-Sent Events
// client stream.
var errSSESend = stderrors.New("transport/http: a server-sent events stream cannot send")

// ServerSentEvent opens a server-streaming call answered as Server-Sent
// Events (see NewServerSentEventServerStream): it sends a request for
// method and path with args encoded as the body (none when args is nil),
// and returns the stream of the events, which Recv decodes with the codec
// of the Accept option, else of the ContentType option (json by default).
// The request carries "Accept: text/event-stream" (followed by the Accept
// option's type) and the ContentType option's Content-Type, also without a
// body, so the server knows the codec.
//
// The call goes to a node of the client's selector and through the client
// middleware, which run until the response header arrived; an error
// response comes back as the error decoder's *errors.Error. The stream is
// then bounded by ctx only: neither WithTimeout nor a deadline a middleware
// put on its own context ends it. A response that is not an event stream
// is an error with code 502.
func (client *Client) ServerSentEvent(ctx context.Context, method, path string, args any, opts ...CallOption) (ClientStream, error) {
	c := defaultCallInfo(path)
	for _, o := range opts {
		if err := o.before(&c); err != nil {
			return nil, err
		}
	}
	var body []byte
	if args != nil {
		data, err := client.opts.encoder(ctx, c.contentType, args)
		if err != nil {
			return nil, err
		}
		body = data
	}
	req, err := http.NewRequestWithContext(ctx, method, client.target.Scheme+"://"+client.target.Authority+path, bytes.NewReader(body))
	if err != nil {
		return nil, errors.BadRequest(reasonBadRequest, err.Error())
	}
	if args == nil {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	accept := eventStreamType
	if c.accept != "" && c.accept != eventStreamType {
		accept += ", " + c.accept
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("Content-Type", c.contentType)
	req.Header.Set("Cache-Control", "no-cache")
	if client.opts.userAgent != "" {
		req.Header.Set("User-Agent", client.opts.userAgent)
	}
	limit := client.opts.maxResponse
	if limit <= 0 || limit > 1<<30 {
		limit = 1 << 30
	}
	var (
		res    *http.Response
		stream *sseClientStream
	)
	send := func(sctx *streamContext, r *http.Request) (*http.Response, error) {
		var err error
		res, err = (&http.Client{Transport: client.opts.transport}).Do(r)
		if err != nil {
			return nil, fromTransportError(sctx, err)
		}
		if err := client.opts.errorDecoder(sctx, res); err != nil {
			res.Body.Close()
			return res, err
		}
		if ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); ct != eventStreamType {
			res.Body.Close()
			return res, errors.New(http.StatusBadGateway, reasonCodec,
				fmt.Sprintf("transport/http: the response to a server-sent events call is %q, not %s", res.Header.Get("Content-Type"), eventStreamType))
		}
		return res, nil
	}
	err = client.openStream(ctx, req, &c, opts, false, send, func(sctx *streamContext, cancel context.CancelCauseFunc) {
		stream = &sseClientStream{
			ctx:    sctx,
			cancel: cancel,
			res:    res,
			codec:  streamCodec(req.Header, true, "Accept", "Content-Type"),
			events: sse.NewReader(res.Body, int(limit)),
			limit:  limit,
		}
	})
	if err != nil {
		if stream != nil {
			stream.finish(err)
		}
		return nil, err
	}
	return stream, nil
}

// streamSender sends the request r of a stream, whose context is the
// stream's, and returns the response: for a WebSocket the handshake's.
type streamSender func(sctx *streamContext, r *http.Request) (*http.Response, error)

// openStream opens a stream: it sends req (made with ctx) through the
// client middleware to a node of the selector with send, and hands the
// stream's context to open once send succeeded. The stream's context takes
// the values the middleware put on its context, and the deadline and
// cancellation of ctx, so that a deadline a middleware puts on its own
// context does not cut the stream; it is canceled when opening fails. The
// selector's done func is called once the stream is open, or failed to
// open: a balancer weighs the time to open it, not its length.
func (client *Client) openStream(ctx context.Context, req *http.Request, c *callInfo, opts []CallOption, websocket bool, send streamSender, open func(*streamContext, context.CancelCauseFunc)) error {
	tr := &Transport{
		endpoint:     client.opts.endpoint,
		operation:    c.operation,
		pathTemplate: c.pathTemplate,
		reqHeader:    headerCarrier(req.Header),
		replyHeader:  headerCarrier(http.Header{}),
		request:      req,
	}
	ctx = transport.NewClientContext(ctx, tr)
	life, cancel := context.WithCancelCause(ctx)
	var p selector.Peer
	ctx = selector.NewPeerContext(ctx, &p)
	h := func(mctx context.Context, _ any) (any, error) {
		sctx := newStreamContext(mctx, life, nil)
		r := req.WithContext(sctx)
		tr.request = r
		done, err := client.pickNode(sctx, r, websocket)
		if err != nil {
			return nil, err
		}
		setTimeoutHeader(r, 0)
		res, err := send(sctx, r)
		if done != nil {
			di := selector.DoneInfo{Err: err, BytesSent: true, BytesReceived: res != nil}
			if res != nil {
				di.ReplyMD = headerCarrier(res.Header)
			}
			done(sctx, di)
		}
		if res != nil {
			tr.replyHeader = headerCarrier(res.Header)
			cs := csAttempt{res: res}
			for _, o := range opts {
				o.after(c, &cs)
			}
		}
		if err != nil {
			return nil, err
		}
		open(sctx, cancel)
		return nil, nil
	}
	if len(client.opts.middleware) > 0 {
		h = middleware.Chain(client.opts.middleware...)(h)
	}
	_, err := h(ctx, nil)
	if err != nil {
		cancel(errStreamClosed)
	}
	return err
}

// pickNode points req at a node of the selector when the client uses
// discovery, with a ws or wss scheme when websocket is set, and returns the
// selector's done func.
func (client *Client) pickNode(ctx context.Context, req *http.Request, websocket bool) (selector.DoneFunc, error) {
	if client.r == nil {
		return nil, nil
	}
	node, done, err := client.selector.Select(ctx, selector.WithNodeFilter(client.opts.nodeFilters...))
	if err != nil {
		return nil, errors.ServiceUnavailable("NODE_NOT_FOUND", err.Error())
	}
	switch {
	case websocket && client.insecure:
		req.URL.Scheme = "ws"
	case websocket:
		req.URL.Scheme = "wss"
	case client.insecure:
		req.URL.Scheme = "http"
	default:
		req.URL.Scheme = "https"
	}
	req.URL.Host = node.Address()
	req.Host = node.Address()
	return done, nil
}

// sseClientStream is the ClientStream of ServerSentEvent.
type sseClientStream struct {
	ctx    *streamContext
	cancel context.CancelCauseFunc
	res    *http.Response
	codec  encoding.Codec
	events *sse.Reader
	limit  int64

	mu   sync.Mutex // guards err and closing the body
	err  error      // sticky error of Recv
	done bool
}

var _ ClientStream = (*sseClientStream)(nil)

func (s *sseClientStream) Context() context.Context { return s.ctx }

// Header returns the response header as metadata.
func (s *sseClientStream) Header() (metadata.MD, error) { return headerMetadata(s.res.Header), nil }

// Trailer returns the response trailers, once Recv returned io.EOF.
func (s *sseClientStream) Trailer() metadata.MD { return headerMetadata(s.res.Trailer) }

// CloseSend ends the stream and releases it: the client cannot send, so
// there is no half-close.
func (s *sseClientStream) CloseSend() error {
	s.finish(errors.ClientClosed(reasonCanceled, "transport/http: stream closed by CloseSend"))
	return nil
}

func (s *sseClientStream) Send(any) error         { return errSSESend }
func (s *sseClientStream) SendMsg(any) error      { return errSSESend }
func (s *sseClientStream) CloseAndRecv(any) error { return errSSESend }
func (s *sseClientStream) Recv(m any) error       { return s.RecvMsg(m) }

// RecvMsg decodes the next "message" event (or event without a name) into
// m; events of other names are skipped. An "error" event is returned as the
// *errors.Error it carries. At the end of the stream it returns io.EOF.
func (s *sseClientStream) RecvMsg(m any) error {
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	if err != nil {
		return err
	}
	for {
		ev, err := s.events.Next()
		if err != nil {
			return s.finish(s.readError(err))
		}
		switch ev.Name {
		case "", eventMessage:
			return unmarshalStreamMessage(s.codec, ev.Data, m)
		case eventError:
			return s.finish(parseErrorPayload(s.codec, ev.Data))
		}
	}
}

func (s *sseClientStream) readError(err error) error {
	switch {
	case err == io.EOF:
		return io.EOF
	case stderrors.Is(err, sse.ErrTooLarge):
		return errors.New(http.StatusBadGateway, reasonResponseTooLarge,
			fmt.Sprintf("transport/http: event over the client's limit of %d bytes", s.limit))
	}
	return fromTransportError(s.ctx, err)
}

// finish makes err the stream's sticky error (unless it has one), closes
// the body and ends the context. It returns the sticky error.
func (s *sseClientStream) finish(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return s.err
	}
	s.done = true
	s.err = err
	s.res.Body.Close()
	s.cancel(errStreamClosed)
	return s.err
}

// WebSocket opens a client- or bidi-streaming call over WebSocket (see
// NewWebSocketServerStream) at path, which may carry a query (see
// BuildPath), and returns the stream. Messages are sent in the codec of the
// ContentType option (json by default) and received in that of the Accept
// option, else the ContentType option's; both go to the server in the
// handshake's headers.
//
// The handshake goes to a node of the client's selector and through the
// client middleware, which run until the connection is open; a handshake
// the server answers with an error comes back as the error decoder's
// *errors.Error. The client's TLS configuration, and the dialer and proxy
// of its transport when it is an *http.Transport, are used. The stream is
// then bounded by ctx only (not by WithTimeout): when ctx ends, the
// connection is closed and Recv and Send fail with its error.
//
// Send writes one message per WebSocket message (binary frames for codecs
// that do not write text, such as proto); CloseSend half-closes the stream
// (the server's Recv returns io.EOF); Recv returns io.EOF once the server
// closed the stream normally and the *errors.Error it sent otherwise (also
// the plain-text errors of Kratos v3 servers, with code 500). Messages
// larger than WithMaxResponseBodySize (4 MiB by default) end the stream.
// Trailer returns nil.
func (client *Client) WebSocket(ctx context.Context, path string, opts ...CallOption) (ClientStream, error) {
	c := defaultCallInfo(path)
	for _, o := range opts {
		if err := o.before(&c); err != nil {
			return nil, err
		}
	}
	scheme := "ws"
	if client.target.Scheme == "https" {
		scheme = "wss"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+client.target.Authority+path, nil)
	if err != nil {
		return nil, errors.BadRequest(reasonBadRequest, err.Error())
	}
	accept := c.accept
	if accept == "" {
		accept = c.contentType
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("Content-Type", c.contentType)
	if client.opts.userAgent != "" {
		req.Header.Set("User-Agent", client.opts.userAgent)
	}
	d := client.dialer()
	var (
		conn   *ws.Conn
		header http.Header
		stream *wsClientStream
	)
	send := func(sctx *streamContext, r *http.Request) (*http.Response, error) {
		c, res, err := d.Dial(sctx, r.URL.String(), r.Header)
		if err != nil {
			return res, client.handshakeError(sctx, res, err)
		}
		conn, header = c, res.Header
		return res, nil
	}
	err = client.openStream(ctx, req, &c, opts, true, send, func(sctx *streamContext, cancel context.CancelCauseFunc) {
		stream = &wsClientStream{
			ctx:    sctx,
			cancel: cancel,
			conn:   conn,
			header: header,
			enc:    streamCodec(req.Header, false, "Content-Type"),
			dec:    streamCodec(req.Header, false, "Accept", "Content-Type"),
			limit:  client.opts.maxResponse,
		}
		stream.stop = context.AfterFunc(sctx, stream.abort)
	})
	if err != nil {
		if stream != nil {
			stream.finish(err, true)
		} else if conn != nil {
			_ = conn.Close()
		}
		return nil, err
	}
	return stream, nil
}

// dialer returns the WebSocket dialer of the client: its transport's dial
// function and proxy when it is an *http.Transport, and its TLS
// configuration.
func (client *Client) dialer() ws.Dialer {
	d := ws.Dialer{TLSClientConfig: client.opts.tlsConf, ReadLimit: client.opts.maxResponse}
	if t, ok := client.opts.transport.(*http.Transport); ok {
		d.DialContext = t.DialContext
		d.Proxy = t.Proxy
		if d.TLSClientConfig == nil && t.TLSClientConfig != nil {
			d.TLSClientConfig = t.TLSClientConfig.Clone()
		}
	}
	return d
}

// handshakeError returns the error of a failed handshake: the error
// decoder's for an error response, a 502 error for a response that did
// not upgrade, and the dial error otherwise.
func (client *Client) handshakeError(ctx context.Context, res *http.Response, err error) error {
	if res == nil {
		return fromTransportError(ctx, err)
	}
	if derr := client.opts.errorDecoder(ctx, res); derr != nil {
		return derr
	}
	res.Body.Close()
	return errors.New(http.StatusBadGateway, reasonWebSocketHandshake,
		fmt.Sprintf("transport/http: the server answered the websocket handshake with %q", res.Status)).WithCause(err)
}

// wsClientStream is the ClientStream of WebSocket.
type wsClientStream struct {
	ctx      *streamContext
	cancel   context.CancelCauseFunc
	stop     func() bool
	conn     *ws.Conn
	header   http.Header
	enc, dec encoding.Codec
	limit    int64

	mu         sync.Mutex // guards the fields below
	err        error      // sticky error of Recv
	done       bool
	sendClosed bool
}

var _ ClientStream = (*wsClientStream)(nil)

func (s *wsClientStream) Context() context.Context { return s.ctx }

// Header returns the header of the handshake's response as metadata.
func (s *wsClientStream) Header() (metadata.MD, error) { return headerMetadata(s.header), nil }

// Trailer returns nil: WebSocket has no trailers.
func (s *wsClientStream) Trailer() metadata.MD { return nil }

func (s *wsClientStream) Send(m any) error { return s.SendMsg(m) }
func (s *wsClientStream) Recv(m any) error { return s.RecvMsg(m) }

// SendMsg writes m as the next message. After the stream ended it returns
// io.EOF, and Recv tells why.
func (s *wsClientStream) SendMsg(m any) error {
	s.mu.Lock()
	closed, done := s.sendClosed, s.done
	s.mu.Unlock()
	if closed {
		return stderrors.New("transport/http: SendMsg after CloseSend")
	}
	if done {
		return io.EOF
	}
	data, binary, err := marshalStreamMessage(s.enc, m)
	if err != nil {
		return err
	}
	if err := s.conn.WriteData(binary, data); err != nil {
		if s.ctx.Err() != nil {
			return fromTransportError(s.ctx, err)
		}
		return io.EOF
	}
	return nil
}

// CloseSend half-closes the stream: the server's Recv returns io.EOF.
func (s *wsClientStream) CloseSend() error {
	s.mu.Lock()
	if s.sendClosed || s.done {
		s.mu.Unlock()
		return nil
	}
	s.sendClosed = true
	s.mu.Unlock()
	if err := s.conn.WriteEnd(); err != nil && s.ctx.Err() != nil {
		return fromTransportError(s.ctx, err)
	}
	return nil
}

// CloseAndRecv half-closes the stream, reads the reply into m and closes
// the stream.
func (s *wsClientStream) CloseAndRecv(m any) error {
	if err := s.CloseSend(); err != nil {
		return err
	}
	err := s.RecvMsg(m)
	if err == nil {
		s.finish(io.EOF, true)
	}
	return err
}

// RecvMsg reads the next message into m.
func (s *wsClientStream) RecvMsg(m any) error {
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	if err != nil {
		return err
	}
	msg, err := s.conn.Read()
	if err != nil {
		return s.finish(s.readError(err), false)
	}
	switch msg.Kind {
	case ws.Error:
		return s.finish(parseErrorPayload(jsonCodec(), msg.Data), false)
	case ws.End:
		return s.finish(io.EOF, true)
	}
	return unmarshalStreamMessage(s.dec, msg.Data, m)
}

func (s *wsClientStream) readError(err error) error {
	if s.ctx.Err() != nil {
		return fromTransportError(s.ctx, err)
	}
	var ce *ws.CloseError
	switch {
	case stderrors.As(err, &ce) && ce.Code == ws.CloseNormal:
		return io.EOF
	case stderrors.As(err, &ce) && ce.Code == ws.CloseTooBig:
		return errors.New(http.StatusRequestEntityTooLarge, reasonMessageTooLarge, "transport/http: the server refused a stream message over its size limit")
	case stderrors.As(err, &ce):
		return errors.New(http.StatusInternalServerError, reasonWebSocketClosed, "transport/http: the server closed the stream: "+ce.Error())
	case stderrors.Is(err, ws.ErrTooLarge):
		return errors.New(http.StatusBadGateway, reasonResponseTooLarge,
			fmt.Sprintf("transport/http: stream message over the client's limit of %d bytes", s.limit))
	}
	return err
}

// finish makes err the sticky error (unless there is one), closes the
// connection (with a close frame when closeFrame is set) and ends the
// context. It returns the sticky error.
func (s *wsClientStream) finish(err error, closeFrame bool) error {
	s.mu.Lock()
	if s.done {
		err = s.err
		s.mu.Unlock()
		return err
	}
	s.done = true
	s.err = err
	s.mu.Unlock()
	s.stop()
	if closeFrame {
		_ = s.conn.WriteClose(ws.CloseNormal, "")
	}
	_ = s.conn.Close()
	s.cancel(errStreamClosed)
	return err
}

// abort runs when the stream's context ends first: it tells the server
// with a close frame (an abort, as no half-close came first) and closes
// the connection, which ends a blocked Recv.
func (s *wsClientStream) abort() {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done {
		return
	}
	_ = s.conn.WriteClose(ws.CloseGoingAway, "client canceled")
	_ = s.conn.Close()
}
