package etcd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/seed6ad8aa6b/kratos/contrib/registry/etcd/etcdtest"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/registry"
)

const (
	testTTL = 2 * time.Second
	waitFor = 15 * time.Second // limit of every wait in these tests
)

func fastBackoff(int) time.Duration { return 20 * time.Millisecond }

func testNamespace(t *testing.T) string {
	return fmt.Sprintf("/kratos-test/%s-%08x", t.Name(), rand.Uint32())
}

func testInstance(id string) *registry.ServiceInstance {
	return &registry.ServiceInstance{
		ID:        id,
		Name:      "greeter",
		Version:   "v1",
		Metadata:  map[string]string{"weight": "10"},
		Endpoints: []string{"http://127.0.0.1:8000", "grpc://127.0.0.1:9000"},
	}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond every 20ms until it holds or waitFor passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, waitFor)
		}
		<-tick.C
	}
}

// stored returns the value and lease of key, or nil and 0.
func stored(t *testing.T, c *clientv3.Client, key string) ([]byte, clientv3.LeaseID) {
	t.Helper()
	resp, err := c.Get(ctxFor(t), key)
	if err != nil {
		t.Fatalf("Get(%q) error = %v", key, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, 0
	}
	return resp.Kvs[0].Value, clientv3.LeaseID(resp.Kvs[0].Lease)
}

// leaseTTL returns the remaining TTL of lease, -1 if it does not exist.
func leaseTTL(t *testing.T, c *clientv3.Client, lease clientv3.LeaseID) int64 {
	t.Helper()
	resp, err := c.TimeToLive(ctxFor(t), lease)
	if err != nil {
		t.Fatalf("TimeToLive(%x) error = %v", lease, err)
	}
	return resp.TTL
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// keeperOf returns the keeper of key, or nil.
func (r *Registry) keeperOf(key string) *keeper {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.entries[key]; e != nil {
		return e.keeper
	}
	return nil
}

// recorder is a log.Logger that keeps messages, for tests that wait for
// the registry to report something.
type recorder struct {
	mu      sync.Mutex
	msgs    []string
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) Log(level log.Level, keyvals ...any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprint(keyvals...))
	close(r.changed)
	r.changed = make(chan struct{})
	return nil
}

// wait waits for a message containing substr, counting from message from,
// and returns the index after it.
func (r *recorder) wait(t *testing.T, from int, substr string) int {
	t.Helper()
	timer := time.NewTimer(waitFor)
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
			t.Fatalf("no log message containing %q within %v", substr, waitFor)
		}
	}
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

func TestExponentialBackoff(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name        string
		base, limit time.Duration
		random      float64
		attempt     int
		want        time.Duration
	}{
		{"first, low draw", 100 * ms, time.Second, 0, 0, 50 * ms},
		{"first, high draw", 100 * ms, time.Second, 0.5, 0, 75 * ms},
		{"third", 100 * ms, time.Second, 0, 2, 200 * ms},
		{"capped", 100 * ms, time.Second, 0, 4, 500 * ms},
		{"capped, high draw", 100 * ms, time.Second, 0.5, 30, 750 * ms},
		{"huge attempt does not overflow", 100 * ms, time.Second, 0, 1 << 40, 500 * ms},
		{"zero base is a millisecond", 0, time.Second, 0, 0, ms / 2},
		{"limit below base is base", 100 * ms, ms, 0, 3, 50 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := exponentialBackoff(tt.base, tt.limit, func() float64 { return tt.random })
			if got := b(tt.attempt); got != tt.want {
				t.Errorf("backoff(%v, %v)(%d) with draw %v = %v, want %v", tt.base, tt.limit, tt.attempt, tt.random, got, tt.want)
			}
		})
	}
	b := ExponentialBackoff(10*ms, 80*ms)
	for attempt := range 10 {
		d := min(10*ms<<attempt, 80*ms)
		if got := b(attempt); got < d/2 || got > d {
			t.Errorf("ExponentialBackoff(10ms, 80ms)(%d) = %v, want in [%v, %v]", attempt, got, d/2, d)
		}
	}
}

func TestOptions(t *testing.T) {
	ctx := context.WithValue(context.Background(), struct{}{}, 1)
	r := New(nil, Context(ctx), Namespace("/ns"), RegisterTTL(1500*time.Millisecond), MaxRetry(-1), WithBackoff(nil))
	if r.opts.ctx != ctx || r.opts.maxRetry != -1 || r.opts.backoff == nil {
		t.Errorf("options = %+v, want the given context, MaxRetry -1 and the default backoff", r.opts)
	}
	if got, want := r.key("greeter", "id-1"), "/ns/greeter/id-1"; got != want {
		t.Errorf("key() = %q, want %q", got, want)
	}
	if got := r.ttlSeconds(); got != 2 {
		t.Errorf("ttlSeconds() with TTL 1.5s = %d, want 2", got)
	}
	d := New(nil)
	if d.opts.namespace != "/microservices" || d.opts.ttl != 15*time.Second || d.opts.maxRetry != 5 {
		t.Errorf("default options = %+v, want namespace /microservices, TTL 15s, MaxRetry 5", d.opts)
	}
}

func TestNilInstance(t *testing.T) {
	r := New(nil)
	if err := r.Register(context.Background(), nil); err == nil {
		t.Error("Register(nil) error = nil, want an error")
	}
	if err := r.Deregister(context.Background(), nil); err == nil {
		t.Error("Deregister(nil) error = nil, want an error")
	}
}

// TestLayout checks what Register stores: the instance as JSON under
// <namespace>/<name>/<id>, attached to a lease with the TTL.
func TestLayout(t *testing.T) {
	c := etcdtest.NewClient(t, etcdtest.Shared(t))
	ns := testNamespace(t)
	r := New(c, Namespace(ns), RegisterTTL(testTTL))
	ins := testInstance("a")
	if err := r.Register(ctxFor(t), ins); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	t.Cleanup(func() { r.Deregister(context.Background(), ins) })

	value, lease := stored(t, c, ns+"/greeter/a")
	var got registry.ServiceInstance
	if err := json.Unmarshal(value, &got); err != nil || !got.Equal(ins) {
		t.Errorf("stored value %s (%v), want the JSON of %+v", value, err, ins)
	}
	for _, field := range []string{`"id":"a"`, `"name":"greeter"`, `"version":"v1"`, `"metadata":{"weight":"10"}`, `"endpoints":[`} {
		if !strings.Contains(string(value), field) {
			t.Errorf("stored value %s lacks %s", value, field)
		}
	}
	if lease == 0 {
		t.Fatal("stored key has no lease")
	}
	if ttl := leaseTTL(t, c, lease); ttl <= 0 || ttl > 2 {
		t.Errorf("lease TTL = %d, want 1 or 2", ttl)
	}
}

func TestRegisterAgainReplacesKeepAlive(t *testing.T) {
	c := etcdtest.NewClient(t, etcdtest.Shared(t))
	ns := testNamespace(t)
	r := New(c, Namespace(ns), RegisterTTL(testTTL))
	key := ns + "/greeter/a"
	ins := testInstance("a")
	if err := r.Register(ctxFor(t), ins); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	_, lease1 := stored(t, c, key)
	k1 := r.keeperOf(key)

	ins2 := testInstance("a")
	ins2.Version = "v2"
	if err := r.Register(ctxFor(t), ins2); err != nil {
		t.Fatalf("second Register() error = %v", err)
	}
	if !closed(k1.done) {
		t.Error("the first keep-alive goroutine still runs after the second Register")
	}
	k2 := r.keeperOf(key)
	if k2 == nil || k2 == k1 || closed(k2.done) {
		t.Errorf("keeper after the second Register = %p (first %p), want a new, running one", k2, k1)
	}
	value, lease2 := stored(t, c, key)
	if !strings.Contains(string(value), `"version":"v2"`) {
		t.Errorf("stored value = %s, want version v2", value)
	}
	if lease2 == 0 || lease2 == lease1 {
		t.Errorf("lease after the second Register = %x, want a new one (first %x)", lease2, lease1)
	}
	if ttl := leaseTTL(t, c, lease1); ttl != -1 {
		t.Errorf("TTL of the replaced lease = %d, want -1 (revoked)", ttl)
	}

	if err := r.Deregister(ctxFor(t), ins2); err != nil {
		t.Fatalf("Deregister() error = %v", err)
	}
	if !closed(k2.done) {
		t.Error("the keep-alive goroutine still runs after Deregister")
	}
	if value, _ := stored(t, c, key); value != nil {
		t.Errorf("key after Deregister = %s, want none", value)
	}
	if ttl := leaseTTL(t, c, lease2); ttl != -1 {
		t.Errorf("TTL of the lease after Deregister = %d, want -1 (revoked)", ttl)
	}
	r.mu.Lock()
	n := len(r.entries)
	r.mu.Unlock()
	if n != 0 {
		t.Errorf("%d entries left after Deregister, want 0", n)
	}
}

// TestLeaseLost revokes the lease of a registered instance behind the
// registry's back: the instance must come back under a new lease.
func TestLeaseLost(t *testing.T) {
	ep := etcdtest.Shared(t)
	c, admin := etcdtest.NewClient(t, ep), etcdtest.NewClient(t, ep)
	ns := testNamespace(t)
	logs := newRecorder()
	r := New(c, Namespace(ns), RegisterTTL(testTTL), WithBackoff(fastBackoff), WithLogger(logs))
	ins := testInstance("a")
	if err := r.Register(ctxFor(t), ins); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	t.Cleanup(func() { r.Deregister(context.Background(), ins) })
	key := ns + "/greeter/a"
	_, lease1 := stored(t, c, key)

	if _, err := admin.Revoke(ctxFor(t), lease1); err != nil {
		t.Fatalf("Revoke() error = %v", err)
	}
	logs.wait(t, 0, "lost")
	eventually(t, "instance registered again under a new lease", func() bool {
		v, l := stored(t, admin, key)
		return v != nil && l != lease1
	})
}

// TestContextStopsKeepAlive cancels the Context option: keep-alives stop.
func TestContextStopsKeepAlive(t *testing.T) {
	c := etcdtest.NewClient(t, etcdtest.Shared(t))
	ns := testNamespace(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := New(c, Namespace(ns), RegisterTTL(testTTL), Context(ctx))
	ins := testInstance("a")
	if err := r.Register(ctxFor(t), ins); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	k := r.keeperOf(ns + "/greeter/a")
	cancel()
	eventually(t, "keep-alive stopped after the context was cancelled", func() bool { return closed(k.done) })
	if err := r.Deregister(ctxFor(t), ins); err != nil {
		t.Errorf("Deregister() after the context was cancelled error = %v", err)
	}
}

// TestClientClose closes the registry's client: keep-alives and watchers
// stop.
func TestClientClose(t *testing.T) {
	c := etcdtest.NewClient(t, etcdtest.Shared(t))
	ns := testNamespace(t)
	r := New(c, Namespace(ns), RegisterTTL(testTTL))
	ins := testInstance("a")
	if err := r.Register(ctxFor(t), ins); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	k := r.keeperOf(ns + "/greeter/a")
	w, err := r.Watch(context.Background(), "greeter")
	if err != nil {
		t.Fatalf("Watch() error = %v", err)
	}
	defer w.Stop()
	if list, err := w.Next(); err != nil || len(list) != 1 {
		t.Fatalf("first Next() = %v, %v, want one instance", list, err)
	}
	next := make(chan error, 1)
	go func() {
		_, err := w.Next()
		next <- err
	}()
	c.Close()
	eventually(t, "keep-alive stopped after the client was closed", func() bool { return closed(k.done) })
	select {
	case err := <-next:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Next() after the client was closed error = %v, want one wrapping context.Canceled", err)
		}
	case <-time.After(waitFor):
		t.Fatal("Next() did not return after the client was closed")
	}
	if err := r.Register(ctxFor(t), testInstance("b")); err == nil {
		t.Error("Register() through a closed client error = nil, want an error")
	}
}

// TestWatchCompacted makes the watcher's watch start from a compacted
// revision: it must list again and report the changes it missed.
func TestWatchCompacted(t *testing.T) {
	ep := etcdtest.Shared(t)
	c, admin := etcdtest.NewClient(t, ep), etcdtest.NewClient(t, ep)
	ns := testNamespace(t)
	r := New(c, Namespace(ns), WithBackoff(fastBackoff))
	w := newWatcher(context.Background(), r, "greeter")
	defer w.Stop()
	if list, err := w.Next(); err != nil || len(list) != 0 {
		t.Fatalf("first Next() = %v, %v, want no instances", list, err)
	}
	oldRev := w.rev

	// Replace the watch with one from the old revision, then compact it
	// away and add an instance.
	value, _ := json.Marshal(testInstance("a"))
	resp, err := admin.Put(ctxFor(t), ns+"/greeter/a", string(value))
	if err != nil {
		t.Fatalf("Put() error = %v", err)
	}
	if _, err := admin.Compact(ctxFor(t), resp.Header.Revision); err != nil {
		t.Fatalf("Compact() error = %v", err)
	}
	w.wcancel()
	ctx, cancel := context.WithCancel(w.ctx)
	w.wch, w.wcancel = c.Watch(ctx, w.prefix, clientv3.WithPrefix(), clientv3.WithRev(oldRev)), cancel

	list, err := w.Next()
	if err != nil || len(list) != 1 || list[0].ID != "a" {
		t.Errorf("Next() after compaction = %v, %v, want instance a", list, err)
	}
	if w.rev < resp.Header.Revision {
		t.Errorf("watcher revision after listing again = %d, want at least %d", w.rev, resp.Header.Revision)
	}
}

// TestEtcdDown runs Register while etcd is down.
func TestEtcdDown(t *testing.T) {
	srv := etcdtest.Start(t)
	c := srv.Client(t)
	srv.Kill()
	ns := testNamespace(t)

	t.Run("GivesUpAfterMaxRetry", func(t *testing.T) {
		var retries atomic.Int32
		r := New(c, Namespace(ns), RegisterTTL(time.Second), MaxRetry(2), WithBackoff(func(int) time.Duration {
			retries.Add(1)
			return time.Millisecond
		}))
		err := r.Register(ctxFor(t), testInstance("a"))
		if err == nil {
			t.Fatal("Register() with etcd down error = nil, want an error")
		}
		if got := retries.Load(); got != 2 {
			t.Errorf("Register() with MaxRetry(2) retried %d times, want 2", got)
		}
		if k := r.keeperOf(ns + "/greeter/a"); k != nil {
			t.Error("a failed Register left a keep-alive running")
		}
	})

	t.Run("WaitsForEtcd", func(t *testing.T) {
		failed := make(chan struct{})
		var once sync.Once
		r := New(c, Namespace(ns), RegisterTTL(time.Second), MaxRetry(0), WithBackoff(func(int) time.Duration {
			once.Do(func() { close(failed) })
			return 20 * time.Millisecond
		}))
		ins := testInstance("b")
		done := make(chan error, 1)
		go func() { done <- r.Register(ctxFor(t), ins) }()
		select {
		case <-failed:
		case err := <-done:
			t.Fatalf("Register() with etcd down returned %v, want it to keep trying", err)
		case <-time.After(waitFor):
			t.Fatal("Register() with etcd down did not retry")
		}
		srv.Restart(t)
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Register() once etcd is up error = %v", err)
			}
		case <-time.After(waitFor):
			t.Fatal("Register() did not return after etcd came up")
		}
		t.Cleanup(func() { r.Deregister(context.Background(), ins) })
		if v, _ := stored(t, c, ns+"/greeter/b"); v == nil {
			t.Error("instance not stored after Register returned")
		}
	})
}

// TestOutage keeps etcd down for longer than the TTL: the keep-alive gives
// the lease up, and the registry writes the instance again when etcd comes
// back. Then etcd loses its data: the registry writes the instance again,
// and a watcher started before notices the reset.
func TestOutage(t *testing.T) {
	srv := etcdtest.Start(t)
	c, admin := srv.Client(t), srv.Client(t)
	ns := testNamespace(t)
	logs := newRecorder()
	r := New(c, Namespace(ns), RegisterTTL(testTTL), WithBackoff(fastBackoff), WithLogger(logs))
	ins := testInstance("a")
	if err := r.Register(ctxFor(t), ins); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	t.Cleanup(func() { r.Deregister(context.Background(), ins) })
	key := ns + "/greeter/a"
	_, lease1 := stored(t, admin, key)

	d := New(admin, Namespace(ns), WithBackoff(fastBackoff))
	d.opts.resync = 100 * time.Millisecond
	w := newWatcher(context.Background(), d, "greeter")
	defer w.Stop()
	if list, err := w.Next(); err != nil || len(list) != 1 {
		t.Fatalf("first Next() = %v, %v, want instance a", list, err)
	}

	srv.Kill()
	from := logs.wait(t, logs.len(), "lost")
	srv.Restart(t)
	logs.wait(t, from, "registered again")
	eventually(t, "instance stored under a new lease after the outage", func() bool {
		v, l := stored(t, admin, key)
		return v != nil && l != lease1
	})

	// Push the revision up, so that the emptied server starts far below it.
	for i := range 20 {
		if _, err := admin.Put(ctxFor(t), fmt.Sprintf("%s/other/%d", ns, i), "x"); err != nil {
			t.Fatalf("Put() error = %v", err)
		}
	}
	from = logs.len()
	srv.RestartEmpty(t)
	logs.wait(t, from, "registered again")
	if err := r.Register(ctxFor(t), testInstance("b")); err != nil {
		t.Fatalf("Register(b) after the reset error = %v", err)
	}
	t.Cleanup(func() { r.Deregister(context.Background(), testInstance("b")) })
	next := make(chan []*registry.ServiceInstance, 1)
	go func() {
		for {
			list, err := w.Next()
			if err != nil {
				close(next)
				return
			}
			if len(list) == 2 {
				next <- list
				return
			}
		}
	}()
	select {
	case _, ok := <-next:
		if !ok {
			t.Fatal("Next() failed after the reset")
		}
	case <-time.After(waitFor):
		t.Fatal("watcher did not report instances a and b after etcd was reset")
	}
}
