// Package tracing records OpenTelemetry spans for server and client calls.
//
// Server returns a middleware that continues the trace found in the request
// headers (W3C trace context and baggage by default) and opens a span of kind
// server named after the operation; Client opens a span of kind client and
// writes the trace context into the outgoing request headers, so a chain of
// services shares one trace. Both describe the call with attributes (rpc.*,
// http.*, url.*, peer address) and mark failed calls with status Error.
//
// The tracer provider defaults to the global one of package otel, read when
// the middleware is built; otel's global provider forwards to the first
// provider installed with otel.SetTracerProvider, even later, so building
// the middleware before installing the SDK is fine. Tracer exposes the span
// handling for transports that do not use middleware. TraceID and SpanID are
// log valuers that put the current trace and span IDs on log records.
//
// # Order with logging
//
// The span lives in the context that the middleware after this one
// receives. List Server (or Client) before the logging middleware, so that
// the logging middleware's record carries the call's trace.id and span.id;
// listed after it, they are empty in that record:
//
//	grpc.Middleware(recovery.Recovery(), tracing.Server(), logging.Server(logger))
package tracing

import (
	"context"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// defaultTracerName is the instrumentation scope name of the tracer.
const defaultTracerName = "kratos"

// Option configures Server, Client and NewTracer.
type Option func(*options)

type options struct {
	tracerName     string
	tracerProvider trace.TracerProvider
	propagator     propagation.TextMapPropagator
	serviceName    string
}

// WithTracerProvider sets the provider spans are created with. The default
// is otel.GetTracerProvider() at the time the middleware or Tracer is built.
// A nil provider keeps the default.
func WithTracerProvider(provider trace.TracerProvider) Option {
	return func(o *options) { o.tracerProvider = provider }
}

// WithPropagator sets how the trace context travels in request headers. The
// default is the composite of Metadata (service name), W3C baggage and W3C
// trace context. A nil propagator keeps the default.
func WithPropagator(propagator propagation.TextMapPropagator) Option {
	return func(o *options) { o.propagator = propagator }
}

// WithServiceName sets the service name that the default propagator's
// Metadata writes into the x-md-service-name header of client calls; the
// receiving server records it as the span attribute peer.service. It has no effect
// together with WithPropagator. The default is no name. (Not in Kratos,
// whose Metadata reads the name from the App in the context.)
func WithServiceName(name string) Option {
	return func(o *options) { o.serviceName = name }
}

// WithTracerName sets the instrumentation scope name of the tracer; the
// default is "kratos".
func WithTracerName(name string) Option {
	return func(o *options) { o.tracerName = name }
}

// Server returns a middleware that traces server calls. It extracts the
// caller's trace context from the request headers and opens a server span
// named after the operation, which handlers find in their context with
// trace.SpanFromContext. Calls without a server transport in their context
// pass through untraced.
func Server(opts ...Option) middleware.Middleware {
	tracer := NewTracer(trace.SpanKindServer, opts...)
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (reply any, err error) {
			tr, ok := transport.FromServerContext(ctx)
			if !ok {
				return handler(ctx, req)
			}
			var span trace.Span
			ctx, span = tracer.Start(ctx, tr.Operation(), carrierOf(tr.Kind(), tr.RequestHeader()))
			if span.IsRecording() {
				setServerSpan(ctx, span, tr, req)
			}
			defer func() { tracer.End(ctx, span, reply, err) }()
			return handler(ctx, req)
		}
	}
}

// Client returns a middleware that traces client calls. It opens a client
// span named after the operation, as a child of the span in the caller's
// context, and injects its trace context into the request headers. Calls
// without a client transport in their context pass through untraced.
func Client(opts ...Option) middleware.Middleware {
	tracer := NewTracer(trace.SpanKindClient, opts...)
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (reply any, err error) {
			tr, ok := transport.FromClientContext(ctx)
			if !ok {
				return handler(ctx, req)
			}
			var span trace.Span
			ctx, span = tracer.Start(ctx, tr.Operation(), carrierOf(tr.Kind(), tr.RequestHeader()))
			if span.IsRecording() {
				setClientSpan(ctx, span, tr, req)
			}
			defer func() { tracer.End(ctx, span, reply, err) }()
			return handler(ctx, req)
		}
	}
}

// carrierOf returns the request header h of a call of kind as a
// propagation carrier. transport.Header already has the carrier's methods;
// HTTP headers are wrapped in httpCarrier, and a nil header becomes an
// empty, throw-away carrier so that a transport without headers cannot make
// the middleware panic.
func carrierOf(kind transport.Kind, h transport.Header) propagation.TextMapCarrier {
	switch {
	case h == nil:
		return propagation.MapCarrier{}
	case kind == transport.KindHTTP:
		return httpCarrier{h}
	default:
		return h
	}
}

// httpCarrier hands the propagators' lower-case field names to an HTTP
// header in canonical form. Headers are case-insensitive either way, but
// net/http finds a canonical key without first allocating its canonical
// copy, which was the largest cost of extracting the trace context.
type httpCarrier struct {
	transport.Header
}

func (c httpCarrier) Get(key string) string      { return c.Header.Get(canonicalField(key)) }
func (c httpCarrier) Set(key, value string)      { c.Header.Set(canonicalField(key), value) }
func (c httpCarrier) Values(key string) []string { return c.Header.Values(canonicalField(key)) }
func (c httpCarrier) Keys() []string             { return c.Header.Keys() }

// canonicalField returns the canonical HTTP form of the fields that the
// default propagators read and write; other keys are returned unchanged.
func canonicalField(key string) string {
	switch key {
	case "traceparent":
		return "Traceparent"
	case "tracestate":
		return "Tracestate"
	case "baggage":
		return "Baggage"
	case serviceHeader:
		return "X-Md-Service-Name"
	}
	return key
}
