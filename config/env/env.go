// Package env is a config.Source reading the process's environment
// variables.
//
// Every variable becomes one KeyValue without a Format, so its value is a
// string and a name containing dots nests: APP_SERVER.ADDR=:80 read with the
// prefix "APP" is the key "SERVER.ADDR", which config stores at
// {"SERVER": {"ADDR": ":80"}}.
//
// Case rules (as in Kratos): names keep their case, and prefixes match
// case-sensitively. A variable is read when its name starts with one of the
// prefixes (all variables when there are none); the first matching prefix
// is removed, then one "_" right after it. A variable whose name is only a
// prefix, or empty, is skipped. Prefixes match the start of the name, not a
// whole word: the prefix "APP" also reads APPLE_X as "LE_X", so end a
// prefix with "_" to avoid that.
//
// The environment is read by Load; it is not watched, since a process's
// environment does not change from outside. The Watcher returned by
// NewWatcher and Source.Watch reports nothing and only waits to be
// stopped.
package env

import (
	"context"
	"os"
	"strings"

	"github.com/seed6ad8aa6b/kratos/config"
)

type env struct {
	prefixes []string
}

var _ config.Source = (*env)(nil)

// NewSource returns a source of the environment variables whose names start
// with one of prefixes, or of all of them when no prefix is given.
func NewSource(prefixes ...string) config.Source {
	return &env{prefixes: prefixes}
}

// Load implements config.Source.
func (e *env) Load() ([]*config.KeyValue, error) {
	return e.load(os.Environ()), nil
}

func (e *env) load(environ []string) []*config.KeyValue {
	var kvs []*config.KeyValue
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if len(e.prefixes) > 0 {
			p, ok := matchPrefix(e.prefixes, name)
			if !ok || len(p) == len(name) {
				continue
			}
			name = strings.TrimPrefix(name[len(p):], "_")
		}
		if name == "" {
			continue
		}
		kvs = append(kvs, &config.KeyValue{Key: name, Value: []byte(value)})
	}
	return kvs
}

func matchPrefix(prefixes []string, name string) (string, bool) {
	for _, p := range prefixes {
		if strings.HasPrefix(name, p) {
			return p, true
		}
	}
	return "", false
}

// Watch implements config.Source; see NewWatcher.
func (e *env) Watch() (config.Watcher, error) {
	return NewWatcher()
}

type watcher struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// NewWatcher returns a Watcher whose Next blocks until Stop is called and
// then returns context.Canceled. Stop never fails.
func NewWatcher() (config.Watcher, error) {
	ctx, cancel := context.WithCancel(context.Background())
	return &watcher{ctx: ctx, cancel: cancel}, nil
}

// Next implements config.Watcher.
func (w *watcher) Next() ([]*config.KeyValue, error) {
	<-w.ctx.Done()
	return nil, w.ctx.Err()
}

// Stop implements config.Watcher.
func (w *watcher) Stop() error {
	w.cancel()
	return nil
}
