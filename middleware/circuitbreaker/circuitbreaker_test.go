package circuitbreaker

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/internal/group"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

// fakeBreaker records what the middleware tells it.
type fakeBreaker struct {
	mu              sync.Mutex
	refuse          bool
	success, failed int
}

func (f *fakeBreaker) Allow() error {
	if f.refuse {
		return errors.New("open")
	}
	return nil
}
func (f *fakeBreaker) MarkSuccess() { f.mu.Lock(); f.success++; f.mu.Unlock() }
func (f *fakeBreaker) MarkFailed()  { f.mu.Lock(); f.failed++; f.mu.Unlock() }

func clientCtx(operation string) context.Context {
	return transport.NewClientContext(context.Background(), transporttest.New(transport.KindGRPC, operation))
}

func TestClientMarks(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantFailed bool
	}{
		{"success", nil, false},
		{"500", kerrors.InternalServer("X", "x"), true},
		{"503", kerrors.ServiceUnavailable("X", "x"), true},
		{"504", kerrors.GatewayTimeout("X", "x"), true},
		{"wrapped 503", fmt.Errorf("call: %w", kerrors.ServiceUnavailable("X", "x")), true},
		{"gRPC Unavailable", status.Error(codes.Unavailable, "down"), true},
		{"gRPC DeadlineExceeded", status.Error(codes.DeadlineExceeded, "slow"), true},
		{"plain error counts as 500", errors.New("connection refused"), true},
		{"400", kerrors.BadRequest("X", "x"), false},
		{"404", kerrors.NotFound("X", "x"), false},
		{"429", kerrors.New(429, "X", "x"), false},
		{"499", kerrors.ClientClosed("X", "x"), false},
		{"502", kerrors.New(502, "X", "x"), false},
		{"gRPC NotFound", status.Error(codes.NotFound, "no"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := &fakeBreaker{}
			_, err := Client(WithCircuitBreaker(func() CircuitBreaker { return fb }))(
				func(context.Context, any) (any, error) { return nil, tt.err })(clientCtx("/a.B/C"), nil)
			if err != tt.err {
				t.Errorf("error = %v, want the handler's %v", err, tt.err)
			}
			want := [2]int{1, 0}
			if tt.wantFailed {
				want = [2]int{0, 1}
			}
			if got := [2]int{fb.success, fb.failed}; got != want {
				t.Errorf("success, failed = %v, want %v", got, want)
			}
		})
	}
}

func TestClientRefusal(t *testing.T) {
	fb := &fakeBreaker{refuse: true}
	called := false
	_, err := Client(WithCircuitBreaker(func() CircuitBreaker { return fb }))(
		func(context.Context, any) (any, error) { called = true; return nil, nil })(clientCtx("/a.B/C"), nil)
	if err != ErrNotAllowed {
		t.Errorf("error = %v, want ErrNotAllowed", err)
	}
	if called {
		t.Error("handler called for a refused call")
	}
	// A refusal counts as a failure.
	if fb.success != 0 || fb.failed != 1 {
		t.Errorf("success, failed = %d, %d, want 0, 1", fb.success, fb.failed)
	}
	if ErrNotAllowed.Code != 503 || ErrNotAllowed.Reason != "CIRCUITBREAKER" ||
		ErrNotAllowed.Message != "request failed due to circuit breaker triggered" {
		t.Errorf("ErrNotAllowed = %v", ErrNotAllowed)
	}
}

func TestClientPerOperation(t *testing.T) {
	breakers := map[string]*fakeBreaker{}
	var mu sync.Mutex
	newCount := 0
	g := group.New(func() CircuitBreaker {
		mu.Lock()
		defer mu.Unlock()
		newCount++
		return &fakeBreaker{}
	})
	mw := Client(WithGroup(g))
	h := mw(func(ctx context.Context, req any) (any, error) { return nil, nil })
	for _, op := range []string{"/a.B/C", "/a.B/D", "/a.B/C", ""} {
		ctx := clientCtx(op)
		if op == "" {
			ctx = context.Background() // no transport: the key is ""
		}
		if _, err := h(ctx, nil); err != nil {
			t.Fatalf("call %q: %v", op, err)
		}
	}
	for _, op := range []string{"/a.B/C", "/a.B/D", ""} {
		breakers[op] = g.Get(op).(*fakeBreaker)
	}
	if newCount != 3 {
		t.Errorf("breakers made = %d, want 3", newCount)
	}
	if got := breakers["/a.B/C"].success; got != 2 {
		t.Errorf("/a.B/C successes = %d, want 2", got)
	}
	// A second client with the same group shares the breakers.
	h2 := Client(WithGroup(g))(func(context.Context, any) (any, error) { return nil, nil })
	_, _ = h2(clientCtx("/a.B/D"), nil)
	if got := breakers["/a.B/D"].success; got != 2 {
		t.Errorf("/a.B/D successes after a call from another client = %d, want 2", got)
	}
}

// dependency answers calls with err.
type dependency struct{ err error }

func (d *dependency) call(context.Context, any) (any, error) { return "ok", d.err }

func TestClientOpensAndRecovers(t *testing.T) {
	clk := &clock{}
	rng := rand.New(rand.NewPCG(7, 11))
	dep := &dependency{}
	h := Client(WithCircuitBreaker(func() CircuitBreaker {
		return NewSRE(&SREOptions{Now: clk.Now, Rand: rng.Float64})
	}))(dep.call)
	other := Client(WithCircuitBreaker(func() CircuitBreaker {
		return NewSRE(&SREOptions{Now: clk.Now, Rand: rng.Float64})
	}))

	ctx := clientCtx("/dep.v1.Dep/Get")
	// run makes one call every 10ms for d and counts the outcomes per
	// second of simulated time.
	type second struct{ ok, failed, refused int }
	run := func(d time.Duration) []second {
		var out []second
		for el := time.Duration(0); el < d; el += 10 * time.Millisecond {
			if el%time.Second == 0 {
				out = append(out, second{})
			}
			s := &out[len(out)-1]
			_, err := h(ctx, nil)
			switch {
			case err == nil:
				s.ok++
			case err == ErrNotAllowed:
				s.refused++
			default:
				s.failed++
			}
			clk.Advance(10 * time.Millisecond)
		}
		return out
	}

	healthy := run(5 * time.Second)
	for i, s := range healthy {
		if s.refused != 0 || s.failed != 0 {
			t.Errorf("healthy second %d: %+v, want all ok", i, s)
		}
	}

	dep.err = kerrors.ServiceUnavailable("DOWN", "dependency down")
	failing := run(10 * time.Second)
	t.Logf("failing: %+v", failing)
	// Once the window holds only failures, nearly everything is refused
	// locally (p = 300/301 with 100 calls a second); a few calls still
	// probe the dependency.
	probes := 0
	for i, s := range failing[3:] {
		if s.refused < 95 {
			t.Errorf("failing second %d: %+v, want at least 95 of 100 refused", i+3, s)
		}
		probes += s.failed
	}
	if probes == 0 {
		t.Error("no call reached the failing dependency after the breaker opened")
	}

	// Another operation on another client is not affected.
	if _, err := other(dep.call)(clientCtx("/dep.v1.Dep/List"), nil); err == ErrNotAllowed {
		t.Error("another operation was refused")
	}

	dep.err = nil
	healed := run(30 * time.Second)
	t.Logf("healed: %+v", healed)
	recovered := -1
	for i, s := range healed {
		if s.refused == 0 {
			recovered = i
			break
		}
	}
	if recovered < 0 || recovered > 20 {
		t.Fatalf("no second without refusals within 20s of healing (first at %d)", recovered)
	}
	for i, s := range healed[len(healed)-5:] {
		if s.ok != 100 {
			t.Errorf("healed second %d: %+v, want all ok", len(healed)-5+i, s)
		}
	}
}

func TestClientNoAllocs(t *testing.T) {
	h := Client()(func(context.Context, any) (any, error) { return nil, nil })
	ctx := clientCtx("/a.B/C")
	if allocs := testing.AllocsPerRun(1000, func() { _, _ = h(ctx, nil) }); allocs != 0 {
		t.Errorf("allocs per call through Client = %v, want 0", allocs)
	}
}

func BenchmarkClient(b *testing.B) {
	ctx := clientCtx("/a.B/C")
	bare := func(context.Context, any) (any, error) { return nil, nil }
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = bare(ctx, nil)
		}
	})
	b.Run("sre", func(b *testing.B) {
		h := Client()(bare)
		b.ReportAllocs()
		for b.Loop() {
			_, _ = h(ctx, nil)
		}
	})
}
