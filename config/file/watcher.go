package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/seed6ad8aa6b/kratos/config"
)

// watcher implements config.Watcher for a file source. Next must not be
// called concurrently with itself; Stop may be called at any time.
type watcher struct {
	f        *file
	dir      bool   // the source is a directory
	primary  string // the directory always watched
	debounce time.Duration

	fsw    *fsnotify.Watcher
	ctx    context.Context
	cancel context.CancelFunc

	// Used by Next only.
	watched map[string]bool   // directories added to fsw
	last    map[string][]byte // content last returned or loaded, by key
	pending bool              // read before waiting for events
}

var _ config.Watcher = (*watcher)(nil)

// Watch implements config.Source. The returned watcher owns an fsnotify
// goroutine; Stop ends it.
func (f *file) Watch() (config.Watcher, error) {
	abs, err := filepath.Abs(f.path)
	if err != nil {
		return nil, fmt.Errorf("file: watch %s: %w", f.path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("file: watch: %w", err)
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("file: watch %s: %w", f.path, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{
		f:        f,
		dir:      fi.IsDir(),
		primary:  abs,
		debounce: f.debounce,
		fsw:      fsw,
		ctx:      ctx,
		cancel:   cancel,
		watched:  make(map[string]bool),
		last:     make(map[string][]byte),
		// Catch changes made between Load and Watch.
		pending: true,
	}
	if !w.dir {
		w.primary = filepath.Dir(abs)
	}
	if err := fsw.Add(w.primary); err != nil {
		cancel()
		_ = fsw.Close()
		return nil, fmt.Errorf("file: watch %s: %w", w.primary, err)
	}
	w.watched[w.primary] = true
	w.refresh()
	f.mu.Lock()
	for k, v := range f.loaded {
		w.last[k] = v
	}
	f.mu.Unlock()
	return w, nil
}

// Next implements config.Watcher. It returns the entries whose content
// changed, or an error wrapping context.Canceled after Stop.
func (w *watcher) Next() ([]*config.KeyValue, error) {
	for {
		if !w.pending {
			if err := w.wait(); err != nil {
				return nil, err
			}
		}
		w.pending = false
		kvs, err := w.f.read()
		w.refresh()
		if err := w.ctx.Err(); err != nil {
			return nil, err
		}
		if err != nil {
			return nil, err
		}
		if changed := w.changed(kvs); len(changed) > 0 {
			return changed, nil
		}
	}
}

// wait blocks until a relevant event has arrived and no other has
// followed for the debounce interval.
func (w *watcher) wait() error {
	var (
		timer *time.Timer
		fire  <-chan time.Time
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	arm := func() {
		if timer == nil {
			timer = time.NewTimer(w.debounce)
		} else {
			timer.Reset(w.debounce)
		}
		fire = timer.C
	}
	for {
		select {
		case <-w.ctx.Done():
			return w.ctx.Err()
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return w.closed()
			}
			if w.relevant(ev) {
				arm()
			}
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return w.closed()
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				arm() // events were lost: read everything again
				continue
			}
			return fmt.Errorf("file: watch %s: %w", w.f.path, err)
		case <-fire:
			return nil
		}
	}
}

func (w *watcher) closed() error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	return fmt.Errorf("file: watch %s: fsnotify watcher closed", w.f.path)
}

// relevant reports whether an event may change what the source reads.
func (w *watcher) relevant(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	dir, base := filepath.Dir(ev.Name), filepath.Base(ev.Name)
	switch {
	case len(base) > 1 && base[:2] == "..":
		return true // Kubernetes' ..data link and timestamped directories
	case dir != w.primary:
		return true // a directory a symbolic link resolves to
	case w.dir:
		return !ignored(base)
	default:
		return base == filepath.Base(w.f.path)
	}
}

// refresh watches the directories that the source's symbolic links
// currently resolve to, and stops watching those they no longer do.
func (w *watcher) refresh() {
	want := map[string]bool{w.primary: true}
	if w.dir {
		if names, err := w.f.dirFiles(); err == nil {
			for _, name := range names {
				if p, err := filepath.EvalSymlinks(filepath.Join(w.primary, name)); err == nil {
					want[filepath.Dir(p)] = true
				}
			}
		}
	} else if p, err := filepath.EvalSymlinks(w.f.path); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			want[filepath.Dir(abs)] = true
		}
	}
	for d := range want {
		if !w.watched[d] && w.fsw.Add(d) == nil {
			w.watched[d] = true
		}
	}
	for d := range w.watched {
		if !want[d] {
			_ = w.fsw.Remove(d) // fails when the directory is gone: fine
			delete(w.watched, d)
		}
	}
}

// changed returns the entries whose content differs from the last seen
// and records them as seen.
func (w *watcher) changed(kvs []*config.KeyValue) []*config.KeyValue {
	var out []*config.KeyValue
	for _, kv := range kvs {
		old, seen := w.last[kv.Key]
		if seen && bytes.Equal(old, kv.Value) {
			continue
		}
		if len(kv.Value) == 0 {
			continue // most likely created or truncated by a writer about to write
		}
		w.last[kv.Key] = kv.Value
		out = append(out, kv)
	}
	return out
}

// Stop implements config.Watcher.
func (w *watcher) Stop() error {
	w.cancel()
	return w.fsw.Close()
}
