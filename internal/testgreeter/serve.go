package testgreeter

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/seed6ad8aa6b/kratos/transport"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	"github.com/seed6ad8aa6b/kratos/transport/http"
)

// stopTimeout bounds the graceful stop of a server at the end of a test.
const stopTimeout = 5 * time.Second

// ServeHTTP starts srv, a configured server that has not been started, and
// returns the host:port its clients reach it at (create srv with
// http.Address("127.0.0.1:0") to serve on a free local port). When the test
// ends, srv stops within 5s; an error from Start or Stop fails the test.
func ServeHTTP(t testing.TB, srv *http.Server) (host string) {
	t.Helper()
	return serve(t, srv)
}

// ServeGRPC is ServeHTTP for a gRPC server.
func ServeGRPC(t testing.TB, srv *kgrpc.Server) (host string) {
	t.Helper()
	return serve(t, srv)
}

// server is what ServeHTTP and ServeGRPC need of a Kratos server.
type server interface {
	transport.Server
	transport.Endpointer
}

func serve(t testing.TB, srv server) string {
	t.Helper()
	u, err := srv.Endpoint()
	if err != nil {
		t.Fatalf("Endpoint() error = %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("Stop() error = %v", err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Start() error = %v", err)
			}
		case <-ctx.Done():
			t.Errorf("Start() did not return within %v of Stop()", stopTimeout)
		}
	})
	return u.Host
}

// DialHTTP returns a client of the HTTP server at endpoint ("host:port" or
// a URL) with opts applied after http.WithEndpoint(endpoint). The client is
// closed when the test ends; a failure to create or close it fails the test.
func DialHTTP(t testing.TB, endpoint string, opts ...http.ClientOption) *http.Client {
	t.Helper()
	client, err := http.NewClient(context.Background(), append([]http.ClientOption{http.WithEndpoint(endpoint)}, opts...)...)
	if err != nil {
		t.Fatalf("http.NewClient(%q) error = %v", endpoint, err)
	}
	t.Cleanup(func() {
		if err := client.Close(); err != nil {
			t.Errorf("http client Close() error = %v", err)
		}
	})
	return client
}

// DialGRPC returns a plaintext connection to the gRPC server at endpoint
// ("host:port") with opts applied after grpc.WithEndpoint(endpoint). The
// connection is closed when the test ends, so the caller must not close it;
// a failure to dial or close fails the test.
func DialGRPC(t testing.TB, endpoint string, opts ...kgrpc.ClientOption) *grpc.ClientConn {
	t.Helper()
	conn, err := kgrpc.DialInsecure(context.Background(), append([]kgrpc.ClientOption{kgrpc.WithEndpoint(endpoint)}, opts...)...)
	if err != nil {
		t.Fatalf("grpc.DialInsecure(%q) error = %v", endpoint, err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Errorf("grpc conn Close() error = %v", err)
		}
	})
	return conn
}
