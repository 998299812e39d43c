// Package circuitbreaker stops a client from hammering a dependency that is
// failing.
//
// Client keeps one CircuitBreaker per operation ("/pkg.Service/Method" on
// gRPC, the operation set with http.Operation or the path on HTTP) in a
// group, asks it before each call and tells it how the call went. A refused
// call fails locally with ErrNotAllowed (HTTP 503, reason
// "CIRCUITBREAKER").
//
// The default breaker is an SRE: the client-side adaptive throttling of
// Google's SRE book, which refuses a share of calls that grows with the
// share of failures over the last three seconds, keeps probing the
// dependency with the calls it lets through, and lets everything through
// again as successes come back. SREOptions.Now and SREOptions.Rand replace
// the clock and the random source, for tests.
//
//	conn, err := grpc.DialInsecure(ctx,
//		grpc.WithEndpoint("127.0.0.1:9000"),
//		grpc.WithMiddleware(circuitbreaker.Client()),
//	)
package circuitbreaker
