package main

import (
	"context"
	"fmt"

	"github.com/seed6ad8aa6b/kratos"
	v1 "github.com/seed6ad8aa6b/kratos/examples/helloworld/api/helloworld/v1"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware/logging"
	"github.com/seed6ad8aa6b/kratos/middleware/recovery"
	"github.com/seed6ad8aa6b/kratos/transport/grpc"
	"github.com/seed6ad8aa6b/kratos/transport/http"
)

// greeter implements the Greeter service for both transports.
type greeter struct {
	v1.UnimplementedGreeterServer
}

// SayHello greets name; the name "error" answers USER_NOT_FOUND, to show
// how errors travel.
func (greeter) SayHello(ctx context.Context, in *v1.HelloRequest) (*v1.HelloReply, error) {
	if in.GetName() == "error" {
		return nil, v1.ErrorUserNotFound("user not found: %s", in.GetName())
	}
	return &v1.HelloReply{Message: fmt.Sprintf("Hello %s", in.GetName())}, nil
}

// newApp wires the Greeter into an HTTP and a gRPC server under one App.
func newApp(logger log.Logger, httpAddr, grpcAddr string, opts ...kratos.Option) *kratos.App {
	httpSrv := http.NewServer(
		http.Address(httpAddr),
		http.Middleware(recovery.Recovery(), logging.Server(logger)),
	)
	grpcSrv := grpc.NewServer(
		grpc.Address(grpcAddr),
		grpc.Middleware(recovery.Recovery(), logging.Server(logger)),
	)
	s := greeter{}
	v1.RegisterGreeterServer(grpcSrv, s)
	v1.RegisterGreeterHTTPServer(httpSrv, s)
	return kratos.New(append([]kratos.Option{
		kratos.Name("helloworld"),
		kratos.Version("v1.0.0"),
		kratos.Logger(logger),
		kratos.Server(httpSrv, grpcSrv),
	}, opts...)...)
}
