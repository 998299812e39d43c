// Package appstart tells the servers an App starts when the App's startup
// is over: the servers started, the instance registered and the AfterStart
// hooks run. It travels in the context given to transport.Server's Start,
// so a server that cares (the admin server's readiness) can wait for it,
// and a server started on its own, without an App, finds nothing.
package appstart

import "context"

type key struct{}

// NewContext returns a copy of ctx carrying done, which the App closes
// when its startup is over; it stays open when the startup fails.
func NewContext(ctx context.Context, done <-chan struct{}) context.Context {
	return context.WithValue(ctx, key{}, done)
}

// FromContext returns the channel carried by ctx, if any.
func FromContext(ctx context.Context) (<-chan struct{}, bool) {
	ch, ok := ctx.Value(key{}).(<-chan struct{})
	return ch, ok && ch != nil
}
