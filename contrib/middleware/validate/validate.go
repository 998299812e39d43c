// Package validate is a middleware that rejects requests breaking the rules
// declared on their protobuf messages with protovalidate
// (buf.build/go/protovalidate, buf.validate annotations), and requests
// whose own Validate() error method fails, as the root module's
// middleware/validate does. One middleware therefore covers messages
// generated with either kind of validation.
//
// A rejected request is answered with HTTP 400 (gRPC InvalidArgument),
// reason "VALIDATOR". For protovalidate rules the message lists every
// violation as "field.path: what is wrong", joined by "; ", for example
//
//	name: must be at least 1 characters; age: must be greater than or equal to 0 and less than or equal to 150
//
// and the error's metadata maps the path of each violated field
// ("address.city", "tags[2]") to its messages, joined the same way, so that
// a client can show each message beside its field. A violation of a
// message-level rule, which names no field, appears only in the message.
// The *protovalidate.ValidationError is the error's cause (see
// errors.Unwrap); the cause stays on the side that rejected the request and
// does not travel to the peer.
//
// Use Server on servers (ProtoValidate, Kratos's name for it, is the same)
// and Client on clients, where it stops an invalid request before it is
// sent. Requests that are not protobuf messages are checked only for a
// Validate method; requests with neither pass through.
//
// The middleware suits the Middleware options of the HTTP and gRPC servers
// and clients. It does not suit grpc.StreamMiddleware, which runs around
// RecvMsg before the message has been read.
package validate

import (
	"context"
	"errors"
	"strings"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/proto"

	kerrors "github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
)

// reason is the reason of every error the middleware returns.
const reason = "VALIDATOR"

// Option configures the middleware.
type Option func(*options)

type options struct {
	validator protovalidate.Validator
}

// WithValidator makes the middleware check protobuf messages with v, for
// example one built with protovalidate.New and WithFailFast or a custom
// extension resolver. The default, also used for a nil v, is
// protovalidate.GlobalValidator, which is built once, on first use, and
// shared by the whole process.
func WithValidator(v protovalidate.Validator) Option {
	return func(o *options) { o.validator = v }
}

// Server returns the middleware for servers. A request is checked, in this
// order:
//
//  1. when it is a proto.Message, against its protovalidate rules;
//  2. when it has a Validate() error method, by calling it.
//
// The first check that fails ends the call with a 400 "VALIDATOR" error
// (see the package documentation). When the Validate method's error is or
// wraps a *protovalidate.ValidationError, it is reported the same way as a
// failed rule check; any other error from it becomes the message, as in the
// root module's middleware. When the rules of a message cannot be evaluated
// at all (a CEL expression that does not compile, a runtime error in one),
// which is a fault of the service and not of the request, the call ends
// with a 500 "VALIDATOR" error whose cause says why.
//
// The middleware is safe for concurrent use when the validator is, as
// protovalidate's validators are.
func Server(opts ...Option) middleware.Middleware {
	o := options{validator: protovalidate.GlobalValidator}
	for _, opt := range opts {
		opt(&o)
	}
	if o.validator == nil {
		o.validator = protovalidate.GlobalValidator
	}
	v := o.validator
	return func(next middleware.Handler) middleware.Handler {
		return func(ctx context.Context, req any) (any, error) {
			if err := check(v, req); err != nil {
				return nil, err
			}
			return next(ctx, req)
		}
	}
}

// Client returns the middleware for clients: it checks a request as Server
// does before the request is sent, so that an invalid request fails
// locally with the error the server would have returned.
func Client(opts ...Option) middleware.Middleware {
	return Server(opts...)
}

// ProtoValidate returns the middleware under the name Kratos gives it: the
// same as Server() with the default validator, protovalidate's global one.
// Like Kratos's, it rejects a request that breaks its protovalidate rules,
// or whose Validate() error method fails, with a 400 "VALIDATOR" error
// whose cause is the validation error. It differs from Kratos's in the
// error's message and metadata (see the package documentation) and in
// answering 500 rather than 400 when a message's rules cannot be evaluated
// at all (see Server).
func ProtoValidate() middleware.Middleware {
	return Server()
}

// selfValidator is a request that validates itself, as messages generated
// by protoc-gen-validate do.
type selfValidator interface {
	Validate() error
}

// check returns the error that rejects req, or nil when req is valid.
func check(v protovalidate.Validator, req any) error {
	if m, ok := req.(proto.Message); ok {
		if err := v.Validate(m); err != nil {
			var verr *protovalidate.ValidationError
			if errors.As(err, &verr) {
				return violationError(verr, err)
			}
			return kerrors.InternalServer(reason,
				"validate: the rules of "+string(m.ProtoReflect().Descriptor().FullName())+" cannot be evaluated").
				WithCause(err)
		}
	}
	if sv, ok := req.(selfValidator); ok {
		if err := sv.Validate(); err != nil {
			var verr *protovalidate.ValidationError
			if errors.As(err, &verr) {
				return violationError(verr, err)
			}
			return kerrors.BadRequest(reason, err.Error()).WithCause(err)
		}
	}
	return nil
}

// violationError returns the 400 error listing the violations of verr,
// with cause as its cause.
func violationError(verr *protovalidate.ValidationError, cause error) error {
	var msg strings.Builder
	var md map[string]string
	for _, v := range verr.Violations {
		if v == nil {
			continue
		}
		if msg.Len() > 0 {
			msg.WriteString("; ")
		}
		msg.WriteString(v.String())
		path := protovalidate.FieldPathString(v.Proto.GetField())
		if path == "" {
			continue
		}
		if md == nil {
			md = make(map[string]string, len(verr.Violations))
		}
		text := violationText(v)
		if prev, ok := md[path]; ok {
			text = prev + "; " + text
		}
		md[path] = text
	}
	if msg.Len() == 0 {
		// No violation to list: protovalidate never returns such an
		// error, but a hand-written Validate method might.
		return kerrors.BadRequest(reason, cause.Error()).WithCause(cause)
	}
	e := kerrors.BadRequest(reason, msg.String())
	e.Metadata = md
	return e.WithCause(cause)
}

// violationText is what v says is wrong, without the field path: its
// message, or its rule ID in brackets when it has no message.
func violationText(v *protovalidate.Violation) string {
	if m := v.Proto.GetMessage(); m != "" {
		return m
	}
	if id := v.Proto.GetRuleId(); id != "" {
		return "[" + id + "]"
	}
	return "[unknown]"
}
