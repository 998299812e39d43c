package retry

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/registry/registrytest"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/wrr"
	"github.com/seed6ad8aa6b/kratos/transport"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// BenchmarkSuccess measures the middleware's cost on calls whose first
// attempt succeeds: the same SayHello over loopback without middleware
// ("none") and with retry.Client ("retry"), for each transport, in one
// run. Compare with benchstat.
func BenchmarkSuccess(b *testing.B) {
	ok := func(_ context.Context, in *testgreeter.HelloRequest) (*testgreeter.HelloReply, error) {
		return &testgreeter.HelloReply{Message: in.GetName()}, nil
	}
	for _, tk := range transports {
		endpoint := tk.serve(b, ok)
		for _, c := range []struct {
			name string
			m    []middleware.Middleware
		}{
			{"none", nil},
			{"retry", []middleware.Middleware{Client()}},
			{"hedge", []middleware.Middleware{Client(Hedge(time.Second, 2), WithIdempotent(testgreeter.OperationGreeterSayHello))}},
		} {
			call := tk.dial(b, endpoint, nil, c.m...)
			b.Run(tk.name+"/"+c.name, func(b *testing.B) {
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if _, err := call(ctx, "bench"); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkOverhead alternates calls through a client without middleware
// and one with retry.Client, to the same server, so that both see the same
// load from the rest of the machine, and reports the ratio of their times
// (retry/none) besides ns/op of the pair.
func BenchmarkOverhead(b *testing.B) {
	ok := func(_ context.Context, in *testgreeter.HelloRequest) (*testgreeter.HelloReply, error) {
		return &testgreeter.HelloReply{Message: in.GetName()}, nil
	}
	for _, tk := range transports {
		endpoint := tk.serve(b, ok)
		none, retry := tk.dial(b, endpoint, nil), tk.dial(b, endpoint, nil, Client())
		b.Run(tk.name, func(b *testing.B) {
			ctx := context.Background()
			call := func(c sayHello) time.Duration {
				start := time.Now()
				if _, err := c(ctx, "bench"); err != nil {
					b.Fatal(err)
				}
				return time.Since(start)
			}
			var nt, rt time.Duration
			i := 0
			for b.Loop() {
				if i%2 == 0 {
					nt += call(none)
					rt += call(retry)
				} else {
					rt += call(retry)
					nt += call(none)
				}
				i++
			}
			b.ReportMetric(float64(rt)/float64(nt), "retry/none")
		})
	}
}

// BenchmarkMiddleware measures the middleware alone, in process, on a
// call whose first attempt succeeds, against calling the handler directly.
func BenchmarkMiddleware(b *testing.B) {
	next := func(context.Context, any) (any, error) { return "ok", nil }
	for _, c := range []struct {
		name string
		kind transport.Kind
		h    middleware.Handler
	}{
		{"none", transport.KindGRPC, next},
		{"grpc", transport.KindGRPC, Client()(next)},
		{"http", transport.KindHTTP, Client()(next)},
		{"http-hedge", transport.KindHTTP, Client(Hedge(time.Second, 2), WithIdempotent(op))(next)},
	} {
		b.Run(c.name, func(b *testing.B) {
			ctx := transport.NewClientContext(context.Background(), &fakeTransport{kind: c.kind, op: op})
			ctx = selector.NewPeerContext(ctx, &selector.Peer{})
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.h(ctx, "req"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// cannedTransport is an http.RoundTripper that answers every request with
// the same JSON reply without any I/O, so that a benchmark sees the
// client's own cost rather than the network's.
type cannedTransport struct{ body string }

func (c cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(c.body)),
		ContentLength: int64(len(c.body)),
		Request:       req,
	}, nil
}

// selectorClients returns the SayHello of HTTP clients that pick among three
// discovered nodes with smooth weighted round robin, the default balancer,
// and send over cannedTransport: "plain" without middleware and without
// outlier ejection, "noop-middleware" with a middleware that does nothing,
// "ejection" with ejection (the default), "retry" with retry.Client, and
// "retry+ejection" with both.
//
// This is the path a real client takes: the HTTP client's Invoke runs the
// middleware, selects a node with its node filters through the selector's
// filter path, sets the Peer, sends, and reports the outcome to the DoneFunc
// of Select, which with ejection on is the ejection wrapper's. Only the
// network is left out (cannedTransport), because its tens of microseconds
// and their noise would hide a difference of a few hundred nanoseconds; the
// HTTP client rather than the gRPC one because the gRPC client's picker
// runs inside grpc-go, which cannot be driven without a connection.
func selectorClients(b *testing.B) []struct {
	name string
	call sayHello
} {
	b.Helper()
	reg := registrytest.NewMemory()
	for i := range 3 {
		ins := &registry.ServiceInstance{
			ID:        fmt.Sprint(i),
			Name:      "greeter",
			Endpoints: []string{fmt.Sprintf("http://127.0.0.1:%d", 10000+i)},
		}
		if err := reg.Register(context.Background(), ins); err != nil {
			b.Fatal(err)
		}
	}
	// The HTTP client builds its selector from the global builder when it
	// is created; set it for each client and restore the default after.
	defer selector.SetGlobalSelector(nil)
	dial := func(e selector.Ejection, m ...middleware.Middleware) sayHello {
		selector.SetGlobalSelector(wrr.NewBuilder(wrr.WithEjection(e)))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := khttp.NewClient(ctx,
			khttp.WithEndpoint("discovery:///greeter"), khttp.WithDiscovery(reg), khttp.WithBlock(),
			khttp.WithTransport(cannedTransport{body: `{"message":"bench"}`}),
			khttp.WithTimeout(0), khttp.WithMiddleware(m...))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = c.Close() })
		return httpSayHello(testgreeter.NewGreeterHTTPClient(c))
	}
	off := selector.Ejection{Disabled: true}
	return []struct {
		name string
		call sayHello
	}{
		{"plain", dial(off)},
		{"noop-middleware", dial(off, noopMiddleware)},
		{"ejection", dial(selector.Ejection{})},
		{"retry", dial(off, Client())},
		{"retry+ejection", dial(selector.Ejection{}, Client())},
	}
}

// noopMiddleware passes calls on: it shows what any client middleware
// costs, since both clients chain their middleware for every call.
func noopMiddleware(next middleware.Handler) middleware.Handler {
	return func(ctx context.Context, req any) (any, error) { return next(ctx, req) }
}

// BenchmarkSelectorPath measures a successful HTTP client call through the
// selector with outlier ejection and retry.Client, each alone and both,
// next to the plain call (no middleware, no ejection) in the same run; see
// selectorClients for the setup. The difference to "plain" is the cost of
// the two features on the success path.
func BenchmarkSelectorPath(b *testing.B) {
	for _, c := range selectorClients(b) {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.call(ctx, "bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSelectorPathOverhead runs batches of plain calls and of calls
// through each other case of selectorClients in turn, so that both see
// the same load from the rest of the machine, and reports the median over
// pairs of batches of the extra time per call over the plain one
// ("ns-over-plain"); see overPlain.
func BenchmarkSelectorPathOverhead(b *testing.B) {
	clients := selectorClients(b)
	ctx := context.Background()
	plain := clients[0].call
	for _, c := range clients[1:] {
		b.Run(c.name, func(b *testing.B) {
			overPlain(b, 8,
				func() error { _, err := plain(ctx, "bench"); return err },
				func() error { _, err := c.call(ctx, "bench"); return err })
		})
	}
}

// overPlain alternates batches of size calls of plain and of variant
// until b.Loop ends, and reports the median over pairs of batches of
// variant's time per call minus plain's ("ns-over-plain"). A pair's two
// batches run back to back, and the median drops the pairs that a
// preemption or a GC cycle hit, so the figure holds on a busy machine
// where ns/op of separate runs does not. ns/op is that of a pair of
// calls.
func overPlain(b *testing.B, size int, plain, variant func() error) {
	b.Helper()
	batch := func(f func() error) time.Duration {
		start := time.Now()
		for range size {
			if err := f(); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	var diffs []float64
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		// One call of each per iteration, counted in the batch that
		// ends on it, so that ns/op stays the time of a pair.
		if i%size != size-1 {
			continue
		}
		var pt, vt time.Duration
		if len(diffs)%2 == 0 {
			pt, vt = batch(plain), batch(variant)
		} else {
			vt, pt = batch(variant), batch(plain)
		}
		diffs = append(diffs, float64(vt-pt)/float64(size))
	}
	if len(diffs) > 0 {
		slices.Sort(diffs)
		b.ReportMetric(diffs[len(diffs)/2], "ns-over-plain")
	}
}

// selectorHandlers returns, for the cases of selectorClients, a function
// that makes one call the way the HTTP client's Invoke does, minus HTTP:
// a client Transport and a Peer in the context, the client middleware
// chained for the call, and as the last handler a Select with the
// client's (empty) node filter option followed by the DoneFunc with a
// successful outcome. It isolates the part of a call that the features
// touch from the tens of allocations of net/http and the codecs.
func selectorHandlers(b *testing.B) []struct {
	name string
	call func(ctx context.Context) error
} {
	b.Helper()
	nodes := make([]selector.Node, 3)
	for i := range nodes {
		nodes[i] = selector.NewNode("http", fmt.Sprintf("127.0.0.1:%d", 10000+i), &registry.ServiceInstance{ID: fmt.Sprint(i), Name: "greeter"})
	}
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/helloworld/bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	reply := http.Header{"Content-Type": {"application/json"}}
	build := func(e selector.Ejection, m ...middleware.Middleware) func(ctx context.Context) error {
		sel := wrr.New(wrr.WithEjection(e))
		sel.Apply(nodes)
		var filters []selector.NodeFilter // the client's WithNodeFilter, none here
		tr := &fakeTransport{kind: transport.KindHTTP, op: testgreeter.OperationGreeterSayHello, req: req}
		last := func(ctx context.Context, _ any) (any, error) {
			_, done, err := sel.Select(ctx, selector.WithNodeFilter(filters...))
			if err != nil {
				return nil, err
			}
			done(ctx, selector.DoneInfo{BytesSent: true, BytesReceived: true, ReplyMD: headerOf(reply)})
			return "ok", nil
		}
		return func(ctx context.Context) error {
			var peer selector.Peer
			ctx = selector.NewPeerContext(transport.NewClientContext(ctx, tr), &peer)
			h := middleware.Handler(last)
			if len(m) > 0 {
				h = middleware.Chain(m...)(h)
			}
			_, err := h(ctx, nil)
			return err
		}
	}
	off := selector.Ejection{Disabled: true}
	return []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"plain", build(off)},
		{"noop-middleware", build(off, noopMiddleware)},
		{"ejection", build(selector.Ejection{})},
		{"retry", build(off, Client())},
		{"retry+ejection", build(selector.Ejection{}, Client())},
	}
}

// BenchmarkSelectorHandler measures the cases of selectorHandlers in one
// run: "plain" is a call with neither retry nor ejection, the others add
// noopMiddleware, ejection, retry.Client, and both.
func BenchmarkSelectorHandler(b *testing.B) {
	for _, c := range selectorHandlers(b) {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := c.call(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSelectorHandlerOverhead is BenchmarkSelectorPathOverhead for the
// cases of selectorHandlers: the median extra time per call of each over
// "plain" ("ns-over-plain"), from batches run in turn.
func BenchmarkSelectorHandlerOverhead(b *testing.B) {
	handlers := selectorHandlers(b)
	ctx := context.Background()
	plain := handlers[0].call
	for _, c := range handlers[1:] {
		b.Run(c.name, func(b *testing.B) {
			overPlain(b, 64, func() error { return plain(ctx) }, func() error { return c.call(ctx) })
		})
	}
}

// BenchmarkSelectorPathGRPC is BenchmarkSelectorPath over gRPC: a client
// of three discovered loopback servers, picking with smooth weighted round
// robin through the gRPC client's picker, without and with ejection and
// retry.Client. The network's tens of microseconds and their noise hide
// the time of the features here, but allocations are exact: the gRPC
// client chains its middleware once per connection, so the difference to
// "plain" in allocs/op is what the features allocate on a call.
func BenchmarkSelectorPathGRPC(b *testing.B) {
	reg := cluster(b, transports[1], 3, func(i int) greeter {
		reply := &testgreeter.HelloReply{Message: fmt.Sprint(i)}
		return func(context.Context, *testgreeter.HelloRequest) (*testgreeter.HelloReply, error) {
			return reply, nil
		}
	})
	// The gRPC client builds its selector from the global builder when
	// its connection first resolves; set it until the client answered.
	defer selector.SetGlobalSelector(nil)
	dial := func(e selector.Ejection, m ...middleware.Middleware) sayHello {
		selector.SetGlobalSelector(wrr.NewBuilder(wrr.WithEjection(e)))
		call := dialGRPC(b, "discovery:///greeter", reg, m...)
		warm(b, call, 3)
		return call
	}
	off := selector.Ejection{Disabled: true}
	for _, c := range []struct {
		name string
		call sayHello
	}{
		{"plain", dial(off)},
		{"ejection", dial(selector.Ejection{})},
		{"retry", dial(off, Client())},
		{"retry+ejection", dial(selector.Ejection{}, Client())},
	} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.call(ctx, "bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
