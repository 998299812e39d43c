package httpgen_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/protobuf/compiler/protogen"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/gentest"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/httpgen"
)

// streamDemo returns a proto whose Demo service has a method Call of the
// given kind ("stream Req", "Req" ...) with the given rule.
func streamDemo(in, out, rule string) string {
	return `syntax = "proto3";
package demo.v1;
import "google/api/annotations.proto";
import "google/api/httpbody.proto";
option go_package = "example.com/demo;demo";
service Demo {
  rpc Call(` + in + `) returns (` + out + `) { option (google.api.http) = { ` + rule + ` }; }
}
message Ref { string shelf = 1; }
message Req { string id = 1; Ref ref = 2; string text = 3; repeated Ref refs = 4; }
message Reply { string name = 1; Ref ref = 2; repeated Ref refs = 3; google.api.HttpBody body = 4; }
`
}

// TestInvalidStreamAnnotations checks that the rules of streaming methods
// are checked as those of unary ones, and that a response_body of a
// stream names a message field.
func TestInvalidStreamAnnotations(t *testing.T) {
	tests := []struct {
		in, out, rule string
		want          string
	}{
		{"Req", "stream Reply", `get: "/v1/{nope}"`, `path variable "nope": nope is not a field of demo.v1.Req`},
		{"Req", "stream Reply", `post: "/v1/x" body: "nope"`, `body "nope": nope is not a field of demo.v1.Req`},
		{"Req", "stream Reply", `get: "/v1/x" response_body: "nope"`, `response_body "nope": nope is not a field of demo.v1.Reply`},
		{"Req", "stream Reply", `get: "/v1/x" response_body: "name"`, `response_body "name": the messages of a stream must be a message field`},
		{"Req", "stream Reply", `get: "/v1/x" response_body: "refs"`, `response_body "refs": the messages of a stream must be a message field`},
		{"stream Req", "Reply", `get: "/v1/x" body: "nope"`, `body "nope": nope is not a field of demo.v1.Req`},
		{"stream Req", "Reply", `get: "/v1/x" body: "ref.shelf"`, `must name a field of demo.v1.Req itself`},
		{"stream Req", "stream Reply", `get: "/v1/x" response_body: "nope"`, `response_body "nope": nope is not a field of demo.v1.Reply`},
		{"stream Req", "stream Reply", `get: "/v1/{id" body: "*"`, `unclosed {`},
	}
	for _, tt := range tests {
		t.Run(tt.in+" "+tt.out+" "+tt.rule, func(t *testing.T) {
			files, _, err := run(t, streamDemo(tt.in, tt.out, tt.rule), httpgen.DefaultOptions())
			if err == nil {
				t.Fatalf("Generate() wrote %d files, want an error", len(files))
			}
			if msg := err.Error(); !strings.Contains(msg, "demo.proto: service demo.v1.Demo, method Call: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not name the file, service and method and say %q", msg, tt.want)
			}
		})
	}
}

func TestStreamWarnings(t *testing.T) {
	tests := []struct {
		in, out, rule string
		want          string // "" for none
	}{
		{"stream Req", "Reply", `get: "/v1/x"`, ""},
		{"stream Req", "stream Reply", `get: "/v1/x" body: "ref"`, ""},
		{"stream Req", "stream Reply", `post: "/v1/x" body: "*"`, "served over WebSocket, so the route is GET"},
		{"stream Req", "Reply", `get: "/v1/x" additional_bindings { get: "/v1/x" }`, `WebSocket route GET "/v1/x" given by two rules`},
		{"Req", "stream Reply", `get: "/v1/x"`, ""},
		{"Req", "stream Reply", `post: "/v1/x" body: "*"`, ""},
		{"Req", "stream Reply", `get: "/v1/x" body: "*"`, "a GET request should not have a body"},
	}
	for _, tt := range tests {
		files, warnings, err := run(t, streamDemo(tt.in, tt.out, tt.rule), httpgen.DefaultOptions())
		if err != nil {
			t.Errorf("%s: Generate() error = %v", tt.rule, err)
			continue
		}
		switch {
		case tt.want == "" && len(warnings) > 0:
			t.Errorf("%s: warnings %q, want none", tt.rule, warnings)
		case tt.want != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], tt.want)):
			t.Errorf("%s: warnings %q, want one saying %q", tt.rule, warnings, tt.want)
		}
		if code := string(files["example.com/demo/demo_http.pb.go"]); strings.HasPrefix(tt.in, "stream") && strings.Count(code, `r.GET("/v1/x"`) != 1 {
			t.Errorf("%s: want one GET route for the WebSocket:\n%s", tt.rule, code)
		}
	}
}

// TestStreamsOff checks that with streams=false a file with streaming
// methods gets the code it would get without them, as Kratos v2's
// generator writes, and that a file without streams gets the same code
// either way.
func TestStreamsOff(t *testing.T) {
	src, err := os.ReadFile("testdata/routes.proto")
	if err != nil {
		t.Fatal(err)
	}
	watch := regexp.MustCompile(`(?s)\n  // WatchShelves.*?\n  }\n`)
	if !watch.Match(src) {
		t.Fatal("routes.proto has no WatchShelves")
	}
	generate := func(src []byte, streams bool) string {
		t.Helper()
		req, err := gentest.CompileSources(map[string]string{"routes.proto": string(src)}, "routes.proto")
		if err != nil {
			t.Fatal(err)
		}
		opts := httpgen.DefaultOptions()
		opts.Streams = streams
		files, err := gentest.Run(req, gentest.Plugin{Name: "http", Run: func(gen *protogen.Plugin) error {
			return httpgen.Generate(gen, opts)
		}})
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 1 {
			t.Fatalf("Generate() wrote %d files, want 1", len(files))
		}
		for _, data := range files {
			return string(data)
		}
		return ""
	}
	off := generate(src, false)
	without := generate(watch.ReplaceAll(src, []byte("\n")), true)
	if off != without {
		t.Errorf("streams=false differs from the file without streams:\n%s", gentest.Diff([]byte(without), []byte(off)))
	}
	if strings.Contains(off, "SupportPackageIsVersion3") {
		t.Error("a file without streams references SupportPackageIsVersion3")
	}
	if on := generate(src, true); !strings.Contains(on, "SupportPackageIsVersion3") || !strings.Contains(on, "WatchShelves(*GetShelfRequest, Library_WatchShelvesServer) error") {
		t.Errorf("streams=true lacks the stream or the guard:\n%s", on)
	}
}

// greeterV3 is the service of the examples of Kratos v3's generator test
// for streams and HttpBody: a method per case.
const greeterV3 = `syntax = "proto3";
package helloworld;
import "google/api/annotations.proto";
import "google/api/httpbody.proto";
option go_package = "example.com/helloworld;helloworld";
service Greeter {
  rpc ListHello(ListHelloRequest) returns (stream HelloReply) { option (google.api.http) = { get: "/helloworld" }; }
  rpc ChatHello(stream HelloRequest) returns (stream HelloReply) { option (google.api.http) = { post: "/helloworld/chat" }; }
  rpc UploadHello(UploadHelloRequest) returns (UploadHelloReply) {
    option (google.api.http) = { post: "/helloworld/upload" body: "body" response_body: "body" };
  }
  rpc ChatData(stream ChatDataRequest) returns (stream ChatDataReply) { option (google.api.http) = { get: "/v1/bitto/chat" body: "data" }; }
  rpc ChatText(stream ChatTextRequest) returns (stream ChatTextReply) { option (google.api.http) = { get: "/v1/bitto/text" body: "text" }; }
}
message ListHelloRequest { string name = 1; }
message HelloRequest { string name = 1; }
message HelloReply { string message = 1; }
message UploadHelloRequest { string name = 1; google.api.HttpBody body = 2; }
message UploadHelloReply { google.api.HttpBody body = 1; }
message Data { string text = 1; }
message ChatDataRequest { string room = 1; Data data = 2; }
message ChatDataReply { Data data = 1; }
message ChatTextRequest { string text = 1; }
message ChatTextReply { string text = 1; }
`

// TestKratosV3Shapes generates the service of Kratos v3's generator test
// for streams and HttpBody and checks the lines that test looks for, but
// those where we differ on purpose (see the package comment): the client
// keeps the default codec rather than asking for application/protojson,
// and the WebSocket client opens with its stored options directly.
func TestKratosV3Shapes(t *testing.T) {
	files, _, err := run(t, greeterV3, httpgen.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	code := string(files["example.com/helloworld/demo_http.pb.go"])
	for _, want := range []string{
		`ListHello(*ListHelloRequest, Greeter_ListHelloServer) error`,
		`stream := http.NewServerSentEventServerStream(ctx)`,
		`stream, err := c.cc.ServerSentEvent(ctx, "GET", path, nil, opts...)`,
		`ChatHello(Greeter_ChatHelloServer) error`,
		`stream, err := http.NewWebSocketServerStream(ctx)`,
		`func (x *Greeter_ChatHelloHTTPClient) open(m *HelloRequest) error`,
		`path := http.BuildPath(x.pattern, m, http.WithQueryParams())`,
		`stream, err := x.cc.WebSocket(x.ctx, path, x.opts...)`,
		`return &Greeter_ChatHelloHTTPClient{ctx: ctx, cc: c.cc, pattern: pattern, opts: opts}, nil`,
		`http.ContentType(http.BodyContentType(in.Body))`,
		`http.WithOmitFields("body")`,
		`return ctx.Result(200, reply.Body)`,
		`stream, err := http.NewWebSocketServerStream(ctx, http.WithStreamBodyField("data"))`,
		`return x.ClientStream.Send(m.Data)`,
		`func (x *Greeter_ChatTextHTTPClient) Send(m *ChatTextRequest) error`,
		"return x.ClientStream.Send(m)\n",
		`const _ = http.SupportPackageIsVersion3`,
	} {
		if !strings.Contains(code, want) {
			t.Errorf("generated code lacks %q:\n%s", want, code)
		}
	}
	if strings.Contains(code, `http.WithStreamBodyField("text")`) {
		t.Errorf("a scalar body field makes the messages the field:\n%s", code)
	}
}
