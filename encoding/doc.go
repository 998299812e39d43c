// Package encoding is the codec registry shared by the transports.
//
// A [Codec] turns values into bytes and back for one content type. The HTTP
// transport picks a codec from the request's Content-Type or Accept subtype
// ("json", "protojson", "proto", "xml", "yaml", "x-www-form-urlencoded"),
// the gRPC transport from the content-subtype, and both look it up with
// [GetCodec].
//
// # Built-in codecs need no import
//
// The registry knows the six built-in codecs without anybody importing
// their packages: when a name has no registered codec, [GetCodec] falls back
// to the built-in implementation of that name. The implementations live in
// packages under encoding/internal, which do not import this package, so
// there is no import cycle and no library package has to blank-import a
// codec package to make it available.
//
// The public packages [github.com/seed6ad8aa6b/kratos/encoding/json],
// [github.com/seed6ad8aa6b/kratos/encoding/proto],
// [github.com/seed6ad8aa6b/kratos/encoding/xml],
// [github.com/seed6ad8aa6b/kratos/encoding/yaml] and
// [github.com/seed6ad8aa6b/kratos/encoding/form] expose the names, options
// and helpers of each codec, and register their codec in their own init.
// The only ones where this makes a difference are json and protojson: the
// codec registered by encoding/json reads the package variables
// json.MarshalOptions and json.UnmarshalOptions at every call (and
// encoding/protojson its own), so changing them takes effect,
// whereas the fallback uses their default values (which are also the
// initial values of those variables).
//
// # Registering codecs
//
// [RegisterCodec] and [GetCodec] are safe for concurrent use, but the
// registry is process-wide state: register at init time; last registration
// wins. A codec registered under the name of a built-in codec replaces the
// built-in one for the whole process. Names are case-insensitive.
//
// # Limits
//
// The codecs do not limit input size; the transport in front of them must
// (for HTTP, with [net/http.MaxBytesReader]). Nesting is limited by the
// underlying decoders: encoding/json and protojson reject documents nested
// deeper than 10000 levels and yaml rejects excessive nesting and alias
// expansion. Malformed input always yields an error, never a panic.
package encoding
