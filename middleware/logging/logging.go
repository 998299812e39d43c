// Package logging writes one log record per call, on the server or client
// side: kind, component, operation, args, code, reason, stack and latency.
// Successful calls are logged at info level with code 200, failed calls at
// error level with the error's code and reason.
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
// sensitive fields; its Redact result is logged as the call's args.
type Redacter interface {
	Redact() string
}

// Server returns a middleware that logs every server call with logger.
// Valuers bound to logger are resolved with the request context.
func Server(logger log.Logger) middleware.Middleware {
	return newLogging(logger, "server", transport.FromServerContext)
}

// Client returns a middleware that logs every client call with logger.
func Client(logger log.Logger) middleware.Middleware {
	return newLogging(logger, "client", transport.FromClientContext)
}

func newLogging(logger log.Logger, kind string, from func(context.Context) (transport.Transporter, bool)) middleware.Middleware {
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			var component, operation string
			if tr, ok := from(ctx); ok {
				component = tr.Kind().String()
				operation = tr.Operation()
			}
			start := time.Now()
			reply, err := handler(ctx, req)
			code, reason := int32(200), ""
			level, stack := log.LevelInfo, ""
			if err != nil {
				se := errors.FromError(err)
				code, reason = se.Code, se.Reason
				level, stack = log.LevelError, fmt.Sprintf("%+v", err)
			}
			// Through a Helper, so caller valuers calibrated for Helper
			// calls (log.DefaultCaller) point at this file.
			log.NewHelper(log.WithContext(ctx, logger)).Log(level,
				"kind", kind,
				"component", component,
				"operation", operation,
				"args", extractArgs(req),
				"code", code,
				"reason", reason,
				"stack", stack,
				"latency", time.Since(start).Seconds(),
			)
			return reply, err
		}
	}
}

// extractArgs renders a request: Redact when it is a Redacter, String when a
// fmt.Stringer, else %+v.
func extractArgs(req any) string {
	switch r := req.(type) {
	case Redacter:
		return r.Redact()
	case fmt.Stringer:
		return r.String()
	default:
		return fmt.Sprintf("%+v", req)
	}
}
