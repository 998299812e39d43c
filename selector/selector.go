package selector

import (
	"context"
	"maps"
	"sync"
	"sync/atomic"
	"time"

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
// and lets Balancer pick among the rest. NodeBuilder and Balancer must be
// set, and Ejection may be, before the first Apply; none may change
// afterwards. Default is safe for concurrent use; Apply and Select may run
// at the same time.
//
// Apply keeps the weighted node (and so its statistics and ejection state)
// of a node whose scheme, address, service name, version, initial weight
// and metadata did not change; it builds new weighted nodes only for new or
// changed nodes.
//
// Unless Ejection.Disabled is set, Default ejects failing nodes whatever
// the balancer (see [Ejection]): it wraps each weighted node so that it can
// see the outcome of every call, and Select leaves ejected nodes out. The
// balancer and the node filters then see the wrapped nodes; their Raw
// method returns the original node, as before, and their Unwrap method
// the WeightedNode that NodeBuilder built.
type Default struct {
	NodeBuilder WeightedNodeBuilder
	Balancer    Balancer
	// Ejection configures outlier ejection. The zero value turns it on
	// with the defaults given at [Ejection]. This field is not part of
	// Kratos.
	Ejection Ejection

	now func() time.Time // test seam for the ejector; nil means time.Now

	mu  sync.Mutex // serializes Apply
	ej  *ejector   // built by the first Apply; nil when ejection is off
	set atomic.Pointer[nodeSet]
}

// nodeSet is the node set a Select call works on.
type nodeSet struct {
	nodes []WeightedNode // *healthNode values when ej is not nil
	ej    *ejector
}

var _ Selector = (*Default)(nil)

// Select picks a node for a call in four steps: it applies the node
// filters of opts, in order, to the current node set; then the filters of
// ctx (see [NewNodeFilterContext]), in order, skipping any that would
// leave no node; then it leaves out ejected nodes, unless all remaining
// ones are, and sends the call to an ejected node as a probe when that
// node's back-off has passed (see [Ejection]); and last lets the balancer
// pick. It returns [ErrNoAvailable] when no node is applied or the
// filters of opts leave none. When ctx carries a [Peer] (see
// [NewPeerContext]), Select stores the picked node in it.
//
// Call the returned DoneFunc once, when the call is over: it is recycled
// when ejection is on, so a second call may report to another call's
// node.
//
// Filters see the weighted nodes as [Node] values and must return nodes
// from the slice they were given (in any number and order); nodes that did
// not come from that slice are dropped. A filter may reorder or overwrite
// the slice it is given but must not keep it after returning: Select
// reuses it.
func (d *Default) Select(ctx context.Context, opts ...SelectOption) (Node, DoneFunc, error) {
	set := d.set.Load()
	if set == nil || len(set.nodes) == 0 {
		return nil, nil, ErrNoAvailable
	}
	ctxFilters := FromNodeFilterContext(ctx)
	ejecting := set.ej != nil && set.ej.ejected.Load() > 0
	if len(opts) == 0 && len(ctxFilters) == 0 && !ejecting {
		return d.pick(ctx, set.nodes)
	}
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	candidates := set.nodes
	if len(opts) > 0 {
		sc.opts.NodeFilters = sc.filters[:0]
		for _, opt := range opts {
			opt(&sc.opts)
		}
		if len(sc.opts.NodeFilters) > 0 {
			candidates = sc.filter(ctx, candidates, sc.opts.NodeFilters)
			if len(candidates) == 0 {
				return nil, nil, ErrNoAvailable
			}
		}
	}
	if len(ctxFilters) > 0 {
		candidates = sc.filterSoft(ctx, candidates, ctxFilters)
	}
	if ejecting {
		var probe *healthNode
		var token int64
		candidates, probe, token = sc.inRotation(candidates, set.ej)
		if probe != nil {
			raw := probe.Raw()
			if peer, ok := FromPeerContext(ctx); ok && peer != nil {
				peer.Node = raw
			}
			return raw, probe.probe(token), nil
		}
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
	candidates []WeightedNode // the result of the filters so far
	spare      []WeightedNode
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{filters: make([]NodeFilter, 0, 4)}
}}

// run runs one filter over nodes and maps its result back to weighted
// nodes, into sc.spare.
func (sc *scratch) run(ctx context.Context, f NodeFilter, nodes []WeightedNode) []WeightedNode {
	plain := sc.plain[:0]
	for _, n := range nodes {
		plain = append(plain, n)
	}
	sc.plain = plain
	out := sc.spare[:0]
	for _, n := range f(ctx, plain) {
		if wn, ok := n.(WeightedNode); ok {
			out = append(out, wn)
		}
	}
	sc.spare = out
	return out
}

// filter runs filters over nodes, each over the result of the one
// before. The result is valid until release.
func (sc *scratch) filter(ctx context.Context, nodes []WeightedNode, filters []NodeFilter) []WeightedNode {
	for _, f := range filters {
		out := sc.run(ctx, f, nodes)
		sc.candidates = append(sc.candidates[:0], out...)
		nodes = sc.candidates
		if len(nodes) == 0 {
			break
		}
	}
	return nodes
}

// filterSoft is filter, except that a filter that leaves no node is
// skipped.
func (sc *scratch) filterSoft(ctx context.Context, nodes []WeightedNode, filters []NodeFilter) []WeightedNode {
	for _, f := range filters {
		out := sc.run(ctx, f, nodes)
		if len(out) == 0 {
			continue
		}
		sc.candidates = append(sc.candidates[:0], out...)
		nodes = sc.candidates
	}
	return nodes
}

// inRotation returns the nodes that are not ejected, or all nodes when
// every one is. When the back-off of an ejected node has passed and this
// call wins the race to probe it, it returns that node and the probe's
// token instead.
func (sc *scratch) inRotation(nodes []WeightedNode, ej *ejector) ([]WeightedNode, *healthNode, int64) {
	now := ej.now().UnixNano()
	out := sc.spare[:0]
	for _, wn := range nodes {
		h, ok := wn.(*healthNode)
		if !ok {
			out = append(out, wn)
			continue
		}
		st := h.state.Load()
		if st == stateIn {
			out = append(out, wn)
			continue
		}
		if st > 0 && now >= st {
			token := now + int64(ej.backoff(h.level.Load()))
			if h.state.CompareAndSwap(st, token) {
				return nil, h, token
			}
		}
	}
	sc.spare = out
	if len(out) == 0 {
		return nodes, nil, 0
	}
	return out, nil, 0
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
	clear(sc.spare)
	sc.spare = sc.spare[:0]
	scratchPool.Put(sc)
}

// Apply wraps nodes with the node builder and makes them the node set seen
// by later Select calls.
func (d *Default) Apply(nodes []Node) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ej == nil && !d.Ejection.Disabled {
		d.ej = newEjector(d.Ejection, d.now, &d.set)
	}
	prev := d.set.Load()
	var old map[string]WeightedNode
	if prev != nil && len(prev.nodes) > 0 {
		old = make(map[string]WeightedNode, len(prev.nodes))
		for _, wn := range prev.nodes {
			old[wn.Scheme()+"://"+wn.Address()] = wn
		}
	}
	weighted := make([]WeightedNode, 0, len(nodes))
	for _, n := range nodes {
		if n == nil {
			continue
		}
		if wn, ok := old[n.Scheme()+"://"+n.Address()]; ok && sameNode(wn.Raw(), n) {
			weighted = append(weighted, wn)
			continue
		}
		wn := d.NodeBuilder.Build(n)
		if d.ej != nil {
			wn = newHealthNode(wn, d.ej)
		}
		weighted = append(weighted, wn)
	}
	d.set.Store(&nodeSet{nodes: weighted, ej: d.ej})
	if prev != nil && d.ej != nil {
		retireDropped(prev.nodes, weighted)
	}
}

// retireDropped retires the nodes of prev that are not in next.
func retireDropped(prev, next []WeightedNode) {
	kept := make(map[WeightedNode]struct{}, len(next))
	for _, wn := range next {
		kept[wn] = struct{}{}
	}
	for _, wn := range prev {
		if _, ok := kept[wn]; ok {
			continue
		}
		if h, ok := wn.(*healthNode); ok {
			h.retire()
		}
	}
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
// balancer from Balancer and shares the node builder Node. Node and
// Balancer must be set.
type DefaultBuilder struct {
	Node     WeightedNodeBuilder
	Balancer BalancerBuilder
	// Ejection is given to every selector built; see [Default.Ejection].
	// This field is not part of Kratos.
	Ejection Ejection
}

var _ Builder = (*DefaultBuilder)(nil)

// Build returns a new *Default with no nodes.
func (db *DefaultBuilder) Build() Selector {
	return &Default{NodeBuilder: db.Node, Balancer: db.Balancer.Build(), Ejection: db.Ejection}
}
