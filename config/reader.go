package config

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Reader holds a merged configuration tree.
type Reader interface {
	// Merge decodes the KeyValues and merges them over the tree.
	Merge(...*KeyValue) error
	// Value returns the node at a dotted path and whether it exists.
	Value(string) (Value, bool)
	// Source returns the resolved tree as JSON.
	Source() ([]byte, error)
	// Resolve runs the resolver over the merged tree.
	Resolve() error
}

// reader is the Reader used by Config. It keeps the merged tree as decoded
// (raw) and the tree served to callers (values): after Merge the two are
// the same, after Resolve values is a resolved copy of raw, so resolving
// again starts from the placeholders rather than from their expansion.
// Published trees are never modified; every change works on a copy.
type reader struct {
	opts *options

	mu     sync.RWMutex
	raw    map[string]any
	values map[string]any
}

var _ Reader = (*reader)(nil)

func newReader(opts *options) *reader {
	empty := make(map[string]any)
	return &reader{opts: opts, raw: empty, values: empty}
}

// Merge implements Reader. On error the tree is left unchanged.
func (r *reader) Merge(kvs ...*KeyValue) error {
	r.mu.RLock()
	merged := cloneMap(r.raw)
	r.mu.RUnlock()
	for _, kv := range kvs {
		if kv == nil {
			continue
		}
		next := make(map[string]any)
		if err := r.opts.decoder(kv, next); err != nil {
			return fmt.Errorf("config: decode %q (format %q): %w", kv.Key, kv.Format, err)
		}
		if err := r.opts.merge(&merged, normalizeMap(next)); err != nil {
			return fmt.Errorf("config: merge %q: %w", kv.Key, err)
		}
	}
	r.mu.Lock()
	r.raw, r.values = merged, merged
	r.mu.Unlock()
	return nil
}

// Value implements Reader.
func (r *reader) Value(path string) (Value, bool) {
	r.mu.RLock()
	v, ok := lookup(r.values, path)
	r.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return newValue(v), true
}

// Source implements Reader.
func (r *reader) Source() ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	data, err := json.Marshal(r.values)
	if err != nil {
		return nil, fmt.Errorf("config: encode tree: %w", err)
	}
	return data, nil
}

// Resolve implements Reader. On error the tree is left unchanged.
func (r *reader) Resolve() error {
	r.mu.RLock()
	resolved := cloneMap(r.raw)
	r.mu.RUnlock()
	if err := r.opts.resolve(resolved); err != nil {
		return err
	}
	r.mu.Lock()
	r.values = resolved
	r.mu.Unlock()
	return nil
}

// lookup walks a dotted path through maps and, for path elements that are
// decimal numbers, through lists.
func lookup(tree map[string]any, path string) (any, bool) {
	var node any = tree
	for key := range strings.SplitSeq(path, ".") {
		switch n := node.(type) {
		case map[string]any:
			v, ok := n[key]
			if !ok {
				return nil, false
			}
			node = v
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(n) {
				return nil, false
			}
			node = n[i]
		default:
			return nil, false
		}
	}
	return node, true
}

// normalizeMap converts what codecs produce into the shapes the tree is
// made of: map[string]any for every map (keys formatted with fmt.Sprint),
// []any for lists and strings for byte slices.
func normalizeMap(m map[string]any) map[string]any {
	for k, v := range m {
		m[k] = normalize(v)
	}
	return m
}

func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return normalizeMap(x)
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = normalize(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
	case []byte:
		return string(x)
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = e
		}
		return m
	case []string:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return l
	}
	return v
}

// cloneMap copies the maps and lists of a tree; scalars are shared.
func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneMap(x)
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = cloneValue(e)
		}
		return l
	}
	return v
}
