package retry

import (
	"context"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/middleware"
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
