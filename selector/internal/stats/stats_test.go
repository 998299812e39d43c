package stats

import (
	"math"
	"testing"
	"time"
)

// clock is a manual clock for one goroutine.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTracker() (*Tracker, *clock) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	return NewTracker(c.now), c
}

// request runs one request of latency d that starts now.
func request(t *Tracker, c *clock, d time.Duration, failed bool) {
	start := t.Start()
	c.advance(d)
	t.Done(start, failed)
}

func weightOf(lat time.Duration, success float64, inflight int64) float64 {
	return success * Scale / (math.Sqrt(float64(lat+LatencySlack)) * float64(inflight+1))
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

func TestWeight(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*Tracker, *clock)
		want  float64
	}{
		{"new node", func(*Tracker, *clock) {}, weightOf(0, 1, 0)},
		{"new node with a request in flight", func(tr *Tracker, c *clock) {
			tr.Start()
			c.advance(10 * time.Millisecond)
		}, weightOf(ColdLatency, 1, 1)},
		{"new node stuck longer than the cold latency", func(tr *Tracker, c *clock) {
			tr.Start()
			c.advance(3 * time.Second)
		}, weightOf(3*time.Second, 1, 1)},
		{"one 10ms sample", func(tr *Tracker, c *clock) {
			request(tr, c, 10*time.Millisecond, false)
		}, weightOf(10*time.Millisecond, 1, 0)},
		{"one 100ms sample", func(tr *Tracker, c *clock) {
			request(tr, c, 100*time.Millisecond, false)
		}, weightOf(100*time.Millisecond, 1, 0)},
		{"two in flight, fresh", func(tr *Tracker, c *clock) {
			request(tr, c, 10*time.Millisecond, false)
			tr.Start()
			tr.Start()
		}, weightOf(10*time.Millisecond, 1, 2)},
		{"in flight and quiet for 2s", func(tr *Tracker, c *clock) {
			request(tr, c, 10*time.Millisecond, false)
			tr.Start()
			c.advance(2 * time.Second)
		}, weightOf(2*time.Second, 1, 1)},
		{"old sample decays away", func(tr *Tracker, c *clock) {
			request(tr, c, 100*time.Millisecond, false)
			c.advance(time.Minute)
			request(tr, c, 10*time.Millisecond, false)
		}, weightOf(10*time.Millisecond, 1, 0)},
		{"only failures after a long gap", func(tr *Tracker, c *clock) {
			c.advance(time.Minute)
			request(tr, c, 10*time.Millisecond, true)
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, c := newTracker()
			tt.setup(tr, c)
			if got := tr.Weight(); !near(got, tt.want) && math.Abs(got-tt.want) > 1e-6 {
				t.Errorf("Weight() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLatencyAverage(t *testing.T) {
	tr, c := newTracker()
	request(tr, c, 100*time.Millisecond, false)
	// A sample right after another barely moves the average.
	request(tr, c, 10*time.Millisecond, false)
	// (the second Done is 10ms after the first: w = exp(-10/600))
	w := math.Exp(-10.0 / 600)
	want := time.Duration(100e6*w + 10e6*(1-w))
	if got := tr.Latency(); got < want-time.Microsecond || got > want+time.Microsecond {
		t.Errorf("Latency() = %v, want %v", got, want)
	}
	// After one time constant, a new sample has weight 1-1/e.
	c.advance(Tau - 20*time.Millisecond)
	before := tr.Latency()
	request(tr, c, 20*time.Millisecond, false)
	w = math.Exp(-1)
	want = time.Duration(float64(before)*w + 20e6*(1-w))
	if got := tr.Latency(); got < want-time.Microsecond || got > want+time.Microsecond {
		t.Errorf("Latency() after one time constant = %v, want %v", got, want)
	}
}

func TestSuccessAverage(t *testing.T) {
	tr, c := newTracker()
	for range 2000 { // 4s, several time constants
		request(tr, c, time.Millisecond, false)
		request(tr, c, time.Millisecond, true)
	}
	if got := tr.Success(); got < 0.45 || got > 0.55 {
		t.Errorf("Success() with every other request failing = %v, want about 0.5", got)
	}
	for range 5000 {
		request(tr, c, time.Millisecond, false)
	}
	if got := tr.Success(); got < 0.99 {
		t.Errorf("Success() after 5s of successes = %v, want above 0.99", got)
	}
}

func TestStreamsDoNotStallABusyNode(t *testing.T) {
	tr, c := newTracker()
	tr.Start() // a long stream that stays open
	for range 100 {
		request(tr, c, 10*time.Millisecond, false)
		c.advance(10 * time.Millisecond)
	}
	// The stream is 2s old, but the node answered 10ms ago.
	if got, want := tr.Weight(), weightOf(20*time.Millisecond, 1, 1); got < want {
		t.Errorf("Weight() = %v, want at least %v (no stall penalty)", got, want)
	}
}

func TestInflight(t *testing.T) {
	tr, c := newTracker()
	a, b := tr.Start(), tr.Start()
	if got := tr.Inflight(); got != 2 {
		t.Errorf("Inflight() = %d, want 2", got)
	}
	c.advance(time.Millisecond)
	tr.Done(a, false)
	tr.Done(b, false)
	if got := tr.Inflight(); got != 0 {
		t.Errorf("Inflight() = %d, want 0", got)
	}
	if tr.startSum.Load() != 0 {
		t.Errorf("startSum = %d after all requests ended, want 0", tr.startSum.Load())
	}
}

func TestPickElapsed(t *testing.T) {
	tr, c := newTracker()
	if got := tr.PickElapsed(); got != math.MaxInt64 {
		t.Errorf("PickElapsed() before any pick = %v, want the largest duration", got)
	}
	tr.Start()
	if got := tr.PickElapsed(); got != 0 {
		t.Errorf("PickElapsed() right after a pick at birth = %v, want 0", got)
	}
	c.advance(4 * time.Second)
	if got := tr.PickElapsed(); got != 4*time.Second {
		t.Errorf("PickElapsed() = %v, want 4s", got)
	}
}

func TestOutOfOrderCompletion(t *testing.T) {
	tr, c := newTracker()
	a := tr.Start()
	c.advance(50 * time.Millisecond)
	b := tr.Start()
	c.advance(10 * time.Millisecond)
	tr.Done(b, false)
	tr.Done(a, false)
	if got := tr.Latency(); got <= 0 || got > 60*time.Millisecond {
		t.Errorf("Latency() = %v, want within (0, 60ms]", got)
	}
	if tr.Weight() <= 0 || math.IsNaN(tr.Weight()) {
		t.Errorf("Weight() = %v, want a positive number", tr.Weight())
	}
}

func TestNilClock(t *testing.T) {
	tr := NewTracker(nil)
	tr.Done(tr.Start(), false)
	if tr.Latency() <= 0 {
		t.Errorf("Latency() = %v, want > 0", tr.Latency())
	}
}
