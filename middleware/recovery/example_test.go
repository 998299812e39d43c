package recovery_test

import (
	"context"
	"fmt"
	"time"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware/recovery"
)

// counter is a log.Logger that counts records.
type counter int

func (c *counter) Log(log.Level, ...any) error {
	*c++
	return nil
}

func ExampleWithLogInterval() {
	var records counter
	h := recovery.Recovery(
		recovery.WithLogger(&records),
		recovery.WithLogInterval(10*time.Minute), // one record per panic site per 10 minutes
	)(func(context.Context, any) (any, error) { panic("boom") })
	var failed int
	for range 1000 {
		if _, err := h(context.Background(), nil); errors.Code(err) == 500 {
			failed++
		}
	}
	fmt.Println(failed, "calls failed with 500;", int(records), "record logged")
	// Output: 1000 calls failed with 500; 1 record logged
}
