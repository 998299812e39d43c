package http_test

// This file holds, written by hand, the code Kratos v3's protoc-gen-go-http
// generates for the streaming methods of RouteGuide (see
// internal/testpb/routeguide.proto), with the gRPC stream types
// protoc-gen-go-grpc generates, and one implementation of the service that
// serves the same streams over gRPC, Server-Sent Events and WebSocket. It
// checks that such code compiles against this package and works.

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
	"github.com/seed6ad8aa6b/kratos/transport/http/internal/testpb"
)

var (
	_ grpc.ServerStream = khttp.ServerStream(nil)
	_ grpc.ClientStream = khttp.ClientStream(nil)
)

// The gRPC stream types, as protoc-gen-go-grpc names them.
type (
	RouteGuide_ListFeaturesServer = grpc.ServerStreamingServer[testpb.Feature]
	RouteGuide_RecordRouteServer  = grpc.ClientStreamingServer[testpb.Point, testpb.RouteSummary]
	RouteGuide_RouteChatServer    = grpc.BidiStreamingServer[testpb.RouteNote, testpb.RouteNote]
	RouteGuide_ListFeaturesClient = grpc.ServerStreamingClient[testpb.Feature]
	RouteGuide_RecordRouteClient  = grpc.ClientStreamingClient[testpb.Point, testpb.RouteSummary]
	RouteGuide_RouteChatClient    = grpc.BidiStreamingClient[testpb.RouteNote, testpb.RouteNote]
)

// routeGuide is one implementation for both transports.
type routeGuide struct{}

func (routeGuide) ListFeatures(in *testpb.Rectangle, stream RouteGuide_ListFeaturesServer) error {
	for i := in.GetLo().GetLatitude(); i <= in.GetHi().GetLatitude(); i++ {
		if err := stream.Send(&testpb.Feature{Name: fmt.Sprint("feature ", i), Location: &testpb.Point{Latitude: i}}); err != nil {
			return err
		}
	}
	return nil
}

func (routeGuide) RecordRoute(stream RouteGuide_RecordRouteServer) error {
	var sum testpb.RouteSummary
	for {
		p, err := stream.Recv()
		if err == io.EOF {
			return stream.SendAndClose(&sum)
		}
		if err != nil {
			return err
		}
		sum.PointCount++
		sum.Name = p.GetName()
	}
}

func (routeGuide) RouteChat(stream RouteGuide_RouteChatServer) error {
	for {
		in, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(&testpb.RouteNote{Room: in.GetRoom(), Message: "re: " + in.GetMessage()}); err != nil {
			return err
		}
	}
}

// ---- The shape of Kratos v3's generated HTTP code. ----

const (
	OperationRouteGuideListFeatures = "/testpb.v1.RouteGuide/ListFeatures"
	OperationRouteGuideRecordRoute  = "/testpb.v1.RouteGuide/RecordRoute"
	OperationRouteGuideRouteChat    = "/testpb.v1.RouteGuide/RouteChat"
)

type RouteGuideHTTPServer interface {
	ListFeatures(*testpb.Rectangle, RouteGuide_ListFeaturesServer) error
	RecordRoute(RouteGuide_RecordRouteServer) error
	RouteChat(RouteGuide_RouteChatServer) error
}

func RegisterRouteGuideHTTPServer(s *khttp.Server, srv RouteGuideHTTPServer) {
	r := s.Route("/")
	r.Handle("GET", "/v1/features", _RouteGuide_ListFeatures0_HTTP_Handler(srv))
	r.Handle("GET", "/v1/routes/{name}", _RouteGuide_RecordRoute0_HTTP_Handler(srv))
	r.Handle("GET", "/v1/rooms/{room}/notes", _RouteGuide_RouteChat0_HTTP_Handler(srv))
}

type RouteGuide_ListFeaturesHTTPServer struct {
	khttp.ServerStream
}

func (x *RouteGuide_ListFeaturesHTTPServer) Send(m *testpb.Feature) error {
	return x.ServerStream.Send(m)
}

type RouteGuide_RecordRouteHTTPServer struct {
	khttp.ServerStream
}

func (x *RouteGuide_RecordRouteHTTPServer) Recv() (*testpb.Point, error) {
	m := new(testpb.Point)
	if err := x.ServerStream.Recv(m); err != nil {
		return nil, err
	}
	return m, nil
}

func (x *RouteGuide_RecordRouteHTTPServer) SendAndClose(m *testpb.RouteSummary) error {
	return x.ServerStream.SendAndClose(m)
}

type RouteGuide_RouteChatHTTPServer struct {
	khttp.ServerStream
}

func (x *RouteGuide_RouteChatHTTPServer) Send(m *testpb.RouteNote) error {
	return x.ServerStream.Send(m)
}

func (x *RouteGuide_RouteChatHTTPServer) Recv() (*testpb.RouteNote, error) {
	m := new(testpb.RouteNote)
	if err := x.ServerStream.Recv(m); err != nil {
		return nil, err
	}
	return m, nil
}

func _RouteGuide_ListFeatures0_HTTP_Handler(srv RouteGuideHTTPServer) func(ctx khttp.Context) error {
	return func(ctx khttp.Context) error {
		var in testpb.Rectangle
		if err := ctx.BindQuery(&in); err != nil {
			return err
		}
		stream := khttp.NewServerSentEventServerStream(ctx)
		khttp.SetOperation(ctx, OperationRouteGuideListFeatures)
		h := ctx.Middleware(func(ctx context.Context, req any) (any, error) {
			stream.SetContext(ctx)
			return nil, srv.ListFeatures(req.(*testpb.Rectangle), &RouteGuide_ListFeaturesHTTPServer{ServerStream: stream})
		})
		_, err := h(ctx, &in)
		return stream.Close(err)
	}
}

func _RouteGuide_RecordRoute0_HTTP_Handler(srv RouteGuideHTTPServer) func(ctx khttp.Context) error {
	return func(ctx khttp.Context) error {
		stream, err := khttp.NewWebSocketServerStream(ctx)
		if err != nil {
			return err
		}
		khttp.SetOperation(ctx, OperationRouteGuideRecordRoute)
		h := ctx.Middleware(func(ctx context.Context, req any) (any, error) {
			stream.SetContext(ctx)
			return nil, srv.RecordRoute(&RouteGuide_RecordRouteHTTPServer{ServerStream: stream})
		})
		_, err = h(ctx, nil)
		return stream.Close(err)
	}
}

func _RouteGuide_RouteChat0_HTTP_Handler(srv RouteGuideHTTPServer) func(ctx khttp.Context) error {
	return func(ctx khttp.Context) error {
		stream, err := khttp.NewWebSocketServerStream(ctx)
		if err != nil {
			return err
		}
		khttp.SetOperation(ctx, OperationRouteGuideRouteChat)
		h := ctx.Middleware(func(ctx context.Context, req any) (any, error) {
			stream.SetContext(ctx)
			return nil, srv.RouteChat(&RouteGuide_RouteChatHTTPServer{ServerStream: stream})
		})
		_, err = h(ctx, nil)
		return stream.Close(err)
	}
}

type RouteGuideHTTPClient interface {
	ListFeatures(ctx context.Context, req *testpb.Rectangle, opts ...khttp.CallOption) (RouteGuide_ListFeaturesClient, error)
	RecordRoute(ctx context.Context, opts ...khttp.CallOption) (RouteGuide_RecordRouteClient, error)
	RouteChat(ctx context.Context, opts ...khttp.CallOption) (RouteGuide_RouteChatClient, error)
}

type RouteGuideHTTPClientImpl struct {
	cc *khttp.Client
}

func NewRouteGuideHTTPClient(client *khttp.Client) RouteGuideHTTPClient {
	return &RouteGuideHTTPClientImpl{client}
}

type RouteGuide_ListFeaturesHTTPClient struct {
	khttp.ClientStream
}

func (x *RouteGuide_ListFeaturesHTTPClient) Recv() (*testpb.Feature, error) {
	m := new(testpb.Feature)
	if err := x.ClientStream.Recv(m); err != nil {
		return nil, err
	}
	return m, nil
}

type RouteGuide_RecordRouteHTTPClient struct {
	khttp.ClientStream
	ctx     context.Context
	cc      *khttp.Client
	pattern string
	opts    []khttp.CallOption
}

func (x *RouteGuide_RecordRouteHTTPClient) open(m *testpb.Point) error {
	if x.ClientStream != nil {
		return nil
	}
	opts := x.opts
	path := khttp.BuildPath(x.pattern, m, khttp.WithQueryParams())
	stream, err := x.cc.WebSocket(x.ctx, path, opts...)
	if err != nil {
		return err
	}
	x.ClientStream = stream
	return nil
}

func (x *RouteGuide_RecordRouteHTTPClient) CloseSend() error {
	if err := x.open(nil); err != nil {
		return err
	}
	return x.ClientStream.CloseSend()
}

func (x *RouteGuide_RecordRouteHTTPClient) Send(m *testpb.Point) error {
	if err := x.open(m); err != nil {
		return err
	}
	return x.ClientStream.Send(m)
}

func (x *RouteGuide_RecordRouteHTTPClient) CloseAndRecv() (*testpb.RouteSummary, error) {
	if err := x.open(nil); err != nil {
		return nil, err
	}
	m := new(testpb.RouteSummary)
	if err := x.ClientStream.CloseAndRecv(m); err != nil {
		return nil, err
	}
	return m, nil
}

type RouteGuide_RouteChatHTTPClient struct {
	khttp.ClientStream
	ctx     context.Context
	cc      *khttp.Client
	pattern string
	opts    []khttp.CallOption
}

func (x *RouteGuide_RouteChatHTTPClient) open(m *testpb.RouteNote) error {
	if x.ClientStream != nil {
		return nil
	}
	opts := x.opts
	path := khttp.BuildPath(x.pattern, m, khttp.WithQueryParams())
	stream, err := x.cc.WebSocket(x.ctx, path, opts...)
	if err != nil {
		return err
	}
	x.ClientStream = stream
	return nil
}

func (x *RouteGuide_RouteChatHTTPClient) CloseSend() error {
	if err := x.open(nil); err != nil {
		return err
	}
	return x.ClientStream.CloseSend()
}

func (x *RouteGuide_RouteChatHTTPClient) Send(m *testpb.RouteNote) error {
	if err := x.open(m); err != nil {
		return err
	}
	return x.ClientStream.Send(m)
}

func (x *RouteGuide_RouteChatHTTPClient) Recv() (*testpb.RouteNote, error) {
	if err := x.open(nil); err != nil {
		return nil, err
	}
	m := new(testpb.RouteNote)
	if err := x.ClientStream.Recv(m); err != nil {
		return nil, err
	}
	return m, nil
}

func (c *RouteGuideHTTPClientImpl) ListFeatures(ctx context.Context, in *testpb.Rectangle, opts ...khttp.CallOption) (RouteGuide_ListFeaturesClient, error) {
	pattern := "/v1/features"
	path := khttp.BuildPath(pattern, in, khttp.WithQueryParams())
	opts = append([]khttp.CallOption{
		khttp.Accept("text/event-stream"),
		khttp.ContentType("application/protojson"),
		khttp.Operation(OperationRouteGuideListFeatures),
		khttp.PathTemplate(pattern),
	}, opts...)
	stream, err := c.cc.ServerSentEvent(ctx, "GET", path, nil, opts...)
	if err != nil {
		return nil, err
	}
	return &RouteGuide_ListFeaturesHTTPClient{ClientStream: stream}, nil
}

func (c *RouteGuideHTTPClientImpl) RecordRoute(ctx context.Context, opts ...khttp.CallOption) (RouteGuide_RecordRouteClient, error) {
	pattern := "/v1/routes/{name}"
	opts = append([]khttp.CallOption{
		khttp.Accept("application/protojson"),
		khttp.ContentType("application/protojson"),
		khttp.Operation(OperationRouteGuideRecordRoute),
		khttp.PathTemplate(pattern),
	}, opts...)
	return &RouteGuide_RecordRouteHTTPClient{ctx: ctx, cc: c.cc, pattern: pattern, opts: opts}, nil
}

func (c *RouteGuideHTTPClientImpl) RouteChat(ctx context.Context, opts ...khttp.CallOption) (RouteGuide_RouteChatClient, error) {
	pattern := "/v1/rooms/{room}/notes"
	opts = append([]khttp.CallOption{
		khttp.Accept("application/protojson"),
		khttp.ContentType("application/protojson"),
		khttp.Operation(OperationRouteGuideRouteChat),
		khttp.PathTemplate(pattern),
	}, opts...)
	return &RouteGuide_RouteChatHTTPClient{ctx: ctx, cc: c.cc, pattern: pattern, opts: opts}, nil
}

// ---- The gRPC side, as protoc-gen-go-grpc registers it. ----

var routeGuideServiceDesc = grpc.ServiceDesc{
	ServiceName: "testpb.v1.RouteGuide",
	HandlerType: (*RouteGuideHTTPServer)(nil),
	Streams: []grpc.StreamDesc{
		{
			StreamName:    "ListFeatures",
			ServerStreams: true,
			Handler: func(srv any, stream grpc.ServerStream) error {
				m := new(testpb.Rectangle)
				if err := stream.RecvMsg(m); err != nil {
					return err
				}
				return srv.(RouteGuideHTTPServer).ListFeatures(m, &grpc.GenericServerStream[testpb.Rectangle, testpb.Feature]{ServerStream: stream})
			},
		},
		{
			StreamName:    "RecordRoute",
			ClientStreams: true,
			Handler: func(srv any, stream grpc.ServerStream) error {
				return srv.(RouteGuideHTTPServer).RecordRoute(&grpc.GenericServerStream[testpb.Point, testpb.RouteSummary]{ServerStream: stream})
			},
		},
		{
			StreamName:    "RouteChat",
			ServerStreams: true,
			ClientStreams: true,
			Handler: func(srv any, stream grpc.ServerStream) error {
				return srv.(RouteGuideHTTPServer).RouteChat(&grpc.GenericServerStream[testpb.RouteNote, testpb.RouteNote]{ServerStream: stream})
			},
		},
	},
}

// grpcRouteGuide serves srv over gRPC on an in-memory listener and returns
// a connection to it, both closed at cleanup.
func grpcRouteGuide(t *testing.T, srv RouteGuideHTTPServer) *grpc.ClientConn {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	gs := grpc.NewServer()
	gs.RegisterService(&routeGuideServiceDesc, srv)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = gs.Serve(lis)
	}()
	cc, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cc.Close()
		gs.Stop()
		<-done
	})
	return cc
}

// TestOneImplementationOverGRPCAndHTTP runs the same streams against one
// implementation over gRPC, Server-Sent Events and WebSocket, with the
// clients of both generators' shapes.
func TestOneImplementationOverGRPCAndHTTP(t *testing.T) {
	srv, host := startServer(t)
	RegisterRouteGuideHTTPServer(srv, routeGuide{})
	httpClient := NewRouteGuideHTTPClient(newClient(t, host))
	cc := grpcRouteGuide(t, routeGuide{})
	ctx := context.Background()

	openList := map[string]func(*testpb.Rectangle) (RouteGuide_ListFeaturesClient, error){
		"http": func(in *testpb.Rectangle) (RouteGuide_ListFeaturesClient, error) {
			return httpClient.ListFeatures(ctx, in)
		},
		"grpc": func(in *testpb.Rectangle) (RouteGuide_ListFeaturesClient, error) {
			s, err := cc.NewStream(ctx, &routeGuideServiceDesc.Streams[0], "/testpb.v1.RouteGuide/ListFeatures")
			if err != nil {
				return nil, err
			}
			x := &grpc.GenericClientStream[testpb.Rectangle, testpb.Feature]{ClientStream: s}
			if err := x.SendMsg(in); err != nil {
				return nil, err
			}
			return x, x.CloseSend()
		},
	}
	openRecord := map[string]func() (RouteGuide_RecordRouteClient, error){
		"http": func() (RouteGuide_RecordRouteClient, error) { return httpClient.RecordRoute(ctx) },
		"grpc": func() (RouteGuide_RecordRouteClient, error) {
			s, err := cc.NewStream(ctx, &routeGuideServiceDesc.Streams[1], "/testpb.v1.RouteGuide/RecordRoute")
			return &grpc.GenericClientStream[testpb.Point, testpb.RouteSummary]{ClientStream: s}, err
		},
	}
	openChat := map[string]func() (RouteGuide_RouteChatClient, error){
		"http": func() (RouteGuide_RouteChatClient, error) { return httpClient.RouteChat(ctx) },
		"grpc": func() (RouteGuide_RouteChatClient, error) {
			s, err := cc.NewStream(ctx, &routeGuideServiceDesc.Streams[2], "/testpb.v1.RouteGuide/RouteChat")
			return &grpc.GenericClientStream[testpb.RouteNote, testpb.RouteNote]{ClientStream: s}, err
		},
	}
	for _, tr := range []string{"grpc", "http"} {
		t.Run(tr+" server-streaming", func(t *testing.T) {
			stream, err := openList[tr](&testpb.Rectangle{Lo: &testpb.Point{Latitude: 1}, Hi: &testpb.Point{Latitude: 3}})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for {
				f, err := stream.Recv()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				names = append(names, f.GetName())
			}
			if got, want := fmt.Sprint(names), "[feature 1 feature 2 feature 3]"; got != want {
				t.Errorf("ListFeatures() = %s, want %s", got, want)
			}
		})
		t.Run(tr+" client-streaming", func(t *testing.T) {
			stream, err := openRecord[tr]()
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := stream.Send(&testpb.Point{Name: "home", Latitude: 1}); err != nil {
					t.Fatal(err)
				}
			}
			sum, err := stream.CloseAndRecv()
			if err != nil {
				t.Fatal(err)
			}
			if want := (&testpb.RouteSummary{PointCount: 2, Name: "home"}); !proto.Equal(sum, want) {
				t.Errorf("RecordRoute() = %v, want %v", sum, want)
			}
		})
		t.Run(tr+" bidi-streaming", func(t *testing.T) {
			stream, err := openChat[tr]()
			if err != nil {
				t.Fatal(err)
			}
			for _, msg := range []string{"a", "b"} {
				if err := stream.Send(&testpb.RouteNote{Room: "r1", Message: msg}); err != nil {
					t.Fatal(err)
				}
				got, err := stream.Recv()
				if err != nil {
					t.Fatal(err)
				}
				if want := (&testpb.RouteNote{Room: "r1", Message: "re: " + msg}); !proto.Equal(got, want) {
					t.Errorf("RouteChat() = %v, want %v", got, want)
				}
			}
			if err := stream.CloseSend(); err != nil {
				t.Fatal(err)
			}
			if _, err := stream.Recv(); err != io.EOF {
				t.Errorf("Recv() error = %v, want io.EOF", err)
			}
		})
	}
}

// TestKratosV3ClientShapeSendsProtoJSON checks the headers the v3 client
// shape sends are answered in protojson.
func TestKratosV3ClientShapeSendsProtoJSON(t *testing.T) {
	srv, host := startServer(t)
	var gotAccept, gotCT string
	srv.Route("/").GET("/v1/features", func(ctx khttp.Context) error {
		gotAccept, gotCT = ctx.Header().Get("Accept"), ctx.Header().Get("Content-Type")
		return _RouteGuide_ListFeatures0_HTTP_Handler(routeGuide{})(ctx)
	})
	stream, err := NewRouteGuideHTTPClient(newClient(t, host)).ListFeatures(context.Background(), &testpb.Rectangle{Hi: &testpb.Point{Latitude: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != io.EOF {
		t.Fatalf("Recv() error = %v, want io.EOF", err)
	}
	if gotAccept != "text/event-stream" || gotCT != "application/protojson" {
		t.Errorf("request Accept %q Content-Type %q, want text/event-stream and application/protojson", gotAccept, gotCT)
	}
	if md, _ := stream.Header(); md.Get("content-type")[0] != "text/event-stream" {
		t.Errorf("response Content-Type = %v, want text/event-stream", md.Get("content-type"))
	}
}
