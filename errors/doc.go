// Package errors is the error model of kratos: one error type that carries an
// HTTP-style status code, a stable reason, a message and metadata, and that
// survives both HTTP and gRPC hops.
//
// An [Error] is built with [New], [Newf], [Errorf] or one of the helpers
// named after an HTTP status ([BadRequest], [NotFound], ...). Its Code is an
// HTTP status code; its Reason is a short machine-readable string that tells
// errors with the same code apart ("USER_NOT_FOUND"); its Message is meant
// for humans; Metadata carries extra key-value pairs.
//
// On the wire an Error is a [Status] message. Over HTTP the transport writes
// it as the JSON body {"code","reason","message","metadata"}. Over gRPC,
// [Error.GRPCStatus] turns it into a gRPC status whose code is mapped from
// the HTTP code and whose single detail is a google.rpc.ErrorInfo holding
// the reason and metadata. [FromError] reverses both, so
//
//	e := errors.FromError(err)
//
// gives back code, reason, message and metadata on the other side, whether
// err is an *Error, wraps one, or is a gRPC status error.
//
// [Code] and [Reason] read those two fields from any error, and the IsXxx
// helpers test the code. [Error.Is] compares code and reason, so
//
//	errors.Is(err, errors.NotFound("USER_NOT_FOUND", ""))
//
// is true for every not-found error with that reason, whatever its message.
//
// The package also re-exports [Is], [As], [Unwrap], and (as Kratos v3 does)
// [Join] and [ErrUnsupported] from the standard library, so it can replace
// the standard errors import.
//
// errors.proto also defines the enum options (errors.default_code) and
// (errors.code) read by protoc-gen-go-errors; import it as
// "errors/errors.proto".
package errors

//go:generate protoc -I.. --go_out=.. --go_opt=paths=source_relative ../errors/errors.proto
