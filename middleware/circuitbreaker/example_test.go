package circuitbreaker_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware/circuitbreaker"
	"github.com/seed6ad8aa6b/kratos/transport"
	"github.com/seed6ad8aa6b/kratos/transport/transporttest"
)

func ExampleClient() {
	now := time.Unix(0, 0)
	breaker := circuitbreaker.WithCircuitBreaker(func() circuitbreaker.CircuitBreaker {
		return circuitbreaker.NewSRE(&circuitbreaker.SREOptions{
			Now:  func() time.Time { return now },
			Rand: func() float64 { return 0.5 }, // refuse whenever p > 0.5
		})
	})
	// A dependency that is down.
	call := circuitbreaker.Client(breaker)(func(context.Context, any) (any, error) {
		return nil, errors.ServiceUnavailable("DOWN", "try later")
	})
	ctx := transport.NewClientContext(context.Background(),
		transporttest.New(transport.KindGRPC, "/inventory.v1.Stock/Get"))

	counts := map[string]int{}
	for i := 0; i < 200; i++ {
		_, err := call(ctx, nil)
		counts[errors.Reason(err)]++
		now = now.Add(time.Millisecond)
	}
	fmt.Println("reached the dependency:", counts["DOWN"])
	fmt.Println("refused locally:", counts["CIRCUITBREAKER"])
	// Output:
	// reached the dependency: 100
	// refused locally: 100
}
