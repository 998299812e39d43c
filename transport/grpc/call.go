package grpc

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// serverCall is the state of one call on the server, and also the context
// its handler runs with. Folding the Transport, the Start context and the
// Timeout into one value saves the context.WithValue, context.WithTimeout
// and context-merging allocations every call would otherwise make:
//
//   - Value answers transport.FromServerContext with the call's Transport,
//     then asks grpc-go's context, then the Start context.
//   - Deadline reports the earliest of the Timeout, the client's deadline
//     and that of the Start context at once.
//   - Err works by looking at grpc-go's context, the Start context and the
//     clock.
//   - Done needs a channel that closes when any of those fires: it is
//     only set up (as a child of grpc-go's context cancelled with the Start
//     context and, with a Timeout, at the deadline) when somebody first
//     asks for Done or derives a cancellable context. A handler that never
//     waits on its context, the common case for fast handlers, costs no
//     timer and no registration with the Start context, which all calls
//     would otherwise contend for.
//   - When the call ends, the context counts as cancelled (as after the
//     cancel of context.WithTimeout), whether Done was set up or not.
type serverCall struct {
	context.Context                 // grpc-go's context of the call
	base            context.Context // Start context to fall back to for values; nil if none

	tr Transport

	unary  grpc.UnaryHandler
	stream *streamCall // nil for a unary call

	// lazy is set when the call's cancellation is more than that of the
	// embedded context: it has a deadline of its own (limited) or follows
	// a Start context that can be cancelled (watchBase). When lazy is
	// false the fields below are unused.
	lazy      bool
	watchBase bool
	limited   bool
	ended     endState  // guarded by mu
	deadline  time.Time // with limited
	mu        sync.Mutex
	done      context.Context // set up on demand; nil until then
	cancel    context.CancelFunc
}

// endState is why a call that ended before Done was set up counts as done.
type endState uint8

const (
	running         endState = iota
	endedCancelled           // it ended in time
	endedExpired             // the deadline had passed
	endedWithParent          // the embedded context was done first
)

// streamCall is what a streaming call needs besides serverCall.
type streamCall struct {
	srv        any
	ss         grpc.ServerStream
	handler    grpc.StreamHandler
	ms         []middleware.Middleware // stream middleware
	codec      *serverCodec            // nil: grpc-go's codecs decode
	cc         callCodec               // the call's codec, with codec
	headerSent atomic.Bool             // the reply header was handed to the stream
}

// streamServerCall puts both parts of a streaming call in one allocation.
type streamServerCall struct {
	serverCall
	streamCall
}

// callKey finds the serverCall in a context derived from it.
type callKey struct{}

// begin makes c the context of a call whose grpc-go context is ctx and
// returns it. timeout > 0 limits the call unless ctx has an earlier
// deadline. end must be called when the call is over.
func (c *serverCall) begin(ctx context.Context, st *callState, timeout time.Duration) context.Context {
	c.Context, c.base, c.watchBase = ctx, st.base, st.merge
	d, ok := ctx.Deadline()
	if st.merge {
		if bd, bok := st.base.Deadline(); bok && (!ok || bd.Before(d)) {
			// The Start context ends first: report its deadline, and
			// count it as the call's.
			c.limited, c.deadline = true, bd
			d, ok = bd, true
		}
	}
	if timeout > 0 {
		if td := st.now().Add(timeout); !ok || td.Before(d) {
			c.limited, c.deadline = true, td
		}
	}
	c.lazy = c.limited || c.watchBase
	if keys.transport == nil {
		// The transport package's key could not be learnt; store the
		// Transport the ordinary way.
		return transport.NewServerContext(c, &c.tr)
	}
	return c
}

// end marks the call over: its context is cancelled from now on.
func (c *serverCall) end() {
	if !c.lazy {
		return
	}
	c.mu.Lock()
	switch {
	case c.done != nil:
		c.cancel()
	case c.ended == running:
		// As errLocked, but a Start context that is done makes Canceled
		// like the end itself, so it need not be asked.
		switch {
		case c.Context.Err() != nil:
			c.ended = endedWithParent
		case c.limited && time.Until(c.deadline) <= 0:
			c.ended = endedExpired
		default:
			c.ended = endedCancelled
		}
	}
	c.mu.Unlock()
}

// Deadline returns the earliest of the Timeout deadline, the Start
// context's and that of the embedded context.
func (c *serverCall) Deadline() (time.Time, bool) {
	if c.limited {
		return c.deadline, true
	}
	return c.Context.Deadline()
}

// Done returns a channel closed when the call is cancelled, times out,
// its Start context is cancelled or it ends.
func (c *serverCall) Done() <-chan struct{} {
	if !c.lazy {
		return c.Context.Done()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended != running && c.done == nil {
		return closedChan
	}
	return c.doneLocked().Done()
}

// Err returns why Done is closed, or nil.
func (c *serverCall) Err() error {
	if !c.lazy {
		return c.Context.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done != nil {
		return c.done.Err()
	}
	switch c.ended {
	case endedCancelled:
		return context.Canceled
	case endedExpired:
		return context.DeadlineExceeded
	case endedWithParent:
		return c.Context.Err()
	}
	return c.errLocked()
}

// errLocked is Err before Done is set up: the embedded context's error,
// else Canceled once the Start context is done, else DeadlineExceeded once
// the deadline has passed. A Done set up later agrees, because it checks
// all three as it is set up.
func (c *serverCall) errLocked() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	if c.watchBase && c.base.Err() != nil {
		return context.Canceled
	}
	if c.limited && time.Until(c.deadline) <= 0 {
		return context.DeadlineExceeded
	}
	return nil
}

// doneLocked returns the context behind Done, setting it up if needed.
func (c *serverCall) doneLocked() context.Context {
	if c.done != nil {
		return c.done
	}
	ctx, cancel := c.Context, context.CancelFunc(nil)
	if c.watchBase {
		withBase, cancelCause := context.WithCancelCause(ctx)
		base := c.base
		stop := context.AfterFunc(base, func() { cancelCause(context.Cause(base)) })
		if base.Err() != nil {
			// Already done: cancel now rather than when the AfterFunc's
			// goroutine runs, so that Err agrees at once.
			cancelCause(context.Cause(base))
		}
		ctx, cancel = withBase, func() {
			stop()
			cancelCause(context.Canceled)
		}
	}
	if c.limited {
		timed, cancelTimer := context.WithDeadline(ctx, c.deadline)
		if cancel == nil {
			cancel = cancelTimer
		} else {
			cancelBase := cancel
			cancel = func() {
				cancelTimer()
				cancelBase()
			}
		}
		ctx = timed
	}
	c.done, c.cancel = ctx, cancel
	if c.ended != running {
		c.cancel()
	}
	return c.done
}

// Value returns the call for callKey, the Transport for the transport
// package's key, and otherwise the value of the embedded context or, failing
// that, of the Start context.
func (c *serverCall) Value(key any) any {
	switch key {
	case callKey{}:
		return c
	case keys.transport:
		if key != nil {
			return &c.tr
		}
	case keys.cancel:
		// The context package looks for the innermost cancelCtx under this
		// key (for context.Cause, and to attach children cheaply). When
		// Done is set up, that is the context behind it; before, there is
		// none, and the context package falls back to Err and Done, which
		// this type answers itself.
		if key != nil && c.lazy {
			c.mu.Lock()
			t := c.done
			c.mu.Unlock()
			if t == nil {
				return nil
			}
			return t.Value(key)
		}
	}
	if v := c.Context.Value(key); v != nil {
		return v
	}
	if c.base != nil {
		return c.base.Value(key)
	}
	return nil
}

// closedChan is Done of a call that ended without a timer.
var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// keys holds the unexported context keys of the transport, selector and
// context packages and of grpc-go's incoming metadata, learnt once by watching
// which key their lookup functions ask a context for. Each is nil if that
// did not work.
var keys = func() (k struct{ transport, client, peer, cancel, incoming any }) {
	p := &keyProbe{Context: context.Background()}
	learn := func(lookup func()) any {
		p.asked = nil
		lookup()
		if len(p.asked) == 1 {
			return p.asked[0]
		}
		return nil
	}
	k.transport = learn(func() { transport.FromServerContext(p) })
	k.client = learn(func() { transport.FromClientContext(p) })
	k.peer = learn(func() { selector.FromPeerContext(p) })
	k.incoming = learn(func() { metadata.FromIncomingContext(p) })
	k.cancel = learn(func() { _ = context.Cause(p) })
	return k
}()

// keyProbe records the keys it is asked for. It reports itself cancelled
// so that context.Cause looks for a cause.
type keyProbe struct {
	context.Context
	asked []any
}

func (p *keyProbe) Err() error { return context.Canceled }

func (p *keyProbe) Value(key any) any {
	p.asked = append(p.asked, key)
	return nil
}
