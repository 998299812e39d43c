package http_test

import (
	"context"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

// The services of these tests are described by hand, the way
// protoc-gen-go-grpc would: a grpc.ServiceDesc and handler functions.

type greeterServer interface {
	SayHello(context.Context, *testpb.HelloRequest) (*testpb.HelloReply, error)
}

type routeGuideServer interface {
	ListFeatures(*testpb.Rectangle, grpc.ServerStreamingServer[testpb.Feature]) error
	RecordRoute(grpc.ClientStreamingServer[testpb.Point, testpb.RouteSummary]) error
	RouteChat(grpc.BidiStreamingServer[testpb.RouteNote, testpb.RouteNote]) error
}

var greeterDesc = grpc.ServiceDesc{
	ServiceName: "testpb.v1.Greeter",
	HandlerType: (*greeterServer)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "SayHello",
		Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			in := new(testpb.HelloRequest)
			if err := dec(in); err != nil {
				return nil, err
			}
			if interceptor == nil {
				return srv.(greeterServer).SayHello(ctx, in)
			}
			info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/testpb.v1.Greeter/SayHello"}
			return interceptor(ctx, in, info, func(ctx context.Context, req any) (any, error) {
				return srv.(greeterServer).SayHello(ctx, req.(*testpb.HelloRequest))
			})
		},
	}},
	Metadata: "greeter.proto",
}

var routeGuideDesc = grpc.ServiceDesc{
	ServiceName: "testpb.v1.RouteGuide",
	HandlerType: (*routeGuideServer)(nil),
	Streams: []grpc.StreamDesc{
		{
			StreamName: "ListFeatures",
			Handler: func(srv any, stream grpc.ServerStream) error {
				m := new(testpb.Rectangle)
				if err := stream.RecvMsg(m); err != nil {
					return err
				}
				return srv.(routeGuideServer).ListFeatures(m, &grpc.GenericServerStream[testpb.Rectangle, testpb.Feature]{ServerStream: stream})
			},
			ServerStreams: true,
		},
		{
			StreamName: "RecordRoute",
			Handler: func(srv any, stream grpc.ServerStream) error {
				return srv.(routeGuideServer).RecordRoute(&grpc.GenericServerStream[testpb.Point, testpb.RouteSummary]{ServerStream: stream})
			},
			ClientStreams: true,
		},
		{
			StreamName: "RouteChat",
			Handler: func(srv any, stream grpc.ServerStream) error {
				return srv.(routeGuideServer).RouteChat(&grpc.GenericServerStream[testpb.RouteNote, testpb.RouteNote]{ServerStream: stream})
			},
			ServerStreams: true,
			ClientStreams: true,
		},
	},
	Metadata: "routeguide.proto",
}

// rpcGreeter answers "Hello <name>"; the name "missing" fails with a kratos
// NotFound error with reason and metadata, "slow" waits for its context,
// "panic" panics, "trailer" sets a header and a trailer, "echo-md"
// answers with the x-md-global-user metadata and "big" with 4 KiB.
type rpcGreeter struct{}

func (rpcGreeter) SayHello(ctx context.Context, in *testpb.HelloRequest) (*testpb.HelloReply, error) {
	switch in.GetName() {
	case "missing":
		return nil, errors.NotFound("USER_NOT_FOUND", "no such user").WithMetadata(map[string]string{"user": "missing"})
	case "slow":
		<-ctx.Done()
		return nil, ctx.Err()
	case "trailer":
		_ = grpc.SetHeader(ctx, metadata.Pairs("x-head", "h"))
		_ = grpc.SetTrailer(ctx, metadata.Pairs("x-trail", "t"))
	case "echo-md":
		md, _ := metadata.FromIncomingContext(ctx)
		return &testpb.HelloReply{Message: "md " + first(md["x-md-global-user"])}, nil
	case "panic":
		panic("boom")
	case "big":
		return &testpb.HelloReply{Message: string(make([]byte, 4096))}, nil
	}
	return &testpb.HelloReply{Message: "Hello " + in.GetName()}, nil
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// rpcRouteGuide streams back what it is told: ListFeatures sends Filter
// features named 0, 1, ...; RecordRoute counts points; RouteChat echoes
// each note and fails with the message "fail".
type rpcRouteGuide struct{}

func (rpcRouteGuide) ListFeatures(r *testpb.Rectangle, s grpc.ServerStreamingServer[testpb.Feature]) error {
	if r.GetFilter() == "fail" {
		return errors.Forbidden("NO", "not allowed")
	}
	for i := range int(r.GetLo().GetLatitude()) {
		if err := s.Send(&testpb.Feature{Name: string(rune('0' + i))}); err != nil {
			return err
		}
	}
	s.SetTrailer(metadata.Pairs("x-count", "done"))
	return nil
}

func (rpcRouteGuide) RecordRoute(s grpc.ClientStreamingServer[testpb.Point, testpb.RouteSummary]) error {
	var n int32
	for {
		_, err := s.Recv()
		if err == io.EOF {
			return s.SendAndClose(&testpb.RouteSummary{PointCount: n})
		}
		if err != nil {
			return err
		}
		n++
	}
}

func (rpcRouteGuide) RouteChat(s grpc.BidiStreamingServer[testpb.RouteNote, testpb.RouteNote]) error {
	for {
		in, err := s.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if in.GetMessage() == "fail" {
			return errors.BadRequest("BAD_NOTE", "bad note")
		}
		if err := s.Send(&testpb.RouteNote{Message: "echo " + in.GetMessage()}); err != nil {
			return err
		}
	}
}
