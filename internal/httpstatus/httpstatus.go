// Package httpstatus maps HTTP status codes to gRPC status codes and back.
//
// The tables follow the grpc-gateway convention, so an error keeps its
// meaning when it crosses from one protocol to the other. They live here,
// below every transport, so that package errors can use them; package
// transport/http/status re-exports them for users.
package httpstatus

import (
	"net/http"
	"sync/atomic"

	"google.golang.org/grpc/codes"
)

// ClientClosed is the non-standard HTTP status code 499 (nginx's "client
// closed request"), used for a request the caller canceled. It corresponds
// to codes.Canceled.
const ClientClosed = 499

// preconditionFailed is set by SetPreconditionFailed; false (Kratos v2's
// tables) until then.
var preconditionFailed atomic.Bool

// SetPreconditionFailed chooses, for the whole process, how HTTP 412
// (Precondition Failed) and codes.FailedPrecondition convert. With true they
// map to each other, as in Kratos v3. With false, the default and Kratos
// v2's tables, 412 has no gRPC counterpart (codes.Unknown) and
// codes.FailedPrecondition is 400. Every other code converts the same
// either way. It is safe to call concurrently with conversions, but meant
// for program start-up: errors already converted keep their codes.
func SetPreconditionFailed(on bool) { preconditionFailed.Store(on) }

// PreconditionFailed reports what SetPreconditionFailed chose.
func PreconditionFailed() bool { return preconditionFailed.Load() }

// FromGRPCCode returns the HTTP status code for a gRPC code.
// codes.OK is 200; a code it does not know, including values outside the
// range grpc defines, is 500 (Internal Server Error). codes.FailedPrecondition
// is 400, or 412 after SetPreconditionFailed(true).
func FromGRPCCode(code codes.Code) int {
	switch code {
	case codes.OK:
		return http.StatusOK
	case codes.Canceled:
		return ClientClosed
	case codes.Unknown:
		return http.StatusInternalServerError
	case codes.InvalidArgument:
		return http.StatusBadRequest
	case codes.DeadlineExceeded:
		return http.StatusGatewayTimeout
	case codes.NotFound:
		return http.StatusNotFound
	case codes.AlreadyExists:
		return http.StatusConflict
	case codes.PermissionDenied:
		return http.StatusForbidden
	case codes.Unauthenticated:
		return http.StatusUnauthorized
	case codes.ResourceExhausted:
		return http.StatusTooManyRequests
	case codes.FailedPrecondition:
		if preconditionFailed.Load() {
			return http.StatusPreconditionFailed
		}
		return http.StatusBadRequest
	case codes.Aborted:
		return http.StatusConflict
	case codes.OutOfRange:
		return http.StatusBadRequest
	case codes.Unimplemented:
		return http.StatusNotImplemented
	case codes.Internal:
		return http.StatusInternalServerError
	case codes.Unavailable:
		return http.StatusServiceUnavailable
	case codes.DataLoss:
		return http.StatusInternalServerError
	}
	return http.StatusInternalServerError
}

// ToGRPCCode returns the gRPC code for an HTTP status code.
// 200 is codes.OK; a status code without a counterpart, including any
// other 2xx and values that are not HTTP status codes at all, is
// codes.Unknown. 412 has a counterpart, codes.FailedPrecondition, only
// after SetPreconditionFailed(true).
//
// The mapping is not a bijection: 409 goes to codes.Aborted although both
// codes.Aborted and codes.AlreadyExists come back as 409, and 400 goes to
// codes.InvalidArgument although three codes come back as 400.
func ToGRPCCode(code int) codes.Code {
	switch code {
	case http.StatusOK:
		return codes.OK
	case http.StatusBadRequest:
		return codes.InvalidArgument
	case http.StatusUnauthorized:
		return codes.Unauthenticated
	case http.StatusForbidden:
		return codes.PermissionDenied
	case http.StatusNotFound:
		return codes.NotFound
	case http.StatusConflict:
		return codes.Aborted
	case http.StatusTooManyRequests:
		return codes.ResourceExhausted
	case http.StatusPreconditionFailed:
		if preconditionFailed.Load() {
			return codes.FailedPrecondition
		}
	case ClientClosed:
		return codes.Canceled
	case http.StatusInternalServerError:
		return codes.Internal
	case http.StatusNotImplemented:
		return codes.Unimplemented
	case http.StatusServiceUnavailable:
		return codes.Unavailable
	case http.StatusGatewayTimeout:
		return codes.DeadlineExceeded
	}
	return codes.Unknown
}
