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
