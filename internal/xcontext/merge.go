// Package xcontext merges two contexts into one.
package xcontext

import (
	"context"
	"time"
)

type merged struct {
	parent1, parent2 context.Context
}

// Merge returns a context that carries the values of both parents (parent1
// first), is done when either is done, and has the earlier deadline. The
// returned cancel func releases resources and must be called.
func Merge(parent1, parent2 context.Context) (context.Context, context.CancelFunc) {
	m := &merged{parent1: parent1, parent2: parent2}
	ctx, cancel := context.WithCancelCause(m)
	stop := context.AfterFunc(parent2, func() {
		cancel(context.Cause(parent2))
	})
	return ctx, func() {
		stop()
		cancel(context.Canceled)
	}
}

// Deadline returns the earlier deadline of the two parents.
func (m *merged) Deadline() (time.Time, bool) {
	d1, ok1 := m.parent1.Deadline()
	d2, ok2 := m.parent2.Deadline()
	switch {
	case !ok1:
		return d2, ok2
	case !ok2:
		return d1, ok1
	case d2.Before(d1):
		return d2, true
	default:
		return d1, true
	}
}

// Done is parent1's Done; WithCancelCause in Merge propagates parent1, and
// the AfterFunc propagates parent2.
func (m *merged) Done() <-chan struct{} { return m.parent1.Done() }

func (m *merged) Err() error { return m.parent1.Err() }

func (m *merged) Value(key any) any {
	if v := m.parent1.Value(key); v != nil {
		return v
	}
	return m.parent2.Value(key)
}
