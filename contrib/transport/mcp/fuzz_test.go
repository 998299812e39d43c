package mcp_test

import (
	"context"
	encjson "encoding/json"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/seed6ad8aa6b/kratos/contrib/transport/mcp"
	"github.com/seed6ad8aa6b/kratos/contrib/transport/mcp/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/middleware/validate"
)

// FuzzArguments sends arbitrary tool arguments, which come from the
// network: every call must answer a result, a reply or a tool error, and
// never fail the session.
func FuzzArguments(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Ann","times":"2"}`, `{}`, `null`, `[]`, `"Ann"`, `{"name":5}`,
		`{"times":"99999999999999999999"}`, `{"times":1.5}`, `{"name":"\ud800"}`, `{"name":null,"times":null}`,
	} {
		f.Add([]byte(seed))
	}
	ctx := context.Background()
	srv := mcp.NewServer(mcp.WithMiddleware(validate.Validator()))
	if err := srv.RegisterService(&testpb.Greeter_ServiceDesc, exampleGreeter{}); err != nil {
		f.Fatal(err)
	}
	serverTransport, clientTransport := sdk.NewInMemoryTransports()
	ss, err := srv.MCP().Connect(ctx, serverTransport, nil)
	if err != nil {
		f.Fatal(err)
	}
	defer ss.Close()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "fuzz"}, nil).Connect(ctx, clientTransport, nil)
	if err != nil {
		f.Fatal(err)
	}
	defer cs.Close()

	f.Fuzz(func(t *testing.T, args []byte) {
		if !encjson.Valid(args) {
			t.Skip("the client sends only JSON")
		}
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "Greeter_SayHello", Arguments: encjson.RawMessage(args)})
		if err != nil {
			t.Fatalf("CallTool(%s) = %v", args, err)
		}
		if len(res.Content) != 1 {
			t.Fatalf("CallTool(%s) content = %d items, want 1", args, len(res.Content))
		}
		if !res.IsError && res.StructuredContent == nil {
			t.Errorf("CallTool(%s) = a reply without structured content", args)
		}
	})
}
