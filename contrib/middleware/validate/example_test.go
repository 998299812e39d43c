package validate_test

import (
	"context"
	"fmt"

	"github.com/seed6ad8aa6b/kratos/contrib/middleware/validate"
	"github.com/seed6ad8aa6b/kratos/contrib/middleware/validate/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/errors"
)

// A handler behind the middleware sees only requests that keep the
// buf.validate rules of their message. On a server, add it with
// http.Middleware or grpc.Middleware.
func ExampleServer() {
	handler := validate.Server()(func(_ context.Context, req any) (any, error) {
		return "created " + req.(*testpb.CreateUserRequest).GetName(), nil
	})

	reply, err := handler(context.Background(), &testpb.CreateUserRequest{Name: "ada", Age: 36, Email: "ada@example.com"})
	fmt.Println(reply, err)

	_, err = handler(context.Background(), &testpb.CreateUserRequest{Name: "ada", Age: -1, Email: "ada.example.com"})
	e := errors.FromError(err)
	fmt.Println(e.Code, e.Reason)
	fmt.Println(e.Message)
	fmt.Println(e.Metadata["email"])
	// Output:
	// created ada <nil>
	// 400 VALIDATOR
	// age: must be greater than or equal to 0 and less than or equal to 150; email: must be a valid email address
	// must be a valid email address
}
