package grpc

import (
	"context"
	"testing"

	"google.golang.org/grpc"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/metadata"
	mmd "github.com/seed6ad8aa6b/kratos/middleware/metadata"
	krecovery "github.com/seed6ad8aa6b/kratos/middleware/recovery"
	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

// TestFrameworkMiddleware runs the framework's own metadata and recovery
// middleware on both sides of a real connection.
func TestFrameworkMiddleware(t *testing.T) {
	g := &greeter{
		hello: func(ctx context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
			if in.GetName() == "panic" {
				panic("handler panic")
			}
			md, _ := metadata.FromServerContext(ctx)
			return &pb.HelloReply{Message: md.Get("x-md-global-user") + "/" + md.Get("x-md-local-trace")}, nil
		},
		stream: func(stream grpc.ServerStream) error {
			md, _ := metadata.FromServerContext(stream.Context())
			if md.Get("x-md-global-user") != "alice" {
				panic("stream without metadata")
			}
			return nil
		},
	}
	_, addr := startServer(t, g, Middleware(krecovery.Recovery(), mmd.Server()))
	client := pb.NewGreeterClient(dialTest(t, addr, WithMiddleware(mmd.Client())))

	ctx := metadata.AppendToClientContext(testContext(t), "x-md-global-user", "alice", "x-md-local-trace", "t1")
	reply, err := client.SayHello(ctx, &pb.HelloRequest{})
	if err != nil {
		t.Fatalf("SayHello() error = %v", err)
	}
	if got, want := reply.GetMessage(), "alice/t1"; got != want {
		t.Errorf("server metadata = %q, want %q", got, want)
	}

	_, err = client.SayHello(ctx, &pb.HelloRequest{Name: "panic"})
	if got := kerrors.FromError(err); got.Code != 500 {
		t.Errorf("panic became %v, want a 500 error", err)
	}

	// Streams carry the metadata too; without it the handler panics and
	// recovery turns that into an error.
	for _, tt := range []struct {
		name     string
		ctx      context.Context
		wantCode int
	}{
		{name: "with metadata", ctx: ctx, wantCode: 200},
		{name: "without metadata", ctx: testContext(t), wantCode: 500},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := client.SayHelloServerStream(tt.ctx, &pb.HelloRequest{Name: "s", Count: 1})
			if err != nil {
				t.Fatalf("SayHelloServerStream() error = %v", err)
			}
			_, err = s.Recv()
			if got := kerrors.Code(err); got != tt.wantCode {
				t.Errorf("Recv() error = %v, want code %d", err, tt.wantCode)
			}
		})
	}
}
