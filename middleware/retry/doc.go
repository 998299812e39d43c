// Package retry is a client middleware that retries failed calls, or
// hedges slow ones, over HTTP and gRPC alike, without turning a failing
// dependency's trouble into a storm.
//
//	conn, err := grpc.DialInsecure(ctx,
//		grpc.WithEndpoint("discovery:///greeter"),
//		grpc.WithDiscovery(r),
//		grpc.WithMiddleware(retry.Client()),
//	)
//
// # What is retried
//
// A call makes at most 3 attempts (WithMaxAttempts), waiting between them
// an exponential back-off with full jitter: a random time up to 50 ms
// before the first retry, up to 100 ms before the second, doubling up to 1
// s (WithBackoff, WithJitter). An attempt is retried only when the request
// is known not to have been sent, or when the call is idempotent and the
// attempt failed in a way a second try may fix:
//
//   - a request that was not sent — the HTTP client could not connect or
//     resolve the node's name, or no node was available — is retried
//     whatever the operation;
//   - a 503 (gRPC Unavailable, which is also what a gRPC connection failure
//     gives), an HTTP connection that broke while the call was under way
//     (reset, closed before the answer: the server may have died), an
//     attempt that ran out of its per-try timeout (WithPerTryTimeout, off
//     by default) or of the HTTP client's WithTimeout, is retried for
//     idempotent operations only;
//   - nothing else: not a 429 (the server asked for less traffic), not the
//     caller's own deadline or cancellation, not any other error.
//
// An operation is idempotent when it is declared so with WithIdempotent or
// WithIdempotentFunc, when it is an HTTP GET, HEAD or OPTIONS request, or
// when it is a proto method, "/pkg.Service/Method", whose
// idempotency_level option is IDEMPOTENT or NO_SIDE_EFFECTS:
//
//	rpc GetUser(GetUserRequest) returns (User) {
//	  option idempotency_level = NO_SIDE_EFFECTS;
//	}
//
// The middleware finds the option in protoregistry.GlobalFiles, where the
// generated .pb.go files register themselves, and remembers the answer per
// operation.
//
// The caller's deadline is always kept: every attempt runs within it, a
// per-try timeout never extends it, no back-off sleeps past it, and no
// retry starts with less than 5 ms left. The gRPC client's WithTimeout
// applies to the whole call, so it is part of that deadline; the HTTP
// client's WithTimeout (net/http's Client.Timeout) applies to each attempt,
// so bound a whole HTTP call with a deadline on its context. gRPC streams
// are not retried.
//
// # Another node
//
// The middleware learns the node of an attempt from the selector.Peer in
// its context, where the selector records the node it picked: the first
// attempt of a retried call uses the Peer the client put into the context,
// every later attempt, and every attempt of a hedged call, one of its own;
// at the end the client's Peer shows the node of the attempt that gave the
// answer. Every attempt after the first carries a node filter
// (selector.NewNodeFilterContext) that leaves out the nodes that earlier
// attempts failed on, unless no other node is left.
//
// # Budget
//
// A Budget bounds the extra attempts: every call deposits 0.1 of a token,
// every retry or hedge withdraws one, and 10 retries a second are allowed
// besides, so that under 100% failures a client makes at most about 1.1
// times as many attempts as calls, plus a small constant, instead of 3
// times. Each Client has its own budget unless given one with WithBudget;
// NewBudget sets the ratio and the floor.
//
// # Chain stop
//
// Every attempt after the first carries the header AttemptHeader
// ("X-Kratos-Retry-Attempt", gRPC metadata "x-kratos-retry-attempt"),
// whose value is the number of attempts before it. A server sees it with
// AttemptFromServerContext, and the retry middleware of a client called
// while serving such a request makes a single attempt: only the hop that
// failed is retried, not every hop below it, so attempts do not multiply
// down a chain of services. The marker travels one hop: the middleware
// does not forward it, so the calls made while serving a retried request
// do not carry it.
//
// # Hedging
//
// With Hedge(delay, n), an idempotent call is sent again after delay when
// no answer came, to another node where there is one, up to n attempts in
// all; an attempt that fails with an error that may be retried starts the
// next one at once. The first success, or the first error that may not be
// retried, is the answer; the other attempts' contexts are cancelled, and
// the middleware returns once they have returned. Hedges draw from the
// budget like retries. Hedging trades load for tail latency: choose delay
// around the 95th percentile of the call's latency.
//
// A hedged attempt avoids the nodes of the attempts that have failed, but
// may meet one still in flight: which node an attempt in flight uses
// becomes known only when it returns. The balancer usually spreads them
// anyway (round robin moves on, p2c avoids the node with a call in
// flight).
//
// Hedging needs a client that can run attempts at the same time; both of
// this module's clients can: each attempt after the first gets its own
// reply to decode into (and, over HTTP, its own copy of the request), and
// the winner's reply is copied into the caller's.
//
// # Cost
//
// A call whose first attempt succeeds costs a few context lookups and an
// atomic load, and allocates nothing, unless WithPerTryTimeout gives it a
// context of its own: whether the call is idempotent, and whether it is
// itself a repeat, is found out only once an attempt failed. With Hedge,
// an HTTP or gRPC call is checked for idempotency before it starts, and a
// hedged call allocates the state of its attempts.
//
// # Order in the chain
//
// Middleware listed before Client runs once per call (logging, metrics,
// tracing, metadata), middleware after it once per attempt
// (circuitbreaker). Hedged attempts run at the same time: middleware after
// Client must not change the request header, which the attempts share,
// but may read it.
package retry
