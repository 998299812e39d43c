// Package transport defines what the HTTP and gRPC transports have in
// common: a Server that starts and stops, a Transporter describing the call
// in flight, and the Header view of request and reply headers.
//
// A server puts its Transporter into the handler's context with
// NewServerContext; a client does the same with NewClientContext before its
// middleware runs. Middleware reads them back with FromServerContext and
// FromClientContext and type-asserts for transport-specific details.
package transport

import (
	"context"
	"net/url"

	"github.com/seed6ad8aa6b/kratos/transport/internal/ctxkey"
)

// Server is a transport server that an App starts and stops.
//
// Start blocks until the server stops serving or fails; Stop shuts it down
// gracefully and forces it closed when ctx is done.
type Server interface {
	Start(context.Context) error
	Stop(context.Context) error
}

// Endpointer is implemented by servers that can tell the URL clients use to
// reach them, such as "http://10.0.0.1:8000" or "grpc://10.0.0.1:9000".
type Endpointer interface {
	Endpoint() (*url.URL, error)
}

// Drainer is implemented by servers that take part in an App's drain: when
// the App begins to stop, it calls Drain, deregisters, and waits for its
// drain delay before it stops the servers, so that clients move away while
// the servers still answer. Drain must not stop serving; it makes the
// server report itself not ready (the gRPC server's health service answers
// NOT_SERVING). It may be called before Start.
//
// This interface is not part of Kratos.
type Drainer interface {
	Drain(ctx context.Context) error
}

// Header is a view of request or reply headers (HTTP headers or gRPC
// metadata). Keys are case-insensitive.
type Header interface {
	Get(key string) string
	Set(key string, value string)
	Add(key string, value string)
	Keys() []string
	Values(key string) []string
}

// Transporter describes the call in flight on either side of a connection.
type Transporter interface {
	// Kind is the transport kind: KindHTTP or KindGRPC.
	Kind() Kind
	// Endpoint is the server endpoint (server side) or the target (client side).
	Endpoint() string
	// Operation is the full method name, such as "/helloworld.v1.Greeter/SayHello".
	Operation() string
	// RequestHeader holds the headers or metadata of the request.
	RequestHeader() Header
	// ReplyHeader holds the headers or metadata of the reply.
	ReplyHeader() Header
}

// Kind names a transport.
type Kind string

func (k Kind) String() string { return string(k) }

// The transport kinds.
const (
	KindGRPC Kind = "grpc"
	KindHTTP Kind = "http"
)

// NewServerContext returns a context carrying the server-side transporter.
func NewServerContext(ctx context.Context, tr Transporter) context.Context {
	return context.WithValue(ctx, ctxkey.Server{}, tr)
}

// FromServerContext returns the server-side transporter stored in ctx.
func FromServerContext(ctx context.Context) (tr Transporter, ok bool) {
	tr, ok = ctx.Value(ctxkey.Server{}).(Transporter)
	return
}

// NewClientContext returns a context carrying the client-side transporter.
func NewClientContext(ctx context.Context, tr Transporter) context.Context {
	return context.WithValue(ctx, ctxkey.Client{}, tr)
}

// FromClientContext returns the client-side transporter stored in ctx.
func FromClientContext(ctx context.Context) (tr Transporter, ok bool) {
	tr, ok = ctx.Value(ctxkey.Client{}).(Transporter)
	return
}
