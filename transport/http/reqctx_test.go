package http

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestReqContextDeadline(t *testing.T) {
	var c reqContext
	c.init(context.Background(), time.Now().Add(20*time.Millisecond), nil)
	defer c.release()
	if err := c.Err(); err != nil {
		t.Fatalf("Err() before deadline = %v, want nil", err)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done() not closed after the deadline")
	}
	if err := c.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Err() = %v, want %v", err, context.DeadlineExceeded)
	}
	if cause := context.Cause(&c); !errors.Is(cause, context.DeadlineExceeded) {
		t.Errorf("Cause() = %v, want %v", cause, context.DeadlineExceeded)
	}
}

func TestReqContextLazyErr(t *testing.T) {
	var c reqContext
	c.init(context.Background(), time.Now().Add(-time.Second), nil)
	defer c.release()
	if err := c.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Err() past deadline = %v, want %v", err, context.DeadlineExceeded)
	}
	if c.inner.Load() != nil {
		t.Errorf("Err() created the inner context, want it lazy")
	}
	c.release()
	if err := c.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Err() after release = %v, want the first error %v", err, context.DeadlineExceeded)
	}
	select {
	case <-c.Done():
	default:
		t.Errorf("Done() not closed for an expired context")
	}
}

func TestReqContextRelease(t *testing.T) {
	var c reqContext
	c.init(context.Background(), time.Now().Add(time.Hour), nil)
	child, cancel := context.WithCancel(&c)
	defer cancel()
	c.release()
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("child not canceled by release")
	}
	if err := c.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("Err() after release = %v, want %v", err, context.Canceled)
	}

	var late reqContext
	late.init(context.Background(), time.Now().Add(time.Hour), nil)
	late.release()
	select {
	case <-late.Done():
	default:
		t.Errorf("Done() first called after release is not closed")
	}
}

type ctxKey struct{}

func TestReqContextParent(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
	var c reqContext
	c.init(parent, time.Now().Add(time.Hour), nil)
	defer c.release()
	if got := c.Value(ctxKey{}); got != "v" {
		t.Errorf("Value() = %v, want v", got)
	}
	early := time.Now().Add(time.Minute)
	pd, pcancel := context.WithDeadline(parent, early)
	defer pcancel()
	var c2 reqContext
	c2.init(pd, time.Now().Add(time.Hour), nil)
	defer c2.release()
	if d, ok := c2.Deadline(); !ok || !d.Equal(early) {
		t.Errorf("Deadline() = %v, %v, want the parent's %v", d, ok, early)
	}
	cancel()
	if err := c.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("Err() after parent cancel = %v, want %v", err, context.Canceled)
	}
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done() not closed after parent cancel")
	}
}

func TestReqContextAfterFunc(t *testing.T) {
	var c reqContext
	c.init(context.Background(), time.Now().Add(time.Hour), nil)
	ran := make(chan struct{})
	context.AfterFunc(&c, func() { close(ran) })
	c.release()
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("AfterFunc not run after release")
	}
}

func TestReqContextNoDeadline(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	var c reqContext
	c.init(parent, time.Time{}, nil)
	if d, ok := c.Deadline(); ok {
		t.Errorf("Deadline() = %v, true, want none", d)
	}
	early := time.Now().Add(time.Minute)
	pd, pcancel := context.WithDeadline(parent, early)
	defer pcancel()
	var c2 reqContext
	c2.init(pd, time.Time{}, nil)
	defer c2.release()
	if d, ok := c2.Deadline(); !ok || !d.Equal(early) {
		t.Errorf("Deadline() = %v, %v, want the parent's %v", d, ok, early)
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err() = %v, want nil", err)
	}
	done := c.Done()
	c.release()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Done() not closed after release")
	}
	if err := c.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("Err() after release = %v, want %v", err, context.Canceled)
	}
}
