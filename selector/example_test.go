package selector_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/filter"
)

// nodesOf turns discovered instances into the nodes of one scheme, as a
// transport client does on every update from a registry watcher.
func nodesOf(scheme string, instances []*registry.ServiceInstance) []selector.Node {
	var nodes []selector.Node
	for _, ins := range instances {
		for _, e := range ins.Endpoints {
			u, err := url.Parse(e)
			if err == nil && u.Scheme == scheme {
				nodes = append(nodes, selector.NewNode(u.Scheme, u.Host, ins))
			}
		}
	}
	return nodes
}

// This is how a transport client uses a selector: build it once, apply the
// nodes whenever discovery reports a change, select per call, and report
// each call's outcome.
func Example() {
	s := selector.GlobalSelector().Build() // smooth weighted round robin by default

	s.Apply(nodesOf("grpc", []*registry.ServiceInstance{
		{ID: "1", Name: "greeter", Version: "v1", Endpoints: []string{"grpc://10.0.0.1:9000", "http://10.0.0.1:8000"}},
		{ID: "2", Name: "greeter", Version: "v2", Endpoints: []string{"grpc://10.0.0.2:9000"}},
		{ID: "3", Name: "greeter", Version: "v2", Endpoints: []string{"grpc://10.0.0.3:9000"}},
	}))

	ctx := context.Background()
	for range 3 {
		n, done, err := s.Select(ctx, selector.WithNodeFilter(filter.Version("v2")))
		if err != nil {
			fmt.Println(err)
			return
		}
		callErr := error(nil) // the result of sending the request to n.Address()
		done(ctx, selector.DoneInfo{Err: callErr})
		fmt.Println(n.Address())
	}

	_, _, err := s.Select(ctx, selector.WithNodeFilter(filter.Version("v3")))
	fmt.Println(errors.Is(err, selector.ErrNoAvailable))
	// Output:
	// 10.0.0.2:9000
	// 10.0.0.3:9000
	// 10.0.0.2:9000
	// true
}

func ExampleNewPeerContext() {
	s := selector.GlobalSelector().Build()
	s.Apply([]selector.Node{selector.NewNode("http", "10.0.0.1:8000", nil)})

	p := &selector.Peer{}
	if _, _, err := s.Select(selector.NewPeerContext(context.Background(), p)); err != nil {
		panic(err)
	}
	fmt.Println(p.Node.Address())
	// Output: 10.0.0.1:8000
}
