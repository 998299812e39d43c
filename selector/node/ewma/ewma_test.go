package ewma

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/selector"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func build(b *Builder) (*Node, *clock) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	b.now = c.now
	return b.Build(selector.NewNode("grpc", "a:1", nil)).(*Node), c
}

var errPlain = errors.New("boom")

func TestErrorsThatCount(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		handler func(error) bool
		want    bool
	}{
		{"nil", nil, nil, false},
		{"deadline", context.DeadlineExceeded, nil, true},
		{"wrapped deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), nil, true},
		{"canceled", context.Canceled, nil, false},
		{"net.OpError", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, nil, true},
		{"kratos 503", kerrors.ServiceUnavailable("down", ""), nil, true},
		{"kratos 500", kerrors.InternalServer("bug", ""), nil, true},
		{"kratos 502", kerrors.New(502, "bad gateway", ""), nil, true},
		{"kratos 504", kerrors.GatewayTimeout("slow", ""), nil, true},
		{"wrapped kratos 503", fmt.Errorf("x: %w", kerrors.ServiceUnavailable("down", "")), nil, true},
		{"kratos 404", kerrors.NotFound("missing", ""), nil, false},
		{"kratos 429", kerrors.New(429, "limited", ""), nil, false},
		{"grpc Unavailable", status.Error(codes.Unavailable, "down"), nil, true},
		{"grpc Internal", status.Error(codes.Internal, "bug"), nil, true},
		{"grpc DeadlineExceeded", status.Error(codes.DeadlineExceeded, "slow"), nil, true},
		{"grpc NotFound", status.Error(codes.NotFound, "missing"), nil, false},
		{"grpc Canceled", status.Error(codes.Canceled, "canceled"), nil, false},
		{"plain error", errPlain, nil, false},
		{"EOF", io.EOF, nil, false},
		{"handler adds plain error", errPlain, func(err error) bool { return err == errPlain }, true},
		{"handler cannot clear 503", kerrors.ServiceUnavailable("down", ""), func(error) bool { return false }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _ := build(&Builder{ErrHandler: tt.handler})
			if got := n.failed(tt.err); got != tt.want {
				t.Errorf("failed(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestFailuresLowerWeight(t *testing.T) {
	ok, c1 := build(&Builder{})
	bad, c2 := build(&Builder{})
	for range 300 { // 3s, five time constants
		done := ok.Pick()
		c1.advance(10 * time.Millisecond)
		done(context.Background(), selector.DoneInfo{})
		done = bad.Pick()
		c2.advance(10 * time.Millisecond)
		done(context.Background(), selector.DoneInfo{Err: kerrors.ServiceUnavailable("down", "")})
	}
	if ok.Weight() <= bad.Weight()*10 {
		t.Errorf("Weight() of a failing node = %v, want far below the healthy node's %v", bad.Weight(), ok.Weight())
	}
}

func TestLatencyLowersWeight(t *testing.T) {
	tests := []struct {
		fast, slow time.Duration
	}{
		{time.Millisecond, 2 * time.Millisecond},
		{10 * time.Millisecond, 100 * time.Millisecond},
		{100 * time.Millisecond, time.Second},
	}
	for _, tt := range tests {
		fast, c1 := build(&Builder{})
		slow, c2 := build(&Builder{})
		for range 20 {
			done := fast.Pick()
			c1.advance(tt.fast)
			done(context.Background(), selector.DoneInfo{})
			done = slow.Pick()
			c2.advance(tt.slow)
			done(context.Background(), selector.DoneInfo{})
		}
		if fast.Weight() <= slow.Weight() {
			t.Errorf("%v vs %v: Weight() fast = %v, slow = %v, want fast > slow", tt.fast, tt.slow, fast.Weight(), slow.Weight())
		}
	}
}

func TestInflightLowersWeight(t *testing.T) {
	n, c := build(&Builder{})
	done := n.Pick()
	c.advance(10 * time.Millisecond)
	done(context.Background(), selector.DoneInfo{})
	idle := n.Weight()
	n.Pick()
	n.Pick()
	if got := n.Weight(); !(got < idle/2.9 && got > idle/3.1) {
		t.Errorf("Weight() with 2 requests in flight = %v, want about a third of %v", got, idle)
	}
}

func TestDoneTwiceCountsOnce(t *testing.T) {
	n, c := build(&Builder{})
	done := n.Pick()
	c.advance(10 * time.Millisecond)
	done(context.Background(), selector.DoneInfo{})
	idle := n.Weight()
	done(context.Background(), selector.DoneInfo{})
	// A second call must not count the request as ended again, which
	// would make the in-flight count negative and the weight change.
	if got := n.Weight(); got != idle {
		t.Errorf("Weight() after a second done = %v, want %v", got, idle)
	}
}

func TestPickElapsedAndRaw(t *testing.T) {
	n, c := build(&Builder{})
	if got := n.PickElapsed(); got != math.MaxInt64 {
		t.Errorf("PickElapsed() before any pick = %v, want the largest duration", got)
	}
	n.Pick()
	c.advance(3 * time.Second)
	if got := n.PickElapsed(); got != 3*time.Second {
		t.Errorf("PickElapsed() = %v, want 3s", got)
	}
	if got := n.Raw().Address(); got != "a:1" {
		t.Errorf("Raw().Address() = %q, want a:1", got)
	}
	if got := n.Address(); got != "a:1" {
		t.Errorf("Address() = %q, want a:1", got)
	}
}

func TestNilBuilder(t *testing.T) {
	var b *Builder
	n := b.Build(selector.NewNode("grpc", "a:1", nil))
	n.Pick()(context.Background(), selector.DoneInfo{})
	if w := n.Weight(); w <= 0 || math.IsNaN(w) {
		t.Errorf("Weight() = %v, want a positive number", w)
	}
}

func BenchmarkPickDone(b *testing.B) {
	n := (&Builder{}).Build(selector.NewNode("grpc", "a:1", nil))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		n.Pick()(ctx, selector.DoneInfo{})
	}
}

func BenchmarkWeight(b *testing.B) {
	n := (&Builder{}).Build(selector.NewNode("grpc", "a:1", nil))
	n.Pick()(context.Background(), selector.DoneInfo{})
	n.Pick()
	b.ReportAllocs()
	for b.Loop() {
		_ = n.Weight()
	}
}
