package main

import (
	"context"
	"io"
	nethttp "net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos"
	v1 "github.com/seed6ad8aa6b/kratos/examples/helloworld/api/helloworld/v1"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/transport/grpc"
	"github.com/seed6ad8aa6b/kratos/transport/http"
)

// startApp runs the example App on free loopback ports and returns its
// HTTP and gRPC host:port.
func startApp(t *testing.T) (httpHost, grpcHost string) {
	t.Helper()
	started := make(chan []string, 1)
	app := newApp(log.NewStdLogger(io.Discard), "127.0.0.1:0", "127.0.0.1:0",
		kratos.Signal(),
		kratos.AfterStart(func(ctx context.Context) error {
			info, _ := kratos.FromContext(ctx)
			started <- info.Endpoint()
			return nil
		}))
	done := make(chan error, 1)
	go func() { done <- app.Run() }()
	t.Cleanup(func() {
		if err := app.Stop(); err != nil {
			t.Errorf("Stop() = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Run() = %v", err)
		}
	})
	var endpoints []string
	select {
	case endpoints = <-started:
	case err := <-done:
		t.Fatalf("Run() = %v before start", err)
	case <-time.After(10 * time.Second):
		t.Fatal("app did not start")
	}
	for _, e := range endpoints {
		u, err := url.Parse(e)
		if err != nil {
			t.Fatal(err)
		}
		switch u.Scheme {
		case "http":
			httpHost = u.Host
		case "grpc":
			grpcHost = u.Host
		}
	}
	if httpHost == "" || grpcHost == "" {
		t.Fatalf("endpoints = %v, want http and grpc", endpoints)
	}
	return httpHost, grpcHost
}

func TestGreeterOverHTTPAndGRPC(t *testing.T) {
	httpHost, grpcHost := startApp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	hc, err := http.NewClient(ctx, http.WithEndpoint(httpHost))
	if err != nil {
		t.Fatal(err)
	}
	defer hc.Close()
	conn, err := grpc.DialInsecure(ctx, grpc.WithEndpoint(grpcHost))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	httpClient := v1.NewGreeterHTTPClient(hc)
	grpcClient := v1.NewGreeterClient(conn)
	tests := []struct {
		name      string
		call      func(*v1.HelloRequest) (*v1.HelloReply, error)
		in        string
		want      string
		wantError bool
	}{
		{"http", func(r *v1.HelloRequest) (*v1.HelloReply, error) { return httpClient.SayHello(ctx, r) }, "kratos", "Hello kratos", false},
		{"http escaped", func(r *v1.HelloRequest) (*v1.HelloReply, error) { return httpClient.SayHello(ctx, r) }, "a b/c", "Hello a b/c", false},
		{"grpc", func(r *v1.HelloRequest) (*v1.HelloReply, error) { return grpcClient.SayHello(ctx, r) }, "kratos", "Hello kratos", false},
		{"http error", func(r *v1.HelloRequest) (*v1.HelloReply, error) { return httpClient.SayHello(ctx, r) }, "error", "", true},
		{"grpc error", func(r *v1.HelloRequest) (*v1.HelloReply, error) { return grpcClient.SayHello(ctx, r) }, "error", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply, err := tt.call(&v1.HelloRequest{Name: tt.in})
			if tt.wantError {
				if !v1.IsUserNotFound(err) {
					t.Errorf("SayHello(%q) error = %v, want USER_NOT_FOUND", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SayHello(%q) = %v", tt.in, err)
			}
			if got := reply.GetMessage(); got != tt.want {
				t.Errorf("SayHello(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRawHTTP(t *testing.T) {
	httpHost, _ := startApp(t)
	tests := []struct {
		path     string
		wantCode int
		wantBody string
	}{
		{"/helloworld/kratos", 200, `{"message":"Hello kratos"}`},
		{"/helloworld/error", 404, `"reason":"USER_NOT_FOUND"`},
		{"/nope", 404, `"code":404`},
	}
	for _, tt := range tests {
		resp, err := nethttp.Get("http://" + httpHost + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantCode || !strings.Contains(string(body), tt.wantBody) {
			t.Errorf("GET %s = %d %s, want %d with %s", tt.path, resp.StatusCode, body, tt.wantCode, tt.wantBody)
		}
	}
}
