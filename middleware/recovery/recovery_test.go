package recovery

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/log"
)

type custom struct{ n int }

func TestRecovery(t *testing.T) {
	tests := []struct {
		name  string
		panic any
	}{
		{"string", "boom"},
		{"error", errors.New("bad")},
		{"nil error pointer", (*kerrors.Error)(nil)},
		{"custom type", custom{n: 1}},
		{"int", 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := Recovery(WithLogger(log.NewStdLogger(&buf)))(func(context.Context, any) (any, error) {
				panic(tt.panic)
			})
			reply, err := h(context.Background(), "req")
			if reply != nil {
				t.Errorf("reply = %v, want nil", reply)
			}
			if !kerrors.Is(err, ErrUnknownRequest) || kerrors.Code(err) != 500 || kerrors.Reason(err) != "UNKNOWN" {
				t.Errorf("err = %v, want ErrUnknownRequest (500 UNKNOWN)", err)
			}
			if out := buf.String(); !strings.HasPrefix(out, "ERROR") || !strings.Contains(out, "panic recovered") || !strings.Contains(out, "goroutine") {
				t.Errorf("log = %q, want an error record with a stack", out)
			}
		})
	}
}

func TestRecoveryNilPanic(t *testing.T) {
	// panic(nil) is a *runtime.PanicNilError since Go 1.21, so it is recovered too.
	h := Recovery(WithLogger(log.NewStdLogger(&bytes.Buffer{})))(func(context.Context, any) (any, error) {
		panic(nil)
	})
	if _, err := h(context.Background(), nil); !kerrors.Is(err, ErrUnknownRequest) {
		t.Errorf("err = %v, want ErrUnknownRequest", err)
	}
}

func TestWithHandler(t *testing.T) {
	var gotLatency any
	h := Recovery(
		WithLogger(log.NewStdLogger(&bytes.Buffer{})),
		WithMaxStack(128),
		WithHandler(func(ctx context.Context, req, err any) error {
			gotLatency = ctx.Value(Latency{})
			return kerrors.New(503, "PANIC", "handled: "+err.(string))
		}),
	)(func(context.Context, any) (any, error) { panic("x") })
	_, err := h(context.Background(), nil)
	if got, want := kerrors.Reason(err), "PANIC"; got != want {
		t.Errorf("Reason = %q, want %q", got, want)
	}
	if _, ok := gotLatency.(float64); !ok {
		t.Errorf("Latency value = %T, want float64", gotLatency)
	}
}

func TestNoPanicPassesThrough(t *testing.T) {
	h := Recovery()(func(context.Context, any) (any, error) { return "ok", nil })
	if reply, err := h(context.Background(), nil); reply != "ok" || err != nil {
		t.Errorf("h() = %v, %v; want ok, nil", reply, err)
	}
}

// BenchmarkRecovery measures what the middleware adds to a call that does
// not panic, next to the bare handler.
func BenchmarkRecovery(b *testing.B) {
	next := func(context.Context, any) (any, error) { return nil, nil }
	for _, bc := range []struct {
		name string
		h    func(context.Context, any) (any, error)
	}{
		{"bare", next},
		{"recovery", Recovery()(next)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				_, _ = bc.h(ctx, nil)
			}
		})
	}
}
