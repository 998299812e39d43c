package circuitbreaker

import (
	"context"
	"sync/atomic"
	"testing"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	internalbreaker "github.com/seed6ad8aa6b/kratos/internal/circuitbreaker"
)

// The alias makes the middleware's name and the internal one the same type.
var _ internalbreaker.CircuitBreaker = CircuitBreaker(nil)

func TestWithBreakerFactory(t *testing.T) {
	var made atomic.Int32
	refusing := func() CircuitBreaker { made.Add(1); return &fakeBreaker{refuse: true} }
	admitting := func() CircuitBreaker { made.Add(1); return &fakeBreaker{} }
	tests := []struct {
		name      string
		opts      []Option
		wantCode  int
		wantMade  int32
		wantCalls int
	}{
		{"factory used", []Option{WithBreakerFactory(refusing)}, 503, 1, 0},
		{"last option wins", []Option{WithBreakerFactory(refusing), WithBreakerFactory(admitting)}, 200, 1, 2},
		{"nil keeps the one before", []Option{WithBreakerFactory(refusing), WithBreakerFactory(nil)}, 503, 1, 0},
		{"nil alone keeps the default", []Option{WithBreakerFactory(nil)}, 200, 0, 2},
	}
	for _, tt := range tests {
		made.Store(0)
		calls := 0
		h := Client(tt.opts...)(func(context.Context, any) (any, error) { calls++; return "ok", nil })
		var err error
		for range 2 {
			_, err = h(clientCtx("/a.B/C"), nil)
		}
		if got := kerrors.Code(err); got != tt.wantCode {
			t.Errorf("%s: Code = %d, want %d", tt.name, got, tt.wantCode)
		}
		if got := made.Load(); got != tt.wantMade {
			t.Errorf("%s: breakers made = %d, want %d (one per operation, lazily)", tt.name, got, tt.wantMade)
		}
		if calls != tt.wantCalls {
			t.Errorf("%s: handler calls = %d, want %d", tt.name, calls, tt.wantCalls)
		}
	}
}

func TestWithBreakerFactoryPerOperation(t *testing.T) {
	var made atomic.Int32
	h := Client(WithBreakerFactory(func() CircuitBreaker { made.Add(1); return &fakeBreaker{} }))(
		func(context.Context, any) (any, error) { return nil, nil })
	for _, op := range []string{"/a.B/C", "/a.B/D", "/a.B/C"} {
		if _, err := h(clientCtx(op), nil); err != nil {
			t.Fatalf("call %s error = %v", op, err)
		}
	}
	if got := made.Load(); got != 2 {
		t.Errorf("breakers made = %d, want 2", got)
	}
}
