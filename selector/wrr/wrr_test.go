package wrr

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/node/direct"
)

func weighted(addr string, weight int) selector.Node {
	var md map[string]string
	if weight >= 0 {
		md = map[string]string{"weight": fmt.Sprint(weight)}
	}
	return selector.NewNode("grpc", addr, &registry.ServiceInstance{Name: "svc", Metadata: md})
}

func TestSelectExactRatios(t *testing.T) {
	tests := []struct {
		name    string
		weights map[string]int // -1: no weight metadata (100)
		rounds  int
	}{
		{"5/1/1", map[string]int{"a": 5, "b": 1, "c": 1}, 100},
		{"default weights", map[string]int{"a": -1, "b": -1}, 3},
		{"mixed default", map[string]int{"a": -1, "b": 50, "c": 25}, 4},
		{"zero weight never picked", map[string]int{"a": 3, "b": 0}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var nodes []selector.Node
			cycle := 0
			for addr, w := range tt.weights {
				nodes = append(nodes, weighted(addr, w))
				if w < 0 {
					w = 100
				}
				cycle += w
			}
			s := New()
			s.Apply(nodes)
			got := map[string]int{}
			for range cycle * tt.rounds {
				n, done, err := s.Select(context.Background())
				if err != nil {
					t.Fatalf("Select() error = %v", err)
				}
				done(context.Background(), selector.DoneInfo{})
				got[n.Address()]++
			}
			for addr, w := range tt.weights {
				if w < 0 {
					w = 100
				}
				if want := w * tt.rounds; got[addr] != want {
					t.Errorf("node %s picked %d times, want %d", addr, got[addr], want)
				}
			}
		})
	}
}

func TestSequenceIsSmooth(t *testing.T) {
	s := New()
	s.Apply([]selector.Node{weighted("a", 5), weighted("b", 1), weighted("c", 1)})
	var got string
	for range 7 {
		n, _, _ := s.Select(context.Background())
		got += n.Address()
	}
	if want := "aabacaa"; got != want {
		t.Errorf("picks = %q, want %q", got, want)
	}
}

func TestPickEmpty(t *testing.T) {
	var b Balancer
	n, done, err := b.Pick(context.Background(), nil)
	if n != nil || done != nil || err != selector.ErrNoAvailable {
		t.Errorf("Pick(nil) = %v, %v, %v, want nil, nil, ErrNoAvailable", n, done != nil, err)
	}
	if _, _, err := New().Select(context.Background()); err != selector.ErrNoAvailable {
		t.Errorf("Select() without nodes error = %v, want ErrNoAvailable", err)
	}
}

func TestBuilderGivesFreshBalancers(t *testing.T) {
	b := &Builder{}
	if b.Build() == b.Build() {
		t.Error("Build() returned the same balancer twice")
	}
	if _, ok := NewBuilder().Build().(*selector.Default); !ok {
		t.Error("NewBuilder().Build() is not a *selector.Default")
	}
}

func TestConcurrentApplyAndSelect(t *testing.T) {
	s := New()
	sets := [][]selector.Node{
		{weighted("a", 1), weighted("b", 2)},
		{weighted("b", 2), weighted("c", 3)},
		nil,
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 500 {
				if n, done, err := s.Select(context.Background()); err == nil {
					_ = n.Address()
					done(context.Background(), selector.DoneInfo{})
				} else if err != selector.ErrNoAvailable {
					t.Errorf("Select() error = %v", err)
				}
			}
		})
	}
	for i := range 300 {
		s.Apply(sets[i%len(sets)])
	}
	wg.Wait()
}

func BenchmarkPick(b *testing.B) {
	var nodes []selector.WeightedNode
	for i, w := range []int{5, 1, 1, 3, 2} {
		nodes = append(nodes, (&direct.Builder{}).Build(weighted(fmt.Sprintf("10.0.0.%d:9000", i), w)))
	}
	bal := (&Builder{}).Build()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, done, _ := bal.Pick(ctx, nodes)
		done(ctx, selector.DoneInfo{})
	}
}

func ExampleNew() {
	s := New()
	s.Apply([]selector.Node{
		selector.NewNode("grpc", "A", &registry.ServiceInstance{Metadata: map[string]string{"weight": "3"}}),
		selector.NewNode("grpc", "B", &registry.ServiceInstance{Metadata: map[string]string{"weight": "1"}}),
	})
	for range 8 {
		n, done, err := s.Select(context.Background())
		if err != nil {
			panic(err)
		}
		fmt.Print(n.Address())
		done(context.Background(), selector.DoneInfo{})
	}
	fmt.Println()
	// Output: AABAAABA
}
