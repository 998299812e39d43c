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
// route as a regular expression, {name:shelves/.*/books/.*}, the form the
// router and binding.EncodeURL share with gorilla/mux. additional_bindings
// add routes for the same method; the client uses the main rule. Methods
// without a rule are skipped, or given POST /<package>.<Service>/<Method>
// when Options.OmitEmpty is false. Annotations that cannot work (a path
// variable, body or response_body field that the messages do not have, a
// malformed path) are an error naming the file, service and method.
//
// # Routes next to Kratos's
//
// The routes take every URL that the routes of Kratos v2.9.2's
// protoc-gen-go-http take for the same rule (a test serves both on their
// routers), with the same variables:
//
//   - As in Kratos's, every * and ** of a pattern becomes .*: a variable
//     with a pattern may span segments or be empty ({name=shelves/*}
//     takes /v1/shelves/a/b, {name=*} takes /v1/a/b), where google.api.http
//     has * take exactly one segment. {name} alone is one segment, and
//     {name}:verb, {name=*}:verb and {name=a/*}:verb keep the verb.
//   - The literal segments of a pattern are matched literally; Kratos
//     copies them into the expression, so a "." there matches any
//     character. Kratos also leaves a pattern on a one-letter variable
//     ({n=*}) in the route as it is; ours reads it like any other.
//   - A custom rule registers its kind as the method, as Kratos's does:
//     HEAD, OPTIONS and the other methods the router has a function for
//     with that function (r.HEAD), any other valid method token such as
//     SEARCH with r.Handle, where Kratos's output calls a method the
//     router lacks and does not compile. Kinds are case-sensitive, as
//     HTTP methods are: "head" is not HEAD.
//   - Ours take a few URLs Kratos's do not: an escaped slash (%2F) stays
//     inside its segment, where Kratos's router decodes it into a
//     separator first, and a trailing slash leaves a pattern ending in *
//     or ** an empty rest, where Kratos's redirects.
//
// # Streams
//
// Streaming methods with a rule of their own are served in the shapes of
// Kratos v3's generator, on the stream types protoc-gen-go-grpc generates
// in the same package (<Service>_<Method>Server and ...Client), so one
// implementation serves gRPC and HTTP and the file needs the _grpc.pb.go
// file beside it:
//
//   - A server-streaming method is answered as Server-Sent Events on its
//     rule's method and path: the server interface has
//     M(*Req, <Service>_<M>Server) error, the client M(ctx, req, opts...)
//     returning <Service>_<M>Client (read with Client.ServerSentEvent).
//   - A client- or bidi-streaming method is served over WebSocket on GET
//     and its rule's path: M(<Service>_<M>Server) error on the server,
//     M(ctx, opts...) returning <Service>_<M>Client on the client, whose
//     WebSocket (Client.WebSocket) opens at the first Send with the path
//     and query filled from that message. A body naming a message field
//     makes each message that field (WithStreamBodyField).
//   - The streams a handler hands the implementation are
//     <Service>_<M>HTTPServer, the client's <Service>_<M>HTTPClient.
//
// A response_body of a stream must name a message field: each message
// sent is that field. Methods without a rule, and all streaming methods
// when Options.Streams is false (Kratos v2's behaviour), are skipped.
//
// A google.api.HttpBody request or reply is the raw body with its content
// type; the client sends a request HttpBody with its content type, and a
// body field of that type with the other fields in the query. A file with
// streams or HttpBody requests also references
// http.SupportPackageIsVersion3.
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
	// Streams serves the streaming methods that have a google.api.http
	// rule: server-streaming ones as Server-Sent Events, client- and
	// bidi-streaming ones over WebSocket (see the package comment). When
	// false they are skipped, as Kratos v2's generator skips them. Plugin
	// parameter streams; the plugin's default is true.
	Streams bool
	// Warn receives the problems of annotations that still generate
	// working code, such as a GET rule with a body or a POST rule
	// without one; nil drops them. The plugin prints them to stderr.
	Warn func(error)
}

// DefaultOptions returns the options protoc-gen-go-http uses by default:
// OmitEmpty true, no prefix, Streams true.
func DefaultOptions() Options { return Options{OmitEmpty: true, Streams: true} }

// SetParam applies a plugin parameter (the name=value pairs given with
// --go-http_opt): omitempty or streams (bools), or omitempty_prefix.
func (o *Options) SetParam(name, value string) error {
	switch name {
	case "omitempty", "streams":
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("httpgen: %s=%q: want true or false", name, value)
		}
		if name == "omitempty" {
			o.OmitEmpty = b
		} else {
			o.Streams = b
		}
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
	v3 := false
	for _, s := range services {
		for _, r := range s.routes {
			v3 = v3 || r.v3()
		}
	}
	w := &writer{g: g, file: file}
	w.header(gen, file, v3)
	for _, s := range services {
		w.service(s)
	}
	return g, nil
}
