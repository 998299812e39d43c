package selector

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
)

// Ejection configures outlier ejection, the passive health checking of a
// [Default] selector: the selector watches the outcome of every call (the
// [DoneInfo] given to the DoneFunc of Select) and takes a node that keeps
// failing out of the rotation for a while, whatever the balancer.
//
// The zero value is the default: ejection on, 5 failures in a row, back-off
// from 1s doubling up to 30s, at most 50% of the nodes ejected.
//
// A call's outcome counts as
//
//   - unreachable, when the connection to the node could not be made (the
//     dial failed: connection refused, no route to host, dial timeout).
//     Nothing reached the node, so one such failure ejects it at once;
//   - a failure, when the node answered with code 500, 502, 503 or 504 or
//     gRPC Unavailable or Internal, when the connection broke during the
//     call (reset, EOF), or when the call ran out of time (its context's
//     deadline passed, or DeadlineExceeded / a timeout came back). The node
//     is ejected after ConsecutiveFailures of them in a row;
//   - a success, when the call succeeded or the node gave any other answer
//     (a 404 or InvalidArgument is the node working). A success resets the
//     count of failures in a row;
//   - nothing, when the call was canceled (context.Canceled, code 499), was
//     rate limited (429, ResourceExhausted) or failed for a reason that does
//     not involve the node (an error that is none of the above).
//
// Timeouts count because a hung node answers nothing else; but a caller
// whose own deadline is too short makes every node time out, and must not
// empty the rotation. So a node is ejected for failures (not for being
// unreachable) only when it is an outlier: at least one other node that is
// in the rotation had a success as its last outcome. When every node times
// out, or every node answers 503, nothing is ejected. The count of
// failures in a row is per node, so a few slow calls among successful ones
// never add up.
//
// An ejected node gets no calls until its back-off has passed. Then the
// next call that could go to it (after the call's filters) is sent to it
// as a probe, and only that call: until the probe ends, or for one more
// back-off if it never does, the node stays out. A successful probe puts
// the node back in and resets its back-off; a failed probe ejects it
// again for twice as long as the last time, up to MaxBackoff.
//
// The number of ejected nodes is capped: failures eject a node only while
// fewer than MaxPercent of the nodes (rounded down, but at least one when
// there are two or more) are ejected, for whatever reason; unreachable
// nodes are ejected beyond that cap, since they take no calls anyway; and
// the last node in the rotation is never ejected, so a selector with one
// node never ejects it. When the filters of a call leave only ejected
// nodes, the call uses them rather than failing.
//
// The Kratos selectors have no ejection. This type is not part of Kratos.
type Ejection struct {
	// Disabled turns ejection off: the selector then wraps nothing and
	// looks at no outcome. Default false.
	Disabled bool
	// ConsecutiveFailures is the number of failures in a row that ejects
	// a node. Zero or less means 5.
	ConsecutiveFailures int
	// BaseBackoff is how long a node stays out after its first ejection.
	// Zero or less means 1s.
	BaseBackoff time.Duration
	// MaxBackoff caps the back-off, which doubles with each ejection that
	// follows a failed probe. Zero or less means 30s; a value below
	// BaseBackoff means BaseBackoff.
	MaxBackoff time.Duration
	// MaxPercent is the largest share of the nodes, in percent, that
	// failures may eject at the same time. Zero or less means 50; more than
	// 100 means 100.
	MaxPercent int
}

// Defaults of Ejection.
const (
	defaultConsecutiveFailures = 5
	defaultBaseBackoff         = time.Second
	defaultMaxBackoff          = 30 * time.Second
	defaultMaxPercent          = 50
)

// ejector holds the resolved configuration and the ejection state shared
// by the nodes of one Default selector.
type ejector struct {
	failures   int32
	base, max  time.Duration
	maxPercent int
	now        func() time.Time

	set     *atomic.Pointer[nodeSet] // the selector's current node set
	ejected atomic.Int32             // ejected nodes in the current set
}

func newEjector(e Ejection, now func() time.Time, set *atomic.Pointer[nodeSet]) *ejector {
	ej := &ejector{
		failures:   defaultConsecutiveFailures,
		base:       defaultBaseBackoff,
		max:        defaultMaxBackoff,
		maxPercent: defaultMaxPercent,
		now:        now,
		set:        set,
	}
	if e.ConsecutiveFailures > 0 {
		ej.failures = int32(min(e.ConsecutiveFailures, 1<<30))
	}
	if e.BaseBackoff > 0 {
		ej.base = e.BaseBackoff
	}
	if e.MaxBackoff > 0 {
		ej.max = e.MaxBackoff
	}
	ej.max = max(ej.max, ej.base)
	if e.MaxPercent > 0 {
		ej.maxPercent = min(e.MaxPercent, 100)
	}
	if ej.now == nil {
		ej.now = time.Now
	}
	return ej
}

// backoff returns the length of an ejection after level earlier ones.
func (ej *ejector) backoff(level int32) time.Duration {
	d := ej.base
	for range level {
		if d >= ej.max/2 {
			return ej.max
		}
		d *= 2
	}
	return min(d, ej.max)
}

// limit returns how many of n nodes may be ejected at the same time.
func (ej *ejector) limit(n int, unreachable bool) int32 {
	if n < 2 {
		return 0
	}
	if unreachable {
		return int32(n - 1)
	}
	return int32(min(max(n*ej.maxPercent/100, 1), n-1))
}

// The values of healthNode.state other than "until" times.
const (
	stateIn      = 0  // in the rotation
	stateRetired = -1 // no longer in the selector's node set
)

// healthNode wraps the WeightedNode of the node builder with the node's
// ejection state. Balancers and filters see it in place of that node.
type healthNode struct {
	WeightedNode
	ej *ejector

	// state is stateIn, stateRetired, or the time (Unix nanoseconds of
	// ej.now) until which the node is ejected. While a probe is out, it is
	// the time until which no other probe may start.
	state    atomic.Int64
	fails    atomic.Int32 // failures in a row
	level    atomic.Int32 // ejections since the last successful probe
	answered atomic.Bool  // the node has had a success

	// observeDone, when set, is the DoneFunc of every call: the wrapped
	// node's DoneFunc is known to do nothing, so it needs no chain.
	observeDone DoneFunc

	addr string // Address of the wrapped node, which does not change
}

// Address returns the address of the wrapped node.
func (n *healthNode) Address() string { return n.addr }

func newHealthNode(wn WeightedNode, ej *ejector) *healthNode {
	n := &healthNode{WeightedNode: wn, ej: ej, addr: wn.Address()}
	if _, ok := wn.(*staticNode); ok {
		n.observeDone = func(ctx context.Context, di DoneInfo) { n.observe(ctx, di.Err) }
	}
	return n
}

// Unwrap returns the WeightedNode the node builder built.
func (n *healthNode) Unwrap() WeightedNode { return n.WeightedNode }

// Pick calls Pick on the wrapped node and returns a DoneFunc that reports
// the outcome both to the wrapped node and to the ejection state.
func (n *healthNode) Pick() DoneFunc {
	if n.observeDone != nil {
		n.WeightedNode.Pick()
		return n.observeDone
	}
	c, _ := chainPool.Get().(*doneChain)
	if c == nil {
		c = new(doneChain)
		c.fn = c.done
	}
	c.node, c.inner = n, n.WeightedNode.Pick()
	return c.fn
}

// doneChain is the DoneFunc of one call picked by a balancer. Chains are
// pooled so that the common path allocates nothing; that is why the
// DoneFunc of Select must not be called twice.
type doneChain struct {
	node  *healthNode
	inner DoneFunc
	fn    DoneFunc // c.done, bound once
}

var chainPool sync.Pool

func (c *doneChain) done(ctx context.Context, di DoneInfo) {
	n, inner := c.node, c.inner
	if n == nil {
		return // called twice
	}
	c.node, c.inner = nil, nil
	chainPool.Put(c)
	if inner != nil {
		inner(ctx, di)
	}
	n.observe(ctx, di.Err)
}

// probe sends one call to an ejected node whose back-off has passed; token
// is the state the caller set when it claimed the probe.
func (n *healthNode) probe(token int64) DoneFunc {
	inner := n.WeightedNode.Pick()
	return func(ctx context.Context, di DoneInfo) {
		if inner != nil {
			inner(ctx, di)
		}
		n.probed(ctx, token, di.Err)
	}
}

// observe records the outcome of a call that was not a probe.
func (n *healthNode) observe(ctx context.Context, err error) {
	switch classify(ctx, err) {
	case outcomeSuccess:
		if n.fails.Load() != 0 {
			n.fails.Store(0)
		}
		if !n.answered.Load() {
			n.answered.Store(true)
		}
	case outcomeFailure:
		// Past the threshold, try again every ConsecutiveFailures
		// failures, not on each: a refused ejection costs a scan of the
		// node set.
		if f := n.fails.Add(1); f >= n.ej.failures && f%n.ej.failures == 0 {
			n.eject(false)
		}
	case outcomeUnreachable:
		n.fails.Add(1)
		n.eject(true)
	}
}

// probed records the outcome of a probe.
func (n *healthNode) probed(ctx context.Context, token int64, err error) {
	switch classify(ctx, err) {
	case outcomeSuccess:
		if n.state.CompareAndSwap(token, stateIn) {
			n.ej.ejected.Add(-1)
			n.level.Store(0)
			n.fails.Store(0)
			n.answered.Store(true)
		}
	case outcomeFailure, outcomeUnreachable:
		lvl := n.level.Load()
		if n.state.CompareAndSwap(token, n.ej.now().UnixNano()+int64(n.ej.backoff(lvl))) {
			n.level.CompareAndSwap(lvl, min(lvl+1, 62))
		}
	default:
		// The probe said nothing about the node: let the next call probe.
		n.state.CompareAndSwap(token, n.ej.now().UnixNano())
	}
}

// eject takes the node out of the rotation, unless it is out already or
// the cap or the outlier rule (see Ejection) forbids it.
func (n *healthNode) eject(unreachable bool) {
	if n.state.Load() != stateIn {
		return
	}
	ej := n.ej
	set := ej.set.Load()
	if set == nil {
		return
	}
	limit := ej.limit(len(set.nodes), unreachable)
	if ej.ejected.Load() >= limit || (!unreachable && !set.othersAnswer(n)) {
		return
	}
	for {
		c := ej.ejected.Load()
		if c >= limit {
			return
		}
		if ej.ejected.CompareAndSwap(c, c+1) {
			break
		}
	}
	lvl := n.level.Load()
	if !n.state.CompareAndSwap(stateIn, ej.now().UnixNano()+int64(ej.backoff(lvl))) {
		ej.ejected.Add(-1)
		return
	}
	n.level.CompareAndSwap(lvl, min(lvl+1, 62))
	n.fails.Store(0)
}

// retire marks a node that left the selector's node set.
func (n *healthNode) retire() {
	if old := n.state.Swap(stateRetired); old > 0 {
		n.ej.ejected.Add(-1)
	}
}

// othersAnswer reports whether a node of the set other than n is in the
// rotation and had a success as its last outcome.
func (s *nodeSet) othersAnswer(n *healthNode) bool {
	for _, wn := range s.nodes {
		h, ok := wn.(*healthNode)
		if !ok || h == n {
			continue
		}
		if h.state.Load() == stateIn && h.fails.Load() == 0 && h.answered.Load() {
			return true
		}
	}
	return false
}

// outcome is what a call's outcome says about the node it went to.
type outcome int

const (
	outcomeNeutral     outcome = iota // nothing
	outcomeSuccess                    // the node works
	outcomeFailure                    // the node may be failing
	outcomeUnreachable                // the node could not be reached
)

// classify sorts the error a call ended with; see Ejection for the rules.
// ctx is the context the DoneFunc was called with.
func classify(ctx context.Context, err error) outcome {
	if err == nil {
		return outcomeSuccess
	}
	var ctxErr error
	if ctx != nil {
		ctxErr = ctx.Err()
	}
	switch {
	case ctxErr == context.Canceled || errors.Is(err, context.Canceled):
		return outcomeNeutral
	case ctxErr == context.DeadlineExceeded || errors.Is(err, context.DeadlineExceeded):
		return outcomeFailure
	case dialFailed(err):
		return outcomeUnreachable
	}
	var ke *kerrors.Error
	if errors.As(err, &ke) && ke != nil {
		switch ke.Code {
		case 500, 502, 503, 504:
			return outcomeFailure
		case 429, 499:
			return outcomeNeutral
		}
		return outcomeSuccess
	}
	if s, ok := status.FromError(err); ok {
		switch s.Code() {
		case codes.OK:
			return outcomeSuccess
		case codes.Unavailable, codes.Internal, codes.DeadlineExceeded:
			return outcomeFailure
		case codes.Canceled, codes.ResourceExhausted:
			return outcomeNeutral
		}
		return outcomeSuccess
	}
	var ue *url.Error
	var ne net.Error
	switch {
	case errors.As(err, &ue), errors.As(err, &ne),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return outcomeFailure
	}
	return outcomeNeutral
}

// dialFailed reports whether err says that a connection could not be made.
func dialFailed(err error) bool {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}
