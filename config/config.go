package config

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/seed6ad8aa6b/kratos/log"
)

// ErrNotFound is returned, wrapped, for keys that do not exist.
var ErrNotFound = errors.New("key not found")

// Observer is called with a watched key and its Value after the value has
// changed. Observers run one at a time on the goroutine watching the
// source that changed; a slow observer delays later updates of that source.
type Observer func(key string, value Value)

// Config is a configuration merged from sources.
type Config interface {
	// Load reads every source, merges and resolves the result, and starts
	// watching the sources for changes. It returns an error, and changes
	// nothing, when a source cannot be read or its entries cannot be
	// decoded, merged or resolved.
	Load() error
	// Scan stores the whole configuration into v (see Value.Scan).
	Scan(v any) error
	// Value returns the node at a dotted path such as "server.http.addr".
	// The Value of a key that was found is cached and kept up to date; the
	// Value of a missing key returns ErrNotFound from every method.
	Value(key string) Value
	// Watch calls o whenever the value of key changes. The key must exist
	// (ErrNotFound otherwise); a later Watch of the same key replaces o.
	Watch(key string, o Observer) error
	// Close stops watching the sources and waits until the watching
	// goroutines have returned. Observers are not called after Close
	// returns.
	Close() error
}

// Backoff after a watcher error, so that a watcher failing at once every
// time does not spin.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 5 * time.Second
)

type config struct {
	opts options

	// update serialises Load, the application of changes and the start
	// and stop of watchers. It guards entries, watching, stop and watchers.
	update   sync.Mutex
	entries  [][]*KeyValue // last good entries, one list per source
	watching bool
	stop     chan struct{}
	watchers []Watcher
	wg       sync.WaitGroup

	// mu guards the current reader, the cache and the observers. Holding
	// it while the reader is replaced keeps every cached Value in step.
	mu        sync.RWMutex
	reader    *reader
	cached    map[string]*atomicValue
	observers map[string]Observer
}

var _ Config = (*config)(nil)

// New returns a Config reading the given sources. Call Load before using
// it and Close when done. The Config is safe for concurrent use.
func New(opts ...Option) Config {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	c := &config{
		opts:      o,
		cached:    make(map[string]*atomicValue),
		observers: make(map[string]Observer),
	}
	c.reader = newReader(&c.opts)
	return c
}

// Load implements Config.
func (c *config) Load() error {
	c.update.Lock()
	entries := make([][]*KeyValue, len(c.opts.sources))
	for i, src := range c.opts.sources {
		kvs, err := src.Load()
		if err != nil {
			c.update.Unlock()
			return fmt.Errorf("config: load source %d (%T): %w", i, src, err)
		}
		for _, kv := range kvs {
			if kv != nil {
				c.log().Debugf("config: loaded %s (format %q)", kv.Key, kv.Format)
			}
		}
		entries[i] = kvs
	}
	r, err := c.build(entries)
	if err != nil {
		c.update.Unlock()
		return err
	}
	c.entries = entries
	notify := c.publish(r)
	err = c.startWatching()
	c.update.Unlock()
	notify()
	return err
}

// build merges and resolves a set of entries into a new reader.
func (c *config) build(entries [][]*KeyValue) (*reader, error) {
	r := newReader(&c.opts)
	for _, kvs := range entries {
		if err := r.Merge(kvs...); err != nil {
			return nil, err
		}
	}
	if err := r.Resolve(); err != nil {
		return nil, err
	}
	return r, nil
}

// publish makes r current, updates the cached values and returns a
// function calling the observers of the values that changed. Call it
// without holding any lock.
func (c *config) publish(r *reader) (notify func()) {
	type call struct {
		key string
		v   *atomicValue
		o   Observer
	}
	var calls []call
	c.mu.Lock()
	c.reader = r
	for key, cv := range c.cached {
		nv, ok := r.Value(key)
		switch {
		case !ok && cv.isMissing():
			continue
		case !ok:
			cv.markMissing()
		case !cv.isMissing() && reflect.DeepEqual(cv.Load(), nv.Load()):
			continue
		default:
			cv.Store(nv.Load())
		}
		if o := c.observers[key]; o != nil {
			calls = append(calls, call{key, cv, o})
		}
	}
	c.mu.Unlock()
	slices.SortFunc(calls, func(a, b call) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	return func() {
		for _, cl := range calls {
			cl.o(cl.key, cl.v)
		}
	}
}

// startWatching starts one goroutine per source. Called with update held.
func (c *config) startWatching() error {
	if c.watching {
		return nil
	}
	var watchers []Watcher
	for i, src := range c.opts.sources {
		w, err := src.Watch()
		if err != nil {
			for _, w := range slices.Backward(watchers) {
				_ = w.Stop()
			}
			return fmt.Errorf("config: watch source %d (%T): %w", i, src, err)
		}
		watchers = append(watchers, w)
	}
	c.watching = true
	c.stop = make(chan struct{})
	c.watchers = watchers
	for i, w := range watchers {
		if w == nil {
			continue
		}
		c.wg.Add(1)
		go c.watch(i, w, c.stop)
	}
	return nil
}

// watch applies the changes reported by w, the watcher of source i, until
// stop is closed.
func (c *config) watch(i int, w Watcher, stop <-chan struct{}) {
	defer c.wg.Done()
	backoff := minBackoff
	for {
		kvs, err := w.Next()
		select {
		case <-stop:
			return
		default:
		}
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return
			}
			c.log().Errorf("config: watch source %d: %v", i, err)
			t := time.NewTimer(backoff)
			select {
			case <-stop:
				t.Stop()
				return
			case <-t.C:
			}
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		backoff = minBackoff
		if err := c.apply(i, kvs, stop); err != nil {
			c.log().Errorf("config: update from source %d rejected, keeping the previous configuration: %v", i, err)
		}
	}
}

// apply replaces the entries of source i that share a key with kvs, adds
// the others, and publishes the result if it builds.
func (c *config) apply(i int, kvs []*KeyValue, stop <-chan struct{}) error {
	c.update.Lock()
	select {
	case <-stop:
		c.update.Unlock()
		return nil
	default:
	}
	entries := slices.Clone(c.entries)
	entries[i] = upsert(entries[i], kvs)
	r, err := c.build(entries)
	if err != nil {
		c.update.Unlock()
		return err
	}
	c.entries = entries
	notify := c.publish(r)
	c.update.Unlock()
	notify()
	return nil
}

func upsert(old, updates []*KeyValue) []*KeyValue {
	out := slices.Clone(old)
	for _, kv := range updates {
		if kv == nil {
			continue
		}
		i := slices.IndexFunc(out, func(e *KeyValue) bool { return e != nil && e.Key == kv.Key })
		if i >= 0 {
			out[i] = kv
		} else {
			out = append(out, kv)
		}
	}
	return out
}

// Value implements Config.
func (c *config) Value(key string) Value {
	c.mu.RLock()
	v, ok := c.cached[key]
	c.mu.RUnlock()
	if ok && !v.isMissing() {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, cached := c.cached[key]
	if cached && !v.isMissing() {
		return v
	}
	nv, found := c.reader.Value(key)
	if !found {
		return errValue{err: fmt.Errorf("config: %q: %w", key, ErrNotFound)}
	}
	if cached {
		// Reappeared since it went missing: keep the Value observers hold.
		v.Store(nv.Load())
		return v
	}
	v = nv.(*atomicValue)
	c.cached[key] = v
	return v
}

// Watch implements Config.
func (c *config) Watch(key string, o Observer) error {
	if _, ok := c.Value(key).(*atomicValue); !ok {
		return fmt.Errorf("config: watch %q: %w", key, ErrNotFound)
	}
	c.mu.Lock()
	c.observers[key] = o
	c.mu.Unlock()
	return nil
}

// Scan implements Config.
func (c *config) Scan(v any) error {
	c.mu.RLock()
	r := c.reader
	c.mu.RUnlock()
	data, err := r.Source()
	if err != nil {
		return err
	}
	return unmarshalJSON(data, v)
}

// Close implements Config.
func (c *config) Close() error {
	c.update.Lock()
	watchers, stop := c.watchers, c.stop
	c.watching, c.watchers, c.stop = false, nil, nil
	c.update.Unlock()
	if stop == nil {
		return nil
	}
	close(stop)
	var errs []error
	for _, w := range slices.Backward(watchers) {
		if w == nil {
			continue
		}
		if err := w.Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	c.wg.Wait()
	return errors.Join(errs...)
}

// log returns the helper for the config's own lines: the WithLogger
// logger, else the global logger.
func (c *config) log() *log.Helper {
	if c.opts.logger != nil {
		return log.NewHelper(c.opts.logger)
	}
	return log.NewHelper(log.GetLogger())
}
