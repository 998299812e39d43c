package grpc

import (
	"context"
	"testing"

	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

// TestNewClient checks Kratos v3's NewClient: plaintext without a TLS
// config, TLS with one, and a done context refused.
func TestNewClient(t *testing.T) {
	cfg := selfSignedTLS(t)
	_, plainAddr := startServer(t, &greeter{})
	_, tlsAddr := startServer(t, &greeter{}, TLSConfig(cfg.server))
	for _, c := range []struct {
		name string
		opts []ClientOption
	}{
		{"plaintext", []ClientOption{WithEndpoint(plainAddr)}},
		{"tls", []ClientOption{WithEndpoint(tlsAddr), WithTLSConfig(cfg.client)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := testContext(t)
			conn, err := NewClient(ctx, c.opts...)
			if err != nil {
				t.Fatalf("NewClient() error = %v", err)
			}
			defer conn.Close()
			reply, err := pb.NewGreeterClient(conn).SayHello(ctx, &pb.HelloRequest{Name: c.name})
			if err != nil {
				t.Fatalf("SayHello() error = %v", err)
			}
			if got, want := reply.GetMessage(), "hello "+c.name; got != want {
				t.Errorf("SayHello() = %q, want %q", got, want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if conn, err := NewClient(ctx, WithEndpoint(plainAddr)); err == nil {
		conn.Close()
		t.Error("NewClient() with a done context succeeded, want its error")
	}
}
