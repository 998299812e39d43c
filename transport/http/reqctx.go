package http

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed6ad8aa6b/kratos/transport/internal/ctxkey"
)

// reqContext is the context of a request. It behaves as
// transport.NewServerContext(ctx, tr) where ctx is
// context.WithDeadline(parent, deadline) (context.WithCancel(parent) for a
// zero deadline) whose cancel func is release, but it costs nothing until
// somebody waits on it: Err compares the clock with the deadline, and only
// Done, or a lookup the context package makes to attach a child (a *int
// key), creates the real context (timer included), to which everything is
// delegated from then on.
//
// It lives inside serverRequest, so a request that never waits on its
// context allocates no timer and no context of its own.
type reqContext struct {
	parent   context.Context
	deadline time.Time  // zero for none
	tr       *Transport // answered for the transport package's server key

	inner atomic.Pointer[context.Context] // the real context, once made

	mu       sync.Mutex
	cancel   context.CancelFunc // of inner
	err      error              // sticky error before inner exists
	released bool
}

// init sets up c; a zero deadline means none. tr is the Transport c
// carries, as transport.NewServerContext would.
func (c *reqContext) init(parent context.Context, deadline time.Time, tr *Transport) {
	c.parent = parent
	c.deadline = deadline
	c.tr = tr
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
	var (
		ctx    context.Context
		cancel context.CancelFunc
	)
	if c.deadline.IsZero() {
		ctx, cancel = context.WithCancel(c.parent)
	} else {
		ctx, cancel = context.WithDeadline(c.parent, c.deadline)
	}
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
	// time.Until reads only the monotonic clock, half the cost of time.Now.
	if !c.deadline.IsZero() && time.Until(c.deadline) <= 0 {
		return context.DeadlineExceeded
	}
	return nil
}

func (c *reqContext) Deadline() (time.Time, bool) {
	d, ok := c.parent.Deadline()
	if c.deadline.IsZero() || ok && d.Before(c.deadline) {
		return d, ok
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
	if _, ok := key.(ctxkey.Server); ok && c.tr != nil {
		return c.tr
	}
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
