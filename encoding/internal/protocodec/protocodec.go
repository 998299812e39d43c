// Package protocodec implements the proto codec: the protobuf binary wire
// format.
package protocodec

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/seed6ad8aa6b/kratos/encoding/internal/protoval"
)

// Name is the content subtype of the codec.
const Name = "proto"

// DefaultUnmarshalOptions are the options of the built-in codec: messages
// nested deeper than protoval.RecursionLimit (100) are refused.
var DefaultUnmarshalOptions = proto.UnmarshalOptions{RecursionLimit: protoval.RecursionLimit}

// Codec is the proto codec. UnmarshalOptions is read at every call; nil
// means DefaultUnmarshalOptions.
type Codec struct {
	UnmarshalOptions *proto.UnmarshalOptions
}

// Name returns "proto".
func (Codec) Name() string { return Name }

// Marshal encodes v, which must be a protobuf message or a pointer to one.
func (Codec) Marshal(v any) ([]byte, error) {
	m, ok := protoval.Message(v)
	if !ok {
		return nil, fmt.Errorf("proto: cannot marshal %T: not a proto.Message", v)
	}
	return proto.Marshal(m)
}

// Unmarshal decodes data into v, which must be a protobuf message or a
// pointer to a message pointer (allocated when nil).
func (c Codec) Unmarshal(data []byte, v any) error {
	m, err := protoval.Target(v)
	if err != nil {
		return fmt.Errorf("proto: %w", err)
	}
	if m == nil {
		return fmt.Errorf("proto: cannot unmarshal into %T: not a proto.Message", v)
	}
	opts := &DefaultUnmarshalOptions
	if c.UnmarshalOptions != nil {
		opts = c.UnmarshalOptions
	}
	return opts.Unmarshal(data, m)
}
