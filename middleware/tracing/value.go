package tracing

import (
	"context"

	"go.opentelemetry.io/otel/trace"

	"github.com/seed6ad8aa6b/kratos/log"
)

// TraceID returns a log valuer that yields the hex trace ID of the span in
// the log record's context, or "" when there is none.
func TraceID() log.Valuer {
	return func(ctx context.Context) any {
		if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
			return sc.TraceID().String()
		}
		return ""
	}
}

// SpanID returns a log valuer that yields the hex span ID of the span in the
// log record's context, or "" when there is none.
func SpanID() log.Valuer {
	return func(ctx context.Context) any {
		if sc := trace.SpanContextFromContext(ctx); sc.HasSpanID() {
			return sc.SpanID().String()
		}
		return ""
	}
}
