package selector

import (
	"context"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/seed6ad8aa6b/kratos/errors"
)

// ErrNoAvailable is returned by Select when no node is left to pick from:
// none was applied, or the node filters removed them all. Its code is 503.
var ErrNoAvailable = errors.ServiceUnavailable("no_available_node", "")

// Selector picks a node for each call out of the nodes last applied.
// Implementations are safe for concurrent use.
type Selector interface {
	Rebalancer

	// Select picks a node. The caller sends its request to that node and
	// then calls done, if non-nil, exactly once with the outcome.
	Select(ctx context.Context, opts ...SelectOption) (selected Node, done DoneFunc, err error)
}

// Rebalancer accepts the current node set of a service.
type Rebalancer interface {
	// Apply replaces the node set. It is called again on every change that
	// discovery reports; the slice is not retained.
	Apply(nodes []Node)
}

// Builder builds one Selector per client.
type Builder interface {
	Build() Selector
}

// Default is the Selector made of a node builder and a balancer: Apply
// wraps every node with NodeBuilder, and Select filters the wrapped nodes
// and lets Balancer pick among the rest. Both fields must be set before the
// first Apply and not changed afterwards. Default is safe for concurrent
// use; Apply and Select may run at the same time.
//
// Apply keeps the weighted node (and so its statistics) of a node whose
// scheme, address, service name, version, initial weight and metadata did
// not change; it builds new weighted nodes only for new or changed nodes.
type Default struct {
	NodeBuilder WeightedNodeBuilder
	Balancer    Balancer

	nodes atomic.Pointer[[]WeightedNode]
}

var _ Selector = (*Default)(nil)

// Select applies the node filters of opts, in order, to the current node
// set and picks one of the remaining nodes with the balancer. It returns
// [ErrNoAvailable] when no node is left. When ctx carries a [Peer] (see
// [NewPeerContext]), Select stores the picked node in it.
//
// Filters see the weighted nodes as [Node] values and must return nodes
// from the slice they were given (in any number and order); nodes that did
// not come from that slice are dropped. A filter may reorder or overwrite
// the slice it is given but must not keep it after returning: Select
// reuses it.
func (d *Default) Select(ctx context.Context, opts ...SelectOption) (Node, DoneFunc, error) {
	p := d.nodes.Load()
	if p == nil || len(*p) == 0 {
		return nil, nil, ErrNoAvailable
	}
	if len(opts) == 0 {
		return d.pick(ctx, *p)
	}
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	sc.opts.NodeFilters = sc.filters[:0]
	for _, opt := range opts {
		opt(&sc.opts)
	}
	if len(sc.opts.NodeFilters) == 0 {
		return d.pick(ctx, *p)
	}
	candidates := sc.filter(ctx, *p)
	if len(candidates) == 0 {
		return nil, nil, ErrNoAvailable
	}
	return d.pick(ctx, candidates)
}

func (d *Default) pick(ctx context.Context, candidates []WeightedNode) (Node, DoneFunc, error) {
	wn, done, err := d.Balancer.Pick(ctx, candidates)
	if err != nil {
		return nil, nil, err
	}
	raw := wn.Raw()
	if peer, ok := FromPeerContext(ctx); ok && peer != nil {
		peer.Node = raw
	}
	return raw, done, nil
}

// scratch holds the buffers of one filtered Select call, so that repeated
// calls do not allocate them.
type scratch struct {
	opts       SelectOptions
	filters    []NodeFilter // the buffer opts.NodeFilters starts from
	plain      []Node
	candidates []WeightedNode
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{filters: make([]NodeFilter, 0, 4)}
}}

// filter runs the node filters over nodes and maps the result back to
// weighted nodes. The result is valid until release.
func (sc *scratch) filter(ctx context.Context, nodes []WeightedNode) []WeightedNode {
	plain := sc.plain[:0]
	for _, n := range nodes {
		plain = append(plain, n)
	}
	sc.plain = plain
	for _, f := range sc.opts.NodeFilters {
		plain = f(ctx, plain)
	}
	out := sc.candidates[:0]
	for _, n := range plain {
		if wn, ok := n.(WeightedNode); ok {
			out = append(out, wn)
		}
	}
	sc.candidates = out
	return out
}

// release clears the buffers, so that they keep no nodes alive, and returns
// sc to the pool.
func (sc *scratch) release() {
	// An option may have replaced NodeFilters with a slice of its own,
	// which must be left alone.
	if f := sc.opts.NodeFilters; cap(f) > 0 && cap(f) == cap(sc.filters) && &f[:1][0] == &sc.filters[:1][0] {
		clear(f)
	}
	sc.opts = SelectOptions{}
	clear(sc.plain)
	sc.plain = sc.plain[:0]
	clear(sc.candidates)
	sc.candidates = sc.candidates[:0]
	scratchPool.Put(sc)
}

// Apply wraps nodes with the node builder and makes them the node set seen
// by later Select calls.
func (d *Default) Apply(nodes []Node) {
	var old map[string]WeightedNode
	if p := d.nodes.Load(); p != nil && len(*p) > 0 {
		old = make(map[string]WeightedNode, len(*p))
		for _, wn := range *p {
			old[wn.Scheme()+"://"+wn.Address()] = wn
		}
	}
	weighted := make([]WeightedNode, 0, len(nodes))
	for _, n := range nodes {
		if n == nil {
			continue
		}
		if prev, ok := old[n.Scheme()+"://"+n.Address()]; ok && sameNode(prev.Raw(), n) {
			weighted = append(weighted, prev)
			continue
		}
		weighted = append(weighted, d.NodeBuilder.Build(n))
	}
	d.nodes.Store(&weighted)
}

// sameNode reports whether a and b describe the same node.
func sameNode(a, b Node) bool {
	if a.Scheme() != b.Scheme() || a.Address() != b.Address() ||
		a.ServiceName() != b.ServiceName() || a.Version() != b.Version() {
		return false
	}
	wa, wb := a.InitialWeight(), b.InitialWeight()
	if (wa == nil) != (wb == nil) || (wa != nil && *wa != *wb) {
		return false
	}
	return maps.Equal(a.Metadata(), b.Metadata())
}

// DefaultBuilder builds [Default] selectors: each Build gets a fresh
// balancer from Balancer and shares the node builder Node. Both fields must
// be set.
type DefaultBuilder struct {
	Node     WeightedNodeBuilder
	Balancer BalancerBuilder
}

var _ Builder = (*DefaultBuilder)(nil)

// Build returns a new *Default with no nodes.
func (db *DefaultBuilder) Build() Selector {
	return &Default{NodeBuilder: db.Node, Balancer: db.Balancer.Build()}
}
