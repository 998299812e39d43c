package grpc_test

import (
	"context"
	"fmt"
	"net"
	"net/url"

	ggrpc "google.golang.org/grpc"
	"google.golang.org/grpc/test/bufconn"

	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/grpc"
	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

type helloServer struct {
	pb.UnimplementedGreeterServer
}

func (helloServer) SayHello(ctx context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
	if tr, ok := transport.FromServerContext(ctx); ok {
		tr.ReplyHeader().Set("x-served-by", "example")
	}
	return &pb.HelloReply{Message: "hello " + in.GetName()}, nil
}

// logOperation prints the operation of each call it sees.
func logOperation(side string) middleware.Middleware {
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			tr, ok := transport.FromServerContext(ctx)
			if !ok {
				tr, _ = transport.FromClientContext(ctx)
			}
			fmt.Printf("%s %s %s\n", side, tr.Kind(), tr.Operation())
			return next(ctx, req)
		}
	}
}

// A server and a client over an in-memory listener, both with middleware.
func ExampleNewServer() {
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(
		grpc.Listener(lis),
		grpc.Endpoint(&url.URL{Scheme: "grpc", Host: "in-memory"}),
		grpc.Middleware(logOperation("server")),
	)
	pb.RegisterGreeterServer(srv, helloServer{})
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()

	ctx := context.Background()
	conn, err := grpc.DialInsecure(ctx,
		grpc.WithEndpoint("passthrough:///in-memory"),
		grpc.WithOptions(ggrpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return lis.DialContext(ctx)
		})),
		grpc.WithMiddleware(logOperation("client")),
		grpc.WithHealthCheck(false),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	reply, err := pb.NewGreeterClient(conn).SayHello(ctx, &pb.HelloRequest{Name: "kratos"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reply.GetMessage())

	_ = conn.Close()
	_ = srv.Stop(ctx)
	<-done
	// Output:
	// client grpc /kratos.test.helloworld.Greeter/SayHello
	// server grpc /kratos.test.helloworld.Greeter/SayHello
	// hello kratos
}
