package ratelimit

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a manual clock, safe for concurrent use.
type clock struct{ ns atomic.Int64 }

func newClock() *clock { return &clock{} }

func (c *clock) Now() time.Time          { return time.Unix(1_700_000_000, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// cpuSource is a settable CPU source that counts its calls.
type cpuSource struct {
	v     atomic.Int64
	calls atomic.Int64
}

func (s *cpuSource) Set(v int64) { s.v.Store(v) }
func (s *cpuSource) CPU() int64  { s.calls.Add(1); return s.v.Load() }

func newTestBBR(clk *clock, src *cpuSource) *BBR {
	return NewBBR(&BBROptions{Now: clk.Now, CPU: src.CPU})
}

// learn runs batches of c concurrent calls of latency rt for d: every call
// is admitted and the limiter learns a concurrency of c.
func learn(t *testing.T, l *BBR, clk *clock, c int, rt, d time.Duration) {
	t.Helper()
	dones := make([]DoneFunc, c)
	for el := time.Duration(0); el < d; el += rt {
		for i := range dones {
			done, err := l.Allow()
			if err != nil {
				t.Fatalf("Allow() while learning at %v (call %d of %d) = %v, want admitted; stat %+v", el, i, c, err, l.Stat())
			}
			dones[i] = done
		}
		clk.Advance(rt)
		for _, done := range dones {
			done(DoneInfo{})
		}
	}
}

// hold admits calls until one is refused and returns the admitted ones.
func hold(l *BBR, max int) []DoneFunc {
	var held []DoneFunc
	for len(held) < max {
		done, err := l.Allow()
		if err != nil {
			break
		}
		held = append(held, done)
	}
	return held
}

func release(held []DoneFunc) {
	for _, d := range held {
		d(DoneInfo{})
	}
}

func TestBBREstimate(t *testing.T) {
	clk, src := newClock(), &cpuSource{}
	l := newTestBBR(clk, src)
	if got := l.Stat().MaxInFlight; got != math.MaxInt64 {
		t.Errorf("MaxInFlight before any call = %d, want MaxInt64", got)
	}
	// 5 buckets of 40 calls of 20ms, then one of 20 calls of 10ms.
	for i := 0; i < 5; i++ {
		learn(t, l, clk, 40, 20*time.Millisecond, 20*time.Millisecond)
		clk.Advance(80 * time.Millisecond)
	}
	learn(t, l, clk, 20, 10*time.Millisecond, 10*time.Millisecond)
	clk.Advance(90 * time.Millisecond)
	// The bucket still filling does not count.
	learn(t, l, clk, 500, time.Millisecond, time.Millisecond)
	got := l.Stat()
	// ceil(40 calls per 100ms × 10ms / 100ms) = 4.
	if got.MaxPass != 40 || got.MinRT != 10*time.Millisecond || got.MaxInFlight != 4 {
		t.Errorf("Stat() = %+v, want MaxPass 40, MinRT 10ms, MaxInFlight 4", got)
	}
	// After the window has rolled past every call, the last estimate stands.
	clk.Advance(30 * time.Second)
	if got := l.Stat(); got.MaxInFlight != 501 && got.MaxInFlight != 4 {
		t.Errorf("MaxInFlight after an idle window = %d, want the previous estimate", got.MaxInFlight)
	}
}

func TestBBRShedsOnlyWhenOverloadedAndInExcess(t *testing.T) {
	clk, src := newClock(), &cpuSource{}
	l := newTestBBR(clk, src)
	src.Set(300)
	learn(t, l, clk, 8, 10*time.Millisecond, 2*time.Second)
	if got := l.Stat(); got.MaxInFlight != 8 || got.CPU != 300 {
		t.Fatalf("Stat() = %+v, want MaxInFlight 8, CPU 300", got)
	}
	// CPU under the threshold: any number of calls is admitted.
	held := hold(l, 100)
	if len(held) != 100 {
		t.Errorf("admitted %d calls with a calm CPU, want 100", len(held))
	}
	release(held)

	// A fresh limiter whose CPU is over the threshold from the first sample.
	clk, src = newClock(), &cpuSource{}
	l = newTestBBR(clk, src)
	src.Set(900)
	learn(t, l, clk, 8, 10*time.Millisecond, 2*time.Second)
	if got := l.Stat().CPU; got != 900 {
		t.Fatalf("CPU = %d, want 900", got)
	}
	// 9 may be in flight: the 9th sees 8 in flight, not more than 8.
	held = hold(l, 100)
	if len(held) != 9 {
		t.Errorf("admitted %d calls under overload, want 9", len(held))
	}
	if _, err := l.Allow(); err != ErrLimitExceed {
		t.Errorf("Allow() in excess = %v, want ErrLimitExceed", err)
	}
	if !l.Stat().Shedding {
		t.Error("Stat().Shedding = false while shedding")
	}
	// One call ends: one more fits.
	held[0](DoneInfo{})
	done, err := l.Allow()
	if err != nil {
		t.Errorf("Allow() after a call ended = %v, want admitted", err)
	}
	held[0] = done
	release(held)
	if got := l.Stat().InFlight; got != 0 {
		t.Errorf("InFlight after release = %d, want 0", got)
	}
}

func TestBBRCoolDown(t *testing.T) {
	clk, src := newClock(), &cpuSource{}
	l := newTestBBR(clk, src)
	src.Set(820) // just over the threshold
	learn(t, l, clk, 8, 10*time.Millisecond, 2*time.Second)
	held := hold(l, 100) // 9 in flight, then a drop at D
	if len(held) != 9 {
		t.Fatalf("admitted %d calls, want 9", len(held))
	}
	// The CPU calms down: the next sample (at most 500ms after D) pulls
	// the average under the threshold: 820×0.95 + 0 = 779.
	src.Set(0)
	clk.Advance(500 * time.Millisecond)
	if got := l.Stat(); got.CPU >= 800 {
		t.Fatalf("CPU = %d, want under 800", got.CPU)
	}
	// Within the cool-down: excess calls are still shed...
	if _, err := l.Allow(); err != ErrLimitExceed {
		t.Errorf("Allow() in excess during cool-down = %v, want ErrLimitExceed", err)
	}
	// ...but a call that fits is admitted.
	held[0](DoneInfo{})
	if held[0], _ = l.Allow(); held[0] == nil {
		t.Error("Allow() within the estimate during cool-down refused")
	}
	// Drops during the cool-down do not extend it: 1s after D it ends.
	clk.Advance(400 * time.Millisecond)
	if _, err := l.Allow(); err != ErrLimitExceed {
		t.Errorf("Allow() at D+900ms = %v, want ErrLimitExceed", err)
	}
	clk.Advance(101 * time.Millisecond)
	more := hold(l, 50)
	if len(more) != 50 {
		t.Errorf("admitted %d calls after the cool-down, want 50", len(more))
	}
	release(more)
	release(held)
}

func TestBBRSmoothing(t *testing.T) {
	clk, src := newClock(), &cpuSource{}
	l := newTestBBR(clk, src)
	src.Set(1000)
	steps := []struct {
		advance   time.Duration
		set       int64
		wantCPU   int64
		wantCalls int64
	}{
		{0, 1000, 0, 0},                        // not due before 500ms
		{499 * time.Millisecond, 1000, 0, 0},   // still not due
		{time.Millisecond, 1000, 1000, 1},      // the first sample is taken as is
		{100 * time.Millisecond, 0, 1000, 1},   // not due again
		{400 * time.Millisecond, 0, 950, 2},    // 1000×0.95
		{1000 * time.Millisecond, 0, 857, 3},   // late: counts twice, 950×0.95²
		{500 * time.Millisecond, 5000, 865, 4}, // clamped to 1000: 857.4×0.95+50
		{500 * time.Millisecond, -300, 821, 5}, // clamped to 0
		{-10 * time.Second, 0, 780, 6},         // clock went back: sample at once
		{100 * time.Millisecond, 0, 780, 6},    // and then on schedule
		{400 * time.Millisecond, 1000, 791, 7}, // 780.0×0.95+50
		{100 * time.Hour, 1000, 1000, 8},       // a huge gap: the old average is gone
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		src.Set(s.set)
		done, _ := l.Allow()
		if done != nil {
			done(DoneInfo{})
		}
		if got := l.Stat().CPU; got != s.wantCPU {
			t.Errorf("step %d: CPU = %d, want %d", i, got, s.wantCPU)
		}
		if got := src.calls.Load(); got != s.wantCalls {
			t.Errorf("step %d: CPU source calls = %d, want %d", i, got, s.wantCalls)
		}
	}
}

func TestBBRDoneTwice(t *testing.T) {
	clk, src := newClock(), &cpuSource{}
	l := newTestBBR(clk, src)
	done, _ := l.Allow()
	done(DoneInfo{})
	done(DoneInfo{})
	if got := l.Stat().InFlight; got != 0 {
		t.Errorf("InFlight after a DoneFunc called twice = %d, want 0", got)
	}
}

func TestBBRDefaults(t *testing.T) {
	before := runtime.NumGoroutine()
	l := NewBBR(nil)
	if l.span != int64(100*time.Millisecond) || l.stat.Len() != 100 || l.threshold != 800 ||
		l.coolDown != int64(time.Second) || l.interval != int64(500*time.Millisecond) {
		t.Errorf("defaults: span %v, buckets %d, threshold %v, cool-down %v, interval %v",
			time.Duration(l.span), l.stat.Len(), l.threshold, time.Duration(l.coolDown), time.Duration(l.interval))
	}
	done, err := l.Allow()
	if err != nil {
		t.Fatalf("Allow() = %v", err)
	}
	done(DoneInfo{})
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines %d -> %d: the limiter started one", before, after)
	}
	// A window too short for its buckets is cut into 1ns buckets.
	l = NewBBR(&BBROptions{Window: 10, Buckets: 100})
	if l.span != 1 || l.stat.Len() != 10 {
		t.Errorf("tiny window: span %d, buckets %d, want 1, 10", l.span, l.stat.Len())
	}
}

func TestBBRConcurrent(t *testing.T) {
	clk, src := newClock(), &cpuSource{}
	src.Set(1000)
	l := newTestBBR(clk, src)
	var wg sync.WaitGroup
	var admitted, refused atomic.Int64
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				clk.Advance(50 * time.Microsecond)
				done, err := l.Allow()
				if err != nil {
					refused.Add(1)
					continue
				}
				admitted.Add(1)
				done(DoneInfo{})
			}
		}()
	}
	wg.Wait()
	if got := l.Stat().InFlight; got != 0 {
		t.Errorf("InFlight = %d, want 0", got)
	}
	if admitted.Load()+refused.Load() != 16000 || admitted.Load() == 0 {
		t.Errorf("admitted %d, refused %d", admitted.Load(), refused.Load())
	}
}

func TestBBRNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops objects under the race detector")
	}
	clk, src := newClock(), &cpuSource{}
	src.Set(1000)
	l := newTestBBR(clk, src)
	learn(t, l, clk, 4, 10*time.Millisecond, time.Second)
	// Admitted calls, with samples and new buckets along the way.
	allocs := testing.AllocsPerRun(1000, func() {
		clk.Advance(time.Millisecond)
		done, err := l.Allow()
		if err != nil {
			panic(err)
		}
		done(DoneInfo{})
	})
	if allocs != 0 {
		t.Errorf("allocs per admitted Allow+done = %v, want 0", allocs)
	}
	// Refused calls: the estimate is consulted and recomputed per bucket.
	held := hold(l, 10)
	allocs = testing.AllocsPerRun(1000, func() {
		clk.Advance(time.Millisecond)
		if _, err := l.Allow(); err == nil {
			panic("admitted")
		}
	})
	if allocs != 0 {
		t.Errorf("allocs per refused Allow = %v, want 0", allocs)
	}
	release(held)
}

// sim is a server with capacity CPUs shared equally by the calls in flight
// (processor sharing); each call needs work of CPU time, so latency grows
// with the calls in flight beyond capacity. It runs in steps
// of one millisecond on a manual clock, with the limiter in front of it.
type sim struct {
	t        *testing.T
	clk      *clock
	l        *BBR // nil: no limiter
	capacity float64
	work     float64 // ms

	cpuOverride int64 // >= 0: the CPU source reports this instead
	now         int64 // ms
	virtual     float64
	queue       []simCall
	head        int

	// per phase
	arrived, dropped, completed int
	maxLatency                  int64
	lastDrop                    int64
}

type simCall struct {
	vstart float64
	start  int64
	done   DoneFunc
}

func (s *sim) inFlight() int { return len(s.queue) - s.head }

func (s *sim) cpu() int64 {
	if s.cpuOverride >= 0 {
		return s.cpuOverride
	}
	// Other work on the machine takes 10%; the calls take the rest in
	// proportion to the CPUs they keep busy.
	return int64(100 + 900*min(1, float64(s.inFlight())/s.capacity))
}

func (s *sim) resetCounters() {
	s.arrived, s.dropped, s.completed, s.maxLatency, s.lastDrop = 0, 0, 0, 0, -1
}

// run simulates ms milliseconds with perTenMS arrivals every 10ms, spread
// one per millisecond.
func (s *sim) run(ms int64, perTenMS int, each func()) {
	for end := s.now + ms; s.now < end; s.now++ {
		s.clk.ns.Store(s.now * int64(time.Millisecond))
		for s.head < len(s.queue) && s.virtual-s.queue[s.head].vstart >= s.work-1e-9 {
			c := s.queue[s.head]
			s.queue[s.head] = simCall{}
			s.head++
			if c.done != nil {
				c.done(DoneInfo{})
			}
			s.completed++
			s.maxLatency = max(s.maxLatency, s.now-c.start)
		}
		if s.head > 1024 && s.head*2 > len(s.queue) {
			s.queue = append(s.queue[:0], s.queue[s.head:]...)
			s.head = 0
		}
		n := perTenMS / 10
		if int(s.now%10) < perTenMS%10 {
			n++
		}
		for i := 0; i < n; i++ {
			s.arrived++
			var done DoneFunc
			if s.l != nil {
				var err error
				if done, err = s.l.Allow(); err != nil {
					s.dropped++
					s.lastDrop = s.now
					continue
				}
			}
			s.queue = append(s.queue, simCall{vstart: s.virtual, start: s.now, done: done})
		}
		if k := float64(s.inFlight()); k > 0 {
			s.virtual += min(1, s.capacity/k)
		}
		if each != nil {
			each()
		}
	}
}

func TestBBRSimulatedOverload(t *testing.T) {
	clk := newClock()
	s := &sim{t: t, clk: clk, capacity: 10, work: 10, cpuOverride: -1}
	s.l = NewBBR(&BBROptions{Now: clk.Now, CPU: s.cpu})

	// A hot service: 90% of its capacity, 9 calls in flight, CPU at 90%.
	s.resetCounters()
	s.run(10_000, 9, nil)
	if s.dropped != 0 || s.maxLatency > 10 {
		t.Errorf("steady load: %d of %d shed, max latency %dms; want none shed, 10ms", s.dropped, s.arrived, s.maxLatency)
	}
	st := s.l.Stat()
	t.Logf("steady: %+v", st)
	if st.CPU <= 800 {
		t.Fatalf("steady CPU = %d, want over the threshold for this test", st.CPU)
	}

	// Overload: three times the capacity for 20s.
	s.resetCounters()
	maxInFlight := 0
	s.run(20_000, 30, func() { maxInFlight = max(maxInFlight, s.inFlight()) })
	t.Logf("overload: arrived %d, shed %d, completed %d, max latency %dms, max in flight %d, %+v",
		s.arrived, s.dropped, s.completed, s.maxLatency, maxInFlight, s.l.Stat())
	if s.dropped < s.arrived/2 {
		t.Errorf("overload: shed %d of %d, want most", s.dropped, s.arrived)
	}
	if s.maxLatency > 3*int64(s.work) {
		t.Errorf("overload: max latency of admitted calls %dms, want at most %dms", s.maxLatency, 3*int64(s.work))
	}
	if goodput := float64(s.completed) / 20_000; goodput < 0.9 {
		t.Errorf("overload: %.2f calls completed per ms, want at least 90%% of the capacity (1/ms)", goodput)
	}

	// The CPU calms down (the calls stop costing CPU) though the load stays:
	// shedding stops at most a cool-down after the average falls under
	// the threshold.
	s.resetCounters()
	s.cpuOverride = 100
	calmAt := int64(-1)
	s.run(5_000, 30, func() {
		if calmAt < 0 && s.l.Stat().CPU <= 800 {
			calmAt = s.now
		}
	})
	t.Logf("calm: CPU under the threshold at +%dms, last drop at +%dms", calmAt-(s.now-5_000), s.lastDrop-(s.now-5_000))
	if calmAt < 0 {
		t.Fatal("CPU never went under the threshold")
	}
	if s.lastDrop > calmAt+1000 {
		t.Errorf("last drop %dms after the CPU calmed down, want at most 1000ms", s.lastDrop-calmAt)
	}

	// The same overload without a limiter: latency grows without bound.
	clk2 := newClock()
	raw := &sim{t: t, clk: clk2, capacity: 10, work: 10, cpuOverride: -1}
	raw.resetCounters()
	raw.run(10_000, 9, nil)
	raw.resetCounters()
	raw.run(20_000, 30, nil)
	t.Logf("no limiter: max latency %dms, in flight %d", raw.maxLatency, raw.inFlight())
	if raw.maxLatency < 1000 {
		t.Errorf("without a limiter max latency = %dms; the simulation is not overloaded", raw.maxLatency)
	}
}

func BenchmarkBBRAllow(b *testing.B) {
	l := NewBBR(&BBROptions{CPU: func() int64 { return 0 }})
	b.ReportAllocs()
	for b.Loop() {
		done, err := l.Allow()
		if err == nil {
			done(DoneInfo{})
		}
	}
}

func BenchmarkBBRAllowOverloaded(b *testing.B) {
	// CPU over the threshold: every call consults the estimate.
	l := NewBBR(&BBROptions{CPU: func() int64 { return 1000 }, SampleInterval: time.Nanosecond})
	b.ReportAllocs()
	for b.Loop() {
		done, err := l.Allow()
		if err == nil {
			done(DoneInfo{})
		}
	}
}

func BenchmarkBBRAllowParallel(b *testing.B) {
	l := NewBBR(&BBROptions{CPU: func() int64 { return 1000 }})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			done, err := l.Allow()
			if err == nil {
				done(DoneInfo{})
			}
		}
	})
}
