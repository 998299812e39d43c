// Package openapigen writes the OpenAPI 3.0 document of the HTTP API that
// the services of .proto files serve through the framework's HTTP
// transport, from their google.api.http rules: the routes that
// protoc-gen-go-http (package httpgen) registers, with the JSON that the
// framework's json codec reads and writes.
//
// Each rule (and each of its additional_bindings) is one operation at its
// path: {field} and {a.b} variables are path parameters; a variable with
// a pattern, {name=shelves/*}, is one parameter holding the whole value
// with the pattern ^shelves/[^/]+$, as the route binds it. The request is
// the body named by the rule (* for the whole message, less the top-level
// path variables; a field for that field) and, when the body is not *,
// query parameters for the other fields: nested messages as a.b, repeated
// scalars as repeated keys, maps of scalars as deepObject (m[k]=v), and
// the well-known types that have a one-value form. The reply is the output
// message, or its response_body field. Messages and enums are
// components/schemas named by full name, from package
// encoding/jsonschema.
//
// Every operation lists the framework's error body
// {"code","reason","message","metadata"} (the schema errors.Status): one
// response per HTTP status code that the error-reason enums of the
// service's file declare (errors.code / errors.default_code, as errorsgen
// reads them), each reason an example, and a default response for any
// other error. operationIds are <Service>_<Method>, with _<n> for the n-th
// additional binding, made unique when services of several packages share
// a name.
//
// Streaming methods with a rule are documented as the HTTP transport
// serves them: server-streaming at the rule's route, answered as
// Server-Sent Events (text/event-stream, one reply per event);
// client- and bidi-streaming as a WebSocket handshake on GET at the rule's
// path (101), with x-kratos-websocket naming the messages each way.
// Operations carry x-kratos-streaming: server, client or bidi.
//
// The package works on descriptors (Document), so it runs in-process in
// the kratos CLI, and on a protogen.Plugin (Generate) behind the
// protoc-gen-openapi main.
package openapigen

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// Version is the version of the generator, written in the header of every
// document.
const Version = "v2.9.2"

// SupportedFeatures is what the generator supports, to be set on the
// plugin's response.
const SupportedFeatures = uint64(pluginpb.CodeGeneratorResponse_FEATURE_PROTO3_OPTIONAL |
	pluginpb.CodeGeneratorResponse_FEATURE_SUPPORTS_EDITIONS)

// The editions the generator supports.
const (
	SupportedEditionsMinimum = descriptorpb.Edition_EDITION_PROTO2
	SupportedEditionsMaximum = descriptorpb.Edition_EDITION_2024
)

// DefaultFilename is the name of the merged document.
const DefaultFilename = "openapi.yaml"

// Options change the document. DefaultOptions returns the plugin's
// defaults.
type Options struct {
	// Title is info.title. Default: "<Service> API" for one service,
	// else "<package> API" when all services share a package, else "API".
	// Plugin parameter title.
	Title string
	// Description is info.description. Default: the comment of the
	// service when there is one. Plugin parameter description.
	Description string
	// Version is info.version. Plugin parameter version; default "0.0.1".
	Version string
	// ShortNames names schemas by their short name (HelloReply) where
	// that is unique, instead of the full name (helloworld.v1.HelloReply).
	// Plugin parameter fq_schema_naming (its negation); default false.
	ShortNames bool
	// Depth is how many levels of nested messages become query
	// parameters (a.b is one level). Plugin parameter depth; default 2.
	Depth int
	// OmitEmpty skips methods without a google.api.http rule; when false
	// they get POST <OmitEmptyPrefix>/<package>.<Service>/<Method> with
	// the whole request as the body, as httpgen does. Plugin parameters
	// omitempty (default true) and omitempty_prefix.
	OmitEmpty       bool
	OmitEmptyPrefix string
	// SourceRelative writes one document per .proto file, next to it, as
	// <name>.openapi.yaml, instead of one openapi.yaml for all. Plugin
	// parameter output_mode=source_relative (default merged).
	SourceRelative bool
	// Warn receives what the document leaves out (custom HTTP methods,
	// routes declared twice) and ignored plugin parameters; nil drops
	// them.
	Warn func(error)
}

// DefaultOptions returns the defaults of protoc-gen-openapi.
func DefaultOptions() Options {
	return Options{Version: "0.0.1", Depth: 2, OmitEmpty: true}
}

// SetParam applies a plugin parameter (a name=value pair given with
// --openapi_opt). It takes the parameters of gnostic's protoc-gen-openapi
// that Kratos projects pass: title, description, version,
// fq_schema_naming, depth, output_mode; naming (json only), enum_type
// (string only: the codec writes names) and default_response (every
// operation documents the error body) are accepted and have no effect;
// and httpgen's omitempty and omitempty_prefix.
func (o *Options) SetParam(name, value string) error {
	boolean := func() (bool, error) {
		b, err := strconv.ParseBool(value)
		if err != nil {
			return false, fmt.Errorf("openapigen: %s=%q: want true or false", name, value)
		}
		return b, nil
	}
	switch name {
	case "title":
		o.Title = value
	case "description":
		o.Description = value
	case "version":
		o.Version = value
	case "fq_schema_naming":
		b, err := boolean()
		if err != nil {
			return err
		}
		o.ShortNames = !b
	case "depth":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return fmt.Errorf("openapigen: depth=%q: want a number from 0", value)
		}
		o.Depth = n
	case "output_mode":
		switch value {
		case "merged":
			o.SourceRelative = false
		case "source_relative":
			o.SourceRelative = true
		default:
			return fmt.Errorf("openapigen: output_mode=%q: want merged or source_relative", value)
		}
	case "omitempty":
		b, err := boolean()
		if err != nil {
			return err
		}
		o.OmitEmpty = b
	case "omitempty_prefix":
		o.OmitEmptyPrefix = value
	case "naming":
		if value != "json" {
			o.warn("naming=%s ignored: properties are the JSON names, which the server writes", value)
		}
	case "enum_type":
		if value != "string" {
			o.warn("enum_type=%s ignored: enums are their value names, which the server writes", value)
		}
	case "default_response":
		if _, err := boolean(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("openapigen: unknown parameter %q", name)
	}
	return nil
}

func (o *Options) warn(format string, args ...any) {
	if o.Warn != nil {
		o.Warn(fmt.Errorf(format, args...))
	}
}

// Generate writes the document of the files of gen that are to be
// generated: one openapi.yaml for all, or with SourceRelative one
// <name>.openapi.yaml per file that declares a service. Nothing is
// written when no file declares a service.
func Generate(gen *protogen.Plugin, opts Options) error {
	var files []protoreflect.FileDescriptor
	for _, f := range gen.Files {
		if f.Generate {
			files = append(files, f.Desc)
		}
	}
	if opts.SourceRelative {
		var errs []error
		for _, f := range files {
			if f.Services().Len() == 0 {
				continue
			}
			doc, err := Document([]protoreflect.FileDescriptor{f}, opts)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			name := strings.TrimSuffix(f.Path(), path.Ext(f.Path())) + ".openapi.yaml"
			if _, err := gen.NewGeneratedFile(name, "").Write(doc); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	if !hasService(files) {
		return nil
	}
	doc, err := Document(files, opts)
	if err != nil {
		return err
	}
	_, err = gen.NewGeneratedFile(DefaultFilename, "").Write(doc)
	return err
}

func hasService(files []protoreflect.FileDescriptor) bool {
	for _, f := range files {
		if f.Services().Len() > 0 {
			return true
		}
	}
	return false
}

// Document returns the OpenAPI 3.0 document, in YAML, of the services of
// files. Descriptors compiled from source give descriptions from the
// comments. Annotations that cannot work (a path variable or body field
// that the request does not have, a malformed path) are an error naming
// the file, service and method.
func Document(files []protoreflect.FileDescriptor, opts Options) ([]byte, error) {
	d, err := build(files, opts)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Path())
	}
	sort.Strings(names)
	header := "# Code generated by protoc-gen-openapi. DO NOT EDIT.\n" +
		"# versions:\n# - protoc-gen-openapi " + Version + "\n" +
		"# source: " + strings.Join(names, ", ") + "\n\n"
	return toYAML(header, d)
}
