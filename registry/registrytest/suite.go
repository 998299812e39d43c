package registrytest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/registry"
)

// NewRegistryFunc returns the Registrar and Discovery to test. It is called
// once per subtest, with that subtest's t, and should register anything
// that needs closing with t.Cleanup. Both may be one value. Registrations
// made through the Registrar must become visible through the Discovery.
type NewRegistryFunc func(t *testing.T) (registry.Registrar, registry.Discovery)

// CrashFunc makes r stop keeping ins alive without deregistering it, as
// when the registering process dies: for example, it closes the client r
// uses (which must not be the one the Discovery uses). The registration
// should then expire.
type CrashFunc func(t *testing.T, r registry.Registrar, ins *registry.ServiceInstance)

// RestartFunc restarts the registry server. It may lose the server's data;
// registrars are expected to register their instances again, and watchers
// to keep working.
type RestartFunc func(t *testing.T)

// Option configures Run.
type Option func(*config)

type config struct {
	timeout      time.Duration
	crash        CrashFunc
	expiry       time.Duration
	restart      RestartFunc
	restartLimit time.Duration
}

// WithTimeout sets how long the suite waits for a change to show in
// GetService or a watcher, and for Next to return after Stop. The default
// is 10 seconds.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// WithCrash enables the "Expiry" test: after crash, the instance must
// vanish from discovery within expiry (the backend's TTL plus slack). By
// default the test is skipped.
func WithCrash(crash CrashFunc, expiry time.Duration) Option {
	return func(c *config) { c.crash, c.expiry = crash, expiry }
}

// WithRestart enables the "Restart" test: after restart, registered
// instances must be visible again within limit, and a watcher started
// before the restart must report later changes. By default the test is
// skipped.
func WithRestart(restart RestartFunc, limit time.Duration) Option {
	return func(c *config) { c.restart, c.restartLimit = restart, limit }
}

// Run runs the conformance suite as subtests of t, one after another (the
// restart test would disturb concurrent ones). Each subtest uses service
// names of its own, made unique with a random suffix, and deregisters what
// it registered when it ends.
//
// The suite checks that:
//   - registered instances are returned by GetService with all their
//     fields, re-registering an ID updates it, and deregistered ones go
//     away (deregistering an unknown instance is not an error);
//   - services are kept apart, also when one name is a prefix of another;
//   - GetService of an unknown service returns no instances (an error is
//     accepted too);
//   - a watcher's first Next returns the current instances, even none, and
//     later calls report every change, eventually;
//   - Stop makes a blocked and any later Next return an error that wraps
//     context.Canceled, and so does canceling the context given to Watch;
//   - concurrent registrations all arrive;
//   - with WithCrash and WithRestart, registrations expire after a crash
//     and come back after a server restart.
func Run(t *testing.T, newRegistry NewRegistryFunc, opts ...Option) {
	t.Helper()
	c := config{timeout: 10 * time.Second}
	for _, o := range opts {
		o(&c)
	}
	s := &suite{config: c, newRegistry: newRegistry}
	tests := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"RegisterGetService", s.testRegisterGetService},
		{"GetUnknownService", s.testGetUnknownService},
		{"Deregister", s.testDeregister},
		{"DeregisterUnknown", s.testDeregisterUnknown},
		{"Update", s.testUpdate},
		{"SeveralInstances", s.testSeveralInstances},
		{"SeveralServices", s.testSeveralServices},
		{"ResultsAreCopies", s.testResultsAreCopies},
		{"WatchFirst", s.testWatchFirst},
		{"WatchFirstEmpty", s.testWatchFirstEmpty},
		{"WatchChanges", s.testWatchChanges},
		{"WatchOwnServiceOnly", s.testWatchOwnServiceOnly},
		{"SeveralWatchers", s.testSeveralWatchers},
		{"WatchStop", s.testWatchStop},
		{"WatchContextCancel", s.testWatchContextCancel},
		{"Concurrent", s.testConcurrent},
		{"Expiry", s.testExpiry},
		{"Restart", s.testRestart},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.fn)
	}
}

type suite struct {
	config
	newRegistry NewRegistryFunc
}

// serviceName returns a service name unique to t.
func serviceName(t *testing.T, suffix string) string {
	base := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, t.Name())
	return fmt.Sprintf("rt-%s-%08x%s", base, rand.Uint32(), suffix)
}

// instance returns a fully populated instance of service.
func instance(service, id string) *registry.ServiceInstance {
	port := 8000 + len(id)
	return &registry.ServiceInstance{
		ID:      id,
		Name:    service,
		Version: "v1.2.3",
		Metadata: map[string]string{
			"weight": "10",
			"zone":   "zone-" + id,
		},
		Endpoints: []string{
			fmt.Sprintf("http://127.0.0.1:%d", port),
			fmt.Sprintf("grpc://127.0.0.1:%d", port+1000),
		},
	}
}

func (s *suite) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	t.Cleanup(cancel)
	return ctx
}

// register registers ins through r and deregisters it when t ends.
func (s *suite) register(t *testing.T, r registry.Registrar, ins *registry.ServiceInstance) {
	t.Helper()
	if err := r.Register(s.ctx(t), ins); err != nil {
		t.Fatalf("Register(%v) error = %v", ins, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		defer cancel()
		if err := r.Deregister(ctx, ins); err != nil {
			t.Logf("cleanup: Deregister(%v) error = %v", ins, err)
		}
	})
}

func (s *suite) deregister(t *testing.T, r registry.Registrar, ins *registry.ServiceInstance) {
	t.Helper()
	if err := r.Deregister(s.ctx(t), ins); err != nil {
		t.Fatalf("Deregister(%v) error = %v", ins, err)
	}
}

// sameInstances reports whether got and want hold equal instances, in any
// order.
func sameInstances(got, want []*registry.ServiceInstance) bool {
	if len(got) != len(want) {
		return false
	}
	used := make([]bool, len(got))
next:
	for _, w := range want {
		for i, g := range got {
			if !used[i] && w.Equal(g) {
				used[i] = true
				continue next
			}
		}
		return false
	}
	return true
}

func describe(list []*registry.ServiceInstance) string {
	if len(list) == 0 {
		return "[]"
	}
	parts := make([]string, len(list))
	for i, ins := range list {
		if ins == nil {
			parts[i] = "<nil>"
			continue
		}
		parts[i] = fmt.Sprintf("{ID:%q Name:%q Version:%q Metadata:%v Endpoints:%v}",
			ins.ID, ins.Name, ins.Version, ins.Metadata, ins.Endpoints)
	}
	slices.Sort(parts)
	return "[" + strings.Join(parts, " ") + "]"
}

// eventually polls cond until it returns true or limit passes, waiting a
// little longer after each try (1ms doubling up to 50ms).
func eventually(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	wait := time.Millisecond
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		timer.Reset(min(wait, time.Until(deadline)+time.Millisecond))
		<-timer.C
		wait = min(2*wait, 50*time.Millisecond)
	}
}

// waitService polls GetService until it returns want (in any order).
func (s *suite) waitService(t *testing.T, d registry.Discovery, name string, want []*registry.ServiceInstance, limit time.Duration) {
	t.Helper()
	var got []*registry.ServiceInstance
	var err error
	ok := eventually(limit, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		defer cancel()
		got, err = d.GetService(ctx, name)
		if len(want) == 0 && err != nil {
			// Some backends report an unknown service as an error.
			return true
		}
		return err == nil && sameInstances(got, want)
	})
	if !ok {
		t.Fatalf("GetService(%q) = %s, %v after %v, want %s", name, describe(got), err, limit, describe(want))
	}
}

type nextResult struct {
	list []*registry.ServiceInstance
	err  error
}

// stream reads a watcher in the background, so that the suite can wait for
// its results with a deadline.
type stream struct {
	w       registry.Watcher
	results chan nextResult
	quit    chan struct{}
	done    chan struct{}
}

// watch starts a watcher of name and its reader; both are stopped when t
// ends, and t fails if Next does not return after Stop.
func (s *suite) watch(t *testing.T, d registry.Discovery, name string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w, err := d.Watch(ctx, name)
	if err != nil {
		t.Fatalf("Watch(%q) error = %v", name, err)
	}
	st := &stream{w: w, results: make(chan nextResult), quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(st.done)
		for {
			list, err := w.Next()
			select {
			case st.results <- nextResult{list, err}:
			case <-st.quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		close(st.quit)
		if err := w.Stop(); err != nil {
			t.Logf("cleanup: Stop() error = %v", err)
		}
		select {
		case <-st.done:
		case <-time.After(s.timeout):
			t.Errorf("Next did not return within %v after Stop", s.timeout)
		}
	})
	return st
}

// next returns the next result of the watcher, failing t after the timeout.
func (s *suite) next(t *testing.T, st *stream, what string) []*registry.ServiceInstance {
	t.Helper()
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	select {
	case r := <-st.results:
		if r.err != nil {
			t.Fatalf("Next() error = %v, waiting for %s", r.err, what)
		}
		return r.list
	case <-timer.C:
		t.Fatalf("Next() did not return within %v, waiting for %s", s.timeout, what)
		return nil
	}
}

// await reads the watcher until a list equal to want (in any order) shows
// up, failing t after limit. check, if non-nil, is run on every list seen.
func (s *suite) await(t *testing.T, st *stream, want []*registry.ServiceInstance, limit time.Duration, check func([]*registry.ServiceInstance)) {
	t.Helper()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	var last []*registry.ServiceInstance
	for {
		select {
		case r := <-st.results:
			if r.err != nil {
				t.Fatalf("Next() error = %v, waiting for %s", r.err, describe(want))
			}
			if check != nil {
				check(r.list)
			}
			if sameInstances(r.list, want) {
				return
			}
			last = r.list
		case <-timer.C:
			t.Fatalf("watcher did not report %s within %v; last reported %s", describe(want), limit, describe(last))
		}
	}
}

func list(ins ...*registry.ServiceInstance) []*registry.ServiceInstance { return ins }

func (s *suite) testRegisterGetService(t *testing.T) {
	r, d := s.newRegistry(t)
	name := serviceName(t, "")
	a := instance(name, "a")
	s.register(t, r, a)
	s.waitService(t, d, name, list(a), s.timeout)
}

func (s *suite) testGetUnknownService(t *testing.T) {
	_, d := s.newRegistry(t)
	name := serviceName(t, "")
	got, err := d.GetService(s.ctx(t), name)
	if len(got) != 0 {
		t.Errorf("GetService(%q) = %s, %v, want no instances", name, describe(got), err)
	}
}

func (s *suite) testDeregister(t *testing.T) {
	r, d := s.newRegistry(t)
	name := serviceName(t, "")
	a, b := instance(name, "a"), instance(name, "b")
	s.register(t, r, a)
	s.register(t, r, b)
	s.waitService(t, d, name, list(a, b), s.timeout)
	s.deregister(t, r, a)
	s.waitService(t, d, name, list(b), s.timeout)
	s.deregister(t, r, b)
	s.waitService(t, d, name, nil, s.timeout)
}

func (s *suite) testDeregisterUnknown(t *testing.T) {
	r, _ := s.newRegistry(t)
	ins := instance(serviceName(t, ""), "never-registered")
	if err := r.Deregister(s.ctx(t), ins); err != nil {
		t.Errorf("Deregister(%v) of an unknown instance error = %v, want nil", ins, err)
	}
}

func (s *suite) testUpdate(t *testing.T) {
	r, d := s.newRegistry(t)
	name := serviceName(t, "")
	a := instance(name, "a")
	s.register(t, r, a)
	s.waitService(t, d, name, list(a), s.timeout)
	a2 := instance(name, "a")
	a2.Version = "v2.0.0"
	a2.Metadata["zone"] = "moved"
	a2.Endpoints = a2.Endpoints[:1]
	s.register(t, r, a2)
	s.waitService(t, d, name, list(a2), s.timeout)
}

func (s *suite) testSeveralInstances(t *testing.T) {
	r, d := s.newRegistry(t)
	name := serviceName(t, "")
	var all []*registry.ServiceInstance
	for _, id := range []string{"one", "two", "three", "four"} {
		ins := instance(name, id)
		all = append(all, ins)
		s.register(t, r, ins)
	}
	s.waitService(t, d, name, all, s.timeout)
	s.deregister(t, r, all[1])
	s.waitService(t, d, name, list(all[0], all[2], all[3]), s.timeout)
}

func (s *suite) testSeveralServices(t *testing.T) {
	r, d := s.newRegistry(t)
	base := serviceName(t, "")
	// Names that share a prefix catch backends that look up by key prefix.
	names := []string{base, base + "x", base + "-x"}
	want := map[string][]*registry.ServiceInstance{}
	for i, name := range names {
		ins := instance(name, fmt.Sprintf("i%d", i))
		want[name] = list(ins)
		s.register(t, r, ins)
	}
	for _, name := range names {
		s.waitService(t, d, name, want[name], s.timeout)
	}
}

func (s *suite) testResultsAreCopies(t *testing.T) {
	r, d := s.newRegistry(t)
	name := serviceName(t, "")
	a := instance(name, "a")
	s.register(t, r, a)
	s.waitService(t, d, name, list(a), s.timeout)
	got, err := d.GetService(s.ctx(t), name)
	if err != nil || len(got) != 1 {
		t.Fatalf("GetService(%q) = %s, %v, want one instance", name, describe(got), err)
	}
	got[0].ID = "changed"
	got[0].Metadata["zone"] = "changed"
	got[0].Endpoints[0] = "changed"
	s.waitService(t, d, name, list(instance(name, "a")), s.timeout)
}

func (s *suite) testWatchFirst(t *testing.T) {
	r, d := s.newRegistry(t)
	name := serviceName(t, "")
	a := instance(name, "a")
	s.register(t, r, a)
	s.waitService(t, d, name, list(a), s.timeout)
	st := s.watch(t, d, name)
	if got := s.next(t, st, "the first list"); !sameInstances(got, list(a)) {
		t.Errorf("first Next() = %s, want %s", describe(got), describe(list(a)))
	}
}

func (s *suite) testWatchFirstEmpty(t *testing.T) {
	_, d := s.newRegistry(t)
	name := serviceName(t, "")
	st := s.watch(t, d, name)
	if got := s.next(t, st, "the first, empty, list"); len(got) != 0 {
		t.Errorf("first Next() of an unknown service = %s, want []", describe(got))
	}
}

func (s *suite) testWatchChanges(t *testing.T) {
	r, d := s.newRegistry(t)
	name := serviceName(t, "")
	st := s.watch(t, d, name)
	s.next(t, st, "the first list")

	a, b := instance(name, "a"), instance(name, "b")
	s.register(t, r, a)
	s.await(t, st, list(a), s.timeout, nil)
	s.register(t, r, b)
	s.await(t, st, list(a, b), s.timeout, nil)

	a2 := instance(name, "a")
	a2.Metadata["zone"] = "moved"
	s.register(t, r, a2)
	s.await(t, st, list(a2, b), s.timeout, nil)

	s.deregister(t, r, a2)
	s.await(t, st, list(b), s.timeout, nil)
	s.deregister(t, r, b)
	s.await(t, st, nil, s.timeout, nil)
}

func (s *suite) testWatchOwnServiceOnly(t *testing.T) {
	r, d := s.newRegistry(t)
	name := serviceName(t, "")
	other := instance(name+"x", "other")
	st := s.watch(t, d, name)
	s.next(t, st, "the first list")
	s.register(t, r, other)
	a := instance(name, "a")
	s.register(t, r, a)
	s.await(t, st, list(a), s.timeout, func(got []*registry.ServiceInstance) {
		for _, ins := range got {
			if ins.Name != name {
				t.Errorf("watcher of %q reported %s", name, describe(got))
			}
		}
	})
}

func (s *suite) testSeveralWatchers(t *testing.T) {
	r, d := s.newRegistry(t)
	name := serviceName(t, "")
	st1, st2 := s.watch(t, d, name), s.watch(t, d, name)
	s.next(t, st1, "the first list")
	s.next(t, st2, "the first list")
	a := instance(name, "a")
	s.register(t, r, a)
	s.await(t, st1, list(a), s.timeout, nil)
	s.await(t, st2, list(a), s.timeout, nil)
}

// nextAsync runs Next in the background.
func nextAsync(w registry.Watcher) <-chan nextResult {
	ch := make(chan nextResult, 1)
	go func() {
		list, err := w.Next()
		ch <- nextResult{list, err}
	}()
	return ch
}

// wantCanceled waits for a Next result and checks it is a cancellation.
func (s *suite) wantCanceled(t *testing.T, ch <-chan nextResult, after string) {
	t.Helper()
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		if !errors.Is(r.err, context.Canceled) {
			t.Errorf("Next() after %s = %s, %v, want an error wrapping context.Canceled", after, describe(r.list), r.err)
		}
	case <-timer.C:
		t.Fatalf("Next() did not return within %v after %s", s.timeout, after)
	}
}

func (s *suite) testWatchStop(t *testing.T) {
	_, d := s.newRegistry(t)
	name := serviceName(t, "")
	w, err := d.Watch(s.ctx(t), name)
	if err != nil {
		t.Fatalf("Watch(%q) error = %v", name, err)
	}
	first := nextAsync(w)
	select {
	case r := <-first:
		if r.err != nil {
			t.Fatalf("first Next() error = %v", r.err)
		}
	case <-time.After(s.timeout):
		t.Fatalf("first Next() did not return within %v", s.timeout)
	}
	blocked := nextAsync(w) // nothing changes, so this blocks until Stop
	if err := w.Stop(); err != nil {
		t.Errorf("Stop() error = %v, want nil", err)
	}
	s.wantCanceled(t, blocked, "Stop")
	s.wantCanceled(t, nextAsync(w), "Stop, called again")
	w.Stop() // a second Stop must not panic or block
}

func (s *suite) testWatchContextCancel(t *testing.T) {
	_, d := s.newRegistry(t)
	name := serviceName(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := d.Watch(ctx, name)
	if err != nil {
		t.Fatalf("Watch(%q) error = %v", name, err)
	}
	t.Cleanup(func() { w.Stop() })
	first := nextAsync(w)
	select {
	case r := <-first:
		if r.err != nil {
			t.Fatalf("first Next() error = %v", r.err)
		}
	case <-time.After(s.timeout):
		t.Fatalf("first Next() did not return within %v", s.timeout)
	}
	blocked := nextAsync(w)
	cancel()
	s.wantCanceled(t, blocked, "canceling the Watch context")
}

func (s *suite) testConcurrent(t *testing.T) {
	r, d := s.newRegistry(t)
	name := serviceName(t, "")
	st := s.watch(t, d, name)
	s.next(t, st, "the first list")
	const workers, each = 8, 3
	all := make([]*registry.ServiceInstance, 0, workers*each)
	for i := range workers * each {
		all = append(all, instance(name, fmt.Sprintf("c%02d", i)))
	}
	run := func(op func(context.Context, *registry.ServiceInstance) error, opName string) {
		var wg sync.WaitGroup
		errs := make(chan error, len(all))
		for w := range workers {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
				defer cancel()
				for _, ins := range all[w*each : (w+1)*each] {
					if err := op(ctx, ins); err != nil {
						errs <- fmt.Errorf("%s(%v): %w", opName, ins, err)
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	t.Cleanup(func() {
		run(r.Deregister, "cleanup: Deregister")
	})
	run(r.Register, "Register")
	s.await(t, st, all, s.timeout, nil)
	s.waitService(t, d, name, all, s.timeout)
	run(r.Deregister, "Deregister")
	s.await(t, st, nil, s.timeout, nil)
	s.waitService(t, d, name, nil, s.timeout)
}

func (s *suite) testExpiry(t *testing.T) {
	if s.crash == nil {
		t.Skip("no CrashFunc given; see WithCrash")
	}
	r, d := s.newRegistry(t)
	name := serviceName(t, "")
	a := instance(name, "a")
	s.register(t, r, a)
	st := s.watch(t, d, name)
	s.await(t, st, list(a), s.timeout, nil)
	s.crash(t, r, a)
	s.await(t, st, nil, s.expiry, nil)
	s.waitService(t, d, name, nil, s.timeout)
}

func (s *suite) testRestart(t *testing.T) {
	if s.restart == nil {
		t.Skip("no RestartFunc given; see WithRestart")
	}
	r, d := s.newRegistry(t)
	name := serviceName(t, "")
	a := instance(name, "a")
	s.register(t, r, a)
	st := s.watch(t, d, name)
	s.await(t, st, list(a), s.timeout, nil)

	s.restart(t)
	s.waitService(t, d, name, list(a), s.restartLimit)

	// The watcher from before the restart still reports changes.
	b := instance(name, "b")
	s.register(t, r, b)
	s.await(t, st, list(a, b), s.restartLimit, nil)
	// And a new one starts from the full list.
	st2 := s.watch(t, d, name)
	s.await(t, st2, list(a, b), s.timeout, nil)
}
