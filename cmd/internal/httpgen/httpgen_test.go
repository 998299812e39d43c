package httpgen_test

import (
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/errorsgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/gentest"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/httpgen"
)

// demo returns a proto whose Demo.Get method has the given option body.
func demo(rule string) string {
	return fmt.Sprintf(`syntax = "proto3";
package demo.v1;
import "google/api/annotations.proto";
option go_package = "example.com/demo;demo";
service Demo {
  rpc Get(Req) returns (Reply) { option (google.api.http) = { %s }; }
}
message Ref { string shelf = 1; }
message Req {
  string id = 1;
  Ref ref = 2;
  repeated string tags = 3;
  map<string, string> labels = 4;
  oneof kind { string a = 5; string b = 6; }
}
message Reply { string name = 1; Ref ref = 2; oneof kind { string c = 3; } }
`, rule)
}

// run generates demo.proto from src with opts and returns the files and
// the warnings.
func run(t *testing.T, src string, opts httpgen.Options) (map[string][]byte, []string, error) {
	t.Helper()
	req, err := gentest.CompileSources(map[string]string{"demo.proto": src}, "demo.proto")
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	var warnings []string
	opts.Warn = func(err error) { warnings = append(warnings, err.Error()) }
	files, err := gentest.Run(req, gentest.Plugin{Name: "http", Run: func(gen *protogen.Plugin) error {
		return httpgen.Generate(gen, opts)
	}})
	return files, warnings, err
}

func TestInvalidAnnotations(t *testing.T) {
	tests := []struct {
		rule string
		want string
	}{
		{`get: "/v1/{nope}"`, `path variable "nope": nope is not a field of demo.v1.Req`},
		{`get: "/v1/{id.x}"`, `id of demo.v1.Req is not a message field`},
		{`get: "/v1/{ref.nope}"`, `nope is not a field of demo.v1.Ref`},
		{`get: "/v1/{tags.x}"`, `tags of demo.v1.Req is not a message field`},
		{`post: "/v1/x" body: "nope"`, `body "nope": nope is not a field of demo.v1.Req`},
		{`post: "/v1/x" body: "ref.shelf"`, `body "ref.shelf": must name a field of demo.v1.Req itself`},
		{`post: "/v1/x" body: "a"`, `body "a": a is in oneof kind`},
		{`get: "/v1/x" response_body: "nope"`, `response_body "nope": nope is not a field of demo.v1.Reply`},
		{`get: "/v1/x" response_body: "c"`, `response_body "c": c is in oneof kind`},
		{`get: "v1/x"`, `the path must start with /`},
		{`get: "/v1/{id"`, `unclosed {`},
		{`get: "/v1/{id}/{id}"`, `path variable "id" appears twice`},
		{`get: "/v1/{id=a*}"`, `invalid segment "a*"`},
		{`get: "/v1/{id:[}"`, `invalid regular expression`},
		{`custom: {kind: "BAD KIND" path: "/v1/x"}`, `custom kind "BAD KIND" is not an HTTP method`},
		{`custom: {kind: "" path: "/v1/x"}`, `custom kind "" is not an HTTP method`},
		{`get: "/v1/ok" additional_bindings {get: "/v2/{bad}"}`, `GET "/v2/{bad}": path variable "bad"`},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			files, _, err := run(t, demo(tt.rule), httpgen.DefaultOptions())
			if err == nil {
				t.Fatalf("Generate() wrote %d files, want an error", len(files))
			}
			msg := err.Error()
			if !strings.Contains(msg, "demo.proto: service demo.v1.Demo, method Get: ") {
				t.Errorf("error %q does not name the file, service and method", msg)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
			if len(files) != 0 {
				t.Errorf("files written despite the error: %v", files)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		rule string
		want string // "" for none
	}{
		{`get: "/v1/{id}"`, ""},
		{`post: "/v1/x" body: "*"`, ""},
		{`get: "/v1/x" body: "*"`, "a GET request should not have a body"},
		{`delete: "/v1/x" body: "ref"`, "a DELETE request should not have a body"},
		{`post: "/v1/x"`, "the rule has no body"},
		{`get: "/v1/x/"`, "should not end with /"},
		{`get: "/v1/{tags}"`, `path variable "tags" should not be a repeated or map field`},
		{`get: "/v1/{labels}"`, `path variable "labels" should not be a repeated or map field`},
	}
	for _, tt := range tests {
		_, warnings, err := run(t, demo(tt.rule), httpgen.DefaultOptions())
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
	}
}

func TestNoOutput(t *testing.T) {
	const header = `syntax = "proto3";
package demo.v1;
import "google/api/annotations.proto";
option go_package = "example.com/demo;demo";
message M { string id = 1; }
`
	tests := []struct {
		name      string
		body      string
		omitEmpty bool
		streams   bool
	}{
		{"no service", ``, true, true},
		{"no service, omitempty=false", ``, false, true},
		{"no rule", `service S { rpc A(M) returns (M); }`, true, true},
		{"only streaming rules, streams=false", `service S { rpc A(stream M) returns (M) { option (google.api.http) = {post: "/a" body: "*"}; } }`, true, false},
		{"only streaming, omitempty=false", `service S { rpc A(M) returns (stream M); rpc B(stream M) returns (stream M); }`, false, true},
	}
	for _, tt := range tests {
		opts := httpgen.DefaultOptions()
		opts.OmitEmpty = tt.omitEmpty
		opts.Streams = tt.streams
		files, _, err := run(t, header+tt.body, opts)
		if err != nil {
			t.Errorf("%s: Generate() error = %v", tt.name, err)
		}
		if len(files) != 0 {
			t.Errorf("%s: Generate() wrote %d files, want none", tt.name, len(files))
		}
	}
}

func TestSetParam(t *testing.T) {
	opts := httpgen.DefaultOptions()
	if !opts.OmitEmpty || opts.OmitEmptyPrefix != "" {
		t.Fatalf("DefaultOptions() = %+v", opts)
	}
	if err := opts.SetParam("omitempty", "false"); err != nil || opts.OmitEmpty {
		t.Errorf("SetParam(omitempty, false) = %v, OmitEmpty %v", err, opts.OmitEmpty)
	}
	if err := opts.SetParam("omitempty_prefix", "/api"); err != nil || opts.OmitEmptyPrefix != "/api" {
		t.Errorf("SetParam(omitempty_prefix) = %v, prefix %q", err, opts.OmitEmptyPrefix)
	}
	if err := opts.SetParam("omitempty", "maybe"); err == nil {
		t.Error("SetParam(omitempty, maybe) = nil, want an error")
	}
	if err := opts.SetParam("nope", "1"); err == nil {
		t.Error("SetParam(nope) = nil, want an error")
	}
}

// TestHandlerNumbers checks that handler numbers count the routes of a Go
// method name through the file, additional bindings first.
func TestHandlerNumbers(t *testing.T) {
	const src = `syntax = "proto3";
package demo.v1;
import "google/api/annotations.proto";
option go_package = "example.com/demo;demo";
service A {
  rpc Get(M) returns (M) { option (google.api.http) = { get: "/a" additional_bindings { get: "/a2" } }; }
}
service B {
  rpc Get(M) returns (M) { option (google.api.http) = { get: "/b" }; }
  rpc Other(M) returns (M) { option (google.api.http) = { get: "/o" }; }
}
message M { string id = 1; }
`
	files, _, err := run(t, src, httpgen.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	code := string(files["example.com/demo/demo_http.pb.go"])
	for _, want := range []string{
		`r.GET("/a2", _A_Get0_HTTP_Handler(srv))`,
		`r.GET("/a", _A_Get1_HTTP_Handler(srv))`,
		`r.GET("/b", _B_Get2_HTTP_Handler(srv))`,
		`r.GET("/o", _B_Other0_HTTP_Handler(srv))`,
		`pattern := "/a"` + "\n",
	} {
		if !strings.Contains(code, want) {
			t.Errorf("generated code lacks %q:\n%s", want, code)
		}
	}
	if strings.Contains(code, `pattern := "/a2"`) {
		t.Error("the client uses an additional binding, want the main rule")
	}
}

// TestInMemoryRequest runs the generators over the request as the pure-Go
// compiler builds it, without the wire round trip of a protoc run: custom
// options are then dynamic messages, which must still be read.
func TestInMemoryRequest(t *testing.T) {
	req, err := gentest.Compile([]string{"testdata"}, "routes.proto")
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []func(*protogen.Plugin) error{
		func(gen *protogen.Plugin) error { return httpgen.Generate(gen, httpgen.DefaultOptions()) },
		errorsgen.Generate,
	} {
		gen, err := protogen.Options{}.New(proto.Clone(req).(*pluginpb.CodeGeneratorRequest))
		if err != nil {
			t.Fatal(err)
		}
		if err := run(gen); err != nil {
			t.Fatalf("Generate() error = %v", err)
		}
		resp := gen.Response()
		if resp.Error != nil || len(resp.File) != 1 || !strings.Contains(resp.File[0].GetContent(), "func ") {
			t.Errorf("Generate() = %d files, error %q; want one", len(resp.File), resp.GetError())
		}
	}
}
