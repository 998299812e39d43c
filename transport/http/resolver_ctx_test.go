package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/registry/registrytest"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// stopRecorder is a Discovery that counts the watchers it made and the
// ones stopped.
type stopRecorder struct {
	registry.Discovery
	mu      sync.Mutex
	watches int
	stops   int
}

func (d *stopRecorder) Watch(ctx context.Context, name string) (registry.Watcher, error) {
	w, err := d.Discovery.Watch(ctx, name)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.watches++
	return &recordedWatcher{Watcher: w, d: d}, nil
}

func (d *stopRecorder) counts() (watches, stops int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.watches, d.stops
}

type recordedWatcher struct {
	registry.Watcher
	d    *stopRecorder
	once sync.Once
}

func (w *recordedWatcher) Stop() error {
	w.once.Do(func() {
		w.d.mu.Lock()
		w.d.stops++
		w.d.mu.Unlock()
	})
	return w.Watcher.Stop()
}

// nameServer is an httptest server answering /who with its name.
func nameServer(t *testing.T, name string) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"name": name})
	}))
	t.Cleanup(ts.Close)
	return ts
}

func instance(id string, ts *httptest.Server) *registry.ServiceInstance {
	return &registry.ServiceInstance{ID: id, Name: "svc", Endpoints: []string{ts.URL}}
}

// callUntil calls /who until it answers want or the deadline passes, and
// returns how many calls were made, went elsewhere and failed.
func callUntil(c *khttp.Client, want string, deadline time.Time) (calls, elsewhere, failed int, ok bool) {
	for time.Now().Before(deadline) {
		var out map[string]string
		err := c.Invoke(context.Background(), "GET", "/who", nil, &out)
		calls++
		switch {
		case err != nil:
			failed++
		case out["name"] == want:
			return calls, elsewhere, failed, true
		default:
			elsewhere++
		}
	}
	return calls, elsewhere, failed, false
}

// TestClientDiscoveryOutlivesContext checks that the context given to
// NewClient only bounds its start: the client keeps following the service
// after that context ended, until Close, which stops the watcher.
func TestClientDiscoveryOutlivesContext(t *testing.T) {
	tests := []struct {
		name  string
		block bool
		// newCtx returns the context for NewClient and ends it.
		newCtx func() (context.Context, func())
	}{
		{
			name:  "WithBlock, canceled",
			block: true,
			newCtx: func() (context.Context, func()) {
				ctx, cancel := context.WithCancel(context.Background())
				return ctx, cancel
			},
		},
		{
			name:  "WithBlock, timed out",
			block: true,
			newCtx: func() (context.Context, func()) {
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				return ctx, func() { <-ctx.Done(); cancel() }
			},
		},
		{
			name: "without block, canceled",
			newCtx: func() (context.Context, func()) {
				ctx, cancel := context.WithCancel(context.Background())
				return ctx, cancel
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := nameServer(t, "a"), nameServer(t, "b")
			m := registrytest.NewMemory()
			if err := m.Register(context.Background(), instance("a", a)); err != nil {
				t.Fatal(err)
			}
			d := &stopRecorder{Discovery: m}
			opts := []khttp.ClientOption{khttp.WithEndpoint("discovery:///svc"), khttp.WithDiscovery(d)}
			if tt.block {
				opts = append(opts, khttp.WithBlock())
			}
			ctx, end := tt.newCtx()
			c, err := khttp.NewClient(ctx, opts...)
			end()
			if err != nil {
				t.Fatalf("NewClient() error = %v", err)
			}
			closed := false
			defer func() {
				if !closed {
					c.Close()
				}
			}()

			if calls, _, _, ok := callUntil(c, "a", time.Now().Add(5*time.Second)); !ok {
				t.Fatalf("calls never reached the first instance (%d calls)", calls)
			}

			// Move the service to b and stop a.
			if err := m.Register(context.Background(), instance("b", b)); err != nil {
				t.Fatal(err)
			}
			if err := m.Deregister(context.Background(), instance("a", a)); err != nil {
				t.Fatal(err)
			}
			a.Close()
			calls, elsewhere, failed, ok := callUntil(c, "b", time.Now().Add(5*time.Second))
			if !ok {
				t.Fatalf("after the move, no call reached the new instance in 5s: %d calls, %d elsewhere, %d failed", calls, elsewhere, failed)
			}
			t.Logf("after the move: %d calls until one reached b, %d failed", calls, failed)
			for range 6 {
				if got := who(t, c); got != "b" {
					t.Errorf("call after the move reached %q, want b", got)
				}
			}

			if err := c.Close(); err != nil {
				t.Errorf("Close() error = %v", err)
			}
			closed = true
			if watches, stops := d.counts(); watches == 0 || stops != watches {
				t.Errorf("after Close: %d watchers stopped of %d, want all of at least 1", stops, watches)
			}
		})
	}
}

// hangingDiscovery's Watch returns only when its context ends.
type hangingDiscovery struct{ registry.Discovery }

func (hangingDiscovery) Watch(ctx context.Context, _ string) (registry.Watcher, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestClientDiscoveryWatchBoundedByContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c, err := khttp.NewClient(ctx, khttp.WithEndpoint("discovery:///svc"), khttp.WithDiscovery(hangingDiscovery{}))
	if err == nil {
		c.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("NewClient() with a Watch that hangs: error = %v, want %v", err, context.DeadlineExceeded)
	}
}
