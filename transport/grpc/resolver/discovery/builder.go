// Package discovery is a gRPC name resolver over a [registry.Discovery]:
// the target "discovery:///name" resolves to the gRPC endpoints of the
// instances of service name, and follows them as they change.
//
// Of each instance it keeps the first endpoint whose scheme is "grpc" for
// plaintext clients (see WithInsecure), or "grpcs" (or "grpc" with
// "isSecure=true") for TLS clients, and ignores the rest. When a service
// has more instances than the subset size, each resolver connects to a
// stable subset of them (see WithSubset). An update that leaves no
// endpoint is ignored, so a registry hiccup does not empty the client's
// address list. Watch errors are retried with backoff.
//
// transport/grpc's Dial installs it for clients made WithDiscovery; to use
// it with grpc-go directly, pass grpc.WithResolvers(discovery.NewBuilder(d)).
package discovery

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"google.golang.org/grpc/resolver"

	"github.com/seed6ad8aa6b/kratos/registry"
)

const scheme = "discovery"

// ErrWatcherCreateTimeout is returned by Build (and so by Dial) when the
// discovery does not create its watcher within the timeout.
var ErrWatcherCreateTimeout = errors.New("discovery: creating the watcher timed out")

// Option configures the builder.
type Option func(o *builder)

// WithTimeout sets how long Build waits for the discovery to create the
// watcher. The default is ten seconds; zero or less means no limit.
func WithTimeout(timeout time.Duration) Option {
	return func(b *builder) { b.timeout = timeout }
}

// WithInsecure makes the resolver keep plaintext ("grpc") endpoints when
// insecure is true, and TLS endpoints otherwise. The default is false.
func WithInsecure(insecure bool) Option {
	return func(b *builder) { b.insecure = insecure }
}

// WithSubset sets the most instances a resolver hands to gRPC. The default
// is 25; zero or less means all.
func WithSubset(size int) Option {
	return func(b *builder) { b.subsetSize = size }
}

// PrintDebugLog turns the log line written for each update on or off. The
// default is on.
func PrintDebugLog(p bool) Option {
	return func(b *builder) { b.debugLog = p }
}

// DisableDebugLog turns the log line written for each update off.
func DisableDebugLog() Option {
	return PrintDebugLog(false)
}

type builder struct {
	discoverer registry.Discovery
	timeout    time.Duration
	insecure   bool
	subsetSize int
	debugLog   bool
}

// NewBuilder returns a builder for "discovery" targets that finds instances
// with d.
func NewBuilder(d registry.Discovery, opts ...Option) resolver.Builder {
	b := &builder{
		discoverer: d,
		timeout:    10 * time.Second,
		subsetSize: 25,
		debugLog:   true,
	}
	for _, o := range opts {
		o(b)
	}
	return b
}

func (b *builder) Scheme() string { return scheme }

type watchResult struct {
	w   registry.Watcher
	err error
}

// Build starts watching the service named by the target's path and
// returns once the watcher exists. The resolver's goroutine runs until
// Close.
func (b *builder) Build(target resolver.Target, cc resolver.ClientConn, _ resolver.BuildOptions) (resolver.Resolver, error) {
	name := strings.TrimPrefix(target.URL.Path, "/")
	if name == "" {
		return nil, fmt.Errorf("discovery: target %q names no service", target.URL.String())
	}
	ctx, cancel := context.WithCancel(context.Background())

	// Watch may block; wait for it at most b.timeout. A watcher that
	// arrives after Build gave up is stopped by the same goroutine.
	result := make(chan watchResult)
	abandoned := make(chan struct{})
	go func() {
		w, err := b.discoverer.Watch(ctx, name)
		select {
		case result <- watchResult{w, err}:
		case <-abandoned:
			if w != nil {
				_ = w.Stop()
			}
		}
	}()
	var timeout <-chan time.Time
	if b.timeout > 0 {
		t := time.NewTimer(b.timeout)
		defer t.Stop()
		timeout = t.C
	}
	var res watchResult
	select {
	case res = <-result:
	case <-timeout:
		close(abandoned)
		cancel()
		return nil, ErrWatcherCreateTimeout
	}
	if res.err != nil {
		cancel()
		return nil, fmt.Errorf("discovery: watch %q: %w", name, res.err)
	}

	r := &discoveryResolver{
		w:          res.w,
		cc:         cc,
		ctx:        ctx,
		cancel:     cancel,
		name:       name,
		insecure:   b.insecure,
		subsetSize: b.subsetSize,
		debugLog:   b.debugLog,
		key:        rand.Uint64(),
		done:       make(chan struct{}),
	}
	go r.watch()
	return r, nil
}
