package retry

import (
	"context"
	stderrors "errors"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"syscall"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// AttemptHeader is the request header (gRPC metadata key
// "x-kratos-retry-attempt") that marks an attempt after the first of a
// call: its value is the number of attempts sent before it, "1" on the
// first retry or hedge. The first attempt carries no marker.
const AttemptHeader = "X-Kratos-Retry-Attempt"

// attemptKey is AttemptHeader as a gRPC metadata key.
const attemptKey = "x-kratos-retry-attempt"

// DefaultMaxAttempts is the number of attempts, the first included, a call
// makes at most unless WithMaxAttempts says otherwise.
const DefaultMaxAttempts = 3

// minAttemptTime is the least time before the caller's deadline a retry
// must have left, once its back-off is over, to be started.
const minAttemptTime = 5 * time.Millisecond

// errPerTryTimeout is the cause of an attempt's context that ran out of
// its per-try time.
var errPerTryTimeout = stderrors.New("retry: per-try timeout")

// Option configures Client.
type Option func(*options)

type options struct {
	maxAttempts int
	base, cap   time.Duration
	jitter      Jitter
	perTry      time.Duration
	budget      *Budget
	hedgeDelay  time.Duration
	hedgeMax    int // hedging is on when above 1
	idem        idempotency

	rand func(n int64) int64 // a number in [0, n); injected by tests
}

// WithMaxAttempts sets how many attempts a call makes at most, the first
// included. The default is 3; 1 or less means no retries. Hedge sets its
// own maximum instead.
func WithMaxAttempts(n int) Option {
	return func(o *options) { o.maxAttempts = n }
}

// WithBackoff sets the exponential back-off before a retry: base before
// the first retry, doubling for each further one, never more than max,
// randomized as WithJitter says. The defaults are 50 ms and 1 s; zero
// means retrying at once.
func WithBackoff(base, max time.Duration) Option {
	return func(o *options) { o.base, o.cap = base, max }
}

// WithJitter sets how back-offs are randomized. The default is FullJitter.
func WithJitter(j Jitter) Option {
	return func(o *options) { o.jitter = j }
}

// WithPerTryTimeout gives each attempt its own deadline, d after it
// starts, never later than the caller's. An attempt that runs out of it
// may be retried (the caller's own deadline never is). The default is
// zero: attempts are bounded by the caller's deadline only.
func WithPerTryTimeout(d time.Duration) Option {
	return func(o *options) { o.perTry = d }
}

// WithBudget sets the retry budget the middleware draws from. The default
// is a budget of its own, NewBudget(DefaultBudgetRatio,
// DefaultBudgetPerSecond): 10% of calls plus 10 retries a second. nil
// means no budget: every call may make all its attempts.
func WithBudget(b *Budget) Option {
	return func(o *options) { o.budget = b }
}

// WithIdempotent declares operations ("/pkg.Service/Method", or what
// http.Operation set) idempotent, in addition to those found idempotent
// otherwise. It adds to the operations of earlier calls.
func WithIdempotent(operations ...string) Option {
	return func(o *options) {
		if o.idem.declared == nil {
			o.idem.declared = make(map[string]bool, len(operations))
		}
		for _, op := range operations {
			o.idem.declared[op] = true
		}
	}
}

// WithIdempotentFunc adds f, which declares the call in ctx, of
// operation, idempotent by returning true. It is called, with the call's
// context, when the middleware needs to know and the other rules did not
// find the call idempotent: after a failed first attempt, or, with Hedge,
// before the first attempt. It must be safe for concurrent use. Several
// functions may be added.
func WithIdempotentFunc(f func(ctx context.Context, operation string) bool) Option {
	return func(o *options) { o.idem.funcs = append(o.idem.funcs, f) }
}

// Hedge makes the middleware hedge idempotent calls instead of retrying
// them after a back-off: it starts the call, and while no attempt has
// answered, another attempt every delay, to a node not tried yet where
// there is one, maxAttempts attempts in all, the first included. An
// attempt that fails with an error that could be retried starts the next
// one at once. The first successful reply, or the first error that cannot
// be retried, is the call's answer; the other attempts' contexts are then
// cancelled and the middleware waits for them to return. Every attempt
// after the first draws from the budget. Calls that are not idempotent are
// not hedged but retried as without Hedge, and so are gRPC calls for now:
// the gRPC client decodes every attempt into the caller's reply, so its
// attempts must not overlap. maxAttempts of 1 or less turns hedging off.
// By default there is no hedging.
func Hedge(delay time.Duration, maxAttempts int) Option {
	return func(o *options) { o.hedgeDelay, o.hedgeMax = max(delay, 0), maxAttempts }
}

// Client returns a client middleware that retries failed calls, or hedges
// them with Hedge, on both transports. See the package documentation for
// what it retries. List it after the middleware that should run once per
// call, such as logging, metrics and tracing, and before the middleware
// that should run once per attempt, such as circuitbreaker. The middleware
// is safe for concurrent use; its budget is shared by all the calls it
// sees.
func Client(opts ...Option) middleware.Middleware {
	o := &options{
		maxAttempts: DefaultMaxAttempts,
		base:        DefaultBackoffBase,
		cap:         DefaultBackoffMax,
		jitter:      FullJitter,
		budget:      NewBudget(DefaultBudgetRatio, DefaultBudgetPerSecond),
		rand:        rand.Int64N,
	}
	o.idem.files = protoregistry.GlobalFiles
	for _, opt := range opts {
		opt(o)
	}
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			return o.call(ctx, req, next)
		}
	}
}

func (o *options) call(ctx context.Context, req any, next middleware.Handler) (any, error) {
	tr, ok := transport.FromClientContext(ctx)
	if !ok || (tr.Kind() == transport.KindGRPC && req == nil) {
		// Not a client call, or the opening of a gRPC stream: not ours.
		return next(ctx, req)
	}
	o.budget.deposit()
	if o.hedgeMax > 1 && concurrentAttempts(tr.Kind()) {
		if AttemptFromServerContext(ctx) > 0 {
			// The call being served is itself a repeat: its caller
			// retries, so this hop does not (see the package
			// documentation).
			return o.once(ctx, req, next)
		}
		if o.idem.idempotent(ctx, tr) {
			return o.hedge(ctx, tr.Kind(), req, next)
		}
	}
	return o.retry(ctx, tr, req, next)
}

// concurrentAttempts reports whether the client of a transport may run
// several attempts of a call at the same time: both of this module's
// clients give each attempt after the first a reply of its own and copy
// the winner's into the caller's.
func concurrentAttempts(kind transport.Kind) bool {
	return kind == transport.KindHTTP || kind == transport.KindGRPC
}

// once makes a single attempt.
func (o *options) once(ctx context.Context, req any, next middleware.Handler) (any, error) {
	if o.perTry > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, o.perTry, errPerTryTimeout)
		defer cancel()
	}
	return next(ctx, req)
}

// retry makes attempts one after the other until one succeeds or the
// failure may not be retried.
//
// What is needed only to decide on a retry (whether the call being served
// is itself a repeat, whether the call is idempotent) is worked out after
// the first attempt failed, so that a call that succeeds at once pays for
// none of it.
func (o *options) retry(ctx context.Context, tr transport.Transporter, req any, next middleware.Handler) (any, error) {
	kind := tr.Kind()
	// The first attempt uses the Peer the client put into ctx, if any:
	// nothing runs beside it, and the HTTP client then sends the request
	// as it does without this middleware. Later attempts get their own.
	outer, _ := selector.FromPeerContext(ctx)
	var tried []string
	var idem bool
	for n := 0; ; n++ {
		shared := outer
		if n > 0 {
			shared = nil
		}
		actx, cancel, peer := o.attemptContext(ctx, kind, n, tried, shared)
		reply, err := next(actx, req)
		if err == nil {
			if cancel != nil {
				cancel()
			}
			report(outer, peer)
			return reply, nil
		}
		perTry := cancel != nil && perTryTimedOut(actx)
		if cancel != nil {
			cancel()
		}
		if n == 0 {
			if AttemptFromServerContext(ctx) > 0 {
				// The call being served is itself a repeat: its caller
				// retries, so this hop does not (see the package
				// documentation).
				report(outer, peer)
				return reply, err
			}
			idem = o.idem.idempotent(ctx, tr)
		}
		if ctx.Err() != nil || n+1 >= o.maxAttempts || !retryable(err, idem, perTry) {
			report(outer, peer)
			return reply, err
		}
		tried = addTried(tried, peer)
		wait := backoff(n+1, o.base, o.cap, o.jitter, o.rand)
		if !timeLeft(ctx, wait) || !o.budget.withdraw() || !sleep(ctx, wait) {
			report(outer, peer)
			return reply, err
		}
	}
}

// report makes outer, the Peer of the caller if any, show the node of
// attempt, the Peer of the attempt that gave the answer.
func report(outer, attempt *selector.Peer) {
	if outer != nil && attempt != outer {
		outer.Node = attempt.Node
	}
}

// attemptContext returns the context of attempt n (0 for the first): the
// Peer shared, which ctx already carries, or else one of its own; for
// n > 0 the nodes already tried excluded and, on gRPC, the AttemptHeader
// metadata (the HTTP client adds the header itself to every request it
// sends again); and the per-try deadline. cancel is nil when there is
// nothing to release.
func (o *options) attemptContext(ctx context.Context, kind transport.Kind, n int, tried []string, shared *selector.Peer) (actx context.Context, cancel context.CancelFunc, peer *selector.Peer) {
	actx, peer = ctx, shared
	if peer == nil {
		peer = new(selector.Peer)
		actx = selector.NewPeerContext(ctx, peer)
	}
	if n > 0 {
		if len(tried) > 0 {
			actx = excludeNodes(actx, tried)
		}
		if kind == transport.KindGRPC {
			actx = metadata.AppendToOutgoingContext(actx, attemptKey, strconv.Itoa(n))
		}
	}
	if o.perTry > 0 {
		actx, cancel = context.WithTimeoutCause(actx, o.perTry, errPerTryTimeout)
	}
	return actx, cancel, peer
}

// perTryTimedOut reports whether ctx, an attempt's context, ended because
// of its per-try timeout rather than the caller's deadline.
func perTryTimedOut(ctx context.Context) bool {
	return ctx.Err() != nil && context.Cause(ctx) == errPerTryTimeout
}

// addTried adds the address of the node peer received, if any, to tried.
// The result has no spare capacity, so that a later append never writes
// into an array an attempt still reads.
func addTried(tried []string, peer *selector.Peer) []string {
	if peer == nil || peer.Node == nil {
		return tried
	}
	addr := peer.Node.Address()
	for _, a := range tried {
		if a == addr {
			return tried
		}
	}
	tried = append(tried, addr)
	return tried[:len(tried):len(tried)]
}

// retryable reports whether a failed attempt may be repeated: always when
// the request was not sent, and for idempotent calls also after a per-try
// timeout or a 503 (gRPC Unavailable). Never a 429.
func retryable(err error, idempotent, perTry bool) bool {
	if notSent(err) {
		return true
	}
	if !idempotent {
		return false
	}
	if perTry {
		return true
	}
	var ne net.Error
	if stderrors.As(err, &ne) && ne.Timeout() {
		// The HTTP client's own time limit of an attempt (WithTimeout):
		// the caller's deadline was checked before.
		return true
	}
	if brokenConnection(err) {
		return true
	}
	return errors.Code(err) == 503
}

// brokenConnection reports whether err says the connection broke while
// the call was under way (the server died or reset it): the request may
// have been handled, so only an idempotent call may be sent again. gRPC
// reports the same event as Unavailable.
func brokenConnection(err error) bool {
	if stderrors.Is(err, syscall.ECONNRESET) || stderrors.Is(err, syscall.EPIPE) ||
		stderrors.Is(err, io.ErrUnexpectedEOF) || stderrors.Is(err, io.EOF) {
		return true
	}
	var op *net.OpError
	return stderrors.As(err, &op) && (op.Op == "read" || op.Op == "write") && !op.Timeout()
}

// notSent reports whether err says the request never left: a connection
// or name lookup that failed, or no node to send it to.
func notSent(err error) bool {
	var op *net.OpError
	if stderrors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if stderrors.As(err, &dns) {
		return true
	}
	if stderrors.Is(err, selector.ErrNoAvailable) {
		return true
	}
	var e *errors.Error
	return stderrors.As(err, &e) && e.Code == 503 && e.Reason == "NODE_NOT_FOUND"
}

// timeLeft reports whether ctx leaves time for an attempt after waiting
// wait.
func timeLeft(ctx context.Context, wait time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline)-wait >= minAttemptTime
}

// sleep waits d and reports whether ctx is still going.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// AttemptFromServerContext returns the AttemptHeader of the request served
// in ctx: 0 for a first attempt or no server call, n for an attempt that
// n attempts preceded, and 1 for a marker that is not a positive number. The
// middleware does not retry calls made while serving an attempt above 0.
func AttemptFromServerContext(ctx context.Context) int {
	tr, ok := transport.FromServerContext(ctx)
	if !ok {
		return 0
	}
	v := tr.RequestHeader().Get(AttemptHeader)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 1
	}
	return n
}
