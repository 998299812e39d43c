package grpcgen_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	gengo "google.golang.org/protobuf/cmd/protoc-gen-go/internal_gengo"
	"google.golang.org/protobuf/compiler/protogen"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/grpcgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/protoc"
)

var update = flag.Bool("update", false, "rewrite the checked-in generated code")

// TestGolden regenerates internal/streamtest and compares it byte for
// byte with the checked-in files, which internal/streamtest's own tests
// compile and run over a real gRPC connection.
func TestGolden(t *testing.T) {
	root, err := filepath.Abs("../..") // the cmd module
	if err != nil {
		t.Fatal(err)
	}
	c := &protoc.Compiler{ImportPaths: []string{root}}
	name := "internal/grpcgen/internal/streamtest/stream.proto"
	req, err := c.Compile(context.Background(), []string{name})
	if err != nil {
		t.Fatal(err)
	}
	files, err := protoc.Generate(req,
		protoc.Plugin{
			Name:  "protoc-gen-go",
			Param: "paths=source_relative",
			Run: func(gen *protogen.Plugin) error {
				for _, f := range gen.Files {
					if f.Generate {
						gengo.GenerateFile(gen, f)
					}
				}
				return nil
			},
		},
		protoc.Plugin{
			Name:  "grpcgen",
			Param: "paths=source_relative",
			Run: func(gen *protogen.Plugin) error {
				grpcgen.Generate(gen, grpcgen.DefaultOptions())
				return nil
			},
		})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	wantNames := []string{
		"internal/grpcgen/internal/streamtest/stream.pb.go",
		"internal/grpcgen/internal/streamtest/stream_grpc.pb.go",
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("Generate() wrote %q, want %q", names, wantNames)
	}
	for _, got := range files {
		path := filepath.Join(root, filepath.FromSlash(got.Name))
		if *update {
			if err := os.WriteFile(path, got.Content, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Content, want) {
			t.Errorf("generated %s differs from the checked-in file; run go test -update and review the diff", got.Name)
		}
	}
}

func TestNoServicesNoFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.proto"), []byte(`syntax = "proto3";
package m;
option go_package = "example.com/m;m";
message M {}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &protoc.Compiler{ImportPaths: []string{dir}}
	req, err := c.Compile(context.Background(), []string{"m.proto"})
	if err != nil {
		t.Fatal(err)
	}
	files, err := protoc.Generate(req, protoc.Plugin{Name: "grpcgen", Run: func(gen *protogen.Plugin) error {
		grpcgen.Generate(gen, grpcgen.DefaultOptions())
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 0 {
		t.Errorf("Generate() wrote %d files for a file without services, want 0", len(files))
	}
}

func TestSetParam(t *testing.T) {
	tests := []struct {
		name, value string
		want        bool
		wantErr     bool
	}{
		{"require_unimplemented_servers", "false", false, false},
		{"require_unimplemented_servers", "true", true, false},
		{"require_unimplemented_servers", "maybe", true, true},
		{"paths", "import", true, true},
	}
	for _, tt := range tests {
		o := grpcgen.DefaultOptions()
		err := o.SetParam(tt.name, tt.value)
		if (err != nil) != tt.wantErr {
			t.Errorf("SetParam(%q, %q) error = %v, want error %v", tt.name, tt.value, err, tt.wantErr)
		}
		if o.RequireUnimplemented != tt.want {
			t.Errorf("SetParam(%q, %q): RequireUnimplemented = %v, want %v", tt.name, tt.value, o.RequireUnimplemented, tt.want)
		}
	}
}
