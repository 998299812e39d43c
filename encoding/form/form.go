// Package form is the "x-www-form-urlencoded" codec. It maps protobuf
// messages and plain Go values to and from url.Values, and is what the HTTP
// transport uses for form bodies, query strings and path variables.
//
// # Keys
//
// A key is a path of field names separated by dots, each name optionally
// followed by bracketed parts:
//
//	user.name=ann            nested message or struct field
//	ids=1&ids=2              repeated field or slice (also ids[]=1&ids[]=2)
//	items[0].name=x          element of a repeated message field or slice
//	labels[env]=prod         map entry (also labels.env=prod)
//	children[a].level=2      field of a message-valued map entry
//
// Values are never split on commas. A bracket closes at the first ']'
// followed by '.', '[' or the end, so map keys may contain dots. Indexes
// must be below 1000, and indexed keys may create at most 10000 padding
// elements in one decode; keys have at most 100 segments.
//
// Decoding applies keys in sorted order. Keys whose field does not exist
// are ignored, even when malformed; a malformed key of an existing field,
// a value that does not parse, a second value for a singular field or a
// second field of a oneof is an error. An empty value leaves a singular
// field unset. Decoding never panics.
//
// # Protobuf messages
//
// Fields are found by proto name or JSON name when decoding, and written by
// JSON name (lowerCamelCase; the descriptor's json_name). Only populated
// fields are written. Scalars use decimal notation, bools true/false,
// enums their value name (a value number is accepted on input), bytes
// URL-safe base64 (standard or URL-safe, padded or not, accepted on
// input; a space is read as '+'). String fields of proto3 and editions
// files must be valid UTF-8. Well-known types are single values:
//
//	google.protobuf.Timestamp  RFC 3339, "2024-01-02T03:04:05.5Z"
//	google.protobuf.Duration   Go syntax, "1.5s", "2m0.000000022s"
//	wrappers (Int32Value...)   the wrapped scalar; BytesValue standard base64
//	google.protobuf.FieldMask  comma-separated paths in lowerCamelCase,
//	                           stored in snake_case
//	google.protobuf.Struct     JSON text; on input also s.key=value, which
//	                           sets a string (or a list of strings)
//	google.protobuf.Value      a string value; non-strings are written as JSON
//	ListValue, Any             JSON text
//
// "null" leaves a Timestamp, a Duration or a numeric or bool wrapper unset.
//
// Repeated and map fields of other message types are read from indexed
// keys (items[0].name, children[a].level). [EncodeValues], which the HTTP
// client uses for query strings and path variables, leaves them out as
// Kratos does, because a Kratos server rejects those keys ("invalid path"):
// it returns the other fields together with an error naming the first
// field left out. The codec's Marshal, used for form bodies, writes them
// under indexed keys, which this package reads back.
//
// # Plain Go values
//
// Structs, maps and url.Values are handled by reflection. A struct field's
// key is the name in its `form` tag, else in its `json` tag, else the Go
// field name; a tag of "-" skips the field and the omitempty option omits
// it when zero. Fields of embedded structs are promoted. Nested structs use
// dots, maps brackets; slices of scalars become repeated keys, other slices
// indexed keys. Values implementing encoding.TextMarshaler and
// encoding.TextUnmarshaler (such as time.Time, RFC 3339) are single values,
// []byte is standard base64, and bools also accept "on" and "off". A struct
// field holding a protobuf message is handled as a message.
//
// Importing the package registers the codec; encoding.GetCodec(form.Name)
// returns the same codec without the import.
package form

import (
	"net/url"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/formcodec"
)

// Name is the name the form codec is registered under.
const Name = "x-www-form-urlencoded"

func init() {
	encoding.RegisterCodec(formcodec.Codec{})
}

// EncodeValues returns the form values of v: the populated fields of a
// protobuf message, or the fields of a struct or the entries of a map. A
// nil v, or a nil message, gives empty values.
//
// As in Kratos, repeated and map fields whose values are messages (other
// than the well-known types) are left out of a message's values; the
// values of the other fields are then returned together with a non-nil
// error that names the first field left out. Any other error comes with
// nil values.
func EncodeValues(v any) (url.Values, error) {
	return formcodec.EncodeValues(v)
}

// DecodeValues sets the fields of msg from values, as the codec's Unmarshal
// does for a query string; msg must not be nil. It is the function the HTTP
// transport uses to bind query strings and path variables to requests.
func DecodeValues(msg proto.Message, values url.Values) error {
	return formcodec.DecodeValues(msg, values)
}

// EncodeField returns the form value of v, one value of the field fd (an
// element for repeated fields; fd.MapKey() or fd.MapValue() for maps). It
// fails for message types other than the well-known types listed in the
// package documentation.
func EncodeField(fd protoreflect.FieldDescriptor, v protoreflect.Value) (string, error) {
	return formcodec.EncodeField(fd, v)
}

// EncodeFieldMask returns "name=paths" for the first populated
// google.protobuf.FieldMask field of m, name being the field's JSON name and
// paths its comma-separated lowerCamelCase paths, or "" when there is none.
// The result is not escaped.
func EncodeFieldMask(m protoreflect.Message) string {
	return formcodec.EncodeFieldMask(m)
}
