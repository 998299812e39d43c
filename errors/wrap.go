package errors

import "errors"

// Is reports whether any error in err's tree matches target. It is the
// standard library's [errors.Is]; an *Error matches another by code and
// reason (see [Error.Is]).
func Is(err, target error) bool { return errors.Is(err, target) }

// As finds the first error in err's tree that matches target, and if so,
// sets target to that error value and returns true. It is the standard
// library's [errors.As] and panics like it when target is not a non-nil
// pointer to a type that implements error or to an interface type.
func As(err error, target any) bool { return errors.As(err, target) }

// Unwrap returns the result of calling the Unwrap method on err, if err has
// one returning a single error; otherwise nil. It is the standard library's
// [errors.Unwrap].
func Unwrap(err error) error { return errors.Unwrap(err) }

// ErrUnsupported is the standard library's [errors.ErrUnsupported], the very
// same value, so errors.Is(err, ErrUnsupported) and the standard library's
// test agree. It is an operation that cannot be performed because it is not
// supported; [FromError] gives it code 500 like any error without a code.
//
// Added in Kratos v3; the same name here, on the v2 API.
var ErrUnsupported = errors.ErrUnsupported

// Join returns an error that wraps the given errors, nil ones discarded; it
// is nil when all of them are. It is the standard library's [errors.Join],
// so the result's message is the messages of the wrapped errors joined by
// newlines, and [Is] and [As] look at each of them in order.
//
// [FromError], and with it [Code] and [Reason], take the first *Error found
// in that order (depth first, the first argument before the second): the
// code of Join(io.EOF, NotFound("USER", "")) is 404. A joined error with no
// *Error and no gRPC status inside has code 500 and reason "", and its
// message is the joined message. This is what Kratos v3 does.
//
// Added in Kratos v3; the same name and signature here, on the v2 API.
func Join(errs ...error) error { return errors.Join(errs...) }
