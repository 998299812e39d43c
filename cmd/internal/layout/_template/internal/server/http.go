package server

import (
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/transport/http"

	v1 "helloworld/api/helloworld/v1"
	"helloworld/internal/conf"
	"helloworld/internal/service"
)

// NewHTTPServer returns the HTTP server with the Greeter registered.
func NewHTTPServer(c *conf.Server, greeter *service.GreeterService, mw ...middleware.Middleware) *http.Server {
	opts := []http.ServerOption{http.Middleware(mw...)}
	if n := c.GetHttp().GetNetwork(); n != "" {
		opts = append(opts, http.Network(n))
	}
	if a := c.GetHttp().GetAddr(); a != "" {
		opts = append(opts, http.Address(a))
	}
	if t := c.GetHttp().GetTimeout(); t != nil {
		opts = append(opts, http.Timeout(t.AsDuration()))
	}
	rpc := !c.GetHttp().GetDisableRpc()
	if rpc {
		// gRPC clients speak HTTP/2; without TLS they need h2c.
		opts = append(opts, http.WithH2C(true))
	}
	srv := http.NewServer(opts...)
	v1.RegisterGreeterHTTPServer(srv, greeter)
	if rpc {
		// The same port answers Connect, gRPC-Web and gRPC for the
		// Greeter (server.http.disable_rpc turns it off).
		v1.RegisterGreeterServer(srv, greeter)
	}
	return srv
}
