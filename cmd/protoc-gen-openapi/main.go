// Command protoc-gen-openapi is a protoc plugin that writes the OpenAPI 3.0
// document of the HTTP API of a .proto file's services, from their
// google.api.http annotations, as the framework serves it (see package
// openapigen):
//
//	protoc -I . -I third_party --openapi_out=. api/helloworld/v1/greeter.proto
//
// It takes the parameters of gnostic's protoc-gen-openapi that Kratos
// projects pass: title, description, version, fq_schema_naming (default
// true here), depth (2), output_mode (merged: one openapi.yaml; or
// source_relative: <file>.openapi.yaml next to each file); naming,
// enum_type and default_response are accepted and have no effect (the
// document always has the JSON names and enum names the server writes, and
// the error body on every operation). omitempty and omitempty_prefix are
// those of protoc-gen-go-http. --version prints the version.
package main

import (
	"flag"
	"fmt"
	"os"

	"google.golang.org/protobuf/compiler/protogen"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/openapigen"
)

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Printf("protoc-gen-openapi %s\n", openapigen.Version)
		return
	}
	opts := openapigen.DefaultOptions()
	opts.Warn = func(err error) {
		fmt.Fprintln(os.Stderr, "protoc-gen-openapi: warning:", err)
	}
	protogen.Options{ParamFunc: opts.SetParam}.Run(func(gen *protogen.Plugin) error {
		gen.SupportedFeatures = openapigen.SupportedFeatures
		gen.SupportedEditionsMinimum = openapigen.SupportedEditionsMinimum
		gen.SupportedEditionsMaximum = openapigen.SupportedEditionsMaximum
		return openapigen.Generate(gen, opts)
	})
}
