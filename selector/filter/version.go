// Package filter provides common selector.NodeFilter functions.
package filter

import (
	"context"

	"github.com/seed6ad8aa6b/kratos/selector"
)

// Version returns a filter that keeps the nodes whose Version is exactly
// version. It does not modify the slice it is given; when every node
// matches, it returns that slice unchanged without allocating.
func Version(version string) selector.NodeFilter {
	return func(_ context.Context, nodes []selector.Node) []selector.Node {
		for i, n := range nodes {
			if n.Version() == version {
				continue
			}
			// First mismatch: copy the matching prefix, then filter the rest.
			out := make([]selector.Node, i, len(nodes)-1)
			copy(out, nodes[:i])
			for _, n := range nodes[i+1:] {
				if n.Version() == version {
					out = append(out, n)
				}
			}
			return out
		}
		return nodes
	}
}
