package http

import (
	"bytes"
	"context"
	stderrors "errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/errors"
)

// ServerStream is the server side of a streaming call over HTTP, made by
// NewServerSentEventServerStream (server-streaming calls, answered as
// Server-Sent Events) or NewWebSocketServerStream (client- and
// bidi-streaming calls, over WebSocket). It has the methods of
// grpc.ServerStream, so it stands for the stream types protoc-gen-go-grpc
// generates and one service implementation serves a method over gRPC and
// HTTP.
//
// Its context (Context) keeps the values of the request context, and of the
// context given to SetContext, but not its deadline: a stream is not cut
// by the server's Timeout. It is canceled when the client goes away, when
// the stream is closed, and, when the request carried a Connect-Timeout-Ms
// header (the caller's own deadline, as Client sends it), at that deadline.
// SetReadDeadline and SetWriteDeadline bound single reads and writes.
//
// The handler ends the stream with Close, which writes the end of the
// stream or its error and releases it. An error given to Close before
// anything was sent is returned by Close, for the route handler to write
// as an ordinary error response. Send may be called from one goroutine at a
// time, Recv from one other.
type ServerStream interface {
	grpc.ServerStream
	// Send writes m as the next message of the stream.
	Send(m any) error
	// Recv reads the next message into m, with the path variables of the
	// request set over it and the fields it left unset filled from the
	// query (see WithStreamBodyField).
	// It returns io.EOF once the client has no more to send.
	Recv(m any) error
	// SendAndClose writes m, the single reply of a client-streaming call;
	// the handler then returns and Close ends the stream.
	SendAndClose(m any) error
	// Close ends the stream, with err as its error when not nil, and
	// releases it. See ServerStream.
	Close(err error) error
	// SetContext sets the context Context returns, as middleware made it;
	// the stream keeps its values, not its deadline or cancellation.
	SetContext(ctx context.Context)
	// SetReadDeadline sets when reads fail, also a read blocked now; zero
	// for none, the default.
	SetReadDeadline(t time.Time) error
	// SetWriteDeadline sets when writes fail; zero for none, the default.
	SetWriteDeadline(t time.Time) error
}

// ClientStream is the client side of a streaming call over HTTP, returned
// by Client.ServerSentEvent and Client.WebSocket. It has the methods of
// grpc.ClientStream, so it stands for the stream types protoc-gen-go-grpc
// generates.
//
// The stream lives until its context ends or Recv returns an error (io.EOF
// at its normal end): call Recv until then, or cancel the context, to
// release it. The client's WithTimeout does not apply to streams. Send may
// be called from one goroutine at a time, Recv from one other.
type ClientStream interface {
	grpc.ClientStream
	// Send writes m as the next message (WebSocket only).
	Send(m any) error
	// Recv reads the next message into m; io.EOF at the end of the stream,
	// an *errors.Error when the server ended it with an error.
	Recv(m any) error
	// CloseAndRecv ends the sending half and reads the single reply of a
	// client-streaming call into m (WebSocket only).
	CloseAndRecv(m any) error
}

// ServerStreamOption configures a ServerStream.
type ServerStreamOption func(*streamOptions)

type streamOptions struct {
	bodyField string
}

// WithStreamBodyField makes Recv decode each message into the field name of
// the request message (a singular message field, such as the "data" of a
// rule with body: "data"), leaving the other fields to the path variables
// and the query. By default a message is decoded into the whole request
// message.
func WithStreamBodyField(name string) ServerStreamOption {
	return func(o *streamOptions) { o.bodyField = name }
}

// errStreamClosed is the cause of the context of a stream that was closed.
var errStreamClosed = stderrors.New("transport/http: stream closed")

// streamContext is the context of a stream: the values of one context
// (vals, which SetContext replaces) with the deadline and cancellation of
// another (life).
type streamContext struct {
	vals   atomic.Pointer[context.Context]
	life   context.Context
	stream any // answered for streamKey
}

// streamKey is the context key of the stream a streamContext belongs to.
type streamKey struct{}

func newStreamContext(vals, life context.Context, stream any) *streamContext {
	c := &streamContext{life: life, stream: stream}
	c.vals.Store(&vals)
	return c
}

func (c *streamContext) setValues(ctx context.Context) {
	if ctx == nil {
		return
	}
	if sc, ok := ctx.(*streamContext); ok {
		ctx = *sc.vals.Load()
	}
	c.vals.Store(&ctx)
}

func (c *streamContext) Deadline() (time.Time, bool) { return c.life.Deadline() }
func (c *streamContext) Done() <-chan struct{}       { return c.life.Done() }
func (c *streamContext) Err() error                  { return c.life.Err() }

func (c *streamContext) Value(key any) any {
	switch key.(type) {
	case streamKey:
		return c.stream
	case *int:
		// The context package finds its cancel context with an *int key
		// (for context.Cause and to attach children): answer with life's.
		return c.life.Value(key)
	}
	return (*c.vals.Load()).Value(key)
}

func (c *streamContext) String() string { return "transport/http.streamContext" }

// serverStreamBase is what both server streams share: their context, ended
// when the client goes away, at the caller's deadline, or by end.
type serverStreamBase struct {
	ctx      *streamContext
	cancel   context.CancelCauseFunc
	stopNet  func() bool
	stopSrv  func() bool
	deadline context.CancelFunc
	untrack  func() // tells the server the stream is over; runs once
}

// init sets up the stream's context from the handler's Context c. onGone
// runs, in its own goroutine, when the client goes away or the request
// ends before the stream did.
func (b *serverStreamBase) init(c Context, stream any, onGone func()) {
	var life context.Context = context.WithoutCancel(c)
	life, b.cancel = context.WithCancelCause(life)
	b.deadline = func() {}
	if d, ok := parseTimeoutMs(c.Header()[timeoutHeader]); ok {
		life, b.deadline = context.WithDeadline(life, time.Now().Add(d))
	}
	b.ctx = newStreamContext(c, life, stream)
	b.untrack, b.stopSrv = func() {}, func() bool { return false }
	if w, ok := c.(*wrapper); ok && w.srv != nil {
		// The server ends its streams when it stops, and waits for them.
		srv := w.srv
		srv.streams.add()
		b.untrack = sync.OnceFunc(srv.streams.done)
		b.stopSrv = context.AfterFunc(srv.streamStop, func() {
			b.cancel(context.Cause(srv.streamStop))
		})
	}
	b.stopNet = context.AfterFunc(netContext(c), func() {
		b.cancel(errors.ClientClosed("CANCELED", "transport/http: the client went away"))
		if onGone != nil {
			onGone()
		}
		// The request is over (the client went away or the handler
		// returned), whether or not the stream was ended.
		b.stopSrv()
		b.untrack()
	})
}

// end cancels the stream's context with cause and stops watching the
// request.
func (b *serverStreamBase) end(cause error) {
	b.stopNet()
	b.stopSrv()
	b.cancel(cause)
	b.deadline()
	b.untrack()
}

func (b *serverStreamBase) Context() context.Context { return b.ctx }

func (b *serverStreamBase) SetContext(ctx context.Context) { b.ctx.setValues(ctx) }

// netContext returns the context net/http gave the request of c: canceled
// when the client goes away or the handler returns, without the server's
// Timeout.
func netContext(c Context) context.Context {
	if w, ok := c.(*wrapper); ok {
		r := w.orig
		if w.tr != nil && w.tr.request != nil {
			r = w.tr.request
		}
		if r != nil {
			ctx := r.Context()
			if rc, ok := ctx.(*reqContext); ok {
				return rc.parent
			}
			return ctx
		}
	}
	return c.Request().Context()
}

// streamWriter returns the writer a stream writes its response to: the
// Context's own, which tracks what was written, for a Context of Server.
func streamWriter(c Context) http.ResponseWriter {
	if w, ok := c.(*wrapper); ok {
		return &w.w
	}
	return c.Response()
}

// streamRequest returns the request of c to read from, without making a
// copy of it for a Context of Server.
func streamRequest(c Context) *http.Request {
	if w, ok := c.(*wrapper); ok {
		return w.peek()
	}
	return c.Request()
}

// streamCodec returns the codec of the first media type, in the headers
// names in order, that has one; json when none has. With textOnly, codecs
// whose output is not text are passed over.
func streamCodec(h http.Header, textOnly bool, names ...string) encoding.Codec {
	for _, name := range names {
		for _, v := range h[name] {
			for _, item := range strings.Split(v, ",") {
				if c := codecFor(item); c != nil && (!textOnly || textCodec(c.Name())) {
					return c
				}
			}
		}
	}
	return encoding.GetCodec("json")
}

// textCodec reports whether the codec called name writes text.
func textCodec(name string) bool {
	switch name {
	case "json", "protojson", "xml", "yaml", "x-www-form-urlencoded":
		return true
	}
	return false
}

// marshalStreamMessage encodes one message of a stream: an HttpBody as its
// data, anything else with codec. binary tells whether the result is to
// go in a binary frame: it is when the codec does not write text, or
// when the data is not UTF-8.
func marshalStreamMessage(codec encoding.Codec, m any) (data []byte, binary bool, err error) {
	if body, ok := m.(*httpbody.HttpBody); ok {
		data = body.GetData()
		return data, !textContentType(body.GetContentType()) || !utf8.Valid(data), nil
	}
	data, err = codec.Marshal(m)
	if err != nil {
		return nil, false, err
	}
	return data, !textCodec(codec.Name()) || !utf8.Valid(data), nil
}

// textContentType reports whether a media type is text.
func textContentType(ct string) bool {
	if strings.HasPrefix(ct, "text/") {
		return true
	}
	return ct != "" && textCodec(subtype(ct))
}

// unmarshalStreamMessage decodes one message of a stream into m: the data
// of an HttpBody as it is, anything else with codec. data may be reused
// after it returns.
func unmarshalStreamMessage(codec encoding.Codec, data []byte, m any) error {
	if body, ok := httpBodyOf(m); ok {
		body.Data = bytes.Clone(data)
		return nil
	}
	if err := codec.Unmarshal(data, m); err != nil {
		return errors.BadRequest(reasonCodec, fmt.Sprintf("stream message unmarshal: %v", err))
	}
	return nil
}

// unmarshalBodyField decodes data into the field name of m, a singular
// message field, as WithStreamBodyField says.
func unmarshalBodyField(codec encoding.Codec, data []byte, m any, name string) error {
	pm, ok := m.(proto.Message)
	if !ok {
		return fmt.Errorf("transport/http: stream body field %q needs a proto message, got %T", name, m)
	}
	r := pm.ProtoReflect()
	fd := r.Descriptor().Fields().ByName(protoreflect.Name(name))
	if fd == nil {
		fd = r.Descriptor().Fields().ByJSONName(name)
	}
	if fd == nil || fd.Kind() != protoreflect.MessageKind || fd.IsList() || fd.IsMap() {
		return fmt.Errorf("transport/http: stream body field %q is not a singular message field of %s", name, r.Descriptor().FullName())
	}
	v := r.NewField(fd)
	if err := unmarshalStreamMessage(codec, data, v.Message().Interface()); err != nil {
		return err
	}
	r.Set(fd, v)
	return nil
}

// errorPayload is the body of an error sent on a stream: the error as
// {"code","reason","message","metadata"}, in JSON.
func errorPayload(codec encoding.Codec, err error) []byte {
	se := errors.FromError(err)
	data, merr := codec.Marshal(se)
	if merr != nil && codec.Name() != "json" {
		data, merr = encoding.GetCodec("json").Marshal(se)
	}
	if merr != nil {
		return []byte(se.Message)
	}
	return data
}

// parseErrorPayload returns the error a stream's error payload stands
// for: the *errors.Error it encodes with codec, or, for a payload that is
// not one (the plain text Kratos v3 sends), a 500 error with the text as
// message.
func parseErrorPayload(codec encoding.Codec, data []byte) *errors.Error {
	se := new(errors.Error)
	if err := codec.Unmarshal(data, se); err == nil && se.Code != 0 {
		return se
	}
	return errors.New(http.StatusInternalServerError, errors.UnknownReason, string(data))
}

// setMetadata adds md to the header h.
func setMetadata(h http.Header, md metadata.MD) {
	for k, vs := range md {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
}

// headerMetadata returns h as metadata, with lower-case keys.
func headerMetadata(h http.Header) metadata.MD {
	md := make(metadata.MD, len(h))
	for k, vs := range h {
		md[strings.ToLower(k)] = append([]string(nil), vs...)
	}
	return md
}
