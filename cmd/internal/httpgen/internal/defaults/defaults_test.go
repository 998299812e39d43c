// The tests of this package run the code that httpgen generated for
// ../../testdata/defaults.proto with omitempty=false and
// omitempty_prefix=/api (checked by TestGolden in httpgen).
package defaults

import (
	"context"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/transport/http"
)

type echo struct{}

func (echo) Say(_ context.Context, in *EchoRequest) (*EchoReply, error) {
	return &EchoReply{Text: fmt.Sprintf("say %s x%d", in.Text, in.Repeat)}, nil
}

func (echo) Get(_ context.Context, in *EchoRequest) (*EchoReply, error) {
	return &EchoReply{Text: fmt.Sprintf("get %s x%d", in.Text, in.Repeat)}, nil
}

func (echo) Post(_ context.Context, in *EchoRequest) (*EchoReply, error) {
	return &EchoReply{Text: fmt.Sprintf("post %s x%d", in.Text, in.Repeat)}, nil
}

func (echo) Ping(_ context.Context, in *EchoRequest) (*EchoReply, error) {
	return &EchoReply{Text: "pong " + in.Text}, nil
}

func start(t *testing.T) (string, *http.Client) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := http.NewServer(http.Listener(lis))
	RegisterEchoHTTPServer(srv, echo{})
	RegisterQuietHTTPServer(srv, echo{})
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	client, err := http.NewClient(context.Background(), http.WithEndpoint(lis.Addr().String()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		client.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("Stop() error = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Start() error = %v", err)
		}
	})
	return lis.Addr().String(), client
}

func TestDefaultRoutes(t *testing.T) {
	addr, cc := start(t)
	c := NewEchoHTTPClient(cc)
	ctx := context.Background()
	in := &EchoRequest{Text: "hi there", Repeat: 2}
	for _, tt := range []struct {
		name string
		call func(context.Context, *EchoRequest, ...http.CallOption) (*EchoReply, error)
		want string
	}{
		{"Say", c.Say, "say hi there x2"},
		{"Get", c.Get, "get hi there x2"},
		{"Post", c.Post, "post hi there x2"},
		{"Quiet.Ping", NewQuietHTTPClient(cc).Ping, "pong hi there"},
	} {
		got, err := tt.call(ctx, in)
		if err != nil {
			t.Errorf("%s() error = %v", tt.name, err)
			continue
		}
		if got.Text != tt.want {
			t.Errorf("%s() = %q, want %q", tt.name, got.Text, tt.want)
		}
	}

	// On the wire: the default route takes its input from the query, a
	// rule with a body but no path from the body.
	for _, tt := range []struct {
		method, path, body, want string
	}{
		{"POST", "/api/kratos.test.defaults.v1.Echo/Say?text=q&repeat=3", "", "say q x3"},
		{"POST", "/api/kratos.test.defaults.v1.Echo/Post", `{"text":"b","repeat":4}`, "post b x4"},
		{"GET", "/echo/v?repeat=5", "", "get v x5"},
	} {
		var body io.Reader
		if tt.body != "" {
			body = strings.NewReader(tt.body)
		}
		req, err := nethttp.NewRequest(tt.method, "http://"+addr+tt.path, body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := nethttp.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(data), tt.want) {
			t.Errorf("%s %s = %d %s, want 200 with %q", tt.method, tt.path, res.StatusCode, data, tt.want)
		}
	}
	// The streaming method has no route.
	res, err := nethttp.Post("http://"+addr+"/api/kratos.test.defaults.v1.Echo/Chat", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("POST Chat = %d, want 404", res.StatusCode)
	}
}
