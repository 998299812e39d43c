package cpu

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// tree writes files under a fresh temporary root and returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		write(t, root, name, body)
	}
	return root
}

// write replaces the contents of root/name in place, so that files the
// Meter holds open see the new contents.
func write(t *testing.T, root, name, body string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

const (
	mountsV2 = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
	// A hybrid system like the one these tests were written on: cpu and
	// cpuacct in separate v1 hierarchies, an empty unified one.
	mountsHybrid = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n" +
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n" +
		"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n" +
		"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n" +
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
	mountsV1 = "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
	procStat = "cpu  %d 0 %d %d 0 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 1 2 3\n"
)

func TestCgroup2Quota(t *testing.T) {
	root := tree(t, map[string]string{
		"proc/self/mountinfo":                      mountsV2,
		"proc/self/cgroup":                         "0::/kubepods/pod1/ctr\n",
		"sys/fs/cgroup/kubepods/pod1/ctr/cpu.stat": "usage_usec 1000000\nuser_usec 900000\nsystem_usec 100000\n",
		"sys/fs/cgroup/kubepods/pod1/ctr/cpu.max":  "max 100000\n",
		"sys/fs/cgroup/kubepods/pod1/cpu.max":      "50000 100000\n", // half a CPU, set on the pod
		"sys/fs/cgroup/kubepods/cpu.max":           "max 100000\n",
		"sys/fs/cgroup/cpu.stat":                   "usage_usec 99999999999\n",
		"proc/stat":                                "cpu  1 1 1 1\n",
	})
	t0 := time.Unix(1000, 0)
	m := newMeter(root, 4, t0)
	defer m.Close()
	if got := m.Source(); got != SourceCgroup2 {
		t.Fatalf("Source() = %q, want %q", got, SourceCgroup2)
	}
	// 250ms of CPU in one second against half a CPU: 50%.
	write(t, root, "sys/fs/cgroup/kubepods/pod1/ctr/cpu.stat", "usage_usec 1250000\nuser_usec 1\n")
	if got := m.usageAt(t0.Add(time.Second)); got != 500 {
		t.Errorf("usage = %d, want 500", got)
	}
	// Asked again within 10ms: the same figure, counters not re-read.
	write(t, root, "sys/fs/cgroup/kubepods/pod1/ctr/cpu.stat", "usage_usec 9999999999\n")
	if got := m.usageAt(t0.Add(time.Second + time.Millisecond)); got != 500 {
		t.Errorf("usage within 10ms = %d, want 500", got)
	}
	// More than the quota (a burst): clamped.
	if got := m.usageAt(t0.Add(2 * time.Second)); got != 1000 {
		t.Errorf("usage over quota = %d, want 1000", got)
	}
	// The quota is lifted: the 4 CPUs count.
	write(t, root, "sys/fs/cgroup/kubepods/pod1/cpu.max", "max 100000\n")
	write(t, root, "sys/fs/cgroup/kubepods/pod1/ctr/cpu.stat", "usage_usec 10000999999\n")
	if got := m.usageAt(t0.Add(3 * time.Second)); got != 250 {
		t.Errorf("usage with no quota = %d, want 250", got)
	}
}

func TestCgroup1Hybrid(t *testing.T) {
	root := tree(t, map[string]string{
		"proc/self/mountinfo":                 mountsHybrid,
		"proc/self/cgroup":                    "4:memory:/x\n2:cpuacct:/\n1:cpu:/\n0::/\n",
		"sys/fs/cgroup/cpu/cpu.cfs_quota_us":  "-1\n",
		"sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
		"sys/fs/cgroup/cpuacct/cpuacct.usage": "5000000000\n",
		"sys/fs/cgroup/unified/cpu.stat":      "usage_usec 1\n",
		"proc/stat":                           "cpu  1 1 1 1\n",
	})
	t0 := time.Unix(1000, 0)
	m := newMeter(root, 2, t0)
	defer m.Close()
	if got := m.Source(); got != SourceCgroup1 {
		t.Fatalf("Source() = %q, want %q", got, SourceCgroup1)
	}
	// 1.5s of CPU in one second on 2 CPUs without a quota: 75%.
	write(t, root, "sys/fs/cgroup/cpuacct/cpuacct.usage", "6500000000\n")
	if got := m.usageAt(t0.Add(time.Second)); got != 750 {
		t.Errorf("usage = %d, want 750", got)
	}
	// A quota of 1.5 CPUs: the same use is 100%.
	write(t, root, "sys/fs/cgroup/cpu/cpu.cfs_quota_us", "150000\n")
	write(t, root, "sys/fs/cgroup/cpuacct/cpuacct.usage", "8000000000\n")
	if got := m.usageAt(t0.Add(2 * time.Second)); got != 1000 {
		t.Errorf("usage with quota = %d, want 1000", got)
	}
}

func TestCgroup1NestedAndEscaped(t *testing.T) {
	// A combined cpu,cpuacct hierarchy mounted at a path with a space,
	// the quota set on the parent of the process's cgroup.
	mounts := strings.Replace(mountsV1, "/sys/fs/cgroup/cpu,cpuacct", `/sys/fs/cg\040x`, 1)
	root := tree(t, map[string]string{
		"proc/self/mountinfo":                   mounts,
		"proc/self/cgroup":                      "3:cpu,cpuacct:/svc/app\n",
		"sys/fs/cg x/svc/app/cpu.cfs_quota_us":  "-1\n",
		"sys/fs/cg x/svc/app/cpu.cfs_period_us": "100000\n",
		"sys/fs/cg x/svc/app/cpuacct.usage":     "0\n",
		"sys/fs/cg x/svc/cpu.cfs_quota_us":      "200000\n",
		"sys/fs/cg x/svc/cpu.cfs_period_us":     "100000\n",
		"sys/fs/cg x/cpu.cfs_quota_us":          "-1\n",
		"sys/fs/cg x/cpu.cfs_period_us":         "100000\n",
	})
	t0 := time.Unix(1000, 0)
	m := newMeter(root, 8, t0)
	defer m.Close()
	if got := m.Source(); got != SourceCgroup1 {
		t.Fatalf("Source() = %q, want %q", got, SourceCgroup1)
	}
	if got := len(m.quotas); got != 3 {
		t.Errorf("quota levels = %d, want 3", got)
	}
	write(t, root, "sys/fs/cg x/svc/app/cpuacct.usage", "500000000\n")
	if got := m.usageAt(t0.Add(time.Second)); got != 250 { // 0.5 of 2 CPUs
		t.Errorf("usage = %d, want 250", got)
	}
}

func TestCgroup1WithoutNamespace(t *testing.T) {
	// Docker without a cgroup namespace: /proc/self/cgroup names a path
	// that, in the container's view, is mounted at the hierarchy's root.
	root := tree(t, map[string]string{
		"proc/self/mountinfo":                         mountsV1,
		"proc/self/cgroup":                            "3:cpu,cpuacct:/docker/0123abcd\n",
		"sys/fs/cgroup/cpu,cpuacct/cpuacct.usage":     "100\n",
		"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us":  "100000\n",
		"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
	})
	t0 := time.Unix(1000, 0)
	m := newMeter(root, 8, t0)
	defer m.Close()
	write(t, root, "sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", "100000100\n")
	if got := m.usageAt(t0.Add(time.Second)); got != 100 { // 0.1s of 1 CPU
		t.Errorf("usage = %d, want 100", got)
	}
}

func TestProcStatFallback(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"no cgroup files", map[string]string{}},
		{"unreadable cgroup counter", map[string]string{
			"proc/self/mountinfo":    mountsV2,
			"proc/self/cgroup":       "0::/\n",
			"sys/fs/cgroup/cpu.stat": "nr_periods 0\n", // no usage_usec
		}},
		{"garbage cgroup files", map[string]string{
			"proc/self/mountinfo": "garbage\n\x00\x01 - \n - cgroup2\n",
			"proc/self/cgroup":    "::::\nnot a line\n",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tree(t, tt.files)
			write(t, root, "proc/stat", "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1\n")
			t0 := time.Unix(1000, 0)
			m := newMeter(root, 2, t0)
			defer m.Close()
			if got := m.Source(); got != SourceProcStat {
				t.Fatalf("Source() = %q, want %q", got, SourceProcStat)
			}
			// +300 busy, +100 idle, +100 iowait: 60%.
			write(t, root, "proc/stat", "cpu  300 0 200 900 100 0 0 0 0 0\ncpu0 1\n")
			if got := m.usageAt(t0.Add(time.Second)); got != 600 {
				t.Errorf("usage = %d, want 600", got)
			}
			// Malformed contents: the previous figure stays.
			write(t, root, "proc/stat", "cpu  x y z\n")
			if got := m.usageAt(t0.Add(2 * time.Second)); got != 600 {
				t.Errorf("usage after garbage = %d, want 600", got)
			}
		})
	}
}

func TestNoSource(t *testing.T) {
	root := tree(t, map[string]string{"proc/stat": "intr 1 2 3\n"})
	m := newMeter(root, 2, time.Unix(1000, 0))
	if got := m.Source(); got != SourceNone {
		t.Errorf("Source() = %q, want none", got)
	}
	if got := m.usageAt(time.Unix(1001, 0)); got != 0 {
		t.Errorf("usage = %d, want 0", got)
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
}

func TestClose(t *testing.T) {
	root := tree(t, map[string]string{"proc/stat": "cpu  1 0 1 1\n"})
	m := newMeter(root, 1, time.Unix(1000, 0))
	if err := m.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if got := m.usageAt(time.Unix(1001, 0)); got != 0 {
		t.Errorf("usage after Close = %d, want 0", got)
	}
}

func TestRealSystem(t *testing.T) {
	m := Default()
	if runtime.GOOS == "linux" && m.Source() == SourceNone {
		t.Errorf("Source() = none on linux")
	}
	t.Logf("source %q", m.Source())
	got := m.usageAt(time.Now().Add(time.Second))
	if got < 0 || got > 1000 {
		t.Errorf("Usage() = %d, want within [0, 1000]", got)
	}
	var step time.Duration
	allocs := testing.AllocsPerRun(20, func() {
		step += time.Second
		m.usageAt(time.Now().Add(step))
	})
	if allocs != 0 {
		t.Errorf("allocs per measurement = %v, want 0", allocs)
	}
}

func TestParsers(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"123", 123, true}, {"-1", -1, true}, {"", 0, false},
		{"-", 0, false}, {"12a", 0, false}, {"max", 0, false}, {"1234567890123456789", 0, false},
	} {
		got, ok := parseInt([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseInt(%q) = %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{`/a\040b`, "/a b"}, {`/plain`, "/plain"}, {`/end\04`, `/end\04`}, {`\134`, `\`}, {`\9x`, `\9x`},
	} {
		if got := unescape(tt.in); got != tt.want {
			t.Errorf("unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, ok := lookup([]byte("a 1\nusage_usec_x 2\nusage_usec\t3\n"), "usage_usec"); !ok || string(got) != "\t3" {
		t.Errorf("lookup = %q, %v, want %q, true", got, ok, "\t3")
	}
}
