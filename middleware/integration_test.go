package middleware_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/seed6ad8aa6b/kratos/errors"
	pb "github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/metadata"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/logging"
	mdmw "github.com/seed6ad8aa6b/kratos/middleware/metadata"
	"github.com/seed6ad8aa6b/kratos/middleware/recovery"
	"github.com/seed6ad8aa6b/kratos/middleware/selector"
	"github.com/seed6ad8aa6b/kratos/middleware/validate"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/grpc"
	"github.com/seed6ad8aa6b/kratos/transport/http"
)

// greeter answers with the name and the propagated metadata; "panic"
// panics, in unary calls and streams alike.
type greeter struct {
	pb.UnimplementedGreeterServer
}

func (greeter) SayHello(ctx context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
	if in.GetName() == "panic" {
		panic("handler panicked")
	}
	md, _ := metadata.FromServerContext(ctx)
	return &pb.HelloReply{Message: "Hello " + in.GetName() + " md=" + md.Get("x-md-global-k") + "," + md.Get("x-md-local-k")}, nil
}

func (greeter) StreamHello(in *pb.HelloRequest, stream pb.Greeter_StreamHelloServer) error {
	if in.GetName() == "panic" {
		panic("stream panicked")
	}
	return stream.Send(&pb.HelloReply{Message: "Hello " + in.GetName()})
}

// trace records the order in which middleware ran, per transport kind.
type trace struct {
	mu     sync.Mutex
	events []string
}

func (tr *trace) mark(name string) middleware.Middleware {
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			kind := "?"
			if t, ok := transport.FromServerContext(ctx); ok {
				kind = t.Kind().String()
			}
			tr.mu.Lock()
			tr.events = append(tr.events, kind+":"+name)
			tr.mu.Unlock()
			return next(ctx, req)
		}
	}
}

func (tr *trace) take() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	e := tr.events
	tr.events = nil
	return e
}

// syncBuffer is a concurrency-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type clients struct {
	http pb.GreeterHTTPClient
	grpc pb.GreeterClient
}

// start serves the greeter over HTTP and gRPC with the server chain ms and
// returns clients using the client chain cms.
func start(t *testing.T, ms []middleware.Middleware, cms []middleware.Middleware) clients {
	t.Helper()
	hs := http.NewServer(http.Address("127.0.0.1:0"), http.Middleware(ms...))
	gs := grpc.NewServer(grpc.Address("127.0.0.1:0"), grpc.Middleware(ms...))
	pb.RegisterGreeterHTTPServer(hs, greeter{})
	pb.RegisterGreeterServer(gs, greeter{})
	hc := pb.DialHTTP(t, pb.ServeHTTP(t, hs), http.WithMiddleware(cms...))
	conn := pb.DialGRPC(t, pb.ServeGRPC(t, gs), grpc.WithMiddleware(cms...))
	return clients{http: pb.NewGreeterHTTPClient(hc), grpc: pb.NewGreeterClient(conn)}
}

// each runs fn once per transport.
func (c clients) each(t *testing.T, fn func(t *testing.T, call func(context.Context, *pb.HelloRequest) (*pb.HelloReply, error))) {
	t.Run("http", func(t *testing.T) {
		fn(t, func(ctx context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
			return c.http.SayHello(ctx, in)
		})
	})
	t.Run("grpc", func(t *testing.T) {
		fn(t, func(ctx context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
			return c.grpc.SayHello(ctx, in)
		})
	})
}

func TestDefaultChainOverBothTransports(t *testing.T) {
	logs := &syncBuffer{}
	tr := &trace{}
	ms := []middleware.Middleware{
		tr.mark("first"),
		recovery.Recovery(recovery.WithLogger(log.NewStdLogger(logs))),
		logging.Server(log.NewStdLogger(logs)),
		mdmw.Server(),
		validate.Validator(),
		selector.Server(tr.mark("selected")).Path(pb.OperationGreeterSayHello).Build(),
		tr.mark("last"),
	}
	c := start(t, ms, []middleware.Middleware{mdmw.Client()})
	ctx := context.Background()

	c.each(t, func(t *testing.T, call func(context.Context, *pb.HelloRequest) (*pb.HelloReply, error)) {
		// Metadata: global keys from the client context travel, and so do
		// local keys set as client metadata for one hop.
		mctx := metadata.AppendToClientContext(ctx, "x-md-global-k", "g", "x-md-local-k", "l")
		reply, err := call(mctx, &pb.HelloRequest{Name: "kratos"})
		if err != nil {
			t.Fatalf("SayHello = %v", err)
		}
		if got, want := reply.GetMessage(), "Hello kratos md=g,l"; got != want {
			t.Errorf("reply = %q, want %q", got, want)
		}
		events := tr.take()
		kind := events[0][:strings.Index(events[0], ":")]
		want := []string{kind + ":first", kind + ":selected", kind + ":last"}
		if strings.Join(events, " ") != strings.Join(want, " ") {
			t.Errorf("middleware order = %v, want %v", events, want)
		}

		// Validation stops the call before the handler: 400 VALIDATOR.
		_, err = call(ctx, &pb.HelloRequest{Name: "invalid"})
		if errors.Code(err) != 400 || errors.Reason(err) != "VALIDATOR" {
			t.Errorf("invalid name: err = %v, want 400 VALIDATOR", err)
		}
		tr.take()

		// A panic becomes 500 UNKNOWN and the server keeps serving.
		_, err = call(ctx, &pb.HelloRequest{Name: "panic"})
		if errors.Code(err) != 500 || errors.Reason(err) != "UNKNOWN" {
			t.Errorf("panic: err = %v, want 500 UNKNOWN", err)
		}
		if _, err := call(ctx, &pb.HelloRequest{Name: "again"}); err != nil {
			t.Errorf("call after panic = %v", err)
		}
		tr.take()
	})

	out := logs.String()
	for _, want := range []string{
		"component=http operation=" + pb.OperationGreeterSayHello,
		"component=grpc operation=" + pb.OperationGreeterSayHello,
		"code=400 reason=VALIDATOR",
		"panic recovered",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q:\n%s", want, out)
		}
	}
}

func TestRecoveryCoversStreams(t *testing.T) {
	c := start(t, []middleware.Middleware{recovery.Recovery(recovery.WithLogger(log.NewStdLogger(&syncBuffer{})))}, nil)
	ctx := context.Background()
	stream, err := c.grpc.StreamHello(ctx, &pb.HelloRequest{Name: "panic"})
	if err == nil {
		_, err = stream.Recv()
	}
	if errors.Code(err) != 500 || errors.Reason(err) != "UNKNOWN" {
		t.Errorf("stream panic: err = %v, want 500 UNKNOWN", err)
	}
	stream, err = c.grpc.StreamHello(ctx, &pb.HelloRequest{Name: "ok"})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := stream.Recv(); err != nil || r.GetMessage() != "Hello ok" {
		t.Errorf("stream after panic = %v, %v", r, err)
	}
}
