package errors_test

import (
	"fmt"
	"io"

	"google.golang.org/grpc/status"

	"github.com/seed6ad8aa6b/kratos/errors"
)

func ExampleNew() {
	err := errors.New(404, "USER_NOT_FOUND", "no user with id 7")
	fmt.Println(err.Code, err.Reason, err.Message)
	fmt.Println(err)
	// Output:
	// 404 USER_NOT_FOUND no user with id 7
	// error: code = 404 reason = USER_NOT_FOUND message = no user with id 7 metadata = map[] cause = <nil>
}

func ExampleFromError() {
	// A server returns a kratos error; grpc-go sends it as a status.
	sent := errors.Forbidden("NOT_OWNER", "not your order").
		WithMetadata(map[string]string{"order": "42"})
	received := status.Convert(sent).Err()

	// The client gets everything back, and can wrap it freely.
	e := errors.FromError(fmt.Errorf("cancel order: %w", received))
	fmt.Println(e.Code, e.Reason, e.Metadata["order"])
	fmt.Println(errors.FromError(io.EOF).Code)
	// Output:
	// 403 NOT_OWNER 42
	// 500
}

func ExampleError_GRPCStatus() {
	s := errors.NotFound("USER_NOT_FOUND", "no user with id 7").GRPCStatus()
	fmt.Println(s.Code(), s.Message())
	for _, d := range s.Details() {
		fmt.Printf("%T\n", d)
	}
	// Output:
	// NotFound no user with id 7
	// *errdetails.ErrorInfo
}

func ExampleIs() {
	errUserNotFound := errors.NotFound("USER_NOT_FOUND", "")

	err := fmt.Errorf("load profile: %w", errors.NotFound("USER_NOT_FOUND", "no user with id 7"))
	fmt.Println(errors.Is(err, errUserNotFound))
	fmt.Println(errors.Is(err, errors.NotFound("ORDER_NOT_FOUND", "")))
	fmt.Println(errors.IsNotFound(err))
	// Output:
	// true
	// false
	// true
}

func ExampleError_WithCause() {
	base := errors.InternalServer("DB", "storage failed")
	err := base.WithCause(io.ErrUnexpectedEOF)
	fmt.Println(errors.Is(err, io.ErrUnexpectedEOF), base.Unwrap() == nil)
	// Output:
	// true true
}

func ExampleCode() {
	fmt.Println(errors.Code(nil))
	fmt.Println(errors.Code(errors.BadRequest("INVALID_NAME", "name is empty")))
	fmt.Println(errors.Code(io.EOF))
	fmt.Printf("%q\n", errors.Reason(io.EOF))
	// Output:
	// 200
	// 400
	// 500
	// ""
}
