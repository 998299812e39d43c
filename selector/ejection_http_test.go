package selector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/registry/registrytest"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/p2c"
	"github.com/seed6ad8aa6b/kratos/selector/random"
	"github.com/seed6ad8aa6b/kratos/selector/wrr"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// cluster is three loopback HTTP servers registered as one service and an
// HTTP client following it through discovery with the global selector.
type cluster struct {
	servers []*httptest.Server
	hung    chan struct{} // closed to release the handlers of a hung server
	hang    atomic.Int32  // index+1 of the server whose handler hangs
	client  *khttp.Client
	index   map[string]int // server index by address
}

func newCluster(t *testing.T, b selector.Builder, timeout time.Duration) *cluster {
	t.Helper()
	selector.SetGlobalSelector(b)
	t.Cleanup(func() { selector.SetGlobalSelector(nil) })
	c := &cluster{hung: make(chan struct{}), index: map[string]int{}}
	reg := registrytest.NewMemory()
	for i := range 3 {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c.hang.Load() == int32(i+1) {
				select {
				case <-c.hung:
				case <-r.Context().Done():
				}
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]int{"server": i})
		}))
		t.Cleanup(ts.Close)
		c.servers = append(c.servers, ts)
		c.index[ts.Listener.Addr().String()] = i
		ins := &registry.ServiceInstance{ID: string(rune('a' + i)), Name: "svc", Endpoints: []string{ts.URL}}
		if err := reg.Register(context.Background(), ins); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { close(c.hung) }) // runs before the servers close
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := khttp.NewClient(ctx,
		khttp.WithEndpoint("discovery:///svc"),
		khttp.WithDiscovery(reg),
		khttp.WithBlock(),
		khttp.WithTransport(tr),
		khttp.WithTimeout(timeout),
		khttp.WithMiddleware(recordPeer),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	c.client = client
	return c
}

type addrKey struct{}

// recordPeer stores the address of the node a call went to in the
// *string under addrKey in the call's context.
func recordPeer(next middleware.Handler) middleware.Handler {
	return func(ctx context.Context, req any) (any, error) {
		out, err := next(ctx, req)
		if p, ok := selector.FromPeerContext(ctx); ok && p.Node != nil {
			if addr, ok := ctx.Value(addrKey{}).(*string); ok {
				*addr = p.Node.Address()
			}
		}
		return out, err
	}
}

// kill stops server i the way a crash does: its listener and every
// connection close at once, so new connections are refused.
func (c *cluster) kill(i int) {
	c.servers[i].Listener.Close()
	c.servers[i].CloseClientConnections()
}

// result counts the calls of a load by server.
type result struct {
	made     int
	failed   map[int]int // by server index
	answered map[int]int
}

func (r result) String() string {
	return fmt.Sprintf("%d calls, failed on servers %v, answered by %v", r.made, r.failed, r.answered)
}

// load makes calls from 8 goroutines and counts them by the server they
// went to, as the selector's Peer in the call's context tells.
func (c *cluster) load(calls int) result {
	var mu sync.Mutex
	r := result{failed: map[int]int{}, answered: map[int]int{}}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for next.Add(1) <= int64(calls) {
				var reply map[string]int
				var addr string
				err := c.client.Invoke(context.WithValue(context.Background(), addrKey{}, &addr), "GET", "/who", nil, &reply)
				mu.Lock()
				r.made++
				if err != nil {
					r.failed[c.index[addr]]++
				} else {
					r.answered[reply["server"]]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return r
}

var httpBuilders = []struct {
	name    string
	builder func(selector.Ejection) selector.Builder
}{
	{"wrr", func(e selector.Ejection) selector.Builder { return wrr.NewBuilder(wrr.WithEjection(e)) }},
	{"random", func(e selector.Ejection) selector.Builder { return random.NewBuilder(random.WithEjection(e)) }},
	{"p2c", func(e selector.Ejection) selector.Builder { return p2c.NewBuilder(p2c.WithEjection(e)) }},
}

// TestHTTPClientStopsCallingKilledServer kills one of three servers under
// load from eight concurrent callers and counts the calls that failed on
// it. Without ejection about a third of the calls fail (until discovery
// drops the node, which this test never does); with it, only the calls
// that were in flight or had already picked the node when it died, plus
// one probe per back-off period.
func TestHTTPClientStopsCallingKilledServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts loopback HTTP servers")
	}
	const calls = 3000
	for _, b := range httpBuilders {
		t.Run(b.name, func(t *testing.T) {
			c := newCluster(t, b.builder(selector.Ejection{}), 2*time.Second)
			if r := c.load(300); len(r.answered) != 3 {
				t.Fatalf("before the kill: %v, want all 3 servers answering", r)
			}
			c.kill(1)
			start := time.Now()
			r := c.load(calls)
			elapsed := time.Since(start)
			t.Logf("%s: after the kill, in %v: %v", b.name, elapsed.Round(time.Millisecond), r)
			// One probe may fail per second of back-off.
			if limit := 20 + int(elapsed/time.Second); r.failed[1] > limit {
				t.Errorf("%d calls failed on the killed server, want at most %d", r.failed[1], limit)
			}
		})
	}
	t.Run("ejection off", func(t *testing.T) {
		c := newCluster(t, wrr.NewBuilder(wrr.WithEjection(selector.Ejection{Disabled: true})), 2*time.Second)
		c.load(300)
		c.kill(1)
		r := c.load(calls)
		t.Logf("ejection off: after the kill: %v", r)
		if r.failed[1] < calls/4 {
			t.Errorf("without ejection %d of %d calls failed on the killed server, want about a third (is the test still killing a node?)", r.failed[1], calls)
		}
	})
}

// TestHTTPClientStopsCallingHungServer makes one of three servers stop
// answering (as a SIGSTOP does) under load with a 300ms call timeout.
// Calls time out on it until five in a row have, then it is ejected.
func TestHTTPClientStopsCallingHungServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts loopback HTTP servers")
	}
	const calls = 3000
	for _, b := range httpBuilders {
		t.Run(b.name, func(t *testing.T) {
			c := newCluster(t, b.builder(selector.Ejection{}), 300*time.Millisecond)
			if r := c.load(300); len(r.answered) != 3 {
				t.Fatalf("before the hang: %v, want all 3 servers answering", r)
			}
			c.hang.Store(2)
			start := time.Now()
			r := c.load(calls)
			elapsed := time.Since(start)
			t.Logf("%s: after the hang, in %v: %v", b.name, elapsed.Round(time.Millisecond), r)
			// Each caller may be stuck on the hung node when the first
			// timeouts come back, and pick it once more before the fifth
			// ejects it; then one probe fails per back-off period.
			if limit := 2*8 + 2*int(elapsed/time.Second); r.failed[1] > limit {
				t.Errorf("%d calls failed on the hung server, want at most %d", r.failed[1], limit)
			}
		})
	}
}
