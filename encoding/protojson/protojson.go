// Package protojson is the "protojson" codec, which Kratos v3 clients ask
// for with "Accept: application/protojson" and
// "Content-Type: application/protojson". Protobuf messages are encoded with
// protojson, as the json codec does; the two differ only in name and
// options, so that a service answers v3 clients in the format they asked
// for while "application/json" keeps its bytes.
//
// Importing the package registers the codec, which reads MarshalOptions and
// UnmarshalOptions at every call. Without the import, encoding.GetCodec
// still returns a protojson codec, using the default values of these
// options.
//
// Unlike Kratos v3, whose protojson codec fails on values that are not
// protobuf messages, such values are encoded with encoding/json, as the
// json codec does, so that every reply of a service can be asked for in
// protojson.
package protojson

import (
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/jsoncodec"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/protojsoncodec"
)

// Name is the name the protojson codec is registered under.
const Name = "protojson"

// MarshalOptions and UnmarshalOptions configure how protobuf messages are
// written and read. By default unpopulated fields are written, unknown
// fields are ignored, and messages nested more than 100 levels deep are
// refused (see the json codec). Change them only at init time: they are
// read without synchronization by every call.
var (
	MarshalOptions   protojson.MarshalOptions   = protojsoncodec.DefaultMarshalOptions
	UnmarshalOptions protojson.UnmarshalOptions = protojsoncodec.DefaultUnmarshalOptions
)

func init() {
	encoding.RegisterCodec(&protojsoncodec.Codec{Codec: jsoncodec.Codec{MarshalOptions: &MarshalOptions, UnmarshalOptions: &UnmarshalOptions}})
}
