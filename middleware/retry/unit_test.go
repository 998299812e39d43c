package retry

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// fakeTransport is a Transporter of one call.
type fakeTransport struct {
	kind   transport.Kind
	op     string
	header http.Header
	req    *http.Request // for Request, on HTTP
}

func (f *fakeTransport) Kind() transport.Kind            { return f.kind }
func (f *fakeTransport) Endpoint() string                { return "" }
func (f *fakeTransport) Operation() string               { return f.op }
func (f *fakeTransport) RequestHeader() transport.Header { return headerOf(f.header) }
func (f *fakeTransport) ReplyHeader() transport.Header   { return headerOf(http.Header{}) }
func (f *fakeTransport) Request() *http.Request          { return f.req }

type headerOf http.Header

func (h headerOf) Get(k string) string      { return http.Header(h).Get(k) }
func (h headerOf) Set(k, v string)          { http.Header(h).Set(k, v) }
func (h headerOf) Add(k, v string)          { http.Header(h).Add(k, v) }
func (h headerOf) Values(k string) []string { return http.Header(h).Values(k) }
func (h headerOf) Keys() []string {
	var keys []string
	for k := range h {
		keys = append(keys, k)
	}
	return keys
}

const op = "/test.Svc/Get"

// clientCtx returns a context with a gRPC client transport of op.
func clientCtx(ctx context.Context, op string) context.Context {
	return transport.NewClientContext(ctx, &fakeTransport{kind: transport.KindGRPC, op: op})
}

// httpCtx returns a context with an HTTP client transport of op, which
// may be hedged.
func httpCtx(ctx context.Context, op string) context.Context {
	return transport.NewClientContext(ctx, &fakeTransport{kind: transport.KindHTTP, op: op})
}

func TestBackoff(t *testing.T) {
	most := func(n int64) int64 { return n - 1 }
	least := func(int64) int64 { return 0 }
	ms := time.Millisecond
	for _, c := range []struct {
		name      string
		n         int
		base, max time.Duration
		jitter    Jitter
		rnd       func(int64) int64
		want      time.Duration
	}{
		{"full first most", 1, 50 * ms, time.Second, FullJitter, most, 50 * ms},
		{"full first least", 1, 50 * ms, time.Second, FullJitter, least, 0},
		{"full second", 2, 50 * ms, time.Second, FullJitter, most, 100 * ms},
		{"full capped", 6, 50 * ms, time.Second, FullJitter, most, time.Second},
		{"full far", 1000, 50 * ms, time.Second, FullJitter, most, time.Second},
		{"equal least", 1, 50 * ms, time.Second, EqualJitter, least, 25 * ms},
		{"equal most", 3, 50 * ms, time.Second, EqualJitter, most, 200 * ms},
		{"base over max", 1, time.Second, 100 * ms, FullJitter, most, 100 * ms},
		{"no base", 3, 0, time.Second, FullJitter, most, 0},
		{"no max", 3, 50 * ms, 0, FullJitter, most, 0},
	} {
		if got := backoff(c.n, c.base, c.max, c.jitter, c.rnd); got != c.want {
			t.Errorf("%s: backoff(%d, %v, %v) = %v, want %v", c.name, c.n, c.base, c.max, got, c.want)
		}
	}
}

func TestBudget(t *testing.T) {
	now := time.Unix(1000, 0)
	b := NewBudget(0.1, 2)
	b.now = func() time.Time { return now }
	withdraw := func(want bool, what string) {
		t.Helper()
		if got := b.withdraw(); got != want {
			t.Errorf("%s: withdraw() = %v, want %v", what, got, want)
		}
	}
	withdraw(true, "first of the per-second floor")
	withdraw(true, "second of the per-second floor")
	withdraw(false, "floor spent, no deposit")
	for range 9 {
		b.deposit()
	}
	withdraw(false, "after 9 deposits of 0.1")
	b.deposit()
	withdraw(true, "after 10 deposits of 0.1")
	withdraw(false, "deposit spent")
	now = now.Add(500 * time.Millisecond)
	withdraw(true, "half a second later")
	withdraw(false, "refill spent")
	now = now.Add(time.Hour)
	withdraw(true, "an hour later, 1 of 2")
	withdraw(true, "an hour later, 2 of 2")
	withdraw(false, "the floor holds one second's worth")
	for range 100_000 {
		b.deposit()
	}
	n := 0
	for b.withdraw() {
		n++
	}
	if n != 100 {
		t.Errorf("withdrawals after 100,000 deposits = %d, want the cap of 100", n)
	}

	for _, c := range []struct {
		name string
		b    *Budget
		want bool
	}{
		{"nil", nil, true},
		{"infinite", NewBudget(inf, 0), true},
		{"nothing", NewBudget(0, 0), false},
		{"negative", NewBudget(-1, -1), false},
	} {
		c.b.deposit()
		if got := c.b.withdraw(); got != c.want {
			t.Errorf("%s: withdraw() = %v, want %v", c.name, got, c.want)
		}
	}
}

var inf = math.Inf(1)

// testFiles returns a registry with service test.Svc, whose methods Get,
// Put and Post are NO_SIDE_EFFECTS, IDEMPOTENT and of unknown idempotency.
func testFiles(t *testing.T) *protoregistry.Files {
	t.Helper()
	method := func(name string, level descriptorpb.MethodOptions_IdempotencyLevel) *descriptorpb.MethodDescriptorProto {
		return &descriptorpb.MethodDescriptorProto{
			Name:       proto.String(name),
			InputType:  proto.String(".test.M"),
			OutputType: proto.String(".test.M"),
			Options:    &descriptorpb.MethodOptions{IdempotencyLevel: level.Enum()},
		}
	}
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name:        proto.String("test.proto"),
		Package:     proto.String("test"),
		Syntax:      proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{{Name: proto.String("M")}},
		Service: []*descriptorpb.ServiceDescriptorProto{{
			Name: proto.String("Svc"),
			Method: []*descriptorpb.MethodDescriptorProto{
				method("Get", descriptorpb.MethodOptions_NO_SIDE_EFFECTS),
				method("Put", descriptorpb.MethodOptions_IDEMPOTENT),
				method("Post", descriptorpb.MethodOptions_IDEMPOTENCY_UNKNOWN),
			},
		}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	files := new(protoregistry.Files)
	if err := files.RegisterFile(fd); err != nil {
		t.Fatal(err)
	}
	return files
}

func TestIdempotent(t *testing.T) {
	get, _ := http.NewRequest(http.MethodGet, "http://x/y", nil)
	post, _ := http.NewRequest(http.MethodPost, "http://x/y", nil)
	o := &options{}
	o.idem.files = testFiles(t)
	WithIdempotent("/declared", "/also")(o)
	WithIdempotentFunc(func(_ context.Context, op string) bool { return op == "/func" })(o)
	for _, c := range []struct {
		name string
		tr   *fakeTransport
		want bool
	}{
		{"no side effects", &fakeTransport{kind: transport.KindGRPC, op: "/test.Svc/Get"}, true},
		{"idempotent", &fakeTransport{kind: transport.KindGRPC, op: "/test.Svc/Put"}, true},
		{"unknown", &fakeTransport{kind: transport.KindGRPC, op: "/test.Svc/Post"}, false},
		{"no such method", &fakeTransport{kind: transport.KindGRPC, op: "/test.Svc/Missing"}, false},
		{"a message", &fakeTransport{kind: transport.KindGRPC, op: "/test/M"}, false},
		{"no leading slash", &fakeTransport{kind: transport.KindGRPC, op: "test.Svc/Get"}, false},
		{"empty", &fakeTransport{kind: transport.KindGRPC, op: ""}, false},
		{"path", &fakeTransport{kind: transport.KindGRPC, op: "/users/123?x=1"}, false},
		{"declared", &fakeTransport{kind: transport.KindGRPC, op: "/declared"}, true},
		{"declared too", &fakeTransport{kind: transport.KindGRPC, op: "/also"}, true},
		{"by func", &fakeTransport{kind: transport.KindGRPC, op: "/func"}, true},
		{"http get", &fakeTransport{kind: transport.KindHTTP, op: "/x", req: get}, true},
		{"http post", &fakeTransport{kind: transport.KindHTTP, op: "/x", req: post}, false},
		{"http post of an idempotent method", &fakeTransport{kind: transport.KindHTTP, op: "/test.Svc/Put", req: post}, true},
	} {
		for range 2 { // the second time from the cache
			if got := o.idem.idempotent(context.Background(), c.tr); got != c.want {
				t.Errorf("%s: idempotent(%q) = %v, want %v", c.name, c.tr.op, got, c.want)
			}
		}
	}
	if got := o.idem.cached.Load(); got == 0 || got > maxCached {
		t.Errorf("cached operations = %d, want between 1 and %d", got, maxCached)
	}
}

func TestRetryable(t *testing.T) {
	dial := &url.Error{Op: "Post", URL: "http://127.0.0.1:1", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New(0, "", "connection refused")}}
	read := &url.Error{Op: "Post", URL: "http://127.0.0.1:1", Err: &net.OpError{Op: "read", Net: "tcp", Err: errors.New(0, "", "reset")}}
	dns := &url.Error{Op: "Get", URL: "http://nowhere.invalid", Err: &net.DNSError{Err: "no such host", Name: "nowhere.invalid"}}
	timeout := &url.Error{Op: "Get", URL: "http://x", Err: timeoutError{}}
	for _, c := range []struct {
		name       string
		err        error
		idempotent bool
		perTry     bool
		want       bool
	}{
		{"dial", dial, false, false, true},
		{"dns", dns, false, false, true},
		{"no node", selector.ErrNoAvailable, false, false, true},
		{"http no node", errors.ServiceUnavailable("NODE_NOT_FOUND", "no node"), false, false, true},
		{"read after sending", read, false, false, false},
		{"read after sending, idempotent", read, true, false, true},
		{"reset, idempotent", &url.Error{Op: "Get", URL: "http://x", Err: syscall.ECONNRESET}, true, false, true},
		{"reset, not idempotent", &url.Error{Op: "Post", URL: "http://x", Err: syscall.ECONNRESET}, false, false, false},
		{"closed before the answer, idempotent", &url.Error{Op: "Get", URL: "http://x", Err: io.EOF}, true, false, true},
		{"503", errors.ServiceUnavailable("BUSY", ""), true, false, true},
		{"503 not idempotent", errors.ServiceUnavailable("BUSY", ""), false, false, false},
		{"grpc unavailable", status.Error(codes.Unavailable, "down"), true, false, true},
		{"grpc unavailable not idempotent", status.Error(codes.Unavailable, "down"), false, false, false},
		{"per-try timeout", errors.GatewayTimeout("DEADLINE_EXCEEDED", ""), true, true, true},
		{"per-try timeout not idempotent", errors.GatewayTimeout("DEADLINE_EXCEEDED", ""), false, true, false},
		{"http client timeout", timeout, true, false, true},
		{"server 504", errors.GatewayTimeout("DEADLINE_EXCEEDED", ""), true, false, false},
		{"429", errors.New(429, "SLOW_DOWN", ""), true, false, false},
		{"grpc resource exhausted", status.Error(codes.ResourceExhausted, "slow down"), true, false, false},
		{"500", errors.InternalServer("OOPS", ""), true, false, false},
		{"canceled", context.Canceled, true, false, false},
	} {
		if got := retryable(c.err, c.idempotent, c.perTry); got != c.want {
			t.Errorf("%s: retryable(%v, idempotent %v, per-try %v) = %v, want %v", c.name, c.err, c.idempotent, c.perTry, got, c.want)
		}
	}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "Client.Timeout exceeded" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestAttemptFromServerContext(t *testing.T) {
	for _, c := range []struct {
		value string
		want  int
	}{
		{"", 0},
		{"1", 1},
		{"7", 7},
		{"0", 1},
		{"-3", 1},
		{"junk", 1},
		{"99999999999999999999999", 1},
	} {
		h := http.Header{}
		if c.value != "" {
			h.Set(AttemptHeader, c.value)
		}
		ctx := transport.NewServerContext(context.Background(), &fakeTransport{kind: transport.KindHTTP, header: h})
		if got := AttemptFromServerContext(ctx); got != c.want {
			t.Errorf("AttemptFromServerContext(%s: %q) = %d, want %d", AttemptHeader, c.value, got, c.want)
		}
	}
	if got := AttemptFromServerContext(context.Background()); got != 0 {
		t.Errorf("AttemptFromServerContext(no server) = %d, want 0", got)
	}
}

// attemptLog records the attempts a handler saw.
type attemptLog struct {
	mu       sync.Mutex
	markers  []string // the outgoing gRPC marker of each
	deadline []time.Time
}

func (l *attemptLog) add(ctx context.Context) int {
	md, _ := metadata.FromOutgoingContext(ctx)
	d, _ := ctx.Deadline()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.markers = append(l.markers, append(md.Get(attemptKey), "")[0])
	l.deadline = append(l.deadline, d)
	return len(l.markers)
}

func (l *attemptLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.markers)
}

func TestDeadlines(t *testing.T) {
	t.Run("per-try timeout is retried", func(t *testing.T) {
		var log attemptLog
		h := Client(WithIdempotent(op), fast, WithPerTryTimeout(20*time.Millisecond))(func(ctx context.Context, _ any) (any, error) {
			if log.add(ctx) == 1 {
				<-ctx.Done()
				return nil, errors.GatewayTimeout("DEADLINE_EXCEEDED", ctx.Err().Error())
			}
			return "ok", nil
		})
		reply, err := h(clientCtx(testContext(t), op), "req")
		if reply != "ok" || err != nil {
			t.Errorf("call = %v, %v; want ok, nil", reply, err)
		}
		if got := log.count(); got != 2 {
			t.Errorf("attempts = %d, want 2", got)
		}
	})
	t.Run("caller's deadline is not retried", func(t *testing.T) {
		var log attemptLog
		h := Client(WithIdempotent(op), fast, WithPerTryTimeout(time.Hour))(func(ctx context.Context, _ any) (any, error) {
			log.add(ctx)
			<-ctx.Done()
			return nil, errors.GatewayTimeout("DEADLINE_EXCEEDED", ctx.Err().Error())
		})
		ctx, cancel := context.WithTimeout(clientCtx(testContext(t), op), 20*time.Millisecond)
		defer cancel()
		want, _ := ctx.Deadline()
		if _, err := h(ctx, "req"); !errors.IsGatewayTimeout(err) {
			t.Errorf("call error = %v, want a 504", err)
		}
		if got := log.count(); got != 1 {
			t.Errorf("attempts = %d, want 1", got)
		}
		if got := log.deadline[0]; !got.Equal(want) {
			t.Errorf("attempt deadline = %v, want the caller's %v", got, want)
		}
	})
	t.Run("no back-off past the deadline", func(t *testing.T) {
		var log attemptLog
		h := Client(WithIdempotent(op), WithBackoff(10*time.Second, 10*time.Second), WithJitter(EqualJitter))(func(ctx context.Context, _ any) (any, error) {
			log.add(ctx)
			return nil, errors.ServiceUnavailable("BUSY", "")
		})
		ctx, cancel := context.WithTimeout(clientCtx(testContext(t), op), 2*time.Second)
		defer cancel()
		start := time.Now()
		if _, err := h(ctx, "req"); !errors.IsServiceUnavailable(err) {
			t.Errorf("call error = %v, want the 503", err)
		}
		if elapsed := time.Since(start); elapsed > time.Second {
			t.Errorf("call took %v, want no wait for a back-off of at least 5s with 2s left", elapsed)
		}
		if got := log.count(); got != 1 {
			t.Errorf("attempts = %d, want 1", got)
		}
	})
	t.Run("cancel during back-off", func(t *testing.T) {
		ctx, cancel := context.WithCancel(clientCtx(testContext(t), op))
		defer cancel()
		h := Client(WithIdempotent(op), WithBackoff(time.Hour, time.Hour), WithJitter(EqualJitter))(func(context.Context, any) (any, error) {
			cancel()
			return nil, errors.ServiceUnavailable("BUSY", "")
		})
		if _, err := h(ctx, "req"); !errors.IsServiceUnavailable(err) {
			t.Errorf("call error = %v, want the last attempt's 503", err)
		}
	})
}

func TestMarkerAndPeers(t *testing.T) {
	var log attemptLog
	var peers []*selector.Peer
	h := Client(WithIdempotent(op), fast)(func(ctx context.Context, _ any) (any, error) {
		p, _ := selector.FromPeerContext(ctx)
		peers = append(peers, p)
		n := log.add(ctx)
		p.Node = selector.NewNode("grpc", fmt.Sprintf("10.0.0.%d:9000", n), nil) // as Select would
		if n < 3 {
			return nil, errors.ServiceUnavailable("BUSY", "")
		}
		return "ok", nil
	})
	outer := &selector.Peer{}
	if _, err := h(selector.NewPeerContext(clientCtx(context.Background(), op), outer), "req"); err != nil {
		t.Fatal(err)
	}
	if got, want := log.markers, []string{"", "1", "2"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("outgoing %s = %q, want %q", attemptKey, got, want)
	}
	if len(peers) != 3 || peers[0] != outer || peers[1] == outer || peers[2] == outer || peers[1] == peers[2] {
		t.Errorf("attempt Peers = %p (the caller's %p), want the caller's for the first, one of their own for the others", peers, outer)
	}
	if got, want := outer.Node.Address(), "10.0.0.3:9000"; got != want {
		t.Errorf("caller's Peer node = %s, want the last attempt's %s", got, want)
	}
}

func TestPassThrough(t *testing.T) {
	for _, c := range []struct {
		name string
		ctx  context.Context
		req  any
	}{
		{"no client transport", context.Background(), "req"},
		{"grpc stream", clientCtx(context.Background(), op), nil},
	} {
		n := 0
		h := Client(WithIdempotent(op), fast)(func(context.Context, any) (any, error) {
			n++
			return nil, errors.ServiceUnavailable("BUSY", "")
		})
		_, _ = h(c.ctx, c.req)
		if n != 1 {
			t.Errorf("%s: attempts = %d, want 1", c.name, n)
		}
	}
}

func TestHedgeOutcomes(t *testing.T) {
	t.Run("first error that cannot be retried wins", func(t *testing.T) {
		var log attemptLog
		var firstErr error
		h := Client(WithIdempotent(op), Hedge(time.Millisecond, 3))(func(ctx context.Context, _ any) (any, error) {
			if log.add(ctx) == 1 {
				<-ctx.Done()
				firstErr = ctx.Err()
				return nil, errors.ClientClosed("CANCELED", "")
			}
			return nil, errors.BadRequest("BAD", "")
		})
		if _, err := h(httpCtx(testContext(t), op), "req"); !errors.IsBadRequest(err) {
			t.Errorf("call error = %v, want the 400", err)
		}
		// The middleware waited for the first attempt.
		if firstErr != context.Canceled {
			t.Errorf("first attempt's context error = %v, want %v", firstErr, context.Canceled)
		}
	})
	t.Run("failures start the next attempt at once", func(t *testing.T) {
		var log attemptLog
		h := Client(WithIdempotent(op), Hedge(time.Hour, 3))(func(ctx context.Context, _ any) (any, error) {
			return nil, errors.ServiceUnavailable("BUSY", string(rune('0'+log.add(ctx))))
		})
		_, err := h(httpCtx(testContext(t), op), "req")
		if got := errors.FromError(err).Message; got != "3" {
			t.Errorf("call error = %v, want the third attempt's", err)
		}
		if got := log.count(); got != 3 {
			t.Errorf("attempts = %d, want 3", got)
		}
	})
	t.Run("budget", func(t *testing.T) {
		var log attemptLog
		h := Client(WithIdempotent(op), Hedge(time.Hour, 3), WithBudget(NewBudget(0, 0)))(func(ctx context.Context, _ any) (any, error) {
			log.add(ctx)
			return nil, errors.ServiceUnavailable("BUSY", "")
		})
		_, _ = h(httpCtx(testContext(t), op), "req")
		if got := log.count(); got != 1 {
			t.Errorf("attempts = %d, want 1", got)
		}
	})
	t.Run("not idempotent", func(t *testing.T) {
		var log attemptLog
		h := Client(Hedge(time.Nanosecond, 3), fast)(func(ctx context.Context, _ any) (any, error) {
			log.add(ctx)
			return nil, errors.ServiceUnavailable("BUSY", "")
		})
		_, _ = h(httpCtx(testContext(t), "/test.Svc/Post"), "req")
		if got := log.count(); got != 1 {
			t.Errorf("attempts = %d, want 1", got)
		}
	})
}

var _ middleware.Middleware = Client()

func FuzzAttemptFromServerContext(f *testing.F) {
	for _, s := range []string{"", "1", "2", "0", "-1", "junk", "99999999999999999999", " 1", "1\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{AttemptHeader: []string{v}}
		ctx := transport.NewServerContext(context.Background(), &fakeTransport{kind: transport.KindHTTP, header: h})
		got := AttemptFromServerContext(ctx)
		if (v == "") != (got == 0) || got < 0 {
			t.Errorf("AttemptFromServerContext(%q) = %d, want 0 exactly when the marker is empty", v, got)
		}
	})
}

func TestBudgetConcurrent(t *testing.T) {
	b := NewBudget(0.1, 0)
	const workers, calls = 8, 1000
	var wg sync.WaitGroup
	var mu sync.Mutex
	retries := 0
	for range workers {
		wg.Go(func() {
			n := 0
			for range calls {
				b.deposit()
				if b.withdraw() {
					n++
				}
			}
			mu.Lock()
			retries += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if want := workers * calls / 10; retries != want {
		t.Errorf("retries allowed for %d calls = %d, want %d", workers*calls, retries, want)
	}
}

// TestSuccessAllocatesNothing checks that a call whose first attempt
// succeeds allocates nothing in the middleware, on both transports, for a
// GET and a POST: the client's Peer is reused and nothing that only a
// retry needs is looked up.
func TestSuccessAllocatesNothing(t *testing.T) {
	get := httptest.NewRequest(http.MethodGet, "/x", nil)
	post := httptest.NewRequest(http.MethodPost, "/x", nil)
	h := Client()(func(context.Context, any) (any, error) { return "ok", nil })
	for _, c := range []struct {
		name string
		tr   *fakeTransport
	}{
		{"grpc", &fakeTransport{kind: transport.KindGRPC, op: op}},
		{"http get", &fakeTransport{kind: transport.KindHTTP, op: op, req: get}},
		{"http post", &fakeTransport{kind: transport.KindHTTP, op: "/test.Svc/Post", req: post}},
	} {
		ctx := selector.NewPeerContext(transport.NewClientContext(context.Background(), c.tr), &selector.Peer{})
		call := func() {
			if _, err := h(ctx, "req"); err != nil {
				t.Fatal(err)
			}
		}
		if got := testing.AllocsPerRun(200, call); got != 0 {
			t.Errorf("%s: a successful call allocates %v times, want 0", c.name, got)
		}
	}
}
