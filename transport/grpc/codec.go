package grpc

import (
	"fmt"

	"google.golang.org/grpc/encoding"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

func init() {
	// A server finds the codec of a request's content-subtype in grpc-go's
	// codec registry, which may only be written during initialisation, so
	// this is the one way to serve "application/grpc+json". It adds the
	// "json" codec, which grpc-go does not have, and changes nothing else.
	encoding.RegisterCodec(jsonCodec{})
}

// jsonCodec is the gRPC codec for the "json" content-subtype: messages are
// encoded as protobuf JSON, with fields at their zero value included, and
// unknown fields are ignored when decoding. Clients select it per call with
// grpc.CallContentSubtype("json").
type jsonCodec struct{}

var (
	jsonMarshal   = protojson.MarshalOptions{EmitUnpopulated: true}
	jsonUnmarshal = protojson.UnmarshalOptions{DiscardUnknown: true}
)

func (jsonCodec) Marshal(v any) ([]byte, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("grpc: json codec: cannot marshal %T, want a proto.Message", v)
	}
	return jsonMarshal.Marshal(m)
}

func (jsonCodec) Unmarshal(data []byte, v any) error {
	m, ok := v.(proto.Message)
	if !ok {
		return fmt.Errorf("grpc: json codec: cannot unmarshal into %T, want a proto.Message", v)
	}
	return jsonUnmarshal.Unmarshal(data, m)
}

func (jsonCodec) Name() string { return "json" }
