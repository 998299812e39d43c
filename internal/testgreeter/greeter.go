package testgreeter

import "context"

// SayHelloFunc adapts a function to a Greeter server for both transports,
// the way http.HandlerFunc adapts a function to an http.Handler: SayHello
// calls the function, and StreamHello answers Unimplemented.
type SayHelloFunc func(ctx context.Context, in *HelloRequest) (*HelloReply, error)

var (
	_ GreeterServer     = SayHelloFunc(nil)
	_ GreeterHTTPServer = SayHelloFunc(nil)
)

// SayHello returns f(ctx, in).
func (f SayHelloFunc) SayHello(ctx context.Context, in *HelloRequest) (*HelloReply, error) {
	return f(ctx, in)
}

// StreamHello returns a gRPC Unimplemented error.
func (SayHelloFunc) StreamHello(in *HelloRequest, stream Greeter_StreamHelloServer) error {
	return UnimplementedGreeterServer{}.StreamHello(in, stream)
}

func (SayHelloFunc) mustEmbedUnimplementedGreeterServer() {}
