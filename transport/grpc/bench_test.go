package grpc

import (
	"context"
	"net"
	"net/url"
	"testing"

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
	lis := bufconn.Listen(1 << 20)
	srv := NewServer(
		Listener(lis),
		Endpoint(&url.URL{Scheme: "grpc", Host: "bufconn"}),
		Middleware(recovery),
	)
	pb.RegisterGreeterServer(srv, &greeter{})
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	defer func() {
		_ = srv.Stop(context.Background())
		<-done
	}()
	benchSayHello(b, lis)
}

func BenchmarkRawGRPC(b *testing.B) {
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	pb.RegisterGreeterServer(srv, &greeter{})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	defer func() {
		srv.GracefulStop()
		<-done
	}()
	benchSayHello(b, lis)
}

func benchSayHello(b *testing.B, lis *bufconn.Listener) {
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	client := pb.NewGreeterClient(conn)
	ctx := context.Background()
	req := &pb.HelloRequest{Name: "bench"}
	if _, err := client.SayHello(ctx, req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := client.SayHello(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
