package ratelimit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	pb "github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/ratelimit"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// startHTTP serves h as the greeter over HTTP behind server middleware ms
// and returns a function that calls it.
func startHTTP(t *testing.T, h pb.SayHelloFunc, ms ...middleware.Middleware) func(context.Context) (string, error) {
	t.Helper()
	srv := khttp.NewServer(khttp.Address("127.0.0.1:0"), khttp.Middleware(ms...))
	pb.RegisterGreeterHTTPServer(srv, h)
	client := pb.NewGreeterHTTPClient(pb.DialHTTP(t, pb.ServeHTTP(t, srv)))
	return func(ctx context.Context) (string, error) {
		reply, err := client.SayHello(ctx, &pb.HelloRequest{Name: "hi"})
		return reply.GetMessage(), err
	}
}

// startGRPC does the same as startHTTP over gRPC.
func startGRPC(t *testing.T, h pb.SayHelloFunc, ms ...middleware.Middleware) func(context.Context) (string, error) {
	t.Helper()
	srv := kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"), kgrpc.Middleware(ms...))
	pb.RegisterGreeterServer(srv, h)
	// Server middleware also wraps the long-lived health-check stream,
	// which would count as a call in flight: no health checking.
	client := pb.NewGreeterClient(pb.DialGRPC(t, pb.ServeGRPC(t, srv), kgrpc.WithHealthCheck(false)))
	return func(ctx context.Context) (string, error) {
		reply, err := client.SayHello(ctx, &pb.HelloRequest{Name: "hi"})
		return reply.GetMessage(), err
	}
}

func TestTransportsShed(t *testing.T) {
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
			l := ratelimit.NewBBR(&ratelimit.BBROptions{
				CPU: func() int64 { return 1000 },
				Now: clock,
			})
			// Teach the limiter that the service handles two calls at a time.
			for i := 0; i < 200; i++ {
				d1, _ := l.Allow()
				d2, _ := l.Allow()
				mu.Lock()
				now = now.Add(10 * time.Millisecond)
				mu.Unlock()
				d1(ratelimit.DoneInfo{})
				d2(ratelimit.DoneInfo{})
			}
			if got := l.Stat().MaxInFlight; got != 2 {
				t.Fatalf("MaxInFlight = %d, want 2", got)
			}

			entered := make(chan struct{}, 10)
			release := make(chan struct{})
			call := tr.start(t, func(context.Context, *pb.HelloRequest) (*pb.HelloReply, error) {
				entered <- struct{}{}
				<-release
				return &pb.HelloReply{Message: "ok"}, nil
			}, ratelimit.Server(ratelimit.WithLimiter(l)))

			// Three slow calls: the third sees two in flight, not more than
			// the estimate, and is admitted.
			var wg sync.WaitGroup
			errs := make(chan error, 3)
			for i := 0; i < 3; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := call(context.Background())
					errs <- err
				}()
				<-entered
			}
			// The fourth is shed, and the client sees 429 RATELIMIT.
			_, err := call(context.Background())
			if got := errors.FromError(err); got == nil || got.Code != 429 || got.Reason != "RATELIMIT" {
				t.Errorf("call over the limit: error = %v, want 429 RATELIMIT", err)
			}
			close(release)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("admitted call: error = %v", err)
				}
			}
			// With the calls done, calls are admitted again.
			if got, err := call(context.Background()); err != nil || got != "ok" {
				t.Errorf("call after release = %q, %v, want ok", got, err)
			}
		})
	}
}
