package grpc

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	"github.com/seed6ad8aa6b/kratos/internal/xcontext"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// serverCall is the state of one call on the server, and also the context
// its handler runs with. Folding the Transport, the Start context's values
// and the Timeout into one value saves the context.WithValue and
// context.WithTimeout allocations every call would otherwise make:
//
//   - Value answers transport.FromServerContext with the call's Transport,
//     then asks grpc-go's context, then the Start context.
//   - With a Timeout, Deadline reports it at once, but the timer behind
//     Done is only set up (as a context.WithDeadline child of grpc-go's
//     context) when somebody first asks for Done or derives a cancellable
//     context. Err works without it by looking at the clock. A handler that
//     never waits on its context, the common case for fast handlers, costs
//     no timer at all.
//   - When the call ends, the context counts as cancelled (as after the
//     cancel of context.WithTimeout), whether the timer was set up or not.
type serverCall struct {
	context.Context                 // grpc-go's context of the call, merged with a cancellable Start context
	base            context.Context // Start context to fall back to for values; nil if none or merged

	tr Transport

	unary  grpc.UnaryHandler
	stream *streamCall // nil for a unary call

	mergeCancel context.CancelFunc // releases the merged context; nil if not merged

	// The Timeout. When limited is false the embedded context's deadline
	// applies and the fields below are unused.
	limited  bool
	ended    endState
	deadline time.Time
	mu       sync.Mutex
	timed    context.Context // set up on demand; nil until then
	cancel   context.CancelFunc
}

// endState is why a call that ended without a timer counts as done.
type endState uint8

const (
	running         endState = iota
	endedCancelled           // the handler returned in time
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
	if st.merge {
		c.Context, c.mergeCancel = xcontext.Merge(ctx, st.base)
	} else {
		c.Context, c.base = ctx, st.base
	}
	if timeout > 0 {
		d := time.Now().Add(timeout)
		if cur, ok := c.Context.Deadline(); !ok || d.Before(cur) {
			c.limited, c.deadline = true, d
		}
	}
	if keys.transport == nil {
		// The transport package's key could not be learnt; store the
		// Transport the ordinary way.
		return transport.NewServerContext(c, &c.tr)
	}
	return c
}

// end marks the call over: its context is cancelled from now on.
func (c *serverCall) end() {
	if c.limited {
		c.mu.Lock()
		switch {
		case c.ended != running:
		case c.timed != nil:
			c.cancel()
			c.ended = endedCancelled // unused: timed answers from now on
		case c.Context.Err() != nil:
			c.ended = endedWithParent
		case !time.Now().Before(c.deadline):
			c.ended = endedExpired
		default:
			c.ended = endedCancelled
		}
		c.mu.Unlock()
	}
	if c.mergeCancel != nil {
		c.mergeCancel()
	}
}

// Deadline returns the Timeout deadline, or that of the embedded context.
func (c *serverCall) Deadline() (time.Time, bool) {
	if c.limited {
		return c.deadline, true
	}
	return c.Context.Deadline()
}

// Done returns a channel closed when the call is cancelled, times out or
// ends.
func (c *serverCall) Done() <-chan struct{} {
	if !c.limited {
		return c.Context.Done()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended != running && c.timed == nil {
		return closedChan
	}
	return c.timedLocked().Done()
}

// Err returns why Done is closed, or nil.
func (c *serverCall) Err() error {
	if !c.limited {
		return c.Context.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timed != nil {
		return c.timed.Err()
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

// errLocked is Err before the timer is set up: the embedded context's
// error, else DeadlineExceeded once the deadline has passed. A timer set up
// later agrees, because context.WithDeadline checks both at once.
func (c *serverCall) errLocked() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// timedLocked returns the context behind Done, setting it up if needed.
func (c *serverCall) timedLocked() context.Context {
	if c.timed == nil {
		c.timed, c.cancel = context.WithDeadline(c.Context, c.deadline)
		if c.ended != running {
			c.cancel()
		}
	}
	return c.timed
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
		// key (for context.Cause, and to attach children cheaply). With a
		// Timeout that is the timer's context; before it is set up there is
		// none, and the context package falls back to Err and Done, which
		// this type answers itself.
		if key != nil && c.limited {
			c.mu.Lock()
			t := c.timed
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

// keys holds the unexported context keys of the transport and context
// packages, learnt once by watching which key their lookup functions ask a
// context for. Either is nil if that did not work.
var keys = func() (k struct{ transport, cancel any }) {
	p := &keyProbe{Context: context.Background()}
	transport.FromServerContext(p)
	if len(p.asked) == 1 {
		k.transport = p.asked[0]
	}
	p.asked = nil
	_ = context.Cause(p)
	if len(p.asked) == 1 {
		k.cancel = p.asked[0]
	}
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
