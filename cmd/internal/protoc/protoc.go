// Package protoc compiles .proto files in pure Go and runs code generators
// over them in-process, the way protoc runs its plugins, without protoc.
//
// A Compiler finds the user's files under its import paths (like protoc's
// -I), and every other import among the descriptors that the binary links
// in (package protoimports: the well-known types, the google API
// annotations, errors/errors.proto and the rules of protovalidate and
// protoc-gen-validate). Compile returns the
// CodeGeneratorRequest protoc would send to a plugin; Generate hands that
// request to Plugins, functions working on a protogen.Plugin, and collects
// what they write. WriteFiles puts the output on disk all at once, so a
// failing run leaves no file half-written.
package protoc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	"github.com/bufbuild/protocompile/reporter"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/protoimports"
)

// Compiler compiles .proto files. The zero value has no import paths and
// resolves only the files protoimports provides.
type Compiler struct {
	// ImportPaths are the directories searched, in order, for the files
	// to compile and for their imports (protoc's -I/--proto_path).
	ImportPaths []string
	// Warn receives compiler warnings such as unused imports; nil drops
	// them.
	Warn func(error)
}

// ImportName returns the name under which the file at file (a path on
// disk) is compiled: its slash-separated path relative to the first import
// path that contains it, and that import path.
func (c *Compiler) ImportName(file string) (name, root string, err error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", "", err
	}
	for _, ip := range c.ImportPaths {
		ipAbs, err := filepath.Abs(ip)
		if err != nil {
			return "", "", err
		}
		rel, err := filepath.Rel(ipAbs, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		return filepath.ToSlash(rel), ip, nil
	}
	return "", "", fmt.Errorf("%s is not under any proto path (%s); run from the project root or add one with --proto_path",
		file, strings.Join(c.ImportPaths, ", "))
}

// Error is a failed compilation: every problem found, each starting with
// the file, line and column.
type Error struct {
	Problems []string
}

func (e *Error) Error() string { return strings.Join(e.Problems, "\n") }

// Compile compiles the files with the given import names (see ImportName)
// and returns a CodeGeneratorRequest asking to generate them, carrying
// them and everything they import in dependency order. Errors in the
// files are returned as an *Error.
func (c *Compiler) Compile(ctx context.Context, names []string) (*pluginpb.CodeGeneratorRequest, error) {
	if len(names) == 0 {
		return nil, errors.New("protoc: no .proto files to compile")
	}
	src := &sourceResolver{importPaths: c.ImportPaths, onDisk: map[string]string{}}
	var problems []string
	rep := reporter.NewReporter(
		func(err reporter.ErrorWithPos) error {
			problems = append(problems, src.describe(err))
			return nil // keep going: report every problem at once
		},
		func(err reporter.ErrorWithPos) {
			if c.Warn != nil {
				c.Warn(errors.New(src.describe(err)))
			}
		},
	)
	comp := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(resolverFor(src)),
		Reporter:       rep,
		SourceInfoMode: protocompile.SourceInfoStandard,
		MaxParallelism: 1, // deterministic order of reported problems
	}
	files, err := comp.Compile(ctx, names...)
	if len(problems) == 0 && err != nil {
		// Failures to resolve an import do not go through the reporter.
		var ewp reporter.ErrorWithPos
		if errors.As(err, &ewp) {
			problems = append(problems, src.describe(ewp))
		}
	}
	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	if err != nil {
		return nil, fmt.Errorf("protoc: %w", err)
	}

	req := &pluginpb.CodeGeneratorRequest{FileToGenerate: slices.Clone(names)}
	seen := map[string]bool{}
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
		req.ProtoFile = append(req.ProtoFile, descriptorProto(fd))
	}
	for _, f := range files {
		add(f)
	}
	// Options compiled from source may hold extensions as dynamic
	// messages; a plugin expects them as the Go types linked into the
	// binary, as it would get them from protoc. A round trip through the
	// wire format does that.
	b, err := proto.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("protoc: encoding the request: %w", err)
	}
	out := new(pluginpb.CodeGeneratorRequest)
	if err := proto.Unmarshal(b, out); err != nil {
		return nil, fmt.Errorf("protoc: decoding the request: %w", err)
	}
	return out, nil
}

// descriptorProto returns fd as a FileDescriptorProto, with source
// information for files compiled from source.
func descriptorProto(fd protoreflect.FileDescriptor) *descriptorpb.FileDescriptorProto {
	if r, ok := fd.(linker.Result); ok {
		return r.FileDescriptorProto()
	}
	if f, ok := fd.(interface {
		Unwrap() protoreflect.FileDescriptor
	}); ok {
		fd = f.Unwrap()
	}
	return protodesc.ToFileDescriptorProto(fd)
}

// resolverFor looks up google/protobuf/*.proto among the linked
// descriptors first (so every file agrees on one descriptor.proto), then
// the user's import paths, then the rest of the linked descriptors.
func resolverFor(src *sourceResolver) protocompile.Resolver {
	return protocompile.ResolverFunc(func(name string) (protocompile.SearchResult, error) {
		if strings.HasPrefix(name, "google/protobuf/") {
			if fd, ok := protoimports.Find(name); ok {
				return protocompile.SearchResult{Desc: fd}, nil
			}
		}
		r, err := src.FindFileByPath(name)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return r, err
		}
		if fd, ok := protoimports.Find(name); ok {
			return protocompile.SearchResult{Desc: fd}, nil
		}
		return protocompile.SearchResult{}, err
	})
}

// sourceResolver opens files under the import paths and remembers where
// each was found, so errors can name the file on disk.
type sourceResolver struct {
	importPaths []string
	mu          sync.Mutex
	onDisk      map[string]string // import name -> path on disk
}

func (s *sourceResolver) FindFileByPath(name string) (protocompile.SearchResult, error) {
	if name != path.Clean(name) || path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
		return protocompile.SearchResult{}, fmt.Errorf("import path %q must be a clean relative path", name)
	}
	for _, ip := range s.importPaths {
		p := filepath.Join(ip, filepath.FromSlash(name))
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return protocompile.SearchResult{}, err
		}
		if st, err := f.Stat(); err == nil && st.IsDir() {
			f.Close()
			continue
		}
		s.mu.Lock()
		s.onDisk[name] = p
		s.mu.Unlock()
		return protocompile.SearchResult{Source: f}, nil
	}
	return protocompile.SearchResult{}, notFoundError{name: name, importPaths: s.importPaths}
}

// notFoundError is a file found neither under the import paths nor among
// the built-in imports.
type notFoundError struct {
	name        string
	importPaths []string
}

func (e notFoundError) Error() string {
	where := "no proto path"
	if len(e.importPaths) > 0 {
		where = "the proto paths " + strings.Join(e.importPaths, ", ")
	}
	return fmt.Sprintf("%s not found: not in %s, nor among the built-in imports (google/protobuf/*, google/api/*, errors/errors.proto, buf/validate/validate.proto, validate/validate.proto)", e.name, where)
}

func (e notFoundError) Is(target error) bool { return target == fs.ErrNotExist }

// describe formats err as "file:line:col: message" with the file's path
// on disk when it was read from one.
func (s *sourceResolver) describe(err reporter.ErrorWithPos) string {
	pos := err.GetPosition()
	file := pos.Filename
	s.mu.Lock()
	if p, ok := s.onDisk[file]; ok {
		file = displayPath(p)
	}
	s.mu.Unlock()
	msg := err.Unwrap().Error()
	if pos.Line == 0 {
		return fmt.Sprintf("%s: %s", file, msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", file, pos.Line, pos.Col, msg)
}

// displayPath returns p relative to the working directory when it is
// below it, else p.
func displayPath(p string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(p) {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return p
}

// A Plugin is a code generator run in-process over a CodeGeneratorRequest.
type Plugin struct {
	// Name names the generator in errors, e.g. "protoc-gen-go".
	Name string
	// Param is the plugin parameter (protoc's --NAME_opt), e.g.
	// "paths=source_relative".
	Param string
	// ParamFunc receives the parameters protogen does not handle itself;
	// nil rejects them.
	ParamFunc func(name, value string) error
	// Run generates the files; it is called once per request.
	Run func(gen *protogen.Plugin) error
}

// File is one generated file, its Name relative to the output root.
type File struct {
	Name    string
	Content []byte
}

// Generate runs every plugin over req and returns the files they produced,
// in the order the plugins produced them.
func Generate(req *pluginpb.CodeGeneratorRequest, plugins ...Plugin) ([]File, error) {
	var out []File
	for _, p := range plugins {
		r := proto.Clone(req).(*pluginpb.CodeGeneratorRequest)
		r.Parameter = proto.String(p.Param)
		paramFunc := p.ParamFunc
		if paramFunc == nil {
			paramFunc = func(name, value string) error {
				return fmt.Errorf("unknown parameter %q", name)
			}
		}
		gen, err := protogen.Options{ParamFunc: paramFunc}.New(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		if err := run(p, gen); err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		resp := gen.Response()
		if resp.Error != nil {
			return nil, fmt.Errorf("%s: %s", p.Name, resp.GetError())
		}
		for _, f := range resp.File {
			if f.GetInsertionPoint() != "" {
				return nil, fmt.Errorf("%s: insertion points are not supported (%s)", p.Name, f.GetName())
			}
			out = append(out, File{Name: f.GetName(), Content: []byte(f.GetContent())})
		}
	}
	return out, nil
}

// run calls p.Run, turning a panic into an error.
func run(p Plugin, gen *protogen.Plugin) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("generator failed: %v", r)
		}
	}()
	return p.Run(gen)
}

// WriteFiles writes files under dir, or at their names when dir is "".
// Every file is first written next to
// its destination under a temporary name; only when all are written are
// they renamed into place, so an error leaves no partial output.
func WriteFiles(dir string, files []File) error {
	var temps []string
	cleanup := func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}
	for _, f := range files {
		name := filepath.FromSlash(f.Name)
		if dir != "" && !filepath.IsLocal(name) {
			cleanup()
			return fmt.Errorf("protoc: generated file name %q leaves the output directory", f.Name)
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			cleanup()
			return err
		}
		tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*")
		if err != nil {
			cleanup()
			return err
		}
		temps = append(temps, tmp.Name())
		_, err = tmp.Write(f.Content)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(tmp.Name(), 0o644)
		}
		if err != nil {
			cleanup()
			return err
		}
	}
	for i, f := range files {
		if err := os.Rename(temps[i], filepath.Join(dir, filepath.FromSlash(f.Name))); err != nil {
			cleanup()
			return err
		}
	}
	return nil
}
