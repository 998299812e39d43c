// Package binding maps request data to messages and messages to URLs for
// the HTTP transport and the clients protoc-gen-go-http generates.
//
// BindQuery and BindForm fill a message (or a plain struct) from query or
// form values with the form codec; EncodeURL does the reverse for a path
// template such as "/v1/{name=shelves/*}/books/{book_id}".
package binding

import (
	"net/http"
	"net/url"

	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/form"
	"github.com/seed6ad8aa6b/kratos/errors"
)

// reasonCodec is the reason of the 400 errors returned for values that do
// not decode.
const reasonCodec = "CODEC"

// BindQuery sets the fields of target from vars with the form codec: keys
// are field names (proto or JSON names for messages), dotted for nested
// fields. Keys naming no field are ignored. target must be a pointer to a
// protobuf message (or to a message pointer), a struct or a map. A value
// that does not decode gives a 400 error with reason "CODEC".
func BindQuery(vars url.Values, target any) error {
	var err error
	if m, ok := target.(proto.Message); ok {
		err = form.DecodeValues(m, vars)
	} else {
		err = encoding.GetCodec(form.Name).Unmarshal([]byte(vars.Encode()), target)
	}
	if err != nil {
		return errors.BadRequest(reasonCodec, err.Error())
	}
	return nil
}

// BindForm parses the request's query string and, for POST, PUT and PATCH
// requests with an application/x-www-form-urlencoded body, the body (see
// http.Request.ParseForm), and binds the values to target as BindQuery
// does. Values that do not decode give a 400 error with reason "CODEC", as
// in Kratos.
//
// A request whose form does not parse (malformed escapes, a body over an
// http.MaxBytesReader limit, a missing body) also gives a 400 "CODEC"
// error, with ParseForm's error as its cause (errors.Is and errors.As reach
// it). Kratos returns ParseForm's error as is, which its error encoder
// turns into a 500; a client's bad input is not a server failure, so we
// keep the 400.
func BindForm(req *http.Request, target any) error {
	if err := req.ParseForm(); err != nil {
		return errors.BadRequest(reasonCodec, err.Error()).WithCause(err)
	}
	return BindQuery(req.Form, target)
}
