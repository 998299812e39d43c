// Package proto is the "proto" codec: the protobuf binary wire format.
// Marshal takes a message or a pointer to one; Unmarshal takes a message or
// a pointer to a message pointer, which it allocates when nil. Other values
// are rejected with an error.
//
// Importing the package registers the codec; encoding.GetCodec("proto")
// returns the same codec without the import.
package proto

import (
	"github.com/seed6ad8aa6b/kratos/encoding"
	"github.com/seed6ad8aa6b/kratos/encoding/internal/protocodec"
)

// Name is the name the proto codec is registered under.
const Name = "proto"

func init() {
	encoding.RegisterCodec(protocodec.Codec{})
}
