// Package metadata propagates metadata between services through request
// headers.
//
// On the server, every request header whose key starts with one of the
// prefixes ("x-md-" by default) becomes server metadata
// (metadata.FromServerContext). On the client, the client metadata of the
// context (metadata.NewClientContext, AppendToClientContext) is sent, plus
// the server metadata whose keys start with a propagated prefix
// ("x-md-global-" by default). So "x-md-global-*" keys hop through a whole
// chain of services while "x-md-local-*" keys, set as client metadata, reach
// only the next one.
package metadata

import (
	"context"
	"strings"

	"github.com/seed6ad8aa6b/kratos/metadata"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// Option configures the metadata middleware.
type Option func(*options)

type options struct {
	prefix []string
	md     metadata.Metadata
}

// WithConstants adds metadata set on every call: added to the server
// metadata by Server, sent on every request by Client.
func WithConstants(md metadata.Metadata) Option {
	return func(o *options) { o.md = md }
}

// WithPropagatedPrefix sets the key prefixes: for Server, which request
// headers become metadata (default "x-md-"); for Client, which server
// metadata is forwarded to the next hop (default "x-md-global-"). Prefixes
// are matched case-insensitively.
func WithPropagatedPrefix(prefix ...string) Option {
	return func(o *options) { o.prefix = prefix }
}

func (o *options) hasPrefix(key string) bool {
	for _, p := range o.prefix {
		if len(key) >= len(p) && strings.EqualFold(key[:len(p)], p) {
			return true
		}
	}
	return false
}

// Server returns a middleware that stores the request's metadata headers
// and the constants as server metadata.
func Server(opts ...Option) middleware.Middleware {
	o := &options{prefix: []string{"x-md-"}}
	for _, opt := range opts {
		opt(o)
	}
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			tr, ok := transport.FromServerContext(ctx)
			if !ok {
				return handler(ctx, req)
			}
			md := o.md.Clone()
			header := tr.RequestHeader()
			for _, k := range header.Keys() {
				if o.hasPrefix(k) {
					for _, v := range header.Values(k) {
						md.Add(k, v)
					}
				}
			}
			return handler(metadata.NewServerContext(ctx, md), req)
		}
	}
}

// Client returns a middleware that sends the constants, the client metadata
// and the propagated server metadata as request headers.
func Client(opts ...Option) middleware.Middleware {
	o := &options{prefix: []string{"x-md-global-"}}
	for _, opt := range opts {
		opt(o)
	}
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			tr, ok := transport.FromClientContext(ctx)
			if !ok {
				return handler(ctx, req)
			}
			header := tr.RequestHeader()
			set := func(k string, vs []string) {
				for i, v := range vs {
					if i == 0 {
						header.Set(k, v)
					} else {
						header.Add(k, v)
					}
				}
			}
			for k, vs := range o.md {
				set(k, vs)
			}
			if md, ok := metadata.FromServerContext(ctx); ok {
				for k, vs := range md {
					if o.hasPrefix(k) {
						set(k, vs)
					}
				}
			}
			// Client metadata last: what the caller set explicitly wins.
			if md, ok := metadata.FromClientContext(ctx); ok {
				for k, vs := range md {
					set(k, vs)
				}
			}
			return handler(ctx, req)
		}
	}
}
