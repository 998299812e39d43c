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
// A record the logger would not write is not built: when log.Enabled
// reports the record's level disabled (a log.Filter level, a logger over
// io.Discard, ...), the call is neither timed nor rendered and the
// Valuers of the logger are not called. The latency is the handler's
// duration, measured on the monotonic clock.
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
	var kindValue any = kind // boxed once, not per record
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			// Nothing is measured or formatted for a record the logger
			// would drop for its level or discard. A successful call is
			// logged at info level and a failed one at error level.
			if !log.Enabled(logger, log.LevelInfo) && !log.Enabled(logger, log.LevelError) {
				return handler(ctx, req)
			}
			start := time.Since(epoch)
			reply, err := handler(ctx, req)
			latency := (time.Since(epoch) - start).Seconds()
			level := log.LevelInfo
			if err != nil {
				level = log.LevelError
			}
			if !log.Enabled(logger, level) {
				return reply, err
			}
			var component, operation any = "", ""
			if tr, ok := from(ctx); ok {
				component = kindName(tr.Kind())
				operation = truncate(tr.Operation(), limit)
			}
			var code, reason, stack any = int32(200), "", ""
			if err != nil {
				se, ok := err.(*errors.Error) // what FromError finds first, without its allocation
				if !ok || se == nil {
					se = errors.FromError(err)
				}
				code, reason = se.Code, truncate(se.Reason, limit)
				stack = truncate(errorText(err), limit)
			}
			// LogContext calls the logger's Log method directly, as a
			// Helper method would, so caller valuers calibrated for
			// Helper calls (log.DefaultCaller) point at this file.
			_ = log.LogContext(ctx, logger, level,
				"kind", kindValue,
				"component", component,
				"operation", operation,
				"args", formatArgsValue(req, limit),
				"code", code,
				"reason", reason,
				"stack", stack,
				"latency", latency,
			)
			return reply, err
		}
	}
}

// errorText is fmt.Sprintf("%+v", err), which is err.Error() unless err
// formats itself (a fmt.Formatter, such as an error with a stack trace),
// without fmt's copy in the common case.
func errorText(err error) (s string) {
	if _, ok := err.(fmt.Formatter); ok {
		return fmt.Sprintf("%+v", err)
	}
	defer func() {
		// fmt prints a panicking Error method (a nil receiver, ...) its
		// own way.
		if recover() != nil {
			s = fmt.Sprintf("%+v", err)
		}
	}()
	return err.Error()
}

// epoch is the origin of the monotonic readings that latencies are
// measured with: time.Since(epoch) reads only the monotonic clock, where
// time.Now also reads the wall clock.
var epoch = time.Now()

// The component names of the transports of this module, boxed once.
var (
	grpcName any = transport.KindGRPC.String()
	httpName any = transport.KindHTTP.String()
)

// kindName returns k's name as a value of a record, without a new
// allocation for the transports of this module.
func kindName(k transport.Kind) any {
	switch k {
	case transport.KindGRPC:
		return grpcName
	case transport.KindHTTP:
		return httpName
	}
	return k.String()
}

// formatArgsValue is FormatArgs(req, max) as a value of a record; a string
// request that needs no cut is passed on as it came, with no new box.
func formatArgsValue(req any, max int) any {
	if s, ok := req.(string); ok && (max <= 0 || len(s) <= max) {
		return req
	}
	return FormatArgs(req, max)
}
