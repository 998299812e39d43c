package e2e

import (
	"context"
	"fmt"
	nethttp "net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/seed6ad8aa6b/kratos"
	etcdreg "github.com/seed6ad8aa6b/kratos/contrib/registry/etcd"
	"github.com/seed6ad8aa6b/kratos/contrib/registry/etcd/etcdtest"
	"github.com/seed6ad8aa6b/kratos/e2e/internal/greeter"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/registry"
	kgrpc "github.com/seed6ad8aa6b/kratos/transport/grpc"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

const (
	serviceName = "greeter"
	leaseTTL    = 2 * time.Second
	waitLimit   = 20 * time.Second // bound of every wait in the test
	callTimeout = 3 * time.Second
)

func TestMain(m *testing.M) {
	// The servers and resolvers log every start and update at INFO; keep
	// the test output to warnings and errors.
	log.SetLogger(log.NewFilter(log.NewStdLogger(os.Stderr), log.FilterLevel(log.LevelWarn)))
	os.Exit(m.Run())
}

// The protocols the clients call over, as indexes.
const (
	protoHTTP = iota
	protoGRPC
	numProtos
)

var protoNames = [numProtos]string{"HTTP", "gRPC"}

// greeterServer is one instance of the service: an App with an HTTP and a
// gRPC server, registering through its own etcd client.
type greeterServer struct {
	id     string
	http   *khttp.Server
	grpc   *kgrpc.Server
	client *clientv3.Client
	logs   *recorder
	app    *kratos.App
	done   chan struct{}
	runErr error // Run's result, set before done is closed

	calls [numProtos]atomic.Int64 // calls served, by protocol
}

// counter serves SayHello and counts the calls.
type counter struct {
	id string
	n  *atomic.Int64
}

func (c counter) SayHello(_ context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	c.n.Add(1)
	return wrapperspb.String("hello " + in.GetValue() + " from " + c.id), nil
}

// startServer starts an instance. wrap, if not nil, wraps its registrar.
// The instance is stopped when t ends.
func startServer(t *testing.T, etcd *etcdtest.Server, id string, wrap func(registry.Registrar) registry.Registrar) *greeterServer {
	t.Helper()
	s := &greeterServer{id: id, logs: newRecorder(), done: make(chan struct{})}
	s.http = khttp.NewServer(khttp.Address("127.0.0.1:0"))
	s.grpc = kgrpc.NewServer(kgrpc.Address("127.0.0.1:0"))
	greeter.RegisterHTTP(s.http, counter{id, &s.calls[protoHTTP]})
	greeter.RegisterGRPC(s.grpc, counter{id, &s.calls[protoGRPC]})
	s.client = etcd.Client(t)
	var r registry.Registrar = etcdreg.New(s.client,
		etcdreg.RegisterTTL(leaseTTL),
		etcdreg.WithLogger(s.logs),
		etcdreg.WithBackoff(etcdreg.ExponentialBackoff(50*time.Millisecond, time.Second)),
	)
	if wrap != nil {
		r = wrap(r)
	}
	s.app = kratos.New(
		kratos.ID(id),
		kratos.Name(serviceName),
		kratos.Version("v1"),
		kratos.Server(s.http, s.grpc),
		kratos.Registrar(r),
		kratos.Signal(), // the test stops the App, not signals
		kratos.StopTimeout(5*time.Second),
	)
	go func() {
		s.runErr = s.app.Run()
		close(s.done)
	}()
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Logf("cleanup: stop %s: %v", id, err)
		}
	})
	return s
}

// stop stops the App and returns what Run returned.
func (s *greeterServer) stop() error {
	if err := s.app.Stop(); err != nil {
		return err
	}
	select {
	case <-s.done:
		return s.runErr
	case <-time.After(waitLimit):
		return fmt.Errorf("%s: Run did not return within %v of Stop", s.id, waitLimit)
	}
}

// kill makes the instance vanish as a crash would: its connections drop at
// once, and nothing deregisters it or renews its lease any more.
func (s *greeterServer) kill() {
	_ = s.http.Server.Close()
	s.grpc.Server.Stop()
	_ = s.client.Close()
}

func (s *greeterServer) served(proto int) int64 { return s.calls[proto].Load() }

// failure is one failed client call.
type failure struct {
	at    time.Time
	proto int
	err   error
}

// results collects what the client calls did.
type results struct {
	mu       sync.Mutex
	ok       [numProtos]int
	failures []failure
}

func (r *results) add(proto int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		r.ok[proto]++
		return
	}
	r.failures = append(r.failures, failure{at: time.Now(), proto: proto, err: err})
}

// window sums up the failures between from and to.
type window struct {
	count [numProtos]int
	first time.Time
	last  time.Time
	errs  []string // a few distinct errors
}

func (w window) total() int { return w.count[protoHTTP] + w.count[protoGRPC] }

func (w window) String() string {
	s := fmt.Sprintf("%d failed (HTTP %d, gRPC %d)", w.total(), w.count[protoHTTP], w.count[protoGRPC])
	if len(w.errs) > 0 {
		s += "; errors: " + strings.Join(w.errs, " | ")
	}
	return s
}

func (r *results) between(from, to time.Time) window {
	r.mu.Lock()
	defer r.mu.Unlock()
	var w window
	for _, f := range r.failures {
		if f.at.Before(from) || f.at.After(to) {
			continue
		}
		w.count[f.proto]++
		if w.first.IsZero() {
			w.first = f.at
		}
		w.last = f.at
		msg := protoNames[f.proto] + ": " + f.err.Error()
		if len(w.errs) < 4 && !slices.Contains(w.errs, msg) {
			w.errs = append(w.errs, msg)
		}
	}
	return w
}

// callers keeps clients calling the service from a few goroutines until
// stopped.
type callers struct {
	res   results
	iters []*atomic.Int64 // iterations started, by goroutine
	stopc chan struct{}
	wg    sync.WaitGroup
}

// start runs n goroutines calling call, one call at a time, at most one
// every pace.
func (c *callers) start(n, proto int, pace time.Duration, call func(ctx context.Context, i int) error) {
	for g := range n {
		iter := new(atomic.Int64)
		c.iters = append(c.iters, iter)
		c.wg.Go(func() {
			tick := time.NewTicker(pace)
			defer tick.Stop()
			for i := 0; ; i++ {
				iter.Add(1)
				ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
				err := call(ctx, g*1_000_000+i)
				cancel()
				select {
				case <-c.stopc:
					return // a call cut short by the end of the test is not counted
				default:
				}
				c.res.add(proto, err)
				select {
				case <-c.stopc:
					return
				case <-tick.C:
				}
			}
		})
	}
}

func (c *callers) stop() {
	close(c.stopc)
	c.wg.Wait()
}

// snapshot returns the iterations started so far, by goroutine.
func (c *callers) snapshot() []int64 {
	out := make([]int64, len(c.iters))
	for i, it := range c.iters {
		out[i] = it.Load()
	}
	return out
}

// passed reports whether every goroutine has finished the call it was in
// at snapshot s, that is, started two more iterations.
func (c *callers) passed(s []int64) bool {
	for i, it := range c.iters {
		if it.Load() < s[i]+2 {
			return false
		}
	}
	return true
}

// poll waits until cond holds, checking every 5ms, and fails t after
// waitLimit.
func poll(t *testing.T, what string, cond func() bool) time.Time {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, waitLimit)
		}
		<-tick.C
	}
	return time.Now()
}

// waitServed waits until each server has served n more calls of each
// protocol than it had when waitServed was called.
func waitServed(t *testing.T, what string, n int64, servers ...*greeterServer) {
	t.Helper()
	base := make([][numProtos]int64, len(servers))
	for i, s := range servers {
		for p := range numProtos {
			base[i][p] = s.served(p)
		}
	}
	poll(t, what, func() bool {
		for i, s := range servers {
			for p := range numProtos {
				if s.served(p) < base[i][p]+n {
					return false
				}
			}
		}
		return true
	})
}

// registered reports whether etcd holds exactly the instances ids.
func registered(d registry.Discovery, ids ...string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	list, err := d.GetService(ctx, serviceName)
	if err != nil || len(list) != len(ids) {
		return false
	}
	for _, ins := range list {
		if !slices.Contains(ids, ins.ID) {
			return false
		}
	}
	return true
}

// TestDiscovery runs three instances of a service that register in etcd,
// and an HTTP and a gRPC client that find them through discovery, while
// instances stop, crash and start, and etcd restarts.
func TestDiscovery(t *testing.T) {
	began := time.Now()
	etcd := etcdtest.Start(t)
	check := etcdreg.New(etcd.Client(t)) // looks at etcd for the test
	tracked := &trackedDiscovery{Discovery: etcdreg.New(etcd.Client(t),
		etcdreg.WithBackoff(etcdreg.ExponentialBackoff(50*time.Millisecond, time.Second)))}

	// greeter-0 is stopped gracefully: its Deregister returns once the
	// clients have stopped picking it, as a pre-stop delay would in
	// production, but as a condition rather than a guess.
	var calls callers
	calls.stopc = make(chan struct{})
	drain := func(r registry.Registrar) registry.Registrar {
		return drainRegistrar{Registrar: r, drained: func(ctx context.Context, ins *registry.ServiceInstance) error {
			if err := tracked.waitForgotten(ctx, ins.ID); err != nil {
				return err
			}
			s := calls.snapshot()
			return waitCtx(ctx, func() bool { return calls.passed(s) })
		}}
	}
	servers := []*greeterServer{
		startServer(t, etcd, "greeter-0", drain),
		startServer(t, etcd, "greeter-1", nil),
		startServer(t, etcd, "greeter-2", nil),
	}
	poll(t, "three instances registered", func() bool { return registered(check, "greeter-0", "greeter-1", "greeter-2") })

	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	// A transport of the test's own, whose idle connections it closes at
	// the end, so that the servers stop without waiting for them.
	httpTransport := nethttp.DefaultTransport.(*nethttp.Transport).Clone()
	hc, err := khttp.NewClient(ctx,
		khttp.WithTransport(httpTransport),
		khttp.WithEndpoint("discovery:///"+serviceName),
		khttp.WithDiscovery(tracked),
		khttp.WithBlock(),
		khttp.WithTimeout(callTimeout),
	)
	if err != nil {
		t.Fatalf("http.NewClient() error = %v", err)
	}
	defer hc.Close()
	conn, err := kgrpc.DialInsecure(ctx,
		kgrpc.WithEndpoint("discovery:///"+serviceName),
		kgrpc.WithDiscovery(tracked),
		kgrpc.WithTimeout(callTimeout),
		kgrpc.WithPrintDiscoveryDebugLog(false),
	)
	if err != nil {
		t.Fatalf("grpc.DialInsecure() error = %v", err)
	}
	defer conn.Close()
	httpClient, grpcClient := greeter.NewHTTPClient(hc), greeter.NewGRPCClient(conn)

	const pace = 2 * time.Millisecond
	calls.start(2, protoHTTP, pace, func(ctx context.Context, i int) error {
		_, err := httpClient.SayHello(ctx, wrapperspb.String(fmt.Sprint("h", i)))
		return err
	})
	calls.start(2, protoGRPC, pace, func(ctx context.Context, i int) error {
		_, err := grpcClient.SayHello(ctx, wrapperspb.String(fmt.Sprint("g", i)))
		return err
	})
	stopped := false
	stopCalls := func() {
		if !stopped {
			stopped = true
			calls.stop()
			httpTransport.CloseIdleConnections()
		}
	}
	defer stopCalls()

	// 1. Calls spread over all three instances, over both protocols.
	phase := time.Now()
	waitServed(t, "calls reaching every instance", 20, servers...)
	spread := calls.res.between(phase, time.Now())
	t.Logf("spread: every instance served HTTP and gRPC calls within %v; %v", time.Since(phase).Round(time.Millisecond), spread)
	if spread.total() != 0 {
		t.Errorf("spreading calls: %v, want none failed", spread)
	}

	// 2. greeter-0 stops gracefully: it deregisters, the clients stop
	// picking it, then its servers stop. No call may fail.
	phase = time.Now()
	if err := servers[0].stop(); err != nil {
		t.Fatalf("stopping greeter-0: %v", err)
	}
	stopTook := time.Since(phase)
	waitServed(t, "calls after greeter-0 stopped", 20, servers[1], servers[2])
	graceful := calls.res.between(phase, time.Now())
	t.Logf("graceful stop: App.Stop took %v; %v", stopTook.Round(time.Millisecond), graceful)
	if graceful.total() != 0 {
		t.Errorf("graceful stop of greeter-0: %v, want none failed", graceful)
	}

	// 3. greeter-1 crashes: nothing deregisters it, and its lease expires
	// after the TTL. The clients recover within the TTL (plus etcd's
	// expiry check, which runs every half second, and a margin).
	phase = time.Now()
	servers[1].kill()
	goneAt := poll(t, "greeter-1 expired from etcd", func() bool { return registered(check, "greeter-2") })
	waitServed(t, "calls after greeter-1 expired", 50, servers[2])
	// Every call that picked greeter-1 before its expiry has ended by now.
	s := calls.snapshot()
	poll(t, "calls in flight at the expiry ended", func() bool { return calls.passed(s) })
	crash := calls.res.between(phase, time.Now())
	recovered := time.Duration(0)
	if !crash.last.IsZero() {
		recovered = crash.last.Sub(phase)
	}
	t.Logf("abrupt kill: expired from etcd after %v; last failed call %v after the kill; %v",
		goneAt.Sub(phase).Round(time.Millisecond), recovered.Round(time.Millisecond), crash)
	if limit := leaseTTL + 2*time.Second; recovered > limit {
		t.Errorf("abrupt kill: clients failed calls until %v after the kill, want recovery within %v", recovered, limit)
	}

	// 4. A new instance starts; the clients find it.
	phase = time.Now()
	servers = append(servers, startServer(t, etcd, "greeter-3", nil))
	waitServed(t, "calls reaching the new greeter-3", 20, servers[2], servers[3])
	scaleUp := calls.res.between(phase, time.Now())
	t.Logf("scale up: greeter-3 served HTTP and gRPC calls within %v; %v", time.Since(phase).Round(time.Millisecond), scaleUp)
	if scaleUp.total() != 0 {
		t.Errorf("scale up: %v, want none failed", scaleUp)
	}

	// 5. etcd goes down for longer than the TTL, so the instances lose
	// their leases, and comes back: they register again, the clients keep
	// calling through it all, and their watches resume.
	phase = time.Now()
	live := servers[2:4]
	from := make([]int, len(live))
	for i, s := range live {
		from[i] = s.logs.len()
	}
	etcd.Kill()
	for i, s := range live {
		from[i] = s.logs.wait(t, from[i], "lost")
	}
	down := time.Since(phase)
	etcd.Restart(t)
	restartedAt := time.Now()
	for i, s := range live {
		s.logs.wait(t, from[i], "registered again")
	}
	reregistered := time.Since(restartedAt)
	poll(t, "greeter-2 and greeter-3 registered after the restart", func() bool { return registered(check, "greeter-2", "greeter-3") })
	servers = append(servers, startServer(t, etcd, "greeter-4", nil))
	waitServed(t, "calls reaching greeter-4, started after the restart", 20, servers[2:]...)
	restart := calls.res.between(phase, time.Now())
	t.Logf("etcd restart: down %v (until both leases were lost); instances registered again %v after it came back; greeter-4 reached %v after; %v",
		down.Round(time.Millisecond), reregistered.Round(time.Millisecond), time.Since(restartedAt).Round(time.Millisecond), restart)
	if restart.total() != 0 {
		t.Errorf("etcd restart: %v, want none failed", restart)
	}

	stopCalls()
	all := calls.res.between(began, time.Now())
	calls.res.mu.Lock()
	okHTTP, okGRPC := calls.res.ok[protoHTTP], calls.res.ok[protoGRPC]
	calls.res.mu.Unlock()
	t.Logf("in all: %d HTTP and %d gRPC calls succeeded; %v; %v", okHTTP, okGRPC, all, time.Since(began).Round(time.Millisecond))
	if all.total() != crash.total() {
		t.Errorf("calls failed outside the crash: %v in all, %v during the crash", all, crash)
	}
	for _, s := range servers {
		t.Logf("%s served %d HTTP and %d gRPC calls", s.id, s.served(protoHTTP), s.served(protoGRPC))
	}
}

// waitCtx polls cond every 5ms until it holds or ctx is done.
func waitCtx(ctx context.Context, cond func() bool) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// drainRegistrar deregisters, then waits for drained before it returns, so
// that App stops its servers only once no client sends them calls.
type drainRegistrar struct {
	registry.Registrar
	drained func(ctx context.Context, ins *registry.ServiceInstance) error
}

func (d drainRegistrar) Deregister(ctx context.Context, ins *registry.ServiceInstance) error {
	if err := d.Registrar.Deregister(ctx, ins); err != nil {
		return err
	}
	if err := d.drained(ctx, ins); err != nil {
		return fmt.Errorf("draining %s: %w", ins.ID, err)
	}
	return nil
}

// trackedDiscovery is a Discovery that follows what its watchers (those of
// the clients' resolvers) have reported and whether the resolvers have
// taken it in: a resolver applies a list before it calls Next again.
type trackedDiscovery struct {
	registry.Discovery
	mu       sync.Mutex
	watchers []*trackedWatcher
}

func (d *trackedDiscovery) Watch(ctx context.Context, name string) (registry.Watcher, error) {
	w, err := d.Discovery.Watch(ctx, name)
	if err != nil {
		return nil, err
	}
	tw := &trackedWatcher{Watcher: w, d: d}
	d.mu.Lock()
	d.watchers = append(d.watchers, tw)
	d.mu.Unlock()
	return tw, nil
}

// waitForgotten waits until every live watcher has reported a list without
// the instance id, and its resolver has applied it.
func (d *trackedDiscovery) waitForgotten(ctx context.Context, id string) error {
	return waitCtx(ctx, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		if len(d.watchers) == 0 {
			return false
		}
		for _, w := range d.watchers {
			if w.stopped {
				continue
			}
			if !w.waiting || slices.ContainsFunc(w.last, func(ins *registry.ServiceInstance) bool { return ins.ID == id }) {
				return false
			}
		}
		return true
	})
}

type trackedWatcher struct {
	registry.Watcher
	d       *trackedDiscovery
	last    []*registry.ServiceInstance // guarded by d.mu
	waiting bool                        // in Next, so the last list was applied
	stopped bool
}

func (w *trackedWatcher) Next() ([]*registry.ServiceInstance, error) {
	w.d.mu.Lock()
	w.waiting = true
	w.d.mu.Unlock()
	list, err := w.Watcher.Next()
	w.d.mu.Lock()
	w.waiting = false
	if err == nil {
		w.last = list
	}
	w.d.mu.Unlock()
	return list, err
}

func (w *trackedWatcher) Stop() error {
	w.d.mu.Lock()
	w.stopped = true
	w.d.mu.Unlock()
	return w.Watcher.Stop()
}

// recorder is a log.Logger that keeps messages, so that the test can wait
// for a registry to report something.
type recorder struct {
	mu      sync.Mutex
	msgs    []string
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) Log(_ log.Level, keyvals ...any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprint(keyvals...))
	close(r.changed)
	r.changed = make(chan struct{})
	return nil
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

// wait waits for a message containing substr, from message number from on,
// and returns the number of the message after it.
func (r *recorder) wait(t *testing.T, from int, substr string) int {
	t.Helper()
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	for {
		r.mu.Lock()
		for i := from; i < len(r.msgs); i++ {
			if strings.Contains(r.msgs[i], substr) {
				r.mu.Unlock()
				return i + 1
			}
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			t.Fatalf("no log message containing %q within %v", substr, waitLimit)
		}
	}
}
