package http

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	stderrors "errors"
	mrand "math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seed6ad8aa6b/kratos/internal/endpoint"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
)

// watchRetry is how long the resolver waits after a watch error before it
// asks again.
const watchRetry = time.Second

// resolver follows the instances of one service and applies them to a
// selector. Its goroutine is stopped and waited for by Close.
type resolver struct {
	rebalancer selector.Rebalancer
	target     *Target
	watcher    registry.Watcher
	insecure   bool
	subsetSize int
	key        uint64 // seeds this client's subset

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

func newResolver(ctx context.Context, discovery registry.Discovery, target *Target, rebalancer selector.Rebalancer, block, insecure bool, subsetSize int) (*resolver, error) {
	watcher, err := discovery.Watch(ctx, target.Endpoint)
	if err != nil {
		return nil, err
	}
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	r := &resolver{
		rebalancer: rebalancer,
		target:     target,
		watcher:    watcher,
		insecure:   insecure,
		subsetSize: subsetSize,
		key:        binary.LittleEndian.Uint64(seed[:]),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
	}
	ready := make(chan struct{})
	go r.watch(ready)
	if block {
		select {
		case <-ready:
		case <-ctx.Done():
			err := ctx.Err()
			if cerr := r.Close(); cerr != nil {
				err = stderrors.Join(err, cerr)
			}
			return nil, err
		}
	}
	return r, nil
}

// watch applies every update until Close. It closes ready after the first
// update with nodes.
func (r *resolver) watch(ready chan struct{}) {
	defer close(r.done)
	signalled := false
	for {
		services, err := r.watcher.Next()
		select {
		case <-r.stop:
			return
		default:
		}
		if err != nil {
			if stderrors.Is(err, context.Canceled) {
				return
			}
			log.Errorf("[http resolver] watch %q: %v", r.target.Endpoint, err)
			t := time.NewTimer(watchRetry)
			select {
			case <-r.stop:
				t.Stop()
				return
			case <-t.C:
			}
			continue
		}
		if r.update(services) && !signalled {
			signalled = true
			close(ready)
		}
	}
}

// update applies the instances that have an endpoint of the client's scheme
// and reports whether there was any.
func (r *resolver) update(services []*registry.ServiceInstance) bool {
	type candidate struct {
		ins  *registry.ServiceInstance
		addr string
	}
	var cands []candidate
	for _, ins := range services {
		if ins == nil {
			continue
		}
		if addr := r.address(ins.Endpoints); addr != "" {
			cands = append(cands, candidate{ins: ins, addr: addr})
		}
	}
	if len(cands) == 0 {
		log.Warnf("[http resolver] no usable endpoint among %d instances of %q", len(services), r.target.Endpoint)
		return false
	}
	if r.subsetSize > 0 && len(cands) > r.subsetSize {
		slices.SortFunc(cands, func(a, b candidate) int { return strings.Compare(a.ins.ID+a.addr, b.ins.ID+b.addr) })
		rng := mrand.New(mrand.NewPCG(r.key, 0))
		rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		cands = cands[:r.subsetSize]
	}
	nodes := make([]selector.Node, 0, len(cands))
	for _, c := range cands {
		nodes = append(nodes, selector.NewNode("http", c.addr, c.ins))
	}
	r.rebalancer.Apply(nodes)
	return true
}

// address returns the host of the first endpoint the client can call:
// http for a plain client, https (or ?isSecure=true) for a TLS client.
func (r *resolver) address(endpoints []string) string {
	for _, e := range endpoints {
		u, err := url.Parse(e)
		if err != nil || u.Host == "" {
			continue
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			continue
		}
		if endpoint.IsSecure(u) == !r.insecure {
			return u.Host
		}
	}
	return ""
}

// Close stops the watcher and waits for the watch goroutine.
func (r *resolver) Close() error {
	r.closeOnce.Do(func() {
		close(r.stop)
		r.closeErr = r.watcher.Stop()
		<-r.done
	})
	return r.closeErr
}
