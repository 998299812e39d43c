package mcp_test

import (
	"context"
	"fmt"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed6ad8aa6b/kratos/contrib/transport/mcp"
	"github.com/seed6ad8aa6b/kratos/contrib/transport/mcp/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/middleware/validate"
)

type exampleGreeter struct {
	testpb.UnimplementedGreeterServer
}

func (exampleGreeter) SayHello(_ context.Context, req *testpb.HelloRequest) (*testpb.HelloReply, error) {
	return &testpb.HelloReply{Message: "Hello " + req.GetName(), Count: req.GetTimes()}, nil
}

// The Greeter's SayHello as a tool, called over the SDK's in-memory
// transport. An App would run srv instead, or mount it on its HTTP server.
func ExampleServer_RegisterService() {
	ctx := context.Background()
	srv := mcp.NewServer(mcp.WithMiddleware(validate.Validator()))
	if err := srv.RegisterService(&testpb.Greeter_ServiceDesc, exampleGreeter{}, mcp.WithMethods("SayHello")); err != nil {
		panic(err)
	}

	serverTransport, clientTransport := sdk.NewInMemoryTransports()
	ss, err := srv.MCP().Connect(ctx, serverTransport, nil)
	if err != nil {
		panic(err)
	}
	defer ss.Close()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "example"}, nil).Connect(ctx, clientTransport, nil)
	if err != nil {
		panic(err)
	}
	defer cs.Close()

	for _, name := range []string{"kratos", ""} {
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{
			Name:      "Greeter_SayHello",
			Arguments: map[string]any{"name": name, "times": "2"},
		})
		if err != nil {
			panic(err)
		}
		fmt.Println(res.IsError, res.Content[0].(*sdk.TextContent).Text)
	}
	// Output:
	// false {"message":"Hello kratos","count":"2"}
	// true {"code":400,"reason":"VALIDATOR","message":"invalid HelloRequest.Name: value length must be at least 1 runes"}
}
