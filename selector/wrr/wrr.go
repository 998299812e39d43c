// Package wrr is smooth weighted round robin: nodes are picked in turn, each
// in proportion to its weight, with the picks of a heavy node spread out
// rather than bunched (the algorithm nginx uses). With nodes from
// selector/node/direct the weight is the "weight" metadata of the instance,
// or 100.
package wrr

import (
	"context"

	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/internal/swrr"
	"github.com/seed6ad8aa6b/kratos/selector/node/direct"
)

// Name is the name of this balancer.
const Name = "wrr"

// Option configures the selectors that New and NewBuilder make.
type Option func(*options)

type options struct {
	ejection selector.Ejection
}

// WithEjection configures the outlier ejection of the selectors: see
// selector.Ejection, whose zero value, ejection on with its defaults, is the
// default. Pass selector.Ejection{Disabled: true} to turn it off. This
// option is not part of Kratos.
func WithEjection(e selector.Ejection) Option {
	return func(o *options) { o.ejection = e }
}

// New returns a Selector that balances with smooth weighted round robin
// over direct (fixed weight) nodes.
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
		Balancer: &Builder{},
	}
}

// Builder builds Balancers. The zero value is ready to use.
type Builder struct{}

var _ selector.BalancerBuilder = (*Builder)(nil)

// Build returns a new Balancer with no history.
func (*Builder) Build() selector.Balancer {
	return &Balancer{}
}

// Balancer is a smooth weighted round robin balancer. It remembers the
// current weight of every address it has seen, so its rotation continues
// across node set changes. Nodes whose weight is not a positive finite
// number are skipped unless all are, in which case they take turns. The
// zero value is ready to use; a Balancer is safe for concurrent use.
type Balancer struct {
	state swrr.State
}

var _ selector.Balancer = (*Balancer)(nil)

// Pick picks the next node in the rotation and calls its Pick method.
func (b *Balancer) Pick(_ context.Context, nodes []selector.WeightedNode) (selector.WeightedNode, selector.DoneFunc, error) {
	i := swrr.Pick(&b.state, nodes)
	if i < 0 {
		return nil, nil, selector.ErrNoAvailable
	}
	return nodes[i], nodes[i].Pick(), nil
}
