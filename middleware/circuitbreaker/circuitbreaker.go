package circuitbreaker

import (
	"context"

	"github.com/seed6ad8aa6b/kratos/errors"
	internalbreaker "github.com/seed6ad8aa6b/kratos/internal/circuitbreaker"
	"github.com/seed6ad8aa6b/kratos/internal/group"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// ErrNotAllowed is returned for a call the breaker refuses: HTTP 503,
// reason "CIRCUITBREAKER".
var ErrNotAllowed = errors.New(503, "CIRCUITBREAKER", "request failed due to circuit breaker triggered")

// CircuitBreaker decides whether a call may go out (Allow returns nil)
// and learns from the outcome of the calls that did (MarkSuccess,
// MarkFailed). Implementations must be safe for concurrent use.
//
// It is an alias, as Kratos v3 declares it (v2 took
// github.com/go-kratos/aegis's interface); code naming
// circuitbreaker.CircuitBreaker is unchanged, and an aegis breaker, which
// has the same methods, implements it.
type CircuitBreaker = internalbreaker.CircuitBreaker

// Option configures Client.
type Option func(*options)

type options struct {
	group *group.Group[CircuitBreaker]
}

// WithGroup sets the group that holds the breakers, one per operation.
// Sharing a group between clients makes them share breakers. Default: a
// new group of SREs with default options per Client call.
func WithGroup(g *group.Group[CircuitBreaker]) Option {
	return func(o *options) { o.group = g }
}

// WithCircuitBreaker sets the constructor of the breakers, called once per
// operation; it replaces any group set before. Default: NewSRE(nil).
func WithCircuitBreaker(f func() CircuitBreaker) Option {
	return func(o *options) { o.group = group.New(f) }
}

// WithBreakerFactory sets the constructor of the breakers, called lazily,
// once per operation, the first time that operation is called; it replaces
// any group set before. A nil factory is ignored and keeps what was set
// before. Default: NewSRE(nil).
//
// Added in Kratos v3. It is [WithCircuitBreaker] (the v2 name, kept) except
// for a nil factory, which WithCircuitBreaker does not expect.
func WithBreakerFactory(factory func() CircuitBreaker) Option {
	return func(o *options) {
		if factory != nil {
			o.group = group.New(factory)
		}
	}
}

// Client returns a client middleware that guards each operation with its
// own CircuitBreaker.
//
// A refused call returns ErrNotAllowed without going out, and is also
// recorded as a failure, so that the share of refused calls keeps growing
// while the dependency stays down (the reference behaves the same way). An
// admitted call counts as failed when its error's code, as errors.Code
// reports it, is 500, 503 or 504; errors without a code count as 500. Any
// other outcome, including 4xx errors, is a success: the dependency
// answered. The breaker's key is the operation of the client transport in
// the context, or "" without one.
func Client(opts ...Option) middleware.Middleware {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if o.group == nil {
		o.group = group.New(func() CircuitBreaker { return NewSRE(nil) })
	}
	g := o.group
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			var operation string
			if tr, ok := transport.FromClientContext(ctx); ok {
				operation = tr.Operation()
			}
			breaker := g.Get(operation)
			if err := breaker.Allow(); err != nil {
				breaker.MarkFailed()
				return nil, ErrNotAllowed
			}
			reply, err := handler(ctx, req)
			if failed(err) {
				breaker.MarkFailed()
			} else {
				breaker.MarkSuccess()
			}
			return reply, err
		}
	}
}

// failed reports whether err says the dependency failed, as opposed to
// answering (even with an error).
func failed(err error) bool {
	if err == nil {
		return false
	}
	switch errors.Code(err) {
	case 500, 503, 504:
		return true
	}
	return false
}
