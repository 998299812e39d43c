package main

import (
	"context"
	"fmt"

	"github.com/seed6ad8aa6b/kratos"
	"github.com/seed6ad8aa6b/kratos/contrib/transport/mcp"
	v1 "github.com/seed6ad8aa6b/kratos/examples/helloworld/api/helloworld/v1"
	"github.com/seed6ad8aa6b/kratos/log"
	"github.com/seed6ad8aa6b/kratos/middleware/logging"
	"github.com/seed6ad8aa6b/kratos/middleware/recovery"
	"github.com/seed6ad8aa6b/kratos/transport/http"
)

// greeter implements the Greeter service.
type greeter struct {
	v1.UnimplementedGreeterServer
}

// SayHello greets name; the name "error" answers USER_NOT_FOUND, which a
// tool call sees as a tool error with code, reason and message.
func (greeter) SayHello(ctx context.Context, in *v1.HelloRequest) (*v1.HelloReply, error) {
	if in.GetName() == "error" {
		return nil, v1.ErrorUserNotFound("user not found: %s", in.GetName())
	}
	return &v1.HelloReply{Message: fmt.Sprintf("Hello %s", in.GetName())}, nil
}

// newApp serves the Greeter on one HTTP server: its HTTP routes, and its
// RPCs as MCP tools mounted at /mcp. Both run the same middleware; the
// tool calls see a transport of kind "mcp".
func newApp(logger log.Logger, httpAddr string, opts ...kratos.Option) (*kratos.App, error) {
	ms := []mcp.ServerOption{mcp.WithMiddleware(recovery.Recovery(), logging.Server(logger))}
	mcpSrv := mcp.NewServer(append(ms, mcp.WithImplementation("helloworld", "v1.0.0"))...)
	s := greeter{}
	if err := mcpSrv.RegisterService(&v1.Greeter_ServiceDesc, s,
		mcp.WithMethod("SayHello", mcp.WithDescription("Greets a user by name."))); err != nil {
		return nil, err
	}

	httpSrv := http.NewServer(
		http.Address(httpAddr),
		http.Middleware(recovery.Recovery(), logging.Server(logger)),
	)
	v1.RegisterGreeterHTTPServer(httpSrv, s)
	// A prefix handler runs without the request timeout, which would cut
	// the MCP streams.
	httpSrv.HandlePrefix("/mcp", mcpSrv)
	// The sessions' streams end as the HTTP server stops, which would
	// otherwise wait for them until its deadline.
	httpSrv.RegisterOnShutdown(mcpSrv.CloseSessions)

	return kratos.New(append([]kratos.Option{
		kratos.Name("helloworld-mcp"),
		kratos.Version("v1.0.0"),
		kratos.Logger(logger),
		kratos.Server(httpSrv),
	}, opts...)...), nil
}
