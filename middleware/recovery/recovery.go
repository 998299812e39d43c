// Package recovery turns a panic in a handler into an error, so one bad
// request cannot crash the process. The transports wrap streaming handlers
// with the same middleware chain, so streams are covered too.
package recovery

import (
	"context"
	"runtime"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
)

// ErrUnknownRequest is returned for a recovered panic when no HandlerFunc
// is set: HTTP 500, reason "UNKNOWN".
var ErrUnknownRequest = errors.InternalServer("UNKNOWN", "unknown request error")

// Latency is the context key under which the HandlerFunc finds the seconds
// (float64) elapsed between the start of the request and the panic.
type Latency struct{}

// HandlerFunc turns a recovered panic value into the error returned to the
// caller.
type HandlerFunc func(ctx context.Context, req, err any) error

// Option configures Recovery.
type Option func(*options)

type options struct {
	handler  HandlerFunc
	logger   log.Logger
	maxStack int
}

// WithHandler sets the function that turns a panic into an error. Default:
// return ErrUnknownRequest.
func WithHandler(h HandlerFunc) Option {
	return func(o *options) { o.handler = h }
}

// WithLogger sets the logger the panic and its stack are written to, at
// error level. Default: the global logger.
func WithLogger(l log.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithMaxStack bounds the stack trace logged for a panic, in bytes.
// Default: 64 KiB.
func WithMaxStack(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxStack = n
		}
	}
}

// Recovery returns a middleware that recovers panics in the handlers it
// wraps, logs them with a bounded stack trace, and returns the error made by
// the HandlerFunc instead.
func Recovery(opts ...Option) middleware.Middleware {
	o := options{
		handler:  func(context.Context, any, any) error { return ErrUnknownRequest },
		maxStack: 64 << 10,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (reply any, err error) {
			start := time.Now()
			defer func() {
				if rerr := recover(); rerr != nil {
					buf := make([]byte, o.maxStack)
					buf = buf[:runtime.Stack(buf, false)]
					logger := o.logger
					if logger == nil {
						logger = log.GetLogger()
					}
					_ = log.WithContext(ctx, logger).Log(log.LevelError,
						"msg", "panic recovered", "panic", rerr, "req", req, "stack", string(buf))
					ctx = context.WithValue(ctx, Latency{}, time.Since(start).Seconds())
					reply, err = nil, o.handler(ctx, req, rerr)
				}
			}()
			return handler(ctx, req)
		}
	}
}
