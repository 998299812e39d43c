package status_test

import (
	"fmt"

	"google.golang.org/grpc/codes"

	"github.com/seed6ad8aa6b/kratos/transport/http/status"
)

func ExampleFromGRPCCode() {
	fmt.Println(status.FromGRPCCode(codes.NotFound), status.ToGRPCCode(503))
	// Output: 404 Unavailable
}
