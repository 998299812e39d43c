package grpc

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// deepServiceDesc describes a service that echoes google.protobuf.Value
// messages, which nest as deeply as a client likes.
var deepServiceDesc = grpc.ServiceDesc{
	ServiceName: "kratos.test.Deep",
	HandlerType: (*any)(nil),
	Methods:     []grpc.MethodDesc{{MethodName: "Echo", Handler: deepEcho}},
	Streams: []grpc.StreamDesc{{
		StreamName: "EchoStream", Handler: deepEchoStream, ServerStreams: true, ClientStreams: true,
	}},
}

const (
	deepEchoMethod   = "/kratos.test.Deep/Echo"
	deepStreamMethod = "/kratos.test.Deep/EchoStream"
)

func deepEcho(_ any, ctx context.Context, dec func(any) error, in grpc.UnaryServerInterceptor) (any, error) {
	v := new(structpb.Value)
	if err := dec(v); err != nil {
		return nil, err
	}
	h := func(_ context.Context, req any) (any, error) { return req, nil }
	if in == nil {
		return h(ctx, v)
	}
	return in(ctx, v, &grpc.UnaryServerInfo{FullMethod: deepEchoMethod}, h)
}

func deepEchoStream(_ any, stream grpc.ServerStream) error {
	for {
		v := new(structpb.Value)
		if err := stream.RecvMsg(v); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if err := stream.SendMsg(v); err != nil {
			return err
		}
	}
}

// nestedValue returns a google.protobuf.Value of n lists, one in another:
// 2n+1 levels of messages.
func nestedValue(n int) *structpb.Value {
	v := structpb.NewStringValue("bottom")
	for range n {
		v = structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{v}})
	}
	return v
}

// prefixCodec is a codec for the "x-prefixed" content-subtype: protobuf
// after a "P". A server must hand messages of such calls to it.
type prefixCodec struct{}

func (prefixCodec) Marshal(v any) ([]byte, error) {
	b, err := proto.Marshal(v.(proto.Message))
	return append([]byte("P"), b...), err
}

func (prefixCodec) Unmarshal(data []byte, v any) error {
	if len(data) == 0 || data[0] != 'P' {
		return errors.New("prefixCodec: no prefix")
	}
	return proto.Unmarshal(data[1:], v.(proto.Message))
}

func (prefixCodec) Name() string { return "x-prefixed" }

func init() {
	// Test binary only: grpc-go takes codecs at initialisation.
	encoding.RegisterCodec(prefixCodec{})
}

// TestDeepMessagesRefused sends deeply nested messages from a grpc-go
// client: the server must refuse those over its recursion limit quickly,
// with InvalidArgument, and echo the others, in every content-subtype.
func TestDeepMessagesRefused(t *testing.T) {
	// 4500 lists are 9001 levels in about 30 KB: under protobuf's own
	// limit of 10,000.
	const hostile = 4500
	tests := []struct {
		name    string
		opts    []ServerOption
		direct  bool // registered on the embedded grpc.Server
		stream  bool
		subtype string
		lists   int
		want    codes.Code
	}{
		{name: "hostile", lists: hostile, want: codes.InvalidArgument},
		{name: "hostile stream", stream: true, lists: hostile, want: codes.InvalidArgument},
		{name: "hostile json", subtype: "json", lists: hostile, want: codes.InvalidArgument},
		{name: "hostile json stream", subtype: "json", stream: true, lists: hostile, want: codes.InvalidArgument},
		{name: "just over the limit", lists: 50, want: codes.InvalidArgument}, // 101 levels
		{name: "at the limit", lists: 49, want: codes.OK},                     // 99 levels
		{name: "normal json", subtype: "json", lists: 3, want: codes.OK},
		{name: "normal json stream", subtype: "json", stream: true, lists: 3, want: codes.OK},
		{name: "normal other subtype", subtype: "x-prefixed", lists: 3, want: codes.OK},
		{name: "normal other subtype stream", subtype: "x-prefixed", stream: true, lists: 3, want: codes.OK},
		{name: "limit raised", opts: []ServerOption{WithRecursionLimit(1000)}, lists: 50, want: codes.OK},
		{name: "limit off", opts: []ServerOption{WithRecursionLimit(0)}, lists: hostile, want: codes.OK},
		// Registered past the Server: still limited, but grpc-go's code.
		{name: "hostile, registered on grpc.Server", direct: true, lists: hostile, want: codes.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(append([]ServerOption{Address("127.0.0.1:0")}, tt.opts...)...)
			if tt.direct {
				srv.Server.RegisterService(&deepServiceDesc, struct{}{})
			} else {
				srv.RegisterService(&deepServiceDesc, struct{}{})
			}
			conn := dialTest(t, serve(t, srv), WithTimeout(0))
			var callOpts []grpc.CallOption
			if tt.subtype != "" {
				callOpts = append(callOpts, grpc.CallContentSubtype(tt.subtype))
			}
			in, out := nestedValue(tt.lists), new(structpb.Value)
			ctx := testContext(t)

			start := time.Now()
			var err error
			if tt.stream {
				var s grpc.ClientStream
				if s, err = conn.NewStream(ctx, &deepServiceDesc.Streams[0], deepStreamMethod, callOpts...); err == nil {
					if err = s.SendMsg(in); err == nil {
						_ = s.CloseSend()
						err = s.RecvMsg(out)
					}
				}
			} else {
				err = conn.Invoke(ctx, deepEchoMethod, in, out, callOpts...)
			}
			took := time.Since(start)

			if got := status.Code(err); got != tt.want {
				t.Fatalf("call code = %v (%v), want %v", got, err, tt.want)
			}
			if tt.lists == hostile {
				t.Logf("%d levels: %v in %v", 2*tt.lists+1, status.Code(err), took)
				if tt.want != codes.OK && took > 2*time.Second {
					t.Errorf("refusing took %v, want well under 2s", took)
				}
			}
			if err == nil && !proto.Equal(out, in) {
				t.Errorf("echo differs from the request")
			}
		})
	}
}
