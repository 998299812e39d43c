// Package status converts between HTTP status codes and gRPC codes, so an
// error keeps its meaning when it crosses from one protocol to the other.
//
// The package-level functions go through DefaultConverter; the tables behind
// the default converter are the ones package errors uses.
package status

import (
	"google.golang.org/grpc/codes"

	"github.com/seed6ad8aa6b/kratos/internal/httpstatus"
)

// ClientClosed is the non-standard HTTP status 499 ("client closed
// request"), the counterpart of codes.Canceled.
const ClientClosed = httpstatus.ClientClosed

// Converter converts between HTTP status codes and gRPC codes.
type Converter interface {
	// ToGRPCCode returns the gRPC code for an HTTP status code.
	ToGRPCCode(code int) codes.Code
	// FromGRPCCode returns the HTTP status code for a gRPC code.
	FromGRPCCode(code codes.Code) int
}

// DefaultConverter is used by ToGRPCCode and FromGRPCCode. Replace it, if at
// all, before any request is served; it is read without synchronisation.
// Replacing it does not change how package errors converts codes.
var DefaultConverter Converter = tableConverter{}

type tableConverter struct{}

func (tableConverter) ToGRPCCode(code int) codes.Code   { return httpstatus.ToGRPCCode(code) }
func (tableConverter) FromGRPCCode(code codes.Code) int { return httpstatus.FromGRPCCode(code) }

// ToGRPCCode returns DefaultConverter.ToGRPCCode(code): 200 is codes.OK, a
// status without a counterpart is codes.Unknown.
func ToGRPCCode(code int) codes.Code { return DefaultConverter.ToGRPCCode(code) }

// FromGRPCCode returns DefaultConverter.FromGRPCCode(code): codes.OK is 200,
// an unknown code is 500.
func FromGRPCCode(code codes.Code) int { return DefaultConverter.FromGRPCCode(code) }

// SetPreconditionFailed chooses, for the whole process, how HTTP 412
// (Precondition Failed) and codes.FailedPrecondition convert: with true
// they map to each other, as in Kratos v3; with false, the default, they
// convert as in Kratos v2 (412 is codes.Unknown, codes.FailedPrecondition
// is 400). Package errors and the default converter follow it. Call it at
// start-up, before any request: errors already converted keep their
// codes.
//
// This function is not part of Kratos (v3 changed the tables instead).
func SetPreconditionFailed(on bool) { httpstatus.SetPreconditionFailed(on) }
