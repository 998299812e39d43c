package mcp_test

import (
	"context"
	encjson "encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/seed6ad8aa6b/kratos/contrib/transport/mcp"
	"github.com/seed6ad8aa6b/kratos/contrib/transport/mcp/internal/testpb"
	"github.com/seed6ad8aa6b/kratos/errors"
	"github.com/seed6ad8aa6b/kratos/middleware"
	"github.com/seed6ad8aa6b/kratos/middleware/auth/jwt"
	"github.com/seed6ad8aa6b/kratos/middleware/validate"
	"github.com/seed6ad8aa6b/kratos/transport"
	khttp "github.com/seed6ad8aa6b/kratos/transport/http"
)

var secret = []byte("test secret")

type greeter struct {
	testpb.UnimplementedGreeterServer
}

func (greeter) SayHello(ctx context.Context, req *testpb.HelloRequest) (*testpb.HelloReply, error) {
	if req.GetName() == "missing" {
		return nil, errors.NotFound("USER_NOT_FOUND", "no such user").WithMetadata(map[string]string{"name": "missing"})
	}
	if _, ok := jwt.FromContext(ctx); !ok {
		return nil, errors.InternalServer("NO_CLAIMS", "the handler ran without claims")
	}
	return &testpb.HelloReply{Message: "Hello " + req.GetName(), Count: req.GetTimes()}, nil
}

func (greeter) SayGoodbye(ctx context.Context, req *testpb.HelloRequest) (*testpb.HelloReply, error) {
	return &testpb.HelloReply{Message: "Bye " + req.GetName()}, nil
}

// recorder is a middleware that keeps the transporters it saw.
type recorder struct {
	mu  sync.Mutex
	trs []transport.Transporter
}

func (r *recorder) middleware(next middleware.Handler) middleware.Handler {
	return func(ctx context.Context, req any) (any, error) {
		if tr, ok := transport.FromServerContext(ctx); ok {
			r.mu.Lock()
			r.trs = append(r.trs, tr)
			r.mu.Unlock()
		}
		return next(ctx, req)
	}
}

func newServer(t *testing.T, rec *recorder, opts ...mcp.ServiceOption) *mcp.Server {
	t.Helper()
	keyFunc := func(*gojwt.Token) (any, error) { return secret, nil }
	srv := mcp.NewServer(mcp.WithMiddleware(
		rec.middleware,
		jwt.Server(keyFunc, jwt.WithSigningMethod(gojwt.SigningMethodHS256)),
		validate.Validator(),
	))
	if err := srv.RegisterService(&testpb.Greeter_ServiceDesc, greeter{}, opts...); err != nil {
		t.Fatalf("RegisterService() = %v", err)
	}
	return srv
}

func token(t *testing.T) string {
	t.Helper()
	s, err := gojwt.NewWithClaims(gojwt.SigningMethodHS256, gojwt.MapClaims{"sub": "ann"}).SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// bearer adds an Authorization header to every request.
type bearer struct {
	token string
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func connect(t *testing.T, tr sdk.Transport) *sdk.ClientSession {
	t.Helper()
	c := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "v0"}, nil)
	cs, err := c.Connect(t.Context(), tr, nil)
	if err != nil {
		t.Fatalf("Connect() = %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// startServer runs srv as an App would and returns its URL.
func startServer(t *testing.T, srv *mcp.Server) string {
	t.Helper()
	u, err := srv.URL()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Start(context.Background()) }()
	t.Cleanup(func() {
		if err := srv.Stop(context.Background()); err != nil {
			t.Errorf("Stop() = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Start() = %v", err)
		}
	})
	return u.String()
}

func TestListTools(t *testing.T) {
	srv := newServer(t, &recorder{})
	url := startServer(t, srv)
	cs := connect(t, &sdk.StreamableClientTransport{Endpoint: url})
	if got := cs.InitializeResult().ServerInfo.Name; got != "kratos" {
		t.Errorf("server name = %q, want %q", got, "kratos")
	}
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatalf("ListTools() = %v", err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		for kind, s := range map[string]any{"input": tool.InputSchema, "output": tool.OutputSchema} {
			resolveSchema(t, tool.Name+" "+kind, s)
		}
		if tool.Description == "" {
			t.Errorf("tool %s has no description", tool.Name)
		}
	}
	if got, want := strings.Join(names, ","), "Greeter_SayGoodbye,Greeter_SayHello"; got != want {
		t.Errorf("tools = %s, want %s", got, want)
	}
}

// resolveSchema checks that s is a valid JSON Schema and returns it resolved.
func resolveSchema(t *testing.T, name string, s any) *jsonschema.Resolved {
	t.Helper()
	b, err := encjson.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var js jsonschema.Schema
	if err := encjson.Unmarshal(b, &js); err != nil {
		t.Fatalf("%s schema %s: %v", name, b, err)
	}
	r, err := js.Resolve(nil)
	if err != nil {
		t.Fatalf("%s schema %s does not resolve: %v", name, b, err)
	}
	if js.Type != "object" {
		t.Errorf("%s schema type = %q, want object", name, js.Type)
	}
	return r
}

func TestCallTool(t *testing.T) {
	rec := &recorder{}
	srv := newServer(t, rec)
	url := startServer(t, srv)
	authed := connect(t, &sdk.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: bearer{token(t)}}})
	anonymous := connect(t, &sdk.StreamableClientTransport{Endpoint: url})
	list, err := authed.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatalf("ListTools() = %v", err)
	}
	var output *jsonschema.Resolved
	for _, tool := range list.Tools {
		if tool.Name == "Greeter_SayHello" {
			output = resolveSchema(t, tool.Name+" output", tool.OutputSchema)
		}
	}
	if output == nil {
		t.Fatal("no tool Greeter_SayHello")
	}

	tests := []struct {
		name    string
		cs      *sdk.ClientSession
		args    any
		want    map[string]any // structured content
		wantErr *errors.Error
	}{
		{name: "success", cs: authed, args: map[string]any{"name": "Ann", "times": "2"},
			want: map[string]any{"message": "Hello Ann", "count": "2"}},
		{name: "validation", cs: authed, args: map[string]any{"name": ""},
			wantErr: errors.BadRequest("VALIDATOR", "")},
		{name: "undecodable", cs: authed, args: map[string]any{"name": 5},
			wantErr: errors.BadRequest("CODEC", "")},
		{name: "unknown field ignored", cs: authed, args: map[string]any{"name": "Ann", "nope": 1},
			want: map[string]any{"message": "Hello Ann", "count": "0"}},
		{name: "not an object", cs: authed, args: []any{"Ann"},
			wantErr: errors.BadRequest("CODEC", "")},
		{name: "kratos error", cs: authed, args: map[string]any{"name": "missing"},
			wantErr: errors.NotFound("USER_NOT_FOUND", "no such user").WithMetadata(map[string]string{"name": "missing"})},
		{name: "no token", cs: anonymous, args: map[string]any{"name": "Ann"},
			wantErr: errors.Unauthorized("UNAUTHORIZED", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "Greeter_SayHello", Arguments: tt.args})
			if err != nil {
				t.Fatalf("CallTool() = %v", err)
			}
			if len(res.Content) != 1 {
				t.Fatalf("CallTool() content = %d items, want 1", len(res.Content))
			}
			text := res.Content[0].(*sdk.TextContent).Text
			if tt.wantErr != nil {
				if !res.IsError {
					t.Fatalf("CallTool() = %s, want a tool error", text)
				}
				var got struct {
					Code     int32             `json:"code"`
					Reason   string            `json:"reason"`
					Message  string            `json:"message"`
					Metadata map[string]string `json:"metadata"`
				}
				if err := encjson.Unmarshal([]byte(text), &got); err != nil {
					t.Fatalf("tool error %q: %v", text, err)
				}
				if got.Code != tt.wantErr.Code || got.Reason != tt.wantErr.Reason {
					t.Errorf("tool error = %s, want code %d reason %s", text, tt.wantErr.Code, tt.wantErr.Reason)
				}
				if tt.wantErr.Message != "" && got.Message != tt.wantErr.Message {
					t.Errorf("tool error message = %q, want %q", got.Message, tt.wantErr.Message)
				}
				if got.Message == "" {
					t.Errorf("tool error %s has no message", text)
				}
				if w := tt.wantErr.Metadata["name"]; got.Metadata["name"] != w {
					t.Errorf("tool error metadata = %v, want %v", got.Metadata, tt.wantErr.Metadata)
				}
				return
			}
			if res.IsError {
				t.Fatalf("CallTool() = tool error %s", text)
			}
			b, _ := encjson.Marshal(res.StructuredContent)
			var got map[string]any
			if err := encjson.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if err := output.Validate(got); err != nil {
				t.Errorf("structured content %v does not match the output schema: %v", got, err)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("structured content %s = %v, want %v", k, got[k], v)
				}
			}
			var textGot map[string]any
			if err := encjson.Unmarshal([]byte(text), &textGot); err != nil || textGot["message"] != tt.want["message"] {
				t.Errorf("text content = %s, want the reply in protojson", text)
			}
		})
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.trs) == 0 {
		t.Fatal("the middleware saw no transporter")
	}
	for _, tr := range rec.trs {
		if tr.Kind() != mcp.KindMCP || tr.Operation() != "/kratos.mcptest.v1.Greeter/SayHello" {
			t.Errorf("transporter = %s %s, want mcp /kratos.mcptest.v1.Greeter/SayHello", tr.Kind(), tr.Operation())
		}
	}
}

func TestAllowList(t *testing.T) {
	tests := []struct {
		name string
		opts []mcp.ServiceOption
		want string
	}{
		{name: "all", want: "Greeter_SayGoodbye,Greeter_SayHello"},
		{name: "allow list", opts: []mcp.ServiceOption{mcp.WithMethods("SayHello")}, want: "Greeter_SayHello"},
		{name: "per method", opts: []mcp.ServiceOption{
			mcp.WithMethods("SayHello"),
			mcp.WithMethod("SayGoodbye", mcp.WithToolName("bye"), mcp.WithDescription("Says bye.")),
		}, want: "Greeter_SayHello,bye"},
		{name: "hidden", opts: []mcp.ServiceOption{mcp.WithMethod("SayHello", mcp.WithHidden(true))}, want: "Greeter_SayGoodbye"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, &recorder{}, tt.opts...)
			hs := httptest.NewServer(srv)
			t.Cleanup(hs.Close) // after the session closes
			cs := connect(t, &sdk.StreamableClientTransport{Endpoint: hs.URL})
			res, err := cs.ListTools(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tool := range res.Tools {
				names = append(names, tool.Name)
			}
			if got := strings.Join(names, ","); got != tt.want {
				t.Errorf("tools = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRegisterServiceErrors(t *testing.T) {
	tests := []struct {
		name string
		impl any
		opts []mcp.ServiceOption
	}{
		{name: "unknown method", impl: greeter{}, opts: []mcp.ServiceOption{mcp.WithMethods("Nope")}},
		{name: "streaming method", impl: greeter{}, opts: []mcp.ServiceOption{mcp.WithMethod("StreamHello")}},
		{name: "wrong impl", impl: struct{}{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mcp.NewServer().RegisterService(&testpb.Greeter_ServiceDesc, tt.impl, tt.opts...)
			if err == nil {
				t.Error("RegisterService() = nil, want an error")
			}
		})
	}
}

// TestSSE calls a tool over the older HTTP+SSE transport, with the token
// on the request that opens the session.
func TestSSE(t *testing.T) {
	srv := newServer(t, &recorder{})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close) // after the session closes
	cs := connect(t, &sdk.SSEClientTransport{Endpoint: hs.URL + "/sse", HTTPClient: &http.Client{Transport: bearer{token(t)}}})
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "Greeter_SayHello", Arguments: map[string]any{"name": "Ann"}})
	if err != nil {
		t.Fatalf("CallTool() = %v", err)
	}
	if res.IsError {
		t.Fatalf("CallTool() = tool error %s", res.Content[0].(*sdk.TextContent).Text)
	}
}

// TestHandlePrefix mounts the server on the framework's HTTP server, and
// stops that server while a session is open: CloseSessions, run on
// shutdown, ends the session's stream, so the stop is graceful.
func TestHandlePrefix(t *testing.T) {
	srv := newServer(t, &recorder{})
	hs := khttp.NewServer(khttp.Address("127.0.0.1:0"))
	hs.HandlePrefix("/mcp", srv)
	hs.RegisterOnShutdown(srv.CloseSessions)
	u, err := hs.Endpoint()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- hs.Start(context.Background()) }()

	cs := connect(t, &sdk.StreamableClientTransport{Endpoint: u.String() + "/mcp", HTTPClient: &http.Client{Transport: bearer{token(t)}}})
	res, err := cs.CallTool(t.Context(), &sdk.CallToolParams{Name: "Greeter_SayHello", Arguments: map[string]any{"name": "Ann"}})
	if err != nil {
		t.Fatalf("CallTool() = %v", err)
	}
	if res.IsError {
		t.Fatalf("CallTool() = tool error %s", res.Content[0].(*sdk.TextContent).Text)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Stop(ctx); err != nil {
		t.Errorf("Stop() with a session open = %v", err)
	}
	if ctx.Err() != nil {
		t.Error("Stop() with a session open waited for its deadline")
	}
	if err := <-done; err != nil {
		t.Errorf("Start() = %v", err)
	}
}

// TestDescriptions reads the descriptor from a descriptor set compiled
// with source info (testdata/greeter.binpb, see internal/testpb), so the
// proto comments become the tool's and the properties' descriptions.
func TestDescriptions(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "greeter.binpb"))
	if err != nil {
		t.Fatal(err)
	}
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	files, err := protodesc.NewFiles(&set)
	if err != nil {
		t.Fatal(err)
	}
	srv := mcp.NewServer()
	if err := srv.RegisterService(&testpb.Greeter_ServiceDesc, greeter{}, mcp.WithFiles(files), mcp.WithMethods("SayHello")); err != nil {
		t.Fatalf("RegisterService() = %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close) // after the session closes
	cs := connect(t, &sdk.StreamableClientTransport{Endpoint: hs.URL})
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tools) != 1 {
		t.Fatalf("ListTools() = %d tools, want 1", len(res.Tools))
	}
	tool := res.Tools[0]
	if got, want := tool.Description, "Sends a greeting."; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
	in, _ := encjson.Marshal(tool.InputSchema)
	if want := "The name to greet; must not be empty."; !strings.Contains(string(in), want) {
		t.Errorf("input schema = %s, want the description %q", in, want)
	}
}

func TestStopBeforeStart(t *testing.T) {
	srv := mcp.NewServer(mcp.WithAddress("127.0.0.1:0"))
	if _, err := srv.URL(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(context.Background()); err != nil {
		t.Errorf("Stop() = %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Errorf("Start() after Stop = %v, want nil", err)
	}
}
