// Package recovery turns a panic in a handler into an error, so one bad
// request cannot crash the process. The transports wrap streaming handlers
// with the same middleware chain, so streams are covered too.
//
// Unlike Kratos, recovery does not log every panic: a client that can make
// a handler panic could otherwise fill the disk with stack traces. Panics
// are grouped by site, the function and line that panicked; the first panic
// at a site is logged with its stack, and then at most one per site per
// interval (WithLogInterval, default one minute). The ones not logged are
// counted, and the count is reported as "suppressed" in the next record
// for that site. Every panic still becomes an error for its caller; with
// the logging middleware installed, each such call also gets its own
// one-line record there, so no request goes unrecorded.
package recovery

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/logging"
)

// ErrUnknownRequest is returned for a recovered panic when no HandlerFunc
// is set: HTTP 500, reason "UNKNOWN".
var ErrUnknownRequest = errors.InternalServer("UNKNOWN", "unknown request error")

// Latency is the context key under which the HandlerFunc finds the seconds
// (float64) elapsed between the start of the request and the panic.
type Latency struct{}

// HandlerFunc turns a recovered panic value into the error returned to the
// caller.
type HandlerFunc func(ctx context.Context, req, err any) error

// Option configures Recovery.
type Option func(*options)

type options struct {
	handler     HandlerFunc
	logger      log.Logger
	maxStack    int
	logInterval time.Duration
	now         func() time.Time // tests replace it; nil: the clock
}

// WithHandler sets the function that turns a panic into an error. Default:
// return ErrUnknownRequest.
func WithHandler(h HandlerFunc) Option {
	return func(o *options) { o.handler = h }
}

// WithLogger sets the logger the panic and its stack are written to, at
// error level. Default: the global logger.
func WithLogger(l log.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithMaxStack bounds the stack trace logged for a panic, in bytes.
// Default: 64 KiB.
func WithMaxStack(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxStack = n
		}
	}
}

// WithLogInterval sets how often a panic at one site is logged: the first
// one at once, then at most one per d, each carrying the number of panics
// at that site that were not logged since the previous record. Default:
// one minute. d <= 0 logs every panic, as Kratos does.
func WithLogInterval(d time.Duration) Option {
	return func(o *options) { o.logInterval = d }
}

// maxValue bounds the rendering of the request and the panic value in a
// record (see logging.FormatArgs).
const maxValue = logging.DefaultMaxFieldSize

// Recovery returns a middleware that recovers panics in the handlers it
// wraps, logs them (rate-limited per site, see the package comment) with a
// bounded stack trace, and returns the error made by the HandlerFunc
// instead. The middleware is safe for concurrent use; the state of the rate
// limit belongs to the returned middleware.
func Recovery(opts ...Option) middleware.Middleware {
	o := options{
		handler:     func(context.Context, any, any) error { return ErrUnknownRequest },
		maxStack:    64 << 10,
		logInterval: time.Minute,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.now == nil {
		// Every call reads the clock, for the Latency of a panic: from
		// the monotonic clock alone, one read where time.Now makes two.
		// Times only ever get subtracted from each other.
		base := time.Now()
		o.now = func() time.Time { return base.Add(time.Since(base)) }
	}
	limit := &siteLimiter{interval: o.logInterval}
	return func(handler middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (reply any, err error) {
			start := o.now()
			defer func() {
				if rerr := recover(); rerr != nil {
					o.log(ctx, limit, req, rerr)
					ctx = context.WithValue(ctx, Latency{}, o.now().Sub(start).Seconds())
					reply, err = nil, o.handler(ctx, req, rerr)
				}
			}()
			return handler(ctx, req)
		}
	}
}

// log writes the record for a recovered panic unless the site's rate limit
// says otherwise. It must be called from the deferred function that
// recovered, so that the panicking frames are still on the stack.
func (o *options) log(ctx context.Context, limit *siteLimiter, req, rerr any) {
	site := panicSite()
	suppressed, ok := limit.allow(site, o.now())
	if !ok {
		return
	}
	buf := make([]byte, o.maxStack)
	buf = buf[:runtime.Stack(buf, false)]
	logger := o.logger
	if logger == nil {
		logger = log.GetLogger()
	}
	_ = log.WithContext(ctx, logger).Log(log.LevelError,
		"msg", "panic recovered",
		"panic", logging.FormatArgs(rerr, maxValue),
		"site", site.String(),
		"suppressed", suppressed,
		"req", logging.FormatArgs(req, maxValue),
		"stack", string(buf),
	)
}

// site is where a panic happened: the first frame below the runtime's
// panic machinery that is not itself in the runtime. Sites are compared by
// function, file and line, not by the whole stack, so that the number of
// sites is bounded by the program's code, whatever the request does (a
// recursive handler panicking at a depth the client chooses is one site).
type site struct {
	function, file string
	line           int
}

func (s site) String() string {
	return s.function + " " + s.file + ":" + strconv.Itoa(s.line)
}

// panicSite finds the site of the panic being recovered. It is called by
// log, called by the deferred function, called by the runtime's panic.
func panicSite() site {
	var pcs [32]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs[:])])
	var first site
	inPanic := false
	for {
		f, more := frames.Next()
		s := site{function: f.Function, file: f.File, line: f.Line}
		if first.function == "" {
			first = s
		}
		switch {
		case f.Function == "runtime.gopanic":
			inPanic = true
		case inPanic && !inRuntime(f.Function):
			return s
		}
		if !more {
			return first
		}
	}
}

// inRuntime reports whether function belongs to the runtime, which raises
// the panics for nil dereferences, bad indexes, nil map writes and such.
func inRuntime(function string) bool {
	return strings.HasPrefix(function, "runtime.") || strings.HasPrefix(function, "internal/runtime/")
}

// maxSites bounds the sites a siteLimiter remembers. Sites are lines of
// code, so the bound is only reached by a very large program; the limiter
// then forgets the sites whose interval is over.
const maxSites = 1024

// siteLimiter lets through the first panic at a site and then at most one
// per interval, counting the others.
type siteLimiter struct {
	interval time.Duration
	mu       sync.Mutex
	sites    map[site]*siteState
}

type siteState struct {
	logged     time.Time // when the last record for the site was let through
	suppressed int       // panics since then that were not
}

// allow reports whether a panic at s seen at now is logged and, if it is,
// how many panics at s were suppressed since the previous record.
func (l *siteLimiter) allow(s site, now time.Time) (suppressed int, ok bool) {
	if l.interval <= 0 {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.sites[s]
	if st == nil {
		if l.sites == nil {
			l.sites = make(map[site]*siteState)
		}
		if len(l.sites) >= maxSites {
			l.forget(now)
		}
		l.sites[s] = &siteState{logged: now}
		return 0, true
	}
	if now.Sub(st.logged) < l.interval {
		st.suppressed++
		return 0, false
	}
	suppressed = st.suppressed
	st.logged, st.suppressed = now, 0
	return suppressed, true
}

// forget drops the sites whose interval is over, or all of them when none
// is: a forgotten site's next panic is logged at once, so forgetting costs
// at most one extra record per site and loses no more than its count.
func (l *siteLimiter) forget(now time.Time) {
	for s, st := range l.sites {
		if now.Sub(st.logged) >= l.interval {
			delete(l.sites, s)
		}
	}
	if len(l.sites) >= maxSites {
		clear(l.sites)
	}
}
