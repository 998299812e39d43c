package circuitbreaker_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/circuitbreaker"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

const echoOp = "/test.v1.Echo/Call"

type handlerFunc func(ctx context.Context) (string, error)

// startHTTP serves h on an httptest server and returns a function that
// calls it through a client with client middleware ms.
func startHTTP(t *testing.T, h handlerFunc, ms ...middleware.Middleware) func(context.Context) (string, error) {
	t.Helper()
	srv := khttp.NewServer()
	srv.Route("/").POST("/v1/echo", func(ctx khttp.Context) error {
		var in struct{}
		if err := ctx.Bind(&in); err != nil {
			return err
		}
		khttp.SetOperation(ctx, echoOp)
		out, err := ctx.Middleware(func(ctx context.Context, _ any) (any, error) { return h(ctx) })(ctx, &in)
		if err != nil {
			return err
		}
		return ctx.Result(200, map[string]any{"msg": out})
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	client, err := khttp.NewClient(context.Background(), khttp.WithEndpoint(ts.URL), khttp.WithMiddleware(ms...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return func(ctx context.Context) (string, error) {
		var out struct {
			Msg string `json:"msg"`
		}
		err := client.Invoke(ctx, "POST", "/v1/echo", struct{}{}, &out, khttp.Operation(echoOp))
		return out.Msg, err
	}
}

// startGRPC does the same as startHTTP over gRPC, with a hand-written
// service description so that no generated code is needed.
func startGRPC(t *testing.T, h handlerFunc, ms ...middleware.Middleware) func(context.Context) (string, error) {
	t.Helper()
	desc := grpc.ServiceDesc{
		ServiceName: "test.v1.Echo",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{
			MethodName: "Call",
			Handler: func(_ any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
				in := new(wrapperspb.StringValue)
				if err := dec(in); err != nil {
					return nil, err
				}
				next := func(ctx context.Context, _ any) (any, error) {
					s, err := h(ctx)
					if err != nil {
						return nil, err
					}
					return wrapperspb.String(s), nil
				}
				return interceptor(ctx, in, &grpc.UnaryServerInfo{FullMethod: echoOp}, next)
			},
		}},
	}
	srv := kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"))
	srv.RegisterService(&desc, struct{}{})
	u, err := srv.Endpoint()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
		<-done
	})
	conn, err := kgrpc.DialInsecure(context.Background(), kgrpc.WithEndpoint(u.Host), kgrpc.WithMiddleware(ms...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return func(ctx context.Context) (string, error) {
		out := new(wrapperspb.StringValue)
		err := conn.Invoke(ctx, echoOp, wrapperspb.String("hi"), out)
		return out.GetValue(), err
	}
}

func TestTransportsOpenAndRecover(t *testing.T) {
	for _, tr := range []struct {
		name  string
		start func(*testing.T, handlerFunc, ...middleware.Middleware) func(context.Context) (string, error)
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
			call := tr.start(t, func(ctx context.Context) (string, error) {
				hits.Add(1)
				if down.Load() {
					return "", errors.ServiceUnavailable("DOWN", "dependency down")
				}
				return "ok", nil
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
