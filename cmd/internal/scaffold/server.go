package scaffold

import (
	"path"
	"strings"

	"google.golang.org/protobuf/compiler/protogen"
)

// ServerParams say where the implementations Servers writes go.
type ServerParams struct {
	// Dir is the output directory relative to the output root, slash
	// separated (e.g. "internal/service"); files are named
	// <dir>/<service in lower case>.go.
	Dir string
	// ImportPath is the Go import path of Dir.
	ImportPath string
	// Package is the Go package name; empty derives it from ImportPath.
	Package string
}

const (
	contextPkg = protogen.GoImportPath("context")
	errorsPkg  = protogen.GoImportPath("errors")
	ioPkg      = protogen.GoImportPath("io")
)

// Servers writes, into gen, one file per service of the files to generate:
// a <Service>Service type embedding Unimplemented<Service>Server, its
// constructor, and a method for every RPC (unary, server, client and
// bidirectional streaming) that answers an empty reply. Streaming methods
// take the stream types protoc-gen-go-grpc generates
// (<Service>_<Method>Server), which the generated HTTP code uses too, so
// the type serves gRPC and, for the methods with an HTTP rule, HTTP
// (streams as Server-Sent Events and WebSocket).
func Servers(gen *protogen.Plugin, p ServerParams) {
	pkgName := protogen.GoPackageName(p.Package)
	if pkgName == "" {
		pkgName = protogen.GoPackageName(identifier(path.Base(p.ImportPath)))
	}
	for _, f := range gen.Files {
		if !f.Generate {
			continue
		}
		for _, s := range f.Services {
			name := path.Join(p.Dir, strings.ToLower(s.GoName)+".go")
			g := gen.NewGeneratedFile(name, protogen.GoImportPath(p.ImportPath))
			writeServer(g, pkgName, f, s)
		}
	}
}

func writeServer(g *protogen.GeneratedFile, pkg protogen.GoPackageName, f *protogen.File, s *protogen.Service) {
	typ := s.GoName + "Service"
	unimplemented := g.QualifiedGoIdent(f.GoImportPath.Ident("Unimplemented" + s.GoName + "Server"))
	g.P("package ", pkg)
	g.P()
	g.P("// ", typ, " implements ", s.Desc.FullName(), " (", f.Desc.Path(), ").")
	g.P("type ", typ, " struct {")
	g.P(unimplemented)
	g.P("}")
	g.P()
	g.P("// New", typ, " returns a ", typ, ".")
	g.P("func New", typ, "() *", typ, " {")
	g.P("return &", typ, "{}")
	g.P("}")
	for _, m := range s.Methods {
		g.P()
		in := g.QualifiedGoIdent(m.Input.GoIdent)
		out := g.QualifiedGoIdent(m.Output.GoIdent)
		stream := g.QualifiedGoIdent(f.GoImportPath.Ident(s.GoName + "_" + m.GoName + "Server"))
		recvLoop := func(onEOF string) {
			g.P("for {")
			g.P("req, err := stream.Recv()")
			g.P("if ", g.QualifiedGoIdent(errorsPkg.Ident("Is")), "(err, ", g.QualifiedGoIdent(ioPkg.Ident("EOF")), ") {")
			g.P(onEOF)
			g.P("}")
			g.P("if err != nil {")
			g.P("return err")
			g.P("}")
		}
		switch cs, ss := m.Desc.IsStreamingClient(), m.Desc.IsStreamingServer(); {
		case !cs && !ss:
			g.P("func (s *", typ, ") ", m.GoName, "(ctx ", g.QualifiedGoIdent(contextPkg.Ident("Context")), ", req *", in, ") (*", out, ", error) {")
			g.P("return &", out, "{}, nil")
			g.P("}")
		case ss && !cs:
			g.P("func (s *", typ, ") ", m.GoName, "(req *", in, ", stream ", stream, ") error {")
			g.P("// Send as many replies as needed; returning ends the stream.")
			g.P("return stream.Send(&", out, "{})")
			g.P("}")
		case cs && !ss:
			g.P("func (s *", typ, ") ", m.GoName, "(stream ", stream, ") error {")
			recvLoop("return stream.SendAndClose(&" + out + "{})")
			g.P("_ = req")
			g.P("}")
			g.P("}")
		default:
			g.P("func (s *", typ, ") ", m.GoName, "(stream ", stream, ") error {")
			recvLoop("return nil")
			g.P("_ = req")
			g.P("if err := stream.Send(&", out, "{}); err != nil {")
			g.P("return err")
			g.P("}")
			g.P("}")
			g.P("}")
		}
	}
}
