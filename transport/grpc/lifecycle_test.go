package grpc

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/tap"

	"github.com/seed6ad8aa6b/kratos/internal/applog"
	"github.com/seed6ad8aa6b/kratos/log"
	pb "github.com/seed6ad8aa6b/kratos/transport/grpc/internal/testdata/helloworld"
)

// logRecorder is a log.Logger that keeps the level and message of each
// line.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *logRecorder) Log(level log.Level, keyvals ...any) error {
	msg := ""
	for i := 0; i+1 < len(keyvals); i += 2 {
		if keyvals[i] == log.DefaultMessageKey {
			msg = fmt.Sprint(keyvals[i+1])
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, level.String()+" "+msg)
	return nil
}

func (r *logRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lines)
}

// has reports whether a recorded line contains s.
func (r *logRecorder) has(s string) bool {
	return slices.ContainsFunc(r.all(), func(l string) bool { return strings.Contains(l, s) })
}

// TestStopBoundedWhenHandlersIgnoreContext stops a server whose handlers
// never look at their contexts: Stop must return soon after its context
// ends, and Start with it, leaving the handlers behind.
func TestStopBoundedWhenHandlersIgnoreContext(t *testing.T) {
	tests := []struct {
		name string
		// call starts the calls that get stuck and returns once the
		// server is stuck; its goroutines end by the end of the test.
		call     func(t *testing.T, client pb.GreeterClient, entered <-chan struct{}, taps <-chan string)
		opts     []ServerOption
		wantLogs []string
	}{
		{
			name: "unary",
			call: func(t *testing.T, client pb.GreeterClient, entered <-chan struct{}, _ <-chan string) {
				go func() { _, _ = client.SayHello(context.Background(), &pb.HelloRequest{}) }()
				<-entered
			},
			wantLogs: []string{"WARN [gRPC] server could not stop gracefully in time, forcing it to stop", "INFO [gRPC] server stopped"},
		},
		{
			name: "stream",
			call: func(t *testing.T, client pb.GreeterClient, entered <-chan struct{}, _ <-chan string) {
				if _, err := client.SayHelloBidiStream(testContext(t)); err != nil {
					t.Fatalf("SayHelloBidiStream() error = %v", err)
				}
				<-entered
			},
			wantLogs: []string{"WARN [gRPC] server could not stop gracefully in time, forcing it to stop", "INFO [gRPC] server stopped"},
		},
		{
			// With every stream of a connection taken by a stuck
			// handler, grpc-go's reader of the connection waits for one
			// to return before starting the next call, and only then
			// sees the connection closed.
			name: "connection out of streams",
			opts: []ServerOption{Options(grpc.MaxConcurrentStreams(1))},
			call: func(t *testing.T, client pb.GreeterClient, entered <-chan struct{}, taps <-chan string) {
				ctx, cancel := context.WithCancel(context.Background())
				go func() { _, _ = client.SayHello(ctx, &pb.HelloRequest{}) }()
				<-entered
				<-taps
				cancel() // frees the stream, not the handler
				go func() { _, _ = client.SayHello(context.Background(), &pb.HelloRequest{}) }()
				<-taps // the reader got the second call and waits for the first
			},
			wantLogs: []string{"WARN [gRPC] server could not stop gracefully in time, forcing it to stop", "connections still open"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			entered := make(chan struct{}, 2)
			g := &greeter{
				hello: func(context.Context, *pb.HelloRequest) (*pb.HelloReply, error) {
					entered <- struct{}{}
					<-release
					return &pb.HelloReply{}, nil
				},
				stream: func(grpc.ServerStream) error {
					entered <- struct{}{}
					<-release
					return nil
				},
			}
			taps := make(chan string, 2)
			tapOpt := Options(grpc.InTapHandle(func(ctx context.Context, info *tap.Info) (context.Context, error) {
				select {
				case taps <- info.FullMethodName:
				default:
				}
				return ctx, nil
			}))
			srv := NewServer(append([]ServerOption{Address("127.0.0.1:0"), Timeout(0), tapOpt}, tt.opts...)...)
			pb.RegisterGreeterServer(srv, g)
			u, err := srv.Endpoint()
			if err != nil {
				t.Fatalf("Endpoint() error = %v", err)
			}
			rec := &logRecorder{}
			ctx := applog.NewContext(context.Background(), rec)
			started := make(chan error, 1)
			go func() { started <- srv.Start(ctx) }()
			client := pb.NewGreeterClient(dialTest(t, u.Host, WithTimeout(0), WithHealthCheck(false)))
			// Runs before the connection closes: the stuck handlers
			// return, and so do grpc-go's goroutines waiting for them.
			t.Cleanup(func() { close(release) })
			tt.call(t, client, entered, taps)

			stopCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			stopped := make(chan error, 1)
			go func() { stopped <- srv.Stop(stopCtx) }()
			select {
			case err := <-stopped:
				t.Logf("Stop() took %v", time.Since(start))
				if err != nil {
					t.Errorf("Stop() error = %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Stop() still running after 5s")
			}
			select {
			case err := <-started:
				if err != nil {
					t.Errorf("Start() error = %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Start() did not return after Stop()")
			}
			for _, want := range tt.wantLogs {
				if !rec.has(want) {
					t.Errorf("log lines = %q, want one containing %q", rec.all(), want)
				}
			}
		})
	}
}

// TestServerLogs checks where the server's own lines go: to the logger in
// the contexts given to Start and Stop, unless the Logger option names
// another.
func TestServerLogs(t *testing.T) {
	tests := []struct {
		name      string
		option    bool // the server has a Logger option
		wantInCtx bool
	}{
		{name: "context logger", wantInCtx: true},
		{name: "Logger option wins", option: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			startRec, stopRec, optRec := &logRecorder{}, &logRecorder{}, &logRecorder{}
			opts := []ServerOption{Address("127.0.0.1:0")}
			if tt.option {
				opts = append(opts, Logger(optRec))
			}
			srv := NewServer(opts...)
			u, err := srv.Endpoint()
			if err != nil {
				t.Fatalf("Endpoint() error = %v", err)
			}
			started := make(chan error, 1)
			go func() { started <- srv.Start(applog.NewContext(context.Background(), startRec)) }()
			// Start logs before it serves, and the health service says
			// SERVING once Start has run.
			health := healthpb.NewHealthClient(dialTest(t, u.Host, WithHealthCheck(false)))
			if _, err := health.Check(testContext(t), &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true)); err != nil {
				t.Fatalf("health Check() error = %v", err)
			}
			if err := srv.Stop(applog.NewContext(context.Background(), stopRec)); err != nil {
				t.Errorf("Stop() error = %v", err)
			}
			if err := <-started; err != nil {
				t.Errorf("Start() error = %v", err)
			}

			wantStart := []string{"INFO [gRPC] server listening on: " + u.Host}
			wantStop := []string{"INFO [gRPC] server stopping", "INFO [gRPC] server stopped"}
			var wantOpt []string
			if !tt.wantInCtx {
				wantOpt = append(wantStart, wantStop...)
				wantStart, wantStop = nil, nil
			}
			for _, c := range []struct {
				name      string
				got, want []string
			}{
				{"Start context logger", startRec.all(), wantStart},
				{"Stop context logger", stopRec.all(), wantStop},
				{"Logger option", optRec.all(), wantOpt},
			} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s lines = %q, want %q", c.name, c.got, c.want)
				}
			}
		})
	}
}
