package selector_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/wrr"
)

func exclude(addrs ...string) selector.NodeFilter {
	return func(_ context.Context, nodes []selector.Node) []selector.Node {
		out := nodes[:0]
		for _, n := range nodes {
			if !slices.Contains(addrs, n.Address()) {
				out = append(out, n)
			}
		}
		return out
	}
}

func TestNodeFilterContext(t *testing.T) {
	bg := context.Background()
	tests := []struct {
		name string
		ctx  context.Context
		opts []selector.SelectOption
		want []string // nodes that get calls; nil means ErrNoAvailable
	}{
		{"none", bg, nil, []string{addrA, addrB, addrC}},
		{"no filters given", selector.NewNodeFilterContext(bg), nil, []string{addrA, addrB, addrC}},
		{"one", selector.NewNodeFilterContext(bg, exclude(addrA)), nil, []string{addrB, addrC}},
		{"after the option filters", selector.NewNodeFilterContext(bg, exclude(addrA)),
			[]selector.SelectOption{selector.WithNodeFilter(exclude(addrC))}, []string{addrB}},
		{"leaving none is skipped", selector.NewNodeFilterContext(bg, exclude(addrA, addrB, addrC)), nil, []string{addrA, addrB, addrC}},
		{"skipped after the option filters", selector.NewNodeFilterContext(bg, exclude(addrB)),
			[]selector.SelectOption{selector.WithNodeFilter(exclude(addrA, addrC))}, []string{addrB}},
		{"stacked", selector.NewNodeFilterContext(selector.NewNodeFilterContext(bg, exclude(addrA)), exclude(addrB)), nil, []string{addrC}},
		{"stacked, the second skipped", selector.NewNodeFilterContext(selector.NewNodeFilterContext(bg, exclude(addrA)), exclude(addrB, addrC)), nil, []string{addrB, addrC}},
		{"two in one call, the first skipped", selector.NewNodeFilterContext(bg, exclude(addrA, addrB, addrC), exclude(addrC)), nil, []string{addrA, addrB}},
		{"option filters leave none", selector.NewNodeFilterContext(bg, exclude(addrA)),
			[]selector.SelectOption{selector.WithNodeFilter(exclude(addrA, addrB, addrC))}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := wrr.New()
			s.Apply(nodes(3))
			seen := map[string]bool{}
			for range 30 {
				n, done, err := s.Select(tt.ctx, tt.opts...)
				if err != nil {
					if tt.want != nil {
						t.Fatalf("Select() error = %v, want a node", err)
					}
					if err != selector.ErrNoAvailable {
						t.Fatalf("Select() error = %v, want ErrNoAvailable", err)
					}
					return
				}
				done(tt.ctx, selector.DoneInfo{})
				seen[n.Address()] = true
			}
			var got []string
			for a := range seen {
				got = append(got, a)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("calls went to %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFromNodeFilterContext(t *testing.T) {
	bg := context.Background()
	if got := selector.FromNodeFilterContext(bg); got != nil {
		t.Errorf("FromNodeFilterContext(empty) = %d filters, want none", len(got))
	}
	parent := selector.NewNodeFilterContext(bg, exclude(addrA))
	left := selector.NewNodeFilterContext(parent, exclude(addrB))
	right := selector.NewNodeFilterContext(parent, exclude(addrC))
	// Each child has its own copy: adding to one does not change the other.
	run := func(ctx context.Context) string {
		nodes := nodes(3)
		for _, f := range selector.FromNodeFilterContext(ctx) {
			nodes = f(ctx, nodes)
		}
		var out []string
		for _, n := range nodes {
			out = append(out, n.Address())
		}
		return fmt.Sprint(out)
	}
	tests := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"parent", parent, fmt.Sprint([]string{addrB, addrC})},
		{"left", left, fmt.Sprint([]string{addrC})},
		{"right", right, fmt.Sprint([]string{addrB})},
	}
	for _, tt := range tests {
		if got := run(tt.ctx); got != tt.want {
			t.Errorf("%s: filters leave %s, want %s", tt.name, got, tt.want)
		}
	}
}

// A retry can send its next attempt to another node than the one that
// failed, and still gets a node when there is no other.
func ExampleNewNodeFilterContext() {
	s := wrr.New()
	s.Apply([]selector.Node{
		selector.NewNode("http", "10.0.0.1:8000", nil),
		selector.NewNode("http", "10.0.0.2:8000", nil),
	})
	tried := []string{"10.0.0.1:8000"}
	notTried := func(_ context.Context, nodes []selector.Node) []selector.Node {
		out := nodes[:0]
		for _, n := range nodes {
			if !slices.Contains(tried, n.Address()) {
				out = append(out, n)
			}
		}
		return out
	}
	ctx := selector.NewNodeFilterContext(context.Background(), notTried)
	n, done, _ := s.Select(ctx)
	done(ctx, selector.DoneInfo{})
	fmt.Println(n.Address())

	tried = append(tried, "10.0.0.2:8000") // no untried node is left
	n, done, _ = s.Select(ctx)
	done(ctx, selector.DoneInfo{})
	fmt.Println(n.Address())
	// Output:
	// 10.0.0.2:8000
	// 10.0.0.1:8000
}
