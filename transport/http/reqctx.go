package http

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// reqContext is the context of a request served with a Timeout. It
// behaves as context.WithDeadline(parent, deadline) whose cancel func is
// release, but it costs nothing until somebody waits on it: Err compares
// the clock with the deadline, and only Done, or a lookup the context
// package makes to attach a child (a *int key), creates the real
// context (timer included), to which everything is delegated from then on.
//
// It lives inside serverRequest, so a request that never waits on its
// context allocates no timer and no context of its own.
type reqContext struct {
	parent   context.Context
	deadline time.Time

	inner atomic.Pointer[context.Context] // the real context, once made

	mu       sync.Mutex
	cancel   context.CancelFunc // of inner
	err      error              // sticky error before inner exists
	released bool
}

func (c *reqContext) init(parent context.Context, deadline time.Time) {
	c.parent = parent
	c.deadline = deadline
}

// materialize returns the real context, creating it on first use. It must
// be called without c.mu held.
func (c *reqContext) materialize() context.Context {
	if p := c.inner.Load(); p != nil {
		return *p
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.inner.Load(); p != nil {
		return *p
	}
	ctx, cancel := context.WithDeadline(c.parent, c.deadline)
	if c.released {
		cancel()
	}
	c.cancel = cancel
	c.inner.Store(&ctx)
	return ctx
}

// release is the cancel func: it ends the context when the request is done.
func (c *reqContext) release() {
	c.mu.Lock()
	c.released = true
	if c.err == nil {
		c.err = c.errLocked()
		if c.err == nil {
			c.err = context.Canceled
		}
	}
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// errLocked computes the error from the parent and the clock.
func (c *reqContext) errLocked() error {
	if err := c.parent.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

func (c *reqContext) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

func (c *reqContext) Done() <-chan struct{} {
	return c.materialize().Done()
}

func (c *reqContext) Err() error {
	if p := c.inner.Load(); p != nil {
		return (*p).Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = c.errLocked()
	}
	return c.err
}

func (c *reqContext) Value(key any) any {
	if p := c.inner.Load(); p != nil {
		return (*p).Value(key)
	}
	if _, ok := key.(*int); ok {
		// The context package looks up its cancel context with an *int key
		// (for context.Cause and to attach children): answer with the real
		// context so both see this context's own deadline and cancellation.
		return c.materialize().Value(key)
	}
	return c.parent.Value(key)
}

func (c *reqContext) String() string { return "transport/http.requestContext" }
