package selector

import (
	"context"
	"math"
	"sync/atomic"
	"time"

	"github.com/seed6ad8aa6b/kratos/selector/internal/swrr"
)

// global is the Builder returned by GlobalSelector.
var global globalBuilder

type builderBox struct{ b Builder }

// globalBuilder forwards Build to the Builder last passed to
// SetGlobalSelector, or builds the default when there is none.
type globalBuilder struct {
	current atomic.Pointer[builderBox]
}

func (g *globalBuilder) Build() Selector {
	if box := g.current.Load(); box != nil {
		return box.b.Build()
	}
	return &Default{NodeBuilder: staticNodeBuilder{}, Balancer: &swrrBalancer{}}
}

// GlobalSelector returns the process-wide default Builder, which transport
// clients use unless they are given a selector of their own. It never
// returns nil, and it always returns the same value: Build on it uses the
// Builder most recently passed to SetGlobalSelector, or, when there is
// none, builds smooth weighted round robin selectors over the initial
// weights of the nodes (the "weight" metadata, 100 when absent), with
// outlier ejection on (see [Ejection]), which is what
// selector/wrr.NewBuilder() builds.
//
// Unlike Kratos, where GlobalSelector returns nil until some package sets
// it, nothing has to be set, and no package sets it from an init function.
func GlobalSelector() Builder {
	return &global
}

// SetGlobalSelector makes builder the Builder behind GlobalSelector; nil
// restores the default. Call it during program start-up, before creating
// clients: selectors that were already built keep their algorithm. It is
// safe to call concurrently with GlobalSelector().Build(); the last call
// wins.
func SetGlobalSelector(builder Builder) {
	if builder == nil || builder == Builder(&global) {
		global.current.Store(nil)
		return
	}
	global.current.Store(&builderBox{b: builder})
}

// defaultWeight is the weight of a node without an initial weight.
const defaultWeight = 100

// staticNodeBuilder builds staticNodes; it is what selector/node/direct
// provides, repeated here because that package imports this one.
type staticNodeBuilder struct{}

func (staticNodeBuilder) Build(n Node) WeightedNode {
	return &staticNode{Node: n}
}

// staticNode weighs a node by its initial weight.
type staticNode struct {
	Node
	lastPick atomic.Int64 // unix nanoseconds, 0 when never picked
}

func (n *staticNode) Raw() Node { return n.Node }

func (n *staticNode) Weight() float64 {
	if w := n.InitialWeight(); w != nil {
		return float64(*w)
	}
	return defaultWeight
}

func (n *staticNode) Pick() DoneFunc {
	n.lastPick.Store(time.Now().UnixNano())
	return noopDone
}

func (n *staticNode) PickElapsed() time.Duration {
	last := n.lastPick.Load()
	if last == 0 {
		return math.MaxInt64
	}
	return time.Duration(time.Now().UnixNano() - last)
}

func noopDone(context.Context, DoneInfo) {}

// swrrBalancer is smooth weighted round robin, as selector/wrr.Balancer.
type swrrBalancer struct {
	state swrr.State
}

func (b *swrrBalancer) Pick(_ context.Context, nodes []WeightedNode) (WeightedNode, DoneFunc, error) {
	i := swrr.Pick(&b.state, nodes)
	if i < 0 {
		return nil, nil, ErrNoAvailable
	}
	return nodes[i], nodes[i].Pick(), nil
}
