package xcontext

import (
	"context"
	"errors"
	"testing"
	"time"
)

type key string

func TestMergeValuesAndDeadline(t *testing.T) {
	d1 := time.Now().Add(time.Hour)
	d2 := time.Now().Add(time.Minute)
	p1, c1 := context.WithDeadline(context.WithValue(context.Background(), key("a"), "1"), d1)
	defer c1()
	p2, c2 := context.WithDeadline(context.WithValue(context.Background(), key("b"), "2"), d2)
	defer c2()
	ctx, cancel := Merge(p1, p2)
	defer cancel()
	if got := ctx.Value(key("a")); got != "1" {
		t.Errorf("Value(a) = %v, want 1", got)
	}
	if got := ctx.Value(key("b")); got != "2" {
		t.Errorf("Value(b) = %v, want 2", got)
	}
	if got, ok := ctx.Deadline(); !ok || !got.Equal(d2) {
		t.Errorf("Deadline() = %v, %v; want %v", got, ok, d2)
	}
}

func TestMergeCancel(t *testing.T) {
	for _, which := range []int{1, 2} {
		p1, c1 := context.WithCancel(context.Background())
		p2, c2 := context.WithCancel(context.Background())
		ctx, cancel := Merge(p1, p2)
		if which == 1 {
			c1()
		} else {
			c2()
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("cancelling parent %d did not cancel the merged context", which)
		}
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Errorf("Err() = %v, want Canceled", ctx.Err())
		}
		cancel()
		c1()
		c2()
	}
}

func TestMergeOwnCancel(t *testing.T) {
	ctx, cancel := Merge(context.Background(), context.Background())
	cancel()
	<-ctx.Done()
	if _, ok := ctx.Deadline(); ok {
		t.Error("Deadline() ok = true without parent deadlines")
	}
}
