package selector

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/seed6ad8aa6b/kratos/registry"
)

func int64p(v int64) *int64 { return &v }

func TestNewNode(t *testing.T) {
	tests := []struct {
		name       string
		ins        *registry.ServiceInstance
		wantWeight *int64
		wantName   string
		wantVer    string
	}{
		{"nil instance", nil, nil, "", ""},
		{"no weight", &registry.ServiceInstance{Name: "svc", Version: "v1"}, nil, "svc", "v1"},
		{"weight", &registry.ServiceInstance{Name: "svc", Metadata: map[string]string{"weight": "42"}}, int64p(42), "svc", ""},
		{"negative weight", &registry.ServiceInstance{Metadata: map[string]string{"weight": "-3"}}, int64p(-3), "", ""},
		{"invalid weight", &registry.ServiceInstance{Metadata: map[string]string{"weight": "4.5"}}, nil, "", ""},
		{"empty weight", &registry.ServiceInstance{Metadata: map[string]string{"weight": ""}}, nil, "", ""},
		{"overflowing weight", &registry.ServiceInstance{Metadata: map[string]string{"weight": "99999999999999999999"}}, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := NewNode("grpc", "10.0.0.1:9000", tt.ins)
			if got := n.Scheme(); got != "grpc" {
				t.Errorf("Scheme() = %q, want %q", got, "grpc")
			}
			if got := n.Address(); got != "10.0.0.1:9000" {
				t.Errorf("Address() = %q, want %q", got, "10.0.0.1:9000")
			}
			if got := n.ServiceName(); got != tt.wantName {
				t.Errorf("ServiceName() = %q, want %q", got, tt.wantName)
			}
			if got := n.Version(); got != tt.wantVer {
				t.Errorf("Version() = %q, want %q", got, tt.wantVer)
			}
			got := n.InitialWeight()
			switch {
			case got == nil && tt.wantWeight == nil:
			case got == nil || tt.wantWeight == nil || *got != *tt.wantWeight:
				t.Errorf("InitialWeight() = %v, want %v", deref(got), deref(tt.wantWeight))
			}
			if tt.ins != nil && fmt.Sprint(n.Metadata()) != fmt.Sprint(tt.ins.Metadata) {
				t.Errorf("Metadata() = %v, want %v", n.Metadata(), tt.ins.Metadata)
			}
		})
	}
}

func deref(p *int64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func node(addr, version string, weight int) Node {
	md := map[string]string{}
	if weight > 0 {
		md["weight"] = fmt.Sprint(weight)
	}
	return NewNode("http", addr, &registry.ServiceInstance{Name: "svc", Version: version, Metadata: md})
}

func TestSelectNoNodes(t *testing.T) {
	tests := []struct {
		name  string
		apply []Node
		opts  []SelectOption
	}{
		{"never applied", nil, nil},
		{"applied empty", []Node{}, nil},
		{"all filtered out", []Node{node("a:1", "v1", 0)}, []SelectOption{WithNodeFilter(func(context.Context, []Node) []Node { return nil })}},
		{"filter returns foreign nodes", []Node{node("a:1", "v1", 0)}, []SelectOption{WithNodeFilter(func(context.Context, []Node) []Node {
			return []Node{node("a:1", "v1", 0)}
		})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := GlobalSelector().Build()
			if tt.apply != nil {
				s.Apply(tt.apply)
			}
			n, done, err := s.Select(context.Background(), tt.opts...)
			if err != ErrNoAvailable || n != nil || done != nil {
				t.Errorf("Select() = %v, %v, %v, want nil, nil, ErrNoAvailable", n, done != nil, err)
			}
		})
	}
}

func TestErrNoAvailable(t *testing.T) {
	if ErrNoAvailable.Code != 503 || ErrNoAvailable.Reason != "no_available_node" || ErrNoAvailable.Message != "" {
		t.Errorf("ErrNoAvailable = %v, want code 503, reason no_available_node, no message", ErrNoAvailable)
	}
}

func TestSelectFilters(t *testing.T) {
	nodes := []Node{node("a:1", "v1", 0), node("b:1", "v2", 0), node("c:1", "v1", 0), node("d:1", "v2", 0)}
	byVersion := func(v string) NodeFilter {
		return func(_ context.Context, in []Node) []Node {
			var out []Node
			for _, n := range in {
				if n.Version() == v {
					out = append(out, n)
				}
			}
			return out
		}
	}
	exclude := func(addr string) NodeFilter {
		return func(_ context.Context, in []Node) []Node {
			out := in[:0]
			for _, n := range in {
				if n.Address() != addr {
					out = append(out, n)
				}
			}
			return out
		}
	}
	tests := []struct {
		name string
		opts []SelectOption
		want map[string]bool
	}{
		{"none", nil, map[string]bool{"a:1": true, "b:1": true, "c:1": true, "d:1": true}},
		{"version", []SelectOption{WithNodeFilter(byVersion("v2"))}, map[string]bool{"b:1": true, "d:1": true}},
		{"two filters in one option", []SelectOption{WithNodeFilter(byVersion("v1"), exclude("a:1"))}, map[string]bool{"c:1": true}},
		{"two options", []SelectOption{WithNodeFilter(byVersion("v2")), WithNodeFilter(exclude("d:1"))}, map[string]bool{"b:1": true}},
		{"empty option", []SelectOption{WithNodeFilter()}, map[string]bool{"a:1": true, "b:1": true, "c:1": true, "d:1": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := GlobalSelector().Build()
			s.Apply(nodes)
			got := map[string]bool{}
			for range 40 {
				n, done, err := s.Select(context.Background(), tt.opts...)
				if err != nil {
					t.Fatalf("Select() error = %v, want nil", err)
				}
				done(context.Background(), DoneInfo{})
				got[n.Address()] = true
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("picked %v, want %v", got, tt.want)
			}
		})
	}
	// The filters must not have reordered or shrunk the applied set.
	s := GlobalSelector().Build()
	s.Apply(nodes)
	for range 3 {
		s.Select(context.Background(), WithNodeFilter(exclude("a:1")))
	}
	seen := map[string]bool{}
	for range 8 {
		n, _, _ := s.Select(context.Background())
		seen[n.Address()] = true
	}
	if len(seen) != 4 {
		t.Errorf("after filtering calls, unfiltered Select picked %v, want all 4 nodes", seen)
	}
}

func TestSelectReturnsRawNodeAndPeer(t *testing.T) {
	s := GlobalSelector().Build()
	raw := node("a:1", "v1", 0)
	s.Apply([]Node{raw})
	p := &Peer{}
	got, _, err := s.Select(NewPeerContext(context.Background(), p))
	if err != nil {
		t.Fatalf("Select() error = %v", err)
	}
	if got != raw {
		t.Errorf("Select() = %#v, want the applied node %#v", got, raw)
	}
	if p.Node != raw {
		t.Errorf("Peer.Node = %#v, want %#v", p.Node, raw)
	}
	// A nil *Peer in the context is ignored.
	if _, _, err := s.Select(NewPeerContext(context.Background(), nil)); err != nil {
		t.Errorf("Select() with nil peer error = %v", err)
	}
}

func TestPeerContext(t *testing.T) {
	if p, ok := FromPeerContext(context.Background()); ok || p != nil {
		t.Errorf("FromPeerContext(empty) = %v, %v, want nil, false", p, ok)
	}
	want := &Peer{}
	if p, ok := FromPeerContext(NewPeerContext(context.Background(), want)); !ok || p != want {
		t.Errorf("FromPeerContext() = %p, %v, want %p, true", p, ok, want)
	}
}

// countingBuilder counts how many weighted nodes it builds.
type countingBuilder struct{ n int }

func (b *countingBuilder) Build(n Node) WeightedNode {
	b.n++
	return staticNodeBuilder{}.Build(n)
}

func TestApplyKeepsUnchangedNodes(t *testing.T) {
	nb := &countingBuilder{}
	d := &Default{NodeBuilder: nb, Balancer: &swrrBalancer{}}
	d.Apply([]Node{node("a:1", "v1", 10), node("b:1", "v1", 10)})
	first := d.set.Load().nodes
	d.Apply([]Node{node("a:1", "v1", 10), node("b:1", "v1", 20), node("c:1", "v1", 10), nil})
	second := d.set.Load().nodes
	if nb.n != 4 {
		t.Errorf("built %d weighted nodes, want 4 (2 first, then changed b and new c)", nb.n)
	}
	if len(second) != 3 {
		t.Fatalf("got %d nodes after second Apply, want 3", len(second))
	}
	if second[0] != first[0] {
		t.Error("unchanged node a:1 was rebuilt, want its weighted node kept")
	}
	if second[1] == first[1] {
		t.Error("node b:1 with a new weight kept its old weighted node, want a new one")
	}
	if got := *second[1].InitialWeight(); got != 20 {
		t.Errorf("b:1 InitialWeight() = %d, want 20", got)
	}
}

func TestSameNode(t *testing.T) {
	base := func() *registry.ServiceInstance {
		return &registry.ServiceInstance{Name: "svc", Version: "v1", Metadata: map[string]string{"weight": "5", "zone": "a"}}
	}
	a := NewNode("http", "a:1", base())
	tests := []struct {
		name string
		b    Node
		want bool
	}{
		{"equal", NewNode("http", "a:1", base()), true},
		{"scheme", NewNode("grpc", "a:1", base()), false},
		{"address", NewNode("http", "a:2", base()), false},
		{"name", NewNode("http", "a:1", func() *registry.ServiceInstance { i := base(); i.Name = "x"; return i }()), false},
		{"version", NewNode("http", "a:1", func() *registry.ServiceInstance { i := base(); i.Version = "v2"; return i }()), false},
		{"weight", NewNode("http", "a:1", func() *registry.ServiceInstance { i := base(); i.Metadata["weight"] = "6"; return i }()), false},
		{"no weight", NewNode("http", "a:1", func() *registry.ServiceInstance { i := base(); delete(i.Metadata, "weight"); return i }()), false},
		{"metadata", NewNode("http", "a:1", func() *registry.ServiceInstance { i := base(); i.Metadata["zone"] = "b"; return i }()), false},
	}
	for _, tt := range tests {
		if got := sameNode(a, tt.b); got != tt.want {
			t.Errorf("%s: sameNode() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDefaultBuilderBuildsIndependentSelectors(t *testing.T) {
	b := &DefaultBuilder{Node: staticNodeBuilder{}, Balancer: swrrBuilder{}}
	s1, s2 := b.Build(), b.Build()
	if s1 == s2 {
		t.Fatal("Build() returned the same selector twice")
	}
	s1.Apply([]Node{node("a:1", "", 0)})
	if _, _, err := s2.Select(context.Background()); err != ErrNoAvailable {
		t.Errorf("s2.Select() error = %v, want ErrNoAvailable (nodes applied to s1 only)", err)
	}
	if s1.(*Default).Balancer == s2.(*Default).Balancer {
		t.Error("selectors share a balancer, want one each")
	}
}

type swrrBuilder struct{}

func (swrrBuilder) Build() Balancer { return &swrrBalancer{} }

func TestApplyConcurrentWithSelect(t *testing.T) {
	s := GlobalSelector().Build()
	sets := [][]Node{
		{node("a:1", "v1", 1)},
		{node("a:1", "v1", 1), node("b:1", "v1", 3)},
		{node("c:1", "v2", 2), node("b:1", "v1", 3)},
		{},
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				n, done, err := s.Select(context.Background())
				if err != nil {
					if err != ErrNoAvailable {
						t.Errorf("Select() error = %v", err)
					}
					continue
				}
				if n.Address() == "" {
					t.Error("Select() returned a node without address")
				}
				done(context.Background(), DoneInfo{})
			}
		})
	}
	for i := range 2000 {
		s.Apply(sets[i%len(sets)])
	}
	close(stop)
	wg.Wait()
}

func BenchmarkDefaultSelect(b *testing.B) {
	s := GlobalSelector().Build()
	s.Apply([]Node{node("a:1", "v1", 5), node("b:1", "v1", 1), node("c:1", "v2", 1)})
	ctx := context.Background()
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, done, _ := s.Select(ctx)
			done(ctx, DoneInfo{})
		}
	})
	filter := WithNodeFilter(func(_ context.Context, nodes []Node) []Node { return nodes[:2] })
	b.Run("filter", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, done, _ := s.Select(ctx, filter)
			done(ctx, DoneInfo{})
		}
	})
}

func TestSelectLeavesOptionSlicesAlone(t *testing.T) {
	s := GlobalSelector().Build()
	s.Apply([]Node{node("a:1", "v1", 0), node("b:1", "v2", 0)})
	keepV2 := func(_ context.Context, in []Node) []Node {
		var out []Node
		for _, n := range in {
			if n.Version() == "v2" {
				out = append(out, n)
			}
		}
		return out
	}
	mine := []NodeFilter{keepV2}
	replace := func(o *SelectOptions) { o.NodeFilters = mine }
	for range 3 {
		n, _, err := s.Select(context.Background(), replace)
		if err != nil || n.Address() != "b:1" {
			t.Fatalf("Select() = %v, %v, want b:1", n, err)
		}
	}
	if mine[0] == nil {
		t.Error("Select cleared a NodeFilters slice owned by an option")
	}
}
