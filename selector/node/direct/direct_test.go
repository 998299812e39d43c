package direct

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
)

func TestWeight(t *testing.T) {
	tests := []struct {
		name string
		md   map[string]string
		want float64
	}{
		{"initial weight", map[string]string{"weight": "30"}, 30},
		{"zero initial weight", map[string]string{"weight": "0"}, 0},
		{"no weight", nil, 100},
		{"bad weight", map[string]string{"weight": "heavy"}, 100},
	}
	for _, tt := range tests {
		raw := selector.NewNode("http", "a:1", &registry.ServiceInstance{Metadata: tt.md})
		n := (&Builder{}).Build(raw)
		if got := n.Weight(); got != tt.want {
			t.Errorf("%s: Weight() = %v, want %v", tt.name, got, tt.want)
		}
		if n.Raw() != raw {
			t.Errorf("%s: Raw() = %v, want the wrapped node", tt.name, n.Raw())
		}
	}
}

func TestPickElapsed(t *testing.T) {
	now := time.Unix(1000, 0)
	b := &Builder{now: func() time.Time { return now }}
	n := b.Build(selector.NewNode("http", "a:1", nil))
	if got := n.PickElapsed(); got != math.MaxInt64 {
		t.Errorf("PickElapsed() before any pick = %v, want the largest duration", got)
	}
	done := n.Pick()
	if done == nil {
		t.Fatal("Pick() = nil, want a DoneFunc")
	}
	done(context.Background(), selector.DoneInfo{})
	now = now.Add(1500 * time.Millisecond)
	if got, want := n.PickElapsed(), 1500*time.Millisecond; got != want {
		t.Errorf("PickElapsed() = %v, want %v", got, want)
	}
	n.Pick()
	if got := n.PickElapsed(); got != 0 {
		t.Errorf("PickElapsed() right after Pick = %v, want 0", got)
	}
}

func TestNilBuilder(t *testing.T) {
	var b *Builder
	n := b.Build(selector.NewNode("http", "a:1", nil))
	if n.Weight() != 100 {
		t.Errorf("Weight() = %v, want 100", n.Weight())
	}
}

func BenchmarkPick(b *testing.B) {
	n := (&Builder{}).Build(selector.NewNode("http", "a:1", nil))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		n.Pick()(ctx, selector.DoneInfo{})
	}
}
