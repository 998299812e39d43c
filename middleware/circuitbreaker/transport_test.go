package circuitbreaker_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	pb "github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/circuitbreaker"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// startHTTP serves h as the greeter over HTTP and returns a function that
// calls it through a client with client middleware ms.
func startHTTP(t *testing.T, h pb.SayHelloFunc, ms ...middleware.Middleware) func(context.Context) (string, error) {
	t.Helper()
	srv := khttp.NewServer(khttp.Address("127.0.0.1:0"))
	pb.RegisterGreeterHTTPServer(srv, h)
	client := pb.NewGreeterHTTPClient(pb.DialHTTP(t, pb.ServeHTTP(t, srv), khttp.WithMiddleware(ms...)))
	return func(ctx context.Context) (string, error) {
		reply, err := client.SayHello(ctx, &pb.HelloRequest{Name: "hi"})
		return reply.GetMessage(), err
	}
}

// startGRPC does the same as startHTTP over gRPC.
func startGRPC(t *testing.T, h pb.SayHelloFunc, ms ...middleware.Middleware) func(context.Context) (string, error) {
	t.Helper()
	srv := kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"))
	pb.RegisterGreeterServer(srv, h)
	client := pb.NewGreeterClient(pb.DialGRPC(t, pb.ServeGRPC(t, srv), kgrpc.WithMiddleware(ms...)))
	return func(ctx context.Context) (string, error) {
		reply, err := client.SayHello(ctx, &pb.HelloRequest{Name: "hi"})
		return reply.GetMessage(), err
	}
}

func TestTransportsOpenAndRecover(t *testing.T) {
	for _, tr := range []struct {
		name  string
		start func(*testing.T, pb.SayHelloFunc, ...middleware.Middleware) func(context.Context) (string, error)
	}{
		{"http", startHTTP},
		{"grpc", startGRPC},
	} {
		t.Run(tr.name, func(t *testing.T) {
			now := time.Unix(0, 0)
			var mu sync.Mutex
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			breaker := circuitbreaker.Client(circuitbreaker.WithCircuitBreaker(func() circuitbreaker.CircuitBreaker {
				return circuitbreaker.NewSRE(&circuitbreaker.SREOptions{
					Now:  clock,
					Rand: func() float64 { return 0.5 }, // refuse whenever p > 0.5
				})
			}))
			var down atomic.Bool
			var hits atomic.Int64
			call := tr.start(t, func(context.Context, *pb.HelloRequest) (*pb.HelloReply, error) {
				hits.Add(1)
				if down.Load() {
					return nil, errors.ServiceUnavailable("DOWN", "dependency down")
				}
				return &pb.HelloReply{Message: "ok"}, nil
			}, breaker)
			ctx := context.Background()

			down.Store(true)
			// The first 100 failures reach the server: below the minimum
			// the breaker refuses nothing.
			for i := 0; i < 100; i++ {
				_, err := call(ctx)
				if got := errors.FromError(err); got == nil || got.Code != 503 || got.Reason != "DOWN" {
					t.Fatalf("call %d: error = %v, want the server's 503 DOWN", i, err)
				}
			}
			// Then the breaker is open: calls fail locally.
			for i := 0; i < 50; i++ {
				_, err := call(ctx)
				if got := errors.FromError(err); got == nil || got.Code != 503 || got.Reason != "CIRCUITBREAKER" {
					t.Fatalf("call %d after opening: error = %v, want 503 CIRCUITBREAKER", i, err)
				}
			}
			if got := hits.Load(); got != 100 {
				t.Errorf("server hits = %d, want 100", got)
			}

			// The dependency heals; once the failures have left the 3s
			// window, calls go through again.
			down.Store(false)
			mu.Lock()
			now = now.Add(3 * time.Second)
			mu.Unlock()
			for i := 0; i < 20; i++ {
				if got, err := call(ctx); err != nil || got != "ok" {
					t.Fatalf("call %d after healing = %q, %v, want ok", i, got, err)
				}
			}
		})
	}
}
