package grpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"

	apimd "github.com/seed6ad8aa6b/kratos/api/metadata"
	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

const greeterPrefix = "/kratos.test.helloworld.Greeter/"

func TestUnaryThroughMiddleware(t *testing.T) {
	rec := newRecorder()
	var got struct {
		kind      transport.Kind
		endpoint  string
		operation string
		header    string
	}
	inspect := func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			tr, ok := transport.FromServerContext(ctx)
			if !ok {
				return nil, errors.New("no server transport")
			}
			got.kind, got.endpoint, got.operation = tr.Kind(), tr.Endpoint(), tr.Operation()
			got.header = tr.RequestHeader().Get("x-md-user")
			tr.ReplyHeader().Set("x-reply", "r1")
			return next(ctx, req)
		}
	}
	srv, addr := startServer(t, &greeter{}, Middleware(rec.middleware, inspect))
	conn := dialTest(t, addr)

	ctx := metadata.AppendToOutgoingContext(testContext(t), "x-md-user", "alice")
	var header metadata.MD
	reply, err := pb.NewGreeterClient(conn).SayHello(ctx, &pb.HelloRequest{Name: "kratos"}, grpc.Header(&header))
	if err != nil {
		t.Fatalf("SayHello() error = %v", err)
	}
	if got, want := reply.GetMessage(), "hello kratos"; got != want {
		t.Errorf("SayHello() = %q, want %q", got, want)
	}
	if op, want := rec.next(t), greeterPrefix+"SayHello"; op != want {
		t.Errorf("middleware saw operation %q, want %q", op, want)
	}
	u, _ := srv.Endpoint()
	if got.kind != transport.KindGRPC || got.endpoint != u.String() || got.operation != greeterPrefix+"SayHello" {
		t.Errorf("Transport = (%q, %q, %q), want (%q, %q, %q)", got.kind, got.endpoint, got.operation,
			transport.KindGRPC, u.String(), greeterPrefix+"SayHello")
	}
	if got.header != "alice" {
		t.Errorf("RequestHeader().Get(x-md-user) = %q, want %q", got.header, "alice")
	}
	if got := header.Get("x-reply"); !slices.Equal(got, []string{"r1"}) {
		t.Errorf("reply header x-reply = %q, want [r1]", got)
	}
}

func TestStreamsThroughMiddleware(t *testing.T) {
	rec := newRecorder()
	perMessage := make(chan any, 100)
	streamMW := func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			tr, ok := transport.FromServerContext(ctx)
			if !ok {
				return nil, errors.New("no server transport in stream middleware")
			}
			reply, err := next(ctx, req)
			if err == nil && strings.HasPrefix(tr.Operation(), greeterPrefix) {
				perMessage <- req
			}
			return reply, err
		}
	}
	g := &greeter{stream: func(stream grpc.ServerStream) error {
		tr, ok := transport.FromServerContext(stream.Context())
		if !ok {
			return errors.New("no server transport in stream context")
		}
		tr.ReplyHeader().Set("x-stream", "yes")
		if GetStream(stream.Context()) == nil {
			return errors.New("GetStream() = nil")
		}
		return nil
	}}
	_, addr := startServer(t, g, Middleware(rec.middleware), StreamMiddleware(streamMW))
	client := pb.NewGreeterClient(dialTest(t, addr))

	tests := []struct {
		name     string
		method   string
		run      func(ctx context.Context) (header metadata.MD, replies []string, err error)
		messages int // messages seen by the stream middleware
		want     []string
	}{
		{
			name:   "server stream",
			method: "SayHelloServerStream",
			run: func(ctx context.Context) (metadata.MD, []string, error) {
				s, err := client.SayHelloServerStream(ctx, &pb.HelloRequest{Name: "a", Count: 3})
				if err != nil {
					return nil, nil, err
				}
				var out []string
				for {
					r, err := s.Recv()
					if errors.Is(err, io.EOF) {
						h, _ := s.Header()
						return h, out, nil
					}
					if err != nil {
						return nil, out, err
					}
					out = append(out, r.GetMessage())
				}
			},
			messages: 4, // one request, three replies
			want:     []string{"hello a 0", "hello a 1", "hello a 2"},
		},
		{
			name:   "client stream",
			method: "SayHelloClientStream",
			run: func(ctx context.Context) (metadata.MD, []string, error) {
				s, err := client.SayHelloClientStream(ctx)
				if err != nil {
					return nil, nil, err
				}
				for _, n := range []string{"a", "b"} {
					if err := s.Send(&pb.HelloRequest{Name: n}); err != nil {
						return nil, nil, err
					}
				}
				r, err := s.CloseAndRecv()
				if err != nil {
					return nil, nil, err
				}
				h, _ := s.Header()
				return h, []string{r.GetMessage()}, nil
			},
			messages: 3, // two requests, one reply (the final EOF receive fails)
			want:     []string{"hello a,b"},
		},
		{
			name:   "bidi stream",
			method: "SayHelloBidiStream",
			run: func(ctx context.Context) (metadata.MD, []string, error) {
				s, err := client.SayHelloBidiStream(ctx)
				if err != nil {
					return nil, nil, err
				}
				var out []string
				for _, n := range []string{"x", "y"} {
					if err := s.Send(&pb.HelloRequest{Name: n}); err != nil {
						return nil, nil, err
					}
					r, err := s.Recv()
					if err != nil {
						return nil, nil, err
					}
					out = append(out, r.GetMessage())
				}
				if err := s.CloseSend(); err != nil {
					return nil, nil, err
				}
				if _, err := s.Recv(); !errors.Is(err, io.EOF) {
					return nil, nil, fmt.Errorf("final Recv() error = %v, want EOF", err)
				}
				h, _ := s.Header()
				return h, out, nil
			},
			messages: 4,
			want:     []string{"hello x", "hello y"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header, got, err := tt.run(testContext(t))
			if err != nil {
				t.Fatalf("stream error = %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("replies = %q, want %q", got, tt.want)
			}
			if op := rec.next(t); op != greeterPrefix+tt.method {
				t.Errorf("middleware saw %q, want %q", op, greeterPrefix+tt.method)
			}
			if h := header.Get("x-stream"); !slices.Equal(h, []string{"yes"}) {
				t.Errorf("reply header x-stream = %q, want [yes]", h)
			}
			for i := range tt.messages {
				select {
				case <-perMessage:
				case <-time.After(5 * time.Second):
					t.Fatalf("stream middleware saw %d messages, want %d", i, tt.messages)
				}
			}
			select {
			case m := <-perMessage:
				t.Errorf("stream middleware saw an extra message %v", m)
			default:
			}
		})
	}
}

func TestPanicsBecomeErrors(t *testing.T) {
	g := &greeter{
		hello:  func(context.Context, *pb.HelloRequest) (*pb.HelloReply, error) { panic("unary boom") },
		stream: func(grpc.ServerStream) error { panic("stream boom") },
	}
	_, addr := startServer(t, g, Middleware(recovery))
	client := pb.NewGreeterClient(dialTest(t, addr))
	ctx := testContext(t)

	_, err := client.SayHello(ctx, &pb.HelloRequest{})
	if got := kerrors.FromError(err); got.Code != 500 || got.Reason != "PANIC" || got.Message != "unary boom" {
		t.Errorf("SayHello() error = %v, want 500 PANIC unary boom", err)
	}
	s, err := client.SayHelloBidiStream(ctx)
	if err != nil {
		t.Fatalf("SayHelloBidiStream() error = %v", err)
	}
	_, err = s.Recv()
	if got := kerrors.FromError(err); got.Code != 500 || got.Reason != "PANIC" || got.Message != "stream boom" {
		t.Errorf("stream Recv() error = %v, want 500 PANIC stream boom", err)
	}
	if status.Code(err) != codes.Internal {
		t.Errorf("stream status code = %v, want %v", status.Code(err), codes.Internal)
	}
}

func TestErrorRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode codes.Code
		want     *kerrors.Error
	}{
		{
			name:     "not found with metadata",
			err:      kerrors.NotFound("USER_NOT_FOUND", "no user 7").WithMetadata(map[string]string{"id": "7"}),
			wantCode: codes.NotFound,
			want:     kerrors.NotFound("USER_NOT_FOUND", "no user 7").WithMetadata(map[string]string{"id": "7"}),
		},
		{
			name:     "bad request",
			err:      kerrors.BadRequest("INVALID", "name is empty"),
			wantCode: codes.InvalidArgument,
			want:     kerrors.BadRequest("INVALID", "name is empty"),
		},
		{
			name:     "wrapped",
			err:      fmt.Errorf("lookup: %w", kerrors.Forbidden("DENIED", "no")),
			wantCode: codes.PermissionDenied,
			want:     kerrors.Forbidden("DENIED", "lookup: error: code = 403 reason = DENIED message = no metadata = map[] cause = <nil>"),
		},
		{
			name:     "grpc status",
			err:      status.Error(codes.Unavailable, "later"),
			wantCode: codes.Unavailable,
			want:     kerrors.ServiceUnavailable("", "later"),
		},
		{
			name:     "plain error",
			err:      errors.New("oops"),
			wantCode: codes.Unknown,
			want:     kerrors.InternalServer("", "oops"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &greeter{hello: func(context.Context, *pb.HelloRequest) (*pb.HelloReply, error) { return nil, tt.err }}
			_, addr := startServer(t, g)
			_, err := pb.NewGreeterClient(dialTest(t, addr)).SayHello(testContext(t), &pb.HelloRequest{})
			if got := status.Code(err); got != tt.wantCode {
				t.Errorf("status code = %v, want %v", got, tt.wantCode)
			}
			got := kerrors.FromError(err)
			if got.Code != tt.want.Code || got.Reason != tt.want.Reason || got.Message != tt.want.Message ||
				fmt.Sprint(got.Metadata) != fmt.Sprint(tt.want.Metadata) {
				t.Errorf("FromError() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUseSelectsOperations(t *testing.T) {
	all, hello, streams := newRecorder(), newRecorder(), newRecorder()
	srv := NewServer(Address("127.0.0.1:0"), Middleware(all.middleware))
	srv.Use(greeterPrefix+"SayHello", hello.middleware)
	srv.Use(greeterPrefix+"SayHelloB*", streams.middleware)
	pb.RegisterGreeterServer(srv, &greeter{})
	addr := serve(t, srv)
	client := pb.NewGreeterClient(dialTest(t, addr))
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
	for _, want := range []string{"SayHello", "SayHelloBidiStream"} {
		if got := all.next(t); got != greeterPrefix+want {
			t.Errorf("global middleware saw %q, want %q", got, greeterPrefix+want)
		}
	}
	if got := hello.next(t); got != greeterPrefix+"SayHello" {
		t.Errorf("SayHello middleware saw %q", got)
	}
	if got := streams.next(t); got != greeterPrefix+"SayHelloBidiStream" {
		t.Errorf("prefix middleware saw %q", got)
	}
	if len(hello.ops) != 0 || len(streams.ops) != 0 {
		t.Errorf("selected middleware ran for other operations: %d, %d extra", len(hello.ops), len(streams.ops))
	}

	// Use after serving invalidates the cached chains.
	late := newRecorder()
	srv.Use(greeterPrefix+"SayHello", late.middleware)
	if _, err := client.SayHello(ctx, &pb.HelloRequest{}); err != nil {
		t.Fatalf("SayHello() error = %v", err)
	}
	if got := late.next(t); got != greeterPrefix+"SayHello" {
		t.Errorf("late middleware saw %q", got)
	}
}

// serve starts srv, which listens already or will on Endpoint, and stops
// it when the test ends. It returns the address.
func serve(t testing.TB, srv *Server) string {
	t.Helper()
	u, err := srv.Endpoint()
	if err != nil {
		t.Fatalf("Endpoint() error = %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
		if err := <-done; err != nil {
			t.Errorf("Start() error = %v", err)
		}
	})
	return u.Host
}

func TestServerTimeout(t *testing.T) {
	deadline := make(chan time.Duration, 1)
	g := &greeter{hello: func(ctx context.Context, _ *pb.HelloRequest) (*pb.HelloReply, error) {
		d, _ := ctx.Deadline()
		deadline <- time.Until(d)
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	_, addr := startServer(t, g, Timeout(50*time.Millisecond))
	client := pb.NewGreeterClient(dialTest(t, addr, WithTimeout(0)))
	_, err := client.SayHello(testContext(t), &pb.HelloRequest{})
	if got := status.Code(err); got != codes.DeadlineExceeded {
		t.Errorf("status code = %v, want %v", got, codes.DeadlineExceeded)
	}
	if d := <-deadline; d <= 0 || d > 50*time.Millisecond {
		t.Errorf("handler deadline in %v, want within 50ms", d)
	}
}

func TestBaseContextValues(t *testing.T) {
	type key struct{}
	got := make(chan any, 1)
	g := &greeter{hello: func(ctx context.Context, _ *pb.HelloRequest) (*pb.HelloReply, error) {
		got <- ctx.Value(key{})
		return &pb.HelloReply{}, nil
	}}
	for _, cancellable := range []bool{false, true} {
		t.Run(fmt.Sprintf("cancellable=%v", cancellable), func(t *testing.T) {
			srv := NewServer(Address("127.0.0.1:0"))
			pb.RegisterGreeterServer(srv, g)
			u, err := srv.Endpoint()
			if err != nil {
				t.Fatal(err)
			}
			base := context.WithValue(context.Background(), key{}, "app")
			if cancellable {
				var cancel context.CancelFunc
				base, cancel = context.WithCancel(base)
				defer cancel()
			}
			done := make(chan error, 1)
			go func() { done <- srv.Start(base) }()
			defer func() {
				_ = srv.Stop(context.Background())
				<-done
			}()
			if _, err := pb.NewGreeterClient(dialTest(t, u.Host)).SayHello(testContext(t), &pb.HelloRequest{}); err != nil {
				t.Fatalf("SayHello() error = %v", err)
			}
			if v := <-got; v != "app" {
				t.Errorf("handler ctx.Value = %v, want %q", v, "app")
			}
		})
	}
}

func TestHealthLifecycle(t *testing.T) {
	srv := NewServer(Address("127.0.0.1:0"))
	u, err := srv.Endpoint()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	client := healthpb.NewHealthClient(dialTest(t, u.Host, WithHealthCheck(false)))
	ctx := testContext(t)

	resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
	if err != nil {
		t.Fatalf("Check() error = %v", err)
	}
	if got := resp.GetStatus(); got != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("status after Start = %v, want SERVING", got)
	}
	watch, err := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatalf("Watch() error = %v", err)
	}
	if r, err := watch.Recv(); err != nil || r.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("first Watch status = %v, %v; want SERVING", r.GetStatus(), err)
	}

	stopped := make(chan time.Duration, 1)
	go func() {
		start := time.Now()
		_ = srv.Stop(context.Background()) // graceful, no deadline
		stopped <- time.Since(start)
	}()
	if r, err := watch.Recv(); err != nil || r.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("Watch status after Stop = %v, %v; want NOT_SERVING", r.GetStatus(), err)
	}
	if _, err := watch.Recv(); err == nil {
		t.Error("Watch stream did not end after NOT_SERVING")
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("graceful Stop was held up by the health watch")
	}
	if err := <-done; err != nil {
		t.Errorf("Start() error = %v", err)
	}
}

func TestCustomHealthAndReflectionOff(t *testing.T) {
	_, addr := startServer(t, &greeter{}, CustomHealth(), DisableReflection())
	conn := dialTest(t, addr, WithHealthCheck(false))
	ctx := testContext(t)
	_, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if got := status.Code(err); got != codes.Unimplemented {
		t.Errorf("health Check() code = %v, want Unimplemented", got)
	}
	s, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err == nil {
		_ = s.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
		_, err = s.Recv()
	}
	if got := status.Code(err); got != codes.Unimplemented {
		t.Errorf("reflection code = %v, want Unimplemented", got)
	}
}

func TestReflectionListsServices(t *testing.T) {
	_, addr := startServer(t, &greeter{})
	s, err := reflectionpb.NewServerReflectionClient(dialTest(t, addr)).ServerReflectionInfo(testContext(t))
	if err != nil {
		t.Fatalf("ServerReflectionInfo() error = %v", err)
	}
	if err := s.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{},
	}); err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	resp, err := s.Recv()
	if err != nil {
		t.Fatalf("Recv() error = %v", err)
	}
	var got []string
	for _, svc := range resp.GetListServicesResponse().GetService() {
		got = append(got, svc.GetName())
	}
	slices.Sort(got)
	want := []string{
		"grpc.health.v1.Health",
		"grpc.reflection.v1.ServerReflection",
		"grpc.reflection.v1alpha.ServerReflection",
		"kratos.api.Metadata",
		"kratos.test.helloworld.Greeter",
	}
	if !slices.Equal(got, want) {
		t.Errorf("services = %q, want %q", got, want)
	}
	_ = s.CloseSend()
}

func TestMetadataService(t *testing.T) {
	_, addr := startServer(t, &greeter{})
	client := apimd.NewMetadataClient(dialTest(t, addr))
	ctx := testContext(t)

	list, err := client.ListServices(ctx, &apimd.ListServicesRequest{})
	if err != nil {
		t.Fatalf("ListServices() error = %v", err)
	}
	if !slices.Contains(list.GetServices(), "kratos.test.helloworld.Greeter") ||
		!slices.Contains(list.GetMethods(), greeterPrefix+"SayHelloBidiStream") ||
		!slices.Contains(list.GetMethods(), "/kratos.api.Metadata/GetServiceDesc") {
		t.Errorf("ListServices() = %v, want the greeter and metadata services", list)
	}

	desc, err := client.GetServiceDesc(ctx, &apimd.GetServiceDescRequest{Name: "kratos.api.Metadata"})
	if err != nil {
		t.Fatalf("GetServiceDesc() error = %v", err)
	}
	files, err := protodesc.NewFiles(desc.GetFileDescSet())
	if err != nil {
		t.Fatalf("descriptor set does not resolve: %v", err)
	}
	for _, path := range []string{"metadata/metadata.proto", "google/api/annotations.proto", "google/api/http.proto", "google/protobuf/descriptor.proto"} {
		if _, err := files.FindFileByPath(path); err != nil {
			t.Errorf("descriptor set lacks %s", path)
		}
	}
	// The HTTP annotation survives.
	fd, _ := files.FindFileByPath("metadata/metadata.proto")
	if m := fd.Services().Get(0).Methods().ByName("ListServices"); m == nil ||
		!strings.Contains(m.Options().(*descriptorpb.MethodOptions).String(), "/services") {
		t.Errorf("ListServices options lack the google.api.http rule")
	}

	_, err = client.GetServiceDesc(ctx, &apimd.GetServiceDescRequest{Name: "no.such.Service"})
	if got := status.Code(err); got != codes.NotFound {
		t.Errorf("GetServiceDesc(unknown) code = %v, want NotFound", got)
	}
}

func TestEndpoint(t *testing.T) {
	bufLis := bufconn.Listen(1024)
	defer bufLis.Close()
	tests := []struct {
		name    string
		opts    []ServerOption
		want    string // with "PORT" for the listener's port
		wantErr bool
	}{
		{name: "loopback", opts: []ServerOption{Address("127.0.0.1:0")}, want: "grpc://127.0.0.1:PORT"},
		{name: "tls", opts: []ServerOption{Address("127.0.0.1:0"), TLSConfig(selfSignedTLS(t).server)}, want: "grpcs://127.0.0.1:PORT"},
		{name: "explicit", opts: []ServerOption{Address("127.0.0.1:0"), Endpoint(&url.URL{Scheme: "grpc", Host: "example.com:9000"})}, want: "grpc://example.com:9000"},
		{name: "bufconn needs an endpoint", opts: []ServerOption{Listener(bufLis)}, wantErr: true},
		{name: "bad address", opts: []ServerOption{Address("127.0.0.1:notaport")}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(tt.opts...)
			u, err := srv.Endpoint()
			defer srv.Stop(context.Background())
			if tt.wantErr {
				if err == nil {
					t.Errorf("Endpoint() = %v, want an error", u)
				}
				return
			}
			if err != nil {
				t.Fatalf("Endpoint() error = %v", err)
			}
			_, port, _ := net.SplitHostPort(srv.lis.Addr().String())
			if got, want := u.String(), strings.ReplaceAll(tt.want, "PORT", port); got != want {
				t.Errorf("Endpoint() = %q, want %q", got, want)
			}
			again, _ := srv.Endpoint()
			if again != u {
				t.Errorf("second Endpoint() = %v, want the same URL", again)
			}
		})
	}
}

func TestStopBeforeStart(t *testing.T) {
	srv := NewServer(Address("127.0.0.1:0"))
	u, err := srv.Endpoint()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(context.Background()); err != nil {
		t.Fatalf("Stop() error = %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Errorf("Start() after Stop error = %v, want nil", err)
	}
	// The listener opened by Endpoint is closed.
	if c, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		c.Close()
		t.Errorf("listener %s still accepts connections", u.Host)
	}
}

func TestStopForcedWhenContextExpires(t *testing.T) {
	entered := make(chan struct{})
	cancelled := make(chan struct{})
	g := &greeter{hello: func(ctx context.Context, _ *pb.HelloRequest) (*pb.HelloReply, error) {
		close(entered)
		<-ctx.Done()
		close(cancelled)
		return nil, ctx.Err()
	}}
	srv := NewServer(Address("127.0.0.1:0"), Timeout(0))
	pb.RegisterGreeterServer(srv, g)
	addr := serve(t, srv)
	client := pb.NewGreeterClient(dialTest(t, addr, WithTimeout(0)))
	callErr := make(chan error, 1)
	go func() {
		_, err := client.SayHello(context.Background(), &pb.HelloRequest{})
		callErr <- err
	}()
	<-entered

	start := time.Now() // before the deadline is set, so Stop cannot seem quicker
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := srv.Stop(ctx); err != nil {
		t.Errorf("Stop() error = %v", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 5*time.Second {
		t.Errorf("Stop() took %v, want about 100ms", d)
	}
	<-cancelled
	// The server went away mid-call.
	if got := status.Code(<-callErr); got != codes.Unavailable {
		t.Errorf("in-flight call code = %v, want Unavailable", got)
	}
}
