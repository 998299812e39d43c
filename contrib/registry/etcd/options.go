package etcd

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/seed6ad8aa6b/kratos/log"
)

// Option configures a Registry.
type Option func(o *options)

type options struct {
	ctx       context.Context
	namespace string
	ttl       time.Duration
	maxRetry  int
	backoff   Backoff
	logger    log.Logger
	resync    time.Duration // how often an idle watcher checks that etcd was not reset
}

func defaultOptions() options {
	return options{
		ctx:       context.Background(),
		namespace: "/microservices",
		ttl:       15 * time.Second,
		maxRetry:  5,
		backoff:   ExponentialBackoff(250*time.Millisecond, 8*time.Second),
		resync:    30 * time.Second,
	}
}

// Context sets the context that bounds the keep-alive of every instance the
// Registry registers: once it is done, no lease is renewed or re-created and
// the instances expire after their TTL. The default is
// context.Background().
func Context(ctx context.Context) Option {
	return func(o *options) { o.ctx = ctx }
}

// Namespace sets the key prefix under which instances are stored, as
// "<namespace>/<name>/<id>". The default is "/microservices".
func Namespace(ns string) Option {
	return func(o *options) { o.namespace = ns }
}

// RegisterTTL sets the time to live of the lease of each instance: how long
// an instance stays visible after its process stops renewing it. etcd
// counts whole seconds, so the TTL is rounded up to one, and etcd may raise
// a very short one to its own minimum. The default is 15 seconds.
func RegisterTTL(ttl time.Duration) Option {
	return func(o *options) { o.ttl = ttl }
}

// MaxRetry sets how many times one Register call tries again after a failed
// attempt before it returns the error; zero or less means it keeps trying
// until its context is done. The default is 5.
//
// It does not bound re-registration: an instance whose lease was lost is
// written again, with backoff, for as long as it takes (Kratos uses this
// number there too, and then stops keeping the instance).
func MaxRetry(num int) Option {
	return func(o *options) { o.maxRetry = num }
}

// Backoff returns how long to wait before retry number attempt, counted
// from 0. It is called from several goroutines at once.
type Backoff func(attempt int) time.Duration

// WithBackoff sets the waits between the attempts of Register, of
// re-registration and of a Watcher listing a service again. A nil b keeps
// the default, ExponentialBackoff(250*time.Millisecond, 8*time.Second).
func WithBackoff(b Backoff) Option {
	return func(o *options) {
		if b != nil {
			o.backoff = b
		}
	}
}

// WithLogger sets the logger for the Registry's own messages: failed
// attempts that it retries and lost leases. The default is the global
// logger, log.GetLogger().
func WithLogger(logger log.Logger) Option {
	return func(o *options) { o.logger = logger }
}

// ExponentialBackoff returns a Backoff that waits base·2^attempt, capped at
// limit, each wait drawn at random from the upper half of that span so that
// processes retrying together drift apart. A base of zero or less is taken
// as one millisecond, and a limit below base as base.
func ExponentialBackoff(base, limit time.Duration) Backoff {
	return exponentialBackoff(base, limit, rand.Float64)
}

// exponentialBackoff is ExponentialBackoff with random, which returns a
// number in [0, 1), injected.
func exponentialBackoff(base, limit time.Duration, random func() float64) Backoff {
	if base <= 0 {
		base = time.Millisecond
	}
	if limit < base {
		limit = base
	}
	return func(attempt int) time.Duration {
		d := base
		for i := 0; i < attempt && d < limit; i++ {
			d *= 2
		}
		d = min(d, limit)
		half := d / 2
		return half + time.Duration(random()*float64(d-half))
	}
}

// sleep waits for d or until ctx is done, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
