package http

import (
	"net/http"
	"strconv"
	"time"
)

// timeoutHeader carries the time a caller has left, in milliseconds: the
// Connect protocol's header, so Connect clients and ours speak the same.
const timeoutHeader = "Connect-Timeout-Ms"

// maxTimeoutMs is the largest value the header may hold: ten digits, as
// the Connect protocol allows.
const maxTimeoutMs = 9_999_999_999

// parseTimeoutMs parses the first value of a Connect-Timeout-Ms header. It
// reports false for a value that is not 1 to 10 ASCII digits, which the
// server then ignores.
func parseTimeoutMs(vs []string) (time.Duration, bool) {
	if len(vs) == 0 {
		return 0, false
	}
	v := vs[0]
	if len(v) == 0 || len(v) > 10 {
		return 0, false
	}
	var ms int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		ms = ms*10 + int64(c-'0')
	}
	return time.Duration(ms) * time.Millisecond, true
}

// setTimeoutHeader sets the Connect-Timeout-Ms header of req to the time
// left before its context's deadline or the client's timeout (zero for
// none), whichever comes first, rounded up to a whole millisecond. Without
// either the header is left as it is. The value is written at send time,
// so every attempt of a retried call carries what is left then.
func setTimeoutHeader(req *http.Request, timeout time.Duration) {
	left, ok := time.Duration(0), false
	if deadline, has := req.Context().Deadline(); has {
		left, ok = time.Until(deadline), true
	}
	if timeout > 0 && (!ok || timeout < left) {
		left, ok = timeout, true
	}
	if !ok {
		return
	}
	ms := int64((left + time.Millisecond - 1) / time.Millisecond)
	ms = min(max(ms, 1), maxTimeoutMs)
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	req.Header[timeoutHeader] = []string{strconv.FormatInt(ms, 10)}
}
