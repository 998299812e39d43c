package ratelimit

import (
	"context"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
)

// ErrLimitExceed is returned for a call the Limiter refuses: HTTP 429,
// reason "RATELIMIT".
var ErrLimitExceed = errors.New(429, "RATELIMIT", "service unavailable due to rate limit exceeded")

// DoneInfo describes how an admitted call ended.
type DoneInfo struct {
	// Err is the error the handler returned, or nil.
	Err error
}

// DoneFunc reports the end of an admitted call. It must be called exactly
// once per admitted call.
type DoneFunc func(DoneInfo)

// Limiter decides whether a call may proceed. Allow returns a DoneFunc for
// an admitted call, or an error for a refused one. Implementations must be
// safe for concurrent use.
type Limiter interface {
	Allow() (DoneFunc, error)
}

// Option configures Server.
type Option func(*options)

type options struct {
	limiter Limiter
}

// WithLimiter sets the Limiter. Default: a BBR with default options, one
// per Server call.
func WithLimiter(limiter Limiter) Option {
	return func(o *options) { o.limiter = limiter }
}

// Server returns a server middleware that admits calls through a Limiter.
// A refused call returns ErrLimitExceed without reaching the handler,
// whatever error the Limiter gave; an admitted one reports its end, with
// the handler's error, to the DoneFunc, even when the handler panics.
func Server(opts ...Option) middleware.Middleware {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if o.limiter == nil {
		o.limiter = NewBBR(nil)
	}
	limiter := o.limiter
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (reply any, err error) {
			done, aerr := limiter.Allow()
			if aerr != nil {
				return nil, ErrLimitExceed
			}
			defer func() { done(DoneInfo{Err: err}) }()
			return handler(ctx, req)
		}
	}
}
