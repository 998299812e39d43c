package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// load calls a service at a steady rate, whatever happens to the calls:
// each call runs in a goroutine of its own, started by a ticker, so a call
// that hangs delays no other (an open loop, as independent users are). It
// records the outcome of every call for the figures of the failover test.
type load struct {
	stopc chan struct{}
	wg    sync.WaitGroup

	mu       sync.Mutex
	calls    []outcome
	inflight map[int64]time.Time // start of each call in flight, by number
	next     int64
	answered map[string][numProtos]int // calls answered, by instance and protocol
}

// outcome is what one call did.
type outcome struct {
	start, end time.Time
	proto      int
	node       string // the instance that answered; "" when the call failed
	err        error
}

func newLoad() *load {
	return &load{
		stopc:    make(chan struct{}),
		inflight: make(map[int64]time.Time),
		answered: make(map[string][numProtos]int),
	}
}

// run starts rate calls a second to call, each with timeout, until stop.
// call returns the instance that answered.
func (l *load) run(proto, rate int, timeout time.Duration, call func(ctx context.Context, i int64) (string, error)) {
	l.wg.Go(func() {
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		for {
			select {
			case <-l.stopc:
				return
			case <-tick.C:
			}
			l.mu.Lock()
			i, start := l.next, time.Now()
			l.next++
			l.inflight[i] = start
			l.mu.Unlock()
			l.wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				node, err := call(ctx, i)
				cancel()
				o := outcome{start: start, end: time.Now(), proto: proto, err: err}
				if err == nil {
					o.node = node
				}
				l.mu.Lock()
				delete(l.inflight, i)
				l.calls = append(l.calls, o)
				if o.node != "" {
					c := l.answered[o.node]
					c[proto]++
					l.answered[o.node] = c
				}
				l.mu.Unlock()
			})
		}
	})
}

// stop stops starting calls and waits for those in flight.
func (l *load) stop() {
	close(l.stopc)
	l.wg.Wait()
}

// settled reports whether every call started before at has ended.
func (l *load) settled(at time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, start := range l.inflight {
		if start.Before(at) {
			return false
		}
	}
	return true
}

// servedBy returns how many calls of each protocol node has answered.
func (l *load) servedBy(node string) [numProtos]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.answered[node]
}

// waitServed waits until each of nodes has answered n more calls of each
// protocol than when waitServed was called, then until every call started
// before that has ended, and returns when it has.
func (l *load) waitServed(t *testing.T, what string, n int, nodes ...string) time.Time {
	t.Helper()
	base := make([][numProtos]int, len(nodes))
	for i, id := range nodes {
		base[i] = l.servedBy(id)
	}
	at := poll(t, what, func() bool {
		for i, id := range nodes {
			got := l.servedBy(id)
			for p := range numProtos {
				if got[p] < base[i][p]+n {
					return false
				}
			}
		}
		return true
	})
	return poll(t, what+" (calls in flight ended)", func() bool { return l.settled(at) })
}

// tally sums up the calls of one protocol started in a window.
type tally struct {
	calls, failed int
	firstFail     time.Time // end of the first failed call
	lastFail      time.Time // end of the last failed call
	errs          []string  // a few distinct errors
}

// tally returns the figures of the calls of proto started in [from, to).
func (l *load) tally(proto int, from, to time.Time) tally {
	l.mu.Lock()
	defer l.mu.Unlock()
	var tl tally
	for _, o := range l.calls {
		if o.proto != proto || o.start.Before(from) || !o.start.Before(to) {
			continue
		}
		tl.calls++
		if o.err == nil {
			continue
		}
		tl.failed++
		if tl.firstFail.IsZero() || o.end.Before(tl.firstFail) {
			tl.firstFail = o.end
		}
		if o.end.After(tl.lastFail) {
			tl.lastFail = o.end
		}
		if msg := o.err.Error(); len(tl.errs) < 3 && !slices.Contains(tl.errs, msg) {
			tl.errs = append(tl.errs, msg)
		}
	}
	return tl
}

// recovery returns how long after at the last failed call ended, zero when
// none failed.
func (tl tally) recovery(at time.Time) time.Duration {
	if tl.failed == 0 {
		return 0
	}
	return tl.lastFail.Sub(at)
}

// failedShare returns the failed calls as a share of the calls.
func (tl tally) failedShare() float64 {
	if tl.calls == 0 {
		return 0
	}
	return float64(tl.failed) / float64(tl.calls)
}

func (tl tally) String() string {
	s := fmt.Sprintf("%d/%d failed", tl.failed, tl.calls)
	if len(tl.errs) > 0 {
		s += " (" + strings.Join(tl.errs, " | ") + ")"
	}
	return s
}

// goodput is the share of successful calls among those started, over a
// window and per bucket of it.
type goodput struct {
	overall float64
	buckets []float64 // by start time; a bucket without calls counts as 0
}

// min returns the goodput of the worst bucket.
func (g goodput) min() float64 {
	if len(g.buckets) == 0 {
		return 0
	}
	return slices.Min(g.buckets)
}

// recovered returns when, from the start of the window, the goodput rose
// to at least share for the rest of the window: the end of the last bucket
// below share, zero when there is none. ok is false when the last bucket
// is below share.
func (g goodput) recovered(share float64, size time.Duration) (d time.Duration, ok bool) {
	for i, v := range slices.Backward(g.buckets) {
		if v < share {
			return time.Duration(i+1) * size, i < len(g.buckets)-1
		}
	}
	return 0, true
}

// String draws the buckets as a row of digits, tenths of goodput ('9' for
// 90% or more, '-' for 100%), after the overall and minimum figures.
func (g goodput) String() string {
	var b strings.Builder
	for _, v := range g.buckets {
		switch d := int(v * 10); {
		case v >= 1:
			b.WriteByte('-')
		default:
			b.WriteByte(byte('0' + d))
		}
	}
	return fmt.Sprintf("%.1f%% (worst %.0f%%) %s", 100*g.overall, 100*g.min(), b.String())
}

// goodput returns the goodput of the calls of proto started in [from, to)
// in buckets of width size.
func (l *load) goodput(proto int, from, to time.Time, size time.Duration) goodput {
	n := int((to.Sub(from) + size - 1) / size)
	ok, all := make([]int, n), make([]int, n)
	l.mu.Lock()
	for _, o := range l.calls {
		if o.proto != proto || o.start.Before(from) || !o.start.Before(to) {
			continue
		}
		i := int(o.start.Sub(from) / size)
		all[i]++
		if o.err == nil {
			ok[i]++
		}
	}
	l.mu.Unlock()
	g := goodput{buckets: make([]float64, n)}
	var okSum, allSum int
	for i := range n {
		okSum += ok[i]
		allSum += all[i]
		if all[i] > 0 {
			g.buckets[i] = float64(ok[i]) / float64(all[i])
		}
	}
	if allSum > 0 {
		g.overall = float64(okSum) / float64(allSum)
	}
	return g
}
