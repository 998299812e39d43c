package httpgen_test

import (
	"testing"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/errorsgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/gentest"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/grpcgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/httpgen"
)

// module is the plugin parameter that names generated files relative to
// the cmd module's root, which is cmdRoot from here.
const (
	module  = "module=github.com/seed6ad8aa6b/kratos/cmd"
	cmdRoot = "../.."
)

func httpPlugin(param string) gentest.Plugin {
	opts := httpgen.DefaultOptions()
	return gentest.Plugin{
		Name: "protoc-gen-go-http", Param: param, ParamFunc: opts.SetParam,
		Run: func(gen *protogen.Plugin) error {
			gen.SupportedFeatures = httpgen.SupportedFeatures
			return httpgen.Generate(gen, opts)
		},
	}
}

func errorsPlugin(param string) gentest.Plugin {
	return gentest.Plugin{
		Name: "protoc-gen-go-errors", Param: param,
		Run: func(gen *protogen.Plugin) error {
			gen.SupportedFeatures = errorsgen.SupportedFeatures
			return errorsgen.Generate(gen)
		},
	}
}

func grpcPlugin(param string) gentest.Plugin {
	opts := grpcgen.DefaultOptions()
	return gentest.Plugin{
		Name: "protoc-gen-go-grpc", Param: param, ParamFunc: opts.SetParam,
		Run: func(gen *protogen.Plugin) error {
			gen.SupportedFeatures = grpcgen.SupportedFeatures
			grpcgen.Generate(gen, opts)
			return nil
		},
	}
}

// testAPI is a test proto and the parameter of the HTTP generator for it.
type testAPI struct {
	proto     string
	httpParam string
}

var testAPIs = []testAPI{
	{"routes.proto", module},
	{"routeguide.proto", module},
	{"defaults.proto", module + ",omitempty=false,omitempty_prefix=/api"},
}

// generate compiles the test protos in pure Go and runs protoc-gen-go and
// our generators over them in-process; version is the compiler version to
// claim, nil for none. It returns the files by name relative to cmdRoot;
// with grpc, the gRPC code too.
func generate(t *testing.T, version *pluginpb.Version, grpc bool) map[string][]byte {
	t.Helper()
	all := make(map[string][]byte)
	for _, api := range testAPIs {
		req, err := gentest.Compile([]string{"testdata"}, api.proto)
		if err != nil {
			t.Fatalf("compile %s: %v", api.proto, err)
		}
		req.CompilerVersion = version
		plugins := []gentest.Plugin{gentest.GoPlugin(module), httpPlugin(api.httpParam), errorsPlugin(module)}
		if grpc {
			plugins = append(plugins, grpcPlugin(module))
		}
		files, err := gentest.Run(req, plugins...)
		if err != nil {
			t.Fatalf("generate %s: %v", api.proto, err)
		}
		for name, content := range files {
			all[name] = content
		}
	}
	return all
}

// TestGolden regenerates the code of the test protos and compares it with
// the packages checked in under internal/, whose own tests run it.
func TestGolden(t *testing.T) {
	files := generate(t, nil, true)
	for _, want := range []string{
		"internal/httpgen/internal/routes/routes_http.pb.go",
		"internal/httpgen/internal/routes/routes_errors.pb.go",
		"internal/httpgen/internal/defaults/defaults_http.pb.go",
		"internal/httpgen/internal/routeguide/routeguide_http.pb.go",
		"internal/httpgen/internal/routeguide/routeguide_grpc.pb.go",
	} {
		if _, ok := files[want]; !ok {
			t.Errorf("%s was not generated", want)
		}
	}
	if _, ok := files["internal/httpgen/internal/defaults/defaults_errors.pb.go"]; ok {
		t.Error("defaults_errors.pb.go was generated for a file without error enums")
	}
	gentest.Golden(t, cmdRoot, files)
}
