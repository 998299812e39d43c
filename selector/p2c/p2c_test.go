package p2c

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/node/ewma"
)

func seeded(seed uint64) func(int) int {
	return rand.New(rand.NewPCG(seed, seed+1)).IntN
}

// fakeNode has a fixed weight and a settable pick age.
type fakeNode struct {
	selector.Node
	weight  float64
	elapsed time.Duration
	picks   int
}

func (n *fakeNode) Raw() selector.Node         { return n.Node }
func (n *fakeNode) Weight() float64            { return n.weight }
func (n *fakeNode) PickElapsed() time.Duration { return n.elapsed }
func (n *fakeNode) Pick() selector.DoneFunc {
	n.picks++
	n.elapsed = 0
	return func(context.Context, selector.DoneInfo) {}
}

func fakes(weights ...float64) []selector.WeightedNode {
	out := make([]selector.WeightedNode, len(weights))
	for i, w := range weights {
		out[i] = &fakeNode{Node: selector.NewNode("grpc", fmt.Sprintf("n%d", i), nil), weight: w}
	}
	return out
}

func TestPickEmptyAndSingle(t *testing.T) {
	b := &Balancer{}
	if n, done, err := b.Pick(context.Background(), nil); n != nil || done != nil || err != selector.ErrNoAvailable {
		t.Errorf("Pick(nil) = %v, %v, %v, want nil, nil, ErrNoAvailable", n, done != nil, err)
	}
	nodes := fakes(0)
	n, done, err := b.Pick(context.Background(), nodes)
	if err != nil || n != nodes[0] || done == nil {
		t.Errorf("Pick(one node) = %v, %v, %v, want that node", n, done != nil, err)
	}
}

func TestPicksHeavierOfTwo(t *testing.T) {
	tests := []struct {
		name    string
		weights []float64
		want    []int // expected picks per node over 3000 picks; -1: any positive number
	}{
		{"two nodes", []float64{1, 2}, []int{0, 3000}},
		{"two nodes reversed", []float64{2, 1}, []int{3000, 0}},
		// Pairs are uniform: {0,1}→1, {0,2}→2, {1,2}→2.
		{"lightest of three never wins", []float64{1, 2, 3}, []int{0, -1, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Balancer{intN: seeded(7)}
			nodes := fakes(tt.weights...)
			for range 3000 {
				if _, _, err := b.Pick(context.Background(), nodes); err != nil {
					t.Fatal(err)
				}
			}
			for i, want := range tt.want {
				got := nodes[i].(*fakeNode).picks
				if (want >= 0 && got != want) || (want < 0 && got == 0) {
					t.Errorf("node %d picked %d times, want %d", i, got, want)
				}
			}
		})
	}
}

func TestThreeNodeShares(t *testing.T) {
	b := &Balancer{intN: seeded(3)}
	nodes := fakes(1, 2, 3)
	const picks = 30000
	for range picks {
		b.Pick(context.Background(), nodes)
	}
	// Node 2 wins two of the three pairs, node 1 one.
	if got := nodes[2].(*fakeNode).picks; got < picks*2/3-600 || got > picks*2/3+600 {
		t.Errorf("heaviest node picked %d times, want about %d", got, picks*2/3)
	}
}

func TestTwoDistinctNodesAreCompared(t *testing.T) {
	// intN always returning 0 must still compare node 0 with node 1.
	b := &Balancer{intN: func(int) int { return 0 }}
	nodes := fakes(1, 5, 9)
	n, _, _ := b.Pick(context.Background(), nodes)
	if n != nodes[1] {
		t.Errorf("Pick() = %v, want node 1 (the heavier of nodes 0 and 1)", n.Address())
	}
}

func TestForcePick(t *testing.T) {
	tests := []struct {
		name    string
		elapsed time.Duration
		forced  bool
	}{
		{"recently picked", time.Second, false},
		{"exactly three seconds", 3 * time.Second, false},
		{"stale", 3*time.Second + 1, true},
		{"never picked", 1<<63 - 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Balancer{intN: seeded(1)}
			nodes := fakes(1, 2)
			light := nodes[0].(*fakeNode)
			light.elapsed = tt.elapsed
			n, _, _ := b.Pick(context.Background(), nodes)
			if got := n == light; got != tt.forced {
				t.Errorf("picked the light node = %v, want %v", got, tt.forced)
			}
			// The forced pick resets the age, so the next pick is normal.
			if n, _, _ := b.Pick(context.Background(), nodes); n == light {
				t.Error("light node picked again right after")
			}
		})
	}
}

func TestSelectorUsesEWMANodes(t *testing.T) {
	s := New()
	s.Apply([]selector.Node{selector.NewNode("grpc", "a:1", nil), selector.NewNode("grpc", "b:1", nil)})
	d, ok := s.(*selector.Default)
	if !ok {
		t.Fatalf("New() = %T, want *selector.Default", s)
	}
	if _, ok := d.NodeBuilder.(*ewma.Builder); !ok {
		t.Errorf("node builder = %T, want *ewma.Builder", d.NodeBuilder)
	}
	if _, _, err := New().Select(context.Background()); err != selector.ErrNoAvailable {
		t.Errorf("Select() with no nodes error = %v, want ErrNoAvailable", err)
	}
}

func TestConcurrentSelectApplyDone(t *testing.T) {
	s := New()
	sets := [][]selector.Node{
		{selector.NewNode("grpc", "a:1", nil), selector.NewNode("grpc", "b:1", nil)},
		{selector.NewNode("grpc", "b:1", nil), selector.NewNode("grpc", "c:1", nil), selector.NewNode("grpc", "d:1", nil)},
		{selector.NewNode("grpc", "a:1", &registry.ServiceInstance{Version: "v2"})},
	}
	s.Apply(sets[0])
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range 500 {
				n, done, err := s.Select(context.Background())
				if err != nil {
					t.Errorf("Select() error = %v", err)
					return
				}
				_ = n.Address()
				var derr error
				if (g+i)%5 == 0 {
					derr = context.DeadlineExceeded
				}
				done(context.Background(), selector.DoneInfo{Err: derr})
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
	for i := range 5 {
		nodes = append(nodes, (&ewma.Builder{}).Build(selector.NewNode("grpc", fmt.Sprintf("10.0.0.%d:9000", i), nil)))
	}
	bal := (&Builder{}).Build()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, done, _ := bal.Pick(ctx, nodes)
		done(ctx, selector.DoneInfo{})
	}
}

func BenchmarkPickFixedWeights(b *testing.B) {
	nodes := fakes(1, 2, 3, 4, 5)
	bal := (&Builder{}).Build()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, done, _ := bal.Pick(ctx, nodes)
		done(ctx, selector.DoneInfo{})
	}
}
