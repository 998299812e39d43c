// Package circuitbreaker holds the interface a circuit breaker implements
// for middleware/circuitbreaker, which re-exports it as an alias. It sits
// in internal, as in Kratos v3, so that the interface is one type however
// it is named; it has the method set of github.com/go-kratos/aegis's
// circuitbreaker.CircuitBreaker without depending on that module.
package circuitbreaker

// CircuitBreaker decides whether a call may go out and learns from the
// outcome of the calls that did. Implementations must be safe for
// concurrent use.
type CircuitBreaker interface {
	// Allow returns nil if the call may go out.
	Allow() error
	// MarkSuccess records a call that succeeded.
	MarkSuccess()
	// MarkFailed records a call that failed.
	MarkFailed()
}
