package retry

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/registry/registrytest"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// testContext is a context that ends a little before the test's deadline.
func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx := context.Background()
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if deadline, ok := d.Deadline(); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, deadline.Add(-5*time.Second))
			t.Cleanup(cancel)
			return ctx
		}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// greeter is a SayHello handler.
type greeter = testgreeter.SayHelloFunc

// transportKind runs a test over one transport.
type transportKind struct {
	name string
	// serve starts a server of f on loopback and returns its endpoint
	// URL ("http://..." or "grpc://...").
	serve func(t testing.TB, f greeter, opts ...any) string
	// dial returns a SayHello of a client for endpoint (a host:port or a
	// discovery:/// target with d) with middleware m.
	dial func(t testing.TB, endpoint string, d registry.Discovery, m ...middleware.Middleware) sayHello
}

type sayHello func(ctx context.Context, name string) (string, error)

var transports = []transportKind{
	{name: "http", serve: serveHTTP, dial: dialHTTP},
	{name: "grpc", serve: serveGRPC, dial: dialGRPC},
}

func serveHTTP(t testing.TB, f greeter, opts ...any) string {
	t.Helper()
	so := []khttp.ServerOption{khttp.Address("127.0.0.1:0")}
	for _, o := range opts {
		so = append(so, o.(khttp.ServerOption))
	}
	srv := khttp.NewServer(so...)
	testgreeter.RegisterGreeterHTTPServer(srv, f)
	return "http://" + testgreeter.ServeHTTP(t, srv)
}

func serveGRPC(t testing.TB, f greeter, opts ...any) string {
	t.Helper()
	so := []kgrpc.ServerOption{kgrpc.Address("127.0.0.1:0")}
	for _, o := range opts {
		so = append(so, o.(kgrpc.ServerOption))
	}
	srv := kgrpc.NewServer(so...)
	testgreeter.RegisterGreeterServer(srv, f)
	return "grpc://" + testgreeter.ServeGRPC(t, srv)
}

func dialHTTP(t testing.TB, endpoint string, d registry.Discovery, m ...middleware.Middleware) sayHello {
	t.Helper()
	opts := []khttp.ClientOption{khttp.WithMiddleware(m...), khttp.WithTimeout(0)}
	if d != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		opts = append(opts, khttp.WithDiscovery(d), khttp.WithBlock())
		c, err := khttp.NewClient(ctx, append(opts, khttp.WithEndpoint(endpoint))...)
		if err != nil {
			t.Fatalf("http.NewClient(%q) error = %v", endpoint, err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return httpSayHello(testgreeter.NewGreeterHTTPClient(c))
	}
	c := testgreeter.DialHTTP(t, strings.TrimPrefix(endpoint, "http://"), opts...)
	return httpSayHello(testgreeter.NewGreeterHTTPClient(c))
}

func httpSayHello(c testgreeter.GreeterHTTPClient) sayHello {
	return func(ctx context.Context, name string) (string, error) {
		reply, err := c.SayHello(ctx, &testgreeter.HelloRequest{Name: name})
		return reply.GetMessage(), err
	}
}

func dialGRPC(t testing.TB, endpoint string, d registry.Discovery, m ...middleware.Middleware) sayHello {
	t.Helper()
	opts := []kgrpc.ClientOption{kgrpc.WithMiddleware(m...), kgrpc.WithTimeout(0), kgrpc.WithPrintDiscoveryDebugLog(false)}
	if d != nil {
		opts = append(opts, kgrpc.WithDiscovery(d))
	}
	c := testgreeter.NewGreeterClient(testgreeter.DialGRPC(t, strings.TrimPrefix(endpoint, "grpc://"), opts...))
	return func(ctx context.Context, name string) (string, error) {
		reply, err := c.SayHello(ctx, &testgreeter.HelloRequest{Name: name}, grpc.WaitForReady(true))
		return reply.GetMessage(), err
	}
}

// cluster starts n servers of the transport, server i running f(i), and
// registers them as service "greeter" in a new in-memory registry.
func cluster(t testing.TB, tk transportKind, n int, f func(i int) greeter) *registrytest.Memory {
	t.Helper()
	reg := registrytest.NewMemory()
	for i := range n {
		ins := &registry.ServiceInstance{
			ID:        fmt.Sprint(i),
			Name:      "greeter",
			Endpoints: []string{tk.serve(t, f(i))},
		}
		if err := reg.Register(context.Background(), ins); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// warm calls until every one of n servers, which reply with their index,
// answered once, so that a gRPC client has a ready connection to each.
func warm(t testing.TB, call sayHello, n int) {
	t.Helper()
	ctx := testContext(t)
	seen := map[string]bool{}
	for len(seen) < n {
		reply, err := call(ctx, "warm")
		if err != nil {
			t.Fatalf("warm-up call error = %v", err)
		}
		seen[reply] = true
	}
}

// deadAddress returns a loopback address nothing listens on.
func deadAddress(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// counter counts the attempts that reach it: put it after retry in the
// chain.
func counter(n *atomicInt) middleware.Middleware {
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			n.Add(1)
			return next(ctx, req)
		}
	}
}

type atomicInt = atomic.Int64
