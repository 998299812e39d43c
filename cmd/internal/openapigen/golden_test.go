package openapigen_test

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	bufvalidate "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	pgv "github.com/envoyproxy/protoc-gen-validate/validate"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/errorsgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/gentest"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/grpcgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/httpgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/openapigen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/protoimports"
)

// updating reports whether the test runs with gentest's -update flag.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// module names generated Go files relative to the cmd module's root,
// which is cmdRoot from here.
const (
	module  = "module=github.com/seed6ad8aa6b/kratos/cmd"
	cmdRoot = "../.."
	golden  = "internal/openapigen/testdata/golden/"
)

// compile compiles files under testdata, with the validation protos
// taken from the Go packages linked into the test.
func compile(t testing.TB, files ...string) *pluginpb.CodeGeneratorRequest {
	t.Helper()
	linked := map[string]protoreflect.FileDescriptor{
		"buf/validate/validate.proto": bufvalidate.File_buf_validate_validate_proto,
		"validate/validate.proto":     pgv.File_validate_validate_proto,
	}
	c := protocompile.Compiler{
		Resolver: protocompile.CompositeResolver{
			&protocompile.SourceResolver{ImportPaths: []string{"testdata"}},
			protoimports.Resolver(),
			protocompile.ResolverFunc(func(name string) (protocompile.SearchResult, error) {
				if fd, ok := linked[name]; ok {
					return protocompile.SearchResult{Desc: fd}, nil
				}
				return protocompile.SearchResult{}, fs.ErrNotExist
			}),
		},
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	compiled, err := c.Compile(context.Background(), files...)
	if err != nil {
		t.Fatalf("compile %v: %v", files, err)
	}
	req := &pluginpb.CodeGeneratorRequest{FileToGenerate: files}
	seen := map[string]bool{}
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		for i := 0; i < fd.Imports().Len(); i++ {
			add(fd.Imports().Get(i).FileDescriptor)
		}
		var fdp *descriptorpb.FileDescriptorProto
		if r, ok := fd.(linker.Result); ok {
			fdp = r.FileDescriptorProto()
		} else {
			fdp = protodesc.ToFileDescriptorProto(fd)
		}
		req.ProtoFile = append(req.ProtoFile, fdp)
	}
	for _, f := range compiled {
		add(f)
	}
	return req
}

// openapiPlugin is the generator with the plugin parameter param; warn
// collects its warnings.
func openapiPlugin(param string, warn *[]string) gentest.Plugin {
	opts := openapigen.DefaultOptions()
	opts.Warn = func(err error) { *warn = append(*warn, err.Error()) }
	return gentest.Plugin{
		Name: "protoc-gen-openapi", Param: param, ParamFunc: opts.SetParam,
		Run: func(gen *protogen.Plugin) error {
			gen.SupportedFeatures = openapigen.SupportedFeatures
			return openapigen.Generate(gen, opts)
		},
	}
}

// goldenDoc is one document of the golden tests.
type goldenDoc struct {
	proto string
	param string
	name  string // under testdata/golden
}

var goldenDocs = []goldenDoc{
	{"library.proto", "", "library.openapi.yaml"},
	{"library.proto", "fq_schema_naming=false,title=Lending,version=1.2.3,omitempty=false,omitempty_prefix=/rpc,depth=0", "library_options.openapi.yaml"},
	{"validate.proto", "", "validate.openapi.yaml"},
}

// documents generates every golden document, by name relative to cmdRoot,
// and the warnings of the default run over library.proto.
func documents(t *testing.T) (map[string][]byte, []string) {
	t.Helper()
	out := map[string][]byte{}
	var libraryWarnings []string
	for _, d := range goldenDocs {
		var warn []string
		files, err := gentest.Run(compile(t, d.proto), openapiPlugin(d.param, &warn))
		if err != nil {
			t.Fatalf("generate %s (%s): %v", d.proto, d.param, err)
		}
		doc, ok := files[openapigen.DefaultFilename]
		if !ok || len(files) != 1 {
			t.Fatalf("generate %s: wrote %d files, want only %s", d.proto, len(files), openapigen.DefaultFilename)
		}
		out[golden+d.name] = doc
		if d.name == "library.openapi.yaml" {
			libraryWarnings = warn
		}
	}
	return out, libraryWarnings
}

// TestGolden regenerates the documents and compares them with the files
// checked in; -update rewrites them, and also the Go code of library.proto
// (internal/library, which the round-trip test serves). That code is the
// other generators' output, checked by their own golden tests, so it is
// only compared here when it is rewritten.
func TestGolden(t *testing.T) {
	docs, warnings := documents(t)
	if updating() {
		code, err := gentest.Run(compile(t, "library.proto"),
			gentest.GoPlugin(module), grpcPlugin(), httpPlugin(), errorsPlugin())
		if err != nil {
			t.Fatal(err)
		}
		gentest.Golden(t, cmdRoot, code)
	}
	gentest.Golden(t, cmdRoot, docs)

	wantWarnings := []string{
		`library.proto: service kratos.test.library.v1.Library, method SearchBooks: SEARCH "/v1/shelves/{shelf}/books": left out: OpenAPI 3.0 has no HTTP method SEARCH`,
	}
	if got, want := strings.Join(warnings, "\n"), strings.Join(wantWarnings, "\n"); got != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", got, want)
	}
}

func grpcPlugin() gentest.Plugin {
	opts := grpcgen.DefaultOptions()
	return gentest.Plugin{Name: "protoc-gen-go-grpc", Param: module, ParamFunc: opts.SetParam,
		Run: func(gen *protogen.Plugin) error {
			gen.SupportedFeatures = grpcgen.SupportedFeatures
			grpcgen.Generate(gen, opts)
			return nil
		}}
}

func httpPlugin() gentest.Plugin {
	opts := httpgen.DefaultOptions()
	return gentest.Plugin{Name: "protoc-gen-go-http", Param: module, ParamFunc: opts.SetParam,
		Run: func(gen *protogen.Plugin) error {
			gen.SupportedFeatures = httpgen.SupportedFeatures
			return httpgen.Generate(gen, opts)
		}}
}

func errorsPlugin() gentest.Plugin {
	return gentest.Plugin{Name: "protoc-gen-go-errors", Param: module,
		Run: func(gen *protogen.Plugin) error {
			gen.SupportedFeatures = errorsgen.SupportedFeatures
			return errorsgen.Generate(gen)
		}}
}

// oas30Schema is the OpenAPI Initiative's JSON Schema of OpenAPI 3.0
// documents (https://spec.openapis.org/oas/3.0/schema/2021-09-28).
//
//go:embed testdata/oas3.0-schema.json
var oas30Schema []byte

// validateDocument checks a YAML document against the OpenAPI 3.0 JSON
// Schema, and with kin-openapi, which also resolves every $ref and checks
// that path parameters match their templates.
func validateDocument(doc []byte) (*openapi3.T, error) {
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("not YAML: %w", err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return nil, err
	}
	meta, err := jsonschema.UnmarshalJSON(bytes.NewReader(oas30Schema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("oas30.json", meta); err != nil {
		return nil, err
	}
	sch, err := c.Compile("oas30.json")
	if err != nil {
		return nil, err
	}
	if err := sch.Validate(inst); err != nil {
		return nil, fmt.Errorf("not a valid OpenAPI 3.0 document: %w", err)
	}
	spec, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("kin-openapi cannot load it: %w", err)
	}
	if err := spec.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("kin-openapi: %w", err)
	}
	return spec, nil
}

// TestDocumentsValid validates every golden document.
func TestDocumentsValid(t *testing.T) {
	docs, _ := documents(t)
	for name, doc := range docs {
		if _, err := validateDocument(doc); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestValidatorRejects makes sure the validation can fail.
func TestValidatorRejects(t *testing.T) {
	docs, _ := documents(t)
	doc := docs[golden+"library.openapi.yaml"]
	for _, tt := range []struct{ name, old, new string }{
		{"wrong version", "openapi: 3.0.3", "openapi: 2.0"},
		{"bad parameter place", "in: query", "in: body"},
		{"dangling reference", "$ref: '#/components/schemas/errors.Status'", "$ref: '#/components/schemas/nowhere'"},
	} {
		bad := bytes.Replace(doc, []byte(tt.old), []byte(tt.new), 1)
		if bytes.Equal(bad, doc) {
			t.Fatalf("%s: %q is not in the document", tt.name, tt.old)
		}
		if _, err := validateDocument(bad); err == nil {
			t.Errorf("%s: validateDocument() = nil, want an error", tt.name)
		}
	}
}

func TestGenerateOutputs(t *testing.T) {
	const svc = `syntax = "proto3";
package a.v1;
option go_package = "example.com/a/v1;a";
import "google/api/annotations.proto";
service S { rpc M(R) returns (R) { option (google.api.http) = {get: "/m/{id}"}; } }
message R { string id = 1; }
`
	const msgs = `syntax = "proto3";
package b.v1;
option go_package = "example.com/b/v1;b";
message Only { string x = 1; }
`
	sources := map[string]string{"a/v1/s.proto": svc, "b/v1/m.proto": msgs}
	tests := []struct {
		param string
		files []string
		want  []string
	}{
		{"", []string{"a/v1/s.proto", "b/v1/m.proto"}, []string{"openapi.yaml"}},
		{"", []string{"b/v1/m.proto"}, nil},
		{"output_mode=source_relative", []string{"a/v1/s.proto", "b/v1/m.proto"}, []string{"a/v1/s.openapi.yaml"}},
	}
	for _, tt := range tests {
		req, err := gentest.CompileSources(sources, tt.files...)
		if err != nil {
			t.Fatal(err)
		}
		var warn []string
		out, err := gentest.Run(req, openapiPlugin(tt.param, &warn))
		if err != nil {
			t.Fatalf("%q %v: %v", tt.param, tt.files, err)
		}
		var got []string
		for name, doc := range out {
			got = append(got, name)
			if _, err := validateDocument(doc); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("param %q, files %v: wrote %v, want %v", tt.param, tt.files, got, tt.want)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	tests := []struct{ rule, want string }{
		{`get: "/m/{nope}"`, `path variable "nope": nope is not a field of a.v1.R`},
		{`post: "/m" body: "nope"`, `body "nope" is not a field of a.v1.R`},
		{`get: "/m" response_body: "nope"`, `response_body "nope" is not a field of a.v1.R`},
		{`get: "m"`, `path "m" must start with /`},
		{`get: "/m/{id=a/**b}"`, `invalid segment`},
	}
	for _, tt := range tests {
		src := `syntax = "proto3";
package a.v1;
option go_package = "example.com/a/v1;a";
import "google/api/annotations.proto";
service S { rpc M(R) returns (R) { option (google.api.http) = {` + tt.rule + `}; } }
message R { string id = 1; }
`
		req, err := gentest.CompileSources(map[string]string{"s.proto": src}, "s.proto")
		if err != nil {
			t.Fatal(err)
		}
		var warn []string
		_, err = gentest.Run(req, openapiPlugin("", &warn))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "s.proto: service a.v1.S, method M") {
			t.Errorf("rule {%s}: error = %v, want one naming the method and saying %q", tt.rule, err, tt.want)
		}
	}
}
