package scaffold_test

import (
	"testing"

	"google.golang.org/protobuf/compiler/protogen"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/gentest"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/grpcgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/httpgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/scaffold"
)

// module names generated files relative to the cmd module's root, which
// is cmdRoot from here.
const (
	module  = "module=github.com/seed6ad8aa6b/kratos/cmd"
	cmdRoot = "../.."
)

// TestGolden generates the code of testdata/feed.proto as `kratos proto
// client` does (messages, gRPC and HTTP) and the implementation `kratos
// proto server` writes, and compares them with the packages checked in
// under internal/, whose tests serve the implementation over both
// transports.
func TestGolden(t *testing.T) {
	req, err := gentest.Compile([]string{"testdata"}, "feed.proto")
	if err != nil {
		t.Fatal(err)
	}
	grpcOpts, httpOpts := grpcgen.DefaultOptions(), httpgen.DefaultOptions()
	files, err := gentest.Run(req,
		gentest.GoPlugin(module),
		gentest.Plugin{Name: "grpc", Param: module, Run: func(gen *protogen.Plugin) error {
			grpcgen.Generate(gen, grpcOpts)
			return nil
		}},
		gentest.Plugin{Name: "http", Param: module, Run: func(gen *protogen.Plugin) error {
			return httpgen.Generate(gen, httpOpts)
		}},
		gentest.Plugin{Name: "server", Run: func(gen *protogen.Plugin) error {
			scaffold.Servers(gen, scaffold.ServerParams{
				Dir:        "internal/scaffold/internal/feedservice",
				ImportPath: "github.com/seed6ad8aa6b/kratos/cmd/internal/scaffold/internal/feedservice",
			})
			return nil
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	const stub = "internal/scaffold/internal/feedservice/feed.go"
	if files[stub], err = scaffold.TidyImports(files[stub]); err != nil {
		t.Fatalf("%s: %v", stub, err)
	}
	for _, name := range []string{
		"internal/scaffold/internal/feedapi/feed.pb.go",
		"internal/scaffold/internal/feedapi/feed_grpc.pb.go",
		"internal/scaffold/internal/feedapi/feed_http.pb.go",
	} {
		if files[name] == nil {
			t.Errorf("%s was not generated", name)
		}
	}
	gentest.Golden(t, cmdRoot, files)
}
