package server

import (
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport/grpc"

	v1 "helloworld/api/helloworld/v1"
	"helloworld/internal/conf"
	"helloworld/internal/service"
)

// NewGRPCServer returns the gRPC server with the Greeter registered.
func NewGRPCServer(c *conf.Server, greeter *service.GreeterService, mw ...middleware.Middleware) *grpc.Server {
	opts := []grpc.ServerOption{grpc.Middleware(mw...)}
	if n := c.GetGrpc().GetNetwork(); n != "" {
		opts = append(opts, grpc.Network(n))
	}
	if a := c.GetGrpc().GetAddr(); a != "" {
		opts = append(opts, grpc.Address(a))
	}
	if t := c.GetGrpc().GetTimeout(); t != nil {
		opts = append(opts, grpc.Timeout(t.AsDuration()))
	}
	srv := grpc.NewServer(opts...)
	v1.RegisterGreeterServer(srv, greeter)
	return srv
}
