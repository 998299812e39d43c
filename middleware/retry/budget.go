package retry

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Budget limits how many retries and hedged attempts a client makes, so
// that a dependency in trouble sees a bounded multiple of the calls rather
// than every call times the maximum number of attempts.
//
// It is a token bucket: every call through the middleware deposits ratio of
// a token, and every attempt after the first of a call withdraws a whole
// one. Besides, perSecond retries a second are always allowed (a separate
// bucket that refills continuously and holds one second's worth), so that
// a client making few calls can still retry. Tokens saved from calls are
// capped at 100 (1,000 calls at the default ratio), so that a long healthy
// period does not buy a storm later. The call deposits come first and the
// bucket starts empty; the per-second bucket starts full. Under 100%
// failures a client thus makes at most (1 + ratio) × calls + perSecond ×
// (1 + seconds elapsed) attempts.
//
// A Budget is safe for concurrent use. Sharing one between the HTTP and
// gRPC clients of a service makes them retry from the same bucket.
type Budget struct {
	ratio     float64
	perSecond float64

	now func() time.Time // injected by tests

	// tokens are those deposited by calls, in millionths, at most
	// maxSaved. They are atomic so that a call's deposit takes no lock:
	// once the bucket is full, as in a healthy period, it is a load.
	tokens  atomic.Int64
	perCall int64 // what a call deposits, in millionths; 0 for none

	mu    sync.Mutex // guards floor and last
	floor float64    // the per-second allowance, at most perSecond
	last  time.Time  // when floor was last refilled
}

// Call deposits are counted in millionths of a token, so that ten
// deposits of 0.1 make exactly one.
const (
	unit     = 1_000_000
	maxSaved = 100 * unit // the cap of the tokens calls deposit
)

// The defaults of NewBudget's arguments for the Budget a Client gets
// unless WithBudget is given.
const (
	DefaultBudgetRatio     = 0.1
	DefaultBudgetPerSecond = 10
)

// NewBudget returns a budget that allows ratio retries per call (0.1 is
// 10%) plus perSecond retries a second. A ratio of math.Inf(1) means no
// limit at all; negative values count as zero, so NewBudget(0, 0) allows
// no retries.
func NewBudget(ratio, perSecond float64) *Budget {
	b := &Budget{ratio: max(ratio, 0), perSecond: max(perSecond, 0), now: time.Now}
	b.floor = b.perSecond
	if !b.unlimited() {
		b.perCall = int64(min(math.Round(b.ratio*unit), maxSaved))
	}
	return b
}

// unlimited reports whether b never refuses.
func (b *Budget) unlimited() bool { return b == nil || math.IsInf(b.ratio, 1) }

// deposit records a call.
func (b *Budget) deposit() {
	if b == nil || b.perCall == 0 {
		return
	}
	for {
		t := b.tokens.Load()
		if t >= maxSaved {
			return
		}
		if b.tokens.CompareAndSwap(t, min(t+b.perCall, maxSaved)) {
			return
		}
	}
}

// withdraw takes the token one more attempt costs and reports whether
// there was one.
func (b *Budget) withdraw() bool {
	if b.unlimited() {
		return true
	}
	for {
		t := b.tokens.Load()
		if t < unit {
			break
		}
		if b.tokens.CompareAndSwap(t, t-unit) {
			return true
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.perSecond > 0 {
		now := b.now()
		if !b.last.IsZero() {
			if dt := now.Sub(b.last); dt > 0 {
				b.floor = min(b.perSecond, b.floor+b.perSecond*dt.Seconds())
			}
		}
		b.last = now
		if b.floor >= 1 {
			b.floor--
			return true
		}
	}
	return false
}
