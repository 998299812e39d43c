// Package ratelimit sheds load on servers before they collapse.
//
// Server asks a Limiter for permission before each call. A refused call
// fails at once with ErrLimitExceed (HTTP 429, reason "RATELIMIT"; gRPC
// ResourceExhausted) and never reaches the handler; an admitted call tells
// the Limiter when it is done through the DoneFunc that Allow returned.
//
// The default Limiter is a BBR, an adaptive limiter that needs no
// hand-tuned rate: it sheds only while the CPU is busy (over 80% by
// default) and more calls are in flight than the service has shown it can
// complete, estimated from the best throughput and the best latency seen
// over the last ten seconds. The CPU figure respects the process's cgroup
// quota on Linux; BBROptions.CPU and BBROptions.Now replace the CPU source
// and the clock, for tests or other platforms.
//
//	srv := http.NewServer(http.Middleware(
//		recovery.Recovery(),
//		ratelimit.Server(),
//	))
//
// One BBR guards one server: give each Server call its own, or share one
// with WithLimiter to make several servers draw on the same estimate.
package ratelimit
