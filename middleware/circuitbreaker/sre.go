package circuitbreaker

import (
	"math/rand/v2"
	"time"

	"github.com/seed6ad8aa6b/kratos/internal/window"
)

// SREOptions configures an SRE. The zero value of each field selects its
// default.
type SREOptions struct {
	// Success is the share of calls that must succeed for the breaker to
	// refuse nothing; K = 1/Success. Values outside (0, 1] select the
	// default, 0.6 (K = 1/0.6).
	Success float64
	// Request is the fewest calls in the window before the breaker refuses
	// any. Default: 100.
	Request int64
	// Window is how far back calls count. Default: 3s.
	Window time.Duration
	// Buckets is how many buckets Window is cut into. Default: 10.
	Buckets int
	// Now returns the current time. Default: time.Now.
	Now func() time.Time
	// Rand returns a number in [0, 1). It must be safe for concurrent use.
	// Default: math/rand/v2.Float64.
	Rand func() float64
}

// SRE is a circuit breaker with the client-side adaptive throttling of the
// Google SRE book ("Handling Overload"). Over a rolling window it counts
// the calls recorded (total) and the successful ones (accepts), and
// refuses a call with probability
//
//	max(0, (total − K·accepts) / (total + 1))
//
// once total reaches Request. While at least a share Success of the calls
// succeed, nothing is refused; as failures grow, so does the share of
// calls refused locally, sparing the dependency, and a few calls still go
// out to notice when it heals.
//
// An SRE is safe for concurrent use, and Allow, MarkSuccess and MarkFailed
// do not allocate.
type SRE struct {
	k       float64
	request int64
	now     func() time.Time
	epoch   time.Time
	rand    func() float64
	stat    *window.Window
}

// NewSRE returns an SRE configured by opts, which may be nil for all
// defaults.
func NewSRE(opts *SREOptions) *SRE {
	var o SREOptions
	if opts != nil {
		o = *opts
	}
	if !(o.Success > 0 && o.Success <= 1) {
		o.Success = 0.6
	}
	if o.Request <= 0 {
		o.Request = 100
	}
	if o.Window <= 0 {
		o.Window = 3 * time.Second
	}
	if o.Buckets <= 0 {
		o.Buckets = 10
	}
	if o.Window/time.Duration(o.Buckets) <= 0 {
		o.Buckets = int(o.Window)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	return &SRE{
		k:       1 / o.Success,
		request: o.Request,
		now:     o.Now,
		epoch:   o.Now(),
		rand:    o.Rand,
		stat:    window.New(o.Buckets, o.Window/time.Duration(o.Buckets)),
	}
}

var _ CircuitBreaker = (*SRE)(nil)

func (b *SRE) elapsed() int64 { return int64(b.now().Sub(b.epoch)) }

// Allow returns nil if the call may go out, or ErrNotAllowed.
func (b *SRE) Allow() error {
	p := b.probability(b.elapsed())
	if p > 0 && b.rand() < p {
		return ErrNotAllowed
	}
	return nil
}

// MarkSuccess records a call that succeeded.
func (b *SRE) MarkSuccess() { b.stat.Add(b.elapsed(), 1) }

// MarkFailed records a call that failed or was refused.
func (b *SRE) MarkFailed() { b.stat.Add(b.elapsed(), 0) }

func (b *SRE) probability(t int64) float64 {
	accepts, total := b.stat.Sum(t)
	return b.reject(accepts, total)
}

func (b *SRE) reject(accepts, total int64) float64 {
	if total < b.request {
		return 0
	}
	return max(0, (float64(total)-b.k*float64(accepts))/float64(total+1))
}

// SREStat is a snapshot of an SRE's window.
type SREStat struct {
	// Accepts is the number of successful calls in the window.
	Accepts int64
	// Total is the number of calls recorded in the window.
	Total int64
	// RejectProbability is the probability that Allow refuses a call now.
	RejectProbability float64
}

// Stat returns a snapshot of the breaker's window.
func (b *SRE) Stat() SREStat {
	accepts, total := b.stat.Sum(b.elapsed())
	return SREStat{Accepts: accepts, Total: total, RejectProbability: b.reject(accepts, total)}
}
