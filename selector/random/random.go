// Package random picks a node uniformly at random, ignoring weights.
package random

import (
	"context"
	"math/rand/v2"

	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/node/direct"
)

// Name is the name of this balancer.
const Name = "random"

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

// New returns a Selector that picks uniformly at random among direct
// nodes.
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
		Node:     &direct.Builder{},
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

// Balancer picks uniformly at random. It draws from math/rand/v2's global
// source, so it needs no lock. The zero value is ready to use; a Balancer is
// safe for concurrent use.
type Balancer struct {
	intN func(n int) int
}

var _ selector.Balancer = (*Balancer)(nil)

// Pick picks a node at random and calls its Pick method.
func (b *Balancer) Pick(_ context.Context, nodes []selector.WeightedNode) (selector.WeightedNode, selector.DoneFunc, error) {
	if len(nodes) == 0 {
		return nil, nil, selector.ErrNoAvailable
	}
	var i int
	if b.intN != nil {
		i = b.intN(len(nodes))
	} else {
		i = rand.IntN(len(nodes))
	}
	return nodes[i], nodes[i].Pick(), nil
}
