package ratelimit

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed6ad8aa6b/kratos/internal/cpu"
	"github.com/seed6ad8aa6b/kratos/internal/window"
)

// BBROptions configures a BBR. The zero value of each field selects its
// default.
type BBROptions struct {
	// Window is how far back completed calls count. Default: 10s.
	Window time.Duration
	// Buckets is how many buckets Window is cut into. Default: 100.
	Buckets int
	// CPUThreshold is the smoothed CPU usage, in permille, above which the
	// service counts as overloaded. Default: 800 (80%).
	CPUThreshold int64
	// CoolDown is how long after the last call shed under overload the
	// limiter keeps shedding excess calls even though the CPU has calmed
	// down. Default: 1s.
	CoolDown time.Duration
	// SampleInterval is how often the CPU is sampled. Default: 500ms.
	SampleInterval time.Duration
	// CPU returns the CPU usage since its previous call, in permille
	// (0 to 1000). It is called at most once per SampleInterval, by one
	// caller of Allow at a time. Default: on Linux, the usage of the
	// process's cgroup against its CPU quota, or against all the CPUs the
	// process may use when no quota is set; the whole machine's
	// (/proc/stat) when no cgroup can be read; 0 where neither can, which
	// means the limiter never sheds.
	CPU func() int64
	// Now returns the current time. Default: time.Now.
	Now func() time.Time
}

// cpuDecay is the weight the smoothed CPU usage keeps at each sample; the
// new sample gets the rest.
const cpuDecay = 0.95

// BBR is an adaptive concurrency limiter in the manner of TCP BBR
// congestion control: the concurrency a service can sustain is its best
// throughput times its best latency. Over the rolling Window it tracks, per
// bucket, how many calls completed and their average latency; the estimate
// of the calls that may be in flight is
//
//	ceil(max completions per bucket × min average latency / bucket span)
//
// over the completed buckets. A call is shed when the CPU usage, sampled
// every SampleInterval and smoothed with an exponentially weighted moving
// average (each sample weighs 5%, the first one 100%), is above
// CPUThreshold and more than one call, and more than the estimate, are in
// flight. For CoolDown after the last call shed that way, calls in excess
// of the estimate are still shed even when the CPU is below the threshold,
// so the limiter does not flap. Until some call has completed there is no
// estimate and nothing is shed.
//
// A BBR is safe for concurrent use. It starts no goroutine: the CPU is
// sampled by a caller of Allow when a sample is due. Allow and the DoneFunc
// it returns do not allocate: the DoneFunc belongs to a pooled object that
// is reused once it has been called, so it must be called exactly once and
// not kept afterwards.
type BBR struct {
	now       func() time.Time
	epoch     time.Time
	cpuFn     func() int64
	threshold float64
	coolDown  int64
	interval  int64
	span      int64
	stat      *window.Window

	cpu        atomic.Uint64 // float64 bits: smoothed usage in permille
	sampleMu   sync.Mutex
	nextSample atomic.Int64
	lastSample atomic.Int64
	sampled    bool // guarded by sampleMu

	inFlight atomic.Int64
	lastDrop atomic.Int64 // time of the last call shed under overload; noDrop if none pending

	estMu   sync.Mutex
	estSlot int64
	est     estimate

	calls sync.Pool // *call
}

const noDrop = math.MinInt64

type estimate struct {
	maxInFlight int64
	maxPass     int64
	minRT       float64 // nanoseconds
}

// call is an admitted call. Calls are pooled with their DoneFunc bound
// once, so admitting a call does not allocate.
type call struct {
	l      *BBR
	start  int64
	active atomic.Bool
	done   DoneFunc
}

// NewBBR returns a BBR configured by opts, which may be nil for all
// defaults.
func NewBBR(opts *BBROptions) *BBR {
	var o BBROptions
	if opts != nil {
		o = *opts
	}
	if o.Window <= 0 {
		o.Window = 10 * time.Second
	}
	if o.Buckets <= 0 {
		o.Buckets = 100
	}
	if o.Window/time.Duration(o.Buckets) <= 0 {
		o.Buckets = int(o.Window)
	}
	if o.CPUThreshold <= 0 {
		o.CPUThreshold = 800
	}
	if o.CoolDown <= 0 {
		o.CoolDown = time.Second
	}
	if o.SampleInterval <= 0 {
		o.SampleInterval = 500 * time.Millisecond
	}
	if o.CPU == nil {
		o.CPU = cpu.Default().Usage
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	span := o.Window / time.Duration(o.Buckets)
	l := &BBR{
		now:       o.Now,
		epoch:     o.Now(),
		cpuFn:     o.CPU,
		threshold: float64(o.CPUThreshold),
		coolDown:  int64(o.CoolDown),
		interval:  int64(o.SampleInterval),
		span:      int64(span),
		stat:      window.New(o.Buckets, span),
		estSlot:   math.MinInt64,
		est:       estimate{maxInFlight: math.MaxInt64},
	}
	l.nextSample.Store(l.interval)
	l.lastDrop.Store(noDrop)
	l.calls.New = func() any {
		c := &call{l: l}
		c.done = c.finish
		return c
	}
	return l
}

var _ Limiter = (*BBR)(nil)

// Allow admits a call, or refuses it with ErrLimitExceed.
func (l *BBR) Allow() (DoneFunc, error) {
	t := l.elapsed()
	l.sample(t)
	if l.shouldDrop(t) {
		return nil, ErrLimitExceed
	}
	l.inFlight.Add(1)
	c := l.calls.Get().(*call)
	c.start = t
	c.active.Store(true)
	return c.done, nil
}

// finish records the end of the call. A second call of the same DoneFunc
// before the limiter reuses it is ignored; one after that would end another
// call, which is why a DoneFunc must be called exactly once.
func (c *call) finish(DoneInfo) {
	if !c.active.CompareAndSwap(true, false) {
		return
	}
	l := c.l
	t := l.elapsed()
	rt := max(t-c.start, 0)
	l.stat.Add(t, rt)
	l.inFlight.Add(-1)
	l.calls.Put(c)
}

// elapsed returns the time since the limiter was created, in nanoseconds.
func (l *BBR) elapsed() int64 { return int64(l.now().Sub(l.epoch)) }

// sample updates the smoothed CPU usage when a sample is due. One caller
// samples; the others go on with the previous figure.
func (l *BBR) sample(t int64) {
	if t < l.nextSample.Load() && t >= l.lastSample.Load() {
		return
	}
	if !l.sampleMu.TryLock() {
		return
	}
	defer l.sampleMu.Unlock()
	last := l.lastSample.Load()
	if t < l.nextSample.Load() && t >= last {
		return
	}
	cur := float64(min(max(l.cpuFn(), 0), 1000))
	if !l.sampled {
		l.sampled = true
		l.cpu.Store(math.Float64bits(cur))
	} else {
		// A sample that comes late stands for every interval it covers,
		// as if it had been taken at each of them.
		n := float64(1)
		if t > last {
			n = min(max(float64((t-last)/l.interval), 1), 200)
		}
		keep := math.Pow(cpuDecay, n)
		prev := math.Float64frombits(l.cpu.Load())
		l.cpu.Store(math.Float64bits(prev*keep + cur*(1-keep)))
	}
	l.lastSample.Store(t)
	l.nextSample.Store(t + l.interval)
}

func (l *BBR) shouldDrop(t int64) bool {
	overloaded := math.Float64frombits(l.cpu.Load()) > l.threshold
	if !overloaded {
		last := l.lastDrop.Load()
		if last == noDrop {
			return false
		}
		if t >= last && t-last <= l.coolDown {
			return l.excess(t)
		}
		l.lastDrop.CompareAndSwap(last, noDrop)
		return false
	}
	if !l.excess(t) {
		return false
	}
	l.lastDrop.Store(t)
	return true
}

// excess reports whether more calls are in flight than the estimate allows.
func (l *BBR) excess(t int64) bool {
	n := l.inFlight.Load()
	return n > 1 && n > l.estimate(t).maxInFlight
}

// estimate returns the in-flight estimate from the completed buckets,
// computing it at most once per bucket. With no completed call in the
// window the previous estimate stands.
func (l *BBR) estimate(t int64) estimate {
	slot := l.stat.Slot(t)
	l.estMu.Lock()
	defer l.estMu.Unlock()
	if slot == l.estSlot {
		return l.est
	}
	var maxPass int64
	minRT := math.Inf(1)
	l.stat.Completed(t, func(b window.Bucket) {
		maxPass = max(maxPass, b.Count)
		minRT = min(minRT, float64(b.Sum)/float64(b.Count))
	})
	if maxPass > 0 {
		est := math.Ceil(float64(maxPass) * minRT / float64(l.span))
		l.est = estimate{maxInFlight: max(int64(est), 1), maxPass: maxPass, minRT: minRT}
	}
	l.estSlot = slot
	return l.est
}

// BBRStat is a snapshot of a BBR's state.
type BBRStat struct {
	// CPU is the smoothed CPU usage in permille.
	CPU int64
	// InFlight is the number of admitted calls not done yet.
	InFlight int64
	// MaxInFlight is the current estimate of the calls that may be in
	// flight; math.MaxInt64 before any call has completed.
	MaxInFlight int64
	// MaxPass is the most calls completed in one bucket of the window.
	MaxPass int64
	// MinRT is the smallest average latency of a bucket of the window.
	MinRT time.Duration
	// Shedding reports whether a call would be shed now.
	Shedding bool
}

// Stat returns a snapshot of the limiter's state. It samples the CPU when
// a sample is due, like Allow.
func (l *BBR) Stat() BBRStat {
	t := l.elapsed()
	l.sample(t)
	est := l.estimate(t)
	s := BBRStat{
		CPU:         int64(math.Round(math.Float64frombits(l.cpu.Load()))),
		InFlight:    l.inFlight.Load(),
		MaxInFlight: est.maxInFlight,
		MaxPass:     est.maxPass,
		MinRT:       time.Duration(est.minRT),
	}
	overloaded := math.Float64frombits(l.cpu.Load()) > l.threshold
	last := l.lastDrop.Load()
	cooling := last != noDrop && t >= last && t-last <= l.coolDown
	s.Shedding = (overloaded || cooling) && s.InFlight > 1 && s.InFlight > s.MaxInFlight
	return s
}
