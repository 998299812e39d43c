// Package direct is a gRPC name resolver for targets that list their
// addresses: "direct://authority/host1:port1,host2:port2".
//
// transport/grpc's Dial always knows this scheme. Unlike Kratos, importing
// the package does not register the resolver with grpc-go globally; to use
// it with grpc-go directly, pass grpc.WithResolvers(direct.NewBuilder()).
package direct

import (
	"errors"
	"strings"

	"google.golang.org/grpc/resolver"
)

const scheme = "direct"

// NewBuilder returns the resolver builder for the "direct" scheme.
func NewBuilder() resolver.Builder {
	return builder{}
}

type builder struct{}

var errNoAddress = errors.New("direct: target has no address")

// Build resolves the comma-separated addresses in the target's path once;
// they never change. Empty entries are skipped.
//
// A target without any address ("direct:///", "direct://authority") is an
// error. Kratos accepts it and hands grpc-go one empty address, so the
// mistake only shows later, as a failed connection to "" on every call;
// we report it where it is made.
func (builder) Build(target resolver.Target, cc resolver.ClientConn, _ resolver.BuildOptions) (resolver.Resolver, error) {
	var addrs []resolver.Address
	for _, a := range strings.Split(strings.TrimPrefix(target.URL.Path, "/"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, resolver.Address{Addr: a})
		}
	}
	if len(addrs) == 0 {
		return nil, errNoAddress
	}
	if err := cc.UpdateState(resolver.State{Addresses: addrs}); err != nil {
		return nil, err
	}
	return directResolver{}, nil
}

func (builder) Scheme() string { return scheme }

// directResolver has nothing to do after Build.
type directResolver struct{}

func (directResolver) ResolveNow(resolver.ResolveNowOptions) {}

func (directResolver) Close() {}
