// Package ewma provides weighted nodes whose weight follows what the client
// observes: exponentially weighted moving averages of latency and of the
// success rate, and the number of requests in flight. Use it with
// selector/p2c.
//
// The weight of a node is
//
//	success / (sqrt(latency + 5ms) * (inflight + 1))
//
// times a constant, where
//
//   - latency is the moving average of the latencies of completed
//     requests, with a time constant of 600ms (a sample's influence falls
//     to 1/e after 600ms of newer samples); while requests are in flight
//     and both their average age and the time since the last completion
//     exceed that average, the smaller of those two replaces it, so a node
//     that stops answering loses weight before its first timeout, while
//     long streams on a node that keeps answering other calls do not count
//     against it;
//   - success is the moving average, with the same time constant, of 1 for
//     a request that succeeded and 0 for one that failed through the
//     node's fault (see [Builder.ErrHandler]);
//   - the 5ms keep small latency differences, such as those between zones,
//     from dominating.
//
// A node that has not completed a request yet counts as fast while it has
// none in flight (so new nodes are tried at once) and as having a latency
// of at least one second while it has some (so they are not flooded before
// they first answer). The "weight" metadata of the instance is not used.
package ewma

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/internal/stats"
)

// Builder builds *Node values. The zero value is ready to use.
type Builder struct {
	// ErrHandler, when set, reports whether err, the error a call ended
	// with, counts as a failure of the node, in addition to the errors that
	// always do: context.DeadlineExceeded, net.Error values, errors with
	// code 500, 502, 503 or 504, and gRPC statuses Internal, Unavailable
	// and DeadlineExceeded. Other errors, such as context.Canceled or a
	// 404, do not. Failures lower the node's success rate. ErrHandler must
	// be safe for concurrent use.
	ErrHandler func(err error) bool

	now func() time.Time // test seam; nil means time.Now
}

var _ selector.WeightedNodeBuilder = (*Builder)(nil)

// Build wraps n into a node with no history.
func (b *Builder) Build(n selector.Node) selector.WeightedNode {
	node := &Node{Node: n}
	var now func() time.Time
	if b != nil {
		node.errHandler = b.ErrHandler
		now = b.now
	}
	node.stats = stats.NewTracker(now)
	return node
}

// Node is a node weighted by its observed latency, success rate and load.
// It is safe for concurrent use.
type Node struct {
	selector.Node

	stats      *stats.Tracker
	errHandler func(error) bool
}

var _ selector.WeightedNode = (*Node)(nil)

// Raw returns the wrapped node.
func (n *Node) Raw() selector.Node { return n.Node }

// Pick counts a request in flight. The returned DoneFunc must be called
// exactly once, when the request is over; it records the latency and
// whether the request failed. DoneFuncs are recycled, so that Pick
// allocates nothing: one called a second time may count against the
// request of a later Pick.
func (n *Node) Pick() selector.DoneFunc {
	p, _ := pickPool.Get().(*pick)
	if p == nil {
		p = new(pick)
		p.fn = p.done
	}
	p.node, p.start = n, n.stats.Start()
	return p.fn
}

// pick is the DoneFunc of one Pick, pooled.
type pick struct {
	node  *Node
	start int64
	fn    selector.DoneFunc // p.done, bound once
}

var pickPool sync.Pool

func (p *pick) done(_ context.Context, di selector.DoneInfo) {
	n, start := p.node, p.start
	if n == nil {
		return // called twice
	}
	p.node = nil
	pickPool.Put(p)
	n.stats.Done(start, n.failed(di.Err))
}

// Weight returns the effective weight described in the package comment.
func (n *Node) Weight() float64 { return n.stats.Weight() }

// PickElapsed returns the time since the last Pick, or the largest
// Duration for a node never picked.
func (n *Node) PickElapsed() time.Duration { return n.stats.PickElapsed() }

// failed reports whether err counts against the node.
func (n *Node) failed(err error) bool {
	if err == nil {
		return false
	}
	if n.errHandler != nil && n.errHandler(err) {
		return true
	}
	return serverFault(err)
}

// serverFault reports whether err says that the server, or the way to it,
// failed, as opposed to the request being refused or canceled.
func serverFault(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var ke *kerrors.Error
	if errors.As(err, &ke) && ke != nil {
		switch ke.Code {
		case 500, 502, 503, 504:
			return true
		}
		return false
	}
	if s, ok := status.FromError(err); ok {
		switch s.Code() {
		case codes.Internal, codes.Unavailable, codes.DeadlineExceeded:
			return true
		}
	}
	return false
}
