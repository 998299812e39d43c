package log

import (
	"fmt"
	"strings"
	"sync"
)

// record is one call seen by a recorder.
type record struct {
	level Level
	kvs   []any
}

func (r record) String() string {
	var b strings.Builder
	b.WriteString(r.level.String())
	for _, kv := range r.kvs {
		fmt.Fprintf(&b, " %v", kv)
	}
	return b.String()
}

// recorder is a Logger that keeps copies of the records it receives.
type recorder struct {
	mu      sync.Mutex
	records []record
	err     error
}

func (r *recorder) Log(level Level, kvs ...any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, record{level: level, kvs: append([]any(nil), kvs...)})
	return r.err
}

// lines renders every record as "LEVEL k v k v".
func (r *recorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.records))
	for i, rec := range r.records {
		out[i] = rec.String()
	}
	return out
}

func (r *recorder) last() record {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.records) == 0 {
		return record{}
	}
	return r.records[len(r.records)-1]
}
