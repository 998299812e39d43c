// Package etcd is a config.Source reading one etcd key, or every key under
// a prefix, and watching it for changes.
//
// Each etcd key becomes one KeyValue whose Key is the full etcd key and
// whose Format is the key's extension without the dot ("/app/config.yaml"
// is YAML, "/app/db.json" JSON; "yml" is reported as "yaml"). A key without
// an extension has no Format, so config stores its value as a string at
// the key's dotted path.
//
// The watcher reads the key (or prefix) again after every change and
// returns everything it read; config replaces its entries by key, so keys
// deleted from etcd keep their last value until the process restarts.
// The watch resumes from the revision of the last Load, so changes made
// between Load and Watch are not missed, and it is re-established when
// etcd compacts away the revision it was watching from.
package etcd

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/seed6ad8aa6b/kratos/config"
)

// Option configures New.
type Option func(*options)

type options struct {
	ctx    context.Context
	path   string
	prefix bool
}

// WithContext sets the context of the source's requests and watches. When
// it is done, Load fails and watchers stop. The default is
// context.Background().
func WithContext(ctx context.Context) Option {
	return func(o *options) { o.ctx = ctx }
}

// WithPath sets the key to read, or the prefix with WithPrefix(true). It is
// required.
func WithPath(p string) Option {
	return func(o *options) { o.path = p }
}

// WithPrefix makes the source read every key starting with the path
// instead of the path alone. The default is false.
func WithPrefix(prefix bool) Option {
	return func(o *options) { o.prefix = prefix }
}

type source struct {
	client *clientv3.Client
	opts   options

	mu  sync.Mutex
	rev int64 // revision of the last Load
}

var _ config.Source = (*source)(nil)

// New returns a source reading through client, which the caller keeps
// owning and must close after the source's watchers are stopped. It fails
// when no path is given.
func New(client *clientv3.Client, opts ...Option) (config.Source, error) {
	o := options{ctx: context.Background()}
	for _, opt := range opts {
		opt(&o)
	}
	if client == nil {
		return nil, errors.New("etcd: nil client")
	}
	if o.path == "" {
		return nil, errors.New("etcd: path invalid")
	}
	if o.ctx == nil {
		o.ctx = context.Background()
	}
	return &source{client: client, opts: o}, nil
}

func (s *source) opOptions() []clientv3.OpOption {
	if s.opts.prefix {
		return []clientv3.OpOption{clientv3.WithPrefix()}
	}
	return nil
}

// Load implements config.Source.
func (s *source) Load() ([]*config.KeyValue, error) {
	resp, err := s.client.Get(s.opts.ctx, s.opts.path, s.opOptions()...)
	if err != nil {
		return nil, fmt.Errorf("etcd: get %q: %w", s.opts.path, err)
	}
	s.mu.Lock()
	s.rev = resp.Header.Revision
	s.mu.Unlock()
	kvs := make([]*config.KeyValue, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		key := string(kv.Key)
		kvs = append(kvs, &config.KeyValue{Key: key, Value: kv.Value, Format: format(key)})
	}
	return kvs, nil
}

// revision returns the etcd revision of the last Load, 0 before any.
func (s *source) revision() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rev
}

// format returns the Format of an etcd key: its extension.
func format(key string) string {
	ext := path.Ext(key)
	if ext == "" {
		return ""
	}
	ext = strings.ToLower(ext[1:])
	if ext == "yml" {
		return "yaml"
	}
	return ext
}

// Watch implements config.Source. The caller must Stop the watcher.
func (s *source) Watch() (config.Watcher, error) {
	ctx, cancel := context.WithCancel(s.opts.ctx)
	w := &watcher{source: s, ctx: ctx, cancel: cancel}
	w.start(s.revision())
	return w, nil
}

// watcher implements config.Watcher. Next must not be called concurrently
// with itself; Stop may be called at any time.
type watcher struct {
	source *source
	ctx    context.Context
	cancel context.CancelFunc
	ch     clientv3.WatchChan
}

var _ config.Watcher = (*watcher)(nil)

// start opens the etcd watch after revision rev (from now when 0).
func (w *watcher) start(rev int64) {
	opts := w.source.opOptions()
	if rev > 0 {
		opts = append(opts, clientv3.WithRev(rev+1))
	}
	// Without a leader the watch would hang silently; require one so it
	// fails and is re-established.
	ctx := clientv3.WithRequireLeader(w.ctx)
	w.ch = w.source.client.Watch(ctx, w.source.opts.path, opts...)
}

// Next implements config.Watcher. It returns every entry of the source
// after any of them changed, or an error wrapping context.Canceled after
// Stop.
func (w *watcher) Next() ([]*config.KeyValue, error) {
	select {
	case resp, ok := <-w.ch:
		if err := w.ctx.Err(); err != nil {
			return nil, err
		}
		if ok && resp.Err() == nil {
			return w.source.Load()
		}
		// The watch has ended: compacted, cancelled by etcd, or the client
		// was closed. Start again after the last revision read, and read
		// everything now in case changes were missed.
		w.start(w.source.revision())
		kvs, err := w.source.Load()
		if err != nil && ok {
			err = fmt.Errorf("etcd: watch %q: %w (reloading: %w)", w.source.opts.path, resp.Err(), err)
		}
		return kvs, err
	case <-w.ctx.Done():
		return nil, w.ctx.Err()
	}
}

// Stop implements config.Watcher.
func (w *watcher) Stop() error {
	w.cancel()
	return nil
}
