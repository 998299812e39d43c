package retry_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware/retry"
	"github.com/seed6ad8aa6b/kratos/transport"
)

// call is a client Transporter, as the HTTP and gRPC clients put into the
// context of their middleware.
type call struct{ operation string }

func (c call) Kind() transport.Kind            { return transport.KindGRPC }
func (c call) Endpoint() string                { return "discovery:///greeter" }
func (c call) Operation() string               { return c.operation }
func (c call) RequestHeader() transport.Header { return nil }
func (c call) ReplyHeader() transport.Header   { return nil }

func ExampleClient() {
	attempts := 0
	send := func(ctx context.Context, req any) (any, error) {
		attempts++
		if attempts < 3 {
			return nil, errors.ServiceUnavailable("BUSY", "overloaded")
		}
		return "hello " + req.(string), nil
	}
	h := retry.Client(
		retry.WithIdempotent("/helloworld.Greeter/SayHello"),
		retry.WithBackoff(time.Millisecond, 10*time.Millisecond),
	)(send)

	ctx := transport.NewClientContext(context.Background(), call{"/helloworld.Greeter/SayHello"})
	reply, err := h(ctx, "kratos")
	fmt.Println(reply, err, attempts)
	// Output: hello kratos <nil> 3
}

func ExampleNewBudget() {
	// One budget for the HTTP and the gRPC client of a service: together
	// they retry at most 20% of their calls, plus 5 retries a second.
	budget := retry.NewBudget(0.2, 5)
	httpRetry := retry.Client(retry.WithBudget(budget))
	grpcRetry := retry.Client(retry.WithBudget(budget), retry.WithPerTryTimeout(300*time.Millisecond))
	_, _ = httpRetry, grpcRetry
}

func ExampleHedge() {
	// Send an idempotent call again to another node when it has not
	// answered within 50 ms, three attempts at most.
	hedge := retry.Client(retry.Hedge(50*time.Millisecond, 3))
	_ = hedge
}
