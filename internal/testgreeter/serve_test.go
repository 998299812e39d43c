package testgreeter_test

import (
	"context"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	"github.com/seed6ad8aa6b/kratos/transport/http"
)

func hello(_ context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
	return &pb.HelloReply{Message: "Hello " + in.GetName()}, nil
}

func TestServeAndDial(t *testing.T) {
	ctx := context.Background()

	hs := http.NewServer(http.Address("127.0.0.1:0"))
	pb.RegisterGreeterHTTPServer(hs, pb.SayHelloFunc(hello))
	hc := pb.NewGreeterHTTPClient(pb.DialHTTP(t, pb.ServeHTTP(t, hs)))
	if reply, err := hc.SayHello(ctx, &pb.HelloRequest{Name: "http"}); err != nil || reply.GetMessage() != "Hello http" {
		t.Errorf("HTTP SayHello() = %v, %v, want Hello http", reply, err)
	}

	gs := kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"))
	pb.RegisterGreeterServer(gs, pb.SayHelloFunc(hello))
	gc := pb.NewGreeterClient(pb.DialGRPC(t, pb.ServeGRPC(t, gs)))
	if reply, err := gc.SayHello(ctx, &pb.HelloRequest{Name: "grpc"}); err != nil || reply.GetMessage() != "Hello grpc" {
		t.Errorf("gRPC SayHello() = %v, %v, want Hello grpc", reply, err)
	}
	stream, err := gc.StreamHello(ctx, &pb.HelloRequest{Name: "grpc"})
	if err == nil {
		_, err = stream.Recv()
	}
	if got := status.Code(err); got != codes.Unimplemented {
		t.Errorf("StreamHello() code = %v (%v), want %v", got, err, codes.Unimplemented)
	}
}
