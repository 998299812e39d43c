// Package httpgen writes the HTTP server and client code for the services
// of a .proto file, from their google.api.http annotations.
//
// For every service it writes Operation<Service><Method> constants, a
// <Service>HTTPServer interface, Register<Service>HTTPServer, one
// _<Service>_<Method><N>_HTTP_Handler per route, and a <Service>HTTPClient
// interface with its <Service>HTTPClientImpl and New<Service>HTTPClient.
// That is the exported shape Kratos v2.9.2's protoc-gen-go-http produces,
// so service implementations written against that plugin's output compile
// unchanged against ours; the text of the file is our own.
//
// A rule's path variables may be {field}, {a.b} (a nested field),
// {name=shelves/*/books/*} or {name=**}; a pattern is written into the
// route as a regular expression, {name:shelves/[^/]+/books/[^/]+}, the form
// the router and binding.EncodeURL share with gorilla/mux. additional_bindings
// add routes for the same method; the client uses the main rule. Methods
// without a rule are skipped, or given POST /<package>.<Service>/<Method>
// when Options.OmitEmpty is false. Streaming methods are skipped.
// Annotations that cannot work (a path variable or body field that the
// request does not have, a malformed path) are an error naming the file,
// service and method.
//
// The package works on a protogen.Plugin, so it runs in-process (the
// kratos CLI calls it) or behind the protoc-gen-go-http main.
package httpgen

import (
	"errors"
	"fmt"
	"strconv"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// Version is the version of the generator, printed by --version and
// written in the header of every generated file.
const Version = "v2.9.2"

// SupportedFeatures is what the generator supports, to be set on the
// plugin's response.
const SupportedFeatures = uint64(pluginpb.CodeGeneratorResponse_FEATURE_PROTO3_OPTIONAL |
	pluginpb.CodeGeneratorResponse_FEATURE_SUPPORTS_EDITIONS)

// The editions the generator supports, to be set on the plugin with
// SupportedFeatures. The generator reads no edition features, so it takes
// every edition protobuf-go does.
const (
	SupportedEditionsMinimum = descriptorpb.Edition_EDITION_PROTO2
	SupportedEditionsMaximum = descriptorpb.Edition_EDITION_2024
)

// Options change the generated code. The zero value has OmitEmpty false;
// DefaultOptions returns the plugin's defaults.
type Options struct {
	// OmitEmpty skips methods without a google.api.http rule, and files
	// without any rule. When false, such a method gets the route
	// POST <OmitEmptyPrefix>/<package>.<Service>/<Method>. Plugin
	// parameter omitempty; the plugin's default is true.
	OmitEmpty bool
	// OmitEmptyPrefix is put before the default route of methods without
	// a rule (and of rules without a path). Plugin parameter
	// omitempty_prefix; default "".
	OmitEmptyPrefix string
	// Warn receives the problems of annotations that still generate
	// working code, such as a GET rule with a body or a POST rule
	// without one; nil drops them. The plugin prints them to stderr.
	Warn func(error)
}

// DefaultOptions returns the options protoc-gen-go-http uses by default:
// OmitEmpty true, no prefix.
func DefaultOptions() Options { return Options{OmitEmpty: true} }

// SetParam applies a plugin parameter (the name=value pairs given with
// --go-http_opt): omitempty (a bool) or omitempty_prefix.
func (o *Options) SetParam(name, value string) error {
	switch name {
	case "omitempty":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("httpgen: omitempty=%q: want true or false", value)
		}
		o.OmitEmpty = b
		return nil
	case "omitempty_prefix":
		o.OmitEmptyPrefix = value
		return nil
	}
	return fmt.Errorf("httpgen: unknown parameter %q", name)
}

func (o *Options) warn(format string, args ...any) {
	if o.Warn != nil {
		o.Warn(fmt.Errorf(format, args...))
	}
}

// Generate writes <name>_http.pb.go for every file of gen that is to be
// generated and has HTTP routes. It returns the errors of all files,
// joined; a file with an error is not written.
func Generate(gen *protogen.Plugin, opts Options) error {
	var errs []error
	for _, f := range gen.Files {
		if f.Generate {
			if _, err := GenerateFile(gen, f, opts); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// GenerateFile writes file's HTTP code and returns the generated file, or
// nil when file has no route (no service, or with OmitEmpty no rule). On
// error nothing is written.
func GenerateFile(gen *protogen.Plugin, file *protogen.File, opts Options) (*protogen.GeneratedFile, error) {
	services, err := plan(file, &opts)
	if err != nil || len(services) == 0 {
		return nil, err
	}
	g := gen.NewGeneratedFile(file.GeneratedFilenamePrefix+"_http.pb.go", file.GoImportPath)
	w := &writer{g: g}
	w.header(gen, file)
	for _, s := range services {
		w.service(s)
	}
	return g, nil
}
