package discovery

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/attributes"
	"google.golang.org/grpc/resolver"

	"github.com/seed6ad8aa6b/kratos/internal/endpoint"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/registry"
)

// instanceKey is the resolver.Address attribute holding the address's
// *registry.ServiceInstance; the transport/grpc balancer reads it.
const instanceKey = "rawServiceInstance"

// Backoff between failed Next calls of the watcher.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 10 * time.Second
)

type discoveryResolver struct {
	w      registry.Watcher
	cc     resolver.ClientConn
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when watch returns

	name       string
	insecure   bool
	subsetSize int
	debugLog   bool
	key        uint64 // picks this resolver's subset
}

// watch hands every instance list the watcher reports to gRPC until Close.
func (r *discoveryResolver) watch() {
	defer close(r.done)
	backoff := minBackoff
	for {
		ins, err := r.w.Next()
		if r.ctx.Err() != nil {
			return
		}
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return
			}
			log.Errorf("[resolver] watch %q: %v; retrying in %v", r.name, err, backoff)
			t := time.NewTimer(backoff)
			select {
			case <-r.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		backoff = minBackoff
		r.update(ins)
	}
}

// target is an instance with the address the resolver keeps for it.
type target struct {
	addr string
	ins  *registry.ServiceInstance
}

// update hands gRPC the addresses of ins, unless there is none.
func (r *discoveryResolver) update(ins []*registry.ServiceInstance) {
	seen := make(map[string]bool, len(ins))
	targets := make([]target, 0, len(ins))
	for _, in := range ins {
		if in == nil {
			continue
		}
		addr, ok := r.endpointOf(in)
		if !ok || seen[addr] {
			continue
		}
		seen[addr] = true
		targets = append(targets, target{addr: addr, ins: in})
	}
	if len(targets) == 0 {
		log.Warnf("[resolver] no usable endpoint among %d instances of %q; keeping the previous addresses", len(ins), r.name)
		return
	}
	targets = subset(r.key, targets, r.subsetSize)

	addrs := make([]resolver.Address, 0, len(targets))
	for _, t := range targets {
		var attrs *attributes.Attributes
		for k, v := range t.ins.Metadata {
			attrs = attrs.WithValue(k, v)
		}
		addrs = append(addrs, resolver.Address{
			Addr:       t.addr,
			ServerName: t.ins.Name,
			Attributes: attrs.WithValue(instanceKey, t.ins),
		})
	}
	if r.debugLog {
		var b strings.Builder
		for i, t := range targets {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(t.ins.ID + "=" + t.addr)
		}
		log.Infof("[resolver] %q now resolves to %d addresses: %s", r.name, len(addrs), b.String())
	}
	if err := r.cc.UpdateState(resolver.State{Addresses: addrs}); err != nil {
		log.Errorf("[resolver] update %q: %v", r.name, err)
	}
}

// endpointOf returns the host:port of the first endpoint of in that fits
// the resolver: scheme grpc or grpcs, secure exactly when the client is.
func (r *discoveryResolver) endpointOf(in *registry.ServiceInstance) (string, bool) {
	for _, e := range in.Endpoints {
		u, err := url.Parse(e)
		if err != nil || u.Host == "" || (u.Scheme != "grpc" && u.Scheme != "grpcs") {
			continue
		}
		if endpoint.IsSecure(u) != r.insecure {
			return u.Host, true
		}
	}
	return "", false
}

// subset returns size of targets, chosen by key: the same key and targets
// give the same subset, and different keys spread evenly over the targets.
// Targets are split into len/size disjoint subsets after a shuffle seeded
// by key/(len/size), and key%(len/size) picks one of them (deterministic
// subsetting, as in Google's SRE book).
func subset(key uint64, targets []target, size int) []target {
	if size <= 0 || len(targets) <= size {
		return targets
	}
	slices.SortFunc(targets, func(a, b target) int {
		return cmp.Or(strings.Compare(a.ins.ID, b.ins.ID), strings.Compare(a.addr, b.addr))
	})
	count := uint64(len(targets) / size)
	round := key / count
	rng := rand.New(rand.NewPCG(round, round^0x9e3779b97f4a7c15))
	rng.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
	start := int(key%count) * size
	return targets[start : start+size]
}

// ResolveNow does nothing: the watcher reports changes as they happen.
func (r *discoveryResolver) ResolveNow(resolver.ResolveNowOptions) {}

// Close stops the watcher and waits for the resolver's goroutine to end.
func (r *discoveryResolver) Close() {
	r.cancel()
	if err := r.w.Stop(); err != nil {
		log.Errorf("[resolver] stop watching %q: %v", r.name, err)
	}
	<-r.done
}
