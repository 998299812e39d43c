package conformance

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"

	v1 "github.com/seed6ad8aa6b/kratos/conformance/internal/gen/greeterv1"
	"github.com/seed6ad8aa6b/kratos/conformance/internal/greeter"
)

// startGreeter starts a kratos HTTP server with the Greeter registered and
// h2c on; it returns its base URL.
func startGreeter(t testing.TB) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := khttp.NewServer(khttp.Listener(lis), khttp.WithH2C(true))
	v1.RegisterGreeterServer(srv, greeter.Server{})
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
	return "http://" + lis.Addr().String()
}

// h2cClient speaks HTTP/2 with prior knowledge (h2c).
func h2cClient(t testing.TB) *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// fromConnect turns the error of a connect-go call into a kratos error,
// through the gRPC status it stands for, with its details.
func fromConnect(err error) *kerrors.Error {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return kerrors.FromError(err)
	}
	st := status.New(codes.Code(ce.Code()), ce.Message())
	for _, d := range ce.Details() {
		v, derr := d.Value()
		if info, ok := v.(*errdetails.ErrorInfo); ok && derr == nil {
			if ds, werr := st.WithDetails(info); werr == nil {
				st = ds
			}
		}
	}
	return kerrors.FromError(st.Err())
}

func TestConnectClients(t *testing.T) {
	base := startGreeter(t)
	h1 := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(h1.CloseIdleConnections)
	h2c := h2cClient(t)
	protocols := []struct {
		name string
		hc   *http.Client
		opts []connect.ClientOption
	}{
		{"connect json http1", h1, []connect.ClientOption{connect.WithProtoJSON()}},
		{"connect proto gzip http1", h1, []connect.ClientOption{connect.WithSendGzip()}},
		{"connect proto h2c", h2c, nil},
		{"grpc h2c", h2c, []connect.ClientOption{connect.WithGRPC()}},
		{"grpc gzip h2c", h2c, []connect.ClientOption{connect.WithGRPC(), connect.WithSendGzip()}},
		{"grpc-web http1", h1, []connect.ClientOption{connect.WithGRPCWeb()}},
		{"grpc-web json h2c", h2c, []connect.ClientOption{connect.WithGRPCWeb(), connect.WithProtoJSON()}},
	}
	for _, p := range protocols {
		hc := p.hc
		t.Run(p.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			sayHello := connect.NewClient[v1.HelloRequest, v1.HelloReply](hc, base+v1.Greeter_SayHello_FullMethodName, p.opts...)

			res, err := sayHello.CallUnary(ctx, connect.NewRequest(&v1.HelloRequest{Name: "kratos"}))
			if err != nil {
				t.Fatalf("SayHello() error = %v", err)
			}
			if got := res.Msg.GetMessage(); got != "Hello kratos" {
				t.Errorf("SayHello() = %q, want %q", got, "Hello kratos")
			}

			_, err = sayHello.CallUnary(ctx, connect.NewRequest(&v1.HelloRequest{Name: "missing"}))
			if got := connect.CodeOf(err); got != connect.CodeNotFound {
				t.Fatalf("SayHello(missing) code = %v, want not_found (error %v)", got, err)
			}
			e := fromConnect(err)
			if !kerrors.IsNotFound(e) || e.Reason != "USER_NOT_FOUND" || e.Metadata["user"] != "missing" || e.Message != "no such user" {
				t.Errorf("SayHello(missing) = %v, want %v", e, greeter.ErrNotFound)
			}
			if !errors.Is(e, greeter.ErrNotFound) {
				t.Errorf("errors.Is(%v, ErrNotFound) = false, want true", e)
			}

			stream := connect.NewClient[v1.HelloRequest, v1.HelloReply](hc, base+v1.Greeter_StreamHello_FullMethodName, p.opts...)
			ss, err := stream.CallServerStream(ctx, connect.NewRequest(&v1.HelloRequest{Name: "stream"}))
			if err != nil {
				t.Fatalf("StreamHello() error = %v", err)
			}
			n := 0
			for ss.Receive() {
				if got := ss.Msg().GetMessage(); got != "Hello stream" {
					t.Errorf("StreamHello() message = %q, want %q", got, "Hello stream")
				}
				n++
			}
			if err := ss.Err(); err != nil || n != 3 {
				t.Errorf("StreamHello() = %d messages, error %v; want 3, nil", n, err)
			}
			if err := ss.Close(); err != nil {
				t.Errorf("Close() error = %v", err)
			}

			ss, err = stream.CallServerStream(ctx, connect.NewRequest(&v1.HelloRequest{Name: "missing"}))
			if err != nil {
				t.Fatalf("StreamHello(missing) error = %v", err)
			}
			for ss.Receive() {
				t.Errorf("StreamHello(missing) message = %v, want none", ss.Msg())
			}
			if e := fromConnect(ss.Err()); !kerrors.IsNotFound(e) || e.Reason != "USER_NOT_FOUND" || e.Metadata["user"] != "missing" {
				t.Errorf("StreamHello(missing) error = %v, want %v", e, greeter.ErrNotFound)
			}
			_ = ss.Close()
		})
	}
}

// TestConnectClientsBidi runs the bidirectional stream over HTTP/2, which
// connect-go needs for it, with Connect and gRPC.
func TestConnectClientsBidi(t *testing.T) {
	base := startGreeter(t)
	hc := h2cClient(t)
	for _, opts := range [][]connect.ClientOption{nil, {connect.WithGRPC()}} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		hellos := connect.NewClient[v1.HelloRequest, v1.HelloReply](hc, base+v1.Greeter_Hellos_FullMethodName, opts...)
		bs := hellos.CallBidiStream(ctx)
		for _, name := range []string{"a", "b"} {
			if err := bs.Send(&v1.HelloRequest{Name: name}); err != nil {
				t.Fatalf("Send() error = %v", err)
			}
			r, err := bs.Receive()
			if err != nil || r.GetMessage() != "Hello "+name {
				t.Fatalf("Receive() = %v, %v, want Hello %s", r, err, name)
			}
		}
		if err := bs.Send(&v1.HelloRequest{Name: "missing"}); err != nil {
			t.Fatalf("Send() error = %v", err)
		}
		_, err := bs.Receive()
		if e := fromConnect(err); !kerrors.IsNotFound(e) || e.Reason != "USER_NOT_FOUND" {
			t.Errorf("Receive() error = %v, want %v", e, greeter.ErrNotFound)
		}
		_ = bs.CloseRequest()
		_ = bs.CloseResponse()
		cancel()
	}
}
