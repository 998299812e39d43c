package selector

import (
	"context"
	"sync"
	"testing"
)

type fixedBuilder struct{ s Selector }

func (b fixedBuilder) Build() Selector { return b.s }

func TestGlobalSelectorIsStable(t *testing.T) {
	if GlobalSelector() != GlobalSelector() {
		t.Error("GlobalSelector() returned different values")
	}
	if GlobalSelector() == nil {
		t.Error("GlobalSelector() = nil, want the default builder")
	}
}

func TestGlobalSelectorDefaultIsWRR(t *testing.T) {
	s := GlobalSelector().Build()
	d, ok := s.(*Default)
	if !ok {
		t.Fatalf("GlobalSelector().Build() = %T, want *Default", s)
	}
	if _, ok := d.Balancer.(*swrrBalancer); !ok {
		t.Errorf("default balancer = %T, want smooth weighted round robin", d.Balancer)
	}
	s.Apply([]Node{node("a:1", "", 5), node("b:1", "", 1), node("c:1", "", 1)})
	var got string
	for range 7 {
		n, _, err := s.Select(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got += n.Address()[:1]
	}
	if want := "aabacaa"; got != want {
		t.Errorf("picks = %q, want %q", got, want)
	}
}

func TestSetGlobalSelector(t *testing.T) {
	t.Cleanup(func() { SetGlobalSelector(nil) })
	custom := &Default{NodeBuilder: staticNodeBuilder{}, Balancer: &swrrBalancer{}}
	g := GlobalSelector()
	SetGlobalSelector(fixedBuilder{custom})
	if got := g.Build(); got != custom {
		t.Errorf("Build() after SetGlobalSelector = %p, want the custom selector %p", got, custom)
	}
	// Setting the global proxy itself must not loop.
	SetGlobalSelector(GlobalSelector())
	if got := g.Build(); got == custom {
		t.Error("SetGlobalSelector(GlobalSelector()) kept the custom builder, want the default")
	}
	SetGlobalSelector(fixedBuilder{custom})
	SetGlobalSelector(nil)
	if _, ok := g.Build().(*Default); !ok || g.Build() == custom {
		t.Error("SetGlobalSelector(nil) did not restore the default")
	}
}

func TestSetGlobalSelectorConcurrent(t *testing.T) {
	t.Cleanup(func() { SetGlobalSelector(nil) })
	custom := fixedBuilder{&Default{NodeBuilder: staticNodeBuilder{}, Balancer: &swrrBalancer{}}}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 200 {
				if i%2 == 0 {
					SetGlobalSelector(custom)
				} else if GlobalSelector().Build() == nil {
					t.Error("Build() = nil")
				}
			}
		})
	}
	wg.Wait()
}

func TestStaticNode(t *testing.T) {
	tests := []struct {
		name   string
		weight int
		want   float64
	}{
		{"initial weight", 7, 7},
		{"default weight", 0, 100},
	}
	for _, tt := range tests {
		n := staticNodeBuilder{}.Build(node("a:1", "", tt.weight))
		if got := n.Weight(); got != tt.want {
			t.Errorf("%s: Weight() = %v, want %v", tt.name, got, tt.want)
		}
		if got := n.PickElapsed(); got <= forceLimit {
			t.Errorf("%s: PickElapsed() before any pick = %v, want a huge duration", tt.name, got)
		}
		n.Pick()(context.Background(), DoneInfo{})
		if got := n.PickElapsed(); got < 0 || got > forceLimit {
			t.Errorf("%s: PickElapsed() right after Pick = %v, want about 0", tt.name, got)
		}
		if n.Raw().Address() != "a:1" {
			t.Errorf("%s: Raw().Address() = %q, want a:1", tt.name, n.Raw().Address())
		}
	}
}

// forceLimit is far more than a test takes and far less than "never".
const forceLimit = 1 << 50
