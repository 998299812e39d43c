package http

import (
	"context"
	stderrors "errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"google.golang.org/grpc/metadata"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/sse"
)

// Event names of the Server-Sent Events of a stream.
const (
	eventMessage = "message"
	eventError   = "error"
)

// keepAliveComment is the text of the comments KeepAlive writes.
const keepAliveComment = "keep-alive"

// EventStream is what a ServerStream of NewServerSentEventServerStream can
// do beyond ServerStream. Reach it with a type assertion on that stream,
// or, from a service method that received the stream through a generated
// wrapper, with EventStreamFromContext on the stream's context.
//
// EventStream is not part of Kratos.
type EventStream interface {
	// LastEventID returns the Last-Event-ID header of the request, which
	// a reconnecting EventSource sets to the id of the last event it
	// received; "" when there is none.
	LastEventID() string
	// SendEvent sends m as a message event with id, which the client
	// reports back in Last-Event-ID when it reconnects. An id with a line
	// break or NUL is refused.
	SendEvent(id string, m any) error
	// KeepAlive makes the stream write a comment line (": keep-alive")
	// whenever nothing was written for d, once the response header went
	// out (see SendHeader), so that proxies and load balancers do not close
	// a quiet stream. Zero or less stops it. The default is none.
	KeepAlive(d time.Duration)
}

// EventStreamFromContext returns the EventStream of the Server-Sent Events
// stream whose context (ServerStream.Context) ctx is or derives from.
func EventStreamFromContext(ctx context.Context) (EventStream, bool) {
	es, ok := ctx.Value(streamKey{}).(EventStream)
	return es, ok
}

// sseStream is the ServerStream of NewServerSentEventServerStream.
type sseStream struct {
	serverStreamBase
	w     http.ResponseWriter
	rc    *http.ResponseController
	codec encoding.Codec
	last  string // Last-Event-ID

	mu        sync.Mutex // serializes writes; guards the fields below
	started   bool       // the header was written
	closed    bool
	err       error // the first write error; the stream is dead after it
	trailer   metadata.MD
	buf       []byte
	lastWrite time.Time

	kaMu   sync.Mutex // guards ka
	ka     *keepAlive
	kaDone bool // the stream was closed: no more keep-alive
}

var (
	_ ServerStream = (*sseStream)(nil)
	_ EventStream  = (*sseStream)(nil)
)

// NewServerSentEventServerStream returns the stream of a server-streaming
// call answered as Server-Sent Events (text/event-stream), for the handler
// of the route to hand to the service method and end with Close.
//
// The response is 200 with Content-Type text/event-stream, Cache-Control
// no-cache and X-Accel-Buffering no (which keeps proxies such as nginx from
// buffering it), written with the first message or SendHeader. Each
// message is an event "message" whose data is the message in the codec of
// the request's Accept header, else of its Content-Type, else json (codecs
// that do not write text, such as proto, are passed over); the data takes
// one "data:" line per line. Each event is flushed at once. An
// *httpbody.HttpBody is sent as its data.
//
// Close with an error writes an event "error" whose data is the error as
// {"code","reason","message","metadata"}, which Client.ServerSentEvent
// returns from Recv as an *errors.Error; before the first event, Close
// returns the error instead, for the route handler to write as an ordinary
// error response. Close(nil) before the first event writes an empty
// stream. Headers set with SetHeader or SendHeader go out once; trailers set
// with SetTrailer are sent as HTTP trailers.
//
// The stream is not cut by the server's Timeout: its context is detached
// from it (see ServerStream) and the read deadline the server put on the
// request body is lifted. The stream also implements EventStream.
//
// A generated handler runs the service method inside the server
// middleware with the stream's context:
//
//	stream := http.NewServerSentEventServerStream(ctx)
//	http.SetOperation(ctx, OperationRouteGuideListFeatures)
//	h := ctx.Middleware(func(ctx context.Context, req any) (any, error) {
//		stream.SetContext(ctx)
//		return nil, srv.ListFeatures(req.(*Rectangle), &routeGuideListFeaturesServer{stream})
//	})
//	_, err := h(stream.Context(), &in)
//	return stream.Close(err)
func NewServerSentEventServerStream(ctx Context) ServerStream {
	s := &sseStream{
		w:     streamWriter(ctx),
		codec: streamCodec(ctx.Header(), true, "Accept", "Content-Type"),
		last:  ctx.Header().Get("Last-Event-Id"),
	}
	s.rc = http.NewResponseController(s.w)
	s.init(ctx, s, nil)
	// The server bounds the arrival of a request body with a read deadline
	// on the connection; past it, net/http would cancel the request.
	_ = s.rc.SetReadDeadline(time.Time{})
	return s
}

func (s *sseStream) LastEventID() string { return s.last }

// startLocked writes the response header unless it was written.
func (s *sseStream) startLocked() {
	if s.started {
		return
	}
	s.started = true
	h := s.w.Header()
	h["Content-Type"] = []string{"text/event-stream"}
	h["Cache-Control"] = []string{"no-cache"}
	h["X-Accel-Buffering"] = []string{"no"}
	delete(h, "Content-Length")
	s.w.WriteHeader(http.StatusOK)
}

// writeLocked writes s.buf and flushes it. A write error ends the
// stream: the client is gone.
func (s *sseStream) writeLocked() error {
	if s.err != nil {
		return s.err
	}
	if _, err := s.w.Write(s.buf); err != nil {
		s.err = fmt.Errorf("transport/http: write event: %w", err)
		s.end(s.err)
		return s.err
	}
	if err := s.rc.Flush(); err != nil && !stderrors.Is(err, http.ErrNotSupported) {
		s.err = fmt.Errorf("transport/http: flush event: %w", err)
		s.end(s.err)
		return s.err
	}
	s.lastWrite = time.Now()
	return nil
}

func (s *sseStream) send(name, id string, m any) error {
	var (
		data []byte
		err  error
	)
	if b, ok := httpBodyOf(m); ok {
		data = b.GetData()
	} else if data, err = s.codec.Marshal(m); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errStreamClosed
	}
	buf, err := sse.AppendEvent(s.buf[:0], name, id, data)
	if err != nil {
		return err
	}
	s.buf = buf
	s.startLocked()
	return s.writeLocked()
}

func (s *sseStream) SendMsg(m any) error              { return s.send(eventMessage, "", m) }
func (s *sseStream) Send(m any) error                 { return s.send(eventMessage, "", m) }
func (s *sseStream) SendAndClose(m any) error         { return s.send(eventMessage, "", m) }
func (s *sseStream) SendEvent(id string, m any) error { return s.send(eventMessage, id, m) }

// RecvMsg returns io.EOF: the client sends nothing after its request.
func (s *sseStream) RecvMsg(any) error { return io.EOF }

// Recv returns io.EOF: the client sends nothing after its request.
func (s *sseStream) Recv(any) error { return io.EOF }

// SetHeader adds md to the response header. It fails once the header was
// written.
func (s *sseStream) SetHeader(md metadata.MD) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return stderrors.New("transport/http: SetHeader after the header was sent")
	}
	setMetadata(s.w.Header(), md)
	return nil
}

// SendHeader adds md to the response header and writes it. It fails once
// the header was written.
func (s *sseStream) SendHeader(md metadata.MD) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return stderrors.New("transport/http: SendHeader after the header was sent")
	}
	if s.closed {
		return errStreamClosed
	}
	setMetadata(s.w.Header(), md)
	s.startLocked()
	s.buf = s.buf[:0]
	return s.writeLocked()
}

// SetTrailer adds md to the trailers sent when the stream is closed.
func (s *sseStream) SetTrailer(md metadata.MD) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trailer = metadata.Join(s.trailer, md)
}

// SetReadDeadline sets a read deadline on the connection. The client sends
// nothing after its request, so past it the stream ends.
func (s *sseStream) SetReadDeadline(t time.Time) error { return s.rc.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of the writes of later events.
func (s *sseStream) SetWriteDeadline(t time.Time) error { return s.rc.SetWriteDeadline(t) }

func (s *sseStream) Close(err error) error {
	s.stopKeepAlive()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	defer s.end(errStreamClosed)
	if !s.started && err != nil {
		return err
	}
	s.startLocked()
	s.buf = s.buf[:0]
	if err != nil {
		s.buf, _ = sse.AppendEvent(s.buf, eventError, "", errorPayload(s.codec, err))
	}
	for k, vs := range s.trailer {
		s.w.Header()[http.TrailerPrefix+http.CanonicalHeaderKey(k)] = vs
	}
	if werr := s.writeLocked(); werr != nil && err == nil {
		return werr
	}
	return nil
}

// KeepAlive starts, changes or stops (d <= 0) the keep-alive comments.
func (s *sseStream) KeepAlive(d time.Duration) {
	s.kaMu.Lock()
	defer s.kaMu.Unlock()
	if s.ka != nil {
		s.ka.stop()
		s.ka = nil
	}
	if d <= 0 || s.kaDone {
		return
	}
	s.ka = startKeepAlive(s.ctx, d, s.keepAliveTick)
}

func (s *sseStream) stopKeepAlive() {
	s.kaMu.Lock()
	defer s.kaMu.Unlock()
	s.kaDone = true
	if s.ka != nil {
		s.ka.stop()
		s.ka = nil
	}
}

// keepAliveTick writes a comment when nothing was written for d. It
// reports false once the stream cannot be written any more.
func (s *sseStream) keepAliveTick(now time.Time, d time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.err != nil {
		return false
	}
	if !s.started || now.Sub(s.lastWrite) < d {
		return true
	}
	s.buf = sse.AppendComment(s.buf[:0], keepAliveComment)
	return s.writeLocked() == nil
}

// keepAlive is a goroutine that calls tick every d until stopped, ctx
// ends, or tick reports false. Its owner stops it with stop, which waits
// for it.
type keepAlive struct {
	quit chan struct{}
	done chan struct{}
}

func startKeepAlive(ctx context.Context, d time.Duration, tick func(time.Time, time.Duration) bool) *keepAlive {
	ka := &keepAlive{quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(ka.done)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				if !tick(now, d) {
					return
				}
			case <-ka.quit:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return ka
}

func (ka *keepAlive) stop() {
	close(ka.quit)
	<-ka.done
}
