package registrytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seed6ad8aa6b/kratos/registry"
)

func TestMemoryConformance(t *testing.T) {
	var mu sync.Mutex
	byTest := map[*testing.T]*Memory{}
	Run(t,
		func(t *testing.T) (registry.Registrar, registry.Discovery) {
			m := NewMemory()
			mu.Lock()
			byTest[t] = m
			mu.Unlock()
			return m, m
		},
		WithCrash(func(t *testing.T, r registry.Registrar, ins *registry.ServiceInstance) {
			r.(*Memory).expire(ins)
		}, defaultTimeout),
		WithRestart(func(t *testing.T) {
			mu.Lock()
			m := byTest[t]
			mu.Unlock()
			m.restart()
		}, defaultTimeout),
	)
}

const defaultTimeout = 10 * time.Second

func TestMemoryRegisterRejects(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		ins  *registry.ServiceInstance
	}{
		{"nil instance", context.Background(), nil},
		{"no name", context.Background(), &registry.ServiceInstance{ID: "1"}},
		{"canceled context", canceled, &registry.ServiceInstance{ID: "1", Name: "svc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMemory()
			if err := m.Register(tt.ctx, tt.ins); err == nil {
				t.Error("Register() error = nil, want an error")
			}
			if err := m.Deregister(tt.ctx, tt.ins); err == nil {
				t.Error("Deregister() error = nil, want an error")
			}
		})
	}
	if _, err := NewMemory().GetService(canceled, "svc"); !errors.Is(err, context.Canceled) {
		t.Errorf("GetService(canceled ctx) error = %v, want context.Canceled", err)
	}
}

func TestMemoryKeepsRegistrationOrder(t *testing.T) {
	m := NewMemory()
	ctx := context.Background()
	for _, id := range []string{"c", "a", "b"} {
		m.Register(ctx, &registry.ServiceInstance{ID: id, Name: "svc"})
	}
	m.Register(ctx, &registry.ServiceInstance{ID: "a", Name: "svc", Version: "v2"})
	got, _ := m.GetService(ctx, "svc")
	var ids string
	for _, ins := range got {
		ids += ins.ID + ins.Version
	}
	if want := "cav2b"; ids != want {
		t.Errorf("GetService() IDs = %q, want %q", ids, want)
	}
}

func TestMemoryKeepsCopies(t *testing.T) {
	m := NewMemory()
	ctx := context.Background()
	ins := &registry.ServiceInstance{ID: "1", Name: "svc", Metadata: map[string]string{"k": "v"}, Endpoints: []string{"http://a:1"}}
	m.Register(ctx, ins)
	ins.Metadata["k"] = "changed"
	ins.Endpoints[0] = "changed"
	got, _ := m.GetService(ctx, "svc")
	if got[0].Metadata["k"] != "v" || got[0].Endpoints[0] != "http://a:1" {
		t.Errorf("GetService() = %v %v, want the instance as registered", got[0].Metadata, got[0].Endpoints)
	}
}

func TestMemoryWatcherDetaches(t *testing.T) {
	m := NewMemory()
	ctx, cancel := context.WithCancel(context.Background())
	w1, _ := m.Watch(context.Background(), "svc")
	m.Watch(ctx, "svc")
	m.Watch(ctx, "other")
	count := func() int {
		m.mu.Lock()
		defer m.mu.Unlock()
		n := 0
		for _, set := range m.watchers {
			n += len(set)
		}
		return n
	}
	if got := count(); got != 3 {
		t.Fatalf("watchers = %d, want 3", got)
	}
	w1.Stop()
	w1.Stop()
	cancel()
	// context.AfterFunc runs detach in its own goroutine.
	if !eventually(defaultTimeout, func() bool { return count() == 0 }) {
		t.Errorf("watchers = %d after Stop and cancel, want 0", count())
	}
	if _, err := w1.Next(); !errors.Is(err, ErrWatcherStopped) || !errors.Is(err, context.Canceled) {
		t.Errorf("Next() after Stop error = %v, want ErrWatcherStopped wrapping context.Canceled", err)
	}
}

func TestMemoryWatcherCoalescesChanges(t *testing.T) {
	m := NewMemory()
	ctx := context.Background()
	w, _ := m.Watch(ctx, "svc")
	defer w.Stop()
	if got, err := w.Next(); err != nil || len(got) != 0 {
		t.Fatalf("first Next() = %v, %v, want [], nil", got, err)
	}
	for i := range 5 {
		m.Register(ctx, &registry.ServiceInstance{ID: fmt.Sprint(i), Name: "svc"})
	}
	got, err := w.Next()
	if err != nil || len(got) != 5 {
		t.Errorf("Next() after 5 registrations = %d instances, %v, want 5, nil", len(got), err)
	}
}

func TestMemoryFirstNextIncludesEarlierChanges(t *testing.T) {
	m := NewMemory()
	ctx := context.Background()
	w, _ := m.Watch(ctx, "svc")
	defer w.Stop()
	m.Register(ctx, &registry.ServiceInstance{ID: "1", Name: "svc"})
	if got, err := w.Next(); err != nil || len(got) != 1 {
		t.Fatalf("first Next() = %v, %v, want the instance registered after Watch", got, err)
	}
	// The change was already reported, so Next now waits for a new one.
	next := nextAsync(w)
	m.Register(ctx, &registry.ServiceInstance{ID: "2", Name: "svc"})
	if r := <-next; r.err != nil || len(r.list) != 2 {
		t.Errorf("second Next() = %v, %v, want both instances", r.list, r.err)
	}
}

func TestSameInstances(t *testing.T) {
	a := &registry.ServiceInstance{ID: "a", Name: "s"}
	b := &registry.ServiceInstance{ID: "b", Name: "s"}
	tests := []struct {
		name      string
		got, want []*registry.ServiceInstance
		same      bool
	}{
		{"both empty", nil, []*registry.ServiceInstance{}, true},
		{"same order", list(a, b), list(a, b), true},
		{"other order", list(b, a), list(a, b), true},
		{"missing", list(a), list(a, b), false},
		{"duplicate", list(a, a), list(a, b), false},
	}
	for _, tt := range tests {
		if got := sameInstances(tt.got, tt.want); got != tt.same {
			t.Errorf("%s: sameInstances() = %v, want %v", tt.name, got, tt.same)
		}
	}
}
