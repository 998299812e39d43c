package http

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
)

// Bounds of what the server logs about panics that escape the service
// middleware: at most one stack per panicStackEvery, each cut at
// panicStackBytes; other panics in between get one line each.
const (
	panicStackEvery = time.Second
	panicStackBytes = 8 << 10
)

// panicLog rate-limits the stacks the server logs.
type panicLog struct {
	next atomic.Int64 // unix nanoseconds before which stacks are not logged
}

// stack reports whether a stack may be logged now.
func (p *panicLog) stack(now time.Time) bool {
	next := p.next.Load()
	if now.UnixNano() < next {
		return false
	}
	return p.next.CompareAndSwap(next, now.Add(panicStackEvery).UnixNano())
}

// recovered handles the panic p of a route handler: it logs it and answers
// 500 when nothing was written yet; otherwise it aborts the response, since
// the client must not mistake a cut body for a whole one.
func (s *Server) recovered(c *wrapper, p any) {
	if p == http.ErrAbortHandler {
		panic(p)
	}
	r := c.peek()
	msg := fmt.Sprintf("[HTTP] %s %s: panic outside the middleware: %v", r.Method, r.URL.Path, p)
	if s.panics.stack(time.Now()) {
		stack := debug.Stack()
		if len(stack) > panicStackBytes {
			stack = append(stack[:panicStackBytes:panicStackBytes], "\n..."...)
		}
		msg += "\n" + string(stack)
	}
	s.log.Load().Error(msg)
	if c.w.wrote {
		panic(http.ErrAbortHandler)
	}
	c.encodeError(errors.InternalServer("UNKNOWN", "unknown request error"))
}
