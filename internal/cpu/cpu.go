package cpu

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// Sources a Meter can read, as reported by Meter.Source.
const (
	SourceCgroup1  = "cgroup1"
	SourceCgroup2  = "cgroup2"
	SourceProcStat = "procstat"
	SourceNone     = ""
)

// minInterval is the shortest interval measured: Usage called again sooner
// returns the previous figure rather than the noise of a few clock ticks.
const minInterval = 10 * time.Millisecond

// Meter measures CPU usage between successive calls of Usage. It is safe for
// concurrent use.
type Meter struct {
	mu     sync.Mutex
	source string
	ncpu   int64

	usage   *os.File // cgroup usage counter or /proc/stat
	usageNS int64    // nanoseconds per unit of the cgroup usage counter
	statKey string   // key of the usage line in cpu.stat; "" when the file is one number
	quotas  []quota

	buf []byte

	primed    bool
	prevTime  time.Time
	prevBusy  int64 // cgroup: ns used; procstat: busy ticks
	prevTotal int64 // procstat: all ticks
	last      int64
}

// quota is one cgroup level's CPU bandwidth limit: quota microseconds of
// CPU time per period. v2 keeps both in cpu.max; v1 splits them.
type quota struct {
	max    *os.File // v2 cpu.max
	quota  *os.File // v1 cpu.cfs_quota_us
	period *os.File // v1 cpu.cfs_period_us
}

var defaultMeter = sync.OnceValue(func() *Meter { return New("/") })

// Default returns the process-wide Meter of the real system, created on
// first use. Its files stay open for the life of the process.
func Default() *Meter { return defaultMeter() }

// New returns a Meter for the system whose file tree starts at root ("/"
// for the real one). The first call of Usage measures from the time New
// returns. Close releases its files.
func New(root string) *Meter { return newMeter(root, runtime.NumCPU(), time.Now()) }

func newMeter(root string, ncpu int, now time.Time) *Meter {
	m := &Meter{ncpu: int64(max(ncpu, 1)), buf: make([]byte, 4096)}
	if runtime.GOOS == "linux" || root != "/" {
		m.open(root)
	}
	m.mu.Lock()
	m.measure(now)
	m.mu.Unlock()
	return m
}

// Source names the counters the Meter reads: SourceCgroup1, SourceCgroup2,
// SourceProcStat, or SourceNone when it found none.
func (m *Meter) Source() string { return m.source }

// Usage returns the CPU usage since the previous call, in permille of the
// capacity available to the process, clamped to [0, 1000]. A call less than
// 10ms after the previous one returns the same figure again. Without
// counters it returns 0.
func (m *Meter) Usage() int64 { return m.usageAt(time.Now()) }

func (m *Meter) usageAt(now time.Time) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.primed && now.Sub(m.prevTime) < minInterval {
		return m.last
	}
	m.measure(now)
	return m.last
}

// Close closes the Meter's files. Usage returns 0 afterwards.
func (m *Meter) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var files []*os.File
	if m.usage != nil {
		files = append(files, m.usage)
	}
	for _, q := range m.quotas {
		for _, f := range []*os.File{q.max, q.quota, q.period} {
			if f != nil {
				files = append(files, f)
			}
		}
	}
	m.usage, m.quotas, m.source, m.primed, m.last = nil, nil, SourceNone, false, 0
	var first error
	for _, f := range files {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// measure reads the counters, sets m.last from their change since the
// previous reading and remembers this one. m.mu must be held.
func (m *Meter) measure(now time.Time) {
	if m.usage == nil {
		return
	}
	if m.source == SourceProcStat {
		busy, total, ok := m.readProcStat()
		if !ok {
			return
		}
		if m.primed && total > m.prevTotal {
			m.last = permille(float64(busy-m.prevBusy) / float64(total-m.prevTotal))
		}
		m.prevBusy, m.prevTotal, m.prevTime, m.primed = busy, total, now, true
		return
	}
	used, ok := m.readCgroupUsage()
	if !ok {
		return
	}
	if m.primed {
		if wall := now.Sub(m.prevTime); wall > 0 {
			cores := m.cores()
			m.last = permille(float64(used-m.prevBusy) / (float64(wall) * cores))
		}
	}
	m.prevBusy, m.prevTime, m.primed = used, now, true
}

func permille(ratio float64) int64 {
	switch {
	case !(ratio > 0): // also NaN
		return 0
	case ratio >= 1:
		return 1000
	}
	return int64(ratio*1000 + 0.5)
}

// cores returns the CPU capacity available to the cgroup, in CPUs: the
// smallest quota of any level, and at most the number of usable CPUs.
func (m *Meter) cores() float64 {
	c := float64(m.ncpu)
	for _, q := range m.quotas {
		if n, ok := m.readQuota(q); ok && n < c {
			c = n
		}
	}
	return c
}

func (m *Meter) readQuota(q quota) (float64, bool) {
	var quota, period int64
	if q.max != nil {
		b, ok := m.read(q.max)
		if !ok {
			return 0, false
		}
		f1, rest := field(b)
		f2, _ := field(rest)
		var ok1, ok2 bool
		quota, ok1 = parseInt(f1)
		period, ok2 = parseInt(f2)
		if !ok1 || !ok2 { // "max 100000": no limit
			return 0, false
		}
	} else {
		b, ok := m.read(q.quota)
		if !ok {
			return 0, false
		}
		f, _ := field(b)
		if quota, ok = parseInt(f); !ok {
			return 0, false
		}
		if b, ok = m.read(q.period); !ok {
			return 0, false
		}
		f, _ = field(b)
		if period, ok = parseInt(f); !ok {
			return 0, false
		}
	}
	if quota <= 0 || period <= 0 { // v1 uses -1 for no limit
		return 0, false
	}
	return float64(quota) / float64(period), true
}

// readCgroupUsage returns the CPU time used by the cgroup, in nanoseconds.
func (m *Meter) readCgroupUsage() (int64, bool) {
	b, ok := m.read(m.usage)
	if !ok {
		return 0, false
	}
	if m.statKey != "" {
		b, ok = lookup(b, m.statKey)
		if !ok {
			return 0, false
		}
	}
	f, _ := field(b)
	n, ok := parseInt(f)
	return n * m.usageNS, ok
}

// readProcStat returns the busy and total ticks of the "cpu" line of
// /proc/stat: user nice system idle iowait irq softirq steal (guest time is
// already counted in user and nice).
func (m *Meter) readProcStat() (busy, total int64, ok bool) {
	b, ok := m.read(m.usage)
	if !ok {
		return 0, 0, false
	}
	if b, ok = lookup(b, "cpu"); !ok {
		return 0, 0, false
	}
	for i := 0; i < 8; i++ {
		var f []byte
		f, b = field(b)
		if len(f) == 0 {
			if i < 4 { // older kernels list fewer columns; idle is required
				return 0, 0, false
			}
			break
		}
		n, ok := parseInt(f)
		if !ok {
			return 0, 0, false
		}
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total, true
}

// read reads the whole of f from its start into m.buf (files larger than
// the buffer are cut, which is enough for the first lines used here).
func (m *Meter) read(f *os.File) ([]byte, bool) {
	n := 0
	for n < len(m.buf) {
		k, err := f.ReadAt(m.buf[n:], int64(n))
		n += k
		if err != nil || k == 0 {
			break
		}
	}
	return m.buf[:n], n > 0
}

// open finds the counters under root and opens them.
func (m *Meter) open(root string) {
	cg := findCgroups(root)
	// Quotas from every hierarchy that has the cpu controller.
	for _, dir := range cg.v1cpu {
		qf, err1 := os.Open(filepath.Join(dir, "cpu.cfs_quota_us"))
		pf, err2 := os.Open(filepath.Join(dir, "cpu.cfs_period_us"))
		if err1 == nil && err2 == nil {
			m.quotas = append(m.quotas, quota{quota: qf, period: pf})
			continue
		}
		closeAll(qf, pf)
	}
	for _, dir := range cg.v2 {
		if f, err := os.Open(filepath.Join(dir, "cpu.max")); err == nil {
			m.quotas = append(m.quotas, quota{max: f})
		}
	}
	// Usage: the leaf cgroup's own counter; v1 cpuacct wins on hybrid
	// systems, where the cpu controllers live in v1.
	if len(cg.v1acct) > 0 {
		if f, err := os.Open(filepath.Join(cg.v1acct[0], "cpuacct.usage")); err == nil {
			m.usage, m.usageNS, m.source = f, 1, SourceCgroup1
		}
	}
	if m.usage == nil && len(cg.v2) > 0 {
		if f, err := os.Open(filepath.Join(cg.v2[0], "cpu.stat")); err == nil {
			m.usage, m.usageNS, m.statKey, m.source = f, 1000, "usage_usec", SourceCgroup2
		}
	}
	if m.usage != nil {
		if _, ok := m.readCgroupUsage(); ok {
			return
		}
		closeAll(m.usage)
		m.usage, m.source, m.statKey = nil, SourceNone, ""
	}
	// The whole machine. Quotas do not apply to it.
	for _, q := range m.quotas {
		closeAll(q.max, q.quota, q.period)
	}
	m.quotas = nil
	if f, err := os.Open(filepath.Join(root, "proc", "stat")); err == nil {
		m.usage, m.source = f, SourceProcStat
		if _, _, ok := m.readProcStat(); !ok {
			closeAll(f)
			m.usage, m.source = nil, SourceNone
		}
	}
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}
