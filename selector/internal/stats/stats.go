// Package stats keeps the per-node statistics behind selector/node/ewma:
// moving averages of latency and success, and the requests in flight, from
// which it computes a weight. It lives apart from the public node type so
// that balancer tests can drive it with a fake clock.
package stats

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// Tau is the time constant of the moving averages: the influence of a
	// sample falls to 1/e after Tau of newer samples.
	Tau = 600 * time.Millisecond
	// ColdLatency is the latency assumed for a node that has requests in
	// flight but has not completed any.
	ColdLatency = time.Second
	// LatencySlack is added to latencies before they are compared.
	LatencySlack = 5 * time.Millisecond
	// Scale makes the weights of typical nodes land in the hundreds.
	Scale = 1e6
)

// Tracker tracks the requests to one node. It is safe for concurrent use.
type Tracker struct {
	now   func() time.Time
	birth time.Time // the times below are offsets from birth, in ns

	lastPick atomic.Int64 // offset of the last Start + 1; 0 when never started
	inflight atomic.Int64 // requests started and not done
	startSum atomic.Int64 // sum of the start offsets of those, in µs

	mu      sync.Mutex    // serializes updates of the averages
	stamp   atomic.Int64  // offset of the last completion
	latency atomic.Uint64 // float64 bits, ns; 0 until the first completion
	success atomic.Uint64 // float64 bits, in [0, 1]
}

// NewTracker returns a Tracker with no history that reads time from now
// (time.Now when nil).
func NewTracker(now func() time.Time) *Tracker {
	if now == nil {
		now = time.Now
	}
	t := &Tracker{now: now}
	t.birth = now()
	t.success.Store(math.Float64bits(1))
	return t
}

func (t *Tracker) offset() int64 { return int64(t.now().Sub(t.birth)) }

// Start counts a request in flight and returns its start, to be passed to
// Done exactly once.
func (t *Tracker) Start() int64 {
	start := t.offset()
	t.lastPick.Store(start + 1)
	t.inflight.Add(1)
	t.startSum.Add(start / 1e3)
	return start
}

// Done ends the request that started at start and records its latency and
// whether it failed through the node's fault.
func (t *Tracker) Done(start int64, failed bool) {
	end := t.offset()
	t.inflight.Add(-1)
	t.startSum.Add(-(start / 1e3))

	lat := float64(max(end-start, 1))
	ok := 1.0
	if failed {
		ok = 0
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	last := t.stamp.Load()
	if end > last {
		t.stamp.Store(end)
	}
	// w is how much of the old averages survives the time since the
	// previous completion.
	w := math.Exp(-float64(max(end-last, 0)) / float64(Tau))
	old := math.Float64frombits(t.latency.Load())
	if old == 0 {
		old = lat
	}
	t.latency.Store(math.Float64bits(old*w + lat*(1-w)))
	s := math.Float64frombits(t.success.Load())
	t.success.Store(math.Float64bits(s*w + ok*(1-w)))
}

// Latency returns the moving average latency, or 0 before the first
// completion.
func (t *Tracker) Latency() time.Duration {
	return time.Duration(math.Float64frombits(t.latency.Load()))
}

// Success returns the moving average success rate, in [0, 1].
func (t *Tracker) Success() float64 {
	return math.Float64frombits(t.success.Load())
}

// Inflight returns the number of requests started and not done.
func (t *Tracker) Inflight() int64 {
	return max(t.inflight.Load(), 0)
}

// Weight returns
//
//	Scale * success / (sqrt(latency + LatencySlack) * (inflight + 1))
//
// with latency in nanoseconds, where latency is the moving average, or,
// while requests are in flight and both their average age and the time
// since the last completion exceed it, the smaller of those two; before the
// first completion it is 0 with nothing in flight and at least
// ColdLatency otherwise.
func (t *Tracker) Weight() float64 {
	inflight := t.Inflight()
	lat := math.Float64frombits(t.latency.Load())
	if inflight > 0 {
		now := t.offset()
		age := float64(now - t.startSum.Load()/inflight*1e3)
		quiet := float64(now - t.stamp.Load())
		stalled := min(age, quiet)
		switch {
		case lat == 0:
			lat = max(float64(ColdLatency), stalled)
		case stalled > lat:
			lat = stalled
		}
	}
	return t.Success() * Scale / (math.Sqrt(lat+float64(LatencySlack)) * float64(inflight+1))
}

// PickElapsed returns the time since the last Start, or the largest
// Duration when there was none.
func (t *Tracker) PickElapsed() time.Duration {
	last := t.lastPick.Load()
	if last == 0 {
		return math.MaxInt64
	}
	return time.Duration(t.offset() - (last - 1))
}
