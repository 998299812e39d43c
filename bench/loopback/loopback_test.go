package loopback

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/seed6ad8aa6b/kratos/internal/testgreeter"
)

// conns is the number of concurrent client connections (HTTP) or calls
// in flight (gRPC, over one connection), as wrk -c 64 would keep.
const conns = 64

func TestMain(m *testing.M) {
	if kind := os.Getenv(serverEnv); kind != "" {
		if err := runChild(kind); err != nil {
			fmt.Fprintln(os.Stderr, "loopback server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	stopAll()
	os.Exit(code)
}

// child is a server process started by the benchmark.
type child struct {
	kind string
	addr string
	cmd  *exec.Cmd
	ctl  io.WriteCloser
	out  *bufio.Reader
}

var (
	childrenMu sync.Mutex
	children   = map[string]*child{}
)

// server returns the running child of kind, starting it on first use. The
// children live until TestMain ends, so that the benchmark's repeated
// runs (b.N ramp-up, -count) do not restart them.
func server(tb testing.TB, kind string) *child {
	tb.Helper()
	childrenMu.Lock()
	defer childrenMu.Unlock()
	if c := children[kind]; c != nil {
		return c
	}
	c, err := startChild(kind)
	if err != nil {
		tb.Fatal(err)
	}
	children[kind] = c
	return c
}

func startChild(kind string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	name, args := exe, []string{"-test.run=^$"}
	if tset, err := exec.LookPath("taskset"); err == nil && runtime.NumCPU() >= 2 {
		name, args = tset, append([]string{"-c", strconv.Itoa(runtime.NumCPU() - 1), exe}, args...)
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), serverEnv+"="+kind, "GOMAXPROCS=1")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	ctlR, ctlW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.ExtraFiles = []*os.File{ctlR, outW}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("loopback: start %s: %w", kind, err)
	}
	_ = ctlR.Close()
	_ = outW.Close()
	c := &child{kind: kind, cmd: cmd, ctl: ctlW, out: bufio.NewReader(outR)}
	addr, err := c.out.ReadString('\n')
	if err != nil {
		c.stop()
		return nil, fmt.Errorf("loopback: %s did not start: %w", kind, err)
	}
	c.addr = strings.TrimSpace(addr)
	return c, nil
}

// cpu returns the child's CPU time so far.
func (c *child) cpu(tb testing.TB) time.Duration {
	if _, err := io.WriteString(c.ctl, "cpu\n"); err != nil {
		tb.Fatal(err)
	}
	line, err := c.out.ReadString('\n')
	if err != nil {
		tb.Fatal(err)
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ns)
}

func (c *child) stop() {
	_ = c.ctl.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

func stopAll() {
	childrenMu.Lock()
	defer childrenMu.Unlock()
	for k, c := range children {
		c.stop()
		delete(children, k)
	}
}

// loader sends requests to one server; do sends n of them from conns
// goroutines and returns the first error.
type loader interface {
	do(n int) error
	close()
}

// httpLoader sends GET /helloworld/{name} or POST /helloworld requests
// over conns keep-alive connections, one request at a time on each, as
// wrk does. It writes prebuilt requests and reads responses with a
// minimal HTTP/1.1 reader (status line, Content-Length, body), so that
// the client costs little next to the servers; net/http's client costs
// more per request than the servers measured here.
type httpLoader struct {
	addr  string
	req   []byte
	mu    sync.Mutex
	idle  []*httpConn
	conns []*httpConn
}

type httpConn struct {
	c net.Conn
	r *bufio.Reader
}

func newHTTPLoader(addr string, post bool) *httpLoader {
	req := "GET /helloworld/kratos HTTP/1.1\r\nHost: " + addr + "\r\n\r\n"
	if post {
		req = "POST /helloworld HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nContent-Length: " +
			strconv.Itoa(len(postBody)) + "\r\n\r\n" + string(postBody)
	}
	return &httpLoader{addr: addr, req: []byte(req)}
}

var postBody = []byte(`{"name":"kratos"}`)

const wantReply = `{"message":"hello kratos"}`

func (l *httpLoader) get() (*httpConn, error) {
	l.mu.Lock()
	if n := len(l.idle); n > 0 {
		c := l.idle[n-1]
		l.idle = l.idle[:n-1]
		l.mu.Unlock()
		return c, nil
	}
	l.mu.Unlock()
	nc, err := net.Dial("tcp", l.addr)
	if err != nil {
		return nil, err
	}
	c := &httpConn{c: nc, r: bufio.NewReaderSize(nc, 4096)}
	l.mu.Lock()
	l.conns = append(l.conns, c)
	l.mu.Unlock()
	return c, nil
}

func (l *httpLoader) put(c *httpConn) {
	l.mu.Lock()
	l.idle = append(l.idle, c)
	l.mu.Unlock()
}

func (l *httpLoader) one() error {
	c, err := l.get()
	if err != nil {
		return err
	}
	if _, err := c.c.Write(l.req); err != nil {
		return err
	}
	status, body, err := readResponse(c.r)
	if err != nil {
		return err
	}
	if status != http.StatusOK || string(body) != wantReply {
		return fmt.Errorf("loopback: %s answered %d %q, want 200 %q", l.addr, status, body, wantReply)
	}
	l.put(c)
	return nil
}

// readResponse reads one HTTP/1.1 response with a Content-Length body.
func readResponse(r *bufio.Reader) (status int, body []byte, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, fmt.Errorf("loopback: bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("loopback: bad status line %q", line)
	}
	size := -1
	for {
		line, err = r.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		if len(line) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && strings.EqualFold(string(k), "Content-Length") {
			if size, err = strconv.Atoi(string(bytes.TrimSpace(v))); err != nil {
				return 0, nil, fmt.Errorf("loopback: bad Content-Length %q", v)
			}
		}
	}
	if size < 0 {
		return 0, nil, fmt.Errorf("loopback: response without Content-Length")
	}
	body = make([]byte, size)
	_, err = io.ReadFull(r, body)
	return status, body, err
}

func (l *httpLoader) do(n int) error { return fanOut(n, l.one) }

func (l *httpLoader) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		_ = c.c.Close()
	}
	l.conns, l.idle = nil, nil
}

// grpcLoader makes SayHello calls over one connection.
type grpcLoader struct {
	cc     *grpc.ClientConn
	client testgreeter.GreeterClient
}

func newGRPCLoader(addr string) (*grpcLoader, error) {
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	return &grpcLoader{cc: cc, client: testgreeter.NewGreeterClient(cc)}, nil
}

func (l *grpcLoader) one() error {
	out, err := l.client.SayHello(context.Background(), &testgreeter.HelloRequest{Name: "kratos"})
	if err != nil {
		return err
	}
	if out.GetMessage() != "hello kratos" {
		return fmt.Errorf("loopback: SayHello answered %q", out.GetMessage())
	}
	return nil
}

func (l *grpcLoader) do(n int) error { return fanOut(n, l.one) }
func (l *grpcLoader) close()         { _ = l.cc.Close() }

// fanOut runs one n times from conns goroutines and returns the first
// error.
func fanOut(n int, one func() error) error {
	var next atomic.Int64
	var first atomic.Pointer[error]
	var wg sync.WaitGroup
	for range min(conns, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) && first.Load() == nil {
				if err := one(); err != nil {
					first.CompareAndSwap(nil, &err)
				}
			}
		}()
	}
	wg.Wait()
	if p := first.Load(); p != nil {
		return *p
	}
	return nil
}

// A scenario is one request type sent to servers of one transport; the
// first server is the raw baseline.
type scenario struct {
	name    string
	servers []string
	load    func(addr string) (loader, error)
}

var scenarios = []scenario{
	{"HTTP-GET", []string{rawHTTP, recoveryHTTP, chainHTTP}, func(addr string) (loader, error) { return newHTTPLoader(addr, false), nil }},
	{"HTTP-POST", []string{rawHTTP, recoveryHTTP, chainHTTP}, func(addr string) (loader, error) { return newHTTPLoader(addr, true), nil }},
	{"gRPC", []string{rawGRPC, recoveryGRPC, chainGRPC}, func(addr string) (loader, error) {
		l, err := newGRPCLoader(addr)
		return l, err
	}},
}

// TestServersAnswer checks that every server of every scenario gives the
// same answer, so the benchmark compares like with like.
func TestServersAnswer(t *testing.T) {
	for _, sc := range scenarios {
		for _, kind := range sc.servers {
			t.Run(sc.name+"/"+kind, func(t *testing.T) {
				l, err := sc.load(server(t, kind).addr)
				if err != nil {
					t.Fatal(err)
				}
				defer l.close()
				if err := l.do(2 * conns); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// batch is the number of requests a server gets in one turn.
const batch = 2000

// BenchmarkLoopback sends each scenario's requests to its servers in
// turns and reports each server's CPU time per request; an op is one
// request to every server of the scenario.
func BenchmarkLoopback(b *testing.B) {
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			kids := make([]*child, len(sc.servers))
			loaders := make([]loader, len(sc.servers))
			for i, kind := range sc.servers {
				kids[i] = server(b, kind)
				l, err := sc.load(kids[i].addr)
				if err != nil {
					b.Fatal(err)
				}
				defer l.close()
				loaders[i] = l
				if err := l.do(batch); err != nil { // warm up
					b.Fatal(err)
				}
			}
			cpu := make([]time.Duration, len(kids))
			b.ResetTimer()
			for done, turn := 0, 0; done < b.N; turn++ {
				n := min(batch, b.N-done)
				for j := range kids {
					i := (turn + j) % len(kids)
					before := kids[i].cpu(b)
					if err := loaders[i].do(n); err != nil {
						b.Fatal(err)
					}
					cpu[i] += kids[i].cpu(b) - before
				}
				done += n
			}
			b.StopTimer()
			for i, kind := range sc.servers {
				name := strings.TrimSuffix(strings.TrimSuffix(kind, "-http"), "-grpc")
				b.ReportMetric(float64(cpu[i].Nanoseconds())/1e3/float64(b.N), name+"-µs/req")
				if i > 0 && cpu[0] > 0 {
					b.ReportMetric(float64(cpu[i])/float64(cpu[0]), name+"/raw")
				}
			}
		})
	}
}
