package streamtest

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/emptypb"
)

type echo struct {
	UnimplementedEchoServer
}

func (echo) Unary(_ context.Context, in *Msg) (*Msg, error) { return in, nil }

func (echo) ServerStream(in *Msg, stream Echo_ServerStreamServer) error {
	for i := int32(0); i < in.GetCount(); i++ {
		if err := stream.Send(&Msg{Text: in.GetText(), Count: i}); err != nil {
			return err
		}
	}
	return nil
}

func (echo) ClientStream(stream Echo_ClientStreamServer) error {
	var texts []string
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&Msg{Text: strings.Join(texts, " "), Count: int32(len(texts))})
		}
		if err != nil {
			return err
		}
		texts = append(texts, m.GetText())
	}
}

func (echo) Bidi(stream grpc.BidiStreamingServer[Msg, Msg]) error {
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(m); err != nil {
			return err
		}
	}
}

// dial serves echo over an in-memory listener and returns a client.
func dial(t *testing.T) EchoClient {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	RegisterEchoServer(srv, echo{})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		srv.Stop()
		if err := <-done; err != nil {
			t.Errorf("Serve() = %v", err)
		}
	})
	return NewEchoClient(conn)
}

func TestEveryKind(t *testing.T) {
	c := dial(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	got, err := c.Unary(ctx, &Msg{Text: "one"})
	if err != nil || got.GetText() != "one" {
		t.Fatalf("Unary() = %v, %v; want text one", got, err)
	}

	ss, err := c.ServerStream(ctx, &Msg{Text: "x", Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	var n int32
	for {
		m, err := ss.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.GetCount() != n {
			t.Errorf("ServerStream message %d has count %d", n, m.GetCount())
		}
		n++
	}
	if n != 3 {
		t.Errorf("ServerStream sent %d messages, want 3", n)
	}

	cs, err := c.ClientStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"a", "b", "c"} {
		if err := cs.Send(&Msg{Text: s}); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := cs.CloseAndRecv()
	if err != nil || sum.GetText() != "a b c" || sum.GetCount() != 3 {
		t.Errorf("ClientStream() = %v, %v; want \"a b c\", 3", sum, err)
	}

	bs, err := c.Bidi(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"p", "q"} {
		if err := bs.Send(&Msg{Text: s}); err != nil {
			t.Fatal(err)
		}
		m, err := bs.Recv()
		if err != nil || m.GetText() != s {
			t.Errorf("Bidi echo = %v, %v; want %q", m, err, s)
		}
	}
	if err := bs.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := bs.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("Bidi Recv after CloseSend = %v, want io.EOF", err)
	}

	_, err = c.Ping(ctx, &emptypb.Empty{})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("Ping() error = %v, want code Unimplemented", err)
	}
}

// An implementation embedding a nil *UnimplementedEchoServer is refused at
// registration, not on the first call.
func TestRegisterRejectsNilPointerEmbedding(t *testing.T) {
	type bad struct {
		*UnimplementedEchoServer
	}
	defer func() {
		if recover() == nil {
			t.Error("RegisterEchoServer did not panic for a nil embedded pointer")
		}
	}()
	RegisterEchoServer(grpc.NewServer(), bad{})
}
