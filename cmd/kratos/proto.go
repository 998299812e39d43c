package main

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/compiler/protogen"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/apigen"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/gomod"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/protoc"
	"github.com/seed6ad8aa6b/kratos/cmd/internal/scaffold"
)

func newProtoCommand(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "proto",
		Short: "Write .proto files, generate code from them, write service stubs",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(newProtoAddCommand(e), newProtoClientCommand(e), newProtoServerCommand(e))
	return cmd
}

func newProtoAddCommand(e *env) *cobra.Command {
	var withHTTP bool
	cmd := &cobra.Command{
		Use:   "add <path/to/file.proto>",
		Short: "Write a service definition with CRUD methods",
		Long: `add writes a .proto file declaring a service named after the file, with Create, Update,
Delete, Get and List methods. The proto package comes from the file's directory (a leading
"api/" dropped), go_package from the directory's place in the nearest Go module.`,
		Example: `  kratos proto add api/helloworld/v1/demo.proto
  kratos proto add api/shop/v1/order.proto --http`,
		Args: exactArgs(1, "the path of the .proto file to write"),
		RunE: func(cmd *cobra.Command, args []string) error {
			target := args[0]
			if !strings.ContainsAny(filepath.ToSlash(target), "/") {
				return fmt.Errorf("%s has no directory; give a path such as api/%s/v1/%s, whose directory names the proto package (as Kratos asks)",
					target, strings.TrimSuffix(target, ".proto"), target)
			}
			if _, err := os.Lstat(target); err == nil {
				return fmt.Errorf("%s already exists; not overwriting it", target)
			}
			abs, err := filepath.Abs(target)
			if err != nil {
				return err
			}
			root, module, err := gomod.ModuleOf(existingAncestor(filepath.Dir(abs)))
			if err != nil {
				return fmt.Errorf("%s must be inside a Go module: %w", target, err)
			}
			rel, err := filepath.Rel(root, abs)
			if err != nil || !filepath.IsLocal(rel) {
				return fmt.Errorf("%s is not inside the module at %s", target, root)
			}
			params, err := scaffold.ProtoParamsFor(module, filepath.ToSlash(rel), withHTTP)
			if err != nil {
				return err
			}
			data, err := scaffold.Proto(params)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return err
			}
			_, err = f.Write(data)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(abs)
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s (service %s.%s)\n", target, params.Package, params.Service)
			return nil
		},
	}
	cmd.Flags().BoolVar(&withHTTP, "http", false, "add google.api.http routes to the methods")
	return cmd
}

// existingAncestor returns dir or its nearest ancestor that exists.
func existingAncestor(dir string) string {
	for {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}

func newProtoClientCommand(e *env) *cobra.Command {
	var (
		protoPaths []string
		openapi    bool
	)
	cmd := &cobra.Command{
		Use:   "client <file-or-dir>...",
		Short: "Generate the Go code of .proto files (messages, gRPC, HTTP, errors) and openapi.yaml",
		Long: `client compiles .proto files in pure Go and writes, next to each file, the code that
protoc-gen-go, protoc-gen-go-grpc, protoc-gen-go-http and protoc-gen-go-errors would write
with paths=source_relative. A directory stands for every .proto file below it (except under
third_party and hidden directories). No protoc or plugin is needed.

It also writes openapi.yaml in the working directory: the OpenAPI 3.0 document of the HTTP
API of all the services, as protoc-gen-openapi writes it, with the error body
{code, reason, message, metadata} on every operation. --openapi=false skips it.

Imports are looked up in the --proto_path directories (default: the list in
KRATOS_PROTO_PATH, as Kratos has it), then the root of the Go module holding the file and its
third_party directory, then among the files built into kratos: the well-known types
(google/protobuf/*.proto), the google API annotations (google/api/*.proto) and
errors/errors.proto.

Plugin parameters, as protoc takes them, go after "--": --go_opt, --go-grpc_opt (such as
require_unimplemented_servers=false), --go-http_opt (such as omitempty=false) and
--go-errors_opt. paths=source_relative is always set.`,
		Example: `  kratos proto client api
  kratos proto client api/helloworld/v1/greeter.proto -p ../shared/protos
  kratos proto client api -- --go-grpc_opt=require_unimplemented_servers=false`,
		Args: func(cmd *cobra.Command, args []string) error {
			if n := cmd.ArgsLenAtDash(); n == 0 || len(args) == 0 {
				return usageError{fmt.Errorf("%s needs a .proto file or a directory", cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var params map[string]string
			if dash := cmd.ArgsLenAtDash(); dash >= 0 {
				var err error
				if params, err = pluginParams(args[dash:]); err != nil {
					return usageError{err}
				}
				args = args[:dash]
			}
			files, err := apigen.FindProtos(args)
			if err != nil {
				return err
			}
			o := apigen.Options{
				ProtoPaths: withEnvProtoPaths(cmd, protoPaths),
				Params:     params,
				Warn:       func(err error) { fmt.Fprintf(e.stderr, "warning: %v\n", err) },
			}
			if openapi {
				o.OpenAPI = "openapi.yaml"
			}
			written, err := apigen.Generate(cmd.Context(), files, o)
			if err != nil {
				return compileError(err)
			}
			for _, w := range written {
				fmt.Fprintf(e.stdout, "wrote %s\n", relPath(w))
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&protoPaths, "proto_path", "p", nil, "directory to search for imports, before the defaults (repeatable; default: the list in "+envProtoPath+")")
	cmd.Flags().BoolVar(&openapi, "openapi", true, "write openapi.yaml, the OpenAPI 3.0 document of the services, in the working directory")
	return cmd
}

// envProtoPath names the variable holding the default of --proto_path: a
// list of directories separated as in PATH.
const envProtoPath = "KRATOS_PROTO_PATH"

// withEnvProtoPaths returns the --proto_path directories, or, when the
// flag is not given, those of KRATOS_PROTO_PATH.
func withEnvProtoPaths(cmd *cobra.Command, paths []string) []string {
	if cmd.Flags().Changed("proto_path") {
		return paths
	}
	var out []string
	for _, p := range filepath.SplitList(os.Getenv(envProtoPath)) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// pluginNames maps protoc's plugin names to the generators kratos runs.
var pluginNames = map[string]string{
	"go":        "protoc-gen-go",
	"go-grpc":   "protoc-gen-go-grpc",
	"go-http":   "protoc-gen-go-http",
	"go-errors": "protoc-gen-go-errors",
}

// pluginParams reads protoc-style plugin parameters, --NAME_opt=VALUE, and
// returns them by generator, joined with commas when repeated.
func pluginParams(args []string) (map[string]string, error) {
	params := map[string]string{}
	for _, a := range args {
		flag, value, ok := strings.Cut(a, "=")
		name, isOpt := strings.CutSuffix(strings.TrimPrefix(flag, "--"), "_opt")
		plugin, known := pluginNames[name]
		switch {
		case !strings.HasPrefix(flag, "--") || !ok:
			return nil, fmt.Errorf("%q after --: want --NAME_opt=VALUE, such as --go-grpc_opt=require_unimplemented_servers=false", a)
		case strings.HasSuffix(flag, "_out"):
			return nil, fmt.Errorf("%q after --: kratos writes the code next to each .proto (paths=source_relative); give options with --NAME_opt", a)
		case !isOpt || !known:
			return nil, fmt.Errorf("%q after --: kratos runs the plugins go, go-grpc, go-http and go-errors; give their options with --go_opt, --go-grpc_opt, --go-http_opt or --go-errors_opt", a)
		case value == "":
			continue
		}
		if params[plugin] != "" {
			value = params[plugin] + "," + value
		}
		params[plugin] = value
	}
	return params, nil
}

// compileError puts a list of compile problems on their own lines.
func compileError(err error) error {
	var ce *protoc.Error
	if errors.As(err, &ce) {
		return fmt.Errorf("cannot compile:\n%s", strings.Join(ce.Problems, "\n"))
	}
	return err
}

// relPath returns p relative to the working directory when it is below it.
func relPath(p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && filepath.IsLocal(r) {
		return r
	}
	return p
}

func newProtoServerCommand(e *env) *cobra.Command {
	var (
		target     string
		protoPaths []string
	)
	cmd := &cobra.Command{
		Use:   "server <file.proto>",
		Short: "Write implementation stubs for the services of a .proto file",
		Long: `server writes <target>/<service>.go for every service of the file: a <Service>Service
type embedding Unimplemented<Service>Server, its constructor, and a method for every RPC,
unary or streaming. Existing files are never overwritten; they are reported and skipped.
Generate the code of the .proto first (kratos proto client).`,
		Example: `  kratos proto server api/helloworld/v1/demo.proto -t internal/service`,
		Args:    exactArgs(1, "one .proto file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if filepath.Ext(args[0]) != ".proto" {
				return fmt.Errorf("%s: not a .proto file", args[0])
			}
			if _, err := os.Stat(args[0]); err != nil {
				return err
			}
			if st, err := os.Stat(target); err == nil && !st.IsDir() {
				return fmt.Errorf("--target-dir %s is not a directory", target)
			}
			absTarget, err := filepath.Abs(target)
			if err != nil {
				return err
			}
			root, module, err := gomod.ModuleOf(existingAncestor(absTarget))
			if err != nil {
				return fmt.Errorf("--target-dir %s must be inside a Go module: %w", target, err)
			}
			rel, err := filepath.Rel(root, absTarget)
			if err != nil || !(rel == "." || filepath.IsLocal(rel)) {
				return fmt.Errorf("--target-dir %s is not inside the module at %s", target, root)
			}
			importPath := module
			if rel != "." {
				importPath += "/" + filepath.ToSlash(rel)
			}
			params := scaffold.ServerParams{Dir: filepath.ToSlash(target), ImportPath: importPath, Package: packageName(absTarget)}

			units, err := apigen.Plan([]string{args[0]}, apigen.Options{ProtoPaths: withEnvProtoPaths(cmd, protoPaths)})
			if err != nil {
				return err
			}
			u := units[0]
			req, err := u.Compiler.Compile(cmd.Context(), u.Names)
			if err != nil {
				return compileError(err)
			}
			files, err := protoc.Generate(req, protoc.Plugin{
				Name: "kratos proto server",
				Run: func(gen *protogen.Plugin) error {
					scaffold.Servers(gen, params)
					return nil
				},
			})
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return fmt.Errorf("%s declares no service", args[0])
			}
			var todo []protoc.File
			for _, f := range files {
				if f.Content, err = scaffold.TidyImports(f.Content); err != nil {
					return fmt.Errorf("%s: %w", f.Name, err)
				}
				if _, err := os.Lstat(filepath.FromSlash(f.Name)); err == nil {
					fmt.Fprintf(e.stderr, "%s already exists; not overwriting it\n", f.Name)
					continue
				} else if !errors.Is(err, fs.ErrNotExist) {
					return err
				}
				todo = append(todo, f)
			}
			if err := protoc.WriteFiles("", todo); err != nil {
				return err
			}
			for _, f := range todo {
				fmt.Fprintf(e.stdout, "wrote %s\n", f.Name)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&target, "target-dir", "t", "internal/service", "directory to write the implementations to")
	cmd.Flags().StringArrayVarP(&protoPaths, "proto_path", "p", nil, "directory to search for imports, before the defaults (repeatable; default: the list in "+envProtoPath+")")
	return cmd
}

// packageName returns the package name of the Go files already in dir,
// or "" when there are none.
func packageName(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	for _, ent := range entries {
		name := ent.Name()
		if ent.IsDir() || filepath.Ext(name) != ".go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.PackageClauseOnly)
		if err == nil {
			return f.Name.Name
		}
	}
	return ""
}
