package grpc

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/transport"
)

func TestKeysLearnt(t *testing.T) {
	if keys.transport == nil || keys.client == nil || keys.peer == nil || keys.cancel == nil || keys.incoming == nil {
		t.Fatalf("keys = %+v, want every context key learnt", keys)
	}
}

// newCall starts a serverCall over parent the way the unary interceptor does.
func newCall(parent context.Context, base context.Context, timeout time.Duration) (*serverCall, context.Context) {
	c := &serverCall{tr: Transport{operation: "/test/Call"}}
	st := &callState{base: base}
	if base != nil && base.Done() != nil {
		st.merge = true
	}
	return c, c.begin(parent, st, timeout)
}

func TestCallContextTransportAndValues(t *testing.T) {
	type key string
	base := context.WithValue(context.Background(), key("app"), "base")
	parent := context.WithValue(context.Background(), key("req"), "parent")
	c, ctx := newCall(parent, base, 0)
	defer c.end()

	tr, ok := transport.FromServerContext(context.WithValue(ctx, key("x"), 1))
	if !ok || tr != &c.tr {
		t.Errorf("FromServerContext() = %v, %v; want the call's Transport", tr, ok)
	}
	for _, tt := range []struct {
		key  key
		want any
	}{
		{"app", "base"},
		{"req", "parent"},
		{"none", nil},
	} {
		if got := ctx.Value(tt.key); got != tt.want {
			t.Errorf("Value(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
	if _, ok := ctx.Deadline(); ok {
		t.Error("Deadline() ok without a timeout")
	}
}

func TestCallContextTimeoutWithoutDone(t *testing.T) {
	c, ctx := newCall(context.Background(), nil, 20*time.Millisecond)
	d, ok := ctx.Deadline()
	if !ok || time.Until(d) > 20*time.Millisecond {
		t.Fatalf("Deadline() = %v, %v; want within 20ms", d, ok)
	}
	if err := ctx.Err(); err != nil {
		t.Fatalf("Err() before the deadline = %v", err)
	}
	time.Sleep(time.Until(d) + time.Millisecond)
	if err := ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Err() after the deadline = %v, want DeadlineExceeded", err)
	}
	// Done set up late agrees with Err.
	select {
	case <-ctx.Done():
	default:
		t.Error("Done() not closed after the deadline")
	}
	if err := context.Cause(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Cause() = %v, want DeadlineExceeded", err)
	}
	c.end()
	if err := ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Err() after end = %v, want DeadlineExceeded still", err)
	}
}

func TestCallContextTimeoutFires(t *testing.T) {
	c, ctx := newCall(context.Background(), nil, 20*time.Millisecond)
	defer c.end()
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() { close(fired) })
	defer stop()
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("child not cancelled at the deadline")
	}
	<-fired
	if err := child.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("child Err() = %v, want DeadlineExceeded", err)
	}
}

func TestCallContextParentCancel(t *testing.T) {
	tests := []struct {
		name      string
		waitFirst bool // call Done before the parent is cancelled
	}{
		{name: "done set up first", waitFirst: true},
		{name: "done set up after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent, cancelParent := context.WithCancelCause(context.Background())
			c, ctx := newCall(parent, nil, time.Hour)
			defer c.end()
			var done <-chan struct{}
			if tt.waitFirst {
				done = ctx.Done()
			}
			cause := errors.New("client went away")
			cancelParent(cause)
			if !tt.waitFirst {
				if err := ctx.Err(); !errors.Is(err, context.Canceled) {
					t.Errorf("Err() = %v, want Canceled", err)
				}
				done = ctx.Done()
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Done() not closed after the parent was cancelled")
			}
			if err := ctx.Err(); !errors.Is(err, context.Canceled) {
				t.Errorf("Err() = %v, want Canceled", err)
			}
			if got := context.Cause(ctx); !errors.Is(got, cause) {
				t.Errorf("Cause() = %v, want %v", got, cause)
			}
		})
	}
}

func TestCallContextEnd(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		arm     bool
	}{
		{name: "timeout, no timer", timeout: time.Hour},
		{name: "timeout, timer", timeout: time.Hour, arm: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ctx := newCall(context.Background(), nil, tt.timeout)
			if tt.arm {
				_ = ctx.Done()
			}
			c.end()
			if err := ctx.Err(); !errors.Is(err, context.Canceled) {
				t.Errorf("Err() after end = %v, want Canceled", err)
			}
			select {
			case <-ctx.Done():
			default:
				t.Error("Done() open after end")
			}
			child, cancel := context.WithTimeout(ctx, time.Hour)
			defer cancel()
			if err := child.Err(); !errors.Is(err, context.Canceled) {
				t.Errorf("child of an ended call: Err() = %v, want Canceled", err)
			}
		})
	}
}

func TestCallContextMergedBase(t *testing.T) {
	tests := []struct {
		name      string
		timeout   time.Duration
		waitFirst bool // call Done before the Start context is cancelled
	}{
		{name: "done set up first", waitFirst: true},
		{name: "done set up after"},
		{name: "timeout, done set up first", timeout: time.Hour, waitFirst: true},
		{name: "timeout, done set up after", timeout: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, cancelBase := context.WithCancelCause(context.Background())
			c, ctx := newCall(context.Background(), base, tt.timeout)
			defer c.end()
			if err := ctx.Err(); err != nil {
				t.Fatalf("Err() before the Start context is cancelled = %v", err)
			}
			var done <-chan struct{}
			if tt.waitFirst {
				done = ctx.Done()
			}
			cause := errors.New("app stopped")
			cancelBase(cause)
			if !tt.waitFirst {
				if err := ctx.Err(); !errors.Is(err, context.Canceled) {
					t.Errorf("Err() without Done = %v, want Canceled", err)
				}
				done = ctx.Done()
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("call not cancelled with the Start context")
			}
			if err := ctx.Err(); !errors.Is(err, context.Canceled) {
				t.Errorf("Err() = %v, want Canceled", err)
			}
			if got := context.Cause(ctx); !errors.Is(got, cause) {
				t.Errorf("Cause() = %v, want %v", got, cause)
			}
		})
	}
}

func TestCallContextBaseDeadline(t *testing.T) {
	d := time.Now().Add(time.Minute)
	base, cancel := context.WithDeadline(context.Background(), d)
	defer cancel()
	for _, timeout := range []time.Duration{0, time.Hour, time.Second} {
		c, ctx := newCall(context.Background(), base, timeout)
		want := d
		if timeout == time.Second {
			want = time.Time{} // the Timeout's, checked below
		}
		got, ok := ctx.Deadline()
		switch {
		case !ok:
			t.Errorf("timeout %v: Deadline() ok = false, want true", timeout)
		case want.IsZero() && !got.Before(d):
			t.Errorf("timeout %v: Deadline() = %v, want before %v", timeout, got, d)
		case !want.IsZero() && !got.Equal(want):
			t.Errorf("timeout %v: Deadline() = %v, want %v", timeout, got, want)
		}
		c.end()
	}
}

// TestCallContextEndWithBase checks that ending a call that follows a
// Start context cancels its context, and that a Done set up afterwards is
// closed.
func TestCallContextEndWithBase(t *testing.T) {
	base, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	c, ctx := newCall(context.Background(), base, 0)
	c.end()
	if err := ctx.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("Err() after end = %v, want Canceled", err)
	}
	select {
	case <-ctx.Done():
	default:
		t.Error("Done() open after end")
	}
}
