package retry

import "time"

// Jitter says how a back-off is randomized.
type Jitter int

const (
	// FullJitter waits a random time between zero and the exponential
	// back-off: the spread that best scatters clients that failed at once.
	FullJitter Jitter = iota
	// EqualJitter waits half the exponential back-off plus a random time
	// up to the other half: never less than half of it.
	EqualJitter
)

// The default back-off, as WithBackoff documents.
const (
	DefaultBackoffBase = 50 * time.Millisecond
	DefaultBackoffMax  = time.Second
)

// backoff returns the wait before retry n (1 for the first retry): base
// doubled n-1 times, at most maxWait, randomized by jitter with rnd, which
// returns a number in [0, n).
func backoff(n int, base, maxWait time.Duration, jitter Jitter, rnd func(int64) int64) time.Duration {
	if base <= 0 || maxWait <= 0 {
		return 0
	}
	d := min(base, maxWait)
	for i := 1; i < n && d < maxWait; i++ {
		d = min(2*d, maxWait)
	}
	switch jitter {
	case EqualJitter:
		half := d / 2
		return half + time.Duration(rnd(int64(d-half)+1))
	default:
		return time.Duration(rnd(int64(d) + 1))
	}
}
