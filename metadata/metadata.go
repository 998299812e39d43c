// Package metadata carries request-scoped key/value pairs across service
// boundaries. Keys are case-insensitive and stored lower-cased; each key may
// hold several values.
//
// A server transport stores the metadata it received with NewServerContext;
// a client transport sends whatever NewClientContext (or the Append/Merge
// helpers) placed in the context. The metadata middleware decides which
// server keys are forwarded to the next hop.
package metadata

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Metadata maps lower-case keys to their values.
type Metadata map[string][]string

// New merges the given maps into a new Metadata, lower-casing every key.
// Values of the same key are appended in argument order.
func New(mds ...map[string][]string) Metadata {
	md := Metadata{}
	for _, m := range mds {
		for k, vs := range m {
			if len(vs) == 0 {
				continue
			}
			key := strings.ToLower(k)
			md[key] = append(md[key], vs...)
		}
	}
	return md
}

// Add appends value to the values of key. Empty keys are ignored.
func (m Metadata) Add(key, value string) {
	if key == "" {
		return
	}
	key = strings.ToLower(key)
	m[key] = append(m[key], value)
}

// Get returns the first value of key, or "" when there is none.
func (m Metadata) Get(key string) string {
	if v := m[strings.ToLower(key)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Set replaces the values of key with value. Empty keys or values are ignored.
func (m Metadata) Set(key, value string) {
	if key == "" || value == "" {
		return
	}
	m[strings.ToLower(key)] = []string{value}
}

// Range calls f for each key and its values until f returns false.
// The order is unspecified.
func (m Metadata) Range(f func(k string, v []string) bool) {
	for k, v := range m {
		if !f(k, v) {
			return
		}
	}
}

// Values returns every value of key.
func (m Metadata) Values(key string) []string {
	return m[strings.ToLower(key)]
}

// Clone returns a deep copy of m.
func (m Metadata) Clone() Metadata {
	md := make(Metadata, len(m))
	for k, v := range m {
		md[k] = slices.Clone(v)
	}
	return md
}

type serverKey struct{}

// NewServerContext returns a context carrying md as the metadata received by
// a server.
func NewServerContext(ctx context.Context, md Metadata) context.Context {
	return context.WithValue(ctx, serverKey{}, md)
}

// FromServerContext returns the server metadata stored in ctx.
func FromServerContext(ctx context.Context) (Metadata, bool) {
	md, ok := ctx.Value(serverKey{}).(Metadata)
	return md, ok
}

type clientKey struct{}

// NewClientContext returns a context carrying md as the metadata a client
// sends with its next call.
func NewClientContext(ctx context.Context, md Metadata) context.Context {
	return context.WithValue(ctx, clientKey{}, md)
}

// FromClientContext returns the client metadata stored in ctx.
func FromClientContext(ctx context.Context) (Metadata, bool) {
	md, ok := ctx.Value(clientKey{}).(Metadata)
	return md, ok
}

// AppendToClientContext returns a context whose client metadata is the
// existing one plus the given key/value pairs. The metadata already in ctx is
// not modified. As in Kratos, an odd number of kv (a key without a value)
// is a programming error and panics.
func AppendToClientContext(ctx context.Context, kv ...string) context.Context {
	if len(kv)%2 == 1 {
		panic(fmt.Sprintf("metadata: AppendToClientContext got an odd number of key/value strings: %d", len(kv)))
	}
	md, _ := FromClientContext(ctx)
	md = md.Clone()
	for i := 0; i+1 < len(kv); i += 2 {
		md.Set(kv[i], kv[i+1])
	}
	return NewClientContext(ctx, md)
}

// MergeToClientContext returns a context whose client metadata is the
// existing one with every key of cmd set to cmd's values. The metadata
// already in ctx is not modified.
func MergeToClientContext(ctx context.Context, cmd Metadata) context.Context {
	md, _ := FromClientContext(ctx)
	md = md.Clone()
	for k, v := range cmd {
		md[strings.ToLower(k)] = append([]string(nil), v...)
	}
	return NewClientContext(ctx, md)
}
