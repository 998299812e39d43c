package etcd

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/seed6ad8aa6b/kratos/registry"
)

// watcher follows the instances of one service. Its state (the stored
// values by key) is changed only by Next, under mu.
type watcher struct {
	r      *Registry
	name   string
	prefix string
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu       sync.Mutex
	listed   bool
	kvs      map[string][]byte // by key
	cluster  uint64            // etcd cluster ID of the last list
	rev      int64             // etcd revision kvs is at
	term     uint64            // highest raft term seen since the last list
	wch      clientv3.WatchChan
	wcancel  context.CancelFunc
	resync   time.Time // when to next check that etcd was not reset
	failures int       // watches in a row that ended without an event
}

var _ registry.Watcher = (*watcher)(nil)

func newWatcher(ctx context.Context, r *Registry, name string) *watcher {
	ctx, cancel := context.WithCancelCause(ctx)
	w := &watcher{r: r, name: name, prefix: r.prefix(name), ctx: ctx, cancel: cancel}
	stopOnClose := context.AfterFunc(r.client.Ctx(), func() { cancel(errClientClosed) })
	context.AfterFunc(ctx, func() { stopOnClose() })
	return w
}

// Next returns the instances of the service: at once the first time, then
// whenever they change. A change that leaves them as they were (a renewed
// or re-created lease) is not reported. It blocks until then, or until the
// watcher is stopped, and then returns an error wrapping context.Canceled
// (or the cause of its context). Calls are served one at a time.
func (w *watcher) Next() ([]*registry.ServiceInstance, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ctx.Err() != nil {
		return nil, w.err()
	}
	if !w.listed {
		if _, err := w.list(); err != nil {
			return nil, err
		}
		return w.instances(), nil
	}
	var timer *time.Timer
	var resync <-chan time.Time
	if w.r.opts.resync > 0 {
		timer = time.NewTimer(time.Until(w.resync))
		defer timer.Stop()
		resync = timer.C
	}
	for {
		var changed bool
		var err error
		select {
		case <-w.ctx.Done():
			return nil, w.err()
		case <-resync:
			changed, err = w.checkReset()
			timer.Reset(time.Until(w.resync))
		case resp, ok := <-w.wch:
			if !ok || resp.Canceled || resp.Err() != nil {
				changed, err = w.rewatch(resp.Err())
				break
			}
			w.failures = 0
			w.rev = max(w.rev, resp.Header.Revision)
			w.term = max(w.term, resp.Header.RaftTerm)
			changed = w.apply(resp.Events)
		}
		if err != nil {
			return nil, err
		}
		if changed {
			return w.instances(), nil
		}
	}
}

// rewatch lists the service again after its watch ended with err (nil if
// the channel just closed). Watches that keep failing are started again
// with backoff.
func (w *watcher) rewatch(err error) (changed bool, _ error) {
	wait := time.Duration(0)
	if w.failures > 0 {
		wait = w.r.opts.backoff(w.failures - 1)
	}
	w.failures++
	w.r.log.Debugf("registry/etcd: watch %q ended (%v); listing again in %v", w.name, err, wait)
	if wait > 0 && !sleep(w.ctx, wait) {
		return false, w.err()
	}
	return w.list()
}

// Stop ends the watch: Next returns an error wrapping context.Canceled from
// now on, and a blocked Next returns. It never fails and may be called more
// than once.
func (w *watcher) Stop() error {
	w.cancel(nil)
	return nil
}

func (w *watcher) err() error {
	return fmt.Errorf("registry/etcd: watch %q: %w", w.name, context.Cause(w.ctx))
}

// list reads the service and starts a watch from the revision read, trying
// again with backoff until it succeeds or the watcher stops. It reports
// whether the values differ from what the watcher had.
func (w *watcher) list() (changed bool, err error) {
	if w.wcancel != nil {
		w.wcancel()
		w.wcancel, w.wch = nil, nil
	}
	for attempt := 0; ; attempt++ {
		resp, err := w.r.client.Get(w.ctx, w.prefix, clientv3.WithPrefix())
		if err == nil {
			kvs := make(map[string][]byte, len(resp.Kvs))
			for _, kv := range resp.Kvs {
				kvs[string(kv.Key)] = kv.Value
			}
			changed = !w.listed || !maps.EqualFunc(kvs, w.kvs, bytes.Equal)
			w.listed = true
			w.kvs = kvs
			w.cluster, w.rev, w.term = resp.Header.ClusterId, resp.Header.Revision, resp.Header.RaftTerm
			w.resync = time.Now().Add(w.r.opts.resync)
			// Requiring a leader makes a member cut off from its cluster
			// cancel the watch, rather than stay silent.
			ctx, cancel := context.WithCancel(clientv3.WithRequireLeader(w.ctx))
			w.wch = w.r.client.Watch(ctx, w.prefix, clientv3.WithPrefix(), clientv3.WithRev(w.rev+1))
			w.wcancel = cancel
			return changed, nil
		}
		if w.ctx.Err() != nil {
			return false, w.err()
		}
		wait := w.r.opts.backoff(attempt)
		w.r.log.Warnf("registry/etcd: list %q: %v; retrying in %v", w.name, err, wait)
		if !sleep(w.ctx, wait) {
			return false, w.err()
		}
	}
}

// checkReset lists the service again if etcd was reset (replaced by a
// server without its data) since the last list: a watch resumed on such a
// server waits for a revision that may come late or never, and skips
// what happened before it. A reset shows, on a best-effort basis, as
// another cluster ID, an older revision or an older raft term, none of
// which can happen to a cluster that keeps its data. Errors are left for
// the next check.
func (w *watcher) checkReset() (changed bool, err error) {
	w.resync = time.Now().Add(w.r.opts.resync)
	ctx, cancel := context.WithTimeout(w.ctx, w.r.attemptTimeout())
	resp, gerr := w.r.client.Get(ctx, w.prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	cancel()
	if gerr != nil {
		return false, nil
	}
	h := resp.Header
	if h.ClusterId == w.cluster && h.Revision >= w.rev && h.RaftTerm >= w.term {
		w.term = h.RaftTerm
		return false, nil
	}
	w.r.log.Infof("registry/etcd: etcd was reset (revision %d, term %d; was %d, %d); listing %q again",
		h.Revision, h.RaftTerm, w.rev, w.term, w.name)
	return w.list()
}

// apply applies watch events to the watcher's values and reports whether
// any changed.
func (w *watcher) apply(events []*clientv3.Event) bool {
	changed := false
	for _, ev := range events {
		key := string(ev.Kv.Key)
		switch ev.Type {
		case clientv3.EventTypePut:
			if old, ok := w.kvs[key]; !ok || !bytes.Equal(old, ev.Kv.Value) {
				w.kvs[key] = ev.Kv.Value
				changed = true
			}
		case clientv3.EventTypeDelete:
			if _, ok := w.kvs[key]; ok {
				delete(w.kvs, key)
				changed = true
			}
		}
	}
	return changed
}

// instances decodes the watcher's values into new instances, in key order.
func (w *watcher) instances() []*registry.ServiceInstance {
	keys := slices.Sorted(maps.Keys(w.kvs))
	list := make([]*registry.ServiceInstance, 0, len(keys))
	for _, key := range keys {
		if ins := w.r.decode(w.name, key, w.kvs[key]); ins != nil {
			list = append(list, ins)
		}
	}
	return list
}
