// Package applog carries the App's logger to the servers it starts and
// stops, through the contexts given to transport.Server's Start and Stop.
// Servers log their own lines ("listening", "stopping") with it, so those
// lines carry the service's fields and go where the service's logs go.
package applog

import (
	"context"

	"github.com/seed6ad8aa6b/kratos/log"
)

type key struct{}

// NewContext returns a copy of ctx carrying logger.
func NewContext(ctx context.Context, logger log.Logger) context.Context {
	return context.WithValue(ctx, key{}, logger)
}

// FromContext returns the logger carried by ctx, if any.
func FromContext(ctx context.Context) (log.Logger, bool) {
	l, ok := ctx.Value(key{}).(log.Logger)
	return l, ok && l != nil
}

// Helper returns a helper for the logger carried by ctx, and otherwise for
// fallback, or the global logger when fallback is nil.
func Helper(ctx context.Context, fallback log.Logger) *log.Helper {
	if l, ok := FromContext(ctx); ok {
		return log.NewHelper(l)
	}
	if fallback != nil {
		return log.NewHelper(fallback)
	}
	return log.NewHelper(log.GetLogger())
}
