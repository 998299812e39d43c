// Package group holds objects created lazily, one per key.
package group

import "sync"

// Group creates objects with its constructor the first time a key is asked
// for and returns the same object afterwards. It is safe for concurrent use.
type Group[T any] struct {
	newFn func() T
	mu    sync.RWMutex
	objs  map[string]T
}

// New returns a Group that builds objects with newFn.
func New[T any](newFn func() T) *Group[T] {
	return &Group[T]{newFn: newFn, objs: make(map[string]T)}
}

// Get returns the object for key, creating it on first use.
func (g *Group[T]) Get(key string) T {
	g.mu.RLock()
	obj, ok := g.objs[key]
	g.mu.RUnlock()
	if ok {
		return obj
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if obj, ok = g.objs[key]; ok {
		return obj
	}
	obj = g.newFn()
	g.objs[key] = obj
	return obj
}

// Reset replaces the constructor and drops every object.
func (g *Group[T]) Reset(newFn func() T) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.newFn = newFn
	g.objs = make(map[string]T)
}

// Clear drops every object.
func (g *Group[T]) Clear() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.objs = make(map[string]T)
}
