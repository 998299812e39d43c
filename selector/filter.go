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

type filterKey struct{}

// NewNodeFilterContext returns a copy of ctx carrying filters for the
// Select calls made with it, after the filters ctx already carries. A
// retry uses it to steer its next attempt away from the nodes it tried.
//
// The [Default] selector runs these filters after those of its
// SelectOptions, in order, and skips a context filter that would leave no
// node: the call then goes to one of the nodes that filter was given, as a
// retry had better reuse a node than fail for want of one. Other Selector
// implementations may read them with [FromNodeFilterContext].
//
// This function is not part of Kratos.
func NewNodeFilterContext(ctx context.Context, filters ...NodeFilter) context.Context {
	if len(filters) == 0 {
		return ctx
	}
	prev := FromNodeFilterContext(ctx)
	all := make([]NodeFilter, 0, len(prev)+len(filters))
	all = append(append(all, prev...), filters...)
	return context.WithValue(ctx, filterKey{}, all)
}

// FromNodeFilterContext returns the filters ctx carries (see
// [NewNodeFilterContext]), or nil. The caller must not modify the slice.
//
// This function is not part of Kratos.
func FromNodeFilterContext(ctx context.Context) []NodeFilter {
	f, _ := ctx.Value(filterKey{}).([]NodeFilter)
	return f
}
