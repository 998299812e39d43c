// Package jsonschema describes protobuf messages as JSON Schema: the JSON
// that the framework's json codec (encoding/json: protojson with
// EmitUnpopulated, reading with DiscardUnknown) writes and reads. The
// OpenAPI generator of the kratos CLI and MCP tools build on it, so a
// document and a tool say the same thing about a message.
//
// [For] returns the self-contained schema of one message, with "$schema"
// and "$defs": the input schema of a tool from its request
// ([Input], the default) and its output schema from its reply
// ([Output]). A [Generator] builds the schemas of many messages over one
// set of definitions, the way an OpenAPI document shares
// components/schemas ([OpenAPI30]).
//
// # What the schemas say
//
// Properties are the fields' JSON names (json_name, lowerCamelCase by
// default), in field order. 64-bit integers are strings (format int64 or
// uint64), 32-bit ones integers, float and double numbers, bytes base64
// strings, enums their value names. Repeated fields are arrays, maps
// objects (with the key pattern in propertyNames, JSON Schema only).
// Messages and enums are definitions named by their full name, so
// recursive messages refer to themselves. The members of a oneof are
// properties of the message, of which at most one may be present. Message
// fields, and other fields with explicit presence outside a oneof, allow
// null: protojson writes null for them when they are unset.
//
// The well-known types are written inline, as protojson writes them:
// Timestamp as an RFC 3339 string (format date-time), Duration as a
// string such as "1.5s", FieldMask as a string of comma-separated
// lowerCamelCase paths, Struct as an object, Value as any value, ListValue
// as an array, Empty as an object, Any as an object with "@type", the
// wrappers as their wrapped scalar, NullValue as null.
//
// Comments become descriptions when the descriptors carry source
// information (files compiled from source, as the kratos CLI does); the
// descriptors that generated Go code registers have none, so schemas made
// from them have no descriptions. See [Description].
//
// # Validation rules
//
// Rules of buf.validate (protovalidate) and of protoc-gen-validate are
// mapped where JSON Schema can say them: required fields; string lengths,
// patterns, prefixes, suffixes, contains, const, in and not_in, and the
// formats email, hostname, ipv4, ipv6, uri, uri_ref and uuid; bounds,
// const, in and not_in of numbers (in and not_in only for 64-bit ones,
// which are strings); const, in and not_in of enums; item counts and
// uniqueness of repeated fields and their items' rules; pair counts of
// maps and their values' rules; required oneofs. Every other rule,
// including CEL expressions, is written into the description as
// "Rules: ...". google.api.field_behavior REQUIRED makes a field
// required, OUTPUT_ONLY readOnly and INPUT_ONLY writeOnly.
//
// The options are looked up by name among the imports of the message's
// file and decoded with dynamic types, so the package needs no validation
// library and reads options compiled from source as well as generated
// ones.
//
// # What the schemas leave out
//
// The codec is more lenient when reading than the schemas: it also takes
// the proto field names, numbers for enums and 64-bit integers, strings
// for 32-bit integers and floats, "NaN" and "Infinity" for floats, null
// for any field, and URL-safe base64. The schemas describe the canonical
// form that the codec writes. Unknown enum numbers, which protojson
// writes as numbers, are not described.
package jsonschema
