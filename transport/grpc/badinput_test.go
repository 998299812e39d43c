package grpc

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

func TestOversizedMessages(t *testing.T) {
	_, addr := startServer(t, &greeter{}, Middleware(recovery), Options(grpc.MaxRecvMsgSize(1024)))
	client := pb.NewGreeterClient(dialTest(t, addr))
	ctx := testContext(t)
	tests := []struct {
		name    string
		padding int
		want    codes.Code
	}{
		{name: "fits", padding: 512, want: codes.OK},
		{name: "over the server limit", padding: 4096, want: codes.ResourceExhausted},
		{name: "over the default limit", padding: 5 << 20, want: codes.ResourceExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.SayHello(ctx, &pb.HelloRequest{Padding: make([]byte, tt.padding)})
			if got := status.Code(err); got != tt.want {
				t.Errorf("code = %v (%v), want %v", got, err, tt.want)
			}
		})
	}
	// The connection still works afterwards.
	if _, err := client.SayHello(ctx, &pb.HelloRequest{}); err != nil {
		t.Errorf("SayHello() after oversized messages error = %v", err)
	}
}

func TestUnknownMethods(t *testing.T) {
	_, addr := startServer(t, &greeter{}, Middleware(recovery))
	conn := dialTest(t, addr)
	for _, method := range []string{
		greeterPrefix + "Nope",
		"/no.such.Service/Method",
		"malformed",
	} {
		t.Run(method, func(t *testing.T) {
			err := conn.Invoke(testContext(t), method, &pb.HelloRequest{}, &pb.HelloReply{})
			if got := status.Code(err); got != codes.Unimplemented {
				t.Errorf("Invoke(%q) code = %v (%v), want Unimplemented", method, got, err)
			}
		})
	}
}

func TestInvalidMetadataFromClient(t *testing.T) {
	_, addr := startServer(t, &greeter{})
	client := pb.NewGreeterClient(dialTest(t, addr))
	tests := []struct {
		name string
		md   metadata.MD
	}{
		{name: "space in key", md: metadata.MD{"bad key": {"v"}}},
		{name: "control character in value", md: metadata.MD{"x-ok": {"a\x00b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := metadata.NewOutgoingContext(testContext(t), tt.md)
			_, err := client.SayHello(ctx, &pb.HelloRequest{})
			if got := status.Code(err); got != codes.Internal {
				t.Errorf("code = %v (%v), want Internal", got, err)
			}
		})
	}
}

// TestMalformedRequestsOnTheWire sends hand-made gRPC requests over
// HTTP/2 without TLS: the server must answer each with an error status and
// keep serving.
func TestMalformedRequestsOnTheWire(t *testing.T) {
	_, addr := startServer(t, &greeter{}, Middleware(recovery))
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &protocols}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	msg, _ := proto.Marshal(&pb.HelloRequest{Name: "wire"})
	frame := func(payload []byte) []byte {
		b := make([]byte, 5+len(payload))
		binary.BigEndian.PutUint32(b[1:5], uint32(len(payload)))
		copy(b[5:], payload)
		return b
	}
	tests := []struct {
		name   string
		path   string
		header map[string]string
		body   []byte
		want   codes.Code
	}{
		{name: "well formed", path: greeterPrefix + "SayHello", body: frame(msg), want: codes.OK},
		{name: "malformed timeout", path: greeterPrefix + "SayHello", header: map[string]string{"grpc-timeout": "soon"}, body: frame(msg), want: codes.Internal},
		{name: "malformed binary metadata", path: greeterPrefix + "SayHello", header: map[string]string{"x-data-bin": "!!not base64!!"}, body: frame(msg), want: codes.Internal},
		{name: "truncated frame", path: greeterPrefix + "SayHello", body: frame(msg)[:7], want: codes.Internal},
		{name: "garbage message", path: greeterPrefix + "SayHello", body: frame([]byte{0xff, 0xff, 0xff}), want: codes.InvalidArgument},
		{name: "unknown compression", path: greeterPrefix + "SayHello", body: append([]byte{1}, frame(msg)[1:]...), want: codes.Internal},
		{name: "no method", path: "/", body: frame(msg), want: codes.Unimplemented},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, "http://"+addr+tt.path, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/grpc")
			req.Header.Set("TE", "trailers")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("request error = %v", err)
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			st := resp.Trailer.Get("Grpc-Status")
			if st == "" {
				st = resp.Header.Get("Grpc-Status")
			}
			if want := strconv.Itoa(int(tt.want)); st != want {
				t.Errorf("grpc-status = %q (HTTP %d, message %q), want %s (%v)", st, resp.StatusCode,
					resp.Trailer.Get("Grpc-Message")+resp.Header.Get("Grpc-Message"), want, tt.want)
			}
		})
	}
}

func TestGarbageConnection(t *testing.T) {
	_, addr := startServer(t, &greeter{})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\nnot http/2 at all"))
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.ReadAll(conn)
	if ne := (net.Error)(nil); errors.As(err, &ne) && ne.Timeout() {
		t.Error("server kept a garbage connection open")
	}
	// And it still serves.
	if _, err := pb.NewGreeterClient(dialTest(t, addr)).SayHello(testContext(t), &pb.HelloRequest{}); err != nil {
		t.Errorf("SayHello() after a garbage connection error = %v", err)
	}
}

func TestCancelledAndExpiredCalls(t *testing.T) {
	entered := make(chan struct{}, 1)
	serverErr := make(chan error, 1)
	g := &greeter{hello: func(ctx context.Context, _ *pb.HelloRequest) (*pb.HelloReply, error) {
		entered <- struct{}{}
		<-ctx.Done()
		serverErr <- ctx.Err()
		return nil, ctx.Err()
	}}
	_, addr := startServer(t, g, Middleware(recovery))
	client := pb.NewGreeterClient(dialTest(t, addr, WithTimeout(0)))

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-entered
			cancel()
		}()
		_, err := client.SayHello(ctx, &pb.HelloRequest{})
		if got := status.Code(err); got != codes.Canceled {
			t.Errorf("code = %v, want Canceled", got)
		}
		if err := <-serverErr; !errors.Is(err, context.Canceled) {
			t.Errorf("handler ctx.Err() = %v, want Canceled", err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := client.SayHello(ctx, &pb.HelloRequest{})
		<-entered
		if got := status.Code(err); got != codes.DeadlineExceeded {
			t.Errorf("code = %v, want DeadlineExceeded", got)
		}
		// The client cancels the stream when its deadline passes, which
		// may reach the server before the server's own timer fires.
		if err := <-serverErr; !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			t.Errorf("handler ctx.Err() = %v, want DeadlineExceeded or Canceled", err)
		}
	})
	t.Run("already expired", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
		defer cancel()
		_, err := client.SayHello(ctx, &pb.HelloRequest{})
		if got := status.Code(err); got != codes.DeadlineExceeded {
			t.Errorf("code = %v, want DeadlineExceeded", got)
		}
	})
}

func TestServerGoesAwayDuringStream(t *testing.T) {
	entered := make(chan struct{})
	g := &greeter{stream: func(stream grpc.ServerStream) error {
		close(entered)
		<-stream.Context().Done()
		return stream.Context().Err()
	}}
	srv := NewServer(Address("127.0.0.1:0"))
	pb.RegisterGreeterServer(srv, g)
	addr := serve(t, srv)
	s, err := pb.NewGreeterClient(dialTest(t, addr)).SayHelloBidiStream(testContext(t))
	if err != nil {
		t.Fatalf("SayHelloBidiStream() error = %v", err)
	}
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // no grace: force
	_ = srv.Stop(ctx)
	if _, err := s.Recv(); status.Code(err) != codes.Unavailable {
		t.Errorf("Recv() error = %v, want Unavailable", err)
	}
}
