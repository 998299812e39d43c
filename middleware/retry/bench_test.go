package retry

import (
	"context"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/transport"
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
