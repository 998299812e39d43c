// Package direct provides weighted nodes whose weight is fixed: the initial
// weight the service publisher assigned, or 100. Use it with balancers that
// follow static weights, such as selector/wrr and selector/random.
package direct

import (
	"context"
	"math"
	"sync/atomic"
	"time"

	"github.com/seed6ad8aa6b/kratos/selector"
)

// defaultWeight is the weight of a node without an initial weight.
const defaultWeight = 100

// Builder builds *Node values. The zero value is ready to use.
type Builder struct {
	now func() time.Time // test seam; nil means time.Now
}

var _ selector.WeightedNodeBuilder = (*Builder)(nil)

// Build wraps n.
func (b *Builder) Build(n selector.Node) selector.WeightedNode {
	now := time.Now
	if b != nil && b.now != nil {
		now = b.now
	}
	return &Node{Node: n, now: now}
}

// Node is a node with a fixed weight. It is safe for concurrent use.
type Node struct {
	selector.Node

	now      func() time.Time
	lastPick atomic.Int64 // unix nanoseconds; 0 when never picked
}

var _ selector.WeightedNode = (*Node)(nil)

// Raw returns the wrapped node.
func (n *Node) Raw() selector.Node { return n.Node }

// Weight returns the initial weight of the node, or 100 when it has none.
func (n *Node) Weight() float64 {
	if w := n.InitialWeight(); w != nil {
		return float64(*w)
	}
	return defaultWeight
}

// Pick records the time of the pick. The returned DoneFunc does nothing.
func (n *Node) Pick() selector.DoneFunc {
	n.lastPick.Store(n.clock().UnixNano())
	return noopDone
}

// PickElapsed returns the time since the last Pick, or the largest
// Duration for a node never picked.
func (n *Node) PickElapsed() time.Duration {
	last := n.lastPick.Load()
	if last == 0 {
		return math.MaxInt64
	}
	return time.Duration(n.clock().UnixNano() - last)
}

func (n *Node) clock() time.Time {
	if n.now != nil {
		return n.now()
	}
	return time.Now()
}

func noopDone(context.Context, selector.DoneInfo) {}
