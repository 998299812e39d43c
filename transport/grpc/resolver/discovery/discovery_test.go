package discovery

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/resolver"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/registry/registrytest"
	"github.com/seed6ad8aa6b/kratos/transport/grpc/internal/leakcheck"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := leakcheck.Check(10 * time.Second); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// fakeCC records the states a resolver reports.
type fakeCC struct {
	resolver.ClientConn
	states chan resolver.State
}

func newFakeCC() *fakeCC { return &fakeCC{states: make(chan resolver.State, 100)} }

func (f *fakeCC) UpdateState(s resolver.State) error {
	f.states <- s
	return nil
}

func (f *fakeCC) ReportError(error) {}

// next returns the next state's addresses, sorted.
func (f *fakeCC) next(t *testing.T) []string {
	t.Helper()
	select {
	case s := <-f.states:
		var addrs []string
		for _, a := range s.Addresses {
			addrs = append(addrs, a.Addr)
		}
		slices.Sort(addrs)
		return addrs
	case <-time.After(5 * time.Second):
		t.Fatal("no state reported")
		return nil
	}
}

func build(t *testing.T, d registry.Discovery, target string, opts ...Option) (*fakeCC, resolver.Resolver, error) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	cc := newFakeCC()
	r, err := NewBuilder(d, append([]Option{DisableDebugLog()}, opts...)...).Build(resolver.Target{URL: *u}, cc, resolver.BuildOptions{})
	if err == nil {
		t.Cleanup(r.Close)
	}
	return cc, r, err
}

func register(t *testing.T, reg *registrytest.Memory, id string, endpoints ...string) *registry.ServiceInstance {
	t.Helper()
	ins := &registry.ServiceInstance{ID: id, Name: "greeter", Version: "v1", Metadata: map[string]string{"zone": "z" + id}, Endpoints: endpoints}
	if err := reg.Register(context.Background(), ins); err != nil {
		t.Fatal(err)
	}
	return ins
}

func TestEndpointsBySecurity(t *testing.T) {
	reg := registrytest.NewMemory()
	register(t, reg, "1", "http://10.0.0.1:8000", "grpc://10.0.0.1:9000")
	register(t, reg, "2", "grpcs://10.0.0.2:9443")
	register(t, reg, "3", "grpc://10.0.0.3:9000?isSecure=true")
	register(t, reg, "4", "grpc://10.0.0.1:9000") // same address as 1
	register(t, reg, "5", "http://10.0.0.5:8000", "::not a url")
	tests := []struct {
		name     string
		insecure bool
		want     []string
	}{
		{name: "plaintext", insecure: true, want: []string{"10.0.0.1:9000"}},
		{name: "tls", insecure: false, want: []string{"10.0.0.2:9443", "10.0.0.3:9000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc, _, err := build(t, reg, "discovery:///greeter", WithInsecure(tt.insecure))
			if err != nil {
				t.Fatalf("Build() error = %v", err)
			}
			if got := cc.next(t); !slices.Equal(got, tt.want) {
				t.Errorf("addresses = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAddressAttributes(t *testing.T) {
	reg := registrytest.NewMemory()
	register(t, reg, "1", "grpc://10.0.0.1:9000")
	cc, _, err := build(t, reg, "discovery://authority/greeter", WithInsecure(true))
	if err != nil {
		t.Fatal(err)
	}
	s := <-cc.states
	if len(s.Addresses) != 1 {
		t.Fatalf("got %d addresses, want 1", len(s.Addresses))
	}
	a := s.Addresses[0]
	ins, _ := a.Attributes.Value(instanceKey).(*registry.ServiceInstance)
	if ins == nil || ins.ID != "1" || a.ServerName != "greeter" || a.Attributes.Value("zone") != "z1" {
		t.Errorf("address = %+v, want the instance, its name and metadata", a)
	}
}

func TestUpdatesFollowTheRegistry(t *testing.T) {
	reg := registrytest.NewMemory()
	one := register(t, reg, "1", "grpc://10.0.0.1:9000")
	cc, _, err := build(t, reg, "discovery:///greeter", WithInsecure(true))
	if err != nil {
		t.Fatal(err)
	}
	if got := cc.next(t); !slices.Equal(got, []string{"10.0.0.1:9000"}) {
		t.Fatalf("addresses = %q", got)
	}
	two := register(t, reg, "2", "grpc://10.0.0.2:9000")
	if got := cc.next(t); !slices.Equal(got, []string{"10.0.0.1:9000", "10.0.0.2:9000"}) {
		t.Errorf("after a registration: %q", got)
	}
	// Emptying the service is not passed on: the next state reported is
	// the one after the service has instances again.
	_ = reg.Deregister(context.Background(), one)
	if got := cc.next(t); !slices.Equal(got, []string{"10.0.0.2:9000"}) {
		t.Errorf("after a deregistration: %q", got)
	}
	_ = reg.Deregister(context.Background(), two)
	register(t, reg, "3", "http://10.0.0.3:8000") // nothing usable either
	register(t, reg, "4", "grpc://10.0.0.4:9000")
	if got := cc.next(t); !slices.Equal(got, []string{"10.0.0.4:9000"}) {
		t.Errorf("after emptying and refilling: %q, want only [10.0.0.4:9000]", got)
	}
}

func TestSubset(t *testing.T) {
	var targets []target
	for i := range 10 {
		targets = append(targets, target{addr: fmt.Sprintf("10.0.0.%d:9000", i), ins: &registry.ServiceInstance{ID: fmt.Sprint(i)}})
	}
	addrs := func(ts []target) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.addr)
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		size int
		want int
	}{{0, 10}, {-1, 10}, {10, 10}, {20, 10}, {3, 3}, {5, 5}}
	for _, tt := range tests {
		got := subset(42, slices.Clone(targets), tt.size)
		if len(got) != tt.want {
			t.Errorf("subset(size %d) has %d targets, want %d", tt.size, len(got), tt.want)
		}
	}
	// The same key and targets, in any order, give the same subset.
	a := addrs(subset(7, slices.Clone(targets), 3))
	shuffled := slices.Clone(targets)
	slices.Reverse(shuffled)
	if b := addrs(subset(7, shuffled, 3)); !slices.Equal(a, b) {
		t.Errorf("subset depends on order: %q vs %q", a, b)
	}
	// Different keys spread over every target.
	seen := map[string]bool{}
	for key := range uint64(50) {
		for _, addr := range addrs(subset(key, slices.Clone(targets), 3)) {
			seen[addr] = true
		}
	}
	if len(seen) != len(targets) {
		t.Errorf("50 keys used %d of %d targets", len(seen), len(targets))
	}
}

func TestSubsetThroughResolver(t *testing.T) {
	reg := registrytest.NewMemory()
	for i := range 6 {
		register(t, reg, fmt.Sprint(i), fmt.Sprintf("grpc://10.0.0.%d:9000", i))
	}
	cc, _, err := build(t, reg, "discovery:///greeter", WithInsecure(true), WithSubset(2))
	if err != nil {
		t.Fatal(err)
	}
	if got := cc.next(t); len(got) != 2 {
		t.Errorf("addresses = %q, want 2", got)
	}
}

// flakyDiscovery hands out watchers whose Next fails a few times first.
type flakyDiscovery struct {
	failures int
	mu       sync.Mutex
	watchers []*flakyWatcher
}

func (d *flakyDiscovery) GetService(context.Context, string) ([]*registry.ServiceInstance, error) {
	return nil, nil
}

func (d *flakyDiscovery) Watch(ctx context.Context, _ string) (registry.Watcher, error) {
	w := &flakyWatcher{failures: d.failures, stop: make(chan struct{})}
	d.mu.Lock()
	d.watchers = append(d.watchers, w)
	d.mu.Unlock()
	return w, nil
}

type flakyWatcher struct {
	failures int
	sent     bool
	stopOnce sync.Once
	stop     chan struct{}
}

func (w *flakyWatcher) Next() ([]*registry.ServiceInstance, error) {
	if w.failures > 0 {
		w.failures--
		return nil, errors.New("registry unreachable")
	}
	if !w.sent {
		w.sent = true
		return []*registry.ServiceInstance{{ID: "1", Name: "greeter", Endpoints: []string{"grpc://10.0.0.1:9000"}}}, nil
	}
	<-w.stop
	return nil, errors.New("stopped")
}

func (w *flakyWatcher) Stop() error {
	w.stopOnce.Do(func() { close(w.stop) })
	return nil
}

func TestWatchErrorsAreRetried(t *testing.T) {
	d := &flakyDiscovery{failures: 2}
	cc, r, err := build(t, d, "discovery:///greeter", WithInsecure(true))
	if err != nil {
		t.Fatal(err)
	}
	if got := cc.next(t); !slices.Equal(got, []string{"10.0.0.1:9000"}) {
		t.Errorf("addresses = %q", got)
	}
	// Close stops the watcher and waits for the resolver's goroutine, whose
	// last Next returns once the watcher stops.
	r.Close()
	select {
	case <-d.watchers[0].stop:
	default:
		t.Error("Close did not stop the watcher")
	}
}

func TestCloseDuringBackoff(t *testing.T) {
	d := &flakyDiscovery{failures: 1 << 30}
	_, r, err := build(t, d, "discovery:///greeter", WithInsecure(true))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		r.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return while the resolver was backing off")
	}
}

// slowDiscovery creates its watcher only after release is closed.
type slowDiscovery struct {
	release chan struct{}
	created chan *flakyWatcher
	err     error
}

func (d *slowDiscovery) GetService(context.Context, string) ([]*registry.ServiceInstance, error) {
	return nil, nil
}

func (d *slowDiscovery) Watch(ctx context.Context, _ string) (registry.Watcher, error) {
	if d.err != nil {
		return nil, d.err
	}
	<-d.release
	w := &flakyWatcher{stop: make(chan struct{})}
	d.created <- w
	return w, nil
}

func TestBuildErrors(t *testing.T) {
	t.Run("watch timeout", func(t *testing.T) {
		d := &slowDiscovery{release: make(chan struct{}), created: make(chan *flakyWatcher, 1)}
		_, _, err := build(t, d, "discovery:///greeter", WithTimeout(10*time.Millisecond))
		if !errors.Is(err, ErrWatcherCreateTimeout) {
			t.Fatalf("Build() error = %v, want ErrWatcherCreateTimeout", err)
		}
		// The watcher that arrives late is stopped.
		close(d.release)
		w := <-d.created
		select {
		case <-w.stop:
		case <-time.After(5 * time.Second):
			t.Error("late watcher not stopped")
		}
	})
	t.Run("watch fails", func(t *testing.T) {
		cause := errors.New("no registry")
		_, _, err := build(t, &slowDiscovery{err: cause}, "discovery:///greeter")
		if !errors.Is(err, cause) {
			t.Errorf("Build() error = %v, want %v", err, cause)
		}
	})
	t.Run("no service name", func(t *testing.T) {
		_, _, err := build(t, registrytest.NewMemory(), "discovery:///")
		if err == nil {
			t.Error("Build() without a service name succeeded")
		}
	})
}

func TestScheme(t *testing.T) {
	if got := NewBuilder(registrytest.NewMemory()).Scheme(); got != "discovery" {
		t.Errorf("Scheme() = %q, want discovery", got)
	}
}

// FuzzUpdate feeds registry endpoints to the resolver: whatever they are,
// it must not panic, and every address it reports must come from a grpc or
// grpcs endpoint of the right security.
func FuzzUpdate(f *testing.F) {
	f.Add("grpc://127.0.0.1:9000", "grpcs://[::1]:9443", false)
	f.Add("grpc://h:1?isSecure=true", "http://h:2", true)
	f.Add("::", "grpc://", false)
	f.Add("grpc://%zz", "GRPC://H:1", true)
	f.Fuzz(func(t *testing.T, e1, e2 string, insecure bool) {
		cc := newFakeCC()
		r := &discoveryResolver{cc: cc, name: "fuzz", insecure: insecure, subsetSize: 1, key: 3}
		r.update([]*registry.ServiceInstance{
			{ID: "1", Endpoints: []string{e1, e2}},
			{ID: "2", Endpoints: []string{e2}},
			nil,
		})
		select {
		case s := <-cc.states:
			if len(s.Addresses) == 0 || len(s.Addresses) > 1 {
				t.Fatalf("reported %d addresses, want 1 (the subset size)", len(s.Addresses))
			}
			a := s.Addresses[0].Addr
			ok := false
			for _, e := range []string{e1, e2} {
				u, err := url.Parse(e)
				if err == nil && u.Host == a && (u.Scheme == "grpc" || u.Scheme == "grpcs") {
					ok = true
				}
			}
			if !ok {
				t.Fatalf("address %q comes from neither %q nor %q", a, e1, e2)
			}
		default:
		}
	})
}
