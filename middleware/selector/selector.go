// Package selector applies middleware only to the operations it selects,
// by prefix, regular expression, exact path or a custom function, on the
// server or client side, for unary and streaming operations alike.
//
//	selector.Server(auth).Prefix("/admin.v1.").Regex(`/.*/Delete.*`).Build()
package selector

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// MatchFunc reports whether the middleware applies to operation.
type MatchFunc func(ctx context.Context, operation string) bool

// Builder collects the selection rules. An operation is selected when any
// rule matches it.
type Builder struct {
	client bool
	prefix []string
	regex  []string
	path   []string
	match  MatchFunc
	ms     []middleware.Middleware
}

// Server returns a Builder for server middleware ms.
func Server(ms ...middleware.Middleware) *Builder {
	return &Builder{ms: ms}
}

// Client returns a Builder for client middleware ms.
func Client(ms ...middleware.Middleware) *Builder {
	return &Builder{client: true, ms: ms}
}

// Prefix selects operations starting with any of prefix.
func (b *Builder) Prefix(prefix ...string) *Builder {
	b.prefix = append(b.prefix, prefix...)
	return b
}

// Regex selects operations that match any of the regular expressions as a
// whole (they are anchored at both ends). Build panics on an invalid
// expression, since it is a programming error.
func (b *Builder) Regex(regex ...string) *Builder {
	b.regex = append(b.regex, regex...)
	return b
}

// Path selects the operations named exactly.
func (b *Builder) Path(path ...string) *Builder {
	b.path = append(b.path, path...)
	return b
}

// Match selects operations for which fn returns true.
func (b *Builder) Match(fn MatchFunc) *Builder {
	b.match = fn
	return b
}

// Build returns the selective middleware.
func (b *Builder) Build() middleware.Middleware {
	res := make([]*regexp.Regexp, 0, len(b.regex))
	for _, r := range b.regex {
		res = append(res, regexp.MustCompile("^(?:"+r+")$"))
	}
	prefix, path, match := slices.Clone(b.prefix), slices.Clone(b.path), b.match
	from := transport.FromServerContext
	if b.client {
		from = transport.FromClientContext
	}
	selected := func(ctx context.Context, op string) bool {
		for _, p := range prefix {
			if strings.HasPrefix(op, p) {
				return true
			}
		}
		for _, re := range res {
			if re.MatchString(op) {
				return true
			}
		}
		if slices.Contains(path, op) {
			return true
		}
		return match != nil && match(ctx, op)
	}
	chain := middleware.Chain(b.ms...)
	return func(handler middleware.Handler) middleware.Handler {
		wrapped := chain(handler)
		return func(ctx context.Context, req any) (any, error) {
			tr, ok := from(ctx)
			if ok && selected(ctx, tr.Operation()) {
				return wrapped(ctx, req)
			}
			return handler(ctx, req)
		}
	}
}
