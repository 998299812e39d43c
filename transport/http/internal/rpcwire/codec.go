package rpcwire

import (
	"bytes"

	"google.golang.org/grpc/codes"

	"github.com/seed6ad8aa6b/kratos/encoding"
)

// Unmarshal decodes data into m with codec, returning InvalidArgument
// when it cannot.
func Unmarshal(codec encoding.Codec, data []byte, m any) error {
	if err := codec.Unmarshal(data, m); err != nil {
		return Errorf(codes.InvalidArgument, "unmarshal %s request: %v", codec.Name(), err)
	}
	return nil
}

// Marshal appends m encoded with codec to dst, returning Internal when it
// cannot.
func Marshal(codec encoding.Codec, dst *bytes.Buffer, m any) error {
	b, err := codec.Marshal(m)
	if err != nil {
		return Errorf(codes.Internal, "marshal %s reply: %v", codec.Name(), err)
	}
	dst.Write(b)
	return nil
}
