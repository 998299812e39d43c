package grpc

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/seed6ad8aa6b/kratos/internal/matcher"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

// TestInterceptorsRunAfterTheFramework checks that grpc-go interceptors
// given as options run inside the framework's own: they see the Transport
// on the server and the outgoing metadata made from the client Transport.
func TestInterceptorsRunAfterTheFramework(t *testing.T) {
	seen := make(chan string, 10)
	unarySrv := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if _, ok := transport.FromServerContext(ctx); ok {
			seen <- "server unary " + info.FullMethod
		}
		if GetStream(ctx) != nil {
			seen <- "GetStream in a unary call"
		}
		return h(ctx, req)
	}
	streamSrv := func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if _, ok := transport.FromServerContext(ss.Context()); ok && info.FullMethod == greeterPrefix+"SayHelloBidiStream" {
			seen <- "server stream " + info.FullMethod
		}
		return h(srv, ss)
	}
	unaryCli := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		md, _ := metadata.FromOutgoingContext(ctx)
		seen <- "client unary " + md.Get("x-md-token")[0]
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	streamCli := func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		if method == greeterPrefix+"SayHelloBidiStream" {
			md, _ := metadata.FromOutgoingContext(ctx)
			seen <- "client stream " + md.Get("x-md-token")[0]
		}
		return streamer(ctx, desc, cc, method, opts...)
	}
	token := func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			if tr, ok := transport.FromClientContext(ctx); ok {
				tr.RequestHeader().Set("x-md-token", "tok")
			}
			return next(ctx, req)
		}
	}
	_, addr := startServer(t, &greeter{}, UnaryInterceptor(unarySrv), StreamInterceptor(streamSrv), Network("tcp"))
	client := pb.NewGreeterClient(dialTest(t, addr,
		WithMiddleware(token),
		WithUnaryInterceptor(unaryCli),
		WithStreamInterceptor(streamCli),
		WithPrintDiscoveryDebugLog(false),
		WithLogger(nil),
	))
	ctx := testContext(t)
	if _, err := client.SayHello(ctx, &pb.HelloRequest{}); err != nil {
		t.Fatalf("SayHello() error = %v", err)
	}
	s, err := client.SayHelloBidiStream(ctx)
	if err != nil {
		t.Fatalf("SayHelloBidiStream() error = %v", err)
	}
	_ = s.CloseSend()
	if _, err := s.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv() error = %v, want EOF", err)
	}
	want := []string{
		"client unary tok",
		"server unary " + greeterPrefix + "SayHello",
		"client stream tok",
		"server stream " + greeterPrefix + "SayHelloBidiStream",
	}
	var got []string
	for range want {
		got = append(got, <-seen)
	}
	if !slices.Equal(got, want) {
		t.Errorf("interceptors saw %q, want %q", got, want)
	}
	select {
	case extra := <-seen:
		t.Errorf("unexpected %q", extra)
	default:
	}
}

// TestNewWrappedStream runs the middleware of a matcher around the
// messages of a stream of one's own.
func TestNewWrappedStream(t *testing.T) {
	m := matcher.New()
	var msgs []any
	m.Add("/svc/Stream", func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			msgs = append(msgs, req)
			return next(ctx, req)
		}
	})
	inner := &fakeServerStream{ctx: context.Background()}
	ctx := transport.NewServerContext(context.Background(), &Transport{operation: "/svc/Stream"})
	ws := NewWrappedStream(ctx, inner, m)
	if ws.Context() != ctx {
		t.Error("Context() is not the given context")
	}
	if err := ws.SendMsg("out"); err != nil {
		t.Fatal(err)
	}
	if err := ws.RecvMsg("in"); err != nil {
		t.Fatal(err)
	}
	if want := []any{"out", "in"}; !slices.Equal(msgs, want) || !slices.Equal(inner.msgs, want) {
		t.Errorf("middleware saw %v and the stream %v, want %v", msgs, inner.msgs, want)
	}

	// Without a server Transport, or without a matcher, messages pass.
	for _, ws := range []grpc.ServerStream{
		NewWrappedStream(context.Background(), inner, m),
		NewWrappedStream(ctx, inner, nil),
	} {
		msgs = nil
		_ = ws.SendMsg("x")
		if len(msgs) != 0 {
			t.Errorf("middleware ran without a Transport or matcher")
		}
	}
	if GetStream(context.Background()) != nil {
		t.Error("GetStream(Background) != nil")
	}
}

type fakeServerStream struct {
	grpc.ServerStream
	ctx  context.Context
	msgs []any
}

func (f *fakeServerStream) Context() context.Context { return f.ctx }
func (f *fakeServerStream) SendMsg(m any) error      { f.msgs = append(f.msgs, m); return nil }
func (f *fakeServerStream) RecvMsg(m any) error      { f.msgs = append(f.msgs, m); return nil }

// foreignTransport is a client Transporter of another kind.
type foreignTransport struct{ h headerCarrier }

func (f foreignTransport) Kind() transport.Kind            { return "other" }
func (f foreignTransport) Endpoint() string                { return "" }
func (f foreignTransport) Operation() string               { return "" }
func (f foreignTransport) RequestHeader() transport.Header { return f.h }
func (f foreignTransport) ReplyHeader() transport.Header   { return f.h }

func TestOutgoingContext(t *testing.T) {
	tests := []struct {
		name string
		ctx  context.Context
		want metadata.MD
	}{
		{name: "no transport", ctx: context.Background()},
		{name: "empty header", ctx: transport.NewClientContext(context.Background(), &Transport{})},
		{
			name: "own transport",
			ctx:  transport.NewClientContext(context.Background(), &Transport{reqHeader: mdHeader{md: metadata.MD{"a": {"1", "2"}}}}),
			want: metadata.MD{"a": {"1", "2"}},
		},
		{
			name: "foreign transport",
			ctx:  transport.NewClientContext(context.Background(), foreignTransport{headerCarrier{"b": {"3"}}}),
			want: metadata.MD{"b": {"3"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, _ := metadata.FromOutgoingContext(outgoingContext(tt.ctx))
			if len(md) != len(tt.want) {
				t.Fatalf("outgoing metadata = %v, want %v", md, tt.want)
			}
			for k, v := range tt.want {
				if !slices.Equal(md[k], v) {
					t.Errorf("outgoing %q = %q, want %q", k, md[k], v)
				}
			}
		})
	}
}
