// Package logging writes one log record per call, on the server or client
// side: kind, component, operation, args, code, reason, stack and latency.
// Successful calls are logged at info level with code 200, failed calls at
// error level with the error's code and reason.
//
// Unlike Kratos, the fields that come from the request or its error (args,
// reason, stack, operation) are bounded, DefaultMaxFieldSize bytes each by
// default, so that a client cannot turn one large request into one huge log
// line; FormatArgs describes how requests are rendered and cut.
// ServerWithOptions and ClientWithOptions take options such as
// WithMaxFieldSize; Server and Client use the defaults.
//
// # Order with tracing
//
// Valuers bound to the logger, such as tracing.TraceID and tracing.SpanID,
// are resolved with the context this middleware receives. For the record to
// carry the call's trace, the tracing middleware must already have run, so
// list it before this one (middleware listed first runs outermost):
//
//	http.Middleware(
//		recovery.Recovery(),
//		tracing.Server(),
//		logging.Server(logger), // logger = log.With(sink, "trace.id", tracing.TraceID(), "span.id", tracing.SpanID())
//	)
//
// With logging listed before tracing, the record is written with the
// context from before the span was opened, and trace.id and span.id are
// empty. The same holds for Client and tracing.Client.
package logging

import (
	"context"
	"fmt"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// Redacter is implemented by requests that print themselves without
// sensitive fields; its Redact result is logged as the call's args (and is
// bounded like any other args).
type Redacter interface {
	Redact() string
}

// Option configures ServerWithOptions and ClientWithOptions.
type Option func(*options)

type options struct {
	maxFieldSize int
}

// WithMaxFieldSize bounds each request-derived field of a record (args,
// reason, stack, operation) to n bytes, followed by a truncation marker
// (see FormatArgs). Default: DefaultMaxFieldSize (4 KiB). n <= 0 removes
// the bound, as in Kratos.
func WithMaxFieldSize(n int) Option {
	return func(o *options) { o.maxFieldSize = n }
}

// Server returns a middleware that logs every server call with logger,
// with the default options. Valuers bound to logger are resolved with the
// request context.
func Server(logger log.Logger) middleware.Middleware {
	return ServerWithOptions(logger)
}

// ServerWithOptions is Server with options.
func ServerWithOptions(logger log.Logger, opts ...Option) middleware.Middleware {
	return newLogging(logger, "server", transport.FromServerContext, opts)
}

// Client returns a middleware that logs every client call with logger,
// with the default options.
func Client(logger log.Logger) middleware.Middleware {
	return ClientWithOptions(logger)
}

// ClientWithOptions is Client with options.
func ClientWithOptions(logger log.Logger, opts ...Option) middleware.Middleware {
	return newLogging(logger, "client", transport.FromClientContext, opts)
}

func newLogging(logger log.Logger, kind string, from func(context.Context) (transport.Transporter, bool), opts []Option) middleware.Middleware {
	o := options{maxFieldSize: DefaultMaxFieldSize}
	for _, opt := range opts {
		opt(&o)
	}
	limit := o.maxFieldSize
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			var component, operation string
			if tr, ok := from(ctx); ok {
				component = tr.Kind().String()
				operation = truncate(tr.Operation(), limit)
			}
			start := time.Now()
			reply, err := handler(ctx, req)
			code, reason := int32(200), ""
			level, stack := log.LevelInfo, ""
			if err != nil {
				se := errors.FromError(err)
				code, reason = se.Code, truncate(se.Reason, limit)
				level, stack = log.LevelError, truncate(fmt.Sprintf("%+v", err), limit)
			}
			// Through a Helper, so caller valuers calibrated for Helper
			// calls (log.DefaultCaller) point at this file.
			log.NewHelper(log.WithContext(ctx, logger)).Log(level,
				"kind", kind,
				"component", component,
				"operation", operation,
				"args", FormatArgs(req, limit),
				"code", code,
				"reason", reason,
				"stack", stack,
				"latency", time.Since(start).Seconds(),
			)
			return reply, err
		}
	}
}
