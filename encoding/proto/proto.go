// Package proto is the "proto" codec: the protobuf binary wire format.
// Marshal takes a message or a pointer to one; Unmarshal takes a message or
// a pointer to a message pointer, which it allocates when nil. Other values
// are rejected with an error.
//
// Importing the package registers the codec, which reads UnmarshalOptions
// at every call; encoding.GetCodec("proto") returns a codec with the
// default options without the import.
package proto

import (
	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/protocodec"
)

// Name is the name the proto codec is registered under.
const Name = "proto"

// UnmarshalOptions configures how messages are read. By default messages
// nested more than 100 levels deep are refused, so that a small hostile
// message fails fast instead of costing seconds of CPU; raise
// RecursionLimit for schemas that really nest deeper (protobuf's own
// default, which Kratos uses, is 10,000). Change it only at init time: it
// is read without synchronization by every call.
//
// This variable is not part of Kratos.
var UnmarshalOptions = protocodec.DefaultUnmarshalOptions

func init() {
	encoding.RegisterCodec(protocodec.Codec{UnmarshalOptions: &UnmarshalOptions})
}
