// Package cpu measures how busy the CPUs available to this process are, in
// permille (0 to 1000) of the capacity it may use.
//
// On Linux a Meter reads the process's cgroup, found through
// /proc/self/cgroup and /proc/self/mountinfo: the CPU time it has used
// (cgroup v1 cpuacct.usage or cgroup v2 cpu.stat) against the time it
// could have used, which is the smallest CPU quota set on the cgroup or its
// ancestors (v1 cpu.cfs_quota_us / cpu.cfs_period_us, v2 cpu.max) or, with
// no quota, the number of CPUs the process may run on. Without a readable
// cgroup it falls back to the whole machine's /proc/stat. Elsewhere it
// finds no counters and always reports 0.
//
// cpu.go holds the Meter and the counter parsing; cgroup.go finds the
// cgroup directories. A Meter keeps its counter files open and re-reads
// them in place into a fixed buffer, so measuring does not allocate.
package cpu
