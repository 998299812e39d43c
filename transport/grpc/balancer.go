package grpc

import (
	"slices"
	"strings"

	"google.golang.org/grpc/balancer"
	"google.golang.org/grpc/balancer/base"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// balancerName is the name of the load balancing policy Dial configures;
// a service config may name it too.
const balancerName = "selector"

// instanceKey is the resolver.Address attribute under which the discovery
// resolver stores the *registry.ServiceInstance of an address.
const instanceKey = "rawServiceInstance"

func init() {
	// grpc-go finds load balancing policies by name in its registry, which
	// may only be written during initialisation. This adds the "selector"
	// policy and changes nothing else; the selector it uses is resolved
	// when a connection builds its balancer, not here.
	balancer.Register(balancerBuilder{})
}

// balancerBuilder builds, for each client connection, grpc-go's base
// balancer (one SubConn per address, health checked) with a picker that
// picks through a selector of that connection. Keeping one selector per
// connection lets adaptive balancers keep their statistics when the set of
// ready addresses changes.
type balancerBuilder struct{}

func (balancerBuilder) Name() string { return balancerName }

func (balancerBuilder) Build(cc balancer.ClientConn, opts balancer.BuildOptions) balancer.Balancer {
	pb := &pickerBuilder{selector: selector.GlobalSelector().Build()}
	return base.NewBalancerBuilder(balancerName, pb, base.Config{HealthCheck: true}).Build(cc, opts)
}

// pickerBuilder gives the selector the ready addresses and builds pickers
// over them. The base balancer calls Build from one goroutine at a time.
type pickerBuilder struct {
	selector selector.Selector
}

func (b *pickerBuilder) Build(info base.PickerBuildInfo) balancer.Picker {
	if len(info.ReadySCs) == 0 {
		return base.NewErrPicker(balancer.ErrNoSubConnAvailable)
	}
	nodes := make([]selector.Node, 0, len(info.ReadySCs))
	conns := make(map[string]balancer.SubConn, len(info.ReadySCs))
	for sc, sci := range info.ReadySCs {
		var ins *registry.ServiceInstance
		if sci.Address.Attributes != nil {
			ins, _ = sci.Address.Attributes.Value(instanceKey).(*registry.ServiceInstance)
		}
		nodes = append(nodes, selector.NewNode("grpc", sci.Address.Addr, ins))
		conns[sci.Address.Addr] = sc
	}
	slices.SortFunc(nodes, func(a, b selector.Node) int { return strings.Compare(a.Address(), b.Address()) })
	b.selector.Apply(nodes)
	return &picker{selector: b.selector, conns: conns}
}

// picker picks a node with the selector and sends the call to its SubConn.
type picker struct {
	selector selector.Selector
	conns    map[string]balancer.SubConn // by address; read-only
}

func (p *picker) Pick(info balancer.PickInfo) (balancer.PickResult, error) {
	var opts []selector.SelectOption
	if t, ok := transport.FromClientContext(info.Ctx); ok {
		if tr, ok := t.(*Transport); ok && len(tr.nodeFilters) > 0 {
			opts = []selector.SelectOption{selector.WithNodeFilter(tr.nodeFilters...)}
		}
	}
	n, done, err := p.selector.Select(info.Ctx, opts...)
	if err != nil {
		return balancer.PickResult{}, err
	}
	sc, ok := p.conns[n.Address()]
	if !ok {
		// The selector already has the nodes of a newer picker; grpc-go
		// retries with that one.
		if done != nil {
			done(info.Ctx, selector.DoneInfo{Err: balancer.ErrNoSubConnAvailable})
		}
		return balancer.PickResult{}, balancer.ErrNoSubConnAvailable
	}
	if done == nil {
		return balancer.PickResult{SubConn: sc}, nil
	}
	return balancer.PickResult{
		SubConn: sc,
		Done: func(di balancer.DoneInfo) {
			done(info.Ctx, selector.DoneInfo{
				Err:           di.Err,
				ReplyMD:       Trailer(di.Trailer),
				BytesSent:     di.BytesSent,
				BytesReceived: di.BytesReceived,
			})
		},
	}, nil
}
