package grpc

import (
	"context"
	"errors"
	"slices"
	"testing"

	"google.golang.org/grpc/attributes"
	"google.golang.org/grpc/balancer"
	"google.golang.org/grpc/balancer/base"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/resolver"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/transport"
)

type fakeSubConn struct {
	balancer.SubConn
	name string
}

// recordingSelector picks the first node left by the filters and records
// what it is told.
type recordingSelector struct {
	applied [][]selector.Node
	done    []selector.DoneInfo
}

func (s *recordingSelector) Apply(nodes []selector.Node) { s.applied = append(s.applied, nodes) }

func (s *recordingSelector) Select(ctx context.Context, opts ...selector.SelectOption) (selector.Node, selector.DoneFunc, error) {
	var o selector.SelectOptions
	for _, opt := range opts {
		opt(&o)
	}
	nodes := s.applied[len(s.applied)-1]
	for _, f := range o.NodeFilters {
		nodes = f(ctx, nodes)
	}
	if len(nodes) == 0 {
		return nil, nil, selector.ErrNoAvailable
	}
	return nodes[0], func(_ context.Context, di selector.DoneInfo) { s.done = append(s.done, di) }, nil
}

func TestPicker(t *testing.T) {
	sel := &recordingSelector{}
	pb := &pickerBuilder{selector: sel}
	if _, err := pb.Build(base.PickerBuildInfo{}).Pick(balancer.PickInfo{Ctx: context.Background()}); !errors.Is(err, balancer.ErrNoSubConnAvailable) {
		t.Fatalf("Pick() with no ready SubConn error = %v, want ErrNoSubConnAvailable", err)
	}

	ins := &registry.ServiceInstance{ID: "1", Name: "greeter", Version: "v2", Metadata: map[string]string{"weight": "7"}}
	a, b := &fakeSubConn{name: "a"}, &fakeSubConn{name: "b"}
	p := pb.Build(base.PickerBuildInfo{ReadySCs: map[balancer.SubConn]base.SubConnInfo{
		b: {Address: resolver.Address{Addr: "10.0.0.2:9000", Attributes: attributes.New(instanceKey, ins)}},
		a: {Address: resolver.Address{Addr: "10.0.0.1:9000"}},
	}})
	nodes := sel.applied[len(sel.applied)-1]
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.Scheme()+"://"+n.Address())
	}
	if want := []string{"grpc://10.0.0.1:9000", "grpc://10.0.0.2:9000"}; !slices.Equal(addrs, want) {
		t.Errorf("applied nodes = %q, want %q", addrs, want)
	}
	if n := nodes[1]; n.ServiceName() != "greeter" || n.Version() != "v2" || n.InitialWeight() == nil || *n.InitialWeight() != 7 {
		t.Errorf("node from instance = %s %s %v, want greeter v2 weight 7", n.ServiceName(), n.Version(), n.InitialWeight())
	}

	// The client Transport's node filters apply.
	onlySecond := func(_ context.Context, nodes []selector.Node) []selector.Node { return nodes[1:] }
	ctx := transport.NewClientContext(context.Background(), &Transport{nodeFilters: []selector.NodeFilter{onlySecond}})
	res, err := p.Pick(balancer.PickInfo{Ctx: ctx})
	if err != nil {
		t.Fatalf("Pick() error = %v", err)
	}
	if res.SubConn != b {
		t.Errorf("Pick() SubConn = %v, want b", res.SubConn)
	}

	// Done reports the outcome to the node.
	callErr := errors.New("call failed")
	res.Done(balancer.DoneInfo{Err: callErr, Trailer: metadata.Pairs("X-Load", "3"), BytesSent: true})
	if len(sel.done) != 1 {
		t.Fatalf("done called %d times, want 1", len(sel.done))
	}
	di := sel.done[0]
	if !errors.Is(di.Err, callErr) || !di.BytesSent || di.BytesReceived || di.ReplyMD.Get("x-load") != "3" {
		t.Errorf("DoneInfo = %+v (x-load %q), want the error, BytesSent and trailer x-load=3", di, di.ReplyMD.Get("x-load"))
	}

	// A filter that leaves nothing fails the pick with ErrNoAvailable.
	none := func(context.Context, []selector.Node) []selector.Node { return nil }
	ctx = transport.NewClientContext(context.Background(), &Transport{nodeFilters: []selector.NodeFilter{none}})
	if _, err := p.Pick(balancer.PickInfo{Ctx: ctx}); !errors.Is(err, selector.ErrNoAvailable) {
		t.Errorf("Pick() error = %v, want ErrNoAvailable", err)
	}

	// An old picker whose node is gone asks grpc-go to pick again.
	pb.Build(base.PickerBuildInfo{ReadySCs: map[balancer.SubConn]base.SubConnInfo{
		&fakeSubConn{name: "c"}: {Address: resolver.Address{Addr: "10.0.0.3:9000"}},
	}})
	if _, err := p.Pick(balancer.PickInfo{Ctx: context.Background()}); !errors.Is(err, balancer.ErrNoSubConnAvailable) {
		t.Errorf("stale Pick() error = %v, want ErrNoSubConnAvailable", err)
	}
}

func TestTrailerGet(t *testing.T) {
	tr := Trailer(metadata.Pairs("a", "1", "a", "2"))
	tests := []struct{ key, want string }{{"a", "1"}, {"A", "1"}, {"b", ""}}
	for _, tt := range tests {
		if got := tr.Get(tt.key); got != tt.want {
			t.Errorf("Trailer.Get(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := Trailer(nil).Get("a"); got != "" {
		t.Errorf("nil Trailer.Get = %q, want empty", got)
	}
}

func TestHeaderCarrier(t *testing.T) {
	h := headerCarrier{}
	h.Set("X-A", "1")
	h.Add("x-a", "2")
	h.Add("x-b", "3")
	if got := h.Get("x-a"); got != "1" {
		t.Errorf("Get(x-a) = %q, want 1", got)
	}
	if got := h.Values("X-A"); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("Values(X-A) = %q, want [1 2]", got)
	}
	keys := h.Keys()
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"x-a", "x-b"}) {
		t.Errorf("Keys() = %q, want [x-a x-b]", keys)
	}
	if got := h.Get("missing"); got != "" {
		t.Errorf("Get(missing) = %q, want empty", got)
	}
}
