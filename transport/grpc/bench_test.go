package grpc

import (
	"context"
	"net"
	"net/url"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

// The two benchmarks below make the same unary SayHello call, from the
// same plain grpc-go client over an in-process bufconn listener: one to a
// Server of this package with a recovery middleware, one to a bare grpc-go
// server. Compare them with benchstat; see DESIGN.md for the targets.

func BenchmarkKratosGRPC(b *testing.B) {
	client := kratosGreeter(b)
	benchSayHello(b, client)
}

func BenchmarkRawGRPC(b *testing.B) {
	client := rawGreeter(b)
	benchSayHello(b, client)
}

// BenchmarkKratosVsRawGRPC alternates batches of calls to both servers, so
// that both see the same load from the rest of the machine, and reports
// the ratio of their times (kratos/raw) besides ns/op of the pair.
func BenchmarkKratosVsRawGRPC(b *testing.B) {
	kc, rc := kratosGreeter(b), rawGreeter(b)
	ctx := context.Background()
	req := &pb.HelloRequest{Name: "bench"}
	call := func(c pb.GreeterClient) time.Duration {
		start := time.Now()
		if _, err := c.SayHello(ctx, req); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var kt, rt time.Duration
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			kt += call(kc)
			rt += call(rc)
		} else {
			rt += call(rc)
			kt += call(kc)
		}
		i++
	}
	b.ReportMetric(float64(kt)/float64(rt), "kratos/raw")
}

// kratosGreeter serves the greeter from a Server of this package with a
// recovery middleware on bufconn and returns a plain grpc-go client of it.
func kratosGreeter(b *testing.B) pb.GreeterClient {
	lis := bufconn.Listen(1 << 20)
	srv := NewServer(
		Listener(lis),
		Endpoint(&url.URL{Scheme: "grpc", Host: "bufconn"}),
		Middleware(recovery),
	)
	pb.RegisterGreeterServer(srv, &greeter{})
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	b.Cleanup(func() {
		_ = srv.Stop(context.Background())
		<-done
	})
	return bufconnClient(b, lis)
}

// rawGreeter is kratosGreeter with a bare grpc-go server.
func rawGreeter(b *testing.B) pb.GreeterClient {
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	pb.RegisterGreeterServer(srv, &greeter{})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	b.Cleanup(func() {
		srv.GracefulStop()
		<-done
	})
	return bufconnClient(b, lis)
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
	client := pb.NewGreeterClient(conn)
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
