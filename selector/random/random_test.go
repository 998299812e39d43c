package random

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/node/direct"
)

func withSeed(seed uint64) Option {
	return func(o *options) {
		o.intN = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)).IntN
	}
}

func nodes(n int) []selector.Node {
	out := make([]selector.Node, n)
	for i := range out {
		// Weights must not matter to a random balancer.
		md := map[string]string{"weight": fmt.Sprint(1 + 100*i)}
		out[i] = selector.NewNode("http", fmt.Sprintf("n%d", i), &registry.ServiceInstance{Metadata: md})
	}
	return out
}

func TestRoughlyUniform(t *testing.T) {
	tests := []struct {
		name  string
		nodes int
		picks int
	}{
		{"two", 2, 20000},
		{"five", 5, 50000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(withSeed(42))
			s.Apply(nodes(tt.nodes))
			got := map[string]int{}
			for range tt.picks {
				n, done, err := s.Select(context.Background())
				if err != nil {
					t.Fatalf("Select() error = %v", err)
				}
				done(context.Background(), selector.DoneInfo{})
				got[n.Address()]++
			}
			want := tt.picks / tt.nodes
			for i := range tt.nodes {
				addr := fmt.Sprintf("n%d", i)
				if c := got[addr]; c < want*95/100 || c > want*105/100 {
					t.Errorf("node %s picked %d times, want %d ± 5%%", addr, c, want)
				}
			}
		})
	}
}

func TestDefaultSourceReachesEveryNode(t *testing.T) {
	s := New()
	s.Apply(nodes(3))
	seen := map[string]bool{}
	for i := 0; len(seen) < 3 && i < 10000; i++ {
		n, _, _ := s.Select(context.Background())
		seen[n.Address()] = true
	}
	if len(seen) != 3 {
		t.Errorf("10000 picks reached %v, want all 3 nodes", seen)
	}
}

func TestPickEmpty(t *testing.T) {
	var b Balancer
	if n, done, err := b.Pick(context.Background(), nil); n != nil || done != nil || err != selector.ErrNoAvailable {
		t.Errorf("Pick(nil) = %v, %v, %v, want nil, nil, ErrNoAvailable", n, done != nil, err)
	}
}

func TestConcurrent(t *testing.T) {
	s := New()
	s.Apply(nodes(4))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1000 {
				if _, _, err := s.Select(context.Background()); err != nil {
					t.Errorf("Select() error = %v", err)
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkPick(b *testing.B) {
	var ws []selector.WeightedNode
	for _, n := range nodes(5) {
		ws = append(ws, (&direct.Builder{}).Build(n))
	}
	bal := (&Builder{}).Build()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, done, _ := bal.Pick(ctx, ws)
		done(ctx, selector.DoneInfo{})
	}
}
