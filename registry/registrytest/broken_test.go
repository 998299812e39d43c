package registrytest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/registry"
)

// The suite is only useful if it fails for broken registries. Each case
// below breaks Memory in one way and runs the suite in a child process,
// expecting the named subtests to fail.

const brokenEnv = "REGISTRYTEST_BROKEN"

// prefixLookup finds services by name prefix, a classic key-value store bug.
type prefixLookup struct{ *Memory }

func (p prefixLookup) GetService(ctx context.Context, name string) ([]*registry.ServiceInstance, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*registry.ServiceInstance
	for svc, list := range p.visible {
		if strings.HasPrefix(svc, name) {
			out = append(out, cloneAll(list)...)
		}
	}
	return out, nil
}

// lazyFirst does not report the current list until something changes.
type lazyFirst struct{ *Memory }

func (l lazyFirst) Watch(ctx context.Context, name string) (registry.Watcher, error) {
	w, err := l.Memory.Watch(ctx, name)
	w.(*memoryWatcher).first = false
	return w, err
}

// stuckStop does not unblock Next.
type stuckStop struct{ *Memory }

func (s stuckStop) Watch(ctx context.Context, name string) (registry.Watcher, error) {
	w, err := s.Memory.Watch(context.WithoutCancel(ctx), name)
	return stuckWatcher{w}, err
}

type stuckWatcher struct{ registry.Watcher }

func (stuckWatcher) Stop() error { return nil }

// plainStopError returns an error that does not wrap context.Canceled.
type plainStopError struct{ *Memory }

func (p plainStopError) Watch(ctx context.Context, name string) (registry.Watcher, error) {
	w, err := p.Memory.Watch(ctx, name)
	return plainErrWatcher{w}, err
}

type plainErrWatcher struct{ registry.Watcher }

func (w plainErrWatcher) Next() ([]*registry.ServiceInstance, error) {
	list, err := w.Watcher.Next()
	if err != nil {
		err = errors.New("watcher closed")
	}
	return list, err
}

// silentDeregister does not tell watchers about deregistrations.
type silentDeregister struct{ *Memory }

func (s silentDeregister) Deregister(ctx context.Context, ins *registry.ServiceInstance) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.live[ins.Name], _ = remove(s.live[ins.Name], ins.ID)
	s.visible[ins.Name], _ = remove(s.visible[ins.Name], ins.ID)
	return nil
}

// aliased returns its own instances instead of copies.
type aliased struct{ *Memory }

func (a aliased) GetService(_ context.Context, name string) ([]*registry.ServiceInstance, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*registry.ServiceInstance(nil), a.visible[name]...), nil
}

func brokenRegistry(kind string, m *Memory) (registry.Registrar, registry.Discovery) {
	switch kind {
	case "prefix":
		return m, prefixLookup{m}
	case "lazyfirst":
		return m, lazyFirst{m}
	case "stuckstop":
		return m, stuckStop{m}
	case "plainstop":
		return m, plainStopError{m}
	case "silentderegister":
		return silentDeregister{m}, m
	case "aliased":
		return m, aliased{m}
	}
	return m, m
}

// TestBrokenRegistry is the child side; it runs only under TestSuiteCatchesBugs.
func TestBrokenRegistry(t *testing.T) {
	kind := os.Getenv(brokenEnv)
	if kind == "" {
		t.Skip("run by TestSuiteCatchesBugs")
	}
	opts := []Option{WithTimeout(300 * time.Millisecond)}
	var last *Memory
	if kind == "forgetful" {
		// Restart loses everything and nobody registers again.
		opts = append(opts, WithRestart(func(*testing.T) {
			last.mu.Lock()
			defer last.mu.Unlock()
			last.visible = map[string][]*registry.ServiceInstance{}
		}, 300*time.Millisecond))
	}
	if kind == "immortal" {
		// A crash changes nothing: the registration never expires.
		opts = append(opts, WithCrash(func(*testing.T, registry.Registrar, *registry.ServiceInstance) {}, 300*time.Millisecond))
	}
	Run(t, func(t *testing.T) (registry.Registrar, registry.Discovery) {
		last = NewMemory()
		return brokenRegistry(kind, last)
	}, opts...)
}

func TestSuiteCatchesBugs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	tests := []struct {
		kind     string
		wantFail []string
	}{
		{"prefix", []string{"SeveralServices"}},
		{"lazyfirst", []string{"WatchFirst", "WatchFirstEmpty", "WatchStop"}},
		{"stuckstop", []string{"WatchStop"}},
		{"plainstop", []string{"WatchStop", "WatchContextCancel"}},
		{"silentderegister", []string{"WatchChanges"}},
		{"aliased", []string{"ResultsAreCopies"}},
		{"forgetful", []string{"Restart"}},
		{"immortal", []string{"Expiry"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenRegistry$", "-test.v")
			cmd.Env = append(os.Environ(), brokenEnv+"="+tt.kind)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("suite passed against a broken registry, want failures in %v\n%s", tt.wantFail, out)
			}
			for _, name := range tt.wantFail {
				if !strings.Contains(string(out), "--- FAIL: TestBrokenRegistry/"+name+" ") {
					t.Errorf("subtest %s did not fail, want it to\n%s", name, out)
				}
			}
		})
	}
}
