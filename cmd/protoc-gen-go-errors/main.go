// Command protoc-gen-go-errors is a protoc plugin that writes error
// helpers (Is<Reason> and Error<Reason>) for the enum values of a .proto
// file that have an HTTP status code through the (errors.code) or
// (errors.default_code) options of errors/errors.proto (see package
// errorsgen):
//
//	protoc -I . -I third_party --go-errors_out=paths=source_relative:. greeter.proto
//
// --version prints the version.
package main

import (
	"flag"
	"fmt"

	"google.golang.org/protobuf/compiler/protogen"

	"github.com/seed6ad8aa6b/kratos/cmd/internal/errorsgen"
)

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Printf("protoc-gen-go-errors %s\n", errorsgen.Version)
		return
	}
	protogen.Options{ParamFunc: flag.CommandLine.Set}.Run(func(gen *protogen.Plugin) error {
		gen.SupportedFeatures = errorsgen.SupportedFeatures
		gen.SupportedEditionsMinimum = errorsgen.SupportedEditionsMinimum
		gen.SupportedEditionsMaximum = errorsgen.SupportedEditionsMaximum
		return errorsgen.Generate(gen)
	})
}
