package tracing

import (
	"context"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/stats"
)

// ClientHandler is a gRPC stats handler for clients that adds the address
// of the server a call was sent to (network.peer.address and
// network.peer.port) to the client span in the call's context. The client
// middleware only knows the dial target, which may name a service rather
// than an address. Install it with grpc.WithStatsHandler(&ClientHandler{}).
// The zero value is ready to use and safe for concurrent use.
type ClientHandler struct{}

var _ stats.Handler = (*ClientHandler)(nil)

// HandleConn does nothing; connections are not traced.
func (*ClientHandler) HandleConn(context.Context, stats.ConnStats) {}

// TagConn returns ctx unchanged.
func (*ClientHandler) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}

// HandleRPC records the peer's address on the recording span in ctx once
// the call's headers went out, when the peer is known.
func (*ClientHandler) HandleRPC(ctx context.Context, rs stats.RPCStats) {
	out, ok := rs.(*stats.OutHeader)
	if !ok {
		return
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	addr := out.RemoteAddr
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		addr = p.Addr
	}
	if addr != nil {
		span.SetAttributes(appendPeerAttrs(nil, addr.String())...)
	}
}

// TagRPC returns ctx unchanged.
func (*ClientHandler) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context {
	return ctx
}
