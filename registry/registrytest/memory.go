package registrytest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/seed6ad8aa6b/kratos/registry"
)

// ErrWatcherStopped is what Next returns once Stop was called on a watcher
// of a Memory registry. It wraps context.Canceled, as transports expect of
// a stopped watcher.
var ErrWatcherStopped = fmt.Errorf("registrytest: watcher stopped: %w", context.Canceled)

// Memory is an in-memory service registry, both Registrar and Discovery,
// for tests and examples. It keeps copies of what it is given and returns
// copies, lists instances of a service in the order they were first
// registered, and treats a Register of a known ID as an update. The zero
// value is not ready for use; call NewMemory. A Memory is safe for
// concurrent use and owns no goroutines.
type Memory struct {
	mu       sync.Mutex
	live     map[string][]*registry.ServiceInstance // what registrants keep alive, by service
	visible  map[string][]*registry.ServiceInstance // what discovery sees, by service
	watchers map[string]map[*memoryWatcher]struct{}
}

var (
	_ registry.Registrar = (*Memory)(nil)
	_ registry.Discovery = (*Memory)(nil)
)

// NewMemory returns an empty registry.
func NewMemory() *Memory {
	return &Memory{
		live:     map[string][]*registry.ServiceInstance{},
		visible:  map[string][]*registry.ServiceInstance{},
		watchers: map[string]map[*memoryWatcher]struct{}{},
	}
}

func clone(ins *registry.ServiceInstance) *registry.ServiceInstance {
	c := *ins
	c.Metadata = maps.Clone(ins.Metadata)
	c.Endpoints = slices.Clone(ins.Endpoints)
	return &c
}

func cloneAll(list []*registry.ServiceInstance) []*registry.ServiceInstance {
	out := make([]*registry.ServiceInstance, len(list))
	for i, ins := range list {
		out[i] = clone(ins)
	}
	return out
}

// put adds or replaces ins (by ID) in list.
func put(list []*registry.ServiceInstance, ins *registry.ServiceInstance) []*registry.ServiceInstance {
	for i, old := range list {
		if old.ID == ins.ID {
			list[i] = ins
			return list
		}
	}
	return append(list, ins)
}

// remove deletes the instance with id from list and reports whether it was there.
func remove(list []*registry.ServiceInstance, id string) ([]*registry.ServiceInstance, bool) {
	for i, old := range list {
		if old.ID == id {
			return slices.Delete(list, i, i+1), true
		}
	}
	return list, false
}

func check(ctx context.Context, service *registry.ServiceInstance) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if service == nil {
		return errors.New("registrytest: nil service instance")
	}
	if service.Name == "" {
		return errors.New("registrytest: service instance without a name")
	}
	return nil
}

// Register adds service, or replaces the instance with the same name and
// ID, and notifies the watchers of the service. It fails for a nil
// instance, an instance without a name, or a done ctx.
func (m *Memory) Register(ctx context.Context, service *registry.ServiceInstance) error {
	if err := check(ctx, service); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.live[service.Name] = put(m.live[service.Name], clone(service))
	m.visible[service.Name] = put(m.visible[service.Name], clone(service))
	m.notifyLocked(service.Name)
	return nil
}

// Deregister removes the instance with the name and ID of service and
// notifies the watchers of the service. Removing an instance that is not
// registered is not an error.
func (m *Memory) Deregister(ctx context.Context, service *registry.ServiceInstance) error {
	if err := check(ctx, service); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.live[service.Name], _ = remove(m.live[service.Name], service.ID)
	var found bool
	m.visible[service.Name], found = remove(m.visible[service.Name], service.ID)
	if found {
		m.notifyLocked(service.Name)
	}
	return nil
}

// GetService returns copies of the instances of serviceName, or an empty
// list when there are none.
func (m *Memory) GetService(ctx context.Context, serviceName string) ([]*registry.ServiceInstance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return m.snapshot(serviceName), nil
}

func (m *Memory) snapshot(name string) []*registry.ServiceInstance {
	m.mu.Lock()
	defer m.mu.Unlock()
	return cloneAll(m.visible[name])
}

// Watch returns a watcher of serviceName. Its first Next returns the
// instances at that time (possibly none); every later Next waits for a
// change and returns the instances then, so several quick changes may be
// reported as one. Next returns ctx's error once ctx is done and
// [ErrWatcherStopped] once Stop was called; Stop releases the watcher and
// may be called more than once.
func (m *Memory) Watch(ctx context.Context, serviceName string) (registry.Watcher, error) {
	wctx, cancel := context.WithCancelCause(ctx)
	w := &memoryWatcher{m: m, name: serviceName, ctx: wctx, cancel: cancel, changed: make(chan struct{}, 1), first: true}
	m.mu.Lock()
	set := m.watchers[serviceName]
	if set == nil {
		set = map[*memoryWatcher]struct{}{}
		m.watchers[serviceName] = set
	}
	set[w] = struct{}{}
	m.mu.Unlock()
	// Forget the watcher as soon as its context ends, whoever ends it.
	context.AfterFunc(wctx, w.detach)
	return w, nil
}

func (m *Memory) notifyLocked(name string) {
	for w := range m.watchers[name] {
		select {
		case w.changed <- struct{}{}:
		default: // a change is already pending; Next will read the latest list
		}
	}
}

// expire drops ins as if its registration had lapsed because its
// registrant died: it stays away even across restart.
func (m *Memory) expire(ins *registry.ServiceInstance) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.live[ins.Name], _ = remove(m.live[ins.Name], ins.ID)
	var found bool
	m.visible[ins.Name], found = remove(m.visible[ins.Name], ins.ID)
	if found {
		m.notifyLocked(ins.Name)
	}
}

// restart simulates a restart of a registry server that loses its data:
// every instance disappears, then the registrants that are still alive
// register theirs again.
func (m *Memory) restart() {
	m.mu.Lock()
	lost := m.visible
	m.visible = map[string][]*registry.ServiceInstance{}
	for name := range lost {
		m.notifyLocked(name)
	}
	m.mu.Unlock()

	m.mu.Lock()
	defer m.mu.Unlock()
	for name, list := range m.live {
		m.visible[name] = cloneAll(list)
		m.notifyLocked(name)
	}
}

type memoryWatcher struct {
	m       *Memory
	name    string
	ctx     context.Context
	cancel  context.CancelCauseFunc
	changed chan struct{}

	mu    sync.Mutex // serializes Next
	first bool
}

func (w *memoryWatcher) Next() ([]*registry.ServiceInstance, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.err(); err != nil {
		return nil, err
	}
	if w.first {
		w.first = false
		// The list returned now includes any change made so far.
		select {
		case <-w.changed:
		default:
		}
		return w.m.snapshot(w.name), nil
	}
	select {
	case <-w.ctx.Done():
		return nil, w.err()
	case <-w.changed:
	}
	if err := w.err(); err != nil {
		return nil, err
	}
	return w.m.snapshot(w.name), nil
}

// err returns why the watcher ended, or nil.
func (w *memoryWatcher) err() error {
	if w.ctx.Err() == nil {
		return nil
	}
	return context.Cause(w.ctx)
}

func (w *memoryWatcher) Stop() error {
	w.cancel(ErrWatcherStopped)
	return nil
}

func (w *memoryWatcher) detach() {
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	if set := w.m.watchers[w.name]; set != nil {
		delete(set, w)
		if len(set) == 0 {
			delete(w.m.watchers, w.name)
		}
	}
}
