package etcd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/registry"
)

var (
	_ registry.Registrar = (*Registry)(nil)
	_ registry.Discovery = (*Registry)(nil)
)

// errClientClosed is the cause given to work stopped because the etcd client
// was closed.
var errClientClosed = fmt.Errorf("registry/etcd: etcd client closed: %w", context.Canceled)

// Registry registers service instances in etcd and discovers them. It is
// safe for concurrent use. Create it with New.
type Registry struct {
	opts   options
	client *clientv3.Client
	log    *log.Helper

	mu      sync.Mutex
	entries map[string]*entry // by key
}

// entry serialises Register and Deregister of one key and holds the
// keep-alive of its instance.
type entry struct {
	mu     sync.Mutex
	keeper *keeper // nil when nothing keeps the key alive
	gone   bool    // removed from Registry.entries; look the key up again
}

// New returns a Registry that stores instances through client. The caller
// keeps owning client and closes it when done; closing it also stops the
// Registry's keep-alives.
func New(client *clientv3.Client, opts ...Option) *Registry {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if o.ctx == nil {
		o.ctx = context.Background()
	}
	logger := o.logger
	if logger == nil {
		logger = log.GetLogger()
	}
	return &Registry{
		opts:    o,
		client:  client,
		log:     log.NewHelper(logger),
		entries: make(map[string]*entry),
	}
}

// key returns the etcd key of an instance.
func (r *Registry) key(name, id string) string {
	return r.prefix(name) + id
}

// prefix returns the key prefix of the instances of a service. It ends in
// a slash, so that service "a" does not see service "ab".
func (r *Registry) prefix(name string) string {
	return r.opts.namespace + "/" + name + "/"
}

// ttlSeconds is the lease TTL in whole seconds, at least one.
func (r *Registry) ttlSeconds() int64 {
	return max(1, int64(math.Ceil(r.opts.ttl.Seconds())))
}

// attemptTimeout bounds one attempt to write an instance.
func (r *Registry) attemptTimeout() time.Duration {
	return max(time.Second, r.opts.ttl)
}

// Register stores service under a new lease and keeps the lease alive until
// Deregister. Registering an instance again (same name and ID) replaces the
// stored value and its keep-alive; if that fails, the previous registration
// stays in force. Failed attempts are retried with backoff, up to MaxRetry
// times, while ctx allows. Register and Deregister of one instance run one
// at a time.
func (r *Registry) Register(ctx context.Context, service *registry.ServiceInstance) error {
	if service == nil {
		return errors.New("registry/etcd: register: nil service instance")
	}
	key := r.key(service.Name, service.ID)
	value, err := json.Marshal(service)
	if err != nil {
		return fmt.Errorf("registry/etcd: register %q: %w", key, err)
	}
	e := r.lock(key)
	defer e.mu.Unlock()

	// Stop the current keep-alive first, so that it cannot write the old
	// value while the new one is being written.
	var old *keeper
	var oldLease clientv3.LeaseID
	if e.keeper != nil {
		old = e.keeper
		oldLease = old.stop()
		e.keeper = nil
	}
	lease, err := r.putRetry(ctx, key, string(value))
	if err != nil {
		if old != nil {
			e.keeper = r.startKeeper(key, old.value, oldLease)
		} else {
			r.forget(key, e)
		}
		return err
	}
	if oldLease != 0 {
		// The key is on the new lease now, so revoking the old one leaves
		// it alone.
		if _, err := r.client.Revoke(ctx, oldLease); err != nil {
			r.log.Debugf("registry/etcd: revoke the replaced lease of %q: %v", key, err)
		}
	}
	e.keeper = r.startKeeper(key, string(value), lease)
	return nil
}

// Deregister stops keeping service alive and deletes its key. Deregistering
// an instance that is not registered is not an error.
func (r *Registry) Deregister(ctx context.Context, service *registry.ServiceInstance) error {
	if service == nil {
		return errors.New("registry/etcd: deregister: nil service instance")
	}
	key := r.key(service.Name, service.ID)
	e := r.lock(key)
	defer e.mu.Unlock()
	var lease clientv3.LeaseID
	if e.keeper != nil {
		lease = e.keeper.stop()
		e.keeper = nil
	}
	r.forget(key, e)
	if r.client.Ctx().Err() != nil {
		// A closed client would retry in vain until ctx ends.
		return fmt.Errorf("registry/etcd: deregister %q: %w", key, errClientClosed)
	}
	if _, err := r.client.Delete(ctx, key); err != nil {
		return fmt.Errorf("registry/etcd: deregister %q: %w", key, err)
	}
	if lease != 0 {
		if _, err := r.client.Revoke(ctx, lease); err != nil {
			// The key is gone already; the lease expires by itself.
			r.log.Debugf("registry/etcd: revoke the lease of %q: %v", key, err)
		}
	}
	return nil
}

// lock returns the entry of key, locked, creating it if needed.
func (r *Registry) lock(key string) *entry {
	for {
		r.mu.Lock()
		e := r.entries[key]
		if e == nil {
			e = &entry{}
			r.entries[key] = e
		}
		r.mu.Unlock()
		e.mu.Lock()
		if !e.gone {
			return e
		}
		e.mu.Unlock()
	}
}

// forget removes e, which the caller holds locked, from the entries.
func (r *Registry) forget(key string, e *entry) {
	r.mu.Lock()
	if r.entries[key] == e {
		delete(r.entries, key)
	}
	r.mu.Unlock()
	e.gone = true
}

// putRetry writes key under a new lease, retrying failed attempts with
// backoff up to MaxRetry times while ctx allows.
func (r *Registry) putRetry(ctx context.Context, key, value string) (clientv3.LeaseID, error) {
	if r.client.Ctx().Err() != nil {
		return 0, fmt.Errorf("registry/etcd: register %q: %w", key, errClientClosed)
	}
	for attempt := 0; ; attempt++ {
		lease, err := r.put(ctx, key, value)
		if err == nil {
			return lease, nil
		}
		err = fmt.Errorf("registry/etcd: register %q: %w", key, err)
		if r.client.Ctx().Err() != nil {
			return 0, fmt.Errorf("%w (%w)", err, errClientClosed)
		}
		if ctx.Err() != nil || (r.opts.maxRetry > 0 && attempt >= r.opts.maxRetry) {
			return 0, err
		}
		wait := r.opts.backoff(attempt)
		r.log.Warnf("%v; retrying in %v", err, wait)
		if !sleep(ctx, wait) {
			return 0, fmt.Errorf("%w; then %w", err, ctx.Err())
		}
	}
}

// put grants a lease and writes key under it, in one attempt bounded by
// attemptTimeout.
func (r *Registry) put(ctx context.Context, key, value string) (clientv3.LeaseID, error) {
	ctx, cancel := context.WithTimeout(ctx, r.attemptTimeout())
	defer cancel()
	grant, err := r.client.Grant(ctx, r.ttlSeconds())
	if err != nil {
		return 0, fmt.Errorf("grant lease: %w", err)
	}
	if _, err := r.client.Put(ctx, key, value, clientv3.WithLease(grant.ID)); err != nil {
		// The unused lease expires by itself.
		return 0, fmt.Errorf("put: %w", err)
	}
	return grant.ID, nil
}

// keeper keeps one key alive: it renews the key's lease and, when the lease
// is lost, writes the key again under a new one.
type keeper struct {
	key, value string
	cancel     context.CancelFunc
	done       chan struct{}
	lease      clientv3.LeaseID // written by run; read by others after done is closed
}

// startKeeper starts the keep-alive goroutine of key, whose value is
// stored under lease (0 if it must be written first).
func (r *Registry) startKeeper(key, value string, lease clientv3.LeaseID) *keeper {
	ctx, cancel := context.WithCancel(r.opts.ctx)
	k := &keeper{key: key, value: value, cancel: cancel, done: make(chan struct{}), lease: lease}
	stopOnClose := context.AfterFunc(r.client.Ctx(), cancel)
	go func() {
		defer close(k.done)
		defer stopOnClose()
		r.keep(ctx, k)
	}()
	return k
}

// stop ends the keep-alive, waits for its goroutine and returns the lease
// the key was last written under (0 if none). The lease is left to expire
// or to be revoked by the caller.
func (k *keeper) stop() clientv3.LeaseID {
	k.cancel()
	<-k.done
	return k.lease
}

// keep renews k's lease until ctx is done, and writes the key again under a
// new lease whenever the lease is lost.
func (r *Registry) keep(ctx context.Context, k *keeper) {
	failures := 0 // in a row, for the backoff
	for {
		if k.lease != 0 {
			renewed := r.renew(ctx, k.lease)
			if ctx.Err() != nil {
				return // k.lease is left for the caller to revoke
			}
			if renewed {
				failures = 0
			} else {
				// A lease that was never renewed counts as a failure, so a
				// lease lost at once cannot make this loop spin.
				failures++
			}
			r.log.Warnf("registry/etcd: lease of %q lost; registering it again", k.key)
			k.lease = 0
		}
		if failures > 0 && !r.pause(ctx, failures-1) {
			return
		}
		lease, err := r.put(ctx, k.key, k.value)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.log.Warnf("registry/etcd: register %q again: %v", k.key, err)
			failures++
			continue
		}
		k.lease = lease
		if ctx.Err() == nil {
			r.log.Infof("registry/etcd: %q registered again", k.key)
		}
	}
}

// pause waits for the backoff of attempt and reports whether ctx is still
// live.
func (r *Registry) pause(ctx context.Context, attempt int) bool {
	return sleep(ctx, r.opts.backoff(attempt))
}

// renew keeps lease alive until it is lost or ctx is done, and reports
// whether etcd renewed it at least once.
func (r *Registry) renew(ctx context.Context, lease clientv3.LeaseID) bool {
	ch, err := r.client.KeepAlive(ctx, lease)
	if err != nil {
		return false
	}
	renewed := false
	for range ch {
		renewed = true
	}
	return renewed
}

// GetService returns the instances of serviceName stored in etcd, in key
// order. Values that are not instances of serviceName are skipped. The
// instances are the caller's to change.
func (r *Registry) GetService(ctx context.Context, serviceName string) ([]*registry.ServiceInstance, error) {
	if r.client.Ctx().Err() != nil {
		return nil, fmt.Errorf("registry/etcd: get service %q: %w", serviceName, errClientClosed)
	}
	prefix := r.prefix(serviceName)
	resp, err := r.client.Get(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("registry/etcd: get service %q: %w", serviceName, err)
	}
	list := make([]*registry.ServiceInstance, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		if ins := r.decode(serviceName, string(kv.Key), kv.Value); ins != nil {
			list = append(list, ins)
		}
	}
	return list, nil
}

// decode returns the instance stored as value under key, or nil (after a
// log line) if it is not an instance of service name.
func (r *Registry) decode(name, key string, value []byte) *registry.ServiceInstance {
	var ins registry.ServiceInstance
	if err := json.Unmarshal(value, &ins); err != nil {
		r.log.Warnf("registry/etcd: skipping %q: %v", key, err)
		return nil
	}
	if ins.Name != name {
		r.log.Warnf("registry/etcd: skipping %q: it holds an instance of %q", key, ins.Name)
		return nil
	}
	return &ins
}

// Watch returns a Watcher of serviceName. It stops when ctx is done, when
// Stop is called, or when the etcd client is closed.
func (r *Registry) Watch(ctx context.Context, serviceName string) (registry.Watcher, error) {
	return newWatcher(ctx, r, serviceName), nil
}
