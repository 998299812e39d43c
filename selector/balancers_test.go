package selector_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/p2c"
	"github.com/seed6ad8aa6b/kratos/selector/random"
	"github.com/seed6ad8aa6b/kratos/selector/wrr"
)

// balancers are the selector builders every balancer-independent test and
// benchmark runs against.
var balancers = []struct {
	name  string
	build func() selector.Selector
}{
	{"global", func() selector.Selector { return selector.GlobalSelector().Build() }},
	{"wrr", func() selector.Selector { return wrr.New() }},
	{"random", func() selector.Selector { return random.New() }},
	{"p2c", func() selector.Selector { return p2c.New() }},
}

func nodes(n int) []selector.Node {
	out := make([]selector.Node, n)
	for i := range out {
		out[i] = selector.NewNode("http", fmt.Sprintf("10.0.0.%d:8000", i+1), &registry.ServiceInstance{Name: "svc"})
	}
	return out
}

// BenchmarkSelect measures Select and the call to its DoneFunc through the
// Default selector of every balancer, over five nodes.
func BenchmarkSelect(b *testing.B) {
	for _, bal := range balancers {
		b.Run(bal.name, func(b *testing.B) {
			s := bal.build()
			s.Apply(nodes(5))
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				_, done, err := s.Select(ctx)
				if err != nil {
					b.Fatal(err)
				}
				done(ctx, selector.DoneInfo{})
			}
		})
	}
}

// BenchmarkSelectPaths measures the other paths of Select with wrr over
// five nodes: ejection turned off, one node ejected (Select then filters
// the node set), and a node filter in the context.
func BenchmarkSelectPaths(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, s selector.Selector, ctx context.Context) {
		b.ReportAllocs()
		for b.Loop() {
			_, done, err := s.Select(ctx)
			if err != nil {
				b.Fatal(err)
			}
			done(ctx, selector.DoneInfo{})
		}
	}
	b.Run("ejection-off", func(b *testing.B) {
		s := wrr.New(wrr.WithEjection(selector.Ejection{Disabled: true}))
		s.Apply(nodes(5))
		run(b, s, ctx)
	})
	b.Run("one-ejected", func(b *testing.B) {
		s := wrr.New()
		s.Apply(nodes(5))
		for {
			n, done, _ := s.Select(ctx)
			if n.Address() == addrB {
				done(ctx, selector.DoneInfo{Err: errRefused})
				break
			}
			done(ctx, selector.DoneInfo{})
		}
		run(b, s, ctx)
	})
	b.Run("context-filter", func(b *testing.B) {
		s := wrr.New()
		s.Apply(nodes(5))
		run(b, s, selector.NewNodeFilterContext(ctx, exclude(addrA)))
	})
}

// TestSelectAllocatesNothing checks that a successful call through the
// Default selector of every balancer, with outlier ejection on, allocates
// nothing: Select with a node filter option and a Peer in the context, as
// the HTTP client makes it, and the call to its DoneFunc.
func TestSelectAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop objects")
	}
	opt := selector.WithNodeFilter() // the HTTP client's, with no filters
	keepAll := selector.WithNodeFilter(func(_ context.Context, nodes []selector.Node) []selector.Node { return nodes })
	for _, bal := range balancers {
		s := bal.build()
		s.Apply(nodes(5))
		ctx := selector.NewPeerContext(context.Background(), &selector.Peer{})
		for _, c := range []struct {
			name string
			opts []selector.SelectOption
		}{
			{"no option", nil},
			{"empty filter option", []selector.SelectOption{opt}},
			{"filter", []selector.SelectOption{keepAll}},
		} {
			call := func() {
				_, done, err := s.Select(ctx, c.opts...)
				if err != nil {
					t.Fatal(err)
				}
				done(ctx, selector.DoneInfo{BytesSent: true, BytesReceived: true})
			}
			call() // warm the pools
			if got := testing.AllocsPerRun(200, call); got != 0 {
				t.Errorf("%s, %s: Select and done allocate %v times per call, want 0", bal.name, c.name, got)
			}
		}
	}
}
