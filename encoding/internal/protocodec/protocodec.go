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

// Codec is the proto codec.
type Codec struct{}

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
func (Codec) Unmarshal(data []byte, v any) error {
	m, err := protoval.Target(v)
	if err != nil {
		return fmt.Errorf("proto: %w", err)
	}
	if m == nil {
		return fmt.Errorf("proto: cannot unmarshal into %T: not a proto.Message", v)
	}
	return proto.Unmarshal(data, m)
}
