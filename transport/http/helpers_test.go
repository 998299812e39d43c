package http_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// TestMain fails the package when goroutines started by the tests are still
// running after them: every server, client and resolver must be stopped.
func TestMain(m *testing.M) {
	before := goroutines()
	code := m.Run()
	if code == 0 {
		if leaked := waitGoroutines(len(before), 5*time.Second); leaked != "" {
			os.Stderr.WriteString("goroutines leaked:\n" + leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// permanent marks goroutines that live for the rest of the process once
// started, whoever started them.
var permanent = []string{"os/signal.loop", "os/signal.signal_recv"}

// goroutines returns the stacks of the running goroutines other than the
// permanent ones.
func goroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
next:
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, p := range permanent {
			if strings.Contains(g, p) {
				continue next
			}
		}
		out = append(out, g)
	}
	return out
}

// waitGoroutines polls until at most n goroutines run, and returns the
// stacks of the running ones when the deadline passes first. Idle
// connections of net/http's default transport are closed on the way.
func waitGoroutines(n int, timeout time.Duration) string {
	deadline := time.Now().Add(timeout)
	for {
		closeIdle()
		gs := goroutines()
		if len(gs) <= n {
			return ""
		}
		if time.Now().After(deadline) {
			return strings.Join(gs, "\n\n")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func closeIdle() {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
}

// startServer starts srv on a loopback port and stops it when the test
// ends, checking that Start returned nil. It returns the endpoint host.
func startServer(t testing.TB, opts ...khttp.ServerOption) (*khttp.Server, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := khttp.NewServer(append([]khttp.ServerOption{khttp.Listener(lis)}, opts...)...)
	return srv, runServer(t, srv)
}

// runServer starts srv and stops it at cleanup; it returns the endpoint
// host.
func runServer(t testing.TB, srv *khttp.Server) string {
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
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("Stop() error = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Start() error = %v", err)
		}
	})
	return u.Host
}

// newClient returns a client for host closed at cleanup.
func newClient(t testing.TB, host string, opts ...khttp.ClientOption) *khttp.Client {
	t.Helper()
	c, err := khttp.NewClient(context.Background(), append([]khttp.ClientOption{khttp.WithEndpoint(host)}, opts...)...)
	if err != nil {
		t.Fatalf("NewClient() error = %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close() error = %v", err)
		}
	})
	return c
}

// localTestError reports whether err is a local net error such as a reset
// connection, which some bad-input tests accept as the server's answer.
func localTestError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || strings.Contains(err.Error(), "reset") || strings.Contains(err.Error(), "EOF")
}
