package grpc

import (
	"context"
	"io"
	"net"
	"net/url"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/test/bufconn"

	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/logging"
	mdmw "github.com/seed6ad8aa6b/kratos/middleware/metadata"
	krecovery "github.com/seed6ad8aa6b/kratos/middleware/recovery"
	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

// The benchmarks below make the same unary SayHello call over an
// in-process bufconn listener, so that their differences are the cost of
// this package and its middleware. Each runs its raw grpc-go baseline in
// the same invocation:
//
//	go test -run '^$' -bench 'GRPCServer|GRPCClient|KratosVsRaw' -benchmem -count 6
//
// BenchmarkGRPCServer calls, from one plain grpc-go client each, a bare
// grpc-go server ("raw"), a Server of this package with the recovery
// middleware ("recovery") and one with the default chain of a service,
// recovery, metadata propagation and logging to a discarding logger
// ("chain"). Both sides of the call run in the benchmark's process, so
// ns/op and allocs/op include the client's share, the same for all three.
//
// BenchmarkGRPCClient calls one bare grpc-go server (with the health
// service, which clients of this package watch by default) from a plain
// grpc-go client ("raw"), from a client of this package without
// middleware ("kratos") and from one with the client side of the default
// chain ("chain").
//
// BenchmarkKratosVsRawGRPC alternates single calls to the three servers,
// so that all see the same load from the rest of the machine, and reports
// their time ratios to raw.

func BenchmarkGRPCServer(b *testing.B) {
	for _, s := range benchServers(b) {
		b.Run(s.name, func(b *testing.B) { benchSayHello(b, s.client) })
	}
}

func BenchmarkGRPCClient(b *testing.B) {
	lis := serveRaw(b, func(srv *grpc.Server) {
		healthpb.RegisterHealthServer(srv, health.NewServer())
	})
	dialer := grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) })
	kratosClient := func(ms ...middleware.Middleware) pb.GreeterClient {
		conn, err := DialInsecure(context.Background(),
			WithEndpoint("passthrough:///bufconn"),
			WithOptions(dialer),
			WithMiddleware(ms...),
		)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = conn.Close() })
		return warm(b, pb.NewGreeterClient(conn))
	}
	clients := []struct {
		name   string
		client pb.GreeterClient
	}{
		{"raw", bufconnClient(b, lis)},
		{"kratos", kratosClient()},
		{"chain", kratosClient(
			krecovery.Recovery(),
			mdmw.Client(),
			logging.Client(log.NewStdLogger(io.Discard)),
		)},
	}
	for _, c := range clients {
		b.Run(c.name, func(b *testing.B) { benchSayHello(b, c.client) })
	}
}

// Kept for the figures of earlier runs: the "recovery" and "raw" cases
// of BenchmarkGRPCServer on their own.

func BenchmarkKratosGRPC(b *testing.B) {
	client := kratosGreeter(b, krecovery.Recovery())
	benchSayHello(b, client)
}

func BenchmarkRawGRPC(b *testing.B) {
	client := bufconnClient(b, serveRaw(b, nil))
	benchSayHello(b, client)
}

func BenchmarkKratosVsRawGRPC(b *testing.B) {
	servers := benchServers(b)
	ctx := context.Background()
	req := &pb.HelloRequest{Name: "bench"}
	times := make([]time.Duration, len(servers))
	i := 0
	for b.Loop() {
		// Rotate who goes first, so that no server always follows the
		// same one.
		for j := range servers {
			k := (i + j) % len(servers)
			start := time.Now()
			if _, err := servers[k].client.SayHello(ctx, req); err != nil {
				b.Fatal(err)
			}
			times[k] += time.Since(start)
		}
		i++
	}
	for k, s := range servers[1:] {
		b.ReportMetric(float64(times[k+1])/float64(times[0]), s.name+"/raw")
	}
}

type benchServer struct {
	name   string
	client pb.GreeterClient
}

// benchServers starts the servers BenchmarkGRPCServer compares, raw first.
func benchServers(b *testing.B) []benchServer {
	return []benchServer{
		{"raw", bufconnClient(b, serveRaw(b, nil))},
		{"recovery", kratosGreeter(b, krecovery.Recovery())},
		{"chain", kratosGreeter(b, defaultServerChain()...)},
	}
}

// defaultServerChain is the middleware of a typical service: recovery,
// metadata propagation, and logging to a logger that discards.
func defaultServerChain() []middleware.Middleware {
	return []middleware.Middleware{
		krecovery.Recovery(),
		mdmw.Server(),
		logging.Server(log.NewStdLogger(io.Discard)),
	}
}

// kratosGreeter serves the greeter from a Server of this package with ms
// on bufconn and returns a plain grpc-go client of it. The server is
// started as an App starts it, with a context that can be cancelled.
func kratosGreeter(b *testing.B, ms ...middleware.Middleware) pb.GreeterClient {
	lis := bufconn.Listen(1 << 20)
	srv := NewServer(
		Listener(lis),
		Endpoint(&url.URL{Scheme: "grpc", Host: "bufconn"}),
		Middleware(ms...),
	)
	pb.RegisterGreeterServer(srv, &greeter{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Start(ctx) }()
	b.Cleanup(func() {
		_ = srv.Stop(context.Background())
		<-done
		cancel()
	})
	return bufconnClient(b, lis)
}

// serveRaw serves the greeter, and whatever register adds, from a bare
// grpc-go server on bufconn.
func serveRaw(b *testing.B, register func(*grpc.Server)) *bufconn.Listener {
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	pb.RegisterGreeterServer(srv, &greeter{})
	if register != nil {
		register(srv)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	b.Cleanup(func() {
		srv.GracefulStop()
		<-done
	})
	return lis
}

func bufconnClient(b *testing.B, lis *bufconn.Listener) pb.GreeterClient {
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = conn.Close() })
	return warm(b, pb.NewGreeterClient(conn))
}

// warm makes one call, so that the connection is up before timing starts.
func warm(b *testing.B, client pb.GreeterClient) pb.GreeterClient {
	if _, err := client.SayHello(context.Background(), &pb.HelloRequest{}); err != nil {
		b.Fatal(err)
	}
	return client
}

func benchSayHello(b *testing.B, client pb.GreeterClient) {
	ctx := context.Background()
	req := &pb.HelloRequest{Name: "bench"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := client.SayHello(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
