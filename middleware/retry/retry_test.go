package retry

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/internal/testgreeter"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

const sayHelloOp = testgreeter.OperationGreeterSayHello

// fast is the back-off of tests that retry at once.
var fast = WithBackoff(0, 0)

func TestTwoFailuresThenSuccess(t *testing.T) {
	for _, tk := range transports {
		t.Run(tk.name, func(t *testing.T) {
			var (
				mu      sync.Mutex
				markers []int
			)
			endpoint := tk.serve(t, func(ctx context.Context, in *testgreeter.HelloRequest) (*testgreeter.HelloReply, error) {
				mu.Lock()
				defer mu.Unlock()
				markers = append(markers, AttemptFromServerContext(ctx))
				if len(markers) <= 2 {
					return nil, errors.ServiceUnavailable("BUSY", "try again")
				}
				return &testgreeter.HelloReply{Message: "hello " + in.GetName()}, nil
			})
			call := tk.dial(t, endpoint, nil, Client(WithIdempotent(sayHelloOp), fast))
			got, err := call(testContext(t), "kratos")
			if err != nil || got != "hello kratos" {
				t.Fatalf("SayHello() = %q, %v; want %q, nil", got, err, "hello kratos")
			}
			mu.Lock()
			defer mu.Unlock()
			if want := []int{0, 1, 2}; fmt.Sprint(markers) != fmt.Sprint(want) {
				t.Errorf("attempts seen by the server (their %s) = %v, want %v", AttemptHeader, markers, want)
			}
		})
	}
}

func TestNotRetried(t *testing.T) {
	for _, tk := range transports {
		for _, c := range []struct {
			name string
			err  error
			opts []Option
		}{
			{"bad request", errors.BadRequest("BAD", ""), []Option{WithIdempotent(sayHelloOp)}},
			{"too many requests", errors.New(429, "SLOW_DOWN", ""), []Option{WithIdempotent(sayHelloOp)}},
			{"internal", errors.InternalServer("OOPS", ""), []Option{WithIdempotent(sayHelloOp)}},
			{"server deadline", errors.GatewayTimeout("DEADLINE", ""), []Option{WithIdempotent(sayHelloOp)}},
			{"budget of nothing", errors.ServiceUnavailable("BUSY", ""), []Option{WithIdempotent(sayHelloOp), WithBudget(NewBudget(0, 0))}},
			{"one attempt", errors.ServiceUnavailable("BUSY", ""), []Option{WithIdempotent(sayHelloOp), WithMaxAttempts(1)}},
		} {
			t.Run(tk.name+"/"+c.name, func(t *testing.T) {
				var n atomicInt
				endpoint := tk.serve(t, func(context.Context, *testgreeter.HelloRequest) (*testgreeter.HelloReply, error) {
					n.Add(1)
					return nil, c.err
				})
				call := tk.dial(t, endpoint, nil, Client(append(c.opts, fast)...))
				_, err := call(testContext(t), "x")
				if got, want := errors.Code(err), errors.Code(c.err); got != want {
					t.Errorf("SayHello() error code = %d (%v), want %d", got, err, want)
				}
				if got := n.Load(); got != 1 {
					t.Errorf("attempts = %d, want 1", got)
				}
			})
		}
	}
}

// TestNotIdempotent checks that a 503 of a call not known to be idempotent
// is not retried: gRPC SayHello has no idempotency_level, and on HTTP the
// call is a POST.
func TestNotIdempotent(t *testing.T) {
	t.Run("grpc", func(t *testing.T) {
		var n atomicInt
		endpoint := serveGRPC(t, func(context.Context, *testgreeter.HelloRequest) (*testgreeter.HelloReply, error) {
			n.Add(1)
			return nil, errors.ServiceUnavailable("BUSY", "")
		})
		_, err := dialGRPC(t, endpoint, nil, Client(fast))(testContext(t), "x")
		if !errors.IsServiceUnavailable(err) {
			t.Errorf("SayHello() error = %v, want a 503", err)
		}
		if got := n.Load(); got != 1 {
			t.Errorf("attempts = %d, want 1", got)
		}
	})
	t.Run("http", func(t *testing.T) {
		var n atomicInt
		srv := khttp.NewServer(khttp.Address("127.0.0.1:0"))
		srv.Route("/").POST("/hello", func(ctx khttp.Context) error {
			n.Add(1)
			return errors.ServiceUnavailable("BUSY", "")
		})
		c := testgreeter.DialHTTP(t, testgreeter.ServeHTTP(t, srv), khttp.WithMiddleware(Client(fast)))
		err := c.Invoke(testContext(t), "POST", "/hello", &testgreeter.HelloRequest{Name: "x"}, &testgreeter.HelloReply{})
		if !errors.IsServiceUnavailable(err) {
			t.Errorf("Invoke() error = %v, want a 503", err)
		}
		if got := n.Load(); got != 1 {
			t.Errorf("attempts = %d, want 1", got)
		}
	})
}

// TestNotSentRetried checks that a request that could not be sent, to a
// port nobody listens on, is retried even when the call is not idempotent.
func TestNotSentRetried(t *testing.T) {
	var n atomicInt
	c := testgreeter.DialHTTP(t, deadAddress(t), khttp.WithMiddleware(Client(fast), counter(&n)))
	err := c.Invoke(testContext(t), "POST", "/hello", &testgreeter.HelloRequest{Name: "x"}, &testgreeter.HelloReply{})
	if err == nil {
		t.Fatal("Invoke() error = nil, want a connection error")
	}
	if got, want := n.Load(), int64(DefaultMaxAttempts); got != want {
		t.Errorf("attempts = %d, want %d (error %v)", got, want, err)
	}
}

func TestBudgetUnderFailures(t *testing.T) {
	const calls = 1000
	for _, tk := range transports {
		t.Run(tk.name, func(t *testing.T) {
			var n atomicInt
			endpoint := tk.serve(t, func(context.Context, *testgreeter.HelloRequest) (*testgreeter.HelloReply, error) {
				n.Add(1)
				return nil, errors.ServiceUnavailable("DOWN", "")
			})
			b := NewBudget(0.1, 10)
			frozen := time.Now()
			b.now = func() time.Time { return frozen }
			call := tk.dial(t, endpoint, nil, Client(WithIdempotent(sayHelloOp), WithBudget(b), fast))
			ctx := testContext(t)
			for range calls {
				if _, err := call(ctx, "x"); !errors.IsServiceUnavailable(err) {
					t.Fatalf("SayHello() error = %v, want a 503", err)
				}
			}
			got := n.Load()
			t.Logf("%d calls made %d attempts", calls, got)
			if limit := int64(calls*1.1 + 10); got > limit {
				t.Errorf("attempts = %d, want at most %d", got, limit)
			}
			if least := int64(calls * 1.09); got < least {
				t.Errorf("attempts = %d, want at least %d: the budget was not used", got, least)
			}
		})
	}
}

// TestRetryOtherNode makes node 0 the balancer's favourite (weight 10
// against 1 and 1) and fail: every retry must go to another node.
func TestRetryOtherNode(t *testing.T) {
	for _, tk := range transports {
		t.Run(tk.name, func(t *testing.T) {
			var failing atomicInt // 1 while node 0 fails
			var mu sync.Mutex
			var hits []int
			reg := cluster(t, tk, 3, func(i int) greeter {
				return func(_ context.Context, in *testgreeter.HelloRequest) (*testgreeter.HelloReply, error) {
					if in.GetName() != "warm" {
						mu.Lock()
						hits = append(hits, i)
						mu.Unlock()
					}
					if i == 0 && failing.Load() == 1 {
						return nil, errors.ServiceUnavailable("DOWN", "")
					}
					return &testgreeter.HelloReply{Message: strconv.Itoa(i)}, nil
				}
			})
			for _, ins := range must(reg.GetService(context.Background(), "greeter")) {
				ins.Metadata = map[string]string{"weight": map[bool]string{true: "10", false: "1"}[ins.ID == "0"]}
				if err := reg.Register(context.Background(), ins); err != nil {
					t.Fatal(err)
				}
			}
			call := tk.dial(t, "discovery:///greeter", reg, Client(WithIdempotent(sayHelloOp), fast))
			warm(t, call, 3)
			failing.Store(1)
			ctx := testContext(t)
			for range 20 {
				mu.Lock()
				hits = hits[:0]
				mu.Unlock()
				got, err := call(ctx, "x")
				if err != nil || got == "0" {
					t.Fatalf("SayHello() = %q, %v; want an answer of node 1 or 2", got, err)
				}
				mu.Lock()
				h := append([]int(nil), hits...)
				mu.Unlock()
				if len(h) > 2 || (len(h) == 2 && h[0] != 0) {
					t.Fatalf("nodes attempted = %v, want node 0 at most once, first", h)
				}
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestChainStop calls a middle server whose handler calls a failing
// downstream server through a retrying client: the downstream call is
// retried unless the call to the middle server is marked as a retry.
func TestChainStop(t *testing.T) {
	for _, tk := range transports {
		t.Run(tk.name, func(t *testing.T) {
			var down atomicInt
			downstream := tk.serve(t, func(context.Context, *testgreeter.HelloRequest) (*testgreeter.HelloReply, error) {
				down.Add(1)
				return nil, errors.ServiceUnavailable("DOWN", "")
			})
			var callDown sayHello
			var ready sync.WaitGroup
			ready.Add(1)
			middle := tk.serve(t, func(ctx context.Context, in *testgreeter.HelloRequest) (*testgreeter.HelloReply, error) {
				ready.Wait()
				_, err := callDown(ctx, in.GetName())
				return nil, err
			})
			callDown = tk.dial(t, downstream, nil, Client(WithIdempotent(sayHelloOp), fast))
			ready.Done()
			for _, c := range []struct {
				marker string
				want   int64
			}{
				{"", DefaultMaxAttempts},
				{"1", 1},
				{"junk", 1},
			} {
				down.Store(0)
				call := tk.dial(t, middle, nil, setHeader(AttemptHeader, c.marker))
				if _, err := call(testContext(t), "x"); !errors.IsServiceUnavailable(err) {
					t.Fatalf("SayHello() error = %v, want the downstream 503", err)
				}
				if got := down.Load(); got != c.want {
					t.Errorf("with %s %q, downstream attempts = %d, want %d", AttemptHeader, c.marker, got, c.want)
				}
			}
		})
	}
}

// setHeader sets a request header of the calls it sees, unless value is "".
func setHeader(key, value string) middleware.Middleware {
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			if tr, ok := transport.FromClientContext(ctx); ok && value != "" {
				tr.RequestHeader().Set(key, value)
			}
			return next(ctx, req)
		}
	}
}

// TestHedge sends a call to three nodes whose first request hangs until
// it is cancelled: a hedge after 50 ms answers it, and the hanging attempt
// is cancelled.
func TestHedge(t *testing.T) {
	for _, tk := range transports {
		t.Run(tk.name, func(t *testing.T) {
			var armed atomicInt
			cancelled := make(chan struct{})
			reg := cluster(t, tk, 3, func(i int) greeter {
				return func(ctx context.Context, in *testgreeter.HelloRequest) (*testgreeter.HelloReply, error) {
					if in.GetName() != "warm" && armed.CompareAndSwap(1, 2) {
						select {
						case <-ctx.Done():
							close(cancelled)
							return nil, ctx.Err()
						case <-time.After(time.Second): // the "sleeping" node; never reached when cancelled
							return nil, errors.ServiceUnavailable("LATE", "")
						}
					}
					return &testgreeter.HelloReply{Message: strconv.Itoa(i)}, nil
				}
			})
			var n atomicInt
			call := tk.dial(t, "discovery:///greeter", reg, Client(WithIdempotent(sayHelloOp), Hedge(50*time.Millisecond, 3)), counter(&n))
			warm(t, call, 3)
			armed.Store(1)
			n.Store(0)
			start := time.Now()
			got, err := call(testContext(t), "x")
			elapsed := time.Since(start)
			t.Logf("hedged call answered in %v by node %s after %d attempts", elapsed, got, n.Load())
			if err != nil {
				t.Fatalf("SayHello() error = %v", err)
			}
			if elapsed >= time.Second {
				t.Errorf("hedged call took %v, want well under 1s", elapsed)
			}
			if got := n.Load(); got != 2 {
				t.Errorf("attempts = %d, want 2", got)
			}
			select {
			case <-cancelled:
			case <-time.After(5 * time.Second):
				t.Error("the hanging attempt's context was not cancelled")
			}
		})
	}
}
