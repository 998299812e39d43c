package grpc

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
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

// serverCodec is the codec a Server forces on grpc-go, which then uses it
// for every call whatever its content-subtype, so that the server, not
// grpc-go, decodes requests: grpc-go fails a call with Internal as soon as
// its codec cannot decode a request, before a handler or interceptor can
// say otherwise. The handlers the server wraps (see Server.RegisterService
// and wrappedStream) receive a request as a rawMessage, which serverCodec
// fills with the bytes as they are, and decode it themselves with a
// callCodec. Replies of "json" calls and of calls with other registered
// content-subtypes reach serverCodec wrapped (jsonMessage, otherMessage);
// others are protobuf, which it marshals with the codec registered as
// "proto" (grpc-go's, with its buffer pooling). A bare message to decode,
// from a handler the server did not wrap, it decodes as protobuf with the
// server's recursion limit.
type serverCodec struct {
	proto         encoding.CodecV2
	unmarshal     proto.UnmarshalOptions
	jsonUnmarshal protojson.UnmarshalOptions
}

func newServerCodec(limit int) *serverCodec {
	c := &serverCodec{
		proto:         registeredCodec("proto"),
		unmarshal:     proto.UnmarshalOptions{RecursionLimit: limit},
		jsonUnmarshal: jsonUnmarshal,
	}
	c.jsonUnmarshal.RecursionLimit = limit
	return c
}

func (c *serverCodec) Marshal(v any) (mem.BufferSlice, error) {
	switch m := v.(type) {
	case jsonMessage:
		b, err := jsonMarshal.Marshal(m.Message)
		if err != nil {
			return nil, err
		}
		return mem.BufferSlice{mem.SliceBuffer(b)}, nil
	case *otherMessage:
		return m.codec.Marshal(m.v)
	}
	return c.proto.Marshal(v)
}

func (c *serverCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if raw, ok := v.(*rawMessage); ok {
		raw.set(data)
		return nil
	}
	m := protoMessage(v)
	if m == nil {
		return fmt.Errorf("grpc: cannot unmarshal into %T, want a proto.Message", v)
	}
	buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
	defer buf.Free()
	return c.unmarshal.Unmarshal(buf.ReadOnlyData(), m)
}

func (c *serverCodec) Name() string { return "proto" }

// decode decodes the request in raw into m as cc says and returns the
// error the handler should fail with, InvalidArgument, if that fails.
func (c *serverCodec) decode(cc callCodec, raw *rawMessage, m any) error {
	var err error
	switch {
	case cc.other != nil:
		var data mem.BufferSlice
		if raw.buf != nil {
			data = mem.BufferSlice{raw.buf}
		}
		err = cc.other.Unmarshal(data, m)
	default:
		pm := protoMessage(m)
		switch {
		case pm == nil:
			err = fmt.Errorf("cannot unmarshal into %T, want a proto.Message", m)
		case cc.json:
			err = c.jsonUnmarshal.Unmarshal(raw.bytes(), pm)
		default:
			err = c.unmarshal.Unmarshal(raw.bytes(), pm)
		}
	}
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "grpc: cannot decode the request message: %v", err)
	}
	return nil
}

// rawMessage receives the bytes of a request message from serverCodec.
// Its user must call free.
type rawMessage struct {
	buf mem.Buffer
}

// set keeps data, which grpc-go frees after Unmarshal: as one buffer,
// referenced rather than copied when data is one buffer already, as
// grpc-go's own protobuf codec does.
func (r *rawMessage) set(data mem.BufferSlice) {
	r.free() // a second message, which grpc-go then refuses
	r.buf = data.MaterializeToBuffer(mem.DefaultBufferPool())
}

func (r *rawMessage) bytes() []byte {
	if r.buf == nil {
		return nil
	}
	return r.buf.ReadOnlyData()
}

func (r *rawMessage) free() {
	if r.buf != nil {
		r.buf.Free()
		r.buf = nil
	}
}

// protoMessage returns the protobuf message v is, also for messages of the
// older github.com/golang/protobuf API, or nil.
func protoMessage(v any) proto.Message {
	switch m := v.(type) {
	case proto.Message:
		return m
	case protoadapt.MessageV1:
		return protoadapt.MessageV2Of(m)
	}
	return nil
}

// jsonMessage is a reply of a "json" call on its way to serverCodec. It is
// a proto.Message itself, so that a codec forced in place of serverCodec
// with Options, or a stats handler, sees the message it carries.
type jsonMessage struct{ proto.Message }

// otherMessage is a reply of a call whose content-subtype has a codec
// registered with grpc-go, other than "proto" and this package's "json",
// on its way through serverCodec to that codec.
type otherMessage struct {
	v     any
	codec encoding.CodecV2
}

// callCodec is how the messages of one call are encoded: the zero value
// is protobuf.
type callCodec struct {
	json  bool
	other encoding.CodecV2
}

// wrap returns the reply v as serverCodec needs it.
func (cc callCodec) wrap(v any) any {
	switch {
	case cc.json:
		if m, ok := v.(proto.Message); ok {
			return jsonMessage{m}
		}
	case cc.other != nil:
		return &otherMessage{v: v, codec: cc.other}
	}
	return v
}

// callCodec returns the callCodec for the call whose context is ctx.
func (s *Server) callCodec(ctx context.Context) callCodec {
	sub := contentSubtype(ctx)
	if sub == "" || sub == "proto" {
		return callCodec{}
	}
	if _, ours := encoding.GetCodec(sub).(jsonCodec); ours {
		return callCodec{json: true}
	}
	if c := registeredCodec(sub); c != nil {
		return callCodec{other: c}
	}
	// grpc-go decodes calls of unknown subtypes as protobuf.
	return callCodec{}
}

// contentSubtype returns the content-subtype of the call whose context is
// ctx, in lower case: "json" for "application/grpc+json", "" for
// "application/grpc".
func contentSubtype(ctx context.Context) string {
	// grpc-go's stream knows it; the metadata has it too, but reading it
	// from there copies.
	if st, ok := grpc.ServerTransportStreamFromContext(ctx).(interface{ ContentSubtype() string }); ok {
		return st.ContentSubtype()
	}
	md, _ := metadata.FromIncomingContext(ctx)
	for _, ct := range md.Get("content-type") {
		if rest, ok := strings.CutPrefix(strings.ToLower(ct), "application/grpc"); ok {
			if rest != "" && (rest[0] == '+' || rest[0] == ';') {
				return rest[1:]
			}
			return ""
		}
	}
	return ""
}

// registeredCodec returns the codec registered with grpc-go for a
// content-subtype, or nil.
func registeredCodec(name string) encoding.CodecV2 {
	if c := encoding.GetCodecV2(name); c != nil {
		return c
	}
	if c := encoding.GetCodec(name); c != nil {
		return codecV1{c}
	}
	return nil
}

// codecV1 is a codec of grpc-go's first codec interface, used as a CodecV2.
type codecV1 struct{ encoding.Codec }

func (c codecV1) Marshal(v any) (mem.BufferSlice, error) {
	b, err := c.Codec.Marshal(v)
	if err != nil {
		return nil, err
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

func (c codecV1) Unmarshal(data mem.BufferSlice, v any) error {
	// A copy: such a codec may keep the bytes it is given.
	return c.Codec.Unmarshal(data.Materialize(), v)
}
