// Package window keeps per-interval counters over a rolling span of time:
// the statistics behind the adaptive rate limiter and the circuit breaker.
//
// A Window is a ring of n buckets, each covering one interval (the span).
// Times are int64 nanoseconds on an axis the caller chooses (typically the
// time elapsed since the owner was created, read from an injected clock), so
// the Window never reads a clock itself. Buckets are addressed by slot
// number, floor(t/span); a bucket whose slot has left the window is reset on
// its next use and ignored until then. A clock that jumps forward expires
// everything; one that jumps backward hides the buckets that now lie in the
// future instead of mixing them in.
package window

import (
	"sync"
	"time"
)

// Bucket is one interval's counters.
type Bucket struct {
	// Slot is floor(t/span) of the times the bucket holds.
	Slot int64
	// Sum is the sum of the values added in the interval.
	Sum int64
	// Count is how many values were added in the interval.
	Count int64
}

// Window is a rolling window of buckets. It is safe for concurrent use and
// its methods do not allocate.
type Window struct {
	span    int64
	mu      sync.Mutex
	buckets []Bucket
}

// New returns a Window of n buckets that each cover span. It panics unless
// n and span are positive.
func New(n int, span time.Duration) *Window {
	if n <= 0 || span <= 0 {
		panic("window: bucket count and span must be positive")
	}
	w := &Window{span: int64(span), buckets: make([]Bucket, n)}
	for i := range w.buckets {
		// No slot maps to index i with this value, so every bucket starts
		// out expired.
		w.buckets[i].Slot = minSlot
	}
	return w
}

const minSlot = -1 << 63

// Span returns the time one bucket covers.
func (w *Window) Span() time.Duration { return time.Duration(w.span) }

// Len returns the number of buckets.
func (w *Window) Len() int { return len(w.buckets) }

// Slot returns the slot number of time t: floor(t/span).
func (w *Window) Slot(t int64) int64 {
	s := t / w.span
	if t%w.span < 0 {
		s--
	}
	return s
}

func (w *Window) index(slot int64) int {
	n := int64(len(w.buckets))
	i := slot % n
	if i < 0 {
		i += n
	}
	return int(i)
}

// Add adds v to the bucket of time t.
func (w *Window) Add(t, v int64) {
	slot := w.Slot(t)
	w.mu.Lock()
	b := &w.buckets[w.index(slot)]
	if b.Slot != slot {
		*b = Bucket{Slot: slot}
	}
	b.Sum += v
	b.Count++
	w.mu.Unlock()
}

// Sum returns the sum and count of the values added in the window that ends
// with the bucket of time t, that bucket included.
func (w *Window) Sum(t int64) (sum, count int64) {
	slot := w.Slot(t)
	oldest := slot - int64(len(w.buckets)) + 1
	w.mu.Lock()
	for i := range w.buckets {
		b := &w.buckets[i]
		if b.Slot >= oldest && b.Slot <= slot {
			sum += b.Sum
			count += b.Count
		}
	}
	w.mu.Unlock()
	return sum, count
}

// Completed calls fn, in no particular order, for each bucket that holds
// data and lies in the window ending with the bucket of time t, except that
// bucket itself, which is still filling. fn runs with the Window locked and
// must not call its methods.
func (w *Window) Completed(t int64, fn func(Bucket)) {
	slot := w.Slot(t)
	oldest := slot - int64(len(w.buckets)) + 1
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range w.buckets {
		b := w.buckets[i]
		if b.Slot >= oldest && b.Slot < slot && b.Count > 0 {
			fn(b)
		}
	}
}
