package ratelimit_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/ratelimit"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

const echoOp = "/test.v1.Echo/Call"

type handlerFunc func(ctx context.Context) (string, error)

func startHTTP(t *testing.T, h handlerFunc, ms ...middleware.Middleware) func(context.Context) (string, error) {
	t.Helper()
	srv := khttp.NewServer(khttp.Middleware(ms...))
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
	client, err := khttp.NewClient(context.Background(), khttp.WithEndpoint(ts.URL))
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
	srv := kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"), kgrpc.Middleware(ms...))
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
	// Server middleware also wraps the long-lived health-check stream,
	// which would count as a call in flight: no health checking.
	conn, err := kgrpc.DialInsecure(context.Background(), kgrpc.WithEndpoint(u.Host), kgrpc.WithHealthCheck(false))
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

func TestTransportsShed(t *testing.T) {
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
			call := tr.start(t, func(ctx context.Context) (string, error) {
				entered <- struct{}{}
				<-release
				return "ok", nil
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
