package tracing

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/errors"
)

// Tracer starts and ends the spans of one side of a call: server spans that
// continue the trace of the incoming headers, or client spans whose trace
// context is written into the outgoing headers. Server and Client use it;
// transports or handlers that do not go through middleware can use it
// directly. A Tracer is safe for concurrent use.
type Tracer struct {
	tracer     trace.Tracer
	kind       trace.SpanKind
	kindOpt    trace.SpanStartOption // trace.WithSpanKind(kind), built once
	propagator propagation.TextMapPropagator
}

// NewTracer returns a Tracer for spans of kind, which must be
// trace.SpanKindServer or trace.SpanKindClient; any other kind panics, as a
// programming error.
func NewTracer(kind trace.SpanKind, opts ...Option) *Tracer {
	if kind != trace.SpanKindServer && kind != trace.SpanKindClient {
		panic(fmt.Sprintf("tracing: unsupported span kind: %v", kind))
	}
	o := options{tracerName: defaultTracerName}
	for _, opt := range opts {
		opt(&o)
	}
	if o.tracerProvider == nil {
		o.tracerProvider = otel.GetTracerProvider()
	}
	if o.propagator == nil {
		o.propagator = propagation.NewCompositeTextMapPropagator(Metadata{name: o.serviceName}, propagation.Baggage{}, propagation.TraceContext{})
	}
	return &Tracer{
		tracer:     o.tracerProvider.Tracer(o.tracerName),
		kind:       kind,
		kindOpt:    trace.WithSpanKind(kind),
		propagator: o.propagator,
	}
}

// Start opens a span named operation. A server Tracer first extracts the
// remote trace context (and whatever else the propagator carries) from
// carrier, so the span becomes a child of the caller's; a client Tracer
// makes the span a child of the one in ctx and then injects its context into
// carrier. The returned context holds the span; the caller must pass the span
// to End.
func (t *Tracer) Start(ctx context.Context, operation string, carrier propagation.TextMapCarrier) (context.Context, trace.Span) {
	if t.kind == trace.SpanKindServer {
		ctx = t.propagator.Extract(ctx, carrier)
	}
	ctx, span := t.tracer.Start(ctx, operation, t.kindOpt)
	if t.kind == trace.SpanKindClient {
		t.propagator.Inject(ctx, carrier)
	}
	return ctx, span
}

// End ends span. A non-nil err is recorded as an exception event, its Kratos
// code as the attribute rpc.status_code, and the span status becomes Error
// with the error's text; otherwise the status is Ok. When reply m is a proto
// message its encoded size is recorded as send_msg.size (server) or
// recv_msg.size (client).
func (t *Tracer) End(_ context.Context, span trace.Span, m any, err error) {
	if span.IsRecording() {
		if err != nil {
			span.RecordError(err)
			if e := errors.FromError(err); e != nil {
				span.SetAttributes(attribute.Int64(keyRPCStatusCode, int64(e.Code)))
			}
			span.SetStatus(codes.Error, err.Error())
		} else {
			span.SetStatus(codes.Ok, "")
		}
		if p, ok := m.(proto.Message); ok {
			key := keyRecvMsgSize
			if t.kind == trace.SpanKindServer {
				key = keySendMsgSize
			}
			span.SetAttributes(attribute.Int(key, proto.Size(p)))
		}
	}
	span.End()
}
