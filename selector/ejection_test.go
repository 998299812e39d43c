package selector_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/node/direct"
	"github.com/seed6ad8aa6b/kratos/selector/p2c"
	"github.com/seed6ad8aa6b/kratos/selector/random"
	"github.com/seed6ad8aa6b/kratos/selector/wrr"
)

// clock is a manual clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Errors as the transports report them.
var (
	errRefused = &url.Error{Op: "Get", URL: "http://10.0.0.2:8000/x", Err: &net.OpError{
		Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED},
	}}
	errUnavailable     = kerrors.ServiceUnavailable("UNAVAILABLE", "overloaded")
	errGRPCUnavailable = status.Error(codes.Unavailable, "transport is closing")
	errTimeout         = kerrors.GatewayTimeout("DEADLINE_EXCEEDED", "per-try timeout").WithCause(context.DeadlineExceeded)
)

// harness drives a selector built with a manual clock over three nodes,
// answering each call with outcome(address).
type harness struct {
	t       *testing.T
	s       selector.Selector
	clk     *clock
	outcome func(addr string) error
}

const (
	addrA = "10.0.0.1:8000"
	addrB = "10.0.0.2:8000"
	addrC = "10.0.0.3:8000"
)

func newHarness(t *testing.T, s selector.Selector, n int) *harness {
	t.Helper()
	h := &harness{t: t, s: s, clk: newClock(), outcome: func(string) error { return nil }}
	selector.SetNow(s, h.clk.Now)
	s.Apply(nodes(n))
	return h
}

// failing makes the calls to the given addresses end with err.
func (h *harness) failing(err error, addrs ...string) {
	h.outcome = func(addr string) error {
		if slices.Contains(addrs, addr) {
			return err
		}
		return nil
	}
}

// call makes one call and returns where it went.
func (h *harness) call(opts ...selector.SelectOption) string {
	h.t.Helper()
	n, done, err := h.s.Select(context.Background(), opts...)
	if err != nil {
		h.t.Fatalf("Select() error = %v, want a node", err)
	}
	done(context.Background(), selector.DoneInfo{Err: h.outcome(n.Address())})
	return n.Address()
}

// calls makes k calls and counts them by address.
func (h *harness) calls(k int) map[string]int {
	h.t.Helper()
	got := map[string]int{}
	for range k {
		got[h.call()]++
	}
	return got
}

// callUntil calls until addr had k calls, and fails the test when that
// takes more than 1000 calls.
func (h *harness) callUntil(addr string, k int) {
	h.t.Helper()
	for i := 0; k > 0; i++ {
		if i == 1000 {
			h.t.Fatalf("%s got no call in 1000 calls", addr)
		}
		if h.call() == addr {
			k--
		}
	}
}

// only is a select option keeping the node at addr.
func only(addr string) selector.SelectOption {
	return selector.WithNodeFilter(func(_ context.Context, nodes []selector.Node) []selector.Node {
		out := nodes[:0]
		for _, n := range nodes {
			if n.Address() == addr {
				out = append(out, n)
			}
		}
		return out
	})
}

func TestEjectionAfterConsecutiveFailures(t *testing.T) {
	errs := []struct {
		name string
		err  error
	}{
		{"503", errUnavailable},
		{"gRPC Unavailable", errGRPCUnavailable},
		{"per-try timeout", errTimeout},
		{"connection reset", &url.Error{Op: "Post", URL: "http://x", Err: syscall.ECONNRESET}},
	}
	for _, bal := range balancers {
		for _, e := range errs {
			t.Run(bal.name+"/"+e.name, func(t *testing.T) {
				h := newHarness(t, bal.build(), 3)
				h.calls(30) // every node answers once at least
				h.failing(e.err, addrB)
				// Pin calls to B, as p2c would move them away on its own.
				for i := range 5 {
					if got := h.call(only(addrB)); got != addrB {
						t.Fatalf("after %d failures, a call for %s went to %s", i, addrB, got)
					}
					if i == 3 {
						// Four failures do not eject. (Canceled calls
						// neither count nor reset the count.)
						h.failing(context.Canceled, addrB)
						if got := h.calls(30); bal.name != "p2c" && got[addrB] == 0 {
							h.t.Fatalf("after 4 failures, calls = %v, want some on %s", got, addrB)
						}
						h.failing(e.err, addrB)
					}
				}
				if got := h.calls(300); got[addrB] != 0 {
					t.Fatalf("after 5 failures in a row, calls = %v, want none on %s", got, addrB)
				}
				h.clk.Add(time.Second - time.Nanosecond)
				if got := h.calls(300); got[addrB] != 0 {
					t.Fatalf("before the 1s back-off passed, calls = %v, want none on %s", got, addrB)
				}
				h.clk.Add(time.Nanosecond)
				h.failing(nil)
				if got := h.call(); got != addrB {
					t.Fatalf("first call after the back-off went to %s, want the probe to %s", got, addrB)
				}
				if got := h.calls(300); got[addrB] == 0 && bal.name != "p2c" { // B's ewma weight keeps p2c away
					t.Errorf("after a successful probe, calls = %v, want some on %s", got, addrB)
				}
			})
		}
	}
}

func TestEjectionUnreachableAtOnce(t *testing.T) {
	for _, bal := range balancers {
		t.Run(bal.name, func(t *testing.T) {
			h := newHarness(t, bal.build(), 3)
			h.failing(errRefused, addrB)
			h.callUntil(addrB, 1)
			if got := h.calls(300); got[addrB] != 0 {
				t.Errorf("after one refused connection, calls = %v, want none on %s", got, addrB)
			}
		})
	}
}

func TestEjectionBackoff(t *testing.T) {
	for _, bal := range balancers {
		t.Run(bal.name, func(t *testing.T) {
			h := newHarness(t, bal.build(), 3)
			h.failing(errRefused, addrB)
			h.callUntil(addrB, 1)
			// Each failed probe doubles the back-off, up to 30s.
			var got []time.Duration
			for range 8 {
				var waited time.Duration
				for step := 250 * time.Millisecond; ; waited += step {
					if waited > time.Minute {
						t.Fatalf("no probe within a minute, back-offs so far %v", got)
					}
					if h.call() == addrB {
						break
					}
					h.clk.Add(step)
				}
				got = append(got, waited)
			}
			want := []time.Duration{1, 2, 4, 8, 16, 30, 30, 30}
			for i := range want {
				want[i] *= time.Second
			}
			if !slices.Equal(got, want) {
				t.Errorf("time between probes = %v, want %v", got, want)
			}
			if bal.name == "p2c" {
				return // B's ewma weight keeps p2c away from it after the probe
			}
			// A successful probe resets the back-off.
			h.failing(nil)
			h.clk.Add(30 * time.Second)
			if a := h.call(); a != addrB {
				t.Fatalf("call after 30s went to %s, want the probe to %s", a, addrB)
			}
			h.failing(errRefused, addrB)
			h.callUntil(addrB, 1)
			h.clk.Add(time.Second)
			if a := h.call(); a != addrB {
				t.Errorf("1s after a new ejection, the call went to %s, want a probe to %s (back-off reset)", a, addrB)
			}
		})
	}
}

func TestEjectionProbeIsExclusive(t *testing.T) {
	h := newHarness(t, wrr.New(), 3)
	h.failing(errRefused, addrB)
	h.callUntil(addrB, 1)
	h.clk.Add(time.Second)
	n, probeDone, err := h.s.Select(context.Background())
	if err != nil || n.Address() != addrB {
		t.Fatalf("Select() = %v, %v, want the probe to %s", n, err, addrB)
	}
	// While the probe is out, no other call goes to the node.
	if got := h.calls(300); got[addrB] != 0 {
		t.Fatalf("while the probe is out, calls = %v, want none on %s", got, addrB)
	}
	// A probe that never ends lets another start after the next back-off.
	h.clk.Add(2 * time.Second)
	n, done, err := h.s.Select(context.Background())
	if err != nil || n.Address() != addrB {
		t.Fatalf("Select() = %v, %v, want a second probe to %s", n, err, addrB)
	}
	// The first probe's late answer no longer counts.
	probeDone(context.Background(), selector.DoneInfo{})
	if got := h.calls(300); got[addrB] != 0 {
		t.Fatalf("after a stale probe succeeded, calls = %v, want none on %s", got, addrB)
	}
	done(context.Background(), selector.DoneInfo{})
	if got := h.calls(300); got[addrB] == 0 {
		t.Errorf("after the current probe succeeded, calls = %v, want some on %s", got, addrB)
	}
}

func TestEjectionProbeCanceled(t *testing.T) {
	h := newHarness(t, wrr.New(), 3)
	h.failing(errRefused, addrB)
	h.callUntil(addrB, 1)
	h.clk.Add(time.Second)
	h.failing(context.Canceled, addrB)
	if got := h.call(); got != addrB {
		t.Fatalf("call went to %s, want the probe to %s", got, addrB)
	}
	// A canceled probe says nothing: the next call probes again.
	if got := h.call(); got != addrB {
		t.Errorf("call after a canceled probe went to %s, want a new probe to %s", got, addrB)
	}
}

func TestEjectionNeutralOutcomes(t *testing.T) {
	errs := []error{
		context.Canceled,
		kerrors.ClientClosed("CANCELED", "").WithCause(context.Canceled),
		kerrors.New(429, "RATELIMIT", ""),
		status.Error(codes.Canceled, ""),
		status.Error(codes.ResourceExhausted, ""),
		kerrors.NotFound("NOT_FOUND", ""),
		status.Error(codes.InvalidArgument, ""),
		errors.New("no SubConn is available"),
	}
	for _, err := range errs {
		t.Run(err.Error(), func(t *testing.T) {
			h := newHarness(t, wrr.New(), 3)
			h.calls(30)
			h.failing(err, addrB)
			if got := h.calls(300); got[addrB] != 100 {
				t.Errorf("calls = %v, want 100 on %s (never ejected)", got, addrB)
			}
		})
	}
}

func TestEjectionSuccessResetsCount(t *testing.T) {
	h := newHarness(t, wrr.New(), 3)
	n := 0
	h.outcome = func(addr string) error {
		if addr != addrB {
			return nil
		}
		n++
		if n%5 == 0 {
			return nil // four failures, then a success
		}
		return errUnavailable
	}
	if got := h.calls(600); got[addrB] != 200 {
		t.Errorf("calls = %v, want 200 on %s (never 5 failures in a row)", got, addrB)
	}
}

// TestEjectionOnlyOutliers checks that failures common to all nodes, as a
// caller's own short deadline gives, eject nothing.
func TestEjectionOnlyOutliers(t *testing.T) {
	for _, bal := range balancers {
		t.Run(bal.name, func(t *testing.T) {
			h := newHarness(t, bal.build(), 3)
			ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			defer cancel()
			for range 300 {
				_, done, err := h.s.Select(ctx)
				if err != nil {
					t.Fatalf("Select() error = %v", err)
				}
				done(ctx, selector.DoneInfo{Err: errTimeout})
			}
			if got := selector.Ejected(h.s); len(got) != 0 {
				t.Errorf("ejected %v after timeouts on every node, want none", got)
			}
			// One node answering makes the others outliers: one of them
			// (50% of 3 nodes, rounded down) is ejected.
			h.failing(errTimeout, addrA, addrB)
			// p2c sends few calls to nodes that fail: make enough for each
			// to fail five times in a row.
			h.calls(1000)
			if got := selector.Ejected(h.s); len(got) != 1 || got[0] == addrC {
				t.Errorf("ejected %v, want one of %s and %s", got, addrA, addrB)
			}
		})
	}
}

func TestEjectionCap(t *testing.T) {
	tests := []struct {
		name      string
		ejection  selector.Ejection
		nodes     int
		err       error
		failing   []string
		wantNodes int // nodes that still get calls
	}{
		{"50% of 4", selector.Ejection{}, 4, errUnavailable, []string{"10.0.0.1:8000", "10.0.0.2:8000", "10.0.0.3:8000"}, 2},
		{"50% of 3 is 1", selector.Ejection{}, 3, errUnavailable, []string{addrA, addrB}, 2},
		{"75% of 4", selector.Ejection{MaxPercent: 75}, 4, errUnavailable, []string{addrA, addrB, addrC}, 1},
		{"100% leaves one", selector.Ejection{MaxPercent: 100}, 3, errUnavailable, []string{addrA, addrB}, 1},
		{"refused beyond the cap", selector.Ejection{}, 4, errRefused, []string{addrA, addrB, addrC}, 1},
		{"last node refused", selector.Ejection{}, 1, errRefused, []string{addrA}, 1},
		{"both of two refused", selector.Ejection{}, 2, errRefused, []string{addrA, addrB}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, wrr.New(wrr.WithEjection(tt.ejection)), tt.nodes)
			h.calls(30)
			h.failing(tt.err, tt.failing...)
			h.calls(200)
			if got := h.calls(200); len(got) != tt.wantNodes {
				t.Errorf("calls = %v, want calls on %d nodes", got, tt.wantNodes)
			}
		})
	}
}

func TestEjectionEjectedNodesServeWhenFiltersLeaveNoOther(t *testing.T) {
	h := newHarness(t, wrr.New(), 3)
	h.failing(errRefused, addrB)
	h.callUntil(addrB, 1)
	if got := h.call(only(addrB)); got != addrB {
		t.Errorf("call filtered to the ejected node went to %s, want %s", got, addrB)
	}
}

func TestEjectionDisabled(t *testing.T) {
	off := selector.Ejection{Disabled: true}
	sels := []struct {
		name string
		s    selector.Selector
	}{
		{"Default", &selector.Default{NodeBuilder: &direct.Builder{}, Balancer: &wrr.Balancer{}, Ejection: off}},
		{"wrr", wrr.New(wrr.WithEjection(off))},
		{"random", random.New(random.WithEjection(off))},
		{"p2c", p2c.New(p2c.WithEjection(off))},
	}
	for _, tt := range sels {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.s, 3)
			h.failing(errRefused, addrB)
			if got := h.calls(300); got[addrB] == 0 {
				t.Errorf("calls = %v, want some on %s with ejection off", got, addrB)
			}
		})
	}
}

func TestEjectionWrapsNodes(t *testing.T) {
	var seen []selector.WeightedNode
	bal := balancerFunc(func(_ context.Context, nodes []selector.WeightedNode) (selector.WeightedNode, selector.DoneFunc, error) {
		seen = nodes
		return nodes[0], nodes[0].Pick(), nil
	})
	for _, disabled := range []bool{false, true} {
		s := &selector.Default{NodeBuilder: &direct.Builder{}, Balancer: bal, Ejection: selector.Ejection{Disabled: disabled}}
		raw := nodes(1)
		s.Apply(raw)
		n, _, err := s.Select(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n != raw[0] || seen[0].Raw() != raw[0] {
			t.Errorf("disabled=%v: Select() = %v, Raw() = %v, want the applied node", disabled, n, seen[0].Raw())
		}
		_, isDirect := seen[0].(*direct.Node)
		if isDirect != disabled {
			t.Errorf("disabled=%v: balancer saw %T", disabled, seen[0])
		}
		if u, ok := seen[0].(interface{ Unwrap() selector.WeightedNode }); ok {
			if _, ok := u.Unwrap().(*direct.Node); !ok {
				t.Errorf("Unwrap() = %T, want *direct.Node", u.Unwrap())
			}
		} else if !disabled {
			t.Errorf("balancer saw %T, want a node with an Unwrap method", seen[0])
		}
	}
}

type balancerFunc func(context.Context, []selector.WeightedNode) (selector.WeightedNode, selector.DoneFunc, error)

func (f balancerFunc) Pick(ctx context.Context, nodes []selector.WeightedNode) (selector.WeightedNode, selector.DoneFunc, error) {
	return f(ctx, nodes)
}

func TestEjectionSurvivesApply(t *testing.T) {
	h := newHarness(t, wrr.New(), 3)
	h.failing(errRefused, addrB)
	h.callUntil(addrB, 1)
	h.failing(nil)
	h.s.Apply(nodes(3)) // the same nodes again
	if got := h.calls(300); got[addrB] != 0 {
		t.Fatalf("after applying the same nodes, calls = %v, want none on the ejected %s", got, addrB)
	}
	h.s.Apply(nodes(1))
	h.s.Apply(nodes(3)) // B left and came back: a new node
	if got := h.calls(300); got[addrB] == 0 {
		t.Errorf("after B left and came back, calls = %v, want some on %s", got, addrB)
	}
}

func TestEjectionConcurrent(t *testing.T) {
	for _, bal := range balancers {
		t.Run(bal.name, func(t *testing.T) {
			s := bal.build()
			clk := newClock()
			selector.SetNow(s, clk.Now)
			s.Apply(nodes(4))
			var wg sync.WaitGroup
			outcomes := []error{nil, nil, errUnavailable, errRefused, context.Canceled, errTimeout}
			for g := range 4 {
				wg.Go(func() {
					for i := range 2000 {
						ctx := context.Background()
						if i%7 == 0 {
							ctx = selector.NewNodeFilterContext(ctx, func(_ context.Context, n []selector.Node) []selector.Node { return n[:1] })
						}
						n, done, err := s.Select(ctx)
						if err != nil {
							t.Errorf("Select() error = %v", err)
							return
						}
						err = nil
						if n.Address() == addrB || (i+g)%5 == 0 {
							err = outcomes[(i+g)%len(outcomes)]
						}
						done(ctx, selector.DoneInfo{Err: err})
						if i%50 == 0 {
							clk.Add(300 * time.Millisecond)
						}
						if g == 0 && i%100 == 0 {
							s.Apply(nodes(2 + i/100%3))
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

func TestSelectStoresProbeInPeer(t *testing.T) {
	h := newHarness(t, wrr.New(), 3)
	h.failing(errRefused, addrB)
	h.callUntil(addrB, 1)
	h.clk.Add(time.Second)
	var p selector.Peer
	n, _, err := h.s.Select(selector.NewPeerContext(context.Background(), &p))
	if err != nil || n.Address() != addrB {
		t.Fatalf("Select() = %v, %v, want the probe to %s", n, err, addrB)
	}
	if p.Node != n {
		t.Errorf("Peer.Node = %v, want %v", p.Node, n)
	}
}

func Example_ejection() {
	s := wrr.New() // ejection is on by default
	s.Apply([]selector.Node{
		selector.NewNode("http", "10.0.0.1:8000", nil),
		selector.NewNode("http", "10.0.0.2:8000", nil),
	})
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for range 4 {
		n, done, err := s.Select(context.Background())
		if err != nil {
			panic(err)
		}
		fmt.Println(n.Address())
		if n.Address() == "10.0.0.2:8000" {
			done(context.Background(), selector.DoneInfo{Err: refused})
			continue
		}
		done(context.Background(), selector.DoneInfo{})
	}
	// Output:
	// 10.0.0.1:8000
	// 10.0.0.2:8000
	// 10.0.0.1:8000
	// 10.0.0.1:8000
}
