package selector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
)

func TestClassify(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	canceled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	bg := context.Background()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want outcome
	}{
		{"nil", bg, nil, outcomeSuccess},
		{"dial refused", bg, &url.Error{Op: "Get", URL: "http://a", Err: refused}, outcomeUnreachable},
		{"dial timeout", bg, &url.Error{Op: "Get", URL: "http://a", Err: &net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}}, outcomeUnreachable},
		{"bare ECONNREFUSED", bg, fmt.Errorf("connect: %w", syscall.ECONNREFUSED), outcomeUnreachable},
		{"dial cut by the caller's deadline", expired, &url.Error{Op: "Get", URL: "http://a", Err: refused}, outcomeFailure},
		{"dial cut by cancel", canceled, &url.Error{Op: "Get", URL: "http://a", Err: refused}, outcomeNeutral},
		{"dial error carrying context deadline", bg, &net.OpError{Op: "dial", Err: context.DeadlineExceeded}, outcomeFailure},
		{"connection reset", bg, &url.Error{Op: "Post", URL: "http://a", Err: &net.OpError{Op: "read", Err: syscall.ECONNRESET}}, outcomeFailure},
		{"EOF", bg, &url.Error{Op: "Post", URL: "http://a", Err: io.EOF}, outcomeFailure},
		{"unexpected EOF", bg, io.ErrUnexpectedEOF, outcomeFailure},
		{"broken pipe", bg, syscall.EPIPE, outcomeFailure},
		{"HTTP client timeout", bg, &url.Error{Op: "Get", URL: "http://a", Err: os.ErrDeadlineExceeded}, outcomeFailure},
		{"per-try timeout (HTTP)", expired, kerrors.GatewayTimeout("DEADLINE_EXCEEDED", "").WithCause(context.DeadlineExceeded), outcomeFailure},
		{"context.DeadlineExceeded", bg, context.DeadlineExceeded, outcomeFailure},
		{"context.Canceled", bg, context.Canceled, outcomeNeutral},
		{"canceled context", canceled, errors.New("whatever"), outcomeNeutral},
		{"499", bg, kerrors.ClientClosed("CANCELED", ""), outcomeNeutral},
		{"429", bg, kerrors.New(429, "RATELIMIT", ""), outcomeNeutral},
		{"500", bg, kerrors.InternalServer("X", ""), outcomeFailure},
		{"501", bg, kerrors.New(501, "X", ""), outcomeSuccess},
		{"502", bg, kerrors.New(502, "X", ""), outcomeFailure},
		{"503", bg, kerrors.ServiceUnavailable("X", ""), outcomeFailure},
		{"504 from the server", bg, kerrors.GatewayTimeout("X", ""), outcomeFailure},
		{"400", bg, kerrors.BadRequest("X", ""), outcomeSuccess},
		{"404 wrapped", bg, fmt.Errorf("call: %w", kerrors.NotFound("X", "")), outcomeSuccess},
		{"gRPC Unavailable", bg, status.Error(codes.Unavailable, ""), outcomeFailure},
		{"gRPC Internal", bg, status.Error(codes.Internal, ""), outcomeFailure},
		{"gRPC DeadlineExceeded", bg, status.Error(codes.DeadlineExceeded, ""), outcomeFailure},
		{"gRPC Canceled", bg, status.Error(codes.Canceled, ""), outcomeNeutral},
		{"gRPC ResourceExhausted", bg, status.Error(codes.ResourceExhausted, ""), outcomeNeutral},
		{"gRPC NotFound", bg, status.Error(codes.NotFound, ""), outcomeSuccess},
		{"gRPC Unknown", bg, status.Error(codes.Unknown, ""), outcomeSuccess},
		{"plain error", bg, errors.New("no SubConn is available"), outcomeNeutral},
		{"nil context", nil, errors.New("x"), outcomeNeutral},
	}
	for _, tt := range tests {
		if got := classify(tt.ctx, tt.err); got != tt.want {
			t.Errorf("%s: classify(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		e    Ejection
		want []time.Duration
	}{
		{Ejection{}, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}},
		{Ejection{BaseBackoff: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond}, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}},
		{Ejection{BaseBackoff: 5 * time.Second, MaxBackoff: time.Second}, []time.Duration{5 * time.Second, 5 * time.Second}},
		{Ejection{MaxBackoff: time.Duration(1<<63 - 1)}, nil},
	}
	for _, tt := range tests {
		ej := newEjector(tt.e, nil, nil)
		for level, want := range tt.want {
			if got := ej.backoff(int32(level)); got != want {
				t.Errorf("%+v: backoff(%d) = %v, want %v", tt.e, level, got, want)
			}
		}
		// No overflow at any level.
		for level := range int32(70) {
			if got := ej.backoff(level); got < ej.base || got > ej.max {
				t.Errorf("%+v: backoff(%d) = %v, want within [%v, %v]", tt.e, level, got, ej.base, ej.max)
			}
		}
	}
}

func TestLimit(t *testing.T) {
	tests := []struct {
		percent, n  int
		unreachable bool
		want        int32
	}{
		{0, 0, false, 0},
		{0, 1, false, 0},
		{0, 1, true, 0},
		{0, 2, false, 1},
		{0, 3, false, 1},
		{0, 4, false, 2},
		{0, 10, false, 5},
		{10, 3, false, 1},
		{100, 3, false, 2},
		{250, 3, false, 2},
		{0, 10, true, 9},
		{0, 2, true, 1},
	}
	for _, tt := range tests {
		ej := newEjector(Ejection{MaxPercent: tt.percent}, nil, nil)
		if got := ej.limit(tt.n, tt.unreachable); got != tt.want {
			t.Errorf("MaxPercent %d: limit(%d, %v) = %d, want %d", tt.percent, tt.n, tt.unreachable, got, tt.want)
		}
	}
}

// TestEjectedCount checks that the count of ejected nodes, which decides
// whether Select looks at ejection at all, follows ejections, probes and
// node set changes.
func TestEjectedCount(t *testing.T) {
	now := time.Unix(1000, 0)
	d := &Default{NodeBuilder: staticNodeBuilder{}, Balancer: &swrrBalancer{}, now: func() time.Time { return now }}
	d.Apply([]Node{node("a:1", "", 0), node("b:1", "", 0), node("c:1", "", 0)})
	refused := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	count := func() int32 { return d.set.Load().ej.ejected.Load() }
	fail := func(addr string) {
		t.Helper()
		n, done, err := d.Select(context.Background(), WithNodeFilter(func(_ context.Context, in []Node) []Node {
			for _, n := range in {
				if n.Address() == addr {
					return []Node{n}
				}
			}
			return nil
		}))
		if err != nil || n.Address() != addr {
			t.Fatalf("Select() = %v, %v, want %s", n, err, addr)
		}
		done(context.Background(), DoneInfo{Err: refused})
	}
	fail("b:1")
	fail("c:1")
	if got := count(); got != 2 {
		t.Fatalf("ejected = %d after two refused nodes, want 2", got)
	}
	fail("a:1") // the last node in the rotation stays
	if got := count(); got != 2 {
		t.Fatalf("ejected = %d after refusing the last node, want 2", got)
	}
	d.Apply([]Node{node("a:1", "", 0), node("c:1", "", 0)}) // b leaves while ejected
	if got := count(); got != 1 {
		t.Fatalf("ejected = %d after an ejected node left, want 1", got)
	}
	now = now.Add(time.Second)
	n, done, err := d.Select(context.Background())
	if err != nil || n.Address() != "c:1" {
		t.Fatalf("Select() = %v, %v, want the probe to c:1", n, err)
	}
	done(context.Background(), DoneInfo{})
	if got := count(); got != 0 {
		t.Fatalf("ejected = %d after a successful probe, want 0", got)
	}
	// A probe whose node left the set changes nothing when it ends.
	fail("c:1")
	now = now.Add(time.Second)
	n, done, err = d.Select(context.Background())
	if err != nil || n.Address() != "c:1" {
		t.Fatalf("Select() = %v, %v, want the probe to c:1", n, err)
	}
	d.Apply([]Node{node("a:1", "", 0)})
	done(context.Background(), DoneInfo{})
	if got := count(); got != 0 {
		t.Errorf("ejected = %d after the probed node left, want 0", got)
	}
}

func TestDoneFuncCalledTwice(t *testing.T) {
	d := &Default{NodeBuilder: staticNodeBuilder{}, Balancer: &swrrBalancer{}}
	d.Apply([]Node{node("a:1", "", 0), node("b:1", "", 0)})
	_, done, err := d.Select(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	done(context.Background(), DoneInfo{})
	done(context.Background(), DoneInfo{}) // must not panic while not reused
}
