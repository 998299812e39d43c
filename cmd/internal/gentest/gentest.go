// Package gentest runs code generators over .proto files in tests, the way
// protoc runs plugins, without protoc: Compile compiles the files in pure
// Go (github.com/bufbuild/protocompile, with the imports of package
// protoimports) into a CodeGeneratorRequest, Run hands the request to
// generators and collects their files, and Golden compares them with the
// files checked in, rewriting them when the test runs with -update.
package gentest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	gengo "google.golang.org/protobuf/cmd/protoc-gen-go/internal_gengo"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/protoimports"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Compile compiles files, import names found under importPaths, and
// returns the request protoc would send a plugin to generate them, with
// source info (so comments reach the generated code) and every imported
// file in dependency order.
func Compile(importPaths []string, files ...string) (*pluginpb.CodeGeneratorRequest, error) {
	return compile(&protocompile.SourceResolver{ImportPaths: importPaths}, files)
}

// CompileSources is Compile with the files' sources given by import name.
func CompileSources(sources map[string]string, files ...string) (*pluginpb.CodeGeneratorRequest, error) {
	return compile(&protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(sources)}, files)
}

func compile(src protocompile.Resolver, files []string) (*pluginpb.CodeGeneratorRequest, error) {
	c := protocompile.Compiler{
		Resolver:       protocompile.CompositeResolver{src, protoimports.Resolver()},
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	compiled, err := c.Compile(context.Background(), files...)
	if err != nil {
		return nil, err
	}
	req := &pluginpb.CodeGeneratorRequest{FileToGenerate: files}
	seen := make(map[string]bool)
	var add func(fd protoreflect.FileDescriptor)
	add = func(fd protoreflect.FileDescriptor) {
		if seen[fd.Path()] {
			return
		}
		seen[fd.Path()] = true
		imports := fd.Imports()
		for i := 0; i < imports.Len(); i++ {
			add(imports.Get(i).FileDescriptor)
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
	return req, nil
}

// A Plugin is a generator run over a request.
type Plugin struct {
	Name  string // for errors
	Param string // the plugin parameter, e.g. "paths=source_relative"
	// ParamFunc receives the parameters protogen does not handle; nil
	// rejects them.
	ParamFunc func(name, value string) error
	Run       func(*protogen.Plugin) error
}

// GoPlugin is protoc-gen-go.
func GoPlugin(param string) Plugin {
	return Plugin{Name: "protoc-gen-go", Param: param, Run: func(gen *protogen.Plugin) error {
		gen.SupportedFeatures = gengo.SupportedFeatures
		gen.SupportedEditionsMinimum = gengo.SupportedEditionsMinimum
		gen.SupportedEditionsMaximum = gengo.SupportedEditionsMaximum
		for _, f := range gen.Files {
			if f.Generate {
				gengo.GenerateFile(gen, f)
			}
		}
		return nil
	}}
}

// Run runs the plugins over req and returns their files by name. The
// request goes through its wire form first, as it does between protoc and
// a plugin, so custom options are read with the generators' Go types.
func Run(req *pluginpb.CodeGeneratorRequest, plugins ...Plugin) (map[string][]byte, error) {
	raw, err := proto.Marshal(req)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte)
	for _, p := range plugins {
		r := new(pluginpb.CodeGeneratorRequest)
		if err := proto.Unmarshal(raw, r); err != nil {
			return nil, err
		}
		r.Parameter = proto.String(p.Param)
		paramFunc := p.ParamFunc
		if paramFunc == nil {
			paramFunc = func(name, _ string) error { return fmt.Errorf("unknown parameter %q", name) }
		}
		gen, err := protogen.Options{ParamFunc: paramFunc}.New(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		if err := p.Run(gen); err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		resp := gen.Response()
		if resp.Error != nil {
			return nil, fmt.Errorf("%s: %s", p.Name, resp.GetError())
		}
		for _, f := range resp.File {
			out[f.GetName()] = []byte(f.GetContent())
		}
	}
	return out, nil
}

// Golden compares files, by slash-separated name relative to dir, with the
// files in dir. With -update it writes them instead.
func Golden(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, files[name], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("golden file %s: %v (run the test with -update)", name, err)
			continue
		}
		if !bytes.Equal(got, files[name]) {
			t.Errorf("%s differs from what the generators write now (run the test with -update):\n%s", name, Diff(got, files[name]))
		}
	}
}

// Diff shows the first lines where a and b differ.
func Diff(a, b []byte) string {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) || i >= len(al) || i >= len(bl) {
			return fmt.Sprintf("line %d:\n-%s\n+%s", i+1, x, y)
		}
	}
	return "(equal)"
}
