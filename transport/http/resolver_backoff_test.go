package http

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/registry"
	"github.com/seed6ad8aa6b/kratos/selector"
)

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		n      int
		jitter float64
		want   time.Duration
	}{
		{0, 0, time.Second},
		{1, 0, 2 * time.Second},
		{4, 0, 16 * time.Second},
		{5, 0, 30 * time.Second},
		{64, 0, 30 * time.Second},
		{1 << 30, 0, 30 * time.Second},
		{0, 0.5, 900 * time.Millisecond},
		{5, 0.5, 27 * time.Second},
	}
	for _, tt := range tests {
		if got := retryDelay(tt.n, tt.jitter); got != tt.want {
			t.Errorf("retryDelay(%d, %v) = %v, want %v", tt.n, tt.jitter, got, tt.want)
		}
	}
}

// scriptedWatcher returns what the test sends on next.
type scriptedWatcher struct {
	next    chan error // nil: one instance
	stopped chan struct{}
	once    sync.Once
}

func (w *scriptedWatcher) Next() ([]*registry.ServiceInstance, error) {
	select {
	case err := <-w.next:
		if err != nil {
			return nil, err
		}
		return []*registry.ServiceInstance{{ID: "1", Name: "svc", Endpoints: []string{"http://127.0.0.1:1"}}}, nil
	case <-w.stopped:
		return nil, context.Canceled
	}
}

func (w *scriptedWatcher) Stop() error {
	w.once.Do(func() { close(w.stopped) })
	return nil
}

type scriptedDiscovery struct{ w *scriptedWatcher }

func (d scriptedDiscovery) GetService(context.Context, string) ([]*registry.ServiceInstance, error) {
	return nil, nil
}

func (d scriptedDiscovery) Watch(context.Context, string) (registry.Watcher, error) { return d.w, nil }

type applyRecorder chan int

func (a applyRecorder) Apply(nodes []selector.Node) { a <- len(nodes) }

// startScripted starts a resolver on a scripted watcher whose retry waits
// are reported on delays and end when fire says so (at once when fire is
// nil).
func startScripted(t *testing.T, fire chan time.Time) (*resolver, *scriptedWatcher, chan time.Duration, applyRecorder) {
	t.Helper()
	w := &scriptedWatcher{next: make(chan error), stopped: make(chan struct{})}
	delays := make(chan time.Duration, 1)
	applied := make(applyRecorder, 1)
	r := &resolver{
		rebalancer: applied,
		target:     &Target{Scheme: "discovery", Endpoint: "svc"},
		insecure:   true,
		after: func(d time.Duration) <-chan time.Time {
			delays <- d
			if fire != nil {
				return fire
			}
			c := make(chan time.Time, 1)
			c <- time.Time{}
			return c
		},
	}
	if err := r.start(context.Background(), scriptedDiscovery{w}, false); err != nil {
		t.Fatalf("start() error = %v", err)
	}
	return r, w, delays, applied
}

func receive[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s within 5s", what)
		panic("unreachable")
	}
}

// TestResolverWatchBackoff checks that watch errors in a row make the
// resolver wait longer and longer, and that an update starts over.
func TestResolverWatchBackoff(t *testing.T) {
	r, w, delays, applied := startScripted(t, nil)
	defer r.Close()
	down := errors.New("registry down")
	steps := []struct {
		err  error
		want time.Duration // the wait that follows; 0 after an update
	}{
		{down, time.Second},
		{down, 2 * time.Second},
		{down, 4 * time.Second},
		{down, 8 * time.Second},
		{nil, 0},
		{down, time.Second},
		{down, 2 * time.Second},
	}
	for i, st := range steps {
		w.next <- st.err
		if st.err == nil {
			if got := receive(t, applied, "update"); got != 1 {
				t.Errorf("step %d: applied %d nodes, want 1", i, got)
			}
			continue
		}
		got := receive(t, delays, "retry wait")
		if got > st.want || got < st.want*4/5 {
			t.Errorf("step %d: waited %v, want between %v and %v", i, got, st.want*4/5, st.want)
		}
	}
}

// TestResolverStops checks that the watch goroutine ends on Close while it
// waits to retry, and by itself when the watcher reports it was canceled,
// and that Close stops the watcher either way.
func TestResolverStops(t *testing.T) {
	tests := []struct {
		name string
		// feed makes the goroutine wait to retry or end.
		feed func(t *testing.T, w *scriptedWatcher, delays chan time.Duration)
		ends bool // the goroutine ends before Close
	}{
		{
			name: "Close while waiting to retry",
			feed: func(t *testing.T, w *scriptedWatcher, delays chan time.Duration) {
				w.next <- errors.New("registry down")
				receive(t, delays, "retry wait")
			},
		},
		{
			name: "watcher canceled by the registry",
			feed: func(t *testing.T, w *scriptedWatcher, delays chan time.Duration) {
				w.next <- context.Canceled
			},
			ends: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w, delays, _ := startScripted(t, make(chan time.Time)) // retry waits never end
			tt.feed(t, w, delays)
			if tt.ends {
				receive(t, r.done, "end of the watch goroutine")
			}
			if err := r.Close(); err != nil {
				t.Errorf("Close() error = %v", err)
			}
			select {
			case <-r.done:
			default:
				t.Errorf("watch goroutine still running after Close")
			}
			select {
			case <-w.stopped:
			default:
				t.Errorf("watcher not stopped by Close")
			}
		})
	}
}
