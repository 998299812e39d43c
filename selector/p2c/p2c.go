// Package p2c is "the power of two choices": each pick draws two distinct
// nodes at random and takes the one with the higher weight. With nodes from
// selector/node/ewma, whose weight falls with latency, errors and load,
// traffic moves away from slow, failing or busy nodes while every node
// keeps being compared.
//
// A node that loses every comparison would never be measured again and
// could never recover, so when the losing node has not been picked for more
// than three seconds it is picked instead, once.
package p2c

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/node/ewma"
)

// Name is the name of this balancer.
const Name = "p2c"

// forcePick is how long a node may go unpicked before it wins a comparison
// it lost.
const forcePick = 3 * time.Second

// Option configures the selectors that New and NewBuilder make.
type Option func(*options)

type options struct {
	ejection selector.Ejection
	intN     func(n int) int // test seam; nil means math/rand/v2.IntN
}

// WithEjection configures the outlier ejection of the selectors: see
// selector.Ejection, whose zero value, ejection on with its defaults, is the
// default. Pass selector.Ejection{Disabled: true} to turn it off. This
// option is not part of Kratos.
func WithEjection(e selector.Ejection) Option {
	return func(o *options) { o.ejection = e }
}

// New returns a Selector that balances with the power of two choices over
// ewma nodes.
func New(opts ...Option) selector.Selector {
	return NewBuilder(opts...).Build()
}

// NewBuilder returns a Builder of the selectors New returns.
func NewBuilder(opts ...Option) selector.Builder {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return &selector.DefaultBuilder{
		Ejection: o.ejection,
		Node:     &ewma.Builder{},
		Balancer: &Builder{intN: o.intN},
	}
}

// Builder builds Balancers. The zero value is ready to use.
type Builder struct {
	intN func(n int) int
}

var _ selector.BalancerBuilder = (*Builder)(nil)

// Build returns a new Balancer.
func (b *Builder) Build() selector.Balancer {
	return &Balancer{intN: b.intN}
}

// Balancer is a power of two choices balancer. It draws from
// math/rand/v2's global source, so picks take no lock. The zero value is
// ready to use; a Balancer is safe for concurrent use.
type Balancer struct {
	intN    func(n int) int
	forcing atomic.Bool // set while one pick is forcing a stale node
}

var _ selector.Balancer = (*Balancer)(nil)

func (b *Balancer) rand(n int) int {
	if b.intN != nil {
		return b.intN(n)
	}
	return rand.IntN(n)
}

// Pick compares two distinct random nodes and calls Pick on the one with the
// higher weight (the first drawn on a tie), or on the other one when it has
// not been picked for more than three seconds.
func (b *Balancer) Pick(_ context.Context, nodes []selector.WeightedNode) (selector.WeightedNode, selector.DoneFunc, error) {
	switch len(nodes) {
	case 0:
		return nil, nil, selector.ErrNoAvailable
	case 1:
		return nodes[0], nodes[0].Pick(), nil
	}
	i := b.rand(len(nodes))
	j := b.rand(len(nodes) - 1)
	if j >= i {
		j++
	}
	win, lose := nodes[i], nodes[j]
	if lose.Weight() > win.Weight() {
		win, lose = lose, win
	}
	// Let one caller at a time force the stale node, and re-check under the
	// flag so that concurrent callers do not all pile onto it.
	if lose.PickElapsed() > forcePick && b.forcing.CompareAndSwap(false, true) {
		if lose.PickElapsed() > forcePick {
			win = lose
		}
		done := win.Pick()
		b.forcing.Store(false)
		return win, done, nil
	}
	return win, win.Pick(), nil
}
