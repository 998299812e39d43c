// Package protojsoncodec implements the protojson codec: the json codec
// under the name Kratos v3 clients ask for ("application/protojson").
package protojsoncodec

import (
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/seed6ad8aa6b/kratos/encoding/internal/jsoncodec"
)

// Name is the content subtype of the codec.
const Name = "protojson"

// DefaultMarshalOptions and DefaultUnmarshalOptions are the options of the
// built-in codec, the json codec's: unpopulated fields are written, unknown
// fields are ignored on input, and messages nested deeper than
// protoval.RecursionLimit (100) are refused.
var (
	DefaultMarshalOptions   protojson.MarshalOptions   = jsoncodec.DefaultMarshalOptions
	DefaultUnmarshalOptions protojson.UnmarshalOptions = jsoncodec.DefaultUnmarshalOptions
)

// Private copies, so that changing the exported defaults cannot change the
// built-in codec.
var (
	defaultMarshal   = DefaultMarshalOptions
	defaultUnmarshal = DefaultUnmarshalOptions
)

// Default is the built-in protojson codec.
var Default = &Codec{jsoncodec.Codec{MarshalOptions: &defaultMarshal, UnmarshalOptions: &defaultUnmarshal}}

// Codec is the json codec registered as "protojson": messages go through
// protojson with the options behind its pointers, read at every call, and
// other values through encoding/json.
type Codec struct {
	jsoncodec.Codec
}

// Name returns "protojson".
func (*Codec) Name() string { return Name }
