package selector

import "context"

// NodeFilter narrows the candidate nodes of one Select call. It must return
// a subset of nodes, and may reorder them and reuse the slice for its
// result, but must not keep the slice after returning.
type NodeFilter func(ctx context.Context, nodes []Node) []Node

// SelectOptions are the options of one Select call.
type SelectOptions struct {
	// NodeFilters run in order before the balancer picks.
	NodeFilters []NodeFilter
}

// SelectOption configures one Select call.
type SelectOption func(*SelectOptions)

// WithNodeFilter adds filters to the call; they run after any added
// earlier. By default no filter runs.
func WithNodeFilter(fn ...NodeFilter) SelectOption {
	return func(o *SelectOptions) {
		o.NodeFilters = append(o.NodeFilters, fn...)
	}
}
