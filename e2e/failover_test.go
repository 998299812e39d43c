//go:build unix

package e2e

import (
	"context"
	"fmt"
	nethttp "net/http"
	"strings"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"google.golang.org/protobuf/types/known/wrapperspb"

	etcdreg "github.com/seed6ad8aa6b/kratos/contrib/registry/etcd"
	"github.com/seed6ad8aa6b/kratos/contrib/registry/etcd/etcdtest"
	"github.com/seed6ad8aa6b/kratos/e2e/internal/greeter"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/retry"
	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/selector/wrr"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// The settings of TestFailover.
const (
	// nodeTTL is the lease TTL of the node processes: how long a killed
	// node stays registered. It must outlast a hang (hangFor plus
	// failoverCallTimeout) by a margin, since etcd's client renews a
	// lease only every third of its TTL.
	nodeTTL = 8 * time.Second
	// callRate is the rate of calls of each client, per second.
	callRate = 400
	// failoverCallTimeout is the caller's deadline of each call.
	failoverCallTimeout = time.Second
	// hangFor is how long the hang window of the SIGSTOP scenario lasts.
	hangFor = 3 * time.Second
	// goodputBucket is the width of the buckets goodput is measured in.
	goodputBucket = 100 * time.Millisecond
	// perTryTimeout bounds each attempt of a call that retries; the
	// greeter answers in microseconds.
	perTryTimeout = 150 * time.Millisecond
)

// clientConfig is a way to set up the clients.
type clientConfig struct {
	name string
	// selector is the global selector the clients use; nil means the
	// default one.
	selector selector.Builder
	// middleware returns the client middleware of one client.
	middleware func() []middleware.Middleware
	// assert makes the test check the figures against the targets.
	assert bool
}

var clientConfigs = []clientConfig{
	{
		// The clients of before: no retries, a balancer that ignores the
		// outcome of calls.
		name:     "plain",
		selector: wrr.NewBuilder(wrr.WithEjection(selector.Ejection{Disabled: true})),
	},
	{
		// The default clients: outlier ejection (on by default), no
		// retries.
		name: "ejection",
	},
	{
		// Clients set up as the resilience features mean them to be:
		// ejection and retries with a per-try timeout.
		name: "retry+ejection",
		middleware: func() []middleware.Middleware {
			return []middleware.Middleware{retry.Client(
				retry.WithPerTryTimeout(perTryTimeout),
				retry.WithIdempotent(greeter.OperationSayHello),
			)}
		},
		assert: true,
	},
}

// figures are what one configuration of the clients measured.
type figures struct {
	config string
	// Calls started in each window, by protocol: from the kill until the
	// killed node expired from etcd and the others answered 50 calls
	// more; over the hang; from SIGTERM until the node had exited and the
	// others answered 50 calls more.
	kill, hang, graceful   [numProtos]tally
	killAt, hangAt, termAt time.Time
	killGone               time.Duration // from the kill to the expiry in etcd
	hangGoodput            [numProtos]goodput
	leaseKept              bool // the hung node stayed registered during the hang
	total                  [numProtos]tally
}

// failoverEnv is what the configurations share.
type failoverEnv struct {
	bin      string // the node program
	endpoint string // of etcd
	check    registry.Discovery
	nodes    int // nodes started so far, for their IDs
}

func (e *failoverEnv) startNode(t *testing.T) *nodeProc {
	t.Helper()
	id := fmt.Sprintf("node-%d", e.nodes)
	e.nodes++
	return startNode(t, e.bin, e.endpoint, id)
}

// TestFailover runs three instances of the greeter as processes of their
// own, registered in a real etcd, and an HTTP and a gRPC client calling
// them at a steady rate, while one instance is killed (SIGKILL), one hangs
// (SIGSTOP) and one stops gracefully (SIGTERM), for each configuration of
// the clients in clientConfigs. It logs the failed calls, the recovery
// times and the goodput of each, and checks the configurations marked
// assert against the targets of issue 13.
func TestFailover(t *testing.T) {
	began := time.Now()
	etcd := etcdtest.Start(t)
	env := &failoverEnv{
		bin:      buildNode(t),
		endpoint: etcd.Endpoint(),
		check:    etcdreg.New(etcd.Client(t)),
	}
	t.Logf("node program built in %v", time.Since(began).Round(time.Millisecond))
	var all []figures
	for _, cfg := range clientConfigs {
		t.Run(cfg.name, func(t *testing.T) {
			phase := time.Now()
			f := runFailover(t, env, cfg)
			t.Logf("%s: %v", cfg.name, time.Since(phase).Round(time.Millisecond))
			all = append(all, f)
		})
	}
	t.Logf("failover figures (%d calls/s per client, caller deadline %v, node lease TTL %v, %v in all):\n%s",
		callRate, failoverCallTimeout, nodeTTL, time.Since(began).Round(time.Millisecond), figuresTable(all))
}

// runFailover runs the three scenarios with clients set up as cfg says.
func runFailover(t *testing.T, env *failoverEnv, cfg clientConfig) figures {
	f := figures{config: cfg.name}
	selector.SetGlobalSelector(cfg.selector)
	t.Cleanup(func() { selector.SetGlobalSelector(nil) })

	a, b, c := env.startNode(t), env.startNode(t), env.startNode(t)
	poll(t, "three nodes registered", func() bool { return registered(env.check, a.id, b.id, c.id) })

	l, stopClients := startClients(t, etcdreg.New(etcdtest.NewClient(t, env.endpoint),
		etcdreg.WithBackoff(etcdreg.ExponentialBackoff(50*time.Millisecond, time.Second))), cfg)
	defer stopClients()
	began := time.Now()
	l.waitServed(t, "calls reaching every node", 20, a.id, b.id, c.id)

	// 1. kill -9: the node vanishes, and stays registered until its lease
	// expires.
	f.killAt = time.Now()
	a.signal(t, syscall.SIGKILL)
	a.waitExit(t)
	gone := poll(t, a.id+" expired from etcd", func() bool { return registered(env.check, b.id, c.id) })
	f.killGone = gone.Sub(f.killAt)
	end := l.waitServed(t, "calls after "+a.id+" expired", 50, b.id, c.id)
	for p := range numProtos {
		f.kill[p] = l.tally(p, f.killAt, end)
	}

	d := env.startNode(t)
	poll(t, d.id+" registered", func() bool { return registered(env.check, b.id, c.id, d.id) })
	l.waitServed(t, "calls reaching "+d.id, 20, b.id, c.id, d.id)

	// 2. SIGSTOP: the node hangs, its connections and registration stay.
	// The hang lasts the window plus the time the calls started in it may
	// take, so that they all meet the hung node.
	f.hangAt = time.Now()
	b.signal(t, syscall.SIGSTOP)
	// The length of the fault, not a wait for something to happen.
	<-time.After(hangFor)
	hangEnd := f.hangAt.Add(hangFor)
	poll(t, "calls started in the hang ended", func() bool { return l.settled(hangEnd) })
	f.leaseKept = registered(env.check, b.id, c.id, d.id)
	b.signal(t, syscall.SIGCONT)
	b.signal(t, syscall.SIGTERM)
	b.waitExit(t)
	for p := range numProtos {
		f.hang[p] = l.tally(p, f.hangAt, hangEnd)
		f.hangGoodput[p] = l.goodput(p, f.hangAt, hangEnd, goodputBucket)
	}

	e := env.startNode(t)
	poll(t, e.id+" registered", func() bool { return registered(env.check, c.id, d.id, e.id) })
	l.waitServed(t, "calls reaching "+e.id, 20, c.id, d.id, e.id)

	// 3. SIGTERM: the node drains (kratos.WithDrainDelay) and exits; the
	// test does nothing but wait for the exit.
	f.termAt = time.Now()
	c.signal(t, syscall.SIGTERM)
	c.waitExit(t)
	end = l.waitServed(t, "calls after "+c.id+" exited", 50, d.id, e.id)
	for p := range numProtos {
		f.graceful[p] = l.tally(p, f.termAt, end)
		f.total[p] = l.tally(p, began, end)
	}

	stopClients()
	for _, n := range []*nodeProc{d, e} {
		n.signal(t, syscall.SIGTERM)
	}
	for _, n := range []*nodeProc{d, e} {
		n.waitExit(t)
	}
	poll(t, "no node registered", func() bool { return registered(env.check) })

	logFigures(t, f)
	if cfg.assert {
		checkFigures(t, f)
	}
	return f
}

// startClients makes an HTTP and a gRPC client set up as cfg says, finding
// the nodes through disc, and starts calling through them at callRate
// each. The returned func stops the calls and closes the clients; it may
// be called more than once.
func startClients(t *testing.T, disc registry.Discovery, cfg clientConfig) (*load, func()) {
	t.Helper()
	newMiddleware := func() []middleware.Middleware {
		if cfg.middleware == nil {
			return nil
		}
		return cfg.middleware() // each client its own, with its own budget
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	// A transport of the test's own, whose idle connections it closes at
	// the end, so that the nodes stop without waiting for them.
	tr := nethttp.DefaultTransport.(*nethttp.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	hc, err := khttp.NewClient(ctx,
		khttp.WithTransport(tr),
		khttp.WithEndpoint("discovery:///"+serviceName),
		khttp.WithDiscovery(disc),
		khttp.WithBlock(),
		khttp.WithMiddleware(newMiddleware()...),
	)
	if err != nil {
		t.Fatalf("http.NewClient() error = %v", err)
	}
	conn, err := kgrpc.DialInsecure(ctx,
		kgrpc.WithEndpoint("discovery:///"+serviceName),
		kgrpc.WithDiscovery(disc),
		kgrpc.WithMiddleware(newMiddleware()...),
		kgrpc.WithPrintDiscoveryDebugLog(false),
	)
	if err != nil {
		hc.Close()
		t.Fatalf("grpc.DialInsecure() error = %v", err)
	}
	httpClient, grpcClient := greeter.NewHTTPClient(hc), greeter.NewGRPCClient(conn)

	l := newLoad()
	l.run(protoHTTP, callRate, failoverCallTimeout, func(ctx context.Context, i int64) (string, error) {
		out, err := httpClient.SayHello(ctx, wrapperspb.String(fmt.Sprint("h", i)))
		return answeredBy(out), err
	})
	l.run(protoGRPC, callRate, failoverCallTimeout, func(ctx context.Context, i int64) (string, error) {
		out, err := grpcClient.SayHello(ctx, wrapperspb.String(fmt.Sprint("g", i)))
		return answeredBy(out), err
	})
	stopped := false
	return l, func() {
		if stopped {
			return
		}
		stopped = true
		l.stop()
		hc.Close()
		tr.CloseIdleConnections()
		conn.Close()
	}
}

// answeredBy returns the ID of the node that gave a greeting.
func answeredBy(out *wrapperspb.StringValue) string {
	_, id, _ := strings.Cut(out.GetValue(), " from ")
	return id
}

// logFigures logs the figures of one configuration with the errors seen.
func logFigures(t *testing.T, f figures) {
	t.Helper()
	for p := range numProtos {
		t.Logf("%s %s: kill -9: %v, recovered after %v (expired from etcd after %v); hang: %v, goodput %v; graceful stop: %v; in all %v",
			f.config, protoNames[p], f.kill[p], f.kill[p].recovery(f.killAt).Round(time.Millisecond), f.killGone.Round(time.Millisecond),
			f.hang[p], f.hangGoodput[p], f.graceful[p], f.total[p].failed)
	}
	if !f.leaseKept {
		t.Logf("%s: the hung node's lease expired during the hang (TTL %v): the hang figures flatter the clients", f.config, nodeTTL)
	}
}

// checkFigures checks the figures of a configuration with every feature
// on against the targets of issue 13.
func checkFigures(t *testing.T, f figures) {
	t.Helper()
	const (
		maxKillFailed   = 0.01 // share of the calls in the kill window
		maxKillRecovery = 2 * time.Second
		minHangGoodput  = 0.90
	)
	for p := range numProtos {
		name := protoNames[p]
		if got := f.kill[p].failedShare(); got > maxKillFailed {
			t.Errorf("%s after kill -9: %v = %.2f%% of the calls, want at most %.0f%%", name, f.kill[p], 100*got, 100*maxKillFailed)
		}
		if got := f.kill[p].recovery(f.killAt); got > maxKillRecovery {
			t.Errorf("%s after kill -9: last failed call %v after the kill, want within %v", name, got, maxKillRecovery)
		}
		if g := f.hangGoodput[p]; g.overall < minHangGoodput || g.min() < minHangGoodput {
			t.Errorf("%s goodput over a hung node = %v, want at least %.0f%% in every %v", name, g, 100*minHangGoodput, goodputBucket)
		}
		if f.graceful[p].failed != 0 {
			t.Errorf("%s graceful stop: %v, want none failed", name, f.graceful[p])
		}
	}
}

// figuresTable renders the figures of every configuration as a table.
func figuresTable(all []figures) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "config\tproto\tkill: failed\tcalls\trecovery\thang: failed\tcalls\tgoodput\tworst 100ms\t>=90% after\tgraceful: failed\tcalls\t")
	for _, f := range all {
		for p := range numProtos {
			g := f.hangGoodput[p]
			back := "never"
			if d, ok := g.recovered(0.9, goodputBucket); ok {
				back = d.String()
			}
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%v\t%d\t%d\t%.1f%%\t%.0f%%\t%s\t%d\t%d\t\n",
				f.config, protoNames[p],
				f.kill[p].failed, f.kill[p].calls, f.kill[p].recovery(f.killAt).Round(time.Millisecond),
				f.hang[p].failed, f.hang[p].calls, 100*g.overall, 100*g.min(), back,
				f.graceful[p].failed, f.graceful[p].calls)
		}
	}
	w.Flush()
	return b.String()
}
