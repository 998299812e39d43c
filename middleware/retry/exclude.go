package retry

import (
	"context"
	"slices"

	"github.com/seed6ad8aa6b/kratos/selector"
)

// excludeNodes returns ctx with a node filter (selector.NewNodeFilterContext)
// that leaves out the nodes at the addresses in tried, unless that would
// leave none. tried must not change afterwards.
func excludeNodes(ctx context.Context, tried []string) context.Context {
	return selector.NewNodeFilterContext(ctx, func(_ context.Context, nodes []selector.Node) []selector.Node {
		kept := 0
		for _, n := range nodes {
			if !slices.Contains(tried, n.Address()) {
				kept++
			}
		}
		if kept == 0 || kept == len(nodes) {
			return nodes
		}
		// Filters may reuse the slice they are given.
		out := nodes[:0]
		for _, n := range nodes {
			if !slices.Contains(tried, n.Address()) {
				out = append(out, n)
			}
		}
		return out
	})
}
