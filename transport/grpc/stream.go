package grpc

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/seed6ad8aa6b/kratos/internal/matcher"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// GetStream returns the grpc-go stream of the streaming call whose context
// (or a context derived from it) is ctx, as grpc-go passed it to the
// server, without the server's wrapping. It returns nil for a unary call
// and for a context that does not come from the server. Messages received
// or sent on it directly bypass the server's decoding (see
// WithRecursionLimit): they are protobuf, whatever the call's
// content-subtype.
func GetStream(ctx context.Context) grpc.ServerStream {
	if c, ok := ctx.Value(callKey{}).(*serverCall); ok && c.stream != nil {
		return c.stream.ss
	}
	return nil
}

// NewWrappedStream returns stream with ctx as its context and with the
// middleware that m has for the operation of ctx's server Transport
// running around each RecvMsg and SendMsg, with the message as request.
// Without a server Transport in ctx, or with a nil m, messages pass through
// unchanged.
func NewWrappedStream(ctx context.Context, stream grpc.ServerStream, m matcher.Matcher) grpc.ServerStream {
	ws := &wrappedStream{ServerStream: stream, ctx: ctx}
	if tr, ok := transport.FromServerContext(ctx); ok && m != nil {
		ws.ms = m.Match(tr.Operation())
	}
	return ws
}

// wrappedStream is the stream a streaming handler gets: its context carries
// the Transport, and its messages pass through the stream middleware.
// grpc-go allows one goroutine to receive while another sends; each
// direction builds its chain on first use, so they share nothing.
type wrappedStream struct {
	grpc.ServerStream
	ctx  context.Context
	ms   []middleware.Middleware
	call *serverCall // nil when made by NewWrappedStream

	// With codec, the server decodes each message received (see
	// serverCodec) from raw, and wraps those sent as cc says.
	codec *serverCodec
	cc    callCodec
	raw   rawMessage

	recv middleware.Handler
	send middleware.Handler
}

func (w *wrappedStream) Context() context.Context { return w.ctx }

func (w *wrappedStream) RecvMsg(m any) error {
	if len(w.ms) == 0 {
		return w.recvMsg(m)
	}
	if w.recv == nil {
		w.recv = middleware.Chain(w.ms...)(func(_ context.Context, req any) (any, error) {
			return req, w.recvMsg(req)
		})
	}
	_, err := w.recv(w.ctx, m)
	return err
}

func (w *wrappedStream) recvMsg(m any) error {
	if w.codec == nil {
		return w.ServerStream.RecvMsg(m)
	}
	defer w.raw.free()
	if err := w.ServerStream.RecvMsg(&w.raw); err != nil {
		return err
	}
	return w.codec.decode(w.cc, &w.raw, m)
}

func (w *wrappedStream) sendMsg(m any) error {
	if w.codec == nil {
		return w.ServerStream.SendMsg(m)
	}
	return w.ServerStream.SendMsg(w.cc.wrap(m))
}

func (w *wrappedStream) SendMsg(m any) error {
	if w.call != nil {
		w.call.sendHeader()
	}
	if len(w.ms) == 0 {
		return w.sendMsg(m)
	}
	if w.send == nil {
		w.send = middleware.Chain(w.ms...)(func(_ context.Context, req any) (any, error) {
			return req, w.sendMsg(req)
		})
	}
	_, err := w.send(w.ctx, m)
	return err
}

// SendHeader sends md together with the Transport's reply header.
func (w *wrappedStream) SendHeader(md metadata.MD) error {
	if w.call != nil {
		w.call.sendHeader()
	}
	return w.ServerStream.SendHeader(md)
}
