package grpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/grpc/internal/leakcheck"
	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

func TestMain(m *testing.M) {
	log.SetLogger(log.NewStdLogger(io.Discard))
	code := m.Run()
	if code == 0 {
		if err := leakcheck.Check(10 * time.Second); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// greeter answers with "hello <name><suffix>". A hook, when set, handles
// SayHello instead.
type greeter struct {
	pb.UnimplementedGreeterServer
	suffix string
	hello  func(ctx context.Context, in *pb.HelloRequest) (*pb.HelloReply, error)
	stream func(stream grpc.ServerStream) error // runs before every streaming method
}

func (g *greeter) SayHello(ctx context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
	if g.hello != nil {
		return g.hello(ctx, in)
	}
	return &pb.HelloReply{Message: "hello " + in.GetName() + g.suffix}, nil
}

func (g *greeter) SayHelloServerStream(in *pb.HelloRequest, stream grpc.ServerStreamingServer[pb.HelloReply]) error {
	if g.stream != nil {
		if err := g.stream(stream); err != nil {
			return err
		}
	}
	for i := range in.GetCount() {
		if err := stream.Send(&pb.HelloReply{Message: fmt.Sprintf("hello %s %d", in.GetName(), i)}); err != nil {
			return err
		}
	}
	return nil
}

func (g *greeter) SayHelloClientStream(stream grpc.ClientStreamingServer[pb.HelloRequest, pb.HelloReply]) error {
	if g.stream != nil {
		if err := g.stream(stream); err != nil {
			return err
		}
	}
	var names []string
	for {
		in, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&pb.HelloReply{Message: "hello " + strings.Join(names, ",")})
		}
		if err != nil {
			return err
		}
		names = append(names, in.GetName())
	}
}

func (g *greeter) SayHelloBidiStream(stream grpc.BidiStreamingServer[pb.HelloRequest, pb.HelloReply]) error {
	if g.stream != nil {
		if err := g.stream(stream); err != nil {
			return err
		}
	}
	for {
		in, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(&pb.HelloReply{Message: "hello " + in.GetName() + g.suffix}); err != nil {
			return err
		}
	}
}

// startServer starts a server for g on a loopback port and returns it with
// its address. The server is stopped when the test ends.
func startServer(t testing.TB, g pb.GreeterServer, opts ...ServerOption) (*Server, string) {
	t.Helper()
	srv := NewServer(append([]ServerOption{Address("127.0.0.1:0")}, opts...)...)
	pb.RegisterGreeterServer(srv, g)
	u, err := srv.Endpoint()
	if err != nil {
		t.Fatalf("Endpoint() error = %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("Stop() error = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Start() error = %v", err)
		}
	})
	return srv, u.Host
}

// dial connects to target over plaintext; the connection is closed when
// the test ends.
func dialTest(t testing.TB, target string, opts ...ClientOption) *grpc.ClientConn {
	t.Helper()
	conn, err := DialInsecure(context.Background(), append([]ClientOption{WithEndpoint(target)}, opts...)...)
	if err != nil {
		t.Fatalf("DialInsecure(%q) error = %v", target, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// recovery turns a panic into a 500 error, as middleware/recovery does.
func recovery(next middleware.Handler) middleware.Handler {
	return func(ctx context.Context, req any) (reply any, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = kerrors.InternalServer("PANIC", fmt.Sprint(r))
			}
		}()
		return next(ctx, req)
	}
}

// recorder is middleware that records the operations it sees.
type recorder struct {
	ops chan string
}

func newRecorder() *recorder { return &recorder{ops: make(chan string, 100)} }

func (r *recorder) middleware(next middleware.Handler) middleware.Handler {
	return func(ctx context.Context, req any) (any, error) {
		tr, ok := transport.FromServerContext(ctx)
		if !ok {
			tr, ok = transport.FromClientContext(ctx)
		}
		switch {
		case !ok:
			r.ops <- "<no transport>"
		case strings.HasPrefix(tr.Operation(), "/grpc.health.v1.Health/"):
			// Client-side health checking; not what tests look at.
		default:
			r.ops <- tr.Operation()
		}
		return next(ctx, req)
	}
}

// next returns the next recorded operation.
func (r *recorder) next(t testing.TB) string {
	t.Helper()
	select {
	case op := <-r.ops:
		return op
	case <-time.After(5 * time.Second):
		t.Fatal("middleware did not run")
		return ""
	}
}

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
