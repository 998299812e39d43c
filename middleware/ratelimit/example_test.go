package ratelimit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seed6ad8aa6b/kratos/middleware/ratelimit"
)

func ExampleServer() {
	// A limiter that sees a saturated CPU; a real one measures it.
	limiter := ratelimit.NewBBR(&ratelimit.BBROptions{
		CPU: func() int64 { return 1000 },
	})
	handler := ratelimit.Server(ratelimit.WithLimiter(limiter))(
		func(ctx context.Context, req any) (any, error) { return "done", nil })

	// Until the limiter has seen calls complete it has no estimate of the
	// service's capacity, and it admits everything.
	reply, err := handler(context.Background(), nil)
	fmt.Println(reply, err)
	// Output: done <nil>
}

func ExampleNewBBR() {
	start := time.Unix(0, 0)
	now := start
	limiter := ratelimit.NewBBR(&ratelimit.BBROptions{
		CPU: func() int64 { return 950 }, // 95% busy
		Now: func() time.Time { return now },
	})
	// Learn: two calls at a time, each taking 10ms, for two seconds.
	for now.Sub(start) < 2*time.Second {
		d1, _ := limiter.Allow()
		d2, _ := limiter.Allow()
		now = now.Add(10 * time.Millisecond)
		d1(ratelimit.DoneInfo{})
		d2(ratelimit.DoneInfo{})
	}
	fmt.Println("estimate:", limiter.Stat().MaxInFlight)

	// With the CPU over 80%, calls beyond the estimate are shed.
	admitted := 0
	for i := 0; i < 10; i++ {
		if _, err := limiter.Allow(); err == nil {
			admitted++
		}
	}
	fmt.Println("admitted:", admitted)
	// Output:
	// estimate: 2
	// admitted: 3
}
