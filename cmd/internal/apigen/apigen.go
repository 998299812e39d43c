// Package apigen generates the Go code of .proto files the way
// `kratos proto client` does, entirely in-process: it compiles them with
// package protoc and runs protoc-gen-go, the gRPC generator (grpcgen), the
// HTTP generator (httpgen) and the errors generator (errorsgen) over them,
// with paths=source_relative, so every file lands next to its .proto.
// With Options.OpenAPI it also writes one OpenAPI 3.0 document of all
// their services (openapigen), as protoc-gen-openapi would.
//
// Both `kratos new` (for the template's API) and `kratos proto client` go
// through Generate, which is what keeps the code a new project ships
// byte-identical to what regenerating it gives.
package apigen

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	gengo "google.golang.org/protobuf/cmd/protoc-gen-go/internal_gengo"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/errorsgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/gomod"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/grpcgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/httpgen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/openapigen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/protoc"
)

// Options configure Generate.
type Options struct {
	// ProtoPaths are searched first, in order, for the files and their
	// imports. After them come, for each file, the root of the Go module
	// containing it and that root's third_party directory.
	ProtoPaths []string
	// Warn receives compiler warnings; nil drops them.
	Warn func(error)
	// Params are extra plugin parameters (protoc's --NAME_opt), by plugin
	// name such as "protoc-gen-go-grpc": comma-separated name=value pairs
	// given after paths=source_relative, such as
	// "require_unimplemented_servers=false".
	Params map[string]string
	// OpenAPI is where to write the OpenAPI document of the services of
	// all the files (openapigen, with its default options), such as
	// "openapi.yaml"; "" writes none. Nothing is written when no file
	// declares a service.
	OpenAPI string
}

// Plugins returns the generators run over every request, each with
// paths=source_relative and its default options, which further parameters
// (Options.Params) change. warn receives the HTTP
// generator's warnings about questionable annotations; nil drops them.
func Plugins(warn func(error)) []protoc.Plugin {
	const param = "paths=source_relative"
	httpOpts := httpgen.DefaultOptions()
	httpOpts.Warn = warn
	grpcOpts := grpcgen.DefaultOptions()
	return []protoc.Plugin{
		{
			Name:  "protoc-gen-go",
			Param: param,
			Run: func(gen *protogen.Plugin) error {
				for _, f := range gen.Files {
					if f.Generate {
						gengo.GenerateFile(gen, f)
					}
				}
				gen.SupportedFeatures = gengo.SupportedFeatures
				gen.SupportedEditionsMinimum = gengo.SupportedEditionsMinimum
				gen.SupportedEditionsMaximum = gengo.SupportedEditionsMaximum
				return nil
			},
		},
		{
			Name:      "protoc-gen-go-grpc",
			Param:     param,
			ParamFunc: grpcOpts.SetParam,
			Run: func(gen *protogen.Plugin) error {
				grpcgen.Generate(gen, grpcOpts)
				gen.SupportedFeatures = grpcgen.SupportedFeatures
				gen.SupportedEditionsMinimum = gengo.SupportedEditionsMinimum
				gen.SupportedEditionsMaximum = gengo.SupportedEditionsMaximum
				return nil
			},
		},
		{
			Name:      "protoc-gen-go-http",
			Param:     param,
			ParamFunc: httpOpts.SetParam,
			Run: func(gen *protogen.Plugin) error {
				gen.SupportedFeatures = httpgen.SupportedFeatures
				gen.SupportedEditionsMinimum = httpgen.SupportedEditionsMinimum
				gen.SupportedEditionsMaximum = httpgen.SupportedEditionsMaximum
				return httpgen.Generate(gen, httpOpts)
			},
		},
		{
			Name:  "protoc-gen-go-errors",
			Param: param,
			Run: func(gen *protogen.Plugin) error {
				gen.SupportedFeatures = errorsgen.SupportedFeatures
				gen.SupportedEditionsMinimum = errorsgen.SupportedEditionsMinimum
				gen.SupportedEditionsMaximum = errorsgen.SupportedEditionsMaximum
				return errorsgen.Generate(gen)
			},
		},
	}
}

func hasService(files []protoreflect.FileDescriptor) bool {
	for _, f := range files {
		if f.Services().Len() > 0 {
			return true
		}
	}
	return false
}

// FindProtos returns the .proto files named by args: files as they are,
// directories walked recursively, skipping hidden directories and
// directories named third_party. The result is sorted.
func FindProtos(args []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, arg := range args {
		st, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			if filepath.Ext(arg) != ".proto" {
				return nil, fmt.Errorf("%s: not a .proto file", arg)
			}
			add(filepath.Clean(arg))
			continue
		}
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != arg && (strings.HasPrefix(d.Name(), ".") || d.Name() == "third_party") {
					return filepath.SkipDir
				}
				return nil
			}
			if filepath.Ext(p) == ".proto" {
				add(filepath.Clean(p))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no .proto files in %s", strings.Join(args, ", "))
	}
	sort.Strings(out)
	return out, nil
}

// Unit is a set of .proto files compiled together: their import names and
// the import path (directory) they were found under.
type Unit struct {
	Root     string
	Compiler *protoc.Compiler
	Names    []string
}

// Plan groups files (paths on disk) by the import path they are found
// under.
func Plan(files []string, opts Options) ([]Unit, error) {
	var units []Unit
	index := map[string]int{}
	for _, f := range files {
		paths := append([]string(nil), opts.ProtoPaths...)
		if root, _, err := gomod.ModuleOf(filepath.Dir(f)); err == nil {
			paths = append(paths, root)
			if st, err := os.Stat(filepath.Join(root, "third_party")); err == nil && st.IsDir() {
				paths = append(paths, filepath.Join(root, "third_party"))
			}
		} else if len(opts.ProtoPaths) == 0 {
			paths = append(paths, ".")
		}
		c := &protoc.Compiler{ImportPaths: paths, Warn: opts.Warn}
		name, root, err := c.ImportName(f)
		if err != nil {
			return nil, err
		}
		key := strings.Join(paths, "\x00") + "\x00\x00" + root
		i, ok := index[key]
		if !ok {
			i = len(units)
			index[key] = i
			units = append(units, Unit{Root: root, Compiler: c})
		}
		units[i].Names = append(units[i].Names, name)
	}
	return units, nil
}

// Generate compiles files (paths on disk, see FindProtos) and writes the
// generated Go files next to them. It writes nothing unless every file
// compiles and generates. It returns the paths written.
func Generate(ctx context.Context, files []string, opts Options) ([]string, error) {
	units, err := Plan(files, opts)
	if err != nil {
		return nil, err
	}
	var all []protoc.File
	var described []protoreflect.FileDescriptor // the files the document covers
	for _, u := range units {
		req, err := u.Compiler.Compile(ctx, u.Names)
		if err != nil {
			return nil, err
		}
		plugins := Plugins(opts.Warn)
		for i, p := range plugins {
			if extra := opts.Params[p.Name]; extra != "" {
				plugins[i].Param = p.Param + "," + extra
			}
		}
		if opts.OpenAPI != "" {
			plugins = append(plugins, protoc.Plugin{
				Name: "protoc-gen-openapi",
				Run: func(gen *protogen.Plugin) error {
					for _, f := range gen.Files {
						if f.Generate {
							described = append(described, f.Desc)
						}
					}
					gen.SupportedFeatures = openapigen.SupportedFeatures
					gen.SupportedEditionsMinimum = openapigen.SupportedEditionsMinimum
					gen.SupportedEditionsMaximum = openapigen.SupportedEditionsMaximum
					return nil
				},
			})
		}
		out, err := protoc.Generate(req, plugins...)
		if err != nil {
			return nil, err
		}
		for _, f := range out {
			name := filepath.FromSlash(f.Name)
			if !filepath.IsLocal(name) {
				return nil, fmt.Errorf("generated file %q leaves %s", f.Name, u.Root)
			}
			all = append(all, protoc.File{Name: filepath.Join(u.Root, name), Content: f.Content})
		}
	}
	if opts.OpenAPI != "" && hasService(described) {
		o := openapigen.DefaultOptions()
		o.Warn = opts.Warn
		doc, err := openapigen.Document(described, o)
		if err != nil {
			return nil, fmt.Errorf("protoc-gen-openapi: %w", err)
		}
		all = append(all, protoc.File{Name: opts.OpenAPI, Content: doc})
	}
	if err := protoc.WriteFiles("", all); err != nil {
		return nil, err
	}
	written := make([]string, len(all))
	for i, f := range all {
		written[i] = f.Name
	}
	return written, nil
}
