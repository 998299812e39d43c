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

const (
	// watchRetryMin is how long the resolver waits after a watch error
	// before it asks again; each further error in a row doubles the wait,
	// up to watchRetryMax, so a registry that stays down costs one attempt
	// and one log line every 30s or so.
	watchRetryMin = time.Second
	watchRetryMax = 30 * time.Second
)

// retryDelay returns how long to wait after the n-th watch error in a row
// (n from 0): watchRetryMin doubled n times, at most watchRetryMax, less
// up to a fifth by jitter (in [0, 1)) so that clients that failed together
// do not retry together.
func retryDelay(n int, jitter float64) time.Duration {
	d := watchRetryMax
	if n < 8 && watchRetryMin<<n < watchRetryMax {
		d = watchRetryMin << n
	}
	return d - time.Duration(jitter*float64(d)/5)
}

// resolver follows the instances of one service and applies them to a
// selector. Its watcher lives on a context of its own, not the one the
// client was made with: that one only bounds the start. Its goroutine is
// stopped and waited for by Close.
type resolver struct {
	rebalancer selector.Rebalancer
	target     *Target
	insecure   bool
	subsetSize int
	key        uint64                               // seeds this client's subset
	after      func(time.Duration) <-chan time.Time // time.After; tests replace it

	watcher   registry.Watcher
	cancel    context.CancelFunc // ends the watcher's context
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

func newResolver(ctx context.Context, discovery registry.Discovery, target *Target, rebalancer selector.Rebalancer, block, insecure bool, subsetSize int) (*resolver, error) {
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	r := &resolver{
		rebalancer: rebalancer,
		target:     target,
		insecure:   insecure,
		subsetSize: subsetSize,
		key:        binary.LittleEndian.Uint64(seed[:]),
		after:      time.After,
	}
	if err := r.start(ctx, discovery, block); err != nil {
		return nil, err
	}
	return r, nil
}

// start opens the watcher and starts following it. Opening, and with block
// the wait for the first nodes, end with ctx's error when ctx ends first;
// the watcher itself gets a context that keeps ctx's values and ends on
// Close.
func (r *resolver) start(ctx context.Context, discovery registry.Discovery, block bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	type opened struct {
		w   registry.Watcher
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		w, err := discovery.Watch(wctx, r.target.Endpoint)
		ch <- opened{w, err}
	}()
	var o opened
	select {
	case o = <-ch:
	case <-ctx.Done():
		// Wait for Watch to give up, and stop what it may have opened.
		cancel()
		if o = <-ch; o.err == nil && o.w != nil {
			_ = o.w.Stop()
		}
		return ctx.Err()
	}
	if o.err != nil {
		cancel()
		return o.err
	}
	r.watcher = o.w
	r.cancel = cancel
	r.stop = make(chan struct{})
	r.done = make(chan struct{})
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
			return err
		}
	}
	return nil
}

// watch applies every update until Close. It closes ready after the first
// update with nodes. After an error it waits (see retryDelay) and asks
// again; a watcher that reports it was canceled without Close is given up,
// and the client keeps the nodes it has.
func (r *resolver) watch(ready chan struct{}) {
	defer close(r.done)
	signalled := false
	failures := 0
	for {
		services, err := r.watcher.Next()
		select {
		case <-r.stop:
			return
		default:
		}
		if err != nil {
			if stderrors.Is(err, context.Canceled) {
				log.Errorf("[http resolver] watch %q ended: %v; no more updates", r.target.Endpoint, err)
				return
			}
			d := retryDelay(failures, mrand.Float64())
			failures++
			log.Errorf("[http resolver] watch %q: %v; retry in %v", r.target.Endpoint, err, d.Round(time.Millisecond))
			select {
			case <-r.stop:
				return
			case <-r.after(d):
			}
			continue
		}
		failures = 0
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

// Close stops the watcher, ends its context and waits for the watch
// goroutine.
func (r *resolver) Close() error {
	r.closeOnce.Do(func() {
		close(r.stop)
		r.closeErr = r.watcher.Stop()
		r.cancel()
		<-r.done
	})
	return r.closeErr
}
