// Package etcdtest runs a real, single-member etcd server for tests, as a
// child process of the test: on free loopback ports, with a data directory
// of its own, so that a test can kill it and start it again.
//
// The server binary is named by the KRATOS_TEST_ETCD_BIN environment
// variable, or found as "etcd" in PATH. Tests that need etcd run only when
// KRATOS_TEST_ETCD is set, as the repository's test script does after
// starting its shared server (see [Shared]); [Start] skips the test
// otherwise. The end-to-end tests in the e2e module use it too.
package etcdtest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Environment variables set by the repository's test script.
const (
	// EnvEndpoint holds the host:port of a shared etcd server.
	EnvEndpoint = "KRATOS_TEST_ETCD"
	// EnvBinary holds the path of the etcd binary.
	EnvBinary = "KRATOS_TEST_ETCD_BIN"
)

// startTimeout bounds how long a server may take to become healthy.
const startTimeout = 20 * time.Second

// Shared returns the endpoint of the shared etcd server named by
// KRATOS_TEST_ETCD, and skips t when it is unset.
func Shared(t testing.TB) string {
	t.Helper()
	ep := os.Getenv(EnvEndpoint)
	if ep == "" {
		t.Skipf("%s is not set: no etcd server to test against (hack/test.sh starts one)", EnvEndpoint)
	}
	return ep
}

// Server is an etcd server run by a test. Its methods must be called from
// one goroutine at a time.
type Server struct {
	bin    string
	dir    string
	client string // host:port
	peer   string // host:port

	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been waited for
	output *lockedBuffer
}

// Start starts an etcd server and stops it, and removes its data, when t
// ends. It skips t when KRATOS_TEST_ETCD is unset, and fails t when no
// etcd binary is found or the server does not become healthy.
func Start(t testing.TB) *Server {
	t.Helper()
	Shared(t)
	bin := os.Getenv(EnvBinary)
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("etcd"); err != nil {
			t.Fatalf("%s is not set and no etcd in PATH: %v", EnvBinary, err)
		}
	}
	s := &Server{
		bin:    bin,
		dir:    t.TempDir(),
		client: freeAddr(t),
		peer:   freeAddr(t),
	}
	t.Cleanup(s.Stop)
	s.Restart(t)
	return s
}

// freeAddr returns a loopback address with a port that was free just now.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("etcdtest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Endpoint returns the server's client address, host:port.
func (s *Server) Endpoint() string { return s.client }

// Client returns a new client of the server, closed when the test ends.
func (s *Server) Client(t testing.TB) *clientv3.Client {
	t.Helper()
	return NewClient(t, s.client)
}

// NewClient returns a client of the etcd server at endpoint, closed when t
// ends.
func NewClient(t testing.TB, endpoint string) *clientv3.Client {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{endpoint},
		DialTimeout: 5 * time.Second,
		Logger:      zap.NewNop(), // the client's retries are expected noise here
	})
	if err != nil {
		t.Fatalf("etcdtest: client of %s: %v", endpoint, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Restart kills the server if it runs, starts it again on the same ports
// and data directory, and waits until it is healthy. It fails t if the
// server does not come up.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Kill()
	name := "etcdtest"
	s.output = &lockedBuffer{}
	cmd := exec.Command(s.bin,
		"--name", name,
		"--data-dir", filepath.Join(s.dir, "data"),
		"--listen-client-urls", "http://"+s.client,
		"--advertise-client-urls", "http://"+s.client,
		"--listen-peer-urls", "http://"+s.peer,
		"--initial-advertise-peer-urls", "http://"+s.peer,
		"--initial-cluster", name+"=http://"+s.peer,
		// Quick elections make restarts quick.
		"--heartbeat-interval", "50",
		"--election-timeout", "250",
	)
	cmd.Stdout, cmd.Stderr = s.output, s.output
	if err := cmd.Start(); err != nil {
		t.Fatalf("etcdtest: start %s: %v", s.bin, err)
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	exited := s.exited
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	if err := s.waitHealthy(); err != nil {
		s.Kill()
		t.Fatalf("etcdtest: %v\n%s", err, s.output.tail(4000))
	}
}

// RestartEmpty is Restart with the data directory emptied first, as when
// a server is replaced by a new one: every key and lease is lost.
func (s *Server) RestartEmpty(t testing.TB) {
	t.Helper()
	s.Kill()
	if err := os.RemoveAll(filepath.Join(s.dir, "data")); err != nil {
		t.Fatalf("etcdtest: remove the data directory: %v", err)
	}
	s.Restart(t)
}

// waitHealthy polls the server's /health endpoint until it reports a
// healthy member (one with a leader).
func (s *Server) waitHealthy() error {
	deadline := time.Now().Add(startTimeout)
	hc := &http.Client{Timeout: time.Second}
	url := "http://" + s.client + "/health"
	wait := 10 * time.Millisecond
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("etcd exited while starting")
		default:
		}
		resp, err := hc.Get(url)
		if err == nil {
			var body bytes.Buffer
			_, _ = body.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && bytes.Contains(body.Bytes(), []byte(`"true"`)) {
				return nil
			}
			err = fmt.Errorf("%s: %s %s", url, resp.Status, body.String())
		}
		last = err
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-s.exited:
			t.Stop()
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
	return fmt.Errorf("etcd not healthy after %v: %w", startTimeout, last)
}

// Kill kills the server at once, as a crash would, and waits for it to
// exit. It does nothing if the server is not running.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Stop stops the server gracefully (SIGTERM, then SIGKILL after five
// seconds) and waits for it to exit. It does nothing if the server is not
// running.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case <-s.exited:
	case <-t.C:
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

// lockedBuffer collects the server's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Keep the last megabyte or so: enough to tell why a start failed.
	if b.buf.Len() > 1<<20 {
		b.buf.Next(b.buf.Len() - 1<<19)
	}
	return b.buf.Write(p)
}

// tail returns the last n bytes written.
func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.buf.Bytes()
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return string(out)
}
