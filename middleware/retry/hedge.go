package retry

import (
	"context"
	"sync"
	"time"

	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/selector"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// outcome is what one hedged attempt returned.
type outcome struct {
	reply  any
	err    error
	perTry bool
	peer   *selector.Peer
}

// hedge runs the attempts of an idempotent call as Hedge describes.
func (o *options) hedge(ctx context.Context, kind transport.Kind, req any, next middleware.Handler) (any, error) {
	outer, _ := selector.FromPeerContext(ctx)
	hctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // runs after cancel: no attempt outlives the call
	defer cancel()

	results := make(chan outcome, o.hedgeMax) // never blocks a sender
	var tried []string
	sent, inflight := 0, 0
	start := func() {
		actx, stop, peer := o.attemptContext(hctx, kind, sent, tried, nil)
		sent++
		inflight++
		wg.Go(func() {
			reply, err := next(actx, req)
			r := outcome{reply: reply, err: err, perTry: perTryTimedOut(actx), peer: peer}
			if stop != nil {
				stop()
			}
			results <- r
		})
	}
	// more starts another attempt when the call may make one, and
	// reports whether it did.
	more := func() bool {
		if sent >= o.hedgeMax || !timeLeft(ctx, 0) || !o.budget.withdraw() {
			return false
		}
		start()
		return true
	}

	start()
	timer := time.NewTimer(o.hedgeDelay)
	defer timer.Stop()
	var last outcome
	for {
		select {
		case <-timer.C:
			if more() {
				timer.Reset(o.hedgeDelay)
			}
		case r := <-results:
			inflight--
			if r.err == nil || ctx.Err() != nil || !retryable(r.err, true, r.perTry) {
				report(outer, r.peer)
				return r.reply, r.err
			}
			last = r
			tried = addTried(tried, r.peer)
			if more() {
				timer.Reset(o.hedgeDelay) // since Go 1.23 no stale tick survives Reset
			} else if inflight == 0 {
				report(outer, last.peer)
				return last.reply, last.err
			}
		}
	}
}
