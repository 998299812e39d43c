package middleware

import (
	"context"
	"reflect"
	"testing"
)

func TestChainOrder(t *testing.T) {
	var trace []string
	mw := func(name string) Middleware {
		return func(next Handler) Handler {
			return func(ctx context.Context, req any) (any, error) {
				trace = append(trace, name+" in")
				reply, err := next(ctx, req)
				trace = append(trace, name+" out")
				return reply, err
			}
		}
	}
	h := Chain(mw("a"), mw("b"), mw("c"))(func(ctx context.Context, req any) (any, error) {
		trace = append(trace, "handler")
		return req, nil
	})
	reply, err := h(context.Background(), "req")
	if reply != "req" || err != nil {
		t.Errorf("h() = %v, %v; want req, nil", reply, err)
	}
	want := []string{"a in", "b in", "c in", "handler", "c out", "b out", "a out"}
	if !reflect.DeepEqual(trace, want) {
		t.Errorf("trace = %v, want %v", trace, want)
	}
}

func TestChainEmpty(t *testing.T) {
	h := Chain()(func(ctx context.Context, req any) (any, error) { return 42, nil })
	if got, _ := h(context.Background(), nil); got != 42 {
		t.Errorf("Chain()(h)() = %v, want 42", got)
	}
}

func noop(next Handler) Handler { return next }

func passthrough(next Handler) Handler {
	return func(ctx context.Context, req any) (any, error) { return next(ctx, req) }
}

func BenchmarkChain5(b *testing.B) {
	h := Chain(passthrough, passthrough, passthrough, passthrough, passthrough)(func(ctx context.Context, req any) (any, error) {
		return req, nil
	})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = h(ctx, ctx)
	}
}

func BenchmarkBareHandler(b *testing.B) {
	h := Chain(noop)(func(ctx context.Context, req any) (any, error) { return req, nil })
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = h(ctx, ctx)
	}
}
