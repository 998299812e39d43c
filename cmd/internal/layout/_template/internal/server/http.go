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
	srv := http.NewServer(opts...)
	v1.RegisterGreeterHTTPServer(srv, greeter)
	return srv
}
