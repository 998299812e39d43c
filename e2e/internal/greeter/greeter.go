// Package greeter is a one-method service for the end-to-end tests, served
// over HTTP and gRPC by the framework's transports. It is written by hand in
// the shape generated code has, with a well-known protobuf type as request
// and reply, so the tests need no code generation.
package greeter

import (
	"context"
	"net/url"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"

	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

// OperationSayHello is the operation name of SayHello on both transports.
const OperationSayHello = "/e2e.Greeter/SayHello"

// Server is what the service does: greet a name.
type Server interface {
	SayHello(ctx context.Context, name *wrapperspb.StringValue) (*wrapperspb.StringValue, error)
}

// RegisterGRPC adds srv to s as the gRPC service e2e.Greeter.
func RegisterGRPC(s grpc.ServiceRegistrar, srv Server) {
	s.RegisterService(&serviceDesc, srv)
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: "e2e.Greeter",
	HandlerType: (*Server)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "SayHello",
		Handler:    sayHelloGRPC,
	}},
	Metadata: "e2e/greeter",
}

func sayHelloGRPC(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(wrapperspb.StringValue)
	if err := dec(in); err != nil {
		return nil, err
	}
	call := func(ctx context.Context, req any) (any, error) {
		return srv.(Server).SayHello(ctx, req.(*wrapperspb.StringValue))
	}
	if interceptor == nil {
		return call(ctx, in)
	}
	return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: OperationSayHello}, call)
}

// GRPCClient calls the service over gRPC.
type GRPCClient struct {
	cc grpc.ClientConnInterface
}

// NewGRPCClient returns a client calling through cc.
func NewGRPCClient(cc grpc.ClientConnInterface) *GRPCClient { return &GRPCClient{cc: cc} }

// SayHello greets name.
func (c *GRPCClient) SayHello(ctx context.Context, name *wrapperspb.StringValue, opts ...grpc.CallOption) (*wrapperspb.StringValue, error) {
	out := new(wrapperspb.StringValue)
	if err := c.cc.Invoke(ctx, OperationSayHello, name, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

// RegisterHTTP adds srv to s as GET /hello/{name}.
func RegisterHTTP(s *khttp.Server, srv Server) {
	s.Route("/").GET("/hello/{name}", func(ctx khttp.Context) error {
		in := &wrapperspb.StringValue{Value: ctx.Vars().Get("name")}
		khttp.SetOperation(ctx, OperationSayHello)
		h := ctx.Middleware(func(ctx context.Context, req any) (any, error) {
			return srv.SayHello(ctx, req.(*wrapperspb.StringValue))
		})
		out, err := h(ctx, in)
		if err != nil {
			return err
		}
		return ctx.Result(200, out)
	})
}

// HTTPClient calls the service over HTTP.
type HTTPClient struct {
	c *khttp.Client
}

// NewHTTPClient returns a client calling through c.
func NewHTTPClient(c *khttp.Client) *HTTPClient { return &HTTPClient{c: c} }

// SayHello greets name.
func (c *HTTPClient) SayHello(ctx context.Context, name *wrapperspb.StringValue, opts ...khttp.CallOption) (*wrapperspb.StringValue, error) {
	out := new(wrapperspb.StringValue)
	opts = append(opts, khttp.Operation(OperationSayHello), khttp.PathTemplate("/hello/{name}"))
	if err := c.c.Invoke(ctx, "GET", "/hello/"+url.PathEscape(name.GetValue()), nil, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}
