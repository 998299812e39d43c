// Package json is the "json" codec: protobuf messages are encoded with
// protojson, other values with encoding/json.
//
// Importing the package registers the codec, which reads MarshalOptions and
// UnmarshalOptions at every call. Without the import, encoding.GetCodec
// still returns a json codec, using the default values of these options.
package json

import (
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/jsoncodec"
)

// Name is the name the json codec is registered under.
const Name = "json"

// MarshalOptions and UnmarshalOptions configure how protobuf messages are
// written and read. By default unpopulated fields are written, unknown
// fields are ignored, and messages nested more than 100 levels deep (a
// message field, list, map entry, Struct or Value each count one) are
// refused, so that a small hostile body fails fast instead of costing
// seconds of CPU; raise UnmarshalOptions.RecursionLimit for schemas that
// really nest deeper. protobuf's own default limit is 10,000; Kratos uses
// that one. Change them only at init time: they are read without
// synchronization by every call.
var (
	MarshalOptions   protojson.MarshalOptions   = jsoncodec.DefaultMarshalOptions
	UnmarshalOptions protojson.UnmarshalOptions = jsoncodec.DefaultUnmarshalOptions
)

func init() {
	encoding.RegisterCodec(&jsoncodec.Codec{MarshalOptions: &MarshalOptions, UnmarshalOptions: &UnmarshalOptions})
}
