package grpc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
	"google.golang.org/grpc/status"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/registry/registrytest"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/transport"
	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
	"github.com/seed6ad8aa6b/kratos/transport/grpc/resolver/discovery"
)

// echoHeader is a greeter that answers with the x-md-token metadata it got
// and sets a reply header.
func echoHeader() *greeter {
	return &greeter{hello: func(ctx context.Context, _ *pb.HelloRequest) (*pb.HelloReply, error) {
		tr, _ := transport.FromServerContext(ctx)
		tr.ReplyHeader().Set("x-reply", "from-server")
		return &pb.HelloReply{Message: strings.Join(tr.RequestHeader().Values("x-md-token"), ",")}, nil
	}}
}

func TestClientMiddlewareAndHeaders(t *testing.T) {
	_, addr := startServer(t, echoHeader())
	type seen struct {
		kind      transport.Kind
		endpoint  string
		operation string
		reply     string
	}
	got := make(chan seen, 1)
	mw := func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			tr, ok := transport.FromClientContext(ctx)
			if !ok {
				return nil, errors.New("no client transport")
			}
			tr.RequestHeader().Set("x-md-token", "t1")
			tr.RequestHeader().Add("x-md-token", "t2")
			reply, err := next(ctx, req)
			got <- seen{tr.Kind(), tr.Endpoint(), tr.Operation(), tr.ReplyHeader().Get("x-reply")}
			return reply, err
		}
	}
	client := pb.NewGreeterClient(dialTest(t, addr, WithMiddleware(mw)))
	reply, err := client.SayHello(testContext(t), &pb.HelloRequest{})
	if err != nil {
		t.Fatalf("SayHello() error = %v", err)
	}
	if reply.GetMessage() != "t1,t2" {
		t.Errorf("server saw x-md-token %q, want %q", reply.GetMessage(), "t1,t2")
	}
	want := seen{transport.KindGRPC, addr, greeterPrefix + "SayHello", "from-server"}
	if s := <-got; s != want {
		t.Errorf("client middleware saw %+v, want %+v", s, want)
	}
}

func TestClientStreamMiddleware(t *testing.T) {
	g := echoHeader()
	g.stream = func(stream grpc.ServerStream) error {
		tr, _ := transport.FromServerContext(stream.Context())
		if got := tr.RequestHeader().Get("x-md-token"); got != "stream" {
			return fmt.Errorf("stream metadata x-md-token = %q, want %q", got, "stream")
		}
		return nil
	}
	_, addr := startServer(t, g)
	var opened, messages atomic.Int32
	open := func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			if tr, ok := transport.FromClientContext(ctx); ok && strings.HasPrefix(tr.Operation(), greeterPrefix) {
				opened.Add(1)
				tr.RequestHeader().Set("x-md-token", "stream")
			}
			return next(ctx, req)
		}
	}
	perMessage := func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			if _, ok := req.(*pb.HelloRequest); ok {
				messages.Add(1)
			}
			if _, ok := req.(*pb.HelloReply); ok {
				messages.Add(1)
			}
			return next(ctx, req)
		}
	}
	client := pb.NewGreeterClient(dialTest(t, addr, WithMiddleware(open), WithStreamMiddleware(perMessage)))
	s, err := client.SayHelloBidiStream(testContext(t))
	if err != nil {
		t.Fatalf("SayHelloBidiStream() error = %v", err)
	}
	for _, n := range []string{"a", "b"} {
		if err := s.Send(&pb.HelloRequest{Name: n}); err != nil {
			t.Fatalf("Send() error = %v", err)
		}
		if _, err := s.Recv(); err != nil {
			t.Fatalf("Recv() error = %v", err)
		}
	}
	_ = s.CloseSend()
	if _, err := s.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("final Recv() error = %v, want EOF", err)
	}
	if got := opened.Load(); got != 1 {
		t.Errorf("middleware ran %d times at stream open, want 1", got)
	}
	if got := messages.Load(); got != 4 {
		t.Errorf("stream middleware saw %d messages, want 4", got)
	}
}

func TestClientTimeout(t *testing.T) {
	deadline := make(chan time.Duration, 1)
	g := &greeter{hello: func(ctx context.Context, _ *pb.HelloRequest) (*pb.HelloReply, error) {
		d, ok := ctx.Deadline()
		if !ok {
			deadline <- 0
		} else {
			deadline <- time.Until(d)
		}
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	_, addr := startServer(t, g, Timeout(0))
	tests := []struct {
		name    string
		opts    []ClientOption
		wantMax time.Duration
	}{
		{name: "explicit", opts: []ClientOption{WithTimeout(50 * time.Millisecond)}, wantMax: 50 * time.Millisecond},
		{name: "default two seconds", wantMax: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := pb.NewGreeterClient(dialTest(t, addr, tt.opts...))
			start := time.Now()
			_, err := client.SayHello(testContext(t), &pb.HelloRequest{})
			if got := status.Code(err); got != codes.DeadlineExceeded {
				t.Errorf("code = %v, want DeadlineExceeded", got)
			}
			if d := <-deadline; d <= 0 || d > tt.wantMax {
				t.Errorf("server saw a deadline in %v, want within %v", d, tt.wantMax)
			}
			if elapsed := time.Since(start); elapsed > tt.wantMax+2*time.Second {
				t.Errorf("call took %v", elapsed)
			}
		})
	}
}

// startGreeters starts n servers whose replies end in " from <i>" and
// registers them as service "greeter" in a new in-memory registry.
func startGreeters(t *testing.T, n int, opts ...ServerOption) (*registrytest.Memory, []*registry.ServiceInstance) {
	t.Helper()
	reg := registrytest.NewMemory()
	var instances []*registry.ServiceInstance
	for i := range n {
		srv, _ := startServer(t, &greeter{suffix: fmt.Sprintf(" from %d", i)}, opts...)
		u, _ := srv.Endpoint()
		ins := &registry.ServiceInstance{
			ID:        fmt.Sprint(i),
			Name:      "greeter",
			Version:   "v1",
			Endpoints: []string{"http://127.0.0.1:1", u.String()},
		}
		if err := reg.Register(context.Background(), ins); err != nil {
			t.Fatal(err)
		}
		instances = append(instances, ins)
	}
	return reg, instances
}

// servedBy makes calls until every server in want answered or the test
// times out, and fails if a server outside want answers.
func servedBy(t *testing.T, client pb.GreeterClient, want ...string) {
	t.Helper()
	ctx := testContext(t)
	seen := map[string]bool{}
	for len(seen) < len(want) {
		if ctx.Err() != nil {
			t.Fatalf("only %v answered, want %v", seen, want)
		}
		reply, err := client.SayHello(ctx, &pb.HelloRequest{Name: "x"}, grpc.WaitForReady(true))
		if err != nil {
			t.Fatalf("SayHello() error = %v", err)
		}
		_, from, _ := strings.Cut(reply.GetMessage(), " from ")
		if !slices.Contains(want, from) {
			t.Fatalf("server %q answered, want one of %v", from, want)
		}
		seen[from] = true
	}
}

func TestDiscoveryBalancing(t *testing.T) {
	reg, instances := startGreeters(t, 3)
	// An instance without a gRPC endpoint is ignored.
	_ = reg.Register(context.Background(), &registry.ServiceInstance{ID: "http-only", Name: "greeter", Endpoints: []string{"http://127.0.0.1:2"}})
	client := pb.NewGreeterClient(dialTest(t, "discovery:///greeter", WithDiscovery(reg)))
	servedBy(t, client, "0", "1", "2")

	// After a deregistration the remaining servers keep answering, and
	// the removed one stops.
	if err := reg.Deregister(context.Background(), instances[0]); err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	for recent := 0; recent < 20; {
		if ctx.Err() != nil {
			t.Fatal("server 0 kept answering after deregistration")
		}
		reply, err := client.SayHello(ctx, &pb.HelloRequest{})
		if err != nil {
			t.Fatalf("SayHello() error = %v", err)
		}
		if strings.HasSuffix(reply.GetMessage(), " from 0") {
			recent = 0
		} else {
			recent++
		}
	}
	servedBy(t, client, "1", "2")
}

func TestDiscoverySubset(t *testing.T) {
	reg, _ := startGreeters(t, 4)
	client := pb.NewGreeterClient(dialTest(t, "discovery:///greeter", WithDiscovery(reg), WithSubset(2)))
	ctx := testContext(t)
	seen := map[string]bool{}
	for i := 0; i < 200 && len(seen) <= 2; i++ {
		reply, err := client.SayHello(ctx, &pb.HelloRequest{}, grpc.WaitForReady(true))
		if err != nil {
			t.Fatalf("SayHello() error = %v", err)
		}
		seen[reply.GetMessage()] = true
	}
	if len(seen) != 2 {
		t.Errorf("%d servers answered, want the subset of 2: %v", len(seen), seen)
	}
}

func TestDiscoveryTLS(t *testing.T) {
	cfg := selfSignedTLS(t)
	reg, _ := startGreeters(t, 2, TLSConfig(cfg.server))
	conn, err := Dial(testContext(t), WithEndpoint("discovery:///greeter"), WithDiscovery(reg), WithTLSConfig(cfg.client))
	if err != nil {
		t.Fatalf("Dial() error = %v", err)
	}
	defer conn.Close()
	servedBy(t, pb.NewGreeterClient(conn), "0", "1")
}

func TestDiscoveryWatcherTimeout(t *testing.T) {
	d := &blockingDiscovery{release: make(chan struct{})}
	defer close(d.release)
	_, err := DialInsecure(context.Background(), WithEndpoint("discovery:///greeter"), WithDiscovery(d), WithTimeout(20*time.Millisecond))
	if !errors.Is(err, discovery.ErrWatcherCreateTimeout) {
		t.Errorf("DialInsecure() error = %v, want ErrWatcherCreateTimeout", err)
	}
}

// blockingDiscovery blocks in Watch until release is closed or the watch
// context is cancelled.
type blockingDiscovery struct {
	release chan struct{}
}

func (d *blockingDiscovery) GetService(context.Context, string) ([]*registry.ServiceInstance, error) {
	return nil, nil
}

func (d *blockingDiscovery) Watch(ctx context.Context, _ string) (registry.Watcher, error) {
	select {
	case <-d.release:
	case <-ctx.Done():
	}
	return nil, errors.New("blocked")
}

func TestDirectTarget(t *testing.T) {
	_, a := startServer(t, &greeter{suffix: " from a"})
	_, b := startServer(t, &greeter{suffix: " from b"})
	client := pb.NewGreeterClient(dialTest(t, "direct://greeter/"+a+","+b))
	servedBy(t, client, "a", "b")
}

func TestNodeFilter(t *testing.T) {
	_, a := startServer(t, &greeter{suffix: " from a"})
	_, b := startServer(t, &greeter{suffix: " from b"})
	target := "direct://greeter/" + a + "," + b
	onlyB := func(_ context.Context, nodes []selector.Node) []selector.Node {
		var out []selector.Node
		for _, n := range nodes {
			if n.Address() == b {
				out = append(out, n)
			}
		}
		return out
	}
	client := pb.NewGreeterClient(dialTest(t, target, WithNodeFilter(onlyB)))
	// Until b is ready, the filter leaves no node and calls fail at once,
	// as in Kratos; then every call goes to b.
	ctx := testContext(t)
	for {
		_, err := client.SayHello(ctx, &pb.HelloRequest{})
		if err == nil {
			break
		}
		if kerrors.Reason(err) != "no_available_node" || ctx.Err() != nil {
			t.Fatalf("SayHello() error = %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	for range 10 {
		servedBy(t, client, "b")
	}

	none := func(context.Context, []selector.Node) []selector.Node { return nil }
	client = pb.NewGreeterClient(dialTest(t, target, WithNodeFilter(none)))
	for {
		_, err := client.SayHello(ctx, &pb.HelloRequest{})
		if err == nil {
			t.Fatal("SayHello() with a filter that removes every node succeeded")
		}
		if kerrors.Reason(err) == "no_available_node" {
			if got := status.Code(err); got != codes.Unavailable {
				t.Errorf("code = %v, want Unavailable", got)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("SayHello() error = %v, want no_available_node", err)
		}
	}
}

func TestJSONContentSubtype(t *testing.T) {
	_, addr := startServer(t, &greeter{})
	client := pb.NewGreeterClient(dialTest(t, addr))
	var header metadata.MD
	reply, err := client.SayHello(testContext(t), &pb.HelloRequest{Name: "json"},
		grpc.CallContentSubtype("json"), grpc.Header(&header))
	if err != nil {
		t.Fatalf("SayHello() with json error = %v", err)
	}
	if reply.GetMessage() != "hello json" {
		t.Errorf("SayHello() = %q, want %q", reply.GetMessage(), "hello json")
	}
	if ct := header.Get("content-type"); !slices.Equal(ct, []string{"application/grpc+json"}) {
		t.Errorf("reply content-type = %q, want application/grpc+json", ct)
	}
}

func TestJSONCodec(t *testing.T) {
	c := jsonCodec{}
	data, err := c.Marshal(&pb.HelloRequest{Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	// Zero fields are included.
	if got := string(data); !strings.Contains(got, `"count":0`) {
		t.Errorf("Marshal() = %s, want zero fields included", got)
	}
	var in pb.HelloRequest
	if err := c.Unmarshal([]byte(`{"name":"b","unknown":1}`), &in); err != nil || in.GetName() != "b" {
		t.Errorf("Unmarshal() = %v, %v; want name b and unknown fields ignored", &in, err)
	}
	if _, err := c.Marshal("not a message"); err == nil {
		t.Error("Marshal(string) succeeded, want an error")
	}
	if err := c.Unmarshal([]byte(`{`), &in); err == nil {
		t.Error("Unmarshal(malformed) succeeded, want an error")
	}
}

// TestDialDiscoveryNeedsRegistry dials "discovery:///" targets with nothing
// to resolve them: Dial must fail at once with a message that says what
// is missing, rather than fail every call with a DNS error.
func TestDialDiscoveryNeedsRegistry(t *testing.T) {
	_, addr := startServer(t, &greeter{})
	fromOptions := manual.NewBuilderWithScheme("discovery")
	fromOptions.InitialState(resolver.State{Addresses: []resolver.Address{{Addr: addr}}})
	tests := []struct {
		name    string
		dial    func(context.Context, ...ClientOption) (*grpc.ClientConn, error)
		opts    []ClientOption
		wantErr string // "" for none
	}{
		{name: "DialInsecure", dial: DialInsecure, opts: []ClientOption{WithEndpoint("discovery:///helloworld")},
			wantErr: `transport/grpc: client endpoint "discovery:///helloworld" needs WithDiscovery`},
		{name: "Dial", dial: Dial, opts: []ClientOption{WithEndpoint("discovery:///helloworld"), WithTLSConfig(&tls.Config{})},
			wantErr: `transport/grpc: client endpoint "discovery:///helloworld" needs WithDiscovery`},
		{name: "scheme in capitals", dial: DialInsecure, opts: []ClientOption{WithEndpoint("DISCOVERY:///helloworld")},
			wantErr: "needs WithDiscovery"},
		{name: "resolver in WithOptions", dial: DialInsecure, opts: []ClientOption{
			WithEndpoint("discovery:///helloworld"), WithOptions(grpc.WithResolvers(fromOptions)),
		}},
		{name: "not discovery", dial: DialInsecure, opts: []ClientOption{WithEndpoint(addr)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := tt.dial(testContext(t), tt.opts...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("dial error = %v, want one containing %q", err, tt.wantErr)
				}
				if conn != nil {
					t.Errorf("dial returned a connection with error %v", err)
					_ = conn.Close()
				}
				return
			}
			if err != nil {
				t.Fatalf("dial error = %v", err)
			}
			defer conn.Close()
			if _, err := pb.NewGreeterClient(conn).SayHello(testContext(t), &pb.HelloRequest{}); err != nil {
				t.Errorf("SayHello() error = %v", err)
			}
		})
	}
}

// TestClientMiddlewareLostContext checks that a middleware that calls its
// next handler with a context not derived from its own fails the call
// rather than sending it without its Transport.
func TestClientMiddlewareLostContext(t *testing.T) {
	_, addr := startServer(t, &greeter{})
	mw := func(next middleware.Handler) middleware.Handler {
		return func(_ context.Context, req any) (any, error) {
			return next(context.Background(), req)
		}
	}
	client := pb.NewGreeterClient(dialTest(t, addr, WithMiddleware(mw)))
	if _, err := client.SayHello(testContext(t), &pb.HelloRequest{}); !errors.Is(err, errLostClientContext) {
		t.Errorf("SayHello() error = %v, want %v", err, errLostClientContext)
	}
}

// TestClientCallContext checks what the middleware of a unary call finds
// in its context: the Transport, the Peer, the caller's values and
// deadline.
func TestClientCallContext(t *testing.T) {
	_, addr := startServer(t, &greeter{})
	type key struct{}
	type seen struct {
		tr       bool
		peer     bool
		value    any
		deadline bool
	}
	got := make(chan seen, 1)
	mw := func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			_, tr := transport.FromClientContext(ctx)
			_, peer := selector.FromPeerContext(ctx)
			_, deadline := ctx.Deadline()
			got <- seen{tr, peer, ctx.Value(key{}), deadline}
			return next(ctx, req)
		}
	}
	client := pb.NewGreeterClient(dialTest(t, addr, WithMiddleware(mw), WithTimeout(0)))
	ctx, cancel := context.WithTimeout(context.WithValue(testContext(t), key{}, "v"), time.Minute)
	defer cancel()
	if _, err := client.SayHello(ctx, &pb.HelloRequest{}); err != nil {
		t.Fatalf("SayHello() error = %v", err)
	}
	if s, want := <-got, (seen{true, true, "v", true}); s != want {
		t.Errorf("middleware saw %+v, want %+v", s, want)
	}
}
