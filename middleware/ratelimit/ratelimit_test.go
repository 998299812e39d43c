package ratelimit

import (
	"context"
	"errors"
	"testing"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
)

// fakeLimiter admits calls while open and records how they ended.
type fakeLimiter struct {
	open  bool
	err   error
	dones []DoneInfo
}

func (f *fakeLimiter) Allow() (DoneFunc, error) {
	if !f.open {
		return nil, f.err
	}
	return func(info DoneInfo) { f.dones = append(f.dones, info) }, nil
}

func TestServer(t *testing.T) {
	handlerErr := kerrors.InternalServer("BOOM", "boom")
	tests := []struct {
		name       string
		limiter    *fakeLimiter
		handlerErr error
		wantErr    error
		wantCalled bool
		wantDone   []DoneInfo
	}{
		{"admitted", &fakeLimiter{open: true}, nil, nil, true, []DoneInfo{{}}},
		{"admitted, handler fails", &fakeLimiter{open: true}, handlerErr, handlerErr, true, []DoneInfo{{Err: handlerErr}}},
		{"refused", &fakeLimiter{err: errors.New("no")}, nil, ErrLimitExceed, false, nil},
		{"refused with a kratos error", &fakeLimiter{err: kerrors.ServiceUnavailable("X", "x")}, nil, ErrLimitExceed, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			reply, err := Server(WithLimiter(tt.limiter))(func(ctx context.Context, req any) (any, error) {
				called = true
				return "reply", tt.handlerErr
			})(context.Background(), "req")
			if err != tt.wantErr {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			if called != tt.wantCalled {
				t.Errorf("handler called = %v, want %v", called, tt.wantCalled)
			}
			if called && reply != "reply" {
				t.Errorf("reply = %v, want reply", reply)
			}
			if len(tt.limiter.dones) != len(tt.wantDone) {
				t.Fatalf("done calls = %v, want %v", tt.limiter.dones, tt.wantDone)
			}
			for i := range tt.wantDone {
				if tt.limiter.dones[i] != tt.wantDone[i] {
					t.Errorf("done[%d] = %v, want %v", i, tt.limiter.dones[i], tt.wantDone[i])
				}
			}
		})
	}
}

func TestServerDoneOnPanic(t *testing.T) {
	l := &fakeLimiter{open: true}
	h := Server(WithLimiter(l))(func(context.Context, any) (any, error) { panic("boom") })
	func() {
		defer func() { _ = recover() }()
		_, _ = h(context.Background(), nil)
	}()
	if len(l.dones) != 1 {
		t.Errorf("done calls after a panic = %d, want 1", len(l.dones))
	}
}

func TestErrLimitExceed(t *testing.T) {
	if ErrLimitExceed.Code != 429 || ErrLimitExceed.Reason != "RATELIMIT" ||
		ErrLimitExceed.Message != "service unavailable due to rate limit exceeded" {
		t.Errorf("ErrLimitExceed = %v", ErrLimitExceed)
	}
}

func TestServerDefaultBBR(t *testing.T) {
	// The default limiter admits calls on an idle test machine.
	h := Server()(func(context.Context, any) (any, error) { return "ok", nil })
	for i := 0; i < 100; i++ {
		if _, err := h(context.Background(), nil); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}

func TestServerNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops objects under the race detector")
	}
	h := Server(WithLimiter(NewBBR(&BBROptions{CPU: func() int64 { return 0 }})))(
		func(context.Context, any) (any, error) { return nil, nil })
	ctx := context.Background()
	if allocs := testing.AllocsPerRun(1000, func() { _, _ = h(ctx, nil) }); allocs != 0 {
		t.Errorf("allocs per call through Server = %v, want 0", allocs)
	}
}

func BenchmarkServer(b *testing.B) {
	ctx := context.Background()
	bare := func(context.Context, any) (any, error) { return nil, nil }
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = bare(ctx, nil)
		}
	})
	b.Run("bbr", func(b *testing.B) {
		h := Server(WithLimiter(NewBBR(&BBROptions{CPU: func() int64 { return 0 }})))(bare)
		b.ReportAllocs()
		for b.Loop() {
			_, _ = h(ctx, nil)
		}
	})
}
