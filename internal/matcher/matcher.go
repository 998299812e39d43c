// Package matcher selects the middleware that applies to an operation, for
// the Use(selector, ms...) method of the transport servers.
//
// A selector is either an exact operation ("/helloworld.v1.Greeter/SayHello")
// or a prefix ending in "*" ("/helloworld.v1.Greeter/*", "/*"). Match returns
// the middleware registered for every operation (Use) followed by those of
// the exact selector, or, when there is none, of the longest matching
// prefix.
package matcher

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/seed6ad8aa6b/kratos/middleware"
)

// Matcher holds middleware by selector. Registration (Use, Add) is meant for
// setup time; Match is safe for concurrent use, also with registration.
type Matcher interface {
	// Use adds middleware that applies to every operation.
	Use(ms ...middleware.Middleware)
	// Add adds middleware for selector: an exact operation, or a prefix
	// ending in "*".
	Add(selector string, ms ...middleware.Middleware)
	// Match returns the middleware for operation, outermost first. The
	// result is shared and must not be modified.
	Match(operation string) []middleware.Middleware
}

// table is the Matcher returned by New.
type table struct {
	mu       sync.RWMutex
	defaults []middleware.Middleware
	exact    map[string][]middleware.Middleware
	prefixes []prefixEntry // sorted by descending prefix length

	cache  sync.Map // operation -> []middleware.Middleware
	cached atomic.Int64
}

type prefixEntry struct {
	prefix string
	ms     []middleware.Middleware
}

// New returns an empty Matcher.
func New() Matcher {
	return &table{exact: make(map[string][]middleware.Middleware)}
}

// Use implements Matcher.
func (m *table) Use(ms ...middleware.Middleware) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.defaults = append(m.defaults, ms...)
	m.clearCache()
}

// Add implements Matcher.
func (m *table) Add(selector string, ms ...middleware.Middleware) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.clearCache()
	if prefix, ok := strings.CutSuffix(selector, "*"); ok {
		for i := range m.prefixes {
			if m.prefixes[i].prefix == prefix {
				m.prefixes[i].ms = append(m.prefixes[i].ms, ms...)
				return
			}
		}
		m.prefixes = append(m.prefixes, prefixEntry{prefix: prefix, ms: ms})
		sort.SliceStable(m.prefixes, func(i, j int) bool {
			return len(m.prefixes[i].prefix) > len(m.prefixes[j].prefix)
		})
		return
	}
	m.exact[selector] = append(m.exact[selector], ms...)
}

// Match implements Matcher.
func (m *table) Match(operation string) []middleware.Middleware {
	if v, ok := m.cache.Load(operation); ok {
		return v.([]middleware.Middleware)
	}
	m.mu.RLock()
	ms := append([]middleware.Middleware(nil), m.defaults...)
	if e, ok := m.exact[operation]; ok {
		ms = append(ms, e...)
	} else {
		for _, p := range m.prefixes {
			if strings.HasPrefix(operation, p.prefix) {
				ms = append(ms, p.ms...)
				break
			}
		}
	}
	// Stored under the read lock so a concurrent Use or Add, which clears
	// the cache under the write lock, cannot be overtaken by a stale entry.
	if m.cached.Add(1) <= maxCached {
		if _, loaded := m.cache.LoadOrStore(operation, ms); loaded {
			m.cached.Add(-1)
		}
	} else {
		m.cached.Add(-1)
	}
	m.mu.RUnlock()
	return ms
}

func (m *table) clearCache() {
	m.cache.Clear()
	m.cached.Store(0)
}

// maxCached bounds the cache so hostile operation names cannot grow it.
const maxCached = 4096
