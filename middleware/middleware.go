// Package middleware defines the function types shared by every transport:
// a Handler processes one request, and a Middleware wraps a Handler to add
// behaviour before and after it.
package middleware

import "context"

// Handler handles one request and returns its reply.
type Handler func(ctx context.Context, req any) (any, error)

// Middleware wraps a Handler.
type Middleware func(Handler) Handler

// Chain composes middlewares into one. The first one listed is the
// outermost: it sees the request first and the reply last. Chain with no
// arguments returns a middleware that returns the handler unchanged.
func Chain(m ...Middleware) Middleware {
	return func(next Handler) Handler {
		for i := len(m) - 1; i >= 0; i-- {
			next = m[i](next)
		}
		return next
	}
}
